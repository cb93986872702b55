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
from functools import cache
from itertools import repeat
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from lxml import etree  # with the module (start-up), not on the first return read

from .problems import PROBLEM_COLUMNS, WARNING, ProblemLog
from .xml_elements import Elements, elements, head, scan

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
    """Problems found in one return, kept as blocks of rows in the order they are logged."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.blocks: list[pd.DataFrame] = []

    def add(self, kind: str, where: str, line: int | None, element: str, value: object,
            expected: str) -> None:  # fmt: skip
        self.add_many(kind, where, [line], element, [value], expected)

    def add_many(self, kind: object, where: object, lines: object, element: object,
                 values: object, expected: object) -> None:  # fmt: skip
        """One problem per line; any of the other fields may be one per line too."""
        if not len(lines):
            return
        row = pd.Series(lines, dtype=object)
        block = pd.DataFrame({"severity": WARNING, "kind": kind, "file": self.file,
                              "sheet": where, "row": row, "column": element, "value": values,
                              "expected": expected})  # fmt: skip
        self.blocks.append(block)

    def frame(self) -> pd.DataFrame:
        if not self.blocks:
            return pd.DataFrame(columns=PROBLEM_COLUMNS)
        return pd.concat(self.blocks, ignore_index=True)[PROBLEM_COLUMNS]


def _strays(el, where: str, problems: _Problems) -> None:
    """Stray text after an element (``<UPNunknown>UN3</UPNunknown>PersonBirthDate``)."""
    tail = (el.tail or "").strip()
    if tail:
        problems.add("stray text", where, el.sourceline, el.tag, tail,
                     "nothing between elements; the text is ignored")  # fmt: skip


def _check_structure(tag: str, structure: Structure) -> list[str]:
    """What is expected instead, for each way ``tag`` belongs to another collection year's
    structure than ``structure`` (nothing when it is this structure's own)."""
    others = [s for s in STRUCTURES if tag in s.only_here and s is not structure]
    out = [f"the {structure.name} structure (selected by the ReferenceDate); it belongs to the "
           f"{other.name} structure: read all the same" for other in others]  # fmt: skip
    if tag == "Sex" and structure.gender != "Sex":
        out.append(f"{structure.gender} in the {structure.name} structure (selected by the "
                   "ReferenceDate): read all the same")  # fmt: skip
    return out


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
    file = str(path)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    scanned = _scanned(file, parser)
    try:
        tree = etree.parse(file, parser) if scanned is None else None
    except (etree.XMLSyntaxError, OSError) as exc:
        log.add(WARNING, "unreadable file", file, value=str(exc).splitlines()[0],
                expected="a CIN census XML return (a Message element)")  # fmt: skip
        log.not_used(file, "not a readable CIN census XML return (see the problem log)")
        return None
    root = tree.getroot() if scanned is None else scanned[1]
    problems = _Problems(file)
    if root.tag != "Message":
        log.add(WARNING, "unrecognised file", file, value=root.tag,
                expected="a CIN census return, whose root element is Message")  # fmt: skip
        log.not_used(file, "XML that is not a CIN census return")
        return None
    ref, lea = _header(root, problems)
    if ref is None:
        log.add_many(problems.frame())
        log.not_used(file, "the census date (ReferenceDate) cannot be read")
        return None
    structure = structure_for(ref)
    found = _Found(scanned[0] if scanned else elements(Path(file).read_bytes(), tree))
    _walk_problems(found, structure, problems)
    tables, lines = _tables(found)
    tables = _typed(tables, lines, ref, problems)
    log.add_many(problems.frame())
    log.used(file, f"CIN census return at {ref:%d %B %Y} ({structure.name} structure), "
             f"{len(found.children)} children, {len(tables['cin'])} episodes of need",
             "root element Message with Header/CollectionDetails; structure chosen by the "
             "ReferenceDate")  # fmt: skip
    return CinCensus(file, ref, structure.name, lea, tables)


def _scanned(file: str, parser) -> tuple[Elements, object] | None:
    """A plain, well-formed return's elements read from its bytes (:func:`.xml_elements.scan`)
    and the root of lxml's parse of its beginning up to the end of its header (all that
    ``_header`` reads, on the same lines); None for any other file (lxml then parses it whole,
    and reports it if it is not XML)."""
    try:
        data = Path(file).read_bytes()
    except OSError:
        return None
    found = scan(data)
    if found is None:
        return None
    try:
        return found, etree.fromstring(head(data, found, "Header"), parser)
    except etree.XMLSyntaxError:  # not expected of a scanned file: lxml reads it whole
        return None


# --------------------------------------------------------------------------- the children
# The elements are columns (xml_elements): a Child, its first ChildIdentifiers and
# ChildCharacteristics, each CINdetails and each module in it are "boxes" whose child elements
# are fields; a table has one row per box of its kind.


@dataclass(frozen=True)
class _Box:
    """A kind of element holding fields, and the table rows it gives."""

    tag: str
    spec: dict[str, str]  # field element -> column
    where: str  # as problems name it

    @property
    def columns(self) -> list[str]:
        return list(dict.fromkeys(self.spec.values()))


BOXES = (_Box("ChildIdentifiers", IDENTIFIERS, "Child/ChildIdentifiers"),
         _Box("ChildCharacteristics", CHARACTERISTICS, "Child/ChildCharacteristics"),
         _Box("CINdetails", CIN_DETAILS, "Child/CINdetails"),
         *(_Box(tag, spec, f"Child/CINdetails/{tag}")
           for tag, (_, spec) in MODULES.items()))  # fmt: skip
IDS, CHARS, DETAILS = 0, 1, 2  # positions in BOXES; modules follow in MODULES' order
Columns = dict[str, object]  # a table as read: its columns (arrays or Series of one length)


class _Found:
    """Where the children, their boxes and the boxes' fields are among a return's elements."""

    def __init__(self, el: Elements) -> None:
        self.el = el
        n = len(el.tag)
        parent = el.parent
        self.up = np.where(parent >= 0, parent, n)  # index into arrays of n + 1 (root: last)
        in_children = self._flag(el.is_("Children") & (parent == 0))
        self.children = np.flatnonzero(el.is_("Child") & in_children[self.up])
        in_child = self._flag(self._mask(self.children))
        # the first ChildIdentifiers (ChildCharacteristics) of a Child is read, as find() does
        self.boxes = [self._first_per_parent(el.is_("ChildIdentifiers") & in_child[self.up]),
                      self._first_per_parent(el.is_("ChildCharacteristics") & in_child[self.up]),
                      np.flatnonzero(el.is_("CINdetails") & in_child[self.up])]  # fmt: skip
        in_details = self._flag(self._mask(self.boxes[DETAILS]))
        inside = np.flatnonzero(in_details[self.up])  # the elements directly in a CINdetails
        code = {name: i for i, name in enumerate(el.names)}
        self.boxes += [inside[el.tag[inside] == code.get(tag, -1)] for tag in MODULES]
        self.kind = np.full(n + 1, -1)  # which box each element is (-1: none)
        for k, rows in enumerate(self.boxes):
            self.kind[rows] = k
        self.fields = np.flatnonzero(self.kind[self.up] >= 0)
        self.field_kind = self.kind[parent[self.fields]]
        # the column each field fills in its box's table (-1: not a field of that box)
        column_of = np.full((len(BOXES), len(el.names)), -1)
        for k, box in enumerate(BOXES):
            for code, name in enumerate(el.names):
                if name in box.spec:
                    column_of[k, code] = box.columns.index(box.spec[name])
        self.column = column_of[self.field_kind, el.tag[self.fields]]

    def _mask(self, rows: np.ndarray) -> np.ndarray:
        out = np.zeros(len(self.el.tag), bool)
        out[rows] = True
        return out

    def _flag(self, mask: np.ndarray) -> np.ndarray:
        return np.append(mask, False)  # the root's parent (index n) is nothing

    def _first_per_parent(self, mask: np.ndarray) -> np.ndarray:
        rows = np.flatnonzero(mask)
        _, first = np.unique(self.el.parent[rows], return_index=True)
        return np.sort(rows[first])

    def box_of(self, k: int, owners: np.ndarray) -> np.ndarray:
        """The row among the boxes of kind ``k`` of each owner's box (-1 if it has none)."""
        return self.position(self.el.parent[self.boxes[k]])[owners]

    def position(self, rows: np.ndarray) -> np.ndarray:
        """The row of each element of ``rows`` in an array of n + 1 (-1 elsewhere)."""
        out = np.full(len(self.el.tag) + 1, -1)
        out[rows] = np.arange(len(rows))
        return out


def _walk_problems(found: _Found, structure: Structure, problems: _Problems) -> None:
    """Stray text, nested values, unknown elements, elements of another year's structure and
    children without an identifier, in the order the element-by-element reader reported them."""
    el, fields = found.el, found.fields
    walk = _Walk(found)
    in_spec = found.column >= 0
    stray = el.tail[fields] != ""
    walk.fields(stray, 0, "stray text", el.tail[fields[stray]],
                "nothing between elements; the text is ignored")  # fmt: skip
    walk.fields(in_spec & (el.nodes[fields] > 0), 1, "unexpected content", "nested elements",
                "a single value")  # fmt: skip
    known = np.array([name in ALL_ELEMENTS for name in el.names], dtype=bool)
    unknown = ~in_spec & ~known[el.tag[fields]]
    expected = np.array([f"one of {', '.join(box.spec)}; the element is not read"
                         for box in BOXES], dtype=object)  # fmt: skip
    walk.fields(unknown, 1, "unrecognised element",
                el.text.take(pa.array(fields[unknown])).to_numpy(zero_copy_only=False),
                expected[found.field_kind[unknown]])  # fmt: skip
    for code, name in enumerate(el.names):
        for i, message in enumerate(_check_structure(name, structure)):
            walk.fields(in_spec & (el.tag[fields] == code), 2 + i,
                        "element of another collection year", "", message)  # fmt: skip
            if name in MODULES:  # the module itself, after its fields
                modules = found.boxes[DETAILS + 1 + list(MODULES).index(name)]
                walk.boxes(modules, i, "element of another collection year", "Child/CINdetails",
                           name, message)  # fmt: skip
    ids = found.box_of(IDS, found.children)
    child_id = _field_rows(found, IDS, "child_id")[np.maximum(ids, 0)]
    has_id = (ids >= 0) & (child_id >= 0)
    has_id[has_id] = el.text.take(pa.array(child_id[has_id])).to_numpy(zero_copy_only=False) != ""
    walk.children(found.children[~has_id], "missing value", "Child/ChildIdentifiers", "LAchildID",
                  "the child's identifier; the child is numbered by position instead")  # fmt: skip
    if walk.parts:
        problems.blocks.append(walk.frame().assign(severity=WARNING, file=problems.file)[
            PROBLEM_COLUMNS])  # fmt: skip


class _Walk:
    """Problems on elements, each with a sort key giving the order of the element-by-element
    reader: child by child; in a child its identifiers' fields, then its missing LAchildID, its
    characteristics' fields, then each CINdetails' fields followed by its modules (in MODULES'
    order, each module's fields then the module itself); on one field its stray text first."""

    def __init__(self, found: _Found) -> None:
        self.found = found
        self.parts: list[pd.DataFrame] = []
        self.wheres = np.array([box.where for box in BOXES], dtype=object)
        self._key: np.ndarray | None = None

    @property
    def key(self) -> np.ndarray:
        """Per box: child, section, CINdetails, module group, module (made at the first
        problem: most returns have none)."""
        if self._key is not None:
            return self._key
        found, el = self.found, self.found.el
        self._key = key = np.zeros((5, len(el.tag) + 1), np.int64)
        for k, rows in enumerate(found.boxes):
            module = k > DETAILS
            detail = el.parent[rows] if module else rows
            key[0, rows] = el.parent[detail]
            key[1, rows] = (0, 2)[k] if k < DETAILS else 3
            key[2, rows] = detail if k >= DETAILS else 0
            key[3, rows] = max(k - DETAILS, 0)
            key[4, rows] = rows if module else 0
        return key

    def fields(self, chosen: np.ndarray, sub: int, kind: str, value: object,
               expected: object) -> None:  # fmt: skip
        """A problem on each chosen field (a mask over the fields)."""
        found = self.found
        rows = found.fields[chosen]
        self._add(rows, found.el.parent[rows], rows, sub, kind,
                  self.wheres[found.field_kind[chosen]], found.el.names[found.el.tag[rows]],
                  value, expected)  # fmt: skip

    def boxes(self, rows: np.ndarray, sub: int, kind: str, where: str, element: str,
              expected: str) -> None:  # fmt: skip
        """A problem on each box of ``rows``, after its fields."""
        self._add(rows, rows, len(self.found.el.tag), sub, kind, where, element, "", expected)

    def children(self, rows: np.ndarray, kind: str, where: str, element: str,
                 expected: str) -> None:  # fmt: skip
        """A problem on each Child of ``rows``, after its identifiers' fields."""
        if not len(rows):
            return
        self.key[:, rows] = 0
        self.key[0, rows], self.key[1, rows] = rows, 1
        self._add(rows, rows, 0, 0, kind, where, element, "", expected)

    def _add(self, rows: np.ndarray, boxes: np.ndarray, field: object, sub: int, kind: str,
             where: object, element: object, value: object, expected: object) -> None:  # fmt: skip
        if len(rows):
            keys = {f"k{i}": self.key[i, boxes] for i in range(5)} | {"k5": field, "k6": sub}
            self.parts.append(pd.DataFrame(keys | {
                "kind": kind, "sheet": where, "row": self.found.el.line[rows], "column": element,
                "value": value, "expected": expected}))  # fmt: skip

    def frame(self) -> pd.DataFrame:
        """The problems, in order."""
        found = pd.concat(self.parts, ignore_index=True)
        order = np.lexsort([found[f"k{i}"].to_numpy() for i in range(6, -1, -1)])
        return found.iloc[order]


def _tables(found: _Found) -> tuple[dict[str, Columns], dict[str, dict[str, np.ndarray]]]:
    """The tables as read (every value text) and, per table and column, the line of each row's
    value (the line its problems name)."""
    el = found.el
    kids = _children(found)
    tables, lines = {"children": kids[0]}, {"children": kids[1]}
    child_id = pa.array(kids[0].get("child_id", pd.Series([], dtype="str")), pa.large_string())
    details = found.boxes[DETAILS]
    child_of_detail = found.position(found.children)[el.parent[details]]
    cin_id = _join(child_id.take(pa.array(child_of_detail)), "#", _ordinal(el.parent[details]))
    tables["cin"], lines["cin"] = _box_table(found, DETAILS, {
        "child_id": child_id.take(pa.array(child_of_detail)), "cin_id": cin_id})  # fmt: skip
    for k, (tag, (key, _)) in enumerate(MODULES.items(), start=DETAILS + 1):
        rows = found.boxes[k]
        detail = found.position(details)[el.parent[rows]]
        ids = {"child_id": child_id.take(pa.array(child_of_detail[detail])),
               "cin_id": cin_id.take(pa.array(detail))}  # fmt: skip
        ids["module_id"] = _join(ids["cin_id"], f"/{tag}#", _ordinal(el.parent[rows]))
        tables[key], lines[key] = _box_table(found, k, ids, lists=True)
    return tables, lines


def _ordinal(groups: np.ndarray) -> np.ndarray:
    """1, 2, ... within each group, in order (``groups`` in document order)."""
    order = np.argsort(groups, kind="stable")
    ranked = groups[order]
    starts = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]])
    out = np.empty(len(groups), np.int64)
    out[order] = np.arange(len(groups)) - np.repeat(starts, np.diff(np.r_[starts, len(groups)]))
    return out + 1


