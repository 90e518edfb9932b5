// Assessment form: saves the draft a moment after each change and shows progress per section.
// Progressive enhancement only: without this file the Save draft / Submit buttons do everything.
// Unsaved answers are also kept in localStorage, keyed by assessment id and the lock version they
// were typed on, so a dropped connection or a closed tab loses nothing: they are sent again when
// the connection returns, or put back into the form when the same draft is opened again.
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
  const storageKey = "riskapp-draft:" + (form.dataset.assessmentId || url);
  // Fields that belong to the page, not to the answers.
  const NOT_ANSWERS = ["csrf_token", "lock_version", "submit_token", "action"];
  const DELAY_MS = 1500;
  let timer = null;
  let inFlight = false;
  let pending = false;
  let stopped = false;
  // Changes typed since the last answer from the server (sent or not).
  let dirty = false;

  function say(text, isError) {
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("error", Boolean(isError));
  }

  function store() {
    try {
      return window.localStorage;
    } catch (error) {
      return null;  // storage disabled (private mode, policy): autosave still works online
    }
  }

  function snapshot() {
    const values = {};
    new FormData(form).forEach(function (value, name) {
      if (NOT_ANSWERS.indexOf(name) === -1 && typeof value === "string") values[name] = value;
    });
    return values;
  }

  function keepLocally() {
    const storage = store();
    if (!storage || !lockInput) return;
    try {
      storage.setItem(storageKey, JSON.stringify({ lock: lockInput.value, values: snapshot() }));
    } catch (error) {
      // Quota full: nothing else to do, the server copy is still the last saved one.
    }
  }

  function forgetLocal() {
    const storage = store();
    if (storage) storage.removeItem(storageKey);
  }

  function restoreLocal() {
    // Only answers typed on the version the server still has: a newer save wins.
    const storage = store();
    if (!storage || !lockInput) return false;
    let kept = null;
    try {
      kept = JSON.parse(storage.getItem(storageKey) || "null");
    } catch (error) {
      kept = null;
    }
    if (!kept || !kept.values) return false;
    if (String(kept.lock) !== String(lockInput.value)) {
      forgetLocal();
      return false;
    }
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || NOT_ANSWERS.indexOf(el.name) !== -1) return;
      const value = kept.values[el.name];
      if (el.type === "radio") {
        el.checked = value === el.value;
      } else if (el.type === "checkbox") {
        el.checked = value !== undefined;
      } else if (el.tagName !== "BUTTON") {
        el.value = value === undefined ? "" : value;
      }
    });
    return true;
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

  function save() {
    timer = null;
    if (stopped) return;
    if (inFlight) {
      pending = true;
      return;
    }
    inFlight = true;
    const changedSince = { value: false };
    save.current = changedSince;
    const body = new FormData(form);
    body.delete("action");
    const headers = { "X-Requested-With": "fetch", "Accept": "application/json" };
    if (csrfInput) headers["X-CSRFToken"] = csrfInput.value;
    say(form.dataset.savingText || "", false);
    fetch(url, { method: "POST", body: body, headers: headers, credentials: "same-origin" })
      .then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      })
      .then(function (reply) {
        const data = reply.data || {};
        if (!reply.ok) {
          // Stale draft or a submitted assessment: stop autosaving, keep the page as typed.
          stopped = true;
          say(data.error || "", true);
          return;
        }
        if (lockInput && data.lock_version) lockInput.value = data.lock_version;
        if (changedSince.value) {
          keepLocally();  // typed while saving: keep them under the new version
        } else {
          dirty = false;
          forgetLocal();
        }
        showProgress(data.progress);
        showProblems(data.problems);
        say(data.message || "", false);
      })
      .catch(function () {
        // Offline or server error: the answers stay on this device; send them again when the
        // connection returns (or on the next change). The buttons still work.
        say(form.dataset.offlineText || "", true);
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
    keepLocally();
    schedule();
  }

  form.addEventListener("change", changed);
  form.addEventListener("input", function (event) {
    if (event.target && event.target.type === "number") changed();
  });
  window.addEventListener("online", function () {
    if (dirty && !stopped) {
      if (timer) window.clearTimeout(timer);
      save();
    }
  });
  form.addEventListener("submit", function () {
    // The buttons post the whole form; a late autosave must not race them.
    stopped = true;
    if (timer) window.clearTimeout(timer);
  });

  if (restoreLocal()) {
    dirty = true;
    say(form.dataset.restoredText || "", false);
    schedule();
  }
})();
