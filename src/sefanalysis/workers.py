"""The processes of a run: notebook workers and their kernels, which end with the run.

A run executes each notebook in a worker process (a pool of ``jobs``), and each worker starts a
kernel for its notebook. Whatever ends the run, they end with it:

- a signal to the run (SIGTERM, SIGHUP; Ctrl-C) raises :class:`RunStopped` (or
  KeyboardInterrupt) in it, and the run stops its workers (:func:`end_workers`) before it
  publishes its ``.failed`` folder;
- a stopped worker kills its kernel (a kernel leads its own process group) and exits;
- a worker whose run's process is gone (killed with SIGKILL, say) notices within half a second
  and does the same; a kernel whose worker is gone ends itself (ipykernel's parent poller).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from traitlets import default

STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
WORKER_GRACE = 10  # seconds a stopped worker has to end before it is killed


class RunStopped(BaseException):
    """A signal asked the run to stop (a BaseException, like KeyboardInterrupt, so that no
    library's ``except Exception`` swallows it)."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.folder: Path | None = None  # where the stopped run's .failed folder went
        super().__init__(f"stopped by {signal.Signals(signum).name}")


_KERNELS: set[subprocess.Popen] = set()  # this process's kernels, to stop with it


class LocalSocketKernelManager(AsyncKernelManager):
    """Kernels that talk over local sockets (IPC) rather than TCP ports: ports chosen by
    kernels starting at the same moment in parallel runs can collide ("Kernel died before
    replying to kernel_info"), and a local socket is private to this machine's user. Each
    kernel is remembered so that a stopped run can stop it."""

    @default("transport")
    def _default_transport(self) -> str:
        return "ipc"

    @default("ip")
    def _default_ip(self) -> str:  # the sockets' path prefix: absolute and one per kernel
        return str(Path(tempfile.gettempdir()) / f"sefanalysis-kernel-{uuid.uuid4().hex}")

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        await super()._async_launch_kernel(kernel_cmd, **kw)
        process = getattr(self.provisioner, "process", None)
        if process is not None:
            _KERNELS.add(process)


def _kill_kernels() -> None:
    """Kill this process's kernels that are still running, with their own processes (each
    kernel leads its own process group)."""
    for process in list(_KERNELS):
        if process.poll() is None:  # not reaped: its pid is still this kernel's
            with contextlib.suppress(OSError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                process.kill()
        else:
            _KERNELS.discard(process)


def worker_start(parent: int, close: tuple[int, ...] = (), on_stop: str = "exit") -> None:
    """Set up a worker process of a run: it does not hold the run's lock (``close``), ignores
    Ctrl-C (the run handles it and stops its workers), and ends with the run.

    ``on_stop="exit"`` (notebook workers): on SIGTERM, or as soon as the run's process is gone,
    the worker kills its kernel and exits. ``on_stop="raise"`` (a worker running a whole
    authority's run): SIGTERM raises :class:`RunStopped` in it, so that its run stops its own
    workers and publishes its ``.failed`` folder; the run's end sends it SIGTERM."""
    for fd in close:
        with contextlib.suppress(OSError):
            os.close(fd)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if on_stop == "exit":
        for signum in STOP_SIGNALS:
            signal.signal(signum, _exit_worker)
    else:
        for signum in STOP_SIGNALS:
            signal.signal(signum, _raise_stop)
    threading.Thread(target=_watch_parent, args=(parent, on_stop), daemon=True).start()


def _exit_worker(signum: int, frame: object) -> None:
    _kill_kernels()
    os._exit(128 + signum)


def _raise_stop(signum: int, frame: object) -> None:
    for stop in STOP_SIGNALS:  # once: the run's clean-up is not interrupted again
        signal.signal(stop, signal.SIG_IGN)
    raise RunStopped(signum)


def _watch_parent(parent: int, on_stop: str) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    if on_stop == "exit":
        _kill_kernels()
        os._exit(1)
    os.kill(os.getpid(), signal.SIGTERM)


def end_workers(pool: ProcessPoolExecutor) -> None:
    """Stop a pool's workers now: SIGTERM, then SIGKILL for any still running after
    ``WORKER_GRACE`` seconds. Pending tasks are cancelled."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    processes = processes or multiprocessing.active_children()
    for process in processes:
        with contextlib.suppress(OSError, ValueError):
            process.terminate()
    deadline = time.monotonic() + WORKER_GRACE
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AssertionError):
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join(1)
    pool.shutdown(wait=False, cancel_futures=True)


def worker_pool(
    jobs: int, close: tuple[int, ...] = (), on_stop: str = "exit"
) -> ProcessPoolExecutor:
    """A pool of ``jobs`` worker processes that end with this run (see :func:`worker_start`).
    Workers are forked where that is safe (Linux): they start at once with everything imported."""
    context = multiprocessing.get_context("fork") if sys.platform == "linux" else None
    return ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=worker_start,
                               initargs=(os.getpid(), close, on_stop))  # fmt: skip


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """Inside the block SIGTERM and SIGHUP raise :class:`RunStopped` (once; the clean-up that
    follows is not interrupted again), so a run stopped by a service manager, a closed terminal
    or ``kill`` stops its workers and publishes its ``.failed`` folder. Main thread only."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = {signum: signal.getsignal(signum) for signum in STOP_SIGNALS}
    for signum in STOP_SIGNALS:
        signal.signal(signum, _raise_stop)
    try:
        yield
    finally:
        for signum, handler in before.items():
            signal.signal(signum, handler)
