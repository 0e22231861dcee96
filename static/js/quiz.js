// The pupil's quiz (templates/activities/attempt.html): each answer is saved as it changes (a
// choice at once, a text a moment after the last key), the clock counts down from the seconds
// the server gave, and when the time is up the page is reloaded: the server closes the attempt
// at its deadline and shows the score. The server keeps the deadline; this clock only shows it.
(function () {
  "use strict";

  var form = document.querySelector("[data-attempt]");
  if (!form || form.getAttribute("data-closed") === "1") {
    return;
  }
  var url = form.getAttribute("data-answer-url");
  var token = form.querySelector("[name=csrfmiddlewaretoken]").value;
  var clock = document.querySelector("[data-clock]");
  var clockText = document.querySelector("[data-clock-text]");
  var endsAt = Date.now() + parseInt(clock.getAttribute("data-seconds-left"), 10) * 1000;
  var timers = {};
  var closed = false;

  function show(fieldset, text, ok) {
    var status = fieldset.querySelector("[data-save-status]");
    status.textContent = text;
    status.className = "small mt-1 " + (ok ? "text-success" : "text-danger");
  }
  function values(fieldset) {
    var kind = fieldset.getAttribute("data-kind");
    var inputs = fieldset.querySelectorAll("input, textarea");
    var chosen = [];
    inputs.forEach(function (input) {
      if (input.type === "radio" || input.type === "checkbox") {
        if (input.checked) {
          chosen.push(input.value);
        }
      } else {
        chosen.push(input.value);
      }
    });
    return { many: kind === "multiple", values: chosen };
  }
  function save(fieldset) {
    if (closed) {
      return;
    }
    var answer = values(fieldset);
    var body = new URLSearchParams();
    body.append("question", fieldset.getAttribute("data-question"));
    if (answer.many) {
      body.append("many", "1");
    }
    answer.values.forEach(function (value) {
      body.append("value", value);
    });
    fieldset.setAttribute("data-saving", "");
    fetch(url, {
      method: "POST",
      headers: { "X-CSRFToken": token, "Content-Type": "application/x-www-form-urlencoded" },
      body: body.toString(),
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (data) {
        fieldset.removeAttribute("data-saving");
        if (response.ok) {
          fieldset.setAttribute("data-saved", "");
          show(fieldset, gettext("Saved"), true);
          endsAt = Date.now() + data.seconds_left * 1000;
        } else if (data.closed) {
          closed = true;
          window.location.reload();
        } else {
          show(fieldset, data.error, false);
        }
      });
    }).catch(function () {
      fieldset.removeAttribute("data-saving");
      show(fieldset, gettext("Not saved: the connection dropped. It will be saved with your next change."), false);
    });
  }
  form.querySelectorAll("[data-question]").forEach(function (fieldset) {
    fieldset.addEventListener("change", function () {
      save(fieldset);
    });
    fieldset.addEventListener("input", function (event) {
      if (event.target.tagName === "TEXTAREA" || event.target.type === "text") {
        var key = fieldset.getAttribute("data-question");
        clearTimeout(timers[key]);
        timers[key] = setTimeout(function () {
          save(fieldset);
        }, 800);
      }
    });
  });
  function tick() {
    var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    var minutes = Math.floor(left / 60);
    var seconds = left % 60;
    clockText.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
    if (left <= 0 && !closed) {
      closed = true;
      // The server closes the attempt at its deadline on the next request.
      setTimeout(function () {
        window.location.reload();
      }, 1000);
      return;
    }
    setTimeout(tick, 500);
  }
  tick();
  form.setAttribute("data-quiz-ready", "");
})();
