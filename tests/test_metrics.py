"""Unit tests of riskoff/metrics.py against values computed by hand from the cached CSV rows.

Expected values are never computed with riskoff code: each test reads the two or three rows
it needs from data/daily/<SYM>.csv with the csv module and does the arithmetic itself. The
frames handed to the functions under test come from riskoff.data (the loader, not a metric).
"""
from __future__ import annotations

import csv
import datetime as dt
import functools
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from riskoff import data as rdata
from riskoff import metrics

DAILY = Path(__file__).resolve().parent.parent / "data" / "daily"
REL = 1e-12


# ---------------------------------------------------------------------------- hand helpers

@functools.lru_cache(maxsize=None)
def rows(sym: str) -> tuple[dict, ...]:
    """The cached CSV rows of a daily series, prices as float (None where the cell is empty)."""
    with open(DAILY / f"{sym}.csv", newline="") as fh:
        out = []
        for r in csv.DictReader(fh):
            out.append({k: (v if k == "date" else (float(v) if v.strip() else None))
                        for k, v in r.items()})
        return tuple(out)


def bar(sym: str, date: str) -> dict:
    for r in rows(sym):
        if r["date"] == date:
            return r
    raise LookupError(f"{sym} has no row on {date}")


def close(sym: str, date: str) -> float:
    return bar(sym, date)["close"]


def has_row(sym: str, date: str) -> bool:
    return any(r["date"] == date for r in rows(sym))


def max_close(sym: str, start: str, end: str) -> tuple[str, float]:
    best = None
    for r in rows(sym):
        if start <= r["date"] <= end and r["close"] is not None:
            if best is None or r["close"] > best[1]:
                best = (r["date"], r["close"])
    return best


def series(sym: str) -> pd.DataFrame:
    return rdata.series(sym)


def isnan(x) -> bool:
    return isinstance(x, float) and math.isnan(x)


# ---------------------------------------------------------------------------- preconditions

def test_calendar_preconditions_of_the_cache():
    # The tests below rely on these facts of the cached files.
    assert not has_row("NDX", "2025-11-27")  # Thanksgiving: US markets closed
    assert not has_row("NDX", "2025-11-22") and not has_row("NDX", "2025-11-23")  # weekend
    assert not has_row("HSI", "2025-11-22")  # Saturday
    assert has_row("HSI", "2025-11-27")  # Hong Kong traded on US Thanksgiving
    assert has_row("BTC-USD", "2025-11-22")  # crypto trades every day
    assert not has_row("NDX", "2025-01-01")
    assert rows("NDX")[0]["date"] == "2024-12-31"
    assert rows("9984.T")[0]["date"] == "2025-06-26"
    assert all(r["high"] is None for r in rows("HSI"))


# ---------------------------------------------------------------------------- session / prev_close

def test_session_returns_the_bar_or_none():
    df = series("NDX")
    assert metrics.session(df, "2025-11-20")["close"] == 24054.38
    assert metrics.session(df, dt.date(2025, 11, 20))["high"] == 25222.95
    assert metrics.session(df, pd.Timestamp("2025-11-20"))["low"] == 24021.44
    assert metrics.session(df, "2025-11-27") is None
    assert metrics.session(df, "2025-11-22") is None


def test_prev_close_same_week():
    assert metrics.prev_close(series("NDX"), "2025-11-20") == close("NDX", "2025-11-19") == 24640.52


def test_prev_close_across_a_weekend():
    assert metrics.prev_close(series("NDX"), "2025-11-24") == close("NDX", "2025-11-21")
    # on the weekend day itself: the Friday close
    assert metrics.prev_close(series("NDX"), "2025-11-22") == close("NDX", "2025-11-21")


def test_prev_close_across_a_holiday():
    # 2025-11-28 follows Thanksgiving (27 Nov, no row): the previous session is 26 Nov.
    assert metrics.prev_close(series("NDX"), "2025-11-28") == close("NDX", "2025-11-26") == 25236.94
    assert metrics.prev_close(series("NDX"), "2025-11-27") == close("NDX", "2025-11-26")


def test_prev_close_crypto_is_the_previous_calendar_day():
    assert metrics.prev_close(series("BTC-USD"), "2025-11-23") == close("BTC-USD", "2025-11-22")


def test_prev_close_before_the_first_row_is_nan():
    assert isnan(metrics.prev_close(series("NDX"), "2024-12-31"))
    assert isnan(metrics.prev_close(series("NDX"), "2020-01-01"))


