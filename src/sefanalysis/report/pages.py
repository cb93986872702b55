"""The run's own pages beside the area reports, in the same stylesheet: the summary
(``index.html``: what is going well and what needs attention, then every indicator at a glance,
from ``findings.csv`` by the rules of :mod:`.summary`), "About these statistics"
(``about.html``), the downloadable files (``files.html``), and the data dictionary in plain
words (``data_dictionary.html``). Every piece of text from the inputs is escaped.

Written by the runner at the end of a run (see ``runner._write_index``); light at import.
"""

from __future__ import annotations

import functools
import html
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..disclosure import NOTE as SUPPRESSION_NOTE

STYLESHEET = Path(__file__).parent / "templates" / "sef" / "sef.css"

e = html.escape
PAGES = {  # the run's pages, as the footer of each lists them
    "index.html": "Summary",
    "about.html": "About these statistics",
    "data_dictionary.html": "Data dictionary",
    "data_quality.html": "Data quality",
    "files.html": "Files to download",
}


@functools.cache
def stylesheet() -> str:
    """The reviewer pages' stylesheet (the area reports include the same file)."""
    return STYLESHEET.read_text(encoding="utf-8")


def page(title: str, body: str, meta: dict[str, str] | None = None, links: bool = True) -> str:
    """A whole page: skip link, header (the authority and period, linking to the summary),
    ``body`` (markup the caller has escaped) as the main content, and a footer linking the
    run's other pages (``links``: pages of a run folder; a page elsewhere has none)."""
    meta = meta or {}
    who = meta.get("authority", "")
    heading = f"Self-evaluation evidence{': ' + who if who else ''}"
    when = (
        f"<p>Period end {e(meta['period_end'])}. Data extracted "
        f"{e(meta.get('extract_date', 'not stated'))}.</p>"
        if meta.get("period_end")
        else ""
    )
    home = f'<a href="index.html">{e(heading)}</a>' if links else e(heading)
    footer = ""
    if links:
        listed = "".join(f'<li><a href="{href}">{name}</a></li>' for href, name in PAGES.items())
        version = (
            f'<p class="sef-meta">sefanalysis {e(meta["version"])}, commit '
            f"{e(meta.get('commit', ''))}; {e(meta.get('mode_note', ''))}.</p>"
            if meta.get("version")
            else ""
        )
        footer = (
            '<footer class="sef-footer"><div class="sef-footer-inner">'
            '<h2 id="about-this-report">About this report</h2>'
            f"<ul>{listed}</ul>{version}</div></footer>"
        )
    return (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)}{': ' + e(who) if who else ''}</title>"
        f"<style>{stylesheet()}</style></head><body>"
        '<a class="sef-skip" href="#main">Skip to main content</a>'
        f'<header class="sef-header"><div class="sef-header-inner"><p>{home}</p>{when}'
        f'</div></header><main id="main" tabindex="-1">{body}</main>{footer}</body></html>'
    )


# --------------------------------------------------------------------------- the summary
def indicator_pages(folder: Path, reports: Iterable[str]) -> dict[str, str]:
    """Where each indicator's section is: ``html/<report>.html#ind-<id>``, read from the
    reports the run wrote (a notebook decides which indicators it shows)."""
    found: dict[str, str] = {}
    for name in reports:
        path = folder / "html" / f"{name}.html"
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8")
        for ident in re.findall(r'<h3 id="ind-([^"]+)"', text):
            found.setdefault(html.unescape(ident), f"html/{name}.html#ind-{ident}")
    return found


