"""The children-in-need census return (DfE's XML ``Message``), read into tables and validated
row by row like the other inputs.

Structure (domain reference 4.2): ``Header/CollectionDetails(Collection, Year, ReferenceDate)``
and ``Header/Source(.., LEA, ..)``, then ``Children/Child`` with ``ChildIdentifiers``,
``ChildCharacteristics`` and one or more ``CINdetails``, each holding ``Assessments``,
``CINPlanDates``, ``Section47``, ``ChildProtectionPlans`` (with ``Reviews``) and, from the
2025-26 collection, ``PreProceedingsandFGDM``.

The collection year's structure is selected by the file's own header: its ``ReferenceDate`` (the
31 March the census is taken at; the header ``Year`` is not trusted, since returns carry a stale
one) and the elements present. Elements of another year's structure (``GenderCurrent`` in a 2024
return, the pre-proceedings block before 2026) are read and reported; elements the census does
not define are reported and not read. Every unusable value is a problem with the file, the
element's line, the element and the value: dates that are not dates, codes that are not codes,
an assessment authorised before it started, a date after the census date, stray text after an
element. Coded values are normalised (``Sex`` ``1``/``M``; ``ReferralNFA`` ``0``/``false``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .problems import PROBLEM_COLUMNS, WARNING, ProblemLog

# element -> column name, per module (the fields DfE's specification defines)
IDENTIFIERS = {"LAchildID": "child_id", "UPN": "upn", "FormerUPN": "former_upn",
               "UPNunknown": "upn_unknown", "PersonBirthDate": "dob",
               "ExpectedPersonBirthDate": "expected_dob", "GenderCurrent": "gender",
               "Sex": "gender", "PersonDeathDate": "death_date"}  # fmt: skip
CHARACTERISTICS = {"Ethnicity": "ethnicity"}
CIN_DETAILS = {"CINreferralDate": "referral_date", "ReferralSource": "referral_source",
               "PrimaryNeedCode": "primary_need", "CINclosureDate": "closure_date",
               "ReasonForClosure": "closure_reason", "DateOfInitialCPC": "icpc_date",
               "ReferralNFA": "referral_nfa"}  # fmt: skip
MODULES = {
    "Assessments": ("assessments", {"AssessmentActualStartDate": "start",
                                    "AssessmentInternalReviewDate": "internal_review",
                                    "AssessmentAuthorisationDate": "authorised"}),
    "CINPlanDates": ("cin_plans", {"CINPlanStartDate": "start", "CINPlanEndDate": "end"}),
    "Section47": ("s47", {"S47ActualStartDate": "start", "InitialCPCtarget": "icpc_target",
                          "DateOfInitialCPC": "icpc_date", "ICPCnotRequired": "icpc_not_required"}),
    "ChildProtectionPlans": ("cpp", {"CPPstartDate": "start", "CPPendDate": "end",
                                     "InitialCategoryOfAbuse": "initial_category",
                                     "LatestCategoryOfAbuse": "latest_category",
                                     "NumberOfPreviousCPP": "n_previous_cpp"}),
    "PreProceedingsandFGDM": ("pre_proceedings", {
        "PPStartDate": "start", "LBPSentDate": "letter_before_proceedings",
        "FGDMMeetingOffer": "fgdm_offered", "FGDMMeetingFac": "fgdm_held",
        "InitialPPMeetingDate": "initial_meeting", "ReviewMeetingsCount": "n_reviews",
        "StepDecisionDate": "step_decision", "PPOutcome": "outcome",
        "CourtAppDate": "court_application", "LetterInitCPDate": "letter_initial_cp"}),
}  # fmt: skip
LISTS = {"Disabilities": "Disability", "FactorsIdentifiedAtAssessment": "AssessmentFactors",
         "Reviews": "CPPreviewDate"}  # fmt: skip
DATE_FIELDS = {"dob", "expected_dob", "death_date", "referral_date", "closure_date", "icpc_date",
               "start", "internal_review", "authorised", "end", "icpc_target",
               "letter_before_proceedings", "initial_meeting", "step_decision",
               "court_application", "letter_initial_cp"}  # fmt: skip
BOOLEANS = {"true": True, "1": True, "y": True, "yes": True,
            "false": False, "0": False, "n": False, "no": False}  # fmt: skip
EARLIEST = pd.Timestamp("1950-01-01")  # as for dates in the other inputs
OLDEST = 25  # years: a child in need is under 18 (a care leaver under 25)
SEX = {"1": "Male", "m": "Male", "male": "Male", "2": "Female", "f": "Female",
       "female": "Female", "0": "Not known", "9": "Not stated", "u": "Not known"}  # fmt: skip


@dataclass(frozen=True)
class Structure:
    """One collection year's data model."""

    name: str
    first: str  # first ReferenceDate it applies to
    gender: str
    only_here: frozenset[str] = frozenset()


