"""Helpers for analysts' deep dives (``notebooks/deep_dive_template.ipynb``). ANALYST ONLY: the
dataset and the units are child-level; nothing here is suppressed for publication.

* :func:`load`: the dataset through the rerun cache (the same entry a quarterly run made, so a
  deep dive opens in a second or two on unchanged data, not the 35-40 s of a fresh load);
* :func:`table`: a breakdown from ``compute_indicators`` as a grid (periods by groups, or one
  dimension by the other), groups in their natural order;
* :func:`heatmap` and :func:`distribution`: seaborn views for exploring a two-way breakdown and
  the spread of a measure over the units behind a value (``sefanalysis.units``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .dataset import Dataset


def load(data_dir: str | Path, cache_dir: str | Path | None = "outputs/.cache") -> Dataset:
    """The authority's dataset, through the rerun cache in ``cache_dir`` (None: no cache). The
    cache holds child-level data: keep it with the analyst folder."""
    from .cache import using_cache
    from .dataset import load_dataset_rerun

    with using_cache(cache_dir):
        return load_dataset_rerun(data_dir)


def table(frame: pd.DataFrame, values: str = "value") -> pd.DataFrame:
    """A breakdown as a grid: one period and two dimensions, the first down and the second
    across; otherwise the periods down and the groups across. Columns and rows keep the order
    ``compute_indicators`` gives (the natural order of each dimension)."""
    if "group" not in frame:
        raise ValueError("not a breakdown: call compute_indicators with by=...")
    two_way = "group_2" in frame and frame["period_end"].nunique() == 1
    rows, cols = ("group", "group_2") if two_way else ("period_end", "group")
    grid = frame.pivot_table(index=rows, columns=cols, values=values, aggfunc="first",
                             sort=False, dropna=False)  # fmt: skip
    grid.columns.name = frame["breakdown"].iloc[0].split(", ")[-1] if two_way else "group"
    return grid


def heatmap(frame: pd.DataFrame, values: str = "value", title: str = "") -> Figure:
    """A seaborn heatmap of :func:`table` (missing cells blank), annotated with the values."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    grid = table(frame, values).astype(float)
    if isinstance(grid.index, pd.DatetimeIndex):
        grid.index = grid.index.strftime("%b %Y")
    fig, ax = plt.subplots(figsize=(1.2 + 1.1 * grid.shape[1], 1 + 0.5 * grid.shape[0]))
    sns.heatmap(grid, annot=True, fmt=".1f", cmap="Blues", cbar=False, linewidths=0.5, ax=ax)
    ax.set_title(title or str(frame["title"].iloc[0]), loc="left")
    ax.set_xlabel("")
    ax.set_ylabel("")
    fig.tight_layout()
    return fig


def distribution(rows: pd.DataFrame, column: str, by: str | None = None, title: str = "") -> Figure:
    """How ``column`` of the units (e.g. ``age`` or a duration ``measure``) spreads, as a seaborn
    histogram, one colour per group of ``by`` if given."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    fig, ax = plt.subplots(figsize=(8, 4))
    sns.histplot(data=rows, x=column, hue=by, multiple="stack", discrete=column == "age", ax=ax)
    ax.set_title(title or f"{column} of the units counted", loc="left")
    fig.tight_layout()
    return fig
