"""Chapter 2 views: published tables read as published, events sourced, claims verdicts,
the static calculator computing what riskoff.fedwatch computes, and the kernel explorers."""
from __future__ import annotations

import datetime as dt
import json
import re

import altair as alt
import pandas as pd
import pytest

from riskoff import ch2, claims
from riskoff import data as rdata
from riskoff import fedwatch as fw
from riskoff.charts import fed


def test_odds_are_the_published_rows():
    raw = pd.read_csv(rdata.DATA_DIR / "published" / "fedwatch_dec2025.csv")
    o = ch2.odds()
    assert len(o) == len(raw) == 9
    assert o["p_cut"].tolist() == raw["p_cut_dec2025_pct"].tolist()
    assert o["reading"].tolist() == ["approximate" if a else "exact" for a in raw["approximate"]]
    assert o["source_url"].str.startswith("https://").all()
    # labels go under a point when the odds fell since the previous reading
    assert o.set_index("date")["below"].to_dict()["2025-11-13"]
    assert not o.set_index("date")["below"].to_dict()["2025-11-21"]


def test_events_have_sources_from_the_tables():
    e = ch2.events()
    fomc = pd.read_csv(rdata.DATA_DIR / "published" / "fomc_decisions_2025.csv")
    odds = pd.read_csv(rdata.DATA_DIR / "published" / "fedwatch_dec2025.csv")
    urls = set(fomc["source_url"]) | set(odds["source_url"])
    for _, row in e.iterrows():
        if row["label"].startswith("Nvidia"):
            assert row["source"] == ch2.NVDA_SOURCE
        else:
            assert set(row["source"].split()) <= urls, row["label"]
    dec = e.set_index("label").loc["FOMC cut", "detail"]
    assert "3.50–3.75%" in dec and "9-3" in dec
    nv = e.set_index("label").loc["Nvidia reversal", "detail"]
    assert re.search(r"\+\d+\.\d%.*closed -\d+\.\d%", nv)


def test_article_figures_come_from_the_claims_file():
    a = ch2._article()
    assert a["value"].tolist() == [93.7, 42.9]


EXPECTED = {
    "fedwatch-month-ago": ("published figure", 95.0),
    "fedwatch-42-9-nov13": ("differs from published figure", 49.4),
    "fedwatch-42-9-nov20": ("differs from published figure", 39.1),
    "fedwatch-within-30-days": ("matches", 16.0),
    "fed-hawkish-tightening": ("cannot be measured", None),
    "fed-no-december-cut": ("differs from published figure", 3.75),
    "two-year-rose-as-odds-fell": ("matches", 8.0),
    "two-year-on-20-nov": ("differs", -3.0),
    "two-year-after-powell": ("differs", -4.0),
}


def test_claims_verdicts():
    res = {r.id: r for r in claims.evaluate_all("fed")}
    assert set(res) == set(EXPECTED)
    for cid, (verdict, value) in EXPECTED.items():
        assert res[cid].verdict == verdict, cid
        if value is not None:
            assert res[cid].measured == pytest.approx(value), cid


def test_tables_render():
    assert len(ch2._odds_df()) == 9
    html = ch2.odds_table().data
    assert 'href="https://stocktwits.com/news-articles/markets/equity/fed-rate-cut-probability' \
           '-december-shoots-up-ny-fed-room-for-cut/cLPMplbREOV"' in html
    assert "9-3 (Miran for 50 bp; Goolsbee and Schmid for no change)" in \
        ch2.decisions_table().data
    assert len(ch2._events_df()) == len(ch2.EVENTS)
    ex = ch2.cme_example()
    assert ex.loc["Post-meeting rate", "Value"] == "0.26643%"
    assert ex.loc["Probability of a 25 bp hike", "Value"] == "53.6%"
    yt = ch2.yield_table()
    # total 13-21 Nov against the close of 12 Nov: 3.51 - 3.56 = -5 bp (rows of DGS2.csv)
    assert yt.iloc[-1, 1] == "-5.0"
    ct = ch2.cuts_table()
    assert ct.loc["20 Nov 2025", "Cuts of 25 bp priced (approx.)"] == "1.30"
    assert ct.loc["10 Dec 2025", "Target range (%)"] == "3.50–3.75"
    assert "cut 25 bp" in ch2.hindsight().data


