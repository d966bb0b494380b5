"""Sphinx hook for the book: drop duplicate <script> entries.

sphinx-thebe 0.3.1 registers its inline config script twice under Jupyter Book 1, and the
second copy throws "Identifier 'THEBE_JS_URL' has already been declared" in every page.
"""

import re

# The static picture riskoff.charts.base.chart_html() puts in each committed chart for
# untrusted notebooks; the site draws the chart itself, so the page does not carry it.
_FALLBACK_IMG = re.compile(r'<img class="riskoff-fallback"[^>]*>')


def _drop_fallback_images(app, pagename, templatename, context, doctree):
    if "body" in context:
        context["body"] = _FALLBACK_IMG.sub("", context["body"])


def _dedupe_scripts(app, pagename, templatename, context, doctree):
    seen, unique = set(), []
    for js in context.get("script_files", []):
        attrs = getattr(js, "attributes", {}) or {}
        # Inline scripts come with filename None or "" depending on who added them.
        key = (getattr(js, "filename", str(js)) or "", tuple(sorted(attrs.items())))
        if key not in seen:
            seen.add(key)
            unique.append(js)
    context["script_files"] = unique


def setup(app):
    app.connect("html-page-context", _drop_fallback_images, priority=400)
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
