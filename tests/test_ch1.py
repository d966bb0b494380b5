"""Unit tests of the chapter-1 charts (riskoff/charts/market.py), views and kernel explorers
(riskoff/ch1.py), and the shared caption/publish helpers (riskoff/charts/base.py).

Static mode computes in the reader's browser with Vega-Lite transforms; these tests read the
transforms from the spec, reproduce them with pandas on the static frame, and compare with
what the kernel path draws (riskoff.metrics computed by pandas). Alt texts are checked
against values computed by hand from the cached CSV rows.
"""
from __future__ import annotations

import csv
import datetime as dt
import functools
import itertools
from pathlib import Path

import altair as alt
import ipywidgets as ipw
import numpy as np
import pandas as pd
import pytest
from riskoff.i18n import minus_signs
from riskoff.catalog import SERIES

from conftest import capture_published

import riskoff.charts.base as cbase
from riskoff import ch1, metrics
from riskoff import data as rdata
from riskoff.charts import Caption, market, publish
from riskoff.charts.base import date_label
from riskoff.i18n import minus

REPO = Path(__file__).resolve().parent.parent
DAILY = REPO / "data" / "daily"
MEASURES = list(metrics.MEASURES)


# ---------------------------------------------------------------------------- helpers

@functools.lru_cache(maxsize=None)
def rows(sym: str) -> tuple[tuple[str, float], ...]:
    """(date, close) of the cached CSV, read by hand."""
    with open(DAILY / f"{sym}.csv", newline="") as fh:
        return tuple((r["date"], float(r["close"])) for r in csv.DictReader(fh))


def close(sym: str, date: str) -> float:
    return dict(rows(sym))[date]


def name(sym: str) -> str:
    return rdata.info(sym)["name"]


def spec(chart) -> dict:
    return chart.to_dict()


def dataset(d: dict) -> pd.DataFrame:
    """The (single) inline dataset of a chart spec."""
    return pd.DataFrame(d["datasets"][d["data"]["name"]])


def signature(d: dict) -> list[tuple]:
    """Mark type and encoding fields of each layer: what both modes must share."""
    out = []
    for layer in d["layer"]:
        mark = layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]
        enc = {ch: (v.get("field"), v.get("type")) if isinstance(v, dict) else None
               for ch, v in layer["encoding"].items() if ch != "tooltip"}
        tips = sorted(t["field"] for t in layer["encoding"].get("tooltip", []))
        out.append((mark, sorted(enc.items()), tips))
    return out


def has_params(d: dict) -> bool:
    return bool(d.get("params")) or any(layer.get("params") for layer in d.get("layer", []))


def walk(w):
    yield w
    for c in getattr(w, "children", ()):
        yield from walk(c)


def control(box, kind, description=None):
    found = [w for w in walk(box) if isinstance(w, kind)
             and (description is None or w.description == description)]
    assert len(found) == 1, f"expected one {kind.__name__} {description!r}, got {found}"
    return found[0]


@pytest.fixture(scope="module")
def views():
    """What each ch1 view hands to publish(): chart, frame, name, caption, alt text."""
    return capture_published(ch1, ch1.who_fell, ch1.rebased, ch1.drawdowns)


# ---------------------------------------------------------------------------- (a) params

def test_static_specs_bind_params_to_inputs(views):
    assert set(views) == {"who-fell-most", "rebased", "drawdowns"}
    for view in views.values():
        d = spec(view["chart"])
        assert d.get("params"), "static mode must have top-level params"
        for p in d["params"]:
            # Besides the controls: the words table and the signals reading it.
            assert "bind" in p or p["name"].startswith("riskoff_"), p
    controls = lambda v: {p["name"]: p for p in spec(views[v]["chart"])["params"]  # noqa: E731
                          if "bind" in p}
    who = controls("who-fell-most")
    assert set(who) == {"session", "measure"}
    assert who["session"]["bind"]["options"] == ch1.SESSIONS
    assert who["session"]["value"] == "2025-11-20"
    assert who["measure"]["bind"]["options"] == MEASURES
    reb = controls("rebased")
    assert reb["base"]["bind"]["options"] == ch1.BASES
    assert set(reb) == {"base"} | {f"show{i}" for i in range(len(ch1.EVENT))}
    assert [reb[f"show{i}"]["value"] for i in range(len(ch1.EVENT))] == [
        s in ("NDX", "NVDA", "BTC-USD", "GC=F") for s in ch1.EVENT]
    dd = controls("drawdowns")
    assert dd["start"]["bind"]["options"] == ch1.BASES
    assert set(dd) == {"start"} | {f"dd{i}" for i in range(len(ch1.EVENT))}


