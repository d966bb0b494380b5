"""The book's other editions: the same pages, the same data and code, in another language.

    python -m riskoff.edition pot        # extract every page's text; update locale/*/*.po
    python -m riskoff.edition status     # translated / total strings per page
    python -m riskoff.edition build      # execute (cached) and build _build/html/zh-Hant/

`python -m riskoff.site build` builds every edition (README: "Traditional Chinese edition");
RISKOFF_EDITIONS=en builds the English book alone. Page text is translated by Sphinx's own
i18n from ``locale/<lang>/LC_MESSAGES/<document>.po``; code-cell outputs come from the
notebooks executed again with RISKOFF_LANG=<lang> into a build directory (the package's
strings, riskoff.i18n), cached by the digest of everything they were computed from.

This module is also the Sphinx extension of every edition: the language switch, the ``lang``
attribute, and the check that fails a translated build on a string with no translation.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
HTML = ROOT / "_build" / "html"
WORK = ROOT / "_build" / ".editions"   # each edition's source tree (generated, never committed)


class Edition:
    def __init__(self, code: str, sphinx: str, folder: str, catalog: str, name: str):
        self.code = code          # BCP 47: the html lang attribute, RISKOFF_LANG
        self.sphinx = sphinx      # Sphinx's `language` (its own and the theme's catalogs)
        self.folder = folder      # under _build/html/
        self.catalog = catalog    # under locale/
        self.name = name          # the switch's words, in this language

    @property
    def po_dir(self) -> Path:
        return LOCALE / self.catalog / "LC_MESSAGES"

    @property
    def src(self) -> Path:
        return WORK / self.code

    @property
    def out(self) -> Path:
        return HTML / self.folder


ENGLISH_NAME = "English"
EDITIONS = {"zh-Hant": Edition("zh-Hant", "zh_TW", "zh-Hant", "zh_Hant", "繁體中文")}


def requested() -> list[str]:
    """The translated editions the site build makes besides English: every edition, unless
    RISKOFF_EDITIONS names fewer (``RISKOFF_EDITIONS=en``: the English book alone, quicker)."""
    value = os.environ.get("RISKOFF_EDITIONS")
    if value is None or not value.strip():
        return list(EDITIONS)
    codes = [c.strip() for c in value.replace(",", " ").split() if c.strip() not in ("", "en")]
    bad = [c for c in codes if c not in EDITIONS]
    if bad:
        raise ValueError(f"RISKOFF_EDITIONS names {bad[0]!r}, which is no edition; "
                         f"use one of: en, {', '.join(EDITIONS)}")
    return codes


def documents() -> list[str]:
    """Every document of _toc.yml, with its suffix (index.ipynb, chapters/glossary.md ...)."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    names = [toc["root"]] + [c["file"] for part in toc.get("parts", [])
                             for c in part.get("chapters", [])]
    found = []
    for name in names:
        for suffix in (".ipynb", ".md"):
            if (ROOT / (name + suffix)).exists():
                found.append(name + suffix)
                break
        else:
            raise ValueError(f"_toc.yml names {name!r} but there is no {name}.ipynb or .md")
    return found


# --- the source tree of an edition ---------------------------------------------------------

