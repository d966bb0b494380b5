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
from .i18n import N_, _, date_short, is_zh, lang, p_

# Kernel redraws build their chart with Altair's debug mode off: it validates every
# object as it is built (10-15 ms a redraw). The test suite validates the builders' specs.

ODDS = "fedwatch_dec2025"
FOMC = "fomc_decisions_2025"
START, END = "2025-10-01", "2025-12-31"  # the chapter's window: the run-up to the December meeting
OVERLAY = ["DGS2", "DGS10", "NDX"]
KERNEL_SERIES = ["DGS2", "DGS10", "TNX", "NDX", "GSPC"]
YIELDS = ["DGS2", "DGS10", "TNX"]
# Window labels in English; the charts get them in the reader's language (_windows()).
TIMELINE_WINDOWS = [("2025-10-01/2025-12-31", N_("Oct – Dec 2025")),
                    ("2025-10-20/2025-11-30", N_("20 Oct – 30 Nov")),
                    ("2025-11-10/2025-11-28", N_("10 – 28 Nov")),
                    ("2025-11-24/2025-12-19", N_("24 Nov – 19 Dec"))]
YIELD_WINDOWS = [("2025-11-13/2025-11-21", N_("13 – 21 Nov (the sell-off)")),
                 ("2025-10-27/2025-11-21", N_("27 Oct – 21 Nov (from the October FOMC)")),
                 ("2025-11-03/2025-11-28", N_("November")),
                 ("2025-12-01/2025-12-12", N_("1 – 12 Dec (around the cut)"))]


def _windows(windows):
    return [(w, _(label)) for w, label in windows]

# The narrative events marked on the charts: (date, short label, stagger level, what
# happened, published rows that document it as (table, date)). FOMC details are read from
# the decisions table; the Nvidia reversal is measured from our own NVDA prices.
EVENTS = [
    ("2025-10-29", N_("FOMC · Powell"), 0,
     N_("Powell said a December cut was \"far from a foregone conclusion\""),
     [(FOMC, "2025-10-29"), (ODDS, "2025-10-29")]),
    ("2025-11-20", N_("Sept. payrolls"), 1, N_("The September payrolls report was released"),
     [(ODDS, "2025-11-20")]),
    ("2025-11-20", N_("Nvidia reversal"), 2, None, []),
    ("2025-11-21", N_("Williams"), 3,
     N_("New York Fed president Williams said there was room for a further adjustment in the "
        "near term"), [(ODDS, "2025-11-21")]),
    ("2025-12-10", N_("FOMC cut"), 0, None, [(FOMC, "2025-12-10"), (ODDS, "2025-12-10")]),
]
NVDA_SOURCE = N_("our cached NVDA daily prices (see chapter 1)")


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
    rng = f"{r['target_low_pct']:.2f}–{r['target_high_pct']:.2f}"
    if isinstance(r["vote"], str) and r["vote"]:
        return _("FOMC decision: {decision} to {range}%, vote {vote}").format(
            decision=_(r['decision']), range=rng, vote=_(r['vote']))
    return _("FOMC decision: {decision} to {range}%").format(decision=_(r['decision']), range=rng)


def _nvda_text(date: str) -> str:
    df = rdata.series("NVDA")
    up = metrics.high_vs_prev_close(df, date)
    day = metrics.day_change(df, date)
    return _("Nvidia traded up to {up} above its previous close, then closed {day}").format(
        up=f"{up:+.1%}", day=f"{day:+.1%}")


def events() -> pd.DataFrame:
    """The events of the timeline with what happened and the addresses documenting them."""
    return _events(lang()).copy()  # a copy: callers may change it, the cached frame must not


@functools.lru_cache(maxsize=2)
def _events(language: str) -> pd.DataFrame:
    # Built once per language: it depends only on the published tables and cached prices.
    rows = []
    for date, label, level, detail, refs in EVENTS:
        parts = [_(detail)] if detail else []
        if label.startswith("FOMC"):
            parts.insert(0, _fomc_text(date))
        if label.startswith("Nvidia"):
            parts.append(_nvda_text(date))
        urls = list(dict.fromkeys(_row(t, d)["source_url"] for t, d in refs))
        rows.append({"date": date, "label": _(label), "level": level,
                     "detail": _("{parts}.").format(parts=_("; ").join(parts)),
                     "source": " ".join(urls) if urls else _(NVDA_SOURCE)})
    return pd.DataFrame(rows)


