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
  // Small behaviours named by data attributes rather than inline handlers, so that the
  // Content-Security-Policy can refuse every inline script (script-src 'self').
  document.addEventListener("click", function (event) {
    var element = event.target.closest ? event.target.closest("[data-print]") : null;
    if (element) {
      window.print();
    }
  });
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("[data-submit-on-change]") && field.form) {
      field.form.submit();
    }
    if (field.matches && field.matches("[data-tick-all]")) {
      document.querySelectorAll(field.getAttribute("data-tick-all")).forEach(function (box) {
        box.checked = field.checked;
      });
    }
  });
  // A button that sends its form once: pressed twice, the second press does nothing.
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-submit-once]") : null;
    if (button && button.form) {
      event.preventDefault();
      button.disabled = true;
      button.form.submit();
    }
  });
  // A form marked data-reset-after-request is emptied after each htmx answer (the kiosk).
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (form && form.matches && form.matches("form[data-reset-after-request]")) {
      form.reset();
    }
  });
  // The fields of a form marked data-form-controls get Bootstrap's classes.
  document.querySelectorAll("form[data-form-controls]").forEach(function (form) {
    form.querySelectorAll("select, input[type=text]").forEach(function (field) {
      field.classList.add(field.tagName === "SELECT" ? "form-select" : "form-control");
    });
  });
})();
