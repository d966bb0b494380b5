"""The reader's own view of a figure in the real browser (issue 14 items 2-5).

For every figure that offers them: the log toggle redraws the chart on a log scale and the
address keeps it; the time range narrows the x axis, the address keeps it and opening that
address restores it; Full range restores the whole span; hovering a chart of several series
over time shows a rule and every drawn series' value at one date; clicking a legend entry
fades the other series and clicking it again restores them. A narrow time range fits y to
the values inside it. Chapter 1's rebased chart takes any date, clicked or typed, with words
that say so. No console error throughout.

Needs the heavy lock (it shares _build with the site build):
    flock /tmp/riskoff-heavy.lock python -m pytest tests/test_figure_views.py -p no:nbval -o addopts=""
"""
from __future__ import annotations

import pytest

from test_figure_tools import _figures, _pages_with_figures
from test_site import SHOTS, Visit

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
                outside = _fit(visit, name)[1]
                if outside:
                    failures.append(f"{name}: {outside} points inside the time range drawn "
                                    "outside the plot (y not fitted to them)")
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


# The drawn points with a tooltip inside the x range: their y pixels and the plot's height.
VISIBLE_Y_JS = """
name => {
  const e = window.riskoffFigures[name], v = e.view, w = v.width(), ys = [];
  (function walk(node, dx, dy) {
    (node.items || []).forEach(it => {
      if (!it.marktype) { walk(it, dx, dy); return; }
      it.items.forEach(d => {
        if (it.marktype === 'group') { walk(d, dx + (d.x || 0), dy + (d.y || 0)); return; }
        if (d.tooltip && typeof d.tooltip === 'object' && d.x != null && d.y != null &&
            dx + d.x >= 0 && dx + d.x <= w) ys.push(dy + d.y);
      });
    });
  })(v.scenegraph().root, 0, 0);
  let type = null;
  try { type = v.scale('y').type; } catch (err) { /* a chart without a y scale */ }
  return {ys: ys, height: v.height(), type: type};
}
"""


def _fit(visit, name):
    got = visit.page.evaluate(VISIBLE_Y_JS, name)
    ys, h = got["ys"], got["height"]
    return (max(ys) - min(ys)) / h if ys else 0, sum(1 for y in ys if y < -1 or y > h + 1), got


@pytest.mark.parametrize("mode", ["", "_scale:log,"])
def test_time_range_fits_y_to_the_visible_span(browser, server, site, mode):
    """A narrow time range rescales y to the values inside it (linear and log): the visible
    points fill the plot's height and none is cut off."""
    visit = Visit(browser, server, "chapters/01-who-fell-most.html?rebased="
                  f"{mode}_from:2025-11-01,_to:2025-11-30")
    try:
        _figures(visit)
        visit.page.locator("#fig-rebased").scroll_into_view_if_needed()
        visit.page.wait_for_timeout(300)
        filled, outside, got = _fit(visit, "rebased")
        assert got["type"] == ("log" if mode else "linear")
        assert len(got["ys"]) > 20
        assert outside == 0, f"{outside} visible points drawn outside the plot"
        assert filled > 0.6, f"visible points fill {filled:.0%} of the plot's height"
        visit.page.screenshot(path=str(SHOTS / f"ch1-rebased-range-{'log' if mode else 'linear'}.png"))
        assert not visit.problems()
    finally:
        visit.page.context.close()


def _rebased_state(visit):
    return _view(visit, "rebased", """
      const sel = e.fig.querySelector('select[name="base"]');
      return {base: e.view.signal('base'), title: e.view.signal('riskoff_title'),
              drawn: [...e.el.querySelectorAll('svg .role-title-text text')].map(t => t.textContent).join(' '),
              takeaway: e.fig.querySelector('.riskoff-takeaway').textContent,
              menu: sel.selectedOptions[0] ? sel.selectedOptions[0].textContent : '',
              options: [...sel.options].filter(o => !o.classList.contains('riskoff-picked')).map(o => o.value),
              typed: e.fig.querySelector('.riskoff-pick-date').value};""")


