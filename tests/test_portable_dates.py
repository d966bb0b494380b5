"""Python date formats must be portable: no ``%-d`` / ``%-m`` (a glibc extension that Python
on Windows rejects and Pyodide prints literally).

Only formats Python itself applies are checked: f-string and str.format specs, ``format()``,
and ``strftime``/``strptime`` arguments. The d3 formats in Vega-Lite specs (axis ``format=``,
``timeFormat``/``utcFormat`` expressions) are plain strings run by the browser, where ``%-d``
is valid, so they may keep it.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT
from riskoff.charts.base import date_label

GLIBC = "%-"


def _consts(node) -> list[str]:
    """The literal text of a string node (an f-string's literal parts included)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return [v.value for v in node.values if isinstance(v, ast.Constant)]
    return []


def python_formats(source: str) -> list[tuple[int, str]]:
    """(line, format) of every date/number format Python applies in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FormattedValue) and node.format_spec is not None:
            found += [(node.lineno, s) for s in _consts(node.format_spec)]
        elif isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
            if name in ("strftime", "strptime") and node.args:
                found += [(node.lineno, s) for a in node.args for s in _consts(a)]
            elif name == "format" and isinstance(f, ast.Name) and len(node.args) > 1:
                found += [(node.lineno, s) for s in _consts(node.args[1])]
            elif name == "format" and isinstance(f, ast.Attribute):
                # "{:%-d %b}".format(x): the spec is inside the template
                found += [(node.lineno, s) for s in _consts(f.value)
                          if "{" in s and ":" in s]
    return found


FILES = sorted([*ROOT.glob("riskoff/**/*.py"), *ROOT.glob("tests/*.py"),
                *ROOT.glob("benchmarks/*.py")])


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(ROOT)) for p in FILES])
def test_no_glibc_date_format_in_python(path: Path):
    bad = [(line, fmt) for line, fmt in python_formats(path.read_text()) if GLIBC in fmt]
    assert not bad, f"{path.relative_to(ROOT)}: non-portable Python date formats {bad}"


@pytest.mark.parametrize("code, flagged", [
    ('f"{d:%-d %b}"', True),
    ('d.strftime("%-d %b")', True),
    ('s.dt.strftime("%a %-d")', True),
    ('format(d, "%-d")', True),
    ('"{:%-d %b}".format(d)', True),
    ('f"{d:%d %b}"', False),
    ('f"{d.day} {d:%b %Y}"', False),
    ('alt.Tooltip("date:T", format="%-d %b %Y")', False),           # d3, in the browser
    ('"utcFormat(toDate(datum.date), \'%-d %b\')"', False),         # a Vega expression
    ('DATE_FORMAT = "%-d %b %Y"', False),
])
def test_the_check_tells_python_formats_from_vega_ones(code, flagged):
    assert any(GLIBC in f for _, f in python_formats(code)) == flagged


@pytest.mark.parametrize("value, label", [("2025-11-03", "3 Nov 2025"), ("2025-11-20", "20 Nov 2025"),
                                          (pd.Timestamp("2026-01-05 14:30"), "5 Jan 2026")])
def test_date_label_has_no_leading_zero(value, label):
    assert date_label(value) == label


def test_day_label_names_the_weekday():
    from riskoff.ch3 import day_label

    assert day_label("2025-11-03") == "Mon 3 Nov 2025"
