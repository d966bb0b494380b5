// Evaluate a compiled Vega spec's words signals (riskoff.charts.words) for given control
// states, with the book's own vendored Vega, and print what Vega says for each state.
// stdin: {"spec": <vega spec>, "states": [{<signal>: value, ...}, ...]}
// stdout: [{"title": ..., "takeaway": ...}, ...]
const fs = require('fs');
const path = require('path');
const vega = require(path.join(__dirname, '..', '..', '_static', 'vendor', 'vega', 'vega.min.js'));

(async () => {
  const input = JSON.parse(fs.readFileSync(0, 'utf8'));
  const view = new vega.View(vega.parse(input.spec), {renderer: 'none'});
  await view.runAsync();
  const out = [];
  for (const state of input.states) {
    for (const [k, v] of Object.entries(state)) { view.signal(k, v); }
    await view.runAsync();
    out.push({title: view.signal('riskoff_title'), takeaway: view.signal('riskoff_takeaway')});
  }
  process.stdout.write(JSON.stringify(out));
})().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
