// The labels page: the sheet's picture follows the chosen sheet and start position, choosing
// a kind of label picks a sheet made for it, and typing in a selection's fields chooses it.
// Without this script the form works the same; only the picture stays as the server drew it.
(function () {
  "use strict";
  var form = document.querySelector("[data-labels-form]");
  var grid = document.querySelector("[data-sheet-grid]");
  if (!form) {
    return;
  }
  var sheet = form.querySelector("select[name=sheet]");
  var start = form.querySelector("input[name=start_position]");

  function chosenSheet() {
    return sheet.options[sheet.selectedIndex];
  }

  function draw() {
    var option = chosenSheet();
    if (!grid || !option) {
      return;
    }
    var rows = parseInt(option.dataset.rows, 10);
    var columns = parseInt(option.dataset.columns, 10);
    var total = rows * columns;
    start.max = total;
    var first = Math.min(Math.max(parseInt(start.value, 10) || 1, 1), total);
    grid.style.gridTemplateColumns = "repeat(" + columns + ", 1fr)";
    grid.style.gridTemplateRows = "repeat(" + rows + ", 1fr)";
    grid.textContent = "";
    for (var number = 1; number <= total; number++) {
      var cell = document.createElement("span");
      cell.className = "label-cell" + (number < first ? " used" : number === first ? " first" : "");
      if (number === first) {
        cell.textContent = String(number);
      }
      grid.appendChild(cell);
    }
    document.querySelector("[data-sheet-name]").textContent = option.textContent;
    document.querySelector("[data-sheet-size]").textContent = option.dataset.size;
  }

  form.querySelectorAll("input[name=kind]").forEach(function (radio) {
    radio.addEventListener("change", function () {
      if (chosenSheet().dataset.kind === radio.value) {
        return;
      }
      for (var index = 0; index < sheet.options.length; index++) {
        if (sheet.options[index].dataset.kind === radio.value) {
          sheet.selectedIndex = index;
          break;
        }
      }
      draw();
    });
  });
  sheet.addEventListener("change", draw);
  start.addEventListener("input", draw);

  form.querySelectorAll("[data-selection]").forEach(function (box) {
    box.addEventListener("focusin", function (event) {
      if (event.target.name === "selection") {
        return;
      }
      var radio = box.querySelector("input[name=selection]");
      if (radio) {
        radio.checked = true;
      }
    });
  });
})();
