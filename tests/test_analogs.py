"""Unit tests of riskoff/analogs.py: the historical-analog computation (on a tiny hand-made
series whose answer is worked out below, then on cached rows read by hand), the "after one
date" measures, and the log-linear trend gauge."""
from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from riskoff import analogs

REPO = Path(__file__).resolve().parent.parent


def csv_rows(rel: str) -> list[tuple[str, float]]:
    with open(REPO / "data" / rel, newline="") as fh:
        return [(r["date"], float(r["close"])) for r in csv.DictReader(fh) if r["close"]]


# ---------------------------------------------------------------------------- tiny series
#
# month:  0    1    2    3    4    5    6    7    8    9
# close: 100  110   98   87   95  112  100  106  120  107
#
# Highs at months 0, 1, 5, 8. Falls below the prior high:
#   2: 98/110-1 = -10.91% (1 month after the high of month 1)
#   3: 87/110-1 = -20.91% (2 months)          4: 95/110-1 = -13.64% (3 months)
#   6: 100/112-1 = -10.71% (1 month after 5)  7: 106/112-1 = -5.36% (2 months)
#   9: 107/120-1 = -10.83% (1 month after 8)
# Outcomes: 2 and 3 "bear" (87 <= 0.8 x 110 = 88 lies ahead), 4 "recovered" (112 next),
#   6 and 7 "recovered" (120 at month 8), 9 "open" (the data end below 120).
# Signals for X = 10%, H = 2: months 2, 3, 6, 9 from three episodes (highs 1, 5, 8).
# 3-month returns: 2 -> 5: 112/98-1 = +14.29%; 3 -> 6: 100/87-1 = +14.94%;
#   6 -> 9: 107/100-1 = +7.00%; 9: none (no month 12).

TINY = pd.Series([100, 110, 98, 87, 95, 112, 100, 106, 120, 107], dtype=float,
                 index=pd.date_range("2000-01-01", periods=10, freq="MS"))


@pytest.fixture
def tiny():
    return analogs.drawdown_table(TINY)


def test_tiny_falls_and_months_since_high(tiny):
    assert tiny["fall"].iloc[2] == pytest.approx(98 / 110 - 1)
    assert tiny["fall"].iloc[3] == pytest.approx(87 / 110 - 1)
    assert tiny["fall"].iloc[9] == pytest.approx(107 / 120 - 1)
    assert tiny["months_since_peak"].tolist() == [0, 0, 1, 2, 3, 0, 1, 2, 0, 1]
    assert tiny["peak"].tolist() == [100, 110, 110, 110, 110, 112, 112, 112, 120, 120]
    assert tiny["peak_date"].iloc[4] == TINY.index[1]


def test_tiny_outcomes(tiny):
    assert tiny["outcome"].tolist() == ["at high", "at high", "bear", "bear", "recovered",
                                        "at high", "recovered", "recovered", "at high", "open"]


def test_tiny_forward_returns(tiny):
    assert tiny["ret3"].iloc[2] == pytest.approx(112 / 98 - 1)
    assert tiny["ret3"].iloc[3] == pytest.approx(100 / 87 - 1)
    assert tiny["ret3"].iloc[6] == pytest.approx(107 / 100 - 1)
    assert math.isnan(tiny["ret3"].iloc[9])
    assert tiny["ret6"].iloc[2] == pytest.approx(120 / 98 - 1)
    assert tiny["ret6"].iloc[3] == pytest.approx(107 / 87 - 1)
    assert tiny["ret6"].iloc[4:].isna().all()
    assert tiny["ret12"].isna().all()


def test_tiny_signals_and_summary(tiny):
    sel = analogs.signals(tiny, 0.10, 2)
    assert list(sel.index) == list(TINY.index[[2, 3, 6, 9]])
    assert sel["first"].tolist() == [True, False, True, True]
    s = analogs.summary(sel)
    assert (s["months"], s["episodes"]) == (4, 3)
    assert (s["bear_months"], s["bear_episodes"], s["open_episodes"]) == (2, 1, 1)
    assert s["n3"] == 3
    assert s["median3"] == pytest.approx(112 / 98 - 1)
    assert s["positive3"] == 1.0
    first = analogs.signals(tiny, 0.10, 2, first_only=True)
    assert list(first.index) == list(TINY.index[[2, 6, 9]])
    # H = 3 adds month 4; X = 20% keeps only month 3; X = 25% finds nothing.
    assert len(analogs.signals(tiny, 0.10, 3)) == 5
    assert list(analogs.signals(tiny, 0.20, 2).index) == [TINY.index[3]]
    assert analogs.signals(tiny, 0.25, 24).empty


