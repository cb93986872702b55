"""The indicator registry: every indicator is declared once, with its metadata, here.

An indicator is a small function ``f(ctx) -> units`` returning one row per counted unit (a
referral, a child in care at a period end, ...) and period end, with a ``num`` and a ``den``
flag (or a ``measure`` for averages); without a ``num`` or ``den`` column each unit counts 1
in it. A counted indicator may return a list of unit frames instead (e.g. referrals as
numerator units and contacts as denominator units): their numerators and denominators add up,
without one frame of all of them in memory. The engine turns units into values, so breakdowns,
windows and coverage checks are handled in one place for every indicator.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import pandas as pd

AREAS = {
    "help_protection": "Help and protection",
    "children_in_care": "Children in care",
    "care_leavers": "Care leavers",
    "leadership": "Impact of leaders",
}
UNITS = {"count", "pct", "rate_per_10k", "days", "score", "fte", "ratio"}
POLARITIES = {"higher_better", "lower_better", "neutral"}
Units = pd.DataFrame | list[pd.DataFrame]
AGGREGATES = {"count", "pct", "rate_per_10k", "mean", "median", "ratio", "sum"}


@dataclass(frozen=True)
class Indicator:
    id: str
    title: str
    area: str
    unit: str
    polarity: str
    kind: str  # "flow" (events in the window) or "snapshot" (as at the period end)
    aggregate: str
    numerator: str
    denominator: str
    source: str
    publication: str
    exclusions: str = ""
    short_title: str = ""
    extract_only: bool = False  # valid only when the period end is the data extract date
    interval: bool = True  # False where the numerator is not a count of events (e.g. FTE)
    # The year a value describes when there is one figure per year (e.g. "school year"): every
    # month end repeats that year's figure, so there is no monthly variation to judge.
    yearly: str = ""
    func: Callable[..., Units] | None = field(default=None, compare=False, repr=False)

    def metadata(self) -> dict[str, object]:
        meta = asdict(self)
        meta.pop("func")
        return meta


REGISTRY: dict[str, Indicator] = {}


def indicator(
    **meta: object,
) -> Callable[[Callable[..., Units]], Callable[..., Units]]:
    """Register the decorated unit function under ``meta["id"]`` with its metadata."""

    def register(func: Callable[..., Units]) -> Callable[..., Units]:
        ind = Indicator(func=func, **meta)  # type: ignore[arg-type]
        if ind.id in REGISTRY:
            raise ValueError(f"indicator id {ind.id!r} is declared twice")
        if ind.area not in AREAS or ind.unit not in UNITS or ind.polarity not in POLARITIES:
            raise ValueError(f"indicator {ind.id!r} has an unknown area, unit or polarity")
        if ind.aggregate not in AGGREGATES or ind.kind not in {"flow", "snapshot"}:
            raise ValueError(f"indicator {ind.id!r} has an unknown aggregate or kind")
        REGISTRY[ind.id] = ind
        return func

    return register


def data_dictionary() -> pd.DataFrame:
    """The registry as a table: the data dictionary published with every run."""
    from . import load_all

    load_all()
    rows = [ind.metadata() for ind in REGISTRY.values()]
    frame = pd.DataFrame(rows)
    frame.insert(2, "area_name", frame["area"].map(AREAS))
    return frame
