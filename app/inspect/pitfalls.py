"""Pitfall warnings for a run that did not fail: API.md's `warnings`.

Each finder reads one source of evidence: the line tracer (NaN/Inf, in-place writes), the
backward monitor (gradients accumulated over several `backward()` calls), the final tensors
(shared storage) and the source itself (`.data`). A warning is
`{"kind", "line", "message", "message_zh", "names"}`; `line` is None where only the final
tensors show the problem (the trace was off or cut short).
"""

from __future__ import annotations

import ast
import contextlib
import functools
import sys
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import FrameType, TracebackType
from typing import Any

import torch

from app.inspect.trace import SNIPPET_FILENAME, LineTracer

PitfallWarning = dict[str, Any]
_KIND_ORDER = ("nan", "grad_accumulated", "shared_modified", "data_instead_of_detach")
_TORCH_NAMESPACES = {"torch", "nn", "F"}
"""Receivers whose in-place functions write their first argument: `torch.relu_(x)`."""
_MAX_GRAPH_NODES = 10_000
"""Bound on the autograd nodes walked per backward() call, so a huge graph stays cheap."""


class BackwardMonitor:
    """Wrap `torch.autograd.backward` for the run to note which leaves a call accumulates into.

    `Tensor.backward` looks `torch.autograd.backward` up by attribute, so patching the module
    attribute catches both spellings. Each call adds an event
    `{"line", "leaves", "accumulated": [{"name", "calls"}]}`: `calls` counts the consecutive
    backward() calls that have added into that leaf's `.grad` without a zeroing in between.
    """

    def __init__(self, filename: str = SNIPPET_FILENAME) -> None:
        self.filename = filename
        self.events: list[dict[str, Any]] = []
        self._original: Callable[..., Any] | None = None
        # id(leaf) -> (weak reference to it, consecutive calls that summed into its grad)
        self._streaks: dict[int, tuple[weakref.ref[torch.Tensor], int]] = {}

    def __enter__(self) -> BackwardMonitor:
        original = torch.autograd.backward
        self._original = original

        @functools.wraps(original)
        def backward(tensors: Any, *args: Any, **kwargs: Any) -> Any:
            inputs = kwargs.get("inputs", args[4] if len(args) > 4 else None)
            # The monitor must never break the student's backward().
            with contextlib.suppress(Exception):
                self._observe(tensors, inputs, sys._getframe(1))
            return original(tensors, *args, **kwargs)

        torch.autograd.backward = backward
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._original is not None:
            torch.autograd.backward = self._original

    def _observe(self, tensors: Any, inputs: Any, caller: FrameType | None) -> None:
        leaves = _tensors_in(inputs) if inputs is not None else _leaves_of(_tensors_in(tensors))
        accumulated: list[tuple[torch.Tensor, int]] = []
        for leaf in leaves:
            grad = leaf.grad if leaf.is_leaf or leaf.retains_grad else None
            if grad is None or not _any_nonzero(grad):
                self._streaks.pop(id(leaf), None)
                continue
            streak = self._streaks.get(id(leaf))
            calls = streak[1] + 1 if streak is not None and streak[0]() is leaf else 2
            self._streaks[id(leaf)] = (weakref.ref(leaf), calls)
            accumulated.append((leaf, calls))
        frame = _snippet_frame(caller, self.filename)
        names = _leaf_names(frame, [leaf for leaf, _ in accumulated]) if accumulated else {}
        self.events.append(
            {
                "line": None if frame is None else frame.f_lineno,
                "leaves": len(leaves),
                "accumulated": [
                    {"name": names.get(id(leaf)) or _unnamed(leaf), "calls": calls}
                    for leaf, calls in accumulated
                ],
            }
        )


def _any_nonzero(grad: torch.Tensor) -> bool:
    """`grad.any()`, in Python for small grads: a torch call costs more than the check."""
    if grad.numel() <= 64 and not grad.is_sparse:
        return any(grad.reshape(-1).tolist())
    with torch.no_grad():
        return bool(grad.any())


def _tensors_in(value: Any) -> list[torch.Tensor]:
    """The tensors of backward()'s `tensors`/`inputs`: one tensor, a sequence or a dict."""
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, Mapping):
        value = value.values()
    return [t for t in value if isinstance(t, torch.Tensor)]


