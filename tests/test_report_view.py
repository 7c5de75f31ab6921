"""The results partial stays bounded for any report that passes validation.

Reports are generated from the pydantic models of app/schemas.py themselves (every field, any
value its type allows: huge ints, NaN, long strings, any JSON where the model says JSON), and
rendered through the real templates: never an exception, never more than
`MAX_RESULTS_BYTES`, never more than a few seconds. Hand-made forgeries cover what random
generation rarely reaches (shape [1700, 1700] with one value, 10**5 steps, a 29 KB line).
"""

from __future__ import annotations

import os
import time
import types
import typing
from typing import Any, Literal, get_args, get_origin

import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from app.schemas import RunResponse
from app.web import pages, report_view
from app.web.graph_view import build_graph_view

EXAMPLES = int(os.environ.get("PLAYGROUND_PROPERTY_EXAMPLES", "100"))
"""Generated reports per run: 100 in `make test`, 1000 in CI (.ci/run sets it)."""
SECONDS_PER_RENDER = 10.0
"""Generous: a shared 2-core machine; a render that walks a forged size takes far longer."""
TEMPLATES = pages.build_templates()

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
    | st.sampled_from(["NaN", "Infinity", "-Infinity", "(1+2j)"]),
    lambda inner: st.lists(inner, max_size=6)
    | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=60,
)  # fmt: skip
ints = st.integers(-3, 40) | st.integers() | st.sampled_from([10**30, -(10**30), 2**63, 2**64])
texts = st.text(max_size=24) | st.builds(lambda n, c: c * n, st.integers(0, 70_000),
                                         st.sampled_from(["a", "\n", "<", "`", "中"]))  # fmt: skip


def strategy_for(annotation: Any, metadata: list[Any] | None = None) -> st.SearchStrategy[Any]:
    """Values for a field of this annotation (and its `Field(ge=…, max_length=…)`
    constraints), as JSON would carry them."""
    if get_origin(annotation) is typing.Annotated:  # Int64: keep its bounds
        base, *extra = get_args(annotation)
        return strategy_for(base, [*(metadata or ()), *extra])
    bounds = {type(m).__name__: m for m in metadata or ()}
    if annotation is int and bounds:
        low = max((m.ge for m in metadata or () if type(m).__name__ == "Ge"), default=None)
        high = min((m.le for m in metadata or () if type(m).__name__ == "Le"), default=None)
        edges = [
            n
            for n in (low, high, 0, 2**31, 2**62)
            if n is not None and (low is None or n >= low) and (high is None or n <= high)
        ]
        return st.integers(max(-3, low or -3), 40) | st.integers(low, high) \
            | st.sampled_from(edges)  # fmt: skip
    if annotation is str and "MaxLen" in bounds:
        return st.text(max_size=min(bounds["MaxLen"].max_length, 64))
    origin, args = get_origin(annotation), get_args(annotation)
    if annotation is Any:
        return json_values
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return model_dicts(annotation)
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*(strategy_for(arg) for arg in args))
    if origin is Literal:
        return st.sampled_from(args)
    if origin is list:
        return st.lists(strategy_for(args[0]), max_size=5)
    if origin is dict:
        keys = st.sampled_from(["expr", "shape", "dtype", "stride", "raised", "op"])
        return st.dictionaries(keys | st.text(max_size=5), strategy_for(args[1]), max_size=6)
    if annotation is type(None):
        return st.none()
    simple = {bool: st.booleans(), int: ints, float: st.floats(), str: texts}
    for kind, strategy in simple.items():
        if annotation is kind or (isinstance(annotation, type) and issubclass(annotation, kind)):
            return strategy
    raise TypeError(f"no strategy for {annotation!r}")


def model_dicts(model: type[BaseModel]) -> st.SearchStrategy[dict[str, Any]]:
    fields = model.model_fields.items()
    required = {n: strategy_for(f.annotation, f.metadata) for n, f in fields if f.is_required()}
    optional = {n: strategy_for(f.annotation, f.metadata) for n, f in fields if not f.is_required()}
    return st.fixed_dictionaries(required, optional=optional)


def render(report: RunResponse, code: str, lang: str = "en") -> str:
    context = pages.results_context(report, code, lang)
    template = TEMPLATES.env.get_template("partials/results.html")
    return template.render(lang=lang, t=pages.Text(lang), **context)


def check_bounded(report: RunResponse, code: str) -> str:
    started = time.perf_counter()
    html = render(report, code)
    elapsed = time.perf_counter() - started
    assert len(html.encode()) <= report_view.MAX_RESULTS_BYTES
    assert elapsed < SECONDS_PER_RENDER, f"{elapsed:.1f} s"
    return html


@pytest.mark.timeout(max(120, EXAMPLES))  # ~0.1 s an example here, 1000 of them passed 120 s in CI
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(model_dicts(RunResponse), st.text(max_size=200), st.sampled_from(["en", "zh"]))
def test_any_valid_report_renders_bounded(body: dict[str, Any], code: str, lang: str) -> None:
    try:
        report = RunResponse.model_validate(body)
    except ValidationError:
        reject()  # not a report the server would pass on; the schema's own tests cover it
    started = time.perf_counter()
    html = render(report, code, lang)
    assert time.perf_counter() - started < SECONDS_PER_RENDER
    assert len(html.encode()) <= report_view.MAX_RESULTS_BYTES
    assert html.lstrip().startswith('<section id="results"')


