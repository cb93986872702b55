"""The shortcuts of the core loader's parsing (issue 19) give what the general path gives."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sefanalysis.ingest.parse import _fixed_width_dates


def _by_pandas(texts: np.ndarray) -> np.ndarray | None:
    """What the date parser did before the shortcut: the first format that reads every text."""
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        parsed = pd.to_datetime(texts, format=fmt, errors="coerce")
        if parsed.notna().all():
            return parsed.to_numpy().astype("datetime64[D]").astype("datetime64[ns]")
    return None


def test_fixed_width_dates_agree_with_to_datetime() -> None:
    rng = np.random.default_rng(19)
    odd = ["31/02/2024", "29/02/2023", "29/02/2024", "00/01/2024", "01/13/2024", "1/10/2024",
           "01-10-2024", "2024-02-30", "2024-1-05", "0999-01-01", "2300-01-01", "01/10/24",
           "２０２４-01-01", "2024-01-01 ", "01/10/2024x", "", "abcdefghij", "1699-12-31",
           "1700-01-01", "31/12/2199", "01/01/2200"]  # fmt: skip
    for _ in range(400):
        n = int(rng.integers(1, 8))
        days = np.datetime64("1690-01-01") + rng.integers(0, 200_000, n).astype("timedelta64[D]")
        stamps = pd.DatetimeIndex(days.astype("datetime64[ns]"))
        texts = list(stamps.strftime("%d/%m/%Y" if rng.random() < 0.5 else "%Y-%m-%d"))
        if rng.random() < 0.5:
            texts[int(rng.integers(0, n))] = odd[int(rng.integers(0, len(odd)))]
        array = np.array(texts, dtype=object)
        fast = _fixed_width_dates(array)
        if fast is not None:  # the shortcut is taken only where pandas reads every text alike
            slow = _by_pandas(array)
            assert slow is not None, texts
            np.testing.assert_array_equal(fast, slow)
    # the plain columns are taken by the shortcut
    assert _fixed_width_dates(np.array(["01/10/2024", "31/12/2023"], dtype=object)) is not None
    assert _fixed_width_dates(np.array(["2024-10-01", "2023-12-31"], dtype=object)) is not None


def test_text_markers_found_in_trimmed_text() -> None:
    """``text_of`` finds missing markers in its trimmed text: the same values as ``_blank`` of
    the raw text."""
    from itertools import product

    from sefanalysis.ingest.cells import Cells
    from sefanalysis.ingest.parse import _blank, text_of

    pieces = ["", " ", "\xa0", "\t", "N/A", "n\xa0a", "na", "NULL", "-", "x", "İ", "K", "nan "]
    texts = np.array(["".join(p) for p in product(pieces, repeat=3)], dtype=object)
    texts = np.unique(texts)
    parsed = text_of(Cells(np.arange(len(texts)), texts))
    missing = pd.isna(np.asarray(parsed.values, dtype=object))
    np.testing.assert_array_equal(missing, _blank(texts))


def test_sheets_turned_into_columns_early_are_those_read_at_the_end(tmp_path, monkeypatch) -> None:
    """``Workbook.convert_ready`` (between the CSV files) gives the tables ``sheets`` would;
    a sheet that fails there is reported by ``sheets``, in its place."""
    import time

    from sefanalysis.ingest import cells
    from sefanalysis.ingest.cells import Workbook

    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for n in range(3):
            pd.DataFrame({"a": [n, 2.5, "x"], "b": ["01/02/2024", None, 7]}).to_excel(
                writer, sheet_name=f"List {n + 1}", index=False
            )
    whole = Workbook(path).sheets()
    early = Workbook(path)
    while not all(f.done() for _, f in early._pending):
        time.sleep(0.01)
    early.convert_ready()
    assert list(early._tables) == list(whole)
    for name, table in early.sheets().items():
        mine, theirs = table.columns, whole[name].columns
        assert [list(c.codes) for c in mine] == [list(c.codes) for c in theirs]
        assert [list(c.uniques) for c in mine] == [list(c.uniques) for c in theirs]
    failing = Workbook(path)
    while not all(f.done() for _, f in failing._pending):
        time.sleep(0.01)

    def broken(rows: list) -> None:
        raise ValueError("unreadable sheet")

    monkeypatch.setattr(cells, "sheet_table", broken)
    failing.convert_ready()  # the error is not raised here
    assert not failing._tables
    try:
        failing.sheets()
    except ValueError as exc:
        assert str(exc) == "unreadable sheet"
    else:
        raise AssertionError("sheets() did not raise")
