"""Small-number suppression for anything published outside the council (DfE/GSS practice),
decided over everything a run publishes together.

Primary: a count of 1 to 5, and any percentage, rate or average whose numerator or denominator
is 1 to 5, is replaced by ``[c]``. Zeros stay zeros.

Secondary (complementary) suppression, over the whole run: every count the run publishes is a
*variable* (a month's referrals, the year to a quarter end's referrals, the referrals aged 1 to
4, ...) and the run's numbers are tied together by *relations* that a reader can subtract
along: the months of a rolling year add up to it, the groups of a breakdown add up to their
total, grades add up to "good or better", a snapshot is the same number monthly and quarterly,
one indicator's denominator is another's count. A relation is only taken where the run's own
numbers satisfy it exactly, so an attacker's subtraction and this model agree. Each published
cell is a *position* revealing some variables (a percentage shown without its parts reveals its
numerator once its denominator is known). A suppressed count must not be derivable, by any
linear combination of what is shown and the relations, from the cells shown: positions are
hidden, cheapest first (single months and breakdown groups before quarter-end totals, the
smallest first), until none is (:func:`protect`). :func:`audit` checks the same on the files a
run wrote.

What the model does not protect: a sum of several months that no published cell holds (for
example a quarter of the year before the monthly charts begin, which any rolling 12-month
series reveals by subtracting one quarter end from the next).

Modes: ``published`` (suppression on every exported table and chart; the default) and
``internal`` (no suppression; every page, table and chart file says so).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

MARKER = "[c]"
MODES = {"published", "internal"}
NOTE = (
    "[c] = suppressed: a count of 1 to 5, or a figure calculated from one, is not shown so "
    "that no child can be identified; other figures are suppressed where they would let "
    "a reader work one out by subtraction."
)
INTERNAL = "internal: small numbers not suppressed"
INTERNAL_COLUMN = "Disclosure"  # the column every internal CSV carries, saying INTERNAL
COUNTED_UNITS = {"count", "pct", "rate_per_10k", "days", "score"}
TOLERANCE = 1e-9


def small(values: object) -> np.ndarray:
    """True where a value is a count from 1 to 5."""
    v = np.asarray(pd.to_numeric(pd.Series(values), errors="coerce"), dtype=float)
    return (v >= 1) & (v <= 5)


def suppressed_rows(frame: pd.DataFrame) -> pd.Series:
    """Rows of a :func:`compute_indicators` frame to suppress (numerator or denominator 1-5;
    for counts, the value itself; never for FTE and ratios of workforce figures). Primary
    suppression only: see :func:`protect` for what else a run hides."""
    counted = frame["unit"].isin(COUNTED_UNITS)
    rate = frame["unit"] == "rate_per_10k"
    num = small(frame["numerator"])
    den = small(frame["denominator"]) & ~rate.to_numpy()  # a population is never small
    val = small(frame["value"]) & (frame["unit"] == "count").to_numpy()
    return pd.Series((num | den | val) & counted.to_numpy(), index=frame.index)


def suppress_parts(parts: pd.Series) -> pd.Series:
    """Primary and secondary suppression of parts that add up to a shown total, on their own
    (a run decides this with :func:`protect`, over everything it publishes).

    Returns a boolean mask of the parts to suppress."""
    mask = pd.Series(small(parts), index=parts.index)
    if mask.sum() == 1:
        candidates = parts.loc[~mask & (parts > 0)]
        if len(candidates):
            mask.loc[candidates.idxmin()] = True
    return mask


# ------------------------------------------------------------------------------ the model
@dataclass
class Model:
    """What a run publishes, as linear algebra.

    ``values``: each variable's true value. ``sensitive``: variables that must never be
    derivable (counts of 1 to 5). ``relations``: each ``{variable: coefficient}`` sums to 0.
    ``positions``: each published position and the variables it reveals. ``ratios``: positions
    that show a percentage without its parts, as (numerator, denominator): shown, they reveal
    either part once the other is known. ``primary``: positions hidden for holding a small
    number. ``cost``: the order in which further positions are hidden (lowest first)."""

    values: dict[str, float] = field(default_factory=dict)
    sensitive: set[str] = field(default_factory=set)
    relations: list[dict[str, float]] = field(default_factory=list)
    positions: dict[str, list[str]] = field(default_factory=dict)
    ratios: dict[str, tuple[str, str]] = field(default_factory=dict)
    primary: set[str] = field(default_factory=set)
    cost: dict[str, float] = field(default_factory=dict)

    def variable(self, name: str, value: float, sensitive: bool) -> str:
        self.values[name] = float(value)
        if sensitive:
            self.sensitive.add(name)
        return name

    def position(
        self,
        name: str,
        reveals: Iterable[str],
        cost: float,
        primary: bool = False,
        ratio: tuple[str, str] | None = None,
    ) -> str:
        self.positions[name] = list(reveals)
        if ratio is not None:
            self.ratios[name] = ratio
        self.cost[name] = cost
        if primary:
            self.primary.add(name)
        return name

    def relate(self, total: str, parts: Iterable[str], coefficients: Iterable[float] = ()) -> bool:
        """``total`` = the sum of ``parts`` (times ``coefficients``), added only if the values
        agree: an attacker can only subtract along a relation that holds."""
        parts = list(parts)
        coef = list(coefficients) or [1.0] * len(parts)
        if not parts or total in parts:
            return False
        got = sum(c * self.values[p] for c, p in zip(coef, parts, strict=True))
        want = self.values[total]
        if not math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-9):
            return False
        row = {total: -1.0}
        for c, p in zip(coef, parts, strict=True):
            row[p] = row.get(p, 0.0) + c
        self.relations.append(row)
        return True

    def to_json(self) -> dict:
        return {
            "values": self.values,
            "sensitive": sorted(self.sensitive),
            "relations": self.relations,
            "positions": self.positions,
            "ratios": {k: list(v) for k, v in self.ratios.items()},
            "primary": sorted(self.primary),
            "cost": self.cost,
        }

    @classmethod
    def from_json(cls, data: dict) -> Model:
        return cls(
            dict(data["values"]),
            set(data["sensitive"]),
            list(data["relations"]),
            {k: list(v) for k, v in data["positions"].items()},
            {k: (v[0], v[1]) for k, v in data["ratios"].items()},
            set(data["primary"]),
            dict(data["cost"]),
        )


def _components(model: Model) -> list[tuple[list[str], list[str]]]:
    """Groups of variables linked by relations or ratios, with the positions touching them
    (each group can be decided on its own)."""
    parent: dict[str, str] = {v: v for v in model.values}

    def find(v: str) -> str:
        while parent[v] != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb

    for row in model.relations:
        names = list(row)
        for other in names[1:]:
            union(names[0], other)
    for num, den in model.ratios.values():
        union(num, den)
    for reveals in model.positions.values():
        for other in reveals[1:]:
            union(reveals[0], other)
    groups: dict[str, list[str]] = {}
    for v in model.values:
        groups.setdefault(find(v), []).append(v)
    where: dict[str, list[str]] = {}
    for pos, reveals in model.positions.items():
        anchor = reveals[0] if reveals else (model.ratios[pos][0] if pos in model.ratios else None)
        if anchor is not None:
            where.setdefault(find(anchor), []).append(pos)
    return [(vars_, where.get(root, [])) for root, vars_ in groups.items()]


def _null_basis(matrix: np.ndarray, n: int) -> np.ndarray:
    """An orthonormal basis (columns) of the null space of ``matrix`` (rows of length n)."""
    if matrix.shape[0] == 0:
        return np.eye(n)
    _, s, vt = np.linalg.svd(matrix, full_matrices=True)
    rank = int((s > max(matrix.shape) * (s.max() if s.size else 0) * 1e-12).sum())
    return vt[rank:].T


class _Component:
    """One group of linked variables: which are derivable from a set of shown positions.

    The relations' null space is computed once (``base``: every assignment of the variables
    that satisfies the relations is ``base @ c``); a variable is derivable from known ones iff
    it is the same in every such assignment that is zero on the known ones."""

    def __init__(self, model: Model, variables: list[str], positions: list[str]) -> None:
        self.model = model
        self.index = {v: i for i, v in enumerate(variables)}
        self.variables = variables
        self.positions = positions
        rows = [row for row in model.relations if next(iter(row)) in self.index]
        relations = np.zeros((len(rows), len(variables)))
        for r, row in enumerate(rows):
            for v, c in row.items():
                relations[r, self.index[v]] = c
        self.relations = relations
        self.base = _null_basis(relations, len(variables))

    def derivable(self, shown: set[str]) -> tuple[np.ndarray, list[tuple[str, str]]]:
        """Mask of derivable variables, and the known rows used (variable, position)."""
        known: list[tuple[str, str]] = []
        for pos in self.positions:
            if pos in shown:
                known += [(v, pos) for v in self.model.positions[pos]]
        while True:
            mask = self._mask([self.index[v] for v, _ in known])
            have = {v for v, _ in known}
            added = False
            for pos in self.positions:  # a percentage and one of its parts give the other
                if pos not in shown or pos not in self.model.ratios:
                    continue
                num, den = self.model.ratios[pos]
                if mask[self.index[den]] and num not in have:
                    known.append((num, pos))
                    have.add(num)
                    added = True
                elif mask[self.index[num]] and den not in have and self.model.values[num] > 0:
                    known.append((den, pos))
                    have.add(den)
                    added = True
            if not added:
                return mask, known

    def _mask(self, known: list[int]) -> np.ndarray:
        n, free = self.base.shape
        if free == 0:
            return np.ones(n, dtype=bool)
        rest = _null_basis(self.base[sorted(set(known))], free) if known else np.eye(free)
        if rest.shape[1] == 0:
            return np.ones(n, dtype=bool)
        return np.abs(self.base @ rest).max(axis=1) < 1e-8

    def needed(self, target: str, known: list[tuple[str, str]]) -> tuple[list[str], list[str]]:
        """For a derivable ``target``: the positions every derivation of it uses (hiding any
        one stops it), and those its least-squares derivation leans on.

        With ``M`` the known rows in the relations' free coordinates (``base``), a derivation
        is a ``w`` with ``M.T @ w = base[target]``: all of them are ``w0 + N @ z`` (``N`` the
        left null space of ``M``). A position's rows can be zeroed in some derivation unless
        ``w0`` on them lies outside what ``N`` can cancel there."""
        rows = [self.index[v] for v, _ in known]
        m = self.base[rows]
        u, s, vt = np.linalg.svd(m, full_matrices=True)
        rank = int((s > max(m.shape) * (s.max() if s.size else 0) * 1e-12).sum())
        goal = self.base[self.index[target]]
        w0 = u[:, :rank] @ ((vt[:rank] @ goal) / s[:rank])
        null = u[:, rank:]
        by_position: dict[str, list[int]] = {}
        for r, (_, pos) in enumerate(known):
            by_position.setdefault(pos, []).append(r)
        needed, lean = [], []
        for pos, idx in by_position.items():
            w = w0[idx]
            if np.abs(w).max() < 1e-9:
                continue
            lean.append(pos)
            part = null[idx]
            if part.size == 0:
                needed.append(pos)
                continue
            z = np.linalg.lstsq(part, w, rcond=None)[0]
            if np.abs(part @ z - w).max() > 1e-7:
                needed.append(pos)
        return sorted(needed, key=self._cost), sorted(lean, key=self._cost)

    def _cost(self, position: str) -> tuple[float, str]:
        return self.model.cost[position], position


def _one_thread():
    """Small dense matrices on one BLAS thread: OpenBLAS's threads on a busy two-core machine
    made each decomposition 30 to 100 times slower (0.1 s against seconds for a run)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(1, user_api="blas")


