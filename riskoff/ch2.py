"""Chapter 2, "The Fed": the views the notebook shows, one call each.

The FedWatch odds are published figures (data/published/fedwatch_dec2025.csv, each row with
its source address); the yields and indices are cached market data. Nothing here types a
market figure: the article's own figures come from the claims file.
"""
from __future__ import annotations

import functools
import re

import ipywidgets as ipw
import pandas as pd
from altair.utils.schemapi import debug_mode

from . import args
from . import claims as rclaims
from . import data as rdata
from . import fedwatch, metrics, widgets
from .charts import Caption, fed, publish
from .charts.words import Said
from .charts.base import date_label

# Kernel redraws build their chart with Altair's debug mode off: it validates every
# object as it is built (10-15 ms a redraw). The test suite validates the builders' specs.

ODDS = "fedwatch_dec2025"
FOMC = "fomc_decisions_2025"
START, END = "2025-10-01", "2025-12-31"  # the chapter's window: the run-up to the December meeting
OVERLAY = ["DGS2", "DGS10", "NDX"]
KERNEL_SERIES = ["DGS2", "DGS10", "TNX", "NDX", "GSPC"]
YIELDS = ["DGS2", "DGS10", "TNX"]
TIMELINE_WINDOWS = [("2025-10-01/2025-12-31", "Oct – Dec 2025"),
                    ("2025-10-20/2025-11-30", "20 Oct – 30 Nov"),
                    ("2025-11-10/2025-11-28", "10 – 28 Nov"),
                    ("2025-11-24/2025-12-19", "24 Nov – 19 Dec")]
YIELD_WINDOWS = [("2025-11-13/2025-11-21", "13 – 21 Nov (the sell-off)"),
                 ("2025-10-27/2025-11-21", "27 Oct – 21 Nov (from the October FOMC)"),
                 ("2025-11-03/2025-11-28", "November"),
                 ("2025-12-01/2025-12-12", "1 – 12 Dec (around the cut)")]

# The narrative events marked on the charts: (date, short label, stagger level, what
# happened, published rows that document it as (table, date)). FOMC details are read from
# the decisions table; the Nvidia reversal is measured from our own NVDA prices.
EVENTS = [
    ("2025-10-29", "FOMC · Powell", 0,
     "Powell said a December cut was \"far from a foregone conclusion\"",
     [(FOMC, "2025-10-29"), (ODDS, "2025-10-29")]),
    ("2025-11-20", "Sept. payrolls", 1, "The September payrolls report was released",
     [(ODDS, "2025-11-20")]),
    ("2025-11-20", "Nvidia reversal", 2, None, []),
    ("2025-11-21", "Williams", 3,
     "New York Fed president Williams said there was room for a further adjustment in the "
     "near term", [(ODDS, "2025-11-21")]),
    ("2025-12-10", "FOMC cut", 0, None, [(FOMC, "2025-12-10"), (ODDS, "2025-12-10")]),
]
NVDA_SOURCE = "our cached NVDA daily prices (see chapter 1)"


# ---------------------------------------------------------------------------- loading

def odds() -> pd.DataFrame:
    """The published FedWatch readings, one row per date, ready for the charts."""
    return _odds().copy()  # a copy: callers may change it, the cached frame must not


@functools.lru_cache(maxsize=1)
def _odds() -> pd.DataFrame:
    # Read once: the explorers redraw on every control move and the table never changes.
    t = rdata.published(ODDS)
    out = pd.DataFrame({
        "date": pd.to_datetime(t["as_of"]).dt.strftime("%Y-%m-%d"),
        "p_cut": t["p_cut_dec2025_pct"].astype(float),
        "reading": t["approximate"].map({True: "approximate", False: "exact"}),
        "note": t["note"], "source_url": t["source_url"]}).sort_values("date",
                                                                       ignore_index=True)
    out["below"] = out["p_cut"] < out["p_cut"].shift()  # falling: label under the point
    return out


def decisions() -> pd.DataFrame:
    return rdata.published(FOMC)


