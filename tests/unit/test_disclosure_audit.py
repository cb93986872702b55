"""Disclosure control over everything a run publishes together: the model and complementary
suppression on hand-made cases (the attacks of issue 17), then whole runs of small synthetic
authorities: the run's own audit, an independent differencing attack on the files it wrote,
an injected leak the audit must catch, and the internal-run markers."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from sefanalysis import charts
from sefanalysis.disclosure import (
    INTERNAL,
    INTERNAL_COLUMN,
    LEDGER,
    MARKER,
    Model,
    audit,
    leaks,
    protect,
    suppress_parts,
)
from sefanalysis.findings import COLUMNS, DISTRIBUTIONS
from sefanalysis.indicators.registry import AREAS, REGISTRY
from sefanalysis.report.area import AreaReport
from sefanalysis.report.finish import BANNER, finish_run, mark_internal


# ------------------------------------------------------------------ the model, by hand
def _months_and_total(months: list[float], extra_total: bool = False) -> Model:
    m = Model()
    names = [m.variable(f"m{i}", v, 1 <= v <= 5) for i, v in enumerate(months)]
    total = m.variable("year", sum(months), False)
    assert m.relate(total, names)
    for i, (name, v) in enumerate(zip(names, months, strict=True)):
        m.position(f"month{i}", [name], 1 + v / 1e6, primary=1 <= v <= 5)
    m.position("annual", [total], 100)
    return m


def test_a_month_is_not_recovered_from_the_annual_total():
    # issue 17: 142 in the year minus the 11 months shown = 5
    months = [12, 14, 11, 5, 13, 12, 14, 15, 12, 13, 11, 10]
    m = _months_and_total(months)
    assert leaks(m, set(m.primary)) == ["m3"]  # primary suppression alone leaks
    hidden = protect(m)
    assert leaks(m, hidden) == []
    # the next smallest month is hidden, not the annual total
    assert hidden == {"month3", "month11"}


def test_a_relation_the_numbers_do_not_satisfy_is_not_taken():
    m = Model()
    a, b = m.variable("a", 3, True), m.variable("b", 10, False)
    total = m.variable("distinct children", 11, False)  # not 13: children counted once
    assert not m.relate(total, [a, b])
    assert m.relations == []


def _grades() -> Model:
    """Issue 17's attack: a by-grade table with secondary suppression undone by the
    good-or-better table (229 - 211 = 18; 362 - 229 - 130 = 3)."""
    grades = {"Outstanding": 18, "Good": 211, "Requires improvement": 3, "Inadequate": 130}
    m = Model()
    g = {k: m.variable(k, v, 1 <= v <= 5) for k, v in grades.items()}
    total = m.variable("audits", 362, False)
    good = m.variable("good or better", 229, False)
    assert m.relate(total, list(g.values()))
    assert m.relate(good, [g["Outstanding"], g["Good"]])
    for k, v in grades.items():
        m.position(k, [g[k]], 1 + v / 1e6, primary=1 <= v <= 5)
    m.position("audits completed", [total], 1100)
    m.position("good or better (numerator and denominator)", [good, total], 1100)
    return m


def test_grades_are_not_undone_by_good_or_better():
    m = _grades()
    parts = pd.Series(
        {"Outstanding": 18, "Good": 211, "Requires improvement": 3, "Inadequate": 130}
    )
    naive = set(parts.index[suppress_parts(parts)])  # the old rule on its own
    assert naive == {"Requires improvement", "Outstanding"}
    assert leaks(m, naive) == ["Requires improvement"]  # 362 - 229 - 130 = 3
    hidden = protect(m)
    assert leaks(m, hidden) == []
    assert "audits completed" not in hidden  # totals are kept; groups hidden instead


def test_a_percentage_shown_alone_reveals_its_numerator_once_its_denominator_is_known():
    m = Model()
    num = m.variable("re-referrals in May", 3, True)
    den = m.variable("referrals in May", 40, False)
    m.position("re-referral % in May", [], 1, ratio=(num, den))
    m.position("referrals in May", [den], 1)
    assert leaks(m, set()) == ["re-referrals in May"]
    assert leaks(m, {"referrals in May"}) == []
    assert leaks(m, set(protect(m) | {"re-referral % in May"})) == []


# ------------------------------------------------------------------ whole runs
SMALL = [(0.02, 11), (0.05, 29)]  # (size against the demonstration authority, seed)


@pytest.fixture(scope="module", params=SMALL, ids=lambda p: f"scale{p[0]}-seed{p[1]}")
def small_run(request, tmp_path_factory):
    """A published run's sections for a small synthetic authority, in this process (charts
    are laid out but not rendered: their data is what is audited)."""
    from sefanalysis.demo.generator import Profile, generate_demo

    scale, seed = request.param
    profile = Profile(
        population=int(75_000 * scale),
        referrals_per_year=4_000 * scale,
        cla_entrants_per_year=215 * scale,
        workforce_fte=150 * scale,
    )
    root = tmp_path_factory.mktemp(f"small{seed}")
    data = generate_demo(root / "data", seed=seed, profile=profile)
    report = _run_sections(data, root / "run", "published")
    return root / "run", report


DRAWN: dict[str, list[charts.Chart]] = {}  # run folder -> the charts its sections drew


def _recorded(builder, drawn: list):
    def build(*args, **kwargs):
        chart = builder(*args, **kwargs)
        drawn.append(chart)
        return chart

    return build


def _run_sections(data: Path, out: Path, mode: str) -> AreaReport:
    from sefanalysis.report import sections

    drawn = DRAWN.setdefault(str(out), [])
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("SEFANALYSIS_CACHE", raising=False)
        mp.setattr(charts.Chart, "png", lambda self: b"png")
        mp.setattr(charts.Chart, "svg", lambda self: b"<svg/>")
        mp.setattr(charts, "_laid_out", lambda fig: "tight")
        for name in ("trend_chart", "spc_chart", "bar_chart", "funnel_chart", "ranking_chart"):
            mp.setattr(sections, name, _recorded(getattr(sections, name), drawn))
        # every chart kind, drawn or not by default, is audited
        report = AreaReport("2024-12-31", str(data), str(out), disclosure_mode=mode, charts="all")
        with contextlib.redirect_stdout(io.StringIO()):
            report.show_context()
            for area in AREAS:
                report.show_summary(area)
            for ind, by, title in DISTRIBUTIONS:
                report.show_distribution(ind, by, title)
            for area in AREAS:
                report.show_indicators(area)
        assert finish_run(out, mode) == []  # the run's own audit
    return report


def test_findings_csv_has_one_record_per_indicator_and_the_columns(small_run):
    run, report = small_run
    findings = pd.read_csv(run / "findings.csv")
    for col in [
        "indicator_id",
        "period_end",
        "value",
        "value_year_earlier",
        "change",
        "variation",
        "england_value",
        "england_period",
        "vs_england",
        "sentence",
    ]:
        assert col in findings.columns
    assert list(findings.columns) == list(COLUMNS)
    assert list(findings["indicator_id"]) == [
        i for i in REGISTRY if i in set(report.values["indicator_id"])
    ]


def test_the_run_audit_passes_and_suppression_bites(small_run):
    run, _ = small_run
    assert audit(run) == []
    cells = "".join(p.read_text() for p in (run / "tables").glob("*.csv"))
    assert cells.count(MARKER) > 20  # a small authority: suppression bites


def _truth(report: AreaReport) -> dict[tuple, float]:
    """True (unsuppressed) counts behind the published cells."""
    truth = {}
    for frame, kind in ((report.evidence.values, "q"), (report.evidence.monthly, "m")):
        for r in frame.itertuples(index=False):
            truth[(kind, r.indicator_id, r.period_end)] = r.numerator
    for key, frame in report.evidence.breakdowns.items():
        ind_id, by = key.split("|")
        part = "numerator" if REGISTRY[ind_id].aggregate in {"count", "sum"} else "denominator"
        for r in frame.loc[frame["indicator_id"] == ind_id].itertuples(index=False):
            truth[("g", ind_id, by, r.group)] = getattr(r, part)
    return truth


def _number(text: str) -> float | None:
    try:
        return float(str(text).replace(",", "").rstrip("%"))
    except ValueError:
        return None


def _column(table: pd.DataFrame, name: str) -> pd.Series:
    """A tidy table's figures as text (read as strings), with the marker where there is one."""
    value = next(c for c in table.columns if c == name or c.startswith(f"{name} ("))
    marker = table[f"{name} marker"]
    return marker.where(marker != "", table[value])


