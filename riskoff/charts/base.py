"""What every chart of the book shares: theme, static controls, and the caption under it.

A chart builder takes a tidy DataFrame and returns an Altair chart. With ``static=True`` the
controls are Vega-Lite parameters bound to HTML inputs, computing in the reader's browser;
with ``static=False`` the frame was already computed by pandas (a kernel widget did it) and
the chart only draws it. Both paths share the same marks and encodings.
"""
from __future__ import annotations

import base64
import html
import json
import os
import re
from dataclasses import dataclass, field
from typing import Sequence

import altair as alt
import pandas as pd

from .. import data as rdata
from ..catalog import SERIES
from ..i18n import _, d3_date, d3_month, is_zh

# Okabe-Ito palette: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000",
           "#999999", "#B8A000"]  # last: a darker yellow, readable on white
FALL, RISE = "#D55E00", "#0072B2"  # vermillion / blue: not a red-green pair
HEIGHT = 320
# Each chart's data as CSV, in _static so Sphinx copies it; chapters link to it relatively.
DOWNLOADS = rdata.ROOT / "_static" / "downloads"
if os.environ.get("RISKOFF_DOWNLOADS"):  # an edition's own copies (riskoff.edition)
    DOWNLOADS = rdata.Path(os.environ["RISKOFF_DOWNLOADS"])
DOWNLOADS_LINK = "../_static/downloads"  # from a chapter page


def downloads_link() -> str:
    """The downloads folder as linked from the page being computed. A kernel runs in its
    notebook's folder: the front page sits at the book's root, the chapters one level down."""
    import os
    from pathlib import Path

    here = Path.cwd().resolve()
    root = rdata.ROOT.resolve()
    if here != root and root not in here.parents:
        return DOWNLOADS_LINK  # computed outside the book (a script): assume a chapter
    return Path(os.path.relpath(DOWNLOADS.resolve(), here)).as_posix()


def _theme():
    from ..i18n import vega_locale

    theme = {"config": {
        "font": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
        "view": {"stroke": None, "continuousHeight": HEIGHT},
        # Lay the chart out again on every update: a control that widens a legend or the
        # axis labels must not push text out of the figure.
        "autosize": {"type": "fit-x", "contains": "padding", "resize": True},
        "axis": {"labelFontSize": 11, "titleFontSize": 12, "gridColor": "#e6e6e6"},
        # Square swatches show any mark's colour (a stroke symbol shows none for a fill).
        "legend": {"labelFontSize": 11, "titleFontSize": 12, "orient": "bottom",
                   "columns": 3, "symbolType": "square"},
        "title": {"fontSize": 14, "anchor": "start", "subtitleColor": "#555"},
        "range": {"category": PALETTE},
    }}
    locale = vega_locale()   # zh-Hant: month names on time axes (None in English)
    if locale is not None:
        theme["config"]["locale"] = locale
    return theme


alt.theme.register("riskoff", enable=True)(_theme)
# SVG so marks are in the DOM (screen readers, tests); only the export menu, no editor links.
alt.renderers.set_embed_options(renderer="svg", actions={"export": True, "source": False,
                                                        "compiled": False, "editor": False})


# ---------------------------------------------------------------------------- controls

def _bound(binding, name: str, options: Sequence, labels, value, label) -> alt.Parameter:
    options = list(options)
    return alt.param(name=name, value=options[0] if value is None else value,
                     bind=binding(options=options,
                                  labels=list(labels) if labels else alt.Undefined,
                                  name=(label or name) + " "))


def select(name: str, options: Sequence, labels: Sequence[str] | None = None, value=None,
           label: str | None = None) -> alt.Parameter:
    """A dropdown bound to a Vega-Lite parameter (runs in the browser, no kernel)."""
    return _bound(alt.binding_select, name, options, labels, value, label)


def radio(name: str, options: Sequence, labels: Sequence[str] | None = None, value=None,
          label: str | None = None) -> alt.Parameter:
    """Radio buttons bound to a Vega-Lite parameter."""
    return _bound(alt.binding_radio, name, options, labels, value, label)


