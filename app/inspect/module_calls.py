"""Every `nn.Module` call of a run, in call order: API.md's `module_calls`, the shape trace.

Recorded with torch's *global* forward hooks, installed only while the snippet runs: a snippet
that calls no module pays two dict insertions, and `nn.Module._call_impl` takes its hook path
only while they are installed. The pre-hook opens a record (type, depth, the snippet line,
input shapes), the forward hook closes it (output shapes). The forward hook is registered
with `always_call=True`, so torch also calls it when the forward raised: that call comes from
`_call_impl`'s exception handler rather than from its `inner` closure, which is how a failed
call is told apart. A `BaseException` (the run's time limit) skips those hooks; whatever is
still open when the run ends is the chain that was failing.

Global pre-hooks are not given keyword arguments, so the pre-hook reads them from the
calling frame (`inner`'s `kwargs`); `tests/test_module_calls.py` pins this against torch.

Names are resolved after the run, like `ModuleInfo`'s: the first top-level variable whose
module tree holds the module, walked through `_modules` dicts (no user code runs). Modules
are held by weak references, so recording never keeps a discarded model alive and an id
reused by a later object can never be mistaken for the old one.
"""

from __future__ import annotations

import contextlib
import sys
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import FrameType, TracebackType
from typing import Any

import torch
from torch import nn
from torch._C import DisableTorchFunction, TensorBase
from torch.nn.modules.module import (
    register_module_forward_hook,
    register_module_forward_pre_hook,
)

from app.inspect.failure import SNIPPET_FILENAME

MAX_SHAPES_PER_CALL = 32
MAX_WALK_ITEMS = 256
"""Bound on the containers walked for one call's shapes (a list of a million floats)."""
MAX_NAMED_MODULES = 20_000
MAX_VALUE_NUMEL = 10_000_000
"""Inputs of the failing call larger than this get no min/max (it would cost a scan)."""
MAX_DISTINCT_SCAN = 1_000_000
MAX_DISTINCT = 32
CONFIG_FIELDS = (
    "in_features", "out_features", "in1_features", "in2_features", "in_channels",
    "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "input_size",
    "hidden_size", "num_layers", "batch_first", "bidirectional", "proj_size",
    "num_embeddings", "embedding_dim", "padding_idx", "num_features", "normalized_shape",
    "embed_dim", "num_heads", "start_dim", "end_dim", "dim", "ignore_index", "reduction",
    "output_size", "scale_factor", "p",
)  # fmt: skip
_CONFIG_TYPES = (bool, int, float, str, type(None))
_PLAIN_TENSORS = (torch.Tensor, nn.Parameter)


@dataclass(slots=True)
class Call:
    """One module call while it is recorded; `inputs` live only on the failing chain."""

    module: Any  # a weakref.ref to the module, or the module where it takes none
    type: str
    depth: int
    line: int | None
    input_shapes: list[list[int]]
    output_shapes: list[list[int]] | None = None
    failed: bool = False
    inputs: tuple[Any, ...] = ()
    index: int = 0
    error_id: int = 0
    """`id` of the exception that went through a failed call, to find the run's own."""

    def live_module(self) -> nn.Module | None:
        module = self.module
        return module() if isinstance(module, weakref.ref) else module


@dataclass(slots=True)
class _Open:
    """An entry of the call stack."""

    call: Call
    module_id: int


