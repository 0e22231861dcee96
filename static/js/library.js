// Behaviour shared by every page. No framework beyond htmx and Bootstrap.
(function () {
  "use strict";

  // A scan field keeps the focus after each htmx answer, so that the librarian never reaches
  // for the mouse between two scans; its text is selected so the next scan replaces it.
  function refocus() {
    var field = document.querySelector("[data-keep-focus]");
    if (field) {
      field.focus();
      field.select();
    }
  }
  document.addEventListener("htmx:afterSettle", refocus);

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
