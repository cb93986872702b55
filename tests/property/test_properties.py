"""Property tests: loaders never crash on junk; indicator values keep their invariants."""

from __future__ import annotations

import contextlib
import math
import string

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sefanalysis import compute_indicators, load_dataset
from sefanalysis.errors import SefError
from sefanalysis.ingest.annex_a_spec import LISTS_BY_KEY

from ..conftest import write_dataset

junk_cell = st.one_of(
    st.none(),
    st.text(string.printable, max_size=12),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
)
SETTINGS = settings(max_examples=15, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip


@SETTINGS
@given(
    rows=st.lists(st.lists(junk_cell, min_size=0, max_size=8), max_size=6),
    list_key=st.sampled_from(sorted(LISTS_BY_KEY)),
    with_headings=st.booleans(),
)
def test_annex_a_loader_never_raises_on_junk(tmp_path_factory, rows, list_key, with_headings):
    root = write_dataset(tmp_path_factory.mktemp("junk"))
    spec = LISTS_BY_KEY[list_key]
    header = [c.heading for c in spec.columns][:8] if with_headings else None
    width = max([len(r) for r in rows] + [len(header or [])])
    frame = pd.DataFrame([r + [None] * (width - len(r)) for r in rows])
    path = root / "annex_a" / f"list_{spec.number}.csv"
    if header is not None:
        pd.DataFrame([header + [None] * (width - len(header))]).to_csv(
            path, index=False, header=False
        )
        frame.to_csv(path, index=False, header=False, mode="a")
    else:
        frame.to_csv(path, index=False, header=False)
    try:
        ds = load_dataset(root)
    except SefError:
        return
    assert isinstance(ds.problems, pd.DataFrame)


@SETTINGS
@given(
    text=st.text(max_size=200),
    name=st.sampled_from(
        ["population.csv", "workforce.csv", "audits.csv", "authority.yaml", "annex_a.xlsx"]
    ),
)
def test_any_file_content_gives_problems_not_crashes(tmp_path_factory, text, name):
    root = write_dataset(tmp_path_factory.mktemp("junk"))
    (root / name).write_text(text)
    with contextlib.suppress(SefError):
        load_dataset(root)


dates = st.dates(
    min_value=pd.Timestamp("2022-01-01").date(), max_value=pd.Timestamp("2024-12-31").date()
)
referral = st.fixed_dictionaries({
    "child_id": st.sampled_from(list("ABCDEFGH")), "referral_date": dates,
    "referral_nfa": st.sampled_from(["Yes", "No", None]), "n_referrals_12m": st.integers(0, 3),
})  # fmt: skip
assessment = st.fixed_dictionaries({
    "child_id": st.sampled_from(list("ABCDEFGH")), "asmt_start": dates,
    "asmt_auth": st.one_of(st.none(), dates), "asmt_needs_support": st.sampled_from(["Yes", "No"]),
})  # fmt: skip


@SETTINGS
@given(
    refs=st.lists(referral, max_size=15),
    asmts=st.lists(assessment, max_size=15),
    outsider=st.dates(
        min_value=pd.Timestamp("2020-01-01").date(), max_value=pd.Timestamp("2021-12-31").date()
    ),
)
def test_indicator_invariants(tmp_path_factory, refs, asmts, outsider):
    root = write_dataset(tmp_path_factory.mktemp("prop"), {"referrals": refs, "assessments": asmts})
    ds = load_dataset(root)
    ids = [
        "re_referral_pct",
        "referral_nfa_pct",
        "assessments_within_45wd_pct",
        "assessment_nfa_pct",
        "referrals",
        "assessments_completed",
    ]
    base = compute_indicators(ds, ["2023-12-31", "2024-12-31"], ids=ids)
    pct = base.loc[base["unit"] == "pct"]
    assert ((pct["value"].dropna() >= 0) & (pct["value"].dropna() <= 100)).all()
    known = pct.dropna(subset=["numerator", "denominator"])  # missing is missing, not 0
    assert (known["numerator"] <= known["denominator"]).all()
    # an unrelated child referred well before every window changes nothing
    root2 = write_dataset(tmp_path_factory.mktemp("prop"), {
        "referrals": refs + [{"child_id": "ZZ", "referral_date": outsider,
                              "referral_nfa": "No", "n_referrals_12m": 0}],
        "assessments": asmts}, annex_a_start="2020-01-01")  # fmt: skip
    again = compute_indicators(load_dataset(root2), ["2023-12-31", "2024-12-31"], ids=ids)
    for a, b in zip(base["value"], again["value"], strict=True):
        assert (math.isnan(a) and math.isnan(b)) or a == b


@SETTINGS
@given(
    rows=st.lists(st.lists(junk_cell, min_size=9, max_size=9), max_size=6),
    table=st.sampled_from(["episodes", "header", "oc2", "oc3", "missing", "reviews"]),
)
def test_ssda903_loader_never_raises_on_junk(tmp_path_factory, rows, table):
    from sefanalysis.ingest.problems import ProblemLog
    from sefanalysis.ingest.ssda903 import SSDA903, read_ssda903_folder

    folder = tmp_path_factory.mktemp("903") / "2024-25"
    folder.mkdir()
    headings = [c.heading for c in SSDA903[table].columns][:9]
    frame = pd.DataFrame([r[: len(headings)] for r in rows], columns=headings)
    frame.to_csv(folder / f"{table}.csv", index=False)
    log = ProblemLog()
    read_ssda903_folder(folder, log, "2024-25")
    assert isinstance(log.frame(), pd.DataFrame)
