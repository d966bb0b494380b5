"""Chapter 4, "The nine drivers": one proxy per driver, each a view the notebook shows.

Each view loads from the cache, computes with riskoff.drivers, draws with a builder of
riskoff.charts.drivers and publishes the chart with its caption, text alternative and CSV.
``evidence(key)`` gives the numbers each verdict is argued from.
"""
from __future__ import annotations

from typing import Sequence

import ipywidgets as ipw
import numpy as np
import pandas as pd
from altair.utils.schemapi import debug_mode

from . import args
from . import data as rdata
from . import drivers as dr
from . import metrics, widgets
from .charts import Caption, publish
from .charts import drivers as dch
from .charts import market
from .catalog import SERIES
from .charts.base import date_label, iso, label_of, short_of
from .charts.words import Pick, Said
from .i18n import N_, _, date_note, date_short, is_zh, p_

# Kernel redraws build their chart with Altair's debug mode off: it validates every
# object as it is built (10-15 ms a redraw). The test suite validates the builders' specs.

EVENT = "2025-11-20"
NEXT = "2025-11-21"
US_TRIO = ["NVDA", "QQQ", "SPY"]
GAP_THRESHOLDS = [0.0025, 0.005, 0.01, 0.015, 0.02, 0.03]
ASIA = ["000660.KS", "9984.T", "N225", "KS11", "SOX"]
LOOKBACKS = [5, 10, 20, 50, 100, 150]
TICKED = [20, 50, 100]
# Series traded on an exchange, with opening prices and volumes: crypto trades around the
# clock (no opening gap) and FRED's yields have no opens.
EXCHANGE = [s for s, m in SERIES.items() if m.kind == "daily"
            and m.asset_class not in ("crypto", "rates")]


def _as_of(symbols) -> str:
    return max(rdata.info(s)["last"] for s in symbols)


def _pct(x: float, digits: int = 2) -> str:
    return _("n.a.") if pd.isna(x) else f"{x:+.{digits}%}"


def _day(d) -> str:
    return _("never") if d is None or pd.isna(d) else date_label(d)


def _round(frame: pd.DataFrame, digits: int = 6) -> pd.DataFrame:
    # Six significant decimals are plenty on screen and keep the embedded data small.
    return frame.round({c: digits for c in frame.select_dtypes("number").columns})


def _table(rows: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=[_("Measure"), _("Value")]).set_index(_("Measure"))


def _share(x: float) -> str:
    """A threshold as a short percentage: 0.0025 -> "0.25%", 0.01 -> "1%"."""
    return f"{x * 100:.2f}".rstrip("0").rstrip(".") + "%"


def _toggles(symbols, prefix: str) -> dict[str, str]:
    # The names base.symbol_toggles gives the per-series checkboxes of a builder.
    return {s: f"{prefix}{i}" for i, s in enumerate(symbols)}


# The funds by their tickers, as the chapter's prose names them.
_TICKER_NAMES = {"QQQ": "QQQ", "SPY": "SPY", "HYG": "HYG"}


def _name(symbol: str) -> str:
    return _TICKER_NAMES.get(symbol, label_of(symbol))


def _sessions(n: int) -> str:
    return (_("{n} session") if n == 1 else _("{n} sessions")).format(n=n)


# ================================================================ 1. exhaustion: gap and fade

def _gap_frame(symbols) -> pd.DataFrame:
    parts = []
    for s in symbols:
        g = dr.gaps(rdata.series(s))
        parts.append(g.assign(symbol=s).rename_axis("date").reset_index())
    out = pd.concat(parts, ignore_index=True)
    out["date"] = out["date"].dt.strftime("%Y-%m-%d")
    return _round(out[["date", "symbol", "gap", "open_to_close", "day"]])


def _gap_words(frame: pd.DataFrame):
    """Title and takeaway of the gap-and-fade chart for each (asset, minimum gap): the same
    rows and rule the browser marks (gap at least the minimum, close below the previous)."""
    def describe(state):
        sym, t = state["asset"], state["mingap"]
        rows = frame[frame.symbol == sym]
        hits = int(((rows.gap >= t) & (rows.day < 0)).sum())
        ev = rows[rows.date == EVENT]
        title = (_("{name}: opening gap vs the day's move,") + "\n"
                 + _("gap-ups of {share} or more")).format(name=_name(sym), share=_share(t))
        tail = _("of its {n} sessions in the cache, {hits} opened {share} or more above the "
                 "previous close and still closed below it.").format(
            n=len(rows), hits=hits, share=_share(t))
        if ev.empty:
            return Said(title, _("{name} had no session on {date}; {tail}").format(
                name=_name(sym), date=date_label(EVENT), tail=tail))
        ev = ev.iloc[0]
        return Said(title, _("On {date} {name} opened {gap} against its previous close and "
                             "closed {day}; {tail}").format(
            date=date_label(EVENT), name=_name(sym), gap=f"{ev.gap:+.1%}", day=f"{ev.day:+.1%}",
            tail=tail))
    return describe


def gap_fade(symbols=US_TRIO, thresholds=GAP_THRESHOLDS):
    symbols = args.symbols(symbols, "symbols", allowed=EXCHANGE, required=["QQQ"])
    thresholds = args.numbers_(thresholds, "thresholds", positive=True, high=1)
    frame = _gap_frame(symbols)
    return publish(
        dch.gap_fade(frame, thresholds=thresholds, event=EVENT), frame, "ch4-gap-and-fade",
        Caption(symbols, as_of=_as_of(symbols),
                note=_("Each dot is one session of the cache (2 Jan 2025 onwards: a short "
                       "history). Traded prices, not dividend-adjusted: an ex-dividend day "
                       "opens lower by the dividend, which only shrinks gaps.")),
        describe=_gap_words(frame),
        about=_("Scatter chart: each session's opening gap against its close-to-close move, "
                "for the asset chosen"))


def explore_gap_fade(symbols: Sequence[str] = ("NVDA", "QQQ", "SPY", "NDX", "GSPC", "MSFT",
                                               "ORCL")):
    symbols = args.symbols(symbols, "symbols", allowed=EXCHANGE)
    asset = ipw.Dropdown(options=[(label_of(s), s) for s in symbols],
                         value="QQQ" if "QQQ" in symbols else symbols[0],
                         description=_("Asset"))
    min_gap = ipw.FloatText(value=1.0, step=0.25, description=_("Gap ≥ (%)"))

    def render():
        if min_gap.value is None or not np.isfinite(min_gap.value):
            return _("Type a minimum gap in percent, e.g. 1.")
        df = rdata.series(asset.value)
        frame = _gap_frame([asset.value])
        hit = dr.gap_and_fade(df, min_gap.value / 100)
        frame["hit"] = hit.to_numpy()
        frame["threshold"] = min_gap.value / 100
        with debug_mode(False):
            return dch.gap_fade(frame, static=False, event=EVENT)

    return widgets.explorer([asset, min_gap], render)


def _gap_evidence() -> pd.DataFrame:
    rows = []
    for s in US_TRIO:
        df = rdata.series(s)
        g = dr.gaps(df).loc[EVENT]
        hits = dr.gap_and_fade(df, 0.01)
        rows.append((_("{name}, {date}: open vs previous close / close vs open / close vs "
                       "previous close").format(name=label_of(s), date=date_label(EVENT)),
                     f"{_pct(g.gap)} / {_pct(g.open_to_close)} / {_pct(g.day)}"))
        rows.append((_("{name}: sessions with a gap up of 1% or more that closed lower").format(
                         name=label_of(s)),
                     _("{k} of {n}: {dates}").format(
                         k=int(hits.sum()), n=len(hits),
                         dates=_(", ").join(date_label(d) for d in hits[hits].index))))
    return _table(rows)


# ================================================================ 2. private credit

CREDIT_STARTS = ["2024-12-31", "2025-06-30", "2025-09-30", "2025-10-29", "2025-11-19"]
HORIZONS = [1, 2, 5, 10]


