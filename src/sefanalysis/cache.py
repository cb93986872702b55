"""Rerun cache: results that depend only on their inputs and on the code are kept between runs,
so that rerunning a quarter while drafting takes seconds.

An entry's key is a SHA-256 of

- the inputs by content: the SHA-256 of every byte of every file in the data folder (with its
  name), never names, sizes or modification times, which a corrected file copied with
  ``cp -p``, rsync or a restore can share with the file it replaces;
- the code: every file of this package, and the name and version of every installed
  distribution (pandas, numpy, scipy, holidays, afcharts, pandera, calamine, ... and whatever
  they use) and the Python version;
- the parameters and arguments of the computation,

so a change to any of them gives a new key, never a stale result. A hit is only ever faster.

Entries are written in a format that cannot run code when read (``cachefile``: JSON and raw
arrays, never pickle), readable by their owner only; one that is damaged, altered or in an old
format is recomputed, never fatal.

The runner sets the cache folder (``<out>/.cache``) through the ``SEFANALYSIS_CACHE``
environment variable, which the notebook kernels inherit; without it nothing is cached. The
folder is ANALYST ONLY: it holds the validated child-level dataset. Delete it at any time.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import hashlib
import logging
import os
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path, PurePath
from typing import TypeVar

from . import cachefile

T = TypeVar("T")
CACHE_ENV = "SEFANALYSIS_CACHE"
LOCK_WAIT = 600  # seconds a process waits for another computing the same entry, then computes
SUFFIX = ".sefc"
_KIND = re.compile(r"[a-z][a-z0-9_]*")
_KEY = re.compile(r"[0-9a-f]{64}")
log = logging.getLogger(__name__)


def installed_versions() -> list[tuple[str, str]]:
    """Name and version of every distribution installed where this package runs: any of them
    can change a result (holidays a bank holiday, scipy an interval, calamine a date read), so
    any upgrade gives new keys. Read from the names of the ``*.dist-info`` (and ``*.egg-info``)
    folders on the import path, which carry both (``pandas-3.1.1.dist-info``): a millisecond,
    where reading every distribution's metadata took 50 ms in each kernel."""
    found = set()
    for entry in sys.path:
        if not os.path.isabs(entry):  # the working directory differs between processes
            continue
        try:
            names = os.listdir(entry)
        except OSError:
            continue
        for name in names:
            stem, dot, suffix = name.rpartition(".")
            if dot and suffix in {"dist-info", "egg-info"}:
                project, _, version = stem.partition("-")
                found.add((project.replace("_", "-").replace(".", "-").lower(), version))
    return sorted(found)


@functools.cache
def code_version() -> str:
    """Hash of the code a result depends on: this package's files (source, templates, code
    lists), every installed distribution's version and the Python version."""
    from . import __version__

    digest = hashlib.sha256(f"{__version__}\0{sys.version}\0".encode())
    for name, version in installed_versions():
        digest.update(f"{name}=={version}\n".encode())
    package = Path(__file__).parent
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_hashes(path: str | Path) -> dict[str, str]:
    """SHA-256 of every file under ``path`` by its relative name (``/`` separators), read now:
    the runner records these in the manifest and keys the cache on them."""
    root = Path(path)
    files = sorted(p for p in root.rglob("*") if p.is_file())
    return {file.relative_to(root).as_posix(): file_sha256(file) for file in files}


def fingerprint_of(hashes: dict[str, str]) -> str:
    text = "".join(f"{name}\0{sha}\n" for name, sha in sorted(hashes.items()))
    return hashlib.sha256(text.encode()).hexdigest()


def fingerprint(path: str | Path) -> str:
    """Identity of a data directory's contents: every file's name and the SHA-256 of its bytes
    (6.6 MB of demonstration data: under 10 ms)."""
    return fingerprint_of(file_hashes(path))


def cache_dir() -> Path | None:
    value = os.environ.get(CACHE_ENV)
    return Path(value) if value else None


@contextlib.contextmanager
def using_cache(folder: str | Path | None) -> Iterator[None]:
    """Cache into ``folder`` (None: no cache) inside the block, for this process and the
    processes it starts, then restore the previous setting: one authority's run never leaves
    its cache set for the next."""
    before = os.environ.get(CACHE_ENV)
    if folder is None:
        os.environ.pop(CACHE_ENV, None)
    else:
        os.environ[CACHE_ENV] = str(folder)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(CACHE_ENV, None)
        else:
            os.environ[CACHE_ENV] = before


