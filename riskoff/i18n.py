"""The language of what the package puts in front of a reader (issue 16).

``RISKOFF_LANG`` picks it: ``en`` (the default) or ``zh-Hant``. Every reader-facing string
in ``riskoff/`` goes through :func:`_` (or :func:`n_` for a count, :func:`p_` where one English
word needs two renderings). In English they return their argument unchanged, so the English
book is byte-for-byte what it was; in zh-Hant they look the string up in the gettext catalog
``riskoff/locale/zh_Hant/LC_MESSAGES/riskoff.po`` (read with Babel, no compiled .mo), and a
string the catalog lacks raises :class:`Untranslated`: a zh-Hant page never shows English
by accident. ``RISKOFF_I18N_MISSING=mark`` (drafts only, never a build) shows a missing
string as ``⟦English⟧`` instead and keeps going.

Messages with values use named placeholders, ``_("{asset} fell {pct}").format(...)``: Chinese
puts the words in another order, so a sentence is never glued from fragments.

Catalog upkeep (Babel): ``python -m riskoff.i18n extract`` writes ``riskoff/locale/riskoff.pot``
from the sources (``babel.cfg``) and merges new msgids into the .po; ``python -m riskoff.i18n
missing`` lists the msgids without a translation.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd

LANGS = ("en", "zh-Hant")
ENV = "RISKOFF_LANG"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
POT = LOCALE_DIR / "riskoff.pot"
DOMAIN = "riskoff"


def po_path(lang_: str = "zh-Hant") -> Path:
    return LOCALE_DIR / lang_.replace("-", "_") / "LC_MESSAGES" / f"{DOMAIN}.po"


class Untranslated(LookupError):
    """A reader-facing string has no translation in the current language's catalog."""


def lang() -> str:
    """The book's language from ``RISKOFF_LANG`` (read on every call: tests switch it)."""
    value = os.environ.get(ENV, "").strip() or "en"
    if value not in LANGS:
        raise ValueError(f"{ENV}={value!r} is not a language of the book; use one of "
                         f"{', '.join(LANGS)} (or leave it unset for en)")
    return value


def is_zh() -> bool:
    return lang() == "zh-Hant"


# ---------------------------------------------------------------------------- catalog

_cache: dict[str, tuple[float, dict]] = {}
_missing: set[str] = set()   # msgids looked up without a translation (this process)


def _key(msgid: str, context: str | None = None) -> str:
    return msgid if context is None else f"{context}\x04{msgid}"


def catalog(lang_: str = "zh-Hant") -> dict:
    """msgid (``context\\x04msgid`` with a context) -> msgstr, or a list of plural forms;
    only entries that are translated and not fuzzy. Re-read when the .po changes."""
    path = po_path(lang_)
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        return {}
    hit = _cache.get(lang_)
    if hit and hit[0] == mtime:
        return hit[1]
    from babel.messages.pofile import read_po

    with open(path, "rb") as f:
        cat = read_po(f)
    out = {}
    for m in cat:
        if not m.id or m.fuzzy:
            continue
        ids = m.id if isinstance(m.id, (tuple, list)) else (m.id,)
        strs = m.string if isinstance(m.string, (tuple, list)) else (m.string,)
        if not all(strs):
            continue
        out[_key(ids[0], m.context)] = list(strs) if len(ids) > 1 else strs[0]
    _cache[lang_] = (mtime, out)
    return out


def _lookup(msgid: str, context: str | None = None):
    found = catalog(lang()).get(_key(msgid, context))
    if found is None:
        _missing.add(_key(msgid, context))
        if os.environ.get("RISKOFF_I18N_MISSING") == "mark":
            return None
        where = f" (context {context!r})" if context else ""
        raise Untranslated(f"no {lang()} translation of {msgid!r}{where}: add it to "
                           f"{po_path(lang()).relative_to(LOCALE_DIR.parent.parent)} "
                           f"(python -m riskoff.i18n extract, then translate)")
    return found


