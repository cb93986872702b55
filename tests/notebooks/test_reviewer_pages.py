"""Issue 18 end to end, on the shared demonstration run (default charts): the summary's items
agree with the findings they cite, area pages are under 1.5 MB with one chart per indicator
(more charts only where they carry a signal, one click away), headings in order, tables with
row headers, links to "About these statistics" from every page, and no file path printed."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from sefanalysis.format import format_value
from sefanalysis.report.summary import LIMIT, NOTES_LIMIT, read_findings

pytestmark = pytest.mark.notebook
AREA_PAGES = ["01_help_and_protection", "02_children_in_care_and_care_leavers", "03_leadership"]
MAX_AREA_PAGE = 1_500_000
SIGNAL = {"better", "worse", "higher", "lower"}


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _pages(run: Path) -> list[Path]:
    return [p for p in sorted(run.rglob("*.html")) if "analyst" not in p.relative_to(run).parts]


# ------------------------------------------------------------------ the summary
def _fmt(rec: dict, column: str) -> str:
    return format_value(rec[column], rec["unit"])


def _holds(kind: str, direction: str, rec: dict, text: str) -> list[str]:
    """An independent reading of one reason an item gives: the record's field says so, and
    the item quotes the record's figures for it."""
    wrong: list[str] = []
    better_word = {"concern": "worse", "strength": "better"}.get(direction)
    if kind == "target":
        colour = {"concern": "Red", "strength": "Green"}[direction]
        if not rec["rag"].startswith(colour) or _fmt(rec, "target") not in text:
            wrong.append(f"target {colour} vs {rec['rag']!r}")
    elif kind == "variation":
        expected = {"concern": "special cause concern", "strength": "special cause improvement",
                    "note": "special cause (neither)"}[direction]  # fmt: skip
        if rec["variation"] != expected or _fmt(rec, "variation_value") not in text:
            wrong.append(f"variation {rec['variation']!r}")
        if f"{rec['variation_month']:%B %Y}" not in text:
            wrong.append("variation month")
    elif kind == "change":
        if not rec["change_significant"] or _fmt(rec, "value_year_earlier") not in text:
            wrong.append("change not significant, or its figure missing")
        if better_word and f"getting {better_word}" not in rec["trend"]:
            wrong.append(f"change {rec['trend']!r} for {direction}")
        if ("increase" in text) != (rec["change"] > 0):
            wrong.append("direction of change")
    elif kind == "comparison":
        words = {better_word} if better_word else {"higher", "lower"}
        found = [
            (vs, value)
            for vs, value in (("vs_england", "england_value"), ("vs_region", "region_value"),
                              ("vs_neighbours", "neighbours_value"))
            if rec[vs] in words
        ]  # fmt: skip
        if not found or _fmt(rec, "value_at_comparator_period") not in text:
            wrong.append("no comparison of that direction, or this authority's value missing")
        for _, value in found:
            if _fmt(rec, value) not in text:
                wrong.append(f"{value} not quoted")
        if rec["comparator_period_label"] not in text:
            wrong.append("comparator period not named")
    return wrong


def test_the_summarys_items_agree_with_the_findings_they_cite(run_folder):
    records = {r["indicator_id"]: r for r in read_findings(run_folder / "findings.csv")}
    soup = _soup(run_folder / "index.html")
    lists = {"needs-attention": "concern", "going-well": "strength", "other-changes": "note"}
    seen = 0
    for anchor, direction in lists.items():
        heading = soup.find("h2", id=anchor)
        if anchor != "other-changes":
            assert heading is not None, anchor
        if heading is None:
            continue
        items = []
        for sibling in heading.find_next_siblings():
            if sibling.name == "h2":
                break
            items += sibling.find_all("li", attrs={"data-indicator": True})
        assert len(items) <= (NOTES_LIMIT if direction == "note" else LIMIT)
        for li in items:
            rec = records[li["data-indicator"]]
            text = li.get_text()
            assert text.startswith(f"{rec['title']}: ")
            # an annual return's figure (SSDA903 OC3 at 31 March) has no value at a quarter end
            missing = rec["value"] is None or (
                isinstance(rec["value"], float) and math.isnan(rec["value"])
            )
            value = (
                "[c] (suppressed)"
                if rec["suppressed"]
                else "no value"
                if missing
                else _fmt(rec, "value")
            )
            assert f"{value} {rec['period']}" in text, (text, value, rec["period"])
            assert li.a["href"].endswith(f"#ind-{rec['indicator_id']}")
            target = run_folder / li.a["href"].split("#")[0]
            assert f'id="ind-{rec["indicator_id"]}"' in target.read_text(encoding="utf-8")
            for reason in li["data-signals"].split():
                kind, way = reason.split(":")
                assert way == direction
                assert _holds(kind, way, rec, text) == [], (rec["indicator_id"], reason)
            seen += 1
    assert seen >= 4  # the demonstration authority has strengths and concerns


def test_every_indicator_is_in_the_summarys_overview_with_its_comparison(run_folder):
    records = read_findings(run_folder / "findings.csv")
    soup = _soup(run_folder / "index.html")
    rows = {tr.th.get_text(): tr for t in soup.select("table[id^=tbl-overview-]")
            for tr in t.tbody.find_all("tr")}  # fmt: skip
    assert len(rows) == len(records)
    for rec in records:
        row = rows[rec["title"]]
        if rec["vs_england"] in SIGNAL | {"similar"}:
            assert rec["vs_england"] in row.get_text(" ")


# ------------------------------------------------------------------ area pages
def _outside_details(soup: BeautifulSoup, selector: str) -> list:
    return [el for el in soup.select(selector) if el.find_parent("details") is None]


