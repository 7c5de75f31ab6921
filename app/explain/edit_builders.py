"""The kinds of concrete edit a catalog cause may ask for, each placed by the run's facts.

    {"wrap": "layer_input", "with": "{expr}.flatten(1)"}  the argument that fed the layer
    {"wrap": "loss_input" | "loss_target", "with": ...}    an argument of the failing loss
    {"wrap": "receiver", "method": "numpy", "with": ...}   `x` in `x.numpy()`
    {"wrap": "method_arg", "method": "load_state_dict", "with": ...}  its first argument
    {"wrap": "assign_value", "with": "{expr}.to({target}.dtype)"}  `y` in `x[i] = y`
    {"call": "next", "with": "next({expr})"}               a whole call, rewritten
    {"add_keyword": "weights_only=False", "of": "load"}     a keyword added to a call
    {"sub": regex, "repl": template, "at": fact?}          a substitution on one line
    {"insert": template, "at": fact?}                      a line inserted before one
    {"constructor": "in_features", "value": template}      the layer's constructor argument
    {"rename_constructor": "BatchNorm1d"}                  the layer's class, in its constructor
    {"detach_rnn_state": true}                             `h = h.detach()` before the RNN call
    {"clone_written": true}                                clone the tensor a write overlaps
    {"out_of_place": true}                                 `x += y` -> `x = x + y`
Templates are `str.format` strings over the cause's facts; `{expr}` is the source of the
expression being rewritten. `at` names a fact holding a line number (default: the failing
line). Each builder returns None where it cannot be sure.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.explain import code_facts
from app.explain.fact_names import RNN_TYPES

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


def parse_line(text: str) -> tuple[ast.Module, bytes] | None:
    """One complete statement on one line (a compound header parses with an empty body)."""
    stripped = text.strip()
    if not stripped or stripped.startswith("#"):
        return None
    for candidate in (stripped, stripped + "\n    pass"):
        try:
            tree = ast.parse(candidate)
        except (SyntaxError, ValueError, RecursionError):
            continue
        if len(tree.body) == 1 and tree.body[0].lineno == 1:
            return tree, stripped.encode()
    return None


def _indent(text: str) -> str:
    return text[: len(text) - len(text.lstrip())]


def _at(spec: Mapping[str, Any], values: Mapping[str, Any], line: int) -> int:
    where = spec.get("at")
    if where is None:
        return line
    found = values.get(where)
    if not isinstance(found, int):
        raise ValueError(f"no line for {where}")
    return found


def _replace_span(lines: list[str], number: int, source: bytes, node: ast.AST, new: str) -> Edit:
    """The line with `node`'s source span replaced by `new` (the node must be on that line)."""
    start, end = node.col_offset, node.end_col_offset  # type: ignore[attr-defined]
    if end is None or node.lineno != 1 or node.end_lineno != 1:  # type: ignore[attr-defined]
        raise ValueError("the expression spans lines")
    text = (source[:start].decode() + new + source[end:].decode()).rstrip()
    return Edit(number, "replace", _indent(lines[number - 1]) + text)


def _segment(source: bytes, node: ast.AST) -> str:
    text = source[node.col_offset : node.end_col_offset].decode()  # type: ignore[attr-defined]
    return text if isinstance(node, ATOMIC) else f"({text})"


def _calls(tree: ast.AST) -> list[ast.Call]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call)]


def _func_name(call: ast.Call) -> str | None:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)


# -- wrapping an expression ------------------------------------------------------------------


def wrap(spec, facts, values, lines: list[str], line: int) -> Edit | None:
    target = spec["wrap"]
    sites: list[tuple[int, Sequence[Mapping[str, Any]]]] = [
        (_at(spec, values, line), facts.operands)
    ]
    call_site = getattr(facts, "call_site", None)
    if target == "layer_input" and call_site and call_site.get("line") != line:
        sites.append((call_site["line"], call_site.get("operands") or ()))
    for number, operands in sites:
        parsed = parse_line(lines[number - 1])
        if parsed is None:
            continue
        tree, source = parsed
        found = _target(target, spec, tree, operands, values)
        if found is not None:
            node, extra = found
            new = spec["with"].format_map({**values, **extra, "expr": _segment(source, node)})
            return _replace_span(lines, number, source, node, new)
    return None


