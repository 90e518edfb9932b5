// Impact preview progress: polls the preview's JSON status and reloads the page once it has
// finished (the figures are server-rendered). Without JavaScript a meta refresh does the same.
(function () {
  "use strict";
  const box = document.getElementById("impact-job");
  if (!box || !window.fetch) {
    return;
  }
  const bar = document.getElementById("impact-bar");
  const progress = document.getElementById("impact-progress");
  const total = document.getElementById("impact-total");
  let delay = 1000;

  function poll() {
    fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => {
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        return response.json();
      })
      .then((status) => {
        bar.style.width = status.percent + "%";
        progress.textContent = status.progress.toLocaleString(document.documentElement.lang || undefined);
        total.textContent = status.total.toLocaleString(document.documentElement.lang || undefined);
        if (status.status === "queued" || status.status === "running") {
          window.setTimeout(poll, delay);
        } else {
          window.location.reload();
        }
      })
      .catch(() => {
        delay = Math.min(delay * 2, 10000);
        window.setTimeout(poll, delay);
      });
  }
  window.setTimeout(poll, delay);
})();
