"""The market-data cache in data/: import, validate, load and refresh.

Command line (run from the repository root):

    python -m riskoff.data import-snapshot ../shared/market-data   # one-time import
    python -m riskoff.data verify                                  # check every cached file
    python -m riskoff.data refresh [SYMBOL ...]                    # yfinance, when online

Every cached file is listed in data/manifest.json with its provenance and a SHA-256
checksum. Loading checks the checksum, the schema, the dates and the plausibility of the
prices, and raises DataError with one line naming the file and the fix.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Callable, Iterable

import pandas as pd

from .catalog import PUBLISHED, SERIES
from .errors import DataError, RefreshError

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
MANIFEST = "manifest.json"
PRICE_COLUMNS = ["open", "high", "low", "close"]
COLUMNS = {
    "daily": ["date", *PRICE_COLUMNS, "volume"],
    "intraday": ["timestamp", *PRICE_COLUMNS, "volume"],
    "monthly": ["date", "close"],
}
FIX_RESTORE = ("restore the committed cache with `git checkout -- data/`, or re-import it with "
               "`python -m riskoff.data import-snapshot <market-data folder> --force`")


# ---------------------------------------------------------------------------- manifest

def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_manifest(root: Path = DATA_DIR) -> dict:
    path = root / MANIFEST
    if not path.exists():
        raise DataError(f"{_rel(path)} is missing. Fix: {FIX_RESTORE}.")
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise DataError(f"{_rel(path)} is not valid JSON ({exc.msg}, line {exc.lineno}). "
                        f"Fix: {FIX_RESTORE}.") from None


def _write_atomic(path: Path, text: str) -> None:
    """Write next to the target, then rename: a crash never leaves a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_manifest(manifest: dict, root: Path = DATA_DIR) -> None:
    _write_atomic(root / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True) + "\n")


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


# ---------------------------------------------------------------------------- validation

