"""How CME FedWatch turns 30-day fed funds futures prices into odds of a rate move.

A 30-day fed funds futures contract settles on the average effective fed funds rate (EFFR)
of its month, and is quoted as 100 minus that rate. In a month with a policy meeting the
average mixes the rate before the meeting and the rate after it:

    avg  = (M * pre + (N - M) * post) / N
    post = (N * avg - M * pre) / (N - M)
    moves priced = (post - pre) / 0.25        (positive: hikes, negative: cuts)

N is the number of days in the month and M the number of days at the pre-meeting rate
(CME counts the days before the decision day: a decision on the 17th gives M = 16). The
pre-meeting rate comes from the previous month's contract when that month has no meeting.
CME splits a fractional number of moves between the two nearest whole numbers of moves.

Pure functions, rates in percent. Every function checks its inputs and raises ValueError
with a sentence a reader can act on.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from .i18n import N_

STEP = 0.25  # FedWatch assumes the Fed moves in steps of 25 basis points


def _number(value, name: str) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(out):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return out


def _whole(value, name: str) -> int:
    num = _number(value, name)
    if num != int(num):
        raise ValueError(f"{name} must be a whole number of days, got {value!r}")
    return int(num)


def implied_rate(price) -> float:
    """The average rate a 30-day fed funds futures price implies: 100 - price (percent)."""
    price = _number(price, "futures price")
    if not 0 <= price <= 100:
        raise ValueError(f"futures price must lie between 0 and 100 (it is quoted as "
                         f"100 minus a rate in percent), got {price:g}")
    return 100 - price


def check_days(days_before, days_in_month) -> tuple[int, int]:
    """Validate N (days in the month) and M (days at the pre-meeting rate)."""
    n = _whole(days_in_month, "days in month")
    if not 28 <= n <= 31:
        raise ValueError(f"days in month must be 28 to 31, got {n}")
    m = _whole(days_before, "days before the decision (M)")
    if not 1 <= m <= n - 1:
        raise ValueError(f"days before the decision (M) must be between 1 and N - 1 = {n - 1} "
                         f"(the meeting must fall inside the month, after its first day), "
                         f"got {m}")
    return m, n


def days_before(meeting_day, days_in_month) -> int:
    """M for a decision on ``meeting_day`` (day of the month): the days before it."""
    day = _whole(meeting_day, "day of the meeting")
    n = _whole(days_in_month, "days in month")
    if not 2 <= day <= n:
        raise ValueError(f"day of the meeting must be between 2 and {n} for a month of "
                         f"{n} days, got {day}")
    return day - 1


def post_meeting_rate(avg_rate, pre_rate, days_before_meeting, days_in_month) -> float:
    """The rate after the meeting that makes the month's average equal ``avg_rate``."""
    avg = _number(avg_rate, "average rate")
    pre = _number(pre_rate, "pre-meeting rate")
    m, n = check_days(days_before_meeting, days_in_month)
    return (n * avg - m * pre) / (n - m)


def moves_priced(pre_rate, post_rate, step: float = STEP) -> float:
    """Number of ``step`` moves between the two rates (negative for cuts)."""
    step = _number(step, "step")
    if step <= 0:
        raise ValueError(f"step must be positive, got {step:g}")
    return (_number(post_rate, "post-meeting rate") - _number(pre_rate, "pre-meeting rate")) / step


def outcome_split(moves) -> list[tuple[int, float]]:
    """CME's split of a fractional number of moves between two whole numbers of moves.

    1.3 cuts priced -> [(-1, 0.7), (-2, 0.3)]: 70% one cut, 30% two cuts. Signed like
    ``moves`` (negative = cuts). 0.536 -> [(0, 0.464), (1, 0.536)].
    """
    moves = _number(moves, "moves priced")
    size = abs(moves)
    whole = math.floor(size)
    rest = size - whole
    sign = -1 if moves < 0 else 1
    return [(sign * whole, 1 - rest), (sign * (whole + 1), rest)]


def meeting_odds(price, prior_price=None, *, pre_rate=None, days_before_meeting,
                 days_in_month, step: float = STEP) -> dict:
    """Everything FedWatch computes for one meeting month, from one or two futures prices.

    ``price``: the meeting month's futures price. The pre-meeting rate is either
    ``pre_rate`` (percent) or implied by ``prior_price`` (the previous month's contract).
    """
    if (prior_price is None) == (pre_rate is None):
        raise ValueError("give either the previous month's futures price or the "
                         "pre-meeting rate, not both and not neither")
    avg = implied_rate(price)
    pre = implied_rate(prior_price) if prior_price is not None else _number(pre_rate,
                                                                           "pre-meeting rate")
    if pre < 0:
        raise ValueError(f"pre-meeting rate must not be negative, got {pre:g}")
    m, n = check_days(days_before_meeting, days_in_month)
    post = post_meeting_rate(avg, pre, m, n)
    moves = moves_priced(pre, post, step)
    return {"avg": avg, "pre": pre, "post": post, "days_before": m, "days_in_month": n,
            "moves": moves, "split": outcome_split(moves)}


def probability_of_move(price, prior_price=None, *, pre_rate=None, days_before_meeting,
                        days_in_month) -> float:
    """Probability (0..1) of one 25 bp move, when the prices imply at most one move.

    Signed like the move: +0.536 is a 53.6% chance of a hike, -0.4 a 40% chance of a cut.
    More than one move priced is outside this simple reading: ValueError.
    """
    odds = meeting_odds(price, prior_price, pre_rate=pre_rate,
                        days_before_meeting=days_before_meeting, days_in_month=days_in_month)
    if abs(odds["moves"]) > 1:
        raise ValueError(f"the prices imply {odds['moves']:+.2f} moves of 25 bp: more than one "
                         f"move, so FedWatch would split between {abs(odds['split'][0][0])} "
                         f"and {abs(odds['split'][1][0])} moves (see outcome_split)")
    return odds["moves"]


