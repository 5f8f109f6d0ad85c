/* The place picker (places/_picker.html): a small Leaflet map next to a form's latitude and
   longitude fields. Clicking the map or dragging the marker writes both fields (six decimals,
   about 10 cm); typing numbers moves the marker. The fields stay the real input: without
   JavaScript or Leaflet the picker stays hidden and people type the numbers, and keyboard
   users can always do so (the map itself is one tab stop, no trap). */
(function () {
  "use strict";

  if (typeof L === "undefined") {
    return;
  }

  function field(form, name) {
    return form.querySelector('input[name="' + name + '"], input[name$="-' + name + '"]');
  }

  function number(input, bound) {
    var value = parseFloat((input.value || "").replace(",", "."));
    return isFinite(value) && Math.abs(value) <= bound ? value : null;
  }

  function escapeText(text) {
    var span = document.createElement("span");
    span.textContent = text || "";
    return span.innerHTML;
  }

  function setUp(element) {
    var form = element.closest("form");
    var latitude = form && field(form, "latitude");
    var longitude = form && field(form, "longitude");
    if (!latitude || !longitude) {
      return;
    }
    var data = element.dataset;
    var wrapper = element.closest(".place-picker") || element;
    wrapper.hidden = false;
    var map = L.map(element, {
      center: [parseFloat(data.latitude), parseFloat(data.longitude)],
      zoom: parseInt(data.zoom, 10) || 6,
      // Without a tile layer nothing else limits the zoom.
      maxZoom: 19,
      zoomControl: false,
      attributionControl: false,
    });
    L.control.zoom({ zoomInTitle: data.labelZoomIn, zoomOutTitle: data.labelZoomOut }).addTo(map);
    L.control
      .attribution({ prefix: '<a href="https://leafletjs.com/">Leaflet</a>' })
      .addAttribution(escapeText(data.attribution))
      .addTo(map);
    if (data.tileUrl) {
      L.tileLayer(data.tileUrl, { maxZoom: 19 }).addTo(map);
    }
    var marker = null;

    function place(lat, lon, pan) {
      if (marker === null) {
        marker = L.marker([lat, lon], {
          draggable: true,
          // The fields are the keyboard's way to set the place; the marker is for pointers.
          keyboard: false,
          title: data.labelMarker,
          icon: L.divIcon({
            className: "places-marker",
            html: '<span class="places-pin places-pin--picked"></span>',
            iconSize: [26, 26],
            iconAnchor: [13, 13],
          }),
        }).addTo(map);
        marker.on("dragend", function () {
          var position = marker.getLatLng();
          write(position.lat, position.lng);
        });
      } else {
        marker.setLatLng([lat, lon]);
      }
      if (pan) {
        map.panTo([lat, lon]);
      }
    }

    function write(lat, lon) {
      latitude.value = lat.toFixed(6);
      longitude.value = L.Util.wrapNum(lon, [-180, 180], true).toFixed(6);
      // Other scripts (and the browser's form state) learn of the change as if typed.
      latitude.dispatchEvent(new Event("change", { bubbles: true }));
      longitude.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function fromFields(pan) {
      var lat = number(latitude, 90);
      var lon = number(longitude, 180);
      if (lat !== null && lon !== null) {
        place(lat, lon, pan);
      }
    }

    map.on("click", function (event) {
      place(event.latlng.lat, event.latlng.lng, false);
      write(event.latlng.lat, event.latlng.lng);
    });
    latitude.addEventListener("input", function () {
      fromFields(true);
    });
    longitude.addEventListener("input", function () {
      fromFields(true);
    });
    fromFields(true);
  }

  function start() {
    document.querySelectorAll("[data-place-picker]").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
