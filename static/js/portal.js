// Small behaviours of every page, kept out of the HTML so that the Content-Security-Policy
// allows no inline script and htmx needs no eval (config/settings/base.py, "Security").
// Without JavaScript each page still works: the language form has its own button, and the
// progress bars have their figures written beside them.
(function () {
  "use strict";

  // A form that htmx sends into [data-swap-on-400] and that the server refuses with a 400
  // comes back with its errors: show it, instead of treating the answer as a failure.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.target;
    if (
      event.detail.xhr.status === 400 &&
      target instanceof Element &&
      target.closest("[data-swap-on-400]")
    ) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // The language chooser sends its form as soon as a language is picked.
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select instanceof HTMLSelectElement && select.hasAttribute("data-submit-on-change")) {
      select.form.submit();
    }
  });

  // Print buttons (the post's poster).
  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element && event.target.closest("[data-print]");
    if (button) {
      window.print();
    }
  });

  // Progress bars: the width of each comes from data-progress-percent. Setting it through the
  // style object is allowed by the policy; a style="" attribute written by the server is not.
  function sizeProgressBars(root) {
    var bars = root.querySelectorAll("[data-progress-percent]");
    for (var index = 0; index < bars.length; index += 1) {
      var percent = Number(bars[index].getAttribute("data-progress-percent"));
      if (isFinite(percent)) {
        bars[index].style.width = Math.min(100, Math.max(0, percent)) + "%";
      }
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    sizeProgressBars(document);
  });
  // Content swapped in by htmx (the report runs' list refreshes itself).
  document.addEventListener("htmx:load", function (event) {
    if (event.target instanceof Element) {
      sizeProgressBars(event.target);
    }
  });
})();
