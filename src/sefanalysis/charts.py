"""Charts for every notebook, in the UK Government Analysis Function style (``afcharts``).

Every builder returns a :class:`Chart`: the figure, a headline title that states the finding, a
subtitle (measure, geography, period), a data-driven alt text sentence and the data behind it.
Colour never carries meaning alone: lines are labelled directly and markers differ.

Builders draw what they are given: a suppressed value arrives as missing and is neither drawn,
labelled nor described (titles and alt texts are written from the values shown only). SPC
limits arrive clipped to what the measure can take. ``notice`` (an internal run's "internal:
small numbers not suppressed") is written into the PNG and SVG metadata and as a column of the
chart's CSV.
"""

from __future__ import annotations

import functools
import io
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from afcharts.af_colours import get_af_colours

from .cache import cache_dir, cache_key, load, store
from .format import format_value, unit_label
from .periods import short_label
from .stats.intervals import funnel_limits_pct, funnel_limits_rate

if TYPE_CHECKING:
    import matplotlib.pyplot as plt
    from matplotlib.transforms import Bbox


@functools.cache
def _pyplot() -> ModuleType:
    """matplotlib (Agg), imported on the first drawing: a rerun that finds every chart in the
    cache never loads it, which saves a third of a second in each notebook kernel. Set up once
    (``matplotlib.use`` costs 15 ms a call)."""
    import matplotlib

    matplotlib.use("Agg")
    # SVG element ids from a fixed salt, not from object addresses: two runs, same files
    matplotlib.rcParams["svg.hashsalt"] = "sefanalysis"
    import matplotlib.pyplot as plt

    return plt


COLOURS = get_af_colours("categorical", number_of_colours=6)
MARKERS = ["o", "s", "^", "D", "v", "P"]
STYLE = "afcharts.afcharts"


def _palette(png: bytes) -> bytes:
    """A PNG re-encoded with an adaptive 256-colour palette (10 ms a chart), keeping its text
    metadata (e.g. an internal run's notice)."""
    from PIL import Image, PngImagePlugin

    image = Image.open(io.BytesIO(png))
    info = PngImagePlugin.PngInfo()
    for key, value in getattr(image, "text", {}).items():
        info.add_text(key, value)
    out = io.BytesIO()
    quantized = image.quantize(colors=256, method=Image.Quantize.FASTOCTREE)
    quantized.save(out, format="PNG", pnginfo=info)
    return out.getvalue()


@dataclass
class Chart:
    name: str
    figure: plt.Figure | None  # None when the chart came from the rerun cache
    title: str
    subtitle: str
    alt: str
    data: pd.DataFrame
    _png: bytes | None = field(default=None, repr=False)
    _svg: bytes | None = field(default=None, repr=False)
    bbox: Bbox | str = field(default="tight", repr=False)  # the area saved (see _laid_out)
    notice: str = ""  # e.g. "internal: small numbers not suppressed", in every file

    def png(self) -> bytes:
        """The chart as PNG, rendered once and reused for the file and the HTML page, with a
        256-colour palette: charts are flat colours, and it is about a quarter of the bytes of
        full colour (reviewer pages embed every chart and have a size budget)."""
        if self._png is None:
            meta = {"Software": None, **({"Description": self.notice} if self.notice else {})}
            self._png = _palette(self._render(format="png", dpi=100, metadata=meta))
        return self._png

    def svg(self) -> bytes:
        if self._svg is None:
            meta = {"Date": None, **({"Description": self.notice} if self.notice else {})}
            self._svg = self._render(format="svg", metadata=meta)
        return self._svg

    def _render(self, **savefig: object) -> bytes:
        """Drawn in the chart style, as it was laid out: ticks are chosen again at drawing time
        from the style's font sizes, so drawing outside it could pick other ticks than the
        layout made room for."""
        buf = io.BytesIO()
        with _pyplot().style.context(STYLE):
            self.figure.savefig(buf, bbox_inches=self.bbox, **savefig)
        return buf.getvalue()

    def files(self) -> dict[str, bytes]:
        """``<name>.png``, ``<name>.svg`` and the data behind the chart as ``<name>.csv`` (its
        text cells safe in a spreadsheet: an area name never becomes a formula)."""
        from .disclosure import INTERNAL_COLUMN
        from .safe_output import csv_bytes

        frame = self.data.assign(**{INTERNAL_COLUMN: self.notice}) if self.notice else self.data
        data = csv_bytes(frame)
        return {f"{self.name}.png": self.png(), f"{self.name}.svg": self.svg(),
                f"{self.name}.csv": data}  # fmt: skip

    def save(self, folder: str | Path) -> list[Path]:
        """Write :meth:`files` into ``folder``."""
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        paths = []
        for filename, content in self.files().items():
            paths.append(out / filename)
            paths[-1].write_bytes(content)
        return paths