def _digest(paths) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(p.relative_to(ROOT).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def _package_files() -> list[Path]:
    # What a notebook's outputs are computed from besides the notebook: code, words, data.
    pkg = ROOT / "riskoff"
    files = [p for p in pkg.rglob("*") if p.is_file() and p.suffix in (".py", ".po", ".mo",
                                                                      ".yaml", ".yml", ".json")
             and "__pycache__" not in p.parts and p.name != "edition.py"]
    return files + [ROOT / "data" / "manifest.json"]


def _words(ed: Edition, doc: str = "index") -> dict[str, str]:
    from babel.messages import pofile

    po = ed.po_dir / f"{doc}.po"
    if not po.exists():
        return {}
    with po.open("rb") as f:
        return {m.id: m.string for m in pofile.read_po(f) if m.id and m.string and not m.fuzzy}


def _translated(ed: Edition, text: str) -> str:
    # The book's title and the parts' captions are the front page's strings (index.po).
    found = _words(ed).get(text)
    if not found:
        raise ValueError(f"{text!r} (_config.yml / _toc.yml) has no {ed.code} translation in "
                         f"locale/{ed.catalog}/LC_MESSAGES/index.po; run python -m "
                         "riskoff.edition pot, then translate it")
    return found


def _toc(ed: Edition) -> str:
    # Sphinx translates a toctree caption only in the page; the sidebar takes it from _toc.yml.
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    for part in toc.get("parts", []):
        if part.get("caption"):
            part["caption"] = _translated(ed, part["caption"])
    return yaml.safe_dump(toc, allow_unicode=True, sort_keys=False)


def _config(ed: Edition, translate: bool = True) -> str:
    import yaml

    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    if translate:  # (extraction reads the English, to offer it for translation)
        config["title"] = _translated(ed, config["title"])
    if ed.code == "zh-Hant":  # launch buttons open Binder's zh-Hant notebooks (postBuild)
        from .zh_notebooks import launch_from_here

        config = launch_from_here(config)
    sphinx = config.setdefault("sphinx", {}).setdefault("config", {})
    sphinx.update({"language": ed.sphinx, "locale_dirs": ["locale"], "gettext_compact": False,
                   # Missing strings are reported by riskoff.edition, not compiled away.
                   "gettext_allow_fuzzy_translations": False})
    return yaml.safe_dump(config, allow_unicode=True, sort_keys=False)


def _link_static(src: Path) -> None:
    # The shared assets by link; downloads are this edition's own (written by its kernels).
    static = src / "_static"
    static.mkdir(parents=True, exist_ok=True)
    for item in (ROOT / "_static").iterdir():
        if item.name == "downloads":
            continue
        link = static / item.name
        if not link.is_symlink():
            if link.exists():
                shutil.rmtree(link) if link.is_dir() else link.unlink()
            link.symlink_to(item)
    (static / "downloads").mkdir(exist_ok=True)


def _copy_catalogs(ed: Edition) -> None:
    # Sphinx compiles .po to .mo beside them: keep that in the build tree, under Sphinx's code.
    dest = ed.src / "locale" / ed.sphinx / "LC_MESSAGES"
    wanted = {po.relative_to(ed.po_dir): po for po in ed.po_dir.rglob("*.po")}
    if dest.exists():
        for old in dest.rglob("*.po"):
            if old.relative_to(dest) not in wanted:
                old.unlink()
                old.with_suffix(".mo").unlink(missing_ok=True)
    for rel, po in wanted.items():
        _write_if_changed(dest / rel, po.read_bytes())


def _write_if_changed(path: Path, content: bytes) -> None:
    """Leave a file with this content as it is: Sphinx re-reads every document whose source,
    or a catalog it uses, is newer than its last build."""
    try:
        if path.read_bytes() == content:
            return
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


def prepare(ed: Edition, execute: bool = True, translate: bool = True) -> list[str]:
    """Write the edition's source tree; execute the notebooks whose inputs changed.

    Returns the notebooks executed. ``execute=False`` copies the committed (English) outputs
    instead, for extracting the page text only."""
    src = ed.src
    src.mkdir(parents=True, exist_ok=True)
    _write_if_changed(src / "_config.yml", _config(ed, translate=translate).encode())
    _write_if_changed(src / "_toc.yml", (_toc(ed) if translate
                                         else (ROOT / "_toc.yml").read_text()).encode())
    _link_static(src)
    _copy_catalogs(ed)
    record = src / "executed.json"
    try:
        done = json.loads(record.read_text())
    except (OSError, ValueError):
        done = {}
    package = _digest(_package_files())
    ran, keys = [], {}
    for doc in documents():
        source, target = ROOT / doc, src / doc
        target.parent.mkdir(parents=True, exist_ok=True)
        if not doc.endswith(".ipynb"):
            _write_if_changed(target, source.read_bytes())
            continue
        key = hashlib.sha256((_digest([source]) + package).encode()).hexdigest()
        if not execute:
            if done.get(doc) is None:  # never executed in this language: the English outputs
                _write_if_changed(target, source.read_bytes())
            continue
        if done.get(doc) == key and target.exists():
            continue
        shutil.copyfile(source, target)
        keys[doc] = key
    if keys:  # one call: its kernels are started once for all the stale notebooks
        _execute(ed, [src / doc for doc in keys])
        done.update(keys)
        record.write_text(json.dumps(done, indent=1, sort_keys=True) + "\n")
        ran = list(keys)
    return ran


def _execute(ed: Edition, paths: list[Path]) -> None:
    from . import site

    saved = {k: os.environ.get(k) for k in ("RISKOFF_LANG", "RISKOFF_DOWNLOADS")}
    os.environ["RISKOFF_LANG"] = ed.code
    os.environ["RISKOFF_DOWNLOADS"] = str(ed.src / "_static" / "downloads")
    try:
        site.execute(paths, record=False)
    except Exception as exc:  # a cell failed: its error's last line, not the traceback wall
        from nbclient.exceptions import CellExecutionError

        if not isinstance(exc, CellExecutionError):
            raise
        path = getattr(exc, "notebook", paths[0])
        lines = [ln for ln in str(exc).splitlines() if ln.strip()]
        last = next((ln for ln in reversed(lines) if "Error" in ln or "Untranslated" in ln),
                    lines[-1] if lines else "")
        raise SystemExit(f"{site._shown(path)}: a cell failed when executed with "
                         f"RISKOFF_LANG={ed.code}: {last.strip()[:300]}") from None
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _jupyter_book(src: Path, *args: str) -> int:
    from .site import JUPYTER_BOOK

    cmd = [*JUPYTER_BOOK, "build", str(src), *args]
    return subprocess.call(cmd, cwd=src)


def build(code: str, extra: list[str] | None = None, execute: bool = True) -> int:
    """Build one edition into _build/html/<folder>/ with warnings as errors."""
    ed = EDITIONS[code]
    ran = prepare(ed, execute=execute)
    if ran:
        print(f"{code}: executed {len(ran)} notebook(s)")
    rc = _jupyter_book(ed.src, "-W", "-n", "--keep-going", *(extra or []))
    if rc == 0:
        if ed.out.exists():
            shutil.rmtree(ed.out)
        shutil.copytree(ed.src / "_build" / "html", ed.out)
        print(f"{code} edition built: open {ed.out / 'index.html'}")
    return rc


# --- catalogs ------------------------------------------------------------------------------

def extract(code: str) -> dict[str, tuple[int, int]]:
    """Extract every page's text (Sphinx's gettext builder) and update the edition's .po
    files: new strings are added empty, vanished ones dropped. Returns per document
    (translated, total)."""
    from babel.messages import pofile

    ed = EDITIONS[code]
    prepare(ed, execute=False, translate=False)  # the English title and captions too
    pot_dir = ed.src / "_build" / "gettext"
    if pot_dir.exists():
        shutil.rmtree(pot_dir)
    # The html and gettext builders cannot share doctrees ("incompatible environment").
    shutil.rmtree(ed.src / "_build" / ".doctrees", ignore_errors=True)
    rc = _jupyter_book(ed.src, "--builder", "custom", "--custom-builder", "gettext")
    shutil.rmtree(ed.src / "_build" / ".doctrees", ignore_errors=True)
    if rc:
        raise SystemExit(f"extracting the page text failed (exit {rc})")
    for pot in sorted(pot_dir.rglob("*.pot")):
        rel = pot.relative_to(pot_dir).with_suffix(".po")
        if rel.as_posix() == "sphinx.po":
            continue  # theme strings: hand-kept
        po = ed.po_dir / rel
        with pot.open("rb") as f:
            template = pofile.read_po(f)
        if po.exists():
            with po.open("rb") as f:
                catalog = pofile.read_po(f, locale=ed.catalog)
        else:
            from babel.messages.catalog import Catalog

            catalog = Catalog(locale=ed.catalog, project="riskoff")
        created = catalog.creation_date
        catalog.update(template, no_fuzzy_matching=True)
        catalog.creation_date = created  # no churn in a file whose strings did not change
        catalog.obsolete.clear()
        po.parent.mkdir(parents=True, exist_ok=True)
        with po.open("wb") as f:
            pofile.write_po(f, catalog, width=0, omit_header=False, sort_output=False,
                            include_lineno=False)
    return status(code)


def status(code: str) -> dict[str, tuple[int, int]]:
    return {doc: (len(entries) - len(untranslated), len(entries))
            for doc, (entries, untranslated) in _catalogs(code).items()}


def _catalogs(code: str) -> dict[str, tuple[list[str], list[str]]]:
    from babel.messages import pofile

    ed = EDITIONS[code]
    found = {}
    for doc in documents():
        name = doc.rsplit(".", 1)[0]
        po = ed.po_dir / (name + ".po")
        if not po.exists():
            found[name] = ([], ["(no catalog: run python -m riskoff.edition pot)"])
            continue
        with po.open("rb") as f:
            catalog = pofile.read_po(f)
        ids = [m.id for m in catalog if m.id]
        missing = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
        found[name] = (ids, missing)
    return found


def untranslated(code: str) -> dict[str, list[str]]:
    """Per document, the strings its catalog holds without a translation."""
    return {doc: miss for doc, (_ids, miss) in _catalogs(code).items() if miss}


TOOLS_JS = ROOT / "_static" / "riskoff-figure-tools.js"
PAGE_JS = ROOT / "_static" / "riskoff.js"   # every page's scroll cue and chart-menu name


def tool_words(code: str) -> tuple[dict[str, str], list[str]]:
    """The page scripts' words (each ``w('...')`` of _static/riskoff-figure-tools.js and
    _static/riskoff.js) in an edition's language, from figure-tools.po; and those it lacks."""
    import re

    text = TOOLS_JS.read_text(encoding="utf-8") + PAGE_JS.read_text(encoding="utf-8")
    ids = sorted({json.loads('"' + m.replace('"', '\\"') + '"') for m in
                  re.findall(r"\bw\('((?:[^'\\]|\\.)*)'\)", text)})
    known = _words(EDITIONS[code], "figure-tools")
    return {i: known[i] for i in ids if i in known}, [i for i in ids if i not in known]


# --- the Sphinx extension ------------------------------------------------------------------

def _edition_of(config) -> Edition | None:
    for ed in EDITIONS.values():
        if config.language == ed.sphinx:
            return ed
    return None


def _switch_context(app, pagename, templatename, context, doctree):
    ed = _edition_of(app.config)
    depth = pagename.count("/")
    up = "../" * depth
    if ed is None:
        if "zh-Hant" not in requested():
            return  # English alone: no switch to a page that is not built
        target = EDITIONS["zh-Hant"]
        context["riskoff_switch"] = {"href": f"{up}{target.folder}/{pagename}.html",
                                     "lang": target.code, "text": target.name,
                                     "label": f"{target.name} (Traditional Chinese edition)"}
    else:
        context["riskoff_switch"] = {"href": f"{up}../{pagename}.html", "lang": "en",
                                     "text": ENGLISH_NAME, "label": "English edition"}
        # Sphinx and the theme know zh_TW; the page says which script it is written in.
        context["language"] = ed.code
        context["lang_attr"] = ed.code


def _add_switch_template(app, config):
    if _edition_of(config) is None and not requested():
        return  # the English book alone is built as it always was
    config.templates_path = [*config.templates_path, str(Path(__file__).parent / "templates")]
    options = dict(config.html_theme_options or {})
    end = list(options.get("article_header_end") or ["article-header-buttons.html"])
    if "riskoff-language.html" not in end:
        end.insert(0, "riskoff-language.html")
    options["article_header_end"] = end
    config.html_theme_options = options


def _tool_words_script(app):
    ed = _edition_of(app.config)
    if ed is None:
        return
    from sphinx.util import logging

    words, missing = tool_words(ed.code)
    if missing:
        logging.getLogger(__name__).warning(
            f"figure tools: {len(missing)} string(s) of _static/riskoff-figure-tools.js with no "
            f"{ed.code} translation in locale/{ed.catalog}/LC_MESSAGES/figure-tools.po (first: "
            f"{missing[0]!r})", type="riskoff", subtype="untranslated")
    # Before the tools' own script, which reads it once.
    app.add_js_file(None, body="window.RISKOFF_WORDS = " + json.dumps(words, ensure_ascii=False)
                    + ";", priority=100)


def setup(app):
    from docutils import nodes
    from sphinx.transforms import SphinxTransform
    from sphinx.util import logging
    from sphinx.util.i18n import docname_to_domain
    from sphinx.util.nodes import extract_messages

    logger = logging.getLogger(__name__)

    class OutputsStayAsComputed(SphinxTransform):
        """Code-cell outputs are computed in the edition's language (riskoff.i18n); the page
        catalogs translate only the page's own text."""
        default_priority = 15  # before sphinx.transforms.i18n.Locale (20)

        def apply(self, **kwargs):
            for box in self.document.findall(nodes.container):
                if "cell_output" in box.get("classes", []) or "cell_input" in box.get(
                        "classes", []):
                    for node in box.findall(nodes.TextElement):
                        node["translatable"] = False

    def _page_catalog(transform):
        """The edition, gettext domain and msgid -> translation of the page a transform is
        on; (None, None, {}) on the English edition and in the gettext builder."""
        ed = _edition_of(transform.config)
        if ed is None or transform.app.builder.name == "gettext":
            return None, None, {}
        from sphinx.locale import init as init_locale

        domain = docname_to_domain(transform.env.docname, transform.config.gettext_compact)
        dirs = [os.path.join(transform.env.srcdir, d) for d in transform.config.locale_dirs]
        catalog, has = init_locale(dirs, transform.config.language, domain)
        return ed, domain, (getattr(catalog, "_catalog", {}) if has else {})

    class EveryStringTranslated(SphinxTransform):
        """A translated edition fails (a warning, -W) on page text its catalog lacks."""
        default_priority = 19  # just before Locale replaces the text

        def apply(self, **kwargs):
            ed, domain, known = _page_catalog(self)
            if ed is None:
                return
            missing = [msg for _node, msg in extract_messages(self.document)
                       if not known.get(msg)]
            if missing:
                logger.warning(
                    f"{self.env.docname}: {len(missing)} string(s) with no {ed.code} "
                    f"translation in locale/{ed.catalog}/LC_MESSAGES/{domain}.po (first: "
                    f"{missing[0][:60]!r}); run python -m riskoff.edition pot, then translate",
                    location=self.env.docname, type="riskoff", subtype="untranslated")

    class EveryTranslationApplied(SphinxTransform):
        """A translation Sphinx could not put in place (its Markdown parses to another kind
        of node, e.g. '2. 美聯儲' as a list) would leave the English: fail on it too."""
        default_priority = 21  # just after Locale

        def apply(self, **kwargs):
            ed, domain, known = _page_catalog(self)
            if ed is None:
                return
            stuck = [msg for node, msg in extract_messages(self.document)
                     if not node.get("translated") and known.get(msg) and known[msg] != msg]
            if stuck:
                logger.warning(
                    f"{self.env.docname}: {len(stuck)} {ed.code} translation(s) in "
                    f"locale/{ed.catalog}/LC_MESSAGES/{domain}.po not applied (first: "
                    f"{stuck[0][:60]!r}); a translation must parse as the same kind of text "
                    f"(escape a leading '2.' as '2\\.')",
                    location=self.env.docname, type="riskoff", subtype="untranslated")

    app.add_transform(OutputsStayAsComputed)
    app.add_transform(EveryStringTranslated)
    app.add_transform(EveryTranslationApplied)
    app.connect("config-inited", _add_switch_template)
    app.connect("builder-inited", _tool_words_script)
    app.connect("html-page-context", _switch_context)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    cmd = argv.pop(0) if argv else "status"
    code = "zh-Hant"
    if cmd == "pot":
        counts = extract(code)
    elif cmd == "status":
        counts = status(code)
    elif cmd == "build":
        return build(code, argv)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    for doc, (done, total) in counts.items():
        print(f"{doc}: {done}/{total}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
