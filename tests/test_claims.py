"""Unit tests of riskoff/claims: loading the YAML rows, evaluating them, and schema errors.

Expected figures are computed by hand from the cached CSV rows (csv module, plain arithmetic).
Schema tests write their own YAML files into tmp_path and never touch riskoff/claims/.
"""
from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from riskoff import claims

REPO = Path(__file__).resolve().parent.parent
DAILY = REPO / "data" / "daily"
PUBLISHED = REPO / "data" / "published"
DATA_IDS = {"ndx-day", "ndx-reversal", "ndx-drawdown", "ndx-2tn", "nvda-up5", "nvda-close",
            "hsi-day", "sse-below-3900", "sse-day", "btc-peak", "btc-86k", "btc-below-90k",
            "btc-ytd", "eth-below-2800", "gold-day", "gold-4000", "liq-total"}


def close(sym: str, date: str) -> float:
    with open(DAILY / f"{sym}.csv", newline="") as fh:
        for r in csv.DictReader(fh):
            if r["date"] == date:
                return float(r["close"])
    raise LookupError(f"{sym} {date}")


def by_id(cid: str) -> dict:
    return next(r for r in claims.load_rows() if r["id"] == cid)


def real_ids() -> list[str]:
    try:
        return [r["id"] for r in claims.load_rows()]
    except Exception:  # reported by test_load_rows_real instead of at collection
        return []


# ---------------------------------------------------------------------------- real files

def test_load_rows_real():
    rows = claims.load_rows()
    assert rows == claims.load_rows(claims.HERE)
    assert DATA_IDS <= {r["id"] for r in rows}
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids))
    for r in rows:
        assert all(k in r for k in claims.REQUIRED)
        assert r["chapter"] in claims.CHAPTERS
        assert r["_file"].endswith(".yaml") and (claims.HERE / r["_file"]).is_file()
    assert {r["_file"] for r in rows if r["id"] in DATA_IDS} == {"01-data.yaml"}


@pytest.mark.parametrize("cid", real_ids())
def test_every_claim_evaluates(cid):
    row = by_id(cid)
    res = claims.evaluate(row)
    assert isinstance(res, claims.Result)
    assert res.verdict in claims.VERDICTS
    assert res.id == cid and res.chapter == row["chapter"] and res.claim == row["claim"]
    assert res.article == str(row["article"])
    assert (res.measured is None) == (res.verdict == "cannot be measured")
    assert res.measured_text and res.method


def test_evaluate_does_not_mutate_the_row():
    row = by_id("ndx-day")
    measure = dict(row["measure"])
    first = claims.evaluate(row)
    assert row["measure"] == measure
    assert claims.evaluate(row) == first


def test_ndx_day_matches():
    res = claims.evaluate(by_id("ndx-day"))
    expected = (24054.38 / 24640.52 - 1) * 100
    assert res.verdict == "matches"
    assert res.measured == pytest.approx(expected, rel=1e-12)
    assert res.measured == pytest.approx(-2.38, abs=0.005)
    assert res.measured_text == "\u22122.38%"
    assert res.method == "day_change(NDX, date=2025-11-20) within ±0.1"


def test_sse_day_differs():
    res = claims.evaluate(by_id("sse-day"))
    expected = (close("000001.SS", "2025-11-21") / close("000001.SS", "2025-11-20") - 1) * 100
    assert res.measured == pytest.approx(expected, rel=1e-12)
    assert abs(expected - -2) > 0.3  # outside the claim's tolerance, by hand
    assert res.verdict == "differs"


def test_ndx_2tn_cannot_be_measured():
    row = by_id("ndx-2tn")
    res = claims.evaluate(row)
    assert res.verdict == "cannot be measured"
    assert res.measured is None and res.measured_text == "—"
    assert res.method == row["measure"]["none"]


