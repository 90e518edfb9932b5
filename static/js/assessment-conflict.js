// The draft changed on the server while this device held unsent answers: show, for every answer
// that differs, this device's version beside the server's (with when it was saved) and let the
// person keep one or the other per item or all at once. Nothing is sent until every differing
// answer has a choice; nothing is overwritten without one. Used by assessment-form.js.
(function () {
  "use strict";
  const texts = document.getElementById("conflict-texts");

  function label(form, name) {
    const input = form.querySelector("[name='" + name + "']");
    const box = input && input.closest("[data-item], .field");
    const head = box && box.querySelector("legend, label");
    return head ? head.textContent.trim() : name;
  }

  function words(form, name, value) {
    if (value === undefined || value === "") return texts.dataset.noAnswer;
    const input = form.querySelector("[name='" + name + "'][value='" + value + "']");
    if (input && input.type === "radio" && input.labels && input.labels[0]) {
      return input.labels[0].textContent.trim();
    }
    if (input && input.type === "checkbox") return texts.dataset.yes;
    return String(value);
  }

  function serverValues(server) {
    const values = Object.assign({}, server.values);
    if (server.confirmed_case_14d) values.confirmed_case_14d = "y";
    return values;
  }

  // The names whose value differs between this device and the server.
  function differences(mine, server) {
    const theirs = serverValues(server);
    const names = {};
    Object.keys(mine).concat(Object.keys(theirs)).forEach(function (name) {
      if ((mine[name] || "") !== (theirs[name] || "")) names[name] = true;
    });
    return Object.keys(names);
  }

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function choice(name, side, caption, answer) {
    return el("label", { "class": "choice conflict-" + side }, [
      el("input", { type: "radio", name: "pick-" + name, value: side }),
      el("span", {}, [caption + " ", el("strong", {}, [answer])]),
    ]);
  }

  function row(form, name, mine, theirs) {
    return el("fieldset", { "class": "conflict-item", "data-name": name }, [
      el("legend", {}, [label(form, name)]),
      el("div", { "class": "conflict-sides" }, [
        choice(name, "mine", texts.dataset.mine, words(form, name, mine[name])),
        choice(name, "server", texts.dataset.server, words(form, name, theirs[name])),
      ]),
    ]);
  }

  function show(form, data, mine, done) {
    const theirs = serverValues(data.server);
    const names = differences(mine, data.server);
    const old = document.getElementById("conflict-panel");
    if (old) old.remove();
    if (names.length === 0) {  // the same answers on both sides (our own save, answer lost)
      done(mine, data.lock_version);
      return;
    }
    const save = el("button", { type: "button", "class": "btn primary", disabled: "" },
      [texts.dataset.apply]);
    const allMine = el("button", { type: "button", "class": "btn" }, [texts.dataset.allMine]);
    const allServer = el("button", { type: "button", "class": "btn" }, [texts.dataset.allServer]);
    const panel = el("section", { "class": "card conflict", id: "conflict-panel", role: "alert",
      "aria-labelledby": "conflict-title" }, [
      el("h2", { id: "conflict-title" }, [texts.dataset.title]),
      el("p", {}, [texts.dataset.intro.replace("%(time)s", data.server.saved_at || "")]),
      el("div", { "class": "conflict-all" }, [allMine, allServer]),
    ].concat(names.map(function (name) { return row(form, name, mine, theirs); }))
      .concat([el("div", { "class": "conflict-bar" }, [save])]));
    form.parentNode.insertBefore(panel, form);

    function picks() {
      return names.map(function (name) {
        const picked = panel.querySelector("input[name='pick-" + name + "']:checked");
        return picked ? picked.value : null;
      });
    }
    panel.addEventListener("change", function () {
      save.disabled = picks().indexOf(null) !== -1;
    });
    function pickAll(side) {
      panel.querySelectorAll("input[value='" + side + "']").forEach(function (input) {
        input.checked = true;
      });
      save.disabled = false;
    }
    allMine.addEventListener("click", function () { pickAll("mine"); });
    allServer.addEventListener("click", function () { pickAll("server"); });
    save.addEventListener("click", function () {
      const chosen = Object.assign({}, mine);
      picks().forEach(function (side, index) {
        const name = names[index];
        if (side === "server") {
          if (theirs[name] === undefined) delete chosen[name];
          else chosen[name] = theirs[name];
        }
      });
      panel.remove();
      done(chosen, data.lock_version);
    });
    panel.scrollIntoView();
    panel.querySelector("h2").setAttribute("tabindex", "-1");
    panel.querySelector("h2").focus({ preventScroll: true });
  }

  window.riskappConflict = { show: show, differences: differences };
})();
