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

// Escape cancels the row being edited.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape" || !(event.target instanceof Element)) return;
  const row = event.target.closest("tr.row-editing");
  const cancel = row && row.querySelector("a[hx-get]");
  if (cancel) cancel.click();
});
