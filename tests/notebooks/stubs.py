"""Helpers for the fault tests: three quick stand-in notebooks (they run through the same runner,
papermill and nbconvert path in about a second each), a small authority, and the command line
run in a child process, which the tests can stop, kill or hook into."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat

from sefanalysis.runner import NOTEBOOKS

from ..conftest import write_dataset

SET_UP = """\
import os, pathlib, signal, time
name = {name!r}
out = pathlib.Path(output_dir)
(out / "tables").mkdir(exist_ok=True)
started = os.environ.get("SEF_TEST_STARTED")
if started:
    with open(started, "a") as fh:
        fh.write(f"{{name}} {{os.getpid()}}\\n")
time.sleep(float(os.environ.get("SEF_TEST_PAUSE", "0")))
if os.environ.get("SEF_TEST_KILL_KERNEL") == name:
    os.kill(os.getpid(), signal.SIGKILL)
(out / "tables" / f"{{name}}.csv").write_text("table,rows\\n" + name + ",1\\n")
"""
# the first notebook computes the referral rate through the library and its rerun cache
RATE = """\
from sefanalysis.report import AreaReport
report = AreaReport(period_end, data_dir, output_dir, disclosure_mode=disclosure_mode)
rate = report.values.query("indicator_id == 'referral_rate_per_10k'")
(out / "tables" / "referral_rate.csv").write_text(rate[["period_end", "value"]].to_csv(index=False))
"""


def stub_notebooks(folder: Path) -> Path:
    """The three notebooks the runner expects, each writing one table (the first also the
    referral rate per 10,000 at each quarter end), pausing ``SEF_TEST_PAUSE`` seconds and
    killing its own kernel when ``SEF_TEST_KILL_KERNEL`` names it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, _ in NOTEBOOKS:
        nb = nbformat.v4.new_notebook()
        params = nbformat.v4.new_code_cell(
            'period_end = "2024-12-31"\ndata_dir = ""\noutput_dir = ""\n'
            'disclosure_mode = "published"'
        )
        params.metadata["tags"] = ["parameters"]
        cells = [params, nbformat.v4.new_code_cell(SET_UP.format(name=name))]
        if name == NOTEBOOKS[0][0]:
            cells.append(nbformat.v4.new_code_cell(RATE))
        nb.cells = cells
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}  # fmt: skip
        nbformat.write(nb, folder / f"{name}.ipynb")
    return folder


def referral(child: str, date: str) -> dict:
    return {"child_id": child, "referral_date": date, "referral_nfa": "No", "n_referrals_12m": 0}


def small_authority(root: Path, population: int = 10_000) -> Path:
    refs = [referral(f"C{i:03d}", f"2024-{1 + i % 12:02d}-10") for i in range(40)]
    return write_dataset(root, {"referrals": refs}, population=population)


def cli(args: list[str], env: dict[str, str] | None = None, hook: str = "",
        cwd: Path | None = None) -> subprocess.Popen:  # fmt: skip
    """``sefanalysis <args>`` in a child process (its own session, so the tests can signal it
    alone). ``hook`` is Python run first in that process (to make a fault happen at a chosen
    step)."""
    code = f"import sys\n{hook}\nfrom sefanalysis.cli import main\nsys.exit(main({args!r}))\n"
    return subprocess.Popen([sys.executable, "-c", code], env={**os.environ, **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=cwd, start_new_session=True)  # fmt: skip


def run_args(data: Path, out: Path, notebooks: Path, *extra: str) -> list[str]:
    return ["run", "--period-end", "2024-12-31", "--data", str(data), "--out", str(out),
            "--notebooks", str(notebooks), *extra]  # fmt: skip


def wait_for(condition, timeout: float = 60.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        time.sleep(0.1)


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def running(pids: set[int]) -> set[int]:
    """Those of ``pids`` still running (a zombie has ended)."""
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state not in {"Z", "X"}:
            alive.add(pid)
    return alive


def kill_all(pids: set[int]) -> None:
    for pid in running(pids):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
