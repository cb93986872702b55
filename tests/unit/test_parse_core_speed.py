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
