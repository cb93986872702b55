"""The demonstration run shared by the end-to-end tests (run once per session)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sefanalysis.cli import main

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


@pytest.fixture(scope="session")
def run_folder(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("outputs")
    status = main(["run", "--period-end", "2024-12-31", "--data", str(demo_dir), "--out",
                   str(out), "--notebooks", str(NOTEBOOKS)])  # fmt: skip
    assert status == 0
    return out / "2024-12-31"
