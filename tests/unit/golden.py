"""Golden output files of the readers' speed work (issue 19): each module captures a reader's
output on its cases from the code before a change (``--write``) and checks the code after it
gives the same, problem for problem and frame for frame."""

from __future__ import annotations

import argparse
import gzip
import json
import tempfile
from collections.abc import Callable
from pathlib import Path


def normalise(digest: dict) -> dict:
    """A digest as it reads back from its JSON file."""
    return json.loads(json.dumps(digest, default=str))


def read_golden(path: Path) -> dict:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return json.load(fh)


def assert_log_same(case: str, before: dict, now: dict) -> None:
    """The problems, inventory and per-file rows equal, or a failure naming the first that
    differ."""
    for part in ("problems", "inventory", "files"):
        gone = [r for r in before[part] if r not in now[part]]
        new = [r for r in now[part] if r not in before[part]]
        assert before[part] == now[part], f"{case}: {part} differ; before only: {gone[:5]}; " \
            f"now only: {new[:5]}"  # fmt: skip


def assert_frames_same(case: str, before: dict, now: dict) -> None:
    """Every frame equal, or a failure naming the first that differs."""
    for name, frame in before["frames"].items():
        assert now["frames"].get(name) == frame, f"{case}: frame {name} differs: " \
            f"before {frame}, now {now['frames'].get(name)}"  # fmt: skip
    assert set(now["frames"]) == set(before["frames"]), case


def capture(cases: dict[str, Callable[[Path], dict]], tmp: Path) -> dict:
    """Each case's digest, each run in a folder of its own under ``tmp``."""
    golden = {}
    for i, (case, run) in enumerate(cases.items()):
        folder = tmp / f"case{i}"
        folder.mkdir()
        golden[case] = normalise(run(folder))
    return golden


def write_golden_main(path: Path, what: str, build: Callable[[Path], dict]) -> None:
    """The ``--write`` entry point: ``build(tmp)`` gives every case's digest, written to
    ``path``."""
    parser = argparse.ArgumentParser(description=f"Capture the {what}'s golden output")
    parser.add_argument("--write", action="store_true", required=True)
    parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        golden = build(Path(tmp))
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as fh:
        json.dump(golden, fh, sort_keys=True, separators=(",", ":"))
    print(f"{len(golden)} cases written to {path}")
