"""Generate the synthetic demonstration authority ("Westshire", not a real place).

About 75,000 children aged 0-17; child-level history from 2020 (so that 12-month look-backs
work from the first day of the extract window) to the extract date. Event chains are consistent:
contact -> referral -> assessment -> S47 strategy discussion -> ICPC -> CP plan; care episodes
chain within each period of care; every care leaver was in care. Rates are tuned to land near
England's published levels. The same seed gives byte-identical files.

Everything is vectorised with numpy/pandas; the only Python loops run over generations of
re-referral chains, tables, years or teams, never over children.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ..calendar import working_days
from ..ingest.codes import ETHNICITY_GROUPS
from .cin_census import write_census
from .published import write_published
from .timeline import (
    add_working_days,
    add_years,
    age_years,
    merge_intervals,
    roll_to_working_day,
    sample_dates,
)

DEFAULT_EXTRACT = "2024-12-31"
HISTORY_START = "2020-01-01"  # simulated history (not all exported)
EXPORT_START = "2021-01-01"  # first day covered by the exported Annex A lists
NAT = np.datetime64("NaT", "D")
TEAMS = ["Front Door", "Locality North", "Locality South", "Locality East",
         "Disabled Children", "Children in Care", "Care Leavers"]  # fmt: skip
ETHNIC_CODES = [c for g in ETHNICITY_GROUPS.values() for c in g if c != "UNKNOWN"]
ETHNIC_P = np.array([70, 2, 0.3, 6, 0.5, 1.5, 0.6, 1, 1.5, 2, 2.5, 0.8, 1.5, 1, 2.5, 0.8,
                     0.6, 1.5, 1, 2.3])  # fmt: skip


@dataclass(frozen=True)
class Profile:
    """Knobs of one synthetic authority (scaled for the N-authority generator later)."""

    population: int = 75_000
    referrals_per_year: float = 4_000
    re_referral_q: tuple[float, float] = (0.31, 0.27)  # probability of a follow-up, start -> end
    cla_entrants_per_year: float = 215
    workforce_fte: float = 150


def _nd(values: object) -> np.ndarray:
    """Dates as numpy ``datetime64[D]`` so that adding integers adds days (pandas uses seconds)."""
    return pd.to_datetime(pd.Series(values)).to_numpy().astype("datetime64[D]")


def _d(x: str) -> np.datetime64:
    return np.datetime64(x, "D")


def _interp(pair: tuple[float, float], dates: np.ndarray, start: str, end: str) -> np.ndarray:
    t = (dates - _d(start)).astype(int) / max(1, (_d(end) - _d(start)).astype(int))
    return pair[0] + (pair[1] - pair[0]) * np.clip(t, 0, 1)


class _Ids:
    def __init__(self) -> None:
        self.next = 100_001

    def take(self, n: int) -> np.ndarray:
        out = np.arange(self.next, self.next + n)
        self.next += n
        return np.array([f"WS{i}" for i in out]) if n else np.array([], dtype=str)


def _new_children(
    rng: np.random.Generator, ids: _Ids, at: np.ndarray, ages: np.ndarray
) -> pd.DataFrame:
    """New synthetic children aged ``ages`` on dates ``at``."""
    n = len(at)
    dob = at - (ages * 365.25).astype(int) - rng.integers(0, 365, n)
    return pd.DataFrame({
        "child_id": ids.take(n),
        "dob": dob.astype("datetime64[D]"),
        "gender": rng.choice(["Male", "Female", "Not stated"], n, p=[0.51, 0.48, 0.01]),
        "ethnicity": rng.choice(ETHNIC_CODES, n, p=ETHNIC_P / ETHNIC_P.sum()),
        "disability": rng.choice(["Yes", "No"], n, p=[0.09, 0.91]),
    })  # fmt: skip


def _referral_ages(rng: np.random.Generator, n: int) -> np.ndarray:
    p = np.array([12, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 7, 8, 9, 9, 8, 5], dtype=float)
    return rng.choice(np.arange(18), n, p=p / p.sum())


def _count_prior(child: pd.Series, date: pd.Series, days_back: int = 365) -> np.ndarray:
    """Number of earlier events of the same child in the ``days_back`` days before each event."""
    frame = pd.DataFrame({"child": child.to_numpy(), "date": pd.to_datetime(date).to_numpy()})
    frame["pos"] = np.arange(len(frame))
    frame = frame.sort_values(["child", "date"], kind="stable")
    frame["k"] = frame.groupby("child").cumcount()
    first_k = frame.groupby("child")["k"].transform("min")
    # index of the first event within the look-back, per child, via searchsorted on a global key
    key = frame["child"].astype("category").cat.codes.to_numpy().astype(np.int64) * 10**6 + (
        frame["date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    )
    lo = np.searchsorted(key, key - days_back, side="left")
    here = np.searchsorted(key, key, side="left")
    frame["n"] = here - lo
    del first_k
    return frame.sort_values("pos")["n"].to_numpy()


def _simulate_help(rng: np.random.Generator, ids: _Ids, prof: Profile, end: str) -> dict:
    years = (_d(end) - _d(HISTORY_START)).astype(int) / 365.25
    n_total = prof.referrals_per_year * years
    q_mid = float(np.mean(prof.re_referral_q))
    n_index = int(n_total * (1 - q_mid))
    dates = sample_dates(rng, n_index, HISTORY_START, end, trend=0.12)
    kids = _new_children(rng, ids, dates, _referral_ages(rng, n_index))
    gen = pd.DataFrame({"child_id": kids["child_id"], "referral_date": dates})
    refs = [gen]
    while len(gen):
        q = _interp(prof.re_referral_q, _nd(gen["referral_date"]), EXPORT_START, end)
        again = rng.random(len(gen)) < q
        delay = (rng.exponential(240, len(gen)) + 14).astype(int)
        nxt = gen.loc[again].copy()
        nxt["referral_date"] = _nd(nxt["referral_date"]) + delay[again]
        nxt = nxt.loc[nxt["referral_date"] <= _d(end)]
        refs.append(nxt)
        gen = nxt
    ref = pd.concat(refs, ignore_index=True).merge(kids, on="child_id")
    ref = ref.loc[age_years(_nd(ref["dob"]), _nd(ref["referral_date"])) < 18]
    ref = ref.drop_duplicates(["child_id", "referral_date"]).sort_values(
        ["referral_date", "child_id"], ignore_index=True
    )
    n = len(ref)
    ref["n_referrals_12m"] = _count_prior(ref["child_id"], ref["referral_date"])
    ref["referral_nfa"] = np.where(rng.random(n) < 0.07, "Yes", "No")
    src = ["6", "2A", "3A", "3B", "3E", "1A", "1C", "5A", "5C", "4", "8", "9", "10"]
    src_p = np.array([30, 19, 5, 3, 6, 7, 2, 6, 3, 3, 10, 1, 4], dtype=float)
    ref["source"] = rng.choice(src, n, p=src_p / src_p.sum())
    ref["team"] = rng.choice(TEAMS[:5], n, p=[0.4, 0.17, 0.17, 0.17, 0.09])
    ref["ref_id"] = np.arange(n)

    # Contacts: one before each referral, plus contacts that did not become referrals.
    c1 = ref[["child_id", "referral_date", "source"]].copy()
    c1["contact_date"] = _nd(c1["referral_date"]) - rng.integers(0, 3, n)
    n_extra = int(n * 2.0)
    from_known = rng.random(n_extra) < 0.35
    pick = rng.integers(0, n, n_extra)
    extra_dates = sample_dates(rng, n_extra, HISTORY_START, end, trend=0.1)
    new_kids = _new_children(rng, ids, extra_dates[~from_known],
                             _referral_ages(rng, int((~from_known).sum())))  # fmt: skip
    c2 = pd.DataFrame({"child_id": np.where(from_known, "", ""), "contact_date": extra_dates})
    c2.loc[from_known, "child_id"] = ref["child_id"].to_numpy()[pick[from_known]]
    c2.loc[~from_known, "child_id"] = new_kids["child_id"].to_numpy()
    c2["source"] = rng.choice(src, n_extra, p=src_p / src_p.sum())
    kids = pd.concat([kids, new_kids], ignore_index=True)
    contacts = pd.concat([c1.drop(columns="referral_date"), c2], ignore_index=True)
    contacts = contacts.merge(kids, on="child_id").drop_duplicates(
        ["child_id", "contact_date", "source"]
    )
    contacts = contacts.loc[age_years(_nd(contacts["dob"]), _nd(contacts["contact_date"])) < 18]

    # Assessments for referrals that were not NFA.
    a = ref.loc[ref["referral_nfa"] == "No"].copy()
    m = len(a)
    a["asmt_start"] = roll_to_working_day(_nd(a["referral_date"]) + rng.integers(0, 4, m))
    scale = _interp((8.6, 7.0), _nd(a["asmt_start"]), EXPORT_START, end)
    wd = np.round(rng.gamma(4.0, 1.0, m) * scale).astype(int)
    a["asmt_auth"] = add_working_days(_nd(a["asmt_start"]), wd)
    a["asmt_needs_support"] = np.where(rng.random(m) < 0.64, "Yes", "No")
    a["asmt_seen"] = np.where(rng.random(m) < 0.97, "Yes", "No")

    # S47 enquiries during assessments that found a need for support.
    need = a.loc[a["asmt_needs_support"] == "Yes"]
    s47 = need.loc[rng.random(len(need)) < 0.46].copy()
    k = len(s47)
    s47["strategy_date"] = add_working_days(s47["asmt_start"].to_numpy(), rng.integers(0, 6, k))
    has_icpc = rng.random(k) < 0.32
    icpc_wd = np.round(rng.gamma(5.0, 2.3, k)).astype(int)
    s47["icpc_date"] = np.where(has_icpc, add_working_days(s47["strategy_date"].to_numpy(),
                                                           icpc_wd), NAT)  # fmt: skip
    s47["icpc_unnecessary"] = np.where(has_icpc, "No", "Yes")
    s47["icpc_to_cpp"] = np.where(has_icpc & (rng.random(k) < 0.87), "Yes", "No")

    # Child protection plans from ICPCs; a child has at most one plan at a time.
    cp = s47.loc[s47["icpc_to_cpp"] == "Yes", ["child_id", "icpc_date", "ref_id"]].copy()
    cp = cp.rename(columns={"icpc_date": "cpp_start"}).sort_values(["child_id", "cpp_start"])
    p = len(cp)
    u = rng.random(p)
    length = np.where(u < 0.07, rng.integers(30, 91, p),
                      np.where(u < 0.098, rng.integers(731, 1000, p),
                               np.exp(rng.normal(np.log(300), 0.38, p)).astype(int)))  # fmt: skip
    cp["cpp_end"] = _nd(cp["cpp_start"]) + length
    for _ in range(10):  # drop plans that would overlap a child's earlier plan
        prev_end = cp.groupby("child_id")["cpp_end"].shift()
        clash = (cp["cpp_start"] <= prev_end).fillna(False)
        if not clash.any():
            break
        drop_refs = cp.loc[clash, "ref_id"]
        s47.loc[s47["ref_id"].isin(drop_refs) & (s47["icpc_to_cpp"] == "Yes"), "icpc_to_cpp"] = "No"
        cp = cp.loc[~clash]
    p = len(cp)
    prehistory = rng.random(p) < _interp((0.20, 0.21), _nd(cp["cpp_start"]),
                                         EXPORT_START, end)  # fmt: skip
    cp["n_previous_cpp"] = cp.groupby("child_id").cumcount().to_numpy() + prehistory.astype(int)
    cats = ["Neglect", "Emotional abuse", "Physical abuse", "Sexual abuse", "Multiple"]
    cp["abuse_initial"] = rng.choice(cats, p, p=[0.5, 0.36, 0.07, 0.04, 0.03])
    cp["abuse_latest"] = np.where(rng.random(p) < 0.9, cp["abuse_initial"],
                                  rng.choice(cats, p))  # fmt: skip
    return {"kids": kids, "ref": ref, "contacts": contacts, "asmt": a, "s47": s47, "cp": cp}


def _simulate_care(
    rng: np.random.Generator, ids: _Ids, prof: Profile, end: str, help_: dict
) -> dict:
    # Periods of care: pre-history entrants (fresh children) and entrants from assessments.
    pre_n = int(prof.cla_entrants_per_year * 14)
    pre_dates = sample_dates(rng, pre_n, "2006-04-01", "2019-12-31")
    age_p = np.array([18, 7, 6, 6, 5, 5, 5, 5, 5, 5, 5, 5, 5, 6, 8, 9, 8, 3], dtype=float)
    pre_kids = _new_children(rng, ids, pre_dates, rng.choice(np.arange(18), pre_n,
                                                             p=age_p / age_p.sum()))  # fmt: skip
    pre = pd.DataFrame({"child_id": pre_kids["child_id"], "cla_start": pre_dates})
    asmt = help_["asmt"]
    pool = asmt.loc[asmt["asmt_needs_support"] == "Yes"].drop_duplicates("child_id")
    years = (_d(end) - _d(HISTORY_START)).astype(int) / 365.25
    n_in = min(len(pool), int(prof.cla_entrants_per_year * 0.93 * years))
    chosen = pool.iloc[np.sort(rng.choice(len(pool), n_in, replace=False))]
    sim = pd.DataFrame({"child_id": chosen["child_id"].to_numpy(),
                        "cla_start": _nd(chosen["asmt_start"])
                        + rng.integers(5, 60, n_in)})  # fmt: skip
    n_uasc = int(prof.cla_entrants_per_year * 0.07 * (years + 14))
    uasc_dates = sample_dates(rng, n_uasc, "2006-04-01", end)
    uasc_kids = _new_children(rng, ids, uasc_dates, rng.choice([15, 16, 17], n_uasc,
                                                               p=[0.3, 0.5, 0.2]))  # fmt: skip
    uasc_kids["gender"] = np.where(rng.random(n_uasc) < 0.93, "Male", "Female")
    uasc_kids["ethnicity"] = rng.choice(["AOTH", "BAFR", "OOTH"], n_uasc)
    uasc = pd.DataFrame({"child_id": uasc_kids["child_id"], "cla_start": uasc_dates, "uasc": True})
    kids = pd.concat([help_["kids"], pre_kids, uasc_kids], ignore_index=True)
    periods = pd.concat([pre, sim, uasc], ignore_index=True)
    periods["uasc"] = periods["uasc"].fillna(False).astype(bool)
    periods = periods.merge(kids[["child_id", "dob"]], on="child_id")
    periods["cla_start"] = pd.to_datetime(periods["cla_start"])
    periods = periods.loc[age_years(_nd(periods["dob"]), _nd(periods["cla_start"]))
                          < 18].drop_duplicates("child_id").reset_index(drop=True)  # fmt: skip
    n = len(periods)
    age_in = age_years(_nd(periods["dob"]), _nd(periods["cla_start"]))
    eighteen = add_years(_nd(periods["dob"]), 18)
    short = rng.random(n) < 0.33
    length = np.where(short, np.exp(rng.normal(np.log(110), 0.8, n)),
                      np.exp(rng.normal(np.log(1100), 0.7, n))).astype(int)  # fmt: skip
    natural_end = _nd(periods["cla_start"]) + length
    to_eighteen = natural_end >= eighteen
    periods["cla_end"] = np.where(to_eighteen, eighteen, natural_end).astype("datetime64[D]")
    young = age_in <= 4
    adopt = (~short) & young & (rng.random(n) < 0.55) & ~to_eighteen
    sgo = (~short) & ~adopt & (age_in <= 12) & (rng.random(n) < 0.22) & ~to_eighteen
    reason = rng.choice(["E4A", "E4B", "E8", "E13", "E41", "E3"], n,
                        p=[0.6, 0.1, 0.12, 0.08, 0.05, 0.05])  # fmt: skip
    reason = np.where(adopt, rng.choice(["E11", "E12"], n, p=[0.4, 0.6]), reason)
    reason = np.where(sgo, rng.choice(["E45", "E46", "E47", "E48"], n), reason)
    reason = np.where(to_eighteen, rng.choice(["E5", "E6", "E17", "E8"], n,
                                              p=[0.45, 0.1, 0.3, 0.15]), reason)  # fmt: skip
    periods["reason_ceased"] = reason
    periods["legal_first"] = np.where(short, "V2", rng.choice(["C1", "V2"], n, p=[0.7, 0.3]))
    periods["legal_first"] = np.where(periods["uasc"], "V2", periods["legal_first"])
    periods["adopted"] = adopt
    periods["period_id"] = np.arange(n)
    periods["category_of_need"] = np.where(
        periods["uasc"], "N8", rng.choice(["N1", "N2", "N4", "N5", "N8"], n,
                                          p=[0.67, 0.03, 0.08, 0.16, 0.06]))  # fmt: skip

    # Placements: up to 12 per period, lengths by the child's stability profile.
    max_k = 12
    unstable = rng.random(n) < 0.22
    median = np.where(unstable, 75, 1400)[:, None]
    seg = np.exp(rng.normal(np.log(median), 0.9, (n, max_k))).astype(int) + 7
    seg[:, 0] = np.where(rng.random(n) < 0.25, rng.integers(3, 40, n), seg[:, 0])  # emergency
    starts = _nd(periods["cla_start"])[:, None] + np.concatenate(
        [np.zeros((n, 1), dtype=int), np.cumsum(seg, axis=1)[:, :-1]], axis=1
    )
    ends = starts + seg
    valid = starts < _nd(periods["cla_end"])[:, None]
    pl = pd.DataFrame({
        "period_id": np.repeat(np.arange(n), max_k), "k": np.tile(np.arange(max_k), n),
        "DECOM": starts.ravel(), "DEC": ends.ravel(), "valid": valid.ravel(),
    })  # fmt: skip
    pl = pl.loc[pl["valid"]].drop(columns="valid")
    pl = pl.merge(periods[["period_id", "cla_end", "child_id", "dob", "adopted",
                           "legal_first", "uasc"]], on="period_id")  # fmt: skip
    last = pl.groupby("period_id")["k"].transform("max") == pl["k"]
    pl["DEC"] = np.where(last, pl["cla_end"], pl["DEC"]).astype("datetime64[D]")
    m = len(pl)
    age_at = age_years(_nd(pl["dob"]), _nd(pl["DECOM"]))
    place = rng.choice(["U4", "U6", "U1", "U3", "K2", "P1", "R1", "S1"], m,
                       p=[0.28, 0.34, 0.1, 0.1, 0.1, 0.04, 0.02, 0.02])  # fmt: skip
    place = np.where(age_at >= 16, rng.choice(["U6", "K2", "H5"], m, p=[0.45, 0.25, 0.3]), place)
    place = np.where(pl["uasc"] & (age_at >= 16), "H5", place)
    pl["PLACE"] = place
    pl["PLACE_PROVIDER"] = np.where(np.isin(place, ["U1", "U3"]), "PR1",
                                    rng.choice(["PR1", "PR4", "PR5", "PR2"], m,
                                               p=[0.45, 0.45, 0.05, 0.05]))  # fmt: skip
    pl["PLACE_PROVIDER"] = np.where(place == "P1", "PR0", pl["PLACE_PROVIDER"])
    pl["RNE"] = np.where(pl["k"] == 0, "S", rng.choice(["P", "B", "T"], m, p=[0.8, 0.1, 0.1]))
    pl["LS"] = pl["legal_first"]
    # Adopted children: the final placement is a placement for adoption.
    last = pl.groupby("period_id")["k"].transform("max") == pl["k"]
    adopt_last = last & pl["adopted"]
    pl.loc[adopt_last, "PLACE"] = rng.choice(["A4", "A6", "A3", "A5"], int(adopt_last.sum()),
                                             p=[0.45, 0.35, 0.1, 0.1])  # fmt: skip
    pl.loc[adopt_last, "LS"] = "E1"
    pl.loc[adopt_last & pl["PLACE"].isin(["A3", "A5"]), "RNE"] = "T"
    # Legal status changes only (ICO -> full care order) as their own episodes (RNE = L).
    first = pl.loc[(pl["k"] == 0) & (pl["legal_first"] == "C1")].copy()
    change = _nd(first["DECOM"]) + rng.integers(150, 300, len(first))
    ok = change < _nd(first["DEC"])
    first, change = first.loc[ok], change[ok]
    split = first.copy()
    split["DECOM"], split["RNE"], split["LS"] = change, "L", "C2"
    pl.loc[first.index, "DEC"] = change
    later_c1 = (pl["legal_first"] == "C1") & (pl["k"] > 0) & ~adopt_last
    pl.loc[later_c1 & pl["period_id"].isin(first["period_id"]), "LS"] = "C2"
    eps = pd.concat([pl, split], ignore_index=True).sort_values(["child_id", "DECOM"],
                                                                ignore_index=True)  # fmt: skip
    last_ep = eps.groupby("period_id")["DECOM"].transform("max") == eps["DECOM"]
    eps = eps.merge(periods[["period_id", "reason_ceased", "category_of_need"]], on="period_id")
    eps["REC"] = np.where(last_ep, eps["reason_ceased"], "X1")
    eps["CIN"] = eps["category_of_need"]
    eps["REASON_PLACE_CHANGE"] = np.where(eps["REC"] == "X1",
                                          np.where(eps["RNE"] == "L", "", "CARPL"), "")  # fmt: skip
    return {"kids": kids, "periods": periods, "episodes": eps}


def _leavers(per: pd.DataFrame) -> pd.Series:
    """Children entitled to leaving-care support: in care 13 weeks or more, leaving aged 16+."""
    aged = age_years(_nd(per["dob"]), _nd(per["cla_end"])) >= 16
    long = (per["cla_end"] - per["cla_start"]).dt.days >= 91
    return per.loc[aged & long, "child_id"]


def _lists(rng: np.random.Generator, h: dict, c: dict, extract: str) -> dict[str, pd.DataFrame]:
    """Annex A lists 1-11 as at ``extract`` covering EXPORT_START onwards."""
    x = _d(extract)
    lo = _d(EXPORT_START)
    kids = c["kids"].set_index("child_id")
    workers = np.array([f"SW{i:03d}" for i in range(1, 181)])

    def demo(frame: pd.DataFrame, at: str | np.ndarray | None = None) -> pd.DataFrame:
        out = frame.join(
            kids[["dob", "gender", "ethnicity", "disability"]].add_suffix("_k"), on="child_id"
        )
        for col in ["dob", "gender", "ethnicity", "disability"]:
            if f"{col}_k" in out:
                out[col] = out[f"{col}_k"]
        when = x if at is None else out[at].to_numpy()
        out["age"] = age_years(_nd(out["dob"]), np.broadcast_to(when, len(out)))
        return out

    contacts = h["contacts"]
    contacts = contacts.loc[(contacts["contact_date"] >= lo) & (contacts["contact_date"] <= x)]
    ref = h["ref"]
    ref = ref.loc[(ref["referral_date"] >= lo) & (ref["referral_date"] <= x)].copy()
    ref["worker"] = rng.choice(workers, len(ref))
    a = h["asmt"].loc[(h["asmt"]["asmt_auth"] >= lo) & (h["asmt"]["asmt_start"] <= x)].copy()
    open_a = a["asmt_auth"] > x
    a.loc[open_a, "asmt_auth"] = NAT
    a.loc[open_a, "asmt_needs_support"] = None
    a["worker"] = rng.choice(workers, len(a))
    s47 = h["s47"].loc[(h["s47"]["strategy_date"] >= lo) & (h["s47"]["strategy_date"] <= x)].copy()
    s47["icpc_date"] = pd.to_datetime(s47["icpc_date"])
    future = s47["icpc_date"] > pd.Timestamp(x)
    s47.loc[future, ["icpc_unnecessary", "icpc_to_cpp"]] = None
    s47.loc[future, "icpc_date"] = pd.NaT
    s47_all = h["s47"]
    s47["n_s47_12m"] = _count_prior(s47_all["child_id"], s47_all["strategy_date"])[
        s47_all.index.get_indexer(s47.index)]  # fmt: skip
    icpc_all = s47_all.loc[s47_all["icpc_date"].notna()]
    s47["n_icpc_12m"] = 0
    s47["worker"] = rng.choice(workers, len(s47))
    del icpc_all

    cp = h["cp"].loc[(h["cp"]["cpp_start"] <= x) & (h["cp"]["cpp_end"] >= lo)].copy()
    cp_open = cp["cpp_end"] > x
    cp.loc[cp_open, "cpp_end"] = NAT
    nv = len(cp)
    gap = np.where(rng.random(nv) < 0.84, rng.integers(0, 28, nv), rng.integers(28, 50, nv))
    ref_date = np.where(cp_open, x, _nd(cp["cpp_end"]).astype("datetime64[D]"))
    cp["last_visit"] = np.maximum(ref_date - gap, _nd(cp["cpp_start"]))
    cp["seen_alone"] = np.where(rng.random(nv) < 0.8, "Yes", "No")
    cp["last_review"] = np.maximum(ref_date - rng.integers(0, 180, nv), _nd(cp["cpp_start"]))
    cp["epo"] = np.where(rng.random(nv) < 0.03, "Yes", "No")
    cp["team"] = rng.choice(TEAMS[1:5], nv)
    cp["worker"] = rng.choice(workers, nv)

    # CIN episodes: union of assessment, plan and care intervals per child.
    a_all = h["asmt"]
    ends = np.where(a_all["asmt_needs_support"] == "Yes",
                    _nd(a_all["asmt_auth"]) + rng.integers(60, 300, len(a_all)),
                    _nd(a_all["asmt_auth"]))  # fmt: skip
    per = c["periods"]
    iv = merge_intervals(
        np.concatenate([a_all["child_id"], h["cp"]["child_id"], per["child_id"]]),
        np.concatenate(
            [_nd(a_all["referral_date"]), _nd(h["cp"]["cpp_start"]), _nd(per["cla_start"])]
        ),
        np.concatenate([_nd(ends), _nd(h["cp"]["cpp_end"]) + 30, _nd(per["cla_end"])]),
    )
    iv = iv.loc[
        (iv["start"] <= pd.Timestamp(x)) & (iv["end"].isna() | (iv["end"] >= pd.Timestamp(lo)))
    ]
    cin = iv.rename(columns={"child_id": "x", "child": "child_id", "start": "cin_start",
                             "end": "cin_end"}).copy()  # fmt: skip
    cin_open = cin["cin_end"] > pd.Timestamp(x)
    cin.loc[cin_open, "cin_end"] = pd.NaT
    k = len(cin)
    cin["primary_need"] = rng.choice(
        ["N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8", "N9"],
        k,
        p=[0.56, 0.1, 0.04, 0.06, 0.14, 0.02, 0.005, 0.035, 0.04],
    )
    cin["cin_closure_reason"] = np.where(
        cin["cin_end"].isna(),
        None,
        rng.choice(["RC7", "RC8", "RC9", "RC4", "RC5"], k, p=[0.55, 0.25, 0.1, 0.04, 0.06]),
    )
    in_care = per.loc[(per["cla_start"] <= x) & (per["cla_end"] > x), "child_id"]
    on_cp = h["cp"].loc[(h["cp"]["cpp_start"] <= x) & (h["cp"]["cpp_end"] > x), "child_id"]
    cin["case_status"] = np.select(
        [cin["cin_end"].notna(), cin["child_id"].isin(in_care), cin["child_id"].isin(on_cp)],
        ["Closed episode", "Looked after child", "Child Protection plan"],
        "Child in need plan",
    )
    cin["last_seen"] = np.where(cin["cin_end"].isna(), x - rng.integers(0, 60, k),
                                _nd(cin["cin_end"]).astype("datetime64[D]")
                                - rng.integers(0, 30, k))  # fmt: skip
    cin["last_seen"] = np.maximum(
        _nd(cin["last_seen"]).astype("datetime64[D]"), _nd(cin["cin_start"]).astype("datetime64[D]")
    )
    cin["team"] = np.where(cin["case_status"] == "Looked after child", "Children in Care",
                           rng.choice(TEAMS[1:5], k))  # fmt: skip
    allocated = rng.random(k) > 0.015
    cin["worker"] = np.where(allocated, rng.choice(workers, k), None)

    # Children in care: one row per period of care touching the window.
    eps = c["episodes"]
    p = per.loc[(per["cla_start"] <= x) & (per["cla_end"] >= lo)].copy()
    p_open = p["cla_end"] > x
    p.loc[p_open, ["cla_end", "reason_ceased"]] = [NAT, None]
    cur = eps.loc[eps["DECOM"] <= x].sort_values("DECOM").groupby("period_id").tail(1)
    cur = cur.set_index("period_id")
    p["placement_type"] = p["period_id"].map(cur["PLACE"])
    p["placement_provider"] = p["period_id"].map(cur["PLACE_PROVIDER"])
    p["legal_status"] = p["period_id"].map(cur["LS"])
    p["legal_status_start"] = p["period_id"].map(
        eps.loc[eps["DECOM"] <= x].groupby("period_id")["DECOM"].min()
    )
    real_moves = eps.loc[(eps["RNE"].isin(["S", "P", "B"])) & (eps["DECOM"] <= x)]
    p["placement_start"] = p["period_id"].map(real_moves.groupby("period_id")["DECOM"].max())
    in12 = real_moves.loc[real_moves["DEC"] > x - 365]
    p["n_placements_12m"] = p["period_id"].map(in12.groupby("period_id").size()).fillna(0)
    p["n_placements_12m"] = p["n_placements_12m"].astype(int)
    n = len(p)
    ref_date = np.where(p_open, x, _nd(p["cla_end"]).astype("datetime64[D]"))
    start = _nd(p["cla_start"]).astype("datetime64[D]")
    p["last_review"] = np.maximum(ref_date - rng.integers(0, 190, n), start)
    p["last_visit"] = np.maximum(ref_date - rng.integers(0, 50, n), start)
    p["last_iro_contact"] = np.maximum(ref_date - rng.integers(0, 120, n), start)
    p["last_health_assessment"] = np.maximum(ref_date - rng.integers(0, 420, n), start)
    p["last_dental_check"] = np.maximum(ref_date - rng.integers(0, 450, n), start)
    plan = rng.choice(["Return to family", "Adoption", "SGO/CAO", "Long-term fostering",
                       "Supported living in the community", "Long-term residential placement",
                       "Other"], n, p=[0.15, 0.08, 0.1, 0.5, 0.1, 0.05, 0.02])  # fmt: skip
    months_in = (x - start).astype(int) / 30.4
    p["permanence_plan"] = np.where((months_in < 4) & (rng.random(n) < 0.6), None, plan)
    p["permanence_plan"] = np.where(rng.random(n) < 0.04, None, p["permanence_plan"])
    p["second_period_12m"] = "No"
    p["uasc"] = np.where(p["uasc"], "Yes", "No")
    p["placement_location"] = np.where(rng.random(n) < 0.62, "In", "Out")
    p["placement_la"] = np.where(
        p["placement_location"] == "In",
        "Westshire",
        rng.choice(["Northshire", "Eastmoor", "Southvale"], n),
    )
    miss = rng.random(n) < 0.11
    p["n_missing_12m"] = np.where(miss, rng.integers(1, 8, n), 0)
    p["n_absent_12m"] = np.where(rng.random(n) < 0.05, rng.integers(1, 4, n), 0)
    p["rhi_offered"] = np.where(miss, np.where(rng.random(n) < 0.85, "Yes", "No"), None)
    p["rhi_accepted"] = np.where(
        miss & (p["rhi_offered"] == "Yes"), np.where(rng.random(n) < 0.6, "Yes", "No"), None
    )
    p["team"] = "Children in Care"
    p["worker"] = np.where(rng.random(n) > 0.01, rng.choice(workers, n), None)

    # Care leavers at the extract: left care aged 16+ having been in care 13 weeks or more.
    left = per.loc[(per["cla_end"] <= x) & per["child_id"].isin(_leavers(per))].copy()
    left["age"] = age_years(_nd(left["dob"]), x)
    cl = left.loc[(left["age"] >= 18) & (left["age"] <= 21)].copy()
    m = len(cl)
    cl["eligibility"] = "Former relevant child"
    cl["in_touch"] = rng.choice(["YES", "NO", "REFU", "NREQ"], m, p=[0.91, 0.05, 0.02, 0.02])
    touch = cl["in_touch"] == "YES"
    acc = rng.choice(list("DEUTBZKCS"), m, p=[0.3, 0.08, 0.3, 0.08, 0.08, 0.08, 0.03, 0.03, 0.02])
    cl["accommodation"] = np.where(touch, acc, "R")
    cl["suitability"] = np.where(touch & (rng.random(m) < 0.9), "Suitable", "Unsuitable")
    act = rng.choice(
        ["F1", "P1", "F2", "P2", "F4", "P4", "F5", "P5", "G4", "G5", "G6"],
        m,
        p=[0.07, 0.01, 0.17, 0.03, 0.04, 0.01, 0.15, 0.06, 0.1, 0.3, 0.06],
    )
    cl["activity"] = np.where(touch, act, "G5")
    cl["pathway_review"] = x - rng.integers(0, 230, m)
    cl["latest_contact"] = x - rng.integers(0, 90, m)
    cl["team"] = "Care Leavers"
    cl["worker"] = None
    cl["pa"] = np.where(rng.random(m) < 0.96, rng.choice([f"PA{i:02d}" for i in range(1, 21)], m),
                        None)  # fmt: skip
    cl["uasc"] = np.where(cl["uasc"], "Yes", "No")

    # Adoption (List 10): adopted in the last 12 months, and children with a live ADM decision.
    ad = per.loc[per["adopted"] & (per["cla_end"] > x - 365) & (per["cla_start"] <= x)].copy()
    placed_ep = (
        eps.loc[eps["PLACE"].isin(["A3", "A4", "A5", "A6"])].groupby("period_id")["DECOM"].min()
    )
    ad["placed"] = ad["period_id"].map(placed_ep)
    q = len(ad)
    placed = _nd(ad["placed"]).astype("datetime64[D]")
    ad["matched"] = placed - rng.integers(10, 60, q)
    ad["placement_order"] = _nd(ad["matched"]) - rng.integers(0, 250, q)
    ad["adm_decision"] = _nd(ad["placement_order"]) - rng.integers(30, 120, q)
    ad["entered_care"] = ad["cla_start"]
    ad["adoption_order"] = np.where(ad["cla_end"] <= x, ad["cla_end"], NAT)
    ad["family_id"] = [f"F{i:05d}" for i in range(q)]
    ad = ad.loc[ad["placed"].notna()]
    adopters = pd.DataFrame({
        "adopter_id": [f"AD{i:05d}" for i in range(len(ad))],
        "family_id": ad["family_id"].to_numpy(),
        "gender": rng.choice(["Female", "Male"], len(ad)),
        "ethnicity": rng.choice(ETHNIC_CODES[:5], len(ad)),
        "enquiry": _nd(ad["matched"]).astype("datetime64[D]") - rng.integers(200, 400, len(ad)),
        "matched": _nd(ad["matched"]),
        "placed": _nd(ad["placed"]),
        "n_children_placed": 1,
        "adoption_order": ad["adoption_order"].to_numpy(),
    })  # fmt: skip

    eh_n = int(1500 * 4)
    eh_dates = sample_dates(rng, eh_n, EXPORT_START, extract, trend=0.2)
    eh_kids = rng.choice(h["kids"]["child_id"].to_numpy(), eh_n)
    eh = pd.DataFrame({"child_id": eh_kids, "eh_start": eh_dates,
                       "eh_end": eh_dates + rng.integers(5, 60, eh_n)})  # fmt: skip
    eh.loc[eh["eh_end"] > x, "eh_end"] = NAT
    eh["eh_org"] = rng.choice(["Family Hub North", "Family Hub South", "Schools"], eh_n)
    eh_age = age_years(kids.loc[eh["child_id"], "dob"].to_numpy(), eh["eh_start"].to_numpy())
    eh = eh.loc[eh_age < 18]

    return _plausible({
        "contacts": demo(contacts), "early_help": demo(eh), "referrals": demo(ref),
        "assessments": demo(a), "s47": demo(s47), "cin": demo(cin), "cp": demo(cp),
        "cla": demo(p), "care_leavers": demo(cl), "adoption": demo(ad), "adopters": adopters,
    }, x)  # fmt: skip


def _plausible(lists: dict[str, pd.DataFrame], x: np.datetime64) -> dict[str, pd.DataFrame]:
    """What a real extract could hold (the loader reports anything else): no contact or early
    help assessment more than 280 days before the child's birth, no adoption event before the
    child's birth or after the extract. Applied last, so the random draws are unchanged."""
    for key, date in (("contacts", "contact_date"), ("early_help", "eh_start")):
        frame = lists[key]
        lists[key] = frame.loc[~(_nd(frame[date]) < _nd(frame["dob"]) - 280)]
    ad = lists["adoption"].copy()
    for col in ("adm_decision", "placement_order", "matched", "placed", "adoption_order"):
        when = _nd(ad[col])
        ad[col] = np.where((when > x) | (when < _nd(ad["dob"])), NAT, when)
    lists["adoption"] = ad
    adopters = lists["adopters"].copy()
    for col in ("enquiry", "matched", "placed", "adoption_order"):
        when = _nd(adopters[col])
        adopters[col] = np.where(when > x, NAT, when)
    lists["adopters"] = adopters
    return lists


