"""Ofsted ILACS Annex A lists 1-11: canonical column keys, template headings, kinds and codes.

The headings are those of Ofsted's August 2019 template; ``aliases`` hold the variants seen in
later templates and in the sector's other tools: Social Finance's liia-tools schema and the
Standard Safeguarding Dataset's Annex A output (D2I ``ssd-data-model``,
``tools-ssd_dfe_returns/AnnexA_sqlserver_v1.2.0_1_20240731.sql``: ``ReferralDate``,
``HasDisability``, ...). Matching is tolerant anyway (case, spacing, apostrophe style and
punctuation are ignored, so ``CINStartDate`` is ``CIN Start Date``), so aliases are only needed
for real wording changes. ``required`` columns missing from a list are fatal; optional ones are
reported.

Plausibility is part of the specification: ``low``/``high`` bound a number, every date other
than a date of birth is an event that cannot precede 1990 or follow the extract date (unless
``future_ok``), and an event cannot precede the child's birth by more than the list's
``prebirth_days`` (work with unborn children is recorded on lists 1 to 7).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import codes as C


@dataclass(frozen=True)
class Column:
    key: str
    heading: str
    kind: str  # id | text | date | int | code | number
    codes: dict[str, list[str]] | None = None
    aliases: tuple[str, ...] = ()
    required: bool = True
    low: float | None = None  # a number below is out of range (reported, left out)
    high: float | None = None  # a number above is implausible (reported, left out)
    future_ok: bool = False  # a date after the extract date is expected (e.g. a planned date)


@dataclass(frozen=True)
class ListSpec:
    number: int
    key: str
    title: str
    columns: tuple[Column, ...]
    # (start key, end key, action): "reject" drops the row from the list, "report" only reports it
    intervals: tuple[tuple[str, str, str], ...] = ()
    required_values: tuple[str, ...] = ("child_id",)
    extra: dict[str, str] = field(default_factory=dict)
    # how far an event may precede the child's date of birth (work with unborn children)
    prebirth_days: int = 0
    # a closed table (our own local tables) refuses columns it does not know; Annex A lists,
    # which councils often extend, report them as not read
    closed: bool = False
    # columns that identify a row: two rows with the same key and different values are fatal
    unique: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """How messages name the table: "List 3 (Referral)" or "SSDA903 episodes"."""
        return f"List {self.number} ({self.title})" if self.number else self.title

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


def _common(disability: bool = False) -> tuple[Column, ...]:
    cols = [
        Column("child_id", "Child Unique ID", "id"),
        Column("gender", "Gender", "code", C.GENDER),
        Column("ethnicity", "Ethnicity", "code", C.ETHNICITY),
        Column("dob", "Date of Birth", "date"),
        Column(
            "age",
            "Age of Child (Years)",
            "number",
            aliases=("Age",),
            required=False,
            low=-1,
            high=30,
        ),
    ]
    if disability:
        cols.append(
            Column(
                "disability", "Does the Child have a Disability", "code", C.YES_NO_UNKNOWN,
                aliases=("HasDisability",), required=False,
            )
        )  # fmt: skip
    return tuple(cols)


ALLOCATION = (
    Column("team", "Allocated Team", "text", required=False),
    Column("worker", "Allocated Worker", "text", required=False),
)

# Work with unborn children (contacts, referrals, assessments, plans) may precede birth.
UNBORN_DAYS = 280

ANNEX_A: tuple[ListSpec, ...] = (
    ListSpec(1, "contacts", "Contacts", _common() + (
        Column("contact_date", "Date of Contact", "date"),
        Column("source", "Contact Source", "code", C.SOURCE, required=False),
    ), required_values=("child_id", "contact_date"), prebirth_days=UNBORN_DAYS),
    ListSpec(2, "early_help", "Early Help", _common() + (
        Column("eh_start", "Assessment start date", "date"),
        Column("eh_end", "Assessment completion date", "date"),
        Column("eh_org", "Organisation completing assessment", "text", required=False),
    ), intervals=(("eh_start", "eh_end", "report"),), prebirth_days=UNBORN_DAYS),
    ListSpec(3, "referrals", "Referral", _common() + (
        Column("referral_date", "Date of referral", "date", aliases=("ReferralDate",)),
        Column("source", "Referral Source", "code", C.SOURCE, required=False),
        Column("referral_nfa", "Referral NFA?", "code", C.YES_NO),
        Column("n_referrals_12m", "Number of Referrals in Last 12 Months", "int",
               aliases=("ReferralsLast12Months",), high=100),
    ) + ALLOCATION, required_values=("child_id", "referral_date"), prebirth_days=UNBORN_DAYS),
    ListSpec(4, "assessments", "Assessments", _common(True) + (
        Column("asmt_start", "Continuous Assessment Start Date", "date",
               aliases=("ContinuousAssessmentStart",)),
        Column("asmt_seen", "Child Seen During Continuous Assessment", "code",
               C.YES_NO_UNKNOWN, aliases=("ContinuousAssessmentChildSeen",), required=False),
        Column("asmt_auth", "Continuous Assessment Date of Authorisation", "date",
               aliases=("ContinuousAssessmentAuthDate",)),
        Column("asmt_needs_support",
               "Was the child assessed as requiring LA children's social care support", "code",
               C.YES_NO_UNKNOWN, aliases=(
                   "CSCSupportRequired",
                   "Was the child assessed as being in need at assessment?")),
    ) + ALLOCATION, intervals=(("asmt_start", "asmt_auth", "report"),),
        required_values=("child_id", "asmt_start"), prebirth_days=UNBORN_DAYS),
    ListSpec(5, "s47", "Section 47 enquiries and Initial Child Protection Conferences",
             _common(True) + (
        Column("strategy_date", "Strategy discussion initiating Section 47 Enquiry Start Date",
               "date", aliases=("StratDiscussionDate",)),
        Column("icpc_unnecessary",
               "Was an Initial Child Protection Conference deemed unnecessary?", "code",
               C.YES_NO, aliases=("InitialCPConfUnnecessary",), required=False),
        Column("icpc_date", "Date of Initial Child Protection Conference", "date",
               aliases=("InitialCPConfDate",)),
        Column("icpc_to_cpp",
               "Did the Initial Child Protection Conference Result in a Child Protection Plan",
               "code", C.YES_NO, aliases=("CPConfResultInCPPlan",)),
        Column("n_s47_12m", "Number of Section 47 Enquiries in the last 12 months", "int",
               aliases=("NumberS47s12m",), required=False, high=50),
        Column("n_icpc_12m", "Number of ICPCs in the last 12 months", "int",
               aliases=("NumberICPCs12m",), required=False, high=50),
    ) + ALLOCATION, intervals=(("strategy_date", "icpc_date", "report"),),
        required_values=("child_id", "strategy_date"), prebirth_days=UNBORN_DAYS),
    ListSpec(6, "cin", "Children in Need", _common(True) + (
        Column("cin_start", "CIN Start Date", "date"),
        Column("primary_need", "Primary Need Code", "code", C.PRIMARY_NEED, required=False),
        Column("last_seen", "Date Child Was Last Seen", "date", aliases=("DateChildLastSeen",),
               required=False),
        Column("cin_end", "CIN Closure Date", "date"),
        Column("cin_closure_reason", "Reason for Closure", "code", C.CIN_CLOSURE, required=False),
        Column("case_status", "Case status", "code", C.CASE_STATUS, required=False),
    ) + ALLOCATION, intervals=(("cin_start", "cin_end", "reject"),),
        required_values=("child_id", "cin_start"), prebirth_days=UNBORN_DAYS),
    ListSpec(7, "cp", "Child protection", _common(True) + (
        Column("cpp_start", "Child Protection Plan Start Date", "date"),
        Column("abuse_initial", "Initial Category of Abuse", "code", C.ABUSE, required=False),
        Column("abuse_latest", "Latest Category of Abuse", "code", C.ABUSE, required=False),
        Column("last_visit", "Date of the Last Statutory Visit", "date",
               aliases=("DateOfLastStatutoryVisit",), required=False),
        Column("seen_alone", "Was the Child Seen Alone?", "code", C.YES_NO_UNKNOWN,
               aliases=("ChildSeenAlone",), required=False),
        Column("last_review", "Date of latest review conference", "date",
               aliases=("DateOfLatestReviewConf",), required=False),
        Column("cpp_end", "Child Protection Plan End Date", "date"),
        Column("epo", "Subject to Emergency Protection Order or Protected Under Police Powers in "
               "Last Six Months (Y/N)", "code", C.YES_NO, aliases=("ProtectionLastSixMonths",),
               required=False),
        Column("n_previous_cpp", "Number of Previous Child Protection Plans", "int", high=50),
    ) + ALLOCATION, intervals=(("cpp_start", "cpp_end", "reject"),),
        required_values=("child_id", "cpp_start"), prebirth_days=UNBORN_DAYS),
    ListSpec(8, "cla", "Children in care", _common()[:5] + (
        Column("uasc", "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)",
               "code", C.YES_NO, aliases=("UASC",), required=False),
        Column("disability", "Does the Child have a Disability", "code", C.YES_NO_UNKNOWN,
               aliases=("HasDisability",), required=False),
        Column("cla_start", "Date Started to be Looked After", "date",
               aliases=("LoookedAfterStartDate", "LookedAfterStartDate")),
        Column("category_of_need", "Child's Category of Need", "code", C.PRIMARY_NEED,
               aliases=("ChildCategoryOfNeed",), required=False),
        Column("second_period_12m", "Is this a second or subsequent period of being a Looked "
               "After Child within the last 12 months (Y/N)", "code", C.YES_NO,
               aliases=("SubsequentLACEpisodeLast12Months",
                        "Is this a second or subsequent episode of being a Looked After Child "
                        "within the last 12 months (Y/N)"), required=False),
        Column("legal_status_start", "Start date of current legal status", "date",
               aliases=("MostRecentLegalStatusStart",), required=False),
        Column("legal_status", "Child's Legal Status", "code", C.LEGAL_STATUS,
               aliases=("LegalStatus",)),
        Column("last_review", "Date of Latest Statutory Review", "date",
               aliases=("LatestStatutoryReviewDate",), required=False),
        Column("last_visit", "Date of Last Social Work Visit", "date",
               aliases=("LastSocialWorkVisitDate",), required=False),
        Column("permanence_plan", "What is the permanence plan for this child?", "code",
               C.PERMANENCE, aliases=("PermanencePlan",), required=False),
        Column("last_iro_contact", "Date of Last IRO Visit / Contact to the Child", "date",
               aliases=("LastIROVisitDate",), required=False),
        Column("last_health_assessment", "Date of Last Health Assessment", "date",
               aliases=("LastHealthAssessmentDate",), required=False),
        Column("last_dental_check", "Date of Last Dental Check", "date",
               aliases=("LastDentalCheckDate",), required=False),
        Column("n_placements_12m", "Number of Placements in the Last 12 months", "int",
               aliases=("PlacementsLast12Months",), high=100),
        Column("cla_end", "Date Ceased to be Looked After", "date",
               aliases=("CeasedLookedAfterDate",)),
        Column("reason_ceased", "Reason Ceased to be Looked After", "code", C.REASON_CEASED,
               aliases=("ReasonCeasedLookedAfter",), required=False),
        Column("placement_start", "Start Date of Most Recent Placement", "date",
               aliases=("MostRecentPlacementStartDate",), required=False),
        Column("placement_type", "Placement Type", "code", C.PLACEMENT_TYPE, required=False),
        Column("placement_provider", "Placement Provider", "code", C.PROVIDER, required=False),
        Column("placement_postcode", "Placement postcode", "text", required=False),
        Column("placement_urn", "URN of Placement", "text", aliases=("PlacementURN",),
               required=False),
        Column("placement_location", "Placement Location", "code", C.LOCATION, required=False),
        Column("placement_la", "LA of Placement", "text", required=False),
        Column("n_missing_12m", "Number of Episodes the Child has been 'Missing' from their "
               "Placement in the last 12 months", "int",
               aliases=("EpisodesChildMissingFromPlacement",), required=False, high=366),
        Column("n_absent_12m", "Number of Episodes the Child has been 'Absent' from their "
               "Placement in the last 12 months", "int",
               aliases=("EpisodesChildAbsentFromPlacement",), required=False, high=366),
        Column("rhi_offered", "Was the child offered a Return Interview after their last missing "
               "episode (Y/N)?", "code", C.YES_NO_UNKNOWN,
               aliases=("ChildOfferedReturnInterviewAfterLastMFH",), required=False),
        Column("rhi_accepted", "Did the child accept a Return Interview after their last missing "
               "episode (Y/N)?", "code", C.YES_NO_UNKNOWN,
               aliases=("ChildAcceptedReturnInterviewAfterLastMFH",), required=False),
    ) + ALLOCATION, intervals=(("cla_start", "cla_end", "reject"),),
        required_values=("child_id", "cla_start")),
    ListSpec(9, "care_leavers", "Care leavers", _common(True) + (
        Column("uasc", "Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or over "
               "(Y/N)", "code", C.YES_NO, aliases=("UASC",), required=False),
        Column("team", "Allocated Team", "text", required=False),
        Column("worker", "Allocated Worker", "text", required=False),
        Column("pa", "Allocated Personal Advisor", "text", required=False),
        Column("eligibility", "Eligibility Category", "code", C.ELIGIBILITY, required=False),
        Column("pathway_review", "Latest Pathway Plan Review Date", "date",
               aliases=("LatestPathwayPlan",), required=False),
        Column("in_touch", "LA in Touch", "code", C.IN_TOUCH),
        Column("latest_contact", "Latest Date of Contact", "date", aliases=("LatestContact",),
               required=False),
        Column("accommodation", "Type of Accommodation", "code", C.ACCOMMODATION),
        Column("suitability", "Suitability of Accommodation", "code", C.SUITABILITY),
        Column("activity", "Activity Status", "code", C.ACTIVITY),
    )),
    ListSpec(10, "adoption", "Adoption", (
        Column("child_id", "Child Unique ID", "id"),
        Column("family_id", "Family identifier", "text", aliases=("FamilyID",), required=False),
    ) + _common(True)[1:] + (
        Column("entered_care", "Date the Child Entered Care", "date",
               aliases=("EnteredCareDate",)),
        Column("adm_decision", "Date of Decision that Child Should be Placed for Adoption", "date",
               aliases=("ADMSHOBPADecisionDate",)),
        Column("placement_order", "Date of Placement Order", "date",
               aliases=("PlacementOrderDate",)),
        Column("matched", "Date of Matching Child and Prospective Adopters", "date",
               aliases=("MatchedForAdoptionDate",)),
        Column("placed", "Date Placed for Adoption", "date", aliases=("PlacedForAdoptionDate",)),
        Column("adoption_order", "Date of Adoption Order", "date",
               aliases=("AdoptionOrderDate",)),
        Column("no_longer_adopt", "Date of Decision that Child Should No Longer be Placed for "
               "Adoption", "date", aliases=("DecisionReversedDate",), required=False),
        Column("no_longer_reason", "Reason Why Child No Longer Placed for Adoption", "code",
               C.NO_LONGER_ADOPT, aliases=("DecisionReversedReason",), required=False),
        Column("ffa_placed", "Date the child was placed for fostering in FFA or concurrent "
               "planning placement", "date",
               aliases=("DateFFAConsurrencyPlacement", "DateFFAConcurrencyPlacement"),
               required=False),
    ), intervals=(("entered_care", "placed", "report"),)),
    ListSpec(11, "adopters", "Adopters", (
        Column("adopter_id", "Individual adopter identifier", "id"),
        Column("family_id", "Family identifier", "text", required=False),
        Column("gender", "Gender", "code", C.GENDER, required=False),
        Column("ethnicity", "Ethnicity", "code", C.ETHNICITY, required=False),
        Column("disability", "Disability", "code", C.YES_NO_UNKNOWN, required=False),
        Column("ffa", "Is the (prospective) adopter fostering for adoption?", "code", C.YES_NO,
               required=False),
        Column("enquiry", "Date enquiry received", "date"),
        Column("stage1_start", "Date Stage 1 started", "date", required=False),
        Column("stage1_end", "Date Stage 1 ended", "date", required=False),
        Column("stage2_start", "Date Stage 2 started", "date", required=False),
        Column("stage2_end", "Date Stage 2 ended", "date", required=False),
        Column("application", "Date application submitted", "date", required=False),
        Column("approved", "Date application approved", "date", required=False),
        Column("matched", "Date adopter matched with child(ren)", "date", required=False),
        Column("placed", "Date child/children placed with adopter(s)", "date", required=False),
        Column("n_children_placed", "No. of children placed", "int", required=False, high=10),
        Column("adoption_order", "Date of Adoption Order", "date", required=False),
        Column("left_process", "Date of leaving adoption process", "date", required=False),
        Column("left_reason", "Reason for leaving adoption process", "text", required=False),
    ), required_values=("adopter_id",)),
)  # fmt: skip

LISTS_BY_NUMBER = {spec.number: spec for spec in ANNEX_A}
LISTS_BY_KEY = {spec.key: spec for spec in ANNEX_A}
