"""A figure's words (riskoff.charts.words): one definition for Python and the browser.

For every figure that has words, every control state's title and takeaway as Vega computes
them (the book's vendored Vega, run by node on the compiled spec) equal what Python renders
from the same table — with the default ticks, every series ticked, none, and each alone.
"""
from __future__ import annotations

import itertools
import json
import shutil
import subprocess
from pathlib import Path

import altair as alt
import pytest
import vl_convert as vlc

from conftest import capture_published

from riskoff import ch1, ch2, ch3, ch4, ch5, sitejs
from riskoff.charts import words

CHECK = Path(__file__).parent / "js" / "words_check.js"

# (chapter module, its views that publish figures with words). Extend as figures gain words.
FIGURES = [
    (ch1, (ch1.who_fell, ch1.rebased, ch1.drawdowns)),
    (ch2, (ch2.timeline, ch2.calculator, ch2.yield_moves, ch2.cuts_priced)),
    (ch5, (ch5.after_chart, ch5.analog_chart, ch5.volatility_chart, ch5.trend_chart)),
    (ch3, (ch3.reversal, ch3.reactions, ch3.who_fell, ch3.deals)),
    (ch4, (ch4.gap_fade, ch4.credit_drawdowns, ch4.credit_vs_treasuries, ch4.yield_moves,
           ch4.crypto_xcorr, ch4.crypto_thresholds, ch4.trend_model, ch4.vix_fear,
           ch4.asian_tech, ch4.illiquidity, ch4.etf_volume)),
]


@pytest.fixture(scope="module")
def published():
    out = {}
    for module, views in FIGURES:
        out.update({k: v for k, v in capture_published(module, *views).items() if v["words"]})
    return out


def _vega(chart) -> dict:
    # As the site build compiles it (riskoff.sitejs), without its disk cache.
    spec = chart.to_dict()
    match = sitejs._SCHEMA_VERSION.search(spec.get("$schema", ""))
    return vlc.vegalite_to_vega(spec, vl_version=match.group(1) if match else None)


def _states(w: words.Words):
    """(key, ticks, signals) to check: every table entry with the default ticks, and a few
    tick patterns on the default entry."""
    ticks_list = [w.default_ticks]
    if w.toggles:
        names = [n for _, n in w.toggles]
        ticks_list += [dict.fromkeys(names, True), dict.fromkeys(names, False)]
        ticks_list += [{n: n == only for n in names} for only in names]
    for key in w.table:
        values = dict(zip(w.params, _parse(key, w)))
        yield key, w.default_ticks, {**values, **w.default_ticks}
    default = dict(zip(w.params, _parse(w.default_key, w)))
    for ticks in ticks_list[1:]:
        yield w.default_key, ticks, {**default, **ticks}


def _parse(key: str, w: words.Words) -> list:
    return [w.values[p][k] for p, k in zip(w.params, key.split("|"))] if w.params else []


