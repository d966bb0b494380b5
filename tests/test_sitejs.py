"""riskoff.sitejs: charts compiled to Vega for the lazy loader, icons inlined, descriptions."""
from __future__ import annotations

import json
import re

import altair as alt
import pandas as pd
import pytest
from docutils.core import publish_doctree

from riskoff import sitejs


def _altair_html(**embed) -> str:
    chart = alt.Chart(pd.DataFrame({"x": [1, 2], "y": [3, 4]})).mark_bar(tooltip=True).encode(
        x="x", y="y")
    with alt.renderers.enable("html", embed_options=embed):
        bundle = chart._repr_mimebundle_()
    bundle = bundle[0] if isinstance(bundle, tuple) else bundle
    return bundle["text/html"]


def _blocks(body: str) -> list[dict]:
    return [json.loads(m) for m in re.findall(
        r'<script type="application/json" class="riskoff-chart">(.*?)</script>', body, re.S)]


def test_chart_script_becomes_compiled_vega(tmp_path):
    page = "<p>before</p>" + _altair_html(actions={"export": True, "source": False}) + "<p>after</p>"
    body, count = sitejs.compile_charts(page, sitejs.Compiler(tmp_path))
    assert count == 1
    assert "vegaEmbed" not in body and "cdn.jsdelivr" not in body
    assert body.startswith("<p>before</p>") and body.endswith("<p>after</p>")
    (block,) = _blocks(body)
    assert "vega/v6" in block["spec"]["$schema"]  # compiled: a Vega spec, not Vega-Lite
    assert block["export"] is True and block["renderer"] == "svg"
    # the placeholder the loader draws into stays right before the data block
    assert re.search(r'<div id="altair-viz-[0-9a-f]+"[^>]*></div>\s*<script type="application/json"',
                     body)
    assert list(tmp_path.glob("*.json")), "compiled spec not cached"


def test_export_off_and_cache_reused(tmp_path):
    calls = []
    compiler = sitejs.Compiler(tmp_path)

    def counting(spec):
        calls.append(1)
        return compiler(spec)

    page = _altair_html(actions=False)
    sitejs.compile_charts(page, counting)
    (block,) = _blocks(sitejs.compile_charts(page, compiler)[0])
    assert block["export"] is False
    assert len(list(tmp_path.glob("*.json"))) == 1


def test_json_block_cannot_close_its_script(tmp_path):
    spec = {"$schema": "https://vega.github.io/schema/vega/v6.json",
            "title": "a <b>bold</b> title <!-- not a comment"}
    page = ('<div id="altair-viz-1"></div><script type="text/javascript">\n'
            'var VEGA_DEBUG = {};\n(function(spec, embedOpt){\n})('
            + json.dumps(spec) + ', {"mode": "vega"});\n</script>')
    body, count = sitejs.compile_charts(page, lambda s: pytest.fail("vega is not compiled"))
    assert count == 1 and body.count("</script>") == 1
    block = body[body.index('class="riskoff-chart">'):]
    assert "<b>" not in block and "<!--" not in block  # "<" is escaped inside the JSON
    assert _blocks(body)[0]["spec"]["title"] == spec["title"]


ICONS_JS = ('var p={github:[496,512,[],"f09b","M1 1z"]};bunker(function(){d("fab",p)});'
            'var p={"magnifying-glass":[512,512,[128269,"search"],"f002","M2 2z"],'
            'bars:[448,512,["navicon"],"f0c9","M3 3z"]};bunker(function(){d("fas",p)});')


def test_icon_set_reads_packs_and_aliases():
    icons = sitejs.icon_set(ICONS_JS)
    assert icons["fab"]["github"] == (496, 512, "M1 1z")
    assert icons["fas"]["search"] == icons["fas"]["magnifying-glass"] == (512, 512, "M2 2z")
    assert "github" not in icons["fas"]


def test_icons_become_inline_svg_and_the_script_goes():
    icons = sitejs.icon_set(ICONS_JS)
    page = ('<head><script defer src="_static/scripts/fontawesome.js?digest=1"></script>'
            '<link rel="preload" as="font" type="font/woff2" crossorigin '
            'href="_static/vendor/fontawesome/6.5.2/webfonts/fa-solid-900.woff2" /></head>'
            '<i class="fab fa-github"></i><span class="fa-solid fa-bars"></span>'
            '<i class="theme-switch fa-solid fa-magnifying-glass fa-lg" data-mode="x" '
            'title="Search"></i>')
    out = sitejs.inline_icons(page, icons)
    assert "fontawesome" not in out and "woff2" not in out
    assert "<i " not in out and "<span" not in out
    assert out.count("<svg") == 3 and 'viewBox="0 0 496 512"' in out and 'd="M3 3z"' in out
    assert 'aria-hidden="true"' in out and "<title>Search</title>" in out
    assert 'class="svg-inline--fa theme-switch fa-solid fa-magnifying-glass fa-lg"' in out


def test_unknown_icon_leaves_the_page_as_the_theme_made_it():
    page = '<script src="x/fontawesome.js"></script><i class="fa-solid fa-unicorn"></i>'
    assert sitejs.inline_icons(page, sitejs.icon_set(ICONS_JS)) is None


def test_description_is_the_first_prose_paragraph():
    doctree = publish_doctree(
        "Title\n=====\n\n    **Note.** a quoted aside that is long enough to be picked up.\n\n"
        "Short.\n\n" + "The sell-off of November 2025, checked against market data " * 5 + "\n")
    text = sitejs.description(doctree)
    assert text.startswith("The sell-off of November 2025") and text.endswith("…")
    assert len(text) <= 155
