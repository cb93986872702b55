"""The report sections behind :class:`~sefanalysis.report.area.AreaReport`: load, compute, and
show each indicator with its headline sentence, chart and table; every chart and table is also
written to the run folder. Imported only when a section is not in the rerun cache."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..benchmarking import benchmark, rag
from ..cache import cached, fingerprint
from ..charts import Chart, bar_chart, funnel_chart, ranking_chart, spc_chart, trend_chart
from ..dataset import Dataset, load_dataset_cached
from ..disclosure import MARKER, MODES, NOTE, suppress_parts, suppressed_rows
from ..errors import SefError
from ..format import format_value
from ..indicators.engine import (
    AGE_BANDS,
    ASSESSMENT_BANDS,
    ICPC_BANDS,
    compute_indicators,
)
from ..indicators.registry import AREAS, REGISTRY, Indicator
from ..periods import (
    month_ends_back,
    parse_period_end,
    period_label,
    quarter_ends_back,
    snapshot_label,
)
from ..stats.spc import xmr
from .area import ReportParameters
from .display import (
    show_figure,
    show_heading,
    show_table,
    show_text,
    write_output,
)

IMPROVEMENT = {"higher_better": "increase", "lower_better": "decrease", "neutral": "neutral"}
SPC_MONTHS = 24
TABLE_COLUMNS = {"label": "Period", "value_text": "Value", "numerator": "Numerator",
                 "denominator": "Denominator", "note": "Note"}  # fmt: skip


def iso(ts: pd.Timestamp) -> str:
    return ts.strftime("%Y-%m-%d")


@dataclass
class AreaSections(ReportParameters):
    """Every section of an area report, computed and drawn (see ``AreaReport``)."""

    def __post_init__(self) -> None:
        self.end = parse_period_end(self.period_end)
        if self.disclosure_mode not in MODES:
            raise SefError(f"disclosure_mode {self.disclosure_mode!r} is not accepted: expected "
                           "'published' or 'internal'")  # fmt: skip
        self.published = self.disclosure_mode == "published"
        self.periods = quarter_ends_back(self.end, self.quarters)
        self.data_key = fingerprint(self.data_dir)  # reruns on unchanged data reuse the results
        self.out = Path(self.output_dir)
        # the data and results below are loaded on first use: a rerun whose report sections
        # all come from the cache never needs them

    @functools.cached_property
    def dataset(self) -> Dataset:
        cache = Path(self.output_dir) / "analyst" / "dataset.pickle"
        return load_dataset_cached(self.data_dir, cache, strict=True)

    @functools.cached_property
    def values(self) -> pd.DataFrame:
        """Every indicator at the quarter ends shown, flagged where suppressed."""
        quarters = [iso(p) for p in self.periods]
        values = cached("indicators", (self.data_key, quarters, self.window),
                        lambda: compute_indicators(self.dataset, quarters,
                                                   window=self.window))  # fmt: skip
        values["suppressed"] = self.published & suppressed_rows(values)
        return values

    @functools.cached_property
    def compared(self) -> pd.DataFrame:
        quarters = [iso(p) for p in self.periods]
        values = self.values.drop(columns="suppressed")
        return cached("benchmark", (self.data_key, quarters, self.window),
                      lambda: benchmark(values, self.dataset)).set_index(
            ["indicator_id", "period_end"])  # fmt: skip

    @functools.cached_property
    def monthly(self) -> pd.DataFrame:
        """Monthly values (1-month windows) for SPC; suppressed points are not plotted or used."""
        months = [iso(m) for m in month_ends_back(self.end, SPC_MONTHS)]
        monthly = cached("indicators", (self.data_key, months, "1m"),
                         lambda: compute_indicators(self.dataset, months, window="1m",
                                                    month_ends=True))  # fmt: skip
        monthly["suppressed"] = self.published & suppressed_rows(monthly)
        if self.published:
            monthly.loc[monthly["suppressed"], "value"] = float("nan")
        return monthly

    @functools.cached_property
    def targets(self) -> pd.DataFrame:
        targets = self.dataset.table("targets")
        return (targets.set_index("indicator_id") if targets is not None
                else pd.DataFrame(columns=["target", "tolerance"]))  # fmt: skip

    @property
    def mode_note(self) -> str:
        return NOTE if self.published else "Internal: small numbers are not suppressed."

    # ----------------------------------------------------------------------------- context
    def label(self, ind: Indicator, period_end: pd.Timestamp) -> str:
        if ind.kind == "snapshot":
            return snapshot_label(period_end)
        return f"in the {period_label(period_end, self.window)}"

    def show_context(self) -> None:
        """Who, when and how complete: the paragraph under each report's title."""
        a = self.dataset.authority
        extract = f"{a.extract_date:%d %B %Y}" if a.extract_date is not None else "not stated"
        n_problems = len(self.dataset.problems)
        show_text(
            f"{a.la_name}. Flow measures cover the {period_label(self.end, self.window)} "
            f"(the 12 months ending {self.end:%d %B %Y}); snapshot measures are "
            f"{snapshot_label(self.end)}. Data extracted {extract}. Trends show the "
            f"{self.quarters} quarter ends to {self.end:%B %Y}."
        )
        show_text(
            f"Data quality: {n_problems} problem(s) were found while loading the data; each is "
            "listed in the data-quality report, and affected rows are left out of the measures "
            "they affect only."
        )
        if a.synthetic:
            show_text(
                "This is a synthetic demonstration authority: no real child is "
                "represented and the comparator values are synthetic.",
                "sef-warning",
            )

    # ----------------------------------------------------------------------------- comparators
    def england(self, indicator_id: str) -> pd.DataFrame:
        bench = self.dataset.table("benchmarks")
        if bench is None or bench.empty:
            return pd.DataFrame(columns=["label", "period_end", "value"])
        eng = bench.loc[(bench["indicator_id"] == indicator_id) & (bench["area_type"] == "england")]
        eng = eng.loc[eng["time_period"].between(self.periods[0], self.end)]
        return pd.DataFrame({"label": "England", "period_end": eng["time_period"],
                             "value": eng["value"].astype(float)})  # fmt: skip

    # ----------------------------------------------------------------------------- statements
    def spc(self, ind: Indicator):
        """Making Data Count XmR of the monthly values (1-month windows) over 24 months."""
        series = self.monthly.loc[self.monthly["indicator_id"] == ind.id]
        target = self.target(ind.id)[0]
        return series, xmr(series["value"], x=series["period_end"],
                           improvement=IMPROVEMENT[ind.polarity], target=target)  # fmt: skip

    def show_value(self, row: pd.Series, unit: str, with_unit: bool = True) -> str:
        """A value for display: ``[c]`` where suppressed, else rounded with its unit."""
        if row.get("suppressed", False):
            return MARKER
        return format_value(row["value"], unit, with_unit)

    def target(self, indicator_id: str) -> tuple[float | None, float | None]:
        if indicator_id not in self.targets.index:
            return None, None
        row = self.targets.loc[indicator_id]
        row = row.iloc[0] if isinstance(row, pd.DataFrame) else row
        return float(row["target"]), float(row.get("tolerance", 0) or 0)

    def statement(self, ind: Indicator) -> str:
        """A sentence an analyst can paste into the SEF. It claims a change only where the SPC
        rules find special-cause variation, and a difference from England only where the
        95% interval excludes England's value."""
        rows = self.values.loc[self.values["indicator_id"] == ind.id].set_index("period_end")
        now = rows.loc[self.end]
        if pd.isna(now["value"]):
            return f"{ind.title}: no value {self.label(ind, self.end)} ({now['note']})."
        if now["suppressed"]:
            return (
                f"{ind.title}: {MARKER} {self.label(ind, self.end)} (a small number, "
                "suppressed in published reports)."
            )
        comp = self.compared.loc[(ind.id, self.end)]
        text = f"{ind.title} was {format_value(now['value'], ind.unit)} {self.label(ind, self.end)}"
        year_ago = self.end - pd.DateOffset(years=1) + pd.offsets.QuarterEnd(0)
        if year_ago in rows.index and pd.notna(rows.loc[year_ago, "value"]):
            before = self.show_value(rows.loc[year_ago], ind.unit)
            text += f", compared with {before} a year earlier"
        _, result = self.spc(ind)
        recent = result.frame.tail(6)
        if result.variation == "too few points":
            pass
        elif (recent["point_type"] == "special cause improvement").any():
            text += "; monthly figures show a significant improvement (special-cause variation)"
        elif (recent["point_type"] == "special cause concern").any():
            text += "; monthly figures show a significant deterioration (special-cause variation)"
        elif (recent["point_type"] == "special cause (neither)").any():
            text += "; monthly figures show a significant shift (special-cause variation)"
        else:
            text += "; monthly figures show only normal (common-cause) variation"
        if pd.notna(comp["england"]):
            text += (
                f". England: {format_value(comp['england'], ind.unit)} (year to "
                f"{comp['benchmark_period']:%B %Y})"
            )
            if comp["significance"] != "not compared":
                text += f"; this authority is {comp['significance']}"
            if pd.notna(comp["sn_mean"]):
                text += (
                    f"; statistical neighbours average {format_value(comp['sn_mean'], ind.unit)}"
                )
        return text + "."

    # ----------------------------------------------------------------------------- tables
    def trend_table(self, ind: Indicator) -> pd.DataFrame:
        rows = self.values.loc[self.values["indicator_id"] == ind.id].copy()
        labels = [self.label(ind, p).replace("in the ", "") for p in rows["period_end"]]
        rows["label"] = [t[:1].upper() + t[1:] for t in labels]  # "Year to March 2024"
        rows["value_text"] = [self.show_value(r, ind.unit) for _, r in rows.iterrows()]
        if ind.aggregate in {"count", "sum", "mean", "median"}:
            rows["numerator"] = pd.NA
        if ind.aggregate in {"count", "sum"}:
            rows["denominator"] = pd.NA
        hide = rows["suppressed"].to_numpy()
        table = rows[list(TABLE_COLUMNS)].rename(columns=TABLE_COLUMNS)
        for col in ("Numerator", "Denominator"):
            shown = [format_value(v, "count") if pd.notna(v) else "–" for v in table[col]]
            # the population behind a rate is public; every other part of a small row is hidden
            keep_col = col == "Denominator" and ind.unit == "rate_per_10k"
            table[col] = [MARKER if h and not keep_col and t != "–" else t
                          for h, t in zip(hide, shown, strict=True)]  # fmt: skip
        return table.reset_index(drop=True)

    def summary_table(self, area: str) -> pd.DataFrame:
        latest = self.values.loc[(self.values["area"] == area)
                                 & (self.values["period_end"] == self.end)]  # fmt: skip
        rows = []
        for rec in latest.itertuples(index=False):
            ind = REGISTRY[rec.indicator_id]
            comp = self.compared.loc[(ind.id, self.end)]
            target, tolerance = self.target(ind.id)
            interval = "–"
            if pd.notna(comp["ci_low"]):
                interval = (
                    f"{format_value(comp['ci_low'], ind.unit, False)} to "
                    f"{format_value(comp['ci_high'], ind.unit, False)}"
                )
            rows.append({
                "Indicator": ind.title,
                "Latest": MARKER if rec.suppressed else format_value(rec.value, ind.unit),
                "95% interval": MARKER if rec.suppressed else interval,
                "Change on a year": comp["direction_year"],
                "England": format_value(comp["england"], ind.unit),
                "Statistical neighbours": format_value(comp["sn_mean"], ind.unit),
                "Band (A best)": comp["band"] or "–",
                "Compared with England": comp["significance"],
                "Target": "–" if target is None or rec.suppressed else (
                    f"{format_value(target, ind.unit)}: "
                    f"{rag(rec.value, target, tolerance or 0, ind.polarity)}"),
                "Note": rec.note,
            })  # fmt: skip
        return pd.DataFrame(rows)

    # ----------------------------------------------------------------------------- display
    def show_summary(self, area: str) -> None:
        table = self.summary_table(area)
        self._write_table(table, f"{area}_summary")
        show_table(
            table,
            f"{AREAS[area]}: every indicator, {snapshot_label(self.end)} or "
            f"the {period_label(self.end, self.window)}",
            f"tbl-summary-{area}",
        )

    def show_indicator(self, indicator_id: str) -> None:
        ind = REGISTRY[indicator_id]
        show_heading(ind.title, 3, anchor=f"ind-{ind.id}")
        statement = self.statement(ind)
        show_text(statement, "sef-headline")
        series = self.values.loc[self.values["indicator_id"] == ind.id].copy()
        series.loc[series["suppressed"], "value"] = float("nan")  # never plotted when published
        name = ind.id
        if series["value"].isna().all():  # nothing to draw: the sentence and table say why
            table = self.trend_table(ind)
            self._write_table(table, name)
            show_table(
                table,
                f"{ind.title}: {self.quarters} quarter ends to {self.end:%B %Y}. "
                f"Source: {ind.source}. {self.mode_note}",
                f"tbl-{ind.id}",
            )
            return
        basis = "quarter ends" if ind.kind == "snapshot" else "rolling 12 months to quarter ends"
        subtitle = (f"{ind.title} ({ind.unit.replace('_', ' ')}), "
                    f"{self.dataset.authority.la_name.split(' (')[0]}, "
                    f"{basis} {self.periods[0]:%b %Y} to {self.end:%b %Y}")  # fmt: skip
        chart = trend_chart(series.assign(label=self.dataset.authority.la_name.split(" (")[0]),
                            name, statement.split(";")[0], subtitle, ind.unit,
                            self.england(ind.id))  # fmt: skip
        self._save_chart(chart)
        show_figure(chart)
        self.show_comparators(ind)
        series, result = self.spc(ind)
        if result.variation != "too few points":
            limits = "trial limits" if result.trial_limits else "limits"
            spc = spc_chart(result.frame, f"{name}_spc",
                            f"{ind.title}: {result.variation} in the latest month",
                            f"{ind.title}, monthly values with XmR {limits}, "
                            f"{series['period_end'].iloc[0]:%b %Y} to {self.end:%b %Y}",
                            ind.unit, result.trial_limits, self.target(ind.id)[0])  # fmt: skip
            self._save_chart(spc)
            show_figure(spc)
        table = self.trend_table(ind)
        self._write_table(table, name)
        show_table(
            table,
            f"{ind.title}: {self.quarters} quarter ends to {self.end:%B %Y}. Source: {ind.source}.",
            f"tbl-{ind.id}",
        )

    def show_comparators(self, ind: Indicator) -> None:
        """Statistical-neighbour ranking and, for percentages and rates with published
        denominators, a funnel plot against all authorities (latest published year)."""
        comp = self.compared.loc[(ind.id, self.end)]
        bench = self.dataset.table("benchmarks")
        if bench is None or pd.isna(comp["benchmark_period"]):
            return
        period = comp["benchmark_period"]
        own = self.values.loc[(self.values["indicator_id"] == ind.id)
                              & (self.values["period_end"] == period)]  # fmt: skip
        if own.empty or pd.isna(own["value"].iloc[0]) or own["suppressed"].iloc[0]:
            return
        own_row = own.iloc[0]
        name = self.dataset.authority.la_name.split(" (")[0]
        las = bench.loc[(bench["indicator_id"] == ind.id) & (bench["time_period"] == period)
                        & (bench["area_type"] == "la")]  # fmt: skip
        sn = self.dataset.table("statistical_neighbours")
        sn_codes = set(sn["area_code"]) if sn is not None else set()
        year = f"year to {period:%B %Y}"
        if sn_codes and ind.polarity != "neutral":
            table = pd.concat(
                [
                    las.loc[las["area_code"].isin(sn_codes), ["area_name", "value"]],
                    pd.DataFrame([{"area_name": name, "value": own_row["value"]}]),
                ]
            )
            chart = ranking_chart(table, name, comp["england"], f"{ind.id}_neighbours",
                                  f"{ind.title}: {name} and its statistical neighbours",
                                  f"{ind.title}, {year}", ind.unit,
                                  ind.polarity == "lower_better")  # fmt: skip
            self._save_chart(chart)
            show_figure(chart)
        if (ind.unit in {"pct", "rate_per_10k"} and "denominator" in las
                and las["denominator"].notna().any() and pd.notna(comp["england"])
                and own_row["denominator"] > 0):  # fmt: skip
            chart = funnel_chart(las.dropna(subset=["denominator"]),
                                 {"area_code": self.dataset.authority.la_code, "area_name": name,
                                  "denominator": own_row["denominator"],
                                  "value": own_row["value"]}, sn_codes, comp["england"],
                                 f"{ind.id}_funnel", f"{ind.title}: {name} against all "
                                 "authorities", f"{ind.title}, {year}", ind.unit)  # fmt: skip
            self._save_chart(chart)
            show_figure(chart)

    def show_distribution(self, indicator_id: str, by: str, title: str) -> None:
        """How the units behind an indicator spread over groups (e.g. assessment durations by
        band, audits by grade): number and share of the total, with secondary suppression."""
        ind = REGISTRY[indicator_id]
        frame = cached("indicators", (self.data_key, iso(self.end), self.window, indicator_id, by),
                       lambda: compute_indicators(self.dataset, iso(self.end), window=self.window,
                                                  ids=[indicator_id], by=by))  # fmt: skip
        counts = frame["numerator"] if ind.aggregate in {"count", "sum"} else frame["denominator"]
        frame = frame.assign(count=counts.fillna(0)).set_index("group")
        order = {"duration_band": [b[2] for b in ASSESSMENT_BANDS if indicator_id.startswith(
                     "assessment")] or [b[2] for b in ICPC_BANDS],
                 "grade": ["Outstanding", "Good", "Requires improvement", "Inadequate"],
                 "age_band": [b[2] for b in AGE_BANDS]}.get(by)  # fmt: skip
        if order:
            frame = frame.reindex([g for g in order if g in frame.index]
                                  + [g for g in frame.index if g not in order])  # fmt: skip
        total = frame["count"].sum()
        hidden = suppress_parts(frame["count"]) if self.published else frame["count"] < 0
        share = (100 * frame["count"] / total).where(~hidden) if total else frame["count"] * 0
        table = pd.DataFrame({
            "Group": frame.index,
            "Number": [MARKER if h else format_value(v, "count")
                       for h, v in zip(hidden, frame["count"], strict=True)],
            "Share of total": [MARKER if h else format_value(v, "pct")
                               for h, v in zip(hidden, share, strict=True)],
        })  # fmt: skip
        name = f"{indicator_id}_by_{by}"
        subtitle = f"{title}, {self.dataset.authority.la_name.split(' (')[0]}, " + (
            f"{period_label(self.end, self.window)}"
        )
        show_heading(title, 3, anchor=f"dist-{name}")
        if table.empty:
            show_text(f"No records {self.label(ind, self.end)}.")
            return
        if total:
            chart = bar_chart(pd.DataFrame({"group": frame.index, "value": share.to_numpy()}),
                              name, f"{title}: {format_value(total, 'count')} in total",
                              subtitle, "pct")  # fmt: skip
            self._save_chart(chart)
            show_figure(chart)
        self._write_table(table, name)
        show_table(
            table,
            f"{title}, {period_label(self.end, self.window)}. {self.mode_note}",
            f"tbl-{name}",
        )

    def _write_table(self, table: pd.DataFrame, name: str) -> None:
        csv = table.to_csv(index=False, lineterminator="\n").encode("utf-8")
        write_output(self.out, f"tables/{name}.csv", csv)

    def _save_chart(self, chart: Chart) -> None:
        """The chart's files (PNG, SVG and the data as CSV) under ``charts/``."""
        for filename, content in chart.files().items():
            write_output(self.out, f"charts/{filename}", content)

    # ----------------------------------------------------------------------------- sources
    def reconciliation_table(self) -> pd.DataFrame:
        """The CIN census's figures beside Annex A's for the same years to 31 March (census
        returns up to the period end), small numbers suppressed in published reports (and the
        difference with them, which would give one source's figure from the other)."""
        from ..indicators.census import reconcile

        table = cached("reconciliation", (self.data_key,), lambda: reconcile(self.dataset))
        table = table.loc[table["period_end"] <= self.end]

        def hidden(prefix: str) -> pd.Series:
            parts = pd.DataFrame({"unit": table["unit"], "value": table[f"{prefix}_value"],
                                  "numerator": table[f"{prefix}_numerator"],
                                  "denominator": table[f"{prefix}_denominator"]})  # fmt: skip
            return self.published & suppressed_rows(parts)

        census, annex = hidden("census"), hidden("annex_a")  # DfE's own figure is public
        show = lambda v, u, h: MARKER if h else format_value(v, u)  # noqa: E731
        out = pd.DataFrame({
            "Indicator": table["title"],
            "Year to": [f"{d:%d %B %Y}" for d in table["period_end"]],
            "CIN census (official)": [show(v, u, h) for v, u, h in
                                      zip(table["census_value"], table["unit"], census,
                                          strict=True)],
            "Annex A": [show(v, u, h) for v, u, h in
                        zip(table["annex_a_value"], table["unit"], annex, strict=True)],
            "Difference (census minus Annex A)": [
                MARKER if h1 or h2 else (f"{format_value(v, u, False)} points" if u == "pct"
                                         and pd.notna(v) else format_value(v, u))
                for v, u, h1, h2 in zip(table["difference"], table["unit"], census, annex,
                                        strict=True)],
            "DfE published": [format_value(v, u) for v, u in
                              zip(table["published_value"], table["unit"], strict=True)],
            "Note": table["note"],
        }).reset_index(drop=True)  # fmt: skip
        if table["published_value"].isna().all():  # the authority's own row is not published
            out = out.drop(columns="DfE published")
        return out

    def show_reconciliation(self) -> None:
        """The CIN census and Annex A compared for the same years (see ``reconciliation_table``)."""
        show_heading("The CIN census and Annex A compared", 3, anchor="reconciliation")
        table = self.reconciliation_table()
        if table.empty:
            show_text("No CIN census return was supplied (a cin_census/ folder of the XML "
                      "returns), so every value above comes from Annex A.")  # fmt: skip
            return
        show_text("Where the authority's CIN census return is supplied it is the official "
                  "source for its year to 31 March (the figures DfE publishes come from it), and "
                  "Annex A gives every other period. The two are built differently (Annex A "
                  "lists are extracted later and measure some timescales from other dates), so "
                  "they can differ; the table shows by how much.")  # fmt: skip
        self._write_table(table, "reconciliation_cin_census_annex_a")
        show_table(table, f"CIN census and Annex A figures for the same years to 31 March. "
                   f"{self.mode_note}", "tbl-reconciliation")  # fmt: skip