def checkbox(name: str, value: bool, label: str) -> alt.Parameter:
    return alt.param(name=name, value=value, bind=alt.binding_checkbox(name=label + " "))


def symbol_toggles(symbols: Sequence[str], shown: Sequence[str], prefix: str = "show"
                   ) -> tuple[list[alt.Parameter], str]:
    """One checkbox per series and the filter expression that keeps the ticked ones."""
    params, terms = [], []
    for i, sym in enumerate(symbols):
        pname = f"{prefix}{i}"
        params.append(checkbox(pname, sym in shown, label_of(sym)))
        terms.append(f"(datum.symbol === {sym!r} && {pname})")
    return params, " || ".join(terms) or "true"


def kernel_layer(*layers, **props) -> alt.LayerChart:
    """alt.layer for a kernel chart, without Altair's defensive copies.

    alt.layer deep-copies every layer (and again each layer of a nested layer chart) to merge
    params and lift shared data. A kernel chart has no params and places its data itself, so
    its fresh layers can be attached as they are: the same spec, some 25 ms sooner. Only for
    layers without params, built for this chart.
    """
    chart = alt.LayerChart(**props)
    chart.layer = list(layers)
    return chart


# ---------------------------------------------------------------------------- labels

def label_of(symbol: str) -> str:
    try:
        name = rdata.info(symbol)["name"]
    except ValueError:
        return symbol
    return _(name)


def short_of(symbol: str) -> str:
    """The name for a narrow axis or legend (the full name goes in the tooltip)."""
    meta = SERIES.get(symbol)
    return _(meta.short or meta.name) if meta else label_of(symbol)


def colour_of(symbol: str) -> str:
    """The asset's one colour, declared in riskoff.catalog."""
    try:
        return SERIES[symbol].colour
    except KeyError:
        raise ValueError(f"colour_of: {symbol!r} is not in riskoff.catalog.SERIES; add it "
                         f"there with a colour") from None


# Plot widths below this are a phone's column: fewer ticks, short names, one legend column.
NARROW = "width < 420"


def by_width(narrow, wide) -> alt.ExprRef:
    """A mark or axis property that depends on the plot's width (in the browser)."""
    return alt.ExprRef(f"{NARROW} ? {json.dumps(narrow)} : {json.dumps(wide)}")


def tick_count(px: int = 80) -> alt.ExprRef:
    """About one axis tick per ``px`` pixels of plot width, at least two."""
    return alt.ExprRef(f"max(2, floor(width / {px}))")


def asset_colour(symbols: Sequence[str], field: str = "name", names: Sequence[str] | None = None,
                 toggles: Sequence[str] | None = None, lines: bool = False, legend=True,
                 title=None, **legend_props) -> alt.Color:
    """Colour by asset with the catalog's colours, on a fixed domain (colours stay put when the
    reader hides a series). ``names``: the values of ``field`` for ``symbols`` (default: the
    display names). ``toggles``: the checkbox parameter of each symbol, so the legend lists
    only the ticked series. ``lines``: stroke swatches for line marks (square otherwise).
    """
    names = list(names) if names is not None else [label_of(s) for s in symbols]
    scale = alt.Scale(domain=names, range=[colour_of(s) for s in symbols])
    if legend is None or legend is False:
        return alt.Color(f"{field}:N", title=title, scale=scale, legend=None)
    props = dict(orient="bottom", columns=by_width(1, 2), labelLimit=0,
                 symbolType="stroke" if lines else "square")
    if lines:
        props.update(symbolStrokeWidth=3, symbolSize=300)
    if toggles:
        # Vega has no array filter: join the ticked names and split them again.
        joined = " + ".join(f"({t} ? {json.dumps(n + '|')} : '')"
                            for t, n in zip(toggles, names))
        # Nothing ticked: one hidden, empty entry. An empty values list makes the legend's
        # bounds infinite (the SVG's height becomes 1.8e308) and a bare [''] is a swatch.
        none = f"({joined}) === ''"
        props["values"] = alt.ExprRef(f"{none} ? [''] : split(slice({joined}, 0, -1), '|')")
        props["symbolOpacity"] = props["labelOpacity"] = alt.ExprRef(f"{none} ? 0 : 1")
    props.update(legend_props)
    return alt.Color(f"{field}:N", title=title, scale=scale, legend=alt.Legend(**props))


