"""Every public view and explorer answers a bad argument with one line naming it.

Table-driven: each case calls one function of riskoff.ch1..ch5 with one bad argument and
expects a ValueError (or DataError) whose message is a single line that names the argument.
The first cases are the ones a probe of the book found giving tracebacks or wrong output.
"""
from __future__ import annotations

import datetime as dt
import re
import sys

import pandas as pd
import pytest

import riskoff
from riskoff import args, ch1, ch2, ch3, ch4, ch5, i18n
from riskoff.errors import ArgumentError, DataError

CASES = [
    # --- found by the probe (issue 17)
    (ch2.cuts_table, dict(dates=("2025-11-22",)), "dates"),          # a Saturday: KeyError
    (ch2.yield_table, dict(start="2025-11-21", end="2025-11-13"), "start"),  # reversed
    (ch2.yield_table, dict(start="2030-01-01", end="2030-02-01"), "start"),  # outside
    (ch3.daily_check, dict(day="2025-11-22"), "day"),
    (ch1.scoreboard_table, dict(symbols=[]), "symbols"),
    (ch1.scoreboard_table, dict(symbols=["NVDA_1h"]), "symbols"),
    (ch4.gap_fade, dict(symbols=["BTC-USD"]), "symbols"),
    (ch4.credit_drawdowns, dict(starts=["2030-01-01"]), "starts"),
    (ch4.credit_vs_treasuries, dict(horizons=[10000]), "horizons"),
    (ch4.yield_moves, dict(symbols=["NDX"]), "symbols"),
    (ch5.after_frame, dict(ref="1990-01-01"), "ref"),
    (ch1.drawdowns, dict(starts=["2025-13-40"]), "starts"),
    (ch2.yield_table, dict(start="2025-13-40"), "start"),
    (ch5.after_frame, dict(ref="2025-13-40"), "ref"),
    (ch3.explore_reactions, dict(symbols=["FOO"]), "symbols"),
    (ch1.scoreboard_table, dict(date=20251120), "date"),              # silently "no session"
    (ch5.after_table, dict(ref="2030-01-01"), "ref"),                 # measured from last row
    (ch5.volatility_table, dict(window=2.5), "window"),               # quietly used 2
    (ch4.trend_model, dict(lookbacks=[-10]), "lookbacks"),            # accepted
    # --- chapter 1
    (ch1.scoreboard_table, dict(date="2025-13-40"), "date"),
    (ch1.scoreboard_table, dict(date="2025-11-22", symbols=["NDX"]), "date"),
    (ch1.scoreboard_table, dict(date="2031-01-02"), "date"),
    (ch1.scoreboard_table, dict(date=None), "date"),
    (ch1.scoreboard_table, dict(symbols="NDX"), "symbols"),
    (ch1.scoreboard_table, dict(symbols=["NDX", "NDX"]), "symbols"),
    (ch1.who_fell, dict(sessions=[]), "sessions"),
    (ch1.who_fell, dict(symbols=["NDX"], sessions=["2025-11-22"]), "sessions"),
    (ch1.who_fell, dict(symbols=["FOO"]), "symbols"),
    (ch1.rebased, dict(bases=[]), "bases"),
    (ch1.rebased, dict(bases=["2030-01-01"]), "bases"),
    (ch1.rebased, dict(bases=["2025-12-31"]), "bases"),
    (ch1.rebased, dict(shown=["FOO"]), "shown"),
    (ch1.drawdowns, dict(symbols=[]), "symbols"),
    (ch1.explore_who_fell, dict(symbols=["FOO"]), "symbols"),
    (ch1.explore_rebased, dict(start="2025-13-40"), "start"),
    (ch1.explore_rebased, dict(symbols=[]), "symbols"),
    (ch1.explore_drawdowns, dict(shown=["XYZ"]), "shown"),
    # --- chapter 2
    (ch2.yield_table, dict(end=20251121), "end"),
    (ch2.cuts_table, dict(dates=()), "dates"),
    (ch2.cuts_table, dict(dates=("2030-01-02",)), "dates"),
    (ch2.cuts_table, dict(dates="2025-11-20"), "dates"),
    (ch2.odds_days_above_to_below, dict(above="x", below=50), "above"),
    (ch2.odds_days_above_to_below, dict(above=90, below=150), "below"),
    (ch2.calculator_frame, dict(price=101, prior_price=99.8, meeting_day=17, days_in_month=30),
     "price"),
    (ch2.calculator_frame, dict(price=99.8, prior_price=99.8, meeting_day=31, days_in_month=30),
     "meeting_day"),
    (ch2.calculator_frame, dict(price=99.8, prior_price=99.8, meeting_day=17, days_in_month=2.5),
     "days_in_month"),
    # --- chapter 3
    (ch3.day_label, dict(d="2025-13-40"), "d"),
    (ch3.reversal, dict(symbols=["NVDA"]), "symbols"),
    (ch3.reversal, dict(days=["2025-11-22"]), "days"),
    (ch3.reversal, dict(days=[]), "days"),
    (ch3.reversal, dict(day="2025-11-24"), "day"),                    # no S&P 5-minute bars
    (ch3.session_table, dict(day="2025-11-22"), "day"),
    (ch3.session_table, dict(symbols=["FOO"]), "symbols"),
    (ch3.daily_check, dict(day="2025-13-40"), "day"),
    (ch3.reactions_table, dict(symbol="FOO"), "symbol"),
    (ch3.reactions, dict(symbol="NVDA_1h"), "symbol"),
    (ch3.who_fell, dict(window="x"), "window"),
    (ch3.who_fell, dict(symbols=[]), "symbols"),
    (ch3.claim_gap, dict(series="NVDA", date="2025-11-20"), "series"),
    (ch3.claim_gap, dict(series="NVDA_1h", date="2025-11-22"), "date"),
    (ch3.claim_last_bar_change, dict(series="SPX_5m", date="2025-11-24"), "date"),
    (ch3.claim_minutes_to_high, dict(series="NVDA_1h", date=20251120), "date"),
    (ch3.claim_high_lead, dict(leader="NVDA_1h", follower="FOO", date="2025-11-20"),
     "follower"),
    (ch3.explore_reversal, dict(symbols=["NVDA"]), "symbols"),
    (ch3.explore_who_fell, dict(symbols=[]), "symbols"),
    # --- chapter 4
    (ch4.gap_fade, dict(symbols=["NVDA"]), "symbols"),                # its text is about QQQ
    (ch4.gap_fade, dict(thresholds=[]), "thresholds"),
    (ch4.gap_fade, dict(thresholds=[-0.01]), "thresholds"),
    (ch4.explore_gap_fade, dict(symbols=["BTC-USD"]), "symbols"),
    (ch4.credit_drawdowns, dict(starts=["2025-13-40"]), "starts"),
    (ch4.credit_drawdowns, dict(symbols=["GSPC"]), "symbols"),
    (ch4.explore_credit_drawdowns, dict(shown=["FOO"]), "shown"),
    (ch4.credit_vs_treasuries, dict(horizons=[2.5]), "horizons"),
    (ch4.credit_vs_treasuries, dict(horizons=[]), "horizons"),
    (ch4.credit_vs_treasuries, dict(horizons=[0]), "horizons"),
    (ch4.credit_vs_treasuries, dict(horizons=[2]), "horizons"),
    (ch4.yield_moves, dict(symbols=["DGS2"]), "symbols"),
    (ch4.trend_model, dict(ticked=[]), "ticked"),
    (ch4.trend_model, dict(ticked=[30]), "ticked"),
    (ch4.trend_model, dict(lookbacks=[2.5]), "lookbacks"),
    (ch4.trend_model, dict(lookbacks=[20, 50, 100, 100000]), "lookbacks"),
    (ch4.trend_model, dict(symbols=["BTC-USD"]), "symbols"),
    (ch4.vix_fear, dict(starts=["2030-01-01"]), "starts"),
    (ch4.vix_fear, dict(starts=[]), "starts"),
    (ch4.asian_tech, dict(symbols=["NDX"]), "symbols"),
    (ch4.explore_asian_tech, dict(symbols=["BTC-USD"]), "symbols"),
    (ch4.illiquidity, dict(symbols=["QQQ"]), "symbols"),
    (ch4.etf_volume, dict(shown=["MSFT"]), "shown"),
    (ch4.evidence, dict(key="x"), "key"),
    # --- chapter 5
    (ch5.close, dict(symbol="FOO"), "symbol"),
    (ch5.last_complete, dict(symbol="NVDA_1h"), "symbol"),
    (ch5.analog_table, dict(h=0), "h"),
    (ch5.analog_table, dict(h=2.5), "h"),
    (ch5.analog_table, dict(first_only="yes"), "first_only"),
    (ch5.volatility_frame, dict(windows=[1]), "windows"),
    (ch5.volatility_frame, dict(symbols=["DGS2"]), "symbols"),
    (ch5.volatility_chart, dict(symbols=[]), "symbols"),
    (ch5.volatility_table, dict(window=1), "window"),
    (ch5.volatility_table, dict(multiple=-1), "multiple"),
    (ch5.volatility_table, dict(multiple=float("nan")), "multiple"),
    (ch5.volatility_table, dict(symbols=["FOO"]), "symbols"),
    (ch5.explore_volatility, dict(shown=["FOO"]), "shown"),
    (ch5.after_frame, dict(symbols=["VIX"]), "symbols"),
    (ch5.after_chart, dict(symbols=[]), "symbols"),
    (ch5.explore_after, dict(ref="2025-13-40"), "ref"),
    (ch5.explore_after, dict(symbols=["VIX"]), "symbols"),
    (ch5.rebound_gap, dict(lead="FOO"), "lead"),
    (ch5.rebound_gap, dict(ref="2030-01-01"), "ref"),
    (ch5.rebound_gap, dict(when="x"), "when"),
]


