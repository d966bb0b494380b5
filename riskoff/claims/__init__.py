"""The article's claims as data (riskoff/claims/*.yaml), measured and given a verdict.

Each YAML row: id, chapter, claim (our paraphrase), article (the article's figure as text),
article_value, unit, check (approx | below | above), tolerance, and measure:
``{metric: <name in METRICS>, symbol: ..., <arguments>}``, or
``{published: <table>, where: {column: value}, field: <column>}`` for third-party figures, or
``{none: <why it cannot be measured>}``. A later chapter adds rows, not code.
"""
from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from .. import data as rdata
from .. import metrics
from ..i18n import N_, _, date_long, minus

HERE = Path(__file__).parent
# English; shown with _() (the reader's language).
CHAPTERS = {"data": N_("1. Who fell most"), "fed": N_("2. The Fed"),
            "nvidia": N_("3. The Nvidia paradox"), "drivers": N_("4. The nine drivers"),
            "outlook": N_("5. Outlook")}


def _pct(fn):
    return lambda df, **kw: 100 * fn(df, **kw)


def _field_on(field):
    def get(df, date):
        bar = metrics.session(df, date)
        return float("nan") if bar is None else float(bar[field])
    return get


METRICS = {
    "day_change": _pct(metrics.day_change),
    "high_to_close": _pct(metrics.high_to_close),
    "high_to_low": _pct(metrics.high_to_low),
    "high_vs_prev_close": _pct(metrics.high_vs_prev_close),
    "drawdown_on": _pct(metrics.drawdown_on),
    "change_since": _pct(metrics.change_since),
    "close_on": _field_on("close"),
    "low_on": _field_on("low"),
    "high_on": _field_on("high"),
    "max_close": lambda df, start, end: metrics.peak(df, start, end)[1],
    "max_high": lambda df, start, end: float(df.loc[start:end, "high"].max()),
}
VERDICTS = (N_("matches"), N_("differs"), N_("matches published figure"),
            N_("differs from published figure"), N_("published figure"),
            N_("cannot be measured"))
REQUIRED = ("id", "chapter", "claim", "article", "measure")


# "How it was measured" in words: one template per metric, filled with the claim's arguments
# (series names and dates spelled out). The exact rule stays one click away (``Result.method``).
PLAIN = {
    "day_change": N_("{symbol}'s close on {date} against its previous close"),
    "high_to_close": N_("{symbol}'s fall from its intraday high to its close on {date}"),
    "high_to_low": N_("{symbol}'s fall from its intraday high to its intraday low on {date}"),
    "high_vs_prev_close": N_("{symbol}'s intraday high on {date} against the previous close"),
    "drawdown_on": N_("{symbol}'s close on {date} against its highest close since {since}"),
    "change_since": N_("{symbol}'s close on {date} against its last close on or before {base}"),
    "close_on": N_("{symbol}'s close on {date}"),
    "low_on": N_("{symbol}'s lowest price on {date}"),
    "high_on": N_("{symbol}'s highest price on {date}"),
    "max_close": N_("{symbol}'s highest close from {start} to {end}"),
    "max_high": N_("{symbol}'s highest intraday price from {start} to {end}"),
    "lowest_close_vs_peak": N_("{symbol}'s lowest close after {after} (to {end}) against its "
                               "highest close from {peak_start} to {peak_end}"),
    "odds_days_above_to_below": N_("days from the last published FedWatch reading at or above "
                                   "{above}% to the first below {below}%"),
    "claim_gap": N_("the first bar's open on {date} against the previous daily close "
                    "({series})"),
    "claim_high_lead": N_("minutes by which the high of {leader} came before the high of "
                          "{follower} on {date}, at least"),
    "claim_last_bar_change": N_("the last intraday bar's close on {date} against the previous "
                                "daily close ({series})"),
    "claim_minutes_to_high": N_("minutes from the 09:30 open to the bar holding the session high "
                                "on {date} ({series})"),
    "rebound_gap": N_("{lead}'s change from its {ref} close to {when}, minus {other}'s over the "
                      "same dates, in percentage points"),
    "amihud_ratio": N_("{symbol}'s Amihud illiquidity (price move per dollar traded) on {date} "
                       "as a multiple of its average over the previous {window} sessions"),
    "btc_break_vs_ma_break": N_("days by which Bitcoin's first price below {threshold} dollars "
                                "came before the Nasdaq-100's first close below its "
                                "{ma_window}-session average, both counted from {start}"),
    "btc_lead_z": N_("the correlation of the Nasdaq-100's daily returns with Bitcoin's {lag} "
                     "session(s) earlier, {start} to {end}, as a z-score (beyond ±2 is more "
                     "than noise)"),
    "change_percentile": N_("the rank of {symbol}'s one-day change on {date} among all cached "
                            "days (percentile)"),
    "day_return_percentile": N_("the rank of {symbol}'s return on {date} among all cached daily "
                                "returns (percentile)"),
    "days_before": N_("days from {symbol}'s first {field} below {threshold} (from {start} on) "
                      "to {event}"),
    "gap_and_fade_share": N_("the share of {symbol}'s sessions that opened at least {min_gap}% "
                             "above the previous close and still closed lower"),
    "gap_pct": N_("{symbol}'s open on {date} against its previous close"),
    "trend_position_on": N_("a trend model's position in {symbol} on {date} (lookbacks "
                            "{lookbacks} sessions, {kind}; +1 fully long, -1 fully short)"),
    "volume_ratio": N_("{symbol}'s volume on {date} as a multiple of its average over the "
                       "previous {window} sessions"),
    "yield_move_z": N_("{symbol}'s change on {date} as a z-score against its previous "
                       "{lookback} daily changes"),
    "change_bp": N_("{symbol}'s change in basis points from its close of {base} to its close "
                    "of {date}"),
    "share_above_baseline": N_("the share of days from {start} to {end} on which {symbol}'s "
                               "{window}-day volatility stood above its 2025 median"),
    "vix_share_above": N_("the share of days from {start} to {end} on which the VIX closed above "
                          "its 2025 median"),
}
_KINDS = {"ma": N_("close against its moving average"), "mom": N_("close against its level "
                                                                  "that many sessions earlier")}
