"""What the static charts compute in the browser, rendered by Vega (vl-convert) and compared
with pandas: the fall/rise colour of bars, the trend model's moving-average window and the
inclusive percentile of the yield-move chart. Each of these once was a bug only nbval saw.

Marks are read from Vega's scenegraph: each item carries its fill and its tooltip as an
ARIA description ("Field: value; ..."), so a test reads what a reader would see.
"""
from __future__ import annotations

import re

import altair as alt
import pandas as pd
import pytest

from riskoff import ch1, ch3, ch4, metrics
from riskoff import data as rdata
from riskoff import drivers as dr
from riskoff.charts import base, market, nvidia
from riskoff.charts import drivers as dch

vlc = pytest.importorskip("vl_convert")
VL = ".".join(alt.VEGALITE_VERSION.split(".")[:2])


def marks(chart) -> list[tuple[str, dict]]:
    """(marktype, item) of every data mark Vega draws for ``chart`` at its defaults."""
    sg = vlc.vegalite_to_scenegraph(chart.to_dict(), vl_version=VL)
    out = []

    def walk(node):
        if isinstance(node, dict):
            if "marktype" in node and node.get("role") == "mark":
                out.extend((node["marktype"], it) for it in node.get("items", []))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(sg)
    return out


def fields(item: dict) -> dict[str, str]:
    return dict(p.split(": ", 1) for p in item.get("description", "").split("; ") if ": " in p)


def number(text: str) -> float:
    """A number as Vega formats it: Unicode minus, thousands commas, percent."""
    t = text.replace("\u2212", "-").replace(",", "")
    return float(t[:-1]) / 100 if t.endswith("%") else float(t)


# ---------------------------------------------------------------------------- colour sign

def _bar_colours(chart) -> list[tuple[float, str]]:
    bars = [(number(fields(i)["Value" if "Value" in fields(i) else "Change"]), i["fill"])
            for m, i in marks(chart) if m == "rect"]
    assert bars, "no bars drawn"
    return bars


def test_who_fell_bars_fall_colour_below_zero_rise_colour_above():
    grid = metrics.scoreboard(ch1.EVENT, ch1.SESSIONS)
    bars = _bar_colours(market.who_fell(grid))
    assert {v < 0 for v, _ in bars} == {True, False}  # both signs on the default session
    for value, fill in bars:
        assert fill == (base.FALL if value < 0 else base.RISE), (value, fill)


def test_peer_bars_fall_colour_below_zero_rise_colour_above():
    frames = {s: rdata.series(s) for s in ch3.PEERS}
    frame = ch3.window_changes(frames, ch3.PEER_WINDOWS)
    bars = _bar_colours(nvidia.peers(frame, window="d20"))
    assert {v < 0 for v, _ in bars} == {True, False}
    for value, fill in bars:
        assert fill == (base.FALL if value < 0 else base.RISE), (value, fill)


# ---------------------------------------------------------------------------- trend window

def test_trend_chart_positions_equal_pandas_moving_average_model():
    frame = ch4._trend_frame(("GSPC", "NDX"))
    chart = dch.trend(frame, lookbacks=ch4.LOOKBACKS, ticked=ch4.TICKED)
    names = {base.label_of(s): s for s in ("GSPC", "NDX")}
    expected = {s: dr.trend_position(rdata.series(s)["close"], ch4.TICKED, "ma")
                for s in names.values()}
    seen = 0
    for m, item in marks(chart):
        f = fields(item)
        if m != "symbol" or "Position" not in f or f.get("Index") not in names:
            continue
        sym = names[f["Index"]]
        day = pd.Timestamp(f"{f['Date']} 2025")  # the chart shows Sep-Dec 2025
        assert number(f["Position"]) == pytest.approx(expected[sym].loc[day], abs=0.006), \
            (sym, day)
        seen += 1
    assert seen > 100  # both indices, every session shown


# ---------------------------------------------------------------------------- percentile

def test_yield_chart_percentile_counts_ties_as_at_or_below():
    frame = ch4._yield_frame(("DGS2", "DGS10"))
    chart = dch.yield_moves(frame, lookbacks=ch4.YIELD_LOOKBACKS,
                            lookback_labels=ch4.YIELD_LABELS, event=ch4.EVENT)
    text = " ".join(i["text"] for m, i in marks(chart) if m == "text" and "text" in i
                    and "at or below" in str(i["text"]))
    share = int(re.search(r"(\d+)% of them at or below it", text).group(1))
    st = dr.move_stats(dr.yield_changes(rdata.series("DGS2")), ch4.EVENT, 60)
    before = dr.yield_changes(rdata.series("DGS2")).loc[:"2025-11-19"].iloc[-60:]
    # The default view has earlier changes equal to the day's: ties decide the answer.
    assert (before == st["value"]).any()
    assert share == round(100 * st["pct_at_or_below"])
    assert f"vs the previous {st['n']} changes" in text
