"""The Traditional Chinese edition's page text (locale/zh_Hant/LC_MESSAGES/*.po).

Fast checks of the catalogs: every string of every page translated, the numbers and the
markup of each translation equal to its English, the chosen terms (locale/terms.zh-Hant.yaml)
used. The built pages are checked in test_links.py and test_site.py.
"""
from __future__ import annotations

import functools
import re

import pytest
import yaml
from babel.messages import pofile

from conftest import ROOT
from riskoff import edition

ED = edition.EDITIONS["zh-Hant"]
MONTHS = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december"
    .split(), 1)}
# Month names and their abbreviations, capitalised (not "may", "market", "decision").
MONTH = re.compile(r"\b(" + "|".join(m.capitalize() for m in MONTHS) + "|" +
                   "|".join(m[:3].capitalize() for m in MONTHS) + r"|Sept)\b")
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
# Where the digits name no quantity: link targets, addresses, code.
NOT_PROSE = re.compile(r"\]\([^)]*\)|https?://\S+|`[^`]*`|<[^>]+>")


def _month(name: str) -> int:
    return next(i for m, i in MONTHS.items() if m.startswith(name.lower()))


def _wordy_terms() -> list[str]:
    # Chosen renderings with a digit their English lacks (rebased: 以起點為100): no quantity.
    return [t["zh"] for t in _terms() if re.search(r"\d", t["zh"]) and not re.search(r"\d", t["en"])]


def numbers(text: str, english: bool) -> set[str]:
    """The numbers a text states, as digit strings without separators, decimal point or
    leading/trailing zeros: '930 million' and '9.3億' are both 93, 'November' is 11."""
    text = NOT_PROSE.sub(" ", text)
    for term in ([] if english else _wordy_terms()):
        text = text.replace(term, " ")
    if english:
        text = MONTH.sub(lambda m: f" {_month(m.group(1))} ", text)
    found = set()
    for n in NUMBER.findall(text):
        digits = n.replace(",", "").replace(".", "").strip("0")
        found.add(digits or "0")
    return found


def entries():
    for po in sorted(ED.po_dir.rglob("*.po")):
        with po.open("rb") as f:
            catalog = pofile.read_po(f)
        for m in catalog:
            if m.id and m.string:
                yield po.relative_to(ED.po_dir).as_posix(), m.id, m.string


def test_numbers_helper():
    assert numbers("on 20 November 2025, 930 million dollars", True) == {"2", "11", "2025", "93"}
    assert numbers("2025年11月20日，9.3億美元", False) == {"2", "11", "2025", "93"}
    assert numbers("[1. Who](chapters/01-who.ipynb) Nov 2025", True) == {"1", "11", "2025"}
    assert numbers("0% and 0.26643%", True) == {"0", "26643"}


def test_every_page_string_is_translated():
    missing = edition.untranslated(ED.code)
    listing = [f"{doc}: {msg[:70]!r}" for doc, msgs in missing.items() for msg in msgs]
    assert not listing, f"{len(listing)} page string(s) without a {ED.code} translation:\n" \
        + "\n".join(listing)


def test_every_catalog_entry_states_the_english_numbers():
    wrong = [f"{doc}: {en[:50]!r}: English {sorted(numbers(en, True))}, "
             f"{ED.code} {sorted(numbers(zh, False))}"
             for doc, en, zh in entries() if numbers(en, True) != numbers(zh, False)]
    assert not wrong, "\n".join(wrong)


LINK = re.compile(r"\]\(([^)]*)\)")
CODE = re.compile(r"`[^`]*`")


def test_every_translation_keeps_links_code_and_emphasis():
    wrong = []
    for doc, en, zh in entries():
        for name, pattern in (("links", LINK), ("code", CODE)):
            if sorted(pattern.findall(en)) != sorted(pattern.findall(zh)):
                wrong.append(f"{doc}: {name} differ in {en[:50]!r}")
        if en.count("**") != zh.count("**"):
            wrong.append(f"{doc}: bold differs in {en[:50]!r}")
    assert not wrong, "\n".join(wrong)


def test_translations_use_full_width_punctuation():
    # Traditional Chinese prose: ，。：；（）「」, not ASCII , : ; ( ) " between words.
    ascii_ = re.compile(r"[\u4e00-\u9fff][,;:\"]|[,;\"](?=[\u4e00-\u9fff])|[\u4e00-\u9fff]\(")
    wrong = [f"{doc}: {zh[:60]!r}" for doc, _en, zh in entries()
             if ascii_.search(NOT_PROSE.sub(" ", zh))]
    assert not wrong, "\n".join(wrong)


@functools.lru_cache
def _terms():
    return yaml.safe_load((ROOT / "locale" / "terms.zh-Hant.yaml").read_text())["terms"]


# Names whose rendering must be the chosen one wherever the English names them.
NAMES = ["Federal Reserve(?! Bank)", "Nasdaq-100", r"S&P 500", "Hang Seng", "Shanghai Composite",
         "drawdown", "bear market", "nine drivers", "Fed governor"]


@pytest.mark.parametrize("name", NAMES)
def test_chosen_terms_are_used(name):
    zh = {t["en"]: t["zh"] for t in _terms()}[name.split("(")[0]]
    wrong = [f"{doc}: {en[:60]!r}" for doc, en, text in entries()
             if re.search(rf"\b{name}", NOT_PROSE.sub(" ", en), re.I) and zh not in text]
    assert not wrong, f"{name!r} is {zh!r} in {ED.code}, not so in:\n" + "\n".join(wrong)