_FIELDS = {"low": N_("low"), "close": N_("close")}
# Units of the claims files, as shown after a figure.
UNITS = (N_("%"), N_("% (upper bound)"), N_("% chance"), N_("% of days"), N_("% of sessions"),
         N_("USD"), N_("USD/oz"), N_("bn USD"), N_("bp"), N_("days"), N_("minutes"),
         N_("percent"), N_("percentile"), N_("points"), N_("position"), N_("pp"),
         N_("x average"), N_("z"))


def _unit(unit: str) -> str:
    return _(unit) if unit else unit


def _words(key: str, value) -> str:
    text = str(value)
    if key in ("symbol", "series", "leader", "follower", "lead", "other"):
        from ..charts.base import label_of

        return label_of(text)
    if key == "kind":
        return _(_KINDS[text]) if text in _KINDS else text
    if key == "field" and text in _FIELDS:
        return _(_FIELDS[text])
    if key == "note":   # a published row's own note (extracted from the claims files)
        return _(text)
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            ts = pd.Timestamp(text)
        except (ValueError, TypeError):
            return text
        return date_long(ts)
    return text


def plain_rule(row: dict) -> str:
    """How a claim was measured, in words, with the comparison that gives its verdict."""
    m = dict(row["measure"])
    if "none" in m:
        return _(str(m["none"]))
    if "published" in m:
        entry = rdata.read_manifest()["published"].get(m["published"], {})
        what = _(entry["description"]) if "description" in entry else m["published"]
        which = _(", ").join(_words(k, v) for k, v in m.get("where", {}).items())
        return (_("A published figure, not our measurement: {what} (the row for {which}).")
                if which else _("A published figure, not our measurement: {what}.")).format(
            what=what, which=which)
    name = m.pop("metric").split(":")[-1]
    args = {k: _words(k, v) for k, v in m.items()}
    args.setdefault("base", _("the session before"))
    args.setdefault("since", date_long("2024-12-31"))
    try:
        text = _(PLAIN[name]).format_map(_Blank(args))
    except KeyError:
        text = name.replace("_", " ") + " (" + ", ".join(f"{k} {v}" for k, v in args.items()) + ")"
    text = text[0].upper() + text[1:]
    check, target = row.get("check", "approx"), row.get("article_value")
    unit = row.get("unit", "")
    if target is None:
        return _("{rule}.").format(rule=text)
    # The article's figure with the true minus sign, as "Our figure" beside it (_fmt).
    shown = minus(f"{float(target):g}")
    if check == "approx":
        tol = row.get("tolerance", 0)
        if not float(tol):
            return _("{rule}. It matches when it equals the article's {target}.").format(
                rule=text, target=shown)
        return _("{rule}. It matches when it lies within {tol} {unit} of the article's "
                 "{target}.").format(rule=text, tol=f"{tol:g}", unit=_unit_words(unit, tol),
                                     target=shown)
    msg = (_("{rule}. It matches when it is below {target}.") if check == "below"
           else _("{rule}. It matches when it is above {target}."))
    return msg.format(rule=text, target=f"{shown}{unit if unit == '%' else ''}")


