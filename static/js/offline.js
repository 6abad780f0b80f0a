// Installs the service worker (accounts/sw.js) that keeps the portal's shell and offline forms on
// the phone, keeps those forms fresh for the signed-in user, and forgets them at sign-out.
// Without scripts or service workers the portal works as before, online only.
(function () {
  "use strict";

  var PAGES = "hamkorlik-pages";
  // localStorage: whose forms the phone keeps, and since when (no personal data).
  var KEPT = "hamkorlik-offline";
  // Kept forms are fetched again after this long; each online visit of a form refreshes it too.
  var REFRESH_MS = 30 * 60 * 1000;
  // Sign-out never waits longer than this for the phone to forget.
  var FORGET_TIMEOUT_MS = 3000;

  var element = document.getElementById("offline-config");
  if (!element || !("serviceWorker" in navigator)) {
    return;
  }
  var config = JSON.parse(element.textContent);
  if (!config) {
    return;  // a page rendered without the request's context (the 500 page)
  }
  var gettext = window.gettext || function (text) { return text; };
  var ngettext = window.ngettext || function (one, many, count) { return count === 1 ? one : many; };
  var interpolate = window.interpolate || function (text, values) {
    return text.replace(/%\((\w+)\)s/g, function (match, name) { return values[name]; });
  };

  function readKept() {
    try {
      return JSON.parse(localStorage.getItem(KEPT) || "null");
    } catch (error) {
      return null;
    }
  }

  function askWorker(message) {
    return navigator.serviceWorker.ready.then(function (registration) {
      return new Promise(function (resolve) {
        var channel = new MessageChannel();
        channel.port1.onmessage = function (event) { resolve(event.data); };
        registration.active.postMessage(message, [channel.port2]);
        setTimeout(function () { resolve(null); }, 30000);
      });
    });
  }

  // Marks what has a copy on this phone: the form page says it works offline, the outbox page
  // marks its links, and <html data-offline-ready> tells that every form of the user is kept.
  function showKept() {
    if (!window.caches) {
      return Promise.resolve();
    }
    return caches.open(PAGES).then(function (cache) {
      return Promise.all(config.forms.map(function (form) {
        return cache.match(form.url).then(function (response) { return [form.url, !!response]; });
      }));
    }).then(function (pairs) {
      var kept = {};
      pairs.forEach(function (pair) { kept[pair[0]] = pair[1]; });
      document.querySelectorAll("[data-offline-hint]").forEach(function (hint) {
        hint.hidden = !kept[location.pathname];
      });
      document.querySelectorAll("[data-offline-link]").forEach(function (link) {
        var mark = link.parentElement.querySelector("[data-offline-mark]");
        if (mark) {
          mark.hidden = !kept[link.getAttribute("href")];
        }
      });
      if (pairs.every(function (pair) { return pair[1]; })) {
        document.documentElement.setAttribute("data-offline-ready", "true");
      }
    });
  }

  function keepForms() {
    var kept = readKept();
    if (kept && kept.user !== config.user) {
      // Another account's pages must not stay behind (its session ended without a sign-out).
      caches.delete(PAGES);
      kept = null;
    }
    var fresh = kept && Date.now() - kept.at < REFRESH_MS;
    if (!navigator.onLine || fresh) {
      return showKept();
    }
    var urls = config.forms.map(function (form) { return form.url; }).concat([config.outbox]);
    var message = { type: "keep-forms", urls: urls, catalog: config.catalog };
    return askWorker(message).then(function (reply) {
      if (reply) {
        localStorage.setItem(KEPT, JSON.stringify({ user: config.user, at: Date.now() }));
      }
      return showKept();
    });
  }

  function unsentCount() {
    if (!window.HamkorlikOutbox) {
      return Promise.resolve(0);
    }
    return window.HamkorlikOutbox.list(config.user).then(function (entries) {
      return entries.filter(function (entry) { return entry.state !== "sent"; }).length;
    }, function () { return 0; });
  }

  // Deletes the kept form pages and the outbox; the static shell stays (no personal data).
  function forget() {
    var work = [caches.delete(PAGES)];
    if (window.HamkorlikOutbox) {
      work.push(window.HamkorlikOutbox.destroy());
    }
    localStorage.removeItem(KEPT);
    var timeout = new Promise(function (resolve) { setTimeout(resolve, FORGET_TIMEOUT_MS); });
    return Promise.race([Promise.all(work).catch(function () {}), timeout]);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!config.user || !form.matches("form[data-logout-form]")) {
      return;
    }
    event.preventDefault();
    unsentCount().then(function (count) {
      if (count) {
        var warning = interpolate(ngettext(
          "%(count)s entry has not been sent; signing out deletes it. Sign out?",
          "%(count)s entries have not been sent; signing out deletes them. Sign out?",
          count
        ), { count: count }, true);
        if (!window.confirm(warning)) {
          return;
        }
      }
      forget().then(function () {
        HTMLFormElement.prototype.submit.call(form);
      });
    });
  });

  function showConnection() {
    document.querySelectorAll("[data-offline-only]").forEach(function (node) {
      node.hidden = navigator.onLine;
    });
  }
  showConnection();
  window.addEventListener("online", showConnection);
  window.addEventListener("offline", showConnection);

  window.addEventListener("load", function () {
    navigator.serviceWorker.register(config.serviceWorker, { scope: "/" }).then(function () {
      if (config.user) {
        keepForms();
      }
    }, function () {
      // No worker (a private window, a blocked feature): the portal works online only.
    });
  });
  if (config.user) {
    window.addEventListener("online", keepForms);
  }
})();
