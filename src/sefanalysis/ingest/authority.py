"""``authority.yaml``: who the data belongs to and the date it was extracted.

The file is checked against a typed schema (:data:`SETTINGS`): a key it does not know is fatal
(with the nearest known key suggested), and so is a key given twice; a boolean must be a YAML
boolean (``true``/``false``, not the text ``'false'``), a date an ISO date (``2024-12-31``), a
number a number. ``la_code`` names folders of runs, so it must be an ONS code (``E09000001``)
or at least letters, digits and hyphens.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from . import files as F
from .problems import FATAL, ProblemLog

ONS_CODE = re.compile(r"^[EWSN]\d{8}$")
SAFE_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,63}$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
NAMES = ("authority.yaml", "authority.yml")


@dataclass(frozen=True)
class Authority:
    la_code: str
    la_name: str
    region: str
    extract_date: pd.Timestamp | None = None
    financial_year_start_month: int = 4
    synthetic: bool = False
    annex_a_start: pd.Timestamp | None = None  # first day the Annex A lists cover, if stated
    contact_name: str = ""  # who answers questions on the figures (the workbook's cover)
    contact_email: str = ""


@dataclass(frozen=True)
class Setting:
    """One key of authority.yaml: its type (``text``, ``date``, ``bool``, ``int``), whether it
    must be given, and what a value must be."""

    kind: str
    required: bool = False
    expected: str = ""
    check: Callable[[object], bool] | None = None


def la_code_ok(value: object) -> bool:
    """Whether ``value`` is a nine-character ONS code or a safe slug (it names run folders)."""
    return bool(ONS_CODE.match(str(value)) or SAFE_SLUG.match(str(value)))


def _plausible_date(value: object) -> bool:
    return 1990 <= value.year <= 2100  # type: ignore[attr-defined]


SETTINGS: dict[str, Setting] = {
    "la_code": Setting("text", True, "a nine-character ONS code such as E09000001 (or letters, "
                       "digits and hyphens only)", la_code_ok),
    "la_name": Setting("text", True, "the authority's name"),
    "region": Setting("text", True, "the authority's region"),
    "extract_date": Setting("date", True, "the date the data was extracted, as YYYY-MM-DD "
                            "(e.g. 2024-12-31), between 1990 and 2100", _plausible_date),
    "annex_a_start": Setting("date", False, "the first day the Annex A lists cover, as "
                             "YYYY-MM-DD, between 1990 and 2100", _plausible_date),
    "financial_year_start_month": Setting("int", False, "a month number from 1 to 12",
                                          lambda v: 1 <= int(v) <= 12),  # type: ignore[call-overload]
    "synthetic": Setting("bool", False, "true or false (without quotes): whether the data is "
                         "synthetic"),
    "seed": Setting("int", False, "the demonstration generator's random seed (a whole number)"),
    "contact_name": Setting("text", False, "the person or team who answers questions on the "
                            "figures (shown on the workbook's and the Word draft's cover)"),
    "contact_email": Setting("text", False, "an email address such as performance@council.gov.uk",
                             lambda v: bool(EMAIL.match(str(v)))),
}  # fmt: skip


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses a key given twice (PyYAML keeps the last one silently)."""


def _mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict:
    seen: set[object] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key {key!r} is given twice", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def authority_file(folder: Path) -> Path:
    """The settings file of a data folder, named authority.yaml or .yml in any case (the
    default name if there is none, or several: the loader reports those)."""
    found = [p for name in NAMES for p in F.entries(folder).get(name, [])]
    return found[0] if len(found) == 1 else folder / NAMES[0]


