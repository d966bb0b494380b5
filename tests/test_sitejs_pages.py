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
