"""SSDA903 (children looked after return) CSV tables, as councils and Data to Insight keep them.

Layouts accepted under ``ssda903/`` (file and folder names in any capitalisation):

* a folder per collection year, named ``2017-18``, ``2017_18``, ``2017-2018``, ``201718`` or
  ``2017``, holding ``episodes.csv``, ``Episodes.csv``, ``SSDA903_Episodes.csv``, ...;
* flat files named with the year, e.g. ``2017-episodes.csv`` or ``SSDA903_201718_Header.csv``;
* flat files with no year (``SSDA903_Episodes.csv``): one return, dated by its episodes.

A single year such as ``2017`` is read from the return's own dates: a return holds the episodes
open during its collection year, so if any episode starts after 31 March 2017 the folder is the
2017-18 return, otherwise the 2016-17 one. A return with no year at all is the collection year of
its latest episode start. Every file under ``ssda903/`` is recorded as used (what it was taken as
and how it was recognised) or not used (why).

Several returns are layered: a return holds the episodes open during its year, so an episode
still open at the end of one year is carried forward into the next return, where it may have been
amended. An episode from an earlier return is superseded when a later return holds the same child
and the episode was still open when that later return's year began; episodes that ended earlier
are only in the earlier return and are kept from it. Within one return, two episodes of a child
with the same start date are reported (file, rows, both versions) and the row further down the
file is used. Every episode row read is accounted for: used, superseded by a later return
(carried forward) or rejected, in the inventory of files (``ProblemLog.used``).

The tables come back stacked over the years with a ``collection_year`` column, plus ``returns``:
one row per collection year supplied (``collection_year, start, end, tables``), which says what
the returns can support (see ``indicators.cla_episodes``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from . import codes as C
from .annex_a import find_heading_row, read_csv_raw
from .annex_a import parse_list as parse_list_frame
from .annex_a_spec import Column, ListSpec
from .cells import Cells, RawTable
from .problems import WARNING, FileSummary, ProblemLog

Y01 = {"1": ["1", "yes", "y"], "0": ["0", "no", "n"]}


def _t(key: str, cols: list[Column], **kw: object) -> ListSpec:
    kw.setdefault("required_values", ("CHILD",))
    return ListSpec(0, key, f"SSDA903 {key}", tuple(cols), **kw)  # type: ignore[arg-type]


def _child_dob() -> list[Column]:
    return [Column("CHILD", "CHILD", "id"), Column("DOB", "DOB", "date")]


SSDA903: dict[str, ListSpec] = {
    "header": _t("header", [
        Column("CHILD", "CHILD", "id"), Column("SEX", "SEX", "code", {"1": [], "2": []}),
        Column("DOB", "DOB", "date"), Column("ETHNIC", "ETHNIC", "code", C.ETHNICITY),
        Column("UPN", "UPN", "text", required=False),
        Column("MOTHER", "MOTHER", "text", required=False),
        Column("MC_DOB", "MC_DOB", "date", required=False),
    ]),
    "episodes": _t("episodes", [
        Column("CHILD", "CHILD", "id"), Column("DECOM", "DECOM", "date"),
        Column("RNE", "RNE", "code", {c: [] for c in ["S", "L", "P", "T", "B", "U"]}),
        Column("LS", "LS", "code", C.LEGAL_STATUS),
        Column("CIN", "CIN", "code", C.PRIMARY_NEED),
        Column("PLACE", "PLACE", "code", C.PLACEMENT_TYPE),
        Column("PLACE_PROVIDER", "PLACE_PROVIDER", "code", C.PROVIDER, required=False),
        Column("DEC", "DEC", "date"), Column("REC", "REC", "code", C.REASON_CEASED),
        Column("REASON_PLACE_CHANGE", "REASON_PLACE_CHANGE", "text", required=False),
        Column("HOME_POST", "HOME_POST", "text", required=False),
        Column("PL_POST", "PL_POST", "text", required=False),
        Column("URN", "URN", "text", required=False),
    ], intervals=(("DECOM", "DEC", "reject"),), required_values=("CHILD", "DECOM")),
    "reviews": _t("reviews", _child_dob() + [
        Column("REVIEW", "REVIEW", "date"), Column("REVIEW_CODE", "REVIEW_CODE", "text"),
    ]),
    "uasc": _t("uasc", [Column("CHILD", "CHILD", "id"), Column("DUC", "DUC", "date")]),
    "oc2": _t("oc2", _child_dob() + [
        Column("SDQ_SCORE", "SDQ_SCORE", "int"), Column("SDQ_REASON", "SDQ_REASON", "text"),
        *[Column(k, k, "code", Y01, required=k in {"HEALTH_ASSESSMENT", "TEETH_CHECK"})
          for k in ["CONVICTED", "HEALTH_CHECK", "IMMUNISATIONS", "TEETH_CHECK",
                    "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED",
                    "INTERVENTION_OFFERED"]],
    ]),
    "oc3": _t("oc3", _child_dob() + [
        Column("IN_TOUCH", "IN_TOUCH", "code", C.IN_TOUCH),
        Column("ACTIV", "ACTIV", "code", {**C.ACTIVITY, "0": []}),
        Column("ACCOM", "ACCOM", "code",
               {f"{a}{d}": [] for a in C.ACCOMMODATION for d in "12"} | {"0": ["00", "01"]}),
    ]),
    "ad1": _t("ad1", _child_dob() + [
        Column("DATE_INT", "DATE_INT", "date"), Column("DATE_MATCH", "DATE_MATCH", "date"),
        Column("FOSTER_CARE", "FOSTER_CARE", "code", Y01, required=False),
    ]),
    "placed_for_adoption": _t("placed_for_adoption", _child_dob() + [
        Column("DATE_PLACED", "DATE_PLACED", "date"),
        Column("DATE_PLACED_CEASED", "DATE_PLACED_CEASED", "date"),
        Column("REASON_PLACED_CEASED", "REASON_PLACED_CEASED", "code", C.NO_LONGER_ADOPT),
    ], intervals=(("DATE_PLACED", "DATE_PLACED_CEASED", "report"),)),
    "previous_permanence": _t("previous_permanence", _child_dob() + [
        Column("PREV_PERM", "PREV_PERM", "code", {c: [] for c in ["P1", "P2", "P3", "P4", "Z1"]}),
        Column("LA_PERM", "LA_PERM", "text", required=False),
        Column("DATE_PERM", "DATE_PERM", "text", required=False),
    ]),
    "missing": _t("missing", _child_dob() + [
        Column("MISSING", "MISSING", "code", {"M": [], "A": []}),
        Column("MIS_START", "MIS_START", "date"), Column("MIS_END", "MIS_END", "date"),
    ], intervals=(("MIS_START", "MIS_END", "report"),), required_values=("CHILD", "MIS_START")),
    "sw_episodes": _t("sw_episodes", _child_dob() + [
        Column("SW_ID", "SW_ID", "text"), Column("SW_DECOM", "SW_DECOM", "date"),
        Column("SW_DEC", "SW_DEC", "date"), Column("SW_REASON", "SW_REASON", "text"),
    ]),
}  # fmt: skip

# File names of each table, lower case with punctuation removed (DfE's, Data to Insight's and
# liiatools' spellings: "Episodes", "PlacedAdoption", "PrevPerm", "SocialWorker", ...)
TABLE_NAMES = {
    "header": ["header"],
    "episodes": ["episodes", "episode"],
    "reviews": ["reviews", "review"],
    "uasc": ["uasc"],
    "oc2": ["oc2"],
    "oc3": ["oc3"],
    "ad1": ["ad1"],
    "placed_for_adoption": ["placedforadoption", "placedadoption"],
    "previous_permanence": ["previouspermanence", "prevperm"],
    "missing": ["missing"],
    "sw_episodes": ["swepisodes", "socialworker", "socialworkerepisodes"],
}
_TABLE_OF = {name: key for key, names in TABLE_NAMES.items() for name in names}
_PREFIXES = ("ssda903", "903", "cla")
# a year in a file or folder name: 2017-18, 2017_18, 2017-2018, 201718 or 2017
_YEAR = re.compile(r"(?<!\d)(19\d{2}|20\d{2})(?:[-_ ]?(\d{4}|\d{2}))?(?!\d)")
LAYOUTS = (
    "ssda903/<year>/<table>.csv with the year written 2024-25, 2024_25, 2024-2025, 202425 or "
    "2024; or flat files named with the year (2024-episodes.csv) or without "
    "(SSDA903_Episodes.csv); any capitalisation"
)


@dataclass(frozen=True)
class YearName:
    """The collection year a name gives: ``start`` (2017 for 2017-18), or only a single year
    (``single``: 2017 may be 2016-17 or 2017-18, settled by the return's dates)."""

    start: int
    single: bool


def year_in_name(name: str) -> tuple[YearName | None, str]:
    """The collection year written in a file or folder name, and the name without it."""
    for match in _YEAR.finditer(name):
        first, second = int(match.group(1)), match.group(2)
        rest = name[: match.start()] + name[match.end() :]
        if second is None:
            return YearName(first, True), rest
        if (first + 1) % 100 == int(second) % 100 and (len(second) == 2 or int(second) > first):
            return YearName(first, False), rest
    return None, name


def collection_year(name: str) -> str | None:
    """``"2024-25"`` from a name written 2024-25, 2024_25, 2024-2025 or 202425; else None."""
    year, rest = year_in_name(name)
    if year is None or year.single or _plain(rest) not in {"", *_PREFIXES}:
        return None
    return year_label(year.start)


def year_label(start: int) -> str:
    return f"{start}-{(start + 1) % 100:02d}"


def _plain(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def table_of(stem: str) -> tuple[str | None, YearName | None]:
    """The SSDA903 table a file name (without extension) names, and any year in it."""
    year, rest = year_in_name(stem)
    plain = _plain(rest)
    for prefix in _PREFIXES:
        if plain.startswith(prefix) and plain[len(prefix) :] in _TABLE_OF:
            plain = plain[len(prefix) :]
    return _TABLE_OF.get(plain), year


@dataclass(eq=False)
class _Part:
    """The rows of one file: rows ``start:stop`` of the frame of the files of its kind read
    together (all of it for a file parsed alone), taken out only where needed."""

    whole: pd.DataFrame
    start: int
    stop: int

    @classmethod
    def of(cls, frame: pd.DataFrame) -> _Part:
        return cls(frame, 0, len(frame))

    def rows(self) -> pd.DataFrame:
        if self.start == 0 and self.stop == len(self.whole):
            return self.whole
        return self.whole.iloc[self.start : self.stop].reset_index(drop=True)


@dataclass
class _Return:
    """The files of one collection year (or of one undated return) and how they were found."""

    name: YearName | None
    how: str  # how the year was recognised
    files: dict[str, tuple[Path, str]] = field(default_factory=dict)  # table -> (file, how)
    tables: dict[str, _Part] = field(default_factory=dict)
    start: int | None = None


def _read_table(file: Path, key: str, log: ProblemLog) -> pd.DataFrame | None:
    raw = read_csv_raw(file, log)
    if raw is None:
        _unreadable(file, key, log)
        return None
    return parse_list_frame(raw, SSDA903[key], log, str(file))


def _unreadable(file: Path, key: str, log: ProblemLog) -> None:
    log.not_used(file, f"meant as the SSDA903 {key} table but could not be read (see the "
                 "problem log)")  # fmt: skip


# ------------------------------------------------------------------ reading the files of a kind
#
# Seven years of returns are 49 small files of 7 kinds. Parsed one by one, each pays the fixed
# costs of a parse (frames, Series, checks) and parses again the dates and identifiers the other
# years hold too. So the files of one kind whose heading rows are the same are parsed as one
# table, and what the parse found is given back to each file: its rows, its problems (named by
# its own file and row, in the order its own parse would list them) and its row counts. Where
# the parse of the whole could say something that the parse of each file would not (a problem
# about a column or the table rather than a row, or a date column with dates that are not
# dates, which one file alone might have refused as a whole), the files are parsed one by one.

_FILE_HEADING = "sefanalysis file of the row"  # no SSDA903 heading; never written to a file
_FILE_KEY = "_file_number"
_ROW_STEP = 1 << 40  # the rows of the n-th file of a kind are numbered from n * _ROW_STEP
# a problem found on one row whose file alone might have been refused as a whole column
_COLUMN_DECIDED = frozenset({"unparseable date", "date out of range"})


@dataclass
class _Raw:
    """One file as read, with its heading row and the rows that are data (not blank)."""

    file: Path
    raw: RawTable
    heading_row: int
    body: np.ndarray  # positions of the filled rows below the heading row


def _read_files(entries: list[tuple[str, Path]]) -> list[tuple[ProblemLog, _Part | None]]:
    """Each file (table key, path) read and parsed, with what its own parse reports: a
    :class:`ProblemLog` of its own (problems and row counts) and its rows, naming the file in
    ``_file`` (None if the file could not be read). Files of one kind laid out alike are parsed
    together (see above)."""
    logs = [ProblemLog() for _ in entries]
    # ``_file`` holds the file of each row as a category: rows are sorted, merged and selected
    # later, and a number is moved faster than a text
    named = pd.CategoricalDtype(list(dict.fromkeys(str(file) for _, file in entries)))
    frames: list[_Part | None] = [None] * len(entries)
    alike: dict[tuple, list[tuple[int, _Raw]]] = {}
    for i, (key, file) in enumerate(entries):
        raw = read_csv_raw(file, logs[i])
        if raw is None:
            continue
        raw = RawTable.of(raw)
        read = _laid_out(file, raw, SSDA903[key])
        if read is None:  # no rows, or no heading row: its own parse says so
            frames[i] = _Part.of(_parse_alone(raw, key, logs[i], file, named))
            continue
        headings = tuple(None if pd.isna(v) else v for v in raw.row(read.heading_row))
        alike.setdefault((key, headings), []).append((i, read))
    for (key, _), group in alike.items():
        together = _parse_together(key, [r for _, r in group], named) if len(group) > 1 else None
        if together is None:
            for i, read in group:
                frames[i] = _Part.of(_parse_alone(read.raw, key, logs[i], read.file, named))
            continue
        for (i, _), (problems, summary, frame) in zip(group, together, strict=True):
            logs[i].problems += problems
            logs[i].files.append(summary)
            frames[i] = frame
    return list(zip(logs, frames, strict=True))


def _parse_alone(
    raw: RawTable, key: str, log: ProblemLog, file: Path, named: pd.CategoricalDtype
) -> pd.DataFrame:
    frame = parse_list_frame(raw, SSDA903[key], log, str(file))
    number = list(named.categories).index(str(file))
    frame["_file"] = pd.Categorical.from_codes(np.full(len(frame), number), dtype=named)
    return frame


def _laid_out(file: Path, raw: RawTable, spec: ListSpec) -> _Raw | None:
    """The heading row and the filled rows below it, as the parse finds them; None for a file
    with no rows or no heading row."""
    if raw.empty:
        return None
    heading_row, hits = find_heading_row(raw, spec)
    if hits < 2:
        return None
    below = np.arange(heading_row + 1, len(raw))
    filled = np.zeros(len(below), dtype=bool)
    for cells in raw.columns:
        filled |= cells.codes[below] >= 0
    return _Raw(file, raw, heading_row, below[filled]) if filled.any() else None


def _stacked(parts: list[Cells]) -> Cells:
    """The cells of several columns one after another, each distinct text once (the files are
    read as text, so equal values are equal texts)."""
    uniques = np.concatenate([p.uniques for p in parts])
    starts = np.cumsum([0] + [len(p.uniques) for p in parts[:-1]])
    codes = np.concatenate(
        [np.where(p.codes >= 0, p.codes + s, -1) for p, s in zip(parts, starts, strict=True)]
    )
    merged, distinct = pd.factorize(uniques)
    return Cells(np.append(merged, -1)[codes], np.asarray(distinct, dtype=object))


def _parse_together(
    key: str, reads: list[_Raw], named: pd.CategoricalDtype
) -> list[tuple[list, FileSummary, _Part]] | None:
    """The files of one kind with the same heading row parsed as one table: for each file its
    problems, its row counts and its rows, as its own parse gives them; None where the parse
    of the whole may differ from the files' own (see above)."""
    spec = SSDA903[key]
    # a column numbering the files keeps equal rows of two files from being duplicates
    wide = replace(spec, columns=(*spec.columns, Column(_FILE_KEY, _FILE_HEADING, "text")))
    first = reads[0]
    columns = [
        _stacked([Cells(cells.codes[[first.heading_row]], cells.uniques)]
                 + [Cells(r.raw.columns[j].codes[r.body], r.raw.columns[j].uniques)
                    for r in reads])
        for j, cells in enumerate(first.raw.columns)
    ]  # fmt: skip
    numbers = np.repeat(np.arange(len(reads)), [len(r.body) for r in reads])
    columns.append(
        Cells(
            np.append(0, numbers + 1),
            np.array([_FILE_HEADING, *map(str, range(len(reads)))], dtype=object),
        )
    )
    index = np.concatenate(
        [[0]] + [(n + 1) * _ROW_STEP + r.raw.index[r.body] for n, r in enumerate(reads)]
    )
    table = RawTable(columns, index)
    if find_heading_row(table, wide)[0] != 0:
        return None
    log = ProblemLog()
    frame = parse_list_frame(table, wide, log, "")
    owners = []
    for problem in log.problems:
        if problem.row is None or problem.row < _ROW_STEP or problem.kind in _COLUMN_DECIDED:
            return None
        owners.append(problem.row // _ROW_STEP - 1)
    rows = frame["_row"].to_numpy(dtype=np.int64)
    owner = rows // _ROW_STEP - 1
    del frame[_FILE_KEY]  # the frame is the parse's own
    frame["_row"] = pd.array(rows - (owner + 1) * _ROW_STEP, dtype="Int64")
    problems: list[list] = [[] for _ in reads]
    for problem, n in zip(log.problems, owners, strict=True):
        problems[n].append(
            replace(problem, file=str(reads[n].file), row=problem.row - (n + 1) * _ROW_STEP)
        )
    ends = np.searchsorted(owner, np.arange(len(reads) + 1))
    names = list(named.categories)  # a few dozen files: a list, not the index's hash table
    numbers = [names.index(str(r.file)) for r in reads]
    frame["_file"] = pd.Categorical.from_codes(np.repeat(numbers, np.diff(ends)), dtype=named)
    out = []
    for n, r in enumerate(reads):
        kept = int(ends[n + 1] - ends[n])
        summary = FileSummary(str(r.file), "", key, len(r.body), len(r.body) - kept)
        out.append((problems[n], summary, _Part(frame, int(ends[n]), int(ends[n + 1]))))
    return out


def read_ssda903_folder(folder: Path, log: ProblemLog, year: str = "") -> dict[str, pd.DataFrame]:
    """The SSDA903 tables of one return kept in one folder (file names in any of the accepted
    spellings), checked row by row; ``year`` (e.g. ``"2024-25"``) is the return's collection
    year, if known."""
    tables: dict[str, pd.DataFrame] = {}
    for file in sorted(p for p in folder.iterdir() if p.is_file()):
        key, _ = table_of(file.stem) if file.suffix.lower() == ".csv" else (None, None)
        if key is None or key in tables:
            continue
        frame = _read_table(file, key, log)
        if frame is not None:
            tables[key] = frame.assign(collection_year=year, _file=str(file))
    tables = {k: v.assign(_return=0) for k, v in tables.items()}
    tables = _check_returns(tables, [(year, list(tables))], log)
    return {k: v.drop(columns=["_file", "_return"]) for k, v in tables.items()}


# A problem found by the checks of the returns, with where it goes in the problem log: the
# returns in order, and within one return its duplicates (table by table, in the return's
# order), then its placement codes, then each rule of the guide, then children not in its header.
_Found = tuple  # (return, stage, kind, file, row, column, value, expected)
_RULE_STAGE, _HEADER_STAGE = 2, 3
_HEADED = ("episodes", "oc2", "oc3", "missing", "reviews")  # tables whose children a header lists


def _check_returns(
    tables: dict[str, pd.DataFrame], returns: list[tuple[str, list[str]]], log: ProblemLog
) -> dict[str, pd.DataFrame]:
    """Each return's duplicates removed (:func:`_dedupe_within`) and its rows checked
    (:func:`_consistency`, placement codes of its collection year), for all the returns
    at once: ``tables`` hold the returns' rows one return after another, ``_return`` numbering
    them, and ``returns`` gives each return's collection year and its tables in order. The
    problems are logged as checking one return after another would log them."""
    found: list[_Found] = []
    tables = _dedupe_within(tables, log, returns, found)
    eps = tables.get("episodes")
    if eps is not None and len(eps):
        place, codes = pd.factorize(eps["PLACE"].to_numpy(dtype=object, na_value=None))
        number = eps["_return"].to_numpy()
        for n, (year, _) in enumerate(returns):
            if year not in C.PLACEMENT_CODES_BY_YEAR:
                continue
            valid = C.PLACEMENT_CODES_BY_YEAR[year]
            known = np.append(pd.Index(codes, dtype=object).isin(list(valid)), True)
            bad = (number == n) & ~known[place]
            expected = f"a {year} placement code: {', '.join(sorted(valid))}"
            for rec in eps.loc[bad, ["_file", "_row", "PLACE"]].itertuples(index=False):
                found.append((n, (1, 0), "code not valid in this collection year", rec[0],
                              rec[1], "PLACE", rec[2], expected))  # fmt: skip
    _consistency(tables, returns, found)
    found.sort(key=lambda f: f[:2])  # stable: each check's rows stay in their order
    for _, _, kind, file, row, column, value, expected in found:
        log.add(WARNING, kind, file, row=row, column=column, value=value, expected=expected)
    return tables


def _consistency(
    tables: dict[str, pd.DataFrame], returns: list[tuple[str, list[str]]], found: list[_Found]
) -> None:
    """Cross-row and cross-table rules of the SSDA903 guide, for every return in ``tables``
    (numbered by ``_return``), reported row by row into ``found`` (the rows are kept; the
    children-in-care measures read the episodes as they are, and say so)."""
    eps = tables.get("episodes")
    if eps is not None and len(eps):
        # within each return, each child's episodes in order (a stable sort: as one return's)
        e = eps.sort_values(["_return", "CHILD", "DECOM"], kind="stable")
        nxt_start = e.groupby(["_return", "CHILD"], observed=True)["DECOM"].shift(-1)
        has_next = nxt_start.notna()
        rec = e["REC"].astype("string")
        rules = [
            (has_next & e["DEC"].isna(), "open episode followed by another",
             "an end date (DEC) when the child has a later episode"),
            (has_next & (e["DEC"] > nxt_start), "overlapping episodes",
             "DEC on or before the next episode's DECOM"),
            (has_next & (e["DEC"] < nxt_start) & rec.eq("X1"), "broken episode chain",
             "with REC = X1 (episode continues), the next episode to start on DEC"),
            (e["DEC"].notna() & rec.isna(), "end date without a reason",
             "a reason episode ceased (REC) with the end date (DEC)"),
            (~has_next & e["DEC"].notna() & rec.eq("X1"), "no episode after X1",
             "a next episode starting on DEC (REC = X1: the care goes on), or another reason; "
             "the child is counted neither as in care after DEC nor as ceasing"),
        ]  # fmt: skip
        for rule, (mask, kind, expected) in enumerate(rules):
            mask = mask.fillna(False).astype(bool)
            if not mask.any():
                continue
            flagged = e.loc[mask, ["_return", "_file", "_row", "CHILD"]]
            for r in flagged.itertuples(index=False):
                found.append((r[0], (_RULE_STAGE, rule), kind, r[1], r[2], "DEC", r[3], expected))
    header = tables.get("header")
    if header is None:
        return
    # a child is known to a return when its header lists the child; a return without a
    # header has no children to check
    listed = np.array(["header" in keys for _, keys in returns])
    checked = [(stage, k) for stage, k in enumerate(_HEADED) if k in tables and len(tables[k])]
    frames = [header] + [tables[k] for _, k in checked]
    # the children of the header and of the tables checked, factorised together, and each
    # row's (return, child) as one number
    child, _ = pd.factorize(
        np.concatenate([f["CHILD"].to_numpy(dtype=object, na_value=None) for f in frames])
    )
    number = np.concatenate([f["_return"].to_numpy(dtype=np.int64) for f in frames])
    pair = number * (int(child.max(initial=-1)) + 2) + child + 1
    ends = np.cumsum([len(f) for f in frames])
    known = pair[: ends[0]][child[: ends[0]] >= 0]
    expected = "a child listed in the return's header table"
    for (stage, key), start, end in zip(checked, ends[:-1], ends[1:], strict=True):
        rows = slice(start, end)
        orphan = ~np.isin(pair[rows], known) & (child[rows] >= 0) & listed[number[rows]]
        if not orphan.any():
            continue
        flagged = tables[key].loc[orphan, ["_return", "_file", "_row", "CHILD"]]
        for r in flagged.itertuples(index=False):
            found.append((r[0], (_HEADER_STAGE, stage), "child not in header", r[1], r[2],
                          "CHILD", r[3], expected))  # fmt: skip


# ------------------------------------------------------------------ duplicates and layering

# the rows that describe the same thing, within a return and across returns
SAME = {
    "header": ["CHILD"],
    "episodes": ["CHILD", "DECOM"],
    "uasc": ["CHILD"],
    "oc2": ["CHILD"],
    "oc3": ["CHILD"],
    "ad1": ["CHILD"],
    "reviews": ["CHILD", "REVIEW"],
    "missing": ["CHILD", "MIS_START"],
    "placed_for_adoption": ["CHILD", "DATE_PLACED"],
    "previous_permanence": ["CHILD"],
    "sw_episodes": ["CHILD", "SW_DECOM"],
}
# tables that describe the year of their return only (kept per year, never superseded)
PER_YEAR = {"oc2", "oc3", "ad1", "previous_permanence"}


def _describe(frame: pd.DataFrame, key: str) -> pd.Series:
    """Short text of a row's values, to show two versions of the same thing side by side."""
    cols = [c for c in SSDA903[key].columns if c.key not in SAME[key]][:5]
    parts = []
    for col in cols:
        values = frame[col.key]
        text = (values.dt.strftime("%d/%m/%Y") if col.kind == "date"
                else values.astype("string"))  # fmt: skip
        parts.append(col.key + " " + text.fillna("blank"))
    out = parts[0]
    for part in parts[1:]:
        out = out + ", " + part
    return out


def _dedupe_within(
    tables: dict[str, pd.DataFrame],
    log: ProblemLog,
    returns: list[tuple[str, list[str]]],
    found: list[_Found],
) -> dict[str, pd.DataFrame]:
    """Rows of one return that describe the same thing (a child and start date twice, with
    different values: exact repeats were removed on reading) are reported with both versions,
    and the row further down the file is used. ``tables`` hold the rows of several returns,
    numbered by ``_return`` (see :func:`_check_returns`)."""
    out = dict(tables)
    for key, frame in tables.items():
        same = SAME[key]
        if frame.empty or any(c not in frame for c in same):
            continue
        within = same + ["_return"]
        dup = frame.duplicated(within, keep="last")
        if not dup.any():  # the usual case: no need to look for missing values
            continue
        dup &= frame[same].notna().all(axis=1)
        if not dup.any():
            continue
        kept = frame.loc[frame.duplicated(within, keep=False) & ~dup]
        text = _describe(frame, key)
        winners = kept[within].assign(_kept=kept["_row"], _kept_text=text[kept.index])
        losers = frame.loc[dup, within + ["_file", "_row"]].assign(_text=text[dup])
        pairs = losers.merge(winners, on=within, how="left")
        for rec in pairs.to_dict("records"):
            value = " ".join(str(rec[c].date() if hasattr(rec[c], "date") else rec[c])
                             for c in same)  # fmt: skip
            stage = (0, returns[rec["_return"]][1].index(key))
            found.append((rec["_return"], stage, f"duplicate {' and '.join(same)} in one return",
                          rec["_file"], rec["_row"], same[-1], value,
                          f"each once; row {rec['_kept']} ({rec['_kept_text']}) is used, "
                          f"this row ({rec['_text']}) is not"))  # fmt: skip
        for summary in log.files:
            if summary.file in set(losers["_file"]):
                summary.rows_rejected += int((losers["_file"] == summary.file).sum())
        out[key] = frame.loc[~dup]
    return out


def _layer_episodes(eps: pd.DataFrame, log: ProblemLog) -> pd.DataFrame:
    """Episodes of every return, each once: a row is superseded when a later return holds the
    same child and the episode was still open when that return's year began (carried forward,
    so the later version counts). Marks superseded rows in ``_superseded``."""
    eps = eps.sort_values(["_start", "CHILD", "DECOM"], kind="stable", ignore_index=True)
    # the next return holding each child, worked out on numbers: the returns' years (few) and
    # the children (factorised once); a child missing (never: the reader rejects such rows)
    # has none
    years, year = np.unique(eps["_start"].to_numpy(), return_inverse=True)
    n_years = max(len(years), 1)  # no episodes: every array below is empty
    child = pd.factorize(eps["CHILD"], use_na_sentinel=True)[0]
    pair = child.astype(np.int64) * n_years + year
    present = np.unique(pair[child >= 0])
    after = np.append(present[1:], -1)
    same_child = after // n_years == present // n_years
    next_year = np.where(same_child & (after >= 0), after % n_years, -1)
    nxt = np.full(len(pair), -1)
    if len(present):
        at = np.minimum(np.searchsorted(present, pair), len(present) - 1)
        nxt = np.where(child >= 0, next_year[at], -1)
    has_next = nxt >= 0
    next_start = years[np.maximum(nxt, 0)]
    dec = eps["DEC"].to_numpy()
    open_then = np.isnat(dec) | (dec >= next_start)
    superseded = has_next & open_then
    # a later return repeating an episode that ended before its year: the later version counts
    later = eps.duplicated(["CHILD", "DECOM"], keep="last").to_numpy() & ~superseded
    eps["_superseded"] = superseded | later
    # an episode open at the end of a return whose next year was supplied without the child
    ends = (pd.DatetimeIndex(years) + pd.DateOffset(years=1)).to_numpy()
    still_open = np.isnat(dec) | (dec >= ends[year])
    missing_next = still_open & ~has_next & np.isin(ends, years)[year]
    for r in eps.loc[missing_next, ["_file", "_row", "CHILD", "_start"]].itertuples(index=False):
        log.add(
            WARNING,
            "open episode not carried forward",
            r[0],
            row=r[1],
            column="DEC",
            value=r[2],
            expected=f"the child in the {year_label(r[3].year + 1)} return, "
            "which should hold this episode until it ended; it is taken as still open",
        )
    return eps


def _layer(key: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of the same thing in several returns: the latest return's version counts."""
    if key in PER_YEAR:
        frame["_superseded"] = False
        return frame
    frame = frame.sort_values("_start", kind="stable")
    frame["_superseded"] = frame.duplicated(SAME[key], keep="last").to_numpy()
    return frame


# ------------------------------------------------------------------ finding the returns


def _sort_key(path: Path) -> tuple[int, str]:
    return (len(path.parts), str(path).lower())


def _find_returns(root: Path, log: ProblemLog) -> list[_Return]:
    """Group the files under ``root`` into returns; record every file not used, and why."""
    groups: dict[tuple[int, bool] | None, _Return] = {}
    for file in sorted((p for p in root.rglob("*") if p.is_file()), key=_sort_key):
        rel = file.relative_to(root)
        if len(rel.parts) > 2:
            log.not_used(file, "in a sub-folder of a folder: SSDA903 tables are read from "
                         f"{root.name}/ or one folder per collection year")  # fmt: skip
            continue
        folder_year = None
        if len(rel.parts) == 2:
            folder_year, rest = year_in_name(rel.parts[0])
            if folder_year is None or _plain(rest) not in {"", *_PREFIXES}:
                log.not_used(file, f"in folder {rel.parts[0]!r}, whose name is not a "
                             "collection year (e.g. 2024-25, 202425 or 2024)")  # fmt: skip
                continue
        if file.suffix.lower() != ".csv":
            log.not_used(file, "not a CSV file")
            continue
        key, file_year = table_of(file.stem)
        if key is None:
            names = ", ".join(f"{k}.csv" for k in SSDA903)
            log.not_used(file, f"not an SSDA903 table name (expected {names}, in any "
                         "capitalisation, optionally with the year or 'SSDA903_')")  # fmt: skip
            continue
        year = folder_year or file_year
        if folder_year and file_year and folder_year.start != file_year.start:
            log.not_used(file, f"its name says {file_year.start} but its folder says "
                         f"{rel.parts[0]}")  # fmt: skip
            continue
        group = groups.setdefault(
            None if year is None else (year.start, year.single),
            _Return(year, _year_how(rel, folder_year, file_year)),
        )
        where = f"folder {rel.parts[0]}, " if len(rel.parts) == 2 else ""
        if key in group.files:
            log.not_used(file, f"a second SSDA903 {key} table for the same return: "
                         f"{group.files[key][0].name} is used")  # fmt: skip
            continue
        group.files[key] = (file, f"{where}file name {file.name}")
    return list(groups.values())


def _year_how(rel: Path, folder_year: YearName | None, file_year: YearName | None) -> str:
    if folder_year is not None:
        return f"folder name {rel.parts[0]!r}"
    if file_year is not None:
        return f"the year in the file name {rel.name!r}"
    return "no year in the name"


def _settle_year(ret: _Return) -> str:
    """Fix the return's collection year; return how it was settled (for the inventory)."""
    eps = ret.tables["episodes"].rows() if "episodes" in ret.tables else None
    latest = eps["DECOM"].max() if eps is not None and len(eps) else pd.NaT
    name = ret.name
    if name is not None and not name.single:
        ret.start = name.start
        return f"collection year {year_label(ret.start)} from the {ret.how}"
    if name is not None:
        if pd.isna(latest):
            ret.start = name.start
            return (f"collection year {year_label(ret.start)} from the {ret.how} (a single "
                    "year, read as the year the collection starts: there are no episodes to "
                    "date it)")  # fmt: skip
        after = latest > pd.Timestamp(f"{name.start}-03-31")
        ret.start = name.start if after else name.start - 1
        return (f"collection year {year_label(ret.start)} from the {ret.how} and the latest "
                f"episode start, {latest:%d/%m/%Y} (a single year names the return whose "
                "episodes it holds)")  # fmt: skip
    if pd.isna(latest):
        return ""
    ret.start = latest.year if latest.month >= 4 else latest.year - 1
    return (f"collection year {year_label(ret.start)} from the latest episode start, "
            f"{latest:%d/%m/%Y} ({ret.how})")  # fmt: skip


def read_ssda903(root: Path, log: ProblemLog) -> dict[str, pd.DataFrame]:
    """Every return under ``root``, layered (see the module docstring); ``returns`` lists the
    collection years supplied and their tables."""
    if not root.is_dir():
        return {}
    found = _find_returns(root, log)
    each = iter(_read_files([(k, f) for ret in found for k, (f, _) in ret.files.items()]))
    read: list[tuple[_Return, str]] = []
    for ret in found:
        for key, (file, _) in ret.files.items():
            own, part = next(each)  # what the file's reading reported, in its place
            log.problems += own.problems
            log.files += own.files
            if part is None:
                _unreadable(file, key, log)
            else:
                ret.tables[key] = part
        how = _settle_year(ret)
        if ret.start is None:
            for file, _ in ret.files.values():
                log.not_used(file, "no year in its name or folder and no episodes table to "
                             "date the return by")  # fmt: skip
            continue
        read.append((ret, how))
    by_year: dict[int, list[tuple[_Return, str]]] = {}
    for ret, how in read:
        by_year.setdefault(ret.start, []).append((ret, how))  # type: ignore[arg-type]
    merged: list[tuple[int, dict[str, _Part], dict[str, tuple[Path, str]], str]] = []
    for start, rets in sorted(by_year.items()):
        tables: dict[str, _Part] = {}
        files: dict[str, tuple[Path, str]] = {}
        for ret, _ in rets:
            for key, part in ret.tables.items():
                if key in tables:
                    log.not_used(ret.files[key][0], f"a second SSDA903 {key} table for "
                                 f"{year_label(start)}: {files[key][0]} is used")  # fmt: skip
                    continue
                tables[key], files[key] = part, ret.files[key]
        merged.append((start, tables, files, "; ".join(h for _, h in rets)))
    # each table's rows of every return one after another, the returns checked all at once
    stacked: dict[str, list[tuple[int, int, _Part]]] = {}
    for number, (start, tables, _, _) in enumerate(merged):
        for key, part in tables.items():
            stacked.setdefault(key, []).append((number, start, part))
    whole = {key: _stacked_returns(frames) for key, frames in stacked.items()}
    whole = _check_returns(whole, [(year_label(s), list(t)) for s, t, *_ in merged], log)
    return _stack(merged, whole, log)


def _stacked_returns(frames: list[tuple[int, int, _Part]]) -> pd.DataFrame:
    """One table's rows of several returns (number, start year, rows) one after another,
    each row numbered by its return (``_return``) and dated by the day its year starts
    (``_start``; the year's label is added last)."""
    parts = [p for *_, p in frames]
    whole = parts[0].whole
    if (
        all(p.whole is whole for p in parts)
        and [p.start for p in parts] == [0] + [p.stop for p in parts[:-1]]
        and parts[-1].stop == len(whole)
    ):
        frame = whole  # the files were read together, in this order: nothing to join
    else:
        frame = pd.concat([p.rows() for p in parts], ignore_index=True)
    counts = [p.stop - p.start for p in parts]
    starts = np.array([f"{s}-04-01" for _, s, _ in frames], dtype="datetime64[us]")
    frame["_start"] = np.repeat(starts, counts)
    frame["_return"] = np.repeat([n for n, *_ in frames], counts)
    return frame


def _stack(
    merged: list[tuple[int, dict[str, _Part], dict[str, tuple[Path, str]], str]],
    whole: dict[str, pd.DataFrame],
    log: ProblemLog,
) -> dict[str, pd.DataFrame]:
    out: dict[str, pd.DataFrame] = {}
    for key, frame in whole.items():
        out[key] = _layer_episodes(frame, log) if key == "episodes" else _layer(key, frame)
    rejected = {s.file: s.rows_rejected for s in log.files}
    # rows and rows superseded of each file, counted for each table at once
    held: dict[str, tuple[int, int]] = {}
    for frame in out.values():
        # every file's number among all the files found (its category); a file holds rows of
        # one table only, so the files with none here are left out
        codes, names = frame["_file"].cat.codes.to_numpy(), frame["_file"].cat.categories
        rows = np.bincount(codes, minlength=len(names))
        gone = np.bincount(codes, weights=frame["_superseded"].to_numpy(dtype=bool),
                           minlength=len(names))  # fmt: skip
        held |= {name: (int(n), int(g))
                 for name, n, g in zip(names, rows, gone, strict=True) if n}  # fmt: skip
    for start, tables, files, how in merged:
        label = year_label(start)
        for key, (file, file_how) in files.items():
            if key not in tables:
                continue
            n_rows, superseded = held.get(str(file), (0, 0))
            n_rejected = rejected.get(str(file), 0)
            counts = (f"{n_rows + n_rejected:,} rows: {n_rows - superseded:,} used, "
                      f"{superseded:,} superseded by a later return's version, "
                      f"{n_rejected:,} rejected")  # fmt: skip
            log.used(file, f"SSDA903 {key}, {label}", f"{file_how}; {how}; {counts}")
    for key, frame in out.items():
        # sorted by the start of the return's year, as by its label (2017-18 before 2018-19)
        kept = frame.loc[~frame["_superseded"]].sort_values(
            SAME[key] + ["_start"], ignore_index=True, kind="stable"
        )
        starts, year = np.unique(kept["_start"].to_numpy(), return_inverse=True)
        labels = np.array([year_label(pd.Timestamp(s).year) for s in starts], dtype=object)
        shown = kept.drop(columns=["_superseded", "_file", "_start", "_return"])
        shown["collection_year"] = labels[year]
        out[key] = shown
    out["returns"] = pd.DataFrame(
        {
            "collection_year": [year_label(s) for s, *_ in merged],
            "start": pd.to_datetime([f"{s}-04-01" for s, *_ in merged]),
            "end": pd.to_datetime([f"{s + 1}-03-31" for s, *_ in merged]),
            "tables": [",".join(sorted(t)) for _, t, *_ in merged],
        }
    )
    return out
