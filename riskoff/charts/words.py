"""A figure's words — its title and one-sentence takeaway — that follow its controls.

One definition for Python and the browser: a chart's ``describe(state)`` function is run in
Python for every state its controls can take, and the results go into the spec as a table
(the parameter ``riskoff_words``). Vega looks the current state up in that table, so the
title drawn in the chart and the takeaway the page shows are the strings Python computed;
the caption Python renders for the default view is the same table's default entry.

Per-series checkboxes would multiply the states (2^n), so they are not enumerated: a
takeaway part may be a :class:`Pick`, a ranking of the series from which the first ticked
one is taken, in Python and in the browser alike.

Sliders over a fine grid would give too many states for a table (the FedWatch calculator's
four give about 5e8): such a chart's words are a :class:`Template` instead, text with named
slots each written once as a Vega expression and once as its Python twin (``attach`` takes
it in place of ``describe``); the tests run Vega on a sample of states to hold them equal.
"""
from __future__ import annotations

import itertools
import json
import re
import textwrap
from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence, Union

import altair as alt
from altair.utils.schemapi import SchemaBase, Undefined

from ..i18n import N_, _, is_zh, minus_signs, wrap as _cjk_wrap

# The nouns a count line names ("4 of 9 assets shown"); a chart passes one of them as ``noun``.
NOUNS = (N_("assets"), N_("series"), N_("instruments"), N_("stocks and funds"))

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
class Unlisted:
    """The words for a state the table does not list — a control that takes any value in
    the browser (a date clicked on the chart) — as Vega expressions over the chart's signals.
    They should say what is drawn and that the table's findings were not computed for it.
    ``narrow``: the title on a phone (default: ``title``); titles break at ``\\n``."""
    title: str
    takeaway: str
    narrow: str | None = None


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
    unlisted: Unlisted | None = None   # words for a state the table lacks (browser only)

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
        n = sum(bool(ticks.get(name)) for _n, name in self.toggles)
        head, tail = self._count_words()
        return f"\n{head}{n}{tail}"

    def _count_words(self) -> tuple[str, str]:
        # "4 of 9 assets shown": the text before and after the count, in the reader's language.
        text = _("{n} of {total} {noun} shown").replace("{total}", str(len(self.toggles)))
        head, _sep, tail = text.replace("{noun}", _(self.noun)).partition("{n}")
        return head, tail

    # -------------------------------------------------------------- the browser's rendering

    def _entry_expr(self) -> str:
        key = "join([" + ", ".join(f"toString({p})" for p in self.params) + "], '|')"
        if self.unlisted is not None:
            return f"(riskoff_words.t[{key}] || {self._unlisted_expr()})"
        return f"(riskoff_words.t[{key}] || riskoff_words.t[riskoff_words.d])"

    def _unlisted_expr(self) -> str:
        # An entry of the table's shape: the text in the first text part, picks empty.
        u, parts, first = self.unlisted, [], True
        for part in next(iter(self.table.values()))["takeaway"]:
            if isinstance(part, str):
                parts.append(f"({u.takeaway})" if first else "''")
                first = False
            else:
                parts.append("[[], '']")
        if first:
            raise ValueError("words: an Unlisted takeaway needs a text part in the table's takeaways")
        return (f"{{title: ({u.title}), narrow: ({u.narrow or u.title}), "
                f"takeaway: [{', '.join(parts)}]}}")

    def _count_expr(self) -> str:
        if not self.toggles:
            return "''"
        count = " + ".join(f"({name} ? 1 : 0)" for _n, name in self.toggles)
        head, tail = (_vega_text(t) for t in self._count_words())
        head = f"{head} + " if head != "''" else ""
        return f"'\\n' + {head}toString({count}) + {tail}"

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
        table = _ByReference({"t": self.table, "d": self.default_key})
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


class _ByReference:
    """A JSON value Altair writes into the spec as it is but never copies: Altair deep-copies
    every dict and list of a chart on each add_params/properties/to_dict (a layer chart
    several times), and a words table has thousands of nodes (seconds per notebook). Altair
    treats an object with ``_schema`` and ``to_dict`` as schema-like: kept by reference on
    copy, ``to_dict()`` on output."""
    _schema = {"type": "object"}

    def __init__(self, value: dict):
        self._text = json.dumps(value, ensure_ascii=False)

    def to_dict(self, *args, **kwargs) -> dict:
        return json.loads(self._text)  # plain JSON types, and a fresh copy for each spec


