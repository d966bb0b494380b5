"""Chapter 2 charts: the FedWatch odds against markets, the FedWatch calculator, Treasury
yield moves and the cuts the 2-year yield priced.

Static builders bind Vega-Lite parameters to inputs and compute in the browser; with
``static=False`` the frames were computed by pandas (riskoff.ch2 explorers) and are drawn as
they are.
"""
from __future__ import annotations

import json
from typing import Sequence

import altair as alt
import pandas as pd
from altair.utils.data import to_values

from . import base, words
from ..i18n import N_, _, d3_date_short, is_zh, vega_format, vega_text

# Encodings use typed channels (alt.Text, alt.XValue, alt.ColorValue...), not shorthand
# strings, alt.value or alt.condition dicts: Altair converts those with from_dict, about
# 2 ms each, on every kernel redraw. Layered charts take their size in alt.layer(...):
# each chained .properties() deep-copies every layer again. The spec is the same.

# Short names with units, and a fixed colour per series so a series keeps its colour when
# the reader switches between them.
# (English; name_of() and the builders write them in the reader's language.)
SERIES = {
    "DGS2": (N_("2-year Treasury yield (%)"), base.colour_of("DGS2")),
    "DGS10": (N_("10-year Treasury yield (%)"), base.colour_of("DGS10")),
    "TNX": (N_("10-year yield, Cboe index (%)"), base.colour_of("TNX")),
    "NDX": (N_("Nasdaq-100 (points)"), base.colour_of("NDX")),
    "GSPC": (N_("S&P 500 (points)"), base.colour_of("GSPC")),
}
# Panel headings on a phone-width plot.
SHORT = {"DGS2": N_("2-year yield (%)"), "DGS10": N_("10-year yield (%)"),
         "TNX": N_("10-year, Cboe (%)"), "NDX": N_("Nasdaq-100"), "GSPC": N_("S&P 500")}
# Event labels on a phone-width plot (the tooltip keeps the full label and the detail).
EVENT_SHORT = {N_("FOMC · Powell"): N_("FOMC"), N_("Sept. payrolls"): N_("Payrolls"),
               N_("Nvidia reversal"): N_("Nvidia"), N_("FOMC cut"): N_("Cut")}
# Words used inside f-strings below (Babel's extractor does not look into f-strings).
_IN_FSTRINGS = (N_(", daily close"), N_("FedWatch odds, Dec cut (%)"),
                N_("FedWatch odds of a December cut (published figures)"), N_("article"),
                N_("Rate through the month"), N_("Treasury yields (bp):"),
                N_("change since the window began"), N_("change from the previous close"),
                N_("Treasury yields: change since the close before the window (bp)"),
                N_("Treasury yields: change from the previous close (bp)"), N_("No change"),
                N_("{bp} bp cut"), N_("{bp} bp hike"), N_("no change"), N_("a cut of {bp} bp"),
                N_("a hike of {bp} bp"))
# The odds table's reading kinds (keys of the data; shown in the reader's language).
READINGS = (N_("exact"), N_("approximate"))
ODDS_COLORS = {"exact": base.PALETTE[0], "approximate": base.PALETTE[1]}
EVENT_COLOR = "#777777"
_PATH, _OUTCOME = "path", "outcome"  # parts of the kernel calculator frame
# Neutral tones of the Okabe-Ito set, by value (their place in base.PALETTE may change).
GREY, BLACK = "#999999", "#000000"


def name_of(symbol: str) -> str:
    return _(SERIES[symbol][0]) if symbol in SERIES else base.label_of(symbol)


_json = json.dumps


def _notes_expr(odds: pd.DataFrame) -> str:
    notes = sorted({n for n in odds["note"].dropna()})
    return json.dumps({n: _(n) for n in notes}, ensure_ascii=False) + "[datum.note]"


def _reading_expr() -> str:
    # The reading kind as the reader's word (the data keep the English key).
    return json.dumps({k: _(k) for k in READINGS}, ensure_ascii=False) + "[datum.reading]"


def _x(title=None, fmt=None, axis=True, grid=True) -> alt.X:
    fmt = d3_date_short() if fmt is None else fmt
    # UTC scale: calendar dates must not shift with the reader's time zone. About one tick
    # per 75 px, so labels never run together.
    return alt.X("date:T", title=title, scale=alt.Scale(type="utc"),
                 axis=alt.Axis(format=fmt, labelOverlap=True, tickCount=base.tick_count(75),
                               labelSeparation=6, grid=grid) if axis else None)


