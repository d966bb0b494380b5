"""Unit tests of riskoff/intraday.py: time zones, sessions, paths against the prior close.

Expected values are computed by hand from the cached rows, quoted in each test:
  data/intraday/NVDA_1h.csv  2025-11-20T14:30:00+00:00,195.95,196.00,192.29,193.92,...
                             2025-11-20T20:30:00+00:00,182.38,182.99,179.85,180.94,...
  data/intraday/QQQ_1h.csv   2025-11-20 15:30:00+00:00,612.78,614.02,603.84,604.29,...
  data/intraday/SPX_5m.csv   2025-11-20T10:35:00-05:00,6761.65,6770.35,6761.60,6768.03,...
                             2025-11-20T16:00:00-05:00,6540.19,6540.19,6538.77,6538.77,...
  data/daily/NVDA.csv        2025-11-19,...,186.52  2025-11-20,195.95,196.00,179.85,180.64
  data/daily/GSPC.csv        2025-11-19,...,6642.16
"""
from __future__ import annotations

import pandas as pd
import pytest

from riskoff import data, intraday, metrics

DAY = "2025-11-20"


def bars(symbol, day=DAY):
    return intraday.session_bars(data.series(symbol), day, intraday.interval_of(symbol))


# ---------------------------------------------------------------------------- time zones

def test_interval_of_names():
    assert intraday.interval_of("NVDA_1h") == pd.Timedelta(hours=1)
    assert intraday.interval_of("SPX_5m") == pd.Timedelta(minutes=5)
    with pytest.raises(ValueError, match="not an intraday series"):
        intraday.interval_of("NVDA")


@pytest.mark.parametrize("symbol", ["NVDA_1h", "QQQ_1h", "MSFT_1h", "SPX_5m"])
def test_every_file_opens_at_0930_new_york(symbol):
    # Hourly files stamp 14:30 UTC (QQQ with a space, NVDA with a T); SPX stamps 09:30-05:00.
    first = bars(symbol).iloc[0]
    assert first["start"].tzname() == "EST"
    assert (first["start"].hour, first["start"].minute) == (9, 30)
    assert first["start_min"] == 570


def test_utc_and_offset_stamps_are_the_same_instant():
    nvda = data.series("NVDA_1h").index
    spx = data.series("SPX_5m").index
    assert pd.Timestamp("2025-11-20T14:30:00+00:00") in nvda
    assert pd.Timestamp("2025-11-20T09:30:00-05:00") in spx
    assert pd.Timestamp("2025-11-20T14:30:00+00:00") == pd.Timestamp("2025-11-20T09:30:00-05:00")


def test_summer_time_is_handled_by_the_zone_database():
    # PROVENANCE: in summer the hourly source opens at 13:30 UTC = 09:30 EDT.
    idx = pd.DatetimeIndex(["2025-05-30T13:30:00+00:00", "2025-11-20T14:30:00+00:00"])
    ny = intraday.to_new_york(idx)
    assert [(t.hour, t.minute, t.tzname()) for t in ny] == [(9, 30, "EDT"), (9, 30, "EST")]


def test_naive_stamps_are_refused():
    with pytest.raises(ValueError, match="time zone"):
        intraday.to_new_york(pd.DatetimeIndex(["2025-11-20 14:30"]))


# ---------------------------------------------------------------------------- sessions

def test_hourly_session_has_seven_bars_and_a_half_hour_last_bar():
    s = bars("NVDA_1h")
    assert len(s) == 7
    assert list(s["start_min"]) == [570, 630, 690, 750, 810, 870, 930]
    assert list(s["end_min"]) == [630, 690, 750, 810, 870, 930, 960]  # 15:30-16:00
    assert not s["closing_print"].any()


def test_five_minute_session_and_the_closing_print():
    s = bars("SPX_5m")
    assert len(s) == 79  # 09:30..15:55 plus the 16:00 print
    assert s["closing_print"].sum() == 1
    last = s.iloc[-1]
    assert last["closing_print"] and last["start_min"] == last["end_min"] == 960
    assert intraday.last_close(s) == 6538.77


