"""Chapter 1, "Who fell most": the views the notebook shows, one call each.

Each view loads from the cache, computes with riskoff.metrics, draws with a builder of
riskoff.charts and publishes the chart with its caption, text alternative and CSV.
"""
from __future__ import annotations

from typing import Sequence

import ipywidgets as ipw
import pandas as pd

from . import args
from . import data as rdata
from . import metrics, widgets
from .charts import Caption, market, publish
from .charts.words import Pick, Said, Unlisted
from .charts.base import date_label, label_of
from .i18n import _, date_note, date_short, d3_date, vega_format

EVENT = ["NDX", "GSPC", "NVDA", "HSI", "000001.SS", "BTC-USD", "ETH-USD", "GC=F", "VIX"]
# Sessions the static control offers: the week of the sell-off and the days around it.
SESSIONS = ["2025-11-17", "2025-11-18", "2025-11-19", "2025-11-20", "2025-11-21",
            "2025-11-24", "2025-11-25"]
# Base dates offered on the static page: year start, tariff shock, autumn peaks, the event.
BASES = ["2024-12-31", "2025-04-08", "2025-10-06", "2025-10-29", "2025-11-19", "2025-11-21",
         "2025-12-31"]


def scoreboard_table(date="2025-11-20", symbols=EVENT) -> pd.DataFrame:
    """The scoreboard of one session as a readable table (percentages, 2 decimals)."""
    from .findings import pct

    symbols = args.symbols(symbols, "symbols")
    date = args.session(date, "date", args.sessions_of(symbols), _("these markets"))
    grid = metrics.scoreboard(symbols, [date])
    table = grid.pivot(index="symbol", columns="measure_label", values="value")
    table = table.reindex(index=symbols, columns=[_(m[0]) for m in metrics.MEASURES.values()])
    table.index = [label_of(s) for s in symbols]
    table.index.name = _("Session of {date}").format(date=date_label(date))
    traded = table[_(metrics.MEASURES["day"][0])].notna()
    out = table.map(lambda v: "" if pd.isna(v) else pct(v))
    for name in table.index:
        for col in table.columns:
            if pd.isna(table.loc[name, col]):
                # Name what is missing: a market that traded lacks only the measure's input.
                out.loc[name, col] = (_("no intraday high published") if traded[name]
                                      and col == _(metrics.MEASURES["high_close"][0])
                                      else _("not measured") if traded[name]
                                      else _("no session"))
    # One header row: the session names the asset column, no pandas index/column labels.
    out.index.name = None
    out.columns.name = _("Session of {date}").format(date=date_label(date))
    return out


def _who_fell_words(grid: pd.DataFrame):
    """Title and takeaway of the who-fell chart for each (session, measure) it can show."""
    from .findings import pct

    labels = dict(zip(grid["measure"], grid["measure_label"]))

    def describe(state):
        date, measure = state["session"], state["measure"]
        at_close = measure in ("drawdown", "ytd")
        day, what = date_label(date), labels[measure]
        rows = grid[(grid.date == date) & (grid.measure == measure)].dropna(subset=["value"])
        title = (_("{measure} at the close of {date}, each asset") if at_close
                 else _("{measure} on {date}, each asset")).format(measure=what, date=day)
        if rows.empty:
            return Said(title, (_("No asset has a value for this measure at the close of {date}.")
                                if at_close else _("No asset has a value for this measure on "
                                                   "{date}.")).format(date=day))
        worst = rows.loc[rows["value"].idxmin()]
        best = rows.loc[rows["value"].idxmax()]
        if worst.value >= 0:
            lead = _("every asset rose; the smallest rise was {asset}'s {pct}")
        else:
            lead = _("the largest fall was {asset}'s {pct}")
        lead = lead.format(asset=label_of(worst.symbol), pct=pct(worst.value))
        tail = (_("; the largest rise {asset}'s {pct}.").format(asset=label_of(best.symbol),
                                                                pct=pct(best.value))
                if best.value > 0 else _("; no asset rose."))
        head = (_("{measure} at the close of {date}") if at_close
                else _("{measure} on {date}")).format(measure=what, date=day)
        return Said(title, _("{head}: {lead}{tail}").format(head=head, lead=lead, tail=tail))
    return describe


def who_fell(symbols=EVENT, sessions=SESSIONS):
    symbols = args.symbols(symbols, "symbols")
    traded = args.sessions_of(symbols)
    sessions = [args.session(d, f"sessions[{i}]", traded, _("these markets"))
                for i, d in enumerate(args.sequence(sessions, "sessions"))]
    grid = metrics.scoreboard(symbols, sessions)
    return publish(
        market.who_fell(grid), grid, "who-fell-most",
        Caption(symbols, as_of=sessions[-1],
                note=_("Sessions are each market's own trading days: Asian markets trade ahead "
                       "of New York, crypto on UTC calendar days. The Hang Seng's source "
                       "publishes no intraday high, so it has no high-to-close bar.")),
        describe=_who_fell_words(grid),
        about=_("Bar chart: each asset's move on one session, by the measure chosen"))


