// Township → village picker (regions/_picker.html): when the township changes, the village select is
// refilled from /regions/<township>/villages.json (villages in the user's scope). A static file, no
// inline script (the CSP allows only script-src 'self').
(function () {
  "use strict";
  function fill(select, villages) {
    var placeholder = select.getAttribute("data-placeholder") || "";
    select.innerHTML = "";
    var first = document.createElement("option");
    first.value = "";
    first.textContent = placeholder;
    select.appendChild(first);
    villages.forEach(function (v) {
      var option = document.createElement("option");
      option.value = v.code;
      option.textContent = v.name;
      select.appendChild(option);
    });
  }

  function attach(picker) {
    var township = picker.querySelector("[data-picker-township]");
    var village = picker.querySelector("[data-picker-village]");
    var url = picker.getAttribute("data-villages-url");
    township.addEventListener("change", function () {
      var code = township.value;
      if (!code || /000000$/.test(code)) { fill(village, []); village.dispatchEvent(new Event("jz-filled")); return; }
      picker.setAttribute("aria-busy", "true");
      fetch(url.replace("CODE", encodeURIComponent(code)), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { villages: [] }; })
        .then(function (data) {
          fill(village, data.villages || []);
          picker.removeAttribute("aria-busy");
          village.dispatchEvent(new Event("jz-filled"));
        });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-region-picker]").forEach(attach);
  });
})();
