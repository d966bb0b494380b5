"""ipywidgets plumbing for a live kernel (Jupyter, Binder): pandas recomputes, the same
chart builders draw. Each chapter module builds its explorers from these pieces. On the static
site these cells are hidden; the charts' own Vega-Lite controls work there instead.

Two output modes:

- **live** (the default: JupyterLab, Notebook 7, Binder, VS Code): charts are Altair's
  JupyterChart widget with its JavaScript bundled offline by vl-convert, so they draw with no
  CDN. An explorer keeps one chart widget and only sends it a new spec on each redraw.
- **book** (``RISKOFF_OUTPUT=book``, set by ``python -m riskoff.site execute`` and by the
  test suite for nbval): charts are Altair's HTML output, which the static site renders with
  its own offline Vega scripts. These are the outputs committed in the notebooks.
"""
from __future__ import annotations

import datetime as dt
import html
import os
from pathlib import Path
from typing import Callable, Sequence

import ipywidgets as w
from IPython.display import display

from . import data as rdata
from .charts.base import label_of
from .i18n import N_, _, date_long

OUTPUT_ENV = "RISKOFF_OUTPUT"
# What an explorer's saved output says before its cell has run (instead of a widget repr).
RUN_ME = N_("Run this cell to get the controls (they need a live Python kernel).")


def live() -> bool:
    """True unless the notebook runs under the book's execute command (or the test suite)."""
    return os.environ.get(OUTPUT_ENV, "").strip().lower() != "book"


# ---------------------------------------------------------------------------- displaying

def spec(chart) -> dict:
    """A chart's Vega-Lite spec without re-validating it against the schema.

    The builders' specs are validated by the test suite; validating again on every widget
    move would cost a kernel 50-150 ms per redraw.
    """
    return chart.to_dict(validate=False)


def mimebundle(result) -> dict:
    """A renderer's output as a mimebundle dict: renderers return either a dict or a
    (bundle, metadata) tuple (Altair's ``mimetype`` and ``jupyter`` renderers do the latter)."""
    if isinstance(result, tuple):
        result = result[0]
    if not isinstance(result, dict):
        raise TypeError(f"an Altair renderer returned {type(result).__name__}, not a "
                        f"mimebundle; enable the default one: alt.renderers.enable('default')")
    return result


def bundle(chart) -> dict:
    """The display bundle of a chart from the active Altair renderer, as a dict."""
    import altair as alt

    return mimebundle(alt.renderers.get()(spec(chart)))


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "riskoff"


# Altair's chart script draws as soon as the widget is made, before JupyterLab has put it on
# the page: a chart as wide as its container ("container"/fit-x) then measures 0 px and stays
# invisible, and Vega measures again only on a window resize. This wrapper draws once the
# element has a width, and on any later change of that width (a hidden explorer chart shown
# again, a resized panel) sends the window resize event Vega listens for.
_RENDER_EXPORT = "const __default={render};"
_FIT_RENDER = """
async function riskoffFitRender(ctx) {
  const el = ctx.el;
  if (!el.clientWidth) {
    await new Promise(done => {
      const wait = new ResizeObserver(() => { if (el.clientWidth) { wait.disconnect(); done(); } });
      wait.observe(el);
    });
  }
  let width = el.clientWidth;
  const watch = new ResizeObserver(() => {  // width 0 while hidden: measure again when shown
    const now = el.clientWidth;
    if (now && now !== width) window.dispatchEvent(new Event("resize"));
    width = now;
  });
  watch.observe(el);
  const cleanup = await render(ctx);
  return () => { watch.disconnect(); if (typeof cleanup === "function") cleanup(); };
}
const __default={render: riskoffFitRender};"""


def fit_to_page(esm: str) -> str:
    """The bundled chart script with its render wrapped (see _FIT_RENDER)."""
    if esm.count(_RENDER_EXPORT) != 1:
        raise RuntimeError("riskoff.widgets: Altair's bundled JupyterChart script has changed "
                           f"(no single {_RENDER_EXPORT!r}); update fit_to_page for this Altair")
    return esm.replace(_RENDER_EXPORT, _FIT_RENDER)


def _offline_jupyterchart() -> type:
    """Altair's JupyterChart with its JavaScript (Vega, Vega-Lite, vega-embed) bundled, not
    imported from a CDN. Bundling takes vl-convert ~2 s, so the result is cached on disk per
    Altair and vl-convert version."""
    import altair as alt
    import vl_convert as vlc
    from altair import JupyterChart

    if not getattr(JupyterChart, "_is_offline", False):
        path = _cache_dir() / f"jupyterchart-altair{alt.__version__}-vlc{vlc.__version__}.js"
        try:
            JupyterChart._esm = path.read_text()
            JupyterChart._is_offline = True  # what enable_offline() sets once it has bundled
        except OSError:
            JupyterChart.enable_offline(True)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(f".{os.getpid()}.tmp")
                tmp.write_text(JupyterChart._esm)
                tmp.replace(path)
            except OSError:
                pass  # no writable cache: bundle again next session
        JupyterChart._esm = fit_to_page(JupyterChart._esm)
    return JupyterChart


def live_chart(chart=None):
    """A chart widget that draws offline; set ``.spec`` to redraw it."""
    import altair as alt

    widget = _offline_jupyterchart()(chart=None,
                                      embed_options=alt.renderers.options.get("embed_options"),
                                      # vega-embed's box is inline-block: without a width, a
                                      # "fit" chart measures 0 px and draws nothing visible.
                                      layout=w.Layout(width="100%"))
    if chart is not None:
        widget.spec = spec(chart)
    return widget


