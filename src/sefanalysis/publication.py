"""What a run publishes, as a disclosure model (:class:`~sefanalysis.disclosure.Model`), and
the plan of what it hides (:func:`decide`).

Published positions: each indicator's value at each quarter end shown (trend table and chart,
summary, findings); its value for the published comparator's period (findings, neighbour and
funnel charts); each month of its SPC chart and the chart's centre line; each group of a
published breakdown (its number and share). Variables: the numerators and denominators behind
them, at every quarter end, month (back to the first month of the earliest window shown, for
flows) and comparator period. Relations, each taken only where the run's numbers satisfy it:
a flow's window is the sum of its months; a snapshot is the same at a month end and a quarter
end; the comparator period's value is the quarter end's where both are the same period; a
breakdown's groups add up to its total; another indicator of the area whose numerator or
denominator is made of whole groups (grades to good or better, duration bands to within 45
working days) is their sum; two indicators whose numerators or denominators agree at every
quarter end and month (referrals and the re-referral denominator) are the same.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd

from .disclosure import (
    COUNTED_UNITS,
    Model,
    Plan,
    comparator_position,
    group_position,
    month_position,
    protect,
    quarter_position,
    spc_mean_position,
    suppressed_rows,
)
from .findings import (
    DISTRIBUTIONS,
    PARTS,
    Evidence,
    SpcFacts,
    breakdown_key,
    comparator_period,
)
from .indicators.registry import REGISTRY
from .periods import window_start

COLUMN = {"num": "numerator", "den": "denominator"}
# the order positions are hidden in when a count must be protected (lowest first)
COST = {
    "month": 1.0,
    "group": 1.0,
    "comparator": 50.0,
    "quarter": 100.0,
    "latest": 1100.0,
    "spc_mean": 500.0,
}


def centre_positions(indicator_id: str) -> list[str]:
    """The position of an SPC chart's centre line, for the indicators where it is one (the
    mean of monthly counts or rates is a known multiple of their total; a mean of monthly
    percentages or averages reveals no count)."""
    aggregate = REGISTRY[indicator_id].aggregate
    return (
        [spc_mean_position(indicator_id)] if aggregate in {"count", "sum", "rate_per_10k"} else []
    )


def _name(ind_id: str, part: str, tag: str, when: pd.Timestamp, group: object = None) -> str:
    base = f"{ind_id}.{part}.{tag}.{when:%Y-%m-%d}"
    return base if group is None else f"{base}|{group}"


def _sensitive(unit: str, value: float) -> bool:
    return unit in COUNTED_UNITS and 1 <= value <= 5


def _months(start: pd.Timestamp, end: pd.Timestamp) -> list[pd.Timestamp]:
    """Month ends from the month of ``start`` to ``end``."""
    return list(pd.date_range(start + pd.offsets.MonthEnd(0), end, freq="ME"))


def _flags(frame: pd.DataFrame) -> dict[tuple[str, pd.Timestamp], bool]:
    """Primary suppression of each row of a :func:`compute_indicators` frame."""
    if frame.empty:
        return {}
    flags = suppressed_rows(frame).to_numpy()
    return dict(
        zip(zip(frame["indicator_id"], frame["period_end"], strict=True), flags, strict=True)
    )


def build_model(
    evidence: Evidence, spcs: dict[str, SpcFacts], distributions: Iterable = DISTRIBUTIONS
) -> Model:
    """The run's disclosure model (see the module docstring)."""
    model = Model()
    end = evidence.period_end
    slots: dict[tuple[str, str], dict[tuple[str, pd.Timestamp], float]] = {}
    primary = {
        "q": _flags(evidence.values),
        "m": _flags(evidence.monthly),
        "c": _flags(evidence.published_own),
    }
    quarters = set(evidence.quarters)
    own = evidence.published_own

    def add(ind, row, tag: str) -> list[str]:
        """The variables behind a row (none where the value is missing)."""
        if pd.isna(row.value):
            return []
        names = []
        for part in PARTS[ind.aggregate]:
            value = getattr(row, COLUMN[part])
            if pd.isna(value):
                return []
            names.append(
                model.variable(
                    _name(ind.id, part, tag, row.period_end), value, _sensitive(ind.unit, value)
                )
            )
            if tag in {"q", "m"}:
                slots.setdefault((ind.id, part), {})[(tag, row.period_end)] = float(value)
        return names

    for ind in REGISTRY.values():
        rows = evidence.values.loc[evidence.values["indicator_id"] == ind.id]
        if rows.empty:
            continue
        for row in rows.itertuples(index=False):
            names = add(ind, row, "q") if row.period_end in quarters else []
            if names:
                cost = COST["latest" if row.period_end == end else "quarter"]
                model.position(
                    quarter_position(ind.id, row.period_end),
                    names,
                    cost + float(row.value) / 1e6,
                    primary=primary["q"][(ind.id, row.period_end)],
                )
        months = evidence.monthly.loc[evidence.monthly["indicator_id"] == ind.id]
        for row in months.itertuples(index=False):
            add(ind, row, "m")
        when = comparator_period(evidence, ind)
        mine = own.loc[(own["indicator_id"] == ind.id) & (own["period_end"] == when)]
        if when is not None and len(mine):
            row = next(mine.itertuples(index=False))
            names = add(ind, row, "c")
            if names:
                model.position(
                    comparator_position(ind.id, when),
                    names,
                    COST["comparator"] + float(row.value) / 1e6,
                    primary=primary["c"][(ind.id, when)],
                )
        _relate_periods(model, evidence, ind, PARTS[ind.aggregate], when)
        _spc_positions(model, ind, PARTS[ind.aggregate], spcs[ind.id], months, primary["m"])
    _aliases(model, slots)
    for ind_id, by, *_ in distributions:
        _breakdown(model, evidence, ind_id, by)
    return model


