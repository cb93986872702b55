"""The faster reader of DfE's published files reads every input exactly as before (issue 19).

Golden output was captured from :func:`load_published` as it was on main (caceabf, before the
value columns were parsed once each and the derived indicators summed on numpy arrays) and is
kept compactly in ``reference/published_golden.json.gz``: for each case the full problem list,
the inventory of files and, for every frame of the :class:`Published` result (values,
neighbours, population, dictionary), its columns, types, length and a hash of its values. The
cases are the demonstration authority's ``published/`` (and what :func:`add_dfe_sources` makes
of it: benchmarks, statistical neighbours, population), each folder of DfE and ONS files in
``../shared/data/external`` and all of them together, the malformed inputs of the published
tests, and deliberately messy EES tables, LAIT files and broken files built here.

To capture the golden output again (only when the reader's output is meant to change, and after
reading the differences this test prints):
``.venv/bin/python -m tests.unit.test_published_speed_equivalence --write``
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sefanalysis.ingest.authority import read_authority
from sefanalysis.ingest.dfe_sources import add_dfe_sources
from sefanalysis.ingest.problems import ProblemLog
from sefanalysis.ingest.published import load_published

from ..conftest import EXTERNAL
from .golden import (
    assert_frames_same,
    assert_log_same,
    capture,
    normalise,
    read_golden,
    write_golden_main,
)
from .test_parse_speed_equivalence import frame_digest, log_digest

GOLDEN = Path(__file__).with_name("reference") / "published_golden.json.gz"
FOLDERS = ["dfe_children_in_need", "dfe_children_looked_after", "dfe_csc_workforce", "dfe_lait",
           "dfe_statistical_neighbours", "ons_population"]  # fmt: skip


# ---------------------------------------------------------------- what is compared


def published_digest(paths: list[Path], root: Path) -> dict:
    """The log and every frame and file list :func:`load_published` returns, paths relative."""
    log = ProblemLog()
    found = load_published(paths, log)
    frames = {
        "values": frame_digest(found.values, root),
        "neighbours": frame_digest(found.neighbours, root),
        "population": frame_digest(found.population, root),
        "dictionary": frame_digest(found.dictionary, root),
    }
    files = [str(Path(f).relative_to(root)) if f.startswith(str(root)) else f for f in found.files]
    return log_digest(log, root) | {"frames": frames, "file_list": files}


def dfe_sources_digest(demo: Path, tmp: Path) -> dict:
    """What :func:`add_dfe_sources` adds for the demonstration authority from its
    ``published/`` alone (its CIN census is the loader's golden test's part)."""
    root = tmp / "la"
    root.mkdir()
    (root / "published").symlink_to(demo / "published", target_is_directory=True)
    authority = read_authority(demo / "authority.yaml", ProblemLog())
    log = ProblemLog()
    own = pd.DataFrame({"indicator_id": ["re_referral_pct"], "time_period":
                        [pd.Timestamp("2024-03-31")], "area_type": ["england"],
                        "area_code": ["E92000001"], "value": [99.0]})  # fmt: skip
    frames = {}
    for variant, tables in (("empty", {}), ("own benchmarks", {"benchmarks": own})):
        add_dfe_sources(root, authority, tables, log)
        frames |= {f"{variant}/{k}": frame_digest(v, root) for k, v in sorted(tables.items())}
    return log_digest(log, root) | {"frames": frames}


# ---------------------------------------------------------------- messy EES tables and files

EES = ("time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
       "region_name,new_la_code,old_la_code,la_name")  # fmt: skip
AREAS = [
    ["National", "E92000001", "England", "", "", "", "", ""],
    ["Regional", "E92000001", "England", "E12000008", "South East", "", "", ""],
    ["Regional", "E92000001", "England", "E12000007", "London", "", "", ""],
    ["Local authority", "E92000001", "England", "E12000008", "South East", "E06000060", "825",
     "Buckinghamshire"],
    ["local_authority", "E92000001", "England", "E12000008", "South East", "E10000014", "850",
     "Hampshire"],
    ["LOCAL AUTHORITY", "E92000001", "England", "E12000007", "London", "E09000001", "201",
     "City of London"],
    ["Local authority", "E92000001", "England", "E12000007", "London", "", "999",
     "Synthetic Borough"],
    ["Local authority", "E92000001", "England", "E12000009", "South West", "E06000053", "906",
     " Isles of Scilly "],
    ["Local authority", "E92000001", "England", "E12000009", "South West", "E06000052", "908",
     "Cornwall"],
    ["Ward", "E92000001", "England", "", "", "E05000001", "", "A ward"],
    ["", "", "", "", "", "", "", ""],
]  # fmt: skip
YEARS = ["2024", "2023", "2022", " 2021 ", "2020", "2019"]
ODD_YEARS = ["Q3", "", "2024/25", "202324", "twenty"]
VALUES = ["12", "0", "3.5", " 7 ", "1,234", "100", "250", "0.0", "45", "68.900000000000006",
          "7.0000000000000007E-2", "1e3", "-5"]  # fmt: skip
MARKS = ["c", "C", " x ", "z", "k", "u", "low", "LOW", "-", "", ""]
BAD = ["n/a", "abc", "3:06", "12:5", "1:123", "NaN", "inf", "#N/A", "None", "1 000", "..", "5%"]


def _cells(rng: np.random.Generator, n: int) -> list[str]:
    """A column's cells: mostly numbers, with markers and bad values at a column's own rate
    (some columns clean, some with a few problems, some mostly labels)."""
    weights = rng.dirichlet([6, 1.5, 0.6])
    pools = [VALUES, MARKS, BAD]
    kinds = rng.choice(3, size=n, p=weights)
    return [pools[k][int(rng.integers(len(pools[k])))] for k in kinds]


def _rows(rng: np.random.Generator, labels: list[list[str]], duplicate: bool) -> list[list[str]]:
    """Identifier cells for every year, area and combination of label values."""
    out = []
    for year in YEARS[: int(rng.integers(2, len(YEARS) + 1))]:
        for area in AREAS:
            for combo in labels or [[]]:
                y = year if rng.random() > 0.03 else ODD_YEARS[int(rng.integers(len(ODD_YEARS)))]
                out.append([y, "Reporting year", *area, *combo])
    if duplicate:
        out += [list(r) for r in out[: len(out) // 7]]
    return out


def _write_table(path: Path, heads: list[str], label_values: list[list[str]],
                 value_heads: list[str], rng: np.random.Generator, encoding: str = "utf-8",
                 newline: str = "\n", duplicate: bool = False) -> None:  # fmt: skip
    rows = _rows(rng, label_values, duplicate)
    columns = [_cells(rng, len(rows)) for _ in value_heads]
    lines = [",".join([EES, *heads, *value_heads])]
    for i, row in enumerate(rows):
        cells = row + [c[i] for c in columns]
        lines.append(",".join(f'"{c}"' if ("," in c or c == "" and rng.random() < 0.3) else c
                              for c in cells))  # fmt: skip
    path.write_bytes((newline.join(lines) + newline).encode(encoding, errors="replace"))


DICTIONARY = """Measure_short,Measure,Polarity,Year_Type,Table_status
Widgets,Widgets made,High,Annual,Live
Gadgets,Gadgets made,Low,Annual end of Sept,Live
ReReferral,Re-referrals,Low,Financial Year,Live
"""
BANDS = ["same_day", "1-10_days", "11-15_days", "16-20_days", "21-25_days", "26-30_days",
         "31-35_days", "36-40_days", "41-45_days", "46-50_days", "51-55_days", "56-60_days",
         "61+_days"]  # fmt: skip


def messy_published(root: Path, seed: int) -> Path:
    """A folder of DfE-like files with odd spellings, markers, bad values, duplicate rows,
    unknown columns, BOMs, CRLF, Windows-1252, and broken files."""
    rng = np.random.default_rng(seed)
    root.mkdir(parents=True)
    _write_table(root / "c1.csv", [], [], ["referrals", "re_referrals", "re_referrals_percent",
                 "no_further_action", "no_further_action_percent", "referrals_rate",
                 "new_measure", "Referrals Child"], rng, duplicate=True)  # fmt: skip
    _write_table(root / "c2.csv", [], [], ["assessments_completed", *BANDS, "median_days",
                 "25th_percentile_days"], rng, encoding="utf-8-sig", newline="\r\n")  # fmt: skip
    _write_table(root / "c4.csv", [], [], ["section47", "icpc", "duration_0-10_days",
                 "duration_11-15_days", "duration_16-20_days", "duration_21+_days",
                 "section47_rate"], rng)  # fmt: skip
    _write_table(root / "b1.csv", [], [], ["at31_episodes", "at31_episodes_rate",
                 "started_episodes"], rng, newline="\r\n")  # fmt: skip
    _write_table(root / "d3.csv", [], [], ["cpp_start", "cpp_subsequent",
                 "cpp_subsequent_percent"], rng)  # fmt: skip
    _write_table(root / "csww.csv", [], [], ["inpost_FTE", "vacancy_fte", "agency_fte",
                 "leavers_fte", "turnover_rate_fte_%", "caseload_fte", "cases", "caseholders_fte",
                 "working_days_lost_fte", "vacancy_rate_fte", "agency_rate_fte"], rng)  # fmt: skip
    _write_table(root / "outcomes_cp1252.csv", ["cla_group", "characteristic"],
                 [[g, c] for g in ("Health care", "SDQ Ages 5-16", "Zürich group")
                  for c in ("Had their annual health assessment", "Total all ages",
                            "Had their teeth checked by a dentist", "SDQ average score",
                            "SDQ score was received", "Total ages 5 to 16 years", "Café")],
                 ["number", "percentage"], rng, encoding="cp1252")  # fmt: skip
    _write_table(root / "in_touch.csv", ["age", "in_touch"],
                 [[a, t] for a in ("Aged 17 to 18", "Aged 19 to 21", "aged 19-21")
                  for t in ("Local authority in touch", "Total", "Not in touch")],
                 ["number", "percentage"], rng)  # fmt: skip
    _write_table(root / "rates.csv", ["cla_group"],
                 [["Children looked after at 31 March"], ["Children starting to be looked after"],
                  ["Children ceasing to be looked after"], ["Children looked after on 31 March"]],
                 ["number", "rate_per_10000", "population_estimate"], rng)  # fmt: skip
    _write_table(root / "population.csv", ["age_group"], [["0 to 17"], ["0-17 years"]],
                 ["population_estimate"], rng)  # fmt: skip
    _write_table(root / "widgets.csv", [], [], ["widgets", "gadgets"], rng)
    # a column with values but no heading, and a table whose every year is unreadable
    (root / "no_heading.csv").write_text(EES + ",referrals,re_referrals,\n2024,Reporting year,"
                                         "National,E92000001,England,,,,,,10,2,x\n2024,,National,"
                                         "E92000001,England,,,,,,10,2,\n")  # fmt: skip
    (root / "bad_years.csv").write_text("time_period,geographic_level,referrals,re_referrals\n"
                                        "Q3,National,1,2\nQ4,National,1,2\n")  # fmt: skip
    (root / "empty.csv").write_text("")
    (root / "blank_lines.csv").write_text("\n\n")
    (root / "heading_only.csv").write_text(EES + ",referrals,re_referrals\n")
    (root / "ragged.csv").write_text("a,b\n1,2,3\n")
    (root / "binary.csv").write_bytes(b"time_period,\x81\x8d\x8f\x90\x9d\n1,2\n")
    (root / "notes.txt").write_text("a note")
    (root / "dictionary.csv").write_text(DICTIONARY)
    pd.DataFrame({"a": [1, 2]}).to_parquet(root / "other.parquet")
    n = 60
    pd.DataFrame({
        "Short Desc": rng.choice(["ReReferral", "Widgets", "Gadgets", "LAC", "CPPrate"], n),
        "Data item": rng.choice(["Re-referrals", "Widgets made", ""], n),
        "Years": rng.choice(["2024", "2023-24", "2023/24", "2024-25 (OT)", "2015/16-17/18",
                             "2014-16", "2024 (Rev)", "2025 (prov)", "bad", "1985"], n),
        "LA and Regions": rng.choice(["England", "South East", "Buckinghamshire", "Inner London",
                                      "Synthetic LA", "Cornwall"], n),
        "Region": rng.choice(["South East", "London", "", "South West"], n),
        "Values": rng.choice([*VALUES, *MARKS, *BAD], n),
        "LA Number": rng.choice([970, 825, 908, 987, 981, 999], n),
    }).to_parquet(root / "lait.parquet")  # fmt: skip
    return root


# ---------------------------------------------------------------- the cases


def _files(build: Callable[[Path], None]) -> Callable[[Path], dict]:
    def run(tmp: Path) -> dict:
        root = tmp / "published"
        root.mkdir()
        build(root)
        return published_digest([root], tmp)

    return run


def _renamed(root: Path) -> None:  # test_published: a later edition, BOM, CRLF, quoted empties
    lines = [EES + ",Category,referrals,re_referrals,re_referrals_%,new_measure",
             '2026,Reporting year,National,E92000001,England,"","","","","",Total,1000,200,20.0,5',
             "2026,Reporting year,Local authority,E92000001,England,E12000008,South East,"
             "E06000060,825,Buckinghamshire,Total,100,c,c,1"]  # fmt: skip
    (root / "renamed.csv").write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode())


def _unrecognised(root: Path) -> None:  # test_published: unrecognised file and invalid values
    (root / "other.csv").write_text(EES + ",widgets\n2024,Reporting year,National,E92000001,"
                                    "England,,,,,,12\n")  # fmt: skip
    (root / "notes.txt").write_text("a note")
    (root / "c1.csv").write_text(EES + ",referrals,re_referrals,re_referrals_percent\n"
                                 "2024,Reporting year,National,E92000001,England,,,,,,"
                                 "1000,n/a,20\n")  # fmt: skip


def _two_columns(root: Path) -> None:  # test_published: read without a log
    (root / "x.csv").write_text("a,b\n1,2\n")


def _years(root: Path) -> None:  # test_published: a table whose years are unreadable
    (root / "a.csv").write_text("time_period,geographic_level,referrals,re_referrals\n"
                                "Q3,National,1,2\n")  # fmt: skip


def _national_only(root: Path) -> None:  # test_dfe_sources: authority missing from the files
    (root / "c1.csv").write_text(
        "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
        "region_name,old_la_code,new_la_code,la_name,referrals,re_referrals,re_referrals_percent\n"
        "2024,Reporting year,National,E92000001,England,,,,,,1000,200,20\n"
    )


def _lait_rereferrals(root: Path) -> None:  # test_dfe_sources: LAIT alone
    lait = pd.read_parquet(EXTERNAL / "dfe_lait" / "bds_long_0.parquet")
    lait.loc[lait["Short Desc"] == "ReReferral"].to_parquet(root / "lait.parquet")


CASES: dict[str, Callable[[Path], dict]] = {
    "tests: renamed and reordered columns": _files(_renamed),
    "tests: unrecognised file and invalid values": _files(_unrecognised),
    "tests: two columns": _files(_two_columns),
    "tests: unreadable years": _files(_years),
    "tests: national only": _files(_national_only),
    "none": lambda tmp: published_digest([], tmp),
    "missing file": lambda tmp: published_digest([tmp / "nowhere.csv"], tmp),
    **{f"messy {seed}": (lambda s: lambda tmp: published_digest(
        [messy_published(tmp / "published", s)], tmp))(seed) for seed in range(4)},
}  # fmt: skip


def _external(folders: list[str]) -> Callable[[Path], dict]:
    return lambda tmp: published_digest([EXTERNAL / f for f in folders], EXTERNAL)


EXTERNAL_CASES: dict[str, Callable[[Path], dict]] = {
    **{f"external: {f}": _external([f]) for f in FOLDERS},
    "external: all": _external(FOLDERS),
    "tests: lait rereferrals": _files(_lait_rereferrals),
}


def assert_same(case: str, now: dict) -> None:
    """Equal to the golden output, or a failure naming what differs (first differences)."""
    before = read_golden(GOLDEN)[case]
    now = normalise(now)
    assert_log_same(case, before, now)
    assert before.get("file_list") == now.get("file_list"), case
    assert_frames_same(case, before, now)


@pytest.mark.parametrize("case", list(CASES))
def test_the_published_reader_reads_each_case_as_before(case, tmp_path):
    assert_same(case, CASES[case](tmp_path))


@pytest.mark.skipif(not EXTERNAL.exists(), reason="../shared sample files absent")
@pytest.mark.parametrize("case", list(EXTERNAL_CASES))
def test_real_published_files_are_read_as_before(case, tmp_path):
    assert_same(case, EXTERNAL_CASES[case](tmp_path))


def test_the_demonstration_published_folder_is_read_as_before(demo_dir):
    assert_same("demo", published_digest([demo_dir / "published"], demo_dir))


def test_the_demonstration_dfe_sources_are_added_as_before(demo_dir, tmp_path):
    assert_same("demo: add_dfe_sources", dfe_sources_digest(demo_dir, tmp_path))


def _build(tmp: Path) -> dict:
    from sefanalysis.demo import generate_demo

    golden = capture({**CASES, **EXTERNAL_CASES}, tmp)
    demo = generate_demo(tmp / "demo", seed=2024)
    golden["demo"] = normalise(published_digest([demo / "published"], demo))
    folder = tmp / "sources"
    folder.mkdir()
    golden["demo: add_dfe_sources"] = normalise(dfe_sources_digest(demo, folder))
    return golden


if __name__ == "__main__":
    write_golden_main(GOLDEN, "published reader", _build)
