"""Shared fixtures: the built site (one cold build per test session)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
# Book mode (riskoff.pytest_plugin sets it too, for runs given only notebooks): what the
# committed notebooks hold, also when addopts are overridden.
os.environ.setdefault("RISKOFF_OUTPUT", "book")
HTML = ROOT / "_build" / "html"


def capture_published(module, *views) -> dict:
    """Run a chapter's views with publish() replaced; return what each one handed to it
    (chart, frame, caption, alt text), keyed by the chart's CSV name."""
    calls = {}

    def fake_publish(chart, frame, name, caption, alt_text):
        calls[name] = dict(chart=chart, frame=frame, caption=caption, alt_text=alt_text)

    mp = pytest.MonkeyPatch()
    mp.setattr(module, "publish", fake_publish)
    try:
        for view in views:
            view()
    finally:
        mp.undo()
    return calls


def toc_pages() -> list[str]:
    """The HTML page of every entry of _toc.yml."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        pages += [c["file"] for c in part.get("chapters", [])]
    return [p + ".html" for p in pages]


@pytest.fixture(scope="session")
def site() -> Path:
    if not (os.environ.get("RISKOFF_REUSE_BUILD") and (HTML / "index.html").exists()):
        shutil.rmtree(ROOT / "_build", ignore_errors=True)  # a cold build, like CI's
        proc = subprocess.run([sys.executable, "-m", "riskoff.site", "build"], cwd=ROOT,
                              capture_output=True, text=True)
        log = proc.stdout + proc.stderr
        assert proc.returncode == 0, f"site build failed:\n{log[-4000:]}"
        assert "WARNING" not in log, f"site build warned:\n{log[-4000:]}"
    return HTML


@pytest.fixture(scope="session")
def server(site):
    """The built site over HTTP on localhost."""
    from layout_probe import serve

    with serve(site) as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, driven by Playwright."""
    sync_api = pytest.importorskip("playwright.sync_api")
    from layout_probe import CHROMIUM_ARGS, chromium

    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        yield b
        b.close()
