"""Intraday bars in New York time: sessions, paths against the prior close, highs and lows.

The cached intraday files do not share a clock. The hourly files (NVDA_1h, QQQ_1h, MSFT_1h)
stamp each bar's start in UTC; SPX_5m stamps it in New York time with a -05:00 offset and
adds a 16:00 closing-print bar. riskoff.data parses both into UTC; every function here
converts to America/New_York before it looks at a clock time, so daylight saving is handled
by the time-zone database, not by a fixed offset.

Pure functions on frames (no I/O). Changes are fractions (0.01 = 1%).
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd

NY = ZoneInfo("America/New_York")
OPEN = dt.time(9, 30)
CLOSE = dt.time(16, 0)
# The daily series whose previous close each intraday series is measured against.
DAILY_OF = {"NVDA_1h": "NVDA", "QQQ_1h": "QQQ", "MSFT_1h": "MSFT", "SPX_5m": "GSPC"}
INTERVALS = {"1h": pd.Timedelta(hours=1), "5m": pd.Timedelta(minutes=5)}


def interval_of(symbol: str) -> pd.Timedelta:
    """Bar length from the cache's naming convention (NVDA_1h, SPX_5m)."""
    suffix = symbol.rsplit("_", 1)[-1]
    if suffix not in INTERVALS:
        raise ValueError(f"{symbol!r} is not an intraday series (expected a _1h or _5m suffix)")
    return INTERVALS[suffix]