def kernel_charts():
    grid = metrics.scoreboard(ch1.EVENT, ["2025-11-20"])
    wide = rdata.closes(ch1.EVENT)
    return {
        "who-fell-most": market.who_fell(grid[grid.measure == "day"], static=False),
        "rebased": market.rebased(metrics.tidy(metrics.rebase(wide, "2025-10-29"), "rebased"),
                                  static=False),
        "drawdowns": market.drawdowns(metrics.tidy(metrics.drawdown(wide, "2025-10-29"),
                                                   "drawdown"), static=False),
    }


def test_kernel_specs_have_no_params():
    for chart in kernel_charts().values():
        assert not has_params(spec(chart))


# ---------------------------------------------------------------------------- (b) same marks

def test_same_marks_and_encodings_in_both_modes(views):
    kernel = kernel_charts()
    for key, view in views.items():
        s, k = spec(view["chart"]), spec(kernel[key])
        assert signature(s) == signature(k), key
        assert len(s["layer"]) == 2


def test_encoded_fields_exist_in_both_modes(views):
    # Static: the y field is computed by a transform; kernel: it is a column of the frame.
    kernel = kernel_charts()
    for key, view in views.items():
        for d in (spec(view["chart"]), spec(kernel[key])):
            cols = set(dataset(d).columns)
            for layer in d["layer"]:
                made = {t.get("as") for t in layer.get("transform", [])}
                made |= {w["as"] for t in layer.get("transform", []) for w in t.get("window", [])}
                for v in layer["encoding"].values():
                    for f in (v if isinstance(v, list) else [v]):
                        if isinstance(f, dict) and "field" in f:
                            assert f["field"] in cols | made, (key, f["field"])


# ---------------------------------------------------------------------------- (c) parity

def transforms(d: dict) -> list[dict]:
    layers = [layer.get("transform", []) for layer in d["layer"]]
    assert all(t == layers[0] for t in layers)
    return layers[0]


def test_static_rebase_transforms(views):
    t = transforms(spec(views["rebased"]["chart"]))
    assert t[1] == {"filter": "time(datum.date) >= time(toDate(base))"}
    assert t[3] == {"window": [{"op": "first_value", "field": "close", "as": "first"}],
                    "groupby": ["symbol"], "sort": [{"field": "date"}]}
    assert t[4] == {"calculate": "100 * datum.close / datum.first", "as": "rebased"}


def test_static_drawdown_transforms(views):
    t = transforms(spec(views["drawdowns"]["chart"]))
    assert t[1] == {"filter": "time(datum.date) >= time(toDate(start))"}
    assert t[3] == {"window": [{"op": "max", "field": "close", "as": "peak"}],
                    "frame": [None, 0], "groupby": ["symbol"], "sort": [{"field": "date"}]}
    assert t[4] == {"calculate": "datum.close / datum.peak - 1", "as": "drawdown"}


def browser(frame: pd.DataFrame, base: str, kind: str) -> pd.DataFrame:
    """The static chart's transforms, done with pandas on the static frame."""
    f = frame.assign(ts=pd.to_datetime(frame["date"]))
    f = f[f["ts"] >= pd.Timestamp(base)].sort_values(["symbol", "ts"])
    g = f.groupby("symbol")["close"]
    if kind == "rebased":
        value = 100 * f["close"] / g.transform("first")
    else:
        value = f["close"] / g.cummax() - 1
    return f.assign(**{kind: value})[["date", "symbol", kind]]


