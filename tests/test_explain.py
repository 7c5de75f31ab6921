"""The pitfall catalog, specified by real torch errors.

Every entry is exercised by a snippet that raises the real error under the installed torch
(run here, not pasted), and must be recognised as exactly that entry in both languages,
with every placeholder filled from the run's own facts.
"""

from __future__ import annotations

import copy
import io
import json
import re
import sys
import time
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from app.explain import pitfall_catalog as the_catalog
from app.explain.matcher import ErrorFacts, explain
from app.explain.pitfall_catalog import CatalogError, validate_catalog
from app.inspect.context import error_context
from app.inspect.module_calls import ModuleCallRecorder
from app.inspect.operands import failing_operands
from app.lessons import TOPICS

SNIPPET = "<snippet>"
UNFILLED = re.compile(r"\{[A-Za-z_]\w*\}")
CJK = re.compile(r"[\u4e00-\u9fff]")


def tensor_info(name: str, t: torch.Tensor) -> dict[str, Any]:
    """A TensorInfo dict of API.md, from torch itself."""
    grad = t.grad if (t.is_leaf or t.retains_grad) else None
    return {
        "name": name,
        "shape": list(t.shape),
        "dtype": str(t.dtype),
        "device": str(t.device),
        "stride": list(t.stride()) if t.layout == torch.strided else None,
        "is_contiguous": t.is_contiguous(),
        "requires_grad": t.requires_grad,
        "is_leaf": t.is_leaf,
        "grad_fn": None if t.grad_fn is None else type(t.grad_fn).__name__,
        "grad": None if grad is None else {"shape": list(grad.shape)},
    }


def run_snippet(code: str, *, with_operands: bool = True) -> ErrorFacts:
    """Run `code` as the sandbox would and describe how it failed: the same recorder and
    failure context the runner gives the matcher (layers, frames, call site), stdin empty."""
    namespace: dict[str, Any] = {"__name__": "__main__", "torch": torch, "nn": nn, "F": F}
    namespace["np"] = np
    calls = ModuleCallRecorder()
    saved_stdin, sys.stdin = sys.stdin, io.StringIO()
    try:
        with calls:
            exec(compile(code, SNIPPET, "exec"), namespace)
    except Exception as exc:
        lineno = _error_line(exc)
        line = code.splitlines()[lineno - 1].strip() if lineno else None
        tensors = [tensor_info(k, v) for k, v in namespace.items() if isinstance(v, torch.Tensor)]
        if not with_operands:
            return ErrorFacts(type(exc).__name__, str(exc), line, tensors)
        frames = [
            tb for tb in _walk(exc.__traceback__) if tb.tb_frame.f_code.co_filename == SNIPPET
        ]
        operands = []
        if frames and line:
            frame = frames[-1].tb_frame
            operands = failing_operands(line, frame.f_globals, frame.f_locals)
        message = exc.msg if isinstance(exc, SyntaxError) else str(exc)
        context = error_context(exc, calls, namespace, code, calls.to_json(namespace))
        return ErrorFacts(type(exc).__name__, message, line, tensors, operands, **context)
    finally:
        sys.stdin = saved_stdin
    raise AssertionError(f"snippet did not raise:\n{code}")


def _error_line(exc: BaseException) -> int | None:
    if isinstance(exc, SyntaxError):
        return exc.lineno
    frames = [tb for tb in _walk(exc.__traceback__) if tb.tb_frame.f_code.co_filename == SNIPPET]
    return frames[-1].tb_lineno if frames else None


def _walk(tb: Any) -> list[Any]:
    found = []
    while tb is not None:
        found.append(tb)
        tb = tb.tb_next
    return found


