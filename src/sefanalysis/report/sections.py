"""The report sections behind :class:`~sefanalysis.report.area.AreaReport`: each indicator with
its finding (the sentence from :mod:`sefanalysis.findings`), charts and table; every chart and
table is also written to the run folder, with a ledger of what each cell reveals for the
run's disclosure audit. Imported only when a section is not in the rerun cache.

Nothing on a page is decided here: the values, their suppression (the run's disclosure plan,
:mod:`sefanalysis.publication`), the comparisons and the sentences come from the findings."""

from __future__ import annotations

import contextlib
import functools
import html
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from ..cache import cached, fingerprint
from ..charts import Chart, bar_chart, funnel_chart, ranking_chart, spc_chart, trend_chart
from ..dataset import Dataset, load_dataset_cached
from ..disclosure import (
    INTERNAL,
    INTERNAL_COLUMN,
    LEDGER,
    MARKER,
    MODES,
    NOTE,
    Plan,
    comparator_position,
    group_position,
    ledger_piece,
    month_position,
    quarter_position,
    spc_mean_position,
)
from ..errors import SefError
from ..findings import (
    COLUMNS,
    DISTRIBUTIONS,
    Evidence,
    SpcFacts,
    breakdown_key,
    build_findings,
    gather,
    label,
    spc_facts,
    target_of,
    year_earlier,
)
from ..format import format_value
from ..indicators.engine import AGE_BANDS, ASSESSMENT_BANDS, ICPC_BANDS, compute_indicators
from ..indicators.registry import AREAS, REGISTRY, Indicator
from ..periods import parse_period_end, period_label, quarter_ends_back, snapshot_label
from ..publication import centre_positions, decide
from ..safe_output import csv_bytes
from ..wording import RULES
from .area import ReportParameters, chart_kinds
from .display import (
    show_figure,
    show_heading,
    show_html,
    show_table,
    show_text,
    write_output,
)
from .summary import overview_table
from .tables import (
    NOT_APPLICABLE,
    NOT_AVAILABLE,
    ROW_UNIT,
    UNIT_NAMES,
    Column,
    Num,
    Table,
    Text,
)

Cell = dict[str, object]
MISSING = "–"
NEIGHBOURS_LINE = "Statistical neighbours (average)"
# a chart beside the trend is drawn without being asked for where its finding is a signal
SIGNAL_WORDS = {"better", "worse", "higher", "lower"}


MACHINE = {"Indicator id", "Unit", "Period"}  # columns for the CSV and workbook, not the page


def iso(ts: pd.Timestamp) -> str:
    return ts.strftime("%Y-%m-%d")


def _cell(row: int, column: str, positions: list[str], plan: Plan) -> Cell:
    """A ledger cell: shown unless the plan hides one of the positions it reveals."""
    return {
        "row": row,
        "column": column,
        "positions": positions,
        "shown": not any(plan.hides(p) for p in positions),
    }


