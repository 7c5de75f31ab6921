// Entry point of static/vendor/codemirror.js: esbuild bundles it into one IIFE that sets
// `window.CM`, so the page loads a single offline file and its own JS stays a few lines.
import { basicSetup } from "codemirror";
import { python, pythonLanguage } from "@codemirror/lang-python";
import { indentWithTab } from "@codemirror/commands";
import { HighlightStyle, indentUnit, syntaxHighlighting } from "@codemirror/language";
import { tags } from "@lezer/highlight";
import { setDiagnostics } from "@codemirror/lint";
import { EditorState, Prec, StateEffect, StateField } from "@codemirror/state";
import { Decoration, EditorView, WidgetType, keymap, showTooltip } from "@codemirror/view";

export { basicSetup, python, pythonLanguage, indentWithTab, EditorState, Prec, StateEffect };
export { StateField, Decoration, EditorView, keymap, showTooltip, setDiagnostics };

// Colours come from CSS variables the page defines for its light and dark themes, so one
// editor follows the theme switch without being rebuilt (and every pair meets 4.5:1).
const varTheme = EditorView.theme({
  "&": { color: "var(--ink)", backgroundColor: "var(--panel)" },
  ".cm-content": { caretColor: "var(--ink)" },
  ".cm-cursor, .cm-dropCursor": { borderLeftColor: "var(--ink)" },
  "&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, .cm-content ::selection":
    { backgroundColor: "var(--cm-selection)" },
  ".cm-gutters": { backgroundColor: "var(--panel-2)", color: "var(--muted)", borderColor: "var(--line)" },
  ".cm-activeLine": { backgroundColor: "var(--cm-active-line)" },
  ".cm-activeLineGutter": { backgroundColor: "var(--cm-active-line)", color: "var(--ink)" },
  ".cm-tooltip": { backgroundColor: "var(--panel)", color: "var(--ink)", border: "1px solid var(--line)" },
  ".cm-tooltip-autocomplete ul li[aria-selected]": { backgroundColor: "var(--accent)", color: "var(--accent-ink)" },
  ".cm-completionDetail": { color: "inherit" },
  ".cm-matchingBracket": { backgroundColor: "var(--cm-match)", color: "var(--ink)" },
  ".cm-searchMatch": { backgroundColor: "var(--cm-match)" },
  ".cm-panels": { backgroundColor: "var(--panel-2)", color: "var(--ink)" },
});

const varHighlight = HighlightStyle.define([
  { tag: [tags.keyword, tags.self, tags.controlKeyword, tags.definitionKeyword, tags.moduleKeyword,
      tags.operatorKeyword], color: "var(--cm-keyword)" },
  { tag: [tags.string, tags.special(tags.string)], color: "var(--cm-string)" },
  { tag: [tags.number, tags.bool, tags.null], color: "var(--cm-number)" },
  { tag: [tags.comment, tags.lineComment], color: "var(--cm-comment)", fontStyle: "italic" },
  { tag: [tags.function(tags.variableName), tags.function(tags.propertyName)],
    color: "var(--cm-function)" },
  { tag: [tags.definition(tags.variableName), tags.definition(tags.function(tags.variableName)),
      tags.className, tags.definition(tags.className)], color: "var(--cm-definition)" },
  { tag: tags.invalid, color: "var(--bad)" },
]);

// Line marks (the failing line, the current step of a trace) live in one field of line
// decorations; each mark carries its CSS class so marks of one kind clear without the others.
const addMark = StateEffect.define();
const clearMarksEffect = StateEffect.define();

const marks = StateField.define({
  create: () => Decoration.none,
  update(value, tr) {
    let set = value.map(tr.changes);
    for (const effect of tr.effects) {
      if (effect.is(clearMarksEffect)) {
        const cls = effect.value;
        set = cls == null
          ? Decoration.none
          : set.update({ filter: (_f, _t, d) => d.spec.class !== cls });
      } else if (effect.is(addMark)) {
        const { from, cls } = effect.value;
        set = set.update({
          filter: (f, _t, d) => f !== from || d.spec.class !== cls,
          add: [Decoration.line({ class: cls }).range(from)],
        });
      }
    }
    return set;
  },
  provide: (field) => EditorView.decorations.from(field),
});

// The failing line's message, shown right under that line (an inline marker, as editors show
// a compiler's error), outside the line so the line's own text stays the code; cleared with
// the marks, since it belongs to the same run.
const setErrorWidget = StateEffect.define();

class ErrorWidget extends WidgetType {
  constructor(message) {
    super();
    this.message = message;
  }
  eq(other) {
    return other.message === this.message;
  }
  toDOM() {
    const box = document.createElement("div");
    box.className = "cm-error-widget";
    box.setAttribute("role", "note");
    box.textContent = this.message;
    return box;
  }
}