CASES: list[tuple[str, str]] = [
    ("cuda-not-available", "x = torch.randn(3)\ny = x.cuda()"),
    ("cuda-not-available", "model = nn.Linear(2, 2).to('cuda')"),
    ("numpy-device-tensor", "x = torch.randn(3, device='meta')\na = x.numpy()"),
    (
        "dtype-mismatch-linear",
        "fc = nn.Linear(3, 2)\nx = torch.from_numpy(np.ones((4, 3)))\ny = fc(x)",
    ),
    (
        "dtype-mismatch-matmul",
        "a = torch.randn(2, 3, dtype=torch.float64)\nb = torch.randn(3, 4)\nc = a @ b",
    ),
    (
        "dtype-mismatch-matmul",
        "a = torch.arange(6).view(2, 3)\nb = torch.randn(3, 2)\nc = torch.mm(a, b)",
    ),
    (
        "dtype-mismatch-conv",
        "conv = nn.Conv2d(1, 2, 3)\nimg = torch.randn(1, 1, 5, 5).double()\nout = conv(img)",
    ),
    (
        "dtype-mismatch-scalar-type",
        "conv = nn.Conv2d(1, 2, 3, bias=False)\nout = conv(torch.randn(1, 1, 5, 5).double())",
    ),
    ("dtype-rnn-input", "lstm = nn.LSTM(2, 3)\nout = lstm(torch.randn(4, 1, 2).double())"),
    ("dtype-inplace-result-cast", "counts = torch.arange(5)\ncounts /= 2"),
    ("dtype-inplace-result-cast", "x = torch.arange(4)\nx.add_(0.5)"),
    (
        "loss-bce-target-dtype",
        "logits = torch.randn(4)\n"
        "labels = torch.tensor([1, 0, 1, 0])\n"
        "loss = F.binary_cross_entropy_with_logits(logits, labels)",
    ),
    (
        "loss-target-dtype",
        "p = torch.sigmoid(torch.randn(4))\n"
        "t = torch.tensor([1, 0, 1, 0])\n"
        "loss = F.binary_cross_entropy(p, t)",
    ),
    (
        "loss-ce-target-dtype",
        "logits = torch.randn(4, 3)\n"
        "target = torch.tensor([0., 1., 2., 1.])\n"
        "loss = F.cross_entropy(logits, target)",
    ),
    (
        "loss-ce-onehot-target",
        "logits = torch.randn(4, 3)\n"
        "target = F.one_hot(torch.tensor([0, 1, 2, 1]), 3)\n"
        "loss = nn.CrossEntropyLoss()(logits, target)",
    ),
    (
        "loss-ce-target-2d",
        "logits = torch.randn(4, 3)\n"
        "target = torch.tensor([[0], [1], [2], [1]])\n"
        "loss = F.cross_entropy(logits, target)",
    ),
    (
        "loss-batch-size-mismatch",
        "loss = F.cross_entropy(torch.randn(4, 3), torch.tensor([0, 1, 2]))",
    ),
    ("loss-ce-target-size", "loss = F.cross_entropy(torch.randn(2, 3, 4), torch.tensor([1, 2]))"),
    ("loss-ce-1d-input", "loss = F.cross_entropy(torch.randn(3), torch.tensor([1, 2]))"),
    (
        "loss-target-out-of-range",
        "loss = F.cross_entropy(torch.randn(4, 3), torch.tensor([0, 1, 5, 1]))",
    ),
    (
        "loss-ce-weight-size",
        "loss = F.cross_entropy(torch.randn(2, 3), torch.tensor([1, 1]), weight=torch.ones(4))",
    ),
    (
        "loss-target-size-mismatch",
        "pred = torch.rand(4, 1)\nloss = F.binary_cross_entropy_with_logits(pred, torch.rand(4))",
    ),
    (
        "loss-target-size-mismatch",
        "pred = torch.rand(4, 1)\nloss = F.binary_cross_entropy(pred, torch.rand(4))",
    ),
    ("numpy-requires-grad", "w = torch.randn(3, requires_grad=True)\na = w.numpy()"),
    ("backward-non-scalar", "x = torch.randn(3, requires_grad=True)\ny = x * 2\ny.backward()"),
    (
        "backward-twice",
        "x = torch.randn(3, requires_grad=True)\n"
        "loss = (x * x).sum()\n"
        "loss.backward()\n"
        "loss.backward()",
    ),
    (
        "backward-no-grad",
        "x = torch.randn(3, requires_grad=True)\ny = (x.detach() * 2).sum()\ny.backward()",
    ),
    (
        "backward-no-grad",
        "x = torch.randn(3, requires_grad=True)\n"
        "with torch.no_grad():\n"
        "    y = (x * 2).sum()\n"
        "y.backward()",
    ),
    (
        "backward-no-grad",
        "x = torch.randn(3, requires_grad=True)\n"
        "with torch.set_grad_enabled(False):\n"
        "    y = x.sum()\n"
        "y.backward()",
    ),
    (
        "autograd-unused-input",
        "x = torch.randn(3, requires_grad=True)\n"
        "z = torch.randn(3, requires_grad=True)\n"
        "y = (x * 2).sum()\n"
        "g = torch.autograd.grad(y, [x, z])",
    ),
    ("inplace-view-of-leaf", "w = torch.randn(3, requires_grad=True)\nw[0] = 1.0"),
    ("inplace-leaf", "w = torch.randn(3, requires_grad=True)\nw += 1"),
    ("inplace-leaf", "w = torch.randn(3, requires_grad=True)\nw.zero_()"),
    (
        "inplace-modified-saved-tensor",
        "x = torch.randn(3, requires_grad=True)\ny = x.sigmoid()\ny.mul_(2)\ny.sum().backward()",
    ),
    (
        "requires-grad-non-leaf",
        "x = torch.randn(3, requires_grad=True)\ny = x * 2\ny.requires_grad = False",
    ),
    ("requires-grad-integer", "x = torch.tensor([1, 2, 3], requires_grad=True)"),
    ("requires-grad-integer", "x = torch.arange(3)\nx.requires_grad_()"),
    (
        "inference-tensor-backward",
        "x = torch.randn(3, requires_grad=True)\n"
        "with torch.inference_mode():\n"
        "    y = x * 2\n"
        "z = (y * x).sum()",
    ),
    ("grad-is-none", "w = torch.randn(3, requires_grad=True)\nw.grad.zero_()"),
    ("grad-is-none", "w = torch.randn(3, requires_grad=True)\nw2 = w - 0.1 * w.grad"),
    (
        "optimizer-non-leaf",
        "w = torch.randn(3, requires_grad=True) * 0.01\nopt = torch.optim.SGD([w], lr=0.1)",
    ),
    (
        "optimizer-params-not-iterable",
        "w = torch.randn(3, requires_grad=True)\nopt = torch.optim.SGD(w, lr=0.1)",
    ),
    ("optimizer-empty-params", "opt = torch.optim.Adam([], lr=0.1)"),
    ("view-non-contiguous", "x = torch.randn(2, 3)\ny = x.t()\nz = y.view(-1)"),
    ("linear-in-features", "fc = nn.Linear(4, 2)\nout = fc(torch.randn(3, 5))"),
    ("matmul-shape-mismatch", "W = torch.randn(4, 3)\nx = torch.randn(5, 2)\nh = W @ x.T"),
    ("matmul-vector-size", "A = torch.randn(3, 4)\nv = torch.randn(5)\ny = A @ v"),
    ("dot-size-mismatch", "d = torch.dot(torch.randn(3), torch.randn(4))"),
    ("dot-not-1d", "a = torch.randn(3, 3)\nd = torch.dot(a, a)"),
    ("mm-not-matrix", "y = torch.mm(torch.randn(3), torch.randn(3, 4))"),
    ("bmm-not-3d", "a = torch.randn(2, 3)\nb = torch.randn(3, 4)\nc = torch.bmm(a, b)"),
    (
        "bmm-shape-mismatch",
        "a = torch.randn(2, 2, 3)\nb = torch.randn(2, 4, 4)\nc = torch.bmm(a, b)",
    ),
    (
        "cat-size-mismatch",
        "a = torch.randn(2, 3)\nb = torch.randn(2, 4)\nc = torch.cat([a, b], dim=0)",
    ),
    ("cat-ndim-mismatch", "a = torch.randn(2, 3)\nb = torch.randn(3)\nc = torch.cat([a, b])"),
    (
        "stack-size-mismatch",
        "a = torch.randn(2, 3)\nb = torch.randn(3, 3)\nc = torch.stack([a, b])",
    ),
    ("cat-empty-list", "parts = []\nc = torch.cat(parts)"),
    ("cat-empty-list", "c = torch.stack([])"),
    ("cat-not-a-list", "a = torch.randn(2, 3)\nc = torch.cat(a, a)"),
    ("broadcast-mismatch", "a = torch.randn(3)\nb = torch.randn(4)\nc = a + b"),
    ("broadcast-inplace-output", "a = torch.randn(3)\nb = torch.randn(2, 3)\na += b"),
    ("expand-size-mismatch", "x = torch.randn(2, 3)\ny = x.expand(4, 3)"),
    ("setitem-shape-mismatch", "a = torch.zeros(3, 4)\na[0] = torch.randn(5)"),
    (
        "expand-broadcast-mismatch",
        "y = F.linear(torch.randn(3, 4), torch.randn(2, 4), torch.randn(3))",
    ),
    ("expand-too-few-sizes", "x = torch.randn(2, 3)\ny = x.expand(3)"),
    ("repeat-too-few-dims", "x = torch.randn(2, 3)\ny = x.repeat(2)"),
    ("squeeze-dim-out-of-range", "x = torch.randn(2, 3)\ny = x.unsqueeze(4)"),
    ("dim-out-of-range", "x = torch.randn(2, 3)\ns = x.sum(dim=2)"),
    ("permute-wrong-ndim", "x = torch.randn(2, 3)\ny = x.permute(0, 1, 2)"),
    ("t-more-than-2d", "x = torch.randn(2, 3, 4)\ny = x.t()"),
    ("reshape-invalid-size", "x = torch.randn(2, 3)\ny = x.view(4, -1)"),
    ("reshape-two-inferred", "x = torch.randn(2, 3)\ny = x.view(-1, -1)"),
    ("item-multi-element", "x = torch.randn(3)\nv = x.item()"),
    ("tensor-from-tensor-list", "rows = [torch.randn(2), torch.randn(2)]\nt = torch.tensor(rows)"),
    ("scalar-conversion-multi-element", "x = torch.randn(3)\nv = float(x)"),
    ("bool-ambiguous", "x = torch.randn(3)\nif x > 0:\n    print('positive')"),
    ("index-0dim", "loss = torch.tensor(0.5)\nv = loss[0]"),
    ("len-0dim", "x = torch.tensor(3.0)\nn = len(x)"),
    ("index-out-of-bounds", "x = torch.randn(3)\nv = x[3]"),
    ("index-out-of-bounds", "x = torch.randn(3, 4)\ng = torch.gather(x, 1, torch.tensor([[5]]))"),
    ("index-out-of-range-in-self", "emb = nn.Embedding(5, 2)\nv = emb(torch.tensor([7]))"),
    ("index-too-many", "x = torch.randn(3)\nv = x[0, 0]"),
    ("index-float-tensor", "x = torch.randn(3)\ni = torch.tensor([0.0])\nv = x[i]"),
    ("index-float-scalar", "x = torch.randn(4)\nv = x[len(x) / 2]"),
    ("embedding-float-indices", "emb = nn.Embedding(5, 2)\nv = emb(torch.tensor([1.0]))"),
    ("gather-index-dtype", "g = torch.gather(torch.randn(3, 4), 1, torch.tensor([[0.0]]))"),
    ("one-hot-dtype", "y = F.one_hot(torch.tensor([1.0, 2.0]))"),
    ("one-hot-num-classes", "y = F.one_hot(torch.tensor([1, 5]), num_classes=3)"),
    ("create-ragged-list", "t = torch.tensor([[1, 2], [3]])"),
    ("create-ragged-numpy", "a = np.array([[1, 2], [3, 4, 5]])"),
    ("create-numpy-object", "t = torch.from_numpy(np.array(['a', 'b']))"),
    ("create-from-strings", "labels = ['cat', 'dog', 'cat']\ny = torch.tensor(labels)"),
    (
        "optimizer-parameters-not-called",
        "model = nn.Linear(2, 1)\nopt = torch.optim.SGD(model.parameters, lr=0.1)",
    ),
    (
        "optimizer-not-given-parameters",
        "model = nn.Linear(2, 1)\nopt = torch.optim.SGD(model, lr=0.1)",
    ),
    ("shape-not-callable", "x = torch.randn(4, 2)\nn = x.shape(0)"),
    ("size-not-subscriptable", "x = torch.randn(4, 2)\nn = x.size[0]"),
    (
        "python-number-not-tensor",
        "x = torch.randn(2, requires_grad=True)\nloss = (x * 2).sum().item()\nloss.backward()",
    ),
    ("create-size-not-ints", "n = 5\nx = torch.randn(n / 2)"),
    (
        "bool-subtract",
        "a = torch.tensor([True, False])\nb = torch.tensor([False, True])\nc = a - b",
    ),
    ("bool-negate", "mask = torch.tensor([True, False])\ninv = -mask"),
    ("mask-not-bool", "c = torch.where(torch.tensor([1, 0]), torch.randn(2), torch.randn(2))"),
    ("mask-not-bool", "x = torch.randn(3)\ny = x.masked_fill(torch.tensor([1, 0, 1]), 0.0)"),
    ("mean-integer", "m = torch.arange(5).mean()"),
    ("std-integer", "s = torch.tensor([1, 2, 3]).std()"),
    ("kernel-not-implemented-dtype", "p = F.softmax(torch.tensor([1, 2, 3]), dim=0)"),
    (
        "module-assign-tensor-to-parameter",
        "layer = nn.Linear(2, 2)\nlayer.weight = torch.zeros(2, 2)",
    ),
    ("conv-in-channels", "conv = nn.Conv2d(3, 4, 3)\nout = conv(torch.randn(1, 1, 5, 5))"),
    ("conv-input-ndim", "conv = nn.Conv2d(1, 4, 3)\nout = conv(torch.randn(5, 5))"),
    ("conv-kernel-too-large", "conv = nn.Conv2d(1, 1, 5)\nout = conv(torch.randn(1, 1, 3, 3))"),
    ("pool-output-too-small", "out = F.max_pool2d(torch.randn(1, 1, 1, 1), 2)"),
    ("rnn-input-size", "lstm = nn.LSTM(3, 4)\nout = lstm(torch.randn(5, 2, 6))"),
    ("rnn-input-ndim", "lstm = nn.LSTM(3, 4)\nout = lstm(torch.randn(5, 2, 3, 1))"),
    # issue 11: the kinds the catalog used to miss, each with its real torch 2.13 error
    (
        "module-init-not-called",
        "class Net(nn.Module):\n    def __init__(self):\n        self.fc = nn.Linear(2, 2)\n"
        "net = Net()",
    ),
    (
        "missing-forward",
        "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "net = Net()\nout = net(torch.randn(2))",
    ),
    (
        "forward-arguments",
        "class Net(nn.Module):\n    def forward(self, x, y):\n        return x + y\n"
        "out = Net()(torch.randn(2))",
    ),
    (
        "dataloader-empty-dataset",
        "from torch.utils.data import DataLoader\nloader = DataLoader([], shuffle=True)",
    ),
    (
        "collate-pil-image",
        "from PIL import Image\nfrom torch.utils.data import DataLoader\n"
        "batch = next(iter(DataLoader([Image.new('L', (4, 4))] * 2, batch_size=2)))",
    ),
    (
        "collate-none",
        "from torch.utils.data import DataLoader\n"
        "batch = next(iter(DataLoader([None, None], batch_size=2)))",
    ),
    (
        "dataloader-next",
        "from torch.utils.data import DataLoader\nloader = DataLoader([1, 2])\nx = next(loader)",
    ),
    (
        "state-dict-size-mismatch",
        "m = nn.Linear(2, 3)\nm.load_state_dict(nn.Linear(2, 5).state_dict())",
    ),
    (
        "state-dict-keys",
        "m = nn.Sequential(nn.Linear(2, 2))\nm.load_state_dict({'fc.weight': torch.zeros(2, 2)})",
    ),
    ("from-numpy-tensor", "x = torch.randn(3)\ny = torch.from_numpy(x)"),
    ("cat-zero-dim", "losses = [torch.tensor(1.0), torch.tensor(2.0)]\nt = torch.cat(losses)"),
    ("batchnorm-ndim", "bn = nn.BatchNorm2d(4)\nout = bn(torch.randn(3, 4))"),
    (
        "rnn-hidden-size",
        "rnn = nn.GRU(5, 8)\nout, h = rnn(torch.randn(7, 3, 5), torch.zeros(1, 4, 8))",
    ),
    (
        "rnn-hidden-ndim",
        "rnn = nn.GRU(5, 8)\nout, h = rnn(torch.randn(7, 3, 5), torch.zeros(3, 8))",
    ),
    (
        "bce-input-range",
        "scores = torch.tensor([-1.0, 2.0, 0.5])\n"
        "loss = F.binary_cross_entropy(scores, torch.ones(3))",
    ),
    (
        "bce-target-range",
        "loss = F.binary_cross_entropy(torch.rand(3), torch.tensor([0.0, 2.0, 1.0]))",
    ),
    (
        "index-put-dtype",
        "x = torch.zeros(3, 3)\nx[[0, 1]] = torch.ones(2, 3, dtype=torch.float64)",
    ),
    (
        "inplace-expanded-write",
        "J = torch.eye(2).unsqueeze(0).expand(5, 2, 2)\nJ[:, 0, :] = torch.randn(5, 2)",
    ),
    (
        "inplace-overlap",
        "m = torch.tensor([True, False, True])\nm[m] = torch.tensor([False, True])",
    ),
    ("module-not-found", "import torchvision"),
    (
        "load-weights-only",
        "torch.save(nn.Linear(2, 2), '/tmp/tp_test_model.pt')\n"
        "m = torch.load('/tmp/tp_test_model.pt')",
    ),
    (
        "state-dict-not-model",
        "from collections import OrderedDict\nmodel = OrderedDict(nn.Linear(2, 2).state_dict())\n"
        "model.eval()",
    ),
    ("tensor-argument-type", "fc = nn.Linear(3, 2)\ny = fc(np.ones((2, 3)))"),
    ("cat-non-tensor", "t = torch.cat([torch.randn(2), 3])"),
    ("layer-size-not-int", "n = 9\nfc = nn.Linear(n / 2, 3)"),
    ("input-no-stdin", "n = int(input('how many? '))"),
    ("name-error", "y = undefined_name + 1"),
    ("syntax-error", "x = (1, 2\ny = 3"),
    ("tensor-no-attribute", "x = torch.randn(3)\ny = x.astype(np.float32)"),
    ("batchnorm-features", "bn = nn.BatchNorm1d(4)\nout = bn(torch.randn(3, 5))"),
    ("batchnorm-single-sample", "bn = nn.BatchNorm1d(4)\nout = bn(torch.randn(1, 4))"),
]

