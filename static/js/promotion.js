// The promotion pages' charts and bars: each <canvas data-chart="name"> draws a bar chart from
// the JSON of #promotion-charts-<name> ({labels, values, colours}); each .css-bar gets its width
// from data-width (a share in per cent). Every chart has its table beside it, so the page says
// the same without JavaScript.
(function () {
  "use strict";
  document.querySelectorAll(".css-bar[data-width]").forEach(function (bar) {
    bar.style.width = Math.max(2, parseFloat(bar.getAttribute("data-width")) || 0) + "%";
  });
  if (window.Chart) {
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var source = document.getElementById("promotion-charts-" + canvas.getAttribute("data-chart"));
      if (!source) {
        return;
      }
      var data = JSON.parse(source.textContent);
      new window.Chart(canvas, {
        type: "bar",
        data: {
          labels: data.labels,
          datasets: [{ data: data.values, backgroundColor: data.colours || "#1f6f5ccc", borderWidth: 0 }],
        },
        options: {
          indexAxis: "y",
          maintainAspectRatio: false,
          plugins: { legend: { display: false } },
          scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
        },
      });
    });
  }
  document.documentElement.setAttribute("data-promotion-ready", "1");
})();
