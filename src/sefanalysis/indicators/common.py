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


def local(ctx: Context, key: str) -> pd.DataFrame:
    """Local table ``key`` (recorded as read), or an empty frame with its columns when it was not
    supplied: the engine then gives every value as missing, with the reason, never 0."""
    frame = ctx.table(key)
    if frame is None:
        from ..ingest.annex_a import empty_list
        from ..ingest.local_tables import LOCAL_TABLES

        return empty_list(LOCAL_TABLES[key])
    return frame


def once_per_child(frame: pd.DataFrame, key: str = "child_id") -> pd.DataFrame:
    """One row per child (or household, ``key``) and period end: the last in the frame's order."""
    return frame.drop_duplicates([key, "period_end"], keep="last")


def days_between(start: pd.Series, end: pd.Series) -> pd.Series:
    """Calendar days from ``start`` to ``end`` (missing where either is)."""
    return (end - start).dt.days.astype(float)


def is_code(series: pd.Series, *codes: str) -> object:
    """1.0 where ``series`` holds one of ``codes``, else 0.0 (missing values included)."""
    return series.isin(codes).to_numpy(dtype=float)
