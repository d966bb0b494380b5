// The text a compiled Vega spec draws (every text mark's items) for given control states,
// with the book's own vendored Vega: what a reader sees written in the chart.
// stdin: {"spec": <vega spec>, "states": [{<signal>: value, ...}, ...]}
// stdout: [[text, ...], ...], one list per state
const fs = require('fs');
const path = require('path');
const vega = require(path.join(__dirname, '..', '..', '_static', 'vendor', 'vega', 'vega.min.js'));

function texts(node, out) {
  if (!node) return out;
  if (node.marktype === 'text') {
    for (const item of node.items || []) {
      if (item.text !== undefined && item.text !== null && item.text !== '') {
        out.push(Array.isArray(item.text) ? item.text.join('\n') : String(item.text));
      }
    }
    return out;
  }
  for (const item of node.items || []) {
    if (item.items) { for (const child of item.items) texts(child, out); }
    else texts(item, out);
  }
  return out;
}

(async () => {
  const input = JSON.parse(fs.readFileSync(0, 'utf8'));
  const view = new vega.View(vega.parse(input.spec), {renderer: 'none'});
  view.width(640);
  await view.runAsync();
  const out = [];
  for (const state of input.states) {
    for (const [k, v] of Object.entries(state)) { view.signal(k, v); }
    await view.runAsync();
    out.push(texts(view.scenegraph().root, []));
  }
  process.stdout.write(JSON.stringify(out));
})().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