def _credit_dd_words(frame: pd.DataFrame):
    """Each ticked series' distance below its running peak close on the event, measured from
    the chosen start (the browser's running maximum over the same closes)."""
    wide = frame.pivot(index="date", columns="symbol", values="close")

    def describe(state):
        start = state["start"]
        part = wide.loc[start:EVENT]
        dd = (part.iloc[-1] / part.max() - 1).dropna() if len(part) else pd.Series(dtype=float)
        ranked = [(s, _("{asset}'s {pct}").format(asset=_name(s), pct=f"{dd[s]:.1%}"))
                  for s in dd.sort_values().index]
        return Said(_("Credit proxies below their running peak close since {date}").format(
                        date=date_label(start)),
                    [_("On {date}, measured from {start}, the deepest fall below its running "
                       "peak close was ").format(date=date_label(EVENT), start=date_label(start)),
                     Pick(ranked, _("none: no series is ticked")),
                     Pick([(s, _(" and the shallowest {it}").format(it=t))
                           for s, t in ranked[::-1]], ""), _(".")])
    return describe


def credit_drawdowns(symbols=("GSPC", "OWL", "HYG"), starts=CREDIT_STARTS):
    symbols = args.symbols(symbols, "symbols", required=["GSPC", "OWL", "HYG"])
    starts = args.dates(starts, "starts", symbols, last=EVENT)
    frame = metrics.tidy(rdata.closes(symbols, start=starts[0]), "close")
    return publish(
        market.drawdowns(frame, start_options=starts, shown=("OWL", "HYG")), frame,
        "ch4-credit-drawdowns",
        Caption(symbols, as_of=_as_of(symbols),
                note=_("Blue Owl: traded prices (dividends not added back, so its fall is "
                       "overstated by the dividends paid). HYG: dividend-adjusted closes, "
                       "valid for returns and drawdowns, not as quoted prices.")),
        describe=_credit_dd_words(frame), toggles=_toggles(symbols, "dd"),
        noun="series",
        about=_("Line chart: each ticked series' distance below its running peak close"))


def explore_credit_drawdowns(symbols=("OWL", "HYG", "GSPC", "NDX"), shown=("OWL", "HYG")):
    symbols = args.symbols(symbols, "symbols")
    shown = args.subset(shown, "shown", symbols, "symbols")
    start = widgets.date("2024-12-31", _("Peak from"))
    assets = widgets.assets(symbols, shown)

    def render():
        if not assets.value:
            return _("Pick at least one asset.")
        if start.value is None:
            return _("Pick a date.")
        frame = metrics.tidy(metrics.drawdown(rdata.closes(assets.value), start.value),
                             "drawdown")
        if frame.empty:
            return _("No data on or after {date} for these assets.").format(
                date=date_note(start.value))
        return market.drawdowns(frame, static=False)

    return widgets.explorer([start, assets], render)


def _credit_frame(horizons=HORIZONS, yld: str = "DGS10") -> pd.DataFrame:
    hyg = rdata.series("HYG")["close"]
    y = rdata.series(yld)["close"]
    parts = [dr.window_changes(hyg, y, h).assign(horizon=h) for h in horizons]
    out = pd.concat(parts, ignore_index=True)
    for c in ("start", "end"):
        out[c] = out[c].dt.strftime("%Y-%m-%d")
    return _round(out[["horizon", "start", "end", "ret", "dy_bp"]])


def _residual(frame: pd.DataFrame, end: str) -> tuple[float, float]:
    """HYG's return minus the least-squares line on the yield change, for the window ending
    ``end``, and the share of windows with a lower residual."""
    slope, icpt = np.polyfit(frame["dy_bp"], frame["ret"], 1)
    res = frame["ret"] - (icpt + slope * frame["dy_bp"])
    ev = res[frame["end"] == end]
    if ev.empty:
        return float("nan"), float("nan")
    return float(ev.iloc[0]), float((res <= ev.iloc[0]).mean())


def _credit_scatter_words(frame: pd.DataFrame):
    """The window ending on the event against the least-squares line over all windows of the
    chosen length (the dashed line the browser fits to the same points)."""
    def describe(state):
        h = state["horizon"]
        rows = frame[frame.horizon == h]
        title = _("HYG return against the 10-year yield change, windows of {sessions}").format(
            sessions=_sessions(h))
        ev = rows[rows.end == EVENT]
        if ev.empty:
            return Said(title, _("No {sessions} window ends on {date} (FRED published no yield "
                                 "at its start); {n} windows shown.").format(
                sessions=_sessions(h), date=date_label(EVENT), n=len(rows)))
        ev = ev.iloc[0]
        resid, share = _residual(rows, EVENT)
        return Said(title, _("Over the window of {sessions} ending {date} HYG returned {ret} "
                             "while the 10-year yield moved {dy} bp: {resid} against the fitted "
                             "line, lower than {share} of the {n} windows.").format(
            sessions=_sessions(h), date=date_label(EVENT), ret=f"{ev.ret:+.2%}",
            dy=f"{ev.dy_bp:+.0f}", resid=f"{resid:+.2%}", share=f"{1 - share:.0%}", n=len(rows)))
    return describe


def credit_vs_treasuries(horizons=HORIZONS):
    # The text reads the window ending on the event: it needs that many earlier sessions.
    most = len(rdata.series("HYG")["close"].dropna().loc[:EVENT]) - 1
    horizons = args.integers(horizons, "horizons", 1, most)
    if 1 not in horizons:
        args.fail("horizons", horizons, _("must include 1 (the text is about one session)"))
    frame = _credit_frame(horizons)
    return publish(
        dch.credit_scatter(frame, horizons=horizons, event=EVENT), frame,
        "ch4-hyg-vs-10y",
        Caption(["HYG", "DGS10"], as_of=_as_of(["HYG", "DGS10"]),
                note=_("Windows run between HYG sessions; FRED publishes no yield on a few "
                       "of them, and windows ending there are left out. The dashed line is a "
                       "least-squares fit computed in your browser over all windows shown.")),
        describe=_credit_scatter_words(frame),
        about=_("Scatter chart: HYG's return against the 10-year yield's change, one dot per "
                "window of the length chosen"))


def explore_credit_vs_treasuries():
    horizon = ipw.BoundedIntText(value=1, min=1, max=60, description=_("Sessions"))
    yld = ipw.Dropdown(options=[(label_of(s), s) for s in ("DGS10", "TNX")], value="DGS10",
                       description=_("Yield"))
    end = widgets.date(EVENT, _("Window ends"))

    def render():
        if end.value is None:
            return _("Pick the end date of the window to highlight.")
        frame = _credit_frame([int(horizon.value)], yld.value)
        if frame.empty:
            return _("No windows for this length.")
        when = iso(end.value)
        if when not in set(frame["end"]):
            return (widgets.before_start(end.value, ["HYG", yld.value], "window end") or
                    _("No window ends on {date} (not an HYG session, or no yield).").format(
                        date=date_note(end.value)))
        with debug_mode(False):
            return dch.credit_scatter(frame, static=False, event=when)

    return widgets.explorer([horizon, yld, end], render)


def _credit_evidence() -> pd.DataFrame:
    owl = rdata.series("OWL")
    peak_d, peak_v = metrics.peak(owl, "2025-01-01", EVENT)
    frame = _credit_frame([1])
    d20, d21 = date_label(EVENT), date_label(NEXT)
    rows = [
        (_("Blue Owl: highest close of 2025 up to the event"),
         _("{value} USD on {date}").format(value=f"{peak_v:,.2f}", date=date_label(peak_d))),
        (_("Blue Owl: close on {date} vs that peak").format(date=d20),
         _pct(metrics.drawdown_on(owl, EVENT, "2025-01-01"), 1)),
        (_("Blue Owl: day move on {a} / {b}").format(a=d20, b=d21),
         f"{_pct(metrics.day_change(owl, EVENT))} / {_pct(metrics.day_change(owl, NEXT))}"),
        (_("HYG: day return on {date} (percentile among all cached days)").format(date=d20),
         _("{pct} ({rank}th)").format(
             pct=_pct(metrics.day_change(rdata.series('HYG'), EVENT)),
             rank=f"{dr.day_return_percentile(rdata.series('HYG'), EVENT):.0f}")),
        (_("10-year yield (FRED): change on {date}").format(date=d20),
         _("{bp} bp").format(bp=f"{dr.yield_changes(rdata.series('DGS10')).loc[EVENT]:+.0f}")),
    ]
    for end in (EVENT, NEXT):
        resid, share = _residual(frame, end)
        rows.append((_("HYG vs fitted line, one session ending {date} (share of windows "
                       "lower)").format(date=date_label(end)),
                     f"{_pct(resid)} ({share:.0%})"))
    return _table(rows)


# ================================================================ 3. jobs data and yields

