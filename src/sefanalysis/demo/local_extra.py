"""The demonstration authority's local trackers and the fields a real authority's returns hold
that the core generator leaves out: early help episodes, PLO and care proceedings, exploitation
screenings, LADO allegations, missing episodes with return interviews, the fostering register,
the Virtual School's years and PEPs, compliments; step-ups in the referral sources, the adopter
funnel of List 11 and eligible 16-17 year olds on List 9; SSDA903 home and placement postcodes
(real postcodes of the ONS Postcode Directory, so distances can be computed), URNs, emergency
starts (L1, L2) and review participation codes; and synthetic comparators for the measures DfE
publishes.

Everything here draws from its own random streams (``np.random.default_rng([seed, 20, part])``)
after the core generator has drawn everything else, so the rest of the demonstration data is as
it was. Values are tuned to land near published levels; no real child is represented.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..indicators.children_in_care import UNREGISTERED_URN
from .published import ENGLAND_NAME
from .timeline import age_years, sample_dates

EXPORT_START = "2021-01-01"
STREAM = 20  # the second seed word of this module's random stream
TEAMS = ["Family Hub North", "Family Hub South", "Family Hub East"]


def stream(seed: int, part: int) -> np.random.Generator:
    """This module's own random stream (``part`` 1: the Annex A additions, 2: the rest)."""
    return np.random.default_rng([seed, STREAM, part])


def _d(x: object) -> np.ndarray:
    return pd.to_datetime(pd.Series(x)).to_numpy().astype("datetime64[D]")


def _iso(values: object) -> pd.Series:
    return pd.to_datetime(pd.Series(values)).dt.strftime("%Y-%m-%d")


def _hash(frame: pd.DataFrame) -> np.ndarray:
    """A stable number per row (the same row in every year's return draws the same values)."""
    return pd.util.hash_pandas_object(frame.astype(str), index=False).to_numpy()


def _unit(frame: pd.DataFrame, salt: str) -> np.ndarray:
    """A stable uniform [0, 1) per row."""
    return (_hash(frame.assign(_salt=salt)) % 1_000_003) / 1_000_003


# ------------------------------------------------------------------ Annex A additions


def enrich_lists(
    lists: dict[str, pd.DataFrame], rng: np.random.Generator, extract: str
) -> dict[str, pd.DataFrame]:
    """Referral sources with step-ups from early help (5D), List 11 with its funnel (stages,
    approvals, enquiries that went no further), List 9 with eligible 16-17 year olds in care."""
    x = np.datetime64(extract, "D")
    ref = lists["referrals"].copy()
    ref["source"] = np.where(rng.random(len(ref)) < 0.06, "5D", ref["source"])
    lists["referrals"] = ref
    lists["adopters"] = _adopter_funnel(lists["adopters"], rng, x)
    lists["care_leavers"] = pd.concat(
        [lists["care_leavers"], _eligible(lists["cla"], rng, x)], ignore_index=True
    )
    return lists