def _id(case) -> str:
    fn, kwargs, _ = case
    return f"{fn.__module__.rsplit('.', 1)[-1]}.{fn.__name__}({', '.join(f'{k}={v!r}' for k, v in kwargs.items())})"


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_bad_argument_is_one_line_naming_it(case):
    fn, kwargs, name = case
    with pytest.raises((ValueError, DataError)) as info:
        fn(**kwargs)
    msg = str(info.value)
    assert "\n" not in msg and len(msg) < 400, msg
    assert re.match(rf"{re.escape(name)}(\[\d+\])?=", msg), msg
    assert isinstance(info.value, ArgumentError)
    assert riskoff.is_book_error(info.value)


def test_every_public_view_and_explorer_is_covered():
    """A new public function of a chapter module needs its bad-argument cases here."""
    import inspect

    covered = {c[0] for c in CASES}
    missing = []
    for mod in (ch1, ch2, ch3, ch4, ch5):
        for name, fn in vars(mod).items():
            if (name.startswith("_") or not inspect.isfunction(fn) or fn.__module__ != mod.__name__
                    or not inspect.signature(fn).parameters):
                continue
            missing += [] if fn in covered else [f"{mod.__name__}.{name}"]
    # Pure computations on frames the views pass in (not reader-facing).
    computations = {"riskoff.ch3.reversal_frame", "riskoff.ch3.reaction_session",
                    "riskoff.ch3.earnings_reactions", "riskoff.ch3.reactions_long",
                    "riskoff.ch3.rank_of", "riskoff.ch3.window_changes",
                    "riskoff.ch3.deal_layout", "riskoff.ch3.as_of", "riskoff.ch5.trend_marks"}
    assert sorted(set(missing) - computations) == []


