/* Small accessibility fixes for generated output (runs on every page). */
(function () {
  function fix(root) {
    // vega-embed's export menu is an icon-only <summary>: give it a name.
    root.querySelectorAll('.vega-embed summary:not([aria-label])').forEach(function (s) {
      s.setAttribute('aria-label', 'Chart menu: save the chart as an image');
    });
    // Wide tables scroll sideways on phones: make them reachable by keyboard.
    root.querySelectorAll('.cell_output table:not([tabindex])').forEach(function (t) {
      t.setAttribute('tabindex', '0');
    });
  }
  function start() {
    fix(document);
    // Charts are drawn asynchronously, after this script runs.
    new MutationObserver(function () { fix(document); })
      .observe(document.body, {childList: true, subtree: true});
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
