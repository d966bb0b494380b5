"""Layout checks of the built site in headless Chromium: what a reader would see as broken.

For every chart, at each width and colour mode, and again after each of its controls moves,
one page.evaluate() measures the drawn SVG:

  overlap    two visible text elements of the chart overlap (bounding boxes, 2-3 px tolerance)
  struck     a rule or gridline runs through a text element
  clipped    a text element lies (partly) outside the figure or a box that hides overflow
  truncated  a label was shortened with Vega's ellipsis "…"
  plot       the plot area(s) cover less than half the figure's width
  swatch     a legend entry has no visible swatch (no fill area and no stroke)
  shrunk     the SVG is drawn wider than its column and scaled down (text below 9 px)
  contrast   chart text against the chart background below 4.5:1
  block      in dark mode, a chart sits on a foreign-coloured block (neither page nor chart)

and per page: an element (table, figure, chart) overflows the content column without a scroll
cue (`overflow`). Screenshots of every chart state go to _build/screenshots/<width>-<mode>/.
In the header (`search`, `sidebar`): one search box; the ☰ and contents buttons open their
sidebars and close them again. On A4 print media (`print`): no skip link, controls, menus or
navigation on paper; no table cut; no chart past the page (PDFs in _build/screenshots/print/).

Standalone (E runs this on the current build, under the heavy lock):

    flock /tmp/riskoff-heavy.lock python tests/layout_probe.py [--pages 02] [--widths 390]
        [--modes dark] [--no-shots] [--md findings.md]

The pytest side (tests/test_layout.py) imports this module and asserts there is no finding.
"""
from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import os
import re
import shutil
import sys
import threading
from pathlib import Path

from conftest import edition_pages, toc_pages  # noqa: F401 (the pages, as the tests take them)
from test_site import CHANGE_JS  # how the site test moves a control

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
CHECKS = __doc__.split("measures the drawn SVG:\n\n")[1].split("\n\nand per page")[0]
WIDTHS = (390, 1280)
MODES = ("light", "dark")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]

# Shared helpers, defined once per page (window.__rk).
HELPERS_JS = r"""
() => {
  if (window.__rk) return;
  const visible = el => el.checkVisibility({opacityProperty: true, visibilityProperty: true,
                                            checkOpacity: true, checkVisibilityCSS: true});
  const parse = c => {
    const m = (c || '').match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const lum = c => {
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const ratio = (a, b) => { const x = lum(a), y = lum(b);
    return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  // The first non-transparent background at or above el (the page's if none).
  const bgOf = el => {
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0.5) return {c, el: e};
    }
    return {c: {r: 255, g: 255, b: 255, a: 1}, el: document.documentElement};
  };
  const inter = (a, b) => [Math.min(a.right, b.right) - Math.max(a.left, b.left),
                           Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top)];
  window.__rk = {visible, parse, ratio, bgOf, inter};
}
"""

