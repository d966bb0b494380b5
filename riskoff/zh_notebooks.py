"""The notebooks a Binder reader of the Traditional Chinese edition opens (issue 16 item 7).

    python -m riskoff.zh_notebooks [--out DIR] [--outputs-from DIR]

writes ``zh-Hant/index.ipynb``, ``zh-Hant/chapters/*.ipynb`` and ``zh-Hant/chapters/glossary.md``
(generated, never committed; Binder's ``postBuild`` runs this). Each notebook is the English
one with its code cells unchanged, each Markdown paragraph replaced by its translation from the
page catalogs of the zh-Hant site (``locale/zh_Hant/LC_MESSAGES/<document>.po``, the strings
Sphinx's i18n uses), and two cells put first: a note saying the notebook has not run yet, and
a code cell setting ``RISKOFF_LANG=zh-Hant`` in the kernel, which every chart, table and
explorer of the package reads when it is called (riskoff.i18n.lang). Outputs are left out
(they are computed in the reader's kernel) unless ``--outputs-from`` names a tree of
notebooks executed in zh-Hant (riskoff.edition's ``_build/.editions/zh-Hant``) whose code
cells are the same.

A paragraph with no translation stops the run with one line naming the notebook and the
paragraph: a zh-Hant reader never meets English prose by accident.
"""
from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

from .i18n import N_

ROOT = Path(__file__).resolve().parent.parent
CODE = "zh-Hant"
CATALOGS = ROOT / "locale" / "zh_Hant" / "LC_MESSAGES"
OUT = ROOT / CODE   # the launch buttons of the zh-Hant pages point here (path_to_book)

NOT_RUN = N_("**This notebook has not run yet.** Its charts, tables and controls appear when "
             "you run it: choose Run › Run All Cells. The first code cell sets the book's "
             "language to Traditional Chinese for this kernel.")
SETS_LANGUAGE = N_("The book's language for this kernel: charts, tables and controls in "
                   "Traditional Chinese.")

LANG_SOURCE = 'import os\n\nos.environ["RISKOFF_LANG"] = "zh-Hant"'


class Untranslated(ValueError):
    """A Markdown paragraph of a notebook has no zh-Hant translation."""


def _zh(msgid: str) -> str:
    from . import i18n

    found = i18n.catalog(CODE).get(msgid)
    if not found:
        raise Untranslated(f"no zh-Hant translation of {msgid[:60]!r} in "
                           f"{i18n.po_path(CODE).relative_to(ROOT)} (python -m riskoff.i18n "
                           "extract, then translate)")
    return found


def page_catalog(doc: str, catalogs: Path = CATALOGS) -> dict[str, str]:
    """msgid -> msgstr of one page's catalog (translated, not fuzzy), as the site build reads
    it; ``doc`` without suffix ("chapters/01-who-fell-most")."""
    from babel.messages import pofile

    po = catalogs / f"{doc}.po"
    if not po.exists():
        raise Untranslated(f"{doc}: no catalog {po.relative_to(ROOT) if po.is_relative_to(ROOT) else po}; "
                           "run python -m riskoff.edition pot, then translate")
    with po.open("rb") as f:
        return {m.id: m.string for m in pofile.read_po(f)
                if m.id and isinstance(m.id, str) and m.string and not m.fuzzy}


def _parser():
    # MyST's own Markdown parser with the book's extensions (_config.yml parse:), so a cell
    # splits into the same paragraphs and headings Sphinx offered for translation.
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.mdit import create_md_parser

    config = MdParserConfig(enable_extensions={"colon_fence", "deflist", "substitution"})
    return create_md_parser(config, RendererHTML)


def messages(text: str) -> list[tuple[int, int, str]]:
    """Each translatable run of a Markdown text: (first line, end line, inline source).
    Sphinx's msgid of it is the source with newlines as spaces, stripped."""
    found = []
    for tok in _parser().parse(text):
        if tok.type == "inline" and tok.map and tok.content.strip():
            found.append((tok.map[0], tok.map[1], tok.content))
    return found


def msgid(content: str) -> str:
    return content.replace("\n", " ").strip()