def _digest(value: object, h: hashlib._Hash) -> None:
    """Feed ``value`` to ``h`` by content only (not by pickle, which depends on object
    identity, set order and how a frame was built, so equal inputs could give other keys)."""
    h.update(type(value).__name__.encode() + b"\x00")
    # plain values and containers first: keys of report sections never import pandas
    if value is None or isinstance(value, str | int | float):
        h.update(repr(value).encode())  # exact: floats repr at full precision
    elif isinstance(value, bytes | bytearray):
        h.update(str(len(value)).encode() + b"\x00" + bytes(value))
    elif isinstance(value, dict):
        for k in sorted(value, key=repr):
            _digest(k, h)
            _digest(value[k], h)
    elif isinstance(value, list | tuple):
        h.update(str(len(value)).encode())
        for v in value:
            _digest(v, h)
    elif isinstance(value, set | frozenset):
        _digest(sorted(value, key=repr), h)
    elif isinstance(value, range | PurePath | dt.date | dt.timedelta):
        h.update(repr(value).encode())
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        _digest({f.name: getattr(value, f.name) for f in dataclasses.fields(value)}, h)
    else:
        _digest_data(value, h)
    h.update(b"\x01")


def _digest_data(value: object, h: hashlib._Hash) -> None:
    """Frames, arrays and timestamps by content."""
    import numpy as np
    import pandas as pd

    if isinstance(value, pd.Index):
        value = value.to_series()
    if isinstance(value, pd.DataFrame | pd.Series):
        frame = value.to_frame() if isinstance(value, pd.Series) else value
        h.update(repr([(str(c), str(t)) for c, t in frame.dtypes.items()]).encode())
        try:
            h.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
        except TypeError:  # unhashable cells (lists): their text
            h.update(frame.to_csv().encode())
    elif isinstance(value, np.ndarray):
        h.update(f"{value.dtype}{value.shape}".encode())
        if value.dtype.kind == "O":
            _digest(value.tolist(), h)
        else:
            h.update(np.ascontiguousarray(value).tobytes())
    elif isinstance(value, pd.Timestamp | pd.Timedelta | np.generic) or value is pd.NaT:
        h.update(repr(value).encode())  # exact: timestamps repr at full precision
    else:
        raise TypeError(f"cache keys cannot be made from {type(value).__qualname__} values")


def cache_key(*parts: object) -> str:
    h = hashlib.sha256(code_version().encode())
    _digest(parts, h)
    return h.hexdigest()


def _path(kind: str, key: str) -> Path | None:
    folder = cache_dir()
    if folder is None:
        return None
    if not (_KIND.fullmatch(kind) and _KEY.fullmatch(key)):
        raise ValueError(f"not a cache entry name: {kind!r}/{key!r}")
    return folder / kind / f"{key}{SUFFIX}"


_MISSING = object()


def _load(kind: str, key: str) -> object:
    path = _path(kind, key)
    if path is None or not path.exists():
        return _MISSING
    try:
        return cachefile.read(path)
    except (OSError, cachefile.Damaged) as exc:
        log.warning("sefanalysis cache: entry %s is recomputed (%s)", path.name, exc)
        return _MISSING


def load(kind: str, key: str) -> object | None:
    """The stored value, or None when there is none (or it is damaged)."""
    value = _load(kind, key)
    return None if value is _MISSING else value


def store(kind: str, key: str, value: object) -> None:
    """Store ``value``; a value the format cannot hold, or a failed write, is not cached (the
    result is the same, only a rerun is slower)."""
    path = _path(kind, key)
    if path is None:
        return
    try:
        make_private_dir(path.parent.parent)
        make_private_dir(path.parent)
        cachefile.write(path, value)
    except cachefile.Unstorable as exc:
        log.warning("sefanalysis cache: %s result not cached: %s", kind, exc)
    except OSError as exc:
        log.warning("sefanalysis cache: %s result not cached: %s", kind, exc)


def make_private_dir(folder: Path) -> None:
    """Create ``folder`` (and missing parents) readable by its owner only."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if folder.stat().st_mode & 0o077:
        folder.chmod(0o700)


def cached(kind: str, parts: tuple, compute: Callable[[], T]) -> T:
    """``compute()``, or its stored result for the same ``parts`` and code. Processes sharing
    the cache compute an entry once: the three notebooks of a run all want the same indicators
    and comparators, and the later ones wait for the first rather than repeat its work."""
    if cache_dir() is None:
        return compute()
    key = cache_key(kind, *parts)
    hit = _load(kind, key)
    if hit is not _MISSING:
        return hit  # type: ignore[return-value]
    with _computing(kind, key):
        hit = _load(kind, key)  # stored by another process while this one waited
        if hit is not _MISSING:
            return hit  # type: ignore[return-value]
        value = compute()
        store(kind, key, value)
    return value


@contextlib.contextmanager
def _computing(kind: str, key: str) -> Iterator[None]:
    """Held while this process computes an entry (a lock file beside it). After ``LOCK_WAIT``
    seconds a waiter goes ahead and computes the entry itself: slower, never stuck."""
    from filelock import FileLock, Timeout

    path = _path(kind, key)
    assert path is not None
    make_private_dir(path.parent.parent)
    make_private_dir(path.parent)
    lock = FileLock(path.with_suffix(".lock"), mode=0o600)
    try:
        lock.acquire(timeout=LOCK_WAIT)
        held = True
    except Timeout:
        held = False
    try:
        yield
    finally:
        if held:
            lock.release()
