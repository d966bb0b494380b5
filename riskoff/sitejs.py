"""Sphinx hooks that make the book's pages light: what a page loads and when.

- Charts: each Altair chart's inline script (which calls vegaEmbed at once and compiles
  Vega-Lite in the reader's browser) becomes a JSON block holding the spec compiled to Vega
  at build time (vl-convert, offline). `_static/riskoff-charts.js` (deferred) draws a chart
  with the Vega runtime only when it comes near the viewport; the runtime
  (`_static/vendor/vega/vega.min.js`, no Vega-Lite compiler, no vega-embed) is fetched then,
  once.
  Pages without a chart load neither.
  Each chart's default view is also drawn at build time (vl-convert, the same compiled spec
  at the column's width on a phone and on a desktop) into `_charts/<digest>.svg`; the page
  shows that picture (<picture>, text kept as SVG text, the chart's description as alt) at
  first paint, and the live view replaces it once the reader moves or after a pause
  (riskoff-charts.js).
- Icons: the theme's Font Awesome script (all icons, ~540 KB gzip on every page) is dropped;
  the handful of `<i class="fa-...">` icons become inline SVG, their paths read from that
  same script at build time.
- Each page gets a meta description: its first paragraph of prose.

RISKOFF_SITE_LEGACY=1 builds the pages the old way (theme and Altair defaults, the full
Vega-Lite bundle on every page) so benchmarks/run.py can measure both.
"""
from __future__ import annotations

import hashlib
import html
import json
import os
import re
from pathlib import Path

from docutils import nodes

RUNTIME_JS = "vega.min.js"       # Vega alone: _static/vendor/vega (checked by riskoff.site)
LEGACY_JS = "vega-bundle.js"     # Vega + Vega-Lite + vega-embed, for the legacy build
LOADER_JS = "riskoff-charts.js"  # draws charts lazily (this module's companion)
TOOLS_JS = "riskoff-figure-tools.js"  # per-figure link, export, table view, citation
# Sphinx's options script: an inline script right after it sets the page name, so it cannot be
# deferred; its few lines are written into the page instead (build_finished).
OPTIONS_JS = "documentation_options.js"


def legacy() -> bool:
    return os.environ.get("RISKOFF_SITE_LEGACY", "") not in ("", "0")


# ------------------------------------------------------------------------------- charts

# Altair's html renderer: <div id="altair-viz-…"></div> then a script ending
# `})(SPEC, EMBED_OPTIONS);`.
_ALTAIR = re.compile(r'<script type="text/javascript">\s*var VEGA_DEBUG\b.*?</script>', re.S)
_SCHEMA_VERSION = re.compile(r"/vega-lite/v(\d+\.\d+)")


def _altair_args(script: str) -> tuple[dict, dict]:
    body = script[: script.rindex("</script>")]
    start = body.rindex("})(") + 3
    decoder = json.JSONDecoder()
    spec, end = decoder.raw_decode(body, start)
    rest = body[end:].lstrip()
    if not rest.startswith(","):
        raise ValueError("Altair chart script: no embed options after the spec")
    options, _ = decoder.raw_decode(rest[1:].lstrip())
    return spec, options