def _first_levels(visit, base):
    """Each drawn series' level at its first date on or after ``base`` (from the tooltips)."""
    import datetime as dt

    tips = visit.page.evaluate("""() => { const out = [];
      (function walk(m) { if (!m || !m.items) return;
        if (m.marktype === 'group') { m.items.forEach(g => (g.items || []).forEach(walk)); return; }
        m.items.forEach(it => { if (it.tooltip && typeof it.tooltip === 'object') out.push(it.tooltip); });
      })(window.riskoffFigures.rebased.view.scenegraph().root); return out; }""")
    first = {}
    for t in tips:
        d = dt.datetime.strptime(t["Date"], "%d %b %Y").date().isoformat()
        if d >= base and (t["Asset"] not in first or d < first[t["Asset"]][0]):
            first[t["Asset"]] = (d, t["Level (base date = 100)"])
    return first


def test_rebase_to_a_clicked_or_typed_date(browser, server, site):
    """Clicking the rebased chart at a date rebases it there: every series starts at 100,
    the title names the date, the takeaway says it is a picked date (the ranking is written
    for the menu's dates only), the menu shows it, the address keeps it and restores it.
    Typing a date does the same; a menu date brings the table's words back."""
    from datetime import datetime

    page = "chapters/01-who-fell-most.html"
    visit = Visit(browser, server, page)
    try:
        _figures(visit)
        fig = visit.page.locator("#fig-rebased")
        fig.scroll_into_view_if_needed()
        bb = fig.locator("svg.marks").first.bounding_box()
        visit.page.mouse.click(bb["x"] + bb["width"] * 0.55, bb["y"] + bb["height"] * 0.45)
        visit.page.wait_for_timeout(500)
        st = _rebased_state(visit)
        base = st["base"]
        assert base not in st["options"], f"clicking set a menu date {base}"
        label = datetime.strptime(base, "%Y-%m-%d").strftime("%d %b %Y").lstrip("0")
        assert st["title"].startswith(f"Rebased to 100 on {label}"), st["title"]
        assert f"Rebased to 100 on {label}" in st["drawn"], st["drawn"]
        assert "picked on the chart" in st["takeaway"] and label in st["takeaway"]
        assert st["menu"] == f"{label} (picked)" and st["typed"] == base
        levels = _first_levels(visit, base)
        assert levels and all(v == "100.0" for _, v in levels.values()), levels
        visit.page.wait_for_timeout(300)
        url = visit.page.url
        assert f"rebased=base:{base}" in url, url
        visit.page.screenshot(path=str(SHOTS / "ch1-rebased-picked.png"))
        assert not visit.problems(), visit.problems()
    finally:
        visit.page.context.close()
    again = Visit(browser, server, url.split("/", 3)[3])
    try:
        _figures(again)
        st2 = _rebased_state(again)
        assert (st2["base"], st2["menu"], st2["title"]) == (base, st["menu"], st["title"])
        again.page.locator("#fig-rebased").scroll_into_view_if_needed()
        again.page.select_option("#fig-rebased select[name=base]", st["options"][1])
        again.page.wait_for_timeout(300)
        st3 = _rebased_state(again)
        assert st3["base"] == st["options"][1] and "picked" not in st3["takeaway"]
        assert not again.page.query_selector("#fig-rebased option.riskoff-picked")
        box = again.page.locator("#fig-rebased .riskoff-pick-date")
        box.fill("2025-06-02")
        box.dispatch_event("change")
        again.page.wait_for_timeout(300)
        st4 = _rebased_state(again)
        assert st4["base"] == "2025-06-02" and "2 Jun 2025" in st4["title"]
        assert all(v == "100.0" for _, v in _first_levels(again, "2025-06-02").values())
        assert not again.problems(), again.problems()
    finally:
        again.page.context.close()


@pytest.mark.parametrize("bad", ["base:2031-01-01", "base:1999-01-01", "base:2025-13-40",
                                 "base:yesterday"])
def test_a_bad_picked_date_gives_the_default(browser, server, site, bad):
    visit = Visit(browser, server, f"chapters/01-who-fell-most.html?rebased={bad}")
    try:
        _figures(visit)
        st = _rebased_state(visit)
        assert st["base"] == st["options"][0] and "picked" not in st["takeaway"]
        assert not visit.problems()
    finally:
        visit.page.context.close()