def test_other_days_are_excluded():
    s = bars("NVDA_1h", "2025-11-19")
    assert set(d.date() for d in s["start"]) == {pd.Timestamp("2025-11-19").date()}


# ---------------------------------------------------------------------------- paths

def test_path_is_rebased_to_the_previous_daily_close():
    prev = metrics.prev_close(data.series("NVDA"), DAY)
    assert prev == 186.52  # close of 19 Nov
    p = intraday.path(bars("NVDA_1h"), prev)
    assert len(p) == 8  # the open, then seven bar closes
    assert (p.iloc[0]["minute"], p.iloc[0]["price"]) == (570, 195.95)
    assert p.iloc[0]["change"] == pytest.approx(195.95 / 186.52 - 1)
    assert (p.iloc[-1]["minute"], p.iloc[-1]["price"]) == (960, 180.94)
    assert p.iloc[-1]["change"] == pytest.approx(180.94 / 186.52 - 1)


def test_prior_close_of_the_first_day_is_the_day_before():
    assert metrics.prev_close(data.series("NVDA"), "2025-11-19") == 181.36  # 18 Nov close


def test_spx_path_ends_with_the_closing_print_once():
    p = intraday.path(bars("SPX_5m"), 6642.16)
    assert p["minute"].is_unique
    assert p.iloc[-1]["point"] == "closing print" and p.iloc[-1]["price"] == 6538.77
    assert p.iloc[-1]["change"] == pytest.approx(6538.77 / 6642.16 - 1)


def test_summary_of_nvidia_on_the_day():
    s = intraday.summary(bars("NVDA_1h"), 186.52)
    assert s["high"] == 196.00 and (s["high_start"], s["high_end"]) == ("09:30", "10:30")
    assert s["gap"] == pytest.approx(195.95 / 186.52 - 1)  # +5.06%
    assert s["high_vs_prev"] == pytest.approx(196.00 / 186.52 - 1)
    assert s["open_to_high"] == pytest.approx(196.00 / 195.95 - 1)
    assert s["high_to_close"] == pytest.approx(180.94 / 196.00 - 1)
    assert s["day"] == pytest.approx(180.94 / 186.52 - 1)
    assert s["low"] == 179.85 and s["low_start"] == "15:30"


def test_bars_against_the_daily_bar():
    cmp = intraday.compare_daily(bars("NVDA_1h"), data.series("NVDA").loc[DAY]).set_index("field")
    assert cmp.loc["open", "difference"] == pytest.approx(0)
    assert cmp.loc["high", "difference"] == pytest.approx(0)
    assert cmp.loc["close", "from_bars"] == 180.94 and cmp.loc["close", "daily"] == 180.64
    assert cmp.loc["close", "difference"] == pytest.approx(0.30)


# ---------------------------------------------------------------------------- timing of highs

def test_minutes_to_high():
    assert intraday.minutes_to_high(bars("NVDA_1h")) == 0
    assert intraday.minutes_to_high(bars("QQQ_1h")) == 60   # 614.02 in the 10:30 bar
    assert intraday.minutes_to_high(bars("SPX_5m")) == 65   # 6770.35 in the 10:35 bar


def test_high_lead_is_the_sure_gap_between_bars():
    nvda, qqq, spx = bars("NVDA_1h"), bars("QQQ_1h"), bars("SPX_5m")
    assert intraday.high_lead(nvda, spx) == 635 - 630   # 10:35 start - 10:30 end
    assert intraday.high_lead(nvda, qqq) == 0            # adjacent hourly bars: no sure lead
    assert intraday.high_lead(spx, nvda) < 0


def test_empty_session_raises_a_clear_error():
    empty = bars("SPX_5m", "2025-11-24")  # the 5-minute file ends on 21 Nov
    assert empty.empty
    with pytest.raises(ValueError, match="no bars"):
        intraday.extreme_bar(empty)