# ---------------------------------------------------------------------------- day_change

def test_day_change_ndx_20_nov():
    expected = 24054.38 / 24640.52 - 1
    assert metrics.day_change(series("NDX"), "2025-11-20") == pytest.approx(expected, rel=REL)
    assert expected == pytest.approx(-0.023788, abs=1e-6)


def test_day_change_hsi_21_nov():
    expected = close("HSI", "2025-11-21") / close("HSI", "2025-11-20") - 1
    assert metrics.day_change(series("HSI"), "2025-11-21") == pytest.approx(expected, rel=REL)


def test_day_change_across_weekend():
    expected = close("NDX", "2025-11-24") / close("NDX", "2025-11-21") - 1
    assert metrics.day_change(series("NDX"), "2025-11-24") == pytest.approx(expected, rel=REL)


def test_day_change_across_holiday():
    expected = 25434.89 / 25236.94 - 1  # 28 Nov against 26 Nov (27 Nov: Thanksgiving)
    assert close("NDX", "2025-11-28") == 25434.89
    assert metrics.day_change(series("NDX"), "2025-11-28") == pytest.approx(expected, rel=REL)


def test_day_change_hsi_on_us_thanksgiving():
    expected = close("HSI", "2025-11-27") / close("HSI", "2025-11-26") - 1
    assert metrics.day_change(series("HSI"), "2025-11-27") == pytest.approx(expected, rel=REL)


def test_day_change_crypto_on_saturday():
    expected = close("BTC-USD", "2025-11-22") / close("BTC-USD", "2025-11-21") - 1
    assert metrics.day_change(series("BTC-USD"), "2025-11-22") == pytest.approx(expected, rel=REL)


@pytest.mark.parametrize("sym, date", [
    ("HSI", "2025-11-22"),  # Saturday
    ("NDX", "2025-11-27"),  # Thanksgiving
    ("NDX", "2025-11-23"),  # Sunday
    ("NDX", "2024-12-31"),  # first cached row: no previous close
    ("NDX", "2030-01-02"),  # after the cache
])
def test_day_change_without_session_is_nan(sym, date):
    assert isnan(metrics.day_change(series(sym), date))


def test_day_change_accepts_dates_and_timestamps():
    df = series("NDX")
    expected = 24054.38 / 24640.52 - 1
    assert metrics.day_change(df, dt.date(2025, 11, 20)) == pytest.approx(expected, rel=REL)
    assert metrics.day_change(df, pd.Timestamp("2025-11-20")) == pytest.approx(expected, rel=REL)


# ---------------------------------------------------------------------------- intraday measures

def test_high_to_close_nvda_20_nov():
    assert bar("NVDA", "2025-11-20")["high"] == 196.00
    expected = 180.64 / 196.00 - 1
    assert metrics.high_to_close(series("NVDA"), "2025-11-20") == pytest.approx(expected, rel=REL)


def test_high_to_close_ndx_20_nov():
    b = bar("NDX", "2025-11-20")
    expected = b["close"] / b["high"] - 1
    assert metrics.high_to_close(series("NDX"), "2025-11-20") == pytest.approx(expected, rel=REL)


@pytest.mark.parametrize("fn", [metrics.high_to_close, metrics.high_to_low,
                                metrics.high_vs_prev_close])
def test_intraday_measures_nan_for_hsi(fn):
    # The Hang Seng's source publishes no intraday high or low.
    for date in ("2025-11-20", "2025-11-21"):
        assert isnan(fn(series("HSI"), date))


@pytest.mark.parametrize("fn", [metrics.high_to_close, metrics.high_to_low,
                                metrics.high_vs_prev_close])
def test_intraday_measures_nan_without_session(fn):
    assert isnan(fn(series("NVDA"), "2025-11-27"))
    assert isnan(fn(series("NVDA"), "2025-11-22"))


def test_high_to_low_ndx_20_nov():
    expected = 24021.44 / 25222.95 - 1
    assert metrics.high_to_low(series("NDX"), "2025-11-20") == pytest.approx(expected, rel=REL)


def test_high_vs_prev_close_nvda_20_nov():
    expected = 196.00 / 186.52 - 1
    assert close("NVDA", "2025-11-19") == 186.52
    assert metrics.high_vs_prev_close(series("NVDA"), "2025-11-20") == pytest.approx(expected,
                                                                                     rel=REL)
    assert expected > 0.05  # the article's "up more than 5%"