def _write_annex_a(lists: dict[str, pd.DataFrame], path: Path, created: dt.datetime) -> None:
    from ..ingest.annex_a_spec import ANNEX_A

    with pd.ExcelWriter(path, engine="xlsxwriter", datetime_format="dd/mm/yyyy",
                        date_format="dd/mm/yyyy") as writer:  # fmt: skip
        writer.book.set_properties({"created": created, "author": "sefanalysis demo generator"})
        for spec in ANNEX_A:
            frame = lists[spec.key].copy()
            for col in spec.columns:
                if col.key not in frame:
                    frame[col.key] = None
                if col.kind == "date":
                    frame[col.key] = pd.to_datetime(frame[col.key])
            sort_col = next((c.key for c in spec.columns if c.kind == "date"), spec.columns[0].key)
            frame = frame.sort_values([sort_col, spec.columns[0].key], kind="stable")
            frame = frame[[c.key for c in spec.columns]]
            frame.columns = [c.heading for c in spec.columns]
            frame.to_excel(writer, sheet_name=f"List_{spec.number}", index=False)


def _ssda903(rng: np.random.Generator, c: dict, extract: str, root: Path) -> None:
    """SSDA903 CSV tables per collection year (the last one an in-year extract to ``extract``)."""
    eps, per, kids = c["episodes"], c["periods"], c["kids"].set_index("child_id")
    x = _d(extract)
    # reviews drawn from their own stream: the rest of the demonstration data stays as it was
    review_rng = rng.spawn(1)[0]
    first = int(str(extract)[:4]) - 6  # six returns: every care leaver aged 18-21 appears
    last = int(str(extract)[:4]) - (0 if str(extract)[5:7] > "03" else 1)
    for y in range(first, last + 1):
        ys, ye = _d(f"{y}-04-01"), min(_d(f"{y + 1}-03-31"), x)
        folder = root / f"{y}-{(y + 1) % 100:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        e = eps.loc[(eps["DECOM"] <= ye) & (eps["DEC"] >= ys)].copy()
        e["DEC"] = np.where(e["DEC"] > ye, NAT, e["DEC"])
        e.loc[e["DEC"].isna(), ["REC", "REASON_PLACE_CHANGE"]] = ["", ""]
        e.loc[e["DEC"].isna(), "REC"] = None
        out = e.rename(columns={"child_id": "CHILD"})
        out["HOME_POST"] = out["PL_POST"] = out["URN"] = ""
        cols = [
            "CHILD",
            "DECOM",
            "RNE",
            "LS",
            "CIN",
            "PLACE",
            "PLACE_PROVIDER",
            "DEC",
            "REC",
            "REASON_PLACE_CHANGE",
            "HOME_POST",
            "PL_POST",
            "URN",
        ]
        tables = {"episodes": out[cols]}
        # OC2: in care continuously for 12 months or more at the year end.
        p = per.loc[(per["cla_start"] <= ye - 365) & (per["cla_end"] > ye)].copy()
        n = len(p)
        age = age_years(_nd(p["dob"]), ye)
        sdq_due = (age >= 4) & (age <= 16)
        has_sdq = sdq_due & (rng.random(n) < 0.8)
        tables["oc2"] = pd.DataFrame({
            "CHILD": p["child_id"], "DOB": p["dob"],
            "SDQ_SCORE": np.where(has_sdq, np.clip(rng.normal(14, 6.5, n), 0, 40).round(), np.nan),
            "SDQ_REASON": np.where(has_sdq, "", np.where(sdq_due, "SDQ4", "SDQ1")),
            "CONVICTED": (rng.random(n) < 0.03).astype(int),
            "HEALTH_CHECK": np.where(age < 5, (rng.random(n) < 0.9).astype(int), 0),
            "IMMUNISATIONS": (rng.random(n) < 0.85).astype(int),
            "TEETH_CHECK": (rng.random(n) < 0.8).astype(int),
            "HEALTH_ASSESSMENT": (rng.random(n) < 0.9).astype(int),
            "SUBSTANCE_MISUSE": (rng.random(n) < 0.03).astype(int),
            "INTERVENTION_RECEIVED": 0, "INTERVENTION_OFFERED": 0,
        })  # fmt: skip
        # OC3: care leavers whose 17th-21st birthday falls in the year.
        left = per.loc[per["child_id"].isin(_leavers(per)) & (per["cla_end"] < ys)]
        age_end = age_years(_nd(left["dob"]), ye)
        cl = left.loc[(age_end >= 17) & (age_end <= 21)]
        m = len(cl)
        touch = rng.choice(["YES", "NO", "REFU"], m, p=[0.92, 0.05, 0.03])
        accom = rng.choice(list("DEUTBZ"), m) + np.where(rng.random(m) < 0.89, "1", "2")
        tables["oc3"] = pd.DataFrame({
            "CHILD": cl["child_id"], "DOB": cl["dob"], "IN_TOUCH": touch,
            "ACTIV": np.where(touch == "YES", rng.choice(["F1", "F2", "F5", "P5", "G4", "G5", "G6"],
                              m, p=[0.08, 0.2, 0.15, 0.07, 0.1, 0.33, 0.07]), "0"),
            "ACCOM": np.where(touch == "YES", accom, "0"),
        })  # fmt: skip
        mp = per.loc[(per["cla_start"] <= ye) & (per["cla_end"] >= ys)]
        who = mp.loc[rng.random(len(mp)) < 0.1]
        k = len(who)
        st = ys + rng.integers(0, max(1, (ye - ys).astype(int)), k)
        tables["missing"] = pd.DataFrame({
            "CHILD": who["child_id"], "DOB": who["dob"],
            "MISSING": rng.choice(["M", "A"], k, p=[0.8, 0.2]), "MIS_START": st,
            "MIS_END": st + rng.integers(0, 4, k),
        })  # fmt: skip
        tables["reviews"] = _reviews(review_rng, mp, ys, ye)
        us = per.loc[per["uasc"] & (per["cla_start"] <= ye) & (per["cla_end"] >= ys)]
        tables["uasc"] = pd.DataFrame({"CHILD": us["child_id"],
                                       "DUC": add_years(_nd(us["dob"]), 18)})  # fmt: skip
        # Header: every child in any table of the return (care leavers in OC3 included).
        children = pd.unique(pd.concat([t["CHILD"] for t in tables.values()]))
        hd = kids.loc[children].reset_index()
        tables["header"] = pd.DataFrame({
            "CHILD": hd["child_id"], "SEX": np.where(hd["gender"] == "Female", 2, 1),
            "DOB": hd["dob"], "ETHNIC": hd["ethnicity"], "UPN": "", "MOTHER": "",
            "MC_DOB": pd.NaT,
        })  # fmt: skip
        for name, frame in tables.items():
            frame = frame.sort_values(list(frame.columns[:2]), kind="stable")
            for col in frame.columns:
                if pd.api.types.is_datetime64_any_dtype(frame[col]):
                    frame[col] = frame[col].dt.strftime("%d/%m/%Y")
            frame.to_csv(folder / f"{name}.csv", index=False, lineterminator="\n",
                         float_format="%.0f")  # fmt: skip


