"""Unit tests of riskoff/ch3.py (chapter 3): earnings reactions, who fell with Nvidia, the deal
network layout, the views, the kernel explorers and the chapter's claims.

Expected values are computed by hand from cached rows, quoted in each test:
  data/daily/NVDA.csv  2025-02-26,129.99,133.73,128.49,131.28
                       2025-02-27,135.00,135.01,120.01,120.15
                       2025-11-19,184.79,187.86,182.83,186.52
                       2025-11-20,195.95,196.00,179.85,180.64
                       2025-11-21,181.24,184.56,172.93,178.88
  data/daily/000660.KS.csv  2025-11-19 close 562000, 11-20 close 571000, 11-21 close 521000
  data/daily/9984.T.csv     2025-11-19 close 4706.25, 11-20 close 4795.00
"""
from __future__ import annotations

import math
from unittest import mock

import altair as alt
import pandas as pd
import pytest

from conftest import published_record

from riskoff import ch3, claims, data
from riskoff.charts import nvidia
from riskoff.i18n import minus


@pytest.fixture
def nvda():
    return data.series("NVDA")


# ---------------------------------------------------------------------------- earnings

def test_reaction_session_is_the_next_session(nvda):
    assert ch3.reaction_session(nvda, "2025-11-19") == pd.Timestamp("2025-11-20")
    assert ch3.reaction_session(nvda, "2025-11-21") == pd.Timestamp("2025-11-24")  # Fri -> Mon
    assert ch3.reaction_session(nvda, "2026-06-30") is None  # after the data ends


def test_earnings_reactions_against_hand_values(nvda):
    rel = pd.DataFrame({"fiscal_quarter": ["Q4 FY2025", "Q3 FY2026"],
                        "release_date": ["2025-02-26", "2025-11-19"]})
    t = ch3.earnings_reactions(nvda, rel).set_index("session")
    feb, nov = t.loc["2025-02-27"], t.loc["2025-11-20"]
    assert feb["prev_close"] == 131.28
    assert feb["gap"] == pytest.approx(135.00 / 131.28 - 1)          # +2.83%
    assert feb["day"] == pytest.approx(120.15 / 131.28 - 1)          # -8.48%
    assert feb["high_close"] == pytest.approx(120.15 / 135.01 - 1)   # -11.01%
    assert nov["gap"] == pytest.approx(195.95 / 186.52 - 1)          # +5.06%
    assert nov["day"] == pytest.approx(180.64 / 186.52 - 1)          # -3.15%
    assert nov["high_close"] == pytest.approx(180.64 / 196.00 - 1)   # -7.84%


def test_releases_outside_the_data_are_left_out(nvda):
    rel = pd.DataFrame({"fiscal_quarter": ["old", "future"],
                        "release_date": ["2024-11-20", "2026-08-26"]})
    assert ch3.earnings_reactions(nvda, rel).empty


def test_published_release_dates_all_have_sources_and_sessions(nvda):
    rel = ch3.releases()
    assert rel["source_url"].str.startswith("https://").all()
    t = ch3.earnings_reactions(nvda, rel)
    assert len(t) == len(rel) == 6
    assert "2025-11-20" in set(t["session"])


def test_rank_of_november_among_reactions(nvda):
    t = ch3.earnings_reactions(nvda, ch3.releases())
    rank, n = ch3.rank_of(t, "2025-11-20", "high_close")
    # Only 27 Feb 2025 (-11.01%) fell further from its high than 20 Nov 2025 (-7.84%).
    assert (rank, n) == (2, 6)
    long = ch3.reactions_long(t)
    assert len(long) == 3 * 6
    assert set(long[long["session"] == "2025-11-20"]["focus"]) == {nvidia.FOCUS[0]}


# ---------------------------------------------------------------------------- who fell

