"""Statistical process control: XmR charts with the NHS "Making Data Count" rules, as
implemented by the R package NHSRplotthedots (the reference).

- Process limits: mean +/- 2.66 x mean moving range; "near" limits at 2/3 of that (2 sigma).
- Moving ranges above 3.267 x their mean are screened out before the limits are calculated
  (``screen_outliers``, NHSRplotthedots' default; the MDC Excel tool does not screen).
- Special cause: a point beyond a process limit; a run of 7 points on one side of the mean; a
  trend of 7 points each higher (or lower) than the one before; two out of three consecutive
  points beyond the same near limit.
- Limits from fewer than 12 points are *trial limits* and are marked as such.
- Limits, near limits and the centre line are clipped to what the measure can take (``bounds``:
  0 to 100 for a percentage, 0 upwards for a count or rate): a limit of 108.6% or -6.8
  adoptions is a line no point can cross. Classification is unchanged by clipping (no point
  lies beyond an impossible value).
- Each special-cause point says which rule found it (``rule``: beyond, run, trend or near; see
  ``RULES``) and on which side (``side``: higher or lower): the sentences name them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

LIMIT = 2.66
SCREEN = 3.267
MIN_POINTS = 12
RUN = 7


@dataclass
class SpcResult:
    # x, value, mean, lpl, upl, near_lo, near_hi, special, point_type, rule, side (higher/lower)
    frame: pd.DataFrame
    mean: float
    lpl: float
    upl: float
    trial_limits: bool
    variation: str  # of the latest point
    assurance: str  # against the target, if any
    rule: str = ""  # the rule that found the latest point special ("" when common cause)


RULES = {  # each special-cause rule in words
    "beyond": "a point beyond a process limit",
    "run": "a run of 7 or more points on one side of the mean",
    "trend": "a trend of 7 or more points each higher (or lower) than the one before",
    "near": "two of three points in a row close to a process limit (beyond 2 sigma)",
}


def _runs(flag: np.ndarray, length: int) -> np.ndarray:
    """True for every point in a run of ``length`` or more consecutive True values."""
    out = np.zeros(len(flag), dtype=bool)
    count = 0
    for i, f in enumerate(flag):  # loops over time points (a short series), not over children
        count = count + 1 if f else 0
        if count >= length:
            out[i - length + 1 : i + 1] = True
    return out


def _two_of_three(beyond: np.ndarray) -> np.ndarray:
    out = np.zeros(len(beyond), dtype=bool)
    for i in range(len(beyond) - 2):
        window = beyond[i : i + 3]
        if window.sum() >= 2:
            out[i : i + 3] |= window
    return out


def xmr(
    values: object,
    x: object | None = None,
    improvement: str = "neutral",
    target: float | None = None,
    screen_outliers: bool = True,
    bounds: tuple[float, float] | None = None,
) -> SpcResult:
    """XmR chart and Making Data Count classification of a series (oldest first).

    ``improvement`` is "increase", "decrease" or "neutral" (from the indicator's polarity).
    ``bounds`` (lowest, highest possible value) clips the limits and centre line.
    """
    v = np.asarray(values, dtype=float)
    xs = np.arange(len(v)) if x is None else np.asarray(x)
    ok = np.isfinite(v)
    vv = v[ok]
    if len(vv) < 2:
        frame = pd.DataFrame({"x": xs, "value": v})
        for col in ["mean", "lpl", "upl", "near_lo", "near_hi"]:
            frame[col] = np.nan
        frame["special"] = False
        frame["point_type"] = "common cause"
        frame["rule"] = ""
        frame["side"] = ""
        return SpcResult(frame, np.nan, np.nan, np.nan, True, "too few points", "no assurance")
    mean = vv.mean()
    mr = np.abs(np.diff(vv))
    mr_mean = mr.mean()
    if screen_outliers and len(mr):
        kept = mr[mr <= SCREEN * mr_mean]
        mr_mean = kept.mean() if len(kept) else mr_mean
    upl, lpl = mean + LIMIT * mr_mean, mean - LIMIT * mr_mean
    near_hi, near_lo = mean + (2 / 3) * LIMIT * mr_mean, mean - (2 / 3) * LIMIT * mr_mean
    above, below = vv > mean, vv < mean
    diffs = np.diff(vv)
    up = np.concatenate([[False], diffs > 0])
    down = np.concatenate([[False], diffs < 0])
    # a trend of 7 points is 6 successive rises (or falls): mark the rises, then the point
    # each run of rises started from
    rising = _runs(up, RUN - 1)
    falling = _runs(down, RUN - 1)
    rising |= np.concatenate([rising[1:], [False]])
    falling |= np.concatenate([falling[1:], [False]])
    high_rules = {"beyond": vv > upl, "run": _runs(above, RUN), "trend": rising,
                  "near": _two_of_three(vv > near_hi)}  # fmt: skip
    low_rules = {"beyond": vv < lpl, "run": _runs(below, RUN), "trend": falling,
                 "near": _two_of_three(vv < near_lo)}  # fmt: skip
    high = np.logical_or.reduce(list(high_rules.values()))
    low = np.logical_or.reduce(list(low_rules.values()))
    point = np.full(len(vv), "common cause", dtype=object)
    if improvement == "increase":
        point[high], point[low] = "special cause improvement", "special cause concern"
    elif improvement == "decrease":
        point[high], point[low] = "special cause concern", "special cause improvement"
    else:
        point[high | low] = "special cause (neither)"
    rule = np.full(len(vv), "", dtype=object)
    side = np.full(len(vv), "", dtype=object)
    for rules, word in ((high_rules, "higher"), (low_rules, "lower")):  # low side wins, as above
        named = np.full(len(vv), "", dtype=object)
        for name in reversed(list(rules)):  # the first rule listed wins
            named[rules[name]] = name
        found = named != ""
        rule[found], side[found] = named[found], word
    if bounds is not None:  # clipped after classifying: nothing lies beyond an impossible value
        lo, hi = bounds
        mean, lpl, upl, near_lo, near_hi = (float(np.clip(v_, lo, hi)) for v_ in
                                            (mean, lpl, upl, near_lo, near_hi))  # fmt: skip
    frame = pd.DataFrame({"x": xs, "value": v})
    frame["mean"], frame["lpl"], frame["upl"] = mean, lpl, upl
    frame["near_lo"], frame["near_hi"] = near_lo, near_hi
    frame["special"] = False
    frame["point_type"] = "common cause"
    frame["rule"] = ""
    frame["side"] = ""
    frame.loc[ok, "special"] = high | low
    frame.loc[ok, "point_type"] = point
    frame.loc[ok, "rule"] = rule
    frame.loc[ok, "side"] = side
    assurance = "no target"
    if target is not None and improvement in {"increase", "decrease"}:
        good_side_lpl = lpl if improvement == "increase" else -upl
        t = target if improvement == "increase" else -target
        worst = good_side_lpl
        best = upl if improvement == "increase" else -lpl
        if t <= worst:
            assurance = "consistently meets the target"
        elif t > best:
            assurance = "consistently misses the target"
        else:
            assurance = "hits and misses the target"
    return SpcResult(frame, float(mean), float(lpl), float(upl), len(vv) < MIN_POINTS,
                     str(point[-1]), assurance, str(rule[-1]))  # fmt: skip