def test_liq_total_differs_from_published_figure():
    with open(PUBLISHED / "crypto_liquidations_2025-11-21.csv", newline="") as fh:
        recs = [r for r in csv.DictReader(fh)
                if r["note"] == "CoinGlass figure as reported early on 21 Nov"]
    assert len(recs) == 1
    value = float(recs[0]["value_usd"])
    res = claims.evaluate(by_id("liq-total"))
    assert res.verdict == "differs from published figure"
    assert res.measured == value == 1.91e9
    assert res.measured_text == "1.91 bn USD"
    assert res.method.startswith("Published figure (crypto_liquidations_2025-11-21), "
                                 "not our measurement: ")
    assert recs[0]["sources"] in res.method


@pytest.mark.parametrize("cid, expected, verdict", [
    ("nvda-up5", (196.00 / 186.52 - 1) * 100, "matches"),
    ("nvda-close", (180.64 / 186.52 - 1) * 100, "matches"),
    ("hsi-day", (25220.02 / 25835.57 - 1) * 100, "matches"),
    ("sse-below-3900", 3834.89, "matches"),
    ("btc-86k", 85090.69, "matches"),
    ("btc-ytd", (85090.69 / 93429.20 - 1) * 100, "matches"),
    ("gold-4000", 4056.50, "matches"),
])
def test_other_data_claims_by_hand(cid, expected, verdict):
    res = claims.evaluate(by_id(cid))
    assert res.measured == pytest.approx(expected, rel=1e-12)
    assert res.verdict == verdict


# ---------------------------------------------------------------------------- schema errors

VALID = {"id": "t1", "chapter": "data", "claim": "NDX fell 2.4%", "article": "−2.4%",
         "article_value": -2.4, "unit": "%", "check": "approx", "tolerance": 0.1,
         "measure": {"metric": "day_change", "symbol": "NDX", "date": "2025-11-20"}}


def claim(**kw) -> dict:
    return {**VALID, **kw}


def write(folder: Path, name: str, items) -> Path:
    path = folder / name
    path.write_text(items if isinstance(items, str) else yaml.safe_dump(items, sort_keys=False))
    return path


def test_load_rows_tmp_folder(tmp_path):
    write(tmp_path, "01-a.yaml", [claim()])
    write(tmp_path, "02-b.yaml", [claim(id="t2", chapter="fed")])
    write(tmp_path, "03-empty.yaml", "")
    (tmp_path / "notes.txt").write_text("not a claims file")
    rows = claims.load_rows(tmp_path)
    assert [r["id"] for r in rows] == ["t1", "t2"]
    assert [r["_file"] for r in rows] == ["01-a.yaml", "02-b.yaml"]


@pytest.mark.parametrize("key", claims.REQUIRED)
def test_missing_key(tmp_path, key):
    row = claim()
    del row[key]
    write(tmp_path, "bad.yaml", [claim(id="ok"), row])
    with pytest.raises(ValueError, match=rf"bad\.yaml: claim #2 lacks {key}"):
        claims.load_rows(tmp_path)


def test_unknown_chapter(tmp_path):
    write(tmp_path, "bad.yaml", [claim(chapter="nope")])
    with pytest.raises(ValueError, match=r"bad\.yaml: claim 't1' has unknown chapter 'nope'"):
        claims.load_rows(tmp_path)


def test_duplicate_id_in_one_file(tmp_path):
    write(tmp_path, "dup.yaml", [claim(), claim()])
    with pytest.raises(ValueError, match=r"dup\.yaml: duplicate claim id 't1'"):
        claims.load_rows(tmp_path)


def test_duplicate_id_across_files(tmp_path):
    write(tmp_path, "01-a.yaml", [claim()])
    write(tmp_path, "02-b.yaml", [claim(chapter="fed")])
    with pytest.raises(ValueError, match=r"02-b\.yaml: duplicate claim id 't1'"):
        claims.load_rows(tmp_path)


