"""Many authorities in one run: one run folder per authority, run in parallel processes
(``--jobs``; each process still runs its notebooks one at a time), and a cross-authority summary
of every indicator at the period end with each authority's rank and quartile among them."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

from .benchmarking import quartile_band
from .cache import CACHE_ENV
from .dataset import load_dataset_rerun
from .errors import SefError
from .indicators.engine import compute_indicators
from .indicators.registry import REGISTRY
from .ingest.authority import read_authority
from .ingest.problems import ProblemLog
from .quality import _page
from .report.display import table_html
from .runner import RunResult, run_quarter


def authority_dirs(paths: list[str | Path]) -> list[Path]:
    """Data directories: each path given, or each sub-directory holding an authority.yaml."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if (path / "authority.yaml").exists():
            found.append(path)
        elif path.is_dir():
            found += sorted(p.parent for p in path.glob("*/authority.yaml"))
        else:
            raise SefError(f"data directory {str(path)!r} does not exist")
    if not found:
        raise SefError("no authority found: each data directory needs an authority.yaml")
    return found


def _one(args: tuple[str, str, str, str | None, str, bool]) -> tuple[str, bool, str]:
    period_end, data, out, notebooks, mode, cache = args
    try:
        result: RunResult = run_quarter(period_end, data, out, notebooks, mode=mode, cache=cache)
    except SefError as exc:
        return data, False, str(exc)
    return data, result.ok, str(result.folder)


def run_many(
    period_end: str,
    data: list[str | Path],
    out: str | Path,
    jobs: int = 1,
    notebooks: str | None = None,
    mode: str = "published",
    cache: bool = True,
) -> tuple[Path, list]:
    """Run every authority and write ``summary_<period end>.csv`` and ``.html``."""
    dirs = authority_dirs(data)
    out = Path(out)
    if cache:  # the summary below reuses the datasets the runs validated
        os.environ[CACHE_ENV] = str(out.resolve() / ".cache")
    tasks = []
    for d in dirs:
        code = read_authority(d / "authority.yaml", ProblemLog()).la_code
        tasks.append((period_end, str(d), str(out / code), notebooks, mode, cache))
    if jobs > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            results = list(pool.map(_one, tasks))
    else:
        results = [_one(t) for t in tasks]
    summary = cross_authority_summary(period_end, dirs)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"summary_{period_end}.csv"
    summary.to_csv(path, index=False, lineterminator="\n")
    (out / f"summary_{period_end}.html").write_text(_page(
        "Cross-authority summary", "<h1>Cross-authority summary</h1>" + table_html(
            summary, f"Every indicator for every authority at {period_end}, with rank (1 = best) "
            "and quartile band among these authorities (A = best)", "tbl-cross")),
        encoding="utf-8")  # fmt: skip
    return path, results


def cross_authority_summary(period_end: str, dirs: list[Path]) -> pd.DataFrame:
    frames = []
    for d in dirs:
        ds = load_dataset_rerun(d.resolve())
        f = compute_indicators(ds, period_end)
        frames.append(f.assign(la_code=ds.authority.la_code, la_name=ds.authority.la_name))
    allv = pd.concat(frames, ignore_index=True)
    ranks, bands = [], []
    for rec in allv.itertuples(index=False):  # authorities x indicators (hundreds of rows)
        peers = allv.loc[(allv["indicator_id"] == rec.indicator_id)
                         & (allv["la_code"] != rec.la_code), "value"]  # fmt: skip
        rank, _, band = quartile_band(peers, rec.value, REGISTRY[rec.indicator_id].polarity)
        ranks.append(rank)
        bands.append(band)
    allv["rank"], allv["band"] = ranks, bands
    return allv[["indicator_id", "title", "la_code", "la_name", "numerator", "denominator",
                 "value", "unit", "polarity", "rank", "band", "note"]]  # fmt: skip
