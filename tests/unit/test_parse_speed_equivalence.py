"""The faster loader reads every input exactly as the loader before it did (issue 19).

Golden output was captured from the loader of issue 16 (before the columns were parsed through
one lookup each) and is kept compactly in ``reference/ingest_golden.json.gz``: for each case the
full problem list, the inventory of files, the per-file row counts and, for every loaded frame,
its columns, types, length and a hash of its values. The cases are the demonstration authority,
every malformed input of ``test_input_trust.py``, a deliberately messy authority (every column
kind with good, odd and bad spellings, as a workbook with real cell types and as CSVs), and the
real files in ``../shared/data/external``.

To capture the golden output again (only when the loader's output is meant to change, and after
reading the differences this test prints):
``.venv/bin/python -m tests.unit.test_parse_speed_equivalence --write``
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sefanalysis.dataset import load_dataset
from sefanalysis.ingest.annex_a import read_annex_a_workbook
from sefanalysis.ingest.annex_a_spec import ANNEX_A
from sefanalysis.ingest.local_tables import LOCAL_TABLES
from sefanalysis.ingest.problems import ProblemLog
from sefanalysis.ingest.ssda903 import read_ssda903_folder

from ..conftest import EXTERNAL, write_dataset
from .golden import (
    assert_frames_same,
    assert_log_same,
    capture,
    normalise,
    read_golden,
    write_golden_main,
)
from .test_input_trust import CORPUS, WARNED, base

GOLDEN = Path(__file__).with_name("reference") / "ingest_golden.json.gz"


# ---------------------------------------------------------------- what is compared


def frame_digest(frame: pd.DataFrame | None, root: Path) -> object:
    """Columns, types, length and a hash of the values (order-sensitive) of one loaded frame;
    paths under ``root`` in text values are hashed relative to it (DfE's sources and the CIN
    census name their files in a ``source_file`` column)."""
    if frame is None:
        return None
    digest = hashlib.sha256()
    types = []
    for name in frame.columns:
        col = _relative_paths(frame[name], str(root))
        dtype = str(col.dtype)
        if isinstance(col.dtype, pd.CategoricalDtype):
            dtype += f"[{col.cat.categories.dtype}:{_hash_values(col.cat.categories.to_series())}]"
        types.append(f"{name}:{dtype}")
        digest.update(_hash_values(col).encode())
    return {"columns": types, "rows": len(frame), "hash": digest.hexdigest()[:16]}


def _relative_paths(col: pd.Series, root: str) -> pd.Series:
    if isinstance(col.dtype, pd.CategoricalDtype):
        if col.cat.categories.dtype.kind in "OUT" or str(col.cat.categories.dtype) == "str":
            names = col.cat.categories.astype(object)
            if any(isinstance(v, str) and root in v for v in names):
                return col.cat.rename_categories(
                    [v.replace(root, "<root>") if isinstance(v, str) else v for v in names]
                )
        return col
    if col.dtype.kind not in "OUT" and not isinstance(col.dtype, pd.StringDtype):
        return col
    if not any(isinstance(v, str) and root in v for v in col.to_numpy()):
        return col
    return col.map(lambda v: v.replace(root, "<root>") if isinstance(v, str) else v)


def _hash_values(values: pd.Series) -> str:
    hashed = pd.util.hash_pandas_object(values, index=False, categorize=False).to_numpy()
    return hashlib.sha256(np.ascontiguousarray(hashed).tobytes()).hexdigest()[:16]


def _relative(value: object, root: str) -> object:
    if isinstance(value, str):
        return value.replace(root, "<root>")
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.integer):
        return int(value)
    return value


def log_digest(log: ProblemLog, root: Path) -> dict:
    """The problems, the inventory and the per-file row counts, paths made relative."""
    where = str(root)

    def records(items: list, fields: list[str]) -> list[list]:
        return [[_relative(getattr(item, f), where) for f in fields] for item in items]

    return {
        "problems": records(
            log.problems,
            ["severity", "kind", "file", "sheet", "row", "column", "value", "expected"],
        ),
        "inventory": records(log.inventory, ["file", "status", "taken_as", "how"]),
        "files": records(log.files, ["file", "sheet", "table", "rows_read", "rows_rejected"]),
    }


def dataset_digest(root: Path) -> dict:
    ds = load_dataset(root)
    frames = {f"annex_a/{k}": frame_digest(v, root) for k, v in ds.annex_a.items()}
    frames |= {f"ssda903/{k}": frame_digest(v, root) for k, v in ds.ssda903.items()}
    frames |= {f"tables/{k}": frame_digest(v, root) for k, v in ds.tables.items()}
    return log_digest(ds.log, root) | {"frames": frames}


def lists_digest(lists: dict[str, pd.DataFrame], log: ProblemLog, root: Path) -> dict:
    return log_digest(log, root) | {"frames": {k: frame_digest(v, root) for k, v in lists.items()}}


# ---------------------------------------------------------------- a deliberately messy authority

# Spellings for each column kind: good, odd but readable, and bad. Each column draws from its
# kind's pool with its own random weights, so some columns are clean, some have a few problems,
# and some are refused as a whole (not a date column, dates in two formats).
DATES = [
    "01/10/2024", "13/10/2024", "2024-10-01", "2024-03-05T09:30:00Z", "1 Oct 2024",
    "13-October-2024", "45566", "45566.75", "01/10/24", "31/02/2024", "pending", "", "#N/A",
    " 01/10/2024 ", "31/12/9999", "1900-01-01", "2030-01-01", "10/13/2024", "2024/10/01",
    "01.10.2024", "NULL", "-", "n/a", "05/06/2023 17:05", "29/02/2023", "01/13/2024",
]  # fmt: skip
CELL_DATES = [datetime(2024, 10, 1), datetime(2023, 5, 6, 18, 0), datetime(9999, 12, 31),
              datetime(1901, 1, 1), 45566, 45566.75, 12.0]  # fmt: skip
CODES = ["Yes", "yes", "Y", "a) Yes", "b) No", "No", " no ", "\xa0Yes", "c) Unknown", "6",
         "6.0", "U6: Foster placement", "N1 - Abuse", "N1", "zzz", "", "N/A", "1A", "q) 6: Police",
         "WBRI", "a) Male", "Female", "2", "C2", "U1", "RC1", "PR1", "In", "outside", "E11",
         "Neglect", "physical", "YES", "Relevant child", "B1", "F1", "RD1", "Good", "RI", "ri",
         "Outstanding", "england", "national", "la", "regional", "Partly"]  # fmt: skip
NUMBERS = ["3", "3.0", "3.5", "-1", "abc", "", "1e3", " 4 ", "0", "101", "#N/A", "1,000", "12",
           "2024", "7.25", "None", "-0.5"]  # fmt: skip
CELL_NUMBERS = [3, 3.0, 3.5, -1, 0, 101, 12.0, 2024, True]
TEXTS = ["123.0", "A1", " B2 ", "\xa0C3", "", "NULL", "Team 1", "team 1", "<NA>", "nan", "x" * 90,
         "Ünïcödé", "12345", "-", "#N/A", "None", "0"]  # fmt: skip
CELL_TEXTS = [123.0, 12345, 7.5, True, datetime(2024, 1, 2)]


def _pool(kind: str, cells: bool) -> list[object]:
    pools = {
        "date": (DATES, CELL_DATES),
        "code": (CODES, [6, 6.0, 1, 0, True]),
        "int": (NUMBERS, CELL_NUMBERS),
        "number": (NUMBERS, CELL_NUMBERS),
    }
    text, typed = pools.get(kind, (TEXTS, CELL_TEXTS))
    return text + (typed if cells else [])


def messy_frame(spec, rng: np.random.Generator, n: int, cells: bool) -> pd.DataFrame:
    """``n`` rows of messy values under the list's headings (some as aliases, some columns
    dropped, one unknown heading); a few clean rows so that no list is empty."""
    data = {}
    for i, col in enumerate(spec.columns):
        if not col.required and rng.random() < 0.2:
            continue  # an optional column not supplied
        pool = _pool(col.kind, cells)
        pool = [pool[j] for j in rng.choice(len(pool), rng.integers(2, 9), replace=False)]
        weights = rng.random(len(pool)) ** 2
        weights[0] += weights.sum() * rng.choice([0.5, 5, 50])
        values = [pool[j] for j in rng.choice(len(pool), n, p=weights / weights.sum())]
        if col.kind == "id":
            values = [f"C{j % (n // 2)}" if j % 7 else v for j, v in enumerate(values)]
        heading = col.aliases[0] if col.aliases and i % 2 else col.heading
        data[heading] = values
    frame = pd.DataFrame(data)
    frame["Notes (local)"] = "x"
    return frame


def messy_authority(root: Path, as_workbook: bool, seed: int) -> Path:
    rng = np.random.default_rng(seed)
    write_dataset(root, extract="2024-12-31")
    (root / "annex_a").rmdir()
    sheets = {}
    for spec in ANNEX_A:
        if spec.number == 2:
            continue  # one list not supplied
        sheets[spec.number] = messy_frame(spec, rng, 50, cells=as_workbook)
        if spec.number == 5:
            sheets[spec.number].loc[10:12] = None  # blank rows inside the list
    if as_workbook:
        with pd.ExcelWriter(root / "annex_a.xlsx", engine="openpyxl") as writer:
            pd.DataFrame({"Title": ["Annex A return"]}).to_excel(writer, sheet_name="Front",
                                                                 index=False)  # fmt: skip
            for number, frame in sheets.items():
                name = f"List {number}" if number % 3 else f"List_{number} - data"
                # a title row above the headings, as in Ofsted's template
                frame.to_excel(writer, sheet_name=name, index=False, startrow=1)
    else:
        (root / "annex_a").mkdir()
        for number, frame in sheets.items():
            encoding = "cp1252" if number == 4 else "utf-8-sig" if number == 6 else "utf-8"
            text = frame.astype(object).where(frame.notna(), "").astype(str)
            text.to_csv(root / "annex_a" / f"list_{number}.csv", index=False,
                        encoding=encoding, errors="replace")  # fmt: skip
    for key in ("workforce", "audits", "supervision", "complaints", "benchmarks", "targets"):
        frame = messy_frame(LOCAL_TABLES[key], rng, 40, cells=False).drop(columns="Notes (local)")
        if key == "targets":
            frame["indicator_id"] = rng.choice(["referrals", "re_referral_pct", "referals"], 40)
        frame.to_csv(root / f"{key}.csv", index=False)
    return root


# ---------------------------------------------------------------- the cases


def _corpus_case(build: Callable[[Path], None]) -> Callable[[Path], dict]:
    def run(tmp: Path) -> dict:
        root = base(tmp / "la")
        build(root)
        return dataset_digest(root)

    return run


def _messy(as_workbook: bool, seed: int) -> Callable[[Path], dict]:
    return lambda tmp: dataset_digest(messy_authority(tmp / "la", as_workbook, seed))


def _external_workbook(name: str, extract: str | None) -> Callable[[Path], dict]:
    def run(tmp: Path) -> dict:
        log = ProblemLog()
        folder = EXTERNAL / "annex_a"
        lists = read_annex_a_workbook(
            folder / name, log, pd.Timestamp(extract) if extract else None
        )
        return lists_digest(lists, log, folder)

    return run


def _external_ssda903(tmp: Path) -> dict:
    log = ProblemLog()
    folder = EXTERNAL / "ssda903_d2i_fake"
    return lists_digest(read_ssda903_folder(folder, log), log, folder)


CASES: dict[str, Callable[[Path], dict]] = {
    **{f"corpus: {name}": _corpus_case(build) for name, (build, _) in CORPUS.items()},
    **{f"warned: {name}": _corpus_case(build) for name, (build, _) in WARNED.items()},
    **{f"messy workbook {seed}": _messy(True, seed) for seed in (1, 2)},
    **{f"messy csv {seed}": _messy(False, seed) for seed in (1, 2)},
}
EXTERNAL_CASES: dict[str, Callable[[Path], dict]] = {
    "external: ofsted template": _external_workbook("ofsted_annex_a_template_aug2019.xlsx", None),
    "external: liiatools sample": _external_workbook("liiatools_annex_a_sample.xlsx", "2021-03-31"),
    "external: d2i ssda903": _external_ssda903,
}


def assert_same(case: str, now: dict) -> None:
    """Equal to the golden output, or a failure naming what differs (first differences)."""
    before = read_golden(GOLDEN)[case]
    now = normalise(now)
    assert_log_same(case, before, now)
    assert_frames_same(case, before, now)


@pytest.mark.parametrize("case", list(CASES))
def test_the_loader_reads_each_case_as_before(case, tmp_path):
    assert_same(case, CASES[case](tmp_path))


@pytest.mark.skipif(not EXTERNAL.exists(), reason="../shared sample files absent")
@pytest.mark.parametrize("case", list(EXTERNAL_CASES))
def test_real_files_are_read_as_before(case, tmp_path):
    assert_same(case, EXTERNAL_CASES[case](tmp_path))


def test_the_demonstration_authority_is_read_as_before(demo_dir):
    assert_same("demo", dataset_digest(demo_dir))


def test_each_file_read_has_its_sha256(tmp_path):
    """The hashes are computed beside the last step of loading; each is the file's own."""
    ds = load_dataset(messy_authority(tmp_path / "la", as_workbook=True, seed=1))
    assert len(ds.log.files) > 10
    for summary in ds.log.files:
        assert summary.sha256 == hashlib.sha256(Path(summary.file).read_bytes()).hexdigest()