# ---------------------------------------------------------------------------- the policy

def test_non_trading_day_names_the_nearest_sessions():
    with pytest.raises(ArgumentError, match="nearest sessions are 2025-11-21 and 2025-11-24"):
        ch2.cuts_table(dates=("2025-11-22",))
    with pytest.raises(ArgumentError, match="nearest sessions are 2025-11-21 and 2025-11-24"):
        ch3.daily_check(day="2025-11-23", symbols=["NVDA_1h"])


def test_a_day_some_markets_traded_is_answered_for_them():
    # Saturday: crypto traded, the exchanges did not; they show "no session".
    t = ch1.scoreboard_table(date="2025-11-22")
    assert t.loc["Bitcoin", "Day move"].startswith(("+", "-", "\u2212"))
    assert t.loc["Nasdaq-100", "Day move"].startswith("no session")


@pytest.mark.parametrize("value", ["2025-11-20", dt.date(2025, 11, 20),
                                   dt.datetime(2025, 11, 20), pd.Timestamp("2025-11-20")])
def test_dates_in_any_form_give_the_same_table(value):
    assert ch1.scoreboard_table(date=value).equals(ch1.scoreboard_table())


@pytest.mark.parametrize("value", [20251120, 2025.11, True, "20/11/2025", "2025-02-30", "",
                                   None, float("nan"), pd.NaT, ["2025-11-20"]])
