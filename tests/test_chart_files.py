"""riskoff.sitejs ChartFiles (issue 15): a chart's spec and shared data sets live in files
under _charts/ (.json, fetched when the chart goes live; a .js twin for pages opened from
disk), not in the page's HTML."""
from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from riskoff import sitejs
from test_sitejs_pages import ROWS, _chart_script, _spec


def _store(files):
    def store(text):
        url = f"../_charts/{len(files):04d}.js"
        files[url] = text
        return url
    return store


def test_page_keeps_empty_blocks_naming_their_files():
    files = {}
    page = _chart_script(_spec("1", ROWS)) + "<p>x</p>" + _chart_script(_spec("2", ROWS))
    body, count = sitejs.compile_charts(page, lambda s: s, store=_store(files))
    assert count == 2
    blocks = re.findall(r'<script type="application/json" class="riskoff-(chart|data)"([^>]*)>'
                        r'(.*?)</script>', body, re.S)
    assert [b[0] for b in blocks] == ["chart", "data", "chart"]
    assert all(b[2] == "" for b in blocks), "spec or data left in the page"
    assert '"close"' not in body
    urls = [re.search(r'data-file="([^"]+)"', b[1]).group(1) for b in blocks]
    assert set(urls) == set(files)
    specs = [json.loads(files[u])["spec"] for u in (urls[0], urls[2])]
    assert [d.get("riskoff_values") for d in specs[0]["data"]][0]
    assert json.loads(files[urls[1]]) == ROWS


@pytest.mark.skipif(not shutil.which("node"), reason="node not installed")
def test_chart_file_hands_back_the_exact_text():
    text = sitejs._json_for_script({"a": 'quote " back\\slash \u2028 </script> 中文'})
    script = sitejs.chart_file("0123abcd", text)
    out = subprocess.run(
        ["node", "-e", "let got; globalThis.riskoffChartFile = (d, t) => { got = [d, t]; };"
         f"eval({json.dumps(script)}); process.stdout.write(JSON.stringify(got));"],
        capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == ["0123abcd", text]


def test_chart_files_write_the_json_and_its_script_twin(tmp_path):
    class App:
        outdir = tmp_path

    files = sitejs.ChartFiles(App(), {"pathto": lambda name, resource: "../" + name})
    text = sitejs._json_for_script({"rows": ROWS})
    url = files(text)
    assert url.startswith("../_charts/") and url.endswith(".json")
    path = tmp_path / url[3:]
    assert path.read_text(encoding="utf-8") == text
    digest = path.stem
    assert path.with_suffix(".js").read_text(encoding="utf-8") == sitejs.chart_file(digest, text)


def test_built_pages_carry_no_chart_json(site):
    from conftest import toc_pages

    for page_path in toc_pages():
        html = (site / page_path).read_text(encoding="utf-8")
        for attrs, inner in re.findall(r'<script type="application/json" class="riskoff-'
                                       r'(?:chart|data)"([^>]*)>(.*?)</script>', html, re.S):
            assert inner == "", f"{page_path}: chart JSON inline"
            url = re.search(r'data-file="([^"]+)"', attrs).group(1)
            path = (site / page_path).parent.joinpath(url).resolve()
            assert url.endswith(".json") and path.is_file(), url
            assert path.with_suffix(".js").is_file(), f"{url}: no script twin for file://"