def test_calculator_frame_matches_fedwatch():
    f = ch2.calculator_frame(**fw.CME_EXAMPLE)
    path = f[f.part == "path"]
    assert len(path) == 30
    assert path[path.day < 17]["rate"].tolist() == pytest.approx([0.1325] * 16)
    assert path[path.day >= 17]["rate"].round(5).unique().tolist() == [0.26643]
    out = f[f.part == "outcome"].set_index("label")["prob"]
    assert round(out["25 bp hike"], 3) == 0.536 and round(out["No change"], 3) == 0.464
    with pytest.raises(ValueError, match="between 0 and 100"):
        ch2.calculator_frame(101, 99.8, 17, 30)
    with pytest.raises(ValueError, match="between 2 and 30"):
        ch2.calculator_frame(99.8, 99.8, 31, 30)


def _texts(svg: str) -> str:
    # multi-line text marks are drawn as <tspan> lines
    return " ".join(re.findall(r"<(?:text|tspan)[^>]*>([^<]*)</(?:text|tspan)>", svg))


def test_static_calculator_computes_what_python_computes():
    vlc = pytest.importorskip("vl_convert")
    spec = fed.calculator(pd.DataFrame([fw.CME_EXAMPLE]), width=500).to_dict()
    vl = ".".join(alt.VEGALITE_VERSION.split(".")[:2])
    text = _texts(vlc.vegalite_to_svg(spec, vl_version=vl))
    assert "Post-meeting rate 0.26643%" in text
    assert "25 bp hike: 53.6%" in text and "No change: 46.4%" in text
    assert "Moves of 25 bp priced: +0.5357" in text


def test_static_charts_controls_and_data_size():
    o, e = ch2.odds(), ch2.events()
    charts = {
        "timeline": (fed.timeline(o, ch2._market(ch2.OVERLAY), e, windows=ch2.TIMELINE_WINDOWS,
                                  article=ch2._article()), {"window", "overlay"}),
        "calculator": (fed.calculator(pd.DataFrame([fw.CME_EXAMPLE])),
                       {"price", "prior", "mday", "ndays"}),
        "yields": (fed.yield_moves(ch2._yield_frame(), windows=ch2.YIELD_WINDOWS),
                   {"ywindow", "ymeasure"}),
        "cuts": (fed.cuts_priced(ch2._cuts_frame(), e), {"cview"}),
    }
    for name, (chart, params) in charts.items():
        spec = chart.to_dict()
        found = {p["name"] for p in spec.get("params", []) if "bind" in p}
        assert found == params, name
        for rows in spec.get("datasets", {}).values():
            assert len(rows) < 5000, name
        assert "$schema" in spec


def test_window_options_are_distinct_dates():
    for windows in (ch2.TIMELINE_WINDOWS, ch2.YIELD_WINDOWS):
        values = [w for w, _ in windows]
        assert len(set(values)) == len(values)
        for w in values:
            a, b = w.split("/")
            assert dt.date.fromisoformat(a) < dt.date.fromisoformat(b)


def test_odds_days_above_to_below():
    assert ch2.odds_days_above_to_below("90", "50") == 16.0


# ---------------------------------------------------------------- kernel explorers

def test_explore_timeline():
    box = ch2.explore_timeline()
    start, end, series = box.controls
    assert isinstance(box.render(), alt.LayerChart)
    series.value = "GSPC"
    spec = box.render().to_dict()
    assert "S&P 500" in json.dumps(spec)
    start.value = dt.date(2026, 1, 1)
    end.value = dt.date(2025, 12, 1)
    assert "must come before" in box.render()
    start.value, end.value = dt.date(2030, 1, 1), dt.date(2030, 2, 1)
    assert box.render().startswith("No S&P 500")


