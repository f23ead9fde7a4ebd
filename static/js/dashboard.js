// Draws the dashboards' maps (Leaflet) and charts (ECharts) from the JSON the
// page embeds with json_script: no inline script, no request leaves the server
// unless a tile server is configured.
(function () {
  "use strict";

  const lang = document.documentElement.lang || "zh-hans";
  const zh = lang.toLowerCase().startsWith("zh");

  // Completion bins shared by the legend and the polygons (SPEC §3: a week
  // is met at 100 %).
  const BINS = [
    { below: 0.5, colour: "#dc2626" },
    { below: 0.8, colour: "#ea580c" },
    { below: 1.0, colour: "#ca8a04" },
    { below: Infinity, colour: "#16a34a" },
  ];
  const NO_DATA = "#9ca3af";
  const DISPUTE_COLOURS = {
    green: "#16a34a",
    yellow: "#ca8a04",
    orange: "#ea580c",
    red: "#dc2626",
  };

  function json(id) {
    const element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function percent(value) {
    return value === null || value === undefined ? "–" : `${(value * 100).toFixed(1)}%`;
  }

  function completionColour(value) {
    if (value === null || value === undefined) return NO_DATA;
    return BINS.find((bin) => value < bin.below).colour;
  }

  function escape(text) {
    const span = document.createElement("span");
    span.textContent = text === null || text === undefined ? "" : String(text);
    return span.innerHTML;
  }

  function urlFor(template, id) {
    // Templates are reversed with a 0 id: /grids/0/ -> /grids/12/
    return template.replace(/\/0\/(?=[^/]*$)/, `/${id}/`);
  }

  function drawMap(element) {
    const layers = json(element.dataset.map);
    const labels = Object.assign({}, json("map-labels"));
    // The county map colours a month, the station map a week.
    if (element.dataset.completionLabel) labels.completion = element.dataset.completionLabel;
    const config = json("map-config");
    const map = L.map(element, { maxZoom: config.max_zoom, zoomSnap: 0.25 });
    element.dataset.ready = "false";
    config.tiles.forEach((tiles) => L.tileLayer(tiles.url, tiles.options).addTo(map));

    const grids = L.geoJSON(layers.grids, {
      style: (feature) => ({
        color: "#1f2937",
        weight: 1,
        fillColor: completionColour(feature.properties.completion),
        fillOpacity: 0.55,
        className: "grid-polygon",
      }),
      onEachFeature: (feature, layer) => {
        const p = feature.properties;
        const figure =
          p.completion === null || p.completion === undefined
            ? labels.no_staff
            : `${labels.completion}: ${percent(p.completion)}`;
        const station = p.station ? `${escape(p.station)} · ` : "";
        layer.bindTooltip(`${station}<b>${escape(p.name)}</b> (${escape(p.code)})<br>${escape(figure)}`, {
          sticky: true,
        });
        if (element.dataset.gridUrl) {
          layer.on("click", () => {
            window.location.href = urlFor(element.dataset.gridUrl, p.id);
          });
        }
      },
    }).addTo(map);

    const overlays = { [labels.grids]: grids };
    if (layers.posts) {
      overlays[labels.posts] = L.geoJSON(layers.posts, {
        pointToLayer: (feature, latlng) =>
          L.marker(latlng, {
            icon: L.divIcon({ className: "post-marker", html: "警", iconSize: [22, 22] }),
            title: feature.properties.name,
          }),
        onEachFeature: (feature, layer) => {
          const p = feature.properties;
          layer.bindTooltip(`${escape(p.name)}<br>${escape(labels.post_kinds[p.kind] || p.kind)}`);
        },
      }).addTo(map);
    }
    if (layers.disputes) {
      overlays[labels.disputes] = L.geoJSON(layers.disputes, {
        pointToLayer: (feature, latlng) =>
          L.circleMarker(latlng, {
            radius: 7,
            color: feature.properties.overdue ? "#111827" : "#ffffff",
            weight: feature.properties.overdue ? 3 : 2,
            fillColor: DISPUTE_COLOURS[feature.properties.colour],
            fillOpacity: 0.95,
            className: `dispute-marker dispute-${feature.properties.colour}`,
          }),
        onEachFeature: (feature, layer) => {
          const p = feature.properties;
          const late = p.overdue ? ` · <b>${escape(labels.overdue)}</b>` : "";
          const link = element.dataset.disputeUrl
            ? `<br><a href="${urlFor(element.dataset.disputeUrl, p.id)}">${escape(labels.open_dispute)}</a>`
            : "";
          layer.bindPopup(
            `${escape(labels.colours[p.colour])} · ${escape(labels.statuses[p.status] || p.status)}${late}${link}`,
          );
        },
      }).addTo(map);
    }
    // A compact map (a grid's page) has no room for the controls.
    const compact = "compact" in element.dataset;
    if (!compact) {
      L.control.layers(null, overlays, { collapsed: false }).addTo(map);
      legend(labels).addTo(map);
    }

    const bounds = grids.getBounds();
    // Leave room for the legend in the bottom right corner.
    const padding = compact
      ? { padding: [10, 10] }
      : { paddingTopLeft: [10, 10], paddingBottomRight: [150, 10] };
    if (bounds.isValid()) map.fitBounds(bounds, padding);
    else map.setView(config.center, config.zoom);
    element.dataset.grids = String(layers.grids.features.length);
    element.dataset.ready = "true";
  }

  function legend(labels) {
    const control = L.control({ position: "bottomright" });
    control.onAdd = () => {
      const box = L.DomUtil.create("div", "map-legend");
      // Classes, not style attributes: the CSP allows no inline style.
      const rows = BINS.map(
        (bin, index) => `<li><span class="swatch bin-${index}"></span>${escape(labels.bins[index])}</li>`,
      );
      rows.push(`<li><span class="swatch bin-none"></span>${escape(labels.no_staff)}</li>`);
      box.innerHTML = `<b>${escape(labels.completion)}</b><ul>${rows.join("")}</ul>`;
      return box;
    };
    return control;
  }

  // A bar chart with a row per category grows with them (and its box
  // scrolls): 52 names or 300 each keep room to be read.
  const ROW_HEIGHT = 22;

  function drawChart(element, spec) {
    if (spec.row_per_category) {
      element.style.height = `${spec.categories.length * ROW_HEIGHT + 70}px`;
    }
    const chart = echarts.init(element, null, { locale: zh ? "ZH" : "EN", renderer: "svg" });
    const horizontal = spec.kind === "hbar";
    const valueAxis = {
      type: "value",
      max: spec.percent ? 1 : null,
      axisLabel: { formatter: spec.percent ? (value) => `${Math.round(value * 100)}%` : null },
    };
    const categoryAxis = {
      type: "category",
      data: spec.categories,
      inverse: horizontal,
      axisLabel: horizontal
        ? { width: 100, overflow: "truncate", interval: 0 }
        : { interval: spec.every_label ? 0 : "auto" },
    };
    const series = spec.series.map((serie) => ({
      name: serie.name,
      type: spec.kind === "line" ? "line" : "bar",
      data: serie.data,
      // Completion bands colour a single completion series; side by side
      // series keep the palette so that the legend tells them apart.
      itemStyle:
        spec.percent && spec.series.length === 1
          ? { color: (item) => completionColour(item.value) }
          : spec.series.length === 1
            ? { color: "#0b4f9c" }
            : undefined,
      markLine:
        spec.marker === undefined
          ? undefined
          : {
              symbol: "none",
              silent: true,
              lineStyle: { color: "#111827", type: "dashed" },
              // Above the plot, clear of the bars and the axis labels.
              label: {
                formatter: () =>
                  spec.marker_label ? `${spec.marker_label} ${percent(spec.marker)}` : percent(spec.marker),
                position: horizontal ? "start" : "insideEndTop",
              },
              data: [horizontal ? { xAxis: spec.marker } : { yAxis: spec.marker }],
            },
    }));
    chart.setOption({
      animation: false,
      grid: {
        left: horizontal ? 110 : 40,
        right: 30,
        top: series.length > 1 || (horizontal && spec.marker !== undefined) ? 40 : 20,
        bottom: 30,
      },
      legend: series.length > 1 ? { top: 0 } : undefined,
      tooltip: {
        trigger: "axis",
        valueFormatter: spec.percent ? percent : undefined,
      },
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? categoryAxis : valueAxis,
      series,
    });
    window.addEventListener("resize", () => chart.resize());
    element.dataset.ready = "true";
    return chart;
  }

  // Tables with data-sortable headers sort on click, numbers by data-value.
  function sortable(table) {
    table.querySelectorAll("th[data-sort]").forEach((header) => {
      header.tabIndex = 0;
      const sort = () => {
        const ascending = header.getAttribute("aria-sort") !== "ascending";
        table.querySelectorAll("th[data-sort]").forEach((th) => th.removeAttribute("aria-sort"));
        header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        const body = table.tBodies[0];
        const index = Array.from(header.parentNode.children).indexOf(header);
        const key = (row) => {
          const cell = row.children[index];
          const value = cell.dataset.value ?? cell.textContent.trim();
          return header.dataset.sort === "number" ? parseFloat(value) : value;
        };
        const rows = Array.from(body.rows).sort((a, b) => {
          const x = key(a);
          const y = key(b);
          const order =
            header.dataset.sort === "number"
              ? (Number.isNaN(x) ? -Infinity : x) - (Number.isNaN(y) ? -Infinity : y)
              : String(x).localeCompare(String(y), lang);
          return ascending ? order : -order;
        });
        rows.forEach((row) => body.appendChild(row));
      };
      header.addEventListener("click", sort);
      header.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          sort();
        }
      });
    });
  }

  document.querySelectorAll("[data-map]").forEach(drawMap);
  const charts = json("chart-data") || {};
  document.querySelectorAll("[data-chart]").forEach((element) => {
    const spec = charts[element.dataset.chart];
    if (spec) drawChart(element, spec);
  });
  document.querySelectorAll("table[data-sortable]").forEach(sortable);
})();