# ---------------------------------------------------------------- cells as read_excel reads them

CELLS = ["01/10/2024", "", " ", "#N/A", "N/A", "NA", "null", "<NA>", "-1.#IND", "nan", "None", "x",
         "6", "6.0", True, False, 1, 0, 1.0, 0.0, 6, 6.5, -0.0, 1e20, 45566.75,
         datetime(2024, 10, 1), datetime(2024, 10, 1, 18, 5), date(2023, 1, 2), date(9999, 12, 31),
         time(9, 30), "\xa0", "Ünïcödé"]  # fmt: skip


@pytest.mark.parametrize("seed", range(8))
def test_workbook_cells_are_read_as_read_excel_reads_them(seed, tmp_path):
    """Each distinct value is converted once (not each cell), into what ``read_excel(header=None,
    dtype=object)`` gave: whole floats as integers, dates as datetimes, pandas' missing markers
    missing, ``True`` and ``1`` kept apart, blank rows and columns kept in place."""
    import openpyxl

    from sefanalysis.ingest.cells import read_workbook

    rng = np.random.default_rng(seed)
    book = openpyxl.Workbook()
    for s in range(3):
        sheet = book.active if s == 0 else book.create_sheet(f"S{s}")
        for r in range(int(rng.integers(0, 14))):
            for c in range(int(rng.integers(1, 6))):
                if rng.random() < 0.8:
                    value = CELLS[int(rng.integers(len(CELLS)))]
                    sheet.cell(row=r + 1 + (s == 2), column=c + 1 + (s == 1), value=value)
    path = tmp_path / "cells.xlsx"
    book.save(path)
    expected = pd.read_excel(path, sheet_name=None, header=None, engine="calamine", dtype=object)
    read = read_workbook(path)
    assert list(read) == list(expected)
    for name, frame in expected.items():
        table = read[name]
        assert (len(table), len(table.columns)) == frame.shape, name
        for j, cells in enumerate(table.columns):
            for want, have in zip(frame[j], cells.values(), strict=True):
                if pd.isna(want):
                    assert pd.isna(have)
                    continue
                stamps = isinstance(want, datetime) and isinstance(have, datetime)
                same_type = type(want) is type(have) or stamps  # a datetime or a Timestamp
                assert same_type and want == have and str(want) == str(have), (want, have)


def _build(tmp: Path) -> dict:
    from sefanalysis.demo import generate_demo

    golden = capture({**CASES, **EXTERNAL_CASES}, tmp)
    golden["demo"] = normalise(dataset_digest(generate_demo(tmp / "demo", seed=2024)))
    return golden


if __name__ == "__main__":
    write_golden_main(GOLDEN, "loader", _build)
