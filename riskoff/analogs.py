"""History's analogs: what followed when an index stood X% below a recent record high.

Pure functions on a monthly close series (no I/O except ``monthly``). Returns and falls are
fractions (0.05 = 5%). The method, in words:

* the *prior all-time high* of a month is the highest close up to and including that month
  (over the data available: the S&P series starts in 1871, the Nasdaq-100 in 1985);
* a month is a *signal* when its close is X or more below that high and the high was set
  1 to H months earlier;
* its *forward returns* are the close 3, 6 and 12 months later against its own close
  (missing where the data end first);
* its *outcome*: "bear" when, from that month on, the index fell 20% or more below the same
  high before regaining it; "recovered" when it regained the high first; "open" when neither
  had happened by the end of the data;
* an *episode* is the set of months that share one prior high; signals of one episode overlap
  and are not independent observations.

The same module holds the daily "what happened next" measures of a single series after a
reference date (recovery, further falls, new highs), since they answer the same question on
the one case we can watch.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import data as rdata
from .i18n import N_

HORIZONS = (3, 6, 12)
BEAR = 0.20
MONTHLY = {"SP500_shiller": N_("S&P 500 (monthly averages, 1871+)"),   # shown with _()
           "NDX_month_end": N_("Nasdaq-100 (month-end closes, 1985+)")}


# ---------------------------------------------------------------------------- monthly series

def complete_months(close: pd.Series) -> pd.Series:
    """Drop a final row dated before its month's last weekday.

    A month-end series whose last row is dated mid-month (the NDX file's 2026-08-20) holds a
    partial month: that close is not a month-end close, so it is left out. (A month whose last
    weekday is a holiday would also be cut if it were the final row; none is.)
    """
    close = close.dropna()
    if close.empty:
        return close
    last = close.index[-1]
    month_end = last + pd.offsets.BMonthEnd(0)
    # Shiller's rows are dated the 1st (monthly averages): only month-end series are cut.
    if last.day != 1 and last < month_end:
        return close.iloc[:-1]
    return close


def monthly(symbol: str) -> pd.Series:
    """A cached monthly series as complete months (see ``complete_months``)."""
    if symbol not in MONTHLY:
        raise ValueError(f"no monthly analog series {symbol!r}; use one of {', '.join(MONTHLY)}")
    return complete_months(rdata.series(symbol)["close"])


def drawdown_table(close: pd.Series, horizons=HORIZONS, bear: float = BEAR) -> pd.DataFrame:
    """One row per month: close, prior high, fall below it, months since it, forward returns,
    and the outcome of the fall from that month on ("at high", "bear", "recovered", "open")."""
    close = close.dropna().astype(float)
    if close.empty:
        raise ValueError("no closes")
    n = len(close)
    pos = np.arange(n)
    peak = close.cummax()
    at_high = close.to_numpy() >= peak.to_numpy()
    peak_pos = pd.Series(np.where(at_high, pos, np.nan)).ffill().to_numpy().astype(int)
    out = pd.DataFrame({"close": close, "peak": peak}, index=close.index)
    out["peak_date"] = close.index[peak_pos]
    out["fall"] = close / peak - 1
    out["months_since_peak"] = pos - peak_pos
    for h in horizons:
        out[f"ret{h}"] = close.shift(-h) / close - 1
    # Outcome: within an episode (rows after one high, before the next), the lowest close
    # from each month to the episode's end decides "bear"; otherwise the next high decides.
    floor = close.iloc[::-1].groupby(peak_pos[::-1]).cummin().iloc[::-1]
    last_episode = peak_pos == peak_pos[-1]
    outcome = np.where(at_high, "at high",
                       np.where(floor.to_numpy() <= peak.to_numpy() * (1 - bear), "bear",
                                np.where(last_episode, "open", "recovered")))
    out["outcome"] = outcome
    return out


def signals(table: pd.DataFrame, x: float, h: int, first_only: bool = False) -> pd.DataFrame:
    """Months X (a fraction) or more below the prior high, 1 to H months after that high."""
    if not 0 < x < 1:
        raise ValueError(f"the fall X must be between 0 and 100%, got {x:.0%}")
    if int(h) < 1:
        raise ValueError(f"H must be at least 1 month, got {h}")
    sel = table[(table["fall"] <= -x) & (table["months_since_peak"] >= 1)
                & (table["months_since_peak"] <= int(h))].copy()
    sel["first"] = ~sel["peak_date"].duplicated()
    return sel[sel["first"]] if first_only else sel


def summary(sel: pd.DataFrame, horizons=HORIZONS) -> dict:
    """Counts and return statistics of a set of signal months."""
    first = sel[sel["first"]] if "first" in sel else sel.drop_duplicates("peak_date")
    out = {"months": len(sel), "episodes": sel["peak_date"].nunique(),
           "bear_months": int((sel["outcome"] == "bear").sum()),
           "bear_episodes": int((first["outcome"] == "bear").sum()),
           "open_episodes": int((first["outcome"] == "open").sum())}
    for h in horizons:
        r = sel[f"ret{h}"].dropna()
        out[f"n{h}"] = len(r)
        out[f"median{h}"] = float(r.median()) if len(r) else float("nan")
        out[f"positive{h}"] = float((r > 0).mean()) if len(r) else float("nan")
    return out


def summary_table(table: pd.DataFrame, xs, h: int, first_only: bool = False) -> pd.DataFrame:
    rows = []
    for x in xs:
        s = summary(signals(table, x, h, first_only))
        rows.append({"x": x, "h": h, **s})
    return pd.DataFrame(rows)


def grid(symbols=tuple(MONTHLY), x_min: float = 0.05, h_max: int = 24) -> pd.DataFrame:
    """Candidate months for the static chart: every month that is a signal for some X >= x_min
    and H <= h_max. The browser filters by the reader's X and H."""
    parts = []
    for sym in symbols:
        t = drawdown_table(monthly(sym))
        t = t[(t["fall"] <= -x_min) & (t["months_since_peak"].between(1, h_max))]
        parts.append(t.assign(index=sym).rename_axis("date").reset_index())
    out = pd.concat(parts, ignore_index=True)
    for col in ("date", "peak_date"):
        out[col] = pd.to_datetime(out[col]).dt.strftime("%Y-%m-%d")
    cols = ["index", "date", "peak_date", "fall", "months_since_peak",
            *[f"ret{h}" for h in HORIZONS], "outcome"]
    return out[cols]


# ---------------------------------------------------------------------------- claims metrics

def lowest_close_vs_peak(df: pd.DataFrame, peak_start, peak_end, after, end=None) -> float:
    """Percent: the lowest close after ``after`` (to ``end``) against the highest close
    between ``peak_start`` and ``peak_end``. A value above -20 means no bear-market fall."""
    close = df["close"].dropna()
    peak = close.loc[peak_start:peak_end].max()
    later = close.loc[pd.Timestamp(after) + pd.Timedelta(days=1): end]
    if later.empty or pd.isna(peak):
        return float("nan")
    return float(100 * (later.min() / peak - 1))


# ---------------------------------------------------------------------------- after one date

def after(close: pd.Series, ref_date, end=None) -> dict:
    """What one daily close series did after ``ref_date``.

    Sessions are counted in the series' own calendar (for crypto: calendar days). The
    reference close is the last close on or before ``ref_date``; the "prior high" is the
    highest close in the series before that, over the cached window only.
    """
    close = close.dropna().loc[:end]
    ref_date = pd.Timestamp(ref_date)
    upto = close.loc[:ref_date]
    if upto.empty:
        raise ValueError(f"no close on or before {ref_date:%Y-%m-%d}")
    ref_day, ref = upto.index[-1], float(upto.iloc[-1])
    later = close.loc[close.index > ref_day]
    prior_high = float(upto.max())
    res = {"ref_date": ref_day, "ref_close": ref, "prior_high": prior_high,
           "prior_high_date": upto.idxmax(), "first_date": upto.index[0],
           "last_date": close.index[-1], "sessions": len(later)}
    back = later[later >= ref]
    res["recovered"] = back.index[0] if len(back) else pd.NaT
    res["sessions_to_recover"] = int((later.index <= back.index[0]).sum()) if len(back) else None
    new = later[later > prior_high]
    res["new_high"] = new.index[0] if len(new) else pd.NaT
    if len(later):
        res["low"] = float(later.min()) / ref - 1
        res["low_date"] = later.idxmin()
        path = pd.concat([upto.iloc[-1:], later])
        res["max_drawdown"] = float((path / path.cummax() - 1).min())
        res["last_change"] = float(later.iloc[-1]) / ref - 1
        res["below_prior_high"] = float(later.iloc[-1]) / prior_high - 1
    else:
        res.update(low=float("nan"), low_date=pd.NaT, max_drawdown=float("nan"),
                   last_change=float("nan"), below_prior_high=float("nan"))
    return res


def change_by(close: pd.Series, ref_date, when) -> float:
    """Last close on or before ``when`` against the last close on or before ``ref_date``."""
    close = close.dropna()
    a, b = close.loc[:pd.Timestamp(ref_date)], close.loc[:pd.Timestamp(when)]
    if a.empty or b.empty or b.index[-1] <= a.index[-1]:
        return float("nan")
    return float(b.iloc[-1] / a.iloc[-1] - 1)


# ---------------------------------------------------------------------------- trend gauge

def log_trend(close: pd.Series, start=None, end=None) -> dict:
    """Least-squares fit of log(close) = a + b * t over [start, end] (t in years since the
    first month of the fit); the gap of every month is close / trend - 1.

    Returns {"gap": Series over the whole input, "growth": exp(b) - 1 per year, "a", "b",
    "start", "end", "months"}.
    """
    close = close.dropna()
    fit = close.loc[start:end]
    if len(fit) < 24:
        raise ValueError("a trend needs at least 24 months inside the fit window")
    t0 = fit.index[0]
    years = lambda idx: (idx - t0).days / 365.25  # noqa: E731
    b, a = np.polyfit(years(fit.index), np.log(fit.to_numpy()), 1)
    trend = np.exp(a + b * years(close.index))
    return {"gap": close / trend - 1, "growth": float(np.exp(b) - 1), "a": float(a),
            "b": float(b), "start": fit.index[0], "end": fit.index[-1], "months": len(fit)}
