"""A figure's words — its title and one-sentence takeaway — that follow its controls.

One definition for Python and the browser: a chart's ``describe(state)`` function is run in
Python for every state its controls can take, and the results go into the spec as a table
(the parameter ``riskoff_words``). Vega looks the current state up in that table, so the
title drawn in the chart and the takeaway the page shows are the strings Python computed;
the caption Python renders for the default view is the same table's default entry.

Per-series checkboxes would multiply the states (2^n), so they are not enumerated: a
takeaway part may be a :class:`Pick`, a ranking of the series from which the first ticked
one is taken, in Python and in the browser alike.
"""
from __future__ import annotations

import itertools
import json
import textwrap
from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence, Union

import altair as alt

MAX_STATES = 4000   # beyond this the table would weigh more than the chart
TITLE_WIDTH = 44    # characters per title line on a wide page
NARROW_WIDTH = 34   # on a phone: a 390 px page leaves the title ~300 px at 13 px bold
NARROW_PX = 560     # container width below which the narrow wrapping is drawn


@dataclass
class Pick:
    """The first ticked series of a ranking: ``ranked`` holds (symbol, text), best first."""
    ranked: Sequence[tuple[str, str]]
    none: str = "no ticked series"


Part = Union[str, Pick]


@dataclass
class Said:
    """What ``describe`` returns for one state."""
    title: str
    takeaway: Sequence[Part] | str


@dataclass
class Words:
    """The words table of one chart, and its default view's words."""
    params: list[str]                  # the enumerated controls, in key order
    toggles: list[tuple[str, str]]     # (symbol, checkbox name) of per-series checkboxes
    noun: str                          # "assets" in "4 of 9 assets shown"
    table: dict[str, dict] = field(default_factory=dict)
    default_key: str = ""
    default_ticks: dict[str, bool] = field(default_factory=dict)
    values: dict[str, dict] = field(default_factory=dict)   # control -> key text -> value

    # -------------------------------------------------------------- Python's rendering

    def title(self, key: str | None = None, ticks: Mapping[str, bool] | None = None) -> str:
        entry = self.table[key or self.default_key]
        ticks = self.default_ticks if ticks is None else ticks
        return entry["title"] + self._count_line(ticks)

    def takeaway(self, key: str | None = None, ticks: Mapping[str, bool] | None = None) -> str:
        entry = self.table[key or self.default_key]
        ticks = self.default_ticks if ticks is None else ticks
        shown = [ticks.get(name, False) for _, name in self.toggles]
        out = []
        for part in entry["takeaway"]:
            if isinstance(part, str):
                out.append(part)
                continue
            ranked, none = part
            out.append(next((text for i, text in ranked if shown[i]), none))
        return "".join(out)

    def _count_line(self, ticks: Mapping[str, bool]) -> str:
        if not self.toggles:
            return ""
        n = sum(bool(ticks.get(name)) for _, name in self.toggles)
        return f"\n{n} of {len(self.toggles)} {self.noun} shown"

    # -------------------------------------------------------------- the browser's rendering

    def _entry_expr(self) -> str:
        key = "join([" + ", ".join(f"toString({p})" for p in self.params) + "], '|')"
        return f"(riskoff_words.t[{key}] || riskoff_words.t[riskoff_words.d])"

    def _count_expr(self) -> str:
        if not self.toggles:
            return "''"
        count = " + ".join(f"({name} ? 1 : 0)" for _, name in self.toggles)
        return f"'\\n' + toString({count}) + ' of {len(self.toggles)} {self.noun} shown'"

    def _takeaway_expr(self) -> str:
        shape = next(iter(self.table.values()))["takeaway"]
        shown = "[" + ", ".join(name for _, name in self.toggles) + "]"
        parts = []
        for i, part in enumerate(shape):
            p = f"riskoff_entry.takeaway[{i}]"
            if isinstance(part, str):
                parts.append(p)
                continue
            # The first ticked series of the ranking; rankings may be shorter than n.
            depth = max(len(e["takeaway"][i][0]) for e in self.table.values())
            expr = f"{p}[1]"
            for j in reversed(range(depth)):
                expr = (f"(length({p}[0]) > {j} && {shown}[{p}[0][{j}][0]] ? "
                        f"{p}[0][{j}][1] : {expr})")
            parts.append(expr)
        return " + ".join(parts) or "''"

    def params_for_spec(self) -> list[alt.Parameter]:
        table = {"t": self.table, "d": self.default_key}
        return [alt.param(name="riskoff_words", value=table),
                alt.param(name="riskoff_entry", expr=self._entry_expr()),
                alt.param(name="riskoff_takeaway", expr=self._takeaway_expr()),
                alt.param(name="riskoff_title",
                          expr=f"riskoff_entry.title + {self._count_expr()}")]

    def title_expr(self) -> alt.ExprRef:
        # A title line wider than the plot would shrink the plot (autosize fits the bounds).
        return alt.ExprRef(f"split(containerSize()[0] > 0 && containerSize()[0] < {NARROW_PX}"
                           f" ? riskoff_entry.narrow + {self._count_expr()} : riskoff_title, "
                           "'\\n')")