def test_invalid_yaml(tmp_path):
    write(tmp_path, "broken.yaml", "- id: [unclosed\n  chapter: data\n")
    with pytest.raises(ValueError, match=r"broken\.yaml: not valid YAML"):
        claims.load_rows(tmp_path)


@pytest.mark.parametrize("text", ["- 42\n", "- \n"])
def test_non_mapping_item(tmp_path, text):
    write(tmp_path, "bad.yaml", text)
    with pytest.raises(ValueError, match=r"bad\.yaml"):
        claims.load_rows(tmp_path)


def test_unknown_metric(tmp_path):
    write(tmp_path, "x.yaml", [claim(measure={"metric": "nope", "symbol": "NDX",
                                              "date": "2025-11-20"})])
    (row,) = claims.load_rows(tmp_path)
    with pytest.raises(ValueError, match=r"claim 't1': unknown metric 'nope'; known: day_change"):
        claims.evaluate(row)


def test_unknown_check(tmp_path):
    write(tmp_path, "x.yaml", [claim(check="roughly")])
    (row,) = claims.load_rows(tmp_path)
    with pytest.raises(ValueError, match=r"claim 't1': unknown check 'roughly'"):
        claims.evaluate(row)


@pytest.mark.parametrize("where, n", [
    ({"note": "no such note"}, 0),
    ({"metric": "total liquidated in 24 h"}, 2),
])
def test_published_where_must_match_one_row(where, n):
    # by hand: how many rows of the published CSV match
    with open(PUBLISHED / "crypto_liquidations_2025-11-21.csv", newline="") as fh:
        assert sum(all(r[k] == v for k, v in where.items()) for r in csv.DictReader(fh)) == n
    row = claim(unit="USD", article_value=930e6, tolerance=50e6,
                measure={"published": "crypto_liquidations_2025-11-21", "where": where,
                         "field": "value_usd"})
    with pytest.raises(ValueError, match=rf"claim 't1': {n} published rows match"):
        claims.evaluate(row)


def test_published_verdicts():
    measure = {"published": "crypto_liquidations_2025-11-21",
               "where": {"note": "CoinGlass figure as reported later the same day"},
               "field": "value_usd"}
    row = claim(unit="USD", article_value=2.02e9, tolerance=0, measure=measure)
    assert claims.evaluate(row).verdict == "matches published figure"
    row = {k: v for k, v in row.items() if k not in ("article_value", "tolerance", "check")}
    res = claims.evaluate(row)
    assert res.verdict == "published figure" and res.measured == 2.02e9


def test_checks_below_above_approx():
    expected = (24054.38 / 24640.52 - 1) * 100  # -2.3788
    assert claims.evaluate(claim(check="below", article_value=-2)).verdict == "matches"
    assert claims.evaluate(claim(check="below", article_value=-3)).verdict == "differs"
    assert claims.evaluate(claim(check="above", article_value=-3)).verdict == "matches"
    tight = abs(expected + 2.4) - 1e-6
    assert claims.evaluate(claim(tolerance=tight)).verdict == "differs"
    assert claims.evaluate(claim(tolerance=tight + 2e-6)).verdict == "matches"


def test_dotted_metric_with_symbol():
    row = claim(article_value=-0.0238, tolerance=0.001,
                measure={"metric": "riskoff.metrics:day_change", "symbol": "NDX",
                         "date": "2025-11-20"})
    res = claims.evaluate(row)
    assert res.measured == pytest.approx(24054.38 / 24640.52 - 1, rel=1e-12)  # a fraction
    assert res.verdict == "matches"
    assert res.method.startswith("day_change(NDX, date=2025-11-20)")


@pytest.mark.parametrize("name", ["os:getcwd", "subprocess:getoutput", "math:sqrt",
                                  "riskoffx.metrics:day_change", "riskoff:metrics"])
