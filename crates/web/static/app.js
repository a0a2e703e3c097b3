// Roster's small progressive enhancements. Every page works without this file.

// Rows of the users list open the user's page when clicked anywhere but a control. Listened
// for on the document, so rows swapped in by live search work too.
document.addEventListener("click", (e) => {
  const row = e.target.closest?.("tr[data-href]");
  if (!row || e.target.closest("a, input, button, label")) return;
  window.location.assign(row.dataset.href);
});

// "Select all on page" toggles every row checkbox.
document.addEventListener("change", (e) => {
  if (e.target.id !== "select-all") return;
  for (const box of document.querySelectorAll('input[name="ids"]')) box.checked = e.target.checked;
});

// Live search: shortly after typing stops, fetch the list page for the form's new address
// and swap its live parts (count, Clear filters, table, pager: `[data-live]`) in place; the
// address is replaced so it stays shareable, the search box keeps focus, and the table
// region is `aria-busy` (with a visible "Searching…") while the answer is on its way. Only
// the newest answer is shown. A refused search (400) loads as a page, to show the error
// beside the box. Dropdowns wait for Apply, so keyboard users can step through their
// options. Without this script the form submits as usual.
const filters = document.getElementById("user-filters");
const q = filters?.querySelector("#q");
const results = document.getElementById("users-results");
const loading = document.getElementById("users-loading");
if (q && results) {
  let timer;
  let inFlight;
  const addressOf = () => {
    const params = new URLSearchParams();
    for (const [k, v] of new FormData(filters)) if (typeof v === "string" && v.trim() !== "") params.append(k, v);
    const query = params.toString();
    return filters.getAttribute("action") + (query ? "?" + query : "");
  };
  const busy = (on) => {
    results.setAttribute("aria-busy", String(on));
    if (loading) loading.hidden = !on;
  };
  const refresh = async () => {
    const address = addressOf();
    inFlight?.abort();
    const mine = (inFlight = new AbortController());
    busy(true);
    try {
      const res = await fetch(address, { headers: { Accept: "text/html" }, signal: mine.signal });
      if (!res.ok) {
        window.location.assign(address);
        return;
      }
      const page = new DOMParser().parseFromString(await res.text(), "text/html");
      if (mine !== inFlight) return;
      for (const fresh of page.querySelectorAll("[data-live][id]")) {
        const here = document.getElementById(fresh.id);
        if (here) here.innerHTML = fresh.innerHTML;
      }
      history.replaceState(history.state, "", address);
    } catch (e) {
      if (e.name !== "AbortError") window.location.assign(address);
    } finally {
      if (mine === inFlight) busy(false);
    }
  };
  q.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  });
}

// The workspace switcher works with its Switch button; with JS it switches on change.
const switcher = document.getElementById("workspace-switcher");
if (switcher) {
  const select = switcher.querySelector("select");
  const button = switcher.querySelector("button");
  if (button) button.hidden = true;
  select?.addEventListener("change", () => switcher.requestSubmit());
}

// Bulk actions: the group choice shows only for "Add to group" (without JS both fields
// show). Every bulk action is confirmed on a page the server answers, naming the users.
const bulkForm = document.getElementById("bulk-form");
const bulkAction = bulkForm?.querySelector("#bulk-action");
const bulkGroup = bulkForm?.querySelector("#bulk-group-field");
if (bulkAction && bulkGroup) {
  const sync = () => { bulkGroup.hidden = bulkAction.value !== "add_to_group"; };
  bulkAction.addEventListener("change", sync);
  sync();
}

// Under ~900 px the sidebar folds behind the Menu button (without JS it stays open above
// the page). Esc closes the sidebar, the user menu and any open <details> menu.
const menuButton = document.getElementById("menu-button");
const sidebar = document.getElementById("sidebar");
if (menuButton && sidebar) {
  menuButton.hidden = false;
  document.body.classList.add("js-menu");
  const setOpen = (open) => {
    menuButton.setAttribute("aria-expanded", String(open));
    sidebar.classList.toggle("open", open);
  };
  menuButton.addEventListener("click", () => setOpen(menuButton.getAttribute("aria-expanded") !== "true"));
  document.addEventListener("keydown", (e) => {
    if (e.key !== "Escape") return;
    if (menuButton.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      menuButton.focus();
    }
  });
}
document.addEventListener("keydown", (e) => {
  if (e.key !== "Escape") return;
  for (const open of document.querySelectorAll("details[open]")) {
    open.open = false;
    open.querySelector("summary")?.focus();
  }
});

// Confirm steps: a form with `data-confirm` asks in a <dialog> before it is sent (without
// JS the server answers a confirm page instead). Esc or Cancel closes the dialog, sending
// nothing.
let confirmDialog;
function askToConfirm(form) {
  if (!confirmDialog) {
    confirmDialog = document.createElement("dialog");
    confirmDialog.id = "confirm-dialog";
    confirmDialog.setAttribute("aria-labelledby", "confirm-dialog-text");
    confirmDialog.innerHTML = '<p id="confirm-dialog-text"></p><form method="dialog" class="actions">' +
      '<button value="yes" class="danger" id="confirm-dialog-yes"></button>' +
      '<button value="no" class="secondary" id="confirm-dialog-no">Cancel</button></form>';
    document.body.append(confirmDialog);
  }
  confirmDialog.querySelector("#confirm-dialog-text").textContent = form.dataset.confirm;
  confirmDialog.querySelector("#confirm-dialog-yes").textContent = form.dataset.confirmButton || "Confirm";
  confirmDialog.returnValue = "";
  confirmDialog.onclose = () => {
    if (confirmDialog.returnValue !== "yes") return;
    form.elements.confirmed.value = "yes";
    form.submit();
  };
  confirmDialog.showModal();
  confirmDialog.querySelector("#confirm-dialog-no").focus();
}
document.addEventListener("submit", (e) => {
  const form = e.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.confirm) return;
  if (form.elements.confirmed?.value === "yes") return;
  e.preventDefault();
  askToConfirm(form);
});

// The SSO mapping editor: "Add row" adds another blank row. Without JS one blank row is
// always offered (save to get another).
for (const add of document.querySelectorAll("[data-add-row]")) {
  const rows = document.getElementById(add.dataset.addRow);
  const blank = rows?.querySelector(".map-row.blank");
  if (!blank) continue;
  add.hidden = false;
  let added = 0;
  add.addEventListener("click", () => {
    added += 1;
    const row = blank.cloneNode(true);
    row.removeAttribute("id");
    for (const field of row.querySelectorAll("input, select")) {
      field.id = `${field.id}-added-${added}`;
      field.value = "";
    }
    add.before(row);
    row.querySelector("input")?.focus();
  });
}