def _(msgid: str) -> str:
    """The reader's words for ``msgid`` (itself in English)."""
    if lang() == "en":
        return msgid
    found = _lookup(msgid)
    return f"⟦{msgid}⟧" if found is None else found


def p_(context: str, msgid: str) -> str:
    """``_`` for a msgid whose rendering depends on where it stands (gettext's pgettext)."""
    if lang() == "en":
        return msgid
    found = _lookup(msgid, context)
    return f"⟦{msgid}⟧" if found is None else found


def n_(singular: str, plural: str, n: int) -> str:
    """The form for count ``n`` (English: singular for 1, plural otherwise; Chinese has one)."""
    if lang() == "en":
        return singular if n == 1 else plural
    found = _lookup(singular)
    if found is None:
        return f"⟦{singular if n == 1 else plural}⟧"
    return found[0] if isinstance(found, list) else found


def N_(msgid: str) -> str:
    """Marks a string for extraction where it is defined; translate it with _() where shown."""
    return msgid


def missing() -> set[str]:
    """Msgids this process looked up in zh-Hant and found untranslated."""
    return set(_missing)


# ---------------------------------------------------------------------------- dates, numbers

def date_long(d) -> str:
    """20 Nov 2025 / 2025年11月20日."""
    ts = pd.Timestamp(d)
    if is_zh():
        return f"{ts.year}年{ts.month}月{ts.day}日"
    return f"{ts.day} {ts:%b %Y}"   # not %-d: a glibc extension (Windows, Pyodide reject it)


def date_short(d) -> str:
    """20 Nov / 11月20日."""
    ts = pd.Timestamp(d)
    if is_zh():
        return f"{ts.month}月{ts.day}日"
    return f"{ts.day} {ts:%b}"


def month_label(d) -> str:
    """Nov 2025 / 2025年11月."""
    ts = pd.Timestamp(d)
    if is_zh():
        return f"{ts.year}年{ts.month}月"
    return f"{ts:%b %Y}"


def d3_date() -> str:
    """The d3 time format of a calendar date in Vega (tooltips, labels)."""
    return "%Y年%-m月%-d日" if is_zh() else "%-d %b %Y"


def d3_date_short() -> str:
    return "%-m月%-d日" if is_zh() else "%-d %b"


def d3_month() -> str:
    return "%Y年%-m月" if is_zh() else "%b %Y"


def number(x, digits: int = 0) -> str:
    """Thousands separators in both languages (126,000; 9.3)."""
    return f"{x:,.{digits}f}"


def percent(x, digits: int = 1, sign: bool = False) -> str:
    """A fraction as a percentage, written the same way in both editions (−2.4%)."""
    text = f"{abs(x) * 100:.{digits}f}%"
    if x < 0 and float(text[:-1]) != 0:
        return "\u2212" + text
    return ("+" if sign else "") + text


def minus(text: str) -> str:
    """A signed number Python formatted ("-2.38%") with the true minus sign the charts use
    (d3-format writes U+2212): one sign for one figure in a sentence and under its chart."""
    return "\u2212" + text[1:] if text.startswith("-") else text


# A hyphen that is a number's sign: not inside a word, a date (2025-11-20), a time range
# (09:30-10:30) or a name (Nasdaq-100), and followed by a digit.
_SIGN = re.compile(r"(?<![\w.\-/:#=&;])-(?=\d)")


def minus_signs(text: str) -> str:
    """Every negative number of a sentence written with the true minus sign (minus())."""
    return _SIGN.sub("\u2212", text)


def date_note(d) -> str:
    """A date in an explorer's one-line note: 05 Nov 2025 / 2025年11月5日."""
    ts = pd.Timestamp(d)
    return date_long(ts) if is_zh() else f"{ts:%d %b %Y}"


