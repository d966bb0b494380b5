"""The zh-Hant notebooks Binder opens (riskoff.zh_notebooks, postBuild; issue 16 item 7)."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from riskoff import zh_notebooks as zn
from riskoff.edition import documents

ROOT = Path(__file__).resolve().parent.parent
CJK = re.compile(r"[\u4e00-\u9fff]")
NOTEBOOKS = [d for d in documents() if d.endswith(".ipynb")]


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("zh")
    zn.write(out)
    return out


def _english_words(doc):
    return {m for m in zn.page_catalog(doc.rsplit(".", 1)[0])}


@pytest.mark.parametrize("doc", NOTEBOOKS)
def test_code_cells_are_the_english_ones(written, doc):
    english = nbformat.read(ROOT / doc, as_version=4)
    zh = nbformat.read(written / doc, as_version=4)
    ours = [(c.source, c.metadata.get("tags")) for c in english.cells if c.cell_type == "code"]
    theirs = [(c.source, c.metadata.get("tags")) for c in zh.cells if c.cell_type == "code"]
    assert theirs[1:] == ours, f"{doc}: code cells differ from the English notebook's"
    assert 'os.environ["RISKOFF_LANG"] = "zh-Hant"' in theirs[0][0], \
        f"{doc}: the first code cell does not set the kernel's language"
    assert zh.metadata["kernelspec"] == english.metadata["kernelspec"]


@pytest.mark.parametrize("doc", NOTEBOOKS)
def test_markdown_is_translated(written, doc):
    english = nbformat.read(ROOT / doc, as_version=4)
    zh = nbformat.read(written / doc, as_version=4)
    words = zn.page_catalog(doc.rsplit(".", 1)[0])
    left = []
    count = 0
    for cell in zh.cells:
        if cell.cell_type != "markdown":
            continue
        for _a, _b, content in zn.messages(cell.source):
            text = zn.msgid(content)
            count += 1
            if text in words and words[text] != text or not CJK.search(text):
                left.append(text[:60])
    expected = sum(len(zn.messages(c.source)) for c in english.cells
                   if c.cell_type == "markdown") + 1   # + the not-run note
    assert not left, f"{doc}: English paragraphs left: {left[:3]}"
    assert count == expected, f"{doc}: {count} paragraphs, the English has {expected - 1} (+1)"


def test_unrun_notebook_says_so(written):
    zh = nbformat.read(written / "chapters/01-who-fell-most.ipynb", as_version=4)
    first = zh.cells[0]
    assert first.cell_type == "markdown" and "尚未執行" in first.source
    assert not any(c.outputs for c in zh.cells if c.cell_type == "code")


def test_glossary_written_for_links(written):
    text = (written / "chapters/glossary.md").read_text(encoding="utf-8")
    assert text.startswith("# 詞彙表")


def test_missing_translation_is_one_line(tmp_path):
    catalogs = tmp_path / "catalogs"
    shutil.copytree(zn.CATALOGS, catalogs)
    po = catalogs / "chapters/02-the-fed.po"
    text = po.read_text(encoding="utf-8")
    # Empty the translation of one paragraph.
    text, n = re.subn(r'(msgid "Two things stand out\.[^\n]*\n(?:"[^\n]*\n)*)msgstr "[^\n]*"'
                      r'(\n"[^\n]*")*', r'\1msgstr ""', text, count=1)
    assert n == 1
    po.write_text(text, encoding="utf-8")
    with pytest.raises(zn.Untranslated) as err:
        zn.notebook("chapters/02-the-fed.ipynb", catalogs)
    msg = str(err.value)
    assert "\n" not in msg and "chapters/02-the-fed.ipynb" in msg and "Two things stand out" in msg


def test_postbuild_runs_offline(tmp_path):
    env = {**os.environ, "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9",
           "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
           "RISKOFF_LANG": ""}
    run = subprocess.run(["bash", str(ROOT / "postBuild"), "--out", str(tmp_path / "zh")],
                         env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    for doc in documents():
        assert (tmp_path / "zh" / doc).exists(), doc


@pytest.mark.skipif(not os.environ.get("RISKOFF_HEAVY"),
                    reason="runs a kernel: RISKOFF_HEAVY=1 flock /tmp/riskoff-heavy.lock pytest ...")
def test_a_generated_chapter_runs_in_zh_hant(written, tmp_path):
    """A reader opens the notebook and runs it: nothing sets RISKOFF_LANG but its first cell."""
    from nbclient import NotebookClient

    nb = nbformat.read(written / "chapters/01-who-fell-most.ipynb", as_version=4)
    env = {k: v for k, v in os.environ.items() if not k.startswith("RISKOFF_")}
    env["RISKOFF_DOWNLOADS"] = str(tmp_path)   # not the committed English downloads
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)   # the kernel inherits this environment
    try:
        NotebookClient(nb, timeout=300, kernel_name="python3",
                       resources={"metadata": {"path": str(written / "chapters")}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    # Chart titles: the JupyterChart widgets' specs (axis, legend and chart titles).
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    specs = [m["state"]["spec"] for m in state.values() if m["model_name"] == "AnyModel"]
    titles = []

    def walk(o):
        if isinstance(o, dict):
            for k, v in o.items():
                titles.append(v) if k in ("title", "text") and isinstance(v, str) else walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)

    walk(specs)
    assert len(specs) >= 3 and titles, "no chart drawn"
    english = [t for t in titles if not CJK.search(t)]
    assert not english, f"chart titles in English: {english[:5]}"
    assert "2025年11月17日各資產的單日變動" in titles
    # Explorers: the note where the controls go, and each chart's takeaway.
    notes = [str(o["data"].get("text/plain", "")) for c in nb.cells if c.cell_type == "code"
             for o in c.outputs if "ch1.explore_" in c.source and "data" in o]
    assert len(notes) == 3 and all("執行此儲存格" in n for n in notes), notes
    html = [m["state"].get("value", "") for m in state.values() if m["model_name"] == "HTMLModel"]
    assert any("以2024年12月31日為100" in h for h in html), "no zh-Hant takeaway"


def test_zh_pages_launch_the_zh_notebooks(written):
    """The theme makes a page's Binder address as path_to_docs + page name + .ipynb: on the
    zh-Hant edition that names a generated notebook."""
    import yaml
    from jupyter_book.config import yaml_to_sphinx

    config = zn.launch_from_here(yaml.safe_load((ROOT / "_config.yml").read_text()))
    options = yaml_to_sphinx(config)[0]["html_theme_options"]
    assert options["path_to_docs"] == "zh-Hant"
    assert config["repository"]["url"] == yaml.safe_load(
        (ROOT / "_config.yml").read_text())["repository"]["url"]
    for doc in NOTEBOOKS:
        assert (written / doc).exists(), f"the zh-Hant launch of {doc} opens nothing"


def test_zh_edition_config_launches_the_zh_notebooks():
    import yaml

    from riskoff import edition

    config = yaml.safe_load(edition._config(edition.EDITIONS["zh-Hant"]))
    assert config["repository"]["path_to_book"] == "zh-Hant"
    english = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert "path_to_book" not in english.get("repository", {})
