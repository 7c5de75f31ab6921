"""The line-by-line trace of a snippet: which tensors each executed line changed.

`LineTracer` wraps the `exec` of the snippet's code object. It follows the snippet's own
frames (the module, and every call of a function the snippet defines), so library code runs
without line tracing, and after each executed line it compares that frame's tensors (the
module's globals, or the function's locals) with its previous snapshot. A snapshot holds only
cheap metadata (identity, version counter, data pointer, grad identity): the cost of a line is
one signature per tensor in its frame, and a tensor is described (and its values copied, for
small ones) only on the lines where it changed.

Choices worth knowing:

- A step is recorded only when the line changed at least one tensor, so prints leave no empty
  steps, and each loop iteration gives its own step per changing line. A loop's header line gets
  a line event on every iteration; it makes a step only when the loop variable is a tensor.
- Steps inside a function carry `frame` (its name) and `call` (which call of it, from 1), so a
  training loop inside `train()` shows its iterations. Comprehensions, lambdas and generator
  expressions are not traced line by line (their locals are loop machinery).
- Each line is snapshotted at most `max_visits_per_line` times. Past that its executions are
  only counted: what they changed folds into the next recorded step of the same frame, which
  says how many executions it covers (`skipped`). A long loop thus shows its first iterations
  and then the net effect, and the lines after it are still traced.
- The previous snapshot holds strong references to the tensors it saw, for one line: this keeps
  identities exact (no `id()` reuse) at the cost of freeing a rebound tensor one line later.
- The tracer detaches (the rest of the snippet runs at full speed, `truncated` is set) when it
  reaches `max_steps` steps, or `max_line_events` line events, or `max_calls` Python
  calls: `sys.settrace` makes every Python call pay for a trace call even where the function
  says "not this frame", so call-heavy pure-Python code is bounded this way. A failure of the
  tracer itself also detaches it; it is kept in `failure`, never raised into the student's run.
- NaN/Inf first appearances and in-place writes (`first_nonfinite`, `modified_in_place`, for
  the warnings) are noted for top-level names only, whose final values the report shows.
"""

from __future__ import annotations

import math
import sys
from types import FrameType, TracebackType
from typing import Any

import torch
from torch import Tensor

from app.inspect.tensors import layout_facts

SNIPPET_FILENAME = "<snippet>"
VALUES_MAX_NUMEL = 16
"""Tensors up to this size carry their values (and their grad's) in the trace."""
_PY_FINITE_CHECK_MAX_NUMEL = 64
"""Up to this size a Python sum is cheaper than `torch.isfinite` for spotting NaN/Inf."""
UNTRACED_CODE = frozenset({"<listcomp>", "<dictcomp>", "<setcomp>", "<genexpr>", "<lambda>"})

TensorLite = dict[str, Any]
TraceFunction = Any  # what sys.settrace accepts: a callable or None

# A snapshot entry: (tensor, its grad, signature). The signature is (version, data pointer,
# requires_grad[, id(grad), grad version]): the version counter catches in-place writes and
# in-place metadata changes (`t_()`, `unsqueeze_()`), the data pointer catches `x.data = ...`,
# the grad's identity and version catch backward() filling or accumulating it. `grad_fn` is left
# out: it changes only with the version (an in-place op) or with requires_grad (`detach_()`).
# All compare safely with `==`; the tensor and its grad are kept alongside so their ids stay
# unique while the entry lives. Grads are read only where autograd fills them: tensors that
# require grad and are leaves or retain grad (reading a non-leaf's .grad makes torch warn).
_Entry = tuple[torch.Tensor, torch.Tensor | None, tuple[Any, ...]]


class _FrameTrace:
    """One traced frame: its previous snapshot, the line waiting to be recorded, the lines
    executed since the last recorded step without being snapshotted."""

    __slots__ = ("call", "frame", "name", "pending", "seen", "skipped", "top", "tracer")

    def __init__(self, tracer: LineTracer, frame: FrameType, name: str | None, call: int | None):
        self.tracer = tracer
        self.frame = frame
        self.name = name
        self.call = call
        self.top = name is None
        self.seen: dict[str, _Entry] = {}
        self.pending: int | None = None
        self.skipped = 0

    def on_event(self, frame: FrameType, event: str, arg: Any) -> TraceFunction:
        """Local trace function: each line event closes the previous line; the return event
        (also reached when an exception escapes) closes the last one."""
        tracer = self.tracer
        if event == "line":  # the hot path: keep it to a few attribute reads
            if self.pending is not None:
                tracer.flush(self)
            line = frame.f_lineno
            visits = tracer.visits
            count = visits.get(line, 0) + 1
            visits[line] = count
            if count <= tracer.max_visits_per_line:
                self.pending = line
            else:
                self.skipped += 1
            tracer.line_events += 1
            if tracer.line_events > tracer.max_line_events:
                tracer.detach()  # clears every traced frame's f_trace, this one's too
        elif event == "return":
            tracer.flush(self)
            tracer.live.discard(self)
            if self.top:
                tracer.finished = True
                frame.f_trace = None
        return None


