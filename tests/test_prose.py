"""Numbers written in the chapters' prose must be backed by computed output.

Every decimal figure in a markdown cell (e.g. "2.38%", "85,090.69") must appear in that
notebook's own outputs (tables, captions, text alternatives) or in a published-figures table
of the cache. A figure typed into the prose that the code no longer computes fails here.
"""
from __future__ import annotations

import html
import re

import nbformat
import pytest

from conftest import ROOT

NOTEBOOKS = ["index.ipynb", *sorted(p.relative_to(ROOT).as_posix()
                                    for p in (ROOT / "chapters").glob("*.ipynb"))]
DECIMAL = re.compile(r"\d[\d,]*\.\d+")


def _outputs_text(nb) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            for mime, value in out.get("data", {}).items():
                if mime.startswith("text/"):
                    parts.append(value if isinstance(value, str) else "".join(value))
            parts.append(out.get("text", ""))
    return html.unescape("\n".join(parts))


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_prose_figures_are_computed(notebook):
    nb = nbformat.read(ROOT / notebook, as_version=4)
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    backing = _outputs_text(nb) + "\n".join(
        p.read_text() for p in (ROOT / "data" / "published").glob("*.csv"))
    missing = sorted({n for n in DECIMAL.findall(prose) if n not in backing})
    assert not missing, f"{notebook}: prose figures not in any computed output: {missing}"
