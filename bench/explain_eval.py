"""Held-out evaluation of the pitfall catalog on real, varied error snippets.

Each case is a small program written unlike the unit tests (other names, shapes, APIs:
`nn.Linear` vs `F.linear`, `torch.matmul` vs `@`, loss objects vs functions, code inside
`forward`) with the catalog entry it should get, or None for errors the catalog must not
claim. Every snippet really runs under the installed torch. Prints a table and the
accuracy; exits 1 if any explanation is wrong (a miss is tolerated, a wrong one is not).

    .venv/bin/python bench/explain_eval.py
"""

from __future__ import annotations

import sys
import time
import warnings
from types import TracebackType
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from app.explain.matcher import ErrorFacts, explain
from app.inspect.operands import failing_operands

SNIPPET = "<snippet>"

CNN = """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, 3)
        self.head = nn.Linear(8 * 28 * 28, 10)

    def forward(self, images):
        feats = torch.relu(self.conv(images))
        return self.head(feats.flatten(1))

net = Net()
logits = net(torch.randn(2, 1, 28, 28))
"""

TINY = """
class Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.W = nn.Parameter(torch.randn(5, 3))

    def forward(self, x):
        return x @ self.W

tiny = Tiny()
y = tiny(torch.randn(2, 3))
"""

PATCHES = """
class Patches(nn.Module):
    def forward(self, imgs):
        imgs = imgs.permute(0, 2, 3, 1)
        return imgs.view(imgs.size(0), -1)

out = Patches()(torch.randn(2, 3, 4, 4))
"""

TRAIN = """
model = nn.Linear(3, 1)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
x, y = torch.randn(8, 3), torch.randn(8, 1)
for epoch in range(2):
    opt.zero_grad()
    loss = F.mse_loss(model(x), y).item()
    loss.backward()
    opt.step()
"""

