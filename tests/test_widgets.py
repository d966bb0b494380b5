"""riskoff.widgets: both output modes, renderer return shapes, explorers' saved repr, and the
fallback picture committed charts carry (and the site build drops)."""
from __future__ import annotations

import datetime as dt
import re

import altair as alt
import ipywidgets as ipw
import pandas as pd
import pytest

from riskoff import sphinxext, widgets
from riskoff.charts import base


def _chart():
    return alt.Chart(pd.DataFrame({"x": [1, 2, 3], "y": [3, 1, 2]})).mark_line().encode(
        x="x:Q", y="y:Q").properties(description="A line")


@pytest.fixture
def live(monkeypatch):
    monkeypatch.delenv(widgets.OUTPUT_ENV, raising=False)


@pytest.fixture
def book(monkeypatch):
    monkeypatch.setenv(widgets.OUTPUT_ENV, "book")


@pytest.fixture
def renderer():
    before = alt.renderers.active, dict(alt.renderers.options)
    yield
    alt.renderers.enable(before[0], **before[1])


def test_mode_follows_the_environment(monkeypatch):
    monkeypatch.setenv(widgets.OUTPUT_ENV, "book")
    assert not widgets.live()
    monkeypatch.setenv(widgets.OUTPUT_ENV, "")
    assert widgets.live()
    monkeypatch.delenv(widgets.OUTPUT_ENV)
    assert widgets.live()


@pytest.mark.parametrize("name, options, mime", [
    ("default", {}, "text/html"),
    ("html", {}, "text/html"),
    ("mimetype", {}, "application/vnd.vegalite.v6.json"),  # returns (bundle, metadata)
    ("jupyter", {"offline": True}, "application/vnd.jupyter.widget-view+json"),
])
def test_bundle_and_chart_html_take_any_renderer(renderer, name, options, mime):
    alt.renderers.enable(name, **options)
    assert mime in widgets.bundle(_chart())
    html = base.chart_html(_chart())  # always Altair's HTML, with the book's embed options
    assert re.search(r'<div id="altair-viz-[0-9a-f]+"></div>', html)
    assert '"renderer": "svg"' in html


def test_mimebundle_rejects_what_is_not_a_bundle():
    assert widgets.mimebundle(({"text/plain": "x"}, {})) == {"text/plain": "x"}
    with pytest.raises(TypeError, match="alt.renderers.enable"):
        widgets.mimebundle("<p>")


def test_fallback_picture_inside_the_container_and_dropped_by_the_site_build():
    chart = _chart()
    plain = base.chart_html(chart)
    with_png = base.chart_html(chart, fallback_png=base.png(chart))
    img = re.search(r'<div id="altair-viz-[0-9a-f]+">(<img [^>]+>)</div>', with_png).group(1)
    assert 'class="riskoff-fallback"' in img and 'alt="A line"' in img
    assert img.split('src="')[1].startswith("data:image/png;base64,iVBOR")  # a PNG
    context = {"body": with_png}
    sphinxext._drop_fallback_images(None, "p", "t", context, None)
    ids = re.compile(r"altair-viz-[0-9a-f]+")
    assert ids.sub("ID", context["body"]) == ids.sub("ID", plain)


def test_live_explorer_keeps_one_chart_widget_and_sends_it_specs(live):
    value = ipw.IntSlider(value=2, min=0, max=3, description="Decision day of the month")
    shown = []

    def render():
        shown.append(value.value)
        if value.value == 0:
            return "Nothing to draw for 0."
        chart = _chart().transform_filter(f"datum.x <= {value.value}")
        return (chart, "Series Z has no bars.") if value.value == 3 else chart

    box = widgets.explorer([value], render)
    note, view = _live_parts(box)
    first = view.spec
    assert first["transform"] == [{"filter": "datum.x <= 2"}]
    assert view.layout.display in (None, "")
    value.value = 1
    assert _live_parts(box)[1] is view  # the same widget, a new spec
    assert view.spec["transform"] == [{"filter": "datum.x <= 1"}]
    value.value = 0
    assert view.layout.display == "none" and "Nothing to draw for 0." in note.value
    value.value = 3
    assert view.layout.display in (None, "") and "Series Z has no bars." in note.value
    assert note.layout.display in (None, "")
    assert value.style.description_width == "initial"  # the label is not cut


