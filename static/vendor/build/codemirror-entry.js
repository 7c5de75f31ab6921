// Entry point of static/vendor/codemirror.js: esbuild bundles it into one IIFE that sets
// `window.CM`, so the page loads a single offline file and its own JS stays a few lines.
import { basicSetup } from "codemirror";
import { python } from "@codemirror/lang-python";
import { indentWithTab } from "@codemirror/commands";
import { indentUnit } from "@codemirror/language";
import { EditorState, Prec, StateEffect, StateField } from "@codemirror/state";
import { Decoration, EditorView, keymap } from "@codemirror/view";

export { basicSetup, python, indentWithTab, EditorState, Prec, StateEffect, StateField };
export { Decoration, EditorView, keymap };

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
        python(),
        indentUnit.of("    "),
        keymap.of([indentWithTab]),
        Prec.highest(keymap.of([{ key: "Mod-Enter", run }, { key: "Ctrl-Enter", run }])),
        marks,
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
