"""Many authorities in one run: one run folder per authority, run in parallel processes
(``--jobs``; each process still runs its notebooks one at a time), and a cross-authority summary
of every indicator at the period end with each authority's rank and quartile among them.

Each authority's folder is named by its ``la_code``, which is checked first (a nine-character
ONS code or a plain slug) and then resolved to be sure it stays under ``--out``: an
``authority.yaml`` saying ``la_code: ../x`` writes nothing anywhere. Each authority has its own
rerun cache (``<out>/<code>/.cache``): no authority's child-level data enters another's.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .benchmarking import quartile_band
from .cache import using_cache
from .dataset import load_dataset_rerun
from .disclosure import MARKER, MODES, suppressed_rows
from .errors import SefError
from .indicators.engine import compute_indicators
from .indicators.registry import REGISTRY
from .ingest.authority import authority_file, la_code_ok, read_authority
from .ingest.problems import ProblemLog
from .quality import _page
from .report.display import table_html
from .runfolder import RunLock
from .runner import RunResult, run_folder_name, run_quarter
from .safe_output import csv_bytes
from .workers import end_workers, worker_pool

SUMMARY_COLUMNS = ["indicator_id", "title", "la_code", "la_name", "numerator", "denominator",
                   "value", "unit", "polarity", "rank", "band", "note"]  # fmt: skip


def authority_dirs(paths: list[str | Path]) -> list[Path]:
    """Data directories: each path given, or each sub-directory holding an authority.yaml."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if authority_file(path).exists():
            found.append(path)
        elif path.is_dir():
            found += sorted(p for p in path.iterdir() if p.is_dir() and authority_file(p).exists())
        else:
            raise SefError(f"data directory {str(path)!r} does not exist")
    if not found:
        raise SefError("no authority found: each data directory needs an authority.yaml")
    return found


def authority_folder(out: Path, code: str, source: Path) -> Path:
    """``<out>/<code>``, once ``code`` is known to be a safe folder name (an ONS code such as
    E09000033, or letters, digits and hyphens: ``authority.la_code_ok``) and the resolved folder
    is known to lie inside ``out``."""
    if not la_code_ok(code):
        raise SefError(f"{source}: la_code {code!r} cannot name a folder: expected a nine-"
                       "character ONS code (e.g. E09000033) or letters, digits and hyphens "
                       "only")  # fmt: skip
    root = out.resolve()
    folder = (root / code).resolve()
    if folder.parent != root:
        raise SefError(f"{source}: la_code {code!r} would write outside {root}")
    return folder


def _one(args: tuple[str, str, str, str | None, str, bool, str]) -> tuple[str, bool, str]:
    period_end, data, out, notebooks, mode, cache, charts = args
    try:
        result: RunResult = run_quarter(
            period_end, data, out, notebooks, mode=mode, cache=cache, charts=charts
        )
    except SefError as exc:
        return data, False, str(exc)
    if not result.ok:
        return data, False, f"{result.reason or 'a notebook failed'} (see {result.folder})"
    return data, True, str(result.folder)


