"""The promises of a run, piece by piece (the end-to-end faults are in
``tests/notebooks/test_faults.py``): content-keyed, pickle-free rerun cache; one run per folder;
a folder always complete; hostile text inert in HTML, CSV and XLSX; authority folders inside
``--out``; the packaged notebooks; owner-only child-level files."""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import json
import os
import pickle
import signal
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sefanalysis import cache, cachefile, runner
from sefanalysis.cache import CACHE_ENV, cache_key, cached, fingerprint, using_cache
from sefanalysis.checks.safety import formula_cells_xlsx, loose_permissions, unsafe_html
from sefanalysis.dataset import load_dataset, load_dataset_cached, load_dataset_rerun, save_cache
from sefanalysis.errors import SefError
from sefanalysis.ingest.problems import FileUse, ProblemLog
from sefanalysis.many import authority_folder, cross_authority_summary
from sefanalysis.runfolder import RunLock, RunLocked, publish, recover, retire
from sefanalysis.safe_output import csv_bytes, escape, needs_escape, neutralise_csv

from ..conftest import write_dataset
from .test_cache import Counter

HOSTILE = ['<script>alert("x")</script>', '"><img src=x onerror=alert(1)>',
           '=HYPERLINK("http://evil.example/","click")', "+cmd|' /C calc'!A0", "-1+1",
           "@SUM(1+1)", "\t=1+1"]  # fmt: skip


def referral(child: str, date: str) -> dict:
    return {"child_id": child, "referral_date": date, "referral_nfa": "No", "n_referrals_12m": 0}


@pytest.fixture
def cache_folder(monkeypatch, tmp_path) -> Path:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    return tmp_path / "cache"