def _row(table: str, date: str) -> pd.Series:
    t = rdata.published(table)
    key = "as_of" if "as_of" in t else "date"
    rows = t[t[key].astype(str) == date]
    if len(rows) != 1:
        raise ValueError(f"{table}: expected one row dated {date}, found {len(rows)}")
    return rows.iloc[0]


def _fomc_text(date: str) -> str:
    r = _row(FOMC, date)
    vote = f", vote {r['vote']}" if isinstance(r["vote"], str) and r["vote"] else ""
    return (f"FOMC decision: {r['decision']} to {r['target_low_pct']:.2f}–"
            f"{r['target_high_pct']:.2f}%{vote}")


def _nvda_text(date: str) -> str:
    df = rdata.series("NVDA")
    up = metrics.high_vs_prev_close(df, date)
    day = metrics.day_change(df, date)
    return (f"Nvidia traded up to {up:+.1%} above its previous close, then closed "
            f"{day:+.1%}")


def events() -> pd.DataFrame:
    """The events of the timeline with what happened and the addresses documenting them."""
    return _events().copy()  # a copy: callers may change it, the cached frame must not


@functools.lru_cache(maxsize=1)
def _events() -> pd.DataFrame:
    # Built once: it depends only on the published tables and cached prices.
    rows = []
    for date, label, level, detail, refs in EVENTS:
        parts = [detail] if detail else []
        if label.startswith("FOMC"):
            parts.insert(0, _fomc_text(date))
        if label.startswith("Nvidia"):
            parts.append(_nvda_text(date))
        urls = list(dict.fromkeys(_row(t, d)["source_url"] for t, d in refs))
        rows.append({"date": date, "label": label, "level": level,
                     "detail": "; ".join(parts) + ".",
                     "source": " ".join(urls) if urls else NVDA_SOURCE})
    return pd.DataFrame(rows)


def _article(ids=("fedwatch-month-ago", "fedwatch-42-9-nov13")) -> pd.DataFrame:
    """The article's two FedWatch figures, read from the claims file (not typed here)."""
    rows = {r["id"]: r for r in rclaims.load_rows()}
    words = {"fedwatch-month-ago": "“a month earlier”",
             "fedwatch-42-9-nov13": "“30 days” later"}
    out = []
    for i in ids:
        value = float(re.search(r"\d+(\.\d+)?", str(rows[i]["article"])).group())
        out.append({"value": value, "short": f"article: {value:g}%",
                    "label": f"{value:g}% {words.get(i, '')}; the article gives no date"})
    return pd.DataFrame(out)


def _market(symbols, start=START, end=END) -> pd.DataFrame:
    return metrics.tidy(rdata.closes(symbols, start=start, end=end), "value")


# ---------------------------------------------------------------------------- tables

def _html(df: pd.DataFrame):
    """A table with its source addresses in full, as links (pandas would cut them short)."""
    from IPython.display import HTML

    # One link per address: pandas' render_links makes a cell holding two addresses a single
    # link whose href is both of them.
    text = df.to_html(escape=True, border=0, classes="ch2-table")
    return HTML(re.sub(r"https?://[^\s<]+", lambda m: f'<a href="{m.group()}" target="_blank">'
                                               f'{m.group()}</a>', text))


def odds_table():
    return _html(_odds_df())


def events_table():
    return _html(_events_df())


def decisions_table():
    return _html(_decisions_df())


def _odds_df() -> pd.DataFrame:
    """The published FedWatch readings as the notebook shows them."""
    o = odds()
    return pd.DataFrame({
        "Date": [date_label(d) for d in o["date"]],
        "Odds of a December cut (published figure, %)": [
            ("about " if r == "approximate" else "") + f"{p:g}"
            for p, r in zip(o["p_cut"], o["reading"])],
        "Approximate?": ["yes" if r == "approximate" else "no" for r in o["reading"]],
        "Note": o["note"], "Source": o["source_url"]}).set_index("Date")


