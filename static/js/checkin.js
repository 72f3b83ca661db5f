// Check-in page (A2): filter the roster as one types, keep the counts in step after
// each htmx swap. No inline script: the page runs under a strict CSP.
(function () {
  "use strict";
  var roster = document.getElementById("roster");
  var search = document.getElementById("roster-search");
  var counts = document.getElementById("roster-counts");
  if (!roster) { return; }

  function normalise(text) {
    return text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  function applyFilter() {
    var query = normalise(search ? search.value.trim() : "");
    var rows = roster.querySelectorAll(".roster-row");
    for (var i = 0; i < rows.length; i++) {
      var text = normalise(rows[i].getAttribute("data-search") || "");
      rows[i].hidden = query !== "" && text.indexOf(query) === -1;
    }
  }

  function updateCounts() {
    if (!counts) { return; }
    var tally = { present: 0, absent: 0, excused: 0 };
    var rows = roster.querySelectorAll(".roster-row");
    for (var i = 0; i < rows.length; i++) {
      var value = rows[i].getAttribute("data-attendance");
      if (Object.prototype.hasOwnProperty.call(tally, value)) { tally[value] += 1; }
    }
    Object.keys(tally).forEach(function (key) {
      var target = counts.querySelector('[data-count="' + key + '"] span');
      if (target) { target.textContent = String(tally[key]); }
    });
  }

  // The row is replaced after each tap: the focus would fall back to the page's start,
  // and a keyboard or screen reader user would lose their place (WCAG 2.4.3). It goes
  // back to the same button of the new row.
  var refocus = null;
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var active = document.activeElement;
    var row = event.detail.target;
    refocus = row && active && row.contains(active) ? { row: row.id, value: active.value } : null;
  });

  if (search) { search.addEventListener("input", applyFilter); }
  document.body.addEventListener("htmx:afterSwap", function () {
    applyFilter();
    updateCounts();
    if (refocus) {
      var row = document.getElementById(refocus.row);
      var buttons = row ? row.querySelectorAll("button[name=attendance]") : [];
      for (var i = 0; i < buttons.length; i++) {
        if (buttons[i].value === refocus.value) { buttons[i].focus(); }
      }
      refocus = null;
    }
  });
})();
