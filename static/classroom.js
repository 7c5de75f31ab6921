// The classroom's part of the student's page: the teacher's broadcasts, and drafts that
// survive a reload. The page's own script (app.js) mounts the editor; this file only finds it.
"use strict";

(() => {
  const $ = (selector, root = document) => root.querySelector(selector);
  const POLL_MS = 1000;
  const DRAFT_MS = 1500;

  /** The CodeMirror view app.js mounted (or null while the plain textarea is in use). */
  function editorView() {
    const dom = $("#editor .cm-editor");
    return dom && window.CM ? CM.EditorView.findFromDOM(dom) : null;
  }

  function editorText() {
    const view = editorView();
    return view ? view.state.doc.toString() : ($("#code")?.value ?? "");
  }

  function setEditorText(text) {
    const view = editorView();
    if (view) view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    const textarea = $("#code");
    if (textarea) textarea.value = text;
  }

  // ---- drafts: the editor's text per student and exercise, kept in this browser -----------

  function draftKey() {
    const panel = $("#exercise-panel");
    if (!panel || !panel.dataset.exercise) return null;
    return `classroom-draft:${panel.dataset.student}:${panel.dataset.exercise}`;
  }

  function restoreDraft() {
    const key = draftKey();
    const draft = key && localStorage.getItem(key);
    if (draft !== null && draft !== undefined && draft !== editorText()) setEditorText(draft);
  }

  function saveDraft() {
    const key = draftKey();
    if (key) localStorage.setItem(key, editorText());
  }

  // ---- broadcasts: the teacher's code, offered within two seconds ---------------------------

  async function pollBroadcast() {
    const box = $("#broadcast");
    if (!box || document.hidden) return;
    const url = `${box.dataset.poll}?since=${encodeURIComponent(box.dataset.since || "")}`;
    try {
      const response = await fetch(url, { headers: { "HX-Request": "true" } });
      if (response.status !== 200) return;
      box.outerHTML = await response.text();
    } catch { /* offline for a moment: the next poll tries again */ }
  }

  document.addEventListener("click", (event) => {
    if (!event.target.closest("[data-open-broadcast]")) return;
    const code = $("#broadcast .broadcast-code");
    if (!code) return;
    saveDraft();
    setEditorText(code.textContent);
    editorView()?.focus();
  });

  document.addEventListener("DOMContentLoaded", () => {
    restoreDraft();
    setInterval(pollBroadcast, POLL_MS);
    setInterval(saveDraft, DRAFT_MS);
  });
  window.addEventListener("pagehide", saveDraft);
})();
