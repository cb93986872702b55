"""Charts: what each builder draws, says in its alt text and saves."""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace
from xml.etree import ElementTree

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from sefanalysis.charts import (
    HEIGHTS_CM,
    WIDTH_CM,
    bar_chart,
    contrast,
    funnel_chart,
    px,
    ranking_chart,
    readable,
    spc_chart,
    trend_chart,
)
from sefanalysis.stats.spc import xmr

QUARTERS = pd.to_datetime(["2024-03-31", "2024-06-30", "2024-09-30", "2024-12-31"])


@pytest.fixture(autouse=True)
def no_rerun_cache(monkeypatch):
    monkeypatch.delenv("SEFANALYSIS_CACHE", raising=False)  # every chart here is drawn


def trend():
    series = pd.DataFrame({"period_end": QUARTERS, "value": [21.0, 22.5, np.nan, 24.0]})
    england = pd.DataFrame({"label": "England", "period_end": QUARTERS,
                            "value": [20.0, 20.5, 21.0, 21.5]})  # fmt: skip
    return trend_chart(series, "re_referral_pct", "Re-referrals rose", "Re-referrals (pct)",
                       "pct", england)  # fmt: skip


def spc():
    months = pd.date_range("2023-01-31", periods=24, freq="ME")
    values = pd.Series([30.0 + (i % 5) for i in range(23)] + [60.0])  # the last is far out
    result = xmr(values, x=months, improvement="decrease")
    return spc_chart(result.frame, "x_spc", "A special cause", "Monthly values", "pct",
                     result.trial_limits, target=32.0)  # fmt: skip


def funnel():
    others = pd.DataFrame({"area_code": ["E1", "E2", "E3"], "area_name": ["A", "B", "C"],
                           "denominator": [400.0, 900.0, 1500.0],
                           "value": [18.0, 22.0, 21.0]})  # fmt: skip
    own = {"area_code": "E9", "area_name": "Westshire", "denominator": 800.0, "value": 30.0}
    return funnel_chart(others, own, {"E2"}, 21.0, "f", "Funnel", "Re-referrals, 2024", "pct")


def ranking():
    frame = pd.DataFrame({"area_name": ["A", "Westshire", "B"], "value": [18.0, 20.0, 25.0]})
    return ranking_chart(frame, "Westshire", 21.0, "r", "Ranking", "Re-referrals, 2024", "pct",
                         best_first_ascending=True)  # fmt: skip


def bars():
    frame = pd.DataFrame({"group": ["Under 1", "1-4", "5-9"], "value": [10.0, 55.0, 35.0]})
    return bar_chart(frame, "b", "By age", "Referrals by age band", "pct")


BUILDERS = [trend, spc, funnel, ranking, bars]


@pytest.mark.parametrize("build", BUILDERS, ids=lambda b: b.__name__)
def test_every_png_is_300_dpi_at_one_width_and_the_height_of_its_kind(build):
    chart = build()
    png = Image.open(io.BytesIO(chart.png()))
    assert png.format == "PNG"
    assert png.size == (px(WIDTH_CM), px(HEIGHTS_CM[chart.kind])) and png.width == 1890
    assert tuple(round(d) for d in png.info["dpi"]) == (300, 300)  # 16 cm when placed in Word
    assert png.text["Title"] == chart.title


@pytest.mark.parametrize("build", BUILDERS, ids=lambda b: b.__name__)
def test_no_text_is_cut_off_at_the_edge(build):
    chart = build()
    box = chart.figure.get_tightbbox(chart.figure.canvas.get_renderer())
    width, height = chart.figure.get_size_inches()
    assert box.x0 >= 0 and box.y0 >= 0 and box.x1 <= width and box.y1 <= height


def test_line_labels_that_end_close_together_do_not_overlap():
    series = pd.DataFrame({"period_end": QUARTERS, "value": [21.0, 22.5, 22.0, 22.1]})
    lines = pd.DataFrame({"label": ["England"] * 4 + ["Northern region"] * 4,
                          "period_end": list(QUARTERS) * 2,
                          "value": [22.0, 22.1, 22.2, 22.2, 22.3, 22.2, 22.2, 22.3]})  # fmt: skip
    chart = trend_chart(series, "t", "T", "S", "pct", lines)
    renderer = chart.figure.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in chart.figure.axes[0].texts]
    assert len(boxes) == 3
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])


def test_charts_of_one_kind_have_one_height_whatever_their_labels():
    short = bars()
    many = bar_chart(pd.DataFrame({"group": [f"A much longer group label {i}" for i in range(9)],
                                   "value": np.linspace(1, 30, 9)}),
                     "b2", "By band", "Referrals by a long band name", "pct")  # fmt: skip
    sizes = {Image.open(io.BytesIO(c.png())).size for c in (short, many)}
    assert sizes == {(1890, px(HEIGHTS_CM["bar"]))}