def test_a_missing_translation_is_listed(tmp_path, monkeypatch):
    # The lister itself: an emptied entry shows up, with its document.
    src = ED.po_dir / "chapters" / "claims-audit.po"
    with src.open("rb") as f:
        catalog = pofile.read_po(f)
    first = next(m for m in catalog if m.id)
    first.string = ""
    dest = tmp_path / "zh_Hant" / "LC_MESSAGES"
    for po in ED.po_dir.rglob("*.po"):
        (dest / po.relative_to(ED.po_dir)).parent.mkdir(parents=True, exist_ok=True)
        (dest / po.relative_to(ED.po_dir)).write_bytes(po.read_bytes())
    with (dest / "chapters" / "claims-audit.po").open("wb") as f:
        pofile.write_po(f, catalog)
    monkeypatch.setattr(edition, "LOCALE", tmp_path)
    assert edition.untranslated(ED.code) == {"chapters/claims-audit": [first.id]}


def test_figure_tools_words_are_translated(tmp_path, monkeypatch):
    words, missing = edition.tool_words(ED.code)
    assert words and not missing, f"figure tools' words without a {ED.code} translation " \
        f"(locale/zh_Hant/LC_MESSAGES/figure-tools.po): {missing}"
    # A new word in the tools is listed.
    js = tmp_path / "tools.js"
    js.write_text(edition.TOOLS_JS.read_text(encoding="utf-8") + "\nw('A new word');\n")
    monkeypatch.setattr(edition, "TOOLS_JS", js)
    assert edition.tool_words(ED.code)[1] == ["A new word"]


def test_the_build_makes_every_edition_unless_told_english(monkeypatch):
    """Both editions by default (the site build, CI's tests); RISKOFF_EDITIONS=en: English."""
    monkeypatch.delenv("RISKOFF_EDITIONS", raising=False)
    assert edition.requested() == ["zh-Hant"]
    monkeypatch.setenv("RISKOFF_EDITIONS", "")
    assert edition.requested() == ["zh-Hant"]
    monkeypatch.setenv("RISKOFF_EDITIONS", "en")
    assert edition.requested() == []
    monkeypatch.setenv("RISKOFF_EDITIONS", "en,zh-Hant")
    assert edition.requested() == ["zh-Hant"]
    monkeypatch.setenv("RISKOFF_EDITIONS", "fr")
    with pytest.raises(ValueError, match="RISKOFF_EDITIONS names 'fr'"):
        edition.requested()


def test_a_chinese_label_is_measured_wider():
    """Full-width characters are about 12.5 px in bold 12 px text (the label placement of
    charts.drivers and the phone axis break of category_axis rely on it)."""
    from riskoff.charts import base

    assert base.text_px("20 Nov 2025") == round(7.6 * 11)   # English placement unchanged
    assert base.text_px("2025年11月20日") == round(7.6 * 8 + 12.5 * 3)


def test_stale_notebooks_are_executed_in_one_call(monkeypatch, tmp_path):
    """One site.execute call for every stale notebook (its kernels start once), and a cell
    that fails is named by its notebook in one line."""
    from nbclient.exceptions import CellExecutionError

    from riskoff import site

    ed = edition.Edition("xx", "en", "xx", "zh_Hant", "X")
    monkeypatch.setattr(edition, "WORK", tmp_path)
    monkeypatch.setattr(edition, "_link_static", lambda src: None)
    monkeypatch.setattr(edition, "_copy_catalogs", lambda ed: None)
    calls = []
    monkeypatch.setattr(site, "execute", lambda paths, record=True: calls.append(list(paths)))
    ran = edition.prepare(ed, translate=False)
    notebooks = [d for d in edition.documents() if d.endswith(".ipynb")]
    assert ran == notebooks and len(calls) == 1
    assert [p.relative_to(tmp_path / "xx").as_posix() for p in calls[0]] == notebooks
    assert edition.prepare(ed, translate=False) == [] and len(calls) == 1  # nothing stale

    def fails(paths, record=True):
        exc = CellExecutionError("Traceback…\nValueError: the cell's own line", "", "ValueError")
        exc.notebook = paths[-1]
        raise exc

    monkeypatch.setattr(site, "execute", fails)
    with pytest.raises(SystemExit) as stop:
        edition._execute(ed, [tmp_path / "xx" / d for d in notebooks])
    assert str(stop.value).split(": a cell failed")[0].endswith(notebooks[-1])
    assert "ValueError: the cell's own line" in str(stop.value)


def test_a_second_prepare_touches_no_file(monkeypatch, tmp_path):
    """Nothing changed, nothing rewritten: Sphinx reads a document again when it or a catalog
    it uses is newer than the last build, so a rewrite made every warm build re-read every
    page of the edition."""
    from riskoff import site

    ed = edition.Edition("xx", "zh_TW", "xx", "zh_Hant", "X")
    monkeypatch.setattr(edition, "WORK", tmp_path)
    monkeypatch.setattr(site, "execute", lambda paths, record=True: None)
    edition.prepare(ed)
    files = [p for p in (tmp_path / "xx").rglob("*")
             if p.is_file() and not p.is_symlink() and "_static" not in p.parts]
    assert any(p.suffix == ".po" for p in files) and any(p.suffix == ".md" for p in files)
    before = {p: p.stat().st_mtime_ns for p in files}
    edition.prepare(ed)
    touched = sorted(str(p.relative_to(tmp_path)) for p in files
                     if p.stat().st_mtime_ns != before[p])
    assert touched == []
