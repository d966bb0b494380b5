"""What the built pages load (issue 15): no icon library, no Vega where there is no chart,
no render-blocking chart script, charts drawn lazily, a meta description on every page."""
from __future__ import annotations

import re

import pytest

from conftest import HTML, toc_pages


def _scripts(html: str) -> list[str]:
    return re.findall(r'<script\b[^>]*\bsrc="([^"]+)"', html)


@pytest.mark.parametrize("page_path", toc_pages())
def test_page_loads_no_icon_library_and_vega_only_with_charts(site, page_path):
    html = (site / page_path).read_text(encoding="utf-8")
    scripts = _scripts(html)
    assert not [s for s in scripts if "fontawesome" in s or "all.min.js" in s], scripts
    assert not re.search(r'<(i|span) class="[^"]*\bfa-', html), "icon left for Font Awesome's script"
    assert not [s for s in scripts if "vega" in s], "Vega loaded up front"
    charts = html.count('class="riskoff-chart"')
    assert "VEGA_DEBUG" not in html, "an Altair chart script was not compiled"
    loader = [s for s in scripts if "riskoff-charts.js" in s]
    if charts:
        tag = re.search(r'<script\b[^>]*riskoff-charts\.js[^>]*>', html).group(0)
        assert "defer" in tag, f"chart loader blocks rendering: {tag}"
    else:
        assert not loader, "a page without a chart loads the chart loader"


def test_every_page_has_its_own_description(site):
    seen = {}
    for page_path in toc_pages():
        html = (site / page_path).read_text(encoding="utf-8")
        found = re.findall(r'<meta name="description" content="([^"]+)"', html)
        assert len(found) == 1, f"{page_path}: {len(found)} meta descriptions"
        assert 50 <= len(found[0]) <= 170, f"{page_path}: {found[0]!r}"
        assert found[0] not in seen, f"{page_path} repeats {seen.get(found[0])}'s description"
        seen[found[0]] = page_path


def test_charts_are_drawn_as_they_come_into_view(browser, server):
    """Chapter 4: at the top of the page no chart far below is drawn; scrolled to, it is."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    try:
        page.goto(f"{server}/chapters/04-nine-drivers.html", wait_until="load")
        page.wait_for_timeout(500)
        last = page.query_selector_all('script.riskoff-chart')[-1].evaluate_handle(
            "s => s.previousElementSibling").as_element()
        assert not last.query_selector("svg.marks"), "a chart far below the fold was drawn"
        last.scroll_into_view_if_needed()
        page.wait_for_function("el => el.querySelector('svg.marks')", arg=last, timeout=5000)
        assert [u for u in requests if "vega.min.js" in u]
    finally:
        page.close()
    # A page without a chart (the front page leads with one now) never loads Vega, even
    # scrolled to its end.
    bare = next(p for p in toc_pages()
                if 'class="riskoff-chart"' not in (HTML / p).read_text("utf-8"))
    plain = browser.new_page(viewport={"width": 1280, "height": 900})
    requests.clear()
    plain.on("request", lambda r: requests.append(r.url))
    try:
        plain.goto(f"{server}/{bare}", wait_until="load")
        plain.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
        plain.wait_for_timeout(300)
        assert not [u for u in requests if "vega" in u], f"{bare} (no chart) loads Vega"
    finally:
        plain.close()
