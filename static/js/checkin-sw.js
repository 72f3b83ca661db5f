// The check-in app's service worker (A2), served at /activites/pointage-sw.js with the
// scope /activites/. It keeps, for a reload without network, the check-in pages an
// organiser opened (one cache per activity, with the page's manifest) and the static
// files those pages named (a shared cache): network first, the cached copy only when the
// network fails. It caches no other page. When the server refuses the check-in page (401,
// 403) or sends to the login page, that activity's cache is dropped: its roster is no
// longer this browser's to see. Posts (the sync of the queue) are never touched.
"use strict";

var PAGE = /^\/activites\/(\d+)\/pointage\/$/;
var MANIFEST = /^\/activites\/(\d+)\/pointage\/app\.webmanifest$/;
var STATIC_CACHE = "cosge-pointage-static-v1";
var PREFIX = "cosge-pointage-activite-";

function activityCache(pk) {
  return PREFIX + pk;
}

function activityOf(pathname) {
  var match = pathname.match(PAGE) || pathname.match(MANIFEST);
  return match ? match[1] : null;
}

function refused(response, pathname) {
  if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) {
    return true;
  }
  // Fetch followed a redirect elsewhere: the login page, in practice.
  return response.redirected && new URL(response.url).pathname !== pathname;
}

function keep(cacheName, key, response) {
  return caches.open(cacheName).then(function (cache) { return cache.put(key, response); });
}

// Network first; on a refusal the activity's copy goes; without network, the copy.
function activityFirst(request, url, pk) {
  return fetch(request).then(function (response) {
    if (refused(response, url.pathname)) {
      return caches.delete(activityCache(pk)).then(function () { return response; });
    }
    if (response.status === 200 && response.type === "basic" && !url.search) {
      var copy = response.clone();
      return keep(activityCache(pk), url.pathname, copy).then(function () { return response; });
    }
    return response;
  }, function () {
    return caches.open(activityCache(pk))
      .then(function (cache) { return cache.match(url.pathname); })
      .then(function (hit) { return hit || Response.error(); });
  });
}

// A static file a check-in page named: network first, refreshed, else the copy.
function staticFirst(request, hit) {
  return fetch(request).then(function (response) {
    if (response.status === 200 && response.type === "basic") {
      var copy = response.clone();
      return keep(STATIC_CACHE, request, copy).then(function () { return response; });
    }
    return response;
  }, function () {
    return hit;
  });
}

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("cosge-pointage-static-") === 0 && name !== STATIC_CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  var pk = activityOf(url.pathname);
  if (pk !== null) {
    event.respondWith(activityFirst(request, url, pk));
    return;
  }
  if (url.pathname.indexOf("/static/") !== 0) { return; }
  event.respondWith(
    caches.open(STATIC_CACHE)
      .then(function (cache) { return cache.match(request); })
      .then(function (hit) { return hit ? staticFirst(request, hit) : fetch(request); })
  );
});

// The check-in page, once loaded, asks for itself and its files to be kept: the first
// visit was loaded before this worker controlled the page.
self.addEventListener("message", function (event) {
  var message = event.data || {};
  if (message.type !== "checkin-cache" || typeof message.page !== "string") { return; }
  var page = new URL(message.page, self.location.origin);
  var pk = activityOf(page.pathname);
  if (pk === null || page.origin !== self.location.origin || !PAGE.test(page.pathname)) { return; }
  var files = [];
  var manifests = [];
  (message.assets || []).forEach(function (asset) {
    var url = new URL(asset, self.location.origin);
    if (url.origin !== self.location.origin) { return; }
    if (url.pathname.indexOf("/static/") === 0) { files.push(url.href); }
    if (activityOf(url.pathname) === pk && MANIFEST.test(url.pathname)) { manifests.push(url.pathname); }
  });
  var work = Promise.all([
    activityFirst(new Request(page.pathname, { credentials: "same-origin" }), page, pk),
    Promise.all(manifests.map(function (path) {
      return activityFirst(new Request(path, { credentials: "same-origin" }), new URL(path, self.location.origin), pk);
    })),
    caches.open(STATIC_CACHE).then(function (cache) { return cache.addAll(files); })
  ]).then(function (answers) {
    return answers[0].status === 200;
  }, function () {
    return false;
  }).then(function (ok) {
    if (event.source) { event.source.postMessage({ type: "checkin-cached", ok: ok }); }
  });
  event.waitUntil(work);
});
