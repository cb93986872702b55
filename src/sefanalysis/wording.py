"""Sentences from findings, by rules a reader can check (see the README, "Findings and
sentences"). Every word here is decided by a field of the record (:mod:`.findings`); nothing
is computed.

- **The value**: "There were 11,741 contacts received in the year to December 2024", "The
  percentage of re-referrals within 12 months was 20.4% ...", "The social worker vacancy rate
  was 12.3% ...": plain English, with number agreement ("There was 1 complaint received").
- **The change on a year**: a direction word ("a significant increase", "a significant
  decrease") only where the change is significant (the record's ``change_significant``) and
  in that direction, with "getting better" or "getting worse" by polarity; otherwise "no
  significant change", or why the change is not tested.
- **Variation**: only about the latest month, named ("In December 2024 the monthly figure was
  ..."), quoting that month's figure and the rule that found special cause (above the upper
  process limit of ..., one of 7 or more months in a row below the average of ...), so the
  claim can never contradict the figure beside it; or why variation is not assessed.
- **Comparisons**: always name the period compared and give this authority's value for that
  same period; "similar to", "better than" or "worse than" ("higher than" or "lower than" for
  neutral polarity) as decided in :mod:`.benchmarking`.
- No internal words (no "pct", "10k", "XmR"); suppressed values appear only as ``[c]`` and
  nothing derived from them is said.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .disclosure import MARKER
from .findings import SPC_MONTHS
from .format import DECIMALS, format_value
from .ingest.authority import Authority

STOP = {
    "of",
    "per",
    "in",
    "with",
    "from",
    "to",
    "that",
    "who",
    "for",
    "within",
    "on",
    "at",
    "after",
    "through",
    "by",
    "than",
    "open",
}
WORDS = {
    "similar": "similar to",
    "better": "better than",
    "worse": "worse than",
    "higher": "higher than",
    "lower": "lower than",
}
ASSURANCE = {
    "consistently meets the target": "the target is consistently met",
    "consistently misses the target": "the target is consistently missed",
    "hits and misses the target": "the target is sometimes met and sometimes missed",
}
RULE_WORDS = {
    ("beyond", "higher"): "above the upper process limit of {upl}",
    ("beyond", "lower"): "below the lower process limit of {lpl}",
    ("run", "higher"): "one of 7 or more months in a row above the average of {mean}",
    ("run", "lower"): "one of 7 or more months in a row below the average of {mean}",
    ("trend", "higher"): "one of 7 or more months in a row each higher than the one before",
    ("trend", "lower"): "one of 7 or more months in a row each lower than the one before",
    ("near", "higher"): "one of two of the last three months close to the upper process "
    "limit of {upl}",
    ("near", "lower"): "one of two of the last three months close to the lower process "
    "limit of {lpl}",
}
DIRECTION_WORDS = (
    "increase",
    "decrease",
    "increasing",
    "decreasing",
    "up from",
    "down from",
    "rose",
    "fell",
    "improv",
    "deteriorat",
    "getting better",
    "getting worse",
)


def _plural(word: str) -> bool:
    w = word.lower().strip("(),:")
    if w in {"children", "people"}:
        return True
    return len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is"))


def plural_head(title: str) -> str | None:
    """The plural noun a title is about ("contacts", "children"), or None for a singular one
    ("Long-term placement stability", "Social worker vacancy rate")."""
    for word in title.split():
        if word.lower() in STOP or word.startswith("("):
            return None
        if _plural(word):
            return word
    return None


def singular(title: str) -> str:
    """The title with its plural head made singular (for a count of one)."""
    head = plural_head(title)
    if head is None:
        return title
    low = head.lower()
    one = (
        "child"
        if low == "children"
        else "person"
        if low == "people"
        else head[:-3] + "y"
        if low.endswith("ies")
        else head[:-1]
    )
    if head[0].isupper():
        one = one[0].upper() + one[1:]
    return title.replace(head, one, 1)


def lower_first(title: str) -> str:
    """Lower-case the first letter unless the first word is a name or an acronym."""
    first = title.split()[0] if title else ""
    if (
        sum(c.isupper() for c in first) > 1
        or any(c.isdigit() for c in first)
        or first in {"Section", "England", "Ofsted"}
    ):
        return title
    return title[:1].lower() + title[1:]


def _with_the(title: str) -> str:
    first = title.split()[0].lower() if title else ""
    if first in {"average", "median", "mean"} or title.lower().endswith(("rate", "score")):
        return "The " + lower_first(title)
    return title


def value_phrase(title: str, unit: str, value: float) -> str:
    """The value as a plain-English clause without its period: "There were 11,741 contacts
    received", "The rate of referrals was 536.9 per 10,000 children", "The percentage of ...
    was 20.4%", "A1 (average days ...) was 415 days"."""
    number = format_value(value, unit, with_unit=False)
    shown = format_value(value, unit)
    labelled = re.match(r"^([A-Z]+\d+): (.*)$", title)
    if labelled:  # "A1: average days from ..." -> "A1 (average days from ...)"
        return f"{labelled.group(1)} ({labelled.group(2)}) was {shown}"
    head = plural_head(title)
    if unit == "count":
        if value == 0:
            return f"There were no {lower_first(title)}"
        if value == 1:
            return f"There was 1 {lower_first(singular(title))}"
        return f"There were {number} {lower_first(title)}"
    if unit == "rate_per_10k":
        if "per 10,000" in title:  # "The rate of referrals was 536.9 per 10,000 children"
            what, _, per = title.partition(" per 10,000")
            return f"The rate of {lower_first(what)} was {number} per 10,000{per}"
        return f"{_with_the(title)} was {shown}"
    if unit == "pct":
        if head is not None:
            return f"The percentage of {lower_first(title)} was {shown}"
        return f"{_with_the(title)} was {shown}"
    if head is not None and unit in {"fte", "ratio"}:
        return f"There were {number} {lower_first(title)}"
    return f"{_with_the(title)} was {shown}"


