"""A figure's words in the real browser (issue 13 item 2, riskoff.charts.words).

For every figure of every page: it has a title drawn in the chart and a takeaway under it;
at the default view the takeaway Vega computes equals the one Python rendered into the page;
every control, moved, changes the title; the caption's takeaway and the exports' title follow
the view; moving the control back restores the default words.

Needs the heavy lock (it shares _build with the site build):
    flock /tmp/riskoff-heavy.lock python -m pytest tests/test_figure_words.py -p no:nbval -o addopts=""
"""
from __future__ import annotations

import html
import re

import pytest

from test_figure_tools import _figures, _other_value, _pages_with_figures
from test_site import Visit

# Per figure in page order: Vega's words, the caption's, the drawn title and the exports' title.
WORDS_JS = """
() => [...document.querySelectorAll('figure.riskoff-figure')].map(f => {
  const e = f.riskoffTools, v = e && e.view;
  let title = null, takeaway = null;
  try { title = v.signal('riskoff_title'); takeaway = v.signal('riskoff_takeaway'); } catch (x) {}
  const drawn = [...f.querySelectorAll('svg g.role-title-text text')].map(t =>
    t.querySelectorAll('tspan').length ? [...t.querySelectorAll('tspan')].map(s => s.textContent)
      .join('\\n') : t.textContent).join('\\n');
  const cap = f.querySelector('figcaption .riskoff-takeaway');
  const t = f.querySelector('svg g.role-title'), svg = f.querySelector('svg.marks');
  // A title nearly as wide as the whole chart is what sets its width: the plot shrank for it.
  const wide = t && svg ? t.getBoundingClientRect().width - 0.97 * svg.getBoundingClientRect().width : 0;
  const wrap = f.querySelector('.chart-wrapper.fit-x');
  const short = wrap && svg ? wrap.getBoundingClientRect().width - svg.getBoundingClientRect().width : 0;
  return {name: e && e.name, title, takeaway, drawn, wide, short,
          caption: cap ? cap.textContent.trim() : null, exportTitle: e && e.meta.title};
})
"""
TAKEAWAY_HTML = re.compile(r'<p class="riskoff-takeaway"[^>]*><em>(.*?)</em></p>', re.S)


def _flat(text):
    # The drawn title is wrapped for the chart's width (narrower on a phone): compare words.
    return " ".join((text or "").split())


def _words(visit):
    return visit.page.evaluate(WORDS_JS)


def _set(visit, name, param, value):
    visit.page.evaluate("""([name, param, value]) => {
      const v = window.riskoffFigures[name].view; v.signal(param, value); return v.runAsync().then(() => null);
    }""", [name, param, value])
    visit.page.wait_for_timeout(50)


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("page_path", _pages_with_figures())
def test_words_follow_every_control(browser, server, site, page_path, width):
    rendered = [html.unescape(t) for t in TAKEAWAY_HTML.findall((site / page_path).read_text())]
    visit = Visit(browser, server, page_path, width=width)
    failures = []
    try:
        figs = {f["name"]: f for f in _figures(visit)}
        words = _words(visit)
        if len(rendered) != len(words):
            failures.append(f"{len(words)} figures, {len(rendered)} rendered takeaways")
        for i, w in enumerate(words):
            if w["title"] is None:
                failures.append(f"{w['name']}: no words (title and takeaway) for this figure")
                continue
            if i < len(rendered) and w["takeaway"] != rendered[i]:
                failures.append(f"{w['name']}: default takeaway differs: browser "
                                f"{w['takeaway']!r}, Python {rendered[i]!r}")
            if w["short"] > 4:
                failures.append(f"{w['name']}: drawn {w['short']:.0f} px narrower than its "
                                "column (measured before the page settled)")
            if w["wide"] > 1:
                failures.append(f"{w['name']}: its title spans the whole chart (the plot "
                                "shrinks to make room for it, or it is cut)")
            if _flat(w["drawn"]) != _flat(w["title"]):
                failures.append(f"{w['name']}: drawn title {w['drawn']!r} is not {w['title']!r}")
            for p in figs[w["name"]]["params"]:
                other = _other_value(p)
                if other is None:
                    continue
                _set(visit, w["name"], p["name"], other)
                now = _words(visit)[i]
                if now["title"] == w["title"]:
                    failures.append(f"{w['name']}: moving {p['name']} to {other!r} left the "
                                    f"title {w['title']!r}")
                if now["caption"] != now["takeaway"]:
                    failures.append(f"{w['name']}: after {p['name']}={other!r} the caption says "
                                    f"{now['caption']!r}, the view {now['takeaway']!r}")
                if now["exportTitle"] != now["title"].replace("\n", " "):
                    failures.append(f"{w['name']}: exports' title {now['exportTitle']!r} is not "
                                    "the view's")
                if _flat(now["drawn"]) != _flat(now["title"]):
                    failures.append(f"{w['name']}: drawn title did not follow {p['name']}")
                _set(visit, w["name"], p["name"], p["value"])
            back = _words(visit)[i]
            if (back["title"], back["caption"]) != (w["title"], w["caption"]):
                failures.append(f"{w['name']}: default words not restored")
        failures += visit.problems()
    finally:
        visit.page.context.close()
    assert not failures, "\n".join(failures)
