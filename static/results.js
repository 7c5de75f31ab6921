// The page's own script, part 2: the results after each run. Tabs, the tensor filter, cards
// linked to their lines (as Compiler Explorer links source and output), the memory picture,
// and the stepper, which replays the trace to show every tensor as it was at a step.
"use strict";

(() => {
  const TP = window.TP;
  const { $, $$ } = TP;
  let activeTab = "tab-overview";
  let stepTimer = 0;
  let steps = null;

  // ---- tabs ---------------------------------------------------------------------------------

  function selectTab(id, { focus = false } = {}) {
    const tabs = $$(".tabs [role=tab]");
    const tab = document.getElementById(id) || tabs[0];
    if (!tab) return;
    for (const other of tabs) {
      const selected = other === tab;
      other.setAttribute("aria-selected", String(selected));
      other.tabIndex = selected ? 0 : -1;
      const panel = document.getElementById(other.getAttribute("aria-controls"));
      if (panel) panel.hidden = !selected;
    }
    activeTab = tab.id;
    if (focus) tab.focus();
    document.dispatchEvent(new CustomEvent("tp:tab", { detail: { id: tab.id } }));
  }
  TP.selectTab = selectTab;

  // ---- the editor's marks for this run -------------------------------------------------------

  function markRun() {
    const meta = TP.json("run-meta") || {};
    const editor = TP.editor;
    if (!editor || TP.veiled) return; // a lesson's question is still open
    editor.clearMarks("cm-error-line");
    editor.clearMarks("cm-step-line");
    editor.clearMarks("cm-linked-line");
    editor.showError(null);
    if (meta.error_line && editor.markLine(meta.error_line, "cm-error-line")) {
      editor.showError(meta.error_line, meta.error_message || "");
      editor.scrollToLine(meta.error_line);
    }
  }
  TP.markRun = markRun;

  function lightLine(line) {
    const editor = TP.editor;
    if (!editor || !line) return;
    editor.clearMarks("cm-linked-line");
    if (editor.markLine(line, "cm-linked-line")) editor.scrollToLine(line);
  }

  /** Show only the tensors bound on `line` (a click on a line number), or all of them. */
  TP.showLineTensors = (line) => {
    const bar = $("#line-filter");
    const cards = $$(".tensor-card");
    if (!bar || !cards.length) return;
    selectTab("tab-overview");
    let shown = 0;
    for (const card of cards) {
      const match = !line || card.dataset.line === String(line);
      card.hidden = !match;
      if (match && line) card.open = true;
      shown += match;
    }
    $$(".storage-group").forEach((group) => {
      group.hidden = !$$(".tensor-card", group).some((card) => !card.hidden);
    });
    bar.hidden = !line;
    $("span", bar).textContent = line ? TP.message("line_tensors", { line }) : "";
    if (line) lightLine(line);
    if (line && shown) $(".tensor-card:not([hidden])")?.scrollIntoView({ block: "nearest" });
  };

  function filterTensors(query) {
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const card of $$(".tensor-card")) {
      const text = (card.dataset.search || "").toLowerCase();
      card.hidden = !words.every((word) => text.includes(word));
      shown += !card.hidden;
    }
    $$(".storage-group").forEach((group) => {
      group.hidden = !$$(".tensor-card", group).some((card) => !card.hidden);
    });
    const empty = $("#tensor-filter-empty");
    if (empty) empty.hidden = shown > 0;
  }

  function highlightSlots(target, on) {
    const card = target.closest(".tensor-card");
    if (!card) return;
    $$(`[data-slot="${CSS.escape(target.dataset.slot)}"]`, card).forEach((cell) => {
      cell.classList.toggle("lit", on);
    });
  }

  // ---- the stepper ----------------------------------------------------------------------------

  function scopeName(step, name) {
    return step.frame ? `${step.frame} › ${name}` : name;
  }

  /** Every tensor as it was after step `index`: the top level, plus the current call's locals. */
  function stateAt(index) {
    const current = steps.steps[index];
    const state = new Map();
    for (let i = 0; i <= index; i++) {
      const step = steps.steps[i];
      if (step.frame && !(step.frame === current.frame && step.call === current.call)) continue;
      for (const change of step.changed) {
        const key = scopeName(step, change.name);
        if (change.event === "deleted") state.delete(key);
        else state.set(key, change);
      }
    }
    return state;
  }

  function cell(row, text, className) {
    const td = document.createElement("td");
    td.textContent = text ?? "—";
    if (className) td.className = className;
    row.append(td);
    return td;
  }

  function showStep(index) {
    if (!steps) return;
    const total = steps.steps.length;
    index = Math.max(0, Math.min(total - 1, index));
    const step = steps.steps[index];
    const range = $("#step-range");
    if (range) {
      range.value = String(index);
      range.setAttribute("aria-valuetext", `${index + 1} / ${total}, ${step.line}`);
    }
    $("#step-label").textContent = `${index + 1} / ${total}`;
    let where = TP.message("step_where", { n: index + 1, total, line: step.line });
    if (step.frame) where += ` ${TP.message("step_in_call", { frame: step.frame, call: step.call ?? "?" })}`;
    if (step.skipped) where += ` · ${TP.message("step_skipped", { n: step.skipped })}`;
    $("#step-where").textContent = where;
    const lines = TP.code().split("\n");
    $("#step-source").textContent = step.line <= lines.length ? `${step.line}  ${lines[step.line - 1]}` : "";

    const now = new Map(step.changed.map((change) => [scopeName(step, change.name), change]));
    const body = $("#step-state tbody");
    const rows = [];
    for (const [key, info] of stateAt(index)) {
      const row = document.createElement("tr");
      if (now.has(key)) row.className = "now";
      const name = cell(row, key);
      name.classList.add("name");
      if (now.has(key)) {
        const badge = document.createElement("span");
        badge.className = "badge event";
        const change = now.get(key);
        badge.textContent = TP.message(change.event === "bound" ? "bound"
          : change.in_place ? "changed_in_place" : "changed");
        name.append(badge);
      }
      cell(row, info.shape);
      cell(row, info.dtype);
      cell(row, info.values, "values");
      cell(row, info.grad ? `${info.grad}${info.grad_values ? ` ${info.grad_values}` : ""}` : "", "values");
      rows.push(row);
    }
    for (const [key, info] of now) {
      if (info.event !== "deleted") continue;
      const row = document.createElement("tr");
      row.className = "now";
      cell(row, `${key} (${TP.message("deleted")})`);
      cell(row, info.shape);
      cell(row, info.dtype);
      cell(row, "");
      cell(row, "");
      rows.push(row);
    }
    body.replaceChildren(...rows);
    if (TP.editor) {
      TP.editor.clearMarks("cm-step-line");
      TP.editor.markLine(step.line, "cm-step-line");
      TP.editor.scrollToLine(step.line);
    }
  }

  function play(on) {
    const button = $("#step-play");
    clearInterval(stepTimer);
    stepTimer = 0;
    if (button) {
      button.setAttribute("aria-pressed", String(on));
      button.textContent = on ? `⏸ ${TP.message("step_pause")}` : `▶ ${TP.message("step_play")}`;
    }
    if (!on) return;
    const range = $("#step-range");
    if (range && Number(range.value) >= steps.steps.length - 1) showStep(0);
    stepTimer = setInterval(() => {
      const at = Number($("#step-range")?.value ?? 0);
      if (!steps || at >= steps.steps.length - 1) play(false);
      else showStep(at + 1);
    }, 700);
  }

  // ---- after each run ----------------------------------------------------------------------

  function setUp() {
    play(false);
    steps = TP.json("run-steps");
    if (!document.getElementById(activeTab)) activeTab = "tab-overview";
    selectTab(activeTab);
    markRun();
    if (steps && steps.steps.length && activeTab === "tab-steps") showStep(0);
  }

  document.addEventListener("DOMContentLoaded", setUp);
  document.addEventListener("tp:results", setUp);
  document.addEventListener("tp:editor", () => {
    markRun();
    if (steps && activeTab === "tab-steps") showStep(Number($("#step-range")?.value ?? 0));
  });
  document.addEventListener("tp:tab", (event) => {
    if (event.detail.id === "tab-steps" && steps) showStep(Number($("#step-range")?.value ?? 0));
    else if (TP.editor) TP.editor.clearMarks("cm-step-line");
  });

  document.addEventListener("click", (event) => {
    const target = event.target;
    const tab = target.closest(".tabs [role=tab]");
    if (tab) selectTab(tab.id);
    const lineLink = target.closest(".line-link, a.error-line[data-line]");
    if (lineLink) {
      if (lineLink.tagName === "A") event.preventDefault();
      lightLine(Number(lineLink.dataset.line));
    }
    const summary = target.closest(".tensor-row");
    if (summary) lightLine(Number(summary.parentElement.dataset.line));
    if (target.closest("#line-filter-clear")) TP.showLineTensors(null);
    const gutter = target.closest("#editor .cm-lineNumbers .cm-gutterElement");
    if (gutter && /^\d+$/.test(gutter.textContent)) TP.showLineTensors(Number(gutter.textContent));
    if (target.closest("#step-prev")) showStep(Number($("#step-range").value) - 1);
    if (target.closest("#step-next")) showStep(Number($("#step-range").value) + 1);
    if (target.closest("#step-play")) play(!stepTimer);
  });
  document.addEventListener("keydown", (event) => {
    const tab = event.target.closest?.(".tabs [role=tab]");
    if (tab && ["ArrowLeft", "ArrowRight", "Home", "End"].includes(event.key)) {
      const tabs = $$(".tabs [role=tab]");
      const at = tabs.indexOf(tab);
      const next = { ArrowLeft: at - 1, ArrowRight: at + 1, Home: 0, End: tabs.length - 1 }[event.key];
      selectTab(tabs[(next + tabs.length) % tabs.length].id, { focus: true });
      event.preventDefault();
    }
    if (event.target.closest?.("#stepper") && event.target.id !== "step-range" && steps) {
      const at = Number($("#step-range").value);
      if (event.key === "ArrowLeft") showStep(at - 1);
      else if (event.key === "ArrowRight") showStep(at + 1);
      else return;
      event.preventDefault();
    }
  });
  document.addEventListener("input", (event) => {
    if (event.target.id === "step-range") showStep(Number(event.target.value));
    if (event.target.id === "tensor-filter") filterTensors(event.target.value);
  });
  document.addEventListener("change", (event) => {
    const select = event.target.closest("[data-slice-select]");
    if (!select) return;
    $$("table[data-slice]", select.closest("[data-slices]")).forEach((table) => {
      table.hidden = table.dataset.slice !== select.value;
    });
  });
  for (const [type, on] of [["mouseover", true], ["mouseout", false], ["focusin", true], ["focusout", false]]) {
    document.addEventListener(type, (event) => {
      const slot = event.target.closest?.(".tensor-card [data-slot]");
      if (slot) highlightSlots(slot, on);
    });
  }
})();