def _article(ids=("fedwatch-month-ago", "fedwatch-42-9-nov13")) -> pd.DataFrame:
    """The article's two FedWatch figures, read from the claims file (not typed here)."""
    rows = {r["id"]: r for r in rclaims.load_rows()}
    words = {"fedwatch-month-ago": _("“a month earlier”"),
             "fedwatch-42-9-nov13": _("“30 days” later")}
    out = []
    for i in ids:
        value = float(re.search(r"\d+(\.\d+)?", str(rows[i]["article"])).group())
        out.append({"value": value, "short": _("article: {value}%").format(value=f"{value:g}"),
                    "label": _("{value}% {words}; the article gives no date").format(
                        value=f"{value:g}", words=words.get(i, ''))})
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
        _("Date"): [date_label(d) for d in o["date"]],
        _("Odds of a December cut (published figure, %)"): [
            _("about {value}").format(value=f"{p:g}") if r == "approximate" else f"{p:g}"
            for p, r in zip(o["p_cut"], o["reading"])],
        _("Approximate?"): [_("yes") if r == "approximate" else _("no") for r in o["reading"]],
        _("Note"): [_(n) for n in o["note"]], _("Source"): o["source_url"]}).set_index(_("Date"))


def _events_df() -> pd.DataFrame:
    e = events()
    return pd.DataFrame({_("Date"): [date_label(d) for d in e["date"]], _("Label"): e["label"],
                         _("What happened"): e["detail"], _("Source"): e["source"]}
                        ).set_index(_("Date"))


def _decisions_df() -> pd.DataFrame:
    d = decisions()
    return pd.DataFrame({
        _("Date"): [date_label(x) for x in d["date"]], _("Decision"): [_(x) for x in d["decision"]],
        _("Target range after (%)"): [f"{lo:.2f}–{hi:.2f}" for lo, hi in
                                      zip(d["target_low_pct"], d["target_high_pct"])],
        _("Vote"): [_(v) for v in d["vote"].fillna(N_("not in our table"))],
        _("Source (published figure, not our data)"): d["source_url"]}).set_index(_("Date"))


def cme_example() -> pd.DataFrame:
    """CME's September 2015 worked example, step by step, computed by riskoff.fedwatch."""
    ex = fedwatch.CME_EXAMPLE
    m = fedwatch.days_before(ex["meeting_day"], ex["days_in_month"])
    o = fedwatch.meeting_odds(ex["price"], ex["prior_price"], days_before_meeting=m,
                              days_in_month=ex["days_in_month"])
    steps = [
        (_("Previous month's contract (August 2015, no meeting)"), _("price"),
         f"{ex['prior_price']}"),
        (_("Pre-meeting rate"), _("pre = 100 - previous price"), f"{o['pre']:.4f}%"),
        (_("Meeting month's contract (September 2015)"), _("price"), f"{ex['price']}"),
        (_("Average rate the futures imply for September"), _("avg = 100 - price"),
         f"{o['avg']:.4f}%"),
        (_("Days in the month, days before the decision"), "N, M",
         f"{o['days_in_month']}, {o['days_before']}"),
        (_("Post-meeting rate"), "post = (N*avg - M*pre) / (N - M)", f"{o['post']:.5f}%"),
        (_("Moves of 25 bp priced"), "(post - pre) / 0.25", f"{o['moves']:+.4f}"),
        (_("Probability of a 25 bp hike"), "", f"{o['split'][1][1]:.1%}"),
        (_("Probability of no change"), "", f"{o['split'][0][1]:.1%}"),
    ]
    return pd.DataFrame(steps, columns=[_("Step"), _("Formula"), _("Value")]).set_index(_("Step"))


def yield_table(start="2025-11-13", end="2025-11-21") -> pd.DataFrame:
    """Each yield's daily change (bp) in a window, and the total over it."""
    start, end = args.window(start, end, YIELDS)
    wide = rdata.closes(YIELDS)
    ch = fedwatch.changes_bp(wide).loc[start:end]
    closes = wide.loc[start:end]
    table = ch.map(lambda v: _("no close") if pd.isna(v) else f"{v:+.1f}")
    table.insert(0, "2-year close (%)", closes["DGS2"].map(
        lambda v: _("no close") if pd.isna(v) else f"{v:.2f}"))
    total = {s: fedwatch.change_bp(rdata.series(s), closes[s].dropna().index[-1],
                                   base=pd.Timestamp(start) - pd.Timedelta(days=1))
             for s in YIELDS}
    table.loc["Total"] = ["", *(f"{total[s]:+.1f}" for s in YIELDS)]
    table.index = [date_label(d) if d != "Total" else
                   _("Total, {start} to {end}").format(start=date_label(start),
                                                       end=date_label(end))
                   for d in table.index]
    table.columns = [_("2-year close (%)"), *(_("{series}: change (bp)").format(
        series=fed.name_of(s)) for s in YIELDS)]
    return table