def kernel_frame(box, base: str, symbols) -> pd.DataFrame:
    """What the kernel explorer draws for these controls (its chart's data)."""
    control(box, ipw.SelectMultiple).value = tuple(symbols)
    control(box, ipw.DatePicker).value = dt.date.fromisoformat(base)
    chart = box.render()
    assert isinstance(chart, alt.TopLevelMixin), chart
    return dataset(spec(chart))


PARITY_BASES = ch1.BASES + ["2025-11-22", "2025-11-27", "2025-06-27"]
PARITY_SYMBOLS = [tuple(ch1.EVENT), ("NDX", "BTC-USD"), ("HSI", "GC=F", "VIX")]


@pytest.mark.parametrize("kind, explore", [("rebased", ch1.explore_rebased),
                                           ("drawdown", ch1.explore_drawdowns)])
def test_static_and_kernel_parity(views, kind, explore):
    static_frame = views["rebased" if kind == "rebased" else "drawdowns"]["frame"]
    box = explore()
    for base, symbols in itertools.product(PARITY_BASES, PARITY_SYMBOLS):
        static = browser(static_frame[static_frame.symbol.isin(symbols)], base, kind)
        # the kernel computation with riskoff.metrics, and the explorer's drawn data
        fn = metrics.rebase if kind == "rebased" else metrics.drawdown
        # Declared partial last days (riskoff.catalog) are left out on both sides.
        computed = metrics.tidy(fn(ch1._complete_closes(list(symbols)), base), kind)
        drawn = kernel_frame(box, base, symbols)
        for other in (computed, drawn):
            m = static.merge(other, on=["date", "symbol"], how="outer", indicator=True,
                             suffixes=("_static", "_kernel"))
            assert (m["_merge"] == "both").all(), (base, symbols, m[m["_merge"] != "both"])
            np.testing.assert_allclose(m[f"{kind}_static"], m[f"{kind}_kernel"], rtol=1e-12,
                                       atol=1e-15, err_msg=f"{kind} {base} {symbols}")
        if kind == "rebased":
            first = static.groupby("symbol")["rebased"].first()
            assert np.allclose(first, 100)


def test_static_rebased_first_value_by_hand(views):
    frame = views["rebased"]["frame"]
    r = browser(frame, "2025-11-22", "rebased").set_index(["date", "symbol"])["rebased"]
    # NDX did not trade on Sat 22 Nov: its first value on/after the base is Mon 24 Nov
    assert r["2025-11-24", "NDX"] == pytest.approx(100)
    assert r["2025-11-28", "NDX"] == pytest.approx(
        close("NDX", "2025-11-28") / close("NDX", "2025-11-24") * 100)
    assert r["2025-11-23", "BTC-USD"] == pytest.approx(
        close("BTC-USD", "2025-11-23") / close("BTC-USD", "2025-11-22") * 100)


def test_who_fell_static_filter_equals_kernel_grid(views):
    d = spec(views["who-fell-most"]["chart"])
    assert transforms(d)[1] == {"filter": "datum.date === session && datum.measure === measure"}
    static = dataset(d)
    box = ch1.explore_who_fell()
    control(box, ipw.SelectMultiple).value = tuple(ch1.EVENT)
    for date, measure in itertools.product(ch1.SESSIONS, MEASURES):
        control(box, ipw.DatePicker).value = dt.date.fromisoformat(date)
        control(box, ipw.Dropdown, "Measure").value = measure
        chart = box.render()
        assert isinstance(chart, alt.TopLevelMixin), (date, measure, chart)
        kernel = dataset(spec(chart)).set_index("symbol")["value"]
        picked = static[(static.date == date) & (static.measure == measure)]
        picked = picked.set_index("symbol")["value"]
        pd.testing.assert_series_equal(picked.astype(float), kernel.astype(float),
                                       check_names=False)


# ---------------------------------------------------------------------------- (d) grids