# Errors a CPU-only torch cannot raise: their exact torch 2.13 message texts.
MESSAGES: list[tuple[str, str, str, str]] = [
    (
        "device-mismatch",
        "RuntimeError",
        "Expected all tensors to be on the same device, but found at least two devices, "
        "cuda:0 and cpu!",
        "y = x + bias",
    ),
    (
        "device-mismatch",
        "RuntimeError",
        "Expected all tensors to be on the same device, but got mat2 is on cpu, different "
        "from other tensors on cuda:0 (when checking argument in method wrapper_CUDA_mm)",
        "y = torch.mm(x, W)",
    ),
    (
        "device-mismatch-conv",
        "RuntimeError",
        "Input type (torch.cuda.FloatTensor) and weight type (torch.FloatTensor) should be "
        "the same or input should be a MKLDNN tensor and weight is a dense tensor",
        "out = conv(x)",
    ),
]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(("entry_id", "code"), CASES, ids=[c[0] for c in CASES])
def test_real_error_gets_its_entry(entry_id: str, code: str, lang: str) -> None:
    facts = run_snippet(code)
    explanation = explain(facts, lang)
    assert explanation is not None, f"{facts.type}: {facts.message}"
    assert explanation.id == entry_id
    for text in (explanation.title, explanation.why, explanation.fix):
        assert text.strip()
        assert not UNFILLED.search(text), text
    if lang == "zh":
        assert CJK.search(explanation.title) and CJK.search(explanation.why)