def _rerun_cached(builder: Callable[..., Chart]) -> Callable[..., Chart]:
    """Reuse a chart drawn by an earlier run from identical inputs and code (see ``cache``):
    drawing the demo's 144 figures is most of a first run's time."""

    @functools.wraps(builder)
    def build(*args: object, **kwargs: object) -> Chart:
        if cache_dir() is None:
            return builder(*args, **kwargs)
        key = cache_key("chart", builder.__name__, args, kwargs)
        hit = load("charts", key)
        if isinstance(hit, Chart):
            return hit
        chart = builder(*args, **kwargs)
        chart.png(), chart.svg()
        store("charts", key, replace(chart, figure=None))
        return chart

    return build


def _laid_out(fig: plt.Figure) -> Bbox:
    """Lay the figure out (``tight_layout``) and return the area ``bbox_inches="tight"`` would
    save, measured with the layout's own renderer, whose text sizes are already known: "tight"
    in each savefig lays every text out again, an eighth of the time of drawing a chart."""
    import matplotlib

    fig.tight_layout()
    box = fig.get_tightbbox(fig._get_renderer())  # the renderer tight_layout used, any backend
    return box.padded(matplotlib.rcParams["savefig.pad_inches"])


def _titles(fig: plt.Figure, ax: plt.Axes, title: str, subtitle: str) -> None:
    ax.set_title(textwrap.fill(subtitle, 90), fontsize=10, loc="left", color="#3D3D3D", pad=10)
    fig.suptitle(textwrap.fill(title, 75), x=0.01, ha="left", fontsize=13, fontweight="bold")


def _finish_bars(fig: plt.Figure, ax: plt.Axes, title: str, subtitle: str, unit: str) -> Bbox:
    """Common finish of horizontal bar charts: first bar at the top, value gridlines only."""
    ax.invert_yaxis()
    ax.grid(axis="x")
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(unit_label(unit), fontsize=10)
    _titles(fig, ax, title, subtitle)
    return _laid_out(fig)


@_rerun_cached
def trend_chart(
    series: pd.DataFrame,
    name: str,
    title: str,
    subtitle: str,
    unit: str,
    comparators: pd.DataFrame | None = None,
    notice: str = "",
) -> Chart:
    """Line chart of ``value`` by ``period_end``; comparators (``label, period_end, value``)
    are drawn as further labelled lines."""
    data = series[["period_end", "value"]].assign(series=series.get("label", "This authority"))
    if comparators is not None and len(comparators):
        data = pd.concat([data, comparators.rename(columns={"label": "series"})[
            ["period_end", "value", "series"]]], ignore_index=True)  # fmt: skip
    order = list(dict.fromkeys(data["series"]))  # this authority first, then comparators
    data["series"] = pd.Categorical(data["series"], categories=order, ordered=True)
    data = data.sort_values(["series", "period_end"], kind="stable").reset_index(drop=True)
    data["series"] = data["series"].astype(str)
    plt = _pyplot()
    with plt.style.context(STYLE):
        fig, ax = plt.subplots(figsize=(8, 4.2))
        for i, label in enumerate(order):
            part = data.loc[data["series"] == label].dropna(subset=["value"])
            if part.empty:
                continue
            style = "-" if i == 0 else "--"
            ax.plot(part["period_end"], part["value"], style, marker=MARKERS[i % 6],
                    color=COLOURS[i % 6], linewidth=2.5 if i == 0 else 1.8)  # fmt: skip
            last = part.iloc[-1]
            ax.annotate(f"{label}: {format_value(last['value'], unit)}",
                        (last["period_end"], last["value"]), xytext=(8, 0),
                        textcoords="offset points", va="center", fontsize=10,
                        color=COLOURS[i % 6])  # fmt: skip
        periods = sorted(series["period_end"].unique())
        ax.set_xticks(periods, [short_label(pd.Timestamp(p)) for p in periods], rotation=0,
                      fontsize=9)  # fmt: skip
        ax.set_ylabel(unit_label(unit), fontsize=10)
        ax.set_ylim(bottom=0)
        ax.margins(x=0.02)
        _titles(fig, ax, title, subtitle)
        bbox = _laid_out(fig)
    own = series.dropna(subset=["value"])
    if own.empty:
        alt = f"Line chart of {subtitle}: no values available."
    else:
        first, last = own.iloc[0], own.iloc[-1]
        alt = (
            f"Line chart of {subtitle}. The value went from "
            f"{format_value(first['value'], unit)} in {short_label(first['period_end'])} to "
            f"{format_value(last['value'], unit)} in {short_label(last['period_end'])}."
        )
        if comparators is not None and len(comparators):
            alt += " Comparator lines: " + ", ".join(comparators["label"].unique()) + "."
    plt.close(fig)
    return Chart(name, fig, title, subtitle, alt, data, bbox=bbox, notice=notice)