def to_new_york(index: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """Time-zone-aware stamps converted to New York wall-clock time."""
    if index.tz is None:
        raise ValueError("intraday stamps must carry a time zone; refusing to guess one")
    return index.tz_convert(NY)


def minute_of_day(stamps) -> pd.Index:
    """Minutes after midnight on the wall clock of the stamps' own zone."""
    stamps = pd.DatetimeIndex(stamps)
    return pd.Index(stamps.hour * 60 + stamps.minute, dtype=int)


def clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _since_midnight(t: dt.time) -> pd.Timedelta:
    return pd.Timedelta(hours=t.hour, minutes=t.minute, seconds=t.second,
                        microseconds=t.microsecond)


def session_bars(bars: pd.DataFrame, date, interval: pd.Timedelta) -> pd.DataFrame:
    """The regular-session bars (09:30-16:00 New York) of one New York date.

    Adds start/end (New York time), start_min/end_min (minutes after midnight) and
    closing_print. A bar never runs past 16:00 (the hourly files' last bar is the 15:30-16:00
    half hour). A bar starting at 16:00 is the closing auction print: it has no length.
    """
    day = pd.Timestamp(date).date()
    if bars.index.tz is None:
        to_new_york(bars.index)  # says why
    # 09:30 and 16:00 of that New York date as instants: a stamp's New York wall time falls
    # in [09:30, 16:00] of the date exactly when the stamp falls between them (the clock
    # only jumps at 02:00), so the bars need no conversion until they are picked.
    midnight = pd.Timestamp(day)
    first = (midnight + _since_midnight(OPEN)).tz_localize(NY)
    last = (midnight + _since_midnight(CLOSE)).tz_localize(NY)
    keep = (bars.index >= first) & (bars.index <= last)
    out = bars.loc[keep].copy()
    start = to_new_york(bars.index[keep])
    close_at = pd.Timestamp.combine(day, CLOSE).tz_localize(NY)
    end = pd.DatetimeIndex(start + interval)
    end = end.where(end <= close_at, close_at)
    out["start"] = start
    out["end"] = end
    out["closing_print"] = start.time == CLOSE
    out["start_min"] = minute_of_day(start)
    out["end_min"] = minute_of_day(end)
    return out.reset_index(drop=True)


def last_close(session: pd.DataFrame) -> float:
    """The session's closing price: the closing print where there is one, else the last bar's
    close."""
    if session.empty:
        return float("nan")
    prints = session[session["closing_print"]]
    row = prints.iloc[-1] if len(prints) else session.iloc[-1]
    return float(row["close"])


def path(session: pd.DataFrame, prev_close: float) -> pd.DataFrame:
    """Price path of a session as points: the first bar's open at 09:30, then each bar's close
    at the bar's end. The closing print, where present, is the 16:00 point."""
    if session.empty:
        return pd.DataFrame(columns=["minute", "time", "price", "change", "point"])
    first = session.iloc[0]
    regular = session[~session["closing_print"]]
    out = pd.DataFrame({
        "minute": [int(first["start_min"]), *map(int, regular["end_min"].tolist())],
        "price": [float(first["open"]), *map(float, regular["close"].tolist())],
        "point": ["open", *["bar close"] * len(regular)]})
    prints = session[session["closing_print"]]
    if len(prints):
        out = out[out["minute"] != int(prints.iloc[-1]["start_min"])]
        out = pd.concat([out, pd.DataFrame([{"minute": int(prints.iloc[-1]["start_min"]),
                                             "price": float(prints.iloc[-1]["close"]),
                                             "point": "closing print"}])])
    out = out.sort_values("minute", kind="stable").reset_index(drop=True)
    out["time"] = out["minute"].map(clock)
    out["change"] = out["price"] / prev_close - 1
    return out[["minute", "time", "price", "change", "point"]]


def extreme_bar(session: pd.DataFrame, which: str = "high") -> pd.Series:
    """The bar holding the session's high (or low); the first one on a tie."""
    if session.empty:
        raise ValueError("no bars in this session")
    col = session[which]
    return session.loc[col.idxmax() if which == "high" else col.idxmin()]


def summary(session: pd.DataFrame, prev_close: float) -> dict:
    """What the session did, measured from the bars against the previous daily close."""
    high, low = extreme_bar(session, "high"), extreme_bar(session, "low")
    open_ = float(session.iloc[0]["open"])
    close = last_close(session)
    return {
        "prev_close": prev_close, "open": open_, "high": float(high["high"]),
        "high_start": clock(int(high["start_min"])), "high_end": clock(int(high["end_min"])),
        "low": float(low["low"]), "low_start": clock(int(low["start_min"])),
        "low_end": clock(int(low["end_min"])), "close": close,
        "gap": open_ / prev_close - 1,
        "high_vs_prev": float(high["high"]) / prev_close - 1,
        "open_to_high": float(high["high"]) / open_ - 1,
        "high_to_close": close / float(high["high"]) - 1,
        "day": close / prev_close - 1,
    }


def compare_daily(session: pd.DataFrame, daily_bar: pd.Series) -> pd.DataFrame:
    """Open, high, low and close rebuilt from the bars beside the daily bar of the same date."""
    rebuilt = {"open": float(session.iloc[0]["open"]), "high": float(session["high"].max()),
               "low": float(session["low"].min()), "close": last_close(session)}
    rows = [{"field": f, "from_bars": rebuilt[f], "daily": float(daily_bar[f]),
             "difference": rebuilt[f] - float(daily_bar[f])} for f in rebuilt]
    return pd.DataFrame(rows)


def minutes_to_high(session: pd.DataFrame) -> int:
    """Minutes from the 09:30 open to the start of the bar that holds the session's high."""
    return int(extreme_bar(session, "high")["start_min"]) - (OPEN.hour * 60 + OPEN.minute)


def high_lead(leader: pd.DataFrame, follower: pd.DataFrame) -> int:
    """The least time, in minutes, by which the leader's high came before the follower's.

    Bars only say that a high fell somewhere inside them, so the sure lead is the gap between
    the end of the leader's high bar and the start of the follower's. Negative: the highs'
    bars overlap or the follower peaked first, so no lead can be shown.
    """
    return int(extreme_bar(follower, "high")["start_min"]) - int(extreme_bar(leader, "high")["end_min"])
