"""Display helpers used by notebooks: figures with real alt text, captioned tables, headings.

nbconvert's exporter ignores image alt metadata and writes "No description has been provided
for this image"; we therefore emit the ``<figure><img alt>`` markup ourselves.
"""

from __future__ import annotations

import base64
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


def figure_html(chart: Chart) -> str:
    data = base64.b64encode(chart.png()).decode("ascii")
    return (
        f'<figure class="sef-figure"><img src="data:image/png;base64,{data}" '
        f'alt="{html.escape(chart.alt, quote=True)}" />'
        f"<figcaption>{html.escape(chart.subtitle)}</figcaption></figure>"
    )


def show_figure(chart: Chart) -> None:
    emit(figure_html(chart))


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def show_heading(text: str, level: int = 3, anchor: str | None = None) -> None:
    ident = anchor or slug(text)
    emit(f'<h{level} id="{html.escape(ident, quote=True)}">{html.escape(text)}</h{level}>')


def show_text(text: str, css_class: str = "sef-text") -> None:
    emit(f'<p class="{css_class}">{html.escape(text)}</p>')


def table_html(frame: pd.DataFrame, caption: str, table_id: str) -> str:
    """An accessible table: real caption, header cells, fixed id (runs diff cleanly). Every
    cell, column heading and the caption are escaped (the Styler does not escape by default):
    text from the inputs, such as a file or area name, is shown, never run as markup."""
    styler = (frame.style.hide(axis="index").set_caption(html.escape(caption))
              .set_uuid(html.escape(table_id, quote=True)).format(na_rep="–", escape="html")
              .format_index(escape="html", axis=1))  # fmt: skip
    return styler.to_html()


def show_table(frame: pd.DataFrame, caption: str, table_id: str) -> None:
    emit(table_html(frame, caption, table_id))
