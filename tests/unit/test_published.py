"""DfE's published files read straight from the real copies in shared/ (values checked by hand
against the file lines quoted in each test), and on small hand-made files for later editions,
markers and broken input."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from sefanalysis import read_published
from sefanalysis.ingest.neighbours import neighbours_of
from sefanalysis.ingest.population import in_ages
from sefanalysis.ingest.problems import ProblemLog
from sefanalysis.ingest.published import (
    PublishedDataWarning,
    comparators,
    key_of,
    load_published,
    parse_values,
)

from ..conftest import EXTERNAL

needs_shared = pytest.mark.skipif(not EXTERNAL.exists(), reason="../shared sample files absent")
FOLDERS = ["dfe_children_in_need", "dfe_children_looked_after", "dfe_csc_workforce", "dfe_lait",
           "dfe_statistical_neighbours", "ons_population"]  # fmt: skip
BUCKS_SNS = {"936", "869", "868", "919", "931", "850", "867", "873", "823", "358"}


@pytest.fixture(scope="module")
def real() -> tuple:
    """Every file in the shared DfE and ONS folders, read once (about 10 seconds)."""
    log = ProblemLog()
    return load_published([EXTERNAL / f for f in FOLDERS], log), log


def one(values: pd.DataFrame, indicator: str, year: int, code: str = "", table: str = "",
        breakdown: str = "") -> pd.Series:  # fmt: skip
    """The single row of an indicator for an authority (old code) or England (no code)."""
    rows = values.loc[(values["indicator_id"] == indicator) & (values["year"] == year)
                      & (values["breakdown"] == breakdown)]  # fmt: skip
    rows = rows.loc[rows["old_la_code"] == code] if code else rows.loc[
        rows["area_type"] == "england"]  # fmt: skip
    if table:
        rows = rows.loc[rows["table"] == table]
    assert len(rows) >= 1, (indicator, year, code, table)
    return rows.sort_values("edition", ascending=False).iloc[0]


# ----------------------------------------------------------------------------- every file
@needs_shared
def test_every_csv_and_parquet_file_is_read_and_nothing_skipped_silently(real):
    published, log = real
    data = [p for f in FOLDERS for p in (EXTERNAL / f).rglob("*")
            if p.suffix in {".csv", ".parquet"}]  # fmt: skip
    inventory = log.inventory_frame()
    read = set(inventory.loc[inventory["status"] == "read", "file"])
    assert len(data) == 42
    assert {str(p) for p in data} <= read
    # every other file is accounted for too (licences and READMEs as not used, with why)
    others = {str(p) for f in FOLDERS for p in (EXTERNAL / f).rglob("*") if p.is_file()}
    assert others <= set(inventory["file"])  # licences and READMEs as not used, with why
    workbooks = inventory.loc[inventory["file"].str.endswith(".xlsx")]
    assert set(workbooks["status"]) == {"read"} and len(workbooks) == 3
    assert workbooks["taken_as"].str.contains("sheet 'MYE2 - Persons'").any()
    # the only problem in 42 real files: LAIT rows whose period is "0" (170 rows, one measure)
    problems = log.frame()
    assert list(problems["kind"]) == ["invalid value"]
    assert problems.iloc[0]["column"] == "Years" and problems.iloc[0]["value"] == "0"
    assert "170 row(s)" in problems.iloc[0]["expected"]
    # England, regions and authorities all present
    values = published.values
    assert set(values["area_type"]) == {"england", "region", "la"}
    assert values.loc[values["area_type"] == "region", "area_code"].nunique() >= 9


@needs_shared
def test_columns_of_each_edition_read_by_meaning(real):
    """C1 2023 has Category, 2024 category; CLA missing: cla_group (2022) / CLA_group (2023);
    placement stability labels "at 31 March" (2023) / "on 31 March" (2024); workforce 2022
    headline file (turnover_rate_fte_%, social_worker_fte) / later indicator files."""
    values = real[0].values
    editions = lambda ind: set(values.loc[values["indicator_id"] == ind, "edition"]  # noqa: E731
                               .astype(str))  # fmt: skip
    assert {"Children in need, 2023 release, C1: referrals and re-referrals",
            "Children in need, 2024 release, C1: referrals and re-referrals"} <= editions(
        "re_referral_pct")  # fmt: skip
    missing = {e for e in editions("cla_missing_pct") if "missing" in e}
    assert len(missing) == 2  # 2022 and 2023 releases
    stable = {e for e in editions("cla_long_term_stability_pct") if "stability" in e.lower()}
    assert len(stable) == 2  # 2023 and 2024 releases
    assert len({e for e in editions("sw_turnover_rate_pct") if "workforce" in e}) == 4
    # the 2022 headline file (turnover_rate_fte_% 17.1, social_worker_fte 31634.1) and the 2023
    # indicators file (turnover_rate_fte 17.1, inpost_fte 31634.1) give the same England 2022
    wf = values.loc[
        (values["indicator_id"].isin(["sw_turnover_rate_pct", "sw_fte_in_post"]))
        & (values["area_type"] == "england")
        & (values["year"] == 2022)
        & values["edition"].astype(str).str.contains("2022 release|2023 release")
    ]
    assert sorted(wf["value"].round(1)) == [17.1, 17.1, 31634.1, 31634.1]


# ----------------------------------------------------------------------------- values by hand
@needs_shared
def test_children_in_need_values_for_buckinghamshire_and_england(real):
    values = real[0].values
    # c1 2024: "...,825,E06000060,Buckinghamshire,Referrals and Re-referrals,6620,518.7,1541,
    #           23.3,112,1.7,..."
    row = one(values, "re_referral_pct", 2024, "825", "cin_c1")
    assert (row["value"], row["numerator"], row["denominator"]) == (23.3, 1541, 6620)
    assert row["area_code"] == "E06000060" and row["area_name"] == "Buckinghamshire"
    assert row["region_code"] == "E12000008" and row["marker"] == ""
    # England: "...,National,...,621880,518.3,139080,22.4,38920,6.3,..."
    row = one(values, "referral_rate_per_10k", 2024, table="cin_c1")
    assert (row["value"], row["numerator"]) == (518.3, 621880)
    # C2 (only in parts): within 45 days = Same_day..41-45 ÷ all bands
    # "...,Buckinghamshire,Duration of assessment,8590,673.1,84,1676,948,1336,1870,709,445,611,911"
    row = one(values, "assessments_within_45wd_pct", 2024, "825", "cin_c2")
    assert (row["numerator"], row["denominator"]) == (6623, 8590)
    assert row["value"] == pytest.approx(100 * 6623 / 8590)  # 77.1, LAIT Continue_Assess_Comp
    lait = one(values, "assessments_within_45wd_pct", 2024, "825", "lait")
    assert lait["value"] == pytest.approx(77.1) == round(row["value"], 1)
    # England: 9880+73420+110950+102600+129690+116670 = 543210 of 643160 in the bands
    row = one(values, "assessments_within_45wd_pct", 2024, table="cin_c2")
    assert (row["numerator"], row["denominator"]) == (543210, 643160)
    # C4: ICPCs within 15 working days = 0-10 + 11-15 of all four bands
    # "...,Buckinghamshire,...,2717,212.9,2361,185,648,50.8,634,49.7,14,436,61,137,13,14,19"
    row = one(values, "icpc_within_15wd_pct", 2024, "825", "cin_c4")
    assert (row["numerator"], row["denominator"]) == (450, 648)
    assert round(row["value"], 1) == 69.4 == one(values, "icpc_within_15wd_pct", 2024, "825",
                                                  "lait")["value"]  # fmt: skip
    row = one(values, "s47_to_icpc_pct", 2024, "825", "cin_c4")
    assert row["value"] == pytest.approx(100 * 648 / 2717)
    # D3: "...,Buckinghamshire,...,542,154,28.4"; England "...,62110,15330,24.7"
    row = one(values, "cpp_second_or_subsequent_pct", 2024, "825", "cin_d3")
    assert (row["value"], row["numerator"], row["denominator"]) == (28.4, 154, 542)
    assert one(values, "cpp_second_or_subsequent_pct", 2024, table="cin_d3")["value"] == 24.7
    # B1: At31_episodes 3469, rate 271.8
    row = one(values, "cin_rate_per_10k", 2024, "825", "cin_b1")
    assert (row["value"], row["numerator"]) == (271.8, 3469)
    assert row["denominator"] == round(3469 * 10_000 / 271.8) == 127_631  # implied population


@needs_shared
def test_children_looked_after_and_care_leaver_values(real):
    values = real[0].values
    # cla_2024 rates: "...,942,Cumberland,E06000063,Children looked after at 31 March each
    # year,51775,482,93"
    row = one(values, "cla_rate_per_10k", 2024, "942", "cla_rates")
    assert (row["value"], row["numerator"], row["denominator"]) == (93, 482, 51775)
    # Buckinghamshire 2023 stability, revised between editions: 497 (2023) -> 496 (2024)
    both = values.loc[(values["indicator_id"] == "cla_3plus_placements_pct")
                      & (values["old_la_code"] == "825") & (values["year"] == 2023)
                      & (values["table"] == "cla_stability")]  # fmt: skip
    assert sorted(both["denominator"]) == [496, 497] and set(both["value"]) == {12}
    latest = comparators(values)
    pick = latest.loc[(latest["indicator_id"] == "cla_3plus_placements_pct")
                      & (latest["old_la_code"] == "825") & (latest["year"] == 2023)]  # fmt: skip
    assert len(pick) == 1 and pick["denominator"].iloc[0] == 496  # the later release wins
    # long-term stability: label shortened in 2024, both read: 97 of 158 = 61%
    row = one(values, "cla_long_term_stability_pct", 2023, "825", "cla_stability")
    assert (row["value"], row["numerator"], row["denominator"]) == (61, 97, 158)
    # care leavers 17-21 = the two age groups added; the groups kept as breakdowns
    for ind in ("cl_eet_pct", "cl_suitable_accommodation_pct"):
        total = one(values, ind, 2024, "825")
        parts = [
            one(values, ind, 2024, "825", total["table"], b)
            for b in ("Aged 17 to 18", "Aged 19 to 21")
        ]
        assert total["numerator"] == sum(p["numerator"] for p in parts)
        assert total["denominator"] == sum(p["denominator"] for p in parts)


@needs_shared
def test_workforce_england_2023_by_edition(real):
    values = real[0].values
    rows = values.loc[(values["indicator_id"] == "sw_turnover_rate_pct")
                      & (values["area_type"] == "england") & (values["year"] == 2023)
                      & (values["table"] == "csww")]  # fmt: skip
    # 2023 release: "2023,...,33119.1,35199,6027.5,6247,5254.6,5640,15.9,..."
    assert set(rows["value"]) == {15.9} and set(rows["numerator"]) == {5254.6}
    assert rows["time_period"].iloc[0] == pd.Timestamp("2023-09-30")  # position at 30 September
    agency = values.loc[(values["indicator_id"] == "sw_agency_rate_pct")
                        & (values["area_type"] == "england") & (values["year"] == 2023)
                        & (values["table"] == "csww")]  # fmt: skip
    assert sorted(agency["value"]) == [17.8, 17.9, 17.9]  # revised to 17.9 from the 2024 release
    pick = comparators(values)
    pick = pick.loc[(pick["indicator_id"] == "sw_agency_rate_pct")
                    & (pick["area_type"] == "england") & (pick["year"] == 2023)]  # fmt: skip
    assert pick["value"].tolist() == [17.9] and "2025 release" in pick["edition"].iloc[0]


# ----------------------------------------------------------------------------- geography
@needs_shared
def test_reorganised_authorities_joined_on_the_old_code(real):
    values = real[0].values
    # Buckinghamshire: E10000002 in the CIN files to 2020, E06000060 from 2021
    bucks = values.loc[(values["old_la_code"] == "825") & (values["table"] == "cin_b1")]
    assert set(bucks["area_code"]) == {"E06000060"}
    assert {2020, 2021} <= set(bucks["year"])
    # North Yorkshire: E10000023 in the 2023 CLA edition, E06000065 in 2024: one current code
    ny = values.loc[values["old_la_code"] == "815"]
    assert set(ny["area_code"]) == {"E06000065"} and ny["edition"].nunique() > 5
    # Cumbria abolished: its 2024 rows are z (not applicable); Cumberland from 2024
    cumbria = one(values, "cla_count", 2024, "909", "cla_rates")
    assert pd.isna(cumbria["value"]) and cumbria["marker"] == "z"
    assert one(values, "cla_count", 2024, "942", "cla_rates")["value"] == 482
    cumberland_2020 = one(values, "cla_count", 2020, "942", "cla_rates")
    assert pd.isna(cumberland_2020["value"]) and cumberland_2020["marker"] in {"x", "z"}


# ----------------------------------------------------------------------------- markers
@needs_shared
def test_markers_kept_with_the_value_missing(real):
    values = real[0].values
    # README: cin_2024 C1 has c x280, u x28, x x120 in its value columns
    c1 = values.loc[values["source_file"].astype(str).str.endswith(
        "c1_children_in_need_referrals_and_rereferrals_2013_to_2024.csv")
        & values["indicator_id"].isna()]  # fmt: skip
    counts = c1["marker"].astype(str).value_counts().to_dict()
    assert counts == {"": c1["marker"].eq("").sum(), "c": 280, "x": 120, "u": 28}
    assert c1.loc[c1["marker"] != "", "value"].isna().all()
    # workforce 2025 release: low x12, k in CLA files, "-" in LAIT
    wf = values.loc[values["source_file"].astype(str).str.endswith("2017_to_2025.csv")
                    & values["indicator_id"].isna()]  # fmt: skip
    assert (wf["marker"] == "low").sum() == 12
    assert (values["marker"] == "k").any() and (values["marker"] == "-").any()
    # a derived value with a suppressed part is missing with the part's marker
    gaps = values.loc[(values["indicator_id"] == "icpc_within_15wd_pct")
                      & (values["table"] == "cin_c4") & values["value"].isna()]  # fmt: skip
    assert len(gaps) and set(gaps["marker"]) <= {"c", "x", "u", "z", "k"}


def test_parse_values_numbers_markers_durations():
    raw = pd.Series(["651.3", "c", " x ", "k", "u", "low", "", "68.900000000000006",
                     "7.0000000000000007E-2", "1:4", "-", "n/a"])  # fmt: skip
    value, marker, bad = parse_values(raw)
    assert value[0] == 651.3 and value[7] == pytest.approx(68.9) and value[8] == 0.07
    assert value[9] == 16  # 1 year 4 months, in months
    assert list(marker[1:6]) == ["c", "x", "k", "u", "low"] and marker[10] == "-"
    assert value[1:7].isna().all() and list(bad) == [False] * 11 + [True]


def test_a_duration_in_other_digits_is_an_invalid_value_not_a_crash():
    """Arabic-Indic digits matched ``\\d`` and made the months conversion raise ArrowInvalid."""
    value, marker, bad = parse_values(pd.Series(["\u0663:\u0660\u0666", "3:06"]))
    assert value.isna()[0] and bool(bad[0]) and marker[0] == ""
    assert value[1] == 42 and not bad[1]


def test_markers_in_square_brackets_are_markers():
    """GSS spreadsheet tables write ``[c]``, DfE's EES files ``c``: both are the marker; other
    bracketed texts are invalid values."""
    value, marker, bad = parse_values(pd.Series(["[c]", "[X]", " [low] ", "[1]", "[]", "c"]))
    assert list(marker) == ["c", "x", "low", "", "", "c"]
    assert value.isna().all() and list(bad) == [False, False, False, True, True, False]


def test_keys_match_renamed_columns_by_meaning():
    assert key_of("Re_referrals_percent") == key_of("re_referrals_%") == "rereferralspercent"
    assert key_of("1-10_days") == "1to10days" and key_of("61+_days") == "61plusdays"
    assert key_of("\ufeffCLA_group") == key_of("cla_group") == "clagroup"


# ----------------------------------------------------------------------------- neighbours
@needs_shared
def test_statistical_neighbour_models(real):
    models = real[0].neighbours
    assert set(models["model"]) == {"2021 model", "2025 model"}
    for model, group in models.groupby("model"):
        bucks = group.loc[group["old_la_code"] == "825"]
        # both files of each model (CSV and workbook) give the same ten, in order
        by_file = bucks.groupby("source_file")["sn_old_la_code"].apply(list)
        assert len(by_file) == 2 and by_file.iloc[0] == by_file.iloc[1], model
        assert set(by_file.iloc[0]) == BUCKS_SNS
    # pre-reorganisation authorities under "Old SNs:" are kept; the note rows are not
    assert "835" in set(models["old_la_code"]) and "Dorset (Pre LG)" in set(models["la_name"])
    chosen = neighbours_of(models, "825")
    assert chosen["model"].iloc[0] == "2025 model" and list(chosen["rank"]) == list(range(1, 11))
    # sn_model_2025_wide.csv: "825,Buckinghamshire,6,South East,931,Very close,919,..."
    assert chosen["sn_old_la_code"].iloc[0] == "931" and chosen["closeness"].iloc[0] == "Very close"


# ----------------------------------------------------------------------------- population
@needs_shared
def test_ons_single_year_of_age_gives_dfe_denominator(real):
    population = real[0].population
    assert set(population["year"]) == {2023} and population["age"].max() == 90
    cumberland = in_ages(population, "E06000063")
    # = DfE's population_estimate for Cumberland's CLA rate, year to 31 March 2024
    assert cumberland["population"].tolist() == [51775]
    under5 = in_ages(population, "E06000063", range(5))["population"].iloc[0]
    assert 0 < under5 < 51775
    series = real[0].values
    dfe = series.loc[(series["table"] == "population_0_17") & (series["old_la_code"] == "942")]
    assert dict(zip(dfe["year"], dfe["value"], strict=True))[2023] == 52019  # another vintage


# ----------------------------------------------------------------------------- hand-made files
EES = ("time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
       "region_name,new_la_code,old_la_code,la_name")  # fmt: skip


def test_a_later_edition_with_renamed_and_reordered_columns_still_reads(tmp_path: Path):
    """BOM, CRLF, quoted empties, identifier columns in another order, `%` in names."""
    lines = [EES + ",Category,referrals,re_referrals,re_referrals_%,new_measure",
             '2026,Reporting year,National,E92000001,England,"","","","","",Total,1000,200,20.0,5',
             "2026,Reporting year,Local authority,E92000001,England,E12000008,South East,"
             "E06000060,825,Buckinghamshire,Total,100,c,c,1"]  # fmt: skip
    file = tmp_path / "renamed.csv"
    file.write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode())
    log = ProblemLog()
    values = load_published([file], log).values
    eng = one(values, "re_referral_pct", 2026)
    assert (eng["value"], eng["numerator"], eng["denominator"]) == (20.0, 200, 1000)
    assert eng["area_name"] == "England" and eng["region_code"] == ""
    la = one(values, "re_referral_pct", 2026, "825")
    assert pd.isna(la["value"]) and la["marker"] == "c" and la["area_code"] == "E06000060"
    # the unknown column is reported, its values kept under its own name
    problem = log.frame().iloc[0]
    assert (problem["kind"], problem["column"]) == ("unrecognised column", "new_measure")
    assert (values["measure"].astype(str).str.endswith("new_measure")).sum() == 2


def test_unrecognised_file_and_invalid_values_are_reported(tmp_path: Path):
    (tmp_path / "other.csv").write_text(EES + ",widgets\n2024,Reporting year,National,E92000001,"
                                        "England,,,,,,12\n")  # fmt: skip
    (tmp_path / "notes.txt").write_text("a note")
    (tmp_path / "c1.csv").write_text(EES + ",referrals,re_referrals,re_referrals_percent\n"
                                     "2024,Reporting year,National,E92000001,England,,,,,,"
                                     "1000,n/a,20\n")  # fmt: skip
    log = ProblemLog()
    values = load_published([tmp_path], log).values
    problems = log.frame().set_index("kind")
    assert problems.index.tolist().count("unrecognised file") == 1
    assert problems.loc["unrecognised file", "file"].endswith("other.csv")
    bad = problems.loc["invalid value"]
    assert (bad["column"], bad["value"], bad["row"]) == ("re_referrals", "n/a", 2)
    inventory = log.inventory_frame().set_index("file")
    assert inventory.loc[str(tmp_path / "other.csv"), "status"] == "not used"
    assert inventory.loc[str(tmp_path / "notes.txt"), "status"] == "not used"
    assert inventory.loc[str(tmp_path / "c1.csv"), "status"] == "read"
    assert one(values, "referrals", 2024)["value"] == 1000


def test_read_published_without_a_log_warns(tmp_path: Path):
    (tmp_path / "x.csv").write_text("a,b\n1,2\n")
    with pytest.warns(PublishedDataWarning, match="unrecognised file"):
        frame = read_published(tmp_path)
    assert frame.empty
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_published([], ProblemLog())


def test_a_table_whose_years_are_unreadable_is_reported(tmp_path: Path):
    (tmp_path / "a.csv").write_text("time_period,geographic_level,referrals,re_referrals\n"
                                    "Q3,National,1,2\n")  # fmt: skip
    log = ProblemLog()
    assert load_published([tmp_path], log).values.empty
    problem = log.frame().iloc[0]
    assert (problem["kind"], problem["column"], problem["value"]) == (
        "invalid value",
        "time_period",
        "Q3",
    )