def _live_parts(box):
    return box._riskoff_note, box._riskoff_view()


def test_book_explorer_displays_html(book, monkeypatch):
    shown = []
    monkeypatch.setattr(widgets, "display", lambda obj, **kw: shown.append((obj, kw)))
    value = ipw.Dropdown(options=[1, 2], value=1, description="Pick")
    widgets.explorer([value], lambda: _chart() if value.value == 1 else "A sentence.")
    assert "text/html" in shown[-1][0] and shown[-1][1] == {"raw": True}
    value.value = 2
    assert isinstance(shown[-1][0], ipw.HTML) and "A sentence." in shown[-1][0].value


def test_explorer_saved_output_says_to_run_the_cell(book):
    box = widgets.explorer([ipw.Dropdown(options=[1], description="x")], lambda: "Nothing.")
    assert box._repr_mimebundle_()["text/plain"] == widgets.RUN_ME
    assert "VBox" not in repr(box)


def test_before_start_names_the_first_cached_day():
    first = widgets.first_date(["NDX"])
    assert widgets.before_start(first, ["NDX"]) is None
    text = widgets.before_start(dt.date(1990, 1, 2), ["NDX"], "session")
    assert text == (f"The cached data starts on {first.day} {first:%b %Y}: pick a session on "
                    f"or after that (not 2 Jan 1990).")
    assert "drawn from there" in widgets.before_start(dt.date(1990, 1, 2), ["NDX"], drawn=True)
    assert widgets.missing_note(["NDX", "GSPC"], ["NDX"], "Sat 22 Nov 2025") == (
        "No bars on Sat 22 Nov 2025 for S&P 500: not drawn.")


# ---------------------------------------------------------------------------- fast spec

def _same_spec(chart):
    """widgets.spec() is Altair's to_dict(validate=False), key order included."""
    import json

    fast = json.dumps(widgets.spec(chart))
    assert fast == json.dumps(chart.to_dict(validate=False))
    return fast


def test_records_are_altairs_for_every_dtype():
    from altair.utils.core import sanitize_pandas_dataframe

    nan, inf = float("nan"), float("inf")
    frames = [
        pd.DataFrame({"f": [1.5, nan, inf, -inf, 0.1], "i": [1, 2, 3, 4, 5],
                      "b": [True, False, True, False, True],
                      "s": ["a", None, "c", "d", "e"], "f32": pd.array([1, 2, 3, 4, 5], "float32"),
                      "u": pd.array([1, 2, 3, 4, 2**63], "uint64")}),
        pd.DataFrame({"o": pd.Series([1, "x", None, nan, 2.5], dtype=object), "n": range(5)}),
        pd.DataFrame({"d": pd.to_datetime(["2025-11-20 00:00", None, "2025-11-21 14:30"])}),
        pd.DataFrame({"c": pd.Categorical(["a", "b", None]), "I": pd.array([1, None, 3], "Int64")}),
        pd.DataFrame({"s": pd.Series(["a", None], dtype="string")}),
        pd.DataFrame({"of": pd.Series([1.5, None], dtype=object), "x": [1.0, 2.0],  # inferred
                      "ot": pd.Series([pd.Timestamp("2025-11-20"), None], dtype=object),
                      "oa": pd.Series([__import__("numpy").arange(2), "t"], dtype=object)}),
        pd.DataFrame({"x": [], "y": []}),
        pd.DataFrame([[1, 2]]),  # RangeIndex columns
    ]
    for frame in frames:
        want = sanitize_pandas_dataframe(frame).to_dict(orient="records")
        got = widgets.records(frame)
        assert repr(got) == repr(want), frame.dtypes  # repr: NaN, None and int/float kept apart