class Compiler:
    """Vega-Lite → Vega with vl-convert, cached on disk by spec digest (warm builds skip it)."""

    def __init__(self, cache_dir: Path):
        self.cache_dir = cache_dir

    def __call__(self, spec: dict) -> dict:
        text = json.dumps(spec, sort_keys=True)
        match = _SCHEMA_VERSION.search(spec.get("$schema", ""))
        version = match.group(1) if match else None
        key = hashlib.sha1(f"{version}:{text}".encode()).hexdigest()
        path = self.cache_dir / f"{key}.json"
        if path.exists():
            return json.loads(path.read_text())
        import vl_convert as vlc

        compiled = vlc.vegalite_to_vega(spec, vl_version=version)
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(compiled))
        return compiled

    def height(self, spec: dict) -> int | None:
        """The height in px the chart is drawn at (rendered once by vl-convert at its
        default width, a phone's column), so the page keeps room for it before it is drawn."""
        text = json.dumps(spec, sort_keys=True)
        path = self.cache_dir / f"{hashlib.sha1(text.encode()).hexdigest()}.height"
        if path.exists():
            return int(path.read_text() or 0) or None
        import vl_convert as vlc

        try:
            svg = vlc.vega_to_svg(spec)
        except Exception:  # the browser says what is wrong; here it only costs the room
            svg = ""
        match = re.search(r'<svg\b[^>]*\bheight="([\d.]+)"', svg)
        height = round(float(match.group(1))) if match else 0
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(str(height))
        return height or None


    def picture(self, spec: dict, width: int) -> str | None:
        """The chart's default view as SVG, drawn by vl-convert at `width` px (what the
        browser draws at that column width), for the page to show before Vega runs."""
        import vl_convert as vlc

        # About 1 s per picture: kept out of _build, which a cold build empties
        # ($XDG_CACHE_HOME/riskoff/pictures; the key holds the spec as drawn and vl-convert).
        drawn = measured_in(at_width(spec, width), MEASURE_FONT)
        text = json.dumps(drawn, sort_keys=True)
        key = hashlib.sha1(f"{vlc.__version__}:{CHART_FONTS}:{text}".encode()).hexdigest()
        path = picture_cache() / f"{key}.svg"
        if path.exists():
            return path.read_text(encoding="utf-8") or None

        try:
            svg = vlc.vega_to_svg(drawn)
        except Exception:  # the live view says what is wrong; here it only costs the picture
            svg = ""
        svg = drawn_in(svg, MEASURE_FONT, CHART_FONTS)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(svg, encoding="utf-8")
        return svg or None


    def probe(self, spec: dict) -> dict | None:
        """What the figure tools read from the live view's default scales (riskoff-figure-
        tools.js abilities): the y domain's first two values and the x domain's ends (ms), as
        vl-convert's Vega evaluates them at each picture width; None where a width disagrees
        or the chart cannot be drawn. Cached beside the pictures (about 1 s a width)."""
        import vl_convert as vlc

        scales = {s.get("name"): s for s in spec.get("scales", []) if isinstance(s, dict)}
        parts = []
        if "y" in scales:
            parts += ["domain('y')[0]", "domain('y')[1]"]
        if "x" in scales:
            parts += ["time(domain('x')[0])", "time(peek(domain('x')))"]
        if not parts:
            return {}
        expr = " + '|' + ".join(f"('' + {e})" for e in parts)
        mark = {"type": "text", "name": "riskoff_probe",
                "encode": {"update": {"text": {"signal": expr}}}}
        found = set()
        for width in PICTURE_WIDTHS:
            drawn = at_width(spec, width)
            drawn["marks"] = [*drawn.get("marks", []), mark]
            text = json.dumps(drawn, sort_keys=True)
            key = hashlib.sha1(f"{vlc.__version__}:probe:{text}".encode()).hexdigest()
            path = picture_cache() / f"{key}.probe"
            if path.exists():
                found.add(path.read_text(encoding="utf-8"))
                continue
            try:
                got = _probe_text(vlc.vega_to_scenegraph(drawn))
            except Exception:  # the live view decides alone
                got = ""
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(got, encoding="utf-8")
            found.add(got)
        if len(found) != 1 or not next(iter(found)):
            return None
        values = next(iter(found)).split("|")
        out, i = {}, 0
        if "y" in scales:
            out["y"], i = values[i:i + 2], i + 2
        if "x" in scales:
            out["x"] = values[i:i + 2]
        return out


def _probe_text(scene) -> str:
    """The text of the probe mark in a vl-convert scenegraph ("" when absent)."""
    stack = [scene]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("name") == "riskoff_probe" and node.get("items"):
                return str(node["items"][0].get("text", ""))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return ""


# The charts' font list (riskoff.charts.base theme). vl-convert resolves it to Liberation Sans,
# while Chromium on Linux draws system-ui as DejaVu Sans, about 11 % wider: a picture laid out
# with the narrower font had labels wrap later and the first letters of long axis labels cut
# ("old (COMEX front month)"). Pictures are laid out with DejaVu Sans, the widest of the
# usual system fonts (San Francisco, Segoe UI and Roboto are narrower: text keeps room), and
# name the charts' fonts again, so the reader's browser draws their text as the live view does.
CHART_FONTS = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
MEASURE_FONT = "DejaVu Sans"


def measured_in(spec: dict, font: str) -> dict:
    """The spec with the charts' font list replaced by `font` (where it is given as a font)."""
    return json.loads(json.dumps(spec).replace(json.dumps(CHART_FONTS), json.dumps(font)))


def drawn_in(svg: str, measured: str, fonts: str) -> str:
    """The picture's text named in `fonts` again (vl-convert wrote `measured`)."""
    return svg.replace(f'font-family="{html.escape(measured)}"',
                       f'font-family="{html.escape(fonts, quote=False)}"')