@dataclass
class AreaSections(ReportParameters):
    """Every section of an area report, computed and drawn (see ``AreaReport``)."""

    def __post_init__(self) -> None:
        self.end = parse_period_end(self.period_end)
        if self.disclosure_mode not in MODES:
            raise SefError(
                f"disclosure_mode {self.disclosure_mode!r} is not accepted: expected "
                "'published' or 'internal'"
            )
        self.published = self.disclosure_mode == "published"
        self.notice = "" if self.published else INTERNAL
        self.asked = chart_kinds(self.charts)  # extra charts the run asks for
        self.periods = quarter_ends_back(self.end, self.quarters)
        self.data_key = fingerprint(self.data_dir)  # reruns on unchanged data reuse the results
        self.out = Path(self.output_dir)
        # the data and results below are loaded on first use: a rerun whose report sections
        # all come from the cache never needs them

    @functools.cached_property
    def dataset(self) -> Dataset:
        cache = Path(self.output_dir) / "analyst" / "dataset.pickle"
        return load_dataset_cached(self.data_dir, cache, strict=True)

    # ----------------------------------------------------------------------------- facts
    @functools.cached_property
    def evidence(self) -> Evidence:
        return gather(
            self.dataset,
            self.end,
            self.window,
            self.quarters,
            DISTRIBUTIONS,
            memo=cached,
            data_key=self.data_key,
        )

    @functools.cached_property
    def spcs(self) -> dict[str, SpcFacts]:
        """Each indicator's monthly series and XmR result (before suppression)."""
        ids = set(self.evidence.values["indicator_id"])
        return {i.id: spc_facts(self.evidence, i) for i in REGISTRY.values() if i.id in ids}

    def _decided(self, distributions: tuple = DISTRIBUTIONS) -> dict:
        evidence = self.evidence
        extra = [d for d in distributions if breakdown_key(d[0], d[1]) not in evidence.breakdowns]
        if extra:
            evidence = replace(
                evidence,
                breakdowns={
                    **evidence.breakdowns,
                    **{breakdown_key(i, by): self._breakdown(i, by) for i, by, *_ in extra},
                },
            )
        return cached(
            "disclosure",
            (
                self.data_key,
                iso(self.end),
                self.window,
                self.quarters,
                self.disclosure_mode,
                [d[:2] for d in distributions],
            ),
            lambda: decide(evidence, self.spcs, self.published, distributions),
        )

    @functools.cached_property
    def plan(self) -> Plan:
        """What the run hides (nothing in an internal run)."""
        return Plan.from_json(self._decided()["plan"])

    @functools.cached_property
    def findings(self) -> pd.DataFrame:
        """One record per indicator (see :data:`sefanalysis.findings.COLUMNS`)."""
        return cached(
            "findings",
            (self.data_key, iso(self.end), self.window, self.quarters, self.disclosure_mode),
            lambda: build_findings(self.evidence, self.plan, self.spcs),
        )

    def finding(self, indicator_id: str) -> dict:
        hit = self.findings.loc[self.findings["indicator_id"] == indicator_id]
        return hit.iloc[0].to_dict()

    @functools.cached_property
    def values(self) -> pd.DataFrame:
        """Every indicator at the quarter ends shown, flagged where suppressed."""
        values = self.evidence.values.copy()
        values["suppressed"] = [
            self.plan.hides(quarter_position(i, p))
            for i, p in zip(values["indicator_id"], values["period_end"], strict=True)
        ]
        return values

    @property
    def mode_note(self) -> str:
        return NOTE if self.published else "Internal: small numbers not suppressed."

    # ----------------------------------------------------------------------------- context
    def label(self, ind: Indicator, period_end: pd.Timestamp) -> str:
        return label(ind, period_end, self.window)

    def show_context(self) -> None:
        """Who, when and how complete: the paragraph under each report's title, with links to
        the explanations and the data-quality report."""
        a = self.dataset.authority
        if not self.published:
            show_text(
                "Internal: small numbers not suppressed. Do not share this report "
                "outside the council.",
                "sef-warning",
            )
        extract = f"{a.extract_date:%d %B %Y}" if a.extract_date is not None else "not stated"
        n_problems = len(self.dataset.problems)
        show_text(
            f"{a.la_name}. Flow measures cover the {period_label(self.end, self.window)} "
            f"(the 12 months ending {self.end:%d %B %Y}); snapshot measures are "
            f"{snapshot_label(self.end)}. Data extracted {extract}. Trends show the "
            f"{self.quarters} quarter ends to {self.end:%B %Y}."
        )
        problems = (
            "No problem was found while loading the data."
            if n_problems == 0
            else f"{n_problems:,} problem(s) were found while loading the data; affected rows "
            "are left out of the measures they affect only."
        )
        show_html(
            f'<p class="sef-text">{html.escape(problems)} See the '
            '<a href="../data_quality.html">data-quality report</a>. How to read the '
            "intervals, comparisons, control charts and markers: "
            '<a href="../about.html">About these statistics</a>.</p>'
        )
        if a.synthetic:
            show_text(
                "This is a synthetic demonstration authority: no real child is "
                "represented and the comparator values are synthetic.",
                "sef-warning",
            )

    def show_method(self) -> None:
        """How each sentence is decided, in plain words (the same rules as the README)."""
        show_heading("How the sentences are decided", 3, anchor="how-decided")
        for text in RULES:
            show_text(text)
        show_text(self.mode_note)
        show_html(
            '<p class="sef-text">Intervals, significance, control charts, funnel plots, bands '
            'and markers are explained in <a href="../about.html">About these '
            "statistics</a>.</p>"
        )

    # ----------------------------------------------------------------------------- comparators
    def comparator_lines(self, indicator_id: str) -> pd.DataFrame:
        """England's, the region's and the statistical neighbours' average published values
        within the trend's periods."""
        bench = self.evidence.benchmarks
        rec = self.finding(indicator_id)
        keep = (bench["indicator_id"] == indicator_id) & bench["time_period"].between(
            self.periods[0], self.end
        )
        rows = bench.loc[keep]
        eng = rows.loc[rows["area_type"] == "england"]
        lines = [
            pd.DataFrame(
                {
                    "label": "England",
                    "period_end": eng["time_period"],
                    "value": eng["value"].astype(float),
                }
            )
        ]
        if rec["region_name"]:
            reg = rows.loc[
                (rows["area_type"] == "region") & (rows["area_name"] == rec["region_name"])
            ]
            lines.append(
                pd.DataFrame(
                    {
                        "label": rec["region_name"],
                        "period_end": reg["time_period"],
                        "value": reg["value"].astype(float),
                    }
                )
            )
        # the neighbours' average at each period, as the findings take it for the period
        # compared (the mean of the neighbours with a published value)
        codes = set(self.evidence.neighbours["area_code"].dropna())
        sns = rows.loc[(rows["area_type"] == "la") & rows["area_code"].isin(codes)]
        if len(sns):
            mean = sns.groupby("time_period")["value"].mean()
            lines.append(
                pd.DataFrame(
                    {
                        "label": NEIGHBOURS_LINE,
                        "period_end": mean.index,
                        "value": mean.to_numpy(dtype=float),
                    }
                )
            )
        return pd.concat(lines, ignore_index=True)

    # ----------------------------------------------------------------------------- tables
    def _trend(self, ind: Indicator) -> Table:
        """The trend table: each quarter end's value and its parts, with England's and the
        region's published values for that same period (``[x]`` where none was)."""
        rows = self.values.loc[self.values["indicator_id"] == ind.id]
        bench = self.evidence.benchmarks
        bench = bench.loc[bench["indicator_id"] == ind.id]
        region = self.finding(ind.id)["region_name"]
        counted = ind.aggregate in {"count", "sum"}
        public_den = ind.unit == "rate_per_10k"  # a population is public
        out = []
        for rec in rows.itertuples(index=False):
            have = pd.notna(rec.value)
            pos = (quarter_position(ind.id, rec.period_end),) if have else ()
            text = self.label(ind, rec.period_end).removeprefix("in the ")
            pub = bench.loc[bench["time_period"] == rec.period_end]
            eng = pub.loc[pub["area_type"] == "england", "value"]
            reg = pub.loc[(pub["area_type"] == "region") & (pub["area_name"] == region), "value"]
            # parts only beside a value: a missing value (0 of 0, or a period the data does not
            # cover) shows none, so no small part is published without its value's position
            num = rec.numerator if have else math.nan
            den = rec.denominator if have else math.nan
            out.append(
                {
                    "Period": text[:1].upper() + text[1:],
                    "Period end": iso(rec.period_end),
                    "Value": Num(rec.value, pos),
                    "Numerator": Num(math.nan, missing=NOT_APPLICABLE)
                    if counted or ind.aggregate in {"mean", "median"}
                    else Num(num, pos if pd.notna(num) else ()),
                    "Denominator": Num(math.nan, missing=NOT_APPLICABLE)
                    if counted
                    else Num(den, () if public_den or pd.isna(den) else pos),
                    "England": Num(eng.iloc[0] if len(eng) else math.nan),
                    "Region": Num(reg.iloc[0] if len(reg) else math.nan),
                    "Note": rec.note,
                }
            )
        columns = [
            Column("Period"),
            Column("Period end", page=False),
            Column("Value", ind.unit),
            Column("Numerator", "count"),
            Column("Population aged 0-17" if public_den else "Denominator", "count"),
            Column("England", ind.unit),
            Column("Region", ind.unit),
            Column("Note"),
        ]
        if public_den:
            for row in out:
                row["Population aged 0-17"] = row.pop("Denominator")
        return Table(
            ind.id,
            f"{ind.title}: {self.quarters} quarter ends to {self.end:%B %Y}",
            columns,
            out,
            self.plan,
            subtitles=[
                "England and the region where published for the same period"
                + (f" (region: {region})" if region else "")
                + "."
            ],
            source=_trend_source(ind, bench.loc[bench["time_period"].isin(rows["period_end"])]),
            indicator_id=ind.id,
            area=ind.area,
            kind="trend",
        )

    def trend_table(self, ind: Indicator) -> pd.DataFrame:
        """The indicator at each quarter end, with England and the region where published for
        that same period, as the page shows it (see ``_trend`` for the numbers)."""
        return self._trend(ind).display()

    def _summary(self, area: str) -> Table:
        """Every indicator of ``area`` on one row each (units differ by row: a Unit column)."""
        rows, units = [], []
        for ind in (i for i in REGISTRY.values() if i.area == area):
            rec = self.finding(ind.id)
            now = (
                (quarter_position(ind.id, self.end),)
                if pd.notna(rec["value"]) or rec["suppressed"]
                else ()
            )
            before = (
                (quarter_position(ind.id, year_earlier(self.end)),)
                if pd.notna(rec["value_year_earlier"]) or rec["suppressed_year_earlier"]
                else ()
            )
            then = (
                (comparator_position(ind.id, rec["comparator_period"]),)
                if pd.notna(rec["value_at_comparator_period"])
                or rec["suppressed_at_comparator_period"]
                else ()
            )
            month = (
                (month_position(ind.id, rec["variation_month"]), *centre_positions(ind.id))
                if rec["variation"] != "not assessed"
                else ()
            )
            no_interval = NOT_APPLICABLE if not ind.interval else NOT_AVAILABLE
            hidden_now_before = tuple(p for p in now + before if self.plan.hides(p))
            units.append(ind.unit)
            rows.append(
                {
                    "Indicator": ind.title,
                    "Indicator id": ind.id,
                    "Unit": UNIT_NAMES[ind.unit],
                    "Period": rec["period"].removeprefix("in the "),
                    "Latest": Num(rec["value"], now),
                    "Lower 95% limit": Num(rec["ci_low"], now, no_interval),
                    "Upper 95% limit": Num(rec["ci_high"], now, no_interval),
                    "A year earlier": Num(rec["value_year_earlier"], before),
                    "Change on a year": Text(
                        rec["trend"], now + before if rec["trend"] else hidden_now_before
                    ),
                    "Latest month": Text(rec["variation"], month),
                    "Comparator period": rec["comparator_period_label"] or NOT_AVAILABLE,
                    "This authority then": Num(rec["value_at_comparator_period"], then),
                    "England": Num(rec["england_value"]),
                    "Compared with England": Text(rec["vs_england"], then),
                    "Region": Num(rec["region_value"]),
                    "Compared with region": Text(rec["vs_region"], then),
                    "Statistical neighbours": Num(rec["neighbours_value"]),
                    "Compared with neighbours": Text(rec["vs_neighbours"], then),
                    "Band (A best)": Text(rec["band"] or rec["quartile"], then),
                    "Target": Num(rec["target"]),
                    "Against target": Text(
                        rec["rag"], now if rec["rag"] else tuple(filter(self.plan.hides, now))
                    ),
                    "Note": rec["note"],
                }
            )
        numbers = {"Latest", "Lower 95% limit", "Upper 95% limit", "A year earlier",
                   "This authority then", "England", "Region", "Statistical neighbours",
                   "Target"}  # fmt: skip
        names = list(rows[0]) if rows else ["Indicator"]
        return Table(
            f"{area}_summary",
            f"{AREAS[area]}: every indicator, {snapshot_label(self.end)} or the "
            f"{period_label(self.end, self.window)}",
            [Column(n, ROW_UNIT if n in numbers else None, page=n not in MACHINE) for n in names],
            rows,
            self.plan,
            row_units=units,
            subtitles=[
                "Comparisons with England, the region and statistical neighbours are "
                "for the comparator period shown."
            ],  # fmt: skip
            source="See each indicator's table for its source",
            area=area,
            kind="summary",
        )

    def summary_table(self, area: str) -> pd.DataFrame:
        """Every indicator of ``area``: latest value, change on a year, latest month's
        variation, and the comparison with England, region and neighbours for the period
        compared, as the page shows it."""
        return self._summary(area).display()

    # ----------------------------------------------------------------------------- display
    def show_summary(self, area: str) -> None:
        """The area at a glance: one row per indicator from its finding (latest value and
        target, change on a year and the latest month's signal, England, the region and the
        neighbours with the comparison by word and shape), each linking to its section. The
        full summary table (every field) is written to ``tables/`` with its ledger, and each
        finding shown here is written for ``findings.csv``."""
        self._write_table(self._summary(area))
        if self.published:  # every notebook records the model its plan was decided on
            model = self._decided()["model"]
            write_output(
                self.out, f"{LEDGER}/model.json", json.dumps(model, sort_keys=True).encode("utf-8")
            )
        records = self.findings.loc[self.findings["area"] == area].to_dict("records")
        for rec in records:  # everything the overview shows is in findings.csv, ledgered
            self._write_finding(rec)
        show_html(overview_table(records, area, lambda i: f"#ind-{i}", f"tbl-summary-{area}"))

    def show_indicator(self, indicator_id: str) -> None:
        """The indicator's sentence, its trend chart (England, the region and the neighbours'
        average beside it, and the latest month's signal in the caption) and its table. The
        monthly control chart, funnel plot and neighbour ranking follow one click away (a
        ``<details>``), drawn when the run asks for them or when their finding is a signal:
        special-cause variation in the latest month, a value better or worse (higher or lower)
        than England, or than the neighbours' average."""
        ind = REGISTRY[indicator_id]
        rec = self.finding(ind.id)
        show_heading(ind.title, 3, anchor=f"ind-{ind.id}", css_class="sef-ind")
        show_text(rec["sentence"], "sef-headline")
        self._write_finding(rec)
        series = self.values.loc[self.values["indicator_id"] == ind.id].copy()
        series.loc[series["suppressed"], "value"] = math.nan  # never plotted when published
        shown = series["value"].notna().sum()
        if shown >= 2:
            self._trend_chart(ind, rec, series)
        elif shown == 1:
            show_text("Only one quarter end has a value, so no trend is drawn.")
        numbers = self._trend(ind)
        self._write_table(numbers)
        table = numbers.display()
        region = f" Region: {rec['region_name']}." if rec["region_name"] else ""
        show_table(
            compact(table),
            f"{ind.title}: {self.quarters} quarter ends to {self.end:%B %Y}; England and the "
            f"region where published for the same period.{region} Source: {numbers.source}.",
            f"tbl-{ind.id}",
        )
        with more_charts() as more:
            if "spc" in self.asked or str(rec["variation"]).startswith("special cause"):
                self._spc(ind, rec, more)
            self.show_comparators(
                ind,
                ranking="ranking" in self.asked or rec["vs_neighbours"] in SIGNAL_WORDS,
                funnel="funnel" in self.asked or rec["vs_england"] in SIGNAL_WORDS,
                more=more,
            )
        show_html(BACK)

    def _trend_chart(self, ind: Indicator, rec: dict, series: pd.DataFrame) -> None:
        short = self.dataset.authority.la_name.split(" (")[0]
        basis = "quarter ends" if ind.kind == "snapshot" else "rolling 12 months to quarter ends"
        subtitle = f"{ind.title}, {short}, {basis} {self.periods[0]:%b %Y} to {self.end:%b %Y}"
        lines = self.comparator_lines(ind.id)
        chart = trend_chart(
            series.assign(label=short),
            ind.id,
            rec["text_value"],
            subtitle,
            ind.unit,
            lines,
            notice=self.notice,
        )
        cells = []
        have = set(series.loc[series["value"].notna() | series["suppressed"], "period_end"])
        for i, row in chart.data.iterrows():
            if row["series"] == short and row["period_end"] in have:
                pos = [quarter_position(ind.id, row["period_end"])]
                cells.append(_cell(i, "value", pos, self.plan))
        self._save_chart(chart, cells, ["period_end", "series"], public_rows=True)
        show_figure(chart, latest_signal(rec))

    def _spc(self, ind: Indicator, rec: dict, more: MoreCharts) -> None:
        """The XmR chart of the monthly values, suppressed months hidden; none where there is
        none to draw (too few months, or an average that would reveal a suppressed figure:
        the sentence says why variation is not assessed)."""
        spc = self.spcs[ind.id]
        if spc.result is None or self.plan.hides(spc_mean_position(ind.id)):
            return
        frame = spc.result.frame.copy()
        hidden = [self.plan.hides(month_position(ind.id, m)) for m in frame["x"]]
        frame.loc[hidden, "value"] = math.nan
        frame.loc[frame["value"].isna(), ["point_type", "rule", "side"]] = ""
        month = f"{self.end:%B %Y}"
        what = {"not reported": f"latest month ({month}) suppressed"}.get(
            rec["variation"], f"{rec['variation']} variation in {month}"
        )
        chart = spc_chart(
            frame,
            f"{ind.id}_spc",
            f"{ind.title}: monthly values, {what}",
            f"{ind.title}, monthly values with process limits, "
            f"{frame['x'].iloc[0]:%b %Y} to {self.end:%b %Y}",
            ind.unit,
            spc.result.trial_limits,
            target_of(self.evidence, ind.id)[0],
            notice=self.notice,
        )
        cells = []
        for i, row in chart.data.iterrows():
            pos = [month_position(ind.id, row["period_end"])]
            if pd.notna(spc.series["value"].iloc[i]):
                cells += [_cell(i, "value", pos, self.plan), _cell(i, "point_type", pos, self.plan)]
            for col in ("mean", "lpl", "upl"):
                cells.append(_cell(i, col, centre_positions(ind.id), self.plan))
        self._save_chart(chart, cells, ["period_end"])
        more.add("monthly control chart", chart)

    def show_comparators(
        self,
        ind: Indicator,
        ranking: bool = True,
        funnel: bool = True,
        more: MoreCharts | None = None,
    ) -> None:
        """Statistical-neighbour ranking and, for percentages and rates with published
        denominators, a funnel plot against all authorities, for the comparator period (the
        authority's own value for that same period); each only where asked (``ranking``,
        ``funnel``). Shown in ``more`` when given, else on their own."""
        if not (ranking or funnel):
            return
        if more is None:
            with more_charts() as own:
                self.show_comparators(ind, ranking, funnel, own)
            return
        rec = self.finding(ind.id)
        if pd.isna(rec["comparator_period"]) or pd.isna(rec["value_at_comparator_period"]):
            return
        period = pd.Timestamp(rec["comparator_period"])
        own = self.evidence.published_own
        own_row = own.loc[(own["indicator_id"] == ind.id) & (own["period_end"] == period)].iloc[0]
        pos = [comparator_position(ind.id, period)]
        name = self.dataset.authority.la_name.split(" (")[0]
        bench = self.evidence.benchmarks
        las = bench.loc[
            (bench["indicator_id"] == ind.id)
            & (bench["time_period"] == period)
            & (bench["area_type"] == "la")
            & (bench["area_code"] != self.dataset.authority.la_code)
        ]
        sn_codes = set(self.evidence.neighbours["area_code"].dropna())
        year = rec["comparator_period_label"]
        if ranking and sn_codes and ind.polarity != "neutral" and ind.unit != "count":
            table = pd.concat(
                [
                    las.loc[las["area_code"].isin(sn_codes), ["area_name", "value"]],
                    pd.DataFrame([{"area_name": name, "value": own_row["value"]}]),
                ]
            )
            chart = ranking_chart(
                table,
                name,
                rec["england_value"],
                f"{ind.id}_neighbours",
                f"{ind.title}: {name} and its statistical neighbours",
                f"{ind.title}, {year}",
                ind.unit,
                ind.polarity == "lower_better",
                notice=self.notice,
            )
            cells = [
                _cell(i, "value", pos, self.plan)
                for i, row in chart.data.iterrows()
                if row["area_name"] == name
            ]
            self._save_chart(chart, cells, ["area_name"], public_rows=True)
            more.add("statistical neighbours", chart)
        if (
            funnel
            and ind.unit in {"pct", "rate_per_10k"}
            and "denominator" in las
            and las["denominator"].notna().any()
            and pd.notna(rec["england_value"])
            and own_row["denominator"] > 0
        ):
            chart = funnel_chart(
                las.dropna(subset=["denominator"]),
                {
                    "area_code": self.dataset.authority.la_code,
                    "area_name": name,
                    "denominator": own_row["denominator"],
                    "value": own_row["value"],
                },
                sn_codes,
                rec["england_value"],
                f"{ind.id}_funnel",
                f"{ind.title}: {name} against all authorities",
                f"{ind.title}, {year}",
                ind.unit,
                notice=self.notice,
            )
            own_at = chart.data.index[chart.data["group"] == "This authority"]
            cells = [
                _cell(
                    int(i),
                    c,
                    [] if c == "denominator" and ind.unit == "rate_per_10k" else pos,
                    self.plan,
                )
                for i in own_at
                for c in ("denominator", "value")
            ]
            self._save_chart(chart, cells, ["area_code", "area_name", "group"], public_rows=True)
            more.add("all authorities (funnel plot)", chart)

    def _breakdown(self, indicator_id: str, by: str) -> pd.DataFrame:
        area = REGISTRY[indicator_id].area
        return cached(
            "indicators",
            (self.data_key, iso(self.end), self.window, area, by),
            lambda: compute_indicators(
                self.dataset, iso(self.end), window=self.window, area=area, by=by
            ),
        )

    def show_distribution(self, indicator_id: str, by: str, title: str) -> None:
        """How the units behind an indicator spread over groups (e.g. assessment durations by
        band, audits by grade): number and share of the total, suppressed as the run decides
        over everything it publishes."""
        ind = REGISTRY[indicator_id]
        declared = [d[:2] for d in DISTRIBUTIONS]
        plan = (
            self.plan
            if (indicator_id, by) in declared
            else Plan.from_json(self._decided(DISTRIBUTIONS + ((indicator_id, by, title),))["plan"])
        )
        frame = self._breakdown(indicator_id, by)
        frame = frame.loc[frame["indicator_id"] == indicator_id]
        counts = frame["numerator"] if ind.aggregate in {"count", "sum"} else frame["denominator"]
        frame = frame.assign(count=counts.fillna(0)).set_index("group")
        order = {
            "duration_band": [
                b[2] for b in ASSESSMENT_BANDS if indicator_id.startswith("assessment")
            ]
            or [b[2] for b in ICPC_BANDS],
            "grade": ["Outstanding", "Good", "Requires improvement", "Inadequate"],
            "age_band": [b[2] for b in AGE_BANDS],
        }.get(by)
        if order:
            frame = frame.reindex(
                [g for g in order if g in frame.index] + [g for g in frame.index if g not in order]
            )
        total = frame["count"].sum()
        positions = [group_position(indicator_id, by, g) for g in frame.index]
        hidden = [plan.hides(p) for p in positions]
        share = (
            (100 * frame["count"] / total).where(~pd.Series(hidden, index=frame.index))
            if total
            else frame["count"] * 0
        )
        numbers = self._distribution(ind, by, title, frame["count"], share, positions, plan)
        table = numbers.display()
        name = numbers.name
        subtitle = f"{title}, {self.dataset.authority.la_name.split(' (')[0]}, " + (
            f"{period_label(self.end, self.window)}"
        )
        show_heading(title, 3, anchor=f"dist-{name}", css_class="sef-breakdown")
        if table.empty:
            show_text(f"No records {self.label(ind, self.end)}.")
            return
        chart = None
        if total and "breakdowns" in self.asked:  # a chart of the table, on request
            totals = plan.hides(quarter_position(indicator_id, self.end))
            heading = title if totals else f"{title}: {format_value(total, 'count')} in total"
            chart = bar_chart(
                pd.DataFrame({"group": frame.index, "value": share.to_numpy()}),
                name,
                heading,
                subtitle,
                "pct",
                missing_label=MARKER,
                notice=self.notice,
            )
            chart_cells = [_cell(i, "value", [p], plan) for i, p in enumerate(positions)]
            self._save_chart(chart, chart_cells, ["group"])
        self._write_table(numbers)
        shown = "chart and table" if chart is not None else "table"
        show_html(
            f'<details class="sef-more"><summary>Show the {shown}: number and share of the '
            f"total in each group</summary>"
        )
        if chart is not None:
            show_figure(chart)
        show_table(
            table,
            f"{title}, {period_label(self.end, self.window)}. {self.mode_note}",
            f"tbl-{name}",
        )
        show_html("</details>" + BACK)

    def _distribution(
        self,
        ind: Indicator,
        by: str,
        title: str,
        counts: pd.Series,
        share: pd.Series,
        positions: list[str],
        plan: Plan,
    ) -> Table:
        """A breakdown's table: each group's number and share of the total (both reveal the
        group's position)."""
        rows = [
            {"Group": str(group), "Number": Num(n, (p,)), "Share of total": Num(pct, (p,))}
            for group, n, pct, p in zip(counts.index, counts, share, positions, strict=True)
        ]
        return Table(
            f"{ind.id}_by_{by}",
            f"{title}, {period_label(self.end, self.window)}",
            [Column("Group"), Column("Number", "count"), Column("Share of total", "pct")],
            rows,
            plan,
            source=ind.source,
            indicator_id=ind.id,
            area=ind.area,
            kind="distribution",
        )

    # ----------------------------------------------------------------------------- files
    def _write_finding(self, rec: dict) -> None:
        """The indicator's finding as one CSV row and its ledger, for ``findings.csv`` (the run
        puts the rows together: see ``report.finish``)."""
        frame = pd.DataFrame([rec], columns=list(COLUMNS))
        if self.notice:
            frame[INTERNAL_COLUMN] = self.notice
        write_output(
            self.out,
            f"analyst/findings/{rec['indicator_id']}.csv",
            frame.to_csv(index=False, lineterminator="\n").encode("utf-8"),
        )
        if not self.published:
            return
        write_output(
            self.out,
            f"analyst/findings/{rec['indicator_id']}.json",
            json.dumps(finding_cells(rec, self.plan)).encode("utf-8"),
        )

    def _write_table(self, table: Table) -> None:
        """A table under ``tables/``: the tidy CSV of numbers and markers, its description for
        the workbook (``<name>.json``) and its ledger."""
        frame = table.csv_frame()
        cells, public = table.ledger()
        if self.notice:
            frame = frame.assign(**{INTERNAL_COLUMN: self.notice})
            public.append(INTERNAL_COLUMN)
        write_output(self.out, f"tables/{table.name}.csv", csv_bytes(frame))
        write_output(self.out, f"tables/{table.name}.json", table.description())
        self._ledger(f"tables/{table.name}.csv", cells, public)

    def _save_chart(
        self, chart: Chart, cells: list[Cell], public: list[str], public_rows: bool = False
    ) -> None:
        """The chart's files (PNG, SVG and the data as CSV) under ``charts/``. Columns not
        named ``public`` hold this authority's figures and are ledgered cell by cell; with
        ``public_rows`` the other rows of those columns are published figures (England,
        other authorities), ledgered as revealing nothing of this authority's."""
        chart = replace(chart, source=chart.source or _chart_source(chart))
        for filename, content in chart.files().items():
            write_output(self.out, f"charts/{filename}", content)
        if public_rows:
            ledgered = {(c["row"], c["column"]) for c in cells}
            cols = {c["column"] for c in cells}
            cells = cells + [
                {"row": i, "column": col, "positions": [], "shown": True}
                for col in cols
                for i in range(len(chart.data))
                if (i, col) not in ledgered
            ]
        self._ledger(
            f"charts/{chart.name}.csv",
            cells,
            list(public) + ([INTERNAL_COLUMN] if self.notice else []),
        )

    def _ledger(self, file: str, cells: list[Cell], public: list[str]) -> None:
        if not self.published:
            return
        write_output(
            self.out,
            f"{LEDGER}/cells/{file.replace('/', '__')}.json",
            ledger_piece(file, cells, public),
        )

    # ----------------------------------------------------------------------------- sources
    def reconciliation(self) -> pd.DataFrame:
        """The CIN census's figures beside Annex A's for the same years to 31 March (census
        returns up to the period end)."""
        from ..indicators.census import reconcile

        table = cached("reconciliation", (self.data_key,), lambda: reconcile(self.dataset))
        return table.loc[table["period_end"] <= self.end].reset_index(drop=True)

    def reconciliation_table(self) -> Table:
        """The reconciliation as published. Published reports show the census figures (each
        the indicator's official value at that 31 March, suppressed as the run's plan says,
        for the quarter ends the report shows) and DfE's published figure; Annex A's figures
        for the same years are left out of them, because with the monthly Annex A figures of
        the control charts a 12-month total would give back a suppressed month (they are in
        the analyst folder, and in internal reports)."""
        table = self.reconciliation()
        if self.published:
            table = table.loc[table["period_end"].isin(self.periods)].reset_index(drop=True)
        rows = []
        for rec in table.itertuples(index=False):
            row = {
                "Indicator": rec.title,
                "Indicator id": rec.indicator_id,
                "Unit": UNIT_NAMES.get(rec.unit, rec.unit),
                "Year to": f"{rec.period_end:%d %B %Y}",
                "CIN census (official)": Num(
                    rec.census_value, (quarter_position(rec.indicator_id, rec.period_end),)
                ),
            }
            if not self.published:
                row["Annex A"] = Num(rec.annex_a_value)
                row["Difference (census minus Annex A)"] = Num(rec.difference)
            row["DfE published"] = Num(rec.published_value)
            row["Note"] = rec.note
            rows.append(row)
        names = list(rows[0]) if rows else ["Indicator"]
        if table["published_value"].isna().all():  # the authority's own row is not published
            names.remove("DfE published")
        text = {"Indicator", "Indicator id", "Unit", "Year to", "Note"}
        return Table(
            "reconciliation_cin_census_annex_a",
            "CIN census and Annex A figures for the same years to 31 March",
            [Column(n, None if n in text else ROW_UNIT, page=n not in MACHINE) for n in names],
            rows,
            self.plan,
            row_units=list(table["unit"]),
            subtitles=["A difference of percentages is in percentage points."]
            if not self.published
            else [],
            source="The authority's CIN census returns and Annex A lists; DfE's published "
            "children in need statistics",
            area="help_protection",
            kind="reconciliation",
        )

    def show_reconciliation(self) -> None:
        """The CIN census and Annex A compared for the same years (see ``reconciliation_table``)."""
        show_heading("The CIN census and Annex A compared", 2, anchor="reconciliation")
        full = self.reconciliation()
        if full.empty:
            show_text("No CIN census return was supplied (a cin_census/ folder of the XML "
                      "returns), so every value above comes from Annex A.")  # fmt: skip
            return
        show_text("Where the authority's CIN census return is supplied it is the official "
                  "source for its year to 31 March (the figures DfE publishes come from it), and "
                  "Annex A gives every other period. The two are built differently (Annex A "
                  "lists are extracted later and measure some timescales from other dates), so "
                  "they can differ.")  # fmt: skip
        # the analyst's full comparison, unsuppressed, stays in the analyst-only folder
        write_output(self.out, "analyst/reconciliation_cin_census_annex_a.csv",
                     full.to_csv(index=False, lineterminator="\n").encode("utf-8"))  # fmt: skip
        numbers = self.reconciliation_table()
        table = numbers.display()
        if self.published:
            show_text("Annex A's figures for the same years, and the differences, are in the "
                      "analyst folder (analyst/reconciliation_cin_census_annex_a.csv): published "
                      "reports leave them out because, with the monthly figures, they could "
                      "reveal small numbers.")  # fmt: skip
        self._write_table(numbers)
        show_table(table, f"CIN census and Annex A figures for the same years to 31 March. "
                   f"{self.mode_note}", "tbl-reconciliation")  # fmt: skip


