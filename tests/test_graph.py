"""The autograd graph, checked against torch's own graph, torchviz and the contract's walk.

Each snippet runs the way the playground runs it (a fresh `__main__` namespace holding
torch, nn, F and np, seeded with 0); its top-level tensors and module parameters feed
`build_graph`, and the result must agree edge for edge with two independent readers of
the same autograd graph.
"""

from __future__ import annotations

import contextlib
import re
import warnings
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchviz

from app.inspect.graph import AutogradGraph, build_graph

# One snippet per case, headed by what its graph must show: the named leaves, the
# tensor nodes (listed variables with a grad_fn) and how many leaves have no name.
# The first seven are shared/conformance cases that build a graph.
SNIPPETS = """
### leaf_and_grad | leaves: b w | tensors: y | conformance case 04
w = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
b = torch.tensor(0.5, requires_grad=True)
y = (w * 2 + b).sum()
y.backward()
### non_scalar_backward | leaves: x | tensors: y | conformance case 05, raises
x = torch.ones(2, 2, requires_grad=True)
y = x * x
y.backward()
### detach_and_data | leaves: x | tensors: f | conformance case 07
# d and e share x's memory, yet neither is the leaf
x = torch.rand(3, requires_grad=True)
d = x.detach()
e = x.data
f = x * 3
### linear_module | leaves: model.bias model.weight | tensors: loss out | conformance case 09
model = nn.Linear(4, 2)
inp = torch.randn(3, 4)
out = model(inp)
loss = out.pow(2).mean()
loss.backward()
### no_grad | leaves: x | tensors: z | conformance case 10
x = torch.ones(2, requires_grad=True)
with torch.no_grad():
    y = x * 2
z = x * 2
### grad_accumulates | leaves: x | tensors: f | conformance case 12
x = torch.tensor([10.0, 20.0, 30.0, 40.0], requires_grad=True)
for _ in range(3):
    f = (x ** 2 + 20).mean()
    f.backward()
### square_twice_input | leaves: a | tensors: g s | conformance case 15
a = torch.tensor(3.0, requires_grad=True)
s = a * a
g = s.exp()
### linear_mse_training_step | leaves: model.bias model.weight | tensors: loss pred
model = nn.Linear(3, 1)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
x = torch.randn(8, 3)
target = torch.randn(8, 1)
pred = model(x)
loss = F.mse_loss(pred, target)
opt.zero_grad()
loss.backward()
opt.step()
### y_times_y | leaves: x | tensors: y z
x = torch.ones(3, requires_grad=True)
y = x * 2
z = y * y
### shared_subexpression | leaves: x | tensors: a b c
x = torch.randn(4, requires_grad=True)
a = x.exp()
b = a.sin() + a.cos()
c = (b * a).sum()
### retain_grad | leaves: x | tensors: y z
x = torch.randn(3, requires_grad=True)
y = x * 2
y.retain_grad()
z = y.sum()
z.backward()
### cat_and_stack | leaves: a b | tensors: c s
a = torch.randn(2, requires_grad=True)
b = torch.randn(2, requires_grad=True)
c = torch.cat([a, b * 2])
s = torch.stack([a, b, a])
### expand | leaves: w x | tensors: e f
x = torch.randn(2, requires_grad=True)
w = torch.randn(3, 2, requires_grad=True)
e = x.unsqueeze(0).expand(3, 2)
f = (e * w).sum()
### inplace_on_non_leaf | leaves: x | tensors: h y
x = torch.randn(3, requires_grad=True)
y = x * 2
y.add_(1)
y.relu_()
h = y.clone()
h[0] = 5.0
### no_grad_partially | leaves: x | tensors: b
x = torch.randn(3, requires_grad=True)
with torch.no_grad():
    a = x * 2
b = (a * x).sum()
### three_backward_calls | leaves: w | tensors: loss
w = torch.randn(3, requires_grad=True)
x = torch.randn(3)
for _ in range(3):
    loss = (w * x).sum()
    loss.backward()
### sequential | leaves: net.0.bias net.0.weight net.2.bias net.2.weight | tensors: out
net = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 1))
inp = torch.randn(5, 4)
out = net(inp).mean()
### listed_name_beats_parameter_name | leaves: model.bias w | tensors: out
model = nn.Linear(2, 1)
w = model.weight
out = model(torch.ones(2)).sum()
### freed_by_backward | leaves: x | tensors: y
x = torch.randn(3, requires_grad=True)
y = (x * x).sum()
y.backward()
### multi_output_op | leaves: x | tensors: p q r
x = torch.randn(4, requires_grad=True)
p, q = x.chunk(2)
r = (p * q).sum()
### unnamed_leaf | leaves: - | tensors: out | unnamed leaves: 1
out = (torch.ones(2, requires_grad=True) * 3).sum()
### custom_function | leaves: x | tensors: y
class Square(torch.autograd.Function):
    @staticmethod
    def forward(ctx, t):
        ctx.save_for_backward(t)
        return t * t
    @staticmethod
    def backward(ctx, g):
        (t,) = ctx.saved_tensors
        return 2 * t * g
x = torch.randn(3, requires_grad=True)
y = Square.apply(x).sum()
"""