def test_timestamp_refuses_what_is_not_a_date(value):
    with pytest.raises(ArgumentError, match=r"^when="):
        args.timestamp(value, "when")


@pytest.mark.parametrize("value", [2.5, True, "3", -1, 0, None])
def test_integer_refuses_fractions_flags_and_text(value):
    with pytest.raises(ArgumentError, match=r"^window="):
        args.integer(value, "window", 1)


def test_after_table_heads_its_columns_with_the_reference():
    t = ch5.after_table(symbols=["NDX"], ref="2026-01-15")
    assert "Regained the 15 Jan 2026 close after" in t.columns
    assert "Regained the 21 Nov close after" in ch5.after_table(symbols=["NDX"]).columns


def test_explorers_default_to_a_listed_series():
    box = ch3.explore_reactions(symbols=["MSFT", "ORCL"])
    assert box.children[0].children[0].value == "MSFT"
    box = ch4.explore_gap_fade(symbols=["NVDA"])
    assert box.children[0].children[0].value == "NVDA"


def test_metrics_refuse_a_number_as_a_date():
    from riskoff import drivers, metrics

    with pytest.raises(ValueError, match="not a date"):
        metrics.day_change(riskoff.data.series("NDX"), 20251120)
    with pytest.raises(ValueError, match="not a date"):
        drivers.gap_pct(riskoff.data.series("NDX"), 20251120)


# ---------------------------------------------------------------------------- notebook handler

class _Shell:
    def __init__(self):
        self.tracebacks = []

    def showtraceback(self, exc_tuple=None, tb_offset=None):
        self.tracebacks.append(exc_tuple)


def _raised(fn):
    try:
        fn()
    except BaseException as exc:  # noqa: BLE001 - the handler sees any exception
        return exc
    raise AssertionError("expected an exception")


@pytest.mark.parametrize("fn, short", [
    (lambda: int("x"), False),                                    # the reader's own error
    (lambda: pd.Timestamp("not a date at all"), False),           # raised inside pandas
    (lambda: ch1.scoreboard_table(symbols=[]), True),             # ArgumentError
    (lambda: riskoff.data.series("FOO"), True),                   # ValueError raised by riskoff
    (lambda: ch4.evidence("x"), True),
])
def test_notebook_handler_shortens_only_the_books_errors(fn, short, capsys):
    exc = _raised(fn)
    shell = _Shell()
    riskoff._notebook_handler(shell, type(exc), exc, exc.__traceback__)
    out = capsys.readouterr().out
    if short:
        assert out.count("\n") == 1 and out.startswith(type(exc).__name__ + ": ")
        assert shell.tracebacks == []
    else:
        assert out == "" and len(shell.tracebacks) == 1


