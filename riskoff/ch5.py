"""Chapter 5, "Outlook": history's analogs, volatility after the fall, what happened next,
the article's calls scored, and a note on the "80% of a bubble" remark.

Each view loads from the cache, computes with riskoff.analogs / riskoff.volatility, draws with
riskoff.charts.outlook and publishes the chart with its caption, text alternative and CSV.
"""
from __future__ import annotations

import textwrap
from typing import Mapping, Sequence

import ipywidgets as ipw
import pandas as pd
from altair.utils.schemapi import debug_mode

from . import analogs, args, volatility, widgets
from .catalog import SERIES
from . import data as rdata
from .charts import Caption, outlook, publish
from .charts.base import date_label, label_of, short_of
from .charts.words import Said

# Kernel redraws build their chart with Altair's debug mode off: it validates every
# object as it is built (10-15 ms a redraw). The test suite validates the builders' specs.

EVENT = "2025-11-21"
# Last rows declared as probable partial days (riskoff.catalog, partial_last): their "close"
# is not a close, so every measure here stops one row earlier.
PARTIAL_LAST = {s: m.partial_last for s, m in SERIES.items() if m.partial_last}
PRICES = ["NDX", "GSPC", "SOX", "QQQ", "SPY", "NVDA", "MSFT", "ORCL", "000660.KS", "9984.T",
          "HSI", "000001.SS", "N225", "KS11", "BTC-USD", "ETH-USD", "GC=F", "HYG", "OWL"]
# Levels, not prices: a yield or a volatility index has no "recovery".
NOT_PRICES = ["VIX", "TNX", "DGS2", "DGS10"]
GROUPS = {
    "The article's headline assets": ["NDX", "GSPC", "HSI", "000001.SS", "BTC-USD", "ETH-USD",
                                      "GC=F"],
    "US indices and index funds": ["NDX", "GSPC", "SOX", "QQQ", "SPY"],
    "AI bellwethers": ["NVDA", "MSFT", "ORCL", "000660.KS", "9984.T"],
    "Asian indices": ["HSI", "000001.SS", "N225", "KS11"],
    "Crypto": ["BTC-USD", "ETH-USD"],
    "Gold, high-yield credit, private credit": ["GC=F", "HYG", "OWL"],
}
VOL = ["NDX", "BTC-USD", "GC=F", "VIX"]
VOL_EXTRA = ["VIX"]  # a volatility index: its level stands in for realized volatility
FITS = {"all": ("1871-01-01", None, "1871 to the last month"),
        "1950": ("1950-01-01", None, "1950 to the last month"),
        "1980": ("1980-01-01", None, "1980 to the last month")}
DALIO = ("https://stocktwits.com/news-articles/markets/equity/"
         "ray-dalio-says-80-into-a-full-blown-ai-bubble-uses-nvidia-as-example/cLPAjqVREaa")
# The sentence of that page the '80%' is read from (tests check the figure is in it).
DALIO_QUOTE = ("In an interview with CNBC, Ray Dalio said the U.S. is roughly 80% into a market "
               "bubble similar to 1929 and 2000.")
PARTIAL_NOTE = ("Rows that the data provenance flags as probable partial days are left out: "
                + ", ".join(f"{label_of(s)} {date_label(d)}" for s, d in PARTIAL_LAST.items())
                + ".")


def _symbols(symbols, name="symbols", allowed=None) -> list[str]:
    return args.symbols(symbols, name, allowed=allowed or [*PRICES, *VOL_EXTRA])


def _ref(ref, symbols, name="ref") -> str:
    """A reference date inside every series' closes, with at least one close after it."""
    ref = args.date(ref, name)
    for s in symbols:
        c = close(s)
        if not c.index[0] <= pd.Timestamp(ref) < c.index[-1]:
            args.fail(name, ref, f"{s} has closes from {c.index[0]:%Y-%m-%d} to "
                                 f"{c.index[-1]:%Y-%m-%d}; use a date inside that range "
                                 f"with at least one close after it")
    return ref


def _pct(x, fmt="+.1%") -> str:
    return "n.a." if pd.isna(x) else format(x, fmt)


def _d(x) -> str:
    return "—" if pd.isna(x) else date_label(x)


def close(symbol: str) -> pd.Series:
    """Closes of a daily series without a final row flagged as a partial day."""
    symbol = args.symbol(symbol, "symbol")
    c = rdata.series(symbol)["close"].dropna()
    if symbol in PARTIAL_LAST and c.index[-1] == pd.Timestamp(PARTIAL_LAST[symbol]):
        c = c.iloc[:-1]
    return c


def last_complete(symbol: str) -> pd.Timestamp:
    return close(symbol).index[-1]


def _md(text: str):
    from IPython.display import Markdown, display

    display(Markdown(text))


# ---------------------------------------------------------------------------- 1. analogs

X_OPTIONS = (0.05, 0.075, 0.10, 0.15)
H_OPTIONS = (3, 6, 12, 24)
DEFAULT = ("NDX_month_end", 0.075, 6, 6)


def _analog_note() -> str:
    raw = rdata.series("NDX_month_end").index[-1]
    cut = ("" if raw == analogs.monthly("NDX_month_end").index[-1] else
           f"; the file's last row ({date_label(raw)}) is a partial month and is left out")
    return ("S&P 500: Shiller's monthly averages of daily closes (not month-end closes), "
            "extended with FRED's S&P 500 from October 2023; its last row may be a "
            "partial-month average. Nasdaq-100: closes of the last trading day of each month"
            + cut + ". Price indices: no dividends.")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _x_text(x: float) -> str:
    return f"{x:.1%}".replace(".0%", "%")


