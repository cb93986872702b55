"""Working days: days after the start up to and including the end, skipping weekends and
England-and-Wales bank holidays."""

import numpy as np

from sefanalysis.calendar import working_days


def wd(a: str, b: str) -> float:
    return float(working_days([a], [b])[0])


def test_same_day_is_zero():
    assert wd("2024-05-15", "2024-05-15") == 0


def test_next_working_day_is_one():
    assert wd("2024-05-17", "2024-05-20") == 1  # Friday -> Monday


def test_across_christmas():
    # Fri 20 Dec 2024 -> Fri 3 Jan 2025: 23, 24, 27, 30, 31 Dec, 2, 3 Jan = 7;
    # 25, 26 Dec and 1 Jan are bank holidays; 21, 22, 28, 29 Dec are weekends.
    assert wd("2024-12-20", "2025-01-03") == 7


def test_across_easter():
    # Thu 28 Mar 2024 -> Thu 4 Apr 2024: Good Friday 29 Mar and Easter Monday 1 Apr are holidays
    # counted days: 2, 3, 4 Apr = 3
    assert wd("2024-03-28", "2024-04-04") == 3


def test_substitute_bank_holiday():
    # Christmas Day 2022 fell on a Sunday: Tuesday 27 Dec 2022 was the substitute holiday.
    # Fri 23 Dec 2022 -> Wed 28 Dec 2022: 26 (Boxing Day), 27 (substitute) are holidays -> 1 day
    assert wd("2022-12-23", "2022-12-28") == 1


def test_missing_dates_give_nan_and_reverse_is_negative():
    out = working_days(["2024-01-10", None], ["2024-01-08", "2024-01-08"])
    assert out[0] < 0 and np.isnan(out[1])
