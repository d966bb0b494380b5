"""Link check of the built site, offline.

Every internal link (href/src to a file of the site, with or without #anchor) must resolve to
an existing file and, for anchors, an element with that id. External links are not fetched
(no network); they are listed in _build/external-links.txt for a human or an online job.
"""
from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

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
