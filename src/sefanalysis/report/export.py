"""Export an executed notebook to reviewer HTML: no code, no prompts, no parameter cells, no
stderr or warnings, a table of contents, and no script or stylesheet from the internet."""

from __future__ import annotations

import functools
import html
import re
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

from .display import share_definitions, slug

TEMPLATES = Path(__file__).parent / "templates"
REMOVE_CELL_TAGS = {"parameters", "injected-parameters", "remove-cell"}
PLACEHOLDER = "No description has been provided for this image"


def clean_for_reviewers(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop set-up and parameter cells, and any stderr, warning or error output."""
    cells = []
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & REMOVE_CELL_TAGS:
            continue
        if cell.cell_type == "code":
            cell.outputs = [
                o for o in cell.get("outputs", [])
                if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
                and o.get("output_type") != "error"
            ]  # fmt: skip
        cells.append(cell)
    nb.cells = cells
    return nb


HEADING = re.compile(r"<h([23])\b([^>]*)>(.*?)</h\1>", re.S)
TOC_NAV = re.compile(r'<nav\b[^>]*\bid="sef-toc"[^>]*>')
NOT_IN_TOC = {"contents", "about-this-report"}


def add_toc(page: str) -> str:
    """Fill the template's contents list from the h2 and h3 headings (an h3 nests under the h2
    before it), giving an id to any heading without one. An indicator's heading (class
    ``sef-ind``) is not listed: the area's overview table links each indicator, and a list of
    every indicator made the contents dozens of links long. Nor is a breakdown's (class
    ``sef-breakdown``): the section heading above them says which breakdowns it holds.

    The page is our own template's output, so headings are found by pattern rather than by
    parsing the whole page (a parser took half a second on a page of embedded charts)."""
    if TOC_NAV.search(page) is None:
        return page
    entries: list[tuple[str, str, str]] = []  # level, id, text

    def visit(match: re.Match[str]) -> str:
        level, attrs, inner = match.groups()
        text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", inner)).split())
        text = text.rstrip("¶").strip()
        found = re.search(r'\bid="([^"]*)"', attrs)
        ident = html.unescape(found.group(1)) if found else slug(text)
        if ident not in NOT_IN_TOC and not re.search(r"\bsef-(ind|breakdown)\b", attrs):
            entries.append((level, ident, text))
        if found:
            return match.group(0)
        return f'<h{level}{attrs} id="{html.escape(ident)}">{inner}</h{level}>'

    page = HEADING.sub(visit, page)
    items, open_h2 = [], False
    for level, ident, text in entries:
        link = f'<a href="#{html.escape(ident)}">{html.escape(text, quote=False)}</a>'
        if level == "2" or not items:
            items.append(("</ul></li>" if open_h2 else "") + f"<li>{link}<ul>")
            open_h2 = True
        else:
            items.append(f"<li>{link}</li>")
    toc = "".join(items) + ("</ul></li>" if open_h2 else "")
    toc = '<h2 id="contents">Contents</h2>' + (f"<ul>{toc}</ul>" if toc else "")
    nav = TOC_NAV.search(page)
    assert nav is not None
    return page[: nav.end()] + toc.replace("<ul></ul>", "") + page[nav.end() :]


class ReviewerExporter(HTMLExporter):
    """nbconvert's HTML exporter without its last step, a BeautifulSoup pass over the whole
    page that gives images without alt text a placeholder and makes JupyterLab's cells
    focusable. Our template has neither (an image without real alt text fails
    ``checks.html``), and the pass re-serialised every page: it lower-cased SVG names
    (``clipPath``), sorted attributes and took seconds on a page of inline charts."""

    def from_notebook_node(  # type: ignore[override]
        self, nb: nbformat.NotebookNode, resources: dict | None = None, **kw: object
    ) -> tuple[str, dict]:
        from nbconvert.exporters.templateexporter import TemplateExporter
        from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

        resources = self._init_resources(resources)
        # as HTMLExporter does (nbconvert 7.17): the filter that picks each output's format
        chooser = WidgetsDataTypeFilter(
            notebook_metadata=self._nb_metadata, parent=self, resources=resources
        )
        self.register_filter("filter_data_type", chooser)
        return TemplateExporter.from_notebook_node(self, nb, resources, **kw)


@functools.cache
def _exporter() -> HTMLExporter:
    """One exporter per process: each new one compiles its templates again (about 0.3 s)."""
    exporter = ReviewerExporter(template_name="sef", extra_template_basedirs=[str(TEMPLATES)])
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.exclude_anchor_links = True
    return exporter


def export_html(notebook: str | Path, out: str | Path, meta: dict[str, str]) -> Path:
    """Write the reviewer HTML for one executed notebook: our own template (see
    ``templates/sef``), a contents list, and one copy of what its inline charts share."""
    nb = nbformat.read(str(notebook), as_version=4)
    nb = clean_for_reviewers(nb)
    nb.metadata["sef"] = meta
    nb.metadata["title"] = meta.get("title", Path(notebook).stem)
    body, _ = _exporter().from_notebook_node(nb, resources={"language_code": "en-GB"})
    body = share_definitions(add_toc(body))
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(body, encoding="utf-8")
    return out