def tensor(name: str = "t", **fields: Any) -> dict[str, Any]:
    info = {
        "name": name, "shape": [2], "dtype": "torch.float32", "device": "cpu", "stride": [1],
        "storage_offset": 0, "is_contiguous": True, "requires_grad": False, "is_leaf": True,
        "grad_fn": None, "numel": 2, "values": [1.0, 2.0], "shares_storage_with": [], "grad": None,
    }  # fmt: skip
    return {**info, **fields}


def report(**fields: Any) -> RunResponse:
    body = {
        "ok": True, "stdout": "", "stderr": "", "truncated": False, "duration_ms": 1.0,
        "tensors": [], "modules": [], "graph": {"nodes": [], "edges": []}, "figures": [],
        "steps": [], "warnings": [], "error": None,
    }  # fmt: skip
    return RunResponse.model_validate({**body, **fields})


FORGED = {
    "a huge shape with one value": lambda: report(tensors=[tensor(
        shape=[1700, 1700], numel=1, stride=[1700, 1], values=[[1.0]])]),
    "strides that point anywhere": lambda: report(tensors=[tensor(
        shape=[4, 4], numel=16, stride=[2**62, -(2**62)], storage_offset=2**63)]),
    "values far wider than the shape": lambda: report(tensors=[tensor(
        shape=[3], values=[0.5] * 200_000)]),
    "values nested deeper than the shape": lambda: report(tensors=[tensor(
        shape=[1] * 60, values=[[[[1]]]], stride=[1] * 60)]),
    "a thousand tensors": lambda: report(tensors=[tensor(
        f"t{i}", shape=[16, 16], numel=256, stride=[16, 1], values=[[1.5] * 16] * 16)
        for i in range(1000)]),
    "twenty thousand steps": lambda: report(steps=[{"line": 1, "changed": [
        {"name": "x" * 200, "shape": [9] * 100, "values": [[1] * 50] * 50}] * 5}] * 20_000),
    "steps on lines that do not exist": lambda: report(steps=[
        {"line": n, "changed": []} for n in (0, -5, 10**9)]),
    "error on a line that does not exist": lambda: report(ok=False, error={
        "type": "RuntimeError", "message": "m" * 100_000, "line": -3, "traceback": "t" * 10**6,
        "operands": [{"expr": "x", "shape": "not a list", "stride": {"a": 1}}] * 1000}),
    "a graph of ten thousand nodes and edges to nowhere": lambda: report(graph={
        "nodes": [{"id": f"k{i}", "kind": "op", "label": "L" * 5000, "name": None}
                  for i in range(10_000)],
        "edges": [{"source": f"k{i}", "target": f"missing{i}"} for i in range(50_000)]}),
    "modules with many parameters": lambda: report(modules=[{"name": "m", "type": "Linear",
        "training": True, "buffers": [], "parameters": [tensor(f"m.p{i}") for i in range(2000)]}]
        * 100),
    "huge output and warnings": lambda: report(stdout="o" * 10**7, stderr="e" * 10**6, warnings=[
        {"kind": "nan", "line": 1, "message": "w" * 10**5}] * 5000),
    "figures over the byte budget": lambda: report(figures=[
        {"format": "png", "data": "A" * 2_000_000}] * 8),
}  # fmt: skip


@pytest.mark.parametrize("name", FORGED)
def test_a_forged_report_renders_bounded(name: str) -> None:
    check_bounded(FORGED[name](), "x = 1\n" * 3)


def test_a_29_kb_line_is_shown_once_not_per_step() -> None:
    line = "x = torch.ones(1)" + "; y = x" * 4_000
    steps = [{"line": 1, "changed": [{"name": "x", "event": "changed"}]}] * 1000
    html = check_bounded(report(steps=steps), line + "\n")
    assert html.count("; y = x; y = x") == 0  # the stepper reads the line from the editor
    assert len(html) < 400_000


def test_the_memory_walk_is_bounded_by_the_shape_not_the_claimed_numel() -> None:
    forged = FORGED["a huge shape with one value"]()
    view = report_view.results_view(forged, "", "en")
    [[card]] = view.groups
    assert card.layout is None and card.shape == "[1700, 1700]"
    assert card.table is not None and len(card.table.slices[0].rows) <= report_view.TABLE_ROWS


def test_the_graph_keeps_only_edges_between_existing_nodes_and_renames_them() -> None:
    graph = build_graph_view(FORGED["a graph of ten thousand nodes and edges to nowhere"]())
    assert graph is not None
    assert len(graph.nodes) == 500 and graph.edges == [] and graph.truncated
    assert [n["id"] for n in graph.nodes[:3]] == ["n0", "n1", "n2"]
    assert all(len(n["label"]) <= 60 for n in graph.nodes)
