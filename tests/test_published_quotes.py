"""Every published row keeps the sentence its source page states, and its figures are in it.

The quotes in data/published/*.csv were copied from the stored text of the cited pages. These
tests cannot reach those pages; they check that each row's figure(s) appear in the quote kept
next to it, with number formats normalised (1.91 billion = 1,910 million = 1910000000,
93.7% = 93.7 percent, Nov. 19, 2025 = 2025-11-19). A row whose source could not be read says
so in its quote ("not confirmed: ..."), and the set of such rows is listed here, so a new one
fails until it is looked at.
"""
import datetime as dt
import re

import pandas as pd
import pytest

from riskoff import data as rdata

SCALE = {"thousand": 1e3, "million": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9, "b": 1e9,
         "trillion": 1e12, "tn": 1e12}
_NUM = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(%|percent\b|percentage points?\b|"
                  r"thousand\b|million\b|billion\b|trillion\b|bn\b|tn\b|m\b|b\b)?", re.I)
_WORD_NUM = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
             "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
_MON = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DATE = re.compile(rf"\b{_MON}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b"
                   rf"|\b(\d{{1,2}})\s+{_MON}\s+(\d{{4}})\b|\b(\d{{4}})-(\d{{2}})-(\d{{2}})\b", re.I)

NOT_CONFIRMED = {("fedwatch_dec2025", "2025-11-13")}


def numbers(text: str) -> list[tuple[float, bool]]:
    """Every number in a text as (value, is_percent), scaled by a following unit word."""
    out = []
    for m in _NUM.finditer(text):
        value = float(m.group(1).replace(",", ""))
        unit = (m.group(2) or "").lower()
        is_pct = unit in ("%", "percent") or unit.startswith("percentage")
        out.append((value * SCALE.get(unit, 1), is_pct))
    return out


def dates(text: str) -> set[str]:
    found = set()
    for m in _DATE.finditer(text):
        if m.group(1):
            mon, day, year = m.group(1), m.group(2), m.group(3)
        elif m.group(4):
            day, mon, year = m.group(4), m.group(5), m.group(6)
        else:
            found.add(f"{m.group(7)}-{m.group(8)}-{m.group(9)}")
            continue
        found.add(dt.date(int(year), _MONTHS[mon[:3].lower()], int(day)).isoformat())
    return found


def tolerance(written: str) -> float:
    """Half a unit of the last significant digit of a figure as the CSV writes it:
    '401000000' -> 0.5e6, '49.4' -> 0.05, '95' -> 0.5."""
    s = written.strip().lstrip("+-")
    if "." in s:
        return 0.5 * 10 ** -len(s.split(".")[1])
    return 0.5 * 10 ** (len(s) - len(s.rstrip("0"))) if s.rstrip("0") else 0.5


def states(quote: str, written: str, scale: float = 1, pct: bool = False) -> bool:
    """Does the quote state this figure (written as in the CSV, in units of ``scale``)?"""
    target = float(written) * scale
    tol = tolerance(written) * scale
    return any(abs(v - target) <= tol and (is_pct or not pct) for v, is_pct in numbers(quote))


def states_vote(quote: str, vote: str) -> bool:
    yes, no = (int(x) for x in re.match(r"(\d+)-(\d+)", vote).groups())
    words = {v: k for k, v in _WORD_NUM.items()}
    return bool(re.search(rf"\b{yes}\s*(?:-|–|to)\s*{no}\b", quote)
                or re.search(rf"\b{words[no]} dissent", quote, re.I)
                or re.search(rf"\b{words[yes]} in favou?r and {words[no]} against", quote, re.I))


def _raw(table: str) -> pd.DataFrame:
    """The table as written (strings), so a figure's precision is the CSV's own."""
    entry = rdata.read_manifest()["published"][table]
    rdata.published(table)  # checksum and row count against the manifest
    return pd.read_csv(rdata.DATA_DIR / entry["file"], dtype=str, keep_default_na=False)


def _key(table: str, row) -> str:
    return next(row[c] for c in ("as_of", "date", "id", "fiscal_quarter", "metric") if c in row)


# What each row's quote must state: (column, scale, is it a percentage).
def _figures(table: str, row) -> list[tuple[str, float, bool]]:
    if table == "fedwatch_dec2025":
        # A page may give the chance of no change; the cut odds are then 100 minus it.
        p = row["p_cut_dec2025_pct"]
        if row["quote_gives"] == "hold":
            p = f"{100 - float(p):.{len(p.split('.')[1]) if '.' in p else 0}f}"
        return [(p, 1, True)]
    if table == "fomc_decisions_2025":
        return [(row["target_low_pct"], 1, True), (row["target_high_pct"], 1, True)]
    if table == "crypto_liquidations_2025-11-21":
        return [(row["value_usd"], 1, False)] + ([(row["traders"], 1, False)]
                                                 if row["traders"] else [])
    if table == "ai_deals":
        if row["amount_bn_usd"]:
            return [(row["amount_bn_usd"], 1e9, False)]
        return [(m.group(1).replace(",", ""), SCALE.get((m.group(2) or "").lower(), 1), False)
                for m in _NUM.finditer(row["amount_text"])]
    if table == "nvidia_earnings_dates":
        return []  # dates: checked in _dates
    raise AssertionError(f"no rule for the published table {table!r}: say here what its "
                         f"quotes must state")


