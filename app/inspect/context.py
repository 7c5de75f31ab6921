"""Where a snippet's error was raised, as plain data for the explainer (`ErrorFacts`).

The message alone cannot tell `nn.Linear(784, 10)` fed an unflattened batch from a layer sized
wrong, nor a `stack` in the DataLoader's collate from one the student wrote. This gathers what
can: the failing layer chain from the module-call recorder (qualified names, class, config,
the shapes and value ranges that went in, the layer called just before it), the library
frames the exception passed through (`torch/utils/data/_utils/collate.py:collate`), the
operands of the line where the failing model was called, and the name Python would suggest
for a misspelled attribute. Everything is read without running user code.
"""

from __future__ import annotations

import builtins
import difflib
import sys
import types
from collections.abc import Mapping
from types import TracebackType
from typing import Any

import torch
from torch import nn

from app.inspect.failure import SNIPPET_FILENAME
from app.inspect.module_calls import (
    Call,
    ModuleCallRecorder,
    describe_value,
    layer_facts,
    module_config,
    qualified_names,
)
from app.inspect.operands import failing_operands

MAX_LIBRARY_FRAMES = 16
MAX_SUGGESTION_NAMES = 5000


def error_context(
    exc: BaseException,
    calls: ModuleCallRecorder,
    namespace: Mapping[str, Any],
    code: str,
    module_calls: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The extra `ErrorFacts` fields for `exc`: code, line, layers, frames, call site, ...

    A limit (the alarm, an output flood: `BaseException`s) says nothing about the code.
    """
    if not isinstance(exc, Exception):
        return {"code": code}
    snippet = _snippet_entries(exc.__traceback__)
    names = qualified_names(namespace)
    chain = calls.failing_chain(exc)
    layers = [layer_facts(call, names) for call in chain]
    if layers:
        layers[-1]["previous"] = _previous(calls.calls, chain[-1], names)
        layers[-1]["previous_conv"] = _previous(calls.calls, chain[-1], names, prefix="Conv")
    context: dict[str, Any] = {
        "code": code,
        "line": snippet[-1].tb_lineno if snippet else getattr(exc, "lineno", None),
        "layers": layers,
        "frames": library_frames(exc.__traceback__),
        "module_calls": module_calls or [],
        "suggestion": suggestion(exc, snippet, namespace),
    }
    if isinstance(exc, SyntaxError) and isinstance(exc.offset, int):
        context["column"] = exc.offset
    pair = loss_arguments(exc.__traceback__)
    if pair:
        context["loss_arguments"] = pair
    if chain and chain[0].line is not None:
        context["call_site"] = _call_site(snippet, chain[0].line, code)
    return context


def library_frames(tb: TracebackType | None) -> list[dict[str, Any]]:
    """The traceback's library frames, `{"file": "torch/nn/...", "function", "inner"}`:
    `inner` for those past the snippet's innermost frame (where the error was raised), the
    others for the libraries that called back into the snippet (a DataLoader, a hook)."""
    frames: list[dict[str, Any]] = []
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename == SNIPPET_FILENAME:
            for frame in frames:
                frame["inner"] = False
        else:
            frames.append(
                {
                    "file": _short_path(filename),
                    "function": tb.tb_frame.f_code.co_name,
                    "inner": True,
                }
            )
        tb = tb.tb_next
    outer = [f for f in frames if not f["inner"]][-MAX_LIBRARY_FRAMES:]
    return outer + [f for f in frames if f["inner"]][-MAX_LIBRARY_FRAMES:]


def loss_arguments(tb: TracebackType | None) -> list[dict[str, Any]]:
    """What the functional loss the error passed through was given: its `input` and `target`
    as torch.nn.functional received them (inline expressions included), read from the frame."""
    while tb is not None:
        frame = tb.tb_frame
        if _short_path(frame.f_code.co_filename) == "torch/nn/functional.py":
            found = frame.f_locals
            pair = [found.get("input"), found.get("target")]
            if all(type(v) in (torch.Tensor, nn.Parameter) for v in pair):
                return [describe_value(v) for v in pair]
        tb = tb.tb_next
    return []


def suggestion(
    exc: BaseException, snippet: list[TracebackType], namespace: Mapping[str, Any]
) -> str | None:
    """The known name closest to the one an AttributeError or NameError could not find."""
    missing = getattr(exc, "name", None)
    if not isinstance(missing, str) or not missing:
        return None
    if isinstance(exc, AttributeError):
        known = _attribute_names(getattr(exc, "obj", None))
    elif isinstance(exc, NameError):
        frame = snippet[-1].tb_frame if snippet else None
        scopes = [namespace] if frame is None else [frame.f_locals, frame.f_globals]
        owner = scopes[0].get("self") if frame is not None else None
        if owner is not None and missing in _attribute_names(owner):
            return f"self.{missing}"
        known = [n for scope in scopes for n in list(scope)] + dir(builtins)
    else:
        return None
    known = [n for n in known[:MAX_SUGGESTION_NAMES] if isinstance(n, str) and n != missing]
    close = difflib.get_close_matches(missing, known, n=1, cutoff=0.75)
    if not close and len(missing) >= 3:  # `dev` for `device`
        close = sorted(n for n in known if n.startswith(missing) and not n.startswith("_"))[:1]
    return close[0] if close else None


def _attribute_names(obj: Any) -> list[str]:
    """Names `obj` has, read from its dicts and class (no `__dir__` of a user class runs)."""
    if obj is None:
        return []
    if isinstance(obj, types.ModuleType):
        return [n for n in vars(obj) if not n.startswith("_")]
    names: list[str] = []
    try:
        stored = vars(obj)
    except TypeError:
        stored = {}
    if issubclass(type(obj), nn.Module):
        for store in ("_parameters", "_buffers", "_modules"):
            inner = stored.get(store)
            if isinstance(inner, dict):
                names.extend(inner)
    names.extend(n for n in stored if isinstance(n, str) and not n.startswith("_"))
    for klass in type(obj).__mro__:
        names.extend(n for n in vars(klass) if not n.startswith("__"))
    return names


def _previous(
    calls: list[Call], failing: Call, names: Mapping[int, str], prefix: str = ""
) -> dict[str, Any] | None:
    """The call made just before `failing` by the same parent (of a class starting with
    `prefix`, if given): what fed it, usually. Unknown past the trace's cap."""
    if failing.index < 0:
        return None
    for call in reversed(calls[: failing.index]):
        if call.depth < failing.depth:
            return None
        if call.depth == failing.depth and call.type.startswith(prefix):
            module = call.live_module()
            return {
                "module": None if module is None else names.get(id(module)),
                "type": call.type,
                "output_shapes": call.output_shapes,
                "config": {} if module is None else module_config(module),
            }
    return None


def _call_site(snippet: list[TracebackType], line: int, code: str) -> dict[str, Any] | None:
    """The operands of the snippet line that made the failing top-level call."""
    lines = code.splitlines()
    for tb in reversed(snippet):
        if tb.tb_lineno != line or not 0 < line <= len(lines):
            continue
        frame = tb.tb_frame
        source = lines[line - 1].strip()
        return {
            "line": line,
            "source": source,
            "operands": failing_operands(source, frame.f_globals, frame.f_locals),
        }
    return None


def _snippet_entries(tb: TracebackType | None) -> list[TracebackType]:
    entries = []
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == SNIPPET_FILENAME:
            entries.append(tb)
        tb = tb.tb_next
    return entries


def _short_path(filename: str) -> str:
    """`.../site-packages/torch/nn/functional.py` -> `torch/nn/functional.py`."""
    for marker in ("site-packages/", "dist-packages/"):
        if marker in filename:
            return filename.rsplit(marker, 1)[1]
    prefix = sys.base_prefix.rstrip("/") + "/lib/"
    if filename.startswith(prefix):
        return "python/" + filename[len(prefix) :].split("/", 1)[-1]
    return filename.rsplit("/", 1)[-1]
