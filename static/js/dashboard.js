// Draws the dashboard's map of the regions and its trend chart with the vendored ECharts.
// Every figure, label and link comes from the page (json_script); this file only draws, so
// it has no text of its own to translate. Without it the page's tables hold the same data.
(function () {
  "use strict";

  function readData(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function escape(text) {
    return window.echarts.format.encodeHTML(String(text));
  }

  function whenDrawn(chart, element) {
    chart.on("finished", function () {
      element.setAttribute("data-drawn", "true");
    });
  }

  function drawMap(element, data) {
    var chart = window.echarts.init(element);
    whenDrawn(chart, element);
    var values = [];
    var items = Object.keys(data.regions).map(function (key) {
      var region = data.regions[key];
      if (region.value !== null) {
        values.push(region.value);
      }
      return {
        name: key,
        value: region.value === null ? "-" : region.value,
        title: region.title,
        text: region.text,
        url: region.url
      };
    });
    var min = values.length ? Math.min.apply(null, values) : 0;
    var max = values.length ? Math.max.apply(null, values) : 1;
    if (max === min) {
      max = min + 1;
    }
    chart.setOption({
      tooltip: {
        trigger: "item",
        formatter: function (params) {
          if (!params.data) {
            return escape(data.labels.noData);
          }
          return escape(params.data.title) + "<br>" + escape(params.data.text);
        }
      },
      visualMap: {
        type: "continuous",
        min: min,
        max: max,
        orient: "horizontal",
        left: "center",
        bottom: 0,
        itemHeight: 120,
        calculable: false,
        text: [data.labels.high, data.labels.low],
        inRange: { color: data.colours }
      },
      series: [
        {
          type: "map",
          map: "uzbekistan-regions",
          nameProperty: data.nameProperty,
          roam: false,
          selectedMode: false,
          left: 8,
          right: 8,
          top: 8,
          bottom: 48,
          label: { show: false },
          itemStyle: { areaColor: "#eeeeee", borderColor: "#ffffff", borderWidth: 1 },
          emphasis: { label: { show: false }, itemStyle: { areaColor: "#f9a825" } },
          data: items
        }
      ]
    });
    chart.on("click", function (params) {
      if (params.data && params.data.url) {
        window.location.assign(params.data.url);
      }
    });
    return chart;
  }

  function loadMap(element, data) {
    fetch(data.geojson, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (geojson) {
        window.echarts.registerMap("uzbekistan-regions", geojson);
        var chart = drawMap(element, data);
        window.addEventListener("resize", function () {
          chart.resize();
        });
      })
      .catch(function () {
        var message = document.querySelector("[data-map-error]");
        if (message) {
          message.hidden = false;
        }
      });
  }

  function drawTrend(element, data) {
    var chart = window.echarts.init(element);
    whenDrawn(chart, element);
    chart.setOption({
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      tooltip: {
        trigger: "axis",
        valueFormatter: function (value, index) {
          return index === undefined ? String(value) : data.texts[index];
        }
      },
      xAxis: { type: "category", data: data.labels, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", scale: true },
      series: [
        {
          type: "line",
          name: data.name,
          data: data.values,
          connectNulls: false,
          symbolSize: 8,
          itemStyle: { color: "#0b4f8a" },
          lineStyle: { width: 3 }
        }
      ]
    });
    window.addEventListener("resize", function () {
      chart.resize();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.echarts) {
      return;
    }
    var mapElement = document.getElementById("dashboard-map");
    var mapData = readData("dashboard-map-data");
    if (mapElement && mapData) {
      loadMap(mapElement, mapData);
    }
    var trendElement = document.getElementById("dashboard-trend");
    var trendData = readData("dashboard-trend-data");
    if (trendElement && trendData) {
      drawTrend(trendElement, trendData);
    }
  });
})();