def _as_drawn(x: float, digits: int, sign: str = "") -> str:
    """A fraction as a percentage rounded the way the chart's Vega format rounds it (d3:
    ties away from zero, where Python's format rounds them to even: 62.5% is "63%")."""
    from decimal import ROUND_HALF_UP, Decimal

    q = Decimal(abs(x) * 100).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    neg = x < 0 and (q != 0 or sign == "+")   # d3 keeps "-0.0%" under a "+" sign
    return ("-" if neg else "+" if sign == "+" else "") + f"{q}%"


def _analog_words(grid: pd.DataFrame):
    """Title and takeaway of the analog chart for each (index, X, H, horizon, count) state,
    computed with the chart's own filters (riskoff.charts.outlook.analogs)."""
    grid = grid.sort_values("date", kind="stable")

    def describe(state):
        idx, x, h, hz, mode = (state["idx"], state["fallx"], state["within"],
                               state["horizon"], state["mode"])
        name = analogs.MONTHLY[idx].split(" (")[0]
        each = "first month per episode" if mode == "first" else "all signal months"
        title = (f"{name}: {_x_text(x)}+ below a high of the last {h} months; "
                 f"{hz}-month returns, {each}")
        sel = grid[(grid["index"] == idx) & (grid["fall"] <= -x)
                   & (grid["months_since_peak"] <= h)].copy()
        sel["first"] = ~sel["peak_date"].duplicated()
        if mode == "first":
            sel = sel[sel["first"]]
        ret = sel[f"ret{hz}"]
        sel = sel[ret.notna()]
        ret = ret.dropna()
        if sel.empty:
            return Said(title, f"{name}: no month stood {_x_text(x)} or more below a high set "
                               f"1 to {h} months earlier with {hz} months of data after it.")
        bear = sel["outcome"] == "bear"
        first_bear = int((bear & sel["first"]).sum())
        return Said(title, (
            f"{name}: the chart shows {_plural(len(sel), 'month')} "
            f"({_plural(sel['peak_date'].nunique(), 'episode')}) that stood {_x_text(x)} or more "
            f"below a high set 1 to {h} months earlier and have {hz} months of data after "
            f"them; their median {hz}-month return was {_as_drawn(ret.median(), 1, '+')} "
            f"and {_as_drawn((ret > 0).mean(), 0)} rose. In {first_bear} of these episodes the index went on "
            f"to fall 20% below the high before regaining it."))
    return describe


def analog_chart():
    grid = analogs.grid(x_min=min(X_OPTIONS), h_max=max(H_OPTIONS))
    return publish(
        outlook.analogs(grid, indices=analogs.MONTHLY, xs=X_OPTIONS, hs=H_OPTIONS,
                        value=DEFAULT),
        grid, "ch5-analogs",
        Caption(["SP500_shiller", "NDX_month_end"],
                as_of=max(analogs.monthly(s).index[-1] for s in analogs.MONTHLY),
                note=_analog_note() + " Each dot is one signal month; dots of one episode overlap "
                     "in time and are not independent."),
        describe=_analog_words(grid),
        about="Dot plot: the forward returns of the months an index stood a chosen fall "
              "below a recent high, coloured by what the index did next")


def analog_table(h: int = 6, first_only: bool = False) -> pd.DataFrame:
    """Signals for every X on offer and one H, both indices: counts and forward returns."""
    h = args.integer(h, "h", 1, 240)
    first_only = args.flag(first_only, "first_only")
    rows = []
    for sym in analogs.MONTHLY:
        t = analogs.drawdown_table(analogs.monthly(sym))
        for _, r in analogs.summary_table(t, X_OPTIONS, h, first_only).iterrows():
            rows.append({
                "Index": analogs.MONTHLY[sym].split(" (")[0],
                "Fall of at least": f"{r.x:.1%}".replace(".0%", "%"),
                "Signal months": int(r.months), "Episodes": int(r.episodes),
                **{f"Median next {k} m": _pct(r[f"median{k}"]) for k in analogs.HORIZONS},
                "Rose over 12 m": _pct(r["positive12"], ".0%"),
                "Episodes that became bear markets":
                    f"{int(r.bear_episodes)} of {int(r.episodes)}"})
    out = pd.DataFrame(rows)
    out.index = [""] * len(out)
    out.columns.name = f"High set 1 to {h} months earlier"
    return out