def index_page(folder: Path, results: list[Any], meta: dict[str, str], reason: str = "") -> str:
    """The summary (``index.html``): the reports, then what needs attention and what is going
    well, every indicator at a glance, how the items were chosen, and the other pages.
    ``results``: each notebook's result (``name``, ``title``, ``status``, ``error``)."""
    from ..indicators.registry import AREAS
    from .summary import (
        CONCERN,
        LISTS,
        NOTE,
        RULES,
        STRENGTH,
        items_html,
        overview_table,
        read_findings,
        summary_items,
    )

    authority = meta.get("authority", "")
    parts = [f"<h1>Self-evaluation evidence: {e(authority)}</h1>"]
    if reason:
        parts.append(f'<p class="sef-warning">This run FAILED: {e(reason)}</p>')
    reports = []
    for r in results:
        if r.status == "ok":
            reports.append(f'<li><a href="html/{e(r.name)}.html">{e(r.title)}</a></li>')
        elif r.status == "not run":
            reports.append(f"<li>{e(r.title)}: not run</li>")
        else:
            reports.append(f"<li>{e(r.title)}: FAILED ({e(r.error)})</li>")
    findings = folder / "findings.csv"
    records = read_findings(findings) if findings.exists() else []
    parts.append(
        f'<p class="sef-lead">Key findings for the period ending {e(meta.get("period_end", ""))}'
        f", from {len(records)} indicators: what needs attention and what is going well, each "
        "with its figure, its comparator and a link to its detail, then every indicator at a "
        'glance. How the items are chosen is set out <a href="#how-chosen">below</a>; how to '
        'read the statistics is in <a href="about.html">About these statistics</a>.</p>'
        f'<h2 id="reports">The reports</h2><ul>{"".join(reports)}</ul>'
    )
    links = indicator_pages(folder, [r.name for r in results if r.status == "ok"])
    if not records:
        parts.append("<p>No findings were written by this run, so there is no summary.</p>")
    else:
        lists = summary_items(records)
        anchors = {CONCERN: "needs-attention", STRENGTH: "going-well", NOTE: "other-changes"}
        for way in (CONCERN, STRENGTH, NOTE):
            if way == NOTE and not lists[way]:
                continue
            parts.append(f'<h2 id="{anchors[way]}">{LISTS[way]}</h2>')
            parts.append(
                items_html(lists[way], links.get)
                if lists[way]
                else "<p>No indicator meets the rules for this list.</p>"
            )
        parts.append('<h2 id="at-a-glance">All indicators at a glance</h2>')
        parts.append(
            "<p>One row per indicator: the latest value, the change on a year (▲ increase, ▼ "
            "decrease, ● no significant change), any special-cause variation in the latest "
            "month, and the comparison with England, the region and the statistical "
            "neighbours' average (✔ better, ● similar, ✘ worse; ▲ higher or ▼ lower where "
            "neither is better).</p>"
        )
        for area, name in AREAS.items():
            table = overview_table(records, area, links.get, f"tbl-overview-{area}")
            if table:
                parts.append(f"<h3>{e(name)}</h3>{table}")
    parts.append('<h2 id="how-chosen">How the items are chosen</h2>')
    parts.append("".join(f"<p>{e(rule)}</p>" for rule in RULES))
    parts.append(
        '<h2 id="more">More</h2><ul><li><a href="about.html">About these statistics</a>: '
        "intervals, significance, control charts, funnel plots, bands and markers</li>"
        '<li><a href="data_quality.html">Data quality</a>: what was read and any problem '
        'found</li><li><a href="data_dictionary.html">Data dictionary</a>: what each '
        'indicator counts</li><li><a href="files.html">Files to download</a>: the workbook, '
        "the Word draft of the evidence annex, tables, charts and findings</li></ul>"
    )
    return page("Summary", "".join(parts), meta)


# --------------------------------------------------------------------------- files
def files_page(folder: Path, meta: dict[str, str]) -> str:
    """The downloadable files, by readable name (the index once listed them by file name):
    the workbook, the Word draft, the findings, the dictionary, then each table by the title
    in its description (``tables/<name>.json``)."""
    tables = folder / "tables"
    books = sorted(tables.glob("*.xlsx")) if tables.is_dir() else []
    csvs = sorted(tables.glob("*.csv")) if tables.is_dir() else []
    items = [
        f'<li><a href="tables/{e(p.name)}">Every table in one workbook (Excel)</a></li>'
        for p in books
    ]
    items += [
        f'<li><a href="{e(p.name)}">A draft of the evidence annex (Word)</a></li>'
        for p in sorted(folder.glob("evidence_annex_*.docx"))
    ]
    if (folder / "findings.csv").exists():
        items.append(
            '<li><a href="findings.csv">The findings: one row of facts per indicator, with the '
            "sentence each page shows (CSV)</a></li>"
        )
    items.append(
        '<li><a href="data_dictionary.csv">The data dictionary (CSV)</a></li>'
        if (folder / "data_dictionary.csv").exists()
        else ""
    )
    n_charts = len(list((folder / "charts").glob("*.svg"))) if (folder / "charts").is_dir() else 0
    body = (
        "<h1>Files to download</h1>"
        "<p>Everything the reports show, as files for the annual report and for checking: "
        "numbers in CSV (opens in Excel) and each chart as PNG and SVG with the data behind it "
        f"as CSV ({n_charts} charts in the charts folder).</p>"
        f"<h2>The whole run</h2><ul>{''.join(items)}</ul>"
        "<h2>Each table (CSV)</h2><ul>"
        + "".join(f'<li><a href="tables/{e(p.name)}">{e(table_title(p))}</a></li>' for p in csvs)
        + "</ul>"
    )
    return page("Files to download", body, meta)


