"""riskoff.fedwatch: CME's worked example, input checks, and the yield measures against
rows read by hand from the cached CSV files."""
from __future__ import annotations

import csv
import math

import pandas as pd
import pytest

from riskoff import data as rdata
from riskoff import fedwatch as fw


def csv_close(symbol: str, date: str) -> float | None:
    """The close of one row, read straight from the cached file (no riskoff code)."""
    with open(rdata.DATA_DIR / "daily" / f"{symbol}.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["date"] == date:
                return float(row["close"]) if row["close"] else None
    raise KeyError(date)


# ---------------------------------------------------------------- CME's worked example

def test_cme_september_2015_example():
    # CME: FFQ5 = 99.8675, FFU5 = 99.805, N = 30, M = 16 -> post 0.26643, P(hike) 53.6%.
    pre = fw.implied_rate(99.8675)
    avg = fw.implied_rate(99.805)
    assert pre == pytest.approx(0.1325, abs=1e-9)
    assert avg == pytest.approx(0.195, abs=1e-9)
    post = fw.post_meeting_rate(avg, pre, 16, 30)
    assert round(post, 5) == 0.26643
    # 30/14 * (0.195 - 16/30 * 0.1325) written out by hand
    assert post == pytest.approx(30 / 14 * (0.195 - 16 / 30 * 0.1325), abs=1e-12)
    p = fw.moves_priced(pre, post)
    assert round(p, 3) == 0.536
    assert f"{p:.1%}" == "53.6%"


def test_cme_example_through_meeting_odds_and_constants():
    ex = fw.CME_EXAMPLE
    m = fw.days_before(ex["meeting_day"], ex["days_in_month"])
    assert m == 16
    o = fw.meeting_odds(ex["price"], ex["prior_price"], days_before_meeting=m,
                        days_in_month=ex["days_in_month"])
    assert round(o["post"], 5) == 0.26643
    assert o["split"][0][0] == 0 and round(o["split"][0][1], 3) == 0.464
    assert o["split"][1][0] == 1 and round(o["split"][1][1], 3) == 0.536
    assert fw.probability_of_move(ex["price"], ex["prior_price"], days_before_meeting=16,
                                  days_in_month=30) == pytest.approx(0.5357142857)
    assert fw.CME_METHOD_PAGE.startswith("https://www.cmegroup.com/")


def test_pre_rate_instead_of_prior_price_gives_the_same_answer():
    a = fw.meeting_odds(99.805, 99.8675, days_before_meeting=16, days_in_month=30)
    b = fw.meeting_odds(99.805, pre_rate=0.1325, days_before_meeting=16, days_in_month=30)
    assert a["post"] == pytest.approx(b["post"], abs=1e-9)


def test_average_of_the_rate_path_is_the_futures_rate():
    pre, m, n = 3.88, 9, 31
    post = fw.post_meeting_rate(3.80, pre, m, n)
    assert (m * pre + (n - m) * post) / n == pytest.approx(3.80)
    # a cut: post below pre, negative moves
    assert fw.moves_priced(pre, post) < 0


def test_outcome_split_cuts_and_hikes():
    cut = fw.outcome_split(-1.3)
    assert [n for n, _ in cut] == [-1, -2]
    assert [round(p, 10) for _, p in cut] == [0.7, 0.3]
    assert fw.outcome_split(0) == [(0, 1), (1, 0)]
    assert fw.outcome_split(2.0) == [(2, 1.0), (3, 0.0)]


# ---------------------------------------------------------------- input checks

@pytest.mark.parametrize("price, pattern", [
    (-0.5, "between 0 and 100"), (100.01, "between 0 and 100"), ("abc", "must be a number"),
    (float("nan"), "finite"), (None, "must be a number")])
def test_bad_prices(price, pattern):
    with pytest.raises(ValueError, match=pattern):
        fw.implied_rate(price)


@pytest.mark.parametrize("m, n, pattern", [
    (0, 30, r"between 1 and N - 1 = 29"), (30, 30, r"between 1 and N - 1 = 29"),
    (5, 27, "28 to 31"), (5, 32, "28 to 31"), (5.5, 30, "whole number"),
    (5, "x", "must be a number")])
def test_bad_days(m, n, pattern):
    with pytest.raises(ValueError, match=pattern):
        fw.post_meeting_rate(0.2, 0.1, m, n)


def test_bad_meeting_day_and_step():
    with pytest.raises(ValueError, match="between 2 and 30"):
        fw.days_before(31, 30)
    with pytest.raises(ValueError, match="between 2 and 30"):
        fw.days_before(1, 30)
    with pytest.raises(ValueError, match="step must be positive"):
        fw.moves_priced(0.1, 0.2, step=0)


def test_meeting_odds_needs_exactly_one_pre_source():
    with pytest.raises(ValueError, match="either"):
        fw.meeting_odds(99.8, days_before_meeting=16, days_in_month=30)
    with pytest.raises(ValueError, match="either"):
        fw.meeting_odds(99.8, 99.9, pre_rate=0.1, days_before_meeting=16, days_in_month=30)
    with pytest.raises(ValueError, match="must not be negative"):
        fw.meeting_odds(99.8, pre_rate=-0.1, days_before_meeting=16, days_in_month=30)


def test_probability_of_move_refuses_more_than_one_move():
    with pytest.raises(ValueError, match="more than one move"):
        fw.probability_of_move(96, 99.8675, days_before_meeting=16, days_in_month=30)


# ---------------------------------------------------------------- yields

def test_changes_bp_skip_the_holiday_without_filling():
    wide = rdata.closes(["DGS2"]).loc["2025-11-07":"2025-11-14"]
    ch = fw.changes_bp(wide)["DGS2"]
    assert csv_close("DGS2", "2025-11-11") is None  # Veterans Day: FRED has no close
    assert math.isnan(ch.loc["2025-11-11"])
    by_hand = (csv_close("DGS2", "2025-11-12") - csv_close("DGS2", "2025-11-10")) * 100
    assert ch.loc["2025-11-12"] == pytest.approx(by_hand)
    assert ch.loc["2025-11-12"] == pytest.approx(-2.0)


def test_change_bp_day_and_since_base():
    df = rdata.series("DGS2")
    day = (csv_close("DGS2", "2025-11-20") - csv_close("DGS2", "2025-11-19")) * 100
    assert fw.change_bp(df, "2025-11-20") == pytest.approx(day) == pytest.approx(-3.0)
    since = (csv_close("DGS2", "2025-11-20") - csv_close("DGS2", "2025-10-28")) * 100
    assert fw.change_bp(df, "2025-11-20", base="2025-10-28") == pytest.approx(since)
    assert math.isnan(fw.change_bp(df, "2025-11-11"))  # no close that day
    assert math.isnan(fw.change_bp(df, "2024-12-31"))  # nothing before the first row


def test_tnx_has_its_own_calendar():
    df = rdata.series("TNX")
    by_hand = (csv_close("TNX", "2025-11-21") - csv_close("TNX", "2025-11-20")) * 100
    assert fw.change_bp(df, "2025-11-21") == pytest.approx(by_hand)


DECISIONS = pd.DataFrame({"date": ["2025-09-17", "2025-10-29", "2025-12-10"],
                          "target_low_pct": [4.00, 3.75, 3.50],
                          "target_high_pct": [4.25, 4.00, 3.75]})


def test_policy_range_steps_on_decision_days():
    r = fw.policy_range(["2025-09-16", "2025-09-17", "2025-10-28", "2025-10-29",
                         "2025-12-09", "2025-12-10"], DECISIONS)
    assert r["mid"].isna().tolist() == [True, False, False, False, False, False]
    assert r["mid"].dropna().tolist() == [4.125, 4.125, 3.875, 3.875, 3.625]


def test_cuts_priced_by_hand():
    two = rdata.series("DGS2")["close"].loc["2025-11-18":"2025-11-21"]
    cp = fw.cuts_priced(two, DECISIONS)
    by_hand = ((3.75 + 4.00) / 2 - csv_close("DGS2", "2025-11-20")) / 0.25
    assert cp.loc["2025-11-20", "cuts"] == pytest.approx(by_hand) == pytest.approx(1.3)
    with pytest.raises(ValueError, match="step must be positive"):
        fw.cuts_priced(two, DECISIONS, step=-1)


def test_days_above_to_below():
    r = pd.DataFrame({"as_of": ["2025-10-14", "2025-10-28", "2025-10-29", "2025-11-13"],
                      "value": [95, 99, 88, 49.4]})
    start, end, days = fw.days_above_to_below(r, 90, 50)
    assert (f"{start:%Y-%m-%d}", f"{end:%Y-%m-%d}", days) == ("2025-10-28", "2025-11-13", 16)
    with pytest.raises(ValueError, match="no reading below 10"):
        fw.days_above_to_below(r, 90, 10)
    with pytest.raises(ValueError, match="at or above 99.5"):
        fw.days_above_to_below(r, 99.5, 50)
