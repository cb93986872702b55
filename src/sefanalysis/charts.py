"""Charts for every notebook, in the UK Government Analysis Function style (``afcharts``), drawn
once for the page, Word and print.

Every builder returns a :class:`Chart`: the figure, a headline title that states the finding, a
subtitle (measure, geography, period), a data-driven alt text sentence, its source and the data
behind it. Colour never carries meaning alone: lines are labelled directly and markers differ,
and every text colour has a contrast of at least 4.5:1 on white (:func:`readable`).

Sizes: every chart is 16 cm wide (a Word or A4 text column) at a fixed height for its kind
(:data:`HEIGHTS_CM`); the PNG is 300 dpi, so 1,890 pixels wide whatever its labels. No title is
drawn into the image by default: the title, subtitle, source and alt text are written beside it
(``<name>.json``, :meth:`Chart.meta`) for the page's caption, Word's caption and alt text. The
SVG keeps its text as text (``svg.fonttype = "none"``: searchable, selectable, read by screen
readers) and opens with ``<title>`` and ``<desc>`` (the alt text).

Builders draw what they are given: a suppressed value arrives as missing and is neither drawn,
labelled nor described (titles and alt texts are written from the values shown only). SPC
limits arrive clipped to what the measure can take. ``notice`` (an internal run's "internal:
small numbers not suppressed") is written into the PNG and SVG metadata, the sidecar and as a
column of the chart's CSV.
"""

from __future__ import annotations

import contextlib
import functools
import html
import io
import json
import re
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from afcharts.af_colours import get_af_colours

from .cache import cache_dir, cache_key, load, store
from .format import format_value, unit_label
from .periods import short_label
from .stats.intervals import funnel_limits_pct, funnel_limits_rate

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

COLOURS = get_af_colours("categorical", number_of_colours=6)
MARKERS = ["o", "s", "^", "D", "v", "P"]
STYLE = "afcharts.afcharts"
TEXT = "#3D3D3D"  # labels and annotations (10.4:1 on white)

DPI = 300
WIDTH_CM = 16.0  # a Word/A4 text column
HEIGHTS_CM = {"trend": 8.5, "spc": 8.5, "funnel": 9.5, "ranking": 10.0, "bar": 7.5}
FONT = {"font.size": 9, "axes.labelsize": 9, "xtick.labelsize": 8.5, "ytick.labelsize": 8.5,
        "legend.fontsize": 8, "svg.fonttype": "none"}  # fmt: skip


def px(cm: float) -> int:
    """Whole pixels at :data:`DPI` for a length in centimetres (the figure is sized to them, so
    the PNG is exactly this size: 16 cm is 1,890 pixels)."""
    return round(cm / 2.54 * DPI)


def _luminance(colour: str) -> float:
    from matplotlib.colors import to_rgb

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in to_rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(colour: str, background: str = "#FFFFFF") -> float:
    """WCAG 2 contrast ratio of two colours (1 to 21)."""
    a, b = sorted((_luminance(colour), _luminance(background)), reverse=True)
    return (a + 0.05) / (b + 0.05)


@functools.cache
def readable(colour: str, ratio: float = 4.5) -> str:
    """``colour`` darkened just enough for text on white (WCAG AA, 4.5:1): the Analysis
    Function's turquoise and orange lines are 3:1, too light for their labels."""
    from matplotlib.colors import to_hex, to_rgb

    rgb = np.array(to_rgb(colour))
    for step in np.linspace(1, 0, 101):
        shade = to_hex(rgb * step)
        if contrast(shade) >= ratio:
            return shade
    return "#000000"


@contextlib.contextmanager
def _drawing(name: str = "") -> Iterator[None]:
    """The chart style, text sizes for a 16 cm figure, text kept as text in SVG, and SVG element
    ids salted by the chart's name: fixed across runs, distinct between charts inlined in one
    page."""
    import matplotlib
    import matplotlib.style

    with (
        matplotlib.style.context(STYLE),
        matplotlib.rc_context({**FONT, "svg.hashsalt": f"sefanalysis-{name}"}),
    ):
        yield