def test_who_fell_static_grid_is_complete(views):
    grid = dataset(spec(views["who-fell-most"]["chart"]))
    combos = set(zip(grid["date"], grid["symbol"], grid["measure"]))
    assert combos == set(itertools.product(ch1.SESSIONS, ch1.EVENT, MEASURES))
    assert len(grid) == len(combos)
    pd.testing.assert_frame_equal(views["who-fell-most"]["frame"],
                                  metrics.scoreboard(ch1.EVENT, ch1.SESSIONS))


def test_kernel_scoreboard_is_metrics_scoreboard_on_every_day():
    # The who-fell explorer's redraw reads positions, not labels: the same frame, every value.
    symbols = [*ch1.EVENT, "MSFT", "OWL", "HYG"]
    days = [*pd.date_range("2024-12-20", "2026-01-10"), "2025-11-20", "1990-01-02", "2030-01-01"]
    for day in days:
        pd.testing.assert_frame_equal(ch1._scoreboard_day(symbols, day),
                                      metrics.scoreboard(symbols, [day]), check_exact=True)


def test_who_fell_kernel_grid_is_one_date_and_measure():
    box = ch1.explore_who_fell()
    control(box, ipw.DatePicker, "Session").value = dt.date(2025, 11, 21)
    control(box, ipw.Dropdown, "Measure").value = "high_close"
    control(box, ipw.SelectMultiple, "Assets").value = ("NDX", "NVDA", "HSI")
    grid = dataset(spec(box.render()))
    assert set(grid["date"]) == {"2025-11-21"} and set(grid["measure"]) == {"high_close"}
    assert list(grid["symbol"]) == ["NDX", "NVDA", "HSI"]
    v = grid.set_index("symbol")["value"]
    assert v["NVDA"] == pytest.approx(178.88 / 184.56 - 1, rel=1e-12)
    assert pd.isna(v["HSI"])


# ---------------------------------------------------------------------------- (e) explorers

EXPLORERS = [ch1.explore_who_fell, ch1.explore_rebased, ch1.explore_drawdowns]


@pytest.mark.parametrize("explore", EXPLORERS)
def test_explorer_is_a_vbox_with_render(explore):
    box = explore()
    assert isinstance(box, ipw.VBox)
    assert callable(box.render)
    assert isinstance(box.render(), alt.TopLevelMixin)
    assert isinstance(list(walk(box))[-1], ipw.Output)


@pytest.mark.parametrize("explore", EXPLORERS)
def test_explorer_empty_selection_is_a_sentence(explore):
    box = explore()
    control(box, ipw.SelectMultiple, "Assets").value = ()
    assert box.render() == "Pick at least one asset."


@pytest.mark.parametrize("explore", EXPLORERS)
def test_explorer_no_date_is_a_sentence(explore):
    box = explore()
    control(box, ipw.DatePicker).value = None
    assert box.render() == "Pick a date."


@pytest.mark.parametrize("measure", MEASURES)
def test_who_fell_thanksgiving_us_only_is_a_sentence(measure):
    box = ch1.explore_who_fell()
    control(box, ipw.DatePicker, "Session").value = dt.date(2025, 11, 27)
    control(box, ipw.Dropdown, "Measure").value = measure
    control(box, ipw.SelectMultiple, "Assets").value = ("NDX", "GSPC", "NVDA", "GC=F")
    out = box.render()
    assert isinstance(out, str) and "27 Nov 2025" in out


def test_who_fell_thanksgiving_with_hong_kong_is_a_chart():
    box = ch1.explore_who_fell()
    control(box, ipw.DatePicker, "Session").value = dt.date(2025, 11, 27)
    control(box, ipw.SelectMultiple, "Assets").value = ("NDX", "HSI")
    grid = dataset(spec(box.render()))
    v = grid.set_index("symbol")["value"]
    assert pd.isna(v["NDX"])
    assert v["HSI"] == pytest.approx(close("HSI", "2025-11-27") / close("HSI", "2025-11-26") - 1)


def test_who_fell_sentence_does_not_claim_a_traded_market_was_closed():
    box = ch1.explore_who_fell()
    control(box, ipw.DatePicker, "Session").value = dt.date(2025, 11, 20)
    control(box, ipw.Dropdown, "Measure").value = "high_close"
    control(box, ipw.SelectMultiple, "Assets").value = ("HSI",)
    out = box.render()
    assert not (isinstance(out, str) and "traded" in out and "None" in out), out