def _event_layers(events, x, band_top: int, lines: Sequence[tuple], tips) -> list:
    """Event rules and their labels. Labels sit in a band above the plot, one line per stagger
    level; each rule spans only the panels (``lines``: (top, bottom) pixel pairs, a bottom may
    be an expression), so no rule strikes through a label. A label near the right edge is
    right-aligned so it stays inside the chart."""
    rules = [events.mark_rule(color=EVENT_COLOR, strokeDash=[4, 3], strokeWidth=1.2).encode(
        x=x, y=alt.YValue(top), y2=alt.Y2Value(bottom), tooltip=tips) for top, bottom in lines]
    short = json.dumps({_(k): _(v) for k, v in EVENT_SHORT.items()})
    events = events.transform_calculate(
        lbl=f"{base.NARROW} ? ({short}[datum.label] || datum.label) : "
            "datum.label")
    # About 6.5 px per character of 11 px text.
    right = "scale('x', datum.date) + 6.5 * length(datum.lbl) > width"
    labels = [events.mark_text(
        align=alt.ExprRef(f"{right} ? 'right' : 'left'"), dx=alt.ExprRef(f"{right} ? -3 : 3"),
        baseline="top", fontSize=11, color="#333").encode(
        x=x, y=alt.YValue(alt.ExprRef(f"{band_top} + {T_LABELS} * datum.level")),
        text=alt.Text("lbl:N"), tooltip=tips)]
    # Each label's tick from the band down to its rule's top, so a label finds its rule. On
    # a phone-width plot a tick would cross the labels of later events: none there.
    ticks = events.mark_rule(color=EVENT_COLOR, strokeWidth=1,
                             opacity=base.by_width(0, 1)).encode(
        x=x, y=alt.YValue(alt.ExprRef(f"{band_top} + {T_LABELS} * datum.level + 6")),
        y2=alt.Y2Value(lines[0][0]))
    return [*rules, ticks, *labels]


def _window_filter(param: str) -> str:
    # Vega-Lite has already parsed the :T field into a Date when transforms run.
    return (f"time(datum.date) >= time(toDate(split({param}, '/')[0])) && "
            f"time(datum.date) <= time(toDate(split({param}, '/')[1]))")


def _independent(*channels: str) -> alt.Resolve:
    """What .resolve_scale(channel="independent", ...) sets, for the LayerChart constructor."""
    return alt.Resolve(scale=alt.ScaleResolveMap(**{c: "independent" for c in channels}))


def _series_color(symbols: Sequence[str]) -> alt.Scale:
    names = [name_of(s) for s in symbols]
    return alt.Scale(domain=names, range=[SERIES.get(s, ("", BLACK))[1]
                                          for s in symbols])


# ----------------------------------------------------------------------------- 1. timeline
# One layered view (so width="container" fits phones) drawn as stacked panels: each panel's
# y scale gets its own band of pixels. Layout of the timeline, in pixels from the top:
T_LABELS = 13          # event labels: one line per stagger level (levels 0-3)
T_BAND = 20            # top of the event labels, under the odds panel's title
T_ODDS = (100, 250)    # odds panel: top, bottom (its title above, clear of labels at 100%)
T_MARKET = (296, 430)  # market panel: top, bottom
T_HEIGHT = 430


# Value labels of the odds: 10 px text, about 6 px a character, 11 px above or 14 px below
# the point's centre.
V_CHAR, V_ABOVE, V_BELOW, V_HALF = 6, 11, 14, 6