def monthly_view_of_nov_2025():
    """Where November 2025 sits in the two monthly series, and the episode that followed."""
    from . import metrics

    daily = metrics.drawdown_on(rdata.series("NDX"), "2025-11-20", since="2025-10-01")
    parts = [f"In daily closes, the Nasdaq-100 ended 20 Nov 2025 {_below(daily)} its "
             f"late-October record close."]
    for sym in analogs.MONTHLY:
        t = analogs.drawdown_table(analogs.monthly(sym))
        nov = t.loc["2025-11"].iloc[0]
        name = analogs.MONTHLY[sym].split(" (")[0]
        kind = "average" if sym == "SP500_shiller" else "month-end close"
        if nov["fall"] == 0:
            parts.append(f"The {name}'s November 2025 {kind} was itself a record, so November "
                         f"2025 is no signal month for any X.")
        else:
            parts.append(f"The {name}'s November 2025 {kind} stood {_pct(-nov['fall'], '.1%')} "
                         f"below its high of {nov['peak_date']:%B %Y}, less than the smallest "
                         f"X on offer ({min(X_OPTIONS):.0%}).")
        later = t.loc["2025-12":]
        deep = later[later["fall"] < 0]
        if len(deep):
            w = deep["fall"].idxmin()
            row = t.loc[w]
            nxt = (f"; three months later the index stood {_pct(row['ret3'])} from that level"
                   if pd.notna(row["ret3"]) else "")
            parts.append(f"Since then, its deepest month below a prior high was {w:%B %Y}, "
                         f"{_pct(-row['fall'], '.1%')} below the high of "
                         f"{row['peak_date']:%B %Y} ({row['months_since_peak']} months "
                         f"earlier){nxt}.")
    _md(" ".join(parts))


def explore_analogs():
    """Kernel controls: any X and H, either index, any horizon."""
    index = ipw.Dropdown(options=[(v, k) for k, v in analogs.MONTHLY.items()],
                         value=DEFAULT[0], description="Index")
    x = ipw.BoundedFloatText(value=7.5, min=0.1, max=99, step=0.5, description="Fall X (%)")
    h = ipw.BoundedIntText(value=6, min=1, max=240, description="Within H (m)")
    hz = ipw.Dropdown(options=[(f"{k} months", k) for k in analogs.HORIZONS], value=6,
                      description="Horizon")
    first = ipw.Checkbox(value=False, description="First month of each episode only")

    def render():
        if x.value is None or not 0 < x.value < 100:
            return "X must be a percentage between 0 and 100."
        t = analogs.drawdown_table(analogs.monthly(index.value))
        sel = analogs.signals(t, x.value / 100, h.value).rename_axis("date").reset_index()
        if first.value:
            sel = sel[sel["first"]]
        sel["ret"], sel["hz"] = sel[f"ret{hz.value}"], hz.value
        for col in ("date", "peak_date"):
            sel[col] = sel[col].dt.strftime("%Y-%m-%d")
        if sel["ret"].notna().sum() == 0:
            return (f"No month was {x.value:g}% or more below a high set within {h.value} "
                    f"months with {hz.value} months of data after it.")
        with debug_mode(False):
            return outlook.analogs(sel, static=False)

    return widgets.explorer([index, x, h, hz, first], render)


# ---------------------------------------------------------------------------- 2. volatility

def _vol(symbol: str, window: int) -> pd.Series:
    c = close(symbol)
    if symbol == "VIX":
        return c / 100
    return volatility.realized(c, window, volatility.periods_per_year(symbol))


def volatility_frame(symbols=VOL, windows=volatility.WINDOWS):
    symbols = _symbols(symbols)
    windows = args.integers(windows, "windows", 2, 250)
    cols, meds = [], {}
    for s in symbols:
        vs = {w: _vol(s, w) for w in windows}
        meds[s] = {w: volatility.baseline(v) for w, v in vs.items()}
        part = pd.DataFrame({f"v{w}": v for w, v in vs.items()})
        cols.append(part.rename_axis("date").reset_index().assign(symbol=s))
    frame = pd.concat(cols, ignore_index=True).dropna(subset=[f"v{max(windows)}"])
    frame["date"] = frame["date"].dt.strftime("%Y-%m-%d")
    return frame[["date", "symbol", *[f"v{w}" for w in windows]]], meds


def _vol_sets(symbols) -> dict[str, list[str]]:
    """The series each choice of the chart's "Series" dropdown shows (as
    riskoff.charts.outlook.volatility defines them: the VIX goes with the Nasdaq-100)."""
    sets = {"all": list(symbols)}
    for s in symbols:
        if s != "VIX":
            sets[s] = [s, "VIX"] if s == "NDX" and "VIX" in symbols else [s]
    return sets


def _span(a, b) -> str:
    """"21 Nov to 9 Dec 2025", "21 Nov 2025" (one day), "2 Dec 2025 to 11 Jan 2026"."""
    a, b = pd.Timestamp(a), pd.Timestamp(b)
    if a == b:
        return date_label(a)
    return (f"{a.day} {a:%b} to {date_label(b)}" if a.year == b.year else
            f"{date_label(a)} to {date_label(b)}")


def _vol_words(symbols, windows=volatility.WINDOWS):
    """Title and takeaway of the volatility chart for each (window, scale, threshold, series)
    state: the series the chart shows and how long each stayed above its dashed threshold."""
    sets = _vol_sets(symbols)
    runs = {}

    def run(s, w, m):
        if (s, w, m) not in runs:
            v = _vol(s, w)
            runs[s, w, m] = volatility.regime(v, m * volatility.baseline(v))
        return runs[s, w, m]

    def describe(state):
        w, scale, m, show = state["win"], state["vscale"], state["mult"], state["vshow"]
        shown = sets[show]
        who = ("all series" if show == "all" else " and ".join(short_of(s) for s in shown))
        title = (f"{w}-observation volatility, annualized (dashed: {m:g} × own 2025 median): "
                 f"{who}" if scale == "level" else
                 f"{w}-observation volatility ÷ own 2025 median (dashed: {m:g} ×): {who}")
        parts = []
        for s in shown:
            r = run(s, w, m)
            unit = "days" if s != "VIX" and volatility.periods_per_year(s) == 365 else "sessions"
            if r["first_length"] == 0:
                parts.append(f"{label_of(s)} not above it by {_d(r['last_date'])}")
            else:
                n = r["first_length"]
                parts.append(f"{label_of(s)} {n} {unit if n != 1 else unit[:-1]} "
                             f"({_span(r['first_start'], r['first_end'])})")
        vix = " (VIX: its level)" if "VIX" in shown else ""
        return Said(title, (
            f"From 21 Nov 2025, the first stretch of {w}-observation volatility{vix} above "
            f"{m:g} × its own 2025 pre-fall median lasted: " + "; ".join(parts) + "."))
    return describe