def test_window_changes_against_hand_values():
    frames = {s: data.series(s) for s in ("NVDA", "000660.KS", "9984.T")}
    w = ch3.window_changes(frames, ch3.PEER_WINDOWS).set_index(["symbol", "window"])
    assert w.loc[("NVDA", "d20"), "value"] == pytest.approx(180.64 / 186.52 - 1)
    assert w.loc[("NVDA", "two"), "value"] == pytest.approx(178.88 / 186.52 - 1)
    assert w.loc[("000660.KS", "d20"), "value"] == pytest.approx(571000 / 562000 - 1)
    assert w.loc[("000660.KS", "d21"), "value"] == pytest.approx(521000 / 571000 - 1)
    assert w.loc[("9984.T", "d20"), "value"] == pytest.approx(4795.00 / 4706.25 - 1)
    nv_peak = data.series("NVDA").loc["2025-09-01":"2025-11-21", "close"]
    assert w.loc[("NVDA", "peak"), "value"] == pytest.approx(178.88 / nv_peak.max() - 1)
    assert w.loc[("NVDA", "peak"), "start"] == f"{nv_peak.idxmax():%Y-%m-%d}"


def test_window_on_a_day_without_a_session_stays_missing():
    frames = {"000660.KS": data.series("000660.KS")}
    w = ch3.window_changes(frames, {"x": ("Sat", "day", "2025-11-22", "2025-11-22")})
    assert math.isnan(w["value"].iloc[0]) and w["detail"].iloc[0] == "no session on this date"


# ---------------------------------------------------------------------------- deal network

def test_deal_layout():
    deals = ch3._deals()
    nodes, edges = ch3.deal_layout(deals)
    assert set(nodes["company"]) == set(deals["payer"]) | set(deals["payee"])
    assert len(edges) == len(deals)
    e = edges.set_index("id")
    # Two-way deals are flagged so they are drawn side by side; one-way ones are not.
    assert e.loc["openai-msft", "pair"] and e.loc["msft-openai", "pair"]
    assert not e.loc["nvda-openai", "pair"]
    assert (e.loc["nvda-openai", ["x1", "y1", "x2", "y2"]].tolist()
            == [*ch3.LAYOUT["Nvidia"], *ch3.LAYOUT["OpenAI"]])
    # Stroke grows with the square root of the amount; no dollar value -> thinnest line.
    assert e.loc["openai-oracle", "stroke"] == pytest.approx(9.0)
    assert e.loc["nvda-openai", "stroke"] == pytest.approx(1.5 + 7.5 * math.sqrt(100 / 300))
    assert e.loc["openai-amd", "stroke"] == 1.5 and e.loc["openai-amd", "label"] == "not disclosed"
    assert e.loc["amd-openai", "label"] == "warrant"
    assert e.loc["nvda-openai", "flow"] == "investment or equity"
    assert e.loc["oracle-nvda", "flow"] == "purchase commitment"
    assert set(edges["side"]) <= {1, -1}


def test_unknown_companies_get_a_position():
    deals = pd.DataFrame([{"payer": "Nvidia", "payee": "NewCo", "kind": "investment",
                           "amount_bn_usd": 1.0, "amount_text": "1"}])
    nodes, edges = ch3.deal_layout(deals)
    assert nodes.set_index("company").loc["NewCo", "y"] == -1.2


# ---------------------------------------------------------------------------- frames and views

def test_reversal_frame_rows():
    frame = ch3._reversal_data(["NVDA_1h", "SPX_5m"], ["2025-11-20"])
    highs = frame[frame["kind"] == "high"].set_index("symbol")
    assert highs.loc["NVDA_1h", "price"] == 196.00
    assert (highs.loc["SPX_5m", "time"], highs.loc["SPX_5m", "time_end"]) == ("10:35", "10:40")
    assert highs.loc["NVDA_1h", "change"] == pytest.approx(196.00 / 186.52 - 1)
    assert len(frame[(frame["kind"] == "path") & (frame["symbol"] == "NVDA_1h")]) == 8
    assert len(frame) < 5000


