// Draw a compiled Vega spec headless at a given width, with every checkbox on and then off,
// and print the view's size and origin each time (non-finite numbers become strings).
// stdin: {"spec": <vega spec>, "width": 672}
const fs = require('fs');
const path = require('path');
const vega = require(path.join(__dirname, '..', '..', '_static', 'vendor', 'vega', 'vega.min.js'));

(async () => {
  const input = JSON.parse(fs.readFileSync(0, 'utf8'));
  const spec = input.spec;
  const boxes = (spec.signals || []).filter((s) => s.bind && s.bind.input === 'checkbox')
    .map((s) => s.name);
  const view = new vega.View(vega.parse(spec), {renderer: 'none'});
  if ((spec.signals || []).some((s) => s.name === 'width')) { view.signal('width', input.width); }
  const out = [];
  for (const on of [true, false]) {
    for (const b of boxes) { view.signal(b, on); }
    await view.runAsync();
    out.push({ticked: on, boxes: boxes.length,
              size: [view.width(), view.height(), ...view.origin()].map(String)});
  }
  process.stdout.write(JSON.stringify(out));
})().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
