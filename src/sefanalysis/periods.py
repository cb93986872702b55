"""Quarter ends, reporting windows and their labels.

A *period end* is always a calendar quarter end (31 March, 30 June, 30 September, 31 December).
A *window* of ``"3m"``, ``"6m"`` or ``"12m"`` is the whole calendar months ending on the period
end, inclusive of both ends: the 12 months to 2024-12-31 run from 2024-01-01 to 2024-12-31.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from .errors import PeriodError

QUARTER_END_MONTH_DAYS = {(3, 31), (6, 30), (9, 30), (12, 31)}
WINDOWS = {"1m": 1, "3m": 3, "6m": 6, "12m": 12, "36m": 36}
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ACCEPTED = "a quarter end date written YYYY-MM-DD: 31 March, 30 June, 30 September or 31 December"


def parse_period_end(value: object) -> pd.Timestamp:
    """Parse and check one period end; raise :class:`PeriodError` with a one-line message."""
    text = str(value).strip()
    if not _ISO.match(text):
        raise PeriodError(f"period end {text!r} is not accepted: expected {ACCEPTED}")
    try:
        ts = pd.Timestamp(text)
    except (ValueError, OverflowError):
        raise PeriodError(f"period end {text!r} is not a real date: expected {ACCEPTED}") from None
    if (ts.month, ts.day) not in QUARTER_END_MONTH_DAYS:
        raise PeriodError(f"period end {text!r} is not a quarter end: expected {ACCEPTED}")
    return ts


def parse_period_ends(values: str | Iterable[str]) -> list[pd.Timestamp]:
    """One ISO date string or a list of them, checked, sorted and de-duplicated."""
    items = [values] if isinstance(values, str | pd.Timestamp) else list(values)
    if not items:
        raise PeriodError(f"no period end given: expected {ACCEPTED}")
    return sorted({parse_period_end(v) for v in items})


def window_months(window: str) -> int:
    """Months in a window code such as ``"12m"``."""
    if window not in WINDOWS:
        raise PeriodError(
            f"window {window!r} is not accepted: expected one of {', '.join(WINDOWS)}"
        )
    return WINDOWS[window]


def window_start(period_end: pd.Timestamp, window: str) -> pd.Timestamp:
    """First day of the window ending on ``period_end`` (inclusive)."""
    months = window_months(window)
    return (period_end + pd.Timedelta(days=1)) - pd.DateOffset(months=months)


def quarter_ends_back(period_end: str | pd.Timestamp, n: int) -> list[pd.Timestamp]:
    """The ``n`` quarter ends up to and including ``period_end``, oldest first."""
    end = parse_period_end(pd.Timestamp(period_end).strftime("%Y-%m-%d"))
    return [end - pd.offsets.QuarterEnd(k) for k in range(n - 1, 0, -1)] + [end]


def quarter_ends(period_end: str | pd.Timestamp, n: int = 8) -> list[str]:
    """The ``n`` quarter ends up to ``period_end`` as ``YYYY-MM-DD`` text, oldest first (what
    ``compute_indicators`` takes)."""
    return [q.strftime("%Y-%m-%d") for q in quarter_ends_back(period_end, n)]


def period_label(period_end: pd.Timestamp, window: str = "12m") -> str:
    """Plain-English label, e.g. ``"year to December 2024"``."""
    month_year = period_end.strftime("%B %Y")
    names = {"1m": "month", "3m": "quarter", "6m": "6 months", "12m": "year", "36m": "3 years"}
    return f"{names[window]} to {month_year}"


def snapshot_label(period_end: pd.Timestamp) -> str:
    """Plain-English label for a snapshot, e.g. ``"at 31 December 2024"``."""
    return f"at {period_end.day} {period_end.strftime('%B %Y')}"


def short_label(period_end: pd.Timestamp) -> str:
    """Axis label for a quarter end, e.g. ``"Dec 2024"``."""
    return period_end.strftime("%b %Y")


def month_ends_back(period_end: pd.Timestamp, n: int) -> list[pd.Timestamp]:
    """The ``n`` month ends up to and including ``period_end``, oldest first (for SPC)."""
    return [period_end - pd.offsets.MonthEnd(k) for k in range(n - 1, 0, -1)] + [period_end]


def age_at(dob: pd.Series, at: pd.Series) -> pd.Series:
    """Age in whole years (age at last birthday) on the date ``at``, vectorised."""
    dob, at = pd.to_datetime(dob), pd.to_datetime(at)
    before_birthday = (at.dt.month < dob.dt.month) | (
        (at.dt.month == dob.dt.month) & (at.dt.day < dob.dt.day)
    )
    return at.dt.year - dob.dt.year - before_birthday.astype(int)
