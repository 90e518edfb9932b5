// Assessment form: saves the draft a moment after each change and shows progress per section.
// Progressive enhancement only: without this file the Save draft / Submit buttons do everything.
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
  const DELAY_MS = 1500;
  let timer = null;
  let inFlight = false;
  let pending = false;
  let stopped = false;

  function say(text, isError) {
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("error", Boolean(isError));
  }

  function showProgress(progress) {
    Object.keys(progress || {}).forEach(function (section) {
      const p = progress[section];
      form.ownerDocument.querySelectorAll("[data-progress-for='" + section + "']").forEach(function (el) {
        el.textContent = p.answered + "/" + p.total;
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
    const body = new FormData(form);
    body.delete("action");
    const headers = { "X-Requested-With": "fetch", "Accept": "application/json" };
    if (csrfInput) headers["X-CSRFToken"] = csrfInput.value;
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
        showProgress(data.progress);
        showProblems(data.problems);
        say(data.message || "", false);
      })
      .catch(function () {
        // Offline or server error: the buttons still work; try again on the next change.
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

  form.addEventListener("change", schedule);
  form.addEventListener("input", function (event) {
    if (event.target && event.target.type === "number") schedule();
  });
  form.addEventListener("submit", function () {
    // The buttons post the whole form; a late autosave must not race them.
    stopped = true;
    if (timer) window.clearTimeout(timer);
  });
})();
