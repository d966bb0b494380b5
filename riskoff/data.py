"""The market-data cache in data/: import, validate, load and refresh.

Command line (run from the repository root):

    python -m riskoff.data import-snapshot ../shared/market-data   # one-time import
    python -m riskoff.data verify                                  # check every cached file
    python -m riskoff.data refresh [SYMBOL ...]                    # yfinance, when online

Every cached file is listed in data/manifest.json with its provenance and a SHA-256
checksum. Loading checks the manifest's structure, the checksum, the schema, the dates, the
row count and date range against the manifest, and the plausibility of every row, and raises
DataError with one line naming the file and the fix.

A refresh changes two files (the series' CSV and the manifest). It writes both to temporary
files, then a journal naming them (the commit point), then renames them into place: after a
crash at any point the next load finishes the commit (journal present) or discards the
temporary files (no journal), so every series reads fully old or fully new.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import io
import json
import math
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import pandas as pd

from .catalog import PUBLISHED, SERIES
from .errors import DataError, RefreshError
from .i18n import N_, _

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
MANIFEST = "manifest.json"
PRICE_COLUMNS = ["open", "high", "low", "close"]
COLUMNS = {
    "daily": ["date", *PRICE_COLUMNS, "volume"],
    "intraday": ["timestamp", *PRICE_COLUMNS, "volume"],
    "monthly": ["date", "close"],
}
FIX_RESTORE = N_("restore the committed cache with `git checkout -- data/`, or re-import it "
                 "with `python -m riskoff.data import-snapshot <market-data folder> --force`")


def _fix() -> str:
    """The fix every cache error names, in the reader's language."""
    return _("Fix: {fix}.").format(fix=_(FIX_RESTORE))


# ---------------------------------------------------------------------------- manifest

def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_manifest(root: Path = DATA_DIR) -> dict:
    path = root / MANIFEST
    recover(root)  # finish or discard a commit a crash interrupted
    if not path.exists():
        raise DataError(_("{file} is missing. {fix}").format(file=_rel(path), fix=_fix()))
    try:
        manifest = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise DataError(_("{file} is not valid JSON ({error}, line {line}). {fix}").format(
            file=_rel(path), error=exc.msg, line=exc.lineno, fix=_fix())) from None
    problem = _checked_manifest(str(path), _version(path), manifest)
    if problem:
        raise DataError(_("{file}: {problem}. {fix}").format(file=_rel(path), problem=problem,
                                                          fix=_fix()))
    return manifest


def manifest_digest(root: Path = DATA_DIR) -> str:
    """SHA-256 of data/manifest.json: names the whole cache, since it holds every file's."""
    read_manifest(root)  # recovers an interrupted commit and checks the structure first
    return sha256(root / MANIFEST)


# Keys every manifest entry must carry, with their types (checked before any file is read).
SERIES_KEYS = {"file": str, "kind": str, "sha256": str, "rows": int, "first": str,
               "last": str, "name": str, "unit": str, "basis": str, "calendar": str}
PUBLISHED_KEYS = {"file": str, "sha256": str, "rows": int, "description": str,
                  "sources": list}


_MANIFEST_VERDICTS: dict[tuple, str | None] = {}


def _checked_manifest(path: str, version: tuple, manifest) -> str | None:
    # The structure is checked once per file version (loads read the manifest every time).
    from .i18n import lang

    key = (path, version, lang())  # the verdict is a phrase in the reader's language
    if key not in _MANIFEST_VERDICTS:
        _MANIFEST_VERDICTS[key] = manifest_problem(manifest)
    return _MANIFEST_VERDICTS[key]


def manifest_problem(manifest) -> str | None:
    """The first structural fault of a parsed manifest, as a phrase, or None."""
    if not isinstance(manifest, dict):
        return _("is a JSON {type}, expected an object with a 'series' key").format(
            type=type(manifest).__name__)
    if not isinstance(manifest.get("series"), dict) or not manifest["series"]:
        return _("lacks a non-empty 'series' object")
    if not isinstance(manifest.get("published", {}), dict):
        return _("'published' is not an object")
    groups = [("series", manifest["series"], SERIES_KEYS),
              ("published", manifest.get("published", {}), PUBLISHED_KEYS)]
    for group, entries, keys in groups:
        for name, entry in entries.items():
            where = _("{group} entry {name}").format(group=group, name=repr(name))
            if not isinstance(entry, dict):
                return _("{where} is a JSON {type}, expected an object").format(
                    where=where, type=type(entry).__name__)
            for key, typ in keys.items():
                if key not in entry:
                    return _("{where} lacks the key {key}").format(where=where, key=repr(key))
                value = entry[key]
                if not isinstance(value, typ) or (typ is int and isinstance(value, bool)):
                    return _("{where} has {key} = {value} ({type}), expected {expected}").format(
                        where=where, key=key, value=repr(value), type=type(value).__name__,
                        expected=typ.__name__)
            if not re.fullmatch(r"[0-9a-f]{64}", entry["sha256"]):
                return _("{where} has sha256 {value}, not 64 hex digits").format(
                    where=where, value=repr(entry["sha256"]))
            if entry["rows"] < 1:
                return _("{where} has rows = {rows}, expected at least 1").format(
                    where=where, rows=entry["rows"])
            f = entry["file"]
            if Path(f).is_absolute() or ".." in Path(f).parts or not f.endswith(".csv"):
                return _("{where} has file {file}, expected a .csv path inside data/").format(
                    where=where, file=repr(f))
            if group == "series" and entry["kind"] not in COLUMNS:
                return _("{where} has kind {kind}, expected one of {kinds}").format(
                    where=where, kind=repr(entry["kind"]), kinds=sorted(COLUMNS))
    return None