def _events_df() -> pd.DataFrame:
    e = events()
    return pd.DataFrame({"Date": [date_label(d) for d in e["date"]], "Label": e["label"],
                         "What happened": e["detail"], "Source": e["source"]}).set_index("Date")


def _decisions_df() -> pd.DataFrame:
    d = decisions()
    return pd.DataFrame({
        "Date": [date_label(x) for x in d["date"]], "Decision": d["decision"],
        "Target range after (%)": [f"{lo:.2f}–{hi:.2f}" for lo, hi in
                                   zip(d["target_low_pct"], d["target_high_pct"])],
        "Vote": d["vote"].fillna("not in our table"),
        "Source (published figure, not our data)": d["source_url"]}).set_index("Date")


def cme_example() -> pd.DataFrame:
    """CME's September 2015 worked example, step by step, computed by riskoff.fedwatch."""
    ex = fedwatch.CME_EXAMPLE
    m = fedwatch.days_before(ex["meeting_day"], ex["days_in_month"])
    o = fedwatch.meeting_odds(ex["price"], ex["prior_price"], days_before_meeting=m,
                              days_in_month=ex["days_in_month"])
    steps = [
        ("Previous month's contract (August 2015, no meeting)", "price", f"{ex['prior_price']}"),
        ("Pre-meeting rate", "pre = 100 - previous price", f"{o['pre']:.4f}%"),
        ("Meeting month's contract (September 2015)", "price", f"{ex['price']}"),
        ("Average rate the futures imply for September", "avg = 100 - price", f"{o['avg']:.4f}%"),
        ("Days in the month, days before the decision", "N, M",
         f"{o['days_in_month']}, {o['days_before']}"),
        ("Post-meeting rate", "post = (N*avg - M*pre) / (N - M)", f"{o['post']:.5f}%"),
        ("Moves of 25 bp priced", "(post - pre) / 0.25", f"{o['moves']:+.4f}"),
        ("Probability of a 25 bp hike", "", f"{o['split'][1][1]:.1%}"),
        ("Probability of no change", "", f"{o['split'][0][1]:.1%}"),
    ]
    return pd.DataFrame(steps, columns=["Step", "Formula", "Value"]).set_index("Step")


def yield_table(start="2025-11-13", end="2025-11-21") -> pd.DataFrame:
    """Each yield's daily change (bp) in a window, and the total over it."""
    start, end = args.window(start, end, YIELDS)
    wide = rdata.closes(YIELDS)
    ch = fedwatch.changes_bp(wide).loc[start:end]
    closes = wide.loc[start:end]
    table = ch.map(lambda v: "no close" if pd.isna(v) else f"{v:+.1f}")
    table.insert(0, "2-year close (%)", closes["DGS2"].map(
        lambda v: "no close" if pd.isna(v) else f"{v:.2f}"))
    total = {s: fedwatch.change_bp(rdata.series(s), closes[s].dropna().index[-1],
                                   base=pd.Timestamp(start) - pd.Timedelta(days=1))
             for s in YIELDS}
    table.loc["Total"] = ["", *(f"{total[s]:+.1f}" for s in YIELDS)]
    table.index = [date_label(d) if d != "Total" else
                   f"Total, {date_label(start)} to {date_label(end)}" for d in table.index]
    table.columns = ["2-year close (%)", *(f"{fed.name_of(s)}: change (bp)" for s in YIELDS)]
    return table


def cuts_table(dates=("2025-10-28", "2025-10-29", "2025-11-13", "2025-11-20", "2025-11-21",
                      "2025-12-09", "2025-12-10")) -> pd.DataFrame:
    cp = _cuts_frame()
    known = pd.DatetimeIndex(cp["date"])
    dates = [args.session(d, f"dates[{i}]", known, "the 2-year yield with a known policy range")
             for i, d in enumerate(args.sequence(dates, "dates"))]
    cp = cp.set_index("date").loc[list(dates)]
    return pd.DataFrame({
        "Date": [date_label(d) for d in cp.index],
        "Target range (%)": [f"{lo:.2f}–{hi:.2f}" for lo, hi in zip(cp["low"], cp["high"])],
        "Midpoint (%)": cp["mid"].map("{:.3f}".format),
        "2-year yield (%)": cp["two_year"].map("{:.2f}".format),
        "Cuts of 25 bp priced (approx.)": cp["cuts"].map("{:.2f}".format)}).set_index("Date")


