"""The article's claims as data (riskoff/claims/*.yaml), measured and given a verdict.

Each YAML row: id, chapter, claim (our paraphrase), article (the article's figure as text),
article_value, unit, check (approx | below | above), tolerance, and measure:
``{metric: <name in METRICS>, symbol: ..., <arguments>}``, or
``{published: <table>, where: {column: value}, field: <column>}`` for third-party figures, or
``{none: <why it cannot be measured>}``. A later chapter adds rows, not code.
"""
from __future__ import annotations

import functools
import html
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from .. import data as rdata
from .. import metrics

HERE = Path(__file__).parent
CHAPTERS = {"data": "1. Who fell most", "fed": "2. The Fed", "nvidia": "3. The Nvidia paradox",
            "drivers": "4. The nine drivers", "outlook": "5. Outlook"}


def _pct(fn):
    return lambda df, **kw: 100 * fn(df, **kw)


def _field_on(field):
    def get(df, date):
        bar = metrics.session(df, date)
        return float("nan") if bar is None else float(bar[field])
    return get


METRICS = {
    "day_change": _pct(metrics.day_change),
    "high_to_close": _pct(metrics.high_to_close),
    "high_to_low": _pct(metrics.high_to_low),
    "high_vs_prev_close": _pct(metrics.high_vs_prev_close),
    "drawdown_on": _pct(metrics.drawdown_on),
    "change_since": _pct(metrics.change_since),
    "close_on": _field_on("close"),
    "low_on": _field_on("low"),
    "high_on": _field_on("high"),
    "max_close": lambda df, start, end: metrics.peak(df, start, end)[1],
    "max_high": lambda df, start, end: float(df.loc[start:end, "high"].max()),
}
VERDICTS = ("matches", "differs", "matches published figure", "differs from published figure",
            "published figure", "cannot be measured")
REQUIRED = ("id", "chapter", "claim", "article", "measure")


@dataclass
class Result:
    id: str
    chapter: str
    claim: str
    article: str
    measured: float | None
    measured_text: str
    verdict: str
    method: str


def load_rows(folder: Path = HERE) -> list[dict]:
    """Every claim row of the YAML files in ``folder`` (parsed once per file version)."""
    paths = sorted(Path(folder).glob("*.yaml"))
    stamp = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in paths)
    return [dict(row) for row in _load_rows(stamp)]


@functools.lru_cache(maxsize=8)
def _load_rows(stamp: tuple) -> list[dict]:
    rows, seen = [], set()
    for path in (Path(p) for p, *_ in stamp):
        try:
            items = yaml.safe_load(path.read_text()) or []
        except yaml.YAMLError as exc:
            raise ValueError(f"{path.name}: not valid YAML ({exc})") from None
        if not isinstance(items, list):
            raise ValueError(f"{path.name}: expected a list of claims")
        for i, row in enumerate(items):
            if not isinstance(row, dict):
                raise ValueError(f"{path.name}: claim #{i + 1} is not a mapping of keys")
            missing = [k for k in REQUIRED if k not in row]
            if isinstance(row.get("measure"), dict) and "metric" in row["measure"] \
                    and "article_value" not in row:
                missing.append("article_value")
            if missing:
                raise ValueError(f"{path.name}: claim #{i + 1} lacks {', '.join(missing)}")
            if row["chapter"] not in CHAPTERS:
                raise ValueError(f"{path.name}: claim {row['id']!r} has unknown chapter "
                                 f"{row['chapter']!r}; use one of {', '.join(CHAPTERS)}")
            if row["id"] in seen:
                raise ValueError(f"{path.name}: duplicate claim id {row['id']!r}")
            seen.add(row["id"])
            rows.append(row | {"_file": path.name})
    return rows


def _fmt(value: float, unit: str) -> str:
    if unit == "%":
        return f"{value:+.2f}%"
    if unit == "pp":
        return f"{value:.1f} pp"
    if abs(value) >= 1e9:
        return f"{value / 1e9:,.2f} bn {unit}".strip()
    if abs(value) >= 1e6:
        return f"{value / 1e6:,.1f} m {unit}".strip()
    return f"{value:,.2f} {unit}".strip()