# ---------------------------------------------------------------------------- building

def key_text(value) -> str:
    """A control value as Vega's toString writes it (the table's key must match)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _bound_params(chart) -> list[dict]:
    """The chart's bound parameters (as spec dicts), top level and in its layers, in order."""
    out, seen = [], set()

    def walk(spec):
        for p in spec.get("params", []):
            if "bind" in p and p["name"] not in seen:
                seen.add(p["name"])
                out.append(p)
        for attr in ("layer", "hconcat", "vconcat", "concat"):
            for sub in spec.get(attr, []):
                walk(sub)
    walk(chart.to_dict(validate=False))
    return out


def _options(p: dict) -> list:
    bind = p["bind"]
    if bind.get("input") == "checkbox":
        return [True, False]
    if "options" in bind:
        return list(bind["options"])
    if bind.get("input") == "range":
        lo, hi, step = bind["min"], bind["max"], bind.get("step", 1)
        n = int(round((hi - lo) / step))
        vals = [lo + i * step for i in range(n + 1)]
        return [int(v) if float(v).is_integer() else round(v, 10) for v in vals]
    raise ValueError(f"words: control {p['name']!r} has no finite set of values "
                     f"(input {bind.get('input')!r}); give it options or a range step")


def _wrap(title: str, width: int = TITLE_WIDTH) -> str:
    """Wrapped at ``width``; a title with its own line breaks keeps them (and each of its lines
    is wrapped only where it is longer than ``width``)."""
    if "\n" not in title:
        return "\n".join(textwrap.wrap(title, width))
    return "\n".join("\n".join(textwrap.wrap(line, width)) if len(line) > width else line
                     for line in title.split("\n"))


def build(chart, describe: Callable[[dict], Said], toggles: Mapping[str, str] | None = None,
          noun: str = "series") -> Words:
    """Run ``describe`` over every state of the chart's controls (per-series checkboxes
    ``toggles`` = {symbol: checkbox name} excepted) and return the words table."""
    toggles = dict(toggles or {})
    tog_names = set(toggles.values())
    bound = _bound_params(chart)
    params = [p for p in bound if p["name"] not in tog_names]
    defaults = {p["name"]: p.get("value") for p in bound}
    order = list(toggles)
    options = [_options(p) for p in params]
    n = 1
    for o in options:
        n *= len(o)
    if n > MAX_STATES:
        raise ValueError(f"words: {n} control states exceed {MAX_STATES}; describe fewer")
    words = Words(params=[p["name"] for p in params], toggles=list(toggles.items()), noun=noun)
    words.values = {p: {key_text(v): v for v in o} for p, o in zip(words.params, options)}
    for combo in itertools.product(*options):
        state = dict(zip(words.params, combo))
        said = describe(state)
        parts = [said.takeaway] if isinstance(said.takeaway, str) else list(said.takeaway)
        coded = []
        for part in parts:
            if isinstance(part, Pick):
                ranked = [[order.index(sym), text] for sym, text in part.ranked if sym in toggles]
                coded.append([ranked, part.none])
            else:
                coded.append(str(part))
        words.table["|".join(key_text(v) for v in combo)] = {
            "title": _wrap(said.title), "narrow": _wrap(said.title, NARROW_WIDTH),
            "takeaway": coded}
    shapes = {tuple(isinstance(p, str) for p in e["takeaway"]) for e in words.table.values()}
    if len(shapes) > 1:
        raise ValueError("words: every state's takeaway must have the same parts "
                         "(text and picks in the same order)")
    words.default_key = "|".join(key_text(defaults[p]) for p in words.params)
    words.default_ticks = {name: bool(defaults.get(name)) for name in toggles.values()}
    return words


def attach(chart, describe: Callable[[dict], Said], toggles: Mapping[str, str] | None = None,
           noun: str = "series", **title_props):
    """The chart with its title drawn from the words table, and the table itself."""
    words = build(chart, describe, toggles, noun)
    title = alt.TitleParams(text=words.title_expr(), anchor="start", frame="bounds",
                            **{"fontSize": 13, **title_props})
    return chart.add_params(*words.params_for_spec()).properties(title=title), words


def table_json(words: Words) -> str:
    return json.dumps(words.table, ensure_ascii=False)