def _target(target, spec, tree, operands, values) -> tuple[ast.AST, dict[str, str]] | None:
    calls = _calls(tree)
    if target == "receiver":
        for call in calls:
            if isinstance(call.func, ast.Attribute) and call.func.attr == spec["method"]:
                return call.func.value, {}
        return None
    if target == "method_arg":
        for call in calls:
            if _func_name(call) == spec["method"] and call.args:
                return call.args[0], {}
        return None
    if target == "assign_value":
        statement = tree.body[0]
        if isinstance(statement, ast.Assign) and isinstance(statement.targets[0], ast.Subscript):
            return statement.value, {"target": ast.unparse(statement.targets[0].value)}
        return None
    raised = next((o for o in operands if o.get("raised")), None)
    if target in ("loss_input", "loss_target"):
        position = 0 if target == "loss_input" else 1
        inputs = list(raised.get("inputs") or ()) if raised else []
        for call in calls:
            args = _arguments(call)
            if len(args) <= position:
                continue
            if len(inputs) >= 2 and ast.unparse(args[position]) == inputs[position]:
                return args[position], {}
            if not inputs and _is_loss_call(call, values):
                return args[position], {}
        return None
    if target == "layer_input":
        shape = values.get("input_shape")
        shapes = {o.get("expr"): o.get("shape") for o in operands if not o.get("raised")}
        for call in calls:  # outermost first: `fc(relu(x))` wraps `relu(x)`
            args = _arguments(call)
            if args and shape is not None and shapes.get(ast.unparse(args[0])) == shape:
                return args[0], {}
    return None