class _Blank(dict):
    def __missing__(self, key):
        return _("the default")


def _unit_words(unit: str, n) -> str:
    one = float(n) == 1
    if unit == "%":
        return _("percentage point") if one else _("percentage points")
    if unit == "z":
        return _("standard deviation") if one else _("standard deviations")
    return _unit(unit) or ""


@dataclass
class Result:
    id: str
    chapter: str
    claim: str
    article: str
    measured: float | None
    measured_text: str
    verdict: str
    method: str
    plain: str = ""


def load_rows(folder: Path = HERE) -> list[dict]:
    """Every claim row of the YAML files in ``folder`` (parsed once per file version)."""
    paths = sorted(Path(folder).glob("*.yaml"))
    stamp = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in paths)
    return [dict(row) for row in _load_rows(stamp)]


@functools.lru_cache(maxsize=8)
def _load_rows(stamp: tuple) -> list[dict]:
    rows, seen = [], set()
    for path in (Path(p) for p, *_ in stamp):
        try:
            items = yaml.safe_load(path.read_text()) or []
        except yaml.YAMLError as exc:
            raise ValueError(f"{path.name}: not valid YAML ({exc})") from None
        if not isinstance(items, list):
            raise ValueError(f"{path.name}: expected a list of claims")
        for i, row in enumerate(items):
            if not isinstance(row, dict):
                raise ValueError(f"{path.name}: claim #{i + 1} is not a mapping of keys")
            missing = [k for k in REQUIRED if k not in row]
            if isinstance(row.get("measure"), dict) and "metric" in row["measure"] \
                    and "article_value" not in row:
                missing.append("article_value")
            if missing:
                raise ValueError(f"{path.name}: claim #{i + 1} lacks {', '.join(missing)}")
            if row["chapter"] not in CHAPTERS:
                raise ValueError(f"{path.name}: claim {row['id']!r} has unknown chapter "
                                 f"{row['chapter']!r}; use one of {', '.join(CHAPTERS)}")
            if row["id"] in seen:
                raise ValueError(f"{path.name}: duplicate claim id {row['id']!r}")
            seen.add(row["id"])
            rows.append(row | {"_file": path.name})
    return rows


def _fmt(value: float, unit: str) -> str:
    if unit == "%":
        return minus(f"{value:+.2f}%")
    if unit == "pp":
        return _("{value} pp").format(value=f"{value:.1f}")
    if abs(value) >= 1e9:
        return _("{value} bn {unit}").format(value=f"{value / 1e9:,.2f}", unit=_unit(unit)).strip()
    if abs(value) >= 1e6:
        return _("{value} m {unit}").format(value=f"{value / 1e6:,.1f}", unit=_unit(unit)).strip()
    return f"{value:,.2f} {_unit(unit)}".strip()


def _metric(name: str, claim_id: str):
    """A registered metric, or "riskoff.module:function" for a chapter's own computation.

    With ``symbol`` in the claim the function gets that series' frame first; without, only
    the claim's other arguments (as strings).
    """
    if ":" in name:
        import importlib

        module, _, attr = name.partition(":")
        if not module.startswith("riskoff."):
            raise ValueError(f"claim {claim_id!r}: metric {name!r} must live in riskoff")
        try:
            return getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError):
            raise ValueError(f"claim {claim_id!r}: no function {name!r}") from None
    if name not in METRICS:
        raise ValueError(f"claim {claim_id!r}: unknown metric {name!r}; "
                         f"known: {', '.join(METRICS)}")
    return METRICS[name]


def _check(row: dict, value: float) -> bool:
    if "article_value" not in row:
        raise ValueError(f"claim {row.get('id')!r}: a measured claim needs article_value")
    target = float(row["article_value"])
    check = row.get("check", "approx")
    if check == "approx":
        return abs(value - target) <= float(row.get("tolerance", 0))
    if check == "below":
        return value < target
    if check == "above":
        return value > target
    raise ValueError(f"claim {row['id']!r}: unknown check {check!r}")