def _trend_source(ind: Indicator, shown: pd.DataFrame) -> str:
    """The sources of a trend table: the indicator's own, and the editions (file and release)
    of the England and region figures it shows, or none where it shows none."""
    editions = shown.loc[shown["area_type"].isin(["england", "region"])]
    editions = sorted(set(editions["edition"].dropna().astype(str))) if "edition" in shown else []
    return "; ".join([ind.source, *(f"England and region: {e}" for e in editions)])


def _chart_source(chart: Chart) -> str:
    """Where a chart's figures come from, for its caption: the indicator's source, and the
    publication of the comparators drawn on it."""
    ind_id = re.sub(r"(_spc|_funnel|_neighbours|_by_\w+)$", "", chart.name)
    ind = REGISTRY.get(ind_id)
    if ind is None:
        return ""
    if chart.kind in {"funnel", "ranking"}:
        return f"{ind.publication}; this authority: {ind.source}"
    if chart.kind == "trend" and chart.data["series"].nunique() > 1:
        return f"{ind.source}; England and region: {ind.publication}"
    return ind.source


def finding_cells(rec: dict, plan: Plan) -> list[Cell]:
    """The ledger of one findings row (row 0): which positions each column reveals."""
    ind_id = rec["indicator_id"]
    now = (
        [quarter_position(ind_id, rec["period_end"])]
        if pd.notna(rec["value"]) or rec["suppressed"]
        else []
    )
    before = (
        [quarter_position(ind_id, rec["year_earlier_period_end"])]
        if pd.notna(rec["value_year_earlier"]) or rec["suppressed_year_earlier"]
        else []
    )
    then = (
        [comparator_position(ind_id, rec["comparator_period"])]
        if pd.notna(rec["value_at_comparator_period"]) or rec["suppressed_at_comparator_period"]
        else []
    )
    month = (
        [month_position(ind_id, rec["variation_month"])]
        if pd.notna(rec["variation_value"]) or rec["variation"] == "not reported"
        else []
    )
    spc = centre_positions(ind_id) if pd.notna(rec["spc_mean"]) else []
    uses = {
        **dict.fromkeys(["value", "numerator", "ci_low", "ci_high", "rag"], now),
        "denominator": [] if rec["unit"] == "rate_per_10k" else now,
        "value_year_earlier": before,
        **dict.fromkeys(
            ["change", "change_low", "change_high", "change_significant", "trend"], now + before
        ),
        **dict.fromkeys(
            ["variation_value", "variation", "variation_rule", "variation_side"], month
        ),
        **dict.fromkeys(["spc_mean", "spc_lower_limit", "spc_upper_limit"], spc),
        **dict.fromkeys(
            [
                "value_at_comparator_period",
                "ci_low_at_comparator_period",
                "ci_high_at_comparator_period",
                "vs_england",
                "vs_region",
                "vs_neighbours",
                "rank",
                "band",
                "quartile",
            ],
            then,
        ),
    }
    cells = []
    for column, positions in uses.items():
        text = rec[column]
        if _absent(text):  # says nothing of a figure ("", False, "not assessed", ...)
            cells.append({"row": 0, "column": column, "positions": [], "shown": True})
        else:
            cells.append(_cell(0, column, positions, plan))
    # the sentences hold only the figures they show (a suppressed one is never written)
    used = [
        (now, rec["value"]),
        (before, rec["value_year_earlier"]),
        (then, rec["value_at_comparator_period"]),
        (month, rec["variation_value"]),
        (spc, rec["spc_mean"]),
    ]
    shown = [
        p for positions, value in used if pd.notna(value) for p in positions if not plan.hides(p)
    ]
    for column in ("text_value", "text_variation", "text_comparison", "sentence"):
        cells.append({"row": 0, "column": column, "positions": shown, "shown": True})
    return cells


