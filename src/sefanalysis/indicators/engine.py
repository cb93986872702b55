"""Compute registered indicators for one or many period ends, vectorised over units.

Windows: a flow indicator counts events dated within the window's months ending on the period
end, inclusive of both ends. A snapshot indicator counts what is open at the end of the period
end day: started on or before it and not ended on or before it.

Coverage: a value is only given where the data covers it; otherwise it is missing with a note
(a window that starts before the data, a period end after the extract, a missing population,
and an Annex A list or local table that was not supplied, is empty, or has no dates in the
period: missing is missing, never a count of 0).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from ..dataset import Dataset
from ..errors import SefError
from ..periods import age_at, parse_period_ends, window_months, window_start
from .registry import AREAS, REGISTRY, Indicator

OUTPUT_COLUMNS = ["indicator_id", "area", "title", "period_start", "period_end", "numerator",
                  "denominator", "value", "unit", "polarity", "source", "note"]  # fmt: skip
# the dimensions an indicator may be broken down by (``by``) and the columns each reads; an
# indicator whose units lack a dimension's columns cannot be broken down by it (its values are
# then missing, with the reason: never one "Not recorded" group)
BREAKDOWN_COLUMNS = {"age_band": ("dob",), "care_leaver_age_band": ("dob",),
                     "gender": ("gender",), "ethnicity_group": ("ethnicity",),
                     "disability": ("disability",), "team": ("team",),
                     "duration_band": ("duration_band",), "grade": ("grade",),
                     "source": ("source",), "abuse_category": ("abuse_category",),
                     "risk_level": ("risk_level",), "stage": ("stage",),
                     "legal_status": ("legal_status",)}  # fmt: skip
BREAKDOWNS = set(BREAKDOWN_COLUMNS)
# what ``where`` can restrict: the breakdowns, plus age in whole years at the event (a flow) or
# at the period end (a snapshot), given as (lowest, highest), and the ethnicity code
WHERE_COLUMNS = {**BREAKDOWN_COLUMNS, "age": ("dob",), "ethnicity": ("ethnicity",)}
AGE_BREAKDOWNS = {"age_band", "care_leaver_age_band", "age"}
# demographic columns read by breakdowns only (measures read dob, codes and dates): they are
# left out of rows repeated per period unless a breakdown or restriction asks for them
BREAKDOWN_ONLY = {"gender", "ethnicity", "disability", "team"}
GROUP_COLUMNS = ("group", "group_2")  # one column per dimension of ``by`` (two at most)
# ChAT / DfE bands of assessment and S47-to-ICPC durations, in working days
ASSESSMENT_BANDS = [(0, 0, "Same day"), (1, 10, "1-10"), (11, 20, "11-20"), (21, 30, "21-30"),
                    (31, 40, "31-40"), (41, 45, "41-45"), (46, 50, "46-50"), (51, 60, "51-60"),
                    (61, 10**6, "61+")]  # fmt: skip
ICPC_BANDS = [(0, 0, "Same day"), (1, 5, "1-5"), (6, 10, "6-10"), (11, 13, "11-13"),
              (14, 15, "14-15"), (16, 17, "16-17"), (18, 20, "18-20"),
              (21, 10**6, "21+")]  # fmt: skip


def band_of(days: pd.Series, bands: list[tuple[int, int, str]]) -> pd.Series:
    """Label each duration with its band (vectorised); missing durations are "Not recorded"."""
    out = pd.Series("Not recorded", index=days.index, dtype="string")
    for lo, hi, label in bands:
        out[(days >= lo) & (days <= hi)] = label
    return out


CARE_LEAVER_BANDS = [(16, 18, "17 to 18"), (19, 21, "19 to 21"), (22, 25, "22 to 25")]
AGE_BANDS = [(-99, 0, "Under 1"), (1, 4, "1 to 4"), (5, 9, "5 to 9"), (10, 15, "10 to 15"),
             (16, 17, "16 to 17"), (18, 99, "18 and over")]  # fmt: skip
# Contact and referral source codes (CIN census) by the groups DfE publishes
SOURCE_GROUPS = {"1A": "Individual", "1B": "Individual", "1C": "Individual", "1D": "Individual",
                 "2A": "Schools", "2B": "Education services", "3A": "Health services",
                 "3B": "Health services", "3C": "Health services", "3D": "Health services",
                 "3E": "Health services", "3F": "Health services", "4": "Housing",
                 "5A": "LA services", "5B": "LA services", "5C": "LA services",
                 "5D": "Early help", "6": "Police", "7": "Other legal agency", "8": "Other",
                 "9": "Anonymous", "10": "Unknown"}  # fmt: skip
NOT_RECORDED = "Not recorded"


def _natural_orders() -> dict[str, list[str]]:
    from ..ingest.codes import ETHNICITY_GROUPS

    durations = [b[2] for b in ASSESSMENT_BANDS]
    durations += [b[2] for b in ICPC_BANDS if b[2] not in durations]
    return {
        "age_band": [b[2] for b in AGE_BANDS],
        "care_leaver_age_band": [b[2] for b in CARE_LEAVER_BANDS] + ["Other ages"],
        "duration_band": sorted(durations, key=_leading_number),
        "grade": ["Outstanding", "Good", "Requires improvement", "Inadequate"],
        "risk_level": ["Significant", "Moderate", "Emerging", "Not at risk"],
        "stage": ["Informal", "Stage 1", "Stage 2", "Stage 3", "LGSCO"],
        "ethnicity_group": list(ETHNICITY_GROUPS),
        "source": list(dict.fromkeys(SOURCE_GROUPS.values())),
        "gender": ["Male", "Female", "Not stated", "Neither"],
        "disability": ["Yes", "No", "Unknown"],
        "abuse_category": ["Neglect", "Physical abuse", "Sexual abuse", "Emotional abuse",
                           "Multiple"],
    }  # fmt: skip


def _leading_number(label: str) -> float:
    """ "Same day" 0, "1-10" 1, "61+" 61: durations sort by their first day."""
    digits = "".join(ch if ch.isdigit() else " " for ch in label).split()
    return float(digits[0]) if digits else 0.0


def group_order(dim: str, labels: object) -> list:
    """``labels`` of breakdown ``dim`` in their natural order (age bands by age, durations by
    days, grades best first, ...), others alphabetically after them, "Not recorded" last."""
    known = _natural_orders().get(dim, [])
    rank = {label: i for i, label in enumerate(known)}
    present = [g for g in dict.fromkeys(labels) if g is not None and not pd.isna(g)]  # type: ignore[call-overload]
    return sorted(present, key=lambda g: (g == NOT_RECORDED, rank.get(g, len(rank)), str(g)))


@dataclass
class Context:
    """What an indicator function sees: the dataset, the periods and vectorised helpers."""

    dataset: Dataset
    periods: pd.DataFrame  # period_start, period_end (sorted)
    window: str
    params: dict[str, object] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    coverage: dict[str, pd.Timestamp] = field(default_factory=dict)
    # the dimensions of the breakdown asked for and of the restriction (``where``), if any
    dims: tuple[str, ...] = ()
    # further columns the units must keep (``units`` keeps the child identifier)
    extra_columns: tuple[str, ...] = ()
    # the Annex A lists and local tables the indicator being computed has read
    reads: set[str] = field(default_factory=set)
    # per list or table: why it cannot support each period end ("" where it can), once per run
    source_gaps: dict[str, dict[pd.Timestamp, str]] = field(default_factory=dict)
    # per indicator and period end: the source of the value (its note), or why there is none
    # (the value is blanked with that reason), for indicators whose sources cover different
    # periods (SSDA903 returns for some years, Annex A at the extract)
    sources: dict[str, dict[pd.Timestamp, str]] = field(default_factory=dict)
    gaps: dict[str, dict[pd.Timestamp, str]] = field(default_factory=dict)
    # per indicator and period end served by a source chosen for it (``by_source``): the lists
    # and tables that source read, which alone judge the period's coverage
    period_reads: dict[str, dict[pd.Timestamp, frozenset[str]]] = field(default_factory=dict)
    # tables derived from the data once and shared by the indicators of one computation
    derived: dict[str, object] = field(default_factory=dict)

    def _slim(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Leave out demographic columns that only feed a breakdown not asked for, before rows
        are repeated per period (most of the engine's peak memory)."""
        unused = [c for c in frame if c in BREAKDOWN_ONLY and c not in self.breakdown_columns]
        return frame.drop(columns=unused) if unused else frame

    @property
    def breakdown_columns(self) -> tuple[str, ...]:
        """The columns the breakdown and the restriction asked for read."""
        cols = [c for dim in self.dims for c in WHERE_COLUMNS[dim]] + list(self.extra_columns)
        return tuple(dict.fromkeys(cols))

    @property
    def _ages(self) -> bool:
        """Whether the breakdown or restriction asked for needs each row's age (at ``_at``, the
        event date of a flow, else the period end)."""
        return any(dim in AGE_BREAKDOWNS for dim in self.dims)

    @property
    def extract_date(self) -> pd.Timestamp | None:
        return self.dataset.authority.extract_date

    def list(self, key: str) -> pd.DataFrame:
        """Annex A list ``key`` (recorded as read: its coverage decides the value's)."""
        self.reads.add(key)
        return self.dataset.annex_a[key]

    def table(self, key: str) -> pd.DataFrame | None:
        """Local table ``key``, or None if not supplied (recorded as read, as for a list)."""
        self.reads.add(key)
        return self.dataset.table(key)

    def source_gap(self, key: str) -> dict[pd.Timestamp, str]:
        """Why source ``key`` cannot support each period end ("" where it can), once per run."""
        if key not in self.source_gaps:
            reasons = self.dataset.source_gaps(
                key,
                self.periods["period_start"].to_numpy(dtype="datetime64[ns]"),
                self.periods["period_end"].to_numpy(dtype="datetime64[ns]"),
            )
            self.source_gaps[key] = dict(zip(self.periods["period_end"], reasons, strict=True))
        return self.source_gaps[key]

    def in_window(
        self, frame: pd.DataFrame, date_col: str, window: str | None = None
    ) -> pd.DataFrame:
        """Rows repeated once per period whose window contains ``frame[date_col]``."""
        ends = self.periods["period_end"].to_numpy(dtype="datetime64[ns]")
        if window is None or window == self.window:
            starts = self.periods["period_start"].to_numpy(dtype="datetime64[ns]")
        else:
            starts = np.array([window_start(pd.Timestamp(e), window) for e in ends],
                              dtype="datetime64[ns]")  # fmt: skip
        frame = self._slim(frame.loc[frame[date_col].notna()])
        d = frame[date_col].to_numpy(dtype="datetime64[ns]")
        lo = np.searchsorted(ends, d, side="left")
        hi = np.searchsorted(starts, d, side="right")
        return _explode(frame, lo, np.clip(hi - lo, 0, None), ends, at=d if self._ages else None)

    def open_at(self, frame: pd.DataFrame, start_col: str, end_col: str) -> pd.DataFrame:
        """Rows repeated once per period end at which [start, end) is open."""
        ends = self.periods["period_end"].to_numpy(dtype="datetime64[ns]")
        frame = self._slim(frame.loc[frame[start_col].notna()])
        s = frame[start_col].to_numpy(dtype="datetime64[ns]")
        e = frame[end_col].to_numpy(dtype="datetime64[ns]")
        lo = np.searchsorted(ends, s, side="left")
        hi = np.where(np.isnat(e), len(ends), np.searchsorted(ends, e, side="left"))
        return _explode(frame, lo, np.clip(hi - lo, 0, None), ends, at=None)