def _vega_text(text: str) -> str:
    """A string literal for a Vega expression, in single quotes."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n") + "'"


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

    # Read from the chart's objects, not chart.to_dict(): that serialises every dataset
    # (0.1-0.5 s a chart) only to read a few parameters.
    def walk(obj):
        for p in _defined(obj, "params"):
            p = p.to_dict(validate=False) if isinstance(p, SchemaBase) else p
            if "bind" in p and p["name"] not in seen:
                seen.add(p["name"])
                out.append(p)
        for attr in ("layer", "hconcat", "vconcat", "concat"):
            for sub in _defined(obj, attr):
                walk(sub)
    walk(chart)
    return out


def _defined(obj, attr: str) -> list:
    value = obj.get(attr, []) if isinstance(obj, dict) else getattr(obj, attr, Undefined)
    return [] if value is Undefined else value


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
    is wrapped only where it is longer than ``width``). Chinese counts a character as two
    columns and breaks between characters (riskoff.i18n.wrap)."""
    if is_zh():
        return "\n".join("\n".join(_cjk_wrap(line, width)) for line in title.split("\n"))
    if "\n" not in title:
        return "\n".join(textwrap.wrap(title, width))
    return "\n".join("\n".join(textwrap.wrap(line, width)) if len(line) > width else line
                     for line in title.split("\n"))


def build(chart, describe: Callable[[dict], Said], toggles: Mapping[str, str] | None = None,
          noun: str = "series", unlisted: Unlisted | None = None) -> Words:
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
    words = Words(params=[p["name"] for p in params], toggles=list(toggles.items()), noun=noun,
                  unlisted=unlisted)
    words.values = {p: {key_text(v): v for v in o} for p, o in zip(words.params, options)}
    for combo in itertools.product(*options):
        state = dict(zip(words.params, combo))
        said = describe(state)
        parts = [said.takeaway] if isinstance(said.takeaway, str) else list(said.takeaway)
        coded = []
        # describe() formats with Python ("-3.2%"); the chart's own labels use d3's minus.
        for part in parts:
            if isinstance(part, Pick):
                ranked = [[order.index(sym), minus_signs(text)] for sym, text in part.ranked
                          if sym in toggles]
                coded.append([ranked, minus_signs(part.none)])
            else:
                coded.append(minus_signs(str(part)))
        title = minus_signs(said.title)
        words.table["|".join(key_text(v) for v in combo)] = {
            "title": _wrap(title), "narrow": _wrap(title, NARROW_WIDTH),
            "takeaway": coded}
    shapes = {tuple(isinstance(p, str) for p in e["takeaway"]) for e in words.table.values()}
    if len(shapes) > 1:
        raise ValueError("words: every state's takeaway must have the same parts "
                         "(text and picks in the same order)")
    words.default_key = "|".join(key_text(defaults[p]) for p in words.params)
    words.default_ticks = {name: bool(defaults.get(name)) for name in toggles.values()}
    return words


def attach(chart, describe: Callable[[dict], Said], toggles: Mapping[str, str] | None = None,
           noun: str = "series", unlisted: Unlisted | None = None,
           description: Callable[[Words], str] | None = None, **title_props):
    """The chart with its title drawn from the words table, and the table itself.
    ``describe`` may be a :class:`Template` (words computed in Vega for any state).
    ``description``: words -> the chart's description, set in the same step."""
    if isinstance(describe, Template):
        if toggles:
            raise ValueError("words: a template takes no per-series checkboxes")
        if unlisted is not None:
            raise ValueError("words: a template already covers every state (no Unlisted)")
        words = build_template(chart, describe)
    else:
        words = build(chart, describe, toggles, noun, unlisted)
    title = alt.TitleParams(text=words.title_expr(), anchor="start", frame="bounds",
                            **{"fontSize": 13, **title_props})
    props = {"title": title}
    if description is not None:
        props["description"] = description(words)
    return with_params(chart, words.params_for_spec(), **props), words