def read_authority(path: Path, log: ProblemLog) -> Authority:
    """Read ``authority.yaml``; a missing, unreadable or malformed setting is a fatal problem."""
    fallback = Authority("unknown", "Unknown authority", "unknown")
    if F.kind(path) == "missing":
        log.add(
            FATAL,
            "missing file",
            str(path),
            expected="authority.yaml with la_code, la_name, region and extract_date",
        )
        return fallback
    refused = F.not_a_file(path)
    if refused is not None:
        log.add(FATAL, "not a file", str(path), value=refused, expected="a YAML file of settings")
        log.not_used(path, refused)
        return fallback
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader) or {}  # noqa: S506 - a SafeLoader
    except (yaml.YAMLError, UnicodeDecodeError, OSError) as exc:
        detail = str(exc).splitlines()[0] if isinstance(exc, yaml.YAMLError) else type(exc).__name__
        log.add(
            FATAL,
            "unreadable file",
            str(path),
            value=detail,
            expected="a YAML file of settings (key: value, one per line)",
        )
        log.not_used(path, "not readable as YAML settings")
        return fallback
    if not isinstance(data, dict):
        log.add(FATAL, "unreadable file", str(path), expected="a YAML mapping of settings")
        log.not_used(path, "not a mapping of settings")
        return fallback
    log.used(path, "authority settings", f"named {path.name}")
    values = _validate(data, path, log)
    extract, start = values.get("extract_date"), values.get("annex_a_start")
    if extract is not None and start is not None and start > extract:
        log.add(
            FATAL,
            "invalid setting",
            str(path),
            column="annex_a_start",
            value=f"{start:%Y-%m-%d}",
            expected=f"a date on or before extract_date ({extract:%Y-%m-%d})",
        )
    return Authority(
        la_code=str(values.get("la_code", "unknown")),
        la_name=str(values.get("la_name", "Unknown authority")),
        region=str(values.get("region", "unknown")),
        extract_date=extract,
        financial_year_start_month=int(values.get("financial_year_start_month", 4)),
        synthetic=bool(values.get("synthetic", False)),
        annex_a_start=start,
        contact_name=str(values.get("contact_name", "")),
        contact_email=str(values.get("contact_email", "")),
    )


def _validate(data: dict, path: Path, log: ProblemLog) -> dict[str, object]:
    """The settings that pass their checks, typed; every other one is a fatal problem."""
    values: dict[str, object] = {}
    for key, raw in data.items():
        setting = SETTINGS.get(str(key))
        if setting is None:
            near = difflib.get_close_matches(str(key), list(SETTINGS), n=1, cutoff=0.6)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            log.add(
                FATAL,
                "unknown setting",
                str(path),
                column=str(key),
                value=_shown(raw),
                expected=f"a known setting{hint}: {', '.join(SETTINGS)}",
            )
            continue
        value = _typed(setting.kind, raw)
        ok = value is not None and (setting.check is None or setting.check(value))
        if not ok:
            log.add(
                FATAL,
                "invalid setting",
                str(path),
                column=str(key),
                value=_shown(raw),
                expected=setting.expected,
            )
            continue
        values[str(key)] = value
    for key, setting in SETTINGS.items():
        if setting.required and key not in data:
            log.add(
                FATAL,
                "missing setting",
                str(path),
                column=key,
                expected=f"{key}: {setting.expected}",
            )
    return values


def _typed(kind: str, raw: object) -> object | None:
    """``raw`` as a value of ``kind``, or None if it is not one (no coercion of text)."""
    if kind == "bool":
        return raw if isinstance(raw, bool) else None
    if kind == "int":
        return raw if isinstance(raw, int) and not isinstance(raw, bool) else None
    if kind == "text":
        return raw.strip() if isinstance(raw, str) and raw.strip() else None
    if isinstance(raw, dt.datetime):  # an ISO timestamp: only midnight is a date
        return pd.Timestamp(raw.date()) if raw.time() == dt.time() else None
    if isinstance(raw, dt.date):
        return pd.Timestamp(raw)
    if isinstance(raw, str) and ISO_DATE.match(raw.strip()):
        value = pd.to_datetime(raw.strip(), format="%Y-%m-%d", errors="coerce")
        return None if pd.isna(value) else value
    return None


def _shown(raw: object) -> str:
    return repr(raw) if isinstance(raw, str) else str(raw)