# ------------------------------------------------------------------------ keys from content
def test_a_file_changed_in_content_only_changes_the_fingerprint(tmp_path):
    data = write_dataset(tmp_path / "la", {"referrals": [referral("A", "2024-02-01")]})
    population = data / "population.csv"
    before, stat = fingerprint(data), population.stat()
    population.write_text(population.read_text().replace("10000", "20000"))
    os.utime(population, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # as cp -p leaves it
    assert population.stat().st_size == stat.st_size
    assert fingerprint(data) != before


def test_a_corrected_file_of_the_same_size_and_time_is_not_served_stale(cache_folder, tmp_path):
    data = write_dataset(tmp_path / "la", {"referrals": [referral("A", "2024-02-01")]})
    first = load_dataset_rerun(data)
    population = data / "population.csv"
    stat = population.stat()
    population.write_text(population.read_text().replace("10000", "20000"))
    os.utime(population, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    second = load_dataset_rerun(data)
    assert first.population["population"].iloc[0] == 10000
    assert second.population["population"].iloc[0] == 20000


@pytest.mark.parametrize("library", ["holidays", "scipy", "afcharts", "pandera",
                                     "python-calamine", "statsmodels"])  # fmt: skip
def test_a_library_upgrade_gives_new_keys(monkeypatch, library):
    before = cache_key("indicators", "x")
    installed = cache.installed_versions()
    assert library in {name for name, _ in installed}
    upgraded = [(n, v + ".post1" if n == library else v) for n, v in installed]
    monkeypatch.setattr(cache, "installed_versions", lambda: upgraded)
    cache.code_version.cache_clear()
    try:
        assert cache_key("indicators", "x") != before
    finally:
        cache.code_version.cache_clear()


def test_keys_refuse_values_they_cannot_read_by_content():
    with pytest.raises(TypeError, match="cannot be made from"):
        cache_key(object())


# ---------------------------------------------------------------------------- pickle-free
class Explodes:
    """Unpickling this runs code (it writes a file): what a planted cache entry would do."""

    def __init__(self, mark: str) -> None:
        self.mark = mark

    def __reduce__(self):
        return (Path(self.mark).write_text, ("code ran",))


def _entries(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and p.suffix != ".lock"]


def test_the_cache_holds_no_pickle_and_never_unpickles(cache_folder, tmp_path, monkeypatch):
    data = write_dataset(tmp_path / "la", {"referrals": [referral("A", "2024-02-01")]})
    first = load_dataset_rerun(data)

    def refuse(*args, **kwargs):
        raise AssertionError("the cache unpickled something")

    for name in ("load", "loads", "Unpickler"):
        monkeypatch.setattr(pickle, name, refuse)
    again = load_dataset_rerun(data)
    assert again.authority == first.authority
    entries = _entries(cache_folder)
    assert entries and all(p.suffix == ".sefc" for p in entries)
    assert all(p.read_bytes().startswith(cachefile.MAGIC) for p in entries)
    assert not list(tmp_path.rglob("*.pickle"))


def test_a_planted_pickle_is_recomputed_and_runs_nothing(cache_folder, tmp_path):
    mark = tmp_path / "EXECUTED"
    compute = Counter()
    cached("indicators", ("a",), compute)
    for entry in _entries(cache_folder):
        entry.write_bytes(pickle.dumps(Explodes(str(mark))))
    cached("indicators", ("a",), compute)
    assert compute.calls == 2 and not mark.exists()


def _forged(value: object) -> bytes:
    """An entry with a correct checksum around any JSON document."""
    text = json.dumps({"value": value, "blocks": [], "shared": []}).encode()
    body = cachefile.HEAD.pack(cachefile.START, len(text)) + text
    return cachefile.MAGIC + hashlib.sha256(body).digest() + body


DAMAGE = ["flip a byte", "truncate", "forge os.system", "forge a function",
          "forge a non-package dataclass"]  # fmt: skip


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_or_altered_entry_is_recomputed(cache_folder, damage):
    compute = Counter()
    cached("indicators", ("a",), compute)
    (entry,) = _entries(cache_folder)
    content = bytearray(entry.read_bytes())
    forged = {"forge os.system": {"$": "dataclass", "type": "os.system", "fields": {}},
              "forge a function": {"$": "dataclass", "type": "sefanalysis.cli.main",
                                   "fields": {}},
              "forge a non-package dataclass": {"$": "dataclass", "type":
                                                "sefanalysisx.Thing", "fields": {}}}  # fmt: skip
    if damage == "flip a byte":
        content[len(content) // 2] ^= 0xFF
    elif damage == "truncate":
        content = content[: len(content) // 2]
    else:
        content = bytearray(_forged(forged[damage]))
    entry.write_bytes(bytes(content))
    with pytest.raises(cachefile.Damaged):
        cachefile.read(entry)
    cached("indicators", ("a",), compute)
    assert compute.calls == 2


def test_the_dataset_comes_back_as_it_was(demo):
    """Every frame identical (values, dtypes, categories, index), categoricals still sharing
    one dtype across tables, the authority and the whole problem log."""
    log = ProblemLog()
    log.add("warning", "odd value", "x.csv", row=3, column="c", value="v", expected="e")
    log.used("a.csv", "Annex A List 3", "by name")
    log.not_used("notes.txt", "not a table")
    ds = dataclasses.replace(demo, log=log)
    back = cachefile.loads(cachefile.dumps(ds))
    assert type(back) is type(ds) and back.path == ds.path and back.authority == ds.authority
    assert back.log == log and isinstance(back.log.inventory[0], FileUse)
    for group in ("annex_a", "ssda903", "tables"):
        assert getattr(back, group).keys() == getattr(ds, group).keys()
        for key, frame in getattr(ds, group).items():
            if frame is None:
                assert getattr(back, group)[key] is None
            else:
                pd.testing.assert_frame_equal(getattr(back, group)[key], frame, check_exact=True)
    child = {f["child_id"].dtype for f in back.annex_a.values() if "child_id" in f}
    assert len(child) == 1 and isinstance(child.pop(), pd.CategoricalDtype)
    refs = back.annex_a["referrals"]
    refs.loc[refs.index[0], "age"] = 99.0  # arrays read back are writable


def test_values_of_every_stored_kind_come_back_as_they_were():
    index = pd.MultiIndex.from_tuples([("a", 1), ("b", 2), ("b", 3)], names=["k", None])
    frame = pd.DataFrame({
        "cat": pd.Categorical(["x", None, "y"], categories=["y", "x", "unused"], ordered=True),
        "tz": pd.to_datetime(["2024-01-01", None, "2024-03-31"]).tz_localize("Europe/London"),
        "naive": pd.to_datetime(["2024-01-01", "2024-02-01", None]).as_unit("us"),
        "int": pd.array([1, None, 3], dtype="Int64"),
        "flag": pd.array([True, None, False], dtype="boolean"),
        "text": pd.array(["a", None, "c"], dtype="string"),
        "str": pd.Series(["a", None, "c"], dtype="str").array,
        "mixed": np.array([1, "1", None], dtype=object),
        "floats": [1.5, float("nan"), -0.0],
        "span": pd.to_timedelta(["1D", None, "2h"]),
    }, index=index)  # fmt: skip
    frame[("tuple", 2)] = [(1, 2), [3], {"k": 1}]
    frame.attrs["source"] = "test"
    value = {
        "frame": frame, "series": pd.Series([1, 2], index=["a", "b"], name=("s", 1)),
        "index": pd.date_range("2024-01-31", periods=3, freq="ME"),
        "stamps": [pd.Timestamp("2024-12-31", tz="UTC"), pd.NaT, pd.NA, pd.Timedelta("1h")],
        "numpy": (np.int16(3), np.float32(0.5), np.array([[1, 2], [3, 4]])[0]),
        "plain": {1: "one", (2, "two"): {3.5, 4.5}, "$": frozenset({"x"})},
        "other": [Path("a/b"), b"\x00\xff", None, True, 2**70, "€"],
    }  # fmt: skip
    back = cachefile.loads(cachefile.dumps(value))
    pd.testing.assert_frame_equal(back["frame"], frame, check_exact=True)
    assert back["frame"].attrs == frame.attrs
    assert back["frame"]["cat"].cat.categories.tolist() == ["y", "x", "unused"]
    pd.testing.assert_series_equal(back["series"], value["series"])
    pd.testing.assert_index_equal(back["index"], value["index"], exact=True)
    assert back["index"].freq == value["index"].freq
    assert back["stamps"][0] == value["stamps"][0] and back["stamps"][1] is pd.NaT
    assert back["stamps"][2] is pd.NA and back["stamps"][3] == pd.Timedelta("1h")
    assert back["numpy"][0].dtype == np.int16 and back["numpy"][1].dtype == np.float32
    assert back["numpy"][2].tolist() == [1, 2]
    assert back["plain"] == value["plain"] and back["other"] == value["other"]


def test_a_chart_comes_back_with_its_drawings():
    from sefanalysis.charts import Chart

    chart = Chart("c", None, "Title", "Sub", "Alt text", pd.DataFrame({"v": [1.0]}),
                  _png=b"\x89PNG...", _svg=b"<svg/>", kind="trend", source="Annex A")  # fmt: skip
    back = cachefile.loads(cachefile.dumps(chart))
    assert back.png() == chart.png() and back.svg() == chart.svg()
    assert (back.title, back.kind, back.source) == ("Title", "trend", "Annex A")


def test_a_value_the_format_cannot_hold_is_computed_not_cached(cache_folder):
    calls = []

    def compute():
        calls.append(1)
        return {"a function": len}

    assert cached("indicators", ("a",), compute) == {"a function": len}
    assert cached("indicators", ("a",), compute) == {"a function": len}
    assert len(calls) == 2 and _entries(cache_folder) == []


def test_the_runner_copy_of_the_dataset_is_not_a_pickle(tmp_path, monkeypatch):
    monkeypatch.delenv(CACHE_ENV, raising=False)
    data = write_dataset(tmp_path / "la", {"referrals": [referral("A", "2024-02-01")]})
    ds = load_dataset(data)
    save_cache(ds, tmp_path / "analyst" / "dataset.pickle")
    assert not (tmp_path / "analyst" / "dataset.pickle").exists()
    saved = tmp_path / "analyst" / "dataset.sefc"
    assert saved.stat().st_mode & 0o777 == 0o600
    assert load_dataset_cached(data, tmp_path / "analyst" / "dataset.pickle").authority == (
        ds.authority
    )
    (data / "population.csv").write_text("year,population\n2024,20000\n")
    again = load_dataset_cached(data, tmp_path / "analyst" / "dataset.pickle")
    assert again.population["population"].tolist() == [20000]


def test_cache_entries_and_folders_are_owner_only(cache_folder):
    cached("indicators", ("a",), Counter())
    assert loose_permissions(cache_folder.parent) == []
    assert cache_folder.stat().st_mode & 0o777 == 0o700


def test_using_cache_sets_the_folder_only_inside_the_block(monkeypatch, tmp_path):
    monkeypatch.setenv(CACHE_ENV, "before")
    with using_cache(tmp_path / "a"):
        assert os.environ[CACHE_ENV] == str(tmp_path / "a")
        with using_cache(None):
            assert CACHE_ENV not in os.environ
    assert os.environ[CACHE_ENV] == "before"


# --------------------------------------------------------------------------- one run at a time
def test_a_held_run_folder_refuses_a_second_run_naming_the_holder(tmp_path):
    with RunLock(tmp_path, "2024-12-31"):
        with pytest.raises(RunLocked, match=f"process {os.getpid()} "):
            RunLock(tmp_path, "2024-12-31").__enter__()
        with RunLock(tmp_path, "2024-12-31-internal"):  # another folder: its own lock
            pass
    with RunLock(tmp_path, "2024-12-31"):  # released
        pass


def test_the_lock_ends_with_its_process(tmp_path):
    code = ("import sys, time\nfrom pathlib import Path\nfrom sefanalysis.runfolder import "
            f"RunLock\nwith RunLock(Path({str(tmp_path)!r}), 'p'):\n    print('held', "
            "flush=True)\n    time.sleep(60)\n")  # fmt: skip
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(RunLocked, match=f"process {holder.pid} "):
            RunLock(tmp_path, "p").__enter__()
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    with RunLock(tmp_path, "p"):
        pass


# ------------------------------------------------------------------- always a complete folder
def _build(out: Path, n: int) -> Path:
    build = out / f".p.{n:032x}.partial"
    build.mkdir()
    for name in ("a", "b", "manifest.json"):
        (build / name).write_text(str(n))
    return build


def test_the_run_folder_is_always_a_whole_run_while_runs_are_swapped_in(tmp_path):
    final = tmp_path / "p"
    publish(_build(tmp_path, 0), final, "0" * 32)
    seen, stop = [], threading.Event()

    def watch() -> None:
        while not stop.is_set():
            try:
                seen.append(sorted(os.listdir(final)))
            except FileNotFoundError:
                seen.append(["<absent>"])

    reader = threading.Thread(target=watch)
    reader.start()
    try:
        for n in range(1, 200):
            publish(_build(tmp_path, n), final, f"{n:032x}")
    finally:
        stop.set()
        reader.join()
    assert seen and [s for s in seen if s != ["a", "b", "manifest.json"]] == []
    assert (final / "a").read_text() == "199"
    recover(tmp_path, "p")  # the replaced runs, kept whole for readers, go with the next run
    assert [p.name for p in tmp_path.iterdir()] == ["p"]


def test_without_an_atomic_exchange_the_old_run_steps_aside_whole(tmp_path, monkeypatch):
    from sefanalysis import runfolder

    monkeypatch.setattr(runfolder, "_exchange", lambda a, b: False)
    publish(_build(tmp_path, 0), tmp_path / "p", "0" * 32)
    publish(_build(tmp_path, 1), tmp_path / "p", "1" * 32)
    assert (tmp_path / "p" / "a").read_text() == "1"
    assert sorted(p.name for p in tmp_path.iterdir()) == [f".p.{'1' * 32}.old", "p"]
    recover(tmp_path, "p")
    assert [p.name for p in tmp_path.iterdir()] == ["p"]


def test_recover_puts_back_a_run_left_aside_and_deletes_half_builds(tmp_path):
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "old").write_text("complete")
    os.rename(tmp_path / "p", tmp_path / f".p.{'a' * 32}.aside")  # killed after stepping aside
    _build(tmp_path, 7)  # a half-built run of a killed process
    (tmp_path / f".p-internal.{'b' * 32}.partial").mkdir()  # another folder's: not touched
    recover(tmp_path, "p")
    assert (tmp_path / "p" / "old").read_text() == "complete"
    assert sorted(p.name for p in tmp_path.iterdir()) == [f".p-internal.{'b' * 32}.partial", "p"]
    retire(tmp_path / "p", "c" * 32)
    assert not (tmp_path / "p").exists()
    recover(tmp_path, "p")
    assert sorted(p.name for p in tmp_path.iterdir()) == [f".p-internal.{'b' * 32}.partial"]


def test_outputs_inside_the_data_folder_are_refused(tmp_path):
    data = write_dataset(tmp_path / "la", {"referrals": [referral("A", "2024-02-01")]})
    with pytest.raises(SefError, match="inside the data folder"):
        runner.run_quarter("2024-12-31", data, data / "outputs")
    assert not (data / "outputs").exists()


def test_a_full_disk_is_named_as_such():
    reason = runner.os_reason(OSError(errno.ENOSPC, "No space left on device", "x.csv"))
    assert reason == "the disk is full: no space left on the device (x.csv)"


# ---------------------------------------------------------------------- inert hostile text
@pytest.mark.parametrize("text", HOSTILE[2:])
def test_text_a_spreadsheet_would_read_as_a_formula_is_neutralised(text):
    assert needs_escape(text) and escape(text) == "'" + text


@pytest.mark.parametrize("text", ["-3.5", "+2%", "-1,234.5", "-", "1e-3", "2024-12-31", "[c]",
                                  "Children's services", "", "A-D"])  # fmt: skip
def test_numbers_and_ordinary_text_are_left_alone(text):
    assert not needs_escape(text) and escape(text) == text


def test_csv_cells_and_headings_from_the_inputs_never_become_formulas():
    frame = pd.DataFrame({"area_name": HOSTILE, "value": [-1.5] * len(HOSTILE),
                          "=cmd": pd.Categorical(HOSTILE)})  # fmt: skip
    text = csv_bytes(frame).decode()
    rows = pd.read_csv(pd.io.common.StringIO(text), dtype=str, keep_default_na=False)
    assert list(rows.columns) == ["area_name", "value", "'=cmd"]
    assert rows["value"].tolist() == ["-1.5"] * len(HOSTILE)
    assert not any(needs_escape(v) for v in rows.to_numpy().ravel())
    assert rows["area_name"].iloc[4] == "'-1+1" and rows["area_name"].iloc[0] == HOSTILE[0]
    clean = b"a,b\n-1.5,x\n"
    assert neutralise_csv(clean) == clean  # nothing to do: the same bytes
    assert neutralise_csv(text.encode()) == text.encode()  # idempotent


def test_the_workbook_holds_no_formula_and_no_link(tmp_path):
    from sefanalysis.report.workbook import build_workbook

    table = pd.DataFrame({"area_name": HOSTILE, "value": range(len(HOSTILE))})
    meta = {"authority": HOSTILE[2], "period_end": "=1+1", "title": "@SUM(1)",
            "suppression_note": "+1", "contact_name": HOSTILE[3]}  # fmt: skip
    path = tmp_path / "book.xlsx"
    path.write_bytes(build_workbook({"t": (table.to_csv(index=False).encode(), None)}, meta,
                                    [HOSTILE[4]]))  # fmt: skip
    assert formula_cells_xlsx(path) == []


def test_tables_in_pages_escape_every_cell_and_heading():
    from sefanalysis.report.display import table_html

    page = table_html(pd.DataFrame({'<th onclick="x">': HOSTILE}), "<b>caption</b>", "t")
    assert "<script>" not in page and "onerror=" not in page.replace("onerror=alert", "")
    assert unsafe_html_text(page) == []
    assert "&lt;script&gt;" in page and "&lt;b&gt;caption" in page


def unsafe_html_text(markup: str) -> list[str]:
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".html", delete=False) as fh:
        fh.write(markup)
    try:
        return unsafe_html(fh.name)
    finally:
        os.unlink(fh.name)


def test_hostile_file_names_are_inert_in_the_data_quality_report(make_dataset, tmp_path):
    from sefanalysis.quality import write_reports

    ds = make_dataset({"referrals": [referral("A", "2024-02-01")]})
    for text in HOSTILE:
        ds.log.add("warning", "unreadable file", f"/data/{text}.csv", value=text, expected="x")
    write_reports(ds, tmp_path / "run", tmp_path / "run" / "analyst")
    page = tmp_path / "run" / "data_quality.html"
    assert unsafe_html(page) == []
    assert "&lt;img src=x onerror=alert(1)&gt;.csv" in page.read_text()


def test_chart_data_files_never_hold_formulas():
    from sefanalysis.charts import Chart

    chart = Chart("c", None, "t", "s", "alt", pd.DataFrame({"area_name": HOSTILE}),
                  _png=b"png", _svg=b"svg")  # fmt: skip
    text = chart.files()["c.csv"].decode()
    assert not any(needs_escape(cell) for cell in text.replace('"', "").splitlines()[1:])
    assert "'=HYPERLINK" in text


# ------------------------------------------------------------------------- where runs write
@pytest.mark.parametrize("code", ["../x", "..", "a/b", "/etc", "", "West Shire",
                                  "x" * 70, ".hidden", "E09000033/../../x"])  # fmt: skip
def test_an_la_code_that_is_not_a_safe_name_is_refused(tmp_path, code):
    with pytest.raises(SefError, match="cannot name a folder"):
        authority_folder(tmp_path / "out", code, Path("authority.yaml"))


def test_safe_la_codes_name_folders_inside_out(tmp_path):
    out = tmp_path / "out"
    assert authority_folder(out, "E09000033", Path("a")) == out.resolve() / "E09000033"
    assert authority_folder(out, "westshire-1", Path("a")) == out.resolve() / "westshire-1"


def test_a_folder_that_is_a_link_out_of_out_is_refused(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "E09000033").symlink_to(tmp_path)
    with pytest.raises(SefError, match="outside"):
        authority_folder(out, "E09000033", Path("a"))


def test_the_summary_suppresses_small_numbers_and_derives_nothing_from_them(tmp_path):
    small = write_dataset(tmp_path / "a1", {"referrals": [referral(f"A{i}", "2024-02-01")
                                                          for i in range(3)]})  # fmt: skip
    large = write_dataset(tmp_path / "a2", {"referrals": [referral(f"B{i}", "2024-02-01")
                                                          for i in range(40)]})  # fmt: skip
    text = (large / "authority.yaml").read_text().replace("E99999999", "E99999998")
    (large / "authority.yaml").write_text(text)
    summary = cross_authority_summary("2024-12-31", [small, large], mode="published")
    refs = summary.loc[summary["indicator_id"] == "referrals"].set_index("la_code")
    assert refs.loc["E99999999", ["numerator", "value"]].tolist() == ["[c]", "[c]"]
    assert refs.loc["E99999998", "value"] == 40
    rerefs = summary.loc[summary["indicator_id"] == "re_referral_pct"].set_index("la_code")
    assert rerefs.loc["E99999999", ["value", "rank", "band"]].tolist() == ["[c]", "", ""]
    assert rerefs.loc["E99999998", "rank"] == 1.0  # ranked among the shown values only
    internal = cross_authority_summary("2024-12-31", [small, large], mode="internal")
    assert internal.loc[
        (internal["indicator_id"] == "referrals") & (internal["la_code"] == "E99999999"), "value"
    ].tolist() == [3]


def test_each_authority_reads_only_its_own_cache(tmp_path, monkeypatch):
    monkeypatch.delenv(CACHE_ENV, raising=False)
    dirs = [write_dataset(tmp_path / f"a{i}", {"referrals": [referral("A", "2024-02-01")]})
            for i in range(2)]  # fmt: skip
    caches = [tmp_path / f"cache{i}" for i in range(2)]
    cross_authority_summary("2024-12-31", dirs, caches)
    for folder, data in zip(caches, dirs, strict=True):
        (entry,) = (folder / "dataset").glob("*.sefc")
        assert cachefile.read(entry).path == data.resolve()
    assert CACHE_ENV not in os.environ


# ---------------------------------------------------------------------------- the notebooks
def test_the_packaged_notebooks_are_found_from_the_package_never_the_working_directory(
    tmp_path, monkeypatch
):
    for name, _ in runner.NOTEBOOKS:
        (tmp_path / "notebooks").mkdir(exist_ok=True)
        (tmp_path / "notebooks" / f"{name}.ipynb").write_text("{}")
    monkeypatch.chdir(tmp_path)
    packaged = Path(runner.__file__).resolve().parents[2] / "notebooks"
    assert runner.packaged_notebooks_dir() == packaged
    folder, books = runner.read_notebooks(None)
    assert folder == packaged and all(b != b"{}" for b in books.values())
    folder, books = runner.read_notebooks(tmp_path / "notebooks")  # --notebooks DIR
    assert folder == tmp_path / "notebooks" and set(books.values()) == {b"{}"}