def _odds_text(date: str) -> str:
    r = odds().set_index("date").loc[date]
    return ("about " if r["reading"] == "approximate" else "") + f"{r['p_cut']:g}%"


def _event_on(date) -> str:
    e = events()
    hits = e[e["date"] == f"{pd.Timestamp(date):%Y-%m-%d}"]
    return "" if hits.empty else ", the day of: " + "; ".join(hits["detail"].str.rstrip("."))


def bond_summary():
    """What the Treasury market did, in sentences computed from the cached yields."""
    from IPython.display import Markdown

    wide = rdata.closes(YIELDS)
    ch = fedwatch.changes_bp(wide).loc[START:END]
    two = rdata.series("DGS2")
    top = ch["DGS2"].idxmax()
    lines = [
        f"- The largest one-day rise of the 2-year yield between {date_label(START)} and "
        f"{date_label(END)} came on **{date_label(top)}**: {ch['DGS2'].max():+.0f} bp "
        f"(10-year {ch.loc[top, 'DGS10']:+.0f} bp){_event_on(top)}.",
        f"- From that close to 20 Nov, while the published odds went from "
        f"{_odds_text('2025-10-29')} to {_odds_text('2025-11-20')}, the 2-year "
        f"yield moved {fedwatch.change_bp(two, '2025-11-20', base='2025-10-29'):+.0f} bp.",
        f"- In the sell-off itself the 2-year yield moved "
        f"{fedwatch.change_bp(two, '2025-11-20'):+.0f} bp on 20 Nov and "
        f"{fedwatch.change_bp(two, '2025-11-21'):+.0f} bp on 21 Nov; the 10-year moved "
        f"{fedwatch.change_bp(rdata.series('DGS10'), '2025-11-20'):+.0f} bp and "
        f"{fedwatch.change_bp(rdata.series('DGS10'), '2025-11-21'):+.0f} bp.",
    ]
    return Markdown("\n".join(lines))


def hindsight():
    """The December decision and the last published reading before it, in sentences."""
    from IPython.display import Markdown

    d = _row(FOMC, "2025-12-10")
    o = odds()
    before = _row(ODDS, o.loc[o["p_cut"].idxmin(), "date"])
    last = _row(ODDS, "2025-12-10")
    cp = _cuts_frame().set_index("date")["cuts"]
    return Markdown(
        f"- On {date_label(d['date'])} the FOMC decided a **{d['decision']}** to "
        f"{d['target_low_pct']:.2f}–{d['target_high_pct']:.2f}%, vote {d['vote']} "
        f"(published: <{d['source_url']}>).\n"
        f"- Just before the announcement FedWatch gave a cut {last['p_cut_dec2025_pct']:g}% "
        f"(published: <{last['source_url']}>), against "
        f"{_odds_text(before['as_of'])} on {date_label(before['as_of'])}, the lowest "
        f"reading we hold.\n"
        f"- By our rough measure the 2-year yield priced {cp['2025-12-09']:.1f} cuts of 25 bp "
        f"on the eve of the decision and {cp['2025-12-10']:.1f} after it: a delivered cut "
        f"drops out of the count.")


# ---------------------------------------------------------------------------- 1. timeline

def _span(window: str) -> str:
    """A window value "YYYY-MM-DD/YYYY-MM-DD" as "13 – 21 Nov 2025" (months and years only
    where they differ). Titles give it a line of its own, so wrapping never splits it."""
    a, b = (pd.Timestamp(d) for d in window.split("/"))
    if a.year != b.year:
        return f"{date_label(a)} – {date_label(b)}"
    return f"{a.day if a.month == b.month else f'{a.day} {a:%b}'} – {date_label(b)}"