def test_fast_spec_is_altairs_for_layers_sharing_data_and_not():
    df = pd.DataFrame({"x": [1, 2, 3], "y": [3.0, float("nan"), 2.0], "s": ["a", "b", "c"]})
    other = pd.DataFrame({"x": [2], "label": ["two"]})
    line = alt.Chart(df).mark_line().encode(x="x:Q", y="y:Q")
    dots = alt.Chart(df).mark_point().encode(x="x:Q", y="y")  # type from the data
    text = alt.Chart(other).mark_text().encode(x="x:Q", text="label:N")
    rule = alt.Chart().mark_rule().encode(y=alt.datum(0))  # no data: Altair's empty dataset
    values = alt.Chart({"values": [{"x": 1}, {"x": 2}]}).mark_tick().encode(x="x:Q")
    for chart in [
        line,
        alt.layer(line, dots, width="container", height=300),
        base.kernel_layer(line, dots, text, rule, width="container", height=300),
        base.kernel_layer(base.kernel_layer(line, dots), text, values, title="T"),
        base.kernel_layer(line, base.kernel_layer(line, dots, data=df), data=df),
        alt.layer(line, rule, data=df).properties(description="d"),
        alt.layer(line, dots).add_params(alt.param(name="p", value=1)),  # params: Altair's path
        alt.layer(line, dots.properties(width=200)),  # a layer's width: Altair's path
        alt.hconcat(line, dots),
    ]:
        _same_spec(chart)


def test_layers_made_during_a_redraw_skip_altairs_copies_and_alt_layer_is_restored(book):
    df = pd.DataFrame({"x": [1, 2], "y": [2, 1]})
    line = alt.Chart(df).mark_line().encode(x="x:Q", y="y:Q")
    made = []

    def render():
        chart = alt.layer(line, line.mark_point(), line.mark_rule())
        made.append(chart)
        if len(made) == 2:
            raise ValueError("no data for this")
        return chart

    value = ipw.Dropdown(options=[1, 2], value=1, description="Pick")
    original = alt.layer
    box = widgets.explorer([value], render)
    assert made[0].layer[0] is line  # not a copy (kernel_layer); spec() lifts the data
    assert alt.layer is original
    assert '"datasets"' in _same_spec(made[0])
    with pytest.raises(ValueError):
        box.render()
    assert alt.layer is original


def _states(box):
    """Each control's value in turn: its options, or a date a month and a year back."""
    yield None
    for ctl in box.controls:
        original = ctl.value
        if isinstance(ctl, ipw.SelectMultiple):
            opts = [o[1] for o in ctl.options]
            choices = [tuple(opts[:1]), tuple(opts)]
        elif hasattr(ctl, "options"):
            choices = [o[1] if isinstance(o, tuple) else o for o in ctl.options][:4]
        elif isinstance(ctl, ipw.DatePicker) and ctl.value:
            choices = [ctl.value - dt.timedelta(days=d) for d in (30, 365)]
        elif hasattr(ctl, "min") and hasattr(ctl, "max"):
            choices = [ctl.min, ctl.max]
        else:
            choices = [not ctl.value] if isinstance(ctl.value, bool) else []
        for value in choices:
            try:
                ctl.value = value
            except Exception:
                continue
            yield ctl.description, value
        ctl.value = original


def test_every_explorer_gets_altairs_spec_in_every_state(live, capsys):
    import importlib

    checked = 0
    for n in range(1, 6):
        mod = importlib.import_module(f"riskoff.ch{n}")
        for name in sorted(n for n in dir(mod) if n.startswith("explore_")):
            box = getattr(mod, name)()
            for state in _states(box):
                try:
                    out = box.render()
                except ValueError:
                    continue
                out = out[0] if isinstance(out, tuple) else out
                if hasattr(out, "to_dict"):
                    _same_spec(out)
                    checked += 1
    assert checked > 100


