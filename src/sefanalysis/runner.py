"""The quarterly run: validate inputs, execute the notebooks with papermill (in parallel processes
where the machine has the cores, ``jobs``), export reviewer HTML, and move the finished run into
``outputs/<period end>/`` only if all succeeded.

Run folder::

    outputs/2024-12-31/
      index.html            links to everything below (for reviewers)
      html/                 one report per judgement area (no code)
      charts/ tables/       PNG, SVG and CSV for the annual report
      data_dictionary.*     the indicator registry
      data_quality.html     problems by file and kind (no child-level values)
      manifest.json         parameters, inputs (SHA-256, rows), versions, timings
      analyst/              ANALYST ONLY: executed notebooks and the row-level problem list
"""

from __future__ import annotations

import html
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import papermill as pm
from jupyter_client.manager import AsyncKernelManager
from traitlets import default

from . import __version__
from .cache import CACHE_ENV
from .dataset import load_dataset_rerun, save_cache
from .disclosure import MODES, NOTE
from .errors import DataError, SefError
from .indicators.registry import data_dictionary
from .periods import parse_period_end
from .quality import _page, write_reports
from .report.display import table_html
from .report.export import export_html, tables_workbook
from .report.finish import finish_run

NOTEBOOKS = [
    ("01_help_and_protection", "Help and protection"),
    ("02_children_in_care_and_care_leavers", "Children in care and care leavers"),
    ("03_leadership", "Impact of leaders"),
]
PACKAGES = ["pandas", "numpy", "matplotlib", "papermill", "nbconvert", "holidays", "afcharts",
            "statsmodels", "pandera", "openpyxl", "python-calamine"]  # fmt: skip


@dataclass
class NotebookResult:
    name: str
    title: str
    status: str = "not run"
    seconds: float = 0.0
    error: str = ""


@dataclass
class RunResult:
    folder: Path
    ok: bool
    notebooks: list[NotebookResult] = field(default_factory=list)


def default_notebooks_dir() -> Path:
    here = Path.cwd() / "notebooks"
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[2] / "notebooks"


def git_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, cwd=Path(__file__).parent, timeout=10)  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip() or "unknown"


def _versions() -> dict[str, str]:
    found = {"python": sys.version.split()[0], "sefanalysis": __version__}
    for name in PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


class LocalSocketKernelManager(AsyncKernelManager):
    """Kernels that talk over local sockets (IPC) rather than TCP ports: ports chosen by
    kernels starting at the same moment in parallel runs can collide ("Kernel died before
    replying to kernel_info"), and a local socket is private to this machine's user."""

    @default("transport")
    def _default_transport(self) -> str:
        return "ipc"

    @default("ip")
    def _default_ip(self) -> str:  # the sockets' path prefix: absolute and one per kernel
        return str(Path(tempfile.gettempdir()) / f"sefanalysis-kernel-{uuid.uuid4().hex}")


def execute_notebook(
    notebook: Path, executed: Path, parameters: dict[str, str], cwd: Path | None = None
) -> None:
    """Execute ``notebook`` with ``parameters`` through papermill into ``executed``. The
    notebook is written once at the end, not after every cell (each write serialises every
    chart so far: about half a second per report)."""
    pm.execute_notebook(
        str(notebook), str(executed), parameters=parameters, kernel_name="python3",
        cwd=str(cwd) if cwd else None, progress_bar=False, log_output=False,
        request_save_on_cell_execute=False, kernel_manager_class=LocalSocketKernelManager,
        # the kernel's own log only ever said, when shut down while busy, that it caught the
        # interrupt jupyter_client sends first; errors in cells are reported by papermill
        extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
    )  # fmt: skip


def _say(message: str) -> None:
    print(message, flush=True)