@pytest.mark.skipif(not shutil.which("node"), reason="node is not installed")
def test_vega_says_what_python_says(published):
    assert published, "no figure has words"
    for name, v in published.items():
        w = v["words"]
        cases = list(_states(w))
        proc = subprocess.run(["node", str(CHECK)], input=json.dumps(
            {"spec": _vega(v["chart"]), "states": [c[2] for c in cases]}),
            capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr[-2000:]
        said = json.loads(proc.stdout)
        for (key, ticks, _), got in zip(cases, said):
            assert got["title"] == w.title(key, ticks), (name, key, ticks)
            assert got["takeaway"] == w.takeaway(key, ticks), (name, key, ticks)


def test_each_control_state_has_its_own_title(published):
    for name, v in published.items():
        w = v["words"]
        titles = [w.title(k) for k in w.table]
        assert len(set(titles)) == len(titles), f"{name}: two states share a title"
        if w.toggles:
            names = [n for _, n in w.toggles]
            assert w.title(ticks=dict.fromkeys(names, True)) != \
                w.title(ticks=dict.fromkeys(names, False)), name


def test_default_takeaway_is_the_caption_and_the_name_says_what_the_chart_is(published):
    for name, v in published.items():
        assert v["alt_text"] == v["words"].takeaway()
        assert v["label"] != v["alt_text"], name   # the accessible name is not a finding
        assert v["chart"].to_dict()["description"] == v["label"]


# ---------------------------------------------------------------------------- the mechanism

def _toy(describe, toggles=None):
    df = alt.Data(values=[{"a": 1}])
    chart = alt.Chart(df).mark_point().add_params(
        alt.param(name="m", value="x", bind=alt.binding_radio(options=["x", "y"])),
        alt.param(name="n", value=2, bind=alt.binding_range(min=1, max=3, step=1)),
        alt.param(name="s0", value=True, bind=alt.binding_checkbox()),
        alt.param(name="s1", value=False, bind=alt.binding_checkbox()))
    return words.attach(chart, describe, toggles=toggles)


def test_every_state_is_enumerated_and_picks_the_first_ticked():
    chart, w = _toy(lambda s: words.Said(f"{s['m']} {s['n']}", [
        "best ", words.Pick([("B", "b"), ("A", "a")], "none")]),
        toggles={"A": "s0", "B": "s1"})
    assert sorted(w.table) == sorted(f"{m}|{n}" for m, n in itertools.product("xy", (1, 2, 3)))
    assert w.default_key == "x|2"
    assert w.takeaway() == "best a"                      # B is not ticked
    assert w.takeaway(ticks={"s0": True, "s1": True}) == "best b"
    assert w.takeaway(ticks={}) == "best none"
    assert w.title() == "x 2\n1 of 2 series shown"


def test_key_text_matches_vega_to_string():
    assert [words.key_text(v) for v in (True, False, 3, 3.0, 2.5, "2025-11-20")] == \
        ["true", "false", "3", "3", "2.5", "2025-11-20"]


def test_a_takeaway_of_changing_shape_is_refused():
    with pytest.raises(ValueError, match="same parts"):
        _toy(lambda s: words.Said("t", ["a"] if s["m"] == "x" else [words.Pick([], "n")]))


def test_too_many_states_are_refused(monkeypatch):
    monkeypatch.setattr(words, "MAX_STATES", 3)
    with pytest.raises(ValueError, match="control states exceed"):
        _toy(lambda s: words.Said("t", "a"))


def test_the_spec_carries_the_table_and_each_spec_its_own_copy():
    # The table goes into the spec by reference (Altair would deep-copy it on every step);
    # each spec must still get the table's plain JSON, and its own copy to change.
    chart, w = _toy(lambda s: words.Said(f"{s['m']} {s['n']}", ["a ", words.Pick(
        [("A", "x"), ("B", "y")], "none")]), toggles={"A": "s0", "B": "s1"})
    chart = chart.properties(description="d").copy()

    def table(spec):
        return next(p["value"] for p in spec["params"] if p["name"] == "riskoff_words")

    first = table(chart.to_dict())
    assert first == json.loads(json.dumps({"t": w.table, "d": w.default_key}))
    first["t"].clear()
    assert table(chart.to_dict())["t"] == json.loads(json.dumps(w.table))


def test_bound_controls_are_read_from_the_charts_layers_and_panels():
    base = alt.Chart(alt.Data(values=[{"x": 1}])).mark_point().encode(x="x:Q")
    m = alt.param(name="m", value="x", bind=alt.binding_select(options=["x", "y"]))
    n = alt.param(name="n", value=2, bind=alt.binding_range(min=1, max=3, step=1))
    sel = alt.selection_point(name="pick")
    chart = alt.hconcat(alt.layer(base.add_params(m), base.add_params(sel)),
                        base.add_params(n)).add_params(
        alt.param(name="k", value=True, bind=alt.binding_checkbox()))
    spec = chart.to_dict()

    def walk(s):  # what the spec itself says, in the spec's order
        own = [p for p in s.get("params", []) if "bind" in p]
        return own + [p for a in ("layer", "hconcat", "vconcat", "concat")
                      for sub in s.get(a, []) for p in walk(sub)]
    expected, seen = [], set()
    for p in walk(spec):
        if p["name"] not in seen:
            seen.add(p["name"])
            expected.append(p)
    assert sorted(p["name"] for p in expected) == ["k", "m", "n"]
    assert words._bound_params(chart) == expected