def cuts_table(dates=("2025-10-28", "2025-10-29", "2025-11-13", "2025-11-20", "2025-11-21",
                      "2025-12-09", "2025-12-10")) -> pd.DataFrame:
    cp = _cuts_frame()
    known = pd.DatetimeIndex(cp["date"])
    dates = [args.session(d, f"dates[{i}]", known,
                           _("the 2-year yield with a known policy range"))
             for i, d in enumerate(args.sequence(dates, "dates"))]
    cp = cp.set_index("date").loc[list(dates)]
    return pd.DataFrame({
        _("Date"): [date_label(d) for d in cp.index],
        _("Target range (%)"): [f"{lo:.2f}–{hi:.2f}" for lo, hi in zip(cp["low"], cp["high"])],
        _("Midpoint (%)"): cp["mid"].map("{:.3f}".format),
        _("2-year yield (%)"): cp["two_year"].map("{:.2f}".format),
        _("Cuts of 25 bp priced (approx.)"): cp["cuts"].map("{:.2f}".format)}
        ).set_index(_("Date"))


def _odds_text(date: str) -> str:
    r = odds().set_index("date").loc[date]
    value = f"{r['p_cut']:g}%"
    return _("about {value}").format(value=value) if r["reading"] == "approximate" else value


def _event_on(date) -> str:
    e = events()
    hits = e[e["date"] == f"{pd.Timestamp(date):%Y-%m-%d}"]
    return "" if hits.empty else _(", the day of: {events}").format(
        events=_("; ").join(hits["detail"].str.rstrip(".").str.rstrip("。")))