@pytest.mark.parametrize(("entry_id", "code"), CASES, ids=[c[0] for c in CASES])
def test_entry_holds_without_run_facts(entry_id: str, code: str) -> None:
    """Without operands or tensors the same entry matches and degrades to generic text."""
    facts = run_snippet(code, with_operands=False)
    bare = ErrorFacts(facts.type, facts.message, facts.line_source, tensors=())
    needs = next(e.get("needs") for e in the_catalog.catalog() if e["id"] == entry_id)
    explanation = explain(bare)
    if needs:
        assert explanation is None
        return
    assert explanation is not None and explanation.id == entry_id
    assert not UNFILLED.search(explanation.why + explanation.fix)


@pytest.mark.parametrize(("entry_id", "error_type", "message", "line"), MESSAGES)
def test_device_errors_match_their_exact_messages(
    entry_id: str, error_type: str, message: str, line: str
) -> None:
    for lang in ("en", "zh"):
        explanation = explain(ErrorFacts(error_type, message, line, tensors=()), lang)
        assert explanation is not None and explanation.id == entry_id
        assert "cuda" in explanation.why and not UNFILLED.search(explanation.why)


def test_every_entry_is_exercised() -> None:
    covered = {c[0] for c in CASES} | {m[0] for m in MESSAGES}
    assert {e["id"] for e in the_catalog.catalog()} == covered