def text_px(text: str) -> int:
    """About how wide bold 12 px chart text is drawn: 7.6 px a character, a CJK character
    (full width) 12.5 px."""
    import unicodedata

    wide = sum(unicodedata.east_asian_width(c) in "WF" for c in text)
    return round(7.6 * (len(text) - wide) + 12.5 * wide)


def category_axis(symbols: Sequence[str] = (), **props) -> alt.Axis:
    """A category axis of display names that stays readable on a phone: there each name is
    the catalog's short name, and a label with a parenthesis ("29 May 2025 (Q1 FY26)",
    "2025年5月29日（Q1 FY26）") breaks onto two lines. Tooltips keep the full name."""
    short = json.dumps({label_of(s): short_of(s) for s in symbols})
    # Chinese text opens a full-width parenthesis with no space before it; it stays.
    paren, skip = ("（", "") if is_zh() else (" (", " + 1")
    cut = f"indexof(datum.value, '{paren}')"
    return alt.Axis(labelExpr=f"{NARROW} ? ({short}[datum.value] || ({cut} > 0 ? "
                              f"[substring(datum.value, 0, {cut}), "
                              f"substring(datum.value, {cut}{skip})] : datum.value)) : "
                              "datum.value", labelLimit=0, **props)


# One date format in every tooltip; a time of day only where the data has one.
# (English; the current language's is i18n.d3_date() / d3_month().)
DATE_FORMAT = "%-d %b %Y"


def date_tip(field: str = "date", title: str | None = None) -> alt.Tooltip:
    """Tooltip of a temporal field (a calendar date, shown in UTC so it never shifts)."""
    return alt.Tooltip(f"utcyearmonthdate({field}):T", title=_("Date") if title is None else title,
                       format=d3_date())


MONTH_FORMAT = "%b %Y"


def date_text(field: str, month: bool = False) -> str:
    """Expression formatting a date field for a tooltip, in the book's one format: a parsed
    date or "YYYY-MM-DD" as "20 Nov 2025" ("Nov 2025" with ``month``), "YYYY-MM" as
    "Nov 2025"; any other text (a span, a note) as it is."""
    v = f"datum[{json.dumps(field)}]"
    fmt = json.dumps(d3_month() if month else d3_date())
    return (f"!isValid({v}) ? '' : isDate({v}) ? utcFormat({v}, {fmt}) : "
            f"length({v}) === 10 ? utcFormat(toDate({v}), {fmt}) : "
            f"length({v}) === 7 ? utcFormat(toDate({v} + '-01'), {json.dumps(d3_month())}) : "
            f"{v}")


def date_label(d) -> str:
    from ..i18n import date_long

    return date_long(d)   # 20 Nov 2025 / 2025年11月20日


def iso(d) -> str:
    return f"{pd.Timestamp(d):%Y-%m-%d}"


# ---------------------------------------------------------------------------- caption

