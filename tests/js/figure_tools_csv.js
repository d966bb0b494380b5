// The figure tools' CSV of a view (_static/riskoff-figure-tools.js drawnCsv), outside a page:
// the script runs against a bare window/document with the given words (RISKOFF_WORDS, as an
// edition's page carries them), on a chart drawn by the book's vendored Vega.
// stdin: {"words": {...}, "spec": <vega spec>, "meta": {...}, "captions": ["...", ...],
//         "script": <another copy of the tools, optional>}
// stdout: {"csv": "...", "asOf": ["...", ...]}  (asOf: what the tools read from each caption)
const fs = require('fs');
const path = require('path');
const vm = require('vm');
const root = path.join(__dirname, '..', '..');
const vega = require(path.join(root, '_static', 'vendor', 'vega', 'vega.min.js'));

(async () => {
  const input = JSON.parse(fs.readFileSync(0, 'utf8'));
  const none = () => [];
  const document = {readyState: 'complete', addEventListener() {}, querySelectorAll: none,
                    querySelector: () => null, getElementById: () => null};
  const window = {RISKOFF_WORDS: input.words || {}};
  const location = {search: '', hash: '', href: 'https://example.org/book/chapters/x.html'};
  const ctx = vm.createContext({window, document, location, console, setTimeout, clearTimeout,
                                CustomEvent: function () {}});
  const script = input.script || path.join(root, '_static', 'riskoff-figure-tools.js');
  vm.runInContext(fs.readFileSync(script, 'utf8'), ctx);
  const view = new vega.View(vega.parse(input.spec), {renderer: 'none'});
  await view.runAsync();
  const tools = window.riskoffFigureTools;
  const csv = tools.csv({view, spec: input.spec, meta: input.meta, anchor: 'fig-x', name: 'x'});
  process.stdout.write(JSON.stringify({csv, asOf: (input.captions || []).map(tools.asOfIn)}));
})().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
