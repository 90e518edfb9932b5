// A filter box over a long list of areas (a select's options or a picker's checkboxes): the
// server matches the text ("hoang hoa" finds "Hoằng Hóa"); matches and the areas above them stay.
document.querySelectorAll("[data-area-search]").forEach((input) => {
  const target = document.getElementById(input.dataset.areaSearch);
  if (!target) return;
  input.hidden = false;
  const items = () => target.querySelectorAll("option[value], input[type=checkbox]");
  const show = (item, visible) => {
    const node = item.tagName === "OPTION" ? item : item.closest("label");
    node.hidden = !visible;
  };
  let timer = null;
  let asked = 0;
  const refresh = async () => {
    const ticket = ++asked;
    if (!input.value.trim()) {
      items().forEach((item) => show(item, true));
      return;
    }
    const url = new URL(input.dataset.url, window.location.href);
    url.searchParams.set("q", input.value);
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (!response.ok || ticket !== asked) return;
    const data = await response.json();
    const keep = new Set([...data.matches, ...data.above].map(String));
    // The empty "all areas" option and chosen areas always stay.
    items().forEach((item) => show(item, item.value === "" || item.checked || item.selected
                                          || keep.has(item.value)));
  };
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 200);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") event.preventDefault();
  });
});
