/* 平安网格通 service worker: keeps the app shell so /m/ opens without a network.
   Data and the send queue live in IndexedDB (app.js); this worker only caches the shell. */
"use strict";
const CACHE = "pingan-m-{{ version }}";
const ASSETS = {{ assets|safe|default:"[]" }};

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("pingan-m-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET") return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  const shell = url.pathname === "/m/" || ASSETS.includes(url.pathname);
  if (!shell) return;
  // Network first (fresh shell when online), the cached copy when not.
  event.respondWith(
    fetch(req)
      .then((res) => {
        if (res.ok && !res.redirected) {
          const copy = res.clone();
          caches.open(CACHE).then((c) => c.put(url.pathname, copy));
        }
        return res;
      })
      .catch(() => caches.match(url.pathname).then((hit) => hit || Response.error()))
  );
});
