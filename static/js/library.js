// Behaviour shared by every page. No framework beyond htmx and Bootstrap.
(function () {
  "use strict";

  // A scan field keeps the focus after each htmx answer, so that the librarian never reaches
  // for the mouse between two scans; its text is selected so the next scan replaces it.
  // A field that still has the focus is left alone: it may hold the start of the next scan.
  function refocus() {
    var field = document.querySelector("[data-keep-focus]");
    if (field && document.activeElement !== field) {
      field.focus();
      field.select();
    }
  }
  document.addEventListener("htmx:afterSettle", refocus);

  // A scan form (data-scan-form) sends each scan the moment Enter ends it and empties its field
  // at once, so that the next scan can be read while the server answers; the answers are asked
  // for one after another, in the order of the scans, into data-scan-target. Without
  // JavaScript the form posts as usual.
  var scans = Promise.resolve();
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("[data-scan-form]") || !window.htmx) {
      return;
    }
    event.preventDefault();
    var values = Object.fromEntries(new FormData(form));
    var field = form.querySelector("[data-keep-focus]");
    if (field) {
      field.value = "";
      field.focus();
    }
    scans = scans
      .then(function () {
        return htmx.ajax("POST", form.action, {
          source: form,
          values: values,
          target: form.getAttribute("data-scan-target"),
          swap: "innerHTML",
        });
      })
      .catch(function () {});
  });

  // The language switch returns to the page as it is now, filters pushed by htmx included.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.classList && form.classList.contains("language-switch")) {
      var next = form.querySelector("input[name=next]");
      if (next) {
        next.value = window.location.pathname + window.location.search;
      }
    }
  });

  // When the server cannot be reached or answers with an error, say so in place instead of
  // leaving the page silently unchanged.
  document.addEventListener("htmx:responseError", function (event) {
    var target = event.detail.target;
    if (target) {
      target.innerHTML =
        '<div class="alert alert-danger" role="alert">' +
        gettext("The server answered with an error. Nothing was changed; please try again.") +
        "</div>";
    }
    refocus();
  });
  document.addEventListener("htmx:sendError", function (event) {
    var target = event.detail.target;
    if (target) {
      target.innerHTML =
        '<div class="alert alert-danger" role="alert">' +
        gettext("The server cannot be reached. Check the network and try again.") +
        "</div>";
    }
    refocus();
  });
})();
