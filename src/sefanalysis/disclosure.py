"""Small-number suppression for anything published outside the council (DfE/GSS practice).

Primary: a count of 1 to 5, and any percentage, rate or average whose numerator or denominator
is 1 to 5, is replaced by ``[c]``. Zeros stay zeros. Secondary: in a table with a total, when
only one cell of a row of parts is suppressed it could be recovered by subtraction, so the next
smallest non-zero part is suppressed too.

Modes: ``published`` (suppression on every exported table and chart; the default for HTML) and
``internal`` (no suppression, and every page says so).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MARKER = "[c]"
MODES = {"published", "internal"}
NOTE = ("[c] = suppressed: a count of 1 to 5, or a figure calculated from one, is not shown so "
        "that no child can be identified.")  # fmt: skip


def small(values: object) -> np.ndarray:
    """True where a value is a count from 1 to 5."""
    v = np.asarray(pd.to_numeric(pd.Series(values), errors="coerce"), dtype=float)
    return (v >= 1) & (v <= 5)


def suppressed_rows(frame: pd.DataFrame) -> pd.Series:
    """Rows of a :func:`compute_indicators` frame to suppress (numerator or denominator 1-5;
    for counts, the value itself; never for FTE and ratios of workforce figures)."""
    counted = frame["unit"].isin(["count", "pct", "rate_per_10k", "days", "score"])
    rate = frame["unit"] == "rate_per_10k"
    num = small(frame["numerator"])
    den = small(frame["denominator"]) & ~rate.to_numpy()  # a population is never small
    val = small(frame["value"]) & (frame["unit"] == "count").to_numpy()
    return pd.Series((num | den | val) & counted.to_numpy(), index=frame.index)


def suppress_parts(parts: pd.Series) -> pd.Series:
    """Primary and secondary suppression of parts that add up to a shown total.

    Returns a boolean mask of the parts to suppress."""
    mask = pd.Series(small(parts), index=parts.index)
    if mask.sum() == 1:
        candidates = parts.loc[~mask & (parts > 0)]
        if len(candidates):
            mask.loc[candidates.idxmin()] = True
    return mask