def with_params(chart, params: Sequence[alt.Parameter], **props):
    """``chart.add_params(*params).properties(**props)``, the same chart, with fewer copies.

    For a layer chart, Altair's add_params deep-copies the chart twice and each properties()
    runs its constructor again (which copies every layer twice more): about 0.1 s a figure.
    Here the first layer gets the params (as Altair does) and the layer chart is made once
    from it, lifting them to the top as its constructor does; the properties are checked
    as properties() checks them and set on that new chart (no one else holds it)."""
    from altair.utils.schemapi import debug_mode

    if not (isinstance(chart, alt.LayerChart) and chart.layer and params):
        return chart.add_params(*params).properties(**props)
    layers = list(chart.layer)
    layers[0] = layers[0].add_params(*params)
    with debug_mode(False):  # as Altair's copies make it: each object was checked when made
        new = alt.LayerChart(*chart._args, **{**chart._kwds, "layer": layers})
    for key, value in props.items():
        new.validate_property(key, value)
        setattr(new, key, value)
    return new


def table_json(words: Words) -> str:
    return json.dumps(words.table, ensure_ascii=False)


# ---------------------------------------------------------------------------- templates
# A chart whose controls take too many states for a table (sliders over a fine grid) gets a
# template instead: its words are text with named slots, each slot written once as a Vega
# expression over the chart's signals and once as the same computation in Python. The
# browser evaluates the expressions; Python renders the default view (and any other state)
# with the Python side. The tests run the book's Vega on a sample of states (``Template.
# sample``) and require both to give the same text.

SLOT = re.compile(r"\{(\w+)\}")


@dataclass
class Slot:
    """One value of a template: ``vega`` an expression over the chart's signals, ``python``
    the same computed from the state (control name -> value). Text slots return strings;
    the condition of a :class:`Case` returns a boolean."""
    vega: str
    python: Callable[[Mapping], object]


@dataclass
class Template:
    """Words for a chart with too many control states to list.

    ``title`` and ``narrow`` are the title's lines on a wide page and on a phone (the same
    words, broken differently); ``takeaway`` is one text or a list of (condition slot name or
    None, text), the first whose condition holds being used. Texts name slots as ``{name}``.
    ``sample``: states (besides the default and each control's ends) the tests check Vega on.
    """
    title: Sequence[str]
    narrow: Sequence[str]
    takeaway: str | Sequence[tuple[str | None, str]]
    slots: Mapping[str, Slot]
    sample: Sequence[Mapping] = ()


def js_fixed(x: float, digits: int, percent: bool = False, sign: bool = False) -> str:
    """``format(x, '.Nf')`` (``'.N%'``, ``'+.Nf'``) as the browser's Vega writes it: d3-format
    rounds the exact binary value half away from zero (JavaScript's toFixed), writes U+2212
    for minus and drops the sign of a negative value that rounds to zero."""
    from decimal import ROUND_HALF_UP, Decimal

    if percent:
        x = x * 100  # d3 multiplies in floating point, as Python's '%' format does
    d = Decimal(x).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    text = f"{abs(d):.{digits}f}"
    neg = x < 0 and (d != 0 or sign)
    lead = "\u2212" if neg else ("+" if sign else "")
    return lead + text + ("%" if percent else "")


def js_number(x: float) -> str:
    """A number as JavaScript's String(x) writes it, for the integers and short decimals a
    template adds to text (``'' + x`` in Vega)."""
    if float(x).is_integer() and abs(x) < 1e21:
        return str(int(x))
    r = repr(float(x))
    if "e" in r:
        raise ValueError(f"js_number: {x!r} needs an exponent; format it in the template")
    return r


class _States(dict):
    """A template's checked states (key -> values; what iteration gives) that also answers
    for any other state of its controls (a live kernel asks for whatever the sliders say)."""

    def __init__(self, words: "TemplateWords", keys):
        super().__init__({k: None for k in keys})
        self._words = words

    def __contains__(self, key) -> bool:
        return isinstance(key, str) and self._words.state_of(key) is not None

    def __getitem__(self, key):
        state = self._words.state_of(key)
        if state is None:
            raise KeyError(key)
        return state