def volatility_chart(symbols=VOL):
    symbols = _symbols(symbols)
    frame, meds = volatility_frame(symbols)
    return publish(
        outlook.volatility(frame, medians=meds, windows=volatility.WINDOWS, event=EVENT),
        frame, "ch5-volatility",
        Caption(symbols, as_of=max(last_complete(s) for s in symbols),
                note="Realized volatility: rolling standard deviation of daily log returns over "
                     "the window, annualized with √252 (exchange series) or √365 (Bitcoin, "
                     "which trades every calendar day); the window counts each series' own "
                     "observations. VIX: its level / 100 (it is already an annualized, implied "
                     "volatility). The 2025 median runs from the first full window of 2025 to "
                     "20 Nov 2025 and includes the April 2025 tariff shock. The VIX file holds "
                     "13 Cboe values on US exchange holidays, kept. " + PARTIAL_NOTE),
        describe=_vol_words(symbols),
        about="Line chart: realized volatility of each series around 21 Nov 2025, with "
              "dashed thresholds at a multiple of its own 2025 median")


def volatility_table(window: int = 21, multiple: float = 1.0, symbols=VOL) -> pd.DataFrame:
    window = args.integer(window, "window", 2, 250)
    multiple = args.number(multiple, "multiple", positive=True)
    symbols = _symbols(symbols)
    rows = []
    for s in symbols:
        v = _vol(s, window)
        base_ = volatility.baseline(v)
        r = volatility.regime(v, multiple * base_)
        before, after_ = volatility.mean_around(v, 63)
        rows.append({
            "Series": label_of(s),
            "2025 median (before 21 Nov)": _pct(base_, ".1%"),
            "On 21 Nov 2025": _pct(r["on_event"], ".1%"),
            "Mean, 63 obs. before": _pct(before, ".1%"),
            "Mean, 63 obs. from 21 Nov": _pct(after_, ".1%"),
            "Share above threshold, 2025 before": _pct(r["share_before"], ".0%"),
            "Share above threshold, after": _pct(r["share_after"], ".0%"),
            "First high run after 21 Nov": (f"{r['first_length']} obs., "
                                            f"{_d(r['first_start'])} to {_d(r['first_end'])}"),
            "Longest high run after": (f"{r['longest_length']} obs., "
                                       f"{_d(r['longest_start'])} to {_d(r['longest_end'])}"),
            "Last observation": _d(r["last_date"])})
    out = pd.DataFrame(rows).set_index("Series")
    out.columns.name = f"{window}-observation window; threshold {multiple:g} × 2025 median"
    return out.T


def explore_volatility(symbols: Sequence[str] = ("NDX", "GSPC", "BTC-USD", "ETH-USD", "GC=F",
                                                 "HSI", "NVDA", "VIX"), shown=VOL):
    symbols = _symbols(symbols)
    shown = args.subset(shown, "shown", symbols, "symbols")
    window = ipw.BoundedIntText(value=21, min=2, max=250, description="Window (obs.)")
    mult = ipw.BoundedFloatText(value=1.0, min=0.1, max=10, step=0.05,
                                description="Threshold ×")
    scale = ipw.Dropdown(options=[("annualized level", "level"),
                                  ("multiple of own 2025 median", "ratio")],
                         description="Scale")
    assets = widgets.assets(symbols, shown)

    def render():
        if not assets.value:
            return "Pick at least one series."
        if window.value is None or window.value < 2:
            return "The window must be at least 2 observations."
        parts = []
        for s in assets.value:
            v = _vol(s, window.value).dropna()
            if v.empty:
                return f"{label_of(s)} has too few observations for a {window.value}-day window."
            med = volatility.baseline(v)
            y = v if scale.value == "level" else v / med
            thr = med * mult.value if scale.value == "level" else mult.value
            parts.append(pd.DataFrame({"date": v.index.strftime("%Y-%m-%d"), "symbol": s,
                                       "vol": v.to_numpy(), "y": y.to_numpy(), "thr": thr,
                                       "ratio": (v / med).to_numpy()}))
        with debug_mode(False):
            return outlook.volatility(pd.concat(parts, ignore_index=True), static=False,
                                      event=EVENT, scale=scale.value)

    return widgets.explorer([window, mult, scale, assets], render)


# ---------------------------------------------------------------------------- 3. after 21 Nov

def after_frame(symbols=PRICES, ref=EVENT):
    symbols = _symbols(symbols, allowed=PRICES)
    ref = _ref(ref, symbols)
    parts = []
    for s in symbols:
        c = close(s)
        start = c.loc[:ref].index[-1]
        parts.append(c.loc[start:].rename("close").rename_axis("date").reset_index()
                     .assign(symbol=s))
    frame = pd.concat(parts, ignore_index=True)
    frame["date"] = frame["date"].dt.strftime("%Y-%m-%d")
    return frame[["date", "symbol", "close"]]


