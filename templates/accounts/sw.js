/* The portal's service worker (accounts.views.service_worker_view), so that the forms inspectors
   and NGO staff fill in the field open and send with no network.

   Kept on the phone: the page shell (css, scripts, icons: no personal data), the translation
   catalogues, and the offline form pages as the server rendered them for this user (their
   choice lists are the user's own scope, so nothing outside it is kept). Form pages are asked
   of the network first and the copy is used only when there is none. No other page and no API
   answer is kept. Sign-out deletes the form pages and the outbox (static/js/offline.js). */
"use strict";

const CONFIG = {{ config }};
// Workbox, idb and the outbox, all from the portal's own static files.
importScripts(...CONFIG.scripts);

const PAGES = "hamkorlik-pages";
const STATIC = "hamkorlik-static";
const I18N = "hamkorlik-i18n";
const pagePaths = new Set(CONFIG.pages);
const lookupPaths = new Set(CONFIG.lookups);
// On a weak signal a request may hang rather than fail: after this, the copy is shown.
const NETWORK_TIMEOUT_SECONDS = 6;

workbox.core.setCacheNameDetails({ prefix: "hamkorlik" });
self.skipWaiting();
workbox.core.clientsClaim();
workbox.precaching.cleanupOutdatedCaches();
workbox.precaching.precacheAndRoute(CONFIG.shell);

// Only a page the server showed as such is kept: not a redirect to the login page, not an
// error, not a page with a query (which may hold anything the user typed).
const keepPlainPages = {
  cacheWillUpdate: async ({ request, response }) =>
    response && response.status === 200 && !response.redirected &&
    !new URL(request.url).search ? response : null,
};
const keepSuccessful = {
  cacheWillUpdate: async ({ response }) =>
    response && response.status === 200 && !response.redirected ? response : null,
};

workbox.routing.registerRoute(
  ({ request, url, sameOrigin }) =>
    sameOrigin && request.mode === "navigate" && pagePaths.has(url.pathname),
  new workbox.strategies.NetworkFirst({
    cacheName: PAGES,
    networkTimeoutSeconds: NETWORK_TIMEOUT_SECONDS,
    matchOptions: { ignoreSearch: true },
    plugins: [keepPlainPages],
  })
);
workbox.routing.registerRoute(
  ({ url, sameOrigin }) => sameOrigin && lookupPaths.has(url.pathname),
  new workbox.strategies.NetworkFirst({
    cacheName: PAGES,
    networkTimeoutSeconds: NETWORK_TIMEOUT_SECONDS,
    plugins: [keepSuccessful],
  })
);
// The page names its language in the catalogue's URL (?l=), so each language has its copy.
workbox.routing.registerRoute(
  ({ url, sameOrigin }) => sameOrigin && url.pathname === CONFIG.i18n,
  new workbox.strategies.StaleWhileRevalidate({ cacheName: I18N, plugins: [keepSuccessful] })
);
workbox.routing.registerRoute(
  ({ url, sameOrigin }) => sameOrigin && url.pathname.startsWith(CONFIG.static),
  new workbox.strategies.StaleWhileRevalidate({
    cacheName: STATIC,
    plugins: [
      keepSuccessful,
      new workbox.expiration.ExpirationPlugin({ maxEntries: 60, purgeOnQuotaError: true }),
    ],
  })
);
// Every other page comes from the network; with none, the outbox page stands in for it.
workbox.routing.registerRoute(
  ({ request, sameOrigin }) => sameOrigin && request.mode === "navigate",
  new workbox.strategies.NetworkOnly()
);
workbox.routing.setCatchHandler(async ({ request }) => {
  if (request.mode === "navigate") {
    const cache = await caches.open(PAGES);
    const fallback = await cache.match(CONFIG.outbox);
    if (fallback) {
      return fallback;
    }
  }
  return Response.error();
});

// Fetches the offline forms a signed-in user may open, and the translation catalogue of the
// page's language, so that they open later with no network even if the user has not visited
// them yet (or not since this worker came); answers the paths now kept.
async function keepForms(urls, catalog) {
  if (catalog && new URL(catalog, self.location.origin).pathname === CONFIG.i18n) {
    try {
      const response = await fetch(catalog, { credentials: "same-origin" });
      if (response.status === 200) {
        await (await caches.open(I18N)).put(catalog, response);
      }
    } catch (error) {
      // Offline: the copy kept before, if any, serves.
    }
  }
  const cache = await caches.open(PAGES);
  const kept = [];
  for (const url of urls) {
    if (!pagePaths.has(new URL(url, self.location.origin).pathname)) {
      continue;
    }
    try {
      const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
      if (response.status === 200 && !response.redirected) {
        await cache.put(url, response);
        kept.push(url);
      } else {
        // Signed out, or the form is no longer the user's: the old copy must go too.
        await cache.delete(url);
      }
    } catch (error) {
      if (await cache.match(url)) {
        kept.push(url);
      }
    }
  }
  return kept;
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  const reply = (message) => event.ports[0] && event.ports[0].postMessage(message);
  if (data.type === "keep-forms") {
    event.waitUntil(keepForms(data.urls || [], data.catalog).then((kept) => reply({ kept: kept })));
  } else if (data.type === "send-outbox") {
    event.waitUntil(sendOutbox().then(() => reply({ done: true }), () => reply({ done: false })));
  }
});

function sendOutbox() {
  return self.HamkorlikOutbox.sendAll({ session: CONFIG.session, login: CONFIG.login });
}

// Background sync: the browser wakes the worker when the network returns, even with no page of
// the portal open. A failure asks the browser to try again later.
self.addEventListener("sync", (event) => {
  if (event.tag === "outbox") {
    event.waitUntil(
      sendOutbox().then((result) => {
        if (result.retry) {
          throw new Error("The outbox could not reach the server.");
        }
      })
    );
  }
});
