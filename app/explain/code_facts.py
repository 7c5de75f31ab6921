"""Facts read from the snippet's source, for causes the runtime facts alone cannot tell apart.

Pure: the code is parsed, never run. Each function answers one question a catalog cause asks
(is there a method spelled almost like `forward`? is `super().__init__()` called later in this
`__init__`? which lines write a tensor in place?) and returns None where the answer is unknown.
"""

from __future__ import annotations

import ast
import difflib
import functools
import re
from collections.abc import Iterable

MAX_CODE_CHARS = 200_000
TRAINS = re.compile(r"\.backward\(|\boptim\w*\.step\(|\.step\(\)")
IMPORTS = {
    "optim": "import torch.optim as optim",
    "DataLoader": "from torch.utils.data import DataLoader",
    "Dataset": "from torch.utils.data import Dataset",
    "TensorDataset": "from torch.utils.data import TensorDataset",
    "random_split": "from torch.utils.data import random_split",
    "init": "from torch.nn import init",
    "plt": "import matplotlib.pyplot as plt",
    "math": "import math",
    "random": "import random",
    "time": "import time",
    "os": "import os",
    "Variable": "from torch.autograd import Variable",
    "OrderedDict": "from collections import OrderedDict",
    "lr_scheduler": "from torch.optim import lr_scheduler",
}
IN_PLACE_CALL = re.compile(r"^(?!_)(?!zero_grad$|requires_grad_$|manual_seed$|share_memory_$)\w+_$")


@functools.lru_cache(maxsize=8)
def parse(code: str) -> ast.Module | None:
    """The snippet's syntax tree, or None (too long, or it does not parse)."""
    if not code or len(code) > MAX_CODE_CHARS:
        return None
    try:
        return ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def trains(code: str) -> bool:
    """Whether the snippet runs a training step (a backward() or an optimizer step)."""
    return bool(TRAINS.search(code or ""))


def enclosing_function(tree: ast.Module, line: int) -> ast.FunctionDef | None:
    """The innermost function definition whose body holds `line`."""
    found = None
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            end = node.end_lineno or node.lineno
            if node.lineno <= line <= end and (found is None or node.lineno > found.lineno):
                found = node  # type: ignore[assignment]
    return found


def super_init_after(code: str, line: int) -> int | None:
    """The line of a `super().__init__(...)` (or `Base.__init__(self, ...)`) call that comes
    after `line` in the same `__init__`: the call exists but too late."""
    tree = parse(code)
    function = None if tree is None else enclosing_function(tree, line)
    if function is None or function.name != "__init__":
        return None
    for node in ast.walk(function):
        if _is_init_call(node) and node.lineno > line:
            return node.lineno
    return None


def first_statement_line(code: str, line: int) -> int | None:
    """The first statement of the function holding `line`, past a docstring."""
    tree = parse(code)
    function = None if tree is None else enclosing_function(tree, line)
    if function is None:
        return None
    body = function.body
    if len(body) > 1 and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    return body[0].lineno


def _is_init_call(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "__init__"
    )


def forward_lookalike(code: str, class_name: str) -> tuple[str, int] | None:
    """A method of `class_name` spelled almost like `forward` (`foward`, `Forward`)."""
    cls = _class(code, class_name)
    if cls is None:
        return None
    methods = [n for n in cls.body if isinstance(n, ast.FunctionDef)]
    for method in methods:
        name = method.name
        close = difflib.SequenceMatcher(None, name.lower(), "forward").ratio() >= 0.7
        if name != "forward" and (close or name.lower() == "forward"):
            return name, method.lineno
    return None


def forward_outside(code: str, class_name: str) -> int | None:
    """The line of a `def forward` that is not a method of `class_name` (wrong indentation)."""
    tree = parse(code)
    cls = _class(code, class_name)
    if tree is None or cls is None:
        return None
    inside = {id(n) for n in cls.body}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == "forward" and id(node) not in inside:
            return node.lineno
    return None