# ---------------------------------------------------------------- redraw fast paths (issue 15)
# Each equals the plain pandas steps it replaced, on real series and on the edge cases.

def _tidy_by_melt(wide, value):
    out = wide.rename_axis("date").reset_index().melt("date", var_name="symbol",
                                                      value_name=value).dropna()
    out["date"] = pd.to_datetime(out["date"]).dt.strftime("%Y-%m-%d")
    return out.reset_index(drop=True)


def test_tidy_is_melts_rows_in_melts_order():
    import numpy as np

    from riskoff import data, metrics

    symbols = ["NVDA", "BTC-USD", "DGS10", "VIX"]
    holes = data.closes(symbols)
    holes.iloc[3, :] = np.nan
    objects = data.closes(symbols)
    objects.columns = pd.Index(list(objects.columns), dtype=object)
    cases = [data.closes(symbols), data.closes(symbols, start="2025-11-01"), holes, objects,
             metrics.drawdown(data.closes(symbols), "2025-01-01"), data.closes(symbols[:1]),
             data.closes(symbols, start="2030-01-01"), data.closes(symbols).iloc[:, :0],
             data.closes(symbols).tz_localize("UTC"), data.closes(symbols).rename_axis("day")]
    for wide in cases:
        assert metrics._tidy_floats(wide, "close") is not None
        pd.testing.assert_frame_equal(metrics.tidy(wide, "close"), _tidy_by_melt(wide, "close"),
                                      check_exact=True)
    ints = data.closes(symbols).assign(NVDA=1)
    assert metrics._tidy_floats(ints, "close") is None  # melt's own way
    pd.testing.assert_frame_equal(metrics.tidy(ints, "close"), _tidy_by_melt(ints, "close"))


def test_cross_correlation_is_pandas_per_lag():
    import numpy as np

    from riskoff import ch4, drivers

    def by_pandas(rets, max_lag, start=None, end=None):
        win = rets.loc[pd.Timestamp(start) if start else None: pd.Timestamp(end) if end else None]
        rows = []
        for lag in range(-max_lag, max_lag + 1):
            pair = pd.DataFrame({"us": win["us"], "btc": win["btc"].shift(lag)}).dropna()
            rows.append({"lag": lag, "corr": float(pair["us"].corr(pair["btc"]))
                         if len(pair) > 2 else float("nan"), "n": len(pair)})
        return pd.DataFrame(rows)

    rets = ch4._rets()
    holes = rets.copy()
    holes.iloc[5, 1] = holes.iloc[9, 0] = np.nan
    for frame, lag, start, end in [(rets, 30, None, None), (rets, 5, "2025-01-02", "2025-11-19"),
                                   (rets, 10, "2025-10-01", "2025-10-10"), (rets.iloc[:3], 5, None,
                                   None), (holes, 5, None, None), (rets, 0, "2026-01-01", None)]:
        pd.testing.assert_frame_equal(drivers.cross_correlation(frame, lag, start, end),
                                      by_pandas(frame, lag, start, end), check_exact=True)


def test_session_bars_pick_new_york_wall_clock_hours_on_every_day():
    from riskoff import data, intraday

    for symbol in ["NVDA_1h", "SPX_5m"]:
        bars = data.series(symbol)
        wall = intraday.to_new_york(bars.index).tz_localize(None)
        days = sorted({f"{t:%Y-%m-%d}" for t in wall}) + ["2025-03-09", "2025-11-02"]
        for day in days:
            out = intraday.session_bars(bars, day, intraday.interval_of(symbol))
            midnight = pd.Timestamp(day)
            keep = ((wall >= midnight + pd.Timedelta(hours=9, minutes=30)) &
                    (wall <= midnight + pd.Timedelta(hours=16)))
            assert out["close"].tolist() == bars.loc[keep, "close"].tolist(), (symbol, day)
            assert list(out["start"]) == list(intraday.to_new_york(bars.index[keep]))
    with pytest.raises(ValueError, match="time zone"):
        intraday.session_bars(data.series("NVDA_1h").tz_localize(None), "2025-11-20",
                              pd.Timedelta(hours=1))


