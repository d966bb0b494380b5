"""Chapter 4 charts: one proxy per driver of the sell-off.

Each builder takes a tidy frame. ``static=True``: the reader's controls are Vega-Lite
parameters and the browser recomputes (filters, moving averages, ratios, counts).
``static=False``: a kernel explorer already computed the same columns with pandas
(riskoff.drivers) and the chart only draws them with the same marks.
"""
from __future__ import annotations

import json
from typing import Sequence

import altair as alt
import pandas as pd

from . import base
from ..i18n import N_, _, d3_date_short, d3_month, date_short, is_zh, vega_format, vega_text

# Encodings use typed channels (alt.Text, alt.XValue, alt.ColorValue...), not shorthand
# strings, alt.value or alt.condition dicts: Altair converts those with from_dict, about
# 2 ms each, on every kernel redraw. Layered charts take their size in alt.layer(...):
# each chained .properties() deep-copies every layer again. The spec is the same.

GREY = "#999999"
BLACK = "#000000"
HEIGHT = 300


def _names_expr(symbols: Sequence[str]) -> str:
    return f"{json.dumps({s: base.label_of(s) for s in symbols})}[datum.symbol]"


def _utc(day: str) -> alt.DateTime:
    d = pd.Timestamp(day)
    return alt.DateTime(year=d.year, month=d.month, date=d.day, utc=True)


def _date_x(title: str | None = None, fmt: str | None = None,
            domain: tuple[str, str] | None = None) -> alt.X:
    title = _("Date") if title is None else title
    fmt = d3_date_short() if fmt is None else fmt
    # UTC scale: calendar dates must not shift with the reader's time zone. A fixed domain
    # keeps the axis (and Vega quiet) when the reader hides every series.
    scale = alt.Scale(type="utc", domain=[_utc(d) for d in domain]) if domain else \
        alt.Scale(type="utc")
    return alt.X("date:T", title=title, scale=scale,
                 axis=alt.Axis(format=fmt, labelOverlap=True, tickCount=base.tick_count(75)))


def _sessions(n: int) -> str:
    return (_("{n} session") if n == 1 else _("{n} sessions")).format(n=n)


def _vega_msg(message: str, **exprs) -> str:
    """vega_format with literal words put in first: ``{name}`` given as ``("text",)``."""
    for k, v in list(exprs.items()):
        if isinstance(v, tuple):
            message = message.replace("{" + k + "}", v[0])
            del exprs[k]
    return vega_format(message, **exprs)


def _beside(chart: alt.Chart, x, y, event: str, at: str, rule: str, prefix: str = "",
            color: str = BLACK, level: tuple[str, str] | None = None) -> alt.Chart:
    """The event's date beside its point, on the side away from a vertical rule at pixel
    ``rule`` (it moves with a control), the other side if that has no room, else above the
    point (shifted off the rule if it would cross it); shortened to day and month on a
    phone. ``level``: (the point's y, a horizontal rule's y) in pixels: the label moves off
    that rule when it is near."""
    full = prefix + base.date_label(event)
    short = prefix + (date_short(event) if is_zh() else
                      pd.Timestamp(event).strftime("%d %b").lstrip("0"))
    w = f"({base.NARROW} ? {base.text_px(short)} : {base.text_px(full)})"
    right = f"({at} + 12 + {w} < width && !({rule} > {at} + 6 && {rule} < {at} + 16 + {w}))"
    left = f"({at} - 12 - {w} > 0 && !({rule} < {at} - 6 && {rule} > {at} - 16 - {w}))"
    above = f"(abs({rule} - {at}) < {w} / 2 + 4 ? ({rule} > {at} ? 'ar' : 'al') : 'a')"
    side = (f"({rule} <= {at} ? ({right} ? 'r' : {left} ? 'l' : {above}) : "
            f"({left} ? 'l' : {right} ? 'r' : {above}))")
    return chart.mark_text(
        fontSize=12, fontWeight="bold", color=color,
        text=alt.ExprRef(f"{base.NARROW} ? {json.dumps(short)} : {json.dumps(full)}"),
        align=alt.ExprRef(f"{{r: 'left', l: 'right', a: 'center', ar: 'right', "
                          f"al: 'left'}}[{side}]"),
        dx=alt.ExprRef(f"{side} === 'r' ? 12 : {side} === 'l' ? -12 : {side} === 'ar' ? "
                       f"{rule} - {at} - 4 : {side} === 'al' ? {rule} - {at} + 4 : 0"),
        dy=alt.ExprRef(_offset(f"(length({side}) > 1 || {side} === 'a')", level))
    ).encode(x=x, y=y)


def _offset(is_above: str, level: tuple[str, str] | None) -> str:
    # Above the point, or below it if the horizontal rule runs just above; beside it, level
    # with it unless the rule is within 12 px.
    if not level:
        return f"{is_above} ? -18 : 0"
    at, rule = level
    return (f"{is_above} ? ({rule} < {at} && {rule} > {at} - 32 ? 18 : -18) : "
            f"abs({rule} - {at}) < 12 ? ({rule} < {at} ? 14 : -14) : 0")


def _pct_labels(values: Sequence[float], digits: int = 2) -> list[str]:
    # Trailing zeros trimmed, as d3's "~" does in the chart's own text: 0.25%, 1%.
    return ["+" + f"{v * 100:.{digits}f}".rstrip("0").rstrip(".") + "%" for v in values]


def _headline(chart: alt.Chart, text_field: str) -> alt.Chart:
    """A computed three-line summary written above the plot (lines split on "\n"), so it
    changes with the controls without covering any mark. Vega anchors the first line."""
    return chart.mark_text(align="left", baseline="bottom", fontSize=11, lineBreak="\n",
                           lineHeight=14, color="#222", limit=alt.ExprRef("width")).encode(
        x=alt.XValue(0), y=alt.YValue(-36), text=alt.Text(f"{text_field}:N"))


