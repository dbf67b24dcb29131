/*
 * "Add a party" on a Django formset: clone the empty form kept in a <template>, number it,
 * and count it in TOTAL_FORMS. Without JavaScript the button stays hidden and the page still
 * works with the forms it was given. A file, not inline: CSP.
 */
(() => {
  "use strict";

  function enhance(formset) {
    const prefix = formset.dataset.formset;
    const total = formset.querySelector(`input[name="${prefix}-TOTAL_FORMS"]`);
    const max = formset.querySelector(`input[name="${prefix}-MAX_NUM_FORMS"]`);
    const forms = formset.querySelector("[data-formset-forms]");
    const empty = formset.querySelector("template[data-formset-empty]");
    const add = formset.querySelector("[data-formset-add]");
    if (!total || !forms || !empty || !add) return;
    add.hidden = false;
    add.addEventListener("click", () => {
      const index = Number(total.value);
      if (max && index >= Number(max.value)) return;
      const html = empty.innerHTML.replaceAll("__prefix__", String(index));
      forms.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      forms.lastElementChild.querySelector("input, select, textarea")?.focus();
    });
  }

  function start() {
    document.querySelectorAll("[data-formset]").forEach(enhance);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
