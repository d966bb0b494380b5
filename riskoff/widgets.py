"""ipywidgets plumbing for a live kernel (Jupyter, Binder): pandas recomputes, the same
chart builders draw. Each chapter module builds its explorers from these pieces. On the static site these cells are hidden; the charts' own Vega-Lite
controls work there instead.
"""
from __future__ import annotations

import datetime as dt
from typing import Callable, Sequence

import ipywidgets as w
from IPython.display import display

from . import data as rdata
from .charts.base import label_of


def bundle(chart) -> dict:
    """The display bundle of a chart, without re-validating its spec against the schema.

    The builders' specs are validated by the test suite; validating again on every widget
    move would cost a kernel 50-150 ms per redraw.
    """
    import altair as alt

    return alt.renderers.get()(chart.to_dict(validate=False))


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
            if isinstance(result, str):
                display(w.HTML(f"<p><em>{result}</em></p>"))
            elif hasattr(result, "to_dict"):
                display(bundle(result), raw=True)
            else:
                display(result)

    for c in controls:
        c.observe(redraw, "value")
    redraw()
    box = w.VBox([w.HBox(list(controls[:2])), *controls[2:], out])
    box.render = render  # tests call it after setting control values
    return box


def assets(symbols: Sequence[str], chosen: Sequence[str]) -> w.SelectMultiple:
    return w.SelectMultiple(options=[(label_of(s), s) for s in symbols],
                            value=tuple(s for s in chosen if s in symbols), rows=5,
                            description="Assets", layout=w.Layout(width="95%"))


def date(value: str, description: str) -> w.DatePicker:
    return w.DatePicker(value=dt.date.fromisoformat(value), description=description)
