"""The authority's own CSV files: workforce, audits, supervision, complaints, population,
benchmarks, statistical neighbours and targets; and, optionally, the local trackers no statutory
return holds (early help episodes, PLO and care proceedings, exploitation, LADO allegations,
missing episodes and return interviews, the fostering register, the Virtual School's year and
PEPs, compliments).

Each table has a fixed schema (:data:`LOCAL_TABLES`, typed columns with their ranges): a column
it does not know is fatal, with the nearest known column suggested; values are parsed with the
same tolerant rules as Annex A and checked against their ranges cell by cell; rows that share a
key (a population year, a benchmark's indicator, period and area, a target's indicator) with
different values are fatal, and identical repeats are reported and dropped; targets must name
a registered indicator.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import numpy as np
import pandas as pd

from . import codes as C
from . import files as F
from .annex_a import parse_list, read_csv_raw
from .annex_a_spec import Column, ListSpec
from .codes import YES_NO
from .problems import FATAL, PROBLEM_COLUMNS, WARNING, ProblemLog

GRADES = {
    "Outstanding": ["o", "1"],
    "Good": ["g", "2"],
    "Requires improvement": ["ri", "3", "requires improvement to be good"],
    "Inadequate": ["i", "4"],
}
AREA_TYPES = {"england": ["national", "eng"], "region": ["regional"], "la": ["local authority"]}
COMPLAINT_STAGES = {
    "Informal": ["informal resolution", "early resolution", "local resolution", "stage 0"],
    "Stage 1": ["1", "stage one"],
    "Stage 2": ["2", "stage two", "investigation"],
    "Stage 3": ["3", "stage three", "review panel"],
    "LGSCO": ["ombudsman", "lgo", "local government ombudsman",
              "local government and social care ombudsman"],
}  # fmt: skip
EH_END = {
    "Step-up to social care": ["step up", "step-up", "stepped up", "step up to social care",
                               "escalated to social care"],
    "Outcomes achieved": ["outcomes met", "needs met", "closed - outcomes achieved"],
    "Disengaged": ["family disengaged", "consent withdrawn", "declined"],
    "Moved away": ["moved", "moved out of area"],
    "Other": [],
}  # fmt: skip
PLO_OUTCOME = {
    "Diverted": ["diverted from proceedings", "stepped down", "closed", "ended"],
    "Proceedings issued": ["issued", "care proceedings", "proceedings"],
    "Other": [],
}
ORDERS = {
    "Care order": ["c2", "full care order"], "Supervision order": [],
    "Placement order": ["e1"], "Special guardianship order": ["sgo"],
    "Child arrangements order": ["cao"], "No order": ["withdrawn", "none"], "Other": [],
}  # fmt: skip
RISK_LEVELS = {
    "Significant": ["high", "significant risk", "red"],
    "Moderate": ["medium", "moderate risk", "amber"],
    "Emerging": ["low", "emerging risk", "green"],
    "Not at risk": ["no risk", "none", "no risk identified"],
}
EXPLOITATION_TYPES = {
    "CSE": ["sexual", "child sexual exploitation"],
    "CCE": ["criminal", "child criminal exploitation", "county lines"],
    "Both": ["cse and cce", "cse/cce"],
    "Other": ["trafficking", "modern slavery", "radicalisation"],
}
LADO_OUTCOMES = {c: [] for c in ["Substantiated", "Unsubstantiated", "Unfounded", "False",
                                 "Malicious"]}  # fmt: skip
HOUSEHOLD_TYPES = {
    "Mainstream": ["general", "unrelated", "mainstream foster carer"],
    "Connected persons": ["family and friends", "kinship", "connected person"],
    "Other": ["short breaks", "respite", "specialist"],
}
DEREGISTRATION = {
    "Resigned": ["resignation"], "Retired": [],
    "Terminated": ["deregistered by the service", "no longer suitable"],
    "Transferred": ["moved to another agency", "transferred to an ifa"], "Other": [],
}  # fmt: skip
FTE_MAX = 10_000  # more social workers than any authority employs
POPULATION_MAX = 2_000_000  # more children than live in any authority


def _t(
    key: str,
    title: str,
    cols: list[Column],
    required: tuple[str, ...],
    unique: tuple[str, ...] = (),
) -> ListSpec:
    return ListSpec(
        0, key, title, tuple(cols), required_values=required, closed=True, unique=unique
    )


def _fte(key: str, required: bool = True, high: float = FTE_MAX) -> Column:
    return Column(key, key, "number", required=required, low=0, high=high)


LOCAL_TABLES: dict[str, ListSpec] = {
    "workforce": _t("workforce", "workforce.csv (monthly social-worker establishment)", [
        Column("month", "month", "date"),
        Column("team", "team", "text", required=False),
        _fte("fte_in_post"), _fte("agency_fte"), _fte("vacancy_fte"), _fte("starters_fte"),
        _fte("leavers_fte"), _fte("case_holding_fte"), _fte("cases_held", high=1_000_000),
        _fte("sickness_days_lost", required=False, high=1_000_000),
    ], ("month",)),
    "audits": _t("audits", "audits.csv (quality-assurance case audits)", [
        Column("audit_date", "audit_date", "date"),
        Column("service_area", "service_area", "text"),
        Column("theme", "theme", "text", required=False),
        Column("grade", "grade", "code", GRADES),
        Column("moderated", "moderated", "code", YES_NO, required=False),
        Column("moderated_grade", "moderated_grade", "code", GRADES, required=False),
    ], ("audit_date", "grade")),
    "supervision": _t("supervision", "supervision.csv", [
        Column("due_date", "due_date", "date", future_ok=True),  # supervisions are booked ahead
        Column("team", "team", "text", required=False),
        Column("held_date", "held_date", "date"),
    ], ("due_date",)),
    "complaints": _t("complaints", "complaints.csv", [
        Column("received_date", "received_date", "date"),
        Column("stage", "stage", "code", COMPLAINT_STAGES, required=False),
        Column("responded_date", "responded_date", "date"),
        Column("timescale_days", "timescale_days", "int", required=False, high=366),
        Column("upheld", "upheld", "code", YES_NO | {"Partly": ["partly", "partially"]},
               required=False),
    ], ("received_date",)),
    "population": _t("population", "population.csv (ONS mid-year estimates, children 0-17)", [
        Column("year", "year", "int", low=1990, high=2100),
        Column("population", "population", "int", low=1, high=POPULATION_MAX),
    ], ("year", "population"), unique=("year",)),
    "benchmarks": _t("benchmarks", "benchmarks.csv (published comparator values)", [
        Column("indicator_id", "indicator_id", "text"),
        Column("time_period", "time_period", "date"),
        Column("area_code", "area_code", "text"),
        Column("area_name", "area_name", "text"),
        Column("area_type", "area_type", "code", AREA_TYPES),
        Column("value", "value", "number", low=0),
        Column("numerator", "numerator", "number", required=False, low=0),
        Column("denominator", "denominator", "number", required=False, low=0),
    ], ("indicator_id", "time_period", "area_code"),
        unique=("indicator_id", "time_period", "area_code")),
    "statistical_neighbours": _t("statistical_neighbours", "statistical_neighbours.csv", [
        Column("area_code", "area_code", "text"),
        Column("area_name", "area_name", "text"),
        Column("rank", "rank", "int", required=False, low=1, high=200),
    ], ("area_code",), unique=("area_code",)),
    "targets": _t("targets", "targets.csv (local targets)", [
        Column("indicator_id", "indicator_id", "text"),
        Column("target", "target", "number", low=0),
        Column("tolerance", "tolerance", "number", required=False, low=0),
    ], ("indicator_id", "target"), unique=("indicator_id",)),
}  # fmt: skip


def _child(team: bool = True) -> list[Column]:
    """A child's identifier and demographics, as Annex A records them (for breakdowns)."""
    return [
        Column("child_id", "child_id", "id"),
        Column("dob", "dob", "date", required=False),
        Column("gender", "gender", "code", C.GENDER, required=False),
        Column("ethnicity", "ethnicity", "code", C.ETHNICITY, required=False),
        Column("disability", "disability", "code", C.YES_NO_UNKNOWN, required=False),
    ] + ([Column("team", "team", "text", required=False)] if team else [])