def test_views_publish_charts_with_findings():
    published = {}

    def fake(chart, frame, name, caption, alt_text=None, **words):
        r = published_record(chart, frame, caption, alt_text, **words)
        published[name] = (r["chart"], frame, caption, r["alt_text"])

    with mock.patch.object(ch3, "publish", fake):
        ch3.reversal()
        ch3.reactions()
        ch3.who_fell()
        ch3.deals()
    assert set(published) == {"ch3-reversal", "ch3-earnings-reactions",
                              "ch3-who-fell-with-nvidia", "ch3-ai-deals"}
    for name, (chart, frame, caption, text) in published.items():
        spec = chart.to_dict()
        assert spec["params"], f"{name} has no reader controls"
        assert len(frame) < 5000
        assert text.endswith(".") and "nan" not in text
    assert "5.1% above" in published["ch3-reversal"][3]
    assert "ai_deals" in published["ch3-ai-deals"][2].published
    assert "nvidia_earnings_dates" in published["ch3-earnings-reactions"][2].published


def test_tables():
    assert ch3.session_table().loc["Nvidia, hourly bars", "High in the bar"] == "09:30-10:30"
    check = ch3.daily_check()
    assert check.loc[("Nvidia, hourly bars vs Nvidia daily", "close"), "Difference"] == "0.30"
    assert len(ch3.reactions_table()) == 6
    assert ch3.deals_table()["Source"].str.startswith("https://").all()


# ---------------------------------------------------------------------------- explorers

def test_explorers_render_charts_and_sentences():
    box = ch3.explore_reversal()
    assert isinstance(box.render(), alt.TopLevelMixin)
    box.children[0].children[1].value = ()
    assert "at least one" in box.render()

    box = ch3.explore_reactions()
    assert isinstance(box.render(), alt.TopLevelMixin)

    box = ch3.explore_who_fell()
    start, end = box.children[0].children
    assert isinstance(box.render(), alt.TopLevelMixin)
    end.value = start.value
    assert "after the start" in box.render()

    box = ch3.explore_deals()
    assert isinstance(box.render(), alt.TopLevelMixin)
    box.children[0].children[0].value = box.children[0].children[0].max
    assert isinstance(box.render(), alt.TopLevelMixin)  # the largest deal still shows


def test_reversal_explorer_on_a_day_with_only_hourly_bars():
    box = ch3.explore_reversal()
    day, chosen = box.children[0].children
    day.value = "2025-11-24"
    chosen.value = ("SPX_5m",)
    assert "None of these instruments has bars" in box.render()
    chosen.value = ("NVDA_1h", "SPX_5m")
    chart, note = box.render()  # drawn, with a line naming what has no bars that day
    assert isinstance(chart, alt.TopLevelMixin)
    assert note == "No bars on Mon 24 Nov 2025 for S&P 500, 5-minute bars: not drawn."


# ---------------------------------------------------------------------------- claims

def test_chapter_claims():
    res = {r.id: r for r in claims.evaluate_all("nvidia")}
    assert res["nvda-gap-open-bars"].measured == pytest.approx(100 * (195.95 / 186.52 - 1))
    assert res["nvda-high-first-hour"].measured == 0
    assert res["nvda-close-lower-bars"].measured == pytest.approx(100 * (180.94 / 186.52 - 1))
    assert res["nvda-led-spx"].measured == 5
    for cid in ("nvda-gap-open-bars", "nvda-high-first-hour", "nvda-close-lower-bars",
                "nvda-led-spx"):
        assert res[cid].verdict == "matches", cid
    assert res["deals-billions"].verdict == "matches published figure"
    assert res["burry-90pct"].verdict == "cannot be measured"


# ---------------------------------------------------------------------------- figure words

@pytest.fixture(scope="module")
def words():
    from conftest import capture_published

    return capture_published(ch3, ch3.reversal, ch3.reactions, ch3.who_fell, ch3.deals)


def _said(view, ticks=None, **values):
    from riskoff.charts.words import key_text

    w = view["words"]
    key = "|".join(key_text(values[p]) for p in w.params)
    return w.title(key, ticks).replace("\n", " "), w.takeaway(key, ticks)


