"""words.Unlisted: the words of a state the table does not list (a date clicked on a chart)."""
from __future__ import annotations

import altair as alt
import pandas as pd
import pytest

from riskoff.charts import base, words
from riskoff.charts.words import Pick, Said, Unlisted


def _chart():
    df = pd.DataFrame({"date": ["2025-01-02", "2025-01-03"], "symbol": ["A", "A"], "v": [1, 2]})
    p = base.select("base", ["2025-01-02", "2025-01-03"], label="Base")
    return alt.Chart(df).mark_line().encode(x="date:T", y="v:Q").add_params(p)


def _describe(state):
    return Said(f"Since {state['base']}", [f"From {state['base']}: ", Pick([("A", "A leads")]), "."])


def test_without_unlisted_the_entry_falls_back_to_the_default_as_before():
    w = words.build(_chart(), _describe, toggles={"A": "show0"})
    assert w._entry_expr().endswith("|| riskoff_words.t[riskoff_words.d])")


def test_unlisted_words_fill_the_tables_shape():
    u = Unlisted(title="'Since ' + base", takeaway="'Picked: ' + base")
    w = words.build(_chart(), _describe, toggles={"A": "show0"}, unlisted=u)
    expr = w._entry_expr()
    assert "riskoff_words.t[riskoff_words.d]" not in expr
    # text part first, the pick empty (its none-text ''), the last text part empty
    assert "takeaway: [('Picked: ' + base), [[], ''], '']" in expr
    assert "title: ('Since ' + base), narrow: ('Since ' + base)" in expr
    # Python's words (the default view, the kernel) are the table's, unchanged
    assert w.title() == "Since 2025-01-02\n0 of 1 series shown"


def test_unlisted_needs_a_text_part_and_no_template():
    def picks_only(state):
        return Said("t", [Pick([("A", "x")])])
    u = Unlisted(title="'t'", takeaway="'x'")
    w = words.build(_chart(), picks_only, toggles={"A": "show0"}, unlisted=u)
    with pytest.raises(ValueError, match="text part"):
        w._entry_expr()
    tpl = words.Template(title=["t"], narrow=["t"], takeaway="x", slots={})
    with pytest.raises(ValueError, match="Unlisted"):
        words.attach(_chart(), tpl, unlisted=u)
