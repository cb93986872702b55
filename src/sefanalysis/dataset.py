"""One authority's data, loaded, typed and validated: :func:`load_dataset`.

Input layout (a directory; names are matched ignoring case, spaces and hyphens)::

    authority.yaml            la_code, la_name, region, extract_date
    annex_a.xlsx | annex_a/   Ofsted Annex A lists (one sheet, or one CSV, per list)
    ssda903/<2024-25>/*.csv   optional SSDA903 tables per collection year
    workforce.csv audits.csv [supervision.csv complaints.csv]
    population.csv            ONS mid-year estimates of children aged 0-17, by year
    benchmarks.csv statistical_neighbours.csv [targets.csv]
    published/                DfE's published files as downloaded (comparators, neighbours)
    cin_census/*.xml          the authority's CIN census returns

Every file in the directory is accounted for (``dataset.log.inventory``): read, and taken as
what, or not used, and why. Two files for one input are fatal, naming both.
"""

from __future__ import annotations

import contextlib
import difflib
import gc
import hashlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .cache import fingerprint
from .errors import DataError
from .ingest import files as F
from .ingest.annex_a import (
    BIRTH_KEYS,
    WORKBOOK_SUFFIXES,
    empty_list,
    read_annex_a_csv_dir,
    read_annex_a_workbook,
)
from .ingest.annex_a_spec import ANNEX_A, LISTS_BY_KEY, ListSpec
from .ingest.authority import NAMES as AUTHORITY_NAMES
from .ingest.authority import Authority, read_authority
from .ingest.cells import Workbook
from .ingest.dfe_sources import add_dfe_sources
from .ingest.local_tables import LOCAL_TABLES, read_local_table
from .ingest.problems import FATAL, WARNING, ProblemLog
from .ingest.ssda903 import SSDA903, collection_year, read_ssda903


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

    def inventory(self) -> pd.DataFrame:
        """Every file in the data folder: ``file, status, taken_as, how`` (read, or not used)."""
        return self.log.inventory_frame()

    @property
    def absent_lists(self) -> list[str]:
        """The Annex A lists not supplied at all ("List 2 (Early Help)", ...): indicators from
        them are missing, with a note (for the run summary and the reviewer pages)."""
        read = {f.table for f in self.log.files}
        return [spec.label for spec in ANNEX_A if spec.key not in read]

    def source_absence(self, key: str) -> str:
        """Why an Annex A list or local table (``key``) cannot support any value ("" if it
        can): it was not supplied, or has no usable rows."""
        _, label, frame = self._source(key)
        if frame is None:
            return f"{label} was not supplied"
        return f"{label} has no usable rows" if frame.empty else ""

    def source_gaps(self, key: str, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """Why an Annex A list or local table (``key``) cannot support a value for each period
        [start, end], or "" where it can: the source was not supplied, has no usable rows, or
        none of its dates (other than dates of birth) falls in the period and none of its
        episodes is open during it. A monthly table must hold the month of the period end."""
        spec, label, frame = self._source(key)
        reasons = np.full(len(ends), self.source_absence(key), dtype=object)
        if frame is None or frame.empty:
            return reasons
        if key in MONTHLY:
            months = frame[MONTHLY[key]].dropna().dt.to_period("M").unique()
            ends_m = pd.DatetimeIndex(ends).to_period("M")
            missing = ~ends_m.isin(months)
            reasons[missing] = [f"{label} has no row for {m:%B %Y}" for m in ends_m[missing]]
            return reasons
        dated = [c.key for c in spec.columns if c.kind == "date" and c.key not in BIRTH_KEYS]
        values = np.sort(
            np.concatenate(
                [frame[c].dropna().to_numpy(dtype="datetime64[ns]") for c in dated] or [[]]
            ).astype("datetime64[ns]")
        )
        if not len(values):
            return reasons  # a list without dates (e.g. care leavers): coverage is unknowable
        starts = np.asarray(starts, dtype="datetime64[ns]")
        ends = np.asarray(ends, dtype="datetime64[ns]")
        covered = np.searchsorted(values, starts, "left") < np.searchsorted(values, ends, "right")
        for start_col, end_col, _ in spec.intervals:
            begun = frame[start_col].to_numpy(dtype="datetime64[ns]")[:, None] <= ends
            stop = frame[end_col].to_numpy(dtype="datetime64[ns]")[:, None]
            covered |= (begun & (np.isnat(stop) | (stop >= starts))).any(axis=0)
        reasons[~covered] = f"no {label} dates fall in this period"
        return reasons

    def _source(self, key: str) -> tuple[ListSpec, str, pd.DataFrame | None]:
        if key in LISTS_BY_KEY:
            spec = LISTS_BY_KEY[key]
            read = {f.table for f in self.log.files}
            return spec, spec.label, self.annex_a.get(key) if key in read else None
        return LOCAL_TABLES[key], f"{key}.csv", self.tables.get(key)


# Tables holding one row per month (and team): a period is covered by the month of its end.
MONTHLY = {"workforce": "month"}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


SAME_VALUES = {"CHILD": "child_id"}  # SSDA903 and Annex A identify children the same way


def _is_text(dtype: object) -> bool:
    return pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)