YIELD_LOOKBACKS = [20, 60, 120, 9999]
YIELD_LABELS = [N_("20 changes"), N_("60 changes"), N_("120 changes"),
                N_("all cached changes")]   # shown with _()


def _yield_frame(symbols=("DGS2", "DGS10"), event=EVENT, lookback: int | None = None
                 ) -> pd.DataFrame:
    parts = []
    for s in symbols:
        ch = dr.yield_changes(rdata.series(s))
        before = ch.loc[:event]
        if event not in before.index:
            raise ValueError(_("{name} has no published value on {date}").format(
                name=label_of(s), date=date_label(event)))
        k = np.arange(len(before))[::-1]
        part = pd.DataFrame({"symbol": s, "date": before.index.strftime("%Y-%m-%d"),
                             "change_bp": before.to_numpy(), "k": k})
        parts.append(part if lookback is None else part[part.k <= lookback])
    return _round(pd.concat(parts, ignore_index=True))


def _yield_words(frame: pd.DataFrame):
    """The event's change against the chosen number of earlier changes: mean, sample
    standard deviation and share at or below, as the browser computes them."""
    def describe(state):
        sym, lb = state["tenor"], state["lookback"]
        rows = frame[(frame.symbol == sym) & (frame.k <= lb)]
        prior, ev = rows.loc[rows.k >= 1, "change_bp"], float(rows.loc[rows.k == 0,
                                                                        "change_bp"].iloc[0])
        z = (ev - prior.mean()) / prior.std()
        verdict = (_("within two standard deviations, an ordinary day") if abs(z) < 2 else
                   _("more than two standard deviations, an unusual day"))
        name = short_of(sym)
        against = (_("the previous {n} daily changes").format(n=lb) if len(prior) == lb else
                   _("all earlier daily changes in the cache"))
        return Said(_("{Name} yield on {date} vs {against}").format(
                        Name=name[0].upper() + name[1:], date=date_label(EVENT), against=against),
                    _("On {date}, the day the September payrolls came out, the {name} yield "
                      "moved {bp} bp, z = {z} against the previous {n} daily changes ({share} "
                      "of them at or below it); {verdict}.").format(
                        date=date_label(EVENT), name=name, bp=f"{ev:+.0f}", z=f"{z:+.2f}",
                        n=len(prior), share=f"{(prior <= ev).mean():.0%}", verdict=verdict))
    return describe


def yield_moves(symbols=("DGS2", "DGS10")):
    symbols = args.symbols(symbols, "symbols", allowed=["DGS2", "DGS10", "TNX"],
                           required=["DGS2", "DGS10"])
    frame = _yield_frame(symbols)
    return publish(
        dch.yield_moves(frame, lookbacks=YIELD_LOOKBACKS,
                        lookback_labels=[_(x) for x in YIELD_LABELS], event=EVENT),
        frame, "ch4-yield-moves",
        Caption(symbols, as_of=_as_of(symbols),
                note=_("FRED constant-maturity yields, one value per day at the close: the "
                       "change of 20 Nov mixes the 8:30 a.m. payrolls release with everything "
                       "else that day, including the afternoon's equity reversal. Changes are "
                       "between consecutive published values (holidays skipped).")),
        describe=_yield_words(frame),
        about=_("Histogram: earlier daily changes of the yield chosen, with the event's change "
                "marked"))


def explore_yield_moves():
    tenor = ipw.Dropdown(options=[(label_of(s), s) for s in ("DGS2", "DGS10", "TNX")],
                         value="DGS2", description=_("Yield"))
    lookback = ipw.BoundedIntText(value=60, min=10, max=400, description=_("Lookback"))
    day = widgets.date(EVENT, _("Day"))

    def render():
        if day.value is None:
            return _("Pick a day.")
        when = iso(day.value)
        ch = dr.yield_changes(rdata.series(tenor.value))
        if when not in ch.index:
            return (widgets.before_start(day.value, [tenor.value], "day") or
                    _("{name} has no published value on {date}.").format(
                        name=label_of(tenor.value), date=date_note(day.value)))
        frame = _yield_frame([tenor.value], when, int(lookback.value))
        if (frame.k >= 1).sum() < 10:
            return _("Fewer than 10 earlier changes in the cache: pick a later day.")
        return dch.yield_moves(frame, static=False, event=when)

    return widgets.explorer([tenor, lookback, day], render)


def _jobs_evidence() -> pd.DataFrame:
    rows = []
    for s in ("DGS2", "DGS10"):
        ch = dr.yield_changes(rdata.series(s))
        for lb in (60, None):
            st = dr.move_stats(ch, EVENT, lb)
            rows.append((_("{name}, {date} vs the previous {n} changes: move / z-score / share "
                           "at or below").format(name=label_of(s), date=date_label(EVENT),
                                                 n=st['n']),
                         _("{bp} bp / {z} / {share}").format(
                             bp=f"{st['value']:+.0f}", z=f"{st['z']:+.2f}",
                             share=f"{st['pct_at_or_below']:.0%}")))
        st = dr.move_stats(ch, NEXT, 60)
        rows.append((_("{name}, {date} vs the previous 60 changes").format(
                         name=label_of(s), date=date_label(NEXT)),
                     _("{bp} bp / z {z}").format(bp=f"{st['value']:+.0f}", z=f"{st['z']:+.2f}")))
    return _table(rows)


# ================================================================ 4. crypto led

XCORR_WINDOWS = [("pre", "2025-01-02", "2025-11-19", N_("2025 to 19 Nov (before the fall)")),
                 ("autumn", "2025-08-01", "2025-11-21", N_("1 Aug to 21 Nov 2025")),
                 ("y2025", "2025-01-02", "2025-12-31", N_("all of 2025")),
                 ("all", "2025-01-02", None, N_("whole cache (2025-2026)"))]   # shown with _()
MAX_LAGS = [1, 2, 3, 5, 10]


def _rets() -> pd.DataFrame:
    return dr.aligned_returns(rdata.series("NDX"), rdata.series("BTC-USD"))


def _xcorr_frame(windows=XCORR_WINDOWS, max_lag: int = max(MAX_LAGS)) -> pd.DataFrame:
    rets = _rets()
    parts = [dr.cross_correlation(rets, max_lag, a, b).assign(window=key, window_label=_(lbl))
             for key, a, b, lbl in windows]
    return _round(pd.concat(parts, ignore_index=True)[["window", "window_label", "lag", "corr",
                                                       "n"]])


def _xcorr_words(frame: pd.DataFrame):
    """Same-span and one-session-lead correlations of the chosen sample, and the largest
    Bitcoin-earlier correlation within the lags shown against its noise band."""
    labels = dict(zip(frame["window"], frame["window_label"]))

    def describe(state):
        key, m = state["window"], state["maxlag"]
        rows = frame[(frame.window == key) & frame["corr"].notna()].set_index("lag")
        lead = rows.loc[(rows.index >= 1) & (rows.index <= m)]
        top = lead["corr"].abs().idxmax()
        band = 2 / np.sqrt(lead.loc[top, "n"])
        verdict = (_("inside the noise band: no daily lead")
                   if abs(lead.loc[top, "corr"]) <= band else _("outside the noise band"))
        return Said(_("Nasdaq-100 vs Bitcoin return correlation, {sample}, lags to {m}").format(
                        sample=labels[key], m=m),
                    _("Over {sample}, the Nasdaq-100's daily return correlated {same} with "
                      "Bitcoin's over the same span; with Bitcoin up to {sessions} earlier the "
                      "largest correlation was {top} (lag {lag}, noise band ±{band}), "
                      "{verdict}.").format(
                        sample=labels[key], same=f"{rows.loc[0, 'corr']:+.2f}",
                        sessions=_sessions(m), top=f"{lead.loc[top, 'corr']:+.2f}", lag=top,
                        band=f"{band:.2f}", verdict=verdict))
    return describe


def crypto_xcorr():
    frame = _xcorr_frame()
    return publish(
        dch.xcorr(frame, max_lags=MAX_LAGS), frame, "ch4-btc-ndx-xcorr",
        Caption(["NDX", "BTC-USD"], as_of=_as_of(["NDX", "BTC-USD"]),
                note=_("Calendar alignment: for each Nasdaq-100 session (New York date) "
                       "Bitcoin's return runs from its close on the UTC date of the previous "
                       "session to its close on the UTC date of this session, so weekends fall "
                       "inside Monday's return for both. Bitcoin's daily close is taken at "
                       "00:00 UTC, 3 hours (winter) or 4 hours (summer) after the New York "
                       "close, so the lag-0 bar includes a few hours of Bitcoin reacting to "
                       "stocks.")),
        describe=_xcorr_words(frame),
        about=_("Bar chart: correlation of the Nasdaq-100's daily return with Bitcoin's, by "
                "lag"))


