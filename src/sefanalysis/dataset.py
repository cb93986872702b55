"""One authority's data, loaded, typed and validated: :func:`load_dataset`.

Input layout (a directory)::

    authority.yaml            la_code, la_name, region, extract_date
    annex_a.xlsx | annex_a/   Ofsted Annex A lists (one sheet, or one CSV, per list)
    ssda903/<2024-25>/*.csv   optional SSDA903 tables per collection year
    workforce.csv audits.csv [supervision.csv complaints.csv]
    population.csv            ONS mid-year estimates of children aged 0-17, by year
    benchmarks.csv statistical_neighbours.csv [targets.csv]
    published/                DfE's published files as downloaded (comparators, neighbours)
    cin_census/*.xml          the authority's CIN census returns
"""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .cache import fingerprint
from .errors import DataError
from .ingest.annex_a import read_annex_a_csv_dir, read_annex_a_workbook
from .ingest.annex_a_spec import ANNEX_A
from .ingest.authority import Authority, read_authority
from .ingest.dfe_sources import add_dfe_sources
from .ingest.local_tables import LOCAL_TABLES, read_local_table
from .ingest.problems import FATAL, ProblemLog
from .ingest.ssda903 import read_ssda903


@dataclass
class Dataset:
    """Everything the indicators read. Child-level frames never leave the analyst's machine."""

    path: Path
    authority: Authority
    annex_a: dict[str, pd.DataFrame]
    ssda903: dict[str, pd.DataFrame] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame | None] = field(default_factory=dict)
    log: ProblemLog = field(default_factory=ProblemLog)

    @property
    def problems(self) -> pd.DataFrame:
        return self.log.frame()

    @property
    def fatal(self) -> bool:
        return bool(self.log.fatal)

    def table(self, key: str) -> pd.DataFrame | None:
        return self.tables.get(key)

    @property
    def population(self) -> pd.DataFrame | None:
        return self.tables.get("population")

    def files(self) -> pd.DataFrame:
        """Input files with SHA-256 and rows read and rejected (for the manifest)."""
        return self.log.files_frame()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


SAME_VALUES = {"CHILD": "child_id"}  # SSDA903 and Annex A identify children the same way


def _is_text(column: pd.Series) -> bool:
    return pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column)


def compact(*groups: dict[str, pd.DataFrame]) -> list[dict[str, pd.DataFrame]]:
    """Child-level text columns (identifiers and codes) as categoricals: one copy of each
    distinct value instead of one Python string per row, which was most of a dataset's memory
    (3.5 times less for the pooled benchmark data). A column name has one categorical type
    across every table (``CHILD`` shares ``child_id``'s), so tables joined or stacked by the
    indicators stay categorical without recoding."""
    frames = [f for group in groups for f in group.values() if not f.empty]
    values: dict[str, list] = {}
    for frame in frames:
        for col in filter(lambda c: _is_text(frame[c]), frame.columns):
            values.setdefault(SAME_VALUES.get(col, col), []).append(frame[col].dropna().unique())
    dtypes = {}
    for name, parts in values.items():
        distinct = pd.Index(np.concatenate(parts)).unique()
        with contextlib.suppress(TypeError):  # mixed types in a column: first-seen order
            distinct = distinct.sort_values()
        dtypes[name] = pd.CategoricalDtype(distinct)

    def one(frame: pd.DataFrame) -> pd.DataFrame:
        text = {c: dtypes[SAME_VALUES.get(c, c)] for c in frame.columns
                if SAME_VALUES.get(c, c) in dtypes and _is_text(frame[c])}  # fmt: skip
        return frame.astype(text) if text else frame

    return [{k: one(v) for k, v in group.items()} for group in groups]


def load_dataset(path: str | Path, strict: bool = False) -> Dataset:
    """Load and validate one authority's directory.

    Problems are collected in ``dataset.log`` (see ``sefanalysis validate``). With ``strict``
    a fatal problem raises :class:`DataError` with a one-line summary.
    """
    root = Path(path)
    log = ProblemLog()
    if not root.is_dir():
        raise DataError(f"data directory {str(root)!r} does not exist or is not a directory")
    authority = read_authority(root / "authority.yaml", log)
    if (root / "annex_a.xlsx").exists():
        annex = read_annex_a_workbook(root / "annex_a.xlsx", log)
    elif (root / "annex_a").is_dir():
        annex = read_annex_a_csv_dir(root / "annex_a", log)
    else:
        log.add(
            FATAL,
            "missing file",
            str(root / "annex_a.xlsx"),
            expected="annex_a.xlsx (one sheet per list) or an annex_a/ folder of CSVs",
        )
        annex = read_annex_a_csv_dir(root / "__none__", ProblemLog())
    ssda903 = read_ssda903(root / "ssda903", log) if (root / "ssda903").is_dir() else {}
    tables = {key: read_local_table(key, root / f"{key}.csv", log) for key in LOCAL_TABLES}
    add_dfe_sources(root, authority, tables, log)  # published/ and cin_census/
    hashes = {}
    for summary in log.files:
        file = Path(summary.file)
        if file.is_file():
            hashes.setdefault(file, _sha256(file))
            summary.sha256 = hashes[file]
    annex, ssda903 = compact(annex, ssda903)
    dataset = Dataset(root, authority, annex, ssda903, tables, log)
    if strict and dataset.fatal:
        first = log.fatal[0]
        raise DataError(f"{len(log.fatal)} fatal data problem(s) in {root}; first: {first.line()}")
    return dataset


__all__ = ["Dataset", "load_dataset", "ANNEX_A"]


def load_dataset_rerun(path: str | Path) -> Dataset:
    """:func:`load_dataset` through the rerun cache (``sefanalysis.cache``) when one is active:
    the one place that names the dataset's cache entry, so the runner, many-authority runs and
    the notebooks all find the same one."""
    from .cache import cached

    return cached("dataset", (fingerprint(path),), lambda: load_dataset(path))


def load_dataset_cached(path: str | Path, cache: str | Path, strict: bool = False) -> Dataset:
    """:func:`load_dataset`, reusing ``cache`` (a pickle written by the runner) when the data
    directory has not changed since. The cache holds child-level data: it lives in the run's
    analyst-only folder."""
    import pickle

    from .cache import cache_dir

    if cache_dir() is not None:  # the runner's rerun cache
        dataset = load_dataset_rerun(path)
        return load_dataset(path, strict=True) if strict and dataset.fatal else dataset
    key = fingerprint(path)
    cache = Path(cache)
    if cache.exists():
        try:
            with cache.open("rb") as fh:
                stored_key, dataset = pickle.load(fh)
            if stored_key == key:
                if strict and dataset.fatal:
                    return load_dataset(path, strict=True)
                return dataset
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
            pass
    dataset = load_dataset(path, strict=strict)
    save_cache(dataset, cache)
    return dataset


def save_cache(dataset: Dataset, cache: str | Path) -> None:
    """Write the cache read by :func:`load_dataset_cached`."""
    import pickle

    cache = Path(cache)
    cache.parent.mkdir(parents=True, exist_ok=True)
    with cache.open("wb") as fh:
        pickle.dump((fingerprint(dataset.path), dataset), fh, protocol=pickle.HIGHEST_PROTOCOL)