# ---------------------------------------------------------------- 1. gap and fade

def gap_fade(frame: pd.DataFrame, static: bool = True, thresholds: Sequence[float] = (),
             event: str = "2025-11-20", width="container") -> alt.LayerChart:
    """Opening gap (x) against the day's close-to-close move (y), one dot per session.

    Static: ``frame`` holds (date, symbol, gap, open_to_close, day) for several symbols; the
    reader picks the symbol and the minimum gap, the browser marks the sessions that gapped
    up at least that much and still closed lower, and counts them. Kernel: one symbol, with
    ``hit`` and ``threshold`` columns from riskoff.drivers.gap_and_fade.
    """
    symbols = list(dict.fromkeys(frame["symbol"]))
    chart = alt.Chart(frame).transform_calculate(name=_names_expr(symbols))
    params = []
    if static:
        p_sym = base.radio("asset", symbols, [base.label_of(s) for s in symbols],
                           label=_("Asset"))
        p_gap = base.select("mingap", list(thresholds), _pct_labels(thresholds),
                            value=0.01 if 0.01 in thresholds else thresholds[0],
                            label=_("Gap up of at least"))
        params = [p_sym, p_gap]
        chart = chart.transform_filter("datum.symbol === asset").transform_calculate(
            threshold="mingap", hit="datum.gap >= mingap && datum.day < 0")
    chart = chart.transform_calculate(is_event=f"datum.date === '{event}'",
                                      date_txt=base.date_text("date"))
    axis_pct = alt.Axis(format="+.0%")
    tips = [alt.Tooltip("name:N", title=_("Asset")),
            alt.Tooltip("date_txt:N", title=_("Session")),
            alt.Tooltip("gap:Q", title=_("Open vs previous close"), format="+.2%"),
            alt.Tooltip("open_to_close:Q", title=_("Close vs open"), format="+.2%"),
            alt.Tooltip("day:Q", title=_("Close vs previous close"), format="+.2%")]
    x = alt.X("gap:Q", title=_("Opening gap (vs previous close)"), axis=axis_pct)
    y = alt.Y("day:Q", title=_("Day move (close vs previous close)"), axis=axis_pct)
    dots = chart.mark_circle(opacity=0.75).encode(
        x=x, y=y,
        color=alt.ColorValue(GREY, condition={"test": "datum.hit", "value": base.FALL}),
        size=alt.SizeValue(18, condition={"test": "datum.hit", "value": 70}),
        tooltip=tips)
    ring = chart.transform_filter("datum.is_event").mark_point(
        size=260, strokeWidth=2, color="#000000").encode(x=x, y=y, tooltip=tips)
    label = _beside(chart.transform_filter("datum.is_event"), x, y, event,
                    "scale('x', datum.gap)", "scale('x', datum.threshold)")
    zero = alt.Chart(pd.DataFrame({"y": [0]})).mark_rule(color="#555").encode(y=alt.Y("y:Q"))
    thr = chart.transform_aggregate(threshold="max(threshold)").mark_rule(
        strokeDash=[4, 3], color=base.FALL).encode(
        x=alt.X("threshold:Q"), tooltip=[alt.Tooltip("threshold:Q", title=_("Minimum gap"),
                                              format="+.2%")])
    summary = chart.transform_calculate(h="datum.hit ? 1 : 0").transform_aggregate(
        hits="sum(h)", n="count()", threshold="max(threshold)", first="min(date)",
        last="max(date)").transform_calculate(
        text=vega_format(_("{hits} of {n} sessions opened at least\n{gap} above the previous "
                           "close\nand closed below it"), hits="datum.hits", n="datum.n",
                         gap="format(datum.threshold, '+.2~%')"))
    layer = alt.layer if static else base.kernel_layer  # kernel: skip Altair's layer copies
    return layer(zero, thr, dots, ring, label, _headline(summary, "text"),
                 width=width, height=HEIGHT).add_params(*params)


# ---------------------------------------------------------------- 2. credit vs Treasuries

def credit_scatter(frame: pd.DataFrame, static: bool = True, horizons: Sequence[int] = (),
                   event: str = "2025-11-20", width="container") -> alt.LayerChart:
    """HYG's return (y) against the 10-year yield's change (x) over windows of h sessions.

    Points below the fitted line: HYG did worse than the Treasury move alone suggests, the
    mark of a widening credit spread. ``frame``: (horizon, start, end, ret, dy_bp), all
    horizons when static (the reader picks one), one horizon for the kernel.
    """
    chart = alt.Chart(frame)
    params = []
    if static:
        p_h = base.select("horizon", list(horizons), [_sessions(h) for h in horizons],
                          label=_("Window length"))
        params = [p_h]
        chart = chart.transform_filter("datum.horizon === horizon")
    chart = chart.transform_calculate(is_event=f"datum.end === '{event}'",
                                      start_txt=base.date_text("start"),
                                      end_txt=base.date_text("end"))
    x = alt.X("dy_bp:Q", title=_("10-year Treasury yield change (bp)"))
    y = alt.Y("ret:Q", title=_("HYG return (dividend-adjusted)"), axis=alt.Axis(format="+.1%"))
    tips = [alt.Tooltip("start_txt:N", title=_("From close of")),
            alt.Tooltip("end_txt:N", title=_("To close of")),
            alt.Tooltip("ret:Q", title=_("HYG return"), format="+.2%"),
            alt.Tooltip("dy_bp:Q", title=_("10-year yield change (bp)"), format="+.0f")]
    dots = chart.mark_circle(size=22, opacity=0.5, color=base.PALETTE[0]).encode(
        x=x, y=y, tooltip=tips)
    fit = chart.transform_regression("dy_bp", "ret").mark_line(
        color=BLACK, strokeDash=[5, 3], strokeWidth=1.5).encode(x=x, y=y)
    ev = chart.transform_filter("datum.is_event")
    ring = ev.mark_point(size=240, strokeWidth=2.5, color=base.FALL, filled=False).encode(
        x=x, y=y, tooltip=tips)
    # Kept off the zero-change rule, so it is not struck through.
    label = _beside(ev, x, y, event, "scale('x', datum.dy_bp)", "scale('x', 0)",
                    prefix=_("ending "), color=base.FALL,
                    level=("scale('y', datum.ret)", "scale('y', 0)"))
    zero_x = alt.Chart(pd.DataFrame({"v": [0]})).mark_rule(color="#555").encode(x=alt.X("v:Q"))
    zero_y = alt.Chart(pd.DataFrame({"v": [0]})).mark_rule(color="#555").encode(y=alt.Y("v:Q"))
    note = chart.transform_aggregate(n="count()").transform_calculate(
        text=vega_format(_("{n} windows. Below the dashed line:\nHYG did worse than the "
                           "Treasury\nmove implies (spread widening)"), n="datum.n"))
    return alt.layer(zero_x, zero_y, dots, fit, ring, label, _headline(note, "text"),
                     width=width, height=HEIGHT).add_params(*params)