def picture_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "riskoff" / "pictures"


PICTURE_WIDTHS = (342, 672)  # px: the column at 390 px and at 1280 px (measured)
PICTURE_WIDE = 768  # viewport px from which the column is about 672–774 px wide


def at_width(spec: dict, width: int) -> dict:
    """The spec drawn at a fixed width: a chart sized to its container (width "container"
    compiles to a width signal reading containerSize()) gets `width` instead."""
    out = dict(spec)
    out["signals"] = [
        {k: v for k, v in s.items() if k != "on"} | {"init": str(width)}
        if isinstance(s, dict) and s.get("name") == "width" and "containerSize" in str(s)
        else s for s in spec.get("signals", [])]
    # Other expressions read the container's width too (a title wrapped for a phone below
    # 560 px, riskoff.charts.words): vl-convert has no container (0), the page has `width`.
    text = json.dumps(out)
    if "containerSize()[0]" in text:
        out = json.loads(text.replace("containerSize()[0]", f"({width})"))
    return out


def still_svg(svg: str) -> str:
    """A picture's SVG that no script mistakes for a drawn Vega view (no "marks" class)."""
    return svg.replace('class="marks"', 'class="riskoff-still"', 1)


def _json_for_script(data) -> str:
    # Inside <script>, "</script>" or "<!--" in a string would end or confuse the block.
    return json.dumps(data, separators=(",", ":")).replace("<", "\\u003c")


SHARED_MIN = 2000  # bytes of JSON: smaller data sets are not worth a lookup


CONTROL_ROW = 40  # px a bound control takes under the chart (a phone wraps some: measured)


def _controls_height(spec) -> int:
    """Room for the chart's controls (HTML under the drawing, not in vl-convert's picture):
    a row per control, one for all the checkboxes."""
    inputs = [s["bind"].get("input") for s in spec.get("signals", []) if isinstance(s, dict)
              and isinstance(s.get("bind"), dict) and s["bind"].get("input")]
    boxes = inputs.count("checkbox")
    return CONTROL_ROW * (len(inputs) - boxes + (1 if boxes else 0))


def _bound(spec) -> list[dict]:
    return [s for s in spec.get("signals", []) if isinstance(s, dict)
            and isinstance(s.get("bind"), dict) and s["bind"].get("input")]


def _attr_value(v) -> str:
    # What Vega's setAttribute / textContent write for a value (String(v) in JavaScript).
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return html.escape(str(v))


def _same(a, b) -> bool:
    # Vega's option test: a === b || a + '' == b + ''
    return a == b and type(a) is type(b) or _attr_value(a) == _attr_value(b)


def controls_html(spec) -> str:
    """The chart's bound controls as HTML, in the markup Vega's own bindings have (vega-view
    bind: form.vega-bindings > div.vega-bind > …, the same elements, attributes and order),
    at the spec's initial values: drawn with the picture, so nothing moves when the live view
    replaces them. "" when the chart has no control or one this does not know."""
    rows = []
    for s in _bound(spec):
        b, name, value = s["bind"], html.escape(s["name"]), s.get("value")
        label = f'<span class="vega-bind-name">{html.escape(str(b.get("name") or s["name"]))}</span>'
        kind = b["input"]
        if kind == "checkbox":
            checked = ' checked="true"' if value else ""
            rows.append(f'<div class="vega-bind"><label>{label}<input type="checkbox" '
                        f'name="{name}"{checked}></label></div>')
        elif kind in ("select", "radio") and isinstance(b.get("options"), list):
            labels = b.get("labels") or []
            items = []
            for i, opt in enumerate(b["options"]):
                text = html.escape(str(labels[i] if i < len(labels) and labels[i] is not None
                                       else _attr_value(opt)))
                on = _same(opt, value)
                if kind == "select":
                    on = ' selected="true"' if on else ""
                    items.append(f'<option value="{_attr_value(opt)}"{on}>{text}</option>')
                else:
                    on = ' checked="true"' if on else ""
                    items.append(f'<label><input type="radio" name="{name}" '
                                 f'value="{_attr_value(opt)}"{on}>{text}</label>')
            if kind == "select":
                rows.append(f'<div class="vega-bind"><label>{label}<select name="{name}">'
                            f'{"".join(items)}</select></label></div>')
            else:
                rows.append(f'<div class="vega-bind">{label}<span class="vega-bind-radio">'
                            f'{"".join(items)}</span></div>')
        elif kind == "range" and isinstance(value, (int, float)) and not isinstance(value, bool) \
                and all(isinstance(b.get(k), (int, float)) for k in ("min", "max", "step")):
            v = _attr_value(value)
            rows.append(f'<div class="vega-bind"><label>{label}<input type="range" '
                        f'name="{name}" min="{_attr_value(b["min"])}" max="{_attr_value(b["max"])}" '
                        f'step="{_attr_value(b["step"])}" value="{v}"><span>{v}</span></label></div>')
        else:
            return ""
    if not rows:
        return ""
    # riskoff-static: no script has bound them yet (riskoff-charts.js reads them at the swap).
    return f'<form class="vega-bindings riskoff-static">{"".join(rows)}</form>'


