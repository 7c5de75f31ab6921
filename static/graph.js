// The page's own script, part 3: the autograd graph. The server sends validated structure
// (ids it chose, labels it cut; never the child's DOT text); this builds the DOT from it,
// quoting every label, and hands it to Graphviz (viz-js), which is loaded only when a graph
// is to be drawn. The drawing fits its box; it pans by dragging and zooms by buttons, keys
// and Ctrl+wheel, through the SVG's viewBox. Large graphs start collapsed by module.
"use strict";

(() => {
  const TP = window.TP;
  const { $ } = TP;
  let vizReady = null;
  let graph = null;
  let expanded = new Set();
  let base = null;
  let view = null;
  let drawn = false;

  function loadViz() {
    if (window.Viz) return Viz.instance();
    if (!vizReady) {
      vizReady = new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = document.body.dataset.vizSrc;
        script.onload = () => resolve(Viz.instance());
        script.onerror = reject;
        document.head.append(script);
      });
    }
    return vizReady;
  }

  /** A DOT quoted string: nothing in it can end the string or start an attribute; a line
   * break becomes DOT's own `\n`, other control characters a space. */
  function quote(text) {
    const clean = String(text).replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, " ");
    return `"${clean.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
  }
  TP.dotQuote = quote;

  function colour(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || "#888888";
  }

  function label(node) {
    const lines = [node.kind === "op" ? node.label : node.name || node.label];
    if (node.shape) lines.push(node.shape);
    if (node.grad) lines.push(`grad ${node.grad}`);
    return lines.join("\n");
  }

  const SHAPES = { op: "ellipse", leaf: "box", tensor: "box" };

  /** DOT for the graph with every cluster not in `expanded` drawn as one box. */
  function toDot(data) {
    const ink = quote(colour("--ink"));
    const fills = {
      op: quote(colour("--panel-2")), leaf: quote(colour("--link-bg")), tensor: quote(colour("--fix-bg")),
    };
    const collapsed = new Set(
      data.collapsed ? data.clusters.map((c) => c.id).filter((id) => !expanded.has(id)) : [],
    );
    const out = [
      "digraph autograd {",
      "  rankdir=BT; bgcolor=\"transparent\";",
      `  node [fontname="Courier", fontsize=10, style=filled, color=${ink}, fontcolor=${ink}];`,
      `  edge [color=${ink}];`,
    ];
    const members = new Map();
    const where = new Map();
    for (const node of data.nodes) {
      const owner = node.cluster && collapsed.has(node.cluster) ? node.cluster : null;
      where.set(node.id, owner || node.id);
      if (owner) continue;
      const line = `  ${node.id} [id=${quote(node.id)}, label=${quote(label(node))}, shape=${SHAPES[node.kind] || "box"}, fillcolor=${fills[node.kind] || fills.op}];`;
      const group = node.cluster && data.collapsed ? node.cluster : "";
      if (!members.has(group)) members.set(group, []);
      members.get(group).push(line);
    }
    for (const cluster of data.clusters) {
      if (collapsed.has(cluster.id)) {
        out.push(`  ${cluster.id} [id=${quote(cluster.id)}, label=${quote(`${cluster.label}\n${cluster.size} ▸`)}, shape=box3d, fillcolor=${fills.leaf}, tooltip=${quote(TP.message("expand_module"))}];`);
      } else if (members.has(cluster.id)) {
        out.push(`  subgraph cluster_${cluster.id} {`, `    id=${quote(cluster.id)}; label=${quote(`${cluster.label} ▾`)}; fontcolor=${ink}; color=${ink};`);
        out.push(...members.get(cluster.id).map((line) => `  ${line}`), "  }");
      }
    }
    out.push(...(members.get("") || []));
    const seen = new Set();
    for (const [source, target] of data.edges) {
      const from = where.get(source);
      const to = where.get(target);
      if (!from || !to || from === to) continue;
      const key = `${from}>${to}`;
      if (from !== source || to !== target) {
        if (seen.has(key)) continue;
        seen.add(key);
      }
      out.push(`  ${from} -> ${to};`);
    }
    out.push("}");
    return out.join("\n");
  }
  TP.graphDot = toDot;

  function setView(box) {
    const svg = $("#graph-canvas svg");
    if (!svg || !box) return;
    view = box;
    svg.setAttribute("viewBox", box.join(" "));
  }

  function fit() {
    setView(base);
  }

  function zoom(factor, cx = 0.5, cy = 0.5) {
    if (!view) return;
    const [x, y, w, h] = view;
    const nw = Math.min(base[2] * 4, Math.max(base[2] / 40, w / factor));
    const nh = (nw / w) * h;
    setView([x + (w - nw) * cx, y + (h - nh) * cy, nw, nh]);
  }

  function pan(dx, dy) {
    if (!view) return;
    const [x, y, w, h] = view;
    setView([x + dx, y + dy, w, h]);
  }

  async function draw() {
    const canvas = $("#graph-canvas");
    graph = TP.json("run-graph");
    if (!canvas || !graph) return;
    try {
      const viz = await loadViz();
      if (TP.json("run-graph") === null || $("#graph-canvas") !== canvas) return; // a newer run
      const svg = viz.renderSVGElement(toDot(graph));
      svg.removeAttribute("width");
      svg.removeAttribute("height");
      svg.setAttribute("preserveAspectRatio", "xMidYMid meet");
      svg.setAttribute("role", "img");
      svg.setAttribute("aria-label", $("#graph-heading")?.textContent || "graph");
      for (const link of svg.querySelectorAll("a")) link.replaceWith(...link.childNodes);
      canvas.replaceChildren(svg);
      base = svg.getAttribute("viewBox").split(/\s+/).map(Number);
      fit();
      drawn = true;
    } catch {
      canvas.textContent = TP.message("graph_failed");
    }
  }

  function drawIfShown() {
    const panel = $("#panel-graph");
    if (panel && !panel.hidden && !drawn) draw();
  }

  /** Show the node of a tensor card: switch to the graph, outline the node, centre it. */
  async function showNode(id) {
    TP.selectTab("tab-graph");
    if (!drawn) await draw();
    const node = document.getElementById(id)
      || document.getElementById(graph?.nodes.find((n) => n.id === id)?.cluster || "");
    document.querySelectorAll("#graph-canvas g.node.highlight").forEach((g) => g.classList.remove("highlight"));
    if (!node || !node.closest("#graph-canvas") || !base) return;
    node.classList.add("highlight");
    const box = node.getBBox();
    const [, , w, h] = base;
    const width = Math.min(w, Math.max(box.width * 6, w / 3));
    const height = (width / w) * h;
    const svg = $("#graph-canvas svg");
    const root = svg.querySelector("g.graph");
    const transform = root?.transform.baseVal.consolidate()?.matrix;
    const cx = box.x + box.width / 2 + (transform ? transform.e : 0);
    const cy = box.y + box.height / 2 + (transform ? transform.f : 0);
    setView([cx - width / 2, cy - height / 2, width, height]);
  }

  function reset() {
    drawn = false;
    expanded = new Set();
    base = view = null;
    drawIfShown();
  }

  document.addEventListener("DOMContentLoaded", reset);
  document.addEventListener("tp:results", reset);
  document.addEventListener("tp:tab", drawIfShown);
  document.addEventListener("tp:theme", () => {
    drawn = false;
    drawIfShown();
  });

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-graph]");
    if (button) {
      const action = button.dataset.graph;
      if (action === "zoom-in") zoom(1.4);
      else if (action === "zoom-out") zoom(1 / 1.4);
      else if (action === "fit") fit();
      else if (action === "expand-all" && graph) {
        expanded = new Set(graph.clusters.map((c) => c.id));
        drawn = false;
        draw();
      }
    }
    const link = event.target.closest(".graph-link");
    if (link) showNode(link.dataset.node);
    const node = event.target.closest("#graph-canvas g.node, #graph-canvas g.cluster");
    if (node && !moved) {
      const id = node.id;
      if (graph?.clusters.some((c) => c.id === id)) {
        if (expanded.has(id)) expanded.delete(id);
        else expanded.add(id);
        drawn = false;
        draw();
        return;
      }
      const card = document.querySelector(`.tensor-card[data-node="${CSS.escape(id)}"]`);
      if (card) {
        TP.selectTab("tab-overview");
        card.open = true;
        card.scrollIntoView({ block: "center" });
        card.classList.add("lit");
        setTimeout(() => card.classList.remove("lit"), 1500);
      }
    }
  });

  let dragFrom = null;
  let moved = false;
  document.addEventListener("pointerdown", (event) => {
    const box = event.target.closest?.("#graph-view");
    if (!box || !view || event.button !== 0) return;
    dragFrom = { x: event.clientX, y: event.clientY, view, width: box.clientWidth };
    moved = false;
  });
  document.addEventListener("pointermove", (event) => {
    if (!dragFrom) return;
    const scale = dragFrom.view[2] / dragFrom.width;
    const dx = (dragFrom.x - event.clientX) * scale;
    const dy = (dragFrom.y - event.clientY) * scale;
    if (Math.abs(dx) + Math.abs(dy) > 2 * scale) moved = true;
    if (!moved) return;
    $("#graph-view")?.classList.add("dragging");
    const [x, y, w, h] = dragFrom.view;
    setView([x + dx, y + dy, w, h]);
  });
  document.addEventListener("pointerup", () => {
    dragFrom = null;
    $("#graph-view")?.classList.remove("dragging");
    setTimeout(() => { moved = false; }, 0);
  });
  document.addEventListener("wheel", (event) => {
    const box = event.target.closest?.("#graph-view");
    if (!box || !view || !event.ctrlKey) return;
    event.preventDefault();
    const rect = box.getBoundingClientRect();
    zoom(event.deltaY < 0 ? 1.2 : 1 / 1.2, (event.clientX - rect.left) / rect.width,
      (event.clientY - rect.top) / rect.height);
  }, { passive: false });
  document.addEventListener("keydown", (event) => {
    if (event.target.id !== "graph-view" || !view) return;
    const step = view[2] / 10;
    const keys = {
      "+": () => zoom(1.4), "=": () => zoom(1.4), "-": () => zoom(1 / 1.4), 0: fit,
      ArrowLeft: () => pan(-step, 0), ArrowRight: () => pan(step, 0),
      ArrowUp: () => pan(0, -step), ArrowDown: () => pan(0, step),
    };
    if (!(event.key in keys)) return;
    keys[event.key]();
    event.preventDefault();
  });
})();