def _in_window(df: pd.DataFrame, window: str) -> pd.DataFrame:
    # As the chart's filter: both ends included.
    a, b = window.split("/")
    return df[(df["date"] >= a) & (df["date"] <= b)]


def _plain(symbol: str) -> str:
    return re.sub(r" \((%|points)\)$", "", fed.name_of(symbol))


def _approx(r) -> str:
    return "about " if r["reading"] == "approximate" else ""


def _timeline_words(o: pd.DataFrame, m: pd.DataFrame):
    """Title and takeaway of the timeline for each window and market series: the highest and
    the lowest published reading in the window, in date order, and what the series did
    between those dates (closes of the chart's own frame)."""
    from .findings import pct

    def describe(state):
        window, sym = state["window"], state["overlay"]
        name = _plain(sym)
        title = (f"Published FedWatch odds of a December cut and the {name},\n"
                 f"{_span(window)}")
        ow = _in_window(o, window)
        if len(ow) < 2:
            return Said(title, "Fewer than two published readings fall in this window.")
        hi, lo = ow.loc[ow["p_cut"].idxmax()], ow.loc[ow["p_cut"].idxmin()]
        a, b = sorted([hi, lo], key=lambda r: r["date"])
        closes = _in_window(m[m["symbol"] == sym], window).set_index("date")["value"]

        def close(d):  # the close of the reading's day, else the last before it
            before = closes.loc[:d]
            return before.index[-1], before.iloc[-1]

        (da, va), (db, vb) = close(a["date"]), close(b["date"])
        when = "" if (da, db) == (a["date"], b["date"]) else \
            f" (closes of {date_label(da)} and {date_label(db)})"
        if sym in YIELDS:
            moved = (f"went from {va:.2f}% to {vb:.2f}% "
                     f"({_bp(fedwatch.change_bp(rdata.series(sym), db, base=da))})")
        else:
            moved = f"changed {pct(vb / va - 1)}"
        verb = "fell" if a["p_cut"] > b["p_cut"] else "rose"
        return Said(title, f"The published odds {verb} from {_approx(a)}{a['p_cut']:g}% on "
                           f"{date_label(a['date'])} to {_approx(b)}{b['p_cut']:g}% on "
                           f"{date_label(b['date'])}; between those dates the {name} "
                           f"{moved}{when}.")
    return describe


def timeline():
    o, e = odds(), events()
    m = _market(OVERLAY)
    chart = fed.timeline(o, m, e, windows=TIMELINE_WINDOWS, article=_article())
    frame = pd.concat([o.assign(series="FedWatch odds of a December cut (published, %)")
                       .rename(columns={"p_cut": "value"}),
                       m.assign(series=m["symbol"].map(fed.name_of))], ignore_index=True)
    frame = frame[["date", "series", "value", "reading", "source_url"]].sort_values(
        ["series", "date"])
    return publish(chart, frame, "ch2-odds-timeline",
                   Caption(OVERLAY, as_of=END, published=[ODDS, FOMC],
                           note="The odds are CME FedWatch figures as quoted by news pages on "
                                "the dates shown, not our measurement; orange diamonds mark "
                                "readings the pages gave only approximately. Hover a point for "
                                "its source address. The dotted lines are the article's two "
                                "figures, which it does not date. Event sources are listed in "
                                "the table above."),
                   describe=_timeline_words(o, m),
                   about="Line charts: published FedWatch odds of a December 2025 cut above, "
                         "one market series below, with the narrative's events marked")


# ---------------------------------------------------------------------------- 2. calculator

