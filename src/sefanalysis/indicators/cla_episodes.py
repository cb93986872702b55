"""SSDA903 episodes turned into what DfE counts: children, periods of care and placements.

The rules (DfE, "Children looked after in England including adoptions" and "Stability measures
for children looked after in England" methodologies; the SSDA903 guide; choices the texts leave
open are marked *choice* and repeated in each indicator's definition):

* **Children, not episodes.** A child is counted once at a date, and once among those who
  started (the first occasion in the window) or ceased (the last occasion) to be looked after.
* **Short breaks by the legal status at the date.** A child is left out while under an agreed
  series of short-term placements (LS V3 or V4): at a 31 March by the legal status of the episode
  open that day, for a start or an end by the legal status of the episode starting or ending.
  Later episodes never change an earlier year's figure.
* **Period of care.** Starts at an episode with reason for new episode (RNE) S, and ends at an
  episode whose reason (REC) is not X1 (X1: the episode ends and another begins the same day, the
  care goes on). *Choice*: a child's episodes also start a new period at a gap (an episode
  starting after every earlier one ended), which the SSDA903 guide does not allow but returns
  hold; such a start is not counted as a start (its RNE is not S).
* **Placements.** A new placement begins at the first episode of a period of care that is not a
  temporary placement, and at every change of carer (RNE P or B), except: temporary placements
  (PLACE T0-T4) are not placements; the return from a temporary placement to the placement held
  before it (same PLACE, and the same URN where both are recorded: *choice*) continues that
  placement; placement for adoption with the current foster carer (A3, A5) is not a change of
  placement (DfE's definition of the 3+ placements measure). *Choice*: a change of placement
  with the same carer (RNE T or U, e.g. a foster placement becoming long-term, or A3/A5) is not
  a new placement, as DfE says of adoption by the current foster carer and as the long-term
  measure ("living with the same carer") reads; a change of legal status only (RNE L) is not
  either. Episodes under short breaks (V3, V4) are not placements (*choice*). A placement lasts
  until the next placement of the same period of care starts, or the period ends (a temporary
  spell at the end belongs to the placement before it).
* **Coverage.** A return holds the episodes open during its collection year (1 April to 31
  March): children who left care earlier are absent and placements before the year are partial.
  A figure at a date needs the returns for every collection year the figure looks back over
  (see :func:`coverage`): the children in care at 31 March 2018 need the 2017-18 return; their
  placements in the year to it, the same return; long-term stability at 31 March 2020, the
  returns for 2017-18 to 2019-20. Otherwise the value is missing with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from .engine import Context

SHORT_BREAKS = {"V3", "V4"}
TEMPORARY = {"T0", "T1", "T2", "T3", "T4"}
ADOPTION_WITH_CARER = {"A3", "A5"}
ADOPTION = {"A3", "A4", "A5", "A6"}
NEW_CARER = {"P", "B"}  # changes of placement and carer(s); T and U keep the carer
ADOPTED = {"E11", "E12"}
SGO = {"E43", "E44", "E45", "E46", "E47", "E48"}  # E43, E44: the codes before 2014
AUTHORITY_TO_PLACE = {"E1", "D1"}  # placement order; freeing order (before 2005)

SOURCE_EPISODES = "Source: SSDA903 returns, episodes (official DfE counting)"
_FAR = np.datetime64("2262-01-01", "ns")  # an open end, for comparisons
_DAY = pd.Timedelta(days=1)


@dataclass
class Episodes903:
    """The SSDA903 tables of a dataset, prepared once per computation (``ctx.derived``).

    ``eps``: every episode, sorted by child and start, with ``cid`` (an integer per child,
    shared by every table here), ``spell`` (period of care), ``placement``
    (the placement it belongs to, -1 for a temporary or short-break episode before any).
    ``spells``: ``cid, start, end`` (NaT if open), ``known_start`` (begins with RNE S).
    ``placements``: ``cid, spell, start, end`` (NaT if open), ``place``, ``previous_start``.
    ``children``: one row per ``cid`` with ``dob, gender, ethnicity`` from the latest header.
    ``years``: start years of the returns supplied, per table.
    """

    eps: pd.DataFrame
    spells: pd.DataFrame
    placements: pd.DataFrame
    children: pd.DataFrame
    categories: pd.Index
    years: dict[str, set[int]]

    def codes(self, values: pd.Series) -> np.ndarray:
        """The ``cid`` of each value of a CHILD column of another table (-1 if unknown)."""
        return _codes(values, self.categories)

    def attach(self, frame: pd.DataFrame, ctx: Context) -> pd.DataFrame:
        """``frame`` (with ``cid``) plus ``child_id``, ``dob`` and the demographics the
        breakdown asked for needs."""
        cid = frame["cid"].to_numpy()
        ok = cid >= 0
        pos = np.where(ok, cid, 0)
        extra = {"dob": self.children["dob"].to_numpy()[pos]}
        extra["dob"][~ok] = np.datetime64("NaT")
        for col in ctx.breakdown_columns:
            if col in self.children and col != "dob":
                extra[col] = pd.Series(self.children[col].array.take(pos)).where(ok).array
        if "child_id" in ctx.breakdown_columns:  # child-level rows for analysts (``units``)
            extra["child_id"] = pd.Categorical.from_codes(np.where(ok, cid, -1),
                                                          categories=self.categories)  # fmt: skip
        if "legal_status" in ctx.breakdown_columns and "period_end" in frame:
            at = frame["_at"] if "_at" in frame else frame["period_end"]
            extra["legal_status"] = self.legal_status_on(cid, at.to_numpy(dtype="datetime64[ns]"))
        return frame.assign(**extra)

    def legal_status_on(self, cid: np.ndarray, at: np.ndarray) -> pd.Categorical:
        """The legal status (LS) of each child's latest episode started on or before ``at``
        (missing if none)."""
        e = self.eps
        days = e["DECOM"].to_numpy(dtype="datetime64[D]").astype(np.int64)
        e_key = e["cid"].to_numpy(dtype=np.int64) * 10**6 + days
        q_days = at.astype("datetime64[D]").astype(np.int64)
        q_key = cid.astype(np.int64) * 10**6 + q_days
        pos = np.searchsorted(e_key, q_key, side="right") - 1
        hit = (pos >= 0) & (e["cid"].to_numpy()[np.maximum(pos, 0)] == cid) & ~np.isnat(at)
        codes = e["LS"].cat.codes.to_numpy()[np.maximum(pos, 0)]
        return pd.Categorical.from_codes(np.where(hit, codes, -1),
                                         categories=e["LS"].cat.categories)  # fmt: skip


def _codes(values: pd.Series, categories: pd.Index) -> np.ndarray:
    if isinstance(values.dtype, pd.CategoricalDtype):
        if not values.cat.categories.equals(categories):
            values = values.cat.set_categories(categories)
        return values.cat.codes.to_numpy(dtype=np.int64)
    return pd.Categorical(values.astype(object), categories=categories).codes.astype(np.int64)


def _category(frame: pd.DataFrame, col: str, order: np.ndarray) -> pd.Categorical:
    """A text column as a categorical (codes compare fast), rows in ``order``; all missing if
    the table has no such column."""
    if col not in frame:
        return pd.Categorical(np.full(len(order), None, dtype=object))
    values = frame[col]
    if not isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype("category")
    return values.array.take(order)


def episodes_903(ctx: Context) -> Episodes903 | None:
    """The prepared SSDA903 tables (None without episodes), computed once per computation."""
    if "ssda903" not in ctx.derived:
        eps = ctx.dataset.ssda903.get("episodes")
        ctx.derived["ssda903"] = None if eps is None or eps.empty else _prepare(ctx, eps)
    return ctx.derived["ssda903"]  # type: ignore[return-value]


def _prepare(ctx: Context, episodes: pd.DataFrame) -> Episodes903:
    child = episodes["CHILD"]
    if isinstance(child.dtype, pd.CategoricalDtype):
        # the children of the episodes only (a dataset's type lists every child of every table)
        child = child.cat.remove_unused_categories()
        categories = child.cat.categories
    else:
        categories = pd.Index(pd.unique(child.dropna().astype(object)))
    cid = _codes(child, categories)
    keep = (cid >= 0) & episodes["DECOM"].notna().to_numpy()
    decom = episodes["DECOM"].to_numpy(dtype="datetime64[ns]")
    dec = episodes["DEC"].to_numpy(dtype="datetime64[ns]")
    order = np.lexsort((np.where(np.isnat(dec), _FAR, dec), decom, cid))
    order = order[keep[order]]
    text = {c: _category(episodes, c, order) for c in ("RNE", "LS", "PLACE", "REC", "URN")}
    # 32-bit identifiers: a pooled dataset's episodes are most of the derived data's memory
    eps = pd.DataFrame(
        {"cid": cid[order].astype(np.int32), "DECOM": decom[order], "DEC": dec[order], **text}
    )
    n = len(eps)
    c = eps["cid"].to_numpy()
    first = np.ones(n, dtype=bool)
    first[1:] = c[1:] != c[:-1]
    # a period of care starts at RNE S, at a child's first episode, or after a gap
    end_or_far = np.where(np.isnat(eps["DEC"].to_numpy()), _FAR, eps["DEC"].to_numpy())
    reach = pd.Series(end_or_far.view(np.int64)).groupby(c).cummax().to_numpy()
    reach_before = np.empty(n, dtype=np.int64)
    reach_before[1:] = reach[:-1]
    gap = ~first & (eps["DECOM"].to_numpy().view(np.int64) > reach_before)
    new_spell = first | (eps["RNE"] == "S").to_numpy() | gap
    spell = (np.cumsum(new_spell) - 1).astype(np.int32)
    eps["spell"], eps["new_spell"] = spell, new_spell
    spells = _spells(eps, spell)
    eps["placement"] = _placement_ids(eps, new_spell).astype(np.int32)
    placements = _placements(eps, spells)
    eps = eps.drop(columns=["URN", "new_spell"])  # used for the placements only
    children = _children(ctx, categories)
    return Episodes903(eps, spells, placements, children, categories, _years(ctx))


def _spells(eps: pd.DataFrame, spell: np.ndarray) -> pd.DataFrame:
    g = pd.DataFrame(
        {
            "spell": spell,
            "open": np.isnat(eps["DEC"].to_numpy()),
            "DEC": eps["DEC"],
            "DECOM": eps["DECOM"],
        }
    ).groupby("spell", sort=True)
    first = eps.loc[eps["new_spell"]]
    out = pd.DataFrame(
        {
            "cid": first["cid"].to_numpy(),
            "start": first["DECOM"].to_numpy(),
            "known_start": (first["RNE"] == "S").to_numpy(),
        }
    )
    out["end"] = g["DEC"].max().where(~g["open"].any()).to_numpy()
    return out


def _placement_ids(eps: pd.DataFrame, new_spell: np.ndarray) -> np.ndarray:
    """The placement each episode belongs to (-1: a temporary or short-break episode before any
    placement of its period of care), by the rules in the module docstring."""
    spell = eps["spell"].to_numpy()
    temporary = eps["PLACE"].isin(TEMPORARY).to_numpy()
    short = eps["LS"].isin(SHORT_BREAKS).to_numpy()
    real = ~temporary & ~short
    # the last real placement type and URN before each episode, within its period of care
    pos = pd.Series(np.where(real, np.arange(len(eps)), np.nan))
    last_real = pos.groupby(spell).ffill().groupby(spell).shift().to_numpy()
    has_before = ~np.isnan(last_real)
    before = np.where(has_before, last_real, 0).astype(np.int64)
    place = eps["PLACE"].cat.codes.to_numpy()
    same_place = has_before & (place >= 0) & (place[before] == place)
    urn = eps["URN"].cat.codes.to_numpy()
    same_urn = (urn[before] < 0) | (urn < 0) | (urn[before] == urn)  # compared where recorded
    after_temporary = np.zeros(len(eps), dtype=bool)
    after_temporary[1:] = (temporary | short)[:-1] & ~new_spell[1:]
    returned = after_temporary & same_place & same_urn
    new_carer = (eps["RNE"].isin(NEW_CARER) & ~eps["PLACE"].isin(ADOPTION_WITH_CARER)).to_numpy()
    starts = real & (~has_before | (new_carer & ~returned))
    ids = np.cumsum(starts) - 1
    # episodes before the first placement of their period of care belong to none
    first_id_of_spell = pd.Series(np.where(starts, ids, np.nan)).groupby(spell).transform("min")
    none_yet = np.isnan(first_id_of_spell.to_numpy()) | (ids < first_id_of_spell.to_numpy())
    return np.where(none_yet, -1, ids)


def _placements(eps: pd.DataFrame, spells: pd.DataFrame) -> pd.DataFrame:
    ids = eps["placement"].to_numpy()
    start_rows = np.flatnonzero((ids >= 0) & np.r_[True, ids[1:] != ids[:-1]])
    spell = eps["spell"].to_numpy()[start_rows]
    start = eps["DECOM"].to_numpy(dtype="datetime64[ns]")[start_rows]
    nat = np.array([np.datetime64("NaT", "ns")])
    # a placement ends when the next one of its period of care starts, else with the period
    same_next = np.r_[spell[1:] == spell[:-1], False][: len(spell)]
    spell_end = spells["end"].to_numpy(dtype="datetime64[ns]")[spell]
    same_prev = np.r_[False, same_next[:-1]][: len(spell)]
    return pd.DataFrame(
        {
            "cid": eps["cid"].to_numpy()[start_rows],
            "spell": spell,
            "start": start,
            "place": eps["PLACE"].array.take(start_rows),
            "end": np.where(same_next, np.r_[start[1:], nat][: len(spell)], spell_end),
            "previous_start": np.where(same_prev, np.r_[nat, start[:-1]][: len(spell)], nat),
        }
    )


def _children(ctx: Context, categories: pd.Index) -> pd.DataFrame:
    """Date of birth, gender and ethnicity per child (row = ``cid``) from the latest header."""
    n = len(categories)
    dob = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    gender = pd.Categorical(np.full(n, None, dtype=object), categories=["Male", "Female"])
    ethnicity = pd.Categorical(np.full(n, None, dtype=object))
    header = ctx.dataset.ssda903.get("header")
    if header is not None and len(header):
        if "collection_year" in header:
            header = header.sort_values("collection_year", kind="stable")
        cid = _codes(header["CHILD"], categories)
        h = header.assign(cid=cid).loc[cid >= 0].drop_duplicates("cid", keep="last")
        pos = h["cid"].to_numpy()
        dob[pos] = h["DOB"].to_numpy(dtype="datetime64[ns]")
        if "SEX" in h:
            codes = np.full(n, -1, dtype=np.int8)
            codes[pos] = h["SEX"].astype("string").map({"1": 0, "2": 1}).fillna(-1).to_numpy()
            gender = pd.Categorical.from_codes(codes, categories=["Male", "Female"])
        if "ETHNIC" in h:
            ethnic = h["ETHNIC"].astype("category")
            codes = np.full(n, -1, dtype=np.int16)
            codes[pos] = ethnic.cat.codes.to_numpy()
            ethnicity = pd.Categorical.from_codes(codes, categories=ethnic.cat.categories)
    return pd.DataFrame({"dob": dob, "gender": gender, "ethnicity": ethnicity}, copy=False)


def _years(ctx: Context) -> dict[str, set[int]]:
    """Start year of every return supplied, per table (from the loader's ``returns``)."""
    returns = ctx.dataset.ssda903.get("returns")
    years: dict[str, set[int]] = {}
    if returns is not None:
        for rec in returns.itertuples(index=False):
            for table in str(rec.tables).split(","):
                years.setdefault(table, set()).add(pd.Timestamp(rec.start).year)
    return years


# ------------------------------------------------------------------ coverage


def collection_start_year(date: pd.Timestamp) -> int:
    """Start year of the collection year (1 April to 31 March) holding ``date``."""
    return date.year if date.month >= 4 else date.year - 1


def _label(year: int) -> str:
    return f"{year}-{(year + 1) % 100:02d}"


def coverage(
    ctx: Context,
    d903: Episodes903 | None,
    tables: Iterable[str] = ("episodes",),
    history: pd.DateOffset | None = None,
    flow: bool = False,
) -> dict[pd.Timestamp, str]:
    """Period ends the returns cannot support, with the reason. A figure at a period end needs
    the return of every collection year overlapping what it looks at: the window for a flow, the
    ``history`` before the date (e.g. 12 months of placements) for a snapshot, else the date."""
    gaps: dict[pd.Timestamp, str] = {}
    tables = list(tables)
    for rec in ctx.periods.itertuples(index=False):
        end = pd.Timestamp(rec.period_end)
        if d903 is None:
            gaps[end] = "no SSDA903 episodes were supplied"
            continue
        start = (
            pd.Timestamp(rec.period_start)
            if flow
            else (end - history + _DAY if history is not None else end)
        )
        need = range(collection_start_year(start), collection_start_year(end) + 1)
        for table in tables:
            have = d903.years.get(table, set())
            lacking = [y for y in need if y not in have]
            if lacking:
                supplied = ", ".join(_label(y) for y in sorted(have)) or "none"
                what = "return" if table == "episodes" else f"{table} table"
                gaps[end] = (
                    f"needs the SSDA903 {what} for "
                    f"{', '.join(_label(y) for y in lacking)} "
                    f"(supplied: {supplied})"
                )
                break
    return gaps


Source = tuple[dict[pd.Timestamp, str], Callable[[Context], pd.DataFrame], str]


def by_source(ctx: Context, ind_id: str, *sources: Source | None) -> list[pd.DataFrame]:
    """Units of each period end from the first source that covers it: ``(gaps, units, note)``
    per source, the official SSDA903 first. The note of each period's source goes to
    ``ctx.sources``; a period no source covers is blanked with the reasons (``ctx.gaps``)."""
    left = list(ctx.periods["period_end"])
    parts: list[pd.DataFrame] = []
    reasons: dict[pd.Timestamp, list[str]] = {}
    ctx.sources.setdefault(ind_id, {})
    for source in sources:
        if source is None or not left:
            continue
        gaps, units, note = source
        here = [e for e in left if e not in gaps]
        for e in left:
            if e in gaps and gaps[e] not in reasons.get(e, []):
                reasons.setdefault(e, []).append(gaps[e])
        if here:
            sub = ctx.periods.loc[ctx.periods["period_end"].isin(here)].reset_index(drop=True)
            outer = set(ctx.reads)  # the lists this source reads judge its periods' coverage
            ctx.reads.clear()
            parts.append(units(replace(ctx, periods=sub)))
            read = frozenset(ctx.reads)
            ctx.reads.update(outer)
            ctx.sources[ind_id].update(dict.fromkeys(here, note))
            ctx.period_reads.setdefault(ind_id, {}).update(dict.fromkeys(here, read))
        left = [e for e in left if e in gaps]
    ctx.gaps[ind_id] = {
        e: "; ".join(reasons.get(e, ["no source covers this period"])) for e in left
    }
    return [p for p in parts if len(p)]


# ------------------------------------------------------------------ units


def _open(ctx: Context, frame: pd.DataFrame, start: str, end: str) -> pd.DataFrame:
    """``ctx.open_at`` with a key per period (a small integer) for grouping."""
    out = ctx.open_at(frame, start, end)
    ends = ctx.periods["period_end"].to_numpy(dtype="datetime64[ns]")
    out["pidx"] = np.searchsorted(ends, out["period_end"].to_numpy(dtype="datetime64[ns]"))
    return out


def _first_per_child(frame: pd.DataFrame, keep: str) -> pd.DataFrame:
    """One row per child and period end (``keep`` = "first" or "last" in the frame's order)."""
    key = frame["cid"].to_numpy(dtype=np.int64) * 4096 + frame["pidx"].to_numpy(dtype=np.int64)
    return frame.loc[~pd.Series(key).duplicated(keep=keep).to_numpy()]


def in_care(ctx: Context, d903: Episodes903) -> pd.DataFrame:
    """Children in care at each period end, short breaks left out by the legal status of the
    episode open that day: ``cid, period_end, spell, DECOM`` (one row per child)."""
    key = ("in_care", tuple(ctx.periods["period_end"]))
    if key not in ctx.derived:
        e = d903.eps[["cid", "DECOM", "DEC", "LS", "spell"]]
        now = _first_per_child(_open(ctx, e, "DECOM", "DEC"), keep="last")  # latest start
        now = now.loc[~now["LS"].isin(SHORT_BREAKS)]
        ctx.derived[key] = now.drop(columns=["LS", "DEC"]).reset_index(drop=True)
    return ctx.derived[key]  # type: ignore[return-value]


def starts(ctx: Context, d903: Episodes903) -> pd.DataFrame:
    """Children who started to be looked after in the window (first occasion; RNE S, not under
    short breaks at the start): ``cid, period_end, _at``."""
    e = d903.eps
    began = e.loc[(e["RNE"] == "S") & ~e["LS"].isin(SHORT_BREAKS), ["cid", "DECOM"]]
    out = ctx.in_window(began.assign(date=began["DECOM"]), "date")
    ends = ctx.periods["period_end"].to_numpy(dtype="datetime64[ns]")
    out["pidx"] = np.searchsorted(ends, out["period_end"].to_numpy(dtype="datetime64[ns]"))
    return _first_per_child(out, keep="first")


def ceased(ctx: Context, d903: Episodes903) -> pd.DataFrame:
    """Children who ceased to be looked after in the window (last occasion; REC other than X1,
    not under short breaks at the end): ``cid, period_end, REC, spell, DEC``."""
    e = d903.eps
    rec = e["REC"]
    ended = e.loc[
        e["DEC"].notna() & rec.notna() & (rec != "X1") & ~e["LS"].isin(SHORT_BREAKS),
        ["cid", "DEC", "REC", "spell"],
    ]
    out = ctx.in_window(ended.assign(date=ended["DEC"]), "date")
    ends = ctx.periods["period_end"].to_numpy(dtype="datetime64[ns]")
    out["pidx"] = np.searchsorted(ends, out["period_end"].to_numpy(dtype="datetime64[ns]"))
    return _first_per_child(out, keep="last")


def placements_in_year(ctx: Context, d903: Episodes903) -> pd.DataFrame:
    """Children in care at each period end (as :func:`in_care`) with ``n``: their placements
    held at any time in the 12 months to it, in any period of care. Counted without repeating
    placements per period: each placement adds 1 from the first period end on or after its
    start to the last before its end plus 12 months (a difference array per child)."""
    now = in_care(ctx, d903)
    ends = ctx.periods["period_end"].to_numpy(dtype="datetime64[ns]")
    slots = len(ends) + 1  # per child: one slot per period end and one past the last
    pl = d903.placements
    until = (pl["end"] + pd.DateOffset(months=12)).to_numpy(dtype="datetime64[ns]")
    lo = np.searchsorted(ends, pl["start"].to_numpy(dtype="datetime64[ns]"), side="left")
    hi = np.where(np.isnat(until), len(ends), np.searchsorted(ends, until, side="left"))
    held = hi > lo
    base = pl["cid"].to_numpy(dtype=np.int64)[held] * slots
    keys = np.concatenate([base + lo[held], base + hi[held]])
    steps = np.concatenate([np.ones(held.sum()), -np.ones(held.sum())])
    order = np.argsort(keys, kind="stable")
    keys, running = keys[order], np.cumsum(steps[order])
    at = now["cid"].to_numpy(dtype=np.int64) * slots + now["pidx"].to_numpy(dtype=np.int64)
    pos = np.searchsorted(keys, at, side="right") - 1
    # earlier children's steps sum to 0, so the running total at a key is this child's count
    counted = running[np.maximum(pos, 0)] if len(running) else np.zeros(len(at))
    return now.assign(n=np.where(pos >= 0, counted, 0.0))


def current_placement(ctx: Context, d903: Episodes903) -> pd.DataFrame:
    """Children in care at each period end with the placement they were in that day (one per
    child): ``placement_start, previous_start, place`` (NaT/None if in none)."""
    now = in_care(ctx, d903)
    pl = d903.placements[["cid", "spell", "start", "end", "previous_start", "place"]]
    cur = _open(ctx, pl, "start", "end")
    cur = _first_per_child(cur, keep="last")[["cid", "pidx", "start", "previous_start", "place"]]
    return now.merge(
        cur.rename(columns={"start": "placement_start"}), on=["cid", "pidx"], how="left"
    )


def spell_start(d903: Episodes903, frame: pd.DataFrame) -> pd.Series:
    """Start of the period of care of each row's ``spell`` (as far as the returns show)."""
    return pd.Series(d903.spells["start"].to_numpy()[frame["spell"].to_numpy()], index=frame.index)
