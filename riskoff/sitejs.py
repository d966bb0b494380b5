"""Sphinx hooks that make the book's pages light: what a page loads and when.

- Charts: each Altair chart's inline script (which calls vegaEmbed at once and compiles
  Vega-Lite in the reader's browser) becomes a JSON block holding the spec compiled to Vega
  at build time (vl-convert, offline). `_static/riskoff-charts.js` (deferred) draws a chart
  with the Vega runtime only when it comes near the viewport; the runtime
  (`_static/vendor/vega/vega.min.js`, no Vega-Lite compiler, no vega-embed) is fetched then,
  once.
  Pages without a chart load neither.
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


def _json_for_script(data) -> str:
    # Inside <script>, "</script>" or "<!--" in a string would end or confuse the block.
    return json.dumps(data, separators=(",", ":")).replace("<", "\\u003c")


def compile_charts(body: str, compile_spec) -> tuple[str, int]:
    """Replace every Altair chart script in `body` by a JSON block for riskoff-charts.js."""
    count = 0

    def replace(match):
        nonlocal count
        spec, options = _altair_args(match.group(0))
        if options.get("mode", "vega-lite") == "vega-lite":
            spec = compile_spec(spec)
        actions = options.get("actions", True)
        export = actions if isinstance(actions, bool) else bool(actions.get("export", True))
        count += 1
        data = {"spec": spec, "renderer": options.get("renderer", "svg"), "export": export}
        return f'<script type="application/json" class="riskoff-chart">{_json_for_script(data)}</script>'

    return _ALTAIR.sub(replace, body), count


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


def page_context(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files", [])
    if legacy():
        context["script_files"] = [js for js in scripts
                                   if _script_name(js) not in (RUNTIME_JS, LOADER_JS, TOOLS_JS)]
        return
    charts = 0
    if "body" in context:
        compiler = Compiler(Path(app.doctreedir) / "riskoff-vega")
        context["body"], charts = compile_charts(context["body"], compiler)
    drop = {RUNTIME_JS, LEGACY_JS} | (set() if charts else {LOADER_JS, TOOLS_JS})
    kept = []
    for js in scripts:
        if _script_name(js) in drop:
            continue
        if _script_name(js) in (LOADER_JS, TOOLS_JS):
            attrs = getattr(js, "attributes", None)
            if isinstance(attrs, dict):
                attrs["defer"] = "defer"
        kept.append(js)
    context["script_files"] = kept
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


def build_finished(app, exception):
    if exception is not None or legacy() or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    script = _icon_script(outdir)
    if script is None:
        return
    icons = icon_set(script.read_text(encoding="utf-8"))
    for page in outdir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        new = inline_icons(text, icons)
        if new is not None and new != text:
            page.write_text(new, encoding="utf-8")


def setup(app):
    app.connect("html-page-context", page_context, priority=800)
    app.connect("build-finished", build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
