"""Data-quality problems: every rejected row or value is counted and described here."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import pandas as pd

FATAL = "fatal"
WARNING = "warning"

PROBLEM_COLUMNS = ["severity", "kind", "file", "sheet", "row", "column", "value", "expected"]


@dataclass(frozen=True)
class Problem:
    """One problem: where it is (file, sheet, row, column), what was found and what was expected."""

    severity: str
    kind: str
    file: str
    sheet: str = ""
    row: int | None = None
    column: str = ""
    value: str = ""
    expected: str = ""

    def line(self) -> str:
        where = self.file + (f" [{self.sheet}]" if self.sheet else "")
        where += f" row {self.row}" if self.row is not None else ""
        where += f" column {self.column!r}" if self.column else ""
        found = f": found {self.value!r}" if self.value != "" else ""
        return f"{self.severity.upper()} {self.kind} in {where}{found}; expected {self.expected}"


@dataclass
class FileSummary:
    """What a loader did with one file or sheet."""

    file: str
    sheet: str
    table: str
    rows_read: int
    rows_rejected: int = 0
    sha256: str = ""


@dataclass
class FileUse:
    """How one file in the data folder was used: every file is accounted for, read or not.

    ``status`` is :data:`READ` or :data:`NOT_USED`; ``taken_as`` says what a read file was taken
    as (e.g. "Annex A List 3 (Referral)", "SSDA903 episodes, 2023-24") and ``how`` how it was
    recognised, or, for a file not used, why not."""

    file: str
    status: str
    taken_as: str = ""
    how: str = ""


READ = "read"
NOT_USED = "not used"


@dataclass
class ProblemLog:
    """Collects problems, per-file row counts and the use of every file while a dataset loads."""

    problems: list[Problem] = field(default_factory=list)
    files: list[FileSummary] = field(default_factory=list)
    inventory: list[FileUse] = field(default_factory=list)

    def used(self, file: str, taken_as: str, how: str = "") -> None:
        """Record that ``file`` was read as ``taken_as`` (recognised by ``how``)."""
        self.inventory.append(FileUse(str(file), READ, taken_as, how))

    def not_used(self, file: str, why: str) -> None:
        """Record that ``file`` was not read, and why."""
        self.inventory.append(FileUse(str(file), NOT_USED, "", why))

    def inventory_frame(self) -> pd.DataFrame:
        """Every file accounted for: ``file, status, taken_as, how``."""
        return pd.DataFrame([asdict(u) for u in self.inventory],
                            columns=["file", "status", "taken_as", "how"])  # fmt: skip

    def add(self, severity: str, kind: str, file: str, **where: object) -> None:
        clean = {k: ("" if v is None and k != "row" else v) for k, v in where.items()}
        if "value" in clean:
            clean["value"] = _short(clean["value"])
        self.problems.append(Problem(severity, kind, file, **clean))  # type: ignore[arg-type]

    def add_many(self, frame: pd.DataFrame) -> None:
        """Add problems from a frame with the :data:`PROBLEM_COLUMNS` (vectorised callers)."""
        for rec in frame.to_dict("records"):
            row = rec.get("row")
            rec["row"] = None if row is None or pd.isna(row) else int(row)
            rec["value"] = _short(rec.get("value", ""))
            self.problems.append(Problem(**{k: rec.get(k, "") for k in PROBLEM_COLUMNS}))

    @property
    def fatal(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == FATAL]

    def frame(self) -> pd.DataFrame:
        if not self.problems:
            return pd.DataFrame(columns=PROBLEM_COLUMNS)
        return pd.DataFrame([asdict(p) for p in self.problems], columns=PROBLEM_COLUMNS)

    def files_frame(self) -> pd.DataFrame:
        return pd.DataFrame([asdict(f) for f in self.files])


def _short(value: object, limit: int = 80) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