@pytest.mark.parametrize("build", BUILDERS, ids=lambda b: b.__name__)
def test_every_svg_has_live_text_a_title_and_a_description(build):
    chart = build()
    root = ElementTree.fromstring(chart.svg())
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{ns}svg" and root.get("role") == "img"
    first, second = list(root)[:2]
    assert first.tag == f"{ns}title" and first.text == chart.title
    assert second.tag == f"{ns}desc" and second.text == chart.alt
    assert root.get("aria-labelledby") == f"{first.get('id')} {second.get('id')}"
    texts = ["".join(t.itertext()) for t in root.iter(f"{ns}text")]
    assert len(texts) >= 5 and "Percentage" in texts  # text kept as text
    assert b'id="DejaVuSans' not in chart.svg()  # no glyphs turned into outlines
    assert chart.inline_svg().startswith("<svg") and "<?xml" not in chart.inline_svg()


@pytest.mark.parametrize("build", BUILDERS, ids=lambda b: b.__name__)
def test_every_text_colour_has_at_least_4_5_to_1_contrast(build):
    svg = build().svg().decode("utf-8")
    colours = set(re.findall(r"<text[^>]*fill: (#[0-9a-fA-F]{6})", svg))
    assert colours
    assert {c: round(contrast(c), 2) for c in colours if contrast(c) < 4.5} == {}


def test_the_af_turquoise_and_orange_are_darkened_for_text_only():
    assert contrast("#28A197") < 4.5 and contrast(readable("#28A197")) >= 4.5
    assert contrast(readable("#F46A25")) >= 4.5
    assert readable("#12436D") == "#12436d"  # dark enough already: unchanged


def test_no_title_is_drawn_into_the_image_unless_asked():
    untitled = trend()
    titled = trend_chart.__wrapped__(
        pd.DataFrame({"period_end": QUARTERS, "value": [21.0, 22.5, np.nan, 24.0]}),
        "t", "Re-referrals rose", "Re-referrals (pct)", "pct", titled=True)  # fmt: skip
    words = {"".join(t.itertext()) for t in ElementTree.fromstring(untitled.svg()).iter(
        "{http://www.w3.org/2000/svg}text")}  # fmt: skip
    assert "Re-referrals rose" not in words
    assert b">Re-referrals rose</text>" in titled.svg() or b"Re-referrals rose" in titled.svg()
    assert Image.open(io.BytesIO(titled.png())).size == Image.open(
        io.BytesIO(untitled.png())).size  # fmt: skip


def test_the_sidecar_holds_the_caption_alt_text_and_size():
    chart = replace(trend(), source="Annex A List 3; England: DfE children in need")
    meta = json.loads(chart.files()["re_referral_pct.json"])
    assert meta["title"] == "Re-referrals rose" and meta["subtitle"] == "Re-referrals (pct)"
    assert meta["alt"] == chart.alt and meta["source"].startswith("Annex A List 3")
    assert (meta["width_px"], meta["dpi"], meta["width_cm"]) == (1890, 300, 16.0)
    assert meta["files"] == {"png": "re_referral_pct.png", "svg": "re_referral_pct.svg",
                             "data": "re_referral_pct.csv"}  # fmt: skip


def test_trend_alt_text_states_first_and_last_values_and_comparators():
    chart = trend()
    assert "from 21.0% in Mar 2024 to 24.0% in Dec 2024" in chart.alt
    assert "Comparator lines: England." in chart.alt
    # the data behind the chart: this authority first, then England, a row per point
    assert list(chart.data["series"].unique()) == ["This authority", "England"]
    assert len(chart.data) == 8


def test_spc_alt_text_counts_special_cause_points():
    chart = spc()
    special = chart.data.loc[chart.data["point_type"] != "common cause"]
    assert len(special) >= 1
    assert f"{len(special)} point(s) show special-cause variation." in chart.alt
    assert chart.alt.startswith("Statistical process control chart of Monthly values: 24 monthly")


def test_funnel_marks_this_authority_and_its_neighbours():
    chart = funnel()
    groups = dict(zip(chart.data["area_name"], chart.data["group"], strict=True))
    assert groups == {"A": "Other authority", "B": "Statistical neighbour",
                      "C": "Other authority", "Westshire": "This authority"}  # fmt: skip
    assert "3 other authorities" in chart.alt and "denominator of 800" in chart.alt


def test_ranking_puts_the_best_first_and_says_where_this_authority_stands():
    chart = ranking()
    assert list(chart.data["area_name"]) == ["A", "Westshire", "B"]  # lower is better
    assert "this authority is 2 of 3" in chart.alt and "England 21.0%" in chart.alt


def test_bar_alt_text_names_highest_and_lowest_groups():
    chart = bars()
    assert "Highest: 1-4 (55.0%); lowest: Under 1 (10.0%)" in chart.alt


def test_save_writes_png_svg_and_the_data(tmp_path):
    paths = trend().save(tmp_path)
    assert [p.name for p in paths] == ["re_referral_pct.png", "re_referral_pct.svg",
                                       "re_referral_pct.csv", "re_referral_pct.json"]  # fmt: skip
    saved = pd.read_csv(paths[2])
    assert list(saved.columns) == ["period_end", "value", "series"] and len(saved) == 8


def test_charts_are_drawn_whatever_backend_the_session_switched_to():
    import matplotlib

    trend()  # sets matplotlib up (Agg) as a first chart does
    before = matplotlib.get_backend()
    matplotlib.use("svg")  # e.g. an analyst's deep-dive notebook, after the first chart
    try:
        chart = trend()
        assert chart.png().startswith(b"\x89PNG") and b"<svg" in chart.svg()
    finally:
        matplotlib.use(before)
