// The print button of a printable page (the mediation agreement). A file, not inline: CSP.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
