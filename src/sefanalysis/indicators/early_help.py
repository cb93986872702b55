"""Early help beyond the assessments of Annex A List 2: children open to early help, and the
steps between early help and children's social care, from ``early_help_episodes.csv`` (the
authority's early help module; one row per episode of early help). Step-ups and step-downs are
also counted from Annex A where its codes record them (``help_protection``: referrals whose
source is 5D, early help; children in need closed with RC9, referred to early help).
"""

from __future__ import annotations

import pandas as pd

from .common import is_code, keep, local, once_per_child
from .engine import Context
from .registry import indicator

AREA = "help_protection"
SOURCE = "early_help_episodes.csv"
PUB = "Local early help records (Annex A List 2 holds assessments only)"


def _episodes(ctx: Context, *cols: str) -> pd.DataFrame:
    return keep(ctx, local(ctx, "early_help_episodes"), "start_date", "end_date", *cols)


@indicator(
    id="eh_children_open",
    title="Children open to early help",
    area=AREA,
    unit="count",
    polarity="neutral",
    kind="snapshot",
    aggregate="count",
    numerator="Children with an early help episode open at the end of the period end day "
    "(started on or before it, not ended on or before it), each child once",
    denominator="",
    source=SOURCE,
    publication=PUB,
)
def eh_children_open(ctx: Context) -> pd.DataFrame:
    return once_per_child(ctx.open_at(_episodes(ctx), "start_date", "end_date"))


@indicator(
    id="eh_step_up_pct",
    title="Early help episodes ended by a step-up to social care",
    area=AREA,
    unit="pct",
    polarity="neutral",
    kind="flow",
    aggregate="pct",
    numerator="Early help episodes ended in the window whose end reason is 'Step-up to social "
    "care'",
    denominator="Early help episodes ended in the window with an end reason recorded",
    source=SOURCE,
    publication=PUB,
)
def eh_step_up_pct(ctx: Context) -> pd.DataFrame:
    ended = ctx.in_window(_episodes(ctx, "end_reason"), "end_date")
    reason = ended["end_reason"]
    return ended.assign(num=is_code(reason, "Step-up to social care"),
                        den=reason.notna().to_numpy(dtype=float))  # fmt: skip


@indicator(
    id="eh_step_down_pct",
    title="Early help episodes started as a social care step-down",
    area=AREA,
    unit="pct",
    polarity="neutral",
    kind="flow",
    aggregate="pct",
    numerator="Early help episodes started in the window recorded as a step-down from "
    "children's social care (step_down = Yes)",
    denominator="Early help episodes started in the window with step_down recorded",
    source=SOURCE,
    publication=PUB,
)
def eh_step_down_pct(ctx: Context) -> pd.DataFrame:
    started = ctx.in_window(_episodes(ctx, "step_down"), "start_date")
    flag = started["step_down"]
    return started.assign(num=is_code(flag, "Yes"),
                          den=flag.notna().to_numpy(dtype=float))  # fmt: skip