# One chart state: returns a list of [check, detail] pairs.
CHART_JS = r"""
(embed) => {
  const {visible, parse, ratio, bgOf, inter} = window.__rk;
  const out = [];
  const svg = embed.querySelector('svg.marks');
  if (!svg) return [['drawn', 'no svg.marks']];
  const fig = svg.getBoundingClientRect();
  const short = s => s.length > 40 ? s.slice(0, 39) + '…' : s;
  const texts = [...svg.querySelectorAll('text')]
    .filter(t => t.textContent.trim() && visible(t))
    .map(t => ({t, s: t.textContent.trim(), r: t.getBoundingClientRect()}))
    .filter(o => o.r.width > 0 && o.r.height > 0);

  // overlap: pairs of text boxes that intersect beyond a small tolerance.
  for (let i = 0; i < texts.length; i++) {
    for (let j = i + 1; j < texts.length; j++) {
      const a = texts[i], b = texts[j];
      const [w, h] = inter(a.r, b.r);
      if (w > 2 && h > Math.max(3, 0.3 * Math.min(a.r.height, b.r.height))) {
        out.push(['overlap', `"${short(a.s)}" × "${short(b.s)}"`]);
      }
    }
  }
  // struck: a rule mark or gridline passes through a text's box.
  // Gridlines behind data labels are normal; through titles, axis or legend text they are not.
  const lines = sel => [...svg.querySelectorAll(sel)].filter(visible)
    .map(l => l.getBoundingClientRect());
  const rules = lines('.role-mark.mark-rule line'), grid = lines('.role-axis-grid line');
  for (const o of texts) {
    const isMark = !!o.t.closest('.role-mark');
    for (const r of isMark ? rules : rules.concat(grid)) {
      const vertical = r.width <= 2 && r.height > 2, horizontal = r.height <= 2 && r.width > 2;
      const [w, h] = inter(o.r, r);
      const cx = (r.left + r.right) / 2, cy = (r.top + r.bottom) / 2;
      if ((vertical && cx > o.r.left + 2 && cx < o.r.right - 2 && h > 3) ||
          (horizontal && cy > o.r.top + 3 && cy < o.r.bottom - 3 && w > 2)) {
        out.push(['struck', `"${short(o.s)}"`]);
        break;
      }
    }
  }
  // clipped: outside the SVG, or outside an ancestor box that hides its overflow.
  const boxes = [fig];
  for (let e = svg.parentElement; e && !e.matches('article, main, body'); e = e.parentElement) {
    const ox = getComputedStyle(e).overflowX;
    if (ox !== 'visible') boxes.push(e.getBoundingClientRect());
  }
  for (const o of texts) {
    if (boxes.some(b => o.r.left < b.left - 1 || o.r.right > b.right + 1 ||
                        o.r.top < b.top - 1 || o.r.bottom > b.bottom + 1)) {
      out.push(['clipped', `"${short(o.s)}"`]);
    }
  }
  // truncated: Vega's label limit cut the text.
  for (const o of texts) if (o.s.includes('…')) out.push(['truncated', `"${o.s}"`]);

  // plot: union of the x-extents of the innermost view cells (not legends or axes).
  let cells = [...svg.querySelectorAll('g.role-scope')]
    .filter(g => !g.closest('.role-legend, .role-axis, .role-title'))
    .filter(g => !g.querySelector('g.role-scope'))
    // A line or area mark's series groups (<mark>_pathgroup) are marks, not views.
    .filter(g => !/_pathgroup\b/.test(g.getAttribute('class') || ''));
  if (!cells.length) cells = [...svg.querySelectorAll('g.role-frame.root')];
  const spans = cells.map(g => {
    const bg = g.querySelector(':scope > g > path.background');
    const r = (bg || g).getBoundingClientRect();
    return [r.left, r.right];
  }).filter(s => s[1] - s[0] > 0).sort((a, b) => a[0] - b[0]);
  let covered = 0, end = -Infinity;
  for (const [l, r] of spans) {
    if (r <= end) continue;
    covered += r - Math.max(l, end);
    end = r;
  }
  if (covered < 0.5 * fig.width) {
    out.push(['plot', `plot area ${Math.round(covered)} px of a ${Math.round(fig.width)} px figure`]);
  }
  // swatch: every legend entry shows a symbol with a visible fill area or stroke, and every
  // visible swatch has a label (an entry with neither shows nothing).
  for (const entry of svg.querySelectorAll('.role-legend-entry g.role-scope')) {
    const label = entry.querySelector('.role-legend-label text');
    if (!label || !visible(label)) continue;
    const syms = [...entry.querySelectorAll('.role-legend-symbol path')].filter(visible);
    const ok = syms.some(p => {
      const cs = getComputedStyle(p), bb = p.getBBox();
      const fill = parse(cs.fill), stroke = parse(cs.stroke);
      const sw = parseFloat(cs.strokeWidth) || 0;
      const hasFill = fill && fill.a > 0 && +cs.fillOpacity > 0.1 && bb.width >= 2 && bb.height >= 2;
      const hasStroke = stroke && stroke.a > 0 && +cs.strokeOpacity > 0.1 && sw >= 1 &&
                        (bb.width >= 2 || bb.height >= 2);
      return hasFill || hasStroke;
    });
    const text = label.textContent.trim();
    if (!text && ok) out.push(['swatch', 'a swatch without a label']);
    else if (text && !ok) out.push(['swatch', `"${short(text)}"`]);
  }
  // shrunk: CSS scaled a too-wide SVG down, so its text is smaller than set.
  const scale = fig.width / (parseFloat(svg.getAttribute('width')) || fig.width);
  if (scale < 0.98) {
    const minFont = Math.min(...texts.map(o => parseFloat(getComputedStyle(o.t).fontSize) || 11));
    if (minFont * scale < 9) {
      out.push(['shrunk', `drawn ${svg.getAttribute('width')} px, shown ${Math.round(fig.width)} px: ` +
                          `text at ${(minFont * scale).toFixed(1)} px`]);
    }
  }
  // contrast: chart text on the chart's own background.
  const chartBg = bgOf(svg).c;
  const low = new Set();
  for (const o of texts) {
    const f = parse(getComputedStyle(o.t).fill);
    if (!f || f.a === 0) continue;
    const q = ratio(f, chartBg);
    if (q < 4.5 && !o.t.closest('.role-mark')) low.add(`"${short(o.s)}" ${q.toFixed(1)}:1`);
  }
  for (const s of [...low].slice(0, 5)) out.push(['contrast', s]);
  // block: a coloured box between the chart and the page that is neither (dark-mode grey).
  const page = bgOf(document.body).c;
  const same = (a, b) => Math.abs(a.r - b.r) + Math.abs(a.g - b.g) + Math.abs(a.b - b.b) < 6;
  for (let e = embed.parentElement; e && !e.matches('article, main, body'); e = e.parentElement) {
    const c = parse(getComputedStyle(e).backgroundColor);
    if (c && c.a > 0.5 && !same(c, page) && !same(c, chartBg)) {
      out.push(['block', `${e.tagName.toLowerCase()}.${[...e.classList].join('.')} rgb(${c.r},${c.g},${c.b})`]);
      break;
    }
  }
  return out;
}
"""