@dataclass
class Caption:
    """The lines under a chart: what it shows, its sources and as-of date, a CSV link."""
    symbols: Sequence[str] = ()
    as_of: str | None = None
    published: Sequence[str] = ()
    note: str | None = None
    extra_sources: list[str] = field(default_factory=list)

    def as_of_text(self) -> str:
        """"Data as of" one date, or each series' own date where they differ (a chart drawn to
        ``as_of`` shows a series only up to its own last complete day)."""
        if not self.symbols:
            return (_("**Data as of** {date}.").format(date=date_label(self.as_of))
                    if self.as_of else "")
        ends = {}
        for sym in self.symbols:
            end = last_complete(sym)
            if self.as_of:
                end = min(end, f"{pd.Timestamp(self.as_of):%Y-%m-%d}")
            ends[sym] = end
        if len(set(ends.values())) == 1:
            return _("**Data as of** {date}.").format(date=date_label(next(iter(ends.values()))))
        each = _("; ").join(_("{name} {date}").format(name=label_of(s), date=date_label(d))
                            for s, d in ends.items())
        return _("**Data as of**, each series to its own last date: {each}.").format(each=each)

    def markdown(self, csv_name: str | None) -> str:
        parts = []
        if self.symbols:
            names = _(", ").join(label_of(s) for s in self.symbols)
            parts.append(_("**Source:** {names}: cached market data (Yahoo Finance and FRED "
                           "figures republished on GitHub; see the Data sources appendix).")
                         .format(names=names))
        for name in self.published:
            entry = rdata.read_manifest()["published"][name]
            links = _("; ").join(named_sources(name))
            parts.append(_("**Published figures, not our data:** {description}. "
                           "Sources: {links}.").format(description=_(entry['description']),
                                                       links=links))
        parts.extend(self.extra_sources)
        parts.append(self.as_of_text())
        if self.note:
            parts.append(self.note)
        if csv_name:
            parts.append(_("[Download the data behind this chart (CSV)]({href})").format(
                href=f"{downloads_link()}/{csv_name}.csv"))
        return _(" ").join(parts)


def _domain(url: str) -> str:
    from urllib.parse import urlparse

    host = urlparse(url).netloc
    return host[4:] if host.startswith("www.") else host


def source_link(url: str, publisher=None, title=None, published=None) -> str:
    """A source as a named Markdown link: publisher, title and date (the address only when
    nothing else is known, and then as its site's name)."""
    def given(v):
        return v is not None and not (isinstance(v, float) and pd.isna(v)) and str(v).strip()

    bits = [str(publisher) if given(publisher) else _domain(url)]
    if given(title):
        bits.append(f"“{title}”")
    if given(published):
        bits.append(date_label(published))
    text = ", ".join(bits).replace("[", "(").replace("]", ")")
    return f"[{text}]({url})"


def named_sources(table: str) -> list[str]:
    """Every source of a published table, once each, as named links."""
    df = rdata.published(table)
    col = "source_url" if "source_url" in df else "sources"
    seen, out = set(), []
    for _, row in df.iterrows():
        for url in str(row[col]).split():
            if url in seen:
                continue
            seen.add(url)
            out.append(source_link(url, row.get("publisher"), row.get("title"),
                                   row.get("published")))
    return out


def last_complete(symbol: str) -> str:
    """A series' last date (YYYY-MM-DD), one row earlier when its last row is a declared
    partial day (riskoff.catalog: partial_last)."""
    from ..catalog import partial_last

    last = rdata.info(symbol)["last"][:10]
    if partial_last(symbol) == last:
        last = f"{rdata.series(symbol).index[-2]:%Y-%m-%d}"
    return last


# The embed options set above, kept for chart_html() should a reader enable another renderer.
_HTML_OPTIONS = {"embed_options": alt.renderers.options.get("embed_options")}


def chart_html(chart: alt.TopLevelMixin, fallback_png: bytes | None = None,
               spec: dict | None = None) -> str:
    """Altair's own HTML output for a chart (the renderer the static site draws from), whatever
    renderer the session has enabled.

    ``fallback_png``: an image put inside the chart's container. vega-embed empties the
    container when it draws, so the image only shows where the chart script cannot run (an
    untrusted notebook in JupyterLab, which strips scripts but keeps images); the book's
    build removes it again (riskoff.sphinxext). ``spec``: the chart's spec when the caller
    has it already (``checked_spec``), so it is not made again.
    """
    with alt.renderers.enable("default", **_HTML_OPTIONS):
        bundle = chart._repr_mimebundle_() if spec is None else alt.renderers.get()(spec)
    if isinstance(bundle, tuple):  # (bundle, metadata) from some renderers
        bundle = bundle[0]
    out = bundle["text/html"]
    if fallback_png is not None:
        img = (f'<img class="{FALLBACK_CLASS}" alt="{html.escape(chart.description, quote=True)}"'
               if isinstance(getattr(chart, "description", None), str) else
               f'<img class="{FALLBACK_CLASS}" alt=""')
        img += f' src="data:image/png;base64,{base64.b64encode(fallback_png).decode()}">'
        out, n = re.subn(r'(<div id="altair-viz-[0-9a-f]+">)(</div>)', lambda m: m[1] + img + m[2],
                         out, count=1)
        if n != 1:
            raise RuntimeError("chart_html: no chart container in Altair's HTML output "
                               "(did Altair change its template?)")
    return out