def _complete_closes(symbols, start=None) -> pd.DataFrame:
    """Closes without the declared partial last days (riskoff.catalog: partial_last)."""
    from .catalog import partial_last

    wide = rdata.closes(symbols, start=start).copy()
    for sym in wide.columns:
        day = partial_last(sym)
        if day and pd.Timestamp(day) in wide.index:
            wide.loc[pd.Timestamp(day), sym] = float("nan")  # left out, not filled
    return wide.dropna(how="all")


def _closes(symbols, start) -> pd.DataFrame:
    return metrics.tidy(_complete_closes(symbols, start=start), "close")


def _toggles(symbols, prefix):
    # The names market.rebased/drawdowns give the per-series checkboxes (base.symbol_toggles).
    return {sym: f"{prefix}{i}" for i, sym in enumerate(symbols)}


def _last_value(wide: pd.DataFrame) -> pd.Series:
    return wide.apply(lambda s: s.dropna().iloc[-1] if s.notna().any() else float("nan"))


def rebased(symbols=EVENT, bases=BASES, shown=("NDX", "NVDA", "BTC-USD", "GC=F")):
    symbols, bases, shown = _paths_args(symbols, bases, shown, "bases")
    frame = _closes(symbols, bases[0])
    wide = _complete_closes(symbols)

    def describe(state):
        # Each series' own last close: the markets' caches end on different dates.
        reb = _last_value(metrics.rebase(wide, state["base"])).dropna()
        ranked = [(s, _("{asset} stands highest at {value}").format(asset=label_of(s),
                                                                    value=f"{reb[s]:.0f}"))
                  for s in reb.sort_values(ascending=False).index]
        lowest = [(s, _("{asset} lowest at {value}").format(asset=label_of(s),
                                                           value=f"{reb[s]:.0f}"))
                  for s in reb.sort_values().index]
        day = date_label(state['base'])
        return Said(_("Rebased to 100 on {date}").format(date=day),
                    [_("Rebased to 100 on {date}, at each series' last cached close: ").format(
                        date=day), Pick(ranked, _("no series is ticked")), _(" and "),
                     Pick(lowest, _("none")), _(".")])
    return publish(market.rebased(frame, base_options=bases, shown=shown), frame,
                   "rebased", Caption(symbols), describe=describe,
                   toggles=_toggles(symbols, "show"), noun="assets",
                   about=_("Line chart: each ticked asset's closes rebased to 100 on a base date"),
                   unlisted=_picked_base_words())


def _picked_base_words() -> Unlisted:
    """Words for a base date the reader picked on the chart (not one of the menu's): what is
    drawn, and that the ranking the menu's dates get was not computed for it."""
    day = f"utcFormat(toDate(base), '{d3_date()}')"
    return Unlisted(
        title=vega_format(_("Rebased to 100 on {date}"), date=day),
        takeaway=vega_format(_(
            "Rebased to 100 on {date}, a date picked on the chart: each line is its series' "
            "close over its first close on or after that date, times 100. Which series stands "
            "highest is computed for the menu's dates only; the table lists this view's "
            "values."), date=day))


def _paths_args(symbols, dates, shown, dates_name):
    symbols = args.symbols(symbols, "symbols")
    # The text measures to 21 Nov 2025: the first date must come before it.
    dates = args.dates(dates, dates_name, symbols)
    if dates[0] > "2025-11-21":
        args.fail(f"{dates_name}[0]", dates[0], _("must be on or before 2025-11-21 (the view "
                                                  "measures from it to the sell-off)"))
    return symbols, dates, args.subset(shown, "shown", symbols, "symbols")


def drawdowns(symbols=EVENT, starts=BASES, shown=("NDX", "NVDA", "BTC-USD", "GC=F")):
    symbols, starts, shown = _paths_args(symbols, starts, shown, "starts")
    frame = _closes(symbols, starts[0])
    wide = _complete_closes(symbols)
    # A falling volatility index is calm returning, not a market falling: not ranked here.
    markets = [s for s in symbols if rdata.info(s)["asset_class"] != "volatility index"]

    def describe(state):
        start = state["start"]
        dd = metrics.drawdown(wide[markets], start)
        if start < "2025-11-21":
            span = _("from {start} to {end}").format(start=date_label(start),
                                                     end=date_label("2025-11-21"))
            dd = dd.loc[:"2025-11-21"]
        else:
            span = _("from {start} to each series' last cached close").format(
                start=date_label(start))
        deepest = dd.min().dropna().sort_values()
        ranked = [(s, _("{asset}'s {pct}").format(asset=label_of(s), pct=f"{deepest[s]:.1%}"))
                  for s in deepest.index]
        return Said(_("Below the running peak close since {date}").format(date=date_label(start)),
                    [_("Measured {span}, the deepest fall below its running peak close was "
                       ).format(span=span),
                     Pick(ranked, _("not measured: no market is ticked")), _(".")])
    return publish(market.drawdowns(frame, start_options=starts, shown=shown), frame,
                   "drawdowns", Caption(symbols), describe=describe,
                   toggles=_toggles(symbols, "dd"), noun="assets",
                   about=_("Line chart: each ticked asset's distance below its running peak "
                           "close"))