def test_explore_calculator():
    box = ch2.explore_calculator()
    price, prior, day, ndays = box.controls
    assert isinstance(box.render(), alt.LayerChart)
    price.value = 100.5
    with pytest.raises(ValueError, match="between 0 and 100"):
        box.render()
    price.value, day.value = 99.8, 1
    with pytest.raises(ValueError, match="between 2 and 30"):
        box.render()


def test_explore_yields_and_cuts():
    box = ch2.explore_yield_moves()
    start, end, measure = box.controls
    assert isinstance(box.render(), alt.LayerChart)
    measure.value = "cum"
    spec = box.render().to_dict()
    rows = next(iter(spec["datasets"].values()))
    dgs2 = [r["value"] for r in rows if r["symbol"] == "DGS2"]
    assert dgs2[-1] == pytest.approx(-5.0)  # 12 Nov close 3.56 to 21 Nov close 3.51

    box = ch2.explore_cuts_priced()
    start, end, view = box.controls
    assert isinstance(box.render(), alt.LayerChart)
    view.value = "levels"
    assert isinstance(box.render(), alt.LayerChart)
    end.value = dt.date(2026, 3, 1)
    assert "ends with the 10 Dec 2025 decision" in box.render()
    start.value, end.value = dt.date(2025, 1, 2), dt.date(2025, 3, 1)
    assert "our table starts" in box.render()


# ---------------------------------------------------------------- figure words (issue 13)

@pytest.fixture(scope="module")
def said():
    from conftest import capture_published

    return capture_published(ch2, ch2.timeline, ch2.calculator, ch2.yield_moves,
                             ch2.cuts_priced)


def _csv_closes(symbol):
    # Read straight from the cache file, not through riskoff.data: an independent check.
    df = pd.read_csv(rdata.DATA_DIR / "daily" / f"{symbol}.csv")
    return df.dropna(subset=["close"]).set_index("date")["close"]


def test_every_figure_has_words_and_says_what_it_is(said):
    assert set(said) == {"ch2-odds-timeline", "ch2-fedwatch-calculator", "ch2-yield-moves",
                         "ch2-cuts-priced"}
    for name, v in said.items():
        w = v["words"]
        assert w is not None, name
        assert v["alt_text"] == w.takeaway() and v["label"] != v["alt_text"], name
        for key in w.table:
            title = w.title(key)
            assert len(title.replace("\n", " ")) <= 95, (name, title)
            assert all(len(line) <= 44 for line in title.split("\n")), (name, title)
            if hasattr(w, "narrow_title"):
                assert all(len(line) <= 34 for line in w.narrow_title(key).split("\n"))
            else:   # a window's dates are never split over two lines
                for text in (w.table[key]["title"], w.table[key]["narrow"]):
                    assert any(re.fullmatch(r"\d{1,2}( [A-Z][a-z]{2})? – \d{1,2} [A-Z][a-z]{2} "
                                            r"\d{4}:?", line) for line in text.split("\n")), text


