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
from .i18n import N_, _, billions, date_short, minus

# Published decisions as the FOMC table writes them (riskoff/data/published), translated where shown.
DECISIONS = (N_("cut 25 bp"), N_("hold"), N_("cut 50 bp"), N_("hike 25 bp"))

EVENT, NEXT = "2025-11-20", "2025-11-21"


def pct(x: float) -> str:
    """The book's one rounding of a percentage move: two decimals and a sign (-0.0315 → −3.15%)."""
    return _("n.a.") if pd.isna(x) else minus(f"{x:+.2%}")


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

        return ('<div class="chapter-findings"><p class="findings-title">'
                + _('<strong>What this chapter finds</strong> (computed from the cached data '
                    'each time the book is built)') + '</p>' + _md_to_html(self.markdown)
                + "</div>")

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
    parts = [_("*{verdict}* {n}").format(verdict=_(v), n=counts[v]) for v in order]
    return _("Verdicts on the {n} claims of the article checked in this chapter: {counts} (the "
             "table at the end of the chapter gives each one).").format(
        n=len(res), counts=_(", ").join(parts))


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
        _("On {date} {fell} of the {n} assets of the scoreboard closed lower; the Nasdaq-100 closed "
          "{ndx}, after a {swing} swing from its high to its low, and the largest fall was "
          "{worst}'s {worst_pct}.").format(
            date=date_label(EVENT), fell=fell, n=len(day), ndx=pct(day_move('NDX')),
            swing=pct(metrics.high_to_low(ndx, EVENT)), worst=label_of(worst),
            worst_pct=pct(day[worst])),
        _("Nvidia stood {high} above its previous close at its high, the morning after its "
          "results, and closed {close}.").format(
            high=pct(metrics.high_vs_prev_close(nvda, EVENT)), close=pct(day_move('NVDA'))),
        _("On {date} Asia followed: the Hang Seng moved {hsi} and the Shanghai Composite {sse}, "
          "while the Nasdaq-100 moved {ndx}.").format(
            date=date_label(NEXT), hsi=pct(day_move('HSI', NEXT)),
            sse=pct(day_move('000001.SS', NEXT)), ndx=pct(day_move('NDX', NEXT))),
        _("Bitcoin closed {date} at {close} dollars, {from_peak} from its 2025 record close of "
          "{peak} on {peak_date}.").format(
            date=date_label(NEXT), close=f"{btc_close:,.0f}", from_peak=pct(btc_close / peak - 1),
            peak=f"{peak:,.0f}", peak_date=date_label(peak_day)),
        verdict_counts("data"),
    ])


# ---------------------------------------------------------------------------- chapter 2

def _odds() -> pd.DataFrame:
    return rdata.published("fedwatch_dec2025").set_index("as_of")


def _odds_text(o: pd.DataFrame, date: str) -> str:
    r = o.loc[date]
    value = f"{r['p_cut_dec2025_pct']:g}%"
    return (_("about {value}").format(value=value) if str(r["approximate"]).lower() == "true"
            else value)


