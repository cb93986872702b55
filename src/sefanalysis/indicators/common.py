"""Helpers shared by the indicator modules."""

from __future__ import annotations

import pandas as pd

from .engine import Context


def keep(ctx: Context, frame: pd.DataFrame, *cols: str) -> pd.DataFrame:
    """``cols`` of ``frame``, with the child identifier and the demographic columns the
    breakdown asked for needs (leaving the others out keeps rows repeated per period small)."""
    wanted = ["child_id", *ctx.breakdown_columns, *cols]
    return frame[[c for c in dict.fromkeys(wanted) if c in frame]]


def list_start(ctx: Context, key: str, date_col: str) -> pd.Timestamp | None:
    """First day the list covers: ``annex_a_start`` in authority.yaml if given, else the first of
    the month of the earliest date in ``date_col``."""
    stated = ctx.dataset.authority.annex_a_start
    if stated is not None:
        return stated
    frame = ctx.list(key)
    if frame.empty or frame[date_col].isna().all():
        return None
    first = pd.Timestamp(frame[date_col].min())
    return first.replace(day=1)


def cover(ctx: Context, indicator_id: str, key: str, date_col: str) -> None:
    """Record the data coverage of ``indicator_id`` from list ``key``."""
    start = list_start(ctx, key, date_col)
    if start is not None:
        ctx.coverage[indicator_id] = start


def flag(series: pd.Series, value: str = "Yes") -> pd.Series:
    """1.0 where the code equals ``value``, 0.0 where it is another code, missing where blank
    or recorded as "Unknown" (Ofsted's "c) Unknown" is not a "No")."""
    return (series == value).astype("Float64").where(series.notna() & (series != "Unknown"))