def _opt(key: str, kind: str = "date", codes: dict | None = None, **kw: object) -> Column:
    return Column(key, key, kind, codes, required=False, **kw)  # type: ignore[arg-type]


# Optional local trackers (see docs/inputs.md): each row's columns, codes and ranges; the
# indicators that read them are in indicators/local_*.py and indicators/virtual_school.py
LOCAL_TRACKERS: dict[str, ListSpec] = {
    "early_help_episodes": ListSpec(0, "early_help_episodes", "early_help_episodes.csv (early "
                                    "help episodes)", tuple(
        _child() + [Column("start_date", "start_date", "date"), _opt("end_date"),
                    _opt("step_down", "code", YES_NO), _opt("end_reason", "code", EH_END)]),
        intervals=(("start_date", "end_date", "reject"),),
        required_values=("child_id", "start_date"), prebirth_days=280, closed=True),
    "plo": ListSpec(0, "plo", "plo.csv (PLO pre-proceedings and care proceedings)", tuple(
        _child() + [_opt("family_id", "text"), _opt("pre_proceedings_start"),
                    _opt("pre_proceedings_end"),
                    _opt("pre_proceedings_outcome", "code", PLO_OUTCOME),
                    _opt("proceedings_issued"), _opt("final_order"),
                    _opt("order_type", "code", ORDERS)]),
        intervals=(("pre_proceedings_start", "pre_proceedings_end", "report"),
                   ("proceedings_issued", "final_order", "report")),
        required_values=("child_id",), prebirth_days=280, closed=True),
    "exploitation": ListSpec(0, "exploitation", "exploitation.csv (exploitation screenings "
                             "and risk levels)", tuple(
        _child() + [Column("screening_date", "screening_date", "date"),
                    Column("risk_level", "risk_level", "code", RISK_LEVELS),
                    _opt("exploitation_type", "code", EXPLOITATION_TYPES), _opt("end_date")]),
        intervals=(("screening_date", "end_date", "reject"),),
        required_values=("child_id", "screening_date", "risk_level"), closed=True),
    "lado": ListSpec(0, "lado", "lado.csv (allegations against people who work with "
                     "children)", (
        _opt("allegation_id", "id"), Column("received_date", "received_date", "date"),
        Column("progressed_to_referral", "progressed_to_referral", "code", YES_NO),
        _opt("outcome", "code", LADO_OUTCOMES), _opt("outcome_date"),
        _opt("sector", "text")),
        intervals=(("received_date", "outcome_date", "report"),),
        required_values=("received_date",), closed=True),
    "missing_episodes": ListSpec(0, "missing_episodes", "missing_episodes.csv (missing "
                                 "episodes and return interviews)", tuple(
        _child() + [Column("looked_after", "looked_after", "code", YES_NO),
                    Column("start_date", "start_date", "date"), _opt("end_date"),
                    _opt("rhi_offered", "code", C.YES_NO_UNKNOWN),
                    _opt("rhi_accepted", "code", C.YES_NO_UNKNOWN), _opt("rhi_date")]),
        intervals=(("start_date", "end_date", "report"),),
        required_values=("child_id", "start_date"), closed=True),
    "fostering": ListSpec(0, "fostering", "fostering.csv (fostering households)", (
        Column("household_id", "household_id", "id"),
        Column("household_type", "household_type", "code", HOUSEHOLD_TYPES),
        _opt("enquiry_date"), _opt("approval_date"), _opt("deregistration_date"),
        _opt("deregistration_reason", "code", DEREGISTRATION),
        _opt("approved_places", "int", low=0, high=20), _opt("mockingbird", "code", YES_NO)),
        intervals=(("approval_date", "deregistration_date", "report"),),
        required_values=("household_id",), closed=True, unique=("household_id",)),
    "virtual_school": ListSpec(0, "virtual_school", "virtual_school.csv (children looked "
                               "after: school year outcomes)", tuple(
        _child(team=False) + [Column("year_ending", "year_ending", "int", low=2000, high=2100),
                              _opt("year_group", "int", low=-1, high=14),
                              _opt("sessions_possible", "int", low=0, high=1000),
                              _opt("sessions_attended", "int", low=0, high=1000),
                              _opt("suspensions", "int", low=0, high=200),
                              _opt("permanent_exclusion", "code", YES_NO),
                              _opt("ks2_rwm_expected", "code", YES_NO),
                              _opt("ks4_attainment8", "number", low=0, high=90)]),
        required_values=("child_id", "year_ending"), closed=True,
        unique=("child_id", "year_ending")),
    "peps": ListSpec(0, "peps", "peps.csv (personal education plans)", tuple(
        _child(team=False) + [Column("due_date", "due_date", "date", future_ok=True),
                              _opt("completed_date"), _opt("quality", "code", GRADES)]),
        required_values=("child_id", "due_date"), closed=True),
    # two headings at least, so that the heading row is recognised (team may be blank)
    "compliments": ListSpec(0, "compliments", "compliments.csv", (
        Column("received_date", "received_date", "date"), Column("team", "team", "text")),
        required_values=("received_date",), closed=True),
}  # fmt: skip
LOCAL_TABLES.update(LOCAL_TRACKERS)