def _is_coded_text(dtype: object) -> bool:
    """A categorical of text (as the Annex A reader leaves its text columns for compact)."""
    return isinstance(dtype, pd.CategoricalDtype) and _is_text(dtype.categories.dtype)


def _factorised(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A text column's rows as codes into its distinct values, in order of first appearance
    (``pd.factorize`` of its values as plain objects, missing ones -1)."""
    if _is_coded_text(column.dtype):  # its codes factorised: the values are not hashed again
        coded = column.array  # the Categorical itself: its codes without a Series around them
        present = coded.codes >= 0
        held, order = pd.factorize(coded.codes[present])
        rows = np.full(len(coded), -1, dtype=np.intp)
        rows[present] = held
        return rows, coded.categories.to_numpy(dtype=object)[order]
    if isinstance(column.dtype, pd.StringDtype) and column.dtype.storage == "python":
        values = column.array.to_numpy(dtype=object)  # as held (str or NA), not copied
    else:
        values = column.to_numpy(dtype=object, na_value=None)  # plain objects hash fastest
    return pd.factorize(values, use_na_sentinel=True)


def compact(*groups: dict[str, pd.DataFrame]) -> list[dict[str, pd.DataFrame]]:
    """Child-level text columns (identifiers and codes) as categoricals: one copy of each
    distinct value instead of one Python string per row, which was most of a dataset's memory
    (3.5 times less for the pooled benchmark data). A column name has one categorical type
    across every table (``CHILD`` shares ``child_id``'s), so tables joined or stacked by the
    indicators stay categorical without recoding."""
    frames = [f for group in groups for f in group.values() if not f.empty]
    # each text column is hashed once: its rows as codes into its own distinct values
    factorised: dict[tuple[int, str], tuple[np.ndarray, object]] = {}
    values: dict[str, list] = {}
    for frame in frames:
        for col, dtype in frame.dtypes.items():
            if _is_text(dtype) or _is_coded_text(dtype):
                codes, uniques = _factorised(frame[col])
                factorised[id(frame), col] = codes, uniques
                values.setdefault(SAME_VALUES.get(col, col), []).append(uniques)
    dtypes = {}
    # for each column read, where each of its distinct values stands among the categories
    positions: dict[tuple[int, str], np.ndarray] = {}
    for name, parts in values.items():
        dtypes[name], places = _categories(parts)
        for key, place in zip(
            (k for k in factorised if SAME_VALUES.get(k[1], k[1]) == name), places, strict=True
        ):
            positions[key] = place

    def one(frame: pd.DataFrame) -> pd.DataFrame:
        text = {}
        for col, held in frame.dtypes.items():
            dtype = dtypes.get(SAME_VALUES.get(col, col))
            if (id(frame), col) in factorised:
                codes, _ = factorised[id(frame), col]
                at = np.append(positions[id(frame), col], -1)[codes]
                text[col] = pd.Categorical.from_codes(at, dtype=dtype, validate=False)
            elif dtype is not None and _is_text(held):  # an empty frame
                text[col] = frame[col].astype(dtype)
        return frame.assign(**text) if text else frame

    return [{k: one(v) for k, v in group.items()} for group in groups]


FEW = 1000  # distinct values sorted by Python: pyarrow's fixed costs exceed its speed below this


def _categories(parts: list[np.ndarray]) -> tuple[pd.CategoricalDtype, list[np.ndarray]]:
    """The categorical type of one column name from the distinct values of each column that
    holds it (sorted; in order of first appearance where they cannot be sorted), and where
    each column's distinct values stand among its categories."""
    pooled = np.concatenate(parts)
    if pd.api.types.infer_dtype(pooled, skipna=False) != "string":
        distinct = pd.Index(pooled).unique()
        with contextlib.suppress(TypeError):  # mixed types in a column: first-seen order
            distinct = distinct.sort_values()
        dtype = pd.CategoricalDtype(distinct)
        return dtype, [dtype.categories.get_indexer(part) for part in parts]
    # text only (what the readers write): the pooled values factorised once and sorted as
    # before, instead of each column's values looked up in the categories
    codes, distinct = pd.factorize(pooled)
    if len(distinct) <= FEW:
        # Python orders text by code point, as pyarrow's sort of the text index does
        order = np.argsort(distinct, kind="stable")
        categories = pd.Index(distinct[order])
    else:
        index = pd.Index(distinct)
        order = index.argsort()
        categories = index.take(order)
    rank = np.empty(len(order), dtype=np.intp)
    rank[order] = np.arange(len(order))
    ends = np.cumsum([len(part) for part in parts])[:-1]
    dtype = pd.CategoricalDtype(categories, ordered=False)
    return dtype, np.split(rank[codes], ends)


def load_dataset(path: str | Path, strict: bool = False) -> Dataset:
    """Load and validate one authority's directory.

    Problems are collected in ``dataset.log`` (see ``sefanalysis validate``), and every file
    in the directory is accounted for in ``dataset.log.inventory``. With ``strict`` a fatal
    problem raises :class:`DataError` with a one-line summary.
    """
    with _cycle_collector_paused():
        return _load_dataset(Path(path), strict)


@contextlib.contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """Python's cycle collector paused while a dataset is read, and resumed after (unless the
    caller had paused it). Reading builds hundreds of thousands of container objects (the
    rows of the workbook's sheets as calamine gives them, the census' per-row dicts) that make
    almost no reference cycles, so the collector's full passes over them free next to nothing
    but take a large share of a first load (measured in docs/benchmarks.md). Reference counting
    frees everything else as before; the few cycles are collected once the collector runs
    again. The pause is the process's: other threads' allocations do not start a collection
    while a dataset is read."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _load_dataset(root: Path, strict: bool) -> Dataset:
    log = ProblemLog()
    if not root.is_dir():
        raise DataError(f"data directory {str(root)!r} does not exist or is not a directory")
    top = F.entries(root)
    authority_file, clash = _one_of(top, AUTHORITY_NAMES, "the authority settings", log)
    authority = (
        read_authority(authority_file or root / "authority.yaml", log)
        if not clash
        else Authority("unknown", "Unknown authority", "unknown")
    )
    # The Annex A workbook is parsed in the background (see Workbook) while the CSV files are
    # read, and its sheets parsed by then are turned into columns between the CSV files; what
    # each reader reports is logged in the order the inputs are listed above.
    book = _workbook_to_read(top)
    workbook = Workbook(book) if book is not None else None
    between = workbook.convert_ready if workbook is not None else lambda: None
    ssda_log, tables_log = ProblemLog(), ProblemLog()
    try:
        ssda_dirs = [p for p in top.get("ssda903", []) if F.kind(p) == F.DIRECTORY]
        ssda903: dict[str, pd.DataFrame] = {}
        if len(ssda_dirs) > 1:
            _two_sources(ssda_dirs, "the SSDA903 folder", ssda_log)
        elif ssda_dirs:
            ssda903 = read_ssda903(ssda_dirs[0], ssda_log)
        tables: dict[str, pd.DataFrame | None] = {}
        for key in LOCAL_TABLES:
            between()
            file, clash = _one_of(top, (f"{key}.csv",), f"{key}.csv", tables_log)
            tables[key] = (
                None if clash else read_local_table(key, file or root / f"{key}.csv", tables_log)
            )
    except BaseException:
        if workbook is not None:
            workbook.close()
        raise
    annex = _read_annex_a(root, top, log, authority.extract_date, workbook)
    for later in (ssda_log, tables_log):
        log.problems += later.problems
        log.files += later.files
        log.inventory += later.inventory
    add_dfe_sources(root, authority, tables, log)  # published/ and cin_census/
    _record_word_template(root, log)
    _account_for_every_file(root, log)
    read = list(dict.fromkeys(Path(s.file) for s in log.files if F.kind(Path(s.file)) == F.FILE))
    with ThreadPoolExecutor(max_workers=1) as hasher:  # hashing releases Python's lock
        digests = hasher.map(_sha256, read)
        annex, ssda903 = compact(annex, ssda903)
        hashes = dict(zip(read, digests, strict=True))
    for summary in log.files:
        summary.sha256 = hashes.get(Path(summary.file), summary.sha256)
    dataset = Dataset(root, authority, annex, ssda903, tables, log)
    if strict and dataset.fatal:
        first = log.fatal[0]
        raise DataError(f"{len(log.fatal)} fatal data problem(s) in {root}; first: {first.line()}")
    return dataset


def _one_of(
    top: dict[str, list[Path]], names: tuple[str, ...], what: str, log: ProblemLog
) -> tuple[Path | None, bool]:
    """The one entry named as one of ``names`` (ignoring case), and whether there were two."""
    found = [p for name in names for p in top.get(name, [])]
    if len(found) > 1:
        _two_sources(found, what, log)
        return None, True
    return (found[0] if found else None), False


def _two_sources(paths: list[Path], what: str, log: ProblemLog) -> None:
    names = " and ".join(repr(p.name) for p in paths)
    log.add(
        FATAL,
        "two sources for one input",
        str(paths[0]),
        value=names,
        expected=f"one file or folder for {what}; remove or rename the others",
    )
    for p in paths:
        log.not_used(
            p, f"one of {len(paths)} sources for {what} (fatal: which to use cannot be known)"
        )


def _annex_a_sources(top: dict[str, list[Path]]) -> tuple[list[Path], list[Path], list[Path]]:
    """The Annex A workbooks, folders, and folders holding files, in the data folder."""
    books = [p for s in WORKBOOK_SUFFIXES for p in top.get(f"annex_a{s}", [])]
    folders = [p for p in top.get("annex_a", []) if F.kind(p) == F.DIRECTORY]
    # an empty annex_a/ folder beside a workbook is no second source
    filled = [p for p in folders if any(F.walk(p))]
    return books, folders, filled


def _workbook_to_read(top: dict[str, list[Path]]) -> Path | None:
    """The Annex A workbook :func:`_read_annex_a` will read, if it is a regular file."""
    books, folders, filled = _annex_a_sources(top)
    if len(books) == 1 and not filled and len(folders) <= 1 and F.kind(books[0]) == F.FILE:
        return books[0]
    return None


def _read_annex_a(
    root: Path,
    top: dict[str, list[Path]],
    log: ProblemLog,
    extract: pd.Timestamp | None,
    workbook: Workbook | None = None,
) -> dict[str, pd.DataFrame]:
    """The Annex A lists from the workbook (``workbook``, when it is already being read) or the
    folder of CSVs: exactly one of them."""
    books, folders, filled = _annex_a_sources(top)
    if len(books) + len(filled) > 1 or len(folders) > 1:
        _two_sources(books + (folders if len(folders) > 1 else filled), "the Annex A lists", log)
        return {spec.key: empty_list(spec) for spec in ANNEX_A}
    # text columns stay categoricals of their distinct texts until compact gives each name its type
    if books:
        return read_annex_a_workbook(books[0], log, extract, workbook, categorical=True)
    if folders:
        return read_annex_a_csv_dir(folders[0], log, extract, categorical=True)
    log.add(
        FATAL,
        "missing file",
        str(root / "annex_a.xlsx"),
        expected="annex_a.xlsx (one sheet per list) or an annex_a/ folder of CSVs",
    )
    return {spec.key: empty_list(spec) for spec in ANNEX_A}


KNOWN_NAMES = (*AUTHORITY_NAMES, "annex_a.xlsx", "annex_a", "ssda903", "published", "cin_census",
               "template.docx", *(f"{key}.csv" for key in LOCAL_TABLES))  # fmt: skip


def word_template(root: Path) -> Path | None:
    """The council's Word template for the evidence annex (``template.docx`` in the data
    folder, in any case), if there is exactly one and it is a Word document."""
    import zipfile

    found = [p for p in F.entries(root).get("template.docx", []) if F.kind(p) == F.FILE]
    return found[0] if len(found) == 1 and zipfile.is_zipfile(found[0]) else None


def _record_word_template(root: Path, log: ProblemLog) -> None:
    """Account for ``template.docx``: read for its styles, or why not."""
    found = F.entries(root).get("template.docx", [])
    template = word_template(root)
    if template is not None:
        log.used(template, "Word template (styles of the evidence annex)", f"named {template.name}")
        return
    for path in found:
        log.add(WARNING, "unreadable file", str(path),
                expected="a Word document (.docx) whose styles the evidence annex takes; "
                "the annex uses Word's default styles")  # fmt: skip
        log.not_used(path, "not a single Word document: the annex uses Word's default styles")


def _account_for_every_file(root: Path, log: ProblemLog) -> None:
    """Walk the whole data folder: every file a reader summarised but did not record is
    recorded as read (the SSDA903 reader's tables); every other file is recorded as not used,
    with why. A file named like a known input is also reported as a problem."""
    recorded = {Path(u.file) for u in log.inventory}
    for summary in log.files:
        file = Path(summary.file)
        if file not in recorded and F.kind(file) == F.FILE:
            year = collection_year(file.parent.name) or ""
            log.used(
                file,
                f"SSDA903 {summary.table}" + (f", {year}" if year else ""),
                f"named {file.name}",
            )
            recorded.add(file)
    for file in F.walk(root):
        if file in recorded:
            continue
        why, near = _why_not_used(root, file)
        log.not_used(file, why)
        if near:
            log.add(WARNING, "unrecognised file", str(file), expected=f"{near}; it was not read")


def _why_not_used(root: Path, file: Path) -> tuple[str, str]:
    """Why ``file`` was not read, and a suggestion when its name is close to an input's."""
    parts = file.relative_to(root).parts
    if any(p.startswith(".") for p in parts):
        return "a hidden file: not an input", ""
    if file.name.startswith("~$"):
        return "an Office lock file (the workbook is open somewhere): not an input", ""
    if file.is_symlink() and not F.inside(root, file):
        return "a link to something outside the data folder: not followed", ""
    what = F.kind(file)
    if what != F.FILE:
        return f"a {what}: not opened", ""
    first = F.norm_name(parts[0])
    if first == "ssda903":
        tables = ", ".join(f"{k}.csv" for k in SSDA903)
        if len(parts) == 2:
            return "SSDA903 tables are read from collection-year folders (ssda903/2024-25/)", ""
        if collection_year(parts[1]) is None:
            return "not in an SSDA903 collection-year folder (named like 2024-25)", ""
        return f"not an SSDA903 table that is read ({tables})", ""
    if first == "annex_a":
        return "in a subfolder of annex_a/: only list CSVs directly in it are read", ""
    if len(parts) > 1:
        return "not in a place inputs are read from", ""
    near = difflib.get_close_matches(F.norm_name(file.name), KNOWN_NAMES, n=1, cutoff=0.75)
    if near:
        return f"not a recognised input (did you mean {near[0]}?)", f"did you mean {near[0]}?"
    return "not a recognised input", ""


__all__ = ["Dataset", "load_dataset", "ANNEX_A"]


def load_dataset_rerun(path: str | Path) -> Dataset:
    """:func:`load_dataset` through the rerun cache (``sefanalysis.cache``) when one is active:
    the one place that names the dataset's cache entry, so the runner, many-authority runs and
    the notebooks all find the same one. Keyed on the files' contents and on the folder's
    location too: the dataset names its files, and a copy of the data elsewhere must not
    report problems in the original's files."""
    from .cache import cached

    where = str(Path(path).resolve())
    return cached("dataset", (where, fingerprint(path)), lambda: load_dataset(path))


def load_dataset_cached(path: str | Path, cache: str | Path, strict: bool = False) -> Dataset:
    """:func:`load_dataset`, reusing the copy the runner saved beside ``cache`` (see
    :func:`save_cache`) when the data directory's contents and the code are unchanged. The copy
    holds child-level data: it lives in the run's analyst-only folder."""
    from . import cachefile
    from .cache import cache_dir

    if cache_dir() is not None:  # the runner's rerun cache
        dataset = load_dataset_rerun(path)
        return load_dataset(path, strict=True) if strict and dataset.fatal else dataset
    entry = _saved_path(cache)
    with contextlib.suppress(OSError, cachefile.Damaged):
        stored = cachefile.read(entry)
        if (isinstance(stored, dict) and stored.get("key") == _saved_key(path)
                and isinstance(stored.get("dataset"), Dataset)):  # fmt: skip
            dataset = stored["dataset"]
            return load_dataset(path, strict=True) if strict and dataset.fatal else dataset
    dataset = load_dataset(path, strict=strict)
    save_cache(dataset, cache)
    return dataset


def save_cache(dataset: Dataset, cache: str | Path) -> None:
    """Save ``dataset`` for :func:`load_dataset_cached`, beside ``cache`` with the cache
    format's suffix (``dataset.pickle`` is written as ``dataset.sefc``: never a pickle), readable
    by its owner only. A dataset the format cannot hold is not saved (it is loaded again)."""
    from . import cachefile

    with contextlib.suppress(cachefile.Unstorable):
        cachefile.write(_saved_path(cache),
                        {"key": _saved_key(dataset.path), "dataset": dataset})  # fmt: skip


def _saved_path(cache: str | Path) -> Path:
    from .cache import SUFFIX

    return Path(cache).with_suffix(SUFFIX)


def _saved_key(path: str | Path) -> str:
    from .cache import cache_key

    return cache_key("dataset", fingerprint(path))
