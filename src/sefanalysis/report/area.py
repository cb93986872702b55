"""What a judgement-area notebook calls: ``AreaReport(period_end, data_dir, output_dir)`` and
its ``show_*`` sections (each indicator with its headline sentence, charts and table; every chart
and table is also written to the run folder).

Each section goes through the rerun cache: when the data, the parameters, the arguments and the
code are unchanged, what it displayed and the files it wrote are replayed. This module is light
on purpose: a rerun whose sections all come from the cache never imports pandas or draws a
chart; the sections themselves (``sections.AreaSections``) are imported on the first miss.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Concatenate, ParamSpec

from ..cache import cache_dir, cache_key, fingerprint, load, store
from .display import one_output, recording, replay

if TYPE_CHECKING:
    from .sections import AreaSections

P = ParamSpec("P")


def _replayed(
    method: Callable[Concatenate[AreaReport, P], None],
) -> Callable[Concatenate[AreaReport, P], None]:
    """Rerun cache for a report section, shown as one notebook output (see ``one_output``)."""

    @functools.wraps(method)
    def show(self: AreaReport, *args: P.args, **kwargs: P.kwargs) -> None:
        with one_output():
            if cache_dir() is None:
                method(self, *args, **kwargs)
                return
            key = cache_key("report", method.__name__, args, kwargs, self.data_key,
                            self.period_end, self.quarters, self.window,
                            self.disclosure_mode)  # fmt: skip
            events = load("report", key)
            if isinstance(events, list):
                replay(events, Path(self.output_dir))
                return
            with recording() as events:
                method(self, *args, **kwargs)
            store("report", key, events)

    return show


@dataclass
class ReportParameters:
    """What a notebook gives its report: the period end, where the data is and where outputs
    go, how many quarter ends to show, the window and the disclosure mode."""

    period_end: str
    data_dir: str
    output_dir: str
    quarters: int = 8
    window: str = "12m"
    disclosure_mode: str = "published"


@dataclass
class AreaReport(ReportParameters):
    """One run's indicators for the notebooks. Anything not defined here (``values``,
    ``dataset``, ``trend_table``, ...) is the sections' own (``sections.AreaSections``)."""

    def __post_init__(self) -> None:
        self.data_key = fingerprint(self.data_dir)  # reruns on unchanged data reuse the results

    @functools.cached_property
    def sections(self) -> AreaSections:
        """The sections, on first use; they check the period end and the disclosure mode (a
        section is only ever cached after they did)."""
        from .sections import AreaSections

        return AreaSections(**{f.name: getattr(self, f.name) for f in fields(ReportParameters)})

    def __getattr__(self, name: str) -> object:
        if name.startswith("_") or name == "sections":  # e.g. IPython probing _repr_html_
            raise AttributeError(name)
        return getattr(self.sections, name)

    @_replayed
    def show_context(self) -> None:
        """Who, when and how complete: the paragraph under each report's title."""
        self.sections.show_context()

    @_replayed
    def show_method(self) -> None:
        """How each sentence is decided (significance, variation, comparisons)."""
        self.sections.show_method()

    @_replayed
    def show_summary(self, area: str) -> None:
        """Every indicator of ``area`` in one table, with comparators and RAG ratings."""
        self.sections.show_summary(area)

    @_replayed
    def show_indicator(self, indicator_id: str) -> None:
        """One indicator: its finding's sentence, trend chart, comparators, SPC chart and
        table."""
        self.sections.show_indicator(indicator_id)

    @_replayed
    def show_distribution(self, indicator_id: str, by: str, title: str) -> None:
        """How the units behind an indicator spread over groups, with secondary suppression."""
        self.sections.show_distribution(indicator_id, by, title)

    @_replayed
    def show_indicators(self, area: str) -> None:
        """Every indicator of ``area``, in registry order."""
        from ..indicators.registry import REGISTRY

        for ind in REGISTRY.values():
            if ind.area == area:
                self.show_indicator(ind.id)

    @_replayed
    def show_reconciliation(self) -> None:
        """The CIN census's figures beside Annex A's for the same years to 31 March."""
        self.sections.show_reconciliation()
