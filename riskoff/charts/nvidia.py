"""Chapter 3 charts: the intraday reversal, earnings reactions, who fell with Nvidia, and the
network of announced AI deals."""
from __future__ import annotations

import json
from typing import Sequence

import altair as alt
import pandas as pd

from . import base
from ..i18n import N_, _

# Encodings use typed channels (alt.Text, alt.XValue, alt.ColorValue...), not shorthand
# strings, alt.value or alt.condition dicts: Altair converts those with from_dict, about
# 2 ms each, on every kernel redraw. Layered charts take their size in alt.layer(...):
# each chained .properties() deep-copies every layer again. The spec is the same.

# Minutes after midnight, shown as a New York clock time (09:30 = 570).
CLOCK_LABEL = "utcFormat(datum.value * 60000, '%H:%M')"
PHONE = "containerSize()[0] < 450"  # a phone-width page
BAR_AXIS = base.category_axis()
# Room at both ends of a bar chart's value axis for the value labels (pixels).
VALUE_SCALE = alt.Scale(padding=44)
SESSION_TICKS = [570, 630, 690, 750, 810, 870, 930]


def _names_expr(symbols: Sequence[str], labels: dict | None = None) -> str:
    names = labels or {s: base.label_of(s) for s in symbols}
    return f"{json.dumps({s: names[s] for s in symbols})}[datum.symbol]"


def _colour(symbols: Sequence[str], names: Sequence[str], toggles=None) -> alt.Color:
    # The catalog's colours on a fixed domain: each keeps its colour when another is hidden.
    return base.asset_colour(symbols, names=names, toggles=toggles, lines=True)


def _domains(frame: pd.DataFrame, by: str, field: str, pad: float = 0.06) -> dict:
    """Per-option scale domains (including zero), computed from the whole frame.

    A data-driven domain would warn in the browser when the reader hides every series (an
    empty extent); a fixed domain per option keeps each view's scale and stays quiet.
    """
    out = {}
    for key, vals in frame.groupby(by)[field]:
        lo, hi = min(0.0, float(vals.min())), max(0.0, float(vals.max()))
        span = (hi - lo) or 0.01
        out[str(key)] = [round(lo - pad * span, 6), round(hi + pad * span, 6)]
    return out


def _domain_expr(domains: dict, param: str) -> dict:
    return {"expr": f"{json.dumps(domains)}[{param}]"}


def _value_labels(chart: alt.Chart) -> list[alt.Chart]:
    """Value labels beyond each bar's end: right of a rising bar, left of a falling one (so
    they never sit inside a bar or on the zero line; the value scale's padding makes room)."""
    return [chart.mark_text(align=alt.ExprRef("datum.value < 0 ? 'right' : 'left'"),
                            dx=alt.ExprRef("datum.value < 0 ? -4 : 4"), fontSize=11).encode(
        x=alt.X("value:Q"), text=alt.Text("value:Q", format="+.1%"))]


# ---------------------------------------------------------------------------- reversal