def run_quarter(
    period_end: str,
    data: str | Path,
    out: str | Path = "outputs",
    notebooks_dir: str | Path | None = None,
    mode: str = "published",
    cache: bool = True,
    jobs: int = 1,
) -> RunResult:
    """Run the quarterly job. Raises :class:`PeriodError` or :class:`DataError` before any
    notebook starts; returns ``ok=False`` (after running the other notebooks) if one fails.
    ``jobs`` notebooks run at a time, each in its own process and kernel.

    With ``cache`` (the default), the validated dataset, indicator results and charts are kept
    in ``<out>/.cache`` (analyst only) and reused by reruns on unchanged data and code."""
    end = parse_period_end(period_end)
    if mode not in MODES:
        raise SefError(f"mode {mode!r} is not accepted: expected 'published' or 'internal'")
    label = end.strftime("%Y-%m-%d")
    data = Path(data).resolve()
    out = Path(out).resolve()
    nb_dir = Path(notebooks_dir) if notebooks_dir else default_notebooks_dir()
    missing = [n for n, _ in NOTEBOOKS if not (nb_dir / f"{n}.ipynb").exists()]
    if missing:
        raise DataError(f"notebook(s) not found in {nb_dir}: {', '.join(missing)}")

    _say(f"sefanalysis {__version__}: run for period end {label}, data {data}")
    started = time.perf_counter()
    if cache:  # the notebook kernels inherit the setting
        os.environ[CACHE_ENV] = str(out / ".cache")
    else:
        os.environ.pop(CACHE_ENV, None)
    ds = load_dataset_rerun(data)
    if ds.fatal:
        failed = out / f"{label}.failed"
        shutil.rmtree(failed, ignore_errors=True)
        write_reports(ds, failed, failed / "analyst")
        first = ds.log.fatal[0]
        raise DataError(
            f"{len(ds.log.fatal)} fatal data problem(s); no notebook was run. First: "
            f"{first.line()}. Report: {failed / 'data_quality.html'}",
            str(failed / "data_quality.html"),
        )
    _say(f"  inputs validated: {len(ds.files())} tables, {len(ds.problems)} non-fatal problem(s)")

    tmp = out / f".{label}.partial"
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "analyst" / "notebooks").mkdir(parents=True)
    save_cache(ds, tmp / "analyst" / "dataset.pickle")  # the notebooks reuse the validated data
    a = ds.authority
    meta_base = {
        "authority": a.la_name, "period_end": f"{end:%d %B %Y}",
        "extract_date": f"{a.extract_date:%d %B %Y}" if a.extract_date is not None else "unknown",
        "version": __version__, "commit": git_commit(),
        "mode_note": ("published: small numbers suppressed" if mode == "published" else
                      "INTERNAL: small numbers are not suppressed; do not share outside the "
                      "council"),
        "suppression_note": NOTE if mode == "published" else
        "This report is for internal use; small numbers are not suppressed.",
    }  # fmt: skip
    parameters = {"period_end": label, "data_dir": str(data), "output_dir": str(tmp),
                  "disclosure_mode": mode}  # fmt: skip
    tasks = [(name, title, nb_dir, tmp, parameters, {**meta_base, "title": title})
             for name, title in NOTEBOOKS]  # fmt: skip
    jobs = max(1, min(jobs, len(tasks)))
    if jobs > 1:
        _say(f"  running {len(tasks)} notebooks, {jobs} at a time ...")
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = [pool.submit(_run_notebook, *task) for task in tasks]
            results = [_report(f.result(), f"  [{i}/{len(tasks)}] {f.result().title}: ")
                       for i, f in enumerate(futures, start=1)]  # fmt: skip
    else:
        results = []
        for i, task in enumerate(tasks, start=1):
            _say(f"  [{i}/{len(tasks)}] {task[1]} ...")
            results.append(_report(_run_notebook(*task), "      "))

    write_reports(ds, tmp, tmp / "analyst")
    dictionary = data_dictionary()
    dictionary.to_csv(tmp / "data_dictionary.csv", index=False, lineterminator="\n")
    (tmp / "data_dictionary.html").write_text(_page("Data dictionary", "<h1>Data dictionary</h1>"
        + table_html(dictionary, "Every indicator: definition, unit, polarity and source",
                     "tbl-dictionary")), encoding="utf-8")  # fmt: skip
    ok = all(r.status == "ok" for r in results)
    if (tmp / "tables").is_dir():
        tables_workbook(tmp / "tables", tmp / "tables" / f"sef_tables_{label}.xlsx",
                        {**meta_base, "title": f"Self-evaluation tables, {label}"})  # fmt: skip
    _write_index(tmp, results, meta_base)
    # findings.csv, the disclosure audit of everything published, internal pages marked
    for problem in finish_run(tmp, mode):
        _say(f"  disclosure audit: {problem}")
        ok = False
    manifest = {
        "sefanalysis": __version__, "git_commit": meta_base["commit"], "status": "complete" if ok
        else "failed", "parameters": {"period_end": label, "data": str(data), "out": str(out),
                                      "mode": mode},
        "inputs": ds.files().to_dict("records"), "versions": _versions(),
        "notebooks": [r.__dict__ for r in results],
        "seconds": round(time.perf_counter() - started, 2),
    }  # fmt: skip
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n")
    final = out / (label if ok else f"{label}.failed")
    shutil.rmtree(final, ignore_errors=True)
    if ok:
        shutil.rmtree(out / f"{label}.failed", ignore_errors=True)
    tmp.rename(final)
    return RunResult(final, ok, results)


