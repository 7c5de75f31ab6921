"""The named facts a catalog entry's causes are chosen by, derived from `ErrorFacts`.

Pure: plain data in (the failing layer chain, library frames, operands, module calls), a
flat `{name: value}` out, so a cause in `catalog.json` can say
`"when": {"layer_type": "Linear", "input_ndim": {">=": 3}, "flatten_fits": true}` and its
text can say `{layer}` and `{input_shape}`. `FACTS` lists every name with its meaning; the
catalog may use no other (besides `layer_<config>` and the message's named groups).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

RNN_TYPES = frozenset({"RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"})
LOSS_FUNCTIONS = frozenset(
    {"cross_entropy", "nll_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
     "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "kl_div", "ctc_loss",
     "multi_margin_loss", "multilabel_margin_loss", "soft_margin_loss", "poisson_nll_loss",
     "cosine_embedding_loss", "margin_ranking_loss", "hinge_embedding_loss", "gaussian_nll_loss"}
)  # fmt: skip
SIGNATURE_KEYS = {
    "Linear": ("in_features", "out_features"),
    "Bilinear": ("in1_features", "in2_features", "out_features"),
    "Conv1d": ("in_channels", "out_channels"),
    "Conv2d": ("in_channels", "out_channels"),
    "Conv3d": ("in_channels", "out_channels"),
    "ConvTranspose1d": ("in_channels", "out_channels"),
    "ConvTranspose2d": ("in_channels", "out_channels"),
    "RNN": ("input_size", "hidden_size"),
    "LSTM": ("input_size", "hidden_size"),
    "GRU": ("input_size", "hidden_size"),
    "RNNCell": ("input_size", "hidden_size"),
    "LSTMCell": ("input_size", "hidden_size"),
    "GRUCell": ("input_size", "hidden_size"),
    "Embedding": ("num_embeddings", "embedding_dim"),
    "BatchNorm1d": ("num_features",),
    "BatchNorm2d": ("num_features",),
    "BatchNorm3d": ("num_features",),
    "InstanceNorm2d": ("num_features",),
    "LayerNorm": ("normalized_shape",),
    "MultiheadAttention": ("embed_dim", "num_heads"),
}
FACTS: dict[str, str] = {
    "layer": "the failing layer: its qualified name (`model.fc`), else its class",
    "layer_type": "the failing layer's class (`Linear`)",
    "layer_sig": "the failing layer as its constructor reads (`Linear(784, 10)`)",
    "model": "the outermost module of the failing call chain (`model`)",
    "model_type": "its class",
    "nested": "whether the failing layer was called inside another module",
    "input_shape": "the shape of the first tensor the failing layer got",
    "input_ndim": "its number of dimensions",
    "input_dtype": "its dtype",
    "input_min": "its smallest value",
    "input_max": "its largest value",
    "input_count": "how many tensors the failing layer got",
    "input2_shape": "the shape of the second tensor (a loss's target, an RNN's state)",
    "input2_dtype": "its dtype",
    "flat_features": "the features per sample once the input is flattened (`x.flatten(1)`)",
    "flatten_fits": "whether flattening gives the layer exactly the features it expects",
    "last_dim": "the input's last dimension",
    "batch": "the input's first dimension",
    "side": "the side of a square image of `last_dim / in_channels` pixels, if there is one",
    "channels_last": "an image input whose last dimension is the layer's in_channels",
    "channel_dim": "the input's channel dimension (dim 1 of a batch, dim 0 unbatched)",
    "prev_layer": "the layer called just before the failing one, by the same parent",
    "prev_type": "its class",
    "prev_sig": "its constructor",
    "prev_output_shape": "the shape it returned",
    "in_collate": "raised inside the DataLoader's collate function",
    "in_dataloader": "raised inside torch.utils.data",
    "functional": "the torch.nn.functional function the error passed through",
    "loss": "the loss that failed (a loss module's class or a functional loss)",
    "logits_shape": "the shape of the loss's input (the predictions)",
    "logits_min": "its smallest value",
    "logits_max": "its largest value",
    "target_shape": "the shape of the loss's target",
    "target_dtype": "its dtype",
    "target_min": "its smallest value",
    "target_max": "its largest value",
    "num_classes": "the classes the predictions have (dim 1, or dim 0 when 1-D)",
    "binary_mask": "a target whose values are only 0 and 255 (an image mask)",
    "rnn_state_carried": "an RNN-family layer was called more than once with a state passed in",
    "rnn_calls": "how many times an RNN-family layer was called",
    "suggestion": "the known name closest to one that was not found",
    "edit": "the concrete edited line of the fix, when the fix is an edit",
}


def derive(facts: Any) -> dict[str, Any]:
    """Every fact of `FACTS` that the run's `ErrorFacts` can establish (others are absent)."""
    values: dict[str, Any] = {}
    layers: Sequence[Mapping[str, Any]] = getattr(facts, "layers", ()) or ()
    if layers:
        _layer_facts(values, layers)
    _frame_facts(values, getattr(facts, "frames", ()) or ())
    _loss_facts(values, layers, facts.operands)
    _rnn_facts(values, getattr(facts, "module_calls", ()) or ())
    if getattr(facts, "suggestion", None):
        values["suggestion"] = facts.suggestion
    return values


