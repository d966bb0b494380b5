"""Spec-level checks of every published chart: it sizes to its column, each asset is drawn in
the catalog's colour, tooltips show dates in the book's one format, swatches suit their marks.

The browser checks (overlap, clipping at 390 and 1280 px) live in the site test; these run on
the Vega-Lite specs alone, without a build. Each checker is also run on a known-bad spec, so
a check that stopped seeing its defect would fail.
"""
from __future__ import annotations

import functools

import pytest

from conftest import capture_published
from riskoff import ch1, ch2, ch3, ch4, ch5
from riskoff.catalog import SERIES
from riskoff.charts import base, fed

VIEWS = {
    ch1: ["who_fell", "rebased", "drawdowns"],
    ch2: ["timeline", "calculator", "yield_moves", "cuts_priced"],
    ch3: ["reversal", "reactions", "who_fell", "deals"],
    ch4: ["gap_fade", "credit_drawdowns", "credit_vs_treasuries", "yield_moves", "crypto_xcorr",
          "crypto_thresholds", "trend_model", "vix_fear", "asian_tech", "illiquidity",
          "etf_volume"],
    ch5: ["analog_chart", "volatility_chart", "after_chart", "trend_chart"],
}
# Fields that hold a calendar date: shown through base.date_tip/date_text, never raw.
DATE_FIELDS = {"date", "start", "end", "day", "session", "announced", "peak_date", "as_of"}


@functools.lru_cache(maxsize=1)
def published() -> dict:
    out = {}
    for module, names in VIEWS.items():
        calls = capture_published(module, *(getattr(module, n) for n in names))
        out.update({name: call["chart"].to_dict() for name, call in calls.items()})
    return out


def names_to_symbols() -> dict:
    """Every display name a chart may give an asset, mapped to its symbol."""
    out = {}
    for sym in SERIES:
        for name in (base.label_of(sym), base.short_of(sym)):
            out.setdefault(name, sym)
    for sym in fed.SERIES:
        out[fed.name_of(sym)] = sym
        out[fed.name_of(sym).replace(" (%)", "")] = sym
    return out


def units(spec: dict):
    """Every single view (a dict with "mark") in a spec, with the top level's encoding merged."""
    def walk(node, inherited):
        enc = {**inherited, **node.get("encoding", {})}
        if "mark" in node:
            yield node, enc
        for child in node.get("layer", []):
            yield from walk(child, enc)
    yield from walk(spec, {})


def mark_type(node) -> str:
    m = node["mark"]
    return m["type"] if isinstance(m, dict) else m


def tooltips(enc: dict) -> list[dict]:
    tip = enc.get("tooltip", [])
    return [t for t in (tip if isinstance(tip, list) else [tip]) if isinstance(t, dict)]


# ---------------------------------------------------------------------------- checkers

def colour_problems(spec: dict, names: dict) -> tuple[list[str], int]:
    """Asset colours that differ from the catalog's, and how many asset colours were seen."""
    problems, seen = [], 0
    for _, enc in units(spec):
        scale = enc.get("color", {}).get("scale") or {}
        dom, rng = scale.get("domain"), scale.get("range")
        if not isinstance(dom, list) or not isinstance(rng, list):
            continue
        for value, colour in zip(dom, rng):
            if value in names:
                seen += 1
                want = SERIES[names[value]].colour
                if str(colour).upper() != want.upper():
                    problems.append(f"{value}: {colour}, catalog {want}")
    return problems, seen


def width_problems(spec: dict) -> list[str]:
    return [] if spec.get("width") == "container" else [f"width {spec.get('width')!r}"]


def tooltip_date_problems(spec: dict) -> list[str]:
    problems = []
    for _, enc in units(spec):
        for t in tooltips(enc):
            field = t.get("field", "")
            if t.get("type") == "temporal":
                if t.get("format") not in (base.DATE_FORMAT, base.MONTH_FORMAT):
                    problems.append(f"{field}: format {t.get('format')!r}")
            elif field in DATE_FIELDS and t.get("type") in ("nominal", "ordinal"):
                problems.append(f"{field}: shown raw as {t.get('type')}")
    return problems