def explore_crypto_xcorr():
    start = widgets.date("2025-01-02", _("From"))
    end = widgets.date("2025-11-19", _("To"))
    max_lag = ipw.BoundedIntText(value=5, min=0, max=30, description=_("Max lag"))

    def render():
        if start.value is None or end.value is None:
            return _("Pick both dates.")
        if end.value <= start.value:
            return _("The end must come after the start.")
        cc = dr.cross_correlation(_rets(), int(max_lag.value), iso(start.value), iso(end.value))
        if cc["n"].max() < 20:
            return _("Fewer than 20 pairs of returns in this window: widen it.")
        frame = cc.assign(window="kernel",
                          window_label=_("{first} to {last}").format(
                              first=date_note(start.value), last=date_note(end.value)))
        chart = dch.xcorr(frame, static=False)
        early = widgets.before_start(start.value, ["NDX", "BTC-USD"], drawn=True)
        return (chart, early) if early else chart

    return widgets.explorer([start, end, max_lag], render)


BTC_THRESHOLDS = [100000, 95000, 90000, 85000]
MA_WINDOWS = [20, 50, 100]
CROSS_STARTS = ["2025-10-06", "2025-10-29", "2025-11-10"]
CROSS_SHOW = ("2025-09-15", "2025-12-15")


def _crossing_frame(start_ndx: str = "2025-01-01") -> pd.DataFrame:
    btc = rdata.series("BTC-USD").loc[CROSS_SHOW[0]:CROSS_SHOW[1], ["close", "low"]]
    ndx = rdata.series("NDX").loc[start_ndx:CROSS_SHOW[1], ["close", "low"]]
    out = pd.concat([btc.assign(symbol="BTC-USD"), ndx.assign(symbol="NDX")])
    out = out.rename_axis("date").reset_index()
    out["date"] = out["date"].dt.strftime("%Y-%m-%d")
    return out[["date", "symbol", "close", "low"]]


def _crossing_words(frame: pd.DataFrame):
    """The first Bitcoin price below the level and the first Nasdaq-100 close below its
    moving average on or after the chosen date, from the chart's own rows (the average over
    the closes in the frame, as the browser computes it)."""
    btc = frame[frame.symbol == "BTC-USD"].set_index("date")
    ndx = frame[frame.symbol == "NDX"].set_index("date")["close"]

    def first(values: pd.Series, since: str):
        hit = values[(values < 0) & (values.index >= since)]
        return hit.index[0] if len(hit) else None

    def describe(state):
        thr, field, w, since = state["btcthr"], state["btcfield"], state["mawin"], state["since"]
        what = _("intraday low") if field == "low" else _("close")
        ma = ndx.rolling(w, min_periods=w).mean()
        n_first = first((ndx / ma - 1).dropna(), since)
        b_first = first((btc[field] / thr - 1).dropna(), since)
        if n_first and b_first:
            order = (_("; both on the same day") if n_first == b_first else
                     _("; Bitcoin first") if b_first < n_first else _("; the Nasdaq-100 first"))
        else:
            order = ""
        end = date_label(CROSS_SHOW[1])
        no_day = _("no day to {end}").format(end=end)
        # Three lines of a phone's width, each one control's choice.
        return Said("\n".join([
                        _("Bitcoin {what} vs {thr} USD,").format(what=what, thr=f"{thr:,.0f}"),
                        _("Nasdaq-100 vs its {w}-session average,").format(w=w),
                        _("first breaks from {date}").format(date=date_label(since))]),
                    _("Counting from {since}: the Nasdaq-100 first closed below its {w}-session "
                      "average on {ndx}, and Bitcoin's {what} first went below {thr} USD on "
                      "{btc} (UTC){order}.").format(
                        since=date_label(since), w=w, ndx=_day(n_first) if n_first else no_day,
                        what=what, thr=f"{thr:,.0f}", btc=_day(b_first) if b_first else no_day,
                        order=order))
    return describe


def crypto_thresholds():
    frame = _crossing_frame()
    return publish(
        dch.crossings(frame, thresholds=BTC_THRESHOLDS, ma_windows=MA_WINDOWS,
                      starts=CROSS_STARTS, show_from=CROSS_SHOW[0]), frame,
        "ch4-btc-ndx-thresholds",
        Caption(["BTC-USD", "NDX"], as_of=_as_of(["BTC-USD", "NDX"]),
                note=_("Bitcoin is measured on UTC calendar days, the Nasdaq-100 on New York "
                       "sessions. The moving average is computed in your browser from the "
                       "closes in the CSV (which starts earlier than the chart for that "
                       "reason). The shaded span is before the date the search for a first "
                       "break starts.")),
        describe=_crossing_words(frame),
        about=_("Line chart: Bitcoin's distance from a price level and the Nasdaq-100's from "
                "its moving average, with each first break marked"))


def _crossing_kernel(threshold: float, field: str, ma: int, start: str) -> pd.DataFrame:
    btc = rdata.series("BTC-USD")
    ndx = rdata.series("NDX")
    b = pd.DataFrame({"dist": btc[field] / threshold - 1})
    b["what"] = (_("Bitcoin intraday low vs {n} USD") if field == "low" else
                 _("Bitcoin close vs {n} USD")).format(n=f"{threshold:,.0f}")
    ma_s = dr.moving_average(ndx["close"], ma)
    n = pd.DataFrame({"dist": ndx["close"] / ma_s - 1, "close": ndx["close"]})
    n["what"] = _("Nasdaq-100 close vs its {n}-session average").format(n=ma)
    firsts = {"BTC-USD": dr.first_below(btc[field], threshold, start),
              "NDX": dr.first_close_below_ma(ndx, ma, start)}
    parts = []
    for sym, part in (("BTC-USD", b), ("NDX", n)):
        part = part.dropna(subset=["dist"]).loc[CROSS_SHOW[0]:CROSS_SHOW[1]]
        part = part.assign(symbol=sym, first=part.index == firsts[sym])
        parts.append(part.rename_axis("date").reset_index())
    out = pd.concat(parts, ignore_index=True)
    out["date"] = out["date"].dt.strftime("%Y-%m-%d")
    return out[["date", "symbol", "dist", "first", "what"]]


def explore_crypto_thresholds():
    thr = ipw.FloatText(value=90000, step=1000, description=_("BTC level"))
    field = ipw.Dropdown(options=[(_("intraday low"), "low"), (_("close"), "close")],
                         description=_("BTC price"))
    ma = ipw.BoundedIntText(value=50, min=2, max=150, description=_("NDX avg"))
    start = widgets.date(CROSS_STARTS[0], _("From"))

    def render():
        if start.value is None:
            return _("Pick a start date.")
        if not thr.value or thr.value <= 0:
            return _("Type a positive Bitcoin level.")
        with debug_mode(False):
            return dch.crossings(_crossing_kernel(float(thr.value), field.value, int(ma.value),
                                                  iso(start.value)), static=False,
                                 show_from=CROSS_SHOW[0], start=iso(start.value))

    return widgets.explorer([thr, field, ma, start], render)


def _crypto_evidence() -> pd.DataFrame:
    btc, ndx = rdata.series("BTC-USD"), rdata.series("NDX")
    b_pk, b_v = metrics.peak(btc, "2025-01-01", EVENT)
    n_pk, n_v = metrics.peak(ndx, "2025-01-01", EVENT)
    rows = [(_("Bitcoin: record close of 2025 (UTC date)"),
             _("{value} USD on {date}").format(value=f"{b_v:,.0f}", date=date_label(b_pk))),
            (_("Nasdaq-100: record close of 2025"),
             _("{value} on {date}").format(value=f"{n_v:,.0f}", date=date_label(n_pk)))]
    for field in ("low", "close"):
        rows.append(((_("Bitcoin: first intraday low below 90,000 USD after its record")
                      if field == "low" else
                      _("Bitcoin: first close below 90,000 USD after its record")),
                     _day(dr.first_below(btc[field], 90000, b_pk))))
    for ma in (20, 50):
        rows.append((_("Nasdaq-100: first close below its {n}-session average after its "
                       "record").format(n=ma),
                     _day(dr.first_close_below_ma(ndx, ma, n_pk))))
    for lag in (1, -1):
        z = dr.btc_lead_z(lag, "2025-01-02", "2025-11-19")
        who = _("Bitcoin one session earlier") if lag > 0 else _("Bitcoin one session later")
        rows.append((_("Correlation with {who}, Jan-19 Nov 2025, scaled to a z-score (|z| > 2: "
                       "more than noise)").format(who=who), f"{z:+.2f}"))
    return _table(rows)


