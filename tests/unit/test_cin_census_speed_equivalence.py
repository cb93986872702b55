"""The faster CIN census reader reads every return exactly as the reader before it did (issue 19).

Golden output was captured from the element-by-element reader (main caceabf) and is kept in
``reference/cin_census_golden.json.gz``: for each case every table of every return read and of
``combine`` (columns, types, length, a hash of the values, as
``test_parse_speed_equivalence.frame_digest`` takes it), each return's header fields, and the
problem log (with lines, in order) and the inventory. The cases are the demonstration authority's
returns, Data to Insight's fake returns in ``../shared/data/external``, the malformed returns of
``test_cin_census.py``, and deliberately messy returns built here (hand-made quirks, a few
encodings and layouts, and seeded random returns mixing good, odd and bad values).

To capture the golden output again (only when the reader's output is meant to change, and after
reading the differences this test prints):
``.venv/bin/python -m tests.unit.test_cin_census_speed_equivalence --write``
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sefanalysis.ingest.cin_census import combine, read_cin_census_folder
from sefanalysis.ingest.problems import ProblemLog

from ..conftest import EXTERNAL
from .golden import assert_log_same, capture, normalise, read_golden, write_golden_main
from .test_cin_census import HEADER, RETURN
from .test_parse_speed_equivalence import frame_digest, log_digest

GOLDEN = Path(__file__).with_name("reference") / "cin_census_golden.json.gz"
FAKE = EXTERNAL / "cin_census_d2i_fake"


def census_digest(folder: Path) -> dict:
    """Every return in ``folder`` and their combination, with the problem log and inventory."""
    log = ProblemLog()
    returns = read_cin_census_folder(folder, log)
    where = str(folder)
    each = [
        {
            "file": census.file.replace(where, "<root>"),
            "reference_date": str(census.reference_date),
            "structure": census.structure,
            "lea": census.lea,
            "tables": {k: _digest(v, folder) for k, v in census.tables.items()},
        }
        for census in returns
    ]
    combined = {k: _digest(v, folder) for k, v in combine(returns).items()}
    return log_digest(log, folder) | {"returns": each, "frames": combined}


def _digest(frame: pd.DataFrame, root: Path) -> object:
    """``frame_digest``, with the lists (assessment factors, reviews) and the dicts of element
    lines (``_lines``) in object columns hashed by their ``repr`` (order and types included)."""
    frame = frame.copy()
    for name in frame.columns:
        if frame[name].dtype == object:
            reprs = [repr(v) if isinstance(v, list | dict) else v for v in frame[name]]
            frame[name] = pd.Series(reprs, index=frame.index, dtype=object)
    return frame_digest(frame, root)


# ---------------------------------------------------------------- returns built here


def _header(date: str = "2024-03-31", year: str = "2024", collection: str = "CIN") -> str:
    return (f"<Message><Header><CollectionDetails><Collection>{collection}</Collection>"
            f"<Year>{year}</Year><ReferenceDate>{date}</ReferenceDate></CollectionDetails>"
            "<Source><LEA>999</LEA></Source></Header>")  # fmt: skip


def _message(children: str, **header: str) -> str:
    return _header(**header) + "<Children>" + children + "</Children></Message>"


QUIRKS = "".join([
    # no LAchildID; a stray text; two Sex, the second unknown; a nested value
    "<Child><ChildIdentifiers><UPN>A1</UPN>junk<Sex>1</Sex><Sex>Q</Sex>"
    "<PersonBirthDate><x>1</x>2015-01-01</PersonBirthDate></ChildIdentifiers>"
    "<CINdetails><CINreferralDate>2023-01-01</CINreferralDate></CINdetails></Child>",
    # no ChildIdentifiers at all, characteristics only; a child with no CINdetails
    "<Child><ChildCharacteristics><Ethnicity> WBRI </Ethnicity><Disabilities><Disability>HAND"
    "</Disability><Disability/><Disability>HEAR</Disability></Disabilities>"
    "<Shoe>9</Shoe></ChildCharacteristics></Child>",
    # elements out of order, bad dates, flags and numbers, dates in the wrong order, lists
    "<Child><CINdetails><ReferralNFA>maybe</ReferralNFA><CINclosureDate>2022-01-01"
    "</CINclosureDate><CINreferralDate>2023-02-30</CINreferralDate>"
    "<ChildProtectionPlans><Reviews><CPPreviewDate>2023-01-01</CPPreviewDate><CPPreviewDate>"
    "</CPPreviewDate></Reviews><CPPendDate>2022-05-01</CPPendDate><CPPstartDate>2023-05-01"
    "</CPPstartDate><NumberOfPreviousCPP>-1</NumberOfPreviousCPP></ChildProtectionPlans>"
    "<Assessments><AssessmentActualStartDate>1900-01-01</AssessmentActualStartDate>"
    "<FactorsIdentifiedAtAssessment><AssessmentFactors>2A</AssessmentFactors>"
    "<AssessmentFactors>21</AssessmentFactors></FactorsIdentifiedAtAssessment>"
    "<Disabilities><Disability>X</Disability></Disabilities><Hat>1</Hat></Assessments>"
    "<Assessments/><Section47><ICPCnotRequired>yes</ICPCnotRequired><S47ActualStartDate>"
    "2030-01-01</S47ActualStartDate><DateOfInitialCPC>2029-01-01</DateOfInitialCPC>"
    "</Section47><CINPlanDates><CINPlanStartDate>2023-03-01</CINPlanStartDate><CINPlanEndDate>"
    "2023-02-01</CINPlanEndDate></CINPlanDates><PreProceedingsandFGDM><PPStartDate>2023-04-01"
    "</PPStartDate><FGDMMeetingOffer>N</FGDMMeetingOffer><ReviewMeetingsCount>2"
    "</ReviewMeetingsCount></PreProceedingsandFGDM><Wig/>tail</CINdetails>"
    "<CINdetails/><ChildIdentifiers><LAchildID>late</LAchildID></ChildIdentifiers></Child>",
    # the 2021 structure's elements in a later return; a dob over 25 years before
    "<Child><ChildIdentifiers><LAchildID>G</LAchildID><GenderCurrent>2</GenderCurrent>"
    "<Sex>F</Sex><ExpectedPersonBirthDate>2024-09-01</ExpectedPersonBirthDate>"
    "<PersonBirthDate>1990-01-01</PersonBirthDate><PersonDeathDate>x</PersonDeathDate>"
    "<UPNunknown>UN1</UPNunknown></ChildIdentifiers><ChildIdentifiers><LAchildID>second"
    "</LAchildID></ChildIdentifiers><CINdetails><CINreferralDate>2020-01-01</CINreferralDate>"
    "<Assessments><AssessmentInternalReviewDate>2020-01-02</AssessmentInternalReviewDate>"
    "<AssessmentAuthorisationDate>2019-12-31</AssessmentAuthorisationDate></Assessments>"
    "</CINdetails><CINdetails><CINreferralDate/></CINdetails></Child>",
    "<Child><ChildIdentifiers><LAchildID></LAchildID></ChildIdentifiers><ChildCharacteristics/>"
    "</Child><Child/>",
])  # fmt: skip

PRETTY = """<?xml version="1.0" encoding="UTF-8"?>
<Message>
  <Header>
    <CollectionDetails>
      <Collection>CIN</Collection>
      <Year>2023</Year>
      <ReferenceDate>2023-03-31</ReferenceDate>
    </CollectionDetails>
    <Source><LEA> 201 </LEA>stray</Source>
  </Header>
  <Children>
    <Child>
      <ChildIdentifiers>
        <LAchildID>
          P1
        </LAchildID>
        <PersonBirthDate>2010-05-05</PersonBirthDate>
        <GenderCurrent>9</GenderCurrent>
      </ChildIdentifiers>
      <CINdetails>
        <CINreferralDate>2022-05-05</CINreferralDate>
        <ReferralNFA>0</ReferralNFA>
        <ChildProtectionPlans>
          <CPPstartDate>2022-06-01</CPPstartDate>
          <Reviews>
            <CPPreviewDate>2022-07-01</CPPreviewDate>
          </Reviews>
        </ChildProtectionPlans>
      </CINdetails>
    </Child>
  </Children>
