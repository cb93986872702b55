"""Property: in published mode no exported table holds a count from 1 to 5 that can be read or
recomputed (a percentage or rate is hidden whenever its numerator or denominator is small)."""

from __future__ import annotations

import re

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sefanalysis.indicators.registry import REGISTRY
from sefanalysis.report.area import AreaReport

from ..conftest import write_dataset

dates = st.dates(min_value=pd.Timestamp("2023-01-01").date(),
                 max_value=pd.Timestamp("2024-12-31").date())  # fmt: skip
children = st.sampled_from([f"C{i}" for i in range(12)])
referral = st.fixed_dictionaries({"child_id": children, "referral_date": dates,
                                  "referral_nfa": st.sampled_from(["Yes", "No"]),
                                  "n_referrals_12m": st.integers(0, 2)})  # fmt: skip
plan = st.fixed_dictionaries({"child_id": children, "cpp_start": dates,
                              "cpp_end": st.one_of(st.none(), dates),
                              "n_previous_cpp": st.integers(0, 1)})  # fmt: skip
SMALL = re.compile(r"^[1-5]$")


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(refs=st.lists(referral, max_size=14), plans=st.lists(plan, max_size=6))
def test_published_tables_never_show_small_counts(tmp_path_factory, refs, plans):
    plans = [p for p in plans if p["cpp_end"] is None or p["cpp_end"] >= p["cpp_start"]]
    root = tmp_path_factory.mktemp("sup")
    data = write_dataset(root / "data", {"referrals": refs, "cp": plans},
                         annex_a_start="2023-01-01")  # fmt: skip
    report = AreaReport("2024-12-31", str(data), str(root / "out"))
    for ind in REGISTRY.values():
        if ind.area != "help_protection":
            continue
        table = report.trend_table(ind)
        for col in ("Numerator", "Denominator"):
            if col == "Denominator" and ind.unit == "rate_per_10k":
                continue  # the population is public
            assert not table[col].astype(str).str.match(SMALL).any(), (ind.id, col)
        if ind.unit == "count":
            assert not table["Value"].astype(str).str.match(SMALL).any(), ind.id
        rows = report.values.loc[report.values["indicator_id"] == ind.id].reset_index()
        for i, rec in rows.iterrows():
            parts = [rec["numerator"]] + ([] if ind.unit == "rate_per_10k" else
                                          [rec["denominator"]])  # fmt: skip
            small = any(pd.notna(v) and 1 <= v <= 5 for v in parts)
            if ind.unit in {"pct", "count", "rate_per_10k"} and small and pd.notna(rec["value"]):
                assert table.loc[i, "Value"] == "[c]", (ind.id, rec["period_end"])
    summary = report.summary_table("help_protection")
    for rec in summary.itertuples(index=False):
        ind = next(i for i in REGISTRY.values() if i.title == rec.Indicator)
        if ind.unit == "count":
            assert not SMALL.match(str(rec.Latest)), ind.id