def calculator_frame(price, prior_price, meeting_day, days_in_month) -> pd.DataFrame:
    """Rows the kernel calculator draws, computed with riskoff.fedwatch."""
    price = args.number(price, "price", 0, 100)
    prior_price = args.number(prior_price, "prior_price", 0, 100)
    days_in_month = args.integer(days_in_month, "days_in_month", 28, 31)
    if not isinstance(meeting_day, bool) and isinstance(meeting_day, int) \
            and not 2 <= meeting_day <= days_in_month:
        args.fail("meeting_day", meeting_day, f"must be between 2 and {days_in_month} for a "
                                              f"month of {days_in_month} days")
    meeting_day = args.integer(meeting_day, "meeting_day", 2, days_in_month)
    m = fedwatch.days_before(meeting_day, days_in_month)
    o = fedwatch.meeting_odds(price, prior_price, days_before_meeting=m,
                              days_in_month=days_in_month)
    common = {"avg": o["avg"], "pre": o["pre"], "post": o["post"], "moves": o["moves"]}
    rows = [{"part": "path", "day": d, "rate": o["pre"] if d < int(meeting_day) else o["post"],
             "period": "before the decision" if d < int(meeting_day) else
             "from the decision day", **common} for d in range(1, o["days_in_month"] + 1)]
    for n, p in o["split"]:
        label = "No change" if n == 0 else f"{abs(n) * 25} bp {'cut' if n < 0 else 'hike'}"
        rows.append({"part": "outcome", "n": n, "prob": p, "label": label, **common})
    rows.append({"part": "summary", **common})
    return pd.DataFrame(rows)


def calculator():
    ex = fedwatch.CME_EXAMPLE
    inputs = pd.DataFrame([ex])
    frame = calculator_frame(**ex)
    return publish(fed.calculator(inputs), frame, "ch2-fedwatch-calculator",
                   Caption(extra_sources=[
                       f"**Inputs:** {fedwatch.CME_EXAMPLE_SOURCE} (published figures, not our "
                       f"data), read in a copy at <{fedwatch.CME_EXAMPLE_COPY}>; CME's "
                       f"methodology page: <{fedwatch.CME_METHOD_PAGE}>.",
                       "**Data as of:** no market data: we hold no fed funds futures prices, so "
                       "the calculator starts from CME's example (a September 2015 meeting) "
                       "and computes whatever prices you enter."]),
                   describe=fed.calculator_words(),
                   about="FedWatch calculator: the rates and outcome odds implied by two fed "
                         "funds futures prices, with a step chart of the rate through the month")


# ---------------------------------------------------------------------------- 3. yields

def _yield_frame(start=START, end=END) -> pd.DataFrame:
    ch = fedwatch.changes_bp(rdata.closes(YIELDS)).loc[start:end]
    return metrics.tidy(ch, "change_bp")


def _bp(v: float) -> str:
    return f"{v:+.0f} bp" if round(v) else "0 bp"


def _yield_words(frame: pd.DataFrame):
    """Title and takeaway of the yield bars for each window and measure, from the chart's
    own frame of daily changes (each against the series' previous published close)."""
    def describe(state):
        window, measure = state["ywindow"], state["ymeasure"]
        what = ("change since the close before the window" if measure == "cum" else
                "change from the previous close")
        title = f"Treasury yields: {what} (bp),\n{_span(window)}"
        fw = _in_window(frame, window).dropna(subset=["change_bp"])
        if fw.empty:
            return Said(title, "No yield closes fall in this window.")
        by = {s: fw[fw["symbol"] == s].set_index("date")["change_bp"] for s in YIELDS}
        if measure == "cum":
            last = max(v.index.max() for v in by.values())
            start = window.split("/")[0]
            return Said(title, f"From the close before {date_label(start)} to "
                               f"{date_label(last)} the 2-year yield moved "
                               f"{_bp(by['DGS2'].sum())}, the 10-year {_bp(by['DGS10'].sum())} "
                               f"and Cboe's 10-year index {_bp(by['TNX'].sum())}.")
        def largest(s):  # every day tied for the largest move (bars of equal height)
            v = by[s].round(6)
            hits = v[v.abs() == v.abs().max()]
            return " and ".join(f"{_bp(x)} on {date_label(d)}" for d, x in hits.items())
        return Said(title, f"The 2-year yield's largest one-day move in the window was "
                           f"{largest('DGS2')}; the 10-year's was {largest('DGS10')}.")
    return describe


