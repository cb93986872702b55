"""Working days in England.

Convention (used by every timeliness indicator): the duration in working days from a start date
to an end date counts the days *after* the start date up to and including the end date, skipping
Saturdays, Sundays and England-and-Wales bank holidays (the ``holidays`` package, subdivision
``ENG``, substitute days included). An event completed on its start day takes 0 working days.
So an assessment started on Friday 20 December 2024 and authorised on Friday 3 January 2025 took
7 working days (23, 24, 27, 30, 31 December, 2 and 3 January; 25, 26 December and 1 January are
bank holidays).

The count is the same whatever day of the week the start falls on: a start on a Saturday and an
authorisation on the Monday after is 1 working day.
"""

from __future__ import annotations

from functools import lru_cache

import holidays
import numpy as np
import pandas as pd

FIRST_YEAR, LAST_YEAR = 1995, 2040


@lru_cache(maxsize=1)
def england_bank_holidays() -> np.ndarray:
    """England-and-Wales bank holidays from 1995 to 2040 as ``datetime64[D]``."""
    days = holidays.country_holidays("GB", subdiv="ENG", years=range(FIRST_YEAR, LAST_YEAR + 1))
    return np.array(sorted(days), dtype="datetime64[D]")


def working_days(start: object, end: object) -> np.ndarray:
    """Working days from ``start`` to ``end`` (vectorised; NaN where either date is missing).

    Negative when ``end`` is before ``start``; callers decide whether that is a data problem.
    """
    s = pd.to_datetime(pd.Series(np.atleast_1d(start)), errors="coerce")
    e = pd.to_datetime(pd.Series(np.atleast_1d(end)), errors="coerce")
    ok = (s.notna() & e.notna()).to_numpy()
    out = np.full(len(s), np.nan)
    if ok.any():
        sd = s[ok].to_numpy().astype("datetime64[D]") + np.timedelta64(1, "D")
        ed = e[ok].to_numpy().astype("datetime64[D]") + np.timedelta64(1, "D")
        out[ok] = np.busday_count(sd, ed, holidays=england_bank_holidays())
    return out