def signature(kind: str, config: Mapping[str, Any]) -> str:
    """`Linear(784, 10)`: the class with the config torch was built with, as written."""
    keys = SIGNATURE_KEYS.get(kind, ())
    args = [_plain(config[k]) for k in keys if k in config]
    if kind.startswith("Conv") and "kernel_size" in config:
        args.append(f"kernel_size={_plain(config['kernel_size'])}")
    if kind in ("LSTM", "GRU", "RNN") and config.get("batch_first"):
        args.append("batch_first=True")
    return f"{kind}({', '.join(args)})"


def _layer_facts(values: dict[str, Any], layers: Sequence[Mapping[str, Any]]) -> None:
    failing, outer = layers[-1], layers[0]
    config = failing.get("config") or {}
    kind = str(failing.get("type"))
    values["layer"] = failing.get("module") or kind
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
        if len(inputs) > 1:
            values["input2_dtype"] = inputs[1].get("dtype")
    previous = failing.get("previous")
    if previous:
        values["prev_layer"] = previous.get("module") or previous.get("type")
        values["prev_type"] = previous.get("type")
        values["prev_sig"] = signature(str(previous.get("type")), previous.get("config") or {})
        outputs = previous.get("output_shapes") or []
        if outputs:
            values["prev_output_shape"] = outputs[0]


def _input_facts(
    values: dict[str, Any],
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
    if len(shape) >= 2:
        values["flat_features"] = math.prod(shape[1:])
        if "in_features" in config:
            values["flatten_fits"] = values["flat_features"] == config["in_features"]
    channels = config.get("in_channels")
    if isinstance(channels, int) and channels > 0:
        values["channels_last"] = len(shape) >= 3 and shape[-1] == channels != shape[-3]
        spatial = 1 if kind.endswith("1d") else 3 if kind.endswith("3d") else 2
        if len(shape) in (spatial + 1, spatial + 2):
            values["channel_dim"] = shape[-spatial - 1]
        per_channel, rest = divmod(shape[-1], channels)
        side = math.isqrt(per_channel) if not rest and per_channel > 0 else 0
        if side > 1 and side * side == per_channel:
            values["side"] = side


def _frame_facts(values: dict[str, Any], frames: Sequence[Mapping[str, str]]) -> None:
    files = [str(f.get("file", "")) for f in frames]
    values["in_collate"] = any(f.endswith("torch/utils/data/_utils/collate.py") for f in files)
    values["in_dataloader"] = any(f.startswith("torch/utils/data/") for f in files)
    functional = [f.get("function") for f in frames if f.get("file") == "torch/nn/functional.py"]
    if functional:
        values["functional"] = functional[0]


def _loss_facts(
    values: dict[str, Any],
    layers: Sequence[Mapping[str, Any]],
    operands: Sequence[Mapping[str, Any]],
) -> None:
    """The loss that failed and what it was given: from its module call or its operands."""
    kind = values.get("layer_type", "")
    pair: list[Mapping[str, Any]] = []
    if isinstance(kind, str) and kind.endswith("Loss") and layers:
        values["loss"] = kind
        pair = list(layers[-1].get("inputs") or ())[:2]
    elif values.get("functional") in LOSS_FUNCTIONS:
        values["loss"] = values["functional"]
        raised = next((o for o in operands if o.get("raised")), None)
        if raised is not None:
            by_expr = {o.get("expr"): o for o in operands if not o.get("raised")}
            pair = [by_expr[e] for e in list(raised.get("inputs") or ())[:2] if e in by_expr]
    if len(pair) < 2:
        return
    logits, target = pair
    for prefix, described in (("logits", logits), ("target", target)):
        if described.get("shape") is not None:
            values[f"{prefix}_shape"] = list(described["shape"])
        for key in ("min", "max", "dtype"):
            if described.get(key) is not None:
                values[f"{prefix}_{key}"] = described[key]
    shape = values.get("logits_shape")
    if shape:
        values["num_classes"] = shape[1] if len(shape) >= 2 else shape[0]
    if values.get("target_max") == 255 and values.get("target_min") in (0, 255):
        values["binary_mask"] = True


def _rnn_facts(values: dict[str, Any], calls: Sequence[Mapping[str, Any]]) -> None:
    rnn = [c for c in calls if c.get("type") in RNN_TYPES]
    values["rnn_calls"] = len(rnn)
    with_state = [c for c in rnn if len(c.get("input_shapes") or ()) > 1]
    values["rnn_state_carried"] = len(rnn) > 1 and len(with_state) >= 1


def _plain(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "(" + ", ".join(str(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    return str(value)
