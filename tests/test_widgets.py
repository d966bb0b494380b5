"""riskoff.widgets: both output modes, renderer return shapes, explorers' saved repr, and the
fallback picture committed charts carry (and the site build drops)."""
from __future__ import annotations

import datetime as dt
import re

import altair as alt
import ipywidgets as ipw
import pandas as pd
import pytest

from riskoff import sphinxext, widgets
from riskoff.charts import base


def _chart():
    return alt.Chart(pd.DataFrame({"x": [1, 2, 3], "y": [3, 1, 2]})).mark_line().encode(
        x="x:Q", y="y:Q").properties(description="A line")


@pytest.fixture
def live(monkeypatch):
    monkeypatch.delenv(widgets.OUTPUT_ENV, raising=False)


@pytest.fixture
def book(monkeypatch):
    monkeypatch.setenv(widgets.OUTPUT_ENV, "book")


@pytest.fixture
def renderer():
    before = alt.renderers.active, dict(alt.renderers.options)
    yield
    alt.renderers.enable(before[0], **before[1])


def test_mode_follows_the_environment(monkeypatch):
    monkeypatch.setenv(widgets.OUTPUT_ENV, "book")
    assert not widgets.live()
    monkeypatch.setenv(widgets.OUTPUT_ENV, "")
    assert widgets.live()
    monkeypatch.delenv(widgets.OUTPUT_ENV)
    assert widgets.live()


@pytest.mark.parametrize("name, options, mime", [
    ("default", {}, "text/html"),
    ("html", {}, "text/html"),
    ("mimetype", {}, "application/vnd.vegalite.v6.json"),  # returns (bundle, metadata)
    ("jupyter", {"offline": True}, "application/vnd.jupyter.widget-view+json"),
])
def test_bundle_and_chart_html_take_any_renderer(renderer, name, options, mime):
    alt.renderers.enable(name, **options)
    assert mime in widgets.bundle(_chart())
    html = base.chart_html(_chart())  # always Altair's HTML, with the book's embed options
    assert re.search(r'<div id="altair-viz-[0-9a-f]+"></div>', html)
    assert '"renderer": "svg"' in html


def test_mimebundle_rejects_what_is_not_a_bundle():
    assert widgets.mimebundle(({"text/plain": "x"}, {})) == {"text/plain": "x"}
    with pytest.raises(TypeError, match="alt.renderers.enable"):
        widgets.mimebundle("<p>")


def test_fallback_picture_inside_the_container_and_dropped_by_the_site_build():
    chart = _chart()
    plain = base.chart_html(chart)
    with_png = base.chart_html(chart, fallback_png=base.png(chart))
    img = re.search(r'<div id="altair-viz-[0-9a-f]+">(<img [^>]+>)</div>', with_png).group(1)
    assert 'class="riskoff-fallback"' in img and 'alt="A line"' in img
    assert img.split('src="')[1].startswith("data:image/png;base64,iVBOR")  # a PNG
    context = {"body": with_png}
    sphinxext._drop_fallback_images(None, "p", "t", context, None)
    ids = re.compile(r"altair-viz-[0-9a-f]+")
    assert ids.sub("ID", context["body"]) == ids.sub("ID", plain)


def test_live_explorer_keeps_one_chart_widget_and_sends_it_specs(live):
    value = ipw.IntSlider(value=2, min=0, max=3, description="Decision day of the month")
    shown = []

    def render():
        shown.append(value.value)
        if value.value == 0:
            return "Nothing to draw for 0."
        chart = _chart().transform_filter(f"datum.x <= {value.value}")
        return (chart, "Series Z has no bars.") if value.value == 3 else chart

    box = widgets.explorer([value], render)
    note, view = _live_parts(box)
    first = view.spec
    assert first["transform"] == [{"filter": "datum.x <= 2"}]
    assert view.layout.display in (None, "")
    value.value = 1
    assert _live_parts(box)[1] is view  # the same widget, a new spec
    assert view.spec["transform"] == [{"filter": "datum.x <= 1"}]
    value.value = 0
    assert view.layout.display == "none" and "Nothing to draw for 0." in note.value
    value.value = 3
    assert view.layout.display in (None, "") and "Series Z has no bars." in note.value
    assert note.layout.display in (None, "")
    assert value.style.description_width == "initial"  # the label is not cut