@dataclass
class TemplateWords(Words):
    """Words of a :class:`Template`: the same interface as a table's, computed per state."""
    template: Template | None = None
    options: dict[str, list] = field(default_factory=dict)

    def state_of(self, key: str) -> dict | None:
        texts = key.split("|")
        if len(texts) != len(self.params):
            return None
        state = {}
        for p, t in zip(self.params, texts):
            if t in self.values.get(p, {}):
                state[p] = self.values[p][t]
                continue
            try:
                v = float(t)
            except ValueError:
                return None
            state[p] = int(v) if v.is_integer() else v
        return state

    def _fill(self, text: str, state: Mapping) -> str:
        return SLOT.sub(lambda m: str(self.template.slots[m.group(1)].python(state)), text)

    def _lines(self, lines, state) -> str:
        return "\n".join(self._fill(line, state) for line in lines)

    def _chosen(self, state) -> str:
        t = self.template.takeaway
        if isinstance(t, str):
            return t
        for cond, text in t:
            if cond is None or self.template.slots[cond].python(state):
                return text
        raise ValueError("words: no case of the template's takeaway holds; end it with "
                         "(None, text)")

    def title(self, key: str | None = None, ticks: Mapping[str, bool] | None = None) -> str:
        return self._lines(self.template.title, self[key])

    def narrow_title(self, key: str | None = None) -> str:
        return self._lines(self.template.narrow, self[key])

    def takeaway(self, key: str | None = None, ticks: Mapping[str, bool] | None = None) -> str:
        state = self[key]
        return self._fill(self._chosen(state), state)

    def __getitem__(self, key: str | None) -> dict:
        return self.table[key or self.default_key]

    # -------------------------------------------------------------- the browser's rendering

    def _text_expr(self, text: str) -> str:
        parts = SLOT.split(text)   # literal, slot, literal, ...
        out = []
        for i, part in enumerate(parts):
            if i % 2:
                out.append(f"({self.template.slots[part].vega})")
            elif part:
                out.append(json.dumps(part, ensure_ascii=False))
        return " + ".join(["''", *out])

    def _lines_expr(self, lines) -> str:
        return " + '\\n' + ".join(f"({self._text_expr(line)})" for line in lines)

    def _takeaway_expr(self) -> str:
        t = self.template.takeaway
        if isinstance(t, str):
            return self._text_expr(t)
        expr = "''"
        for cond, text in reversed(list(t)):
            body = self._text_expr(text)
            expr = body if cond is None else \
                f"(({self.template.slots[cond].vega}) ? ({body}) : {expr})"
        return expr

    def params_for_spec(self) -> list[alt.Parameter]:
        return [alt.param(name="riskoff_takeaway", expr=self._takeaway_expr()),
                alt.param(name="riskoff_title", expr=self._lines_expr(self.template.title)),
                alt.param(name="riskoff_narrow", expr=self._lines_expr(self.template.narrow))]

    def title_expr(self) -> alt.ExprRef:
        return alt.ExprRef(f"split(containerSize()[0] > 0 && containerSize()[0] < {NARROW_PX}"
                           " ? riskoff_narrow : riskoff_title, '\\n')")


def build_template(chart, template: Template) -> TemplateWords:
    """The words of ``template`` over the chart's bound controls (every one a slider, a
    menu or a checkbox); the checked states are the default, each control at each of its
    ends (others at their defaults) and ``template.sample``."""
    bound = _bound_params(chart)
    names = [p["name"] for p in bound]
    defaults = {p["name"]: p.get("value") for p in bound}
    words = TemplateWords(params=names, toggles=[], noun="series", template=template)
    states = [dict(defaults)]
    for p in bound:
        bind = p["bind"]
        ends = [bind["min"], bind["max"]] if bind.get("input") == "range" else _options(p)
        states += [{**defaults, p["name"]: v} for v in ends]
    for s in template.sample:
        unknown = set(s) - set(names)
        if unknown:
            raise ValueError(f"words: template sample names controls the chart lacks: "
                             f"{sorted(unknown)}")
        states.append({**defaults, **s})
    for s in states:
        for p, v in s.items():
            words.values.setdefault(p, {})[key_text(v)] = v
    keys = list(dict.fromkeys("|".join(key_text(s[p]) for p in names) for s in states))
    words.table = _States(words, keys)
    words.default_key = "|".join(key_text(defaults[p]) for p in names)
    for lines in (template.title, template.narrow):
        for line in lines:
            for s in SLOT.findall(line):
                if s not in template.slots:
                    raise ValueError(f"words: template names an undefined slot {{{s}}}")
    return words
