"""Display helpers used by notebooks: figures with real alt text, captioned tables, headings.

nbconvert's exporter ignores image alt metadata and writes "No description has been provided
for this image"; we therefore emit the ``<figure><img alt>`` markup ourselves.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from IPython.display import HTML, display

if TYPE_CHECKING:  # not imported at run time: replaying cached sections needs neither
    import pandas as pd

    from ..charts import Chart

# what the show_* helpers display and the files they write, while recording (see ``recording``)
Event = tuple[str, str, bytes]  # ("html", markup, b"") or ("file", path, content)
_recordings: list[list[Event]] = []
_pending: list[str] | None = None  # markup held for one output (see ``one_output``)


def emit(markup: str) -> None:
    """Display ``markup`` in the notebook."""
    for events in _recordings:
        events.append(("html", markup, b""))
    if _pending is not None:
        _pending.append(markup)
    else:
        display(HTML(markup))


@contextmanager
def one_output() -> Iterator[None]:
    """Display what is emitted inside the block as a single notebook output at its end. A
    section's heading, sentence, charts and tables as separate outputs made the kernel, papermill
    and nbconvert handle five times as many messages; the page looks the same."""
    global _pending
    if _pending is not None:  # already inside one
        yield
        return
    _pending = []
    try:
        yield
    finally:
        markup, _pending = "".join(_pending), None
        if markup:
            display(HTML(markup))


def write_output(root: Path, relative: str, content: bytes) -> None:
    """Write an output file (a chart or a table) under ``root``. A CSV's text cells are made
    safe for spreadsheets first (``safe_output``): none becomes a formula."""
    if relative.endswith(".csv"):
        from ..safe_output import neutralise_csv

        content = neutralise_csv(content)
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    for events in _recordings:
        events.append(("file", relative, content))


@contextmanager
def recording() -> Iterator[list[Event]]:
    """Record what is displayed and written inside the block, in order, for ``replay``."""
    events: list[Event] = []
    _recordings.append(events)
    try:
        yield events
    finally:  # recordings nest; remove this one by identity (equal lists are not the same)
        del _recordings[next(i for i, r in enumerate(_recordings) if r is events)]


def replay(events: list[Event], root: Path) -> None:
    """Display and write again, under ``root``, what a recording holds."""
    for kind, text, content in events:
        if kind == "html":
            emit(text)
        else:
            write_output(root, text, content)


COORDINATE = re.compile(r"(?<![\d.])([1-9]\d*\.\d)\d+")


def svg_markup(svg: bytes, alt: str) -> str:
    """A chart's SVG to inline in a page, named for assistive technology by its alt text
    (``role="img"``). Smaller than the file: no XML prolog, metadata or comments, coordinates
    to a tenth of a point, no empty groups, and no ids but those of the definitions it
    refers to. Those (font glyphs, markers, clip paths) are named by matplotlib from their
    content, so charts on one page share them: :func:`share_definitions` keeps one copy of
    each per page."""
    text = svg.decode("utf-8")
    text = re.sub(
        r"<\?xml.*?\?>|<!DOCTYPE.*?>|<metadata>.*?</metadata>|<!--.*?-->", "", text, flags=re.S
    )
    referred = set(re.findall(r'(?:href="#|url\(#)([^")]+)', text))
    text = re.sub(r'\s+id="([^"]*)"', lambda m: m.group(0) if m.group(1) in referred else "", text)
    # coordinates (points, in attributes: never a label's text) to a tenth of a point; scale
    # factors (0.015625) are left exact
    text = re.sub(r'="[^"]*"', lambda m: COORDINATE.sub(r"\1", m.group(0)), text)
    text = re.sub(r">\s+<", "><", re.sub(r"\s*\n\s*", " ", text)).strip()
    text = _unwrap_groups(text.replace("xlink:href=", "href="))
    # the file's own naming (role, aria-labelledby its <title> and <desc>, whose ids are gone)
    # gives way to one aria-label: the alt text
    opening = re.match(r"<svg\b[^>]*>", text)
    if opening is None:
        return ""
    tag = re.sub(r'\s(?:role|aria-labelledby|aria-label)="[^"]*"', "", opening.group(0))
    label = html.escape(alt, quote=True)
    tag = tag.replace(
        "<svg", f'<svg role="img" aria-label="{label}" class="sef-chart" focusable="false"', 1
    )
    return tag + text[opening.end() :]


def _unwrap_groups(svg: str) -> str:
    """Drop the ``<g>`` elements that carry nothing (once their ids are gone, most of
    matplotlib's), keeping their content."""
    out, stack = [], []
    for token in re.split(r"(<g>|<g\b[^>]*>|</g>)", svg):
        if token == "<g>":
            stack.append(False)
        elif token.startswith("<g") and token.endswith(">") and not token.startswith("</"):
            stack.append(True)
            out.append(token)
        elif token == "</g>":
            if stack.pop():
                out.append(token)
        else:
            out.append(token)
    return "".join(out)


DEFINITION = re.compile(
    r'<path id="([^"]+)"[^>]*/>|<(clipPath|pattern) id="([^"]+)"[^>]*>.*?</\2>', re.S
)


def share_definitions(page: str) -> str:
    """One copy per page of the definitions inline charts share (see :func:`svg_markup`): each
    is moved into one hidden SVG at the end of the page, which every chart refers to (ids are
    page-wide). A page of twenty charts otherwise repeats the same font glyphs twenty times,
    half its size, and repeats ids."""
    kept: dict[str, str] = {}

    def move(match: re.Match[str]) -> str:
        ident = match.group(1) or match.group(3)
        kept.setdefault(ident, match.group(0))
        return ""

    page = DEFINITION.sub(move, page)
    if not kept:
        return page
    page = page.replace("<defs></defs>", "")
    sprite = (
        '<svg aria-hidden="true" focusable="false" width="0" height="0" '
        'style="position:absolute"><defs>' + "".join(kept.values()) + "</defs></svg>"
    )
    at = page.rfind("</body>")
    return page[:at] + sprite + page[at:] if at >= 0 else page + sprite


def caption(meta: dict[str, object], titled: bool = False) -> str:
    """A chart's caption from its sidecar (``Chart.meta()``, as ``charts/<name>.json``): the
    subtitle and the source, after the title when ``titled`` (a chart shown where no
    heading or sentence already says it), escaped."""
    title = f"<strong>{html.escape(str(meta['title']))}</strong> " if titled else ""
    source = str(meta.get("source") or "")
    return (
        title
        + html.escape(str(meta.get("subtitle") or ""))
        + (f" Source: {html.escape(source.rstrip('.'))}." if source else "")
    )


def figure_html(chart: Chart, note: str = "", titled: bool = False) -> str:
    """The chart inline as SVG (live text, named by its alt text), captioned from its sidecar
    (see :func:`caption`) with ``note`` (markup the caller has escaped) after it."""
    meta = chart.meta()
    return (
        f'<figure class="sef-figure">{svg_markup(chart.svg(), str(meta["alt"]))}'
        f"<figcaption>{caption(meta, titled)}{note}</figcaption></figure>"
    )


def show_figure(chart: Chart, note: str = "", titled: bool = False) -> None:
    emit(figure_html(chart, note, titled))


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def show_heading(text: str, level: int = 3, anchor: str | None = None, css_class: str = "") -> None:
    ident = html.escape(anchor or slug(text), quote=True)
    cls = f' class="{html.escape(css_class, quote=True)}"' if css_class else ""
    emit(f'<h{level} id="{ident}"{cls}>{html.escape(text)}</h{level}>')


def show_text(text: str, css_class: str = "sef-text") -> None:
    emit(f'<p class="{css_class}">{html.escape(text)}</p>')


NUMBER = re.compile(r"^(?:[–-]|\[[cxz]\]|[-+]?[\d,]+(?:\.\d+)?(?:%| per 10,000| days| FTE)?)$")


def table_markup(
    caption: str,
    table_id: str,
    header: list[str],
    rows: list[list[str]],
    numeric: set[int] | None = None,
) -> str:
    """An accessible table from markup the caller has escaped: a caption, column headers and
    the first cell of each row as a row header (``scope``), numeric columns aligned right. A
    row with fewer cells than the header has its last cell span the columns left."""
    numeric = numeric or set()
    width = len(header)

    def cell(i: int, c: str, row: list[str]) -> str:
        if i == 0:
            return f'<th scope="row">{c}</th>'
        span = width - len(row) + 1 if i == len(row) - 1 and len(row) < width else 1
        return f'<td colspan="{span}">{c}</td>' if span > 1 else f"<td{cls(i)}>{c}</td>"

    def cls(i: int) -> str:
        return ' class="sef-num"' if i in numeric else ""

    head = "".join(f'<th scope="col"{cls(i)}>{h}</th>' for i, h in enumerate(header))
    body = "".join(
        "<tr>" + "".join(cell(i, c, row) for i, c in enumerate(row)) + "</tr>" for row in rows
    )
    return (
        f'<table id="{html.escape(table_id, quote=True)}"><caption>{caption}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def table_html(frame: pd.DataFrame, caption: str, table_id: str) -> str:
    """An accessible table: real caption, column headers, the first column as row headers,
    numbers aligned right, a fixed id (runs diff cleanly). Every cell, column heading and the
    caption are escaped: text from the inputs, such as a file or area name, is shown, never
    run as markup. Missing values show as an en dash."""
    cells = [
        ["–" if _missing(v) else str(v) for v in row]
        for row in frame.itertuples(index=False, name=None)
    ]
    numeric = {
        i
        for i in range(1, len(frame.columns))
        if cells and all(NUMBER.match(row[i].strip()) for row in cells)
    }
    escaped = [[html.escape(c) for c in row] for row in cells]
    header = [html.escape(str(c)) for c in frame.columns]
    return table_markup(html.escape(caption), table_id, header, escaped, numeric)


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def show_table(frame: pd.DataFrame, caption: str, table_id: str) -> None:
    emit(table_html(frame, caption, table_id))


def show_html(markup: str) -> None:
    """Markup the caller built and escaped (e.g. a ``<details>`` around more charts)."""
    emit(markup)