def leaks(model: Model, hidden: set[str]) -> list[str]:
    """Sensitive variables derivable from the positions not in ``hidden`` (should be none)."""
    with _one_thread():
        return _leaks(model, hidden)


def _leaks(model: Model, hidden: set[str]) -> list[str]:
    found: list[str] = []
    for variables, positions in _components(model):
        if not model.sensitive.intersection(variables):
            continue
        comp = _Component(model, variables, positions)
        mask, _ = comp.derivable(set(positions) - hidden)
        found += [v for v in variables if v in model.sensitive and mask[comp.index[v]]]
    return sorted(found)


def protect(model: Model) -> set[str]:
    """Positions to hide: the primary ones, then, while a sensitive variable is derivable, the
    cheapest position every derivation of it needs (single months and groups before totals,
    the smallest first); failing one, the cheapest its derivation leans on."""
    with _one_thread():
        return _protect(model)


def _protect(model: Model) -> set[str]:
    hidden = set(model.primary)
    for variables, positions in _components(model):
        targets = [v for v in variables if v in model.sensitive]
        if not targets:
            continue
        comp = _Component(model, variables, positions)
        while True:
            shown = set(positions) - hidden
            mask, known = comp.derivable(shown)
            leaking = [v for v in targets if mask[comp.index[v]]]
            if not leaking or not known:
                break
            needed, lean = comp.needed(leaking[0], known)
            pick = (needed or lean or sorted(shown, key=comp._cost))[0]
            hidden.add(pick)
    return hidden


