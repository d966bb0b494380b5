"""Chapter 3, "The Nvidia paradox": computations, then the views the notebook shows.

Computations are pure functions on frames (tested in tests/test_ch3.py). Each view loads from
the cache, computes, draws with riskoff.charts.nvidia and publishes the chart with its
caption, text alternative and CSV. Claim metrics (claim_*) load the series they measure.
"""
from __future__ import annotations

import math
from typing import Sequence

import ipywidgets as ipw
import pandas as pd
from altair.utils.schemapi import debug_mode

from . import args
from . import data as rdata
from . import findings, intraday, metrics, widgets
from .charts import Caption, nvidia, publish
from .charts.base import date_label, label_of
from .charts.words import Pick, Said
from .i18n import N_, _, date_short, is_zh

# Kernel redraws build their chart with Altair's debug mode off: it validates every
# object as it is built (10-15 ms a redraw). The test suite validates the builders' specs.

INTRADAY = ["NVDA_1h", "QQQ_1h", "MSFT_1h", "SPX_5m"]
DAYS = ["2025-11-19", "2025-11-20", "2025-11-21"]
EVENT_DAY = "2025-11-20"
RELEASE = "2025-11-19"  # the release the article is about (after the New York close)
PEERS = ["NVDA", "MSFT", "ORCL", "QQQ", "000660.KS", "9984.T"]
AUTUMN = "2025-09-01"
# Labels in English; shown with _() (the reader's language).
REACTIONS = {"gap": N_("Gap at the open"), "day": N_("Close to close"),
             "high_close": N_("High to close")}
# Words that are data: where a path point's price comes from (riskoff.intraday), the deals
# table's kinds of deal, its flows and labels.
POINTS = (N_("open"), N_("bar close"), N_("closing print"), N_("session high"), N_("high"))
DEAL_WORDS = (N_("warrant"), N_("not disclosed"), N_("investment or equity"),
              N_("purchase commitment"), N_("{amount} bn"))


# ============================================================================ computations

def day_label(d) -> str:
    ts = args.timestamp(d, "d")
    if is_zh():   # 2025年11月20日（星期四）
        return f"{date_label(ts)}（{'星期' + '一二三四五六日'[ts.weekday()]}）"
    return f"{ts:%a} {ts.day} {ts:%b %Y}"  # no %-d: a glibc extension (Windows, Pyodide)


def reversal_frame(sessions: dict, prev_closes: dict) -> pd.DataFrame:
    """Long frame of intraday paths and highs for (symbol, day) sessions.

    ``sessions[(symbol, day)]`` is intraday.session_bars output; ``prev_closes`` holds the
    previous daily close for the same keys. Rows: symbol, day, kind (path | high), minute,
    minute_end, time, time_end, price, change, point; high rows also carry open_to_high,
    high_to_close, close_change and fall_x (where the chart draws the high-to-close bracket).
    """
    parts = []
    order = list(dict.fromkeys(sym for sym, _ in sessions))
    for (sym, day), bars in sessions.items():
        if bars.empty:
            continue
        prev = prev_closes[(sym, day)]
        pts = intraday.path(bars, prev).assign(symbol=sym, day=day, kind="path",
                                               minute_end=None, time_end=None)
        if is_zh():
            pts["point"] = pts["point"].map(_)
        hi = intraday.extreme_bar(bars, "high")
        sm = intraday.summary(bars, prev)
        top = pd.DataFrame([{"symbol": sym, "day": day, "kind": "high",
                             "minute": int(hi["start_min"]), "minute_end": int(hi["end_min"]),
                             "time": intraday.clock(int(hi["start_min"])),
                             "time_end": intraday.clock(int(hi["end_min"])),
                             "price": float(hi["high"]), "change": sm["high_vs_prev"],
                             "point": _("session high"), "open_to_high": sm["open_to_high"],
                             "high_to_close": sm["high_to_close"], "close_change": sm["day"],
                             # Where the high-to-close bracket stands, right of 16:00.
                             "fall_x": 968 + 8 * order.index(sym)}])
        parts += [pts, top]
    cols = ["symbol", "day", "kind", "minute", "minute_end", "time", "time_end", "price",
            "change", "point", "open_to_high", "high_to_close", "close_change", "fall_x"]
    if not parts:
        return pd.DataFrame(columns=cols)
    return pd.concat(parts, ignore_index=True)[cols]


def reaction_session(daily: pd.DataFrame, release) -> pd.Timestamp | None:
    """First session strictly after a release date (results come after the close)."""
    after = daily.loc[pd.Timestamp(release) + pd.Timedelta(days=1):].dropna(subset=["close"])
    return after.index[0] if len(after) else None


def earnings_reactions(daily: pd.DataFrame, releases: pd.DataFrame) -> pd.DataFrame:
    """The move on the session after each release inside the daily data.

    ``releases``: fiscal_quarter, release_date. Gap = open / previous close - 1; day = close /
    previous close - 1; high_close = close / high - 1. Releases whose next session or previous
    close is not in the data are left out.
    """
    rows = []
    first = daily.index[0]
    for rel in releases.itertuples():
        session = reaction_session(daily, rel.release_date)
        if session is None or pd.Timestamp(rel.release_date) < first:
            continue
        prev = metrics.prev_close(daily, session)
        if math.isnan(prev):
            continue
        bar = daily.loc[session]
        rows.append({"fiscal_quarter": rel.fiscal_quarter,
                     "release_date": pd.Timestamp(rel.release_date).strftime("%Y-%m-%d"),
                     "session": session.strftime("%Y-%m-%d"), "prev_close": prev,
                     "open": float(bar["open"]), "high": float(bar["high"]),
                     "low": float(bar["low"]), "close": float(bar["close"]),
                     "gap": float(bar["open"]) / prev - 1,
                     "day": float(bar["close"]) / prev - 1,
                     "high_close": float(bar["close"]) / float(bar["high"]) - 1})
    return pd.DataFrame(rows)


