/* The map page (places/map.html): draws the GeoJSON of the container's data-geojson address
   with Leaflet and its cluster plugin, a popup with a link per place, and re-draws when the
   filters change without reloading the page.

   Everything the page says comes from data attributes (translated by the template); place
   names are inserted as text, never as HTML. Without Leaflet (its files missing, JavaScript
   off) the container keeps its note and the directory link is the way to the places.
   Keyboard: the map is one tab stop (arrows pan, + and - zoom), each marker and cluster one
   more, Enter opens a popup and moves to its link; Tab always moves on, nothing traps it. */
(function () {
  "use strict";

  var container = document.getElementById("places-map");
  if (!container || typeof L === "undefined") {
    return;
  }
  var data = container.dataset;
  var status = document.getElementById("places-map-status");
  var lang = document.documentElement.lang || undefined;
  var dateFormat;
  try {
    dateFormat = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" });
  } catch (error) {
    dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
  }

  function escapeText(text) {
    var span = document.createElement("span");
    span.textContent = text || "";
    return span.innerHTML;
  }

  container.replaceChildren();
  container.classList.add("is-ready");
  var map = L.map(container, {
    center: [parseFloat(data.latitude), parseFloat(data.longitude)],
    zoom: parseInt(data.zoom, 10) || 6,
    // Without a tile layer nothing else sets it, and the cluster plugin needs one.
    maxZoom: 19,
    zoomControl: false,
    attributionControl: false,
  });
  L.control.zoom({ zoomInTitle: data.labelZoomIn, zoomOutTitle: data.labelZoomOut }).addTo(map);
  // The portal's attribution is plain text; Leaflet would insert it as HTML.
  L.control
    .attribution({ prefix: '<a href="https://leafletjs.com/">Leaflet</a>' })
    .addAttribution(escapeText(data.attribution))
    .addTo(map);
  if (data.tileUrl) {
    L.tileLayer(data.tileUrl, { maxZoom: 19 }).addTo(map);
  }

  function icon(kind) {
    return L.divIcon({
      className: "places-marker",
      html: '<span class="places-pin places-pin--' + kind + '"></span>',
      iconSize: [26, 26],
      iconAnchor: [13, 13],
      popupAnchor: [0, -12],
    });
  }

  var clusters = L.markerClusterGroup({
    showCoverageOnHover: false,
    iconCreateFunction: function (cluster) {
      var count = cluster.getChildCount();
      var size = count < 10 ? "small" : count < 100 ? "medium" : "large";
      return L.divIcon({
        className: "places-cluster places-cluster--" + size,
        html:
          '<span aria-hidden="true">' + count + "</span>" +
          '<span class="visually-hidden">' + count + " " + escapeText(data.labelCluster) + "</span>",
        iconSize: [40, 40],
      });
    },
  });
  clusters.on("animationend", labelClusters);
  map.on("zoomend moveend", labelClusters);
  map.addLayer(clusters);

  function labelClusters() {
    // Cluster icons get role="button" from Leaflet; their name is the hidden text inside.
    container.querySelectorAll(".places-cluster").forEach(function (element) {
      element.setAttribute("aria-label", element.textContent.replace(/^\d+/, "").trim());
    });
  }

  function popupContent(properties) {
    var box = document.createElement("div");
    box.className = "places-popup";
    var kind = document.createElement("p");
    kind.className = "places-popup-kind";
    kind.textContent = properties.kind_label;
    var title = document.createElement(properties.url ? "a" : "strong");
    if (properties.url) {
      title.href = properties.url;
    }
    title.textContent = properties.title;
    var heading = document.createElement("p");
    heading.className = "places-popup-title";
    heading.appendChild(title);
    box.append(kind, heading);
    var details = [];
    if (properties.when) {
      details.push(dateFormat.format(new Date(properties.when)));
    }
    if (properties.place) {
      details.push(properties.place);
    }
    if (properties.topic) {
      details.push(properties.topic);
    }
    if (details.length) {
      var meta = document.createElement("p");
      meta.className = "places-popup-meta";
      meta.textContent = details.join(" · ");
      box.appendChild(meta);
    }
    return box;
  }

  function markerFor(feature) {
    var position = feature.geometry.coordinates; // GeoJSON: [longitude, latitude]
    var properties = feature.properties;
    var label = properties.kind_label + ": " + properties.title;
    var marker = L.marker([position[1], position[0]], {
      icon: icon(properties.kind),
      title: label,
      keyboard: true,
      riseOnHover: true,
    });
    marker.bindPopup(function () {
      return popupContent(properties);
    });
    marker.on("add", function () {
      var element = marker.getElement();
      if (element) {
        element.setAttribute("aria-label", label);
      }
    });
    return marker;
  }

  // A popup opened from the keyboard takes the focus to its link; closing it gives it back.
  var opener = null;
  map.on("popupopen", function (event) {
    var active = document.activeElement;
    if (active && active.classList && active.classList.contains("places-marker")) {
      opener = active;
      var link = event.popup.getElement().querySelector("a[href]:not(.leaflet-popup-close-button)");
      if (link) {
        link.focus();
      }
    }
  });
  map.on("popupclose", function () {
    if (opener && document.body.contains(opener)) {
      opener.focus();
    }
    opener = null;
  });

  function announce(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function draw(collection, fit) {
    clusters.clearLayers();
    var markers = collection.features.map(markerFor);
    clusters.addLayers(markers);
    announce(data.labelCount + " " + markers.length);
    if (fit && markers.length) {
      var bounds = clusters.getBounds();
      if (bounds.isValid() && !map.getBounds().contains(bounds)) {
        map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16 });
      }
    }
    labelClusters();
  }

  function load(url, fit) {
    container.setAttribute("aria-busy", "true");
    return fetch(url, { headers: { Accept: "application/geo+json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (collection) {
        draw(collection, fit);
      })
      .catch(function () {
        announce(data.labelFailed);
      })
      .finally(function () {
        container.removeAttribute("aria-busy");
      });
  }

  load(data.geojson, true);

  var form = document.querySelector("[data-places-filters]");
  var directoryLink = document.querySelector("[data-places-directory-link]");
  if (form && window.fetch && window.URLSearchParams) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var params = new URLSearchParams();
      new FormData(form).forEach(function (value, key) {
        if (value) {
          params.append(key, value);
        }
      });
      var query = params.toString() ? "?" + params.toString() : "";
      history.replaceState(null, "", window.location.pathname + query);
      if (directoryLink) {
        directoryLink.href = data.directoryBase + query;
      }
      load(data.geojsonBase + query, true);
    });
  }
})();