def _is_loss_call(call: ast.Call, values: Mapping[str, Any]) -> bool:
    """The call of the failing loss: `F.cross_entropy(...)`, `criterion(...)` by its name,
    or `nn.BCELoss()(...)` made on the spot."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name is not None and name == values.get("functional"):
        return True
    if values.get("layer_named") is True and ast.unparse(func) == values.get("layer"):
        return True
    return isinstance(func, ast.Call) and _func_name(func) == values.get("layer_type")


def _arguments(call: ast.Call) -> list[ast.expr]:
    """Positional arguments, then `input=`/`target=` keywords in that order."""
    args = [a for a in call.args if not isinstance(a, ast.Starred)]
    by_name = {k.arg: k.value for k in call.keywords if k.arg}
    for name in ("input", "target"):
        if name in by_name and len(args) < 2:
            args.append(by_name[name])
    return args


def call(spec, facts, values, lines: list[str], line: int) -> Edit | None:
    """Rewrite the one call of `spec["call"]` on the line; `{expr}` is its receiver."""
    number = _at(spec, values, line)
    parsed = parse_line(lines[number - 1])
    if parsed is None:
        return None
    tree, source = parsed
    found = [c for c in _calls(tree) if _func_name(c) == spec["call"]]
    if len(found) != 1:
        return None
    node = found[0]
    receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
    extra = {"expr": "" if receiver is None else _segment(source, receiver)}
    if node.args:
        extra["arg0"] = _segment(source, node.args[0])
    return _replace_span(lines, number, source, node, spec["with"].format_map({**values, **extra}))


def add_keyword(spec, facts, values, lines: list[str], line: int) -> Edit | None:
    number = _at(spec, values, line)
    parsed = parse_line(lines[number - 1])
    if parsed is None:
        return None
    tree, source = parsed
    keyword = spec["add_keyword"].split("=", 1)[0]
    found = [c for c in _calls(tree) if _func_name(c) == spec["of"]]
    if len(found) != 1 or any(k.arg == keyword for k in found[0].keywords):
        return None
    node = found[0]
    inside = source[node.col_offset : node.end_col_offset].decode()
    if not inside.endswith(")"):
        return None
    empty = not node.args and not node.keywords
    new = inside[:-1] + ("" if empty else ", ") + spec["add_keyword"] + ")"
    return _replace_span(lines, number, source, node, new)


# -- lines -----------------------------------------------------------------------------------


def sub(spec, facts, values, lines: list[str], line: int) -> Edit | None:
    number = _at(spec, values, line)
    original = lines[number - 1]
    escaped = {k: re.escape(str(v)) for k, v in values.items() if isinstance(v, str | int)}
    found = re.search(spec["sub"].format_map(escaped), original)
    if found is None:
        return None
    groups = {k: v for k, v in found.groupdict().items() if v is not None}
    new = spec["repl"].format_map({**values, **groups})
    return Edit(number, "replace", original[: found.start()] + new + original[found.end() :])


def insert(spec, facts, values, lines: list[str], line: int) -> Edit | None:
    number = _at(spec, values, line)
    text = _indent(lines[number - 1]) + spec["insert"].format_map(values)
    return Edit(number, "insert_before", text)


# -- constructors ----------------------------------------------------------------------------


def _the_constructor(values: Mapping[str, Any], code: str, key: str) -> ast.Call | None:
    """The one one-line constructor call of the failing layer's class whose `key` argument
    has the value the layer was built with; None when there is not exactly one."""
    current, kind = values.get(f"layer_{key}"), values.get("layer_type")
    if current is None or kind is None or key not in CONSTRUCTOR_ARG:
        return None
    found = []
    for node in code_facts.constructor_calls(code, kind):
        arg = _constructor_arg(node, key)
        if arg is not None and _constant_value(arg) == current:
            found.append(node)
    return found[0] if len(found) == 1 else None


def constructor(spec, facts, values, lines: list[str], line: int) -> Edit | None:
    """Change the one constructor argument that built the failing layer."""
    node = _the_constructor(values, facts.code, spec["constructor"])
    if node is None:
        return None
    arg = _constructor_arg(node, spec["constructor"])
    assert arg is not None
    original = lines[arg.lineno - 1].encode()
    new = str(spec["value"].format_map(values))
    text = original[: arg.col_offset].decode() + new + original[arg.end_col_offset :].decode()
    return Edit(arg.lineno, "replace", text)


def rename_constructor(spec, facts, values, lines: list[str], line: int) -> Edit | None:
    """`nn.BatchNorm2d(128)` -> `nn.BatchNorm1d(128)` in the one constructor of the layer."""
    node = _the_constructor(values, facts.code, "num_features")
    if node is None:
        return None
    func = node.func
    original = lines[func.lineno - 1].encode()
    end = func.end_col_offset
    start = end - len(str(values["layer_type"]))
    text = original[:start].decode() + spec["rename_constructor"] + original[end:].decode()
    return Edit(func.lineno, "replace", text)


def _constructor_arg(node: ast.Call, key: str) -> ast.expr | None:
    for keyword in node.keywords:
        if keyword.arg == key:
            return keyword.value
    position = CONSTRUCTOR_ARG[key]
    return node.args[position] if len(node.args) > position else None


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


# -- state and memory ------------------------------------------------------------------------


def detach_rnn_state(spec, facts, values, lines: list[str], line: int) -> Edit | None:
    """`h = h.detach()` before the top-level line that fed the RNN its carried state."""
    calls = list(getattr(facts, "module_calls", ()) or ())
    rnn = [c for c in calls if c.get("type") in RNN_TYPES]
    stateful = [c for c in rnn if len(c.get("input_shapes") or ()) > 1]
    if not stateful:
        return None
    first = stateful[0]
    top = next((c for c in reversed(calls[: calls.index(first) + 1]) if c.get("depth") == 0), None)
    if top is None or not isinstance(top.get("line"), int):
        return None
    number = top["line"]
    parsed = parse_line(lines[number - 1])
    if parsed is None:
        return None
    tree, _ = parsed
    node = next((n for n in _calls(tree) if len(n.args) >= 2), None)
    if node is None:
        return None
    state = node.args[-1]
    guard = len(stateful) < len(rnn)  # the first call had no state: it starts as None
    if isinstance(state, ast.Name | ast.Attribute):
        name = ast.unparse(state)
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
    return Edit(number, "insert_before", _indent(lines[number - 1]) + text)


def clone_written(spec, facts, values, lines: list[str], line: int) -> Edit | None:
    """Clone, where it is made, the expanded tensor the failing line writes into."""
    parsed = parse_line(lines[line - 1])
    if parsed is None:
        return None
    tree, _ = parsed
    name = _written_name(tree.body[0])
    if name is None:
        return None
    for number in range(line - 1, 0, -1):
        binding = _binding(lines[number - 1], name)
        if binding is not None:
            source, node = binding
            return _replace_span(lines, number, source, node, f"{_segment(source, node)}.clone()")
    return None


def _written_name(statement: ast.stmt) -> str | None:
    target: ast.AST | None = None
    if isinstance(statement, ast.Assign) and isinstance(statement.targets[0], ast.Subscript):
        target = statement.targets[0].value
    elif isinstance(statement, ast.AugAssign):
        target = statement.target
    elif isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        func = statement.value.func
        target = func.value if isinstance(func, ast.Attribute) and func.attr.endswith("_") else None
    while isinstance(target, ast.Subscript):
        target = target.value
    return ast.unparse(target) if isinstance(target, ast.Name | ast.Attribute) else None


def _binding(text: str, name: str) -> tuple[bytes, ast.expr] | None:
    """Where `text` binds `name` to a call result: `name = <call>` or a register_buffer."""
    parsed = parse_line(text)
    if parsed is None:
        return None
    tree, source = parsed
    statement = tree.body[0]
    if (
        isinstance(statement, ast.Assign)
        and isinstance(statement.value, ast.Call)
        and any(ast.unparse(t) == name for t in statement.targets)
    ):
        return source, statement.value
    short = name.rsplit(".", 1)[-1]
    for node in _calls(tree):
        if _func_name(node) == "register_buffer" and len(node.args) >= 2:
            first = node.args[0]
            if isinstance(first, ast.Constant) and first.value == short:
                return source, node.args[1]
    return None


def clone_overlap(spec, facts, values, lines: list[str], line: int) -> Edit | None:
    """`x[x] = v` -> `x[x.clone()] = v`; `x[1] = x[1].t()` -> `x[1] = x[1].t().clone()`."""
    parsed = parse_line(lines[line - 1])
    if parsed is None:
        return None
    tree, source = parsed
    statement = tree.body[0]
    if not (isinstance(statement, ast.Assign) and isinstance(statement.targets[0], ast.Subscript)):
        return None
    target = statement.targets[0]
    base = ast.unparse(target.value)
    if base in ast.unparse(target.slice).replace(" ", "").split("["):
        node: ast.AST = target.slice
    elif base in ast.unparse(statement.value):
        node = statement.value
    else:
        return None
    return _replace_span(lines, line, source, node, f"{_segment(source, node)}.clone()")


def out_of_place(spec, facts, values, lines: list[str], line: int) -> Edit | None:
    """The snippet's one in-place write, made out of place: `x += y` -> `x = x + y`,
    `inplace=True` -> `inplace=False`; with more than one candidate there is no edit."""
    flags, writes = values.get("inplace_flag_lines") or [], values.get("inplace_write_lines") or []
    if spec["out_of_place"] == "flag" and len(flags) == 1:
        number = flags[0]
        text = lines[number - 1].replace("inplace=True", "inplace=False", 1)
        return Edit(number, "replace", text)
    if spec["out_of_place"] != "write" or len(writes) != 1:
        return None
    number = writes[0]
    parsed = parse_line(lines[number - 1])
    if parsed is None:
        return None
    tree, source = parsed
    statement = tree.body[0]
    if isinstance(statement, ast.AugAssign):
        symbol = _SYMBOLS.get(type(statement.op))
        if symbol is None:
            return None
        target = ast.unparse(statement.target)
        value = _segment(source, statement.value)
        return Edit(
            number, "replace", f"{_indent(lines[number - 1])}{target} = {target} {symbol} {value}"
        )
    name = _written_name(statement)
    if name is None:
        return None
    return Edit(number, "insert_before", f"{_indent(lines[number - 1])}{name} = {name}.clone()")


_SYMBOLS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}

BUILDERS: dict[str, Callable[..., Edit | None]] = {
    "wrap": wrap,
    "call": call,
    "add_keyword": add_keyword,
    "sub": sub,
    "insert": insert,
    "constructor": constructor,
    "rename_constructor": rename_constructor,
    "detach_rnn_state": detach_rnn_state,
    "clone_written": clone_written,
    "clone_overlap": clone_overlap,
    "out_of_place": out_of_place,
}
EDIT_KEYS = frozenset(BUILDERS) | {"with", "method", "repl", "value", "at", "of"}