def run_many(
    period_end: str,
    data: list[str | Path],
    out: str | Path,
    jobs: int = 1,
    notebooks: str | None = None,
    mode: str = "published",
    cache: bool = True,
    charts: str = "default",
) -> tuple[Path, list]:
    """Run every authority and write ``summary_<period end>.csv`` and ``.html``
    (``summary_<period end>-internal.*`` for an internal run); ``charts`` as for
    :func:`~sefanalysis.runner.run_quarter`."""
    if mode not in MODES:
        raise SefError(f"mode {mode!r} is not accepted: expected 'published' or 'internal'")
    dirs = authority_dirs(data)
    out = Path(out).resolve()
    folders: dict[Path, Path] = {}
    for d in dirs:
        log = ProblemLog()
        code = read_authority(authority_file(d), log).la_code
        refused = [p for p in log.fatal if p.column == "la_code"]  # it would name a folder
        if refused:
            raise SefError(f"{d}: la_code cannot name a folder: {refused[0].line()}")
        folder = authority_folder(out, code, d / "authority.yaml")
        if folder in folders.values():
            other = next(k for k, v in folders.items() if v == folder)
            raise SefError(f"{d} and {other} have the same la_code {code!r}: each authority "
                           "needs its own")  # fmt: skip
        folders[d] = folder
    tasks = [(period_end, str(d), str(folders[d]), notebooks, mode, cache, charts) for d in dirs]
    name = f"summary_{run_folder_name(period_end, mode)}"
    out.mkdir(parents=True, exist_ok=True)
    with RunLock(out, name) as lock:
        if jobs > 1:
            pool = worker_pool(jobs, close=(lock.fd,), on_stop="raise")
            try:
                results = list(pool.map(_one, tasks))
            except BaseException:
                end_workers(pool)
                raise
            pool.shutdown()
        else:
            results = [_one(t) for t in tasks]
        caches = [folders[d] / ".cache" if cache else None for d in dirs]
        summary = cross_authority_summary(period_end, dirs, caches, mode)
        path = out / f"{name}.csv"
        path.write_bytes(csv_bytes(summary))
        (out / f"{name}.html").write_text(_page(
            "Cross-authority summary", "<h1>Cross-authority summary</h1>" + table_html(
                summary, f"Every indicator for every authority at {period_end}, with rank (1 = "
                "best) and quartile band (A = best) among these authorities"
                + (f"; {MARKER} = suppressed (a count of 1 to 5, or a figure calculated from "
                   "one), and ranked among the authorities whose value is shown"
                   if mode == "published" else "; INTERNAL: small numbers are not suppressed"),
                "tbl-cross")), encoding="utf-8")  # fmt: skip
    return path, results


def cross_authority_summary(
    period_end: str,
    dirs: list[Path],
    caches: list[Path | None] | None = None,
    mode: str = "internal",
) -> pd.DataFrame:
    """Every indicator for every authority at ``period_end`` with its rank (1 = best) and
    quartile band among the authorities. Each authority's data is read through its own cache
    (``caches``, one per directory; none by default).

    ``mode="published"``: a value with a numerator, denominator or count of 1 to 5
    (:func:`~sefanalysis.disclosure.suppressed_rows`) shows ``[c]`` with nothing derived from it:
    no numerator, denominator, rank or band, and it is left out of the other authorities' ranks
    (a rank among values including it would bound it)."""
    frames = []
    for d, folder in zip(dirs, caches or [None] * len(dirs), strict=True):
        with using_cache(folder):
            ds = load_dataset_rerun(d.resolve())
            f = compute_indicators(ds, period_end)
        frames.append(f.assign(la_code=ds.authority.la_code, la_name=ds.authority.la_name))
    allv = pd.concat(frames, ignore_index=True)
    hidden = (suppressed_rows(allv) if mode == "published"
              else pd.Series(False, index=allv.index))  # fmt: skip
    shown = allv.loc[~hidden]
    ranks, bands = [], []
    for rec in allv.itertuples():  # authorities x indicators (hundreds of rows)
        if hidden[rec.Index]:
            ranks.append(float("nan"))
            bands.append("")
            continue
        peers = shown.loc[(shown["indicator_id"] == rec.indicator_id)
                          & (shown["la_code"] != rec.la_code), "value"]  # fmt: skip
        rank, _, band = quartile_band(peers, rec.value, REGISTRY[rec.indicator_id].polarity)
        ranks.append(rank)
        bands.append(band)
    allv["rank"], allv["band"] = ranks, bands
    summary = allv[SUMMARY_COLUMNS].copy()
    if hidden.any():
        cells = ["numerator", "denominator", "value", "rank", "band"]
        summary[cells] = summary[cells].astype(object)
        summary.loc[hidden, cells] = [MARKER, MARKER, MARKER, "", ""]
    return summary