def _fmt(value: object, unit: str) -> str:
    return format_value(value, unit)


def _with_digits(value: float, unit: str, digits: int) -> str:
    """``value`` formatted as its unit formats it, with ``digits`` decimals."""
    return format_value(value, unit).replace(
        format_value(value, unit, False), f"{value:,.{digits}f}", 1
    )


def _fmt_apart(limit: float, figure: float, unit: str, start: int | None = None) -> str:
    """A limit or average beside a figure, with enough decimals that the two never print the
    same when they differ (a count of 20 "below the lower process limit of 20.04", not "of
    20.0"), so the claim can be read off the numbers printed; ``start``: the decimals the
    figure is printed with, where more than its unit's."""
    base = DECIMALS.get(unit, 1) if start is None else start
    shown = round(float(figure), base)
    text = _fmt(limit, unit)
    for digits in range(base, base + 4):
        text = _with_digits(limit, unit, digits)
        if round(float(limit), digits) != shown or limit == figure:
            return text
    return text


def _figure_digits(figure: float, limits: list[float], unit: str) -> int:
    """The fewest decimals (at least the unit's) at which the figure, and each limit printed
    beside it by :func:`_fmt_apart`, print in their true order: a monthly 35.813% "above the
    upper process limit of 35.8099%" must not print as 35.8% against 35.81%."""
    base = DECIMALS.get(unit, 1)
    for digits in range(base, base + 4):
        shown = round(float(figure), digits)
        ordered = True
        for limit in limits:
            if figure == limit:
                continue
            printed = next(
                (round(float(limit), d) for d in range(digits, digits + 4)
                 if round(float(limit), d) != shown),
                round(float(limit), digits + 3),
            )  # fmt: skip
            ordered &= np.sign(shown - printed) == np.sign(figure - limit)
        if ordered:
            return digits
    return base + 3


