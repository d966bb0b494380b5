"""riskoff.i18n: the language switch, the catalog and its upkeep (issue 16)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from riskoff import i18n

ROOT = Path(__file__).resolve().parents[1]
TERMS = yaml.safe_load((ROOT / "locale" / "terms.zh-Hant.yaml").read_text(encoding="utf-8"))["terms"]

# Every module's strings are translated: an untranslated msgid anywhere fails
# test_untranslated_list (set DONE to a tuple of paths to relax it while translating).
DONE = None


@pytest.fixture
def zh(monkeypatch):
    monkeypatch.setenv(i18n.ENV, "zh-Hant")
    monkeypatch.delenv("RISKOFF_I18N_MISSING", raising=False)


def test_lang_default_and_choices(monkeypatch):
    monkeypatch.delenv(i18n.ENV, raising=False)
    assert i18n.lang() == "en"
    monkeypatch.setenv(i18n.ENV, "zh-Hant")
    assert i18n.lang() == "zh-Hant"
    monkeypatch.setenv(i18n.ENV, "fr")
    with pytest.raises(ValueError, match=r"RISKOFF_LANG='fr'.*en, zh-Hant") as e:
        i18n.lang()
    assert "\n" not in str(e.value)


def test_english_returns_the_msgid(monkeypatch):
    monkeypatch.delenv(i18n.ENV, raising=False)
    assert i18n._("no such msgid, ever") == "no such msgid, ever"
    assert i18n.n_("1 day", "{n} days", 1) == "1 day"
    assert i18n.n_("1 day", "{n} days", 3) == "{n} days"
    assert i18n.p_("axis", "Close") == "Close"


def test_zh_untranslated_raises(zh):
    with pytest.raises(i18n.Untranslated, match="no zh-Hant translation of 'no such msgid"):
        i18n._("no such msgid, ever")
    assert "no such msgid, ever" in i18n.missing()


def test_zh_mark_mode_for_drafts(zh, monkeypatch):
    monkeypatch.setenv("RISKOFF_I18N_MISSING", "mark")
    assert i18n._("no such msgid, ever") == "⟦no such msgid, ever⟧"


def test_zh_translates(zh):
    assert i18n._("Nasdaq-100") == "納斯達克100"


def test_dates(monkeypatch):
    monkeypatch.delenv(i18n.ENV, raising=False)
    assert i18n.date_long("2025-11-20") == "20 Nov 2025"
    assert i18n.date_short("2025-11-20") == "20 Nov"
    assert i18n.d3_date() == "%-d %b %Y"
    monkeypatch.setenv(i18n.ENV, "zh-Hant")
    assert i18n.date_long("2025-11-20") == "2025年11月20日"
    assert i18n.date_short("2025-11-05") == "11月5日"
    assert i18n.month_label("2025-11-05") == "2025年11月"
    assert i18n.d3_date() == "%Y年%-m月%-d日"


def test_numbers_as_in_english(zh):
    assert i18n.number(126000) == "126,000"
    assert i18n.percent(-0.024) == "\u22122.4%"
    assert i18n.percent(0.05, 0, sign=True) == "+5%"


def _entries():
    from babel.messages.pofile import read_po

    with open(i18n.po_path(), "rb") as f:
        return [m for m in read_po(f) if m.id]


def test_translations_keep_placeholders():
    bad = []
    for m in _entries():
        ids = m.id if isinstance(m.id, (tuple, list)) else (m.id,)
        strs = m.string if isinstance(m.string, (tuple, list)) else (m.string,)
        for s in strs:
            if s and i18n.placeholders(s) != i18n.placeholders(ids[0]):
                bad.append((ids[0], s))
    assert not bad, f"translations whose {{placeholders}} differ from the msgid: {bad}"


def test_catalog_template_is_current():
    """Every _() string in the sources is in riskoff.pot and the .po (run extract)."""
    from babel.messages.pofile import read_po

    extracted = {(m.id if isinstance(m.id, str) else m.id[0], m.context)
                 for m in i18n.extract(write=False) if m.id}
    for path in (i18n.POT, i18n.po_path()):
        with open(path, "rb") as f:
            have = {(m.id if isinstance(m.id, str) else m.id[0], m.context)
                    for m in read_po(f) if m.id}
        assert extracted == have, (f"{path.name} is stale: run python -m riskoff.i18n extract "
                                   f"(new: {sorted(extracted - have)[:5]}, "
                                   f"gone: {sorted(have - extracted)[:5]})")


def test_untranslated_list():
    """Lists every untranslated string; those of finished modules fail."""
    rows = i18n.untranslated()
    print(f"\n{len(rows)} untranslated msgids")
    for msgid, locs in rows:
        print(f"  {locs[0][0] if locs else '?'}: {msgid!r}")
    done = [(msgid, locs) for msgid, locs in rows
            if DONE is None or any(f in DONE for f, _n in locs)]
    assert not done, f"untranslated strings: {done}"


# Terms whose English word also has everyday senses the rule would misread.
LOOSE = {"close", "data", "source", "chart", "claim", "as of", "gold", "earnings", "momentum",
         "volatility", "reversal", "liquidity", "probability", "yield", "bubble", "crypto",
         "drawdown", "the Fed", "Hang Seng", "verdict", "outlook", "analog", "rebased"}


def test_terms_used_consistently():
    """A translated string whose msgid names a chosen term uses its chosen rendering."""
    terms = [t for t in TERMS if t["en"] not in LOOSE]
    bad = []
    for m in _entries():
        msgid = m.id if isinstance(m.id, str) else m.id[0]
        msgstr = m.string if isinstance(m.string, str) else m.string[0]
        if not msgstr:
            continue
        msgid = re.sub(r'"[^"]*"|“[^”]*”', " ", msgid)   # a cited title keeps its own words
        for t in terms:
            if re.search(rf"\b{re.escape(t['en'])}\b", msgid, re.I) and t["zh"] not in msgstr:
                bad.append((t["en"], t["zh"], msgid, msgstr))
    assert not bad, "\n".join(f"{e} -> {z}: {i!r} -> {s!r}" for e, z, i, s in bad)