def reversal(frame: pd.DataFrame, static: bool = True, days: Sequence[str] = (),
             day_labels: Sequence[str] = (), day: str | None = None,
             shown: Sequence[str] = (), labels: dict | None = None,
             width="container") -> alt.LayerChart:
    """Intraday paths against the previous session's close, in New York time.

    ``frame`` rows: symbol, day, kind ("path" points or the "high" bar), minute, minute_end,
    time, time_end, price, change. Static: the reader picks the day and the instruments;
    kernel: the frame holds one day and the chosen instruments only.
    """
    symbols = list(dict.fromkeys(frame["symbol"]))
    labels = labels or {s: base.label_of(s) for s in symbols}
    # Kernel: the frame sits once on the layer chart and the layers inherit it; Altair
    # converts a frame again for every layer holding it. Static output is unchanged.
    shared = alt.Undefined if static else frame
    chart = alt.Chart(frame if static else alt.Undefined).transform_calculate(
        name=_names_expr(symbols, labels))
    params = []
    if static:
        p_day = base.select("day", days, day_labels or days, value=day, label=_("Session"))
        toggles, keep = base.symbol_toggles(symbols, shown or symbols, prefix="intra")
        params = [p_day, *toggles]
        chart = chart.transform_filter("datum.day === day").transform_filter(keep)
    chart = chart.transform_calculate(day_txt=base.date_text("day"))
    colour = _colour(symbols, [labels[s] for s in symbols],
                     [p.name for p in params[1:]] if static else None)
    y_scale = (alt.Scale(domain=_domain_expr(_domains(frame, "day", "change"), "day"),
                         nice=False) if static else alt.Scale())
    x = alt.X("minute:Q", title=_("New York time (ET)"),
              scale=alt.Scale(domain=[570, 1000], nice=False),
              axis=alt.Axis(values=SESSION_TICKS, labelExpr=CLOCK_LABEL, grid=True))
    # A fixed label extent keeps the axis title in view when the day changes the labels.
    y = alt.Y("change:Q", title=_("Change from previous close"),
              axis=alt.Axis(format=".1~%", minExtent=44), scale=y_scale)
    paths = chart.transform_filter("datum.kind === 'path'")
    zero = alt.Chart(pd.DataFrame({"change": [0.0]})).mark_rule(
        color="#777", strokeDash=[4, 3]).encode(y=alt.Y("change:Q"))
    lines = paths.mark_line(strokeWidth=1.8).encode(x=x, y=y, color=colour)
    tips = paths.mark_circle(size=60, opacity=0).encode(
        x=x, y=y, color=colour,
        tooltip=[alt.Tooltip("name:N", title=_("Instrument")),
                 alt.Tooltip("day_txt:N", title=_("Session")),
                 alt.Tooltip("time:N", title=_("New York time")),
                 alt.Tooltip("point:N", title=_("Price taken from")),
                 alt.Tooltip("price:Q", title=_("Price (USD; S&P 500 in index points)"),
                             format=",.2f"),
                 alt.Tooltip("change:Q", title=_("Change from previous close"), format="+.2%")])
    highs = chart.transform_filter("datum.kind === 'high'").mark_rule(
        strokeWidth=5, strokeCap="round").encode(
        x=x, x2=alt.X2("minute_end:Q"), y=y, color=colour,
        tooltip=[alt.Tooltip("name:N", title=_("Instrument")),
                 alt.Tooltip("day_txt:N", title=_("Session")),
                 alt.Tooltip("time:N", title=_("High within the bar from")),
                 alt.Tooltip("time_end:N", title=_("to")),
                 alt.Tooltip("price:Q", title=_("Session high (USD; S&P 500 in index points)"),
                             format=",.2f"),
                 alt.Tooltip("change:Q", title=_("High vs previous close"), format="+.2%"),
                 alt.Tooltip("open_to_high:Q", title=_("Open to high"), format="+.2%"),
                 alt.Tooltip("high_to_close:Q", title=_("High to close"), format="+.2%")])
    # Right of the close: one bracket per instrument from its high down to its close.
    falls = chart.transform_filter("datum.kind === 'high'").mark_rule(
        strokeWidth=3).encode(
        x=alt.X("fall_x:Q"), y=alt.Y("change:Q"), y2=alt.Y2("close_change:Q"), color=colour,
        tooltip=[alt.Tooltip("name:N", title=_("Instrument")),
                 alt.Tooltip("day_txt:N", title=_("Session")),
                 alt.Tooltip("change:Q", title=_("High vs previous close"), format="+.2%"),
                 alt.Tooltip("close_change:Q", title=_("Close vs previous close"),
                             format="+.2%"),
                 alt.Tooltip("high_to_close:Q", title=_("High to close"), format="+.2%")])
    layers = [zero, lines, tips, highs, falls]
    if static:
        layers.append(_none_ticked([p.name for p in params[1:]],
                                   [_("No instrument ticked:"), _("tick one below the chart.")]))
    return alt.layer(*layers, data=shared,
                     width=width, height=base.HEIGHT).add_params(*params)


def _none_ticked(toggles: Sequence[str], lines: Sequence[str]) -> alt.Chart:
    """Short lines in the plot while every series is switched off, so an empty plot says
    why it is empty; in the half away from the zero line, which would strike them."""
    return alt.Chart({"values": [{"t": list(lines)}]}).transform_filter(
        " && ".join(f"!{t}" for t in toggles) or "false").mark_text(
        fontSize=12, lineHeight=16, color="#555").encode(
        x=alt.XValue(alt.ExprRef("width / 2")), y=alt.YValue(alt.ExprRef(
            "scale('y', 0) > height / 2 ? height * 0.25 : height * 0.75")),
        text=alt.Text("t:N"))


