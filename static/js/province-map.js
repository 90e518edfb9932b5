/* Province map: markers coloured by grade from one compact JSON document.
   Markers are canvas circle markers on a plain background, so they still draw when no tile
   server is reachable; tiles are an optional layer from the configured URL. */
(function () {
  "use strict";
  var box = document.getElementById("province-map");
  if (!box) { return; }
  if (typeof window.L === "undefined") {
    box.textContent = box.dataset.noLeaflet;
    return;
  }
  var L = window.L;
  var words = JSON.parse(box.dataset.gradeWords);
  var colours = JSON.parse(box.dataset.gradeColours);
  var map = L.map(box, { preferCanvas: true, zoomControl: true }).setView([19.9, 105.4], 8);
  if (box.dataset.tiles) {
    L.tileLayer(box.dataset.tiles, { attribution: box.dataset.attribution, maxZoom: 18 }).addTo(map);
  }
  var renderer = L.canvas({ padding: 0.5 });

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
        var grade = row[3];
        var marker = L.circleMarker([row[1], row[2]], {
          renderer: renderer, radius: 5, weight: 1, color: "#263238",
          fillColor: colours[grade], fillOpacity: 0.9
        });
        marker.bindPopup(words[grade]);
        marker.on("popupopen", function () { popupFor(row[0], marker); });
        marker.addTo(map);
        bounds.push([row[1], row[2]]);
      });
      if (bounds.length) { map.fitBounds(bounds, { padding: [20, 20], maxZoom: 13 }); }
    });
}());
