/* showdown's HTML report: sortable tables and the charts, drawn with Chart.js from the page's
 * embedded JSON. No network: Chart.js is inlined before this script. */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("showdown-data").textContent);
  var colours = data.colours;
  var drawn = 0;

  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = "#475569";
  Chart.defaults.animation = false;  // draw at once: screenshots and print see the final chart
  Chart.defaults.maintainAspectRatio = false;

  function colour(tier) { return colours[tier] || colours.unknown; }
  function fade(hex, alpha) { return hex + alpha; }
  function fmt(v, digits) {
    return v.toLocaleString("en-US", {maximumFractionDigits: digits, minimumFractionDigits: digits});
  }
  function wide(values) {
    // A log axis when values span more than ~30x (0.6 tok/s beside 167 tok/s is the seed's case).
    var pos = values.filter(function (v) { return v > 0; });
    return pos.length > 1 && Math.max.apply(null, pos) / Math.min.apply(null, pos) > 30;
  }
  function logTicks(unit) {
    return function (value) {
      var lead = value / Math.pow(10, Math.floor(Math.log10(value)));
      if ([1, 2, 5].indexOf(Math.round(lead * 1000) / 1000) < 0) return "";
      return (value < 1 ? value.toPrecision(1) : value.toLocaleString("en-US")) + unit;
    };
  }

  /* Labels beside scatter points, moved around until they overlap neither each other nor a
   * point; the seed's six perfect scores sit close together on one line. */
  var pointLabels = {
    id: "pointLabels",
    afterDatasetsDraw: function (chart) {
      var ctx = chart.ctx, area = chart.chartArea, placed = [], points = [];
      ctx.save();
      ctx.font = "600 12px " + Chart.defaults.font.family;
      chart.data.datasets.forEach(function (ds, i) {
        chart.getDatasetMeta(i).data.forEach(function (el, j) {
          points.push({x: el.x, y: el.y, label: ds.data[j].label, colour: ds.borderColor});
        });
      });
      points.forEach(function (p) {
        placed.push({x: p.x - 6, y: p.y - 6, w: 12, h: 12});
      });
      points.sort(function (a, b) { return a.x - b.x; });
      points.forEach(function (p) {
        var w = ctx.measureText(p.label).width, h = 14, best = null;
        var tries = [[9, -h / 2], [-w - 9, -h / 2], [-w / 2, -h - 9], [-w / 2, 9]];
        for (var k = 1; k <= 6; k++) {
          tries.push([-w / 2, -h - 9 - k * (h + 2)], [-w / 2, 9 + k * (h + 2)],
                     [9, -h / 2 - k * (h + 2)], [9, -h / 2 + k * (h + 2)],
                     // up and to the left: a point at the right edge on the x axis still fits
                     [-w - 9, -h / 2 - k * (h + 2)]);
        }
        for (var t = 0; t < tries.length && !best; t++) {
          var box = {x: p.x + tries[t][0], y: p.y + tries[t][1], w: w, h: h};
          var inside = box.x >= area.left - 40 && box.x + w <= chart.width - 2 &&
            box.y >= 2 && box.y + h <= area.bottom;
          var free = placed.every(function (o) {
            return box.x + box.w < o.x || o.x + o.w < box.x || box.y + box.h < o.y || o.y + o.h < box.y;
          });
          if (inside && free) best = box;
        }
        best = best || {x: p.x + 9, y: p.y - h / 2, w: w, h: h};
        placed.push(best);
        if (Math.abs(best.y + h / 2 - p.y) > h) {  // a label moved away gets a leader line
          ctx.strokeStyle = "#cbd5e1";
          ctx.beginPath();
          ctx.moveTo(p.x, p.y);
          ctx.lineTo(best.x + w / 2, best.y + (best.y > p.y ? 0 : h));
          ctx.stroke();
        }
        ctx.fillStyle = "#0f172a";
        ctx.textBaseline = "top";
        ctx.fillText(p.label, best.x, best.y + 1);
      });
      ctx.restore();
    }
  };

  function tierDatasets(points) {
    var tiers = [];
    points.forEach(function (p) { if (tiers.indexOf(p.tier) < 0) tiers.push(p.tier); });
    return tiers.map(function (tier) {
      return {
        label: data.tierNames[tier] || tier,
        data: points.filter(function (p) { return p.tier === tier; }),
        backgroundColor: fade(colour(tier), "cc"), borderColor: colour(tier),
        pointRadius: 7, pointHoverRadius: 9, clip: false
      };
    });
  }

  function scatter(canvas) {
    var pts = data.scatter, xs = pts.map(function (p) { return p.x; });
    var low = Math.min.apply(null, pts.map(function (p) { return p.y; }));
    var log = wide(xs);
    return new Chart(canvas, {
      type: "scatter",
      data: {datasets: tierDatasets(pts)},
      options: {
        layout: {padding: {top: 26, right: 24}},
        scales: {
          x: {type: log ? "logarithmic" : "linear", beginAtZero: !log,
              title: {display: true, text: "tok/s (generation speed" + (log ? ", log scale)" : ")")},
              ticks: log ? {callback: logTicks("")} : {}, grid: {color: "#eef2f7"}},
          y: {min: Math.max(0, Math.floor((low - 8) / 10) * 10), max: 100,
              title: {display: true, text: "score (0–100)"}, grid: {color: "#eef2f7"}}
        },
        plugins: {
          legend: {position: "bottom", labels: {usePointStyle: true}},
          tooltip: {callbacks: {label: function (c) {
            var p = c.raw;
            return p.label + " (" + p.round + "): " + fmt(p.x, 1) + " tok/s, score " + fmt(p.y, 0);
          }}}
        }
      },
      plugins: [pointLabels]
    });
  }

  function times(canvas) {
    var rows = data.times;
    canvas.parentNode.style.height = Math.max(220, 70 + rows.length * 34) + "px";
    var values = [];
    rows.forEach(function (r) { values.push(r.ttft, r.total); });
    var log = wide(values.filter(function (v) { return v !== null; }));
    function series(key, alpha, name) {
      return {
        label: name, data: rows.map(function (r) { return r[key]; }),
        backgroundColor: rows.map(function (r) { return fade(colour(r.tier), alpha); }),
        borderColor: rows.map(function (r) { return colour(r.tier); }),
        borderWidth: 1, borderRadius: 3, barPercentage: 0.9, categoryPercentage: 0.8,
        maxBarThickness: 16
      };
    }
    return new Chart(canvas, {
      type: "bar",
      data: {labels: rows.map(function (r) { return r.label; }),
             datasets: [series("ttft", "55", "Time to first token"), series("total", "dd", "Total time")]},
      options: {
        indexAxis: "y",
        scales: {
          x: {type: log ? "logarithmic" : "linear",
              title: {display: true, text: "seconds" + (log ? " (log scale)" : "")},
              ticks: log ? {callback: logTicks("s"), maxRotation: 0} : {maxRotation: 0},
              grid: {color: "#eef2f7"}},
          y: {grid: {display: false}}
        },
        plugins: {
          legend: {position: "bottom", labels: {generateLabels: function () {
            return [{text: "Time to first token (light)", fillStyle: "#94a3b855", strokeStyle: "#64748b", lineWidth: 1},
                    {text: "Total time (solid; colour: where it ran)", fillStyle: "#64748bdd", strokeStyle: "#334155", lineWidth: 1}];
          }}},
          tooltip: {callbacks: {label: function (c) {
            return c.dataset.label + ": " + (c.raw === null ? "not measured" : fmt(c.raw, 2) + "s");
          }}}
        }
      }
    });
  }

  function median(values) {
    var s = values.slice().sort(function (a, b) { return a - b; }), m = Math.floor(s.length / 2);
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  }
  function mean(values) {
    return values.reduce(function (a, b) { return a + b; }, 0) / values.length;
  }

  function spread(canvas, key, centre, unit) {
    var rows = data.trials.filter(function (t) { return t[key].length > 1; });
    var labels = rows.map(function (t) { return t.label; });
    var dots = [], mids = [];
    rows.forEach(function (t) {
      t[key].forEach(function (v) { dots.push({x: t.label, y: v}); });
      mids.push({x: t.label, y: centre(t[key])});
    });
    return new Chart(canvas, {
      data: {
        labels: labels,
        datasets: [
          {type: "bar", label: "min–max", backgroundColor: "#c7d2fe", borderColor: "#818cf8",
           borderWidth: 1, borderRadius: 3, order: 3, barPercentage: 0.5, maxBarThickness: 56,
           data: rows.map(function (t) {
             return [Math.min.apply(null, t[key]), Math.max.apply(null, t[key])];
           })},
          {type: "line", label: "trial", data: dots, showLine: false, pointRadius: 5, order: 2,
           backgroundColor: "#4f46e5aa", borderColor: "#312e81"},
          {type: "line", label: centre === median ? "median" : "mean", data: mids, showLine: false,
           pointStyle: "line", pointRadius: 22, borderWidth: 3, borderColor: "#e11d48", order: 1}
        ]
      },
      options: {
        scales: {y: {title: {display: true, text: unit}, grid: {color: "#eef2f7"}, grace: "8%",
                     beginAtZero: key === "scores", suggestedMax: key === "scores" ? 100 : undefined},
                 x: {grid: {display: false}}},
        plugins: {legend: {position: "bottom", labels: {usePointStyle: true}}}
      }
    });
  }

  var makers = {
    "scatter": scatter,
    "times": times,
    "spread-speed": function (c) { return spread(c, "speeds", median, "tok/s"); },
    "spread-score": function (c) { return spread(c, "scores", mean, "score (0–100)"); }
  };
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    makers[canvas.dataset.chart](canvas);
    drawn += 1;
  });
  document.documentElement.dataset.chartsDrawn = String(drawn);

  /* Sortable tables: click a header; dashes (not measured) stay at the bottom either way. */
  function sortBy(table, index, th) {
    var numeric = th.dataset.type === "num";
    var dir = th.getAttribute("aria-sort") === "descending" ? "ascending" :
      th.getAttribute("aria-sort") === "ascending" ? "descending" : (numeric ? "descending" : "ascending");
    table.querySelectorAll("th").forEach(function (h) { h.setAttribute("aria-sort", "none"); });
    th.setAttribute("aria-sort", dir);
    var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[index].dataset.sort, y = b.cells[index].dataset.sort;
      if (x === undefined || y === undefined) return (x === undefined) - (y === undefined);
      var c = numeric ? parseFloat(x) - parseFloat(y) : x.localeCompare(y);
      return dir === "ascending" ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("th").forEach(function (th, index) {
      th.querySelector("button").addEventListener("click", function () { sortBy(table, index, th); });
    });
  });
})();
