"""Chapter 4's views, chart builders and kernel explorers (riskoff/ch4.py,
riskoff/charts/drivers.py), and the notebook's section links.

Views are run with ``publish`` replaced by a recorder, so nothing is displayed or written.
"""
from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import altair as alt
import nbformat
import pandas as pd
import pytest

from conftest import published_record

import numpy as np

from riskoff.i18n import minus_signs
from riskoff import ch4, metrics
from riskoff import data as rdata
from riskoff import drivers as dr
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
    # Besides the controls: the words table and the signals reading it (riskoff.charts.words).
    assert params and all("bind" in p or p["name"].startswith("riskoff_") for p in params), name
    assert any("bind" in p for p in params), name
    # The takeaway states a finding with numbers; the caption has sources and date.
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


def _state(w, key: str) -> dict:
    return dict(zip(w.params, (w.values[p][k] for p, k in zip(w.params, key.split("|")))))


def _ticks(w, *symbols) -> dict:
    return {name: sym in symbols for sym, name in w.toggles}


def test_default_takeaways_state_the_default_view(published):
    # The gap chart opens on Nvidia (the first asset): its sentence is about Nvidia, not QQQ.
    gap = published["ch4-gap-and-fade"]
    spec = {p["name"]: p for p in _spec(gap["chart"])["params"]}
    assert spec["asset"]["value"] == "NVDA" and spec["mingap"]["value"] == 0.01
    nvda = dr.gaps(rdata.series("NVDA"))
    ev = nvda.loc[ch4.EVENT]
    hits = dr.count_gap_and_fade(rdata.series("NVDA"), 0.01)
    assert gap["alt_text"] == minus_signs(
        f"On 20 Nov 2025 Nvidia opened {ev.gap:+.1%} against its previous close and closed "
        f"{ev.day:+.1%}; of its {len(nvda)} sessions in the cache, {hits} opened 1% or more "
        f"above the previous close and still closed below it.")
    assert gap["words"].title().startswith("Nvidia:")
    cross = published["ch4-btc-ndx-thresholds"]["alt_text"]
    assert "average on 17 Nov 2025" in cross and "90,000 USD on 18 Nov 2025" in cross
    trend = published["ch4-trend-model"]["alt_text"]
    assert trend.count("net short from 17 Nov 2025") == 2
    # The ticked series only: S&P 500 is not ticked in the credit drawdowns.
    dd = metrics.drawdown(rdata.closes(["GSPC", "OWL", "HYG"]), "2024-12-31").loc[:ch4.EVENT]
    dd = dd.iloc[-1]
    assert published["ch4-credit-drawdowns"]["alt_text"] == minus_signs(
        f"On 20 Nov 2025, measured from 31 Dec 2024, the deepest fall below its running peak "
        f"close was Blue Owl Capital's {dd['OWL']:.1%} and the shallowest HYG's "
        f"{dd['HYG']:.1%}.")


def test_gap_words_count_each_state_as_pandas_does(published):
    w = published["ch4-gap-and-fade"]["words"]
    assert len(w.table) == len(ch4.US_TRIO) * len(ch4.GAP_THRESHOLDS)
    for key in w.table:
        st = _state(w, key)
        df = rdata.series(st["asset"])
        hits = dr.count_gap_and_fade(df, st["mingap"])
        text = w.takeaway(key)
        assert f"of its {len(dr.gaps(df))} sessions in the cache, {hits} opened" in text, key
        assert ch4._name(st["asset"]) in w.title(key)


def test_credit_drawdown_words_follow_start_and_ticks(published):
    w = published["ch4-credit-drawdowns"]["words"]
    closes = rdata.closes(["GSPC", "OWL", "HYG"])
    for key in w.table:
        start = _state(w, key)["start"]
        dd = metrics.drawdown(closes, start).loc[:ch4.EVENT].iloc[-1]
        every = w.takeaway(key, _ticks(w, "GSPC", "OWL", "HYG"))
        worst, best = dd.idxmin(), dd.idxmax()
        assert minus_signs(f"was {ch4._name(worst)}'s {dd[worst]:.1%} and the shallowest "
                           f"{ch4._name(best)}'s {dd[best]:.1%}.") in every, key
        alone = w.takeaway(key, _ticks(w, "GSPC"))
        assert alone.count(minus_signs(f"S&P 500's {dd['GSPC']:.1%}")) == 2, key
    assert w.takeaway(ticks=_ticks(w)).endswith("close was none: no series is ticked.")
    assert w.title(ticks=_ticks(w, "GSPC", "OWL", "HYG")).endswith("3 of 3 series shown")


