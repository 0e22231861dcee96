// The grading queue of one short-answer question (templates/activities/grading_question.html):
// Enter in a score moves to the next answer's score, Ctrl+Enter saves them all.
(function () {
  "use strict";

  var form = document.querySelector("[data-grading-form]");
  if (!form) {
    return;
  }
  var inputs = Array.prototype.slice.call(form.querySelectorAll("[data-score-input]"));
  form.addEventListener("keydown", function (event) {
    if (event.key !== "Enter") {
      return;
    }
    if (event.ctrlKey || event.metaKey) {
      event.preventDefault();
      form.requestSubmit();
      return;
    }
    var index = inputs.indexOf(event.target);
    if (index >= 0) {
      event.preventDefault();
      var next = inputs[index + 1];
      if (next) {
        next.focus();
        next.select();
      } else {
        form.requestSubmit();
      }
    }
  });
  var first = form.querySelector("[data-ungraded] [data-score-input]") || inputs[0];
  if (first) {
    first.focus();
  }
  form.setAttribute("data-keys-ready", "");
})();