# Per page: elements that leave the content column, and scrollers without a cue.
PAGE_JS = r"""
() => {
  const out = [];
  const col = document.querySelector('article.bd-article') || document.querySelector('main');
  if (!col) return out;
  const c = col.getBoundingClientRect();
  const scroller = el => {
    for (let e = el.parentElement; e && e !== col; e = e.parentElement) {
      if (['auto', 'scroll'].includes(getComputedStyle(e).overflowX)) return e;
    }
    return null;
  };
  const name = el => (el.querySelector && el.querySelector('caption, figcaption')?.innerText ||
                      el.getAttribute('aria-label') || el.className || el.tagName).slice(0, 50);
  const seen = new Set();
  for (const el of col.querySelectorAll('table, figure, div.vega-embed, svg.marks, pre, img')) {
    const r = el.getBoundingClientRect();
    if (!r.width) continue;
    if (r.right > c.right + 1 || r.left < c.left - 1) {
      if (!scroller(el) && !['auto', 'scroll'].includes(getComputedStyle(el).overflowX)) {
        out.push(['overflow', `${el.tagName.toLowerCase()} "${name(el)}" ${Math.round(r.right - c.right)} px past the column`]);
      }
    }
  }
  for (const el of col.querySelectorAll('*')) {
    const ox = getComputedStyle(el).overflowX;
    if (!['auto', 'scroll'].includes(ox) || el.scrollWidth <= el.clientWidth + 1) continue;
    const cued = el.closest('.riskoff-scrolls');
    const hint = cued && cued.previousElementSibling;
    if ((hint && hint.matches('.riskoff-scroll-hint') && hint.checkVisibility()) || seen.has(el)) continue;
    if (el.tagName === 'PRE' || el.closest('div.highlight')) continue;  // code: theme's own
    seen.add(el);
    out.push(['overflow', `${el.tagName.toLowerCase()} "${name(el)}" scrolls ${el.scrollWidth - el.clientWidth} px with no scroll cue`]);
  }
  return out;
}
"""