def _live_parts(box):
    return box._riskoff_note, box._riskoff_view()


def test_book_explorer_displays_html(book, monkeypatch):
    shown = []
    monkeypatch.setattr(widgets, "display", lambda obj, **kw: shown.append((obj, kw)))
    value = ipw.Dropdown(options=[1, 2], value=1, description="Pick")
    widgets.explorer([value], lambda: _chart() if value.value == 1 else "A sentence.")
    assert "text/html" in shown[-1][0] and shown[-1][1] == {"raw": True}
    value.value = 2
    assert isinstance(shown[-1][0], ipw.HTML) and "A sentence." in shown[-1][0].value


def test_explorer_saved_output_says_to_run_the_cell(book):
    box = widgets.explorer([ipw.Dropdown(options=[1], description="x")], lambda: "Nothing.")
    assert box._repr_mimebundle_()["text/plain"] == widgets.RUN_ME
    assert "VBox" not in repr(box)


def test_before_start_names_the_first_cached_day():
    first = widgets.first_date(["NDX"])
    assert widgets.before_start(first, ["NDX"]) is None
    text = widgets.before_start(dt.date(1990, 1, 2), ["NDX"], "session")
    assert text == (f"The cached data starts on {first.day} {first:%b %Y}: pick a session on "
                    f"or after that (not 2 Jan 1990).")
    assert "drawn from there" in widgets.before_start(dt.date(1990, 1, 2), ["NDX"], drawn=True)
    assert widgets.missing_note(["NDX", "GSPC"], ["NDX"], "Sat 22 Nov 2025") == (
        "No bars on Sat 22 Nov 2025 for S&P 500: not drawn.")


# ---------------------------------------------------------------------------- fast spec

def _same_spec(chart):
    """widgets.spec() is Altair's to_dict(validate=False), key order included."""
    import json

    fast = json.dumps(widgets.spec(chart))
    assert fast == json.dumps(chart.to_dict(validate=False))
    return fast


def test_records_are_altairs_for_every_dtype():
    from altair.utils.core import sanitize_pandas_dataframe

    nan, inf = float("nan"), float("inf")
    frames = [
        pd.DataFrame({"f": [1.5, nan, inf, -inf, 0.1], "i": [1, 2, 3, 4, 5],
                      "b": [True, False, True, False, True],
                      "s": ["a", None, "c", "d", "e"], "f32": pd.array([1, 2, 3, 4, 5], "float32"),
                      "u": pd.array([1, 2, 3, 4, 2**63], "uint64")}),
        pd.DataFrame({"o": pd.Series([1, "x", None, nan, 2.5], dtype=object), "n": range(5)}),
        pd.DataFrame({"d": pd.to_datetime(["2025-11-20 00:00", None, "2025-11-21 14:30"])}),
        pd.DataFrame({"c": pd.Categorical(["a", "b", None]), "I": pd.array([1, None, 3], "Int64")}),
        pd.DataFrame({"s": pd.Series(["a", None], dtype="string")}),
        pd.DataFrame({"of": pd.Series([1.5, None], dtype=object), "x": [1.0, 2.0],  # inferred
                      "ot": pd.Series([pd.Timestamp("2025-11-20"), None], dtype=object),
                      "oa": pd.Series([__import__("numpy").arange(2), "t"], dtype=object)}),
        pd.DataFrame({"x": [], "y": []}),
        pd.DataFrame([[1, 2]]),  # RangeIndex columns
    ]
    for frame in frames:
        want = sanitize_pandas_dataframe(frame).to_dict(orient="records")
        got = widgets.records(frame)
        assert repr(got) == repr(want), frame.dtypes  # repr: NaN, None and int/float kept apart


