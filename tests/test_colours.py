"""Every colour the charts use comes from the colour-blind-safe palette (Okabe-Ito) or is a
neutral grey, so no chart relies on a red/green contrast."""
from __future__ import annotations

import re

import pytest

from conftest import ROOT
from riskoff.charts.base import PALETTE

HEX = re.compile(r"#[0-9A-Fa-f]{6}\b|#[0-9A-Fa-f]{3}\b")
NAMED = re.compile(r'\\"(red|green|lime|darkgreen|crimson|firebrick|forestgreen)\\"')
# Dark amber used only for text labels on a white background (readable, not a data colour).
TEXT_ONLY = {"#8A5A00"}


def _grey(code: str) -> bool:
    h = code.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    return h[0:2] == h[2:4] == h[4:6]


@pytest.mark.parametrize("notebook", sorted(p.name for p in (ROOT / "chapters").glob("*.ipynb")))
def test_chart_colours_are_colour_blind_safe(notebook):
    text = (ROOT / "chapters" / notebook).read_text()
    allowed = {c.upper() for c in PALETTE} | TEXT_ONLY
    bad = {c for c in HEX.findall(text) if c.upper() not in allowed and not _grey(c)}
    assert not bad, f"{notebook}: colours outside the palette: {sorted(bad)}"
    assert not NAMED.findall(text), f"{notebook}: named red/green colours"
