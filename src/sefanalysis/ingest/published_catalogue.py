"""What DfE's published tables hold, by meaning: how each table is recognised, which of its
columns are known, and which of its measures are the project's indicators.

A file is read into *cells*: one value per area, year and measure. A cell's measure has a key
built from the file's label columns and value column, each reduced to lower-case letters and
digits (``"CLA on 31 March"`` -> ``claon31march``; ``1-10_days`` -> ``1to10days``;
``61+_days`` -> ``61plusdays``; ``%`` -> ``percent``), joined as
``role=value;...;col=column`` in the file's column order. Table signatures, known columns and
rules are regular expressions over these keys (matched from the start of a ``role=`` part to
the end of the key), so a later edition with renamed columns (``Category``/``category``,
``cla_group``/``CLA_group``, ``turnover_rate_fte_%``/``turnover_rate_fte``), reworded labels
("at 31 March"/"on 31 March") or another column order still reads. Anything a table does not
know is reported, never dropped.

Rules state how DfE derives a measure the files give only in parts, with the source of each
choice (checked by hand against the published files and LAIT, see tests/unit/test_published.py):

- assessments completed within 45 working days = the duration bands ending at or before 45 days
  ÷ all bands (table C2; Buckinghamshire 2024: 6,623 ÷ 8,590 = 77.1%, LAIT's
  ``Continue_Assess_Comp`` 77.1);
- initial conferences within 15 working days = bands 0-10 and 11-15 ÷ all bands (table C4;
  domain reference 5.3; Buckinghamshire 2024: 450 ÷ 648 = 69.4%, LAIT ``CP_conf_15days`` 69.4);
- section 47 enquiries leading to an initial conference = ICPCs ÷ section 47s (table C4);
- care leavers aged 17 to 21 = the 17-18 and 19-21 counts added (the project's List 9 measure
  covers both; DfE publishes the two age groups, which are kept as breakdowns);
- sickness days per social worker = FTE working days lost ÷ FTE in post (the workforce file's
  own columns; DfE's absence *rate* divides by working days as well and has no project id).
- the population behind a rate per 10,000 children, where a children-in-need table gives the
  count and the rate but not the population: count x 10,000 ÷ rate, rounded (the population
  DfE divided by, to within the rate's rounding to 1 decimal place: Buckinghamshire 2024,
  3,469 children in need at 271.8 per 10,000 -> 127,630). It is the denominator of funnel
  plots; the published rate itself is kept as published.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

MARCH, SEPTEMBER, JUNE = "march", "september", "june"
CIN = "Children in need"
CLA = "Children looked after in England including adoptions"
CSWW = "Children's social work workforce"
POP = "Population estimates for children (DfE re-publication of ONS)"
LAIT = "Local Authority Interactive Tool (LAIT)"

Parts = str | tuple[str, ...] | Callable[[list[str]], list[str]]


def bands_up_to(limit: int, prefix: str = "") -> Callable[[list[str]], list[str]]:
    """The duration-band columns ending at or before ``limit`` working days (``sameday`` is 0
    days): DfE's "within 45 (or 15) working days" is the sum of these bands."""

    def pick(keys: list[str]) -> list[str]:
        return [k for k, (_, hi) in duration_bands(keys, prefix).items() if hi <= limit]

    return pick


def all_bands(prefix: str = "") -> Callable[[list[str]], list[str]]:
    """Every duration-band column (the denominator: every duration that could be measured)."""

    def pick(keys: list[str]) -> list[str]:
        return list(duration_bands(keys, prefix))

    return pick


def duration_bands(keys: list[str], prefix: str = "") -> dict[str, tuple[float, float]]:
    """``{key: (low, high)}`` of the keys that are duration bands in working days."""
    import re

    out: dict[str, tuple[float, float]] = {}
    for key in keys:
        col = key.rsplit("col=", 1)[-1]
        if not col.startswith(prefix):
            continue
        rest = col[len(prefix) :]
        if rest == "sameday":
            out[key] = (0, 0)
        elif m := re.fullmatch(r"(\d+)to(\d+)days", rest):
            out[key] = (int(m.group(1)), int(m.group(2)))
        elif m := re.fullmatch(r"(\d+)plusdays", rest):
            out[key] = (int(m.group(1)), float("inf"))
    return out


