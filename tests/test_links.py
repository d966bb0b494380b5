"""Link check of the built site, offline.

Every internal link (href/src to a file of the site, with or without #anchor) must resolve to
an existing file and, for anchors, an element with that id. External links are not fetched
(no network); they are listed in _build/external-links.txt for a human or an online job.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from conftest import ROOT, toc_pages

SKIP_SCHEMES = ("mailto", "javascript", "data", "blob")


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.links = set(), []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("id", "name"):
            if a.get(key):
                self.ids.add(a[key])
        for key in ("href", "src"):
            if a.get(key) and not (tag == "link" and a.get("rel") == "preconnect"):
                self.links.append(a[key])


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(errors="replace"))
    return page


def test_internal_links_and_anchors_resolve(site):
    parsed: dict[Path, _Page] = {}

    def get(path: Path) -> _Page:
        if path not in parsed:
            parsed[path] = _parse(path)
        return parsed[path]

    broken, external = [], set()
    for rel in toc_pages():
        source = site / rel
        for link in get(source).links:
            parts = urlsplit(link)
            if parts.scheme in SKIP_SCHEMES:
                continue
            if parts.scheme or parts.netloc:
                external.add(link)
                continue
            target = (source.parent / unquote(parts.path)).resolve() if parts.path else source
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{rel}: {link} (no file)")
                continue
            if parts.fragment and target.suffix == ".html":
                if unquote(parts.fragment) not in get(target).ids:
                    broken.append(f"{rel}: {link} (no anchor #{parts.fragment})")
    (ROOT / "_build" / "external-links.txt").write_text("\n".join(sorted(external)) + "\n")
    assert not broken, "\n".join(broken)


class _Headings(HTMLParser):
    """Heading levels inside the article, in order (the theme's navigation is not read)."""

    def __init__(self):
        super().__init__()
        self.depth, self.levels = 0, []

    def handle_starttag(self, tag, attrs):
        if tag == "article":
            self.depth += 1
        elif self.depth and re.fullmatch(r"h[1-6]", tag):
            self.levels.append(int(tag[1]))

    def handle_endtag(self, tag):
        if tag == "article" and self.depth:
            self.depth -= 1


def test_headings_never_skip_a_level(site):
    """A screen reader's outline: each heading at most one level below the one before it
    (Lighthouse's heading-order; axe's WCAG tags do not include it)."""
    from conftest import edition_pages

    skips = []
    for rel in edition_pages():
        parser = _Headings()
        parser.feed((site / rel).read_text(errors="replace"))
        for before, level in zip(parser.levels, parser.levels[1:]):
            if level > before + 1:
                skips.append(f"{rel}: h{before} then h{level}")
                break
    assert not skips, "\n".join(skips)


def test_launch_buttons_point_at_the_chapters(site):
    """Each chapter's Binder button opens that chapter's notebook in this repository."""
    for rel in toc_pages():
        # Only notebook pages can be launched (the glossary is plain Markdown).
        if not rel.startswith("chapters/") or not (ROOT / rel.replace(".html", ".ipynb")).exists():
            continue
        binder = [u for u in _parse(site / rel).links if u.startswith("https://mybinder.org/")]
        assert binder, f"{rel}: no Binder launch button"
        for url in binder:
            path = url.split("urlpath=lab/tree/", 1)[-1]
            assert path == rel.replace(".html", ".ipynb"), f"{rel}: {url}"
            assert (ROOT / path).exists(), f"{rel}: Binder opens missing {path}"


# --- the translated editions (riskoff.edition; built by default, RISKOFF_EDITIONS=en skips) --

def _editions():
    from riskoff import edition

    return [edition.EDITIONS[c] for c in edition.requested()]


needs_edition = pytest.mark.skipif(not _editions(), reason="the English edition alone "
                                   "(RISKOFF_EDITIONS=en)")


def _switch(path: Path) -> list[dict]:
    class Links(HTMLParser):
        def __init__(self):
            super().__init__()
            self.found = []

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "a" and "riskoff-language" in (a.get("class") or "").split():
                self.found.append(a)

    parser = Links()
    parser.feed(path.read_text(errors="replace"))
    return parser.found


def _lang(path: Path) -> str | None:
    found = re.search(r"<html[^>]*\slang=\"([^\"]+)\"", path.read_text(errors="replace"))
    return found.group(1) if found else None


@needs_edition
def test_edition_links_and_anchors_resolve(site):
    broken = []
    for ed in _editions():
        for rel in toc_pages():
            source = site / ed.folder / rel
            page = _parse(source)
            for link in page.links:
                parts = urlsplit(link)
                if parts.scheme in SKIP_SCHEMES or parts.scheme or parts.netloc:
                    continue
                target = (source.parent / unquote(parts.path)).resolve() if parts.path else source
                if target.is_dir():
                    target = target / "index.html"
                if not target.exists():
                    broken.append(f"{ed.folder}/{rel}: {link} (no file)")
                elif parts.fragment and target.suffix == ".html" \
                        and unquote(parts.fragment) not in _parse(target).ids:
                    broken.append(f"{ed.folder}/{rel}: {link} (no anchor #{parts.fragment})")
    assert not broken, "\n".join(broken)


@needs_edition
def test_language_switch_leads_to_the_same_page_both_ways(site):
    wrong = []
    for ed in _editions():
        for rel in toc_pages():
            for here, there, lang in ((site / rel, site / ed.folder / rel, ed.code),
                                      (site / ed.folder / rel, site / rel, "en")):
                links = _switch(here)
                if len(links) != 1:
                    wrong.append(f"{here.relative_to(site)}: {len(links)} language switches")
                    continue
                a = links[0]
                target = (here.parent / a["href"]).resolve()
                if target != there.resolve():
                    wrong.append(f"{here.relative_to(site)}: switch leads to {a['href']}")
                if a.get("hreflang") != lang or not a.get("aria-label"):
                    wrong.append(f"{here.relative_to(site)}: switch hreflang {a.get('hreflang')}")
    assert not wrong, "\n".join(wrong)


@needs_edition
def test_each_edition_says_its_language(site):
    wrong = [f"{rel}: lang={_lang(site / rel)}" for rel in toc_pages() if _lang(site / rel) != "en"]
    for ed in _editions():
        wrong += [f"{ed.folder}/{rel}: lang={_lang(site / ed.folder / rel)}" for rel in toc_pages()
                  if _lang(site / ed.folder / rel) != ed.code]
    assert not wrong, "\n".join(wrong)


class _Prose(HTMLParser):
    """The article's own text: without code cells and their outputs (computed, checked by
    the package's tests), scripts, styles and the header-link marks."""
    SKIP = {"script", "style", "svg", "template"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
            "source", "track", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack, self.inside, self.text = [], 0, []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        skip = bool(self.stack and self.stack[-1]) or tag in self.SKIP or bool(
            {"cell_output", "cell_input", "headerlink", "riskoff-figure"} & set(classes))
        if tag == "article" and "bd-article" in classes:
            self.inside += 1
        self.stack.append(skip)

    def handle_endtag(self, tag):
        if tag in self.VOID or not self.stack:
            return
        self.stack.pop()
        if tag == "article" and self.inside:
            self.inside -= 1

    def handle_data(self, data):
        if self.inside and not (self.stack and self.stack[-1]):
            self.text.append(data)


def _prose(path: Path) -> str:
    p = _Prose()
    p.feed(path.read_text(errors="replace"))
    return " ".join(p.text)


@needs_edition
def test_every_number_of_the_prose_is_the_english_pages(site):
    """The numbers in each translated page's own text equal the English page's (dates as
    2025年11月20日 against 20 November 2025, 9.3億 against 930 million)."""
    from test_edition import numbers

    wrong = []
    for ed in _editions():
        for rel in toc_pages():
            en, zh = numbers(_prose(site / rel), True), numbers(_prose(site / ed.folder / rel), False)
            if en != zh:
                wrong.append(f"{ed.folder}/{rel}: only in English {sorted(en - zh)}, "
                             f"only in {ed.code} {sorted(zh - en)}")
    assert not wrong, "\n".join(wrong)