def test_handler_registers_for_value_errors_in_ipython(monkeypatch):
    seen = {}

    class IP:
        def set_custom_exc(self, types, handler):
            seen["types"], seen["handler"] = types, handler

    monkeypatch.setitem(sys.modules["builtins"].__dict__, "get_ipython", lambda: IP())
    riskoff._short_errors_in_ipython()
    assert seen["handler"] is riskoff._notebook_handler
    assert ValueError in seen["types"] and DataError in seen["types"]


# ---------------------------------------------------------------------------- zh-Hant

def _english_words(text: str, names=("symbols",)) -> set[str]:
    """Latin words left in a zh-Hant message once quoted values, code, series codes and the
    names the edition keeps in English are taken out."""
    import yaml

    from conftest import ROOT
    from riskoff.catalog import SERIES

    keep = set(yaml.safe_load((ROOT / "locale" / "terms.zh-Hant.yaml").read_text(
        encoding="utf-8"))["keep_english"])
    text = re.sub(r"'[^']*'|`[^`]*`|\[[^\]]*\]", " ", text)
    tokens = set(re.findall(r"[\w.=^-]+", text, flags=re.ASCII))
    tokens = {t for t in tokens if t not in SERIES and t not in keep and t not in names
              and t not in {"YYYY-MM-DD", "True", "False", "e.g"}
              and not re.fullmatch(r"\w+=", t)}   # an argument named, as in "end='…'"
    return {t for t in tokens if re.search(r"[a-z]{2}", t)}


ZH_CHECKS = [   # (call, argument name, value): one of each of riskoff.args' messages
    (lambda: args.timestamp("2025-02-30", "when"), "when", "2025-02-30"),
    (lambda: args.timestamp(20251120, "when"), "when", 20251120),
    (lambda: args.date("2030-01-01", "start", ["NDX"]), "start", "2030-01-01"),
    (lambda: args.date("2030-01-01", "start", ["NDX", "NVDA"]), "start", "2030-01-01"),
    (lambda: args.session("2025-11-22", "day", pd.DatetimeIndex([]), i18n._("these markets")), "day",
     "2025-11-22"),
    (lambda: ch1.scoreboard_table(date="2031-01-02"), "date", "2031-01-02"),
    (lambda: ch2.cuts_table(dates=("2025-11-22",)), "dates[0]", "2025-11-22"),
    (lambda: ch3.daily_check(day="2025-11-23", symbols=["NVDA_1h", "MSFT_1h"]), "day",
     "2025-11-23"),
    (lambda: args.window("2025-11-21", "2025-11-13", ["NDX"]), "start", "2025-11-21"),
    (lambda: args.window("2025-11-22", "2025-11-23", ["NDX"]), "start", "2025-11-22"),
    (lambda: args.sequence("NDX", "symbols"), "symbols", "NDX"),
    (lambda: args.sequence(3, "symbols"), "symbols", 3),
    (lambda: args.sequence([], "symbols"), "symbols", []),
    (lambda: args.symbol("NVDA_1h", "symbol"), "symbol", "NVDA_1h"),
    (lambda: args.symbol("FOO", "symbol"), "symbol", "FOO"),
    (lambda: args.symbols(["NDX", "NDX"], "symbols"), "symbols", ["NDX", "NDX"]),
    (lambda: args.symbols(["NDX"], "symbols", required=["NVDA"]), "symbols", ["NDX"]),
    (lambda: args.subset("x", "shown", ["NDX"], "symbols"), "shown", "x"),
    (lambda: args.subset([], "shown", ["NDX"], "symbols", empty_ok=False), "shown", []),
    (lambda: args.subset(["FOO"], "shown", ["NDX"], "symbols"), "shown", ["FOO"]),
    (lambda: args.choice("z", "how", ["a", "b"]), "how", "z"),
    (lambda: args.integer(2.5, "window"), "window", 2.5),
    (lambda: args.integer(9, "window", 1, 5), "window", 9),
    (lambda: args.integer(0, "window", 1), "window", 0),
    (lambda: args.number("x", "price"), "price", "x"),
    (lambda: args.number(-1, "price", positive=True), "price", -1),
    (lambda: args.number(9, "price", 1, 5), "price", 9),
    (lambda: args.flag(1, "first_only"), "first_only", 1),
    # the chapters' own checks
    (lambda: ch1.rebased(bases=["2025-12-31"]), "bases[0]", "2025-12-31"),
    (lambda: ch2.calculator_frame(price=99.8, prior_price=99.8, meeting_day=31, days_in_month=30),
     "meeting_day", 31),
    (lambda: ch4.credit_vs_treasuries(horizons=[2]), "horizons", [2]),
    (lambda: ch5.after_frame(ref="1990-01-01"), "ref", "1990-01-01"),
]


