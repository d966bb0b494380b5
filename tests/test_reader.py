"""What a reader sees first and how facts are stated (issue 13): computed findings, one number
per fact, declared partial days, readable claims tables, ClaimReview data, sourced published
figures, notebook cell tags and glossary links."""
from __future__ import annotations

import json
import re

import nbformat
import pandas as pd
import pytest

from conftest import ROOT, capture_published
from riskoff import analogs, catalog, ch1, ch3, ch5, claims, findings, metrics
from riskoff import data as rdata
from riskoff.charts.base import Caption, named_sources
from riskoff.i18n import minus

CHAPTERS = sorted((ROOT / "chapters").glob("0*.ipynb"))


def rows(symbol):
    """The cached CSV rows of a daily series, read by hand: (date, close)."""
    lines = (ROOT / "data" / "daily" / f"{symbol}.csv").read_text().splitlines()
    head = lines[0].split(",")
    i = head.index("close")
    return [(r.split(",")[0], float(r.split(",")[i])) for r in lines[1:] if r.split(",")[i]]


# ---------------------------------------------------------------------------- one number per fact

def nvda_close_text():
    (d0, c0), (d1, c1) = [r for r in rows("NVDA") if r[0] in ("2025-11-19", "2025-11-20")]
    return minus(f"{c1 / c0 - 1:+.2%}")  # by hand from the CSV: −3.15%


def test_nvidia_close_is_one_number_everywhere():
    text = nvda_close_text()
    assert text == "\u22123.15%"
    assert f"{text} at the close" in ch1.headlines().data
    assert f"closed {text}" in findings.chapter(1).markdown
    assert f"closed {text} (daily close)" in findings.chapter(3).markdown
    assert ch1.scoreboard_table("2025-11-20").loc["Nvidia", "Day move"] == text
    claim = next(r for r in claims.evaluate_all("data") if r.id == "nvda-close")
    assert claim.measured_text == text
    alt_text = capture_published(ch3, ch3.reversal)["ch3-reversal"]["alt_text"]
    assert f"closed {text} (daily close" in alt_text


def test_nasdaq_day_is_one_number_on_front_page_and_claims():
    ndx = next(r for r in claims.evaluate_all("data") if r.id == "ndx-day").measured_text
    assert f"**Nasdaq-100**, 20 Nov: {ndx} at the close" in ch1.headlines().data
    assert f"closed {ndx}, after" in findings.chapter(1).markdown


def test_partial_days_declared_once_and_honoured():
    declared = {s: m.partial_last for s, m in catalog.SERIES.items() if m.partial_last}
    # The rows data/PROVENANCE.md flags as probable partial days.
    assert declared == {"NDX": "2026-07-13", "GSPC": "2026-08-21", "HYG": "2026-08-21",
                        "BTC-USD": "2026-08-21", "ETH-USD": "2026-08-21"}
    for sym, day in declared.items():
        assert rows(sym)[-1][0] == day, sym  # each is the file's last row
        assert rdata.read_manifest()["series"][sym]["partial_last"] == day
    assert ch5.PARTIAL_LAST == declared
    frame = capture_published(ch1, ch1.rebased)["rebased"]["frame"]
    for sym, day in declared.items():
        assert not ((frame.symbol == sym) & (frame.date == day)).any(), sym
        assert ch5.close(sym).index[-1] < pd.Timestamp(day)


def test_multi_series_caption_states_each_as_of():
    md = Caption(["HYG", "DGS10"], as_of="2026-08-21").markdown(None)
    hyg_last = rows("HYG")[-2][0]  # the last row is a declared partial day
    ten_last = rows("DGS10")[-1][0]
    assert hyg_last == "2026-08-20" and ten_last == "2026-04-13"
    assert ("each series to its own last date: iShares High Yield Corporate Bond ETF "
            "20 Aug 2026; 10-year Treasury yield (FRED DGS10) 13 Apr 2026") in md


def test_analog_counts_agree_with_the_chart():
    sym, x, h, hz = ch5.DEFAULT
    grid = analogs.grid(x_min=min(ch5.X_OPTIONS), h_max=max(ch5.H_OPTIONS))
    # What the chart draws: the signal months with a return over the horizon.
    shown = grid[(grid["index"] == sym) & (grid.fall <= -x) & (grid.months_since_peak <= h)
                 & grid[f"ret{hz}"].notna()]
    text = capture_published(ch5, ch5.analog_chart)["ch5-analogs"]["alt_text"]
    assert f"the chart shows {len(shown)} months ({shown.peak_date.nunique()} episodes)" in text


