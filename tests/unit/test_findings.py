"""Findings: the tests of change, SPC done right, the words, and every record of the
demonstration authority agreeing with its own numbers (issue 15)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps
from statsmodels.stats.proportion import confint_proportions_2indep

from sefanalysis import compute_indicators
from sefanalysis.disclosure import Plan
from sefanalysis.findings import COLUMNS, build_findings, gather, spc_facts
from sefanalysis.indicators.registry import REGISTRY
from sefanalysis.publication import decide
from sefanalysis.stats import change
from sefanalysis.stats.spc import xmr
from sefanalysis.wording import _fmt_apart, plural_head, singular, text_variation, value_phrase

from ..sentence_rules import problems

END = pd.Timestamp("2024-12-31")


# ------------------------------------------------------------------ tests of change
@pytest.mark.parametrize(
    ("n1", "d1", "n2", "d2"),
    [(48, 80, 56, 70), (6, 304, 11, 305), (0, 20, 5, 25), (81, 263, 15, 148)],
)
def test_proportions_match_newcombes_interval(n1, d1, n2, d2):
    got = change.proportions(n1, d1, n2, d2)
    lo, hi = confint_proportions_2indep(n2, d2, n1, d1, method="newcomb")
    assert got.low == pytest.approx(100 * lo, abs=1e-6)
    assert got.high == pytest.approx(100 * hi, abs=1e-6)
    assert got.significant == (not got.low <= 0 <= got.high)


def test_issue_example_is_not_a_real_change():
    # "change on a year says 'up, worse' for 6 of 304 to 11 of 305 with no test"
    got = change.proportions(6, 304, 11, 305)
    assert not got.significant
    assert change.trend_words(got, "lower_better") == "no significant change"
    big = change.proportions(600, 3040, 1100, 3050)
    assert big.significant and change.trend_words(big, "lower_better") == (
        "increasing, getting worse"
    )
    assert change.trend_words(big, "neutral") == "increasing"


def test_poisson_ratio_is_the_exact_conditional_interval():
    got = change.poisson_ratio(40, 75_000, 62, 76_000, per=10_000)
    # the later period's share of 102 events is binomial: Clopper-Pearson limits
    ci = sps.binomtest(62, 102).proportion_ci(method="exact")
    scale = 75_000 / 76_000
    assert got.low == pytest.approx(ci.low / (1 - ci.low) * scale)
    assert got.high == pytest.approx(ci.high / (1 - ci.high) * scale)
    assert got.interval_of == "ratio" and got.significant == (not got.low <= 1 <= got.high)
    assert got.difference == pytest.approx(10_000 * (62 / 76_000 - 40 / 75_000))
    assert not change.poisson_ratio(0, 1, 0, 1).tested  # no events in either period


def test_welch_interval_agrees_with_welchs_test():
    rng = np.random.default_rng(3)
    for shift in (0.0, 0.3, 1.0):
        a, b = rng.normal(10, 2, 40), rng.normal(10 + shift, 3, 55)
        got = change.means(a.mean(), a.std(ddof=1), len(a), b.mean(), b.std(ddof=1), len(b))
        p = sps.ttest_ind(b, a, equal_var=False).pvalue
        assert got.significant == (p < 0.05)


def test_median_standard_error_by_hand():
    # Price and Bonett (2002): n = 9, c = round(5 - 3) = 2, P(B <= 1) = 10/512, z for
    # 1 - 2p coverage; se = (y(8) - y(2)) / (2z) on the sorted values
    y = [3, 1, 4, 1, 5, 9, 2, 6, 5]
    p = 10 / 512
    z = sps.norm.ppf(1 - p)
    assert change.median_se(y) == pytest.approx((6 - 1) / (2 * z))
    lo, hi = change.median_interval(list(range(1, 21)))
    assert (lo, hi) == (6.0, 15.0)  # ranks 6 and 15 of 20 cover 95.9%
    got = change.medians(list(range(20, 40)), list(range(5, 25)))
    assert got.significant and got.difference == -15


def test_workforce_figures_are_not_tested():
    got = change.untested(-1.2, "whole-workforce counts")
    assert not got.tested and change.trend_words(got, "lower_better") == "not tested"


# ------------------------------------------------------------------ SPC done right
def test_limits_are_clipped_to_what_the_measure_can_take():
    r = xmr([0, 0, 12, 0, 0, 10, 0, 0, 0, 14, 0, 0], bounds=(0.0, 100.0))
    assert r.lpl == 0 and (r.frame[["lpl", "near_lo", "mean"]] >= 0).all().all()
    high = xmr([99, 100, 98, 100, 97, 100, 100, 96, 100, 99, 100, 98], bounds=(0.0, 100.0))
    assert high.upl == 100 and (high.frame[["upl", "near_hi"]] <= 100).all().all()


def test_each_special_point_names_its_rule_and_side():
    r = xmr([10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 30], improvement="increase")
    last = r.frame.iloc[-1]
    assert (last["rule"], last["side"], r.rule) == ("beyond", "higher", "beyond")
    run = xmr([4, 9, 3, 8, 5, 8.2, 8.4, 8.1, 8.3, 8.2, 8.4, 8.1], screen_outliers=False)
    assert run.frame["rule"].iloc[-1] == "run" and run.frame["side"].iloc[-1] == "higher"
    assert (run.frame["rule"].iloc[:5] == "").all()


# ------------------------------------------------------------------ words
@pytest.mark.parametrize(
    ("title", "unit", "value", "want"),
    [
        ("Contacts received", "count", 11741, "There were 11,741 contacts received"),
        ("Care leavers", "count", 264, "There were 264 care leavers"),
        ("Complaints received", "count", 1, "There was 1 complaint received"),
        ("Section 47 enquiries started", "count", 1, "There was 1 Section 47 enquiry started"),
        ("Children in care", "count", 1, "There was 1 child in care"),
        (
            "Early help assessments started",
            "count",
            0,
            "There were no early help assessments started",
        ),
        (
            "Referrals per 10,000 children",
            "rate_per_10k",
            536.93,
            "The rate of referrals was 536.9 per 10,000 children",
        ),
        (
            "Contacts that led to a referral",
            "pct",
            34.62,
            "The percentage of contacts that led to a referral was 34.6%",
        ),
        ("Long-term placement stability", "pct", 64.6, "Long-term placement stability was 64.6%"),
        ("Social worker vacancy rate", "pct", 12.3, "The social worker vacancy rate was 12.3%"),
        (
            "A1: average days from entering care to moving in with the adoptive family",
            "days",
            415,
            "A1 (average days from entering care to moving in with the adoptive family) "
            "was 415 days",
        ),
        (
            "Average caseload per case-holding social worker",
            "ratio",
            15.5,
            "The average caseload per case-holding social worker was 15.5",
        ),
    ],
)
def test_plain_english_with_number_agreement(title, unit, value, want):
    assert value_phrase(title, unit, value) == want


def test_every_registered_title_reads_as_english():
    for ind in REGISTRY.values():
        text = value_phrase(ind.title, ind.unit, 12.0)
        assert not any(w in text for w in ("pct", "10k", "XmR", "_")), text
        assert " was " in text or text.startswith("There were"), text
    assert plural_head("Social worker turnover rate") is None
    assert singular("Unaccompanied asylum-seeking children in care").endswith("child in care")


def test_a_limit_is_printed_apart_from_the_figure_it_is_compared_with():
    assert _fmt_apart(20.04, 20, "count") == "20.04"
    assert _fmt_apart(511.7, 512, "count") == "511.7"
    assert _fmt_apart(266.806, 266.8, "rate_per_10k") == "266.81 per 10,000"
    assert _fmt_apart(1166.3, 928, "count") == "1,166"


def test_a_figure_beyond_a_limit_prints_on_its_side_of_it():
    # found by the property test: 35.8% "above the upper process limit of 35.81%"
    rec = {"unit": "pct", "variation": "special cause (neither)", "kind": "snapshot",
           "variation_month": pd.Timestamp("2024-12-31"), "variation_value": 35.813,
           "spc_mean": 30.0, "spc_lower_limit": 24.2, "spc_upper_limit": 35.8099,
           "spc_months": 24, "variation_rule": "beyond", "variation_side": "higher",
           "assurance": "", "target": None}  # fmt: skip
    assert "figure was 35.81%" in text_variation(rec)
    assert "upper process limit of 35.8099%" in text_variation(rec)
    rec.update(variation_value=36.2)  # apart at the unit's decimals: printed as usual
    assert "figure was 36.2%, " in text_variation(rec)
    assert "limit of 35.8%" in text_variation(rec)


# ------------------------------------------------------------------ the demonstration authority
@pytest.fixture(scope="module")
def demo_findings(demo):
    ev = gather(demo, END)
    spcs = {i: spc_facts(ev, REGISTRY[i]) for i in set(ev.values["indicator_id"])}
    plan = Plan.from_json(decide(ev, spcs, published=True)["plan"])
    return ev, spcs, build_findings(ev, plan, spcs).set_index("indicator_id", drop=False)


def test_every_demo_finding_agrees_with_its_numbers(demo_findings):
    _, _, findings = demo_findings
    assert list(findings.columns) == list(COLUMNS)
    assert len(findings) == len(REGISTRY)
    for rec in findings.to_dict("records"):
        assert problems(rec) == [], (rec["indicator_id"], problems(rec), rec["sentence"])


def test_the_checker_has_teeth(demo_findings):
    _, _, findings = demo_findings
    rec = findings.loc[findings["trend"] == "no significant change"].iloc[0].to_dict()
    tampered = dict(
        rec,
        text_value=rec["text_value"].replace(
            "(no significant change)", "(a significant improvement)"
        ),
    )
    tampered["sentence"] = " ".join(
        t for t in (tampered["text_value"], rec["text_variation"], rec["text_comparison"]) if t
    )
    assert problems(tampered)
    # 5 (interval 4 to 6) against England's 1, lower is better: "better" is wrong
    wrong = dict(
        rec,
        vs_england="better",
        vs_region="",
        vs_neighbours="",
        england_value=1.0,
        value_at_comparator_period=5.0,
        ci_low_at_comparator_period=4.0,
        ci_high_at_comparator_period=6.0,
        polarity="lower_better",
        comparator_period_label="year to March 2024",
        text_comparison="In the year to March 2024, X's figure of 5 was better than England (1).",
    )
    wrong["sentence"] = " ".join(
        t for t in (wrong["text_value"], wrong["text_variation"], wrong["text_comparison"]) if t
    )
    assert any("better but 5.0 against 1.0" in p for p in problems(wrong))


def test_issue_15_contradictions_are_gone(demo_findings):
    _, _, f = demo_findings
    stability = f.loc["cla_long_term_stability_pct"]
    # the latest month's special cause is stated about that month, with its own figure
    if stability["variation"].startswith("special cause"):
        assert f"{stability['variation_month']:%B %Y}" in stability["text_variation"]
    assert "significant improvement" not in stability["sentence"]
    turnover = f.loc["sw_turnover_rate_pct"]
    assert "deterioration" not in turnover["sentence"] and turnover["trend"] == "not tested"
    # plans ended within 3 months: too sparse monthly for an XmR chart or claim
    sparse = f.loc["cpp_ended_under_3m_pct"]
    assert sparse["variation"] == "not assessed" and "fewer than 5" in sparse["variation_note"]
    assert "special-cause" not in sparse["sentence"]


def test_comparisons_are_like_for_like_and_name_their_period(demo, demo_findings):
    ev, _, f = demo_findings
    rec = f.loc["re_referral_pct"]
    assert rec["comparator_period"] == pd.Timestamp("2024-03-31")
    march = compute_indicators(demo, "2024-03-31", ids=["re_referral_pct"]).iloc[0]
    assert rec["value_at_comparator_period"] == pytest.approx(march["value"])
    assert "year to March 2024" in rec["text_comparison"]
    assert rec["value"] != rec["value_at_comparator_period"]  # not the December value
    workforce = f.loc["sw_vacancy_rate_pct"]
    # the demo's synthetic DfE workforce file publishes the position at 30 September 2024
    assert workforce["comparator_period"] == pd.Timestamp("2024-09-30")
    assert "At 30 September 2024" in workforce["text_comparison"]


def test_england_region_and_neighbours_for_every_indicator_that_has_them(demo_findings):
    ev, _, f = demo_findings
    published = set(ev.benchmarks["indicator_id"])
    assert published
    for ind_id in published:
        rec = f.loc[ind_id]
        assert rec["region_name"] == "Northern region"
        assert not math.isnan(rec["england_value"])
        rows = ev.benchmarks.loc[
            (ev.benchmarks["indicator_id"] == ind_id)
            & (ev.benchmarks["time_period"] == rec["comparator_period"])
        ]
        has_region = (rows["area_type"] == "region").any()  # LAIT's D7 has no regions
        assert math.isnan(rec["region_value"]) != has_region, ind_id
        # the neighbours with a published figure (a neighbour's may be suppressed, "c")
        neighbours = rows.loc[rows["area_code"].isin(set(ev.neighbours["area_code"]))]
        assert rec["neighbours_count"] == neighbours["value"].notna().sum() >= 9, ind_id
        words = {rec["vs_england"], rec["vs_region"], rec["vs_neighbours"]}
        if math.isnan(rec["value_at_comparator_period"]) or rec["suppressed_at_comparator_period"]:
            # no value of this authority's for the published period (e.g. List 9 figures hold
            # at the extract date only), or a suppressed one: nothing to compare like for like
            assert words == {"not compared"}, ind_id
        elif REGISTRY[ind_id].polarity == "neutral":
            assert words <= {"higher", "similar", "lower"}, (ind_id, words)
        else:
            assert words <= {"better", "similar", "worse"}, (ind_id, words)
        assert rec["england_period"] == rec["comparator_period"]
        if words != {"not compared"}:
            assert rec["region_name"] in rec["text_comparison"]


def test_every_spc_limit_is_possible(demo_findings):
    _, spcs, f = demo_findings
    for ind_id, spc in spcs.items():
        if spc.result is None:
            continue
        limits = spc.result.frame[["lpl", "mean", "upl", "near_lo", "near_hi"]]
        assert (limits >= 0).all().all(), ind_id
        if REGISTRY[ind_id].unit == "pct":
            assert (limits <= 100).all().all(), ind_id
    assert (f["spc_lower_limit"].dropna() >= 0).all()


def test_a_single_point_is_not_a_trend_and_sparse_months_get_no_chart(demo_findings):
    ev, spcs, _ = demo_findings
    leavers = spcs["cl_count"]  # valid at the extract date only: one month
    assert leavers.result is None and "only 1 of the last 24 months has a value" in leavers.reason
    assert spcs["cla_ceased_adoption"].result is None  # 1 or 2 adoptions a month


def test_a_school_year_measure_has_no_monthly_variation_to_judge(demo_findings):
    # Every month end repeats the school year's figure: the step at 31 August is not variation
    # (it was called special-cause 'a concern' for Attainment 8 before the registry said so).
    _, spcs, f = demo_findings
    school_year = [i for i in REGISTRY if i.startswith("vs_") and "pep" not in i]
    assert school_year and all(REGISTRY[i].yearly == "school year" for i in school_year)
    for ind_id in school_year:
        assert spcs[ind_id].result is None
        assert "one figure per school year" in spcs[ind_id].reason
        assert f.loc[ind_id, "variation"] == "not assessed"
        assert "one figure per school year" in f.loc[ind_id, "variation_note"]
        assert "monthly figure" not in f.loc[ind_id, "sentence"]


def test_the_findings_column_page_is_up_to_date():
    from pathlib import Path

    from sefanalysis.docs import findings_markdown

    page = Path(__file__).resolve().parents[2] / "docs" / "findings.md"
    assert page.read_text() == findings_markdown() + "\n", "run `sefanalysis docs`"