def ch2():
    from . import fedwatch

    o = _odds()
    low = o["p_cut_dec2025_pct"].idxmin()
    two = rdata.series("DGS2")
    ch = fedwatch.changes_bp(rdata.closes(["DGS2"])).loc["2025-10-01":"2025-12-31", "DGS2"]
    top = ch.idxmax()
    fomc = rdata.published("fomc_decisions_2025").set_index("date").loc["2025-12-10"]
    return _md([
        _("The published FedWatch odds of a December cut (CME figures quoted by news pages, not "
          "our data) fell from {oct28} on {d_oct28} to {nov13} on {d_nov13}, a week before the "
          "sell-off; the lowest reading we hold is {low} on {d_low}.").format(
            oct28=_odds_text(o, '2025-10-28'), d_oct28=date_short('2025-10-28'),
            nov13=_odds_text(o, '2025-11-13'), d_nov13=date_short('2025-11-13'),
            low=_odds_text(o, low), d_low=date_label(low)),
        _("They had turned up again by {date} ({odds}), while stocks were still falling.").format(
            date=date_label(NEXT), odds=_odds_text(o, NEXT)),
        _("The 2-year Treasury yield's largest one-day rise of October to December 2025 came on "
          "{date} ({rise} bp), three weeks before the sell-off; on 20 and 21 Nov it fell ({d20} "
          "bp and {d21} bp), the pattern of a flight to safety.").format(
            date=date_label(top), rise=f"{ch.max():+.0f}",
            d20=f"{fedwatch.change_bp(two, EVENT):+.0f}",
            d21=f"{fedwatch.change_bp(two, NEXT):+.0f}"),
        _("The Fed cut on {date} ({decision}, published figure), the cut the article ruled "
          "out.").format(date=date_label('2025-12-10'), decision=_(fomc['decision'])),
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
        _("On {date} Nvidia opened {gap} above its previous close, made its high in the "
          "{start}-{end} hourly bar (New York time) and closed {close} (daily close); the "
          "Nasdaq-100 closed {ndx}.").format(
            date=date_label(EVENT), gap=pct(gap('NVDA')), start=bars['high_start'],
            end=bars['high_end'], close=pct(day_move('NVDA')), ndx=pct(day_move('NDX'))),
        _("Nvidia's high came at least {minutes} minutes before the S&P 500's: in timing it led "
          "the turn, which does not show that it caused it.").format(minutes=f"{lead:.0f}"),
        _("Among the {n} sessions after Nvidia's results in our data, {date} had {ordinal} fall "
          "from the high to the close ({pct}): strong results and a falling stock had happened "
          "before.").format(
            n=n, date=date_short(EVENT), ordinal=c3._ordinal(rank),
            pct=pct(reactions.set_index('session').loc[EVENT, 'high_close'])),
        _("The deals behind the circular-financing critique are {n} announcements ({valued} with "
          "a headline value, {total} bn dollars in all, many of them \"up to\" amounts); they "
          "are published figures, not measured cash flows.").format(
            n=len(deals), valued=len(valued), total=billions(valued.sum())),
        verdict_counts("nvidia"),
    ])


# ---------------------------------------------------------------------------- chapter 4

# The nine drivers on one verdict scale. A verdict is a reading of the evidence in each
# section (argued there), so it is written here once and shown twice: as the chapter's lead
# table and in the findings' counts.
SCALE = (N_("supported"), N_("weak"), N_("contradicted"), N_("not testable"))
# Written in English; driver_table() and the chapters show them in the reader's language.
DRIVERS = [
    ("driver-1", N_("The bull run was exhausted"), "supported", "",
     N_("Good news opened prices higher and the day closed lower; such fades are rare in our "
        "history.")),
    ("driver-2", N_("Private-credit risk rose"), "weak", "",
     N_("Blue Owl's slide is long-running; no sharp overnight move in HYG against Treasuries.")),
    ("driver-3", N_("The jobs data were hard to read"), "weak", "",
     N_("Yields barely moved on the release day: little guidance, and little impact.")),
    ("driver-4", N_("Crypto led"), "weak", "",
     N_("Bitcoin topped weeks earlier, but it shows no daily lead and broke 90,000 after the "
        "Nasdaq-100 broke its trend.")),
    ("driver-5", N_("Trend followers sold"), "supported", N_("as a model"),
     N_("A standard trend model went from fully long to short between 17 and 20 November.")),
    ("driver-6", N_("Short sellers came back"), "not testable", "",
     N_("No short-interest data; the VIX shows fear, not shorts.")),
    ("driver-7", N_("Asian tech was weak"), "supported", N_("as a backdrop, not as a trigger"),
     N_("SoftBank slid for weeks, but Asia rose on 20 November and fell after New York.")),
    ("driver-8", N_("Liquidity dried up"), "weak", "",
     N_("A very wide range on heavy volume; price impact per dollar only modestly higher.")),
    ("driver-9", N_("Passive money dominated"), "weak", "",
     N_("ETF volume doubled while index volume did not; the ETF share itself is not "
        "measurable.")),
]


