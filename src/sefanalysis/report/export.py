"""Export an executed notebook to reviewer HTML: no code, no prompts, no parameter cells, no
stderr or warnings, a table of contents, and no script or stylesheet from the internet."""

from __future__ import annotations

from pathlib import Path

import nbformat
from bs4 import BeautifulSoup
from nbconvert import HTMLExporter

from .display import slug

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


def add_toc(html: str) -> str:
    """Fill the template's contents list from the h2 and h3 headings."""
    soup = BeautifulSoup(html, "html.parser")
    nav = soup.find(id="sef-toc")
    if nav is None:
        return html
    title = soup.new_tag("h2", id="contents")
    title.string = "Contents"
    nav.append(title)
    top = soup.new_tag("ul")
    nav.append(top)
    current = None
    for h in soup.find_all(["h2", "h3"]):
        if h.get("id") in {"contents", "about-this-report"} or h.find_parent("nav"):
            continue
        text = h.get_text(" ", strip=True).rstrip("¶").strip()
        if not h.get("id"):
            h["id"] = slug(text)
        li = soup.new_tag("li")
        a = soup.new_tag("a", href=f"#{h['id']}")
        a.string = text
        li.append(a)
        if h.name == "h2" or current is None:
            top.append(li)
            current = soup.new_tag("ul")
            li.append(current)
        else:
            current.append(li)
    for ul in nav.find_all("ul"):
        if not ul.find("li"):
            ul.decompose()
    return str(soup)


def export_html(notebook: str | Path, out: str | Path, meta: dict[str, str]) -> Path:
    """Write the reviewer HTML for one executed notebook."""
    nb = nbformat.read(str(notebook), as_version=4)
    nb = clean_for_reviewers(nb)
    nb.metadata["sef"] = meta
    nb.metadata["title"] = meta.get("title", Path(notebook).stem)
    exporter = HTMLExporter(template_name="sef", extra_template_basedirs=[str(TEMPLATES)])
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.exclude_anchor_links = True
    body, _ = exporter.from_notebook_node(nb, resources={"language_code": "en-GB"})
    body = add_toc(body)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(body, encoding="utf-8")
    return out