def _leaves_of(roots: Sequence[torch.Tensor]) -> list[torch.Tensor]:
    """The leaves a backward() from `roots` accumulates into: the `AccumulateGrad.variable`s
    reachable through `next_functions` (walked iteratively: graphs can be deep)."""
    leaves = {id(r): r for r in roots if r.grad_fn is None and r.requires_grad}
    stack = [r.grad_fn for r in roots if r.grad_fn is not None]
    visited: set[Any] = set()
    while stack and len(visited) < _MAX_GRAPH_NODES:
        node = stack.pop()
        if node in visited:
            continue
        visited.add(node)
        if type(node).__name__ == "AccumulateGrad":
            leaves[id(node.variable)] = node.variable
            continue
        stack.extend(next_node for next_node, _ in node.next_functions if next_node is not None)
    return list(leaves.values())


def _snippet_frame(frame: FrameType | None, filename: str) -> FrameType | None:
    """The innermost frame of the snippet's own code: its line is the student's call."""
    while frame is not None and frame.f_code.co_filename != filename:
        frame = frame.f_back
    return frame


def _leaf_names(frame: FrameType | None, leaves: Iterable[torch.Tensor]) -> dict[int, str]:
    """Variable names of `leaves` where the snippet calls backward(): the calling function's
    locals, then the module's globals; module parameters as `model.weight`."""
    wanted = {id(leaf) for leaf in leaves}
    names: dict[int, str] = {}
    scopes = [] if frame is None else [frame.f_locals, frame.f_globals]
    if len(scopes) == 2 and scopes[0] is scopes[1]:  # the module frame: one scope
        scopes.pop()
    for scope in scopes:
        for name, value in list(scope.items()):
            if isinstance(value, torch.Tensor):
                if id(value) in wanted:
                    names.setdefault(id(value), name)
            elif isinstance(value, torch.nn.Module):
                for qualified, parameter in value.named_parameters():
                    if id(parameter) in wanted:
                        names.setdefault(id(parameter), f"{name}.{qualified}")
    return names


def _unnamed(leaf: torch.Tensor) -> str:
    return f"<leaf tensor of shape {list(leaf.shape)}>"


def find_warnings(
    tracer: LineTracer | None,
    monitor: BackwardMonitor | None,
    source: str,
    tensors: Sequence[Mapping[str, Any]],
) -> list[PitfallWarning]:
    """All warnings of a run, ordered by line (line-less ones last), then by kind."""
    warnings = [
        *_nan_warnings(tracer, tensors),
        *_grad_accumulated_warnings(monitor),
        *_shared_modified_warnings(tracer, source, tensors),
        *_data_warnings(source),
    ]
    warnings.sort(key=lambda w: (w["line"] is None, w["line"] or 0, _KIND_ORDER.index(w["kind"])))
    return warnings


def _warning(kind: str, line: int | None, names: list[str], en: str, zh: str) -> PitfallWarning:
    return {"kind": kind, "line": line, "message": en, "message_zh": zh, "names": names}


_NAN_CAUSES = {
    "NaN": (
        "look for 0/0, log or sqrt of a negative number, inf - inf, or a learning rate so "
        "large that the values blew up",
        "检查 0/0、对负数取 log 或 sqrt、inf - inf，或学习率过大导致数值发散",
    ),
    "Inf": (
        "look for division by zero, log(0), exp of a large number, or a value beyond its "
        "dtype's range (float16 overflows above 65504)",
        "检查除以零、log(0)、对大数取 exp，或数值超出 dtype 的范围（float16 超过 65504 即溢出）",
    ),
}


def _nan_warnings(
    tracer: LineTracer | None, tensors: Sequence[Mapping[str, Any]]
) -> list[PitfallWarning]:
    """One warning per line where NaN/Inf first appeared, naming every tensor it reached
    there; tensors the trace never saw non-finite come from the final stats, without a line."""
    seen = tracer.first_nonfinite if tracer is not None else {}
    found: dict[tuple[int | None, str], list[str]] = {}
    for name, line in seen.items():
        kind = tracer.nonfinite_kind.get(name, "NaN") if tracer is not None else "NaN"
        found.setdefault((line, kind), []).append(name)
    for name, kind in _final_nonfinite(tensors):
        if name not in seen:
            found.setdefault((None, kind), []).append(name)
    return [_nan_warning(line, kind, names) for (line, kind), names in found.items()]