def translate_markdown(text: str, words: dict[str, str], where: str) -> str:
    """``text`` with every paragraph and heading replaced by its translation (block markup,
    list markers, quote marks and raw HTML kept)."""
    lines = text.split("\n")
    spans = []
    for first, end, content in messages(text):
        key = msgid(content)
        if key not in words:
            raise Untranslated(f"{where}: no zh-Hant translation of the paragraph "
                               f"{key[:70]!r} (run python -m riskoff.edition pot, then "
                               "translate)")
        parts = content.strip().split("\n")
        start_col = lines[first].find(parts[0].strip())
        last = end - 1
        while last > first and parts[-1].strip() not in lines[last]:
            last -= 1
        end_col = lines[last].rfind(parts[-1].strip()) + len(parts[-1].strip())
        if start_col < 0 or end_col < len(parts[-1].strip()):
            raise Untranslated(f"{where}: could not place the translation of {key[:70]!r}")
        spans.append((first, start_col, last, end_col, words[key]))
    for first, start_col, last, end_col, new in sorted(spans, reverse=True):
        lines[first:last + 1] = [lines[first][:start_col] + new + lines[last][end_col:]]
    return "\n".join(lines)


def _outputs(nb, executed: Path | None) -> None:
    import nbformat

    done = None
    if executed is not None and executed.exists():
        done = nbformat.read(executed, as_version=4)
        ours = [c.source for c in nb.cells if c.cell_type == "code"]
        theirs = [c.source for c in done.cells if c.cell_type == "code"]
        if ours != theirs:
            done = None  # executed from other code: their outputs are not this code's
    runs = iter([c for c in done.cells if c.cell_type == "code"]) if done else None
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if runs is None:
            cell.outputs, cell.execution_count = [], None
        else:
            ran = next(runs)
            cell.outputs, cell.execution_count = ran.outputs, ran.execution_count


def notebook(doc: str, catalogs: Path = CATALOGS, outputs_from: Path | None = None):
    """The zh-Hant notebook of ``doc`` ("chapters/01-who-fell-most.ipynb"), in memory."""
    import nbformat

    name = doc.rsplit(".", 1)[0]
    words = page_catalog(name, catalogs)
    nb = nbformat.read(ROOT / doc, as_version=4)
    nb = copy.deepcopy(nb)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            cell.source = translate_markdown(cell.source, words, f"{doc} cell {i}")
    _outputs(nb, None if outputs_from is None else outputs_from / doc)
    ran = any(c.outputs for c in nb.cells if c.cell_type == "code")
    first = [nbformat.v4.new_code_cell(f"# {_zh(SETS_LANGUAGE)}\n{LANG_SOURCE}",
                                       metadata={"tags": ["riskoff-lang"]})]
    if not ran:
        first.insert(0, nbformat.v4.new_markdown_cell(
            "> " + _zh(NOT_RUN), metadata={"tags": ["riskoff-not-run"]}))
    nb.cells = first + nb.cells
    nb.metadata["language_info"] = nb.metadata.get("language_info", {"name": "python"})
    nb.metadata["riskoff"] = {"lang": CODE, "generated_from": doc,
                              "by": "python -m riskoff.zh_notebooks"}
    for i, cell in enumerate(nb.cells):   # stable ids: a rebuild writes the same file
        cell["id"] = f"zh-{i}"
    nbformat.validate(nb)
    return nb


def write(out: Path = OUT, catalogs: Path = CATALOGS,
          outputs_from: Path | None = None) -> list[Path]:
    """Write every notebook of the book (and the glossary they link to) under ``out``."""
    import nbformat

    from .edition import documents

    written = []
    for doc in documents():
        target = out / doc
        target.parent.mkdir(parents=True, exist_ok=True)
        if doc.endswith(".ipynb"):
            nbformat.write(notebook(doc, catalogs, outputs_from), target)
        else:
            name = doc.rsplit(".", 1)[0]
            text = (ROOT / doc).read_text(encoding="utf-8")
            target.write_text(translate_markdown(text, page_catalog(name, catalogs), doc),
                              encoding="utf-8")
        written.append(target)
    return written


def launch_from_here(config: dict) -> dict:
    """The zh-Hant edition's _config.yml (a dict) with its launch buttons opening these
    notebooks: the theme builds a page's Binder address from ``repository.path_to_book`` +
    the page's name (…?urlpath=lab/tree/zh-Hant/chapters/01-who-fell-most.ipynb)."""
    repo = dict(config.get("repository") or {})
    repo["path_to_book"] = OUT.relative_to(ROOT).as_posix()
    return {**config, "repository": repo}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m riskoff.zh_notebooks",
                                 description="Write the zh-Hant notebooks Binder opens.")
    ap.add_argument("--out", type=Path, default=OUT, help=f"folder (default {OUT})")
    ap.add_argument("--outputs-from", type=Path, default=None,
                    help="a tree of notebooks executed in zh-Hant to take outputs from")
    args = ap.parse_args(argv)
    try:
        written = write(args.out, outputs_from=args.outputs_from)
    except Untranslated as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(f"{len(written)} zh-Hant file(s) written under {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
