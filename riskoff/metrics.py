"""Pure functions on price frames: no I/O, no charts. Returns are fractions (0.01 = 1%).

Every function leaves missing values missing: a market that did not trade on a date has no
return on that date; nothing is filled or interpolated.
"""
from __future__ import annotations

import numbers
import numpy as np

import pandas as pd

from . import data as rdata
from .i18n import N_, _

YEAR_END_2024 = pd.Timestamp("2024-12-31")


def _ts(d) -> pd.Timestamp:
    if isinstance(d, numbers.Number):  # pandas reads 20251120 as nanoseconds after 1970
        raise ValueError(f"not a date: {d!r} (use YYYY-MM-DD)")
    try:
        ts = pd.Timestamp(d)
    except (ValueError, TypeError):
        ts = pd.NaT
    if pd.isna(ts):  # None, "" and NaN parse to NaT: refuse them, never guess a date
        raise ValueError(f"not a date: {d!r} (use YYYY-MM-DD)")
    return ts


def session(df: pd.DataFrame, date) -> pd.Series | None:
    """The bar of ``date`` in a daily frame, or None when the market did not trade."""
    date = _ts(date)
    return df.loc[date] if date in df.index else None


def prev_close(df: pd.DataFrame, date) -> float:
    """Close of the last session strictly before ``date``."""
    before = df.loc[: _ts(date) - pd.Timedelta(days=1), "close"].dropna()
    return float(before.iloc[-1]) if len(before) else float("nan")


def day_change(df: pd.DataFrame, date) -> float:
    """Close-to-close change of the session on ``date`` (NaN if no session)."""
    bar = session(df, date)
    if bar is None or pd.isna(bar["close"]):
        return float("nan")
    return float(bar["close"]) / prev_close(df, date) - 1


def high_to_close(df: pd.DataFrame, date) -> float:
    """Fall from the session's intraday high to its close (NaN where no high is published)."""
    bar = session(df, date)
    if bar is None or "high" not in bar or pd.isna(bar["high"]):
        return float("nan")
    return float(bar["close"]) / float(bar["high"]) - 1


def high_to_low(df: pd.DataFrame, date) -> float:
    bar = session(df, date)
    if bar is None or "high" not in bar or pd.isna(bar["high"]):
        return float("nan")
    return float(bar["low"]) / float(bar["high"]) - 1


def high_vs_prev_close(df: pd.DataFrame, date) -> float:
    """How far the session's high rose above the previous close."""
    bar = session(df, date)
    if bar is None or "high" not in bar or pd.isna(bar["high"]):
        return float("nan")
    return float(bar["high"]) / prev_close(df, date) - 1


def drawdown_on(df: pd.DataFrame, date, since=YEAR_END_2024) -> float:
    """Close on ``date`` against the highest close from ``since`` up to that date."""
    closes = df.loc[_ts(since): _ts(date), "close"].dropna()
    if not len(closes) or closes.index[-1] != _ts(date):
        return float("nan")
    return float(closes.iloc[-1] / closes.max() - 1)


def change_since(df: pd.DataFrame, date, base=YEAR_END_2024) -> float:
    """Close on ``date`` against the last close on or before ``base``."""
    bar = session(df, date)
    base_closes = df.loc[: _ts(base), "close"].dropna()
    if bar is None or not len(base_closes):
        return float("nan")
    return float(bar["close"]) / float(base_closes.iloc[-1]) - 1


def peak(df: pd.DataFrame, start, end) -> tuple[pd.Timestamp, float]:
    """Date and value of the highest close between two dates."""
    closes = df.loc[_ts(start): _ts(end), "close"].dropna()
    if closes.empty:
        raise ValueError(f"no closes between {start} and {end}")
    return closes.idxmax(), float(closes.max())


# Labels in English; scoreboard() writes them in the reader's language (riskoff.i18n).
MEASURES = {
    "day": (N_("Day move"), day_change),
    "high_close": (N_("Intraday high to close"), high_to_close),
    "drawdown": (N_("Below 2025 peak close"), drawdown_on),
    "ytd": (N_("Since 31 Dec 2024"), change_since),
}


def scoreboard(symbols, dates) -> pd.DataFrame:
    """Long table: one row per (date, symbol, measure) with the value as a fraction."""
    rows = []
    for sym in symbols:
        df = rdata.series(sym)
        for date in dates:
            for key, (label, fn) in MEASURES.items():
                rows.append({"date": f"{_ts(date):%Y-%m-%d}", "symbol": sym, "measure": key,
                             "measure_label": _(label), "value": fn(df, date)})
    return pd.DataFrame(rows)


def rebase(wide: pd.DataFrame, base) -> pd.DataFrame:
    """Each column divided by its first value on or after ``base``, times 100."""
    after = wide.loc[_ts(base):]
    if after.empty:
        raise ValueError(f"no data on or after {base}")
    first = after.apply(lambda s: s.dropna().iloc[0] if s.notna().any() else float("nan"))
    return after / first * 100


def drawdown(wide: pd.DataFrame, start=None) -> pd.DataFrame:
    """Each column against its running maximum from ``start`` (0 at a new high)."""
    window = wide.loc[_ts(start) if start is not None else None:]
    # cummax skips NaN but keeps them in place, so days without a session stay missing.
    return window / window.cummax() - 1


def _tidy_floats(wide: pd.DataFrame, value: str) -> pd.DataFrame | None:
    """tidy() by NumPy for the usual case (float columns named by distinct strings, dates
    without gaps in the index): the same rows in the same order (melt's, a column at a time),
    each date formatted once instead of once per column. None for anything else."""
    index, columns = wide.index, wide.columns
    if (type(index) is not pd.DatetimeIndex or index.hasnans or isinstance(columns, pd.MultiIndex)
            or value in ("date", "symbol") or not all(type(c) is str for c in columns)
            or columns.has_duplicates or not all(d == np.float64 for d in wide.dtypes)):
        return None
    n, k = wide.shape
    flat = wide.to_numpy(dtype=np.float64).T.ravel()  # column after column, like melt
    keep = np.flatnonzero(~np.isnan(flat))
    rows, cols = keep % n if n else keep, keep // n if n else keep
    return pd.DataFrame({"date": index.strftime("%Y-%m-%d").take(rows),
                         "symbol": columns.take(cols), value: flat[keep]})


def tidy(wide: pd.DataFrame, value: str) -> pd.DataFrame:
    """Wide date x symbol frame to rows (date as YYYY-MM-DD, symbol, value), NaN dropped."""
    fast = _tidy_floats(wide, value)
    if fast is not None:
        return fast
    out = wide.rename_axis("date").reset_index().melt("date", var_name="symbol",
                                                      value_name=value).dropna()
    out["date"] = pd.to_datetime(out["date"]).dt.strftime("%Y-%m-%d")
    return out.reset_index(drop=True)
