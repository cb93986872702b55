import pandas as pd
import pytest

from sefanalysis.errors import PeriodError
from sefanalysis.periods import parse_period_end, quarter_ends_back, window_start


@pytest.mark.parametrize("text", ["2024-03-31", "2024-06-30", "2024-09-30", "2024-12-31"])
def test_quarter_ends_accepted(text):
    assert parse_period_end(text) == pd.Timestamp(text)


@pytest.mark.parametrize("text", ["2024-12-30", "2024-13-31", "Q3", "31/12/2024", "", "2024-02-30"])
def test_other_values_rejected_with_what_is_accepted(text):
    with pytest.raises(PeriodError, match="31 March, 30 June, 30 September or 31 December"):
        parse_period_end(text)


def test_window_is_whole_months_inclusive():
    end = pd.Timestamp("2024-12-31")
    assert window_start(end, "12m") == pd.Timestamp("2024-01-01")
    assert window_start(end, "6m") == pd.Timestamp("2024-07-01")
    assert window_start(pd.Timestamp("2024-06-30"), "3m") == pd.Timestamp("2024-04-01")


def test_quarter_ends_back():
    ends = quarter_ends_back("2024-12-31", 8)
    assert ends[0] == pd.Timestamp("2023-03-31") and ends[-1] == pd.Timestamp("2024-12-31")
    assert len(set(ends)) == 8
