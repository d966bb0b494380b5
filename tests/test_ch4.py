"""Chapter 4's views, chart builders and kernel explorers (riskoff/ch4.py,
riskoff/charts/drivers.py), and the notebook's section links.

Views are run with ``publish`` replaced by a recorder, so nothing is displayed or written.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import altair as alt
import nbformat
import pandas as pd
import pytest

from conftest import published_record

from riskoff import ch4
from riskoff.charts import base

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "chapters" / "04-nine-drivers.ipynb"
VIEWS = ["gap_fade", "credit_drawdowns", "credit_vs_treasuries", "yield_moves", "crypto_xcorr",
         "crypto_thresholds", "trend_model", "vix_fear", "asian_tech", "illiquidity",
         "etf_volume"]
EXPLORERS = ["explore_gap_fade", "explore_credit_drawdowns", "explore_credit_vs_treasuries",
             "explore_yield_moves", "explore_crypto_xcorr", "explore_crypto_thresholds",
             "explore_trend_model", "explore_vix", "explore_asian_tech", "explore_illiquidity",
             "explore_etf_volume"]


@pytest.fixture(scope="module")
def published():
    got = {}

    def record(chart, frame, name, caption, alt_text=None, **words):
        got[name] = published_record(chart, frame, caption, alt_text, **words)

    orig = ch4.publish
    ch4.publish = record
    try:
        for view in VIEWS:
            getattr(ch4, view)()
    finally:
        ch4.publish = orig
    return got


def _spec(chart) -> dict:
    return chart.to_dict()


def _params(spec: dict) -> list[dict]:
    return spec.get("params", [])


def test_every_view_publishes_once_with_a_unique_prefixed_name(published):
    assert len(published) == len(VIEWS)
    assert all(name.startswith("ch4-") for name in published)


@pytest.mark.parametrize("view", range(len(VIEWS)))
def test_view_chart_is_small_static_and_described(published, view):
    name = sorted(published)[view]
    item = published[name]
    spec = _spec(item["chart"])
    rows = sum(len(v) for v in spec.get("datasets", {}).values())
    assert 0 < rows < 5000, f"{name}: {rows} embedded rows"
    # Static charts carry reader controls bound to HTML inputs.
    params = _params(spec)
    assert params and all("bind" in p for p in params), name
    # The text alternative states a finding with numbers; the caption has sources and date.
    assert re.search(r"\d", item["alt_text"]), name
    md = item["caption"].markdown(name)
    assert "**Source:**" in md and "Data as of" in md and f"{name}.csv" in md
    # Colour scales draw from the Okabe-Ito palette; no red/green pair anywhere.
    text = json.dumps(spec)
    for scale in re.findall(r'"range": \[([^\]]*)\]', text):
        for colour in re.findall(r'"(#[0-9A-Fa-f]{6})"', scale):
            assert colour in base.PALETTE + ["#000000"], f"{name}: colour {colour}"
    assert not re.search(r'"(red|green|#ff0000|#00ff00)"', text, flags=re.I), name
    assert '"tooltip"' in text, f"{name}: no tooltips"


def test_alt_texts_state_the_findings(published):
    assert "3 opened 1% or more higher" in published["ch4-gap-and-fade"]["alt_text"]
    assert "17 Nov 2025" in published["ch4-btc-ndx-thresholds"]["alt_text"]
    assert "18 Nov 2025" in published["ch4-btc-ndx-thresholds"]["alt_text"]
    assert "net short from 17 Nov 2025" in published["ch4-trend-model"]["alt_text"]


def test_frames_hold_only_what_is_drawn(published):
    gap = published["ch4-gap-and-fade"]["frame"]
    assert list(gap.columns) == ["date", "symbol", "gap", "open_to_close", "day"]
    assert gap["date"].str.match(r"^\d{4}-\d{2}-\d{2}$").all()
    assert set(gap["symbol"]) == {"NVDA", "QQQ", "SPY"}
    xc = published["ch4-btc-ndx-xcorr"]["frame"]
    assert xc["lag"].abs().max() == max(ch4.MAX_LAGS)
    assert set(xc["window"]) == {w[0] for w in ch4.XCORR_WINDOWS}
    asia = published["ch4-asian-tech"]["frame"]
    # Each market's own sessions: Tokyo had no session on 24 Nov (a holiday).
    assert not ((asia.symbol == "9984.T") & (asia.date == "2025-11-24")).any()
    assert ((asia.symbol == "000660.KS") & (asia.date == "2025-11-24")).any()


def test_static_thresholds_match_pandas(published):
    # The browser's first-crossing logic mirrors riskoff.drivers; here the inputs it needs.
    frame = published["ch4-btc-ndx-thresholds"]["frame"]
    ndx = frame[frame.symbol == "NDX"]
    assert ndx["date"].min() <= "2025-05-01"  # enough history for the 100-session average


def _controls(box):
    """The explorer's controls, in the order they were given."""
    first, *rest = box.children
    return list(first.children) + [c for c in rest[:-1]]


