// Roster's small progressive enhancements. Every page works without this file.

// Rows of the users list open the user's page when clicked anywhere but a control.
for (const row of document.querySelectorAll("tr[data-href]")) {
  row.addEventListener("click", (e) => {
    if (e.target.closest("a, input, button, label")) return;
    window.location.assign(row.dataset.href);
  });
}

// "Select all on page" toggles every row checkbox.
const selectAll = document.getElementById("select-all");
if (selectAll) {
  selectAll.addEventListener("change", () => {
    for (const box of document.querySelectorAll('input[name="ids"]')) box.checked = selectAll.checked;
  });
}

// Live search: submit the filter form shortly after typing stops; filters apply on change.
const filters = document.getElementById("user-filters");
if (filters) {
  const q = filters.querySelector("#q");
  let timer;
  q?.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => filters.requestSubmit(), 350);
  });
  for (const select of filters.querySelectorAll("select")) {
    select.addEventListener("change", () => filters.requestSubmit());
  }
}
