"""The demonstration authority's CIN census returns (DfE's XML), built from the same simulated
children as its Annex A lists, one return per year to 31 March before the extract.

Each referral is an episode of need (``CINdetails``) holding its assessment, section 47 enquiry
and child protection plan. An episode closes when the child's period of need (the Annex A List 6
interval holding the referral) ends, or the day before the child's next referral; a referral
with no further action closes the day it was made. A return lists the episodes open at any
point in its year, with dates after its 31 March left out (not yet known then). The 2022-23
return uses that year's structure (``GenderCurrent``), later ones ``Sex``.

The XML is built as text, a column at a time (no loop over children).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

ABUSE = {"Neglect": "NEG", "Emotional abuse": "EMO", "Physical abuse": "PHY",
         "Sexual abuse": "SAB", "Multiple": "MUL"}  # fmt: skip
GENDER_CURRENT = {"Male": "1", "Female": "2", "Not stated": "9"}
SEX = {"Male": "M", "Female": "F", "Not stated": "U"}


def _el(tag: str, values: pd.Series) -> pd.Series:
    """``<tag>value</tag>`` where a value is present, else nothing (dates as YYYY-MM-DD)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        text = values.dt.strftime("%Y-%m-%d")
    else:
        text = values.astype("string")
    return ("<" + tag + ">" + text + "</" + tag + ">").fillna("")


def _upto(dates: pd.Series, end: pd.Timestamp) -> pd.Series:
    """Dates after the census date are not known at it."""
    dates = pd.to_datetime(dates)
    return dates.where(dates <= end)


def _episodes(h: dict, cin_intervals: pd.DataFrame) -> pd.DataFrame:
    ref = h["ref"][["child_id", "referral_date", "referral_nfa", "source", "ref_id"]].copy()
    ref["referral_date"] = pd.to_datetime(ref["referral_date"])
    iv = cin_intervals[["child_id", "cin_start", "cin_end"]].copy()
    iv["child_id"] = iv["child_id"].astype(str)
    iv["cin_start"] = pd.to_datetime(iv["cin_start"])
    iv["cin_end"] = pd.to_datetime(iv["cin_end"])
    ref = ref.sort_values("referral_date")
    found = pd.merge_asof(ref, iv.sort_values("cin_start"), left_on="referral_date",
                          right_on="cin_start", by="child_id")  # fmt: skip
    inside = found["cin_end"].isna() | (found["cin_end"] >= found["referral_date"])
    closure = found["cin_end"].where(inside & found["cin_start"].notna(), found["referral_date"])
    closure = closure.where(found["referral_nfa"] != "Yes", found["referral_date"])
    found = found.assign(closure=closure).sort_values(["child_id", "referral_date"])
    following = found.groupby("child_id")["referral_date"].shift(-1) - pd.Timedelta(days=1)
    found["closure"] = found["closure"].where(
        following.isna() | (found["closure"].notna() & (found["closure"] <= following)),
        following)  # fmt: skip
    return found.reset_index(drop=True)


def _modules(h: dict, end: pd.Timestamp) -> pd.Series:
    """Each referral's modules as XML, by ``ref_id``."""
    a = h["asmt"].copy()
    a = a.loc[pd.to_datetime(a["asmt_start"]) <= end]
    asmt = ("<Assessments>" + _el("AssessmentActualStartDate", pd.to_datetime(a["asmt_start"]))
            + _el("AssessmentAuthorisationDate", _upto(a["asmt_auth"], end))
            + "</Assessments>")  # fmt: skip
    s = h["s47"].copy()
    s = s.loc[pd.to_datetime(s["strategy_date"]) <= end]
    icpc = _upto(s["icpc_date"], end)
    s47 = ("<Section47>" + _el("S47ActualStartDate", pd.to_datetime(s["strategy_date"]))
           + _el("InitialCPCtarget", _upto(pd.to_datetime(s["strategy_date"])
                                           + pd.Timedelta(days=21), end))
           + _el("DateOfInitialCPC", icpc)
           + _el("ICPCnotRequired", pd.Series(np.where(s["icpc_unnecessary"] == "Yes", "true",
                                                       "false"), index=s.index))
           + "</Section47>")  # fmt: skip
    cp = h["cp"].copy()
    cp = cp.loc[pd.to_datetime(cp["cpp_start"]) <= end]
    cpp = ("<ChildProtectionPlans>" + _el("CPPstartDate", pd.to_datetime(cp["cpp_start"]))
           + _el("CPPendDate", _upto(cp["cpp_end"], end))
           + _el("InitialCategoryOfAbuse", cp["abuse_initial"].map(ABUSE))
           + _el("LatestCategoryOfAbuse", cp["abuse_latest"].map(ABUSE))
           + _el("NumberOfPreviousCPP", cp["n_previous_cpp"].astype(int))
           + "</ChildProtectionPlans>")  # fmt: skip
    parts = pd.concat(
        [
            pd.DataFrame({"ref_id": a["ref_id"], "order": 0, "xml": asmt}),
            pd.DataFrame({"ref_id": s["ref_id"], "order": 1, "xml": s47}),
            pd.DataFrame({"ref_id": cp["ref_id"], "order": 2, "xml": cpp}),
        ]
    )
    parts = parts.sort_values(["ref_id", "order"], kind="stable")
    return parts.groupby("ref_id")["xml"].agg("".join)


