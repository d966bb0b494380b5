"""The zh-Hant figures (issue 16 item 2): every word a chapter's charts put in front of a
reader is Chinese, and every number in them is the English edition's number.

For each finished chapter, its views are run twice (RISKOFF_LANG unset, then zh-Hant) with
publish() captured; from each chart the test gathers titles (every state of the words table
and its picks), takeaways, axis, legend and tooltip titles, control labels, the accessible
name and the caption. The zh-Hant text may keep only the English names the terms file lists
(``keep_english``); the numbers of each state's words must equal the English ones.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
import yaml

from conftest import capture_published

from riskoff import ch1, ch2, ch3, ch4, ch5, i18n

ROOT = Path(__file__).resolve().parents[1]
KEEP = set(yaml.safe_load((ROOT / "locale" / "terms.zh-Hant.yaml").read_text(
    encoding="utf-8"))["keep_english"])

# (chapter module, its views) of the chapters whose strings are all translated.
CHAPTERS = {
    "ch1": (ch1, ("who_fell", "rebased", "drawdowns")),
    "ch2": (ch2, ("timeline", "calculator", "yield_moves", "cuts_priced")),
    "ch3": (ch3, ("reversal", "reactions", "who_fell", "deals")),
    "ch4": (ch4, ("gap_fade", "credit_drawdowns", "credit_vs_treasuries", "yield_moves",
                  "crypto_xcorr", "crypto_thresholds", "trend_model", "vix_fear", "asian_tech",
                  "illiquidity", "etf_volume")),
    "ch5": (ch5, ("after_chart", "analog_chart", "volatility_chart", "trend_chart")),
}


def _capture(monkeypatch, lang, module, views):
    """What each view publishes, read while ``lang`` is the language: its texts, the words of
    every state, its spec."""
    if lang == "en":
        monkeypatch.delenv(i18n.ENV, raising=False)
    else:
        monkeypatch.setenv(i18n.ENV, lang)
    monkeypatch.delenv("RISKOFF_I18N_MISSING", raising=False)
    out = {}
    for name, rec in capture_published(module, *[getattr(module, v) for v in views]).items():
        spec, w = rec["chart"].to_dict(), rec["words"]
        texts = _spec_texts(spec) + _words_texts(w)
        texts += [rec["alt_text"] or "", rec["label"] or "", _caption_text(rec["caption"])]
        said = {}
        if w is not None:
            for key in w.table:
                said[(key, "title")], said[(key, "takeaway")] = w.title(key), w.takeaway(key)
            names = [n for _s, n in w.toggles]
            for i, ticks in enumerate([dict.fromkeys(names, True), dict.fromkeys(names, False)]
                                      if names else []):
                said[(f"ticks{i}", "title")] = w.title(ticks=ticks)
                said[(f"ticks{i}", "takeaway")] = w.takeaway(ticks=ticks)
        else:
            said[("", "alt_text")] = rec["alt_text"] or ""
        out[name] = dict(rec, spec=spec, texts=texts, said=said)
    return out


@pytest.fixture(scope="module", params=sorted(CHAPTERS))
def both(request):
    module, views = CHAPTERS[request.param]
    mp = pytest.MonkeyPatch()
    try:
        en = _capture(mp, "en", module, views)
        zh = _capture(mp, "zh-Hant", module, views)
    finally:
        mp.undo()
    return request.param, en, zh


# ---------------------------------------------------------------------------- gathering text

TEXT_KEYS = {"title", "description", "pick_label"}


def _spec_texts(spec) -> list[str]:
    """Reader-facing strings of a Vega-Lite spec: titles (axes, legends, tooltips, the chart),
    the accessible name, control labels and option labels, figure-tool labels, and the
    string literals of the words' Vega expressions (riskoff_* params)."""
    out = []

    def walk(node, key=None):
        if isinstance(node, dict):
            if "bind" in node and isinstance(node["bind"], dict):
                b = node["bind"]
                out.extend(t for t in [b.get("name")] + list(b.get("labels") or []) if t)
            if str(node.get("name", "")).startswith("riskoff_") and "expr" in node:
                out.extend(m.group(1) for m in re.finditer(r"'((?:[^'\\]|\\.)*)'", node["expr"]))
            for k, v in node.items():
                if k == "data" or k == "datasets":
                    continue
                if k in TEXT_KEYS and isinstance(v, str):
                    out.append(v)
                elif k in TEXT_KEYS and isinstance(v, list) and all(isinstance(x, str) for x in v):
                    out.extend(v)
                else:
                    walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
    walk(spec)
    return out


