"""Static checks of reviewer HTML (no browser needed): what a reviewer must never see."""

from __future__ import annotations

import base64
from pathlib import Path

from bs4 import BeautifulSoup

PLACEHOLDER = "No description has been provided for this image"
MAX_BYTES = 1_500_000  # a reviewer page (issue 18: each area page under 1.5 MB)


def check_html(path: str | Path, headings: list[str] | None = None) -> list[str]:
    """Problems found in one exported page (empty list when it passes)."""
    text = Path(path).read_text(encoding="utf-8")
    soup = BeautifulSoup(text, "html.parser")
    problems = []
    if soup.select("div.highlight, .jp-CodeMirrorEditor, .jp-InputPrompt, .jp-OutputPrompt"):
        problems.append("code or prompts are present")
    if soup.select('[data-mime-type="application/vnd.jupyter.stderr"]') or "Traceback" in text:
        problems.append("stderr, an error or a traceback is present")
    if PLACEHOLDER in text:
        problems.append("nbconvert's placeholder alt text is present")
    for img in soup.find_all("img"):
        alt = (img.get("alt") or "").strip()
        if len(alt) < 20:
            problems.append(f"an image has no real alt text: {alt!r}")
        src = img.get("src", "")
        if src.startswith("data:image/png;base64,"):
            data = base64.b64decode(src.split(",", 1)[1])
            if not data.startswith(b"\x89PNG") or len(data) < 100:
                problems.append("an embedded image is not a valid PNG")
    for svg in soup.find_all("svg"):  # an inline chart is named by its alt text
        if svg.get("aria-hidden") == "true":
            continue
        label = (svg.get("aria-label") or "").strip()
        if svg.get("role") != "img" or len(label) < 20:
            problems.append(f"an inline chart has no real alt text: {label!r}")
    for table in soup.find_all("table"):
        if table.find("caption") is None or not table.find("caption").get_text(strip=True):
            problems.append("a table has no caption")
    for tag in soup.find_all(["script", "link", "img"]):
        url = tag.get("src") or tag.get("href") or ""
        if url.startswith(("http:", "https:", "//")):
            problems.append(f"an external resource is loaded: {url}")
    if not (soup.html and soup.html.get("lang")):
        problems.append("the page has no language attribute")
    found = {h.get_text(" ", strip=True) for h in soup.find_all(["h1", "h2", "h3"])}
    for heading in headings or []:
        if heading not in found:
            problems.append(f"expected heading missing: {heading!r}")
    from .safety import unsafe_html

    problems += [p.split(": ", 1)[1] for p in unsafe_html(path)]  # a script, onerror=, ...
    if len(text.encode()) > MAX_BYTES:
        problems.append(f"the page is over {MAX_BYTES / 1e6:g} MB")
    return problems
