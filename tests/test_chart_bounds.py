"""Every published chart keeps a finite size with all its series ticked and with none.

With nothing ticked, a legend with no entries gave Vega infinite bounds: the SVG's height
became 1.8e308, the page below it unreachable, and the browser tests waited for a chart that
never settled. Run by node with the book's vendored Vega on each compiled spec.
"""
from __future__ import annotations

import json
import math
import shutil
import subprocess

import pytest

from conftest import capture_published
from test_words import FIGURES, _vega

from riskoff import ch2

CHAPTERS = [*FIGURES, (ch2, (ch2.timeline, ch2.calculator, ch2.yield_moves, ch2.cuts_priced))]


def _published():
    out = {}
    for module, views in CHAPTERS:
        out.update(capture_published(module, *views))
    return out


@pytest.mark.skipif(not shutil.which("node"), reason="node is not installed")
def test_every_chart_has_a_finite_size_with_all_or_no_series():
    from test_words import CHECK as words_check
    script = words_check.parent / "bounds_check.js"
    bad, boxed = [], 0
    for name, rec in _published().items():
        proc = subprocess.run(["node", str(script)], capture_output=True, text=True,
                              input=json.dumps({"spec": _vega(rec["chart"]), "width": 672}),
                              timeout=120)
        assert proc.returncode == 0, f"{name}: {proc.stderr[-800:]}"
        for run in json.loads(proc.stdout):
            boxed += run["boxes"] > 0
            if not all(math.isfinite(float(v)) and abs(float(v)) < 1e5 for v in run["size"]):
                state = "every series ticked" if run["ticked"] else "no series ticked"
                bad.append(f"{name} with {state}: width, height, origin = {run['size']}")
    assert boxed, "no chart with series checkboxes was checked"
    assert not bad, "\n".join(bad)