def test_area_pages_are_small_and_show_one_chart_per_indicator(run_folder):
    records = {r["indicator_id"]: r for r in read_findings(run_folder / "findings.csv")}
    for name in AREA_PAGES:
        path = run_folder / "html" / f"{name}.html"
        assert path.stat().st_size < MAX_AREA_PAGE, (name, path.stat().st_size)
        soup = _soup(path)
        assert not soup.find("img") and not soup.find("script")
        for heading in soup.select("h3.sef-ind"):
            ind = heading["id"].removeprefix("ind-")
            charts, extra = [], []
            for el in heading.find_next_siblings():
                if el.name in {"h2", "h3"}:
                    break
                if el.name == "details":
                    extra += el.select("svg[role=img]")
                else:
                    charts += el.select("svg[role=img]")
            assert len(charts) <= 1, ind  # the trend, when two quarter ends have a value
            rec = records[ind]
            # an extra chart by default only where its finding is a signal
            labels = " ".join(svg["aria-label"] for svg in extra)
            if "process control" in labels:
                assert rec["variation"].startswith("special cause"), ind
            if "ranking" in labels:
                assert rec["vs_neighbours"] in SIGNAL, ind
            if "Funnel plot" in labels:
                assert rec["vs_england"] in SIGNAL, ind


def test_each_table_names_the_edition_of_the_england_figures_it_shows(run_folder):
    """Issue 21: comparators named by edition and period. Each indicator's table on its page
    whose England column has a figure names the DfE file and release it came from; a table
    without one names none."""
    records = {r["indicator_id"]: r for r in read_findings(run_folder / "findings.csv")}
    named = 0
    for name in AREA_PAGES:
        soup = _soup(run_folder / "html" / f"{name}.html")
        for table in soup.select("table[id^=tbl-]"):
            ind = table["id"].removeprefix("tbl-")
            if ind not in records:
                continue
            caption = table.find("caption").get_text(" ", strip=True)
            heads = [th.get_text(strip=True) for th in table.select("thead th")]
            england = heads.index("England") if "England" in heads else None
            figures = [
                row.find_all(["th", "td"])[england].get_text(strip=True)
                for row in table.select("tbody tr")
            ] if england is not None else []  # fmt: skip
            if any(f and f[0].isdigit() for f in figures):
                assert "England and region: " in caption, (ind, caption)
                named += 1
            else:
                assert "England and region: " not in caption, (ind, caption)
    assert named >= 20  # the demo has DfE's figures for over 20 indicators


def test_charts_are_drawn_on_a_signal_only_by_default(run_folder):
    manifest = json.loads((run_folder / "manifest.json").read_text())
    assert manifest["parameters"]["charts"] == "default"
    drawn = {p.stem for p in (run_folder / "charts").glob("*.svg")}
    for rec in read_findings(run_folder / "findings.csv"):
        ind = rec["indicator_id"]
        special = rec["variation"].startswith("special cause")
        assert (f"{ind}_spc" in drawn) == (special and not math.isnan(rec["spc_mean"])), ind
        if f"{ind}_funnel" in drawn:
            assert rec["vs_england"] in SIGNAL, ind
        if f"{ind}_neighbours" in drawn:
            assert rec["vs_neighbours"] in SIGNAL, ind
    assert not any("_by_" in stem for stem in drawn)  # breakdown charts only on request
    assert any(stem.endswith("_spc") for stem in drawn)
    assert any(stem.endswith("_funnel") for stem in drawn)


def test_pages_read_in_order_and_link_the_explanations(run_folder):
    for path in _pages(run_folder):
        soup = _soup(path)
        text = path.read_text(encoding="utf-8")
        assert "file://" not in text and str(run_folder) not in text, path.name
        skip = soup.find("a")
        assert skip["class"] == ["sef-skip"] and skip["href"] == "#main", path.name
        assert soup.find(id="main").name == "main"
        levels = [int(h.name[1]) for h in soup.find_all(re.compile(r"^h[1-6]$"))]
        assert levels[0] == 1 and levels.count(1) == 1, path.name
        assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), (
            path.name,
            levels,
        )
        assert soup.find("a", href=re.compile(r"(\.\./)?about\.html$")), path.name
        for table in soup.find_all("table"):
            assert all(th.get("scope") in {"col", "row"} for th in table.find_all("th"))
            assert all(tr.th is not None for tr in table.tbody.find_all("tr")), path.name
    for name in AREA_PAGES:
        soup = _soup(run_folder / "html" / f"{name}.html")
        backs = soup.select('p.sef-back a[href="#contents"]')
        assert len(backs) >= len(soup.select("h3.sef-ind"))
        nav = soup.find("nav", id="sef-toc")
        assert nav.find("h2", id="contents") and len(nav.find_all("a")) < 15


def test_the_stylesheet_is_the_reports_own(run_folder):
    for path in _pages(run_folder):
        text = path.read_text(encoding="utf-8")
        assert "jp-Notebook" not in text and "--jp-" not in text, path.name
        css = "".join(s.get_text() for s in _soup(path).find_all("style"))
        assert len(css) < 12_000, path.name
        assert "font-size: 1rem" in css and "text-decoration: underline" in css
        assert "size: A4" in css


def test_reviewer_pages_in_plain_words(run_folder):
    quality = _soup(run_folder / "data_quality.html").get_text(" ")
    assert "rows_read" not in quality and "taken_as" not in quality
    assert re.search(r"\d{1,3}(,\d{3})+ rows were read", quality)
    dictionary = _soup(run_folder / "data_dictionary.html").get_text(" ")
    assert "higher_better" not in dictionary and "rate_per_10k" not in dictionary
    files = _soup(run_folder / "files.html")
    names = [a.get_text() for a in files.find_all("a", href=re.compile(r"^tables/.*\.csv$"))]
    assert names and not any(n.endswith(".csv") for n in names)