# ---------------------------------------------------------------- 3. yield moves

def yield_moves(frame: pd.DataFrame, static: bool = True, lookbacks: Sequence[int] = (),
                lookback_labels: Sequence[str] = (), event: str = "2025-11-20",
                width="container") -> alt.LayerChart:
    # One fixed bin grid and axis for every tenor and lookback, so the pictures compare.
    lo = 2 * (int(frame["change_bp"].min()) // 2) - 2
    hi = 2 * (int(frame["change_bp"].max()) // 2) + 4
    bins = alt.Bin(step=2, extent=[lo, hi])
    """Histogram of daily yield changes before ``event`` and the event's own change.

    ``frame``: (symbol, date, change_bp, k) with k = sessions before the event (0 = the
    event). Static: both tenors, the reader picks the tenor and how many earlier changes to
    compare with; the browser computes the z-score and percentile. Kernel: the rows already
    cut to one tenor and one lookback.
    """
    symbols = list(dict.fromkeys(frame["symbol"]))
    chart = alt.Chart(frame).transform_calculate(name=_names_expr(symbols))
    params = []
    if static:
        p_t = base.radio("tenor", symbols,
                         [base.label_of(s).split(" (")[0].split("（")[0] for s in symbols],
                         label=_("Yield"))
        p_l = base.select("lookback", list(lookbacks), list(lookback_labels) or None,
                          value=60 if 60 in lookbacks else lookbacks[0],
                          label=_("Compare with the previous"))
        params = [p_t, p_l]
        chart = chart.transform_filter("datum.symbol === tenor && datum.k <= lookback")
    before = chart.transform_filter("datum.k >= 1")
    bars = before.mark_bar(color=base.PALETTE[4], opacity=0.85).encode(
        x=alt.X("change_bp:Q", bin=bins, title=_("Daily change (bp)"),
                scale=alt.Scale(domain=[lo, hi])),
        y=alt.Y("count():Q", title=_("Number of earlier days")),
        tooltip=[alt.Tooltip("change_bp:Q", bin=bins, title=_("Change (bp)")),
                 alt.Tooltip("count():Q", title=_("Days"))])
    ev = chart.transform_filter("datum.k === 0").transform_calculate(
        date_txt=base.date_text("date"))
    rule = ev.mark_rule(color=base.FALL, strokeWidth=3).encode(
        x=alt.X("change_bp:Q"),
        tooltip=[alt.Tooltip("name:N", title=_("Yield")),
                 alt.Tooltip("date_txt:N", title=_("Date")),
                 alt.Tooltip("change_bp:Q", title=_("Change (bp)"), format="+.0f")])
    stats = chart.transform_calculate(
        prior="datum.k >= 1 ? datum.change_bp : null",
        ev="datum.k === 0 ? datum.change_bp : null").transform_joinaggregate(
        evv="max(ev)").transform_calculate(
        le="datum.k >= 1 && datum.change_bp <= datum.evv ? 1 : 0").transform_aggregate(
        mean="mean(prior)", sd="stdev(prior)", n="valid(prior)", le="sum(le)",
        evv="max(evv)").transform_calculate(
        text=_vega_msg(_("{date}: {move} bp, z = {z}\nvs the previous {n} changes;\n{share} of "
                         "them at or below it"), date=(base.date_label(event),),
                       move="format(datum.evv, '+.0f')",
                       z="format((datum.evv - datum.mean) / datum.sd, '+.2f')", n="datum.n",
                       share="format(datum.le / datum.n, '.0%')"))
    return alt.layer(bars, rule, _headline(stats, "text"),
                     width=width, height=HEIGHT).add_params(*params)


# ---------------------------------------------------------------- 4a. cross-correlation

def xcorr(frame: pd.DataFrame, static: bool = True, max_lags: Sequence[int] = (),
          width="container") -> alt.LayerChart:
    """Correlation of the Nasdaq-100's daily return with Bitcoin's, by lag.

    ``frame``: (window, window_label, lag, corr, n). Static: a grid of windows and lags; the
    reader picks the window and the largest lag shown. Kernel: one window, chosen lags.
    """
    chart = alt.Chart(frame)
    params = []
    if static:
        keys = list(dict.fromkeys(frame["window"]))
        labels = list(dict.fromkeys(frame["window_label"]))
        p_w = base.select("window", keys, labels, label=_("Sample"))
        p_l = base.select("maxlag", list(max_lags), [str(m) for m in max_lags],
                          value=5 if 5 in max_lags else max_lags[0],
                          label=_("Largest lag (sessions)"))
        params = [p_w, p_l]
        chart = chart.transform_filter("datum.window === window && abs(datum.lag) <= maxlag")
    chart = chart.transform_filter("isValid(datum.corr)").transform_calculate(
        side="datum.lag > 0 ? 'Bitcoin earlier' : datum.lag < 0 ? 'Nasdaq-100 earlier' : "
             "'Same span'",
        band="2 / sqrt(datum.n)")
    x = alt.X("lag:O", title=[_("Lag (sessions): how far Bitcoin's"),
                             _("return precedes the Nasdaq-100's")], sort="ascending",
              axis=alt.Axis(labelAngle=0, labelOverlap="greedy", labelSeparation=3))
    lo = min(-0.4, float(frame["corr"].min()) - 0.05)
    hi = max(0.8, float(frame["corr"].max()) + 0.05)
    bars = chart.mark_bar().encode(
        x=x, y=alt.Y("corr:Q", title=_("Correlation of daily returns"),
                     scale=alt.Scale(domain=[lo, hi])),
        color=alt.Color("side:N", title=None,
                        scale=alt.Scale(domain=["Bitcoin earlier", "Same span",
                                                "Nasdaq-100 earlier"],
                                        range=[base.colour_of("BTC-USD"), BLACK,
                                               base.colour_of("NDX")]),
                        legend=alt.Legend(orient="bottom", columns=base.by_width(1, 3),
                                          labelLimit=0,
                                          symbolType="square", **_side_labels())),
        tooltip=[alt.Tooltip("lag:O", title=_("Lag (sessions)")),
                 alt.Tooltip("corr:Q", title=_("Correlation"), format="+.3f"),
                 alt.Tooltip("n:Q", title=_("Pairs of returns")),
                 alt.Tooltip("band:Q", title=_("Noise band ±"), format=".3f")])
    hi = chart.mark_tick(color="#333", thickness=1.5, size=18).encode(
        x=x, y=alt.Y("band:Q"), tooltip=[alt.Tooltip("band:Q", title="+2/√n", format=".3f")])
    lo = chart.transform_calculate(nb="-datum.band").mark_tick(
        color="#333", thickness=1.5, size=18).encode(
        x=x, y=alt.Y("nb:Q"), tooltip=[alt.Tooltip("nb:Q", title="-2/√n", format=".3f")])
    note = chart.transform_aggregate(n="max(n)", lo="min(lag)", hi="max(lag)").transform_calculate(
        text=vega_format(_("Black ticks: ±2/√n, the range\nexpected from pure noise\n({n} "
                           "pairs of returns at lag 0)"), n="datum.n"))
    return alt.layer(bars, hi, lo, _headline(note, "text"),
                     width=width, height=HEIGHT).add_params(*params)


SIDES = (N_("Bitcoin earlier"), N_("Same span"), N_("Nasdaq-100 earlier"))
_IN_FSTRINGS = (N_(" (both)"),)   # used inside an f-string below (Babel does not look there)


def _side_labels() -> dict:
    # The sides stay English keys in the data; the legend says them in the reader's words.
    if not is_zh():
        return {}
    return {"labelExpr": json.dumps({k: _(k) for k in SIDES}, ensure_ascii=False)
            + "[datum.label]"}


# ---------------------------------------------------------------- 4b. threshold crossings

def crossings(frame: pd.DataFrame, static: bool = True, thresholds: Sequence[float] = (),
              ma_windows: Sequence[int] = (), starts: Sequence[str] = (),
              show_from: str = "2025-09-15", start: str = "", width="container"
              ) -> alt.LayerChart:
    """Bitcoin's distance from a price threshold and the Nasdaq-100's distance from its
    moving average, with the first date each went below (on or after a start date).

    Static: ``frame`` holds (date, symbol, close, low) for BTC-USD and NDX with enough NDX
    history for the longest average; the browser computes the averages, distances and first
    crossings. Kernel: (date, symbol, dist, first, what) computed by pandas, and ``start``.
    """
    chart = alt.Chart(frame)
    params = []
    if static:
        p_thr = base.select("btcthr", list(thresholds),
                            [_("{n} USD").format(n=f"{t:,.0f}") for t in thresholds],
                            value=90000 if 90000 in thresholds else thresholds[0],
                            label=_("Bitcoin threshold"))
        p_fld = base.radio("btcfield", ["low", "close"], [_("intraday low"), _("close")],
                           label=_("Bitcoin price"))
        p_ma = base.select("mawin", list(ma_windows),
                           [_("{n}-session").format(n=w) for w in ma_windows],
                           value=50 if 50 in ma_windows else ma_windows[0],
                           label=_("Nasdaq-100 average"))
        p_from = base.select("since", list(starts), [base.date_label(s) for s in starts],
                             label=_("First break on or after"))
        params = [p_thr, p_fld, p_ma, p_from]
        for w in ma_windows:
            chart = chart.transform_window(
                **{f"ma{w}": "mean(close)", f"c{w}": "count()"}, groupby=["symbol"],
                sort=[{"field": "date"}], frame=[-(w - 1), 0])
        pick = " : ".join(f"mawin === {w} && datum.c{w} >= {w} ? datum.ma{w}"
                          for w in ma_windows) + " : null"
        chart = chart.transform_calculate(
            ref=f"datum.symbol === 'BTC-USD' ? btcthr : ({pick})",
            px="datum.symbol === 'BTC-USD' ? datum[btcfield] : datum.close",
        ).transform_filter("isValid(datum.ref)").transform_calculate(
            dist="datum.px / datum.ref - 1",
            cand="datum.dist < 0 && time(datum.date) >= time(toDate(since)) ? "
                 "time(datum.date) : null",
        ).transform_joinaggregate(firstt="min(cand)", groupby=["symbol"]).transform_calculate(
            first="isValid(datum.firstt) && time(datum.date) === datum.firstt",
            what=("datum.symbol === 'BTC-USD' ? (btcfield === 'low' ? "
                  + vega_format(_("Bitcoin intraday low vs {n} USD"), n="format(btcthr, ',')")
                  + " : " + vega_format(_("Bitcoin close vs {n} USD"), n="format(btcthr, ',')")
                  + ") : " + vega_format(_("Nasdaq-100 close vs its {n}-session average"),
                                         n="mawin")
                  if is_zh() else
                  "datum.symbol === 'BTC-USD' ? 'Bitcoin ' + (btcfield === 'low' ? "
                  "'intraday low' : 'close') + ' vs ' + format(btcthr, ',') + ' USD' : "
                  "'Nasdaq-100 close vs its ' + mawin + '-session average'"))
    btc_name, ndx_name = _("Bitcoin (UTC days)"), _("Nasdaq-100 (NY sessions)")
    chart = chart.transform_filter(
        f"time(datum.date) >= time(toDate('{show_from}'))").transform_calculate(
        name=f"datum.symbol === 'BTC-USD' ? {vega_text(btc_name)} : {vega_text(ndx_name)}")
    color = base.asset_colour(["BTC-USD", "NDX"], lines=True, columns=1,
                              names=[btc_name, ndx_name])
    y = alt.Y("dist:Q", title=_("Distance above its threshold"), axis=alt.Axis(format="+.0%"))
    tips = [alt.Tooltip("name:N", title=_("Series")), base.date_tip(),
            alt.Tooltip("what:N", title=_("Compared")),
            alt.Tooltip("dist:Q", title=_("Distance"), format="+.2%")]
    lines = chart.mark_line(strokeWidth=1.6).encode(x=_date_x(), y=y, color=color)
    pts = chart.mark_circle(size=40, opacity=0).encode(x=_date_x(), y=y, color=color,
                                                       tooltip=tips)
    zero = alt.Chart(pd.DataFrame({"v": [0]})).mark_rule(color="#555").encode(y=alt.Y("v:Q"))
    firsts = chart.transform_filter("datum.first")
    rules = firsts.mark_rule(strokeDash=[4, 3], strokeWidth=1.5).encode(
        x=_date_x(), color=color, tooltip=tips)
    # Labels above the plot, where no rule runs through them: the earlier break's to the
    # left of its line, the later's to the right, so the two never meet.
    order = firsts.transform_joinaggregate(lo="min(firstt)", hi="max(firstt)")
    labels = []
    fmt = d3_date_short()
    wide = base.text_px(fmt) - base.text_px("x" * len(fmt))  # full-width characters' extra
    # A Chinese label ('BTC 11月18日') is wider: near the right edge the later one moves left
    # until it ends at the plot's edge, and the earlier one with it (8 px apart).
    shift = (f"max(0, scale('x', datum.hi) + 8 + 7.6 * (4 + length(utcFormat(datum.hi, "
             f"'{fmt}'))) + {wide} - width)") if wide else "0"
    left_dx = (f"min(-4, scale('x', datum.hi) - scale('x', datum.lo) - {shift} - 4)"
               if wide else "-4")
    right_dx = f"4 - {shift}" if wide else "4"
    for sym, left_if in (("BTC-USD", "datum.firstt === datum.lo && datum.lo !== datum.hi"),
                         ("NDX", "datum.firstt === datum.lo")):
        labels.append(order.transform_filter(f"datum.symbol === '{sym}'").transform_calculate(
            lbl=f"'{'BTC' if sym == 'BTC-USD' else 'NDX'} ' + utcFormat(datum.date, "
                f"'{fmt}')"
        ).mark_text(
            align=alt.ExprRef(f"{left_if} ? 'right' : 'left'"),
            dx=alt.ExprRef(f"{left_if} ? {left_dx} : {right_dx}"), baseline="bottom", fontSize=12,
            fontWeight="bold").encode(
            x=_date_x(), y=alt.YValue(-6), color=color, text=alt.Text("lbl:N")))
    # Before the search for a first break starts: shaded (a text there would be struck
    # by a break's line whenever one falls close after the start).
    since_expr = "toDate(since)" if static else f"toDate('{start}')"
    since = alt.Chart(pd.DataFrame({"v": [0]})).transform_calculate(
        date=f"toDate('{show_from}')", until=since_expr)
    since_rule = since.mark_rect(color=GREY, opacity=0.15, clip=True).encode(
        x=_date_x(), x2=alt.X2("until:T"),
        tooltip=[base.date_tip(field="until", title=_("Search for a first break from"))])
    return alt.layer(since_rule, zero, lines, pts, rules, *labels,
                     width=width, height=HEIGHT).add_params(*params)


# ---------------------------------------------------------------- 5. trend model

def trend(frame: pd.DataFrame, static: bool = True, lookbacks: Sequence[int] = (),
          ticked: Sequence[int] = (), show_from: str = "2025-09-01",
          show_to: str = "2025-12-31", width="container") -> alt.LayerChart:
    """Position of an equal-weight trend model (-1 all short, +1 all long) per index.

    Static: ``frame`` holds (date, symbol, close) from the start of the cache; the reader
    ticks lookbacks and picks the signal, the browser computes moving averages or lagged
    closes, the signs and their average, and marks the days the position turned net short.
    Kernel: (date, symbol, pos, turned) from riskoff.drivers.trend_position.
    """
    dx = _date_x(domain=(show_from, show_to))
    symbols = list(dict.fromkeys(frame["symbol"]))
    chart = alt.Chart(frame).transform_calculate(name=_names_expr(symbols))
    params = []
    if static:
        p_kind = base.radio("signal", ["ma", "mom"],
                            [_("close vs moving average"), _("close vs close L sessions ago")],
                            label=_("Signal"))
        boxes = [base.checkbox(f"lb{L}", L in ticked, f"{L}") for L in lookbacks]
        params = [p_kind, *boxes]
        for L in lookbacks:
            chart = chart.transform_window(
                **{f"ma{L}": "mean(close)", f"c{L}": "count()"}, groupby=["symbol"],
                sort=[{"field": "date"}], frame=[-(L - 1), 0])
        chart = chart.transform_window(
            window=[alt.WindowFieldDef(op="lag", field="close", param=L, **{"as": f"lag{L}"})
                    for L in lookbacks], groupby=["symbol"], sort=[{"field": "date"}])
        calc = {}
        for L in lookbacks:
            calc[f"r{L}"] = (f"signal === 'ma' ? (datum.c{L} >= {L} ? datum.ma{L} : null) : "
                             f"datum.lag{L}")
        chart = chart.transform_calculate(**calc)
        sig = {f"s{L}": f"isValid(datum.r{L}) ? (datum.close > datum.r{L} ? 1 : "
                        f"datum.close < datum.r{L} ? -1 : 0) : null" for L in lookbacks}
        chart = chart.transform_calculate(**sig)
        missing = " || ".join(f"(lb{L} && !isValid(datum.s{L}))" for L in lookbacks)
        total = " + ".join(f"(lb{L} ? datum.s{L} : 0)" for L in lookbacks)
        count = " + ".join(f"(lb{L} ? 1 : 0)" for L in lookbacks)
        chart = chart.transform_calculate(
            nsig=count,
            pos=f"({count}) === 0 || {missing} ? null : ({total}) / ({count})",
        ).transform_filter("isValid(datum.pos)").transform_filter(
            f"time(datum.date) >= time(toDate('{show_from}')) && "
            f"time(datum.date) <= time(toDate('{show_to}'))").transform_window(
            prev="lag(pos)", groupby=["symbol"], sort=[{"field": "date"}]).transform_calculate(
            turned="isValid(datum.prev) && datum.prev >= 0 && datum.pos < 0")
    names = [base.label_of(s) for s in symbols]
    color = base.asset_colour(symbols, lines=True)
    # Same field, title and domain as the colour: Vega-Lite merges the two into one legend
    # whose swatches show both the colour and the dash.
    dash = alt.StrokeDash("name:N", title=None, legend=alt.Legend(
        orient="bottom", columns=base.by_width(1, 2), labelLimit=0, symbolType="stroke",
        symbolStrokeWidth=3, symbolSize=300),
        scale=alt.Scale(domain=names, range=[[1, 0], [6, 3]][:len(names)]))
    y = alt.Y("pos:Q", title=_("Model position (-1 short, +1 long)"),
              scale=alt.Scale(domain=[-1.05, 1.05]), axis=alt.Axis(values=[-1, -0.5, 0, 0.5, 1]))
    tips = [alt.Tooltip("name:N", title=_("Index")), base.date_tip(),
            alt.Tooltip("close:Q", title=_("Close (index points)"), format=",.0f"),
            alt.Tooltip("pos:Q", title=_("Position"), format="+.2f")]
    lines = chart.mark_line(interpolate="step-after", strokeWidth=2).encode(
        x=dx, y=y, color=color, strokeDash=dash)
    pts = chart.mark_circle(size=40, opacity=0).encode(x=dx, y=y, color=color,
                                                       tooltip=tips)
    turned = chart.transform_filter("datum.turned")
    flips = turned.mark_point(shape="triangle-down", size=140, filled=True,
                              opacity=0.9).encode(x=dx, y=y, color=color, tooltip=tips)
    # One label per date (both indices often turn on the same day), on four staggered
    # rows so labels of nearby dates do not collide.
    dated = turned.transform_aggregate(n="count()", pos="min(pos)", groupby=["date"]
                                       ).transform_window(
        i="row_number()", sort=[{"field": "date"}]).transform_calculate(
        lbl=f"utcFormat(datum.date, '{d3_date_short()}') + (datum.n > 1 ? "
            f"{vega_text(_(' (both)'))} : '')")
    # Below the triangle, or above it near the bottom (clear of the date axis).
    flip_text = [dated.transform_filter(f"datum.i % 4 === {r}").mark_text(
        dy=alt.ExprRef(f"datum.pos < -0.4 ? {-(14 + 12 * r)} : {16 + 12 * r}"), fontSize=11,
        color="#333").encode(x=dx, y=y, text=alt.Text("lbl:N"))
        for r in range(4)]
    zero = alt.Chart(pd.DataFrame({"v": [0]})).mark_rule(color="#555").encode(y=alt.Y("v:Q"))
    return alt.layer(zero, lines, pts, flips, *flip_text,
                     width=width, height=HEIGHT).add_params(*params)


# ---------------------------------------------------------------- 6. VIX

VIX_MEASURES = {"close": (N_("VIX close"), "points"),
                "change": (N_("VIX one-day change"), "points"),
                "high": (N_("VIX intraday high"), "points")}   # labels shown with _()


def vix(frame: pd.DataFrame, static: bool = True, starts: Sequence[str] = (),
        event: str = "2025-11-20", width="container") -> alt.LayerChart:
    """VIX level, one-day change or intraday high over time, with the event's rank.

    Static: ``frame`` holds (date, close, change, high); the reader picks the measure and
    the start of the comparison window. Kernel: (date, value, rank, n) from pandas.
    """
    chart = alt.Chart(frame)
    params = []
    keys = list(VIX_MEASURES)
    if static:
        p_m = base.radio("measure", keys, [_(VIX_MEASURES[k][0]) for k in keys],
                         label=_("Measure"))
        p_s = base.select("since", list(starts), [base.date_label(s) for s in starts],
                          label=_("Compare with days since"))
        params = [p_m, p_s]
        chart = chart.transform_filter(
            "time(datum.date) >= time(toDate(since))").transform_calculate(
            value="datum[measure]",
            label=f"measure === 'close' ? {vega_text(_('VIX close'))} : measure === 'change' ? "
                  f"{vega_text(_('VIX one-day change'))} : {vega_text(_('VIX intraday high'))}"
        ).transform_filter(
            "isValid(datum.value)").transform_window(
            rank="rank()", sort=[{"field": "value", "order": "descending"}]
        ).transform_joinaggregate(n="count()")
    chart = chart.transform_calculate(is_event=f"time(datum.date) === time(toDate('{event}'))")
    y = alt.Y("value:Q", title=_("VIX points"))
    change = vega_text(_("VIX one-day change"))
    # A level unsigned, a change signed.
    chart = chart.transform_calculate(value_txt="format(datum.value, datum.label === "
                                                f"{change} ? '+.2f' : '.2f')")
    tips = [base.date_tip(), alt.Tooltip("label:N", title=_("Measure")),
            alt.Tooltip("value_txt:N", title=_("Points")),
            alt.Tooltip("rank:Q", title=_("Rank (1 = highest)"))]
    line = chart.mark_line(strokeWidth=1.3, color=base.PALETTE[0]).encode(
        x=_date_x(fmt=d3_month()), y=y)
    pts = chart.mark_circle(size=30, opacity=0).encode(x=_date_x(fmt=d3_month()), y=y,
                                                       tooltip=tips)
    ev = chart.transform_filter("datum.is_event")
    ring = ev.mark_point(size=220, strokeWidth=2.5, color=base.FALL).encode(
        x=_date_x(fmt=d3_month()), y=y, tooltip=tips)
    text = ev.transform_calculate(
        text=_vega_msg(_("{date}, {label}:\n{value} points\nrank {rank} of {n} days shown (1 = "
                         "highest)"), date=(base.date_label(event),), label="datum.label",
                       value=f"format(datum.value, datum.label === {change} ? '+.2f' : '.2f')",
                       rank="datum.rank", n="datum.n"))
    zero = alt.Chart(pd.DataFrame({"v": [0]})).mark_rule(color="#555").encode(y=alt.Y("v:Q"))
    return alt.layer(zero, line, pts, ring, _headline(text, "text"),
                     width=width, height=HEIGHT).add_params(*params)


# ---------------------------------------------------------------- 7. Asian tech

ASIA_MEASURES = {"day": N_("Close vs previous close"), "gap": N_("Open vs previous close"),
                 "open_to_close": N_("Close vs open"),
                 "drawdown": N_("Close vs its 2025 peak close")}   # shown with _()


def asia(frame: pd.DataFrame, static: bool = True, shown: Sequence[str] = (),
         width="container") -> alt.LayerChart:
    """Session moves of Asian tech and indices (and US chips) around the sell-off.

    ``frame``: (date, symbol, measure, value) for every measure when static (the reader
    picks the measure and the assets), one measure for the kernel. Dates are each market's
    own session dates.
    """
    symbols = list(dict.fromkeys(frame["symbol"]))
    chart = alt.Chart(frame).transform_calculate(name=_names_expr(symbols))
    params, toggle_names = [], None
    if static:
        keys = [k for k in ASIA_MEASURES if k in set(frame["measure"])]
        p_m = base.radio("measure", keys, [_(ASIA_MEASURES[k]) for k in keys],
                         label=_("Measure"))
        toggles, keep = base.symbol_toggles(symbols, shown or symbols, prefix="asia")
        params = [p_m, *toggles]
        toggle_names = [p.name for p in toggles]
        chart = chart.transform_filter("datum.measure === measure").transform_filter(keep)
    chart = chart.transform_filter("isValid(datum.value)").transform_calculate(
        day_txt=base.date_text("date"),
        mlabel=f"{json.dumps({k: _(v) for k, v in ASIA_MEASURES.items()})}[datum.measure]")
    names = [base.label_of(s) for s in symbols]
    # One fixed axis per measure (it stays put when the reader hides every asset).
    doms = {m: [round(min(float(g.min()), 0) * 1.05, 4), round(max(float(g.max()), 0) * 1.05, 4)]
            for m, g in frame.dropna(subset=["value"]).groupby("measure")["value"]}
    ydom = (alt.ExprRef(f"{json.dumps(doms)}[measure]") if static
            else next(iter(doms.values())))
    color = base.asset_colour(symbols, toggles=toggle_names)
    bars = chart.mark_bar().encode(
        x=alt.X("date:O", title=_("Session (each market's own date)"),
                axis=alt.Axis(labelExpr=(
                    f"{base.NARROW} ? [utcFormat(toDate(datum.value), "
                    "'%-d日'), utcFormat(toDate(datum.value), '%-m月')] : "
                    "[utcFormat(toDate(datum.value), '%a'), "
                    "utcFormat(toDate(datum.value), '%-m月%-d日')]") if is_zh() else (
                    f"{base.NARROW} ? [utcFormat(toDate(datum.value), "
                    "'%-d'), utcFormat(toDate(datum.value), '%b')] : "
                    "[utcFormat(toDate(datum.value), '%a'), "
                    "utcFormat(toDate(datum.value), '%-d %b')]"),
                              labelAngle=0, labelOverlap=True)),
        xOffset=alt.XOffset("name:N", scale=alt.Scale(domain=names)),
        y=alt.Y("value:Q", title=_("Move"), axis=alt.Axis(format="+.0%"), stack=None,
                scale=alt.Scale(domain=ydom)),
        color=color,
        tooltip=[alt.Tooltip("name:N", title=_("Asset")),
                 alt.Tooltip("day_txt:N", title=_("Session")),
                 alt.Tooltip("mlabel:N", title=_("Measure")),
                 alt.Tooltip("value:Q", title=_("Move"), format="+.2%")])
    zero = alt.Chart(pd.DataFrame({"v": [0]})).mark_rule(color="#555").encode(y=alt.Y("v:Q"))
    return alt.layer(zero, bars, width=width, height=HEIGHT).add_params(*params)


# ---------------------------------------------------------------- 8, 9. against own average

def relative(frame: pd.DataFrame, static: bool = True, measures: dict | None = None,
             windows: Sequence[int] = (), shown: Sequence[str] = (),
             show_from: str = "2025-09-01", show_to: str = "2025-12-31",
             event: str = "2025-11-20", prefix: str = "rel", y_max: float | None = None,
             width="container") -> alt.LayerChart:
    """Each day's value of a measure over its own trailing average (1 = an ordinary day).

    ``measures``: {column: (label, unit, d3 format)}. Static: ``frame`` holds (date, symbol,
    <measure columns>) from the start of the cache; the reader picks the measure, the
    averaging window and the series, and the browser computes the trailing means (today
    excluded) and the ratios; ``y_max`` (the largest ratio any choice can draw) fixes the
    axis. Kernel: (date, symbol, label, fmt, value, trailing, rel) from pandas.
    """
    dx = _date_x(domain=(show_from, show_to))
    measures = measures or {}
    symbols = list(dict.fromkeys(frame["symbol"]))
    chart = alt.Chart(frame).transform_calculate(name=_names_expr(symbols))
    params, toggle_names = [], None
    if static:
        keys = list(measures)
        if len(keys) > 1:
            p_m = base.radio(f"{prefix}m", keys, [measures[k][0] for k in keys],
                             label=_("Measure"))
            params.append(p_m)
            mexpr = f"{prefix}m"
        else:
            mexpr = repr(keys[0])
        p_w = base.select(f"{prefix}w", list(windows), [_sessions(w) for w in windows],
                          value=windows[1] if len(windows) > 1 else windows[0],
                          label=_("Average over the previous"))
        toggles, keep = base.symbol_toggles(symbols, shown or symbols, prefix=f"{prefix}s")
        params += [p_w, *toggles]
        toggle_names = [p.name for p in toggles]
        chart = chart.transform_filter(keep).transform_calculate(
            value=f"datum[{mexpr}]",
            label=f"{json.dumps({k: v[0] for k, v in measures.items()})}[{mexpr}]",
            fmt=f"{json.dumps({k: v[2] for k, v in measures.items()})}[{mexpr}]")
        # Vega computes frames like [-w, -1] wrongly, so sum [-w, 0] and take today out.
        for w in windows:
            chart = chart.transform_window(
                **{f"s{w}": "sum(value)", f"c{w}": "valid(value)"}, groupby=["symbol"],
                sort=[{"field": "date"}], frame=[-w, 0])
        pick = " : ".join(f"{prefix}w === {w} && datum.c{w} >= {w + 1} ? "
                          f"(datum.s{w} - datum.value) / {w}" for w in windows) + " : null"
        chart = chart.transform_calculate(trailing=pick).transform_calculate(
            rel="datum.trailing > 0 ? datum.value / datum.trailing : null")
    chart = chart.transform_filter("isValid(datum.rel)").transform_filter(
        f"time(datum.date) >= time(toDate('{show_from}')) && "
        f"time(datum.date) <= time(toDate('{show_to}'))").transform_calculate(
        value_txt="format(datum.value, datum.fmt)",
        trailing_txt="format(datum.trailing, datum.fmt)",
        unit=f"{json.dumps({v[0]: v[1] for v in measures.values()})}[datum.label] || ''")
    color = base.asset_colour(symbols, toggles=toggle_names, lines=True)
    y = alt.Y("rel:Q", title=_("Multiple of its own trailing average"),
              scale=alt.Scale(domain=[0, y_max]) if y_max else alt.Scale(zero=True))
    tips = [alt.Tooltip("name:N", title=_("Series")), base.date_tip(),
            alt.Tooltip("label:N", title=_("Measure")), alt.Tooltip("unit:N", title=_("Unit")),
            alt.Tooltip("value_txt:N", title=_("That day (unit as in Unit)")),
            alt.Tooltip("trailing_txt:N", title=_("Trailing average (unit as in Unit)")),
            alt.Tooltip("rel:Q", title=_("Multiple"), format=".2f")]
    lines = chart.mark_line(strokeWidth=1.5).encode(x=dx, y=y, color=color)
    pts = chart.mark_circle(size=40, opacity=0).encode(x=dx, y=y, color=color,
                                                       tooltip=tips)
    ev_pts = chart.transform_filter(f"time(datum.date) === time(toDate('{event}'))").mark_circle(
        size=80, opacity=1).encode(x=dx, y=y, color=color, tooltip=tips)
    one = alt.Chart(pd.DataFrame({"v": [1]})).mark_rule(color="#555", strokeDash=[4, 3]).encode(
        y=alt.Y("v:Q"))
    ev = alt.Chart(pd.DataFrame({"date": [event]})).mark_rule(color="#bbb").encode(
        x=dx)
    return alt.layer(one, ev, lines, pts, ev_pts, width=width, height=HEIGHT).add_params(*params)