def swatch_problems(spec: dict) -> list[str]:
    """A stroke-only legend symbol shows no colour unless a line draws that colour (invisible
    hover points may share a line's legend)."""
    stroked, lined = set(), set()
    for node, enc in units(spec):
        colour = enc.get("color", {})
        legend = colour.get("legend")
        key = colour.get("field")
        if isinstance(legend, dict) and legend.get("symbolType") == "stroke":
            stroked.add(key)
        if mark_type(node) in ("line", "rule", "trail") and key:
            lined.add(key)
    return [f"stroke swatches for {k!r}, which no line draws" for k in sorted(stroked - lined)]


# ---------------------------------------------------------------------------- the checkers see defects

def test_checkers_catch_known_defects():
    names = names_to_symbols()
    bad_colour = {"mark": "line", "encoding": {"color": {"field": "name", "scale": {
        "domain": ["Bitcoin", "Nasdaq-100"], "range": ["#0072B2", "#0072B2"]}}}}
    problems, seen = colour_problems(bad_colour, names)
    assert seen == 2 and problems == ["Bitcoin: #0072B2, catalog #E69F00"]
    assert width_problems({"width": 600, "layer": []})
    raw = {"mark": "bar", "encoding": {"tooltip": [{"field": "date", "type": "nominal"}]}}
    weekday = {"mark": "bar", "encoding": {"tooltip": [
        {"field": "date", "type": "temporal", "format": "%a %-d %b %Y"}]}}
    assert tooltip_date_problems(raw) and tooltip_date_problems(weekday)
    stroke_bar = {"layer": [{"mark": "bar", "encoding": {"color": {
        "field": "name", "legend": {"symbolType": "stroke"}}}}]}
    assert swatch_problems(stroke_bar)


def test_every_chart_is_checked():
    assert len(published()) == sum(len(v) for v in VIEWS.values())


# ---------------------------------------------------------------------------- every chart

@pytest.fixture(scope="module")
def specs():
    return published()


def test_every_chart_sizes_to_its_column(specs):
    bad = {name: p for name, spec in specs.items() if (p := width_problems(spec))}
    assert not bad, bad


def test_every_asset_in_its_catalog_colour(specs):
    names = names_to_symbols()
    bad, seen = {}, 0
    for name, spec in specs.items():
        problems, n = colour_problems(spec, names)
        seen += n
        if problems:
            bad[name] = problems
    assert not bad, bad
    assert seen >= 40  # the check ran on the multi-asset charts, not on nothing


def test_catalog_colours_distinct_within_each_chart(specs):
    names = names_to_symbols()
    # Chapter 5's "after" chart draws one group of assets at a time: distinct per group.
    for group, symbols in ch5.GROUPS.items():
        colours = [SERIES[s].colour for s in symbols]
        assert len(set(colours)) == len(colours), group
    for name, spec in specs.items():
        if name == "ch5-after":
            continue
        for _, enc in units(spec):
            scale = enc.get("color", {}).get("scale") or {}
            dom = scale.get("domain")
            if isinstance(dom, list) and sum(d in names for d in dom) > 1:
                rng = [str(c).upper() for c in scale["range"][:len(dom)]]
                assert len(set(rng)) == len(rng), (name, dom, rng)


def test_tooltip_dates_in_one_format(specs):
    bad = {name: p for name, spec in specs.items() if (p := tooltip_date_problems(spec))}
    assert not bad, bad


def test_legend_swatches_suit_their_marks(specs):
    bad = {name: p for name, spec in specs.items() if (p := swatch_problems(spec))}
    assert not bad, bad


def test_vix_level_unsigned_change_signed(specs):
    spec = specs["ch4-vix"]
    calcs = [t["calculate"] for node, _ in units(spec) for t in node.get("transform", [])
             if t.get("as") == "value_txt"] + \
            [t["calculate"] for t in spec.get("transform", []) if t.get("as") == "value_txt"]
    assert calcs and all("'+.2f' : '.2f'" in c for c in calcs)
    for _, enc in units(spec):
        assert not any(t.get("field") == "value" and str(t.get("format", "")).startswith("+")
                       for t in tooltips(enc))


def test_yield_moves_in_basis_points(specs):
    spec = specs["ch2-yield-moves"]
    text = str(spec)
    assert "(%)" not in text.replace("'2-year Treasury yield (%)'", "")
    assert "bp" in str(spec["layer"][0]["encoding"]["y"]["title"])


def test_colour_of_unknown_symbol_is_one_clear_line():
    with pytest.raises(ValueError, match="not in riskoff.catalog.SERIES"):
        base.colour_of("NOPE")
