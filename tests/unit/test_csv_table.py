"""CSV inputs read by pyarrow straight into columns (``cells.csv_table``) hold exactly what
pandas' ``read_csv(header=None, dtype=object, keep_default_na=False, na_values=[""])`` reads,
or are left to pandas (which then reports what it cannot read, as before)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sefanalysis.ingest.cells import RawTable, csv_table

READ_ALIKE = {
    "plain": b"a,b,c\n1,2,3\n",
    "byte-order mark": b"\xef\xbb\xbfa,b\n1,2\n",
    "CRLF and a blank line": b"a,b\r\n1,2\r\n\r\n3,4\r\n",
    "CR only": b"a,b\r1,2\r3,4",
    "quoted empty cell": b'a,b\n"",x\n',
    "newline inside quotes": b'a,b\n"x\ny",2\n',
    "trailing comma": b"a,b,\n1,2,\n",
    "spaces kept": b"a , b\n 1 , 2 \n",
    "empty cells": b",,\n,,\n1,,\n",
    "pandas' missing words are text here": b"a,b\nNA,null\n#N/A,None\n",
    "NUL byte": b"a,b\n1\x00,2\n",
    "a tab is not a separator": b"a\tb\n1\t2\n",
    "heading only": b"a,b,c\n",
    "blank lines first": b"\n\na,b\n1,2\n",
    "quote inside a cell": b'a,b\n1"x,2\n',
    "doubled quotes": b'a,b\n"he said ""hi""",2\n',
    "leading zeros": b"id,code\n007,0012\n",
}
LEFT_TO_PANDAS = {
    "whitespace-only line": b"a,b\n   \n1,2\n",
    "row shorter than the first": b"a,b,c\n1,2\n",
    "row longer than the first": b"a,b\n1,2,3\n",
    "Windows-1252 text": b"a,b\n\xe9,2\n",
    "spaces only": b"   \n",
    "empty file": b"",
}


def _by_pandas(path) -> RawTable:
    frame = pd.read_csv(path, header=None, dtype=object, encoding="utf-8-sig",
                        keep_default_na=False, na_values=[""])  # fmt: skip
    return RawTable.of(frame)


@pytest.mark.parametrize("name", READ_ALIKE)
def test_pyarrow_reads_each_cell_as_pandas_does(name, tmp_path):
    path = tmp_path / "table.csv"
    path.write_bytes(READ_ALIKE[name])
    fast, slow = csv_table(path), _by_pandas(path)
    assert fast is not None
    assert np.array_equal(fast.index, slow.index)
    assert len(fast.columns) == len(slow.columns)
    for ours, theirs in zip(fast.columns, slow.columns, strict=True):
        assert list(ours.uniques) == list(theirs.uniques)
        assert np.array_equal(ours.codes, theirs.codes)


@pytest.mark.parametrize("name", LEFT_TO_PANDAS)
def test_files_pyarrow_would_read_otherwise_are_left_to_pandas(name, tmp_path):
    path = tmp_path / "table.csv"
    path.write_bytes(LEFT_TO_PANDAS[name])
    assert csv_table(path) is None


def test_an_unreadable_path_is_left_to_pandas(tmp_path):
    assert csv_table(tmp_path / "absent.csv") is None