# ================================================================ 5. CTAs: trend model

def _trend_frame(symbols=("GSPC", "NDX"), end: str = "2025-12-31") -> pd.DataFrame:
    frame = metrics.tidy(rdata.closes(symbols, end=end), "close")
    return frame


TREND_SIGNALS = {"ma": N_("close vs moving average"),
                 "mom": N_("close vs close L sessions ago")}   # shown with _()


def _trend_words(frame: pd.DataFrame, symbols, lookbacks):
    """Each index's position on 29 Oct and on the event, and its first turn net short after
    29 Oct, for the ticked lookbacks and signal (riskoff.drivers' model on the chart's
    closes)."""
    closes = {s: frame[frame.symbol == s].set_index(pd.to_datetime(
        frame.loc[frame.symbol == s, "date"]))["close"] for s in symbols}
    names = {s: label_of(s) for s in symbols}
    signals = {}   # (symbol, kind) -> every lookback's signal: the states share them

    def position(s, ticked, kind):
        # dr.trend_position(closes[s], ticked, kind): the mean of the ticked lookbacks' columns
        if (s, kind) not in signals:
            signals[s, kind] = dr.trend_signals(closes[s], lookbacks, kind)
        return signals[s, kind][ticked].mean(axis=1, skipna=False)

    def describe(state):
        kind = state["signal"]
        ticked = [L for L in lookbacks if state[f"lb{L}"]]
        looks = dr.lookbacks_label(ticked)
        signal = _(TREND_SIGNALS[kind])
        title = (_("Trend model, {signal}, L = {looks}").format(signal=signal, looks=looks)
                 if ticked else
                 _("Trend model, {signal}, no lookback L ticked").format(signal=signal))
        if not ticked:
            return Said(title, _("No lookback is ticked: the model takes no position, and "
                                 "nothing is drawn."))
        parts = []
        for s in symbols:
            pos = position(s, ticked, kind).loc[:"2025-12-31"]
            first = _turns_short_from(pos, "2025-10-29", "2025-12-31")
            turn = (_("net short from {date}").format(date=date_label(first[0])) if first else
                    _("not net short by {date}").format(date=date_label("2025-12-31")))
            parts.append(_("{name} from {a} on {d_a} to {b} on {d_b} ({turn})").format(
                name=names[s], a=_pos(pos, '2025-10-29'), d_a=date_short("2025-10-29"),
                b=_pos(pos, EVENT), d_b=date_short(EVENT), turn=turn))
        n = len(ticked)
        msg = ((_("Averaging {n} signal (close vs its L-session moving average, for L = {looks}),"
                  " the model's position went {parts}.") if n == 1 else
                _("Averaging {n} signals (close vs its L-session moving average, for L = "
                  "{looks}), the model's position went {parts}.")) if kind == "ma" else
               (_("Averaging {n} signal (close vs its close L sessions ago, for L = {looks}), "
                  "the model's position went {parts}.") if n == 1 else
                _("Averaging {n} signals (close vs its close L sessions ago, for L = {looks}), "
                  "the model's position went {parts}.")))
        return Said(title, msg.format(n=n, looks=looks, parts=_("; ").join(parts)))
    return describe


def _turns_short_from(position: pd.Series, start: str, end: str) -> list:
    """The first of dr.turns_short(position, start, end) (or none), by NumPy: the words
    ask for it in every state (pandas' masks cost some 2 ms a call)."""
    pos = position.dropna()
    v, dates = pos.to_numpy(), pos.index
    flips = (v < 0) & (np.concatenate([[np.nan], v[:-1]]) >= 0)
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    hits = np.flatnonzero(flips & (dates >= lo) & (dates <= hi))
    return [dates[hits[0]]] if len(hits) else []


def _pos(pos: pd.Series, day: str) -> str:
    v = pos.get(pd.Timestamp(day), np.nan)
    return _("no position yet") if pd.isna(v) else f"{v:+.2f}"


def trend_model(symbols=("GSPC", "NDX"), lookbacks=LOOKBACKS, ticked=TICKED):
    symbols = args.symbols(symbols, "symbols", allowed=EXCHANGE)
    # The text reads each position on 29 Oct 2025: every ticked lookback needs that history.
    closes = {s: rdata.series(s)["close"].dropna() for s in symbols}
    for s, c in closes.items():
        for d in ("2025-10-29", EVENT):
            if pd.Timestamp(d) not in c.index:
                args.fail("symbols", symbols, _("{symbol} has no close on {day}, which the text "
                                                     "reads").format(symbol=s, day=d))
    lookbacks = args.integers(lookbacks, "lookbacks", 1, min(len(c.loc[:"2025-12-31"])
                                                             for c in closes.values()))
    ticked = args.subset(args.integers(ticked, "ticked", 1, min(
        len(c.loc[:"2025-10-29"]) for c in closes.values())), "ticked", lookbacks, "lookbacks")
    frame = _trend_frame(symbols)
    return publish(
        dch.trend(frame, lookbacks=lookbacks, ticked=ticked), frame, "ch4-trend-model",
        Caption(list(symbols), as_of="2025-12-31",
                note=_("Each ticked lookback votes +1 (close above its reference) or -1 "
                       "(below); the position is their average. Triangles mark the days the "
                       "position turned net short. A lookback counts only once the cache holds "
                       "enough sessions (the 150-session average starts in August 2025).")),
        describe=_trend_words(frame, symbols, lookbacks),
        about=_("Line chart: a trend-following model's position in each index, from -1 "
                "(short) to +1 (long)"))


_TREND_PARTS: dict[tuple, tuple] = {}


def _trend_part(symbol: str, looks, kind: str) -> tuple[pd.DataFrame, set]:
    """(close and model position on the days both exist, the days it turned net short) for
    the trend explorer, made once per series, lookbacks, signal and cached file (the
    manifest's checksum): moving the dates reuses them."""
    key = (symbol, tuple(looks), kind, rdata.info(symbol)["sha256"])
    if key not in _TREND_PARTS:
        close = rdata.series(symbol)["close"]
        pos = dr.trend_position(close, looks, kind)
        if len(_TREND_PARTS) > 64:
            _TREND_PARTS.clear()
        _TREND_PARTS[key] = (pd.DataFrame({"close": close, "pos": pos}).dropna(),
                             frozenset(dr.turns_short(pos)))
    return _TREND_PARTS[key]


def explore_trend_model():
    lbs = ipw.Text(value="20, 50, 100", description=_("Lookbacks"))
    kind = ipw.Dropdown(options=[(_(v), k) for k, v in dr.SIGNALS.items()],
                        description=_("Signal"))
    start = widgets.date("2025-09-01", _("From"))
    end = widgets.date("2025-12-31", _("To"))

    def render():
        if start.value is None or end.value is None or end.value <= start.value:
            return _("Pick a start date before the end date.")
        try:
            looks = dr.parse_lookbacks(lbs.value)
        except ValueError as exc:
            return _("{error}, e.g. 20, 50, 100.").format(error=exc)
        parts = []
        for s in ("GSPC", "NDX"):
            joined, flips = _trend_part(s, looks, kind.value)
            part = joined.loc[iso(start.value):iso(end.value)]
            part = part.assign(symbol=s, turned=part.index.isin(flips))
            parts.append(part.rename_axis("date").reset_index())
        frame = pd.concat(parts, ignore_index=True)
        if frame.empty:
            return _("No position in this window: the lookbacks need more history.")
        frame["date"] = frame["date"].dt.strftime("%Y-%m-%d")
        return dch.trend(frame, static=False, show_from=iso(start.value), show_to=iso(end.value))

    return widgets.explorer([lbs, kind, start, end], render)


