// Shows the fields of the kind of nominee chosen (a citizen or an organisation) and hides the
// other kind's; without scripts both stay visible and the server ignores the unused ones.
(function () {
  "use strict";
  function update(form) {
    var checked = form.querySelector('input[name="kind"]:checked');
    var kind = checked ? checked.value : "citizen";
    form.querySelectorAll("[data-nominee-kind]").forEach(function (fieldset) {
      fieldset.hidden = fieldset.getAttribute("data-nominee-kind") !== kind;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-nominee-form]").forEach(function (form) {
      form.addEventListener("change", function (event) {
        if (event.target.name === "kind") {
          update(form);
        }
      });
      update(form);
    });
  });
})();
