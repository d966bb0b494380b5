"""Unit tests of riskoff/data.py: loading, validation, import and refresh of the data cache.

The cache in data/ is real market data and is never written by these tests: every test that
writes works on a copy in tmp_path and passes ``root=`` explicitly. The command-line tests run
against the real cache, so there every write path is patched to fail loudly.

Refresh tests never touch the network: they pass a fake ``download(ticker, start, auto_adjust)``
that returns frames shaped like yfinance ``Ticker.history`` output, built from the cached rows
(plus clearly synthetic new rows derived from the last cached close).
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import json
import re
import shutil
import tempfile
import stat
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import riskoff.data as data
from riskoff.catalog import PUBLISHED, SERIES
from riskoff.errors import DataError, RefreshError

SNAPSHOT = Path("/work/shared/market-data")
# Published tables shipped with the snapshot; later ones are added by register-published.
SNAPSHOT_PUBLISHED = [n for n in PUBLISHED if (SNAPSHOT / "published" / f"{n}.csv").exists()]
needs_snapshot = pytest.mark.skipif(not SNAPSHOT.is_dir(),
                                    reason="curated snapshot /work/shared/market-data not present")
HEADER = "date,open,high,low,close,volume"


# ---------------------------------------------------------------------------- helpers

@pytest.fixture(autouse=True)
def _clear_read_cache():
    data.read_series_cache_clear()
    yield
    data.read_series_cache_clear()


@pytest.fixture
def root(tmp_path) -> Path:
    """A writable copy of the real cache."""
    dst = tmp_path / "data"
    shutil.copytree(data.DATA_DIR, dst)
    return dst


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def csv_path(root: Path, sym: str) -> Path:
    return root / SERIES[sym].kind / f"{sym}.csv"


def snapshot_bytes(root: Path, sym: str) -> tuple[bytes, bytes]:
    return csv_path(root, sym).read_bytes(), (root / data.MANIFEST).read_bytes()


def all_bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def rewrite(root: Path, sym: str, text: str, update_sha: bool = True,
            update_counts: bool = True) -> Path:
    """Replace a cached file in the copy; optionally re-sign it in the copy's manifest (and
    update its row count and date range, so that the check under test is what fires)."""
    path = csv_path(root, sym)
    path.write_bytes(text.encode())
    if update_sha:
        manifest = json.loads((root / data.MANIFEST).read_text())
        entry = manifest["series"][sym]
        entry["sha256"] = sha(path)
        rows = [ln for ln in text.splitlines()[1:] if ln]
        if update_counts and rows and SERIES[sym].kind == "daily":
            entry.update(rows=len(rows), first=rows[0][:10], last=rows[-1][:10])
        (root / data.MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    data.read_series_cache_clear()
    return path


def edit_line(root: Path, sym: str, startswith: str, new_line: str, update_sha=True) -> Path:
    path = csv_path(root, sym)
    lines = path.read_text().split("\n")
    hits = [i for i, line in enumerate(lines) if line.startswith(startswith)]
    assert len(hits) == 1, (startswith, hits)
    lines[hits[0]] = new_line
    return rewrite(root, sym, "\n".join(lines), update_sha)


def truncate(root: Path, sym: str, last: str) -> None:
    """Cut the copy's file after date `last` (inclusive), re-signing it in the manifest."""
    path = csv_path(root, sym)
    lines = path.read_text().splitlines(keepends=True)
    kept = [lines[0]] + [ln for ln in lines[1:] if ln[:10] <= last]
    rewrite(root, sym, "".join(kept))


def yf_frame(df: pd.DataFrame, tz: str) -> pd.DataFrame:
    """Shape cached (or synthetic) rows like yfinance Ticker.history(..., actions=False)."""
    idx = pd.DatetimeIndex(df.index).tz_localize(tz).rename("Date")
    out = pd.DataFrame({"Open": df["open"].to_numpy(float), "High": df["high"].to_numpy(float),
                        "Low": df["low"].to_numpy(float), "Close": df["close"].to_numpy(float),
                        "Volume": df["volume"].to_numpy(float)}, index=idx)
    return out


def synthetic_rows(last_close: float, last_volume: float, dates, step=1.01) -> pd.DataFrame:
    """Obviously synthetic bars continuing from the last cached close: +1% a day."""
    rows, prev = [], last_close
    for _ in dates:
        close = prev * step
        rows.append({"open": prev, "high": max(prev, close) * 1.005,
                     "low": min(prev, close) * 0.995, "close": close, "volume": last_volume})
        prev = close
    return pd.DataFrame(rows, index=pd.DatetimeIndex(pd.to_datetime(dates), name="date"))


class FakeDownload:
    """download(ticker, start, auto_adjust) that records its calls and returns / raises."""

    def __init__(self, result=None, exc: BaseException | None = None):
        self.result, self.exc, self.calls = result, exc, []

    def __call__(self, ticker, start, auto_adjust):
        self.calls.append((ticker, start, auto_adjust))
        if self.exc is not None:
            raise self.exc
        return self.result.copy() if isinstance(self.result, pd.DataFrame) else self.result


class Replay:
    """Serve real cached rows, from `start` up to `until`, the way yfinance would."""

    def __init__(self, full: pd.DataFrame, tz: str, until: str):
        self.full, self.tz, self.until, self.calls = full, tz, until, []

    def __call__(self, ticker, start, auto_adjust):
        self.calls.append((ticker, start, auto_adjust))
        return yf_frame(self.full.loc[start:self.until], self.tz)


def nvda_download(root: Path, new_dates, today_row: str | None = None, tail=5):
    """Last `tail` cached NVDA rows (unchanged) + synthetic rows on `new_dates`."""
    old = data.series("NVDA", root)
    dates = list(new_dates) + ([today_row] if today_row else [])
    new = synthetic_rows(old["close"].iloc[-1], old["volume"].iloc[-1], dates)
    return old, pd.concat([old.tail(tail), new])


NEW_DATES = ["2026-06-01", "2026-06-02", "2026-06-03"]  # the business days after 2026-05-29
TODAY = dt.date(2026, 6, 4)


# ---------------------------------------------------------------------------- loading

def test_ndx_close_on_2025_11_20():
    assert data.series("NDX").loc["2025-11-20", "close"] == pytest.approx(24054.38, abs=1e-9)


def test_nvda_row_on_2025_11_20():
    row = data.series("NVDA").loc["2025-11-20"]
    assert row["open"] == pytest.approx(195.95)
    assert row["high"] == pytest.approx(196.00)
    assert row["low"] == pytest.approx(179.85)
    assert row["close"] == pytest.approx(180.64)
    assert row["volume"] == 343504800


def test_series_schema_daily_intraday_monthly():
    nvda = data.series("NVDA")
    assert list(nvda.columns) == ["open", "high", "low", "close", "volume"]
    assert nvda.index.name == "date" and nvda.index.tz is None
    assert nvda.index.is_monotonic_increasing and nvda.index.is_unique
    assert all(nvda[c].dtype == float for c in ["open", "high", "low", "close"])
    hourly = data.series("NVDA_1h")
    assert hourly.index.name == "timestamp" and str(hourly.index.tz) == "UTC"
    # SPX_5m is written with New York offsets; it loads as UTC instants.
    spx = data.series("SPX_5m")
    assert spx.index[0] == pd.Timestamp("2025-11-19 14:30", tz="UTC")
    assert list(data.series("SP500_shiller").columns) == ["close"]


def test_hsi_high_low_are_nan_never_filled():
    hsi = data.series("HSI")
    assert hsi[["high", "low"]].isna().all().all()
    assert hsi[["open", "close"]].notna().all().all()
    row = hsi.loc["2025-11-20"]
    assert row["open"] == pytest.approx(25999.78) and row["close"] == pytest.approx(25835.57)


def test_fred_rows_keep_nan_close():
    dgs2 = data.series("DGS2")
    assert dgs2.loc["2024-12-31", "close"] == pytest.approx(4.25)
    assert np.isnan(dgs2.loc["2025-01-01", "close"])  # holiday row kept, not filled
    assert dgs2[["open", "high", "low", "volume"]].isna().all().all()


def test_series_returns_a_copy():
    df = data.series("NVDA")
    df.loc["2025-11-20", "close"] = -1.0
    assert data.series("NVDA").loc["2025-11-20", "close"] == pytest.approx(180.64)


def test_closes_leaves_nan_where_market_closed():
    wide = data.closes(["NDX", "BTC-USD"], "2025-11-20", "2025-11-24")
    assert list(wide.columns) == ["NDX", "BTC-USD"]
    assert list(wide.index.strftime("%Y-%m-%d")) == [
        "2025-11-20", "2025-11-21", "2025-11-22", "2025-11-23", "2025-11-24"]
    assert wide.loc["2025-11-20", "NDX"] == pytest.approx(24054.38)
    assert wide.loc["2025-11-20", "BTC-USD"] == pytest.approx(86631.90)
    # Saturday and Sunday: BTC traded, NDX did not; nothing is filled.
    assert wide.loc[["2025-11-22", "2025-11-23"], "NDX"].isna().all()
    assert wide["BTC-USD"].notna().all()


def test_closes_union_index_is_sorted_whole_range():
    wide = data.closes(["NDX", "HSI", "BTC-USD"])
    assert wide.index.is_monotonic_increasing and wide.index.is_unique
    assert len(wide) == len(data.series("BTC-USD").index.union(data.series("NDX").index)
                            .union(data.series("HSI").index))


def test_load_tidy_frame():
    tidy = data.load(["NDX", "NVDA"], "2025-11-20", "2025-11-21")
    assert list(tidy.columns) == ["date", "open", "high", "low", "close", "volume", "symbol"]
    assert len(tidy) == 4
    got = tidy.set_index(["symbol", "date"])["close"]
    assert got[("NDX", pd.Timestamp("2025-11-20"))] == pytest.approx(24054.38)
    assert got[("NVDA", pd.Timestamp("2025-11-21"))] == pytest.approx(178.88)
    assert np.isnan(tidy.loc[tidy.symbol == "NDX", "volume"]).all()  # index: no volume


