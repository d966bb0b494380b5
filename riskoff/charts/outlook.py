"""Chapter 5 charts: historical analogs, volatility regimes, what happened next, trend gauge.

Static mode: the reader's controls are Vega-Lite parameters that filter a small precomputed
frame or compute in the browser. Kernel mode (static=False): pandas computed the drawn
columns already; the same marks and encodings draw them without parameters.
"""
from __future__ import annotations

import json
from typing import Mapping, Sequence

import altair as alt
import pandas as pd

from . import base
from ..i18n import N_, _, d3_month, is_zh, p_, vega_format, vega_text, wrap

# Encodings use typed channels (alt.Text, alt.XValue, alt.ColorValue...), not shorthand
# strings, alt.value or alt.condition dicts: Altair converts those with from_dict, about
# 2 ms each, on every kernel redraw. Layered charts take their size in alt.layer(...):
# each chained .properties() deep-copies every layer again. The spec is the same.

OUTCOMES = ["bear", "recovered", "open"]
OUTCOME_LABELS = {"bear": N_("fell 20%+ below the high first"),
                  "recovered": N_("regained the high first"),
                  "open": N_("neither yet (end of data)")}   # shown with _()


# Words inside f-strings below (Babel's extractor does not look into f-strings).
_IN_FSTRINGS = (N_("(dashed: thresholds)"), N_("Multiple of own 2025 median"),
                N_("(dashed: threshold)"), N_("Annualized volatility (dashed: thresholds)"),
                N_("Multiple of own 2025 median (dashed: threshold)"), N_("Last month"))


def _outcome_labels() -> dict:
    return {k: _(v) for k, v in OUTCOME_LABELS.items()}


def _js(obj) -> str:
    # English as before (ASCII escapes); Chinese as it reads.
    return json.dumps(obj, ensure_ascii=not is_zh())
OUTCOME_COLOURS = [base.FALL, base.RISE, "#999999"]  # grey: not yet decided
BIN = 0.02  # width of the return bins of the dot plot (2 percentage points)


def _names_expr(symbols: Sequence[str]) -> str:
    return f"{json.dumps({s: base.label_of(s) for s in symbols})}[datum.symbol]"


def _date_x(title: str | None = None, fmt: str | None = None) -> alt.X:
    title = _("Date") if title is None else title
    fmt = d3_month() if fmt is None else fmt
    return alt.X("date:T", title=title, scale=alt.Scale(type="utc"),
                 axis=alt.Axis(format=fmt, labelOverlap=True, tickCount=base.tick_count(70),
                               labelSeparation=6))


# ---------------------------------------------------------------------------- analogs

