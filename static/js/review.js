// The review page (templates/activities/review_item.html), driven from the keyboard: ← and → (or
// j and k) go to the previous and next in the class's queue, 1 to 9 choose a grade, c the
// comment, r the reason for revision, and Ctrl+Enter saves the form being written in.
(function () {
  "use strict";

  var item = document.querySelector("[data-review-item]");
  if (!item) {
    return;
  }
  function typing(target) {
    return target && (target.tagName === "TEXTAREA" || target.tagName === "INPUT" && target.type === "text");
  }
  function follow(selector) {
    var link = item.querySelector(selector);
    if (link) {
      window.location.href = link.href;
    }
  }
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      var form = event.target.closest && event.target.closest("form");
      form = form || item.querySelector("[data-grade-form]");
      if (form) {
        event.preventDefault();
        form.requestSubmit();
      }
      return;
    }
    if (typing(event.target) || event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    if (event.key === "ArrowLeft" || event.key === "k") {
      follow("[data-previous]");
    } else if (event.key === "ArrowRight" || event.key === "j") {
      follow("[data-next]");
    } else if (/^[1-9]$/.test(event.key)) {
      var grade = item.querySelector('[data-grade-key="' + event.key + '"]');
      if (grade) {
        grade.checked = true;
        grade.focus();
      }
    } else if (event.key === "c") {
      var comment = item.querySelector("[data-comment]");
      if (comment) {
        event.preventDefault();
        comment.focus();
      }
    } else if (event.key === "r") {
      var reason = item.querySelector("[data-reason]");
      if (reason) {
        event.preventDefault();
        reason.focus();
      }
    }
  });
  // Browser tests (and anyone watching) know the keys are live once this is set.
  item.setAttribute("data-keys-ready", "");
})();