def yield_moves():
    frame = _yield_frame()
    return publish(fed.yield_moves(frame, windows=YIELD_WINDOWS), frame, "ch2-yield-moves",
                   Caption(YIELDS, as_of=END,
                           note="Each bar compares a close with that series' previous "
                                "published close (FRED has no close on US bond-market "
                                "holidays such as 11 Nov; Cboe's index has a value that day). "
                                "One basis point is 0.01 percentage point."),
                   describe=_yield_words(frame),
                   about="Bar chart: daily changes of the 2-year and 10-year Treasury yields "
                         "in basis points, by date")


def _cuts_frame(start=None, end=END) -> pd.DataFrame:
    two = rdata.series("DGS2")["close"].loc[start:end]
    cp = fedwatch.cuts_priced(two, decisions())
    cp = cp.reset_index()
    cp["date"] = cp["date"].dt.strftime("%Y-%m-%d")
    return cp[["date", "two_year", "low", "high", "mid", "cuts"]]


def _cuts_words(cp: pd.DataFrame):
    """Title and takeaway of the cuts chart in each of its two views."""
    span = _span(f"{cp['date'].iloc[0]}/{cp['date'].iloc[-1]}")
    c = cp.set_index("date")

    def describe(state):
        if state["cview"] == "cuts":
            title = (f"Cuts of 25 bp priced,\n{span}:\n"
                     "= (policy midpoint − 2-year yield) / 0.25")
            k = c["cuts"]
            return Said(title, f"By this rough measure the 2-year yield priced "
                               f"{k['2025-10-28']:.1f} cuts of 25 bp on 28 Oct, "
                               f"{k['2025-10-29']:.1f} after the October cut, "
                               f"{k['2025-11-20']:.1f} on 20 Nov and {k['2025-11-21']:.1f} "
                               f"on 21 Nov.")
        title = f"2-year Treasury yield and the Fed funds target range,\n{span}"
        # Named dates, not "shown": the figure's From/To tool zooms without filtering.
        under = int((c["two_year"] < c["low"]).sum())
        days = ("on every one of its" if under == len(c) else f"on {under} of its")
        d = c.loc["2025-11-20"]
        return Said(title, f"The 2-year yield closed below the bottom of the target range "
                           f"{days} {len(c)} closes from {date_label(c.index[0])} to "
                           f"{date_label(c.index[-1])}; on 20 Nov 2025 it closed at "
                           f"{d['two_year']:.2f}% against a range of {d['low']:.2f}–"
                           f"{d['high']:.2f}%.")
    return describe


def cuts_priced():
    cp = _cuts_frame()
    ev = events()
    return publish(fed.cuts_priced(cp, ev), cp, "ch2-cuts-priced",
                   Caption(["DGS2"], as_of=cp["date"].iloc[-1], published=[FOMC],
                           note="An approximation, not FedWatch: it ignores the term premium "
                                "and reads the 2-year yield as the policy rate expected on "
                                "average over two years, not one. It starts with the first "
                                "decision in our table (17 Sep 2025) and stops at the end of "
                                "2025 because our table ends with the 10 Dec decision."),
                   describe=_cuts_words(cp),
                   about="Line chart: the cuts of 25 bp the 2-year Treasury yield priced, or "
                         "the yield against the Fed funds target range, with events marked")


# ---------------------------------------------------------------------------- claims helpers

def odds_days_above_to_below(above, below) -> float:
    """Days from the last published reading at or above ``above`` to the first below
    ``below`` (the claims table calls this)."""
    above = args.number(above, "above", 0, 100)
    below = args.number(below, "below", 0, 100)
    o = odds().rename(columns={"date": "as_of", "p_cut": "value"})
    return float(fedwatch.days_above_to_below(o, float(above), float(below))[2])


# ---------------------------------------------------------------------------- kernel explorers

