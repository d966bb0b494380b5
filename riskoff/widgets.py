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

import contextlib
import datetime as dt
import html
import json
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
    """A chart's Vega-Lite spec, the same dict as ``chart.to_dict(validate=False)``, sooner.

    The builders' specs are validated by the test suite; validating again on every widget
    move would cost a kernel 50-150 ms per redraw. Altair's own to_dict also deep-copies
    every layer twice (a layer chart's copy runs its constructor again) and turns each
    layer's DataFrame into records and hashes them again, though layers share one frame.
    For the charts the explorers draw (plain and layered charts without params) this does
    the same steps once each; any other chart goes to Altair (tests/test_widgets.py checks
    the two agree on every explorer's charts).
    """
    return _spec_and_texts(chart)[0]


def _spec_and_texts(chart) -> tuple[dict, dict]:
    """spec(chart), and the JSON text of those of its data sets spec() wrote as text
    (name -> text, as json.dumps writes the values)."""
    from altair.utils.schemapi import debug_mode

    with debug_mode(False), _plain_leaves():  # no schema validation of objects on the way
        try:
            maker = _KernelSpec()
            return maker.top(chart), maker.texts
        except _Unsupported:
            return chart.to_dict(validate=False), {}


_LEAVES = (str, int, float, bool, type(None))


@contextlib.contextmanager
def _plain_leaves():
    """Altair's _todict asks of every str and number in a spec whether it is an array, a
    schema object, a date or (a runtime Protocol check, ~10 us each) 'SchemaLike' before
    returning it as it is; for exactly these built-in types none can be true, so they are
    returned at once. Any other object takes Altair's own path (its recursion comes back here)."""
    from altair.utils import schemapi

    original = schemapi._todict
    if getattr(original, "_riskoff", False):  # already inside
        yield
        return

    def todict(obj, context, np_opt, pd_opt):
        if type(obj) in _LEAVES:
            return obj
        return original(obj, context, np_opt, pd_opt)

    todict._riskoff = True
    schemapi._todict = todict
    try:
        yield
    finally:
        schemapi._todict = original


class _Unsupported(Exception):
    """A chart or frame the fast path does not cover: Altair's to_dict makes its spec."""