def test_who_fell_day_after_all_data_is_a_sentence():
    box = ch1.explore_who_fell()
    control(box, ipw.DatePicker, "Session").value = dt.date(2030, 1, 2)
    assert isinstance(box.render(), str)


def test_drawdowns_base_after_all_data_is_a_sentence():
    box = ch1.explore_drawdowns()
    control(box, ipw.DatePicker, "Peak from").value = dt.date(2030, 1, 1)
    out = box.render()
    assert isinstance(out, str) and "01 Jan 2030" in out


def test_rebased_base_after_all_data_is_a_sentence():
    box = ch1.explore_rebased()
    control(box, ipw.DatePicker, "Base date").value = dt.date(2030, 1, 1)
    out = box.render()
    assert isinstance(out, str) and "01 Jan 2030" in out


@pytest.mark.parametrize("explore, label", [(ch1.explore_rebased, "Base date"),
                                            (ch1.explore_drawdowns, "Peak from")])
def test_paths_base_on_a_holiday_is_a_chart(explore, label):
    box = explore()
    control(box, ipw.SelectMultiple, "Assets").value = ("NDX", "NVDA")
    control(box, ipw.DatePicker, label).value = dt.date(2025, 11, 27)
    frame = dataset(spec(box.render()))
    first = frame.sort_values("date").groupby("symbol").first()
    assert list(first["date"]) == ["2025-11-28", "2025-11-28"]
    col = "rebased" if label == "Base date" else "drawdown"
    assert list(first[col]) == ([100.0, 100.0] if col == "rebased" else [0.0, 0.0])


def test_setting_controls_redraws_without_error(capsys):
    # Changing a value triggers the explorer's observer (redraw into its Output).
    box = ch1.explore_rebased()
    control(box, ipw.DatePicker, "Base date").value = dt.date(2030, 1, 1)
    control(box, ipw.SelectMultiple, "Assets").value = ()
    control(box, ipw.SelectMultiple, "Assets").value = ("NDX",)


# ---------------------------------------------------------------------------- (f) caption, publish

def test_caption_markdown_with_as_of(monkeypatch):
    monkeypatch.chdir(REPO / "chapters")  # a chapter's kernel runs in its folder
    md = Caption(["NDX", "BTC-USD"], as_of="2025-11-21", note="A note.").markdown("who")
    assert "**Data as of** 21 Nov 2025." in md
    assert "[Download the data behind this chart (CSV)](../_static/downloads/who.csv)" in md
    assert "Nasdaq-100, Bitcoin" in md and "A note." in md
    monkeypatch.chdir(REPO)  # the front page's kernel runs at the book's root
    assert "(_static/downloads/who.csv)" in Caption(["NDX"]).markdown("who")
    assert md.index("Source") < md.index("Data as of") < md.index("A note.") < md.index("Download")


def test_caption_markdown_as_of_from_the_cache():
    md = Caption(["NDX", "BTC-USD"]).markdown("x")
    # By hand: the last CSV rows are NDX 13 Jul 2026 and BTC 21 Aug 2026, both declared
    # partial days, so each series is as of the row before, and the two dates are named.
    assert [r[0] for r in rows("NDX")[-2:]] == ["2026-07-10", "2026-07-13"]
    assert "**Data as of**, each series to its own last date: Nasdaq-100 10 Jul 2026; " \
           "Bitcoin 20 Aug 2026." in md
    one = Caption(["NVDA"]).markdown("x")
    assert f"**Data as of** {pd.Timestamp(rows('NVDA')[-1][0]).day} May 2026." in one


def test_caption_markdown_published_and_no_csv():
    md = Caption(published=["crypto_liquidations_2025-11-21"]).markdown(None)
    assert "**Published figures, not our data:**" in md
    # Sources are named links (publisher, date), not bare addresses.
    assert "[MEXC News, 21 Nov 2025](https://www.mexc.com/news/179024)" in md
    assert "<https://" not in md
    assert "Download" not in md and "Data as of" not in md