# ---------------------------------------------------------------- kernel explorers (ipywidgets)

def _scoreboard_day(symbols, date) -> pd.DataFrame:
    """metrics.scoreboard(symbols, [date]), the same frame, by position in each series' sorted
    dates instead of one label lookup per measure (a redraw of the who-fell explorer)."""
    import numpy as np

    day = metrics._ts(date)
    since, base = metrics._ts(metrics.YEAR_END_2024), metrics.YEAR_END_2024
    key = f"{day:%Y-%m-%d}"
    labels = {k: _(lbl) for k, (lbl, _f) in metrics.MEASURES.items()}
    if list(labels) != ["day", "high_close", "drawdown", "ytd"]:
        return metrics.scoreboard(symbols, [date])
    nan = float("nan")
    rows = []
    for sym in symbols:
        df = rdata.series(sym)
        idx = df.index
        if not (idx.is_monotonic_increasing and idx.is_unique):
            return metrics.scoreboard(symbols, [date])
        close = df["close"].to_numpy(dtype=float)
        high = df["high"].to_numpy(dtype=float) if "high" in df.columns else None

        def last_valid(values):
            ok = np.flatnonzero(~np.isnan(values))
            return (float(values[ok[-1]]), ok[-1]) if len(ok) else (None, None)

        pos = int(idx.searchsorted(day))
        traded = pos < len(idx) and idx[pos] == day
        c = float(close[pos]) if traded else nan
        prev, _p = last_valid(close[:int(idx.searchsorted(day - pd.Timedelta(days=1), "right"))])
        move = nan if not traded or c != c else c / (nan if prev is None else prev) - 1
        h = float(high[pos]) if traded and high is not None else nan
        high_close = nan if h != h else c / h - 1
        lo, hi = int(idx.searchsorted(since)), int(idx.searchsorted(day, "right"))
        window = close[lo:hi]
        last, at = last_valid(window)
        drawdown = (nan if last is None or idx[lo + at] != day
                    else float(window[at] / np.nanmax(window) - 1))
        first, _b = last_valid(close[:int(idx.searchsorted(base, "right"))])
        ytd = nan if not traded or first is None else c / first - 1
        for measure, value in zip(labels, (move, high_close, drawdown, ytd)):
            rows.append({"date": key, "symbol": sym, "measure": measure,
                         "measure_label": labels[measure], "value": value})
    return pd.DataFrame(rows)


def explore_who_fell(symbols: Sequence[str] = EVENT):
    """Kernel controls: any date, any measure, any assets (pandas recomputes)."""
    symbols = args.symbols(symbols, "symbols")
    date = widgets.date("2025-11-20", _("Session"))
    measure = ipw.Dropdown(options=[(_(lbl), key) for key, (lbl, _f) in metrics.MEASURES.items()],
                           description=_("Measure"))
    assets = widgets.assets(symbols, symbols)

    def render():
        if not assets.value:
            return _("Pick at least one asset.")
        if date.value is None:
            return _("Pick a date.")
        early = widgets.before_start(date.value, assets.value, "session")
        if early:
            return early
        day = date_note(date.value)
        grid = _scoreboard_day(assets.value, date.value)
        traded = grid.loc[(grid["measure"] == "day") & grid["value"].notna(), "symbol"]
        grid = grid[grid["measure"] == measure.value]
        if traded.empty:
            return _("None of these markets traded on {date}.").format(date=day)
        if grid["value"].isna().all():
            return _("No value of this measure on {date} for these assets (their source "
                     "publishes no intraday high, or the series starts later).").format(date=day)
        return market.who_fell(grid, static=False)

    return widgets.explorer([date, measure, assets], render)


_KERNEL_CLOSES: dict[tuple, pd.DataFrame] = {}


def _kernel_closes(symbols: tuple) -> pd.DataFrame:
    """_complete_closes(symbols) for the explorers' redraws, made once per pick of series and
    their cached files (the manifest's checksums): moving the date reuses it."""
    key = (symbols, tuple(rdata.info(s)["sha256"] for s in symbols))
    if key not in _KERNEL_CLOSES:
        if len(_KERNEL_CLOSES) > 32:
            _KERNEL_CLOSES.clear()
        _KERNEL_CLOSES[key] = _complete_closes(symbols)
    return _KERNEL_CLOSES[key]