# CME's worked example, the 17 Sep 2015 FOMC meeting: August contract (FFQ5, no meeting in
# August) 99.8675, September contract (FFU5) 99.805, N = 30, M = 16 (decision on the 17th).
CME_EXAMPLE = {"price": 99.805, "prior_price": 99.8675, "meeting_day": 17, "days_in_month": 30}
CME_EXAMPLE_SOURCE = N_("CME Group, \"CME Group FedWatch Tool - Fed Funds Futures Probability "
                         "Tree Calculator\" (Jeremy Lao and Agha Mirza), worked example for the "
                         "September 2015 meeting")
CME_EXAMPLE_COPY = ("https://www.scribd.com/document/321126057/"
                    "Fed-Funds-Futures-Probability-Tree-Calculator")
# The example's figures as a page restating CME's paper gives them (the stored copy of the
# paper itself is not searchable here); checked by tests/test_published_quotes.py.
CME_EXAMPLE_QUOTE = ("FFQ5=99.8675 FFU5=99.805 N=30 M=16 FFER(start)=0.1325(100-99.8675) "
                     "ImpliedRate=0.195(100-99.805) FFER(end)=30/14*[0.195 \u2013 "
                     "(16/30)*0.1325]=0.26643 P(Hike)=(0.26643 \u2013 0.1325)/0.25=53.6%")
CME_EXAMPLE_QUOTE_URL = "https://messtone.com/2023/03/25/messtone-llc-managesfomc"
CME_METHOD_PAGE = ("https://www.cmegroup.com/education/demos-and-tutorials/"
                   "fed-funds-futures-probability-tree-calculator.html")


# ---------------------------------------------------------------- what the bond market priced

def changes_bp(wide: pd.DataFrame) -> pd.DataFrame:
    """Daily change of each yield column in basis points.

    Each close is compared with that series' previous published close; a date without a
    close (a holiday in FRED's series) stays missing and is skipped, never filled.
    """
    out = {}
    for col in wide:
        s = wide[col].dropna()
        out[col] = (s.diff() * 100).reindex(wide.index)
    return pd.DataFrame(out, index=wide.index)


def change_bp(df: pd.DataFrame, date, base=None) -> float:
    """Change of a yield series in basis points: the close on ``date`` against the previous
    published close, or against the last close on or before ``base``."""
    closes = df["close"].dropna()
    date = pd.Timestamp(date)
    if date not in closes.index:
        return float("nan")
    if base is None:
        before = closes.loc[: date - pd.Timedelta(days=1)]
    else:
        before = closes.loc[: pd.Timestamp(base)]
    if before.empty:
        return float("nan")
    return float((closes.loc[date] - before.iloc[-1]) * 100)


def policy_range(dates, decisions: pd.DataFrame) -> pd.DataFrame:
    """The target range in force at the close of each date, from a table of decisions.

    ``decisions``: rows (date, target_low_pct, target_high_pct). A decision is announced
    during its day, so the close of that day already carries the new range. Dates before
    the first decision in the table have no range (NaN): the table does not say.
    """
    table = decisions.assign(date=pd.to_datetime(decisions["date"])).sort_values("date")
    idx = pd.DatetimeIndex(pd.to_datetime(list(dates)), name="date")
    pos = table["date"].searchsorted(idx, side="right") - 1
    pos = np.asarray(pos)
    found = pos >= 0

    def in_force(column):  # the row's value where a decision precedes the date, else NaN
        values = np.full(len(pos), np.nan)
        values[found] = table[column].to_numpy(dtype=float)[pos[found]]
        return values

    out = pd.DataFrame({"low": in_force("target_low_pct"), "high": in_force("target_high_pct")},
                       index=idx, dtype=float)
    out["mid"] = (out["low"] + out["high"]) / 2
    return out


def cuts_priced(two_year: pd.Series, decisions: pd.DataFrame, step: float = STEP
                ) -> pd.DataFrame:
    """Rough count of 25 bp cuts priced: (policy midpoint - 2-year yield) / 0.25.

    An approximation, not FedWatch: it ignores the term premium and treats the 2-year yield
    as the average policy rate expected over two years (not one). Positive = cuts.
    """
    step = _number(step, "step")
    if step <= 0:
        raise ValueError(f"step must be positive, got {step:g}")
    y = two_year.dropna()
    out = policy_range(y.index, decisions)
    out["two_year"] = y.to_numpy()
    out["cuts"] = (out["mid"] - out["two_year"]) / step
    return out.dropna(subset=["mid"])


def days_above_to_below(readings: pd.DataFrame, above: float, below: float
                        ) -> tuple[pd.Timestamp, pd.Timestamp, int]:
    """First reading under ``below`` and the last reading at or over ``above`` before it.

    ``readings``: rows (as_of, value). Returns (from date, to date, days between).
    """
    r = readings.assign(as_of=pd.to_datetime(readings["as_of"])).sort_values("as_of")
    low = r[r["value"] < float(below)]
    if low.empty:
        raise ValueError(f"no reading below {below}")
    end = low.iloc[0]
    high = r[(r["as_of"] < end["as_of"]) & (r["value"] >= float(above))]
    if high.empty:
        raise ValueError(f"no reading at or above {above} before {end['as_of']:%Y-%m-%d}")
    start = high.iloc[-1]
    return start["as_of"], end["as_of"], int((end["as_of"] - start["as_of"]).days)