def billions(x) -> str:
    """An amount in billions, for a message that names the unit (``{n} bn`` / ``{n}億``): the
    English figure rounded to a billion, in Chinese the same figure in 億 (10 億 = 1 billion)."""
    n = round(float(x))
    return f"{n * 10:,}" if is_zh() else f"{n:,}"


def vega_text(text: str) -> str:
    """A string literal for a Vega expression, in single quotes."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n") + "'"


def vega_format(message: str, **exprs: str) -> str:
    """A Vega expression writing ``message`` (already translated) with each ``{name}`` replaced
    by the Vega expression ``exprs[name]``: literal pieces and expressions joined with +."""
    out = []
    for i, piece in enumerate(re.split(r"\{(\w+)\}", message)):
        if i % 2:
            out.append(exprs[piece])
        elif piece:
            out.append(vega_text(piece))
    return " + ".join(out) or "''"


_NO_START = set("，。、；：）」』！？%…·")   # a line never starts with these
_NO_END = set("（「『")                       # nor ends with these


def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def wrap(line: str, width: int) -> list[str]:
    """``line`` in lines of at most ``width`` columns, a CJK character counting two: Chinese
    breaks between characters (not before closing punctuation), Latin words stay whole."""
    # A date (2025年11月20日) and a Latin word or number stay on one line.
    tokens = re.findall(r"\s+|\d{4}年\d{1,2}月(?:\d{1,2}日)?|\d{1,2}月\d{1,2}日|[!-~]+|.", line)
    out, cur = [], ""
    for tok in tokens:
        if tok.isspace():
            if cur:
                cur += " "
            continue
        fits = _width(cur.rstrip() + tok) <= width if cur else True
        if fits or tok[0] in _NO_START or (cur and cur.rstrip()[-1:] in _NO_END):
            cur += tok
        else:
            out.append(cur.rstrip())
            cur = tok
    if cur.strip():
        out.append(cur.rstrip())
    return out


def vega_locale() -> dict | None:
    """Vega's config.locale for the language (axis month names), None in English."""
    if not is_zh():
        return None
    months = [f"{i}月" for i in range(1, 13)]
    days = ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"]
    return {
        "number": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["US$", ""],
                   "minus": "\u2212"},
        "time": {"dateTime": "%Y年%-m月%-d日 %A %X", "date": "%Y年%-m月%-d日", "time": "%H:%M:%S",
                 "periods": ["上午", "下午"], "days": days,
                 "shortDays": ["週日", "週一", "週二", "週三", "週四", "週五", "週六"],
                 "months": months, "shortMonths": months},
    }


# ---------------------------------------------------------------------------- catalog upkeep

PLACEHOLDER = re.compile(r"\{(\w*)[^{}]*\}")


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text.replace("{{", "").replace("}}", "")))