class _KernelSpec:
    """One chart's serialisation: Altair's TopLevelMixin.to_dict without its copies, with
    each DataFrame's records and dataset name made once (memo by object, for this call)."""

    def __init__(self):
        import altair as alt
        import numpy as np
        import pandas as pd
        from altair.utils import schemapi
        from altair.vegalite.v6 import api

        if (alt.data_transformers.active != "default" or not
                alt.data_transformers.consolidate_datasets or
                set(alt.data_transformers.options) - {"max_rows"}):
            raise _Unsupported
        self.alt, self.np, self.pd, self.api, self.schemapi = alt, np, pd, api, schemapi
        self.max_rows = alt.data_transformers.options.get("max_rows", 5000)
        self.frames: dict[int, tuple] = {}   # id(frame) -> (frame, narwhals frame, name, values)
        self.names: dict[int, tuple] = {}    # id(values list) -> (values, name)
        self.texts: dict[str, str] = {}      # dataset name -> its values as JSON text

    def top(self, chart) -> dict:
        from altair.utils._vegafusion_data import using_vegafusion

        if using_vegafusion():
            raise _Unsupported
        return self.chart(chart, {})

    # The charts: TopLevelMixin.to_dict / Chart.to_dict / LayerChart.__init__, step by step.
    def chart(self, obj, context: dict) -> dict:
        alt, U = self.alt, self.schemapi.Undefined
        kind = type(obj)
        if kind not in (alt.Chart, alt.LayerChart) or obj._args:
            raise _Unsupported
        kwds = dict(obj._kwds)
        if kwds.get("params", U) is not U:
            raise _Unsupported  # Altair lifts and names params: leave that to it
        context = dict(context)
        context.setdefault("datasets", {})
        is_top = context.get("top_level", True)
        if kind is alt.LayerChart:
            kwds = self.relayer(kwds)
        elif kwds.get("data", U) is U and "data" not in context:
            kwds["data"] = self.alt.InlineData(values=[{}])  # as Chart.to_dict does
        data = kwds.get("data", U)
        if data is not U:
            kwds["data"], context["data"] = self.prepare(data, context)
        context["top_level"] = False
        inner = dict(context, pre_transform=False)
        kwds.pop("shorthand", None)
        kwds.pop("_cached_hash", None)
        if (mark := kwds.get("mark")) and isinstance(mark, str):
            kwds["mark"] = {"type": mark}
        out = {}
        for key, value in kwds.items():
            if value is U:
                continue
            if key == "layer":
                out[key] = [self.chart(layer, inner) for layer in value]
            else:
                out[key] = self.schemapi._todict(value, inner, self.np, self.pd)
        if is_top:
            out.setdefault("$schema", self.api.SCHEMA_URL)
            theme = self.alt.theme.get()
            if not theme:
                raise _Unsupported
            from altair.utils import update_nested

            out = update_nested(theme(), out, copy=True)
            if context["datasets"]:
                out.setdefault("datasets", {}).update(context["datasets"])
        return out

    def relayer(self, kwds: dict) -> dict:
        """What LayerChart.__init__ does again to the copy Altair's to_dict makes: layers
        sharing one data object give it to the layer chart (without params and without
        per-layer width/height/view, the only steps that change anything)."""
        alt, U = self.alt, self.schemapi.Undefined
        layers = list(kwds.get("layer") or [])
        for layer in layers:
            if type(layer) not in (alt.Chart, alt.LayerChart) or layer._args:
                raise _Unsupported
            if any(layer._kwds.get(p, U) is not U for p in ("params", "height", "width", "view")):
                raise _Unsupported
        data = kwds.get("data", U)
        if layers:
            def data_of(layer):
                return layer._kwds.get("data", U)
            if data is U:
                first = data_of(layers[0])
                if first is not U and all(data_of(c) is first for c in layers):
                    data = first
                    layers = [self.without_data(c) for c in layers]
            elif all(data_of(c) is U or data_of(c) is data for c in layers):
                layers = [self.without_data(c) if data_of(c) is not U else c for c in layers]
        kwds["data"], kwds["layer"] = data, layers
        return kwds

    def without_data(self, layer):
        """A stand-in for Altair's copy of ``layer`` with its data removed (a layer chart's
        copy runs its constructor first, with the data it had)."""
        alt = self.alt
        kwds = dict(layer._kwds)
        if type(layer) is alt.LayerChart:
            kwds = self.relayer(kwds)
        kwds["data"] = self.schemapi.Undefined
        clone = object.__new__(type(layer))
        object.__setattr__(clone, "_args", ())
        object.__setattr__(clone, "_kwds", kwds)
        return clone

    # The data: TopLevelMixin.to_dict's _prepare_data and _consolidate_data.
    def prepare(self, data, context: dict):
        """(the data as the spec names it, the data children infer field types from)."""
        import narwhals.stable.v1 as nw

        if isinstance(data, self.pd.DataFrame):
            memo = self.frames.get(id(data))
            if memo is None:
                if self.max_rows is not None and len(data) > self.max_rows:
                    raise _Unsupported  # Altair raises its MaxRowsError
                texts = _records_json(data) if len(data) >= _TEXT_ROWS else None
                if texts is None:
                    values = records(data)
                    name = self.api._dataset_name(values)
                else:
                    values, sorted_text, text = texts
                    name = _dataset_name_of(sorted_text)
                    self.texts[name] = text
                memo = self.frames[id(data)] = (
                    data, nw.from_native(data, eager_or_interchange_only=True), name, values)
            _, frame, name, values = memo
            context["datasets"][name] = values
            return self.alt.NamedData(name=name), frame
        if (type(data) is dict and "name" not in data and "values" in data and
                isinstance(data["values"], list)):
            values = data["values"]
            memo = self.names.get(id(values))
            if memo is None:
                memo = self.names[id(values)] = (values, self.api._dataset_name(values))
            context["datasets"][memo[1]] = values
            return self.alt.NamedData(name=memo[1], **{k: v for k, v in data.items()
                                                        if k != "values"}), data
        try:
            native = nw.from_native(data, eager_or_interchange_only=True)
        except TypeError:
            native = data
        return self.api._prepare_data(native, context), native