@dataclass(frozen=True)
class Rule:
    """One project indicator taken from a table.

    ``value``: the cell holding the published value (exactly one per area and year). Or, for a
    measure given only in parts, ``num`` and ``den`` (cells added up on each side) and ``scale``
    (100 for a percentage): value = scale x num ÷ den. With ``value`` given, ``num`` and ``den``
    name the cells of the published numerator and denominator, where the file has them.
    ``breakdown``: empty for the headline comparator; otherwise the rows are a breakdown
    (e.g. one age group) kept beside it. ``expect``: the number of cells each side must add up
    (a side with fewer is incomplete, so no value is derived)."""

    indicator_id: str
    value: str = ""
    num: Parts = ""
    den: Parts = ""
    scale: float = 0.0
    breakdown: str = ""
    expect: int = 0
    how: str = ""
    per_10k: bool = False  # a rate whose file gives no population: see ``implied population``


@dataclass(frozen=True)
class Table:
    """A DfE table, recognised when every ``signature`` pattern matches one of a file's keys."""

    key: str
    title: str
    publication: str
    period: str  # MARCH: year to 31 March; SEPTEMBER: at 30 September; JUNE: mid-year
    signature: tuple[str, ...]
    known: tuple[str, ...]
    rules: tuple[Rule, ...] = field(default=())
    priority: int = 0  # lower wins when two tables give the same indicator, area and year


LABEL = r"[a-z0-9]+=[^;]*"  # any label column and value
CL_AGES = r"age=(aged)?(17to18|19to21)(years)?"
CPP_AT31 = r"col=cppat31"