@dataclass(frozen=True)
class Case:
    id: str
    leaves: set[str]
    tensors: set[str]
    unnamed_leaves: int
    code: str


def parse_cases(text: str) -> list[Case]:
    cases = []
    for block in text.split("### ")[1:]:
        header, _, code = block.partition("\n")
        case_id, *fields = (part.strip() for part in header.split("|"))
        spec = dict(f.split(": ", 1) for f in fields if ": " in f)
        cases.append(
            Case(
                id=case_id,
                leaves=set(spec["leaves"].split()) - {"-"},
                tensors=set(spec["tensors"].split()),
                unnamed_leaves=int(spec.get("unnamed leaves", 0)),
                code=code,
            )
        )
    return cases


CASES = parse_cases(SNIPPETS)


@dataclass
class Ran:
    listed: list[tuple[str, torch.Tensor]]
    params: list[tuple[str, torch.Tensor]]
    graph: AutogradGraph


def run_snippet(code: str) -> Ran:
    """Run like the playground does; the namespace at a raise is the state to inspect."""
    namespace: dict[str, Any] = {"__name__": "__main__", "torch": torch, "nn": nn, "F": F, "np": np}
    torch.manual_seed(0)
    np.random.seed(0)
    with contextlib.suppress(RuntimeError):
        exec(compile(code, "<snippet>", "exec"), namespace)
    listed = [(k, v) for k, v in namespace.items() if isinstance(v, torch.Tensor)]
    params = [
        (qualified, p)
        for k, v in namespace.items()
        if isinstance(v, nn.Module)
        for qualified, p in v.named_parameters(prefix=k)
    ]
    return Ran(listed, params, build_graph(listed, params))


def labelled_edges(graph: AutogradGraph) -> Counter[str]:
    """Our edges between autograd nodes as "inputLabel->consumerLabel", tensor nodes aside."""
    by_id = {node.id: node for node in graph.nodes}
    return Counter(
        f"{by_id[e.source].label}->{by_id[e.target].label}"
        for e in graph.edges
        if by_id[e.source].kind != "tensor" and by_id[e.target].kind != "tensor"
    )


def truth_walk(listed: list[tuple[str, torch.Tensor]]) -> list[Any]:
    """The walk of shared/conformance/make_truth.py: each autograd node once by identity."""
    seen: dict[int, Any] = {}
    stack = [t.grad_fn for _, t in listed if t.grad_fn is not None]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen[id(node)] = node
        stack.extend(n for n, _ in node.next_functions if n is not None and id(n) not in seen)
    return list(seen.values())


def truth_edges(walked: list[Any]) -> Counter[str]:
    return Counter(
        f"{type(child).__name__}->{type(node).__name__}"
        for node in walked
        for child, _ in node.next_functions
        if child is not None
    )


DOT_NODE = re.compile(r"^\t(\S+) \[(.*)\]$", re.DOTALL)
DOT_EDGE = re.compile(r"^\t(\S+) -> (\S+)(?: \[.*\])?$", re.DOTALL)
DOT_LABEL = re.compile(r'label=("(?:[^"\\]|\\.)*"|[^ \]]+)')


def torchviz_edges(ran: Ran, walked: list[Any]) -> Counter[str]:
    """Edges between torchviz's autograd-node nodes, named by the classes they stand for.

    torchviz names every node `str(id(obj))` and fills every tensor node (leaf variables,
    outputs, saved tensors, view bases) with a colour; its autograd nodes have no fill.
    The live nodes of `walked` map those names back to classes, by identity.
    """
    by_name = {str(id(fn)): fn for fn in walked}
    outputs = tuple(t for _, t in ran.listed if t.grad_fn is not None)
    dot = torchviz.make_dot(outputs, params=dict(ran.params + ran.listed))
    fn_names: set[str] = set()
    pairs: list[tuple[str, str]] = []
    for statement in dot.body:
        statement = statement.rstrip("\n")
        if edge := DOT_EDGE.match(statement):
            pairs.append((edge[1], edge[2]))
        elif (node := DOT_NODE.match(statement)) and "fillcolor" not in node[2]:
            label = DOT_LABEL.search(node[2])
            assert label is not None
            fn = by_name[node[1]]
            assert label[1].strip('"') == type(fn).__name__
            fn_names.add(node[1])
    return Counter(
        f"{type(by_name[src]).__name__}->{type(by_name[dst]).__name__}"
        for src, dst in pairs
        if src in fn_names and dst in fn_names
    )