_TEXT_ROWS = 200   # a frame this long has its JSON written column by column (_records_json)


def _dataset_name_of(sorted_text: str) -> str:
    """Altair's api._dataset_name from the values' JSON text with sorted keys (what it hashes;
    a list of records is never its [{}] "empty" case here: a frame has a column)."""
    import hashlib

    return "data-" + hashlib.sha256(sorted_text.encode()).hexdigest()[:32]


def _records_json(frame):
    """(records(frame), json.dumps of them with sorted keys, json.dumps of them), for a frame
    of float, int, bool and text columns; None for any other. Each value is written once,
    a column at a time; the rows are put together twice by a template per key order.
    Altair writes the same values twice (the data set's name is a hash of its JSON, then
    the HTML), 1,700 rows of six columns take json 4 ms each time."""
    from json.encoder import encode_basestring_ascii

    made = _record_columns(frame)
    if made is None:
        return None
    names, cols, kinds = made
    given = _GIVEN_TEXTS.get(id(frame))
    given = given[1] if given is not None and given[0]() is frame else {}
    texts = []
    for name, col, kind in zip(names, cols, kinds):
        if name in given and len(given[name]) == len(col):
            texts.append(given[name])
        elif kind == "text":   # a text may hold ", ": each on its own
            texts.append(text_texts(col))
        else:                  # numbers, true/false and null never do
            texts.append(json.dumps(col)[1:-1].split(", ") if col else [])
    values = [dict(zip(names, row)) for row in zip(*cols)]

    def written(order):
        template = "{" + ", ".join(encode_basestring_ascii(names[i]).replace("%", "%%") +
                                   ": %s" for i in order) + "}"
        return "[" + ", ".join([template % row for row in
                                zip(*(texts[i] for i in order))]) + "]"

    return (values, written(sorted(range(len(names)), key=names.__getitem__)),
            written(range(len(names))))


_GIVEN_TEXTS: dict[int, tuple] = {}   # id(frame) -> (a weak reference to it, column -> texts)


def given_texts(frame, texts: dict):
    """Hand spec() the JSON text of some columns of this very frame (column -> one text per
    row, as float_texts/text_texts write the values records() gives), made once where a
    redraw reuses the values; returns the frame. Only this object carries them, until it
    is gone; a column whose list is not as long as the frame is written as usual."""
    import weakref

    key = id(frame)
    _GIVEN_TEXTS[key] = (weakref.ref(frame, lambda _ref: _GIVEN_TEXTS.pop(key, None)), texts)
    return frame


def float_texts(values) -> list[str]:
    """Each float of an array as json.dumps writes the value records() gives (NaN and
    infinities: null)."""
    import numpy as np

    arr = np.asarray(values, dtype=np.float64)
    vals = arr.tolist()
    for i in np.flatnonzero(~np.isfinite(arr)).tolist():
        vals[i] = None
    return json.dumps(vals)[1:-1].split(", ") if vals else []


def text_texts(values) -> list[str]:
    """Each text (or None) as json.dumps writes it."""
    from json.encoder import encode_basestring_ascii

    return ["null" if v is None else encode_basestring_ascii(v) for v in values]


def records(frame) -> list[dict]:
    """``altair.utils.sanitize_pandas_dataframe(frame).to_dict(orient="records")``, column by
    column with NumPy for the plain dtypes the builders use (float, int, bool, text); other
    columns go through Altair's own sanitizer one by one."""
    from altair.utils.core import sanitize_pandas_dataframe

    made = _record_columns(frame, plain_only=False)
    if made is None:
        return sanitize_pandas_dataframe(frame).to_dict(orient="records")
    names, cols, _ = made
    return [dict(zip(names, row)) for row in zip(*cols)]