def _after_stats(symbols=PRICES, ref=EVENT) -> dict:
    symbols = _symbols(symbols, allowed=PRICES)
    ref = _ref(ref, symbols)
    return {s: analogs.after(close(s), ref) for s in symbols}


# The chart's measures, in words for its title (riskoff.charts.outlook.MEASURE_TITLES).
AFTER_TITLES = {"change": "Change since the 21 Nov 2025 close",
                "drawdown": "Below the highest close since 21 Nov 2025",
                "prior": "Against the highest close before 21 Nov 2025"}


def _after_words(frame: pd.DataFrame, highs: Mapping[str, float], groups=GROUPS):
    """Title and takeaway of the after-21-Nov chart for each (assets, measure) state, from
    the frame the chart draws and its measures (riskoff.charts.outlook.after)."""
    paths = {s: g.sort_values("date")[["date", "close"]].reset_index(drop=True)
             for s, g in frame.groupby("symbol")}

    def named(pairs, fmt="+.1%"):
        return ", ".join(f"{label_of(s)} {_pct(v, fmt)}" for s, v in pairs)

    def describe(state):
        group, measure = state["group"], state["measure"]
        syms = [s for s in groups[group] if s in paths]
        # Wrapped narrower than words.TITLE_WIDTH: these words are wide in bold (at 44
        # characters a line ran past a 390 px phone's chart).
        title = "\n".join(textwrap.wrap(f"{AFTER_TITLES[measure]}: {group}", 40))
        n = len(syms)
        if measure == "change":
            last = {s: paths[s]["close"].iloc[-1] / paths[s]["close"].iloc[0] - 1 for s in syms}
            up = [s for s in syms if last[s] > 0]
            order = sorted(syms, key=lambda s: last[s], reverse=True)
            best, worst = order[0], order[-1]
            return Said(title, (
                f"At each series' last complete date, "
                f"{f'all {n}' if len(up) == n and n > 1 else f'{len(up)} of {n}'} stood above "
                f"its 21 Nov 2025 close: highest {label_of(best)} at {_pct(last[best])}"
                + (f", lowest {label_of(worst)} at {_pct(last[worst])}." if n > 1 else ".")))
        if measure == "drawdown":
            deep = {}
            for s in syms:
                c = paths[s]
                dd = c["close"] / c["close"].cummax() - 1
                deep[s] = (float(dd.min()), c.loc[dd.idxmin(), "date"])
            order = sorted(syms, key=lambda s: deep[s][0])
            worst = order[0]
            rest = named((s, deep[s][0]) for s in order[1:])
            return Said(title, (
                f"The deepest fall below the highest close since 21 Nov 2025 was "
                f"{label_of(worst)}'s {_pct(deep[worst][0])} ({_d(deep[worst][1])})"
                + (f"; then {rest}." if rest else ".")))
        back = [s for s in syms if (paths[s]["close"].iloc[1:] > highs[s]).any()]
        never = [s for s in syms if s not in back]
        return Said(title, (
            f"Of these {n} price series, {len(back)} closed above their highest cached close "
            f"before 21 Nov 2025 (0% on this scale) by their last date"
            + ("; " + ", ".join(label_of(s) for s in never) + " did not." if never and back
               else ": none did." if never else ": all did.")))
    return describe


def after_chart(symbols=PRICES):
    symbols = _symbols(symbols, allowed=PRICES)
    frame = after_frame(symbols)
    stats = _after_stats(symbols)
    highs = {s: st["prior_high"] for s, st in stats.items()}
    return publish(
        outlook.after(frame, groups=GROUPS, prior_highs=highs), frame, "ch5-after",
        Caption(symbols, as_of=max(last_complete(s) for s in symbols),
                note="Each series from its 21 Nov 2025 close (Bitcoin and Ether: the UTC day) to "
                     "its own last complete row; series end on different dates. The 'prior high' "
                     "is the highest close in the cache before 21 Nov, which starts on 31 Dec "
                     "2024 for most series but later for SoftBank (26 Jun 2025), SK Hynix (2 Jan "
                     "2025) and the Nikkei, KOSPI and semiconductor index (8 Sep 2025). HYG is "
                     "dividend-adjusted (its highs include paid dividends); SoftBank is "
                     "split-adjusted; gold is the front-month future. " + PARTIAL_NOTE),
        describe=_after_words(frame, highs),
        about="Line chart: each asset of a chosen group after 21 Nov 2025, by the measure "
              "chosen")


def after_table(symbols=PRICES, ref=EVENT) -> pd.DataFrame:
    symbols = _symbols(symbols, allowed=PRICES)
    ref = _ref(ref, symbols)
    ts = pd.Timestamp(ref)
    on = f"{ts.day} {ts:%b}" if ts.year == 2025 else f"{ts.day} {ts:%b %Y}"
    rows = []
    for s, st in _after_stats(symbols, ref).items():
        cal = "calendar days" if volatility.periods_per_year(s) == 365 else "sessions"
        n = st["sessions_to_recover"]
        rec = ("not by the last date" if pd.isna(st["recovered"]) else
               f"{n} {cal if n != 1 else cal[:-1]} ({_d(st['recovered'])})")
        rows.append({
            "Asset": label_of(s),
            f"Regained the {on} close after": rec,
            f"Lowest close after (vs {on})": f"{_pct(st['low'])} ({_d(st['low_date'])})",
            "Deepest fall from a running high after": _pct(st["max_drawdown"]),
            "First close above the prior cached high": (
                _d(st["new_high"]) if pd.notna(st["new_high"]) else "none by the last date"),
            f"Last date vs {on} close": _pct(st["last_change"]),
            "Last complete date": _d(st["last_date"]),
            "Basis": rdata.info(s)["basis"]})
    return pd.DataFrame(rows).set_index("Asset")