def analogs(frame: pd.DataFrame, static: bool = True, indices: Mapping[str, str] = None,
            xs: Sequence[float] = (0.05, 0.075, 0.10, 0.15), hs: Sequence[int] = (3, 6, 12, 24),
            horizons: Sequence[int] = (3, 6, 12), value: tuple = ("NDX_month_end", 0.075, 6, 6),
            width="container") -> alt.LayerChart:
    """Dot plot: one dot per signal month at its forward return, coloured by its outcome.

    Static: ``frame`` is analogs.grid() (index, date, peak_date, fall, months_since_peak,
    ret3/ret6/ret12, outcome); the reader picks index, X, H, horizon and whether to keep only
    the first signal month of each episode. Kernel: ``frame`` holds the chosen signal months
    with ``ret`` (the forward return), ``hz`` (its horizon in months) and a boolean ``first``.
    """
    chart = alt.Chart(frame)
    params = []
    if static:
        indices = indices or {k: k for k in frame["index"].unique()}
        idx0, x0, h0, hz0 = value
        p_idx = base.radio("idx", list(indices), list(indices.values()), value=idx0,
                           label=_("Index"))
        p_x = base.select("fallx", list(xs), [f"{x:.1%}".replace(".0%", "%") for x in xs],
                          value=x0, label=_("Fall of at least"))
        p_h = base.select("within", list(hs), [_("{n} months").format(n=h) for h in hs],
                          value=h0, label=_("within ... of the high"))
        p_hz = base.radio("horizon", list(horizons),
                          [_("{n} months").format(n=h) for h in horizons],
                          value=hz0, label=_("Return over the next"))
        p_mode = base.radio("mode", ["all", "first"],
                            [_("every signal month"), _("first month of each episode")],
                            label=_("Count"))
        params = [p_idx, p_x, p_h, p_hz, p_mode]
        chart = chart.transform_filter(
            "datum.index === idx && datum.fall <= -fallx && datum.months_since_peak <= within"
        ).transform_window(
            rank="row_number()", groupby=["peak_date"], sort=[{"field": "date"}]
        ).transform_calculate(
            first="datum.rank === 1"
        ).transform_filter(
            "mode === 'all' || datum.first"
        ).transform_calculate(ret="datum['ret' + horizon]", hz="horizon")
    chart = chart.transform_filter("isValid(datum.ret)").transform_calculate(
        rbin=f"(floor(datum.ret / {BIN}) + 0.5) * {BIN}",
        is_bear="datum.outcome === 'bear' ? 1 : 0",
        first_bear="datum.first && datum.outcome === 'bear' ? 1 : 0",
        rose="datum.ret > 0 ? 1 : 0",
        outcome_label=f"{_js(_outcome_labels())}[datum.outcome]",
        month_txt=base.date_text("date", month=True),
        peak_txt=base.date_text("peak_date", month=True))
    dots = chart.transform_window(
        stack="row_number()", groupby=["rbin"],
        sort=[{"field": "outcome"}, {"field": "date"}]
    ).mark_circle(size=70, opacity=0.9, stroke="white", strokeWidth=0.5).encode(
        x=alt.X("rbin:Q", title=_("Return over the chosen horizon"),
                axis=alt.Axis(format="+.0%")),
        y=alt.Y("stack:Q", title=_("Months (one dot each)"), axis=alt.Axis(tickMinStep=1),
                scale=alt.Scale(domainMin=0)),
        color=alt.Color("outcome:N", title=_("Then the index"),
                        scale=alt.Scale(domain=OUTCOMES, range=OUTCOME_COLOURS),
                        legend=alt.Legend(labelExpr=f"{_js(_outcome_labels())}[datum.label]",
                                          columns=1, symbolType="circle", labelLimit=0,
                                          titleLimit=0)),
        tooltip=[alt.Tooltip("month_txt:N", title=_("Signal month")),
                 alt.Tooltip("fall:Q", title=_("Below prior high"), format=".1%"),
                 alt.Tooltip("months_since_peak:Q", title=_("Months since the high")),
                 alt.Tooltip("peak_txt:N", title=_("Prior high (month)")),
                 alt.Tooltip("ret:Q", title=_("Return over horizon"), format="+.1%"),
                 alt.Tooltip("outcome_label:N", title=_("Then"))])
    zero = alt.Chart(pd.DataFrame({"z": [0]})).mark_rule(color="#777").encode(x=alt.X("z:Q"))
    median = chart.mark_rule(strokeDash=[5, 3], color="black", strokeWidth=1.5).encode(
        x=alt.X("median(ret):Q"),
        tooltip=[alt.Tooltip("median(ret):Q", title=_("Median return"), format="+.1%"),
                 alt.Tooltip("count():Q", title=_("Months"))])
    stats = chart.transform_aggregate(
        months="count()", episodes="distinct(peak_date)", med="median(ret)", rose="mean(rose)",
        bear="sum(is_bear)", first_bear="sum(first_bear)", groupby=["hz"]
    ).transform_calculate(**(dict(
        line1=vega_format(_("{months} months, {episodes} episodes"), months="datum.months",
                          episodes="datum.episodes"),
        line2=vega_format(_("median {hz}-month return {med}"), hz="datum.hz",
                          med="format(datum.med, '+.1%')"),
        line3=vega_format(_("{rose} of these months rose"), rose="format(datum.rose, '.0%')"),
        line4=vega_format(_("bear market ahead: {months} months, {episodes} episodes"),
                          months="datum.bear", episodes="datum.first_bear"))
        if is_zh() else dict(
        line1="datum.months + ' month' + (datum.months === 1 ? '' : 's') + ', ' + "
              "datum.episodes + ' episode' + (datum.episodes === 1 ? '' : 's')",
        line2="'median ' + datum.hz + '-month return ' + format(datum.med, '+.1%')",
        line3="format(datum.rose, '.0%') + ' of these months rose'",
        line4="'bear market ahead: ' + datum.bear + ' month' + (datum.bear === 1 ? '' : 's') + "
              "', ' + datum.first_bear + ' episode' + (datum.first_bear === 1 ? '' : 's')")))
    # Short lines above the plot: they must fit a phone-width chart.
    texts = [stats.mark_text(align="left", baseline="top", fontSize=11, dy=dy,
                             limit=alt.ExprRef("max(width, 120)")).encode(
        x=alt.XValue(0), y=alt.YValue(0), text=alt.Text(f"{line}:N"))
        for dy, line in ((-62, "line1"), (-48, "line2"), (-34, "line3"), (-20, "line4"))]
    return alt.layer(zero, dots, median, *texts,
                     width=width, height=base.HEIGHT).add_params(*params)