def _reviews(
    rng: np.random.Generator, periods: pd.DataFrame, ys: np.datetime64, ye: np.datetime64
) -> pd.DataFrame:
    """Statutory reviews held in the year: the first about 20 working days into care, the
    second 3 months later, then every 6 months; most a little early, about 1 in 8 late."""
    k = np.arange(40)
    offset = np.where(k == 0, 28, 28 + 91 + 182 * np.maximum(k - 1, 0))
    n = len(periods)
    start = _nd(periods["cla_start"]).astype("datetime64[D]")[:, None]
    late = rng.random((n, len(k))) < 0.12
    shift = np.where(late, rng.integers(1, 60, (n, len(k))), -rng.integers(0, 21, (n, len(k))))
    due = start + (offset + shift).astype("timedelta64[D]")
    end = np.minimum(_nd(periods["cla_end"]).astype("datetime64[D]"), ye)[:, None]
    held = (due >= ys) & (due <= end)
    rows, _ = np.nonzero(held)
    return pd.DataFrame({"CHILD": periods["child_id"].to_numpy()[rows],
                         "DOB": periods["dob"].to_numpy()[rows],
                         "REVIEW": pd.to_datetime(due[held]), "REVIEW_CODE": "PN1"})  # fmt: skip


def _local_tables(rng: np.random.Generator, prof: Profile, extract: str, root: Path) -> None:
    months = pd.date_range("2021-01-01", extract, freq="MS")
    teams = TEAMS
    share = np.array([0.18, 0.16, 0.16, 0.16, 0.1, 0.14, 0.1])
    nm, nt = len(months), len(teams)
    t = np.linspace(0, 1, nm)[:, None]
    establishment = prof.workforce_fte * share[None, :] * np.ones((nm, 1))
    vacancy = establishment * (0.2 - 0.07 * t + rng.normal(0, 0.015, (nm, nt))).clip(0.02)
    in_post = establishment - vacancy
    agency = in_post * (0.2 - 0.05 * t + rng.normal(0, 0.015, (nm, nt))).clip(0.0)
    leavers = rng.poisson(in_post * 0.16 / 12)
    starters = rng.poisson(in_post * 0.17 / 12)
    case_fte = in_post * 0.8
    cases = case_fte * (17.5 - 2 * t + rng.normal(0, 0.6, (nm, nt)))
    sick = rng.gamma(2, in_post * 0.45)
    wf = pd.DataFrame({
        "month": np.repeat(months.strftime("%Y-%m-%d"), nt), "team": np.tile(teams, nm),
        "fte_in_post": in_post.ravel().round(1), "agency_fte": agency.ravel().round(1),
        "vacancy_fte": vacancy.ravel().round(1), "starters_fte": starters.ravel(),
        "leavers_fte": leavers.ravel(), "case_holding_fte": case_fte.ravel().round(1),
        "cases_held": cases.ravel().round(), "sickness_days_lost": sick.ravel().round(1),
    })  # fmt: skip
    wf.to_csv(root / "workforce.csv", index=False, lineterminator="\n")

    n = 30 * nm
    dates = sample_dates(rng, n, "2021-01-01", extract, weekday_only=True)
    good = 0.5 + 0.17 * np.linspace(0, 1, n)
    u = rng.random(n)
    grade = np.select([u < 0.06, u < good, u < good + (1 - good) * 0.75], ["Outstanding", "Good",
                      "Requires improvement"], "Inadequate")  # fmt: skip
    moderated = rng.random(n) < 0.25
    mod_grade = np.where(moderated & (rng.random(n) < 0.2), np.where(grade == "Good",
                         "Requires improvement", grade), grade)  # fmt: skip
    pd.DataFrame({
        "audit_date": pd.to_datetime(dates).strftime("%Y-%m-%d"),
        "service_area": rng.choice(["Front door", "Child in need", "Child protection",
                                    "Children in care", "Care leavers"], n),
        "theme": rng.choice(["Whole case", "Voice of the child", "Planning", "Supervision"], n),
        "grade": grade, "moderated": np.where(moderated, "Yes", "No"),
        "moderated_grade": np.where(moderated, mod_grade, ""),
    }).to_csv(root / "audits.csv", index=False, lineterminator="\n")  # fmt: skip

    due = np.repeat(months, 150)
    held = due + pd.to_timedelta(rng.integers(-20, 3, len(due)), unit="D")
    held = held.where(rng.random(len(due)) > 0.03)
    pd.DataFrame({"due_date": due.strftime("%Y-%m-%d"),
                  "team": rng.choice(teams, len(due)),
                  "held_date": held.strftime("%Y-%m-%d")}).to_csv(
        root / "supervision.csv", index=False, lineterminator="\n")  # fmt: skip
    k = 12 * nm
    rec = sample_dates(rng, k, "2021-01-01", extract, weekday_only=True)
    pd.DataFrame({
        "received_date": pd.to_datetime(rec).strftime("%Y-%m-%d"),
        "stage": rng.choice(["Stage 1", "Stage 2", "Stage 3"], k, p=[0.85, 0.12, 0.03]),
        "responded_date": pd.to_datetime(rec + rng.integers(3, 30, k)).strftime("%Y-%m-%d"),
        "timescale_days": 20,
        "upheld": rng.choice(["Yes", "No", "Partly"], k, p=[0.25, 0.55, 0.2]),
    }).to_csv(root / "complaints.csv", index=False, lineterminator="\n")  # fmt: skip

    years = np.arange(2015, int(extract[:4]) + 2)
    pop = (prof.population * (1 + 0.004 * (years - 2022))).round().astype(int)
    pd.DataFrame({"year": years, "population": pop}).to_csv(
        root / "population.csv", index=False, lineterminator="\n"
    )
    _benchmarks(rng, root)


