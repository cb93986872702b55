"""The committed documentation pages are generated from the code and must match it."""

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
