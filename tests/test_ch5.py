"""Unit tests of chapter 5: realized volatility (riskoff/volatility.py) against values worked
out by hand from cached CSV rows, the views and explorers of riskoff/ch5.py, the chart
builders of riskoff/charts/outlook.py, the scored calls and the chapter's claims."""
from __future__ import annotations

import csv
import functools
import math
import statistics
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd
import pytest

from conftest import capture_published

from riskoff.i18n import minus_signs
from riskoff import analogs, ch5, claims, volatility
from riskoff.charts import outlook

REPO = Path(__file__).resolve().parent.parent


@functools.lru_cache(maxsize=None)
def rows(sym: str) -> tuple[tuple[str, float], ...]:
    """(date, close) of the cached daily CSV, read by hand; empty closes skipped."""
    with open(REPO / "data" / "daily" / f"{sym}.csv", newline="") as fh:
        return tuple((r["date"], float(r["close"])) for r in csv.DictReader(fh) if r["close"])


def hand_vol(sym: str, date: str, window: int, periods: int) -> float:
    closes = [c for d, c in rows(sym) if d <= date][-(window + 1):]
    rets = [math.log(b / a) for a, b in zip(closes, closes[1:])]
    return statistics.stdev(rets) * math.sqrt(periods)


# ---------------------------------------------------------------------------- volatility

def test_annualization_by_asset_class():
    assert volatility.periods_per_year("BTC-USD") == 365
    assert volatility.periods_per_year("ETH-USD") == 365
    assert volatility.periods_per_year("NDX") == 252
    assert volatility.periods_per_year("GC=F") == 252


@pytest.mark.parametrize("sym,periods", [("NDX", 252), ("BTC-USD", 365), ("GC=F", 252)])
def test_realized_vol_on_21_nov_by_hand(sym, periods):
    got = volatility.vol_series(sym, 21).loc["2025-11-21"]
    assert got == pytest.approx(hand_vol(sym, "2025-11-21", 21, periods), rel=1e-12)


def test_realized_vol_tiny_series():
    c = pd.Series([100.0, 110.0, 99.0, 108.9],
                  index=pd.date_range("2025-01-01", periods=4, freq="D"))
    r = [math.log(1.1), math.log(0.9), math.log(1.1)]
    v = volatility.realized(c, 3, 252)
    assert len(v) == 1
    assert v.iloc[0] == pytest.approx(statistics.stdev(r) * math.sqrt(252))
    with pytest.raises(ValueError, match="at least 2"):
        volatility.realized(c, 1, 252)
    with pytest.raises(ValueError, match="positive"):
        volatility.log_returns(pd.Series([1.0, 0.0]))


def test_missing_closes_are_skipped_not_filled():
    c = pd.Series([100.0, np.nan, 121.0], index=pd.date_range("2025-01-01", periods=3))
    r = volatility.log_returns(c)
    assert len(r) == 1 and r.iloc[0] == pytest.approx(math.log(1.21))


def test_vix_enters_as_level_over_100():
    v = volatility.vol_series("VIX", 21)
    assert v.loc["2025-11-20"] == pytest.approx(dict(rows("VIX"))["2025-11-20"] / 100)


def test_runs_and_regime_on_a_hand_series():
    idx = pd.date_range("2025-11-17", periods=10, freq="D")
    vol = pd.Series([1, 3, 1, 3, 3, 1, 3, 3, 3, 1.0], index=idx)
    r = volatility.runs(vol > 2)
    assert r["length"].tolist() == [1, 2, 3]
    assert r["start"].tolist() == [idx[1], idx[3], idx[6]]
    g = volatility.regime(vol, 2, event="2025-11-21")  # idx[4] is 21 Nov
    assert g["observations"] == 6
    assert g["share_after"] == pytest.approx(4 / 6)
    assert (g["first_start"], g["first_end"], g["first_length"]) == (idx[4], idx[4], 1)
    assert (g["longest_start"], g["longest_length"]) == (idx[6], 3)
    assert g["share_before"] == pytest.approx(2 / 4)
    calm = volatility.regime(vol, 5, event="2025-11-21")
    assert calm["first_length"] == 0 and pd.isna(calm["first_start"])


