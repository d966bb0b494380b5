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
    // "Data as of …." up to the sentence's end (dates hold no full stop).
    var asOf = d.asOf || ((words.match(/Data as of.*?\.(?=\s+[A-Z(]|\s*$)/) || [''])[0]);
    var sources = d.sources || words.replace(asOf, '').replace(/\s+/g, ' ').trim();
    return {name: name, title: d.title || fig.getAttribute('aria-label') || name,
            sources: sources, asOf: asOf.replace(/\.$/, ''), csv: csv ? csv.href : null};
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
    var out = [];
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

  function restore(entry) {
    var raw = readQuery()[entry.name];
    if (raw === undefined) { return false; }
    var state = parseState(raw), changed = false;
    if (!state) { return false; }
    entry.params.forEach(function (p) {
      if (!Object.prototype.hasOwnProperty.call(state, p.name)) { return; }
      var v = coerce(state[p.name], p, entry.defaults[p.name]);
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
        if (!isObj(src) || src instanceof Date) { add(['Value'], [cell(src)]); return; }
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
      box.textContent = 'This view draws no values.';
      return;
    }
    tables.forEach(function (t, i) {
      var table = document.createElement('table');
      table.className = 'riskoff-datatable';
      var caption = document.createElement('caption');
      caption.textContent = 'Values drawn in this view' +
        (tables.length > 1 ? ' (' + (i + 1) + ' of ' + tables.length + ')' : '') + ': ' +
        t.rows.length + ' row' + (t.rows.length === 1 ? '' : 's') +
        (t.rows.length > MAX_ROWS ? ', first ' + MAX_ROWS + ' shown (the CSV has all)' : '');
      table.appendChild(caption);
      var head = table.createTHead().insertRow();
      t.columns.forEach(function (c) {
        var th = document.createElement('th');
        th.scope = 'col';
        th.textContent = c === 'title' ? 'Item' : c;
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

  function drawnCsv(entry) {
    var m = entry.meta, lines = [
      '# ' + m.title,
      '# ' + m.sources,
      '# ' + (m.asOf || 'Data as of: see the figure'),
      '# Values as drawn in this view of the chart (the chart\'s own names, units and rounding): ' +
        address(entry.anchor),
      '# Figure in ' + bookTitle() + (m.csv ? '; underlying data: ' + m.csv : '')
    ];
    drawnTables(entry.view).forEach(function (t, i, all) {
      if (all.length > 1) { lines.push('# Table ' + (i + 1) + ' of ' + all.length); }
      lines.push(t.columns.map(function (c) { return csvField(c === 'title' ? 'Item' : c); }).join(','));
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
    return '\u201c' + m.title.replace(/\.$/, '') + '.\u201d Figure' +
      (ch ? ' in \u201c' + ch + '\u201d' : '') + ', ' + bookTitle() + '. ' +
      address(entry.anchor) + '. ' + (m.asOf ? m.asOf + '. ' : '') +
      'Accessed ' + new Date().toISOString().slice(0, 10) + '.';
  }

  function copyText(field, status) {
    field.focus();
    field.select();
    function done(ok) {
      status.textContent = ok ? 'Copied.' : 'Selected: press Ctrl+C (\u2318C) to copy.';
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

  function toolbar(entry) {
    var fig = entry.fig, id = entry.anchor;
    var bar = document.createElement('div');
    bar.className = 'riskoff-tools';
    bar.setAttribute('role', 'group');
    bar.setAttribute('aria-label', 'Figure tools');
    var link = button('Link to this view', 'riskoff-link');
    var cite = button('Cite', 'riskoff-cite', 'Cite this chart');
    var table = button('Table', 'riskoff-table-toggle', 'Show the values as a table');
    var svg = button('SVG', 'riskoff-save-svg', 'Download the chart as SVG');
    var png = button('PNG', 'riskoff-save-png', 'Download the chart as PNG');
    var csv = button('CSV of this view', 'riskoff-save-csv', 'Download the values drawn in this view as CSV');
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
    var again = button('Copy', 'riskoff-copy');
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
    tableBox.setAttribute('aria-label', 'Values drawn in the chart');
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
      label.textContent = kind === 'link' ? 'Address of this view' : 'Citation';
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
      table.textContent = open ? 'Hide table' : 'Table';
      if (open) { renderTables(entry, tableBox); }
    });
    function failed(err) {
      status.textContent = 'Could not save: ' + err;
      panel.hidden = false;
    }
    svg.addEventListener('click', function () { saveSvg(entry).catch(failed); });
    png.addEventListener('click', function () { savePng(entry).catch(failed); });
    csv.addEventListener('click', function () {
      download(new Blob([drawnCsv(entry)], {type: 'text/csv'}), entry.name + '-view.csv');
    });
    entry.refresh = function () {
      if (!tableBox.hidden) { renderTables(entry, tableBox); }
      if (!panel.hidden) { field.value = showing === 'link' ? address(id) : citation(entry); }
    };

    var cap = fig.querySelector('figcaption');
    fig.insertBefore(bar, cap);
    fig.insertBefore(panel, cap);
    fig.insertBefore(tableBox, cap);
  }

  // ------------------------------------------------------------------ wiring

  function figureOf(el) { return el.closest && el.closest('figure.riskoff-figure'); }

  function specOf(el) {
    var s = el.nextElementSibling;
    while (s && !(s.matches('script.riskoff-chart'))) { s = s.nextElementSibling; }
    try { return s ? JSON.parse(s.textContent).spec : {}; } catch (e) { return {}; }
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

  function attach(el, view) {
    var fig = figureOf(el);
    if (!fig) { return; }
    prepare();
    var entry = fig.riskoffTools;
    if (!entry || entry.view) { return; }
    entry.view = view;
    // The toolbar replaces the loader's image menu (its files had no title or source).
    var menu = el.querySelector(':scope > details');
    if (menu) { menu.remove(); el.classList.remove('has-actions'); }
    entry.params = boundParams(specOf(el)).filter(function (p) {
      try { view.signal(p.name); return true; } catch (e) { return false; }
    });
    entry.defaults = {};
    entry.params.forEach(function (p) { entry.defaults[p.name] = view.signal(p.name); });
    toolbar(entry);
    followWords(entry);
    var restored = restore(entry);
    entry.params.forEach(function (p) {
      view.addSignalListener(p.name, function () {
        updateAddress();
        // Listeners run inside the dataflow: refresh the table once this run is done.
        view.runAfter(function () {
          setTimeout(function () { if (entry.refresh) { entry.refresh(); } }, 0);
        });
      });
    });
    var done = restored ? view.runAsync() : Promise.resolve();
    done.then(function () {
      fig.classList.add('riskoff-tools-ready');
      if (restored) { updateAddress(); }
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
})();