# ---------------------------------------------------------------------------- earnings

FOCUS = (N_("20 Nov 2025"), N_("other results days"))   # shown with _()

def earnings(frame: pd.DataFrame, static: bool = True, width="container") -> alt.LayerChart:
    """One bar per results release: the stock's move on the session after it.

    ``frame`` rows: event, session, measure, measure_label, value, focus (the Nov 2025 event).
    Static: the reader picks the measure; kernel: the frame holds one measure.
    """
    chart = alt.Chart(frame)
    params = []
    if static:
        measures = list(dict.fromkeys(frame["measure"]))
        names = list(dict.fromkeys(frame["measure_label"]))
        p_measure = base.radio("emeasure", measures, names, label=_("Measure"))
        params = [p_measure]
        chart = chart.transform_filter("datum.measure === emeasure")
    order = list(dict.fromkeys(frame.sort_values("session")["event"]))
    x_scale = (alt.Scale(domain=_domain_expr(_domains(frame, "measure", "value"), "emeasure"),
                         nice=False, padding=44) if static else VALUE_SCALE)
    chart = chart.transform_filter("isValid(datum.value)").transform_calculate(
        session_txt=base.date_text("session")).encode(
        y=alt.Y("event:N", sort=order, title=None, axis=BAR_AXIS))
    bars = chart.mark_bar(height={"band": 0.7}).encode(
        x=alt.X("value:Q", title=_("Next-session move"), stack=None,
                axis=alt.Axis(format="%", labelFlush=30), scale=x_scale),
        color=alt.Color("focus:N", title=None,
                        scale=alt.Scale(domain=[_(f) for f in FOCUS], range=[base.PALETTE[1],
                                                                   base.PALETTE[0]]),
                        legend=alt.Legend(orient="bottom", symbolType="square",
                                          labelLimit=0, columns=base.by_width(1, 2))),
        tooltip=[alt.Tooltip("event:N", title=_("Release")),
                 alt.Tooltip("session_txt:N", title=_("Session after it")),
                 alt.Tooltip("measure_label:N", title=_("Measure")),
                 alt.Tooltip("value:Q", title=_("Value"), format="+.2%")])
    return alt.layer(bars, *_value_labels(chart), width=width, height=260).add_params(*params)


# ---------------------------------------------------------------------------- peers

def peers(frame: pd.DataFrame, static: bool = True, shown: Sequence[str] = (),
          window: str | None = None, width="container") -> alt.LayerChart:
    """Horizontal bars: each stock's change over a window, on its own market's sessions.

    ``frame`` rows: symbol, window, window_label, value, start, end, detail.
    """
    symbols = list(dict.fromkeys(frame["symbol"]))
    chart = alt.Chart(frame).transform_calculate(name=_names_expr(symbols))
    params = []
    if static:
        windows = list(dict.fromkeys(frame["window"]))
        labels = list(dict.fromkeys(frame["window_label"]))
        p_window = base.select("pwindow", windows, labels, value=window, label=_("Window"))
        toggles, keep = base.symbol_toggles(symbols, shown or symbols, prefix="peer")
        params = [p_window, *toggles]
        chart = chart.transform_filter("datum.window === pwindow").transform_filter(keep)
    x_scale = (alt.Scale(domain=_domain_expr(_domains(frame, "window", "value"), "pwindow"),
                         nice=False, padding=44) if static else VALUE_SCALE)
    chart = chart.transform_filter("isValid(datum.value)").transform_calculate(
        start_txt=base.date_text("start"), end_txt=base.date_text("end")).encode(
        y=alt.Y("name:N", sort=alt.EncodingSortField("value", op="min"), title=None,
                axis=base.category_axis(symbols)))
    bars = chart.mark_bar(height={"band": 0.7}).encode(
        x=alt.X("value:Q", title=_("Change over the window"), stack=None,
                axis=alt.Axis(format="%", labelFlush=30), scale=x_scale),
        color=alt.ColorValue(base.RISE, condition={"test": "datum.value < 0", "value": base.FALL}),
        tooltip=[alt.Tooltip("name:N", title=_("Stock or fund")),
                 alt.Tooltip("window_label:N", title=_("Window")),
                 alt.Tooltip("start_txt:N", title=_("From close of")),
                 alt.Tooltip("end_txt:N", title=_("To close of")),
                 alt.Tooltip("value:Q", title=_("Change"), format="+.2%"),
                 alt.Tooltip("detail:N", title=_("Note"))])
    return alt.layer(bars, *_value_labels(chart), width=width, height=260).add_params(*params)


