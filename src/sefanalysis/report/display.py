"""Display helpers used by notebooks: figures with real alt text, captioned tables, headings.

nbconvert's exporter ignores image alt metadata and writes "No description has been provided
for this image"; we therefore emit the ``<figure><img alt>`` markup ourselves.
"""

from __future__ import annotations

import base64
import html
import re

import pandas as pd
from IPython.display import HTML, display

from ..charts import Chart


def figure_html(chart: Chart) -> str:
    data = base64.b64encode(chart.png()).decode("ascii")
    return (
        f'<figure class="sef-figure"><img src="data:image/png;base64,{data}" '
        f'alt="{html.escape(chart.alt, quote=True)}" />'
        f"<figcaption>{html.escape(chart.subtitle)}</figcaption></figure>"
    )


def show_figure(chart: Chart) -> None:
    display(HTML(figure_html(chart)))


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def show_heading(text: str, level: int = 3, anchor: str | None = None) -> None:
    ident = anchor or slug(text)
    display(HTML(f'<h{level} id="{ident}">{html.escape(text)}</h{level}>'))


def show_text(text: str, css_class: str = "sef-text") -> None:
    display(HTML(f'<p class="{css_class}">{html.escape(text)}</p>'))


def table_html(frame: pd.DataFrame, caption: str, table_id: str) -> str:
    """An accessible table: real caption, header cells, fixed id (runs diff cleanly)."""
    styler = (frame.style.hide(axis="index").set_caption(html.escape(caption))
              .set_uuid(table_id).format(na_rep="–"))  # fmt: skip
    return styler.to_html()


def show_table(frame: pd.DataFrame, caption: str, table_id: str) -> None:
    display(HTML(table_html(frame, caption, table_id)))