def _adopter_funnel(adopters: pd.DataFrame, rng: np.random.Generator, x: np.datetime64):
    """Matched adopters went through stage 1 (2 months), stage 2 (4 months) and approval; about
    ten households enquire for each one approved."""
    a = adopters.copy()
    n = len(a)
    approved = _d(a["matched"]) - rng.integers(30, 200, n)
    stage2_end = approved - rng.integers(7, 40, n)
    stage2_start = stage2_end - rng.integers(90, 150, n)
    stage1_end = stage2_start - rng.integers(0, 20, n)
    stage1_start = stage1_end - rng.integers(40, 80, n)
    a["enquiry"] = np.minimum(_d(a["enquiry"]), stage1_start - rng.integers(10, 60, n))
    for col, values in (("stage1_start", stage1_start), ("stage1_end", stage1_end),
                        ("stage2_start", stage2_start), ("stage2_end", stage2_end),
                        ("application", stage2_start), ("approved", approved)):  # fmt: skip
        a[col] = values
    k = 8 * max(n, 8)
    enquiry = sample_dates(rng, k, EXPORT_START, str(x))
    going = rng.random(k) < 0.2
    s1 = enquiry + rng.integers(20, 60, k)
    new = pd.DataFrame({
        "adopter_id": [f"AE{i:05d}" for i in range(k)],
        "family_id": [f"FE{i:05d}" for i in range(k)],
        "gender": rng.choice(["Female", "Male"], k),
        "ethnicity": rng.choice(["WBRI", "WOTH", "MWBC", "AIND", "BCRB"], k),
        "enquiry": enquiry,
        "stage1_start": np.where(going, s1, np.datetime64("NaT")),
        "approved": np.where(going & (rng.random(k) < 0.45), s1 + rng.integers(150, 260, k),
                             np.datetime64("NaT")),
        "left_process": np.where(~going, enquiry + rng.integers(5, 90, k), np.datetime64("NaT")),
        "left_reason": np.where(~going, "1 - Adopter withdrew from process", None),
    })  # fmt: skip
    for col in ("approved", "left_process", "stage1_start"):
        new.loc[_d(new[col]) > x, col] = pd.NaT
    new["stage1_start"] = new["stage1_start"].where(new["stage1_start"].notna())
    return pd.concat([a, new], ignore_index=True)


def _eligible(cla: pd.DataFrame, rng: np.random.Generator, x: np.datetime64) -> pd.DataFrame:
    """Eligible children: in care at the extract, aged 16 or 17, in care 13 weeks or more."""
    open_ = cla["cla_end"].isna() & (cla["cla_start"] <= pd.Timestamp(x) - pd.Timedelta(days=91))
    age = age_years(_d(cla["dob"]), x)
    el = cla.loc[open_.to_numpy() & (age >= 16) & (age <= 17)].copy()
    m = len(el)
    out = el[["child_id", "dob", "gender", "ethnicity", "disability"]].copy()
    out["age"] = age_years(_d(out["dob"]), x)
    out["uasc"] = el["uasc"].to_numpy()
    out["eligibility"] = "Eligible child"
    out["in_touch"] = "YES"
    out["accommodation"] = "C"
    out["suitability"] = "Suitable"
    out["activity"] = rng.choice(["F2", "F5", "G5"], m, p=[0.7, 0.1, 0.2])
    out["team"] = "Children in Care"
    out["worker"] = el["worker"].to_numpy()
    out["pa"] = np.where(rng.random(m) < 0.86, rng.choice([f"PA{i:02d}" for i in range(1, 21)],
                                                          m), None)  # fmt: skip
    out["pathway_review"] = np.where(rng.random(m) < 0.9, x - rng.integers(0, 170, m),
                                     x - rng.integers(190, 300, m))  # fmt: skip
    out["latest_contact"] = x - rng.integers(0, 40, m)
    return out


# ------------------------------------------------------------------ local trackers


def _people(kids: pd.DataFrame, ids: np.ndarray) -> pd.DataFrame:
    return kids.loc[ids, ["dob", "gender", "ethnicity", "disability"]].reset_index()


def write_trackers(
    root: Path,
    rng: np.random.Generator,
    extract: str,
    lists: dict[str, pd.DataFrame],
    care: dict,
) -> None:
    """Every optional local table, in the layout docs/inputs.md describes."""
    x = np.datetime64(extract, "D")
    kids = care["kids"].drop_duplicates("child_id").set_index("child_id")
    tables = {
        "early_help_episodes": _early_help(rng, kids, x),
        "plo": _plo(rng, kids, lists["cp"], x),
        "exploitation": _exploitation(rng, kids, x),
        "lado": _lado(rng, x),
        "missing_episodes": _missing(rng, kids, care["periods"], x),
        "fostering": _fostering(rng, x),
        "compliments": pd.DataFrame(
            {
                "received_date": sample_dates(
                    rng, 15 * 48, EXPORT_START, extract, weekday_only=True
                ),
                "team": rng.choice(
                    ["Front Door", "Locality North", "Children in Care", "Care Leavers"], 15 * 48
                ),
            }
        ),  # fmt: skip
    }
    vs, peps = _virtual_school(rng, kids, care["periods"], x)
    tables["virtual_school"], tables["peps"] = vs, peps
    for name, frame in tables.items():
        frame = frame.drop_duplicates(ignore_index=True)  # a real log holds each row once
        for col in frame.columns:
            if pd.api.types.is_datetime64_any_dtype(frame[col]):
                frame[col] = frame[col].dt.strftime("%Y-%m-%d")
        frame.to_csv(root / f"{name}.csv", index=False, lineterminator="\n")


