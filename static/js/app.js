// Small progressive enhancements; every page works without this file.
document.addEventListener("click", (event) => {
  const target = event.target.closest("[data-confirm]");
  if (target && !window.confirm(target.dataset.confirm)) {
    event.preventDefault();
  }
});

// The main menu folds behind its button on narrow screens (CSS hides it below 860 px only while
// the button says it is closed); without this script the button stays hidden and the menu open.
(function () {
  const toggle = document.querySelector(".nav-toggle");
  if (!toggle) { return; }
  toggle.hidden = false;
  document.documentElement.classList.add("nav-collapsible");
  toggle.addEventListener("click", () => {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
  });
}());

// A page opened at an anchor after a save (/enterprise/actions#action-12) scrolls past the
// flashes at the top: move them to the top of the anchored element, where the eye is, and focus
// them so a screen reader reads the message too (the region is role="status").
document.addEventListener("DOMContentLoaded", () => {
  const flashes = document.querySelector(".flashes");
  const target = window.location.hash && document.getElementById(window.location.hash.slice(1));
  if (!flashes || !target || target.contains(flashes)) return;
  target.prepend(flashes);
  flashes.setAttribute("tabindex", "-1");
  flashes.focus({ preventScroll: true });
  target.scrollIntoView();
});