def test_baseline_stops_before_the_event():
    idx = pd.to_datetime(["2025-01-02", "2025-06-02", "2025-11-20", "2025-11-21"])
    vol = pd.Series([1.0, 2.0, 3.0, 100.0], index=idx)
    assert volatility.baseline(vol) == 2.0
    with pytest.raises(ValueError, match="baseline"):
        volatility.baseline(vol.iloc[3:])


def test_share_above_baseline_by_hand():
    dates = [d for d, _ in rows("NDX")]
    vols = {d: hand_vol("NDX", d, 21, 252) for d in dates[21:] if d <= "2026-02-20"}
    med = statistics.median(v for d, v in vols.items() if "2025-01-01" <= d < "2025-11-21")
    after = [v for d, v in vols.items() if "2025-11-21" <= d <= "2026-02-20"]
    want = 100 * sum(v > med for v in after) / len(after)
    df = pd.DataFrame({"close": ch5.close("NDX")})
    got = volatility.share_above_baseline(df, "21", "2025-11-21", "2026-02-20", "252")
    assert got == pytest.approx(want)


def test_vix_share_above_by_hand():
    vix = dict(rows("VIX"))
    med = statistics.median(v for d, v in vix.items() if "2025-01-01" <= d < "2025-11-21")
    after = [v for d, v in vix.items() if "2025-11-21" <= d <= "2026-02-20"]
    df = pd.DataFrame({"close": ch5.close("VIX")})
    got = volatility.vix_share_above(df, "2025-11-21", "2026-02-20")
    assert got == pytest.approx(100 * sum(v > med for v in after) / len(after))


# ---------------------------------------------------------------------------- partial days

def test_partial_last_rows_are_left_out():
    for sym, day in ch5.PARTIAL_LAST.items():
        assert rows(sym)[-1][0] == day
        assert f"{ch5.last_complete(sym):%Y-%m-%d}" == rows(sym)[-2][0]
    assert f"{ch5.last_complete('GC=F'):%Y-%m-%d}" == rows("GC=F")[-1][0]


# ---------------------------------------------------------------------------- views

@pytest.fixture(scope="module")
def views():
    return capture_published(ch5, ch5.analog_chart, ch5.volatility_chart, ch5.after_chart,
                             ch5.trend_chart)


def test_views_publish_unique_small_csvs(views):
    assert set(views) == {"ch5-analogs", "ch5-volatility", "ch5-after", "ch5-trend"}
    for name, v in views.items():
        d = v["chart"].to_dict()
        controls = [p for p in d["params"] if not p["name"].startswith("riskoff_")]
        assert controls and all("bind" in p for p in controls), name
        for values in d["datasets"].values():
            assert len(values) < 5000, name
        assert v["caption"].as_of is not None
        assert v["alt_text"].endswith("."), name


def test_analog_chart_defaults_and_alt_text(views):
    d = views["ch5-analogs"]["chart"].to_dict()
    p = {q["name"]: q for q in d["params"] if not q["name"].startswith("riskoff_")}
    assert set(p) == {"idx", "fallx", "within", "horizon", "mode"}
    assert (p["idx"]["value"], p["fallx"]["value"], p["within"]["value"],
            p["horizon"]["value"]) == ch5.DEFAULT
    assert p["fallx"]["bind"]["options"] == list(ch5.X_OPTIONS)
    # The default sentence counts what the chart draws: signal months with 6 months after.
    t = analogs.drawdown_table(analogs.monthly("NDX_month_end"))
    sel = analogs.signals(t, 0.075, 6)
    drawn = sel[sel["ret6"].notna()]
    text = views["ch5-analogs"]["alt_text"]
    assert text.startswith(f"Nasdaq-100: the chart shows {len(drawn)} months "
                           f"({drawn['peak_date'].nunique()} episodes)")
    assert f"median 6-month return was {drawn['ret6'].median():+.1%}" in text
    assert f"{(drawn['ret6'] > 0).mean():.0%} rose" in text