def _number(text) -> float | None:
    try:
        v = float(text)
    except (TypeError, ValueError):
        return None
    return v if v == v and abs(v) != float("inf") else None


def _iso_day(ms: float) -> str:
    import datetime as dt

    return (dt.datetime(1970, 1, 1) + dt.timedelta(milliseconds=ms)).date().isoformat()


def tool_abilities(spec: dict, probe: dict | None) -> dict | None:
    """The figure tools' view abilities as riskoff-figure-tools.js abilities() and pickParam()
    will find them on the default view: {log, range: (min day, max day) or None, pick: param
    or None}; None when the probe could not tell."""
    if probe is None:
        return None
    scales = {s.get("name"): s for s in spec.get("scales", []) if isinstance(s, dict)}
    can = {"log": False, "range": None, "pick": None}
    y, x = scales.get("y"), scales.get("x")
    if y and y.get("type", "linear") == "linear":
        lo, hi = (_number(v) for v in (probe.get("y") or [None, None]))
        if lo is None or hi is None:
            return None
        can["log"] = lo > 0 and hi / lo > 3
    if x and x.get("type") in ("utc", "time"):
        lo, hi = (_number(v) for v in (probe.get("x") or [None, None]))
        if lo is None or hi is None:
            return None
        can["range"] = (_iso_day(lo), _iso_day(hi))
    meta = spec.get("usermeta", {}).get("riskoff") if isinstance(spec.get("usermeta"), dict) \
        else None
    name = meta.get("pick_date") if isinstance(meta, dict) else None
    if name and can["range"] and any(s["name"] == name for s in _bound(spec)):
        can["pick"] = name
    return can


def tools_html(spec: dict, can: dict, words: dict | None = None) -> str:
    """The figure's toolbar as riskoff-figure-tools.js makes it (toolbar, viewTools: the same
    elements, classes, words and order; ids are set by the script), for the page to keep its
    exact room before the live view. Hidden until the script has wired it (riskoff-charts.css)."""
    words = words or {}

    def w(s):
        return html.escape(words.get(s, s))

    def button(label, cls, aria=None, more=""):
        aria = f' aria-label="{aria}"' if aria else ""
        return f'<button type="button" class="riskoff-tool {cls}"{aria}{more}>{label}</button>'

    items = []
    if can["range"]:
        lo, hi = can["range"]
        box = []
        for word, value in ((words.get("From", "From"), lo), (words.get("To", "To"), hi)):
            box.append(f'<label>{html.escape(word)} </label><input type="date" min="{lo}" '
                       f'max="{hi}" value="{value}" '
                       f'class="riskoff-range-{html.escape(word.lower())}">')
        box.append(button(w("Full range"), "riskoff-range-reset", w("Show the whole time range")))
        items.append(f'<span class="riskoff-range" role="group" aria-label="{w("Time range")}">'
                     f'{"".join(box)}</span>')
    if can["log"]:
        items.append(button(w("Log scale"), "riskoff-log", w("Logarithmic vertical scale"),
                            ' aria-pressed="false"'))
    if can["pick"]:
        lo, hi = can["range"]
        meta = spec["usermeta"]["riskoff"]
        label = html.escape(meta.get("pick_label") or words.get("Any date", "Any date"))
        value = next((s.get("value") for s in _bound(spec) if s["name"] == can["pick"]), None)
        value = f' value="{value}"' if isinstance(value, str) and \
            re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else ""
        items.append(f'<span class="riskoff-pick"><label>{label} </label><input type="date" '
                     f'class="riskoff-pick-date" min="{lo}" max="{hi}"{value}>'
                     f'<span class="riskoff-hint">{w("or click the chart at a date")}</span>'
                     f'</span>')
    items += [button(w("Link to this view"), "riskoff-link"),
              button(w("Cite"), "riskoff-cite", w("Cite this chart")),
              button(w("Table"), "riskoff-table-toggle", w("Show the values as a table")),
              button("SVG", "riskoff-save-svg", w("Download the chart as SVG")),
              button("PNG", "riskoff-save-png", w("Download the chart as PNG")),
              button(w("CSV of this view"), "riskoff-save-csv",
                     w("Download the values drawn in this view as CSV"))]
    return (f'<div class="riskoff-tools" role="group" aria-label="{w("Figure tools")}">'
            f'{"".join(items)}</div>')


