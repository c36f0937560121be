// Small htmx helpers only; every page works without this file.
"use strict";

// When htmx swaps in a 422 answer (validation or posting errors), move focus to the first
// message or invalid field so keyboard and screen-reader users land on it.
document.addEventListener("htmx:afterSettle", (event) => {
  const xhr = event.detail.xhr;
  if (!xhr || xhr.status !== 422) return;
  const first = document.querySelector('#posting-error, [aria-invalid="true"]');
  if (first) first.focus();
});

// Messages of an earlier action go away when the next one starts.
document.addEventListener("htmx:beforeRequest", (event) => {
  if (event.detail.requestConfig && event.detail.requestConfig.verb === "get") return;
  document.querySelectorAll("main > .messages").forEach((list) => list.remove());
});

// Escape cancels the row being edited.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape" || !(event.target instanceof Element)) return;
  const row = event.target.closest("tr.row-editing");
  const cancel = row && row.querySelector("a[hx-get]");
  if (cancel) cancel.click();
});

// ---------------------------------------------------------------- revaluation journal grid

// Enter and Tab move to the same column of the next line, like a spreadsheet; Shift+Enter
// moves up. Leaving the cell fires its "change", which saves it (hx-trigger="change").
// On the last line Enter just saves; Tab then goes on to the next control as usual.
document.addEventListener("keydown", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || !input.dataset.gridCol) return;
  const down = event.key === "Tab" ? !event.shiftKey : event.key === "Enter";
  const up = event.key === "Enter" && event.shiftKey;
  if (!down && !up) return;
  const selector = `input[data-grid-col="${input.dataset.gridCol}"]`;
  let row = input.closest("tr");
  let next = null;
  while (row && !next) {
    row = up ? row.previousElementSibling : row.nextElementSibling;
    next = row && row.querySelector(selector);
  }
  if (next) {
    event.preventDefault();
    next.focus();
    next.select();
  } else if (event.key === "Enter") {
    event.preventDefault(); // never submit the row's no-JavaScript form
    input.blur();
    input.focus();
    input.select();
  }
});

// Escape puts back the cell's saved value (nothing is sent: the value no longer changed).
document.addEventListener("keydown", (event) => {
  const input = event.target;
  if (event.key !== "Escape" || !(input instanceof HTMLInputElement) || !input.dataset.gridCol) return;
  input.value = input.dataset.saved;
  input.select();
});

// A saved cell (200) is valid again: drop the marks a refused value (422) left on it, and show
// the saved value formatted like the column (the server sends it; Escape restores it).
document.addEventListener("htmx:afterRequest", (event) => {
  const input = event.detail.elt;
  if (!(input instanceof HTMLInputElement) || !input.dataset.gridCol) return;
  if (event.detail.xhr && event.detail.xhr.status === 200) {
    const saved = event.detail.xhr.getResponseHeader("X-Saved-Value");
    if (saved !== null) {
      input.dataset.saved = saved;
      if (document.activeElement !== input) input.value = saved;
    }
    input.removeAttribute("aria-invalid");
    const cell = input.closest("td");
    if (cell) cell.classList.remove("cell-error");
    const row = input.closest("tr");
    if (row && !row.querySelector(".cell-error")) row.classList.remove("row-error");
  }
});

// Calculate Inventory Value: "per Item Ledger Entry" disables the per-item options (spec 4.1).
function syncCalculatePer(form) {
  const checked = form.querySelector('input[name="per"]:checked');
  const perItem = !checked || checked.value === "item";
  form.querySelectorAll("fieldset[data-per-item-only]").forEach((fieldset) => {
    fieldset.disabled = !perItem;
  });
}
document.addEventListener("change", (event) => {
  const form = event.target instanceof Element && event.target.closest("form.calculate-form");
  if (form && event.target.name === "per") syncCalculatePer(form);
});
function syncAllCalculateForms() {
  document.querySelectorAll("form.calculate-form").forEach(syncCalculatePer);
}
document.addEventListener("DOMContentLoaded", syncAllCalculateForms);
document.addEventListener("htmx:afterSettle", syncAllCalculateForms);