def _relate_periods(model: Model, evidence: Evidence, ind, parts, comparator) -> None:
    """Windows are sums of their months; snapshots agree at month and quarter ends; the
    comparator period is the quarter end's where the same."""
    have = model.values
    for part in parts:
        for tag, when, window in [("q", q, evidence.window) for q in evidence.quarters] + (
            [("c", comparator, "12m")] if comparator is not None else []
        ):
            name = _name(ind.id, part, tag, when)
            if name not in have:
                continue
            if ind.kind == "flow":
                months = [
                    _name(ind.id, part, "m", m) for m in _months(window_start(when, window), when)
                ]
                if all(m in have for m in months):
                    model.relate(name, months)
            else:
                month = _name(ind.id, part, "m", when)
                if month in have:
                    model.relate(name, [month])
            if tag == "c" and (ind.kind == "snapshot" or evidence.window == "12m"):
                quarter = _name(ind.id, part, "q", when)
                if quarter in have:
                    model.relate(name, [quarter])


def _spc_positions(
    model: Model, ind, parts, spc: SpcFacts, months: pd.DataFrame, primary: dict
) -> None:
    """The months an SPC chart shows, and its centre line (for counts and rates, the mean is
    a known multiple of the months' total)."""
    if spc.result is None:
        return
    counts: list[str] = []
    coefficients: list[float] = []
    shown = spc.series.dropna(subset=["value"])
    for row in shown.itertuples(index=False):
        when = row.period_end
        names = [_name(ind.id, p, "m", when) for p in parts]
        if not all(n in model.values for n in names):
            continue
        hide = bool(primary.get((ind.id, when), False))
        cost = COST["month"] + float(row.value) / 1e6
        if ind.aggregate in {"count", "sum", "rate_per_10k"}:
            model.position(month_position(ind.id, when), names[:1], cost, hide)
            counts.append(names[0])
            per = 1.0 if ind.aggregate != "rate_per_10k" else 10_000 / row.denominator
            coefficients.append(per / len(shown))
        elif ind.aggregate in {"pct", "ratio"}:
            model.position(month_position(ind.id, when), [], cost, hide, ratio=(names[0], names[1]))
        else:  # an average reveals no count: hidden only when it is calculated from a few
            model.position(month_position(ind.id, when), [], cost, hide)
    if counts and all(math.isfinite(c) for c in coefficients):
        centre = model.variable(
            f"{ind.id}.spc_mean",
            sum(c * model.values[n] for c, n in zip(coefficients, counts, strict=True)),
            False,
        )
        model.relate(centre, counts, coefficients)
        model.position(spc_mean_position(ind.id), [centre], COST["spc_mean"])


def _aliases(model: Model, slots: dict) -> None:
    """Two numerators or denominators equal at every quarter end and month are one count."""
    by_signature: dict[tuple, list[tuple[str, str]]] = {}
    for key, values in slots.items():
        if len(values) < 4 or not any(values.values()):
            continue
        signature = tuple(sorted((tag, str(when), v) for (tag, when), v in values.items()))
        by_signature.setdefault(signature, []).append(key)
    for keys in by_signature.values():
        first = keys[0]
        for other in keys[1:]:
            for tag, when in slots[first]:
                model.relate(
                    _name(other[0], other[1], tag, when), [_name(first[0], first[1], tag, when)]
                )


def _breakdown(model: Model, evidence: Evidence, ind_id: str, by: str) -> None:
    """A breakdown's groups: their positions, their total, and other indicators of the area
    made of whole groups."""
    frame = evidence.breakdowns.get(breakdown_key(ind_id, by))
    if frame is None or frame.empty:
        return
    ind = REGISTRY[ind_id]
    end = evidence.period_end
    part = "num" if ind.aggregate in {"count", "sum"} else "den"
    mine = frame.loc[frame["indicator_id"] == ind_id].set_index("group")
    counts = mine[COLUMN[part]].fillna(0.0)
    groups = []
    for group, value in counts.items():
        name = model.variable(
            _name(ind_id, part, "g", end, f"{by}={group}"), value, _sensitive(ind.unit, value)
        )
        groups.append(name)
        model.position(
            group_position(ind_id, by, group),
            [name],
            COST["group"] + value / 1e6,
            primary=_sensitive(ind.unit, value),
        )
    total = _name(ind_id, part, "q", end)
    if total in model.values:
        model.relate(total, groups)
    for other_id, other in frame.groupby("indicator_id", sort=False):
        other_ind = REGISTRY[other_id]
        other = other.set_index("group").reindex(counts.index)
        for other_part in PARTS[other_ind.aggregate]:
            target = _name(other_id, other_part, "q", end)
            if target not in model.values:
                continue
            values = other[COLUMN[other_part]].fillna(0.0)
            whole = [(v == 0) or math.isclose(v, c) for v, c in zip(values, counts, strict=True)]
            chosen = [
                g
                for g, v, c in zip(groups, values, counts, strict=True)
                if c > 0 and math.isclose(v, c)
            ]
            if all(whole) and chosen:
                model.relate(target, chosen)


def decide(
    evidence: Evidence,
    spcs: dict[str, SpcFacts],
    published: bool,
    distributions: Iterable = DISTRIBUTIONS,
) -> dict:
    """The plan (what to hide) and the model it was decided on, as JSON-ready data."""
    if not published:
        return {"plan": Plan(frozenset(), False).to_json(), "model": None}
    model = build_model(evidence, spcs, distributions)
    return {"plan": Plan(frozenset(protect(model)), True).to_json(), "model": model.to_json()}
