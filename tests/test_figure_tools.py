"""Figure tools in the real browser (_static/riskoff-figure-tools.js), issue 14 items 1, 6-8.

For every figure of every page: an address with a non-default state sets its controls and
its chart; a malformed or stale address gives the default view and no console error; "Link to
this view" gives an address that restores the view; the SVG download carries the title, source
line and as-of date and is named after the figure (the PNG too); the table view lists what
the chart draws and follows the controls; the citation names title, book, address and date.

Needs the heavy lock (it shares _build with the site build):
    flock /tmp/riskoff-heavy.lock python -m pytest tests/test_figure_tools.py -p no:nbval -o addopts=""
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from conftest import toc_pages
from test_site import CHANGE_JS, SHOTS, SVG_JS, Visit, _slug

# Every figure's name, its bound parameters with their defaults and the options a control has.
FIGURES_JS = """
() => Object.values(window.riskoffFigures).filter(e => e.view).map(e => ({
  name: e.name, anchor: e.anchor,
  params: e.params.map(p => ({name: p.name, input: p.bind.input, options: p.bind.options || null,
                              min: p.bind.min ?? null, max: p.bind.max ?? null,
                              value: e.view.signal(p.name)}))}))
"""
READY_JS = """
() => [...document.querySelectorAll('figure.riskoff-figure')].every(
  f => f.classList.contains('riskoff-tools-ready'))