REQUIRED_FILES = ("population",)


def read_local_table(key: str, path: Path | None, log: ProblemLog) -> pd.DataFrame | None:
    """One local CSV table, or None (reported as fatal if required) when the file is absent.

    Dates are bounded by today (a local table may be extracted after the Annex A lists)."""
    spec = LOCAL_TABLES[key]
    if path is None or F.kind(path) == "missing":
        if key in REQUIRED_FILES:
            where = path if path is not None else Path(f"{key}.csv")
            log.add(FATAL, "missing file", str(where), expected=f"{spec.title}")
        return None
    raw = read_csv_raw(path, log)
    if raw is None:
        log.not_used(path, f"meant as {spec.title} but could not be read")
        return None
    log.used(path, spec.title, f"named {path.name}")
    frame = parse_list(raw, spec, log, str(path), today=True)
    frame = _unique(frame, spec, log, str(path))
    if key in {"targets", "benchmarks"}:
        frame = _known_indicators(frame, key, log, str(path))
    return frame


def _unique(frame: pd.DataFrame, spec: ListSpec, log: ProblemLog, file: str) -> pd.DataFrame:
    """Rows sharing the table's key: identical repeats are reported and dropped; repeats with
    different values are fatal (which one is right cannot be known), naming the rows."""
    if not spec.unique or frame.empty:
        return frame
    data = [c.key for c in spec.columns]
    has_key = np.logical_and.reduce([frame[c].notna().to_numpy() for c in spec.unique])
    keyed = frame if has_key.all() else frame.loc[has_key]  # rows without a key are kept
    repeat = keyed.duplicated(data, keep="first")
    frames = []
    if repeat.any():
        frames.append(
            pd.DataFrame(
                {
                    "severity": WARNING,
                    "kind": "duplicate row",
                    "file": file,
                    "sheet": "",
                    "row": keyed.loc[repeat, "_row"].to_numpy(),
                    "column": "",
                    "value": "",
                    "expected": "each row once; the repeat is excluded",
                },
                columns=PROBLEM_COLUMNS,
            )
        )
    distinct = keyed.loc[~repeat]
    clash = distinct.duplicated(list(spec.unique), keep=False)
    if clash.any():
        groups = distinct.loc[clash].groupby(list(spec.unique), sort=False, dropna=False)["_row"]
        for key, rows in groups:
            values = key if isinstance(key, tuple) else (key,)
            shown = ", ".join(
                str(v.date()) if isinstance(v, pd.Timestamp) else str(v) for v in values
            )
            frames.append(
                pd.DataFrame(
                    [
                        {
                            "severity": FATAL,
                            "kind": "conflicting rows",
                            "file": file,
                            "sheet": "",
                            "row": int(rows.iloc[1]),
                            "column": ", ".join(spec.unique),
                            "value": f"{shown} on rows {', '.join(str(int(r)) for r in rows)}",
                            "expected": f"one row per {', '.join(spec.unique)}: these rows "
                            "disagree, and which is right cannot be known",
                        }
                    ],
                    columns=PROBLEM_COLUMNS,
                )
            )
    if frames:
        log.add_many(pd.concat(frames, ignore_index=True))
    if not repeat.any():
        return frame
    return frame.drop(index=keyed.index[repeat]).reset_index(drop=True)