def test_series_hands_out_a_frame_whose_changes_never_reach_the_cache():
    from riskoff import data

    before = data.series("NVDA")
    changes = [lambda d: d.__setitem__("close", d["close"] * 2),
               lambda d: d.loc.__setitem__((d.index[0], "close"), -1.0),
               lambda d: d.iloc.__setitem__((0, 0), -1.0),
               lambda d: d["close"].__setitem__(d.index[0], -1.0),
               lambda d: setattr(d.index, "name", "changed"),
               lambda d: setattr(d, "columns", [f"c{i}" for i in range(d.shape[1])]),
               lambda d: d.fillna(0.0, inplace=True), lambda d: d.update(d * 0)]
    for change in changes:
        change(data.series("NVDA"))
        for write in (lambda d: d.to_numpy().__setitem__((0, 0), -1.0),  # a new array
                      lambda d: d["close"].to_numpy().__setitem__(0, -1.0),
                      lambda d: d.index.to_numpy().__setitem__(0, d.index[1])):
            try:
                write(data.series("NVDA"))
            except ValueError:  # a read-only view of the frame's own array
                pass
        after = data.series("NVDA")
        pd.testing.assert_frame_equal(after, before, check_exact=True)
        assert after.index.name == before.index.name


@pytest.mark.parametrize("lang", ["en", "zh-Hant"])
def test_reversal_day_is_the_pandas_frame_on_every_day(monkeypatch, lang):
    """ch3's explorer frame by arrays equals session_bars + reversal_frame's, on every cached
    session and days without one, any instruments in any order."""
    import itertools

    from riskoff import ch3, data, intraday

    monkeypatch.setenv("RISKOFF_LANG", lang)
    days = sorted({f"{t:%Y-%m-%d}" for s in ch3.INTRADAY
                   for t in intraday.to_new_york(data.series(s).index)})
    days += ["2025-11-02", "2025-11-22", "2020-01-02"]  # clocks change; a Saturday; no data
    picks = [list(c) for k in (1, 2, 4) for c in itertools.combinations(ch3.INTRADAY, k)]
    for day in days:
        for symbols in picks + [["SPX_5m", "NVDA_1h"]]:
            pd.testing.assert_frame_equal(ch3._reversal_day(symbols, day),
                                          ch3._reversal_data(symbols, [day]), check_exact=True)


def test_reversal_day_on_a_missing_price_and_a_tied_high(monkeypatch):
    """A NaN takes the pandas steps; two bars with the session's high: the first one is it."""
    from riskoff import ch3, data

    series = data.series
    holed = series("SPX_5m")
    holed.loc[holed["high"].idxmax(), "high"] = float("nan")
    tied = series("NVDA_1h")
    top = tied.loc["2025-11-20 14:00":"2025-11-20 21:00", "high"]  # the session
    tied.loc[top.index[-1], "high"] = top.max()   # a later bar reaches the same high
    for edited in ({"SPX_5m": holed}, {"NVDA_1h": tied}):  # apart: a NaN takes every series
        monkeypatch.setattr(data, "series", lambda s, *a, e=edited, **k: e[s] if s in e
                            else series(s, *a, **k))
        for day in ["2025-11-19", "2025-11-20", "2025-11-21"]:
            pd.testing.assert_frame_equal(ch3._reversal_day(ch3.INTRADAY, day),
                                          ch3._reversal_data(ch3.INTRADAY, [day]),
                                          check_exact=True)