def explore_after(symbols: Sequence[str] = PRICES, shown=("NDX", "BTC-USD", "GC=F", "NVDA"),
                  ref: str = EVENT):
    symbols = _symbols(symbols, allowed=PRICES)
    shown = args.subset(shown, "shown", symbols, "symbols")
    ref = args.date(ref, "ref", symbols)
    base = widgets.date(ref, "Reference")
    measure = ipw.Dropdown(options=[(v, k) for k, v in outlook.MEASURE_TITLES.items()],
                           description="Measure")
    assets = widgets.assets(symbols, shown)

    def render():
        if not assets.value:
            return "Pick at least one asset."
        if base.value is None:
            return "Pick a reference date."
        parts = []
        for s in assets.value:
            c = close(s)
            upto = c.loc[:pd.Timestamp(base.value)]
            if upto.empty:
                return (widgets.before_start(base.value, [s], "reference date") or
                        f"{label_of(s)} has no close on or before {base.value:%d %b %Y}.")
            path = c.loc[upto.index[-1]:]
            if measure.value == "change":
                val = path / path.iloc[0] - 1
            elif measure.value == "drawdown":
                val = path / path.cummax() - 1
            else:
                val = path / upto.max() - 1
            parts.append(pd.DataFrame({"date": path.index.strftime("%Y-%m-%d"), "symbol": s,
                                       "value": val.to_numpy()}))
        frame = pd.concat(parts, ignore_index=True)
        if len(frame) <= len(parts):
            return f"No data after {base.value:%d %b %Y} for these assets."
        return outlook.after(frame, static=False)

    return widgets.explorer([base, measure, assets], render)


def rebound_gap(lead="BTC-USD", other="NDX", ref=EVENT, when="2026-02-21") -> float:
    """Percentage points: ``lead``'s change from its ref close to its last close on or before
    ``when``, minus ``other``'s over the same dates (claims metric)."""
    lead = args.symbol(lead, "lead", PRICES)
    other = args.symbol(other, "other", PRICES)
    ref = _ref(ref, [lead, other])
    when = args.date(when, "when", [lead, other])
    return 100 * (analogs.change_by(close(lead), ref, when)
                  - analogs.change_by(close(other), ref, when))


# ---------------------------------------------------------------------------- 5. trend gauge

MARKS = {"1929": ("1928-01-01", "1930-12-01"), "2000": ("1999-01-01", "2001-12-01"),
         "2021": ("2021-01-01", "2022-12-01")}


def trend_fits() -> dict:
    c = analogs.monthly("SP500_shiller")
    return {k: analogs.log_trend(c, start, end) for k, (start, end, _) in FITS.items()}


def trend_marks(fits: dict) -> pd.DataFrame:
    rows = []
    for key, fit in fits.items():
        gap = fit["gap"].loc[fit["start"]:]
        for label, (a, b) in MARKS.items():
            span = gap.loc[a:b]
            if len(span):
                rows.append({"fit": key, "label": f"{label} peak", "date": span.idxmax(),
                             "gap": float(span.max()), "labelled": True})
        rows.append({"fit": key, "label": "Nov 2025", "date": pd.Timestamp("2025-11-01"),
                     "gap": float(gap.loc["2025-11-01"]), "labelled": True})
        rows.append({"fit": key, "label": f"{gap.index[-1]:%b %Y}", "date": gap.index[-1],
                     "gap": float(gap.iloc[-1]), "labelled": False})
    out = pd.DataFrame(rows)
    out["date"] = out["date"].dt.strftime("%Y-%m-%d")
    return out


def _share_of_2000(marks: pd.DataFrame, key: str) -> float:
    """Nov 2025's log distance above trend as a share of the 2000 peak's (same fit)."""
    import numpy as np

    m = marks[marks.fit == key].set_index("label")["gap"]
    return float(np.log1p(m["Nov 2025"]) / np.log1p(m["2000 peak"]))


def _trend_words(marks: pd.DataFrame):
    """Title and takeaway of the trend gauge for each fit window."""
    def describe(state):
        key = state["fit"]
        m = marks[marks.fit == key].set_index("label")
        nov, top = m.loc["Nov 2025", "gap"], m.loc["2000 peak", "gap"]
        return Said(
            f"S&P 500 against its log-linear trend fitted over {FITS[key][2]}",
            f"With the trend fitted over {FITS[key][2]}, November 2025 stood "
            f"{_above(nov)} the trend: {_share_of_2000(marks, key):.0%} of the 2000 peak's "
            f"distance ({_above(top)}, {pd.Timestamp(m.loc['2000 peak', 'date']):%b %Y}) on "
            f"the log scale. The answer depends on the fit window.")
    return describe


def _above(x) -> str:
    return f"{x:.0%} above" if x >= 0 else f"{-x:.0%} below"


