// The auditor's on-site finding, phone first: one question per card on a narrow screen (previous
// / next, progress), photos from the camera, the time and the position stamped when the person
// allows it. The finding and its photos (as Blobs) are kept on the device (offline-store.js) as
// they are typed; "Record the finding" queues it there and sends it when the network is there.
// It carries an id made here, so a send repeated after a lost answer stays one finding.
// Without this file the form posts as it is and every card is shown.
(function () {
  "use strict";
  const form = document.getElementById("finding-form");
  const store = window.riskappOffline;
  if (!form || !window.fetch || !window.FormData) return;
  const texts = form.dataset;
  const cards = Array.prototype.slice.call(form.querySelectorAll("[data-card]"));
  const nav = document.getElementById("finding-nav");
  const progress = document.getElementById("finding-progress");
  const status = document.getElementById("finding-status");
  const photoInput = document.getElementById("finding-photos");
  const photoList = document.getElementById("finding-photo-list");
  const stampButton = document.getElementById("finding-stamp");
  const stampText = document.getElementById("finding-stamp-text");
  const narrow = window.matchMedia("(max-width: 699.98px)");
  const NOT_KEPT = ["csrf_token", "photos"];
  let current = 0;
  let photos = [];
  let record = null;

  function input(name) { return form.querySelector("[name='" + name + "']"); }

  function say(text, sent) {
    status.textContent = text;
    status.classList.toggle("is-sent", Boolean(sent));
  }

  // --- cards ------------------------------------------------------------------------------

  function confirmed() {
    const outcome = form.querySelector("input[name='outcome']:checked");
    return outcome && outcome.value === "confirmed";
  }

  function steps() {  // "Everything as declared" leaves the questions out
    return cards.filter(function (card) { return !(confirmed() && card.dataset.card === "item"); });
  }

  function show(index) {
    const shown = steps();
    current = Math.max(0, Math.min(index, shown.length - 1));
    const on = narrow.matches;
    form.classList.toggle("cards-on", on);
    nav.hidden = !on;
    progress.hidden = !on;
    cards.forEach(function (card) { card.classList.toggle("is-current", card === shown[current]); });
    progress.textContent = texts.progressText.replace("%(n)s", String(current + 1))
      .replace("%(total)s", String(shown.length));
    nav.querySelector("[data-step='-1']").disabled = current === 0;
    nav.querySelector("[data-step='1']").hidden = current === shown.length - 1;
  }

  nav.addEventListener("click", function (event) {
    const button = event.target.closest("[data-step]");
    if (!button) return;
    show(current + Number(button.dataset.step));
    window.scrollTo(0, form.offsetTop - 8);
  });
  narrow.addEventListener("change", function () { show(current); });

  // --- kept on the device -----------------------------------------------------------------

  function fields() {
    const pairs = [];
    new FormData(form).forEach(function (value, name) {
      if (NOT_KEPT.indexOf(name) === -1 && typeof value === "string") pairs.push([name, value]);
    });
    return pairs;
  }

  function keep(queued) {
    if (!store) return Promise.resolve(false);
    record = { key: input("client_id").value, assessmentId: form.dataset.assessmentId,
      url: form.action, fields: fields(), photos: photos,
      queued: queued === undefined ? Boolean(record && record.queued) : queued,
      csrf: input("csrf_token").value };
    return store.put("findings", record).then(function () { return true; },
      function () { return false; });
  }

  function restore(kept) {
    record = kept;
    kept.fields.forEach(function (pair) {
      const el = form.querySelector("[name='" + pair[0] + "']");
      if (!el) return;
      if (el.type === "radio") {
        const radio = form.querySelector("[name='" + pair[0] + "'][value='" + pair[1] + "']");
        if (radio) radio.checked = true;
      } else {
        el.value = pair[1];
      }
    });
    photos = kept.photos || [];
    showPhotos();
    showStamp();
    if (kept.problems) say(texts.refusedText);
    else if (kept.queued) say(texts.queuedText);
  }

  function showPhotos() {
    photoList.hidden = photos.length === 0;
    photoList.textContent = texts.photoText.replace("%(n)s", String(photos.length)) + " — " +
      photos.map(function (p) { return p.name; }).join(", ");
  }

  photoInput.addEventListener("change", function () {
    Array.prototype.forEach.call(photoInput.files, function (file) {
      photos.push({ name: file.name, type: file.type, blob: file });
    });
    photos = photos.slice(-5);
    if (store) photoInput.value = "";  // kept in the list (and on the device), sent with it
    showPhotos();
  });

  // --- time and place ---------------------------------------------------------------------

  function timeNow(date) {
    return date.toLocaleTimeString(document.documentElement.lang || undefined,
      { hour: "2-digit", minute: "2-digit", hour12: false });
  }

  function showStamp() {
    const at = input("observed_at").value;
    if (!at) return;
    let text = texts.stampedText.replace("%(time)s", timeNow(new Date(at)));
    if (input("latitude").value) {
      text += " · " + texts.placeText.replace("%(lat)s", Number(input("latitude").value).toFixed(5))
        .replace("%(lon)s", Number(input("longitude").value).toFixed(5))
        .replace("%(m)s", String(Math.round(Number(input("accuracy_m").value))));
    } else {
      text += " · " + texts.noPlaceText;
    }
    stampText.textContent = text;
  }

  function stamp() {
    input("observed_at").value = new Date().toISOString();
    return new Promise(function (resolve) {
      if (!navigator.geolocation) { resolve(); return; }
      navigator.geolocation.getCurrentPosition(function (position) {
        input("latitude").value = String(position.coords.latitude);
        input("longitude").value = String(position.coords.longitude);
        input("accuracy_m").value = String(position.coords.accuracy);
        resolve();
      }, function () { resolve(); }, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
    }).then(function () { showStamp(); return keep(); });
  }

  stampButton.hidden = false;
  stampButton.addEventListener("click", stamp);

  // --- sending ----------------------------------------------------------------------------

  function sent(outcomes) {
    (outcomes || []).forEach(function (outcome) {
      if (outcome.sent && outcome.sent.key === input("client_id").value) {
        say(texts.sentText.replace("%(time)s", outcome.data.saved_time || ""), true);
        window.setTimeout(function () { window.location.assign(outcome.data.redirect); }, 1200);
      } else if (outcome.refused && outcome.refused.key === input("client_id").value) {
        // Kept on the device as a draft (never dropped); the server's page says what to fix.
        say(texts.refusedText);
        keep(false).then(submitPlain);
      }
    });
  }

  function submitPlain() {
    // The server renders its own messages: post the form as it is, the kept photos with it.
    if (window.DataTransfer && photos.length) {
      const transfer = new DataTransfer();
      photos.forEach(function (p) { transfer.items.add(new File([p.blob], p.name, { type: p.type })); });
      photoInput.files = transfer.files;
    }
    form.dataset.plain = "1";
    form.submit();
  }

  form.addEventListener("submit", function (event) {
    if (!store || form.dataset.plain) return;
    event.preventDefault();
    if (!input("observed_at").value) input("observed_at").value = new Date().toISOString();
    keep(true).then(function (onDevice) {
      if (!onDevice) { submitPlain(); return; }
      say(navigator.onLine ? texts.sendingText : texts.queuedText);
      if (navigator.onLine) store.sendFindings();
    });
  });
  form.addEventListener("change", function (event) {
    if (event.target === photoInput) return;
    if (event.target.name === "outcome") show(current);
    keep().then(function (onDevice) { if (onDevice && !(record && record.queued)) say(texts.keptText); });
  });
  document.addEventListener("riskapp:findings-sent", function (event) { sent(event.detail); });

  function start(kept) {
    if (kept) restore(kept);
    if (!input("client_id").value) input("client_id").value = store ? store.newId() : "";
    const firstError = cards.findIndex(function (card) { return card.querySelector(".error"); });
    show(firstError > 0 ? steps().indexOf(cards[firstError]) : 0);
  }

  if (!store) { start(null); return; }
  store.mine("findings").then(function (all) {
    // The page the server sent back with messages names its client id: the photos come back
    // from the device; otherwise the finding kept for this assessment, if any.
    const id = input("client_id").value;
    start(all.filter(function (f) {
      return id ? f.key === id : f.assessmentId === form.dataset.assessmentId;
    })[0] || null);
  }, function () { start(null); });
})();
