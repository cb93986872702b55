"""Generated documentation pages, so that the docs cannot drift from the code:
``docs/indicators.md`` from the indicator registry and ``docs/inputs.md`` from the input specs.
Regenerate with ``sefanalysis docs``; a test fails when the committed pages are out of date."""

from __future__ import annotations

from pathlib import Path

from .indicators.registry import AREAS, REGISTRY, data_dictionary
from .ingest.annex_a import OLDEST_YEARS
from .ingest.annex_a_spec import ANNEX_A, UNBORN_DAYS, ListSpec
from .ingest.authority import SETTINGS
from .ingest.local_tables import LOCAL_TABLES, REQUIRED_FILES
from .ingest.parse import DATE_FORMATS
from .ingest.ssda903 import LAYOUTS, SSDA903

KINDS = {"id": "identifier", "text": "text", "date": "date", "int": "whole number",
         "number": "number", "code": "code"}  # fmt: skip


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def indicators_markdown() -> str:
    from .findings import claim_rules
    from .wording import RULES

    data_dictionary()  # loads every indicator module
    lines = ["# Indicator dictionary", "",
             "Generated from the indicator registry by `sefanalysis docs`; do not edit by hand.",
             "Flow indicators count events in the window ending on the period end; snapshot "
             "indicators count what is open at the end of the period end day.", "",
             "## How each claim is decided", "", *[f"- {rule}" for rule in RULES],
             "", "Each indicator below lists the methods its own claims use.", ""]  # fmt: skip
    for area, name in AREAS.items():
        lines += [f"## {name}", ""]
        for ind in REGISTRY.values():
            if ind.area != area:
                continue
            lines += [f"### `{ind.id}`: {ind.title}", "",
                      f"- Unit: {ind.unit}; polarity: {ind.polarity.replace('_', ' ')}; "
                      f"kind: {ind.kind}" + ("; valid at the extract date only"
                                             if ind.extract_only else ""),
                      f"- Numerator: {ind.numerator or '(a count)'}"]  # fmt: skip
            if ind.denominator:
                lines.append(f"- Denominator: {ind.denominator}")
            if ind.exclusions:
                lines.append(f"- Exclusions and notes: {ind.exclusions}")
            lines += [f"- Source: {ind.source}", f"- Mirrors: {ind.publication}"]
            lines += [f"- {rule}" for rule in claim_rules(ind)] + [""]
    return "\n".join(lines)


def _spec_table(spec: ListSpec) -> list[str]:
    rows = ["| Column heading | Key | Type | Required | Accepted codes or range |",
            "|---|---|---|---|---|"]  # fmt: skip
    for col in spec.columns:
        codes = ", ".join(col.codes) if col.codes else ""
        if col.low is not None or col.high is not None:
            codes = f"{'' if col.low is None else f'{col.low:g}'} to " + (
                "" if col.high is None else f"{col.high:g}")  # fmt: skip
        if len(codes) > 120:
            codes = codes[:117] + "..."
        heading = col.heading + "".join(f" (or {a})" for a in col.aliases)
        rows.append(f"| {_cell(heading)} | `{col.key}` | {KINDS[col.kind]} | "
                    f"{'yes' if col.required else 'no'} | {_cell(codes)} |")  # fmt: skip
    return rows + [""]


def inputs_markdown() -> str:
    lines = [
        "# Input data dictionary",
        "",
        "Generated from the loaders' specifications by `sefanalysis docs`; do not edit.",
        "File names are matched ignoring case, spaces and hyphens; two files for one input "
        "are refused. Headings are matched ignoring case, spacing, apostrophe style and "
        'punctuation. Codes may carry Ofsted\'s list prefix ("a) Yes") or not. Dates: '
        f"{DATE_FORMATS}.",
        "",
        "Values a person would question are reported row by row and left out of the measures "
        "that use them: an event dated before 1990, after the extract date (after today in the "
        "local tables), or before the child's date of birth (Annex A lists 1 to 7 allow "
        f"{UNBORN_DAYS} days for work with unborn children); a date of birth more than "
        f"{OLDEST_YEARS} years before the extract; a number outside the range shown below; a "
        "percentage over 100 in benchmarks.csv or targets.csv.",
        "",
        "## authority.yaml",
        "",
        "| Setting | Type | Required | What it must be |",
        "|---|---|---|---|",
        *(
            f"| `{key}` | {s.kind} | {'yes' if s.required else 'no'} | {_cell(s.expected)} |"
            for key, s in SETTINGS.items()
        ),
        "",
        "## Ofsted Annex A lists",
        "",
        "`annex_a.xlsx` with one sheet per list, or `annex_a/list_<n>.csv`.",
        "",
    ]
    for spec in ANNEX_A:
        lines += [f"### List {spec.number}: {spec.title}", ""] + _spec_table(spec)
    lines += ["## SSDA903 tables", "", LAYOUTS + ".", ""]
    for key, spec in SSDA903.items():
        lines += [f"### {key}.csv", ""] + _spec_table(spec)
    lines += ["## Local tables", ""]
    for key, spec in LOCAL_TABLES.items():
        need = "required" if key in REQUIRED_FILES else "optional"
        lines += [f"### {key}.csv ({need})", "", spec.title, ""] + _spec_table(spec)
    return "\n".join(lines)


def findings_markdown() -> str:
    """``findings.csv``: one record per indicator, column by column."""
    from .findings import COLUMNS

    lines = ["# findings.csv", "",
             "Generated from `sefanalysis.findings.COLUMNS` by `sefanalysis docs`; do not edit.",
             "One record per indicator at the run's period end, in every run folder. The "
             "`sentence` is what the reviewer page shows; how each word is decided is in "
             "[indicators.md](indicators.md#how-each-claim-is-decided) and the README.", "",
             "| Column | Meaning |", "|---|---|"]  # fmt: skip
    lines += [f"| `{name}` | {_cell(text)} |" for name, text in COLUMNS.items()]
    return "\n".join(lines)


def write_docs(folder: str | Path = "docs") -> list[Path]:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    pages = {"indicators.md": indicators_markdown(), "inputs.md": inputs_markdown(),
             "findings.md": findings_markdown()}  # fmt: skip
    for name, text in pages.items():
        (out / name).write_text(text + "\n", encoding="utf-8")
    return [out / n for n in pages]
