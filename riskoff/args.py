"""Checks of the arguments a reader passes to the chapters' views and explorers.

Each check returns the cleaned value or raises ArgumentError (a ValueError) with one line
that names the argument, what was given and what is allowed.

Dates are 'YYYY-MM-DD' strings (or date/datetime/Timestamp objects) inside the cache. The
policy for days without trading is the same everywhere: a date that names *a session*
(``date=``, ``day=``, the items of ``dates=``/``sessions=``/``days=``) must be a trading day
of the series concerned, otherwise it is refused and the nearest sessions before and after
it are named; nothing is silently moved to another day. A date that *bounds a window*
(``start=``, ``end=``, ``ref=``, ``bases=``, ``starts=``) need not be a session, but it must
lie inside the cache and leave at least one session in the window.
"""
from __future__ import annotations

import datetime as dt
import math
import numbers
import re
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from .errors import ArgumentError
from .i18n import N_, _

ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
KINDS = {"daily": N_("daily"), "intraday": N_("intraday"), "monthly": N_("monthly")}


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def fail(name: str, value, problem: str) -> None:
    """Raise the one-line error every check uses."""
    raise ArgumentError(f"{name}={_short(value)}: {problem}")


# ---------------------------------------------------------------------------- dates

def timestamp(value, name: str) -> pd.Timestamp:
    """A calendar date from a 'YYYY-MM-DD' string or a date object (never a number)."""
    if isinstance(value, pd.Timestamp) and not pd.isna(value):
        ts = value
    elif isinstance(value, (dt.date, np.datetime64)) and not pd.isna(value):
        ts = pd.Timestamp(value)
    elif isinstance(value, str) and ISO.match(value.strip()):
        try:
            ts = pd.Timestamp(dt.date.fromisoformat(value.strip()))
        except ValueError:
            fail(name, value, _("is not a calendar date; use 'YYYY-MM-DD', e.g. '2025-11-20'"))
    else:
        fail(name, value, _("is not a date; use a 'YYYY-MM-DD' string, e.g. '2025-11-20'"))
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    return ts.normalize()


def _iso(ts) -> str:
    return f"{pd.Timestamp(ts):%Y-%m-%d}"


def _span(symbols: Iterable[str]) -> tuple[pd.Timestamp, pd.Timestamp]:
    from . import data as rdata

    infos = [rdata.info(s) for s in symbols]
    return (min(pd.Timestamp(i["first"][:10]) for i in infos),
            max(pd.Timestamp(i["last"][:10]) for i in infos))


def date(value, name: str, symbols: Sequence[str] | None = None, last=None) -> str:
    """A date inside the cache of ``symbols`` (any of them), as 'YYYY-MM-DD'.

    ``last`` caps the allowed range (e.g. the last date a view measures to).
    """
    ts = timestamp(value, name)
    if symbols:
        first, end = _span(symbols)
        if last is not None:
            end = min(end, pd.Timestamp(last))
        if not first <= ts <= end:
            problem = (_("is outside {symbol}'s cached dates; use a date from {first} to {last}")
                       if len(symbols) == 1 else
                       _("is outside these series' cached dates; use a date from {first} to {last}"))
            fail(name, value, problem.format(symbol=symbols[0], first=_iso(first), last=_iso(end)))
    return _iso(ts)


def dates(values, name: str, symbols: Sequence[str] | None = None, last=None) -> list[str]:
    """A non-empty list of dates (each checked as by ``date``)."""
    items = sequence(values, name)
    return [date(v, f"{name}[{i}]", symbols, last) for i, v in enumerate(items)]


def session(value, name: str, index: pd.DatetimeIndex, what: str) -> str:
    """A date that must be a session of ``index`` (the trading days of ``what``).

    A day without trading is refused, naming the nearest sessions before and after it.
    """
    ts = timestamp(value, name)
    index = pd.DatetimeIndex(index)
    if ts in index:
        return _iso(ts)
    if len(index) == 0:
        fail(name, value, _("{what} have no sessions at all").format(what=what))
    if ts < index[0] or ts > index[-1]:
        fail(name, value, _("is outside the sessions of {what}; use a date from {first} to "
                            "{last}").format(what=what, first=_iso(index[0]), last=_iso(index[-1])))
    before, after = index[index < ts][-1], index[index > ts][0]
    fail(name, value, _("is not a session of {what} (no trading that day); the nearest sessions "
                        "are {before} and {after}").format(what=what, before=_iso(before),
                                                           after=_iso(after)))


def sessions_of(symbols: Iterable[str]) -> pd.DatetimeIndex:
    """The union of the dates on which any of ``symbols`` has a close."""
    from . import data as rdata

    idx = pd.DatetimeIndex([])
    for s in symbols:
        idx = idx.union(rdata.series(s)["close"].dropna().index)
    return idx


