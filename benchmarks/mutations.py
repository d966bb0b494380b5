"""Hand-made bugs, one at a time: does the unit-test suite catch each of them?

    python benchmarks/mutations.py              # every mutation, prints a Markdown table
    python benchmarks/mutations.py merge tnx    # only mutations whose name contains a word
    python benchmarks/mutations.py --list

Each mutation replaces one exact piece of text in one file of a temporary copy of the work
tree (the real files are never touched, so it is safe while others edit them), then runs the
unit tests that cover that code. "caught": a test failed; "MISSED": all passed; "error": the
tests could not run (a mutation that breaks the import is reported, not counted as caught);
"stale": the text to replace is no longer in the file exactly once (update the list).

Not a test and not part of CI (about 10 minutes on 2 cores); tests/test_mutations.py checks
only that every entry still applies.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP = {".git", "_build", "node_modules", ".pytest_cache", "__pycache__", "riskoff.egg-info",
        ".ipynb_checkpoints", ".jupyter_cache"}


@dataclass(frozen=True)
class Mutation:
    name: str
    file: str
    old: str
    new: str
    tests: tuple[str, ...]
    what: str


M = Mutation
MUTATIONS = [
    # ---- chart level: the browser computes these (issue 17: only nbval caught them)
    M("bar-colour-sign", "riskoff/charts/market.py",
      'alt.condition("datum.value < 0", alt.value(base.FALL)',
      'alt.condition("datum.value > 0", alt.value(base.FALL)',
      ("tests/test_chart_semantics.py",), "who-fell bars: fall colour on rises"),
    M("peer-colour-sign", "riskoff/charts/nvidia.py",
      'condition={"test": "datum.value < 0", "value": base.FALL}',
      'condition={"test": "datum.value > 0", "value": base.FALL}',
      ("tests/test_chart_semantics.py",), "peer bars: fall colour on rises"),
    M("trend-ma-window", "riskoff/charts/drivers.py", "frame=[-(L - 1), 0]", "frame=[-L, 0]",
      ("tests/test_chart_semantics.py",), "trend chart: L+1 closes in the moving average"),
    M("inclusive-percentile", "riskoff/charts/drivers.py",
      "datum.change_bp <= datum.evv ? 1 : 0", "datum.change_bp < datum.evv ? 1 : 0",
      ("tests/test_chart_semantics.py",), "yield chart: ties not counted as at or below"),
    # ---- the data cache (issue 17: nothing caught these)
    M("merge-keeps-cache", "riskoff/data.py",
      "merged = pd.concat([old.loc[~old.index.isin(new.index)], new]).sort_index()",
      "merged = pd.concat([old, new.loc[~new.index.isin(old.index)]]).sort_index()",
      ("tests/test_data.py",), "refresh keeps cached rows over downloaded ones"),
    M("tnx-two-decimals", "riskoff/data.py", 'return 3 if symbol == "TNX" else 2',
      "return 2", ("tests/test_data.py",), "refresh rounds the 10-year yield index to 2 dp"),
    M("inf-accepted", "riskoff/data.py",
      "inf = np.isinf(df[col].to_numpy(dtype=float))", "inf = np.zeros(len(df), dtype=bool)",
      ("tests/test_data.py",), "inf accepted in a CSV"),
    # ---- measurements
    M("prev-close-inclusive", "riskoff/metrics.py",
      'before = df.loc[: _ts(date) - pd.Timedelta(days=1), "close"].dropna()',
      'before = df.loc[: _ts(date), "close"].dropna()',
      ("tests/test_metrics.py",), "day change against the same day's close"),
    M("high-to-close-open", "riskoff/metrics.py",
      'return float(bar["close"]) / float(bar["high"]) - 1',
      'return float(bar["close"]) / float(bar["open"]) - 1',
      ("tests/test_metrics.py",), "high-to-close measured from the open"),
    M("rebase-last-value", "riskoff/metrics.py", "s.dropna().iloc[0] if s.notna().any()",
      "s.dropna().iloc[-1] if s.notna().any()", ("tests/test_metrics.py",),
      "rebased to the last value, not the first"),
    M("gap-fade-open", "riskoff/drivers.py", 'return (g["gap"] >= min_gap) & (g["day"] < 0)',
      'return (g["gap"] >= min_gap) & (g["open_to_close"] < 0)', ("tests/test_drivers.py",),
      "gap-and-fade: closed below the open instead of the previous close"),
    M("trailing-includes-today", "riskoff/drivers.py",
      "trailing = values.shift(1).rolling(window, min_periods=window).mean()\n    return",
      "trailing = values.rolling(window, min_periods=window).mean()\n    return",
      ("tests/test_drivers.py",), "ratio to a trailing mean that includes the day"),
    M("percentile-exclusive", "riskoff/drivers.py", "return float((v <= v.loc[date]).mean())",
      "return float((v < v.loc[date]).mean())", ("tests/test_drivers.py",),
      "percentile of a day's return excludes ties"),
    M("vol-always-252", "riskoff/volatility.py",
      "return (log_returns(close).rolling(window).std() * np.sqrt(periods)).dropna()",
      "return (log_returns(close).rolling(window).std() * np.sqrt(252)).dropna()",
      ("tests/test_ch5.py",), "Bitcoin's volatility annualized with 252 days"),
    M("baseline-includes-event", "riskoff/volatility.py",
      "pre = vol.loc[pd.Timestamp(start): pd.Timestamp(before) - pd.Timedelta(days=1)]",
      "pre = vol.loc[pd.Timestamp(start): pd.Timestamp(before)]", ("tests/test_ch5.py",),
      "2025 median includes the event day"),
    M("session-drops-close", "riskoff/intraday.py", "(bars.index >= first) & (bars.index <= last)",
      "(bars.index >= first) & (bars.index < last)", ("tests/test_intraday.py",),
      "intraday session loses the 16:00 closing print"),
    M("post-meeting-rate", "riskoff/fedwatch.py", "return (n * avg - m * pre) / (n - m)",
      "return (n * avg - m * pre) / n", ("tests/test_fedwatch.py",),
      "FedWatch post-meeting rate divided by N"),
    M("analog-window-short", "riskoff/analogs.py", '& (table["months_since_peak"] <= int(h))',
      '& (table["months_since_peak"] < int(h))', ("tests/test_analogs.py",),
      "a high set exactly H months earlier left out"),
    # ---- arguments and presentation
    M("session-any-day", "riskoff/args.py", "    if ts in index:\n        return _iso(ts)",
      "    if True:\n        return _iso(ts)", ("tests/test_args.py",),
      "a non-trading day accepted as a session"),
    M("window-fraction", "riskoff/args.py",
      "if isinstance(value, bool) or not isinstance(value, numbers.Integral):",
      "if isinstance(value, bool) or not isinstance(value, numbers.Real):",
      ("tests/test_args.py",), "a window of 2.5 accepted"),
    M("int-date", "riskoff/args.py", "    else:\n        fail(name, value, _(\"is not a date;",
      "    elif isinstance(value, int):\n        ts = pd.Timestamp(value)\n    else:\n"
      "        fail(name, value, _(\"is not a date;", ("tests/test_args.py",),
      "20251120 read as nanoseconds after 1970"),
    M("handler-shortens-all", "riskoff/__init__.py",
      "return Path(tb.tb_frame.f_code.co_filename).resolve().is_relative_to(_PACKAGE)",
      "return True", ("tests/test_args.py",), "every ValueError of the session shortened"),
    M("shared-href", "riskoff/ch2.py", 'r"https?://[^\\s<]+"', 'r"https?://[^<]+"',
      ("tests/test_table_links.py",), "two addresses in one link again"),
    M("date-label-zero-pad", "riskoff/i18n.py", 'return f"{ts.day} {ts:%b %Y}"',
      'return f"{ts:%d %b %Y}"', ("tests/test_portable_dates.py",),
      "dates written 03 Nov 2025"),
]


def _copy_tree(dest: Path) -> None:
    shutil.copytree(ROOT, dest, ignore=lambda d, names: [n for n in names if n in SKIP],
                    symlinks=True)


def check(mutation: Mutation, root: Path = ROOT) -> str | None:
    """Why the mutation cannot be applied to ``root`` (None when it applies exactly once)."""
    path = root / mutation.file
    if not path.exists():
        return f"{mutation.file} does not exist"
    n = path.read_text().count(mutation.old)
    return None if n == 1 else f"text found {n} times in {mutation.file}"


def _pytest(tree: Path, tests, extra=(), timeout: int = 900) -> tuple[int, str]:
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1"}
    try:
        proc = subprocess.run([sys.executable, "-m", "pytest", *tests, "-q", "-rf",
                               "-p", "no:nbval", "-p", "no:cacheprovider", "-o", "addopts=",
                               "--no-header", *extra], cwd=tree, env=env, capture_output=True,
                              text=True, timeout=timeout)
        return proc.returncode, proc.stdout
    except subprocess.TimeoutExpired:
        return -1, "timeout"


def _failed(out: str) -> list[str]:
    return [ln.split(" - ")[0].replace("FAILED ", "").strip() for ln in out.splitlines()
            if ln.startswith("FAILED")]


def baseline(tree: Path, tests) -> list[str]:
    """Tests that already fail on the unmutated copy: left out of the mutation runs."""
    return _failed(_pytest(tree, tests)[1])


def run(mutation: Mutation, tree: Path, skip=()) -> tuple[str, float, str]:
    problem = check(mutation, tree)
    if problem:
        return "stale", 0.0, problem
    path = tree / mutation.file
    original = path.read_text()
    path.write_text(original.replace(mutation.old, mutation.new))
    t0 = time.perf_counter()
    try:
        code, out = _pytest(tree, mutation.tests,
                            ["-x", *(a for t in skip for a in ("--deselect", t))])
    finally:
        path.write_text(original)  # the next mutation starts from the unmutated copy
    secs = time.perf_counter() - t0
    failed = _failed(out)
    if code == 1:
        return "caught", secs, failed[0] if failed else "a test failed"
    if code == 0:
        return "MISSED", secs, "all tests passed"
    return "error", secs, (out.strip().splitlines() or ["no output"])[-1][:100]


def main(argv: list[str]) -> int:
    if "--list" in argv:
        for m in MUTATIONS:
            print(f"{m.name:26} {m.file:28} {m.what}")
        return 0
    words = [a for a in argv if not a.startswith("-")]
    chosen = [m for m in MUTATIONS if not words or any(w in m.name for w in words)]
    with tempfile.TemporaryDirectory(prefix="riskoff-mutations-") as tmp:
        tree = Path(tmp) / "tree"
        _copy_tree(tree)
        known = {}
        for tests in dict.fromkeys(m.tests for m in chosen):
            known[tests] = baseline(tree, tests)
            for t in known[tests]:
                print(f"baseline: {t} fails without any mutation (left out)", file=sys.stderr)
        rows = []
        for m in chosen:
            status, secs, detail = run(m, tree, known[m.tests])
            rows.append((m, status, secs, detail))
            print(f"{status:7} {m.name:26} {secs:5.0f} s  {detail}", file=sys.stderr, flush=True)
    caught = sum(r[1] == "caught" for r in rows)
    print(f"| Mutation | File | Bug | Result | First failing test |\n|---|---|---|---|---|")
    for m, status, secs, detail in rows:
        print(f"| {m.name} | {m.file} | {m.what} | {status} | {detail} |")
    print(f"\n{caught} of {len(rows)} mutations caught by the unit tests.")
    left_out = sorted({t for ts in known.values() for t in ts})
    if left_out:
        print(f"Left out (failing before any mutation): {', '.join(left_out)}")
    return 0 if caught == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