def reactions_long(table: pd.DataFrame, focus_session: str = EVENT_DAY) -> pd.DataFrame:
    """earnings_reactions output as rows (event, session, measure, measure_label, value, focus)."""
    rows = []
    for r in table.itertuples():
        event = _("{date} ({quarter})").format(date=date_label(r.session),
                                               quarter=r.fiscal_quarter.replace('FY20', 'FY'))
        focus = _(nvidia.FOCUS[0] if r.session == focus_session else nvidia.FOCUS[1])
        for key, lbl in REACTIONS.items():
            rows.append({"event": event, "session": r.session, "measure": key,
                         "measure_label": _(lbl), "value": getattr(r, key), "focus": focus})
    return pd.DataFrame(rows)


def rank_of(table: pd.DataFrame, session: str, measure: str) -> tuple[int, int]:
    """Rank (1 = lowest, i.e. worst) of one session's value among all rows, and the count."""
    values = table.set_index("session")[measure].dropna()
    return int((values < values[session]).sum()) + 1, len(values)


def window_changes(frames: dict[str, pd.DataFrame], windows: dict) -> pd.DataFrame:
    """Change of each series over named windows, each on its own market's sessions.

    ``windows[key] = (label, kind, a, b)``: kind "day" = close on a against the previous
    close (a == b); "span" = close on b against the last close on or before a; "peak" = close
    on b against the highest close from a to b.
    """
    rows = []
    for sym, df in frames.items():
        closes = df["close"].dropna()
        for key, (label, kind, a, b) in windows.items():
            detail, start = "", a
            if kind == "day":
                value = metrics.day_change(df, b)
                before = closes.loc[: pd.Timestamp(b) - pd.Timedelta(days=1)]
                start = f"{before.index[-1]:%Y-%m-%d}" if len(before) else ""
            elif kind == "span":
                value = metrics.change_since(df, b, base=a)
                base_closes = closes.loc[: pd.Timestamp(a)]
                start = f"{base_closes.index[-1]:%Y-%m-%d}" if len(base_closes) else ""
            elif kind == "peak":
                value = metrics.drawdown_on(df, b, since=a)
                span = closes.loc[pd.Timestamp(a): pd.Timestamp(b)]
                if len(span):
                    start = f"{span.idxmax():%Y-%m-%d}"
                    detail = _("peak close {close} on {date}").format(
                        close=f"{span.max():,.2f}", date=date_label(span.idxmax()))
            else:
                raise ValueError(f"unknown window kind {kind!r}")
            if not detail and math.isnan(value):
                detail = _("no session on this date")
            rows.append({"symbol": sym, "window": key, "window_label": label, "value": value,
                         "start": start, "end": b, "detail": detail})
    return pd.DataFrame(rows)


# Fixed positions of the deal network (data units): the two hubs side by side, the partners
# both hubs deal with (Oracle, CoreWeave) between them, the others outside. Companies not
# listed here go on a row at the bottom.
LAYOUT = {"Nvidia": (-0.6, 0.0), "OpenAI": (0.6, 0.0), "Oracle": (0.0, 0.6),
          "CoreWeave": (0.0, -0.6), "Anthropic": (-1.05, 1.0), "Microsoft": (1.05, 1.0),
          "AMD": (1.05, -1.0)}


def deal_layout(deals: pd.DataFrame, layout: dict = LAYOUT) -> tuple[pd.DataFrame,
                                                                      pd.DataFrame]:
    """Nodes at fixed positions and one edge per deal, from payer to payee.

    Edges carry the centres of both ends (x1, y1, x2, y2); the chart shortens them by the
    node radius in pixels, so arrowheads clear the circles at any width. ``pair`` marks a
    deal that has a deal in the opposite direction (drawn side by side); ``side`` puts the
    label left (1) or right (-1) of the direction of travel. ``stroke`` grows
    with the square root of the announced amount; deals without a dollar value get the
    thinnest line. Returns (nodes, edges).
    """
    companies = list(dict.fromkeys([*deals["payer"], *deals["payee"]]))
    pos = {c: layout[c] for c in companies if c in layout}
    extra = [c for c in companies if c not in layout]
    for k, c in enumerate(extra):
        pos[c] = (-1.2 + 2.4 * (k + 0.5) / len(extra), -1.2)
    count = {c: int(((deals["payer"] == c) | (deals["payee"] == c)).sum()) for c in pos}
    nodes = pd.DataFrame([{"company": c, "x": xy[0], "y": xy[1], "deals": count[c]}
                          for c, xy in pos.items()])
    pairs = set(zip(deals["payer"], deals["payee"]))
    top = deals["amount_bn_usd"].max()
    cx, cy = nodes["x"].mean(), nodes["y"].mean()
    rows = []
    for d in deals.to_dict("records"):
        (x1, y1), (x2, y2) = pos[d["payer"]], pos[d["payee"]]
        pair = (d["payee"], d["payer"]) in pairs
        # Label side: a two-way deal labels its own left; others face away from the centre.
        outward = -(y2 - y1) * ((x1 + x2) / 2 - cx) + (x2 - x1) * ((y1 + y2) / 2 - cy)
        side = 1 if pair or outward >= 0 else -1
        amount = d["amount_bn_usd"]
        known = amount is not None and not (isinstance(amount, float) and math.isnan(amount))
        if known:
            label = _("{amount} bn").format(amount=_(d['amount_text']))
        else:
            label = _("warrant") if d["kind"] == "equity warrant" else _("not disclosed")
        flow = (_("investment or equity") if d["kind"].startswith(("investment", "equity"))
                else _("purchase commitment"))
        rows.append({**d, "x1": x1, "y1": y1, "x2": x2, "y2": y2, "pair": pair,
                     "side": side, "label": label, "flow": flow,
                     "stroke": 1.5 + 7.5 * math.sqrt(amount / top) if known else 1.5})
    return nodes, pd.DataFrame(rows)


