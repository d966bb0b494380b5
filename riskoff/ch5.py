"""Chapter 5, "Outlook": history's analogs, volatility after the fall, what happened next,
the article's calls scored, and a note on the "80% of a bubble" remark.

Each view loads from the cache, computes with riskoff.analogs / riskoff.volatility, draws with
riskoff.charts.outlook and publishes the chart with its caption, text alternative and CSV.
"""
from __future__ import annotations

import re
import textwrap
from typing import Mapping, Sequence

import ipywidgets as ipw
import numpy as np
import pandas as pd
from altair.utils.schemapi import debug_mode

from . import analogs, args, volatility, widgets
from .catalog import SERIES
from . import data as rdata
from .charts import Caption, outlook, publish
from .charts.base import date_label, label_of, short_of
from .charts.words import Said
from .i18n import N_, _, date_short, is_zh, month_label, p_, wrap

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
GROUPS = {   # (names in English; the chart gets them in the reader's language: _groups())
    N_("The article's headline assets"): ["NDX", "GSPC", "HSI", "000001.SS", "BTC-USD", "ETH-USD",
                                      "GC=F"],
    N_("US indices and index funds"): ["NDX", "GSPC", "SOX", "QQQ", "SPY"],
    N_("AI bellwethers"): ["NVDA", "MSFT", "ORCL", "000660.KS", "9984.T"],
    N_("Asian indices"): ["HSI", "000001.SS", "N225", "KS11"],
    N_("Crypto"): ["BTC-USD", "ETH-USD"],
    N_("Gold, high-yield credit, private credit"): ["GC=F", "HYG", "OWL"],
}
VOL = ["NDX", "BTC-USD", "GC=F", "VIX"]
VOL_EXTRA = ["VIX"]  # a volatility index: its level stands in for realized volatility
FITS = {"all": ("1871-01-01", None, N_("1871 to the last month")),
        "1950": ("1950-01-01", None, N_("1950 to the last month")),
        "1980": ("1980-01-01", None, N_("1980 to the last month"))}
DALIO = ("https://stocktwits.com/news-articles/markets/equity/"
         "ray-dalio-says-80-into-a-full-blown-ai-bubble-uses-nvidia-as-example/cLPAjqVREaa")
# The sentence of that page the '80%' is read from (tests check the figure is in it).
DALIO_QUOTE = ("In an interview with CNBC, Ray Dalio said the U.S. is roughly 80% into a market "
               "bubble similar to 1929 and 2000.")
PARTIAL_NOTE = ("Rows that the data provenance flags as probable partial days are left out: "
                + ", ".join(f"{label_of(s)} {date_label(d)}" for s, d in PARTIAL_LAST.items())
                + ".")


def _partial_note() -> str:
    # PARTIAL_NOTE in the reader's language (computed when shown, not at import).
    return _("Rows that the data provenance flags as probable partial days are left out: "
             "{rows}.").format(rows=_(", ").join(_("{name} {date}").format(
                 name=label_of(s), date=date_label(d)) for s, d in PARTIAL_LAST.items()))


def _groups() -> dict:
    return {_(k): v for k, v in GROUPS.items()}


def _monthly_name(sym: str) -> str:
    # "S&P 500 (monthly averages, 1871+)" -> "S&P 500", in the reader's language.
    return re.split(r" \(|（", _(analogs.MONTHLY[sym]))[0]


def _symbols(symbols, name="symbols", allowed=None) -> list[str]:
    return args.symbols(symbols, name, allowed=allowed or [*PRICES, *VOL_EXTRA])


def _ref(ref, symbols, name="ref") -> str:
    """A reference date inside every series' closes, with at least one close after it."""
    ref = args.date(ref, name)
    for s in symbols:
        c = close(s)
        if not c.index[0] <= pd.Timestamp(ref) < c.index[-1]:
            args.fail(name, ref, _("{symbol} has closes from {first} to {last}; use a date "
                                   "inside that range with at least one close after it").format(
                symbol=s, first=f"{c.index[0]:%Y-%m-%d}", last=f"{c.index[-1]:%Y-%m-%d}"))
    return ref


def _pct(x, fmt="+.1%") -> str:
    return _("n.a.") if pd.isna(x) else format(x, fmt)


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
           _("; the file's last row ({date}) is a partial month and is left out").format(
               date=date_label(raw)))
    return _("S&P 500: Shiller's monthly averages of daily closes (not month-end closes), "
             "extended with FRED's S&P 500 from October 2023; its last row may be a "
             "partial-month average. Nasdaq-100: closes of the last trading day of each "
             "month{cut}. Price indices: no dividends.").format(cut=cut)


def _plural(n: int, word: str) -> str:
    if is_zh():
        return {"month": _("{n} months"), "episode": _("{n} episodes")}[word].format(n=n)
    return f"{n} {word}" + ("" if n == 1 else "s")


