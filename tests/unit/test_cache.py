"""The rerun cache: same inputs and code give the stored result; anything else recomputes."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import time

import pandas as pd
import pytest
from filelock import FileLock

from sefanalysis import cache
from sefanalysis.cache import CACHE_ENV, cache_key, cached


class Counter:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> pd.DataFrame:
        self.calls += 1
        return pd.DataFrame({"value": [1.0, 2.0]})


def test_without_a_cache_folder_everything_is_computed(monkeypatch):
    monkeypatch.delenv(CACHE_ENV, raising=False)
    compute = Counter()
    cached("indicators", ("a",), compute)
    cached("indicators", ("a",), compute)
    assert compute.calls == 2


def test_same_inputs_reuse_and_other_inputs_recompute(monkeypatch, tmp_path):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    compute = Counter()
    first = cached("indicators", ("data-1", ["2024-12-31"]), compute)
    again = cached("indicators", ("data-1", ["2024-12-31"]), compute)
    assert compute.calls == 1
    pd.testing.assert_frame_equal(first, again)
    cached("indicators", ("data-2", ["2024-12-31"]), compute)  # changed data
    cached("indicators", ("data-1", ["2024-09-30"]), compute)  # changed period
    assert compute.calls == 3


def _compute_slowly_once(marker: str) -> None:
    """In a child process: the shared entry, computed slowly, leaving a mark per computation."""

    def compute() -> int:
        with open(marker, "a") as fh:
            fh.write("computed\n")
        time.sleep(1.0)
        return 42

    assert cached("indicators", ("shared",), compute) == 42


def test_processes_sharing_the_cache_compute_an_entry_once(monkeypatch, tmp_path):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    marker = tmp_path / "computations.txt"
    fork = multiprocessing.get_context("fork")  # the children inherit the environment
    children = [fork.Process(target=_compute_slowly_once, args=(str(marker),)) for _ in range(3)]
    for child in children:
        child.start()
    for child in children:
        child.join(timeout=60)
    assert [child.exitcode for child in children] == [0, 0, 0]
    assert marker.read_text() == "computed\n"  # once, though three processes asked at once


def test_a_waiter_computes_the_entry_itself_when_the_lock_is_held_too_long(monkeypatch, tmp_path):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    monkeypatch.setattr(cache, "LOCK_WAIT", 0.2)
    key = cache_key("indicators", "a")
    (tmp_path / "indicators").mkdir()
    with FileLock(tmp_path / "indicators" / f"{key}.lock"):  # another process, stuck
        compute = Counter()
        cached("indicators", ("a",), compute)
    assert compute.calls == 1


def test_a_code_change_gives_a_new_key(monkeypatch):
    before = cache_key("x", 1)
    monkeypatch.setattr(cache, "code_version", lambda: "another version of the code")
    assert cache_key("x", 1) != before


def test_an_unreadable_entry_is_recomputed(monkeypatch, tmp_path):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    compute = Counter()
    cached("indicators", ("a",), compute)
    for entry in (tmp_path / "indicators").iterdir():
        entry.write_bytes(b"not a pickle")
    cached("indicators", ("a",), compute)
    assert compute.calls == 2


def test_sets_give_the_same_key_in_every_process():
    # sets of strings iterate in an order that depends on PYTHONHASHSEED
    code = "from sefanalysis.cache import cache_key; print(cache_key({'E1', 'E2', 'E3', 'E4'}))"
    keys = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout  # fmt: skip
        for seed in ("1", "2", "3")
    }
    assert len(keys) == 1


def test_charts_come_back_from_the_cache_byte_for_byte(monkeypatch, tmp_path):
    from sefanalysis.charts import trend_chart

    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    series = pd.DataFrame({"period_end": pd.to_datetime(["2024-09-30", "2024-12-31"]),
                           "value": [20.0, 22.5]})  # fmt: skip
    drawn = trend_chart(series, "t", "Title", "Subtitle", "pct")
    reused = trend_chart(series, "t", "Title", "Subtitle", "pct")
    assert drawn.figure is not None and reused.figure is None
    assert reused.png() == drawn.png() and reused.svg() == drawn.svg()
    assert reused.alt == drawn.alt
    paths = reused.save(tmp_path / "charts")
    assert [p.stat().st_size > 0 for p in paths] == [True, True, True, True]  # PNG SVG CSV JSON
    changed = trend_chart(series.assign(value=[20.0, 23.5]), "t", "Title", "Subtitle", "pct")
    assert changed.figure is not None  # new data: drawn again
    with pytest.raises(AssertionError):
        assert changed.png() == drawn.png()


def test_long_values_are_keyed_by_all_of_their_content():
    # reprs abbreviate long sequences ("..."); keys must not
    base = list(range(2000))
    changed = base.copy()
    changed[1000] = -1
    assert cache_key(pd.Index(base)) != cache_key(pd.Index(changed))
    assert cache_key(base) != cache_key(changed)
    assert cache_key(range(2000)) != cache_key(range(2001))


def test_a_replayed_report_section_needs_neither_pandas_nor_the_data(demo_dir, tmp_path):
    """A rerun's kernels replay cached sections: they must not import pandas (a third of each
    kernel's time) or load the dataset."""
    script = (
        "import sys\n"
        "from sefanalysis.report import AreaReport\n"
        f"r = AreaReport('2024-12-31', {str(demo_dir)!r}, {str(tmp_path / 'out')!r})\n"
        "r.show_context()\n"
        "print('pandas' in sys.modules, 'dataset' in r.__dict__ or 'sections' in r.__dict__)\n"
    )
    env = {**os.environ, CACHE_ENV: str(tmp_path / "cache")}
    run = [sys.executable, "-c", script]
    first = subprocess.run(run, env=env, capture_output=True, text=True, check=True)
    assert first.stdout.strip().splitlines()[-1] == "True True"  # computed: data and pandas
    again = subprocess.run(run, env=env, capture_output=True, text=True, check=True)
    assert again.stdout.strip().splitlines()[-1] == "False False"  # replayed
    # outside a notebook IPython prints a placeholder per output: one output, both times
    assert first.stdout.splitlines()[:-1] == again.stdout.splitlines()[:-1]
    assert len(again.stdout.splitlines()) == 2
