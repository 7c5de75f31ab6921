"""What `operands.py` may evaluate on a failing line: the allow-lists, as data.

Kept apart from the walker so the safety rule reads as one table: anything not named
here is never run.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import nn


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


TORCH_FUNCTIONS = _words(
    "abs add addmm all any arange argmax argmin argsort as_tensor baddbmm bmm broadcast_tensors "
    "broadcast_to cat ceil chunk clamp clip clone concat concatenate cos cosh cross cumprod "
    "cumsum diag diagonal diff div dot einsum eq exp eye flatten flip floor full full_like "
    "gather ge gt hstack index_select inner isfinite isinf isnan kron le log log1p log_softmax "
    "logical_and logical_not logical_or logical_xor lt masked_fill masked_select matmul max "
    "maximum mean median min minimum mm movedim mul mv narrow ne neg norm numel ones ones_like "
    "outer permute pow prod relu reshape roll round rsqrt select sigmoid sign sin sinh softmax "
    "sort split sqrt square squeeze stack std sub sum swapaxes t take tan tanh tensor tensordot "
    "tile topk transpose tril triu true_divide unbind unsqueeze var vstack where zeros zeros_like"
)
FUNCTIONAL_FUNCTIONS = _words(
    "avg_pool1d avg_pool2d binary_cross_entropy binary_cross_entropy_with_logits conv1d conv2d "
    "conv3d cosine_similarity cross_entropy elu embedding gelu l1_loss leaky_relu linear "
    "log_softmax max_pool1d max_pool2d mse_loss nll_loss normalize one_hot pad relu sigmoid "
    "silu smooth_l1_loss softmax softplus tanh"
)
LINALG_FUNCTIONS = _words("det inv matmul norm vector_norm matrix_norm solve")
TENSOR_METHODS = _words(
    "abs add all any argmax argmin bmm bool ceil chunk clamp clip clone contiguous cos cpu "
    "cumsum detach diag dim div dot double eq exp expand expand_as flatten flip float floor "
    "gather ge gt half index_select int item le log log_softmax long lt masked_fill matmul max "
    "mean min mm mul mv narrow ne neg nelement norm numel numpy permute pow prod relu repeat "
    "reshape reshape_as roll round select sigmoid size softmax sort split sqrt squeeze std "
    "stride sub sum swapaxes t tanh to topk transpose type_as unbind unflatten unsqueeze var "
    "view view_as where"
)
TENSOR_ATTRIBUTES = _words(
    "T mT H mH shape dtype device grad data ndim is_leaf requires_grad grad_fn real imag"
)
PURE_LAYERS = _words(
    "Linear Bilinear Conv1d Conv2d Conv3d Embedding Flatten Unflatten Identity ReLU LeakyReLU "
    "GELU SiLU ELU Sigmoid Tanh Softmax LogSoftmax Softplus MaxPool1d MaxPool2d AvgPool1d "
    "AvgPool2d LayerNorm RNN LSTM GRU MSELoss L1Loss NLLLoss CrossEntropyLoss BCELoss "
    "BCEWithLogitsLoss SmoothL1Loss"
)
FACTORIES = ("zeros", "ones", "full", "eye", "arange")
CONTAINERS = (list, tuple, dict, torch.Size, nn.ModuleList, nn.ModuleDict, nn.Sequential,
              nn.ParameterList, nn.ParameterDict)  # fmt: skip
OPERATORS: dict[type[ast.AST], tuple[str, Callable[..., Any]]] = {
    ast.MatMult: ("@", operator.matmul), ast.Add: ("+", operator.add),
    ast.Sub: ("-", operator.sub), ast.Mult: ("*", operator.mul),
    ast.Div: ("/", operator.truediv), ast.FloorDiv: ("//", operator.floordiv),
    ast.Mod: ("%", operator.mod), ast.Pow: ("**", operator.pow),
    ast.BitAnd: ("&", operator.and_), ast.BitOr: ("|", operator.or_),
    ast.BitXor: ("^", operator.xor), ast.LShift: ("<<", operator.lshift),
    ast.RShift: (">>", operator.rshift), ast.Lt: ("<", operator.lt), ast.LtE: ("<=", operator.le),
    ast.Gt: (">", operator.gt), ast.GtE: (">=", operator.ge), ast.Eq: ("==", operator.eq),
    ast.NotEq: ("!=", operator.ne), ast.USub: ("-", operator.neg), ast.UAdd: ("+", operator.pos),
    ast.Invert: ("~", operator.invert),
}  # fmt: skip
NUMBERS = (bool, int, float, complex, np.number, np.bool_)
NUMBER_OPERATORS = (ast.USub, ast.UAdd, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv)
PLAIN_SCALARS = (*NUMBERS, str, bytes, type(None), type(Ellipsis), slice, torch.dtype,
                 torch.device, torch.memory_format, torch.Size)  # fmt: skip
