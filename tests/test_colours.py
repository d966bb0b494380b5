"""Every colour the charts use comes from the colour-blind-safe palette (Okabe-Ito) or is a
neutral grey, so no chart relies on a red/green contrast."""
from __future__ import annotations

import re

import pytest

from conftest import ROOT
from riskoff.catalog import SERIES
from riskoff.charts.base import PALETTE

# A colour value in a spec: a hex code closing a (JSON-escaped) string, not a URL fragment.
HEX = re.compile(r'#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})(?=\\*")')
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
    allowed = {c.upper() for c in PALETTE} | {s.colour.upper() for s in SERIES.values()} | TEXT_ONLY
    found = HEX.findall(text)
    if "vega" in text:
        assert found, f"{notebook}: charts, but no colour found (pattern out of date?)"
    bad = {c for c in found if c.upper() not in allowed and not _grey(c)}
    assert not bad, f"{notebook}: colours outside the palette: {sorted(bad)}"
    assert not NAMED.findall(text), f"{notebook}: named red/green colours"


def test_catalog_colours_are_colour_blind_safe():
    allowed = {c.upper() for c in PALETTE}
    bad = {s.symbol: s.colour for s in SERIES.values()
           if s.colour.upper() not in allowed and not _grey(s.colour)}
    assert not bad, bad


def test_hex_pattern_finds_spec_colours_not_url_fragments():
    text = r'{\"color\": \"#D55E00\"} <a href=\"https://x.org/a#fed\">'
    assert HEX.findall(text.replace("#fed", "#fedcba/x")) == ["#D55E00"]
    assert HEX.findall(r'\"fill\":\"#abc\"') == ["#abc"]