def evaluate(row: dict) -> Result:
    m = dict(row["measure"])
    unit = row.get("unit", "")
    # Words in the reader's language; the verdict stays the key of VERDICTS (shown with _()).
    base = dict(id=row["id"], chapter=row["chapter"], claim=_(row["claim"]),
                article=_(str(row["article"])), plain=plain_rule(row))
    if "none" in m:
        return Result(**base, measured=None, measured_text="—", verdict="cannot be measured",
                      method=_(m["none"]))
    if "published" in m:
        table = rdata.published(m["published"])
        for col, val in m.get("where", {}).items():
            table = table[table[col].astype(str) == str(val)]
        if len(table) != 1:
            raise ValueError(f"claim {row['id']!r}: {len(table)} published rows match "
                             f"{m.get('where')}; expected exactly one")
        rec = table.iloc[0]
        value = float(rec[m["field"]])
        src = rec.get("source_url", rec.get("sources", ""))
        verdict = "published figure"
        if "article_value" in row:
            ok = _check(row, value)
            verdict = ("matches" if ok else "differs from") + " published figure"
        return Result(**base, measured=value, measured_text=_fmt(value, unit),
                      verdict=verdict,
                      method=_("Published figure ({table}), not our measurement: {src}").format(
                          table=m['published'], src=src))
    metric = m.pop("metric")
    fn = _metric(metric, row["id"])
    symbol = m.pop("symbol", None)
    kwargs = {k: str(v) for k, v in m.items()}
    value = fn(rdata.series(symbol), **kwargs) if symbol else fn(**kwargs)
    if pd.isna(value):
        raise ValueError(f"claim {row['id']!r}: {metric} of {symbol} is missing for {m}")
    symbol = symbol or ""
    ok = _check(row, value)
    target, check = float(row["article_value"]), row.get("check", "approx")
    args = ", ".join(f"{k}={v}" for k, v in m.items())
    tol = f" within ±{row.get('tolerance', 0)}" if check == "approx" else f" ({check} {target:g})"
    return Result(**base, measured=value, measured_text=_fmt(value, unit),
                  verdict="matches" if ok else "differs",
                  method=f"{metric.split(':')[-1]}({', '.join(x for x in (symbol, args) if x)}){tol}")


def evaluate_all(chapter: str | None = None) -> list[Result]:
    return [evaluate(r) for r in load_rows() if chapter in (None, r["chapter"])]


def table(chapter: str | None = None) -> pd.DataFrame:
    """Claims with article figure, our figure and verdict, ready to display."""
    res = evaluate_all(chapter)
    columns = [_("Chapter"), *(_(c) for c in COLUMNS)]
    df = pd.DataFrame([[_(CHAPTERS[r.chapter]), r.claim, r.article, r.measured_text, _(r.verdict),
                        r.method] for r in res], columns=columns)
    if chapter is not None:
        df = df.drop(columns=_("Chapter"))
    return df


COLUMNS = (N_("Claim (our paraphrase)"), N_("Article"), N_("Our figure"), N_("Verdict"),
           N_("How it was measured"))
_URL = re.compile(r"https?://[^\s<>\"')]+")


def _linkify(text: str) -> str:
    """Escape text and turn bare addresses into links (the exact rule cites sources)."""
    out, last = [], 0
    for m in _URL.finditer(text):
        out.append(html.escape(text[last:m.start()]))
        url = m.group(0).rstrip(".,;")
        out.append(f'<a href="{html.escape(url, quote=True)}">{html.escape(url)}</a>')
        last = m.start() + len(url)
    out.append(html.escape(text[last:]))
    return "".join(out)