_COUNTS = (N_("{n} months"), N_("{n} episodes"))


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
    signals = {}   # (index, X, H) -> its signal months: the horizon and count states share them

    def signal_months(idx, x, h):
        if (idx, x, h) not in signals:
            sel = grid[(grid["index"] == idx) & (grid["fall"] <= -x)
                       & (grid["months_since_peak"] <= h)].copy()
            sel["first"] = ~sel["peak_date"].duplicated()
            signals[idx, x, h] = sel
        return signals[idx, x, h]

    def describe(state):
        idx, x, h, hz, mode = (state["idx"], state["fallx"], state["within"],
                               state["horizon"], state["mode"])
        name = _monthly_name(idx)
        each = _("first month per episode") if mode == "first" else _("all signal months")
        title = _("{name}: {x}+ below a high of the last {h} months; {hz}-month returns, "
                  "{each}").format(name=name, x=_x_text(x), h=h, hz=hz, each=each)
        sel = signal_months(idx, x, h)
        if mode == "first":
            sel = sel[sel["first"]]
        ret = sel[f"ret{hz}"]
        sel = sel[ret.notna()]
        ret = ret.dropna()
        if sel.empty:
            return Said(title, _("{name}: no month stood {x} or more below a high set 1 to {h} "
                                 "months earlier with {hz} months of data after it.").format(
                name=name, x=_x_text(x), h=h, hz=hz))
        bear = sel["outcome"] == "bear"
        first_bear = int((bear & sel["first"]).sum())
        return Said(title, _(
            "{name}: the chart shows {months} ({episodes}) that stood {x} or more below a high "
            "set 1 to {h} months earlier and have {hz} months of data after them; their median "
            "{hz}-month return was {median} and {rose} rose. In {bear} of these episodes the "
            "index went on to fall 20% below the high before regaining it.").format(
            name=name, months=_plural(len(sel), 'month'),
            episodes=_plural(sel['peak_date'].nunique(), 'episode'), x=_x_text(x), h=h, hz=hz,
            median=_as_drawn(ret.median(), 1, '+'), rose=_as_drawn((ret > 0).mean(), 0),
            bear=first_bear))
    return describe


def analog_chart():
    grid = analogs.grid(x_min=min(X_OPTIONS), h_max=max(H_OPTIONS))
    return publish(
        outlook.analogs(grid, indices={k: _(v) for k, v in analogs.MONTHLY.items()},
                        xs=X_OPTIONS, hs=H_OPTIONS, value=DEFAULT),
        grid, "ch5-analogs",
        Caption(["SP500_shiller", "NDX_month_end"],
                as_of=max(analogs.monthly(s).index[-1] for s in analogs.MONTHLY),
                note=_analog_note() + _(" Each dot is one signal month; dots of one episode "
                                        "overlap in time and are not independent.")),
        describe=_analog_words(grid),
        about=_("Dot plot: the forward returns of the months an index stood a chosen fall "
                "below a recent high, coloured by what the index did next"))


def analog_table(h: int = 6, first_only: bool = False) -> pd.DataFrame:
    """Signals for every X on offer and one H, both indices: counts and forward returns."""
    h = args.integer(h, "h", 1, 240)
    first_only = args.flag(first_only, "first_only")
    rows = []
    for sym in analogs.MONTHLY:
        t = analogs.drawdown_table(analogs.monthly(sym))
        for _i, r in analogs.summary_table(t, X_OPTIONS, h, first_only).iterrows():
            rows.append({
                _("Index"): _monthly_name(sym),
                _("Fall of at least"): f"{r.x:.1%}".replace(".0%", "%"),
                _("Signal months"): int(r.months), _("Episodes"): int(r.episodes),
                **{_("Median next {k} m").format(k=k): _pct(r[f"median{k}"])
                   for k in analogs.HORIZONS},
                _("Rose over 12 m"): _pct(r["positive12"], ".0%"),
                _("Episodes that became bear markets"):
                    _("{k} of {n}").format(k=int(r.bear_episodes), n=int(r.episodes))})
    out = pd.DataFrame(rows)
    out.index = [""] * len(out)
    out.columns.name = _("High set 1 to {h} months earlier").format(h=h)
    return out


def monthly_view_of_nov_2025():
    """Where November 2025 sits in the two monthly series, and the episode that followed."""
    from . import metrics

    daily = metrics.drawdown_on(rdata.series("NDX"), "2025-11-20", since="2025-10-01")
    parts = [_("In daily closes, the Nasdaq-100 ended {date} {below} its late-October record "
               "close.").format(date=date_label("2025-11-20"), below=_below(daily))]
    for sym in analogs.MONTHLY:
        t = analogs.drawdown_table(analogs.monthly(sym))
        nov = t.loc["2025-11"].iloc[0]
        name = _monthly_name(sym)
        kind = _("average") if sym == "SP500_shiller" else _("month-end close")
        if nov["fall"] == 0:
            parts.append(_("The {name}'s November 2025 {kind} was itself a record, so November "
                           "2025 is no signal month for any X.").format(name=name, kind=kind))
        else:
            parts.append(_("The {name}'s November 2025 {kind} stood {fall} below its high of "
                           "{peak}, less than the smallest X on offer ({x}).").format(
                name=name, kind=kind, fall=_pct(-nov['fall'], '.1%'),
                peak=_month_long(nov['peak_date']), x=f"{min(X_OPTIONS):.0%}"))
        later = t.loc["2025-12":]
        deep = later[later["fall"] < 0]
        if len(deep):
            w = deep["fall"].idxmin()
            row = t.loc[w]
            nxt = (_("; three months later the index stood {pct} from that level").format(
                pct=_pct(row['ret3'])) if pd.notna(row["ret3"]) else "")
            parts.append(_("Since then, its deepest month below a prior high was {month}, {fall} "
                           "below the high of {peak} ({n} months earlier){next}.").format(
                month=_month_long(w), fall=_pct(-row['fall'], '.1%'),
                peak=_month_long(row['peak_date']), n=row['months_since_peak'], next=nxt))
    _md(_(" ").join(parts))