CASES: list[tuple[str | None, str]] = [
    ("linear-in-features", CNN),
    (
        "linear-in-features",
        "feats = torch.randn(6, 10)\nweight = torch.randn(3, 12)\nout = F.linear(feats, weight)",
    ),
    (
        "linear-in-features",
        "mlp = nn.Sequential(nn.Linear(20, 16), nn.ReLU(), nn.Linear(32, 1))\n"
        "y_hat = mlp(torch.randn(5, 20))",
    ),
    (
        "bmm-shape-mismatch",
        "q = torch.randn(2, 4, 8)\nk = torch.randn(2, 4, 8)\nscores = torch.matmul(q, k)",
    ),
    (
        "matmul-shape-mismatch",
        "emb = torch.randn(10, 16)\nproj = torch.randn(10, 16)\nsim = torch.matmul(emb, proj)",
    ),
    (
        "dtype-mismatch-linear",
        "data = np.random.rand(8, 4)\n"
        "model = nn.Sequential(nn.Linear(4, 2))\n"
        "pred = model(torch.from_numpy(data))",
    ),
    (
        "dtype-mismatch-matmul",
        "xs = torch.tensor(np.linspace(0, 1, 6)).reshape(2, 3)\n"
        "W = torch.randn(3, 3)\n"
        "ys = xs.matmul(W)",
    ),
    (
        "loss-ce-target-dtype",
        "clf = nn.Linear(5, 3)\n"
        "x = torch.randn(8, 5)\n"
        "labels = torch.randint(0, 3, (8,)).float()\n"
        "crit = nn.CrossEntropyLoss()\n"
        "loss = crit(clf(x), labels)",
    ),
    (
        "loss-ce-target-dtype",
        "logp = F.log_softmax(torch.randn(6, 4), dim=1)\n"
        "y = torch.tensor([0., 3., 1., 2., 2., 0.])\n"
        "loss = F.nll_loss(logp, y)",
    ),
    (
        "loss-target-size-mismatch",
        "crit = nn.BCEWithLogitsLoss()\n"
        "logits = torch.randn(16, 1)\n"
        "y = torch.randint(0, 2, (16,)).float()\n"
        "loss = crit(logits, y)",
    ),
    (
        "loss-bce-target-dtype",
        "criterion = nn.BCEWithLogitsLoss()\n"
        "scores = torch.randn(10)\n"
        "targets = torch.randint(0, 2, (10,))\n"
        "loss = criterion(scores, targets)",
    ),
    (
        "loss-ce-onehot-target",
        "logits = torch.randn(5, 4)\n"
        "labels = torch.eye(4, dtype=torch.long)[torch.tensor([0, 1, 2, 3, 0])]\n"
        "loss = F.cross_entropy(logits, labels)",
    ),
    (
        "loss-ce-target-size",
        "logits = torch.randn(2, 7, 5)  # (batch, seq, classes)\n"
        "tags = torch.randint(0, 5, (2, 7))\n"
        "loss = F.cross_entropy(logits, tags)",
    ),
    (
        "loss-target-out-of-range",
        "head = nn.Linear(8, 4)\n"
        "labels = torch.tensor([1, 2, 3, 4])\n"
        "loss = nn.CrossEntropyLoss()(head(torch.randn(4, 8)), labels)",
    ),
    (
        "view-non-contiguous",
        "img = torch.randn(2, 3, 8, 8)\nflat = img.permute(0, 2, 3, 1).view(2, -1)",
    ),
    (
        "view-non-contiguous",
        "m = torch.arange(12.).reshape(3, 4)\ncols = m[:, :2]\nv = cols.view(6)",
    ),
    ("numpy-requires-grad", "reg = nn.Linear(3, 1)\nx = torch.randn(4, 3)\npreds = reg(x).numpy()"),
    (
        "numpy-requires-grad",
        "theta = torch.zeros(2, requires_grad=True)\nout = theta * 3\narr = np.array(out)",
    ),
    (
        "backward-twice",
        "w = torch.randn(3, requires_grad=True)\n"
        "loss = (w.exp() * 2).sum()\n"
        "for step in range(3):\n"
        "    loss.backward()",
    ),
    ("backward-non-scalar", "net = nn.Linear(3, 1)\nout = net(torch.randn(5, 3))\nout.backward()"),
    (
        "backward-no-grad",
        "model = nn.Linear(2, 1)\n"
        "with torch.no_grad():\n"
        "    val_loss = model(torch.randn(4, 2)).pow(2).mean()\n"
        "val_loss.backward()",
    ),
    (
        "backward-no-grad",
        "x = torch.randn(3, requires_grad=True)\n"
        "feat = x.detach()\n"
        "g = torch.autograd.grad(feat.sum(), feat)",
    ),
    (
        "inplace-leaf",
        "w = torch.randn(4, requires_grad=True)\n"
        "lr = 0.1\n"
        "(w ** 2).sum().backward()\n"
        "w -= lr * w.grad",
    ),
    ("inplace-leaf", "layer = nn.Linear(2, 2)\nlayer.weight.mul_(0.5)"),
    ("inplace-view-of-leaf", "emb = nn.Parameter(torch.randn(4, 3))\nemb[0] = 0.0"),
    (
        "inplace-modified-saved-tensor",
        "x = torch.randn(5, requires_grad=True)\ny = x.exp()\ny[0] = 0.0\ny.sum().backward()",
    ),
    (
        "inplace-modified-saved-tensor",
        "a = torch.randn(4, requires_grad=True)\nh = torch.tanh(a)\nh.add_(1)\nh.mean().backward()",
    ),
    (
        "cat-size-mismatch",
        "left = torch.randn(4, 5)\nright = torch.randn(3, 5)\nboth = torch.cat((left, right), 1)",
    ),
    (
        "stack-size-mismatch",
        "seqs = [torch.randn(n) for n in (3, 3, 4)]\nbatch = torch.stack(seqs)",
    ),
    ("broadcast-mismatch", "x = torch.randn(4, 3)\ncentered = x - x.mean(dim=1)"),
    ("broadcast-mismatch", "a = torch.ones(2, 5)\nb = torch.ones(3, 1)\nc = a * b"),
    ("squeeze-dim-out-of-range", "t = torch.randn(5, 1)\ns = t.squeeze(2)"),
    ("dim-out-of-range", "logits = torch.randn(8, 10)\nprobs = F.softmax(logits, dim=2)"),
    ("reshape-invalid-size", "batch = torch.arange(16)\ngrid = batch.reshape(3, 5)"),
    (
        "item-multi-element",
        "crit = nn.MSELoss(reduction='none')\n"
        "losses = crit(torch.randn(4), torch.randn(4))\n"
        "print(losses.item())",
    ),
    (
        "tensor-from-tensor-list",
        "vecs = [torch.randn(3) for _ in range(4)]\nmat = torch.tensor(vecs)",
    ),
    (
        "tensor-from-tensor-list",
        "vecs = [torch.randn(3) for _ in range(4)]\nmat = torch.FloatTensor(vecs)",
    ),
    ("create-ragged-list", "seqs = [[5, 2, 9], [4, 1]]\nbatch = torch.LongTensor(seqs)"),
    (
        "bool-subtract",
        "mask1 = torch.rand(6) > 0.5\nmask2 = torch.rand(6) > 0.2\nonly_first = mask1 - mask2",
    ),
    ("requires-grad-integer", "counts = nn.Parameter(torch.arange(4))"),
    ("expand-size-mismatch", "bias = torch.randn(3)\nbig = bias.expand(5, 4)"),
    (
        "optimizer-non-leaf",
        "w = torch.randn(3, 3, requires_grad=True).double()\nopt = torch.optim.Adam([w], lr=1e-3)",
    ),
    ("index-out-of-bounds", "labels = torch.arange(10)\nlast = labels[10]"),
    (
        "index-out-of-range-in-self",
        "vocab = nn.Embedding(100, 8)\n"
        "token_ids = torch.tensor([[3, 57, 100]])\n"
        "vecs = vocab(token_ids)",
    ),
    ("index-float-scalar", "x = torch.randn(9)\nmid = x[x.shape[0] / 2]"),
    ("grad-is-none", "w = torch.randn(3, requires_grad=True)\nprint(w.grad.norm())"),
    (
        "batchnorm-single-sample",
        "net = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))\nout = net(torch.randn(1, 4))",
    ),
    (
        "conv-in-channels",
        "conv = nn.Conv2d(3, 16, 3)\n"
        "img = torch.rand(1, 28, 28, 3)  # channels last\n"
        "feat = conv(img)",
    ),
    (
        "rnn-input-size",
        "rnn = nn.GRU(input_size=10, hidden_size=20, batch_first=True)\n"
        "out, h = rnn(torch.randn(4, 7, 12))",
    ),
    ("mm-not-matrix", "v = torch.randn(4)\nM = torch.randn(4, 4)\nr = torch.mm(v, M)"),
    ("bmm-not-3d", "A = torch.randn(8, 3, 4)\nB = torch.randn(4, 5)\nC = torch.bmm(A, B)"),
    ("cuda-not-available", "device = torch.device('cuda')\nx = torch.ones(3).to(device)"),
    ("mean-integer", "scores = torch.tensor([90, 85, 77])\navg = scores.mean()"),
    ("dtype-inplace-result-cast", "steps = torch.arange(10)\nsteps *= 0.5"),
    ("bool-ambiguous", "err = torch.tensor([0.5, 0.1])\nwhile err > 1e-3:\n    err = err / 2"),
    ("cat-not-a-list", "a = torch.zeros(2)\nb = torch.ones(2)\nab = torch.stack(a, b)"),
    ("matmul-shape-mismatch", TINY),
    ("view-non-contiguous", PATCHES),
    ("python-number-not-tensor", TRAIN),
    (
        "linear-in-features",
        "clf = nn.Linear(784, 10)\nbatch = torch.randn(2, 1, 28, 28)\nscores = clf(batch)",
    ),
    (
        "broadcast-mismatch",
        "pred = torch.randn(4, 2)\ntarget = torch.randn(4, 3)\nloss = F.mse_loss(pred, target)",
    ),
    (
        "broadcast-mismatch",
        "W = torch.randn(4, 3)\nx = torch.randn(5, 3)\nb = torch.randn(5, 1)\nh = W @ x.T + b",
    ),
    ("create-from-strings", "ys = ['spam', 'ham', 'spam']\nlabels = torch.LongTensor(ys)"),
    (
        "create-numpy-object",
        "col = np.array([1, 'a', None], dtype=object)\nt = torch.from_numpy(col)",
    ),
    (
        "optimizer-parameters-not-called",
        "net = nn.Sequential(nn.Linear(3, 3))\n"
        "optimizer = torch.optim.Adam(net.parameters, lr=1e-3)",
    ),
    ("shape-not-callable", "batch = torch.randn(16, 4)\nfor i in range(batch.shape(0)):\n    pass"),
    (
        "loss-bce-target-dtype",
        "objective = nn.BCEWithLogitsLoss()\n"
        "s = torch.randn(6)\n"
        "t = torch.randint(0, 2, (6,))\n"
        "err = objective(s, t)",
    ),
    (None, "r = torch.einsum('ij,jk->ik', torch.randn(2, 3), torch.randn(4, 5))"),
    (None, "layer = nn.Linear(10)"),
    (None, "s = 'abc'\ns.backward()"),
    (
        "module-assign-tensor-to-parameter",
        "net = nn.Sequential(nn.Linear(4, 3))\nnet[0].bias = torch.zeros(3)",
    ),
    (None, "n = int('abc')"),
    (
        None,
        "def load(path):\n"
        "    raise TypeError('expected a path, got ' + type(path).__name__)\n"
        "load(3)",
    ),
    (None, "lst = [1, 2]\nv = lst[5]"),
    (None, "cfg = {'lr': 0.1}\nbs = cfg['batch_size']"),
    (None, "x = torch.randn(3, 4)\nassert x.shape == (4, 3), 'unexpected shape'"),
    (None, "x = torch.randn(3)\ny = x.foo"),
    (None, "import math\nr = math.sqrt(-1)"),
    (None, "def train():\n    raise RuntimeError('loss diverged at step 7')\ntrain()"),
    (None, "y = F.dropout(torch.randn(3), p=1.5)"),
    (None, "r = torch.arange(0, 5, 0)"),
    (None, "top = torch.randn(3).topk(10)"),
    (None, "total = None\ntotal = total + 1"),
    (
        None,
        "w = torch.randn(3, requires_grad=True)\n"
        "(w * 2).sum().backward()\n"
        "scale = None\n"
        "step = w.grad * scale",
    ),
]


