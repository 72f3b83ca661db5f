// Check-in page (A2): the roster comes as compact JSON (#roster-data); this script lists
// every person from it, filters the list as one types, and sends each tap to the one
// endpoint of marks, keyed by the person's id, then updates the row and the counts in
// place. Without it, the page's search (?q=) lists the matching people with their
// buttons, posted by the same form. No inline script: the page runs under a strict CSP.
(function () {
  "use strict";
  var data = document.getElementById("roster-data");
  var list = document.getElementById("roster");
  var form = document.getElementById("roster-form");
  var template = document.getElementById("roster-row-template");
  var search = document.getElementById("roster-search");
  var counts = document.getElementById("roster-counts");
  var none = document.getElementById("roster-none");
  if (!data || !list || !form || !template || !search) { return; }

  var roster = JSON.parse(data.textContent);
  var codes = roster.attendance; // index -> attendance value ("" when not recorded)
  var people = roster.people; // [id, name, organisation index, attendance, registration, walk-in]
  var organisations = roster.organisations;
  var rows = []; // the <li> of people[i], built when first shown
  var haystacks = []; // what the search looks into, folded, computed when first searched
  var byId = {};
  var PAGE = 100;
  var matches = []; // indexes of the people matching the search
  var shown = 0; // how many of them the list shows
  var more = document.getElementById("roster-more");
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;

  function fold(text) {
    return text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  function paint(row, value) {
    row.setAttribute("data-attendance", value);
    var buttons = row.querySelectorAll("button[name=mark]");
    for (var i = 0; i < buttons.length; i++) {
      var button = buttons[i];
      var pressed = button.getAttribute("data-value") === value;
      var tone = button.getAttribute("data-tone");
      button.setAttribute("aria-pressed", pressed ? "true" : "false");
      button.className = "btn btn-lg " + (pressed ? "btn-" : "btn-outline-") + tone;
    }
  }

  function build(person) {
    var row = template.content.firstElementChild.cloneNode(true);
    var id = person[0];
    row.id = "personne-" + id;
    var name = row.querySelector("strong");
    name.id = "nom-" + id;
    name.textContent = person[1];
    var organisation = row.querySelector("[data-personal]");
    organisation.textContent = person[2] >= 0 ? organisations[person[2]] : organisation.getAttribute("data-personal");
    organisation.removeAttribute("data-personal");
    var badges = row.querySelectorAll("[data-registration]");
    for (var i = 0; i < badges.length; i++) {
      if (badges[i].getAttribute("data-registration") !== String(person[4])) { badges[i].remove(); }
    }
    if (!person[5]) { row.querySelector("[data-walk-in]").remove(); }
    row.querySelector("[role=group]").setAttribute("aria-labelledby", name.id);
    var buttons = row.querySelectorAll("button[name=mark]");
    for (var j = 0; j < buttons.length; j++) {
      buttons[j].value = id + ":" + buttons[j].getAttribute("data-value");
    }
    paint(row, codes[person[3]]);
    return row;
  }

  function haystack(index) {
    if (haystacks[index] === undefined) {
      var person = people[index];
      haystacks[index] = fold(person[1] + " " + (person[2] >= 0 ? organisations[person[2]] : ""));
    }
    return haystacks[index];
  }

  function rowOf(index) {
    if (!rows[index]) { rows[index] = build(people[index]); }
    return rows[index];
  }

  // The list shows the people matching the search, a hundred at a time: the next ones
  // come when the end of the list scrolls into view, or with the button after it.
  function showMore() {
    var fragment = document.createDocumentFragment();
    var end = Math.min(shown + PAGE, matches.length);
    for (; shown < end; shown++) { fragment.appendChild(rowOf(matches[shown])); }
    list.appendChild(fragment);
    if (more) { more.hidden = shown >= matches.length; }
  }

  function applyFilter() {
    var query = fold(search.value.trim());
    matches = [];
    for (var i = 0; i < people.length; i++) {
      if (query === "" || haystack(i).indexOf(query) !== -1) { matches.push(i); }
    }
    list.replaceChildren();
    shown = 0;
    showMore();
    if (none) { none.hidden = matches.length > 0 || people.length === 0; }
  }

  function updateCounts() {
    if (!counts) { return; }
    var tally = { present: 0, absent: 0, excused: 0 };
    for (var i = 0; i < people.length; i++) {
      var value = codes[people[i][3]];
      if (Object.prototype.hasOwnProperty.call(tally, value)) { tally[value] += 1; }
    }
    Object.keys(tally).forEach(function (key) {
      var target = counts.querySelector('[data-count="' + key + '"] span');
      if (target) { target.textContent = String(tally[key]); }
    });
  }

  function showError(row, message) {
    var alert = row.querySelector(".alert");
    if (!message) {
      if (alert) { alert.remove(); }
      return;
    }
    if (!alert) {
      alert = document.createElement("div");
      alert.className = "alert alert-danger mt-2 mb-0";
      alert.setAttribute("role", "alert");
      row.appendChild(alert);
    }
    alert.textContent = message;
  }

  // One tap: the person's id and the attendance to the endpoint of marks; the row and the
  // counts change once the server recorded it. The focus stays on the button tapped.
  function mark(button) {
    var parts = button.value.split(":");
    var index = byId[parts[0]];
    var row = rowOf(index);
    var body = new FormData();
    body.append("csrfmiddlewaretoken", token);
    body.append("person", parts[0]);
    body.append("attendance", parts[1]);
    row.setAttribute("aria-busy", "true");
    fetch(form.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (response) {
      return response.json().then(function (answer) { return { ok: response.ok, answer: answer }; });
    }).then(function (result) {
      if (!result.ok) { throw { refused: result.answer.error }; }
      var code = codes.indexOf(result.answer.attendance);
      people[index][3] = code < 0 ? 0 : code;
      paint(row, result.answer.attendance);
      showError(row, "");
      updateCounts();
    }).catch(function (error) {
      // The server's refusal (not convened, unknown status), else the connection failed.
      showError(row, (error && error.refused) || form.getAttribute("data-error"));
    }).then(function () {
      row.removeAttribute("aria-busy");
    });
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("button[name=mark]");
    if (!button || byId[button.value.split(":")[0]] === undefined) { return; }
    event.preventDefault();
    mark(button);
  });

  for (var i = 0; i < people.length; i++) { byId[people[i][0]] = i; }
  var withoutJs = document.getElementById("roster-without-js");
  if (withoutJs) { withoutJs.hidden = true; }
  var searchButton = document.getElementById("roster-search-button");
  if (searchButton) {
    searchButton.hidden = true;
    searchButton.parentNode.classList.remove("input-group"); // the box alone, its corners round
  }
  search.form.addEventListener("submit", function (event) { event.preventDefault(); });
  if (people.length === 0) { return; } // the page says nobody is convened
  search.addEventListener("input", applyFilter);
  if (more) {
    more.addEventListener("click", showMore);
    if ("IntersectionObserver" in window) {
      new IntersectionObserver(function (entries) {
        if (entries[0].isIntersecting) { showMore(); }
      }, { rootMargin: "600px" }).observe(more);
    }
  }
  applyFilter();
})();
