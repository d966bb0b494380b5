"""Measure the book: build times, kernel recompute times, page weight, time to first chart.

    python benchmarks/run.py            # prints a Markdown report (paste it into the README)
    python benchmarks/run.py --quick    # skip the cold/warm build timings

Not a test: numbers depend on the machine. Targets (issue "Performance"): cold build <= 45 s,
warm <= 5 s, each recompute <= 50 ms median, each page <= 400 KB gzip besides the shared Vega
bundle, first chart drawn <= 1 s.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gzip
import http.server
import importlib
import io
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
sys.path.insert(0, str(ROOT / "tests"))


def timed(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - t0


def build_times() -> list[tuple[str, float, float]]:
    build = [sys.executable, "-m", "riskoff.site", "build"]
    shutil.rmtree(ROOT / "_build", ignore_errors=True)
    cold = timed(build)
    warm = timed(build)
    return [("cold full build (empty _build)", cold, 45.0), ("warm rebuild (nothing changed)", warm, 5.0)]


# ---------------------------------------------------------------------------- recompute

def _controls(widget):
    import ipywidgets as w

    if isinstance(widget, w.Output):
        return []
    if isinstance(widget, w.Box):
        return [c for child in widget.children for c in _controls(child)]
    return [widget] if hasattr(widget, "value") and not isinstance(widget, w.HTML) else []


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
            controls = _controls(box)
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


# ---------------------------------------------------------------------------- pages

def page_weights() -> list[tuple[str, int, int]]:
    from test_site import toc_pages

    rows = []
    for page in toc_pages():
        raw = (HTML / page).read_bytes()
        rows.append((page, len(raw), len(gzip.compress(raw, 6))))
    return rows


def first_chart_times(pages: list[str], runs: int = 3) -> dict[str, float]:
    from playwright.sync_api import sync_playwright
    from test_site import CHROMIUM_ARGS

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(HTML)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    out = {}
    exe = os.environ.get("CHROMIUM") or shutil.which("chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        for page_path in pages:
            times = []
            for _ in range(runs):
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto(f"{base}/{page_path}", wait_until="commit")
                try:
                    page.wait_for_selector("div.vega-embed svg.marks", timeout=10000)
                except Exception:
                    page.close()
                    break
                times.append(page.evaluate("() => performance.now()") / 1000)
                page.close()
            if times:
                out[page_path] = statistics.median(times)
        browser.close()
    httpd.shutdown()
    return out


def pct(samples: list[float], q: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def main() -> None:
    quick = "--quick" in sys.argv
    lines = [f"Measured {dt.date.today():%Y-%m-%d} on {platform.machine()}, "
             f"{os.cpu_count()} cores, Python {platform.python_version()} "
             f"(`python benchmarks/run.py`).", ""]
    if not quick:
        lines += ["| build | seconds | target | ok |", "|---|---:|---:|---|"]
        for label, secs, target in build_times():
            lines.append(f"| {label} | {secs:.1f} | ≤ {target:g} | {'yes' if secs <= target else 'NO'} |")
        lines.append("")
    elif not (HTML / "index.html").exists():
        subprocess.run([sys.executable, "-m", "riskoff.site", "build"], cwd=ROOT, check=True,
                       capture_output=True)

    lines += ["| kernel recompute (render + spec) | calls | median ms | p95 ms | ok (≤ 50 ms median) |",
              "|---|---:|---:|---:|---|"]
    for label, samples in recompute_times():
        if samples:
            med, p95 = statistics.median(samples) * 1000, pct(samples, 0.95) * 1000
            lines.append(f"| {label} | {len(samples)} | {med:.1f} | {p95:.1f} | "
                         f"{'yes' if med <= 50 else 'NO'} |")
    lines.append("")

    weights = page_weights()
    firsts = first_chart_times([p for p, *_ in weights
                                if b"altair-viz-" in (HTML / p).read_bytes()])
    bundle = (HTML / "_static" / "vega-bundle.js").read_bytes()
    lines += ["| page | HTML KB | gzip KB (≤ 400) | first chart drawn, s (≤ 1) |",
              "|---|---:|---:|---:|"]
    for page, raw, gz in weights:
        first = f"{firsts[page]:.2f}" if page in firsts else "no chart"
        flag = "" if gz <= 400_000 and firsts.get(page, 0) <= 1 else " **over target**"
        lines.append(f"| {page} | {raw / 1000:.0f} | {gz / 1000:.0f} | {first}{flag} |")
    lines += ["", f"Shared Vega bundle (loaded once, cached): {len(bundle) / 1000:.0f} KB, "
                  f"{len(gzip.compress(bundle, 6)) / 1000:.0f} KB gzip."]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