def test_volatility_frame_is_the_concatenated_frames():
    """ch5's explorer frame from the series' arrays equals one frame per series concatenated:
    any series in any order, windows, scales, thresholds."""
    from riskoff import ch5

    symbols = ["NDX", "GSPC", "BTC-USD", "ETH-USD", "GC=F", "HSI", "NVDA", "VIX"]
    for window in (2, 21, 150):
        for pick in [symbols, symbols[:1], ["VIX", "NDX"], symbols[::-1]]:
            parts = [(s, *ch5._vol_part(s, window)) for s in pick]
            for scale in ("level", "ratio"):
                for mult in (0.1, 1.25, 10.0):
                    pd.testing.assert_frame_equal(ch5._vol_frame(parts, scale, mult),
                                                  ch5._vol_frame_pandas(parts, scale, mult),
                                                  check_exact=True)


def test_reactions_by_position_are_earnings_reactions(monkeypatch):
    """ch3's explorer table by position equals earnings_reactions on every daily series, and
    on copies with a missing close on a reaction session and on the session before it, cut
    to start after some releases or to end before the last one."""
    from riskoff import ch3, data

    series = data.series
    daily = [s for s in data.read_manifest()["series"]
             if {"open", "high", "low", "close"} <= set(series(s).columns)
             and series(s).index.tz is None]
    nvda = series("NVDA")
    sessions = [ch3.reaction_session(nvda, r) for r in ch3.releases()["release_date"]]
    sessions = [s for s in sessions if s is not None]
    hole_on, hole_before = nvda.copy(), nvda.copy()
    hole_on.loc[sessions[-1], "close"] = float("nan")
    hole_before.loc[nvda.index[nvda.index.get_loc(sessions[-2]) - 1], "close"] = float("nan")
    edited = {"hole_on": hole_on, "hole_before": hole_before,
              "late": nvda.loc[sessions[1]:], "early": nvda.loc[:sessions[-1]],
              "first_day": nvda.loc[sessions[1] - pd.Timedelta(days=1):]}
    noon = nvda.copy()   # stamped at noon and starting on a release day: that release is left out
    noon.index = noon.index + pd.Timedelta(hours=12)
    edited["noon"] = noon.loc[pd.Timestamp(ch3.releases()["release_date"].iloc[-2]):]
    monkeypatch.setattr(data, "series", lambda s, *a, **k: edited[s] if s in edited
                        else series(s, *a, **k))
    for symbol in daily + list(edited):
        pd.testing.assert_frame_equal(ch3._reactions_by_position(symbol), ch3._reactions(symbol),
                                      check_exact=True)


def test_records_json_is_json_dumps_of_the_records():
    """_records_json's two texts are json.dumps of records(frame), keys sorted and not."""
    import json

    nan, inf = float("nan"), float("inf")
    n = 300
    frames = [
        pd.DataFrame({"z": [1.5, nan, inf, -inf, -0.0, 1e300, 5e-324, 0.1, 2.0, 1e16] * 30,
                      "i": range(n), "b": [True, False] * 150,
                      "u": pd.array([2**63 + k for k in range(n)], "uint64"),
                      "s": ["a, b", None, 'q"uote', "é中", "%s", "x\\n"] * 50,
                      "%key, é": [0.5] * n, "A": ["2025-01-02"] * n}),
        pd.DataFrame({"s": pd.Series(["a", None, "b, c"] * 100, dtype="string"),
                      "f": pd.array(range(n), "float32")}),
        pd.DataFrame({"x": pd.Series([], dtype=float), "y": pd.Series([], dtype=str)}),
    ]
    for frame in frames:
        values, sorted_text, text = widgets._records_json(frame)
        assert values == widgets.records(frame) or repr(values) == repr(widgets.records(frame))
        assert sorted_text == json.dumps(values, sort_keys=True, default=str)
        assert text == json.dumps(values)
        assert widgets._dataset_name_of(sorted_text) == alt.vegalite.v6.api._dataset_name(values)
    for other in [pd.DataFrame({"d": pd.to_datetime(["2025-11-20"] * 3)}),
                  pd.DataFrame({"o": pd.Series([1, "x", None], dtype=object)}),
                  pd.DataFrame([[1, 2]])]:
        assert widgets._records_json(other) is None   # records' other ways