def table_title(path: Path) -> str:
    """A table's title from its description beside it, else its file name in words."""
    try:
        title = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))["title"]
    except (OSError, ValueError, KeyError, TypeError):
        title = ""
    return str(title) or path.stem.replace("_", " ").capitalize()


# --------------------------------------------------------------------------- about
def about_page(meta: dict[str, str]) -> str:
    """How to read the statistics, in plain English (intervals, significance, control
    charts, funnel plots, bands, targets, markers, sources), and the rules of the sentences
    and the summary."""
    from ..wording import RULES as SENTENCE_RULES
    from .summary import RULES as SUMMARY_RULES

    sections = [
        (
            "what-the-reports-show",
            "What the reports show",
            [
                "There is one report for each area the inspectors judge: help and protection, "
                "children in care and care leavers, and the impact of leaders. Each starts with "
                "a table of every indicator at a glance, then gives each indicator a sentence, a "
                "chart of the last eight quarter ends with England, the region and the "
                "statistical neighbours' average where published, and the figures behind the "
                "chart.",
                "Flow measures, such as referrals, count events in the 12 months to the end of "
                "a quarter (a rolling year). Snapshot measures, such as children on a plan, "
                "count what was open at the end of that day.",
            ],
        ),
        (
            "intervals",
            "Confidence intervals",
            [
                "A figure for one authority in one year is partly chance: with few children a "
                "percentage can move a lot from year to year for no underlying reason. The 95% "
                "confidence interval is the range within which the underlying figure is likely "
                "to lie. Intervals are Wilson intervals for percentages, Byar's or exact "
                "intervals for rates per 10,000 children, and intervals of the mean or median "
                "for averages. Counts and workforce figures in full-time equivalents have "
                "none.",
            ],
        ),
        (
            "significance",
            "Change on a year and significance",
            [
                "A change on a year is called an increase or a decrease only where it is "
                "statistically significant: the 95% interval of the change does not include no "
                "change. The words 'getting better' or 'getting worse' follow from whether a "
                "higher value is better for that indicator. Otherwise the sentence says 'no "
                "significant change', or why the change is not tested.",
                "In the tables, ▲ marks a significant increase, ▼ a significant decrease and ● "
                "no significant change; the colour (green for better, red for worse) is never "
                "the only sign.",
            ],
        ),
        (
            "spc",
            "Monthly variation: statistical process control",
            [
                "A control chart plots the last 24 months' values with their average (the "
                "centre line) and process limits, which show how far the figure usually moves "
                "from month to month (NHS England's 'Making Data Count' method). A month within "
                "the limits is common-cause variation: the usual ups and downs. Special-cause "
                "variation is a sign that something has changed: a month beyond a limit, 7 or "
                "more months in a row on one side of the average or each higher (or lower) "
                "than the one before, or two of three months close to a limit.",
                "On the charts and in the tables ▲ marks special-cause improvement, ▼ "
                "special-cause concern and ◆ special-cause variation where neither direction "
                "is better. The reports describe the latest month only. No chart is drawn "
                "where fewer than 12 months have a value or a typical month has fewer than 5 "
                "events.",
            ],
        ),
        (
            "comparisons",
            "Comparisons with England, the region and statistical neighbours",
            [
                "Each indicator is compared with England, the authority's region and the "
                "average of its statistical neighbours (the authorities most like it, as the "
                "Department for Education groups them) for the latest period the Department "
                "has published, using this authority's own value for that same period.",
                "✔ better and ✘ worse mean the comparator's value lies outside this "
                "authority's 95% interval, in the better or worse direction; ● similar means "
                "it lies inside. Where neither higher nor lower is better, ▲ higher and ▼ "
                "lower are used instead. Counts are not compared between authorities of "
                "different sizes.",
            ],
        ),
        (
            "funnel",
            "Funnel plots",
            [
                "A funnel plot shows every authority's value against its size (the number of "
                "children or events the figure is out of). The funnel lines are the 95% and "
                "99.8% limits around England's value: a small authority's figure can be further "
                "from England's by chance alone, so the funnel is wider on the left. An "
                "authority outside the funnel is unlikely to differ from England by chance.",
            ],
        ),
        (
            "bands",
            "Rankings and quartile bands",
            [
                "Rank 1 is the best of all authorities with a published value. Band A is the "
                "best quarter of authorities, B the next, then C, and D the quarter with the "
                "least good values. Where neither higher nor lower is better, the quarter is "
                "given in words instead (for example 'second-highest 25%'). The ranking chart "
                "shows the authority among its statistical neighbours, best first.",
            ],
        ),
        (
            "targets",
            "Targets and red, amber and green",
            [
                "Where the authority has set a local target, the latest value is rated green "
                "(meets the target), amber (within the tolerance the authority set) or red "
                "(misses it). Where a control chart exists, the sentence also says whether its "
                "process limits show the target is consistently met, consistently missed, or "
                "sometimes met and sometimes missed.",
            ],
        ),
        (
            "markers",
            "Markers in tables",
            [
                f"{SUPPRESSION_NOTE}",
                "[c] in a table: suppressed (confidential), as the note above says.",
                "[x]: not available: the data cannot support a value, or nothing was published "
                "for that period.",
                "[z]: not applicable: the figure does not exist for this measure (the "
                "numerator of a count, the interval of a workforce figure).",
                "– (a dash): no value, for example where the data does not cover the period, "
                "or where nothing is published for the comparator.",
                "'not compared', 'not assessed' or 'not tested': the comparison, the monthly "
                "variation or the test of change does not apply, and the sentence says why.",
            ],
        ),
        (
            "sources",
            "Sources",
            [
                "The authority's own data: the Ofsted Annex A lists, the SSDA903 return of "
                "children looked after, the children in need census where supplied, and local "
                "workforce, audit and complaints records. Comparators are the Department for "
                "Education's published statistics (children in need, children looked after, "
                "care leavers and the children's social work workforce). Each indicator's "
                "definition and source are in the data dictionary.",
            ],
        ),
        ("how-decided", "How the sentences are decided", list(SENTENCE_RULES)),
        ("how-chosen", "How the summary's items are chosen", list(SUMMARY_RULES)),
    ]
    contents = "".join(f'<li><a href="#{i}">{e(t)}</a></li>' for i, t, _ in sections)
    body = (
        "<h1>About these statistics</h1>"
        '<p class="sef-lead">How to read the figures in these reports, in plain English.</p>'
        '<nav class="sef-toc" aria-labelledby="contents"><h2 id="contents">Contents</h2>'
        f"<ul>{contents}</ul></nav>"
        + "".join(
            f'<h2 id="{i}">{e(t)}</h2>' + "".join(f"<p>{e(p)}</p>" for p in paras)
            for i, t, paras in sections
        )
    )
    return page("About these statistics", body, meta)