# ============================================================================ loading helpers

def _intraday_days(symbols, every: bool = False) -> pd.DatetimeIndex:
    """New York dates with regular-session bars in any (or ``every``) of ``symbols``."""
    sets = []
    for s in symbols:
        ny = intraday.to_new_york(rdata.series(s).index)
        keep = (ny.time >= intraday.OPEN) & (ny.time <= intraday.CLOSE)
        sets.append(set(pd.DatetimeIndex(ny[keep].date)))
    days = set.intersection(*sets) if every else set.union(*sets)
    return pd.DatetimeIndex(sorted(days))


def _day_arg(day, name, symbols) -> str:
    what = symbols[0] if len(symbols) == 1 else _("{some} and {last}").format(
        some=", ".join(symbols[:-1]), last=symbols[-1])
    return args.session(day, name, _intraday_days(symbols, every=True),
                        _("{symbols} (intraday)").format(symbols=what))


def _session(symbol: str, day) -> pd.DataFrame:
    return intraday.session_bars(rdata.series(symbol), day, intraday.interval_of(symbol))


def _prev_close(symbol: str, day) -> float:
    return metrics.prev_close(rdata.series(intraday.DAILY_OF[symbol]), day)


def _reversal_data(symbols: Sequence[str], days: Sequence[str]) -> pd.DataFrame:
    sessions = {(s, d): _session(s, d) for s in symbols for d in days}
    prevs = {k: _prev_close(*k) for k in sessions}
    return reversal_frame(sessions, prevs)


def _reversal_day(symbols: Sequence[str], day: str) -> pd.DataFrame:
    """_reversal_data(symbols, [day]) for the kernel explorer: the same frame, each session's
    path and high made from the bars' arrays (session_bars, path, extreme_bar and summary
    step by step) instead of a dozen small frames per session. A session with a missing
    price takes the pandas steps (idxmax/idxmin and the sums treat NaN their own way)."""
    import numpy as np

    order = list(dict.fromkeys(symbols))
    minutes, prices, points, changes, syms = [], [], [], [], []
    highs = []   # one dict of columns per session with bars
    for sym in order:
        bars = rdata.series(sym)
        prev = _prev_close(sym, day)
        midnight = pd.Timestamp(pd.Timestamp(day).date())
        first = (midnight + intraday._since_midnight(intraday.OPEN)).tz_localize(intraday.NY)
        last = (midnight + intraday._since_midnight(intraday.CLOSE)).tz_localize(intraday.NY)
        if bars.index.tz is None:
            intraday.to_new_york(bars.index)  # says why
        keep = (bars.index >= first) & (bars.index <= last)
        if not keep.any():
            continue
        cols = {c: bars[c].to_numpy()[keep] for c in ("open", "high", "low", "close")}
        if any(np.isnan(v).any() for v in cols.values()):
            return _reversal_data(symbols, [day])
        # Minutes after New York midnight: 09:30 plus whole minutes since 09:30 (no clock
        # change falls inside a session), each bar ending at its start plus its length or 16:00.
        ns = bars.index[keep].as_unit("ns").asi8
        step = intraday.interval_of(sym).value
        start_min = 570 + (ns - first.value) // 60_000_000_000
        end_min = 570 + (np.minimum(ns + step, last.value) - first.value) // 60_000_000_000
        closing = ns == last.value
        regular = ~closing
        minute = [int(start_min[0]), *end_min[regular].tolist()]
        price = [float(cols["open"][0]), *cols["close"][regular].tolist()]
        point = ["open", *["bar close"] * int(regular.sum())]
        if closing.any():
            at = int(start_min[closing][-1])
            kept = [i for i, m in enumerate(minute) if m != at]
            minute = [minute[i] for i in kept] + [at]
            price = [price[i] for i in kept] + [float(cols["close"][closing][-1])]
            point = [point[i] for i in kept] + ["closing print"]
        sort = np.argsort(np.asarray(minute, dtype=np.int64), kind="stable")
        minute = np.asarray(minute, dtype=np.int64)[sort]
        price = np.asarray(price, dtype=np.float64)[sort]
        point = [point[i] for i in sort.tolist()]
        if is_zh():
            said = {p: _(p) for p in set(point)}   # a catalog look-up per word, not per row
            point = [said[p] for p in point]
        minutes.append(minute)
        prices.append(price)
        changes.append(price / prev - 1)
        points.append(point)
        syms.append(sym)
        hi = int(np.argmax(cols["high"]))   # the first bar on a tie, as idxmax
        high, open_ = float(cols["high"][hi]), float(cols["open"][0])
        close = float(cols["close"][closing][-1] if closing.any() else cols["close"][-1])
        highs.append({"minute": int(start_min[hi]), "minute_end": int(end_min[hi]),
                      "price": high, "change": high / prev - 1,
                      "open_to_high": high / open_ - 1, "high_to_close": close / high - 1,
                      "close_change": close / prev - 1,
                      "fall_x": 968 + 8 * order.index(sym)})
    cols = ["symbol", "day", "kind", "minute", "minute_end", "time", "time_end", "price",
            "change", "point", "open_to_high", "high_to_close", "close_change", "fall_x"]
    if not syms:
        return pd.DataFrame(columns=cols)
    # Rows as reversal_frame concatenates them: each session's path, then its high.
    out = {c: [] for c in cols}
    nan = float("nan")
    high_label = _("session high")
    for sym, minute, price, change, point, hi in zip(syms, minutes, prices, changes, points,
                                                      highs):
        n = len(minute)
        mins = minute.tolist()
        out["symbol"] += [sym] * (n + 1)
        out["day"] += [day] * (n + 1)
        out["kind"] += ["path"] * n + ["high"]
        out["minute"] += [*mins, hi["minute"]]
        out["minute_end"] += [None] * n + [hi["minute_end"]]
        out["time"] += [*map(intraday.clock, mins), intraday.clock(hi["minute"])]
        out["time_end"] += [None] * n + [intraday.clock(hi["minute_end"])]
        out["price"] += [*price.tolist(), hi["price"]]
        out["change"] += [*change.tolist(), hi["change"]]
        out["point"] += [*point, high_label]
        for c in ("open_to_high", "high_to_close", "close_change", "fall_x"):
            out[c] += [nan] * n + [float(hi[c])]
    frame = pd.DataFrame({
        c: pd.Series(v, dtype=object) if c in ("minute_end", "time_end") else
        pd.Series(v, dtype=np.int64) if c == "minute" else
        pd.Series(v, dtype=np.float64) if c in ("price", "change", "open_to_high",
                                                "high_to_close", "close_change", "fall_x")
        else pd.Series(v) for c, v in out.items()})
    return frame


