"""Presentation rounding and wording: the only place where numbers are rounded."""

from __future__ import annotations

import math

import pandas as pd

DECIMALS = {"pct": 1, "rate_per_10k": 1, "days": 0, "score": 1, "fte": 1, "ratio": 1, "count": 0}


def is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def format_value(value: object, unit: str, with_unit: bool = True) -> str:
    """``22.4%``, ``533.2 per 10,000``, ``1,234``, ``28 days``; missing values as an en dash."""
    if is_missing(value):
        return "–"
    v = float(value)  # type: ignore[arg-type]
    text = f"{v:,.{DECIMALS.get(unit, 1)}f}"
    if not with_unit:
        return text
    return {
        "pct": f"{text}%",
        "rate_per_10k": f"{text} per 10,000",
        "days": f"{text} days",
        "fte": f"{text} FTE",
    }.get(unit, text)


def unit_label(unit: str) -> str:
    return {
        "pct": "Percentage",
        "rate_per_10k": "Rate per 10,000 children aged 0-17",
        "days": "Working days",
        "count": "Number",
        "fte": "Full-time equivalent",
        "ratio": "Cases per FTE",
        "score": "Score",
    }.get(unit, unit)