# --------------------------------------------------------------------------- dictionary
UNITS = {
    "pct": "a percentage",
    "rate_per_10k": "a rate per 10,000 children aged 0 to 17",
    "count": "a number",
    "days": "a number of working days",
    "score": "a score",
    "fte": "full-time equivalent posts",
    "ratio": "cases per full-time equivalent social worker",
}
POLARITY = {
    "higher_better": "Higher is better",
    "lower_better": "Lower is better",
    "neutral": "Neither higher nor lower is better in itself",
}


def dictionary_page(meta: dict[str, str]) -> str:
    """Every indicator in plain words, by judgement area: what it counts, out of what, how it
    is measured, which way is better, the period, the source and what it is compared with.
    The same registry as ``data_dictionary.csv`` (which keeps the analysts' ids and fields)."""
    from ..indicators.registry import AREAS, data_dictionary

    frame = data_dictionary()
    areas = [a for a in AREAS if (frame["area"] == a).any()]
    contents = "".join(f'<li><a href="#area-{a}">{e(AREAS[a])}</a></li>' for a in areas)
    parts = [
        "<h1>Data dictionary</h1>",
        '<p class="sef-lead">What each indicator in the reports counts, and where it comes '
        'from. How to read the figures is in <a href="about.html">About these '
        "statistics</a>.</p>",
        f'<nav class="sef-toc" aria-labelledby="contents"><h2 id="contents">Contents</h2>'
        f"<ul>{contents}</ul></nav>",
    ]
    for area in areas:
        parts.append(f'<h2 id="area-{e(area)}">{e(AREAS[area])}</h2>')
        for rec in frame.loc[frame["area"] == area].to_dict("records"):
            rows = [
                ("What it counts", rec["numerator"] or "A count"),
                ("Out of", rec["denominator"]),
                ("Measured as", UNITS.get(rec["unit"], rec["unit"])),
                ("Which way is better", POLARITY.get(rec["polarity"], "")),
                (
                    "Period",
                    "Events in the 12 months to the period end"
                    if rec["kind"] == "flow"
                    else "What was open at the end of the period end day"
                    + (" (at the data extract only)" if rec["extract_only"] else ""),
                ),
                ("Source", rec["source"]),
                ("Compared with", rec["publication"]),
                ("Notes", rec["exclusions"]),
            ]
            items = "".join(
                f"<dt>{e(name)}</dt><dd>{e(str(text))}</dd>" for name, text in rows if text
            )
            parts.append(
                f'<h3 id="{e(rec["id"])}">{e(rec["title"])}</h3><dl class="sef-dl">{items}</dl>'
            )
    return page("Data dictionary", "".join(parts), meta)