def _csv(path):
    import csv

    from conftest import ROOT

    with open(ROOT / path, newline="") as fh:
        return list(csv.DictReader(fh))


def _daily(sym):
    return {r["date"]: r for r in _csv(f"data/daily/{sym}.csv") if r["close"]}


def test_reversal_words_name_only_ticked_instruments(words):
    v = words["ch3-reversal"]
    names = [n for _, n in v["words"].toggles]
    title, text = _said(v, day="2025-11-20")
    assert title.startswith("Thu 20 Nov 2025") and title.endswith("4 of 4 instruments shown")
    assert "Nvidia fell furthest from its session high" in text
    # Nvidia unticked: the next deepest fall from the high (the chart's own bracket data).
    frame = v["frame"]
    highs = frame[(frame.kind == "high") & (frame.day == "2025-11-20")].set_index("symbol")
    order = highs["high_to_close"].sort_values().index.tolist()
    assert order[0] == "NVDA_1h"
    ticks = {n: n != names[0] for n in names}
    title, text = _said(v, ticks, day="2025-11-20")
    second = {"QQQ_1h": "Invesco QQQ", "MSFT_1h": "Microsoft", "SPX_5m": "S&P 500"}[order[1]]
    assert "Nvidia" not in text and second in text
    assert f"{-highs.loc[order[1], 'high_to_close']:.1%}" in text
    assert title.endswith("3 of 4 instruments shown")
    _, text = _said(v, dict.fromkeys(names, False), day="2025-11-20")
    assert "no instrument is ticked" in text


def test_reactions_words_follow_the_measure(words):
    v = words["ch3-earnings-reactions"]
    rows = _daily("NVDA")
    prev, day = rows["2025-11-19"], rows["2025-11-20"]
    gap = float(day["open"]) / float(prev["close"]) - 1
    h2c = float(day["close"]) / float(day["high"]) - 1
    # The chart opens on the gap at the open: the default sentence is about the gap.
    assert v["alt_text"] == _said(v, emeasure="gap")[1]
    assert f"gap at the open (open against the previous close) was {minus(f'{gap:+.2%}')}" in v["alt_text"]
    title, text = _said(v, emeasure="high_close")
    assert title.endswith("high to close")
    assert f"fall from the session high to the close was {minus(f'{h2c:+.2%}')}" in text


def test_peers_words_by_hand(words):
    v = words["ch3-who-fell-with-nvidia"]
    changes = {}
    for sym in ch3.PEERS:
        rows = _daily(sym)
        a = [d for d in rows if d <= "2025-11-19"][-1]
        b = [d for d in rows if d <= "2025-11-21"][-1]
        changes[sym] = float(rows[b]["close"]) / float(rows[a]["close"]) - 1
    worst = min(changes, key=changes.get)
    title, text = _said(v, pwindow="two")
    assert title.startswith("Change over the window: close 19 Nov to close 21 Nov")
    assert f"was {data.info(worst)['name']}'s {-changes[worst]:.1%}" in text
    names = dict(v["words"].toggles)
    ticks = {n: s != worst for s, n in names.items()}
    rest = {s: c for s, c in changes.items() if s != worst}
    nxt = min(rest, key=rest.get)
    assert f"was {data.info(nxt)['name']}'s {-rest[nxt]:.1%}" in _said(v, ticks, pwindow="two")[1]


def test_deals_words_by_hand(words):
    v = words["ch3-ai-deals"]
    deals = _csv("data/published/ai_deals.csv")
    big = [d for d in deals if d["amount_bn_usd"] and float(d["amount_bn_usd"]) >= 40]
    title, text = _said(v, minbn=40, hl="OpenAI")
    assert title == "Announced AI deals of 40 bn USD or more, OpenAI highlighted"
    assert text.startswith(f"{len(big)} of the {len(deals)} announced deals shown")
    mine = [d for d in big if "OpenAI" in (d["payer"], d["payee"])]
    assert f"OpenAI is in {len(mine)} of them" in text
    assert _said(v, minbn=0, hl="none")[1].startswith(f"All {len(deals)} announced deals")