_FIGURE_OPEN = re.compile(r'<figure\b[^>]*\bclass="(?:[^"]*\s)?riskoff-figure[\s"]')
_FIGURE_END = re.compile(r'\s*(?:<figcaption\b|</figure>)')


def _alone_in_figure(body: str, start: int, end: int, since: int) -> bool:
    """Whether the chart at body[start:end] is the one chart of a riskoff figure, its
    toolbar's place (before the caption) right after it."""
    opens = [m.start() for m in _FIGURE_OPEN.finditer(body, 0, start)]
    return bool(opens) and opens[-1] >= since and body.rfind("</figure>", 0, start) < opens[-1] \
        and bool(_FIGURE_END.match(body, end))


_PLACEHOLDER = re.compile(r'<div id="(altair-viz-[^"]+)"></div>\s*$')


def picture_html(urls: list[tuple[int, str, int]], alt: str, eager: bool) -> str:
    """<picture> of a chart: [(width, url, height)] narrowest first, the narrow one on
    phones. Shown until the live view replaces it (riskoff-charts.js)."""
    (w0, u0, h0), (w1, u1, h1) = urls[0], urls[-1]
    # The first chart is what the reader sees first: its picture before other images.
    lazy = ' fetchpriority="high"' if eager else ' loading="lazy"'
    return (f'<picture class="riskoff-picture">'
            f'<source media="(max-width: {PICTURE_WIDE - 0.02}px)" srcset="{u0}" '
            f'width="{w0}" height="{h0}">'
            f'<img src="{u1}" width="{w1}" height="{h1}" alt="{html.escape(alt)}"'
            f' decoding="async"{lazy}></picture>')


