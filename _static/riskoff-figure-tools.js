/* Tools every figure of the book gets, in the reader's browser (no server, no CDN):
 *  - its controls' state in the page address (?<figure name>=param:value,...), restored on
 *    opening, and a "Link to this view" that copies the address;
 *  - SVG and PNG downloads carrying the title, source line, as-of date and address, named after
 *    the figure; a CSV of the values drawn in the current view;
 *  - a table of the drawn values (the keyboard and screen-reader path to them);
 *  - a citation to copy.
 * A figure is <figure class="riskoff-figure">; riskoff-charts.js draws its chart and dispatches
 * 'riskoff:drawn' with the Vega View. Title, sources and as-of date come from the figure's
 * data-* attributes when present, else from its aria-label and figcaption. */
(function () {
  'use strict';
  var BOOK = 'Risk-off, checked';
  // The tools' words in the page's language: a translated edition's pages carry RISKOFF_WORDS
  // (riskoff.edition, from locale/<lang>/LC_MESSAGES/figure-tools.po); English as written.
  var WORDS = window.RISKOFF_WORDS || {};
  function w(s) { return Object.prototype.hasOwnProperty.call(WORDS, s) ? WORDS[s] : s; }
  // A word with {named} values put in: the translation may place them in another order.
  function fill(s, values) {
    return s.replace(/\{(\w+)\}/g, function (all, k) { return k in values ? values[k] : all; });
  }
  var MAX_ROWS = 2000;  // per table: long histories stay usable
  var figures = {};     // name -> {fig, view, params, defaults}
  var order = [];

  // ------------------------------------------------------------------ what a figure is

  function text(el) { return el ? el.textContent.replace(/\s+/g, ' ').trim() : ''; }

  function meta(fig) {
    var d = fig.dataset, cap = fig.querySelector('figcaption');
    var csv = cap && cap.querySelector('a[href$=".csv"]');
    var name = d.figure || (csv ? csv.getAttribute('href').replace(/^.*\//, '')
      .replace(/\.csv$/, '') : '');
    var words = '';
    if (cap) {
      var copy = cap.cloneNode(true);
      var first = copy.querySelector('p');
      if (first && first.querySelector('em') && text(first) === text(first.querySelector('em'))) {
        first.remove();
      }
      copy.querySelectorAll('a[href$=".csv"]').forEach(function (a) { a.remove(); });
      words = text(copy);
    }
    var asOf = d.asOf || asOfIn(words);
    var sources = d.sources || words.replace(asOf, '').replace(/\s+/g, ' ').trim();
    return {name: name, title: d.title || fig.getAttribute('aria-label') || name,
            sources: sources, asOf: asOf.replace(/[.\u3002]$/, ''), csv: csv ? csv.href : null};
  }

  // The caption's "Data as of …." sentence, in the page's words, up to its end (a full stop
  // before the next sentence or the end; a Chinese 。; dates hold neither), or ''.
  function asOfIn(words) {
    var start = w('Data as of').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return (words.match(new RegExp(start + '.*?(?:\\.(?=\\s+[A-Z(]|\\s*$)|\u3002)')) || [''])[0];
  }

  function bookTitle() {
    var og = document.querySelector('meta[property="og:site_name"]');
    return (og && og.content) || BOOK;
  }

  function chapterTitle() {
    return text(document.querySelector('article h1')).replace(/#$/, '').trim();
  }

  // ------------------------------------------------------------------ state in the address

  // The bound parameters of a compiled Vega spec: [{name, bind}] (top-level signals).
  function boundParams(spec) {
    return (spec.signals || []).filter(function (s) { return s.bind && s.bind.input; })
      .map(function (s) { return {name: s.name, bind: s.bind}; });
  }

  function readQuery() {
    var out = {};
    (location.search || '').replace(/^\?/, '').split('&').forEach(function (part) {
      if (!part) { return; }
      var i = part.indexOf('=');
      try {
        var key = decodeURIComponent(i < 0 ? part : part.slice(0, i));
        out[key] = i < 0 ? '' : part.slice(i + 1);
      } catch (e) { /* a malformed key: not ours */ }
    });
    return out;
  }

  // "param:value,param:value" -> {param: text}; null when malformed.
  function parseState(raw) {
    var out = {};
    try {
      // Other scripts (sphinx-design's tabs) rewrite the address through URLSearchParams,
      // which escapes ':' and ','. Undo that one level.
      if (raw.indexOf(':') < 0 && /%3A/i.test(raw)) { raw = decodeURIComponent(raw.replace(/\+/g, ' ')); }
      raw.split(',').forEach(function (pair) {
        if (!pair) { return; }
        var i = pair.indexOf(':');
        if (i < 1) { throw new Error('no name'); }
        out[decodeURIComponent(pair.slice(0, i))] = decodeURIComponent(pair.slice(i + 1));
      });
    } catch (e) { return null; }
    return out;
  }

  function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

  // The value a text from the address stands for, or undefined when the control cannot take it.
  function coerce(textValue, param, fallback) {
    var b = param.bind;
    if (b.input === 'checkbox') {
      return textValue === 'true' ? true : textValue === 'false' ? false : undefined;
    }
    if (b.options) {
      var hit;
      b.options.forEach(function (o) { if (hit === undefined && String(o) === textValue) { hit = o; } });
      return hit;
    }
    if (b.input === 'range' || typeof fallback === 'number') {
      if (!/^-?\d+(\.\d+)?(e-?\d+)?$/i.test(textValue)) { return undefined; }
      var v = parseFloat(textValue);
      if (b.min != null && v < b.min) { return undefined; }
      if (b.max != null && v > b.max) { return undefined; }
      return v;
    }
    return typeof fallback === 'string' ? textValue : undefined;
  }

  function stateOf(entry) {
    var out = [], m = entry.mods || {};
    if (m.log) { out.push('_scale:log'); }
    if (m.range) {
      out.push('_from:' + isoDay(m.range[0]));
      out.push('_to:' + isoDay(m.range[1]));
    }
    entry.params.forEach(function (p) {
      var v = entry.view.signal(p.name);
      if (!same(v, entry.defaults[p.name])) {
        out.push(encodeURIComponent(p.name) + ':' + encodeURIComponent(String(v)));
      }
    });
    return out.join(',');
  }

  // The address of the page with every drawn figure's state (others' keys kept as they are).
  function address(anchor) {
    var q = readQuery(), parts = [];
    Object.keys(q).forEach(function (k) {
      if (!figures[k] || !figures[k].view) {
        parts.push(encodeURIComponent(k) + (q[k] !== '' ? '=' + q[k] : ''));
      }
    });
    order.forEach(function (name) {
      var e = figures[name];
      if (e.view) {
        var s = stateOf(e);
        if (s) { parts.push(encodeURIComponent(name) + '=' + s); }
      }
    });
    var base = location.href.replace(/[?#].*$/, '');
    var hash = anchor != null ? (anchor ? '#' + anchor : '') : location.hash;
    return base + (parts.length ? '?' + parts.join('&') : '') + hash;
  }

  var pendingUrl = null;
  function updateAddress() {
    if (pendingUrl) { return; }
    pendingUrl = setTimeout(function () {
      pendingUrl = null;
      var url = address();
      if (url === location.href) { return; }
      try { history.replaceState(history.state, '', url); } catch (e) { /* file:// may refuse */ }
    }, 150);
  }

  // The reader's own view (log scale, time range) from the address: applied by redrawing.
  function restoreView(entry) {
    var raw = readQuery()[entry.name], state = raw === undefined ? null : parseState(raw);
    if (!state) { return false; }
    var mods = {log: false, range: null}, any = false;
    if (state._scale === 'log' && entry.can.log) { mods.log = true; any = true; }
    var a = dayMs(state._from), b = dayMs(state._to);
    if (entry.can.range && a != null && b != null && a < b) { mods.range = [a, b]; any = true; }
    if (any) { entry.mods = mods; redraw(entry); }
    return any;
  }

  function restore(entry) {
    var raw = readQuery()[entry.name];
    if (raw === undefined) { return false; }
    var state = parseState(raw), changed = false;
    if (!state) { return false; }
    entry.params.forEach(function (p) {
      if (!Object.prototype.hasOwnProperty.call(state, p.name)) { return; }
      var v = coerce(state[p.name], p, entry.defaults[p.name]);
      if (v === undefined && p.name === entry.pick) { v = pickable(entry, state[p.name]); }
      if (v !== undefined) {
        try { entry.view.signal(p.name, v); changed = true; } catch (e) { /* keep default */ }
      }
    });
    return changed;
  }

  // ------------------------------------------------------------------ drawn values

  function isObj(v) { return v !== null && typeof v === 'object'; }

  function cell(v) {
    if (v == null) { return ''; }
    if (v instanceof Date) { return v.toISOString().slice(0, 10); }
    return isObj(v) ? JSON.stringify(v) : String(v);
  }

  // Tables of what the chart draws: each data mark's tooltip fields (the chart's own names and
  // formats), one table per set of fields, repeated rows once; raw fields where no mark has
  // a tooltip.
  function drawnTables(view) {
    var marks = [];
    (function walk(mark) {
      if (!mark || !mark.items) { return; }
      if (mark.marktype === 'group') {
        mark.items.forEach(function (g) { (g.items || []).forEach(walk); });
      } else if (mark.role === 'mark') {
        marks.push(mark);
      }
    })(view.scenegraph().root);
    var withTips = marks.filter(function (m) {
      return m.items.some(function (it) { return it.tooltip != null && it.tooltip !== ''; });
    });
    var tables = {}, keysOrder = [];
    function add(keys, row) {
      var sig = keys.join('\u0001');
      if (!tables[sig]) { tables[sig] = {columns: keys, rows: [], seen: {}}; keysOrder.push(sig); }
      var t = tables[sig], id = JSON.stringify(row);
      if (!t.seen[id]) { t.seen[id] = 1; t.rows.push(row); }
    }
    (withTips.length ? withTips : marks).forEach(function (m) {
      m.items.forEach(function (it) {
        var src = withTips.length ? it.tooltip : it.datum;
        if (src == null || src === '') { return; }
        if (!isObj(src) || src instanceof Date) { add([w('Value')], [cell(src)]); return; }
        var keys = Object.keys(src).filter(function (k) { return k !== 'title'; });
        if (!keys.length) { return; }
        if (src.title != null) { keys.unshift('title'); }
        add(keys, keys.map(function (k) { return cell(src[k]); }));
      });
    });
    return keysOrder.map(function (k) { return tables[k]; })
      .sort(function (a, b) { return b.rows.length - a.rows.length; });
  }

  function renderTables(entry, box) {
    var tables = drawnTables(entry.view);
    box.textContent = '';
    if (!tables.length) {
      box.textContent = w('This view draws no values.');
      return;
    }
    tables.forEach(function (t, i) {
      var table = document.createElement('table');
      table.className = 'riskoff-datatable';
      var caption = document.createElement('caption');
      caption.textContent = w('Values drawn in this view') +
        (tables.length > 1 ? ' (' + (i + 1) + w(' of ') + tables.length + ')' : '') + w(': ') +
        t.rows.length + (t.rows.length === 1 ? w(' row') : w(' rows')) +
        (t.rows.length > MAX_ROWS ? w(', first ') + MAX_ROWS + w(' shown (the CSV has all)') : '');
      table.appendChild(caption);
      var head = table.createTHead().insertRow();
      t.columns.forEach(function (c) {
        var th = document.createElement('th');
        th.scope = 'col';
        th.textContent = c === 'title' ? w('Item') : c;
        head.appendChild(th);
      });
      var body = table.createTBody();
      t.rows.slice(0, MAX_ROWS).forEach(function (r) {
        var tr = body.insertRow();
        r.forEach(function (v) { tr.insertCell().textContent = v; });
      });
      box.appendChild(table);
    });
  }

  function csvField(v) {
    v = String(v);
    return /[",\n#]/.test(v) || /^\s|\s$/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v;
  }

  // What each tooltip entry of a mark reads, from the compiled spec's tooltip expression:
  // key -> {kind: 'num' | 'date' | 'text', field, fmt}. Vega-Lite writes each entry as
  // "Title": format(datum["f"], "fmt") (numbers), utcFormat/timeFormat(datum["f"], ...)
  // (dates) or a text expression; anything else is kept as the tooltip shows it.
  function splitTop(s) {
    var out = [], depth = 0, quote = null, start = 0;
    for (var i = 0; i < s.length; i++) {
      var c = s[i];
      if (quote) {
        if (c === '\\') { i++; } else if (c === quote) { quote = null; }
      } else if (c === '"' || c === "'") { quote = c; }
      else if ('([{'.indexOf(c) >= 0) { depth++; }
      else if (')]}'.indexOf(c) >= 0) { depth--; }
      else if (c === ',' && depth === 0) { out.push(s.slice(start, i)); start = i + 1; }
    }
    out.push(s.slice(start));
    return out;
  }

  function tipReads(expr) {
    var out = {}, body = String(expr || '').trim();
    if (body[0] !== '{' || body[body.length - 1] !== '}') { return out; }
    splitTop(body.slice(1, -1)).forEach(function (pair) {
      var m = pair.match(/^\s*"((?:[^"\\]|\\.)*)"\s*:\s*([\s\S]*?)\s*$/);
      if (!m) { return; }
      var key, e = m[2], r;
      try { key = JSON.parse('"' + m[1] + '"'); } catch (err) { return; }
      if ((r = e.match(/^format\(datum\["([^"\\]+)"\],\s*"([^"\\]*)"\)$/))) {
        out[key] = {kind: 'num', field: r[1], fmt: r[2]};
      } else if ((r = e.match(/^(?:utc|time)Format\(datum\["([^"\\]+)"\],\s*"([^"\\]*)"\)$/))) {
        out[key] = {kind: 'date', field: r[1], fmt: r[2]};
      } else {
        out[key] = {kind: 'text'};
      }
    });
    return out;
  }

  function markReads(spec) {
    var out = {};
    (function walk(s) {
      (s.marks || []).forEach(function (m) {
        var t = m.encode && m.encode.update && m.encode.update.tooltip;
        if (m.name && t && t.signal) { out[m.name] = tipReads(t.signal); }
        if (m.type === 'group') { walk(m); }
      });
    })(spec || {});
    return out;
  }

  function number(v) { return String(+(+v).toPrecision(12)); }

  // A number the chart wrote as text ("−2.38%", "+1,204"): [value, is a percentage] or null.
  function parseShown(t) {
    var m = String(t).replace(/\u2212/g, '-').match(/^([+-]?)([\d,]*\.?\d+)(%?)$/);
    return m ? [parseFloat(m[1] + m[2].replace(/,/g, '')), m[3] === '%'] : null;
  }

  function dateCell(v) {
    var d = v instanceof Date ? v : new Date(v);
    if (isNaN(+d)) { return cell(v); }
    var iso = d.toISOString();
    return iso.slice(11, 19) === '00:00:00' ? iso.slice(0, 10) : iso.slice(0, 16).replace('T', ' ') + ' UTC';
  }

  // The data behind the current view: per tooltip-bearing mark, the values its tooltip
  // names, at full precision (percentages as percent, with "(%)" in the column name), dates
  // as YYYY-MM-DD; text as shown. One table per set of columns, repeated rows once.
  function csvTables(entry) {
    var view = entry.view, reads = markReads(entry.spec), tables = {}, sigs = [];
    (function walk(mark) {
      if (!mark || !mark.items) { return; }
      if (mark.marktype === 'group') {
        mark.items.forEach(function (g) { (g.items || []).forEach(walk); });
        return;
      }
      if (mark.role !== 'mark') { return; }
      var how = reads[mark.name] || {};
      mark.items.forEach(function (it) {
        var tip = it.tooltip;
        if (!isObj(tip) || tip instanceof Date) { return; }
        var keys = Object.keys(tip).filter(function (k) { return k !== 'title'; });
        if (!keys.length) { return; }
        var cols = [], row = [];
        keys.forEach(function (k) {
          var h = how[k] || {kind: 'text'}, v = h.field != null && it.datum ? it.datum[h.field] : undefined;
          if (h.kind === 'num' && typeof v === 'number' && isFinite(v)) {
            var pct = /%/.test(h.fmt);
            cols.push({name: k, pct: pct, kind: 'num'});
            row.push(number(pct ? v * 100 : v));
          } else if (h.kind === 'date' && v != null) {
            cols.push({name: k, kind: 'date'});
            row.push(dateCell(v));
          } else {
            cols.push({name: k, kind: 'text'});
            row.push(cell(tip[k]));
          }
        });
        if (tip.title != null) { cols.unshift({name: w('Item'), kind: 'text'}); row.unshift(cell(tip.title)); }
        var sig = cols.map(function (c) { return c.name + '\u0002' + c.kind; }).join('\u0001');
        if (!tables[sig]) { tables[sig] = {cols: cols, rows: [], seen: {}}; sigs.push(sig); }
        var t = tables[sig], id = JSON.stringify(row);
        if (!t.seen[id]) { t.seen[id] = 1; t.rows.push(row); }
      });
    })(view.scenegraph().root);
    return sigs.map(function (s) { return tables[s]; }).map(function (t) {
      // Text columns that hold only numbers the chart wrote with a unit: numbers, unit named.
      t.cols.forEach(function (c, j) {
        if (c.kind !== 'text') { return; }
        var vals = t.rows.map(function (r) { return r[j]; }).filter(function (v) { return v !== ''; });
        var parsed = vals.map(parseShown);
        if (!vals.length || parsed.some(function (p) { return !p; })) { return; }
        var pct = parsed.every(function (p) { return p[1]; });
        if (!pct && parsed.some(function (p) { return p[1]; })) { return; }
        c.kind = 'num'; c.pct = pct;
        t.rows.forEach(function (r) { if (r[j] !== '') { r[j] = number(parseShown(r[j])[0]); } });
      });
      return {columns: t.cols.map(function (c) {
        return c.pct && !/%/.test(c.name) ? c.name + ' (%)' : c.name;
      }), rows: t.rows};
    }).sort(function (a, b) { return b.rows.length - a.rows.length; });
  }

  function drawnCsv(entry) {
    var m = entry.meta, lines = [
      '# ' + m.title,
      '# ' + m.sources,
      '# ' + (m.asOf || w('Data as of: see the figure')),
      '# ' + w('The values this view of the chart draws (percentages in percent, dates as YYYY-MM-DD): ') +
        address(entry.anchor),
      '# ' + w('Figure in ') + bookTitle() + (m.csv ? w('; the cached input data: ') + m.csv : '')
    ];
    var tables = csvTables(entry);
    if (!tables.length) { lines.push('# ' + w('This view draws no values.')); }
    tables.forEach(function (t, i, all) {
      if (all.length > 1) { lines.push('# ' + fill(w('Table {i} of {n}'), {i: i + 1, n: all.length})); }
      lines.push(t.columns.map(csvField).join(','));
      t.rows.forEach(function (r) { lines.push(r.map(csvField).join(',')); });
    });
    return lines.join('\n') + '\n';
  }

  // ------------------------------------------------------------------ export

  function xml(s) {
    return String(s).replace(/[&<>"]/g, function (c) {
      return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'}[c];
    });
  }

  // Lines of at most `width` px, by a generous average glyph width (bold is wider).
  function wrap(s, width, size, bold) {
    var max = Math.max(20, Math.floor(width / (size * (bold ? 0.64 : 0.56)))), out = [], line = '';
    String(s).split(/\s+/).forEach(function (w) {
      if (line && (line + ' ' + w).length > max) { out.push(line); line = w; }
      else { line = line ? line + ' ' + w : w; }
    });
    if (line) { out.push(line); }
    return out;
  }

  // The chart's SVG framed by its title above and source, as-of date and address below.
  function composedSvg(entry) {
    return entry.view.toSVG().then(function (svg) {
      var w = parseFloat((svg.match(/^<svg[^>]*\swidth="([\d.]+)"/) || [0, 500])[1]);
      var h = parseFloat((svg.match(/^<svg[^>]*\sheight="([\d.]+)"/) || [0, 320])[1]);
      var W = Math.max(Math.ceil(w) + 16, 360), pad = 8, font = 'system-ui, sans-serif';
      var m = entry.meta, y = pad, parts = [];
      wrap(m.title, W - 2 * pad, 14, true).forEach(function (l) {
        y += 18;
        parts.push('<text x="' + pad + '" y="' + y + '" font-family="' + font +
          '" font-size="14" font-weight="bold" fill="#111">' + xml(l) + '</text>');
      });
      var top = y + 8;
      y = top + h + 4;
      var foot = [m.sources, m.asOf, bookTitle() + ': ' + address(entry.anchor)];
      foot.forEach(function (s) {
        wrap(s, W - 2 * pad, 11).forEach(function (l) {
          y += 14;
          parts.push('<text x="' + pad + '" y="' + y + '" font-family="' + font +
            '" font-size="11" fill="#333">' + xml(l) + '</text>');
        });
      });
      var H = Math.ceil(y + pad);
      var inner = svg.replace(/^<svg/, '<svg x="' + pad + '" y="' + top + '"');
      return {width: W, height: H, svg: '<svg xmlns="http://www.w3.org/2000/svg" ' +
        'xmlns:xlink="http://www.w3.org/1999/xlink" version="1.1" width="' + W +
        '" height="' + H + '" viewBox="0 0 ' + W + ' ' + H + '"><title>' + xml(m.title) +
        '</title><rect width="100%" height="100%" fill="#fff"/>' + parts.join('') + inner +
        '</svg>'};
    });
  }

  function download(blob, filename) {
    var url = URL.createObjectURL(blob);
    var a = document.createElement('a');
    a.href = url;
    a.download = filename;
    a.style.display = 'none';
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  }

  function saveSvg(entry) {
    return composedSvg(entry).then(function (c) {
      download(new Blob([c.svg], {type: 'image/svg+xml'}), entry.name + '.svg');
    });
  }

  function savePng(entry) {
    return composedSvg(entry).then(function (c) {
      return new Promise(function (resolve, reject) {
        var img = new Image(), scale = 2;
        img.onload = function () {
          var canvas = document.createElement('canvas');
          canvas.width = c.width * scale;
          canvas.height = c.height * scale;
          var ctx = canvas.getContext('2d');
          ctx.scale(scale, scale);
          ctx.drawImage(img, 0, 0, c.width, c.height);
          canvas.toBlob(function (blob) {
            if (!blob) { reject(new Error('PNG could not be made')); return; }
            download(blob, entry.name + '.png');
            resolve();
          }, 'image/png');
        };
        img.onerror = function () { reject(new Error('SVG could not be rasterised')); };
        img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(c.svg);
      });
    });
  }

  // ------------------------------------------------------------------ the toolbar

  function citation(entry) {
    var m = entry.meta, ch = chapterTitle();
    return '\u201c' + m.title.replace(/\.$/, '') + '.\u201d ' + w('Figure') +
      (ch ? w(' in ') + '\u201c' + ch + '\u201d' : '') + ', ' + bookTitle() + '. ' +
      address(entry.anchor) + '. ' + (m.asOf ? m.asOf + '. ' : '') +
      w('Accessed ') + new Date().toISOString().slice(0, 10) + '.';
  }

  function copyText(field, status) {
    field.focus();
    field.select();
    function done(ok) {
      status.textContent = ok ? w('Copied.') : w('Selected: press Ctrl+C (\u2318C) to copy.');
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(function () { done(true); },
        function () { done(false); });
    } else {
      var ok = false;
      try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
      done(ok);
    }
  }

  function button(label, cls, aria) {
    var b = document.createElement('button');
    b.type = 'button';
    b.className = 'riskoff-tool ' + cls;
    b.textContent = label;
    if (aria) { b.setAttribute('aria-label', aria); }
    return b;
  }

  // The toolbar the build wrote with the picture (riskoff/sitejs.py tools_html), holding its
  // room: its elements are taken and wired, not made again. What the build got wrong (an item
  // the live view has not, or lacks, or other words) is put right here and noted in
  // entry.toolsMismatch (tests read it).
  function builtBar(fig) {
    var bar = fig.querySelector(':scope > .riskoff-tools');
    return bar && !bar.riskoffWired ? bar : null;
  }

  function mismatch(entry, what) {
    (entry.toolsMismatch = entry.toolsMismatch || []).push(what);
  }

  // The built element of class `cls` (checked against the label it should show), else a new one.
  function taken(entry, parent, cls, label, make) {
    var el = entry.toolsBuilt && parent ? parent.querySelector(':scope > .' + cls) : null;
    if (!el) {
      if (entry.toolsBuilt) { mismatch(entry, 'missing ' + cls); }
      return make();
    }
    if (label != null && el.textContent !== label) { mismatch(entry, 'words of ' + cls); }
    return el;
  }

  function tool(entry, bar, label, cls, aria) {
    var b = taken(entry, bar, cls, label, function () { return button(label, cls, aria); });
    b.textContent = label;
    if (aria) { b.setAttribute('aria-label', aria); }
    return b;
  }

  function toolbar(entry) {
    var fig = entry.fig, id = entry.anchor;
    var bar = builtBar(fig);
    entry.toolsBuilt = !!bar;
    entry.toolsMismatch = [];
    if (!bar) {
      bar = document.createElement('div');
      bar.className = 'riskoff-tools';
    }
    bar.riskoffWired = true;
    bar.setAttribute('role', 'group');
    bar.setAttribute('aria-label', w('Figure tools'));
    var link = tool(entry, bar, w('Link to this view'), 'riskoff-link');
    var cite = tool(entry, bar, w('Cite'), 'riskoff-cite', w('Cite this chart'));
    var table = tool(entry, bar, w('Table'), 'riskoff-table-toggle', w('Show the values as a table'));
    var svg = tool(entry, bar, 'SVG', 'riskoff-save-svg', w('Download the chart as SVG'));
    var png = tool(entry, bar, 'PNG', 'riskoff-save-png', w('Download the chart as PNG'));
    var csv = tool(entry, bar, w('CSV of this view'), 'riskoff-save-csv',
                   w('Download the values drawn in this view as CSV'));
    [link, cite, table, svg, png, csv].forEach(function (b) { bar.appendChild(b); });

    var panel = document.createElement('div');
    panel.className = 'riskoff-tools-panel';
    panel.id = id + '-share';
    panel.hidden = true;
    var label = document.createElement('label');
    var field = document.createElement('textarea');
    field.readOnly = true;
    field.rows = 3;
    field.id = id + '-share-text';
    label.htmlFor = field.id;
    var again = button(w('Copy'), 'riskoff-copy');
    var status = document.createElement('span');
    status.className = 'riskoff-status';
    status.setAttribute('role', 'status');
    panel.appendChild(label);
    panel.appendChild(field);
    panel.appendChild(again);
    panel.appendChild(status);

    var tableBox = document.createElement('div');
    tableBox.className = 'riskoff-table-box';
    tableBox.id = id + '-table';
    tableBox.tabIndex = 0;
    tableBox.hidden = true;
    tableBox.setAttribute('role', 'region');
    tableBox.setAttribute('aria-label', w('Values drawn in the chart'));
    table.setAttribute('aria-controls', tableBox.id);
    table.setAttribute('aria-expanded', 'false');
    link.setAttribute('aria-controls', panel.id);
    cite.setAttribute('aria-controls', panel.id);

    var showing = null;
    function share(kind) {
      if (showing === kind && !panel.hidden) {
        panel.hidden = true; showing = null; return;
      }
      showing = kind;
      label.textContent = kind === 'link' ? w('Address of this view') : w('Citation');
      field.value = kind === 'link' ? address(id) : citation(entry);
      status.textContent = '';
      panel.hidden = false;
      copyText(field, status);
    }
    link.addEventListener('click', function () { share('link'); });
    cite.addEventListener('click', function () { share('cite'); });
    again.addEventListener('click', function () { copyText(field, status); });
    table.addEventListener('click', function () {
      var open = tableBox.hidden;
      tableBox.hidden = !open;
      table.setAttribute('aria-expanded', String(open));
      table.textContent = open ? w('Hide table') : w('Table');
      if (open) { renderTables(entry, tableBox); }
    });
    function failed(err) {
      status.textContent = w('Could not save: ') + err;
      panel.hidden = false;
    }
    svg.addEventListener('click', function () { saveSvg(entry).catch(failed); });
    png.addEventListener('click', function () { savePng(entry).catch(failed); });
    function saveCsv() {
      download(new Blob([drawnCsv(entry)], {type: 'text/csv'}), entry.name + '.csv');
    }
    csv.addEventListener('click', saveCsv);
    // The caption's "data behind this chart" link gives the same file: what the chart draws,
    // named and with units (its address, the cached input data, stays for readers without
    // scripts and for "save link as").
    var capLink = fig.querySelector('figcaption a[href$=".csv"]');
    if (capLink) {
      capLink.classList.add('riskoff-csv-link');
      capLink.addEventListener('click', function (ev) {
        if (ev.button || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.altKey) { return; }
        ev.preventDefault();
        saveCsv();
      });
    }
    entry.refresh = function () {
      if (!tableBox.hidden) { renderTables(entry, tableBox); }
      if (!panel.hidden) { field.value = showing === 'link' ? address(id) : citation(entry); }
    };

    var cap = fig.querySelector('figcaption');
    fig.insertBefore(bar, cap);
    fig.insertBefore(panel, cap);
    fig.insertBefore(tableBox, cap);
  }

  // ------------------------------------------------------------------ the reader's own view
  // Log/linear and a time range redraw the chart from its compiled spec with the x or y
  // scale changed (Vega cannot switch a scale's type by a signal); control state is kept.

  function isoDay(ms) { return new Date(ms).toISOString().slice(0, 10); }
  function dayMs(text) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(text || '')) { return null; }
    var t = Date.parse(text + 'T00:00:00Z');
    return isNaN(t) ? null : t;
  }

  function scaleOf(view, name) { try { return view.scale(name); } catch (e) { return null; } }

  // What the chart allows: log when y is linear and its values, all positive, span more than
  // a factor of 3; a time range when x is a time scale.
  function abilities(entry) {
    var can = {log: false, range: null}, spec = entry.spec || {};
    var own = {};
    (spec.scales || []).forEach(function (sc) { own[sc.name] = sc; });
    var y = scaleOf(entry.baseView, 'y'), x = scaleOf(entry.baseView, 'x');
    if (own.y && y && y.type === 'linear') {
      var d = y.domain();
      can.log = d[0] > 0 && d[1] / d[0] > 3;
    }
    if (own.x && x && (x.type === 'utc' || x.type === 'time')) {
      var dx = x.domain();
      can.range = [+dx[0], +dx[dx.length - 1]];
    }
    return can;
  }

  function walkMarks(spec, fn) {
    (spec.marks || []).forEach(function (m) { fn(m); if (m.type === 'group') { walkMarks(m, fn); } });
  }

  function modifiedSpec(entry) {
    var spec = JSON.parse(JSON.stringify(entry.spec)), m = entry.mods;
    if (m.range) { fitY(spec, m.range); }  // reads x's data domain: before it is replaced
    (spec.scales || []).forEach(function (sc) {
      if (sc.name === 'y' && m.log) { sc.type = 'log'; delete sc.zero; sc.nice = false; }
      if (sc.name === 'x' && m.range) {
        sc.domain = m.range.slice();
        delete sc.domainRaw; sc.nice = false;
      }
    });
    if (m.range) {
      walkMarks(spec, function (mk) { if (mk.type !== 'group') { mk.clip = true; } });
      // A month axis over a few weeks labels every tick alike ("Nov 2025"): name the days.
      var span = m.range[1] - m.range[0], day = 86400000;
      (spec.axes || []).forEach(function (a) {
        if (a.scale !== 'x' || typeof a.format !== 'string' || /%-?[de]/.test(a.format)) { return; }
        if (span < 100 * day) { a.format = '%-d %b'; }
        else if (span < 3 * 365 * day && a.format === '%Y') { a.format = '%b %Y'; }
      });
    }
    return spec;
  }

  // A scale domain's data references: [{data, field}] (null when not all from data).
  function domainRefs(d) {
    if (!d || Array.isArray(d) || d.signal) { return null; }
    if (d.data && d.field) { return [{data: d.data, field: d.field, ref: d}]; }
    if (d.data && d.fields) {
      return d.fields.every(function (f) { return typeof f === 'string'; }) ?
        d.fields.map(function (f) { return {data: d.data, field: f, ref: d}; }) : null;
    }
    if (d.fields) {
      return d.fields.every(function (f) { return f && f.data && typeof f.field === 'string'; }) ?
        d.fields.map(function (f) { return {data: f.data, field: f.field, ref: f}; }) : null;
    }
    return null;
  }

  // The time range zooms by filtering: the y scale reads its domain from copies of its data
  // sets holding only the rows inside the range (by the x field of the same data set), so y
  // fits the visible span and still follows the controls.
  function fitY(spec, range) {
    var x, y;
    (spec.scales || []).forEach(function (sc) { if (sc.name === 'x') { x = sc; } if (sc.name === 'y') { y = sc; } });
    var xs = x && domainRefs(x.domain), ys = y && domainRefs(y.domain);
    if (!xs || !ys) { return; }
    var xField = {}, top = {};
    xs.forEach(function (r) { xField[r.data] = r.field; });
    (spec.data || []).forEach(function (d) { top[d.name] = true; });
    var made = {};
    ys.forEach(function (r) {
      var f = xField[r.data];
      if (!f || !top[r.data]) { return; }
      var name = 'riskoff_visible_' + r.data;
      if (!made[name]) {
        made[name] = true;
        spec.data.push({name: name, source: r.data, transform: [{type: 'filter',
          expr: 'isValid(datum[' + JSON.stringify(f) + ']) && inrange(time(datum[' +
            JSON.stringify(f) + ']), [' + range[0] + ', ' + range[1] + '])'}]});
      }
      r.ref.data = name;
    });
  }

  function redraw(entry) {
    var old = entry.view, wrapper = old.container();
    var values = {};
    entry.params.forEach(function (p) { values[p.name] = old.signal(p.name); });
    var plain = !entry.mods.log && !entry.mods.range;
    old.finalize();
    wrapper.innerHTML = '';
    var view = new window.vega.View(window.vega.parse(plain ? entry.spec : modifiedSpec(entry)), {
      renderer: 'svg', container: wrapper, tooltip: window.riskoffTooltip,
      logLevel: window.vega.Warn
    });
    Object.keys(values).forEach(function (k) { try { view.signal(k, values[k]); } catch (e) { /* gone */ } });
    entry.view = view;
    entry.el.riskoffView = view;
    listen(entry);
    return view.runAsync().then(function () {
      syncPick(entry);
      entry.fig.dispatchEvent(new CustomEvent('riskoff:view', {bubbles: true, detail: {entry: entry}}));
      updateAddress();
      if (entry.refresh) { entry.refresh(); }
    });
  }

  // A built item the live view does not have: gone (and noted).
  function unwanted(entry, bar, cls) {
    var el = entry.toolsBuilt ? bar.querySelector(':scope > .' + cls) : null;
    if (el) { el.remove(); mismatch(entry, 'unwanted ' + cls); }
  }

  function viewTools(entry, bar) {
    var can = entry.can;
    if (!entry.pick) { unwanted(entry, bar, 'riskoff-pick'); }
    if (!can.log) { unwanted(entry, bar, 'riskoff-log'); }
    if (!can.range) { unwanted(entry, bar, 'riskoff-range'); }
    if (entry.pick) {
      var pbox = taken(entry, bar, 'riskoff-pick', null, function () { return document.createElement('span'); });
      var plab = pbox.querySelector(':scope > label') || document.createElement('label');
      var pin = pbox.querySelector(':scope > input') || document.createElement('input');
      if (pin.min && (pin.min !== isoDay(can.range[0]) || pin.max !== isoDay(can.range[1]))) {
        mismatch(entry, 'dates of riskoff-pick');
      }
      pbox.className = 'riskoff-pick';
      pin.type = 'date';
      pin.id = entry.anchor + '-pick';
      pin.className = 'riskoff-pick-date';
      pin.min = isoDay(can.range[0]);
      pin.max = isoDay(can.range[1]);
      plab.htmlFor = pin.id;
      if (plab.parentNode && plab.textContent !== (pickMeta(entry).pick_label || w('Any date')) + ' ') {
        mismatch(entry, 'words of riskoff-pick');
      }
      plab.textContent = (pickMeta(entry).pick_label || w('Any date')) + ' ';
      var hint = pbox.querySelector(':scope > .riskoff-hint') || document.createElement('span');
      hint.className = 'riskoff-hint';
      hint.id = entry.anchor + '-pick-hint';
      hint.textContent = w('or click the chart at a date');
      pin.setAttribute('aria-describedby', hint.id);
      pin.addEventListener('change', function () {
        var v = pickable(entry, pin.value);
        if (v !== undefined) { setPick(entry, v); }
      });
      pbox.appendChild(plab);
      pbox.appendChild(pin);
      pbox.appendChild(hint);
      bar.insertBefore(pbox, bar.firstChild);
      entry.pickInput = pin;
      syncPick(entry);
    }
    if (can.log) {
      var log = tool(entry, bar, w('Log scale'), 'riskoff-log', w('Logarithmic vertical scale'));
      log.setAttribute('aria-pressed', String(!!entry.mods.log));
      log.addEventListener('click', function () {
        entry.mods.log = !entry.mods.log;
        log.setAttribute('aria-pressed', String(entry.mods.log));
        redraw(entry);
      });
      bar.insertBefore(log, bar.firstChild);
      entry.logButton = log;
    }
    if (can.range) {
      var box = taken(entry, bar, 'riskoff-range', null, function () { return document.createElement('span'); });
      box.className = 'riskoff-range';
      box.setAttribute('role', 'group');
      box.setAttribute('aria-label', w('Time range'));
      var ins = box.querySelectorAll(':scope > input'), labs = box.querySelectorAll(':scope > label');
      var from = ins[0] || document.createElement('input'), to = ins[1] || document.createElement('input');
      if (ins.length && (from.min !== isoDay(can.range[0]) || from.max !== isoDay(can.range[1]))) {
        mismatch(entry, 'dates of riskoff-range');
      }
      [[from, w('From')], [to, w('To')]].forEach(function (pair, i) {
        var inp = pair[0], lab = labs[i] || document.createElement('label');
        if (labs[i] && lab.textContent !== pair[1] + ' ') { mismatch(entry, 'words of riskoff-range'); }
        inp.type = 'date';
        inp.min = isoDay(can.range[0]);
        inp.max = isoDay(can.range[1]);
        inp.value = isoDay((entry.mods.range || can.range)[i]);
        inp.id = entry.anchor + '-range-' + pair[1].toLowerCase();
        inp.className = 'riskoff-range-' + pair[1].toLowerCase();
        lab.htmlFor = inp.id;
        lab.textContent = pair[1] + ' ';
        box.appendChild(lab);
        box.appendChild(inp);
      });
      var reset = tool(entry, box, w('Full range'), 'riskoff-range-reset', w('Show the whole time range'));
      box.appendChild(reset);
      function apply() {
        var a = dayMs(from.value), b = dayMs(to.value);
        if (a == null || b == null || a >= b) { return; }  // half-typed: wait
        var full = a <= can.range[0] && b >= can.range[1];
        entry.mods.range = full ? null : [a, b];
        redraw(entry);
      }
      from.addEventListener('change', apply);
      to.addEventListener('change', apply);
      reset.addEventListener('click', function () {
        from.value = isoDay(can.range[0]); to.value = isoDay(can.range[1]);
        entry.mods.range = null;
        redraw(entry);
      });
      bar.insertBefore(box, bar.firstChild);
    }
  }

  // ------------------------------------------------------------------ any date for a date control
  // A chart may name one date control (Vega-Lite usermeta {riskoff: {pick_date: <param>}},
  // e.g. chapter 1's rebase date) that takes any date of its time axis, not only its menu's:
  // clicking the chart at a date, or typing one, sets it; the address keeps it like any value.

  var MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  function dayLabel(iso) {
    var d = new Date(dayMs(iso));
    return fill(w('{day} {mon} {year}'), {day: d.getUTCDate(), mon: MONTHS[d.getUTCMonth()],
                                          month: d.getUTCMonth() + 1, year: d.getUTCFullYear()});
  }

  function pickMeta(entry) {
    var u = entry.spec && entry.spec.usermeta && entry.spec.usermeta.riskoff;
    return u && typeof u === 'object' ? u : {};
  }

  function pickParam(entry) {
    var name = pickMeta(entry).pick_date;
    if (!name || !entry.can.range) { return null; }
    return entry.params.some(function (p) { return p.name === name; }) ? name : null;
  }

  // A date text the control can take: YYYY-MM-DD inside the time axis (else undefined).
  function pickable(entry, text) {
    var t = dayMs(text), r = entry.can.range;
    if (t == null || !r || t < r[0] - 43200000 || t > r[1]) { return undefined; }
    return isoDay(t);
  }

  function setPick(entry, day) {
    var view = entry.view;
    if (String(view.signal(entry.pick)) === day) { return; }
    view.signal(entry.pick, day);
    view.runAsync();
  }

  // The menu shows a picked date as one more (disabled) entry; the date input shows it.
  function syncPick(entry) {
    if (!entry.pick || !entry.view) { return; }
    var v = String(entry.view.signal(entry.pick));
    if (entry.pickInput && dayMs(v) != null) { entry.pickInput.value = v; }
    var sel = entry.el.querySelector('select[name="' + entry.pick + '"]');
    if (!sel) { return; }
    var param = entry.params.filter(function (p) { return p.name === entry.pick; })[0];
    var opts = (param && param.bind.options) || [], at = -1;
    opts.forEach(function (o, i) { if (at < 0 && String(o) === v) { at = i; } });
    var extra = sel.querySelector('option.riskoff-picked');
    if (at >= 0) {
      if (extra) { extra.remove(); }
      sel.selectedIndex = at;
      return;
    }
    if (!extra) {
      extra = document.createElement('option');
      extra.className = 'riskoff-picked';
      extra.disabled = true;  // Vega reads a choice by its index among its own options
      sel.appendChild(extra);
    }
    extra.value = v;
    extra.textContent = dayLabel(v) + w(' (picked)');
    extra.selected = true;
  }

  function pickOnClick(entry) {
    if (!entry.pick) { return; }
    var view = entry.view, x = scaleOf(view, 'x'), svg = entry.el.querySelector('svg');
    if (!x || !svg) { return; }
    entry.el.classList.add('riskoff-pickable');
    svg.addEventListener('click', function (ev) {
      if (ev.target.closest && ev.target.closest('.role-legend')) { return; }
      var rect = svg.getBoundingClientRect(), ratio = rect.width / (+svg.getAttribute('width') || rect.width);
      var o = view.origin(), xv = (ev.clientX - rect.left) / ratio - o[0];
      var yv = (ev.clientY - rect.top) / ratio - o[1];
      if (xv < 0 || xv > view.width() || yv < 0 || yv > view.height()) { return; }
      // The drawn date nearest the click (a close exists there), not the pixel's own day.
      var best = null;
      tipItems(view).forEach(function (it) {
        if (it.x < 0 || it.x > view.width()) { return; }
        if (!best || Math.abs(it.x - xv) < Math.abs(best.x - xv)) { best = it; }
      });
      if (!best) { return; }
      var day = pickable(entry, isoDay(Math.round(+x.invert(best.x) / 86400000) * 86400000));
      if (day === undefined) { return; }
      // The hover values were read on the old base: hide them until the pointer moves.
      var layer = entry.el.querySelector('.riskoff-hover');
      if (layer) { layer.classList.remove('visible'); }
      if (window.riskoffTooltip) { window.riskoffTooltip.muted = false; }
      setPick(entry, day);
    });
  }

  // ------------------------------------------------------------------ hover at a date
  // On a chart of several series over time: a vertical rule at the date under the pointer and
  // every drawn series' value there in one tooltip (from the marks' own tooltips).

  function tipItems(view) {
    var out = [];
    (function walk(node, dx) {
      (node.items || []).forEach(function (it) {
        if (it.marktype) {  // a mark: its items are drawn things (or groups)
          it.items.forEach(function (d) {
            if (it.marktype === 'group') { walk(d, dx + (d.x || 0)); return; }
            if (it.marktype === 'symbol' && d.tooltip && typeof d.tooltip === 'object' &&
                d.x != null) { out.push({x: dx + d.x, tip: d.tooltip, colour: d.fill || d.stroke}); }
          });
        } else {
          walk(it, dx);
        }
      });
    })(view.scenegraph().root, 0);
    return out;
  }

  function seriesCount(view) {
    var n = 0;
    (function walk(node) {
      (node.items || []).forEach(function (it) {
        if (it.marktype === 'line') { n += it.items.length ? 1 : 0; return; }
        if (it.items) { walk(it); }
      });
    })(view.scenegraph().root);
    return n;
  }

  function hoverAtDate(entry) {
    var view = entry.view, x = scaleOf(view, 'x');
    if (!x || !(x.type === 'utc' || x.type === 'time') || seriesCount(view) < 2) { return; }
    // Values come from the points' own tooltips: at least two series must carry them.
    var colours = {};
    tipItems(view).forEach(function (it) { colours[it.colour] = true; });
    if (Object.keys(colours).length < 2) { return; }
    var el = entry.el, svg = el.querySelector('svg');
    if (!svg) { return; }
    var layer = el.querySelector('.riskoff-hover');
    if (!layer) {
      layer = document.createElement('div');
      layer.className = 'riskoff-hover';
      layer.setAttribute('aria-hidden', 'true');
      layer.innerHTML = '<div class="riskoff-hover-rule"></div><div class="riskoff-hover-tip"></div>';
      el.appendChild(layer);
    }
    var rule = layer.firstChild, box = layer.lastChild;
    // Setting the view's tooltip handler would reset its renderer: mute the shared one instead.
    function mute(on) { if (window.riskoffTooltip) { window.riskoffTooltip.muted = on; } }
    function hide() { mute(false); layer.classList.remove('visible'); }
    function move(ev) {
      var rect = svg.getBoundingClientRect(), ratio = rect.width / (+svg.getAttribute('width') || rect.width);
      var origin = view.origin(), xv = (ev.clientX - rect.left) / ratio - origin[0];
      var items = tipItems(view);
      if (!items.length) { hide(); return; }
      var best = items[0];
      items.forEach(function (it) { if (Math.abs(it.x - xv) < Math.abs(best.x - xv)) { best = it; } });
      if (Math.abs(best.x - xv) > 40) { hide(); return; }
      // Per series (one colour each) its point nearest the date, within a few days: markets
      // keep different calendars (crypto trades at weekends).
      var day = Math.abs(x(86400000 * 2) - x(0)) / 2, tol = Math.max(3, day * 3.5), bySeries = {};
      items.forEach(function (it) {
        var dist = Math.abs(it.x - best.x), key = it.colour || '';
        if (dist <= tol && (!bySeries[key] || dist < bySeries[key].dist)) {
          bySeries[key] = {dist: dist, it: it};
        }
      });
      var at = Object.keys(bySeries).map(function (k) { return bySeries[k].it; })
        .sort(function (a, b) { return items.indexOf(a) - items.indexOf(b); });
      if (at.length < 2) { hide(); return; }
      var keys = Object.keys(at[0].tip).filter(function (k) { return k !== 'title'; });
      var common = keys.filter(function (k) {
        return at.every(function (it) { return String(it.tip[k]) === String(at[0].tip[k]); });
      });
      var own = keys.filter(function (k) { return common.indexOf(k) < 0; });
      var rows = at.map(function (it) {
        return '<tr><td><span class="riskoff-swatch" style="background:' + xml(it.colour || '#888') +
          '"></span>' + xml(it.tip[own[0]]) + '</td>' + own.slice(1).map(function (k) {
            return '<td class="value">' + xml(it.tip[k]) + '</td>';
          }).join('') + '</tr>';
      });
      var head = own.length > 2 ? '<tr><th></th>' + own.slice(1).map(function (k) {
        return '<th>' + xml(k) + '</th>';
      }).join('') + '</tr>' : '';
      box.innerHTML = '<div class="riskoff-hover-head">' + common.map(function (k) {
        return xml(at[0].tip[k]);
      }).join(' · ') + '</div><table>' + head + rows.join('') + '</table>';
      var left = (best.x + origin[0]) * ratio + (rect.left - el.getBoundingClientRect().left);
      var top = origin[1] * ratio + (rect.top - el.getBoundingClientRect().top);
      rule.style.left = left + 'px';
      rule.style.top = top + 'px';
      rule.style.height = (view.height() * ratio) + 'px';
      mute(true);
      layer.classList.add('visible');
      var tipHide = document.querySelector('.riskoff-tooltip.visible');
      if (tipHide) { tipHide.classList.remove('visible'); }
      var w = box.offsetWidth, room = el.clientWidth;
      box.style.left = Math.max(0, Math.min(left + 12 + w > room ? left - 12 - w : left + 12, room - w)) + 'px';
      box.style.top = top + 'px';
    }
    svg.addEventListener('pointermove', move);
    svg.addEventListener('pointerleave', hide);
  }

  // ------------------------------------------------------------------ legend highlight
  // Clicking a legend entry highlights that series, the others fade;
  // clicking it again restores them. Series are found by colour: one colour per asset.

  function legendHighlight(entry) {
    var svg = entry.el.querySelector('svg');
    if (!svg) { return; }
    var picked = entry.highlight || null;
    function items() {
      // Vega's SVG: each legend item is a translated <g> under the entry's scope group.
      return svg.querySelectorAll('g.role-legend-entry g.role-scope > g');
    }
    function colourOf(g) {
      var sym = g.querySelector('.role-legend-symbol path');
      if (!sym) { return null; }
      var st = sym.getAttribute('stroke'), fl = sym.getAttribute('fill');
      return st && st !== 'none' && st !== 'transparent' ? st : fl;
    }
    function apply() {
      svg.querySelectorAll('.role-mark path, .role-mark line, .role-mark circle, .role-mark rect')
        .forEach(function (n) {
          if (!picked) { n.classList.remove('riskoff-faded'); return; }
          var c = [n.getAttribute('stroke'), n.getAttribute('fill')];
          n.classList.toggle('riskoff-faded', c.indexOf(picked) < 0);
        });
    }
    function bind() {
      var n = 0;
      items().forEach(function (g) {
        if (!colourOf(g)) { return; }
        n += 1;
        if (g.riskoffPick) { return; }
        g.riskoffPick = true;
        g.classList.add('riskoff-legend-pick');
        g.style.pointerEvents = 'bounding-box';  // Vega marks legend parts pointer-events: none
        // Pointer only: the SVG legend is one graphic to assistive tech (a button inside it
        // is nested-interactive); keyboard readers pick series with the checkboxes.
        function toggle() {
          var c = colourOf(g);
          picked = picked === c ? null : c;
          entry.highlight = picked;
          apply();
        }
        g.addEventListener('click', toggle);
      });
      return n;
    }
    bind();
    // Vega redraws marks and legend when a control moves: keep the highlight and handlers.
    var pending = false;
    new MutationObserver(function () {
      if (pending) { return; }
      pending = true;
      requestAnimationFrame(function () { pending = false; bind(); apply(); });
    }).observe(svg, {childList: true, subtree: true});
    apply();
  }

  document.addEventListener('riskoff:view', function (e) {
    var entry = e.detail && e.detail.entry;
    if (!entry || !entry.view) { return; }
    hoverAtDate(entry);
    legendHighlight(entry);
    pickOnClick(entry);
  });

  // ------------------------------------------------------------------ wiring

  function figureOf(el) { return el.closest && el.closest('figure.riskoff-figure'); }

  function specOf(el) {
    var s = el.nextElementSibling;
    while (s && !(s.matches('script.riskoff-chart'))) { s = s.nextElementSibling; }
    try {
      if (!s) { return {}; }
      return (window.riskoffChartData ? window.riskoffChartData(s) : JSON.parse(s.textContent)).spec;
    } catch (e) { return {}; }
  }

  function prepare() {
    document.querySelectorAll('figure.riskoff-figure').forEach(function (fig, i) {
      if (fig.riskoffTools) { return; }
      var m = meta(fig), name = m.name || 'figure-' + (i + 1);
      while (figures[name]) { name += '-2'; }
      if (!fig.id) {
        var id = 'fig-' + name;
        while (document.getElementById(id)) { id += '-2'; }
        fig.id = id;
      }
      var entry = {fig: fig, name: name, meta: m, anchor: fig.id, view: null};
      figures[name] = entry;
      order.push(name);
      fig.riskoffTools = entry;
    });
  }

  // A figure whose words follow its controls (riskoff.charts.words): the chart's title and
  // the caption's takeaway come from the spec's words table; keep the caption and the
  // exports' title in step with the view.
  function followWords(entry) {
    var view = entry.view, fig = entry.fig;
    try { view.signal('riskoff_takeaway'); } catch (e) { return; }
    var lead = fig.querySelector('figcaption .riskoff-takeaway em') ||
      fig.querySelector('figcaption .riskoff-takeaway');
    function sync() {
      var t = view.signal('riskoff_takeaway'), title = view.signal('riskoff_title');
      if (lead && typeof t === 'string' && lead.textContent !== t) { lead.textContent = t; }
      if (typeof title === 'string') {
        title = title.replace(/\n/g, ' ');
        fig.dataset.title = title;
        entry.meta.title = title;
      }
    }
    view.addSignalListener('riskoff_takeaway', sync);
    view.addSignalListener('riskoff_title', sync);
    sync();
  }

  // The listeners a (re)drawn view needs: the address, the table, the words.
  function listen(entry) {
    var view = entry.view;
    entry.params.forEach(function (p) {
      view.addSignalListener(p.name, function () {
        updateAddress();
        if (p.name === entry.pick) { syncPick(entry); }
        // Listeners run inside the dataflow: refresh the table once this run is done.
        view.runAfter(function () {
          setTimeout(function () { if (entry.refresh) { entry.refresh(); } }, 0);
        });
      });
    });
    followWords(entry);
  }

  function attach(el, view) {
    var fig = figureOf(el);
    if (!fig) { return; }
    prepare();
    var entry = fig.riskoffTools;
    if (!entry || entry.view) { return; }
    entry.view = entry.baseView = view;
    entry.el = el;
    entry.spec = specOf(el);
    entry.mods = {log: false, range: null};
    // The toolbar replaces the loader's image menu (its files had no title or source).
    var menu = el.querySelector(':scope > details');
    if (menu) { menu.remove(); el.classList.remove('has-actions'); }
    entry.params = boundParams(entry.spec).filter(function (p) {
      try { view.signal(p.name); return true; } catch (e) { return false; }
    });
    entry.defaults = {};
    // A control the reader moved before the live view was drawn is carried into it
    // (riskoff-charts.js): the default is still the one the spec gives.
    var given = el.riskoffDefaults || {};
    entry.params.forEach(function (p) {
      entry.defaults[p.name] = p.name in given ? given[p.name] : view.signal(p.name);
    });
    entry.can = abilities(entry);
    entry.pick = pickParam(entry);
    toolbar(entry);
    listen(entry);
    var redrawn = restoreView(entry);
    viewTools(entry, fig.querySelector('.riskoff-tools'));
    var restored = restore(entry);
    var done = restored ? entry.view.runAsync() : Promise.resolve();
    done.then(function () {
      syncPick(entry);
      fig.classList.add('riskoff-tools-ready');
      if (restored || redrawn || el.riskoffCarried) { updateAddress(); }
      fig.dispatchEvent(new CustomEvent('riskoff:view', {bubbles: true, detail: {entry: entry}}));
    });
  }

  document.addEventListener('riskoff:drawn', function (e) {
    attach(e.target, e.detail && e.detail.view);
  });

  function start() {
    prepare();
    document.querySelectorAll('figure.riskoff-figure .vega-embed').forEach(function (el) {
      if (el.riskoffView) { attach(el, el.riskoffView); }
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
  // For tests and the curious: the tools' state of each figure.
  window.riskoffFigures = figures;
  window.riskoffFigureTools = {csv: drawnCsv, csvTables: csvTables, asOfIn: asOfIn};
})();