def _nan_warning(line: int | None, kind: str, names: list[str]) -> PitfallWarning:
    cause_en, cause_zh = _NAN_CAUSES["Inf" if kind == "Inf" else "NaN"]
    subject, subject_zh = " and ".join(names), " 和 ".join(names)
    if line is None:
        en = f"{subject} held {kind} at the end of the run (the trace did not see where)"
        zh = f"运行结束时 {subject_zh} 含有 {kind}（逐行追踪没有看到它出现的位置）"
    else:
        en = f"{subject} first held {kind} at line {line}; all computed from it is {kind} too"
        zh = f"{subject_zh} 在第 {line} 行首次出现 {kind}，之后由它算出的结果也都会是 {kind}"
    return _warning("nan", line, names, f"{en}: {cause_en}.", f"{zh}：{cause_zh}。")


def _final_nonfinite(tensors: Sequence[Mapping[str, Any]]) -> Iterable[tuple[str, str]]:
    """(name, "NaN"/"Inf"/"NaN and Inf") from the final TensorInfo stats, grads included."""
    for info in tensors:
        for name, item in ((info["name"], info), (f"{info['name']}.grad", info.get("grad"))):
            stats = (item or {}).get("stats") or {}
            has_nan, has_inf = bool(stats.get("nan")), bool(stats.get("inf"))
            if has_nan or has_inf:
                yield name, "NaN and Inf" if has_nan and has_inf else "NaN" if has_nan else "Inf"


def _grad_accumulated_warnings(monitor: BackwardMonitor | None) -> list[PitfallWarning]:
    """One warning per backward() line, naming every leaf that line accumulated into."""
    by_line: dict[int | None, dict[str, int]] = {}
    for event in monitor.events if monitor is not None else []:
        for item in event["accumulated"]:
            calls = by_line.setdefault(event["line"], {})
            calls[item["name"]] = max(calls.get(item["name"], 0), item["calls"])
    warnings = []
    for line, calls in by_line.items():
        names = list(calls)
        grads = ", ".join(f"{name}.grad" for name in names)
        count = max(calls.values())
        where_en = f" (line {line})" if line is not None else ""
        where_zh = f"（第 {line} 行）" if line is not None else ""
        zero_en, zero_zh = _zeroing_advice(names)
        warnings.append(
            _warning(
                "grad_accumulated",
                line,
                names,
                f"{grads} accumulated over {count} backward() calls{where_en}: backward() adds "
                f"to .grad instead of replacing it; call {zero_en} or optimizer.zero_grad() "
                "each step.",
                f"{grads} 在 {count} 次 backward() 调用中被累加{where_zh}：backward() 会把梯度"
                f"加到 .grad 上而不是替换它；每一步都要调用 {zero_zh} 或 optimizer.zero_grad()。",
            )
        )
    return warnings


def _zeroing_advice(names: list[str]) -> tuple[str, str]:
    """How to zero these grads: `x.grad.zero_()`, `model.zero_grad()`, or per tensor."""
    if len(names) == 1:
        return f"{names[0]}.grad.zero_()", f"{names[0]}.grad.zero_()"
    owners = {name.partition(".")[0] for name in names}
    if len(owners) == 1 and all("." in name for name in names):
        module_zero = f"{owners.pop()}.zero_grad()"
        return module_zero, module_zero
    return "each tensor's .grad.zero_()", "各张量的 .grad.zero_()"


def _shared_modified_warnings(
    tracer: LineTracer | None, source: str, tensors: Sequence[Mapping[str, Any]]
) -> list[PitfallWarning]:
    """In-place writes seen by the tracer, joined with the final storage sharing.

    Sharing is known only at the end of the run, so a name counts only if its final binding
    already existed at the write (it was last bound at or before that step).
    """
    if tracer is None:
        return []
    sharing = {info["name"]: set(info.get("shares_storage_with") or ()) for info in tensors}
    steps = [step for step in tracer.steps if "frame" not in step]  # top-level names only
    last_bound: dict[str, int] = {}
    for index, step in enumerate(steps):
        for item in step["changed"]:
            if item["event"] == "bound":
                last_bound[item["name"]] = index
    tree = _parse(source)
    warnings: list[PitfallWarning] = []
    warned_lines: set[int] = set()
    for index, step in enumerate(steps):
        line = step["line"]
        written = [
            item["name"]
            for item in step["changed"]
            if item.get("in_place") and last_bound.get(item["name"], index + 1) <= index
        ]
        if not written or line in warned_lines:
            continue
        sharers = set().union(*(sharing.get(name, set()) for name in written))
        involved = {name for name in sharers if last_bound.get(name, index + 1) <= index}
        involved.update(written)
        if len(involved) < 2:
            continue
        warned_lines.add(line)
        targets = [name for name in written if name in _in_place_targets(tree, line)]
        targets = targets or sorted(written)
        others = sorted(involved - set(targets))
        warnings.append(_shared_warning(line, targets, others))
    return warnings


