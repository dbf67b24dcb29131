/*
 * The menu button of the navbar on a narrow screen opens and closes the menu: Bootstrap's
 * collapse without Bootstrap's 80 KB of JavaScript, which every page parsed for this button
 * alone (no other Bootstrap component with a script is used). The markup stays Bootstrap's
 * (data-bs-toggle, data-bs-target, .show), so the stylesheet needs nothing new.
 */
(() => {
  "use strict";

  document.addEventListener("click", (event) => {
    const button = event.target.closest('[data-bs-toggle="collapse"]');
    if (!button) return;
    const menu = document.querySelector(button.getAttribute("data-bs-target"));
    if (!menu) return;
    const open = menu.classList.toggle("show");
    button.setAttribute("aria-expanded", open ? "true" : "false");
    button.classList.toggle("collapsed", !open);
  });
})();