def _state(view, **values):
    """(title, takeaway) of one control state of a published figure's words."""
    from riskoff.charts.words import key_text

    w = view["words"]
    key = "|".join(key_text(values[p]) for p in w.params)
    return w.title(key).replace("\n", " "), w.takeaway(key)


def test_analog_words_follow_the_controls(views):
    t = analogs.drawdown_table(analogs.monthly("SP500_shiller"))
    sel = analogs.signals(t, 0.15, 24, first_only=True)
    drawn = sel[sel["ret12"].notna()]
    title, text = _state(views["ch5-analogs"], idx="SP500_shiller", fallx=0.15, within=24,
                         horizon=12, mode="first")
    assert title.startswith("S&P 500: 15%+ below a high of the last 24") and "12-month" in title
    assert "first month per episode" in title
    assert f"shows {len(drawn)} months ({drawn['peak_date'].nunique()} episodes)" in text
    assert f"median 12-month return was {drawn['ret12'].median():+.1%}" in text
    bear = int((drawn["outcome"] == "bear").sum())
    assert f"In {bear} of these episodes" in text


def _hand_last_vs_ref(sym: str) -> float:
    """Last complete close against the 21 Nov 2025 close, from the CSV rows."""
    closes = [c for d, c in rows(sym) if d != ch5.PARTIAL_LAST.get(sym)]
    ref = [c for d, c in rows(sym) if d <= "2025-11-21"][-1]
    return closes[-1] / ref - 1


def test_after_default_sentence_is_the_default_view(views):
    # The chart opens on the headline assets and "change since 21 Nov": the sentence says
    # that, not the "vs prior high" view over all price series.
    group = ch5.GROUPS["The article's headline assets"]
    last = {s: _hand_last_vs_ref(s) for s in group}
    up = sum(v > 0 for v in last.values())
    best, worst = max(last, key=last.get), min(last, key=last.get)
    text = views["ch5-after"]["alt_text"]
    assert text.startswith(f"At each series' last complete date, {up} of {len(group)} stood "
                           "above its 21 Nov 2025 close")
    assert minus_signs(f"highest {outlook.base.label_of(best)} at {last[best]:+.1%}") in text
    assert minus_signs(f"lowest {outlook.base.label_of(worst)} at {last[worst]:+.1%}") in text
    assert views["ch5-after"]["words"].title().replace("\n", " ").startswith(
        "Change since the 21 Nov 2025 close")


def test_after_prior_high_words_by_hand(views):
    group = ch5.GROUPS["Gold, high-yield credit, private credit"]
    never = []
    for s in group:
        before = [c for d, c in rows(s) if d < "2025-11-21"]
        after = [c for d, c in rows(s) if d > "2025-11-21" and d != ch5.PARTIAL_LAST.get(s)]
        if not max(after) > max(before):
            never.append(outlook.base.label_of(s))
    title, text = _state(views["ch5-after"], group="Gold, high-yield credit, private credit",
                         measure="prior")
    assert title.startswith("Against the highest close before 21 Nov 2025")
    assert f", {len(group) - len(never)} closed above" in text
    for name in never:
        assert name in text


def test_volatility_words_by_hand(views):
    # Bitcoin alone, 21-day window, threshold 1.25 x its 2025 median: the first run above it.
    vols = {d: hand_vol("BTC-USD", d, 21, 365) for d, _ in rows("BTC-USD")[21:]
            if d != ch5.PARTIAL_LAST.get("BTC-USD")}
    med = statistics.median(v for d, v in vols.items() if "2025-01-01" <= d < "2025-11-21")
    after = sorted((d, v) for d, v in vols.items() if d >= "2025-11-21")
    above = [d for d, v in after if v > 1.25 * med]
    run = [above[0]]
    dates = [d for d, _ in after]
    for d in dates[dates.index(above[0]) + 1:]:
        if d not in above:
            break
        run.append(d)
    title, text = _state(views["ch5-volatility"], win=21, vscale="ratio", mult=1.25,
                         vshow="BTC-USD")
    assert title == \
        "21-observation volatility ÷ own 2025 median (dashed: 1.25 ×): Bitcoin"
    assert f"Bitcoin {len(run)} days" in text and "VIX" not in text