def trend_chart():
    fits = trend_fits()
    frame = pd.DataFrame({f"g_{k}": f["gap"].where(f["gap"].index >= f["start"])
                          for k, f in fits.items()}).rename_axis("date").reset_index()
    frame["date"] = frame["date"].dt.strftime("%Y-%m-%d")
    marks = trend_marks(fits)
    return publish(
        outlook.trend_gap(frame, marks, fits={k: v[2] for k, v in FITS.items()}),
        frame, "ch5-trend",
        Caption(["SP500_shiller"], as_of=analogs.monthly("SP500_shiller").index[-1],
                note="Trend: least-squares line through the logarithm of the monthly S&P level "
                     "(nominal, no dividends, not adjusted for inflation) against time, over the "
                     "window you pick; the line starts where its window starts. Labelled dots: "
                     "the highest month of 1928-30, 1999-2001 and 2021-22, November 2025 and the "
                     "last month (June 2026, dated the 1st like every month of this series; it "
                     "may be a partial-month average). A crude gauge of price only, not Ray "
                     "Dalio's indicator."),
        describe=_trend_words(marks),
        about="Line chart: the monthly S&P 500 as a distance above or below a log-linear "
              "trend, with past peaks marked")


def trend_table() -> pd.DataFrame:
    fits = trend_fits()
    marks = trend_marks(fits)
    marks["row"] = marks["label"].where(marks["label"].str.contains("peak|Nov 2025"),
                                        "Last month")
    cols = {}
    for k, f in fits.items():
        m = marks[marks.fit == k].set_index("row")
        col = {"Trend growth per year": _pct(f["growth"], ".2%")}
        for row in ["1929 peak", "2000 peak", "2021 peak", "Nov 2025", "Last month"]:
            if row in m.index:
                when = pd.Timestamp(m.loc[row, "date"])
                col[row] = f"{_pct(m.loc[row, 'gap'], '+.0%')} ({when:%b %Y})"
            else:
                col[row] = "before the fit window"
        col["Nov 2025 as a share of the 2000 peak (log distance)"] = _pct(
            _share_of_2000(marks, k), ".0%")
        cols[FITS[k][2]] = col
    out = pd.DataFrame(cols)
    out.columns.name = "Trend fitted over"
    return out


# ---------------------------------------------------------------------------- 4. the calls

def _fomc_dec():
    t = rdata.published("fomc_decisions_2025")
    return t[t["date"] == "2025-12-10"].iloc[0]


ONE_MONTH, THREE_MONTHS = "2025-12-21", "2026-02-21"


def _below(x) -> str:
    """A negative fraction as 'N% below' (no double negative)."""
    return f"{abs(x):.1%} below" if x < 0 else f"{x:.1%} above"