# ---------------------------------------------------------------------------- volatility

def volatility(frame: pd.DataFrame, static: bool = True, medians: Mapping | None = None,
               windows: Sequence[int] = (10, 21, 63), multiples: Sequence[float] = (1, 1.25, 1.5),
               event: str = "2025-11-21", scale: str = "level", width="container"
               ) -> alt.LayerChart:
    """Lines of realized volatility (VIX: level / 100) with each series' threshold.

    Static: ``frame`` holds (date, symbol, v10, v21, v63); ``medians`` maps symbol -> window
    -> the series' 2025 pre-event median. The reader picks the window, the scale (level or
    multiple of the median), the threshold multiple and one or all series. Kernel: ``frame`` holds
    (date, symbol, vol, y, thr, ratio) already, on the ``scale`` ("level" or "ratio").
    """
    symbols = list(dict.fromkeys(frame["symbol"]))
    # Kernel: the frame sits once on the layer chart and the layers inherit it; Altair
    # converts a frame again for every layer holding it. Static output is unchanged.
    shared = alt.Undefined if static else frame
    chart = alt.Chart(frame if static else alt.Undefined).transform_calculate(
        name=_names_expr(symbols))
    params = []
    title = _("Annualized volatility")
    if static:
        p_win = base.select("win", list(windows),
                            [_("{n} observations").format(n=w) for w in windows],
                            value=21, label=_("Window"))
        p_scale = base.radio("vscale", ["level", "ratio"],
                             [_("annualized level"), _("multiple of own 2025 median")],
                             label=_("Scale"))
        p_mult = base.select("mult", list(multiples),
                             [_("{m} × own 2025 median").format(m=f"{m:g}") for m in multiples],
                             label=_("Threshold"))
        # One dropdown rather than a checkbox per series, so no choice leaves the chart empty;
        # the VIX (not windowed) is shown with the Nasdaq-100, so the window always matters.
        sets = {"all": symbols}
        for s in symbols:
            if s != "VIX":
                sets[s] = [s, "VIX"] if s == "NDX" and "VIX" in symbols else [s]
        labels = [_("all")] + [p_("list", " and ").join(base.label_of(x) for x in v)
                               for k, v in sets.items() if k != "all"]
        p_show = base.select("vshow", list(sets), labels, label=_("Series"))
        keep = f"indexof({json.dumps(sets)}[vshow], datum.symbol) >= 0"
        params = [p_win, p_scale, p_mult, p_show]
        med = json.dumps({s: {str(k): v for k, v in m.items()} for s, m in medians.items()})
        chart = chart.transform_filter(keep).transform_calculate(
            vol="datum['v' + win]", med=f"{med}[datum.symbol]['' + win]"
        ).transform_calculate(
            y="vscale === 'level' ? datum.vol : datum.vol / datum.med",
            thr="vscale === 'level' ? datum.med * mult : mult",
            ratio="datum.vol / datum.med")
        title = alt.Title(text=alt.ExprRef(
            f"{base.NARROW} ? (vscale === 'level' ? [{vega_text(_('Annualized volatility'))}, "
            f"{vega_text(_('(dashed: thresholds)'))}] : "
            f"[{vega_text(_('Multiple of own 2025 median'))}, "
            f"{vega_text(_('(dashed: threshold)'))}]) : "
            f"vscale === 'level' ? {vega_text(_('Annualized volatility (dashed: thresholds)'))} "
            f": {vega_text(_('Multiple of own 2025 median (dashed: threshold)'))}"))
    y_axis = alt.Axis(labelExpr="vscale === 'level' ? format(datum.value, '.0%') : "
                                "format(datum.value, '.1f') + '×'") if static \
        else alt.Axis(format=".0%" if scale == "level" else ".1f")
    # A fixed domain keeps each series' colour when the reader shows fewer series.
    color = base.asset_colour(symbols, lines=True)
    lines = chart.mark_line(strokeWidth=1.4).encode(
        x=_date_x(), y=alt.Y("y:Q", title=None, axis=y_axis), color=color)
    thresholds = chart.mark_rule(strokeDash=[4, 3], strokeWidth=1.2).encode(
        y=alt.Y("mean(thr):Q"), color=color,
        tooltip=[alt.Tooltip("name:N", title=_("Series")),
                 alt.Tooltip("mean(thr):Q",
                             title=_("Threshold (volatility as a fraction, or × median)"),
                             format=".2f")])
    points = chart.mark_circle(size=40, opacity=0).encode(
        x=_date_x(), y=alt.Y("y:Q"), color=color,
        tooltip=[alt.Tooltip("name:N", title=_("Series")), base.date_tip(),
                 alt.Tooltip("vol:Q", title=_("Annualized volatility"), format=".1%"),
                 alt.Tooltip("ratio:Q", title=_("Multiple of 2025 median"), format=".2f")])
    ev = alt.Chart(pd.DataFrame({"date": [event], "label": [base.date_label("2025-11-21")]})
                   ).encode(x=_date_x())
    rule = ev.mark_rule(color="#555", strokeDash=[2, 2]).encode(
        tooltip=[alt.Tooltip("label:N", title=_("Event"))])
    label = ev.mark_text(align="left", dx=3, dy=-4, fontSize=10, color="#555").encode(
        y=alt.YValue(0), text=alt.Text("label:N"))
    return alt.layer(lines, thresholds, points, rule, label, data=shared,
                     width=width, height=base.HEIGHT, title=title).add_params(*params)


