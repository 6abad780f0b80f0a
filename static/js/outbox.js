// The outbox on the page. A form marked data-offline-form that is submitted with no network, no
// answer from the server or an ended session is kept on the phone (outbox-store.js) and sent
// later: when the network returns, when a page of the portal opens, or by the service worker's
// background sync. Online, with the session alive, a form is submitted the usual way.
// Its texts come from Django's JavaScript catalogue (djangojs).
(function () {
  "use strict";

  var element = document.getElementById("offline-config");
  var store = window.HamkorlikOutbox;
  if (!element || !store || !window.indexedDB) {
    return;
  }
  var config = JSON.parse(element.textContent);
  if (!config) {
    return;  // a page rendered without the request's context (the 500 page)
  }
  if (!config.user) {
    return;
  }
  var gettext = window.gettext || function (text) { return text; };
  var ngettext = window.ngettext || function (one, many, count) { return count === 1 ? one : many; };
  var interpolate = window.interpolate || function (text, values) {
    return text.replace(/%\((\w+)\)s/g, function (match, name) { return values[name]; });
  };

  // A server that has not answered the check before a submission in this long counts as none.
  var PROBE_TIMEOUT_MS = 5000;
  // While entries wait, the page tries again this often (a weak signal does not always tell
  // the browser when it comes back).
  var RETRY_MS = 60 * 1000;
  // Sent entries stay listed (without their contents) this long.
  var SENT_KEPT_MS = 3 * 24 * 3600 * 1000;
  // sessionStorage: the refused entry to open in its form on the next page.
  var CORRECT = "hamkorlik-outbox-correct";
  var options = { session: config.session, login: config.login };
  var STATES = {
    waiting: [gettext("Waiting"), "text-bg-secondary"],
    sending: [gettext("Sending"), "text-bg-info"],
    signin: [gettext("Sign in needed"), "text-bg-warning"],
    sent: [gettext("Sent"), "text-bg-success"],
    refused: [gettext("Refused"), "text-bg-danger"]
  };
  var usable = false;
  var sending = null;
  var renderQueued = false;

  function isPending(entry) {
    return store.PENDING.indexOf(entry.state) !== -1;
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) {
      return crypto.randomUUID();
    }
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); });
    return [hex.slice(0, 4), hex.slice(4, 6), hex.slice(6, 8), hex.slice(8, 10), hex.slice(10)]
      .map(function (part) { return part.join(""); }).join("-");
  }

  function localToday() {
    var now = new Date();
    var pad = function (n) { return String(n).padStart(2, "0"); };
    return now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate());
  }

  function formPath(form) {
    var url = new URL(form.action, location.href);
    return url.pathname + url.search;
  }

  // A form kept on the phone shows the day it was fetched: its date fields move to today.
  function refreshDates(form) {
    var rendered = form.getAttribute("data-rendered-on");
    var today = localToday();
    if (!rendered || rendered === today) {
      return;
    }
    form.querySelectorAll('input[type="date"]').forEach(function (input) {
      if (input.max === rendered) {
        input.max = today;
      }
      if (input.value === rendered && input.defaultValue === rendered) {
        input.value = today;
      }
    });
  }

  function build(form) {
    var data = new FormData(form);
    var fields = [];
    var files = [];
    data.forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken") {
        return;  // the token of the day the page was kept; a fresh one is sent in a header
      }
      if (typeof value === "string") {
        fields.push([name, value]);
      } else if (value && value.size) {
        files.push([name, value]);
      }
    });
    var summaryField = form.getAttribute("data-offline-summary");
    var summary = summaryField ? String(data.get(summaryField) || "").trim() : "";
    return {
      key: uuid(),
      user: config.user,
      url: formPath(form),
      label: form.getAttribute("data-offline-label") || document.title,
      detail: summary.length > 80 ? summary.slice(0, 79) + "…" : summary,
      created: new Date().toISOString(),
      multipart: form.enctype === "multipart/form-data",
      fields: fields,
      files: files,
      state: "waiting",
      attempts: 0
    };
  }

  // "online" when the server answers and the user's session is alive; "signin" when it has
  // ended (submitting would lose the entry to the login page); "offline" otherwise.
  function connection() {
    if (!navigator.onLine) {
      return Promise.resolve("offline");
    }
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = setTimeout(function () {
      if (controller) {
        controller.abort();
      }
    }, PROBE_TIMEOUT_MS);
    return fetch(config.session, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "application/json" },
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      if (!response.ok) {
        throw new Error("session " + response.status);
      }
      return response.json();
    }).then(function (session) {
      return session.user === config.user ? "online" : "signin";
    }, function () {
      return "offline";
    }).finally(function () {
      clearTimeout(timer);
    });
  }

  function setBusy(form, busy) {
    if (busy) {
      form.setAttribute("aria-busy", "true");
    } else {
      form.removeAttribute("aria-busy");
    }
    form.querySelectorAll('button[type="submit"], input[type="submit"]').forEach(function (button) {
      button.disabled = busy;
    });
  }

  // kind "queued": a notice that only holds while something waits to be sent.
  function notice(text, messages, signIn, kind) {
    var box = document.querySelector("[data-outbox-notice]");
    if (!box) {
      return;
    }
    box.replaceChildren();
    box.setAttribute("data-kind", kind || "");
    box.className = "alert mt-3 " + (messages && messages.length ? "alert-warning" : "alert-info");
    var paragraph = document.createElement("p");
    paragraph.className = "mb-0";
    paragraph.textContent = text;
    box.appendChild(paragraph);
    if (messages && messages.length) {
      var list = document.createElement("ul");
      list.className = "mb-0 mt-1";
      messages.forEach(function (message) {
        var item = document.createElement("li");
        item.textContent = message;
        list.appendChild(item);
      });
      box.appendChild(list);
    }
    if (signIn) {
      var link = document.createElement("a");
      link.className = "alert-link d-inline-block mt-1";
      link.href = signInUrl(location.pathname + location.search);
      link.textContent = gettext("Sign in");
      box.appendChild(link);
    }
    box.hidden = false;
  }

  function signInUrl(next) {
    return config.login + "?next=" + encodeURIComponent(next);
  }

  function requestSync() {
    if (!navigator.serviceWorker) {
      return;
    }
    navigator.serviceWorker.ready.then(function (registration) {
      return registration.sync ? registration.sync.register("outbox") : null;
    }).catch(function () {});
  }

  function submit(form) {
    if (form.hasAttribute("aria-busy")) {
      return;
    }
    setBusy(form, true);
    var entry = build(form);
    var replaces = form.getAttribute("data-outbox-replaces");
    var forgetReplaced = function () {
      form.removeAttribute("data-outbox-replaces");
      return replaces ? store.remove(replaces) : null;
    };
    connection().then(function (state) {
      if (state === "online") {
        // A correction sent the usual way replaces the refused entry.
        return Promise.resolve(forgetReplaced()).then(function () {
          HTMLFormElement.prototype.submit.call(form);
        });
      }
      entry.state = state === "signin" ? "signin" : "waiting";
      return store.add(entry).then(forgetReplaced).then(function () {
        form.reset();
        refreshDates(form);
        setBusy(form, false);
        if (state === "signin") {
          notice(gettext("Your session has ended. The entry is kept in the outbox: sign in, and it is sent."), null, true);
        } else {
          notice(gettext("No network: the entry is kept in the outbox and sent when the network returns."), null, false, "queued");
          requestSync();
        }
      });
    }).catch(function () {
      // The phone could not keep it (storage full or blocked): the usual way, as without scripts.
      HTMLFormElement.prototype.submit.call(form);
    });
  }

  // The messages of a refused entry, read from the form page the server answered with: field
  // errors under their label, and the form's general errors.
  function refusalMessages(html) {
    var doc = new DOMParser().parseFromString(html || "", "text/html");
    var messages = [];
    var add = function (text) {
      text = text.replace(/\s+/g, " ").trim();
      if (text && messages.indexOf(text) === -1) {
        messages.push(text);
      }
    };
    doc.querySelectorAll(".alert-danger, .errorlist li").forEach(function (node) {
      add(node.textContent);
    });
    doc.querySelectorAll(".invalid-feedback").forEach(function (node) {
      var box = node.parentElement && node.parentElement.closest(".mb-3");
      var label = box && box.querySelector("label");
      var name = label ? label.textContent.replace("*", "").trim() : "";
      add(name ? name + ": " + node.textContent.trim() : node.textContent);
    });
    return messages;
  }

  function problemText(entry) {
    switch (entry.problem) {
      case "forbidden":
        return gettext("The server refused the entry: access denied.");
      case "gone":
        return gettext("This form is no longer open to you.");
      case "conflict":
        return gettext("The server already has a different entry under this key.");
      case "too-large":
        return gettext("The files are too large to send.");
      case "server":
        return gettext("The server did not answer; the entry is sent again later.");
      case "status":
        return interpolate(gettext("The server refused the entry (error %(status)s)."), { status: entry.status }, true);
      case "form":
        return gettext("The server refused the entry.");
    }
    return "";
  }

  function entryMessages(entry) {
    if (entry.state === "refused" && entry.messages && entry.messages.length) {
      return entry.messages;
    }
    var text = entry.state === "refused" || entry.state === "waiting" ? problemText(entry) : "";
    return text ? [text] : [];
  }

  function formatDate(iso) {
    try {
      return new Date(iso).toLocaleString(document.documentElement.lang || undefined, {
        dateStyle: "short",
        timeStyle: "short"
      });
    } catch (error) {
      return new Date(iso).toLocaleString();
    }
  }

  function button(text, label, className, action) {
    var node = document.createElement("button");
    node.type = "button";
    node.className = "btn btn-sm " + className;
    node.textContent = text;
    var hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = ": " + label;
    node.appendChild(hidden);
    node.addEventListener("click", action);
    return node;
  }

  function link(text, href, className) {
    var node = document.createElement("a");
    node.className = "btn btn-sm " + className;
    node.href = href;
    node.textContent = text;
    return node;
  }

  function remove(entry) {
    var question = entry.state === "sent" ? null : gettext("Delete this entry? It has not been sent.");
    if (question && !window.confirm(question)) {
      return;
    }
    store.remove(entry.key);
  }

  function item(entry) {
    var node = document.createElement("li");
    node.className = "list-group-item";
    node.setAttribute("data-testid", "outbox-entry");
    node.setAttribute("data-state", entry.state);
    node.setAttribute("data-outbox-key", String(entry.key));
    node.tabIndex = -1; // the focus lands here when the button it was on is gone
    var head = document.createElement("div");
    head.className = "d-flex justify-content-between align-items-start gap-2";
    var text = document.createElement("div");
    text.className = "text-break";
    var title = document.createElement("div");
    title.className = "fw-semibold";
    title.textContent = entry.label;
    var detail = document.createElement("div");
    detail.className = "small text-body-secondary";
    detail.textContent = (entry.detail ? entry.detail + " · " : "") + formatDate(entry.created);
    text.append(title, detail);
    var state = STATES[entry.state] || STATES.waiting;
    var badge = document.createElement("span");
    badge.className = "badge " + state[1];
    badge.textContent = state[0];
    head.append(text, badge);
    node.appendChild(head);

    var messages = entryMessages(entry);
    if (messages.length) {
      var list = document.createElement("ul");
      list.className = "small mb-0 mt-1 " + (entry.state === "refused" ? "text-danger" : "text-body-secondary");
      list.setAttribute("data-testid", "outbox-messages");
      messages.forEach(function (message) {
        var line = document.createElement("li");
        line.textContent = message;
        list.appendChild(line);
      });
      node.appendChild(list);
    }

    var actions = document.createElement("div");
    actions.className = "d-flex flex-wrap gap-2 mt-2";
    function action(name, control) {
      control.setAttribute("data-outbox-action", name);
      actions.appendChild(control);
    }
    if (entry.state === "refused") {
      action("correct", button(gettext("Correct and send again"), entry.label, "btn-outline-primary", function () {
        correct(entry);
      }));
    }
    if (entry.state === "signin") {
      action("signin", link(gettext("Sign in"), signInUrl(entry.url), "btn-outline-primary"));
    }
    if (entry.state === "sent" && entry.resultUrl) {
      action("open", link(gettext("Open"), entry.resultUrl, "btn-outline-secondary"));
    }
    if (entry.state !== "sending") {
      var label = entry.state === "sent" ? gettext("Remove from the list") : gettext("Delete");
      action("remove", button(label, entry.label, "btn-outline-danger", function () { remove(entry); }));
    }
    node.appendChild(actions);
    return node;
  }

  // Every render rebuilds the entries, removing the button the focus was on: without this the
  // focus would fall to the top of the page each time an entry is sent or changes state.
  function focusIn(list) {
    var active = document.activeElement;
    if (!active || !list.contains(active)) {
      return null;
    }
    var entry = active.closest("[data-outbox-key]");
    return entry && {
      key: entry.getAttribute("data-outbox-key"),
      action: active.getAttribute("data-outbox-action"),
    };
  }

  // The same button of the same entry; else the entry (its button is gone with its state);
  // else, the entry itself gone, the outbox's status line.
  function refocus(panel, list, focus) {
    var entry = Array.prototype.find.call(list.children, function (node) {
      return node.getAttribute("data-outbox-key") === focus.key;
    });
    var control = entry && focus.action &&
      entry.querySelector('[data-outbox-action="' + focus.action + '"]');
    var target = control || entry || panel.querySelector("[data-outbox-status]");
    if (target) {
      if (!target.hasAttribute("tabindex") && !control) {
        target.tabIndex = -1;
      }
      target.focus();
    }
  }

  function summary(pending, refused) {
    var parts = [];
    if (pending) {
      parts.push(interpolate(ngettext("%(count)s waiting to send", "%(count)s waiting to send", pending), { count: pending }, true));
    }
    if (refused) {
      parts.push(interpolate(ngettext("%(count)s refused", "%(count)s refused", refused), { count: refused }, true));
    }
    return parts.length ? parts.join(" · ") : gettext("Everything has been sent.");
  }

  function render() {
    renderQueued = false;
    return store.list(config.user).then(function (entries) {
      // A refusal's page is read once into its messages, then dropped.
      entries.forEach(function (entry) {
        if (entry.state === "refused" && entry.page) {
          entry.messages = refusalMessages(entry.page);
          store.update(entry.key, { messages: entry.messages, page: null });
        }
      });
      var pending = entries.filter(isPending).length;
      var refused = entries.filter(function (entry) { return entry.state === "refused"; }).length;
      var text = summary(pending, refused);
      var hasPanel = !!document.querySelector("[data-outbox]");
      document.querySelectorAll('[data-outbox-notice][data-kind="queued"]').forEach(function (box) {
        box.hidden = box.hidden || !pending;
      });
      document.querySelectorAll("[data-outbox-banner]").forEach(function (banner) {
        banner.hidden = hasPanel || (!pending && !refused);
        var label = banner.querySelector("[data-outbox-banner-text]");
        if (label) {
          label.textContent = text;
        }
      });
      document.querySelectorAll("[data-outbox]").forEach(function (panel) {
        panel.hidden = !entries.length && !panel.hasAttribute("data-outbox-always");
        panel.setAttribute("data-pending", String(pending));
        panel.setAttribute("data-refused", String(refused));
        var status = panel.querySelector("[data-outbox-status]");
        if (status.textContent !== text) {
          status.textContent = text;
        }
        var list = panel.querySelector("[data-outbox-list]");
        var focus = focusIn(list);
        list.replaceChildren.apply(list, entries.slice().reverse().map(item));
        if (focus) {
          refocus(panel, list, focus);
        }
        var send = panel.querySelector("[data-outbox-send]");
        if (send) {
          send.hidden = !pending || !navigator.onLine;
        }
      });
    }, function () {});
  }

  function scheduleRender() {
    if (!renderQueued) {
      renderQueued = true;
      setTimeout(render, 30);
    }
  }

  function sendNow() {
    if (!navigator.onLine) {
      return Promise.resolve();
    }
    if (!sending) {
      sending = store.sendAll(options).catch(function () {}).then(function () {
        sending = null;
      });
    }
    return sending;
  }

  function formFor(url) {
    var forms = document.querySelectorAll("form[data-offline-form]");
    for (var i = 0; i < forms.length; i += 1) {
      if (formPath(forms[i]) === url) {
        return forms[i];
      }
    }
    return null;
  }

  function correct(entry) {
    var form = formFor(entry.url);
    if (!form) {
      sessionStorage.setItem(CORRECT, entry.key);
      location.assign(entry.url);
      return;
    }
    fill(form, entry);
  }

  // Puts a refused entry back in its form. A choice that is not offered any more stays empty;
  // a list the form loads for another choice (a district's mahallas) is loaded first.
  function fill(form, entry) {
    var values = {};
    entry.fields.forEach(function (field) {
      (values[field[0]] = values[field[0]] || []).push(field[1]);
    });
    var unset = [];
    var lookups = [];
    Array.prototype.forEach.call(form.elements, function (field) {
      var skip = ["file", "submit", "button", "reset"];
      if (!field.name || field.name === "csrfmiddlewaretoken" || skip.indexOf(field.type) !== -1) {
        return;
      }
      var wanted = values[field.name] || [];
      if (field.type === "checkbox" || field.type === "radio") {
        field.checked = wanted.indexOf(field.value) !== -1;
        return;
      }
      if (field.tagName === "SELECT" && field.multiple) {
        Array.prototype.forEach.call(field.options, function (option) {
          option.selected = wanted.indexOf(option.value) !== -1;
        });
        return;
      }
      var before = field.value;
      field.value = wanted.length ? wanted[0] : "";
      if (field.tagName === "SELECT" && field.value !== (wanted[0] || "")) {
        unset.push([field.name, wanted[0]]);
      }
      if (field.value !== before && field.hasAttribute("hx-get")) {
        lookups.push(field);
      }
    });
    var files = {};
    (entry.files || []).forEach(function (file) {
      (files[file[0]] = files[file[0]] || []).push(file[1]);
    });
    Object.keys(files).forEach(function (name) {
      var input = form.querySelector('input[type="file"][name="' + CSS.escape(name) + '"]');
      if (!input || typeof DataTransfer !== "function") {
        return;
      }
      var transfer = new DataTransfer();
      files[name].forEach(function (file) { transfer.items.add(file); });
      input.files = transfer.files;
    });
    if (unset.length && lookups.length) {
      document.body.addEventListener("htmx:afterSettle", function () {
        unset.forEach(function (pair) {
          var field = form.elements.namedItem(pair[0]);
          if (field) {
            field.value = pair[1];
          }
        });
      }, { once: true });
      lookups.forEach(function (field) {
        field.dispatchEvent(new Event("change", { bubbles: true }));
      });
    }
    form.setAttribute("data-outbox-replaces", entry.key);
    notice(gettext("The entry is back in the form: correct it and send it again."), entryMessages(entry));
    form.scrollIntoView({ block: "start" });
    var first = form.querySelector("input:not([type=hidden]), select, textarea");
    if (first) {
      first.focus({ preventScroll: true });
    }
  }

  // A list the form loads (htmx) that cannot be fetched offline keeps only its empty choice, so
  // that the entry does not carry a choice of the previous list.
  function lookupFailed(event) {
    var source = event.detail && event.detail.elt;
    if (!source || !source.closest || !source.closest("form[data-offline-form]")) {
      return;
    }
    var target = event.detail.target;
    if (!target && source.getAttribute("hx-target")) {
      target = document.querySelector(source.getAttribute("hx-target"));
    }
    if (target && target.tagName === "SELECT") {
      Array.prototype.slice.call(target.options).forEach(function (option) {
        if (option.value) {
          option.remove();
        }
      });
      target.value = "";
      notice(gettext("No network: this list could not be loaded. Choose again when online, or leave it empty."));
    }
  }

  function purgeSent() {
    var limit = Date.now() - SENT_KEPT_MS;
    return store.list(config.user).then(function (entries) {
      return Promise.all(entries.filter(function (entry) {
        return entry.state === "sent" && Date.parse(entry.sentAt || entry.created) < limit;
      }).map(function (entry) { return store.remove(entry.key); }));
    });
  }

  function openCorrection() {
    var key = sessionStorage.getItem(CORRECT);
    if (!key) {
      return;
    }
    sessionStorage.removeItem(CORRECT);
    store.get(key).then(function (entry) {
      var form = entry && formFor(entry.url);
      if (form) {
        fill(form, entry);
      }
    });
  }

  function start() {
    document.querySelectorAll("form[data-offline-form]").forEach(refreshDates);
    store.list(config.user).then(function () {
      usable = true;
      store.onChange(scheduleRender);
      document.querySelectorAll("[data-outbox-send]").forEach(function (node) {
        node.addEventListener("click", sendNow);
      });
      purgeSent().then(render).then(openCorrection).then(sendNow);
      window.addEventListener("online", function () { sendNow(); render(); });
      window.addEventListener("offline", render);
      setInterval(function () {
        store.list(config.user).then(function (entries) {
          if (entries.some(isPending)) {
            sendNow();
          }
        });
      }, RETRY_MS);
    }, function () {
      // IndexedDB refused (a private window in some browsers): forms are submitted as usual.
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (usable && form.matches("form[data-offline-form]")) {
      event.preventDefault();
      submit(form);
    }
  });
  document.addEventListener("htmx:sendError", lookupFailed);
  start();
})();