def test_not_measured_names_what_is_missing():
    t = ch1.scoreboard_table("2025-11-21")
    hsi = metrics.day_change(rdata.series("HSI"), "2025-11-21")
    assert t.loc["Hang Seng Index", "Day move"] == minus(f"{hsi:+.2%}")  # the session is there
    assert t.loc["Hang Seng Index", "Intraday high to close"] == "no intraday high published"
    assert "no session" not in t.to_string()
    assert t.columns.name == "Session of 21 Nov 2025" and t.index.name is None


# ---------------------------------------------------------------------------- findings

@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_findings_are_three_to_five_computed_sentences(n):
    f = findings.chapter(n)
    assert 3 <= len(f.lines) <= 5
    assert re.search(r"\d", f.markdown)
    assert "What this chapter finds" in f._repr_html_()


def test_findings_count_verdicts_from_the_claims():
    text = findings.verdict_counts("data")
    res = claims.evaluate_all("data")
    assert f"the {len(res)} claims" in text
    assert f"*matches* {sum(r.verdict == 'matches' for r in res)}" in text


def test_bad_chapter_is_one_line():
    with pytest.raises(ValueError, match="chapter must be one of"):
        findings.chapter(6)


def test_driver_table_one_scale_and_links():
    html = findings.driver_table().data
    assert html.count("<tr>") == 10  # header + nine drivers
    assert {d[2] for d in findings.DRIVERS} <= set(findings.SCALE)
    nb = nbformat.read(ROOT / "chapters" / "04-nine-drivers.ipynb", as_version=4)
    md = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for anchor, *_ in findings.DRIVERS:
        assert f'href="#{anchor}"' in html
        assert f'<div id="{anchor}"></div>' in md, anchor  # HTML anchor, not a MyST target


# ---------------------------------------------------------------------------- claims tables

def test_claims_table_plain_words_and_exact_rule():
    html = claims.table_html("data")
    assert "measure_label" not in html and "dataframe" not in html
    for r in claims.evaluate_all("data"):
        assert f'id="claim-{r.id}"' in html
        assert "(" not in r.plain.split(".")[0] or "day_change(" not in r.plain
        assert "_" not in r.plain.split(" It matches")[0] or "http" in r.plain
    assert html.count("<details>") == len(claims.evaluate_all("data"))
    ndx = next(r for r in claims.evaluate_all("data") if r.id == "ndx-day")
    assert ndx.plain == ("Nasdaq-100's close on 20 Nov 2025 against its previous close. It "
                         "matches when it lies within 0.1 percentage points of the article's "
                         "\u22122.4.")
    assert "day_change(NDX, date=2025-11-20) within ±0.1" in html  # one click away
    assert 'data-label="How it was measured"' in html


def test_verdict_summary_has_no_pandas_artefacts():
    html = claims.summary_html().data
    assert "measure_label" not in html and "<th>Verdict</th>" not in html
    assert html.count('<th scope="row">') == len({r["chapter"] for r in claims.load_rows()})
    assert "1. Who fell most" in html


# ---------------------------------------------------------------------------- ClaimReview

def test_claim_review_matches_the_claims_file():
    records = claims.claim_review_data("2026-12-01")
    rows_ = claims.load_rows()
    assert len(records) == len(rows_)
    results = {r.id: r for r in claims.evaluate_all()}
    for rec, row in zip(records, rows_):
        assert rec["@context"] == "https://schema.org" and rec["@type"] == "ClaimReview"
        assert rec["claimReviewed"] == row["claim"]
        assert rec["url"] == f"#claim-{row['id']}"
        assert rec["datePublished"] == "2026-12-01"
        assert rec["itemReviewed"]["@type"] == "Claim"
        assert rec["itemReviewed"]["appearance"]["@type"] == "CreativeWork"
        assert rec["author"]["name"]
        rating = rec["reviewRating"]
        assert rating["@type"] == "Rating"
        assert rating["alternateName"] == results[row["id"]].verdict
        assert rating["alternateName"] in claims.VERDICTS


def test_claim_review_script_is_valid_json_ld():
    html = claims.claim_review("2026-12-01").data
    m = re.fullmatch(r'<script type="application/ld\+json">(.*)</script>', html, re.S)
    assert m and "</" not in m.group(1)
    assert json.loads(m.group(1).replace("<\\/", "</")) == claims.claim_review_data("2026-12-01")


def test_claim_review_in_the_audit_notebook():
    nb = nbformat.read(ROOT / "chapters" / "claims-audit.ipynb", as_version=4)
    cells = [c for c in nb.cells if c.cell_type == "code" and "claim_review" in c.source]
    assert len(cells) == 1
    out = cells[0].outputs[0]["data"]["text/html"]
    out = out if isinstance(out, str) else "".join(out)
    data = json.loads(re.search(r"ld\+json\">(.*)</script>", out, re.S).group(1)
                      .replace("<\\/", "</"))
    assert [d["claimReviewed"] for d in data] == [r["claim"] for r in claims.load_rows()]


# ---------------------------------------------------------------------------- published figures

