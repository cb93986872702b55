"""Shared fixtures: the demonstration authority and a builder for small hand-made datasets."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from sefanalysis.dataset import Dataset, load_dataset
from sefanalysis.demo import generate_demo
from sefanalysis.ingest.annex_a_spec import LISTS_BY_KEY

EXTERNAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "external"


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_demo(tmp_path_factory.mktemp("demo") / "demo", seed=2024)


@pytest.fixture(scope="session")
def demo(demo_dir: Path) -> Dataset:
    return load_dataset(demo_dir)


def write_dataset(
    root: Path,
    lists: dict[str, list[dict]] | None = None,
    extract: str = "2024-12-31",
    population: int = 10_000,
    tables: dict[str, pd.DataFrame] | None = None,
    annex_a_start: str | None = "2020-01-01",
) -> Path:
    """A small authority: Annex A lists as CSVs (canonical keys -> template headings)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "authority.yaml").write_text(
        yaml.safe_dump(
            {
                "la_code": "E99999999",
                "la_name": "Testshire",
                "region": "Test region",
                "extract_date": extract,
                **({"annex_a_start": annex_a_start} if annex_a_start else {}),
            }
        )
    )
    folder = root / "annex_a"
    folder.mkdir(exist_ok=True)
    for key, rows in (lists or {}).items():
        spec = LISTS_BY_KEY[key]
        frame = pd.DataFrame(rows)
        for col in spec.columns:
            if col.key not in frame:
                frame[col.key] = None
        frame = frame[[c.key for c in spec.columns]]
        frame.columns = [c.heading for c in spec.columns]
        frame.to_csv(folder / f"list_{spec.number}.csv", index=False)
    pd.DataFrame({"year": range(2015, 2031), "population": population}).to_csv(
        root / "population.csv", index=False
    )
    for name, frame in (tables or {}).items():
        frame.to_csv(root / f"{name}.csv", index=False)
    return root


@pytest.fixture
def make_dataset(tmp_path: Path):
    counter = {"n": 0}

    def build(lists: dict[str, list[dict]] | None = None, **kw: object) -> Dataset:
        counter["n"] += 1
        return load_dataset(write_dataset(tmp_path / f"la{counter['n']}", lists, **kw))

    return build