# The viewport's part of an element, scrolled to the top. Not element.screenshot(): for an
# element taller than the viewport, Chromium lays the page out at other sizes to capture it,
# and charts sized to their container redraw at those sizes and keep a width measured
# mid-capture (CI saw a 1630 px chart in a 672 px column, the screenshot showed it too).
SHOT_BOX_JS = """
el => {
  el.scrollIntoView({block: 'start', behavior: 'instant'});
  const r = el.getBoundingClientRect(), top = Math.max(0, r.top);
  return {x: Math.max(0, r.left), y: top, width: Math.min(r.width, innerWidth - Math.max(0, r.left)),
          height: Math.max(1, Math.min(r.bottom, innerHeight) - top)};
}
"""


def shoot(page, element, path: Path) -> None:
    """A screenshot of what the reader sees of ``element`` (its top, up to a viewport)."""
    page.screenshot(path=str(path), clip=element.evaluate(SHOT_BOX_JS))


CHART_NAME_JS = """
el => { const f = el.closest('figure');
        const t = el.querySelector('svg.marks .role-title text');
        return (t && t.textContent.trim()) || (f && f.getAttribute('aria-label')) || ''; }
"""


def slug(page_path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", page_path.lower().removesuffix(".html")).strip("-")


@contextlib.contextmanager
def serve(directory: Path = HTML):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(directory)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()


def chromium() -> str:
    exe = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        raise RuntimeError("chromium not found: install Debian's chromium (apt-get install chromium)")
    return exe


def open_page(browser, url: str, width: int, mode: str, height: int = 900):
    """A page at the given width with the theme's colour mode preset (pydata reads
    localStorage 'mode' before first paint)."""
    context = browser.new_context(viewport={"width": width, "height": height},
                                  color_scheme="dark" if mode == "dark" else "light")
    context.add_init_script(f"localStorage.setItem('mode', '{mode}');"
                            f"localStorage.setItem('theme', '{mode}');")
    def local_only(route):
        try:
            if route.request.url.startswith(("http://127.0.0.1", "data:", "blob:")):
                route.continue_()
            else:
                route.abort()
        except Exception:
            pass  # the page closed while the request was in flight

    context.route("**/*", local_only)
    page = context.new_page()
    page.goto(url, wait_until="load")
    return page


def wait_for_charts(page) -> list:
    """Every chart of the page, drawn. Charts are drawn as they come into view
    (riskoff-charts.js), so each one is scrolled to first; then back to the top."""
    holders = page.query_selector_all("script.riskoff-chart")
    page.mouse.move(2, 2)  # the reader's first move: the charts near the viewport go live
    for script in holders:
        el = script.evaluate_handle("s => s.previousElementSibling").as_element()
        if el is None:
            continue
        el.scroll_into_view_if_needed()
        page.wait_for_function(
            "el => el.querySelector('svg.marks') || el.querySelector('.error')",
            arg=el, timeout=15000)
    page.evaluate("() => window.scrollTo(0, 0)")
    embeds = page.query_selector_all("div.vega-embed")
    if len(embeds) < len(holders):
        raise AssertionError(f"{len(holders)} charts on the page, {len(embeds)} drawn")
    return embeds


def controls(embed) -> list:
    out = []
    for bind in embed.query_selector_all(".vega-bind"):
        radios = bind.query_selector_all("input[type=radio]")
        if radios:
            out += [r for r in radios if not r.is_checked()]
        else:
            out += bind.query_selector_all("select, input")
    return out


def probe_page(browser, base: str, page_path: str, width: int, mode: str,
               shots: Path | None = SHOTS, move_controls: bool = True) -> list[dict]:
    """Every layout finding on one page at one width and mode, as dicts."""
    page = open_page(browser, f"{base}/{page_path}", width, mode)
    findings: list[dict] = []
    where = dict(page=page_path, width=width, mode=mode)
    shot_dir = None
    if shots is not None:
        shot_dir = shots / f"{width}-{mode}"
        shot_dir.mkdir(parents=True, exist_ok=True)
    try:
        actual = page.evaluate("() => document.documentElement.dataset.theme")
        if actual != mode:
            findings.append(dict(where, chart="-", state="-", check="mode",
                                 detail=f"page is in {actual!r} mode, asked for {mode!r}"))
        embeds = wait_for_charts(page)
        page.wait_for_timeout(300)  # riskoff.js adds scroll cues 150 ms after the last redraw
        page.evaluate(HELPERS_JS)
        for check, detail in page.evaluate(PAGE_JS):
            findings.append(dict(where, chart="-", state="page", check=check, detail=detail))
        for i, embed in enumerate(embeds):
            name = f"{i + 1} {embed.evaluate(CHART_NAME_JS)[:50]}".strip()
            states = [("initial", None)]
            if move_controls:
                states += [(None, ctl) for ctl in controls(embed)]
            for k, (state, ctl) in enumerate(states):
                if ctl is not None:
                    label = ctl.evaluate(
                        "e => { const b = e.closest('.vega-bind');"
                        " const n = (b.querySelector('.vega-bind-name') || {}).innerText || '';"
                        " const v = e.type === 'checkbox' ? (e.checked ? 'off' : 'on')"
                        " : e.tagName === 'SELECT' ? (e.options[(e.selectedIndex + 1) % e.options.length] || {}).text"
                        " : e.type === 'radio' ? (e.closest('label') || e.parentElement).innerText || e.value"
                        " : 'moved';"
                        " return (n.trim() + ' → ' + String(v).trim()).replace(/\\s+/g, ' '); }")
                    state = f"control {k}: {label[:40]}"
                    before = embed.evaluate("el => el.querySelector('svg.marks').outerHTML")
                    ctl.evaluate(CHANGE_JS)
                    try:
                        page.wait_for_function(
                            "([el, b]) => el.querySelector('svg.marks').outerHTML !== b",
                            arg=[embed, before], timeout=3000)
                    except Exception:
                        pass  # test_site reports dead controls
                for check, detail in embed.evaluate(CHART_JS):
                    findings.append(dict(where, chart=name, state=state, check=check, detail=detail))
                if shot_dir is not None:
                    target = embed.evaluate_handle("el => el.closest('figure') || el").as_element()
                    suffix = "" if k == 0 else f"-moved-{k}"
                    shoot(page, target, shot_dir / f"{slug(page_path)}-{i + 1}{suffix}.png")
        if shot_dir is not None:
            page.screenshot(path=str(shot_dir / f"{slug(page_path)}-page.png"))
    finally:
        page.context.close()
    return findings


NAV_STATE_JS = r"""
(sel) => {
  const el = document.querySelector(sel);
  if (!el) return {exists: false};
  const r = el.getBoundingClientRect();
  const shown = el.checkVisibility({visibilityProperty: true, checkVisibilityCSS: true}) &&
                r.width > 100 && r.right > 50 && r.left < window.innerWidth - 50;
  return {exists: true, shown, left: Math.round(r.left), width: Math.round(r.width)};
}
"""

SEARCH_BOXES_JS = r"""
() => [...document.querySelectorAll('.search-button-field, input[type=search], form.bd-search')]
  .filter(e => !e.closest('dialog, .search-button__wrapper, #pst-search-dialog'))
  .filter(e => { const r = e.getBoundingClientRect();
                 return e.checkVisibility({visibilityProperty: true, checkVisibilityCSS: true}) &&
                        r.width > 0 && r.top < window.innerHeight && r.right > 0 && r.left < window.innerWidth; })
  .map(e => e.className || e.tagName)
"""

SIDEBARS = {"primary": (".primary-toggle", ".bd-sidebar-primary"),
            "secondary": (".secondary-toggle", ".bd-sidebar-secondary")}


def _click_visible(page, selector: str) -> bool:
    for button in page.query_selector_all(selector):
        if button.is_visible():
            button.click()
            page.wait_for_timeout(400)  # the theme animates the drawer
            return True
    return False


def nav_findings(browser, base: str, page_path: str, width: int, mode: str = "light") -> list[dict]:
    """The header at one width: one search box; the ☰ (primary) and contents (secondary)
    buttons open their sidebar and close it again."""
    page = open_page(browser, f"{base}/{page_path}", width, mode, height=844 if width < 500 else 900)
    where = dict(page=page_path, width=width, mode=mode, chart="-", state="header")
    out = []
    try:
        boxes = page.evaluate(SEARCH_BOXES_JS)
        if len(boxes) > 1:
            out.append(dict(where, check="search", detail=f"{len(boxes)} search boxes: {boxes}"))
        for side, (toggle, panel) in SIDEBARS.items():
            start = page.evaluate(NAV_STATE_JS, panel)
            if not start["exists"]:
                if any(b.is_visible() for b in page.query_selector_all(toggle)):
                    out.append(dict(where, check="sidebar", detail=f"a {side} toggle but no {panel}"))
                continue  # a page without sections has no contents sidebar
            if not _click_visible(page, toggle):
                if start["shown"] and side == "secondary":
                    continue  # wide screens show the contents inline, with no button
                out.append(dict(where, check="sidebar", detail=f"no visible {side} toggle ({toggle})"))
                continue
            after = page.evaluate(NAV_STATE_JS, panel)
            if after["shown"] == start["shown"]:
                out.append(dict(where, check="sidebar",
                                detail=f"{side} toggle left the sidebar {'shown' if start['shown'] else 'hidden'} "
                                       f"({after})"))
                continue
            if after["shown"]:
                page.keyboard.press("Escape")
                page.wait_for_timeout(300)
                if page.evaluate(NAV_STATE_JS, panel)["shown"]:
                    # Not closed by Escape: click outside the drawer (the theme's overlay).
                    page.mouse.click(width - 5 if side == "primary" else 5, 400)
                    page.wait_for_timeout(400)
            else:
                _click_visible(page, toggle)
            if page.evaluate(NAV_STATE_JS, panel)["shown"] != start["shown"]:
                out.append(dict(where, check="sidebar", detail=f"{side} sidebar did not return to its first state"))
    finally:
        page.context.close()
    return out


PRINT_JS = r"""
() => {
  const out = [];
  const shown = e => e.checkVisibility({visibilityProperty: true, checkVisibilityCSS: true}) &&
                     e.getBoundingClientRect().width > 0;
  const col = document.querySelector('article.bd-article') || document.body;
  const c = col.getBoundingClientRect();
  const pageW = document.documentElement.clientWidth;
  const sel = {'skip link': '.skip-link', 'chart controls': '.vega-bindings',
               'chart menu': '.vega-embed details', 'header buttons': '.article-header-buttons, .header-article-items__end',
               'site header': '.bd-header', 'sidebar': '.bd-sidebar-primary, .bd-sidebar-secondary',
               'prev/next links': '.prev-next-area', 'copy buttons': 'button.copybtn',
               'back to top': '#pst-back-to-top'};
  for (const [what, s] of Object.entries(sel)) {
    const n = [...document.querySelectorAll(s)].filter(shown).length;
    if (n) out.push(['print', `${n} ${what} printed`]);
  }
  for (const t of col.querySelectorAll('table')) {
    const r = t.getBoundingClientRect();
    if (t.scrollWidth > t.clientWidth + 1 || r.right > pageW + 1) {
      out.push(['print', `table "${(t.className || '').slice(0, 30)}" cut: ${t.scrollWidth} px in ${t.clientWidth} px`]);
    }
  }
  for (const s of col.querySelectorAll('svg.marks')) {
    const r = s.getBoundingClientRect();
    if (r.right > c.right + 1 || r.right > pageW + 1) out.push(['print', `chart ${Math.round(r.width)} px wide past the page`]);
  }
  return out;
}
"""


def print_findings(browser, base: str, page_path: str, pdf: Path | None = None) -> list[dict]:
    """The page as printed on A4 (print media, 794 px = 210 mm at 96 dpi): nothing that only
    works on screen, tables and charts inside the page. Optionally writes the PDF."""
    page = open_page(browser, f"{base}/{page_path}", 794, "light", height=1123)
    where = dict(page=page_path, width="A4", mode="print", chart="-", state="print")
    try:
        wait_for_charts(page)
        page.emulate_media(media="print")
        page.wait_for_timeout(300)  # charts sized to their container redraw
        out = [dict(where, check=c, detail=d) for c, d in page.evaluate(PRINT_JS)]
        if pdf is not None:
            pdf.parent.mkdir(parents=True, exist_ok=True)
            page.pdf(path=str(pdf), format="A4", print_background=True,
                     margin={"top": "15mm", "bottom": "15mm", "left": "12mm", "right": "12mm"})
    finally:
        page.context.close()
    return out


def dedupe(findings: list[dict]) -> list[dict]:
    """One row per (page, chart, width, mode, check, detail): the first state that shows it,
    with the count of states."""
    rows: dict[tuple, dict] = {}
    for f in findings:
        key = (f["page"], f["chart"], f["width"], f["mode"], f["check"], f["detail"])
        if key in rows:
            rows[key]["states"] += 1
        else:
            rows[key] = dict(f, states=1)
    return list(rows.values())


def _build_time() -> str:
    import datetime

    t = (HTML / "index.html").stat().st_mtime
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def markdown(findings: list[dict], command: str) -> str:
    rows = dedupe(findings)
    lines = ["# Layout findings (written by tests/layout_probe.py)", "",
             f"Command (on the current _build/html; build first with `flock /tmp/riskoff-heavy.lock "
             f"python -m riskoff.site build`): `flock /tmp/riskoff-heavy.lock {command}`", "",
             "Options: --pages 02 (substring of the page path), --widths 390, --modes dark, "
             "--no-controls (initial states only), --no-shots. Screenshots: "
             "_build/screenshots/<width>-<mode>/<page>-<chart>[-moved-<k>].png", "",
             "Checks:", "", "```", CHECKS, "```", "",
             "Who fixes what: overlap, struck, clipped, truncated, plot, swatch, shrunk and "
             "contrast are in the charts (riskoff/charts, helper E); block, overflow, search, "
             "sidebar and print are the site's CSS/JS/theme (helper D). `state` says which "
             "control change shows it, `(n)` in how many states.", "",
             f"Build probed: _build/html of {_build_time()}.", "",
             f"{len(rows)} distinct findings.", "",
             "| page | chart | width-mode | state (n) | check | detail |",
             "| --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        cells = [r["page"], r["chart"], f"{r['width']}-{r['mode']}",
                 f"{r['state']} ({r['states']})", r["check"], r["detail"]]
        lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    summary: dict[tuple, int] = {}
    for r in rows:
        summary[(r["page"], r["chart"], r["check"])] = summary.get((r["page"], r["chart"], r["check"]), 0) + 1
    lines += ["", "## Per chart and check (distinct findings)", ""]
    lines += [f"- {p} / chart {c} / {k}: {n}" for (p, c, k), n in sorted(summary.items())]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", nargs="*", help="substrings of page paths (default: every page)")
    ap.add_argument("--widths", nargs="*", type=int, default=list(WIDTHS))
    ap.add_argument("--modes", nargs="*", default=list(MODES))
    ap.add_argument("--no-shots", action="store_true")
    ap.add_argument("--no-controls", action="store_true")
    ap.add_argument("--charts-only", action="store_true", help="skip the header and print checks")
    ap.add_argument("--md", help="also write the findings as markdown to this file")
    args = ap.parse_args(argv)
    if not (HTML / "index.html").exists():
        print(f"no build at {HTML}: run python -m riskoff.site build", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    # Every edition's pages (--pages zh-Hant: those alone; RISKOFF_EDITIONS=en: English).
    pages = [p for p in edition_pages() if not args.pages or any(s in p for s in args.pages)]
    findings: list[dict] = []
    with serve() as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        for width in args.widths:
            for mode in args.modes:
                for page_path in pages:
                    findings += probe_page(browser, base, page_path, width, mode,
                                           None if args.no_shots else SHOTS,
                                           not args.no_controls)
            if not args.charts_only:
                findings += nav_findings(browser, base, pages[0], width)
        if not args.charts_only:
            for page_path in pages:
                findings += print_findings(browser, base, page_path,
                                           None if args.no_shots else SHOTS / "print" / f"{slug(page_path)}.pdf")
        browser.close()
    rows = dedupe(findings)
    for r in rows:
        print(f"{r['page']} | {r['chart']} | {r['width']}-{r['mode']} | {r['state']} "
              f"(x{r['states']}) | {r['check']} | {r['detail']}")
    print(f"{len(rows)} distinct findings")
    if args.md:
        Path(args.md).write_text(markdown(findings, "python tests/layout_probe.py " +
                                          " ".join(argv if argv is not None else sys.argv[1:])))
    return 1 if rows else 0


if __name__ == "__main__":
    sys.exit(main())
