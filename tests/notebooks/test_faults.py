"""A run keeps its promises under faults: stale inputs, a second run at once, a kill at each
stage, a dead kernel, a full disk, a hostile ``la_code``, a ``notebooks/`` folder in the working
directory. Each test runs the real command line (in a child process where it is killed), with
three quick stand-in notebooks (``stubs``): the runner, papermill and nbconvert path is the
real one, only the notebooks' content is small."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import signal
from pathlib import Path

import pytest

from sefanalysis import runner
from sefanalysis.checks.safety import loose_permissions
from sefanalysis.runfolder import recover

from .stubs import (
    cli,
    descendants,
    kill_all,
    run_args,
    running,
    small_authority,
    stub_notebooks,
    wait_for,
)

pytestmark = pytest.mark.notebook
PERIOD = "2024-12-31"
TABLES = {"01_help_and_protection.csv", "02_children_in_care_and_care_leavers.csv",
          "03_leadership.csv", "referral_rate.csv"}  # fmt: skip


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """A complete run of the small authority with the stand-in notebooks."""
    root = tmp_path_factory.mktemp("faults")
    stub_notebooks(root / "notebooks")
    small_authority(root / "data")
    process = cli(run_args(root / "data", root / "out", root / "notebooks"))
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    return root


@pytest.fixture
def setup(base, tmp_path) -> tuple[Path, Path, Path]:
    """(data, out, notebooks): a copy of the base run's data and of its output folder (a
    complete earlier run, with its cache), and the stand-in notebooks."""
    shutil.copytree(base / "data", tmp_path / "data")
    shutil.copytree(base / "out", tmp_path / "out", symlinks=True)
    return tmp_path / "data", tmp_path / "out", base / "notebooks"


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}  # fmt: skip


def manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text())


def assert_complete(folder: Path) -> None:
    """A complete run: its manifest says so and every file the notebooks write is there."""
    assert manifest(folder)["status"] == "complete"
    assert {p.name for p in (folder / "tables").iterdir()} >= TABLES
    assert {p.name for p in (folder / "html").iterdir()} == {f"{n}.html" for n, _ in
                                                            runner.NOTEBOOKS}  # fmt: skip


def leftovers(out: Path) -> list[str]:
    """Hidden folders of unfinished runs (a replaced run kept whole until the next run, ``.old``,
    is not one)."""
    return sorted(p.name for p in out.iterdir() if p.name.startswith(f".{PERIOD}.")
                  and p.name.endswith((".partial", ".aside")))  # fmt: skip


def started(marker: Path, n: int = 3) -> bool:
    return marker.exists() and len(marker.read_text().splitlines()) >= n


def rate(folder: Path) -> str:
    return (folder / "tables" / "referral_rate.csv").read_text().splitlines()[-1]


# ----------------------------------------------------------------------------- stale results
def test_a_corrected_file_with_the_same_size_and_time_gives_the_new_value_and_hash(setup):
    """The corrected population file has the same size and modification time as the old one
    (as ``cp -p``, rsync or a restore leave it): the rerun gives the new rate per 10,000 and the
    manifest records the new file's SHA-256."""
    data, out, notebooks = setup
    assert rate(out / PERIOD) == f"{PERIOD},40.0"  # 40 referrals, 10,000 children
    population = data / "population.csv"
    before = population.stat()
    population.write_text(population.read_text().replace("10000", "20000"))
    os.utime(population, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = population.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    process = cli(run_args(data, out, notebooks))
    _, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert rate(out / PERIOD) == f"{PERIOD},20.0"
    new_sha = hashlib.sha256(population.read_bytes()).hexdigest()
    recorded = [f["sha256"] for f in manifest(out / PERIOD)["inputs"]
                if f["file"].endswith("population.csv")]  # fmt: skip
    assert recorded == [new_sha]
    assert manifest(out / PERIOD)["data_files"]["population.csv"] == new_sha


def test_an_input_changed_during_the_run_fails_it(setup):
    """The manifest can only vouch for bytes the run read: a file changed while the run was
    going (here just after the dataset was loaded) fails the run, naming the file."""
    data, out, notebooks = setup
    old = tree(out / PERIOD)
    hook = ("from sefanalysis import runner\nload = runner.load_dataset_rerun\n"
            "def load_then_change(path):\n    dataset = load(path)\n"
            "    with open(path / 'population.csv', 'a') as fh:\n"
            "        fh.write('2031,10000\\n')\n    return dataset\n"
            "runner.load_dataset_rerun = load_then_change")  # fmt: skip
    process = cli(run_args(data, out, notebooks), hook=hook)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 1 and "changed during the run (population.csv)" in err, err
    assert "population.csv" in manifest(out / f"{PERIOD}.failed")["reason"]
    assert tree(out / PERIOD) == old


# ---------------------------------------------------------------------------- concurrent runs
def test_a_second_run_into_the_same_folder_refuses_naming_the_first(setup, tmp_path):
    data, out, notebooks = setup
    marker = tmp_path / "started"
    first = cli(run_args(data, out, notebooks),
                {"SEF_TEST_PAUSE": "4", "SEF_TEST_STARTED": str(marker)})  # fmt: skip
    wait_for(lambda: started(marker, 1), what="the first run's notebooks")
    second = cli(run_args(data, out, notebooks))
    _, err = second.communicate(timeout=60)
    assert second.returncode == 2
    assert "another run is writing" in err and f"process {first.pid} " in err, err
    _, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert_complete(out / PERIOD)
    assert leftovers(out) == [] and not (out / f"{PERIOD}.failed").exists()


# ------------------------------------------------------------------------- a kill at each stage
def _stop_mid_notebook(setup, marker: Path, signum: int) -> tuple[int, str]:
    """Send ``signum`` to a run while its three notebooks run; wait until the run and every
    worker and kernel it started have ended. Returns the run's exit status and error output."""
    data, out, notebooks = setup
    process = cli(run_args(data, out, notebooks),
                  {"SEF_TEST_PAUSE": "60", "SEF_TEST_STARTED": str(marker)})  # fmt: skip
    wait_for(lambda: started(marker), what="three kernels")
    workers = descendants(process.pid)
    assert len(workers) >= 6  # three workers and three kernels
    try:
        process.send_signal(signum)
        _, err = process.communicate(timeout=60)
        wait_for(lambda: not running(workers), timeout=10, what="workers and kernels to end")
    finally:
        kill_all(workers)
    return process.returncode, err


def test_a_run_killed_mid_notebook_leaves_the_old_run_and_no_process(setup, tmp_path):
    """SIGKILL to the run while its notebooks run: the old complete run is untouched, the
    workers and kernels end within seconds, and the next run tidies up and completes."""
    data, out, notebooks = setup
    old = tree(out / PERIOD)
    status, _ = _stop_mid_notebook(setup, tmp_path / "started", signal.SIGKILL)
    assert status == -signal.SIGKILL
    assert tree(out / PERIOD) == old
    again = cli(run_args(data, out, notebooks))
    _, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert_complete(out / PERIOD)
    assert leftovers(out) == []


def test_sigterm_ends_in_failed_with_the_reason_and_no_process(setup, tmp_path):
    data, out, notebooks = setup
    old = tree(out / PERIOD)
    status, err = _stop_mid_notebook(setup, tmp_path / "started", signal.SIGTERM)
    assert status == 128 + signal.SIGTERM
    assert "stopped by SIGTERM" in err and f"{PERIOD}.failed" in err, err
    failed = manifest(out / f"{PERIOD}.failed")
    assert failed["status"] == "failed" and "SIGTERM" in failed["reason"]
    assert "FAILED" in (out / f"{PERIOD}.failed" / "index.html").read_text()
    assert tree(out / PERIOD) == old
    assert leftovers(out) == []


def test_a_killed_kernel_fails_the_run_with_the_reason(setup):
    data, out, notebooks = setup
    old = tree(out / PERIOD)
    process = cli(run_args(data, out, notebooks), {"SEF_TEST_KILL_KERNEL": "03_leadership"})
    _, err = process.communicate(timeout=120)
    assert process.returncode == 1 and "kernel died" in err, err
    failed = manifest(out / f"{PERIOD}.failed")
    status, error = next((n["status"], n["error"]) for n in failed["notebooks"]
                         if n["name"] == "03_leadership")  # fmt: skip
    assert status == "failed" and "kernel died" in error
    assert failed["status"] == "failed" and "kernel died" in failed["reason"]
    assert tree(out / PERIOD) == old


def _kill_when(step: str) -> str:
    """Python for ``cli(hook=...)``: SIGKILL this process at ``step`` of publishing a run."""
    kill = "os.kill(os.getpid(), signal.SIGKILL)"
    hooks = {
        # the new run is complete, in its hidden folder; nothing has been renamed yet
        "before the swap": f"runner.publish = lambda *a: {kill}",
        # no atomic exchange: the old run has stepped aside, the new one is not yet in place
        "between the renames": (
            "runfolder._exchange = lambda a, b: False\n"
            "rename = os.rename\n"
            "def stop(a, b):\n"
            f"    if str(a).endswith('.partial') and str(b).endswith('/{PERIOD}'):\n"
            f"        {kill}\n"
            "    return rename(a, b)\n"
            "os.rename = stop"
        ),
        # the names are exchanged; the old run, under the new run's hidden name, is not yet
        # renamed to be deleted by the next run
        "after the exchange": (
            "rename = os.rename\n"
            "def stop(a, b):\n"
            "    if str(a).endswith('.partial') and str(b).endswith('.old'):\n"
            f"        {kill}\n"
            "    return rename(a, b)\n"
            "os.rename = stop"
        ),
    }
    return "import os, signal\nfrom sefanalysis import runner, runfolder\n" + hooks[step]


def test_killed_before_the_swap_the_old_run_stays(setup):
    data, out, notebooks = setup
    old = tree(out / PERIOD)
    process = cli(run_args(data, out, notebooks), hook=_kill_when("before the swap"))
    process.communicate(timeout=120)
    assert process.returncode == -signal.SIGKILL
    assert tree(out / PERIOD) == old
    assert len(leftovers(out)) == 1  # the finished new run, hidden, deleted by the next run
    recover(out, PERIOD)
    assert leftovers(out) == [] and tree(out / PERIOD) == old


def test_killed_between_the_renames_the_next_run_puts_the_old_run_back(setup):
    """Where names cannot be exchanged atomically the old run steps aside first: killed in
    that instant, the folder is absent (never half), and the next run puts the old one back."""
    data, out, notebooks = setup
    old = tree(out / PERIOD)
    process = cli(run_args(data, out, notebooks), hook=_kill_when("between the renames"))
    process.communicate(timeout=120)
    assert process.returncode == -signal.SIGKILL
    assert not (out / PERIOD).exists()
    recover(out, PERIOD)  # what the next run does first, under the lock
    assert tree(out / PERIOD) == old and leftovers(out) == []


def test_killed_after_the_exchange_the_new_run_is_in_place(setup):
    data, out, notebooks = setup
    old_run = manifest(out / PERIOD)["run"]
    process = cli(run_args(data, out, notebooks), hook=_kill_when("after the exchange"))
    process.communicate(timeout=120)
    assert process.returncode == -signal.SIGKILL
    assert_complete(out / PERIOD)
    assert manifest(out / PERIOD)["run"] != old_run
    assert len(leftovers(out)) == 1  # the old run, deleted by the next run
    recover(out, PERIOD)
    assert leftovers(out) == []


# --------------------------------------------------------------------------------- full disk
def _no_space(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device", "tables/sef_tables.xlsx")


@pytest.mark.parametrize("where", ["tables_workbook", "export_html", "_write_manifest"])
def test_a_full_disk_ends_in_failed_with_the_reason(setup, monkeypatch, where):
    """The disk fills while the run writes the workbook (in the run's process), a reviewer page
    (in a notebook's worker) or the manifest itself: the run ends as ``.failed`` with the
    reason, and the old complete run stays."""
    data, out, notebooks = setup
    old = tree(out / PERIOD)
    monkeypatch.setattr(runner, where, _no_space)  # workers are forked: they inherit it
    result = runner.run_quarter(PERIOD, data, out, notebooks, jobs=3)
    assert not result.ok and result.folder == out / f"{PERIOD}.failed"
    reasons = result.reason + " ".join(n.error for n in result.notebooks)
    assert "the disk is full" in reasons
    assert "disk is full" in (result.folder / "index.html").read_text()
    if where != "_write_manifest":
        assert "disk is full" in json.dumps(manifest(result.folder))
    assert tree(out / PERIOD) == old and leftovers(out) == []


# --------------------------------------------------------------------------- where runs write
def test_an_la_code_that_leaves_out_writes_nothing(tmp_path, capsys):
    from sefanalysis.cli import main

    pool = tmp_path / "pool"
    data = small_authority(pool / "a")
    text = (data / "authority.yaml").read_text().replace("E99999999", "../escaped")
    (data / "authority.yaml").write_text(text)
    status = main(["run", "--period-end", PERIOD, "--data", str(pool), "--out",
                   str(tmp_path / "out")])  # fmt: skip
    assert status == 2 and "cannot name a folder" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pool"]


def test_a_notebooks_folder_in_the_working_directory_is_not_run(base, tmp_path):
    """A ``notebooks/`` folder where the command is run (here one that would leave a mark) is
    never executed: the packaged notebooks are (stand-ins here), and the manifest says so."""
    here = tmp_path / "here"
    mark = tmp_path / "EXECUTED"
    stub_notebooks(here / "notebooks")
    for book in (here / "notebooks").glob("*.ipynb"):
        book.write_text(book.read_text().replace("import os,", f"open({str(mark)!r}, 'w'); "
                                                               "import os,"))  # fmt: skip
    hook = (
        f"from pathlib import Path\nfrom sefanalysis import runner\n"
        f"runner.packaged_notebooks_dir = lambda: Path({str(base / 'notebooks')!r})"
    )
    args = ["run", "--period-end", PERIOD, "--data", str(base / "data"), "--out",
            str(tmp_path / "out")]  # fmt: skip
    process = cli(args, hook=hook, cwd=here)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert not mark.exists()
    ran = manifest(tmp_path / "out" / PERIOD)
    assert ran["notebooks_dir"]["path"] == str(base / "notebooks")
    for book in ran["notebooks"]:
        content = (base / "notebooks" / f"{book['name']}.ipynb").read_bytes()
        assert book["sha256"] == hashlib.sha256(content).hexdigest()


def test_child_level_files_are_owner_only_and_internal_runs_are_named_so(setup):
    """An internal run goes to ``2024-12-31-internal`` (the published run is untouched), and
    ``analyst/`` and ``.cache/`` (and everything in them) are 0700/0600 after it, even where an
    earlier version left the cache readable by others; the lock file too."""
    data, out, notebooks = setup
    published = tree(out / PERIOD)
    (out / ".cache").chmod(0o755)
    process = cli(run_args(data, out, notebooks, "--mode", "internal"))
    _, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    internal = out / f"{PERIOD}-internal"
    assert_complete(internal)
    assert manifest(internal)["parameters"]["mode"] == "internal"
    assert manifest(internal)["folder"] == f"{PERIOD}-internal"
    assert tree(out / PERIOD) == published
    assert loose_permissions(out) == []
    assert (out / f".{PERIOD}-internal.lock").stat().st_mode & 0o077 == 0


def test_many_authorities_keep_their_caches_apart_and_the_summary_is_inert(base, tmp_path):
    """Two authorities run two at a time: each has its own cache holding only its own
    dataset, there is no shared cache, and the cross-authority summary (with hostile
    authority names) passes the safety checks."""
    import yaml

    from sefanalysis import cachefile
    from sefanalysis.checks.safety import check_run_safety

    names = ['=HYPERLINK("http://evil.example/","A")<script>alert(1)</script>',
             '"><img src=x onerror=alert(1)>']  # fmt: skip
    pool, out = tmp_path / "pool", tmp_path / "out"
    for i, name in enumerate(names):
        data = small_authority(pool / f"a{i}")
        settings = yaml.safe_load((data / "authority.yaml").read_text())
        settings |= {"la_code": f"E9900000{i}", "la_name": name}
        (data / "authority.yaml").write_text(yaml.safe_dump(settings))
    process = cli(["run", "--period-end", PERIOD, "--data", str(pool), "--out", str(out),
                   "--notebooks", str(base / "notebooks"), "--jobs", "2"])  # fmt: skip
    _, err = process.communicate(timeout=180)
    assert process.returncode == 0, err
    assert not (out / ".cache").exists()
    for i in range(2):
        entries = list((out / f"E9900000{i}" / ".cache" / "dataset").glob("*.sefc"))
        assert entries
        for entry in entries:
            dataset = cachefile.read(entry)
            assert dataset.authority.la_code == f"E9900000{i}"
            assert dataset.path == (pool / f"a{i}").resolve()
        assert_complete(out / f"E9900000{i}" / PERIOD)
    assert check_run_safety(out) == []
    assert "'=HYPERLINK" in (out / f"summary_{PERIOD}.csv").read_text()
