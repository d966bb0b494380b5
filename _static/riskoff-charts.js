/* Draws the book's charts, each when it comes near the viewport (see riskoff/sitejs.py).
 * Every chart is a <script type="application/json" class="riskoff-chart"> holding a Vega spec
 * compiled at build time, right after the element it is drawn into. The Vega runtime
 * (vendor/vega/vega.min.js, beside this file) is fetched once, when the first chart is needed.
 * Until then a chart shows its picture, drawn at build time from the same spec. */
(function () {
  'use strict';
  var here = document.currentScript && document.currentScript.src;
  var runtimeUrl = (here || '').replace(/[^/]*$/, '') + 'vendor/vega/vega.min.js';
  var runtime = null;

  function loadRuntime() {
    if (!runtime) {
      runtime = new Promise(function (resolve, reject) {
        if (window.vega) { resolve(window.vega); return; }
        var s = document.createElement('script');
        s.src = runtimeUrl;
        s.onload = function () { resolve(window.vega); };
        s.onerror = function () { reject(new Error('could not load ' + runtimeUrl)); };
        document.head.appendChild(s);
      });
    }
    return runtime;
  }

  // Data sets several charts of the page draw are written once (riskoff/sitejs.py): a chart
  // names one by "riskoff_values". Each chart gets its own copy (Vega marks the rows it reads).
  var sharedText = {};
  function sharedValues(key) {
    if (!Object.prototype.hasOwnProperty.call(sharedText, key)) {
      var block = document.querySelector('script.riskoff-data[data-key="' + key + '"]');
      if (!block) { throw new Error('chart data ' + key + ' is missing from the page'); }
      sharedText[key] = block.textContent;
    }
    return JSON.parse(sharedText[key]);
  }

  // A chart's JSON block as {spec, renderer, export}, its shared data filled in.
  function chartData(script) {
    var data = JSON.parse(script.textContent);
    ((data.spec && data.spec.data) || []).forEach(function (d) {
      if (d && d.riskoff_values) {
        d.values = sharedValues(d.riskoff_values);
        delete d.riskoff_values;
      }
    });
    return data;
  }
  // For riskoff-figure-tools.js, which redraws a figure from its spec.
  window.riskoffChartData = chartData;

  // A block with a data-file holds nothing yet: its JSON is in _charts/<digest>.json
  // (riskoff/sitejs.py ChartFiles), fetched when the chart goes live and written into the
  // block, so chartData (and the figure tools) read it as if it had been in the page. From
  // disk (file://, where fetch is refused) its twin <digest>.js is loaded as a script: it
  // calls riskoffChartFile(digest, text).
  var files = {}, arrived = {};
  window.riskoffChartFile = function (digest, text) {
    arrived[digest] = text;
  };
  function loadFile(url) {
    if (files[url]) { return files[url]; }
    if (location.protocol !== 'file:' && window.fetch) {
      files[url] = fetch(url).then(function (r) {
        if (!r.ok) { throw new Error('could not load ' + url + ' (' + r.status + ')'); }
        return r.text();
      });
      return files[url];
    }
    files[url] = new Promise(function (resolve, reject) {
      var src = url.replace(/\.json(\?.*)?$/, '.js');
      var digest = src.replace(/^.*\//, '').replace(/\.js(\?.*)?$/, '');
      var s = document.createElement('script');
      s.src = src;
      s.onload = function () {
        if (typeof arrived[digest] === 'string') { resolve(arrived[digest]); }
        else { reject(new Error(src + ' holds no chart data')); }
      };
      s.onerror = function () { reject(new Error('could not load ' + src)); };
      document.head.appendChild(s);
    });
    return files[url];
  }
  function filled(block) {
    var url = block.getAttribute('data-file');
    if (!url || block.riskoffFilled) { return Promise.resolve(); }
    return loadFile(url).then(function (text) {
      if (!block.riskoffFilled) { block.textContent = text; block.riskoffFilled = true; }
    });
  }
  // The chart's own block, then the shared data sets its spec names.
  function load(script) {
    return filled(script).then(function () {
      var keys = [];
      script.textContent.replace(/"riskoff_values":"([0-9a-f]+)"/g, function (m, key) {
        keys.push(key);
      });
      return Promise.all(keys.map(function (key) {
        var block = document.querySelector('script.riskoff-data[data-key="' + key + '"]');
        return block ? filled(block) : null;
      }));
    });
  }

  function escapeHtml(v) {
    return String(v).replace(/[&<>"']/g, function (c) {
      return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c];
    });
  }

  // One tooltip element for the page: title, then a row per field, like vega-tooltip's.
  var tip = null;
  function tooltip(handler, event, item, value) {
    if (!tip) {
      tip = document.createElement('div');
      tip.className = 'riskoff-tooltip';
      tip.setAttribute('role', 'tooltip');
      document.body.appendChild(tip);
    }
    // Muted while a figure shows its own hover-at-a-date tooltip (riskoff-figure-tools.js).
    if (value == null || value === '' || tooltip.muted) { tip.classList.remove('visible'); return; }
    var content;
    if (typeof value === 'object') {
      var rows = '';
      Object.keys(value).forEach(function (k) {
        if (k === 'title') { return; }
        var v = value[k];
        if (v !== null && typeof v === 'object') { v = JSON.stringify(v); }
        rows += '<tr><td class="key">' + escapeHtml(k) + '</td><td class="value">' +
          escapeHtml(v) + '</td></tr>';
      });
      content = (value.title != null ? '<h2>' + escapeHtml(value.title) + '</h2>' : '') +
        (rows ? '<table>' + rows + '</table>' : '');
    } else {
      content = escapeHtml(value);
    }
    tip.innerHTML = content;
    tip.classList.add('visible');
    var x = event.clientX + 10, y = event.clientY + 10;
    var w = tip.offsetWidth, h = tip.offsetHeight;
    if (x + w > window.innerWidth) { x = Math.max(0, event.clientX - 10 - w); }
    if (y + h > window.innerHeight) { y = Math.max(0, event.clientY - 10 - h); }
    tip.style.left = (x + window.scrollX) + 'px';
    tip.style.top = (y + window.scrollY) + 'px';
  }

  // The "…" menu: save the chart as SVG or PNG, as vega-embed's export actions did.
  // Figures redrawn by the reader's own view (riskoff-figure-tools.js) keep this tooltip.
  window.riskoffTooltip = tooltip;

  var DOTS = '<svg viewBox="0 0 16 16" fill="currentColor" stroke="none" stroke-width="1" ' +
    'stroke-linecap="round" stroke-linejoin="round" width="14" height="14" aria-hidden="true">' +
    '<circle r="2" cy="8" cx="2"></circle><circle r="2" cy="8" cx="8"></circle>' +
    '<circle r="2" cy="8" cx="14"></circle></svg>';

  function exportMenu(el, view) {
    var details = document.createElement('details');
    details.title = 'Click to view actions';
    var summary = document.createElement('summary');
    summary.innerHTML = DOTS;
    summary.setAttribute('aria-label', 'Chart menu: save the chart as an image');
    details.appendChild(summary);
    var menu = document.createElement('div');
    menu.className = 'vega-actions';
    ['svg', 'png'].forEach(function (ext) {
      var a = document.createElement('a');
      a.textContent = 'Save as ' + ext.toUpperCase();
      a.href = '#';
      a.download = (el.id || 'chart') + '.' + ext;
      a.addEventListener('click', function (e) {
        if (a.dataset.ready) { delete a.dataset.ready; return; }
        e.preventDefault();
        view.toImageURL(ext, ext === 'png' ? 2 : 1).then(function (url) {
          a.href = url;
          a.dataset.ready = '1';
          a.click();
          details.removeAttribute('open');
        });
      });
      menu.appendChild(a);
    });
    details.appendChild(menu);
    el.appendChild(details);
    el.classList.add('has-actions');
    document.addEventListener('click', function (e) {
      if (details.open && !details.contains(e.target)) { details.removeAttribute('open'); }
    });
  }

  // A static range shows its value beside it, as Vega's does, before the live view exists.
  document.addEventListener('input', function (e) {
    var i = e.target;
    if (i.type === 'range' && i.closest && i.closest('form.riskoff-static') &&
        i.nextElementSibling && i.nextElementSibling.tagName === 'SPAN') {
      i.nextElementSibling.textContent = i.value;
    }
  });

  // The value a static control (riskoff/sitejs.py controls_html) shows, as its signal's
  // value: the bound option itself (a number stays a number), a range's number.
  function staticValue(form, signal) {
    var b = signal.bind, inputs = [];
    form.querySelectorAll('input, select').forEach(function (i) {
      if (i.name === signal.name) { inputs.push(i); }
    });
    if (!inputs.length) { return undefined; }
    var i = inputs[0], options = b.options || [];
    function option(text) {
      for (var k = 0; k < options.length; k++) {
        if (String(options[k]) === text) { return options[k]; }
      }
      return undefined;
    }
    if (b.input === 'checkbox') { return i.checked; }
    if (b.input === 'range') { return +i.value; }
    if (b.input === 'select') { return options[i.selectedIndex]; }
    if (b.input === 'radio') {
      var on = inputs.filter(function (r) { return r.checked; })[0];
      return on ? option(on.value) : undefined;
    }
    return undefined;
  }

  // What the reader set on the static controls before the live view was ready goes into it
  // (no click lost). The spec's values stay the figure's defaults (riskoff-figure-tools.js).
  function carry(el, form, view, spec) {
    var defaults = {}, moved = false;
    (spec.signals || []).forEach(function (s) {
      if (!s || !s.bind || !s.bind.input) { return; }
      var was = view.signal(s.name), now = staticValue(form, s);
      defaults[s.name] = was;
      if (now !== undefined && String(now) !== String(was)) {
        view.signal(s.name, now);
        moved = true;
      }
    });
    el.riskoffDefaults = defaults;
    el.riskoffCarried = moved;
    return moved;
  }

  // The live control matching the static one that has the focus (same name; a radio's value).
  function liveTwin(wrapper, active) {
    var found = null;
    wrapper.querySelectorAll('form.vega-bindings input, form.vega-bindings select')
      .forEach(function (i) {
        if (!found && i.name === active.name &&
            (active.type !== 'radio' || i.value === active.value)) { found = i; }
      });
    return found;
  }

  function draw(el, data, vega, runtime) {
    el.classList.add('vega-embed');
    // The picture and controls drawn at build time (riskoff/sitejs.py) stay on top, where
    // they are, until the live view under them is drawn: no blank, no shift. The chart keeps
    // the height it has meanwhile.
    var still = el.querySelector(':scope > .riskoff-still');
    var statics = still && still.querySelector('form.riskoff-static');
    if (still) {
      el.style.minHeight = el.offsetHeight + 'px';
      var top = still.offsetTop, left = still.offsetLeft, width = still.offsetWidth;
      still.style.top = top + 'px';
      still.style.left = left + 'px';
      still.style.width = width + 'px';
      still.classList.add('riskoff-over');
    }
    var wrapper = document.createElement('div');
    wrapper.className = 'chart-wrapper';
    // Unseen until drawn: the live controls appear at once, before the drawing.
    if (still) { wrapper.style.visibility = 'hidden'; }
    // width "container" compiles to autosize fit(-x): the wrapper then takes the full width.
    var fit = data.spec.autosize && (data.spec.autosize.type || data.spec.autosize);
    if (fit === 'fit' || fit === 'fit-x') { wrapper.classList.add('fit-x'); }
    el.insertBefore(wrapper, el.firstChild);
    var view = new vega.View(runtime, {
      renderer: data.renderer || 'svg', container: wrapper, tooltip: tooltip,
      logLevel: vega.Warn
    });
    // A figure's toolbar (riskoff-figure-tools.js) replaces the image menu once drawn: no menu
    // then, so the chart is drawn at its column's width at once (the menu's room taken, the
    // first frame was narrower and redrawn on the next resize).
    var tools = window.riskoffFigures && el.closest && el.closest('figure.riskoff-figure');
    if (data.export && !tools) { exportMenu(el, view); }
    return view.runAsync().then(function () {
      return statics && carry(el, statics, view, data.spec) ? view.runAsync() : null;
    }).then(function () {
      var active = statics && statics.contains(document.activeElement) ?
        document.activeElement : null;
      if (still) { still.remove(); }
      wrapper.style.visibility = '';
      if (active) {
        var twin = liveTwin(wrapper, active);
        if (twin) { twin.focus({preventScroll: true}); }
      }
      el.classList.remove('riskoff-pending', 'riskoff-still-view', 'riskoff-exact');
      el.style.minHeight = '';  // the room kept for it (riskoff/sitejs.py)
      fitLater(wrapper);
      // For riskoff-figure-tools.js (links, export, table view): the drawn View.
      el.riskoffView = view;
      relayoutOnControls(el);
      el.dispatchEvent(new CustomEvent('riskoff:drawn', {bubbles: true, detail: {view: view}}));
    });
  }

  // Vega lays a chart out from the bounds of its previous frame: when a control changes the
  // labels' extent (bars reordered, every series hidden), the first frame keeps the old
  // origin and labels are cut. One more layout pass after each control change fixes it.
  function relayoutOnControls(el) {
    if (el.riskoffRelayout) { return; }
    el.riskoffRelayout = true;
    var pending = null;
    function again() {
      if (pending) { return; }
      pending = setTimeout(function () {
        pending = null;
        var v = el.riskoffView;
        if (v) { v.runAsync().then(function () { return v.resize().runAsync(); }); }
      }, 0);
    }
    ['input', 'change'].forEach(function (type) {
      el.addEventListener(type, function (e) {
        if (e.target.closest && e.target.closest('.vega-bindings')) { again(); }
      });
    });
  }

  // A chart that fits its container measures it once, when drawn; the page may settle after
  // that (the figure tools replace the image menu, fonts load), leaving the chart narrower
  // than its column. Vega re-measures on a window resize: send one when a wrapper's width
  // changes.
  var resizeSent = null;
  var watcher = 'ResizeObserver' in window ? new ResizeObserver(function (entries) {
    var changed = false;
    entries.forEach(function (e) {
      var w = Math.round(e.target.getBoundingClientRect().width), was = e.target.riskoffWidth;
      e.target.riskoffWidth = w;
      // Once per chart: the settled width. Watching on would let a chart whose redraw
      // moves the page (a scrollbar, a reflow) resize itself forever.
      if (was !== undefined && Math.abs(was - w) > 2) { changed = true; watcher.unobserve(e.target); }
    });
    if (changed) { nudge(); }
  }) : null;
  function nudge() {
    if (resizeSent) { return; }
    resizeSent = setTimeout(function () {
      resizeSent = null;
      window.dispatchEvent(new Event('resize'));
    }, 100);
  }
  function fitLater(wrapper) {
    if (!wrapper.classList.contains('fit-x')) { return; }
    // The width it was drawn at: the figure tools remove the image menu's padding next.
    wrapper.riskoffWidth = Math.round(wrapper.getBoundingClientRect().width);
    if (watcher) { watcher.observe(wrapper); }
    // Drawn narrower than its column (measured before the page settled): measure again.
    var svg = wrapper.querySelector('svg');
    if (svg && Math.abs((+svg.getAttribute('width') || 0) - wrapper.clientWidth) > 2) { nudge(); }
  }

  function fail(el, err) {
    el.innerHTML = '<div class="error">Chart could not be drawn: ' + escapeHtml(err) + '</div>';
    if (window.console) { console.error(err); }
  }

  // One chart at a time, each step its own task: a page with several charts in view stays
  // responsive while they are drawn (no single long task for all of them).
  var queue = [], busy = false;
  function later(fn) { setTimeout(fn, 0); }
  function pump() {
    if (busy || !queue.length) { return; }
    busy = true;
    var chart = queue.shift();
    function next() { busy = false; later(pump); }
    // Reading and parsing the spec is one task, drawing it the next: two shorter tasks.
    function task(fn) {
      return function (x) {
        return new Promise(function (resolve) { later(resolve); }).then(function () { return fn(x); });
      };
    }
    var data, vega;
    Promise.all([loadRuntime(), chart.loading || load(chart.script)]).then(task(function (got) {
      vega = got[0];
      data = chartData(chart.script);
      return vega.parse(data.spec);
    })).then(task(function (runtime) {
      return draw(chart.el, data, vega, runtime);
    })).catch(function (err) { fail(chart.el, err); }).then(next);
  }

  function start() {
    var charts = [];
    document.querySelectorAll('script.riskoff-chart').forEach(function (script) {
      var el = script.previousElementSibling;
      if (!el) { return; }
      el.classList.add('riskoff-pending');
      charts.push({el: el, script: script});
    });
    if (!charts.length) { return; }
    function render(chart) {
      if (chart.started) { return; }
      if (!live) { chart.near = true; return; }
      chart.started = true;
      // Its files load while the charts before it in the queue are drawn.
      chart.loading = load(chart.script);
      chart.loading.catch(function () {});  // reported by pump, when its turn comes
      queue.push(chart);
      pump();
    }
    whenLive(function () {
      charts.forEach(function (chart) { if (chart.near) { render(chart); } });
    });
    if (!('IntersectionObserver' in window)) { charts.forEach(render); return; }
    // Start a little before a chart scrolls in, so it is drawn by the time it is seen.
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) {
          observer.unobserve(entry.target);
          render(entry.target.riskoffChart);
        }
      });
    }, {rootMargin: '500px 0px'});
    charts.forEach(function (chart) {
      chart.el.riskoffChart = chart;
      observer.observe(chart.el);
    });
  }

  // Live views. A chart with a picture (drawn at build time, its controls with it) is
  // already seen: the Vega runtime and the live views of the charts near the viewport wait
  // for the reader's first move (pointer, key, touch, wheel, scroll, focus), so the page's
  // load is not spent on them; a control moved meanwhile is carried into its live view. A
  // link to a view (#…, or ?… holding a figure's state) starts them at once.
  var live = false, onLive = [];
  var MOVES = ['pointerdown', 'pointermove', 'keydown', 'touchstart', 'wheel', 'scroll',
               'focusin'];
  function goLive() {
    if (live) { return; }
    live = true;
    MOVES.forEach(function (type) { window.removeEventListener(type, goLive, true); });
    onLive.splice(0).forEach(function (fn) { fn(); });
  }
  function whenLive(fn) { if (live) { fn(); } else { onLive.push(fn); } }
  function waitForReader() {
    if (!document.querySelector('picture.riskoff-picture') || location.hash.length > 1 ||
        location.search.length > 1) {
      goLive();
      return;
    }
    MOVES.forEach(function (type) {
      window.addEventListener(type, goLive, {capture: true, passive: true});
    });
  }
  waitForReader();

  // Pictures of the charts further down load once the page has (lazily, they would wait
  // until the chart is almost in view and then be seen arriving).
  function loadPictures() {
    document.querySelectorAll('picture.riskoff-picture img[loading="lazy"]').forEach(
      function (img) { img.loading = 'eager'; });
  }
  // After the load event and the first frame painted after it: their requests then never
  // compete with what the first screen needs.
  function afterLoad() {
    var idle = window.requestIdleCallback || function (fn) { setTimeout(fn, 200); };
    var frame = window.requestAnimationFrame || function (fn) { setTimeout(fn, 16); };
    frame(function () { later(function () { idle(loadPictures); }); });
  }
  if (document.readyState === 'complete') { afterLoad(); }
  else { window.addEventListener('load', afterLoad); }

  // The page's text is painted first; charts start after that frame.
  function afterPaint() {
    if (window.requestAnimationFrame) {
      requestAnimationFrame(function () { later(start); });
    } else {
      later(start);
    }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', afterPaint);
  } else {
    afterPaint();
  }
})();