def text_value(rec: dict) -> str:
    """The value and its change on a year."""
    title, unit, period = rec["title"], rec["unit"], rec["period"]
    if rec["suppressed"]:
        return f"{title}: {MARKER} {period} (a small number, suppressed to protect children)."
    if pd.isna(rec["value"]):
        note = f" ({rec['note']})" if rec["note"] else ""
        return f"{title}: no value {period}{note}."
    text = f"{value_phrase(title, unit, rec['value'])} {period}"
    if rec["suppressed_year_earlier"]:
        return text + f", compared with {MARKER} a year earlier (a small number, suppressed)."
    before = rec["value_year_earlier"]
    if pd.isna(before):
        return text + "."
    then = _fmt(before, unit)
    if rec["change_significant"]:
        grow = "increase" if rec["change"] > 0 else "decrease"
        way = rec["trend"].split(", ")[1] if ", " in rec["trend"] else ""
        return (
            text
            + f", a significant {grow} from {then} a year earlier"
            + (f" ({way})." if way else ".")
        )
    if rec["trend"] == "no significant change":
        return text + f", compared with {then} a year earlier (no significant change)."
    reason = rec["change_note"] or "no test applies"
    return text + f", compared with {then} a year earlier (not tested for significance: {reason})."


def text_variation(rec: dict) -> str:
    """What the SPC chart says about the latest month only."""
    unit = rec["unit"]
    if rec["variation"] == "not assessed":
        return f"Monthly variation is not assessed: {rec['variation_note']}."
    if rec["variation"] == "not reported":
        return (
            "Monthly variation is not reported: the latest month's figure, or the monthly "
            "average, would reveal a suppressed figure."
        )
    month = pd.Timestamp(rec["variation_month"])
    value = rec["variation_value"]
    bounds = [rec["spc_mean"], rec["spc_lower_limit"], rec["spc_upper_limit"]]
    digits = _figure_digits(value, [b for b in bounds if pd.notna(b)], unit)
    wider = digits > DECIMALS.get(unit, 1)
    figure = _with_digits(value, unit, digits) if wider else _fmt(value, unit)
    limits = {
        "mean": _fmt_apart(rec["spc_mean"], value, unit, digits if wider else None),
        "lpl": _fmt_apart(rec["spc_lower_limit"], value, unit, digits if wider else None),
        "upl": _fmt_apart(rec["spc_upper_limit"], value, unit, digits if wider else None),
    }
    start = (
        f"At the end of {month:%B %Y} the monthly figure was {figure}"
        if rec["kind"] == "snapshot"
        else f"In {month:%B %Y} the monthly figure was {figure}"
    )
    if rec["variation"] == "common cause":
        text = (
            f"{start}, within the range expected from the last {rec['spc_months']} months "
            f"(common-cause variation; process limits {limits['lpl']} to {limits['upl']})."
        )
    else:
        kind = {
            "special cause improvement": "an improvement",
            "special cause concern": "a concern",
        }.get(rec["variation"], f"{rec['variation_side']} than expected")
        rule = RULE_WORDS[(rec["variation_rule"], rec["variation_side"])].format(**limits)
        text = f"{start}, special-cause variation ({kind}): it is {rule}."
    if rec["assurance"]:
        text += (
            f" Against the local target of {_fmt(rec['target'], unit)}, the process "
            f"limits show {ASSURANCE.get(rec['assurance'], rec['assurance'])}."
        )
    return text


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def text_comparison(rec: dict, authority: Authority) -> str:
    """England, the region and the statistical neighbours, for the period compared."""
    if pd.isna(rec["comparator_period"]):
        return ""
    unit = rec["unit"]
    name = authority.la_name.split(" (")[0]
    period = rec["comparator_period_label"]
    when = period[:1].upper() + period[1:]
    when = when if when.startswith("At ") else f"In the {period}"
    for_period = f"for the {period}" if not period.startswith("at ") else period
    england = _fmt(rec["england_value"], unit)
    if rec["suppressed_at_comparator_period"]:
        return (
            f"England's figure {for_period} was {england}; {name}'s figure for that "
            "period is suppressed, so it is not compared."
        )
    if pd.isna(rec["value_at_comparator_period"]):
        return (
            f"England's figure {for_period} was {england}; {name} has no value of its own "
            f"for that period to compare ({rec['comparator_note']})."
        )
    own = _fmt(rec["value_at_comparator_period"], unit)
    if unit == "count":
        return (
            f"{when}, {name} had {own} against England's {england} (counts are not "
            "compared between authorities of different sizes)."
        )
    parts = []
    if rec["vs_england"] in WORDS:
        parts.append(f"{WORDS[rec['vs_england']]} England ({england})")
    if rec["vs_region"] in WORDS:
        parts.append(
            f"{WORDS[rec['vs_region']]} the {rec['region_name']} "
            f"({_fmt(rec['region_value'], unit)})"
        )
    if rec["vs_neighbours"] in WORDS:
        n = int(rec["neighbours_count"])
        who = (
            "its statistical neighbour"
            if n == 1
            else f"the average of its {n} statistical neighbours"
        )
        parts.append(f"{WORDS[rec['vs_neighbours']]} {who} ({_fmt(rec['neighbours_value'], unit)})")
    if not parts:
        return f"{when}, {name}'s figure was {own}; there is no comparator value."
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    text = f"{when}, {name}'s figure of {own} was {listed}"
    if "directly" in rec["comparison_method"]:
        text += " (compared directly: these workforce figures have no interval)"
    text += "."
    if pd.notna(rec["rank"]) and rec["n_ranked"]:
        rank, n = _ordinal(int(rec["rank"])), int(rec["n_ranked"])
        if rec["band"]:
            text += (
                f" It ranked {rank} of {n} authorities (quartile band {rec['band']}; band "
                "A is the best quarter)."
            )
        else:
            text += f" It was the {rank} highest of {n} authorities (the {rec['quartile']})."
    return text