def _shared_warning(line: int, targets: list[str], others: list[str]) -> PitfallWarning:
    target, target_zh = " and ".join(targets), " 和 ".join(targets)
    other, other_zh = " and ".join(others), " 和 ".join(others)
    if others:
        en = f"and {other} shares its storage (a view, detach() or .data), so {other} changed too"
        zh = f"而 {other_zh} 与它共享存储（视图、detach() 或 .data），所以 {other_zh} 也跟着变了"
    else:
        en = "and they share one storage, so each sees the other's change"
        zh = "它们共享同一块存储，所以彼此都会看到对方的修改"
    return _warning(
        "shared_modified",
        line,
        targets + others,
        f"Line {line} changed {target} in place, {en}. Use .clone() for an independent copy.",
        f"第 {line} 行原地修改了 {target_zh}，{zh}。需要独立副本时请使用 .clone()。",
    )


@functools.lru_cache(maxsize=2)
def _parse(source: str) -> ast.Module | None:
    """The snippet's syntax tree, parsed once per run (several checks read it, none writes)."""
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError):
        return None


def _root_name(node: ast.expr) -> str | None:
    """`x` for `x`, `x[0]`, `x.grad`, `x.view(2, 2)[0]`."""
    while isinstance(node, ast.Attribute | ast.Subscript | ast.Call):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _in_place_targets(tree: ast.Module | None, line: int) -> set[str]:
    """Names a line writes into in place, by syntax: `x[0] = ...`, `x += ...`, `x.add_(...)`,
    `torch.relu_(x)`, `out=x`."""
    written: list[ast.expr] = []
    for node in ast.walk(tree) if tree is not None else ():
        if getattr(node, "lineno", None) != line:
            continue
        if isinstance(node, ast.Assign):
            written.extend(t for t in node.targets if isinstance(t, ast.Subscript))
        elif isinstance(node, ast.AugAssign):
            written.append(node.target)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            method, receiver = node.func.attr, node.func.value
            if method.endswith("_") and not method.startswith("_"):
                is_function = _root_name(receiver) in _TORCH_NAMESPACES
                written.extend(node.args[:1] if is_function else [receiver])
            written.extend(k.value for k in node.keywords if k.arg == "out")
    return {name for name in map(_root_name, written) if name is not None}


def _data_warnings(source: str) -> list[PitfallWarning]:
    """One warning per expression whose `.data` the source reads, at its first line.
    `print(x.data)` is left alone: showing the values cannot corrupt a gradient."""
    tree = _parse(source)
    nodes = list(ast.walk(tree)) if tree is not None else []
    printed = {
        id(arg)
        for node in nodes
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        if node.func.id == "print"
        for arg in node.args
    }
    lines: dict[str, list[int]] = {}
    for node in nodes:
        is_read = isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load)
        if is_read and node.attr == "data" and id(node) not in printed:
            lines.setdefault(ast.unparse(node.value), []).append(node.lineno)
    warnings = []
    for expr, found in lines.items():
        found = sorted(set(found))
        where = ", ".join(map(str, found))
        en_lines = f"line {where}" if len(found) == 1 else f"lines {where}"
        fix_en, fix_zh = _data_fix(expr)
        warnings.append(
            _warning(
                "data_instead_of_detach",
                found[0],
                [expr],
                f"{expr}.data ({en_lines}) shares {expr}'s memory but hides it from autograd: "
                "in-place changes made through it are not tracked, so gradients can be silently "
                f"wrong. {fix_en}",
                f"{expr}.data（第 {where} 行）与 {expr} 共享内存，却对 autograd 隐藏：通过它做的"
                f"原地修改不会被追踪，梯度可能悄悄出错。{fix_zh}",
            )
        )
    return warnings


def _data_fix(expr: str) -> tuple[str, str]:
    if expr.endswith(".grad"):
        return (
            f"{expr} itself is not tracked by autograd: drop .data and call {expr}.zero_() "
            "directly.",
            f"{expr} 本身不受 autograd 追踪：去掉 .data，直接调用 {expr}.zero_()。",
        )
    return (
        f"Use {expr}.detach() (autograd then reports such a change as an error), or update "
        f"values inside `with torch.no_grad():`.",
        f"请使用 {expr}.detach()（autograd 会把这类修改报告为错误），"
        "或在 `with torch.no_grad():` 中更新数值。",
    )