def _month_long(d) -> str:
    """November 2025 / 2025年11月."""
    return month_label(d) if is_zh() else f"{pd.Timestamp(d):%B %Y}"


def explore_analogs():
    """Kernel controls: any X and H, either index, any horizon."""
    index = ipw.Dropdown(options=[(_(v), k) for k, v in analogs.MONTHLY.items()],
                         value=DEFAULT[0], description=_("Index"))
    x = ipw.BoundedFloatText(value=7.5, min=0.1, max=99, step=0.5, description=_("Fall X (%)"))
    h = ipw.BoundedIntText(value=6, min=1, max=240, description=_("Within H (m)"))
    hz = ipw.Dropdown(options=[(_("{n} months").format(n=k), k) for k in analogs.HORIZONS],
                      value=6, description=_("Horizon"))
    first = ipw.Checkbox(value=False, description=_("First month of each episode only"))

    def render():
        if x.value is None or not 0 < x.value < 100:
            return _("X must be a percentage between 0 and 100.")
        t = analogs.drawdown_table(analogs.monthly(index.value))
        sel = analogs.signals(t, x.value / 100, h.value).rename_axis("date").reset_index()
        if first.value:
            sel = sel[sel["first"]]
        sel["ret"], sel["hz"] = sel[f"ret{hz.value}"], hz.value
        for col in ("date", "peak_date"):
            sel[col] = sel[col].dt.strftime("%Y-%m-%d")
        if sel["ret"].notna().sum() == 0:
            return _("No month was {x}% or more below a high set within {h} months with {hz} "
                     "months of data after it.").format(x=f"{x.value:g}", h=h.value, hz=hz.value)
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
    if is_zh():
        return (f"{date_label(a)}至{date_short(b)}" if a.year == b.year else
                f"{date_label(a)}至{date_label(b)}")
    return (f"{a.day} {a:%b} to {date_label(b)}" if a.year == b.year else
            f"{date_label(a)} to {date_label(b)}")


def _first_run(vol: pd.Series, threshold: float, event=EVENT) -> dict:
    """What the words read of volatility.regime(vol, threshold): the first run above the
    threshold on and after the event (start, end, length) and the last date, by NumPy (the
    regime's run table costs some 20 ms; the words ask for it in every state)."""
    after = vol.dropna().loc[pd.Timestamp(event):]
    if after.empty:
        raise ValueError("no observations after the event")
    above = after.to_numpy() > threshold
    out = {"last_date": after.index[-1]}
    if not above.any():
        return {**out, "first_start": pd.NaT, "first_end": pd.NaT, "first_length": 0}
    i = int(above.argmax())
    below = np.flatnonzero(~above[i:])
    j = i + (int(below[0]) if len(below) else len(above) - i)
    return {**out, "first_start": after.index[i], "first_end": after.index[j - 1],
            "first_length": j - i}


def _vol_words(symbols, windows=volatility.WINDOWS):
    """Title and takeaway of the volatility chart for each (window, scale, threshold, series)
    state: the series the chart shows and how long each stayed above its dashed threshold."""
    sets = _vol_sets(symbols)
    runs, vols = {}, {}
    # The states share these: each series' volatility per window, its name and day count.
    names = {s: label_of(s) for s in symbols}
    shorts = {s: short_of(s) for s in symbols}
    in_days = {s: s != "VIX" and volatility.periods_per_year(s) == 365 for s in symbols}

    def run(s, w, m):
        if (s, w, m) not in runs:
            if (s, w) not in vols:
                v = _vol(s, w)
                vols[s, w] = v, volatility.baseline(v)
            v, base = vols[s, w]
            runs[s, w, m] = _first_run(v, m * base)
        return runs[s, w, m]

    def describe(state):
        w, scale, m, show = state["win"], state["vscale"], state["mult"], state["vshow"]
        shown = sets[show]
        who = (_("all series") if show == "all" else
               p_("list", " and ").join(shorts[s] for s in shown))
        title = (_("{w}-observation volatility, annualized (dashed: {m} × own 2025 median): "
                   "{who}") if scale == "level" else
                 _("{w}-observation volatility ÷ own 2025 median (dashed: {m} ×): {who}")
                 ).format(w=w, m=f"{m:g}", who=who)
        parts = []
        for s in shown:
            r = run(s, w, m)
            days = in_days[s]
            if r["first_length"] == 0:
                parts.append(_("{name} not above it by {date}").format(name=names[s],
                                                                       date=_d(r['last_date'])))
            else:
                n = r["first_length"]
                msg = ((_("{name} 1 day ({span})") if days else _("{name} 1 session ({span})"))
                       if n == 1 else
                       (_("{name} {n} days ({span})") if days else _("{name} {n} sessions ({span})")))
                parts.append(msg.format(name=names[s], n=n,
                                        span=_span(r['first_start'], r['first_end'])))
        vix = _(" (VIX: its level)") if "VIX" in shown else ""
        return Said(title, _(
            "From {date}, the first stretch of {w}-observation volatility{vix} above {m} × its "
            "own 2025 pre-fall median lasted: {parts}.").format(
            date=date_label(EVENT), w=w, vix=vix, m=f"{m:g}", parts=_("; ").join(parts)))
    return describe