# ---------------------------------------------------------------------------- after 21 Nov

MEASURE_TITLES = {"change": N_("Change since the 21 Nov 2025 close"),
                  "drawdown": N_("Below the highest close since 21 Nov 2025"),
                  "prior": N_("Against the highest close before 21 Nov 2025 (0% = new high)")}


def after(frame: pd.DataFrame, static: bool = True, groups: Mapping[str, Sequence[str]] = None,
          prior_highs: Mapping[str, float] = None, group: str | None = None,
          width="container") -> alt.LayerChart:
    """Paths after 21 Nov 2025 under one of three measures (all fractions).

    Static: ``frame`` holds (date, symbol, close) from the reference session on; the reader
    picks a group of assets and the measure; ``prior_highs`` maps symbol -> highest close in
    the cache before the reference. Kernel: ``frame`` holds (date, symbol, value).
    """
    symbols = list(dict.fromkeys(frame["symbol"]))
    chart = alt.Chart(frame).transform_calculate(name=_names_expr(symbols))
    params = []
    titles = {k: _(v) for k, v in MEASURE_TITLES.items()}
    title = titles["change"]
    if static:
        names = list(groups)
        p_group = base.select("group", names, names, value=group or names[0], label=_("Assets"))
        p_measure = base.radio("measure", list(MEASURE_TITLES),
                               [_("change since 21 Nov"), _("below running high since"),
                                _("vs prior high")], label=_("Measure"))
        params = [p_group, p_measure]
        chart = chart.transform_filter(
            f"indexof({json.dumps({k: list(v) for k, v in groups.items()})}[group], "
            "datum.symbol) >= 0"
        ).transform_window(
            first="first_value(close)", peak="max(close)", groupby=["symbol"],
            sort=[{"field": "date"}], frame=[None, 0]
        ).transform_calculate(
            value="measure === 'change' ? datum.close / datum.first - 1 : "
                  "measure === 'drawdown' ? datum.close / datum.peak - 1 : "
                  f"datum.close / {json.dumps(dict(prior_highs))}[datum.symbol] - 1")
        # Two lines on a phone-width chart.
        short = ({k: wrap(v, 30) for k, v in titles.items()} if is_zh() else
                 {k: [v[:v.index(" 21 Nov")], v[v.index(" 21 Nov") + 1:]]
                  for k, v in titles.items()})
        title = alt.Title(text=alt.ExprRef(
            f"{base.NARROW} ? {_js(short)}[measure] : "
            f"{_js(titles)}[measure]"))
    # Every asset in its catalog colour; the legend lists the chosen group only.
    shown = (alt.ExprRef(f"{_js({k: [base.label_of(s) for s in v] for k, v in groups.items()})}[group]")
             if static else None)
    color = base.asset_colour(symbols, lines=True, **({"values": shown} if static else {}))
    x = _date_x()
    lines = chart.mark_line(strokeWidth=1.5).encode(
        x=x, y=alt.Y("value:Q", title=None, axis=alt.Axis(format="+.0%")), color=color)
    points = chart.mark_circle(size=40, opacity=0).encode(
        x=x, y=alt.Y("value:Q"), color=color,
        tooltip=[alt.Tooltip("name:N", title=_("Asset")), base.date_tip(),
                 alt.Tooltip("value:Q", title=_("Value"), format="+.1%")])
    zero = alt.Chart(pd.DataFrame({"z": [0]})).mark_rule(color="#777").encode(y=alt.Y("z:Q"))
    return alt.layer(zero, lines, points,
                     width=width, height=base.HEIGHT, title=title).add_params(*params)