def driver_table():
    """The nine drivers and their verdicts, one scale, each row linking to its section."""
    from IPython.display import HTML

    for anchor, _n, verdict, _q, _l in DRIVERS:
        if verdict not in SCALE:
            raise ValueError(f"driver {anchor}: verdict {verdict!r} is not on the scale "
                             f"{', '.join(SCALE)}")
    rows = []
    for i, (anchor, name, verdict, qualifier, line) in enumerate(DRIVERS, 1):
        q = (_(' <span class="verdict-note">({note})</span>').format(
            note=html.escape(_(qualifier))) if qualifier else "")
        rows.append(f'<tr><td><a href="#{anchor}">{i}. {html.escape(_(name))}</a></td>'
                    f'<td><span class="verdict verdict-{verdict.replace(" ", "-")}">'
                    f'{html.escape(_(verdict))}</span>{q}</td>'
                    f'<td>{html.escape(_(line))}</td></tr>')
    return HTML('<table class="riskoff-table driver-verdicts"><caption>'
                + _('The nine drivers, each on the same scale: <em>supported</em>, <em>weak</em>, '
                    '<em>contradicted</em>, <em>not testable</em> with our data.')
                + '</caption><thead><tr><th scope="col">' + _("Driver")
                + '</th><th scope="col">' + _("Verdict") + '</th><th scope="col">'
                + _("In one line") + '</th></tr></thead><tbody>'
                + "".join(rows) + "</tbody></table>")


def ch4():
    counts = pd.Series([d[2] for d in DRIVERS]).value_counts()
    said = _(", ").join(_("{n} {verdict}").format(n=counts.get(v, 0), verdict=_(v))
                        for v in SCALE)
    spy, qqq = rdata.series("SPY"), rdata.series("QQQ")
    vol_ratio = {s: float(df.loc[EVENT, "volume"] / df.loc[:EVENT, "volume"].iloc[-22:-1].mean())
                 for s, df in (("SPY", spy), ("QQQ", qqq))}
    vix = rdata.series("VIX")
    return _md([
        _("Of the desk's nine drivers, our proxies give: {counts}. None is proved by daily "
          "prices; the strongest, the exhausted bull run, is about price itself.").format(
            counts=said),
        _("The gap and fade is plain: Nvidia opened {nvda_gap} and closed {nvda}, QQQ (the "
          "Nasdaq-100 fund) {qqq_gap} and {qqq}, SPY (the S&P 500 fund) {spy_gap} and "
          "{spy}.").format(
            nvda_gap=pct(gap('NVDA')), nvda=pct(day_move('NVDA')), qqq_gap=pct(gap('QQQ')),
            qqq=pct(day_move('QQQ')), spy_gap=pct(gap('SPY')), spy=pct(day_move('SPY'))),
        _("Fear rose but stayed far from a panic: the VIX closed at {close} points, against "
          "{high} in April 2025.").format(close=f"{vix.loc[EVENT, 'close']:.2f}",
                                          high=f"{vix.loc[:'2025-12-31', 'close'].max():.2f}"),
        _("SPY and QQQ traded {spy} and {qqq} times their average volume of the previous 21 "
          "sessions: a violent but heavily traded day.").format(
            spy=f"{vol_ratio['SPY']:.1f}", qqq=f"{vol_ratio['QQQ']:.1f}"),
        _("Most drivers are about data a trading desk sees and we do not (order books, short "
          "interest, fund positions): for those the honest verdict is what daily prices cannot "
          "settle."),
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
        _("The fall did not become a bear market for US stocks: {each}.").format(each=_("; ").join(
            _("the {asset}'s lowest close from {date} on was {low} from its 2025 high, and it "
              "closed at a new high on {new_high}").format(
                asset=label_of(s), date=date_short(NEXT), low=pct(low_vs_high(s)),
                new_high=date_label(v['new_high'])) for s, v in us.items())),
        _("Crypto did fall into one: {each}, and on {date} Bitcoin stood {change} from its "
          "{base} close.").format(
            each=_("; ").join(_("{asset}'s lowest close was {low} from its 2025 high").format(
                asset=label_of(s), low=pct(low_vs_high(s))) for s in crypto),
            date=date_label(st['BTC-USD']['last_date']),
            change=pct(st['BTC-USD']['last_change']), base=date_short(NEXT)),
        _("The Fed cut on {date} ({decision}, published figure): the article's \"no cut in "
          "December\" was wrong.").format(date=date_label('2025-12-10'),
                                          decision=_(fomc['decision'])),
        verdict_counts("outlook"),
    ])


CHAPTERS = {1: ch1, 2: ch2, 3: ch3, 4: ch4, 5: ch5}


def chapter(n: int):
    """The findings of chapter ``n`` as Markdown bullets."""
    if n not in CHAPTERS:
        raise ValueError(f"chapter must be one of {', '.join(map(str, CHAPTERS))}, not {n!r}")
    return CHAPTERS[n]()
