// The page's own script, part 4: the CodeMirror editor, loaded after its bundle. Completions
// and signatures for torch, nn, F, optim and tensor methods come from a table generated from
// torch 2.13 at build time (static/vendor/torch-completions.json), fetched on first use.
"use strict";

(() => {
  const TP = window.TP;
  const { $ } = TP;
  const ALIASES = { torch: "torch", nn: "nn", "torch.nn": "nn", F: "F", "torch.nn.functional": "F",
    optim: "optim", "torch.optim": "optim" };
  let table = null;
  let loading = null;

  function loadTable() {
    if (!loading) {
      loading = fetch(document.body.dataset.completionsSrc)
        .then((response) => (response.ok ? response.json() : null))
        .then((data) => {
          table = data && data.namespaces ? data.namespaces : {};
          return table;
        })
        .catch(() => (table = {}));
    }
    return loading;
  }

  const TYPES = { function: "function", class: "class", namespace: "namespace", constant: "constant" };

  function options(namespace) {
    return (table[namespace] || []).map(([label, kind, signature, info]) => ({
      label, type: TYPES[kind] || "variable", detail: signature ? signature.slice(label.length) : "",
      info: info || undefined,
    }));
  }

  /** `torch.ra|`, `nn.Li|`, `F.re|`, `x.vi|` (tensor methods) and bare `tor|`. */
  async function complete(context) {
    const dotted = context.matchBefore(/[A-Za-z_][\w.]*\.\w*$/);
    const bare = context.matchBefore(/\w+$/);
    if (!dotted && !(bare && context.explicit) && !(bare && bare.text.length >= 2)) return null;
    await loadTable();
    if (dotted) {
      const cut = dotted.text.lastIndexOf(".");
      const owner = dotted.text.slice(0, cut);
      const namespace = ALIASES[owner] || (/^\w+$/.test(owner) || owner.endsWith(")") ? "Tensor" : null);
      if (!namespace) return null;
      return { from: dotted.from + cut + 1, options: options(namespace), validFor: /^\w*$/ };
    }
    const names = ["torch", "nn", "F", "optim"].map((label) => ({ label, type: "namespace" }));
    return { from: bare.from, options: names, validFor: /^\w*$/ };
  }

  /** The signature for a dotted name before `(`: `torch.randn`, `nn.Linear`, `x.view`. */
  function signature(name) {
    if (!table) {
      loadTable();
      return null;
    }
    const cut = name.lastIndexOf(".");
    if (cut < 0) return null;
    const owner = name.slice(0, cut);
    const leaf = name.slice(cut + 1);
    const namespaces = ALIASES[owner] ? [ALIASES[owner]] : ["Tensor"];
    for (const namespace of namespaces) {
      const entry = (table[namespace] || []).find((item) => item[0] === leaf);
      if (entry && entry[2]) return `${owner}.${entry[2]}`;
    }
    return null;
  }

  function mount() {
    const host = $("#editor");
    const textarea = $("#code");
    if (!host || !textarea || !window.CM) return;
    TP.editor = CM.create(host, {
      doc: textarea.value,
      onRun: () => TP.run(),
      onChange: (text) => TP.codeChanged(text),
      extensions: [
        CM.EditorView.lineWrapping,
        CM.EditorView.contentAttributes.of({ "aria-label": host.dataset.label || "code" }),
        CM.pythonLanguage.data.of({ autocomplete: complete }),
        CM.signatureHelp(signature),
      ],
    });
    textarea.hidden = true;
    $("label[for=code]")?.addEventListener("click", () => TP.editor.view.focus());
    document.dispatchEvent(new CustomEvent("tp:editor"));
  }

  mount();
})();