# ---------------------------------------------------------------------------- deals network

FLOW_COLOURS = {"investment or equity": base.PALETTE[0],
                "purchase commitment": base.PALETTE[5]}
X_DOMAIN, Y_DOMAIN = (-1.6, 1.6), (-1.35, 1.35)
# Narrow screens (phones) get smaller circles and text; radii in pixels, plus a margin.
NARROW = "width < 450"
NODE_PX = f"({NARROW} ? 19 : 26)"


def _edge_geometry(chart: alt.Chart) -> alt.Chart:
    """Edge ends, label spots and arrow angles from the plot's size in pixels.

    Data units map to pixels differently across and down (the width follows the page), so
    the shortening by the node radius and the side-by-side offset of two-way deals are done
    in pixels, in the browser, with Vega's width and height signals.
    """
    xs, ys = X_DOMAIN[1] - X_DOMAIN[0], Y_DOMAIN[1] - Y_DOMAIN[0]
    return chart.transform_calculate(
        kx=f"width / {xs}", ky=f"height / {ys}",
    ).transform_calculate(
        len="sqrt(pow((datum.x2 - datum.x1) * datum.kx, 2) + pow((datum.y2 - datum.y1) * datum.ky, 2))",
    ).transform_calculate(
        ex="(datum.x2 - datum.x1) * datum.kx / datum.len",
        ey="(datum.y2 - datum.y1) * datum.ky / datum.len",
        off="datum.pair ? 5 : 0",
    ).transform_calculate(
        xs=f"datum.x1 + (datum.ex * {NODE_PX} - datum.ey * datum.off) / datum.kx",
        ys=f"datum.y1 + (datum.ey * {NODE_PX} + datum.ex * datum.off) / datum.ky",
        xe=f"datum.x2 + (-datum.ex * ({NODE_PX} + 6) - datum.ey * datum.off) / datum.kx",
        ye=f"datum.y2 + (-datum.ey * ({NODE_PX} + 6) + datum.ex * datum.off) / datum.ky",
        nx="-datum.ey * datum.side", ny="datum.ex * datum.side",
        angle="atan2(datum.ex, datum.ey) * 180 / PI",
    ).transform_calculate(
        # Label beside the middle of the edge, clear of the line by a few pixels more
        # when the text sits above or below it.
        gap="datum.off + 7 + 6 * abs(datum.ny)",
    ).transform_calculate(
        lx="(datum.x1 + datum.x2) / 2 + datum.nx * datum.gap / datum.kx",
        ly="(datum.y1 + datum.y2) / 2 + datum.ny * datum.gap / datum.ky",
        lalign="datum.nx > 0.5 ? 'left' : datum.nx < -0.5 ? 'right' : 'center'",
    )


