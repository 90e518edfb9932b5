// What this device keeps while offline, on every page: a small IndexedDB wrapper (two stores:
// the officer's unsent draft answers, the auditor's findings with their photos as Blobs), the
// service worker's registration, the count of unsent items beside the menu, the sending of
// findings when the network returns, and the logout guard (warn about unsent items, clear the
// cached pages). Every record carries the user it belongs to: another person logging in on the
// same phone neither sees nor sends it. Without IndexedDB (private mode, policy) the pages work
// online as before and say that nothing is kept on the device.
(function () {
  "use strict";
  const DB_NAME = "riskapp-offline";
  const STORES = ["drafts", "findings"];
  const body = document.body;
  const user = body ? body.dataset.user || "" : "";
  let opening = null;

  function open() {
    if (opening) return opening;
    opening = new Promise(function (resolve, reject) {
      if (!window.indexedDB) { reject(new Error("no IndexedDB")); return; }
      let request;
      try {
        request = window.indexedDB.open(DB_NAME, 1);
      } catch (error) { reject(error); return; }
      request.onupgradeneeded = function () {
        STORES.forEach(function (name) {
          if (!request.result.objectStoreNames.contains(name)) {
            request.result.createObjectStore(name, { keyPath: "key" });
          }
        });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
      request.onblocked = function () { reject(new Error("blocked")); };
    });
    return opening;
  }

  function run(store, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        const tx = db.transaction(store, mode);
        const result = work(tx.objectStore(store));
        tx.oncomplete = function () { resolve(result && "result" in result ? result.result : undefined); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error); };
      });
    });
  }

  const store = {
    user: user,
    put: function (name, record) {
      record.user = user;
      record.savedAt = new Date().toISOString();
      return run(name, "readwrite", function (s) { return s.put(record); }).then(changed);
    },
    get: function (name, key) {
      return run(name, "readonly", function (s) { return s.get(key); }).then(function (record) {
        return record && record.user === user ? record : null;
      });
    },
    remove: function (name, key) {
      return run(name, "readwrite", function (s) { return s.delete(key); }).then(changed);
    },
    mine: function (name) {
      return run(name, "readonly", function (s) { return s.getAll(); }).then(function (all) {
        return (all || []).filter(function (record) { return record.user === user; });
      });
    },
    unsent: function () {
      return Promise.all([store.mine("drafts"), store.mine("findings")]).then(function (lists) {
        return lists[0].length + lists[1].filter(function (f) { return f.queued; }).length;
      });
    },
    newId: function () {
      if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
      return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
    },
    csrf: function () {
      const meta = document.querySelector("meta[name='csrf-token']");
      return meta ? meta.content : "";
    },
    sendFindings: sendFindings,
    showCount: showCount,
  };
  window.riskappOffline = store;

  function changed(value) {
    showCount();
    return value;
  }

  function showCount() {
    const box = document.getElementById("unsent-indicator");
    if (!box) return Promise.resolve(0);
    return store.unsent().then(function (n) {
      const parts = [];
      if (!navigator.onLine && box.dataset.offlineText) parts.push(box.dataset.offlineText);
      if (n > 0) parts.push(box.dataset.unsentText.replace("%(n)s", String(n)));
      box.textContent = parts.join(" · ");
      box.hidden = parts.length === 0;
      box.dataset.count = String(n);
      return n;
    }, function () { return 0; });
  }

  // --- findings: sent when the network returns (the finding form queues them) -------------

  let sending = null;
  let again = false;

  function formOf(record) {
    const data = new FormData();
    record.fields.forEach(function (pair) { data.append(pair[0], pair[1]); });
    (record.photos || []).forEach(function (photo) { data.append("photos", photo.blob, photo.name); });
    return data;
  }

  function sendOne(record) {
    const headers = { "Accept": "application/json", "X-Requested-With": "fetch",
      "X-CSRFToken": store.csrf() || record.csrf };
    return fetch(record.url, { method: "POST", body: formOf(record), headers: headers,
      credentials: "same-origin" })
      .then(function (response) {
        const json = (response.headers.get("Content-Type") || "").indexOf("json") !== -1;
        return (json ? response.json() : Promise.resolve({})).then(function (data) {
          return { status: response.status, data: data };
        });
      })
      .then(function (reply) {
        if (reply.status === 200 && reply.data.finding_id) {
          return store.remove("findings", record.key).then(function () {
            return { sent: record, data: reply.data };
          });
        }
        if (reply.status === 400 && reply.data.errors) {
          record.problems = reply.data.errors;
          return run("findings", "readwrite", function (s) { return s.put(record); })
            .then(function () { return { refused: record }; });
        }
        return { kept: record };  // not logged in, server error: try again later
      });
  }

  function sendFindings() {
    if (sending) {
      again = true;  // a finding queued while sending: one more round after this one
      return sending;
    }
    if (!user || !navigator.onLine) return Promise.resolve([]);
    sending = store.mine("findings")
      .then(function (all) {
        const queued = all.filter(function (f) { return f.queued && !f.problems; });
        return queued.reduce(function (chain, record) {
          return chain.then(function (done) {
            return sendOne(record).then(function (outcome) { return done.concat([outcome]); },
              function () { return done; });
          });
        }, Promise.resolve([]));
      })
      .then(function (outcomes) {
        sending = null;
        showCount();
        document.dispatchEvent(new CustomEvent("riskapp:findings-sent", { detail: outcomes }));
        if (again) {
          again = false;
          sendFindings();
        }
        return outcomes;
      }, function () { sending = null; return []; });
    return sending;
  }

  // --- the service worker, logout -----------------------------------------------------------

  function clearPages() {
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ type: "logout" });
    }
    return window.caches ? window.caches.delete("riskapp-pages").catch(function () {}) : Promise.resolve();
  }

  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!form || form.id !== "logout-form" || form.dataset.checked) return;
    event.preventDefault();
    store.unsent().catch(function () { return 0; }).then(function (n) {
      if (n > 0 && !window.confirm(form.dataset.unsentWarning)) return;
      clearPages().then(function () {
        form.dataset.checked = "1";
        form.submit();
      });
    });
  });

  if (body && body.dataset.loggedOut) clearPages();

  if (navigator.serviceWorker && body && body.dataset.swUrl) {
    const servedByWorker = Boolean(navigator.serviceWorker.controller);
    navigator.serviceWorker.register(body.dataset.swUrl, { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function () {
      // The first page opened before the worker ran was not kept by it: keep it now, so the
      // form the person is on reloads offline too.
      if (!servedByWorker && user && window.caches && body.dataset.keepPage) {
        window.caches.open("riskapp-pages").then(function (cache) {
          return cache.add(window.location.pathname + window.location.search);
        }).catch(function () {});
      }
    }).catch(function () {});
  }

  // A page that shows recorded findings names their client ids: the device's copies are done
  // (a finding posted by the form itself, without the device's queue, after a refusal).
  const recorded = document.getElementById("recorded-findings");
  const done = recorded ? recorded.dataset.clients.split(" ").filter(Boolean) : [];
  done.forEach(function (key) {
    store.get("findings", key).then(function (record) {
      if (record) store.remove("findings", key);
    }).catch(function () {});
  });

  window.addEventListener("online", function () { showCount(); sendFindings(); });
  window.addEventListener("offline", showCount);
  showCount();
  sendFindings();
})();