@pytest.fixture
def zh(monkeypatch):
    monkeypatch.setenv("RISKOFF_LANG", "zh-Hant")
    monkeypatch.delenv("RISKOFF_I18N_MISSING", raising=False)


@pytest.mark.parametrize("call, name, value", ZH_CHECKS, ids=[f"{c[1]}={c[2]!r}-{i}"
                                                            for i, c in enumerate(ZH_CHECKS)])
def test_argument_errors_in_zh_hant(zh, call, name, value):
    """A zh-Hant reader's bad argument: the same one line, its problem in Chinese (the
    argument, the value given and codes stay as typed)."""
    with pytest.raises(ArgumentError) as info:
        call()
    msg = str(info.value)
    head = f"{name}={args._short(value)}: "
    assert msg.startswith(head) and "\n" not in msg, msg
    problem = msg[len(head):]
    assert re.search(r"[\u4e00-\u9fff]", problem), msg
    assert not _english_words(problem), f"English in a zh-Hant message: {msg}"


def test_unknown_driver_in_zh_hant(zh):
    # The keys a reader types stay as typed; the rest of the line is Chinese.
    with pytest.raises(ArgumentError) as info:
        ch4.evidence("x")
    problem = str(info.value).split(": ", 1)[1]
    assert re.search(r"[\u4e00-\u9fff]", problem), problem
    assert not _english_words(problem, names=tuple(ch4.EVIDENCE)), problem


def test_argument_errors_in_english_unchanged():
    # The English lines, as they read before the catalog (a few, word for word).
    def msg(call):
        with pytest.raises(ArgumentError) as info:
            call()
        return str(info.value)

    assert msg(ZH_CHECKS[0][0]) == ("when='2025-02-30': is not a calendar date; use 'YYYY-MM-DD', "
                                    "e.g. '2025-11-20'")
    assert msg(ZH_CHECKS[7][0]) == ("day='2025-11-23': is not a session of NVDA_1h and MSFT_1h "
                                    "(intraday) (no trading that day); the nearest sessions are "
                                    "2025-11-21 and 2025-11-24")
    assert msg(ZH_CHECKS[13][0]).startswith("symbol='NVDA_1h': is a intraday series, not usable "
                                            "here; use one of: ")
    assert msg(ZH_CHECKS[22][0]) == "window=9: must be at least 1 and at most 5"
    assert msg(ZH_CHECKS[26][0]) == "price=9: must lie between 1 and 5"


def test_every_case_is_one_line_in_zh_hant(zh):
    """Every bad-argument case gives its one line in zh-Hant too (no missing translation on
    the way to it)."""
    bad = []
    for fn, kwargs, name in CASES:
        try:
            fn(**kwargs)
        except ArgumentError as exc:
            msg = str(exc)
            if "\n" in msg or not re.match(rf"{re.escape(name)}(\[\d+\])?=", msg):
                bad.append(f"{_id((fn, kwargs, name))}: {msg}")
        except Exception as exc:  # noqa: BLE001 - an Untranslated or a crash is the finding
            bad.append(f"{_id((fn, kwargs, name))}: {type(exc).__name__}: {exc}")
        else:
            bad.append(f"{_id((fn, kwargs, name))}: no error")
    assert not bad, "\n".join(bad)