def census_xml(h: dict, episodes: pd.DataFrame, end: pd.Timestamp, lea: str) -> str:
    """One return at ``end`` (31 March)."""
    start = end - pd.DateOffset(years=1) + pd.Timedelta(days=1)
    ep = episodes.loc[
        (episodes["referral_date"] <= end)
        & (episodes["closure"].isna() | (episodes["closure"] >= start))
    ].copy()
    modules = _modules(h, end)
    closure = _upto(ep["closure"], end)
    ep["xml"] = ("<CINdetails>" + _el("CINreferralDate", ep["referral_date"])
                 + _el("ReferralSource", ep["source"]) + "<PrimaryNeedCode>N1</PrimaryNeedCode>"
                 + _el("CINclosureDate", closure)
                 + _el("ReasonForClosure", pd.Series(np.where(closure.notna(), "RC8", None),
                                                     index=ep.index))
                 + _el("ReferralNFA", pd.Series(np.where(ep["referral_nfa"] == "Yes", "true",
                                                         "false"), index=ep.index))
                 + ep["ref_id"].map(modules).fillna("") + "</CINdetails>")  # fmt: skip
    details = ep.sort_values(["child_id", "referral_date"]).groupby("child_id")["xml"].agg(
        "".join)  # fmt: skip
    kids = h["kids"].set_index("child_id").loc[details.index]
    new_model = end >= pd.Timestamp("2024-03-31")
    gender = kids["gender"].map(SEX if new_model else GENDER_CURRENT)
    children = ("<Child><ChildIdentifiers>" + _el("LAchildID", kids.index.to_series())
                + "<UPNunknown>UN2</UPNunknown>"
                + _el("PersonBirthDate", pd.to_datetime(kids["dob"]))
                + _el("Sex" if new_model else "GenderCurrent", gender)
                + "</ChildIdentifiers><ChildCharacteristics>"
                + _el("Ethnicity", kids["ethnicity"])
                + "<Disabilities>" + _el("Disability", pd.Series(
                    np.where(kids["disability"] == "Yes", "HAND", "NONE"), index=kids.index))
                + "</Disabilities></ChildCharacteristics>" + details + "</Child>")  # fmt: skip
    header = (
        f"<Message><Header><CollectionDetails><Collection>CIN</Collection>"
        f"<Year>{end.year}</Year><ReferenceDate>{end:%Y-%m-%d}</ReferenceDate>"
        "</CollectionDetails><Source><SourceLevel>L</SourceLevel>"
        f"<LEA>{lea}</LEA><SoftwareCode>sefanalysis demonstration generator (synthetic)"
        "</SoftwareCode><Release>1</Release><SerialNo>001</SerialNo>"
        f"<DateTime>{end:%Y}-05-31T12:00:00</DateTime></Source></Header><Children>"
    )
    return header + "\n".join(children) + "</Children></Message>\n"


def write_census(root: Path, h: dict, cin_intervals: pd.DataFrame, extract: str,
                 lea: str = "600") -> None:  # fmt: skip
    """``root/cin_census/cin_census_YYYY.xml`` for the two census dates before ``extract``."""
    x = pd.Timestamp(extract)
    last = x.year if (x.month, x.day) >= (3, 31) else x.year - 1
    out = root / "cin_census"
    out.mkdir(parents=True, exist_ok=True)
    episodes = _episodes(h, cin_intervals)
    for year in (last - 1, last):
        end = pd.Timestamp(f"{year}-03-31")
        (out / f"cin_census_{year}.xml").write_text(census_xml(h, episodes, end, lea))


__all__ = ["write_census", "census_xml"]