def volatility_chart(symbols=VOL):
    symbols = _symbols(symbols)
    frame, meds = volatility_frame(symbols)
    return publish(
        outlook.volatility(frame, medians=meds, windows=volatility.WINDOWS, event=EVENT),
        frame, "ch5-volatility",
        Caption(symbols, as_of=max(last_complete(s) for s in symbols),
                note=_("Realized volatility: rolling standard deviation of daily log returns "
                       "over the window, annualized with √252 (exchange series) or √365 "
                       "(Bitcoin, which trades every calendar day); the window counts each "
                       "series' own observations. VIX: its level / 100 (it is already an "
                       "annualized, implied volatility). The 2025 median runs from the first "
                       "full window of 2025 to 20 Nov 2025 and includes the April 2025 tariff "
                       "shock. The VIX file holds 13 Cboe values on US exchange holidays, "
                       "kept.") + _(" ") + _partial_note()),
        describe=_vol_words(symbols),
        about=_("Line chart: realized volatility of each series around 21 Nov 2025, with "
                "dashed thresholds at a multiple of its own 2025 median"))


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
        run_ = _("{n} obs., {start} to {end}")
        rows.append({
            _("Series"): label_of(s),
            _("2025 median (before 21 Nov)"): _pct(base_, ".1%"),
            _("On 21 Nov 2025"): _pct(r["on_event"], ".1%"),
            _("Mean, 63 obs. before"): _pct(before, ".1%"),
            _("Mean, 63 obs. from 21 Nov"): _pct(after_, ".1%"),
            _("Share above threshold, 2025 before"): _pct(r["share_before"], ".0%"),
            _("Share above threshold, after"): _pct(r["share_after"], ".0%"),
            _("First high run after 21 Nov"): run_.format(
                n=r['first_length'], start=_d(r['first_start']), end=_d(r['first_end'])),
            _("Longest high run after"): run_.format(
                n=r['longest_length'], start=_d(r['longest_start']), end=_d(r['longest_end'])),
            _("Last observation"): _d(r["last_date"])})
    out = pd.DataFrame(rows).set_index(_("Series"))
    out.columns.name = _("{w}-observation window; threshold {m} × 2025 median").format(
        w=window, m=f"{multiple:g}")
    return out.T


_VOL_PARTS: dict[tuple, tuple] = {}


def _vol_part(symbol: str, window: int) -> tuple[pd.Series, float, pd.Index]:
    """(volatility without gaps, its 2025 median, its dates as text) for the explorer's
    redraw, made once per series, window and cached file (the checksum the manifest lists):
    a control that leaves them alone (threshold, scale, a series added) reuses them."""
    key = (symbol, int(window), rdata.info(symbol)["sha256"], is_zh())
    if key not in _VOL_PARTS:
        v = _vol(symbol, window).dropna()
        med = volatility.baseline(v) if not v.empty else float("nan")
        if len(_VOL_PARTS) > 64:
            _VOL_PARTS.clear()
        _VOL_PARTS[key] = (v, med, v.index.strftime("%Y-%m-%d"))
    return _VOL_PARTS[key]


def _vol_frame_pandas(parts, scale: str, mult: float) -> pd.DataFrame:
    """The explorer's frame, one DataFrame per series concatenated (the reference for
    _vol_frame)."""
    frames = []
    for s, v, med, dates in parts:
        y = v if scale == "level" else v / med
        thr = med * mult if scale == "level" else mult
        frames.append(pd.DataFrame({"date": dates, "symbol": s,
                                    "vol": v.to_numpy(), "y": y.to_numpy(), "thr": thr,
                                    "ratio": (v / med).to_numpy()}))
    return pd.concat(frames, ignore_index=True)


def _vol_frame(parts, scale: str, mult: float) -> pd.DataFrame:
    """_vol_frame_pandas's frame made once from the series' arrays joined end to end.
    ``parts``: (symbol, volatility, 2025 median, dates as text) per series, as _vol_part."""
    import numpy as np

    if not parts or any(type(d) is not pd.Index or d.dtype != parts[0][3].dtype
                        for *_, d in parts):
        return _vol_frame_pandas(parts, scale, mult)
    vol = [v.to_numpy() for _s, v, _m, _d in parts]
    ratio = [x / med for x, (_s, _v, med, _d) in zip(vol, parts)]
    thr = [med * mult if scale == "level" else mult for _s, _v, med, _d in parts]
    sizes = [len(x) for x in vol]
    return pd.DataFrame({
        "date": pd.Index(np.concatenate([d.to_numpy() for *_, d in parts]),
                         dtype=parts[0][3].dtype),
        "symbol": pd.Series(np.repeat(np.array([s for s, *_ in parts], dtype=object), sizes),
                            dtype=pd.Series([s for s, *_ in parts]).dtype),
        "vol": np.concatenate(vol),
        "y": np.concatenate(vol if scale == "level" else ratio),
        "thr": np.repeat(np.asarray(thr, dtype=np.float64), sizes),
        "ratio": np.concatenate(ratio)})