def test_credit_scatter_words_per_window_length(published):
    w = published["ch4-hyg-vs-10y"]["words"]
    hyg, y = rdata.series("HYG")["close"], rdata.series("DGS10")["close"]
    for key in w.table:
        h = _state(w, key)["horizon"]
        ch = dr.window_changes(hyg, y, h)
        ev = ch[ch["end"] == pd.Timestamp(ch4.EVENT)].iloc[0]
        slope, icpt = np.polyfit(ch["dy_bp"], ch["ret"], 1)
        res = ch["ret"] - (icpt + slope * ch["dy_bp"])
        r_ev = res[ch["end"] == pd.Timestamp(ch4.EVENT)].iloc[0]
        assert w.takeaway(key).endswith(minus_signs(
            f"HYG returned {ev.ret:+.2%} while the 10-year yield moved {ev.dy_bp:+.0f} bp: "
            f"{r_ev:+.2%} against the fitted line, lower than {(res > r_ev).mean():.0%} of the "
            f"{len(ch)} windows.")), key


def test_yield_words_match_move_stats(published):
    w = published["ch4-yield-moves"]["words"]
    assert len(w.table) == 2 * len(ch4.YIELD_LOOKBACKS)
    for key in w.table:
        st = _state(w, key)
        ch = dr.yield_changes(rdata.series(st["tenor"]))
        m = dr.move_stats(ch, ch4.EVENT, None if st["lookback"] == 9999 else st["lookback"])
        assert (minus_signs(f"moved {m['value']:+.0f} bp, z = {m['z']:+.2f} against the "
                            f"previous {m['n']} daily changes ({m['pct_at_or_below']:.0%} of "
                            f"them at or below it)") in w.takeaway(key)), key
        assert ("ordinary day" in w.takeaway(key)) == (abs(m["z"]) < 2)


def test_xcorr_words_match_cross_correlation(published):
    w = published["ch4-btc-ndx-xcorr"]["words"]
    rets = dr.aligned_returns(rdata.series("NDX"), rdata.series("BTC-USD"))
    for key, a, b, label in ch4.XCORR_WINDOWS:
        for m in ch4.MAX_LAGS:
            cc = dr.cross_correlation(rets, m, a, b).set_index("lag")
            lead = cc.loc[1:m, "corr"]
            top = lead.abs().idxmax()
            text = w.takeaway(f"{key}|{m}")
            assert minus_signs(f"correlated {cc.loc[0, 'corr']:+.2f} with Bitcoin's over the "
                               f"same span") in text
            assert minus_signs(f"was {lead[top]:+.2f} (lag {top}, noise band "
                               f"±{2 / np.sqrt(cc.loc[top, 'n']):.2f})") in text, (key, m)
            assert label in w.title(f"{key}|{m}").replace("\n", " ")


def test_crossing_words_match_pandas_first_breaks(published):
    w = published["ch4-btc-ndx-thresholds"]["words"]
    btc, ndx = rdata.series("BTC-USD"), rdata.series("NDX")
    end = pd.Timestamp(ch4.CROSS_SHOW[1])
    assert len(w.table) == 4 * 2 * 3 * 3
    for key in w.table:
        st = _state(w, key)
        text = w.takeaway(key)
        b = dr.first_below(btc[st["btcfield"]], st["btcthr"], st["since"])
        n = dr.first_close_below_ma(ndx, st["mawin"], st["since"])
        for day, words in ((n, f"{st['mawin']}-session average on "),
                           (b, f"{st['btcthr']:,.0f} USD on ")):
            # The chart draws to 15 Dec 2025: a later first break is "no day to" then.
            want = base.date_label(day) if day is not None and day <= end else "no day to"
            assert words + want in text, key


def test_trend_words_follow_the_ticked_lookbacks(published):
    w = published["ch4-trend-model"]["words"]
    assert len(w.table) == 2 * 2 ** len(ch4.LOOKBACKS)
    for key in w.table:
        st = _state(w, key)
        looks = [L for L in ch4.LOOKBACKS if st[f"lb{L}"]]
        text = w.takeaway(key)
        if not looks:
            assert "No lookback is ticked" in text
            continue
        for s in ("GSPC", "NDX"):
            pos = dr.trend_position(rdata.series(s)["close"].loc[:"2025-12-31"], looks,
                                    st["signal"])
            assert minus_signs(f"{base.label_of(s)} from {pos.loc['2025-10-29']:+.2f} on 29 Oct "
                               f"to {pos.loc[ch4.EVENT]:+.2f} on 20 Nov") in text, key


