"""Property: every findings record's sentences agree with its own numbers (a direction word
only for a significant change in that direction; SPC claims about the latest month only, named,
never contradicting the figure printed; comparisons naming the period), no SPC limit is
impossible, and a suppressed value never appears.

Two sources of records: small evidence built directly from random counts (fast, many cases),
and whole synthetic authorities of different sizes and seeds (slow marker: a generated
authority takes seconds; CI runs it with ``make test``)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sefanalysis.disclosure import (
    Model,
    Plan,
    comparator_position,
    leaks,
    month_position,
    quarter_position,
)
from sefanalysis.findings import Evidence, build_findings, gather, spc_facts
from sefanalysis.format import format_value
from sefanalysis.indicators import load_all
from sefanalysis.indicators.registry import REGISTRY
from sefanalysis.ingest.authority import Authority
from sefanalysis.periods import month_ends_back, quarter_ends_back
from sefanalysis.publication import decide

from ..sentence_rules import problems

load_all()
END = pd.Timestamp("2024-12-31")
MARCH = pd.Timestamp("2024-03-31")
AUTHORITY = Authority("E99000001", "Testshire", "Northern region")
CHOICES = sorted(
    i.id
    for i in REGISTRY.values()
    if i.unit in {"pct", "count", "rate_per_10k"}
    and i.interval
    and i.aggregate in {"pct", "count", "rate_per_10k"}
)


def _rows(ind_id: str, ends: list[pd.Timestamp], nums, dens) -> pd.DataFrame:
    ind = REGISTRY[ind_id]
    nums, dens = np.asarray(nums, dtype=float), np.asarray(dens, dtype=float)
    if ind.aggregate == "pct":
        value = np.where(dens > 0, 100 * nums / np.where(dens > 0, dens, 1), np.nan)
    elif ind.aggregate == "rate_per_10k":
        value = 10_000 * nums / dens
    else:
        value, dens = nums, np.full(len(nums), np.nan)
    return pd.DataFrame(
        {
            "indicator_id": ind_id,
            "area": ind.area,
            "title": ind.title,
            "period_start": ends,
            "period_end": ends,
            "numerator": nums,
            "denominator": dens,
            "value": value,
            "unit": ind.unit,
            "polarity": ind.polarity,
            "source": ind.source,
            "note": "",
        }
    )


@st.composite
def evidence(draw):
    ind_id = draw(st.sampled_from(CHOICES))
    ind = REGISTRY[ind_id]
    size = draw(st.sampled_from([3, 12, 60, 400, 3000]))
    quarters = quarter_ends_back(END, 8)
    months = month_ends_back(END, 24)

    def counts(n: int) -> tuple[list[float], list[float]]:
        dens = draw(st.lists(st.integers(0, size), min_size=n, max_size=n))
        if ind.aggregate == "pct":
            share = draw(st.floats(0.02, 0.98))
            jitter = draw(st.lists(st.floats(-0.2, 0.2), min_size=n, max_size=n))
            nums = [
                round(d * min(1.0, max(0.0, share + j))) for d, j in zip(dens, jitter, strict=True)
            ]
            return nums, dens
        if ind.aggregate == "rate_per_10k":
            return dens, [40_000.0] * n
        return dens, [np.nan] * n

    qn, qd = counts(8)
    mn, md = counts(24)
    on, od = counts(1)
    values = _rows(ind_id, quarters, qn, qd)
    monthly = _rows(ind_id, months, mn, md)
    own = _rows(ind_id, [MARCH], on, od)
    eng = draw(st.floats(0.5, 95.0)) if ind.unit == "pct" else draw(st.floats(1, 900))
    bench = pd.DataFrame(
        {
            "indicator_id": ind_id,
            "time_period": MARCH,
            "area_code": ["E92000001", "E12000001"] + [f"E0900{i:04d}" for i in range(20)],
            "area_name": ["England", "Northern region"] + [f"LA {i}" for i in range(20)],
            "area_type": ["england", "region"] + ["la"] * 20,
            "value": [eng, eng * draw(st.floats(0.7, 1.3))]
            + list(np.linspace(eng * 0.5, min(eng * 1.5, 100 if ind.unit == "pct" else 1e4), 20)),
        }
    )
    neighbours = pd.DataFrame(
        {
            "area_code": [f"E0900{i:04d}" for i in range(0, 20, 2)],
            "area_name": "",
            "rank": range(10),
        }
    )
    targets = pd.DataFrame(
        {
            "indicator_id": [ind_id] if ind.polarity != "neutral" else [],
            "target": [eng] if ind.polarity != "neutral" else [],
            "tolerance": [2.0] if ind.polarity != "neutral" else [],
        }
    )
    ev = Evidence(
        AUTHORITY,
        END,
        "12m",
        quarters,
        values,
        monthly,
        own,
        pd.DataFrame(columns=["indicator_id", "window", "period_end"]),
        bench,
        neighbours,
        targets,
    )
    hide = draw(
        st.sets(
            st.sampled_from(
                [
                    quarter_position(ind_id, END),
                    quarter_position(ind_id, quarters[-5]),
                    comparator_position(ind_id, MARCH),
                    month_position(ind_id, END),
                ]
            ),
            max_size=2,
        )
    )
    return ev, Plan(frozenset(hide), True), ind_id


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=evidence())
def test_sentences_agree_with_their_numbers(case):
    ev, plan, ind_id = case
    spcs = {ind_id: spc_facts(ev, REGISTRY[ind_id])}
    frame = build_findings(ev, plan, spcs)
    assert list(frame["indicator_id"]) == [ind_id]
    rec = frame.iloc[0].to_dict()
    assert problems(rec) == [], (problems(rec), rec["sentence"])
    true = ev.values.set_index("period_end").loc[END, "value"]
    if plan.hides(quarter_position(ind_id, END)) and pd.notna(true):
        assert rec["suppressed"] and pd.isna(rec["value"]) and pd.isna(rec["change"])
        assert rec["rag"] == "" and "[c]" in rec["text_value"]
        shown = format_value(true, REGISTRY[ind_id].unit, with_unit=False)
        assert not re.search(rf"(?<![\d.,]){re.escape(shown)}(?![\d.,])", rec["text_value"])


def _generated(tmp_path_factory, scale: float, seed: int):
    from sefanalysis.dataset import load_dataset
    from sefanalysis.demo.generator import Profile, generate_demo

    profile = Profile(
        population=int(75_000 * scale),
        referrals_per_year=4_000 * scale,
        cla_entrants_per_year=215 * scale,
        workforce_fte=150 * scale,
    )
    root = generate_demo(tmp_path_factory.mktemp("gen") / "la", seed=seed, profile=profile)
    return load_dataset(root)


@pytest.mark.slow
@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scale=st.sampled_from([0.02, 0.05, 0.15, 0.5, 1.0]), seed=st.integers(1, 10_000))
def test_every_finding_of_generated_authorities_agrees(tmp_path_factory, scale, seed):
    ds = _generated(tmp_path_factory, scale, seed)
    ev = gather(ds, END)
    spcs = {i: spc_facts(ev, REGISTRY[i]) for i in set(ev.values["indicator_id"])}
    decided = decide(ev, spcs, published=True)
    plan = Plan.from_json(decided["plan"])
    frame = build_findings(ev, plan, spcs)
    assert len(frame) == len(set(ev.values["indicator_id"]))
    for rec in frame.to_dict("records"):
        assert problems(rec) == [], (rec["indicator_id"], problems(rec), rec["sentence"])
    for ind_id, spc in spcs.items():  # every SPC chart's limits are possible
        if spc.result is not None:
            low = spc.result.frame[["lpl", "mean", "upl"]]
            assert (low >= 0).all().all(), ind_id
            if REGISTRY[ind_id].unit == "pct":
                assert (low <= 100).all().all(), ind_id
    assert leaks(Model.from_json(decided["model"]), set(plan.hidden)) == []