def _join(prefix: pa.Array, middle: str, numbers: np.ndarray) -> pa.Array:
    text = pa.array(numbers).cast(pa.large_string())
    return pc.binary_join_element_wise(prefix, _large(middle), text, _large(""))


def _large(text: str) -> pa.Scalar:
    return pa.scalar(text, pa.large_string())


def _cells(found: _Found, k: int) -> tuple[np.ndarray, np.ndarray]:
    """For each box of kind ``k`` and column of its spec: the last field filling it (its value
    and line, as a repeated element overwrites) and the first (its place among the box's
    element lines); -1 where none."""
    box_rows, columns = found.boxes[k], BOXES[k].columns
    chosen = (found.field_kind == k) & (found.column >= 0)
    fields, column = found.fields[chosen], found.column[chosen]
    cell = found.position(box_rows)[found.el.parent[fields]] * len(columns) + column
    last = np.full((len(box_rows), len(columns)), -1)
    first = np.full((len(box_rows), len(columns)), np.iinfo(np.int64).max)
    if len(cell) and np.bincount(cell).max() > 1:  # a repeated element: keep the last, first
        np.maximum.at(last.reshape(-1), cell, fields)
        np.minimum.at(first.reshape(-1), cell, fields)
    else:  # (the usual return: each element at most once in a box)
        last.reshape(-1)[cell] = fields
        first.reshape(-1)[cell] = fields
    return last, first


