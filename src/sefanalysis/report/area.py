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
from ..errors import SefError
from .display import one_output, recording, replay

if TYPE_CHECKING:
    from .sections import AreaSections

P = ParamSpec("P")
# charts drawn beside each indicator's trend when the run asks (``--charts``): the monthly
# control chart, the funnel plot against all authorities, the statistical-neighbour ranking,
# and a bar chart of each breakdown. Without asking, a control chart, funnel or ranking is
# still drawn where it carries a signal (see ``sections.AreaSections.show_indicator``).
CHART_KINDS = ("spc", "funnel", "ranking", "breakdowns")


def chart_kinds(charts: str | list[str] | None) -> tuple[str, ...]:
    """The extra chart kinds a run asks for: ``"all"``, a list (``"spc,funnel"`` or a YAML
    list) of :data:`CHART_KINDS`, or ``"default"`` / nothing for none. Anything else is an
    error naming what is accepted."""
    if charts is None:
        return ()
    items = charts if isinstance(charts, list) else str(charts).split(",")
    names = [str(i).strip().lower() for i in items if str(i).strip()]
    if names in ([], ["default"]):
        return ()
    if names == ["all"]:
        return CHART_KINDS
    unknown = [n for n in names if n not in CHART_KINDS]
    if unknown:
        raise SefError(
            f"charts {', '.join(map(repr, unknown))} not known: give 'all', 'default', or a "
            f"list of {', '.join(CHART_KINDS)}"
        )
    return tuple(k for k in CHART_KINDS if k in names)


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
                            self.disclosure_mode, self.charts)  # fmt: skip
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
    go, how many quarter ends to show, the window, the disclosure mode and the extra charts
    asked for (``charts``: see :func:`chart_kinds`)."""

    period_end: str
    data_dir: str
    output_dir: str
    quarters: int = 8
    window: str = "12m"
    disclosure_mode: str = "published"
    charts: str = "default"


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
        """One indicator: its finding's sentence, its trend chart with England, the region and
        the neighbours, and its table; the control chart, funnel and ranking one click away
        when asked for or when they carry a signal."""
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