def window(start, end, symbols: Sequence[str], names=("start", "end")) -> tuple[str, str]:
    """Two dates bounding a window inside the cache of ``symbols``: start on or before end,
    with at least one session between them."""
    a = date(start, names[0], symbols)
    b = date(end, names[1], symbols)
    if a > b:
        fail(names[0], start, _("comes after {name}={value}; the window must run forward")
             .format(name=names[1], value=repr(end)))
    idx = sessions_of(symbols)
    if not len(idx[(idx >= a) & (idx <= b)]):
        fail(names[0], start, _("the window {start} to {end} holds no session of these series")
             .format(start=a, end=b))
    return a, b


# ---------------------------------------------------------------------------- symbols

def sequence(values, name: str) -> list:
    """A non-empty list (a single string is not a list of its characters)."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        fail(name, values, _("must be a list, e.g. ['NDX', 'NVDA']")
             if isinstance(values, str) else _("must be a non-empty list"))
    items = list(values)
    if not items:
        fail(name, values, _("is empty; give at least one item"))
    return items


def _known(kinds: Sequence[str]) -> list[str]:
    from .catalog import SERIES

    return [s for s, m in SERIES.items() if m.kind in kinds]


def symbol(value, name: str, allowed: Sequence[str] | None = None,
           kinds: Sequence[str] = ("daily",)) -> str:
    """One series of the cache that this function can use."""
    from .catalog import SERIES

    options = list(allowed) if allowed is not None else _known(kinds)
    if not isinstance(value, str) or value not in options:
        if isinstance(value, str) and value in SERIES:
            problem = _("is a {kind} series, not usable here; use one of: {options}")
        else:
            problem = _("is not a series this function can use; use one of: {options}")
        kind = SERIES[value].kind if isinstance(value, str) and value in SERIES else ""
        fail(name, value, problem.format(kind=_(KINDS[kind]) if kind else kind,
                                         options=", ".join(options)))
    return value


def symbols(values, name: str, allowed: Sequence[str] | None = None,
            kinds: Sequence[str] = ("daily",), required: Sequence[str] = ()) -> list[str]:
    """A non-empty list of distinct series this function can use; ``required`` must be in
    it (the view's text measures them)."""
    items = sequence(values, name)
    out = [symbol(v, f"{name}[{i}]", allowed, kinds) for i, v in enumerate(items)]
    if len(set(out)) != len(out):
        fail(name, values, _("lists a series twice"))
    missing = [r for r in required if r not in out]
    if missing:
        fail(name, values, _("must include {series} (this view's text is about them)")
             .format(series=", ".join(map(repr, required))))
    return out


def subset(values, name: str, of: Sequence, of_name: str, empty_ok: bool = True) -> list:
    """Items that must all appear in another argument (e.g. ``shown`` within ``symbols``)."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        fail(name, values, _("must be a list"))
    items = list(values)
    if not items and not empty_ok:
        fail(name, values, _("is empty; give at least one item"))
    extra = [v for v in items if v not in list(of)]
    if extra:
        fail(name, values, _("{item} is not in {name} ({items})").format(
            item=repr(extra[0]), name=of_name, items=", ".join(map(str, of))))
    return items


def choice(value, name: str, options: Iterable) -> object:
    options = list(options)
    if value not in options:
        fail(name, value, _("use one of: {options}").format(options=", ".join(map(repr, options))))
    return value


# ---------------------------------------------------------------------------- numbers

def integer(value, name: str, minimum: int = 1, maximum: int | None = None) -> int:
    """A whole number (not 2.5, not True) within [minimum, maximum]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        fail(name, value, _("must be a whole number of {minimum} or more").format(minimum=minimum))
    v = int(value)
    if v < minimum or (maximum is not None and v > maximum):
        problem = (_("must be at least {minimum} and at most {maximum}") if maximum is not None
                   else _("must be at least {minimum} or more"))
        fail(name, value, problem.format(minimum=minimum, maximum=maximum))
    return v


def integers(values, name: str, minimum: int = 1, maximum: int | None = None) -> list[int]:
    items = sequence(values, name)
    return [integer(v, f"{name}[{i}]", minimum, maximum) for i, v in enumerate(items)]


def number(value, name: str, low: float | None = None, high: float | None = None,
           positive: bool = False) -> float:
    """A finite real number (or its text: claims pass strings), optionally > 0 and within
    [low, high]."""
    v = float("nan")
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        v = float(value)
    elif isinstance(value, str):
        try:
            v = float(value)
        except ValueError:
            pass
    if not math.isfinite(v):
        fail(name, value, _("must be a finite number"))
    if positive and v <= 0:
        fail(name, value, _("must be greater than 0"))
    if (low is not None and v < low) or (high is not None and v > high):
        fail(name, value, _("must lie between {low} and {high}").format(low=f"{low:g}",
                                                                         high=f"{high:g}"))
    return v


def numbers_(values, name: str, low=None, high=None, positive=False) -> list[float]:
    items = sequence(values, name)
    return [number(v, f"{name}[{i}]", low, high, positive) for i, v in enumerate(items)]


def flag(value, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        fail(name, value, _("must be True or False"))
    return bool(value)
