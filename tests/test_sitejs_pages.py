"""riskoff.sitejs, issue 15's second pass: data sets shared by a page's charts, room kept for
each chart before it is drawn, no render-blocking script, Sphinx's options written inline."""
from __future__ import annotations

import json
import re

from sphinx.builders.html._assets import _JavaScript

from riskoff import sitejs


def _chart_script(spec: dict) -> str:
    # What Altair's html renderer writes for a chart already in Vega (mode "vega").
    return ('<div id="altair-viz-%s"></div><script type="text/javascript">\n'
            'var VEGA_DEBUG = {};\n(function(spec, embedOpt){\n})(%s, {"mode": "vega"});\n'
            '</script>') % (spec["description"], json.dumps(spec))


def _spec(name: str, rows: list[dict]) -> dict:
    return {"$schema": "https://vega.github.io/schema/vega/v6.json", "description": name,
            "data": [{"name": "table", "values": rows},
                     {"name": "small", "values": [{"a": name}]}]}


ROWS = [{"date": f"2025-11-{d:02d}", "close": 100.0 + d / 7} for d in range(1, 29)] * 4


def _blocks(body: str, cls: str) -> list:
    return re.findall(rf'<script type="application/json" class="{cls}"[^>]*>(.*?)</script>',
                      body, re.S)


def test_rows_two_charts_draw_are_written_once():
    page = _chart_script(_spec("1", ROWS)) + "<p>between</p>" + _chart_script(_spec("2", ROWS))
    body, count = sitejs.compile_charts(page, lambda s: s)
    assert count == 2
    (shared,) = _blocks(body, "riskoff-data")
    assert json.loads(shared) == ROWS
    charts = [json.loads(b)["spec"] for b in _blocks(body, "riskoff-chart")]
    key = re.search(r'data-key="([0-9a-f]+)"', body).group(1)
    for spec in charts:
        table, small = spec["data"]
        assert "values" not in table and table["riskoff_values"] == key
        assert small["values"], "a data set only one chart draws stays in its spec"
    # the shared block follows the first chart's block, so each placeholder keeps its block
    assert re.search(r'<div id="altair-viz-1"></div><script type="application/json" '
                     r'class="riskoff-chart">.*?</script><script type="application/json" '
                     r'class="riskoff-data"', body, re.S)


def test_a_data_set_one_chart_draws_stays_inline():
    body, _ = sitejs.compile_charts(_chart_script(_spec("1", ROWS)), lambda s: s)
    assert not _blocks(body, "riskoff-data")
    assert json.loads(_blocks(body, "riskoff-chart")[0])["spec"]["data"][0]["values"] == ROWS


def test_placeholder_keeps_room_for_the_chart():
    seen = []

    def height(spec):
        seen.append(spec)
        return 432

    page = _chart_script(_spec("1", ROWS)) + _chart_script(_spec("2", ROWS))
    body, _ = sitejs.compile_charts(page, lambda s: s, height)
    assert body.count('class="riskoff-pending" style="min-height: 432px"') == 2
    # measured on the full spec, not the one whose rows moved to the shared block
    assert all(s["data"][0].get("values") == ROWS for s in seen)


def test_scripts_are_deferred_without_touching_the_shared_entry():
    original = _JavaScript("doctools.js", priority=200)
    copy = sitejs._deferred(original)
    assert copy.attributes["defer"] == "defer" and copy.filename == "doctools.js"
    assert "defer" not in original.attributes, "the search page shares this entry"
    assert sitejs._deferred(_JavaScript("x.js", **{"async": "async"})).attributes == {
        "async": "async"}
    assert sitejs._deferred(_JavaScript(None, body="var a = 1;")).attributes == {
        "body": "var a = 1;"}


def test_options_script_is_written_into_the_page():
    page = ('<script src="../_static/documentation_options.js?v=9eb32ce0"></script>'
            "<script>DOCUMENTATION_OPTIONS.pagename = 'x';</script>")
    out = sitejs.inline_options(page, "const DOCUMENTATION_OPTIONS = {a: '</b>'};")
    assert "documentation_options.js" not in out
    assert out.startswith("<script>const DOCUMENTATION_OPTIONS = {a: '<\\/b>'};</script>")
    assert out.endswith("pagename = 'x';</script>")


def test_room_includes_a_row_per_control():
    spec = _spec("1", ROWS)
    spec["signals"] = [{"name": "a", "bind": {"input": "select"}},
                       {"name": "b", "bind": {"input": "checkbox"}},
                       {"name": "c", "bind": {"input": "checkbox"}}, {"name": "d"}]
    body, _ = sitejs.compile_charts(_chart_script(spec), lambda s: s, lambda s: 300)
    assert f'style="min-height: {300 + 2 * sitejs.CONTROL_ROW}px"' in body


# ---------------------------------------------------------------- pictures (issue 15, third pass)