def test_vix_words_rank_as_the_chart_does(published):
    w = published["ch4-vix"]["words"]
    vix = rdata.series("VIX")
    us = rdata.series("GSPC").index
    v = vix[vix.index.isin(us)].loc[:"2025-12-31"]
    change = v["close"].diff().iloc[1:]
    ev = change.loc[ch4.EVENT]
    since = change.loc["2025-01-02":]
    assert published["ch4-vix"]["alt_text"].startswith(
        f"On 20 Nov 2025 the VIX close was {v.loc[ch4.EVENT, 'close']:.2f} points")
    text = w.takeaway("change|2025-01-02")
    assert f"was {ev:+.2f} points, rank {int((since > ev).sum()) + 1} of the {len(since)} " \
           f"sessions from 2 Jan 2025" in text


def test_asia_words_pick_the_ticked_extremes(published):
    w = published["ch4-asian-tech"]["words"]
    day20 = {s: metrics.day_change(rdata.series(s), ch4.EVENT) for s in ch4.ASIA}
    day21 = {s: metrics.day_change(rdata.series(s), ch4.NEXT) for s in ch4.ASIA}
    text = w.takeaway("day")
    top, low = max(day20, key=day20.get), min(day21, key=day21.get)
    assert minus_signs(f"was {ch4._name(top)}'s {day20[top]:+.1%};") in text
    assert minus_signs(f"the lowest was {ch4._name(low)}'s {day21[low]:+.1%}.") in text
    two = w.takeaway("day", _ticks(w, "000660.KS", "9984.T"))
    top = max(("000660.KS", "9984.T"), key=day20.get)
    assert minus_signs(f"was {ch4._name(top)}'s {day20[top]:+.1%};") in two
    assert w.title("gap").startswith("Open vs previous close")


def test_relative_words_match_drivers_ratios(published):
    w = published["ch4-illiquidity"]["words"]
    for key in w.table:
        st = _state(w, key)
        win = st["liqw"]
        for s in ("SPY", "QQQ"):
            df = rdata.series(s).loc[:"2025-12-31"]
            v = dr.amihud(df) if st["liqm"] == "amihud" else dr.hl_range(df)
            r = dr.relative_to_trailing(v.iloc[1:], win).loc[ch4.EVENT]
            assert f"{s}'s {r:.1f} times" in w.takeaway(key, _ticks(w, s)), (key, s)
    v = published["ch4-etf-volume"]["words"]
    for s in ch4.VOL_SYMBOLS:
        r = dr.volume_ratio(rdata.series(s), ch4.EVENT, 21)
        assert f"{ch4._name(s)}'s {r:.1f} times" in v.takeaway("21", _ticks(v, s)), s
    assert v.title().endswith("3 of 4 series shown")


MARKS = Path(__file__).parent / "js" / "mark_texts.js"


