"""Rerun cache: results that depend only on their inputs and on the code are kept between runs,
so that rerunning a quarter while drafting takes seconds.

Every entry is keyed on a SHA-256 of its inputs and of the code (the package version, the text
of every module in the package, and the pandas, numpy and matplotlib versions), so a change to
the data, a parameter or the code gives a new key, never a stale result. A hit is only ever
faster; an entry that cannot be read is recomputed.

The runner sets the cache folder (``<out>/.cache``) through the ``SEFANALYSIS_CACHE``
environment variable, which the notebook kernels inherit; without it nothing is cached. The
folder is ANALYST ONLY: it holds the validated child-level dataset. Delete it at any time.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
CACHE_ENV = "SEFANALYSIS_CACHE"
LOCK_WAIT = 600  # seconds a process waits for another computing the same entry, then computes


@functools.cache
def code_version() -> str:
    """Hash of the package's own source and the libraries that shape its results (their
    installed versions: importing matplotlib only to read its version cost a rerun's kernel a
    quarter of a second)."""
    from importlib.metadata import version

    from . import __version__

    libraries = " ".join(version(name) for name in ("pandas", "numpy", "matplotlib"))
    digest = hashlib.sha256(f"{__version__} {libraries}".encode())
    for path in sorted(Path(__file__).parent.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def fingerprint(path: str | Path) -> str:
    """Identity of a data directory's contents: every file's name, size and modification time."""
    from . import __version__

    root = Path(path)
    parts = [__version__]
    for file in sorted(p for p in root.rglob("*") if p.is_file()):
        stat = file.stat()
        parts.append(f"{file.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def cache_dir() -> Path | None:
    value = os.environ.get(CACHE_ENV)
    return Path(value) if value else None


def _digest(value: object, h: hashlib._Hash) -> None:
    """Feed ``value`` to ``h`` by content only. Pickle is not used for keys: it depends on
    object identity (shared references are memoised), on set order (hash-seeded) and on how a
    frame was built, so equal inputs could give different keys."""
    h.update(type(value).__name__.encode() + b"\x00")
    # plain values and containers first: keys of report sections never import pandas
    if value is None or isinstance(value, str | int | float):
        h.update(repr(value).encode())  # exact: floats repr at full precision
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
    else:
        _digest_data(value, h)
    h.update(b"\x01")


def _digest_data(value: object, h: hashlib._Hash) -> None:
    """Frames, arrays and timestamps by content; anything else by its pickle."""
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
        h.update(f"{value.dtype}{value.shape}".encode() + np.ascontiguousarray(value).tobytes())
    elif isinstance(value, pd.Timestamp | np.generic):
        h.update(repr(value).encode())  # exact: timestamps repr at full precision
    else:  # anything else by its pickle (a repr may be abbreviated, e.g. long sequences)
        h.update(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def cache_key(*parts: object) -> str:
    h = hashlib.sha256(code_version().encode())
    _digest(parts, h)
    return h.hexdigest()


def _path(kind: str, key: str) -> Path | None:
    folder = cache_dir()
    return None if folder is None else folder / kind / f"{key}.pickle"


def load(kind: str, key: str) -> object | None:
    path = _path(kind, key)
    if path is None or not path.exists():
        return None
    try:
        with path.open("rb") as fh:
            return pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError):
        return None


def store(kind: str, key: str, value: object) -> None:
    path = _path(kind, key)
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")  # atomic: parallel runs never read halves
    with tmp.open("wb") as fh:
        pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)


def cached(kind: str, parts: tuple, compute: Callable[[], T]) -> T:
    """``compute()``, or its stored result for the same ``parts`` and code. Processes sharing
    the cache compute an entry once: the three notebooks of a run all want the same indicators
    and comparators, and the later ones wait for the first rather than repeat its work."""
    if cache_dir() is None:
        return compute()
    key = cache_key(kind, *parts)
    hit = load(kind, key)
    if hit is not None:
        return hit  # type: ignore[return-value]
    with _computing(kind, key):
        hit = load(kind, key)  # stored by another process while this one waited
        if hit is not None:
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
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(path.with_suffix(".lock"))
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
