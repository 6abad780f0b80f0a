// The outbox: form entries kept in IndexedDB (through the vendored idb) until the server has them.
// Shared by the pages (outbox.js) and the service worker (background sync), so both send the
// same way. Each entry carries one idempotency key, generated when it was filed and kept across
// retries, and is sent with a body built the same way every time, so a retry after an answer
// lost on a weak signal is applied once by the server (core's idempotency middleware).
// This file has no text of its own: the pages turn states and problems into words.
(function (global) {
  "use strict";

  var DB_NAME = "hamkorlik-outbox";
  var STORE = "entries";
  // States an entry is in until the server has answered for good.
  var PENDING = ["waiting", "sending", "signin"];
  // An entry left "sending" longer than this was cut off (page closed, worker stopped) and is
  // sent again, with the same key.
  var STALE_MS = 60 * 1000;
  var channel = typeof BroadcastChannel === "function" ? new BroadcastChannel(DB_NAME) : null;
  var listeners = [];
  var connection = null;
  var destroyed = false;

  function database() {
    if (destroyed) {
      return Promise.reject(new Error("The outbox has been deleted."));
    }
    if (!connection) {
      connection = global.idb.openDB(DB_NAME, 1, {
        upgrade: function (db) {
          db.createObjectStore(STORE, { keyPath: "key" });
        },
        // Sign-out deletes the database: this connection gives way instead of blocking it.
        blocking: function () {
          close();
        },
        terminated: function () {
          connection = null;
        }
      });
    }
    return connection;
  }

  function close() {
    if (connection) {
      var closing = connection;
      connection = null;
      return closing.then(function (db) { db.close(); }, function () {});
    }
    return Promise.resolve();
  }

  // Tells the other pages and the worker (BroadcastChannel) and this context (listeners).
  function changed() {
    if (channel) {
      channel.postMessage("changed");
    }
    listeners.forEach(function (listener) { listener(); });
  }

  function onChange(listener) {
    listeners.push(listener);
    if (channel) {
      channel.addEventListener("message", function () { listener(); });
    }
  }

  function add(entry) {
    return database().then(function (db) { return db.put(STORE, entry); }).then(changed);
  }

  function list(user) {
    return database().then(function (db) { return db.getAll(STORE); }).then(function (entries) {
      return entries
        .filter(function (entry) { return user === undefined || entry.user === user; })
        .sort(function (a, b) { return a.created < b.created ? -1 : 1; });
    });
  }

  function get(key) {
    return database().then(function (db) { return db.get(STORE, key); });
  }

  // Changes some fields of an entry in one transaction; answers the entry as it is now.
  function update(key, changes) {
    return database().then(function (db) {
      var tx = db.transaction(STORE, "readwrite");
      return tx.store.get(key).then(function (entry) {
        if (!entry) {
          return tx.done.then(function () { return null; });
        }
        Object.assign(entry, changes);
        tx.store.put(entry);
        return tx.done.then(function () { changed(); return entry; });
      });
    });
  }

  function remove(key) {
    return database().then(function (db) { return db.delete(STORE, key); }).then(changed);
  }

  // Marks an entry "sending" if nobody else is sending it, in one transaction, so that two
  // pages and the worker never send the same entry at once; answers it, or null.
  function claim(key) {
    return database().then(function (db) {
      var tx = db.transaction(STORE, "readwrite");
      return tx.store.get(key).then(function (entry) {
        var now = Date.now();
        var free = entry && PENDING.indexOf(entry.state) !== -1 &&
          !(entry.state === "sending" && now - (entry.claimedAt || 0) < STALE_MS);
        if (!free) {
          return tx.done.then(function () { return null; });
        }
        entry.state = "sending";
        entry.claimedAt = now;
        entry.attempts = (entry.attempts || 0) + 1;
        tx.store.put(entry);
        return tx.done.then(function () { changed(); return entry; });
      });
    });
  }

  function destroy() {
    destroyed = true;
    return close().then(function () {
      return global.idb.deleteDB(DB_NAME);
    });
  }

  // Who is signed in, with a fresh CSRF token (Django changes it at every sign-in).
  function session(url) {
    return fetch(url, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "application/json" }
    }).then(function (response) {
      if (!response.ok) {
        var error = new Error("session " + response.status);
        error.transient = true;
        throw error;
      }
      return response.json();
    });
  }

  function quoted(name) {
    return String(name).replace(/"/g, "%22").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
  }

  function crlf(value) {
    return String(value).replace(/\r\n|\r|\n/g, "\r\n");
  }

  // The same bytes on every try: the boundary comes from the entry's key, and the CSRF token
  // travels in a header, not in the body.
  function encode(entry) {
    if (!entry.multipart) {
      var params = new URLSearchParams();
      entry.fields.forEach(function (field) { params.append(field[0], crlf(field[1])); });
      return { body: params.toString(), type: "application/x-www-form-urlencoded;charset=UTF-8" };
    }
    var boundary = "----HamkorlikOutbox" + entry.key.replace(/-/g, "");
    var parts = [];
    entry.fields.forEach(function (field) {
      parts.push("--" + boundary + '\r\nContent-Disposition: form-data; name="' +
        quoted(field[0]) + '"\r\n\r\n' + crlf(field[1]) + "\r\n");
    });
    (entry.files || []).forEach(function (file) {
      parts.push("--" + boundary + '\r\nContent-Disposition: form-data; name="' +
        quoted(file[0]) + '"; filename="' + quoted(file[1].name || "file") +
        '"\r\nContent-Type: ' + (file[1].type || "application/octet-stream") + "\r\n\r\n",
      file[1], "\r\n");
    });
    parts.push("--" + boundary + "--\r\n");
    return { body: new Blob(parts), type: "multipart/form-data; boundary=" + boundary };
  }

  function post(entry, token) {
    var payload = encode(entry);
    return fetch(entry.url, {
      method: "POST",
      body: payload.body,
      credentials: "same-origin",
      cache: "no-store",
      redirect: "follow",
      headers: {
        "Content-Type": payload.type,
        "Idempotency-Key": entry.key,
        "X-CSRFToken": token,
        Accept: "text/html"
      }
    });
  }

  function pathOf(url) {
    return new URL(url, global.location.href).pathname;
  }

  // The portal's forms answer a success with a redirect to what was created; a refusal renders
  // the form again with its errors (400); a lost session redirects to the login page.
  function outcome(entry, response, loginUrl) {
    var final = new URL(response.url || entry.url, global.location.href);
    if (final.pathname === pathOf(loginUrl)) {
      return { state: "signin" };
    }
    if (response.ok && final.pathname !== pathOf(entry.url)) {
      return { state: "sent", resultUrl: final.pathname + final.search };
    }
    // Not an answer to the entry but a "not now": a server error, too many requests, or the
    // same key still being processed (a 409 with Retry-After). It is sent again later.
    var busy = response.status === 409 && response.headers.has("Retry-After");
    if (response.status >= 500 || response.status === 429 || response.status === 408 || busy) {
      return { state: "waiting", problem: "server", status: response.status };
    }
    var problems = { 403: "forbidden", 404: "gone", 409: "conflict", 413: "too-large" };
    var form = response.status === 400 || response.ok;
    return {
      state: "refused",
      problem: form ? "form" : problems[response.status] || "status",
      status: response.status
    };
  }

  // The <main> of a page: what the outbox reads a refusal's messages from.
  function mainOf(html) {
    var start = html.indexOf("<main");
    var end = html.lastIndexOf("</main>");
    return start !== -1 && end > start ? html.slice(start, end + 7) : html;
  }

  // Sends one claimed entry; answers its outcome, or throws on a network failure (the entry
  // then waits, with its key, for the next try). options.keepPage keeps the page answered.
  function sendOne(entry, context, options) {
    return post(entry, context.csrfToken).then(function (response) {
      if (response.status !== 403) {
        return response;
      }
      // A token from before a sign-in: one more try with a fresh one.
      return session(options.session).then(function (fresh) {
        context.csrfToken = fresh.csrfToken;
        context.user = fresh.user;
        return post(entry, context.csrfToken);
      });
    }).then(function (response) {
      var result = outcome(entry, response, options.login);
      if (!options.keepPage && result.state !== "refused") {
        return result;
      }
      return response.text().then(function (html) {
        result.page = options.keepPage ? html : mainOf(html);
        return result;
      });
    });
  }

  // Stores an outcome. A sent entry keeps only its kind, dates and link: its fields, photos and
  // summary (personal data) leave the phone as soon as the server has them.
  function record(entry, result) {
    var changes = { state: result.state, claimedAt: null, problem: result.problem || null,
      status: result.status || null };
    if (result.state === "sent") {
      Object.assign(changes, { resultUrl: result.resultUrl, sentAt: new Date().toISOString(),
        fields: [], files: [], detail: "", page: null, messages: null });
    } else if (result.state === "refused") {
      Object.assign(changes, { page: result.page || null, messages: null });
    }
    return update(entry.key, changes);
  }

  function sendPending(options) {
    return list().then(function (entries) {
      var pending = entries.filter(function (entry) { return PENDING.indexOf(entry.state) !== -1; });
      if (!pending.length) {
        return { retry: false, sent: 0 };
      }
      return session(options.session).then(function (context) {
        if (context.user === null) {
          // Signed out or the session expired: every entry waits for its author to sign in.
          return Promise.all(pending.map(function (entry) {
            return entry.state === "waiting" ? update(entry.key, { state: "signin" }) : null;
          })).then(function () { return { retry: false, sent: 0 }; });
        }
        var sent = 0;
        // One after another, so that a phone with a weak signal sends one thing at a time.
        return pending.reduce(function (previous, entry) {
          return previous.then(function (stop) {
            // Another account's entries wait for that account to sign in on this phone.
            if (stop || entry.user !== context.user) {
              return stop;
            }
            return claim(entry.key).then(function (claimed) {
              if (!claimed) {
                return false;
              }
              return sendOne(claimed, context, options).then(function (result) {
                sent += result.state === "sent" ? 1 : 0;
                return record(claimed, result).then(function () { return false; });
              }, function () {
                return update(claimed.key, { state: "waiting", claimedAt: null }).then(function () {
                  return true;
                });
              });
            });
          });
        }, Promise.resolve(false)).then(function (stopped) {
          return { retry: stopped, sent: sent };
        });
      }, function () {
        return { retry: true, sent: 0 };
      });
    });
  }

  // Sends every pending entry of the signed-in user. The Web Locks API keeps two pages and the
  // worker from running it at once; claim() guards the rest.
  function sendAll(options) {
    var run = function () { return sendPending(options); };
    if (global.navigator && global.navigator.locks) {
      return global.navigator.locks.request(DB_NAME, run);
    }
    return run();
  }

  global.HamkorlikOutbox = {
    PENDING: PENDING,
    add: add,
    list: list,
    get: get,
    update: update,
    remove: remove,
    claim: claim,
    destroy: destroy,
    session: session,
    sendOne: sendOne,
    record: record,
    sendAll: sendAll,
    onChange: onChange
  };
})(self);
