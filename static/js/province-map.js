/* Province map: markers coloured by grade, each carrying its grade's number (1 very low …
   5 very high, "?" not assessed) so colour is never the only clue, from one compact JSON
   document. Tiles are an optional layer from the configured URL: on intranets the tile host is
   often unreachable, so when no tile has loaded within TILE_TIMEOUT_MS (or the first tiles fail)
   the layer is dropped, the areas' outlines are drawn on a plain background, and a notice says
   so. An empty tile URL (MAP_TILE_URL="") runs without tiles from the start. */
(function () {
  "use strict";
  var TILE_TIMEOUT_MS = 2000;
  var box = document.getElementById("province-map");
  if (!box) { return; }
  var notice = document.getElementById("province-map-notice");
  if (typeof window.L === "undefined") {
    box.textContent = box.dataset.noLeaflet;
    return;
  }
  var L = window.L;
  var words = JSON.parse(box.dataset.gradeWords);
  var styles = JSON.parse(box.dataset.markerStyles);
  var map = L.map(box, { preferCanvas: true, zoomControl: true }).setView([19.9, 105.4], 8);
  var areaLayer = L.layerGroup().addTo(map);
  var areas = null;
  var plain = false;
  var tiles = null;

  // Circle markers with the grade's glyph drawn on top, on one canvas (100,000 markers stay fast).
  var GlyphCanvas = L.Canvas.extend({
    _updateCircle: function (layer) {
      L.Canvas.prototype._updateCircle.call(this, layer);
      var glyph = layer.options.glyph;
      if (!glyph || !this._drawing || layer._empty()) { return; }
      var ctx = this._ctx;
      ctx.globalAlpha = 1;
      ctx.fillStyle = layer.options.glyphColour;
      ctx.font = "bold 9px 'DejaVu Sans', Verdana, Arial, sans-serif";
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.fillText(glyph, layer._point.x, layer._point.y + 0.5);
    }
  });
  var renderer = new GlyphCanvas({ padding: 0.5 });

  // Outlines are SVG (a handful of shapes, each one countable and styleable); names show on
  // hover, and stay on from zoom 10, where they no longer cover the markers.
  // Their own pane sits under the markers' canvas, so no outline ever covers a marker.
  map.createPane("areas").style.zIndex = 350;
  var outlineRenderer = L.svg({ pane: "areas" });
  var OUTLINE = { color: "#37474f", weight: 1.5, dashArray: "6 4", fill: false,
                  className: "map-area-outline", pane: "areas" };

  function drawAreas() {
    if (!plain || !areas) { return; }
    areaLayer.clearLayers();
    areas.forEach(function (area) {
      var outline = area[1];
      var options = L.extend({ renderer: outlineRenderer }, OUTLINE);
      var shape = outline.length >= 3 ? L.polygon(outline, options)
        : L.circle(outline[0], L.extend({ radius: 1500 }, options));
      shape.bindTooltip(area[0], { direction: "top", className: "map-area-name" });
      areaLayer.addLayer(shape);
    });
    nameAreas();
  }

  function nameAreas() {
    var show = map.getZoom() >= 10;
    areaLayer.eachLayer(function (shape) {
      var tooltip = shape.getTooltip();
      if (tooltip && tooltip.options.permanent !== show) {
        shape.unbindTooltip();
        shape.bindTooltip(tooltip.getContent(), { direction: "top", className: "map-area-name",
                                                  permanent: show });
      }
    });
  }
  map.on("zoomend", nameAreas);

  function usePlainBackground(message) {
    if (plain) { return; }
    plain = true;
    if (tiles) { map.removeLayer(tiles); tiles = null; }
    box.classList.add("map-plain");
    box.dataset.mapState = "plain";
    if (notice) { notice.textContent = message; notice.hidden = false; }
    drawAreas();
  }

  if (box.dataset.tiles) {
    var loaded = false;
    tiles = L.tileLayer(box.dataset.tiles, { attribution: box.dataset.attribution, maxZoom: 18 });
    tiles.on("tileload", function () {
      if (!loaded && !plain) { loaded = true; box.dataset.mapState = "tiles"; }
    });
    tiles.on("tileerror", function () {
      if (!loaded) { usePlainBackground(box.dataset.noTiles); }
    });
    window.setTimeout(function () {
      if (!loaded) { usePlainBackground(box.dataset.noTiles); }
    }, TILE_TIMEOUT_MS);
    tiles.addTo(map);
  } else {
    usePlainBackground(box.dataset.tilesOff);
  }

  function popupFor(id, marker) {
    var url = box.dataset.popupUrl.replace(/0\.json$/, id + ".json");
    fetch(url, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        var root = document.createElement("div");
        var title = document.createElement("strong");
        title.textContent = data.name;
        var line = document.createElement("div");
        line.textContent = data.tax_code + " · " + data.grade;
        var link = document.createElement("a");
        link.href = data.url;
        link.textContent = box.dataset.openLabel;
        root.appendChild(title); root.appendChild(line); root.appendChild(link);
        marker.setPopupContent(root);
      });
  }

  fetch(box.dataset.url, { credentials: "same-origin" })
    .then(function (response) { return response.json(); })
    .then(function (data) {
      var bounds = [];
      data.markers.forEach(function (row) {
        var style = styles[row[3]];
        var marker = L.circleMarker([row[1], row[2]], {
          renderer: renderer, radius: 7, weight: 1, color: "#263238",
          fillColor: style.fill, fillOpacity: 1, glyph: style.glyph, glyphColour: style.text
        });
        marker.bindPopup(words[row[3]]);
        marker.on("popupopen", function () { popupFor(row[0], marker); });
        marker.addTo(map);
        bounds.push([row[1], row[2]]);
      });
      box.dataset.markers = String(data.markers.length);
      areas = data.areas || [];
      drawAreas();
      if (bounds.length) { map.fitBounds(bounds, { padding: [20, 20], maxZoom: 13 }); }
    });
}());