def compile_charts(body: str, compile_spec, height=None, picture=None,
                   store=None, tools=None) -> tuple[str, int]:
    """Replace every Altair chart script in `body` by a JSON block for riskoff-charts.js.

    A data set that several charts of the page draw (the same rows) is written once, in a
    <script type="application/json" class="riskoff-data" data-key="…"> block after the first
    chart that uses it; the charts' specs name it by "riskoff_values" instead of "values".
    With `store` (JSON text -> URL of a file holding it, see ChartFiles), each block is left
    empty with a data-file attribute: the page's HTML carries no spec or data, which are
    loaded only when a chart goes live.
    With `tools` (spec -> toolbar HTML or ""), a chart with a picture that is alone in its
    figure gets the figure's toolbar written after it, in place of the room kept for it."""

    def block(cls: str, text: str, attrs: str = "") -> str:
        if store is None:
            return f'<script type="application/json" class="{cls}"{attrs}>{text}</script>'
        return (f'<script type="application/json" class="{cls}"{attrs} '
                f'data-file="{html.escape(store(text))}"></script>')
    charts = []
    for match in _ALTAIR.finditer(body):
        spec, options = _altair_args(match.group(0))
        if options.get("mode", "vega-lite") == "vega-lite":
            spec = compile_spec(spec)
        actions = options.get("actions", True)
        export = actions if isinstance(actions, bool) else bool(actions.get("export", True))
        data = {"spec": spec, "renderer": options.get("renderer", "svg"), "export": export}
        charts.append((match, data))

    # Which inline data sets repeat across charts of this page (by content).
    texts, users = {}, {}
    for i, (_, data) in enumerate(charts):
        for d in data["spec"].get("data", []) if isinstance(data["spec"], dict) else []:
            if isinstance(d, dict) and isinstance(d.get("values"), list):
                text = _json_for_script(d["values"])
                if len(text) >= SHARED_MIN:
                    key = hashlib.sha1(text.encode()).hexdigest()[:16]
                    texts[key] = text
                    users.setdefault(key, set()).add(i)
    shared = {k for k, who in users.items() if len(who) > 1}

    out, pos, written = [], 0, set()
    for i, (match, data) in enumerate(charts):
        bar = ""
        after, full_spec = [], data["spec"]
        if shared:
            spec = dict(data["spec"])
            spec["data"] = []
            for d in data["spec"].get("data", []):
                if isinstance(d, dict) and isinstance(d.get("values"), list):
                    key = hashlib.sha1(_json_for_script(d["values"]).encode()).hexdigest()[:16]
                    if key in shared:
                        d = {k: v for k, v in d.items() if k != "values"}
                        d["riskoff_values"] = key
                        if key not in written:
                            written.add(key)
                            after.append(block("riskoff-data", texts[key],
                                               f' data-key="{key}"'))
                spec["data"].append(d)
            data = {**data, "spec": spec}
        before = body[pos:match.start()]
        rows = height(full_spec) if height else None
        if rows:
            rows += _controls_height(full_spec)
        still = picture(full_spec, i == 0) if picture else ""
        controls = controls_html(full_spec) if still else ""
        if still and (controls or not _bound(full_spec)):
            # The picture (its width and height given) and the controls, as the live view
            # will have them, hold the chart's room exactly: no height to guess.
            rows, exact = None, True
        else:
            exact = False
        if still:
            # As the live view's own wrapper (riskoff-charts.js draw): the chart's div is a
            # flex row (Altair's style), the wrapper its one item, full width when the chart
            # fits its container.
            fit = full_spec.get("autosize") if isinstance(full_spec, dict) else None
            fit = fit.get("type") if isinstance(fit, dict) else fit
            wide = " fit-x" if fit in ("fit", "fit-x") else ""
            still = f'<div class="chart-wrapper riskoff-still{wide}">{still}{controls}</div>'
            if tools and _alone_in_figure(body, match.start(), match.end(), pos):
                bar = tools(full_spec)
        if rows or still:
            # Room for the chart before it is drawn: no layout shift when it appears.
            # With a picture, the figure's toolbar (riskoff-figure-tools.js) is written after
            # the chart (tools_html) and holds its own room; else its room is kept here
            # (riskoff-charts.css --riskoff-tools-room).
            room = f"calc({rows}px + var(--riskoff-tools-room, 0px))" if still else f"{rows}px"
            style = f' style="min-height: {room}"' if rows else ""
            cls = "riskoff-pending vega-embed riskoff-still-view" if still else "riskoff-pending"
            cls += " riskoff-exact" if exact else ""
            cls += " riskoff-tools-built" if bar else ""
            before = _PLACEHOLDER.sub(lambda m: f'<div id="{m.group(1)}" class="{cls}"'
                                      f'{style}>{still}</div>', before)
        out.append(before)
        out.append(block("riskoff-chart", _json_for_script(data)) + "".join(after) + bar)
        pos = match.end()
    out.append(body[pos:])
    return "".join(out), len(charts)


# ------------------------------------------------------------------------------- description

def description(doctree, limit: int = 155) -> str:
    """The page's first paragraph of prose (not a caption, table or code output), cut at a
    word boundary."""
    for para in doctree.findall(nodes.paragraph):
        if any(isinstance(a, (nodes.table, nodes.caption, nodes.footnote, nodes.citation,
                              nodes.field_list, nodes.admonition, nodes.container,
                              nodes.block_quote, nodes.sidebar, nodes.topic))
               for a in _ancestors(para)):
            continue
        text = " ".join(para.astext().split())
        if len(text) < 40:
            continue
        if len(text) > limit:
            text = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
        return text
    return ""


def _ancestors(node):
    node = node.parent
    while node is not None:
        yield node
        node = node.parent


# ------------------------------------------------------------------------------- page hook

def _script_name(js) -> str:
    name = getattr(js, "filename", None) or ""
    return name.split("?")[0].rsplit("/", 1)[-1]


def _defer(js):
    """No script blocks the first paint: each one with a file runs after parsing, in order.
    (The search page is left as Sphinx wrote it: its inline code calls the scripts at once.)"""
    attrs = getattr(js, "attributes", None)
    if getattr(js, "filename", None) and isinstance(attrs, dict) and "async" not in attrs:
        attrs["defer"] = "defer"
    return js


def _deferred(js):
    """A deferred copy of a script entry (entries are shared by every page: the search page
    keeps the original)."""
    attrs = getattr(js, "attributes", None)
    if not (getattr(js, "filename", None) and isinstance(attrs, dict)) or "async" in attrs \
            or attrs.get("defer"):
        return js
    return type(js)(js.filename, priority=js.priority, **{**attrs, "defer": "defer"})