def test_bundle_writes_each_data_set_once_and_is_altairs_html(renderer, monkeypatch):
    """bundle() is the HTML Altair's renderer gives for the chart's to_dict (the output div's
    id apart), with the renderer's options, with json_kwds (written the plain way), and when
    the placeholder string also stands elsewhere in the spec (rendered as it is)."""
    import uuid

    ids = re.compile(r"altair-viz-[0-9a-f]+")
    days = pd.date_range("2025-01-01", periods=400).strftime("%Y-%m-%d")
    big = pd.DataFrame({"date": days, "symbol": ["A, B"] * 400, "v": range(400)})
    small = pd.DataFrame({"date": ["2025-01-05"], "label": ["five"]})
    line = alt.Chart(big).mark_line().encode(x="date:T", y="v:Q")
    chart = base.kernel_layer(line, line.mark_point(),
                              alt.Chart(small).mark_rule().encode(x="date:T"),
                              title="riskoff-dataset-" + "0" * 32)

    def altairs():
        return widgets.mimebundle(alt.renderers.get()(chart.to_dict(validate=False)))

    for options in [{}, {"embed_options": {"renderer": "svg"}}, {"json_kwds": {"indent": 1}}]:
        alt.renderers.enable("default", **options)
        got, want = widgets.bundle(chart), altairs()
        assert got.keys() == want.keys()
        assert ids.sub("ID", got["text/html"]) == ids.sub("ID", want["text/html"]), options
        assert len(widgets._spec_and_texts(chart)[1]) == 1   # the 400 rows, as text
    alt.renderers.enable("default")
    monkeypatch.setattr(uuid, "uuid4", lambda: uuid.UUID(int=0))   # the title's string
    got, want = widgets.bundle(chart)["text/html"], altairs()["text/html"]
    assert ids.sub("ID", got) == ids.sub("ID", want)
    alt.renderers.enable("mimetype")
    assert widgets.bundle(chart) == altairs()


def _file_changed(monkeypatch, symbol, frame=None):
    """As if data/ held a new file for ``symbol``: a new checksum (and ``frame``, if given)."""
    from riskoff import data

    series, info = data.series, data.info
    if frame is not None:
        monkeypatch.setattr(data, "series", lambda s, *a, **k: frame if s == symbol
                            else series(s, *a, **k))
    monkeypatch.setattr(data, "info", lambda s, *a, **k: {**info(s, *a, **k), "sha256": "new"}
                        if s == symbol else info(s, *a, **k))


def test_trend_part_is_the_position_and_is_made_again_for_a_new_file(monkeypatch):
    """ch4's trend explorer keeps each series' position per lookbacks and signal: the same
    as computing it, and computed again once the cached file (its checksum) changes."""
    from riskoff import ch4, data
    from riskoff import drivers as dr

    for looks, kind in [([20, 50, 100], "ma"), ([10], "mom"), ([5, 250], "ma")]:
        for symbol in ("GSPC", "NDX"):
            close = data.series(symbol)["close"]
            pos = dr.trend_position(close, looks, kind)
            joined, flips = ch4._trend_part(symbol, looks, kind)
            pd.testing.assert_frame_equal(
                joined, pd.DataFrame({"close": close, "pos": pos}).dropna(), check_exact=True)
            assert flips == set(dr.turns_short(pos))
    doubled = data.series("GSPC").assign(close=lambda d: d["close"] * 2)
    _file_changed(monkeypatch, "GSPC", doubled)
    joined, _ = ch4._trend_part("GSPC", [20, 50, 100], "ma")
    assert joined["close"].tolist() == doubled["close"].dropna().loc[joined.index].tolist()


