"""The named facts a catalog entry's causes are chosen by, derived from `ErrorFacts`.

Pure: plain data in (the failing layer chain, library frames, operands, module calls, the
message and the source), a flat `{name: value}` out, so a cause in `catalog.json` can say
`"when": {"layer_type": "Linear", "input_ndim": {">=": 3}, "flatten_fits": true}` and its
text can say `{layer}` and `{input_shape}`. `FACTS` lists every name with its meaning; the
catalog may use no other (besides `layer_<config>` and the message's named groups). A fact
the run cannot establish is absent, and a cause that needs it does not apply.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from app.explain import code_facts
from app.explain.fact_names import FACTS, LOSS_FUNCTIONS, RNN_TYPES, signature

__all__ = ["FACTS", "derive", "signature"]

Values = dict[str, Any]


def derive(facts: Any) -> Values:
    """Every fact of `FACTS` that the run's `ErrorFacts` can establish (others are absent)."""
    values: Values = {}
    layers: Sequence[Mapping[str, Any]] = getattr(facts, "layers", ()) or ()
    if layers:
        _layer_facts(values, layers)
    _frame_facts(values, getattr(facts, "frames", ()) or ())
    _loss_facts(values, layers, facts.operands, getattr(facts, "loss_arguments", ()) or ())
    _rnn_facts(values, getattr(facts, "module_calls", ()) or ())
    code = getattr(facts, "code", "") or ""
    values["code_trains"] = code_facts.trains(code)
    if getattr(facts, "suggestion", None):
        values["suggestion"] = facts.suggestion
    call_site = getattr(facts, "call_site", None)
    if call_site and isinstance(call_site.get("line"), int):
        values["call_site_line"] = call_site["line"]
    message = facts.message or ""
    values["message"] = message.strip().splitlines()[0][:300] if message.strip() else ""
    if isinstance(getattr(facts, "line", None), int):
        values["line_number"] = facts.line
    if facts.type in ("SyntaxError", "IndentationError", "TabError"):
        _syntax_facts(values, facts, code)
    for pattern, derive_from in _MESSAGE_FACTS:
        found = pattern.search(message[:20_000])
        if found:
            derive_from(values, found, facts, code)
    return values


# -- the failing layer -----------------------------------------------------------------------


def _layer_facts(values: Values, layers: Sequence[Mapping[str, Any]]) -> None:
    failing, outer = layers[-1], layers[0]
    config = failing.get("config") or {}
    kind = str(failing.get("type"))
    values["layer"] = failing.get("module") or kind
    values["layer_named"] = bool(failing.get("module"))
    values["layer_type"] = kind
    values["layer_sig"] = signature(kind, config)
    values["model"] = outer.get("module") or str(outer.get("type"))
    values["model_type"] = str(outer.get("type"))
    values["nested"] = len(layers) > 1
    for key, value in config.items():
        values[f"layer_{key}"] = value
    inputs = list(failing.get("inputs") or ())
    shapes = list(failing.get("input_shapes") or ())
    values["input_count"] = len(shapes)
    if shapes:
        _input_facts(values, shapes[0], inputs[0] if inputs else {}, config, kind)
    if len(shapes) > 1:
        values["input2_shape"] = shapes[1]
    previous = failing.get("previous")
    if previous:
        values["prev_layer"] = previous.get("module") or previous.get("type")
        values["prev_type"] = previous.get("type")
        values["prev_sig"] = signature(str(previous.get("type")), previous.get("config") or {})
        outputs = previous.get("output_shapes") or []
        if outputs:
            values["prev_output_shape"] = outputs[0]
    conv = failing.get("previous_conv")
    if conv and isinstance((conv.get("config") or {}).get("out_channels"), int):
        values["prev_conv"] = conv.get("module") or conv.get("type")
        values["prev_conv_out"] = conv["config"]["out_channels"]