@pytest.fixture
def downloads(tmp_path, monkeypatch):
    target = tmp_path / "downloads"
    monkeypatch.setattr(cbase, "DOWNLOADS", target)
    shown = []
    import IPython.display
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kw: shown.extend(objs))
    return target, shown


def test_publish_writes_csv_and_figure(downloads, monkeypatch):
    monkeypatch.chdir(REPO / "chapters")
    target, shown = downloads
    real = REPO / "_static" / "downloads" / "throwaway-test.csv"
    grid = metrics.scoreboard(["NDX", "HSI"], ["2025-11-20"])
    chart = market.who_fell(grid)
    publish(chart, grid, "throwaway-test", Caption(["NDX", "HSI"], as_of="2025-11-20"),
            alt_text="Finding & \"quote\".")
    path = target / "throwaway-test.csv"
    assert path.is_file() and not real.exists()
    back = pd.read_csv(path)
    assert list(back.columns) == list(grid.columns) and len(back) == len(grid)
    np.testing.assert_allclose(back["value"], grid["value"], rtol=1e-5)
    assert back["value"].isna().sum() == grid["value"].isna().sum()
    assert "\r" not in path.read_text()
    (html,) = shown
    body = html.data
    assert 'role="figure"' in body
    assert 'aria-label="Finding &amp; &quot;quote&quot;."' in body
    assert "<figcaption>" in body and "Data as of" in body
    assert f'href="{cbase.downloads_link()}/throwaway-test.csv"' in body
    assert '"description": "Finding & \\"quote\\"."' in body


def test_publish_csv_keeps_cached_prices(downloads):
    target, _ = downloads
    frame = metrics.tidy(rdata.closes(["NDX", "BTC-USD"], start="2025-10-01",
                                      end="2025-11-21"), "close")
    publish(market.rebased(frame, base_options=["2025-10-01"]), frame, "throwaway-prices",
            Caption(["NDX"]), alt_text="x")
    back = pd.read_csv(target / "throwaway-prices.csv", dtype={"date": str})
    for d, s, c in zip(back["date"], back["symbol"], back["close"]):
        assert c == close(s, d), (d, s, c, close(s, d))


# ---------------------------------------------------------------------------- (g) alt texts

def hand_day(sym: str, date: str) -> float | None:
    prev = None
    for d, c in rows(sym):
        if d == date:
            return None if prev is None else c / prev - 1
        prev = c
    return None


def _who_fell_says(grid, date, measure="day"):
    return ch1._who_fell_words(grid)({"session": date, "measure": measure}).takeaway


def test_biggest_fall_names_ether():
    grid = metrics.scoreboard(ch1.EVENT, ["2025-11-20"])
    text = _who_fell_says(grid, "2025-11-20")
    moves = {s: hand_day(s, "2025-11-20") for s in ch1.EVENT}
    moves = {s: v for s, v in moves.items() if v is not None}
    worst, best = min(moves, key=moves.get), max(moves, key=moves.get)
    assert worst == "ETH-USD" and best == "VIX"
    assert text == (f"Day move on 20 Nov 2025: the largest fall was Ether's "
                    f"{minus(f'{moves[worst]:+.2%}')}; the largest rise {name(best)}'s "
                    f"{moves[best]:+.2%}.")
    assert "Ether's \u22126.33%" in text


def test_biggest_fall_21_nov():
    grid = metrics.scoreboard(ch1.EVENT, ch1.SESSIONS)
    text = _who_fell_says(grid, "2025-11-21")
    moves = {s: hand_day(s, "2025-11-21") for s in ch1.EVENT}
    moves = {s: v for s, v in moves.items() if v is not None}
    worst, best = min(moves, key=moves.get), max(moves, key=moves.get)
    assert f"{name(worst)}'s {minus(f'{moves[worst]:+.2%}')}" in text
    assert f"{name(best)}'s {minus(f'{moves[best]:+.2%}')}" in text