class LineTracer:
    """Record, per executed line of the snippet's own code, the tensors that line changed."""

    def __init__(
        self,
        filename: str = SNIPPET_FILENAME,
        max_steps: int = 1000,
        *,
        max_line_events: int = 20_000,
        max_calls: int = 200_000,
        max_visits_per_line: int = 100,
    ) -> None:
        self.filename = filename
        self.max_steps = max_steps
        self.max_line_events = max_line_events
        self.max_calls = max_calls
        self.max_visits_per_line = max_visits_per_line
        self.steps: list[dict[str, Any]] = []
        self.truncated = False
        self.failure: str | None = None
        self.first_nonfinite: dict[str, int] = {}
        self.nonfinite_kind: dict[str, str] = {}
        """Name -> "NaN", "Inf" or "NaN and Inf", as first seen (for precise warnings)."""
        self.modified_in_place: list[tuple[int, str]] = []
        self.line_events = 0
        self.visits: dict[int, int] = {}
        self.finished = False
        self._previous_trace: TraceFunction = None
        self._top: _FrameTrace | None = None
        self.live: set[_FrameTrace] = set()
        """Traced frames not yet returned: detaching must stop their tracing too."""
        self._calls = 0
        self._call_counts: dict[str, int] = {}

    def __enter__(self) -> LineTracer:
        self._previous_trace = sys.gettrace()
        sys.settrace(self._on_call)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        sys.settrace(self._previous_trace)
        if self._top is not None:
            self.flush(self._top)
        self.finished = True

    def _on_call(self, frame: FrameType, event: str, arg: Any) -> TraceFunction:
        """Global trace function: adopt the snippet's own frames, leave every other frame."""
        self._calls += 1
        if self._calls > self.max_calls:
            for traced in list(self.live):
                self.flush(traced)
            self.detach()
            return None
        code = frame.f_code
        if code.co_filename != self.filename or self.finished:
            return None
        name = code.co_name
        if name == "<module>":
            if self._top is not None:
                return None
            traced = self._top = _FrameTrace(self, frame, None, None)
        elif name in UNTRACED_CODE or self._top is None:
            return None
        else:
            call = self._call_counts.get(name, 0) + 1
            self._call_counts[name] = call
            traced = _FrameTrace(self, frame, name, call)
        self.live.add(traced)
        return traced.on_event

    def flush(self, traced: _FrameTrace) -> None:
        """Record the pending line's changes; on a failure of the tracer, detach instead."""
        line = traced.pending
        traced.pending = None
        if line is None or self.finished:
            return
        try:
            self._record(traced, line)
        except Exception as exc:  # a tracer bug must never become the student's error
            self.failure = f"{type(exc).__name__}: {exc}"
            self.detach()

    def detach(self) -> None:
        self.truncated = True
        self.finished = True
        sys.settrace(self._previous_trace)
        for traced in self.live:
            traced.frame.f_trace = None
        self.live.clear()

    def _record(self, traced: _FrameTrace, line: int) -> None:
        previous = traced.seen
        current: dict[str, _Entry] = {}
        changed: list[TensorLite] = []
        kept = 0  # names of the previous snapshot still bound to a tensor: fewer means deletions
        tensor_type = torch.Tensor
        top = traced.top
        namespace = traced.frame.f_globals if top else traced.frame.f_locals
        for name, value in namespace.items():
            if not isinstance(value, tensor_type):
                continue
            # Inlined, not a helper: this runs for every tensor on every line.
            requires_grad = value.requires_grad
            grad = value.grad if requires_grad and (value.is_leaf or value.retains_grad) else None
            try:
                data_ptr = Tensor.data_ptr(value)
            except RuntimeError:  # sparse and other storage-less layouts
                data_ptr = None
            if grad is None:
                signature: tuple[Any, ...] = (value._version, data_ptr, requires_grad)
            else:
                signature = (value._version, data_ptr, requires_grad, id(grad), grad._version)
            current[name] = (value, grad, signature)
            old = previous.get(name)
            kept += old is not None
            if old is None or old[0] is not value:
                changed.append(self._changed(line, name, value, grad, signature, None, top))
            elif old[2] != signature:
                changed.append(self._changed(line, name, value, grad, signature, old[2], top))
        if kept < len(previous):
            for name in previous.keys() - current.keys():
                tensor, grad, _ = previous[name]
                lite = _describe(name, tensor, grad, "deleted", False)
                lite["values"] = _json_ready(lite["values"])
                lite["grad_values"] = _json_ready(lite["grad_values"])
                changed.append(lite)
        traced.seen = current
        if not changed:
            return
        if len(self.steps) >= self.max_steps:
            self.detach()
            return
        step: dict[str, Any] = {"line": line, "changed": changed}
        if not top:
            step["frame"] = traced.name
            step["call"] = traced.call
        if traced.skipped:
            step["skipped"] = traced.skipped
            traced.skipped = 0
        self.steps.append(step)

    def _changed(
        self,
        line: int,
        name: str,
        tensor: torch.Tensor,
        grad: torch.Tensor | None,
        signature: tuple[Any, ...],
        old_signature: tuple[Any, ...] | None,
        top: bool,
    ) -> TensorLite:
        """Describe a newly bound (no old signature) or changed tensor, and check the part that
        changed for NaN/Inf. A change is `in_place` when the version counter moved: a write
        through the tensor or a view of it (not `x.data = ...`, which swaps the storage)."""
        if old_signature is None:
            lite = _describe(name, tensor, grad, "bound", False)
            values_changed = grad_changed = True
        else:
            in_place = old_signature[0] != signature[0]
            lite = _describe(name, tensor, grad, "changed", in_place)
            if in_place and top:
                self.modified_in_place.append((line, name))
            values_changed = old_signature[:2] != signature[:2]
            grad_changed = old_signature[3:] != signature[3:]
        self._settle(line, lite, "values", name, tensor, values_changed, top)
        if grad is not None:
            self._settle(line, lite, "grad_values", f"{name}.grad", grad, grad_changed, top)
        return lite

    def _settle(
        self, line: int, lite: TensorLite, key: str, label: str, tensor: torch.Tensor,
        changed: bool, top: bool,
    ) -> None:  # fmt: skip
        """Make `lite[key]` JSON-ready and note the first line where `label` held NaN/Inf.

        Small tensors are judged from the values already copied, on every step (cheap); larger
        ones only when they changed, since a tensor seen finite stays finite until it changes.
        """
        values = lite[key]
        if values is not None:
            if _sums_to_finite(values):
                return
            lite[key] = _json_safe(values)
        elif not top or not changed or _all_finite(tensor):
            return
        if top and label not in self.first_nonfinite:
            kind = _nonfinite_kind(tensor)
            if kind is not None:  # None: the sum only overflowed
                self.first_nonfinite[label] = line
                self.nonfinite_kind[label] = kind