def test_trend_words_by_hand(views):
    marks = ch5.trend_marks(ch5.trend_fits())
    for key, (_, _, span) in ch5.FITS.items():
        title, text = _state(views["ch5-trend"], fit=key)
        assert span in title
        assert f"{ch5._share_of_2000(marks, key):.0%} of the 2000 peak's" in text


def test_volatility_frame_and_medians(views):
    f = views["ch5-volatility"]["frame"]
    assert list(f.columns) == ["date", "symbol", "v10", "v21", "v63"]
    ndx = f[(f.symbol == "NDX") & (f.date == "2025-11-21")].iloc[0]
    assert ndx["v21"] == pytest.approx(hand_vol("NDX", "2025-11-21", 21, 252))
    _, meds = ch5.volatility_frame()
    assert meds["NDX"][21] == pytest.approx(volatility.baseline(ch5._vol("NDX", 21)))
    assert "NDX" in views["ch5-volatility"]["alt_text"] or \
        "Nasdaq-100" in views["ch5-volatility"]["alt_text"]


def test_after_frame_starts_on_the_event(views):
    f = views["ch5-after"]["frame"]
    assert list(f.columns) == ["date", "symbol", "close"]
    first = f.groupby("symbol")["date"].min()
    assert (first == "2025-11-21").all(), first[first != "2025-11-21"]
    assert set(f.symbol) == set(ch5.PRICES)
    assert f[f.symbol == "BTC-USD"].date.max() == "2026-08-20"  # partial 08-21 left out
    grouped = {s for g in ch5.GROUPS.values() for s in g}
    assert grouped == set(ch5.PRICES)


def test_trend_frame_only_drawn_columns(views):
    f = views["ch5-trend"]["frame"]
    assert list(f.columns) == ["date", "g_all", "g_1950", "g_1980"]
    assert len(f) == len(analogs.monthly("SP500_shiller"))
    assert f.loc[f.date < "1950-01-01", "g_1950"].isna().all()
    assert f["g_all"].notna().all()


def test_every_daily_series_is_followed_or_explained():
    from riskoff import data as rdata

    daily = {k for k, v in rdata.read_manifest()["series"].items() if v["kind"] == "daily"}
    assert set(ch5.PRICES) | set(ch5.NOT_PRICES) == daily
    assert not set(ch5.PRICES) & set(ch5.NOT_PRICES)


def test_after_table_by_hand():
    t = ch5.after_table(["NDX", "BTC-USD"])
    assert t.loc["Nasdaq-100", "Regained the 21 Nov close after"] == "1 session (24 Nov 2025)"
    assert t.loc["Bitcoin", "Regained the 21 Nov close after"] == \
        "2 calendar days (23 Nov 2025)"
    btc = dict(rows("BTC-USD"))
    last = [c for d, c in rows("BTC-USD") if d <= "2026-08-20"][-1]
    assert t.loc["Bitcoin", "Last date vs 21 Nov close"] == f"{last / btc['2025-11-21'] - 1:+.1%}"


def test_tables_render():
    assert len(ch5.analog_table(6)) == 2 * len(ch5.X_OPTIONS)
    v = ch5.volatility_table()
    assert list(v.columns) == [outlook.base.label_of(s) for s in ch5.VOL]
    tt = ch5.trend_table()
    assert tt.loc["1929 peak", "1950 to the last month"] == "before the fit window"


def test_trend_share_of_2000_by_hand():
    marks = ch5.trend_marks(ch5.trend_fits())
    m = marks[marks.fit == "all"].set_index("label")["gap"]
    want = math.log(1 + m["Nov 2025"]) / math.log(1 + m["2000 peak"])
    assert ch5._share_of_2000(marks, "all") == pytest.approx(want)


# ---------------------------------------------------------------------------- kernel mode

def test_kernel_builders_have_no_params():
    sel = analogs.signals(analogs.drawdown_table(analogs.monthly("SP500_shiller")), 0.1, 6)
    sel = sel.rename_axis("date").reset_index().assign(ret=lambda d: d["ret6"], hz=6)
    for c in ("date", "peak_date"):
        sel[c] = sel[c].dt.strftime("%Y-%m-%d")
    charts = [outlook.analogs(sel, static=False),
              outlook.after(pd.DataFrame({"date": ["2025-11-21"], "symbol": ["NDX"],
                                          "value": [0.0]}), static=False)]
    for c in charts:
        d = c.to_dict()
        assert not d.get("params")


