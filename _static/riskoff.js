/* Small accessibility fixes for generated output (runs on every page). */
(function () {
  // A translated edition's pages carry their words (riskoff.edition: figure-tools.po).
  function w(text) { return (window.RISKOFF_WORDS || {})[text] || text; }
  function fix(root) {
    // vega-embed's export menu is an icon-only <summary>: give it a name.
    root.querySelectorAll('.vega-embed summary:not([aria-label])').forEach(function (s) {
      s.setAttribute('aria-label', w('Chart menu: save the chart as an image'));
    });
    // Wide tables scroll sideways on phones: make them reachable by keyboard.
    root.querySelectorAll('.cell_output table:not([tabindex])').forEach(function (t) {
      t.setAttribute('tabindex', '0');
    });
  }
  // Anything in the article that scrolls sideways gets a visible cue (a hint line and a
  // faded right edge, see riskoff.css); the class goes when it fits again.
  function atEnd(el) {
    el.classList.toggle('riskoff-at-end', el.scrollLeft + el.clientWidth >= el.scrollWidth - 2);
  }
  function cue() {
    var article = document.querySelector('article.bd-article');
    if (!article) return;
    // All reads first, then all writes: reading a width after each change forced one layout
    // per table (a third of a second on chapter 2 on a slow phone).
    var els = article.querySelectorAll('table, div.output, .pst-scrollable-table-container, figure');
    var wide = new Set(), plans = [];
    els.forEach(function (el) {
      var ox = getComputedStyle(el).overflowX;
      var inWide = false;
      for (var a = el.parentElement; a && !inWide; a = a.parentElement) { inWide = wide.has(a); }
      var scrolls = (ox === 'auto' || ox === 'scroll') && el.scrollWidth > el.clientWidth + 1
        && !el.closest('div.highlight') && !inWide;
      if (scrolls) wide.add(el);
      plans.push([el, scrolls]);
    });
    plans.forEach(function (plan) {
      var el = plan[0], scrolls = plan[1];
      var hint = el.previousElementSibling;
      var has = hint && hint.classList.contains('riskoff-scroll-hint');
      el.classList.toggle('riskoff-scrolls', scrolls);
      if (scrolls && !has) {
        hint = document.createElement('p');
        hint.className = 'riskoff-scroll-hint';
        hint.setAttribute('aria-hidden', 'true');
        hint.textContent = w('Wider than the page: scroll sideways for more \u2192');
        el.parentNode.insertBefore(hint, el);
        el.addEventListener('scroll', function () { atEnd(el); }, {passive: true});
      } else if (!scrolls && has) {
        hint.remove();
      }
    });
    var ends = [];
    wide.forEach(function (el) {
      ends.push([el, el.scrollLeft + el.clientWidth >= el.scrollWidth - 2]);
    });
    ends.forEach(function (e) { e[0].classList.toggle('riskoff-at-end', e[1]); });
  }
  var pending = null;
  function later() {
    if (pending) return;
    pending = setTimeout(function () { pending = null; fix(document); cue(); }, 150);
  }
  function start() {
    fix(document);
    cue();
    // Charts are drawn asynchronously, after this script runs.
    new MutationObserver(later).observe(document.body, {childList: true, subtree: true});
    window.addEventListener('resize', later);
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
