"""Key findings: what is going well and what needs attention, chosen from the findings
(:mod:`sefanalysis.findings`, one record per indicator, as in ``findings.csv``) by the rules in
:data:`RULES`. One choice for every output: the run's summary page (``report.summary``) and the
Word draft's key findings (``report.word``) list the same items with the same words.

Nothing is computed here: every word and number of an item is a field of its record (a signal
is a field's value; its clause quotes the figures of the same record), so a test can check each
item against the findings it cites.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .disclosure import MARKER
from .format import format_value
from .indicators.registry import AREAS

LIMIT = 6  # items in each of "needs attention" and "going well"
NOTES_LIMIT = 4  # items in "other changes to note" (indicators where neither way is better)
KINDS = ("target", "variation", "change", "comparison")  # a tie goes to the earlier kind
CONCERN, STRENGTH, NOTE = "concern", "strength", "note"
LISTS = {CONCERN: "Needs attention", STRENGTH: "Going well", NOTE: "Other changes to note"}
COMPARED = {"better": STRENGTH, "worse": CONCERN, "higher": NOTE, "lower": NOTE}
# the words a comparison with England, the region or the neighbours is made in
COMPARISON_WORDS = {"better", "worse", "similar", "higher", "lower"}
RULES = (
    "An indicator needs attention when its latest value misses its local target (red), its "
    "latest month shows special-cause variation of concern, it changed significantly for the "
    "worse on a year, or it is worse than England, its region or its statistical neighbours' "
    "average for the latest published period (each as the sentence on its page decides it).",
    "An indicator is going well when its latest value meets its local target (green), its "
    "latest month shows special-cause improvement, it changed significantly for the better on "
    "a year, or it is better than England, its region or its statistical neighbours' average. "
    "An indicator can be in both lists, each with its own reasons; an amber rating (within "
    "tolerance of the target) puts it in neither.",
    f"Each list shows at most {LIMIT} indicators: those with the most reasons first (a target "
    "first, then monthly variation, then the change on a year, then the comparisons), then "
    "those worse (or better) than more of England, the region and the neighbours' average, "
    "then in the order of the self-evaluation (help and protection, children in care, care "
    "leavers, leaders). The list is then shown in that order. Every other indicator is in the "
    "table 'All indicators at a glance'.",
    f"Other changes to note: up to {NOTES_LIMIT} indicators where neither higher nor lower is "
    "better, with a significant change on a year, special-cause variation in the latest month, "
    "or a value higher or lower than England, the region or the neighbours' average.",
    "A suppressed value ([c]) gives no reason: nothing derived from it is said.",
)


@dataclass(frozen=True)
class Signal:
    """One reason an indicator is listed: which field says so, which way, and the clause that
    says it with the record's figures."""

    kind: str
    direction: str
    text: str


@dataclass(frozen=True)
class Item:
    """One line of the summary: an indicator, the list it is in, its reasons and its text."""

    indicator_id: str
    area: str
    title: str
    direction: str
    signals: tuple[Signal, ...]
    text: str


# --------------------------------------------------------------------------- reading findings
def read_findings(path: str | Path) -> list[dict]:
    """``findings.csv`` as records of the same types as :func:`sefanalysis.findings.build_findings`
    gives (numbers as floats, missing as NaN, text as text, flags as booleans, dates as
    Timestamps)."""
    with Path(path).open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [{k: _typed(k, v) for k, v in row.items()} for row in rows]


DATES = {
    "period_end",
    "year_earlier_period_end",
    "variation_month",
    "comparator_period",
    "england_period",
}
FLAGS = {
    "suppressed",
    "suppressed_year_earlier",
    "change_significant",
    "suppressed_at_comparator_period",
}
NUMBERS = {
    "value",
    "numerator",
    "denominator",
    "ci_low",
    "ci_high",
    "value_year_earlier",
    "change",
    "change_low",
    "change_high",
    "variation_value",
    "spc_mean",
    "spc_lower_limit",
    "spc_upper_limit",
    "spc_months",
    "target",
    "value_at_comparator_period",
    "ci_low_at_comparator_period",
    "ci_high_at_comparator_period",
    "england_value",
    "region_value",
    "neighbours_value",
    "neighbours_count",
    "rank",
    "n_ranked",
}


def _typed(column: str, text: str) -> object:
    if column in FLAGS:
        return text == "True"
    if column in DATES:
        return pd.Timestamp(text) if text else pd.NaT
    if column in NUMBERS:
        return float(text) if text else math.nan
    return text


# --------------------------------------------------------------------------- signals
def figure_of(rec: dict, column: str) -> str:
    return format_value(rec[column], rec["unit"])


def is_missing(value: object) -> bool:
    return value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def _target(rec: dict) -> Signal | None:
    colour = rec["rag"].split(":")[0].lower() if rec["rag"] else ""
    way = {"red": CONCERN, "green": STRENGTH}.get(colour)
    if way is None or is_missing(rec["target"]):
        return None
    words = rec["rag"][:1].lower() + rec["rag"][1:]
    return Signal("target", way, f"the local target is {figure_of(rec, 'target')} ({words})")


