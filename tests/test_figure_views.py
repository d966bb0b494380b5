"""The reader's own view of a figure in the real browser (issue 14 items 2-5).

For every figure that offers them: the log toggle redraws the chart on a log scale and the
address keeps it; the time range narrows the x axis, the address keeps it and opening that
address restores it; Full range restores the whole span; hovering a chart of several series
over time shows a rule and every drawn series' value at one date; clicking a legend entry
fades the other series and clicking it again restores them. No console error throughout.

Needs the heavy lock (it shares _build with the site build):
    flock /tmp/riskoff-heavy.lock python -m pytest tests/test_figure_views.py -p no:nbval -o addopts=""
"""
from __future__ import annotations

import pytest

from test_figure_tools import _figures, _pages_with_figures
from test_site import Visit

CAN_JS = """() => Object.values(window.riskoffFigures).filter(e => e.view).map(e => ({
  name: e.name, anchor: e.anchor, log: !!(e.can && e.can.log), range: e.can && e.can.range,
  picks: e.fig.querySelectorAll('.riskoff-legend-pick').length}))"""


def _view(visit, name, js):
    return visit.page.evaluate(f"() => {{ const e = window.riskoffFigures[{name!r}]; {js} }}")


def _marks(visit, name):
    return _view(visit, name, "return e.el.querySelector('svg').innerHTML.length;")


@pytest.mark.parametrize("page_path", _pages_with_figures())
def test_log_range_hover_and_legend(browser, server, site, page_path):
    visit = Visit(browser, server, page_path)
    failures, offered = [], {"log": 0, "range": 0, "hover": 0, "legend": 0}
    try:
        _figures(visit)
        for f in visit.page.evaluate(CAN_JS):
            name, fig = f["name"], visit.page.locator(f"#{f['anchor']}")
            if f["log"]:
                offered["log"] += 1
                fig.locator(".riskoff-log").click()
                visit.page.wait_for_timeout(300)
                if _view(visit, name, "return e.view.scale('y').type;") != "log":
                    failures.append(f"{name}: log toggle left the y scale linear")
                if "_scale:log" not in visit.page.url:
                    failures.append(f"{name}: the address does not keep the log scale")
                fig.locator(".riskoff-log").click()
                visit.page.wait_for_timeout(300)
                if _view(visit, name, "return e.view.scale('y').type;") != "linear":
                    failures.append(f"{name}: log toggled off left the scale log")
            if f["range"]:
                offered["range"] += 1
                lo, hi = f["range"]
                mid = lo + (hi - lo) / 2
                day = visit.page.evaluate(f"() => new Date({mid}).toISOString().slice(0, 10)")
                box = fig.locator(".riskoff-range-from")
                box.fill(day)
                box.dispatch_event("change")
                visit.page.wait_for_timeout(300)
                start = _view(visit, name, "return +e.view.scale('x').domain()[0];")
                if abs(start - visit.page.evaluate(f"() => Date.parse('{day}T00:00:00Z')")) > 1:
                    failures.append(f"{name}: From {day} did not narrow the x axis")
                if f"_from:{day}" not in visit.page.url:
                    failures.append(f"{name}: the address does not keep the time range")
                fig.locator(".riskoff-range-reset").click()
                visit.page.wait_for_timeout(300)
                if abs(_view(visit, name, "return +e.view.scale('x').domain()[0];") - lo) > 1:
                    failures.append(f"{name}: Full range did not restore the whole span")
            hover = _view(visit, name, "return !!e.el.querySelector('.riskoff-hover');")
            if hover:
                offered["hover"] += 1
                svg = fig.locator("svg.marks").first
                svg.scroll_into_view_if_needed()
                bb = svg.bounding_box()
                shown = 0
                for fx in (0.35, 0.5, 0.65):
                    visit.page.mouse.move(bb["x"] + bb["width"] * fx, bb["y"] + bb["height"] * 0.4)
                    visit.page.wait_for_timeout(150)
                    shown = max(shown, _view(visit, name, "const l = e.el.querySelector("
                                             "'.riskoff-hover.visible td'); return l ? "
                                             "e.el.querySelectorAll('.riskoff-hover tr td:first-"
                                             "child .riskoff-swatch').length : 0;"))
                if shown < 2:
                    state = _view(visit, name, "const l = e.el.querySelector('.riskoff-hover');"
                                  " return l ? l.className + ' ' + l.innerText : 'no layer';")
                    failures.append(f"{name}: hovering shows no values of several series "
                                    f"({state!r})")
                visit.page.mouse.move(0, 0)
            if f["picks"]:
                offered["legend"] += 1
                pick = fig.locator(".riskoff-legend-pick").first
                pick.click()
                visit.page.wait_for_timeout(200)
                faded = _view(visit, name, "return e.el.querySelectorAll('.riskoff-faded').length;")
                if not faded:
                    failures.append(f"{name}: a legend click faded nothing")
                pick.click()
                visit.page.wait_for_timeout(200)
                if _view(visit, name, "return e.el.querySelectorAll('.riskoff-faded').length;"):
                    failures.append(f"{name}: a second legend click did not restore the series")
        failures += visit.problems()
    finally:
        visit.page.context.close()
    assert not failures, "\n".join(failures)


def test_a_range_and_log_address_restores_the_view(browser, server, site):
    page = "chapters/01-who-fell-most.html"
    visit = Visit(browser, server, f"{page}?rebased=_scale:log,_from:2025-10-01,_to:2026-03-31")
    try:
        _figures(visit)
        got = _view(visit, "rebased", "return [e.view.scale('y').type, e.view.scale('x').domain()"
                    ".map(d => new Date(d).toISOString().slice(0, 10)), "
                    "e.fig.querySelector('.riskoff-log').getAttribute('aria-pressed'), "
                    "e.fig.querySelector('.riskoff-range-from').value];")
        assert got == ["log", ["2025-10-01", "2026-03-31"], "true", "2025-10-01"]
        # The words still follow the controls on the redrawn chart.
        visit.page.evaluate("() => { const v = window.riskoffFigures['rebased'].view; "
                            "v.signal('base', '2025-04-08'); return v.runAsync().then(() => null); }")
        cap = visit.page.locator("#fig-rebased .riskoff-takeaway").inner_text()
        assert "8 Apr 2025" in cap
        assert not visit.problems()
    finally:
        visit.page.context.close()


@pytest.mark.parametrize("bad", ["_scale:linear-ish", "_from:2026-99-01,_to:2025-01-01",
                                 "_from:2026-01-01,_to:2025-01-01", "_from:,_to:"])
def test_a_bad_view_address_gives_the_default(browser, server, site, bad):
    visit = Visit(browser, server, f"chapters/01-who-fell-most.html?rebased={bad}")
    try:
        _figures(visit)
        got = _view(visit, "rebased", "return [e.view.scale('y').type, !!e.mods.range];")
        assert got == ["linear", False]
        assert not visit.problems()
    finally:
        visit.page.context.close()
