"""The last steps of a run, after its notebooks: ``findings.csv`` from the rows the report
sections wrote (so each sentence in it is the one the pages show) and the disclosure audit of
everything published (:func:`finish_run`, :func:`sefanalysis.disclosure.audit`), and, in an
internal run, the marker on every page (:func:`mark_internal`, after the index is written).

Deliberately light (no pandas at import)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from ..disclosure import INTERNAL, LEDGER, audit, ledger_piece

BANNER = (
    '<p class="sef-warning" role="note" data-sef-internal="1"><strong>Internal: small '
    "numbers not suppressed.</strong> Do not share outside the council.</p>"
)


def write_findings(run: Path) -> int:
    """``findings.csv`` from ``analyst/findings/<indicator>.csv`` (registry order) and its
    ledger; returns the number of records."""
    from ..indicators import load_all
    from ..indicators.registry import REGISTRY

    load_all()
    folder = run / "analyst" / "findings"
    order = {ind_id: n for n, ind_id in enumerate(REGISTRY)}
    pieces = sorted(folder.glob("*.csv"), key=lambda p: (order.get(p.stem, len(order)), p.stem))
    header: list[str] | None = None
    rows: list[list[str]] = []
    cells: list[dict] = []
    for path in pieces:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = list(csv.reader(fh))
        header = header or reader[0]
        ledger = path.with_suffix(".json")
        for cell in json.loads(ledger.read_text(encoding="utf-8")) if ledger.exists() else []:
            cells.append({**cell, "row": len(rows) + int(cell["row"])})
        rows += reader[1:]
    if header is None:
        return 0
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    (run / "findings.csv").write_text(buffer.getvalue(), encoding="utf-8")
    if not any(p.with_suffix(".json").exists() for p in pieces):
        return len(rows)  # an internal run: nothing to audit
    ledgered = {c["column"] for c in cells}
    (run / LEDGER / "cells").mkdir(parents=True, exist_ok=True)
    (run / LEDGER / "cells" / "findings.csv.json").write_bytes(
        ledger_piece("findings.csv", cells, [c for c in header if c not in ledgered])
    )
    return len(rows)


def mark_internal(run: Path) -> None:
    """Put the internal banner at the top of every page of the run that lacks it."""
    for page in sorted(run.rglob("*.html")):
        if "analyst" in page.relative_to(run).parts:
            continue
        text = page.read_text(encoding="utf-8")
        if "data-sef-internal" in text:
            continue
        at = text.find("<body")
        at = text.find(">", at) + 1 if at >= 0 else 0
        page.write_text(text[:at] + BANNER + text[at:], encoding="utf-8")


def finish_run(run: str | Path, mode: str) -> list[str]:
    """Write ``findings.csv``; in a published run audit everything published (the problems
    found, none for a run that keeps its promise, are also written to
    ``analyst/disclosure/audit.json``). An internal run's pages are marked by
    :func:`mark_internal`, once the runner has written its index."""
    run = Path(run)
    write_findings(run)
    if mode != "published":
        return []
    if not (run / LEDGER).exists():  # notebooks that publish nothing through sefanalysis.report
        note = "not audited: no report section recorded what it published"
        (run / LEDGER).mkdir(parents=True, exist_ok=True)
        (run / LEDGER / "audit.json").write_text(
            json.dumps({"mode": mode, "problems": [], "note": note}, indent=2) + "\n"
        )
        return []
    problems = audit(run)
    (run / LEDGER).mkdir(parents=True, exist_ok=True)
    (run / LEDGER / "audit.json").write_text(
        json.dumps({"mode": mode, "problems": problems, "internal_note": INTERNAL}, indent=2)
        + "\n",
        encoding="utf-8",
    )
    return problems