def _in_range(kids: pd.DataFrame, ids: np.ndarray, dates: np.ndarray, lo: int, hi: int):
    age = age_years(_d(kids.loc[ids, "dob"]), dates)
    return (age >= lo) & (age <= hi)


def _early_help(rng: np.random.Generator, kids: pd.DataFrame, x: np.datetime64) -> pd.DataFrame:
    n = 2600 * 4 + 1300
    start = sample_dates(rng, n, "2020-07-01", str(x), trend=0.15)
    ids = rng.choice(kids.index.to_numpy(), n)
    ok = _in_range(kids, ids, start, 0, 17) & (start >= _d(kids.loc[ids, "dob"]) - 200)
    start, ids = start[ok], ids[ok]
    m = len(ids)
    end = start + np.exp(rng.normal(np.log(170), 0.5, m)).astype(int)
    out = _people(kids, ids)
    out["team"] = rng.choice(TEAMS, m)
    out["start_date"] = start
    out["end_date"] = np.where(end <= x, end, np.datetime64("NaT"))
    out["step_down"] = np.where(rng.random(m) < 0.13, "Yes", "No")
    reason = rng.choice(["Step-up to social care", "Outcomes achieved", "Disengaged",
                         "Moved away", "Other"], m, p=[0.09, 0.6, 0.15, 0.06, 0.1])  # fmt: skip
    out["end_reason"] = np.where(end <= x, reason, None)
    return out


def _plo(rng: np.random.Generator, kids: pd.DataFrame, cp: pd.DataFrame, x: np.datetime64):
    plans = cp.drop_duplicates("child_id")
    plans = plans.loc[rng.random(len(plans)) < 0.4]
    m = len(plans)
    pre_start = _d(plans["cpp_start"]) + rng.integers(60, 300, m)
    pre_len = np.exp(rng.normal(np.log(100), 0.35, m)).astype(int)
    pre_end = pre_start + pre_len
    issued = rng.random(m) < 0.45
    proceedings = pre_end + rng.integers(1, 20, m)
    final = proceedings + np.exp(rng.normal(np.log(200), 0.3, m)).astype(int)
    nat = np.datetime64("NaT")
    out = _people(kids, plans["child_id"].to_numpy())
    out["team"] = plans["team"].to_numpy()
    out["family_id"] = [f"PF{i:05d}" for i in range(m)]
    out["pre_proceedings_start"] = pre_start
    out["pre_proceedings_end"] = np.where(pre_end <= x, pre_end, nat)
    out["pre_proceedings_outcome"] = np.where(pre_end > x, None, np.where(
        issued, "Proceedings issued", "Diverted"))  # fmt: skip
    out["proceedings_issued"] = np.where(issued & (proceedings <= x), proceedings, nat)
    out["final_order"] = np.where(issued & (final <= x), final, nat)
    out["order_type"] = np.where(issued & (final <= x), rng.choice(
        ["Care order", "Supervision order", "Placement order", "Special guardianship order",
         "Child arrangements order"], m, p=[0.45, 0.15, 0.15, 0.15, 0.1]), None)  # fmt: skip
    return out.loc[pre_start <= x].reset_index(drop=True)


