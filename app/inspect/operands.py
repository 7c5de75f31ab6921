"""The tensors on the line that failed, in the spirit of tensor-sensor (parrt/tensor-sensor).

After a snippet raised, `failing_operands` re-reads the failing line, walks its expression
tree bottom-up and evaluates every tensor-valued sub-expression in the frame's namespace,
so the student sees `W: [4, 3]`, `x.T: [2, 5]` and that `W @ x.T` is the operator that broke.

The rule that keeps this safe: only *pure* work is evaluated.
- names, constants, tuples/lists, slices, and subscripts of tensors and of built-in
  containers (lists, tuples, dicts, `nn.ModuleList`, `nn.Sequential`, ...);
- attributes of modules, of tensors (an allow-list: `T`, `shape`, `dtype`, ...), of
  `nn.Module`s (parameters, buffers, submodules) and plain instance attributes, all read
  without running user code (no properties, no `__getattr__`);
- the operators `@ + - * / // % ** & | ^ << >>`, comparisons and unary `- + ~`, when both
  sides are tensors, numbers or numpy arrays (so no user-defined `__add__` can run);
- calls of allow-listed torch / `torch.nn.functional` functions and tensor methods that
  return a new value, and of stock stateless `nn` layers without hooks. Never an in-place
  `*_` method, `backward`, `step`, `print`, a random generator, a user function or class;
- arguments must be plain data: exact `Tensor`/`Parameter`, numbers, strings, dtypes, ...
Anything else is "unknown": it, and whatever is built on it, is skipped, never run.
Work is bounded: at most `MAX_NODES` nodes, inputs of at most `MAX_NUMEL` elements, and each
operation first runs on data-less meta copies so a huge result is never computed.
"""

from __future__ import annotations

import ast
import builtins
import functools
import operator
import types
import warnings
from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np
import torch
from torch import nn
from torch._C import DisableTorchFunction, TensorBase

from app.inspect.module_calls import value_range
from app.inspect.operand_rules import (
    CONTAINERS,
    FACTORIES,
    FUNCTIONAL_FUNCTIONS,
    LINALG_FUNCTIONS,
    NUMBER_OPERATORS,
    NUMBERS,
    OPERATORS,
    PLAIN_SCALARS,
    PURE_LAYERS,
    TENSOR_ATTRIBUTES,
    TENSOR_METHODS,
    TORCH_FUNCTIONS,
)

MAX_LINE_CHARS = 4000
MAX_NODES = 200
MAX_NUMEL = 1_000_000
MAX_RESULT_NUMEL = 4_000_000
MAX_CONTAINER_ITEMS = 10_000


class _Unknown:
    """Marks a value that was not (or could not safely be) evaluated."""


class _Raised(Exception):
    """Stops the walk: an operator raised, as it did when the snippet ran."""


UNKNOWN = _Unknown()


def failing_operands(
    line_source: str,
    globals_: dict[str, Any],
    locals_: dict[str, Any] | None = None,
    max_items: int = 12,
) -> list[dict[str, Any]]:
    """Shapes, dtypes and strides of the tensor sub-expressions of `line_source`.

    One dict per distinct tensor-valued sub-expression, innermost first, then for the
    operator that raises `{"expr", "raised": True, "op", "error", "error_type", "inputs"}`
    (`inputs`: the exprs of its tensor operands). At most the last `max_items`, those
    nearest the failure. Never raises: a line that cannot be parsed gives `[]`.
    """
    try:
        roots = _expression_roots(line_source)
        walker = _Walker(globals_, globals_ if locals_ is None else locals_)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                for root in roots:
                    walker.evaluate(root)
            except _Raised:
                pass
        return walker.records[-max_items:] if max_items > 0 else []
    except Exception:
        return []


def _expression_roots(line_source: str) -> list[ast.expr]:
    """The expressions a statement evaluates, in Python's order; [] for what cannot parse."""
    text = line_source.strip()
    tree = _parse(text) if 0 < len(text) <= MAX_LINE_CHARS else None
    if tree is None or len(tree.body) != 1:
        return []
    match tree.body[0]:
        case ast.Assign(targets=targets, value=value):
            return [value, *(t for t in targets if isinstance(t, ast.Subscript | ast.Attribute))]
        case ast.AugAssign(target=target, value=value):
            return [target, value]
        case ast.AnnAssign(value=value) | ast.Expr(value=value) | ast.Return(value=value):
            return [] if value is None else [value]
        case ast.If(test=test) | ast.While(test=test) | ast.Assert(test=test):
            return [test]
        case ast.For(iter=iterable):
            return [iterable]
        case ast.With(items=items):
            return [item.context_expr for item in items]
    return []