def _variation(rec: dict) -> Signal | None:
    way = {
        "special cause concern": CONCERN,
        "special cause improvement": STRENGTH,
        "special cause (neither)": NOTE,
    }.get(rec["variation"])
    if way is None or is_missing(rec["variation_value"]):
        return None
    kind = {CONCERN: "a concern", STRENGTH: "an improvement"}.get(
        way, f"{rec['variation_side']} than expected"
    )
    month = pd.Timestamp(rec["variation_month"])
    return Signal(
        "variation",
        way,
        f"in {month:%B %Y} the monthly figure of {figure_of(rec, 'variation_value')} showed "
        f"special-cause variation ({kind})",
    )


def _change(rec: dict) -> Signal | None:
    if not rec["change_significant"] or is_missing(rec["value_year_earlier"]):
        return None
    trend = rec["trend"]
    way = CONCERN if "getting worse" in trend else STRENGTH if "getting better" in trend else NOTE
    grow = "increase" if rec["change"] > 0 else "decrease"
    return Signal(
        "change",
        way,
        f"a significant {grow} from {figure_of(rec, 'value_year_earlier')} a year earlier",
    )


def _comparators(rec: dict) -> list[tuple[str, str, str]]:
    """(word, who, figure) for each comparator the record compares with."""
    who = [
        ("vs_england", "England", "england_value"),
        ("vs_region", f"the {rec['region_name']}", "region_value"),
        ("vs_neighbours", "its statistical neighbours' average", "neighbours_value"),
    ]
    return [
        (rec[vs], name, figure_of(rec, value))
        for vs, name, value in who
        if rec[vs] in COMPARISON_WORDS
    ]


def _comparisons(rec: dict) -> list[Signal]:
    found = [(w, name, figure) for w, name, figure in _comparators(rec) if w in COMPARED]
    if not found or is_missing(rec["value_at_comparator_period"]):
        return []
    period = rec["comparator_period_label"]
    when = period if period.startswith("at ") else f"in the {period}"
    out = []
    for way in (CONCERN, STRENGTH, NOTE):
        groups = []
        for word in ("worse", "better", "higher", "lower"):
            names = [f"{name} ({fig})" for w, name, fig in found if w == word]
            if names and COMPARED[word] == way:
                listed = (
                    names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
                )
                groups.append(f"{word} than {listed}")
        if groups:
            text = (
                f"{when} its figure of {figure_of(rec, 'value_at_comparator_period')} was "
                + " and ".join(groups)
            )
            out.append(Signal("comparison", way, text))
    return out


def signals(rec: dict) -> list[Signal]:
    """Every reason the record gives to list its indicator, in :data:`KINDS` order."""
    found = [_target(rec), _variation(rec), _change(rec), *_comparisons(rec)]
    return [s for s in found if s is not None]


def lead(rec: dict) -> str:
    """The indicator's latest value and its period, as the item starts."""
    if rec["suppressed"]:
        value = f"{MARKER} (suppressed)"
    elif is_missing(rec["value"]):
        value = "no value"
    else:
        value = figure_of(rec, "value")
    return f"{rec['title']}: {value} {rec['period']}"


def item(rec: dict, direction: str, reasons: Iterable[Signal]) -> Item:
    reasons = tuple(reasons)
    text = lead(rec) + "; " + "; ".join(s.text for s in reasons) + "."
    return Item(rec["indicator_id"], rec["area"], rec["title"], direction, reasons, text)


def choose(records: list[dict], direction: str, limit: int) -> list[Item]:
    """The items of one list, chosen and ordered as :data:`RULES` say."""
    area_order = {area: n for n, area in enumerate(AREAS)}
    found = []
    for n, rec in enumerate(records):
        if direction == NOTE and rec["polarity"] != "neutral":
            continue
        reasons = [s for s in signals(rec) if s.direction == direction]
        if reasons:
            first = min(KINDS.index(s.kind) for s in reasons)
            # England, the region and the neighbours: worse than all three outranks worse than one
            compared = sum(COMPARED.get(w) == direction for w, _, _ in _comparators(rec))
            place = (area_order.get(rec["area"], len(area_order)), n)
            key = (-len(reasons), first, -compared, place)
            found.append((key, place, item(rec, direction, reasons)))
    chosen = sorted(found, key=lambda f: f[0])[:limit]
    return [f[2] for f in sorted(chosen, key=lambda f: f[1])]


def summary_items(records: list[dict]) -> dict[str, list[Item]]:
    """The three lists (see :data:`RULES`)."""
    return {
        CONCERN: choose(records, CONCERN, LIMIT),
        STRENGTH: choose(records, STRENGTH, LIMIT),
        NOTE: choose(records, NOTE, NOTES_LIMIT),
    }


def by_area(items: list[Item]) -> dict[str, list[Item]]:
    """A list's items grouped by judgement area, in the order of the self-evaluation."""
    return {area: [i for i in items if i.area == area] for area in AREAS}