_VOL_TEXTS: dict[tuple, tuple] = {}


def _vol_frame_texts(parts, scale: str, mult: float) -> dict[str, list[str]]:
    """The JSON text of each value of _vol_frame(parts, scale, mult), column by column (what
    the chart's data set is written as): each series' dates, volatility and ratio written
    once per series, window and cached file (as _vol_part), the threshold once a redraw."""
    out = {c: [] for c in ("date", "symbol", "vol", "y", "thr", "ratio")}
    for s, v, med, dates in parts:
        key = (s, id(v))   # the entry keeps v, so no other series takes its id meanwhile
        if key not in _VOL_TEXTS:
            if len(_VOL_TEXTS) > 64:
                _VOL_TEXTS.clear()
            x = v.to_numpy()
            _VOL_TEXTS[key] = (v, widgets.text_texts(dates.tolist()), widgets.float_texts(x),
                               widgets.float_texts(x / med))
        _v, date_t, vol_t, ratio_t = _VOL_TEXTS[key]
        n = len(date_t)
        thr = widgets.float_texts([med * mult if scale == "level" else mult])
        out["date"] += date_t
        out["symbol"] += widgets.text_texts([s]) * n
        out["vol"] += vol_t
        out["y"] += vol_t if scale == "level" else ratio_t
        out["thr"] += thr * n
        out["ratio"] += ratio_t
    return out


def explore_volatility(symbols: Sequence[str] = ("NDX", "GSPC", "BTC-USD", "ETH-USD", "GC=F",
                                                 "HSI", "NVDA", "VIX"), shown=VOL):
    symbols = _symbols(symbols)
    shown = args.subset(shown, "shown", symbols, "symbols")
    window = ipw.BoundedIntText(value=21, min=2, max=250, description=_("Window (obs.)"))
    mult = ipw.BoundedFloatText(value=1.0, min=0.1, max=10, step=0.05,
                                description=_("Threshold ×"))
    scale = ipw.Dropdown(options=[(_("annualized level"), "level"),
                                  (_("multiple of own 2025 median"), "ratio")],
                         description=_("Scale"))
    assets = widgets.assets(symbols, shown)

    def render():
        if not assets.value:
            return _("Pick at least one series.")
        if window.value is None or window.value < 2:
            return _("The window must be at least 2 observations.")
        parts = []
        for s in assets.value:
            part = _vol_part(s, window.value)
            if part[0].empty:
                return _("{name} has too few observations for a {w}-day window.").format(
                    name=label_of(s), w=window.value)
            parts.append((s, *part))
        frame = _vol_frame(parts, scale.value, mult.value)
        widgets.given_texts(frame, _vol_frame_texts(parts, scale.value, mult.value))
        with debug_mode(False):
            return outlook.volatility(frame, static=False, event=EVENT, scale=scale.value)

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
AFTER_TITLES = {"change": N_("Change since the 21 Nov 2025 close"),
                "drawdown": N_("Below the highest close since 21 Nov 2025"),
                "prior": N_("Against the highest close before 21 Nov 2025")}


def _after_words(frame: pd.DataFrame, highs: Mapping[str, float], groups=None):
    """Title and takeaway of the after-21-Nov chart for each (assets, measure) state, from
    the frame the chart draws and its measures (riskoff.charts.outlook.after)."""
    groups = _groups() if groups is None else groups
    paths = {s: g.sort_values("date")[["date", "close"]].reset_index(drop=True)
             for s, g in frame.groupby("symbol")}

    def named(pairs, fmt="+.1%"):
        return _(", ").join(_("{name} {value}").format(name=label_of(s), value=_pct(v, fmt))
                            for s, v in pairs)

    def describe(state):
        group, measure = state["group"], state["measure"]
        syms = [s for s in groups[group] if s in paths]
        # Wrapped narrower than words.TITLE_WIDTH: these words are wide in bold (at 44
        # characters a line ran past a 390 px phone's chart).
        title = _("{measure}: {group}").format(measure=_(AFTER_TITLES[measure]), group=group)
        title = "\n".join(wrap(title, 40) if is_zh() else textwrap.wrap(title, 40))
        n = len(syms)
        if measure == "change":
            last = {s: paths[s]["close"].iloc[-1] / paths[s]["close"].iloc[0] - 1 for s in syms}
            up = [s for s in syms if last[s] > 0]
            order = sorted(syms, key=lambda s: last[s], reverse=True)
            best, worst = order[0], order[-1]
            how_many = (_("all {n}").format(n=n) if len(up) == n and n > 1 else
                        _("{k} of {n}").format(k=len(up), n=n))
            msg = (_("At each series' last complete date, {count} stood above its {date} close: "
                     "highest {best} at {best_pct}, lowest {worst} at {worst_pct}.") if n > 1 else
                   _("At each series' last complete date, {count} stood above its {date} close: "
                     "highest {best} at {best_pct}."))
            return Said(title, msg.format(count=how_many, date=date_label(EVENT),
                                          best=label_of(best), best_pct=_pct(last[best]),
                                          worst=label_of(worst), worst_pct=_pct(last[worst])))
        if measure == "drawdown":
            deep = {}
            for s in syms:
                c = paths[s]
                dd = c["close"] / c["close"].cummax() - 1
                deep[s] = (float(dd.min()), c.loc[dd.idxmin(), "date"])
            order = sorted(syms, key=lambda s: deep[s][0])
            worst = order[0]
            rest = named((s, deep[s][0]) for s in order[1:])
            msg = (_("The deepest fall below the highest close since {date} was {name}'s {pct} "
                     "({when}); then {rest}.") if rest else
                   _("The deepest fall below the highest close since {date} was {name}'s {pct} "
                     "({when})."))
            return Said(title, msg.format(date=date_label(EVENT), name=label_of(worst),
                                          pct=_pct(deep[worst][0]), when=_d(deep[worst][1]),
                                          rest=rest))
        back = [s for s in syms if (paths[s]["close"].iloc[1:] > highs[s]).any()]
        never = [s for s in syms if s not in back]
        head = _("Of these {n} price series, {k} closed above their highest cached close "
                 "before {date} (0% on this scale) by their last date").format(
            n=n, k=len(back), date=date_label(EVENT))
        tail = (_("; {names} did not.").format(names=_(", ").join(label_of(s) for s in never))
                if never and back else _(": none did.") if never else _(": all did."))
        return Said(title, head + tail)
    return describe


