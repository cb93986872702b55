"""Code lists, kept as data: canonical code -> accepted spellings.

Raw values are matched after removing Ofsted's "a) " list prefix, case-insensitively, first on
the whole value, then on the leading code token ("U6: Foster placement" -> "U6",
"N1 - Abuse or neglect" -> "N1"). Anything else is an *unknown code* problem.
"""

from __future__ import annotations

YES_NO = {"Yes": ["yes", "y", "true", "1"], "No": ["no", "n", "false", "0"]}
YES_NO_UNKNOWN = {**YES_NO, "Unknown": ["unknown", "u", "not known"]}
GENDER = {
    "Male": ["male", "m", "1"],
    "Female": ["female", "f", "2"],
    "Not stated": [
        "not stated/recorded (or unborn)",
        "not stated/recorded",
        "not stated",
        "0",
        "9",
    ],
    "Neither": ["neither"],
}
ETHNICITY_GROUPS = {
    "White": ["WBRI", "WIRI", "WIRT", "WOTH", "WROM"],
    "Mixed": ["MWBC", "MWBA", "MWAS", "MOTH"],
    "Asian": ["AIND", "APKN", "ABAN", "AOTH", "CHNE"],
    "Black": ["BCRB", "BAFR", "BOTH"],
    "Other": ["OOTH"],
    "Not known": ["REFU", "NOBT", "UNKNOWN"],
}
ETHNICITY = {c: [] for group in ETHNICITY_GROUPS.values() for c in group}
SOURCE = {
    c: []
    for c in [
        "1A", "1B", "1C", "1D", "2A", "2B", "3A", "3B", "3C", "3D", "3E", "3F",
        "4", "5A", "5B", "5C", "5D", "6", "7", "8", "9", "10",
    ]
}  # fmt: skip
PRIMARY_NEED = {f"N{i}": [] for i in range(10)}
CIN_CLOSURE = {f"RC{i}": [] for i in range(1, 10)}
CASE_STATUS = {
    "Looked after child": [],
    "Child Protection plan": ["child protection plan"],
    "Child in need plan": [],
    "Open assessment": [],
    "Closed episode": [],
}
ABUSE = {
    "Neglect": [],
    "Physical abuse": ["physical"],
    "Sexual abuse": ["sexual"],
    "Emotional abuse": ["emotional"],
    "Multiple": ["multiple/not recommended", "multiple/ not recommended", "mixed"],
}
LEGAL_STATUS = {
    c: [] for c in ["C1", "C2", "D1", "E1", "V2", "V3", "V4", "L1", "L2", "L3", "J1", "J2", "J3"]
}
PERMANENCE = {
    "Return to family": [],
    "Adoption": [],
    "SGO/CAO": ["sgo", "cao", "sgo / cao"],
    "Supported living in the community": [],
    "Long-term residential placement": ["long term residential placement"],
    "Long-term fostering": ["long term fostering"],
    "Other": [],
}
REASON_CEASED = {
    c: []
    for c in (
        [
            "E11",
            "E12",
            "E2",
            "E3",
            "E4A",
            "E4B",
            "E13",
            "E41",
            "E45",
            "E46",
            "E47",
            "E48",
            "E5",
            "E6",
            "E7",
            "E9",
            "E14",
            "E15",
            "E16",
            "E17",
            "E8",
            "X1",
        ]
    )
}
PLACEMENT_TYPE = {
    c: []
    for c in [
        "U1",
        "U2",
        "U3",
        "U4",
        "U5",
        "U6",
        "A3",
        "A4",
        "A5",
        "A6",
        "P1",
        "P2",
        "P3",
        "H5",
        "K1",
        "K2",
        "K3",
        "R1",
        "R2",
        "R3",
        "R5",
        "S1",
        "Z1",
        "Z11",
        "Z12",
        "Z13",
        "Z14",
        "T0",
        "T1",
        "T2",
        "T3",
        "T4",
    ]
}
PROVIDER = {f"PR{i}": [] for i in range(6)}
LOCATION = {"In": ["in", "inside"], "Out": ["out", "outside"]}
ELIGIBILITY = {
    "Relevant child": [],
    "Former relevant child": [],
    "Qualifying care leaver": [],
    "Eligible child": [],
}
IN_TOUCH = {c: [c.lower()] for c in ["YES", "NO", "DIED", "REFU", "NREQ", "RHOM"]}
IN_TOUCH["YES"] += ["y"]
IN_TOUCH["NO"] += ["n"]
ACCOMMODATION = {
    c: [] for c in ["B", "C", "D", "E", "G", "H", "K", "R", "S", "T", "U", "V", "W", "X", "Y", "Z"]
}
SUITABILITY = {"Suitable": [], "Unsuitable": []}
ACTIVITY = {
    c: [] for c in ["F1", "P1", "F2", "P2", "F3", "P3", "F4", "P4", "F5", "P5", "G4", "G5", "G6"]
}
NO_LONGER_ADOPT = {f"RD{i}": [] for i in range(1, 5)}

# Placement codes that changed between SSDA903 collection years (kept as data, not if-statements).
_COMMON_PLACEMENTS = set(
    "A3 A4 A5 A6 K1 K2 P1 P3 R1 R2 R3 R5 S1 T0 T1 T2 T3 T4 U1 U2 U3 U4 U5 U6".split()
)
PLACEMENT_CODES_BY_YEAR = {
    "2024-25": _COMMON_PLACEMENTS | {"H5", "P2", "Z1"},
    "2025-26": _COMMON_PLACEMENTS | {"K3", "Z11", "Z12", "Z13", "Z14"},
}
EET_ACTIVITY = {"F1", "P1", "F2", "P2", "F3", "P3", "F4", "P4", "F5", "P5"}
NEET_ACTIVITY = {"G4", "G5", "G6"}
