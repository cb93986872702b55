"""An independent reading of a findings record: does each sentence agree with the record's own
numbers? Written from the README's rules, not from ``sefanalysis.wording`` (a checker sharing
the writer's code would share its mistakes)."""

from __future__ import annotations

import math
import re

import pandas as pd

from sefanalysis.format import DECIMALS, format_value

DIRECTION = re.compile(
    r"\b(increas\w*|decreas\w*|rises?|rose|fell|falls?|up from|down from|improv\w*|"
    r"deteriorat\w*|getting better|getting worse)\b",
    re.I,
)
INTERNAL = re.compile(r"\bpct\b|10k|xmr|rate_per|per_10k|\w_\w|\bnan\b|\bNaT\b", re.I)
NUMBER = r"(-?\d+(?:,\d{3})*(?:\.\d+)?)"
POLAR = {"higher_better", "lower_better"}


def _num(text: str) -> float:
    return float(text.replace(",", ""))


def _missing(value: object) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value))


def problems(rec: dict) -> list[str]:
    """What in the record's sentences its numbers contradict (empty when they agree)."""
    out: list[str] = []
    unit, polarity = rec["unit"], rec["polarity"]
    tv, tvar, tcmp = rec["text_value"], rec["text_variation"], rec["text_comparison"]
    if rec["sentence"] != " ".join(t for t in (tv, tvar, tcmp) if t):
        out.append("the sentence is not its three parts")
    if INTERNAL.search(rec["sentence"]):
        out.append(f"internal words: {INTERNAL.search(rec['sentence']).group(0)!r}")
    out += _value(rec, unit, polarity, tv)
    out += _variation(rec, unit, polarity, tvar)
    out += _comparison(rec, unit, polarity, tcmp)
    lpl, upl = rec["spc_lower_limit"], rec["spc_upper_limit"]
    if not _missing(lpl) and (lpl < 0 or (unit == "pct" and upl > 100) or upl < lpl):
        out.append(f"impossible SPC limits {lpl} to {upl}")
    return out


def _value(rec: dict, unit: str, polarity: str, tv: str) -> list[str]:
    out = []
    if rec["suppressed"]:
        if "[c]" not in tv:
            out.append("a suppressed value is not shown as [c]")
        if DIRECTION.search(tv):
            out.append("a change is described for a suppressed value")
        return out
    if _missing(rec["value"]):
        return ["a missing value is described with a direction"] if DIRECTION.search(tv) else []
    if format_value(rec["value"], unit, with_unit=False) not in tv and rec["value"] not in (0, 1):
        out.append(f"the value {rec['value']} is not in {tv!r}")
    words = [w.lower() for w in DIRECTION.findall(tv)]
    if not rec["change_significant"]:
        if words:
            out.append(f"direction words {words} without a significant change")
        return out
    change = rec["change"]
    if change > 0 and "increase" not in words or change < 0 and "decrease" not in words:
        out.append(f"the direction words {words} disagree with a change of {change}")
    if change > 0 and "decrease" in words or change < 0 and "increase" in words:
        out.append(f"both directions in {tv!r}")
    better = (change > 0) == (polarity == "higher_better")
    if polarity in POLAR:
        want = "getting better" if better else "getting worse"
        if want not in tv.lower() or ("getting worse" if better else "getting better") in tv:
            out.append(f"{want!r} expected in {tv!r}")
    elif "getting" in tv:
        out.append("better or worse said of a neutral indicator")
    low, high = rec["change_low"], rec["change_high"]
    null = 1.0 if rec["change_interval_of"] == "ratio" else 0.0
    if not (low > null or high < null):
        out.append(f"called significant with an interval {low} to {high} containing {null}")
    before = format_value(rec["value_year_earlier"], unit, with_unit=False)
    if before not in tv:
        out.append(f"the value a year earlier {before} is not in {tv!r}")
    return out