def tensor_info(name: str, t: torch.Tensor) -> dict[str, Any]:
    grad = t.grad if (t.is_leaf or t.retains_grad) else None
    return {
        "name": name,
        "shape": list(t.shape),
        "dtype": str(t.dtype),
        "device": str(t.device),
        "stride": list(t.stride()),
        "is_contiguous": t.is_contiguous(),
        "requires_grad": t.requires_grad,
        "is_leaf": t.is_leaf,
        "grad_fn": None if t.grad_fn is None else type(t.grad_fn).__name__,
        "grad": None if grad is None else {"shape": list(grad.shape)},
    }


def failure_facts(code: str) -> ErrorFacts | None:
    """Run `code` like the sandbox does; the facts of its failure, or None if it ran."""
    namespace: dict[str, Any] = {"torch": torch, "nn": nn, "F": F, "np": np}
    try:
        exec(compile(code, SNIPPET, "exec"), namespace)
    except Exception as exc:
        tb = _last_snippet_frame(exc.__traceback__)
        line = code.splitlines()[tb.tb_lineno - 1].strip() if tb else None
        frame = tb.tb_frame if tb else None
        operands = failing_operands(line, frame.f_globals, frame.f_locals) if frame and line else []
        tensors = [tensor_info(k, v) for k, v in namespace.items() if isinstance(v, torch.Tensor)]
        return ErrorFacts(type(exc).__name__, str(exc), line, tensors, operands)
    return None