# ---------------------------------------------------------------------------- trend gauge

def trend_gap(frame: pd.DataFrame, marks: pd.DataFrame, static: bool = True,
              fits: Mapping[str, str] = None, width="container") -> alt.LayerChart:
    """Monthly S&P level against a log-linear trend (log scale), with labelled peaks.

    Static: ``frame`` holds (date, g_<fit>...) one gap column per fit window (empty before the
    window starts); ``marks`` holds (fit, label, date, gap). The reader picks the fit window.
    Kernel: ``frame`` holds (date, gap) and ``marks`` (label, date, gap) for one fit.
    """
    line_c, mark_c = alt.Chart(frame), alt.Chart(marks)
    params = []
    if static:
        p_fit = base.select("fit", list(fits), list(fits.values()), label=_("Trend fitted over"))
        params = [p_fit]
        line_c = line_c.transform_calculate(gap="datum['g_' + fit]")
        mark_c = mark_c.transform_filter("datum.fit === fit")
    # A ratio on a log axis: +100% and -50% sit at the same distance from the trend.
    line_c = line_c.transform_filter("isValid(datum.gap)").transform_calculate(
        ratio="1 + datum.gap")
    mark_c = mark_c.transform_calculate(ratio="1 + datum.gap")
    x = _date_x(_("Month"), "%Y")
    y = alt.Y("ratio:Q", title=_("Distance from the trend"),
              scale=alt.Scale(type="log", nice=False, padding=8),
              axis=alt.Axis(labelExpr="format(datum.value - 1, '+.0%')",
                            values=[0.25, 0.5, 1, 2, 4, 8, 16]))
    line = line_c.mark_line(strokeWidth=1.2, color=base.colour_of("SP500_shiller")
                            ).encode(x=x, y=y)
    hover = line_c.mark_circle(size=30, opacity=0).encode(
        x=x, y=alt.Y("ratio:Q"),
        tooltip=[alt.Tooltip("utcyearmonth(date):T", title=_("Month"), format=d3_month()),
                 alt.Tooltip("gap:Q", title=_("Above trend"), format="+.0%")])
    one = alt.Chart(pd.DataFrame({"z": [1]})).mark_rule(color="#777").encode(y=alt.Y("z:Q"))
    dots = mark_c.mark_point(size=70, filled=True, color=base.FALL).encode(
        x=x, y=alt.Y("ratio:Q"),
        tooltip=[alt.Tooltip("text:N" if is_zh() else "label:N", title=_("Marked month")),
                 alt.Tooltip("utcyearmonth(date):T", title=_("Month"), format=d3_month()),
                 alt.Tooltip("gap:Q", title=_("Above trend"), format="+.0%")])
    text = mark_c.transform_filter("datum.labelled").mark_text(
        align="right", dx=-6, dy=-8, fontSize=11).encode(
        x=x, y=alt.Y("ratio:Q"), text=alt.Text("text:N" if is_zh() else "label:N"))
    return alt.layer(one, line, hover, dots, text,
                     width=width, height=base.HEIGHT).add_params(*params)