def test_tiny_summary_table(tiny):
    t = analogs.summary_table(tiny, [0.05, 0.10, 0.20], 2)
    assert t["months"].tolist() == [5, 4, 1]
    assert t["episodes"].tolist() == [3, 3, 1]


def test_bad_parameters(tiny):
    with pytest.raises(ValueError, match="between 0 and 100%"):
        analogs.signals(tiny, 1.5, 2)
    with pytest.raises(ValueError, match="at least 1 month"):
        analogs.signals(tiny, 0.1, 0)
    with pytest.raises(ValueError, match="no closes"):
        analogs.drawdown_table(pd.Series([], dtype=float))
    with pytest.raises(ValueError, match="no monthly analog series"):
        analogs.monthly("NDX")


def test_a_high_equal_to_the_old_one_starts_a_new_episode():
    s = pd.Series([100, 90, 100, 95], dtype=float,
                  index=pd.date_range("2000-01-01", periods=4, freq="MS"))
    t = analogs.drawdown_table(s)
    assert t["outcome"].tolist() == ["at high", "recovered", "at high", "open"]
    assert t["months_since_peak"].tolist() == [0, 1, 0, 1]


# ---------------------------------------------------------------------------- monthly cache

def test_complete_months_drops_the_partial_ndx_month():
    rows = csv_rows("monthly/NDX_month_end.csv")
    assert rows[-1][0] == "2026-08-20"
    c = analogs.monthly("NDX_month_end")
    assert f"{c.index[-1]:%Y-%m-%d}" == rows[-2][0] == "2026-07-31"
    assert len(c) == len(rows) - 1
    s = analogs.monthly("SP500_shiller")  # rows dated the 1st: nothing is cut
    assert len(s) == len(csv_rows("monthly/SP500_shiller.csv"))
    mid = pd.Series([1.0, 2.0], index=pd.to_datetime(["2026-07-31", "2026-08-20"]))
    assert len(analogs.complete_months(mid)) == 1
    full = pd.Series([1.0, 2.0], index=pd.to_datetime(["2026-06-30", "2026-07-31"]))
    assert len(analogs.complete_months(full)) == 2


def test_ndx_march_2026_by_hand():
    rows = dict(csv_rows("monthly/NDX_month_end.csv"))
    t = analogs.drawdown_table(analogs.monthly("NDX_month_end"))
    oct_high, mar, jun = rows["2025-10-31"], rows["2026-03-31"], rows["2026-06-30"]
    before = [v for d, v in rows.items() if d <= "2026-03-31"]
    assert max(before) == oct_high
    row = t.loc["2026-03-31"]
    assert row["fall"] == pytest.approx(mar / oct_high - 1)
    assert row["months_since_peak"] == 5
    assert row["ret3"] == pytest.approx(jun / mar - 1)
    assert math.isnan(row["ret6"])  # September 2026 is not in the data
    assert row["outcome"] == "recovered"  # April 2026 closed above October 2025


def test_grid_is_small_and_filterable():
    g = analogs.grid()
    assert len(g) < 5000
    assert set(g["index"]) == set(analogs.MONTHLY)
    assert (g["fall"] <= -0.05).all() and g["months_since_peak"].between(1, 24).all()
    assert not g["date"].str.startswith("2026-08").any()
    # The grid filtered like the browser does equals the pandas signals.
    t = analogs.drawdown_table(analogs.monthly("SP500_shiller"))
    want = analogs.signals(t, 0.10, 6)
    got = g[(g["index"] == "SP500_shiller") & (g["fall"] <= -0.10)
            & (g["months_since_peak"] <= 6)]
    assert got["date"].tolist() == [f"{d:%Y-%m-%d}" for d in want.index]