def _known_indicators(frame: pd.DataFrame, key: str, log: ProblemLog, file: str) -> pd.DataFrame:
    """Targets must name a registered indicator (fatal otherwise: a target that names no
    indicator is a typing error, and would vanish); benchmarks for other measures are reported
    and not used. A percentage above 100 is out of range in both."""
    from ..indicators import load_all
    from ..indicators.registry import REGISTRY

    load_all()
    ids = frame["indicator_id"]
    unknown = ids.notna() & ~ids.isin(list(REGISTRY))
    rows = []
    for rec in (
        frame.loc[unknown, ["_row", "indicator_id"]].itertuples(index=False)
        if unknown.any()
        else ()
    ):
        near = difflib.get_close_matches(str(rec[1]), list(REGISTRY), n=1, cutoff=0.6)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        rows.append(
            {
                "severity": FATAL if key == "targets" else WARNING,
                "kind": "unknown indicator",
                "file": file,
                "sheet": "",
                "row": int(rec[0]),
                "column": "indicator_id",
                "value": rec[1],
                "expected": "an indicator id from docs/indicators.md"
                + hint
                + ("" if key == "targets" else "; the row is not used"),
            }
        )
    value_col = "target" if key == "targets" else "value"
    pct = ids.isin([i for i, indicator in REGISTRY.items() if indicator.unit == "pct"])
    over = pct & (frame[value_col] > 100).fillna(False).astype(bool)
    for rec in frame.loc[over, ["_row", value_col]].itertuples(index=False) if over.any() else ():
        rows.append(
            {
                "severity": WARNING,
                "kind": "value out of range",
                "file": file,
                "sheet": "",
                "row": int(rec[0]),
                "column": value_col,
                "value": f"{rec[1]:g}",
                "expected": "a percentage from 0 to 100; the row is not used",
            }
        )
    if rows:
        log.add_many(pd.DataFrame(rows, columns=PROBLEM_COLUMNS))
    dropped = (unknown | over).to_numpy(dtype=bool)
    return frame.loc[~dropped].reset_index(drop=True) if dropped.any() else frame