def _trend_evidence() -> pd.DataFrame:
    rows = []
    for looks in ([20, 50, 100], [50, 100, 150], [10, 20, 50]):
        for kind in ("ma", "mom"):
            cells = []
            for s in ("GSPC", "NDX"):
                pos = dr.trend_position(rdata.series(s)["close"], looks, kind)
                flips = dr.turns_short(pos, "2025-10-29", "2025-12-31")
                turn = (_("net short from {date}").format(date=date_label(flips[0])) if flips
                        else _("not net short by {date}").format(date=date_short("2025-12-31")))
                cells.append(_("{name} {a} → {b}, {turn}").format(
                    name=label_of(s), a=f"{pos.loc['2025-10-29']:+.2f}",
                    b=f"{pos.loc[EVENT]:+.2f}", turn=turn))
            rows.append((_("Lookbacks {looks}, {signal}: position {a} → {b}").format(
                             looks=dr.lookbacks_label(looks), signal=_(dr.SIGNALS[kind]),
                             a=date_short("2025-10-29"), b=date_short(EVENT)),
                         _("; ").join(cells)))
    return _table(rows)


# ================================================================ 6. shorts: VIX as fear proxy

VIX_STARTS = ["2025-01-02", "2025-06-02", "2025-10-01"]


def _vix_frame(end: str = "2025-12-31") -> pd.DataFrame:
    vix = rdata.series("VIX")
    us = rdata.series("GSPC").index
    # Cboe also prints values on US exchange holidays; keep the stock market's sessions only.
    v = vix[vix.index.isin(us)].loc[:end]
    out = pd.DataFrame({"close": v["close"], "change": v["close"].diff(), "high": v["high"]})
    out = out.iloc[1:].rename_axis("date").reset_index()
    out["date"] = out["date"].dt.strftime("%Y-%m-%d")
    return _round(out)


def _vix_words(frame: pd.DataFrame):
    """The event's value of the chosen measure and its rank among the days shown (ties share
    the best rank, as the browser's rank())."""
    def describe(state):
        m, since = state["measure"], state["since"]
        label = _(dch.VIX_MEASURES[m][0])
        rows = frame[frame.date >= since].dropna(subset=[m]).set_index("date")[m]
        rank = rows.rank(ascending=False, method="min")
        fmt = "+.2f" if m == "change" else ".2f"
        return Said(_("{label}, US sessions {start} to {end}").format(
                        label=label, start=date_label(since), end=date_label("2025-12-31")),
                    _("On {date} the {label} was {value} points, rank {rank} of the {n} "
                      "sessions from {start} (1 = highest); the highest was {top} on "
                      "{top_date}.").format(
                        date=date_label(EVENT), label=label, value=f"{rows[EVENT]:{fmt}}",
                        rank=int(rank[EVENT]), n=len(rows), start=date_label(since),
                        top=f"{rows.max():{fmt}}", top_date=date_label(rows.idxmax())))
    return describe


def vix_fear(starts=VIX_STARTS):
    starts = args.dates(starts, "starts", ["VIX"], last=EVENT)
    frame = _vix_frame()
    return publish(
        dch.vix(frame, starts=starts, event=EVENT), frame, "ch4-vix",
        Caption(["VIX"], as_of="2025-12-31",
                note=_("Only US stock-market sessions are kept (Cboe also prints on some "
                       "exchange holidays). Ranks count the days shown, from the chosen start "
                       "to 31 Dec 2025; ties share the best rank.")),
        describe=_vix_words(frame),
        about=_("Line chart: the VIX measure chosen over time, with the event marked"))


def explore_vix():
    measure = ipw.Dropdown(options=[(_(v[0]), k) for k, v in dch.VIX_MEASURES.items()],
                           description=_("Measure"))
    start = widgets.date("2025-01-02", _("From"))
    day = widgets.date(EVENT, _("Day"))

    def render():
        if start.value is None or day.value is None:
            return _("Pick both dates.")
        frame = _vix_frame(end=rdata.info("VIX")["last"])
        frame = frame[frame.date >= iso(start.value)].copy()
        when = iso(day.value)
        if when not in set(frame.date):
            return (widgets.before_start(day.value, ["VIX"], "day") or
                    _("{date} is not a US session on or after the start date.").format(
                        date=date_note(day.value)))
        frame["value"] = frame[measure.value]
        frame = frame.dropna(subset=["value"])
        frame["rank"] = frame["value"].rank(ascending=False, method="min").astype(int)
        frame["n"] = len(frame)
        frame["label"] = _(dch.VIX_MEASURES[measure.value][0])
        chart = dch.vix(frame, static=False, event=when)
        early = widgets.before_start(start.value, ["VIX"], drawn=True)
        return (chart, early) if early else chart

    return widgets.explorer([measure, start, day], render)


def _vix_evidence() -> pd.DataFrame:
    frame = _vix_frame().set_index("date")
    ev = frame.loc[EVENT]
    rows = [(_("VIX on {date}: open / intraday high / close").format(date=date_label(EVENT)),
             _("{open} / {high} / {close} points").format(
                 open=f"{rdata.series('VIX').loc[EVENT, 'open']:.2f}", high=f"{ev['high']:.2f}",
                 close=f"{ev['close']:.2f}")),
            (_("Its one-day change, and how many 2025 sessions rose more"),
             _("{change} points; {k} of {n}").format(
                 change=f"{ev['change']:+.2f}", k=int((frame['change'] > ev['change']).sum()),
                 n=len(frame))),
            (_("Highest VIX close of 2025"), _("{value} on {date}").format(
                value=f"{frame['close'].max():.2f}", date=date_label(frame['close'].idxmax()))),
            (_("Short interest, securities lending, prime-broker positioning"),
             _("not in the cache"))]
    return _table(rows)


# ================================================================ 7. Asian tech

ASIA_SESSIONS = ("2025-11-14", "2025-11-26")


def _asia_frame(symbols=ASIA, start=ASIA_SESSIONS[0], end=ASIA_SESSIONS[1],
                measures=tuple(dch.ASIA_MEASURES)) -> pd.DataFrame:
    fast = _asia_frame_arrays(symbols, start, end, measures)
    return fast if fast is not None else _asia_frame_by_pandas(symbols, start, end, measures)


def _asia_frame_arrays(symbols, start, end, measures) -> pd.DataFrame | None:
    """_asia_frame_by_pandas's frame by NumPy on each series' arrays (the same divisions and
    running maximum, on the same rows): a redraw asks for it on every move. None (the pandas
    way) for a series whose dates are not unique and ascending, or when no row is left."""
    lo, hi = pd.Timestamp(start), pd.Timestamp(end) + pd.Timedelta(days=1)
    year = pd.Timestamp("2025-01-01")
    dates, names, kinds, values = [], [], [], []
    for s in symbols:
        df = rdata.series(s)
        idx = df.index
        if type(idx) is not pd.DatetimeIndex or idx.tz is not None or not (
                idx.is_monotonic_increasing and idx.is_unique) or len(idx) < 2:
            return None
        close = df["close"].to_numpy(dtype=np.float64)
        open_ = df["open"].to_numpy(dtype=np.float64)
        prev = close[:-1]  # gaps(): each session from the second on, against the one before
        cols = {"gap": open_[1:] / prev - 1, "open_to_close": close[1:] / open_[1:] - 1,
                "day": close[1:] / prev - 1}
        since = int(idx.searchsorted(year))  # metrics.drawdown(.., "2025-01-01")
        window = close[since:]
        draw = np.full(len(close), np.nan)
        draw[since:] = window / np.fmax.accumulate(window) - 1  # NaN stays NaN, as cummax
        cols["drawdown"] = draw[1:]
        rows = idx[1:]
        a, b = int(rows.searchsorted(lo)), int(rows.searchsorted(hi))
        day_text = rows[a:b].strftime("%Y-%m-%d")
        for m in measures:
            dates.append(day_text)
            names += [s] * (b - a)
            kinds += [m] * (b - a)
            values.append(cols[m][a:b])
    if not names:
        return None
    return _round(pd.DataFrame({"date": dates[0].append(dates[1:]), "symbol": names,
                                "measure": kinds, "value": np.concatenate(values)}))


def _asia_frame_by_pandas(symbols, start, end, measures) -> pd.DataFrame:
    parts = []
    for s in symbols:
        df = rdata.series(s)
        g = dr.gaps(df)
        # Distance below the highest close since the series' first 2025 row.
        g["drawdown"] = metrics.drawdown(df[["close"]], "2025-01-01")["close"]
        g = g.loc[start:end]
        for m in measures:
            parts.append(pd.DataFrame({"date": g.index.strftime("%Y-%m-%d"), "symbol": s,
                                       "measure": m, "value": g[m].to_numpy()}))
    return _round(pd.concat(parts, ignore_index=True))