def _drawn(item, w) -> list[tuple[str, str, list[str]]]:
    """(key, takeaway, the texts Vega draws) for every state of a chart's words table."""
    import shutil
    import subprocess

    from test_words import _vega

    if not shutil.which("node"):
        pytest.skip("node is not installed")
    keys = list(w.table)
    proc = subprocess.run(["node", str(MARKS)], input=json.dumps(
        {"spec": _vega(item["chart"]), "states": [_state(w, k) for k in keys]}),
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    drawn = json.loads(proc.stdout)  # d3's minus sign, as in the sentences
    return [(k, w.takeaway(k), d) for k, d in zip(keys, drawn)]


def _find(pattern: str, texts) -> re.Match:
    hits = [m for m in (re.search(pattern, t) for t in texts) if m]
    assert len(hits) == 1, (pattern, texts)
    return hits[0]


def _states(published, name):
    """(key, Python's sentence, the chart's drawn texts) for every state of one figure."""
    item = published[name]
    return _drawn(item, item["words"])


def test_takeaways_agree_with_what_vega_draws(published):
    """Each state's sentence (computed in Python) against the numbers the browser computes
    and writes into the same chart: counts, z-scores, ranks and first-break dates."""
    for key, said, drawn in _states(published, "ch4-gap-and-fade"):
        m = _find(r"^(\d+) of (\d+) sessions opened", drawn)
        assert f"of its {m[2]} sessions in the cache, {m[1]} opened" in said, key
    for key, said, drawn in _states(published, "ch4-yield-moves"):
        m = _find(r"z = ([\u2212+][\d.]+)\nvs the previous (\d+) changes;\n(\d+%)", drawn)
        assert f"z = {m[1]} against the previous {m[2]} daily changes ({m[3]} of them" \
            in said, key
    for key, said, drawn in _states(published, "ch4-vix"):
        m = _find(r"rank (\d+) of (\d+) days shown", drawn)
        assert f"rank {m[1]} of the {m[2]} sessions from" in said, key
    for key, said, drawn in _states(published, "ch4-hyg-vs-10y"):
        n = _find(r"^(\d+) windows", drawn)[1]
        assert f"of the {n} windows" in said, key
    for key, said, drawn in _states(published, "ch4-btc-ndx-thresholds"):
        for tag, words in (("NDX", "average on "), ("BTC", "USD on ")):
            got = [t for t in drawn if t.startswith(tag + " ")]
            if got:
                assert len(got) == 1 and f"{words}{got[0][4:]} 2025" in said, (key, got)
            else:
                assert f"{words}no day to" in said, key
    for key, said, drawn in _states(published, "ch4-trend-model"):
        for day in re.findall(r"net short from (\d+ \w+) 2025", said):
            assert any(t.startswith(day) for t in drawn), (key, day, drawn)


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
    box.controls[1].value = float("nan")
    assert "percent" in box.render()

    box = ch4.explore_credit_drawdowns()
    box.controls[1].value = ()
    assert box.render() == "Pick at least one asset."

    box = ch4.explore_credit_vs_treasuries()
    box.controls[2].value = dt.date(2025, 11, 22)  # a Saturday
    assert "No window ends" in box.render()

    box = ch4.explore_yield_moves()
    box.controls[2].value = dt.date(2025, 11, 11)  # Veterans Day: no FRED value
    assert "no published value" in box.render()

    box = ch4.explore_crypto_xcorr()
    box.controls[1].value = dt.date(2024, 1, 1)
    assert "after the start" in box.render()

    box = ch4.explore_crypto_thresholds()
    box.controls[0].value = -5
    assert "positive" in box.render()

    box = ch4.explore_trend_model()
    box.controls[0].value = "twenty"
    assert "lookbacks" in box.render()

    box = ch4.explore_vix()
    box.controls[2].value = dt.date(2025, 11, 27)  # Thanksgiving
    assert "not a US session" in box.render()

    box = ch4.explore_asian_tech()
    box.controls[3].value = ()
    assert box.render() == "Pick at least one asset."

    box = ch4.explore_illiquidity()
    box.controls[4].value = ()
    assert box.render() == "Pick at least one series."


def test_explorer_recomputes_with_pandas():
    box = ch4.explore_gap_fade()
    ctl = box.controls
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
    # HTML anchors, not MyST targets: JupyterLab would show `(driver-3)=` as text.
    labels = set(re.findall(r'^<div id="(driver-[\w-]+)"></div>$', md, flags=re.M))
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


def test_asia_frame_by_arrays_is_the_pandas_frame():
    """The explorer's frame (NumPy on each series' arrays) equals the pandas steps', for every
    measure, for windows across the year's start, a weekend, one day and the whole cache."""
    from riskoff.charts import drivers as dch

    symbols = list(ch4.EXCHANGE)
    windows = [ch4.ASIA_SESSIONS, ("2024-12-20", "2025-01-10"), ("2025-11-20", "2025-11-20"),
               ("2025-11-21", "2025-11-24"), ("2024-01-01", "2026-12-31")]
    checked = 0
    for (start, end), measures in itertools.product(
            windows, [tuple(dch.ASIA_MEASURES), *((m,) for m in dch.ASIA_MEASURES)]):
        for chosen in (ch4.ASIA, symbols):
            fast = ch4._asia_frame_arrays(chosen, start, end, measures)
            pd.testing.assert_frame_equal(
                fast, ch4._asia_frame_by_pandas(chosen, start, end, measures), check_exact=True)
            checked += 1
    assert checked == 50