def calls() -> list[dict]:
    """The article's forward-looking statements, each argued from computed figures."""
    ai = ("NVDA", "000660.KS", "SOX", "MSFT", "ORCL")
    st = _after_stats(["NDX", "GSPC", "BTC-USD", "ETH-USD", *ai])
    ndx, spx, btc = st["NDX"], st["GSPC"], st["BTC-USD"]
    fall = {s: analogs.lowest_close_vs_peak(pd.DataFrame({"close": close(s)}), "2025-01-01",
                                            EVENT, EVENT) / 100
            for s in ("NDX", "GSPC", "BTC-USD", "ETH-USD")}
    vols = {s: volatility.regime(_vol(s, 21), volatility.baseline(_vol(s, 21)))
            for s in ("NDX", "VIX", "BTC-USD", "GC=F")}
    vix3 = volatility.vix_share_above(pd.DataFrame({"close": close("VIX")}), EVENT,
                                      "2026-02-20")
    ndx3 = volatility.share_above_baseline(pd.DataFrame({"close": close("NDX")}), 21, EVENT,
                                           "2026-02-20")
    m1 = {s: analogs.change_by(close(s), EVENT, ONE_MONTH) for s in ("BTC-USD", "NDX")}
    m3 = {s: analogs.change_by(close(s), EVENT, THREE_MONTHS) for s in ("BTC-USD", "NDX")}
    fomc = _fomc_dec()
    shiller = analogs.monthly("SP500_shiller")
    sp_rise = shiller.iloc[-1] / shiller.loc["2025-11-01"] - 1

    us_bear = min(fall["NDX"], fall["GSPC"]) <= -analogs.BEAR
    crypto_bear = min(fall["BTC-USD"], fall["ETH-USD"]) <= -analogs.BEAR
    stocks_high = ndx3 > 50 or vix3 > 50
    crypto_led = m1["BTC-USD"] > m1["NDX"] and m3["BTC-USD"] > m3["NDX"]
    chips_up = all(st[s]["last_change"] > 0 for s in ("NVDA", "000660.KS", "SOX"))
    cut = fomc["decision"].startswith("cut")
    return [
        {"Statement (our paraphrase)": "The fall was a structural stampede after a crowded "
                                       "expectation broke, not the start of a bear market.",
         "What the data show": (
             f"After 21 Nov the Nasdaq-100's lowest close was {_below(fall['NDX'])} its 2025 "
             f"high close (S&P 500: {_below(fall['GSPC'])}); both later closed at new highs "
             f"({_d(ndx['new_high'])} and {_d(spx['new_high'])}). Bitcoin's lowest close was "
             f"{_below(fall['BTC-USD'])} its 2025 high, Ether's {_below(fall['ETH-USD'])}."),
         "Verdict": ("Wrong for US stock indices" if us_bear else
                     "Holds for US stock indices (no 20% fall) so far")
                    + ("; crypto did fall into a bear market." if crypto_bear else "."),
         "What it cannot settle": "Whether a bear market starts later; 'structural stampede' "
                                  "is a reading of causes that prices alone cannot test.",
         "Last data point": f"{_d(ndx['last_date'])} (Nasdaq-100), {_d(spx['last_date'])} "
                            f"(S&P 500), {_d(btc['last_date'])} (crypto)"},
        {"Statement (our paraphrase)": "Markets are entering a high-volatility phase.",
         "What the data show": (
             f"The Nasdaq-100's 21-session volatility stayed above its 2025 pre-fall median for "
             f"{vols['NDX']['first_length']} sessions after 21 Nov (to "
             f"{_d(vols['NDX']['first_end'])}); in the three months to 20 Feb 2026 it was "
             f"above on {ndx3:.0f}% of sessions and the VIX on {vix3:.0f}% (about half would "
             f"be ordinary). Gold's volatility stayed above its median for "
             f"{vols['GC=F']['longest_length']} sessions from "
             f"{_d(vols['GC=F']['longest_start'])}; Bitcoin's for "
             f"{vols['BTC-USD']['longest_length']} days from "
             f"{_d(vols['BTC-USD']['longest_start'])}."),
         "Verdict": ("Yes for US stocks" if stocks_high else
                     "Not for US stocks beyond a few weeks")
                    + "; gold and Bitcoin had long high-volatility stretches in 2026.",
         "What it cannot settle": "'High' depends on the baseline: here each series' own 2025 "
                                  "median, which includes the April 2025 tariff shock.",
         "Last data point": f"{_d(vols['NDX']['last_date'])} (Nasdaq-100), "
                            f"{_d(vols['VIX']['last_date'])} (VIX)"},
        {"Statement (our paraphrase)": "Crypto, the first to fall and the most leveraged, tends "
                                       "to rebound first.",
         "What the data show": (
             f"Bitcoin regained its 21 Nov close on {_d(btc['recovered'])}, a weekend when stock "
             f"markets were shut; the Nasdaq-100 did so on {_d(ndx['recovered'])}, its next "
             f"session. One month on, Bitcoin stood {_pct(m1['BTC-USD'])} from its 21 Nov close "
             f"against the Nasdaq-100's {_pct(m1['NDX'])}; three months on, "
             f"{_pct(m3['BTC-USD'])} against {_pct(m3['NDX'])}. On {_d(btc['last_date'])} "
             f"Bitcoin was {_pct(btc['last_change'])} from its 21 Nov close, with no new high."),
         "Verdict": ("Borne out: crypto led the rebound." if crypto_led else
                     "Not borne out: after the first weekend crypto lagged stocks."),
         "What it cannot settle": "The article's 'tends to' is a general rule; one episode "
                                  "cannot refute a tendency.",
         "Last data point": _d(btc["last_date"])},
        {"Statement (our paraphrase)": "The AI investment cycle will not end at once.",
         "What the data show": (
             "AI bellwethers from their 21 Nov close to their last date (lowest close in "
             "between): " + "; ".join(
                 f"{label_of(s)} {_pct(st[s]['last_change'])} ({_pct(st[s]['low'])})"
                 for s in ai) + "."),
         "Verdict": ("Consistent with it for chip makers, which ended well above their 21 Nov "
                     "closes" if chips_up else "Chip makers did not all rise")
                    + "; software and cloud names fell hard in between. Prices are only a "
                      "proxy.",
         "What it cannot settle": "The cycle itself (capital spending, orders, earnings) is "
                                  "not in our data.",
         "Last data point": f"{_d(st['NVDA']['last_date'])} (US stocks, SK Hynix), "
                            f"{_d(st['SOX']['last_date'])} (semiconductor index)"},
        {"Statement (our paraphrase)": "There will be no rate cut in December.",
         "What the data show": (
             f"Published figure, not our data: on {_d(fomc['date'])} the FOMC decided "
             f"'{fomc['decision']}', to a target range of {fomc['target_low_pct']:.2f} to "
             f"{fomc['target_high_pct']:.2f} percent (vote {fomc['vote'].split(' (')[0]}). "
             f"Source: {fomc['source_url']}"),
         "Verdict": "Wrong: the Fed cut in December." if cut else "Right: no December cut.",
         "What it cannot settle": "—",
         "Last data point": _d(fomc["date"])},
        {"Statement (our paraphrase)": "Ray Dalio: markets are about 80% of the way to a "
                                       "bubble peak and may still rise before it bursts.",
         "What the data show": (
             f"The S&P 500's monthly average moved {_pct(sp_rise)} from November 2025 to "
             f"{shiller.index[-1]:%B %Y} (the last month, possibly a partial-month average). "
             f"The '80%' is read off Dalio's own indicator (published report, not our data: "
             f"{DALIO}), which we do not have; see the trend gauge above."),
         "Verdict": ("'May still rise': so far, yes" if sp_rise > 0 else
                     "'May still rise': not so far") + ". '80%': cannot be measured here.",
         "What it cannot settle": "Whether this is a bubble, and where its peak is.",
         "Last data point": f"{shiller.index[-1]:%B %Y} (monthly average)"},
    ]


def scorecard():
    """The calls as an HTML table (wrapped text)."""
    from IPython.display import HTML, display

    df = pd.DataFrame(calls())
    display(HTML(df.to_html(index=False, escape=True, classes="claims-table", border=0)))