def _parse(text: str) -> ast.Module | None:
    """Parse a statement; a compound header (`if x > 0:`) is parsed with an empty body."""
    for candidate in (text, text + "\n    pass"):
        try:
            return ast.parse(candidate)
        except (SyntaxError, ValueError, MemoryError, RecursionError):
            continue
    return None


class _Walker:
    """Evaluates sub-expressions bottom-up, recording tensors and the first operator to raise."""

    def __init__(self, globals_: dict[str, Any], locals_: dict[str, Any]):
        self.scopes = (locals_, globals_, vars(builtins))
        self.budget = MAX_NODES
        self.records: list[dict[str, Any]] = []
        self.seen: set[str] = set()

    def evaluate(self, node: ast.AST) -> Any:
        self.budget -= 1
        handler = self.handlers.get(type(node)) if self.budget >= 0 else None
        value = UNKNOWN if handler is None else handler(self, node)
        expr = ast.unparse(node) if isinstance(value, torch.Tensor) else None
        if expr is not None and expr not in self.seen:
            self.seen.add(expr)
            self.records.append({"expr": expr, **_describe(value), "raised": False})
        return value

    def _apply(
        self,
        node: ast.AST,
        op: str,
        inputs: list[ast.AST],
        fn: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any] | None = None,
        *,
        trial: bool = True,
    ) -> Any:
        """Run one pure operation; if it raises, record it as the failing operator and stop.

        With `trial` it first runs on data-less meta copies of its inputs, and a result too
        large to compute cheaply (an outer product by broadcasting, a huge `torch.zeros`)
        leaves the operation unknown.
        """
        kwargs = kwargs or {}
        if trial and not _affordable(fn, args, kwargs):
            return UNKNOWN
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            self.records.append(
                {
                    "expr": ast.unparse(node),
                    "raised": True,
                    "op": op,
                    "error": str(exc),
                    "error_type": type(exc).__name__,
                    "inputs": [e for e in _input_exprs(inputs) if e in self.seen],
                }
            )
            raise _Raised from exc

    def _name(self, node: ast.Name) -> Any:
        scope = next((s for s in self.scopes if node.id in s), None)
        return UNKNOWN if scope is None else scope[node.id]

    def _constant(self, node: ast.Constant) -> Any:
        return node.value

    def _sequence(self, node: ast.Tuple | ast.List) -> Any:
        items = [self.evaluate(e) for e in node.elts]
        if any(i is UNKNOWN for i in items):
            return UNKNOWN
        return tuple(items) if isinstance(node, ast.Tuple) else items

    def _slice(self, node: ast.Slice) -> Any:
        bounds = (node.lower, node.upper, node.step)
        parts = [None if p is None else self.evaluate(p) for p in bounds]
        return UNKNOWN if any(p is UNKNOWN for p in parts) else slice(*parts)

    def _attribute(self, node: ast.Attribute) -> Any:
        base = self.evaluate(node.value)
        if base is UNKNOWN:
            return UNKNOWN
        op = "." + node.attr
        return self._apply(node, op, [node.value], _safe_getattr, (base, node.attr), trial=False)

    def _subscript(self, node: ast.Subscript) -> Any:
        base, index = self.evaluate(node.value), self.evaluate(node.slice)
        if index is UNKNOWN or not _plain(index):
            return UNKNOWN
        inputs, args = [node.value, node.slice], (base, index)
        if _exact_tensor(base):
            return self._apply(node, "[]", inputs, operator.getitem, args)
        if type(base) in CONTAINERS:
            return self._apply(node, "[]", inputs, operator.getitem, args, trial=False)
        return UNKNOWN

    def _operator(self, node: ast.BinOp | ast.Compare | ast.UnaryOp) -> Any:
        if isinstance(node, ast.Compare) and len(node.ops) != 1:
            return UNKNOWN
        match node:
            case ast.BinOp(left=left, op=op, right=right):
                kind, operands = op, [left, right]
            case ast.Compare(left=left, ops=[op], comparators=[right]):
                kind, operands = op, [left, right]
            case ast.UnaryOp(op=op, operand=operand):
                kind, operands = op, [operand]
        values = tuple(self.evaluate(o) for o in operands)
        symbol, fn = OPERATORS.get(type(kind), ("", None))
        if fn is None or not _arithmetic(values):
            return UNKNOWN
        if not any(_exact_tensor(v) for v in values):
            # Plain numbers, such as the `-1` in `view(-1)`; never `**`, which can run forever.
            return fn(*values) if isinstance(kind, NUMBER_OPERATORS) else UNKNOWN
        return self._apply(node, symbol, operands, fn, values, trial=len(values) == 2)

    def _call(self, node: ast.Call) -> Any:
        if any(isinstance(a, ast.Starred) for a in node.args) or any(
            k.arg is None for k in node.keywords
        ):
            return UNKNOWN
        func = node.func
        owner = self.evaluate(func.value) if isinstance(func, ast.Attribute) else None
        callee = None if isinstance(func, ast.Attribute) else self.evaluate(func)
        args = tuple(self.evaluate(a) for a in node.args)
        kwargs = {k.arg: self.evaluate(k.value) for k in node.keywords if k.arg}
        if owner is UNKNOWN or not all(_plain(v) for v in (*args, *kwargs.values())):
            return UNKNOWN
        inputs = [*node.args, *(k.value for k in node.keywords)]
        if isinstance(func, ast.Attribute) and _exact_tensor(owner):
            if func.attr not in TENSOR_METHODS or owner.numel() > MAX_NUMEL:
                return UNKNOWN
            method = getattr(torch.Tensor, func.attr)
            args, inputs = (owner, *args), [func.value, *inputs]
            return self._apply(node, func.attr, inputs, method, args, kwargs)
        if isinstance(func, ast.Attribute):
            callee = _safe_getattr(owner, func.attr)
        layer = _is_pure_layer(callee)
        if not (layer or id(callee) in _pure_callables()):
            return UNKNOWN
        op = ast.unparse(func)
        return self._apply(node, op, inputs, callee, args, kwargs, trial=not layer)

    handlers: ClassVar[dict[type[ast.AST], Callable[[_Walker, Any], Any]]] = {
        ast.Name: _name, ast.Constant: _constant, ast.Tuple: _sequence, ast.List: _sequence,
        ast.Slice: _slice, ast.Attribute: _attribute, ast.Subscript: _subscript,
        ast.BinOp: _operator, ast.Compare: _operator, ast.UnaryOp: _operator, ast.Call: _call,
    }  # fmt: skip