def test_high_vs_prev_close_across_holiday():
    expected = bar("NVDA", "2025-11-28")["high"] / close("NVDA", "2025-11-26") - 1
    assert metrics.high_vs_prev_close(series("NVDA"), "2025-11-28") == pytest.approx(expected,
                                                                                     rel=REL)


# ---------------------------------------------------------------------------- drawdown_on

def test_drawdown_on_with_since():
    _, top = max_close("NDX", "2025-10-01", "2025-11-20")
    expected = 24054.38 / top - 1
    got = metrics.drawdown_on(series("NDX"), "2025-11-20", since="2025-10-01")
    assert got == pytest.approx(expected, rel=REL)
    assert got == pytest.approx(-0.0791, abs=5e-4)


def test_drawdown_on_default_since_is_year_end_2024():
    _, top = max_close("NDX", "2024-12-31", "2025-11-20")
    expected = close("NDX", "2025-11-20") / top - 1
    assert metrics.drawdown_on(series("NDX"), "2025-11-20") == pytest.approx(expected, rel=REL)


def test_drawdown_on_since_excludes_earlier_highs():
    # BTC: the peak close from 1 Nov is lower than the 2025 peak, so the drawdown is smaller.
    _, top_all = max_close("BTC-USD", "2024-12-31", "2025-11-21")
    _, top_nov = max_close("BTC-USD", "2025-11-01", "2025-11-21")
    c = close("BTC-USD", "2025-11-21")
    df = series("BTC-USD")
    assert metrics.drawdown_on(df, "2025-11-21") == pytest.approx(c / top_all - 1, rel=REL)
    assert metrics.drawdown_on(df, "2025-11-21", since="2025-11-01") == pytest.approx(
        c / top_nov - 1, rel=REL)


def test_drawdown_on_is_zero_at_the_peak():
    peak_date, _ = max_close("NDX", "2025-10-01", "2025-11-20")
    assert metrics.drawdown_on(series("NDX"), peak_date, since="2025-10-01") == 0.0


def test_drawdown_on_nan_without_session_or_window():
    assert isnan(metrics.drawdown_on(series("NDX"), "2025-11-27"))
    assert isnan(metrics.drawdown_on(series("NDX"), "2025-11-20", since="2025-12-01"))


# ---------------------------------------------------------------------------- change_since

def test_change_since_default_base():
    expected = 85090.69 / 93429.20 - 1
    assert close("BTC-USD", "2024-12-31") == 93429.20
    assert metrics.change_since(series("BTC-USD"), "2025-11-21") == pytest.approx(expected,
                                                                                  rel=REL)


def test_change_since_ndx_ytd():
    expected = 24054.38 / 21012.17 - 1
    assert metrics.change_since(series("NDX"), "2025-11-20", base="2024-12-31") == pytest.approx(
        expected, rel=REL)


@pytest.mark.parametrize("base, base_row", [
    ("2025-11-27", "2025-11-26"),  # Thanksgiving: last close before it
    ("2025-11-22", "2025-11-21"),  # Saturday
    ("2025-11-23", "2025-11-21"),  # Sunday
    ("2025-11-21", "2025-11-21"),  # a session: that day's close
])
def test_change_since_base_on_non_trading_day_uses_last_close_on_or_before(base, base_row):
    expected = close("NDX", "2025-11-28") / close("NDX", base_row) - 1
    got = metrics.change_since(series("NDX"), "2025-11-28", base=base)
    assert got == pytest.approx(expected, rel=REL)


def test_change_since_new_year_base():
    expected = close("NDX", "2025-11-20") / close("NDX", "2024-12-31") - 1
    got = metrics.change_since(series("NDX"), "2025-11-20", base="2025-01-01")
    assert got == pytest.approx(expected, rel=REL)


def test_change_since_nan_cases():
    assert isnan(metrics.change_since(series("NDX"), "2025-11-27"))  # no session on date
    assert isnan(metrics.change_since(series("NDX"), "2025-11-20", base="2020-01-01"))
    # 9984.T starts 2025-06-26: no close on or before 31 Dec 2024
    assert isnan(metrics.change_since(series("9984.T"), "2025-11-20"))


# ---------------------------------------------------------------------------- peak