def _input_facts(
    values: Values,
    shape: list[int],
    described: Mapping[str, Any],
    config: Mapping[str, Any],
    kind: str,
) -> None:
    values["input_shape"] = shape
    values["input_ndim"] = len(shape)
    for key in ("dtype", "min", "max"):
        if described.get(key) is not None:
            values[f"input_{key}"] = described[key]
    if not shape:
        return
    values["last_dim"], values["batch"] = shape[-1], shape[0]
    if 1 in shape:
        values["size1_dim"] = shape.index(1)
    if len(shape) >= 2:
        values["flat_features"] = math.prod(shape[1:])
        if "in_features" in config:
            values["flatten_fits"] = values["flat_features"] == config["in_features"]
    if isinstance(values.get("input_max"), int):
        values["input_classes"] = values["input_max"] + 1
    channels = config.get("in_channels")
    if isinstance(channels, int) and channels > 0:
        values["channels_last"] = len(shape) >= 3 and shape[-1] == channels != shape[-3]
        spatial = 1 if kind.endswith("1d") else 3 if kind.endswith("3d") else 2
        if len(shape) in (spatial + 1, spatial + 2):
            values["channel_dim"] = shape[-spatial - 1]
        per_channel, rest = divmod(shape[-1], channels)
        side = math.isqrt(per_channel) if not rest and per_channel > 0 else 0
        if side > 1 and side * side == per_channel and shape[0] != shape[-1]:
            values["side"] = side


# -- where it was raised -----------------------------------------------------------------------


def _frame_facts(values: Values, frames: Sequence[Mapping[str, Any]]) -> None:
    inner = [str(f.get("file", "")) for f in frames if f.get("inner", True)]
    every = [str(f.get("file", "")) for f in frames]
    values["in_collate"] = any(f.endswith("torch/utils/data/_utils/collate.py") for f in inner)
    values["in_dataloader"] = any(f.startswith("torch/utils/data/") for f in every)
    functional = [
        f.get("function")
        for f in frames
        if f.get("inner", True) and f.get("file") == "torch/nn/functional.py"
    ]
    if functional:
        values["functional"] = functional[0]


# -- losses --------------------------------------------------------------------------------


def _loss_facts(
    values: Values,
    layers: Sequence[Mapping[str, Any]],
    operands: Sequence[Mapping[str, Any]],
    arguments: Sequence[Mapping[str, Any]],
) -> None:
    """The loss that failed and what it was given: the functional loss's own arguments, else
    its module call's inputs, else the operands of the failing line."""
    kind = values.get("layer_type", "")
    pair: list[Mapping[str, Any]] = []
    if isinstance(kind, str) and kind.endswith("Loss") and layers:
        values["loss"] = kind
        pair = list(layers[-1].get("inputs") or ())[:2]
    elif values.get("functional") in LOSS_FUNCTIONS:
        values["loss"] = values["functional"]
        pair = list(arguments)[:2]
        raised = next((o for o in operands if o.get("raised")), None) if not pair else None
        if raised is not None:
            by_expr = {o.get("expr"): o for o in operands if not o.get("raised")}
            pair = [by_expr[e] for e in list(raised.get("inputs") or ())[:2] if e in by_expr]
    if len(pair) < 2:
        return
    for prefix, described in (("logits", pair[0]), ("target", pair[1])):
        shape = described.get("shape")
        if shape is not None:
            values[f"{prefix}_shape"] = list(shape)
            values[f"{prefix}_ndim"] = len(shape)
        for key in ("min", "max", "dtype", "values", "largest"):
            if described.get(key) is not None:
                values[f"{prefix}_{key}"] = described[key]
    shape = values.get("logits_shape")
    if shape:
        values["num_classes"] = shape[1] if len(shape) >= 2 else shape[0]
    _target_facts(values)