def test_timeline_default_words_by_hand(said):
    w = said["ch2-odds-timeline"]["words"]
    assert w.default_key == "2025-10-01/2025-12-31|DGS2"
    odds = pd.read_csv(rdata.DATA_DIR / "published" / "fedwatch_dec2025.csv")
    hi, lo = odds.loc[odds.p_cut_dec2025_pct.idxmax()], odds.loc[odds.p_cut_dec2025_pct.idxmin()]
    assert (hi.as_of, hi.p_cut_dec2025_pct, lo.as_of, lo.p_cut_dec2025_pct) == \
        ("2025-10-28", 99, "2025-11-19", 30)          # both approximate readings
    two = _csv_closes("DGS2")
    assert (two["2025-10-28"], two["2025-11-19"]) == (3.47, 3.58)
    assert w.takeaway() == ("The published odds fell from about 99% on 28 Oct 2025 to about "
                            "30% on 19 Nov 2025; between those dates the 2-year Treasury "
                            "yield went from 3.47% to 3.58% (+11 bp).")
    assert w.title().endswith(",\n1 Oct – 31 Dec 2025")   # the window on a line of its own
    ndx = _csv_closes("NDX")
    change = ndx["2025-11-19"] / ndx["2025-10-28"] - 1          # 24640.52 / 26012.15 - 1
    assert f"{change:+.2%}" == "-5.27%"
    assert w.takeaway("2025-10-01/2025-12-31|NDX").endswith("the Nasdaq-100 changed \u22125.27%.")
    # The last window holds two readings, 1 Dec (about 87) and 10 Dec (89.4): a rise.
    assert w.takeaway("2025-11-24/2025-12-19|DGS2").startswith(
        "The published odds rose from about 87% on 1 Dec 2025 to 89.4% on 10 Dec 2025")


def test_yield_default_words_by_hand(said):
    w = said["ch2-yield-moves"]["words"]
    assert w.default_key == "2025-11-13/2025-11-21|day"
    two, ten = _csv_closes("DGS2"), _csv_closes("DGS10")
    d2 = (two.diff() * 100).round(6).loc["2025-11-13":"2025-11-21"]
    d10 = (ten.diff() * 100).round(6).loc["2025-11-13":"2025-11-21"]
    # 2-year: +4 on 14 Nov (3.58 -> 3.62) and -4 on 21 Nov (3.55 -> 3.51), the largest, tied.
    assert d2.abs().max() == 4 and sorted(d2[d2.abs() == 4].index) == ["2025-11-14", "2025-11-21"]
    assert d10.abs().idxmax() == "2025-11-21" and d10["2025-11-21"] == -4
    assert w.takeaway() == ("The 2-year yield's largest one-day move in the window was +4 bp "
                            "on 14 Nov 2025 and \u22124 bp on 21 Nov 2025; the 10-year's was \u22124 bp "
                            "on 21 Nov 2025.")
    # Since the close before the window (12 Nov): 3.56 -> 3.51 and 4.08 -> 4.06.
    assert round((two["2025-11-21"] - two["2025-11-12"]) * 100) == -5
    assert round((ten["2025-11-21"] - ten["2025-11-12"]) * 100) == -2
    assert w.takeaway("2025-11-13/2025-11-21|cum").startswith(
        "From the close before 13 Nov 2025 to 21 Nov 2025 the 2-year yield moved \u22125 bp, the "
        "10-year \u22122 bp")


def test_cuts_default_words_by_hand(said):
    w = said["ch2-cuts-priced"]["words"]
    two = _csv_closes("DGS2")
    fomc = pd.read_csv(rdata.DATA_DIR / "published" / "fomc_decisions_2025.csv")
    # On 20 Nov the range set on 29 Oct applied: 3.75-4.00, midpoint 3.875.
    r = fomc[fomc.date == "2025-10-29"].iloc[0]
    assert (r.target_low_pct, r.target_high_pct) == (3.75, 4.0)
    assert f"{(3.875 - two['2025-11-20']) / 0.25:.1f}" == "1.3"
    assert "1.3 on 20 Nov" in w.takeaway()
    assert w.takeaway("levels").endswith(
        f"on 20 Nov 2025 it closed at {two['2025-11-20']:.2f}% against a range of 3.75–4.00%.")
    # Closes under the bottom of the range in force (the last decision on or before the day).
    fomc = fomc.sort_values("date")
    days = two.loc["2025-09-17":"2025-12-31"]
    low = [fomc[fomc.date <= d].iloc[-1].target_low_pct for d in days.index]
    under = int((days.values < low).sum())
    assert (under, len(days)) == (68, 72)
    assert (f"on {under} of its {len(days)} closes from 17 Sep 2025 to 31 Dec 2025"
            in w.takeaway("levels"))


