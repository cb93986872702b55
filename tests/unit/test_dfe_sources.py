"""An authority's ``published/`` and ``cin_census/`` folders reaching the dataset: comparators in
``tables["benchmarks"]``, neighbours from DfE's model by the authority's code, population, and
the demonstration authority's synthetic DfE files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sefanalysis import compute_indicators
from sefanalysis.benchmarking import benchmark
from sefanalysis.dataset import load_dataset
from sefanalysis.indicators.census import CENSUS_MEASURES, CENSUS_NOTE, reconcile
from sefanalysis.indicators.registry import REGISTRY

from ..conftest import EXTERNAL, write_dataset

needs_shared = pytest.mark.skipif(not EXTERNAL.exists(), reason="../shared sample files absent")
BUCKS_SNS = {"936", "869", "868", "919", "931", "850", "867", "873", "823", "358"}


@needs_shared
def test_real_published_folder_for_buckinghamshire(tmp_path: Path):
    root = write_dataset(tmp_path / "bucks")
    settings = yaml.safe_load((root / "authority.yaml").read_text())
    settings.update(la_code="E06000060", la_name="Buckinghamshire", region="South East")
    (root / "authority.yaml").write_text(yaml.safe_dump(settings))
    (root / "population.csv").unlink()  # DfE's 0-17 series stands in
    published = root / "published"
    published.mkdir()
    for name in ("dfe_children_in_need/cin_2024/c1_children_in_need_referrals_and_rereferrals_"
                 "2013_to_2024.csv", "dfe_statistical_neighbours/sn_model_2025_wide.csv",
                 "dfe_statistical_neighbours/sn_april_2021.xlsx",
                 "ons_population/ons_mid-year_population_estimates_2012_to_2024.csv",
                 "dfe_children_in_need/README.md"):  # fmt: skip
        shutil.copy(EXTERNAL / name, published / Path(name).name)
    pd.DataFrame({"indicator_id": ["re_referral_pct"], "time_period": ["2024-03-31"],
                  "area_code": ["E92000001"], "area_name": ["England"],
                  "area_type": ["england"], "value": [99.0]}).to_csv(
        root / "benchmarks.csv", index=False)  # fmt: skip
    ds = load_dataset(root)
    assert not ds.fatal, ds.problems  # population.csv's absence is covered
    bench = ds.table("benchmarks")
    rr = bench.loc[(bench["indicator_id"] == "re_referral_pct")
                   & (bench["time_period"] == pd.Timestamp("2024-03-31"))]  # fmt: skip
    eng = rr.loc[rr["area_type"] == "england"]
    assert eng["value"].tolist() == [99.0] and eng["edition"].tolist() == ["benchmarks.csv"]
    own = rr.loc[rr["area_code"] == "E06000060"]
    assert own["value"].tolist() == [23.3] and "C1" in own["edition"].iloc[0]
    assert rr.loc[rr["area_type"] == "region", "area_code"].nunique() >= 9
    sns = ds.table("statistical_neighbours")
    assert set(sns["old_la_code"]) == BUCKS_SNS and list(sns["rank"]) == list(range(1, 11))
    assert sns["model"].iloc[0] == "2025 model" and sns["area_code"].iloc[0] == "E10000025"
    assert sns["area_name"].iloc[0] == "Oxfordshire"
    population = ds.population.set_index("year")["population"]
    assert population[2024] > 100_000
    inventory = ds.log.inventory_frame()
    assert (inventory["status"] == "not used").sum() >= 1  # the README
    frame = compute_indicators(ds, "2024-03-31", ids=["re_referral_pct"])
    row = benchmark(frame, ds).iloc[0]
    neighbour_values = rr.loc[rr["area_code"].isin(set(sns["area_code"])), "value"]
    assert row["england"] == 99.0 and len(neighbour_values) == 10
    assert row["sn_mean"] == pytest.approx(neighbour_values.mean())


def test_demo_ships_synthetic_dfe_files_and_census(demo, demo_dir):
    readme = (demo_dir / "published" / "README.md").read_text()
    assert "synthetic" in readme.lower()
    assert all(p.name.startswith("synthetic_") for p in (demo_dir / "published").iterdir()
               if p.suffix in {".csv", ".parquet"})  # fmt: skip
    bench = demo.table("benchmarks")
    edition = bench["edition"].astype(str)
    # benchmarks.csv: the demo's synthetic comparators for measures published/ does not carry
    assert (edition.str.contains("synthetic") | edition.eq("benchmarks.csv")).all()
    assert set(bench.loc[bench["area_type"] == "england", "area_name"]) == {
        "England (synthetic values)"}  # fmt: skip
    assert len(demo.table("statistical_neighbours")) == 10
    assert not demo.problems["severity"].eq("fatal").any()
    assert demo.problems.empty, demo.problems.head()
    assert {"cin_census/cin", "cin_census/children"} <= set(demo.tables)


def test_demo_comparators_for_every_indicator_dfe_publishes(demo):
    # comparisons are like for like: the year to 31 March 2024 (workforce: 30 September 2023)
    frame = compute_indicators(demo, ["2023-09-30", "2024-03-31"])
    b = benchmark(frame, demo).dropna(subset=["england"])
    latest = b.sort_values("period_end").drop_duplicates("indicator_id", keep="last")
    latest = latest.set_index("indicator_id")
    compared = set(latest.index)
    published = set(demo.table("benchmarks")["indicator_id"])
    assert compared == published and len(compared) == 44
    # counts are not comparators (England's total is not like for like with one authority's)
    assert not {REGISTRY[i].unit for i in compared} & {"count", "fte"}
    assert latest.loc[list(compared), "region"].notna().sum() == 43  # LAIT's D7 has no regions
    assert latest.loc[list(compared), "sn_mean"].notna().all()
    care_leavers = {i for i in compared if REGISTRY[i].area == "care_leavers"}
    by_age = {f"{m}_{age}_pct" for age in ("17_18", "19_21")
              for m in ("cl_in_touch", "cl_suitable_accommodation", "cl_eet")}  # fmt: skip
    assert care_leavers == {"cl_in_touch_pct", "cl_suitable_accommodation_pct", "cl_eet_pct",
                            "cl_neet_pct"} | by_age  # fmt: skip


def test_demo_census_is_the_official_source_at_31_march(demo):
    frame = compute_indicators(demo, ["2024-03-31", "2024-06-30"], ids=list(CENSUS_MEASURES))
    at = frame.set_index(["indicator_id", "period_end"])["note"]
    assert (at.xs(pd.Timestamp("2024-03-31"), level=1) == CENSUS_NOTE).all()
    assert at.xs(pd.Timestamp("2024-06-30"), level=1).str.startswith("Source: Annex A").all()
    # the synthetic DfE files publish the authority's census figures, as DfE would
    table = reconcile(demo).set_index(["indicator_id", "period_end"])
    shown = table.dropna(subset=["published_value"])
    assert len(shown) >= 20
    assert (shown["published_value"] - shown["census_value"]).abs().max() < 0.05  # 1 dp


def test_authority_missing_from_the_published_files_is_reported(tmp_path: Path):
    root = write_dataset(tmp_path / "la")
    (root / "published").mkdir()
    (root / "published" / "c1.csv").write_text(
        "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
        "region_name,old_la_code,new_la_code,la_name,referrals,re_referrals,re_referrals_percent\n"
        "2024,Reporting year,National,E92000001,England,,,,,,1000,200,20\n"
    )
    ds = load_dataset(root)
    problem = ds.problems.set_index("kind").loc["authority not in the published files"]
    assert problem["value"] == "E99999999"
    assert ds.table("statistical_neighbours") is None  # none found: not guessed
    bench = ds.table("benchmarks")
    assert bench["value"].tolist() == [20.0] and bench["area_type"].tolist() == ["england"]


@needs_shared
def test_lait_alone_is_enough_for_comparators_and_neighbours(tmp_path: Path):
    """LAIT gives DfE's numbers only: ONS codes come from the shipped lookup."""
    root = write_dataset(tmp_path / "bucks")
    settings = yaml.safe_load((root / "authority.yaml").read_text())
    settings.update(la_code="E06000060", la_name="Buckinghamshire", region="South East")
    (root / "authority.yaml").write_text(yaml.safe_dump(settings))
    (root / "published").mkdir()
    lait = pd.read_parquet(EXTERNAL / "dfe_lait" / "bds_long_0.parquet")
    lait.loc[lait["Short Desc"] == "ReReferral"].to_parquet(root / "published" / "lait.parquet")
    shutil.copy(EXTERNAL / "dfe_statistical_neighbours" / "sn_april_2021.xlsx",
                root / "published")  # fmt: skip
    ds = load_dataset(root)
    sns = ds.table("statistical_neighbours")
    assert set(sns["old_la_code"]) == BUCKS_SNS and sns["area_code"].str.startswith("E").all()
    frame = compute_indicators(ds, "2024-03-31", ids=["re_referral_pct"])
    row = benchmark(frame, ds).iloc[0]
    bench = ds.table("benchmarks")
    neighbours = bench.loc[(bench["indicator_id"] == "re_referral_pct")
                           & (bench["time_period"] == pd.Timestamp("2024-03-31"))
                           & bench["area_code"].isin(set(sns["area_code"])), "value"]  # fmt: skip
    assert row["england"] == 22.4 and len(neighbours) == 10
    assert row["sn_mean"] == pytest.approx(neighbours.mean())
