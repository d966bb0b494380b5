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
