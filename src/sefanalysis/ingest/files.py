"""The files of a data folder: input names matched ignoring case, special files refused by their
type before anything opens them, and every file found by a walk of the whole folder.

A named pipe opened for reading waits for a writer that never comes, and a device can be
endless: nothing here opens a path before :func:`kind` has said it is a regular file.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path

FILE = "file"
DIRECTORY = "folder"


def kind(path: Path) -> str:
    """What ``path`` is, following a link: "file", "folder", "named pipe", "socket", "device",
    "broken link" or "missing"."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "broken link" if os.path.islink(path) else "missing"
    except OSError as exc:
        return f"unreadable entry ({exc.strerror})"
    if stat.S_ISREG(mode):
        return FILE
    if stat.S_ISDIR(mode):
        return DIRECTORY
    if stat.S_ISFIFO(mode):
        return "named pipe"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    return "special file"


def not_a_file(path: Path) -> str | None:
    """Why ``path`` cannot be read as a file (without opening it), or None if it can."""
    what = kind(path)
    if what == FILE:
        return None
    return f"a {what}, not a file (not opened)" if what != "missing" else "no such file"


def norm_name(name: str) -> str:
    """A file name as matched: case, spaces and hyphens ignored ("Annex A.XLSX" is annex_a.xlsx)."""
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def entries(folder: Path) -> dict[str, list[Path]]:
    """The entries directly in ``folder`` by matched name (several when names differ by case)."""
    found: dict[str, list[Path]] = {}
    try:
        listing = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return found
    for entry in listing:
        found.setdefault(norm_name(entry.name), []).append(Path(entry.path))
    return found


def inside(root: Path, path: Path) -> bool:
    """Whether ``path`` (links resolved) lies within ``root``."""
    try:
        return path.resolve().is_relative_to(root.resolve())
    except OSError:
        return False


def walk(root: Path) -> Iterator[Path]:
    """Every entry under ``root`` that is not a folder, recursively. Folders reached through a
    link are not entered (a link can lead out of the data folder, or round in a loop): the link
    itself is yielded, to be accounted for."""
    try:
        listing = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError:
        return
    for entry in listing:
        if entry.is_dir(follow_symlinks=False):
            yield from walk(Path(entry.path))
        else:
            yield Path(entry.path)
