"""The vocabulary of facts (`FACTS`: name -> meaning) the catalog's causes may use, and the
small tables they are derived with. Data only: facts.py computes them."""

from __future__ import annotations

from collections.abc import Mapping
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


def signature(kind: str, config: Mapping[str, Any]) -> str:
    """`Linear(784, 10)`: the class with the config torch was built with, as written."""
    keys = SIGNATURE_KEYS.get(kind, ())
    args = [_plain(config[k]) for k in keys if k in config]
    if kind.startswith("Conv") and "kernel_size" in config:
        args.append(f"kernel_size={_plain(config['kernel_size'])}")
    if kind in ("LSTM", "GRU", "RNN") and config.get("batch_first"):
        args.append("batch_first=True")
    return f"{kind}({', '.join(args)})"


def _plain(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "(" + ", ".join(str(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    return str(value)


FACTS: dict[str, str] = {
    # the failing layer (the deepest module call the error passed through)
    "layer": "its qualified name (`model.fc`), else its class",
    "layer_named": "whether a variable of the snippet reaches it",
    "layer_type": "its class (`Linear`)",
    "layer_sig": "its constructor as written (`Linear(784, 10)`)",
    "model": "the outermost module of the failing call chain",
    "model_type": "its class",
    "nested": "whether the failing layer was called inside another module",
    "input_shape": "the shape of the first tensor it got",
    "input_ndim": "its number of dimensions",
    "input_dtype": "its dtype",
    "input_min": "its smallest value", "input_max": "its largest value",
    "input_classes": "its largest value plus one (ids 0..max need max+1 rows)",
    "input_count": "how many tensors it got",
    "input2_shape": "the shape of the second one (a loss's target, an RNN's state)",
    "size1_dim": "the first dimension of size 1 in the input",
    "flat_features": "features per sample once the input is flattened (`x.flatten(1)`)",
    "flatten_fits": "whether flattening gives the layer exactly the features it expects",
    "last_dim": "the input's last dimension", "batch": "the input's first dimension",
    "side": "the side of a square image of `last_dim / in_channels` pixels, if there is one",
    "channels_last": "an image input whose last dimension is the layer's in_channels",
    "channel_dim": "the input's channel dimension",
    "prev_layer": "the layer its parent called just before it",
    "prev_type": "its class", "prev_sig": "its constructor",
    "prev_output_shape": "the shape it returned",
    "prev_conv": "the last convolution its parent called before it",
    "prev_conv_out": "that convolution's out_channels",
    "call_site_line": "the snippet line that made the failing top-level call",
    # where it was raised
    "in_collate": "raised inside the DataLoader's collate function",
    "in_dataloader": "raised while a DataLoader was fetching a batch",
    "functional": "the torch.nn.functional function the error passed through",
    # losses
    "loss": "the loss that failed (a loss module's class or a functional loss)",
    "logits_shape": "the shape of its input (the predictions)", "logits_ndim": "its dims",
    "logits_min": "its smallest value", "logits_max": "its largest value",
    "logits_dtype": "its dtype", "logits_values": "its distinct values, when few",
    "logits_outside_unit": "predictions outside [0, 1] (logits, not probabilities)",
    "target_shape": "the shape of its target", "target_ndim": "its dims",
    "target_dtype": "its dtype",
    "target_min": "its smallest value", "target_max": "its largest value",
    "target_values": "its distinct values, when few",
    "target_largest": "its two largest distinct values",
    "target_classes": "the classes the labels imply (largest label + 1)",
    "target_outside": "the labels outside 0..num_classes-1",
    "target_is_onehot": "a 0/1 target shaped like the predictions (one-hot)",
    "single_void_label": "one label value far past the classes (a 'void' pixel label, 255)",
    "labels_from_one": "labels numbered 1..C instead of 0..C-1",
    "num_classes": "the classes the predictions have (dim 1, or dim 0 when 1-D)",
    "binary_mask": "a target whose values are only 0 and 255 (an image mask)",
    "batch_ratio": "how many times more prediction rows than targets",
    "target_onehot_flattened": "a one-hot target flattened into batch x classes labels",
    "target_lacks_batch": "a target with no batch dimension (e.g. one mask for one image)",
    # recurrent layers
    "rnn_state_carried": "an RNN-family layer was called more than once with a state passed in",
    "rnn_calls": "how many times an RNN-family layer was called",
    "hidden_expected": "the state shape the RNN expected", "hidden_got": "the shape it got",
    "hidden_batch": "the batch size of the input", "state_batch": "that of the state",
    "hidden_batch_only": "the state differs from the expected one only in its batch size",
    "batch_axis_swapped": "the state's batch matches the input's other axis (batch_first)",
    # checkpoints
    "missing_keys": "keys the model has and the checkpoint lacks",
    "unexpected_keys": "keys the checkpoint has and the model lacks",
    "key_count": "how many keys differ",
    "checkpoint_has_prefix": "every extra checkpoint key is a model key with `module.` in front",
    "model_has_prefix": "every missing key is a checkpoint key with `module.` in front",
    "mismatched": "the parameters whose shapes differ", "mismatch_count": "how many",
    "head_only": "only the output size of at most two layers differs (a new head)",
    "first_mismatch": "the first parameter whose shape differs, and both shapes",
    # the source
    "code_trains": "the snippet runs a training step (backward() or an optimizer step)",
    "forward_lookalike": "a method spelled almost like `forward`",
    "forward_lookalike_line": "its line",
    "forward_outside_line": "a `def forward` outside the class",
    "super_init_line": "a super().__init__() call that comes too late in __init__",
    "init_first_line": "the first statement of that __init__",
    "name_import": "the import that defines a missing name",
    "name_defined_line": "the line, after the failing one, that defines the missing name",
    "name_on_self": "the missing name is an attribute of `self`: `self.<name>`",
    "inplace_flag_lines": "lines with `inplace=True`",
    "inplace_write_lines": "lines that write a tensor in place (`+=`, `x[i] = `, `x.add_()`)",
    "inplace_kinds": "how many kinds of in-place writes the snippet has",
    "first_inplace_write": "the first of those lines",
    "first_inplace_flag": "the first `inplace=True`",
    "suggestion": "the known name closest to one that was not found",
    "import_line": "the line an import is added before (the first)",
    "top_module": "the top-level package of a module that was not found",
    "batch_dim": "the dimension an RNN reads the batch from (0 with batch_first)",
    "mismatch_owner": "the module whose parameters first differ in shape, as a key prefix",
    "message": "the exception's message (its first line)",
    "reshape_from": "the shape of the tensor a failing view/reshape was given",
    "per_sample": "its number of values per sample (all but the first dimension)",
    "view_features": "the row size the view asked for",
    "flatten_mismatch": "a `view(-1, n)` of feature maps whose per-sample size is not n",
    "numpy_equivalent": "the tensor spelling of a numpy method",
    "line_number": "the line the error was raised on",
    "caret": "the line Python could not read, with a caret under where it stopped",
    "syntax_kind": "the kind of syntax mistake the message names",
    "edit": "the concrete edited line of the fix, when the fix is an edit",
}  # fmt: skip
