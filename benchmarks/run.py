"""Measure the book, today's way beside the new way, in one run.

    npm install --prefix benchmarks     # once: Lighthouse (not needed to build or test the book)
    python benchmarks/run.py            # prints a Markdown report (paste it into the README)
    python benchmarks/run.py --quick    # skip the cold/warm build and execute-all timings
    python benchmarks/run.py --no-lighthouse
    python benchmarks/run.py --lh-runs 3      # median of 3 Lighthouse runs per page and way

"Old" is the site built with RISKOFF_SITE_LEGACY=1 (the theme's icon script, Altair's inline
chart scripts, the Vega-Lite bundle on every page); "new" is the default build. Both are
served with gzip from 127.0.0.1 (benchmarks/serve.py), each page opened with a cold cache.

Not a test: numbers depend on the machine. Targets (issue 15): Lighthouse mobile performance
>= 0.9, SEO, accessibility and best practices 1.0; first chart <= 0.3 s, all charts <= 1 s
or each within 0.2 s of entering the viewport; JavaScript <= 250 KB gzip per page;
execute-all <= 10 s; each explorer <= 25 ms median redraw.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import io
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))
RESULTS = ROOT / "benchmarks" / "results"  # gitignored: Lighthouse reports, execute copies


def timed(cmd: list[str], env: dict | None = None) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True)
    return time.perf_counter() - t0


def build_times() -> list[tuple[str, float, float | None]]:
    """Both editions. The pictures and the zh-Hant execute are cached outside _build
    ($XDG_CACHE_HOME/riskoff), so "cold" is timed twice: as on a fresh machine, and with
    only _build emptied (a maintainer's clean rebuild)."""
    build = [sys.executable, "-m", "riskoff.site", "build"]
    with tempfile.TemporaryDirectory(prefix="riskoff-cold-cache-") as empty:
        shutil.rmtree(ROOT / "_build", ignore_errors=True)
        fresh = timed(build, env={**os.environ, "XDG_CACHE_HOME": empty})
    shutil.rmtree(ROOT / "_build", ignore_errors=True)
    cold = timed(build)
    warm = timed(build)
    return [("fresh machine (empty _build and cache)", fresh, None),
            ("cold full build (empty _build, cache kept)", cold, 45.0),
            ("warm rebuild (nothing changed)", warm, 5.0)]


# ---------------------------------------------------------------------------- recompute

def _candidates(ctl) -> list:
    import ipywidgets as w

    if isinstance(ctl, w.SelectMultiple):
        opts = [o[1] if isinstance(o, tuple) else o for o in ctl.options]
        return [tuple(opts[:k]) for k in (1, max(1, len(opts) // 2), len(opts))]
    if hasattr(ctl, "options"):
        opts = [o[1] if isinstance(o, tuple) else o for o in ctl.options]
        return opts[:6]
    if isinstance(ctl, w.DatePicker) and ctl.value:
        return [ctl.value + dt.timedelta(days=d) for d in (0, -30, -90, 7)]
    if hasattr(ctl, "min") and hasattr(ctl, "max"):
        return [ctl.min, (ctl.min + ctl.max) / 2 if isinstance(ctl.value, float)
                else (ctl.min + ctl.max) // 2, ctl.max]
    if isinstance(ctl.value, (int, float)) and not isinstance(ctl.value, bool):
        return [ctl.value, ctl.value * 0.99, ctl.value * 1.01]
    return [ctl.value]


def recompute_times() -> list[tuple[str, list[float]]]:
    """Time each kernel explorer's render() (pandas + chart build + spec) over its controls."""
    from riskoff import widgets

    results = []
    for n in range(1, 10):
        try:
            mod = importlib.import_module(f"riskoff.ch{n}")
        except ImportError:
            continue
        for name in sorted(dir(mod)):
            if not name.startswith("explore_"):
                continue
            with contextlib.redirect_stdout(io.StringIO()):
                box = getattr(mod, name)()
            controls = box.controls
            for c in controls:
                c.unobserve_all("value")  # time render() alone, not the display machinery
            samples = []
            for ctl in controls:
                original = ctl.value
                for value in _candidates(ctl):
                    try:
                        ctl.value = value
                    except Exception:
                        continue
                    t0 = time.perf_counter()
                    try:
                        out = box.render()
                    except ValueError:  # the explorer shows these as a sentence
                        out = None
                    if hasattr(out, "to_dict"):
                        widgets.bundle(out)  # what the explorer displays
                    samples.append(time.perf_counter() - t0)
                ctl.value = original
            results.append((f"ch{n}.{name}", samples))
    return results


# ---------------------------------------------------------------------------- execute

def execute_time(cold: bool = False) -> float:
    """Every notebook executed as `python -m riskoff.site execute` does (interpreter start,
    the kernel, every cell), written to a scratch folder (the committed ones stay untouched,
    nothing is recorded). ``cold``: with an empty result cache (fallback pictures, validated
    specs), as on a fresh machine; otherwise with the cache as the last run left it."""
    work = RESULTS / "execute"
    shutil.rmtree(work, ignore_errors=True)
    code = ("from pathlib import Path; from riskoff import site; "
            f"site.execute(out_dir=Path({str(work)!r}), record=False)")
    with tempfile.TemporaryDirectory(prefix="riskoff-cold-cache-") as empty:
        env = {**os.environ, **({"XDG_CACHE_HOME": empty} if cold else {})}
        t0 = time.perf_counter()
        try:
            subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True,
                           capture_output=True)
            return time.perf_counter() - t0
        finally:
            shutil.rmtree(work, ignore_errors=True)


# ---------------------------------------------------------------------------- pages

WAYS = {"old": {"RISKOFF_SITE_LEGACY": "1"}, "new": {"RISKOFF_SITE_LEGACY": ""}}
CHART = 'div[id^="altair-viz-"]'

# In the page: scroll each chart into view in turn, timing when it is shown and when its live
# view is drawn, and how long after entering the viewport. Times are ms since navigation
# start. *Shown*: the chart's picture drawn at build time is on screen (its image loaded and
# the page painted), or the live view is drawn; *live*: Vega's view is drawn (svg.marks) or
# failed, which is what the controls and tooltips need.
SCROLL_THROUGH_JS = """
async (selector) => {
  const live = el => el.querySelector('svg.marks') || el.querySelector('.error');
  const img = el => el.querySelector('picture.riskoff-picture img');
  const painted = () => {
    const fcp = performance.getEntriesByName('first-contentful-paint')[0];
    return fcp ? fcp.startTime : null;
  };
  // A picture already loaded when first looked at: the later of its arrival and the first
  // paint (not before either); else when it is seen loaded.
  const pictureAt = (el, first) => {
    const i = img(el);
    if (!(i && i.complete && i.naturalWidth > 0)) return null;
    if (!first) return performance.now();
    const r = performance.getEntriesByName(i.currentSrc)[0];
    const p = painted();
    return p === null ? performance.now() : Math.max(p, r ? r.responseEnd : 0);
  };
  const until = (el, shown) => new Promise((resolve, reject) => {
    const t0 = performance.now();
    let first = true;
    const tick = () => {
      const t = live(el) ? performance.now() : shown ? pictureAt(el, first) : null;
      first = false;
      return t !== null ? resolve(t)
        : performance.now() - t0 > 15000 ? reject(new Error('chart not drawn in 15 s: ' + el.id))
        : setTimeout(tick, 4);
    };
    tick();
  });
  const charts = [...document.querySelectorAll(selector)];
  const out = {n: charts.length, shown: [], drawn: [], lags: [], live_lags: [],
               pictures: charts.filter(img).length};
  // The first screen: every chart in the viewport as the page opens, shown.
  const inView = charts.filter(el => el.getBoundingClientRect().top < innerHeight);
  // When the last of them was shown (not when this script started: that is after
  // DOMContentLoaded and the driver's round trip, later than a picture painted at once).
  let screen = 0;
  for (const el of inView) { screen = Math.max(screen, await until(el, true)); }
  out.screen = inView.length ? screen : null;
  out.in_view = inView.length;
  // The reader's first move: charts near the viewport go live on it (riskoff-charts.js).
  window.dispatchEvent(new Event('pointermove'));
  for (const el of charts) {
    el.scrollIntoView({block: 'center'});
    const entered = performance.now();
    const shown = await until(el, true);
    out.shown.push(shown);
    out.lags.push(Math.max(0, shown - entered));
    const t = await until(el, false);
    out.drawn.push(t);
    out.live_lags.push(t - entered);
  }
  out.fcp = painted();
  out.errors = charts.filter(el => el.querySelector('.error')).length;
  return out;
}
"""

RESOURCES_JS = """
() => [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
  .map(e => ({name: e.name, type: e.entryType, bytes: e.encodedBodySize}))
"""


def browser_measure(base: str, pages: list[str], runs: int = 3) -> dict[str, dict]:
    """Per page: first chart / all charts drawn (s, median of `runs` cold loads), the slowest
    chart's lag after entering the viewport, first contentful paint, and the JavaScript and
    total bytes (gzip, as transferred) the page loaded once every chart was drawn."""
    from playwright.sync_api import sync_playwright
    from layout_probe import CHROMIUM_ARGS

    exe = os.environ.get("CHROMIUM") or shutil.which("chromium")
    out = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        for page_path in pages:
            samples, resources = [], []
            for _ in range(runs):
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                page = context.new_page()
                page.goto(f"{base}/{page_path}", wait_until="domcontentloaded")
                samples.append(page.evaluate(SCROLL_THROUGH_JS, CHART))
                page.wait_for_load_state("load")
                resources = page.evaluate(RESOURCES_JS)
                context.close()
            row = {"n": samples[0]["n"], "errors": max(s["errors"] for s in samples),
                   "fcp": statistics.median(s["fcp"] or 0 for s in samples) / 1000,
                   "html_kb": sum(r["bytes"] for r in resources
                                  if r["type"] == "navigation") / 1000,
                   "js_kb": sum(r["bytes"] for r in resources if r["name"].split("?")[0]
                                .endswith(".js")) / 1000,
                   "all_kb": sum(r["bytes"] for r in resources) / 1000,
                   "vega": any("vega" in r["name"].rsplit("/", 1)[-1] for r in resources)}
            if any(s["screen"] is not None for s in samples):
                row["screen"] = statistics.median(s["screen"] or 0 for s in samples) / 1000
            if row["n"]:
                row["pictures"] = samples[0]["pictures"]
                row["first"] = statistics.median(s["shown"][0] for s in samples) / 1000
                row["all"] = statistics.median(max(s["shown"]) for s in samples) / 1000
                row["lag"] = statistics.median(max(s["lags"]) for s in samples) / 1000
                row["first_live"] = statistics.median(s["drawn"][0] for s in samples) / 1000
                row["all_live"] = statistics.median(max(s["drawn"]) for s in samples) / 1000
                row["live_lag"] = statistics.median(max(s["live_lags"]) for s in samples) / 1000
            out[page_path] = row
        browser.close()
    return out


LIGHTHOUSE = ROOT / "benchmarks" / "node_modules" / ".bin" / "lighthouse"
LH_AUDITS = {"fcp": "first-contentful-paint", "lcp": "largest-contentful-paint",
             "tbt": "total-blocking-time", "cls": "cumulative-layout-shift"}


def lighthouse(url: str, report: Path) -> dict:
    """Lighthouse's mobile profile (its default: simulated slow 4G, 4x CPU slowdown)."""
    profile = tempfile.mkdtemp(prefix="lh-profile-")
    flags = ("--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run "
             "--disable-background-networking --disable-component-update --disable-sync "
             f"--user-data-dir={profile}")
    try:
        subprocess.run([str(LIGHTHOUSE), url, f"--chrome-flags={flags}", "--form-factor=mobile",
                        "--only-categories=performance,accessibility,best-practices,seo",
                        "--output=json", f"--output-path={report}", "--quiet"],
                       check=True, capture_output=True,
                       env={**os.environ, "CHROME_PATH": os.environ.get("CHROMIUM")
                            or shutil.which("chromium") or "/usr/bin/chromium"})
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    data = json.loads(report.read_text())
    row = {k: v["score"] for k, v in data["categories"].items()}
    row.update({k: data["audits"][a]["numericValue"] for k, a in LH_AUDITS.items()})
    blocking = data["audits"].get("render-blocking-resources", {}).get("details", {})
    row["blocking_js"] = sum(1 for item in blocking.get("items", [])
                             if item.get("url", "").split("?")[0].endswith(".js"))
    return row


def lighthouse_median(url: str, report: Path, runs: int) -> dict:
    """Median of `runs` Lighthouse runs (its simulated timings move from run to run)."""
    rows = [lighthouse(url, report.with_name(f"{report.stem}-{i}.json")) for i in range(runs)]
    return {k: statistics.median(r[k] for r in rows) for k in rows[0]}


def build_ways(into: Path) -> dict[str, Path]:
    """Build the site each way and copy it out of _build/html (the new way is built last, so
    _build/html is left as the default build)."""
    dirs = {}
    for way, env in WAYS.items():
        # A cold build each: the switch is an environment variable, not a Sphinx setting, so a
        # warm rebuild would leave the other way's pages in place.
        shutil.rmtree(ROOT / "_build", ignore_errors=True)
        subprocess.run([sys.executable, "-m", "riskoff.site", "build"], cwd=ROOT, check=True,
                       capture_output=True, env={**os.environ, **env})
        shutil.rmtree(into / way, ignore_errors=True)
        shutil.copytree(HTML, into / way)
        dirs[way] = into / way
    return dirs


def pct(samples: list[float], q: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def ratio(new, old) -> str:
    return f"{new / old:.2f}" if old else "–"


def main() -> None:
    from serve import serve
    from conftest import toc_pages

    import argparse
    # Parsed, so a mistyped flag or --help never starts a full run (it rebuilds _build).
    ap = argparse.ArgumentParser(description="Measure the book, today's way beside the new way.")
    ap.add_argument("--quick", action="store_true", help="skip the build and execute-all timings")
    ap.add_argument("--no-lighthouse", action="store_true")
    ap.add_argument("--lh-runs", type=int, default=1, help="Lighthouse runs per page and way (median)")
    args = ap.parse_args()
    quick = args.quick
    use_lh = not args.no_lighthouse and LIGHTHOUSE.exists()
    lh_runs = args.lh_runs
    RESULTS.mkdir(parents=True, exist_ok=True)
    lines = [f"Measured {dt.date.today():%Y-%m-%d} on {platform.machine()}, "
             f"{os.cpu_count()} cores, Python {platform.python_version()}, "
             f"{subprocess.run([shutil.which('chromium') or 'chromium', '--version'], capture_output=True, text=True).stdout.strip()} "
             f"(`python benchmarks/run.py`).", ""]
    if not quick:
        lines += ["| build / execute | seconds | target | ok |", "|---|---:|---:|---|"]
        for label, secs, target in build_times():
            if target is None:
                lines.append(f"| {label} | {secs:.1f} | – | – |")
            else:
                lines.append(f"| {label} | {secs:.1f} | ≤ {target:g} | {'yes' if secs <= target else 'NO'} |")
        for cold in (True, False):
            if not cold:
                # Warm as a maintainer's machine is: a fresh machine's first run fills the
                # result cache, so one unmeasured run first.
                execute_time(False)
            secs = execute_time(cold)
            lines.append(f"| execute every notebook (`python -m riskoff.site execute`), "
                         f"{'empty' if cold else 'warm'} result cache | {secs:.1f} "
                         f"| ≤ 10 | {'yes' if secs <= 10 else 'NO'} |")
        lines.append("")

    lines += ["| kernel explorer redraw (render + spec) | calls | median ms | p95 ms | ok (≤ 25 ms median) |",
              "|---|---:|---:|---:|---|"]
    for label, samples in recompute_times():
        if samples:
            med, p95 = statistics.median(samples) * 1000, pct(samples, 0.95) * 1000
            lines.append(f"| {label} | {len(samples)} | {med:.1f} | {p95:.1f} | "
                         f"{'yes' if med <= 25 else 'NO'} |")
    lines.append("")

    pages = toc_pages()
    dirs = build_ways(RESULTS / "site")
    measured, lh = {}, {}
    for way, directory in dirs.items():
        httpd, base = serve(directory)
        try:
            measured[way] = browser_measure(base, pages)
            if use_lh:
                lh[way] = {p: lighthouse_median(
                    f"{base}/{p}", RESULTS / f"lighthouse-{way}-"
                    f"{p.replace('/', '-').removesuffix('.html')}.json", lh_runs) for p in pages}
        finally:
            httpd.shutdown()

    def s_(v):
        return f"{v:.2f}" if v is not None else "–"

    def mark(ok):
        return "" if ok else " **✗**"

    lines += ["Pages, desktop 1280×900, cold cache, median of 3 loads (s since navigation). "
              "A chart is *shown* when its picture drawn at build time is on screen (or its "
              "live view is drawn; the old way has no picture); *live* when Vega's view "
              "(controls, tooltips) is drawn. *First screen*: every chart in the viewport at "
              "opening shown; then each chart is scrolled into view in turn (*lag*: the slowest "
              "chart's after entering the view). JS: every script the page loaded, KB gzip as "
              "transferred; HTML: the page itself. ✗ = the new way misses issue 15's target.", "",
              "| page | charts (pictures) | Vega loaded old → new | JS KB old → new (≤ 250) "
              "| HTML KB old → new "
              "| first screen s old → new (≤ 0.3) | first chart s old → new (≤ 0.3) "
              "| all charts s old → new (≤ 1, or lazy) | max lag s new (≤ 0.2) "
              "| live new: first / all / max lag s | ratio new/old first / all / JS |",
              "|---|---:|---|---:|---:|---:|---:|---:|---:|---|---|"]
    for p in pages:
        o, n = measured["old"][p], measured["new"][p]
        vega = (f"{'yes' if o['vega'] else 'no'} → {'yes' if n['vega'] else 'no'}"
                + ("" if n["n"] else mark(not n["vega"])))
        js = f"{o['js_kb']:.0f} → {n['js_kb']:.0f}{mark(n['js_kb'] <= 250)}"
        html_kb = f"{o['html_kb']:.0f} → {n['html_kb']:.0f}"
        if n["n"]:
            screen = (f"{s_(o.get('screen'))} → {s_(n.get('screen'))}"
                      + mark(n.get("screen") is None or n["screen"] <= 0.3))
            lines.append(
                f"| {p} | {n['n']} ({n['pictures']}) | {vega} | {js} | {html_kb} | {screen} | "
                f"{o['first']:.2f} → {n['first']:.2f}{mark(n['first'] <= 0.3)} | "
                f"{o['all']:.2f} → {n['all']:.2f}{mark(n['all'] <= 1 or n['lag'] <= 0.2)} | "
                f"{n['lag']:.2f}{mark(n['lag'] <= 0.2)} | {n['first_live']:.2f} / "
                f"{n['all_live']:.2f} / {n['live_lag']:.2f} | {ratio(n['first'], o['first'])} / "
                f"{ratio(n['all'], o['all'])} / {ratio(n['js_kb'], o['js_kb'])} |")
        else:
            lines.append(f"| {p} | 0 | {vega} | {js} | {html_kb} | no chart | no chart | no chart "
                         f"| – | – | – / – / {ratio(n['js_kb'], o['js_kb'])} |")
        if n["errors"] or o["errors"]:
            lines[-1] += f" **chart errors: old {o['errors']}, new {n['errors']}**"
    lines.append("")
    if lh:
        lines += [f"Lighthouse 12 mobile profile (simulated slow 4G, 4× CPU slowdown), "
                  f"{'median of ' + str(lh_runs) + ' runs' if lh_runs > 1 else 'one run'} per page "
                  "and way: scores, render-blocking scripts, then FCP / LCP (s), TBT (ms), CLS.", "",
                  "| page | performance old → new (≥ 0.9) | a11y (1.0) | best practices (1.0) "
                  "| SEO (1.0) | blocking scripts (0) | FCP | LCP | TBT | CLS |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for p in pages:
            o, n = lh["old"][p], lh["new"][p]
            lines.append(
                f"| {p} | {o['performance']:.2f} → **{n['performance']:.2f}**"
                f"{mark(n['performance'] >= 0.9)} | "
                f"{o['accessibility']:.2f} → {n['accessibility']:.2f}{mark(n['accessibility'] >= 1)} | "
                f"{o['best-practices']:.2f} → {n['best-practices']:.2f}{mark(n['best-practices'] >= 1)} | "
                f"{o['seo']:.2f} → {n['seo']:.2f}{mark(n['seo'] >= 1)} | "
                f"{o['blocking_js']:.0f} → {n['blocking_js']:.0f}{mark(n['blocking_js'] == 0)} | "
                f"{o['fcp'] / 1000:.1f} → {n['fcp'] / 1000:.1f} | "
                f"{o['lcp'] / 1000:.1f} → {n['lcp'] / 1000:.1f} | {o['tbt']:.0f} → {n['tbt']:.0f} | "
                f"{o['cls']:.3f} → {n['cls']:.3f} |")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