def _money_forms(v: float) -> list[str]:
    return [f"{v / 1e9:.2f} billion", f"{v / 1e6:g} million", f"{v / 1e6:.2f} million",
            f"{v / 1e6:.0f} million", f"{v / 1e6:g}."]


def test_liquidation_figures_appear_in_the_quoted_source():
    t = rdata.published("crypto_liquidations_2025-11-21")
    assert t["quote"].notna().all() and t["publisher"].notna().all()
    for _, r in t.iterrows():
        assert any(f in r.quote for f in _money_forms(r.value_usd)), (r.metric, r.quote)
        if pd.notna(r.traders):
            assert f"{int(r.traders):,}" in r.quote, (r.metric, r.quote)


def test_liquidation_rows_cite_the_page_with_their_figures():
    t = rdata.published("crypto_liquidations_2025-11-21").set_index("traders", drop=False)
    # The page that says 2.02 bn / 405,310 is not the source of the 1.91 bn / 391,000 row.
    assert "safeincrypto" in t.loc[405310, "sources"]
    assert "safeincrypto" not in t.loc[391000, "sources"]


_WORDS = {1: "one", 2: "two", 3: "three", 4: "four"}


def test_fomc_figures_appear_in_the_quoted_source():
    t = rdata.published("fomc_decisions_2025")
    assert t["quote"].notna().all() and t["vote"].notna().all()
    for _, r in t.iterrows():
        for level in (r.target_low_pct, r.target_high_pct):
            assert f"{level:g}%" in r.quote or f"{level:.2f}%" in r.quote, (r.date, level)
        yes, no = (int(x) for x in re.match(r"(\d+)-(\d+)", r.vote).groups())
        assert (f"{yes}-{no}" in r.quote or f"{_WORDS[no]} dissenting" in r.quote), r.date
    assert t.set_index("date").loc["2025-10-29", "vote"].startswith("10-2")


def test_published_sources_are_named_links():
    for name in rdata.read_manifest()["published"]:
        for link in named_sources(name):
            text, url = re.fullmatch(r"\[(.+)\]\((https?://\S+)\)", link).groups()
            assert not text.startswith("http"), link
    md = Caption(published=["fomc_decisions_2025"]).markdown(None)
    assert "[Newsmax, “Rare Split Emerges as Fed Moves to Cut Rates”, 29 Oct 2025](" in md
    assert "<https://" not in md


# ---------------------------------------------------------------------------- notebooks

@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_opens_with_its_answer(path):
    nb = nbformat.read(path, as_version=4)
    first_code = [c for c in nb.cells[:5] if c.cell_type == "code"]
    assert nb.cells[0].source.startswith("# ") and "\n" not in nb.cells[0].source.strip()
    assert any(c.source.startswith("findings.chapter(") for c in first_code)
    notes = [c for c in nb.cells if c.cell_type == "markdown"
             and "**In a live kernel.**" in c.source]
    assert len(notes) == 1 and nb.cells.index(notes[0]) < 6
    assert ":::" not in "".join(c.source for c in nb.cells if c.cell_type == "markdown")


@pytest.mark.parametrize("path", [ROOT / "index.ipynb", *sorted(
    (ROOT / "chapters").glob("*.ipynb"))], ids=lambda p: p.stem)
def test_code_is_out_of_the_readers_way(path):
    nb = nbformat.read(path, as_version=4)
    for c in nb.cells:
        if c.cell_type != "code":
            continue
        tags = c.metadata.get("tags", [])
        if ".explore_" in c.source:
            assert "remove-cell" in tags and "nbval-ignore-output" in tags, c.source
        else:
            assert {"remove-cell", "remove-input", "hide-input"} & set(tags), c.source


def test_front_page_leads_with_the_fall_chart():
    nb = nbformat.read(ROOT / "index.ipynb", as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert code.index("ch1.who_fell()") < code.index("ch1.headlines()")
    assert "claims.summary_html()" in code


def test_glossary_links_resolve():
    gloss = (ROOT / "chapters" / "glossary.md").read_text()
    slugs = {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-")
             for h in re.findall(r"^#{1,3} (.+)$", gloss, re.M)}
    links = set()
    for path in [ROOT / "index.ipynb", *sorted((ROOT / "chapters").glob("*.ipynb"))]:
        nb = nbformat.read(path, as_version=4)
        for c in nb.cells:
            if c.cell_type == "markdown":
                links |= set(re.findall(r"glossary\.md#([\w\-]+)", c.source))
    assert links, "no chapter links to the glossary"
    assert links <= slugs, links - slugs
    for term in ("z-score", "noise-band", "amihud-ratio", "lookback-window", "x-and-h"):
        assert term in slugs
    toc = (ROOT / "_toc.yml").read_text()
    assert "chapters/glossary" in toc