def test_view_after_transpose_names_the_real_strides() -> None:
    facts = run_snippet("x = torch.randn(2, 3)\ny = x.transpose(0, 1)\nz = y.view(6)")
    strides = list(torch.randn(2, 3).transpose(0, 1).stride())
    assert strides == [1, 3]
    for lang in ("en", "zh"):
        explanation = explain(facts, lang)
        assert explanation is not None and explanation.id == "view-non-contiguous"
        assert "`y`" in explanation.why and str(strides) in explanation.why
        assert explanation.fix.startswith("y.reshape(6)")


def test_facts_from_the_run_fill_the_templates() -> None:
    matmul = explain(run_snippet("W = torch.randn(4, 3)\nx = torch.randn(5, 2)\nh = W @ x.T + 1"))
    assert matmul is not None
    assert "`W` has shape [4, 3]" in matmul.why and "`x.T` has shape [2, 5]" in matmul.why
    linear = explain(run_snippet("fc = nn.Linear(4, 2)\nout = fc(torch.randn(3, 5))"))
    assert linear is not None and linear.cause == "wrong-in-features"
    assert "`fc` is `Linear(4, 2)`" in linear.why and "`[3, 5]`" in linear.why
    assert linear.fix.startswith("fc = nn.Linear(5, 2)")
    leaf = explain(run_snippet("w = torch.randn(3, requires_grad=True)\nw -= 0.1"), "zh")
    assert leaf is not None and leaf.id == "inplace-leaf" and "`w`" in leaf.why
    backward = explain(run_snippet("x = torch.ones(2, 2, requires_grad=True)\n(x * 3).backward()"))
    assert backward is not None and "[2, 2]" in backward.why


