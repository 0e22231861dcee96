// The statistics dashboard's charts: each <canvas data-chart="name"> draws the Chart.js data
// of that name from the page's JSON (#statistics-charts). Every chart has its table beside it,
// so the page says the same without JavaScript.
(function () {
  "use strict";

  var source = document.getElementById("statistics-charts");
  if (!source || !window.Chart) {
    return;
  }
  var charts = JSON.parse(source.textContent);
  var colours = ["#1f6f5c", "#e0a526", "#4c7fbf", "#c0504d", "#8064a2", "#4bacc6", "#9bbb59"];

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var data = charts[canvas.getAttribute("data-chart")];
    if (!data) {
      return;
    }
    var type = canvas.getAttribute("data-chart-type") || "bar";
    var horizontal = canvas.getAttribute("data-chart-axis") === "y";
    data.datasets.forEach(function (dataset, index) {
      var colour = colours[index % colours.length];
      if (type === "doughnut") {
        dataset.backgroundColor = colours.slice(0, dataset.data.length);
      } else {
        dataset.backgroundColor = dataset.type === "line" ? colour : colour + "cc";
        dataset.borderColor = colour;
        dataset.borderWidth = dataset.type === "line" ? 2 : 0;
        dataset.tension = 0.25;
      }
    });
    var options = {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { position: "bottom" } },
    };
    if (type !== "doughnut") {
      options.indexAxis = horizontal ? "y" : "x";
      options.scales = { x: { beginAtZero: true }, y: { beginAtZero: true } };
      var secondAxis = data.datasets.some(function (dataset) {
        return dataset.yAxisID === "y1";
      });
      if (secondAxis) {
        // Copies and loans differ by an order of magnitude over a year: each its own axis.
        options.scales.y.title = { display: true, text: data.datasets[0].label };
        options.scales.y1 = {
          beginAtZero: true,
          position: "right",
          grid: { drawOnChartArea: false },
          title: { display: true, text: data.datasets[1].label },
        };
      }
      if (horizontal) {
        options.scales.y = { ticks: { autoSkip: false } };
        options.plugins.legend.display = false;
      }
    }
    if (data.titles) {
      // Short labels on the axis (the CLC letters), full names in the tooltip.
      options.plugins.tooltip = {
        callbacks: {
          title: function (items) {
            return items.length ? data.titles[items[0].dataIndex] : "";
          },
        },
      };
    }
    new window.Chart(canvas, { type: type, data: data, options: options });
  });
})();