def _variation(rec: dict, unit: str, polarity: str, tvar: str) -> list[str]:
    out = []
    kind = rec["variation"]
    special = kind.startswith("special cause")
    if not special and "special-cause" in tvar:
        out.append("special cause claimed without it")
    if kind != "common cause" and "common-cause" in tvar:
        out.append("common cause claimed without it")
    if kind in {"not assessed", "not reported"}:
        return out + (
            ["a figure is given for a month not assessed"] if "monthly figure was" in tvar else []
        )
    month = pd.Timestamp(rec["variation_month"])
    if f"{month:%B %Y}" not in tvar or "monthly" not in tvar:
        out.append(f"the latest month is not named as monthly: {tvar!r}")
    figure = re.search(r"monthly figure was " + NUMBER, tvar)
    if figure is None:
        return out + [f"no monthly figure in {tvar!r}"]
    printed = _num(figure.group(1))
    value = rec["variation_value"]
    decimals = len(figure.group(1).partition(".")[2])
    # printed as its unit prints it, or with more decimals where a limit beside it needs them
    if figure.group(1) != format_value(value, unit, with_unit=False) and (
        decimals <= DECIMALS.get(unit, 1) or not math.isclose(printed, round(value, decimals))
    ):
        out.append(f"the printed figure {figure.group(1)} is not the latest month's {value}")
    lpl, upl, mean = rec["spc_lower_limit"], rec["spc_upper_limit"], rec["spc_mean"]
    if kind == "common cause":
        if not (lpl <= value <= upl):
            out.append(f"common cause claimed for {value} outside {lpl} to {upl}")
        return out
    side, rule = rec["variation_side"], rec["variation_rule"]
    if polarity in POLAR:
        good = (side == "higher") == (polarity == "higher_better")
        want = "special cause improvement" if good else "special cause concern"
        if kind != want:
            out.append(f"{kind} on the {side} side of a {polarity} indicator")
        if ("an improvement" if good else "a concern") not in tvar:
            out.append(f"{tvar!r} does not say {'improvement' if good else 'concern'}")
    limit = re.search(r"(?:limit|average) of " + NUMBER, tvar)
    if rule == "beyond":
        bound = upl if side == "higher" else lpl
        if (value <= bound) if side == "higher" else (value >= bound):
            out.append(f"'beyond' claimed for {value} against {bound}")
        if limit is None or (
            (printed <= _num(limit.group(1)))
            if side == "higher"
            else (printed >= _num(limit.group(1)))
        ):
            out.append(f"the printed numbers contradict the claim: {tvar!r}")
    if rule == "run":
        if (value <= mean) if side == "higher" else (value >= mean):
            out.append(f"a run {side} than the mean claimed for {value} (mean {mean})")
        if limit is None or (
            (printed <= _num(limit.group(1)))
            if side == "higher"
            else (printed >= _num(limit.group(1)))
        ):
            out.append(f"the printed numbers contradict the claim: {tvar!r}")
    return out


WORD = {
    "similar": "similar to",
    "better": "better than",
    "worse": "worse than",
    "higher": "higher than",
    "lower": "lower than",
}


def _comparison(rec: dict, unit: str, polarity: str, tcmp: str) -> list[str]:
    out = []
    words = [rec[k] for k in ("vs_england", "vs_region", "vs_neighbours")]
    compared = [w for w in words if w in WORD]
    if not compared:
        for w in WORD.values():
            if w in tcmp and w != "similar to":
                out.append(f"{w!r} said without a comparison")
        return out
    label = rec["comparator_period_label"]
    if label.lower() not in tcmp.lower():
        out.append(f"the period compared ({label}) is not named in {tcmp!r}")
    own = rec["value_at_comparator_period"]
    if format_value(own, unit, with_unit=False) not in tcmp:
        out.append(f"this authority's value for the period ({own}) is not in {tcmp!r}")
    lo, hi = rec["ci_low_at_comparator_period"], rec["ci_high_at_comparator_period"]
    others = {
        "vs_england": rec["england_value"],
        "vs_region": rec["region_value"],
        "vs_neighbours": rec["neighbours_value"],
    }
    for key, other in others.items():
        word = rec[key]
        if word not in WORD:
            continue
        if WORD[word] not in tcmp:
            out.append(f"{key} is {word} but the sentence does not say {WORD[word]!r}")
        if polarity in POLAR and word in {"higher", "lower"}:
            out.append(f"{key}: {word} for a {polarity} indicator")
        if polarity not in POLAR and word in {"better", "worse"}:
            out.append(f"{key}: {word} for a neutral indicator")
        if not _missing(lo):
            if (word == "similar") != (lo <= other <= hi):
                out.append(f"{key}: {word} with interval {lo} to {hi} and comparator {other}")
            above = lo > other
        else:
            above = own > other
        if word in {"higher", "lower"} and (word == "higher") != above:
            out.append(f"{key}: {word} but {own} against {other}")
        if word in {"better", "worse"} and (word == "better") != (
            above == (polarity == "higher_better")
        ):
            out.append(f"{key}: {word} but {own} against {other} ({polarity})")
    return out


BOOLS = {"suppressed", "suppressed_year_earlier", "change_significant",
         "suppressed_at_comparator_period"}  # fmt: skip
DATES = {"period_end", "year_earlier_period_end", "variation_month", "comparator_period",
         "england_period"}  # fmt: skip
NUMBERS = {"value", "numerator", "denominator", "ci_low", "ci_high", "value_year_earlier",
           "change", "change_low", "change_high", "variation_value", "spc_mean",
           "spc_lower_limit", "spc_upper_limit", "spc_months", "target",
           "value_at_comparator_period", "ci_low_at_comparator_period",
           "ci_high_at_comparator_period", "england_value", "region_value",
           "neighbours_value", "neighbours_count", "rank", "n_ranked"}  # fmt: skip


def record_from_csv(row: dict[str, str]) -> dict:
    """A ``findings.csv`` row (read as text) as the record it was written from."""
    rec: dict = {}
    for key, text in row.items():
        if key in BOOLS:
            rec[key] = text == "True"
        elif key in DATES:
            rec[key] = pd.Timestamp(text) if text else pd.NaT
        elif key in NUMBERS:
            rec[key] = float(text) if text else float("nan")
        else:
            rec[key] = text
    return rec