@pytest.mark.parametrize(
    "code",
    [
        "x = 1 / 0",
        "d = {}\nv = d['missing']",
        "def check(v):\n    raise ValueError('learning rate must be positive')\ncheck(-1)",
        "raise RuntimeError('my own training loop gave up')",
        "x = None\nx.foo",
        "x = int('twelve')",
        "import json\njson.loads('{bad')",
        "t = [1, 2]\nn = t.nonexistent_method()",
        "for p in nn.Linear(2, 2).parameters:\n    pass",
        "s = 'abc'\ns.backward()",
        "sizes = len\nn = sizes[0]",
    ],
)
def test_errors_the_catalog_does_not_know_get_none(code: str) -> None:
    facts = run_snippet(code)
    assert explain(facts) is None
    assert explain(facts, "zh") is None


def test_ambiguous_message_is_disambiguated_by_the_line() -> None:
    message = "mat1 and mat2 shapes cannot be multiplied (3x5 and 4x2)"
    ids = {
        line: getattr(explain(ErrorFacts("RuntimeError", message, line, ())), "id", None)
        for line in ("out = fc(x)", "out = x @ W", "out = torch.matmul(x, W)", None)
    }
    assert ids == {
        "out = fc(x)": "linear-in-features",
        "out = x @ W": "matmul-shape-mismatch",
        "out = torch.matmul(x, W)": "matmul-shape-mismatch",
        None: "matmul-shape-mismatch",
    }