def _last_snippet_frame(tb: TracebackType | None) -> TracebackType | None:
    found = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == SNIPPET:
            found = tb
        tb = tb.tb_next
    return found


def main() -> int:
    warnings.simplefilter("ignore")
    torch.manual_seed(0)
    tally = {"right": 0, "wrong explanation": 0, "missed": 0}
    print(f"{'#':>3}  {'expected':<32} {'got':<32} verdict   error")
    started = time.perf_counter()
    for number, (expected, code) in enumerate(CASES, 1):
        facts = failure_facts(code)
        if facts is None:
            print(f"{number:>3}  snippet did not raise: fix the bench\n{code}")
            return 2
        explanation = explain(facts)
        got = explanation.id if explanation else None
        if got == expected:
            verdict = "right"
        elif got is None:
            verdict = "missed"
        else:
            verdict = "wrong explanation"
        tally[verdict] += 1
        message = f"{facts.type}: {facts.message}".splitlines()[0][:60]
        print(f"{number:>3}  {expected!s:<32} {got!s:<32} {verdict:<9} {message}")
    elapsed = time.perf_counter() - started
    total = len(CASES)
    print()
    for verdict, count in tally.items():
        print(f"{verdict:<18} {count:>3} / {total}  ({100 * count / total:.1f}%)")
    print(f"{len(CASES)} snippets run and explained in {elapsed:.2f} s")
    return 1 if tally["wrong explanation"] else 0


if __name__ == "__main__":
    sys.exit(main())
