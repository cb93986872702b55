"""Text from the inputs never becomes a spreadsheet formula (CSV or formula injection).

Excel, LibreOffice and Google Sheets read a cell beginning with ``=``, ``+``, ``-`` or ``@`` (or
a tab or carriage return before one of them) as a formula: an authority name or an area name of
``=HYPERLINK("http://...")`` in a CSV would become a live link, and worse. Every such cell is
written with a leading apostrophe (``'=HYPERLINK(...)``), which spreadsheets show as text
(OWASP's advice). Numbers are left alone: ``-3.5`` and ``+2%`` are values, not formulas, while
``-1+1`` is a formula and is neutralised.

Every CSV the package writes goes through :func:`csv_bytes` or :func:`neutralise_csv` (and the
runner passes every CSV of a run through :func:`neutralise_tree` before it is published).
"""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

PREFIX = "'"
_TRIGGER = re.compile(r"[\s]*[=+\-@\t\r]")
_NUMBER = re.compile(r"[+-]?(\d[\d,]*(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?")


def needs_escape(text: str) -> bool:
    """True when a spreadsheet could read ``text`` as a formula."""
    if not _TRIGGER.match(text):
        return False
    stripped = text.strip()
    return not (_NUMBER.fullmatch(stripped) or stripped == "-")


def escape(value: object) -> object:
    """``value`` with a leading apostrophe if it is text a spreadsheet would read as a formula;
    any other value unchanged."""
    if isinstance(value, str) and needs_escape(value):
        return PREFIX + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column labels are safe in a spreadsheet."""
    import pandas as pd

    out = frame.copy()
    for i in range(out.shape[1]):
        column = out.iloc[:, i]
        if not (pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column)
                or isinstance(column.dtype, pd.CategoricalDtype)):  # fmt: skip
            continue
        text = column.astype(object)
        mask = text.map(lambda v: isinstance(v, str) and needs_escape(v)).astype(bool)
        if mask.any():
            out.isetitem(i, text.where(~mask, PREFIX + text.astype(str)))
    if isinstance(out.columns, pd.MultiIndex):
        out.columns = pd.MultiIndex.from_tuples([tuple(escape(p) for p in c) for c in out.columns])
    else:
        out.columns = [escape(c) for c in out.columns]
    return out


def csv_bytes(frame: pd.DataFrame, **to_csv: object) -> bytes:
    """``frame`` as UTF-8 CSV (no index, ``\\n`` line ends, unless ``to_csv`` says otherwise),
    with every text cell safe in a spreadsheet."""
    options = {"index": False, "lineterminator": "\n", **to_csv}
    return neutralise_frame(frame).to_csv(**options).encode("utf-8")  # type: ignore[arg-type]


def neutralise_csv(content: bytes) -> bytes:
    """CSV bytes with every cell a spreadsheet would read as a formula neutralised; the bytes
    unchanged when no cell needs it."""
    text = content.decode("utf-8", errors="surrogateescape")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not any(needs_escape(cell) for row in rows for cell in row):
        return content
    out = io.StringIO(newline="")
    ending = "\r\n" if "\r\n" in text else "\n"
    writer = csv.writer(out, lineterminator=ending)
    writer.writerows([[escape(cell) for cell in row] for row in rows])
    return out.getvalue().encode("utf-8", errors="surrogateescape")


def neutralise_tree(folder: str | Path) -> list[Path]:
    """Neutralise every ``.csv`` file under ``folder`` in place; returns the files changed."""
    changed = []
    for path in sorted(Path(folder).rglob("*.csv")):
        content = path.read_bytes()
        safe = neutralise_csv(content)
        if safe != content:
            tmp = path.with_name(f".{path.name}.tmp")
            tmp.write_bytes(safe)
            os.chmod(tmp, path.stat().st_mode & 0o777)
            tmp.replace(path)
            changed.append(path)
    return changed
