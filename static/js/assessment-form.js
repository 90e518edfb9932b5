// Assessment form: saves the draft a moment after each change and shows progress per section.
// Progressive enhancement only: without this file the Save draft / Submit buttons do everything.
// Unsent answers are kept on this device (IndexedDB through offline-store.js) with the lock
// version they were typed on, so a dropped connection, a reload offline (the service worker
// serves the page) or a closed tab loses nothing: they are sent when the connection returns.
// When someone saved the draft meanwhile the server answers 409 with its version and
// assessment-conflict.js shows both side by side: nothing is overwritten without a choice.
(function () {
  "use strict";
  const form = document.getElementById("assessment-form");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  const url = form.dataset.autosaveUrl;
  const status = document.getElementById("autosave-status");
  const lockInput = form.querySelector("input[name='lock_version']");
  const csrfInput = form.querySelector("input[name='csrf_token']");
  const store = window.riskappOffline || null;
  const key = "draft:" + (form.dataset.assessmentId || url);
  // Fields that belong to the page, not to the answers.
  const NOT_ANSWERS = ["csrf_token", "lock_version", "submit_token", "action"];
  const DELAY_MS = 1500;
  let timer = null;
  let inFlight = false;
  let pending = false;
  let stopped = false;
  let conflict = false;
  // Changes typed since the last answer from the server (sent or not).
  let dirty = false;
  let kept = Promise.resolve(false);
  // The answers as the server last had them on this device (the page's, then each save's): what
  // a conflict compares both sides against, so only answers changed on both sides are asked.
  let base = null;

  function say(text, isError) {
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("error", Boolean(isError));
  }

  function snapshot() {
    const values = {};
    new FormData(form).forEach(function (value, name) {
      if (NOT_ANSWERS.indexOf(name) === -1 && typeof value === "string") values[name] = value;
    });
    return values;
  }

  function keepLocally() {
    if (!store || !lockInput) {
      kept = Promise.resolve(false);
      return kept;
    }
    kept = store.put("drafts", { key: key, assessmentId: form.dataset.assessmentId, url: url,
      lock: lockInput.value, values: snapshot(), base: base })
      .then(function () { return true; }, function () { return false; });
    return kept;
  }

  function forgetLocal() {
    if (store) store.remove("drafts", key).catch(function () {});
  }

  function fill(values) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || NOT_ANSWERS.indexOf(el.name) !== -1) return;
      const value = values[el.name];
      if (el.type === "radio") {
        el.checked = value === el.value;
      } else if (el.type === "checkbox") {
        el.checked = value !== undefined;
      } else if (el.tagName !== "BUTTON") {
        el.value = value === undefined ? "" : value;
      }
    });
  }

  function showProgress(progress) {
    Object.keys(progress || {}).forEach(function (section) {
      const p = progress[section];
      form.ownerDocument.querySelectorAll("[data-progress-for='" + section + "']").forEach(function (el) {
        el.textContent = p.answered + "/" + p.total;
        el.classList.toggle("complete", p.total > 0 && p.answered >= p.total);
      });
    });
  }

  function showProblems(problems) {
    form.querySelectorAll("[data-problem-for]").forEach(function (el) {
      const message = (problems || {})[el.dataset.problemFor];
      // A server-rendered error for the same field already says it; show ours only when new.
      el.hidden = !message;
      el.textContent = message || "";
    });
  }

  function saved(data, changedSince, sent) {
    if (lockInput && data.lock_version) lockInput.value = data.lock_version;
    base = sent;
    if (changedSince.value) {
      keepLocally();  // typed while saving: keep them under the new version
    } else {
      dirty = false;
      forgetLocal();
    }
    showProgress(data.progress);
    showProblems(data.problems);
    say(data.saved_time ? form.dataset.sentText.replace("%(time)s", data.saved_time)
      : data.message || "", false);
  }

  function refused(data) {
    if (data.stale && data.server && window.riskappConflict) {
      // Someone saved meanwhile: keep ours on the device and let the person choose.
      conflict = true;
      keepLocally();
      say(form.dataset.conflictText || data.error || "", true);
      window.riskappConflict.show(form, data, snapshot(), resolved, base);
      return;
    }
    // A submitted assessment or a missing version: stop autosaving, keep the page as typed.
    stopped = true;
    say(data.error || "", true);
  }

  function resolved(chosen, lockVersion) {
    // The person chose per item: those values are now the draft to send, on the server's version.
    conflict = false;
    fill(chosen);
    lockInput.value = lockVersion;
    dirty = true;
    keepLocally().then(save);
  }

  function offline() {
    kept.then(function (onDevice) {
      say(onDevice ? form.dataset.offlineText : form.dataset.noStorageText, true);
    });
  }

  function save() {
    timer = null;
    if (stopped || conflict) return;
    if (inFlight) {
      pending = true;
      return;
    }
    if (!navigator.onLine) {
      offline();
      return;
    }
    inFlight = true;
    const changedSince = { value: false };
    save.current = changedSince;
    const body = new FormData(form);
    body.delete("action");
    const sent = snapshot();
    const headers = { "X-Requested-With": "fetch", "Accept": "application/json" };
    if (csrfInput) headers["X-CSRFToken"] = csrfInput.value;
    say(form.dataset.savingText || "", false);
    fetch(url, { method: "POST", body: body, headers: headers, credentials: "same-origin" })
      .then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      })
      .then(function (reply) {
        if (reply.ok) saved(reply.data || {}, changedSince, sent);
        else refused(reply.data || {});
      })
      .catch(function () {
        // Offline or server error: the answers stay on this device; send them again when the
        // connection returns (or on the next change). The buttons still work.
        offline();
        pending = false;
      })
      .then(function () {
        inFlight = false;
        if (pending) {
          pending = false;
          schedule();
        }
      });
  }

  function schedule() {
    if (timer) window.clearTimeout(timer);
    timer = window.setTimeout(save, DELAY_MS);
  }

  function changed() {
    if (stopped) return;
    dirty = true;
    if (save.current) save.current.value = true;
    keepLocally().then(function (onDevice) {
      if (onDevice && !inFlight) say(form.dataset.keptText, false);
    });
    if (!conflict) schedule();
  }

  function restore() {
    // Answers kept on this device that the server has not acknowledged: put back, sent again on
    // the version they were typed on (a newer save meanwhile makes it a visible conflict).
    if (!store) return;
    store.get("drafts", key).then(function (record) {
      if (!record || !record.values) return;
      if (record.base) base = record.base;
      fill(record.values);
      if (lockInput && record.lock) lockInput.value = record.lock;
      dirty = true;
      kept = Promise.resolve(true);
      say(navigator.onLine ? form.dataset.restoredText : form.dataset.offlineText, !navigator.onLine);
      if (navigator.onLine) save();
    }).catch(function () {});
  }

  form.addEventListener("change", changed);
  form.addEventListener("input", function (event) {
    if (event.target && event.target.type === "number") changed();
  });
  window.addEventListener("online", function () {
    if (dirty && !stopped && !conflict) {
      if (timer) window.clearTimeout(timer);
      save();
    }
  });
  window.addEventListener("offline", function () {
    if (dirty) offline();
  });
  form.addEventListener("submit", function () {
    // The buttons post the whole form; a late autosave must not race them. What the post
    // stores, the page after it shows; the device copy is dropped only once the server has it.
    stopped = true;
    if (timer) window.clearTimeout(timer);
  });

  base = snapshot();
  restore();
})();
