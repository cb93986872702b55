"""The quarterly run: validate inputs, execute the notebooks with papermill (each in a worker
process, ``jobs`` at a time), export reviewer HTML, and swap the finished run into
``outputs/<period end>/`` (``<period end>-internal/`` for an internal run).

Run folder::

    outputs/2024-12-31/
      index.html            the summary: what needs attention, what is going well, every
                            indicator at a glance (from findings.csv; see report.summary)
      about.html            how to read the statistics; files.html: what to download
      html/                 one report per judgement area (no code)
      charts/ tables/       PNG, SVG and CSV for the annual report
      data_dictionary.*     the indicator registry
      data_quality.html     problems by file and kind (no child-level values)
      manifest.json         parameters, inputs (SHA-256 of the bytes this run read, rows),
                            notebooks run (folder, SHA-256), versions, timings, status
      analyst/              ANALYST ONLY (owner-only permissions): executed notebooks and
                            the row-level problem list

What a run promises (each held by a test named in the README):

- One run per run folder at a time: a lock file (``outputs/.2024-12-31.lock``) names the run
  that holds it; a second run refuses with that name. The lock ends with its process.
- A run is built in its own hidden folder (``outputs/.2024-12-31.<run id>.partial``) and swapped
  in at the end by an atomic exchange of names, so the run folder is at every instant the old
  complete run or the new complete run. A run that fails (a notebook's error, its kernel's
  death, a full disk, a signal) is published as ``2024-12-31.failed/`` with the reason in its
  manifest and index, and leaves the last complete run as it was.
- Worker processes and kernels end with the run: on a signal the run stops them before it
  leaves, and each worker stops (and stops its kernel) as soon as the run's process is gone.
- The notebooks run are the packaged ones (beside the package, never the current directory's)
  unless ``--notebooks DIR`` names others; the manifest records which, with their SHA-256.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import subprocess
import sys
import time
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import nbformat
import papermill as pm

from . import __version__
from .cache import file_hashes, make_private_dir, using_cache
from .dataset import load_dataset_rerun, save_cache, word_template
from .disclosure import MODES, NOTE
from .errors import DataError, SefError
from .indicators.registry import data_dictionary
from .periods import parse_period_end
from .quality import write_reports
from .report.area import chart_kinds
from .report.export import export_html
from .report.finish import finish_run, mark_internal
from .report.pages import about_page, dictionary_page, files_page, index_page
from .report.word import write_annex
from .report.workbook import annual_meta, changes_since, tables_workbook
from .runfolder import RunLock, RunLocked, publish, recover, restrict, retire
from .safe_output import csv_bytes, neutralise_tree
from .workers import (
    LocalSocketKernelManager,
    RunStopped,
    end_workers,
    stop_on_signals,
    worker_pool,
)

__all__ = ["NOTEBOOKS", "NotebookResult", "RunLocked", "RunResult", "RunStopped", "run_quarter",
           "execute_notebook", "stop_on_signals"]  # fmt: skip

NOTEBOOKS = [
    ("01_help_and_protection", "Help and protection"),
    ("02_children_in_care_and_care_leavers", "Children in care and care leavers"),
    ("03_leadership", "Impact of leaders"),
]
PACKAGES = ["pandas", "numpy", "scipy", "matplotlib", "papermill", "nbconvert", "nbclient",
            "ipykernel", "jupyter_client", "holidays", "afcharts", "statsmodels", "pandera",
            "openpyxl", "xlsxwriter", "python-calamine"]  # fmt: skip


@dataclass
class NotebookResult:
    name: str
    title: str
    status: str = "not run"
    seconds: float = 0.0
    error: str = ""
    sha256: str = ""


@dataclass
class RunResult:
    folder: Path
    ok: bool
    notebooks: list[NotebookResult] = field(default_factory=list)
    reason: str = ""


def run_folder_name(label: str, mode: str) -> str:
    """``2024-12-31`` for a published run, ``2024-12-31-internal`` for an internal one."""
    return label if mode == "published" else f"{label}-internal"


# ----------------------------------------------------------------------------------- notebooks
def packaged_notebooks_dir() -> Path:
    """The notebooks that come with this package: found from the package's own location (in
    the package, or the repository beside it), never from the current directory."""
    here = Path(__file__).resolve().parent
    for folder in (here / "notebooks", here.parents[1] / "notebooks"):
        if all((folder / f"{name}.ipynb").is_file() for name, _ in NOTEBOOKS):
            return folder
    raise DataError(f"the packaged notebooks are missing beside {here} (is the installation "
                    "complete?): reinstall, or give the folder with --notebooks DIR")  # fmt: skip


def default_notebooks_dir() -> Path:
    return packaged_notebooks_dir()


def read_notebooks(notebooks_dir: str | Path | None) -> tuple[Path, dict[str, bytes]]:
    """The folder and the bytes of the notebooks to run (read once: what is hashed for the
    manifest is what is executed)."""
    folder = Path(notebooks_dir).resolve() if notebooks_dir else packaged_notebooks_dir()
    missing = [n for n, _ in NOTEBOOKS if not (folder / f"{n}.ipynb").is_file()]
    if missing:
        raise DataError(f"notebook(s) not found in {folder}: {', '.join(missing)}")
    return folder, {name: (folder / f"{name}.ipynb").read_bytes() for name, _ in NOTEBOOKS}


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


def _prepare_cache(out: Path) -> Path:
    """``<out>/.cache``, owner-only; entries of earlier versions (pickles) are deleted unread."""
    folder = out / ".cache"
    existed = folder.is_dir()
    if existed and folder.stat().st_mode & 0o077:
        restrict(folder)
    make_private_dir(folder)
    for legacy in folder.rglob("*.pickle"):
        legacy.unlink(missing_ok=True)
    return folder


def os_reason(exc: OSError) -> str:
    where = f" ({exc.filename})" if exc.filename else ""
    if exc.errno == errno.ENOSPC:
        return f"the disk is full: no space left on the device{where}"
    if exc.errno == errno.EDQUOT:
        return f"the disk quota is exceeded{where}"
    return f"{exc.strerror or exc}{where}"


# ------------------------------------------------------------------------------------ the run
def execute_notebook(
    notebook: Path | nbformat.NotebookNode,
    executed: Path,
    parameters: dict[str, str],
    cwd: Path | None = None,
) -> None:
    """Execute ``notebook`` with ``parameters`` through papermill into ``executed``. The
    notebook is written once at the end, not after every cell (each write serialises every
    chart so far: about half a second per report)."""
    source = notebook if isinstance(notebook, nbformat.NotebookNode) else str(notebook)
    pm.execute_notebook(
        source, str(executed), parameters=parameters, kernel_name="python3",
        cwd=str(cwd) if cwd else None, progress_bar=False, log_output=False,
        request_save_on_cell_execute=False, kernel_manager_class=LocalSocketKernelManager,
        # the kernel's own log only ever said, when shut down while busy, that it caught the
        # interrupt jupyter_client sends first; errors in cells are reported by papermill
        extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
    )  # fmt: skip


def _say(message: str) -> None:
    print(message, flush=True)


@dataclass
class _Run:
    """What a run has done so far: enough for its manifest, whenever it ends."""

    name: str
    label: str
    mode: str
    data: Path
    out: Path
    build: Path
    run_id: str
    notebooks_dir: Path
    books: dict[str, bytes]
    jobs: int
    cache: Path | None
    charts: str = "default"
    started: float = field(default_factory=time.perf_counter)
    meta: dict[str, str] = field(default_factory=dict)
    hashes: dict[str, str] = field(default_factory=dict)
    inputs: list[dict] = field(default_factory=list)
    results: list[NotebookResult] = field(default_factory=list)
    reason: str = ""


def refuse_out_inside_data(out: str | Path, data: list[str | Path]) -> None:
    """Refuse an output folder inside (or equal to) a data folder: the outputs would be taken
    for inputs, and every run would see the data as changed."""
    target = Path(out).resolve()
    for folder in (Path(d).resolve() for d in data):
        if target == folder or target.is_relative_to(folder):
            raise SefError(
                f"--out {str(out)!r} is inside the data folder {str(folder)!r}: "
                "outputs there would be read as inputs. Choose a folder outside it"
            )


def run_quarter(
    period_end: str,
    data: str | Path,
    out: str | Path = "outputs",
    notebooks_dir: str | Path | None = None,
    mode: str = "published",
    cache: bool = True,
    jobs: int = 1,
    charts: str | list[str] | None = "default",
) -> RunResult:
    """Run the quarterly job. Raises :class:`PeriodError` or :class:`DataError` before any
    notebook starts (a fatal data problem publishes ``<period>.failed`` with its report),
    :class:`RunLocked` if another run holds the folder, and :class:`RunStopped` or
    ``KeyboardInterrupt`` after publishing ``<period>.failed`` when stopped; returns
    ``ok=False`` with the reason (after running the other notebooks) if one fails.
    ``notebooks_dir`` (default: the packaged notebooks), ``jobs`` (notebooks at a time, each
    in its own worker process and kernel) and ``charts`` (the charts drawn beyond one per
    indicator: ``"all"`` or a list, see ``report.area.chart_kinds``) as for ``sefanalysis run``.

    With ``cache`` (the default), the validated dataset, indicator results and charts are kept
    in ``<out>/.cache`` (analyst only) and reused by reruns on unchanged data and code."""
    end = parse_period_end(period_end)
    if mode not in MODES:
        raise SefError(f"mode {mode!r} is not accepted: expected 'published' or 'internal'")
    label = end.strftime("%Y-%m-%d")
    name = run_folder_name(label, mode)
    charts = ",".join(chart_kinds(charts)) or "default"
    data = Path(data).resolve()
    if not data.is_dir():
        raise DataError(f"data directory {str(data)!r} does not exist or is not a directory")
    out = Path(out).resolve()
    refuse_out_inside_data(out, [data])
    notebooks, books = read_notebooks(notebooks_dir)
    out.mkdir(parents=True, exist_ok=True)
    with RunLock(out, name) as lock:
        recover(out, name)
        build = out / f".{name}.{lock.run_id}.partial"
        build.mkdir()
        make_private_dir(build / "analyst" / "notebooks")
        run = _Run(name, label, mode, data, out, build, lock.run_id, notebooks, books,
                   max(1, min(jobs, len(NOTEBOOKS))), _prepare_cache(out) if cache else None,
                   charts=charts, meta=_meta(label, end, mode))  # fmt: skip
        _say(f"sefanalysis {__version__}: run {name} of {data}")
        try:
            with using_cache(run.cache):
                _build(run, lock.fd)
        except _FatalData as exc:
            final = out / f"{name}.failed"
            _finish(run, False, exc.message)
            publish(build, final, run.run_id)
            raise DataError(f"{exc.message}. Report: {final / 'data_quality.html'}",
                            str(final / "data_quality.html")) from None  # fmt: skip
        except (RunStopped, KeyboardInterrupt) as exc:
            reason = str(exc) if isinstance(exc, RunStopped) else "interrupted (Ctrl-C)"
            _finish(run, False, f"the run was {reason}")
            publish(build, out / f"{name}.failed", run.run_id)
            if isinstance(exc, RunStopped):
                exc.folder = out / f"{name}.failed"
            raise
        except OSError as exc:
            _finish(run, False, os_reason(exc))
        except BaseException as exc:
            _finish(run, False, f"unexpected {type(exc).__name__}: {exc}")
            publish(build, out / f"{name}.failed", run.run_id)
            raise
        ok = not run.reason and all(r.status == "ok" for r in run.results)
        final = out / (name if ok else f"{name}.failed")
        publish(build, final, run.run_id)
        if ok:
            retire(out / f"{name}.failed", run.run_id)
    return RunResult(final, ok, run.results, run.reason)


class _FatalData(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _meta(label: str, end: Any, mode: str) -> dict[str, str]:
    return {
        "period_end": f"{end:%d %B %Y}", "version": __version__, "commit": git_commit(),
        "mode_note": ("published: small numbers suppressed" if mode == "published" else
                      "INTERNAL: small numbers are not suppressed; do not share outside the "
                      "council"),
        "suppression_note": NOTE if mode == "published" else
        "This report is for internal use; small numbers are not suppressed.",
    }  # fmt: skip


def _build(run: _Run, lock_fd: int) -> None:
    """Everything a run writes, into ``run.build``."""
    run.hashes = file_hashes(run.data)  # the bytes this run reads
    ds = load_dataset_rerun(run.data)
    a = ds.authority
    run.meta |= {"authority": a.la_name,
                 "extract_date": f"{a.extract_date:%d %B %Y}" if a.extract_date is not None
                 else "unknown"}  # fmt: skip
    run.inputs = _inputs(ds, run)
    if ds.fatal:
        write_reports(ds, run.build, run.build / "analyst", run.meta)
        raise _FatalData(f"{len(ds.log.fatal)} fatal data problem(s); no notebook was run. "
                         f"First: {ds.log.fatal[0].line()}")  # fmt: skip
    _say(f"  inputs validated: {len(ds.files())} tables, {len(ds.problems)} non-fatal problem(s)")
    if run.cache is None:  # the notebooks reuse the validated data
        save_cache(ds, run.build / "analyst" / "dataset.pickle")
    parameters = {"period_end": run.label, "data_dir": str(run.data),
                  "output_dir": str(run.build), "disclosure_mode": run.mode,
                  "charts": run.charts}  # fmt: skip
    tasks = [(name, title, run.books[name], run.notebooks_dir, run.build, parameters,
              {**run.meta, "title": title}) for name, title in NOTEBOOKS]  # fmt: skip
    run.results = [NotebookResult(name, title) for name, title in NOTEBOOKS]
    _say(f"  running {len(tasks)} notebooks, {run.jobs} at a time ...")
    pool = worker_pool(run.jobs, close=(lock_fd,))
    try:
        futures = [pool.submit(_run_notebook, *task) for task in tasks]
        for i, future in enumerate(futures):
            try:
                run.results[i] = future.result()
            except BrokenProcessPool:
                run.results[i].status = "failed"
                run.results[i].error = ("its worker process ended unexpectedly (killed, or out "
                                        "of memory)")  # fmt: skip
            _report(run.results[i], f"  [{i + 1}/{len(tasks)}] {run.results[i].title}: ")
    except BaseException:
        end_workers(pool)
        raise
    pool.shutdown()
    write_reports(ds, run.build, run.build / "analyst", run.meta)
    (run.build / "data_dictionary.csv").write_bytes(csv_bytes(data_dictionary()))
    (run.build / "data_dictionary.html").write_text(dictionary_page(run.meta), encoding="utf-8")
    # findings.csv from the sections' rows, and the disclosure audit of everything published
    problems = finish_run(run.build, run.mode)
    for problem in problems:
        _say(f"  disclosure audit: {problem}")
    if problems:
        run.reason = f"the disclosure audit found {len(problems)} problem(s); first: {problems[0]}"
    # for the annual report: the workbook of the tables and the Word draft of the evidence
    # annex, from the published files (compared with the run this one replaces)
    cover = {**run.meta, **annual_meta(ds.authority, run.mode),
             "title": f"Self-evaluation tables, {run.label}"}  # fmt: skip
    if (run.build / "tables").is_dir():
        tables_workbook(run.build / "tables", run.build / "tables" / f"sef_tables_{run.label}.xlsx",
                        cover, run.out / run.name)  # fmt: skip
    write_annex(run.build, run.build / f"evidence_annex_{run.label}.docx", cover,
                changes_since(run.out / run.name, run.build, cover),
                word_template(run.data))  # fmt: skip
    now = file_hashes(run.data)
    changed = sorted(k for k in set(now) | set(run.hashes) if now.get(k) != run.hashes.get(k))
    if changed:
        run.reason = (f"input file(s) changed during the run ({', '.join(changed[:5])}): the "
                      "results may mix old and new data; run again")  # fmt: skip
    _finish(run, all(r.status == "ok" for r in run.results) and not run.reason, run.reason)


def _inputs(ds: Any, run: _Run) -> list[dict]:
    """The manifest's inputs: each file the loaders read, with the SHA-256 of the bytes this run
    read (a dataset from the cache was keyed on those same bytes). A file whose bytes changed
    while it was loaded is a failed run."""
    records = []
    for rec in ds.files().to_dict("records"):
        file = Path(rec["file"])
        with contextlib.suppress(ValueError):
            file = file.relative_to(ds.path)
        rel = file.as_posix()
        sha = run.hashes.get(rel, "")
        if rec.get("sha256") and sha and rec["sha256"] != sha:
            run.reason = f"{rel} changed while it was being read; run again"
        records.append({**rec, "file": str(run.data / rel) if rel in run.hashes else rec["file"],
                        "sha256": sha or rec.get("sha256", "")})  # fmt: skip
    return records


def _finish(run: _Run, ok: bool, reason: str) -> None:
    """The manifest and index, and the final permissions and spreadsheet safety of the folder.
    On a failure each step is tried on its own (on a full disk some cannot be written; the
    folder's name still says it failed)."""
    run.reason = reason
    steps = [lambda: _write_index(run.build, run.results, run.meta, run.reason),
             lambda: run.mode == "published" or mark_internal(run.build),  # every page says so
             lambda: _write_manifest(run, ok),
             lambda: neutralise_tree(run.build),
             lambda: restrict(run.build / "analyst")]  # fmt: skip
    for step in steps:
        try:
            step()
        except OSError:
            if ok:
                raise


def _write_manifest(run: _Run, ok: bool) -> None:
    failed = [r for r in run.results if r.status != "ok" and r.status != "not run"]
    reason = run.reason or "; ".join(f"{r.title}: {r.error}" for r in failed)
    manifest = {
        "sefanalysis": __version__, "git_commit": run.meta.get("commit", ""),
        "status": "complete" if ok else "failed", "reason": "" if ok else reason,
        "run": run.run_id, "folder": run.name,
        "parameters": {"period_end": run.label, "data": str(run.data), "out": str(run.out),
                       "mode": run.mode, "charts": run.charts},
        "inputs": run.inputs,
        "data_files": run.hashes,
        "notebooks_dir": {"path": str(run.notebooks_dir),
                          "packaged": _is_packaged(run.notebooks_dir)},
        "notebooks": [{**r.__dict__, "sha256": _sha256(run.books[r.name])} for r in run.results],
        "versions": _versions(),
        "seconds": round(time.perf_counter() - run.started, 2),
    }  # fmt: skip
    (run.build / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n")


def _is_packaged(folder: Path) -> bool:
    try:
        return folder == packaged_notebooks_dir()
    except DataError:
        return False


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _run_notebook(
    name: str,
    title: str,
    source: bytes,
    nb_dir: Path,
    run: Path,
    parameters: dict[str, str],
    meta: dict,
) -> NotebookResult:
    """Execute one notebook (its bytes as read by the run) into ``run/analyst/notebooks`` and
    export its reviewer HTML. Any failure is the notebook's result, with its reason."""
    from nbclient.exceptions import DeadKernelError

    res = NotebookResult(name, title, sha256=_sha256(source))
    t0 = time.perf_counter()
    executed = run / "analyst" / "notebooks" / f"{name}.ipynb"
    try:
        notebook = nbformat.reads(source.decode("utf-8"), as_version=4)
        execute_notebook(notebook, executed, parameters, cwd=nb_dir)
        export_html(executed, run / "html" / f"{name}.html", meta)
        res.status = "ok"
    except pm.PapermillExecutionError as exc:
        res.status, res.error = "failed", f"cell {exc.exec_count}: {exc.ename}: {exc.evalue}"
    except DeadKernelError:
        res.status, res.error = "failed", ("the notebook's kernel died (it was killed, or ran "
                                           "out of memory)")  # fmt: skip
    except OSError as exc:
        res.status, res.error = "failed", os_reason(exc)
    except Exception as exc:  # noqa: BLE001 - a notebook's failure is its result, not the run's
        res.status, res.error = "failed", f"{type(exc).__name__}: {exc}"
    res.seconds = round(time.perf_counter() - t0, 2)
    return res


def _report(res: NotebookResult, prefix: str) -> NotebookResult:
    detail = f" ({res.error})" if res.error else ""
    _say(f"{prefix}{res.status} in {res.seconds:.1f} s{detail}")
    return res


def _write_index(
    folder: Path, results: list[NotebookResult], meta: dict[str, str], reason: str = ""
) -> None:
    """The summary (``index.html``, from ``findings.csv``: see ``report.summary``), "About
    these statistics" and the list of files to download."""
    pages = {
        "index.html": index_page(folder, results, meta, reason),
        "about.html": about_page(meta),
        "files.html": files_page(folder, meta),
    }
    for name, text in pages.items():
        (folder / name).write_text(text, encoding="utf-8")