PICTURES = "_charts"  # where the pictures go, beside _static


class PictureWriter:
    """Writes a chart's pictures (one per width, named by content) into the output and
    returns the <picture> for the page; "" when vl-convert could not draw it."""

    def __init__(self, app, context, compiler):
        self.outdir, self.pathto, self.compiler = Path(app.outdir), context["pathto"], compiler

    def __call__(self, spec: dict, eager: bool) -> str:
        urls = []
        for width in PICTURE_WIDTHS:
            svg = self.compiler.picture(spec, width)
            match = svg and re.search(r'<svg\b[^>]*\bheight="([\d.]+)"', svg)
            if not match:
                return ""
            svg = still_svg(svg)
            name = f"{hashlib.sha1(svg.encode()).hexdigest()[:20]}.svg"
            path = self.outdir / PICTURES / name
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(svg, encoding="utf-8")
            urls.append((width, self.pathto(f"{PICTURES}/{name}", 1),
                         round(float(match.group(1)))))
        return picture_html(urls, spec.get("description") or "", eager)


class ChartFiles:
    """Writes a chart's JSON (spec or shared data set) into `_charts/<digest>.json` and returns
    its URL for the page; riskoff-charts.js fetches it when the chart goes live. Beside it,
    `<digest>.js` holds the same text as `riskoffChartFile("<digest>", "<json>")`: a page
    opened from disk (file://, where fetch is refused) loads that as a script instead."""

    def __init__(self, app, context):
        self.outdir, self.pathto = Path(app.outdir), context["pathto"]

    def __call__(self, text: str) -> str:
        digest = hashlib.sha1(text.encode()).hexdigest()[:20]
        path = self.outdir / PICTURES / f"{digest}.json"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            path.with_suffix(".js").write_text(chart_file(digest, text), encoding="utf-8")
        return self.pathto(f"{PICTURES}/{digest}.json", 1)


def chart_file(digest: str, text: str) -> str:
    """The script twin of a chart's .json file: hands its JSON text (a string) over."""
    return f"riskoffChartFile({json.dumps(digest)}, {json.dumps(text)});\n"


def _tool_words(app) -> dict:
    """The figure tools' words in the edition's language (what the pages' RISKOFF_WORDS give
    riskoff-figure-tools.js, riskoff.edition); {} in English."""
    words = getattr(app, "_riskoff_tool_words", None)
    if words is None:
        from riskoff import edition

        ed = edition._edition_of(app.config)
        words = edition.tool_words(ed.code)[0] if ed is not None else {}
        app._riskoff_tool_words = words
    return words


