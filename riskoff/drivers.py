"""Chapter 4, "The nine drivers": the measurements behind each proxy.

Pure functions on cached frames (no I/O, no charts), except the few claim metrics at the end,
which load the two series they compare. Returns are fractions (0.01 = 1%); yield changes are
in basis points (bp); nothing missing is filled.

Calendars: US series are dated by the New York session; Bitcoin's daily bar is a UTC calendar
day whose close is taken at 00:00 UTC of the next day, i.e. 19:00 New York time in winter
(EST) and 20:00 in summer (EDT), three or four hours after the US close of the same date.
"""
from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from . import data as rdata
from .i18n import N_


def _ts(d) -> pd.Timestamp:
    try:
        if isinstance(d, (int, float)):  # pandas reads 20251120 as nanoseconds after 1970
            raise TypeError
        return pd.Timestamp(d)
    except (ValueError, TypeError):
        raise ValueError(f"not a date: {d!r} (use YYYY-MM-DD)") from None


def parse_lookbacks(values) -> list[int]:
    """Lookbacks from a list or a string like "20,50,100" (claims pass strings)."""
    if isinstance(values, str):
        values = [v for v in values.replace(" ", "").split(",") if v]
    try:
        out = [int(v) for v in values]
    except (TypeError, ValueError):
        raise ValueError(f"lookbacks must be whole numbers of sessions, got {values!r}") from None
    if not out or min(out) < 1:
        raise ValueError("give at least one lookback of 1 session or more")
    return out


# ---------------------------------------------------------------- 1. gap and fade

def gaps(df: pd.DataFrame) -> pd.DataFrame:
    """Per session: opening gap (open vs previous close), open-to-close move, day move."""
    prev = df["close"].shift(1)
    return pd.DataFrame({"gap": df["open"] / prev - 1,
                         "open_to_close": df["close"] / df["open"] - 1,
                         "day": df["close"] / prev - 1}, index=df.index).iloc[1:]


def gap_and_fade(df: pd.DataFrame, min_gap: float) -> pd.Series:
    """True on sessions that opened at least ``min_gap`` above the previous close and still
    closed below it: the good news of the open was more than given back."""
    g = gaps(df)
    return (g["gap"] >= min_gap) & (g["day"] < 0)


def count_gap_and_fade(df: pd.DataFrame, min_gap, start=None, end=None) -> int:
    hits = gap_and_fade(df, float(min_gap))
    return int(hits.loc[_ts(start) if start else None: _ts(end) if end else None].sum())


# ---------------------------------------------------------------- 2. credit

def window_changes(ret_close: pd.Series, yld: pd.Series, horizon: int) -> pd.DataFrame:
    """Over every ``horizon``-session window of the price series: its return and the change of
    the yield (bp) between the same two dates. Windows whose end points lack a yield are
    dropped (FRED skips some days the exchange traded)."""
    if horizon < 1:
        raise ValueError("the window must be at least one session")
    closes = ret_close.dropna()
    start_dates = closes.index[:-horizon]
    end_dates = closes.index[horizon:]
    y = yld.reindex(closes.index)
    c0, c1 = closes.iloc[:-horizon].to_numpy(), closes.iloc[horizon:].to_numpy()
    y0, y1 = y.iloc[:-horizon].to_numpy(), y.iloc[horizon:].to_numpy()
    out = pd.DataFrame({"start": start_dates, "end": end_dates, "ret": c1 / c0 - 1,
                        "dy_bp": (y1 - y0) * 100})
    out["dy_bp"] = out["dy_bp"].round(6)  # yields have 2-3 decimals; drop float noise
    return out.dropna().reset_index(drop=True)


# ---------------------------------------------------------------- 3. yield moves

def yield_changes(df: pd.DataFrame) -> pd.Series:
    """Day-to-day change of a yield in bp, between consecutive published values."""
    closes = df["close"].dropna()
    return (closes.diff() * 100).round(6).iloc[1:]


def move_stats(changes: pd.Series, date, lookback: int | None) -> dict:
    """How a day's change compares with the ``lookback`` changes before it (all if None):
    z-score and the share of earlier changes at or below it (its percentile)."""
    date = _ts(date)
    if date not in changes.index:
        raise ValueError(f"no published value on {date:%d %b %Y}")
    before = changes.loc[: date - pd.Timedelta(days=1)]
    if lookback is not None:
        before = before.iloc[-int(lookback):]
    if len(before) < 10:
        raise ValueError(f"only {len(before)} earlier changes; need at least 10")
    value = float(changes.loc[date])
    mean, std = float(before.mean()), float(before.std())
    return {"date": date, "value": value, "mean": mean, "std": std, "n": len(before),
            "z": (value - mean) / std if std > 0 else float("nan"),
            "pct_at_or_below": float((before <= value).mean())}


# ---------------------------------------------------------------- 4. crypto and Nasdaq