def test_shiller_1929_episode_became_a_bear_market():
    t = analogs.drawdown_table(analogs.monthly("SP500_shiller"))
    assert t.loc["1929-11-01", "outcome"] == "bear"
    assert t.loc["1929-11-01", "peak_date"] == pd.Timestamp("1929-09-01")


# ---------------------------------------------------------------------------- after a date

def test_after_on_a_hand_series():
    idx = pd.to_datetime(["2025-11-19", "2025-11-20", "2025-11-21", "2025-11-24",
                          "2025-11-25", "2025-11-26", "2025-11-28"])
    c = pd.Series([105, 110, 100, 97, 99, 101, 112], index=idx, dtype=float)
    r = analogs.after(c, "2025-11-21")
    assert r["ref_close"] == 100 and r["prior_high"] == 110
    assert r["recovered"] == pd.Timestamp("2025-11-26") and r["sessions_to_recover"] == 3
    assert r["low"] == pytest.approx(-0.03) and r["low_date"] == idx[3]
    assert r["new_high"] == idx[-1]
    assert r["max_drawdown"] == pytest.approx(-0.03)
    assert r["last_change"] == pytest.approx(0.12)
    # A reference date without a session uses the last close before it.
    assert analogs.after(c, "2025-11-22")["ref_date"] == idx[2]
    with pytest.raises(ValueError, match="no close on or before"):
        analogs.after(c, "2025-01-01")


def test_after_bitcoin_by_hand():
    rows = dict(csv_rows("daily/BTC-USD.csv"))
    c = pd.Series(rows).rename(index=pd.Timestamp)
    r = analogs.after(c, "2025-11-21")
    ref = rows["2025-11-21"]
    assert rows["2025-11-22"] < ref < rows["2025-11-23"]
    assert r["recovered"] == pd.Timestamp("2025-11-23") and r["sessions_to_recover"] == 2
    assert r["prior_high"] == max(v for d, v in rows.items() if d <= "2025-11-21")


def test_change_by_and_lowest_close():
    idx = pd.date_range("2025-01-01", periods=6, freq="D")
    df = pd.DataFrame({"close": [100, 120, 110, 90, 99, 130.0]}, index=idx)
    assert analogs.change_by(df["close"], idx[2], idx[4]) == pytest.approx(99 / 110 - 1)
    assert math.isnan(analogs.change_by(df["close"], idx[4], idx[4]))
    # Lowest close after day 2 against the high of days 0-2 (120): 90/120-1 = -25%.
    assert analogs.lowest_close_vs_peak(df, idx[0], idx[2], idx[2]) == pytest.approx(-25)
    # Nothing after the reference inside the window: no figure (NaN), not a guess.
    assert math.isnan(analogs.lowest_close_vs_peak(df, idx[0], idx[2], idx[2], idx[2]))


def test_lowest_close_ndx_by_hand():
    rows = dict(csv_rows("daily/NDX.csv"))
    df = pd.DataFrame({"close": pd.Series(rows).rename(index=pd.Timestamp)})
    peak = max(v for d, v in rows.items() if "2025-01-01" <= d <= "2025-11-21")
    low = min(v for d, v in rows.items() if "2025-11-22" <= d <= "2026-07-10")
    got = analogs.lowest_close_vs_peak(df, "2025-01-01", "2025-11-21", "2025-11-21",
                                       "2026-07-10")
    assert got == pytest.approx(100 * (low / peak - 1))


# ---------------------------------------------------------------------------- trend gauge

def test_log_trend_recovers_an_exact_exponential():
    idx = pd.date_range("1900-01-01", periods=240, freq="MS")
    years = (idx - idx[0]).days / 365.25
    c = pd.Series(50 * np.exp(0.05 * years), index=idx)
    c.iloc[-1] *= 1.5  # one month 50% above the path
    fit = analogs.log_trend(c, end="1918-12-01")
    assert fit["growth"] == pytest.approx(math.exp(0.05) - 1, rel=1e-9)
    assert fit["gap"].iloc[:-1].abs().max() < 1e-9
    assert fit["gap"].iloc[-1] == pytest.approx(0.5)
    with pytest.raises(ValueError, match="24 months"):
        analogs.log_trend(c.iloc[:12])