def test_a_message_that_names_equal_dtypes_is_not_called_a_dtype_mismatch() -> None:
    message = "Input type (float) and weight type (float) should be the same"
    assert explain(ErrorFacts("RuntimeError", message, "out = conv(x)", ())) is None


def test_unknown_language_falls_back_to_english() -> None:
    facts = run_snippet("x = torch.randn(3)\nv = x.item()")
    assert explain(facts, "fr") == explain(facts, "en")
    assert explain(facts, "en") != explain(facts, "zh")


def test_explanation_serialises_to_json() -> None:
    explanation = explain(run_snippet("x = torch.randn(3)\nv = x.item()"))
    assert explanation is not None
    data = json.loads(json.dumps(explanation.to_json()))
    assert data["id"] == "item-multi-element"
    assert data["lesson"] == "conversion-item-multi-element"
    assert set(data) == {
        "id", "title", "why", "fix", "lesson", "cause", "candidates", "edit", "fix_check"
    }  # fmt: skip


def test_catalog_is_loaded_once() -> None:
    assert the_catalog.compiled() is the_catalog.compiled()
    assert len(the_catalog.catalog()) >= 28


def test_lesson_ids_belong_to_the_curriculum_topics() -> None:
    topics = tuple(f"{topic}-" for topic, _, _ in TOPICS)
    for entry in the_catalog.catalog():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", entry["lesson"]), entry["id"]
        assert entry["lesson"].startswith(topics), entry["id"]


