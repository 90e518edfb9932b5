// ZIP export progress: polls the job's JSON status until the ZIP is ready or failed.
// Without JavaScript the page refreshes itself (meta refresh inside <noscript>).
(function () {
  "use strict";
  const box = document.getElementById("zip-job");
  if (!box || !window.fetch) {
    return;
  }
  const texts = document.getElementById("zip-texts").dataset;
  const bar = document.getElementById("zip-bar");
  const progress = document.getElementById("zip-progress");
  const total = document.getElementById("zip-total");
  const message = document.getElementById("zip-message");
  const download = document.getElementById("zip-download");
  const link = document.getElementById("zip-link");
  let delay = 1000;

  function show(status) {
    bar.style.width = status.percent + "%";
    progress.textContent = status.progress;
    total.textContent = status.total;
    box.dataset.state = status.status;
    if (status.status === "done") {
      message.textContent = texts.done;
      if (status.download_url) {
        link.href = status.download_url;
      }
      download.hidden = false;
    } else if (status.status === "failed") {
      message.textContent = texts.failed;
    }
  }

  function poll() {
    fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => {
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        return response.json();
      })
      .then((status) => {
        show(status);
        if (status.status === "queued" || status.status === "running") {
          window.setTimeout(poll, delay);
        }
      })
      .catch(() => {
        // A network blip: back off and keep trying, up to every 10 s.
        delay = Math.min(delay * 2, 10000);
        window.setTimeout(poll, delay);
      });
  }

  if (box.dataset.state === "queued" || box.dataset.state === "running") {
    window.setTimeout(poll, delay);
  }
})();
