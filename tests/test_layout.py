"""Layout of the built book as a reader sees it, in headless Chromium (tests/layout_probe.py).

At 390 px and 1280 px, in light and dark mode, for every chart and again after each control
moves: no overlapping or struck-through text, none clipped or truncated, a plot area of at
least half the figure, a swatch per legend entry, readable contrast, no grey block; no table or
figure wider than the column without a scroll cue. The header: one search box, working ☰ and
contents buttons. Print: a chapter on A4 without screen-only controls, tables and charts within
the page. Screenshots: _build/screenshots/<width>-<mode>/ and _build/screenshots/print/.

Needs the heavy lock (it shares _build with the site build):
    flock /tmp/riskoff-heavy.lock python -m pytest tests/test_layout.py -p no:nbval -o addopts=""
"""
from __future__ import annotations

import pytest

import layout_probe as lp
from conftest import edition_pages


@pytest.fixture(scope="session")
def findings_log():
    """Every finding of the session, also written to _build/layout-findings.md (the table
    helpers read; the same as `python tests/layout_probe.py --md`)."""
    found: list[dict] = []
    yield found
    if lp.HTML.exists():
        (lp.HTML.parent / "layout-findings.md").write_text(
            lp.markdown(found, "python -m pytest tests/test_layout.py (see _build/layout-findings.md)"))


def _report(findings) -> str:
    rows = lp.dedupe(findings)
    return f"{len(rows)} layout findings:\n" + "\n".join(
        f"  {r['page']} | chart {r['chart']} | {r['width']}-{r['mode']} | {r['state']} "
        f"(x{r['states']}) | {r['check']}: {r['detail']}" for r in rows)


@pytest.mark.parametrize("mode", lp.MODES)
@pytest.mark.parametrize("width", lp.WIDTHS)
@pytest.mark.parametrize("page_path", edition_pages())
def test_chart_and_page_layout(browser, server, findings_log, page_path, width, mode):
    findings = lp.probe_page(browser, server, page_path, width, mode, lp.SHOTS)
    findings_log += findings
    assert not findings, _report(findings)


@pytest.mark.parametrize("width", lp.WIDTHS)
@pytest.mark.parametrize("page_path", ["index.html", "chapters/02-the-fed.html"] + [
    p for p in edition_pages() if p.endswith("/index.html")])  # a header with the switch
def test_header_search_and_sidebars(browser, server, findings_log, page_path, width):
    findings = lp.nav_findings(browser, server, page_path, width)
    findings_log += findings
    assert not findings, _report(findings)


@pytest.mark.parametrize("page_path", edition_pages())
def test_prints_to_a4(browser, server, findings_log, page_path):
    findings = lp.print_findings(browser, server, page_path,
                                 lp.SHOTS / "print" / f"{lp.slug(page_path)}.pdf")
    findings_log += findings
    assert not findings, _report(findings)
