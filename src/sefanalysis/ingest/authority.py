"""``authority.yaml``: who the data belongs to and the date it was extracted."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from .problems import FATAL, ProblemLog


@dataclass(frozen=True)
class Authority:
    la_code: str
    la_name: str
    region: str
    extract_date: pd.Timestamp | None = None
    financial_year_start_month: int = 4
    synthetic: bool = False
    annex_a_start: pd.Timestamp | None = None  # first day the Annex A lists cover, if stated


def read_authority(path: Path, log: ProblemLog) -> Authority:
    """Read ``authority.yaml``; missing or malformed settings are fatal problems."""
    fallback = Authority("unknown", "Unknown authority", "unknown")
    if not path.exists():
        log.add(
            FATAL,
            "missing file",
            str(path),
            expected="authority.yaml with la_code, la_name, region and extract_date",
        )
        return fallback
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        log.add(
            FATAL,
            "unreadable file",
            str(path),
            value=type(exc).__name__,
            expected="a YAML file of settings",
        )
        return fallback
    if not isinstance(data, dict):
        log.add(FATAL, "unreadable file", str(path), expected="a YAML mapping of settings")
        return fallback
    for key in ("la_code", "la_name", "region"):
        if not str(data.get(key) or "").strip():
            log.add(FATAL, "missing setting", str(path), column=key, expected=f"a value for {key}")
    extract_ts = _date_setting(data, "extract_date", path, log)
    start_ts = _date_setting(data, "annex_a_start", path, log)
    return Authority(
        la_code=str(data.get("la_code", "unknown")),
        la_name=str(data.get("la_name", "Unknown authority")),
        region=str(data.get("region", "unknown")),
        extract_date=extract_ts,
        financial_year_start_month=int(data.get("financial_year_start_month", 4) or 4),
        synthetic=bool(data.get("synthetic", False)),
        annex_a_start=start_ts,
    )


def _date_setting(data: dict, key: str, path: Path, log: ProblemLog) -> pd.Timestamp | None:
    """An optional date setting; an unparseable one is a fatal problem."""
    raw = data.get(key)
    if not raw:
        return None
    value = pd.to_datetime(str(raw), errors="coerce")
    if pd.isna(value):
        log.add(FATAL, "unparseable date", str(path), column=key, value=raw,
                expected="a date written YYYY-MM-DD")  # fmt: skip
        return None
    return value