def _absent(value: object) -> bool:
    if isinstance(value, str):
        return value in {"", "not assessed", "not reported", "not compared"}
    return value is False or value is None or (not isinstance(value, bool) and pd.isna(value))


BACK = '<p class="sef-back"><a href="#contents">Back to contents</a></p>'


BLANK = {"", MISSING, NOT_AVAILABLE, NOT_APPLICABLE}


def compact(table: pd.DataFrame) -> pd.DataFrame:
    """The table as the page shows it: a column with nothing in any row (no numerator for a
    count ([z]), no England figure for a local measure ([x]), no note) is left out; the CSV
    and the workbook keep it, with its markers."""
    empty = [
        c
        for c in table.columns[1:]
        if table[c].map(lambda v: pd.isna(v) or str(v).strip() in BLANK).all()
    ]
    return table.drop(columns=empty)


def latest_signal(rec: dict) -> str:
    """The latest month's special-cause variation, for the trend chart's caption (markup),
    with a shape as well as the words: "" for common cause or none assessed."""
    variation = str(rec["variation"])
    if not variation.startswith("special cause") or pd.isna(rec["variation_month"]):
        return ""
    shape = {"special cause concern": "▼", "special cause improvement": "▲"}.get(variation, "◆")
    words = variation.replace("special cause", "special-cause variation")
    month = pd.Timestamp(rec["variation_month"])
    return (
        f'<br><span class="sef-signal"><span aria-hidden="true">{shape}</span> Latest month '
        f"({month:%B %Y}): {html.escape(words)}; the monthly control chart is below.</span>"
    )


class MoreCharts:
    """The charts after an indicator's table, collected while they are drawn and shown in one
    ``<details>`` (see :func:`more_charts`)."""

    def __init__(self) -> None:
        self.charts: list[tuple[str, object]] = []

    def add(self, what: str, chart: object) -> None:
        self.charts.append((what, chart))


@contextlib.contextmanager
def more_charts() -> Iterator[MoreCharts]:
    """Collect charts, then show them one click away: a ``<details>`` whose summary names
    them (nothing when none was drawn)."""
    more = MoreCharts()
    yield more
    if not more.charts:
        return
    names = [what for what, _ in more.charts]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    show_html(f'<details class="sef-more"><summary>More charts: {html.escape(listed)}</summary>')
    for _, chart in more.charts:  # no heading names these charts: the caption has the title
        show_figure(chart, titled=True)
    show_html("</details>")