def after_chart(symbols=PRICES):
    symbols = _symbols(symbols, allowed=PRICES)
    frame = after_frame(symbols)
    stats = _after_stats(symbols)
    highs = {s: st["prior_high"] for s, st in stats.items()}
    return publish(
        outlook.after(frame, groups=_groups(), prior_highs=highs), frame, "ch5-after",
        Caption(symbols, as_of=max(last_complete(s) for s in symbols),
                note=_("Each series from its 21 Nov 2025 close (Bitcoin and Ether: the UTC day) "
                       "to its own last complete row; series end on different dates. The "
                       "'prior high' is the highest close in the cache before 21 Nov, which "
                       "starts on 31 Dec 2024 for most series but later for SoftBank (26 Jun "
                       "2025), SK Hynix (2 Jan 2025) and the Nikkei, KOSPI and semiconductor "
                       "index (8 Sep 2025). HYG is dividend-adjusted (its highs include paid "
                       "dividends); SoftBank is split-adjusted; gold is the front-month "
                       "future.") + _(" ") + _partial_note()),
        describe=_after_words(frame, highs),
        about=_("Line chart: each asset of a chosen group after 21 Nov 2025, by the measure "
                "chosen"))


def after_table(symbols=PRICES, ref=EVENT) -> pd.DataFrame:
    symbols = _symbols(symbols, allowed=PRICES)
    ref = _ref(ref, symbols)
    ts = pd.Timestamp(ref)
    on = date_short(ts) if ts.year == 2025 else date_label(ts)
    rows = []
    for s, st in _after_stats(symbols, ref).items():
        cal_days = volatility.periods_per_year(s) == 365
        n = st["sessions_to_recover"]
        if pd.isna(st["recovered"]):
            rec = _("not by the last date")
        else:
            rec = ((_("{n} calendar day ({date})") if cal_days else _("{n} session ({date})"))
                   if n == 1 else
                   (_("{n} calendar days ({date})") if cal_days else _("{n} sessions ({date})"))
                   ).format(n=n, date=_d(st['recovered']))
        rows.append({
            _("Asset"): label_of(s),
            _("Regained the {on} close after").format(on=on): rec,
            _("Lowest close after (vs {on})").format(on=on):
                _("{pct} ({date})").format(pct=_pct(st['low']), date=_d(st['low_date'])),
            _("Deepest fall from a running high after"): _pct(st["max_drawdown"]),
            _("First close above the prior cached high"): (
                _d(st["new_high"]) if pd.notna(st["new_high"]) else _("none by the last date")),
            _("Last date vs {on} close").format(on=on): _pct(st["last_change"]),
            _("Last complete date"): _d(st["last_date"]),
            _("Basis"): _(rdata.info(s)["basis"])})
    return pd.DataFrame(rows).set_index(_("Asset"))


def explore_after(symbols: Sequence[str] = PRICES, shown=("NDX", "BTC-USD", "GC=F", "NVDA"),
                  ref: str = EVENT):
    symbols = _symbols(symbols, allowed=PRICES)
    shown = args.subset(shown, "shown", symbols, "symbols")
    ref = args.date(ref, "ref", symbols)
    base = widgets.date(ref, _("Reference"))
    measure = ipw.Dropdown(options=[(_(v), k) for k, v in outlook.MEASURE_TITLES.items()],
                           description=_("Measure"))
    assets = widgets.assets(symbols, shown)

    def render():
        if not assets.value:
            return _("Pick at least one asset.")
        if base.value is None:
            return _("Pick a reference date.")
        parts = []
        for s in assets.value:
            c = close(s)
            upto = c.loc[:pd.Timestamp(base.value)]
            if upto.empty:
                return (widgets.before_start(base.value, [s], "reference date") or
                        _("{name} has no close on or before {date}.").format(
                            name=label_of(s), date=_note_date(base.value)))
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
            return _("No data after {date} for these assets.").format(
                date=_note_date(base.value))
        return outlook.after(frame, static=False)

    return widgets.explorer([base, measure, assets], render)