@pytest.mark.parametrize("fn", [ch5.explore_analogs, ch5.explore_volatility, ch5.explore_after])
def test_explorers_draw_a_chart_by_default(fn):
    box = fn()
    assert isinstance(box.render(), alt.TopLevelMixin)


def test_explorers_explain_bad_input():
    box = ch5.explore_analogs()
    x = [w for w in box.children[0].children if w.description == "Fall X (%)"][0]
    x.value = 99
    assert isinstance(box.render(), str)
    vol = ch5.explore_volatility()
    vol.children[2].value = ()
    assert vol.render() == "Pick at least one series."
    aft = ch5.explore_after()
    aft.children[0].children[0].value = None
    assert aft.render() == "Pick a reference date."


# ---------------------------------------------------------------------------- calls, claims

def test_calls_are_argued_from_figures():
    rows_ = ch5.calls()
    assert len(rows_) == 6
    keys = {"Statement (our paraphrase)", "What the data show", "Verdict",
            "What it cannot settle", "Last data point"}
    for r in rows_:
        assert set(r) == keys and all(r[k] for k in keys)
    fed = rows_[4]
    assert fed["Verdict"].startswith("Wrong") and "Published figure" in fed["What the data show"]
    assert "https://" in fed["What the data show"]
    assert rows_[2]["Verdict"].startswith("Not borne out")


def test_outlook_claims_verdicts():
    res = {r.id: r for r in claims.evaluate_all("outlook")}
    assert res["outlook-not-bear-ndx"].verdict == "matches"
    assert res["outlook-not-bear-gspc"].verdict == "matches"
    assert res["outlook-not-bear-btc"].verdict == "differs"
    assert res["outlook-no-dec-cut"].verdict == "differs from published figure"
    assert res["outlook-no-dec-cut"].measured == 3.75
    assert res["outlook-dalio-80"].verdict == "cannot be measured"
    assert res["outlook-crypto-first-3m"].measured == pytest.approx(ch5.rebound_gap())


# ---------------------------------------------------------------------------- words vs marks

def test_analog_takeaway_says_what_the_chart_draws(views):
    """In every state, the counts, median and share in the takeaway are the ones Vega writes
    over the plot (vendored Vega, run by node on the compiled spec)."""
    import json
    import re
    import shutil
    import subprocess

    from test_words import _vega

    if not shutil.which("node"):
        pytest.skip("node is not installed")
    v = views["ch5-analogs"]
    w = v["words"]
    keys = list(w.table)
    states = [dict(zip(w.params, (w.values[p][k] for p, k in zip(w.params, key.split("|")))))
              for key in keys]
    proc = subprocess.run(["node", str(REPO / "tests" / "js" / "mark_texts.js")],
                          input=json.dumps({"spec": _vega(v["chart"]), "states": states}),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    for key, drawn in zip(keys, json.loads(proc.stdout)):
        text = w.takeaway(key)  # d3's minus sign in both
        counts = [re.fullmatch(r"(\d+) months?, (\d+) episodes?", t) for t in drawn]
        counts = [m for m in counts if m]
        if "no month stood" in text:
            assert not counts, (key, drawn)
            continue
        assert len(counts) == 1, (key, drawn)
        months, episodes = counts[0].groups()
        one = lambda n, word: f"{n} {word}" + ("" if n == "1" else "s")  # noqa: E731
        assert f"shows {one(months, 'month')} ({one(episodes, 'episode')})" in text, key
        med = next(t for t in drawn if t.startswith("median "))
        assert med.split(" return ")[1] in text, (key, med)
        rose = next(t for t in drawn if t.endswith(" of these months rose"))
        assert f"{rose.split(' ')[0]} rose" in text, (key, rose)
        bear = next(t for t in drawn if t.startswith("bear market ahead"))
        k = re.search(r"(\d+) episodes?$", bear).group(1)
        assert f"In {k} of these episodes" in text, (key, bear)
