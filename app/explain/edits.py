"""Turn a cause's fix into a concrete edit of *this* snippet: one line replaced or inserted.

A cause in the catalog may carry an `edit` spec; this module finds where in the snippet it
applies, from the run's facts, and writes the new line in the snippet's own names:
    {"wrap": "layer_input", "with": "{expr}.flatten(1)"}   the argument that fed the layer
    {"wrap": "loss_target" | "loss_input", "with": ...}    an argument of the failing loss
    {"wrap": "receiver", "method": "numpy", "with": ...}   `x` in `x.numpy()`
    {"sub": regex, "repl": template}                       on the failing line
    {"insert": template}                                   a line before the failing one
    {"constructor": "in_features", "value": template}      the layer's constructor argument
    {"detach_rnn_state": true}                             `h = h.detach()` before the RNN call
Templates are `str.format` strings over the cause's facts, `{expr}` being the source of the
wrapped expression. Where the spec cannot be placed with certainty (the expression is not on
one line, two constructors could be the one), there is no edit: a fix shown as text is better
than an edit of the wrong line. The server runs the edited snippet to check it
(app/fixcheck.py); nothing here runs code.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

MAX_EDIT_CHARS = 2000
ATOMIC = (ast.Name, ast.Attribute, ast.Call, ast.Subscript, ast.Constant)
CONSTRUCTOR_ARG = {
    "in_features": 0, "out_features": 1, "in_channels": 0, "out_channels": 1,
    "input_size": 0, "hidden_size": 1, "num_embeddings": 0, "embedding_dim": 1,
    "num_features": 0,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Edit:
    line: int
    kind: str  # "replace" | "insert_before"
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"line": self.line, "kind": self.kind, "text": self.text}


def apply_edit(code: str, edit: Mapping[str, Any]) -> str | None:
    """The whole snippet with `edit` applied, or None if it does not fit this code."""
    lines = code.splitlines()
    line, kind, text = edit.get("line"), edit.get("kind"), edit.get("text")
    if not (isinstance(line, int) and isinstance(text, str) and 0 < line <= len(lines)):
        return None
    if len(text) > MAX_EDIT_CHARS or "\x00" in text:
        return None
    if kind == "replace" and "\n" not in text:
        lines[line - 1] = text
    elif kind == "insert_before" and text.count("\n") < 4:
        lines[line - 1 : line - 1] = text.split("\n")
    else:
        return None
    return "\n".join(lines) + ("\n" if code.endswith("\n") else "")


def build_edit(spec: Mapping[str, Any], facts: Any, values: Mapping[str, Any]) -> Edit | None:
    """The edit `spec` stands for in this run, or None where it cannot be placed for sure."""
    code = getattr(facts, "code", "") or ""
    line = getattr(facts, "line", None)
    if not code or not isinstance(line, int):
        return None
    lines = code.splitlines()
    if not 0 < line <= len(lines):
        return None
    try:
        for key, build in _BUILDERS.items():
            if key in spec:
                edit = build(spec, facts, values, lines, line)
                if edit is None or len(edit.text) > MAX_EDIT_CHARS:
                    return None
                if edit.kind == "replace" and edit.text == lines[edit.line - 1]:
                    return None
                return edit
    except (KeyError, IndexError, ValueError, SyntaxError, RecursionError):
        return None
    return None


# -- wrapping an expression ------------------------------------------------------------------


def _wrap(spec, facts, values, lines: list[str], line: int) -> Edit | None:
    target = spec["wrap"]
    sites: list[tuple[int, Sequence[Mapping[str, Any]]]] = [(line, facts.operands)]
    call_site = getattr(facts, "call_site", None)
    if target == "layer_input" and call_site and call_site.get("line") != line:
        sites.append((call_site["line"], call_site.get("operands") or ()))
    for number, operands in sites:
        parsed = _parse_line(lines[number - 1])
        if parsed is None:
            continue
        tree, source = parsed
        node = _find_target(target, spec, tree, operands, values)
        if node is not None:
            return _replace_node(lines, number, source, node, spec["with"], values)
    return None


def _find_target(target: str, spec, tree: ast.AST, operands, values) -> ast.expr | None:
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    if target == "receiver":
        for call in calls:
            if isinstance(call.func, ast.Attribute) and call.func.attr == spec["method"]:
                return call.func.value
        return None
    raised = next((o for o in operands if o.get("raised")), None)
    if target in ("loss_input", "loss_target"):
        inputs = list(raised.get("inputs") or ()) if raised else []
        position = 0 if target == "loss_input" else 1
        if len(inputs) < 2:
            return None
        for call in calls:
            args = _arguments(call)
            if len(args) > position and ast.unparse(args[position]) == inputs[position]:
                return args[position]
        return None
    if target == "layer_input":
        shape = values.get("input_shape")
        shapes = {o.get("expr"): o.get("shape") for o in operands if not o.get("raised")}
        for call in calls:  # outermost first: `fc(relu(x))` wraps `relu(x)`
            args = _arguments(call)
            if args and shape is not None and shapes.get(ast.unparse(args[0])) == shape:
                return args[0]
    return None


def _arguments(call: ast.Call) -> list[ast.expr]:
    """Positional arguments, then `input=`/`target=` keywords in that order."""
    args = [a for a in call.args if not isinstance(a, ast.Starred)]
    by_name = {k.arg: k.value for k in call.keywords if k.arg}
    for name in ("input", "target"):
        if name in by_name and len(args) < 2:
            args.append(by_name[name])
    return args


def _replace_node(lines, number, source: bytes, node: ast.expr, template: str, values) -> Edit:
    original = lines[number - 1]
    indent = original[: len(original) - len(original.lstrip())]
    start, end = node.col_offset, node.end_col_offset
    if end is None or node.lineno != 1 or node.end_lineno != 1:
        raise ValueError("the expression spans lines")
    expr = source[start:end].decode()
    if not isinstance(node, ATOMIC):
        expr = f"({expr})"
    new = template.format_map({**values, "expr": expr})
    text = (source[:start].decode() + new + source[end:].decode()).rstrip()
    return Edit(number, "replace", indent + text)


def _parse_line(text: str) -> tuple[ast.Module, bytes] | None:
    """One complete statement on one line (a compound header parses with an empty body)."""
    stripped = text.strip()
    if not stripped or stripped.startswith("#"):
        return None
    for candidate in (stripped, stripped + "\n    pass"):
        try:
            tree = ast.parse(candidate)
        except SyntaxError:
            continue
        if len(tree.body) == 1 and tree.body[0].lineno == 1:
            return tree, stripped.encode()
    return None


# -- other kinds -----------------------------------------------------------------------------


def _sub(spec, facts, values, lines: list[str], line: int) -> Edit | None:
    original = lines[line - 1]
    found = re.search(spec["sub"], original)
    if found is None:
        return None
    groups = {k: v for k, v in found.groupdict().items() if v is not None}
    new = spec["repl"].format_map({**values, **groups})
    text = original[: found.start()] + new + original[found.end() :]
    return Edit(line, "replace", text) if _parse_line(text) else None


def _insert(spec, facts, values, lines: list[str], line: int) -> Edit | None:
    original = lines[line - 1]
    indent = original[: len(original) - len(original.lstrip())]
    text = indent + spec["insert"].format_map(values)
    return Edit(line, "insert_before", text) if _parse_line(text) else None


def _constructor(spec, facts, values, lines: list[str], line: int) -> Edit | None:
    """Change the one constructor call in the snippet that built the failing layer."""
    key = spec["constructor"]
    current = values.get(f"layer_{key}")
    kind = values.get("layer_type")
    if current is None or kind is None or key not in CONSTRUCTOR_ARG:
        return None
    tree = ast.parse("\n".join(lines))
    found = []
    for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
        func = call.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name != kind or call.lineno != call.end_lineno:
            continue
        arg = _constructor_arg(call, key)
        if arg is not None and _constant_value(arg) == current:
            found.append(arg)
    if len(found) != 1:
        return None
    arg = found[0]
    original = lines[arg.lineno - 1].encode()
    new = str(spec["value"].format_map(values))
    text = original[: arg.col_offset].decode() + new + original[arg.end_col_offset :].decode()
    return Edit(arg.lineno, "replace", text)


def _constructor_arg(call: ast.Call, key: str) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == key:
            return keyword.value
    position = CONSTRUCTOR_ARG[key]
    return call.args[position] if len(call.args) > position else None


def _constant_value(node: ast.expr) -> Any:
    """The value of a literal or of integer arithmetic on literals (`16 * 5 * 5`)."""
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult | ast.Add | ast.Sub):
        left, right = _constant_value(node.left), _constant_value(node.right)
        if isinstance(left, int) and isinstance(right, int):
            if isinstance(node.op, ast.Mult):
                return left * right
            return left + right if isinstance(node.op, ast.Add) else left - right
    return None


def _detach_rnn_state(spec, facts, values, lines: list[str], line: int) -> Edit | None:
    """`h = h.detach()` before the top-level line that fed the RNN its carried state."""
    calls = list(getattr(facts, "module_calls", ()) or ())
    rnn = [c for c in calls if c.get("type") in ("RNN", "LSTM", "GRU", "RNNCell", "LSTMCell",
                                                 "GRUCell")]  # fmt: skip
    stateful = [c for c in rnn if len(c.get("input_shapes") or ()) > 1]
    if not stateful:
        return None
    first = stateful[0]
    top = next((c for c in reversed(calls[: calls.index(first) + 1]) if c.get("depth") == 0), None)
    if top is None or not isinstance(top.get("line"), int):
        return None
    number = top["line"]
    parsed = _parse_line(lines[number - 1])
    if parsed is None:
        return None
    tree, _ = parsed
    call = next((n for n in ast.walk(tree) if isinstance(n, ast.Call) and len(n.args) >= 2), None)
    if call is None:
        return None
    state = call.args[-1]
    guard = len(stateful) < len(rnn)  # the first call had no state: it starts as None
    if isinstance(state, ast.Name):
        name = state.id
        many = len(first.get("input_shapes") or ()) > 2
        value = f"tuple(s.detach() for s in {name})" if many else f"{name}.detach()"
        if guard:
            value += f" if {name} is not None else None"
        text = f"{name} = {value}"
    elif isinstance(state, ast.Tuple) and all(isinstance(e, ast.Name) for e in state.elts):
        names = [e.id for e in state.elts]  # type: ignore[attr-defined]
        text = f"{', '.join(names)} = {', '.join(n + '.detach()' for n in names)}"
    else:
        return None
    original = lines[number - 1]
    indent = original[: len(original) - len(original.lstrip())]
    return Edit(number, "insert_before", indent + text)


_BUILDERS: dict[str, Callable[..., Edit | None]] = {
    "wrap": _wrap,
    "sub": _sub,
    "insert": _insert,
    "constructor": _constructor,
    "detach_rnn_state": _detach_rnn_state,
}
EDIT_KEYS = frozenset(_BUILDERS) | {"with", "method", "repl", "value"}
