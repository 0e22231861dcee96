// The reading note's form (templates/activities/note_form.html): the draft is saved on the server
// while the pupil types (every few seconds while there are changes, and whenever a field is left),
// so a closed tab or a dropped connection loses at most a few seconds of text, and the note can be
// finished on another device. Without JavaScript the form's buttons save it as usual.
(function () {
  "use strict";

  var form = document.querySelector("form[data-autosave-url]");
  if (!form) {
    return;
  }
  var status = document.querySelector("[data-autosave-status]");
  var revision = form.querySelector("input[name=revision]");
  var every = (parseInt(form.dataset.autosaveSeconds, 10) || 5) * 1000;
  var dirty = false;
  var saving = null;
  var stopped = false;

  // The form's data-autosave says where the draft stands: unsaved, saving, saved or error.
  function mark(state) {
    form.dataset.autosave = state;
  }

  function say(text, danger) {
    if (!status) {
      return;
    }
    status.textContent = text;
    status.classList.toggle("text-danger", !!danger);
  }

  function payload() {
    var data = new FormData(form);
    data.delete("submit");
    data.delete("save");
    data.delete("find");
    return data;
  }

  function save() {
    if (!dirty || saving || stopped) {
      return saving || Promise.resolve();
    }
    dirty = false;
    mark("saving");
    say(form.dataset.textSaving);
    saving = fetch(form.dataset.autosaveUrl, {
      method: "POST",
      body: payload(),
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    })
      .then(function (response) {
        return response.json().then(function (answer) {
          if (response.ok) {
            revision.value = answer.revision;
            mark(dirty ? "unsaved" : "saved");
            say(form.dataset.textSaved.replace("%s", answer.saved_at));
          } else {
            // 409: a newer draft was saved elsewhere; saving again would overwrite it.
            stopped = response.status === 409;
            mark("error");
            say(answer.error, true);
          }
        });
      })
      .catch(function () {
        dirty = true; // tried again at the next tick
        mark("error");
        say(form.dataset.textOffline, true);
      })
      .finally(function () {
        saving = null;
      });
    return saving;
  }

  function changed() {
    dirty = true;
    mark("unsaved");
    say(form.dataset.textUnsaved);
  }

  // The live count of the reflection's Chinese characters (and words of letters), against the minimum.
  var counted = form.querySelector("[data-count-chars]");
  var counter = form.querySelector("[data-char-count]");
  function count() {
    if (!counted || !counter) {
      return;
    }
    var text = counted.value;
    var han = (text.match(/\p{Script=Han}/gu) || []).length;
    var words = (text.match(/[A-Za-z]+(?:'[A-Za-z]+)?/g) || []).length;
    var minimum = parseInt(form.dataset.minChars, 10) || 0;
    counter.textContent = form.dataset.textCount
      .replace("%(count)s", String(han + words))
      .replace("%(min)s", String(minimum));
    counter.classList.toggle("text-success", han + words >= minimum);
  }

  form.addEventListener("input", function (event) {
    changed();
    if (event.target === counted) {
      count();
    }
  });
  form.addEventListener("change", changed);
  form.addEventListener("focusout", function () {
    save();
  });
  setInterval(save, every);
  count();

  // A button waits for a save under way, so that it posts the latest revision.
  form.addEventListener("submit", function (event) {
    if (saving) {
      event.preventDefault();
      var submitter = event.submitter;
      saving.then(function () {
        form.requestSubmit(submitter);
      });
    }
  });

  // Leaving the page (a closed tab, another app on the phone): send what is not saved yet.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && dirty && !stopped && navigator.sendBeacon) {
      dirty = false;
      navigator.sendBeacon(form.dataset.autosaveUrl, payload());
      // The page's revision is now behind the server's: a page brought back from the
      // browser's cache reloads to continue with it.
      form.dataset.beaconSent = "1";
    }
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && form.dataset.beaconSent) {
      window.location.reload();
    }
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && form.dataset.beaconSent) {
      setTimeout(function () {
        window.location.reload();
      }, 400);
    }
  });
})();