def releases() -> pd.DataFrame:
    return rdata.published("nvidia_earnings_dates")


def _reactions(symbol: str = "NVDA") -> pd.DataFrame:
    return earnings_reactions(rdata.series(symbol), releases())


def _reactions_by_position(symbol: str) -> pd.DataFrame:
    """_reactions(symbol) for the kernel explorer: each release's session and previous close
    found by position in the daily arrays (searchsorted over the sessions with a close)
    instead of two date slices and a dropna per release. An index that is not plain
    (time zone, repeated or unsorted dates) takes earnings_reactions."""
    import numpy as np

    daily, table = rdata.series(symbol), releases()
    idx = daily.index
    if (not isinstance(idx, pd.DatetimeIndex) or idx.tz is not None or idx.empty or
            not idx.is_monotonic_increasing or not idx.is_unique):
        return earnings_reactions(daily, table)
    cols = {c: daily[c].to_numpy(dtype=float) for c in ("open", "high", "low", "close")}
    closes = np.flatnonzero(~np.isnan(cols["close"]))   # positions of sessions with a close
    day = pd.Timedelta(days=1)
    rows = []
    for rel in table.itertuples():
        released = pd.Timestamp(rel.release_date)
        at = np.searchsorted(closes, idx.searchsorted(released + day, "left"))
        if at == len(closes) or released < idx[0]:
            continue   # no session after the release, or the release before the data
        j = int(closes[at])
        session = idx[j]
        before = np.searchsorted(closes, idx.searchsorted(session - day, "right")) - 1
        if before < 0:
            continue   # no previous close
        prev = float(cols["close"][closes[before]])
        o, h, lo, c = (float(cols[k][j]) for k in ("open", "high", "low", "close"))
        rows.append({"fiscal_quarter": rel.fiscal_quarter,
                     "release_date": released.strftime("%Y-%m-%d"),
                     "session": session.strftime("%Y-%m-%d"), "prev_close": prev,
                     "open": o, "high": h, "low": lo, "close": c,
                     "gap": o / prev - 1, "day": c / prev - 1, "high_close": c / h - 1})
    return pd.DataFrame(rows)


PEER_WINDOWS = {
    "d20": (N_("Session of 20 Nov"), "day", EVENT_DAY, EVENT_DAY),
    "d21": (N_("Session of 21 Nov"), "day", "2025-11-21", "2025-11-21"),
    "two": (N_("Close 19 Nov to close 21 Nov"), "span", "2025-11-19", "2025-11-21"),
    "peak": (N_("Autumn peak close to 21 Nov"), "peak", AUTUMN, "2025-11-21"),
}


def _peer_windows() -> dict:
    return {k: (_(label), *rest) for k, (label, *rest) in PEER_WINDOWS.items()}


def _deal_display(frame: pd.DataFrame) -> pd.DataFrame:
    """The deals' words (kind, what, amount, date) in the reader's language."""
    if not is_zh():
        return frame
    out = frame.copy()
    for col in ("kind", "what", "amount_text", "announced"):
        if col in out:
            out[col] = out[col].map(lambda v: _(v) if isinstance(v, str) else v)
    return out


def _deals() -> pd.DataFrame:
    return rdata.published("ai_deals")


def as_of(symbols) -> str:
    return max(rdata.info(s)["last"] for s in symbols)[:10]


# ============================================================================ views

def _versus(change: float, what: str) -> str:
    """``what`` ("opened" or "closed") against the previous close, as a phrase."""
    if round(abs(change), 3) == 0:  # "0.0% below" reads as a contradiction
        msg = (_("it opened {pct}, about level with its previous close") if what == "opened"
               else _("closed {pct}, about level with its previous close"))
        return msg.format(pct=f"{change:+.2%}")
    if what == "opened":
        msg = (_("it opened {pct} above its previous close") if change >= 0
               else _("it opened {pct} below its previous close"))
    else:
        msg = (_("closed {pct} above its previous close") if change >= 0
               else _("closed {pct} below its previous close"))
    return msg.format(pct=f"{abs(change):.1%}")