def test_load_single_symbol_string_and_empty_list():
    one = data.load("NVDA")
    assert set(one["symbol"]) == {"NVDA"} and len(one) == data.info("NVDA")["rows"]
    with pytest.raises(ValueError, match="at least one symbol"):
        data.load([])


def test_published_tables():
    fed = data.published("fedwatch_dec2025")
    assert len(fed) == 9 and "source_url" in fed.columns
    for name in PUBLISHED:
        assert len(data.published(name)) == data.read_manifest()["published"][name]["rows"]
    with pytest.raises(ValueError, match="unknown published table 'nope'.*fedwatch_dec2025"):
        data.published("nope")


def test_info_matches_catalog_and_file():
    entry = data.info("NVDA")
    assert entry["name"] == "Nvidia" and entry["yf_ticker"] == "NVDA"
    assert entry["file"] == "daily/NVDA.csv"
    assert entry["sha256"] == sha(data.DATA_DIR / "daily/NVDA.csv")
    assert entry["rows"] == 353 and entry["first"] == "2024-12-31" and entry["last"] == "2026-05-29"
    entry["name"] = "changed"
    assert data.info("NVDA")["name"] == "Nvidia"


def test_manifest_agrees_with_catalog_and_files():
    manifest = data.read_manifest()
    assert set(manifest["series"]) == set(SERIES)
    assert set(manifest["published"]) == set(PUBLISHED)
    for sym, meta in SERIES.items():
        entry = manifest["series"][sym]
        for key, value in meta.as_dict().items():
            assert entry[key] == value, (sym, key)
        df = data.series(sym)
        assert entry["rows"] == len(df), sym
        assert entry["first"] == data._stamp(df.index[0], meta.kind), sym
        assert entry["last"] == data._stamp(df.index[-1], meta.kind), sym
        assert entry["sha256"] == sha(data.DATA_DIR / entry["file"]), sym
    for name, entry in manifest["published"].items():
        assert entry["sha256"] == sha(data.DATA_DIR / entry["file"]), name


def test_verify_real_cache():
    lines = data.verify()
    assert len(lines) == len(SERIES) + len(PUBLISHED)
    assert all(line.startswith("ok  ") for line in lines)
    assert any(line.startswith("ok  NVDA ") and "353 rows" in line for line in lines)


def test_unknown_symbol_lists_known_symbols():
    with pytest.raises(ValueError) as err:
        data.series("NOPE")
    msg = str(err.value)
    assert "'NOPE'" in msg and "NDX" in msg and "NVDA" in msg and "BTC-USD" in msg
    with pytest.raises(ValueError, match="unknown series 'NOPE'"):
        data.info("NOPE")
    with pytest.raises(ValueError, match="unknown series 'NOPE'"):
        data.closes(["NDX", "NOPE"])


# ---------------------------------------------------------------------------- validation

def _assert_names_file_and_fix(exc: BaseException, name: str):
    msg = str(exc)
    assert name in msg, msg
    assert "Fix:" in msg, msg


def test_real_cache_file_is_named_relative(monkeypatch):
    """Messages about the real cache say data/daily/NDX.csv (no file is touched)."""
    real = data.read_manifest()
    fake = json.loads(json.dumps(real))
    fake["series"]["NDX"]["sha256"] = "0" * 64
    fake["series"]["NVDA"]["file"] = "daily/NVDA_gone.csv"
    monkeypatch.setattr(data, "read_manifest", lambda root=data.DATA_DIR: fake)
    with pytest.raises(DataError, match="checksum does not match") as err:
        data.series("NDX")
    _assert_names_file_and_fix(err.value, "data/daily/NDX.csv")
    assert "git checkout -- data/" in str(err.value) and "--force" in str(err.value)
    with pytest.raises(DataError, match="is missing") as err:
        data.series("NVDA")
    _assert_names_file_and_fix(err.value, "data/daily/NVDA_gone.csv")


def test_changed_byte_checksum_mismatch(root):
    path = edit_line(root, "NDX", "2025-11-20,",
                     "2025-11-20,25131.49,25222.95,24021.44,24054.39,", update_sha=False)
    with pytest.raises(DataError, match="checksum does not match") as err:
        data.series("NDX", root)
    _assert_names_file_and_fix(err.value, str(path))
    with pytest.raises(DataError, match="checksum"):
        data.verify(root)


def test_changed_file_detected_after_cache_clear(root):
    data.series("NDX", root)  # cached as valid
    path = csv_path(root, "NDX")
    path.write_bytes(path.read_bytes().replace(b"24054.38", b"24054.39"))
    data.read_series_cache_clear()
    with pytest.raises(DataError, match="checksum"):
        data.series("NDX", root)


def test_missing_file(root):
    path = csv_path(root, "NDX")
    path.unlink()
    with pytest.raises(DataError, match="is missing") as err:
        data.series("NDX", root)
    _assert_names_file_and_fix(err.value, str(path))


def test_missing_manifest(root):
    (root / data.MANIFEST).unlink()
    for call in (lambda: data.series("NDX", root), lambda: data.verify(root),
                 lambda: data.published("fedwatch_dec2025", root)):
        with pytest.raises(DataError, match="is missing") as err:
            call()
        _assert_names_file_and_fix(err.value, str(root / data.MANIFEST))


def test_bad_manifest_json(root):
    (root / data.MANIFEST).write_text('{"series": {"NDX": ')
    with pytest.raises(DataError, match="not valid JSON") as err:
        data.series("NDX", root)
    _assert_names_file_and_fix(err.value, str(root / data.MANIFEST))


@pytest.mark.parametrize("line_start, new_line, pattern", [
    ("date,", "Date,Open,High,Low,Close,Volume", r"columns are \['Date'"),
    ("date,", "date,open,high,low,close", r"columns are .*expected"),
    ("2025-11-20,", "2025-11-20,25131.49,25222.95,24021.44,24O54.38,",
     r"non-numeric close '24O54\.38' on 2025-11-20"),
    ("2025-11-20,", "2025-11-20,25131.49,25222.95,24021.44,nan,",
     r"non-numeric close 'nan' on 2025-11-20"),
    ("2025-11-20,", "2025-11-20,25131.49,25222.95,24021.44,-24054.38,",
     r"non-positive price \(close -24054\.38\) on 2025-11-20"),
    ("2025-11-20,", "2025-11-20,25131.49,24021.44,25222.95,24054.38,",
     r"high below low on 2025-11-20"),
    ("2025-11-20,", "2025-11-20,25131.49,25222.95,24021.44,24054.38,-5",
     r"negative volume"),
    ("2025-11-20,", "2025/11/20,25131.49,25222.95,24021.44,24054.38,",
     r"unreadable date '2025/11/20'"),
    ("2025-11-20,", "2025-11-19,25131.49,25222.95,24021.44,24054.38,",
     r"dates are not sorted and unique"),  # duplicate date
    ("2025-11-20,", "2025-11-25,25131.49,25222.95,24021.44,24054.38,",
     r"dates are not sorted and unique"),  # out of order
    ("2025-11-20,", "2025-11-20,25131.49,25222.95,24021.44,24054.38,,extra",
     r"(not a readable CSV|columns are)"),
], ids=["header-case", "header-missing-column", "non-numeric", "nan-text", "negative-price",
        "high-below-low", "negative-volume", "bad-date", "duplicate-date", "unsorted-dates",
        "extra-field"])
def test_schema_and_plausibility_errors(root, line_start, new_line, pattern):
    # The manifest checksum is updated in the copy, so the specific check is what fires.
    path = edit_line(root, "NDX", line_start, new_line)
    with pytest.raises(DataError, match=pattern) as err:
        data.series("NDX", root)
    _assert_names_file_and_fix(err.value, str(path))


def test_header_only_file_has_no_rows(root):
    path = rewrite(root, "NVDA", HEADER + "\n")
    with pytest.raises(DataError, match="has no rows") as err:
        data.series("NVDA", root)
    _assert_names_file_and_fix(err.value, str(path))


def test_binary_garbage_is_not_a_readable_csv(root):
    path = csv_path(root, "NVDA")
    path.write_bytes(b"\xff\xfe\x00\x81garbage")
    manifest = json.loads((root / data.MANIFEST).read_text())
    manifest["series"]["NVDA"]["sha256"] = sha(path)
    (root / data.MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(DataError) as err:
        data.series("NVDA", root)
    _assert_names_file_and_fix(err.value, str(path))


@pytest.mark.parametrize("body, pattern", [
    ("2025-11-21,1,2,1,2,10\n2025-11-20,1,2,1,2,10\n", "not sorted and unique"),
    ("2025-11-20,1,2,1,2,10\n2025-11-20,1,2,1,2,10\n", "not sorted and unique"),
    ("2025-11-20,1,2,1,abc,10\n", "non-numeric close 'abc' on 2025-11-20"),
    ("2025-11-20,1,2,-1,2,10\n", r"non-positive price \(low -1\.0\) on 2025-11-20"),
    ("2025-11-20,1,1,2,2,10\n", "high below low on 2025-11-20"),
], ids=["unsorted", "duplicate", "non-numeric", "negative", "high-below-low"])
def test_parse_frame_direct(body, pattern):
    with pytest.raises(DataError, match=pattern) as err:
        data.parse_frame(io.StringIO(HEADER + "\n" + body), "daily", "data/daily/TEST.csv")
    _assert_names_file_and_fix(err.value, "data/daily/TEST.csv")


def test_parse_frame_blank_is_nan_and_intraday_timezones():
    df = data.parse_frame(io.StringIO(HEADER + "\n2025-11-20,1,,,2,\n"), "daily", "x")
    assert df.loc["2025-11-20", "close"] == 2 and df[["high", "low", "volume"]].isna().all(axis=None)
    text = ("timestamp,open,high,low,close,volume\n"
            "2025-11-19T09:30:00-05:00,1,2,1,2,3\n2025-11-19T14:35:00+00:00,1,2,1,2,3\n")
    ts = data.parse_frame(io.StringIO(text), "intraday", "x").index
    assert list(ts) == [pd.Timestamp("2025-11-19 14:30", tz="UTC"),
                        pd.Timestamp("2025-11-19 14:35", tz="UTC")]


def test_published_checksum_mismatch(root):
    path = root / "published/fedwatch_dec2025.csv"
    path.write_bytes(path.read_bytes() + b"\n")
    with pytest.raises(DataError, match="checksum does not match") as err:
        data.published("fedwatch_dec2025", root)
    _assert_names_file_and_fix(err.value, str(path))
    path.unlink()
    with pytest.raises(DataError, match="is missing") as err:
        data.published("fedwatch_dec2025", root)
    _assert_names_file_and_fix(err.value, str(path))


def test_copy_verifies_like_the_real_cache(root):
    assert data.verify(root) == data.verify()


# ---------------------------------------------------------------------------- import_snapshot

def _writable_copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, copy_function=shutil.copyfile)
    for p in [dst, *dst.rglob("*")]:
        p.chmod(p.stat().st_mode | stat.S_IWUSR)
    return dst