def _run_notebook(
    name: str, title: str, nb_dir: Path, run: Path, parameters: dict[str, str], meta: dict
) -> NotebookResult:
    """Execute one notebook into ``run/analyst/notebooks`` and export its reviewer HTML."""
    res = NotebookResult(name, title)
    t0 = time.perf_counter()
    executed = run / "analyst" / "notebooks" / f"{name}.ipynb"
    try:
        execute_notebook(nb_dir / f"{name}.ipynb", executed, parameters, cwd=nb_dir)
        export_html(executed, run / "html" / f"{name}.html", meta)
        res.status = "ok"
    except pm.PapermillExecutionError as exc:
        res.status = "failed"
        res.error = f"cell {exc.exec_count}: {exc.ename}: {exc.evalue}"
    res.seconds = round(time.perf_counter() - t0, 2)
    return res


def _report(res: NotebookResult, prefix: str) -> NotebookResult:
    detail = f" ({res.error})" if res.error else ""
    _say(f"{prefix}{res.status} in {res.seconds:.1f} s{detail}")
    return res


def _write_index(folder: Path, results: list[NotebookResult], meta: dict[str, str]) -> None:
    items = "".join(
        f'<li><a href="html/{r.name}.html">{html.escape(r.title)}</a></li>' if r.status == "ok"
        else f"<li>{html.escape(r.title)}: FAILED ({html.escape(r.error)})</li>"
        for r in results
    )  # fmt: skip
    tables = "".join(f'<li><a href="tables/{p.name}">{p.name}</a></li>'
                     for p in sorted((folder / "tables").glob("*.xlsx"))
                     + sorted((folder / "tables").glob("*.csv")))  # fmt: skip
    body = (
        f"<h1>Self-evaluation evidence: {html.escape(meta['authority'])}</h1>"
        f"<p>Period end {meta['period_end']}; data extracted {meta['extract_date']}; "
        f"sefanalysis {meta['version']}, commit {meta['commit']}.</p>"
        f"<h2>Reports</h2><ul>{items}</ul>"
        '<h2>Supporting material</h2><ul><li><a href="data_quality.html">Data-quality '
        'report</a></li><li><a href="data_dictionary.html">Data dictionary</a></li></ul>'
        f"<h2>Downloadable tables</h2><ul>{tables}</ul>"
    )
    (folder / "index.html").write_text(_page("Self-evaluation evidence", body), encoding="utf-8")
