// The draft changed on the server while this device held unsent answers. Compared with the
// version both started from (the base): an answer changed only there is taken, one changed only
// here is kept, and for each answer changed on both sides to different values this device's
// version is shown beside the server's (with when it was saved) for the person to keep one or the
// other, per item or all at once. Nothing is sent until every such answer has a choice; nothing
// is overwritten without one. Without a base every differing answer is asked. Used by
// assessment-form.js.
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

  // The names changed on both sides to different values (every differing one without a base),
  // and the answers to take from the server unasked (changed there only).
  function differences(mine, server, base) {
    const theirs = serverValues(server);
    const names = {};
    const taken = {};
    Object.keys(mine).concat(Object.keys(theirs)).forEach(function (name) {
      const m = mine[name] || "";
      const t = theirs[name] || "";
      if (m === t) return;
      const b = base ? base[name] || "" : null;
      if (b === m) taken[name] = true;  // not changed here: the server's change stands
      else if (b !== t) names[name] = true;  // changed on both sides (or no base): ask
    });
    return { asked: Object.keys(names), taken: Object.keys(taken) };
  }

  function withServers(mine, theirs, names) {
    const chosen = Object.assign({}, mine);
    names.forEach(function (name) {
      if (theirs[name] === undefined) delete chosen[name];
      else chosen[name] = theirs[name];
    });
    return chosen;
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

  function show(form, data, mine, done, base) {
    const theirs = serverValues(data.server);
    const split = differences(mine, data.server, base);
    const names = split.asked;
    const merged = withServers(mine, theirs, split.taken);
    const old = document.getElementById("conflict-panel");
    if (old) old.remove();
    if (names.length === 0) {  // nothing changed on both sides: take theirs, keep mine, send
      done(merged, data.lock_version);
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
      const fromServer = names.filter(function (name, index) {
        return picks()[index] === "server";
      });
      panel.remove();
      done(withServers(merged, theirs, fromServer), data.lock_version);
    });
    panel.scrollIntoView();
    panel.querySelector("h2").setAttribute("tabindex", "-1");
    panel.querySelector("h2").focus({ preventScroll: true });
  }

  window.riskappConflict = { show: show, differences: differences };
})();
