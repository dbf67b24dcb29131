/*
 * The area picker (governance/area_picker.py): a filter's area is chosen by typing its name.
 *
 * Markup, drawn by AreaPickerInput: <div data-area-picker data-search-url=…> holding the
 * field's hidden input [data-area-code] (the division code the filter matches on), the search
 * box [data-area-box], the list of choices (role=listbox) and a hint [data-area-hint]. The
 * messages come from the page (data-no-match, data-choose, data-failed), in its language.
 *
 * What is typed is looked up at data-search-url?q=…, which answers only areas of the person's
 * own jurisdiction. Typing clears the chosen code until an area is chosen again; a form sent
 * with a name typed but none chosen takes the one match if there is exactly one, and is held
 * back otherwise, with the list open.
 */
(() => {
  "use strict";

  const WAIT_MS = 200; // between the last key and the search, so a name is not searched per key

  function enhance(picker) {
    const code = picker.querySelector("[data-area-code]");
    const box = picker.querySelector("[data-area-box]");
    const list = picker.querySelector("[role=listbox]");
    const hint = picker.querySelector("[data-area-hint]");
    const url = picker.dataset.searchUrl;
    // The list is named as the box is, by the field's label.
    if (box.labels && box.labels.length) list.setAttribute("aria-label", box.labels[0].textContent.trim());
    let choices = [];
    let active = -1;
    let timer = null;
    let asked = 0; // the number of the latest search: an older answer arriving late is dropped

    async function search(text) {
      const number = ++asked;
      let answer;
      try {
        const response = await fetch(`${url}?${new URLSearchParams({ q: text })}`, {
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        });
        answer = await response.json();
      } catch (error) {
        answer = { ok: false };
      }
      if (number !== asked) return null;
      if (!answer.ok) {
        say((answer.errors || []).join(" ") || picker.dataset.failed);
        return null;
      }
      return answer.areas;
    }

    function say(text) {
      hint.textContent = text || "";
      hint.classList.toggle("text-danger", Boolean(text));
    }

    function close() {
      list.hidden = true;
      box.setAttribute("aria-expanded", "false");
      box.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function show(areas) {
      choices = areas;
      active = -1;
      list.replaceChildren(
        ...areas.map((area, index) => {
          const option = document.createElement("li");
          option.id = `${list.id}-${index}`;
          option.className = "list-group-item list-group-item-action";
          option.setAttribute("role", "option");
          option.setAttribute("aria-selected", "false");
          option.dataset.code = area.code;
          const name = document.createElement("span");
          name.textContent = area.path;
          const level = document.createElement("small");
          level.className = "text-body-secondary ms-2";
          level.textContent = area.level;
          option.append(name, level);
          // mousedown, not click: the box would lose its focus first and close the list.
          option.addEventListener("mousedown", (event) => {
            event.preventDefault();
            choose(area);
          });
          return option;
        }),
      );
      list.hidden = areas.length === 0;
      box.setAttribute("aria-expanded", String(areas.length > 0));
      say(areas.length ? "" : picker.dataset.noMatch);
    }

    function choose(area) {
      code.value = area.code;
      box.value = area.path;
      say("");
      close();
    }

    function highlight(index) {
      const options = list.querySelectorAll("[role=option]");
      if (!options.length) return;
      active = (index + options.length) % options.length;
      options.forEach((option, i) => {
        option.classList.toggle("active", i === active);
        option.setAttribute("aria-selected", String(i === active));
      });
      box.setAttribute("aria-activedescendant", options[active].id);
      options[active].scrollIntoView({ block: "nearest" });
    }

    box.addEventListener("input", () => {
      code.value = "";
      clearTimeout(timer);
      const text = box.value.trim();
      if (!text) {
        asked += 1;
        choices = [];
        close();
        say("");
        return;
      }
      timer = setTimeout(async () => {
        const areas = await search(text);
        if (areas) show(areas);
      }, WAIT_MS);
    });

    box.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (list.hidden && choices.length) {
          list.hidden = false;
          box.setAttribute("aria-expanded", "true");
        }
        highlight(active + (event.key === "ArrowDown" ? 1 : -1));
        event.preventDefault();
      } else if (event.key === "Enter" && !list.hidden && active >= 0) {
        choose(choices[active]);
        event.preventDefault(); // chosen, not yet sent
      } else if (event.key === "Escape" && !list.hidden) {
        close();
        event.preventDefault();
      }
    });

    box.addEventListener("blur", close);

    const form = box.form;
    if (form) {
      form.addEventListener("submit", async (event) => {
        const text = box.value.trim();
        if (!text || code.value) return;
        event.preventDefault();
        clearTimeout(timer);
        const areas = await search(text);
        if (!areas) return;
        if (areas.length === 1) {
          choose(areas[0]);
          form.submit();
          return;
        }
        show(areas);
        if (areas.length) say(picker.dataset.choose);
        box.focus();
      });
    }

    // A page opened with an area in its filter shows that area's name, not its code.
    if (code.value) {
      box.value = code.value;
      search(code.value).then((areas) => {
        const area = (areas || []).find((found) => found.code === code.value);
        if (area && !box.matches(":focus")) box.value = area.path;
      });
    }
  }

  function start() {
    document.querySelectorAll("[data-area-picker]").forEach(enhance);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