def _dates(start, end) -> tuple[str, str] | str:
    if start.value is None or end.value is None:
        return "Pick both dates."
    if start.value >= end.value:
        return "The start date must come before the end date."
    return f"{start.value:%Y-%m-%d}", f"{end.value:%Y-%m-%d}"


def explore_timeline():
    """Kernel controls: any date range and any of five market series under the odds."""
    start, end = widgets.date(START, "From"), widgets.date(END, "To")
    series = ipw.Dropdown(options=[(fed.name_of(s), s) for s in KERNEL_SERIES],
                          description="Series")

    def render():
        dates = _dates(start, end)
        if isinstance(dates, str):
            return dates
        m = _market([series.value], *dates)
        if m.empty:
            return f"No {fed.name_of(series.value)} closes between {dates[0]} and {dates[1]}."
        o, e = odds(), events()
        o = o[(o.date >= dates[0]) & (o.date <= dates[1])]
        e = e[(e.date >= dates[0]) & (e.date <= dates[1])]
        with debug_mode(False):
            return fed.timeline(o, m, e, static=False, article=_article())

    return widgets.explorer([start, end, series], render)


def explore_calculator():
    """Kernel controls: type futures prices and days; riskoff.fedwatch computes."""
    ex = fedwatch.CME_EXAMPLE
    price = ipw.FloatText(value=ex["price"], step=0.0025, description="Month price")
    prior = ipw.FloatText(value=ex["prior_price"], step=0.0025, description="Prior price")
    day = ipw.IntSlider(value=ex["meeting_day"], min=1, max=31, description="Decision day")
    ndays = ipw.IntSlider(value=ex["days_in_month"], min=28, max=31, description="Days")

    def render():
        frame = calculator_frame(price.value, prior.value, day.value, ndays.value)
        with debug_mode(False):
            return fed.calculator(frame, static=False)

    return widgets.explorer([price, prior, day, ndays], render)


def explore_yield_moves():
    start, end = widgets.date("2025-11-13", "From"), widgets.date("2025-11-21", "To")
    measure = ipw.Dropdown(options=[("Each day's change", "day"),
                                    ("Change since the window began", "cum")],
                           description="Bars show")

    def render():
        dates = _dates(start, end)
        if isinstance(dates, str):
            return dates
        frame = _yield_frame(*dates)
        if frame.empty:
            return f"No yield closes between {dates[0]} and {dates[1]} (our FRED yields end " \
                   f"{rdata.info('DGS2')['last']})."
        if measure.value == "cum":
            frame["change_bp"] = frame.groupby("symbol")["change_bp"].cumsum()
        return fed.yield_moves(frame.rename(columns={"change_bp": "value"}), static=False)

    return widgets.explorer([start, end, measure], render)


def explore_cuts_priced():
    start, end = widgets.date("2025-09-17", "From"), widgets.date(END, "To")
    view = ipw.Dropdown(options=[("25 bp cuts priced", "cuts"),
                                 ("2-year yield and policy range", "levels")],
                        description="Show")

    def render():
        dates = _dates(start, end)
        if isinstance(dates, str):
            return dates
        if dates[1] > END:
            return (f"Our table of FOMC decisions ends with the 10 Dec 2025 decision, so the "
                    f"policy range is known only up to {date_label(END)}: pick an earlier end.")
        cp = _cuts_frame(*dates)
        if cp.empty:
            return (f"No 2-year closes with a known policy range between {dates[0]} and "
                    f"{dates[1]} (our table starts with the 17 Sep 2025 decision).")
        ev = events()
        ev = ev[(ev.date >= dates[0]) & (ev.date <= dates[1])]
        with debug_mode(False):
            chart = fed.cuts_priced(cp, ev, static=False, view=view.value)
        first = str(decisions()["date"].min())[:10]
        if dates[0] < first:  # the policy range is unknown before the first decision we hold
            return chart, (f"Our table of FOMC decisions starts with the {date_label(first)} "
                           f"decision: drawn from there, not from {date_label(dates[0])}.")
        return chart

    return widgets.explorer([start, end, view], render)
