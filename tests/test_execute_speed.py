"""What makes `python -m riskoff.site execute` fast and stall-free, without a kernel: the
caches of pure results (a chart's picture, a spec's validation) and the sliced poll."""
import asyncio
import json
import time
from queue import Empty

import altair as alt
import pandas as pd
import pytest

from riskoff import site
from riskoff.charts import base


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path / "riskoff"


def _chart(y=(1, 2, 3), colour="#0072B2"):
    df = pd.DataFrame({"x": [1, 2, 3], "y": list(y)})
    return alt.Chart(df).mark_line(color=colour).encode(x="x:Q", y="y:Q").properties(width=200)


def test_spec_key_follows_everything_it_names():
    spec = _chart().to_dict()
    assert base.spec_key(spec, "png", "1") == base.spec_key(dict(reversed(spec.items())), "png", "1")
    assert base.spec_key(spec, "png", "1") != base.spec_key(spec, "png", "2")   # a version
    assert base.spec_key(spec, "png", "1") != base.spec_key(_chart(y=(1, 2, 4)).to_dict(),
                                                           "png", "1")          # the data
    assert base.spec_key(spec, "ab", "c") != base.spec_key(spec, "a", "bc")     # separated


def test_png_is_drawn_once_per_spec_and_never_served_stale(cache, monkeypatch):
    import vl_convert as vlc

    drawn = []
    real = vlc.vegalite_to_png

    def counting(spec, **kw):
        drawn.append(spec)
        return real(spec, **kw)

    monkeypatch.setattr(vlc, "vegalite_to_png", counting)
    first = base.png(_chart())
    assert first.startswith(b"\x89PNG") and len(drawn) == 1
    assert base.png(_chart()) == first and len(drawn) == 1           # same spec: from the cache
    assert base.png(_chart().to_dict()) == first and len(drawn) == 1  # a spec dict is the same
    other = base.png(_chart(colour="#D55E00"))                         # another spec: drawn
    assert len(drawn) == 2 and other != first
    assert len(list((cache / "png").glob("*.png"))) == 2


def test_checked_spec_validates_each_spec_once(cache, monkeypatch):
    calls = []
    real = alt.utils.schemapi.SchemaBase.validate.__func__

    def spy(cls, instance, schema=None):
        calls.append(cls)
        return real(cls, instance, schema)

    monkeypatch.setattr(alt.utils.schemapi.SchemaBase, "validate", classmethod(spy))
    spec = base.checked_spec(_chart())
    assert spec == _chart().to_dict(validate=False, context={"pre_transform": False})
    assert calls.count(alt.Chart) == 1
    base.checked_spec(_chart())
    assert calls.count(alt.Chart) == 1                 # passed once: not validated again
    base.checked_spec(_chart(y=(3, 2, 1)))
    assert calls.count(alt.Chart) == 2                 # another spec is validated


def test_checked_spec_raises_for_an_invalid_chart(cache):
    bad = _chart()
    bad.width = "wide"  # set after construction: only a validation finds it
    with pytest.raises(alt.utils.schemapi.SchemaValidationError):
        base.checked_spec(bad)
    with pytest.raises(alt.utils.schemapi.SchemaValidationError):   # and again: not noted
        base.checked_spec(bad)


class _MissedWakeups:
    """A socket whose message is there from the start but whose poll only notices it when
    its own timeout ends (what the stalled executions showed)."""

    def __init__(self, has_message=True):
        self.has_message = has_message

    async def poll(self, timeout_ms):
        # As ZeroMQ: None waits for ever (here 60 s), 0 returns at once. The last slice can
        # be under 1 ms (asyncio fires timers up to its clock resolution early): poll(0).
        await asyncio.sleep(60 if timeout_ms is None else timeout_ms / 1000)
        return 1 if self.has_message else 0


def _channel(socket):
    cls = site._sliced_channel()
    ch = cls.__new__(cls)
    ch.socket = socket

    async def recv():
        return {"msg": "reply"}
    ch._recv = recv
    return ch


def test_a_missed_wakeup_costs_one_slice_not_the_cell_timeout():
    t0 = time.monotonic()
    msg = asyncio.run(_channel(_MissedWakeups()).get_msg(timeout=5))
    assert msg == {"msg": "reply"}
    assert time.monotonic() - t0 < 1, "the poll waited for its timeout: a stall"


def test_the_sliced_poll_still_times_out():
    t0 = time.monotonic()
    with pytest.raises(Empty):
        asyncio.run(_channel(_MissedWakeups(has_message=False)).get_msg(timeout=0.5))
    assert 0.45 < time.monotonic() - t0 < 1.5


def test_series_reads_the_manifest_once_and_never_a_stale_one(tmp_path, monkeypatch):
    import os
    import shutil

    from riskoff import data
    from riskoff.errors import DataError

    root = tmp_path / "data"
    shutil.copytree(data.DATA_DIR, root)
    reads = []
    real = data.read_manifest
    monkeypatch.setattr(data, "read_manifest", lambda r=data.DATA_DIR: reads.append(r) or real(r))
    data.series("NDX", root)
    data.series("NDX", root)
    data.series("GSPC", root)
    assert len(reads) == 1
    # The same size and modification time, another content: must be read again.
    path = root / data.MANIFEST
    st, text = path.stat(), path.read_text()
    sha = json.loads(text)["series"]["NDX"]["sha256"]
    path.write_text(text.replace(sha, "0" * 64))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size
    with pytest.raises(DataError, match="checksum does not match"):
        data.series("NDX", root)