const errorWidget = StateField.define({
  create: () => Decoration.none,
  update(value, tr) {
    let set = value.map(tr.changes);
    for (const effect of tr.effects) {
      if (effect.is(clearMarksEffect) && effect.value == null) set = Decoration.none;
      if (effect.is(setErrorWidget)) {
        const spec = effect.value;
        set = spec == null ? Decoration.none : Decoration.set([
          Decoration.widget({ widget: new ErrorWidget(spec.message), side: 1, block: true })
            .range(spec.to),
        ]);
      }
    }
    return set;
  },
  provide: (field) => EditorView.decorations.from(field),
});

/**
 * A tooltip with the signature of the call the cursor is in: `lookup("torch.randn")` returns
 * its text, or null. Only the current line up to the cursor is scanned.
 */
export function signatureHelp(lookup) {
  function find(state) {
    const { head } = state.selection.main;
    const line = state.doc.lineAt(head);
    const before = line.text.slice(0, head - line.from).slice(-400);
    let depth = 0;
    for (let i = before.length - 1; i >= 0; i--) {
      const ch = before[i];
      if (ch === ")" || ch === "]") depth++;
      else if (ch === "(" || ch === "[") {
        if (depth === 0) {
          if (ch === "[") return null;
          const name = /([A-Za-z_][\w.]*)\s*$/.exec(before.slice(0, i));
          const text = name && lookup(name[1]);
          return text ? { pos: line.from + i, text } : null;
        }
        depth--;
      }
    }
    return null;
  }
  return StateField.define({
    create: (state) => find(state),
    update: (value, tr) => (tr.docChanged || tr.selection ? find(tr.state) : value),
    provide: (field) => showTooltip.compute([field], (state) => {
      const found = state.field(field);
      if (!found) return null;
      return {
        pos: found.pos,
        above: true,
        create() {
          const dom = document.createElement("div");
          dom.className = "cm-signature";
          dom.textContent = found.text;
          return { dom };
        },
      };
    }),
  });
}

/** The 1-based line `n` of `state`, or null when the document has no such line. */
function lineAt(state, n) {
  return Number.isInteger(n) && n >= 1 && n <= state.doc.lines ? state.doc.line(n) : null;
}

/**
 * Mount a Python editor in `parent`.
 *
 * `onRun(editor)` runs on Ctrl-Enter and Mod-Enter (Cmd-Enter on macOS); `onChange(text)` after
 * every edit. Tab indents by four spaces, as PEP 8 and the blog posts do (Escape, then Tab,
 * leaves the editor, as CodeMirror documents).
 * `extensions` adds CodeMirror extensions of the page's own.
 */
export function create(parent, { doc = "", onRun, onChange, extensions = [] } = {}) {
  const run = () => {
    if (onRun) onRun(editor);
    return true;
  };
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        basicSetup,
        varTheme,
        syntaxHighlighting(varHighlight),
        python(),
        indentUnit.of("    "),
        keymap.of([indentWithTab]),
        Prec.highest(keymap.of([{ key: "Mod-Enter", run }, { key: "Ctrl-Enter", run }])),
        marks,
        errorWidget,
        EditorView.updateListener.of((update) => {
          if (update.docChanged && onChange) onChange(update.state.doc.toString());
        }),
        extensions,
      ],
    }),
  });

  const editor = {
    view,
    getValue: () => view.state.doc.toString(),
    /** Replace the whole text; marks of the old text are dropped with it. */
    setValue(text) {
      view.dispatch({
        changes: { from: 0, to: view.state.doc.length, insert: text },
        effects: clearMarksEffect.of(null),
      });
    },
    /** Add `cssClass` to the 1-based line `n`; false when there is no such line. */
    markLine(n, cssClass) {
      const line = lineAt(view.state, n);
      if (!line) return false;
      view.dispatch({ effects: addMark.of({ from: line.from, cls: cssClass }) });
      return true;
    },
    /** Remove the marks of `cssClass`, or every mark when it is omitted. */
    clearMarks(cssClass) {
      view.dispatch({ effects: clearMarksEffect.of(cssClass ?? null) });
    },
    /**
     * Show `message` as the error of line `n`: a diagnostic (underline, hover, lint panel)
     * and the message at the line's end. `showError(null)` clears both.
     */
    showError(n, message) {
      const line = n == null ? null : lineAt(view.state, n);
      if (!line) {
        view.dispatch(setDiagnostics(view.state, []), { effects: setErrorWidget.of(null) });
        return false;
      }
      const start = line.from + (line.text.length - line.text.trimStart().length);
      const diagnostics = [{ from: start, to: line.to, severity: "error", message }];
      view.dispatch(setDiagnostics(view.state, diagnostics), {
        effects: setErrorWidget.of({ to: line.to, message }),
      });
      return true;
    },
    /** Scroll the 1-based line `n` to the editor's middle; false when there is no such line. */
    scrollToLine(n) {
      const line = lineAt(view.state, n);
      if (!line) return false;
      view.dispatch({ effects: EditorView.scrollIntoView(line.from, { y: "center" }) });
      return true;
    },
  };
  return editor;
}