@_rerun_cached
def bar_chart(
    frame: pd.DataFrame,
    name: str,
    title: str,
    subtitle: str,
    unit: str,
    label_col: str = "group",
    value_col: str = "value",
    missing_label: str = "–",
    notice: str = "",
) -> Chart:
    """Horizontal bars, one per group, each labelled with its value (``missing_label`` where
    there is none, e.g. ``[c]``: no bar is drawn)."""
    data = frame[[label_col, value_col]].reset_index(drop=True)
    plt = _pyplot()
    with plt.style.context(STYLE):
        fig, ax = plt.subplots(figsize=(8, 0.45 * len(data) + 1.6))
        ax.barh(data[label_col].astype(str), data[value_col].fillna(0), color=COLOURS[0])
        for y, v in enumerate(data[value_col]):
            text = missing_label if pd.isna(v) else format_value(v, unit)
            ax.annotate(text, (0 if pd.isna(v) else v, y), xytext=(4, 0),
                        textcoords="offset points", va="center", fontsize=10)  # fmt: skip
        bbox = _finish_bars(fig, ax, title, subtitle, unit)
    plt.close(fig)
    shown = data.dropna(subset=[value_col])
    if shown.empty:
        alt = f"Bar chart of {subtitle}: no values available."
    else:
        top = shown.loc[shown[value_col].idxmax()]
        low = shown.loc[shown[value_col].idxmin()]
        alt = (
            f"Bar chart of {subtitle} for {len(data)} groups. Highest: {top[label_col]} "
            f"({format_value(top[value_col], unit)}); lowest: {low[label_col]} "
            f"({format_value(low[value_col], unit)})."
        )
    return Chart(name, fig, title, subtitle, alt, data, bbox=bbox, notice=notice)


POINT_STYLE = {  # marker shape carries the meaning as well as colour
    "common cause": ("o", "#3D3D3D"),
    "special cause improvement": ("^", "#12436D"),
    "special cause concern": ("v", "#F46A25"),
    "special cause (neither)": ("D", "#801650"),
}