def _attack(run: Path, report: AreaReport) -> list[str]:
    """An attacker with the published files: subtract along the relations a reader knows
    (months add up to rolling years, groups to their total, grades to good or better,
    duration bands to the within-timescale count), again and again, and report every
    suppressed count of 1 to 5 recovered."""
    truth = _truth(report)
    known: dict[tuple, float] = {}
    hidden: set[tuple] = set()
    relations: list[tuple[tuple, list[tuple]]] = []
    end = pd.Timestamp("2024-12-31")
    for ind in REGISTRY.values():
        trend = run / "tables" / f"{ind.id}.csv"
        if not trend.exists():
            continue
        table = pd.read_csv(trend, dtype=str, keep_default_na=False)
        col = "Value" if ind.aggregate in {"count", "sum"} else "Numerator"
        quarters = list(report.periods)
        for q, text in zip(quarters, _column(table, col), strict=True):
            (hidden.add if text == MARKER else lambda k: None)(("q", ind.id, q))
            if _number(text) is not None:
                known[("q", ind.id, q)] = _number(text)
        spc = run / "charts" / f"{ind.id}_spc.csv"
        if spc.exists() and ind.aggregate in {"count", "sum"}:
            months = pd.read_csv(spc, dtype=str, keep_default_na=False)
            for when, text in zip(
                pd.to_datetime(months["period_end"]), months["value"], strict=True
            ):
                key = ("m", ind.id, when)
                if text == "":
                    hidden.add(key)
                else:
                    known[key] = float(text)
            if ind.kind == "flow":
                for q in quarters:
                    window = list(pd.date_range(q - pd.DateOffset(months=11), q, freq="ME"))
                    relations.append((("q", ind.id, q), [("m", ind.id, w) for w in window]))
    for ind_id, by, _ in DISTRIBUTIONS:
        table = pd.read_csv(
            run / "tables" / f"{ind_id}_by_{by}.csv", dtype=str, keep_default_na=False
        )
        keys = [("g", ind_id, by, g) for g in table["Group"]]
        for key, text in zip(keys, _column(table, "Number"), strict=True):
            (hidden.add(key) if text == MARKER else known.__setitem__(key, _number(text)))
        total = (
            ("q", ind_id, end)
            if REGISTRY[ind_id].aggregate in {"count", "sum"}
            else ("qden", ind_id, end)
        )
        if total[0] == "qden":
            den = _column(
                pd.read_csv(run / "tables" / f"{ind_id}.csv", dtype=str, keep_default_na=False),
                "Denominator",
            ).iloc[-1]
            if _number(den) is not None:
                known[total] = _number(den)
        relations.append((total, keys))
        within = {
            "assessments_within_45wd_pct": ["Same day", "1-10", "11-20", "21-30", "31-40", "41-45"],
            "icpc_within_15wd_pct": ["Same day", "1-5", "6-10", "11-13", "14-15"],
        }
        if ind_id in within:
            relations.append((("q", ind_id, end), [k for k in keys if k[3] in within[ind_id]]))
        if ind_id == "audits_completed":
            relations.append(
                (
                    ("q", "audits_good_or_better_pct", end),
                    [k for k in keys if k[3] in {"Outstanding", "Good"}],
                )
            )
            relations.append((("qden", "audits_good_or_better_pct", end), keys))
            gob = _column(
                pd.read_csv(
                    run / "tables" / "audits_good_or_better_pct.csv",
                    dtype=str,
                    keep_default_na=False,
                ),
                "Denominator",
            ).iloc[-1]
            if _number(gob) is not None:
                known[("qden", "audits_good_or_better_pct", end)] = _number(gob)
    found = []
    changed = True
    while changed:
        changed = False
        for total, parts in relations:
            cells = [total, *parts]
            unknown = [c for c in cells if c not in known]
            if len(unknown) != 1 or not all(
                c in known or c in hidden or c == unknown[0] for c in cells
            ):
                continue
            miss = unknown[0]
            value = (
                known[total] - sum(known[p] for p in parts if p != miss)
                if miss != total
                else sum(known[p] for p in parts)
            )
            if miss in truth and abs(truth[miss] - value) > 1e-9:
                continue  # the relation does not hold for these numbers: no recovery
            known[miss] = value
            changed = True
            if miss in hidden and 1 <= value <= 5:
                found.append(f"{miss} = {value} recovered")
    return found