def _target_facts(values: Values) -> None:
    target_max, classes = values.get("target_max"), values.get("num_classes")
    if isinstance(target_max, int):
        values["target_classes"] = target_max + 1
    seen = values.get("target_values")
    if isinstance(seen, list) and seen:
        values["binary_mask"] = set(seen) <= {0, 255} and 255 in seen
        if isinstance(classes, int):
            values["target_outside"] = [v for v in seen if v >= classes or v < 0]
        values["labels_from_one"] = min(seen) >= 1 and max(seen) == classes
    largest = values.get("target_largest")
    if isinstance(largest, list) and largest and isinstance(classes, int):
        below = largest[1:] and largest[1] < classes
        values["single_void_label"] = (
            largest[0] >= 200 and bool(below) and not values.get("binary_mask")
        )
    if isinstance(values.get("logits_min"), int | float) and isinstance(
        values.get("logits_max"), int | float
    ):
        values["logits_outside_unit"] = values["logits_min"] < 0 or values["logits_max"] > 1
    if values.get("target_shape") and values.get("logits_shape"):
        values["target_is_onehot"] = values["target_shape"] == values["logits_shape"] and set(
            values.get("target_values") or [2]
        ) <= {0, 1}


def _rnn_facts(values: Values, calls: Sequence[Mapping[str, Any]]) -> None:
    rnn = [c for c in calls if c.get("type") in RNN_TYPES]
    values["rnn_calls"] = len(rnn)
    with_state = [c for c in rnn if len(c.get("input_shapes") or ()) > 1]
    values["rnn_state_carried"] = len(rnn) > 1 and len(with_state) >= 1


# -- facts that only some messages need ---------------------------------------------------------

SYNTAX_KINDS = (
    ("unexpected-indent", re.compile(r"^unexpected indent")),
    ("expected-indent", re.compile(r"^expected an indented block")),
    ("inconsistent-indent", re.compile(r"unindent does not match|inconsistent use of tabs")),
    ("unclosed-bracket", re.compile(r"was never closed|unexpected EOF")),
    ("missing-colon", re.compile(r"^expected ':'")),
    ("missing-comma", re.compile(r"Perhaps you forgot a comma")),
    ("unterminated-string", re.compile(r"unterminated (?:triple-quoted )?string")),
    ("assign-in-condition", re.compile(r"Maybe you meant '==' or ':=' instead of '='")),
    ("print-statement", re.compile(r"Missing parentheses in call to 'print'")),
    ("other", re.compile(r"")),
)


def _syntax_facts(values: Values, facts: Any, code: str) -> None:
    """The line Python could not read with a caret under where it gave up, and what kind of
    mistake the message names."""
    message = facts.message or ""
    values["syntax_kind"] = next(kind for kind, pattern in SYNTAX_KINDS if pattern.search(message))
    line, column = getattr(facts, "line", None), getattr(facts, "column", None)
    lines = code.splitlines()
    if not isinstance(line, int) or not 0 < line <= len(lines):
        return
    text = lines[line - 1].rstrip()[:200]
    caret = " " * max(0, min((column or 1) - 1, len(text))) + "^"
    values["caret"] = f"{text}\n{caret}"


def _ints(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"-?\d+", text)]


def _hidden_facts(values: Values, found: re.Match[str], facts: Any, code: str) -> None:
    expected, got = _ints(found["expected"]), _ints(found["got"])
    values["hidden_expected"], values["hidden_got"] = expected, got
    if len(expected) == 3 and len(got) == 3:
        values["hidden_batch"], values["state_batch"] = expected[1], got[1]
        values["hidden_batch_only"] = expected[0] == got[0] and expected[2] == got[2]
        shape = values.get("input_shape")
        if isinstance(shape, list) and len(shape) == 3:
            first = bool(values.get("layer_batch_first"))
            values["batch_dim"] = 0 if first else 1
            other_axis = shape[1] if first else shape[0]
            values["batch_axis_swapped"] = got[1] == other_axis != expected[1]