</Message>
"""


def _odd_xml(kind: str) -> bytes:
    """One return written with an XML feature the demo does not use."""
    child = ("<Child><ChildIdentifiers><LAchildID>{id}</LAchildID><Sex>M</Sex>"
             "<PersonBirthDate>2015-01-01</PersonBirthDate></ChildIdentifiers>"
             "<CINdetails><CINreferralDate>2023-05-01</CINreferralDate>"
             "<ReferralSource>{src}</ReferralSource></CINdetails></Child>")  # fmt: skip
    ids = {"comment": "C<!-- a comment -->1", "entity": "A&amp;B", "cdata": "<![CDATA[X<1]]>",
           "unicode": "Zoë\u00a0", "gt": "a > b", "long": "L" * 150,
           "pi": "P<?pi x?>Q"}  # fmt: skip
    text = _message(child.format(id=ids.get(kind, "K1"), src=ids.get(kind, "1")) * 2)
    if kind == "crlf":
        return PRETTY.replace("\n", "\r\n").encode()
    if kind == "bom":
        return b"\xef\xbb\xbf" + PRETTY.encode()
    if kind == "cp1252":
        return ('<?xml version="1.0" encoding="windows-1252"?>\n'
                + text.replace("K1", "Ren\u00e9e")).encode("cp1252")  # fmt: skip
    if kind == "namespace":
        return text.replace("<Message>", '<Message xmlns="urn:cin">').encode()
    if kind == "attributes":
        return text.replace("<Child>", '<Child n="1">').replace("<Sex>", "<Sex  >").encode()
    if kind == "prefixed":
        return text.replace("<Message>", '<Message xmlns:x="urn:x">').replace(
            "<Sex>M</Sex>", "<x:Sex>M</x:Sex>").encode()  # fmt: skip
    if kind == "comment before":
        return ("<!-- census -->\n" + text).encode()
    if kind == "multiline tag":
        return text.replace("<Sex>", "<Sex\n>").encode()
    return text.encode("utf-8")


ODD_KINDS = ["comment", "entity", "cdata", "unicode", "gt", "long", "pi", "crlf", "bom",
             "cp1252", "namespace", "attributes", "prefixed", "comment before",
             "multiline tag"]  # fmt: skip

# seeded random returns: each element drawn from good, odd and bad values
VALUES = {
    "date": ["2023-06-01", "2022-11-30", "2024-02-29", "2023-6-1", "01/06/2023", "", " 2023-07-01 ",
             "2025-01-01", "1949-12-31", "pending"],
    "flag": ["true", "false", "0", "1", "Y", "no", "", "maybe", "TRUE"],
    "sex": ["1", "2", "M", "f", "0", "9", "u", "X", ""],
    "code": ["N1", "2A", "WBRI", "", "NEG", "RC1", " 1 "],
    "count": ["0", "2", "10", "-3", "x", ""],  # "1.5" raises (see issue-19c notes)
}  # fmt: skip
KINDS = {"LAchildID": "id", "UPN": "code", "PersonBirthDate": "date", "Sex": "sex",
         "GenderCurrent": "sex", "ExpectedPersonBirthDate": "date", "Ethnicity": "code",
         "CINreferralDate": "date", "ReferralSource": "code", "PrimaryNeedCode": "code",
         "CINclosureDate": "date", "ReasonForClosure": "code", "DateOfInitialCPC": "date",
         "ReferralNFA": "flag", "AssessmentActualStartDate": "date",
         "AssessmentAuthorisationDate": "date", "AssessmentInternalReviewDate": "date",
         "CINPlanStartDate": "date", "CINPlanEndDate": "date", "S47ActualStartDate": "date",
         "InitialCPCtarget": "date", "ICPCnotRequired": "flag", "CPPstartDate": "date",
         "CPPendDate": "date", "InitialCategoryOfAbuse": "code", "NumberOfPreviousCPP": "count",
         "PPStartDate": "date", "FGDMMeetingOffer": "flag", "ReviewMeetingsCount": "count",
         "Bogus": "code"}  # fmt: skip
BLOCKS = {
    "ChildIdentifiers": ["LAchildID", "UPN", "PersonBirthDate", "Sex", "GenderCurrent",
                         "ExpectedPersonBirthDate"],
    "ChildCharacteristics": ["Ethnicity"],
    "CINdetails": ["CINreferralDate", "ReferralSource", "PrimaryNeedCode", "CINclosureDate",
                   "ReasonForClosure", "DateOfInitialCPC", "ReferralNFA"],
    "Assessments": ["AssessmentActualStartDate", "AssessmentAuthorisationDate",
                    "AssessmentInternalReviewDate"],
    "CINPlanDates": ["CINPlanStartDate", "CINPlanEndDate"],
    "Section47": ["S47ActualStartDate", "InitialCPCtarget", "DateOfInitialCPC",
                  "ICPCnotRequired"],
    "ChildProtectionPlans": ["CPPstartDate", "CPPendDate", "InitialCategoryOfAbuse",
                             "NumberOfPreviousCPP"],
    "PreProceedingsandFGDM": ["PPStartDate", "FGDMMeetingOffer", "ReviewMeetingsCount"],
}  # fmt: skip


def _random_return(seed: int, date: str, pretty: bool) -> str:
    rng = np.random.default_rng(seed)
    nl = "\n  " if pretty else ""

    def block(tag: str) -> str:
        fields = [f for f in BLOCKS[tag] if rng.random() < 0.8]
        if rng.random() < 0.1:
            fields.append("Bogus")
        if rng.random() < 0.2:
            rng.shuffle(fields)
        if fields and rng.random() < 0.1:
            fields.append(fields[0])  # a repeated element
        parts = []
        for name in fields:
            kind = KINDS[name]
            pool = [f"C{rng.integers(40)}", "", " C1 "] if kind == "id" else VALUES[kind]
            value = pool[int(rng.integers(len(pool)))]
            stray = "stray" if rng.random() < 0.03 else ""
            parts.append(f"<{name}>{value}</{name}>{stray}" if value or rng.random() < 0.5
                         else f"<{name}/>")  # fmt: skip
        if tag == "ChildCharacteristics" and rng.random() < 0.7:
            items = rng.choice(["NONE", "HAND", "HEAR", "", "VIS"], int(rng.integers(0, 4)))
            disabilities = "".join(f"<Disability>{d}</Disability>" for d in items)
            parts.append(f"<Disabilities>{disabilities}</Disabilities>")
        if tag == "Assessments" and rng.random() < 0.6:
            items = rng.choice(["2A", "21", "", "4B"], int(rng.integers(0, 4)))
            parts.append("<FactorsIdentifiedAtAssessment>" + "".join(
                f"<AssessmentFactors>{f}</AssessmentFactors>" for f in items
            ) + "</FactorsIdentifiedAtAssessment>")  # fmt: skip
        if tag == "ChildProtectionPlans" and rng.random() < 0.5:
            items = rng.choice(["2023-01-01", "x"], int(rng.integers(0, 3)))
            parts.append("<Reviews>" + "".join(f"<CPPreviewDate>{r}</CPPreviewDate>"
                                               for r in items) + "</Reviews>")  # fmt: skip
        return f"<{tag}>{nl}" + nl.join(parts) + f"{nl}</{tag}>"

    def details() -> str:
        inner = block("CINdetails")[: -len("</CINdetails>")]
        for module in ("Assessments", "CINPlanDates", "Section47", "ChildProtectionPlans",
                       "PreProceedingsandFGDM"):  # fmt: skip
            for _ in range(int(rng.choice([0, 0, 1, 1, 2]))):
                inner += nl + block(module)
        return inner + "</CINdetails>"

    children = []
    for _ in range(60):
        parts = [block(t) for t in ("ChildIdentifiers", "ChildCharacteristics")
                 if rng.random() < 0.9]  # fmt: skip
        parts += [details() for _ in range(int(rng.choice([0, 1, 1, 1, 2, 3])))]
        if rng.random() < 0.1:
            rng.shuffle(parts)
        children.append("<Child>" + nl.join(parts) + "</Child>")
    return _message(("\n" if pretty else "").join(children), date=date, year="2023")


def _files(files: dict[str, str | bytes]) -> Callable[[Path], dict]:
    def run(tmp: Path) -> dict:
        for name, text in files.items():
            path = tmp / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                path.write_bytes(text)
            else:
                path.write_text(text, encoding="utf-8")
        return census_digest(tmp)

    return run


def _external(tmp: Path) -> dict:
    return census_digest(FAKE)


MALFORMED = {
    "broken.xml": "<Message><Header>", "other.xml": "<Return/>", "notes.txt": "not a return",
    "unknown.xml": HEADER.format(date="2024-03-31") + "<Children><Child><ChildIdentifiers>"
    "<LAchildID>A</LAchildID><Shoe>9</Shoe></ChildIdentifiers></Child></Children></Message>",
    "return_2024.xml": RETURN,
}  # fmt: skip
HEADERS = {
    "no_details.xml": "<Message><Header/><Children/></Message>",
    "bad_date.xml": _message("", date="31/03/2024"),
    "not_march.xml": _message("", date="2024-04-30", year="2024", collection="SSDA903"),
    "empty.xml": "<Message/>",
    "sub/2026.xml": _message(QUIRKS, date="2026-03-31", year="2026"),
}


def _randoms(seed: int) -> dict[str, str]:
    later = ("2024-03-31", "2026-03-31")[seed % 2]
    return {"a.xml": _random_return(seed, "2023-03-31", pretty=seed % 2 == 0),
            "b.xml": _random_return(seed + 100, later, pretty=seed > 2)}  # fmt: skip


QUIRK_DATES = ("2023-03-31", "2024-03-31", "2026-03-31")  # each structure
CASES: dict[str, Callable[[Path], dict]] = {
    "malformed: test_cin_census": _files(MALFORMED),
    "headers": _files(HEADERS),
    **{
        f"quirks at {date}": _files({"quirks.xml": _message(QUIRKS, date=date, year="2023")})
        for date in QUIRK_DATES
    },
    "pretty": _files({"pretty.xml": PRETTY}),
    **{f"odd xml: {kind}": _files({"odd.xml": _odd_xml(kind)}) for kind in ODD_KINDS},
    **{f"random {seed}": _files(_randoms(seed)) for seed in range(1, 5)},
}
EXTERNAL_CASES: dict[str, Callable[[Path], dict]] = {"external: d2i fake census": _external}


def assert_same(case: str, now: dict) -> None:
    """Equal to the golden output, or a failure naming what differs (first differences)."""
    before = read_golden(GOLDEN)[case]
    now = normalise(now)
    assert_log_same(case, before, now)
    assert now["returns"] == before["returns"], case
    assert now["frames"] == before["frames"], case


@pytest.mark.parametrize("case", list(CASES))
def test_the_reader_reads_each_case_as_before(case, tmp_path):
    assert_same(case, CASES[case](tmp_path))


@pytest.mark.skipif(not EXTERNAL.exists(), reason="../shared sample files absent")
@pytest.mark.parametrize("case", list(EXTERNAL_CASES))
def test_real_files_are_read_as_before(case, tmp_path):
    assert_same(case, EXTERNAL_CASES[case](tmp_path))


def test_the_demonstration_returns_are_read_as_before(demo_dir):
    assert_same("demo", census_digest(demo_dir / "cin_census"))


def _build(tmp: Path) -> dict:
    from sefanalysis.demo import generate_demo

    golden = capture({**CASES, **EXTERNAL_CASES}, tmp)
    demo = generate_demo(tmp / "demo", seed=2024)
    golden["demo"] = normalise(census_digest(demo / "cin_census"))
    return golden


if __name__ == "__main__":
    write_golden_main(GOLDEN, "CIN census reader", _build)


@pytest.mark.parametrize("case", list(CASES))
def test_elements_taken_from_the_tree_read_each_case_as_before(case, tmp_path, monkeypatch):
    """The path for files the byte scanner declines (comments, entities, other encodings ...)
    gives the same output on every case."""
    from sefanalysis.ingest import xml_elements

    monkeypatch.setattr(xml_elements, "_plain", lambda data, tree: False)
    assert_same(case, CASES[case](tmp_path))


def test_plain_files_are_scanned_from_their_bytes(demo_dir):
    """The demonstration returns and the messy ones built here take the fast path."""
    from lxml import etree

    from sefanalysis.ingest.xml_elements import _from_bytes, _plain

    for path in sorted((demo_dir / "cin_census").glob("*.xml")):
        data = path.read_bytes()
        assert _plain(data, etree.parse(str(path))) and _from_bytes(data) is not None
    for kind in ("unicode", "gt", "long", "bom"):
        data = _odd_xml(kind)
        assert _plain(data, etree.ElementTree(etree.fromstring(data))), kind
        assert _from_bytes(data) is not None, kind