def _record_columns(frame, plain_only: bool = True):
    """(column names, each column's values as records() gives them, each column's kind:
    "number", "text" or "other"), or None where records() takes Altair's sanitizer whole
    (and, with ``plain_only``, where a column is of another kind)."""
    import numpy as np
    import pandas as pd
    from altair.utils.core import sanitize_pandas_dataframe
    from pandas.core.dtypes.cast import maybe_box_native

    columns = frame.columns
    names = list(columns)
    plain = (not isinstance(columns, (pd.RangeIndex, pd.MultiIndex)) and names and
             not isinstance(frame.index, pd.MultiIndex) and
             all(type(n) is str for n in names) and len(set(names)) == len(names))
    if not plain:
        return None
    cols, kinds = [], []
    for name, dtype in frame.dtypes.items():
        kind = getattr(dtype, "kind", None) if isinstance(dtype, np.dtype) else None
        kinds.append("number" if kind in ("f", "i", "u", "b") else
                     "text" if str(dtype) in ("str", "string") else "other")
        if plain_only and kinds[-1] == "other":
            return None
        if kind == "f":
            arr = frame[name].to_numpy()
            vals = arr.tolist()
            bad = ~np.isfinite(arr)
            if bad.any():
                for i in np.flatnonzero(bad).tolist():
                    vals[i] = None
        elif kind in ("i", "u", "b"):
            vals = frame[name].to_numpy().tolist()
        elif str(dtype) in ("str", "string"):
            col = frame[name]
            vals = col.astype(object).tolist()
            missing = col.isna().to_numpy()
            if missing.any():
                for i in np.flatnonzero(missing).tolist():
                    vals[i] = None
        else:  # Altair's sanitizer for this column alone; to_dict boxes what it leaves
            vals = list(map(maybe_box_native, sanitize_pandas_dataframe(frame[[name]])[name]
                            .tolist()))
        cols.append(vals)
    return names, cols, kinds


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
    """The display bundle of a chart from the active Altair renderer, as a dict.

    With Altair's HTML renderer, a data set spec() has written as JSON text is not written
    again: it stands in the spec as a unique placeholder string, replaced in the page by its
    text (the same text json.dumps gives; where the placeholder is not found exactly once,
    the spec is rendered as it is)."""
    import uuid

    import altair as alt

    renderer = alt.renderers.get()
    made, texts = _spec_and_texts(chart)
    if texts and _html_renderer(renderer) and isinstance(made.get("datasets"), dict):
        datasets, marks = dict(made["datasets"]), {}
        for name, text in texts.items():
            if name in datasets:
                mark = f"riskoff-dataset-{uuid.uuid4().hex}"
                datasets[name] = mark
                marks[json.dumps(mark)] = text
        out = mimebundle(renderer({**made, "datasets": datasets}))
        page = out.get("text/html")
        if isinstance(page, str) and all(page.count(m) == 1 for m in marks):
            for mark, text in marks.items():
                page = page.replace(mark, text)
            return {**out, "text/html": page}
    return mimebundle(renderer(made))


def _html_renderer(renderer) -> bool:
    """Altair's HTMLRenderer (its "default" and "html"), writing the spec with json.dumps'
    own settings (no json_kwds)."""
    import functools

    from altair.utils.display import HTMLRenderer

    options = {}
    if isinstance(renderer, functools.partial):
        renderer, options = renderer.func, renderer.keywords
    return (type(renderer) is HTMLRenderer and "json_kwds" not in options and
            "json_kwds" not in renderer.kwargs)


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