TABLES: tuple[Table, ...] = (
    Table("cin_b1", "B1: children in need and episodes of need", CIN, MARCH,
          (r"col=at31episodes",),
          (r"col=(anypoint|started|ended|at31)(episodes|child)(rate)?",
           r"col=awaitingassessment(rate)?"),
          (Rule("cin_count", value="col=at31episodes"),
           Rule("cin_rate_per_10k", value="col=at31episodesrate", num="col=at31episodes",
                per_10k=True))),
    Table("cin_c1", "C1: referrals and re-referrals", CIN, MARCH,
          (r"col=rereferrals",),
          (r"col=(re)?referrals(child)?(rate|percent)?", r"col=nofurtheraction(percent)?",
           r"col=notinneed(percent)?"),
          (Rule("referrals", value="col=referrals"),
           Rule("referral_rate_per_10k", value="col=referralsrate", num="col=referrals",
                per_10k=True),
           Rule("re_referral_pct", value="col=rereferralspercent", num="col=rereferrals",
                den="col=referrals"),
           Rule("referral_nfa_pct", value="col=nofurtheractionpercent",
                num="col=nofurtheraction", den="col=referrals"))),
    Table("cin_c2", "C2: assessments completed, by duration", CIN, MARCH,
          (r"col=assessmentscompleted",),
          (r"col=assessmentscompleted(rate)?", r"col=sameday", r"col=\d+to\d+days",
           r"col=\d+plusdays", r"col=(25th|75th)percentiledays", r"col=mediandays"),
          (Rule("assessments_completed", value="col=assessmentscompleted"),
           Rule("assessment_rate_per_10k", value="col=assessmentscompletedrate",
                num="col=assessmentscompleted", per_10k=True),
           Rule("assessment_median_wd", value="col=mediandays"),
           Rule("assessments_within_45wd_pct", num=bands_up_to(45), den=all_bands(), scale=100,
                how="duration bands up to 45 working days ÷ all duration bands (C2)"))),
    Table("cin_c3", "C3: factors identified at the end of assessment", CIN, MARCH,
          (r"col=episodeswithassessmentfactor",), (r"col=.*",)),
    Table("cin_c4", "C4: section 47 enquiries and initial child protection conferences", CIN,
          MARCH, (r"col=section47",),
          (r"col=(section47|icpc)(child)?(rate)?", r"col=duration\d+to\d+days",
           r"col=duration\d+plusdays", r"col=duration((25th|75th)percentile|median)"),
          (Rule("s47_enquiries", value="col=section47"),
           Rule("s47_rate_per_10k", value="col=section47rate", num="col=section47",
                per_10k=True),
           Rule("s47_to_icpc_pct", num="col=icpc", den="col=section47", scale=100,
                how="ICPCs ÷ section 47 enquiries (C4)"),
           Rule("icpc_within_15wd_pct", num=bands_up_to(15, "duration"),
                den=all_bands("duration"), scale=100,
                how="duration bands up to 15 working days ÷ all duration bands (C4)"))),
    Table("cin_d1", "D1: child protection plans", CIN, MARCH,
          (r"col=cppanypoint",),
          (r"col=cpp(child)?(start|end|anypoint)(rate)?", r"col=cppat31(rate)?"),
          (Rule("cpp_count", value=CPP_AT31),
           Rule("cpp_rate_per_10k", value="col=cppat31rate", num=CPP_AT31, per_10k=True),
           Rule("cpp_starts", value="col=cppstart"))),
    Table("cin_d3", "D3: child protection plans that were a second or subsequent plan", CIN,
          MARCH, (r"col=cppsubsequent",), (r"col=cppstart", r"col=cppsubsequent(percent)?"),
          (Rule("cpp_second_or_subsequent_pct", value="col=cppsubsequentpercent",
                num="col=cppsubsequent", den="col=cppstart"),
           Rule("cpp_starts", value="col=cppstart")), priority=1),
    Table("cin_d5", "D5: child protection plans at 31 March, by length of time on the plan",
          CIN, MARCH, (CPP_AT31, r"col=\d+monthsorless"),
          (CPP_AT31, r"col=[a-z0-9]*(month|year)[a-z0-9]*"),
          (Rule("cpp_count", value=CPP_AT31),), priority=1),
    Table("cin_national", "A1/A2: national time series", CIN, MARCH,
          (r"categorytype=[^;]*;col=number",), (LABEL + r";col=(number|rate|percent)",)),
    Table("cla_rates", "Children looked after, starting and ceasing: numbers and rates", CLA,
          MARCH, (r"[a-z0-9]+=childrenlookedafter(at|on)31march[a-z0-9]*;col=number",),
          (LABEL + r";col=(number|rateper10000|populationestimate)",),
          (Rule("cla_count", value=r"[a-z0-9]+=childrenlookedafter(at|on)31march[a-z0-9]*"
                ";col=number"),
           Rule("cla_rate_per_10k",
                value=r"[a-z0-9]+=childrenlookedafter(at|on)31march[a-z0-9]*;col=rateper10000",
                num=r"[a-z0-9]+=childrenlookedafter(at|on)31march[a-z0-9]*;col=number",
                den=r"[a-z0-9]+=childrenlookedafter(at|on)31march[a-z0-9]*"
                ";col=populationestimate"),
           Rule("cla_starts", value=r"[a-z0-9]+=childrenstarting[a-z0-9]*;col=number"),
           Rule("cla_ceased", value=r"[a-z0-9]+=childrenceasing[a-z0-9]*;col=number"))),
    Table("cla_stability", "Placement stability", CLA, MARCH,
          (r"clagroup=[^;]*;placementstability=[^;]*;col=number",),
          (r"clagroup=[^;]*;placementstability=[^;]*;col=(number|percentage)",),
          (Rule("cla_3plus_placements_pct",
                value=r"clagroup=cla(on|at)31march;placementstability=with3ormoreplacements"
                "duringtheyear;col=percentage",
                num=r"clagroup=cla(on|at)31march;placementstability=with3ormoreplacements"
                "duringtheyear;col=number",
                den=r"clagroup=cla(on|at)31march;placementstability=totalchildren;col=number"),
           Rule("cla_long_term_stability_pct",
                value=r"clagroup=childrenlookedaftercontinuouslyforatleast25years(on|at)31march"
                r"agedunder16years;placementstability=livingwiththesamecarerforatleast2years"
                r"[a-z0-9]*;col=percentage",
                num=r"clagroup=childrenlookedaftercontinuouslyforatleast25years(on|at)31march"
                r"agedunder16years;placementstability=livingwiththesamecarerforatleast2years"
                r"[a-z0-9]*;col=number",
                den=r"clagroup=childrenlookedaftercontinuouslyforatleast25years(on|at)31march"
                r"agedunder16years;placementstability=totalchildren;col=number"))),
    Table("cla_outcomes", "Outcomes: health, development, SDQ, substance misuse, convictions",
          CLA, MARCH, (r"clagroup=[^;]*;characteristic=hadtheirannualhealthassessment"
                       ";col=number",),
          (r"clagroup=[^;]*;characteristic=[^;]*;col=(number|percentage)",),
          (Rule("cla_health_assessment_in_date_pct",
                value=r"clagroup=health[^;]*;characteristic=hadtheirannualhealthassessment"
                ";col=percentage",
                num=r"clagroup=health[^;]*;characteristic=hadtheirannualhealthassessment"
                ";col=number",
                den=r"clagroup=health[^;]*;characteristic=totalallages;col=number"),
           Rule("cla_dental_check_in_date_pct",
                value=r"clagroup=health[^;]*;characteristic=hadtheirteethcheckedbyadentist"
                ";col=percentage",
                num=r"clagroup=health[^;]*;characteristic=hadtheirteethcheckedbyadentist"
                ";col=number",
                den=r"clagroup=health[^;]*;characteristic=totalallages;col=number"),
           Rule("cla_sdq_mean_score",
                value=r"clagroup=[^;]*sdq[^;]*;characteristic=sdqaveragescore;col=number"),
           Rule("cla_sdq_completed_pct",
                value=r"clagroup=[^;]*sdq[^;]*;characteristic=sdqscorewasreceived"
                ";col=percentage",
                num=r"clagroup=[^;]*sdq[^;]*;characteristic=sdqscorewasreceived;col=number",
                den=r"clagroup=[^;]*sdq[^;]*;characteristic=totalages5to16years;col=number"))),
    Table("cla_ceased", "Children who ceased to be looked after, by reason, age and gender",
          CLA, MARCH, (r"clagroup=[^;]*;characteristic=adopted;col=number",),
          (r"clagroup=[^;]*;characteristic=[^;]*;col=(number|percentage)",),
          (Rule("cla_ceased_adoption",
                value=r"clagroup=reason[^;]*;characteristic=adopted;col=number"),
           Rule("cla_ceased_sgo",
                value=r"clagroup=reason[^;]*;characteristic=specialguardianshiporders?"
                ";col=number"))),
    Table("cla_missing", "Children who were missing or away from placement", CLA, MARCH,
          (r"clagroup=childrenwhohadamissingincidentduringtheyear;col=number",),
          (r"clagroup=[^;]*;col=number",),
          (Rule("cla_missing_pct",
                value="clagroup=percentageofchildrenwhohadamissingincidentduringtheyear"
                ";col=number",
                num="clagroup=childrenwhohadamissingincidentduringtheyear;col=number",
                den="clagroup=childrenlookedafterduringtheyear;col=number"),)),
    Table("cl_in_touch", "Care leavers: whether the authority is in touch", CLA, MARCH,
          (r"age=[^;]*;intouch=[^;]*;col=number",),
          (r"age=[^;]*;intouch=[^;]*;col=(number|percentage)",),
          (Rule("cl_in_touch_pct", num=CL_AGES + ";intouch=localauthorityintouch[a-z]*"
                ";col=number", den=CL_AGES + ";intouch=total;col=number", scale=100,
                expect=2, how="aged 17-18 and 19-21 added (the project's care leavers are "
                "aged 17-21)"),
           *(Rule("cl_in_touch_pct", value=f"{age};intouch=localauthorityintouch[a-z]*"
                  ";col=percentage", num=f"{age};intouch=localauthorityintouch[a-z]*"
                  ";col=number", den=f"{age};intouch=total;col=number",
                  breakdown=label) for age, label in (
               ("age=aged17to18", "Aged 17 to 18"), ("age=aged19to21", "Aged 19 to 21"))))),
    Table("cl_accommodation", "Care leavers: suitability of accommodation", CLA, MARCH,
          (r"age=[^;]*;accommodationsuitability=[^;]*;col=number",),
          (r"age=[^;]*;accommodationsuitability=[^;]*;col=(number|percentage)",),
          (Rule("cl_suitable_accommodation_pct", num=CL_AGES + ";accommodationsuitability="
                "accommodationconsideredsuitable;col=number", den=CL_AGES +
                ";accommodationsuitability=suitabilitytotal;col=number", scale=100, expect=2,
                how="aged 17-18 and 19-21 added"),
           *(Rule("cl_suitable_accommodation_pct", value=f"{age};accommodationsuitability="
                  "accommodationconsideredsuitable;col=percentage", num=f"{age};"
                  "accommodationsuitability=accommodationconsideredsuitable;col=number",
                  den=f"{age};accommodationsuitability=suitabilitytotal;col=number",
                  breakdown=label) for age, label in (
               ("age=17to18years", "Aged 17 to 18"), ("age=19to21years", "Aged 19 to 21"))))),
    Table("cl_activity", "Care leavers: main activity", CLA, MARCH,
          (r"age=[^;]*;activity=[^;]*;col=number",),
          (r"age=[^;]*;activity=[^;]*;col=(number|percentage)",),
          tuple(rule for ind, act in (
              ("cl_eet_pct", "totalineducationemploymentortraining"),
              ("cl_neet_pct", "totalnotineducationemploymentortraining"))
              for rule in (
                  Rule(ind, num=f"{CL_AGES};activity={act};col=number",
                       den=f"{CL_AGES};activity=total;col=number", scale=100, expect=2,
                       how="aged 17-18 and 19-21 added"),
                  *(Rule(ind, value=f"{age};activity={act};col=percentage",
                         num=f"{age};activity={act};col=number",
                         den=f"{age};activity=total;col=number", breakdown=label)
                    for age, label in (("age=aged17to18", "Aged 17 to 18"),
                                       ("age=aged19to21", "Aged 19 to 21")))))),
    Table("cla_adoption_timing", "Average time between adoption stages (England only)", CLA,
          MARCH, (r"stageofadoptionprocess=.*;col=number",), (LABEL + r";col=number",)),
    Table("csww", "Social work workforce indicators", CSWW, SEPTEMBER,
          (r"col=(inpost|socialworker)fte",),
          (r"col=(inpost|socialworker|starters?|leavers?|agency|agencycover|vacancy)"
           r"(fte|headcount)",
           r"col=(turnover|agency(worker)?|agencycover|vacancy|vacancyagencycover)rate"
           r"(fte|headcount)(percent)?",
           r"col=caseholdersfte", r"col=cases", r"col=caseloadfte", r"col=workingdayslostfte",
           r"col=absenceratefte(percent)?"),
          (Rule("sw_fte_in_post", value="col=(inpost|socialworker)fte"),
           Rule("sw_vacancy_rate_pct", value="col=vacancyratefte(percent)?",
                num="col=vacancyfte", den=("col=vacancyfte", "col=(inpost|socialworker)fte")),
           Rule("sw_agency_rate_pct", value="col=agency(worker)?ratefte(percent)?",
                num="col=agencyfte", den=("col=agencyfte", "col=(inpost|socialworker)fte")),
           Rule("sw_turnover_rate_pct", value="col=turnoverratefte(percent)?",
                num="col=leavers?fte", den="col=(inpost|socialworker)fte"),
           Rule("sw_average_caseload", value="col=caseloadfte", num="col=cases",
                den="col=caseholdersfte"),
           Rule("sw_sickness_days_per_fte", num="col=workingdayslostfte",
                den="col=(inpost|socialworker)fte", scale=1,
                how="FTE working days lost ÷ FTE in post"))),
    Table("population_0_17", "Population estimates of children aged 0 to 17", POP, JUNE,
          (r"agegroup=[^;]*;col=populationestimate",),
          (r"agegroup=[^;]*;col=populationestimate",)),
)  # fmt: skip