def _state_dict_facts(values: Values, found: re.Match[str], facts: Any, code: str) -> None:
    message = facts.message
    missing = _keys(message, "Missing key(s) in state_dict:")
    unexpected = _keys(message, "Unexpected key(s) in state_dict:")
    values["missing_keys"], values["unexpected_keys"] = missing, unexpected
    values["key_count"] = len(missing) + len(unexpected)
    strip = [k.removeprefix("module.") for k in unexpected]
    values["checkpoint_has_prefix"] = (
        bool(unexpected)
        and all(k.startswith("module.") for k in unexpected)
        and set(strip) >= set(missing)
    )
    values["model_has_prefix"] = (
        bool(missing)
        and all(k.startswith("module.") for k in missing)
        and {k.removeprefix("module.") for k in missing} <= set(unexpected)
    )
    sizes = re.findall(
        r"size mismatch for ([\w.]+): copying a param with shape torch\.Size\(\[([^\]]*)\]\) "
        r"from checkpoint, the shape in current model is torch\.Size\(\[([^\]]*)\]\)",
        message,
    )
    if sizes:
        values["mismatched"] = [key for key, _, _ in sizes]
        values["mismatch_count"] = len(sizes)
        owners = {key.rsplit(".", 1)[0] for key, _, _ in sizes}
        only_rows = all(_ints(a)[1:] == _ints(b)[1:] for _, a, b in sizes)
        values["head_only"] = only_rows and len(owners) <= 2
        key, ckpt, model = sizes[0]
        values["first_mismatch"] = f"{key}: [{ckpt}] -> [{model}]"
        values["mismatch_owner"] = key.rsplit(".", 1)[0] + "."


def _keys(message: str, label: str) -> list[str]:
    start = message.find(label)
    if start < 0:
        return []
    line = message[start + len(label) :].split("\n", 1)[0]
    return re.findall(r'"([^"]+)"', line)[:500]


def _forward_facts(values: Values, found: re.Match[str], facts: Any, code: str) -> None:
    lookalike = code_facts.forward_lookalike(code, found["cls"])
    if lookalike:
        values["forward_lookalike"], values["forward_lookalike_line"] = lookalike
    outside = code_facts.forward_outside(code, found["cls"])
    if outside:
        values["forward_outside_line"] = outside


def _init_facts(values: Values, found: re.Match[str], facts: Any, code: str) -> None:
    line = getattr(facts, "line", None)
    if not isinstance(line, int):
        return
    later = code_facts.super_init_after(code, line)
    if later:
        values["super_init_line"] = later
    first = code_facts.first_statement_line(code, line)
    if first:
        values["init_first_line"] = first


def _name_facts(values: Values, found: re.Match[str], facts: Any, code: str) -> None:
    name = found["name"]
    if name in code_facts.IMPORTS:
        values["name_import"] = code_facts.IMPORTS[name]
        values["import_line"] = 1
    line = getattr(facts, "line", None)
    if isinstance(line, int):
        later = code_facts.defined_after(code, name, line)
        if later:
            values["name_defined_line"] = later
    suggestion = values.get("suggestion")
    if isinstance(suggestion, str) and suggestion.startswith("self."):
        values["name_on_self"] = suggestion


def _inplace_facts(values: Values, found: re.Match[str], facts: Any, code: str) -> None:
    names = [t.get("name") for t in facts.tensors if t.get("name")]
    lines = code_facts.in_place_lines(code, names)
    writes = lines["augmented"] + lines["slice"] + lines["method"]
    values["inplace_flag_lines"] = lines["inplace_flag"]
    values["inplace_write_lines"] = writes
    values["inplace_kinds"] = sum(bool(v) for v in (lines["inplace_flag"], writes))
    if writes:
        values["first_inplace_write"] = min(writes)
    if lines["inplace_flag"]:
        values["first_inplace_flag"] = min(lines["inplace_flag"])