def _exploitation(rng: np.random.Generator, kids: pd.DataFrame, x: np.datetime64):
    n = 420 * 4 + 200
    date = sample_dates(rng, n, "2020-09-01", str(x), trend=0.2)
    ids = rng.choice(kids.index.to_numpy(), n)
    ok = _in_range(kids, ids, date, 10, 17)
    date, ids = date[ok], ids[ok]
    m = len(ids)
    end = date + np.exp(rng.normal(np.log(170), 0.5, m)).astype(int)
    out = _people(kids, ids)
    out["team"] = rng.choice(["Locality North", "Locality South", "Locality East"], m)
    out["screening_date"] = date
    out["risk_level"] = rng.choice(["Significant", "Moderate", "Emerging", "Not at risk"], m,
                                   p=[0.38, 0.25, 0.25, 0.12])  # fmt: skip
    out["exploitation_type"] = rng.choice(["CSE", "CCE", "Both", "Other"], m,
                                          p=[0.3, 0.5, 0.15, 0.05])  # fmt: skip
    out["end_date"] = np.where(end <= x, end, np.datetime64("NaT"))
    return out


def _lado(rng: np.random.Generator, x: np.datetime64) -> pd.DataFrame:
    n = 320 * 4
    got = sample_dates(rng, n, EXPORT_START, str(x), trend=0.2, weekday_only=True)
    referred = rng.random(n) < 0.32
    concluded = got + rng.integers(20, 160, n)
    done = referred & (concluded <= x)
    return pd.DataFrame({
        "allegation_id": [f"LADO{i:05d}" for i in range(n)],
        "received_date": got,
        "progressed_to_referral": np.where(referred, "Yes", "No"),
        "outcome": np.where(done, rng.choice(["Substantiated", "Unsubstantiated", "Unfounded",
                                              "False", "Malicious"], n,
                                             p=[0.3, 0.35, 0.2, 0.1, 0.05]), None),
        "outcome_date": np.where(done, concluded, np.datetime64("NaT")),
        "sector": rng.choice(["Education", "Early years", "Health", "Social care", "Police",
                              "Faith", "Sport", "Other"], n),
    })  # fmt: skip


def _missing(rng: np.random.Generator, kids: pd.DataFrame, periods: pd.DataFrame,
             x: np.datetime64) -> pd.DataFrame:  # fmt: skip
    lo = np.datetime64(EXPORT_START, "D")
    # children in care: episodes within their period of care
    p = periods.loc[(periods["cla_start"] <= pd.Timestamp(x))
                    & (periods["cla_end"] >= pd.Timestamp(lo))]  # fmt: skip
    k = 480 * 4
    pick = p.iloc[rng.integers(0, len(p), k)]
    a = np.maximum(_d(pick["cla_start"]), lo)
    b = np.minimum(_d(pick["cla_end"]), x)
    start_in = a + (rng.random(k) * np.maximum((b - a).astype(int), 0)).astype(int)
    in_care = pd.DataFrame({"child_id": pick["child_id"].to_numpy(), "start": start_in,
                            "looked_after": "Yes"})  # fmt: skip
    # children not in care, aged 11 to 17
    n = 700 * 4
    start_out = sample_dates(rng, n, EXPORT_START, str(x))
    ids = rng.choice(kids.index.to_numpy(), n)
    not_care = pd.DataFrame({"child_id": ids, "start": start_out, "looked_after": "No"})
    not_care = not_care.loc[_in_range(kids, ids, start_out, 11, 17)]
    ep = pd.concat([in_care, not_care], ignore_index=True)
    ep = ep.loc[_in_range(kids, ep["child_id"].to_numpy(), _d(ep["start"]), 0, 17)]
    m = len(ep)
    end = _d(ep["start"]) + rng.integers(0, 4, m)
    offered = rng.choice(["Yes", "No", "Unknown"], m, p=[0.9, 0.07, 0.03])
    out = _people(kids, ep["child_id"].to_numpy())
    out["team"] = np.where(ep["looked_after"] == "Yes", "Children in Care", "Locality North")
    out["looked_after"] = ep["looked_after"].to_numpy()
    out["start_date"] = _d(ep["start"])
    out["end_date"] = np.where(end <= x, end, np.datetime64("NaT"))
    out["rhi_offered"] = np.where(end <= x, offered, None)
    out["rhi_accepted"] = np.where((end <= x) & (offered == "Yes"),
                                   np.where(rng.random(m) < 0.62, "Yes", "No"), None)  # fmt: skip
    out["rhi_date"] = np.where((out["rhi_accepted"] == "Yes") & (end + 3 <= x),
                               end + rng.integers(0, 6, m), np.datetime64("NaT"))  # fmt: skip
    return out