# DfE's care-leaver figures for 17-18 and 19-21 year olds are kept as breakdowns of the all-ages
# indicator and are also the headline comparators of the project's indicators for each age group
AGE_GROUP_IDS = {"Aged 17 to 18": "17_18", "Aged 19 to 21": "19_21"}
AGE_SPLIT = {"cl_in_touch_pct", "cl_suitable_accommodation_pct", "cl_eet_pct"}


def _with_age_headlines(table: Table) -> Table:
    extra = tuple(
        replace(r, breakdown="",
                indicator_id=r.indicator_id.replace("_pct", f"_{AGE_GROUP_IDS[r.breakdown]}_pct"))
        for r in table.rules if r.indicator_id in AGE_SPLIT and r.breakdown in AGE_GROUP_IDS
    )  # fmt: skip
    return replace(table, rules=table.rules + extra) if extra else table


TABLES = tuple(_with_age_headlines(t) for t in TABLES)

# LAIT measures (``Short Desc``) that are the project's indicators. LAIT re-publishes EES values
# (and a few special requests), so an EES table of the same year wins over these (priority).
LAIT_RULES: dict[str, tuple[str, str, str]] = {
    # short desc key: (indicator id, period, breakdown)
    "cin": ("cin_rate_per_10k", MARCH, ""),
    "rereferral": ("re_referral_pct", MARCH, ""),
    "cpptotalrateper10000": ("referral_rate_per_10k", MARCH, ""),
    "continueassesscomp": ("assessments_within_45wd_pct", MARCH, ""),
    "section47": ("s47_rate_per_10k", MARCH, ""),
    "cpconf15days": ("icpc_within_15wd_pct", MARCH, ""),
    "cpprate": ("cpp_rate_per_10k", MARCH, ""),
    "cppnum": ("cpp_count", MARCH, ""),
    "cpplans2yrs": ("cpp_ended_2yrs_plus_pct", MARCH, ""),
    "lac": ("cla_rate_per_10k", MARCH, ""),
    "lacnum": ("cla_count", MARCH, ""),
    "lacnumstart": ("cla_starts", MARCH, ""),
    "lacceased": ("cla_ceased", MARCH, ""),
    "lacstable2016on": ("cla_3plus_placements_pct", MARCH, ""),
    "laclongstable": ("cla_long_term_stability_pct", MARCH, ""),
    "lachealth": ("cla_health_assessment_in_date_pct", MARCH, ""),
    "lacdental": ("cla_dental_check_in_date_pct", MARCH, ""),
    "emotionallac": ("cla_sdq_mean_score", MARCH, ""),
    "childrenmissing": ("cla_missing_pct", MARCH, ""),
    # LAIT counts only placements over 20 miles *and* outside the authority: not the project's
    # measure (any placement over 20 miles), so a breakdown beside it, not its comparator
    "lacdistance": ("cla_placed_over_20_miles_pct", MARCH, "Outside the authority only"),
    # LAIT's care-leaver measures are for those aged 19 to 21 (its data dictionary)
    "careleaveracc": ("cl_suitable_accommodation_pct", MARCH, "Aged 19 to 21"),
    "careleavereet": ("cl_eet_pct", MARCH, "Aged 19 to 21"),
    "workforcevacrate": ("sw_vacancy_rate_pct", SEPTEMBER, ""),
    "workforceagecyrate": ("sw_agency_rate_pct", SEPTEMBER, ""),
    "workforcetorate": ("sw_turnover_rate_pct", SEPTEMBER, ""),
    "workforceavgnumcasesw": ("sw_average_caseload", SEPTEMBER, ""),
}
# LAIT data dictionary ``Year_Type`` -> the period a year's figure ends (for measures not above)
LAIT_YEAR_TYPES = {"financialyear": MARCH, "annual": MARCH, "annualendofsept": SEPTEMBER}

# DfE region codes (EES files and LAIT's region names)
REGIONS = {
    "northeast": "E12000001", "northwest": "E12000002", "yorkshireandthehumber": "E12000003",
    "eastmidlands": "E12000004", "westmidlands": "E12000005", "eastofengland": "E12000006",
    "london": "E12000007", "southeast": "E12000008", "southwest": "E12000009",
    "londoninner": "E13000001", "innerlondon": "E13000001", "londonouter": "E13000002",
    "outerlondon": "E13000002",
}  # fmt: skip
ENGLAND = "E92000001"
