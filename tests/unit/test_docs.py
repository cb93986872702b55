"""The committed documentation pages are generated from the code and must match it."""

import re
from pathlib import Path

from sefanalysis.docs import indicators_markdown, inputs_markdown

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_indicator_dictionary_is_up_to_date():
    assert (DOCS / "indicators.md").read_text() == indicators_markdown() + "\n", (
        "docs/indicators.md is out of date: run `sefanalysis docs`"
    )


def test_input_dictionary_is_up_to_date():
    assert (DOCS / "inputs.md").read_text() == inputs_markdown() + "\n", (
        "docs/inputs.md is out of date: run `sefanalysis docs`"
    )


def test_every_test_the_docs_name_exists():
    """docs/promises.md and the README name the test that holds each promise; a renamed or
    removed test must not leave a promise pointing at nothing. ``file.py::test`` names the file;
    a following ``::test`` in the same text means the same file."""
    root = DOCS.parent
    files = {p.name: p for p in (root / "tests").rglob("test_*.py")}
    missing = []
    for page in [*sorted(DOCS.glob("*.md")), root / "README.md"]:
        current = None
        for file, name in re.findall(r"(test_\w+\.py)?::(test_\w+)", page.read_text()):
            current = file or current
            path = files.get(current or "")
            if path is None or not re.search(rf"^(async )?def {name}\(", path.read_text(), re.M):
                missing.append(f"{page.name}: {current}::{name}")
    assert missing == []