def _note_date(d) -> str:
    from .i18n import date_note

    return date_note(d)


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
    if is_zh():   # the words the chart shows; the labels above stay English keys
        for r in rows:
            r["text"] = (_("{year} peak").format(year=r["label"][:4]) if r["label"].endswith(
                " peak") else month_label(r["date"]))
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
        fit = _(FITS[key][2])
        return Said(
            _("S&P 500 against its log-linear trend fitted over {fit}").format(fit=fit),
            _("With the trend fitted over {fit}, November 2025 stood {nov} the trend: {share} "
              "of the 2000 peak's distance ({top}, {when}) on the log scale. The answer depends "
              "on the fit window.").format(
                fit=fit, nov=_above(nov), share=f"{_share_of_2000(marks, key):.0%}",
                top=_above(top), when=month_label(m.loc['2000 peak', 'date'])))
    return describe


def _above(x) -> str:
    return (_("{pct} above") if x >= 0 else _("{pct} below")).format(pct=f"{abs(x):.0%}")


def trend_chart():
    fits = trend_fits()
    frame = pd.DataFrame({f"g_{k}": f["gap"].where(f["gap"].index >= f["start"])
                          for k, f in fits.items()}).rename_axis("date").reset_index()
    frame["date"] = frame["date"].dt.strftime("%Y-%m-%d")
    marks = trend_marks(fits)
    return publish(
        outlook.trend_gap(frame, marks, fits={k: _(v[2]) for k, v in FITS.items()}),
        frame, "ch5-trend",
        Caption(["SP500_shiller"], as_of=analogs.monthly("SP500_shiller").index[-1],
                note=_("Trend: least-squares line through the logarithm of the monthly S&P "
                       "level (nominal, no dividends, not adjusted for inflation) against time, "
                       "over the window you pick; the line starts where its window starts. "
                       "Labelled dots: the highest month of 1928-30, 1999-2001 and 2021-22, "
                       "November 2025 and the last month (June 2026, dated the 1st like every "
                       "month of this series; it may be a partial-month average). A crude gauge "
                       "of price only, not Ray Dalio's indicator.")),
        describe=_trend_words(marks),
        about=_("Line chart: the monthly S&P 500 as a distance above or below a log-linear "
                "trend, with past peaks marked"))


