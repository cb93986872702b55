"""A run folder's life: one run at a time, built aside and swapped in whole.

- :class:`RunLock`: one run per run folder at a time; the lock file names the run holding it.
- :func:`publish`: the finished folder replaces the old one by an atomic exchange of names, so
  the run folder is at every instant the old complete run or the new complete run.
- :func:`recover`: what a killed run left behind is put back or deleted by the next run.
- :func:`restrict`: owner-only permissions for child-level folders.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import getpass
import json
import os
import re
import shutil
import socket
import sys
import time
import uuid
from pathlib import Path

from .errors import SefError

_LEFTOVER = re.compile(r"\.(?P<target>.+)\.(?P<run>[0-9a-f]{32})\.(?P<kind>partial|old|aside)")


class RunLocked(SefError):
    """Another run holds the run folder."""


class RunLock:
    """One run per run folder: an exclusive lock on ``<out>/.<folder>.lock``, which holds a
    description of the run holding it. The system releases it when the process ends, however
    it ends; worker processes do not hold it (they close it when they start)."""

    def __init__(self, out: Path, name: str) -> None:
        self.path = out / f".{name}.lock"
        self.folder = out / name
        self.run_id = uuid.uuid4().hex
        self.fd = -1

    def __enter__(self) -> RunLock:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            _lock(fd)
        except BlockingIOError:  # held by another run (any other error is reported as it is)
            holder = os.pread(fd, 4096, 0).decode("utf-8", errors="replace")
            os.close(fd)
            raise RunLocked(f"another run is writing {self.folder}: {_describe(holder)}. Wait "
                            "for it to finish (or stop it), then run again") from None  # fmt: skip
        self.fd = fd
        about = {"run": self.run_id, "pid": os.getpid(), "host": socket.gethostname(),
                 "user": _user(), "started": time.strftime("%Y-%m-%d %H:%M:%S %z"),
                 "command": " ".join(sys.argv)}  # fmt: skip
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(about).encode(), 0)
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(OSError):
            os.ftruncate(self.fd, 0)
        os.close(self.fd)  # releases the lock
        self.fd = -1


def _lock(fd: int) -> None:
    """An exclusive lock on the open file ``fd`` now, or OSError (``flock``: POSIX, released
    by the system when the process ends)."""
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return str(os.getuid())


def _describe(holder: str) -> str:
    try:
        about = json.loads(holder)
        return (f"run {about['run'][:8]} (process {about['pid']} on {about['host']}, user "
                f"{about['user']}, started {about['started']}: {about['command']})")  # fmt: skip
    except (ValueError, KeyError, TypeError):
        return "a run that is just starting"


# ------------------------------------------------------------------------ publishing a folder
def _exchange(a: Path, b: Path) -> bool:
    """Swap two names in one atomic step (Linux ``renameat2(RENAME_EXCHANGE)``, macOS
    ``renamex_np(RENAME_SWAP)``). False where the system or file system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return False
    old, new = os.fsencode(a), os.fsencode(b)
    if sys.platform == "linux" and hasattr(libc, "renameat2"):
        result = libc.renameat2(-100, old, -100, new, 2)  # AT_FDCWD, RENAME_EXCHANGE
    elif sys.platform == "darwin" and hasattr(libc, "renamex_np"):
        result = libc.renamex_np(old, new, 2)  # RENAME_SWAP
    else:
        return False
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in {errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP}:
        return False
    raise OSError(code, os.strerror(code), str(b))


def publish(build: Path, final: Path, run_id: str) -> None:
    """Put the finished folder ``build`` in place of ``final`` so that ``final`` is always either
    the old complete folder or the new one.

    The names are exchanged in one atomic step. The folder replaced is kept whole under a
    hidden name (``.<name>.<run id>.old``) until the next run of that folder deletes it
    (:func:`recover`): a reader or a copy that started on the old folder just before the swap
    still finds all of it. Where names cannot be exchanged atomically the old folder steps aside
    first (``.aside``): for an instant ``final`` is absent, never half, and a run killed in that
    instant is put back by the next run."""
    if not os.path.lexists(final):
        os.rename(build, final)
        return
    old = final.with_name(f".{final.name}.{run_id}.old")
    if _exchange(build, final):
        os.rename(build, old)  # ``build`` now names the old folder
    else:
        aside = final.with_name(f".{final.name}.{run_id}.aside")
        os.rename(final, aside)
        os.rename(build, final)
        os.rename(aside, old)


def retire(folder: Path, run_id: str) -> None:
    """Take ``folder`` away in one step (renamed to a hidden ``.old``, deleted by the next
    run), never showing it half-deleted."""
    if os.path.lexists(folder):
        os.rename(folder, folder.with_name(f".{folder.name}.{run_id}.old"))


def _delete(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def recover(out: Path, name: str) -> None:
    """Tidy, under the run's lock, what earlier runs of ``name`` left: a folder that stepped
    aside and was not replaced (a run killed between two renames) is put back; folders replaced
    by a later run (``.old``) and half-built ones (``.partial``, a run killed before its swap)
    are deleted."""
    leftovers = sorted(p for p in out.glob(f".{name}*") if _LEFTOVER.fullmatch(p.name))
    for path in leftovers:
        match = _LEFTOVER.fullmatch(path.name)
        assert match is not None
        target = out / match["target"]
        if target.name not in {name, f"{name}.failed"}:
            continue  # another run folder's (e.g. "<period>-internal")
        if match["kind"] == "aside" and not os.path.lexists(target):
            os.rename(path, target)
        else:
            _delete(path)
    _delete(out / f".{name}.partial")  # the fixed name used by earlier versions


def restrict(folder: Path) -> None:
    """Owner-only permissions on ``folder`` and everything in it: folders 0700, files 0600."""
    for root, dirs, files in os.walk(folder):
        os.chmod(root, 0o700)
        for name in dirs:
            os.chmod(Path(root) / name, 0o700)
        for name in files:
            os.chmod(Path(root) / name, 0o600)