@pytest.fixture(params=CASES, ids=lambda case: case.id)
def case(request: pytest.FixtureRequest) -> Case:
    return request.param


def test_edges_match_torchviz(case: Case) -> None:
    ran = run_snippet(case.code)
    peer = torchviz_edges(ran, truth_walk(ran.listed))
    assert peer, "every case builds a graph"
    assert labelled_edges(ran.graph) == peer


def test_edges_and_nodes_match_the_contract_walk(case: Case) -> None:
    ran = run_snippet(case.code)
    walked = truth_walk(ran.listed)
    assert labelled_edges(ran.graph) == truth_edges(walked)
    autograd_labels = Counter(n.label for n in ran.graph.nodes if n.kind != "tensor")
    assert autograd_labels == Counter(type(fn).__name__ for fn in walked)
    assert walked, "every case builds a graph"


def test_leaves_and_tensor_nodes_are_named(case: Case) -> None:
    ran = run_snippet(case.code)
    nodes = ran.graph.nodes
    leaves = [n for n in nodes if n.kind == "leaf"]
    assert all(n.label == "AccumulateGrad" for n in leaves)
    assert {n.name for n in leaves if n.name} == case.leaves
    assert sum(n.name is None for n in leaves) == case.unnamed_leaves
    with_grad_fn = {name for name, t in ran.listed if t.grad_fn is not None}
    assert {n.name for n in nodes if n.kind == "tensor"} == case.tensors == with_grad_fn
    assert all(n.label == n.name for n in nodes if n.kind == "tensor")


def test_ids_are_unique_and_tensor_nodes_hang_off_their_grad_fn(case: Case) -> None:
    ran = run_snippet(case.code)
    assert [n.id for n in ran.graph.nodes] == [f"n{i}" for i in range(len(ran.graph.nodes))]
    assert not ran.graph.truncated
    by_id = {node.id: node for node in ran.graph.nodes}
    assert all(e.source in by_id and e.target in by_id for e in ran.graph.edges)
    tensors = dict(ran.listed)
    for node in ran.graph.nodes:
        if node.kind != "tensor":
            continue
        incoming = [by_id[e.source] for e in ran.graph.edges if e.target == node.id]
        assert [n.label for n in incoming] == [type(tensors[node.name].grad_fn).__name__]
        assert not any(e.source == node.id for e in ran.graph.edges)


def test_saved_tensors_report_shape_and_dtype() -> None:
    a = torch.randn(2, 3, requires_grad=True)
    b = torch.randn(3, 4, dtype=torch.float32, requires_grad=True)
    c = a @ b
    (op,) = [n for n in build_graph([("c", c)]).nodes if n.kind == "op"]
    assert op.label == "MmBackward0"
    assert {s["name"]: (s["shape"], s["dtype"]) for s in op.saved} == {
        "self": ([2, 3], "torch.float32"),
        "mat2": ([3, 4], "torch.float32"),
    }


def test_saved_tensors_are_skipped_once_backward_freed_them() -> None:
    x = torch.randn(3, requires_grad=True)
    y = x * x
    before = build_graph([("y", y)]).nodes[0].saved
    assert sorted(s["name"] for s in before) == ["other", "self"]
    y.sum().backward()
    with pytest.raises(RuntimeError):
        _ = y.grad_fn._saved_self
    assert build_graph([("y", y)]).nodes[0].saved == []


