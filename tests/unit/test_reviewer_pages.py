"""Issue 18, piece by piece: the summary's rules on findings records, the overview table, the
reviewer pages' markup (inline charts, tables with row headers, contents), the run's own
pages (about, dictionary, data quality) and the ``--charts`` option."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from sefanalysis.errors import SefError
from sefanalysis.findings import COLUMNS
from sefanalysis.key_findings import NUMBERS
from sefanalysis.report.area import CHART_KINDS, chart_kinds
from sefanalysis.report.display import share_definitions, svg_markup, table_html
from sefanalysis.report.export import add_toc
from sefanalysis.report.summary import (
    CONCERN,
    LIMIT,
    NOTE,
    STRENGTH,
    items_html,
    overview_table,
    read_findings,
    signals,
    summary_items,
)

HOSTILE = '<script>alert("x")</script>'


def record(**fields: object) -> dict:
    """A findings record with nothing to say, as ``build_findings`` gives one."""
    rec: dict[str, object] = {c: "" for c in COLUMNS}
    numbers = [c for c in COLUMNS if c in NUMBERS]
    rec.update(dict.fromkeys(numbers, math.nan))
    rec.update(
        indicator_id="x_pct",
        title="Things done on time",
        area="help_protection",
        unit="pct",
        polarity="higher_better",
        kind="flow",
        period_end=pd.Timestamp("2024-12-31"),
        period="in the year to December 2024",
        value=80.0,
        suppressed=False,
        suppressed_year_earlier=False,
        change_significant=False,
        variation="not assessed",
        comparator_period=pd.NaT,
        variation_month=pd.NaT,
        england_period=pd.NaT,
        suppressed_at_comparator_period=False,
        neighbours_count=0,
        n_ranked=0,
        spc_months=0,
    )
    rec.update(fields)
    return rec


def compared(**fields: object) -> dict:
    """A record compared with England, the region and 10 neighbours for the year to March."""
    base = dict(
        comparator_period=pd.Timestamp("2024-03-31"),
        comparator_period_label="year to March 2024",
        value_at_comparator_period=79.0,
        england_value=85.0,
        region_name="Northern region",
        region_value=84.0,
        neighbours_value=83.0,
        neighbours_count=10,
        vs_england="worse",
        vs_region="worse",
        vs_neighbours="similar",
    )
    return record(**{**base, **fields})


# ------------------------------------------------------------------ the rules
def test_a_red_rating_needs_attention_and_green_is_going_well_amber_neither():
    red = record(target=85.0, rag="Red: misses the target")
    green = record(target=75.0, rag="Green: meets the target")
    amber = record(target=81.0, rag="Amber: within tolerance of the target")
    assert [(s.kind, s.direction) for s in signals(red)] == [("target", CONCERN)]
    assert [(s.kind, s.direction) for s in signals(green)] == [("target", STRENGTH)]
    assert signals(amber) == []
    assert "the local target is 85.0% (red: misses the target)" in signals(red)[0].text


def test_special_cause_and_significant_change_follow_the_record():
    rec = record(
        variation="special cause concern",
        variation_value=70.0,
        variation_month=pd.Timestamp("2024-12-31"),
        change_significant=True,
        change=-6.0,
        value_year_earlier=86.0,
        trend="decreasing, getting worse",
    )
    found = signals(rec)
    assert [(s.kind, s.direction) for s in found] == [("variation", CONCERN), ("change", CONCERN)]
    assert "in December 2024 the monthly figure of 70.0% showed special-cause variation" in (
        found[0].text
    )
    assert found[1].text == "a significant decrease from 86.0% a year earlier"
    # a change that is not significant, and common-cause variation, say nothing
    assert signals(record(trend="no significant change", variation="common cause")) == []


def test_comparisons_name_the_period_and_this_authoritys_value_then():
    found = signals(compared(vs_neighbours="better"))
    assert [(s.kind, s.direction) for s in found] == [
        ("comparison", CONCERN),
        ("comparison", STRENGTH),
    ]
    assert found[0].text == (
        "in the year to March 2024 its figure of 79.0% was worse than England (85.0%) and the "
        "Northern region (84.0%)"
    )
    assert found[1].text.endswith("better than its statistical neighbours' average (83.0%)")


def test_neutral_indicators_are_only_other_changes_to_note():
    rec = compared(
        polarity="neutral",
        vs_england="lower",
        vs_region="similar",
        vs_neighbours="higher",
        unit="rate_per_10k",
        neighbours_value=75.0,
    )
    lists = summary_items([rec])
    assert lists[CONCERN] == [] and lists[STRENGTH] == []
    assert [i.indicator_id for i in lists[NOTE]] == ["x_pct"]
    assert lists[NOTE][0].text.endswith(
        "its figure of 79.0 per 10,000 was higher than its statistical neighbours' average "
        "(75.0 per 10,000) and lower than England (85.0 per 10,000)."
    )


def test_a_suppressed_value_gives_no_reason():
    rec = record(value=math.nan, suppressed=True, rag="", trend="", vs_england="")
    assert signals(rec) == []
    assert summary_items([rec]) == {CONCERN: [], STRENGTH: [], NOTE: []}


def test_an_indicator_can_be_in_both_lists_with_its_own_reasons():
    rec = compared(target=75.0, rag="Green: meets the target")
    lists = summary_items([rec])
    assert [s.kind for s in lists[STRENGTH][0].signals] == ["target"]
    assert [s.kind for s in lists[CONCERN][0].signals] == ["comparison"]


def test_each_list_keeps_those_with_most_reasons_then_shows_them_in_sef_order():
    many = [
        record(indicator_id=f"c{i}", area="leadership", target=90.0, rag="Red: misses the target")
        for i in range(LIMIT + 2)
    ]
    strong = compared(
        indicator_id="strong", area="care_leavers", target=90.0, rag="Red: misses the target"
    )  # two reasons
    first = record(
        indicator_id="first", area="help_protection", target=90.0, rag="Red: misses the target"
    )
    chosen = summary_items([*many, strong, first])[CONCERN]
    ids = [i.indicator_id for i in chosen]
    assert len(ids) == LIMIT and "strong" in ids and "first" in ids
    assert ids[0] == "first" and ids[1] == "strong"  # help and protection, then care leavers
    assert ids[2:] == [f"c{i}" for i in range(LIMIT - 2)]  # registry order within an area


def test_worse_than_more_comparators_ranks_first_among_equals():
    # care leavers in education or work worse than England, region and neighbours was left
    # out for one worse than the neighbours only, earlier in the registry
    one = [compared(indicator_id=f"one{i}", area="help_protection", vs_england="similar",
                    vs_region="similar", vs_neighbours="worse") for i in range(LIMIT)]  # fmt: skip
    three = compared(indicator_id="three", area="care_leavers", vs_neighbours="worse")
    ids = [i.indicator_id for i in summary_items([*one, three])[CONCERN]]
    assert len(ids) == LIMIT and ids[-1] == "three"  # chosen, then shown in SEF order


def test_items_cite_their_indicator_and_reasons_and_escape_text():
    rec = record(title=HOSTILE, target=85.0, rag="Red: misses the target")
    markup = items_html(summary_items([rec])[CONCERN], lambda i: f"html/a.html#ind-{i}")
    soup = BeautifulSoup(markup, "html.parser")
    item = soup.find("li")
    assert item["data-indicator"] == "x_pct" and item["data-signals"] == "target:concern"
    assert item.a["href"] == "html/a.html#ind-x_pct" and item.a.get_text() == HOSTILE
    assert "<script>" not in markup and soup.find("h3").get_text() == "Help and protection"


# ------------------------------------------------------------------ the overview table
def test_the_overview_has_row_headers_words_and_shapes_and_drops_empty_columns():
    rows = [compared(indicator_id="a", title="A <b>"), record(indicator_id="b", title="B")]
    soup = BeautifulSoup(
        overview_table(rows, "help_protection", lambda i: f"#ind-{i}", "t"), "html.parser"
    )
    headers = [th.get_text() for th in soup.thead.find_all("th")]
    assert "Target" not in headers  # no indicator has one
    assert all(th["scope"] == "col" for th in soup.thead.find_all("th"))
    first, second = soup.tbody.find_all("tr")
    assert first.th["scope"] == "row" and first.th.a.get_text() == "A <b>"
    england = first.find_all("td")[3]
    assert england.get_text(" ", strip=True) == "85.0% ✘ worse"
    assert england.find(attrs={"aria-hidden": "true"}).get_text() == "✘"  # shape: not read out
    # no comparator: one cell says so across the comparator columns
    cell = second.find_all("td")[-1]
    assert cell["colspan"] == "4" and cell.get_text() == "No published comparator"


def test_findings_csv_reads_back_as_the_records_it_was_written_from(tmp_path):
    rec = compared(
        change_significant=True,
        change=2.5,
        value_year_earlier=77.5,
        trend="increasing, getting better",
    )
    frame = pd.DataFrame([rec], columns=list(COLUMNS))
    frame.to_csv(tmp_path / "findings.csv", index=False)
    back = read_findings(tmp_path / "findings.csv")[0]
    assert back["change_significant"] is True and back["suppressed"] is False
    assert back["comparator_period"] == pd.Timestamp("2024-03-31")
    assert math.isnan(back["target"]) and back["rag"] == ""
    assert summary_items([back]) == summary_items([rec])


# ------------------------------------------------------------------ markup
SVG = b"""<?xml version="1.0" encoding="utf-8" standalone="no"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns:xlink="http://www.w3.org/1999/xlink" width="570.021642pt" height="295.632pt"
 viewBox="0 0 570.021642 295.632" xmlns="http://www.w3.org/2000/svg" version="1.1">
 <metadata><rdf:RDF>creator</rdf:RDF></metadata>
 <defs><clipPath id="p0a1b2c3d4e"><rect x="54.84" y="62.515047" width="420.3" height="209.9"/>
 </clipPath></defs>
 <g id="figure_1"><g id="text_1"><!-- 2023 Q1 -->
  <g transform="translate(58.863125 286.269891) scale(0.09 -0.09)"><defs>
   <path id="DejaVuSans-32" d="M 1228 531 L 3431 531 z" transform="scale(0.015625)"/>
  </defs><use xlink:href="#DejaVuSans-32"/></g></g>
  <g id="line2d_1" clip-path="url(#p0a1b2c3d4e)"><text x="1.5">12.345</text></g></g>
