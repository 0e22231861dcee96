// The circulation desk: every scan is queued and sent one at a time, in the order scanned, so
// that none is lost when the scanner is faster than the server. Each answer is put at the top
// of the log in place (htmx), with a sound: a short high beep when done, two low buzzes when
// refused. The focus never leaves the scan field.
(function () {
  "use strict";
  var form = document.getElementById("desk-form");
  if (!form) {
    return;
  }
  var field = document.getElementById("scan");
  var log = document.getElementById("desk-log");
  var badge = form.querySelector(".desk-queue");
  var pileBox = form.querySelector(".desk-pile-class");
  var pileSelect = document.getElementById("pile-class");
  var damagedBox = form.querySelector(".desk-damaged");
  var damaged = document.getElementById("damaged");
  var url = form.getAttribute("data-scan-url");
  var queue = [];
  var busy = false;
  var audio = null;

  function mode() {
    var checked = form.querySelector("input[name=mode]:checked");
    return checked ? checked.value : "lend";
  }

  function setMode(value) {
    var radio = document.getElementById("mode-" + value);
    if (radio) {
      radio.checked = true;
      showMode();
    }
    try {
      window.sessionStorage.setItem("desk-mode", value);
    } catch (error) {
      /* private mode: the mode is simply not remembered */
    }
    field.focus();
  }

  function showMode() {
    pileBox.hidden = mode() !== "pile";
    damagedBox.hidden = mode() !== "return" && mode() !== "pile";
    form.setAttribute("data-mode", mode());
  }

  // Done: one short high beep. Refused: two low buzzes. A return kept for a hold: three
  // rising notes, so the librarian turns to the hold shelf without looking.
  function beep(refused, holdKept) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var tones = refused ? [[220, 0], [180, 0.22]] : holdKept ? [[523, 0], [659, 0.12], [784, 0.24]] : [[1046, 0]];
      tones.forEach(function (tone) {
        var oscillator = audio.createOscillator();
        var gain = audio.createGain();
        oscillator.type = refused ? "square" : "sine";
        oscillator.frequency.value = tone[0];
        gain.gain.value = refused ? 0.15 : 0.1;
        oscillator.connect(gain);
        gain.connect(audio.destination);
        var start = audio.currentTime + tone[1];
        oscillator.start(start);
        oscillator.stop(start + (refused ? 0.18 : 0.08));
      });
    } catch (error) {
      /* no sound on this machine: the colour still tells */
    }
  }

  function showQueue() {
    badge.hidden = queue.length === 0;
    badge.textContent = String(queue.length);
  }

  function answered() {
    var answer = log.firstElementChild;
    var outcome = answer ? answer.getAttribute("data-outcome") : "";
    form.classList.remove("desk-refused", "desk-done", "desk-hold-kept");
    if (outcome === "refused") {
      form.classList.add("desk-refused");
      beep(true);
    } else if (outcome === "done" && answer.hasAttribute("data-hold-kept")) {
      form.classList.add("desk-hold-kept");
      beep(false, true);
    } else if (outcome === "done") {
      form.classList.add("desk-done");
      beep(false);
    }
    expireUndo();
    while (log.children.length > 30) {
      log.removeChild(log.lastElementChild);
    }
  }

  function pump() {
    if (busy || queue.length === 0) {
      return;
    }
    busy = true;
    var scan = queue.shift();
    // Whose panel the page shows as the scan leaves (the answers before it have been put in
    // place): a lend or a return for that reader then updates only the loan it changed.
    var shown = document.querySelector("#reader-panel [data-reader-id]");
    scan.shown = shown ? shown.getAttribute("data-reader-id") : "";
    showQueue();
    htmx
      .ajax("POST", url, {
        source: log,
        target: log,
        swap: "afterbegin",
        values: scan,
      })
      .then(next, next);
  }

  function next() {
    busy = false;
    if (document.activeElement !== field && !document.activeElement.closest("select, textarea, input:not(.btn-check)")) {
      field.focus();
    }
    pump();
    form.setAttribute("data-pending", String(queue.length + (busy ? 1 : 0)));
  }

  // A copy scanned to lend while on loan to somebody else: the answer offers to take it back
  // and lend it in one go; Enter in the empty scan field (or the button) accepts the offer of
  // the latest answer, once. A scanner never sends an empty line, so a scan cannot accept it.
  function returnFirst(button) {
    var code = button.getAttribute("data-return-first");
    button.remove();
    queue.push({ code: code, mode: "lend", return_first: "1", pile_class: "", damaged: "" });
    form.setAttribute("data-pending", String(queue.length + (busy ? 1 : 0)));
    showQueue();
    pump();
  }

  log.addEventListener("click", function (event) {
    var button = event.target.closest("[data-return-first]");
    if (button) {
      returnFirst(button);
    }
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var code = field.value;
    field.value = "";
    field.focus();
    if (!code.trim()) {
      var latest = log.firstElementChild;
      var offer = latest && !busy && queue.length === 0 ? latest.querySelector("[data-return-first]") : null;
      if (offer) {
        returnFirst(offer);
      }
      return;
    }
    // "Damaged" applies to the one scan that follows it, then clears itself.
    queue.push({
      code: code,
      mode: mode(),
      pile_class: pileSelect ? pileSelect.value : "",
      damaged: damaged.checked ? "1" : "",
    });
    damaged.checked = false;
    form.setAttribute("data-pending", String(queue.length + (busy ? 1 : 0)));
    showQueue();
    pump();
  });

  // The undo button disappears when its minute is over (the server refuses after that anyway).
  function expireUndo() {
    log.querySelectorAll(".desk-undo:not([data-timer])").forEach(function (button) {
      button.setAttribute("data-timer", "1");
      var seconds = parseInt(button.getAttribute("data-undo-seconds"), 10) || 60;
      window.setTimeout(function () {
        button.remove();
      }, seconds * 1000);
    });
  }

  form.addEventListener("change", function (event) {
    if (event.target.name === "mode") {
      setMode(event.target.value);
    } else if (event.target === pileSelect) {
      htmx.ajax("GET", pileSelect.getAttribute("data-url") + "?pile_class=" + pileSelect.value, {
        source: log,
        target: "#pile-panel",
        swap: "outerHTML",
      });
      field.focus();
    }
  });

  var keys = { F2: "lend", F3: "return", F4: "renew", F6: "pile" };
  document.addEventListener("keydown", function (event) {
    if (keys[event.key]) {
      event.preventDefault();
      setMode(keys[event.key]);
    }
  });

  // A click anywhere but in another field brings the focus back to the scan box.
  document.addEventListener("click", function (event) {
    if (!event.target.closest("input, select, textarea, a, [contenteditable]")) {
      window.setTimeout(function () {
        field.focus();
      }, 0);
    }
  });
  // Every answer (a scan, an undo, renew all) says how it went, once.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (target === log || (target.classList && target.classList.contains("desk-answer"))) {
      answered();
    }
  });

  try {
    var remembered = window.sessionStorage.getItem("desk-mode");
    if (remembered) {
      setMode(remembered);
    }
  } catch (error) {
    /* nothing remembered */
  }
  showMode();
  field.focus();
})();