def _fostering(rng: np.random.Generator, x: np.datetime64) -> pd.DataFrame:
    nat = np.datetime64("NaT")
    n0 = 260
    approved0 = sample_dates(rng, n0, "2005-01-01", "2020-12-31")
    years = np.exp(rng.normal(np.log(9), 0.6, n0))
    dereg0 = approved0 + (years * 365).astype(int)
    k = 260 * 4
    enquiry = sample_dates(rng, k, EXPORT_START, str(x))
    going = rng.random(k) < 0.11
    approved1 = enquiry + rng.integers(150, 300, k)
    dereg1 = approved1 + (np.exp(rng.normal(np.log(8), 0.7, k)) * 365).astype(int)
    approved = np.concatenate([approved0, np.where(going & (approved1 <= x), approved1, nat)])
    dereg = np.concatenate([dereg0, np.where(going, dereg1, nat)])
    dereg = np.where(dereg <= x, dereg, nat)
    out = pd.DataFrame({
        "household_id": [f"FH{i:05d}" for i in range(n0 + k)],
        "household_type": rng.choice(["Mainstream", "Connected persons", "Other"], n0 + k,
                                     p=[0.63, 0.33, 0.04]),
        "enquiry_date": np.concatenate([np.full(n0, nat), enquiry]),
        "approval_date": approved,
        "deregistration_date": dereg,
        "deregistration_reason": np.where(~np.isnat(dereg), rng.choice(
            ["Resigned", "Retired", "Terminated", "Transferred", "Other"], n0 + k,
            p=[0.45, 0.3, 0.08, 0.12, 0.05]), None),
        "approved_places": np.where(~np.isnat(approved), rng.integers(1, 4, n0 + k), np.nan),
        "mockingbird": np.where(~np.isnat(approved) & (rng.random(n0 + k) < 0.1), "Yes", "No"),
    })  # fmt: skip
    keep = np.isnat(dereg) | (dereg >= np.datetime64(EXPORT_START, "D"))  # on the register since
    out["approved_places"] = out["approved_places"].astype("Int64")
    return out.loc[keep].reset_index(drop=True)


