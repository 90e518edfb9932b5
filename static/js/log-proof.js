// The report's inclusion proof checked in the browser (RFC 9162 §2.1.3.2 with WebCrypto's
// SHA-256), so a reader need not trust the server's own "verified": the leaf's bytes and the
// audit path must give the root hash of the signed tree head shown beside it.
(function () {
  "use strict";
  var target = document.getElementById("log-browser-check");
  if (!target) return;
  var details = document.querySelector("details.log-path");
  if (details && window.matchMedia("(min-width: 700px)").matches) details.open = true;
  if (!window.crypto || !window.crypto.subtle || !window.TextEncoder) {
    target.textContent = target.dataset.unavailable;
    return;
  }

  function hex(bytes) {
    return Array.prototype.map.call(new Uint8Array(bytes), function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }
  function fromHex(text) {
    var out = new Uint8Array(text.length / 2);
    for (var i = 0; i < out.length; i++) out[i] = parseInt(text.substr(i * 2, 2), 16);
    return out;
  }
  function sha256(prefix, parts) {
    var length = 1 + parts.reduce(function (n, p) { return n + p.length; }, 0);
    var data = new Uint8Array(length);
    data[0] = prefix;
    var at = 1;
    parts.forEach(function (p) { data.set(p, at); at += p.length; });
    return crypto.subtle.digest("SHA-256", data).then(function (d) { return new Uint8Array(d); });
  }

  async function rootFromProof(leafInput, index, size, path) {
    if (index >= size) return null;
    var fn = index, sn = size - 1;
    var r = await sha256(0, [leafInput]);
    for (var i = 0; i < path.length; i++) {
      if (sn === 0) return null;
      if (fn % 2 === 1 || fn === sn) {
        r = await sha256(1, [path[i], r]);
        if (fn % 2 === 0) {
          while (fn !== 0 && fn % 2 === 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
        }
      } else {
        r = await sha256(1, [r, path[i]]);
      }
      fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
    }
    return sn === 0 ? hex(r) : null;
  }

  var data = target.dataset;
  var path = data.path ? data.path.split(",").map(fromHex) : [];
  rootFromProof(new TextEncoder().encode(data.leafInput), Number(data.leafIndex),
                Number(data.treeSize), path).then(function (root) {
    var ok = root !== null && root === data.root;
    target.textContent = ok ? data.ok : data.bad;
    target.className = ok ? "log-ok" : "log-bad";
    target.setAttribute("data-verified", ok ? "yes" : "no");
  }, function () {
    target.textContent = data.unavailable;
  });
})();
