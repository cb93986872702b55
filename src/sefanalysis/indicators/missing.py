"""Missing episodes of every child the authority knows (not only children in care, whom SSDA903
covers: ``cla_missing_pct``) and the return home interviews offered and accepted, from
``missing_episodes.csv`` (the authority's missing log; one row per episode). Statutory guidance
on children who run away or go missing (DfE, 2014): an independent return interview should be
offered within 72 hours of the child's return."""

from __future__ import annotations

import pandas as pd

from .common import is_code, keep, local, once_per_child
from .engine import Context
from .registry import indicator

AREA = "help_protection"
SOURCE = "missing_episodes.csv"
PUB = "Statutory guidance on children who run away or go missing from home or care (DfE, 2014)"


def _episodes(ctx: Context, *cols: str) -> pd.DataFrame:
    return keep(ctx, local(ctx, "missing_episodes"), "looked_after", "start_date", "end_date",
                *cols)  # fmt: skip


@indicator(
    id="missing_children_not_in_care",
    title="Children not in care who went missing",
    area=AREA,
    unit="count",
    polarity="lower_better",
    kind="flow",
    aggregate="count",
    numerator="Children not looked after when they went missing (looked_after = No) with at "
    "least one missing episode starting in the window, each child once",
    denominator="",
    exclusions="Children in care are counted by cla_missing_pct (SSDA903)",
    source=SOURCE,
    publication=PUB,
)
def missing_children_not_in_care(ctx: Context) -> pd.DataFrame:
    went = ctx.in_window(_episodes(ctx), "start_date")
    return once_per_child(went.loc[went["looked_after"].isin(["No"]).to_numpy()])


@indicator(
    id="missing_rhi_offered_pct",
    title="Missing episodes followed by the offer of a return interview",
    area=AREA,
    unit="pct",
    polarity="higher_better",
    kind="flow",
    aggregate="pct",
    numerator="Episodes after which a return home interview was offered (rhi_offered = Yes)",
    denominator="Missing episodes of any child ended in the window with the offer recorded as "
    "Yes or No ('Unknown' is not a No and is left out)",
    source=SOURCE,
    publication=PUB,
)
def missing_rhi_offered_pct(ctx: Context) -> pd.DataFrame:
    ended = ctx.in_window(_episodes(ctx, "rhi_offered"), "end_date")
    offered = ended["rhi_offered"]
    return ended.assign(num=is_code(offered, "Yes"),
                        den=is_code(offered, "Yes", "No"))  # fmt: skip


@indicator(
    id="missing_rhi_accepted_pct",
    title="Return interviews offered that were accepted",
    area=AREA,
    unit="pct",
    polarity="higher_better",
    kind="flow",
    aggregate="pct",
    numerator="Those where the child accepted the interview (rhi_accepted = Yes)",
    denominator="Missing episodes ended in the window after which an interview was offered, "
    "with acceptance recorded as Yes or No",
    source=SOURCE,
    publication=PUB,
)
def missing_rhi_accepted_pct(ctx: Context) -> pd.DataFrame:
    ended = ctx.in_window(_episodes(ctx, "rhi_offered", "rhi_accepted"), "end_date")
    ended = ended.loc[ended["rhi_offered"].isin(["Yes"]).to_numpy()]
    accepted = ended["rhi_accepted"]
    return ended.assign(num=is_code(accepted, "Yes"),
                        den=is_code(accepted, "Yes", "No"))  # fmt: skip