@dataclass(frozen=True)
class Plan:
    """Which positions a run hides. Internal runs hide nothing."""

    hidden: frozenset[str] = frozenset()
    published: bool = True

    def hides(self, position: str) -> bool:
        return position in self.hidden

    def to_json(self) -> dict:
        return {"hidden": sorted(self.hidden), "published": self.published}

    @classmethod
    def from_json(cls, data: dict) -> Plan:
        return cls(frozenset(data["hidden"]), bool(data["published"]))


# ------------------------------------------------------------------ positions of a run
def quarter_position(indicator_id: str, when: pd.Timestamp) -> str:
    """A quarter end's value of an indicator (trend table and chart, summary, findings)."""
    return f"q|{indicator_id}|{when:%Y-%m-%d}"


def month_position(indicator_id: str, when: pd.Timestamp) -> str:
    """One month's value on an indicator's SPC chart."""
    return f"m|{indicator_id}|{when:%Y-%m-%d}"


def comparator_position(indicator_id: str, when: pd.Timestamp) -> str:
    """The authority's value for a published comparator's period (12 months, or at a date)."""
    return f"c|{indicator_id}|{when:%Y-%m-%d}"


def group_position(indicator_id: str, by: str, group: object) -> str:
    """One group of a published breakdown (its number and share of the total)."""
    return f"g|{indicator_id}|{by}|{group}"


