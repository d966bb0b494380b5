"""Each chapter's answer first: a few sentences computed from the cache, shown under its title.

Facts that appear on several pages (Nvidia's close on 20 Nov, the Nasdaq-100's day) are
computed here once and formatted with one rounding (``pct``), so the front page, a chapter's
findings and a chart's caption cannot disagree.
"""
from __future__ import annotations

import html

import pandas as pd

from . import data as rdata
from . import metrics
from .charts.base import date_label, label_of

EVENT, NEXT = "2025-11-20", "2025-11-21"


def pct(x: float) -> str:
    """The book's one rounding of a percentage move: two decimals and a sign (-0.0315 → -3.15%)."""
    return "n.a." if pd.isna(x) else f"{x:+.2%}"


def day_move(symbol: str, date: str = EVENT) -> float:
    """Close-to-close change of one session, from the daily file (never an intraday bar)."""
    return metrics.day_change(rdata.series(symbol), date)


def gap(symbol: str, date: str = EVENT) -> float:
    """The session's open against the previous daily close."""
    df = rdata.series(symbol)
    bar = metrics.session(df, date)
    return float("nan") if bar is None else float(bar["open"]) / metrics.prev_close(df, date) - 1


class Findings:
    """A chapter's findings: Markdown text, shown in notebooks and on the site as HTML."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        self.markdown = "\n".join(f"- {line}" for line in lines)

    def _repr_html_(self) -> str:
        from .charts.base import _md_to_html

        return ('<div class="chapter-findings"><p class="findings-title"><strong>What this '
                'chapter finds</strong> (computed from the cached data each time the book is '
                'built)</p>' + _md_to_html(self.markdown) + "</div>")

    def _repr_markdown_(self) -> str:
        return self.markdown

    def __repr__(self) -> str:  # the text/plain output: stable, no memory address
        return self.markdown


def _md(lines: list[str]) -> Findings:
    return Findings(lines)


def verdict_counts(chapter: str) -> str:
    """"Of the article's 17 figures checked here, 14 match, ..." from the claims files."""
    from . import claims

    res = claims.evaluate_all(chapter)
    counts = pd.Series([r.verdict for r in res]).value_counts()
    order = [v for v in claims.VERDICTS if v in counts.index]
    parts = [f"*{v}* {counts[v]}" for v in order]
    return (f"Verdicts on the {len(res)} claims of the article checked in this chapter: "
            + ", ".join(parts) + " (the table at the end of the chapter gives each one).")


# ---------------------------------------------------------------------------- chapter 1

def ch1():
    from .ch1 import EVENT as ASSETS

    grid = metrics.scoreboard(ASSETS, [EVENT])
    day = grid[(grid.measure == "day") & grid.value.notna()].set_index("symbol")["value"]
    worst = day.idxmin()
    ndx, nvda = rdata.series("NDX"), rdata.series("NVDA")
    btc = rdata.series("BTC-USD")
    peak_day, peak = metrics.peak(btc, "2025-01-01", NEXT)
    btc_close = float(btc.loc[NEXT, "close"])
    fell = int((day < 0).sum())
    return _md([
        f"On {date_label(EVENT)} {fell} of the {len(day)} assets of the scoreboard closed lower; "
        f"the Nasdaq-100 lost {pct(day_move('NDX'))} after a {pct(metrics.high_to_low(ndx, EVENT))} "
        f"swing from its high to its low, and the largest fall was {label_of(worst)}'s "
        f"{pct(day[worst])}.",
        f"Nvidia stood {pct(metrics.high_vs_prev_close(nvda, EVENT))} above its previous close at "
        f"its high, the morning after its results, and closed {pct(day_move('NVDA'))}.",
        f"On {date_label(NEXT)} Asia followed: the Hang Seng moved {pct(day_move('HSI', NEXT))} "
        f"and the Shanghai Composite {pct(day_move('000001.SS', NEXT))}, while the Nasdaq-100 "
        f"moved {pct(day_move('NDX', NEXT))}.",
        f"Bitcoin closed {date_label(NEXT)} at {btc_close:,.0f} dollars, "
        f"{pct(btc_close / peak - 1)} from its 2025 record close of {peak:,.0f} on "
        f"{date_label(peak_day)}.",
        verdict_counts("data"),
    ])


# ---------------------------------------------------------------------------- chapter 2

def _odds() -> pd.DataFrame:
    return rdata.published("fedwatch_dec2025").set_index("as_of")


def _odds_text(o: pd.DataFrame, date: str) -> str:
    r = o.loc[date]
    about = "about " if str(r["approximate"]).lower() == "true" else ""
    return f"{about}{r['p_cut_dec2025_pct']:g}%"


def ch2():
    from . import fedwatch

    o = _odds()
    low = o["p_cut_dec2025_pct"].idxmin()
    two = rdata.series("DGS2")
    ch = fedwatch.changes_bp(rdata.closes(["DGS2"])).loc["2025-10-01":"2025-12-31", "DGS2"]
    top = ch.idxmax()
    fomc = rdata.published("fomc_decisions_2025").set_index("date").loc["2025-12-10"]
    return _md([
        f"The published FedWatch odds of a December cut (CME figures quoted by news pages, not "
        f"our data) fell from {_odds_text(o, '2025-10-28')} on 28 Oct to "
        f"{_odds_text(o, '2025-11-13')} on 13 Nov, a week before the sell-off; the lowest "
        f"reading we hold is {_odds_text(o, low)} on {date_label(low)}.",
        f"They had turned up again by {date_label(NEXT)} ({_odds_text(o, NEXT)}), while "
        f"stocks were still falling.",
        f"The 2-year Treasury yield's largest one-day rise of October to December 2025 came on "
        f"{date_label(top)} ({ch.max():+.0f} bp), three weeks before the sell-off; on 20 and "
        f"21 Nov it fell ({fedwatch.change_bp(two, EVENT):+.0f} bp and "
        f"{fedwatch.change_bp(two, NEXT):+.0f} bp), the pattern of a flight to safety.",
        f"The Fed cut on {date_label('2025-12-10')} ({fomc['decision']}, published figure), "
        f"the cut the article ruled out.",
        verdict_counts("fed"),
    ])


# ---------------------------------------------------------------------------- chapter 3

def ch3():
    from . import ch3 as c3

    reactions = c3._reactions("NVDA")
    rank, n = c3.rank_of(reactions, EVENT, "high_close")
    lead = c3.claim_high_lead("NVDA_1h", "SPX_5m", EVENT)
    bars = c3.intraday.summary(c3._session("NVDA_1h", EVENT), c3._prev_close("NVDA_1h", EVENT))
    deals = rdata.published("ai_deals")
    valued = deals["amount_bn_usd"].dropna()
    return _md([
        f"On {date_label(EVENT)} Nvidia opened {pct(gap('NVDA'))} above its previous close, "
        f"made its high in the {bars['high_start']}-{bars['high_end']} hourly bar (New York "
        f"time) and closed {pct(day_move('NVDA'))} (daily close); the "
        f"Nasdaq-100 closed {pct(day_move('NDX'))}.",
        f"Nvidia's high came at least {lead:.0f} minutes before the S&P 500's: in timing it "
        f"led the turn, which does not show that it caused it.",
        f"Among the {n} sessions after Nvidia's results in our data, 20 Nov had "
        f"{c3._ordinal(rank)} fall from the high to the close "
        f"({pct(reactions.set_index('session').loc[EVENT, 'high_close'])}): strong results and "
        f"a falling stock had happened before.",
        f"The deals behind the circular-financing critique are {len(deals)} announcements "
        f"({len(valued)} with a headline value, {valued.sum():,.0f} bn dollars in all, many "
        f"of them \"up to\" amounts); they are published figures, not measured cash flows.",
        verdict_counts("nvidia"),
    ])


# ---------------------------------------------------------------------------- chapter 4

# The nine drivers on one verdict scale. A verdict is a reading of the evidence in each
# section (argued there), so it is written here once and shown twice: as the chapter's lead
# table and in the findings' counts.
SCALE = ("supported", "weak", "contradicted", "not testable")
DRIVERS = [
    ("driver-1", "The bull run was exhausted", "supported", "",
     "Good news opened prices higher and the day closed lower; such fades are rare in our "
     "history."),
    ("driver-2", "Private-credit risk rose", "weak", "",
     "Blue Owl's slide is long-running; no sharp overnight move in HYG against Treasuries."),
    ("driver-3", "The jobs data were hard to read", "weak", "",
     "Yields barely moved on the release day: little guidance, and little impact."),
    ("driver-4", "Crypto led", "weak", "",
     "Bitcoin topped weeks earlier, but it shows no daily lead and broke 90,000 after the "
     "Nasdaq-100 broke its trend."),
    ("driver-5", "Trend followers sold", "supported", "as a model",
     "A standard trend model went from fully long to short between 17 and 20 November."),
    ("driver-6", "Short sellers came back", "not testable", "",
     "No short-interest data; the VIX shows fear, not shorts."),
    ("driver-7", "Asian tech was weak", "supported", "as a backdrop, not as a trigger",
     "SoftBank slid for weeks, but Asia rose on 20 November and fell after New York."),
    ("driver-8", "Liquidity dried up", "weak", "",
     "A very wide range on heavy volume; price impact per dollar only modestly higher."),
    ("driver-9", "Passive money dominated", "weak", "",
     "ETF volume doubled while index volume did not; the ETF share itself is not measurable."),
]


def driver_table():
    """The nine drivers and their verdicts, one scale, each row linking to its section."""
    from IPython.display import HTML

    for anchor, _, verdict, _, _ in DRIVERS:
        if verdict not in SCALE:
            raise ValueError(f"driver {anchor}: verdict {verdict!r} is not on the scale "
                             f"{', '.join(SCALE)}")
    rows = []
    for i, (anchor, name, verdict, qualifier, line) in enumerate(DRIVERS, 1):
        q = f' <span class="verdict-note">({html.escape(qualifier)})</span>' if qualifier else ""
        rows.append(f'<tr><td><a href="#{anchor}">{i}. {html.escape(name)}</a></td>'
                    f'<td><span class="verdict verdict-{verdict.replace(" ", "-")}">'
                    f'{html.escape(verdict)}</span>{q}</td><td>{html.escape(line)}</td></tr>')
    return HTML('<table class="riskoff-table driver-verdicts"><caption>The nine drivers, '
                'each on the same scale: <em>supported</em>, <em>weak</em>, '
                '<em>contradicted</em>, <em>not testable</em> with our data.</caption>'
                '<thead><tr><th scope="col">Driver</th><th scope="col">Verdict</th>'
                '<th scope="col">In one line</th></tr></thead><tbody>'
                + "".join(rows) + "</tbody></table>")


def ch4():
    counts = pd.Series([d[2] for d in DRIVERS]).value_counts()
    said = ", ".join(f"{counts.get(v, 0)} {v}" for v in SCALE)
    spy, qqq = rdata.series("SPY"), rdata.series("QQQ")
    vol_ratio = {s: float(df.loc[EVENT, "volume"] / df.loc[:EVENT, "volume"].iloc[-22:-1].mean())
                 for s, df in (("SPY", spy), ("QQQ", qqq))}
    vix = rdata.series("VIX")
    return _md([
        f"Of the desk's nine drivers, our proxies give: {said}. None is proved by daily "
        f"prices; the strongest, the exhausted bull run, is about price itself.",
        f"The gap and fade is plain: Nvidia opened {pct(gap('NVDA'))} and closed "
        f"{pct(day_move('NVDA'))}, QQQ (the Nasdaq-100 fund) {pct(gap('QQQ'))} and "
        f"{pct(day_move('QQQ'))}, SPY (the S&P 500 fund) {pct(gap('SPY'))} and "
        f"{pct(day_move('SPY'))}.",
        f"Fear rose but stayed far from a panic: the VIX closed at {vix.loc[EVENT, 'close']:.2f} "
        f"points, against {vix.loc[:'2025-12-31', 'close'].max():.2f} in April 2025.",
        f"SPY and QQQ traded {vol_ratio['SPY']:.1f} and {vol_ratio['QQQ']:.1f} times their "
        f"average volume of the previous 21 sessions: a violent but heavily traded day.",
        "Most drivers are about data a trading desk sees and we do not (order books, short "
        "interest, fund positions): for those the honest verdict is what daily prices cannot "
        "settle.",
    ])


# ---------------------------------------------------------------------------- chapter 5

def ch5():
    from . import ch5 as c5

    st = c5._after_stats()
    us = {s: st[s] for s in ("GSPC", "NDX")}
    crypto = {s: st[s] for s in ("BTC-USD", "ETH-USD")}

    def low_vs_high(s):
        closes = c5.close(s).loc[NEXT:]
        return closes.min() / st[s]["prior_high"] - 1

    fomc = rdata.published("fomc_decisions_2025").set_index("date").loc["2025-12-10"]
    return _md([
        "The fall did not become a bear market for US stocks: "
        + "; ".join(f"the {label_of(s)}'s lowest close from 21 Nov on was {pct(low_vs_high(s))} "
                    f"from its 2025 high, and it closed at a new high on "
                    f"{date_label(v['new_high'])}" for s, v in us.items()) + ".",
        "Crypto did fall into one: "
        + "; ".join(f"{label_of(s)}'s lowest close was {pct(low_vs_high(s))} from its 2025 "
                    f"high" for s in crypto)
        + f", and on {date_label(st['BTC-USD']['last_date'])} Bitcoin stood "
          f"{pct(st['BTC-USD']['last_change'])} from its 21 Nov close.",
        f"The Fed cut on {date_label('2025-12-10')} ({fomc['decision']}, published figure): "
        f"the article's \"no cut in December\" was wrong.",
        verdict_counts("outlook"),
    ])


CHAPTERS = {1: ch1, 2: ch2, 3: ch3, 4: ch4, 5: ch5}


def chapter(n: int):
    """The findings of chapter ``n`` as Markdown bullets."""
    if n not in CHAPTERS:
        raise ValueError(f"chapter must be one of {', '.join(map(str, CHAPTERS))}, not {n!r}")
    return CHAPTERS[n]()
