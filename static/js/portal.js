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

  // The language chooser applies a language picked with the mouse or a finger at once. With the
  // keyboard the arrows change the value of a closed select one option at a time, each a change
  // event: sending then would switch the language before the user reached the one wanted
  // (WCAG 3.2.2, On Input). So a change that follows a key press waits for Enter on the select
  // or for the form's button, shown while the choice differs from the page's language (without
  // scripts, the form's <noscript> button is always there).
  var keyedSelect = null;

  function submitOnChange(target) {
    return target instanceof HTMLSelectElement && target.hasAttribute("data-submit-on-change");
  }

  function chosenIsCurrent(select) {
    var option = select.options[select.selectedIndex];
    return !option || option.defaultSelected;
  }

  document.addEventListener("keydown", function (event) {
    var select = event.target;
    if (!submitOnChange(select)) {
      return;
    }
    keyedSelect = select;
    if (event.key === "Enter") {
      // After the key's own action: where Enter also chooses in an open list, the form then
      // carries the option chosen, not the one before.
      window.setTimeout(function () {
        // The page's own language: nothing to apply, and a reload would lose what was typed.
        if (!chosenIsCurrent(select)) {
          select.form.submit();
        }
      }, 0);
    }
  });

  document.addEventListener("pointerdown", function (event) {
    if (submitOnChange(event.target)) {
      keyedSelect = null;
    }
  });

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!submitOnChange(select)) {
      return;
    }
    if (select !== keyedSelect && !chosenIsCurrent(select)) {
      select.form.submit();
      return;
    }
    var button = select.form.querySelector("[data-submit-pending]");
    if (button) {
      button.hidden = chosenIsCurrent(select);
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

  // A form sent back with errors: the focus goes to its first refused field, which names its
  // error (aria-describedby), so that keyboard and screen-reader users start where the fix is
  // instead of at the top of the page. Only when nothing else has the focus (autofocus).
  function focusFirstRefused(root) {
    var active = document.activeElement;
    if (active && active !== document.body) {
      return;
    }
    var field = root.querySelector("form [aria-invalid=true]");
    if (field) {
      field.focus();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    sizeProgressBars(document);
    focusFirstRefused(document);
  });
  // A form htmx sent and the server refused (the 400 swapped in above): the focus was on its
  // button, which the swap removed.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.xhr.status === 400 && event.target instanceof Element) {
      focusFirstRefused(event.target);
    }
  });
  // Content swapped in by htmx (the report runs' list refreshes itself).
  document.addEventListener("htmx:load", function (event) {
    if (event.target instanceof Element) {
      sizeProgressBars(event.target);
    }
  });
})();
