"""ipywidgets controls for a live kernel (Jupyter, Binder): pandas recomputes, the same
chart builders draw. On the static site these cells are hidden; the charts' own Vega-Lite
controls work there instead.
"""
from __future__ import annotations

import datetime as dt
from typing import Callable, Sequence

import ipywidgets as w
from IPython.display import display

from . import data as rdata
from . import metrics
from .charts import market
from .charts.base import label_of
from .ch1 import EVENT


def explorer(controls: Sequence[w.Widget], render: Callable[[], object]) -> w.VBox:
    """Lay out controls above an output area and redraw whenever any of them changes.

    ``render`` returns a chart, or a string explaining why nothing can be drawn (the reader
    sees that sentence instead of a traceback or an empty chart).
    """
    out = w.Output()

    def redraw(*_):
        with out:
            out.clear_output(wait=True)
            try:
                result = render()
            except (ValueError, rdata.DataError) as exc:
                result = f"Cannot draw this: {exc}"
            display(w.HTML(f"<p><em>{result}</em></p>") if isinstance(result, str) else result)

    for c in controls:
        c.observe(redraw, "value")
    redraw()
    return w.VBox([w.HBox(list(controls[:2])), *controls[2:], out])


def _assets(symbols: Sequence[str], chosen: Sequence[str]) -> w.SelectMultiple:
    return w.SelectMultiple(options=[(label_of(s), s) for s in symbols],
                            value=tuple(s for s in chosen if s in symbols), rows=5,
                            description="Assets", layout=w.Layout(width="95%"))


def _date(value: str, description: str) -> w.DatePicker:
    return w.DatePicker(value=dt.date.fromisoformat(value), description=description)


def who_fell(symbols: Sequence[str] = EVENT) -> w.VBox:
    date = _date("2025-11-20", "Session")
    measure = w.Dropdown(options=[(label, key) for key, (label, _) in metrics.MEASURES.items()],
                         description="Measure")
    assets = _assets(symbols, symbols)

    def render():
        if not assets.value:
            return "Pick at least one asset."
        if date.value is None:
            return "Pick a date."
        grid = metrics.scoreboard(assets.value, [date.value])
        grid = grid[grid["measure"] == measure.value]
        if grid["value"].isna().all():
            return f"None of these markets traded on {date.value:%d %b %Y}."
        return market.who_fell(grid, static=False)

    return explorer([date, measure, assets], render)


def _paths(symbols, shown, start, label, compute, column, builder) -> w.VBox:
    base = _date(start, label)
    assets = _assets(symbols, shown)

    def render():
        if not assets.value:
            return "Pick at least one asset."
        if base.value is None:
            return "Pick a date."
        wide = compute(rdata.closes(assets.value), base.value)
        frame = metrics.tidy(wide, column)
        if frame.empty:
            return f"No data on or after {base.value:%d %b %Y} for these assets."
        return builder(frame, static=False)

    return explorer([base, assets], render)


def rebased(symbols: Sequence[str] = EVENT, shown=("NDX", "NVDA", "BTC-USD", "GC=F"),
            start: str = "2024-12-31") -> w.VBox:
    return _paths(symbols, shown, start, "Base date", metrics.rebase, "rebased", market.rebased)


def drawdowns(symbols: Sequence[str] = EVENT, shown=("NDX", "NVDA", "BTC-USD", "GC=F"),
              start: str = "2024-12-31") -> w.VBox:
    return _paths(symbols, shown, start, "Peak from", metrics.drawdown, "drawdown", market.drawdowns)
