/*
 * charts.js: the roll-up charts (Chart.js, served from /static/vendor/chartjs/). Every
 * <canvas data-chart="ID"> is drawn from the JSON of <script type="application/json" id="ID">
 * (Django's json_script), so the pages carry no inline script:
 *   {"labels": [unit codes], "names": [unit names], "axis": "…",
 *    "series": [{"label": "Đúng hạn", "key": "on_time", "data": [percent, …]}, …]}
 * Bars are horizontal and stacked, one per unit, 0–100 % of the unit's obligations.
 */
(function () {
  "use strict";
  var COLORS = {on_time: "#198754", extended: "#0dcaf0", late: "#dc3545", not_sent: "#ced4da", sent: "#198754", waiting: "#ffc107"};

  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source || !window.Chart) return;
    var data = JSON.parse(source.textContent);
    if (!data.labels.length) return;
    canvas.parentNode.style.height = Math.max(140, 26 * data.labels.length + 70) + "px";
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.series.map(function (s) {
          return {label: s.label, data: s.data, backgroundColor: COLORS[s.key] || "#0d6efd"};
        })
      },
      options: {
        indexAxis: "y",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: {stacked: true, min: 0, max: 100, title: {display: true, text: data.axis}},
          y: {stacked: true}
        },
        plugins: {
          tooltip: {
            callbacks: {
              title: function (items) { var i = items[0].dataIndex; return data.labels[i] + " – " + data.names[i]; },
              label: function (item) { return item.dataset.label + ": " + item.formattedValue + "%"; }
            }
          }
        }
      }
    });
    canvas.setAttribute("data-drawn", "true");
  }

  document.querySelectorAll("canvas[data-chart]").forEach(draw);
})();