def parse_frame(text_or_path, kind: str, name: str) -> pd.DataFrame:
    """Parse a cached CSV into a frame indexed by date/timestamp, checking everything."""
    expected = COLUMNS[kind]
    try:
        df = pd.read_csv(text_or_path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataError(f"{name}: not a readable CSV ({exc}). Fix: {FIX_RESTORE}.") from None
    if list(df.columns) != expected:
        raise DataError(f"{name}: columns are {list(df.columns)}, expected {expected}. "
                        f"Fix: {FIX_RESTORE}.")
    key = expected[0]
    if df.empty:
        raise DataError(f"{name}: has no rows. Fix: {FIX_RESTORE}.")
    if kind == "intraday":
        idx = pd.to_datetime(df[key], errors="coerce", utc=True, format="ISO8601")
    else:
        idx = pd.to_datetime(df[key], errors="coerce", format="%Y-%m-%d")
    if idx.isna().any():
        bad = df.loc[idx.isna(), key].iloc[0]
        raise DataError(f"{name}: unreadable {key} {bad!r}. Fix: {FIX_RESTORE}.")
    if not idx.is_monotonic_increasing or idx.duplicated().any():
        raise DataError(f"{name}: {key}s are not sorted and unique. Fix: {FIX_RESTORE}.")
    out = pd.DataFrame(index=pd.DatetimeIndex(idx, name=key))
    for col in expected[1:]:
        raw = df[col].str.strip()
        num = pd.to_numeric(raw.where(raw != ""), errors="coerce")
        bad = (num.isna() & (raw != "")) | num.isin([float("inf"), float("-inf")])
        if bad.any():
            raise DataError(f"{name}: non-numeric {col} {raw[bad].iloc[0]!r} on "
                            f"{df.loc[bad, key].iloc[0]}. Fix: {FIX_RESTORE}.")
        out[col] = num.to_numpy()
    check_plausible(out, name)
    return out


def check_plausible(df: pd.DataFrame, name: str, allow_negative: bool = False) -> None:
    prices = [c for c in PRICE_COLUMNS if c in df]
    if not allow_negative:
        neg = (df[prices] < 0).any(axis=1)
        if neg.any():
            raise DataError(f"{name}: negative price on {df.index[neg][0]:%Y-%m-%d}. "
                            f"Fix: {FIX_RESTORE}.")
    if "volume" in df and (df["volume"] < 0).any():
        raise DataError(f"{name}: negative volume. Fix: {FIX_RESTORE}.")
    if "high" in df and "low" in df:
        bad = df["high"] < df["low"]
        if bad.any():
            raise DataError(f"{name}: high below low on {df.index[bad][0]:%Y-%m-%d}. "
                            f"Fix: {FIX_RESTORE}.")


def _version(path: Path) -> tuple[int, int]:
    """Modification time and size: part of each cache key, so a changed file is re-checked."""
    st = path.stat()
    return st.st_mtime_ns, st.st_size


@functools.lru_cache(maxsize=None)
def _read_validated(path_str: str, kind: str, digest: str, version: tuple) -> pd.DataFrame:
    # Read and checked once per file version and manifest digest, not on every call.
    path = Path(path_str)
    if sha256(path) != digest:
        raise DataError(f"{_rel(path)}: checksum does not match data/manifest.json (the file "
                        f"changed since it was imported or refreshed). Fix: {FIX_RESTORE}.")
    return parse_frame(path, kind, _rel(path))


def _entry(symbol: str, root: Path) -> dict:
    entries = read_manifest(root)["series"]
    if symbol not in entries:
        known = ", ".join(sorted(entries))
        raise ValueError(f"unknown series {symbol!r}; the cache holds: {known}")
    return entries[symbol]


def series(symbol: str, root: Path = DATA_DIR) -> pd.DataFrame:
    """One validated series, indexed by date (or timestamp for intraday bars)."""
    entry = _entry(symbol, root)
    path = root / entry["file"]
    if not path.exists():
        raise DataError(f"{_rel(path)} is missing. Fix: {FIX_RESTORE}.")
    return _read_validated(str(path), entry["kind"], entry["sha256"], _version(path)).copy()


def load(symbols: Iterable[str] | str, start=None, end=None, root: Path = DATA_DIR
         ) -> pd.DataFrame:
    """Tidy frame (date, symbol, open, high, low, close, volume) for daily series."""
    if isinstance(symbols, str):
        symbols = [symbols]
    parts = []
    for sym in symbols:
        df = series(sym, root).loc[start:end]
        parts.append(df.assign(symbol=sym).reset_index())
    if not parts:
        raise ValueError("load() needs at least one symbol")
    return pd.concat(parts, ignore_index=True)


def closes(symbols: Iterable[str], start=None, end=None, root: Path = DATA_DIR
           ) -> pd.DataFrame:
    """Wide frame of closes, one column per symbol, on the union of their dates.

    A market that did not trade on a date has NaN there: nothing is filled.
    """
    return pd.DataFrame({s: series(s, root)["close"] for s in symbols}).loc[start:end]


def published(name: str, root: Path = DATA_DIR) -> pd.DataFrame:
    """A published third-party table (with its source column), checked against the manifest."""
    entries = read_manifest(root).get("published", {})
    if name not in entries:
        raise ValueError(f"unknown published table {name!r}; known: {', '.join(sorted(entries))}")
    path = root / entries[name]["file"]
    if not path.exists():
        raise DataError(f"{_rel(path)} is missing. Fix: {FIX_RESTORE}.")
    return _read_published(str(path), entries[name]["sha256"], _version(path)).copy()


@functools.lru_cache(maxsize=None)
def _read_published(path_str: str, digest: str, version: tuple) -> pd.DataFrame:
    path = Path(path_str)
    if sha256(path) != digest:
        raise DataError(f"{_rel(path)}: checksum does not match data/manifest.json. "
                        f"Fix: {FIX_RESTORE}.")
    return pd.read_csv(path)


def info(symbol: str, root: Path = DATA_DIR) -> dict:
    """Manifest entry of a series (name, unit, basis, source, range, checksum)."""
    return dict(_entry(symbol, root))


def verify(root: Path = DATA_DIR) -> list[str]:
    """Validate every file in the manifest; return one line per file."""
    manifest = read_manifest(root)
    lines = []
    for sym in sorted(manifest["series"]):
        df = series(sym, root)
        lines.append(f"ok  {sym:14} {len(df):5d} rows  {df.index[0]:%Y-%m-%d}..{df.index[-1]:%Y-%m-%d}")
    for name in sorted(manifest.get("published", {})):
        lines.append(f"ok  {name} ({len(published(name, root))} rows, published figures)")
    return lines


def sources_table(root: Path = DATA_DIR) -> pd.DataFrame:
    """The manifest as a readable table: one row per cached series."""
    rows = []
    for sym, e in sorted(read_manifest(root)["series"].items(), key=lambda kv: kv[1]["file"]):
        src = e.get("source", {})
        rows.append({"Series": f"{e['name']} ({sym})", "File": e["file"],
                     "Unit": e["unit"], "Basis": e["basis"], "Calendar": e["calendar"],
                     "Range": f"{e['first'][:10]} to {e['last'][:10]}", "Rows": e["rows"],
                     "Source": f"{src.get('repository', '?')}: {src.get('path', '?')} "
                               f"@ {src.get('commit', '?')}",
                     "SHA-256": e["sha256"][:16] + "…"})
    return pd.DataFrame(rows).set_index("Series")


def published_table(root: Path = DATA_DIR) -> pd.DataFrame:
    rows = [{"Table": name, "What": e["description"], "File": e["file"], "Rows": e["rows"],
             "Sources": " ".join(e["sources"]), "SHA-256": e["sha256"][:16] + "…"}
            for name, e in sorted(read_manifest(root).get("published", {}).items())]
    return pd.DataFrame(rows).set_index("Table")


# ---------------------------------------------------------------------------- import

def _provenance_rows(text: str) -> dict[str, dict]:
    """Rows of the file table in the curated PROVENANCE.md, keyed by curated file."""
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 9 and re.match(r"^(daily|intraday|monthly)/", cells[0]):
            rows[cells[0]] = {"repository": cells[1], "path": cells[2], "commit": cells[3],
                              "range": cells[5], "notes": cells[8]}
    return rows


def _published_sources(path: Path) -> list[str]:
    df = pd.read_csv(path)
    col = "source_url" if "source_url" in df else "sources"
    urls = sorted({u for cell in df[col].dropna() for u in str(cell).split()})
    return urls


def import_snapshot(src: Path, root: Path = DATA_DIR, force: bool = False) -> list[str]:
    """Copy the curated files byte for byte into the cache and write the manifest."""
    src = Path(src)
    prov_path = src / "PROVENANCE.md"
    if not prov_path.exists():
        raise DataError(f"{src}: no PROVENANCE.md here. Fix: pass the curated market-data "
                        f"folder (the one holding daily/, intraday/, monthly/, published/).")
    prov = _provenance_rows(prov_path.read_text())
    jobs = []  # (source file, cache-relative name)
    for sym, meta in SERIES.items():
        rel = f"{meta.kind}/{sym}.csv"
        if not (src / rel).exists():
            raise DataError(f"{src / rel} is missing from the snapshot. Fix: use a complete "
                            f"curated market-data folder.")
        jobs.append((src / rel, rel))
    for name in PUBLISHED:  # tables added later by register-published live only in data/
        if (src / "published" / f"{name}.csv").exists():
            jobs.append((src / "published" / f"{name}.csv", f"published/{name}.csv"))
    jobs.append((prov_path, "PROVENANCE.md"))

    changed = [rel for s, rel in jobs if (root / rel).exists() and sha256(root / rel) != sha256(s)]
    if changed and not force:
        raise DataError(f"{root}: {len(changed)} cached file(s) differ from the snapshot "
                        f"(first: {changed[0]}), e.g. after a refresh. Fix: pass --force to "
                        f"replace them with the snapshot.")
    # Validate every source file before touching the cache.
    frames = {}
    for sym, meta in SERIES.items():
        rel = f"{meta.kind}/{sym}.csv"
        frames[sym] = parse_frame(src / rel, meta.kind, str(src / rel))
    for s, rel in jobs:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(s, root / rel)

    imported = dt.date.today().isoformat()
    manifest = {"about": "Cached market data of the riskoff book. Checksums are SHA-256 of "
                         "the file bytes. Prices are as published by the source; nothing "
                         "is filled or interpolated.",
                "provenance_doc": "PROVENANCE.md",
                "series": {}, "published": {}}
    for sym, meta in SERIES.items():
        rel = f"{meta.kind}/{sym}.csv"
        df = frames[sym]
        src_row = prov.get(rel, {})
        manifest["series"][sym] = {
            **meta.as_dict(), "file": rel, "sha256": sha256(root / rel), "rows": len(df),
            "first": _stamp(df.index[0], meta.kind), "last": _stamp(df.index[-1], meta.kind),
            "source": {**src_row, "imported": imported,
                       "via": "curated snapshot (shared/market-data), byte-identical copy"},
            "history": [f"{imported} imported from the curated snapshot"],
        }
    for name in PUBLISHED:
        if (root / "published" / f"{name}.csv").exists():
            manifest["published"][name] = _published_entry(name, root)
    write_manifest(manifest, root)
    read_series_cache_clear()
    return [f"imported {rel}" for _, rel in jobs]


def _published_entry(name: str, root: Path) -> dict:
    rel = f"published/{name}.csv"
    return {"file": rel, "description": PUBLISHED[name], "sha256": sha256(root / rel),
            "rows": len(pd.read_csv(root / rel)), "sources": _published_sources(root / rel),
            "note": "Published by third parties; not measured by this book."}


def register_published(name: str, root: Path = DATA_DIR) -> str:
    """Add or update a table of published figures (data/published/NAME.csv) in the manifest.

    The CSV must carry a ``source_url`` (or ``sources``) column giving each row's address.
    """
    if name not in PUBLISHED:
        raise DataError(f"{name}: not in riskoff.catalog.PUBLISHED. Fix: describe it there first.")
    path = root / "published" / f"{name}.csv"
    if not path.exists():
        raise DataError(f"{_rel(path)} is missing. Fix: write the CSV with a source_url column.")
    df = pd.read_csv(path)
    col = "source_url" if "source_url" in df else "sources" if "sources" in df else None
    if col is None or df[col].isna().any():
        raise DataError(f"{_rel(path)}: every row needs a source address in a source_url "
                        f"column. Fix: add the address each figure was published at.")
    manifest = read_manifest(root)
    manifest.setdefault("published", {})[name] = _published_entry(name, root)
    write_manifest(manifest, root)
    return f"registered {_rel(path)} ({len(df)} rows)"


def _stamp(ts: pd.Timestamp, kind: str) -> str:
    return ts.isoformat() if kind == "intraday" else f"{ts:%Y-%m-%d}"


def read_series_cache_clear() -> None:
    _read_validated.cache_clear()
    _read_published.cache_clear()


# ---------------------------------------------------------------------------- refresh

def _yf_download(ticker: str, start: str, auto_adjust: bool) -> pd.DataFrame:
    """The only place that talks to yfinance (tests replace it to inject faults)."""
    import yfinance as yf  # imported here: the book itself never needs the network

    return yf.Ticker(ticker).history(start=start, auto_adjust=auto_adjust, actions=False,
                                     raise_errors=True)


def _normalise(raw: pd.DataFrame, today: pd.Timestamp) -> pd.DataFrame:
    if raw is None or len(raw) == 0:
        raise RefreshError("empty frame (no data returned; delisted, wrong ticker or offline)")
    if isinstance(raw.columns, pd.MultiIndex):
        raw = raw.droplevel(-1, axis=1)
    df = raw.rename(columns=str.lower)
    missing = [c for c in ["open", "high", "low", "close", "volume"] if c not in df]
    if missing:
        raise RefreshError(f"downloaded frame lacks columns {missing}")
    idx = pd.DatetimeIndex(df.index)
    if idx.tz is not None:
        idx = idx.tz_localize(None)  # exchange-local (or UTC for crypto) calendar date
    df = df[["open", "high", "low", "close", "volume"]].set_axis(idx.normalize().rename("date"))
    df = df.loc[~df[PRICE_COLUMNS].isna().all(axis=1)]  # rows with no prices: non-trading days
    df = df.loc[df.index < today]  # today's bar may still be moving (or lack its close)
    if df.empty:
        raise RefreshError("no completed, priced session in the download")
    if df.index.duplicated().any():
        raise RefreshError("downloaded frame has duplicate dates")
    if df["close"].isna().any():
        raise RefreshError(f"missing close on {df.index[df['close'].isna()][0]:%Y-%m-%d} (partial data)")
    return df.sort_index()


def _max_gap_days(meta) -> int:
    # Exchanges can close for up to 11 calendar days (Shanghai at Chinese New Year).
    return 3 if "7 days a week" in meta.calendar else 14


def _check_new(new: pd.DataFrame, old: pd.DataFrame, meta) -> None:
    try:
        check_plausible(new, "downloaded frame", allow_negative=meta.asset_class == "rates")
    except DataError as exc:
        raise RefreshError(str(exc).split(". Fix:")[0]) from None
    gaps = new.index.to_series().diff().dt.days
    if (gaps > _max_gap_days(meta)).any():
        at = gaps.idxmax()
        raise RefreshError(f"gap of {int(gaps.max())} days before {at:%Y-%m-%d} in the "
                           f"downloaded frame (incomplete download)")
    both = old.index.intersection(new.index)
    if len(both) == 0 and new.index[0] > old.index[-1] + pd.Timedelta(days=_max_gap_days(meta)):
        raise RefreshError("downloaded frame does not overlap the cache (cannot check continuity)")
    if meta.auto_adjust:
        # A dividend-adjusted download rescales all history, so closes legitimately differ
        # from the cache; it must instead cover every cached date (one basis, no mixing).
        if new.index[0] > old.index[0]:
            raise RefreshError("adjusted series must be re-downloaded from its first cached "
                               "date, or old and new rows would mix adjustment bases")
        absent = old.index.difference(new.index)
        if len(absent):
            raise RefreshError(f"adjusted download lacks cached date {absent[0]:%Y-%m-%d}; "
                               f"refusing to mix adjustment bases")
        return
    ratio = (new.loc[both, "close"] / old.loc[both, "close"]).dropna()
    off = ratio[(ratio - 1).abs() > 0.02]
    if len(off):
        d = off.index[0]
        raise RefreshError(f"close on {d:%Y-%m-%d} is {new.loc[d, 'close']} in the download but "
                           f"{old.loc[d, 'close']} in the cache (split or price-basis change?); "
                           f"inspect before merging")


def _format_csv(df: pd.DataFrame, symbol: str) -> str:
    decimals = 3 if symbol == "TNX" else 2
    out = pd.DataFrame(index=df.index.strftime("%Y-%m-%d"))
    for col in PRICE_COLUMNS:
        out[col] = [f"{v:.{decimals}f}" if pd.notna(v) else "" for v in df[col]]
    out["volume"] = [f"{int(round(v))}" if pd.notna(v) else "" for v in df["volume"]]
    return out.rename_axis("date").to_csv(lineterminator="\n")


def refresh_one(symbol: str, root: Path = DATA_DIR,
                download: Callable[[str, str, bool], pd.DataFrame] | None = None,
                today: dt.date | None = None) -> str:
    """Refresh one daily series; raise RefreshError and leave the file alone on any problem."""
    download = download or _yf_download
    meta = SERIES.get(symbol)
    if meta is None or meta.kind != "daily":
        raise RefreshError("not a daily series of the cache")
    if meta.yf_ticker is None:
        raise RefreshError("no yfinance ticker (FRED series); refresh it from FRED by hand")
    old = series(symbol, root)  # validates the current file first
    start = old.index[0] if meta.auto_adjust else old.index[-1] - pd.Timedelta(days=14)
    try:
        raw = download(meta.yf_ticker, f"{start:%Y-%m-%d}", meta.auto_adjust)
    except RefreshError:
        raise
    except Exception as exc:  # network errors, rate limits, yfinance's own errors
        raise RefreshError(f"download failed: {type(exc).__name__}: {exc}") from None
    new = _normalise(raw, pd.Timestamp(today or dt.datetime.now(dt.timezone.utc).date()))
    _check_new(new, old, meta)
    merged = pd.concat([old.loc[~old.index.isin(new.index)], new]).sort_index()
    lost = old.index.difference(merged.index)
    assert lost.empty, f"refresh would lose rows {list(lost)}"
    text = _format_csv(merged, symbol)
    # Round-trip before writing: what lands on disk must itself pass validation.
    from io import StringIO
    parse_frame(StringIO(text), "daily", f"refreshed {symbol}")
    path = root / meta.kind / f"{symbol}.csv"
    _write_atomic(path, text)
    manifest = read_manifest(root)
    entry = manifest["series"][symbol]
    added = len(merged) - len(old)
    stamp = dt.date.today().isoformat()
    entry.update(sha256=sha256(path), rows=len(merged), first=f"{merged.index[0]:%Y-%m-%d}",
                 last=f"{merged.index[-1]:%Y-%m-%d}")
    entry.setdefault("history", []).append(
        f"{stamp} refreshed from yfinance {meta.yf_ticker} (Ticker.history, auto_adjust="
        f"{meta.auto_adjust}): {added:+d} rows, {len(new)} downloaded rows merged")
    write_manifest(manifest, root)
    read_series_cache_clear()
    return f"{added:+d} rows, now {len(merged)} rows to {merged.index[-1]:%Y-%m-%d}"


def refresh(symbols: Iterable[str] | None = None, root: Path = DATA_DIR, download=None,
            today=None) -> tuple[list[str], bool]:
    """Refresh several series; return report lines and whether every one succeeded."""
    if not symbols:
        symbols = [s for s, m in SERIES.items() if m.kind == "daily" and m.yf_ticker]
    lines, ok = [], True
    for sym in symbols:
        try:
            lines.append(f"ok    {sym:10} {refresh_one(sym, root, download, today)}")
        except (RefreshError, DataError, ValueError) as exc:
            ok = False
            lines.append(f"FAIL  {sym:10} {exc} (cached file kept unchanged)")
    return lines, ok


# ---------------------------------------------------------------------------- CLI

def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m riskoff.data", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    p_imp = sub.add_parser("import-snapshot", help="copy a curated market-data folder into data/")
    p_imp.add_argument("path", type=Path)
    p_imp.add_argument("--force", action="store_true", help="replace cached files that differ")
    sub.add_parser("verify", help="validate every cached file against the manifest")
    p_pub = sub.add_parser("register-published",
                           help="add data/published/NAME.csv (with source_url column) to the manifest")
    p_pub.add_argument("name")
    p_ref = sub.add_parser("refresh", help="update daily series with yfinance (needs network)")
    p_ref.add_argument("symbols", nargs="*")
    args = parser.parse_args(argv)
    try:
        if args.cmd == "import-snapshot":
            lines, ok = import_snapshot(args.path, force=args.force), True
        elif args.cmd == "verify":
            lines, ok = verify(), True
        elif args.cmd == "register-published":
            lines, ok = [register_published(args.name)], True
        else:
            lines, ok = refresh(args.symbols)
    except (DataError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print("\n".join(lines))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