def _figure(kind: str) -> tuple[Figure, Axes]:
    """A figure of the width and the kind's height, on its own Agg canvas (no pyplot: no global
    figure list, and a rerun that finds every chart in the cache never imports it)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(px(WIDTH_CM) / DPI, px(HEIGHTS_CM[kind]) / DPI), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig, fig.subplots()


def _laid_out(fig: Figure) -> None:
    """Fit the axes, labels and annotations inside the fixed figure (measured with the
    renderer that will draw the PNG): the saved area is the whole figure, never "tight". A
    label placed at a data point moves as the axes shrink, so one pass can leave it cut off at
    the edge: the layout is repeated (at most twice more) until everything is inside."""
    renderer = fig.canvas.get_renderer()
    for _ in range(3):
        fig.tight_layout(pad=0.3)
        box = fig.get_tightbbox(renderer)
        width, height = fig.get_size_inches()
        if box.x0 >= 0 and box.y0 >= 0 and box.x1 <= width and box.y1 <= height:
            return


def _spread(values: list[float], low: float, high: float, gap: float) -> list[float]:
    """Label heights at least ``gap`` apart, each as near its value as it can be (labels at
    the ends of lines that end close together would print over each other)."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    placed = [0.0] * len(values)
    floor = low - gap
    for i in order:
        placed[i] = max(values[i], floor + gap)
        floor = placed[i]
    overflow = floor - high
    if overflow > 0:  # pushed past the top: move the stack down, keeping the gaps
        for i in order:
            placed[i] -= overflow
    return placed