def test_peak():
    date, top = max_close("NDX", "2025-10-01", "2025-11-21")
    got_date, got = metrics.peak(series("NDX"), "2025-10-01", "2025-11-21")
    assert got_date == pd.Timestamp(date)
    assert isinstance(got_date, pd.Timestamp)
    assert got == top


def test_peak_with_bounds_on_non_trading_days():
    date, top = max_close("NDX", "2025-11-22", "2025-11-27")
    got_date, got = metrics.peak(series("NDX"), "2025-11-22", "2025-11-27")
    assert (got_date, got) == (pd.Timestamp(date), top)


def test_peak_without_closes_raises():
    with pytest.raises(ValueError, match="no closes between"):
        metrics.peak(series("NDX"), "2025-11-27", "2025-11-27")


# ---------------------------------------------------------------------------- scoreboard

def test_scoreboard_shape_and_columns():
    syms, dates = ["NDX", "HSI", "BTC-USD"], ["2025-11-20", pd.Timestamp("2025-11-22")]
    sb = metrics.scoreboard(syms, dates)
    assert list(sb.columns) == ["date", "symbol", "measure", "measure_label", "value"]
    assert len(sb) == len(syms) * len(dates) * len(metrics.MEASURES) == 24
    assert set(sb["date"]) == {"2025-11-20", "2025-11-22"}
    assert set(sb["measure"]) == {"day", "high_close", "drawdown", "ytd"}
    assert not sb.duplicated(["date", "symbol", "measure"]).any()
    labels = dict(zip(sb["measure"], sb["measure_label"]))
    assert labels == {k: lbl for k, (lbl, _) in metrics.MEASURES.items()}


def test_scoreboard_values():
    sb = metrics.scoreboard(["NDX", "HSI", "BTC-USD"], ["2025-11-20", "2025-11-22"])
    v = sb.set_index(["date", "symbol", "measure"])["value"]
    assert v["2025-11-20", "NDX", "day"] == pytest.approx(24054.38 / 24640.52 - 1, rel=REL)
    assert v["2025-11-20", "NDX", "high_close"] == pytest.approx(24054.38 / 25222.95 - 1, rel=REL)
    assert v["2025-11-20", "NDX", "ytd"] == pytest.approx(24054.38 / 21012.17 - 1, rel=REL)
    _, top = max_close("NDX", "2024-12-31", "2025-11-20")
    assert v["2025-11-20", "NDX", "drawdown"] == pytest.approx(24054.38 / top - 1, rel=REL)
    assert isnan(v["2025-11-20", "HSI", "high_close"])
    # Saturday: no equity session, crypto traded
    for m in metrics.MEASURES:
        assert isnan(v["2025-11-22", "NDX", m])
        assert isnan(v["2025-11-22", "HSI", m])
    assert v["2025-11-22", "BTC-USD", "day"] == pytest.approx(
        close("BTC-USD", "2025-11-22") / close("BTC-USD", "2025-11-21") - 1, rel=REL)


# ---------------------------------------------------------------------------- rebase

def test_rebase_first_value_on_or_after_base_is_100():
    wide = rdata.closes(["NDX", "BTC-USD"])
    before = wide.copy()
    r = metrics.rebase(wide, "2025-11-22")  # Saturday: BTC traded, NDX did not
    pd.testing.assert_frame_equal(wide, before)  # input untouched
    assert r.index[0] == pd.Timestamp("2025-11-22")
    assert r.loc["2025-11-22", "BTC-USD"] == pytest.approx(100, rel=REL)
    assert math.isnan(r.loc["2025-11-22", "NDX"])
    assert math.isnan(r.loc["2025-11-23", "NDX"])
    assert r.loc["2025-11-24", "NDX"] == pytest.approx(100, rel=REL)
    assert r.loc["2025-11-24", "BTC-USD"] == pytest.approx(
        close("BTC-USD", "2025-11-24") / close("BTC-USD", "2025-11-22") * 100, rel=REL)
    assert r.loc["2025-11-28", "NDX"] == pytest.approx(
        close("NDX", "2025-11-28") / close("NDX", "2025-11-24") * 100, rel=REL)


def test_rebase_keeps_nan_as_nan():
    wide = rdata.closes(["NDX", "HSI", "BTC-USD"])
    r = metrics.rebase(wide, "2025-11-19")
    after = wide.loc["2025-11-19":]
    pd.testing.assert_frame_equal(r.isna(), after.isna())
    assert math.isnan(r.loc["2025-11-27", "NDX"])  # Thanksgiving stays missing