def _benchmarks(rng: np.random.Generator, root: Path) -> None:
    """Local targets. The comparators (England, regions, other authorities, statistical
    neighbours) are DfE's files in ``published/`` (see :mod:`.published`)."""
    del rng
    pd.DataFrame({"indicator_id": ["assessments_within_45wd_pct", "re_referral_pct",
                                   "icpc_within_15wd_pct", "sw_vacancy_rate_pct"],
                  "target": [85, 20, 85, 12], "tolerance": [3, 2, 5, 3]}).to_csv(
        root / "targets.csv", index=False, lineterminator="\n")  # fmt: skip


def generate_demo(
    out: str | Path,
    seed: int = 2024,
    extract: str = DEFAULT_EXTRACT,
    profile: Profile | None = None,
    la_code: str = "E99000000",
    la_name: str = "Westshire (synthetic demonstration authority)",
) -> Path:
    """Write the demonstration authority to ``out`` and return its path."""
    prof = profile or Profile()
    root = Path(out)
    root.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    ids = _Ids()
    h = _simulate_help(rng, ids, prof, extract)
    c = _simulate_care(rng, ids, prof, extract, h)
    lists = _lists(rng, h, c, extract)
    created = dt.datetime.fromisoformat(extract)
    _write_annex_a(lists, root / "annex_a.xlsx", created)
    _ssda903(rng, c, extract, root / "ssda903")
    _local_tables(rng, prof, extract, root)
    write_census(root, h, lists["cin"], extract)  # the CIN census returns of its children
    write_published(root, la_code, la_name, "Northern region", seed,  # DfE's files, synthetic
                    census_dir=root / "cin_census")  # fmt: skip
    settings = {
        "la_code": la_code, "la_name": la_name,
        "region": "Northern region", "extract_date": extract, "financial_year_start_month": 4,
        "synthetic": True, "seed": seed,
        "contact_name": "Performance and intelligence team (synthetic)",
        "contact_email": "performance@council.example",
    }  # fmt: skip
    (root / "authority.yaml").write_text(yaml.safe_dump(settings, sort_keys=False))
    (root / "README.md").write_text(
        "Synthetic demonstration authority generated by `sefanalysis demo-data`. No real child "
        "is represented. `published/` holds DfE's file layouts with synthetic values centred on "
        "England's published levels: they are not DfE statistics. `cin_census/` holds CIN census "
        "returns built from the same synthetic children.\n"
    )
    return root


__all__ = ["generate_demo", "Profile", "working_days"]


def generate_authorities(
    out: str | Path, n: int, seed: int = 2024, extract: str = DEFAULT_EXTRACT
) -> list[Path]:
    """``n`` synthetic authorities of different sizes and profiles under ``out/<la code>/``."""
    rng = np.random.default_rng(seed)
    paths = []
    for i in range(n):
        scale = float(np.exp(rng.normal(0, 0.6)))
        prof = Profile(
            population=int(75_000 * scale),
            referrals_per_year=4_000 * scale * rng.uniform(0.7, 1.3),
            re_referral_q=(rng.uniform(0.22, 0.36), rng.uniform(0.2, 0.34)),
            cla_entrants_per_year=215 * scale * rng.uniform(0.6, 1.5),
            workforce_fte=150 * scale,
        )
        code = f"E99{i + 1:06d}"
        paths.append(generate_demo(Path(out) / code, seed=seed + i + 1, extract=extract,
                                   profile=prof, la_code=code,
                                   la_name=f"Synthetic authority {i + 1:03d}"))  # fmt: skip
    return paths
