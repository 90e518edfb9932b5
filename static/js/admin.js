// Administration pages: copy an invitation link; show only the invite fields the chosen role needs
// (a block's data-for-role lists the roles it is for, space-separated).
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
      block.hidden = !block.dataset.forRole.split(" ").includes(roleSelect.value);
    });
  };
  roleSelect.addEventListener("change", sync);
  sync();
}

// The officer's enterprise picker: refresh the matches as one types (the server folds the text,
// so "hoang hoa" finds "Hoằng Hóa"); without JavaScript its Search button does the same.
const picker = document.querySelector("[data-enterprise-picker]");
if (picker) {
  const input = picker.querySelector("input[type=search]");
  const list = picker.querySelector(".enterprise-matches");
  const count = picker.querySelector("[data-picker-count]");
  let timer = null;
  let asked = 0;
  const row = (item, checked) => {
    const label = document.createElement("label");
    label.className = "check";
    const radio = document.createElement("input");
    radio.type = "radio";
    radio.name = "enterprise_id";
    radio.value = item.id;
    radio.checked = checked;
    const text = document.createElement("span");
    const extra = document.createElement("span");
    extra.className = "muted";
    extra.textContent = `${item.tax_code} · ${item.area}`;
    text.append(`${item.name} `, extra);
    label.append(radio, text);
    return label;
  };
  const refresh = async () => {
    const ticket = ++asked;
    const url = `${picker.dataset.suggestUrl}?q=${encodeURIComponent(input.value)}`;
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (!response.ok || ticket !== asked) return;
    const data = await response.json();
    const chosen = list.querySelector("input:checked");
    const rows = data.items.filter((item) => !chosen || String(item.id) !== chosen.value);
    // The chosen enterprise stays chosen while one looks at others.
    list.replaceChildren(...(chosen ? [chosen.closest("label")] : []),
      ...rows.map((item) => row(item, false)));
    if (!list.children.length) {
      const empty = document.createElement("p");
      empty.className = "muted";
      empty.textContent = list.dataset.empty;
      list.append(empty);
    }
    count.textContent = count.dataset.template
      .replace("{shown}", data.items.length).replace("{total}", data.total);
  };
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 200);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();  // search, do not send the invitation
      clearTimeout(timer);
      refresh();
    }
  });
}
