// The page's own script: the editor, the graph, and the small bits of the results that react
// to the pointer. Everything else is server-rendered HTML swapped in by htmx.
"use strict";

(() => {
  const $ = (selector, root = document) => root.querySelector(selector);
  const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));
  const DRAFT_KEY = "playground-draft";
  let editor = null;
  let vizReady = null;

  /** A UI string rendered by the server into <template id="messages">, filled with `fields`. */
  function message(key, fields = {}) {
    const node = $("#messages")?.content.querySelector(`[data-key="${key}"]`);
    const text = node ? node.textContent : key;
    return text.replace(/\{(\w+)\}/g, (whole, name) => (name in fields ? fields[name] : whole));
  }

  function showNotice(text) {
    const notice = $("#notice");
    if (!notice) return;
    notice.textContent = text;
    notice.hidden = !text;
  }

  // ---- the editor ---------------------------------------------------------------------------

  function mountEditor() {
    const mount = $("#editor");
    const textarea = $("#code");
    if (!mount || !textarea || !window.CM) return;
    editor = CM.create(mount, {
      doc: textarea.value,
      onRun: () => $("#run-form").requestSubmit(),
      onChange: (text) => { textarea.value = text; },
      extensions: [
        CM.EditorView.lineWrapping,
        CM.EditorView.contentAttributes.of({ "aria-label": mount.dataset.label || "code" }),
      ],
    });
    textarea.hidden = true;
    $("label[for=code]")?.addEventListener("click", () => editor.view.focus());
    restoreDraft();
  }

  /** Language links reload the page: carry the unsaved code over, then run it again. */
  function keepDraft(link) {
    if (!editor) return;
    const target = new URL(link.href, location.href);
    const ran = Boolean(runMeta().ran);
    sessionStorage.setItem(DRAFT_KEY, JSON.stringify({
      path: target.pathname, code: editor.getValue(), ran,
    }));
  }

  function restoreDraft() {
    const raw = sessionStorage.getItem(DRAFT_KEY);
    sessionStorage.removeItem(DRAFT_KEY);
    if (!raw) return;
    const draft = JSON.parse(raw);
    if (draft.path !== location.pathname) return;
    if (draft.code !== editor.getValue()) editor.setValue(draft.code);
    $("#code").value = draft.code;
    if (draft.ran) $("#run-form").requestSubmit();
  }

  // ---- after each run -----------------------------------------------------------------------

  function runMeta() {
    const node = $("#run-meta");
    return node ? JSON.parse(node.textContent) : {};
  }

  function showRun() {
    const meta = runMeta();
    if (editor) {
      editor.clearMarks("cm-error-line");
      editor.clearMarks("cm-step-line");
      if (meta.error_line && editor.markLine(meta.error_line, "cm-error-line")) {
        editor.scrollToLine(meta.error_line);
      }
    }
    if (meta.dot) drawGraph(meta.dot);
  }

  function drawGraph(dot) {
    const canvas = $("#graph-canvas");
    if (!canvas || !window.Viz) return;
    vizReady = vizReady || Viz.instance();
    vizReady
      .then((viz) => {
        const svg = viz.renderSVGElement(dot);
        svg.setAttribute("role", "img");
        svg.setAttribute("aria-label", $("#graph-heading")?.textContent || "graph");
        canvas.replaceChildren(svg);
        zoomGraph();
      })
      .catch(() => { canvas.textContent = message("graph_failed"); });
  }

  function zoomGraph() {
    const range = $("#graph-zoom");
    const canvas = $("#graph-canvas");
    if (range && canvas) canvas.style.transform = `scale(${Number(range.value) / 100})`;
  }

  function highlightNode(nodeId, on) {
    const node = nodeId && document.getElementById(nodeId);
    if (node && node.closest("#graph-canvas")) node.classList.toggle("highlight", on);
  }

  function showStep(index) {
    const steps = $$(".step");
    const step = steps[index];
    if (!step) return;
    steps.forEach((item) => { item.hidden = item !== step; });
    const line = Number(step.dataset.line);
    $("#step-label").textContent = `${index + 1} / ${steps.length}`;
    $("#step-range").setAttribute("aria-valuetext", `${index + 1} / ${steps.length}, ${line}`);
    if (editor) {
      editor.clearMarks("cm-step-line");
      editor.markLine(line, "cm-step-line");
      editor.scrollToLine(line);
    }
  }

  function highlightSlots(target, on) {
    const layout = target.closest(".memory");
    if (!layout) return;
    $$(`[data-slot="${target.dataset.slot}"]`, layout).forEach((cell) => {
      cell.classList.toggle("lit", on);
    });
  }

  // ---- wiring -------------------------------------------------------------------------------

  document.addEventListener("DOMContentLoaded", () => {
    mountEditor();
    showRun();
  });

  document.addEventListener("htmx:configRequest", (event) => {
    if (editor && event.detail.parameters) event.detail.parameters.code = editor.getValue();
  });
  document.addEventListener("htmx:beforeRequest", () => showNotice(""));
  document.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target.id === "results" || $("#results")?.contains(event.detail.elt)) {
      showRun();
    }
  });
  document.addEventListener("htmx:responseError", (event) => {
    const xhr = event.detail.xhr;
    if (xhr.status === 429) {
      showNotice(message("busy", { seconds: xhr.getResponseHeader("Retry-After") || "a few" }));
      return;
    }
    let detail = xhr.statusText || String(xhr.status);
    try {
      const body = JSON.parse(xhr.responseText);
      if (typeof body.detail === "string") detail = body.detail;
    } catch { /* not JSON: keep the status text */ }
    showNotice(message("server_said", { detail }));
  });
  document.addEventListener("htmx:sendError", () => showNotice(message("offline")));

  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-keep-code]");
    if (link) keepDraft(link);
    const lineLink = event.target.closest("a.error-line");
    if (lineLink && editor) {
      event.preventDefault();
      editor.scrollToLine(Number(lineLink.dataset.line));
      editor.view.focus();
    }
  });
  document.addEventListener("focusin", (event) => {
    if (event.target.id === "share-url") event.target.select();
  });
  document.addEventListener("input", (event) => {
    if (event.target.id === "graph-zoom") zoomGraph();
    if (event.target.id === "step-range") showStep(Number(event.target.value));
  });
  document.addEventListener("change", (event) => {
    const select = event.target.closest("[data-slice-select]");
    if (!select) return;
    $$("table[data-slice]", select.closest("[data-slices]")).forEach((table) => {
      table.hidden = table.dataset.slice !== select.value;
    });
  });
  for (const [type, on] of [["mouseover", true], ["mouseout", false],
                            ["focusin", true], ["focusout", false]]) {
    document.addEventListener(type, (event) => {
      const card = event.target.closest?.(".tensor-card[data-node]");
      if (card && !card.contains(event.relatedTarget)) highlightNode(card.dataset.node, on);
      const slot = event.target.closest?.(".memory [data-slot]");
      if (slot) highlightSlots(slot, on);
    });
  }
  document.addEventListener("wheel", (event) => {
    const view = event.target.closest?.("#graph-view");
    const range = $("#graph-zoom");
    if (!view || !range || !event.ctrlKey) return;
    event.preventDefault();
    range.value = String(Number(range.value) - Math.sign(event.deltaY) * 10);
    zoomGraph();
  }, { passive: false });
})();