STRUCTURES = (
    Structure("2021-22 to 2022-23", "2000-03-31", "GenderCurrent",
              frozenset({"GenderCurrent", "ExpectedPersonBirthDate", "PersonDeathDate",
                         "AssessmentInternalReviewDate"})),
    Structure("2023-24 to 2024-25", "2024-03-31", "Sex"),
    Structure("2025-26 onwards", "2026-03-31", "Sex", frozenset({"PreProceedingsandFGDM"})),
)  # fmt: skip
ALL_ELEMENTS = {*IDENTIFIERS, *CHARACTERISTICS, *CIN_DETAILS, *MODULES, *LISTS,
                *LISTS.values(), *(e for _, f in MODULES.values() for e in f),
                "ChildIdentifiers", "ChildCharacteristics", "CINdetails"}  # fmt: skip


def structure_for(reference_date: pd.Timestamp) -> Structure:
    """The structure a census taken at ``reference_date`` should have."""
    return [s for s in STRUCTURES if reference_date >= pd.Timestamp(s.first)][-1]


@dataclass
class CinCensus:
    """One census return: its header and its tables (one row per child, CIN episode,
    assessment, CIN plan, section 47, child protection plan, pre-proceedings), each row with the
    line of its element in ``_line``."""

    file: str
    reference_date: pd.Timestamp
    structure: str
    lea: str
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