def test_relative_part_is_the_measure_and_is_made_again_for_a_new_file(monkeypatch):
    """ch4's volume and illiquidity explorers keep each series' measure over its trailing
    mean per window: the same as computing it, computed again once the file changes."""
    from riskoff import ch4, data
    from riskoff import drivers as dr

    def by_hand(df, measure, window):
        v = (dr.amihud(df) if measure == "amihud" else dr.hl_range(df) if measure == "range"
             else df["volume"].astype(float))
        return pd.DataFrame({"value": v,
                             "trailing": v.shift(1).rolling(window, min_periods=window).mean(),
                             "rel": dr.relative_to_trailing(v, window)})

    for measure in ("amihud", "range", "volume"):
        for window in (2, 21, 300):
            for symbol in ("SPY", "NVDA"):
                pd.testing.assert_frame_equal(ch4._relative_part(symbol, measure, window),
                                              by_hand(data.series(symbol), measure, window),
                                              check_exact=True)
    doubled = data.series("SPY").assign(volume=lambda d: d["volume"] * 2)
    _file_changed(monkeypatch, "SPY", doubled)
    pd.testing.assert_frame_equal(ch4._relative_part("SPY", "volume", 21),
                                  by_hand(doubled, "volume", 21), check_exact=True)


def test_kernel_closes_are_the_complete_closes_and_made_again_for_a_new_file(monkeypatch):
    """ch1's rebased and drawdown explorers keep the picked series' closes: the same as
    reading them, read again once a file changes."""
    from riskoff import ch1, data

    for pick in [("NDX", "NVDA", "BTC-USD", "GC=F"), ("NVDA",), ("GC=F", "NDX"),
                 ("NDX", "GC=F")]:
        pd.testing.assert_frame_equal(ch1._kernel_closes(pick), ch1._complete_closes(pick),
                                      check_exact=True)
    monkeypatch.setattr(ch1, "_complete_closes", lambda symbols: pd.DataFrame({"new": [1.0]}))
    _file_changed(monkeypatch, "NVDA")
    assert list(ch1._kernel_closes(("NVDA",)).columns) == ["new"]


def test_given_texts_are_used_for_that_frame_alone():
    import json

    frame = pd.DataFrame({"x": [1.5] * 300, "s": ["a"] * 300})
    plain = widgets._records_json(frame)
    widgets.given_texts(frame, {"x": ["7"] * 300, "s": ['"b"'] * 299})  # s: one short
    values, sorted_text, text = widgets._records_json(frame)
    assert text == json.dumps([{"x": 7, "s": "a"}] * 300)   # x as given, s as usual
    assert values == plain[0]
    assert widgets._records_json(frame.copy()) == plain      # a copy: written as usual
    other = frame.copy()   # an entry left under this id by a frame gone before: not used
    widgets._GIVEN_TEXTS[id(other)] = (__import__("weakref").ref(frame), {"x": ["7"] * 300})
    assert widgets._records_json(other) == plain
    key = id(frame)
    del frame
    __import__("gc").collect()
    assert key not in widgets._GIVEN_TEXTS   # dropped with its frame
    assert widgets.float_texts([1.5, float("nan"), -float("inf"), 1e300]) == [
        "1.5", "null", "null", "1e+300"]
    assert widgets.text_texts(["a, b", None, "é"]) == ['"a, b"', "null", '"\\u00e9"']


def test_volatility_frame_texts_are_how_json_writes_the_frame():
    """ch5's explorer hands spec() its frame's JSON text: the same as writing the frame."""
    from riskoff import ch5

    symbols = ["NDX", "GSPC", "BTC-USD", "ETH-USD", "GC=F", "HSI", "NVDA", "VIX"]
    for window in (2, 21, 150):
        for pick in [symbols, ["VIX", "NDX"]]:
            parts = [(s, *ch5._vol_part(s, window)) for s in pick]
            for scale in ("level", "ratio"):
                for mult in (0.1, 1.25, 3.0):
                    frame = ch5._vol_frame(parts, scale, mult)
                    plain = widgets._records_json(frame)
                    widgets.given_texts(frame, ch5._vol_frame_texts(parts, scale, mult))
                    assert widgets._records_json(frame) == plain, (window, pick, scale, mult)