def sentences(rec: dict, authority: Authority) -> dict[str, str]:
    """The record's three sentences and the finding as the page shows it."""
    parts = {
        "text_value": text_value(rec),
        "text_variation": text_variation(rec),
        "text_comparison": text_comparison(rec, authority),
    }
    parts["sentence"] = " ".join(p for p in parts.values() if p)
    return parts


RULES = (  # how each sentence is decided, as the pages, README and docs state it
    "The value and its change: a change on a year is called an increase or a decrease (getting "
    "better or worse, by the indicator's polarity) only where the 95% interval of the change "
    "excludes no change: for percentages the difference of two proportions (Newcombe's "
    "interval), for counts and rates per 10,000 the ratio of two Poisson rates (exact "
    "interval), for averages Welch's interval of two means or Price and Bonett's interval of "
    "two medians. Otherwise the sentence says 'no significant change', or why the change is "
    "not tested (workforce figures in full-time equivalents are not events).",
    f"Monthly variation (statistical process control, NHS 'Making Data Count' rules): the last "
    f"{SPC_MONTHS} months' values before suppression, with process limits at the mean plus or "
    "minus 2.66 times the mean moving range, clipped to what the measure can take. Only the "
    "latest month is described: special-cause variation where it is beyond a process limit, "
    "one of 7 or more months in a row on one side of the average or each higher (or lower) "
    "than the one before, or one of two of the last three months close to a limit; otherwise "
    "common-cause variation. No chart or claim where fewer than 12 months have a value or a "
    "typical month has fewer than 5 events; a suppressed month is not shown.",
    "Comparisons: with England, the region and the statistical neighbours' average for the "
    "latest published period for which this authority has a value of its own, always on this "
    "authority's value for that same period (the 12 months to 31 March, or the snapshot at 31 "
    "March; workforce at 30 September). 'Similar' where the comparator's value lies within "
    "this authority's 95% interval, otherwise better or worse by polarity (higher or lower "
    "for indicators where neither is better). Counts are not compared between authorities of "
    "different sizes. Rank 1 is the best of all authorities; band A is the best quarter.",
)