def _class(code: str, name: str) -> ast.ClassDef | None:
    tree = parse(code)
    if tree is None:
        return None
    return next((n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name == name), None)


def defined_after(code: str, name: str, line: int) -> int | None:
    """The first line after `line` that binds `name` (an assignment, def, import, for)."""
    tree = parse(code)
    if tree is None:
        return None
    lines = sorted(
        n.lineno for n in ast.walk(tree) if getattr(n, "lineno", 0) > line and _binds(n, name)
    )
    return lines[0] if lines else None


def _binds(node: ast.AST, name: str) -> bool:
    if isinstance(node, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef):
        return node.name == name
    if isinstance(node, ast.Import | ast.ImportFrom):
        return any((a.asname or a.name.split(".")[0]) == name for a in node.names)
    targets: Iterable[ast.AST] = ()
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, ast.AnnAssign | ast.AugAssign | ast.For):
        targets = [node.target]
    return any(
        isinstance(t, ast.Name) and t.id == name for target in targets for t in ast.walk(target)
    )


def in_place_lines(code: str, tensor_names: Iterable[str]) -> dict[str, list[int]]:
    """Lines that write a tensor in place, by kind: `inplace_flag` (`inplace=True`),
    `augmented` (`x += y` on a tensor), `slice` (`x[...] = y`), `method` (`x.add_(y)`).

    `x += y` on a plain name counts inside a function (a forward) or when the name is a
    tensor of the run; a running total (`total += loss.item()`) is not a tensor write.
    """
    tree = parse(code)
    found: dict[str, list[int]] = {"inplace_flag": [], "augmented": [], "slice": [], "method": []}
    if tree is None:
        return found
    tensors = set(tensor_names)
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
    inside = {id(n) for f in functions for n in ast.walk(f)}
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "inplace":
            if isinstance(node.value, ast.Constant) and node.value.value is True:
                found["inplace_flag"].append(node.value.lineno)
        elif isinstance(node, ast.AugAssign) and _tensor_target(node, tensors, inside):
            found["augmented"].append(node.lineno)
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Subscript) for t in node.targets
        ):
            base = _root(node.targets[0])
            if base is None or base in tensors or id(node) in inside:
                found["slice"].append(node.lineno)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and IN_PLACE_CALL.match(node.func.attr)
            and not _is_module_namespace(node.func.value)
        ):
            found["method"].append(node.lineno)
    return {k: sorted(set(v)) for k, v in found.items()}


def _tensor_target(node: ast.AugAssign, tensors: set[str], inside: set[int]) -> bool:
    """Whether `x op= y` likely writes a tensor: `x` is a tensor of the run, or an element or
    attribute, or a local of a function that is not adding up Python numbers."""
    target = node.target
    if not isinstance(target, ast.Name):
        return True
    if target.id in tensors:
        return True
    return id(node) in inside and not _scalar_update(node.value)


def _scalar_update(value: ast.expr) -> bool:
    """`+= loss.item()`, `+= 1`, `+= len(x)`: a Python number, not a tensor."""
    if isinstance(value, ast.Constant):
        return True
    return any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "item"
        for n in ast.walk(value)
    )


def _root(node: ast.AST) -> str | None:
    while isinstance(node, ast.Subscript | ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _is_module_namespace(node: ast.AST) -> bool:
    """`nn.init.normal_(w)` and `torch.manual_seed_` style calls are not tensor methods."""
    return isinstance(node, ast.Name) and node.id in {"torch", "nn", "init", "F", "np"}


def constructor_calls(code: str, kind: str) -> list[ast.Call]:
    """One-line calls that build a layer of class `kind` (`nn.Linear(...)`, `Linear(...)`)."""
    tree = parse(code)
    if tree is None:
        return []
    calls = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.lineno == node.end_lineno:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name == kind:
                calls.append(node)
    return calls