def _batch_facts(values: Values, found: re.Match[str], facts: Any, code: str) -> None:
    rows, targets = int(found["input_batch"]), int(found["target_batch"])
    if rows > targets and targets > 0 and rows % targets == 0:
        values["batch_ratio"] = rows // targets
    classes = values.get("num_classes")
    if isinstance(classes, int) and targets == rows * classes:
        values["target_onehot_flattened"] = True
    logits, target = values.get("logits_ndim"), values.get("target_ndim")
    if isinstance(logits, int) and isinstance(target, int) and logits >= 3:
        values["target_lacks_batch"] = target == logits - 2


def _reshape_facts(values: Values, found: re.Match[str], facts: Any, code: str) -> None:
    """`x.view(-1, 400)` of feature maps with another number of values per sample."""
    raised = next((o for o in facts.operands if o.get("raised")), None)
    inputs = list(raised.get("inputs") or ()) if raised else []
    shapes = {o.get("expr"): o.get("shape") for o in facts.operands if not o.get("raised")}
    shape = shapes.get(inputs[0]) if inputs else None
    new_shape = _ints(found["new_shape"])
    if not isinstance(shape, list) or len(shape) < 3 or len(new_shape) != 2:
        return
    values["reshape_from"] = shape
    values["per_sample"] = math.prod(shape[1:])
    values["view_features"] = new_shape[1]
    values["flatten_mismatch"] = new_shape[0] == -1 and new_shape[1] != values["per_sample"]


NUMPY_NAMES = {
    "astype": "x.to(torch.float32)", "copy": "x.clone()", "append": "torch.cat([x, y])",
    "concatenate": "torch.cat([x, y])", "ravel": "x.flatten()", "tostring": "x.numpy().tobytes()",
    "asnumpy": "x.numpy()", "nbytes": "x.element_size() * x.nelement()",
    "itemsize": "x.element_size()", "reshape_as": "x.reshape(y.shape)",
}  # fmt: skip


def _tensor_attribute_facts(values: Values, found: re.Match[str], facts: Any, code: str) -> None:
    if found["attr"] in NUMPY_NAMES:
        values["numpy_equivalent"] = NUMPY_NAMES[found["attr"]]


def _module_facts(values: Values, found: re.Match[str], facts: Any, code: str) -> None:
    values["top_module"] = found["module"].split(".")[0]


_MESSAGE_FACTS: list[tuple[re.Pattern[str], Callable[[Values, re.Match[str], Any, str], None]]] = [
    (
        re.compile(
            r"Expected hidden(?:\[0\])? size \((?P<expected>[\d, ]+)\), got \[(?P<got>[\d, ]+)\]"
        ),
        _hidden_facts,
    ),
    (re.compile(r"Error\(s\) in loading state_dict for"), _state_dict_facts),
    (
        re.compile(r'Module \[(?P<cls>\w+)\] is missing the required "forward" function'),
        _forward_facts,
    ),
    (
        re.compile(r"cannot assign (?:module|parameters?) before Module\.__init__\(\) call"),
        _init_facts,
    ),
    (re.compile(r"name '(?P<name>\w+)' is not defined"), _name_facts),
    (re.compile(r"modified by an inplace operation"), _inplace_facts),
    (re.compile(r"No module named '(?P<module>[\w.]+)'"), _module_facts),
    (re.compile(r"shape '\[(?P<new_shape>[^\]]*)\]' is invalid for input of size"), _reshape_facts),
    (
        re.compile(r"'(?:Tensor|Parameter)' object has no attribute '(?P<attr>\w+)'"),
        _tensor_attribute_facts,
    ),
    (
        re.compile(r"Expected input batch_size \((?P<input_batch>\d+)\) to match target "
                   r"batch_size \((?P<target_batch>\d+)\)"),
        _batch_facts,
    ),
]  # fmt: skip