def table_html(chapter: str) -> str:
    """One chapter's claims as a table that fits its column: wrapped text, each cell labelled
    for the stacked phone layout, the rule in words and the exact rule behind a click."""
    columns, exact = [_(c) for c in COLUMNS], _("Exact rule")
    head = "".join(f'<th scope="col">{c}</th>' for c in columns)
    rows = []
    for r in evaluate_all(chapter):
        cells = [html.escape(r.claim), html.escape(r.article), html.escape(r.measured_text),
                 f'<span class="verdict verdict-{r.verdict.replace(" ", "-")}">'
                 f"{html.escape(_(r.verdict))}</span>",
                 f"{html.escape(r.plain)}<details><summary>{exact}</summary>"
                 f"<code>{_linkify(r.method)}</code></details>"]
        tds = "".join(f'<td data-label="{c}">{v}</td>' for c, v in zip(columns, cells))
        rows.append(f'<tr id="claim-{html.escape(r.id, quote=True)}">{tds}</tr>')
    cols = "".join(f'<col style="width:{w}%">' for w in (28, 11, 13, 13, 35))
    return (f'<table class="claims-table"><colgroup>{cols}</colgroup>'
            f'<thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def show(chapter: str | None = None):
    """Display the claims as HTML tables, one per chapter."""
    from IPython.display import HTML, display

    keys = [chapter] if chapter else [k for k in CHAPTERS if any(
        r["chapter"] == k for r in load_rows())]
    parts = []
    for key in keys:
        if chapter is None:
            parts.append(f'<h2 class="claims-chapter">{html.escape(_(CHAPTERS[key]))}</h2>')
        parts.append(table_html(key))
    display(HTML("\n".join(parts)))


def summary() -> pd.DataFrame:
    """Count of verdicts per chapter."""
    df = pd.DataFrame([{"Chapter": CHAPTERS[r.chapter], "Verdict": r.verdict}
                       for r in evaluate_all()])
    counts = df.groupby(["Chapter", "Verdict"]).size().unstack(fill_value=0)
    if _("Chapter") != "Chapter":   # another language: its words, the same counts
        counts.index = [_(c) for c in counts.index]
        counts.index.name = _("Chapter")
        counts.columns = [_(v) for v in counts.columns]
        counts.columns.name = _("Verdict")
    return counts


def summary_html():
    """The verdict counts per chapter as two columns (chapter, its verdicts): readable on a
    phone, with no index or header artefacts."""
    from IPython.display import HTML

    df = pd.DataFrame([{"Chapter": CHAPTERS[r.chapter], "Verdict": r.verdict}
                       for r in evaluate_all()])
    counts = df.groupby(["Chapter", "Verdict"]).size().unstack(fill_value=0)
    rows = []
    for chapter_name, row in counts.iterrows():
        parts = [f'<span class="verdict verdict-{v.replace(" ", "-")}">{html.escape(_(v))}</span>'
                 f"&nbsp;{int(row[v])}" for v in VERDICTS if v in row.index and row[v]]
        rows.append(f"<tr><th scope=\"row\">{html.escape(_(str(chapter_name)))}</th>"
                    f"<td>{_(', ').join(parts)}</td></tr>")
    return HTML('<table class="riskoff-table verdict-summary"><thead><tr>'
                '<th scope="col">' + _("Chapter") + '</th><th scope="col">'
                + _("Verdicts (number of claims)") + "</th>"
                "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


# ---------------------------------------------------------------------------- ClaimReview

# The article has no title or address we can cite, so its appearance is described, not linked.
ARTICLE = {"@type": "CreativeWork",
           "name": N_("A widely shared article on the cross-asset sell-off of 20-21 November 2025"),
           "description": N_("The article this book checks, quoted claim by claim in the book")}
BOOK = {"@type": "Organization", "name": N_("Risk-off, checked")}


def claim_review_data(reviewed: str) -> list[dict]:
    """One schema.org ClaimReview per checked claim: the claim, the article as its appearance,
    our verdict as the rating (the book's own scale, as text), the review date."""
    out = []
    for r in evaluate_all():
        out.append({
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "url": f"#claim-{r.id}",
            "claimReviewed": r.claim,
            "itemReviewed": {"@type": "Claim", "appearance": {
                k: _(v) if k != "@type" else v for k, v in ARTICLE.items()},
                             "text": _("{claim} (article: {article})").format(
                                 claim=r.claim, article=r.article)},
            "author": {**BOOK, "name": _(BOOK["name"])},
            "datePublished": reviewed,
            "reviewRating": {"@type": "Rating", "alternateName": _(r.verdict),
                             "ratingExplanation": r.plain},
        })
    return out


def claim_review(reviewed: str):
    """The ClaimReview records as a JSON-LD script (invisible on the page, read by tools)."""
    import json

    from IPython.display import HTML

    text = json.dumps(claim_review_data(reviewed), ensure_ascii=False, indent=None)
    # "</" inside a script would end it early.
    return HTML('<script type="application/ld+json">' + text.replace("</", "<\\/")
                + "</script>")