def test_rebase_on_a_session():
    r = metrics.rebase(rdata.closes(["NDX"]), "2025-11-20")
    assert r.iloc[0, 0] == pytest.approx(100, rel=REL)
    assert r.loc["2025-11-21", "NDX"] == pytest.approx(24239.57 / 24054.38 * 100, rel=REL)


def test_rebase_series_starting_after_base():
    wide = rdata.closes(["9984.T", "NDX"])
    r = metrics.rebase(wide, "2024-12-31")
    s = r["9984.T"]
    assert s.first_valid_index() == pd.Timestamp("2025-06-26")
    assert s.loc["2025-06-26"] == pytest.approx(100, rel=REL)
    assert s.loc["2025-06-27"] == pytest.approx(2520.00 / 2457.50 * 100, rel=REL)
    assert s.loc[:"2025-06-25"].isna().all()
    assert r.loc["2024-12-31", "NDX"] == pytest.approx(100, rel=REL)


def test_rebase_synthetic_nan_in_the_middle():
    idx = pd.to_datetime(["2025-01-01", "2025-01-02", "2025-01-03", "2025-01-04"])
    wide = pd.DataFrame({"A": [np.nan, 10.0, np.nan, 20.0], "B": [4.0, 5.0, 6.0, np.nan],
                         "C": [np.nan] * 4}, index=idx)
    r = metrics.rebase(wide, "2025-01-01")
    assert r["A"].tolist()[1::2] == [100.0, 200.0]
    assert r["A"].isna().tolist() == [True, False, True, False]
    assert r["B"].tolist()[:3] == [100.0, 125.0, 150.0] and math.isnan(r["B"].iloc[3])
    assert r["C"].isna().all()


def test_rebase_base_after_all_data_raises():
    with pytest.raises(ValueError, match="no data on or after"):
        metrics.rebase(rdata.closes(["NDX"]), "2030-01-01")


# ---------------------------------------------------------------------------- drawdown

def hand_drawdown(sym: str, start: str, date: str) -> float:
    peak = None
    for r in rows(sym):
        if start <= r["date"] <= date and r["close"] is not None:
            peak = r["close"] if peak is None else max(peak, r["close"])
    return close(sym, date) / peak - 1


def test_drawdown_synthetic():
    idx = pd.date_range("2025-01-01", periods=6)
    wide = pd.DataFrame({"A": [100.0, np.nan, 90.0, 110.0, 99.0, np.nan],
                         "B": [np.nan, 50.0, 40.0, np.nan, 60.0, 30.0]}, index=idx)
    dd = metrics.drawdown(wide)
    a, b = dd["A"].tolist(), dd["B"].tolist()
    assert a[0] == 0.0 and math.isnan(a[1]) and a[2] == pytest.approx(90 / 100 - 1)
    assert a[3] == 0.0 and a[4] == pytest.approx(99 / 110 - 1) and math.isnan(a[5])
    assert math.isnan(b[0]) and b[1] == 0.0 and b[2] == pytest.approx(40 / 50 - 1)
    assert math.isnan(b[3]) and b[4] == 0.0 and b[5] == pytest.approx(30 / 60 - 1)


def test_drawdown_cummax_across_nan():
    idx = pd.date_range("2025-01-01", periods=3)
    dd = metrics.drawdown(pd.DataFrame({"A": [100.0, np.nan, 50.0]}, index=idx))
    assert dd["A"].iloc[2] == pytest.approx(-0.5)  # the peak before the gap still counts


def test_drawdown_real_with_start():
    wide = rdata.closes(["NDX", "BTC-USD"])
    dd = metrics.drawdown(wide, "2025-11-19")
    assert dd.index[0] == pd.Timestamp("2025-11-19")
    assert dd.loc["2025-11-19"].tolist() == [0.0, 0.0]
    for date in ["2025-11-20", "2025-11-21", "2025-11-24", "2025-11-25", "2025-11-28"]:
        assert dd.loc[date, "NDX"] == pytest.approx(hand_drawdown("NDX", "2025-11-19", date),
                                                    rel=REL, abs=1e-15)
    for date in ["2025-11-22", "2025-11-23", "2025-11-27"]:
        assert math.isnan(dd.loc[date, "NDX"])  # no session stays missing
        assert dd.loc[date, "BTC-USD"] == pytest.approx(
            hand_drawdown("BTC-USD", "2025-11-19", date), rel=REL)
    # NDX 24 Nov closed above the 19 Nov close, across the weekend gap: a new high
    assert close("NDX", "2025-11-24") > close("NDX", "2025-11-19")
    assert dd.loc["2025-11-24", "NDX"] == 0.0
    assert (dd.stack().dropna() <= 0).all()


