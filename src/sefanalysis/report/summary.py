"""The summary a councillor reads first: what is going well and what needs attention (the
items chosen by :mod:`sefanalysis.key_findings`, which the Word draft lists too), and the
Fingertips-style overview table of every indicator, as markup. Pure functions of the findings
records; the pages are written by :mod:`.pages` and the sections.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import pandas as pd

from ..disclosure import MARKER
from ..indicators.registry import AREAS
from ..key_findings import (  # noqa: F401  (the summary's rules and items, for its callers)
    CONCERN,
    LIMIT,
    LISTS,
    NOTE,
    NOTES_LIMIT,
    RULES,
    STRENGTH,
    Item,
    figure_of,
    is_missing,
    read_findings,
    signals,
    summary_items,
)
from .display import table_markup

# shape and colour beside each word (the word is always there: colour never carries meaning alone)
MARKS = {
    "better": ("✔", "sef-better"),
    "worse": ("✘", "sef-worse"),
    "similar": ("●", "sef-similar"),
    "higher": ("▲", "sef-neutral"),
    "lower": ("▼", "sef-neutral"),
}


# --------------------------------------------------------------------------- markup
Link = Callable[[str], str | None]


def items_html(items: list[Item], link: Link, level: int = 3) -> str:
    """A list's items grouped by judgement area (a heading each), each linking to its
    indicator's detail; ``data-indicator`` and ``data-signals`` say what the item cites."""
    out = []
    for area, name in AREAS.items():
        mine = [i for i in items if i.area == area]
        if not mine:
            continue
        out.append(f'<h{level}>{html.escape(name)}</h{level}><ul class="sef-items">')
        for it in mine:
            target = link(it.indicator_id)
            title = html.escape(it.title)
            named = f'<a href="{html.escape(target, quote=True)}">{title}</a>' if target else title
            rest = html.escape(it.text[len(it.title) :])
            kinds = " ".join(f"{s.kind}:{s.direction}" for s in it.signals)
            out.append(
                f'<li data-indicator="{html.escape(it.indicator_id, quote=True)}" '
                f'data-signals="{kinds}">{named}{rest}</li>'
            )
        out.append("</ul>")
    return "".join(out)


def _mark(word: str) -> str:
    """A comparison word with its shape (hidden from screen readers: the word says it) and
    colour."""
    shape, css = MARKS[word]
    return (
        f'<span class="{css}"><span class="sef-shape" aria-hidden="true">{shape}</span> '
        f"{html.escape(word)}</span>"
    )


def _trend_mark(trend: str) -> str:
    """The mark of a trend's words: better/worse by polarity, else higher/lower, else similar."""
    if "getting better" in trend:
        return "better"
    if "getting worse" in trend:
        return "worse"
    if trend.startswith("increasing"):
        return "higher"
    if trend.startswith("decreasing"):
        return "lower"
    return "similar" if trend == "no significant change" else ""


def _trend_html(trend: str) -> str:
    mark = _trend_mark(trend)
    if not mark:
        return html.escape(trend) if trend else "–"
    shape, css = MARKS[mark]
    if mark in {"better", "worse"}:  # the shape says which way it moved
        shape = "▲" if trend.startswith("increasing") else "▼"
    return (
        f'<span class="{css}"><span class="sef-shape" aria-hidden="true">{shape}</span> '
        f"{html.escape(trend)}</span>"
    )


def _compared(rec: dict, vs: str, value: str) -> str:
    figure = figure_of(rec, value)
    word = rec[vs]
    if word in MARKS:
        return f"{html.escape(figure)}<br>{_mark(word)}"
    if is_missing(rec[value]):
        return "–"
    return html.escape(figure) + (f"<br>{html.escape(word)}" if word else "")


def _latest(rec: dict) -> str:
    if rec["suppressed"]:
        return MARKER
    return html.escape(figure_of(rec, "value"))


def _change_cell(rec: dict) -> str:
    cell = _trend_html(rec["trend"])
    variation = rec["variation"]
    if variation.startswith("special cause"):
        shape = {"special cause concern": "▼", "special cause improvement": "▲"}.get(variation, "◆")
        cell += (
            f'<br><span class="sef-signal"><span aria-hidden="true">{shape}</span> '
            f"latest month: {html.escape(variation.replace('special cause', 'special-cause'))}"
            "</span>"
        )
    return cell


def overview_table(records: list[dict], area: str, link: Link, table_id: str) -> str:
    """Every indicator of ``area`` in one row: its latest value (and target), the change on a
    year and any special-cause variation of the latest month, the period compared with this
    authority's value for it, and England, the region and the neighbours' average with the
    comparison in a word and a shape as well as colour. Columns with nothing in any row are
    left out."""
    mine = [r for r in records if r["area"] == area]
    if not mine:
        return ""
    with_target = any(not is_missing(r["target"]) for r in mine)
    header = [
        "Indicator",
        "Latest",
        *(["Target"] if with_target else []),
        "Change on a year",
        "Compared for",
        "England",
        "Region",
        "Statistical neighbours (average)",
    ]
    rows = []
    for rec in mine:
        target = link(rec["indicator_id"])
        title = html.escape(rec["title"])
        named = f'<a href="{html.escape(target, quote=True)}">{title}</a>' if target else title
        row = [named, _latest(rec)]
        if with_target:
            rag = rec["rag"].split(":")[0] if rec["rag"] else ""
            row.append(
                "–"
                if is_missing(rec["target"])
                else html.escape(figure_of(rec, "target"))
                + (f"<br>{html.escape(rag)}" if rag else "")
            )
        row.append(_change_cell(rec))
        if is_missing(rec["comparator_period"]):
            note = rec["comparator_note"] or "no published comparator"
            row.append(html.escape(note[:1].upper() + note[1:]))  # spans the comparator columns
        else:
            then = (
                MARKER
                if rec["suppressed_at_comparator_period"]
                else figure_of(rec, "value_at_comparator_period")
            )
            period = rec["comparator_period_label"]
            row += [
                html.escape(f"{period[:1].upper()}{period[1:]}: {then}"),
                _compared(rec, "vs_england", "england_value"),
                _compared(rec, "vs_region", "region_value"),
                _compared(rec, "vs_neighbours", "neighbours_value"),
            ]
        rows.append(row)
    end = pd.Timestamp(mine[0]["period_end"])
    caption = (
        f"{AREAS[area]}: every indicator. Latest: the year to {end:%B %Y} (flows) or at "
        f"{end.day} {end:%B %Y} (snapshots). Comparisons are for the period compared, on this "
        "authority's value for that period."
    )
    return table_markup(html.escape(caption), table_id, header, rows, numeric=set())