def _fit_spec(name: str) -> dict:
    spec = _spec(name, [{"a": 1}])
    spec["autosize"] = {"type": "fit-x", "contains": "padding"}
    spec["signals"] = [{"name": "width", "init": "isFinite(containerSize()[0]) ? "
                        "containerSize()[0] : 300", "on": [{"update": "containerSize()[0]",
                                                            "events": "window:resize"}]},
                       {"name": "pick", "value": 1, "bind": {"input": "range"}}]
    return spec


def test_a_chart_sized_to_its_container_is_drawn_at_the_width_asked():
    spec = _fit_spec("1")
    fixed = sitejs.at_width(spec, 342)
    width = next(s for s in fixed["signals"] if s["name"] == "width")
    assert width == {"name": "width", "init": "342"}
    assert fixed["signals"][1] == spec["signals"][1], "other signals stay as they are"
    assert "on" in spec["signals"][0], "the page's spec is not changed"


def test_a_picture_is_no_drawn_view():
    svg = '<svg xmlns="http://www.w3.org/2000/svg" class="marks" width="342" height="300">'
    assert 'class="marks"' not in sitejs.still_svg(svg)  # the tests' and loader's signal


def test_placeholder_holds_the_picture_and_keeps_room(tmp_path):
    calls = []

    def picture(spec, eager):
        calls.append((spec["description"], eager))
        return sitejs.picture_html([(342, "../_charts/a.svg", 410), (672, "../_charts/b.svg", 400)],
                                   spec["description"] + " & more", eager)

    page = _chart_script(_fit_spec("1")) + _chart_script(_fit_spec("2"))
    body, count = sitejs.compile_charts(page, lambda s: s, lambda s: 300, picture)
    assert count == 2 and calls == [("1", True), ("2", False)]
    first, second = re.findall(r'<div id="altair-viz-\d"[^>]*>.*?</div>', body)
    assert 'class="riskoff-pending vega-embed riskoff-still-view"' in first
    assert f"min-height: calc({300 + sitejs.CONTROL_ROW}px + var(--riskoff-tools-room" in first
    assert '<source media="(max-width: 767.98px)" srcset="../_charts/a.svg" width="342"' in first
    assert '<img src="../_charts/b.svg" width="672" height="400" alt="1 &amp; more"' in first
    assert 'loading="lazy"' not in first and 'loading="lazy"' in second
    # the live view's block still follows its placeholder
    assert re.search(r'</picture></div></div><script type="application/json" class="riskoff-chart">',
                     body)


def test_no_picture_when_vl_convert_cannot_draw_it(tmp_path):
    body, _ = sitejs.compile_charts(_chart_script(_fit_spec("1")), lambda s: s, lambda s: 300,
                                    lambda spec, eager: "")
    assert "<picture" not in body and 'class="riskoff-pending" style="min-height: 340px"' in body


def test_picture_writer_writes_each_width_once(tmp_path):
    class App:
        outdir = str(tmp_path / "html")

    compiler = sitejs.Compiler(tmp_path / "cache")
    svg = '<svg xmlns="http://www.w3.org/2000/svg" class="marks" width="{w}" height="321"></svg>'
    compiler.picture = lambda spec, width: svg.format(w=width)
    writer = sitejs.PictureWriter(App, {"pathto": lambda p, f: "../" + p}, compiler)
    out = writer(_fit_spec("1"), True)
    files = sorted((tmp_path / "html" / sitejs.PICTURES).glob("*.svg"))
    assert len(files) == len(sitejs.PICTURE_WIDTHS)
    assert all('class="marks"' not in f.read_text() for f in files)
    assert out.count('height="321"') == 2 and out.count('"../_charts/') == 2
    assert writer(_fit_spec("1"), True) == out
    compiler.picture = lambda spec, width: None
    assert writer(_fit_spec("2"), True) == ""


def test_pictures_are_cached_outside_the_build(tmp_path, monkeypatch):
    import vl_convert as vlc

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    calls = []
    monkeypatch.setattr(vlc, "vega_to_svg", lambda spec: calls.append(spec) or
                        '<svg class="marks" width="342" height="200"></svg>')
    compiler = sitejs.Compiler(tmp_path / "build")  # _build/.doctrees/…: emptied by cold builds
    spec = _fit_spec("1")
    assert compiler.picture(spec, 342) == compiler.picture(spec, 342)
    assert len(calls) == 1 and calls[0]["signals"][0]["init"] == "342"
    assert list((tmp_path / "cache" / "riskoff" / "pictures").glob("*.svg"))
    sitejs.Compiler(tmp_path / "other").picture(spec, 342)
    assert len(calls) == 1, "a new build reuses the picture"
    compiler.picture(spec, 672)
    assert len(calls) == 2


# ---------------------------------------------------------------- static controls (issue 15)

