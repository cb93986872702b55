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

import functools
import hashlib
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
CACHE_ENV = "SEFANALYSIS_CACHE"


@functools.cache
def code_version() -> str:
    """Hash of the package's own source and the libraries that shape its results."""
    import matplotlib
    import numpy
    import pandas

    from . import __version__

    digest = hashlib.sha256(
        f"{__version__} {pandas.__version__} {numpy.__version__} {matplotlib.__version__}".encode()
    )
    for path in sorted(Path(__file__).parent.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_dir() -> Path | None:
    value = os.environ.get(CACHE_ENV)
    return Path(value) if value else None


def _stable(value: object) -> object:
    """Sets pickle in hash order, which differs between processes: sort them."""
    if isinstance(value, set | frozenset):
        return ("set", tuple(sorted(value, key=repr)))
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_stable(v) for v in value)
    return value


def cache_key(*parts: object) -> str:
    blob = pickle.dumps(_stable(parts), protocol=pickle.HIGHEST_PROTOCOL)
    return hashlib.sha256(code_version().encode() + blob).hexdigest()


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
    """``compute()``, or its stored result for the same ``parts`` and code."""
    if cache_dir() is None:
        return compute()
    key = cache_key(kind, *parts)
    hit = load(kind, key)
    if hit is not None:
        return hit  # type: ignore[return-value]
    value = compute()
    store(kind, key, value)
    return value
