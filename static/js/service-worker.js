// The service worker (served as /sw.js by riskapp/main/offline.py, which puts the shell's version
// and file list in self.RISKAPP_SHELL in front of this source).
//
// - The shell (CSS, JS, icons, the offline page) is precached under a name carrying the version:
//   a deploy that changes any of these files installs a new worker and deletes the old cache.
// - Pages are network-first; a page the person opened is kept in the "pages" cache and shown
//   when the network is down (so the form they were on reloads offline); a page never opened
//   shows the offline page.
// - Never cached: anything but GET, /api/, report and evidence downloads, ZIP exports, JSON, and
//   any response that is not a plain 200 HTML page. Logging out clears the pages cache (the page
//   asks, see offline-store.js), so another user of the phone never sees them.
/* global self, caches, fetch, URL, Response */
"use strict";

const SHELL = self.RISKAPP_SHELL;
const SHELL_CACHE = "riskapp-shell-" + SHELL.version;
const PAGES_CACHE = "riskapp-pages";
const NEVER = [/^\/api\//, /^\/reports\//, /^\/evidence\//, /^\/audit\/exports/, /^\/verify/,
  /^\/sw\.js$/, /^\/auth\//, /\/download/, /\.(pdf|zip|xlsx|csv)$/];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL_CACHE)
      .then((cache) => cache.addAll(SHELL.shell.concat([SHELL.offline])))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names
        .filter((name) => name.startsWith("riskapp-shell-") && name !== SHELL_CACHE)
        .map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "logout") {
    event.waitUntil(caches.delete(PAGES_CACHE));
  }
});

function isPage(response) {
  const type = response.headers.get("Content-Type") || "";
  const control = response.headers.get("Cache-Control") || "";
  return response.status === 200 && !response.redirected && type.startsWith("text/html") &&
    control.indexOf("no-store") === -1;
}

function pageKey(url) {
  const key = new URL(url);
  key.hash = "";
  return key.href;
}

function networkFirst(request) {
  return fetch(request)
    .then((response) => {
      if (isPage(response)) {
        const copy = response.clone();
        caches.open(PAGES_CACHE).then((cache) => cache.put(pageKey(request.url), copy));
      }
      return response;
    })
    .catch(() => caches.open(PAGES_CACHE)
      .then((cache) => cache.match(pageKey(request.url)))
      .then((kept) => kept || caches.match(SHELL.offline))
      .then((kept) => kept || new Response("offline", { status: 503 })));
}

function shellFirst(request) {
  return caches.open(SHELL_CACHE)
    .then((cache) => cache.match(request, { ignoreSearch: true }))
    .then((kept) => kept || fetch(request));
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (NEVER.some((pattern) => pattern.test(url.pathname))) return;
  if (SHELL.shell.indexOf(url.pathname) !== -1) {
    event.respondWith(shellFirst(request));
  } else if (request.mode === "navigate") {
    event.respondWith(networkFirst(request));
  }
});