"""


def _pages_with_figures():
    # From the committed sources, not the built HTML: at collection on a fresh clone
    # the site is not built yet, and the parameter list must match the fixture's.
    from conftest import ROOT

    out = []
    for p in toc_pages():
        src = [ROOT / p.replace(".html", ext) for ext in (".ipynb", ".md")]
        if any(f.exists() and 'riskoff-figure' in f.read_text() for f in src):
            out.append(p)
    return out


def _other_value(p):
    """A value the control can take that is not its default (None when there is none)."""
    if p["input"] == "checkbox":
        return not p["value"]
    # As test_site moves a control: the next option, the farther end of a range.
    if p["options"]:
        opts = p["options"]
        if len(opts) < 2 or p["value"] not in opts:
            return None
        return opts[(opts.index(p["value"]) + 1) % len(opts)]
    if p["input"] == "range" and p["min"] is not None and p["max"] is not None:
        v, lo, hi = p["value"], p["min"], p["max"]
        return hi if abs(v - hi) > abs(v - lo) else lo
    return None


def _text(v) -> str:
    return ("true" if v else "false") if isinstance(v, bool) else (
        repr(v) if isinstance(v, float) and v != int(v) else str(int(v)) if isinstance(v, float)
        else str(v))


def _state(params: dict) -> str:
    return ",".join(f"{quote(k, safe='')}:{quote(_text(v), safe='')}" for k, v in params.items())


def _ready(visit):
    visit.charts()
    visit.page.wait_for_function(READY_JS, timeout=15000)


def _figures(visit):
    _ready(visit)
    return visit.page.evaluate(FIGURES_JS)


def _control_values(page, anchor):
    """What each bound control shows, by parameter name (radio: the checked value)."""
    return page.evaluate("""anchor => {
      const out = {};
      document.getElementById(anchor).querySelectorAll('.vega-bind').forEach(b => {
        const name = b.querySelector('.vega-bind-name');
        const inputs = [...b.querySelectorAll('input, select')];
        if (!inputs.length) return;
        const key = inputs[0].name || (name && name.textContent.trim());
        const i = inputs[0];
        if (i.type === 'radio') out[key] = (inputs.find(r => r.checked) || {}).value;
        else if (i.type === 'checkbox') out[key] = i.checked;
        else out[key] = i.value;
      });
      return out;
    }""", anchor)


@pytest.fixture(scope="module")
def defaults(browser, server):
    """Per page: the figures as drawn at the plain address."""
    out = {}
    for page_path in _pages_with_figures():
        visit = Visit(browser, server, page_path)
        try:
            figs = _figures(visit)
            svgs = {f["name"]: visit.page.evaluate(
                f"() => document.getElementById({f['anchor']!r}).querySelector('svg.marks')"
                ".outerHTML") for f in figs}
            out[page_path] = (figs, svgs, visit.problems())
        finally:
            visit.page.context.close()
    return out


@pytest.mark.parametrize("page_path", _pages_with_figures())
def test_every_figure_has_tools_and_no_error(defaults, page_path):
    figs, _, problems = defaults[page_path]
    assert figs, "no figure got its tools"
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("page_path", _pages_with_figures())
def test_address_restores_a_non_default_view(browser, server, defaults, page_path):
    figs, svgs, _ = defaults[page_path]
    wanted = {}
    for f in figs:
        moved = {p["name"]: _other_value(p) for p in f["params"]}
        moved = {k: v for k, v in moved.items() if v is not None}
        if moved:
            wanted[f["name"]] = moved
    if not wanted:
        pytest.skip("no figure on this page has a control")
    query = "&".join(f"{quote(n, safe='')}={_state(s)}" for n, s in wanted.items())
    visit = Visit(browser, server, f"{page_path}?{query}")
    failures = []
    try:
        figs_now = {f["name"]: f for f in _figures(visit)}
        for name, state in wanted.items():
            f = figs_now[name]
            got = {p["name"]: p["value"] for p in f["params"]}
            for k, v in state.items():
                if got[k] != v:
                    failures.append(f"{name}: {k} is {got[k]!r}, the address said {v!r}")
            shown = _control_values(visit.page, f["anchor"])
            for k, v in state.items():
                if k in shown and str(shown[k]).lower() != _text(v).lower() and \
                        not (isinstance(v, (int, float)) and not isinstance(v, bool)
                             and float(shown[k]) == float(v)):
                    failures.append(f"{name}: control {k} shows {shown[k]!r}, not {v!r}")
            svg = visit.page.evaluate(
                f"() => document.getElementById({f['anchor']!r}).querySelector('svg.marks')"
                ".outerHTML")
            if svg == svgs[name]:
                failures.append(f"{name}: chart drawn as the default view")
        # The page's own address keeps the state (what the reader would bookmark).
        url = visit.page.evaluate("() => location.search")
        for name in wanted:
            if f"{quote(name, safe='')}=" not in url:
                failures.append(f"address lost {name}'s state: {url}")
        visit.page.screenshot(path=str(SHOTS / f"{_slug(page_path)}-restored.png"), full_page=False)
        failures += visit.problems()
    finally:
        visit.page.context.close()
    assert not failures, "\n".join(failures)


MALFORMED = ["%E0%A4%A=1", "{name}=%ZZ", "{name}=nonsense", "{name}={param}:no-such-option",
             "{name}={param}:1e999,%3Abad", "{name}=no_such_param:true",
             "figure-gone=x:1", "{name}", "{name}=={param}::"]


# Every page with one such address; chapter 1 with each case alone (a key given twice counts
# once, so the cases cannot share an address).
CASES = [(p, None) for p in _pages_with_figures()] + [
    ("chapters/01-who-fell-most.html", m) for m in MALFORMED]


@pytest.mark.parametrize("page_path,case", CASES)
def test_malformed_or_stale_address_gives_default_view(browser, server, defaults, page_path,
                                                       case):
    figs, svgs, _ = defaults[page_path]
    named = [f for f in figs if f["params"]] or figs
    f0 = named[0]
    param = f0["params"][0]["name"] if f0["params"] else "x"
    parts = [m.format(name=quote(f0["name"], safe=""), param=param)
             for m in ([case] if case else MALFORMED)]
    visit = Visit(browser, server, f"{page_path}?{'&'.join(parts)}#nowhere")
    try:
        figs_now = {f["name"]: f for f in _figures(visit)}
        for f in figs:
            got = {p["name"]: p["value"] for p in figs_now[f["name"]]["params"]}
            assert got == {p["name"]: p["value"] for p in f["params"]}, f["name"]
            svg = visit.page.evaluate(
                f"() => document.getElementById({f['anchor']!r}).querySelector('svg.marks')"
                ".outerHTML")
            assert svg == svgs[f["name"]], f"{f['name']}: not the default view"
        assert not visit.problems(), "\n".join(visit.problems())
    finally:
        visit.page.context.close()


def _move_first_control(visit, anchor):
    el = visit.page.query_selector(f"#{anchor} .vega-embed")
    ctl = next(iter(el.query_selector_all(".vega-bind select, .vega-bind input")), None)
    if ctl is None:
        return False
    if ctl.evaluate("e => e.type === 'radio'"):
        ctl = next(r for r in el.query_selector_all(".vega-bind input[type=radio]")
                   if not r.is_checked())
    before = el.evaluate(SVG_JS)
    ctl.evaluate(CHANGE_JS)
    visit.page.wait_for_function("([el, b]) => el.querySelector('svg.marks').outerHTML !== b",
                                 arg=[el, before], timeout=3000)
    return True


@pytest.mark.parametrize("page_path", _pages_with_figures())
def test_link_to_this_view_round_trips(browser, server, defaults, page_path):
    figs, _, _ = defaults[page_path]
    f = next((f for f in figs if f["params"]), None)
    if f is None:
        pytest.skip("no figure with a control")
    visit = Visit(browser, server, page_path)
    try:
        _ready(visit)
        assert _move_first_control(visit, f["anchor"])
        moved = {p["name"]: p["value"] for p in
                 next(x for x in visit.page.evaluate(FIGURES_JS) if x["name"] == f["name"])["params"]}
        visit.page.click(f"#{f['anchor']} button.riskoff-link")
        link = visit.page.input_value(f"#{f['anchor']} .riskoff-tools-panel textarea")
        status = visit.page.inner_text(f"#{f['anchor']} .riskoff-status")
        assert status in ("Copied.", "Selected: press Ctrl+C (\u2318C) to copy."), status
        assert link.endswith("#" + f["anchor"]) and f"{quote(f['name'], safe='')}=" in link, link
        assert not visit.problems(), "\n".join(visit.problems())
    finally:
        visit.page.context.close()
    again = Visit(browser, server, link.split("/", 3)[3])
    try:
        got = {p["name"]: p["value"] for p in
               next(x for x in _figures(again) if x["name"] == f["name"])["params"]}
        assert got == moved
        assert not again.problems(), "\n".join(again.problems())
    finally:
        again.page.context.close()


def _title(fig) -> str:
    # A figure's title: its words' current title (data-title), else its accessible name.
    return fig.get_attribute("data-title") or fig.get_attribute("aria-label")


def _download(page, selector):
    # Each export takes ~0.1-1.2 s here; one click in a full CI run got no download in 10 s
    # (a click can land while charts drawn later shift the page), so a second click is
    # allowed before failing.
    for attempt in (1, 2):
        try:
            with page.expect_download(timeout=15000) as info:
                page.click(selector)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
    d = info.value
    return d.suggested_filename, open(d.path(), "rb").read()


@pytest.mark.parametrize("page_path", _pages_with_figures())
def test_exports_carry_title_source_and_date(browser, server, defaults, page_path):
    import html as htmllib

    figs, _, _ = defaults[page_path]
    visit = Visit(browser, server, page_path)
    failures = []
    try:
        _ready(visit)
        for f in figs:
            a = f["anchor"]
            fig = visit.page.query_selector(f"#{a}")
            title = _title(fig)
            name, svg = _download(visit.page, f"#{a} button.riskoff-save-svg")
            svg = htmllib.unescape(svg.decode())
            if name != f"{f['name']}.svg":
                failures.append(f"{f['name']}: SVG named {name}")
            flat = re.sub(r"\s+", " ", re.sub(r"</text><text[^>]*>", " ", svg))
            for want, label in [(title, "title"), ("Data as of", "as-of date"),
                                ("Risk-off, checked", "book")]:
                if want not in flat:
                    failures.append(f"{f['name']}: SVG lacks its {label} ({want[:50]!r})")
            # The caption's source sentence (after the finding), as the page shows it.
            source = fig.evaluate("f => (f.querySelectorAll('figcaption p')[1] || {})"
                                  ".innerText || ''")
            source = re.sub(r"\s+", " ", source).strip()[:40]
            if not source or source not in flat:
                failures.append(f"{f['name']}: SVG lacks the source line {source!r}")
            name, png = _download(visit.page, f"#{a} button.riskoff-save-png")
            if name != f"{f['name']}.png" or not png.startswith(b"\x89PNG"):
                failures.append(f"{f['name']}: PNG {name}, {png[:8]!r}")
            name, csv = _download(visit.page, f"#{a} button.riskoff-save-csv")
            head = csv.decode().splitlines()[:6]
            if not (head[0] == f"# {title}" and any("Data as of" in h for h in head)):
                failures.append(f"{f['name']}: CSV header {head[:3]}")
        failures += visit.problems()
    finally:
        visit.page.context.close()
    assert not failures, "\n".join(failures)


TABLE_JS = """
anchor => [...document.getElementById(anchor).querySelectorAll('table.riskoff-datatable')]
  .map(t => ({cols: [...t.querySelectorAll('thead th')].map(th => th.textContent),
              rows: [...t.querySelectorAll('tbody tr')].map(r =>
                [...r.cells].map(c => c.textContent))}))
