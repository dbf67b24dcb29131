/*
 * The phone's outbox: what a grid worker submits is kept in IndexedDB until the portal has it.
 *
 * A submission is stored on the phone before the first try, so a dead zone or a closed tab
 * loses nothing. Its client_key, made here, lets the server store it once however often it
 * is retried. There is no service worker (intranet portals run on plain http, where browsers
 * refuse them): every page that loads this file sends what is waiting, on load, when the
 * network returns, and every 30 seconds.
 *
 * Photos are shrunk on the phone before they are kept: a camera's photo of several MB would
 * not get through a weak mobile link. A try at sending is given time in proportion to its
 * size; one that runs out of time is told to the worker as a slow network (and tried again at
 * once, with twice the time), not as no network.
 *
 * Markup: <form data-outbox="name" data-outbox-done="/next/"> is sent through the outbox;
 * its <input type=file data-photo-longest-side="1600"> photos are shrunk to that size;
 * [data-outbox-status] shows what happened; [data-outbox-list] lists what is waiting
 * ([data-outbox-items], counted in [data-outbox-count]) and what the portal refused
 * ([data-outbox-refused-items], counted in [data-outbox-refused-count]): a refused one is
 * opened again in its form (its page's address with #outbox=<key>) to be corrected and saved;
 * forms with data-geolocate get their hidden latitude/longitude filled when the phone can.
 * The form is checked on the phone before anything is kept: its fields' own rules (required,
 * maxlength) and data-outbox-required-if="other=value" (this field is needed when the field
 * `other` has that value, with data-outbox-required-message); the form's
 * data-outbox-required gives the message for an empty required field.
 * A form that is not a finding names itself: data-outbox-label (its line in the list) and
 * data-outbox-sent / -offline / -slow / -later / -sign-in (what the worker is told); with
 * data-outbox-once it is sent once only: kept on the phone, it is not made ready for another.
 * The <script> element itself carries data-send-seconds and data-slow-bytes-per-second
 * ({% outbox_script %}, from the portal's settings).
 */