def live_figure(chart, caption_html: str, label: str) -> w.VBox:
    """A figure for a live kernel: the chart widget above its caption.

    ``label``, the accessible name, reaches the reader as the chart's Vega ``description``
    (the drawing's aria-label); it is not set as the box's tooltip: ipywidgets' browser code
    reads a ``description`` that a Box has not, and then fails to show the whole figure.
    """
    import altair as alt

    if label and getattr(chart, "description", alt.Undefined) in (alt.Undefined, None, ""):
        chart = chart.properties(description=label)
    box = w.VBox([live_chart(chart), w.HTML(caption_html)],
                 layout=w.Layout(width="100%", overflow="visible"))
    box.add_class("riskoff-figure")
    return box


# ---------------------------------------------------------------------------- explorers

class Explorer(w.VBox):
    """An explorer's box. Before its cell has run, a saved notebook shows this repr."""

    def __repr__(self) -> str:
        return _(RUN_ME)


def _note(text: str) -> str:
    return f"<p class='riskoff-note'><em>{html.escape(text)}</em></p>"


def explorer(controls: Sequence[w.Widget], render: Callable[[], object]) -> Explorer:
    """Lay out controls above an output area and redraw whenever any of them changes.

    ``render`` returns a chart, or a string explaining why nothing can be drawn (the reader
    sees that sentence instead of a traceback or an empty chart), or (chart, sentence) when
    the chart leaves something out that the reader asked for.
    """
    out = w.Output()
    on_live = live()
    if on_live:
        note, view = w.HTML(), None
        with out:
            display(note)

    def result_of():
        try:
            return render()
        except (ValueError, rdata.DataError) as exc:
            return _("Cannot draw this: {error}").format(error=exc)

    def redraw_book(*_):
        with out:
            out.clear_output(wait=True)
            result = result_of()
            if isinstance(result, tuple):
                result, remark = result
                display(w.HTML(_note(remark)))
            if isinstance(result, str):
                display(w.HTML(_note(result)))
            elif hasattr(result, "to_dict"):
                display(bundle(result), raw=True)
            else:
                display(result)

    def redraw_live(*_):
        nonlocal view
        result, remark = result_of(), None
        if isinstance(result, tuple):
            result, remark = result
        if isinstance(result, str) or not hasattr(result, "to_dict"):
            note.value = _note(str(result))
            note.layout.display = None
            if view is not None:
                view.layout.display = "none"
            return
        note.value = _note(remark) if remark else ""
        note.layout.display = None if remark else "none"
        if view is None:
            view = live_chart(result)
            with out:
                display(view)
        else:
            view.spec = spec(result)
            view.layout.display = None

    redraw = redraw_live if on_live else redraw_book
    for c in controls:
        _label_in_full(c)
        c.observe(redraw, "value")
    redraw()
    box = Explorer([w.HBox(list(controls[:2]), layout=w.Layout(flex_flow="row wrap")),
                    *controls[2:], out])
    box.render = render  # tests call it after setting control values
    box.redraw = redraw
    if on_live:
        box._riskoff_note = note
        box._riskoff_view = lambda: view
    return box


def first_date(symbols: Sequence[str]) -> dt.date:
    """The earliest day the cache holds for any of ``symbols``."""
    return min(dt.date.fromisoformat(rdata.info(s)["first"][:10]) for s in symbols)


def before_start(day, symbols: Sequence[str], what: str = "date", drawn: bool = False
                 ) -> str | None:
    """The sentence for a ``day`` earlier than every series of ``symbols`` (None otherwise).
    ``drawn``: the chart was still drawn, from the first cached day."""
    if day is None or not symbols:
        return None
    first = first_date(symbols)
    if dt.date.fromisoformat(f"{day:%Y-%m-%d}") >= first:
        return None
    start, picked = date_long(first), date_long(day)
    if drawn:
        return _("The cached data starts on {start}: drawn from there, not from {picked}."
                 ).format(start=start, picked=picked)
    return _("The cached data starts on {start}: pick a {what} on or after that (not {picked})."
             ).format(start=start, what=_(what), picked=picked)


WHATS = (N_("date"), N_("session"), N_("day"), N_("reference date"), N_("window end"))  # ``what``


def missing_note(asked: Sequence[str], drawn, day_text: str) -> str | None:
    """The sentence naming the series asked for that have nothing on a day (None if all do)."""
    missing = [label_of(s) for s in asked if s not in set(drawn)]
    if not missing:
        return None
    return _("No bars on {day} for {names}: not drawn.").format(day=day_text,
                                                                names=_(", ").join(missing))


def _label_in_full(control: w.Widget) -> None:
    """ipywidgets cuts descriptions at a fixed width ("Decision ..."): size them to their text."""
    style = getattr(control, "style", None)
    if style is not None and hasattr(style, "description_width"):
        style.description_width = "initial"


def assets(symbols: Sequence[str], chosen: Sequence[str]) -> w.SelectMultiple:
    return w.SelectMultiple(options=[(label_of(s), s) for s in symbols],
                            value=tuple(s for s in chosen if s in symbols), rows=5,
                            description=_("Assets"), layout=w.Layout(width="95%"))


def date(value: str, description: str) -> w.DatePicker:
    return w.DatePicker(value=dt.date.fromisoformat(value), description=description)
