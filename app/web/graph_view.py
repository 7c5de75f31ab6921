"""The autograd graph as the page draws it: validated structure, never the child's DOT text.

The report's `graph.dot` was written by the child and could carry any Graphviz attribute
(`URL="javascript:…"`), so the page never sees it. From the validated nodes and edges this
builds plain data the page's script turns into DOT itself, with server-chosen ids
(`n0`, `n1`, …), labels cut short and stripped of control characters, and edges only between
nodes that exist. Every loop is bounded by `MAX_NODES` / `MAX_EDGES`, whatever the report says.

Large graphs are collapsed by module, torchview's idea without its forward hooks: a leaf
named `model.fc1.weight` belongs to module `model.fc1`; an op joins the module whose
parameters it consumes, or the one all its inputs come from; the page draws each module as
one box that a click expands.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from app.schemas import Graph, RunResponse
from app.web.values_view import shape_text

MAX_NODES = 500
MAX_EDGES = 2000
MAX_EDGES_READ = 10_000
"""Edges looked at in the report (the rest are ignored), so a forged edge list is cheap."""
MAX_LABEL = 60
COLLAPSE_ABOVE = 120
"""Graphs with more nodes than this start collapsed by module."""
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


@dataclass(slots=True)
class GraphView:
    nodes: list[dict[str, Any]]
    edges: list[tuple[str, str]]
    clusters: list[dict[str, Any]] = field(default_factory=list)
    truncated: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "nodes": self.nodes,
            "edges": [list(edge) for edge in self.edges],
            "clusters": self.clusters,
            "collapsed": bool(self.clusters) and len(self.nodes) > COLLAPSE_ABOVE,
            "truncated": self.truncated,
        }


def clean_label(text: str | None) -> str:
    """One line of at most MAX_LABEL characters, no control characters."""
    if not text:
        return ""
    text = _CONTROL.sub(" ", text[: MAX_LABEL * 2])
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def tensor_shapes(report: RunResponse) -> dict[str, tuple[list[int], list[int] | None]]:
    """Name -> (shape, grad shape) of the listed tensors and the modules' parameters."""
    shapes: dict[str, tuple[list[int], list[int] | None]] = {}
    room = MAX_NODES * 4
    for module in report.modules[:MAX_NODES]:
        for p in module.parameters[:room]:
            shapes.setdefault(p.name, (p.shape, p.grad.shape if p.grad else None))
        room -= min(room, len(module.parameters))
        if not room:
            break
    for t in report.tensors[:MAX_NODES]:
        shapes[t.name] = (t.shape, t.grad.shape if t.grad else None)
    return shapes


def build_graph_view(report: RunResponse) -> GraphView | None:
    graph: Graph = report.graph
    if not graph.nodes:
        return None
    shapes = tensor_shapes(report)
    index: dict[str, int] = {}
    nodes: list[dict[str, Any]] = []
    modules: list[tuple[str, ...] | None] = []
    for node in graph.nodes[:MAX_NODES]:
        if node.id in index:
            continue
        index[node.id] = len(nodes)
        name = clean_label(node.name)
        known = shapes.get(node.name or "") if node.kind != "op" else None
        shape = known[0] if known else getattr(node, "shape", None)
        grad = known[1] if known and node.kind == "leaf" else None
        nodes.append({
            "id": f"n{len(nodes)}", "kind": node.kind, "label": clean_label(node.label),
            "name": name or None, "shape": shape_text(shape, 6) if shape is not None else None,
            "grad": shape_text(grad, 6) if grad is not None else None, "cluster": None,
        })  # fmt: skip
        parts = (node.name or "").split(".")
        modules.append(tuple(parts[:-1]) if node.kind == "leaf" and len(parts) > 1 else None)
    edges: list[tuple[int, int]] = []
    for edge in graph.edges[:MAX_EDGES_READ]:
        source, target = index.get(edge.source), index.get(edge.target)
        if source is not None and target is not None and source != target:
            edges.append((source, target))
            if len(edges) >= MAX_EDGES:
                break
    clusters = _cluster(nodes, modules, edges) if len(nodes) > COLLAPSE_ABOVE else []
    return GraphView(
        nodes,
        [(nodes[s]["id"], nodes[t]["id"]) for s, t in edges],
        clusters,
        truncated=graph.truncated or len(graph.nodes) > len(nodes) or len(edges) >= MAX_EDGES,
    )


def _topological(count: int, edges: list[tuple[int, int]]) -> list[int]:
    """Inputs before the ops that use them; nodes on a (forged) cycle come last."""
    incoming = [0] * count
    outgoing: list[list[int]] = [[] for _ in range(count)]
    for source, target in edges:
        incoming[target] += 1
        outgoing[source].append(target)
    ready = deque(i for i in range(count) if incoming[i] == 0)
    order: list[int] = []
    while ready:
        node = ready.popleft()
        order.append(node)
        for target in outgoing[node]:
            incoming[target] -= 1
            if incoming[target] == 0:
                ready.append(target)
    seen = set(order)
    return order + [i for i in range(count) if i not in seen]


def _keys_at(
    depth: int, order: list[int], sources: list[list[int]], modules: list[tuple[str, ...] | None]
) -> list[tuple[str, ...] | None]:
    """Each node's module at `depth` path components, or None for an unowned node."""
    keys: list[tuple[str, ...] | None] = [None] * len(modules)
    param_only = [False] * len(modules)
    for node in order:
        if modules[node] is not None:
            keys[node] = modules[node][:depth]
            param_only[node] = True
            continue
        inputs = sources[node]
        owners = {keys[s] for s in inputs if param_only[s]}
        if len(owners) == 1:
            keys[node] = owners.pop()
            param_only[node] = all(param_only[s] for s in inputs)
        else:
            found = {keys[s] for s in inputs}
            if len(found) == 1 and not owners:
                keys[node] = found.pop()
    return keys


def _cluster(
    nodes: list[dict[str, Any]],
    modules: list[tuple[str, ...] | None],
    edges: list[tuple[int, int]],
) -> list[dict[str, Any]]:
    """Mark each node's module cluster at the deepest level that still draws small."""
    if not any(modules):
        return []
    sources: list[list[int]] = [[] for _ in nodes]
    for source, target in edges:
        sources[target].append(source)
    order = _topological(len(nodes), edges)
    deepest = max(len(m) for m in modules if m)
    chosen = _keys_at(1, order, sources, modules)
    for depth in range(2, min(deepest, 8) + 1):
        keys = _keys_at(depth, order, sources, modules)
        drawn = len({k for k in keys if k}) + sum(k is None for k in keys)
        if drawn > COLLAPSE_ABOVE:
            break
        chosen = keys
    ids: dict[tuple[str, ...], int] = {}
    clusters: list[dict[str, Any]] = []
    for node, key in zip(nodes, chosen, strict=True):
        if key is None:
            continue
        if key not in ids:
            ids[key] = len(clusters)
            clusters.append({"id": f"c{len(clusters)}", "label": clean_label(".".join(key)),
                             "size": 0})  # fmt: skip
        cluster = clusters[ids[key]]
        cluster["size"] += 1
        node["cluster"] = cluster["id"]
    single = {c["id"] for c in clusters if c["size"] < 2}
    for node in nodes:
        if node["cluster"] in single:
            node["cluster"] = None
    return [c for c in clusters if c["id"] not in single]