def _dates(table: str, row) -> list[str]:
    return [row["release_date"]] if table == "nvidia_earnings_dates" else []


def _rows():
    for table in sorted(rdata.read_manifest()["published"]):
        for _, row in _raw(table).iterrows():
            yield pytest.param(table, row, id=f"{table}:{_key(table, row)}")


@pytest.mark.parametrize("table,row", list(_rows()))
def test_row_figures_appear_in_its_quote(table, row):
    quote = row.get("quote", "")
    assert quote.strip(), f"{table} {_key(table, row)}: no quote from its source page"
    assert row.get("publisher", "").strip(), f"{table} {_key(table, row)}: no publisher"
    if (table, _key(table, row)) in NOT_CONFIRMED:
        assert quote.startswith("not confirmed:"), quote
        return
    assert not quote.startswith("not confirmed"), f"{table} {_key(table, row)} is unlisted"
    for written, scale, pct in _figures(table, row):
        assert states(quote, written, scale, pct), (table, _key(table, row), written, quote)
    for day in _dates(table, row):
        assert day in dates(quote), (table, _key(table, row), day, quote)
    if table == "fomc_decisions_2025":
        assert states_vote(quote, row["vote"]), (row["date"], row["vote"], quote)


def test_not_confirmed_rows_are_the_listed_ones():
    found = {(t, _key(t, r)) for t in rdata.read_manifest()["published"]
             for _, r in _raw(t).iterrows() if r.get("quote", "").startswith("not confirmed")}
    assert found == NOT_CONFIRMED


def test_quotes_are_short_excerpts():
    for table in rdata.read_manifest()["published"]:
        for _, row in _raw(table).iterrows():
            assert len(row.get("quote", "")) <= 400, (table, _key(table, row))


# ------------------------------------------------------------------- the normaliser itself

@pytest.mark.parametrize("quote,written,scale,pct,ok", [
    ("total liquidations reaching $1.91 billion", "1910000000", 1, False, True),
    ("losses of 1,910 million dollars", "1910000000", 1, False, True),
    ("total liquidations ... stood at $2.02 billion", "1910000000", 1, False, False),
    ("$401.48 million", "401000000", 1, False, True),
    ("$428 million", "401000000", 1, False, False),
    ("a total of over 405,310 traders", "405310", 1, False, True),
    ("391,000 traders lost positions", "405310", 1, False, False),
    ("there is now a 70.9% probability", "70.9", 1, True, True),
    ("70.9 percent", "70.9", 1, True, True),
    ("up from 39.1% a day ago", "70.9", 1, True, False),
    ("the likelihood at near-95%", "95", 1, True, True),
    ("95 traders", "95", 1, True, False),  # a count is not a percentage
    ("an incremental $250B of Azure services", "250", 1e9, False, True),
    ("up to $6.5 billion, bringing the total to $22.4 billion", "22.4", 1e9, False, True),
    ("up to $6.5 billion", "22.4", 1e9, False, False),
])
def test_states(quote, written, scale, pct, ok):
    assert states(quote, written, scale, pct) is ok


def test_dates_and_votes():
    assert dates("SANTA CLARA, Calif., Nov. 19, 2025 (GLOBE NEWSWIRE)") == {"2025-11-19"}
    assert dates("on February 26, 2025, reporting") == {"2025-02-26"}
    assert dates("results on 20 May 2026") == {"2026-05-20"}
    assert dates("its fiscal 2026 Q1 earnings on May 28th, 2025.") == {"2025-05-28"}
    assert "2025-11-20" not in dates("Nov. 19, 2025")
    assert states_vote("The 10-2 vote lowered the rate", "10-2 (Miran for 50 bp)")
    assert states_vote("there were three dissenting votes", "9-3 (Miran)")
    assert not states_vote("The 11-1 vote", "10-2 (Miran)")


def test_dalio_figure_appears_in_its_quote():
    from riskoff import ch5

    assert states(ch5.DALIO_QUOTE, "80", 1, True)
    assert "80%" in next(c for c in ch5.calls() if "Dalio" in c["Statement (our paraphrase)"])[
        "What the data show"]


def test_cme_worked_example_is_in_its_quote():
    """The calculator's worked example (prices, days, the rate after the meeting and the
    hike probability) is the one the quoted page states, and riskoff.fedwatch reproduces it."""
    from riskoff import fedwatch
    ex, quote = fedwatch.CME_EXAMPLE, fedwatch.CME_EXAMPLE_QUOTE
    m = fedwatch.days_before(ex["meeting_day"], ex["days_in_month"])
    o = fedwatch.meeting_odds(ex["price"], ex["prior_price"], days_before_meeting=m,
                              days_in_month=ex["days_in_month"])
    for text in (f"FFQ5={ex['prior_price']}", f"FFU5={ex['price']}",
                 f"N={ex['days_in_month']}", f"M={m}", f"={o['post']:.5f} ",
                 f"={o['split'][1][1]:.1%}"):
        assert text in quote, text