def test_drawdown_without_start_begins_at_first_row():
    wide = rdata.closes(["NDX"])
    dd = metrics.drawdown(wide)
    assert dd.index[0] == pd.Timestamp("2024-12-31") and dd.iloc[0, 0] == 0.0
    assert dd.loc["2025-11-20", "NDX"] == pytest.approx(
        hand_drawdown("NDX", "2024-12-31", "2025-11-20"), rel=REL)


# ---------------------------------------------------------------------------- tidy

def test_tidy_synthetic():
    idx = pd.to_datetime(["2025-11-21", "2025-11-22"])
    wide = pd.DataFrame({"NDX": [1.5, np.nan], "BTC-USD": [2.0, 3.0]}, index=idx)
    t = metrics.tidy(wide, "v")
    assert list(t.columns) == ["date", "symbol", "v"]
    assert len(t) == 3
    assert not t["v"].isna().any()
    assert list(t.index) == [0, 1, 2]
    recs = set(zip(t["date"], t["symbol"], t["v"]))
    assert recs == {("2025-11-21", "NDX", 1.5), ("2025-11-21", "BTC-USD", 2.0),
                    ("2025-11-22", "BTC-USD", 3.0)}


def test_tidy_real_closes():
    wide = rdata.closes(["NDX", "BTC-USD"], start="2025-11-20", end="2025-11-24")
    t = metrics.tidy(wide, "close")
    assert t["date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    ndx = t[t.symbol == "NDX"]
    assert list(ndx["date"]) == ["2025-11-20", "2025-11-21", "2025-11-24"]
    assert len(t[t.symbol == "BTC-USD"]) == 5
    for _, r in t.iterrows():
        assert r["close"] == close(r["symbol"], r["date"])


# ---------------------------------------------------------------------------- bad dates

BAD = ["2025-13-01", "2025-02-30", "not a date", "20/11/2025x"]


def _calls(bad):
    ndx = series("NDX")
    wide = rdata.closes(["NDX"])
    return {
        "session": lambda: metrics.session(ndx, bad),
        "prev_close": lambda: metrics.prev_close(ndx, bad),
        "day_change": lambda: metrics.day_change(ndx, bad),
        "high_to_close": lambda: metrics.high_to_close(ndx, bad),
        "high_to_low": lambda: metrics.high_to_low(ndx, bad),
        "high_vs_prev_close": lambda: metrics.high_vs_prev_close(ndx, bad),
        "drawdown_on date": lambda: metrics.drawdown_on(ndx, bad),
        "drawdown_on since": lambda: metrics.drawdown_on(ndx, "2025-11-20", since=bad),
        "change_since date": lambda: metrics.change_since(ndx, bad),
        "change_since base": lambda: metrics.change_since(ndx, "2025-11-20", base=bad),
        "peak start": lambda: metrics.peak(ndx, bad, "2025-11-20"),
        "peak end": lambda: metrics.peak(ndx, "2025-10-01", bad),
        "scoreboard": lambda: metrics.scoreboard(["NDX"], [bad]),
        "rebase": lambda: metrics.rebase(wide, bad),
        "drawdown": lambda: metrics.drawdown(wide, bad),
    }


@pytest.mark.parametrize("bad", BAD)
@pytest.mark.parametrize("name", list(_calls("x")))
def test_bad_date_raises_clear_value_error(name, bad):
    with pytest.raises(ValueError) as exc:
        _calls(bad)[name]()
    msg = str(exc.value)
    assert "not a date" in msg and repr(bad) in msg and "YYYY-MM-DD" in msg


@pytest.mark.parametrize("bad", ["", None])
def test_empty_or_none_date_raises(bad):
    df = series("NDX")
    try:
        got = metrics.prev_close(df, bad)
    except ValueError:
        return
    raise AssertionError(f"prev_close(NDX, {bad!r}) returned {got} instead of raising")