@functools.cache
def _pure_callables() -> frozenset[int]:
    """Ids of the allow-listed functions, so an alias (`from torch import mm`) is known too."""
    found: list[object] = []
    for namespace, names in (
        (torch, TORCH_FUNCTIONS),
        (torch.nn.functional, FUNCTIONAL_FUNCTIONS),
        (torch.linalg, LINALG_FUNCTIONS),
    ):
        found.extend(getattr(namespace, name) for name in names if hasattr(namespace, name))
    return frozenset(id(fn) for fn in found)


def _is_pure_layer(callee: Any) -> bool:
    """A stock layer (not a subclass) whose forward is deterministic and has no hooks."""
    kind = type(callee)
    if kind.__name__ not in PURE_LAYERS or kind is not getattr(nn, kind.__name__, None):
        return False
    hooked = callee._forward_hooks or callee._forward_pre_hooks
    random = callee.training and getattr(callee, "dropout", 0)
    return not (hooked or random)


def _exact_tensor(value: Any) -> bool:
    """A tensor whose operators cannot run user code (no `__torch_function__` subclass)."""
    return type(value) in (torch.Tensor, nn.Parameter)


def _plain(value: Any) -> bool:
    """Data that no user code hides behind, and not too much of it: safe to hand to torch."""
    pending, budget = [value], MAX_CONTAINER_ITEMS
    while pending and budget > 0:
        item = pending.pop()
        budget -= 1
        if _exact_tensor(item) or type(item) is np.ndarray:
            if item.dtype == object or _numel(item) > MAX_NUMEL:
                return False
        elif type(item) in (list, tuple):
            pending.extend(item)
        elif not isinstance(item, PLAIN_SCALARS):
            return False
    return not pending