def _good_entry() -> dict[str, Any]:
    return copy.deepcopy(next(e for e in the_catalog.catalog() if e["id"] == "view-non-contiguous"))


def _broken(change: Any) -> list[dict[str, Any]]:
    entry = _good_entry()
    change(entry)
    return [entry]


@pytest.mark.parametrize(
    ("entries", "complaint"),
    [
        (_broken(lambda e: e.pop("zh")), "missing keys"),
        (_broken(lambda e: e["zh"].pop("why")), "zh.why"),
        (_broken(lambda e: e.update(pattern="view size (is")), "missing ), unterminated"),
        (_broken(lambda e: e.update(line_pattern="[")), "unterminated character set"),
        (_broken(lambda e: e.update(id="View_Error")), "kebab-case"),
        (_broken(lambda e: e.update(lesson="views")), "lesson"),
        (_broken(lambda e: e["en"].update(why="see {nme}")), "unknown placeholders"),
        (_broken(lambda e: e["en"].pop("why_generic")), "no why_generic"),
        (_broken(lambda e: e["en"].update(why_generic="{name} again")), "named groups"),
        (_broken(lambda e: e["en"].update(fix="x = {name!r}")), "bare name"),
        (_broken(lambda e: e.update(colour="red")), "unknown keys"),
        ([_good_entry(), _good_entry()], "duplicate id"),
    ],
)
def test_validation_rejects_a_bad_entry(entries: list[dict[str, Any]], complaint: str) -> None:
    with pytest.raises(CatalogError, match=re.escape(complaint)) as caught:
        validate_catalog(entries)
    named = entries[-1]["id"] if isinstance(entries[-1].get("id"), str) else "#0"
    assert str(caught.value).startswith(f"catalog entry {named!r}")


def test_validation_accepts_the_shipped_catalog() -> None:
    assert len(validate_catalog(the_catalog.catalog())) == len(the_catalog.catalog())


def test_matching_is_fast() -> None:
    facts = ErrorFacts("RuntimeError", "something torch has never said " * 20, "y = f(x)", ())
    start = time.perf_counter()
    for _ in range(200):
        assert explain(facts) is None
    assert (time.perf_counter() - start) / 200 < 0.005


def test_partial_or_odd_facts_never_break_the_matcher() -> None:
    message = "view size is not compatible with input tensor's size and stride (...)"
    odd = [
        ErrorFacts("RuntimeError", message, None, ()),
        ErrorFacts("RuntimeError", message, "z = y.view(-1)", [{"name": "y"}], [{"raised": True}]),
        ErrorFacts(
            "RuntimeError",
            message,
            "z = y.view(-1)",
            [{"name": "y", "is_contiguous": False, "stride": None, "shape": [3, 2]}],
            [{"expr": "y.view(-1)", "raised": True, "inputs": None}, {"shape": [1]}],
        ),
    ]
    for facts in odd:
        explanation = explain(facts, "zh")
        assert explanation is not None and explanation.id == "view-non-contiguous"
        assert not UNFILLED.search(explanation.why + explanation.fix)