def _explore_paths(symbols, shown, start, label, compute, column, builder):
    symbols = args.symbols(symbols, "symbols")
    shown = args.subset(shown, "shown", symbols, "symbols")
    start = args.date(start, "start", symbols)
    base = widgets.date(start, label)
    assets = widgets.assets(symbols, shown)

    def render():
        if not assets.value:
            return _("Pick at least one asset.")
        if base.value is None:
            return _("Pick a date.")
        wide = _kernel_closes(tuple(assets.value)).loc[f"{base.value:%Y-%m-%d}":]
        no_data = _("No data on or after {date} for these assets.")
        if wide.dropna(how="all").empty:
            return no_data.format(date=date_note(base.value))
        frame = metrics.tidy(compute(wide, base.value), column)
        if frame.empty:
            return no_data.format(date=date_note(base.value))
        early = widgets.before_start(base.value, assets.value, drawn=True)
        chart = builder(frame, static=False)
        return (chart, early) if early else chart

    return widgets.explorer([base, assets], render)


def explore_rebased(symbols: Sequence[str] = EVENT, shown=("NDX", "NVDA", "BTC-USD", "GC=F"),
                    start: str = "2024-12-31"):
    return _explore_paths(symbols, shown, start, _("Base date"), metrics.rebase, "rebased",
                          market.rebased)


def explore_drawdowns(symbols: Sequence[str] = EVENT, shown=("NDX", "NVDA", "BTC-USD", "GC=F"),
                      start: str = "2024-12-31"):
    return _explore_paths(symbols, shown, start, _("Peak from"), metrics.drawdown, "drawdown",
                          market.drawdowns)


# ---------------------------------------------------------------- the book's front page

def headlines():
    """The event in a few computed lines (shown on the front page)."""
    from IPython.display import Markdown

    from .findings import pct

    def s(sym):
        return rdata.series(sym)

    ndx, nvda = s("NDX"), s("NVDA")
    btc = s("BTC-USD")
    peak_day, peak = btc.loc["2025-01-01":"2025-11-21", "high"].idxmax(), \
        btc.loc["2025-01-01":"2025-11-21", "high"].max()
    d20, d21 = date_short("2025-11-20"), date_short("2025-11-21")
    lines = [
        _("- **Nasdaq-100**, {date}: {close} at the close, after a {swing} swing from high to "
          "low.").format(date=d20, close=pct(metrics.day_change(ndx, '2025-11-20')),
                         swing=pct(metrics.high_to_low(ndx, '2025-11-20'))),
        _("- **Nvidia**, {date}: {high} at its high the morning after its results, {close} at "
          "the close.").format(date=d20, high=pct(metrics.high_vs_prev_close(nvda, '2025-11-20')),
                               close=pct(metrics.day_change(nvda, '2025-11-20'))),
        _("- **Hang Seng** and **Shanghai Composite**, {date}: {hsi} and {sse}.").format(
            date=d21, hsi=pct(metrics.day_change(s('HSI'), '2025-11-21')),
            sse=pct(metrics.day_change(s('000001.SS'), '2025-11-21'))),
        _("- **Bitcoin**: from an intraday high of {peak} dollars on {peak_date} to a close of "
          "{close} on {date} ({ytd} for the year).").format(
            peak=f"{peak:,.0f}", peak_date=date_label(peak_day),
            close=f"{btc.loc['2025-11-21', 'close']:,.0f}", date=d21,
            ytd=pct(metrics.change_since(btc, '2025-11-21'))),
        _("- **Gold**, {date}: {move}, at {price} dollars an ounce.").format(
            date=d20, move=pct(metrics.day_change(s('GC=F'), '2025-11-20')),
            price=f"{s('GC=F').loc['2025-11-20', 'close']:,.0f}"),
    ]
    fed = rdata.published("fedwatch_dec2025").set_index("as_of")["p_cut_dec2025_pct"]
    lines.append(_("- **FedWatch odds of a December cut** (published figures): about {oct28} on "
                   "{d_oct28}, {nov20} on {d_nov20}, {dec10} just before the Fed cut on "
                   "{d_dec10}.").format(
        oct28=f"{fed['2025-10-28']:.0f}%", d_oct28=date_short("2025-10-28"),
        nov20=f"{fed['2025-11-20']:.1f}%", d_nov20=date_short("2025-11-20"),
        dec10=f"{fed['2025-12-10']:.1f}%", d_dec10=date_short("2025-12-10")))
    return Markdown("\n".join(lines))