def extract_yaml(fileobj, keywords, comment_tags, options):
    """Babel extractor for the claims YAML: the reader-facing fields of every claim."""
    import yaml

    fields = [f.strip() for f in options.get("fields", "").split(",") if f.strip()]
    text = fileobj.read().decode("utf-8")
    lines = text.splitlines()

    def walk(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k in fields and isinstance(v, str) and v.strip():
                    yield v
                else:
                    yield from walk(v)
        elif isinstance(node, list):
            for v in node:
                yield from walk(v)

    for value in walk(yaml.safe_load(text)):
        first = value.strip().splitlines()[0][:40]
        lineno = next((i + 1 for i, line in enumerate(lines) if first in line), 0)
        yield lineno, None, value, []


DATA_TEXT = [("fedwatch_dec2025", "note"), ("fomc_decisions_2025", "decision"),
             ("fomc_decisions_2025", "vote"), ("ai_deals", "kind"), ("ai_deals", "what"),
             ("ai_deals", "amount_text"), ("ai_deals", "announced")]
HEADER = "# The riskoff package's reader-facing strings (python -m riskoff.i18n extract)."
HEADER_ZH = ("# Traditional Chinese (Hong Kong / Taiwan readers) for the riskoff package's strings.\n"
             "# Terms: locale/terms.zh-Hant.yaml. Update: python -m riskoff.i18n extract.")


def extract(write: bool = True):
    """The package's msgids (Babel's extractor over babel.cfg) as a Babel Catalog; with
    ``write``, the .pot is rewritten and the zh-Hant .po updated from it."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    root = LOCALE_DIR.parent.parent
    with open(root / "babel.cfg", encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    method_map = [(pat, "riskoff.i18n:extract_yaml" if m == "riskoff_yaml" else m)
                  for pat, m in method_map]
    keywords = {"_": None, "N_": None, "p_": ((1, "c"), 2), "n_": (1, 2)}
    import datetime as dt

    fixed = dt.datetime(2025, 11, 21, tzinfo=dt.timezone.utc)   # no date churn in the files
    pot = Catalog(project="riskoff", domain=DOMAIN, fuzzy=False, creation_date=fixed,
                  revision_date=fixed, version="0.1", header_comment=HEADER)
    # The catalog's names are data (label_of translates them): taken from it, not from calls.
    from .catalog import PUBLISHED, SERIES

    for s in SERIES.values():
        for text in (s.name, s.short, s.unit, s.basis, s.calendar):
            if text:
                pot.add(text, None, [("riskoff/catalog.py", 0)])
    for text in PUBLISHED.values():
        pot.add(text, None, [("riskoff/catalog.py", 0)])
    # Reader-facing text columns of the published tables (shown in tables and tooltips).
    from . import data as rdata

    for table, column in DATA_TEXT:
        for text in sorted({str(v) for v in rdata.published(table)[column].dropna()}):
            pot.add(text, None, [(f"data/published/{table}.csv", 0)])
    for filename, lineno, message, comments, context in extract_from_dir(
            root / "riskoff", method_map, options_map, keywords=keywords, strip_comment_tags=True):
        pot.add(message, None, [(f"riskoff/{filename}", lineno)], auto_comments=comments,
                context=context)
    if write:
        from babel.messages.pofile import read_po, write_po

        with open(POT, "wb") as f:
            write_po(f, pot, omit_header=True, sort_output=True, width=100)
        path = po_path()
        if path.exists():
            with open(path, "rb") as f:
                po = read_po(f, locale="zh_Hant_TW")
        else:
            from babel.messages.catalog import Catalog as C

            po = C(locale="zh_Hant_TW", domain=DOMAIN, project="riskoff")
        po.update(pot, no_fuzzy_matching=True)
        po.header_comment, po.revision_date, po.version = HEADER_ZH, fixed, "0.1"
        po.fuzzy = False
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as f:
            write_po(f, po, omit_header=False, sort_output=True, width=100,
                     ignore_obsolete=True)
    return pot


def untranslated() -> list[tuple[str, list]]:
    """(msgid, locations) of every extracted msgid with no zh-Hant translation."""
    cat = catalog("zh-Hant")
    out = []
    for m in extract(write=False):
        if not m.id:
            continue
        msgid = m.id[0] if isinstance(m.id, (tuple, list)) else m.id
        if _key(msgid, m.context) not in cat:
            out.append((msgid, list(m.locations)))
    return out


def main(argv=None) -> int:
    import sys

    args = sys.argv[1:] if argv is None else argv
    if args == ["extract"]:
        pot = extract()
        print(f"{len([m for m in pot if m.id])} msgids -> {POT.name}, {po_path().name} updated")
        return 0
    if args == ["missing"]:
        rows = untranslated()
        for msgid, locs in rows:
            where = ", ".join(f"{f}:{n}" for f, n in locs[:2])
            print(f"{where}\t{msgid!r}")
        print(f"{len(rows)} untranslated")
        return 1 if rows else 0
    print("usage: python -m riskoff.i18n extract|missing", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