def test_calculator_default_words_and_the_template():
    from riskoff.charts import words

    t = fed.calculator_words()
    chart, w = words.attach(fed.calculator(pd.DataFrame([fw.CME_EXAMPLE])), t)
    assert w.default_key == "99.805|99.8675|17|30"
    # CME's worked example: post 0.26643%, pre 0.1325%, 53.6% hike, 46.4% no change.
    assert w.takeaway() == ("These prices imply a post-meeting rate of 0.26643% against "
                            "0.1325% before: 53.6% for a hike of 25 bp, 46.4% for no change.")
    assert w.title() == ("FedWatch arithmetic, decision day 17 of 30,\n"
                         "futures 99.8050, prior month 99.8675")
    # Any slider state, not only the checked sample (what a live kernel asks for).
    assert "99.9|99.9|5|31" in w.table
    assert w.takeaway("99.9|99.9|5|31").endswith("100.0% for no change, 0.0% for a hike of 25 bp.")
    assert w.takeaway("99.805|99.8675|31|30") == (
        "No odds: the decision day must fall inside the month, on day 2 to 30.")
    spec = json.dumps(chart.to_dict())
    assert "riskoff_words" not in spec          # no table: the template is computed in Vega
    assert len(spec) < 60_000


@pytest.mark.skipif(not __import__("shutil").which("node"), reason="node is not installed")
def test_js_fixed_writes_numbers_as_vega_does():
    import subprocess
    from pathlib import Path

    from riskoff.charts import words

    cases = [(0.125, 2, False), (1.005, 2, False), (-0.00001, 2, False), (-1.5, 4, False),
             (0.5355, 1, True), (-0.15143, 5, False), (2.5, 0, False), (-2.5, 0, False),
             (0.00049999, 1, True), (99.8050, 4, False), (1e-9, 3, False)]
    exprs = [f"format({x!r}, '.{d}{'%' if p else 'f'}')" for x, d, p in cases]
    vega = Path(__file__).parent.parent / "_static" / "vendor" / "vega" / "vega.min.js"
    js = (f"const vega = require({json.dumps(str(vega))});"
          f"const v = new vega.View(vega.parse({{signals: [{{name: 'a', update: "
          f"{json.dumps('[' + ', '.join(exprs) + ']')}}}]}}), {{renderer: 'none'}});"
          "v.runAsync().then(() => process.stdout.write(JSON.stringify(v.signal('a'))));")
    got = json.loads(subprocess.run(["node", "-e", js], capture_output=True, text=True,
                                    check=True).stdout)
    assert got == [words.js_fixed(x, d, percent=p) for x, d, p in cases]


def test_policy_range_by_arrays_is_the_row_by_row_range():
    """fedwatch.policy_range takes each date's decision by position (NumPy); the same values
    as reading the table row by row, with NaN before the first decision."""
    import numpy as np

    from riskoff import data as rdata
    from riskoff import fedwatch

    dec = ch2.decisions()
    dates = list(rdata.series("DGS2").index) + [pd.Timestamp("2019-01-01")]
    for table in (dec, dec.iloc[::-1], dec.iloc[:1]):
        got = fedwatch.policy_range(dates, table)
        ordered = table.assign(date=pd.to_datetime(table["date"])).sort_values("date")
        for day, row in zip(dates, got.itertuples()):
            before = ordered[ordered["date"] <= day]
            want = (before.iloc[-1][["target_low_pct", "target_high_pct"]].astype(float).tolist()
                    if len(before) else [np.nan, np.nan])
            assert [row.low, row.high] == want or (not len(before) and np.isnan(row.low)
                                                   and np.isnan(row.high)), day