@_rerun_cached
def spc_chart(
    spc_frame: pd.DataFrame,
    name: str,
    title: str,
    subtitle: str,
    unit: str,
    trial: bool,
    target: float | None = None,
    notice: str = "",
) -> Chart:
    """XmR chart: monthly values, mean, process limits; special-cause points by shape."""
    data = spc_frame.rename(columns={"x": "period_end"})[
        ["period_end", "value", "mean", "lpl", "upl", "point_type"]]  # fmt: skip
    plt = _pyplot()
    with plt.style.context(STYLE):
        fig, ax = plt.subplots(figsize=(8, 4.2))
        ax.plot(data["period_end"], data["value"], "-", color="#A285D1", linewidth=1.2)
        for kind, (marker, colour) in POINT_STYLE.items():
            part = data.loc[data["point_type"] == kind]
            if len(part):
                ax.plot(part["period_end"], part["value"], marker, color=colour, markersize=7,
                        linestyle="none", label=kind.capitalize())  # fmt: skip
        limits = "trial limits" if trial else "process limits"
        ax.plot(data["period_end"], data["mean"], "-", color="#3D3D3D", linewidth=1)
        ax.plot(data["period_end"], data["upl"], "--", color="#3D3D3D", linewidth=1)
        ax.plot(data["period_end"], data["lpl"], "--", color="#3D3D3D", linewidth=1)
        last = data["period_end"].iloc[-1]
        for col, label in (("mean", "Mean"), ("upl", f"Upper {limits[:-1]}"),
                           ("lpl", f"Lower {limits[:-1]}")):  # fmt: skip
            ax.annotate(label, (last, data[col].iloc[-1]), xytext=(6, 0),
                        textcoords="offset points", va="center", fontsize=9)  # fmt: skip
        if target is not None:
            ax.axhline(target, color="#28A197", linestyle=":", linewidth=1.5)
            ax.annotate(
                f"Target {format_value(target, unit)}",
                (data["period_end"].iloc[0], target),
                xytext=(0, 4),
                textcoords="offset points",
                fontsize=9,
            )
        if ax.get_legend_handles_labels()[1]:  # no legend when every point is hidden
            ax.legend(loc="upper left", fontsize=9, ncol=2)
        ax.set_ylabel(unit_label(unit), fontsize=10)
        ax.tick_params(axis="x", labelsize=9)
        _titles(fig, ax, title, subtitle)
        bbox = _laid_out(fig)
    plt.close(fig)
    shown = data.dropna(subset=["value"])
    special = shown.loc[~shown["point_type"].isin(["common cause", ""])]
    alt = (f"Statistical process control chart of {subtitle}: {len(shown)} monthly values shown"
           + (f", from {format_value(shown['value'].iloc[0], unit)} to "
              f"{format_value(shown['value'].iloc[-1], unit)}" if len(shown) else "")
           + f"; mean {format_value(data['mean'].iloc[-1], unit)}, {limits} "
           f"{format_value(data['lpl'].iloc[-1], unit)} to "
           f"{format_value(data['upl'].iloc[-1], unit)}. "
           + (f"{len(special)} point(s) show special-cause variation."
              if len(special) else "All points shown show common-cause variation."))  # fmt: skip
    return Chart(name, fig, title, subtitle, alt, data, bbox=bbox, notice=notice)