def aligned_returns(us: pd.DataFrame, btc: pd.DataFrame) -> pd.DataFrame:
    """Daily returns of a US series and of Bitcoin over the same close-to-close spans.

    For each US session t (New York date), Bitcoin's return runs from its close on the UTC
    date of the previous US session to its close on the UTC date t, so weekends and holidays
    fall inside the Monday (or post-holiday) return of both. Bitcoin's close is stamped 3-4
    hours after the New York close of the same date (see the module note).
    """
    us_close = us["close"].dropna()
    btc_close = btc["close"].reindex(us_close.index)
    out = pd.DataFrame({"us": us_close.pct_change(), "btc": btc_close.pct_change()})
    return out.iloc[1:].dropna()


def cross_correlation(rets: pd.DataFrame, max_lag: int, start=None, end=None) -> pd.DataFrame:
    """Correlation of the US return on session t with Bitcoin's return on session t - lag.

    lag > 0: Bitcoin earlier (Bitcoin leads); lag < 0: Bitcoin later (the US leads). Each lag
    uses the pairs whose both returns fall inside [start, end]; ``n`` says how many.
    """
    max_lag = int(max_lag)
    if max_lag < 0:
        raise ValueError("the maximum lag must be 0 or more")
    from pandas.core import nanops  # what Series.corr computes, on the arrays it passes

    win = rets.loc[_ts(start) if start else None: _ts(end) if end else None]
    us = win["us"].to_numpy(dtype=float, na_value=np.nan)
    btc = win["btc"].to_numpy(dtype=float, na_value=np.nan)
    rows = []
    for lag in range(-max_lag, max_lag + 1):
        # win["btc"].shift(lag) within the window, then the rows where both are present
        shifted = np.full(len(btc), np.nan)
        if lag >= len(btc) or -lag >= len(btc):
            pass
        elif lag >= 0:
            shifted[lag:] = btc[:len(btc) - lag]
        else:
            shifted[:lag] = btc[-lag:]
        keep = ~np.isnan(us) & ~np.isnan(shifted)
        n = int(keep.sum())
        rows.append({"lag": lag, "corr": float(nanops.nancorr(us[keep], shifted[keep])) if n > 2
                     else float("nan"), "n": n})
    return pd.DataFrame(rows)


def first_below(values: pd.Series, threshold: float, start=None) -> pd.Timestamp | None:
    """First date on or after ``start`` with a value below ``threshold`` (None if never)."""
    s = values.dropna().loc[_ts(start) if start else None:]
    hit = s[s < threshold]
    return hit.index[0] if len(hit) else None


def moving_average(close: pd.Series, window: int) -> pd.Series:
    """Mean of the last ``window`` closes including today; missing until there are enough."""
    return close.rolling(int(window), min_periods=int(window)).mean()


def first_close_below_ma(df: pd.DataFrame, window: int, start=None) -> pd.Timestamp | None:
    close = df["close"].dropna()
    gap = close - moving_average(close, window)
    return first_below(gap, 0.0, start)


# ---------------------------------------------------------------- 5. trend following

SIGNALS = {"ma": N_("price vs its moving average"),
           "mom": N_("price vs its level L sessions ago")}   # shown with _()


def trend_signals(close: pd.Series, lookbacks: Iterable[int], kind: str = "ma") -> pd.DataFrame:
    """One column per lookback: +1 when the close is above its reference, -1 below, 0 equal,
    missing while the lookback has too little history."""
    if kind not in SIGNALS:
        raise ValueError(f"signal kind must be one of {', '.join(SIGNALS)}")
    close = close.dropna()
    cols = {}
    for lb in parse_lookbacks(lookbacks):
        ref = moving_average(close, lb) if kind == "ma" else close.shift(lb)
        cols[lb] = np.sign(close - ref).where(ref.notna())
    return pd.DataFrame(cols, index=close.index)


def trend_position(close: pd.Series, lookbacks: Iterable[int], kind: str = "ma") -> pd.Series:
    """Equal-weight average of the signals: a position between -1 (all short) and +1 (all
    long); missing until every lookback has enough history."""
    return trend_signals(close, lookbacks, kind).mean(axis=1, skipna=False)


def turns_short(position: pd.Series, start=None, end=None) -> list[pd.Timestamp]:
    """Dates on which the position went from flat or long (>= 0) to net short (< 0)."""
    pos = position.dropna()
    flips = pos[(pos < 0) & (pos.shift(1) >= 0)]
    return list(flips.loc[_ts(start) if start else None: _ts(end) if end else None].index)


# ---------------------------------------------------------------- 8. illiquidity, 9. volume

def amihud(df: pd.DataFrame) -> pd.Series:
    """Amihud illiquidity per session: |close-to-close return| / (close x volume), expressed
    in basis points of price move per billion dollars traded. Higher = less liquid."""
    ret = df["close"].pct_change().abs()
    dollar_volume = df["close"] * df["volume"]
    out = ret * 1e4 / (dollar_volume / 1e9)
    return out.where(dollar_volume > 0).iloc[1:]


