// Collision hints while an event is being typed: after a pause in typing, ask the server which
// events overlap with it and show them in the live region under the form. Without script the
// same hints appear when the form is sent, before anything is saved.
(function () {
  "use strict";
  var form = document.querySelector("form[data-clash-url]");
  var region = document.getElementById("clash-live");
  if (!form || !region || !window.fetch) return;
  var watched = ["starts_at", "ends_at", "all_day", "timezone", "repeats", "repeat_until",
    "repeat_count", "district", "latitude", "longitude", "category", "target_group", "title"];
  var timer = null;
  var last = "";
  function check() {
    var params = new URLSearchParams(new FormData(form));
    params.delete("csrfmiddlewaretoken");
    if (form.dataset.event) params.set("event", form.dataset.event);
    var query = params.toString();
    if (query === last) return;
    last = query;
    fetch(form.dataset.clashUrl + "?" + query, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) { region.innerHTML = html; })
      .catch(function () { /* hints are a help; the form still works without them */ });
  }
  form.addEventListener("change", function (event) {
    if (watched.indexOf(event.target.name) === -1) return;
    window.clearTimeout(timer);
    timer = window.setTimeout(check, 300);
  });
})();
