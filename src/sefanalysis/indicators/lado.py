"""Allegations against people who work with children, managed by the Local Authority Designated
Officer (LADO), from ``lado.csv`` (one row per allegation or consultation received)."""

from __future__ import annotations

import pandas as pd

from .common import is_code, local
from .engine import Context
from .registry import indicator

AREA = "help_protection"
SOURCE = "lado.csv"
PUB = "Working Together to Safeguard Children (2023), chapter 2; local LADO log"


def _lado(ctx: Context) -> pd.DataFrame:
    return local(ctx, "lado")[["received_date", "progressed_to_referral", "outcome",
                               "outcome_date"]]  # fmt: skip


@indicator(
    id="lado_contacts",
    title="Contacts to the LADO",
    area=AREA,
    unit="count",
    polarity="neutral",
    kind="flow",
    aggregate="count",
    numerator="Allegations and consultations received by the designated officer in the window",
    denominator="",
    source=SOURCE,
    publication=PUB,
)
def lado_contacts(ctx: Context) -> pd.DataFrame:
    return ctx.in_window(_lado(ctx), "received_date")


@indicator(
    id="lado_referral_pct",
    title="LADO contacts that progressed to a referral",
    area=AREA,
    unit="pct",
    polarity="neutral",
    kind="flow",
    aggregate="pct",
    numerator="Those that met the harm threshold and progressed to a referral (an initial "
    "evaluation)",
    denominator="Allegations and consultations received in the window",
    source=SOURCE,
    publication=PUB,
)
def lado_referral_pct(ctx: Context) -> pd.DataFrame:
    got = ctx.in_window(_lado(ctx), "received_date")
    flag = got["progressed_to_referral"]
    return got.assign(num=is_code(flag, "Yes"),
                      den=flag.notna().to_numpy(dtype=float))  # fmt: skip


@indicator(
    id="lado_substantiated_pct",
    title="LADO allegations concluded as substantiated",
    area=AREA,
    unit="pct",
    polarity="neutral",
    kind="flow",
    aggregate="pct",
    numerator="Allegations concluded in the window with the outcome substantiated",
    denominator="Allegations concluded in the window (outcome date in it) with an outcome "
    "recorded (substantiated, unsubstantiated, unfounded, false or malicious)",
    source=SOURCE,
    publication=PUB,
)
def lado_substantiated_pct(ctx: Context) -> pd.DataFrame:
    done = ctx.in_window(_lado(ctx), "outcome_date")
    outcome = done["outcome"]
    return done.assign(num=is_code(outcome, "Substantiated"),
                       den=outcome.notna().to_numpy(dtype=float))  # fmt: skip
