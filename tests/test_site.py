"""The built site in a real headless browser (Debian chromium driven by Playwright).

Builds the book once (``python -m riskoff.site build``: Vega bundle + jupyter-book -W), serves
it on localhost, and for every page in _toc.yml checks: no console error or warning, no
request off the host, every chart drew marks (not an error text), every static control
changes its chart, and the page fits a 390 px phone screen. Screenshots of every chart, before
and after its controls move, go to _build/screenshots/ (look at them).

Also runs axe-core's WCAG 2 A/AA audit on every page (no serious or critical finding).

Set RISKOFF_REUSE_BUILD=1 to test an existing _build/html without rebuilding.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import ROOT, edition_pages, toc_pages

SHOTS = ROOT / "_build" / "screenshots"
LAZY_CHARTS_JS = """
async () => {
  for (const script of document.querySelectorAll('script.riskoff-chart')) {
    const el = script.previousElementSibling;
    el.scrollIntoView({block: 'center'});
    const t0 = performance.now();
    while (!(el.querySelector('svg.marks') || el.querySelector('.error'))
           && performance.now() - t0 < 10000) {
      await new Promise(r => setTimeout(r, 20));
    }
  }
  window.scrollTo(0, 0);
}
"""


def test_build_has_every_page(site):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for page in toc_pages():
        assert (site / page).exists(), page


class Visit:
    """One page open in the browser, recording console messages and off-host requests."""

    def __init__(self, browser, server, page_path, width=1280, mode="light"):
        self.messages, self.offhost = [], []
        context = browser.new_context(viewport={"width": width, "height": 900},
                                      color_scheme=mode)
        # The theme reads its colour mode from localStorage before the first paint.
        context.add_init_script(f"localStorage.setItem('mode', '{mode}');"
                                f"localStorage.setItem('theme', '{mode}');")
        self.page = context.new_page()
        self.page.on("console", lambda m: self.messages.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.messages.append(f"pageerror: {e}"))
        self.page.route("**/*", self._route)
        self.page.goto(f"{server}/{page_path}", wait_until="load")

    def _route(self, route):
        url = route.request.url
        if url.startswith(("http://127.0.0.1", "data:", "blob:")):
            route.continue_()
        else:
            self.offhost.append(url)
            route.abort()

    def problems(self) -> list[str]:
        bad = [m for m in self.messages if m.startswith(("error", "warning", "pageerror"))]
        return bad + [f"off-host request: {u}" for u in self.offhost]

    def go_live(self):
        """The reader's first move: charts near the viewport go live on it (riskoff-charts.js),
        not before (until then each shows its picture and controls drawn at build time)."""
        self.page.mouse.move(2, 2)

    def charts(self):
        # Charts are drawn as they near the viewport (_static/riskoff-charts.js): scroll each
        # into view until it has drawn (or failed), then back to the top.
        self.go_live()
        self.page.evaluate(LAZY_CHARTS_JS)
        embeds = self.page.query_selector_all("div.vega-embed")
        if embeds:
            # Vega renders asynchronously: wait until every chart has an SVG (or an error).
            self.page.wait_for_function(
                """n => [...document.querySelectorAll('div.vega-embed')]
                        .every(d => d.querySelector('svg.marks') || d.querySelector('.error'))
                        && document.querySelectorAll('div.vega-embed').length === n""",
                arg=len(embeds), timeout=15000)
        return embeds


def _slug(page_path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", page_path.lower().removesuffix(".html")).strip("-")


MARKS_JS = "el => el.querySelectorAll('svg.marks g.role-mark > *').length"
SVG_JS = "el => el.querySelector('svg.marks').outerHTML"

CHANGE_JS = """
(inp) => {
  const t = inp.type;
  if (inp.tagName === 'SELECT') {
    inp.selectedIndex = (inp.selectedIndex + 1) % inp.options.length;
  } else if (t === 'checkbox') {
    inp.checked = !inp.checked;
  } else if (t === 'radio') {
    inp.checked = true;
  } else if (t === 'range' || t === 'number') {
    const lo = parseFloat(inp.min || '0'), hi = parseFloat(inp.max || '100');
    const v = parseFloat(inp.value);
    inp.value = String(Math.abs(v - hi) > Math.abs(v - lo) ? hi : lo);
  } else {
    inp.value = inp.value + '1';
  }
  inp.dispatchEvent(new Event('input', {bubbles: true}));
  inp.dispatchEvent(new Event('change', {bubbles: true}));
}
"""


def _controls(embed):
    """One handle per reader control: each select/checkbox/range, and each radio option that
    is not already selected."""
    out = []
    for bind in embed.query_selector_all(".vega-bind"):
        radios = bind.query_selector_all("input[type=radio]")
        if radios:
            out += [r for r in radios if not r.is_checked()]
        else:
            out += bind.query_selector_all("select, input")
    return out


# The caption's as-of words in each edition (riskoff.i18n: "**Data as of** {date}.").
AS_OF = {"en": "Data as of", "zh-Hant": "數據截至"}


@pytest.mark.parametrize("page_path", edition_pages())
def test_page_charts_and_controls(browser, server, page_path):
    as_of = AS_OF["zh-Hant" if page_path.startswith("zh-Hant/") else "en"]
    visit = Visit(browser, server, page_path)
    page, slug = visit.page, _slug(page_path)
    try:
        embeds = visit.charts()
        failures = []
        for i, embed in enumerate(embeds):
            name = f"{slug} chart {i + 1}"
            if embed.query_selector(".error"):
                failures.append(f"{name}: {embed.inner_text()[:200]}")
                continue
            if not embed.evaluate("(el, asOf) => { const f = el.closest('figure');"
                                  " return f && f.getAttribute('aria-label') &&"
                                  " f.querySelector('figcaption').innerText.includes(asOf) }",
                                  as_of):
                failures.append(f"{name}: no figure with a text alternative and an as-of caption")
            if embed.evaluate(MARKS_JS) == 0:
                failures.append(f"{name}: drew no marks")
            embed.scroll_into_view_if_needed()
            embed.screenshot(path=str(SHOTS / f"{slug}-{i + 1}.png"))
            for j, ctl in enumerate(_controls(embed)):
                before = embed.evaluate(SVG_JS)
                ctl.evaluate(CHANGE_JS)
                try:
                    page.wait_for_function(
                        "([el, before]) => el.querySelector('svg.marks').outerHTML !== before",
                        arg=[embed, before], timeout=3000)
                except Exception:
                    label = ctl.evaluate("e => e.closest('.vega-bind').innerText || e.value")
                    failures.append(f"{name}: control {j + 1} ({label.strip()[:40]!r}) "
                                    f"did not change the chart")
                    continue
                if embed.evaluate(MARKS_JS) == 0 and j == 0:
                    failures.append(f"{name}: control {j + 1} left the chart empty")
            if _controls(embed):
                embed.screenshot(path=str(SHOTS / f"{slug}-{i + 1}-moved.png"))
        failures += visit.problems()
        assert not failures, "\n".join(failures)
    finally:
        page.context.close()


def _axe_script() -> str:
    import importlib.util

    spec = importlib.util.find_spec("axe_playwright_python")
    assert spec, "axe-playwright-python is not installed (pip install -r requirements-dev.txt)"
    return (Path(spec.origin).parent / "axe.min.js").read_text()


@pytest.mark.parametrize("mode", ["light", "dark"])
@pytest.mark.parametrize("page_path", edition_pages())
def test_page_accessibility(browser, server, page_path, mode):
    """axe-core (WCAG 2 A/AA rules, colour contrast included) in the real browser, in light
    and dark mode: no serious or critical finding."""
    visit = Visit(browser, server, page_path, mode=mode)
    try:
        visit.charts()
        assert visit.page.evaluate("() => document.documentElement.dataset.theme") == mode
        visit.page.add_script_tag(content=_axe_script())
        result = visit.page.evaluate(
            "() => axe.run(document, {runOnly: {type: 'tag', values: "
            "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})")
        bad = [f"{v['id']} ({v['impact']}): {v['help']} — e.g. {v['nodes'][0]['target']}"
               for v in result["violations"] if v["impact"] in ("serious", "critical")]
        assert not bad, "\n".join(bad)
    finally:
        visit.page.context.close()


@pytest.mark.parametrize("page_path", edition_pages())
def test_page_fits_a_phone(browser, server, page_path):
    visit = Visit(browser, server, page_path, width=390)
    try:
        embeds = visit.charts()
        overflow = visit.page.evaluate(
            "() => document.documentElement.scrollWidth - window.innerWidth")
        visit.page.screenshot(path=str(SHOTS / f"{_slug(page_path)}-phone.png"))
        for i, embed in enumerate(embeds):
            figure = embed.evaluate_handle("el => el.closest('figure') || el").as_element()
            figure.scroll_into_view_if_needed()
            figure.screenshot(path=str(SHOTS / f"{_slug(page_path)}-phone-{i + 1}.png"))
        assert overflow <= 1, f"page is {overflow}px wider than a 390px screen"
        assert not visit.problems(), "\n".join(visit.problems())
    finally:
        visit.page.context.close()


def test_build_runs_jupyter_book_with_this_interpreter(monkeypatch):
    """Not the `jupyter-book` on PATH, which may belong to another installation."""
    import sys

    from riskoff import site as rsite

    calls = []
    monkeypatch.setattr(rsite, "write_assets", lambda: None)
    monkeypatch.setattr(rsite.subprocess, "call", lambda cmd, **kw: calls.append(cmd) or 0)
    # English only: a translated edition would execute its notebooks for real here
    monkeypatch.setenv("RISKOFF_EDITIONS", "en")
    assert rsite.build(["--all"]) == 0
    cmd = calls[0]
    assert cmd[0] == sys.executable and "jupyter_book.cli.main" in " ".join(cmd[:3])
    assert cmd[3:5] == ["build", str(rsite.ROOT)] and cmd[-1] == "--all"


def test_jupyter_book_runs_without_the_iri_grammar():
    """jsonschema builds a grammar for IRI formats on import (0.7-2 s a run, twice a build);
    the book's configuration schema uses no format, so the command the build runs skips it."""
    import subprocess
    import sys

    from riskoff import site as rsite

    code = rsite.JUPYTER_BOOK[2].replace("main()", "import jupyter_book.config")
    assert code != rsite.JUPYTER_BOOK[2]
    run = subprocess.run([sys.executable, "-X", "importtime", "-c", code],
                         capture_output=True, text=True, check=True)
    imported = {ln.rsplit("|", 1)[-1].strip() for ln in run.stderr.splitlines()}
    assert "jsonschema" in imported and "lark" not in imported