def test_fast_spec_is_altairs_for_layers_sharing_data_and_not():
    df = pd.DataFrame({"x": [1, 2, 3], "y": [3.0, float("nan"), 2.0], "s": ["a", "b", "c"]})
    other = pd.DataFrame({"x": [2], "label": ["two"]})
    line = alt.Chart(df).mark_line().encode(x="x:Q", y="y:Q")
    dots = alt.Chart(df).mark_point().encode(x="x:Q", y="y")  # type from the data
    text = alt.Chart(other).mark_text().encode(x="x:Q", text="label:N")
    rule = alt.Chart().mark_rule().encode(y=alt.datum(0))  # no data: Altair's empty dataset
    values = alt.Chart({"values": [{"x": 1}, {"x": 2}]}).mark_tick().encode(x="x:Q")
    for chart in [
        line,
        alt.layer(line, dots, width="container", height=300),
        base.kernel_layer(line, dots, text, rule, width="container", height=300),
        base.kernel_layer(base.kernel_layer(line, dots), text, values, title="T"),
        base.kernel_layer(line, base.kernel_layer(line, dots, data=df), data=df),
        alt.layer(line, rule, data=df).properties(description="d"),
        alt.layer(line, dots).add_params(alt.param(name="p", value=1)),  # params: Altair's path
        alt.layer(line, dots.properties(width=200)),  # a layer's width: Altair's path
        alt.hconcat(line, dots),
    ]:
        _same_spec(chart)


def test_layers_made_during_a_redraw_skip_altairs_copies_and_alt_layer_is_restored(book):
    df = pd.DataFrame({"x": [1, 2], "y": [2, 1]})
    line = alt.Chart(df).mark_line().encode(x="x:Q", y="y:Q")
    made = []

    def render():
        chart = alt.layer(line, line.mark_point(), line.mark_rule())
        made.append(chart)
        if len(made) == 2:
            raise ValueError("no data for this")
        return chart

    value = ipw.Dropdown(options=[1, 2], value=1, description="Pick")
    original = alt.layer
    box = widgets.explorer([value], render)
    assert made[0].layer[0] is line  # not a copy (kernel_layer); spec() lifts the data
    assert alt.layer is original
    assert '"datasets"' in _same_spec(made[0])
    with pytest.raises(ValueError):
        box.render()
    assert alt.layer is original


def _states(box):
    """Each control's value in turn: its options, or a date a month and a year back."""
    yield None
    for ctl in box.controls:
        original = ctl.value
        if isinstance(ctl, ipw.SelectMultiple):
            opts = [o[1] for o in ctl.options]
            choices = [tuple(opts[:1]), tuple(opts)]
        elif hasattr(ctl, "options"):
            choices = [o[1] if isinstance(o, tuple) else o for o in ctl.options][:4]
        elif isinstance(ctl, ipw.DatePicker) and ctl.value:
            choices = [ctl.value - dt.timedelta(days=d) for d in (30, 365)]
        elif hasattr(ctl, "min") and hasattr(ctl, "max"):
            choices = [ctl.min, ctl.max]
        else:
            choices = [not ctl.value] if isinstance(ctl.value, bool) else []
        for value in choices:
            try:
                ctl.value = value
            except Exception:
                continue
            yield ctl.description, value
        ctl.value = original


def test_every_explorer_gets_altairs_spec_in_every_state(live, capsys):
    import importlib

    checked = 0
    for n in range(1, 6):
        mod = importlib.import_module(f"riskoff.ch{n}")
        for name in sorted(n for n in dir(mod) if n.startswith("explore_")):
            box = getattr(mod, name)()
            for state in _states(box):
                try:
                    out = box.render()
                except ValueError:
                    continue
                out = out[0] if isinstance(out, tuple) else out
                if hasattr(out, "to_dict"):
                    _same_spec(out)
                    checked += 1
    assert checked > 100