def _describe(
    name: str, tensor: torch.Tensor, grad: torch.Tensor | None, event: str, in_place: bool
) -> TensorLite:
    """API.md's TensorInfo-lite, plus `event`, `in_place` (its values were written in place,
    not just its grad) and the values of small tensors for the timeline."""
    return {
        "name": name,
        **layout_facts(tensor),  # torch's own facts, whatever a subclass claims
        "grad_shape": None if grad is None else layout_facts(grad)["shape"],
        "event": event,
        "in_place": in_place,
        "values": _small_values(tensor),
        "grad_values": None if grad is None else _small_values(grad),
    }


def _small_values(tensor: torch.Tensor) -> Any:
    """Nested lists of a small tensor's values (complex numbers as strings, which JSON can
    hold); None for large tensors and those without readable data."""
    if Tensor.numel(tensor) > VALUES_MAX_NUMEL or not _has_readable_values(tensor):
        return None
    try:
        values = Tensor.tolist(tensor)
    except (RuntimeError, TypeError, ValueError):
        return None
    return _json_safe(values) if tensor.dtype.is_complex else values


def _json_safe(value: Any) -> Any:
    """JSON has no NaN, Infinity or complex numbers: spell them as `tensors.py` does."""
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    if isinstance(value, complex):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value


def _has_readable_values(tensor: torch.Tensor) -> bool:
    """Dense tensors with data: not sparse (no reshape), not on the meta device (no values)."""
    return tensor.layout is torch.strided and not tensor.is_meta


def _json_ready(values: Any) -> Any:
    return values if values is None or _sums_to_finite(values) else _json_safe(values)


def _sums_to_finite(values: Any) -> bool:
    """True proves every value finite; False may also mean the sum overflowed, or values
    spelled as strings (complex numbers)."""
    try:
        return math.isfinite(_sum(values))
    except (TypeError, ValueError, OverflowError):
        return False


def _all_finite(tensor: torch.Tensor) -> bool:
    """Whether a tensor too large to carry its values holds only finite numbers."""
    dtype = tensor.dtype
    if not (dtype.is_floating_point or dtype.is_complex) or not _has_readable_values(tensor):
        return True
    # A Python sum of a few dozen numbers beats a torch call; tolist(), not reshape(-1), since on
    # a tensor that requires grad reshape builds a graph.
    small = Tensor.numel(tensor) <= _PY_FINITE_CHECK_MAX_NUMEL and not dtype.is_complex
    if small and _sums_to_finite(Tensor.tolist(tensor)):
        return True
    with torch.no_grad():
        return bool(torch.isfinite(tensor).all())


def _sum(values: Any) -> float:
    """Sum of a nested list of numbers (or of one number)."""
    if not isinstance(values, list):
        return float(values)
    if values and isinstance(values[0], list):
        return sum(_sum(row) for row in values)
    return float(sum(values))


def _nonfinite_kind(tensor: torch.Tensor) -> str | None:
    """ "NaN", "Inf", "NaN and Inf", or None when every value is finite."""
    if not (tensor.dtype.is_floating_point or tensor.dtype.is_complex):
        return None
    with torch.no_grad():
        has_nan = bool(torch.isnan(tensor).any())
        has_inf = bool(torch.isinf(tensor).any())
    if has_nan and has_inf:
        return "NaN and Inf"
    return "NaN" if has_nan else "Inf" if has_inf else None
