"""Chapter 1 charts: who fell most, rebased paths, drawdowns from peak."""
from __future__ import annotations

import json
from typing import Sequence

import altair as alt
import pandas as pd

from . import base
from ..i18n import _, d3_month


def _names_expr(symbols: Sequence[str]) -> str:
    # Display names are looked up in the browser, so rows carry only the short symbol.
    return f"{json.dumps({s: base.label_of(s) for s in symbols})}[datum.symbol]"


def _date_x(title: str | None = None) -> alt.X:
    # UTC scale: dates are calendar dates, and must not shift with the reader's time zone.
    return alt.X("date:T", title=_("Date") if title is None else title,
                 scale=alt.Scale(type="utc"),
                 axis=alt.Axis(format=d3_month(), labelOverlap=True, tickCount=base.tick_count()))


# Vega-Lite parses a temporal field into a Date before any transform runs.
AFTER = "time(datum.date) >= time(toDate({}))"


def _short_axis(symbols: Sequence[str], **props) -> alt.Axis:
    """Category axis of display names, abbreviated on a narrow plot (tooltips keep the full name)."""
    short = json.dumps({base.label_of(s): base.short_of(s) for s in symbols})
    return alt.Axis(labelExpr=f"{base.NARROW} ? ({short}[datum.value] || datum.value) : "
                              "datum.value", labelLimit=0, **props)


def who_fell(grid: pd.DataFrame, static: bool = True, width="container") -> alt.Chart:
    """Horizontal bars of one measure on one date; static mode picks both in the browser.

    ``grid``: rows (date, symbol, measure, measure_label, value) from metrics.scoreboard.
    """
    symbols = list(dict.fromkeys(grid["symbol"]))
    chart = alt.Chart(grid).transform_calculate(name=_names_expr(symbols))
    params = []
    if static:
        dates = sorted(grid["date"].unique())
        measures = list(dict.fromkeys(grid["measure"]))
        labels = list(dict.fromkeys(grid["measure_label"]))
        p_date = base.select("session", dates, [base.date_label(d) for d in dates],
                             value="2025-11-20" if "2025-11-20" in dates else dates[0],
                             label=_("Session"))
        p_measure = base.radio("measure", measures, labels, label=_("Measure"))
        params = [p_date, p_measure]
        chart = chart.transform_filter("datum.date === session && datum.measure === measure")
    # Both layers share one y encoding, so their sorted domains agree.
    chart = chart.transform_filter("isValid(datum.value)").transform_calculate(
        session_txt=base.date_text("date")).encode(
        y=alt.Y("name:N", sort=alt.EncodingSortField("value", op="min"), title=None,
                axis=_short_axis(symbols)))
    # Room beyond both bar ends for the value labels, which sit outside the bars.
    x = alt.X("value:Q", title=_("Change"), scale=alt.Scale(padding=56),
              axis=alt.Axis(format="%", tickCount=base.tick_count(60), labelOverlap=True))
    bars = chart.mark_bar(height={"band": 0.75}).encode(
        x=x,
        color=alt.condition("datum.value < 0", alt.value(base.FALL), alt.value(base.RISE)),
        tooltip=[alt.Tooltip("name:N", title=_("Asset")),
                 alt.Tooltip("session_txt:N", title=_("Session")),
                 alt.Tooltip("measure_label:N", title=_("Measure")),
                 alt.Tooltip("value:Q", title=_("Value"), format="+.2%")],
    )
    # A fall's label left of its bar, a rise's right of it: never over a bar or the zero line.
    text = chart.mark_text(align=alt.ExprRef("datum.value < 0 ? 'right' : 'left'"),
                           dx=alt.ExprRef("datum.value < 0 ? -4 : 4"), fontSize=11).encode(
        # Two decimals: the book's one rounding of a move (riskoff.findings.pct).
        x=alt.X("value:Q"), text=alt.Text("value:Q", format="+.2%"))
    return alt.layer(bars, text).add_params(*params).properties(width=width, height=300)