(() => {
  "use strict";

  // What the worker is told, in the page's language: Django's JavaScript catalogue
  // (/jsi18n/, loaded just before this file) gives gettext, ngettext and interpolate; should it
  // be missing, the English source strings are shown and the outbox works all the same.
  const gettext = window.gettext || ((text) => text);
  const ngettext = window.ngettext || ((one, many, n) => (n === 1 ? one : many));
  const interpolate =
    window.interpolate ||
    ((format, values) => format.replace(/%\((\w+)\)s/g, (match, name) => String(values[name])));
  const t = {
    sending: gettext("Saved on the phone, sending…"),
    sent: gettext("The finding was saved."),
    offline: gettext(
      "No network: this finding is saved on the phone and will be sent when the network returns. You can log the next one.",
    ),
    slow: gettext(
      "Slow network, still trying: this finding is saved on the phone and is still being sent. You can log the next one.",
    ),
    waitingSlow: gettext("Slow network, still trying to send the findings kept on the phone."),
    shrinking: gettext("Making the photos smaller…"),
    later: gettext(
      "The server cannot take it now: this finding is saved on the phone and will be sent later.",
    ),
    signIn: gettext(
      "Your session has ended: this finding is saved on the phone. Sign in again and it will be sent.",
    ),
    waitingSignIn: gettext("Findings are waiting to be sent. Sign in again and they will be sent."),
    refused: gettext("Not saved. Please correct and submit again:"),
    refusedItem: gettext("Refused by the server; correct it or delete it:"),
    reopened: gettext("The server refused this one. Correct it and save it again:"),
    photosLost: gettext("Its photos could not be put back; add them again."),
    gone: gettext("This one is no longer kept on the phone."),
    failed: gettext(
      "Not saved: the phone cannot keep it and there is no network. Please try again later.",
    ),
    flushed: (n) =>
      interpolate(
        ngettext(
          "%(count)s finding kept on the phone was sent.",
          "%(count)s findings kept on the phone were sent.",
          n,
        ),
        { count: n },
        true,
      ),
    discard: gettext("Delete"),
    correct: gettext("Correct"),
    problem: (field, message) =>
      interpolate(gettext("%(field)s: %(message)s"), { field, message }, true),
  };

  // How long a try may take: data-send-seconds plus its bytes at data-slow-bytes-per-second,
  // doubled after each try that ran out of time, up to 2 ** MAX_DOUBLINGS times.
  const settings = (document.currentScript || {}).dataset || {};
  const SEND_SECONDS = Number(settings.sendSeconds);
  const SLOW_BYTES_PER_SECOND = Number(settings.slowBytesPerSecond);
  if (!(SEND_SECONDS > 0 && SLOW_BYTES_PER_SECOND > 0)) {
    throw new Error("outbox.js needs data-send-seconds and data-slow-bytes-per-second");
  }
  const MAX_DOUBLINGS = 4;
  const SLOW_RETRY_MS = 3000;
  const FLUSH_EVERY_MS = 30000;
  const PHOTO_QUALITY = 0.8; // as the portal's own re-encoding (grids/photos.py)
  const FLASH_KEY = "outbox-flash";
  const REOPEN_PREFIX = "outbox="; // #outbox=<key>: the form opened again with that item in it
  const sending = new Set(); // keys being sent from this page, so they are not sent twice

  // --- IndexedDB ------------------------------------------------------------------------------

  let database = null;
  function openDb() {
    if (!database) {
      database = new Promise((resolve, reject) => {
        const request = indexedDB.open("portal-outbox", 1);
        request.onupgradeneeded = () => request.result.createObjectStore("items", { keyPath: "key" });
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      database.catch(() => (database = null));
    }
    return database;
  }

  async function inStore(mode, work) {
    const db = await openDb();
    return new Promise((resolve, reject) => {
      const transaction = db.transaction("items", mode);
      const request = work(transaction.objectStore("items"));
      transaction.oncomplete = () => resolve(request.result);
      transaction.onerror = transaction.onabort = () => reject(transaction.error);
    });
  }

  async function store(item) {
    try {
      await inStore("readwrite", (items) => items.put(item));
    } catch (error) {
      // Some older WebViews cannot keep a Blob in IndexedDB; the bytes themselves they can.
      for (const entry of item.entries) {
        if (entry.blob instanceof Blob) {
          entry.blob = { bytes: await entry.blob.arrayBuffer(), type: entry.blob.type };
        }
      }
      await inStore("readwrite", (items) => items.put(item));
    }
  }

  const forget = (key) => inStore("readwrite", (items) => items.delete(key));
  const queued = async () =>
    (await inStore("readonly", (items) => items.getAll())).sort((a, b) => a.created - b.created);

  // --- sending --------------------------------------------------------------------------------

  function csrfToken() {
    const cookie = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (cookie) return decodeURIComponent(cookie[1]);
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function asBlob(stored) {
    return stored instanceof Blob ? stored : new Blob([stored.bytes], { type: stored.type });
  }

  const sizeOf = (entry) =>
    entry.blob
      ? entry.blob.size ?? entry.blob.bytes.byteLength
      : new Blob([entry.value]).size;

  /* The time a try may take: what a slow link needs for the item's bytes, more after each try
   * that ran out of time (item.slow counts them), so a link slower still gets it through. */
  function timeLimitMs(item) {
    const bytes = item.entries.reduce((sum, entry) => sum + sizeOf(entry), 0);
    const doubling = 2 ** Math.min(item.slow || 0, MAX_DOUBLINGS);
    return (SEND_SECONDS + bytes / SLOW_BYTES_PER_SECOND) * 1000 * doubling;
  }

  /* One try. The outcome is "sent", "refused" (with the server's errors), "offline" (no
   * answer), "slow" (no answer in the time given), "later" (the server failed) or "signIn"
   * (an answer that is not the portal's JSON: the session ended and the request was sent on
   * to the sign-in page). */
  async function send(item) {
    const body = new FormData();
    for (const entry of item.entries) {
      if (entry.blob) body.append(entry.name, asBlob(entry.blob), entry.filename || "photo.jpg");
      else body.append(entry.name, entry.value);
    }
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeLimitMs(item));
    let response;
    try {
      response = await fetch(item.url, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
        signal: controller.signal,
      });
    } catch (error) {
      if (!timedOut) return { outcome: "offline" };
      item.slow = (item.slow || 0) + 1; // the next try gets twice the time
      await store(item).catch(() => {});
      return { outcome: "slow" };
    } finally {
      clearTimeout(timer);
    }
    if (response.status >= 500 || response.status === 408 || response.status === 429) {
      return { outcome: "later" };
    }
    if (!(response.headers.get("Content-Type") || "").includes("application/json")) {
      return { outcome: "signIn" };
    }
    let answer;
    try {
      answer = await response.json();
    } catch (error) {
      return { outcome: "later" };
    }
    if (answer.ok) return { outcome: "sent", url: answer.url };
    return { outcome: "refused", errors: answer.errors || [] };
  }

  let flushing = null;
  function flush() {
    flushing = flushing || sendWaiting().finally(() => (flushing = null));
    return flushing;
  }

  /* Send what is waiting, oldest first, one at a time; stop at the first that cannot go. */
  async function sendWaiting() {
    let items;
    try {
      items = await queued();
    } catch (error) {
      return;
    }
    let sent = 0;
    let stopped = null;
    const refused = [];
    if (navigator.onLine !== false) {
      for (const item of items) {
        if (item.refused || sending.has(item.key)) continue;
        sending.add(item.key);
        try {
          const result = await send(item);
          if (result.outcome === "sent") {
            await forget(item.key);
            sent += 1;
          } else if (result.outcome === "refused") {
            // Kept, and shown with the reasons, until the worker has read them and deletes it.
            item.refused = result.errors;
            await store(item);
            refused.push(item);
          } else {
            stopped = result.outcome;
            break;
          }
        } finally {
          sending.delete(item.key);
        }
      }
    }
    if (refused.length) {
      const reasons = refused.map((item) => t.problem(item.label, item.refused.join(" ")));
      say(t.refusedItem, "danger", reasons);
    } else if (sent) say(t.flushed(sent), "success");
    else if (stopped === "signIn") say(t.waitingSignIn, "warning");
    else if (stopped === "slow") say(t.waitingSlow, "warning");
    if (stopped === "slow") setTimeout(flush, SLOW_RETRY_MS); // the link is there: keep at it
    await showWaiting();
  }

  // --- what the worker sees -------------------------------------------------------------------

  function statusBox() {
    let box = document.querySelector("[data-outbox-status]");
    if (!box) {
      box = document.createElement("div");
      box.setAttribute("data-outbox-status", "");
      box.setAttribute("role", "status");
      (document.querySelector("main") || document.body).prepend(box);
    }
    return box;
  }

  function say(text, kind, details) {
    const box = statusBox();
    box.className = `alert alert-${kind}`;
    box.hidden = false;
    box.textContent = text;
    if (details && details.length) {
      const list = document.createElement("ul");
      list.className = "mb-0";
      for (const detail of details) {
        const line = document.createElement("li");
        line.textContent = detail;
        list.append(line);
      }
      box.append(list);
    }
  }

  const pad = (n) => String(n).padStart(2, "0");
  const shortTime = (ms) => {
    const d = new Date(ms);
    return `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
  };

  /* The outbox on the page: what is waiting to be sent, and apart from it what the portal
   * refused, each list with its own count, so that a number always matches the lines under
   * it. A refused one can be opened again in its form, or deleted. */
  async function showWaiting() {
    const section = document.querySelector("[data-outbox-list]");
    if (!section) return;
    let items = [];
    try {
      items = await queued();
    } catch (error) {
      // Without IndexedDB nothing can be waiting.
    }
    section.classList.toggle("d-none", items.length === 0);
    section.hidden = items.length === 0;
    const waiting = items.filter((item) => !item.refused);
    const refused = items.filter((item) => item.refused);
    showPart(section, "[data-outbox-count]", "[data-outbox-items]", waiting);
    showPart(section, "[data-outbox-refused-count]", "[data-outbox-refused-items]", refused);
  }

  function showPart(section, countSelector, listSelector, items) {
    const count = section.querySelector(countSelector);
    if (count) count.textContent = String(items.length);
    const list = section.querySelector(listSelector);
    if (!list) return;
    // The list's heading and count go with it: a part with nothing in it is not shown.
    const part = list.closest("[data-outbox-part]");
    if (part) part.hidden = items.length === 0;
    list.replaceChildren(...items.map(outboxLine));
  }

  function outboxLine(item) {
    const line = document.createElement("li");
    line.className = "list-group-item";
    line.dataset.outboxKey = item.key;
    const head = document.createElement("div");
    head.className = "d-flex justify-content-between gap-2";
    const label = document.createElement("span");
    label.textContent = item.label;
    const time = document.createElement("small");
    time.className = "text-body-secondary text-nowrap";
    time.textContent = shortTime(item.created);
    head.append(label, time);
    line.append(head);
    if (!item.refused) return line;
    const why = document.createElement("div");
    why.className = "text-danger";
    why.textContent = `${t.refusedItem} ${item.refused.join(" ")}`;
    const actions = document.createElement("div");
    actions.className = "d-flex gap-2 mt-1";
    const correct = document.createElement("a");
    correct.className = "btn btn-outline-primary";
    correct.href = `${item.page || item.url}#${REOPEN_PREFIX}${encodeURIComponent(item.key)}`;
    correct.textContent = t.correct;
    const discard = document.createElement("button");
    discard.type = "button";
    discard.className = "btn btn-outline-danger";
    discard.textContent = t.discard;
    discard.addEventListener("click", () => forget(item.key).then(showWaiting));
    actions.append(correct, discard);
    line.append(why, actions);
    return line;
  }

  // --- the form -------------------------------------------------------------------------------

  function uuid4() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  function localIsoNow() {
    const d = new Date();
    const offset = -d.getTimezoneOffset();
    const sign = offset < 0 ? "-" : "+";
    const abs = Math.abs(offset);
    return (
      `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}` +
      `T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}` +
      `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
    );
  }

  const field = (form, name) => form.elements.namedItem(name);

  /* A fresh key for each new finding: a key the server has seen would bring back the stored
   * finding instead of this one. Browsers restore hidden inputs on "back", hence `always`. */
  function prepare(form, always) {
    const key = field(form, "client_key");
    if (key && (always || !key.value)) key.value = uuid4();
    const foundAt = field(form, "found_at");
    if (foundAt && (always || !foundAt.value)) foundAt.value = localIsoNow();
  }

  function readyForNext(form) {
    const grid = field(form, "grid");
    const chosen = grid && grid.value;
    form.reset(); // hidden inputs (the location among them) keep their values
    if (grid) grid.value = chosen;
    prepare(form, true);
    if (form.hasAttribute("data-geolocate")) geolocate(form);
  }

  // --- checking the form on the phone ------------------------------------------------------

  /* Whether "name=value" holds in the form now (a radio group's value is its checked one). */
  function holds(form, condition) {
    const at = condition.indexOf("=");
    const control = field(form, condition.slice(0, at));
    return Boolean(control) && (control.value || "") === condition.slice(at + 1);
  }

  function isEmpty(form, control) {
    if (control.type === "radio") return !field(form, control.name).value;
    if (control.type === "checkbox") return !control.checked;
    if (control.type === "file") return control.files.length === 0;
    return !control.value.trim(); // the portal strips what is typed: spaces alone are nothing
  }

  function labelOf(control) {
    const legend = control.type === "radio" && control.closest("fieldset")?.querySelector("legend");
    const label = legend || (control.labels && control.labels[0]);
    if (!label) return control.name;
    const copy = label.cloneNode(true);
    copy.querySelectorAll(".asteriskField").forEach((mark) => mark.remove());
    return copy.textContent.trim();
  }

  function controlsNamed(form, name) {
    return Array.from(form.elements).filter((control) => control.name === name);
  }

  /* Takes away the marks of the problems of the field `name` (all of them without a name),
   * and of the fields whose need depends on it. */
  function clearProblems(form, name) {
    const names = new Set();
    form.querySelectorAll("[data-outbox-problem]").forEach((note) => {
      const of = note.dataset.outboxProblem;
      const dependent = field(form, of)?.dataset?.outboxRequiredIf?.startsWith(`${name}=`);
      if (!name || of === name || dependent) {
        names.add(of);
        note.remove();
      }
    });
    for (const of of names) {
      for (const control of controlsNamed(form, of)) {
        control.classList.remove("is-invalid");
        control.removeAttribute("aria-invalid");
        const rest = (control.getAttribute("aria-describedby") || "")
          .split(" ")
          .filter((id) => id && id !== `outbox-problem-${of}`);
        if (rest.length) control.setAttribute("aria-describedby", rest.join(" "));
        else control.removeAttribute("aria-describedby");
      }
    }
  }

  function markProblem(form, control, message) {
    const group = controlsNamed(form, control.name);
    const note = document.createElement("div");
    note.id = `outbox-problem-${control.name}`;
    note.className = "invalid-feedback d-block";
    note.dataset.outboxProblem = control.name;
    note.textContent = message;
    for (const member of group) {
      member.classList.add("is-invalid");
      member.setAttribute("aria-invalid", "true");
      const described = member.getAttribute("aria-describedby");
      member.setAttribute("aria-describedby", described ? `${described} ${note.id}` : note.id);
    }
    const place = control.closest("[id^=div_id_]") || control.closest("fieldset") || control.parentElement;
    place.append(note);
  }

  /* What keeps the form from being saved, found on the phone before anything is kept: each
   * problem is shown under its field and returned as a sentence naming the field. The portal
   * checks everything again; this only spares the worker a finding "saved" and then refused. */
  function problems(form) {
    clearProblems(form);
    form.querySelectorAll("[data-outbox-required-if]").forEach((control) => {
      control.required = holds(form, control.dataset.outboxRequiredIf);
    });
    const found = [];
    const seen = new Set();
    for (const control of form.elements) {
      if (!control.name || !control.willValidate || seen.has(control.name)) continue;
      let message = "";
      if (control.required && isEmpty(form, control)) {
        message =
          control.dataset.outboxRequiredMessage ||
          form.dataset.outboxRequired ||
          control.validationMessage;
      } else if (!control.checkValidity()) {
        message = control.validationMessage;
      }
      if (!message) continue;
      seen.add(control.name);
      markProblem(form, control, message);
      found.push({ control, text: t.problem(labelOf(control), message) });
    }
    return found;
  }

  // --- a refused item, opened again in its form ---------------------------------------------

  function reopenedKey() {
    const hash = location.hash.slice(1);
    return hash.startsWith(REOPEN_PREFIX) ? decodeURIComponent(hash.slice(REOPEN_PREFIX.length)) : null;
  }

  /* The form filled as the item was sent: its key too, so that saving it replaces the kept
   * one. Returns false when its photos could not be put back (a browser that lets no page
   * set a file input). */
  function fill(form, item) {
    const values = new Map();
    const photos = new Map();
    for (const entry of item.entries) {
      const into = entry.blob ? photos : values;
      if (!into.has(entry.name)) into.set(entry.name, []);
      into.get(entry.name).push(entry.blob ? entry : entry.value);
    }
    for (const control of form.elements) {
      if (!control.name || control.name === "csrfmiddlewaretoken") continue;
      const given = values.get(control.name) || [];
      if (control.type === "radio" || control.type === "checkbox") {
        control.checked = given.includes(control.value);
      } else if (control.type === "file") {
        control.value = "";
      } else if (control.type !== "submit" && control.type !== "button") {
        control.value = given.length ? given[0] : "";
      }
    }
    let whole = true;
    for (const [name, entries] of photos) {
      const input = field(form, name);
      try {
        const transfer = new DataTransfer();
        for (const entry of entries) {
          const blob = asBlob(entry.blob);
          transfer.items.add(new File([blob], entry.filename || "photo.jpg", { type: blob.type }));
        }
        input.files = transfer.files;
      } catch (error) {
        whole = false;
      }
    }
    return whole;
  }

  async function reopen(form) {
    const key = reopenedKey();
    if (!key) return;
    let item;
    try {
      item = await inStore("readonly", (items) => items.get(key));
    } catch (error) {
      item = null;
    }
    if (!item || !item.refused || item.outbox !== form.dataset.outbox) {
      say(t.gone, "warning");
      return;
    }
    const whole = fill(form, item);
    form.dataset.outboxReopened = key;
    say(t.reopened, "danger", whole ? item.refused : [...item.refused, t.photosLost]);
  }

  /* The form is a new one again: no longer the refused item it was opened for. */
  function forgetReopened(form) {
    if (!form.dataset.outboxReopened) return;
    delete form.dataset.outboxReopened;
    history.replaceState(history.state, "", location.pathname + location.search);
  }

  // --- photos ---------------------------------------------------------------------------------

  /* The picture in `file`, turned upright as the camera recorded it; rejects if it is not an
   * image this browser can decode. */
  async function decodePicture(file) {
    if (window.createImageBitmap) {
      try {
        return await createImageBitmap(file, { imageOrientation: "from-image" });
      } catch (error) {
        if (!(error instanceof TypeError)) throw error; // not an image
        // A browser that does not know "from-image" yet: an <img> turns it upright.
      }
    }
    const url = URL.createObjectURL(file);
    try {
      const image = new Image();
      image.src = url;
      await image.decode();
      return image;
    } finally {
      URL.revokeObjectURL(url);
    }
  }

  /* A JPEG of `file` no longer than `longestSide` on its longer side, without the camera's
   * metadata (the place, the device). A photo already small enough is re-encoded all the same,
   * unless that makes it bigger; what cannot be decoded is kept as chosen, for the portal to
   * say what is wrong with it. */
  async function shrinkPhoto(file, longestSide) {
    let picture;
    try {
      picture = await decodePicture(file);
    } catch (error) {
      return file;
    }
    try {
      const width = picture.naturalWidth || picture.width;
      const height = picture.naturalHeight || picture.height;
      const scale = Math.min(1, longestSide / Math.max(width, height));
      const canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(width * scale));
      canvas.height = Math.max(1, Math.round(height * scale));
      const context = canvas.getContext("2d");
      context.fillStyle = "#fff"; // what is transparent in a PNG is white in the JPEG
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.imageSmoothingQuality = "high";
      context.drawImage(picture, 0, 0, canvas.width, canvas.height);
      const jpeg = await new Promise((resolve) =>
        canvas.toBlob(resolve, "image/jpeg", PHOTO_QUALITY),
      );
      canvas.width = canvas.height = 0; // a cheap phone needs the memory back now
      if (!jpeg || jpeg.type !== "image/jpeg") return file;
      if (scale === 1 && jpeg.size >= file.size) return file;
      return jpeg;
    } catch (error) {
      return file;
    } finally {
      if (picture.close) picture.close();
    }
  }

  const photoInputs = (form) => form.querySelectorAll("input[type=file][data-photo-longest-side]");
  const jpegName = (name) => `${(name || "photo").replace(/\.[^.]*$/, "") || "photo"}.jpg`;

  async function itemFrom(form) {
    const longestSide = {};
    photoInputs(form).forEach((input) => {
      longestSide[input.name] = Number(input.dataset.photoLongestSide);
    });
    const entries = [];
    for (const [name, value] of new FormData(form)) {
      if (name === "csrfmiddlewaretoken") continue; // the token current at sending time is used
      if (typeof value === "string") entries.push({ name, value });
      else if (value.name || value.size) {
        const photo = longestSide[name] > 0 ? await shrinkPhoto(value, longestSide[name]) : value;
        const filename = photo === value ? value.name : jpegName(value.name);
        entries.push({ name, blob: new Blob([photo], { type: photo.type }), filename });
      }
    }
    const category = field(form, "category");
    const description = (field(form, "description") || {}).value || "";
    const label = [
      category && category.selectedOptions ? category.selectedOptions[0]?.textContent.trim() : "",
      description.length > 24 ? `${description.slice(0, 24)}…` : description,
    ].filter(Boolean);
    return {
      key: (field(form, "client_key") || {}).value || uuid4(),
      outbox: form.dataset.outbox,
      url: form.action || location.href,
      page: location.pathname + location.search, // where its form is, to correct it there
      created: Date.now(),
      label: form.dataset.outboxLabel || label.join(" · "),
      entries,
    };
  }

  /* What the worker is told about this form's submission: the finding's words, unless the
   * form gives its own. */
  function textsFor(form) {
    const own = {
      sent: form.dataset.outboxSent,
      offline: form.dataset.outboxOffline,
      slow: form.dataset.outboxSlow,
      later: form.dataset.outboxLater,
      signIn: form.dataset.outboxSignIn,
    };
    const texts = { ...t };
    for (const [name, text] of Object.entries(own)) if (text) texts[name] = text;
    return texts;
  }

  async function submit(form) {
    const texts = textsFor(form);
    const found = problems(form);
    if (found.length) {
      say(t.refused, "danger", found.map((problem) => problem.text));
      found[0].control.focus();
      return;
    }
    prepare(form, false);
    const photos = Array.from(photoInputs(form)).some((input) => input.files.length);
    if (photos) say(t.shrinking, "info");
    const item = await itemFrom(form);
    sending.add(item.key);
    let result;
    let kept = true;
    try {
      try {
        await store(item);
        say(t.sending, "info");
      } catch (error) {
        kept = false; // private mode or a full disk: try the network all the same
      }
      result = navigator.onLine === false ? { outcome: "offline" } : await send(item);
    } finally {
      sending.delete(item.key);
    }
    if (result.outcome === "sent" || result.outcome === "refused") {
      if (kept) await forget(item.key).catch(() => {});
    }
    if (result.outcome === "sent") {
      prepare(form, true); // in case "back" brings this page back
      try {
        sessionStorage.setItem(FLASH_KEY, texts.sent);
      } catch (error) {
        // No flash message then; the finding is saved all the same.
      }
      location.assign(form.dataset.outboxDone || result.url);
      return;
    }
    if (result.outcome === "refused") {
      say(t.refused, "danger", result.errors);
      statusBox().scrollIntoView({ block: "center" });
      return;
    }
    if (!kept) {
      say(t.failed, "danger");
      return;
    }
    say(texts[result.outcome], "warning");
    forgetReopened(form);
    if (form.hasAttribute("data-outbox-once")) form.dataset.outboxKept = "true";
    else readyForNext(form);
    statusBox().scrollIntoView({ block: "center" });
    await showWaiting();
    if (result.outcome === "slow") flush(); // the link is there: try again, with more time
  }

  function enhance(form) {
    prepare(form, true);
    const clear = (event) => event.target.name && clearProblems(form, event.target.name);
    form.addEventListener("input", clear);
    form.addEventListener("change", clear);
    let busy = false;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (busy || form.dataset.outboxKept) return; // a double tap sends once
      busy = true;
      const buttons = form.querySelectorAll("button[type=submit], input[type=submit]");
      buttons.forEach((button) => (button.disabled = true));
      try {
        await submit(form);
      } finally {
        busy = false;
        // A form sent once only stays closed once the phone keeps it.
        if (!form.dataset.outboxKept) buttons.forEach((button) => (button.disabled = false));
      }
    });
  }

  // --- location -------------------------------------------------------------------------------

  function geolocate(form) {
    const latitude = field(form, "latitude");
    const longitude = field(form, "longitude");
    // Browsers give a location only to https pages (and localhost); never wait for it.
    if (!latitude || !longitude || !navigator.geolocation || window.isSecureContext === false) {
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (position) => {
        latitude.value = position.coords.latitude.toFixed(6);
        longitude.value = position.coords.longitude.toFixed(6);
      },
      () => {},
      { enableHighAccuracy: false, timeout: 10000, maximumAge: 300000 },
    );
  }

  // --- start ----------------------------------------------------------------------------------

  function start() {
    document.querySelectorAll("form[data-outbox]").forEach(enhance);
    if ("indexedDB" in window) document.querySelectorAll("form[data-outbox]").forEach(reopen);
    document.querySelectorAll("form[data-geolocate]").forEach(geolocate);
    try {
      const flash = sessionStorage.getItem(FLASH_KEY);
      if (flash) {
        sessionStorage.removeItem(FLASH_KEY);
        say(flash, "success");
      }
    } catch (error) {
      // sessionStorage may be switched off; the flash is a nicety.
    }
    if (!("indexedDB" in window)) return;
    flush();
    window.addEventListener("online", flush);
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") flush();
    });
    window.addEventListener("pageshow", (event) => {
      if (!event.persisted) return;
      document.querySelectorAll("form[data-outbox]").forEach((form) => {
        if (!form.dataset.outboxReopened) prepare(form, true);
      });
      flush();
    });
    setInterval(flush, FLUSH_EVERY_MS);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