def _words_texts(w) -> list[str]:
    if w is None:
        return []
    out = []
    for entry in w.table.values():
        if entry is None:
            continue
        out += [entry["title"], entry.get("narrow", "")]
        for part in entry["takeaway"]:
            if isinstance(part, str):
                out.append(part)
            else:
                ranked, none = part
                out += [t for _i, t in ranked] + [none]
    out.append(w.title())
    for key in list(w.table)[:200]:   # a template's states too (its table entries are None)
        out += [w.title(key), w.takeaway(key)]
        if hasattr(w, "narrow_title"):
            out.append(w.narrow_title(key))
    return out


def _caption_text(caption) -> str:
    md = caption.markdown("x")
    # Cited sources keep their own titles; links and addresses are not words.
    md = re.sub(r"\[[^\]]*\]\((https?:[^)]*)\)", " ", md)
    md = re.sub(r"<https?:[^>]*>", " ", md)        # autolinked addresses
    md = re.sub(r"“[^”]*”", " ", md)               # a cited document's own title
    return re.sub(r"\]\([^)]*\)", "]", md)


def _english_words(text: str) -> set[str]:
    text = re.sub(r"%[-a-zA-Z]", " ", text)           # d3 date directives
    words = set(re.findall(r"[A-Za-z][A-Za-z0-9']+", text))
    return {w for w in words if w not in KEEP and w.rstrip("'s") not in KEEP}


def test_no_english_left(both):
    chapter, en, zh = both
    assert set(en) == set(zh)
    bad = {}
    for name, rec in zh.items():
        for t in rec["texts"]:
            left = _english_words(t)
            if left:
                bad.setdefault(name, set()).update(left)
    assert not bad, f"{chapter}: English words on zh-Hant figures: {bad}"


# ---------------------------------------------------------------------------- numbers

MONTHS = {m: i for i, m in enumerate(
    "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}


def _numbers(text: str) -> Counter:
    """The numbers of a text, dates written the same way in both languages."""
    m = "|".join(MONTHS)
    text = text.replace("\n", " ")   # a wrapped title
    text = re.sub(rf"\b(\d{{1,2}}) ({m})\w* (\d{{4}})",
                  lambda g: f"{g[3]}-{MONTHS[g[2][:3]]}-{g[1]}", text)
    text = re.sub(rf"\b({m})\w* (\d{{4}})", lambda g: f"{g[2]}-{MONTHS[g[1][:3]]}", text)
    text = re.sub(rf"\b(\d{{1,2}}) ({m})\b", lambda g: f"{MONTHS[g[2]]}-{g[1]}", text)
    # A month named alone ("a December cut", "Oct – Dec") is its number, as 12月 is.
    full = "January|February|March|April|May|June|July|August|September|October|November|December"
    text = re.sub(rf"\b({full}|Sept|{m})\b", lambda g: str(MONTHS[g[1][:3]]), text)
    text = re.sub(r"(\d{4})年(\d{1,2})月(\d{1,2})日", r"\1-\2-\3", text)
    text = re.sub(r"(\d{4})年(\d{1,2})月", r"\1-\2", text)
    text = re.sub(r"(\d{1,2})月(\d{1,2})日", r"\1-\2", text)
    return Counter(re.findall(r"\d+(?:[.,]\d+)*", text))


def test_numbers_equal_in_both_languages(both):
    chapter, en, zh = both
    bad = []
    for name in en:
        # The same states in the same order (a control whose values are words has other keys).
        assert len(en[name]["said"]) == len(zh[name]["said"]), name
        for (key, e), z in zip(en[name]["said"].items(), zh[name]["said"].values()):
            if _numbers(e) != _numbers(z):
                bad.append((name, key, e, z))
    assert not bad, "\n".join(f"{n} {k}:\n  {e!r}\n  {z!r}" for n, k, e, z in bad[:10])


def test_chapter_strings_all_translated(both):
    # Reaching here means no Untranslated was raised; nothing was marked either.
    chapter, en, zh = both
    for rec in zh.values():
        assert "⟦" not in json.dumps(rec["spec"], ensure_ascii=False)


@pytest.mark.skipif(not shutil.which("node"), reason="node is not installed")
def test_vega_says_what_python_says_in_zh(both):
    """tests/test_words.py's check, on the zh-Hant charts: Vega's words = Python's."""
    from test_words import CHECK, _states, _vega

    chapter, _en, zh = both
    mp = pytest.MonkeyPatch()
    mp.setenv(i18n.ENV, "zh-Hant")
    try:
        for name, v in zh.items():
            w = v["words"]
            if w is None:
                continue
            cases = list(_states(w))
            proc = subprocess.run(["node", str(CHECK)], input=json.dumps(
                {"spec": _vega(v["chart"]), "states": [c[2] for c in cases]}),
                capture_output=True, text=True, timeout=120)
            assert proc.returncode == 0, proc.stderr[-2000:]
            for (key, ticks, _s), got in zip(cases, json.loads(proc.stdout)):
                assert got["title"] == w.title(key, ticks), (name, key, ticks)
                assert got["takeaway"] == w.takeaway(key, ticks), (name, key, ticks)
    finally:
        mp.undo()