def test_a_100k_op_chain_is_truncated_without_recursion() -> None:
    x = torch.ones(1, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    graph = build_graph([("x", x), ("y", y)], max_nodes=500)
    assert graph.truncated
    assert len(graph.nodes) == 500
    ids = {n.id for n in graph.nodes}
    assert all(e.source in ids and e.target in ids for e in graph.edges)
    assert len(graph.edges) == 499  # a kept chain: the tensor edge plus 498 op edges


def test_the_cap_counts_tensor_nodes_too() -> None:
    x = torch.ones(2, requires_grad=True)
    outs = [(f"y{i}", x * i) for i in range(5)]
    graph = build_graph([("x", x), *outs], max_nodes=3)
    assert graph.truncated
    assert [(n.kind, n.name) for n in graph.nodes] == [
        ("op", None),
        ("tensor", "y0"),
        ("op", None),
    ]
    assert [(e.source, e.target) for e in graph.edges] == [("n0", "n1")]


def test_dot_is_a_digraph_with_every_node_and_edge() -> None:
    graph = run_snippet(next(c for c in CASES if c.id == "linear_module").code).graph
    dot = graph.dot
    assert dot.startswith("digraph ") and dot.rstrip().endswith("}")
    declared = re.findall(r'^  (n\d+) \[id="(n\d+)", label="([^"]*)"', dot, re.MULTILINE)
    assert [(n.id, n.id) for n in graph.nodes] == [(a, b) for a, b, _ in declared]
    shown = {n.id: n.name if n.kind != "op" else n.label for n in graph.nodes}
    assert {a: label for a, _, label in declared} == shown
    edges = re.findall(r"^  (n\d+) -> (n\d+);$", dot, re.MULTILINE)
    assert edges == [(e.source, e.target) for e in graph.edges]


def test_dot_labels_are_escaped() -> None:
    leaf = torch.ones(2, requires_grad=True)
    out = leaf * 2
    graph = build_graph([("out", out)], leaf_names=[('odd "name"\\ with\nbreak', leaf)])
    assert 'label="odd \\"name\\"\\\\ with\\nbreak"' in graph.dot
    assert "\nbreak" not in graph.dot


def test_to_json_carries_the_contract_fields() -> None:
    x = torch.ones(2, requires_grad=True)
    y = x * x
    body = build_graph([("x", x), ("y", y)]).to_json()
    assert set(body) == {"nodes", "edges", "truncated", "dot"}
    assert all(set(n) == {"id", "kind", "label", "name", "saved", "shape"} for n in body["nodes"])
    assert body["edges"][0] == {"source": "n0", "target": "n1"}


class RaisingGradFn(torch.Tensor):
    @property
    def grad_fn(self) -> Any:
        raise RuntimeError("a hostile subclass")


def odd_tensors() -> list[tuple[str, Any]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nested = torch.nested.nested_tensor(
            [torch.ones(2), torch.ones(3)], layout=torch.jagged, requires_grad=True
        )
        sparse = torch.sparse_coo_tensor(
            torch.tensor([[0, 1], [1, 0]]),
            torch.tensor([1.0, 2.0]),
            (2, 2),
            requires_grad=True,
            check_invariants=True,
        )
    with torch.no_grad():
        no_grad = torch.ones(2, requires_grad=True) * 2
    freed = (torch.ones(2, requires_grad=True) ** 2).sum()
    freed.backward()
    return [
        ("plain", torch.arange(3)),
        ("zero_d", torch.tensor(1.0, requires_grad=True) * 2),
        ("empty", torch.empty(0, requires_grad=True) * 2),
        ("nested", nested * 2),
        ("sparse", sparse * 2),
        ("meta", torch.empty(2, device="meta", requires_grad=True) * 2),
        ("complex", torch.ones(2, dtype=torch.complex64, requires_grad=True).abs()),
        ("no_grad", no_grad),
        ("freed", freed),
        ("hostile", torch.ones(2).as_subclass(RaisingGradFn)),
        ("not_a_tensor", "text"),
    ]


ODD_TENSORS = odd_tensors()


@pytest.mark.parametrize(("name", "value"), ODD_TENSORS, ids=[name for name, _ in ODD_TENSORS])
def test_never_raises(name: str, value: Any) -> None:
    graph = build_graph([(name, value)])
    expected = name not in {"plain", "no_grad", "hostile", "not_a_tensor"}
    assert any(n.kind == "tensor" and n.name == name for n in graph.nodes) == expected
    assert graph.to_json()["dot"].startswith("digraph")


def test_each_node_carries_its_output_shape() -> None:
    w = torch.ones(3, 2, requires_grad=True)
    y = (torch.ones(4, 3) @ w).relu().sum()
    shapes = {(n.kind, n.label): n.shape for n in build_graph([("y", y), ("w", w)]).nodes}
    assert shapes[("op", "MmBackward0")] == [4, 2]
    assert shapes[("op", "ReluBackward0")] == [4, 2]
    assert shapes[("op", "SumBackward0")] == []
    assert shapes[("leaf", "AccumulateGrad")] == [3, 2]
