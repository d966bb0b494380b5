"""Realized volatility and how long it stayed high after a date.

Realized volatility = rolling standard deviation (ddof=1) of daily log returns over a window
of observations, annualized with sqrt(252) for exchange-traded series and sqrt(365) for crypto
(which trades every calendar day). Returns are taken between consecutive published closes of
the series itself; a missing close is skipped, never filled. The VIX is already an annualized
(implied) volatility in points, so it enters as level / 100.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import data as rdata

EVENT = pd.Timestamp("2025-11-21")
WINDOWS = (10, 21, 63)


def periods_per_year(symbol: str) -> int:
    return 365 if rdata.info(symbol)["asset_class"] == "crypto" else 252


def log_returns(close: pd.Series) -> pd.Series:
    close = close.dropna()
    if (close <= 0).any():
        raise ValueError("log returns need positive closes")
    return np.log(close).diff().dropna()


def realized(close: pd.Series, window: int, periods: int) -> pd.Series:
    """Annualized rolling volatility (a fraction: 0.20 = 20%) ending on each date."""
    window = int(window)
    if window < 2:
        raise ValueError(f"the window must be at least 2 observations, got {window}")
    return (log_returns(close).rolling(window).std() * np.sqrt(periods)).dropna()


def vol_series(symbol: str, window: int, end=None) -> pd.Series:
    """Realized volatility of a cached series, or the VIX level / 100 (window ignored)."""
    close = rdata.series(symbol)["close"].loc[:end]
    if symbol == "VIX":
        return (close.dropna() / 100).rename("VIX")
    return realized(close, window, periods_per_year(symbol)).rename(symbol)


def baseline(vol: pd.Series, start="2025-01-01", before=EVENT) -> float:
    """Median of the series over 2025 up to (not including) the event date."""
    pre = vol.loc[pd.Timestamp(start): pd.Timestamp(before) - pd.Timedelta(days=1)].dropna()
    if pre.empty:
        raise ValueError("no values before the event to set a baseline")
    return float(pre.median())


def runs(flags: pd.Series) -> pd.DataFrame:
    """Consecutive runs of True in a boolean series: start, end and length (observations)."""
    flags = flags.astype(bool)
    if flags.empty:
        return pd.DataFrame(columns=["start", "end", "length"])
    rid = (flags != flags.shift()).cumsum()
    g = pd.DataFrame({"f": flags, "rid": rid, "d": flags.index})[flags]
    out = g.groupby("rid").agg(start=("d", "first"), end=("d", "last"), length=("d", "size"))
    return out.reset_index(drop=True)


def regime(vol: pd.Series, threshold: float, event=EVENT, end=None) -> dict:
    """How long a series stayed above ``threshold`` on and after ``event``.

    ``first_run``: the run of consecutive observations above the threshold that starts on the
    first observation on or after the event that is above it; ``longest_run``: the longest run
    after the event; ``share_after`` / ``share_before``: share of observations above, after the
    event and in 2025 before it.
    """
    vol = vol.dropna().loc[:end]
    after = vol.loc[pd.Timestamp(event):]
    before = vol.loc["2025-01-01": pd.Timestamp(event) - pd.Timedelta(days=1)]
    if after.empty:
        raise ValueError("no observations after the event")
    r = runs(after > threshold)
    out = {"threshold": threshold, "observations": len(after), "last_date": after.index[-1],
           "share_after": float((after > threshold).mean()),
           "share_before": float((before > threshold).mean()) if len(before) else float("nan"),
           "on_event": float(after.iloc[0]), "event_date": after.index[0],
           "max_after": float(after.max()), "max_after_date": after.idxmax()}
    if len(r):
        first, longest = r.iloc[0], r.loc[r["length"].idxmax()]
        out.update(first_start=first["start"], first_end=first["end"],
                   first_length=int(first["length"]),
                   first_open=bool(first["end"] == after.index[-1]),
                   longest_start=longest["start"], longest_end=longest["end"],
                   longest_length=int(longest["length"]))
    else:
        out.update(first_start=pd.NaT, first_end=pd.NaT, first_length=0, first_open=False,
                   longest_start=pd.NaT, longest_end=pd.NaT, longest_length=0)
    return out


def mean_around(vol: pd.Series, n: int, event=EVENT) -> tuple[float, float]:
    """Mean of the n observations before the event and of the n from the event on."""
    vol = vol.dropna()
    before = vol.loc[: pd.Timestamp(event) - pd.Timedelta(days=1)].iloc[-n:]
    after = vol.loc[pd.Timestamp(event):].iloc[:n]
    return float(before.mean()), float(after.mean())


# ---------------------------------------------------------------------------- claims metric

def share_above_baseline(df: pd.DataFrame, window, start, end, periods="252",
                         multiple="1") -> float:
    """Percent of observations from ``start`` to ``end`` whose realized volatility (window,
    annualization ``periods``) stood above ``multiple`` times its 2025 pre-event median."""
    vol = realized(df["close"], int(window), int(periods))
    thr = float(multiple) * baseline(vol)
    span = vol.loc[start:end]
    return float(100 * (span > thr).mean())


def vix_share_above(df: pd.DataFrame, start, end, multiple="1") -> float:
    """Percent of VIX closes from ``start`` to ``end`` above ``multiple`` x its 2025 pre-event
    median."""
    vix = df["close"].dropna()
    thr = float(multiple) * baseline(vix)
    return float(100 * (vix.loc[start:end] > thr).mean())
