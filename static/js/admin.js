// Administration pages: copy an invitation link; show only the invite fields the chosen role needs.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const input = document.querySelector(button.dataset.copy);
  if (!input) return;
  input.select();
  if (navigator.clipboard) {
    navigator.clipboard.writeText(input.value).catch(() => document.execCommand("copy"));
  } else {
    document.execCommand("copy");
  }
});

const roleSelect = document.querySelector("[data-role-select]");
if (roleSelect) {
  const sync = () => {
    document.querySelectorAll("[data-for-role]").forEach((block) => {
      block.hidden = block.dataset.forRole !== roleSelect.value;
    });
  };
  roleSelect.addEventListener("change", sync);
  sync();
}