def test_who_fell_words_for_every_state_name_that_states_extremes(views):
    """The table holds every (session, measure); each entry's sentence names the state's
    own largest fall, so a moved control never leaves a stale sentence."""
    w, grid = views["who-fell-most"]["words"], views["who-fell-most"]["frame"]
    assert len(w.table) == len(ch1.SESSIONS) * len(MEASURES)
    for key, entry in w.table.items():
        date, measure = key.split("|")
        rows = grid[(grid.date == date) & (grid.measure == measure)].dropna(subset=["value"])
        worst = rows.loc[rows.value.idxmin()]
        assert f"{name(worst.symbol)}'s {minus(f'{worst.value:+.2%}')}" in entry["takeaway"][0], key
        assert date_label(date) in entry["title"].replace("\n", " "), key


def test_who_fell_view_alt_text_and_caption(views):
    v = views["who-fell-most"]
    assert v["alt_text"] == _who_fell_says(v["frame"], "2025-11-20")
    assert "Ether" in v["alt_text"]
    assert v["caption"].as_of == ch1.SESSIONS[-1]
    assert list(v["caption"].symbols) == ch1.EVENT


SHOWN = ("NDX", "NVDA", "BTC-USD", "GC=F")   # the paths charts' ticked series by default


def test_rebased_view_alt_text(views):
    levels = {}
    for s in ch1.EVENT:
        base = next(c for d, c in rows(s) if d >= "2024-12-31")
        # The last complete row: a declared partial last day (riskoff.catalog) is left out.
        last = rows(s)[-2] if rows(s)[-1][0] == SERIES[s].partial_last else rows(s)[-1]
        levels[s] = last[1] / base * 100
    shown = {s: v for s, v in levels.items() if s in SHOWN}
    top, low = max(shown, key=shown.get), min(shown, key=shown.get)
    assert views["rebased"]["alt_text"] == (
        f"Rebased to 100 on 31 Dec 2024, at each series' last cached close: {name(top)} "
        f"stands highest at {levels[top]:.0f} and {name(low)} lowest at {levels[low]:.0f}.")
    # Tick every series: the sentence follows (Ether, not ticked by default, is lowest).
    w = views["rebased"]["words"]
    every = {n: True for _, n in w.toggles}
    bottom = min(levels, key=levels.get)
    assert f"{name(bottom)} lowest at {levels[bottom]:.0f}." in w.takeaway(ticks=every)
    assert w.title(ticks=every).endswith("9 of 9 assets shown")
    assert w.title().endswith("4 of 9 assets shown")


def test_drawdowns_view_alt_text(views):
    deepest = {}
    for s in [s for s in ch1.EVENT if s != "VIX"]:  # a volatility index is not a market
        peak, worst = None, 0.0
        for d, c in rows(s):
            if "2024-12-31" <= d <= "2025-11-21":
                peak = c if peak is None else max(peak, c)
                worst = min(worst, c / peak - 1)
        deepest[s] = worst
    ticked = {s: v for s, v in deepest.items() if s in SHOWN}
    sym = min(ticked, key=ticked.get)
    assert sym != "ETH-USD"   # the old sentence named Ether, which is not ticked
    assert views["drawdowns"]["alt_text"] == minus_signs(
        f"Measured from 31 Dec 2024 to 21 Nov 2025, the deepest fall below its "
        f"running peak close was {name(sym)}'s {deepest[sym]:.1%}.")
    w = views["drawdowns"]["words"]
    every = {n: True for _, n in w.toggles}
    worst = min(deepest, key=deepest.get)
    assert minus_signs(f"was {name(worst)}'s {deepest[worst]:.1%}.") in w.takeaway(ticks=every)
    assert "no market is ticked" in w.takeaway(ticks={})


def test_scoreboard_table():
    t = ch1.scoreboard_table()
    assert t.shape == (len(ch1.EVENT), len(MEASURES))
    assert list(t.index) == [name(s) for s in ch1.EVENT]
    assert t.loc["Nasdaq-100", "Day move"] == minus(f"{24054.38 / 24640.52 - 1:+.2%}")
    assert t.loc["Hang Seng Index", "Intraday high to close"] == "no intraday high published"
