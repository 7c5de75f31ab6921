// The page's own script, part 1: shared helpers, drafts, running, lessons, theme, share.
// results.js (tabs, cards, stepper) and graph.js (the autograd graph) build on `window.TP`;
// editor.js mounts CodeMirror once its bundle has loaded. Everything a run shows is
// server-rendered HTML swapped in by htmx; these scripts only add behaviour, and they never
// write HTML from data (textContent only): the page's CSP allows no inline script or style.
"use strict";

(() => {
  const TP = (window.TP = window.TP || {});
  const $ = (TP.$ = (selector, root = document) => root.querySelector(selector));
  const $$ = (TP.$$ = (selector, root = document) => Array.from(root.querySelectorAll(selector)));
  const DONE_KEY = "tp-done-lessons";
  const draftKey = () => `tp-draft:${location.pathname}`;
  let userRun = false;
  let pendingRun = false;

  /** A UI string rendered by the server into <template id="messages">, filled with `fields`. */
  TP.message = (key, fields = {}) => {
    const node = $("#messages")?.content.querySelector(`[data-key="${key}"]`);
    const text = node ? node.textContent : key;
    return text.replace(/\{(\w+)\}/g, (whole, name) => (name in fields ? fields[name] : whole));
  };

  TP.json = (id) => {
    const node = document.getElementById(id);
    if (!node) return null;
    try {
      return JSON.parse(node.textContent);
    } catch {
      return null;
    }
  };

  TP.showNotice = (text) => {
    const notice = $("#notice");
    if (!notice) return;
    notice.textContent = text;
    notice.hidden = !text;
  };

  const store = {
    get(key) {
      try { return localStorage.getItem(key); } catch { return null; }
    },
    set(key, value) {
      try { localStorage.setItem(key, value); } catch { /* private mode or full: no drafts */ }
    },
    remove(key) {
      try { localStorage.removeItem(key); } catch { /* as above */ }
    },
  };
  TP.store = store;

  /** The code to run: the editor's once mounted, the textarea's before. */
  TP.code = () => (TP.editor ? TP.editor.getValue() : $("#code")?.value ?? "");

  // ---- drafts: the editor's text survives reload and closing the tab ---------------------

  const original = () => $("#code")?.defaultValue ?? "";

  function showDraftBar(shown) {
    const bar = $("#draft-bar");
    if (bar) bar.hidden = !shown;
  }

  function restoreDraft() {
    const textarea = $("#code");
    const draft = store.get(draftKey());
    if (!textarea || draft == null) return;
    if (draft === original()) {
      store.remove(draftKey());
      return;
    }
    textarea.value = draft;
    showDraftBar(true);
  }

  let saveTimer = 0;
  TP.codeChanged = (text) => {
    const textarea = $("#code");
    if (textarea && textarea.value !== text) textarea.value = text;
    clearTimeout(saveTimer);
    saveTimer = setTimeout(() => {
      if (text === original()) {
        store.remove(draftKey());
        showDraftBar(false);
      } else {
        store.set(draftKey(), text);
        showDraftBar(true);
      }
    }, 250);
  };

  function resetCode() {
    const text = original();
    clearTimeout(saveTimer);
    store.remove(draftKey());
    if (TP.editor) TP.editor.setValue(text);
    $("#code").value = text;
    showDraftBar(false);
    TP.run();
  }

  // ---- running --------------------------------------------------------------------------

  /** Submit the run form through htmx (or queue the submit until htmx is ready). */
  TP.run = ({ byUser = true } = {}) => {
    const form = $("#run-form");
    if (!form) return;
    userRun = byUser;
    if (!window.htmx || !TP.htmxReady) {
      pendingRun = true;
      return;
    }
    form.requestSubmit();
  };

  /** The first run starts as soon as htmx is loaded, while the editor's bundle is still
   * being parsed: the form's own hx-* attributes apply, as for a submit. */
  function runOnOpen() {
    const meta = TP.json("run-meta") || {};
    const form = $("#run-form");
    if (meta.ran || !form) return false;
    if (!window.htmx) return false;
    htmx.ajax("POST", form.getAttribute("hx-post"), { source: form, target: "#results",
      swap: "outerHTML" });
    return true;
  }

  // ---- the editor loads after the first results are painted ------------------------------

  let editorLoading = false;

  /** CodeMirror (460 KB) would hold the first run back by its parse; until it mounts, the
   * textarea is the editor (Ctrl+Enter runs from it too). Scripts load in order, as `defer`. */
  function loadEditor() {
    if (editorLoading) return;
    editorLoading = true;
    const sources = (document.body.dataset.editorSrc || "").split(" ").filter(Boolean);
    const next = () => {
      const src = sources.shift();
      if (!src) return;
      const script = document.createElement("script");
      script.src = src;
      script.onload = next;
      document.head.append(script);
    };
    next();
  }

  function afterRun() {
    if (!performance.getEntriesByName("tp-first-run-painted").length) {
      // Two frames on, the swapped results have been painted: bench/page_weight.py reads this.
      requestAnimationFrame(() => requestAnimationFrame(() => {
        performance.mark("tp-first-run-painted");
        loadEditor();
      }));
    }
    const lesson = $("#lesson-panel")?.dataset.lesson;
    if (lesson) markDone(lesson);
    if (!TP.veiled) {
      revealed = revealed || Boolean($("#predict"));
      revealLesson();
    }
    if (userRun && window.matchMedia("(max-width: 1199px)").matches) {
      const results = $("#results");
      results?.scrollIntoView({ block: "start" });
      $("#results-heading")?.focus({ preventScroll: true });
    }
    userRun = false;
  }
  TP.afterRun = afterRun;

  // ---- stop: the page names each run, and the Stop button asks the server to end it ------

  let runKey = "";

  function newRunKey() {
    const bytes = crypto.getRandomValues(new Uint8Array(12)); // randomUUID needs https
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  /** Ask the server to end the run; a run still queued for a slot is not known yet (404), so
   * ask again for a little while, as long as that run's request is in flight. */
  function stopRun(key = runKey, tries = 12) {
    if (!key) return;
    const body = new URLSearchParams({ run_key: key });
    fetch("/run/stop", { method: "POST", body, credentials: "same-origin" })
      .then((response) => {
        const going = !$("#stop-button")?.hidden && key === runKey;
        if (response.status === 404 && going && tries > 1) {
          setTimeout(() => stopRun(key, tries - 1), 150);
        }
      })
      .catch(() => {});
  }

  // ---- predict before run: the question first, the notice and the verdict after the run ----

  let prediction = null;
  let lastRunCode = null;

  function question() {
    try {
      return JSON.parse($("#predict")?.dataset.question || "null");
    } catch {
      return null;
    }
  }

  /** A choice's index, a line number, or a shape typed as "3, 2" / "(3, 2)" / "3x2". */
  function readPrediction(button) {
    const q = question();
    if (!q) return null;
    if (q.kind === "choice") return Number(button.dataset.predict);
    const raw = ($("#predict-input")?.value || "").trim();
    if (!raw) return null;
    if (q.kind === "line") return Number.isInteger(Number(raw)) ? Number(raw) : null;
    const sizes = raw.replace(/[()[\]]/g, "").split(/[\s,x×]+/).filter(Boolean).map(Number);
    return sizes.every(Number.isInteger) ? sizes : null;
  }

  function predict(button) {
    const value = readPrediction(button);
    if (value === null) {
      $("#predict-input")?.focus();
      return;
    }
    prediction = value;
    $$("#predict [data-predict]").forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
    if (TP.veiled && TP.code() === lastRunCode) unveil(); // the run on open already answered
    else TP.run();
  }

  /** The lesson ran on open, but a question waits: the results stay hidden until the student
   * answers (or asks to see them), so they cannot give the answer away. */
  function veilIfAwaiting() {
    TP.veiled = Boolean($("#predict")) && prediction === null && !userRun && !revealed;
    document.body.classList.toggle("veiled", TP.veiled); // not on #results: htmx settles its class
    const note = $("#veil-note");
    if (note) note.hidden = !TP.veiled;
  }

  let revealed = false;

  function unveil() {
    TP.veiled = false;
    revealed = true;
    document.body.classList.remove("veiled");
    const note = $("#veil-note");
    if (note) note.hidden = true;
    TP.markRun?.();
    revealLesson();
  }

  function isRight(q, value) {
    if (q.kind !== "shape") return value === q.answer;
    return Array.isArray(value) && value.length === q.answer.length
      && value.every((size, i) => size === q.answer[i]);
  }

  function answerText(q) {
    if (q.kind === "choice") return $$("#predict [data-predict]")[q.answer]?.textContent.trim() || "";
    return q.kind === "shape" ? `(${q.answer.join(", ")})` : String(q.answer);
  }

  function revealLesson() {
    $$("#lesson-panel [data-after-run]").forEach((part) => { part.hidden = false; });
    const q = question();
    const verdict = $("#predict-verdict");
    if (!q || !verdict || prediction === null) return;
    const right = isRight(q, prediction);
    verdict.textContent = TP.message(right ? "predict_right" : "predict_wrong", { answer: answerText(q) });
    verdict.className = `verdict ${right ? "right" : "wrong"}`;
    verdict.hidden = false;
  }

  // ---- lessons: search, the current one, done marks --------------------------------------

  function doneLessons() {
    try {
      const list = JSON.parse(store.get(DONE_KEY) || "[]");
      return new Set(Array.isArray(list) ? list.filter((x) => typeof x === "string") : []);
    } catch {
      return new Set();
    }
  }

  function markDone(id) {
    const done = doneLessons();
    if (!done.has(id)) {
      done.add(id);
      store.set(DONE_KEY, JSON.stringify([...done]));
    }
    showDone(done);
  }

  function showDone(done = doneLessons()) {
    $$(".sidebar a[data-lesson]").forEach((link) => {
      const mark = $(".done-mark", link);
      if (mark) mark.hidden = !done.has(link.dataset.lesson);
      link.classList.toggle("done", done.has(link.dataset.lesson));
    });
  }

  function searchLessons(query) {
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    $$(".sidebar details.topic").forEach((topic) => {
      let any = false;
      $$("a[data-search]", topic).forEach((link) => {
        const text = link.dataset.search.toLowerCase();
        const match = words.every((word) => text.includes(word));
        link.parentElement.hidden = !match;
        any = any || match;
        shown += match;
      });
      topic.hidden = !any;
      if (words.length) topic.open = any;
    });
    const empty = $("#lesson-search-empty");
    if (empty) empty.hidden = shown > 0;
  }

  function showCurrentLesson() {
    const link = $(".sidebar a[aria-current=page]");
    const sidebar = $(".sidebar");
    if (link && sidebar) sidebar.scrollTop = link.offsetTop - sidebar.clientHeight / 3;
  }

  // ---- theme: auto -> dark -> light, remembered by a cookie --------------------------------

  function setTheme(theme) {
    const root = document.documentElement;
    root.classList.remove("theme-dark", "theme-light");
    if (theme !== "auto") root.classList.add(`theme-${theme}`);
    const button = $("#theme-button");
    if (button) {
      button.dataset.theme = theme;
      const label = $(".theme-label", button);
      if (label) label.textContent = button.dataset[`label${theme[0].toUpperCase()}${theme.slice(1)}`];
    }
    const body = new URLSearchParams({ pref: "theme", theme: theme === "auto" ? "" : theme });
    fetch("/prefs", { method: "POST", body, credentials: "same-origin" }).catch(() => {});
    document.dispatchEvent(new CustomEvent("tp:theme"));
  }

  // ---- share: copy the link ----------------------------------------------------------------

  async function copyShare(button) {
    const input = $("#share-url");
    const status = $("#copy-status");
    if (!input) return;
    let ok = false;
    try {
      await navigator.clipboard.writeText(input.value);
      ok = true;
    } catch {
      input.focus();
      input.select();
      try { ok = document.execCommand("copy"); } catch { ok = false; }
    }
    if (status) status.textContent = TP.message(ok ? "copied" : "copy_failed");
    button.focus();
  }

  // ---- splitter: editor | results at >= 1200 px -------------------------------------------

  function setShare(percent) {
    const value = Math.min(75, Math.max(25, percent));
    $("#workspace")?.style.setProperty("--editor-share", `${value}%`);
    $("#splitter")?.setAttribute("aria-valuenow", String(Math.round(value)));
    store.set("tp-editor-share", String(value));
  }

  function dragSplitter(event) {
    const workspace = $("#workspace");
    if (!workspace) return;
    event.preventDefault();
    const box = workspace.getBoundingClientRect();
    const move = (e) => setShare(((e.clientX - box.left) / box.width) * 100);
    const up = () => {
      document.removeEventListener("pointermove", move);
      document.removeEventListener("pointerup", up);
    };
    document.addEventListener("pointermove", move);
    document.addEventListener("pointerup", up);
  }

  // ---- wiring -----------------------------------------------------------------------------

  restoreDraft(); // before editor.js reads the textarea, and before the first run
  const share = Number(store.get("tp-editor-share"));
  if (share) setShare(share);
  const startedEarly = runOnOpen();

  document.addEventListener("DOMContentLoaded", () => {
    TP.htmxReady = true;
    showDone();
    showCurrentLesson();
    if (pendingRun) TP.run({ byUser: userRun });
    else if (!startedEarly && !runOnOpen()) loadEditor(); // no first run to wait for
  });
  document.addEventListener("htmx:responseError", loadEditor);
  document.addEventListener("htmx:sendError", loadEditor);

  document.addEventListener("htmx:configRequest", (event) => {
    if (event.detail.elt?.id === "run-form" || event.detail.elt?.id === "share-button") {
      event.detail.parameters.code = TP.code();
    }
    if (event.detail.elt?.id === "run-form") {
      event.detail.parameters.run_key = runKey = newRunKey();
      lastRunCode = event.detail.parameters.code;
    }
  });
  document.addEventListener("htmx:beforeRequest", (event) => {
    if (event.detail.elt?.id !== "run-form") return;
    TP.showNotice("");
    const stop = $("#stop-button");
    if (stop) stop.hidden = false;
  });
  document.addEventListener("htmx:afterRequest", (event) => {
    if (event.detail.elt?.id !== "run-form") return;
    const stop = $("#stop-button");
    if (stop) {
      if (document.activeElement === stop) $("#run-button")?.focus();
      stop.hidden = true;
    }
  });
  document.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target?.id === "results" || event.detail.elt?.id === "results") {
      veilIfAwaiting();
      document.dispatchEvent(new CustomEvent("tp:results"));
      afterRun();
    }
  });
  document.addEventListener("htmx:responseError", (event) => {
    const xhr = event.detail.xhr;
    if (xhr.status === 429) {
      TP.showNotice(TP.message("busy", { seconds: xhr.getResponseHeader("Retry-After") || "a few" }));
      return;
    }
    let detail = xhr.statusText || String(xhr.status);
    try {
      const body = JSON.parse(xhr.responseText);
      if (typeof body.detail === "string") detail = body.detail;
    } catch { /* not JSON: keep the status text */ }
    TP.showNotice(TP.message("server_said", { detail }));
  });
  document.addEventListener("htmx:sendError", () => TP.showNotice(TP.message("offline")));

  document.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !event.defaultPrevented) {
      event.preventDefault();
      TP.run();
    }
  });
  document.addEventListener("click", (event) => {
    const target = event.target;
    if (target.closest("#reset-code")) resetCode();
    const choice = target.closest("#predict button[data-predict]:not([type=submit])");
    if (choice) predict(choice);
    if (target.closest('.skip-link[href="#editor"]')) {
      event.preventDefault();
      if (TP.editor) TP.editor.view.focus();
      else $("#code")?.focus(); // the editor's bundle is still loading
    }
    const theme = target.closest("#theme-button");
    if (theme) {
      const order = ["auto", "dark", "light"];
      setTheme(order[(order.indexOf(theme.dataset.theme) + 1) % order.length]);
    }
    if (target.closest("#stop-button")) stopRun();
    if (target.closest("#unveil")) unveil();
    const copy = target.closest("#copy-share");
    if (copy) copyShare(copy);
    if (target.closest("#run-button")) userRun = true;
  });
  document.addEventListener("submit", (event) => {
    if (event.target.id !== "predict") return;
    event.preventDefault();
    predict(event.submitter || $("#predict [data-predict]"));
  });
  document.addEventListener("input", (event) => {
    if (event.target.id === "lesson-search") searchLessons(event.target.value);
    if (event.target.id === "code") TP.codeChanged(event.target.value);
  });
  document.addEventListener("focusin", (event) => {
    if (event.target.id === "share-url") event.target.select();
  });
  document.addEventListener("pointerdown", (event) => {
    if (event.target.id === "splitter") dragSplitter(event);
  });
  document.addEventListener("keydown", (event) => {
    if (event.target.id !== "splitter") return;
    const now = Number(event.target.getAttribute("aria-valuenow")) || 45;
    if (event.key === "ArrowLeft") setShare(now - 5);
    else if (event.key === "ArrowRight") setShare(now + 5);
    else return;
    event.preventDefault();
  });
})();
