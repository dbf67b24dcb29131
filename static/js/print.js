/*
 * The print button of a printable page (the mediation agreement). A file, not inline: CSP.
 */
(() => {
  "use strict";

  function start() {
    document.querySelectorAll("[data-print]").forEach((button) => {
      button.addEventListener("click", () => window.print());
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
