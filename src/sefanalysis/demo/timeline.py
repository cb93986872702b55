"""Vectorised helpers for building synthetic event timelines."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..calendar import england_bank_holidays

DAY = np.timedelta64(1, "D")


def days(a: str | np.datetime64, b: str | np.datetime64) -> np.ndarray:
    return np.arange(np.datetime64(a, "D"), np.datetime64(b, "D") + DAY)


def sample_dates(
    rng: np.random.Generator,
    n: int,
    start: str,
    end: str,
    trend: float = 0.0,
    weekday_only: bool = False,
) -> np.ndarray:
    """``n`` dates in [start, end], with a linear trend in intensity (``trend`` = relative change
    over the span), a summer and Christmas dip, and fewer events at weekends."""
    d = days(start, end)
    t = np.linspace(0.0, 1.0, len(d))
    doy = (d - d.astype("datetime64[Y]")).astype(int)
    weight = 1.0 + trend * (t - 0.5)
    weight *= 1.0 - 0.25 * np.exp(-(((doy - 220) / 18.0) ** 2))  # August
    weight *= 1.0 - 0.35 * np.exp(-(((doy - 358) / 6.0) ** 2))  # Christmas
    dow = (d.astype("datetime64[D]").view("int64") - 4) % 7  # 0 = Monday
    weight *= np.where(dow >= 5, 0.0 if weekday_only else 0.3, 1.0)
    return np.sort(rng.choice(d, size=n, p=weight / weight.sum()))


def add_working_days(start: np.ndarray, n: np.ndarray) -> np.ndarray:
    """The date ``n`` working days after ``start`` (the start rolled forward to a working day)."""
    return np.busday_offset(start.astype("datetime64[D]"), n.astype(int), roll="forward",
                            holidays=england_bank_holidays())  # fmt: skip


def roll_to_working_day(d: np.ndarray) -> np.ndarray:
    return np.busday_offset(d.astype("datetime64[D]"), 0, roll="forward",
                            holidays=england_bank_holidays())  # fmt: skip


def age_years(dob: np.ndarray, at: np.ndarray | np.datetime64) -> np.ndarray:
    """Whole years of age at ``at`` (age at last birthday)."""
    dob_s = pd.to_datetime(pd.Series(dob))
    at_s = pd.to_datetime(pd.Series(np.broadcast_to(at, dob.shape)))
    years = at_s.dt.year - dob_s.dt.year
    before = (at_s.dt.month < dob_s.dt.month) | (
        (at_s.dt.month == dob_s.dt.month) & (at_s.dt.day < dob_s.dt.day)
    )
    return (years - before.astype(int)).to_numpy()


def add_years(d: np.ndarray, years: int) -> np.ndarray:
    s = pd.to_datetime(pd.Series(d))
    return (s + pd.DateOffset(years=years)).to_numpy().astype("datetime64[D]")


def merge_intervals(child: np.ndarray, start: np.ndarray, end: np.ndarray) -> pd.DataFrame:
    """Union of overlapping [start, end] intervals per child (open ends as NaT)."""
    far = np.datetime64("2262-01-01", "D")
    frame = pd.DataFrame(
        {
            "child": child,
            "start": start.astype("datetime64[D]"),
            "end": np.where(pd.isna(end), far, end).astype("datetime64[D]"),
        }
    )
    frame = frame.sort_values(["child", "start"], kind="stable")
    run_max = frame.groupby("child")["end"].cummax()
    prev_max = run_max.groupby(frame["child"]).shift()
    new = prev_max.isna() | (frame["start"] > prev_max)
    frame["grp"] = new.cumsum()
    out = frame.groupby("grp").agg(child=("child", "first"), start=("start", "min"),
                                   end=("end", "max")).reset_index(drop=True)  # fmt: skip
    out.loc[out["end"] == pd.Timestamp(far), "end"] = pd.NaT
    return out
