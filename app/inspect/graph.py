"""The autograd graph behind a snippet's tensors, as plain data and as DOT text.

The walk follows `grad_fn.next_functions` from every listed tensor, visiting each
autograd node once by identity. It is iterative and capped at `max_nodes`, because a
snippet can build a chain of 100 000 ops and this runs on every request. It only reads
metadata (class names, shapes, dtypes); it never copies values and never raises, since
the tensors come from arbitrary user code.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import torch

SAVED_PREFIX = "_saved_"
LEAF_LABEL = "AccumulateGrad"


@dataclass(slots=True)
class GraphNode:
    """One node of the drawing: an autograd op, a leaf's AccumulateGrad, or a named tensor."""

    id: str
    kind: str
    label: str
    name: str | None = None
    saved: list[dict[str, Any]] = field(default_factory=list)
    shape: list[int] | None = None
    """The op's (first) output shape, from autograd's own input metadata."""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "label": self.label,
            "name": self.name,
            "saved": [dict(item) for item in self.saved],
            "shape": self.shape,
        }


@dataclass(slots=True)
class GraphEdge:
    """Data-flow direction: from an input to the op that consumes it (or op -> tensor)."""

    source: str
    target: str


@dataclass(slots=True)
class AutogradGraph:
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    truncated: bool
    dot: str

    def to_json(self) -> dict[str, Any]:
        return {
            "nodes": [node.to_json() for node in self.nodes],
            "edges": [{"source": e.source, "target": e.target} for e in self.edges],
            "truncated": self.truncated,
            "dot": self.dot,
        }


def build_graph(
    listed: Sequence[tuple[str, torch.Tensor]],
    leaf_names: Sequence[tuple[str, torch.Tensor]] = (),
    max_nodes: int = 500,
) -> AutogradGraph:
    """Walk the autograd graph reachable from the listed tensors, breadth first.

    Breadth first keeps the nodes nearest the snippet's own variables when the cap bites.
    """
    # The snippet's own variable names come first, so they win over qualified names.
    builder = _Builder(_LeafNamer([*listed, *leaf_names]), max(0, max_nodes))
    for name, tensor in listed:
        fn = _grad_fn(tensor)
        if fn is None:
            continue
        op_id = builder.discover(fn)
        tensor_id = None if op_id is None else builder.add_node("tensor", name, name)
        if op_id is None or tensor_id is None:
            break  # the cap is reached
        builder.edges.append(GraphEdge(op_id, tensor_id))
    builder.expand()
    return AutogradGraph(
        nodes=builder.nodes,
        edges=builder.edges,
        truncated=builder.truncated,
        dot=to_dot(builder.nodes, builder.edges, builder.truncated),
    )


class _Builder:
    """Accumulates nodes and edges; holds every visited autograd node so ids stay unique."""

    def __init__(self, leaf_name: _LeafNamer, max_nodes: int) -> None:
        self.leaf_name = leaf_name
        self.max_nodes = max_nodes
        self.nodes: list[GraphNode] = []
        self.edges: list[GraphEdge] = []
        self.truncated = False
        self.ids: dict[int, tuple[Any, str]] = {}
        self.queue: deque[Any] = deque()

    def add_node(self, kind: str, label: str, name: str | None) -> str | None:
        if len(self.nodes) >= self.max_nodes:
            self.truncated = True
            return None
        node = GraphNode(id=f"n{len(self.nodes)}", kind=kind, label=label, name=name)
        self.nodes.append(node)
        return node.id

    def discover(self, fn: Any) -> str | None:
        """The id of `fn`'s node, adding (and queueing) it on first sight; None past the cap."""
        known = self.ids.get(id(fn))
        if known is not None:
            return known[1]
        label = type(fn).__name__
        if label == LEAF_LABEL:
            node_id = self.add_node("leaf", label, self.leaf_name(fn))
            if node_id is not None:
                self.nodes[-1].shape = output_shape(fn)
        else:
            node_id = self.add_node("op", label, None)
            if node_id is not None:
                self.nodes[-1].saved = saved_tensors(fn)
                self.nodes[-1].shape = output_shape(fn)
        if node_id is not None:
            self.ids[id(fn)] = (fn, node_id)
            self.queue.append(fn)
        return node_id

    def expand(self) -> None:
        """Visit queued nodes; past the cap only edges between kept nodes are still added."""
        while self.queue:
            fn = self.queue.popleft()
            target = self.ids[id(fn)][1]
            for child in _next_functions(fn):
                source = self.discover(child)
                if source is not None:
                    self.edges.append(GraphEdge(source, target))