def rebased(frame: pd.DataFrame, static: bool = True, base_options: Sequence[str] = (),
            shown: Sequence[str] = (), width="container") -> alt.LayerChart:
    """Lines rebased to 100 at a base date.

    Static: ``frame`` holds (date, symbol, close); the reader picks the base date and the
    series, and the browser divides each series by its first close on or after the base.
    Kernel: ``frame`` holds (date, symbol, rebased) already computed by metrics.rebase.
    """
    symbols = list(dict.fromkeys(frame["symbol"]))
    chart = alt.Chart(frame).transform_calculate(name=_names_expr(symbols))
    params = []
    if static:
        p_base = base.select("base", base_options, [base.date_label(d) for d in base_options],
                             label=_("Rebase to 100 on"))
        toggles, keep = base.symbol_toggles(symbols, shown or symbols)
        params = [p_base, *toggles]
        chart = chart.transform_filter(
            AFTER.format("base")).transform_filter(keep).transform_window(
            first="first_value(close)", groupby=["symbol"], sort=[{"field": "date"}]
        ).transform_calculate(rebased="100 * datum.close / datum.first")
    out = _lines(chart, "rebased:Q", _("Level (base date = 100)"), ".1f", width,
                 symbols, toggles=[p.name for p in toggles] if static else None
                 ).add_params(*params)
    # The figure tools let the reader rebase to any date of the axis (typed or clicked).
    return out.properties(usermeta={"riskoff": {"pick_date": "base",
                                                "pick_label": _("Rebase to 100 on any date")}}
                          ) if static else out


def drawdowns(frame: pd.DataFrame, static: bool = True, start_options: Sequence[str] = (),
              shown: Sequence[str] = (), width="container") -> alt.LayerChart:
    """Distance below the running peak close since a start date (0% at a new high)."""
    symbols = list(dict.fromkeys(frame["symbol"]))
    chart = alt.Chart(frame).transform_calculate(name=_names_expr(symbols))
    params = []
    if static:
        p_start = base.select("start", start_options,
                              [base.date_label(d) for d in start_options],
                              label=_("Peak measured from"))
        toggles, keep = base.symbol_toggles(symbols, shown or symbols, prefix="dd")
        params = [p_start, *toggles]
        chart = chart.transform_filter(
            AFTER.format("start")).transform_filter(keep).transform_window(
            peak="max(close)", groupby=["symbol"], sort=[{"field": "date"}],
            frame=[None, 0]).transform_calculate(drawdown="datum.close / datum.peak - 1")
    return _lines(chart, "drawdown:Q", _("Below running peak close"), ".1%", width, symbols,
                  pct=True, toggles=[p.name for p in toggles] if static else None
                  ).add_params(*params)


def _lines(chart: alt.Chart, y: str, title: str, fmt: str, width, symbols: Sequence[str],
           pct: bool = False, toggles: Sequence[str] | None = None) -> alt.LayerChart:
    y_axis = alt.Axis(format="%") if pct else alt.Axis()
    # The catalog's colour per asset; the legend lists only the ticked series.
    color = base.asset_colour(symbols, toggles=toggles, lines=True)
    lines = chart.mark_line(strokeWidth=1.6).encode(
        x=_date_x(), y=alt.Y(y, title=title, axis=y_axis, scale=alt.Scale(zero=False)),
        color=color)
    # Invisible points carry the tooltips, so hovering anywhere on a line shows its value.
    points = chart.mark_circle(size=50, opacity=0).encode(
        x=_date_x(), y=alt.Y(y), color=color,
        tooltip=[alt.Tooltip("name:N", title=_("Asset")), base.date_tip(),
                 alt.Tooltip(y, title=title, format=fmt)])
    return alt.layer(lines, points).properties(width=width, height=base.HEIGHT)
