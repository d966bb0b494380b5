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


def published_record(chart, frame, caption, alt_text=None, **words) -> dict:
    """What publish() would show: with words (riskoff.charts.words), ``alt_text`` is the
    default view's takeaway and ``words`` the table."""
    from riskoff.charts.base import figure_words

    chart, lead, label, said = figure_words(chart, alt_text, **words)
    return dict(chart=chart, frame=frame, caption=caption, alt_text=lead, label=label,
                words=said)


def capture_published(module, *views) -> dict:
    """Run a chapter's views with publish() replaced; return what each one handed to it
    (chart, frame, caption, alt text), keyed by the chart's CSV name."""
    calls = {}

    def fake_publish(chart, frame, name, caption, alt_text=None, **words):
        calls[name] = published_record(chart, frame, caption, alt_text, **words)

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


def edition_pages() -> list[str]:
    """toc_pages() of every edition the build makes: English, then each translated edition
    (riskoff.edition.requested(): all unless RISKOFF_EDITIONS=en) under its folder, e.g.
    zh-Hant/chapters/02-the-fed.html."""
    from riskoff import edition

    pages = toc_pages()
    for code in edition.requested():
        pages += [f"{edition.EDITIONS[code].folder}/{p}" for p in toc_pages()]
    return pages


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


# Defects the browser checks found at the end of the 2026-12-01 session and that are still
# open (listed in that session's note). They stay visible as xfail, not hidden: fix and delete.
KNOWN_OPEN: dict[str, str] = {
    # Known open defects, xfailed by node id with the reason (none at present).
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        reason = KNOWN_OPEN.get(item.nodeid)
        if reason:
            item.add_marker(pytest.mark.xfail(reason=f"known open defect: {reason}", strict=False))