def _explode(
    frame: pd.DataFrame,
    lo: np.ndarray,
    counts: np.ndarray,
    ends: np.ndarray,
    at: np.ndarray | None,
) -> pd.DataFrame:
    """Row i of ``frame`` repeated ``counts[i]`` times, for period ends ``lo[i]`` onwards.

    Built column by column (one array each, never consolidated into 2-D blocks: consolidating
    copies every repeated row again). ``_at`` (the date ages are taken at) is only kept when
    given: the event date for a flow when an age breakdown is asked for."""
    idx = np.repeat(np.arange(len(frame)), counts)
    first = np.cumsum(counts) - counts
    pidx = np.repeat(lo - first, counts) + np.arange(len(idx))
    columns = {name: col.array.take(idx) for name, col in frame.items()}
    columns["period_end"] = ends[pidx]
    if at is not None:
        columns["_at"] = at[idx]
    return pd.DataFrame(columns, copy=False)


def group_codes(column: pd.Series) -> pd.Series:
    """A column to group by: integer codes for a categorical (grouping by the categorical itself
    recodes every category, slow for child identifiers); missing stays missing."""
    if not isinstance(column.dtype, pd.CategoricalDtype):
        return column
    codes = column.cat.codes
    return codes.where(codes >= 0)


def stack(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """``pd.concat`` of unit frames that keeps categorical columns categorical (concatenating
    categoricals of different types would turn them into Python objects: slower and several
    times the memory). Tables of one dataset share their types (``dataset.compact``), so this
    only recodes frames built elsewhere."""
    first = frames[0]
    differ = [c for c in first.columns if isinstance(first[c].dtype, pd.CategoricalDtype)
              and any(c in f and f[c].dtype != first[c].dtype for f in frames[1:])]  # fmt: skip
    if differ:
        dtypes = {c: pd.CategoricalDtype(pd.api.types.union_categoricals(
            [f[c].astype("category") for f in frames if c in f],
            ignore_order=True).categories) for c in differ}  # fmt: skip
        frames = [f.astype({c: t for c, t in dtypes.items() if c in f}) for f in frames]
    return pd.concat(frames, ignore_index=True)


# DfE's rates per 10,000 children for the year ending 31 March Y use the ONS mid-year estimate
# for 30 June Y-1: the 2024 "children looked after" release divides England's 83,630 children by
# 11,998,646, the ONS mid-2023 estimate of children aged 0-17 (as does the 2024 "children in
# need" release); the same rule gives the mid-2024 estimate for a period end in December 2024.
POPULATION_RULE = (
    "the ONS mid-year estimate of children aged 0-17 for the latest 30 June on or before the "
    "period end (31 March 2024 uses mid-2023, as DfE's published rates do)"
)


def population_year(period_ends: pd.Series) -> pd.Series:
    """The mid-year estimate a rate at each period end uses (see :data:`POPULATION_RULE`)."""
    before_june_30 = (period_ends.dt.month < 6) | (
        (period_ends.dt.month == 6) & (period_ends.dt.day < 30)
    )
    return period_ends.dt.year - before_june_30.astype(int)


def _population(ds: Dataset, period_ends: pd.Series) -> pd.Series:
    pop = ds.population
    if pop is None or pop.empty:
        return pd.Series(np.nan, index=period_ends.index)
    by_year = pop.dropna(subset=["year", "population"]).set_index("year")["population"]
    return population_year(period_ends).map(by_year.astype(float))


def _age_band(age: pd.Series) -> pd.Series:
    out = pd.Series("Not recorded", index=age.index, dtype="string")
    for lo, hi, label in AGE_BANDS:
        out[(age >= lo) & (age <= hi)] = label
    return out


def _labels(frame: pd.DataFrame, dim: str) -> pd.Series | None:
    """Each unit's group of dimension ``dim`` ("Not recorded" where its value is missing), or
    None if the units do not record the dimension at all (the indicator cannot be broken down
    by it). ``age`` gives the age in whole years (missing where unknown)."""
    from ..ingest.codes import ETHNICITY_GROUPS

    if any(col not in frame for col in WHERE_COLUMNS[dim]):
        return None
    if dim in AGE_BREAKDOWNS:
        age = age_at(frame["dob"], frame["_at"] if "_at" in frame else frame["period_end"])
        if dim == "age":
            return age
        if dim == "care_leaver_age_band":  # DfE care-leaver groups (16 counts with 17 to 18)
            out = pd.Series("Other ages", index=frame.index, dtype="string")
            for lo, hi, label in CARE_LEAVER_BANDS:
                out[(age >= lo) & (age <= hi)] = label
            return out.where(age.notna(), NOT_RECORDED)
        return _age_band(age)
    if dim == "ethnicity_group":
        lookup = {code: group for group, codes in ETHNICITY_GROUPS.items() for code in codes}
        return frame["ethnicity"].astype(object).map(lookup).fillna(NOT_RECORDED)
    if dim == "source":
        return frame["source"].astype(object).map(SOURCE_GROUPS).fillna(NOT_RECORDED)
    return frame[WHERE_COLUMNS[dim][0]].astype("string").fillna(NOT_RECORDED)


def _lacking(dim: str, ind: Indicator, verb: str) -> str:
    return (f"cannot be {verb} {dim.replace('_', ' ')}: its source ({ind.source}) does not "
            "record it for the units counted")  # fmt: skip


def _restrict(
    parts: list[pd.DataFrame], where: dict[str, object], ind: Indicator
) -> tuple[list[pd.DataFrame], str]:
    """Only the units whose dimensions take the accepted values (``age``: a (lowest, highest)
    pair of whole years, both included); a reason instead if some units do not record a
    dimension (the restriction cannot be applied, so no value is given)."""
    out = []
    for part in parts:
        keep_rows = np.ones(len(part), dtype=bool)
        for dim, accepted in where.items():
            labels = _labels(part, dim)
            if labels is None:
                return [], _lacking(dim, ind, "restricted by")
            if dim == "age":
                lo, hi = accepted  # type: ignore[misc]
                keep_rows &= ((labels >= lo) & (labels <= hi)).fillna(False).to_numpy(dtype=bool)
            else:
                keep_rows &= labels.isin(_as_list(accepted)).to_numpy(dtype=bool)
        out.append(part.loc[keep_rows])
    return out, ""


def _as_list(value: object) -> list:
    if isinstance(value, str) or not hasattr(value, "__iter__"):
        return [value]
    return list(value)  # type: ignore[call-overload]


def _aggregate(
    ind: Indicator, units: pd.DataFrame, keys: list[str], ends: np.ndarray
) -> pd.DataFrame:
    """Numerator and denominator (or the mean or median measure) per key, from the units that
    have a period end."""
    num, den = (_flag(units, name) for name in ("num", "den"))
    if ind.aggregate in {"mean", "median"}:
        measure = pd.to_numeric(units["measure"], errors="coerce").astype(float)
        u = units[keys].assign(measure=measure.to_numpy())
        u = u.loc[(np.nan_to_num(den) > 0) & measure.notna().to_numpy()]
        g = u.groupby(keys, observed=True)["measure"]
        out = pd.DataFrame(
            {
                "numerator": g.sum() if ind.aggregate == "mean" else np.nan,
                "denominator": g.size().astype(float),
                "value": g.mean() if ind.aggregate == "mean" else g.median(),
            }
        )
        return out.reset_index()
    if keys == ["period_end"]:
        by_period = _sum_by_period(units["period_end"], num, den, ends)
        if by_period is not None:
            return by_period
    # only the columns aggregated (a copy of the whole unit frame doubled the peak memory)
    g = units[keys].assign(num=num, den=np.nan_to_num(den)).groupby(keys, observed=True)
    out = pd.DataFrame({"numerator": g["num"].sum(), "denominator": g["den"].sum()})
    return out.reset_index()


def _flag(units: pd.DataFrame, name: str) -> np.ndarray:
    """``units[name]`` as floats; a unit frame without the column counts each unit once (a
    column of ones would be the largest part of a repeated event list)."""
    if name not in units:
        return np.ones(len(units))
    return pd.to_numeric(units[name], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _sum_by_period(
    period_end: pd.Series, num: np.ndarray, den: np.ndarray, ends: np.ndarray
) -> pd.DataFrame | None:
    """Sums per period end by counting into bins (a groupby hashes every row's date: several
    times slower on tens of millions of rows). Missing values add nothing, as in ``sum``.
    None if some unit's period end is not one of ``ends``."""
    pe = period_end.to_numpy(dtype="datetime64[ns]")
    dated = ~np.isnat(pe)
    pos = np.searchsorted(ends, pe)
    inside = pos < len(ends)
    if not (inside == dated).all() or (ends[pos[dated]] != pe[dated]).any():
        return None
    pos, n = pos[dated], len(ends)
    rows = np.bincount(pos, minlength=n)
    sums = {
        name: np.bincount(pos, weights=np.nan_to_num(values[dated]), minlength=n)
        for name, values in (("numerator", num), ("denominator", den))
    }
    seen = rows > 0
    return pd.DataFrame({"period_end": ends[seen], **{k: v[seen] for k, v in sums.items()}})


def _values(ind: Indicator, agg: pd.DataFrame, ds: Dataset) -> pd.DataFrame:
    if ind.aggregate in {"mean", "median"}:
        return agg
    if ind.aggregate in {"count", "sum"}:
        agg["value"] = agg["numerator"]
        agg["denominator"] = np.nan
    elif ind.aggregate == "pct":
        agg["value"] = 100 * agg["numerator"] / agg["denominator"].where(agg["denominator"] > 0)
    elif ind.aggregate == "ratio":
        agg["value"] = agg["numerator"] / agg["denominator"].where(agg["denominator"] > 0)
    elif ind.aggregate == "rate_per_10k":
        agg["denominator"] = _population(ds, pd.to_datetime(agg["period_end"]))
        agg["value"] = 10_000 * agg["numerator"] / agg["denominator"]
    return agg


def compute_indicators(
    dataset: Dataset,
    period_ends: str | list[str],
    window: str = "12m",
    ids: list[str] | None = None,
    area: str | None = None,
    by: str | list[str] | tuple[str, ...] | None = None,
    params: dict[str, object] | None = None,
    month_ends: bool = False,
    where: dict[str, object] | None = None,
) -> pd.DataFrame:
    """Compute indicators: one row per indicator and period end (and group, with ``by``).

    Columns: ``indicator_id, area, title, period_start, period_end, numerator, denominator,
    value, unit, polarity, source, note`` (+ ``breakdown, group`` with ``by``, and ``group_2``
    when ``by`` names two dimensions). Percentages are 0-100, rates per 10,000 children aged
    0-17 (:data:`POPULATION_RULE`), nothing is rounded, and a value the data cannot support is
    missing with the reason in ``note``; groups come in their natural order (age bands by age,
    durations by days, grades best first), and an indicator that cannot be broken down by a
    dimension has missing values saying so, never one "Not recorded" group.
    ``where`` counts only the units (children, events) whose dimensions take the values given,
    e.g. ``{"age": (0, 4), "ethnicity_group": ["Black", "Mixed"], "team": "Locality North"}``
    (age in whole years at the event for a flow, at the period end for a snapshot; a rate keeps
    the whole population as its denominator). ``month_ends=True`` accepts any month ends
    (monthly series for SPC charts).
    """
    from . import load_all

    load_all()
    if month_ends:
        items = [period_ends] if isinstance(period_ends, str) else list(period_ends)
        ends = sorted({pd.Timestamp(e) + pd.offsets.MonthEnd(0) for e in items})
    else:
        ends = parse_period_ends(period_ends)
    window_months(window)
    if area is not None and area not in AREAS:
        raise SefError(f"area {area!r} is not accepted: expected one of {', '.join(AREAS)}")
    dims = _dimensions(by)
    where = _check_where(where)
    selected = [i for i in REGISTRY.values() if (area is None or i.area == area)]
    if ids is not None:
        unknown = [i for i in ids if i not in REGISTRY]
        if unknown:
            raise SefError(f"unknown indicator id(s): {', '.join(unknown)}")
        selected = [i for i in selected if i.id in ids]
    periods = pd.DataFrame({"period_end": ends})
    periods["period_start"] = [window_start(e, window) for e in ends]
    ctx = Context(dataset, periods, window, params=dict(params or {}),
                  dims=tuple(dict.fromkeys([*dims, *where])))  # fmt: skip
    frames = [_one(ind, ctx, dims, where) for ind in selected]
    if not frames:
        return pd.DataFrame(columns=OUTPUT_COLUMNS)
    return pd.concat(frames, ignore_index=True)


def _dimensions(by: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """The breakdown's dimensions, checked (one or two)."""
    dims = () if by is None else (by,) if isinstance(by, str) else tuple(by)
    bad = [d for d in dims if d not in BREAKDOWNS]
    if bad or len(dims) > len(GROUP_COLUMNS) or len(set(dims)) < len(dims):
        raise SefError(f"breakdown {by!r} is not accepted: expected one or two different "
                       f"dimensions of {sorted(BREAKDOWNS)}")  # fmt: skip
    return dims


def _check_where(where: dict[str, object] | None) -> dict[str, object]:
    where = dict(where or {})
    bad = [k for k in where if k not in WHERE_COLUMNS]
    if bad:
        raise SefError(f"where {bad[0]!r} is not accepted: expected some of "
                       f"{sorted(WHERE_COLUMNS)}")  # fmt: skip
    if "age" in where:
        age = where["age"]
        if not (isinstance(age, tuple | list) and len(age) == 2
                and all(isinstance(a, int | float) for a in age)):  # fmt: skip
            raise SefError(f"where age {age!r} is not accepted: expected (lowest, highest) in "
                           "whole years, both included, e.g. (0, 4)")  # fmt: skip
    return where


def _unit_parts(ind: Indicator, ctx: Context) -> list[pd.DataFrame]:
    """The indicator's non-empty unit frames, computed with fresh per-indicator state."""
    ctx.notes.pop(ind.id, None)
    ctx.reads.clear()
    ctx.sources.pop(ind.id, None)
    ctx.gaps.pop(ind.id, None)
    ctx.period_reads.pop(ind.id, None)
    assert ind.func is not None
    result = ind.func(_extract_only(ctx) if ind.extract_only else ctx)
    return [p for p in (result if isinstance(result, list) else [result]) if len(p)]


def _one(
    ind: Indicator, ctx: Context, dims: tuple[str, ...] = (), where: dict | None = None
) -> pd.DataFrame:
    parts = _unit_parts(ind, ctx)
    cannot = ""
    if where:
        parts, cannot = _restrict(parts, where, ind)
    keys = ["period_end", *GROUP_COLUMNS[: len(dims)]]
    groups: list[list] = [[] for _ in dims]
    if dims and not cannot:
        labelled = []
        for part in parts:
            labels = [_labels(part, dim) for dim in dims]
            missing = [d for d, lab in zip(dims, labels, strict=True) if lab is None]
            if missing:
                cannot = _lacking(missing[0], ind, "broken down by")
                break
            cols = {k: lab.to_numpy() for k, lab in zip(GROUP_COLUMNS, labels, strict=False)}
            labelled.append(part.assign(**cols))
        parts = [] if cannot else labelled
        for i, key in enumerate(GROUP_COLUMNS[: len(dims)]):
            seen = pd.unique(np.concatenate([p[key].to_numpy(dtype=object) for p in parts]
                                            or [np.array([], dtype=object)]))  # fmt: skip
            groups[i] = group_order(dims[i], seen)
    if len(parts) > 1 and ind.aggregate in {"mean", "median"}:
        parts = [stack(parts)]  # a mean or median needs every unit together
    ends = ctx.periods["period_end"].to_numpy(dtype="datetime64[ns]")
    sums = [_aggregate(ind, p, keys, ends) for p in parts]
    if not sums:
        agg = pd.DataFrame(columns=keys + ["numerator", "denominator"])
    elif len(sums) == 1:
        agg = sums[0]
    else:  # parts of a sum: their numerators and denominators add up
        agg = (
            pd.concat(sums, ignore_index=True)
            .groupby(keys, as_index=False, observed=True)[["numerator", "denominator"]]
            .sum()
        )
    base = ctx.periods.copy()
    for key, labels in zip(GROUP_COLUMNS, groups, strict=False):
        # every combination of the groups seen, in their natural order (a group without
        # units in a period counts 0 there); none seen: one row per period, group missing
        values = labels or [None]
        base = base.merge(pd.DataFrame({key: pd.Series(values, dtype="object")}), how="cross")
        agg[key] = agg[key].astype("object")
    agg["period_end"] = pd.to_datetime(agg["period_end"])
    out = base.merge(agg, on=keys, how="left")
    if ind.aggregate in {"count", "sum", "pct", "rate_per_10k", "ratio"}:
        out["numerator"] = out["numerator"].fillna(0.0)
        out["denominator"] = out["denominator"].fillna(0.0) if "denominator" in out else 0.0
    out = _values(ind, out, ctx.dataset)
    out["note"] = ctx.notes.get(ind.id, "")
    if ind.id in ctx.sources:  # the source of each period's value
        source = out["period_end"].map(ctx.sources[ind.id]).astype(object)
        out["note"] = source.where(source.notna(), out["note"])
    noted = [p[["period_end", "_note"]] for p in parts if "_note" in p]
    per_period = pd.Series(dtype=object)
    if noted:  # a source note that differs by period (e.g. OC2 vs Annex A)
        notes = pd.concat(noted).dropna(subset=["_note"])
        per_period = notes.groupby("period_end")["_note"].first()
        out["note"] = out["period_end"].map(per_period).fillna(out["note"])
    out = _apply_coverage(ind, out, ctx, own_source=set(per_period.index))
    if cannot:  # a breakdown or restriction the indicator's units cannot support
        out[["numerator", "denominator", "value"]] = np.nan
        out["note"] = cannot
    out["indicator_id"], out["area"], out["title"] = ind.id, ind.area, ind.title
    out["unit"], out["polarity"], out["source"] = ind.unit, ind.polarity, ind.source
    if ind.unit == "rate_per_10k":  # a value blanked for coverage keeps its own reason
        missing_pop = out["denominator"].isna() & out["numerator"].notna()
        year = population_year(pd.to_datetime(out["period_end"])).astype(str)
        out.loc[missing_pop, "note"] = "no population estimate for mid-" + year[missing_pop]
    cols = OUTPUT_COLUMNS + (["breakdown", *GROUP_COLUMNS[: len(dims)]] if dims else [])
    if dims:
        out["breakdown"] = ", ".join(dims)
    return out[cols]


def units(
    dataset: Dataset,
    indicator_id: str,
    period_end: str,
    window: str = "12m",
    where: dict[str, object] | None = None,
    params: dict[str, object] | None = None,
    month_ends: bool = False,
) -> pd.DataFrame:
    """ANALYST ONLY (child-level): the units behind one indicator's value at one period end,
    one row per unit counted (a referral, a child in care that day, ...), with ``num`` and
    ``den`` (or ``measure``) as the engine adds them up, and every dimension the units record
    (``age``, ``age_band``, ``gender``, ``ethnicity_group``, ``team``, ``legal_status``, ...)
    beside the indicator's own columns. The value is ``100 * num.sum() / den.sum()`` for a
    percentage (before any restriction by ``where``, the same as ``compute_indicators``).
    Raises :class:`SefError` where the indicator has no value (the reason is given)."""
    from . import load_all

    load_all()
    if indicator_id not in REGISTRY:
        raise SefError(f"unknown indicator id: {indicator_id!r}")
    ind = REGISTRY[indicator_id]
    where = _check_where(where)
    value = compute_indicators(dataset, period_end, window=window, ids=[indicator_id],
                               params=params, month_ends=month_ends, where=where)  # fmt: skip
    if value["value"].isna().all():
        note = value["note"].iloc[0] or "the data cannot support it"
        raise SefError(f"{indicator_id} has no value at {period_end}: {note}")
    periods = value[["period_end", "period_start"]].reset_index(drop=True)
    ctx = Context(dataset, periods, window, params=dict(params or {}),
                  dims=tuple(WHERE_COLUMNS), extra_columns=("child_id",))  # fmt: skip
    parts, _ = _restrict(_unit_parts(ind, ctx), where, ind)
    end = periods["period_end"].iloc[0]
    frames = []
    for part in parts:
        part = part.loc[part["period_end"] == end]
        dims = {dim: lab for dim in ("age", *BREAKDOWNS)
                if (lab := _labels(part, dim)) is not None}  # fmt: skip
        internal = [c for c in part if c.startswith("_") or c in {"cid", "pidx", "spell"}]
        part = part.drop(columns=internal).assign(**dims)
        if "num" not in part:
            part["num"] = 1.0
        if "den" not in part:
            part["den"] = 1.0
        frames.append(part)
    if not frames:
        return pd.DataFrame(columns=["period_end", "num", "den"])
    out = stack(frames)
    first = [c for c in ("child_id", "period_end", "num", "den", "measure") if c in out]
    out = out[first + [c for c in out if c not in first]]
    return out.sort_values(first[:2], kind="stable", ignore_index=True)


def _extract_only(ctx: Context) -> Context:
    """The context with the extract date as its only period end, for an indicator valid only
    there (values at other period ends are blanked anyway, so they are not computed)."""
    extract = ctx.extract_date
    periods = ctx.periods.loc[ctx.periods["period_end"] == extract]
    if extract is None or periods.empty:
        return ctx
    return replace(ctx, periods=periods.reset_index(drop=True))  # notes and coverage shared


def _apply_coverage(
    ind: Indicator, out: pd.DataFrame, ctx: Context, own_source: set | None = None
) -> pd.DataFrame:
    """Blank values the data cannot support, and say why.

    Every Annex A list and local table the indicator read must cover the period. A period
    whose units name their own source (``_note``: e.g. SSDA903 OC2 at 31 March, where Annex A
    serves the extract date) is judged by that source alone."""
    extract = ctx.extract_date
    # a period served by a source chosen for it is judged by what that source read only
    served = ctx.period_reads.get(ind.id, {})
    # period ends the indicator's own sources do not cover, each with its reason (``by_source``
    # tried every source for them, so their reason is the most precise one)
    gaps = ctx.gaps.get(ind.id, {})
    own = own_source or set()
    # a list or table not supplied, or empty: every value is missing, never 0
    absent = {key: ctx.dataset.source_absence(key) for key in ctx.reads.union(*served.values())}
    dated = {key: ctx.source_gap(key) for key in sorted(absent)}
    cover = ctx.coverage.get(ind.id)
    after = f"period end is after the data extract ({extract:%d/%m/%Y})" if extract else ""
    # one reason per row, in order of precedence (rows are period ends and groups: a few dozen,
    # so plain Python is faster here than building a Series per rule)
    reasons = []
    for end, start in zip(out["period_end"], out["period_start"], strict=True):
        reads = served.get(end, ctx.reads)
        judged = end not in own and end not in gaps
        reason = gaps.get(end, "")
        if judged:
            reason = next((absent[k] for k in sorted(reads) if absent[k]), "")
        if extract is not None and end > extract:
            reason = after
        if not reason and cover is not None and (start if ind.kind == "flow" else end) < cover:
            reason = f"the data does not cover this period (from {cover:%d/%m/%Y})"
        if not reason and ind.extract_only and extract is not None and end != extract:
            reason = "only valid at the data extract date; the list holds the latest value only"
        if not reason and judged:  # a source without dates in the period: missing, never 0
            reason = next((dated[k].get(end, "") for k in dated
                           if k in reads and dated[k].get(end, "")), "")  # fmt: skip
        reasons.append(reason)
    reasons = pd.Series(reasons, index=out.index, dtype="object")
    blank = reasons != ""
    out.loc[blank, ["numerator", "denominator", "value"]] = np.nan
    out.loc[blank, "note"] = reasons[blank]
    return out