def manifest_text(manifest: dict) -> str:
    return json.dumps(manifest, indent=1, sort_keys=True) + "\n"


def write_manifest(manifest: dict, root: Path = DATA_DIR) -> None:
    commit({MANIFEST: manifest_text(manifest)}, root)


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


# ---------------------------------------------------------------------------- crash-proof commit

TMP_SUFFIX = ".tmp"  # every temporary file is ".<target name>.<random>.tmp" next to its target
JOURNAL = ".commit-journal.json"  # exists only between a commit's commit point and its end


def _crash_point(step: str) -> None:
    """Called between the steps of a commit; tests replace it to simulate a kill there."""


def _fsync_dir(path: Path) -> None:
    if os.name == "posix":  # a rename is durable once its directory entry is synced
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _temp_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    dirs = [root, *(d for d in root.iterdir() if d.is_dir())]
    return [f for d in dirs for f in d.iterdir()
            if f.name.startswith(".") and f.name.endswith(TMP_SUFFIX)]


@contextlib.contextmanager
def _lock(root: Path):
    """One writer or recoverer at a time per cache (POSIX; elsewhere a no-op)."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    key = hashlib.sha1(str(root.resolve()).encode()).hexdigest()[:16]
    with open(Path(tempfile.gettempdir()) / f"riskoff-data-{key}.lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


_CLEAN_FOLDERS: set[tuple] = set()  # folder states already seen free of temporary files


def _folder_state(root: Path) -> tuple:
    # A folder's mtime changes when a file is created, renamed or deleted in it.
    try:
        with os.scandir(root) as entries:
            subs = [(e.name, e.stat().st_mtime_ns) for e in entries if e.is_dir()]
        return (str(root), root.stat().st_mtime_ns, *sorted(subs))
    except OSError:
        return (str(root),)


def recover(root: Path = DATA_DIR) -> list[str]:
    """Finish a commit a crash interrupted after its commit point, or discard its temporary
    files if it stopped before; return what was done (nothing, normally)."""
    state = _folder_state(root)
    if state in _CLEAN_FOLDERS:
        return []
    if not (root / JOURNAL).exists() and not _temp_files(root):
        _CLEAN_FOLDERS.add(state)
        return []
    with _lock(root):
        return _recover_locked(root)


def _recover_locked(root: Path) -> list[str]:
    done = []
    journal = root / JOURNAL
    if journal.exists():
        try:  # complete by construction: it was renamed into place after being synced
            plan = json.loads(journal.read_text())["replace"]
        except (ValueError, KeyError, TypeError):
            raise DataError(_("{file}: unreadable commit journal. Fix: delete it, then {fix}.")
                            .format(file=_rel(journal), fix=_(FIX_RESTORE))) from None
        for tmp, target in plan:
            if (root / tmp).exists():
                os.replace(root / tmp, root / target)
                done.append(f"finished an interrupted commit of {target}")
        for folder in {(root / target).parent for _, target in plan}:
            _fsync_dir(folder)
        journal.unlink(missing_ok=True)
    for tmp in _temp_files(root):
        tmp.unlink(missing_ok=True)
        done.append(f"removed {tmp.name} (left by an interrupted write)")
    if done:
        read_series_cache_clear()
    return done


def _write_temp(target: Path, text: str) -> Path:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=TMP_SUFFIX)
    raw = text.encode()
    with os.fdopen(fd, "wb") as fh:
        fh.write(raw[: len(raw) // 2])
        fh.flush()
        _crash_point(f"half-written {target.name}")
        fh.write(raw[len(raw) // 2:])
        fh.flush()
        os.fsync(fh.fileno())
    _crash_point(f"written {target.name}")
    return Path(tmp)


def commit(files: dict[str, str], root: Path = DATA_DIR) -> None:
    """Replace several cache files (relative name -> new text) as one crash-safe change.

    Steps: write each new file to a temporary file; write the journal naming them to its own
    temporary file and rename it into place (the commit point); rename each temporary file
    over its target; delete the journal. recover() finishes or undoes an interrupted run.
    """
    with _lock(root):
        _recover_locked(root)
        try:
            plan = [[_write_temp(root / rel, text).relative_to(root).as_posix(), rel]
                    for rel, text in files.items()]
            journal_tmp = _write_temp(root / JOURNAL, json.dumps({"replace": plan}) + "\n")
            os.replace(journal_tmp, root / JOURNAL)
            _fsync_dir(root)
            _crash_point("journal committed")
            for tmp, rel in plan:
                os.replace(root / tmp, root / rel)
                _crash_point(f"replaced {rel}")
            for folder in {(root / rel).parent for rel in files}:
                _fsync_dir(folder)
            (root / JOURNAL).unlink()
            _crash_point("journal removed")
        except Exception:
            with contextlib.suppress(Exception):
                _recover_locked(root)  # before the commit point: discard; after: finish
            raise
        finally:
            read_series_cache_clear()


# ---------------------------------------------------------------------------- validation

RANGE_TOL = 5e-4  # relative slack of open/close against the day's high-low (adjustment rounding)
HALF_CENT = 0.005  # half the last digit of a price written with 2 decimals


def _when(ts: pd.Timestamp) -> str:
    return ts.isoformat() if ts.tzinfo is not None or ts != ts.normalize() else f"{ts:%Y-%m-%d}"


def parse_frame(text_or_path, kind: str, name: str) -> pd.DataFrame:
    """Parse a cached CSV into a frame indexed by date/timestamp, checking everything."""
    expected = COLUMNS[kind]
    try:
        df = pd.read_csv(text_or_path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataError(_("{file}: not a readable CSV ({error}). {fix}").format(
            file=name, error=exc, fix=_fix())) from None
    if list(df.columns) != expected:
        raise DataError(_("{file}: columns are {columns}, expected {expected}. {fix}").format(
            file=name, columns=list(df.columns), expected=expected, fix=_fix()))
    key = expected[0]
    if df.empty:
        raise DataError(_("{file}: has no rows. {fix}").format(file=name, fix=_fix()))
    if kind == "intraday":
        idx = pd.to_datetime(df[key], errors="coerce", utc=True, format="ISO8601")
    else:
        idx = pd.to_datetime(df[key], errors="coerce", format="%Y-%m-%d")
    if idx.isna().any():
        bad = df.loc[idx.isna(), key].iloc[0]
        raise DataError(_("{file}: unreadable {key} {value}. {fix}").format(
            file=name, key=key, value=repr(bad), fix=_fix()))
    if not idx.is_monotonic_increasing or idx.duplicated().any():
        raise DataError(_("{file}: {key}s are not sorted and unique. {fix}").format(
            file=name, key=key, fix=_fix()))
    out = pd.DataFrame(index=pd.DatetimeIndex(idx, name=key))
    for col in expected[1:]:
        raw = df[col].fillna("").str.strip()  # a row cut short has no field at all
        num = pd.to_numeric(raw.where(raw != ""), errors="coerce")
        bad = num.isna() & (raw != "")
        if bad.any():
            raise DataError(_("{file}: non-numeric {column} {value} on {when}. {fix}").format(
                file=name, column=col, value=repr(raw[bad].iloc[0]),
                when=df.loc[bad, key].iloc[0], fix=_fix()))
        out[col] = num.to_numpy(dtype=float)
    check_plausible(out, name)
    return out


def check_plausible(df: pd.DataFrame, name: str, allow_negative: bool = False) -> None:
    """Row by row: finite, prices above zero, high >= low, open and close inside the range."""
    def fix(problem: str) -> str:   # the sentence and its fix, joined as the language joins them
        return _("{problem} {fix}").format(problem=problem, fix=_fix())

    for col in [c for c in [*PRICE_COLUMNS, "volume"] if c in df]:
        inf = np.isinf(df[col].to_numpy(dtype=float))
        if inf.any():
            i = int(inf.argmax())
            raise DataError(fix(_("{file}: non-finite {column} {value} on {when}.").format(
                file=name, column=col, value=df[col].iloc[i], when=_when(df.index[i]))))
    prices = [c for c in PRICE_COLUMNS if c in df]
    if not allow_negative:
        bad = (df[prices] <= 0).to_numpy()
        if bad.any():
            i, j = np.argwhere(bad)[0]
            raise DataError(fix(_("{file}: non-positive price ({column} {value}) on {when}.")
                                .format(file=name, column=prices[j], value=df[prices[j]].iloc[i],
                                        when=_when(df.index[i]))))
    if "volume" in df and (df["volume"] < 0).any():
        i = int((df["volume"] < 0).to_numpy().argmax())
        raise DataError(fix(_("{file}: negative volume on {when}.").format(
            file=name, when=_when(df.index[i]))))
    if "high" in df and "low" in df:
        bad = df["high"] < df["low"]
        if bad.any():
            raise DataError(fix(_("{file}: high below low on {when}.").format(
                file=name, when=_when(df.index[bad][0]))))
        tol = RANGE_TOL * df["high"].abs() + HALF_CENT
        for col in ("open", "close"):
            for side, off in (("high", df[col] > df["high"] + tol),
                              ("low", df[col] < df["low"] - tol)):
                if off.any():
                    i = int(off.to_numpy().argmax())
                    text = (_("{file}: {column} {value} above the high {edge} on {when}.")
                            if side == "high" else
                            _("{file}: {column} {value} below the low {edge} on {when}."))
                    raise DataError(fix(text.format(file=name, column=col, value=df[col].iloc[i],
                                                    edge=df[side].iloc[i],
                                                    when=_when(df.index[i]))))


def _version(path: Path) -> tuple[int, int]:
    """Modification time and size: part of each cache key, so a changed file is re-checked."""
    st = path.stat()
    return st.st_mtime_ns, st.st_size


@functools.lru_cache(maxsize=None)
def _read_validated(path_str: str, kind: str, digest: str, rows: int, first: str, last: str,
                    version: tuple) -> pd.DataFrame:
    # Read and checked once per file version and manifest entry, not on every call.
    path = Path(path_str)
    raw = path.read_bytes()
    name = _rel(path)
    if hashlib.sha256(raw).hexdigest() != digest:
        raise DataError(_("{file}: checksum does not match data/manifest.json (the file changed "
                          "since it was imported or refreshed). {fix}").format(file=name, fix=_fix()))
    if not raw.endswith(b"\n"):
        raise DataError(_("{file}: does not end with a line break (a file cut short). {fix}")
                        .format(file=name, fix=_fix()))
    df = parse_frame(io.BytesIO(raw), kind, name)
    if len(df) != rows:
        raise DataError(_("{file}: {n} rows, but data/manifest.json lists {rows} (a file cut "
                          "short or edited). {fix}").format(file=name, n=len(df), rows=rows,
                                                              fix=_fix()))
    span = (_stamp(df.index[0], kind), _stamp(df.index[-1], kind))
    if span != (first, last):
        raise DataError(_("{file}: runs {start} to {end}, but data/manifest.json lists {first} "
                          "to {last}. {fix}").format(file=name, start=span[0], end=span[1],
                                                     first=first, last=last, fix=_fix()))
    return df


_MANIFESTS: dict[tuple, dict] = {}


def _manifest_read_only(root: Path) -> dict:
    # read_manifest() for callers that only read it, parsed once per file content (a chapter
    # loads series thousands of times; parsing and checking the manifest each time cost
    # seconds). Keyed by the bytes themselves, so an edit within one timestamp tick counts,
    # and by the reader (a test may replace read_manifest).
    recover(root)
    try:
        key = (str(root / MANIFEST), (root / MANIFEST).read_bytes(), read_manifest)
    except OSError:
        return read_manifest(root)  # says what is wrong
    if key not in _MANIFESTS:
        manifest = read_manifest(root)
        _MANIFESTS.clear()
        _MANIFESTS[key] = manifest
    return _MANIFESTS[key]


def _entry(symbol: str, root: Path) -> dict:
    entries = _manifest_read_only(root)["series"]
    if symbol not in entries:
        known = ", ".join(sorted(entries))
        raise ValueError(_("unknown series {symbol}; the cache holds: {known}").format(
            symbol=repr(symbol), known=known))
    return entries[symbol]


def series(symbol: str, root: Path = DATA_DIR) -> pd.DataFrame:
    """One validated series, indexed by date (or timestamp for intraday bars)."""
    e = _entry(symbol, root)
    path = root / e["file"]
    if not path.exists():
        raise DataError(_("{file} is missing (listed in data/manifest.json). {fix}").format(
            file=_rel(path), fix=_fix()))
    # From pandas 3 (copy-on-write always on) a shallow copy is enough: a caller's change to
    # it (a column, a cell, the index name) copies first and its arrays are read-only, so the
    # cached frame cannot change (tests/test_widgets.py tries); a deep copy cost as much as
    # the rest of the call. Older pandas share the arrays: a deep copy there.
    return _read_validated(str(path), e["kind"], e["sha256"], e["rows"], e["first"], e["last"],
                           _version(path)).copy(deep=not _COPY_ON_WRITE)


_COPY_ON_WRITE = int(pd.__version__.split(".")[0]) >= 3


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
        raise ValueError(_("load() needs at least one symbol"))
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
        raise ValueError(_("unknown published table {name}; known: {known}").format(
            name=repr(name), known=", ".join(sorted(entries))))
    e = entries[name]
    path = root / e["file"]
    if not path.exists():
        raise DataError(_("{file} is missing (listed in data/manifest.json). {fix}").format(
            file=_rel(path), fix=_fix()))
    return _read_published(str(path), e["sha256"], e["rows"], _version(path)).copy()


@functools.lru_cache(maxsize=None)
def _read_published(path_str: str, digest: str, rows: int, version: tuple) -> pd.DataFrame:
    path = Path(path_str)
    raw = path.read_bytes()
    if hashlib.sha256(raw).hexdigest() != digest:
        raise DataError(_("{file}: checksum does not match data/manifest.json. {fix}").format(
            file=_rel(path), fix=_fix()))
    df = pd.read_csv(io.BytesIO(raw))
    if len(df) != rows:
        raise DataError(_("{file}: {n} rows, but data/manifest.json lists {rows}. {fix}").format(
            file=_rel(path), n=len(df), rows=rows, fix=_fix()))
    return df


def info(symbol: str, root: Path = DATA_DIR) -> dict:
    """Manifest entry of a series (name, unit, basis, source, range, checksum)."""
    return dict(_entry(symbol, root))


FIX_UNLISTED = ("delete it, or list it: `python -m riskoff.data register-published NAME` for a "
                "published table, a re-import for a series")


def verify_report(root: Path = DATA_DIR) -> tuple[list[str], int]:
    """Check every file the manifest lists, every catalog series, and every file in the cache
    folder; return one line per item and the number that failed."""
    manifest = read_manifest(root)  # a structural fault stops here, with one line
    lines, failed = [], 0

    def fail(what: str, msg: str) -> None:
        nonlocal failed
        failed += 1
        lines.append(f"FAIL  {what:14} {msg}")

    for sym in sorted(manifest["series"]):
        try:
            df = series(sym, root)
        except DataError as exc:
            fail(sym, str(exc))
            continue
        lines.append(f"ok  {sym:14} {len(df):5d} rows  "
                     f"{df.index[0]:%Y-%m-%d}..{df.index[-1]:%Y-%m-%d}")
    for name in sorted(manifest.get("published", {})):
        try:
            lines.append(f"ok  {name} ({len(published(name, root))} rows, published figures)")
        except DataError as exc:
            fail(name, str(exc))
    for sym in SERIES:
        if sym not in manifest["series"]:
            fail(sym, f"{_rel(root / MANIFEST)} has no entry for this catalog series. "
                      f"Fix: {FIX_RESTORE}.")
    listed = {MANIFEST, manifest.get("provenance_doc", "PROVENANCE.md")}
    listed |= {e["file"] for group in ("series", "published")
               for e in manifest.get(group, {}).values()}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        if rel not in listed:
            fail(rel, f"{_rel(path)} is not listed in data/manifest.json. Fix: {FIX_UNLISTED}.")
    return lines, failed


def verify(root: Path = DATA_DIR) -> list[str]:
    """Validate the whole cache; return one line per file, or raise DataError on a fault."""
    lines, failed = verify_report(root)
    if failed:
        first = next(line for line in lines if line.startswith("FAIL"))
        raise DataError(f"{failed} problem(s) in the cache; first: {first[6:].strip()} "
                        f"(`python -m riskoff.data verify` lists them all)")
    return lines


def sources_table(root: Path = DATA_DIR) -> pd.DataFrame:
    """The manifest as a readable table: one row per cached series."""
    from .i18n import _

    rows = []
    for sym, e in sorted(read_manifest(root)["series"].items(), key=lambda kv: kv[1]["file"]):
        src = e.get("source", {})
        rows.append({_("Series"): _("{name} ({symbol})").format(name=_(e['name']), symbol=sym),
                     _("File"): e["file"], _("Unit"): _(e["unit"]), _("Basis"): _(e["basis"]),
                     _("Calendar"): _(e["calendar"]),
                     _("Range"): _("{first} to {last}").format(first=e['first'][:10],
                                                               last=e['last'][:10]),
                     _("Rows"): e["rows"],
                     _("Source"): f"{src.get('repository', '?')}: {src.get('path', '?')} "
                                  f"@ {src.get('commit', '?')}",
                     "SHA-256": e["sha256"][:16] + "…"})
    return pd.DataFrame(rows).set_index(_("Series"))


def published_table(root: Path = DATA_DIR) -> pd.DataFrame:
    from .i18n import _

    rows = [{_("Table"): name, _("What"): _(e["description"]), _("File"): e["file"],
             _("Rows"): e["rows"], _("Sources"): " ".join(e["sources"]),
             "SHA-256": e["sha256"][:16] + "…"}
            for name, e in sorted(read_manifest(root).get("published", {}).items())]
    return pd.DataFrame(rows).set_index(_("Table"))


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

YF_CACHE = Path(tempfile.gettempdir()) / "riskoff-yfinance-cache"


def _yf_download(ticker: str, start: str, auto_adjust: bool) -> pd.DataFrame:
    """The only place that talks to yfinance (tests replace it to inject faults)."""
    import logging
    import warnings

    import yfinance as yf  # imported here: the book itself never needs the network

    yf.set_tz_cache_location(str(YF_CACHE))  # its caches: a temporary folder, not ~/.cache
    hide = yf.config.debug.hide_exceptions
    yf.config.debug.hide_exceptions = False  # raise errors (replaces raise_errors=True)
    # Its log lines would add to the one line per series: errors arrive as exceptions instead.
    logger = logging.getLogger("yfinance")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            # yfinance's own deprecation notices about its internals, not about the data.
            for category in (DeprecationWarning, PendingDeprecationWarning, FutureWarning):
                warnings.simplefilter("ignore", category)
            return yf.Ticker(ticker).history(start=start, auto_adjust=auto_adjust,
                                             actions=False)
    finally:
        yf.config.debug.hide_exceptions = hide
        logger.setLevel(level)


def _normalise(raw: pd.DataFrame, today: pd.Timestamp, old: pd.DataFrame | None = None
               ) -> pd.DataFrame:
    if raw is None or len(raw) == 0:
        raise RefreshError("empty frame (no data returned; delisted, wrong ticker or offline)")
    if not isinstance(raw, pd.DataFrame):
        raise RefreshError(f"download returned a {type(raw).__name__}, not a data frame")
    if isinstance(raw.columns, pd.MultiIndex):
        raw = raw.droplevel(-1, axis=1)
    df = raw.rename(columns=lambda c: str(c).lower())
    missing = [c for c in ["open", "high", "low", "close", "volume"] if c not in df]
    if missing:
        raise RefreshError(f"downloaded frame lacks columns {missing}")
    try:
        idx = pd.DatetimeIndex(df.index)
    except (TypeError, ValueError):
        raise RefreshError("downloaded frame is not indexed by dates") from None
    if idx.tz is not None:
        idx = idx.tz_localize(None)  # exchange-local (or UTC for crypto) calendar date
    df = df[["open", "high", "low", "close", "volume"]].set_axis(idx.normalize().rename("date"))
    try:
        df = df.astype(float)
    except (TypeError, ValueError):
        raise RefreshError("downloaded frame holds non-numeric prices") from None
    df = df.loc[~df[PRICE_COLUMNS].isna().all(axis=1)]  # rows with no prices: non-trading days
    df = df.loc[df.index < today]  # today's bar may still be moving (or lack its close)
    if df.empty:
        raise RefreshError("no completed, priced session in the download")
    if df.index.duplicated().any():
        raise RefreshError("downloaded frame has duplicate dates")
    missing = df.index[df["close"].isna()]
    if old is not None:  # a close the cache lacks too (the source never had it) is no news
        missing = missing.difference(old.index[old["close"].isna()])
    if len(missing):
        raise RefreshError(f"missing close on {missing[0]:%Y-%m-%d} (partial data)")
    return df.sort_index()


def _max_gap_days(meta) -> int:
    # Exchanges can close for up to 11 calendar days (Shanghai at Chinese New Year).
    return 3 if "7 days a week" in meta.calendar else 14


# Largest plausible one-session move from the previous close (of the close, high or low), per
# asset class: log-return for prices, percentage points for yields. A series whose own cached
# history holds larger moves gets MOVE_HISTORY_FACTOR times its largest one instead. Real
# moves in the cache: ORCL +35.9%, ETH -24.7%, gold -11.4%, KOSPI -12.1%, VIX +64%.
CLASS_MOVE = {"equity index": 0.15, "stock": 0.40, "ETF": 0.15, "crypto": 0.45,
              "commodity": 0.15, "volatility index": 0.90, "rates": 0.40}
MOVE_HISTORY_FACTOR = 1.5
REVISION_TOL = 1e-4  # relative, beyond half the last written digit: a tight tolerance
MIN_ADJUSTMENT = 0.5  # a dividend back-adjustment lowers past prices, by less than half


def _decimals(symbol: str) -> int:
    return 3 if symbol == "TNX" else 2  # ^TNX is quoted to 3 decimals


def _moves(df: pd.DataFrame, rates: bool) -> pd.DataFrame:
    """Per row, the move of close, high and low from the previous close."""
    prev = df["close"].ffill().shift()
    cols = [c for c in ("close", "high", "low") if c in df]
    if rates:
        return df[cols].sub(prev, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(df[cols].div(prev, axis=0))


def move_bound(old: pd.DataFrame, meta) -> float:
    history = _moves(old, meta.asset_class == "rates").abs().max().max()
    return max(CLASS_MOVE[meta.asset_class], MOVE_HISTORY_FACTOR * float(np.nan_to_num(history)))


def _check_new(new: pd.DataFrame, old: pd.DataFrame, meta) -> None:
    try:
        check_plausible(new, "downloaded frame", allow_negative=meta.asset_class == "rates")
    except DataError as exc:
        raise RefreshError(str(exc).split(" Fix:")[0].rstrip(".")) from None
    gaps = new.index.to_series().diff().dt.days
    if (gaps > _max_gap_days(meta)).any():
        at = gaps.idxmax()
        raise RefreshError(f"gap of {int(gaps.max())} days before {at:%Y-%m-%d} in the "
                           f"downloaded frame (incomplete download)")
    both = old.index.intersection(new.index)
    if len(both) == 0 and new.index[0] > old.index[-1] + pd.Timedelta(days=_max_gap_days(meta)):
        raise RefreshError("downloaded frame does not overlap the cache (cannot check continuity)")
    if meta.auto_adjust:
        # A dividend-adjusted download rescales all history; it must cover every cached date
        # so that old and new rows never mix adjustment bases.
        if new.index[0] > old.index[0]:
            raise RefreshError("adjusted series must be re-downloaded from its first cached "
                               "date, or old and new rows would mix adjustment bases")
        absent = old.index.difference(new.index)
        if len(absent):
            raise RefreshError(f"adjusted download lacks cached date {absent[0]:%Y-%m-%d}; "
                               f"refusing to mix adjustment bases")


def _largest(diff: pd.DataFrame) -> tuple[pd.Timestamp, str]:
    stacked = diff.abs().stack()
    return stacked.idxmax()


def _check_revisions(new: pd.DataFrame, old: pd.DataFrame, symbol: str,
                     accept: bool) -> str:
    """Compare the download with the cache on their common dates (traded prices).

    Returns a report phrase (empty when nothing changed); raises when a price moved by more
    than rounding plus REVISION_TOL, unless accept.
    """
    both = old.index.intersection(new.index)
    if len(both) == 0:
        return ""
    o, n = old.loc[both], new.loc[both]
    dec = _decimals(symbol)
    cols = PRICE_COLUMNS
    gone = o[cols].notna() & n[cols].isna()
    diff = (n[cols] - o[cols]).where(~gone, np.inf)
    rel = (diff / o[cols].abs()).fillna(0.0)
    beyond = diff.abs() > 0.5 * 10 ** -dec + REVISION_TOL * o[cols].abs()
    written = n[cols].round(dec).fillna(-1e300).ne(o[cols].fillna(-1e300))
    vol = n["volume"].round().fillna(-1).ne(o["volume"].fillna(-1))
    changed = written.any(axis=1) | vol
    if beyond.any(axis=None) and not accept:
        day, col = _largest(rel.where(beyond, 0.0))
        raise RefreshError(
            f"download revises {int(beyond.any(axis=1).sum())} cached row(s) beyond the "
            f"tolerance (largest: {col} on {day:%Y-%m-%d} is {o.loc[day, col]} in the cache, "
            f"{n.loc[day, col]} in the download, {rel.loc[day, col]:+.2%}); a split, a change "
            f"of price basis or a data revision? Inspect it, then pass --accept-revisions to "
            f"take the downloaded values")
    if not changed.any():
        return ""
    if written.any(axis=None):
        day, col = _largest(rel.where(written, 0.0))
        return (f"revised {int(changed.sum())} overlapping row(s), largest {col} on "
                f"{day:%Y-%m-%d} {o.loc[day, col]} -> {n.loc[day, col]:.{dec}f} "
                f"({rel.loc[day, col]:+.3%})")
    day = (n["volume"] / o["volume"] - 1).abs().where(vol, 0.0).idxmax()
    return (f"revised the volume of {int(vol.sum())} overlapping row(s), largest on "
            f"{day:%Y-%m-%d} {o.loc[day, 'volume']:.0f} -> {n.loc[day, 'volume']:.0f}")


def _check_adjusted(new: pd.DataFrame, old: pd.DataFrame, accept: bool) -> str:
    """An adjusted download may rescale the cached history uniformly (a dividend adjustment)
    but must leave every cached return unchanged."""
    both = old.index
    o, n = old.loc[both], new.loc[both]
    factor = float((n["close"] / o["close"]).median())
    if not MIN_ADJUSTMENT <= factor <= 1 + REVISION_TOL and not accept:
        raise RefreshError(
            f"adjusted download is {factor:.4f} times the cache on the cached dates; a "
            f"dividend adjustment only lowers past prices, by less than half. Inspect it, "
            f"then pass --accept-revisions to take the downloaded values")
    scaled = n[PRICE_COLUMNS] / factor
    diff = scaled - o[PRICE_COLUMNS]
    beyond = diff.abs() > HALF_CENT + REVISION_TOL * o[PRICE_COLUMNS].abs()
    if beyond.any(axis=None) and not accept:
        rel = (diff / o[PRICE_COLUMNS]).where(beyond, 0.0)
        day, col = _largest(rel)
        raise RefreshError(
            f"adjusted download changes the cached returns on {int(beyond.any(axis=1).sum())} "
            f"date(s) (largest: {col} on {day:%Y-%m-%d} {rel.loc[day, col]:+.2%} off the "
            f"cache after rescaling by {factor:.4f}); not a dividend adjustment. Inspect it, "
            f"then pass --accept-revisions to take the downloaded values")
    note = f"history rescaled x{factor:.4f} (dividend adjustment)" if abs(factor - 1) > 1e-6 else ""
    if beyond.any(axis=None):
        note += f"{'; ' if note else ''}returns revised on {int(beyond.any(axis=1).sum())} date(s)"
    return note


def _check_moves(merged: pd.DataFrame, old: pd.DataFrame, dates: pd.DatetimeIndex, meta,
                 accept: bool) -> None:
    """Refuse a move from the previous close beyond what the asset class and the series'
    own history make plausible (100x bars, split joins, 1e12 rows), unless accept."""
    if accept:
        return
    rates = meta.asset_class == "rates"
    bound = move_bound(old, meta)
    moves = _moves(merged, rates).loc[dates].abs()
    bad = moves > bound
    if not bad.any(axis=None):
        return
    day, col = _largest(moves.where(bad, 0.0))
    pos = merged.index.get_loc(day)
    prev = merged["close"].iloc[:pos].dropna().iloc[-1]
    value = merged.loc[day, col]
    size = f"{value - prev:+.3f} points" if rates else f"{value / prev - 1:+.1%}"
    limit = f"{bound:.2f} points" if rates else f"{math.expm1(bound):+.0%}/{math.expm1(-bound):+.0%}"
    raise RefreshError(
        f"{col} {value:g} on {day:%Y-%m-%d} is {size} from the previous close {prev:g}, beyond "
        f"the {limit} a {meta.asset_class} series (or its own history) makes plausible; inspect "
        f"it, then pass --accept-moves if the move is real")


def _format_csv(df: pd.DataFrame, symbol: str) -> str:
    decimals = _decimals(symbol)
    out = pd.DataFrame(index=df.index.strftime("%Y-%m-%d"))
    for col in PRICE_COLUMNS:
        out[col] = [f"{v:.{decimals}f}" if pd.notna(v) else "" for v in df[col]]
    out["volume"] = [f"{int(round(v))}" if pd.notna(v) else "" for v in df["volume"]]
    return out.rename_axis("date").to_csv(lineterminator="\n")


def refresh_one(symbol: str, root: Path = DATA_DIR,
                download: Callable[[str, str, bool], pd.DataFrame] | None = None,
                today: dt.date | None = None, accept_revisions: bool = False,
                accept_moves: bool = False) -> str:
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
    new = _normalise(raw, pd.Timestamp(today or dt.datetime.now(dt.timezone.utc).date()), old)
    _check_new(new, old, meta)
    if meta.auto_adjust:
        note = _check_adjusted(new, old, accept_revisions)
    else:
        note = _check_revisions(new, old, symbol, accept_revisions)
    # Downloaded rows replace cached ones on the overlap: they are the newer word.
    merged = pd.concat([old.loc[~old.index.isin(new.index)], new]).sort_index()
    lost = old.index.difference(merged.index)
    assert lost.empty, f"refresh would lose rows {list(lost)}"
    _check_moves(merged, old, new.index, meta, accept_moves)
    text = _format_csv(merged, symbol)
    # Round-trip before writing: what lands on disk must itself pass validation.
    parse_frame(io.StringIO(text), "daily", f"refreshed {symbol}")
    manifest = read_manifest(root)
    entry = manifest["series"][symbol]
    added = len(merged) - len(old)
    stamp = dt.date.today().isoformat()
    entry.update(sha256=hashlib.sha256(text.encode()).hexdigest(), rows=len(merged),
                 first=f"{merged.index[0]:%Y-%m-%d}", last=f"{merged.index[-1]:%Y-%m-%d}")
    entry.setdefault("history", []).append(
        f"{stamp} refreshed from yfinance {meta.yf_ticker} (Ticker.history, auto_adjust="
        f"{meta.auto_adjust}): {added:+d} rows, {len(new)} downloaded rows merged"
        + (f"; {note}" if note else ""))
    commit({entry["file"]: text, MANIFEST: manifest_text(manifest)}, root)
    return (f"{added:+d} rows, now {len(merged)} rows to {merged.index[-1]:%Y-%m-%d}"
            + (f"; {note}" if note else ""))


def refresh(symbols: Iterable[str] | None = None, root: Path = DATA_DIR, download=None,
            today=None, accept_revisions: bool = False, accept_moves: bool = False
            ) -> tuple[list[str], int]:
    """Refresh several series; return one report line each and how many failed.

    A failure of any kind in one series is reported and the run goes on to the next.
    """
    if not symbols:
        symbols = [s for s, m in SERIES.items() if m.kind == "daily" and m.yf_ticker]
    lines, failed = [], 0
    for sym in symbols:
        try:
            msg = refresh_one(sym, root, download, today, accept_revisions, accept_moves)
            lines.append(f"ok    {sym:10} {msg}")
        except Exception as exc:  # noqa: BLE001 -- one line per series, whatever went wrong
            failed += 1
            reason = (str(exc) if isinstance(exc, (RefreshError, DataError, ValueError))
                      else f"{type(exc).__name__}: {exc}")
            lines.append(f"FAIL  {sym:10} {reason} (cached file kept unchanged)")
    return lines, failed


# ---------------------------------------------------------------------------- CLI

FATAL = 100  # exit status when the command could not run at all; else the number that failed


def main(argv: list[str] | None = None) -> int:
    """Exit status: 0 when all is well; for verify and refresh, the number of files or series
    that failed (at most 99); 100 when the command could not run (one line says why)."""
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
    p_ref.add_argument("--accept-revisions", action="store_true",
                       help="take downloaded prices that differ from cached ones (after inspecting)")
    p_ref.add_argument("--accept-moves", action="store_true",
                       help="take day moves beyond the plausibility bound (after inspecting)")
    args = parser.parse_args(argv)
    try:
        if args.cmd == "import-snapshot":
            lines, failed = import_snapshot(args.path, force=args.force), 0
        elif args.cmd == "verify":
            lines, failed = verify_report()
        elif args.cmd == "register-published":
            lines, failed = [register_published(args.name)], 0
        else:
            lines, failed = refresh(args.symbols, accept_revisions=args.accept_revisions,
                                    accept_moves=args.accept_moves)
    except (DataError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return FATAL
    print("\n".join(lines))
    if failed:
        print(f"{failed} of {len(lines)} failed", file=sys.stderr)
    return min(failed, 99)


if __name__ == "__main__":
    sys.exit(main())