@_rerun_cached
def funnel_chart(
    others: pd.DataFrame,
    own: dict,
    neighbours: set[str],
    centre: float,
    name: str,
    title: str,
    subtitle: str,
    unit: str = "pct",
    notice: str = "",
) -> Chart:
    """Funnel plot: every authority's percentage (against its denominator) or rate per 10,000
    (against its child population), with 95% and 99.8% limits around England (Fingertips
    methods, see ``stats.intervals``); this authority and its statistical neighbours marked by
    shape."""
    data = others[["area_code", "area_name", "denominator", "value"]].copy()
    data["group"] = data["area_code"].map(lambda c: "Statistical neighbour" if c in neighbours
                                          else "Other authority")  # fmt: skip
    data = pd.concat([data, pd.DataFrame([{**own, "group": "This authority"}])],
                     ignore_index=True)  # fmt: skip
    xs = np.linspace(max(data["denominator"].min() * 0.6, 1.0), data["denominator"].max() * 1.05,
                     300)  # fmt: skip
    limits = {c: (xs, *(funnel_limits_pct(centre, xs, c) if unit == "pct"
                        else funnel_limits_rate(centre, xs, 10_000, c)))
              for c in (0.95, 0.998)}  # fmt: skip
    plt = _pyplot()
    with plt.style.context(STYLE):
        fig, ax = plt.subplots(figsize=(8, 4.6))
        for conf, (xs, lo, hi) in sorted(limits.items()):
            style = "--" if conf < 0.99 else ":"
            label = f"{conf:.1%} limits".replace(".0%", "%")
            ax.plot(xs, lo, style, color="#3D3D3D", linewidth=1)
            ax.plot(xs, hi, style, color="#3D3D3D", linewidth=1, label=label)
        ax.axhline(centre, color="#3D3D3D", linewidth=1,
                   label=f"England {format_value(centre, unit)}")  # fmt: skip
        styles = {"Other authority": ("o", "#BFBFBF", 25), "Statistical neighbour":
                  ("s", "#28A197", 45), "This authority": ("*", "#12436D", 220)}  # fmt: skip
        for group, (marker, colour, size) in styles.items():
            part = data.loc[data["group"] == group]
            ax.scatter(part["denominator"], part["value"], marker=marker, color=colour, s=size,
                       label=group, zorder=3 if group == "This authority" else 2)  # fmt: skip
        ax.annotate(own["area_name"], (own["denominator"], own["value"]), xytext=(8, 6),
                    textcoords="offset points", fontsize=10, color="#12436D")  # fmt: skip
        ax.set_xlabel("Children aged 0-17 (population)" if unit == "rate_per_10k"
                      else "Denominator (number of children or events)", fontsize=10)  # fmt: skip
        ax.set_ylabel(unit_label(unit), fontsize=10)
        ax.xaxis.set_major_formatter("{x:,.0f}")  # thousands separators
        ax.legend(fontsize=8, loc="best")
        _titles(fig, ax, title, subtitle)
        bbox = _laid_out(fig)
    plt.close(fig)
    alt = (
        f"Funnel plot of {subtitle}: {len(data) - 1} other authorities plotted by size, with "
        f"95% and 99.8% limits around England ({format_value(centre, unit)}). This authority: "
        f"{format_value(own['value'], unit)} from a "
        f"{'population' if unit == 'rate_per_10k' else 'denominator'} of "
        f"{own['denominator']:,.0f}."
    )
    return Chart(name, fig, title, subtitle, alt, data, bbox=bbox, notice=notice)


@_rerun_cached
def ranking_chart(
    frame: pd.DataFrame,
    own_name: str,
    england: float | None,
    name: str,
    title: str,
    subtitle: str,
    unit: str,
    best_first_ascending: bool,
    notice: str = "",
) -> Chart:
    """Statistical-neighbour ranking: one bar per authority, best first; this authority's bar is
    hatched and labelled (not colour alone); England as a labelled line."""
    data = frame[["area_name", "value"]].sort_values("value", ascending=best_first_ascending)
    data = data.reset_index(drop=True)
    plt = _pyplot()
    with plt.style.context(STYLE):
        fig, ax = plt.subplots(figsize=(8, 0.42 * len(data) + 1.8))
        own = data["area_name"] == own_name
        bars = ax.barh(data["area_name"], data["value"],
                       color=[COLOURS[0] if o else "#BFBFBF" for o in own])  # fmt: skip
        for bar, is_own in zip(bars, own, strict=True):
            if is_own:
                bar.set_hatch("//")
                bar.set_edgecolor("white")
        for y, (v, is_own) in enumerate(zip(data["value"], own, strict=True)):
            ax.annotate(format_value(v, unit) + ("  (this authority)" if is_own else ""),
                        (v, y), xytext=(4, 0), textcoords="offset points", va="center",
                        fontsize=9)  # fmt: skip
        if england is not None and pd.notna(england):
            ax.axvline(england, color="#F46A25", linestyle="--", linewidth=1.5)
            ax.annotate(f"England {format_value(england, unit)}", (england, len(data) - 0.4),
                        xytext=(4, 0), textcoords="offset points", fontsize=9,
                        color="#3D3D3D")  # fmt: skip
        bbox = _finish_bars(fig, ax, title, subtitle, unit)
    plt.close(fig)
    position = int(own.idxmax()) + 1 if own.any() else None
    alt = (f"Bar chart ranking {len(data)} authorities on {subtitle}, best first"
           + (f"; this authority is {position} of {len(data)}" if position else "")
           + (f"; England {format_value(england, unit)}." if england is not None
              and pd.notna(england) else "."))  # fmt: skip
    return Chart(name, fig, title, subtitle, alt, data, bbox=bbox, notice=notice)