def _field_rows(found: _Found, k: int, column: str) -> np.ndarray:
    return _cells(found, k)[0][:, BOXES[k].columns.index(column)]


def _texts(el: Elements, rows: np.ndarray) -> pd.Series:
    """The text of each element of ``rows``; missing (NaN) where -1."""
    taken = el.text.take(pa.array(rows, mask=rows < 0))
    return pd.Series(pd.array(taken, dtype="str"))


def _text_columns(el: Elements, last: np.ndarray, columns: list[str]) -> dict[str, pd.Series]:
    """``_texts`` of each column of ``last`` with a value in some row, taken together."""
    present = [j for j in range(len(columns)) if (last[:, j] >= 0).any()]
    rows = last[:, present].T.reshape(-1)  # column after column
    taken = el.text.take(pa.array(rows, mask=rows < 0))
    n = len(last)
    return {columns[j]: pd.Series(pd.array(taken.slice(i * n, n), dtype="str"))
            for i, j in enumerate(present)}  # fmt: skip


def _box_table(found: _Found, k: int, ids: dict[str, pa.Array],
               lists: bool = False) -> tuple[Columns, dict[str, np.ndarray]]:  # fmt: skip
    """One row per box of kind ``k``: its line, its fields' values, ``ids`` and its element
    lines (``_lines``), and the items of its first list (``LISTS``)."""
    el, rows = found.el, found.boxes[k]
    if not len(rows):
        return {}, {}
    last, first = _cells(found, k)
    columns = BOXES[k].columns
    data: dict[str, object] = {"_line": el.line[rows], **_text_columns(el, last, columns)}
    data |= {name: pd.Series(pd.array(values, dtype="str")) for name, values in ids.items()}
    lines = _lines_of(el, last, columns, el.line[rows])
    data["_lines"] = _line_dicts(el, last, first, columns)
    if lists:
        data |= _lists(found, rows)
    return data, lines