def test_kernel_count(monkeypatch):
    monkeypatch.delenv("RISKOFF_KERNELS", raising=False)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert site.kernel_count(8) == 2 and site.kernel_count(1) == 1
    monkeypatch.setattr("os.cpu_count", lambda: 1)
    assert site.kernel_count(8) == 1
    monkeypatch.setattr("os.cpu_count", lambda: 16)
    assert site.kernel_count(8) == 2                # at most two unless asked
    monkeypatch.setenv("RISKOFF_KERNELS", "3")
    assert site.kernel_count(8) == 3 and site.kernel_count(2) == 2
    monkeypatch.setenv("RISKOFF_KERNELS", "two")
    with pytest.raises(SystemExit, match="RISKOFF_KERNELS must be a whole number"):
        site.kernel_count(8)


def _notebooks(tmp_path, sizes):
    paths = []
    for i, size in enumerate(sizes):
        p = tmp_path / f"nb{i}.ipynb"
        p.write_text("x" * size)
        paths.append(p)
    return paths


def test_kernels_share_the_notebooks_largest_first(tmp_path, monkeypatch):
    monkeypatch.setenv("RISKOFF_KERNELS", "2")
    paths = _notebooks(tmp_path, [10, 300, 20, 200, 30])
    ran = []

    async def worker(queue, timeout, record, env, out_dir):
        me = object()
        while queue:
            path = queue.pop(0)
            ran.append((me, path.name))
            await asyncio.sleep(path.stat().st_size / 10000)   # a larger one takes longer

    monkeypatch.setattr(site, "_kernel_worker", worker)
    asyncio.run(site._execute_all(paths, 30, False, {}, None))
    assert sorted(n for _, n in ran) == sorted(p.name for p in paths)   # each once
    assert [n for _, n in ran][:2] == ["nb1.ipynb", "nb3.ipynb"]        # largest first
    assert len({me for me, _ in ran}) == 2                             # by two kernels


def test_a_failed_notebook_stops_every_kernel(tmp_path, monkeypatch):
    monkeypatch.setenv("RISKOFF_KERNELS", "2")
    paths = _notebooks(tmp_path, [100, 200, 10, 10, 10])
    ran, stopped = [], []

    async def worker(queue, timeout, record, env, out_dir):
        try:
            while queue:
                path = queue.pop(0)
                ran.append(path.name)
                if path.name == "nb1.ipynb":
                    raise SystemExit("nb1.ipynb: a cell failed")
                await asyncio.sleep(1)
        finally:
            stopped.append(True)   # the kernel's shutdown runs

    monkeypatch.setattr(site, "_kernel_worker", worker)
    t0 = time.monotonic()
    with pytest.raises(SystemExit, match="nb1.ipynb: a cell failed"):
        asyncio.run(site._execute_all(paths, 30, False, {}, None))
    assert time.monotonic() - t0 < 0.5, "the other kernel ran on"
    assert len(stopped) == 2 and len(ran) == 2


def test_each_notebook_starts_fresh_in_the_shared_kernel(tmp_path, monkeypatch):
    """One kernel, two notebooks: the second sees nothing of the first (namespace, execution
    count), while what the reset keeps is frozen out of the garbage collector's scans and
    the kernel keeps no input history (a real kernel: run under the heavy lock)."""
    import nbformat

    monkeypatch.setenv("RISKOFF_KERNELS", "1")
    first, second = tmp_path / "a.ipynb", tmp_path / "b.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1\nx")]),
                   first)
    probe = ("import gc\n"
             "('x' in dir(), gc.get_freeze_count() > 0, get_ipython().history_manager.enabled)")
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(probe)]), second)
    first.write_text(first.read_text() + " " * 1000)   # larger: it runs first
    out = tmp_path / "out"
    site.execute([second, first], out_dir=out, record=False)
    a = nbformat.read(out / "a.ipynb", as_version=4).cells[0]
    b = nbformat.read(out / "b.ipynb", as_version=4).cells[0]
    assert a.execution_count == 1 and a.outputs[0]["data"]["text/plain"] == "1"
    assert b.execution_count == 1
    assert b.outputs[0]["data"]["text/plain"] == "(False, True, False)"


def test_validation_checks_what_altairs_own_does_on_every_book_chart(cache, monkeypatch):
    """checked_spec validates the spec it made instead of making it again: for every chart of
    the book the instance it hands the validator is the one Altair's to_dict(validate=True)
    hands it (the same schema: the chart's class)."""
    from conftest import capture_published
    from test_chart_bounds import CHAPTERS

    seen = []
    real = alt.utils.schemapi.SchemaBase.validate.__func__

    def spy(cls, instance, schema=None):
        if cls in (alt.Chart, alt.LayerChart) and schema is None:
            seen.append((cls, json.dumps(instance, sort_keys=True)))
        return real(cls, instance, schema)

    charts = [rec["chart"] for module, views in CHAPTERS
              for rec in capture_published(module, *views).values()]
    assert len(charts) >= 20
    monkeypatch.setattr(alt.utils.schemapi.SchemaBase, "validate", classmethod(spy))
    for chart in charts:
        seen.clear()
        chart.to_dict(context={"pre_transform": False})
        altairs = list(seen)
        seen.clear()
        base._validate(chart, chart.to_dict(validate=False, context={"pre_transform": False}))
        assert seen == altairs and len(seen) == 1


def test_validation_falls_back_to_altair_for_a_chart_of_its_own_config(cache):
    bad = _chart().configure_axis(labelFontSize=11)
    bad.width = "wide"
    with pytest.raises(alt.utils.schemapi.SchemaValidationError):
        base.checked_spec(bad)