class _LeafNamer:
    """Names a leaf by the identity of `AccumulateGrad.variable`: `x.detach()` shares
    memory with `x` but is a different tensor, so data pointers would mislabel it."""

    def __init__(self, named: list[tuple[str, torch.Tensor]]) -> None:
        self.by_id: dict[int, tuple[torch.Tensor, str]] = {}
        for name, tensor in named:
            self.by_id.setdefault(id(tensor), (tensor, name))

    def __call__(self, fn: Any) -> str | None:
        try:
            variable = fn.variable
        except Exception:
            return None
        entry = self.by_id.get(id(variable))
        return entry[1] if entry is not None and entry[0] is variable else None


def _grad_fn(tensor: Any) -> Any:
    try:
        return tensor.grad_fn if isinstance(tensor, torch.Tensor) else None
    except Exception:
        return None


def _next_functions(fn: Any) -> list[Any]:
    try:
        return [child for child, _ in fn.next_functions if child is not None]
    except Exception:
        return []


def output_shape(fn: Any) -> list[int] | None:
    """The shape of what the op produced: the shape of the gradient its backward receives."""
    try:
        if type(fn).__name__ == LEAF_LABEL:
            return list(fn.variable.shape)
        return list(fn._input_metadata[0].shape)
    except Exception:  # no metadata on this node type, or a nested tensor
        return None


def saved_tensors(fn: Any) -> list[dict[str, Any]]:
    """Shapes and dtypes of what an op saved for backward; empty once backward freed them."""
    saved: list[dict[str, Any]] = []
    try:
        attrs = [attr for attr in dir(fn) if attr.startswith(SAVED_PREFIX)]
    except Exception:
        return saved
    for attr in attrs:
        try:
            value = getattr(fn, attr)
        except Exception:  # freed by backward(), or a saved-tensor hook that failed
            continue
        name = attr[len(SAVED_PREFIX) :]
        if isinstance(value, torch.Tensor):
            saved.append(_describe(name, value))
        elif isinstance(value, tuple):
            saved.extend(
                _describe(f"{name}[{i}]", item)
                for i, item in enumerate(value)
                if isinstance(item, torch.Tensor)
            )
    return saved


def _describe(name: str, tensor: torch.Tensor) -> dict[str, Any]:
    try:
        shape = list(tensor.shape)
    except Exception:  # nested tensors have no single shape
        shape = []
    return {"name": name, "shape": shape, "dtype": str(tensor.dtype)}


_DOT_STYLE = {
    "op": 'shape=ellipse, style=filled, fillcolor="#eeeeee"',
    "leaf": 'shape=box, style=filled, fillcolor="#cfe2ff"',
    "tensor": 'shape=box, style="filled,bold", fillcolor="#c7f0c2", penwidth=2',
}


def to_dot(nodes: Sequence[GraphNode], edges: Sequence[GraphEdge], truncated: bool) -> str:
    """Graphviz source whose node names and `id`s are the JSON ids, for a browser renderer."""
    lines = [
        "digraph autograd {",
        "  rankdir=BT;",
        '  node [fontname="monospace", fontsize=10];',
    ]
    if truncated:
        lines.append(f"  label={_quote(f'truncated at {len(nodes)} nodes')};")
    for node in nodes:
        text = node.name if node.kind != "op" and node.name else node.label
        lines.append(
            f"  {node.id} [id={_quote(node.id)}, label={_quote(text)}, {_DOT_STYLE[node.kind]}];"
        )
    lines.extend(f"  {edge.source} -> {edge.target};" for edge in edges)
    lines.append("}")
    return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    """A DOT quoted string: backslashes and quotes escaped, line breaks as `\\n`."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = escaped.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return f'"{escaped}"'
