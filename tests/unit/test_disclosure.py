"""Small-number suppression: primary and secondary."""

import pandas as pd

from sefanalysis.disclosure import suppress_parts, suppressed_rows


def test_primary_suppression_rows():
    frame = pd.DataFrame({
        "unit": ["count", "count", "pct", "pct", "rate_per_10k", "pct", "fte"],
        "numerator": [3, 0, 4, 40, 3, 40, 2],
        "denominator": [None, None, 50, 3, 75_000, 50, 10],
        "value": [3, 0, 8.0, 1333.3, 0.4, 80.0, 20.0],
    })  # fmt: skip
    # count 3 -> yes; zero stays; pct with numerator 4 -> yes; denominator 3 -> yes;
    # rate with 3 events -> yes (the population is never small); 40/50 -> no; FTE -> no
    assert suppressed_rows(frame).tolist() == [True, False, True, True, True, False, False]


def test_secondary_suppression_protects_a_single_suppressed_part():
    parts = pd.Series({"Under 1": 3, "1 to 4": 20, "5 to 9": 12, "10 to 15": 30})
    mask = suppress_parts(parts)
    # 3 is suppressed; alone it could be recovered from the total, so 12 (next smallest) is too
    assert mask.to_dict() == {"Under 1": True, "1 to 4": False, "5 to 9": True, "10 to 15": False}


def test_zeros_are_never_suppressed_and_two_small_parts_need_no_more():
    parts = pd.Series({"a": 0, "b": 2, "c": 4, "d": 30})
    assert suppress_parts(parts).to_dict() == {"a": False, "b": True, "c": True, "d": False}