def test_dotted_metric_outside_riskoff_is_refused(name):
    row = claim(measure={"metric": name, "symbol": "NDX", "date": "2025-11-20"})
    with pytest.raises(ValueError, match=r"must live in riskoff"):
        claims.evaluate(row)


@pytest.mark.parametrize("name", ["riskoff.metrics:nope", "riskoff.nope:day_change"])
def test_dotted_metric_missing_function(name):
    row = claim(measure={"metric": name, "symbol": "NDX", "date": "2025-11-20"})
    with pytest.raises(ValueError, match=r"no function"):
        claims.evaluate(row)


def test_metric_missing_value_raises():
    row = claim(measure={"metric": "day_change", "symbol": "NDX", "date": "2025-11-27"})
    with pytest.raises(ValueError, match=r"claim 't1': day_change of NDX is missing"):
        claims.evaluate(row)


def test_unknown_symbol_raises():
    row = claim(measure={"metric": "day_change", "symbol": "NOPE", "date": "2025-11-20"})
    with pytest.raises(ValueError, match=r"unknown series 'NOPE'"):
        claims.evaluate(row)


def test_metric_claim_without_article_value():
    row = {k: v for k, v in claim().items() if k != "article_value"}
    with pytest.raises(ValueError, match="t1"):
        claims.evaluate(row)


# ---------------------------------------------------------------------------- table / summary

COLUMNS = ["Chapter", "Claim (our paraphrase)", "Article", "Our figure", "Verdict",
           "How it was measured"]


def test_table_shape():
    rows = claims.load_rows()
    t = claims.table()
    assert list(t.columns) == COLUMNS
    assert len(t) == len(rows)
    assert set(t["Verdict"]) <= set(claims.VERDICTS)
    assert set(t["Chapter"]) == {claims.CHAPTERS[r["chapter"]] for r in rows}


def test_table_one_chapter():
    rows = [r for r in claims.load_rows() if r["chapter"] == "data"]
    t = claims.table("data")
    assert list(t.columns) == COLUMNS[1:]
    assert len(t) == len(rows)
    assert list(t["Claim (our paraphrase)"]) == [r["claim"] for r in rows]
    ndx = t[t["Claim (our paraphrase)"] == by_id("ndx-day")["claim"]].iloc[0]
    assert ndx["Our figure"] == "\u22122.38%" and ndx["Verdict"] == "matches"
    assert ndx["Article"] == "−2.4%"


def test_table_chapter_without_claims(tmp_path, monkeypatch):
    write(tmp_path, "01-data.yaml", [claim()])
    real_load = claims.load_rows
    monkeypatch.setattr(claims, "load_rows", lambda folder=None: real_load(tmp_path))
    t = claims.table("outlook")
    assert len(t) == 0 and list(t.columns) == COLUMNS[1:]



def test_summary_shape():
    results = claims.evaluate_all()
    s = claims.summary()
    assert set(s.index) == {claims.CHAPTERS[r.chapter] for r in results}
    assert set(s.columns) <= set(claims.VERDICTS)
    assert int(s.to_numpy().sum()) == len(claims.load_rows())
    data = Counter(r.verdict for r in results if r.chapter == "data")
    row = s.loc["1. Who fell most"]
    assert {v: int(n) for v, n in row.items() if n} == dict(data)
    for v in ("matches", "differs", "cannot be measured", "differs from published figure"):
        assert row[v] >= 1


def test_how_measured_writes_the_articles_negative_figure_with_a_minus_sign():
    # "Our figure" says −2.38%: the rule beside it said "the article's -2.4" (ASCII hyphen).
    rows = [r for r in claims.load_rows() if isinstance(r.get("article_value"), (int, float))
            and r["article_value"] < 0]
    assert rows, "no claim has a negative article figure"
    for row in rows:
        text = claims.plain_rule(row)
        assert f"\u2212{abs(float(row['article_value'])):g}" in text, (row["id"], text)
        assert not re.search(r"(?<![\w.\-/:])-\d", text), (row["id"], text)