def bond_summary():
    """What the Treasury market did, in sentences computed from the cached yields."""
    from IPython.display import Markdown

    wide = rdata.closes(YIELDS)
    ch = fedwatch.changes_bp(wide).loc[START:END]
    two = rdata.series("DGS2")
    top = ch["DGS2"].idxmax()
    d20, d21 = date_short("2025-11-20"), date_short("2025-11-21")
    lines = [
        _("- The largest one-day rise of the 2-year yield between {start} and {end} came on "
          "**{top}**: {rise} bp (10-year {ten} bp){event}.").format(
            start=date_label(START), end=date_label(END), top=date_label(top),
            rise=f"{ch['DGS2'].max():+.0f}", ten=f"{ch.loc[top, 'DGS10']:+.0f}",
            event=_event_on(top)),
        _("- From that close to {date}, while the published odds went from {a} to {b}, the "
          "2-year yield moved {move} bp.").format(
            date=d20, a=_odds_text('2025-10-29'), b=_odds_text('2025-11-20'),
            move=f"{fedwatch.change_bp(two, '2025-11-20', base='2025-10-29'):+.0f}"),
        _("- In the sell-off itself the 2-year yield moved {two20} bp on {d20} and {two21} bp "
          "on {d21}; the 10-year moved {ten20} bp and {ten21} bp.").format(
            two20=f"{fedwatch.change_bp(two, '2025-11-20'):+.0f}", d20=d20,
            two21=f"{fedwatch.change_bp(two, '2025-11-21'):+.0f}", d21=d21,
            ten20=f"{fedwatch.change_bp(rdata.series('DGS10'), '2025-11-20'):+.0f}",
            ten21=f"{fedwatch.change_bp(rdata.series('DGS10'), '2025-11-21'):+.0f}"),
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
    return Markdown("\n".join([
        _("- On {date} the FOMC decided a **{decision}** to {range}%, vote {vote} (published: "
          "<{url}>).").format(
            date=date_label(d['date']), decision=_(d['decision']),
            range=f"{d['target_low_pct']:.2f}–{d['target_high_pct']:.2f}", vote=_(d['vote']),
            url=d['source_url']),
        _("- Just before the announcement FedWatch gave a cut {odds} (published: <{url}>), "
          "against {low} on {low_date}, the lowest reading we hold.").format(
            odds=f"{last['p_cut_dec2025_pct']:g}%", url=last['source_url'],
            low=_odds_text(before['as_of']), low_date=date_label(before['as_of'])),
        _("- By our rough measure the 2-year yield priced {eve} cuts of 25 bp on the eve of the "
          "decision and {after} after it: a delivered cut drops out of the count.").format(
            eve=f"{cp['2025-12-09']:.1f}", after=f"{cp['2025-12-10']:.1f}")]))


# ---------------------------------------------------------------------------- 1. timeline

def _span(window: str) -> str:
    """A window value "YYYY-MM-DD/YYYY-MM-DD" as "13 – 21 Nov 2025" (months and years only
    where they differ). Titles give it a line of its own, so wrapping never splits it."""
    a, b = (pd.Timestamp(d) for d in window.split("/"))
    if is_zh():   # 2025年11月10日至28日, 2025年10月20日至11月30日
        if a.year != b.year:
            return f"{date_label(a)}至{date_label(b)}"
        return f"{date_label(a)}至{f'{b.month}月' if a.month != b.month else ''}{b.day}日"
    if a.year != b.year:
        return f"{date_label(a)} – {date_label(b)}"
    return f"{a.day if a.month == b.month else f'{a.day} {a:%b}'} – {date_label(b)}"


def _in_window(df: pd.DataFrame, window: str) -> pd.DataFrame:
    # As the chart's filter: both ends included.
    a, b = window.split("/")
    return df[(df["date"] >= a) & (df["date"] <= b)]


def _plain(symbol: str) -> str:
    return re.sub(r"( \((%|points)\)|（(%|點)）)$", "", fed.name_of(symbol))


def _approx(r, value: str) -> str:
    return _("about {value}").format(value=value) if r["reading"] == "approximate" else value


def _timeline_words(o: pd.DataFrame, m: pd.DataFrame):
    """Title and takeaway of the timeline for each window and market series: the highest and
    the lowest published reading in the window, in date order, and what the series did
    between those dates (closes of the chart's own frame)."""
    from .findings import pct

    def describe(state):
        window, sym = state["window"], state["overlay"]
        name = _plain(sym)
        title = (_("Published FedWatch odds of a December cut and the {name},") + "\n"
                 + _span(window)).format(name=name)
        ow = _in_window(o, window)
        if len(ow) < 2:
            return Said(title, _("Fewer than two published readings fall in this window."))
        hi, lo = ow.loc[ow["p_cut"].idxmax()], ow.loc[ow["p_cut"].idxmin()]
        a, b = sorted([hi, lo], key=lambda r: r["date"])
        closes = _in_window(m[m["symbol"] == sym], window).set_index("date")["value"]

        def close(d):  # the close of the reading's day, else the last before it
            before = closes.loc[:d]
            return before.index[-1], before.iloc[-1]

        (da, va), (db, vb) = close(a["date"]), close(b["date"])
        when = "" if (da, db) == (a["date"], b["date"]) else \
            _(" (closes of {a} and {b})").format(a=date_label(da), b=date_label(db))
        if sym in YIELDS:
            moved = _("went from {a}% to {b}% ({bp})").format(
                a=f"{va:.2f}", b=f"{vb:.2f}",
                bp=_bp(fedwatch.change_bp(rdata.series(sym), db, base=da)))
        else:
            moved = _("changed {pct}").format(pct=pct(vb / va - 1))
        msg = (_("The published odds fell from {a} on {a_date} to {b} on {b_date}; between "
                 "those dates the {name} {moved}{when}.") if a["p_cut"] > b["p_cut"] else
               _("The published odds rose from {a} on {a_date} to {b} on {b_date}; between "
                 "those dates the {name} {moved}{when}."))
        return Said(title, msg.format(a=_approx(a, f"{a['p_cut']:g}%"), a_date=date_label(a['date']),
                                      b=_approx(b, f"{b['p_cut']:g}%"), b_date=date_label(b['date']),
                                      name=name, moved=moved, when=when))
    return describe


def timeline():
    o, e = odds(), events()
    m = _market(OVERLAY)
    chart = fed.timeline(o, m, e, windows=_windows(TIMELINE_WINDOWS), article=_article())
    frame = pd.concat([o.assign(series=_("FedWatch odds of a December cut (published, %)"))
                       .rename(columns={"p_cut": "value"}),
                       m.assign(series=m["symbol"].map(fed.name_of))], ignore_index=True)
    frame = frame[["date", "series", "value", "reading", "source_url"]].sort_values(
        ["series", "date"])
    return publish(chart, frame, "ch2-odds-timeline",
                   Caption(OVERLAY, as_of=END, published=[ODDS, FOMC],
                           note=_("The odds are CME FedWatch figures as quoted by news pages "
                                  "on the dates shown, not our measurement; orange diamonds "
                                  "mark readings the pages gave only approximately. Hover a "
                                  "point for its source address. The dotted lines are the "
                                  "article's two figures, which it does not date. Event sources "
                                  "are listed in the table above.")),
                   describe=_timeline_words(o, m),
                   about=_("Line charts: published FedWatch odds of a December 2025 cut above, "
                           "one market series below, with the narrative's events marked"))


# ---------------------------------------------------------------------------- 2. calculator

def calculator_frame(price, prior_price, meeting_day, days_in_month) -> pd.DataFrame:
    """Rows the kernel calculator draws, computed with riskoff.fedwatch."""
    price = args.number(price, "price", 0, 100)
    prior_price = args.number(prior_price, "prior_price", 0, 100)
    days_in_month = args.integer(days_in_month, "days_in_month", 28, 31)
    if not isinstance(meeting_day, bool) and isinstance(meeting_day, int) \
            and not 2 <= meeting_day <= days_in_month:
        args.fail("meeting_day", meeting_day, _("must be between 2 and {days} for a month of "
                                                "{days} days").format(days=days_in_month))
    meeting_day = args.integer(meeting_day, "meeting_day", 2, days_in_month)
    m = fedwatch.days_before(meeting_day, days_in_month)
    o = fedwatch.meeting_odds(price, prior_price, days_before_meeting=m,
                              days_in_month=days_in_month)
    common = {"avg": o["avg"], "pre": o["pre"], "post": o["post"], "moves": o["moves"]}
    rows = [{"part": "path", "day": d, "rate": o["pre"] if d < int(meeting_day) else o["post"],
             "period": _("before the decision") if d < int(meeting_day) else
             _("from the decision day"), **common} for d in range(1, o["days_in_month"] + 1)]
    for n, p in o["split"]:
        label = (_("No change") if n == 0 else (_("{bp} bp cut") if n < 0 else _("{bp} bp hike"))
                 .format(bp=abs(n) * 25))
        rows.append({"part": "outcome", "n": n, "prob": p, "label": label, **common})
    rows.append({"part": "summary", **common})
    return pd.DataFrame(rows)


def calculator():
    ex = fedwatch.CME_EXAMPLE
    inputs = pd.DataFrame([ex])
    frame = calculator_frame(**ex)
    return publish(fed.calculator(inputs), frame, "ch2-fedwatch-calculator",
                   Caption(extra_sources=[
                       _("**Inputs:** {source} (published figures, not our data), read in a "
                         "copy at <{copy}>; CME's methodology page: <{method}>.").format(
                           source=_(fedwatch.CME_EXAMPLE_SOURCE), copy=fedwatch.CME_EXAMPLE_COPY,
                           method=fedwatch.CME_METHOD_PAGE),
                       _("**Data as of:** no market data: we hold no fed funds futures prices, "
                         "so the calculator starts from CME's example (a September 2015 "
                         "meeting) and computes whatever prices you enter.")]),
                   describe=fed.calculator_words(),
                   about=_("FedWatch calculator: the rates and outcome odds implied by two fed "
                           "funds futures prices, with a step chart of the rate through the "
                           "month"))


# ---------------------------------------------------------------------------- 3. yields

def _yield_frame(start=START, end=END) -> pd.DataFrame:
    ch = fedwatch.changes_bp(rdata.closes(YIELDS)).loc[start:end]
    return metrics.tidy(ch, "change_bp")


def _bp(v: float) -> str:
    return _("{bp} bp").format(bp=f"{v:+.0f}" if round(v) else "0")


def _yield_words(frame: pd.DataFrame):
    """Title and takeaway of the yield bars for each window and measure, from the chart's
    own frame of daily changes (each against the series' previous published close)."""
    def describe(state):
        window, measure = state["ywindow"], state["ymeasure"]
        title = (_("Treasury yields: change since the close before the window (bp),")
                 if measure == "cum" else
                 _("Treasury yields: change from the previous close (bp),")) + "\n" + _span(window)
        fw = _in_window(frame, window).dropna(subset=["change_bp"])
        if fw.empty:
            return Said(title, _("No yield closes fall in this window."))
        by = {s: fw[fw["symbol"] == s].set_index("date")["change_bp"] for s in YIELDS}
        if measure == "cum":
            last = max(v.index.max() for v in by.values())
            start = window.split("/")[0]
            return Said(title, _("From the close before {start} to {last} the 2-year yield "
                                 "moved {two}, the 10-year {ten} and Cboe's 10-year index "
                                 "{tnx}.").format(
                start=date_label(start), last=date_label(last), two=_bp(by['DGS2'].sum()),
                ten=_bp(by['DGS10'].sum()), tnx=_bp(by['TNX'].sum())))
        def largest(s):  # every day tied for the largest move (bars of equal height)
            v = by[s].round(6)
            hits = v[v.abs() == v.abs().max()]
            return p_("list", " and ").join(_("{bp} on {date}").format(bp=_bp(x), date=date_label(d))
                                   for d, x in hits.items())
        return Said(title, _("The 2-year yield's largest one-day move in the window was {two}; "
                             "the 10-year's was {ten}.").format(two=largest('DGS2'),
                                                                ten=largest('DGS10')))
    return describe


def yield_moves():
    frame = _yield_frame()
    return publish(fed.yield_moves(frame, windows=_windows(YIELD_WINDOWS)), frame,
                   "ch2-yield-moves",
                   Caption(YIELDS, as_of=END,
                           note=_("Each bar compares a close with that series' previous "
                                  "published close (FRED has no close on US bond-market "
                                  "holidays such as 11 Nov; Cboe's index has a value that "
                                  "day). One basis point is 0.01 percentage point.")),
                   describe=_yield_words(frame),
                   about=_("Bar chart: daily changes of the 2-year and 10-year Treasury yields "
                           "in basis points, by date"))


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
            title = (_("Cuts of 25 bp priced,") + "\n" + span + _(":") + "\n"
                     + _("= (policy midpoint − 2-year yield) / 0.25"))
            k = c["cuts"]
            return Said(title, _("By this rough measure the 2-year yield priced {oct28} cuts of "
                                 "25 bp on {d_oct28}, {oct29} after the October cut, {nov20} on "
                                 "{d_nov20} and {nov21} on {d_nov21}.").format(
                oct28=f"{k['2025-10-28']:.1f}", d_oct28=date_short("2025-10-28"),
                oct29=f"{k['2025-10-29']:.1f}", nov20=f"{k['2025-11-20']:.1f}",
                d_nov20=date_short("2025-11-20"), nov21=f"{k['2025-11-21']:.1f}",
                d_nov21=date_short("2025-11-21")))
        title = _("2-year Treasury yield and the Fed funds target range,") + "\n" + span
        # Named dates, not "shown": the figure's From/To tool zooms without filtering.
        under = int((c["two_year"] < c["low"]).sum())
        d = c.loc["2025-11-20"]
        msg = (_("The 2-year yield closed below the bottom of the target range on every one of "
                 "its {n} closes from {start} to {end}; on {date} it closed at {close}% against "
                 "a range of {low}–{high}%.") if under == len(c) else
               _("The 2-year yield closed below the bottom of the target range on {under} of "
                 "its {n} closes from {start} to {end}; on {date} it closed at {close}% against "
                 "a range of {low}–{high}%."))
        return Said(title, msg.format(
            under=under, n=len(c), start=date_label(c.index[0]), end=date_label(c.index[-1]),
            date=date_label("2025-11-20"), close=f"{d['two_year']:.2f}", low=f"{d['low']:.2f}",
            high=f"{d['high']:.2f}"))
    return describe


def cuts_priced():
    cp = _cuts_frame()
    ev = events()
    return publish(fed.cuts_priced(cp, ev), cp, "ch2-cuts-priced",
                   Caption(["DGS2"], as_of=cp["date"].iloc[-1], published=[FOMC],
                           note=_("An approximation, not FedWatch: it ignores the term "
                                  "premium and reads the 2-year yield as the policy rate "
                                  "expected on average over two years, not one. It starts with "
                                  "the first decision in our table (17 Sep 2025) and stops at "
                                  "the end of 2025 because our table ends with the 10 Dec "
                                  "decision.")),
                   describe=_cuts_words(cp),
                   about=_("Line chart: the cuts of 25 bp the 2-year Treasury yield priced, or "
                           "the yield against the Fed funds target range, with events marked"))


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
        return _("Pick both dates.")
    if start.value >= end.value:
        return _("The start date must come before the end date.")
    return f"{start.value:%Y-%m-%d}", f"{end.value:%Y-%m-%d}"


def explore_timeline():
    """Kernel controls: any date range and any of five market series under the odds."""
    start, end = widgets.date(START, _("From")), widgets.date(END, _("To"))
    series = ipw.Dropdown(options=[(fed.name_of(s), s) for s in KERNEL_SERIES],
                          description=_("Series"))

    def render():
        dates = _dates(start, end)
        if isinstance(dates, str):
            return dates
        m = _market([series.value], *dates)
        if m.empty:
            return _("No {series} closes between {start} and {end}.").format(
                series=fed.name_of(series.value), start=dates[0], end=dates[1])
        o, e = odds(), events()
        o = o[(o.date >= dates[0]) & (o.date <= dates[1])]
        e = e[(e.date >= dates[0]) & (e.date <= dates[1])]
        with debug_mode(False):
            return fed.timeline(o, m, e, static=False, article=_article())

    return widgets.explorer([start, end, series], render)


def explore_calculator():
    """Kernel controls: type futures prices and days; riskoff.fedwatch computes."""
    ex = fedwatch.CME_EXAMPLE
    price = ipw.FloatText(value=ex["price"], step=0.0025, description=_("Month price"))
    prior = ipw.FloatText(value=ex["prior_price"], step=0.0025, description=_("Prior price"))
    day = ipw.IntSlider(value=ex["meeting_day"], min=1, max=31, description=_("Decision day"))
    ndays = ipw.IntSlider(value=ex["days_in_month"], min=28, max=31, description=_("Days"))

    def render():
        frame = calculator_frame(price.value, prior.value, day.value, ndays.value)
        with debug_mode(False):
            return fed.calculator(frame, static=False)

    return widgets.explorer([price, prior, day, ndays], render)


def explore_yield_moves():
    start, end = widgets.date("2025-11-13", _("From")), widgets.date("2025-11-21", _("To"))
    measure = ipw.Dropdown(options=[(_("Each day's change"), "day"),
                                    (_("Change since the window began"), "cum")],
                           description=_("Bars show"))

    def render():
        dates = _dates(start, end)
        if isinstance(dates, str):
            return dates
        frame = _yield_frame(*dates)
        if frame.empty:
            return _("No yield closes between {start} and {end} (our FRED yields end "
                     "{last}).").format(start=dates[0], end=dates[1],
                                        last=rdata.info('DGS2')['last'])
        if measure.value == "cum":
            frame["change_bp"] = frame.groupby("symbol")["change_bp"].cumsum()
        return fed.yield_moves(frame.rename(columns={"change_bp": "value"}), static=False)

    return widgets.explorer([start, end, measure], render)


def explore_cuts_priced():
    start, end = widgets.date("2025-09-17", _("From")), widgets.date(END, _("To"))
    view = ipw.Dropdown(options=[(_("25 bp cuts priced"), "cuts"),
                                 (_("2-year yield and policy range"), "levels")],
                        description=_("Show"))

    def render():
        dates = _dates(start, end)
        if isinstance(dates, str):
            return dates
        if dates[1] > END:
            return _("Our table of FOMC decisions ends with the 10 Dec 2025 decision, so the "
                     "policy range is known only up to {end}: pick an earlier end.").format(
                end=date_label(END))
        cp = _cuts_frame(*dates)
        if cp.empty:
            return _("No 2-year closes with a known policy range between {start} and {end} "
                     "(our table starts with the 17 Sep 2025 decision).").format(
                start=dates[0], end=dates[1])
        ev = events()
        ev = ev[(ev.date >= dates[0]) & (ev.date <= dates[1])]
        with debug_mode(False):
            chart = fed.cuts_priced(cp, ev, static=False, view=view.value)
        first = str(decisions()["date"].min())[:10]
        if dates[0] < first:  # the policy range is unknown before the first decision we hold
            return chart, _("Our table of FOMC decisions starts with the {first} decision: "
                            "drawn from there, not from {start}.").format(
                first=date_label(first), start=date_label(dates[0]))
        return chart

    return widgets.explorer([start, end, view], render)