FALLBACK_CLASS = "riskoff-fallback"


def png(chart: alt.TopLevelMixin | dict) -> bytes:
    """A static picture of the chart (or spec) in its initial state, drawn offline by
    vl-convert. Drawing takes 0.1-1 s, so pictures are cached by what they depend on."""
    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert

    spec = chart if isinstance(chart, dict) else chart.to_dict()
    vl_version = vl_version_for_vl_convert()
    path = cache_path("png", spec_key(spec, "png", vlc.__version__, vl_version, "scale=1"),
                      ".png")
    try:
        return path.read_bytes()
    except OSError:
        pass
    picture = vlc.vegalite_to_png(spec, vl_version=vl_version, scale=1)
    _cache_write(path, picture)
    return picture


def checked_spec(chart: alt.TopLevelMixin) -> dict:
    """The chart's spec, validated against the Vega-Lite schema as Altair's display does.

    Validation costs 0.1-0.5 s a chart; a spec that passed once is noted in the cache (keyed
    by the spec and the Altair and jsonschema versions) and not validated again."""
    from importlib.metadata import version

    spec = chart.to_dict(validate=False, context={"pre_transform": False})
    path = cache_path("valid", spec_key(spec, "valid", alt.__version__, version("jsonschema")),
                      "")
    if not path.exists():
        _validate(chart, spec)
        _cache_write(path, b"")
    return spec


def _validate(chart: alt.TopLevelMixin, spec: dict) -> None:
    """Altair's to_dict(validate=True) check, on the spec already made instead of making it
    again (a layer chart's copy re-runs its constructor, deep copies and param checks).

    Altair validates the spec before it adds $schema, the theme's config and the datasets.
    For a chart without its own of those (every chart of the book) that is the spec without
    these three keys: the same instance, the same schema, the same validator. Any other
    chart, or any error, takes Altair's own path, so it raises what Altair raises."""
    import jsonschema

    theme = alt.theme.get()
    own = {} if chart._args else chart._kwds
    if (theme is not None and set(theme()) <= {"config"} and isinstance(own, dict) and own and
            all(own.get(k, alt.Undefined) is alt.Undefined
                for k in ("config", "$schema", "datasets"))):
        instance = {k: v for k, v in spec.items() if k not in ("$schema", "config", "datasets")}
        try:
            type(chart).validate(instance)
            return
        except jsonschema.ValidationError:
            pass
    chart.to_dict(context={"pre_transform": False})  # raises what Altair raises


# ---------------------------------------------------------------------------- caches
# Pure results keyed by a hash of everything they depend on, outside the repository:
# $XDG_CACHE_HOME/riskoff (default ~/.cache/riskoff). A changed spec or version is a new key.

def cache_root():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return rdata.Path(base) / "riskoff"


def spec_key(spec: dict, *parts: str) -> str:
    import hashlib

    h = hashlib.sha256()
    for part in parts:
        h.update(str(part).encode() + b"\0")
    h.update(json.dumps(spec, sort_keys=True, ensure_ascii=False,
                        separators=(",", ":")).encode())
    return h.hexdigest()


def cache_path(kind: str, key: str, suffix: str):
    return cache_root() / kind / f"{key}{suffix}"