def _png(fig: Figure, metadata: dict[str, str]) -> bytes:
    """The figure drawn once on its Agg canvas and encoded with an adaptive 256-colour palette
    (charts are flat colours: about a quarter of the bytes of full colour), at 300 dpi."""
    from PIL import Image, PngImagePlugin

    fig.canvas.draw()
    size = fig.canvas.get_width_height(physical=True)
    # read the canvas in place (a strided array copy took 17 ms a chart), drop the alpha
    rgba = Image.frombuffer("RGBA", size, fig.canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    image = rgba.convert("RGB")
    info = PngImagePlugin.PngInfo()
    for key, value in metadata.items():
        info.add_text(key, value)
    out = io.BytesIO()
    image.quantize(colors=256, method=Image.Quantize.FASTOCTREE).save(
        out, format="PNG", pnginfo=info, dpi=(DPI, DPI)
    )
    return out.getvalue()


def _accessible_svg(svg: bytes, name: str, title: str, desc: str) -> bytes:
    """``<title>`` and ``<desc>`` first in the ``<svg>`` (read by screen readers, and shown as a
    tooltip), with ``role="img"`` and ``aria-labelledby`` naming them."""
    ident = re.sub(r"[^A-Za-z0-9_-]", "-", name) or "chart"
    text = svg.decode("utf-8")
    opening = re.search(r"<svg\b[^>]*>", text)
    if opening is None:
        return svg
    tag = opening.group(0)[:-1] + (f' role="img" aria-labelledby="{ident}-title {ident}-desc">')
    inner = (
        f'\n <title id="{ident}-title">{html.escape(title, quote=False)}</title>'
        f'\n <desc id="{ident}-desc">{html.escape(desc, quote=False)}</desc>'
    )
    return (text[: opening.start()] + tag + inner + text[opening.end() :]).encode("utf-8")


@dataclass
class Chart:
    name: str
    figure: Figure | None  # None when the chart came from the rerun cache
    title: str
    subtitle: str
    alt: str
    data: pd.DataFrame
    _png: bytes | None = field(default=None, repr=False)
    _svg: bytes | None = field(default=None, repr=False)
    notice: str = ""  # e.g. "internal: small numbers not suppressed", in every file
    kind: str = ""  # trend, spc, funnel, ranking or bar: the height (HEIGHTS_CM)
    source: str = ""  # where the figures come from, for the caption

    def png(self) -> bytes:
        """The chart as a 300-dpi PNG, drawn once and reused for the file and the page."""
        if self._png is None:
            meta = {"Title": self.title, **({"Description": self.notice} if self.notice else {})}
            with _drawing(self.name):  # ticks are chosen at drawing time, in the style
                self._png = _png(self.figure, meta)
        return self._png

    def svg(self) -> bytes:
        """The chart as SVG with live text, a ``<title>`` and a ``<desc>`` (the alt text)."""
        if self._svg is None:
            # the title is written as the first <title> (below), not a second one here
            meta = {"Date": None, **({"Description": self.notice} if self.notice else {})}
            buf = io.BytesIO()
            with _drawing(self.name):
                self.figure.savefig(buf, format="svg", metadata=meta)
            self._svg = _accessible_svg(buf.getvalue(), self.name, self.title, self.alt)
        return self._svg

    def inline_svg(self) -> str:
        """The SVG element alone, for inlining in an HTML page (no XML declaration)."""
        text = self.svg().decode("utf-8")
        return text[text.index("<svg") :]

    def meta(self) -> dict[str, object]:
        """What is written beside the chart (``<name>.json``) and used by every output: the
        caption (title, subtitle, source), the alt text, the internal notice and the size."""
        height = HEIGHTS_CM.get(self.kind)
        return {
            "name": self.name,
            "kind": self.kind,
            "title": self.title,
            "subtitle": self.subtitle,
            "source": self.source,
            "alt": self.alt,
            "notice": self.notice,
            "width_cm": WIDTH_CM,
            "height_cm": height,
            "dpi": DPI,
            "width_px": px(WIDTH_CM),
            "height_px": px(height) if height else None,
            "files": {"png": f"{self.name}.png", "svg": f"{self.name}.svg",
                      "data": f"{self.name}.csv"},
        }  # fmt: skip

    def files(self) -> dict[str, bytes]:
        """``<name>.png``, ``<name>.svg``, the data behind the chart as ``<name>.csv`` (its
        text cells safe in a spreadsheet: an area name never becomes a formula) and the
        caption and alt text as ``<name>.json``."""
        from .disclosure import INTERNAL_COLUMN
        from .safe_output import csv_bytes

        frame = self.data.assign(**{INTERNAL_COLUMN: self.notice}) if self.notice else self.data
        data = csv_bytes(frame)
        meta = json.dumps(self.meta(), indent=1, ensure_ascii=False).encode("utf-8")
        return {f"{self.name}.png": self.png(), f"{self.name}.svg": self.svg(),
                f"{self.name}.csv": data, f"{self.name}.json": meta}  # fmt: skip

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
    drawing the figures is most of a first run's time."""

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


def _titles(fig: Figure, ax: Axes, title: str, subtitle: str) -> None:
    """Title and subtitle drawn into the image: only on request (``titled=True``), for a chart
    used on its own; every output of a run captions it instead."""
    ax.set_title(textwrap.fill(subtitle, 80), fontsize=8.5, loc="left", color=TEXT, pad=8)
    fig.suptitle(textwrap.fill(title, 70), x=0.01, ha="left", fontsize=10.5, fontweight="bold")


def _finish_bars(fig: Figure, ax: Axes, unit: str) -> None:
    """Common finish of horizontal bar charts: first bar at the top, value gridlines only."""
    ax.invert_yaxis()
    ax.grid(axis="x")
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(unit_label(unit))


@_rerun_cached
def trend_chart(
    series: pd.DataFrame,
    name: str,
    title: str,
    subtitle: str,
    unit: str,
    comparators: pd.DataFrame | None = None,
    notice: str = "",
    titled: bool = False,
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
    with _drawing(name):
        fig, ax = _figure("trend")
        ends = []  # each line's last point, label and text colour
        for i, label in enumerate(order):
            part = data.loc[data["series"] == label].dropna(subset=["value"])
            if part.empty:
                continue
            style = "-" if i == 0 else "--"
            ax.plot(part["period_end"], part["value"], style, marker=MARKERS[i % 6],
                    color=COLOURS[i % 6], linewidth=2.5 if i == 0 else 1.8)  # fmt: skip
            ends.append((part.iloc[-1], label, readable(COLOURS[i % 6])))
        ax.set_ylim(bottom=0)
        low, high = ax.get_ylim()
        points = 0.7 * HEIGHTS_CM["trend"] / 2.54 * 72  # the plot's height, about, in points
        per_point = (high - low) / points
        heights = _spread([float(last["value"]) for last, _, _ in ends], low, high,
                          11 * per_point)  # fmt: skip
        for (last, label, colour), height in zip(ends, heights, strict=True):
            ax.annotate(f"{label}: {format_value(last['value'], unit)}",
                        (last["period_end"], last["value"]),
                        xytext=(8, (height - float(last["value"])) / per_point),
                        textcoords="offset points", va="center", fontsize=8.5,
                        color=colour)  # fmt: skip
        periods = sorted(series["period_end"].unique())
        ax.set_xticks(periods, [short_label(pd.Timestamp(p)).replace(" ", "\n")
                                for p in periods], rotation=0)  # fmt: skip
        ax.set_ylabel(unit_label(unit))
        ax.set_ylim(bottom=0)
        ax.margins(x=0.02)
        if titled:
            _titles(fig, ax, title, subtitle)
        _laid_out(fig)
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
    return Chart(name, fig, title, subtitle, alt, data, notice=notice, kind="trend")


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
    titled: bool = False,
) -> Chart:
    """Horizontal bars, one per group, each labelled with its value (``missing_label`` where
    there is none, e.g. ``[c]``: no bar is drawn)."""
    data = frame[[label_col, value_col]].reset_index(drop=True)
    with _drawing(name):
        fig, ax = _figure("bar")
        ax.barh(data[label_col].astype(str), data[value_col].fillna(0), color=COLOURS[0])
        for y, v in enumerate(data[value_col]):
            text = missing_label if pd.isna(v) else format_value(v, unit)
            ax.annotate(text, (0 if pd.isna(v) else v, y), xytext=(4, 0),
                        textcoords="offset points", va="center", fontsize=8.5,
                        color=TEXT)  # fmt: skip
        _finish_bars(fig, ax, unit)
        if titled:
            _titles(fig, ax, title, subtitle)
        _laid_out(fig)
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
    return Chart(name, fig, title, subtitle, alt, data, notice=notice, kind="bar")


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
    titled: bool = False,
) -> Chart:
    """XmR chart: monthly values, mean, process limits; special-cause points by shape."""
    data = spc_frame.rename(columns={"x": "period_end"})[
        ["period_end", "value", "mean", "lpl", "upl", "point_type"]]  # fmt: skip
    with _drawing(name):
        fig, ax = _figure("spc")
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
                        textcoords="offset points", va="center", fontsize=8,
                        color=TEXT)  # fmt: skip
        if target is not None:
            ax.axhline(target, color="#28A197", linestyle=":", linewidth=1.5)
            ax.annotate(
                f"Target {format_value(target, unit)}",
                (data["period_end"].iloc[0], target),
                xytext=(0, 4),
                textcoords="offset points",
                fontsize=8,
                color=readable("#28A197"),
            )
        if ax.get_legend_handles_labels()[1]:  # no legend when every point is hidden
            ax.legend(loc="upper left", ncol=2)
        ax.set_ylabel(unit_label(unit))
        if titled:
            _titles(fig, ax, title, subtitle)
        _laid_out(fig)
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
    return Chart(name, fig, title, subtitle, alt, data, notice=notice, kind="spc")


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
    titled: bool = False,
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
    with _drawing(name):
        fig, ax = _figure("funnel")
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
                    textcoords="offset points", fontsize=8.5, color="#12436D")  # fmt: skip
        ax.set_xlabel("Children aged 0-17 (population)" if unit == "rate_per_10k"
                      else "Denominator (number of children or events)")  # fmt: skip
        ax.set_ylabel(unit_label(unit))
        ax.xaxis.set_major_formatter("{x:,.0f}")  # thousands separators
        ax.legend(loc="best")
        if titled:
            _titles(fig, ax, title, subtitle)
        _laid_out(fig)
    alt = (
        f"Funnel plot of {subtitle}: {len(data) - 1} other authorities plotted by size, with "
        f"95% and 99.8% limits around England ({format_value(centre, unit)}). This authority: "
        f"{format_value(own['value'], unit)} from a "
        f"{'population' if unit == 'rate_per_10k' else 'denominator'} of "
        f"{own['denominator']:,.0f}."
    )
    return Chart(name, fig, title, subtitle, alt, data, notice=notice, kind="funnel")


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
    titled: bool = False,
) -> Chart:
    """Statistical-neighbour ranking: one bar per authority, best first; this authority's bar is
    hatched and labelled (not colour alone); England as a labelled line."""
    data = frame[["area_name", "value"]].sort_values("value", ascending=best_first_ascending)
    data = data.reset_index(drop=True)
    with _drawing(name):
        fig, ax = _figure("ranking")
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
                        fontsize=8, color=TEXT)  # fmt: skip
        if england is not None and pd.notna(england):
            ax.axvline(england, color="#F46A25", linestyle="--", linewidth=1.5)
            ax.annotate(f"England {format_value(england, unit)}", (england, len(data) - 0.4),
                        xytext=(4, 0), textcoords="offset points", fontsize=8,
                        color=TEXT)  # fmt: skip
        _finish_bars(fig, ax, unit)
        if titled:
            _titles(fig, ax, title, subtitle)
        _laid_out(fig)
    position = int(own.idxmax()) + 1 if own.any() else None
    alt = (f"Bar chart ranking {len(data)} authorities on {subtitle}, best first"
           + (f"; this authority is {position} of {len(data)}" if position else "")
           + (f"; England {format_value(england, unit)}." if england is not None
              and pd.notna(england) else "."))  # fmt: skip
    return Chart(name, fig, title, subtitle, alt, data, notice=notice, kind="ranking")
