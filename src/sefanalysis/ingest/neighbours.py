"""DfE's children's services statistical neighbours: the ten closest authorities of each, from
the model files as DfE distributes them (the April 2021 and 2025 models, CSV or the benchmarking
tool's "LA SN Groups" sheet).

A model is recognised by its content: a heading row (found among the first rows: the workbooks
have two rows of column letters and numbers above it) with an authority-number column and
``SN1``..``SN10`` (or ``SN_1``..); the column after each neighbour holds its closeness label.
Rows without a three-digit authority number (blank rows, the note "Old SNs:") are not
authorities and are left out; authorities listed below that note (pre-reorganisation councils
such as "Dorset (Pre LG)") are kept, since other authorities still name them as neighbours.
Authorities are identified by DfE's three-digit number only, never by ONS code.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from .problems import WARNING, ProblemLog

NEIGHBOUR_COLUMNS = ["model", "old_la_code", "la_name", "rank", "sn_old_la_code", "sn_name",
                     "closeness", "source_file"]  # fmt: skip
_SN = re.compile(r"^sn_?(\d{1,2})$")
_CODE_HEADINGS = ("lanum", "lanumber", "oldlacode", "lacode")
HEADER_SCAN_ROWS = 10


def _key(text: object) -> str:
    return re.sub(r"[^a-z0-9_]", "", str(text).strip().lower().replace(" ", ""))


def read_neighbour_grid(raw: pd.DataFrame, file: Path, log: ProblemLog,
                        sheet: str = "") -> pd.DataFrame | None:  # fmt: skip
    """The model in a grid of text cells (no header applied), or None if it is not one."""
    for pos in range(min(HEADER_SCAN_ROWS, len(raw))):
        heads = [_key(h) for h in raw.iloc[pos]]
        sn_cols = {int(m.group(1)): i for i, h in enumerate(heads) if (m := _SN.match(h))}
        code_col = next((i for i, h in enumerate(heads) if h.replace("_", "") in _CODE_HEADINGS),
                        None)  # fmt: skip
        if len(sn_cols) >= 5 and code_col is not None:
            return _model(raw.iloc[pos + 1 :], heads, sn_cols, code_col, file, sheet, log)
    return None


def _model(body: pd.DataFrame, heads: list[str], sn_cols: dict[int, int], code_col: int,
           file: Path, sheet: str, log: ProblemLog) -> pd.DataFrame:  # fmt: skip
    name_col = next((i for i, h in enumerate(heads) if h.replace("_", "") == "laname"), None)
    code = body.iloc[:, code_col].astype(str).str.strip().str.replace(r"\.0$", "", regex=True)
    authority = code.str.fullmatch(r"\d{3}")
    rows = body.loc[authority]
    names = (rows.iloc[:, name_col].astype(str).str.strip() if name_col is not None
             else pd.Series("", index=rows.index))  # fmt: skip
    year = re.search(r"(20\d\d)", Path(file).stem)
    model = f"{year.group(1)} model" if year else "statistical-neighbour model"
    # each neighbour column below the previous one (cleaned together, not one by one)
    ranks = sorted(sn_cols.items())
    sn = _stacked([rows.iloc[:, col] for _, col in ranks])
    sn = sn.astype(str).str.strip().str.replace(r"\.0$", "", regex=True)
    close = _stacked([rows.iloc[:, col + 1] if col + 1 < rows.shape[1]
                      else pd.Series("", index=rows.index) for _, col in ranks])  # fmt: skip
    frame = pd.DataFrame({"old_la_code": np.tile(code[authority].to_numpy(), len(ranks)),
                          "la_name": np.tile(names.to_numpy(), len(ranks)),
                          "rank": np.repeat([rank for rank, _ in ranks], len(rows)),
                          "sn_old_la_code": sn.to_numpy(),
                          "closeness": close.astype(str).str.strip().to_numpy()})  # fmt: skip
    listed = frame["sn_old_la_code"].str.fullmatch(r"\d{3}")
    odd = ~listed & ~frame["sn_old_la_code"].isin(["", "-", "nan"])
    for rec in frame.loc[odd].itertuples():
        log.add(WARNING, "invalid value", str(file), sheet=sheet, column=f"SN{rec.rank}",
                value=rec.sn_old_la_code, expected=f"a three-digit authority number (neighbour "
                f"of {rec.old_la_code}); left out")  # fmt: skip
    frame = frame.loc[listed]
    name_of = dict(zip(code[authority], names, strict=True))
    frame = frame.assign(model=model, sn_name=frame["sn_old_la_code"].map(name_of).fillna(""),
                         source_file=str(file))  # fmt: skip
    skipped = int((~authority & _filled(body)).sum())
    log.used(str(file), f"statistical neighbours, {model}: {int(authority.sum())} authorities"
             + (f" (sheet {sheet!r})" if sheet else ""),
             f"heading row with an authority number and SN1..SN{max(sn_cols)}; {skipped} "
             "note row(s) without an authority number left out")  # fmt: skip
    return frame[NEIGHBOUR_COLUMNS]


def _stacked(columns: list[pd.Series]) -> pd.Series:
    """The columns one below another (each cell's text as its own column gives it)."""
    if len({str(c.dtype) for c in columns}) > 1:
        columns = [c.astype(str) for c in columns]
    return pd.concat(columns, ignore_index=True)


def _filled(body: pd.DataFrame) -> pd.Series:
    """Rows with any cell that is not blank (all columns' cells at once, not a Series per
    row or per column)."""
    if body.shape[1] == 0:
        return pd.Series(False, index=body.index)
    cells = _stacked([body.iloc[:, pos] for pos in range(body.shape[1])])
    blank = cells.astype(str).str.strip().eq("").to_numpy(dtype=bool)
    return pd.Series(~blank.reshape(body.shape[1], len(body)).all(axis=0), index=body.index)


def neighbours_of(models: pd.DataFrame, old_la_code: str) -> pd.DataFrame:
    """The authority's neighbours from the newest model that lists it with neighbours (a model's
    year comes from its file name, e.g. "sn_may_2025"), in rank order."""
    mine = models.loc[models["old_la_code"] == str(old_la_code)]
    if mine.empty:
        return mine
    year = mine["model"].str.extract(r"(\d{4})")[0].astype(float).fillna(0)
    newest = mine.loc[year == year.max(), "model"].iloc[0]
    chosen = mine.loc[mine["model"] == newest]
    return chosen.drop_duplicates("rank").sort_values("rank").reset_index(drop=True)


__all__ = ["read_neighbour_grid", "neighbours_of", "NEIGHBOUR_COLUMNS"]
