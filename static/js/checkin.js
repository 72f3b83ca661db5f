// Check-in page (A2), the organiser's app: the page is its shell, the roster comes apart as
// compact JSON (data-roster: /activites/<pk>/pointage/personnes.json; the phone's copy
// shows first, when it has one); this script lists every person from it, filters the
// list as one types, and records each tap, each scanned personal code and each walk-in
// in a queue kept on the phone (IndexedDB), shown at once on the row. The queue goes to
// the server's sync endpoint whenever the phone is online (after each action, when the
// network returns, and on a timer); what the server answered for leaves the queue. The
// roster and the activity's key are kept on the phone too, so the page works after a
// reload without network (the service worker, /activites/pointage-sw.js, serves the
// page from its cache, and the roster comes from the phone's copy).
// Without this script, the page's search (?q=, everyone when empty) lists the matching
// people with their buttons, posted to the endpoint of marks. No inline script: the page
// runs under a strict CSP. The texts are French, as the rest of the portal's scripts.
(function () {
  "use strict";
  var list = document.getElementById("roster");
  var form = document.getElementById("roster-form");
  var template = document.getElementById("roster-row-template");
  var search = document.getElementById("roster-search");
  var counts = document.getElementById("roster-counts");
  var none = document.getElementById("roster-none");
  var emptyRoster = document.getElementById("roster-empty");
  var app = document.getElementById("checkin-app");
  if (!app || !list || !form || !template || !search) { return; }

  var rosterUrl = app.getAttribute("data-roster");
  var activityId = Number(app.getAttribute("data-activity"));
  var organiserId = Number(app.getAttribute("data-organiser"));
  var pageRoster = null; // the roster this page started with: the server's, or the phone's copy
  var codes = []; // index -> attendance value ("" when not recorded)
  var base = null; // what the server last said: the page's roster or a newer copy
  var people = []; // [id, name, organisation index, attendance, registration, walk-in]
  var organisations = [];
  var organisationIds = [];
  var rows = []; // the <li> of people[i], built when first shown
  var haystacks = []; // what the search looks into, folded, computed when first searched
  var byId = {};
  var PAGE = 100;
  var BATCH = 500; // the most actions the sync endpoint takes at once
  var SYNC_EVERY_MS = 30000;
  var matches = []; // indexes of the people matching the search
  var shown = 0; // how many of them the list shows
  var more = document.getElementById("roster-more");
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var syncUrl = app.getAttribute("data-sync");
  var queue = []; // this organiser's actions not yet answered by the server, oldest first
  var lastSync = "";
  var sequence = 0;

  var MESSAGES = {
    notCode: "Ce code n'est pas un code de pointage du portail.",
    otherActivity: "Ce code est celui d'une autre activité : il ne vaut pas pour celle-ci.",
    tampered: "Ce code a été modifié ou ne vient pas du portail : il est refusé.",
    noCodeInPhoto: "Aucun code n'a été trouvé sur la photo : recommencez, le code net et en entier.",
    cameraDenied: "La caméra n'est pas autorisée : photographiez le code avec le champ ci-dessous.",
    cameraMissing: "La caméra n'est pas disponible : photographiez le code avec le champ ci-dessous.",
    syncRefused: "L'envoi des pointages a été refusé : rechargez la page, connecté(e) en organisateur. Les pointages restent sur ce téléphone.",
    syncLoggedOut: "Votre session a expiré : reconnectez-vous pour envoyer les pointages. Ils restent sur ce téléphone.",
    syncFailed: "L'envoi des pointages a échoué ; il sera repris. Ils restent sur ce téléphone.",
    pendingWalkIn: "Cette personne sera enregistrée au prochain envoi ; pointez-la ensuite.",
    email: "Saisissez une adresse e-mail valide.",
    emailTwice: "Cette personne est déjà ajoutée.",
    manyOrganisations: "Plusieurs entités correspondent : choisissez-la ci-dessous ou précisez la recherche.",
    rosterOffline: "La liste des personnes n'a pas pu être chargée et ce téléphone n'en garde pas de copie : rechargez la page une fois connecté(e) au réseau.",
    rosterRefused: "La liste des personnes n'a pas été transmise : reconnectez-vous en organisateur, puis rechargez la page."
  };

  function fold(text) {
    return text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  function clientId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    // Outside a secure context: a UUID version 4 from the random generator.
    var bytes = new Uint8Array(16);
    if (window.crypto && window.crypto.getRandomValues) {
      window.crypto.getRandomValues(bytes);
    } else {
      for (var i = 0; i < 16; i++) { bytes[i] = Math.floor(Math.random() * 256); }
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  // --- The phone's store (IndexedDB): the queue of actions and the latest roster. ---

  var database = new Promise(function (resolve, reject) {
    if (!window.indexedDB) { reject(new Error("IndexedDB")); return; }
    var request = window.indexedDB.open("cosge-pointage", 1);
    request.onupgradeneeded = function () {
      var db = request.result;
      if (!db.objectStoreNames.contains("queue")) {
        db.createObjectStore("queue", { keyPath: "id" }).createIndex("activity", "activity");
      }
      if (!db.objectStoreNames.contains("rosters")) {
        db.createObjectStore("rosters", { keyPath: "activity" });
      }
    };
    request.onsuccess = function () { resolve(request.result); };
    request.onerror = function () { reject(request.error); };
  });

  // Runs work(store) in a transaction; resolves with what work's request gave, once written.
  function stored(name, mode, work) {
    return database.then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(name, mode);
        var request = work(transaction.objectStore(name));
        transaction.oncomplete = function () { resolve(request ? request.result : undefined); };
        transaction.onerror = function () { reject(transaction.error); };
        transaction.onabort = function () { reject(transaction.error); };
      });
    });
  }

  function saveRoster() {
    base.synced_at = lastSync;
    return stored("rosters", "readwrite", function (store) { return store.put(base); })
      .catch(function () { return undefined; });
  }

  // --- The roster on screen: the server's state, the queued actions on top. ---

  function organisationIndex(id, name) {
    if (id === null || id === undefined) { return -1; }
    var index = organisationIds.indexOf(id);
    if (index < 0) {
      index = organisationIds.length;
      organisationIds.push(id);
      organisations.push(name || "");
    }
    return index;
  }

  function codeOf(value) {
    var code = codes.indexOf(value);
    return code < 0 ? 0 : code;
  }

  function codePerson(code) {
    return Number(String(code).split(":")[2]);
  }

  // What an action does to the roster on screen; a walk-in adds its person, pending.
  function overlay(action) {
    var index;
    if (action.walk_in) {
      index = byId[action.temp];
      if (index === undefined) {
        var person = action.walk_in;
        var name = ((person.first_name || "") + " " + (person.last_name || "")).trim() || person.email;
        index = people.length;
        people.push([action.temp, name, organisationIndex(person.organisation, action.organisation_name), codeOf("present"), 0, 1]);
        byId[action.temp] = index;
      }
      return index;
    }
    var id = action.code ? codePerson(action.code) : action.person;
    index = byId[id];
    if (index !== undefined) { people[index][3] = codeOf(action.code ? "present" : action.attendance); }
    return index;
  }

  // The whole roster again: at start, and when a walk-in turned out to be someone listed.
  function rebuild() {
    people = base.people.map(function (person) { return person.slice(); });
    organisations = base.organisations.slice();
    organisationIds = (base.organisation_ids || []).slice();
    byId = {};
    for (var i = 0; i < people.length; i++) { byId[people[i][0]] = i; }
    queue.forEach(overlay);
    rows = [];
    haystacks = [];
    if (people.length) { applyFilter(); }
    if (emptyRoster) { emptyRoster.hidden = people.length > 0; }
    updateCounts();
  }

  // One person's value: the server's, then the queued actions on it, oldest first.
  function refresh(id) {
    var index = byId[id];
    if (index === undefined) { return; }
    var baseIndex = baseIndexOf(id);
    if (baseIndex >= 0) { people[index][3] = base.people[baseIndex][3]; }
    queue.forEach(function (action) {
      var target = action.walk_in ? action.temp : (action.code ? codePerson(action.code) : action.person);
      if (String(target) === String(id)) { overlay(action); }
    });
    if (rows[index]) { paint(rows[index], codes[people[index][3]]); }
  }

  function baseIndexOf(id) {
    for (var i = 0; i < base.people.length; i++) {
      if (String(base.people[i][0]) === String(id)) { return i; }
    }
    return -1;
  }

  function paint(row, value) {
    row.setAttribute("data-attendance", value);
    var pending = row.hasAttribute("data-pending");
    var buttons = row.querySelectorAll("button[name=mark]");
    for (var i = 0; i < buttons.length; i++) {
      var button = buttons[i];
      var pressed = button.getAttribute("data-value") === value;
      var tone = button.getAttribute("data-tone");
      button.setAttribute("aria-pressed", pressed ? "true" : "false");
      button.className = "btn btn-lg " + (pressed ? "btn-" : "btn-outline-") + tone;
      button.disabled = pending;
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
    var walkIn = row.querySelector("[data-walk-in]");
    if (!person[5]) {
      walkIn.remove();
    } else if (typeof id === "string") {
      // A walk-in the server has not received yet: no id, no other tap until it has.
      row.setAttribute("data-pending", "");
      var badge = document.createElement("span");
      badge.className = "badge text-bg-secondary ms-1";
      badge.textContent = "En attente d'envoi";
      walkIn.after(badge);
    }
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
    var tally = { total: people.length, expected: 0, present: 0, absent: 0, excused: 0 };
    for (var i = 0; i < people.length; i++) {
      var value = codes[people[i][3]];
      if (Object.prototype.hasOwnProperty.call(tally, value)) { tally[value] += 1; }
      if (people[i][4] === 1) { tally.expected += 1; } // registered: coming
    }
    counts.hidden = false;
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

  // --- The status: what waits to be sent, when the server last answered. ---

  function pad(number) { return (number < 10 ? "0" : "") + number; }

  function showStatus() {
    if (!app) { return; }
    var pending = document.getElementById("checkin-pending");
    var synced = document.getElementById("checkin-synced");
    var count = queue.length;
    var text = count + (count > 1 ? " actions en attente d'envoi." : " action en attente d'envoi.");
    if (navigator.onLine === false) { text = "Hors ligne : " + text; }
    if (pending.textContent !== text) { pending.textContent = text; }
    if (lastSync) {
      var when = new Date(lastSync);
      var label = "Dernière synchronisation : " + pad(when.getHours()) + ":" + pad(when.getMinutes()) + ".";
      if (synced.textContent !== label) { synced.textContent = label; }
    }
  }

  function actionLabel(action) {
    if (action.walk_in) {
      var person = action.walk_in;
      return ((person.first_name || "") + " " + (person.last_name || "")).trim() || person.email;
    }
    var id = action.code ? codePerson(action.code) : action.person;
    var index = byId[id];
    if (index !== undefined) { return people[index][1]; }
    return action.code ? "Code scanné" : "Personne n° " + id;
  }

  function showRefusal(action, message) {
    var refused = document.getElementById("checkin-refused");
    if (!refused) { return; }
    var item = document.createElement("li");
    item.className = "alert alert-danger py-2 mb-2";
    item.textContent = actionLabel(action) + " : " + message;
    refused.appendChild(item);
  }

  function showSyncProblem(message) {
    var refused = document.getElementById("checkin-refused");
    if (!refused) { return; }
    var item = refused.querySelector("[data-sync-problem]");
    if (!message) {
      if (item) { item.remove(); }
      return;
    }
    if (!item) {
      item = document.createElement("li");
      item.className = "alert alert-warning py-2 mb-2";
      item.setAttribute("data-sync-problem", "");
      refused.prepend(item);
    }
    item.textContent = message;
  }

  // --- The queue: each action kept on the phone, then sent. ---

  function mine(action) {
    return action.activity === activityId && action.organiser === organiserId;
  }

  function enqueue(action) {
    action.id = clientId();
    action.at = new Date().toISOString();
    action.offline = navigator.onLine === false;
    action.activity = activityId;
    action.organiser = organiserId;
    action.seq = Date.now() * 1000 + (sequence++ % 1000);
    queue.push(action);
    var index = overlay(action);
    if (index !== undefined && rows[index]) { paint(rows[index], codes[people[index][3]]); }
    updateCounts();
    showStatus(); // the waiting count moves with the tap, before the phone has stored it
    return stored("queue", "readwrite", function (store) { return store.put(action); })
      .catch(function () { return undefined; }) // without IndexedDB, the queue lives in the page
      .then(function () {
        showStatus();
        if (navigator.onLine !== false) { sync(); }
        return index;
      });
  }

  function unqueue(id) {
    queue = queue.filter(function (action) { return action.id !== id; });
    return stored("queue", "readwrite", function (store) { return store.delete(id); })
      .catch(function () { return undefined; });
  }

  function payload(action) {
    var sent = { id: action.id, at: action.at, offline: action.offline };
    if (action.walk_in) {
      sent.walk_in = action.walk_in;
    } else if (action.code) {
      sent.code = action.code;
    } else {
      sent.person = action.person;
      sent.attendance = action.attendance;
    }
    return sent;
  }

  // The server's value of a person becomes the base; a walk-in gets its id.
  function settle(action, result) {
    var id = result.person;
    var rebuilt = false;
    if (action.walk_in) {
      var index = byId[action.temp];
      if (id !== null && id !== undefined && index !== undefined) {
        if (byId[id] === undefined) {
          // The person's id replaces the temporary one, in place.
          people[index][0] = id;
          delete byId[action.temp];
          byId[id] = index;
          var old = rows[index];
          rows[index] = null;
          if (old && old.parentNode) { old.replaceWith(rowOf(index)); }
          if (baseIndexOf(id) < 0) {
            var person = people[index];
            base.people.push([id, person[1], -1, codeOf(result.attendance), 0, 1]);
            var organisationId = action.walk_in.organisation;
            if (organisationId !== null && organisationId !== undefined) {
              var at = (base.organisation_ids || []).indexOf(organisationId);
              if (at < 0) {
                base.organisation_ids = (base.organisation_ids || []).concat([organisationId]);
                base.organisations = base.organisations.concat([action.organisation_name || ""]);
                at = base.organisations.length - 1;
              }
              base.people[base.people.length - 1][2] = at;
            }
          }
        } else {
          rebuilt = true; // someone already listed: the temporary row goes
        }
      } else if (index !== undefined) {
        rebuilt = true; // refused: the temporary row goes
      }
    }
    if (id !== null && id !== undefined && typeof result.attendance === "string") {
      var at2 = baseIndexOf(id);
      if (at2 >= 0) { base.people[at2][3] = codeOf(result.attendance); }
    }
    return rebuilt;
  }

  var syncing = false;
  var syncAgain = false;

  function sync() {
    if (!syncUrl) { return; }
    if (syncing) { syncAgain = true; return; }
    var batch = queue.slice(0, BATCH);
    if (!batch.length || navigator.onLine === false) { showStatus(); return; }
    syncing = true;
    var answered = 0;
    fetch(syncUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": token },
      body: JSON.stringify({ actions: batch.map(payload) })
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (response.redirected || !json) {
        showSyncProblem(response.status === 403 ? MESSAGES.syncRefused : MESSAGES.syncLoggedOut);
        return null;
      }
      return response.json().then(function (answer) {
        if (response.status === 200) { return answer; }
        showSyncProblem(answer.error || (response.status === 403 ? MESSAGES.syncRefused : MESSAGES.syncFailed));
        return null;
      });
    }).then(function (answer) {
      if (!answer) { return undefined; }
      showSyncProblem("");
      var byClientId = {};
      batch.forEach(function (action) { byClientId[action.id] = action; });
      var rebuild_ = false;
      var touched = [];
      var removals = [];
      var rowErrors = {};
      (answer.results || []).forEach(function (result) {
        var action = byClientId[result.id];
        if (!action) { return; }
        answered += 1;
        removals.push(unqueue(action.id));
        var target = action.walk_in ? result.person : (action.code ? codePerson(action.code) : action.person);
        if (result.outcome === "refused") {
          showRefusal(action, result.error || MESSAGES.syncFailed);
          if (target !== null && target !== undefined) { rowErrors[target] = result.error || MESSAGES.syncFailed; }
        } else if (target !== null && target !== undefined) {
          rowErrors[target] = "";
        }
        if (settle(action, result)) { rebuild_ = true; }
        if (result.person !== null && result.person !== undefined) { touched.push(result.person); }
        if (!action.walk_in) { touched.push(action.code ? codePerson(action.code) : action.person); }
      });
      if (answer.synced_at) { lastSync = answer.synced_at; base.at = answer.synced_at; }
      if (rebuild_) {
        rebuild();
      } else {
        touched.forEach(function (id) {
          refresh(id);
          var index = byId[id];
          if (index !== undefined && rows[index] && rowErrors[id] !== undefined) {
            showError(rows[index], rowErrors[id]); // the latest answer about the person
          }
        });
        updateCounts();
      }
      return Promise.all(removals).then(saveRoster);
    }).catch(function () {
      // No network after all: the actions stay queued, sent at the next occasion.
      return undefined;
    }).then(function () {
      syncing = false;
      showStatus();
      if (syncAgain || (answered > 0 && queue.length)) {
        syncAgain = false;
        sync();
      }
    });
  }

  // --- Taps on the roster. ---

  function mark(button) {
    var parts = button.value.split(":");
    var index = byId[parts[0]];
    var row = rowOf(index);
    if (row.hasAttribute("data-pending")) {
      showError(row, MESSAGES.pendingWalkIn);
      return;
    }
    showError(row, "");
    enqueue({ person: people[index][0], attendance: parts[1] });
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("button[name=mark]");
    if (!button || byId[button.value.split(":")[0]] === undefined) { return; }
    event.preventDefault();
    mark(button);
  });

  // --- Personal codes: checked on the phone with the activity's key (Web Crypto). ---

  function fromBase64url(text) {
    var padded = text.replace(/-/g, "+").replace(/_/g, "/");
    while (padded.length % 4) { padded += "="; }
    var binary = window.atob(padded);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
    return bytes;
  }

  function toBase64url(bytes) {
    var binary = "";
    for (var i = 0; i < bytes.length; i++) { binary += String.fromCharCode(bytes[i]); }
    return window.btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  // The person a code names, or the French reason it is refused (as checkin_codes.py).
  function readCode(text) {
    var parts = (text || "").trim().split(":");
    if (parts.length !== 4 || parts[0] !== "COSGE1" || !/^[0-9]+$/.test(parts[1]) || !/^[0-9]+$/.test(parts[2])) {
      return Promise.resolve({ error: MESSAGES.notCode });
    }
    if (Number(parts[1]) !== activityId) {
      return Promise.resolve({ error: MESSAGES.otherActivity });
    }
    var person = Number(parts[2]);
    var subtle = window.crypto && window.crypto.subtle;
    if (!subtle || !base.key) {
      // No Web Crypto (not a secure context): the server checks the code when it syncs.
      return Promise.resolve({ person: person, code: parts.join(":") });
    }
    return subtle.importKey("raw", fromBase64url(base.key), { name: "HMAC", hash: "SHA-256" }, false, ["sign"])
      .then(function (key) {
        return subtle.sign("HMAC", key, new TextEncoder().encode(parts[1] + ":" + parts[2]));
      })
      .then(function (signature) {
        var mac = toBase64url(new Uint8Array(signature).slice(0, 16));
        if (mac !== parts[3]) { return { error: MESSAGES.tampered }; }
        return { person: person, code: parts.join(":") };
      });
  }

  var scanResult = document.getElementById("scan-result");

  function say(target, message, tone) {
    if (!target) { return; }
    target.className = message ? "alert alert-" + tone + " mt-2 mb-0" : "mt-2";
    target.textContent = message;
  }

  function codeScanned(text) {
    return readCode(text).then(function (outcome) {
      if (outcome.error) {
        say(scanResult, outcome.error, "danger");
        return;
      }
      var index = byId[outcome.person];
      if (index !== undefined && codes[people[index][3]] === "present") {
        say(scanResult, people[index][1] + " est déjà pointé(e) présent(e).", "info");
        return;
      }
      return enqueue({ code: outcome.code }).then(function () {
        if (index === undefined) {
          say(scanResult, "Code valide : la personne sera pointée présente à l'envoi.", "success");
        } else {
          say(scanResult, people[index][1] + " est pointé(e) présent(e).", "success");
        }
      });
    });
  }

  var canvas = document.createElement("canvas");

  // The QR code in an image (a video frame or a photo), scaled down to at most side px.
  function decode(source, width, height, side) {
    if (typeof window.jsQR !== "function") { return null; }
    var scale = Math.min(1, side / Math.max(width, height));
    canvas.width = Math.max(1, Math.round(width * scale));
    canvas.height = Math.max(1, Math.round(height * scale));
    var context = canvas.getContext("2d", { willReadFrequently: true });
    context.drawImage(source, 0, 0, canvas.width, canvas.height);
    var pixels = context.getImageData(0, 0, canvas.width, canvas.height);
    var found = window.jsQR(pixels.data, pixels.width, pixels.height, { inversionAttempts: "attemptBoth" });
    return found ? found.data : null;
  }

  var photo = document.getElementById("scan-photo");
  if (photo) {
    photo.addEventListener("change", function () {
      var file = photo.files && photo.files[0];
      if (!file) { return; }
      say(scanResult, "", "");
      createImageBitmap(file).then(function (bitmap) {
        var text = decode(bitmap, bitmap.width, bitmap.height, 1024);
        if (bitmap.close) { bitmap.close(); }
        if (text === null) {
          say(scanResult, MESSAGES.noCodeInPhoto, "danger");
          return undefined;
        }
        return codeScanned(text);
      }).catch(function () {
        say(scanResult, MESSAGES.noCodeInPhoto, "danger");
      }).then(function () {
        photo.value = "";
      });
    });
  }

  var startButton = document.getElementById("scan-start");
  var stopButton = document.getElementById("scan-stop");
  var camera = document.getElementById("scan-camera");
  var stream = null;
  var video = null;
  var lastFrame = 0;

  function stopCamera() {
    if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
    stream = null;
    if (video) { video.remove(); video = null; }
    if (camera) { camera.hidden = true; }
    if (stopButton) { stopButton.hidden = true; }
    if (startButton) { startButton.hidden = false; startButton.focus(); }
  }

  function scanFrame(time) {
    if (!stream || !video) { return; }
    if (time - lastFrame > 250 && video.readyState >= 2 && video.videoWidth) {
      lastFrame = time;
      var text = decode(video, video.videoWidth, video.videoHeight, 640);
      if (text !== null) {
        stopCamera();
        codeScanned(text);
        return;
      }
    }
    window.requestAnimationFrame(scanFrame);
  }

  if (startButton && camera) {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      startButton.hidden = true; // the photo field remains
    }
    startButton.addEventListener("click", function () {
      say(scanResult, "", "");
      navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false })
        .then(function (media) {
          stream = media;
          video = document.createElement("video");
          video.className = "w-100 rounded border";
          video.muted = true;
          video.setAttribute("playsinline", "");
          video.setAttribute("aria-label", "Image de la caméra : présentez le code personnel");
          video.srcObject = media;
          camera.replaceChildren(video);
          camera.hidden = false;
          startButton.hidden = true;
          if (stopButton) { stopButton.hidden = false; stopButton.focus(); }
          return video.play();
        })
        .then(function () { window.requestAnimationFrame(scanFrame); })
        .catch(function (error) {
          stopCamera();
          say(scanResult, error && error.name === "NotAllowedError" ? MESSAGES.cameraDenied : MESSAGES.cameraMissing, "danger");
        });
    });
  }
  if (stopButton) { stopButton.addEventListener("click", stopCamera); }

  // --- Walk-ins: added on the phone, shown at once, sent with the queue. ---

  var walkInForm = document.getElementById("walk-in-form");
  var walkInError = document.getElementById("walk-in-error");
  var walkInDone = document.getElementById("walk-in-done");
  var organisationSearch = document.getElementById("walk-in-organisation");
  var choices = document.getElementById("walk-in-choices");
  var choiceList = document.getElementById("walk-in-choice-list");
  var CHOICES_SHOWN = 20;

  function organisationMatches(text) {
    var query = fold(text.trim());
    var found = [];
    if (!query) { return found; }
    for (var i = 0; i < organisations.length; i++) {
      if (fold(organisations[i]).indexOf(query) !== -1) { found.push(i); }
    }
    return found.sort(function (a, b) { return organisations[a].localeCompare(organisations[b], "fr"); });
  }

  function offerOrganisations() {
    var found = organisationMatches(organisationSearch.value).slice(0, CHOICES_SHOWN);
    choiceList.replaceChildren();
    found.forEach(function (index, position) {
      var wrapper = document.createElement("div");
      wrapper.className = "form-check";
      var input = document.createElement("input");
      input.className = "form-check-input";
      input.type = "radio";
      input.name = "organisation";
      input.id = "walk-in-organisation-" + position;
      input.value = String(index);
      var label = document.createElement("label");
      label.className = "form-check-label";
      label.htmlFor = input.id;
      label.textContent = organisations[index];
      wrapper.append(input, label);
      choiceList.appendChild(wrapper);
    });
    choices.hidden = found.length === 0;
  }

  function walkInFailed(message, field) {
    walkInError.className = "alert alert-danger";
    walkInError.textContent = message;
    if (field) { field.focus(); }
  }

  if (walkInForm && organisationSearch && choices && choiceList) {
    organisationSearch.addEventListener("input", offerOrganisations);
    walkInForm.addEventListener("submit", function (event) {
      event.preventDefault();
      walkInError.className = "";
      walkInError.textContent = "";
      var email = walkInForm.elements.email;
      var address = email.value.trim();
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address)) {
        walkInFailed(MESSAGES.email, email);
        return;
      }
      var twice = queue.some(function (action) {
        return action.walk_in && action.walk_in.email.toLowerCase() === address.toLowerCase();
      });
      if (twice) {
        walkInFailed(MESSAGES.emailTwice, email);
        return;
      }
      var index = -1;
      var chosen = choiceList.querySelector("input:checked");
      var text = organisationSearch.value.trim();
      if (chosen) {
        index = Number(chosen.value);
      } else if (text) {
        var found = organisationMatches(text);
        if (found.length === 1) {
          index = found[0];
        } else if (found.length === 0) {
          walkInFailed("Aucune entité de la liste ne correspond à « " + text + " ».", organisationSearch);
          return;
        } else {
          walkInFailed(MESSAGES.manyOrganisations, organisationSearch);
          return;
        }
      }
      var person = {
        email: address,
        first_name: walkInForm.elements.first_name.value.trim(),
        last_name: walkInForm.elements.last_name.value.trim(),
        organisation: index >= 0 ? organisationIds[index] : null
      };
      var name = (person.first_name + " " + person.last_name).trim() || address;
      enqueue({
        walk_in: person,
        temp: "nouveau-" + clientId(),
        organisation_name: index >= 0 ? organisations[index] : ""
      }).then(function () {
        haystacks = [];
        search.value = name;
        applyFilter();
        walkInForm.reset();
        choiceList.replaceChildren();
        choices.hidden = true;
        say(walkInDone, name + " est ajouté(e) et pointé(e) présent(e).", "success");
        email.focus();
      });
    });
  }

  // --- Start: the phone's copy of the roster if any, then the server's; the queue on
  // top. ---

  var withoutJs = document.getElementById("roster-without-js");
  if (withoutJs) { withoutJs.hidden = true; }
  var searchButton = document.getElementById("roster-search-button");
  if (searchButton) {
    searchButton.hidden = true;
    searchButton.parentNode.classList.remove("input-group"); // the box alone, its corners round
  }
  search.form.addEventListener("submit", function (event) { event.preventDefault(); });
  search.addEventListener("input", applyFilter);
  if (more) {
    more.addEventListener("click", showMore);
    if ("IntersectionObserver" in window) {
      new IntersectionObserver(function (entries) {
        if (entries[0].isIntersecting) { showMore(); }
      }, { rootMargin: "600px" }).observe(more);
    }
  }
  var loading = document.getElementById("roster-loading");
  if (loading) { loading.hidden = false; }

  // The server's roster; a refusal (an ended session: the login page) is not the network.
  function fetchRoster() {
    return fetch(rosterUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (!response.ok || response.redirected || type.indexOf("application/json") !== 0) {
          return { refused: true };
        }
        return response.json().then(function (roster) { return { roster: roster }; });
      })
      .catch(function () { return {}; }); // no network, or an answer cut short
  }

  // The roster this phone kept for this organiser, or null.
  function phoneCopy() {
    return stored("rosters", "readonly", function (store) { return store.get(activityId); })
      .then(function (copy) {
        return copy && copy.organiser === organiserId ? copy : null;
      }, function () { return null; });
  }

  function rosterFailed(message) {
    if (loading) { loading.hidden = true; }
    var failed = document.createElement("div");
    failed.className = "alert alert-danger";
    failed.setAttribute("role", "alert");
    failed.textContent = message;
    list.parentNode.insertBefore(failed, list);
  }

  function restore() {
    var roster = stored("rosters", "readonly", function (store) { return store.get(activityId); });
    var actions = stored("queue", "readonly", function (store) {
      return store.index("activity").getAll(activityId);
    });
    return Promise.all([roster, actions]).then(function (found) {
      var copy = found[0];
      var changed = false;
      if (copy && copy.organiser === organiserId && Date.parse(copy.at) > Date.parse(pageRoster.at)) {
        base = copy; // the phone knows newer answers of the server than this (cached) page
        changed = true;
      }
      if (copy && copy.organiser === organiserId) { lastSync = copy.synced_at || lastSync; }
      var known = {};
      queue.forEach(function (action) { known[action.id] = true; });
      (found[1] || []).filter(mine).forEach(function (action) {
        if (!known[action.id]) { queue.push(action); changed = true; }
      });
      queue.sort(function (a, b) { return a.seq - b.seq; });
      if (changed) { rebuild(); }
      return saveRoster();
    }).catch(function () { return undefined; });
  }

  var started = false;

  function start(roster) {
    started = true;
    if (loading) { loading.hidden = true; }
    pageRoster = roster;
    base = roster;
    codes = roster.attendance;
    lastSync = roster.synced_at || "";
    rebuild();
    app.hidden = false;
    var tools = document.getElementById("checkin-tools");
    if (tools) { tools.hidden = false; }
    var walkInLink = document.getElementById("walk-in-link");
    if (walkInLink && walkInForm) { walkInLink.hidden = true; }
    showStatus();
    restore().then(function () {
      showStatus();
      sync();
    });
    window.addEventListener("online", function () { showStatus(); sync(); });
    window.addEventListener("offline", showStatus);
    window.setInterval(sync, SYNC_EVERY_MS);
    keepForOffline();
  }

  // The server's roster once the phone's copy is shown: the newer of the two stays.
  function adopt(roster) {
    if (Date.parse(roster.at) <= Date.parse(base.at)) { return; }
    pageRoster = roster;
    base = roster;
    rebuild();
    saveRoster();
  }

  // The phone's copy shows at once, the server's roster replaces it when it comes; without
  // network the copy stays, and without a copy the page says why nothing is listed.
  phoneCopy().then(function (copy) {
    if (copy && !started) { start(copy); }
  });
  fetchRoster().then(function (answer) {
    if (answer.roster) {
      if (started) { adopt(answer.roster); } else { start(answer.roster); }
    } else if (answer.refused) {
      rosterFailed(MESSAGES.rosterRefused);
    } else if (!started) {
      phoneCopy().then(function (copy) {
        if (started) { return; }
        if (copy) { start(copy); } else { rosterFailed(MESSAGES.rosterOffline); }
      });
    }
  });

  // The service worker keeps this page and its files for a reload without network.
  function keepForOffline() {
    if (!("serviceWorker" in navigator) || !app.getAttribute("data-worker")) { return; }
    navigator.serviceWorker.register(app.getAttribute("data-worker"), { scope: app.getAttribute("data-scope") })
      .then(function () { return navigator.serviceWorker.ready; })
      .then(function (registration) {
        var assets = [];
        document.querySelectorAll("script[src], link[rel=stylesheet], link[rel=icon], link[rel=manifest]").forEach(function (element) {
          assets.push(element.src || element.href);
        });
        navigator.serviceWorker.addEventListener("message", function (event) {
          if (event.data && event.data.type === "checkin-cached") {
            app.setAttribute("data-offline", event.data.ok ? "ready" : "failed");
            var ready = document.getElementById("checkin-offline");
            if (ready && event.data.ok) { ready.textContent = "Cette page reste disponible sans connexion."; }
          }
        });
        registration.active.postMessage({ type: "checkin-cache", page: app.getAttribute("data-page"), assets: assets });
      })
      .catch(function () { return undefined; });
  }
})();