@contextlib.contextmanager
def _kernel_layers():
    """While an explorer redraws, alt.layer (and chart + chart) without Altair's defensive
    deep copies (riskoff.charts.base.kernel_layer): the layers are made for this one chart.
    Layers with params or facet channels still go to Altair; the spec is the same either way
    (spec() lifts shared data as Altair's to_dict would; tests/test_widgets.py compares)."""
    import altair as alt
    from altair.vegalite.v6 import api

    from .charts.base import kernel_layer

    original = api.layer
    if alt.layer is not original:  # already inside a redraw (or someone else's patch)
        yield
        return

    def layer(*charts, **props):
        if any(type(c) not in (alt.Chart, alt.LayerChart) or
               c._kwds.get("params", alt.Undefined) is not alt.Undefined or
               api._get_facet_spec(c) for c in charts):
            return original(*charts, **props)
        return kernel_layer(*charts, **props)

    # A layer chart's .properties() copies it by running its constructor again, which
    # deep-copies every layer and hashes each layer's spec to lift shared data (40 ms for a
    # two-layer chart of 1,500 rows). For layers without params, names or sizes, the only
    # step that changes anything is that lifting, which spec() does as Altair's to_dict would.
    original_properties = api.LayerChart.properties

    def properties(self, **kwargs):
        if type(self) is not alt.LayerChart or "selection" in kwargs or not _plain_layers(self):
            return original_properties(self, **kwargs)
        copy = object.__new__(alt.LayerChart)
        object.__setattr__(copy, "_args", ())
        object.__setattr__(copy, "_kwds", dict(self._kwds))
        for key, val in kwargs.items():
            copy._kwds[key] = val
        return copy

    # An encoding given as a dict (alt.condition's) is turned into its channel class by
    # from_dict, which first hashes the schema of each of Altair's ~3,000 classes (15 ms)
    # and then matches the dict against the schema's alternatives (25 ms). The same classes
    # give the same table, and the same dict (as JSON, in its key order) the same object:
    # each made once, the object handed out as a copy.
    from altair.utils import schemapi

    original_from_dict = schemapi.SchemaBase.__dict__["from_dict"]

    def from_dict(cls, dct, validate=True):
        if validate:
            cls.validate(dct)
        classes = tuple(cls._default_wrapper_classes())
        converter = _CONVERTERS.get(classes)
        if converter is None:
            _CONVERTERS.clear()
            _MADE.clear()
            converter = _CONVERTERS[classes] = schemapi._FromDict(classes)
        try:
            key = (cls, json.dumps(dct))
        except (TypeError, ValueError):
            return converter.from_dict(dct, cls)
        if key not in _MADE:
            if len(_MADE) > 256:
                _MADE.clear()
            _MADE[key] = converter.from_dict(dct, cls)
        made = _MADE[key]
        return made.copy(deep=True) if isinstance(made, schemapi.SchemaBase) else (
            json.loads(key[1]) if isinstance(made, (dict, list)) else made)

    alt.layer = api.layer = layer
    api.LayerChart.properties = properties
    schemapi.SchemaBase.from_dict = classmethod(from_dict)
    try:
        yield
    finally:
        alt.layer = api.layer = original
        api.LayerChart.properties = original_properties
        schemapi.SchemaBase.from_dict = original_from_dict


_CONVERTERS: dict[tuple, object] = {}  # Altair's wrapper classes -> its from_dict table
_MADE: dict[tuple, object] = {}        # (class, dict as JSON) -> the object from_dict made


def _plain_layers(chart, top: bool = True) -> bool:
    """A chart whose layers (at any depth) are charts without params, names or own sizes:
    Altair's LayerChart constructor only lifts their shared data."""
    import altair as alt

    U = alt.Undefined
    kwds = chart._kwds
    if type(chart) not in (alt.Chart, alt.LayerChart) or chart._args:
        return False
    if kwds.get("params", U) is not U or kwds.get("name", U) is not U:
        return False
    if not top and any(kwds.get(p, U) is not U for p in ("height", "width", "view")):
        return False
    return all(_plain_layers(c, top=False) for c in (kwds.get("layer") or ()))


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

    def draw():
        # Altair validates each schema object as it is made (its debug mode): the builders'
        # specs are validated whole by the test suite, so a redraw skips it (half its time).
        from altair.utils.schemapi import debug_mode

        with debug_mode(False), _kernel_layers():
            return render()

    def result_of():
        try:
            return draw()
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
    box.render = draw  # tests and benchmarks/run.py call it after setting control values
    box.controls = list(controls)  # ... on these, in the order given
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