def trend_table() -> pd.DataFrame:
    fits = trend_fits()
    marks = trend_marks(fits)
    marks["row"] = marks["label"].where(marks["label"].str.contains("peak|Nov 2025"),
                                        "Last month")
    cols = {}
    for k, f in fits.items():
        m = marks[marks.fit == k].set_index("row")
        col = {_("Trend growth per year"): _pct(f["growth"], ".2%")}
        for row in ["1929 peak", "2000 peak", "2021 peak", "Nov 2025", "Last month"]:
            shown = (_("{year} peak").format(year=row[:4]) if row.endswith(" peak") else
                     month_label("2025-11-01") if row == "Nov 2025" else _(row)) \
                if is_zh() else row
            if row in m.index:
                when = pd.Timestamp(m.loc[row, "date"])
                col[shown] = _("{pct} ({date})").format(pct=_pct(m.loc[row, 'gap'], '+.0%'),
                                                        date=month_label(when))
            else:
                col[shown] = _("before the fit window")
        col[_("Nov 2025 as a share of the 2000 peak (log distance)")] = _pct(
            _share_of_2000(marks, k), ".0%")
        cols[_(FITS[k][2])] = col
    out = pd.DataFrame(cols)
    out.columns.name = _("Trend fitted over")
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
    S, D, V, C, L = (_("Statement (our paraphrase)"), _("What the data show"), _("Verdict"),
                     _("What it cannot settle"), _("Last data point"))
    nov21 = date_short(EVENT)
    return [
        {S: _("The fall was a structural stampede after a crowded expectation broke, not the "
              "start of a bear market."),
         D: _("After {date} the Nasdaq-100's lowest close was {ndx} its 2025 high close (S&P "
              "500: {spx}); both later closed at new highs ({ndx_high} and {spx_high}). "
              "Bitcoin's lowest close was {btc} its 2025 high, Ether's {eth}.").format(
             date=nov21, ndx=_below(fall['NDX']), spx=_below(fall['GSPC']),
             ndx_high=_d(ndx['new_high']), spx_high=_d(spx['new_high']),
             btc=_below(fall['BTC-USD']), eth=_below(fall['ETH-USD'])),
         V: (_("Wrong for US stock indices") if us_bear else
             _("Holds for US stock indices (no 20% fall) so far"))
            + (_("; crypto did fall into a bear market.") if crypto_bear else _(".")),
         C: _("Whether a bear market starts later; 'structural stampede' is a reading of causes "
              "that prices alone cannot test."),
         L: _("{ndx} (Nasdaq-100), {spx} (S&P 500), {btc} (crypto)").format(
             ndx=_d(ndx['last_date']), spx=_d(spx['last_date']), btc=_d(btc['last_date']))},
        {S: _("Markets are entering a high-volatility phase."),
         D: _("The Nasdaq-100's 21-session volatility stayed above its 2025 pre-fall median for "
              "{n} sessions after {date} (to {end}); in the three months to 20 Feb 2026 it was "
              "above on {ndx3}% of sessions and the VIX on {vix3}% (about half would be "
              "ordinary). Gold's volatility stayed above its median for {gold_n} sessions from "
              "{gold_start}; Bitcoin's for {btc_n} days from {btc_start}.").format(
             n=vols['NDX']['first_length'], date=nov21, end=_d(vols['NDX']['first_end']),
             ndx3=f"{ndx3:.0f}", vix3=f"{vix3:.0f}", gold_n=vols['GC=F']['longest_length'],
             gold_start=_d(vols['GC=F']['longest_start']),
             btc_n=vols['BTC-USD']['longest_length'],
             btc_start=_d(vols['BTC-USD']['longest_start'])),
         V: (_("Yes for US stocks") if stocks_high else _("Not for US stocks beyond a few weeks"))
            + _("; gold and Bitcoin had long high-volatility stretches in 2026."),
         C: _("'High' depends on the baseline: here each series' own 2025 median, which "
              "includes the April 2025 tariff shock."),
         L: _("{ndx} (Nasdaq-100), {vix} (VIX)").format(ndx=_d(vols['NDX']['last_date']),
                                                      vix=_d(vols['VIX']['last_date']))},
        {S: _("Crypto, the first to fall and the most leveraged, tends to rebound first."),
         D: _("Bitcoin regained its {date} close on {btc_rec}, a weekend when stock markets "
              "were shut; the Nasdaq-100 did so on {ndx_rec}, its next session. One month on, "
              "Bitcoin stood {btc1} from its {date} close against the Nasdaq-100's {ndx1}; "
              "three months on, {btc3} against {ndx3}. On {last} Bitcoin was {btc_last} from "
              "its {date} close, with no new high.").format(
             date=nov21, btc_rec=_d(btc['recovered']), ndx_rec=_d(ndx['recovered']),
             btc1=_pct(m1['BTC-USD']), ndx1=_pct(m1['NDX']), btc3=_pct(m3['BTC-USD']),
             ndx3=_pct(m3['NDX']), last=_d(btc['last_date']),
             btc_last=_pct(btc['last_change'])),
         V: (_("Borne out: crypto led the rebound.") if crypto_led else
             _("Not borne out: after the first weekend crypto lagged stocks.")),
         C: _("The article's 'tends to' is a general rule; one episode cannot refute a "
              "tendency."),
         L: _d(btc["last_date"])},
        {S: _("The AI investment cycle will not end at once."),
         D: _("AI bellwethers from their {date} close to their last date (lowest close in "
              "between): {each}.").format(date=nov21, each=_("; ").join(
                 _("{name} {last} ({low})").format(name=label_of(s),
                                                   last=_pct(st[s]['last_change']),
                                                   low=_pct(st[s]['low']))
                 for s in ai)),
         V: (_("Consistent with it for chip makers, which ended well above their 21 Nov "
               "closes") if chips_up else _("Chip makers did not all rise"))
            + _("; software and cloud names fell hard in between. Prices are only a proxy."),
         C: _("The cycle itself (capital spending, orders, earnings) is not in our data."),
         L: _("{us} (US stocks, SK Hynix), {sox} (semiconductor index)").format(
             us=_d(st['NVDA']['last_date']), sox=_d(st['SOX']['last_date']))},
        {S: _("There will be no rate cut in December."),
         D: _("Published figure, not our data: on {date} the FOMC decided '{decision}', to a "
              "target range of {low} to {high} percent (vote {vote}). Source: {url}").format(
             date=_d(fomc['date']), decision=_(fomc['decision']),
             low=f"{fomc['target_low_pct']:.2f}", high=f"{fomc['target_high_pct']:.2f}",
             vote=fomc['vote'].split(' (')[0], url=fomc['source_url']),
         V: _("Wrong: the Fed cut in December.") if cut else _("Right: no December cut."),
         C: "—",
         L: _d(fomc["date"])},
        {S: _("Ray Dalio: markets are about 80% of the way to a bubble peak and may still rise "
              "before it bursts."),
         D: _("The S&P 500's monthly average moved {rise} from November 2025 to {last} (the "
              "last month, possibly a partial-month average). The '80%' is read off Dalio's "
              "own indicator (published report, not our data: {url}), which we do not have; "
              "see the trend gauge above.").format(
             rise=_pct(sp_rise), last=_month_long(shiller.index[-1]), url=DALIO),
         V: (_("'May still rise': so far, yes") if sp_rise > 0 else
             _("'May still rise': not so far")) + _(". '80%': cannot be measured here."),
         C: _("Whether this is a bubble, and where its peak is."),
         L: _("{month} (monthly average)").format(month=_month_long(shiller.index[-1]))},
    ]


def scorecard():
    """The calls as an HTML table (wrapped text)."""
    from IPython.display import HTML, display

    df = pd.DataFrame(calls())
    display(HTML(df.to_html(index=False, escape=True, classes="claims-table", border=0)))