def _cache_write(path, content: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(content)
        tmp.replace(path)  # atomic: a concurrent run never reads half a file
    except OSError:
        pass  # no writable cache: compute again next time


def _md_to_html(text: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").render(text)


def publish(chart: alt.TopLevelMixin, frame: pd.DataFrame, name: str, caption: Caption,
            alt_text: str | None = None, describe=None, toggles=None, noun: str = "series",
            about: str | None = None, unlisted=None) -> None:
    """Show a chart as a figure: the chart, its words, sources, as-of date and CSV link.

    With ``describe`` (state -> words.Said), the chart gets a title and a takeaway that follow
    its controls (riskoff.charts.words); ``about`` then says what the chart is, for its
    accessible name, since the takeaway may change under the reader. Without it, ``alt_text``
    states the chart's main finding and is both the accessible name and the caption's first
    line. ``unlisted`` (words.Unlisted): the words for a state the table cannot list (a date
    the reader clicks). The data behind the chart is written to _static/downloads/<name>.csv.
    """
    from IPython.display import HTML, display

    from .. import widgets

    chart, lead, label, said = figure_words(chart, alt_text, describe, toggles, noun, about,
                                            unlisted)
    DOWNLOADS.mkdir(parents=True, exist_ok=True)
    frame.to_csv(DOWNLOADS / f"{name}.csv", index=False, float_format="%.10g",
                 lineterminator="\n")
    # The words table's text is plain (the browser sets it as text): escaped, not Markdown.
    takeaway = (_takeaway_html(lead) if said is not None else _md_to_html(f"*{lead}*"))
    figcaption = takeaway + _md_to_html(caption.markdown(name))
    if widgets.live():  # a live kernel: a chart widget that needs no CDN
        fig = widgets.live_figure(chart, figcaption, label)
        if said is not None:
            _follow_in_kernel(fig, said, caption.markdown(name))
        display(fig)
        return
    spec = checked_spec(chart)  # once, for the HTML and the picture
    label_attr = html.escape(label, quote=True)
    extra = ""
    if said is not None:
        extra = f' data-title="{html.escape(said.title().replace(chr(10), " "), quote=True)}"'
    display(HTML(f'<figure class="riskoff-figure" role="figure" aria-label="{label_attr}"{extra}>'
                 f"{chart_html(chart, fallback_png=png(spec), spec=spec)}<figcaption>{figcaption}"
                 f"</figcaption></figure>"))


def figure_words(chart, alt_text=None, describe=None, toggles=None, noun="series", about=None,
                 unlisted=None):
    """The chart with its words attached: (chart, default takeaway, accessible name, Words
    or None). What publish() shows, for tests that replace publish()."""
    from . import words as rwords

    said = None
    if describe is not None:
        def label_of_words(words):
            return about or words.title().replace("\n", " ")

        chart, said = rwords.attach(chart, describe, toggles=toggles, noun=noun,
                                    unlisted=unlisted, description=label_of_words)
        return chart, said.takeaway(), label_of_words(said), said
    return chart.properties(description=alt_text), alt_text, alt_text, None


def _takeaway_html(text: str) -> str:
    return f'<p class="riskoff-takeaway" aria-live="polite"><em>{html.escape(text)}</em></p>'


def _follow_in_kernel(fig, said, caption_md: str) -> None:
    """In a live kernel, keep the takeaway under the chart widget true to its controls,
    computed in Python from the same words table the chart's title reads."""
    from . import words as rwords

    chart_widget, cap = fig.children[0], fig.children[1]
    params = chart_widget.params
    names = said.params + [n for _, n in said.toggles]

    def update(_=None):
        try:
            key = "|".join(rwords.key_text(getattr(params, p)) for p in said.params)
            ticks = {n: bool(getattr(params, n)) for _, n in said.toggles}
            lead = said.takeaway(key, ticks) if key in said.table else said.takeaway()
        except AttributeError:  # a parameter not synced: keep the default's words
            return
        cap.value = _takeaway_html(lead) + _md_to_html(caption_md)
    try:
        params.observe(update, names=names)
    except (AttributeError, ValueError):
        pass