def _ordinal(rank: int) -> str:
    return {1: _("the largest"), 2: _("the second largest"), 3: _("the third largest")}.get(
        rank) or _("number {rank}").format(rank=rank)


def reversal(symbols=INTRADAY, days=DAYS, day=EVENT_DAY):
    """The three sessions hour by hour, against each instrument's previous close."""
    symbols = args.symbols(symbols, "symbols", allowed=INTRADAY)
    traded = _intraday_days(symbols)
    days = [args.session(d, f"days[{i}]", traded, _("these instruments (intraday)"))
            for i, d in enumerate(args.sequence(days, "days"))]
    # The text measures Nvidia and the S&P 500 on ``day``.
    day = _day_arg(day, "day", ["NVDA_1h", "SPX_5m"])
    args.subset([day], "day", days, "days")
    frame = _reversal_data(symbols, days)
    labels = {s: label_of(s) for s in symbols}
    chart = nvidia.reversal(frame, days=list(days), day_labels=[day_label(d) for d in days],
                            day=day, shown=symbols, labels=labels)
    publish(chart, frame, "ch3-reversal",
            Caption(list(dict.fromkeys([*symbols, *(intraday.DAILY_OF[s] for s in symbols)])),
                    as_of=days[-1],
                    note=_("Times are New York time. Each line starts at the first bar's open "
                           "(09:30) and then follows each bar's close at the bar's end; the "
                           "S&P 500's 16:00 point is its closing print. The thick dash marks "
                           "the bar that holds the session's high: bars say only that the high "
                           "fell somewhere inside them. The upright bars right of 16:00 span "
                           "each instrument's fall from its high to its close. The hourly files "
                           "stamp bars in UTC (14:30 UTC = 09:30 New York in November).")),
            describe=_reversal_words(frame, symbols,
                                     {s: label_of(intraday.DAILY_OF[s]) for s in symbols}),
            toggles={sym: f"intra{i}" for i, sym in enumerate(symbols)}, noun="instruments",
            about=_("Line chart: each ticked instrument's session, bar by bar, against its "
                    "previous close"))


def _reversal_words(frame: pd.DataFrame, symbols, labels):
    """Title and takeaway of the reversal chart for each session; the instrument named is
    the first ticked of a ranking by fall from the session high to the close."""
    def closed(sym, day, sm) -> str:
        daily = intraday.DAILY_OF[sym]
        move = findings.day_move(daily, day)
        if sym == "SPX_5m" or math.isnan(move):  # the 5-minute file ends on the closing print
            return _versus(sm['day'], "closed")
        return _("closed {pct} (daily close; the chart's last bar closes {last})").format(
            pct=findings.pct(move), last=f"{sm['day']:+.1%}")

    def describe(state):
        day = state["day"]
        shown = [s for s in symbols
                 if ((frame.symbol == s) & (frame.day == day) & (frame.kind == "high")).any()]
        sums = {s: intraday.summary(_session(s, day), _prev_close(s, day)) for s in shown}
        ranked = sorted(shown, key=lambda s: sums[s]["high_to_close"])
        picks = [(s, _("{name} fell furthest from its session high to its close, {fall}: "
                       "{opened}, made its high in the {start}-{end} bar and {closed}").format(
                     name=labels[s], fall=f"{-sums[s]['high_to_close']:.1%}",
                     opened=_versus(sums[s]['gap'], "opened"), start=sums[s]['high_start'],
                     end=sums[s]['high_end'], closed=closed(s, day, sums[s])))
                 for s in ranked]
        return Said(_("{day}: each instrument against its previous close, New York time").format(
                        day=day_label(day)),
                    [_("On {date}, of the instruments shown, ").format(date=date_label(day)),
                     Pick(picks, _("no instrument is ticked")), _(".")])
    return describe


def session_table(day=EVENT_DAY, symbols=INTRADAY) -> pd.DataFrame:
    """What each instrument did in one session, measured from its intraday bars."""
    symbols = args.symbols(symbols, "symbols", allowed=INTRADAY)
    day = _day_arg(day, "day", symbols)
    rows = {}
    for s in symbols:
        sm = intraday.summary(_session(s, day), _prev_close(s, day))
        rows[label_of(s)] = {
            _("Previous close (daily)"): f"{sm['prev_close']:,.2f}",
            _("Open"): f"{sm['open']:,.2f} ({sm['gap']:+.2%})",
            _("High"): f"{sm['high']:,.2f} ({sm['high_vs_prev']:+.2%})",
            _("High in the bar"): f"{sm['high_start']}-{sm['high_end']}",
            _("Open to high"): f"{sm['open_to_high']:+.2%}",
            _("High to close"): f"{sm['high_to_close']:+.2%}",
            _("Close (last bar)"): f"{sm['close']:,.2f} ({sm['day']:+.2%})"}
    out = pd.DataFrame(rows).T
    out.index.name = _("Session of {date}, New York time").format(date=date_label(day))
    return out


