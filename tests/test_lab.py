"""The chapters in a real JupyterLab, driven by headless Chromium, with no network.

Starts ``jupyter lab`` on 127.0.0.1 (a free port, a token, its own settings and runtime
directories, stopped at the end) on a copy of the notebooks, so nothing in the work tree is
saved over. Every request the browser makes off the host is blocked: a chart that needs a CDN
fails here. For each notebook, one kernel at a time:

- before running: the committed outputs make sense untrusted (each chart's fallback picture
  shows, each explorer says to run its cell; no raw widget repr);
- Run All: every cell finishes within CELL_TIMEOUT seconds, no error or stderr output;
- every chart draws marks, and for every explorer each control changes what it shows (the
  chart, or the one-line note explaining an empty result).

Screenshots go to _build/screenshots/lab/. Needs jupyterlab, anywidget (requirements.txt)
and Debian's chromium.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT

SHOTS = ROOT / "_build" / "screenshots" / "lab"
CELL_TIMEOUT = 180  # seconds for any one cell (riskoff.site.CELL_TIMEOUT)
REDRAW_TIMEOUT = 15  # seconds for an explorer to show a control's change
NOTEBOOKS = ["index.ipynb", *sorted(p.relative_to(ROOT).as_posix()
                                    for p in (ROOT / "chapters").glob("*.ipynb"))]
SETTINGS = {
    # Never write a notebook back; render every cell (no windowing), so all are in the DOM.
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    # No "get Jupyter news?" toast over the notebook, no update check (both ask the web).
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false",
                                                    "checkForUpdates": False},
}
REDRAWS: list[float] = []  # seconds from a control change to the explorer showing it


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab():
    pytest.importorskip("jupyterlab")
    pytest.importorskip("anywidget")
    tmp = Path(tempfile.mkdtemp(prefix="riskoff-lab-"))
    root = tmp / "book"
    for nb in NOTEBOOKS:
        (root / nb).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / nb, root / nb)
    for plugin, values in SETTINGS.items():
        path = tmp / "settings" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp / "runtime"))
    env.pop("RISKOFF_OUTPUT", None)  # a reader's session: live-kernel charts
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
           "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
           f"--LabApp.user_settings_dir={tmp / 'settings'}",
           f"--LabApp.workspaces_dir={tmp / 'workspaces'}",
           "--LabApp.extension_manager=readonly", "--NotebookNotary.db_file=:memory:"]
    log = open(tmp / "lab.log", "w")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("jupyter lab did not start:\n"
                                       + (tmp / "lab.log").read_text()[-3000:])
                time.sleep(0.5)
        yield dict(url=url, token=token, root=root, log=tmp / "lab.log")
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        log.close()
        shutil.rmtree(tmp, ignore_errors=True)


def _api(lab, method: str, path: str):
    req = urllib.request.Request(f"{lab['url']}{path}", method=method,
                                 headers={"Authorization": f"token {lab['token']}"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        body = resp.read()
    return json.loads(body) if body else None


def _wait_kernel_idle(lab, nb: str, page, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        dialog = page.query_selector(".jp-Dialog .jp-mod-accept")
        if dialog:  # "Select Kernel": take the notebook's own (python3)
            dialog.click()
        kernels = _api(lab, "GET", "/api/kernels")
        if kernels and all(k["execution_state"] == "idle" for k in kernels):
            return
        time.sleep(0.5)
    pytest.fail(f"{nb}: the kernel did not start within {timeout:.0f} s in JupyterLab; "
                f"server log:\n{lab['log'].read_text()[-2000:]}")


def _stop_kernels(lab) -> None:
    for session in _api(lab, "GET", "/api/sessions"):
        _api(lab, "DELETE", f"/api/sessions/{session['id']}")
    for kernel in _api(lab, "GET", "/api/kernels"):
        _api(lab, "DELETE", f"/api/kernels/{kernel['id']}")


# The browser is the suite's one session-wide Chromium (tests/conftest.py): a second
# sync_playwright started beside it fails ("Sync API inside the asyncio loop").


def _slug(nb: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", nb.lower().removesuffix(".ipynb")).strip("-")


# ------------------------------------------------------------------------------ in the page

EXPLORER_CELLS_JS = """() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell')]
  .map((c, i) => [i, c.querySelector('.jp-InputArea-editor').innerText])
  .filter(([i, src]) => /\\bexplore_\\w+\\(/.test(src)).map(([i]) => i)"""

PROMPTS_JS = """() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell')].map(
  c => [c.querySelector('.jp-InputPrompt').innerText.trim(),
        c.querySelector('.jp-InputArea-editor').innerText.slice(0, 60)])"""

# What an explorer shows: its chart's SVG, or its note; '' until either is there.
STATE_JS = """cell => {
  const svg = cell.querySelector('.jp-OutputArea .vega-embed svg.marks');
  const notes = [...cell.querySelectorAll('.jp-OutputArea .riskoff-note')]
    .filter(n => n.offsetParent !== null).map(n => n.innerText).join(' ');
  const box = svg && svg.getBoundingClientRect();  // a 0-px-wide chart is not drawn
  const view = box && box.width > 50 && box.height > 50 ? svg.outerHTML : '';
  return view + '|' + notes;
}"""

# How many marks a chart drew, 0 unless its picture has a readable size on the page.
MARKS_JS = """el => {
  const svg = el.querySelector('svg.marks'), box = svg && svg.getBoundingClientRect();
  return box && box.width > 50 && box.height > 50
    ? svg.querySelectorAll('g.role-mark > *').length : 0;
}"""


def _cells(page):
    return page.query_selector_all(".jp-Notebook .jp-CodeCell")


def _run_all(page, nb: str) -> None:
    """Clear the committed outputs, Run All, then wait for every code cell to get its
    execution count; a cell still running after CELL_TIMEOUT seconds fails the test, naming
    the cell, and so does Run All stopping early (a cell raised)."""
    page.click(".lm-MenuBar-itemLabel:text-is('Edit')")
    page.click(".lm-Menu-itemLabel:text-is('Clear Outputs of All Cells')")
    page.wait_for_function(f"() => ({PROMPTS_JS})().every(([p]) => p === '[ ]:')")
    page.click(".lm-MenuBar-itemLabel:text-is('Run')")
    page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
    started, current, since = time.monotonic(), None, time.monotonic()
    idle_since = None  # when no cell was running or queued while some had not run
    while True:
        prompts = page.evaluate(PROMPTS_JS)
        running = [src for prompt, src in prompts if "*" in prompt]
        if all(re.fullmatch(r"\[\d+\]:", p) for p, _ in prompts):
            return
        if running:
            idle_since = None
        elif time.monotonic() - (idle_since := idle_since or time.monotonic()) > 3:
            # JupyterLab drops the queue after a cell raises: say which, and why.
            error = page.query_selector(
                ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error'],"
                ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
            pytest.fail(f"{nb}: Run All stopped with cells not run; "
                        + (f"error output:\n{error.inner_text()[-1500:]}" if error else
                           f"prompts {prompts}"))
        if running and running[0] != current:
            current, since = running[0], time.monotonic()
        if time.monotonic() - since > CELL_TIMEOUT:
            pytest.fail(f"{nb}: a cell ran longer than {CELL_TIMEOUT} s in JupyterLab (hung "
                        f"kernel?): {current!r}")
        if time.monotonic() - started > CELL_TIMEOUT * 3:
            pytest.fail(f"{nb}: Run All did not finish; prompts {prompts}")
        time.sleep(0.3)


def _controls(cell) -> list:
    """One handle per reader control of an explorer, with its kind."""
    out = []
    for sel in cell.query_selector_all(".jp-OutputArea select"):
        out.append(("multi" if sel.get_attribute("multiple") is not None else "select", sel))
    for inp in cell.query_selector_all(".jp-OutputArea input"):
        kind = inp.get_attribute("type") or "text"
        if kind in ("date", "number", "text", "checkbox"):
            out.append((kind, inp))
    for handle in cell.query_selector_all(".jp-OutputArea .noUi-handle"):
        out.append(("slider", handle))
    return out


def _change(page, kind: str, ctl) -> str:
    """Move one control as a reader would; returns a description for messages."""
    if kind == "select":
        n = ctl.evaluate("s => s.options.length")
        i = ctl.evaluate("s => s.selectedIndex")
        ctl.select_option(index=(i + 1) % n)
    elif kind == "multi":
        chosen = ctl.evaluate("s => [...s.selectedOptions].length")
        n = ctl.evaluate("s => s.options.length")
        ctl.select_option(index=[0] if chosen > 1 else list(range(min(2, n))))
    elif kind == "date":
        value = ctl.input_value() or "2025-11-20"
        y, m, d = (int(x) for x in value.split("-"))
        ctl.fill(f"{y}-{m - 1:02d}-{d:02d}" if m > 1 else f"{y - 1}-12-{d:02d}")
        ctl.dispatch_event("change")
    elif kind == "number":
        lo, hi = ctl.get_attribute("min"), ctl.get_attribute("max")
        step = float(ctl.get_attribute("step") or 1) if ctl.get_attribute("step") != "any" else 1
        v = float(ctl.input_value() or 0)
        new = v + step if hi is None or v + step <= float(hi) else v - step
        if lo is not None and new < float(lo):
            new = float(lo)
        ctl.fill(f"{new:g}")
        ctl.press("Enter")
    elif kind == "text":
        ctl.fill(ctl.input_value() + "1")
        ctl.press("Enter")
    elif kind == "checkbox":
        ctl.click()
    elif kind == "slider":
        at_max = ctl.evaluate("h => h.getAttribute('aria-valuenow') === h.getAttribute('aria-valuemax')")
        ctl.focus()
        ctl.press("ArrowLeft" if at_max else "ArrowRight")
    label = ctl.evaluate("e => (e.closest('.widget-inline-hbox, .widget-box') || e)"
                         ".querySelector('label')?.innerText || ''")
    return f"{kind} {label.strip()!r}"


# ------------------------------------------------------------------------------ the test

@pytest.mark.parametrize("nb", NOTEBOOKS)
def test_notebook_in_jupyterlab(lab, browser, nb):
    SHOTS.mkdir(parents=True, exist_ok=True)
    slug, offhost, errors = _slug(nb), [], []
    context = browser.new_context(viewport={"width": 1280, "height": 900})

    def route(r):
        url = r.request.url
        if url.startswith(("http://127.0.0.1", "data:", "blob:")):
            r.continue_()
        else:
            offhost.append(url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    failures = []
    try:
        # ?reset: a fresh workspace, without the tabs (and kernels) of the notebook before.
        page.goto(f"{lab['url']}/lab/tree/{nb}?reset&token={lab['token']}")
        page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=60000)
        _wait_kernel_idle(lab, nb, page)

        # Opened, not yet run: untrusted outputs.
        page.wait_for_timeout(500)
        text = page.inner_text(".jp-Notebook")
        if re.search(r"\b[VH]Box\(", text):
            failures.append("before running: a raw widget repr (VBox(...)) is shown")
        pictures = page.query_selector_all(".jp-OutputArea img.riskoff-fallback")
        broken = [i for i, img in enumerate(pictures)
                  if not img.evaluate("i => i.complete && i.naturalWidth > 0")]
        if broken:
            failures.append(f"before running: fallback pictures {broken} do not show")
        explorers = page.evaluate(EXPLORER_CELLS_JS)
        if explorers and text.count("Run this cell to get the controls") < len(explorers):
            failures.append("before running: an explorer does not say to run its cell")
        if pictures:
            pictures[0].scroll_into_view_if_needed()
            page.screenshot(path=str(SHOTS / f"{slug}-0-unrun.png"))

        _run_all(page, nb)
        for out in page.query_selector_all(
                ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'],"
                ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']"):
            failures.append(f"cell output error: {out.inner_text()[:300]}")

        # Every chart (figures and explorers) draws marks; none shows an error.
        try:
            page.wait_for_function(
                f"""() => [...document.querySelectorAll('.jp-Notebook .vega-embed')]
                   .every(d => ({MARKS_JS})(d) > 0)""", timeout=30000)
        except Exception:
            pass  # named chart by chart below
        embeds = page.query_selector_all(".jp-Notebook .vega-embed")
        for i, embed in enumerate(embeds):
            if embed.evaluate(MARKS_JS) == 0:
                size = embed.evaluate("e => { const r = e.getBoundingClientRect();"
                                      " return `${r.width.toFixed(0)}x${r.height.toFixed(0)}`; }")
                failures.append(f"chart {i + 1}: drew nothing readable ({size} px): "
                                f"{embed.inner_text()[:200]!r}")
        if re.search(r"Error loading script|JavaScript Error|Error displaying widget",
                     page.inner_text(".jp-Notebook"), re.IGNORECASE):
            failures.append("a chart or widget shows a loading error")
        for bad in page.query_selector_all(".jp-Notebook .jupyter-widgets-error-widget"):
            bad.click()  # ipywidgets shows the view's exception only when clicked
            failures.append(f"a widget failed to display: {bad.inner_text()[:400]!r}")

        cells = _cells(page)
        for k, index in enumerate(explorers, 1):
            cell = cells[index]
            name = f"explorer {k} ({cell.query_selector('.jp-InputArea-editor').inner_text()[:40]})"
            cell.scroll_into_view_if_needed()
            try:
                page.wait_for_function(f"c => ({STATE_JS})(c).split('|')[0] !== ''", arg=cell,
                                       timeout=REDRAW_TIMEOUT * 1000)
            except Exception:
                failures.append(f"{name}: no chart drawn")
                continue
            cell.screenshot(path=str(SHOTS / f"{slug}-{k}.png"))
            controls = _controls(cell)
            if not controls:
                failures.append(f"{name}: no controls found")
            for j, (kind, ctl) in enumerate(controls, 1):
                before = cell.evaluate(STATE_JS)
                typed = ctl.input_value() if kind == "text" else None
                t0 = time.perf_counter()
                what = _change(page, kind, ctl)
                try:
                    page.wait_for_function(f"([c, b]) => ({STATE_JS})(c) !== b",
                                           arg=[cell, before], timeout=REDRAW_TIMEOUT * 1000)
                    REDRAWS.append(time.perf_counter() - t0)
                except Exception:
                    failures.append(f"{name}: control {j} ({what}) did not redraw it")
                    continue
                if kind == "text":  # put it back: a text made invalid ("20, 50, 1001") would
                    # leave every later control showing the same message
                    settled = cell.evaluate(STATE_JS)
                    ctl.fill(typed)
                    ctl.press("Enter")
                    try:
                        page.wait_for_function(f"([c, b]) => ({STATE_JS})(c) !== b",
                                               arg=[cell, settled], timeout=REDRAW_TIMEOUT * 1000)
                    except Exception:
                        failures.append(f"{name}: control {j} ({what}) put back did not redraw")
            cell.screenshot(path=str(SHOTS / f"{slug}-{k}-moved.png"))
        failures += errors + [f"off-host request: {u}" for u in offhost]
        assert not failures, f"{nb} in JupyterLab:\n" + "\n".join(failures)
    except BaseException:
        page.screenshot(path=str(SHOTS / f"{slug}-failed.png"))
        raise
    finally:
        context.close()
        _stop_kernels(lab)  # one kernel at a time


def test_redraw_times_reported():
    """Not a budget (the browser's round trip depends on the machine): print the median."""
    if REDRAWS:
        print(f"\nJupyterLab explorer redraws: {len(REDRAWS)}, median "
              f"{statistics.median(REDRAWS) * 1000:.0f} ms, max {max(REDRAWS) * 1000:.0f} ms")


# ------------------------------------------------------------------------------ no JupyterLab

def test_live_figure_box_has_no_tooltip():
    """ipywidgets' browser code fails to show a Box with a tooltip (it reads the Box's missing
    description): the figure's name goes to the chart's Vega description instead."""
    import altair as alt
    import pandas as pd

    from riskoff import widgets

    chart = alt.Chart(pd.DataFrame({"a": [1]})).mark_bar().encode(x="a")
    box = widgets.live_figure(chart, "<p>caption</p>", "What the chart shows")
    assert not box.tooltip
    assert box.children[0].spec["description"] == "What the chart shows"
    own = widgets.live_figure(chart.properties(description="own"), "", "other")
    assert own.children[0].spec["description"] == "own"
    assert box.children[0].layout.width == "100%"


def test_chart_script_draws_once_on_the_page():
    """The chart script's render is wrapped once; an unknown bundle is refused in one line."""
    from riskoff import widgets

    esm = widgets._offline_jupyterchart()._esm
    assert esm.count("riskoffFitRender") == 2 and esm.count("const __default={render") == 1
    with pytest.raises(RuntimeError, match="update fit_to_page"):
        widgets.fit_to_page("export default {render}")