"""
# What the drawn SVG holds: the text of every tooltip-bearing mark is not in the SVG, so compare
# against the View's scenegraph, independently of the tools' own table code.
TIPS_JS = """
anchor => {
  const view = window.riskoffFigures[Object.keys(window.riskoffFigures).find(
    k => window.riskoffFigures[k].anchor === anchor)].view;
  const rows = new Set();
  (function walk(m) {
    if (!m || !m.items) return;
    if (m.marktype === 'group') { m.items.forEach(g => (g.items || []).forEach(walk)); return; }
    if (m.role !== 'mark') return;
    m.items.forEach(it => { if (it.tooltip && typeof it.tooltip === 'object')
      rows.add(Object.entries(it.tooltip).filter(([k]) => k !== 'title')
                 .map(([k, v]) => k + '=' + v).join('|')); });
  })(view.scenegraph().root);
  return [...rows];
}
"""


def _table_rows(tables) -> set:
    out = set()
    for t in tables:
        cols = t["cols"]
        for r in t["rows"]:
            out.add("|".join(f"{c}={v}" for c, v in zip(cols, r) if c != "Item"))
    return out


@pytest.mark.parametrize("page_path", _pages_with_figures())
def test_table_view_matches_the_chart(browser, server, defaults, page_path):
    figs, _, _ = defaults[page_path]
    visit = Visit(browser, server, page_path, width=390)
    failures = []
    try:
        _ready(visit)
        for f in figs:
            a = f["anchor"]
            toggle = f"#{a} button.riskoff-table-toggle"
            visit.page.focus(toggle)
            visit.page.keyboard.press("Enter")  # the keyboard path to the values
            if visit.page.get_attribute(toggle, "aria-expanded") != "true":
                failures.append(f"{f['name']}: table toggle not expanded")
            tables = visit.page.evaluate(TABLE_JS, a)
            tips = set(visit.page.evaluate(TIPS_JS, a))
            rows = _table_rows(tables)
            if not rows:
                failures.append(f"{f['name']}: empty table")
            elif tips and not (tips <= rows or len(rows) >= 2000):
                failures.append(f"{f['name']}: table lacks {len(tips - rows)} drawn values, "
                                f"e.g. {sorted(tips - rows)[:1]}")
            if f["params"] and _move_first_control(visit, a):
                visit.page.wait_for_timeout(300)
                tips2 = set(visit.page.evaluate(TIPS_JS, a))
                rows2 = _table_rows(visit.page.evaluate(TABLE_JS, a))
                if tips2 and tips2 != tips and not (tips2 <= rows2 or len(rows2) >= 2000):
                    failures.append(f"{f['name']}: table did not follow the control")
            visit.page.query_selector(f"#{a}").screenshot(
                path=str(SHOTS / f"{_slug(page_path)}-{f['name']}-table-390.png"))
            visit.page.click(toggle)
        overflow = visit.page.evaluate(
            "() => document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 1:
            failures.append(f"page {overflow}px wider than 390 px with tables open")
        failures += visit.problems()
    finally:
        visit.page.context.close()
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("page_path", _pages_with_figures()[:1])
def test_citation_names_title_book_address_and_date(browser, server, defaults, page_path):
    figs, _, _ = defaults[page_path]
    f = figs[0]
    visit = Visit(browser, server, page_path)
    try:
        _ready(visit)
        visit.page.click(f"#{f['anchor']} button.riskoff-cite")
        text = visit.page.input_value(f"#{f['anchor']} .riskoff-tools-panel textarea")
        title = (visit.page.get_attribute(f"#{f['anchor']}", "data-title")
                 or visit.page.get_attribute(f"#{f['anchor']}", "aria-label"))
        assert title.rstrip(".") in text and "Risk-off, checked" in text
        assert f"{page_path}#{f['anchor']}" in text and "Data as of" in text
        assert re.search(r"Accessed \d{4}-\d\d-\d\d\.", text)
        assert not visit.problems(), "\n".join(visit.problems())
    finally:
        visit.page.context.close()


# ---------------------------------------------------------------------------- item 6: CSV

# The tooltips as drawn (the chart's own names and formats), one dict per mark item; read
# from the View, independently of the tools' CSV code.
TIP_DICTS_JS = """
anchor => {
  const e = Object.values(window.riskoffFigures).find(f => f.anchor === anchor);
  const out = [];
  (function walk(m) {
    if (!m || !m.items) return;
    if (m.marktype === 'group') { m.items.forEach(g => (g.items || []).forEach(walk)); return; }
    if (m.role !== 'mark') return;
    m.items.forEach(it => { if (it.tooltip && typeof it.tooltip === 'object') {
      const d = {}; Object.entries(it.tooltip).forEach(([k, v]) => { d[k] = String(v); });
      out.push(d); } });
  })(e.view.scenegraph().root);
  return out;
}
"""
NUMBER = re.compile(r"[+-]?[\d,]*\.?\d+%?")
# Numeric columns whose names need no unit: counts, ratios, ranks, correlations, positions.
UNITLESS = re.compile(r"correlation|pairs|days|rank|multiple|position|lag|noise band|√n|"
                      r"day of month|^months|cuts of|moves of|deals in|level \(base|"
                      r"month's average", re.I)
# (figure, column) pairs whose tooltip titles still lack a unit; fix them at the source.
UNITS_OPEN: set = set()
# The field names of the data behind the marks (what a raw CSV would have as columns).
FIELDS_JS = """
anchor => {
  const e = Object.values(window.riskoffFigures).find(f => f.anchor === anchor);
  const out = new Set();
  (function walk(m) {
    if (!m || !m.items) return;
    if (m.marktype === 'group') { m.items.forEach(g => (g.items || []).forEach(walk)); return; }
    m.items.forEach(it => { if (it.datum && typeof it.datum === 'object')
      Object.keys(it.datum).forEach(k => out.add(k)); });
  })(e.view.scenegraph().root);
  return [...out];
}
"""


def _num(text: str):
    t = text.replace("\u2212", "-").strip()
    return float(t.rstrip("%").replace(",", "")) if NUMBER.fullmatch(t) else None


def _decimals(text: str) -> int:
    t = text.rstrip("%")
    return len(t.split(".")[1]) if "." in t else 0


def _csv_tables(text: str):
    """(comment lines, [(header, rows)]) of a CSV the tools wrote."""
    import csv
    import io

    comments, tables, block = [], [], []
    for line in text.splitlines():
        if line.startswith("#"):
            comments.append(line)
            if block:
                tables.append(block)
                block = []
        elif line:
            block.append(line)
    if block:
        tables.append(block)
    out = []
    for b in tables:
        rows = list(csv.reader(io.StringIO("\n".join(b))))
        out.append((rows[0], rows[1:]))
    return comments, out


def _raw_code(header: str, fields=()) -> bool:
    from riskoff.catalog import SERIES

    # Codes have no spaces: GC=F, ^GSPC, g_all, dy_bp, or a data field's own name (close).
    return " " not in header and (
        header in SERIES or header in fields or "=" in header or "^" in header
        or "_" in header)


def csv_problems(name: str, title: str, text: str, tips: list[dict], fields=()) -> list[str]:
    """What is wrong with a figure's CSV: its comment lines (title, sources, as-of date), its
    column names (no raw codes; a unit for numbers, "(%)" for percentages) and its values
    (every number the chart's tooltips show, at full precision: rounding a CSV value as the
    tooltip rounds gives the tooltip's number, and the other way round)."""
    import bisect

    bad = []
    comments, tables = _csv_tables(text)
    if not comments or comments[0] != f"# {title}":
        bad.append(f"{name}: first line {comments[:1]}, not the title")
    if not any("Data as of" in c or "no market data" in c for c in comments):
        bad.append(f"{name}: no as-of line in {comments[:4]}")
    if len(comments) < 2 or len(comments[1]) < 12:
        bad.append(f"{name}: no source line in {comments[:2]}")
    if not tables:
        bad.append(f"{name}: the CSV holds no values")
    shown = {}
    for tip in tips:
        for k, v in tip.items():
            shown.setdefault(k, set()).add(v)
    columns = {}  # header -> every cell under it, in any table
    for header, rows in tables:
        for j, h in enumerate(header):
            if _raw_code(h, fields):
                bad.append(f"{name}: column {h!r} is a raw code")
            columns.setdefault(h, []).extend(r[j] for r in rows if j < len(r) and r[j] != "")
    for h, cells in columns.items():
        key = h[:-4] if h.endswith(" (%)") and h not in shown else h
        texts = shown.get(key)
        if key == "Item" or not texts:
            continue
        nums = [_num(t) for t in texts]
        if any(n is None for n in nums):
            continue  # a text column
        try:
            vals = sorted(float(c) for c in cells)
        except ValueError:
            bad.append(f"{name}: {h!r} holds text where the chart shows numbers "
                       f"(e.g. {cells[:1]})")
            continue
        pct = all(t.rstrip().endswith("%") for t in texts)
        if pct and "%" not in h:
            bad.append(f"{name}: {h!r} holds percentages without '(%)'")
        if not pct and "(" not in h and not UNITLESS.search(h) and h != "Points" \
                and (name, h) not in UNITS_OPEN:
            bad.append(f"{name}: numeric column {h!r} names no unit")
        step = 0.5 * 10 ** -max(_decimals(t) for t in texts) * (1 + 1e-6) + 1e-12
        want = sorted(set(nums))
        for v in vals:
            i = bisect.bisect_left(want, v - step)
            if i >= len(want) or want[i] > v + step:
                bad.append(f"{name}: {h!r} value {v} is drawn nowhere (tooltips: "
                           f"{sorted(texts)[:3]})")
                break
        for w in want:
            i = bisect.bisect_left(vals, w - step)
            if i >= len(vals) or vals[i] > w + step:
                bad.append(f"{name}: the chart shows {h!r} = {w}, the CSV lacks it")
                break
    return bad


@pytest.mark.parametrize("page_path", _pages_with_figures())
def test_csv_holds_what_the_chart_draws(browser, server, defaults, page_path):
    """The caption's "data behind this chart" link and the CSV button give the values the
    chart draws in the current view, named with units, with title, sources and as-of date;
    after a control moves, the CSV follows it."""
    figs, _, _ = defaults[page_path]
    visit = Visit(browser, server, page_path)
    failures = []
    try:
        _ready(visit)
        for f in figs:
            a = f["anchor"]
            fig = visit.page.query_selector(f"#{a}")
            title = _title(fig)
            name, csv = _download(visit.page, f"#{a} figcaption a.riskoff-csv-link")
            if name != f"{f['name']}.csv":
                failures.append(f"{f['name']}: caption CSV named {name}")
            tips = visit.page.evaluate(TIP_DICTS_JS, a)
            fields = visit.page.evaluate(FIELDS_JS, a)
            failures += csv_problems(f["name"], title, csv.decode(), tips, fields)
            if f["params"] and _move_first_control(visit, a):
                visit.page.wait_for_timeout(300)
                title = _title(fig)
                _, csv2 = _download(visit.page, f"#{a} button.riskoff-save-csv")
                tips2 = visit.page.evaluate(TIP_DICTS_JS, a)
                failures += [f"after a control moved: {p}" for p in
                             csv_problems(f["name"], title, csv2.decode(), tips2, fields)]
        failures += visit.problems()
    finally:
        visit.page.context.close()
    assert not failures, "\n".join(failures)


def test_csv_check_catches_closes_codes_and_missing_units():
    """The CSV check itself: closes where the chart draws rebased levels, a raw code as a
    column name and percentages written as text are each reported."""
    tips = [{"Asset": "Nasdaq-100", "Level (base date = 100)": "100.0", "Change": "+1.5%"},
            {"Asset": "Nasdaq-100", "Level (base date = 100)": "101.3", "Change": "-0.2%"}]
    head = "# T\n# Source: somewhere, cached\n# Data as of 1 Dec 2025\n"
    good = head + "Asset,Level (base date = 100),Change (%)\nNasdaq-100,100,1.5\nNasdaq-100,101.28,-0.2\n"
    assert csv_problems("f", "T", good, tips) == []
    closes = good.replace("100,1.5", "21012.17,1.5").replace("101.28", "21284.3")
    assert any("drawn nowhere" in p for p in csv_problems("f", "T", closes, tips))
    coded = good.replace("Asset,", "GC=F,")
    assert any("raw code" in p for p in csv_problems("f", "T", coded, tips))
    text = good.replace("Change (%)", "Change").replace(",1.5", ",+1.5%").replace(",-0.2", ",-0.2%")
    assert any("holds text" in p for p in csv_problems("f", "T", text, tips))
    unitless = good.replace("Change (%)", "Change")
    assert any("without '(%)'" in p for p in csv_problems("f", "T", unitless, tips))
    assert any("first line" in p for p in csv_problems("f", "Other", good, tips))


# ---------------------------------------------------------------- the CSV's words (no browser)

CSV_JS = Path(__file__).parent / "js" / "figure_tools_csv.js"
# Two tables (a bar per asset, a rule per day), so the "Table i of n" line is written too.
_CSV_SPEC = {
    "$schema": "https://vega.github.io/schema/vega/v5.json", "width": 100, "height": 50,
    "data": [{"name": "d", "values": [{"a": "NDX", "c": -0.0234}, {"a": "SPX", "c": 0.01}]},
             {"name": "e", "values": [{"t": 1763596800000}]}],
    "scales": [{"name": "x", "type": "band", "domain": {"data": "d", "field": "a"},
                "range": "width"}],
    "marks": [
        {"type": "rect", "name": "bars", "from": {"data": "d"}, "encode": {"update": {
            "x": {"scale": "x", "field": "a"}, "width": {"value": 5}, "y": {"value": 0},
            "y2": {"value": 10},
            "tooltip": {"signal": '{"Asset": datum["a"], "Change": format(datum["c"], ".1%")}'}}}},
        {"type": "rule", "name": "days", "from": {"data": "e"}, "encode": {"update": {
            "x": {"value": 1}, "y": {"value": 0}, "y2": {"value": 10},
            "tooltip": {"signal": '{"Day": utcFormat(datum["t"], "%Y-%m-%d")}'}}}}]}
_CAPTIONS = {"en": "Nasdaq-100 fell most. Source: Yahoo Finance, cached. Data as of 21 Nov 2025. "
                   "(The data behind this chart.)",
             "zh-Hant": "納斯達克100跌幅最大。來源：Yahoo Finance（快取）。數據截至2025年11月21日。"
                        "（此圖表背後的數據）"}


def _tools_csv(words: dict, captions=(), script=None, meta=None) -> dict:
    import json
    import shutil
    import subprocess

    if not shutil.which("node"):
        pytest.skip("node is not installed")
    meta = meta or {"title": "T", "sources": "S", "asOf": "", "csv": "https://x/d.csv"}
    inp = {"words": words, "spec": _CSV_SPEC, "meta": meta, "captions": list(captions)}
    if script:
        inp["script"] = str(script)
    proc = subprocess.run(["node", str(CSV_JS)], input=json.dumps(inp), capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_csv_comment_lines_in_english_as_before():
    out = _tools_csv({}, [_CAPTIONS["en"]])
    assert out["asOf"] == ["Data as of 21 Nov 2025."]
    assert out["csv"].splitlines()[:8] == [
        "# T", "# S", "# Data as of: see the figure",
        "# The values this view of the chart draws (percentages in percent, dates as "
        "YYYY-MM-DD): https://example.org/book/chapters/x.html#fig-x",
        "# Figure in Risk-off, checked; the cached input data: https://x/d.csv",
        "# Table 1 of 2", "Asset,Change (%)", "NDX,-2.34"]


def test_csv_comment_lines_in_zh_hant():
    """A zh-Hant page's CSV download: every comment line in the edition's words (from
    figure-tools.po), the as-of sentence read from the Chinese caption. Column names are
    the chart's own tooltip titles (Chinese on a zh-Hant chart), kept as they are."""
    from riskoff import edition

    words, missing = edition.tool_words("zh-Hant")
    assert not missing
    out = _tools_csv(words, [_CAPTIONS["zh-Hant"], _CAPTIONS["en"]])
    assert out["asOf"] == ["數據截至2025年11月21日。", ""]
    comments = [line for line in out["csv"].splitlines() if line.startswith("#")][2:]
    assert comments[0] == "# 數據截至：見圖表"
    allowed = {"YYYY", "MM", "DD", "Risk", "off", "checked", "https", "example", "org", "book",
               "chapters", "html", "fig", "x", "d", "csv"}
    for line in comments:
        english = set(re.findall(r"[A-Za-z]+", line)) - allowed
        assert not english, f"English in a zh-Hant CSV comment line: {line!r}"
    assert "# 第1個表（共2個）" in comments
    # The tools' own as-of reading, for a figure whose caption carries the Chinese sentence.
    meta = {"title": "T", "sources": "S", "asOf": out["asOf"][0].rstrip("。"), "csv": None}
    assert "# 數據截至2025年11月21日" in _tools_csv(words, meta=meta)["csv"].splitlines()


# Each figure's height (px) and, once live, what the figure tools found their built toolbar
# lacking or holding too much (riskoff/sitejs.py tools_html against the live abilities()).
HEIGHTS_JS = """
() => [...document.querySelectorAll('figure.riskoff-figure')].map(f => ({
  id: f.id || f.getAttribute('aria-label'), height: f.getBoundingClientRect().height,
  tools: (f.querySelector(':scope > .riskoff-tools') || {offsetHeight: -1}).offsetHeight,
  built: f.riskoffTools ? f.riskoffTools.toolsBuilt : null,
  mismatch: f.riskoffTools ? (f.riskoffTools.toolsMismatch || []) : []}))
"""


def _edition_pages_with_figures():
    from riskoff import edition

    pages = _pages_with_figures()
    return pages + [f"{edition.EDITIONS[c].folder}/{p}" for c in edition.requested() for p in pages]


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("page_path", _edition_pages_with_figures())
def test_figures_keep_their_height_when_they_go_live(browser, server, page_path, width):
    """The page keeps each figure's room exactly: the toolbar the live view gets (log scale,
    time range, any date: data-dependent) is written with the picture at build time, so no
    figure grows or shrinks when its chart goes live (it grew by up to 170 px at 390 px)."""
    visit = Visit(browser, server, page_path, width=width)
    try:
        visit.page.evaluate("document.fonts.ready.then(() => 0)")
        before = visit.page.evaluate(HEIGHTS_JS)
        _ready(visit)
        visit.page.wait_for_timeout(300)  # a chart fitted to its column redraws once
        after = visit.page.evaluate(HEIGHTS_JS)
    finally:
        visit.page.context.close()
    assert len(before) == len(after)
    moved = [f"{a['id']}: {b['height']:.0f} -> {a['height']:.0f} px (toolbar {a['tools']} px)"
             for b, a in zip(before, after) if abs(a["height"] - b["height"]) > 3]
    assert not moved, f"{page_path} at {width} px: figures change height when live: {moved}"
    wrong = [f"{a['id']}: {a['mismatch']}" for a in after if a["mismatch"] or a["built"] is False]
    assert not wrong, f"{page_path}: the built toolbar is not the live one: {wrong}"


def test_without_scripts_the_built_toolbar_keeps_its_room_unseen(browser, server):
    """The toolbar written at build time does nothing without scripts: its room is kept, its
    buttons are not shown (nor focusable)."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{server}/chapters/01-who-fell-most.html", wait_until="load")
        bars = page.evaluate("""() => [...document.querySelectorAll('figure.riskoff-figure')].map(
          f => { const t = f.querySelector(':scope > .riskoff-tools');
                 return t && [getComputedStyle(t).visibility, t.offsetHeight]; })""")
    finally:
        context.close()
    assert bars and all(b and b[0] == "hidden" and b[1] > 0 for b in bars), bars