def _virtual_school(rng: np.random.Generator, kids: pd.DataFrame, periods: pd.DataFrame,
                    x: np.datetime64) -> tuple[pd.DataFrame, pd.DataFrame]:  # fmt: skip
    """Children in care of school age (5 to 15 at the start of the year) in care on 31 March of
    each school year to 2023/24; three PEPs a year each (October, February, June)."""
    rows, peps = [], []
    for year in range(2021, int(str(x)[:4]) + 2):
        start, spring = np.datetime64(f"{year - 1}-09-01", "D"), np.datetime64(f"{year}-03-31")
        here = periods.loc[(periods["cla_start"] <= pd.Timestamp(spring))
                           & (periods["cla_end"] > pd.Timestamp(spring))]  # fmt: skip
        age = age_years(_d(here["dob"]), start - 1)
        here = here.loc[(age >= 5) & (age <= 15)].drop_duplicates("child_id")
        group = age_years(_d(here["dob"]), start - 1) - 4  # year 1 is aged 5 on 31 August
        m = len(here)
        due = np.array([f"{year - 1}-10-31", f"{year}-02-28", f"{year}-06-30"],
                       dtype="datetime64[D]")  # fmt: skip
        for when in due[due <= x]:
            late = rng.random(m) < 0.09
            done = np.where(late, when + rng.integers(5, 40, m), when - rng.integers(0, 20, m))
            done = np.where(done <= x, done, np.datetime64("NaT"))
            peps.append(
                pd.DataFrame(
                    {
                        "child_id": here["child_id"].to_numpy(),
                        "due_date": when,
                        "completed_date": done,
                        "quality": np.where(
                            np.isnat(done),
                            None,
                            rng.choice(
                                ["Outstanding", "Good", "Requires improvement", "Inadequate"],
                                m,
                                p=[0.2, 0.55, 0.2, 0.05],
                            ),
                        ),
                    }
                )
            )
        if np.datetime64(f"{year}-08-31") > x:
            continue  # the school year has not ended
        possible = rng.integers(300, 381, m)
        low = rng.random(m) < 0.35  # a third attend much less (persistent absence)
        rate = np.clip(np.where(low, rng.beta(7, 2, m), rng.beta(60, 2.5, m)), 0.2, 1.0)
        ks4 = np.clip(rng.normal(22, 13, m), 0, 90).round(1)
        rows.append(pd.DataFrame({
            "child_id": here["child_id"].to_numpy(), "year_ending": year, "year_group": group,
            "sessions_possible": possible, "sessions_attended": (possible * rate).astype(int),
            "suspensions": np.where(rng.random(m) < 0.12, rng.integers(1, 5, m), 0),
            "permanent_exclusion": np.where(rng.random(m) < 0.004, "Yes", "No"),
            "ks2_rwm_expected": np.where(group == 6, np.where(rng.random(m) < 0.33, "Yes", "No"),
                                         None),
            "ks4_attainment8": np.where(group == 11, ks4, np.nan),
        }))  # fmt: skip
    vs = pd.concat(rows, ignore_index=True)
    vs = pd.concat([_people(kids, vs["child_id"].to_numpy()).drop(columns="child_id"), vs],
                   axis=1).drop(columns="disability")  # fmt: skip
    vs = vs[["child_id"] + [c for c in vs if c != "child_id"]]
    pep = pd.concat(peps, ignore_index=True)
    return vs, pep


# ------------------------------------------------------------------ SSDA903 additions


