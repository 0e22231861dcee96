// Formsets whose rows are a table: "Add a row" copies the empty row of the <template> and
// counts it in the management form. Without JavaScript the page still offers its empty rows.
(function () {
  "use strict";
  document.querySelectorAll("[data-formset]").forEach(function (formset) {
    var prefix = formset.dataset.formset;
    var total = formset.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var template = formset.querySelector("template[data-empty-row]");
    var body = formset.querySelector("tbody[data-rows]");
    var button = formset.querySelector("[data-add-row]");
    if (!total || !template || !body || !button) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__number__/g, String(index + 1));
      body.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var first = body.lastElementChild.querySelector("input");
      if (first) first.focus();
    });
  });
})();