def test_a_differencing_attack_on_the_published_files_recovers_nothing(small_run):
    run, report = small_run
    assert _attack(run, report) == []


def test_the_audit_catches_months_shown_that_complementary_suppression_hid(small_run):
    """The audit is not toothless: publish the months an indicator's plan hid only to protect
    another, and it finds the protected count derivable again."""
    run, report = small_run
    primary = set(json.loads((run / LEDGER / "model.json").read_text())["primary"])
    secondary = sorted(
        p
        for p in report.plan.hidden - primary
        if p.startswith("m|") and REGISTRY[p.split("|")[1]].aggregate in {"count", "sum"}
    )
    if not secondary:
        pytest.skip("no month hidden only to protect another in this authority")
    ind_id = secondary[0].split("|")[1]
    months = {p.split("|")[2] for p in secondary if p.split("|")[1] == ind_id}
    spc = run / "charts" / f"{ind_id}_spc.csv"
    ledger = run / LEDGER / "cells" / f"charts__{ind_id}_spc.csv.json"
    before = spc.read_bytes(), ledger.read_bytes()
    frame = pd.read_csv(spc, dtype=str, keep_default_na=False)
    piece = json.loads(ledger.read_text())
    rows = [int(i) for i in (frame["period_end"].isin(months)).to_numpy().nonzero()[0]]
    for row in rows:
        when = pd.Timestamp(frame.loc[row, "period_end"])
        frame.loc[row, "value"] = str(float(report.evidence.months(ind_id).loc[when, "value"]))
        frame.loc[row, "point_type"] = "common cause"
    for cell in piece["cells"]:
        if cell["row"] in rows and cell["column"] in {"value", "point_type"}:
            cell["shown"] = True
    frame.to_csv(spc, index=False, lineterminator="\n")
    ledger.write_text(json.dumps(piece))
    try:
        problems = audit(run)
    finally:  # the module's other tests read the same run
        spc.write_bytes(before[0])
        ledger.write_bytes(before[1])
    assert any("can be worked out" in p for p in problems), problems