def _postcodes() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Real postcodes (ONS Postcode Directory): homes in Leeds (LS), placements near (LS, WF,
    BD) and far (Manchester, M; Newcastle, NE)."""
    from ..indicators.distance import _letter

    def pool(letter: str, prefix: str) -> np.ndarray:
        codes = pd.Series(_letter(letter).index.to_numpy(dtype=str))
        codes = np.sort(codes.loc[codes.str.match(rf"^{prefix}\d")].to_numpy(dtype=str))
        return codes[:: max(1, len(codes) // 3000)]

    home = pool("L", "LS")
    near = np.concatenate([home, pool("W", "WF"), pool("B", "BD")])
    far = np.concatenate([pool("M", "M"), pool("N", "NE")])
    return home, near, far


def _spaced(code: str) -> str:
    return f"{code[:-3]} {code[-3:]}"


def enrich_ssda903(folder: Path) -> None:
    """Postcodes, URNs, emergency starts and review participation codes in every return, each
    drawn from a stable hash of its row (an episode carried into later returns keeps them)."""
    home, near, far = _postcodes()
    years = sorted(p for p in folder.iterdir() if p.is_dir())
    uasc = set()
    for year in years:
        if (year / "uasc.csv").exists():
            uasc |= set(pd.read_csv(year / "uasc.csv", dtype=str)["CHILD"])
    chosen = _emergency_starts(years)
    for year in years:
        eps = pd.read_csv(year / "episodes.csv", dtype=str, keep_default_na=False)
        child, spot = eps[["CHILD"]], eps[["CHILD", "DECOM"]]
        h = _hash(child)
        eps["HOME_POST"] = np.where(eps["CHILD"].isin(uasc) | (_unit(child, "blank") < 0.02), "",
                                    [_spaced(home[i]) for i in h % len(home)])  # fmt: skip
        far_away = _unit(spot, "far") < 0.14
        pick = _hash(spot.assign(s="pl"))
        placed = np.where(far_away, far[pick % len(far)], near[pick % len(near)])
        eps["PL_POST"] = np.where(eps["PLACE"].isin(["P1"]), eps["HOME_POST"],
                                  [_spaced(c) for c in placed])  # fmt: skip
        urn = np.where(_unit(spot, "urn") < 0.01, UNREGISTERED_URN,
                       [f"SC{n:06d}" for n in _hash(spot) % 900_000 + 100_000])  # fmt: skip
        eps["URN"] = np.where(eps["PLACE"].isin(["K2", "H5", "R1", "S1"]), urn, "")
        eps = _split_emergency(eps, chosen, year.name)
        eps.to_csv(year / "episodes.csv", index=False, lineterminator="\n")
        reviews = pd.read_csv(year / "reviews.csv", dtype=str, keep_default_na=False)
        if len(reviews):
            u = _unit(reviews[["CHILD", "REVIEW"]], "pn")
            code = np.select([u < 0.45, u < 0.53, u < 0.62, u < 0.67, u < 0.79, u < 0.91],
                             ["PN1", "PN2", "PN3", "PN4", "PN5", "PN6"], "PN7")  # fmt: skip
            age = age_years(_d(pd.to_datetime(reviews["DOB"], format="%d/%m/%Y")),
                            _d(pd.to_datetime(reviews["REVIEW"], format="%d/%m/%Y")))  # fmt: skip
            reviews["REVIEW_CODE"] = np.where(age < 4, "PN0", code)
            reviews.to_csv(year / "reviews.csv", index=False, lineterminator="\n")


def _emergency_starts(years: list[Path]) -> pd.DataFrame:
    """About 1 start in 10 under police protection (L1, 3 days) or an emergency protection order
    (L2, 8 days) before the legal status the period continues under; not in March (the split
    stays within one collection year)."""
    frames = [pd.read_csv(y / "episodes.csv", dtype=str, keep_default_na=False) for y in years]
    eps = pd.concat(frames, ignore_index=True).drop_duplicates(["CHILD", "DECOM"])
    start = pd.to_datetime(eps["DECOM"], format="%d/%m/%Y")
    end = pd.to_datetime(eps["DEC"].replace("", None), format="%d/%m/%Y")
    long = end.isna() | ((end - start).dt.days > 14)
    u = _unit(eps[["CHILD", "DECOM"]], "emergency")
    pick = (eps["RNE"] == "S") & long & (start.dt.month != 3) & (u < 0.1)
    out = eps.loc[pick, ["CHILD", "DECOM"]].copy()
    out["LS"] = np.where(u[pick.to_numpy()] < 0.06, "L1", "L2")
    out["days"] = np.where(out["LS"] == "L1", 3, 8)
    out["start"] = start[pick]
    return out


def _split_emergency(eps: pd.DataFrame, chosen: pd.DataFrame, year: str) -> pd.DataFrame:
    """The first ``days`` of each chosen start as its own episode under L1 or L2 (in the return
    of the year it began), the rest a change of legal status only (RNE L) in every return."""
    hit = eps.merge(chosen, on=["CHILD", "DECOM"], how="left", suffixes=("", "_new"))
    chosen_row = hit["LS_new"].notna().to_numpy()
    if not chosen_row.any():
        return eps
    first_year = int(year[:4])
    start = hit["start"]
    in_year = ((start.dt.year == first_year) & (start.dt.month >= 4)) | (
        (start.dt.year == first_year + 1) & (start.dt.month <= 3)
    )
    later = hit["start"] + pd.to_timedelta(hit["days"].fillna(0), unit="D")
    rest = eps.copy()
    rest.loc[chosen_row, "DECOM"] = later[chosen_row].dt.strftime("%d/%m/%Y").to_numpy()
    rest.loc[chosen_row, "RNE"] = "L"
    head = eps.loc[chosen_row & in_year.to_numpy()].copy()
    head["LS"] = hit.loc[chosen_row & in_year.to_numpy(), "LS_new"].to_numpy()
    head["DEC"] = later[chosen_row & in_year.to_numpy()].dt.strftime("%d/%m/%Y").to_numpy()
    head["REC"], head["REASON_PLACE_CHANGE"] = "X1", ""
    out = pd.concat([rest, head], ignore_index=True)
    order = pd.to_datetime(out["DECOM"], format="%d/%m/%Y")
    return out.assign(_o=order).sort_values(["CHILD", "_o"], kind="stable").drop(columns="_o")


# ------------------------------------------------------------------ comparators

# England values (rounded published levels) for measures DfE publishes that the synthetic
# published/ folder does not carry, and their spread between authorities: the synthetic
# comparators are centred on them. (Children missing from care is in published/; DfE's
# distance measure counts only placements outside the authority, not like for like.)
BENCH = {
    "cpp_neglect_pct": (50, 9, "03-31"), "cla_review_participation_pct": (90, 5, "03-31"),
    "cla_starts_planned_pct": (88, 5, "03-31"), "vs_attendance_pct": (90, 2, "09-30"),
    "vs_persistent_absence_pct": (30, 6, "09-30"), "vs_suspension_pct": (12, 3, "09-30"),
    "vs_ks2_expected_pct": (32, 8, "09-30"), "vs_ks4_attainment8_mean": (22, 4, "09-30"),
}  # fmt: skip


def write_benchmarks(root: Path, rng: np.random.Generator, las: pd.DataFrame) -> None:
    """``benchmarks.csv``: synthetic comparators (England, the region, the other authorities of
    the synthetic published files) for the new measures DfE publishes; 31 March of each year,
    or 30 September after the school year for the Virtual School's."""
    others = las.loc[~las["own"]]
    region = las.loc[las["own"], ["region_code", "region_name"]].iloc[0]
    in_region = (others["region_code"] == region["region_code"]).to_numpy()
    rows = []
    for ind, (centre, spread, day) in BENCH.items():
        for year in range(2021, 2025):
            values = rng.normal(centre, spread, len(others))
            values = np.clip(values, 0, 100 if ind.endswith("_pct") else None).round(1)
            frame = pd.DataFrame({
                "indicator_id": ind, "time_period": f"{year}-{day}",
                "area_code": others["new_la_code"].to_numpy(),
                "area_name": others["la_name"].to_numpy(), "area_type": "la",
                "value": values.astype(str)})  # fmt: skip
            if ind.endswith("_pct"):
                den = np.round(300 * np.exp(rng.normal(0, 0.5, len(others))))
                frame["denominator"] = den.astype(int).astype(str)
                frame["numerator"] = np.round(den * values / 100).astype(int).astype(str)
            rows.append(frame)
            mean = round(float(np.mean(values[in_region])), 1)
            rows.append(pd.DataFrame({
                "indicator_id": ind, "time_period": f"{year}-{day}",
                "area_code": ["E92000001", region["region_code"]],
                "area_name": [ENGLAND_NAME, region["region_name"]],
                "area_type": ["england", "region"],
                "value": [str(centre), str(mean)]}))  # fmt: skip
    columns = ["indicator_id", "time_period", "area_code", "area_name", "area_type", "value",
               "numerator", "denominator"]  # fmt: skip
    out = pd.concat(rows, ignore_index=True).reindex(columns=columns).fillna("")
    out.to_csv(root / "benchmarks.csv", index=False, lineterminator="\n")


def add_to_demo(
    root: Path, seed: int, extract: str, lists: dict, care: dict, las: pd.DataFrame
) -> None:
    """Everything this module adds after the core generator has written its files."""
    rng = stream(seed, 2)
    write_trackers(root, rng, extract, lists, care)
    enrich_ssda903(root / "ssda903")
    write_benchmarks(root, rng, las)