def _snapshot_files() -> dict[str, bytes]:
    return {str(p.relative_to(SNAPSHOT)): p.read_bytes() for p in sorted(SNAPSHOT.rglob("*"))
            if p.is_file()}


@needs_snapshot
def test_import_snapshot_into_empty_dir(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    lines = data.import_snapshot(SNAPSHOT, root=cache)
    src_files = _snapshot_files()
    assert len(lines) == len(src_files) and all(ln.startswith("imported ") for ln in lines)
    got = all_bytes(cache)
    assert got.pop(data.MANIFEST) is not None
    assert got == src_files  # byte-identical, nothing else written (no temp files)
    manifest = data.read_manifest(cache)
    for sym, entry in manifest["series"].items():
        assert entry["sha256"] == sha(cache / entry["file"])
        assert entry["source"]["repository"], sym  # provenance row found for every file
    for name, entry in manifest["published"].items():
        assert entry["sha256"] == sha(cache / entry["file"])
        assert entry["sources"] and all(u.startswith("http") for u in entry["sources"])
    lines = data.verify(cache)
    assert all(line.startswith("ok") for line in lines)


@needs_snapshot
def test_import_reproduces_committed_manifest(tmp_path):
    """Apart from import dates and history, importing again gives the committed manifest."""
    data.import_snapshot(SNAPSHOT, root=tmp_path)
    new, committed = data.read_manifest(tmp_path), data.read_manifest()
    # Published tables re-sourced in data/ after the import (new file bytes) are not compared.
    committed["published"] = {k: v for k, v in committed["published"].items()
                              if k in SNAPSHOT_PUBLISHED
                              and v["sha256"] == sha(SNAPSHOT / "published" / f"{k}.csv")}
    new["published"] = {k: v for k, v in new["published"].items() if k in committed["published"]}

    def strip(m):
        m = json.loads(json.dumps(m))
        for entry in m["series"].values():
            entry["source"].pop("imported")
            entry.pop("history")
        return m

    assert strip(new) == strip(committed)


@needs_snapshot
def test_reimport_unchanged_and_force_restore(tmp_path):
    cache = tmp_path / "cache"
    data.import_snapshot(SNAPSHOT, root=cache)
    assert data.import_snapshot(SNAPSHOT, root=cache)  # no change: succeeds
    assert data.verify(cache)

    nvda = cache / "daily/NVDA.csv"
    altered = nvda.read_bytes() + b"2026-06-01,1.00,1.00,1.00,1.00,1\n"  # e.g. after a refresh
    nvda.write_bytes(altered)
    manifest_before = (cache / data.MANIFEST).read_bytes()
    with pytest.raises(DataError, match="--force") as err:
        data.import_snapshot(SNAPSHOT, root=cache)
    assert "daily/NVDA.csv" in str(err.value) and "Fix:" in str(err.value)
    assert nvda.read_bytes() == altered
    assert (cache / data.MANIFEST).read_bytes() == manifest_before

    data.import_snapshot(SNAPSHOT, root=cache, force=True)
    assert nvda.read_bytes() == (SNAPSHOT / "daily/NVDA.csv").read_bytes()
    data.read_series_cache_clear()
    assert len(data.verify(cache)) == len(SERIES) + len(SNAPSHOT_PUBLISHED)


def test_import_without_provenance(tmp_path):
    src = tmp_path / "not-a-snapshot"
    (src / "daily").mkdir(parents=True)
    cache = tmp_path / "cache"
    with pytest.raises(DataError, match="no PROVENANCE.md") as err:
        data.import_snapshot(src, root=cache)
    assert str(src) in str(err.value) and "Fix:" in str(err.value)
    assert not cache.exists()


@needs_snapshot
def test_import_incomplete_snapshot(tmp_path):
    src = _writable_copy(SNAPSHOT, tmp_path / "snap")
    (src / "daily/NVDA.csv").unlink()
    cache = tmp_path / "cache"
    with pytest.raises(DataError, match="missing from the snapshot") as err:
        data.import_snapshot(src, root=cache)
    assert str(src / "daily/NVDA.csv") in str(err.value) and "Fix:" in str(err.value)
    assert not cache.exists() or not any(cache.rglob("*"))


@needs_snapshot
def test_import_invalid_snapshot_file_touches_nothing(tmp_path):
    src = _writable_copy(SNAPSHOT, tmp_path / "snap")
    bad = src / "daily/NDX.csv"
    bad.write_text(bad.read_text().replace("24054.38", "24O54.38"))
    cache = tmp_path / "cache"
    with pytest.raises(DataError, match="non-numeric close") as err:
        data.import_snapshot(src, root=cache)
    assert str(bad) in str(err.value)
    assert not cache.exists() or not any(p.is_file() for p in cache.rglob("*"))


# ---------------------------------------------------------------------------- refresh: faults

def _assert_refresh_fails(root, sym, download, pattern, today=TODAY):
    before = snapshot_bytes(root, sym)
    everything = all_bytes(root)
    with pytest.raises(RefreshError, match=pattern) as err:
        data.refresh_one(sym, root=root, download=download, today=today)
    assert snapshot_bytes(root, sym) == before
    assert all_bytes(root) == everything  # no other file, no temp file left behind
    # refresh() reports the same failure as a FAIL line and ok=False, still touching nothing.
    data.read_series_cache_clear()
    lines, failed = data.refresh([sym], root=root, download=download, today=today)
    assert failed == 1 and len(lines) == 1
    assert lines[0].startswith(f"FAIL  {sym}") and "cached file kept unchanged" in lines[0]
    assert all_bytes(root) == everything
    return err.value


def test_refresh_connection_error(root):
    fake = FakeDownload(exc=ConnectionError("Failed to resolve query1.finance.yahoo.com"))
    err = _assert_refresh_fails(root, "NVDA", fake, "download failed: ConnectionError")
    assert "query1.finance.yahoo.com" in str(err)
    last = data.series("NVDA", root).index[-1]
    assert fake.calls[0] == ("NVDA", f"{last - pd.Timedelta(days=14):%Y-%m-%d}", False)


def test_refresh_rate_limit_error(root):
    from yfinance.exceptions import YFRateLimitError

    # YFRateLimitError() takes no arguments; yfinance supplies the message itself.
    err = _assert_refresh_fails(root, "NVDA", FakeDownload(exc=YFRateLimitError()),
                                "download failed: YFRateLimitError")
    assert "Too Many Requests" in str(err)


def test_refresh_refresh_error_passes_through(root):
    _assert_refresh_fails(root, "NVDA", FakeDownload(exc=RefreshError("custom reason")),
                          "^custom reason$")


@pytest.mark.parametrize("result", [pd.DataFrame(), None,
                                    pd.DataFrame(columns=["Open", "High", "Low", "Close",
                                                          "Volume"])],
                         ids=["no-columns", "none", "columns-no-rows"])
def test_refresh_empty_frame(root, result):
    _assert_refresh_fails(root, "NVDA", FakeDownload(result), "empty frame")


def test_refresh_only_blank_rows(root):
    old = data.series("NVDA", root)
    blank = old.tail(3).astype(float)
    blank[:] = np.nan
    _assert_refresh_fails(root, "NVDA", FakeDownload(yf_frame(blank, "America/New_York")),
                          "no completed, priced session")


def test_refresh_missing_columns(root):
    frame = yf_frame(data.series("NVDA", root).tail(5), "America/New_York").drop(columns="Volume")
    _assert_refresh_fails(root, "NVDA", FakeDownload(frame), r"lacks columns \['volume'\]")


def test_refresh_duplicate_dates(root):
    tail = data.series("NVDA", root).tail(5)
    frame = yf_frame(pd.concat([tail, tail.tail(1)]), "America/New_York")
    _assert_refresh_fails(root, "NVDA", FakeDownload(frame), "duplicate dates")


def test_refresh_multi_week_gap(root):
    old, dl = nvda_download(root, ["2026-06-22", "2026-06-23"])  # 3+ weeks after 2026-05-29
    _assert_refresh_fails(root, "NVDA", FakeDownload(yf_frame(dl, "America/New_York")),
                          r"gap of 24 days before 2026-06-22", today=dt.date(2026, 6, 24))


def test_refresh_no_overlap_far_after(root):
    old, dl = nvda_download(root, ["2026-06-22", "2026-06-23"], tail=0)
    _assert_refresh_fails(root, "NVDA", FakeDownload(yf_frame(dl, "America/New_York")),
                          "does not overlap", today=dt.date(2026, 6, 24))


def test_refresh_crypto_gap_limit_is_three_days(root):
    old = data.series("BTC-USD", root)
    new = synthetic_rows(old["close"].iloc[-1], old["volume"].iloc[-1],
                         ["2026-08-26", "2026-08-27"])  # 5 days after 2026-08-21
    frame = yf_frame(pd.concat([old.tail(3), new]), "UTC")
    _assert_refresh_fails(root, "BTC-USD", FakeDownload(frame), "gap of 5 days before 2026-08-26",
                          today=dt.date(2026, 8, 28))


def test_refresh_negative_price(root):
    old, dl = nvda_download(root, NEW_DATES)
    dl.loc["2026-06-02", "low"] = -dl.loc["2026-06-02", "low"]
    _assert_refresh_fails(root, "NVDA", FakeDownload(yf_frame(dl, "America/New_York")),
                          r"non-positive price \(low -.*\) on 2026-06-02")


def test_refresh_high_below_low(root):
    old, dl = nvda_download(root, NEW_DATES)
    high, low = float(dl.loc["2026-06-02", "high"]), float(dl.loc["2026-06-02", "low"])
    dl.loc["2026-06-02", "high"], dl.loc["2026-06-02", "low"] = low, high
    err = _assert_refresh_fails(root, "NVDA", FakeDownload(yf_frame(dl, "America/New_York")),
                                "high below low on 2026-06-02")
    assert "Fix:" not in str(err)  # the cache-restore fix does not apply to a download


def test_refresh_nan_close(root):
    old, dl = nvda_download(root, NEW_DATES)
    dl.loc["2026-06-02", "close"] = np.nan
    _assert_refresh_fails(root, "NVDA", FakeDownload(yf_frame(dl, "America/New_York")),
                          r"missing close on 2026-06-02 \(partial data\)")


def test_refresh_split_disagrees_with_cache(root):
    old, dl = nvda_download(root, NEW_DATES)
    dl[["open", "high", "low", "close"]] /= 4  # as after a 4-for-1 split
    dl["volume"] *= 4
    last = old.index[-5]
    _assert_refresh_fails(root, "NVDA", FakeDownload(yf_frame(dl, "America/New_York")),
                          fr"revises 5 cached row\(s\) beyond the tolerance \(largest: \w+ on "
                          fr"{last:%Y-%m-%d} .* -75\.00%\); a split.*--accept-revisions")


def test_refresh_small_disagreement_above_two_percent(root):
    old, dl = nvda_download(root, NEW_DATES)
    dl.loc[old.index[-1], "close"] *= 1.025
    dl.loc[old.index[-1], "high"] = max(dl.loc[old.index[-1], "high"], dl.loc[old.index[-1], "close"])
    _assert_refresh_fails(root, "NVDA", FakeDownload(yf_frame(dl, "America/New_York")),
                          f"close on {old.index[-1]:%Y-%m-%d}")


def test_refresh_adjusted_series_must_start_at_first_cached_date(root):
    old = data.series("HYG", root)
    new = synthetic_rows(old["close"].iloc[-1], old["volume"].iloc[-1], ["2026-08-24"])
    fake = FakeDownload(yf_frame(pd.concat([old.tail(10), new]), "America/New_York"))
    _assert_refresh_fails(root, "HYG", fake, "re-downloaded from its first cached date",
                          today=dt.date(2026, 8, 25))
    assert fake.calls[0] == ("HYG", "2024-12-31", True)


def test_refresh_only_todays_partial_bar(root):
    old, dl = nvda_download(root, [], today_row="2026-06-01", tail=0)
    _assert_refresh_fails(root, "NVDA", FakeDownload(yf_frame(dl, "America/New_York")),
                          "no completed, priced session", today=dt.date(2026, 6, 1))


@pytest.mark.parametrize("sym, pattern", [
    ("DGS2", "no yfinance ticker"), ("NVDA_1h", "not a daily series"),
    ("NOPE", "not a daily series")])
def test_refresh_not_refreshable(root, sym, pattern):
    fake = FakeDownload(exc=AssertionError("must not download"))
    before = all_bytes(root)
    with pytest.raises(RefreshError, match=pattern):
        data.refresh_one(sym, root=root, download=fake, today=TODAY)
    lines, failed = data.refresh([sym], root=root, download=fake, today=TODAY)
    assert failed == 1 and lines[0].startswith(f"FAIL  {sym}")
    assert fake.calls == [] and all_bytes(root) == before


def test_refresh_tampered_cache_is_not_downloaded(root):
    path = csv_path(root, "NVDA")
    path.write_bytes(path.read_bytes().replace(b"180.64", b"180.65"))
    fake = FakeDownload(exc=AssertionError("must not download"))
    before = all_bytes(root)
    with pytest.raises(DataError, match="checksum"):
        data.refresh_one("NVDA", root=root, download=fake, today=TODAY)
    lines, failed = data.refresh(["NVDA"], root=root, download=fake, today=TODAY)
    assert failed == 1 and "checksum" in lines[0] and lines[0].startswith("FAIL")
    assert fake.calls == [] and all_bytes(root) == before


# ---------------------------------------------------------------------------- refresh: success

def test_refresh_success_appends_new_rows(root):
    old_text, old_manifest = csv_path(root, "NVDA").read_text(), data.read_manifest(root)
    others = {k: v for k, v in all_bytes(root).items()
              if k not in ("daily/NVDA.csv", data.MANIFEST)}
    old, dl = nvda_download(root, NEW_DATES, today_row="2026-06-04")
    fake = FakeDownload(yf_frame(dl, "America/New_York"))

    msg = data.refresh_one("NVDA", root=root, download=fake, today=TODAY)

    assert msg == "+3 rows, now 356 rows to 2026-06-03"
    assert fake.calls == [("NVDA", "2026-05-15", False)]
    new_text = csv_path(root, "NVDA").read_text()
    assert new_text.startswith(old_text)  # every old row byte-identical, in place
    added = new_text[len(old_text):].splitlines()
    assert [ln[:10] for ln in added] == NEW_DATES  # today's partial bar was dropped
    new = data.series("NVDA", root)
    assert len(new) == len(old) + 3
    pd.testing.assert_frame_equal(new.loc[old.index], old)
    expected = dl.loc[NEW_DATES].round(2)
    expected["volume"] = expected["volume"].round()
    pd.testing.assert_frame_equal(new.loc[NEW_DATES], expected, check_names=False,
                                  check_index_type=False, check_freq=False)

    manifest = data.read_manifest(root)
    entry, before = manifest["series"]["NVDA"], old_manifest["series"]["NVDA"]
    assert entry["sha256"] == sha(csv_path(root, "NVDA")) != before["sha256"]
    assert entry["rows"] == 356 and entry["first"] == "2024-12-31" and entry["last"] == "2026-06-03"
    assert entry["history"][:-1] == before["history"]
    assert "refreshed from yfinance NVDA" in entry["history"][-1]
    assert "+3 rows" in entry["history"][-1] and "auto_adjust=False" in entry["history"][-1]
    for key in set(before) - {"sha256", "rows", "last", "history"}:
        assert entry[key] == before[key], key
    for sym in manifest["series"]:
        if sym != "NVDA":
            assert manifest["series"][sym] == old_manifest["series"][sym]
    assert manifest["published"] == old_manifest["published"]
    assert {k: v for k, v in all_bytes(root).items()
            if k not in ("daily/NVDA.csv", data.MANIFEST)} == others  # no temp files either
    assert len(data.verify(root)) == len(SERIES) + len(PUBLISHED)


def test_refresh_report_and_idempotence(root):
    old, dl = nvda_download(root, NEW_DATES, today_row="2026-06-04")
    fake = FakeDownload(yf_frame(dl, "America/New_York"))
    lines, failed = data.refresh(["NVDA", "DGS2"], root=root, download=fake, today=TODAY)
    assert failed == 1  # DGS2 cannot be refreshed through yfinance
    assert lines[0].startswith("ok    NVDA") and "+3 rows" in lines[0]
    assert lines[1].startswith("FAIL  DGS2")
    text = csv_path(root, "NVDA").read_bytes()
    # Same download again: nothing new, file bytes unchanged, still ok.
    lines, failed = data.refresh(["NVDA"], root=root, download=fake, today=TODAY)
    assert failed == 0 and "+0 rows, now 356 rows" in lines[0]
    assert csv_path(root, "NVDA").read_bytes() == text


def test_refresh_drops_blank_non_trading_rows(root):
    old, dl = nvda_download(root, NEW_DATES)
    blank = pd.DataFrame(np.nan, index=pd.DatetimeIndex(["2026-05-30"]), columns=dl.columns)
    dl = pd.concat([dl, blank]).sort_index()  # a Saturday row without prices
    assert data.refresh_one("NVDA", root=root, download=FakeDownload(
        yf_frame(dl, "America/New_York")), today=TODAY).startswith("+3 rows")
    assert "2026-05-30" not in csv_path(root, "NVDA").read_text()


def test_refresh_crypto_utc_success(root):
    old = data.series("BTC-USD", root)
    new = synthetic_rows(old["close"].iloc[-1], old["volume"].iloc[-1],
                         ["2026-08-22", "2026-08-23"])
    frame = yf_frame(pd.concat([old.tail(3), new]), "UTC")
    msg = data.refresh_one("BTC-USD", root=root, download=FakeDownload(frame),
                           today=dt.date(2026, 8, 24))
    assert msg == "+2 rows, now 601 rows to 2026-08-23"
    assert data.series("BTC-USD", root).loc["2026-08-21", "close"] == old.loc["2026-08-21", "close"]


def test_refresh_replaying_real_rows_reproduces_the_file(root):
    """Cut the copy at 2026-05-15; replaying the real rows restores data/daily/NVDA.csv."""
    full = data.series("NVDA")
    truncate(root, "NVDA", "2026-05-15")
    replay = Replay(full, "America/New_York", until="2026-05-29")
    msg = data.refresh_one("NVDA", root=root, download=replay, today=TODAY)
    assert msg == "+9 rows, now 353 rows to 2026-05-29"  # 05-25 was Memorial Day
    assert replay.calls == [("NVDA", "2026-05-01", False)]
    assert csv_path(root, "NVDA").read_bytes() == (data.DATA_DIR / "daily/NVDA.csv").read_bytes()


def test_refresh_adjusted_full_redownload_success(root):
    old = data.series("HYG", root)
    new = synthetic_rows(old["close"].iloc[-1], old["volume"].iloc[-1], ["2026-08-24"])
    fake = FakeDownload(yf_frame(pd.concat([old, new]), "America/New_York"))
    msg = data.refresh_one("HYG", root=root, download=fake, today=dt.date(2026, 8, 25))
    assert msg == "+1 rows, now 412 rows to 2026-08-24"
    assert "auto_adjust=True" in data.info("HYG", root)["history"][-1]


# ---------------------------------------------------------------------------- refresh: fixed bugs (regressions)

def test_refresh_todays_partial_bar_with_nan_close_is_dropped(root):
    old, dl = nvda_download(root, NEW_DATES, today_row="2026-06-04")
    dl.loc["2026-06-04", "close"] = np.nan
    msg = data.refresh_one("NVDA", root=root, download=FakeDownload(
        yf_frame(dl, "America/New_York")), today=TODAY)
    assert msg == "+3 rows, now 356 rows to 2026-06-03"


def test_refresh_across_spring_festival(root):
    full = data.series("000001.SS")
    truncate(root, "000001.SS", "2026-02-13")
    replay = Replay(full, "Asia/Shanghai", until="2026-03-06")
    data.refresh_one("000001.SS", root=root, download=replay, today=dt.date(2026, 3, 9))
    expected = [ln for ln in (data.DATA_DIR / "daily/000001.SS.csv").read_text().splitlines()
                if ln.startswith("date") or ln[:10] <= "2026-03-06"]
    assert csv_path(root, "000001.SS").read_text().splitlines() == expected


def test_refresh_adjusted_series_after_dividends(root):
    old = data.series("HYG", root)
    dl = old.copy()
    dl[["open", "high", "low", "close"]] *= 0.975  # back-adjusted for later dividends
    new = synthetic_rows(dl["close"].iloc[-1], dl["volume"].iloc[-1], ["2026-08-24"])
    fake = FakeDownload(yf_frame(pd.concat([dl, new]), "America/New_York"))
    assert data.refresh_one("HYG", root=root, download=fake, today=dt.date(2026, 8, 25))


# ---------------------------------------------------------------------------- CLI

@pytest.fixture
def no_writes(monkeypatch):
    """CLI tests use the real cache: make any write fail loudly instead of happening."""
    def refuse(*args, **kwargs):
        raise AssertionError(f"test tried to write the real cache: {args!r}")
    monkeypatch.setattr(data, "commit", refuse)
    monkeypatch.setattr(data.shutil, "copyfile", refuse)
    before = all_bytes(data.DATA_DIR)
    yield
    assert all_bytes(data.DATA_DIR) == before


def test_cli_verify(capsys, no_writes):
    assert data.main(["verify"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == len(SERIES) + len(PUBLISHED) and all(ln.startswith("ok") for ln in out)


def test_cli_refresh_fred_fails(capsys, monkeypatch, no_writes):
    fake = FakeDownload(exc=AssertionError("must not download"))
    monkeypatch.setattr(data, "_yf_download", fake)
    assert data.main(["refresh", "DGS2"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("FAIL  DGS2") and "FRED" in out and "kept unchanged" in out
    assert fake.calls == []


def test_cli_refresh_offline_fails_cleanly(capsys, monkeypatch, no_writes):
    fake = FakeDownload(exc=ConnectionError("offline"))
    monkeypatch.setattr(data, "_yf_download", fake)
    assert data.main(["refresh", "NVDA", "BTC-USD"]) == 2  # exit status: how many failed
    out = capsys.readouterr().out.splitlines()
    assert [ln.split()[:2] for ln in out] == [["FAIL", "NVDA"], ["FAIL", "BTC-USD"]]
    assert all("ConnectionError: offline" in ln for ln in out)
    assert [c[0] for c in fake.calls] == ["NVDA", "BTC-USD"]


def test_cli_refresh_all_by_default(capsys, monkeypatch, no_writes):
    fake = FakeDownload(exc=ConnectionError("offline"))
    monkeypatch.setattr(data, "_yf_download", fake)
    assert data.main(["refresh"]) == len(
        [s for s, m in SERIES.items() if m.kind == "daily" and m.yf_ticker])
    expected = [s for s, m in SERIES.items() if m.kind == "daily" and m.yf_ticker]
    assert [c[0] for c in fake.calls] == [SERIES[s].yf_ticker for s in expected]
    assert capsys.readouterr().out.count("FAIL") == len(expected)


def test_cli_import_snapshot_bad_folder(tmp_path, capsys, no_writes):
    assert data.main(["import-snapshot", str(tmp_path)]) == data.FATAL
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "PROVENANCE.md" in err


def test_file_changed_after_first_load_is_caught(root):
    """The per-process cache is keyed by file version: an edit made after a load is seen."""
    assert len(data.series("NVDA", root)) == 353
    assert len(data.published("fedwatch_dec2025", root)) == 9
    for rel in ("daily/NVDA.csv", "published/fedwatch_dec2025.csv"):
        path = root / rel
        path.write_bytes(path.read_bytes().replace(b"1", b"2", 1))
    with pytest.raises(DataError, match="NVDA.csv: checksum does not match"):
        data.series("NVDA", root)
    with pytest.raises(DataError, match="fedwatch_dec2025.csv: checksum does not match"):
        data.published("fedwatch_dec2025", root)


# ---------------------------------------------------------------------------- load: row-level faults

def test_file_cut_short_with_checksum_updated(root):
    """Half the rows gone, checksum re-signed: the row count against the manifest catches it."""
    path = csv_path(root, "NDX")
    lines = path.read_text().splitlines(keepends=True)
    rewrite(root, "NDX", "".join(lines[:192]), update_counts=False)
    with pytest.raises(DataError, match=r"191 rows, but data/manifest\.json lists 382") as err:
        data.series("NDX", root)
    _assert_names_file_and_fix(err.value, str(path))
    with pytest.raises(DataError, match="1 problem"):
        data.verify(root)


def test_file_cut_mid_row(root):
    path = csv_path(root, "NDX")
    text = path.read_text()
    last = text.splitlines()[-1]  # e.g. 2026-08-21,o,h,l,c,  -> cut inside the close
    cut = text[: len(text) - len(last) - 1 + last.rindex(",", 0, len(last) - 1) + 2]
    rewrite(root, "NDX", cut, update_counts=False)
    with pytest.raises(DataError, match="does not end with a line break"):
        data.series("NDX", root)
    rewrite(root, "NDX", cut + "\n", update_counts=False)  # even with its line break restored
    with pytest.raises(DataError, match=r"close \d\.0 below the low"):
        data.series("NDX", root)


def test_date_range_checked_against_manifest(root):
    manifest = json.loads((root / data.MANIFEST).read_text())
    manifest["series"]["NDX"]["last"] = "2026-12-31"
    (root / data.MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(DataError, match=r"runs 2024-12-31 to 2026-\d\d-\d\d, but data/manifest"
                                         r"\.json lists 2024-12-31 to 2026-12-31"):
        data.series("NDX", root)


@pytest.mark.parametrize("new_line, pattern", [
    ("2025-11-20,25131.49,25222.95,24021.44,25300.00,", r"close 25300\.0 above the high 25222\.95"),
    ("2025-11-20,25131.49,25222.95,24021.44,24000.00,", r"close 24000\.0 below the low 24021\.44"),
    ("2025-11-20,25300.00,25222.95,24021.44,24054.38,", r"open 25300\.0 above the high 25222\.95"),
    ("2025-11-20,0,25222.95,24021.44,24054.38,", r"non-positive price \(open 0\.0\)"),
    ("2025-11-20,25131.49,25222.95,24021.44,0.00,", r"non-positive price \(close 0\.0\)"),
    ("2025-11-20,inf,25222.95,24021.44,24054.38,", r"non-finite open inf"),
    ("2025-11-20,25131.49,inf,24021.44,24054.38,", r"non-finite high inf"),
    ("2025-11-20,25131.49,Infinity,24021.44,24054.38,", r"non-finite high inf"),
    ("2025-11-20,25131.49,25222.95,-inf,24054.38,", r"non-finite low -inf"),
    ("2025-11-20,25131.49,25222.95,24021.44,inf,", r"non-finite close inf"),
    ("2025-11-20,25131.49,25222.95,24021.44,24054.38,inf", r"non-finite volume inf"),
], ids=["close-above-high", "close-below-low", "open-above-high", "open-zero", "close-zero",
        "inf-open", "inf-high", "Infinity-high", "minus-inf-low", "inf-close", "inf-volume"])
def test_row_faults_caught_on_load(root, new_line, pattern):
    path = edit_line(root, "NDX", "2025-11-20,", new_line)
    with pytest.raises(DataError, match=pattern + " on 2025-11-20") as err:
        data.series("NDX", root)
    _assert_names_file_and_fix(err.value, str(path))
    assert "\n" not in str(err.value)


def test_inf_in_each_kind_of_file():
    for kind, text in [("intraday", "timestamp,open,high,low,close,volume\n"
                                    "2025-11-19T09:30:00-05:00,1,2,1,2,inf\n"),
                       ("monthly", "date,close\n2025-11-01,inf\n")]:
        with pytest.raises(DataError, match="non-finite"):
            data.parse_frame(io.StringIO(text), kind, "x")


def test_close_within_rounding_of_the_range_loads():
    # HYG's real 2026-08-21 row has open 79.66 above its high 79.65 (adjustment rounding).
    assert data.series("HYG").loc["2026-08-21", "open"] == 79.66
    body = HEADER + "\n2025-11-20,10.005,10.00,9.00,9.5,1\n"
    assert len(data.parse_frame(io.StringIO(body), "daily", "x")) == 1


def _break_manifest(root: Path, change) -> None:
    manifest = json.loads((root / data.MANIFEST).read_text())
    changed = change(manifest)
    manifest = manifest if changed is None else changed
    (root / data.MANIFEST).write_text(json.dumps(manifest))


def _drop(d, key):
    d.pop(key)


@pytest.mark.parametrize("change, pattern", [
    (lambda m: [], r"is a JSON list, expected an object with a 'series' key"),
    (lambda m: {"about": "x"}, r"lacks a non-empty 'series' object"),
    (lambda m: _drop(m["series"]["NDX"], "sha256"), r"series entry 'NDX' lacks the key 'sha256'"),
    (lambda m: _drop(m["series"]["NVDA"], "file"), r"series entry 'NVDA' lacks the key 'file'"),
    (lambda m: m["series"]["NDX"].update(rows="382"),
     r"series entry 'NDX' has rows = '382' \(str\), expected int"),
    (lambda m: m["series"]["NDX"].update(rows=True), r"has rows = True \(bool\), expected int"),
    (lambda m: m["series"]["NDX"].update(sha256="abc"), r"sha256 'abc', not 64 hex digits"),
    (lambda m: m["series"]["NDX"].update(file="../../etc/passwd.csv"),
     r"expected a \.csv path inside data/"),
    (lambda m: m["series"]["NDX"].update(kind="weekly"), r"kind 'weekly', expected one of"),
    (lambda m: m["series"].update(NDX=[]), r"series entry 'NDX' is a JSON list"),
    (lambda m: m.update(published=[]), r"'published' is not an object"),
    (lambda m: _drop(m["published"]["ai_deals"], "rows"),
     r"published entry 'ai_deals' lacks the key 'rows'"),
], ids=["list", "no-series", "no-sha256", "no-file", "rows-str", "rows-bool", "bad-sha",
        "file-outside", "bad-kind", "entry-list", "published-list", "published-no-rows"])
def test_manifest_structure_one_line(root, change, pattern):
    _break_manifest(root, change)
    for call in (lambda: data.series("MSFT", root), lambda: data.verify(root),
                 lambda: data.published("fedwatch_dec2025", root),
                 lambda: data.refresh_one("NVDA", root=root, download=FakeDownload(
                     exc=AssertionError("must not download")), today=TODAY)):
        with pytest.raises(DataError, match=pattern) as err:
            call()
        _assert_names_file_and_fix(err.value, str(root / data.MANIFEST))
        assert "\n" not in str(err.value)


def test_verify_reports_unlisted_files_and_entries_without_file(root):
    manifest = json.loads((root / data.MANIFEST).read_text())
    del manifest["series"]["NVDA"]  # its CSV is now unlisted, and a catalog series lacks an entry
    (root / data.MANIFEST).write_text(json.dumps(manifest))
    (root / "daily" / "FOO.csv").write_text(HEADER + "\n")
    (root / "published" / "fomc_decisions_2025.csv").unlink()
    lines, failed = data.verify_report(root)
    fails = [ln for ln in lines if ln.startswith("FAIL")]
    assert failed == len(fails) == 4, fails
    assert any("daily/NVDA.csv is not listed in data/manifest.json" in ln for ln in fails)
    assert any("daily/FOO.csv is not listed" in ln and "Fix: delete it" in ln for ln in fails)
    assert any(ln.split()[1] == "NVDA" and "has no entry" in ln for ln in fails)
    assert any("fomc_decisions_2025.csv is missing" in ln for ln in fails)
    assert sum(ln.startswith("ok") for ln in lines) == len(SERIES) - 1 + len(PUBLISHED) - 1
    with pytest.raises(DataError, match=r"^4 problem\(s\) in the cache; first: "):
        data.verify(root)


def test_published_row_count_checked(root):
    path = root / "published/fedwatch_dec2025.csv"
    path.write_bytes(b"".join(path.read_bytes().splitlines(keepends=True)[:-1]))
    manifest = json.loads((root / data.MANIFEST).read_text())
    manifest["published"]["fedwatch_dec2025"]["sha256"] = sha(path)
    (root / data.MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(DataError, match=r"8 rows, but data/manifest\.json lists 9"):
        data.published("fedwatch_dec2025", root)


def test_cli_verify_exit_status_counts_failures(root, monkeypatch, capsys):
    (root / "daily" / "FOO.csv").write_text(HEADER + "\n")
    (root / "daily" / "BAR.csv").write_text(HEADER + "\n")
    monkeypatch.setattr(data, "verify_report", functools.partial(data.verify_report, root))
    assert data.main(["verify"]) == 2
    out = capsys.readouterr()
    assert out.out.count("FAIL") == 2 and "2 of" in out.err


# ---------------------------------------------------------------------------- refresh: plausibility

NY = "America/New_York"


def _nvda_with(root, change):
    old, dl = nvda_download(root, NEW_DATES)
    change(dl)
    return FakeDownload(yf_frame(dl, NY))


def _scale_row(dl, day, factor):
    dl.loc[day, ["open", "high", "low", "close"]] *= factor


@pytest.mark.parametrize("change, pattern", [
    (lambda dl: _scale_row(dl, "2026-06-02", 100),
     r"high [\d.e+]+ on 2026-06-02 is \+\d+\.\d% from the previous close .* beyond the "
     r"\+\d+%/-\d+% a stock series \(or its own history\) makes plausible.*--accept-moves"),
    (lambda dl: dl.loc.__setitem__(("2026-06-02", ["open", "high", "low", "close"]), 1e12),
     r"on 2026-06-02 is \+\d+.*--accept-moves"),
    (lambda dl: dl.loc.__setitem__(("2026-06-02", "open"), 0.0),
     r"non-positive price \(open 0\.0\) on 2026-06-02"),
    (lambda dl: dl.loc.__setitem__(("2026-06-02", "close"), 0.0),
     r"non-positive price \(close 0\.0\) on 2026-06-02"),
    (lambda dl: dl.loc.__setitem__(("2026-06-02", "close"), dl.loc["2026-06-02", "high"] * 1.01),
     r"close [\d.]+ above the high [\d.]+ on 2026-06-02"),
    (lambda dl: dl.loc.__setitem__(("2026-06-02", "open"), dl.loc["2026-06-02", "low"] * 0.99),
     r"open [\d.]+ below the low [\d.]+ on 2026-06-02"),
    (lambda dl: dl.loc.__setitem__(("2026-06-02", "volume"), np.inf),
     r"non-finite volume inf on 2026-06-02"),
    (lambda dl: dl.loc.__setitem__(("2026-06-02", "high"), np.inf),
     r"non-finite high inf on 2026-06-02"),
], ids=["100x-bar", "1e12-row", "open-zero", "close-zero", "close-above-high",
        "open-below-low", "inf-volume", "inf-high"])
def test_refresh_refuses_implausible_rows(root, change, pattern):
    err = _assert_refresh_fails(root, "NVDA", _nvda_with(root, change), pattern)
    assert "\n" not in str(err) and "Fix:" not in str(err)


def test_refresh_accept_moves_takes_a_checked_move(root):
    fake = _nvda_with(root, lambda dl: _scale_row(dl, "2026-06-03", 1.6))  # +61.6% day
    _assert_refresh_fails(root, "NVDA", fake, r"on 2026-06-03 is \+6\d\.\d% from the previous close")
    msg = data.refresh_one("NVDA", root=root, download=fake, today=TODAY, accept_moves=True)
    assert msg.startswith("+3 rows")


def test_move_bound_per_class_and_history():
    """Class bound, unless the series' own history holds larger moves (ORCL's +35.9% day,
    high +43% over the previous close): then 1.5 times its largest."""
    assert data.move_bound(data.series("NVDA"), SERIES["NVDA"]) == data.CLASS_MOVE["stock"]
    orcl = data.series("ORCL")
    largest = float(data._moves(orcl, False).abs().max().max())
    assert largest == pytest.approx(np.log(1.43), abs=0.01)
    assert data.move_bound(orcl, SERIES["ORCL"]) == pytest.approx(1.5 * largest)
    assert data.move_bound(data.series("TNX"), SERIES["TNX"]) == data.CLASS_MOVE["rates"]
    assert data.move_bound(data.series("HYG"), SERIES["HYG"]) == data.CLASS_MOVE["ETF"]


def _overlap_lower(dl, root, factor):
    old = data.series("NVDA", root)
    dl.loc[old.index[-5:], ["open", "high", "low", "close"]] *= factor


def test_refresh_overlap_revised_beyond_tolerance_is_refused(root):
    # The whole 5-day overlap 0.3% lower: refused, then taken with --accept-revisions.
    fake = _nvda_with(root, lambda dl: _overlap_lower(dl, root, 0.997))
    _assert_refresh_fails(root, "NVDA", fake, r"revises 5 cached row\(s\) beyond the tolerance "
                                              r"\(largest: \w+ on 2026-05-\d\d .* -0\.30%\)")
    old = data.series("NVDA", root)
    msg = data.refresh_one("NVDA", root=root, download=fake, today=TODAY, accept_revisions=True)
    assert "revised 5 overlapping row(s)" in msg and "-0.300%" in msg
    new = data.series("NVDA", root)
    expected = (old.loc[old.index[-5:], "close"] * 0.997).round(2)
    pd.testing.assert_series_equal(new.loc[old.index[-5:], "close"], expected)  # downloaded win
    assert "revised 5 overlapping row(s)" in data.info("NVDA", root)["history"][-1]


def test_refresh_small_revision_is_taken_and_reported(root):
    """A cent's revision of the last cached close: the downloaded value wins, and is reported."""
    old = data.series("NVDA", root)
    last = old.index[-1]

    def revise(dl):
        dl.loc[last, "close"] += 0.01
        dl.loc[last, "high"] = max(dl.loc[last, "high"], dl.loc[last, "close"])

    msg = data.refresh_one("NVDA", root=root, download=_nvda_with(root, revise), today=TODAY)
    assert f"revised 1 overlapping row(s), largest close on {last:%Y-%m-%d}" in msg
    assert data.series("NVDA", root).loc[last, "close"] == pytest.approx(
        old.loc[last, "close"] + 0.01)


def test_refresh_volume_revision_is_reported(root):
    old = data.series("NVDA", root)
    last = old.index[-1]
    msg = data.refresh_one("NVDA", root=root, download=_nvda_with(
        root, lambda dl: dl.loc.__setitem__((last, "volume"), dl.loc[last, "volume"] + 1000)),
        today=TODAY)
    assert f"revised the volume of 1 overlapping row(s), largest on {last:%Y-%m-%d}" in msg
    assert data.series("NVDA", root).loc[last, "volume"] == old.loc[last, "volume"] + 1000


def test_refresh_unchanged_overlap_reports_no_revision(root):
    msg = data.refresh_one("NVDA", root=root, download=_nvda_with(root, lambda dl: None),
                           today=TODAY)
    assert msg == "+3 rows, now 356 rows to 2026-06-03"


def _hyg_download(root, change):
    old = data.series("HYG", root)
    dl = old.copy()
    change(dl)
    new = synthetic_rows(dl["close"].iloc[-1], dl["volume"].iloc[-1], ["2026-08-24"])
    return old, FakeDownload(yf_frame(pd.concat([dl, new]), NY))


HYG_TODAY = dt.date(2026, 8, 25)


def test_refresh_adjusted_times_four_is_refused(root):
    old, fake = _hyg_download(root, lambda dl: dl.__setitem__(
        ["open", "high", "low", "close"], dl[["open", "high", "low", "close"]] * 4))
    _assert_refresh_fails(root, "HYG", fake, r"adjusted download is 4\.0000 times the cache",
                          today=HYG_TODAY)


def test_refresh_adjusted_changed_return_is_refused(root):
    def change(dl):
        dl[["open", "high", "low", "close"]] *= 0.975
        dl.loc["2025-11-20", ["open", "high", "low", "close"]] *= 1.01  # one return changed

    old, fake = _hyg_download(root, change)
    _assert_refresh_fails(root, "HYG", fake, r"changes the cached returns on 1 date\(s\) "
                                             r"\(largest: \w+ on 2025-11-20 \+1\.00% off the cache "
                                             r"after rescaling by 0\.9750\)", today=HYG_TODAY)


def test_refresh_adjusted_rescale_is_reported(root):
    old, fake = _hyg_download(root, lambda dl: dl.__setitem__(
        ["open", "high", "low", "close"], dl[["open", "high", "low", "close"]] * 0.975))
    msg = data.refresh_one("HYG", root=root, download=fake, today=HYG_TODAY)
    assert msg == "+1 rows, now 412 rows to 2026-08-24; history rescaled x0.9750 (dividend adjustment)"
    new = data.series("HYG", root)
    r_old, r_new = old["close"].pct_change(), new.loc[old.index, "close"].pct_change()
    assert (r_old - r_new).abs().max() < 2e-4  # returns kept, up to 2-decimal rounding


REFRESHABLE = [s for s, m in SERIES.items() if m.kind == "daily" and m.yf_ticker]
TZ = {"HSI": "Asia/Hong_Kong", "000001.SS": "Asia/Shanghai", "N225": "Asia/Tokyo",
      "9984.T": "Asia/Tokyo", "KS11": "Asia/Seoul", "000660.KS": "Asia/Seoul",
      "BTC-USD": "UTC", "ETH-USD": "UTC"}


@pytest.mark.parametrize("sym", REFRESHABLE)
def test_refresh_replaying_each_series_across_its_largest_real_move(root, sym):
    """Cut the copy just before the series' largest cached move (ORCL +35.9%, gold -11.4%,
    KOSPI -12.1%, ETH, VIX...) and replay the real rows: the move is accepted and the file
    comes back byte for byte (so no rounding, e.g. ^TNX's 3 decimals, is lost)."""
    full = data.series(sym)
    meta = SERIES[sym]
    moves = data._moves(full, meta.asset_class == "rates").abs().max(axis=1)
    at = full.index.get_loc(moves.idxmax())
    assert at >= 3, "the largest move is too early to cut before it"
    cut = full.index[at - 1]
    rows = full.iloc[at:at + 6]
    until = rows.index[-1]
    truncate(root, sym, f"{cut:%Y-%m-%d}")
    replay = Replay(full, TZ.get(sym, NY), until=f"{until:%Y-%m-%d}")
    msg = data.refresh_one(sym, root=root, download=replay,
                           today=(until + pd.Timedelta(days=1)).date())
    assert msg.startswith("+"), msg
    real = (data.DATA_DIR / meta.kind / f"{sym}.csv").read_text().splitlines()
    new_part = [ln for ln in real[1:] if f"{cut:%Y-%m-%d}" < ln[:10] <= f"{until:%Y-%m-%d}"]
    expected = [ln for ln in real if ln.startswith("date") or ln[:10] <= f"{cut:%Y-%m-%d}"]
    expected += [ln for ln in new_part if ln[10:].strip(",")]  # blank (holiday) rows are dropped
    assert csv_path(root, sym).read_text().splitlines() == expected


# ---------------------------------------------------------------------------- refresh: any failure

def test_refresh_permission_error_is_one_line_and_the_run_goes_on(root, monkeypatch):
    def read_only(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(root / "daily"))

    monkeypatch.setattr(data.tempfile, "mkstemp", read_only)
    old, dl = nvda_download(root, NEW_DATES)
    before = all_bytes(root)
    fake = FakeDownload(yf_frame(dl, NY))
    lines, failed = data.refresh(["NVDA", "DGS2", "NVDA"], root=root, download=fake, today=TODAY)
    assert failed == 3 and len(lines) == 3 and len(fake.calls) == 2
    assert lines[0].startswith("FAIL  NVDA") and "PermissionError: [Errno 13] Permission denied" in lines[0]
    assert all_bytes(root) == before


@pytest.mark.parametrize("exc", [KeyError("Close"), TypeError("bad operand"), MemoryError(),
                                 ZeroDivisionError("division by zero"), OSError(28, "No space left")])
def test_refresh_any_exception_type_is_one_line(root, monkeypatch, exc):
    calls = []

    def broken(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            raise exc
        return original(*args, **kwargs)

    original = data._format_csv
    monkeypatch.setattr(data, "_format_csv", broken)
    old, dl = nvda_download(root, NEW_DATES)
    lines, failed = data.refresh(["NVDA", "NVDA"], root=root,
                                 download=FakeDownload(yf_frame(dl, NY)), today=TODAY)
    assert failed == 1
    assert lines[0].startswith(f"FAIL  NVDA       {type(exc).__name__}") and len(lines) == 2
    assert lines[1].startswith("ok    NVDA") and "+3 rows" in lines[1]


def test_refresh_download_returning_garbage(root):
    for result, pattern in [("not a frame", "not a data frame"),
                            (pd.DataFrame({"Open": [1.0], "High": [1.0], "Low": [1.0],
                                           "Close": [1.0], "Volume": [1.0]}, index=["x"]),
                             "not indexed by dates")]:
        _assert_refresh_fails(root, "NVDA", FakeDownload(result), pattern)


def test_yf_download_uses_temp_cache_and_prints_no_warning(root, monkeypatch, caplog):
    """The real _yf_download against a stand-in yfinance.Ticker: no raise_errors (deprecated),
    exceptions switched on only for the call, caches outside the home folder, no warning."""
    import logging
    import warnings

    import yfinance as yf

    old, dl = nvda_download(root, NEW_DATES)
    seen = {}

    class Ticker:
        def __init__(self, ticker):
            seen["ticker"] = ticker

        def history(self, **kwargs):
            seen["kwargs"] = kwargs
            seen["hide"] = yf.config.debug.hide_exceptions
            warnings.warn("'raise_errors' deprecated", DeprecationWarning)
            warnings.warn("pandas internals", FutureWarning)
            logging.getLogger("yfinance").warning("Cookie/crumb fetch failed, continuing")
            return yf_frame(dl, NY)

    monkeypatch.setattr(yf, "Ticker", Ticker)
    monkeypatch.setattr(yf, "set_tz_cache_location", lambda path: seen.setdefault("cache", path))
    hide_before = yf.config.debug.hide_exceptions
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        lines, failed = data.refresh(["NVDA"], root=root, today=TODAY)
    assert failed == 0 and lines[0].startswith("ok    NVDA"), lines
    assert caught == [] and caplog.records == []  # nothing but the one report line
    assert logging.getLogger("yfinance").level == logging.NOTSET  # restored
    assert seen["kwargs"] == {"start": "2026-05-15", "auto_adjust": False, "actions": False}
    assert seen["hide"] is False and yf.config.debug.hide_exceptions == hide_before
    cache = Path(seen["cache"])
    assert cache.is_relative_to(Path(tempfile.gettempdir()))
    assert not cache.is_relative_to(Path.home())


# ---------------------------------------------------------------------------- crash-proof commit

class Crash(BaseException):
    """A simulated kill: not an Exception, so no handler of the code under test runs."""


def _steps_of_a_refresh(tmp_path) -> tuple[list[str], dict[str, bytes], dict[str, bytes]]:
    """The commit's crash points, and the whole cache before and after an uncrashed refresh."""
    # One copy of the cache, taken once: every crash run starts from these same bytes.
    pristine = tmp_path / "pristine"
    if not pristine.exists():
        shutil.copytree(data.DATA_DIR, pristine)
    root = tmp_path / "reference"
    shutil.copytree(pristine, root)
    before = all_bytes(root)
    steps = []
    mp = pytest.MonkeyPatch()
    mp.setattr(data, "_crash_point", steps.append)
    try:
        data.refresh_one("NVDA", root=root, download=_nvda_with(root, lambda dl: None),
                         today=TODAY)
    finally:
        mp.undo()
    return steps, before, all_bytes(root)


def test_commit_steps_are_the_documented_ones(tmp_path):
    steps, before, after = _steps_of_a_refresh(tmp_path)
    assert steps == ["half-written NVDA.csv", "written NVDA.csv", "half-written manifest.json",
                     "written manifest.json", "half-written .commit-journal.json",
                     "written .commit-journal.json", "journal committed",
                     "replaced daily/NVDA.csv", "replaced manifest.json", "journal removed"]
    assert set(after) == set(before) and after != before


@pytest.mark.parametrize("how", ["kill", "exception"])
def test_crash_between_any_two_steps_leaves_old_or_new(tmp_path, monkeypatch, how):
    """Stop the commit after each of its steps in turn. A kill (no handler runs): the next
    load finishes or discards it. An ordinary exception: the commit cleans up at once. Either
    way the whole cache is byte-identical to before or to after, with no stray file."""
    steps, before, after = _steps_of_a_refresh(tmp_path)
    committed = steps.index("journal committed")
    for k, step in enumerate(steps):
        root = tmp_path / f"{how}-{k}"
        shutil.copytree(tmp_path / "pristine", root)
        download = _nvda_with(root, lambda dl: None)
        data.read_series_cache_clear()
        calls = []

        def crash(name, k=k):
            calls.append(name)
            if len(calls) == k + 1:
                raise Crash(name) if how == "kill" else OSError(5, f"I/O error at {name}")

        monkeypatch.setattr(data, "_crash_point", crash)
        with pytest.raises(Crash if how == "kill" else OSError):
            data.refresh_one("NVDA", root=root, download=download, today=TODAY)
        monkeypatch.setattr(data, "_crash_point", lambda name: None)
        if how == "kill" and step != "journal removed":
            left = set(all_bytes(root)) - set(before)
            assert left, f"a kill after {step!r} should leave its temporary files for recovery"
        data.read_series_cache_clear()
        lines = data.verify(root)  # loads everything: recovery runs first
        assert len(lines) == len(SERIES) + len(PUBLISHED)
        state = all_bytes(root)
        expected = after if k >= committed else before
        assert state == expected, (how, step, set(state) ^ set(expected))
        n = len(data.series("NVDA", root))
        assert n == (356 if k >= committed else 353), step


def test_recover_on_refresh_and_on_any_load(root, monkeypatch):
    """A kill before the commit point: the stray files go on the next refresh too; and a stray
    temporary file of any cache file is removed by the next load."""
    monkeypatch.setattr(data, "_crash_point",
                        lambda name: (_ for _ in ()).throw(Crash(name))
                        if name == "written manifest.json" else None)
    with pytest.raises(Crash):
        data.refresh_one("NVDA", root=root, download=_nvda_with(root, lambda dl: None),
                         today=TODAY)
    monkeypatch.setattr(data, "_crash_point", lambda name: None)
    assert len(data._temp_files(root)) == 2
    msg = data.refresh_one("NVDA", root=root, download=_nvda_with(root, lambda dl: None),
                           today=TODAY)
    assert msg.startswith("+3 rows") and data._temp_files(root) == []
    stray = root / "published" / ".ai_deals.csv.abc123.tmp"
    stray.write_text("half")
    data.published("ai_deals", root)
    assert not stray.exists()


def test_real_kill_of_a_refresh_process(tmp_path):
    """os._exit in a child process (no cleanup at all) at two points of the commit."""
    import subprocess
    import sys

    for step, rows in [("written manifest.json", 353), ("replaced daily/NVDA.csv", 356)]:
        root = tmp_path / step.replace(" ", "_").replace("/", "_")
        shutil.copytree(data.DATA_DIR, root)
        frame = tmp_path / "download.pkl"
        yf_frame(nvda_download(root, NEW_DATES)[1], NY).to_pickle(frame)
        code = f"""
import os, datetime as dt, pandas as pd, riskoff.data as data
from pathlib import Path
data._crash_point = lambda name: os._exit(9) if name == {step!r} else None
frame = pd.read_pickle({str(frame)!r})
data.refresh_one("NVDA", root=Path({str(root)!r}), download=lambda *a: frame,
                 today=dt.date(2026, 6, 4))
"""
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert proc.returncode == 9, proc.stderr
        assert data._temp_files(root) or (root / data.JOURNAL).exists()
        data.read_series_cache_clear()
        assert len(data.series("NVDA", root)) == rows
        assert data._temp_files(root) == [] and not (root / data.JOURNAL).exists()
        assert len(data.verify(root)) == len(SERIES) + len(PUBLISHED)


# ---------------------------------------------------------------------------- line endings

@pytest.mark.skipif(shutil.which("git") is None or not (data.ROOT / ".git").exists(),
                    reason="needs git and the repository")
def test_clone_with_autocrlf_verifies(tmp_path):
    """Git for Windows' default core.autocrlf=true must not rewrite the cache (.gitattributes
    marks data/ as -text), or every checksum would fail. Clones the committed HEAD."""
    import subprocess

    clone = tmp_path / "clone"
    subprocess.run(["git", "-c", "core.autocrlf=true", "clone", "-q", "--no-hardlinks",
                    "-c", "core.autocrlf=true", str(data.ROOT), str(clone)], check=True)
    assert b"\r\n" not in (clone / "data" / "daily" / "NVDA.csv").read_bytes()
    lines = data.verify(clone / "data")
    assert len(lines) >= len(SERIES) and all(ln.startswith("ok") for ln in lines)


class _ChartResponse:
    def __init__(self, payload):
        self.payload, self.text, self.status_code = payload, json.dumps(payload), 200

    def json(self):
        return self.payload


def _yahoo_chart(df: pd.DataFrame, tz: str, ticker: str) -> dict:
    """The JSON of Yahoo's v8 chart endpoint for cached daily rows (bars stamped 09:30 local)."""
    stamps = [int((pd.Timestamp(d).tz_localize(tz) + pd.Timedelta(hours=9, minutes=30))
                  .timestamp()) for d in df.index]
    quote = {c: [None if pd.isna(v) else float(v) for v in df[c]] for c in data.PRICE_COLUMNS}
    quote["volume"] = [None if pd.isna(v) else int(v) for v in df["volume"]]
    meta = {"currency": "USD", "symbol": ticker, "exchangeName": "NMS", "instrumentType": "EQUITY",
            "firstTradeDate": 917015400, "regularMarketTime": stamps[-1], "gmtoffset": -14400,
            "timezone": "EDT", "exchangeTimezoneName": tz, "priceHint": 2,
            "regularMarketPrice": quote["close"][-1], "chartPreviousClose": quote["close"][0],
            "dataGranularity": "1d", "range": "", "validRanges": ["1d", "5d", "1mo", "max"]}
    return {"chart": {"error": None, "result": [{
        "meta": meta, "timestamp": stamps,
        "indicators": {"quote": [quote], "adjclose": [{"adjclose": quote["close"]}]}}]}}


def test_refresh_through_real_yfinance_parsing_is_clean(root, tmp_path, monkeypatch):
    """yfinance 1.7's own request building and parsing, with only its HTTP layer replaced by
    the real cached rows: the refresh reproduces the file, prints no warning, and yfinance's
    caches go to the folder data.YF_CACHE names (a temporary one), not the home folder."""
    import warnings

    import yfinance as yf
    import yfinance.data as yf_data

    full = data.series("NVDA")
    truncate(root, "NVDA", "2026-05-15")
    requests = []

    def fake_get(self, url, params=None, timeout=30):
        requests.append((url, dict(params or {})))
        if params and "period1" in params:
            start = pd.Timestamp(params["period1"], unit="s", tz="UTC").tz_convert(NY)
            rows = full.loc[f"{start:%Y-%m-%d}":"2026-05-29"]
        else:  # the time-zone probe
            rows = full.tail(1)
        return _ChartResponse(_yahoo_chart(rows, NY, "NVDA"))

    monkeypatch.setattr(yf_data.YfData, "get", fake_get)
    monkeypatch.setattr(yf_data.YfData, "cache_get", fake_get)
    monkeypatch.setattr(data, "YF_CACHE", tmp_path / "yf-cache")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        lines, failed = data.refresh(["NVDA"], root=root, today=TODAY)
    assert failed == 0, lines
    assert [f"{w.category.__name__}: {w.message}" for w in caught] == []
    assert csv_path(root, "NVDA").read_bytes() == (data.DATA_DIR / "daily/NVDA.csv").read_bytes()
    assert all("/v8/finance/chart/NVDA" in url for url, _ in requests)
    from yfinance.cache import _TzDBManager

    assert _TzDBManager.get_location() == str(tmp_path / "yf-cache")


# ---------------------------------------------------------------------------- zh-Hant

@pytest.fixture
def zh(monkeypatch):
    monkeypatch.setenv("RISKOFF_LANG", "zh-Hant")
    monkeypatch.delenv("RISKOFF_I18N_MISSING", raising=False)


def _zh_problems(msg: str, name: str) -> list[str]:
    """What keeps a cache error from being a zh-Hant reader's one line: English words (beyond
    the file's name, the cache's column names, quoted values and the commands to type)."""
    bad = [] if name in msg and "\n" not in msg else [f"not one line naming {name}"]
    if "修正方法" not in msg:
        bad.append("no fix named")
    rest = re.sub(r"`[^`]*`|'[^']*'|\[[^\]]*\]|\S*/\S*|\S+\.(csv|json)", " ", msg.replace(name, " "))
    rest = re.sub(r"\b(date|timestamp|open|high|low|close|volume|JSON|CSV|sha256|rows|file|kind|"
                  r"series|published|inf|nan|int|bool|str|list)\b", " ", rest)
    words = re.findall(r"[A-Za-z]{2,}", rest)
    return bad + ([f"English words {words}"] if words else [])


@pytest.mark.parametrize("body", [
    "2025-11-21,1,2,1,2,10\n2025-11-20,1,2,1,2,10\n", "2025-11-20,1,2,1,abc,10\n",
    "2025-11-20,1,2,-1,2,10\n", "2025-11-20,1,1,2,2,10\n", "2025-11-20,3,2,1,2,10\n",
    "2025-11-20,1,2,1.5,1,10\n", "2025-11-20,1,2,1,2,-1\n", "2025-11-20,1,2,1,inf,1\n", "",
    "2025/11/20,1,2,1,2,1\n"],
    ids=["unsorted", "non-numeric", "negative", "high-below-low", "open-above-high",
         "close-below-low", "negative-volume", "non-finite", "no-rows", "bad-date"])
def test_cache_errors_in_zh_hant(zh, body):
    with pytest.raises(DataError) as err:
        data.parse_frame(io.StringIO(HEADER + "\n" + body), "daily", "data/daily/TEST.csv")
    assert not _zh_problems(str(err.value), "data/daily/TEST.csv"), str(err.value)


def test_cache_file_errors_in_zh_hant(zh, root):
    path = edit_line(root, "NDX", "2025-11-20,",
                     "2025-11-20,25131.49,25222.95,24021.44,24054.39,", update_sha=False)
    with pytest.raises(DataError) as err:
        data.series("NDX", root)
    assert "校驗和" in str(err.value) and not _zh_problems(str(err.value), str(path))
    path.unlink()
    with pytest.raises(DataError) as err:
        data.series("NDX", root)
    assert not _zh_problems(str(err.value), str(path)), str(err.value)
    with pytest.raises(ValueError, match="未知的序列 'NOPE'"):
        data.series("NOPE", root)


def test_manifest_fault_is_named_in_the_readers_language(root, monkeypatch):
    """A manifest's fault is remembered per file version: asked again in the other language,
    the line is in that language (not the first one's words)."""
    manifest = json.loads((root / data.MANIFEST).read_text())
    manifest["series"]["NDX"]["rows"] = 0
    (root / data.MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(DataError, match=r"has rows = 0, expected at least 1\. Fix: restore"):
        data.series("NDX", root)
    monkeypatch.setenv("RISKOFF_LANG", "zh-Hant")
    with pytest.raises(DataError) as err:
        data.series("NDX", root)
    assert "rows = 0，應最少為1" in str(err.value)
    assert not _zh_problems(str(err.value), str(root / data.MANIFEST)), str(err.value)