</svg>
"""


def test_an_inline_chart_is_named_by_its_alt_text_and_keeps_only_what_it_needs():
    markup = svg_markup(SVG, 'Line chart of "x" <rising>')
    assert markup.startswith('<svg role="img" aria-label="Line chart of &quot;x&quot; &lt;rising')
    assert "<?xml" not in markup and "DOCTYPE" not in markup and "metadata" not in markup
    assert "<!--" not in markup and 'id="figure_1"' not in markup and 'id="text_1"' not in markup
    assert 'id="p0a1b2c3d4e"' in markup and 'id="DejaVuSans-32"' in markup  # referred to
    assert 'width="570.0pt"' in markup and "translate(58.8 286.2)" in markup
    assert "scale(0.015625)" in markup  # scale factors are exact
    assert ">12.345<" in markup  # text is never rounded
    assert 'href="#DejaVuSans-32"' in markup and "xlink:href" not in markup


def test_definitions_are_shared_once_per_page():
    charts = [svg_markup(SVG, "Line chart number one"), svg_markup(SVG, "Line chart number 2")]
    page = share_definitions("<html><body>" + "".join(charts) + "</body></html>")
    assert page.count('id="DejaVuSans-32"') == 1 and page.count('id="p0a1b2c3d4e"') == 1
    sprite = re.search(r'<svg aria-hidden="true"[^>]*>.*?</svg></body>', page, re.S)
    assert sprite is not None and 'id="DejaVuSans-32"' in sprite.group(0)
    assert page.count('href="#DejaVuSans-32"') == 2


def test_tables_have_column_and_row_headers_and_align_numbers():
    frame = pd.DataFrame(
        {"Period": ["Year to March 2024", HOSTILE], "Value": ["20.4%", "[c]"], "Note": ["a", None]}
    )
    soup = BeautifulSoup(table_html(frame, "Caption", "tbl-x"), "html.parser")
    assert soup.table["id"] == "tbl-x" and soup.caption.get_text() == "Caption"
    assert [th["scope"] for th in soup.find_all("th")] == ["col"] * 3 + ["row"] * 2
    assert [td.get("class") for td in soup.tbody.tr.find_all("td")] == [["sef-num"], None]
    assert soup.tbody.find_all("tr")[1].th.get_text() == HOSTILE
    assert soup.tbody.find_all("tr")[1].find_all("td")[1].get_text() == "–"


def test_indicator_headings_stay_out_of_the_contents():
    page = (
        '<h1>T</h1><nav class="sef-toc" id="sef-toc" aria-labelledby="contents"></nav>'
        '<h2 id="glance">At a glance</h2><h3 id="ind-a" class="sef-ind">A</h3>'
        '<h3 id="dist-b">B by age</h3>'
    )
    nav = BeautifulSoup(add_toc(page), "html.parser").find(id="sef-toc")
    assert [a["href"] for a in nav.find_all("a")] == ["#glance", "#dist-b"]
    assert nav.h2["id"] == "contents"


# ------------------------------------------------------------------ charts on request
def test_the_charts_option_takes_all_a_list_or_nothing():
    assert chart_kinds(None) == chart_kinds("default") == chart_kinds("") == ()
    assert chart_kinds("all") == CHART_KINDS
    assert chart_kinds("funnel, SPC") == ("spc", "funnel")
    assert chart_kinds(["ranking", "breakdowns"]) == ("ranking", "breakdowns")
    with pytest.raises(SefError, match="'trends' not known: give 'all', 'default'"):
        chart_kinds("spc,trends")


def test_a_bad_charts_option_is_one_line_and_runs_nothing(tmp_path, capsys):
    from sefanalysis.cli import main

    status = main(
        [
            "run",
            "--period-end",
            "2024-12-31",
            "--data",
            str(tmp_path / "none"),
            "--out",
            str(tmp_path / "out"),
            "--charts",
            "pie",
        ]
    )
    err = capsys.readouterr().err
    assert status == 2 and "'pie' not known" in err and "\n" not in err.strip()
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------ the run's own pages
def test_about_and_dictionary_pages_explain_in_plain_words():
    from sefanalysis.report.pages import about_page, dictionary_page

    meta = {"authority": HOSTILE, "period_end": "31 December 2024", "version": "0.1"}
    about = about_page(meta)
    for words in (
        "95% confidence interval",
        "special-cause variation",
        "funnel",
        "Band A",
        "[c] = suppressed",
        "How the sentences are decided",
    ):
        assert words in html_text(about), words
    dictionary = dictionary_page(meta)
    assert "Lower is better" in html_text(dictionary) and "polarity" not in html_text(dictionary)
    for page in (about, dictionary):
        assert "<script>" not in page and "&lt;script&gt;" in page
        soup = BeautifulSoup(page, "html.parser")
        assert soup.find("a", class_="sef-skip")["href"] == "#main" and soup.main["id"] == "main"
        assert soup.find("a", href="about.html") is not None


def html_text(page: str) -> str:
    return BeautifulSoup(page, "html.parser").get_text(" ")


def test_the_data_quality_page_says_when_nothing_was_wrong(make_dataset, tmp_path):
    from sefanalysis.quality import write_reports

    ds = make_dataset({"referrals": [{"child_id": "A", "referral_date": "2024-02-01"}]})
    ds.log.problems.clear()  # (the lists not supplied are problems too)
    write_reports(ds, tmp_path / "run", tmp_path / "run" / "analyst")
    page = (tmp_path / "run" / "data_quality.html").read_text()
    assert "No problems were found in the data." in html_text(page)
    assert "rows_read" not in page and "taken_as" not in page  # no raw column names
    assert (tmp_path / "run" / "analyst" / "data_quality.html").exists()  # analysts' detail
    ds.log.add(
        "warning",
        "invalid value",
        "/data/x.csv",
        row=2,
        column="Date",
        value="x",
        expected="a date",
    )
    for _ in range(1233):
        ds.log.add("warning", "invalid value", "/data/x.csv", row=3, column="Date")
    write_reports(ds, tmp_path / "run", tmp_path / "run" / "analyst")
    text = html_text((tmp_path / "run" / "data_quality.html").read_text())
    assert "1,234 problem(s) were found" in text and "Invalid value" in text
    assert "Left out of the measures it affects" in text