def test_a_suppressed_row_shows_nothing_derived_from_it(small_run):
    run, _ = small_run
    findings = pd.read_csv(run / "findings.csv", dtype=str, keep_default_na=False)
    hidden = findings.loc[findings["suppressed"] == "True"]
    assert len(hidden)
    for col in ["value", "ci_low", "ci_high", "change", "trend", "rag", "change_low"]:
        assert (hidden[col] == "").all(), col
    for area in AREAS:
        summary = pd.read_csv(
            run / "tables" / f"{area}_summary.csv", dtype=str, keep_default_na=False
        )
        latest_hidden = summary["Latest marker"] == MARKER
        assert (summary.loc[latest_hidden, "Latest"] == "").all()
        for col in ["Lower 95% limit", "Upper 95% limit"]:
            assert (summary.loc[latest_hidden, f"{col} marker"] == MARKER).all(), (area, col)
            assert (summary.loc[latest_hidden, col] == "").all(), (area, col)
        assert (summary.loc[latest_hidden, "Change on a year"] == MARKER).all(), area
        target = summary.loc[latest_hidden, "Against target"]
        assert not target.str.contains("Green|Amber|Red").any()


def test_chart_titles_and_alt_texts_give_nothing_suppressed(small_run):
    run, report = small_run
    drawn = {c.name: c for c in DRAWN[str(run)]}
    for ind_id, by, _ in DISTRIBUTIONS:
        chart = drawn.get(f"{ind_id}_by_{by}")
        if chart is None:
            continue
        hidden_total = report.plan.hides(f"q|{ind_id}|2024-12-31")
        assert ("in total" in chart.title) != hidden_total, chart.title
    for chart in drawn.values():
        shown = chart.data.dropna(subset=["value"]) if "value" in chart.data else chart.data
        if chart.name.endswith("_spc"):  # the alt text counts only the months shown
            assert f"{len(shown)} monthly values shown" in chart.alt, chart.alt
        assert MARKER not in chart.alt


def test_an_internal_run_is_marked_in_every_csv_and_chart(tmp_path):
    from sefanalysis.demo.generator import Profile, generate_demo

    data = generate_demo(
        tmp_path / "data",
        seed=5,
        profile=Profile(
            population=3000, referrals_per_year=160, cla_entrants_per_year=9, workforce_fte=6
        ),
    )
    run = tmp_path / "run"
    _run_sections(data, run, "internal")
    csvs = (
        list((run / "tables").glob("*.csv"))
        + list((run / "charts").glob("*.csv"))
        + [run / "findings.csv"]
    )
    assert len(csvs) > 30
    for path in csvs:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        assert INTERNAL_COLUMN in frame.columns and (frame[INTERNAL_COLUMN] == INTERNAL).all(), path
        assert MARKER not in path.read_text()  # nothing suppressed
    assert not (run / LEDGER).exists()  # an internal run publishes nothing to audit


def test_internal_chart_files_carry_the_notice_in_their_metadata():
    from PIL import Image

    frame = pd.DataFrame({"group": ["a", "b"], "value": [40.0, 60.0]})
    chart = charts.bar_chart.__wrapped__(frame, "x", "Title", "Subtitle", "pct", notice=INTERNAL)
    assert Image.open(io.BytesIO(chart.png())).text["Description"] == INTERNAL
    assert INTERNAL in chart.svg().decode("utf-8")
    assert INTERNAL in chart.files()["x.csv"].decode("utf-8")


def test_internal_pages_get_the_banner_once(tmp_path):
    (tmp_path / "html").mkdir()
    for name in ("index.html", "data_quality.html", "html/01.html"):
        (tmp_path / name).write_text("<html><body class='x'><h1>Report</h1></body></html>")
    (tmp_path / "analyst").mkdir()
    (tmp_path / "analyst" / "notebook.html").write_text("<html><body></body></html>")
    mark_internal(tmp_path)
    mark_internal(tmp_path)  # idempotent
    for name in ("index.html", "data_quality.html", "html/01.html"):
        text = (tmp_path / name).read_text()
        assert text.count(BANNER) == 1 and text.index(BANNER) < text.index("<h1>")
        assert "Internal: small numbers not suppressed" in text
    assert BANNER not in (tmp_path / "analyst" / "notebook.html").read_text()
