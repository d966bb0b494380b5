"""The stale-site check: `python -m riskoff.site build` refuses to build when the cache changed
since the notebooks' committed outputs were computed (no notebook is executed here)."""
from __future__ import annotations

import json

import nbformat
import pytest

import riskoff.data as data
import riskoff.site as site


def test_committed_outputs_were_computed_from_the_committed_cache():
    assert site.stale_notebooks() == [], (
        "notebooks executed with another cache; run `python -m riskoff.site execute`")


@pytest.fixture
def record(tmp_path, monkeypatch):
    path = tmp_path / "executed-with.json"
    monkeypatch.setattr(site, "EXECUTED_WITH", path)
    return path


def test_build_refuses_after_the_cache_changed(record, monkeypatch, capsys):
    for nb in site.notebooks():
        site.record_data_digest(nb)
    assert site.stale_notebooks() == []
    built = []
    monkeypatch.setattr(site, "build", lambda extra=None: built.append(extra) or 0)
    monkeypatch.setattr(data, "manifest_digest", lambda root=data.DATA_DIR: "0" * 64)  # refreshed
    assert site.main(["build"]) == 1 and built == []
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.rstrip().endswith("Fix: python -m riskoff.site execute")
    assert f"{len(site.notebooks())} notebook(s)" in err and "first: index.ipynb" in err


def test_one_notebook_re_executed_is_fresh_the_rest_stale(record, monkeypatch):
    for nb in site.notebooks():
        site.record_data_digest(nb)
    monkeypatch.setattr(data, "manifest_digest", lambda root=data.DATA_DIR: "1" * 64)
    site.record_data_digest(site.notebooks()[1])
    stale = site.stale_notebooks()
    assert len(stale) == len(site.notebooks()) - 1
    assert site.notebooks()[1].relative_to(site.ROOT).as_posix() not in stale


@pytest.mark.parametrize("content", [None, "", "[]", '{"notebooks": []}', "{not json"])
def test_missing_or_unreadable_record_is_stale(record, content):
    if content is not None:
        record.write_text(content)
    assert len(site.stale_notebooks()) == len(site.notebooks())


def test_execute_records_the_digest(record, tmp_path, monkeypatch):
    import nbclient

    nb_path = tmp_path / "chapters" / "x.ipynb"
    nb_path.parent.mkdir()
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")]), nb_path)

    class Client:  # stands in for nbclient's: execute() runs each notebook through the
        def __init__(self, nb, **kwargs):  # shared kernel's client (async_execute)
            pass

        async def async_execute(self):
            pass

    monkeypatch.setattr(nbclient, "NotebookClient", Client)
    monkeypatch.setattr(site, "ROOT", tmp_path)
    site.execute([nb_path])
    assert json.loads(record.read_text())["notebooks"] == {
        "chapters/x.ipynb": data.manifest_digest()}


def test_build_with_a_broken_cache_is_one_line(monkeypatch, capsys):
    def broken(root=data.DATA_DIR):
        raise data.DataError("data/manifest.json is missing. Fix: restore it")

    monkeypatch.setattr(data, "manifest_digest", broken)
    monkeypatch.setattr(site, "build", lambda extra=None: pytest.fail("must not build"))
    assert site.main(["build"]) == 1
    assert capsys.readouterr().err == "error: data/manifest.json is missing. Fix: restore it\n"