@pytest.mark.parametrize("name", EXPLORERS)
def test_explorer_renders_a_kernel_chart(name):
    box = getattr(ch4, name)()
    out = box.render()
    assert isinstance(out, alt.TopLevelMixin), f"{name}: {out}"
    spec = out.to_dict()
    assert not _params(spec), f"{name}: a kernel chart must not carry browser controls"


def test_explorers_explain_bad_input():
    import datetime as dt

    box = ch4.explore_gap_fade()
    _controls(box)[1].value = float("nan")
    assert "percent" in box.render()

    box = ch4.explore_credit_drawdowns()
    _controls(box)[1].value = ()
    assert box.render() == "Pick at least one asset."

    box = ch4.explore_credit_vs_treasuries()
    _controls(box)[2].value = dt.date(2025, 11, 22)  # a Saturday
    assert "No window ends" in box.render()

    box = ch4.explore_yield_moves()
    _controls(box)[2].value = dt.date(2025, 11, 11)  # Veterans Day: no FRED value
    assert "no published value" in box.render()

    box = ch4.explore_crypto_xcorr()
    _controls(box)[1].value = dt.date(2024, 1, 1)
    assert "after the start" in box.render()

    box = ch4.explore_crypto_thresholds()
    _controls(box)[0].value = -5
    assert "positive" in box.render()

    box = ch4.explore_trend_model()
    _controls(box)[0].value = "twenty"
    assert "lookbacks" in box.render()

    box = ch4.explore_vix()
    _controls(box)[2].value = dt.date(2025, 11, 27)  # Thanksgiving
    assert "not a US session" in box.render()

    box = ch4.explore_asian_tech()
    _controls(box)[3].value = ()
    assert box.render() == "Pick at least one asset."

    box = ch4.explore_illiquidity()
    _controls(box)[4].value = ()
    assert box.render() == "Pick at least one series."


def test_explorer_recomputes_with_pandas():
    box = ch4.explore_gap_fade()
    ctl = _controls(box)
    ctl[0].value = "SPY"
    ctl[1].value = 1.0
    frame = pd.DataFrame(box.render().to_dict()["datasets"].popitem()[1])
    assert frame["hit"].sum() == 2  # 8 Apr and 20 Nov 2025
    assert set(frame["threshold"]) == {0.01}


@pytest.mark.parametrize("key", list(ch4.EVIDENCE))
def test_evidence_tables(key):
    table = ch4.evidence(key)
    assert len(table) >= 2
    assert not table["Value"].str.contains("nan").any()


def test_evidence_rejects_unknown_driver():
    with pytest.raises(ValueError, match="unknown driver"):
        ch4.evidence("astrology")


def test_notebook_sections_and_links():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    md = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    labels = set(re.findall(r"^\((driver-[\w-]+)\)=$", md, flags=re.M))
    # The opening verdict table links each driver to its section.
    from riskoff import findings
    links = set(re.findall(r'href="#(driver-[\w-]+)"', findings.driver_table().data))
    assert {f"driver-{i}" for i in range(1, 10)} <= labels
    assert links <= labels and {f"driver-{i}" for i in range(1, 10)} <= links
    assert md.count("**Verdict:") == 9
    assert "$" not in md  # no dollar signs: MyST has no math here, and money is in words
    for cell in nb.cells:
        if cell.cell_type == "code" and "explore_" in cell.source:
            # Explorers live only in a kernel: off the static page, still run by nbval.
            assert {"remove-cell", "nbval-ignore-output"} <= set(cell.metadata.get("tags", []))