def spc_mean_position(indicator_id: str) -> str:
    """The centre line of an SPC chart (the mean of its months: for counts, their total)."""
    return f"s|{indicator_id}"


# ------------------------------------------------------------------------------ the audit
LEDGER = "analyst/disclosure"  # where a run's sections say what each published cell reveals


def ledger_piece(file: str, cells: list[dict], public: Iterable[str]) -> bytes:
    """The ledger of one published CSV: ``cells`` are ``{"row", "column", "positions",
    "shown"}`` (row numbers from 0, after the header); ``public`` names the columns holding
    nothing derived from the authority's counts (labels, England's values, notes)."""
    body = {"file": file, "cells": cells, "public": sorted(set(public))}
    return json.dumps(body, sort_keys=True, default=str).encode("utf-8")


def audit(run: str | Path) -> list[str]:
    """Check a published run's files: every CSV in ``tables/``, ``charts/`` and
    ``findings.csv`` has a ledger; each ledgered cell is shown or ``[c]`` as the ledger says
    and every other cell is in a public column; no position is shown in one file and hidden in
    another; and no sensitive count is derivable from the positions shown (the model the run
    wrote). Returns the problems found (none for a run that keeps its promise)."""
    run = Path(run)
    folder = run / LEDGER
    problems: list[str] = []
    model_path = folder / "model.json"
    if not model_path.exists():
        return [
            f"{model_path.relative_to(run)} is missing: the run did not record what it published"
        ]
    model_text = model_path.read_text(encoding="utf-8")
    model = Model.from_json(json.loads(model_text))
    pieces = {}
    for path in sorted((folder / "cells").glob("*.json")):
        piece = json.loads(path.read_text(encoding="utf-8"))
        pieces[piece["file"]] = piece
    published = sorted(
        str(p.relative_to(run)) for d in ("tables", "charts") for p in (run / d).glob("*.csv")
    ) + (["findings.csv"] if (run / "findings.csv").exists() else [])
    shown: set[str] = set()
    hidden: set[str] = set()
    for name in published:
        piece = pieces.get(name)
        if piece is None:
            problems.append(f"{name}: no ledger says what its cells reveal")
            continue
        problems += _check_file(run / name, piece, shown, hidden)
    for pos in sorted(shown & hidden):
        problems.append(f"{pos} is shown in one file and suppressed in another")
    unknown = sorted((shown | hidden) - set(model.positions))
    if unknown:
        problems.append(f"positions not in the model: {', '.join(unknown[:5])}")
    from .cache import cached

    not_shown = set(model.positions) - shown  # a rerun publishing the same reuses the proof
    found = cached("audit", (model_text, sorted(shown)), lambda: leaks(model, not_shown))
    problems += [
        f"{v} (a count of 1 to 5) can be worked out from the cells published" for v in found
    ]
    return problems


def _check_file(path: Path, piece: dict, shown: set[str], hidden: set[str]) -> list[str]:
    import csv

    with path.open(newline="", encoding="utf-8") as fh:
        header, *rows = list(csv.reader(fh))
    columns = {name: [r[i] if i < len(r) else "" for r in rows] for i, name in enumerate(header)}
    name = piece["file"]
    problems = []
    ledgered: set[tuple[int, str]] = set()
    for cell in piece["cells"]:
        row, col = int(cell["row"]), str(cell["column"])
        ledgered.add((row, col))
        if col not in columns or row >= len(rows):
            problems.append(f"{name}: ledger names row {row}, column {col!r}, not in the file")
            continue
        text = columns[col][row]
        if cell["shown"]:
            shown.update(cell["positions"])
            if text == MARKER:
                problems.append(f"{name}: row {row}, {col!r} is [c] but the ledger says shown")
        else:
            if len(cell["positions"]) == 1:  # a cell hiding several hides at least one
                hidden.update(cell["positions"])
            if text not in {MARKER, ""}:
                problems.append(
                    f"{name}: row {row}, {col!r} shows {text!r} where the ledger says suppressed"
                )
    public = set(piece["public"])
    for col, texts in columns.items():
        if col in public:
            continue
        for row, text in enumerate(texts):
            if (row, col) not in ledgered and text not in {"", MARKER}:
                problems.append(
                    f"{name}: row {row}, {col!r} ({text!r}) is neither ledgered nor in a "
                    "public column"
                )
                break
    return problems