class _Problems:
    """Problems collected while walking the XML (one list, added to the log at the end)."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.rows: list[dict] = []

    def add(self, kind: str, where: str, line: int | None, element: str, value: object,
            expected: str) -> None:  # fmt: skip
        self.rows.append({"severity": WARNING, "kind": kind, "file": self.file, "sheet": where,
                          "row": line, "column": element, "value": value,
                          "expected": expected})  # fmt: skip


def _text(el) -> str:
    return (el.text or "").strip()


def _strays(el, where: str, problems: _Problems) -> None:
    """Stray text after an element (``<UPNunknown>UN3</UPNunknown>PersonBirthDate``)."""
    tail = (el.tail or "").strip()
    if tail:
        problems.add("stray text", where, el.sourceline, el.tag, tail,
                     "nothing between elements; the text is ignored")  # fmt: skip


def _fields(el, spec: dict[str, str], where: str, problems: _Problems,
            structure: Structure) -> dict[str, object]:  # fmt: skip
    """The simple fields of one element, checking each child element is known."""
    lines: dict[str, int] = {}
    out: dict[str, object] = {"_line": el.sourceline, "_lines": lines}
    for child in el:
        if not isinstance(child.tag, str):  # comments, processing instructions
            continue
        _strays(child, where, problems)
        tag = child.tag
        if tag in spec:
            if len(child):
                problems.add("unexpected content", where, child.sourceline, tag,
                             "nested elements", "a single value")  # fmt: skip
            out[spec[tag]] = _text(child)
            lines[spec[tag]] = child.sourceline
            _check_structure(tag, child.sourceline, where, problems, structure)
        elif tag not in ALL_ELEMENTS:
            problems.add("unrecognised element", where, child.sourceline, tag, _text(child),
                         f"one of {', '.join(spec)}; the element is not read")  # fmt: skip
    return out


def _check_structure(tag: str, line: int, where: str, problems: _Problems,
                     structure: Structure) -> None:  # fmt: skip
    for other in STRUCTURES:
        if tag in other.only_here and other is not structure:
            problems.add(
                "element of another collection year",
                where,
                line,
                tag,
                "",
                f"the {structure.name} structure (selected by the ReferenceDate); it "
                f"belongs to the {other.name} structure: read all the same",
            )
    if tag == "Sex" and structure.gender != "Sex":
        problems.add("element of another collection year", where, line, tag, "",
                     f"{structure.gender} in the {structure.name} structure (selected by the "
                     "ReferenceDate): read all the same")  # fmt: skip


def _header(root, problems: _Problems) -> tuple[pd.Timestamp | None, str]:
    details = root.find("Header/CollectionDetails")
    if details is None:
        problems.add(
            "missing element",
            "Header",
            root.sourceline,
            "CollectionDetails",
            "",
            "Header/CollectionDetails with Collection, Year and ReferenceDate",
        )
        return None, ""
    collection = details.findtext("Collection", "").strip()
    if collection.upper() != "CIN":
        problems.add("invalid value", "Header", details.sourceline, "Collection", collection,
                     "CIN")  # fmt: skip
    ref_text = details.findtext("ReferenceDate", "").strip()
    ref = pd.to_datetime(ref_text, format="%Y-%m-%d", errors="coerce")
    line = getattr(details.find("ReferenceDate"), "sourceline", details.sourceline)
    if pd.isna(ref):
        problems.add(
            "invalid value",
            "Header",
            line,
            "ReferenceDate",
            ref_text,
            "the census date, YYYY-03-31; the return cannot be dated and is not used",
        )
        return None, ""
    if (ref.month, ref.day) != (3, 31):
        census_day = pd.Timestamp(year=ref.year + (ref.month > 3), month=3, day=31)
        problems.add(
            "invalid value",
            "Header",
            line,
            "ReferenceDate",
            ref_text,
            f"31 March (DfE rule 100); taken as the census of {census_day:%d %B %Y}",
        )
        ref = census_day
    year = details.findtext("Year", "").strip()
    if year and year != str(ref.year):
        problems.add("inconsistent header", "Header", details.sourceline, "Year", year,
                     f"{ref.year}, the year of the ReferenceDate {ref_text}; the "
                     "ReferenceDate is used")  # fmt: skip
    lea = (root.findtext("Header/Source/LEA") or "").strip()
    for el in root.find("Header").iter():
        if isinstance(el.tag, str):
            _strays(el, "Header", problems)
    return ref, lea


def read_cin_census(path: str | Path, log: ProblemLog) -> CinCensus | None:
    """Read one CIN census XML return; None (reported) if it cannot be parsed or dated."""
    from lxml import etree

    file = str(path)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        root = etree.parse(file, parser).getroot()
    except (etree.XMLSyntaxError, OSError) as exc:
        log.add(WARNING, "unreadable file", file, value=str(exc).splitlines()[0],
                expected="a CIN census XML return (a Message element)")  # fmt: skip
        log.not_used(file, "not a readable CIN census XML return (see the problem log)")
        return None
    problems = _Problems(file)
    if root.tag != "Message":
        log.add(WARNING, "unrecognised file", file, value=root.tag,
                expected="a CIN census return, whose root element is Message")  # fmt: skip
        log.not_used(file, "XML that is not a CIN census return")
        return None
    ref, lea = _header(root, problems)
    if ref is None:
        log.add_many(pd.DataFrame(problems.rows, columns=PROBLEM_COLUMNS))
        log.not_used(file, "the census date (ReferenceDate) cannot be read")
        return None
    structure = structure_for(ref)
    rows: dict[str, list[dict]] = {
        k: [] for k in ("children", "cin", *(m for m, _ in MODULES.values()))
    }
    children = root.findall("Children/Child")
    for n, child in enumerate(children, start=1):
        _walk_child(child, n, rows, problems, structure)
    tables = {key: pd.DataFrame(recs) for key, recs in rows.items()}
    tables = _typed(tables, ref, problems)
    log.add_many(pd.DataFrame(problems.rows, columns=PROBLEM_COLUMNS))
    log.used(file, f"CIN census return at {ref:%d %B %Y} ({structure.name} structure), "
             f"{len(children)} children, {len(tables['cin'])} episodes of need",
             "root element Message with Header/CollectionDetails; structure chosen by the "
             "ReferenceDate")  # fmt: skip
    return CinCensus(file, ref, structure.name, lea, tables)


def _walk_child(child, n: int, rows: dict[str, list[dict]], problems: _Problems,
                structure: Structure) -> None:  # fmt: skip
    ids_el = child.find("ChildIdentifiers")
    ids = (
        _fields(ids_el, IDENTIFIERS, "Child/ChildIdentifiers", problems, structure)
        if (ids_el is not None)
        else {"_line": child.sourceline}
    )
    child_id = str(ids.get("child_id") or "")
    if not child_id:
        problems.add(
            "missing value",
            "Child/ChildIdentifiers",
            child.sourceline,
            "LAchildID",
            "",
            "the child's identifier; the child is numbered by position instead",
        )
        child_id = f"child {n} (no LAchildID)"
    ids["child_id"] = child_id
    chars = child.find("ChildCharacteristics")
    if chars is not None:
        ids.update(
            {
                k: v
                for k, v in _fields(
                    chars, CHARACTERISTICS, "Child/ChildCharacteristics", problems, structure
                ).items()
                if k != "_line"
            }
        )
        disabilities = [_text(d) for d in chars.iterfind("Disabilities/Disability")]
        ids["disabilities"] = " ".join(d for d in disabilities if d)
    rows["children"].append(ids)
    for k, detail in enumerate(child.iterfind("CINdetails"), start=1):
        cin_id = f"{child_id}#{k}"
        rec = _fields(detail, CIN_DETAILS, "Child/CINdetails", problems, structure)
        rows["cin"].append({**rec, "child_id": child_id, "cin_id": cin_id})
        for tag, (key, spec) in MODULES.items():
            for m, module in enumerate(detail.iterfind(tag), start=1):
                where = f"Child/CINdetails/{tag}"
                mrec = _fields(module, spec, where, problems, structure)
                _check_structure(tag, module.sourceline, "Child/CINdetails", problems, structure)
                list_tag = next((lt for lt, item in LISTS.items() if module.find(lt) is not None),
                                None)  # fmt: skip
                if list_tag is not None:
                    items = [_text(i) for i in module.iterfind(f"{list_tag}/{LISTS[list_tag]}")]
                    mrec[LISTS[list_tag]] = [i for i in items if i]
                rows[key].append({**mrec, "child_id": child_id, "cin_id": cin_id,
                                  "module_id": f"{cin_id}/{tag}#{m}"})  # fmt: skip


def _typed(tables: dict[str, pd.DataFrame], ref: pd.Timestamp,
           problems: _Problems) -> dict[str, pd.DataFrame]:  # fmt: skip
    """Dates, flags and codes typed; every value that cannot be used reported with its line."""
    where = {"children": "Child/ChildIdentifiers", "cin": "Child/CINdetails",
             **{key: f"Child/CINdetails/{tag}" for tag, (key, _) in MODULES.items()}}  # fmt: skip
    specs = {"children": {**IDENTIFIERS, **CHARACTERISTICS}, "cin": CIN_DETAILS,
             **{key: spec for key, spec in MODULES.values()}}  # fmt: skip
    out = {}
    for key, frame in tables.items():
        element_of = {col: el for el, col in specs[key].items()}
        columns = ["_line", "child_id", *dict.fromkeys(specs[key].values())]
        columns += [] if key == "children" else ["cin_id"] + (["module_id"] if key != "cin"
                                                               else [])  # fmt: skip
        frame = frame.reindex(columns=list(dict.fromkeys([*columns, *frame.columns])))
        for col in [c for c in frame.columns if c in DATE_FIELDS]:
            text = frame[col].astype("string").str.strip()
            dates = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
            for idx in frame.index[text.notna() & (text != "") & dates.isna()]:
                problems.add("invalid date", where[key], _line_of(frame, idx, col),
                             element_of.get(col, col), text[idx],
                             "a date written YYYY-MM-DD; left missing")  # fmt: skip
            early = dates < EARLIEST
            for idx in frame.index[early]:
                problems.add("implausible date", where[key], _line_of(frame, idx, col),
                             element_of.get(col, col), text[idx],
                             f"a date from {EARLIEST:%Y} on; left missing")  # fmt: skip
            dates = dates.where(~early)
            if col == "dob":
                old = dates < ref - pd.DateOffset(years=OLDEST)
                for idx in frame.index[old]:
                    problems.add("implausible date", where[key], _line_of(frame, idx, col),
                                 "PersonBirthDate", text[idx],
                                 f"a child's date of birth: under {OLDEST} at the census date; "
                                 "kept, so ages from it are wrong")  # fmt: skip
            future = dates > ref
            for idx in frame.index[future]:
                problems.add(
                    "date after the census date",
                    where[key],
                    _line_of(frame, idx, col),
                    element_of.get(col, col),
                    text[idx],
                    f"a date on or before the ReferenceDate {ref:%Y-%m-%d}; kept, and "
                    "the record it dates counts only where it is in the year",
                )
            frame[col] = dates
        for col in ("referral_nfa", "icpc_not_required", "fgdm_offered", "fgdm_held"):
            if col in frame:
                text = frame[col].astype("string").str.strip().str.lower()
                flag = text.map(BOOLEANS)
                for idx in frame.index[text.notna() & (text != "") & flag.isna()]:
                    problems.add("unknown code", where[key], _line_of(frame, idx, col),
                                 element_of.get(col, col), frame.at[idx, col],
                                 "true/false (or 1/0)")  # fmt: skip
                frame[col] = flag.astype("boolean")
        if "n_previous_cpp" in frame:
            number = pd.to_numeric(frame["n_previous_cpp"], errors="coerce")
            bad = frame["n_previous_cpp"].notna() & (number.isna() | (number < 0))
            for idx in frame.index[bad]:
                problems.add("invalid number", where[key], _line_of(frame, idx, "n_previous_cpp"),
                             "NumberOfPreviousCPP", frame.at[idx, "n_previous_cpp"],
                             "a whole number, 0 or more")  # fmt: skip
            frame["n_previous_cpp"] = number.where(~bad).astype("Int64")
        if key == "children" and "gender" in frame:
            text = frame["gender"].astype("string").str.strip().str.lower()
            sex = text.map(SEX)
            for idx in frame.index[text.notna() & (text != "") & sex.isna()]:
                problems.add("unknown code", where[key], _line_of(frame, idx, "gender"), "Sex",
                             frame.at[idx, "gender"], "1/M, 2/F, 0 or 9")  # fmt: skip
            frame["gender"] = sex
        out[key] = frame
    _order_checks(out, problems, where)
    return out


ORDER_CHECKS = (  # table, earlier, later, what
    ("cin", "referral_date", "closure_date", "CINclosureDate before CINreferralDate"),
    ("assessments", "start", "authorised",
     "AssessmentAuthorisationDate before AssessmentActualStartDate"),
    ("s47", "start", "icpc_date",
     "DateOfInitialCPC before S47ActualStartDate (DfE leaves it out of the timeliness measure)"),
    ("cpp", "start", "end", "CPPendDate before CPPstartDate"),
    ("cin_plans", "start", "end", "CINPlanEndDate before CINPlanStartDate"),
)  # fmt: skip


def _element(key: str, col: str) -> str:
    """The element a column of table ``key`` was read from."""
    spec = {"children": IDENTIFIERS, "cin": CIN_DETAILS, **dict(MODULES.values())}[key]
    return next((el for el, c in spec.items() if c == col), col)


def _line_of(frame: pd.DataFrame, idx: object, col: str) -> object:
    """The line of the element holding ``col`` (else of its record)."""
    lines = frame.at[idx, "_lines"] if "_lines" in frame else None
    return lines.get(col, frame.at[idx, "_line"]) if isinstance(lines, dict) else (
        frame.at[idx, "_line"])  # fmt: skip


def _order_checks(tables: dict[str, pd.DataFrame], problems: _Problems,
                  where: dict[str, str]) -> None:  # fmt: skip
    for key, early, late, what in ORDER_CHECKS:
        frame = tables.get(key)
        if frame is None or early not in frame or late not in frame:
            continue
        wrong = frame[late] < frame[early]
        for idx in frame.index[wrong.fillna(False)]:
            problems.add(
                "dates in the wrong order",
                where[key],
                _line_of(frame, idx, late),
                _element(key, late),
                f"{frame.at[idx, late]:%Y-%m-%d} < {frame.at[idx, early]:%Y-%m-%d}",
                f"no {what}; the record is left out of the durations it affects",
            )
    cin = tables.get("cin")
    if cin is not None and "referral_date" in cin:
        for idx in cin.index[cin["referral_date"].isna()]:
            problems.add("missing value", where["cin"], _line_of(cin, idx, "referral_date"),
                         "CINreferralDate",
                         "", "every episode of need has a referral date")  # fmt: skip


def read_cin_census_folder(folder: Path, log: ProblemLog) -> list[CinCensus]:
    """Every ``.xml`` return in ``folder`` (other files are recorded as not used)."""
    out = []
    for file in sorted(p for p in folder.rglob("*") if p.is_file()):
        if file.suffix.lower() != ".xml":
            log.not_used(str(file), "not an XML file: the CIN census return is XML")
            continue
        census = read_cin_census(file, log)
        if census is not None:
            out.append(census)
    return out


def combine(returns: list[CinCensus]) -> dict[str, pd.DataFrame]:
    """Several years' returns as one set of tables, each row tagged with its census date
    (``census_date``) so that a year's measures read that year's return, and earlier returns
    give the history (previous referrals and plans)."""
    tables: dict[str, list[pd.DataFrame]] = {}
    for census in returns:
        for key, frame in census.tables.items():
            tables.setdefault(key, []).append(
                frame.assign(census_date=census.reference_date, source_file=census.file)
            )
    return {k: pd.concat(v, ignore_index=True) for k, v in tables.items() if v}


def children_columns(children: pd.DataFrame) -> pd.DataFrame:
    """Per child: ``dob``, ``gender``, ``ethnicity``, ``disability`` (Yes where a disability
    other than NONE is recorded), as the Annex A lists name them (for breakdowns)."""
    kids = children.drop_duplicates(["child_id", "census_date"], keep="last")
    disabled = kids.get("disabilities", pd.Series("", index=kids.index)).fillna("")
    has = disabled.str.split().map(lambda codes: bool(set(codes) - {"NONE"}))
    return pd.DataFrame({"child_id": kids["child_id"], "census_date": kids["census_date"],
                         "dob": kids.get("dob"), "gender": kids.get("gender"),
                         "ethnicity": kids.get("ethnicity"),
                         "disability": np.where(has, "Yes", "No")})  # fmt: skip


__all__ = ["read_cin_census", "read_cin_census_folder", "CinCensus", "combine", "STRUCTURES",
           "structure_for", "children_columns"]  # fmt: skip