def _asia_words(frame: pd.DataFrame):
    """For the chosen measure: the highest of the ticked assets on their 20 Nov sessions
    and the lowest on 21 Nov, after the US reversal."""
    def describe(state):
        m = state["measure"]
        label = _(dch.ASIA_MEASURES[m])
        rows = frame[(frame.measure == m) & frame["value"].notna()]

        def ranked(day, high_first):
            v = rows[rows.date == day].set_index("symbol")["value"]
            v = v.sort_values(ascending=not high_first)
            return [(s, _("{asset}'s {pct}").format(asset=_name(s), pct=f"{x:+.1%}"))
                    for s, x in v.items()]
        top, low = ((_("closest to its peak"), _("furthest below it")) if m == "drawdown" else
                    (_("highest"), _("lowest")))
        span = (f"{date_label('2025-11-14')}至26日" if is_zh() else "14 to 26 Nov 2025")
        return Said(_("{label}, each market's own sessions, {span}").format(label=label,
                                                                           span=span),
                    [_("{label}: on its {date} session the {top} of the ticked assets was "
                       ).format(label=label, date=date_short(EVENT), top=top),
                     Pick(ranked(EVENT, True), _("none (no ticked asset has a value)")),
                     _("; on {date}, after the US reversal, the {low} was ").format(
                         date=date_short(NEXT), low=low),
                     Pick(ranked(NEXT, False), _("none")), _(".")])
    return describe


def asian_tech(symbols=ASIA):
    symbols = args.symbols(symbols, "symbols", allowed=EXCHANGE, required=["000660.KS", "9984.T"])
    frame = _asia_frame(symbols)
    return publish(
        dch.asia(frame, shown=symbols), frame, "ch4-asian-tech",
        Caption(symbols, as_of=ASIA_SESSIONS[1],
                note=_("Each market's own session dates: Seoul and Tokyo close at 06:30 UTC "
                       "(01:30 in New York), before the US session of the same date opens. "
                       "SoftBank prices are split-adjusted (returns unaffected). The PHLX "
                       "Semiconductor index (US hours) is shown for comparison. Japan was "
                       "closed on 24 Nov (holiday).")),
        describe=_asia_words(frame), toggles=_toggles(symbols, "asia"), noun="assets",
        about=_("Bar chart: each ticked asset's session moves from 14 to 26 Nov 2025, by the "
                "measure chosen"))


def explore_asian_tech(symbols: Sequence[str] = (*ASIA, "NDX", "HSI")):
    symbols = args.symbols(symbols, "symbols", allowed=EXCHANGE)
    start = widgets.date("2025-11-14", _("From"))
    end = widgets.date("2025-11-26", _("To"))
    measure = ipw.Dropdown(options=[(_(v), k) for k, v in dch.ASIA_MEASURES.items()],
                           description=_("Measure"))
    assets = widgets.assets(symbols, ASIA)

    def render():
        if start.value is None or end.value is None or end.value < start.value:
            return _("Pick a start date on or before the end date.")
        if not assets.value:
            return _("Pick at least one asset.")
        if (end.value - start.value).days > 31:
            return _("Pick at most a month: the bars get too thin to read.")
        frame = _asia_frame(assets.value, iso(start.value), iso(end.value), (measure.value,))
        frame = frame.dropna(subset=["value"])
        if frame.empty:
            return _("No sessions (or no opening prices) for these assets in this window.")
        return dch.asia(frame, static=False)

    return widgets.explorer([start, end, measure, assets], render)


def _asia_evidence() -> pd.DataFrame:
    rows = []
    for s in ASIA:
        df = rdata.series(s)
        g = dr.gaps(df)
        g20 = g.loc[EVENT] if pd.Timestamp(EVENT) in g.index else None
        rows.append((_("{name}: {d20} gap / {d20} day / {d21} day").format(
                         name=label_of(s), d20=date_short(EVENT), d21=date_short(NEXT)),
                     f"{_pct(g20.gap if g20 is not None else np.nan)} / "
                     f"{_pct(metrics.day_change(df, EVENT))} / "
                     f"{_pct(metrics.day_change(df, NEXT))}"))
    for s in ("000660.KS", "9984.T"):
        df = rdata.series(s)
        pk, v = metrics.peak(df, "2025-01-01", "2025-11-19")
        rows.append((_("{name}: close on {date} vs its 2025 peak close ({peak})").format(
                         name=label_of(s), date=date_short("2025-11-19"), peak=date_label(pk)),
                     _pct(metrics.drawdown_on(df, "2025-11-19", "2025-01-01"), 1)))
    return _table(rows)


# ================================================================ 8. liquidity, 9. ETF volume

def _y_max(frame: pd.DataFrame, measures, windows, start="2025-09-01", end="2025-12-31"
           ) -> float:
    """The largest ratio to its trailing average that any choice of the chart can draw."""
    top = 0.0
    for _, g in frame.groupby("symbol"):
        g = g.set_index(pd.to_datetime(g["date"]))
        for m in measures:
            for w in windows:
                top = max(top, float(dr.relative_to_trailing(g[m], w).loc[start:end].max()))
    return round(top * 1.05, 2)


ILLIQ_MEASURES = {"amihud": (N_("Amihud illiquidity"), N_("bp per billion USD"), ".3f"),
                  "range": (N_("High-low range"), N_("% of the low"), ".2%")}
REL_WINDOWS = [21, 63, 126, 200]
VOL_MEASURES = {"volume": (N_("Volume"), N_("shares"), ",.0f")}


def _measures(meta: dict) -> dict:
    """{column: (label, unit, format)} with label and unit in the reader's language."""
    return {k: (_(label), _(unit), fmt) for k, (label, unit, fmt) in meta.items()}
VOL_WINDOWS = [10, 21, 63, 126]
VOL_SYMBOLS = ["SPY", "QQQ", "GSPC", "NVDA"]


def _illiq_frame(symbols=("SPY", "QQQ"), end: str = "2025-12-31") -> pd.DataFrame:
    parts = []
    for s in symbols:
        df = rdata.series(s).loc[:end]
        part = pd.DataFrame({"amihud": dr.amihud(df), "range": dr.hl_range(df)}).iloc[1:]
        parts.append(part.assign(symbol=s).rename_axis("date").reset_index())
    out = pd.concat(parts, ignore_index=True)
    out["date"] = out["date"].dt.strftime("%Y-%m-%d")
    return _round(out[["date", "symbol", "amihud", "range"]])


def _relative_words(frame: pd.DataFrame, measures: dict, windows, prefix: str,
                    show=("2025-09-01", "2025-12-31")):
    """Each series' value on the event over its own mean of the previous w sessions (all
    w + 1 values present, as the browser's window sum requires), ranked highest first,
    with its highest multiple in the period shown."""
    measures = _measures(measures)
    keys = list(measures)

    def ratios(m, w):
        out = {}
        for s, g in frame.groupby("symbol", sort=False):
            v = g.set_index("date")[m].astype(float)
            trailing = (v.rolling(w + 1, min_periods=w + 1).sum() - v) / w
            out[s] = (v / trailing.where(trailing > 0)).loc[show[0]:show[1]].dropna()
        return out

    def describe(state):
        m = state[f"{prefix}m"] if len(keys) > 1 else keys[0]
        w = state[f"{prefix}w"]
        label = measures[m][0]
        rel = ratios(m, w)
        on = {s: r[EVENT] for s, r in rel.items() if EVENT in r.index}
        ranked = []
        for s in sorted(on, key=on.get, reverse=True):
            r = rel[s]
            peak = (_("its highest of Sep to Dec 2025") if r.idxmax() == EVENT else
                    _("its highest of Sep to Dec 2025: {x} on {date}").format(
                        x=f"{r.max():.1f}", date=date_label(r.idxmax())))
            ranked.append((s, _("{asset}'s {x} times ({peak})").format(
                asset=_name(s), x=f"{on[s]:.1f}", peak=peak)))
        return Said(_("{label} over its average of the previous {w} sessions, Sep to Dec "
                      "2025").format(label=label, w=w),
                    [_("{label} on {date} against its own average of the previous {w} "
                       "sessions: the highest multiple of the ticked series was ").format(
                        label=label, date=date_label(EVENT), w=w),
                     Pick(ranked, _("none: no series is ticked")),
                     _(".")])
    return describe


