"""The shortcuts that make the figures' words and titles quick to build (issue 15, execute
speed) give what the long way gives: the chart Altair's own add_params/properties make, and
the same numbers the words' helpers read from riskoff.drivers and riskoff.volatility."""
import itertools
import json

import altair as alt
import numpy as np
import pandas as pd
import pytest

from riskoff import ch4, ch5, drivers as dr, volatility
from riskoff.charts import words


def _layered():
    df = pd.DataFrame({"x": [1, 2, 3], "y": [3, 1, 2]})
    base = alt.Chart(df).encode(x="x:Q", y="y:Q")
    pick = alt.param(name="pick", value=2, bind=alt.binding_range(min=1, max=3, step=1))
    hover = alt.selection_point(name="hover", on="pointerover", fields=["x"])
    line = base.mark_line().add_params(hover)
    dots = base.mark_point().add_params(pick).transform_filter("datum.x <= pick")
    return alt.layer(line, dots, alt.Chart(df).mark_rule().encode(y="mean(y):Q")
                     ).properties(width=300, height=200)


def _spec_text(chart):
    return json.dumps(chart.to_dict(), ensure_ascii=False)   # key order counts (it is output)


@pytest.mark.parametrize("make", [_layered, lambda: _layered().layer[1]])
def test_with_params_is_altairs_add_params_and_properties(make):
    params = [alt.param(name="riskoff_words", value={"t": {"a": 1}}),
              alt.param(name="riskoff_title", expr="'x'")]
    props = {"title": alt.TitleParams(text=alt.ExprRef("riskoff_title"), anchor="start"),
             "description": "Line chart: y over x"}
    chart = make()
    before = _spec_text(chart)
    fast = words.with_params(chart, params, **props)
    assert _spec_text(fast) == _spec_text(make().add_params(*params).properties(**props))
    assert _spec_text(chart) == before                       # the chart given is untouched


def test_with_params_checks_properties_as_properties_does():
    with pytest.raises(Exception):
        words.with_params(_layered(), [alt.param(name="p", value=1)], width="wide")


def _vol(symbol, window):
    return ch5._vol(symbol, window)


@pytest.mark.parametrize("symbol", ch5.VOL)
def test_first_run_reads_what_regime_says(symbol):
    v = _vol(symbol, 20)
    base = volatility.baseline(v)
    after = v.dropna().loc[pd.Timestamp(ch5.EVENT):]
    # thresholds: the chart's multiples, one above every value, one below every value
    for thr in [m * base for m in (1, 1.25, 1.5, 2, 3)] + [after.max() + 1, after.min() - 1]:
        want, got = volatility.regime(v, thr), ch5._first_run(v, thr)
        for key in got:
            assert (got[key] == want[key]) or (pd.isna(got[key]) and pd.isna(want[key])), \
                (symbol, thr, key)


def test_first_run_of_a_run_that_lasts_to_the_end():
    days = pd.date_range("2025-11-17", periods=8)
    v = pd.Series([1, 1, 1, 3, 1, 3, 3, 3], index=days, dtype=float)
    got, want = ch5._first_run(v, 2, "2025-11-20"), volatility.regime(v, 2, "2025-11-20")
    assert (got["first_start"], got["first_end"], got["first_length"]) == \
        (want["first_start"], want["first_end"], want["first_length"]) == \
        (days[3], days[3], 1)
    got = ch5._first_run(v, 2, "2025-11-21")
    assert (got["first_start"], got["first_end"], got["first_length"]) == (days[5], days[7], 3)


def test_turns_short_from_is_the_first_of_turns_short():
    frame = ch4._trend_frame()
    for s in ("GSPC", "NDX"):
        close = frame[frame.symbol == s].set_index(pd.to_datetime(
            frame.loc[frame.symbol == s, "date"]))["close"]
        for kind in dr.SIGNALS:
            for n in (1, 2, 3):
                for ticked in itertools.combinations(ch4.LOOKBACKS, n):
                    pos = dr.trend_position(close, ticked, kind).loc[:"2025-12-31"]
                    want = dr.turns_short(pos, "2025-10-29", "2025-12-31")[:1]
                    assert ch4._turns_short_from(pos, "2025-10-29", "2025-12-31") == want


def test_turns_short_from_a_made_up_position():
    days = pd.date_range("2025-10-27", periods=6)
    pos = pd.Series([np.nan, 0.5, -0.5, 0.0, -1.0, 1.0], index=days)
    assert ch4._turns_short_from(pos, "2025-10-27", "2025-11-30") == [days[2]]
    assert ch4._turns_short_from(pos, "2025-10-30", "2025-11-30") == [days[4]]
    assert ch4._turns_short_from(pos, "2025-11-01", "2025-11-30") == []
    # the first value is short already: not a turn (nothing before it was long)
    first_short = pd.Series([-0.5, 0.5, -1.0], index=days[:3])
    assert ch4._turns_short_from(first_short, "2025-10-27", "2025-11-30") == [days[2]]


def test_trend_words_are_the_long_ways_in_every_state(monkeypatch):
    symbols, lookbacks = ("GSPC", "NDX"), ch4.LOOKBACKS
    frame = ch4._trend_frame(symbols)
    states = [{"signal": kind, **{f"lb{L}": t for L, t in zip(lookbacks, ticks)}}
              for kind in dr.SIGNALS
              for ticks in itertools.product([True, False], repeat=len(lookbacks))]
    fast = ch4._trend_words(frame, symbols, lookbacks)
    said = [fast(state) for state in states]
    # the long way: positions by drivers for the ticked lookbacks alone, its turns_short
    monkeypatch.setattr(ch4, "_turns_short_from",
                        lambda pos, a, b: dr.turns_short(pos, a, b)[:1])
    monkeypatch.setattr(dr, "trend_signals", _ticked_only)
    slow = ch4._trend_words(frame, symbols, lookbacks)
    for state, a in zip(states, said):
        b = slow(state)
        assert (a.title, a.takeaway) == (b.title, b.takeaway), state


def test_shared_signals_average_as_trend_position():
    frame = ch4._trend_frame()
    close = frame[frame.symbol == "NDX"].set_index(pd.to_datetime(
        frame.loc[frame.symbol == "NDX", "date"]))["close"]
    for kind in dr.SIGNALS:
        every = dr.trend_signals(close, ch4.LOOKBACKS, kind)
        for n in range(1, len(ch4.LOOKBACKS) + 1):
            for ticked in itertools.combinations(ch4.LOOKBACKS, n):
                got = every[list(ticked)].mean(axis=1, skipna=False)
                pd.testing.assert_series_equal(got, dr.trend_position(close, ticked, kind),
                                               check_exact=True)


_REAL_SIGNALS = dr.trend_signals


def _ticked_only(close, lookbacks, kind="ma"):
    # each lookback's signal computed on its own (no frame shared among lookbacks)
    return pd.concat({lb: _REAL_SIGNALS(close, [lb], kind)[lb] for lb in lookbacks}, axis=1)