def _numel(item: torch.Tensor | np.ndarray) -> int:
    return item.numel() if isinstance(item, torch.Tensor) else int(item.size)


def _arithmetic(values: tuple[Any, ...]) -> bool:
    """Every operand is a tensor, a number or an array: no user-defined operator can run."""
    return all(
        isinstance(v, NUMBERS) or ((_exact_tensor(v) or type(v) is np.ndarray) and _plain(v))
        for v in values
    )


def _input_exprs(inputs: list[ast.AST]) -> list[str]:
    """The source of each input, with list/tuple arguments (`torch.cat([a, b])`) unpacked."""
    exprs: list[str] = []
    for node in inputs:
        elements = node.elts if isinstance(node, ast.List | ast.Tuple) else [node]
        exprs.extend(ast.unparse(e) for e in elements)
    return exprs


def _safe_getattr(base: Any, attr: str) -> Any:
    """An attribute read that cannot run user code (no properties, no `__getattr__`)."""
    if attr.startswith("__"):
        return UNKNOWN
    if isinstance(base, types.ModuleType):
        return getattr(base, attr, UNKNOWN)
    if _exact_tensor(base):
        if attr not in TENSOR_ATTRIBUTES:
            return UNKNOWN
        if attr == "grad" and not (base.is_leaf or base.retains_grad):
            return None  # reading it would only warn: a non-leaf's grad is never kept
        return getattr(base, attr)
    stores = ("_parameters", "_buffers", "_modules") if isinstance(base, nn.Module) else ()
    try:
        instance = vars(base)
    except TypeError:
        return UNKNOWN
    if type(instance) is not dict:
        return UNKNOWN
    for store in stores:
        if attr in instance.get(store, {}):
            return instance[store][attr]
    return instance.get(attr, UNKNOWN)


def _affordable(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    """Whether `fn`'s result stays small, judged on meta copies (shapes only, no data)."""
    meta_kwargs = {k: _meta(v) for k, v in kwargs.items()}
    if any(fn is getattr(torch, name) for name in FACTORIES):
        meta_kwargs["device"] = "meta"
    try:
        with torch.no_grad():
            result = fn(*(_meta(a) for a in args), **meta_kwargs)
    except Exception:
        return True  # torch checks shapes before it allocates, so the real call fails fast too
    return _result_numel(result) <= MAX_RESULT_NUMEL


def _meta(value: Any) -> Any:
    if _exact_tensor(value):
        return value.detach().to("meta")
    if type(value) is np.ndarray:
        return torch.empty(value.shape, device="meta")
    if type(value) in (list, tuple):
        return type(value)(_meta(v) for v in value)
    return value


def _result_numel(result: Any) -> int:
    if isinstance(result, torch.Tensor):
        return result.numel()
    if isinstance(result, list | tuple):
        return sum(_result_numel(r) for r in result)
    return 0


def _describe(t: torch.Tensor) -> dict[str, Any]:
    """The TensorInfo-like facts of one operand (torch's own answers, nothing recomputed)."""
    try:
        stride: list[int] | None = list(t.stride())
        contiguous: bool | None = bool(t.is_contiguous())
    except (RuntimeError, NotImplementedError):
        stride, contiguous = None, None
    return {
        "shape": list(t.shape),
        "dtype": str(t.dtype),
        "device": str(t.device),
        "stride": stride,
        "is_contiguous": contiguous,
        "requires_grad": bool(t.requires_grad),
        "is_leaf": bool(t.is_leaf),
        "grad_fn": None if t.grad_fn is None else type(t.grad_fn).__name__,
        **_value_range(t),
    }


def _value_range(t: torch.Tensor) -> dict[str, Any]:
    """min/max (and few distinct integer values) for the explainer: a target of 0/255."""
    try:
        with torch.no_grad(), DisableTorchFunction():
            return value_range(TensorBase.detach(t))
    except (RuntimeError, TypeError, ValueError):
        return {}