def illiquidity(symbols=("SPY", "QQQ")):
    symbols = args.symbols(symbols, "symbols", allowed=EXCHANGE, required=["SPY"])
    frame = _illiq_frame(symbols)
    return publish(
        dch.relative(frame, measures=_measures(ILLIQ_MEASURES), windows=REL_WINDOWS,
                     shown=symbols,
                     event=EVENT, prefix="liq",
                     y_max=_y_max(frame, ILLIQ_MEASURES, REL_WINDOWS)),
        frame, "ch4-illiquidity",
        Caption(list(symbols), as_of="2025-12-31",
                note=_("Amihud illiquidity = |close-to-close return| / (close × volume), in "
                       "basis points per billion dollars traded. Each value is divided by its "
                       "own mean over the chosen number of previous sessions (the day itself "
                       "excluded), computed in your browser from the CSV. The 200-session "
                       "average needs 200 earlier sessions, so that line starts in "
                       "October.")),
        describe=_relative_words(frame, ILLIQ_MEASURES, REL_WINDOWS, "liq"),
        toggles=_toggles(symbols, "liqs"), noun="series",
        about=_("Line chart: each ticked ETF's daily Amihud illiquidity or high-low range as a "
                "multiple of its own trailing average"))


_RELATIVE_PARTS: dict[tuple, pd.DataFrame] = {}


def _relative_part(symbol: str, measure: str, window: int) -> pd.DataFrame:
    """A series' measure, its trailing mean and their ratio on every cached day, made once per
    series, measure, window and cached file (the manifest's checksum): moving the dates or
    adding a series reuses them."""
    key = (symbol, measure, int(window), rdata.info(symbol)["sha256"])
    if key not in _RELATIVE_PARTS:
        df = rdata.series(symbol)
        if measure == "amihud":
            v = dr.amihud(df)
        elif measure == "range":
            v = dr.hl_range(df)
        else:
            v = df["volume"].astype(float)
        trailing = v.shift(1).rolling(window, min_periods=window).mean()
        if len(_RELATIVE_PARTS) > 64:
            _RELATIVE_PARTS.clear()
        _RELATIVE_PARTS[key] = pd.DataFrame({"value": v, "trailing": trailing,
                                             "rel": dr.relative_to_trailing(v, window)})
    return _RELATIVE_PARTS[key]


def _relative_kernel(symbols, measure: str, window: int, start: str, end: str, meta: dict
                     ) -> pd.DataFrame:
    parts = []
    for s in symbols:
        part = _relative_part(s, measure, window).loc[start:end]
        parts.append(part.assign(symbol=s).rename_axis("date").reset_index())
    out = pd.concat(parts, ignore_index=True).dropna(subset=["rel"])
    out["date"] = out["date"].dt.strftime("%Y-%m-%d")
    label, _unit, fmt = meta[measure]
    return out.assign(label=_(label), fmt=fmt)


def _explore_relative(symbols, shown, meta, default_window):
    measure = ipw.Dropdown(options=[(_(v[0]), k) for k, v in meta.items()],
                           description=_("Measure"))
    window = ipw.BoundedIntText(value=default_window, min=2, max=300,
                                description=_("Average of"))
    start = widgets.date("2025-09-01", _("From"))
    end = widgets.date("2025-12-31", _("To"))
    assets = widgets.assets(symbols, shown)

    def render():
        if start.value is None or end.value is None or end.value <= start.value:
            return _("Pick a start date before the end date.")
        if not assets.value:
            return _("Pick at least one series.")
        frame = _relative_kernel(assets.value, measure.value, int(window.value),
                                 iso(start.value), iso(end.value), meta)
        if frame.empty:
            return _("Nothing to draw: the window needs more earlier sessions than the cache "
                     "holds.")
        return dch.relative(frame, static=False, measures=_measures(meta),
                            show_from=iso(start.value), show_to=iso(end.value))

    # One measure: no menu to pick it (a control that can change nothing).
    return widgets.explorer([measure, window, start, end, assets][len(meta) < 2:], render)


def explore_illiquidity():
    return _explore_relative(("SPY", "QQQ", "NVDA"), ("SPY", "QQQ"), ILLIQ_MEASURES, 63)


def _liquidity_evidence() -> pd.DataFrame:
    rows = []
    for s in ("SPY", "QQQ"):
        df = rdata.series(s)
        rows.append((_("{name}: Amihud on {date}, bp per billion USD").format(
                         name=label_of(s), date=date_label(EVENT)),
                     _("{value} (dollar volume {bn} bn USD)").format(
                         value=f"{dr.amihud(df).loc[EVENT]:.3f}",
                         bn=f"{df.loc[EVENT, 'close'] * df.loc[EVENT, 'volume'] / 1e9:,.1f}")))
        rows.append((_("{name}: Amihud vs its average of the previous 21 / 63 / 200 "
                       "sessions").format(name=label_of(s)),
                     " / ".join(f"{dr.amihud_ratio(df, EVENT, w):.2f}x" for w in (21, 63, 200))))
        rows.append((_("{name}: high-low range vs its average of the previous 21 / 63 / 200 "
                       "sessions").format(name=label_of(s)),
                     " / ".join(f"{dr.range_ratio(df, EVENT, w):.2f}x" for w in (21, 63, 200))))
    rows.append((_("Top-of-book depth of S&P 500 futures"),
                 _("not in the cache (no order-book data)")))
    return _table(rows)


def etf_volume(symbols=VOL_SYMBOLS, shown=("SPY", "QQQ", "GSPC")):
    symbols = args.symbols(symbols, "symbols", allowed=EXCHANGE, required=["SPY", "QQQ", "GSPC"])
    shown = args.subset(shown, "shown", symbols, "symbols")
    frame_parts = []
    for s in symbols:
        v = rdata.series(s).loc[:"2025-12-31", ["volume"]]
        frame_parts.append(v.assign(symbol=s).rename_axis("date").reset_index())
    frame = pd.concat(frame_parts, ignore_index=True).dropna()
    frame["date"] = frame["date"].dt.strftime("%Y-%m-%d")
    return publish(
        dch.relative(frame[["date", "symbol", "volume"]], measures=_measures(VOL_MEASURES),
                     windows=VOL_WINDOWS, shown=shown, event=EVENT, prefix="vol",
                     y_max=_y_max(frame, VOL_MEASURES, VOL_WINDOWS)),
        frame, "ch4-etf-volume",
        Caption(list(symbols), as_of="2025-12-31",
                note=_("Volumes in shares as published. The S&P 500 row is the index volume "
                       "our source publishes (a vendor total of trading in the index's "
                       "stocks; the source does not document exactly what it counts). Each "
                       "day is divided by its own average over the chosen number of previous "
                       "sessions, computed in your browser.")),
        describe=_relative_words(frame, VOL_MEASURES, VOL_WINDOWS, "vol"),
        toggles=_toggles(symbols, "vols"), noun="series",
        about=_("Line chart: each ticked series' daily volume as a multiple of its own "
                "trailing average"))


def explore_etf_volume():
    return _explore_relative(tuple(VOL_SYMBOLS) + ("MSFT",), ("SPY", "QQQ", "GSPC"),
                             VOL_MEASURES, 21)


def _passive_evidence() -> pd.DataFrame:
    rows = []
    for s in VOL_SYMBOLS:
        df = rdata.series(s)
        rows.append((_("{name}: volume on {a} / {b} vs its 21-session average").format(
                         name=label_of(s), a=date_label(EVENT), b=date_label(NEXT)),
                     f"{dr.volume_ratio(df, EVENT, 21):.2f}x / "
                     f"{dr.volume_ratio(df, NEXT, 21):.2f}x"))
    rows.append((_("ETF share of total US equity volume"), _("not in the cache")))
    return _table(rows)


# ================================================================ evidence tables

EVIDENCE = {"exhaustion": _gap_evidence, "credit": _credit_evidence, "jobs": _jobs_evidence,
            "crypto": _crypto_evidence, "cta": _trend_evidence, "shorts": _vix_evidence,
            "asia": _asia_evidence, "liquidity": _liquidity_evidence,
            "passive": _passive_evidence}


def evidence(key: str) -> pd.DataFrame:
    """The numbers a section's verdict is argued from, computed from the cache."""
    if key not in EVIDENCE:
        args.fail("key", key, _("unknown driver; use one of: {keys}").format(
            keys=", ".join(EVIDENCE)))
    return EVIDENCE[key]()