def daily_check(day=EVENT_DAY, symbols=INTRADAY) -> pd.DataFrame:
    """Open, high, low and close rebuilt from the bars against the daily bar of that date."""
    symbols = args.symbols(symbols, "symbols", allowed=INTRADAY)
    day = _day_arg(day, "day", symbols)
    parts = []
    for s in symbols:
        daily = rdata.series(intraday.DAILY_OF[s])
        cmp = intraday.compare_daily(_session(s, day), daily.loc[pd.Timestamp(day)])
        cmp.insert(0, "series", _("{bars} vs {daily} daily").format(
            bars=label_of(s), daily=label_of(intraday.DAILY_OF[s])))
        parts.append(cmp)
    out = pd.concat(parts, ignore_index=True)
    for c in ("from_bars", "daily", "difference"):
        out[c] = out[c].map(lambda v: f"{v:,.2f}")
    if is_zh():
        out["field"] = out["field"].map(_)
    return out.rename(columns={"series": _("Bars"), "field": _("Field"),
                               "from_bars": _("From the bars"), "daily": _("Daily bar"),
                               "difference": _("Difference")}
                      ).set_index([_("Bars"), _("Field")])


def reactions_table(symbol: str = "NVDA") -> pd.DataFrame:
    symbol = args.symbol(symbol, "symbol")
    t = _reactions(symbol)
    out = pd.DataFrame({
        _("Release (after the close)"): t["release_date"].map(date_label),
        _("Session after it"): t["session"].map(date_label),
        _("Previous close"): t["prev_close"].map(lambda v: f"{v:,.2f}"),
        _("Open"): t["open"].map(lambda v: f"{v:,.2f}"),
        _("High"): t["high"].map(lambda v: f"{v:,.2f}"),
        _("Close"): t["close"].map(lambda v: f"{v:,.2f}"),
        **{_(lbl): t[k].map(lambda v: f"{v:+.2%}") for k, lbl in REACTIONS.items()}})
    out.index = t["fiscal_quarter"]
    out.index.name = _("{name}, results for").format(name=label_of(symbol))
    return out


def reactions(symbol: str = "NVDA"):
    symbol = args.symbol(symbol, "symbol")
    table = _reactions(symbol)
    if EVENT_DAY not in set(table.get("session", ())):
        args.fail("symbol", symbol, _("has no session on {day}, the day after the release "
                                      "this view is about").format(day=EVENT_DAY))
    frame = reactions_long(table)
    publish(nvidia.earnings(frame), frame, "ch3-earnings-reactions",
            Caption([symbol], as_of=table["session"].iloc[-1],
                    published=["nvidia_earnings_dates"],
                    note=_("Nvidia publishes results after the New York close, so each bar "
                           "is the next session's move. Only releases inside our daily data "
                           "(31 Dec 2024 to 29 May 2026) are shown.")),
            describe=_reactions_words(table, symbol),
            about=_("Bar chart: {name}'s move on the session after each results release, by "
                    "the measure chosen").format(name=label_of(symbol)))


def _ranked(rank: int, n: int) -> str:
    """Rank 1 = the lowest of n values; counted from the nearer end."""
    low = rank <= (n + 1) // 2
    k = rank if low else n - rank + 1
    if k <= 5:
        return _(("the lowest", "the second lowest", "the third lowest", "the fourth lowest",
                  "the fifth lowest")[k - 1] if low else
                 ("the highest", "the second highest", "the third highest", "the fourth highest",
                  "the fifth highest")[k - 1])
    return (_("the {k}th lowest") if low else _("the {k}th highest")).format(k=k)


RANKS = (N_("the lowest"), N_("the second lowest"), N_("the third lowest"),
         N_("the fourth lowest"), N_("the fifth lowest"), N_("the highest"),
         N_("the second highest"), N_("the third highest"), N_("the fourth highest"),
         N_("the fifth highest"))


def _reactions_words(table: pd.DataFrame, symbol: str):
    """Title and takeaway of the earnings-reactions chart for each measure."""
    what = {"gap": _("gap at the open (open against the previous close)"),
            "day": _("close-to-close move"),
            "high_close": _("fall from the session high to the close")}

    def describe(state):
        m = state["emeasure"]
        values = table.set_index("session")[m].dropna()
        v = values[EVENT_DAY]
        rank, n = rank_of(table, EVENT_DAY, m)
        low_half = rank <= (n + 1) // 2
        end = values.idxmin() if low_half else values.idxmax()
        others = ("" if end == EVENT_DAY else
                  (_(" (lowest {pct} on {date})") if low_half else
                   _(" (highest {pct} on {date})")).format(pct=findings.pct(values[end]),
                                                           date=date_label(end)))
        return Said(_("{name}, session after each results release: {measure}").format(
                        name=label_of(symbol), measure=_(REACTIONS[m]).lower()),
                    _("On the session after the release of {release} {name}'s {what} was "
                      "{pct}: {rank} of the {n} sessions after a results release in our "
                      "data{others}.").format(
                        release=date_label("2025-11-19"), name=label_of(symbol), what=what[m],
                        pct=findings.pct(v), rank=_ranked(rank, n), n=n, others=others))
    return describe


def who_fell(symbols=PEERS, window="two"):
    symbols = args.symbols(symbols, "symbols")
    window = args.choice(window, "window", PEER_WINDOWS)
    frames = {s: rdata.series(s) for s in symbols}
    frame = window_changes(frames, _peer_windows())
    publish(nvidia.peers(frame, window=window), frame, "ch3-who-fell-with-nvidia",
            Caption(symbols, as_of="2025-11-21",
                    note=_("Each stock is measured on its own exchange's sessions: Seoul and "
                           "Tokyo trade while New York is closed, so their 20 Nov session "
                           "came after Nvidia's release but before New York's reversal, and "
                           "their 21 Nov session after it. Prices in local currency (SK Hynix "
                           "KRW, SoftBank JPY, split-adjusted); the changes are unit-free.")),
            describe=_peers_words(frame, symbols),
            toggles={sym: f"peer{i}" for i, sym in enumerate(symbols)}, noun="stocks and funds",
            about=_("Bar chart: each ticked stock's or fund's change over the window chosen, "
                    "on its own market's sessions"))