def deals(nodes: pd.DataFrame, edges: pd.DataFrame, static: bool = True,
          max_amount: float = 300, width="container") -> alt.LayerChart:
    """Announced deals as a network: companies at fixed positions, one arrow per deal.

    ``nodes``: company, x, y, deals. ``edges``: from ch3.deal_layout (x1, y1, x2, y2, pair,
    side, stroke, label, flow, payer, payee, kind, amount_bn_usd, amount_text, announced, what,
    source_url). Static: a smallest-deal slider and a company highlight; kernel: pandas
    filtered the edges and both frames carry the highlight as a boolean column ``hl``.
    """
    xsc = alt.Scale(domain=list(X_DOMAIN), nice=False, zero=False)
    ysc = alt.Scale(domain=list(Y_DOMAIN), nice=False, zero=False)

    def pos(xf, yf):
        return {"x": alt.X(f"{xf}:Q", scale=xsc, axis=None),
                "y": alt.Y(f"{yf}:Q", scale=ysc, axis=None)}

    from ..widgets import records  # to_values(frame)'s records, quicker

    params = []
    # Kernel: each frame is converted once here, not again for each of its layers (same
    # spec: the values end up in "datasets" either way).
    edge = alt.Chart(edges if static else {"values": records(edges)})
    node = alt.Chart(nodes if static else {"values": records(nodes)})
    if static:
        p_min = alt.param(name="minbn", value=0,
                          bind=alt.binding_range(min=0, max=max_amount, step=10,
                                                 name=_("Smallest deal shown (bn USD)") + " "))
        p_hl = base.select("hl", ["none", *nodes["company"]], [_("(none)"), *nodes["company"]],
                           label=_("Highlight company"))
        params = [p_min, p_hl]
        edge = edge.transform_filter(
            "isValid(datum.amount_bn_usd) ? datum.amount_bn_usd >= minbn : minbn == 0"
        ).transform_calculate(
            lit="hl === 'none' || datum.payer === hl || datum.payee === hl")
        node = node.transform_calculate(lit="hl === 'none' || datum.company === hl")
    else:
        edge = edge.transform_calculate(lit="datum.hl")
        node = node.transform_calculate(lit="datum.hl")
    edge = _edge_geometry(edge).transform_calculate(
        announced_txt=base.date_text("announced"))
    opacity = alt.OpacityValue(0.12, condition={"test": "datum.lit", "value": 0.9})
    colour = alt.Color("flow:N", title=_("Announced flow"),
                       scale=alt.Scale(domain=[_(f) for f in FLOW_COLOURS],
                                       range=list(FLOW_COLOURS.values())),
                       legend=alt.Legend(orient="bottom", symbolType="stroke"))
    tips = [alt.Tooltip("payer:N", title=_("From")), alt.Tooltip("payee:N", title=_("To")),
            alt.Tooltip("kind:N", title=_("Kind")),
            alt.Tooltip("amount_text:N", title=_("Announced amount (bn USD)")),
            alt.Tooltip("announced_txt:N", title=_("Announced")),
            alt.Tooltip("what:N", title=_("What was announced")),
            alt.Tooltip("source_url:N", title=_("Source"))]
    lines = edge.mark_rule().encode(
        **pos("xs", "ys"), x2=alt.X2("xe:Q"), y2=alt.Y2("ye:Q"), color=colour, opacity=opacity,
        strokeWidth=alt.StrokeWidth("stroke:Q", scale=None),
        strokeDash=alt.StrokeDashValue([5, 4], condition={"test": "isValid(datum.amount_bn_usd)",
                                                           "value": [1, 0]}),
        tooltip=tips)
    heads = edge.mark_point(shape="triangle-up", filled=True, size=150).encode(
        **pos("xe", "ye"), angle=alt.Angle("angle:Q", scale=None), color=colour,
        opacity=opacity, tooltip=tips)
    # Text alignment cannot follow a field, so one layer per alignment.
    font = {"expr": f"{NARROW} ? 8 : 10"}
    labels = [edge.transform_filter(f"datum.lalign === '{a}'").mark_text(
        fontSize=font, fontWeight="bold", align=a).encode(
        **pos("lx", "ly"), text=alt.Text("label:N"), opacity=opacity, tooltip=tips)
        for a in ("left", "center", "right")]
    node_opacity = alt.OpacityValue(0.35, condition={"test": "datum.lit", "value": 1})
    dots = node.mark_circle(size={"expr": f"{NARROW} ? 1050 : 1900"}, color="#f4f4f4", stroke="#333",
                            strokeWidth=1.2).encode(
        **pos("x", "y"), opacity=node_opacity,
        tooltip=[alt.Tooltip("company:N", title=_("Company")),
                 alt.Tooltip("deals:Q", title=_("Deals in this table"))])
    names = node.mark_text(fontSize=font, fontWeight="bold").encode(
        **pos("x", "y"), text=alt.Text("company:N"), opacity=node_opacity)
    layer = alt.layer if static else base.kernel_layer  # kernel: skip Altair's layer copies
    return layer(lines, heads, *labels, dots, names,
                 width=width, height=380).add_params(*params)