def _metric(name: str, claim_id: str):
    """A registered metric, or "riskoff.module:function" for a chapter's own computation.

    With ``symbol`` in the claim the function gets that series' frame first; without, only
    the claim's other arguments (as strings).
    """
    if ":" in name:
        import importlib

        module, _, attr = name.partition(":")
        if not module.startswith("riskoff."):
            raise ValueError(f"claim {claim_id!r}: metric {name!r} must live in riskoff")
        try:
            return getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError):
            raise ValueError(f"claim {claim_id!r}: no function {name!r}") from None
    if name not in METRICS:
        raise ValueError(f"claim {claim_id!r}: unknown metric {name!r}; "
                         f"known: {', '.join(METRICS)}")
    return METRICS[name]


def _check(row: dict, value: float) -> bool:
    if "article_value" not in row:
        raise ValueError(f"claim {row.get('id')!r}: a measured claim needs article_value")
    target = float(row["article_value"])
    check = row.get("check", "approx")
    if check == "approx":
        return abs(value - target) <= float(row.get("tolerance", 0))
    if check == "below":
        return value < target
    if check == "above":
        return value > target
    raise ValueError(f"claim {row['id']!r}: unknown check {check!r}")


def evaluate(row: dict) -> Result:
    m = dict(row["measure"])
    unit = row.get("unit", "")
    base = dict(id=row["id"], chapter=row["chapter"], claim=row["claim"],
                article=str(row["article"]))
    if "none" in m:
        return Result(**base, measured=None, measured_text="—", verdict="cannot be measured",
                      method=m["none"])
    if "published" in m:
        table = rdata.published(m["published"])
        for col, val in m.get("where", {}).items():
            table = table[table[col].astype(str) == str(val)]
        if len(table) != 1:
            raise ValueError(f"claim {row['id']!r}: {len(table)} published rows match "
                             f"{m.get('where')}; expected exactly one")
        rec = table.iloc[0]
        value = float(rec[m["field"]])
        src = rec.get("source_url", rec.get("sources", ""))
        verdict = "published figure"
        if "article_value" in row:
            ok = _check(row, value)
            verdict = ("matches" if ok else "differs from") + " published figure"
        return Result(**base, measured=value, measured_text=_fmt(value, unit),
                      verdict=verdict,
                      method=f"Published figure ({m['published']}), not our measurement: {src}")
    metric = m.pop("metric")
    fn = _metric(metric, row["id"])
    symbol = m.pop("symbol", None)
    kwargs = {k: str(v) for k, v in m.items()}
    value = fn(rdata.series(symbol), **kwargs) if symbol else fn(**kwargs)
    if pd.isna(value):
        raise ValueError(f"claim {row['id']!r}: {metric} of {symbol} is missing for {m}")
    symbol = symbol or ""
    ok = _check(row, value)
    target, check = float(row["article_value"]), row.get("check", "approx")
    args = ", ".join(f"{k}={v}" for k, v in m.items())
    tol = f" within ±{row.get('tolerance', 0)}" if check == "approx" else f" ({check} {target:g})"
    return Result(**base, measured=value, measured_text=_fmt(value, unit),
                  verdict="matches" if ok else "differs",
                  method=f"{metric.split(':')[-1]}({', '.join(x for x in (symbol, args) if x)}){tol}")


def evaluate_all(chapter: str | None = None) -> list[Result]:
    return [evaluate(r) for r in load_rows() if chapter in (None, r["chapter"])]


def table(chapter: str | None = None) -> pd.DataFrame:
    """Claims with article figure, our figure and verdict, ready to display."""
    res = evaluate_all(chapter)
    columns = ["Chapter", "Claim (our paraphrase)", "Article", "Our figure", "Verdict",
               "How it was measured"]
    df = pd.DataFrame([[CHAPTERS[r.chapter], r.claim, r.article, r.measured_text, r.verdict,
                        r.method] for r in res], columns=columns)
    if chapter is not None:
        df = df.drop(columns="Chapter")
    return df


def show(chapter: str | None = None):
    """Display the claims as HTML tables with wrapped text, one per chapter."""
    from IPython.display import HTML, display

    keys = [chapter] if chapter else [k for k in CHAPTERS if any(
        r["chapter"] == k for r in load_rows())]
    parts = []
    for key in keys:
        df = table(key)
        if chapter is None:
            parts.append(f'<h3 class="claims-chapter">{html.escape(CHAPTERS[key])}</h3>')
        parts.append(df.to_html(index=False, escape=True, classes="claims-table", border=0))
    display(HTML("\n".join(parts)))


def summary() -> pd.DataFrame:
    """Count of verdicts per chapter."""
    df = pd.DataFrame([{"Chapter": CHAPTERS[r.chapter], "Verdict": r.verdict}
                       for r in evaluate_all()])
    return df.groupby(["Chapter", "Verdict"]).size().unstack(fill_value=0)