def hl_range(df: pd.DataFrame) -> pd.Series:
    """Intraday high-to-low range as a fraction of the low."""
    return df["high"] / df["low"] - 1


def relative_to_trailing(values: pd.Series, window: int) -> pd.Series:
    """Each value over the mean of the ``window`` values before it (today excluded)."""
    window = int(window)
    if window < 1:
        raise ValueError("the window must be at least one session")
    trailing = values.shift(1).rolling(window, min_periods=window).mean()
    return values / trailing


# ---------------------------------------------------------------- small helpers

def day_returns(df: pd.DataFrame) -> pd.Series:
    return df["close"].dropna().pct_change().iloc[1:]


def percentile_of(values: pd.Series, date) -> float:
    """Share (0-1) of all values in the series at or below the value of ``date``."""
    date = _ts(date)
    v = values.dropna()
    if date not in v.index:
        raise ValueError(f"no value on {date:%d %b %Y}")
    return float((v <= v.loc[date]).mean())


# ---------------------------------------------------------------- claim metrics
# Called by riskoff.claims with the claim's arguments as strings (see claims/04-drivers.yaml).

def gap_pct(df: pd.DataFrame, date) -> float:
    """Opening gap of a session in percent."""
    g = gaps(df)
    date = _ts(date)
    return float(g.loc[date, "gap"]) * 100 if date in g.index else float("nan")


def gap_and_fade_count(df: pd.DataFrame, min_gap, start=None, end=None) -> float:
    """Number of sessions with a gap of at least ``min_gap`` percent that closed lower."""
    return float(count_gap_and_fade(df, float(min_gap) / 100, start, end))


def gap_and_fade_share(df: pd.DataFrame, min_gap, start=None, end=None) -> float:
    """The same sessions as a percentage of all sessions in the span."""
    hits = gap_and_fade(df, float(min_gap) / 100)
    hits = hits.loc[_ts(start) if start else None: _ts(end) if end else None]
    return 100 * float(hits.sum()) / len(hits) if len(hits) else float("nan")


def yield_move_z(df: pd.DataFrame, date, lookback) -> float:
    return move_stats(yield_changes(df), date, int(lookback))["z"]


def day_return_percentile(df: pd.DataFrame, date) -> float:
    """Percentile (0-100) of a session's return among all cached daily returns."""
    return 100 * percentile_of(day_returns(df), date)


def change_percentile(df: pd.DataFrame, date) -> float:
    """Percentile (0-100) of a day's change in level (e.g. VIX points) among all days."""
    return 100 * percentile_of(df["close"].dropna().diff().iloc[1:], date)


def days_before(df: pd.DataFrame, threshold, start, event, field: str = "low") -> float:
    """Calendar days from the first ``field`` below ``threshold`` (on or after ``start``) to
    ``event``; positive when the break came first."""
    hit = first_below(df[field], float(threshold), start)
    return float("nan") if hit is None else float((_ts(event) - hit).days)


def btc_break_vs_ma_break(threshold, ma_window, start, field: str = "low") -> float:
    """Calendar days by which Bitcoin's first break of ``threshold`` (UTC date) preceded the
    Nasdaq-100's first close below its ``ma_window``-session average (New York date), both
    counted from ``start``. Negative: the Nasdaq-100 broke first."""
    btc = first_below(rdata.series("BTC-USD")[field], float(threshold), start)
    ndx = first_close_below_ma(rdata.series("NDX"), int(ma_window), start)
    if btc is None or ndx is None:
        return float("nan")
    return float((ndx - btc).days)


def btc_lead_z(lag, start, end) -> float:
    """Correlation of NDX returns with Bitcoin's returns ``lag`` sessions earlier, scaled by
    sqrt(n): about N(0, 1) when there is no relation, so above 2 is a lead worth the name."""
    rets = aligned_returns(rdata.series("NDX"), rdata.series("BTC-USD"))
    row = cross_correlation(rets, abs(int(lag)), start, end).set_index("lag").loc[int(lag)]
    return float(row["corr"] * np.sqrt(row["n"]))


def _value_on(series: pd.Series, date) -> float:
    date = _ts(date)
    return float(series.loc[date]) if date in series.index else float("nan")


def trend_position_on(df: pd.DataFrame, date, lookbacks, kind: str = "ma") -> float:
    return _value_on(trend_position(df["close"], parse_lookbacks(lookbacks), kind), date)


def amihud_ratio(df: pd.DataFrame, date, window) -> float:
    return _value_on(relative_to_trailing(amihud(df), int(window)), date)


def volume_ratio(df: pd.DataFrame, date, window) -> float:
    return _value_on(relative_to_trailing(df["volume"].astype(float), int(window)), date)


def range_ratio(df: pd.DataFrame, date, window) -> float:
    return _value_on(relative_to_trailing(hl_range(df), int(window)), date)


def lookbacks_label(lookbacks: Sequence[int]) -> str:
    return ", ".join(str(x) for x in lookbacks)