def test_the_runtime_check_reads_altairs_vega_version_without_importing_altair(
        monkeypatch, tmp_path):
    """Importing Altair costs a second of every build; its Vega version is read from its files,
    and a runtime of another major version still stops the build with the fix."""
    import subprocess
    import sys

    import altair as alt

    from riskoff import site as rsite

    assert rsite._altair_vega_version() == (alt.VEGA_VERSION, alt.__version__)
    code = ("import sys; from riskoff import site; site.check_runtime(); "
            "print('altair' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=rsite.ROOT).stdout
    assert out.strip() == "False"
    old = tmp_path / "vega.min.js"
    old.write_text('...u.version="4.4.0"...', encoding="utf-8")
    monkeypatch.setattr(rsite, "RUNTIME", old)
    monkeypatch.setattr(rsite, "ROOT", tmp_path)
    wanted = rf"is Vega 4 but Altair .* needs Vega {alt.VEGA_VERSION}.*README"
    with pytest.raises(RuntimeError, match=wanted):
        rsite.check_runtime()


# The static controls drawn with each chart's picture (riskoff/sitejs.py controls_html) and the
# live view that replaces them (riskoff-charts.js): the same markup in the same place, and a
# control moved before the live view was ready carried into it.
STATIC_JS = """
() => [...document.querySelectorAll('script.riskoff-chart')].map(s => {
  const el = s.previousElementSibling, f = el.querySelector('form.vega-bindings');
  const top = el.getBoundingClientRect().top;
  return {id: el.id, live: !!el.querySelector('svg.marks'),
          static: !!(f && f.classList.contains('riskoff-static')),
          top: f ? Math.round(f.getBoundingClientRect().top - top) : null,
          left: f ? Math.round(f.getBoundingClientRect().left - el.getBoundingClientRect().left) : null,
          width: f ? Math.round(f.getBoundingClientRect().width) : null,
          // What the reader sees: the elements, their attributes (a range's value is a
          // property in Vega's, an attribute in the static one) and texts.
          markup: f ? [...f.querySelectorAll('*')].map(n => n.tagName + '.' + n.className + '[' +
            [...n.attributes].filter(a => a.name !== 'class' && !(n.type === 'range' &&
              a.name === 'value')).map(a => a.name + '=' + a.value).sort().join(',') + ']' +
            (n.children.length ? '' : n.textContent) +
            (n.tagName === 'INPUT' ? (n.type === 'checkbox' || n.type === 'radio' ?
              ':' + n.checked : ':' + n.value) : n.tagName === 'SELECT' ? ':' + n.value : '')
          ).join('|') : null};
})
"""


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("page_path", [p for p in edition_pages() if p.rsplit("/", 1)[-1]
                                       in ("index.html",) or "/0" in "/" + p])
def test_static_controls_become_the_live_ones(browser, server, page_path, width):
    visit = Visit(browser, server, page_path, width=width)
    page = visit.page
    try:
        page.wait_for_timeout(300)
        before = page.evaluate(STATIC_JS)
        if not before:
            return
        failures = [f"{c['id']}: live before the reader moved" for c in before if c["live"]]
        failures += [f"{c['id']}: no static controls" for c in before
                     if c["markup"] is None or not c["static"]]
        # The last chart's first control (a page of one chart keeps it, to check its place),
        # moved before the live view exists.
        target = before[-1]["id"] if len(before) > 1 else None
        form = target and page.query_selector(f"#{target} form.riskoff-static")
        moved = None
        if form:
            ctl = _controls(form)[0]
            ctl.evaluate(CHANGE_JS)
            moved = ctl.evaluate("i => [i.name, i.tagName === 'SELECT' ? i.value : i.type === "
                                 "'checkbox' ? i.checked : i.value]")
            before = page.evaluate(STATIC_JS)
        visit.charts()
        after = page.evaluate(STATIC_JS)
        for b, a in zip(before, after):
            if a["static"] or not a["live"]:
                failures.append(f"{a['id']}: not live after the reader moved")
                continue
            if a["markup"] != b["markup"]:
                diff = next((x, y) for x, y in zip(b["markup"].split("|") + [""],
                                                   a["markup"].split("|") + [""]) if x != y)
                failures.append(f"{a['id']}: live controls differ from the static ones: {diff}")
            # (the moved chart may draw another height: its control changed what it shows)
            if (a["top"], a["left"], a["width"]) != (b["top"], b["left"], b["width"]) and not (
                    moved and a["id"] == target):
                failures.append(f"{a['id']}: controls moved at the swap: "
                                f"{(b['top'], b['left'], b['width'])} -> "
                                f"{(a['top'], a['left'], a['width'])}")
        if moved:
            value = page.evaluate(
                "([id, name]) => { const v = document.getElementById(id).riskoffView;"
                " return v && String(v.signal(name)); }", [target, moved[0]])
            if value != str(moved[1]).lower() and value != str(moved[1]):
                failures.append(f"{target}: {moved[0]} moved to {moved[1]!r} before "
                                f"the live view, which shows {value!r}")
        failures += visit.problems()
        assert not failures, "\n".join(failures)
    finally:
        page.context.close()
