"""Notebook notes read the same in JupyterLab as in the book.

JupyterLab renders CommonMark (plus raw HTML), not MyST: a target line such as `(driver-3)=`,
a `{tableofcontents}` directive or a `:::{note}` / ```{admonition} block shows there as raw
text. Notebooks therefore use HTML anchors (`<div id="..."></div>`, a block of its own: an
inline `<a id>` would become an empty paragraph in the book) and plain Markdown, which the book
renders too. (Plain .md pages such as the glossary are book-only and may use MyST.)
"""
import re
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(ROOT.glob("chapters/*.ipynb")) + [ROOT / "index.ipynb"]

MYST_ONLY = [
    (re.compile(r"^\s*\([\w.:-]+\)=\s*$", re.M), "a MyST target line `(name)=`"),
    (re.compile(r"\{tableofcontents\}"), "the `{tableofcontents}` directive"),
    (re.compile(r"^\s*(:{3,}|`{3,}|~{3,})\s*\{[\w-]+\}", re.M), "a MyST directive block"),
    (re.compile(r"\{(ref|doc|numref|eq|term|download|glue(:\w+)?)\}`"), "a MyST role"),
    (re.compile(r"^\s*%", re.M), "a MyST comment line"),
    (re.compile(r"^\s*\+\+\+\s*$", re.M), "a MyST block break"),
]


def myst_only(source: str) -> list[str]:
    return [what for pattern, what in MYST_ONLY if pattern.search(source)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_markdown_cells_have_no_myst_only_syntax(path):
    nb = nbformat.read(path, as_version=4)
    found = [f"cell {i}: {what}" for i, c in enumerate(nb.cells) if c.cell_type == "markdown"
             for what in myst_only(c.source)]
    assert not found, f"{path.name}: JupyterLab would show these raw: {found}"


def test_the_check_sees_each_construct():
    assert myst_only("(driver-3)=\n## 3. Jobs") == ["a MyST target line `(name)=`"]
    assert myst_only("```{tableofcontents}\n```")
    assert myst_only(":::{admonition} In a live kernel\ntext\n:::")
    assert myst_only("```{note}\ntext\n```")
    assert myst_only("see {ref}`driver-3`")
    assert not myst_only('<div id="driver-3"></div>\n\n## 3. Jobs\n\n```python\nx = 1\n```')
    assert not myst_only("Costs (in bn) = 5; a 95% chance")


def test_an_anchor_is_its_own_html_block():
    # CommonMark ends an HTML block only at a blank line: an anchor line glued to the heading
    # below would swallow the heading into raw HTML.
    for path in NOTEBOOKS:
        for c in nbformat.read(path, as_version=4).cells:
            if c.cell_type == "markdown":
                for m in re.finditer(r'^<(?:div|a) id="[^"]+"></(?:div|a)>\n(?!\n|$)', c.source,
                                     re.M):
                    raise AssertionError(f"{path.name}: no blank line after {m.group()!r}")


def _chapter_titles():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    out = []
    for part in toc["parts"]:
        for ch in part["chapters"]:
            file = ROOT / ch["file"]
            path = file.with_suffix(".ipynb") if file.with_suffix(".ipynb").exists() \
                else file.with_suffix(".md")
            text = (nbformat.read(path, as_version=4).cells[0].source if path.suffix == ".ipynb"
                    else path.read_text())
            title = re.search(r"^# (.+)$", text, re.M).group(1).strip()
            out.append((title, path.relative_to(ROOT).as_posix()))
    return out


def test_front_page_lists_every_chapter_in_toc_order():
    """The front page's contents list is plain Markdown (JupyterLab shows it too); it must
    name every page of _toc.yml, in order, by its own title."""
    nb = nbformat.read(ROOT / "index.ipynb", as_version=4)
    md = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    listed = re.findall(r"^\s*(?:-|\d+\.) \[([^\]]+)\]\(([^)#]+)\)", md, re.M)
    chapters = _chapter_titles()
    assert [x for x in listed if x[1] in {p for _, p in chapters}] == chapters