def test_controls_are_vega_bindings_markup_at_the_specs_values():
    spec = {"signals": [
        {"name": "a", "value": "y", "bind": {"input": "radio", "options": ["x", "y"],
                                              "labels": ["X <1", "Y"], "name": "Show "}},
        {"name": "b", "value": 20, "bind": {"input": "range", "min": 0, "max": 300.0,
                                             "step": 10, "name": "Size "}},
        {"name": "c", "value": False, "bind": {"input": "checkbox", "name": "C"}},
        {"name": "d", "value": 2, "bind": {"input": "select", "options": [1, 2]}},
        {"name": "width", "value": 300}]}
    assert sitejs.controls_html(spec) == (
        '<form class="vega-bindings riskoff-static">'
        '<div class="vega-bind"><span class="vega-bind-name">Show </span>'
        '<span class="vega-bind-radio"><label><input type="radio" name="a" value="x">X &lt;1'
        '</label><label><input type="radio" name="a" value="y" checked="true">Y</label>'
        '</span></div>'
        '<div class="vega-bind"><label><span class="vega-bind-name">Size </span>'
        '<input type="range" name="b" min="0" max="300" step="10" value="20"><span>20</span>'
        '</label></div>'
        '<div class="vega-bind"><label><span class="vega-bind-name">C</span>'
        '<input type="checkbox" name="c"></label></div>'
        '<div class="vega-bind"><label><span class="vega-bind-name">d</span><select name="d">'
        '<option value="1">1</option><option value="2" selected="true">2</option></select>'
        '</label></div></form>')


def test_a_control_it_cannot_draw_leaves_the_room_guessed():
    spec = _fit_spec("1")
    spec["signals"][1]["bind"] = {"input": "range", "min": 0, "max": 9, "step": 1}
    picture = lambda s, eager: sitejs.picture_html([(342, "a.svg", 300), (672, "b.svg", 280)],
                                                   "", eager)
    body, _ = sitejs.compile_charts(_chart_script(spec), lambda s: s, lambda s: 300, picture)
    assert "riskoff-exact" in body and "min-height" not in body
    assert body.index("</picture>") < body.index('<form class="vega-bindings riskoff-static">')
    assert '<div class="chart-wrapper riskoff-still fit-x"><picture' in body
    spec["signals"][1]["bind"] = {"input": "color"}
    body, _ = sitejs.compile_charts(_chart_script(spec), lambda s: s, lambda s: 300, picture)
    assert "riskoff-static" not in body and "riskoff-exact" not in body
    assert f"min-height: calc({300 + sitejs.CONTROL_ROW}px" in body


# ---------------------------------------------------------------- the figure's toolbar, built

def _time_spec(lo: float, hi: float) -> dict:
    # A line over two dates, y from the data (no zero): what abilities() reads in the browser.
    return {"$schema": "https://vega.github.io/schema/vega/v6.json", "description": "t",
            "width": 300, "height": 200,
            "data": [{"name": "d", "values": [{"t": 1735689600000, "v": lo},
                                              {"t": 1738368000000, "v": hi}]}],
            "scales": [{"name": "x", "type": "utc", "range": "width",
                        "domain": {"data": "d", "field": "t"}},
                       {"name": "y", "type": "linear", "range": "height", "zero": False,
                        "domain": {"data": "d", "field": "v"}}],
            "marks": [{"type": "line", "from": {"data": "d"}, "encode": {"update": {
                "x": {"scale": "x", "field": "t"}, "y": {"scale": "y", "field": "v"}}}}]}


def test_toolbar_abilities_come_from_the_drawn_scales(tmp_path):
    compiler = sitejs.Compiler(tmp_path)
    wide = sitejs.tool_abilities(_time_spec(10, 100), compiler.probe(_time_spec(10, 100)))
    assert wide == {"log": True, "range": ("2025-01-01", "2025-02-01"), "pick": None}
    narrow = sitejs.tool_abilities(_time_spec(10, 20), compiler.probe(_time_spec(10, 20)))
    assert narrow["log"] is False and narrow["range"] == ("2025-01-01", "2025-02-01")
    bar = sitejs.tools_html(_time_spec(10, 100), wide, {"From": "由", "Log scale": "對數刻度"})
    assert bar.index('class="riskoff-range"') < bar.index("riskoff-log") < bar.index("riskoff-link")
    assert '<label>由 </label><input type="date" min="2025-01-01" max="2025-02-01" ' \
           'value="2025-01-01" class="riskoff-range-由">' in bar and ">對數刻度</button>" in bar


def test_toolbar_is_written_in_its_figure_before_the_caption():
    def picture(spec, eager):
        return sitejs.picture_html([(342, "a.svg", 410), (672, "b.svg", 400)], "", eager)

    def fig(chart):
        return f'<figure class="riskoff-figure" role="figure">{chart}<figcaption>c</figcaption></figure>'

    spec = _spec("1", [{"a": 1}])
    page = fig(_chart_script(spec)) + _chart_script(_spec("2", [{"a": 2}]))
    body, _ = sitejs.compile_charts(page, lambda s: s, lambda s: 300, picture,
                                    tools=lambda s: '<div class="riskoff-tools">T</div>')
    assert body.count('class="riskoff-tools"') == 1  # the chart outside a figure has none
    assert re.search(r'class="riskoff-chart">.*?</script><div class="riskoff-tools">T</div>'
                     r'<figcaption>', body)
    first = re.findall(r'<div id="altair-viz-\d"[^>]*>', body)
    assert "riskoff-tools-built" in first[0] and "riskoff-tools-built" not in first[1]