def _lines_of(el: Elements, last: np.ndarray, columns: list[str],
              box_line: np.ndarray) -> dict[str, np.ndarray]:  # fmt: skip
    """Per column, the line of each row's element (the box's line where it has none)."""
    line = np.where(last >= 0, el.line[np.maximum(last, 0)], box_line[:, None])
    return {col: line[:, j] for j, col in enumerate(columns)}


def _line_dicts(el: Elements, last: np.ndarray, first: np.ndarray,
                columns: list[str]) -> np.ndarray:  # fmt: skip
    """Each row's ``_lines``: column -> line of its element, columns in the order their
    elements first come; rows with the same order are made together."""
    present = last >= 0
    rank = np.argsort(np.where(present, first, np.iinfo(np.int64).max), axis=1, kind="stable")
    count = present.sum(axis=1)
    # an order as one number: the columns (+1) in order, base len(columns) + 1
    base = len(columns) + 1
    digits = np.where(np.arange(len(columns)) < count[:, None], rank + 1, 0)
    signature = (digits * base ** np.arange(len(columns))).sum(axis=1)
    line = el.line[np.maximum(last, 0)]
    out = np.empty(len(last), dtype=object)
    kinds, inverse = np.unique(signature, return_inverse=True)
    for s, code in enumerate(kinds):
        rows = np.flatnonzero(inverse == s)
        order = [c - 1 for c in (code // base ** np.arange(len(columns))) % base if c]
        keys = [columns[c] for c in order]
        block = line[np.ix_(rows, order)]
        # a box written on one line has one line for all its elements: made without building
        # a list per row (fewer objects for the garbage collector to visit)
        one = (block == block[:, :1]).all(axis=1) if order else np.ones(len(rows), bool)
        lines = block[one, 0].tolist() if order else [None] * int(one.sum())
        out[rows[one]] = list(map(dict.fromkeys, repeat(keys), lines))
        # the others (a box written over several lines): each row's lines paired with the keys
        # by map (no Python loop; every row of ``block`` has one line per key)
        out[rows[~one]] = list(map(dict, map(zip, repeat(keys), block[~one].tolist())))
    return out


def _lists(found: _Found, rows: np.ndarray) -> dict[str, pd.Series]:
    """The items of each module's first list (LISTS' order) present, without blanks, as a
    Python list in the column named by the item element; the column missing (NaN) in other
    modules."""
    el = found.el
    position = found.position(rows)
    inside = position[found.up] >= 0  # elements directly in one of the modules
    holders = {tag: np.flatnonzero(el.is_(tag) & inside) for tag in LISTS}
    chosen = np.full(len(rows), -1)  # which list each module's items come from
    for i, list_tag in reversed(list(enumerate(LISTS))):
        chosen[position[el.parent[holders[list_tag]]]] = i
    columns = {}
    firsts = []
    for i, (list_tag, item) in enumerate(LISTS.items()):
        modules = np.flatnonzero(chosen == i)
        if not len(modules):
            continue
        held = holders[list_tag]
        holder = np.zeros(len(el.tag) + 1, bool)  # the lists read (+ the root's parent)
        holder[held[chosen[position[el.parent[held]]] == i]] = True
        items = np.flatnonzero(el.is_(item) & holder[found.up])
        texts = el.text.take(pa.array(items)).to_numpy(zero_copy_only=False)
        items, texts = items[texts != ""], texts[texts != ""]
        owner = position[el.parent[el.parent[items]]]
        values = np.full(len(rows), np.nan, dtype=object)
        starts = np.searchsorted(owner, modules, side="left")
        ends = np.searchsorted(owner, modules, side="right")
        values[modules] = [list(texts[a:b]) for a, b in zip(starts, ends, strict=True)]
        columns[item] = pd.Series(values, dtype=object)
        firsts.append(modules[0])
    return {name: columns[name] for _, name in sorted(zip(firsts, columns, strict=True))}


def _children(found: _Found) -> tuple[Columns, dict[str, np.ndarray]]:
    """One row per Child: its identifiers, its ethnicity and disabilities (from its
    characteristics), and the lines of their elements."""
    el, kids = found.el, found.children
    if not len(kids):
        return {}, {}
    own = {k: found.box_of(k, kids) for k in (IDS, CHARS)}  # -1: none
    cells = {k: [_per_child(m, own[k]) for m in _cells(found, k)] for k in (IDS, CHARS)}
    last, first = cells[IDS]
    has_ids, has_chars = own[IDS] >= 0, own[CHARS] >= 0
    box_line = np.where(has_ids, el.line[found.boxes[IDS]][own[IDS]], el.line[kids])
    data: dict[str, object] = {"_line": box_line, **_text_columns(el, last, BOXES[IDS].columns)}
    # the last LAchildID; a child without one is numbered by its position
    given = el.text.take(pa.array(last[:, 0], mask=last[:, 0] < 0))
    numbered = _join(_large("child "), "", np.arange(1, len(kids) + 1))
    numbered = pc.binary_join_element_wise(numbered, _large(" (no LAchildID)"), _large(""))
    known = pc.fill_null(pc.not_equal(given, _large("")), False)
    data["child_id"] = pd.Series(pd.array(pc.if_else(known, given, numbered), dtype="str"))
    if (cells[CHARS][0][:, 0] >= 0).any():
        data["ethnicity"] = _texts(el, cells[CHARS][0][:, 0])
    lines = _lines_of(el, last, BOXES[IDS].columns, box_line)
    if has_chars.any():  # a child's characteristics' lines replace its identifiers' lines
        lines = {col: np.where(has_chars, box_line, line) for col, line in lines.items()}
        lines |= _lines_of(el, cells[CHARS][0], BOXES[CHARS].columns, box_line)
    if (has_ids | has_chars).any():
        dicts = np.full(len(kids), np.nan, dtype=object)
        alone = has_ids & ~has_chars  # (the others' are replaced by their characteristics')
        dicts[alone] = _line_dicts(el, last[alone], first[alone], BOXES[IDS].columns)
        dicts[has_chars] = _line_dicts(el, *(m[has_chars] for m in cells[CHARS]),
                                       BOXES[CHARS].columns)  # fmt: skip
        data["_lines"] = pd.Series(dicts, dtype=object)
    if has_chars.any():
        data["disabilities"] = _disabilities(found, own[CHARS])
    return data, lines


def _per_child(matrix: np.ndarray, own: np.ndarray) -> np.ndarray:
    """Rows of a box table ``matrix`` spread over the children (-1 / the fill where none)."""
    out = np.full((len(own), matrix.shape[1]), -1)
    out[own >= 0] = matrix[own[own >= 0]]
    return out


def _disabilities(found: _Found, own: np.ndarray) -> pd.Series:
    """Each child's Disabilities/Disability codes (not blank) joined by spaces; missing where
    the child has no characteristics."""
    el = found.el
    chars = found.boxes[CHARS]
    position = found.position(chars)
    holders = el.is_("Disabilities") & (position[found.up] >= 0)
    items = np.flatnonzero(el.is_("Disability") & np.append(holders, False)[found.up])
    texts = el.text.take(pa.array(items))
    kept = pc.not_equal(texts, _large("")).to_numpy(zero_copy_only=False)
    owner = position[el.parent[el.parent[items[kept]]]]
    offsets = np.searchsorted(owner, np.arange(len(chars) + 1))
    joined = pc.binary_join(pa.LargeListArray.from_arrays(pa.array(offsets, pa.int64()),
                                                           texts.filter(pa.array(kept))),
                            _large(" "))  # fmt: skip
    taken = joined.take(pa.array(own, mask=own < 0))
    return pd.Series(pd.array(taken, dtype="str"))


WHERE = {"children": "Child/ChildIdentifiers", "cin": "Child/CINdetails",
         **{key: f"Child/CINdetails/{tag}" for tag, (key, _) in MODULES.items()}}  # fmt: skip
SPECS = {"children": {**IDENTIFIERS, **CHARACTERISTICS}, "cin": CIN_DETAILS,
         **{key: spec for key, spec in MODULES.values()}}  # fmt: skip


def _typed(tables: dict[str, Columns], lines: dict[str, dict[str, np.ndarray]],
           ref: pd.Timestamp, problems: _Problems) -> dict[str, pd.DataFrame]:  # fmt: skip
    """Dates, flags and codes typed; every value that cannot be used reported with its line."""
    days = _parse_days(tables)
    out = {key: _type_table(key, frame, lines.get(key, {}), ref, problems, days) if frame
           else _empty_table(key).copy() for key, frame in tables.items()}  # fmt: skip
    _order_checks(out, lines, problems)
    return out


@cache
def _empty_table(key: str) -> pd.DataFrame:
    """A table with no rows, typed as any other (the same for every return)."""
    return _type_table(key, {}, {}, pd.Timestamp("2000-03-31"), _Problems(""))


@cache
def _absent_dates() -> np.dtype:
    """The type pandas gives a date column of missing values alone (as the other columns with
    no date are typed; the same in every return)."""
    text = pd.Series([np.nan]).astype("string").str.strip()
    return pd.to_datetime(text, format="%Y-%m-%d", errors="coerce").dtype


def _parse_days(tables: dict[str, Columns]) -> dict[tuple[str, str], tuple]:
    """Every date column of a return parsed together (most dates recur across columns): per
    (table, column), the codes of its rows into the distinct texts, those texts and their
    dates."""
    columns = {(key, col): values for key, frame in tables.items()
               for col, values in frame.items() if col in DATE_FIELDS}  # fmt: skip
    if not columns:
        return {}
    # the distinct texts (missing among them) in order of first appearance, as pandas'
    # factorize gives them, by Arrow on the columns' own arrays
    every = pa.concat_arrays([pa.array(v, pa.large_string()) for v in columns.values()])
    encoded = pc.dictionary_encode(every, null_encoding="encode")
    codes = encoded.indices.to_numpy()
    text = pd.Series(pd.array(encoded.dictionary, dtype="string")).str.strip()
    dates = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    given = text.fillna("").to_numpy(dtype=object) != ""
    ends = np.cumsum([len(v) for v in columns.values()])
    return {name: (part, text, dates, given)
            for name, part in zip(columns, np.split(codes, ends[:-1]), strict=True)}  # fmt: skip


def _type_table(key: str, read: Columns, lines: dict[str, np.ndarray], ref: pd.Timestamp,
                problems: _Problems, days: dict | None = None) -> pd.DataFrame:  # fmt: skip
    """One table typed, each distinct value of a column once."""
    element_of = {col: el for el, col in SPECS[key].items()}
    columns = ["_line", "child_id", *dict.fromkeys(SPECS[key].values())]
    columns += [] if key == "children" else ["cin_id"] + (["module_id"] if key != "cin"
                                                           else [])  # fmt: skip
    # the table's columns in order, one missing from the return all missing values (NaN); the
    # frame is made once at the end (a column set into a frame costs a copy of its blocks)
    n = len(next(iter(read.values()))) if read else 0
    frame = {col: pd.Series(read[col]) if col in read else pd.Series(np.full(n, np.nan))
             for col in dict.fromkeys([*columns, *read])}  # fmt: skip

    def report(kind: str, col: str, rows: np.ndarray, values: pd.Series, codes: np.ndarray,
               expected: str, element: str | None = None) -> None:  # fmt: skip
        if not len(rows):
            return
        line = lines.get(col, frame["_line"].to_numpy())
        problems.add_many(kind, WHERE[key], line[rows], element or element_of.get(col, col),
                          values.to_numpy()[codes[rows]], expected)  # fmt: skip

    for col in [c for c in frame if c in DATE_FIELDS]:
        if n and col not in read:  # no such element in the return: nothing to check
            frame[col] = np.full(n, np.datetime64("NaT"), dtype=_absent_dates())
            continue
        codes, text, dates, given = (days or {}).get((key, col), (None,) * 4)
        day = None if codes is None else dates.to_numpy()
        if codes is None or np.isnat(day[codes]).all():
            # alone (a column with no date takes the type pandas gives it alone)
            codes, raw = _distinct(frame[col])
            text = raw.astype("string").str.strip()
            dates = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
            given = text.fillna("").to_numpy(dtype=object) != ""
            day = dates.to_numpy()
        # the checks on the distinct values as numpy arrays (NaT compares False, as in pandas)
        report("invalid date", col, _rows(codes, given & np.isnat(day)), text, codes,
               "a date written YYYY-MM-DD; left missing")  # fmt: skip
        early = day < np.datetime64(EARLIEST)
        report("implausible date", col, _rows(codes, early), text, codes,
               f"a date from {EARLIEST:%Y} on; left missing")  # fmt: skip
        day = np.where(early, np.datetime64("NaT"), day)
        if col == "dob":
            old = day < np.datetime64(ref - pd.DateOffset(years=OLDEST))
            report("implausible date", col, _rows(codes, old), text, codes,
                   f"a child's date of birth: under {OLDEST} at the census date; kept, so ages "
                   "from it are wrong", element="PersonBirthDate")  # fmt: skip
        report("date after the census date", col, _rows(codes, day > np.datetime64(ref)), text,
               codes, f"a date on or before the ReferenceDate {ref:%Y-%m-%d}; kept, and the "
               "record it dates counts only where it is in the year")  # fmt: skip
        frame[col] = day[codes]  # (early dates left missing above)
    for col in ("referral_nfa", "icpc_not_required", "fgdm_offered", "fgdm_held"):
        if col in frame:
            codes, raw = _distinct(frame[col])
            text = raw.astype("string").str.strip().str.lower()
            text = text.to_numpy(dtype=object, na_value=None)  # the few distinct values
            flag = [BOOLEANS.get(value) for value in text]
            pairs = zip(text, flag, strict=True)
            unknown = np.array([v not in (None, "") and f is None for v, f in pairs], dtype=bool)
            report("unknown code", col, _rows(codes, unknown), raw, codes,
                   "true/false (or 1/0)")  # fmt: skip
            frame[col] = pd.array(flag, dtype="boolean").take(codes)
    if "n_previous_cpp" in frame:
        codes, raw = _distinct(frame["n_previous_cpp"])
        number = pd.to_numeric(raw, errors="coerce")
        bad = raw.notna() & (number.isna() | (number < 0) | (number % 1 != 0))
        report("invalid number", "n_previous_cpp", _rows(codes, bad), raw, codes,
               "a whole number, 0 or more", element="NumberOfPreviousCPP")  # fmt: skip
        frame["n_previous_cpp"] = _spread(number.where(~bad).astype("Int64"), codes)
    if key == "children" and "gender" in frame:
        codes, raw = _distinct(frame["gender"])
        text = raw.astype("string").str.strip().str.lower()
        sex = text.map(SEX)
        report("unknown code", "gender", _rows(codes, text.notna() & (text != "") & sex.isna()),
               raw, codes, "1/M, 2/F, 0 or 9", element="Sex")  # fmt: skip
        frame["gender"] = _spread(sex, codes)
    # made from the columns' arrays, which are this table's own (no copy needed)
    return pd.DataFrame({col: getattr(values, "array", values) for col, values in frame.items()},
                        copy=False)  # fmt: skip


def _distinct(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Codes into the distinct values (missing is one of them), and those values, in the
    column's type: work done on them is done once per value."""
    codes, distinct = pd.factorize(values, use_na_sentinel=False)
    return codes, pd.Series(distinct)


def _rows(codes: np.ndarray, distinct_mask: pd.Series | np.ndarray) -> np.ndarray:
    """The rows whose value is one of the distinct values marked."""
    if isinstance(distinct_mask, pd.Series):
        distinct_mask = distinct_mask.fillna(False).to_numpy(dtype=bool)
    return np.flatnonzero(distinct_mask[codes])


def _spread(distinct: pd.Series, codes: np.ndarray) -> pd.Series:
    """Values for the distinct values, back on the rows."""
    return pd.Series(distinct.array.take(codes))


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


def _order_checks(tables: dict[str, pd.DataFrame], lines: dict[str, dict[str, np.ndarray]],
                  problems: _Problems) -> None:  # fmt: skip
    def line_of(key: str, col: str) -> np.ndarray:
        return lines.get(key, {}).get(col, tables[key]["_line"].to_numpy())

    for key, early, late, what in ORDER_CHECKS:
        frame = tables.get(key)
        if frame is None or early not in frame or late not in frame:
            continue
        rows = np.flatnonzero((frame[late] < frame[early]).fillna(False).to_numpy(dtype=bool))
        if not len(rows):
            continue
        values = (frame[late].iloc[rows].dt.strftime("%Y-%m-%d") + " < "
                  + frame[early].iloc[rows].dt.strftime("%Y-%m-%d"))  # fmt: skip
        problems.add_many("dates in the wrong order", WHERE[key], line_of(key, late)[rows],
                          _element(key, late), values.to_numpy(dtype=object),
                          f"no {what}; the record is left out of the durations it "
                          "affects")  # fmt: skip
    cin = tables.get("cin")
    if cin is not None and "referral_date" in cin:
        rows = np.flatnonzero(cin["referral_date"].isna().to_numpy())
        problems.add_many("missing value", WHERE["cin"], line_of("cin", "referral_date")[rows],
                          "CINreferralDate", "",
                          "every episode of need has a referral date")  # fmt: skip


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