def _peers_words(frame: pd.DataFrame, symbols):
    """Title and takeaway of the peers chart for each window; the stock named is the first
    ticked of a ranking from the largest fall up."""
    def describe(state):
        sel = frame[frame["window"] == state["pwindow"]]
        label = sel["window_label"].iloc[0]
        vals = sel.dropna(subset=["value"]).sort_values("value", kind="stable")
        picks = [(r.symbol, _("the largest fall was {asset}'s {pct}").format(
                      asset=label_of(r.symbol), pct=f"{-r.value:.1%}")
                  if r.value < 0 else
                  _("none fell; the smallest rise was {asset}'s {pct}").format(
                      asset=label_of(r.symbol), pct=f"{r.value:+.1%}"))
                 for r in vals.itertuples()]
        missing = [label_of(s) for s in sel.loc[sel["value"].isna(), "symbol"]]
        gap = (_(" ({names}: no session on this date)").format(names=_(", ").join(missing))
               if missing else "")
        window = label[0].lower() + label[1:]
        return Said(_("Change over the window: {window}").format(window=window),
                    [_("Over the window '{window}' (each market's own sessions), among the "
                       "stocks and funds shown{gap}, ").format(window=window, gap=gap),
                     Pick(picks, _("none is ticked")), _(".")])
    return describe


def deals():
    table = _deals()
    nodes, edges = deal_layout(table)
    known = edges.dropna(subset=["amount_bn_usd"])
    edges = _deal_display(edges)
    frame = edges[["id", "payer", "payee", "kind", "flow", "amount_bn_usd", "amount_text",
                   "announced", "what", "source_url"]]
    publish(nvidia.deals(nodes, edges, max_amount=float(known["amount_bn_usd"].max())),
            frame, "ch3-ai-deals",
            Caption(as_of=max(a for a in table["announced"] if a[:4].isdigit())[:10],
                    published=["ai_deals"],
                    note=_("Arrows point from the company that pays, invests or grants "
                           "shares to the one that receives. Amounts are headline values of "
                           "announcements and press reports (many are 'up to' or multi-year "
                           "commitments); they are not cash that has moved. Dashed arrows: no "
                           "dollar value was disclosed. Tap or hover an arrow for its source.")),
            describe=_deals_words(nodes, edges),
            about=_("Network diagram: announced deals among AI companies, one arrow from the "
                    "company that pays or invests to the one that receives"))


def _deals_words(nodes: pd.DataFrame, edges: pd.DataFrame):
    """Title and takeaway of the deal network for each smallest-deal and highlight state,
    with the chart's own filter (undisclosed amounts show only at 0)."""
    by_lo = {}   # smallest deal -> (deals shown, the largest, payers, payees): states share it

    def shown_of(lo):
        if lo not in by_lo:
            known = edges["amount_bn_usd"].notna()
            shown = edges[(known & (edges["amount_bn_usd"] >= lo)) | (~known & (lo == 0))]
            big = None if shown.empty else shown.loc[shown["amount_bn_usd"].idxmax()]
            by_lo[lo] = (shown, big, shown["payer"].to_numpy(), shown["payee"].to_numpy())
        return by_lo[lo]

    def describe(state):
        lo, hl = state["minbn"], state["hl"]
        shown, big, payer, payee = shown_of(lo)
        title = (_("Announced AI deals, every size") if lo == 0 else
                 _("Announced AI deals of {n} bn USD or more").format(n=f"{lo:g}"))
        title += "" if hl == "none" else _(", {name} highlighted").format(name=hl)
        if shown.empty:
            return Said(title, _("No announced deal is {n} bn USD or more.").format(n=f"{lo:g}"))
        count = (_("All {n} announced deals shown").format(n=len(edges))
                 if len(shown) == len(edges) else
                 _("{k} of the {n} announced deals shown").format(k=len(shown), n=len(edges)))
        text = _("{count}, as reported; the largest announced value is {payer} to {payee}, "
                 "{amount} billion USD, {kind}.").format(
            count=count, payer=big.payer, payee=big.payee, amount=big.amount_text,
            kind=big.kind)
        if hl != "none":
            pays_m, gets_m = payer == hl, payee == hl
            k, pays, gets = int((pays_m | gets_m).sum()), int(pays_m.sum()), int(gets_m.sum())
            text += (_(" {name} is in {k} of them: paying or investing in {pays}, receiving "
                       "in {gets}.").format(name=hl, k=k, pays=pays, gets=gets)
                     if k else _(" {name} is in none of them.").format(name=hl))
        return Said(title, text + _(" These are announced values, not measured cash flows."))
    return describe


def deals_table() -> pd.DataFrame:
    t = _deal_display(_deals())
    out = t[["payer", "payee", "kind", "amount_text", "announced", "source_url"]].rename(
        columns={"payer": _("From"), "payee": _("To"), "kind": _("Kind"),
                 "amount_text": _("Announced amount (bn USD)"), "announced": _("Announced"),
                 "source_url": _("Source")})
    return out.set_index([_("From"), _("To")])


# ============================================================================ claim metrics

def claim_gap(series: str, date: str) -> float:
    series = args.symbol(series, "series", allowed=INTRADAY)
    date = _day_arg(date, "date", [series])
    """Percent: the first intraday bar's open against the previous daily close."""
    return 100 * intraday.summary(_session(series, date), _prev_close(series, date))["gap"]