@dataclass
class ModuleCallRecorder:
    """Context manager around a run: records its module calls, at most `max_calls`."""

    max_calls: int = 2000
    filename: str = SNIPPET_FILENAME
    calls: list[Call] = field(default_factory=list)
    truncated: bool = False
    _stack: list[_Open] = field(default_factory=list)
    _handles: list[Any] = field(default_factory=list)
    _holding: list[Call] = field(default_factory=list)
    _overflow_failed: list[Call] = field(default_factory=list)
    """Failed calls past the cap: not in the trace, but the failing layer may be one."""

    def __enter__(self) -> ModuleCallRecorder:
        self._handles = [
            register_module_forward_pre_hook(self._before),
            register_module_forward_hook(self._after, always_call=True),
        ]
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles = []
        while self._stack:  # a BaseException skipped the hooks: these calls were failing
            self._close(self._stack.pop(), None, error=exc)

    def _before(self, module: nn.Module, args: tuple[Any, ...]) -> None:
        try:
            caller = sys._getframe(1)
            kwargs = caller.f_locals.get("kwargs") if caller.f_code.co_name == "inner" else None
            if not self._stack:
                self._forget_inputs()
            values = (*args, *kwargs.values()) if kwargs else args
            depth = len(self._stack)
            line = self._stack[0].call.line if depth else _snippet_line(caller, self.filename)
            recorded = len(self.calls) < self.max_calls
            call = Call(
                module=_reference(module),
                type=type(module).__name__,
                depth=depth,
                line=line,
                # past the cap a call is only kept if it fails: its shapes wait until then
                input_shapes=tensor_shapes(values) if recorded else [],
                inputs=values,
                index=len(self.calls) if recorded else -1,
            )
            if recorded:
                self.calls.append(call)
            else:
                self.truncated = True
            self._stack.append(_Open(call, id(module)))
        except Exception:  # the recorder must never break the student's forward()
            return

    def _after(self, module: nn.Module, args: tuple[Any, ...], result: Any) -> None:
        try:
            raised = sys._getframe(1).f_code.co_name != "inner"
            error = sys.exc_info()[1] if raised else None
            if self._stack and self._stack[-1].module_id == id(module):
                self._close(self._stack.pop(), result, error=error, failed=raised)
        except Exception:
            return

    def _close(
        self, entry: _Open, result: Any, *, error: BaseException | None, failed: bool = True
    ) -> None:
        call = entry.call
        call.failed = failed
        if call.index < 0:  # past the cap
            if failed:
                call.input_shapes = tensor_shapes(call.inputs)
                call.error_id = id(error) if error is not None else 0
                self._overflow_failed.append(call)
            return
        if failed:
            call.error_id = id(error) if error is not None else 0
            self._holding.append(call)
        else:
            call.output_shapes = tensor_shapes((result,))
            call.inputs = ()

    def _forget_inputs(self) -> None:
        """A new top-level call: inputs kept from an earlier (caught) failure are let go."""
        for call in self._holding:
            call.inputs = ()
        self._holding.clear()
        self._overflow_failed.clear()

    def failing_chain(self, error: BaseException | None) -> list[Call]:
        """The calls `error` passed through, outermost first (the last one raised it)."""
        chain: list[Call] = []
        wanted = 0 if error is None else id(error)
        for call in reversed([*self.calls, *self._overflow_failed]):
            if not call.failed or call.error_id != wanted:
                continue
            if chain and call.depth >= chain[-1].depth:
                continue
            chain.append(call)
            if call.depth == 0:
                break
        return chain[::-1]

    def to_json(self, namespace: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The `module_calls` list of API.md, with each module's parameter count."""
        if not self.calls:
            return []
        names = qualified_names(namespace)
        counts: dict[int, int] = {}
        out = []
        for call in self.calls:
            module = call.live_module()
            key = id(module)
            if module is not None and key not in counts:
                counts[key] = parameter_count(module)
            out.append(
                {
                    "module": None if module is None else names.get(key),
                    "type": call.type,
                    "depth": call.depth,
                    "line": call.line,
                    "input_shapes": call.input_shapes,
                    "output_shapes": call.output_shapes,
                    "failed": call.failed,
                    "parameters": counts.get(key, 0),
                }
            )
        return out


def layer_facts(call: Call, names: Mapping[int, str]) -> dict[str, Any]:
    """What the explainer needs of one call: its name, class, config and input tensors."""
    module = call.live_module()
    return {
        "module": None if module is None else names.get(id(module)),
        "type": call.type,
        "depth": call.depth,
        "line": call.line,
        "index": call.index,
        "config": {} if module is None else module_config(module),
        "input_shapes": call.input_shapes,
        "output_shapes": call.output_shapes,
        "failed": call.failed,
        "inputs": [describe_value(t) for t in _tensors(call.inputs)][:MAX_SHAPES_PER_CALL],
    }


def module_config(module: nn.Module) -> dict[str, Any]:
    """The plain configuration attributes torch stores on a layer (`in_features`, ...)."""
    try:
        stored = vars(module)
    except TypeError:
        return {}
    config: dict[str, Any] = {}
    for name in CONFIG_FIELDS:
        value = stored.get(name)
        if isinstance(value, tuple) and all(isinstance(v, int) for v in value) and len(value) < 8:
            config[name] = list(value)
        elif type(value) in _CONFIG_TYPES and value is not None:
            config[name] = value if not isinstance(value, str) else value[:40]
    return config


def describe_value(t: torch.Tensor) -> dict[str, Any]:
    """Shape, dtype and, for a tensor small enough to scan, the range of its values (and the
    distinct values of an integer tensor that has few: a mask of 0/255, labels 1..C)."""
    with DisableTorchFunction():
        facts: dict[str, Any] = {
            "shape": list(TensorBase.shape.__get__(t)),
            "dtype": str(TensorBase.dtype.__get__(t)),
        }
        with contextlib.suppress(RuntimeError, TypeError, ValueError):
            facts.update(value_range(TensorBase.detach(t)))
    return facts


def value_range(t: torch.Tensor) -> dict[str, Any]:
    """`{"min", "max"}` (and `"values"` for few distinct integers) of a plain tensor."""
    numel = t.numel()
    if not 0 < numel <= MAX_VALUE_NUMEL or t.dtype == torch.bool or t.is_complex():
        return {}
    if t.device.type == "meta" or t.layout != torch.strided:
        return {}
    found: dict[str, Any] = {"min": _number(t.min().item()), "max": _number(t.max().item())}
    if not t.is_floating_point() and numel <= MAX_DISTINCT_SCAN:
        distinct = torch.unique(t)
        found["largest"] = [int(v) for v in distinct[-2:].flip(0).tolist()]
        if distinct.numel() <= MAX_DISTINCT:
            found["values"] = [int(v) for v in distinct.tolist()]
    return found


def qualified_names(namespace: Mapping[str, Any]) -> dict[int, str]:
    """id(module) -> qualified name from the first top-level variable that reaches it."""
    names: dict[int, str] = {}
    budget = MAX_NAMED_MODULES
    for var, value in list(namespace.items()):
        if not (isinstance(var, str) and issubclass(type(value), nn.Module)):
            continue
        pending: list[tuple[str, Any]] = [(var, value)]
        seen: set[int] = set()
        while pending and budget > 0:
            prefix, module = pending.pop()
            budget -= 1
            if id(module) in seen:
                continue
            seen.add(id(module))
            names.setdefault(id(module), prefix)
            children = _store(module, "_modules")
            pending.extend(
                (f"{prefix}.{name}", child)
                for name, child in reversed(list(children.items()))
                if child is not None and issubclass(type(child), nn.Module)
            )
    return names


def parameter_count(module: nn.Module) -> int:
    """Elements in the module's parameters, its submodules' included, each counted once."""
    total, seen_modules, seen_params = 0, set(), set()
    pending = [module]
    while pending and len(seen_modules) < MAX_NAMED_MODULES:
        current = pending.pop()
        if id(current) in seen_modules:
            continue
        seen_modules.add(id(current))
        for param in _store(current, "_parameters").values():
            if type(param) in (torch.Tensor, nn.Parameter) and id(param) not in seen_params:
                seen_params.add(id(param))
                total += TensorBase.numel(param)
        pending.extend(
            c for c in _store(current, "_modules").values() if issubclass(type(c), nn.Module)
        )
    return total


def tensor_shapes(values: Any) -> list[list[int]]:
    """The shapes of the tensors in `values`, depth-first through tuples, lists and dicts."""
    if type(values) is tuple and all(type(v) in _PLAIN_TENSORS for v in values):
        return [list(v.shape) for v in values]  # the usual call: a few plain tensors
    found = _tensors(values)
    if not found:
        return []
    with DisableTorchFunction():
        return [list(TensorBase.shape.__get__(t)) for t in found]


def _tensors(values: Any) -> list[torch.Tensor]:
    found: list[torch.Tensor] = []
    pending, budget = [values], MAX_WALK_ITEMS
    while pending and budget > 0 and len(found) < MAX_SHAPES_PER_CALL:
        item = pending.pop()
        budget -= 1
        kind = type(item)
        if issubclass(kind, torch.Tensor):
            found.append(item)
        elif issubclass(kind, tuple):
            pending.extend(reversed(list(tuple.__iter__(item))))
        elif issubclass(kind, list):
            pending.extend(reversed(list(list.__iter__(item))))
        elif issubclass(kind, dict):
            pending.extend(reversed(list(dict.values(item))))
    return found


def _store(module: Any, name: str) -> dict[str, Any]:
    try:
        value = vars(module).get(name)
    except TypeError:
        return {}
    return value if type(value) is dict or isinstance(value, dict) else {}


def _reference(module: nn.Module) -> Any:
    try:
        return weakref.ref(module)
    except TypeError:
        return module


def _snippet_line(frame: FrameType | None, filename: str) -> int | None:
    """The line of the innermost snippet frame above the hook (the call the snippet made)."""
    while frame is not None:
        if frame.f_code.co_filename == filename:
            return frame.f_lineno
        frame = frame.f_back
    return None


def _number(value: Any) -> float | int | None:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value == value and abs(value) != float("inf"):
        return value
    return None
