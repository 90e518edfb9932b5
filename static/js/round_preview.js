// The open-a-round form counts the targeted enterprises as the criteria change (the "Count the
// enterprises" button does the same without script).
document.querySelectorAll("form[data-preview-url]").forEach((form) => {
  const output = form.querySelector("[data-preview-output]");
  if (!output) return;
  const names = ["area_ids", "levels", "industries", "size_bands"];
  let timer = null;
  let asked = 0;
  const refresh = async () => {
    const ticket = ++asked;
    const url = new URL(form.dataset.previewUrl, window.location.href);
    const data = new FormData(form);
    names.forEach((name) => data.getAll(name).forEach((value) => url.searchParams.append(name, value)));
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (!response.ok || ticket !== asked) return;
    const answer = await response.json();
    output.textContent = answer.text;
    output.hidden = false;
  };
  form.addEventListener("change", (event) => {
    if (!names.includes(event.target.name)) return;
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  });
});