def page_context(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files", [])
    if legacy():
        context["script_files"] = [js for js in scripts
                                   if _script_name(js) not in (RUNTIME_JS, LOADER_JS, TOOLS_JS)]
        return
    charts = 0
    if "body" in context:
        compiler = Compiler(Path(app.doctreedir) / "riskoff-vega")
        pictures = PictureWriter(app, context, compiler)
        words = _tool_words(app)

        def tools(spec):
            can = tool_abilities(spec, compiler.probe(spec))
            return tools_html(spec, can, words) if can is not None else ""
        context["body"], charts = compile_charts(context["body"], compiler, compiler.height,
                                                 pictures, ChartFiles(app, context), tools)
    drop = {RUNTIME_JS, LEGACY_JS} | (set() if charts else {LOADER_JS, TOOLS_JS})
    kept = []
    for js in scripts:
        if _script_name(js) in drop:
            continue
        if _script_name(js) in (LOADER_JS, TOOLS_JS):
            _defer(js)
        elif pagename != "search" and _script_name(js) != OPTIONS_JS:
            js = _deferred(js)
        kept.append(js)
    context["script_files"] = kept
    if charts:
        # Without scripts the controls drawn with the pictures would do nothing: not shown.
        context["metatags"] = (context.get("metatags", "")
                               + "\n<noscript><style>form.riskoff-static{display:none}</style>"
                                 "</noscript>")
    if doctree is not None and 'name="description"' not in context.get("metatags", ""):
        text = description(doctree)
        if text:
            context["metatags"] = (context.get("metatags", "")
                                   + f'\n<meta name="description" content="{html.escape(text)}" />')


# ------------------------------------------------------------------------------- icons

_ICON = re.compile(r'(?:"([a-z0-9-]+)"|([a-z][a-z0-9]*)):\[(\d+),(\d+),\[([^\]]*)\],"[0-9a-f]*",'
                   r'"(M[^"]+)"\]')
_PACK = re.compile(r'\w+\("(fab|far|fas)",\w+\)')
_PREFIX = {"fa-solid": "fas", "fas": "fas", "fa-regular": "far", "far": "far",
           "fa-brands": "fab", "fab": "fab"}
# Font Awesome's style and size classes, not icon names.
_MODIFIERS = re.compile(r"fa-(solid|regular|brands|fw|lg|xs|sm|xl|2xs|2xl|\d+x|spin|pulse|"
                        r"border|inverse|flip.*|rotate.*|beat.*|fade|bounce|shake|li|ul|stack.*)$")
_ELEMENT = re.compile(r'<(i|span)\s+class="([^"]*)"([^>]*)>\s*</\1>')
_FA_TAGS = re.compile(
    r'<script\b[^>]*(?:fontawesome\.js|fontawesome/[^"]*/all\.min\.js)[^>]*>\s*</script>\s*'
    r'|<link\b[^>]*rel="preload"[^>]*(?:fontawesome|fa-(?:solid|regular|brands)-\d+\.woff2)'
    r'[^>]*/?>\s*')


def icon_set(script: str) -> dict[str, dict[str, tuple[int, int, str]]]:
    """{pack: {name or alias: (width, height, path)}} from Font Awesome's all-icons script."""
    packs, start = {}, 0
    for pack in _PACK.finditer(script):
        icons = packs.setdefault(pack.group(1), {})
        for m in _ICON.finditer(script, start, pack.start()):
            entry = (int(m.group(3)), int(m.group(4)), m.group(6))
            icons.setdefault(m.group(1) or m.group(2), entry)
            for alias in re.findall(r'"([a-z0-9-]+)"', m.group(5)):
                icons.setdefault(alias, entry)
        start = pack.end()
    return packs


def inline_icons(page: str, icons: dict) -> str | None:
    """The page with every Font Awesome element as inline SVG and the icon script gone; None
    when an icon is not in `icons` (the page is then left as the theme made it)."""
    missing = False

    def replace(match):
        nonlocal missing
        classes = match.group(2).split()
        names = [c[3:] for c in classes if c.startswith("fa-") and not _MODIFIERS.match(c)]
        packs = [_PREFIX[c] for c in classes if c in _PREFIX]
        if not names:
            return match.group(0)
        entry = icons.get(packs[0] if packs else "fas", {}).get(names[0])
        if entry is None:
            missing = True
            return match.group(0)
        width, height, path = entry
        attrs = match.group(3)
        title = re.search(r'\btitle="([^"]*)"', attrs)
        label = (f'role="img"><title>{title.group(1)}</title>' if title
                 else 'aria-hidden="true">')
        return (f'<svg class="svg-inline--fa {" ".join(classes)}"{attrs} focusable="false" '
                f'xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" {label}'
                f'<path fill="currentColor" d="{path}"/></svg>')

    out = _ELEMENT.sub(replace, page)
    if missing:
        return None
    return _FA_TAGS.sub("", out)


def _icon_script(outdir: Path) -> Path | None:
    found = sorted(outdir.glob("_static/**/fontawesome.js")) + sorted(
        outdir.glob("_static/vendor/fontawesome/*/js/all.min.js"))
    return found[0] if found else None


_OPTIONS_TAG = re.compile(r'<script src="[^"]*_static/documentation_options\.js(?:\?v=[0-9a-f]+)?">'
                          r'</script>')


def inline_options(page: str, options: str) -> str:
    """The page with Sphinx's options script written into it (one round trip less, and the
    inline page-name line after it keeps working)."""
    body = options.replace("</", "<\\/")
    return _OPTIONS_TAG.sub(lambda m: f"<script>{body}</script>", page, count=1)


def build_finished(app, exception):
    if exception is not None or legacy() or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    script = _icon_script(outdir)
    icons = icon_set(script.read_text(encoding="utf-8")) if script else None
    options_js = outdir / "_static" / OPTIONS_JS
    options = options_js.read_text(encoding="utf-8").strip() if options_js.exists() else None
    for page in outdir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        new = text
        if icons is not None:
            new = inline_icons(new, icons) or new
        if options is not None:
            new = inline_options(new, options)
        if new != text:
            page.write_text(new, encoding="utf-8")


def setup(app):
    app.connect("html-page-context", page_context, priority=800)
    app.connect("build-finished", build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