def claim_last_bar_change(series: str, date: str) -> float:
    series = args.symbol(series, "series", allowed=INTRADAY)
    date = _day_arg(date, "date", [series])
    """Percent: the session's last intraday close against the previous daily close."""
    return 100 * intraday.summary(_session(series, date), _prev_close(series, date))["day"]


def claim_minutes_to_high(series: str, date: str) -> float:
    """Minutes from the 09:30 open to the start of the bar holding the session high."""
    series = args.symbol(series, "series", allowed=INTRADAY)
    date = _day_arg(date, "date", [series])
    return float(intraday.minutes_to_high(_session(series, date)))


def claim_high_lead(leader: str, follower: str, date: str) -> float:
    """Least minutes by which the leader's session high came before the follower's."""
    leader = args.symbol(leader, "leader", allowed=INTRADAY)
    follower = args.symbol(follower, "follower", allowed=INTRADAY)
    date = _day_arg(date, "date", [leader, follower])
    return float(intraday.high_lead(_session(leader, date), _session(follower, date)))


# ============================================================================ kernel explorers

def explore_reversal(symbols: Sequence[str] = INTRADAY):
    """Kernel controls: any session in the intraday data, any instruments."""
    symbols = args.symbols(symbols, "symbols", allowed=INTRADAY)
    days = sorted({f"{t:%Y-%m-%d}" for s in symbols
                   for t in intraday.to_new_york(rdata.series(s).index)})
    day = ipw.Dropdown(options=[(day_label(d), d) for d in days], value=EVENT_DAY,
                       description=_("Session"))
    chosen = ipw.SelectMultiple(options=[(label_of(s), s) for s in symbols],
                                value=tuple(symbols), rows=4, description=_("Instruments"))

    def render():
        if not chosen.value:
            return _("Pick at least one instrument.")
        frame = _reversal_day(list(chosen.value), day.value)
        if frame.empty:
            return _("None of these instruments has bars on {day}.").format(
                day=day_label(day.value))
        labels = {s: label_of(s) for s in chosen.value}
        with debug_mode(False):
            chart = nvidia.reversal(frame, static=False, labels=labels)
        gap = widgets.missing_note(chosen.value, frame["symbol"].unique(), day_label(day.value))
        return (chart, gap) if gap else chart

    return widgets.explorer([day, chosen], render)


def explore_reactions(symbols: Sequence[str] = ("NVDA", "QQQ", "MSFT", "ORCL", "SOX")):
    """Kernel controls: how a stock or index moved on the sessions after Nvidia's results."""
    symbols = args.symbols(symbols, "symbols")
    who = ipw.Dropdown(options=[(label_of(s), s) for s in symbols],
                       value="NVDA" if "NVDA" in symbols else symbols[0],
                       description=_("Series"))
    measure = ipw.Dropdown(options=[(_(v), k) for k, v in REACTIONS.items()], value="high_close",
                           description=_("Measure"))

    def render():
        table = _reactions_by_position(who.value)
        if table.empty:
            return _("{name} has no session after any release in our data.").format(
                name=label_of(who.value))
        frame = reactions_long(table)
        return nvidia.earnings(frame[frame["measure"] == measure.value], static=False)

    return widgets.explorer([who, measure], render)


def explore_who_fell(symbols: Sequence[str] = PEERS):
    """Kernel controls: change between any two dates, each on its own market's sessions."""
    symbols = args.symbols(symbols, "symbols")
    start = widgets.date("2025-11-19", _("From close"))
    end = widgets.date("2025-11-21", _("To close"))
    assets = widgets.assets(symbols, symbols)

    def render():
        if not assets.value:
            return _("Pick at least one stock.")
        if start.value is None or end.value is None:
            return _("Pick both dates.")
        if end.value <= start.value:
            return _("The end date must come after the start date.")
        early = widgets.before_start(start.value, assets.value)
        if early:
            return early
        a, b = f"{start.value:%Y-%m-%d}", f"{end.value:%Y-%m-%d}"
        frames = {s: rdata.series(s) for s in assets.value}
        frame = window_changes(frames, {"custom": (_("{first} to {last}").format(first=a, last=b),
                                                   "span", a, b)})
        if frame["value"].isna().all():
            return _("None of these markets has a session on {date}.").format(date=b)
        return nvidia.peers(frame, static=False)

    return widgets.explorer([start, end, assets], render)


def explore_deals():
    """Kernel controls: smallest deal shown and a highlighted company."""
    table = _deals()
    nodes, edges = deal_layout(table)
    smallest = ipw.FloatSlider(value=0, min=0, max=float(table["amount_bn_usd"].max()),
                               step=5, description=_("Min bn USD"))
    none = [(_("(none)"), "(none)")] if is_zh() else ["(none)"]
    highlight = ipw.Dropdown(options=[*none, *nodes["company"]], description=_("Highlight"))

    def render():
        m = smallest.value
        keep = edges["amount_bn_usd"] >= m if m > 0 else pd.Series(True, index=edges.index)
        shown = edges[keep].copy()
        if shown.empty:
            return _("No announced deal is as large as {n} bn USD.").format(n=f"{m:g}")
        h = highlight.value
        shown["hl"] = (h == "(none)") | (shown["payer"] == h) | (shown["payee"] == h)
        nds = nodes.assign(hl=(h == "(none)") | (nodes["company"] == h))
        with debug_mode(False):
            return nvidia.deals(nds, shown, static=False)

    return widgets.explorer([smallest, highlight], render)