def _beside_rules(dates) -> tuple[alt.ExprRef, alt.ExprRef]:
    """Align and dx of a value label: centred on its point, or beside it (right, else left)
    when an event rule would run through the centred label. In pixels, in the browser, so it
    holds at any width and in any date window."""
    ms = sorted({int(pd.Timestamp(d, tz="UTC").value // 10**6) for d in dates})
    x, w = "scale('x', datum.date)", f"{V_CHAR} * length(datum.txt)"

    def hit(lo: str, hi: str) -> str:
        return " || ".join(f"inrange(scale('x', {m}), [{x} + {lo}, {x} + {hi}])"
                           for m in ms) or "false"

    side = (f"!({hit(f'-{w} / 2 - 3', f'{w} / 2 + 3')}) ? 0 : "
            f"!({hit('2', f'{w} + 8')}) && {x} + {w} + 6 <= width ? 1 : -1")
    return (alt.ExprRef(f"({side}) === 0 ? 'center' : ({side}) === 1 ? 'left' : 'right'"),
            alt.ExprRef(f"5 * ({side})"))


def _clear_of_lines(odds: pd.DataFrame, lines) -> pd.Series:
    """``below``, flipped where a horizontal line (the article's figures) would strike the
    label through its middle on that side."""
    per_pt = (T_ODDS[1] - T_ODDS[0]) / 100  # pixels per percentage point

    def struck(p, below):
        centre = -p * per_pt + (V_BELOW if below else -V_ABOVE)
        return any(abs(-v * per_pt - centre) < V_HALF - 1 for v in lines)

    return pd.Series([(not b) if struck(p, b) and not struck(p, not b) else b
                      for p, b in zip(odds["p_cut"], odds["below"].astype(bool))],
                     index=odds.index)


def _panel_title(text, y: int) -> alt.Chart:
    """A panel heading drawn as a text mark, clipped to the chart width."""
    # Inline values: nothing for Altair to convert, and the same dataset as a one-row frame.
    data = alt.Chart({"values": [{"t": 0}]})
    if isinstance(text, str):
        data = data.transform_calculate(txt=repr(text))
    else:  # an expression
        data = data.transform_calculate(txt=text.expr)
    return data.mark_text(align="left", baseline="bottom", fontSize=12, fontWeight="bold",
                          limit=alt.expr("width + 30")).encode(
        x=alt.XValue(0), y=alt.YValue(y), text=alt.Text("txt:N"))


def _values(frame: pd.DataFrame) -> dict:
    """altair's to_values(frame) for a redraw, by widgets.records (equal, and quicker)."""
    from ..widgets import records

    return {"values": records(frame)}


def timeline(odds: pd.DataFrame, market: pd.DataFrame, events: pd.DataFrame,
             static: bool = True, windows: Sequence[tuple[str, str]] = (),
             article: pd.DataFrame | None = None, width="container") -> alt.LayerChart:
    """Published FedWatch odds (upper panel) and one market series (lower panel), one date axis.

    ``odds``: rows (date, p_cut, reading ('exact'|'approximate'), below (label the point
    below it), note, source_url).
    ``market``: rows (date, symbol, value); static mode holds every offered symbol and the
    reader picks one. ``events``: rows (date, label, detail, source, level).
    ``windows``: static date windows as ("YYYY-MM-DD/YYYY-MM-DD", label).
    ``article``: the article's figures as rows (value, short, label), drawn as dotted lines.
    """
    symbols = list(dict.fromkeys(market["symbol"]))
    names = {s: name_of(s) for s in symbols}
    params, win_filter, series_filter = [], "true", "true"
    if static:
        p_win = base.select("window", [w for w, _ in windows], [lbl for _, lbl in windows],
                            label=_("Window"))
        p_series = base.radio("overlay", symbols, [names[s] for s in symbols],
                              label=_("Market series"))
        params = [p_win, p_series]
        win_filter = _window_filter("window")
        series_filter = "datum.symbol === overlay"
        shorts = {s: _(SHORT[s]) if s in SHORT else names[s] for s in symbols}
        m_title = alt.expr(f"{base.NARROW} ? {_json(shorts)}[overlay] : "
                           f"{_json(names)}[overlay] + {vega_text(_(', daily close'))}")
    else:
        m_title = _(", ").join(names.values()) + _(", daily close")

    ev_tip = [base.date_tip(), alt.Tooltip("label:N", title=_("Event")),
              alt.Tooltip("detail:N", title=_("What happened")),
              alt.Tooltip("source:N", title=_("Source"))]

    # Kernel: each frame sits once, converted, on the (sub)layer chart that draws it and the
    # layers inherit it; Altair would convert a frame again for every layer holding it.
    def own(frame):
        return frame if static else alt.Undefined

    def shared(frame):
        return alt.Undefined if static else _values(frame)

    layer = alt.layer if static else base.kernel_layer

    ev = alt.Chart(own(events)).transform_filter(win_filter)
    # No vertical gridlines: they would cross the gap between the panels.
    ev_layers = _event_layers(ev, _x(grid=False), T_BAND, [T_ODDS, T_MARKET], ev_tip) \
        if len(events) else []

    if article is not None and len(article):
        odds = odds.assign(below=_clear_of_lines(odds, article["value"]))
    od = alt.Chart(own(odds)).transform_filter(win_filter)
    p_axis = alt.Y("p_cut:Q", title=_("Odds of a Dec cut (%)"),
                   scale=alt.Scale(domain=[0, 100], range=[T_ODDS[1], T_ODDS[0]]),
                   axis=alt.Axis(tickCount=5))
    odds_tip = [base.date_tip(), alt.Tooltip("p_cut:Q",
                                             title=_("Published odds of a December cut (%)"),
                                             format=".1f"),
                alt.Tooltip("reading_txt:N" if is_zh() else "reading:N", title=_("Reading")),
                alt.Tooltip("note_txt:N" if is_zh() else "note:N", title=_("Note")),
                alt.Tooltip("source_url:N", title=_("Source address"))]
    if is_zh():   # the reading kind and the note in the reader's words
        od = od.transform_calculate(reading_txt=_reading_expr(), note_txt=_notes_expr(odds))
    line = od.mark_line(color="#bbbbbb", strokeWidth=1.2).encode(x=_x(grid=False), y=p_axis)
    points = od.mark_point(size=70, filled=True, opacity=1).encode(
        x=_x(grid=False), y=p_axis,
        color=alt.Color("reading:N", title=_("Published odds"),
                        scale=alt.Scale(domain=list(ODDS_COLORS),
                                        range=list(ODDS_COLORS.values())),
                        legend=alt.Legend(orient="bottom", direction="horizontal",
                                          **({"labelExpr": _reading_expr().replace(
                                              "datum.reading", "datum.label")}
                                             if is_zh() else {}))),
        shape=alt.Shape("reading:N", title=_("Published odds"),
                        scale=alt.Scale(domain=list(ODDS_COLORS), range=["circle", "diamond"])),
        tooltip=odds_tip)
    # Value labels above a point, or below it when the odds fell since the previous reading
    # (``below`` column), so neighbouring labels do not collide; beside an event rule, not on
    # it. A phone-width plot is too narrow for them: the tooltips carry the values there.
    txt = od.transform_calculate(
        txt=f"{base.NARROW} ? '' : (datum.reading === 'approximate' ? '≈' : '') + "
            "format(datum.p_cut, '.3~f')")
    align, dx = _beside_rules(events["date"] if len(events) else [])
    values = [txt.mark_text(dy=alt.ExprRef(f"datum.below ? {V_BELOW} : -{V_ABOVE}"), fontSize=10,
                            align=align, dx=dx, color="#333").encode(
        x=_x(grid=False), y=alt.Y("p_cut:Q"), text=alt.Text("txt:N"), tooltip=odds_tip)]
    odds_layers = [line, points, *values]
    if article is not None and len(article):
        art = alt.Chart(to_values(article) if static else _values(article))  # once for both
        # The figure's label goes right of the plot, in the gutter of the market axis, where
        # no odds point can sit under it.
        odds_layers += [
            art.mark_rule(color=BLACK, strokeDash=[1, 3], strokeWidth=1.2).encode(
                y=alt.Y("value:Q"), tooltip=[alt.Tooltip("label:N", title=_("Article"))]),
            art.transform_calculate(txt=f"[{vega_text(_('article'))}, "
                                        "format(datum.value, '.3~f') + '%']").mark_text(
                align="left", baseline="middle", dx=4, fontSize=10, lineHeight=11,
                color="#333").encode(
                x=alt.XValue(alt.expr("width")), y=alt.Y("value:Q"), text=alt.Text("txt:N"),
                tooltip=[alt.Tooltip("label:N", title=_("Article"))])]
    odds_panel = layer(*odds_layers, data=shared(odds))

    mk = alt.Chart(own(market)).transform_filter(win_filter).transform_filter(series_filter
        ).transform_calculate(name=f"{_json(names)}[datum.symbol]")
    # A fixed label extent: the widest series (Nasdaq-100, "26,000") must not be cut.
    m_y = alt.Y("value:Q", title=None, axis=alt.Axis(orient="right", tickCount=5, minExtent=46,
                                                     labelLimit=0),
                scale=alt.Scale(zero=False, range=[T_MARKET[1], T_MARKET[0]]))
    m_line = mk.mark_line(strokeWidth=1.6).encode(
        x=_x(_("Date (2025)"), grid=False), y=m_y,
        color=alt.Color("name:N", title=None, scale=_series_color(symbols), legend=None))
    m_points = mk.mark_circle(size=45, opacity=0).encode(
        x=_x(grid=False), y=alt.Y("value:Q"),
        tooltip=[alt.Tooltip("name:N", title=_("Series")), base.date_tip(),
                 alt.Tooltip("value:Q", title=_("Close (% or points)"), format=",.2f")])
    market_panel = layer(m_line, m_points, data=shared(market))

    odds_title = alt.expr(f"{base.NARROW} ? {vega_text(_('FedWatch odds, Dec cut (%)'))} : "
                          f"{vega_text(_('FedWatch odds of a December cut (published figures)'))}")
    heads = [_panel_title(odds_title, T_BAND - 6), _panel_title(m_title, T_MARKET[0] - 10)]
    # Resolve and size go to the constructor: each chained call on a LayerChart deep-copies
    # every layer again, which a kernel redraw pays for.
    return layer(*ev_layers, *heads, odds_panel, market_panel, data=shared(events),
                 resolve=_independent("y", "color", "shape"), width=width,
                 height=T_HEIGHT).add_params(*params)


# ----------------------------------------------------------------------------- 2. calculator
# Also one layered view with stacked bands: computed values, outcome bars, rate path.
C_TEXT = 4             # four lines of computed values
C_BARS = (96, 142)     # outcome bars: top, bottom
C_PATH = (184, 334)    # rate path: top, bottom
C_HEIGHT = 334


# FedWatch arithmetic, as in riskoff.fedwatch (rates in percent), as Vega expressions over the
# calculator's sliders; calc_py does the same operations in the same order, so both give the
# same doubles (the words template relies on it, and its test runs Vega to check it).
CALC = dict(avg="100 - price", pre="100 - prior", valid="mday >= 2 && mday <= ndays",
            post="(ndays * (100 - price) - (mday - 1) * (100 - prior)) / (ndays - mday + 1)")
CALC["moves"] = f"(({CALC['post']}) - (100 - prior)) / 0.25"
# The two outcomes around the moves priced: k = 0 the whole moves, k = 1 one more.
OUTCOME = {
    "whole": lambda m: f"floor(abs({m}))",
    "rest": lambda m: f"abs({m}) - floor(abs({m}))",
    "sign": lambda m: f"{m} < 0 ? -1 : 1",
    "n": lambda sign, whole, k: f"{sign} * ({whole} + {k})",
    "prob": lambda rest, k: f"{k} === 0 ? 1 - {rest} : {rest}",
}


def calc_py(state) -> dict:
    """CALC and the two outcomes, computed in Python from the sliders' values."""
    import math

    price, prior, mday, ndays = state["price"], state["prior"], state["mday"], state["ndays"]
    out = {"avg": 100 - price, "pre": 100 - prior, "valid": 2 <= mday <= ndays}
    if not out["valid"]:
        return out
    post = (ndays * (100 - price) - (mday - 1) * (100 - prior)) / (ndays - mday + 1)
    moves = ((post) - (100 - prior)) / 0.25
    whole, rest = math.floor(abs(moves)), abs(moves) - math.floor(abs(moves))
    sign = -1 if moves < 0 else 1
    out.update(post=post, moves=moves,
               outcomes=[(sign * (whole + k), 1 - rest if k == 0 else rest) for k in (0, 1)])
    return out


def _outcome_label(n_expr: str) -> str:
    bp = f"(abs({n_expr}) * 25)"
    return (f"({n_expr}) === 0 ? {vega_text(_('No change'))} : (({n_expr}) < 0 ? "
            f"{vega_format(_('{bp} bp cut'), bp=bp)} : {vega_format(_('{bp} bp hike'), bp=bp)})"
            if is_zh() else
            f"({n_expr}) === 0 ? 'No change' : "
            f"(abs({n_expr}) * 25) + ' bp ' + (({n_expr}) < 0 ? 'cut' : 'hike')")


def calculator(frame: pd.DataFrame, static: bool = True, width="container") -> alt.LayerChart:
    """The FedWatch arithmetic for one meeting month, drawn.

    Static: ``frame`` is one row of starting inputs (price, prior_price, meeting_day,
    days_in_month); the reader moves sliders and the browser computes. Kernel: ``frame``
    holds the rows ch2.calculator_frame computed with riskoff.fedwatch (part = 'path' for
    the daily rate through the month, 'outcome' for the probabilities, 'summary').
    """
    if static:
        row = frame.iloc[0]
        p_price = alt.param(name="price", value=float(row["price"]), bind=alt.binding_range(
            min=95, max=100, step=0.0025, name=_("Futures price") + " "))
        p_prior = alt.param(name="prior", value=float(row["prior_price"]),
                            bind=alt.binding_range(min=95, max=100, step=0.0025,
                                                   name=_("Prior month price") + " "))
        p_day = alt.param(name="mday", value=int(row["meeting_day"]), bind=alt.binding_range(
            min=2, max=31, step=1, name=_("Decision day") + " "))
        p_n = alt.param(name="ndays", value=int(row["days_in_month"]), bind=alt.binding_range(
            min=28, max=31, step=1, name=_("Days in month") + " "))
        params = [p_price, p_prior, p_day, p_n]
        calc = CALC

        def base_chart(stop, as_):
            return alt.Chart(alt.sequence(0, stop, as_=as_)).transform_calculate(**calc)

        path = base_chart(32, "day").transform_filter(
            "datum.day >= 1 && datum.day <= ndays && datum.valid").transform_calculate(
            rate="datum.day < mday ? datum.pre : datum.post",
            period="datum.day < mday ? 'before the decision' : 'from the decision day'")
        outcome = base_chart(2, "k").transform_filter("datum.valid").transform_calculate(
            whole=OUTCOME["whole"]("datum.moves"), rest=OUTCOME["rest"]("datum.moves"),
            sign=OUTCOME["sign"]("datum.moves")).transform_calculate(
            n=OUTCOME["n"]("datum.sign", "datum.whole", "datum.k"),
            prob=OUTCOME["prob"]("datum.rest", "datum.k")).transform_calculate(
            label=_outcome_label("datum.n"))
        summary = base_chart(1, "k").transform_filter("datum.valid")
        invalid = base_chart(1, "k").transform_filter("!datum.valid")
    else:
        # The frame sits once on the layer chart and the layers inherit it: Altair
        # converts a frame again for every layer holding it.
        params = []
        data = alt.Chart()
        path = data.transform_filter(f"datum.part === '{_PATH}'")
        outcome = data.transform_filter(f"datum.part === '{_OUTCOME}'")
        summary = data.transform_filter("datum.part === 'summary'")
        invalid = None

    rate_tip = [alt.Tooltip("day:Q", title=_("Day of month")),
                alt.Tooltip("period:N", title=_("Period")),
                alt.Tooltip("rate:Q", title=_("Rate (%)"), format=".4f"),
                alt.Tooltip("avg:Q", title=_("Month's average implied by the futures (%)"),
                            format=".4f")]
    day_x = alt.X("day:Q", title=_("Day of the month"),
                  scale=alt.Scale(domain=[1, 31], nice=False),
                  axis=alt.Axis(tickMinStep=1, format="d", labelOverlap=True))
    rate_y = alt.Y("rate:Q", title=_("Rate (%)"),
                   scale=alt.Scale(zero=False, padding=10, range=[C_PATH[1], C_PATH[0]]),
                   axis=alt.Axis(tickCount=4))
    steps = path.mark_line(interpolate="step-after", strokeWidth=2, color=base.PALETTE[0]
                           ).encode(x=day_x, y=rate_y)
    dots = path.mark_circle(size=30, color=base.PALETTE[0]).encode(
        x=alt.X("day:Q"), y=alt.Y("rate:Q"), tooltip=rate_tip)
    first = path.transform_filter("datum.day === 1")
    avg_rule = first.mark_rule(color=base.PALETTE[1], strokeDash=[5, 3], strokeWidth=1.5
                               ).encode(y=alt.Y("avg:Q"), tooltip=[alt.Tooltip(
                                   "avg:Q", title=_("Average implied by the futures (%)"),
                                   format=".4f")])
    avg_text = first.transform_calculate(
        txt=vega_format(_("futures-implied average {avg}%"), avg="format(datum.avg, '.4f')")
    ).mark_text(
        align="left", dx=2, dy=-7, fontSize=10, color="#8a5a00").encode(
        x=alt.XValue(4), y=alt.Y("avg:Q"), text=alt.Text("txt:N"))
    path_panel = alt.layer(steps, dots, avg_rule, avg_text)

    # Outcome: one bar per outcome, the probability written next to it.
    out = outcome.encode(y=alt.Y("label:N", title=None, axis=None,
                                 sort=alt.EncodingSortField("n", op="min", order="ascending"),
                                 scale=alt.Scale(range=[C_BARS[0], C_BARS[1]],
                                                 paddingInner=0.25)))
    bar_x = alt.X("prob:Q", axis=None, scale=alt.Scale(domain=[0, 1]))
    bars = out.mark_bar(opacity=0.45).encode(
        x=bar_x, color=alt.ColorValue(base.PALETTE[0], condition={"test": "datum.n === 0",
                                                          "value": GREY}),
        tooltip=[alt.Tooltip("label:N", title=_("Outcome")),
                 alt.Tooltip("prob:Q", title=_("Probability"), format=".1%")])
    bar_text = out.transform_calculate(
        txt="datum.label + ': ' + format(datum.prob, '.1%')").mark_text(
        align="left", dx=4, fontSize=12).encode(x=alt.XValue(0), text=alt.Text("txt:N"))
    outcome_panel = alt.layer(bars, bar_text)

    lines = summary.transform_calculate(
        txt=("[" + ", ".join([
            vega_format(_("Pre-meeting rate {v}%"), v="format(datum.pre, '.4f')"),
            vega_format(_("Futures-implied average {v}%"), v="format(datum.avg, '.4f')"),
            vega_format(_("Post-meeting rate {v}%"), v="format(datum.post, '.5f')"),
            vega_format(_("Moves of 25 bp priced: {v}"), v="format(datum.moves, '+.4f')")]) + "]"
             if is_zh() else
             "['Pre-meeting rate ' + format(datum.pre, '.4f') + '%', 'Futures-implied "
             "average ' + format(datum.avg, '.4f') + '%', 'Post-meeting rate ' + "
             "format(datum.post, '.5f') + '%', 'Moves of 25 bp priced: ' + "
             "format(datum.moves, '+.4f')]")
    ).mark_text(align="left", baseline="top", fontSize=12, lineHeight=16,
                limit=alt.expr("width")).encode(
        x=alt.XValue(0), y=alt.YValue(C_TEXT), text=alt.Text("txt:N"),
        tooltip=[alt.Tooltip("pre:Q", title=_("Pre-meeting rate (%)"), format=".4f"),
                 alt.Tooltip("avg:Q", title=_("Average implied by the futures (%)"),
                             format=".4f"),
                 alt.Tooltip("post:Q", title=_("Post-meeting rate (%)"), format=".5f"),
                 alt.Tooltip("moves:Q", title=_("Moves of 25 bp priced"), format="+.4f")])
    top = [lines]
    if invalid is not None:
        top.append(invalid.transform_calculate(
            txt=vega_format(_("The decision day must fall inside the month (2 to {ndays})."),
                            ndays="ndays")
        ).mark_text(align="left", baseline="top", fontSize=12, color=base.FALL,
                    limit=alt.expr("width")).encode(x=alt.XValue(0), y=alt.YValue(C_TEXT),
                                                    text=alt.Text("txt:N")))
    heads = [_panel_title(_("Outcome implied by the prices"), C_BARS[0] - 6),
             _panel_title(alt.expr(f"{base.NARROW} ? {vega_text(_('Rate through the month'))} : "
                                   + vega_text(_("Rate through the month (before / after the "
                                                 "decision)"))),
                          C_PATH[0] - 8)]
    return alt.layer(*top, *heads, outcome_panel, path_panel,
                     data=alt.Undefined if static else frame, resolve=_independent("x", "y"),
                     width=width, height=C_HEIGHT).add_params(*params)



def _outcome_words(n: str) -> str:
    """An outcome in the takeaway: 'no change', 'a cut of 25 bp' (no article to agree)."""
    bp = f"(abs({n}) * 25)"
    return (f"(({n}) === 0 ? {vega_text(_('no change'))} : ({n}) < 0 ? "
            f"{vega_format(_('a cut of {bp} bp'), bp=bp)} : "
            f"{vega_format(_('a hike of {bp} bp'), bp=bp)})")


def _outcome_words_py(n) -> str:
    if n == 0:
        return _("no change")
    return (_("a cut of {bp} bp") if n < 0 else _("a hike of {bp} bp")).format(
        bp=words.js_number(abs(n) * 25))


def calculator_words(sample_size: int = 200) -> "words.Template":
    """The calculator's title and takeaway for any position of its sliders (about 5e8 states,
    too many for a table): a template whose slots Vega computes from the sliders with CALC and
    Python with calc_py. The sample (a fixed seed) is what the tests check Vega on."""
    import random

    moves = f"({CALC['moves']})"
    whole, rest, sign = (OUTCOME[k](moves) for k in ("whole", "rest", "sign"))

    def outcome(k):  # the k-th outcome's (n, probability) as expressions
        return (OUTCOME["n"](f"({sign})", f"({whole})", str(k)),
                OUTCOME["prob"](f"({rest})", str(k)))

    (n0, p0), (n1, p1) = outcome(0), outcome(1)
    # Ranked by probability, the lower move first when they are equal (as the bars' order).
    first = f"({rest}) > 0.5"

    def ranked(state):
        o = calc_py(state)["outcomes"]
        return o if o[1][1] <= 0.5 else o[::-1]

    slot = words.Slot
    slots = {
        "price": slot("format(price, '.4f')", lambda s: words.js_fixed(s["price"], 4)),
        "prior": slot("format(prior, '.4f')", lambda s: words.js_fixed(s["prior"], 4)),
        "mday": slot("'' + mday", lambda s: words.js_number(s["mday"])),
        "ndays": slot("'' + ndays", lambda s: words.js_number(s["ndays"])),
        "valid": slot(CALC["valid"], lambda s: calc_py(s)["valid"]),
        "pre": slot(f"format({CALC['pre']}, '.4f')", lambda s: words.js_fixed(calc_py(s)["pre"], 4)),
        "post": slot(f"format({CALC['post']}, '.5f')",
                     lambda s: words.js_fixed(calc_py(s)["post"], 5)),
        "p1": slot(f"format({first} ? ({p1}) : ({p0}), '.1%')",
                   lambda s: words.js_fixed(ranked(s)[0][1], 1, percent=True)),
        "o1": slot(f"{first} ? {_outcome_words(n1)} : {_outcome_words(n0)}",
                   lambda s: _outcome_words_py(ranked(s)[0][0])),
        "p2": slot(f"format({first} ? ({p0}) : ({p1}), '.1%')",
                   lambda s: words.js_fixed(ranked(s)[1][1], 1, percent=True)),
        "o2": slot(f"{first} ? {_outcome_words(n0)} : {_outcome_words(n1)}",
                   lambda s: _outcome_words_py(ranked(s)[1][0])),
    }
    rng = random.Random(13)

    def grid(i):  # a price on the sliders' grid, as the slider gives it
        return round(95 + i * 0.0025, 10)

    sample = [{"price": grid(rng.randrange(2001)), "prior": grid(rng.randrange(2001)),
               "mday": rng.randrange(2, 32), "ndays": rng.randrange(28, 32)}
              for _ in range(sample_size)]
    # Equal prices (no move priced) and a decision on day 16 of 30, where a gap of 0.0625
    # prices half a move: the ties of the ranking.
    sample += [{"price": 99.8, "prior": 99.8}, {"price": 99.8, "prior": 99.8625, "mday": 16},
               {"price": 99.8625, "prior": 99.8, "mday": 16}, {"mday": 31, "ndays": 30}]
    return words.Template(
        title=[_("FedWatch arithmetic, decision day {mday} of {ndays},"),
               _("futures {price}, prior month {prior}")],
        narrow=[_("FedWatch arithmetic, decision"), _("day {mday} of {ndays}, futures {price},"),
                _("prior month {prior}")],
        takeaway=[("valid", _("These prices imply a post-meeting rate of {post}% against {pre}% "
                              "before: {p1} for {o1}, {p2} for {o2}.")),
                  (None, _("No odds: the decision day must fall inside the month, on day 2 to "
                           "{ndays}."))],
        slots=slots, sample=sample)

# ----------------------------------------------------------------------------- 3. yields

def yield_moves(frame: pd.DataFrame, static: bool = True,
                windows: Sequence[tuple[str, str]] = (), width="container") -> alt.LayerChart:
    """Daily changes of Treasury yields in basis points, grouped by date.

    ``frame``: rows (date, symbol, change_bp) for every date; static mode lets the reader pick
    the window and whether bars show each day's change or the change accumulated since the
    close before the window. Kernel mode: rows (date, symbol, value) already computed.
    """
    symbols = list(dict.fromkeys(frame["symbol"]))
    # The bars are in basis points: the names carry no "(%)".
    names = {s: name_of(s).replace(" (%)", "").replace("（%）", "") for s in symbols}
    chart = alt.Chart(frame)
    params = []
    title: object = _("Treasury yields: change in basis points")
    if static:
        p_win = base.select("ywindow", [w for w, _ in windows], [lbl for _, lbl in windows],
                            label=_("Window"))
        p_measure = base.radio("ymeasure", ["day", "cum"],
                               [_("Each day's change"), _("Change since the window began")],
                               label=_("Bars show"))
        params = [p_win, p_measure]
        chart = chart.transform_filter(_window_filter("ywindow")).transform_window(
            cum="sum(change_bp)", groupby=["symbol"], sort=[{"field": "date"}],
            frame=[None, 0]).transform_calculate(
            value="ymeasure === 'cum' ? datum.cum : datum.change_bp")
        # Two short lines on a phone, one line on a wide column.
        title = alt.Title(text=alt.expr(
            f"{base.NARROW} ? [{vega_text(_('Treasury yields (bp):'))}, ymeasure === 'cum' ? "
            f"{vega_text(_('change since the window began'))} : "
            f"{vega_text(_('change from the previous close'))}] : "
            f"ymeasure === 'cum' ? "
            f"{vega_text(_('Treasury yields: change since the close before the window (bp)'))} : "
            f"{vega_text(_('Treasury yields: change from the previous close (bp)'))}"))
    chart = chart.transform_calculate(name=f"{json.dumps(names)}[datum.symbol]",
                                      date_txt=base.date_text("date"))
    # Level labels in two lines (weekday, date; on a phone day, month) so each day's label
    # fits its band; labelOverlap thins them only in long windows.
    x = alt.X("date:O", title=None, axis=alt.Axis(
        labelExpr=(f"{base.NARROW} ? [utcFormat(toDate(datum.value), '%-d日'), "
                   "utcFormat(toDate(datum.value), '%-m月')] : "
                   "[utcFormat(toDate(datum.value), '%a'), utcFormat(toDate(datum.value), "
                   "'%-m月%-d日')]") if is_zh() else
                  (f"{base.NARROW} ? [utcFormat(toDate(datum.value), '%-d'), "
                   "utcFormat(toDate(datum.value), '%b')] : "
                   "[utcFormat(toDate(datum.value), '%a'), utcFormat(toDate(datum.value), '%-d %b')]"),
        labelAngle=0, labelOverlap=True, labelPadding=4))
    bars = chart.mark_bar().encode(
        x=x, xOffset=alt.XOffset("name:N", sort=[names[s] for s in symbols]),
        y=alt.Y("value:Q", title=_("Change (bp)")),
        color=base.asset_colour(symbols, names=[names[s] for s in symbols]),
        tooltip=[alt.Tooltip("name:N", title=_("Series")),
                 alt.Tooltip("date_txt:N", title=_("Date")),
                 alt.Tooltip("value:Q", title=_("Change (bp)"), format="+.1f")])
    zero = alt.Chart(pd.DataFrame({"y": [0]})).mark_rule(color="#555").encode(y=alt.Y("y:Q"))
    return alt.layer(bars, zero, width=width, height=280, title=title).add_params(*params)


# ----------------------------------------------------------------------------- 4. cuts priced
C_BAND = 60  # top of the plot: the event labels (four levels) sit above it

def cuts_priced(frame: pd.DataFrame, events: pd.DataFrame, static: bool = True,
                view: str = "cuts", width="container") -> alt.LayerChart:
    """The 2-year yield against the policy range, or the cuts that gap implies.

    ``frame``: rows (date, two_year, low, high, mid, cuts). Static mode: a radio switches
    between the two views; kernel mode draws ``view``.
    """
    labels = {"two_year": _("2-year Treasury yield (%)"), "high": _("Target range, top (%)"),
              "low": _("Target range, bottom (%)"), "cuts": _("Cuts of 25 bp priced (approx.)")}
    # A short title line and the formula under it, so a phone-width chart can show both.
    cuts_title = [_("Cuts of 25 bp priced (approximation)"),
                  _("= (policy midpoint − 2-year yield) / 0.25")]
    levels_title = [_("2-year Treasury yield and the"), _("Fed funds target range (%)")]
    order = list(labels.values())
    levels_names = order[:3]
    # Long format, filtered by view: every view keeps rows, so no scale is ever left empty.
    chart = alt.Chart(frame).transform_fold(list(labels), as_=["measure", "y"])
    params = []
    if static:
        p_view = base.radio("cview", ["cuts", "levels"],
                            [_("25 bp cuts priced (approximation)"),
                             _("2-year yield and policy range")], label=_("Show"))
        params = [p_view]
        keep = "(cview === 'cuts') === (datum.measure === 'cuts')"
        # Lines of the title (Vega-Lite takes no expression for a subtitle); a phone gets
        # the formula on two lines.
        narrow_cuts = [cuts_title[0], _("= (policy midpoint − 2-year"), _("   yield) / 0.25")]
        title = alt.Title(text=alt.expr(
            f"cview === 'cuts' ? ({base.NARROW} ? {json.dumps(narrow_cuts)} : "
            f"{json.dumps(cuts_title)}) : {json.dumps(levels_title)}"))
        # The legend lists only the lines drawn in the current view.
        shown = alt.ExprRef(f"cview === 'cuts' ? {json.dumps(order[3:])} : "
                            f"{json.dumps(levels_names)}")
    else:
        keep = ("datum.measure === 'cuts'" if view == "cuts" else "datum.measure !== 'cuts'")
        title = alt.Title(text=cuts_title if view == "cuts" else levels_title)
        shown = order[3:] if view == "cuts" else levels_names
    chart = chart.transform_filter(keep).transform_calculate(
        series=f"{json.dumps(labels)}[datum.measure]")
    years = {d[:4] for d in frame["date"]}
    x = _x(_("Date ({year})").format(year=years.pop()) if len(years) == 1 else _("Date"))
    # The plot starts below a band for the event labels, so no line runs under them.
    y = alt.Y("y:Q", title=None, scale=alt.Scale(zero=False, range=[alt.ExprRef("height"),
                                                             C_BAND]))
    tip = [base.date_tip(), alt.Tooltip("two_year:Q", title=_("2-year yield (%)"), format=".2f"),
           alt.Tooltip("low:Q", title=_("Target range bottom (%)"), format=".2f"),
           alt.Tooltip("high:Q", title=_("Target range top (%)"), format=".2f"),
           alt.Tooltip("cuts:Q", title=_("Cuts of 25 bp priced (approx.)"), format=".2f")]
    color = alt.Color("series:N", title=None, sort=order,
                      scale=alt.Scale(domain=order, range=[SERIES["DGS2"][1], BLACK,
                                                           BLACK, base.PALETTE[0]]),
                      legend=alt.Legend(orient="bottom", columns=base.by_width(1, 2),
                                        labelLimit=0, values=shown, symbolType="stroke",
                                        symbolStrokeWidth=2.5, symbolSize=300))
    dash = alt.StrokeDash("series:N", sort=order, scale=alt.Scale(
        domain=order, range=[[1, 0], [5, 3], [2, 2], [1, 0]]))
    lines = chart.mark_line(strokeWidth=1.8).encode(x=x, y=y, color=color, strokeDash=dash)
    hover = chart.mark_circle(size=45, opacity=0).encode(x=x, y=y, tooltip=tip)
    ev_tip = [base.date_tip(), alt.Tooltip("label:N", title=_("Event")),
              alt.Tooltip("detail:N", title=_("What happened")),
              alt.Tooltip("source:N", title=_("Source"))]
    ev = _event_layers(alt.Chart(events), x, 0, [(C_BAND, alt.ExprRef("height"))], ev_tip)
    return alt.layer(lines, hover, *ev,
                     width=width, height=300, title=title).add_params(*params)
