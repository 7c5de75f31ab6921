"""Every cause of the catalog, chosen by the run's facts, through the real runner.

Each row is a snippet that raises a real torch 2.13 error for one reason; the explanation must
name that entry and cause (or list the candidates, where the snippet cannot tell), fill every
placeholder in both languages, and, where the fix is a concrete edit of the snippet, the
edited snippet must behave as the row says: run (`True`) or still fail (`False`, and then the
page never shows it as working).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from app.explain.edits import apply_edit
from app.sandbox.runner import run_snippet_here

UNFILLED = re.compile(r"\{[A-Za-z_]\w*\}")
CJK = re.compile(r"[\u4e00-\u9fff]")
NO_EDIT = None

CAUSES: list[tuple[str, str, bool | None]] = [
    # (entry/cause, snippet, what the edited snippet does: True runs, False fails, None no edit)
    ("linear-in-features/unflattened",
     "fc = nn.Linear(3 * 8 * 8, 5)\nimgs = torch.randn(4, 3, 8, 8)\nout = fc(imgs)", True),
    ("linear-in-features/flatten-and-resize",
     "fc = nn.Linear(100, 5)\nout = fc(torch.randn(4, 3, 8, 8))", NO_EDIT),
    ("linear-in-features/transposed",
     "fc = nn.Linear(6, 2)\nx = torch.randn(6, 1)\ny = fc(x)", True),
    ("linear-in-features/wrong-in-features",
     "head = nn.Linear(128, 10)\nfeats = torch.randn(8, 64)\nlogits = head(feats)", True),
    ("linear-in-features",
     "proj = nn.Linear(32, 8)\nseq = torch.randn(2, 7, 16)\nout = proj(seq)", NO_EDIT),
    ("stack-size-mismatch/collate-samples",
     "from torch.utils.data import DataLoader\n"
     "loader = DataLoader([torch.zeros(3), torch.zeros(4)], batch_size=2)\nb = next(iter(loader))",
     NO_EDIT),
    ("stack-size-mismatch", "s = torch.stack([torch.zeros(2, 3), torch.zeros(2, 4)])", NO_EDIT),
    ("backward-twice/rnn-state",
     "rnn = nn.GRU(3, 4)\nh = torch.zeros(1, 2, 4)\nfor step in range(2):\n"
     "    out, h = rnn(torch.randn(5, 2, 3), h)\n    out.sum().backward()", True),
    ("backward-twice",
     "w = torch.randn(3, requires_grad=True)\ny = (w * w).sum()\ny.backward()\ny.backward()",
     NO_EDIT),
    ("conv-input-ndim/flat-images",
     "conv = nn.Conv2d(1, 4, 3)\nbatch = torch.randn(16, 784)\nout = conv(batch)", True),
    ("conv-input-ndim/extra-dim",
     "conv = nn.Conv2d(3, 4, 3)\nx = torch.randn(2, 3, 9, 9)\nout = conv(x.unsqueeze(1))", True),
    ("conv-input-ndim/single-image",
     "conv = nn.Conv2d(1, 4, 3)\nimg = torch.randn(28, 28)\nout = conv(img)", True),
    ("loss-target-out-of-range/binary-mask",
     "logits = torch.randn(2, 2, 4, 4)\nmask = (torch.rand(2, 4, 4) > 0.5).long() * 255\n"
     "loss = F.cross_entropy(logits, mask)", True),
    ("loss-target-out-of-range/negative-label",
     "loss = F.cross_entropy(torch.randn(3, 4), torch.tensor([0, -1, 2]))", NO_EDIT),
    ("loss-target-out-of-range/void-label",
     "crit = nn.CrossEntropyLoss()\nlabels = torch.tensor([0, 3, 1, 255, 2])\n"
     "loss = crit(torch.randn(5, 4), labels)", NO_EDIT),
    ("loss-target-out-of-range/labels-from-one",
     "labels = torch.tensor([1, 2, 3, 3, 1])\nloss = F.cross_entropy(torch.randn(5, 3), labels)",
     True),
    ("loss-target-out-of-range/too-few-outputs",
     "model = nn.Linear(4, 3)\ny = torch.tensor([0, 5, 2])\n"
     "loss = F.cross_entropy(model(torch.randn(3, 4)), y)", NO_EDIT),
    ("loss-batch-size-mismatch/onehot-flattened",
     "logits = torch.randn(4, 3)\nonehot = F.one_hot(torch.tensor([0, 1, 2, 1]), 3)\n"
     "loss = F.cross_entropy(logits, onehot.view(-1))", NO_EDIT),
    ("loss-batch-size-mismatch/target-missing-batch",
     "loss = F.cross_entropy(torch.randn(1, 3, 5, 5), torch.randint(0, 3, (5, 5)))", True),
    ("loss-batch-size-mismatch/view-mixes-batch",
     "feats = torch.randn(8, 16, 2, 2)\nfc = nn.Linear(16, 5)\n"
     "loss = F.cross_entropy(fc(feats.view(-1, 16)), torch.randint(0, 5, (8,)))", NO_EDIT),
    ("loss-ce-target-2d/column",
     "labels = torch.randint(0, 3, (6, 1))\nloss = F.cross_entropy(torch.randn(6, 3), labels)",
     True),
    ("loss-ce-target-dtype/float-labels",
     "crit = nn.CrossEntropyLoss()\nloss = crit(torch.randn(3, 4), torch.tensor([0.0, 2.0, 1.0]))",
     True),
    ("loss-ce-onehot-target/onehot",
     "y = F.one_hot(torch.tensor([2, 0, 1]), 3)\n"
     "loss = F.cross_entropy(torch.randn(3, 3), y)", True),
    ("batchnorm-single-sample/layer-in-forward",
     "class Net(nn.Module):\n    def forward(self, x):\n        return nn.BatchNorm1d(4)(x)\n"
     "net = Net()\nnet.eval()\ny = net(torch.randn(1, 4))", NO_EDIT),
    ("batchnorm-single-sample/inference",
     "model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))\n"
     "with torch.no_grad():\n    pred = model(torch.randn(1, 4))", True),
    ("batchnorm-single-sample/training",
     "model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))\n"
     "loss = model(torch.randn(1, 4)).sum()\nloss.backward()", NO_EDIT),
    ("rnn-input-size/wrong-input-size",
     "lstm = nn.LSTM(10, 20)\nout, _ = lstm(torch.randn(5, 3, 12))", True),
    ("index-out-of-range-in-self/ids-too-large",
     "emb = nn.Embedding(10, 4)\nids = torch.tensor([[1, 4, 12]])\nv = emb(ids)", True),
    ("index-out-of-range-in-self/negative-ids",
     "emb = nn.Embedding(10, 4)\nv = emb(torch.tensor([3, -1]))", NO_EDIT),
    ("inplace-modified-saved-tensor/inplace-relu",
     "act = nn.ReLU(inplace=True)\nx = torch.randn(4, requires_grad=True)\nh = x * 2\n"
     "s = h.sigmoid()\nr = act(s)\n(r * s).sum().backward()", True),
    ("inplace-modified-saved-tensor/inplace-op",
     "x = torch.randn(3, requires_grad=True)\ny = torch.sigmoid(x)\ny[0] = 0\ny.sum().backward()",
     True),
    ("inplace-modified-saved-tensor",
     "act = nn.ReLU(inplace=True)\na = torch.randn(4, requires_grad=True)\nb = act(a * 2)\n"
     "b += 1\nb.sum().backward()", NO_EDIT),
    ("conv-in-channels/channels-last",
     "conv = nn.Conv2d(3, 8, 3)\nphotos = torch.rand(2, 32, 32, 3)\nout = conv(photos)", True),
    ("conv-in-channels/previous-layer",
     "net = nn.Sequential(nn.Conv2d(3, 16, 3), nn.ReLU(), nn.Conv2d(32, 8, 3))\n"
     "out = net(torch.randn(1, 3, 12, 12))", True),
    ("conv-in-channels/grayscale",
     "rgb_stem = nn.Conv2d(3, 8, 3)\ngray = torch.rand(4, 1, 16, 16)\nout = rgb_stem(gray)", True),
    ("conv-in-channels/rgb-into-gray",
     "stem = nn.Conv2d(1, 8, 3)\nrgb = torch.rand(4, 3, 16, 16)\nout = stem(rgb)", True),
    ("module-init-not-called/super-too-late",
     "class Net(nn.Module):\n    def __init__(self):\n        self.fc = nn.Linear(2, 2)\n"
     "        super().__init__()\nnet = Net()", NO_EDIT),
    ("module-init-not-called/super-missing",
     "class Net(nn.Module):\n    def __init__(self):\n        self.size = 2\n"
     "        self.fc = nn.Linear(2, 2)\nnet = Net()", True),
    ("missing-forward/container",
     "layers = nn.ModuleList([nn.Linear(2, 2)])\ny = layers(torch.randn(1, 2))", NO_EDIT),
    ("missing-forward/misspelled",
     "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
     "        self.fc = nn.Linear(2, 1)\n    def forwrd(self, x):\n        return self.fc(x)\n"
     "y = Net()(torch.randn(3, 2))", True),
    ("missing-forward/not-in-class",
     "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
     "def forward(self, x):\n    return x\ny = Net()(torch.randn(3))", NO_EDIT),
    ("dataloader-next/iterator-next",
     "from torch.utils.data import DataLoader\nit = iter(DataLoader([1, 2]))\nx = it.next()", True),
    ("dataloader-next/loader-next",
     "from torch.utils.data import DataLoader\nloader = DataLoader([1, 2])\n"
     "x = loader.next()", True),
    ("state-dict-size-mismatch/head",
     "class Net(nn.Module):\n    def __init__(self, n):\n        super().__init__()\n"
     "        self.body = nn.Linear(8, 8)\n        self.head = nn.Linear(8, n)\n"
     "Net(2).load_state_dict(Net(10).state_dict())", NO_EDIT),
    ("state-dict-size-mismatch/architecture",
     "def make(w):\n"
     "    return nn.Sequential(nn.Linear(4, w), nn.ReLU(), nn.Linear(w, w), nn.Linear(w, 2))\n"
     "make(8).load_state_dict(make(16).state_dict())", NO_EDIT),
    ("state-dict-keys/module-prefix",
     "model = nn.Sequential(nn.Linear(2, 2))\n"
     "state = {'module.' + k: v for k, v in model.state_dict().items()}\n"
     "model.load_state_dict(state)", True),
    ("state-dict-keys/model-prefix",
     "model = nn.DataParallel(nn.Sequential(nn.Linear(2, 2)))\n"
     "model.load_state_dict(nn.Sequential(nn.Linear(2, 2)).state_dict())", NO_EDIT),
    ("state-dict-keys/architecture",
     "model = nn.Sequential(nn.Linear(2, 2))\n"
     "model.load_state_dict(nn.Sequential(nn.ReLU(), nn.Linear(2, 2)).state_dict())", NO_EDIT),
    ("from-numpy-tensor/already-tensor",
     "x = torch.randn(3)\narr = torch.from_numpy(x)", True),
    ("cat-zero-dim/list-of-scalars",
     "losses = [torch.randn(4).mean() for _ in range(3)]\ntotal = torch.cat(losses)", True),
    ("cat-zero-dim/scalar-into-1d",
     "history = torch.zeros(2)\nloss = torch.tensor(0.5)\nhistory = torch.cat((history, loss))",
     NO_EDIT),
    ("batchnorm-ndim/use-1d",
     "head = nn.Sequential(nn.Linear(16, 8), nn.BatchNorm2d(8))\nout = head(torch.randn(4, 16))",
     True),
    ("batchnorm-ndim/use-2d",
     "body = nn.Sequential(nn.Conv2d(3, 6, 3), nn.BatchNorm1d(6))\n"
     "out = body(torch.randn(2, 3, 8, 8))", True),
    ("batchnorm-ndim/use-3d",
     "body = nn.Sequential(nn.Conv3d(1, 4, 3), nn.BatchNorm2d(4))\n"
     "out = body(torch.randn(2, 1, 6, 6, 6))", True),
    ("batchnorm-ndim/missing-batch",
     "bn = nn.BatchNorm1d(5)\nbn.eval()\nsample = torch.randn(5)\nout = bn(sample)", True),
    ("rnn-hidden-size/batch-first",
     "rnn = nn.GRU(4, 8, batch_first=True)\nx = torch.randn(6, 3, 4)\nh0 = torch.zeros(1, 3, 8)\n"
     "out, h = rnn(x, h0)", NO_EDIT),
    ("rnn-hidden-size/fixed-batch",
     "rnn = nn.GRU(4, 8)\nh0 = torch.zeros(1, 16, 8)\nout, h = rnn(torch.randn(5, 3, 4), h0)",
     NO_EDIT),
    ("bce-input-range/logits",
     "net = nn.Linear(3, 1)\nx = torch.randn(8, 3) * 10\n"
     "loss = nn.BCELoss()(net(x), torch.ones(8, 1))", True),
    ("bce-target-range/mask-255",
     "pred = torch.sigmoid(torch.randn(4))\nmask = torch.tensor([0.0, 255.0, 255.0, 0.0])\n"
     "loss = F.binary_cross_entropy(pred, mask)", True),
    ("index-put-dtype/cast-source",
     "x = torch.zeros(4)\nidx = torch.tensor([0, 2])\n"
     "x[idx] = torch.tensor([1.0, 2.0], dtype=torch.float64)",
     True),
    ("inplace-expanded-write/clone-expanded",
     "base = torch.zeros(1, 3)\ngrid = base.expand(4, 3)\ngrid[:, 0] = torch.arange(4.0)", True),
    ("inplace-overlap/clone-source",
     "keep = torch.tensor([True, True, False])\nkeep[keep] = torch.tensor([False, True])", True),
    ("module-not-found/not-installed", "from torchvision import transforms", NO_EDIT),
    ("module-not-found", "import numpyy", NO_EDIT),
    ("name-error/self-attribute",
     "class Trainer:\n    def __init__(self):\n        self.device = 'cpu'\n"
     "    def move(self, x):\n        return x.to(device)\nTrainer().move(torch.zeros(1))", True),
    ("name-error/not-imported",
     "model = nn.Linear(2, 1)\nopt = optim.Adam(model.parameters())", True),
    ("name-error/typo",
     "learning_rate = 0.1\nw = torch.zeros(2)\nw = w - learnig_rate", True),
    ("name-error/defined-later", "y = x * 2\nx = torch.ones(3)", NO_EDIT),
    ("load-weights-only/trusted-file",
     "torch.save(nn.Linear(2, 2), '/tmp/tp_causes_model.pt')\n"
     "model = torch.load('/tmp/tp_causes_model.pt')", True),
    ("tensor-argument-type/numpy",
     "import numpy as np\nfc = nn.Linear(3, 2)\ny = fc(np.random.rand(4, 3))", NO_EDIT),
    ("tensor-argument-type/tuple",
     "lstm = nn.LSTM(3, 5)\nfc = nn.Linear(5, 1)\ny = fc(lstm(torch.randn(2, 1, 3)))", NO_EDIT),
    ("reshape-invalid-size/flatten-size",
     "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
     "        self.conv = nn.Conv2d(3, 6, 5)\n        self.fc = nn.Linear(6 * 5 * 5, 10)\n"
     "    def forward(self, x):\n        x = self.conv(x)\n        x = x.view(-1, 6 * 5 * 5)\n"
     "        return self.fc(x)\nout = Net()(torch.randn(4, 3, 32, 32))", False),
    ("dataloader-next/not-an-iterator",
     "from torch.utils.data import DataLoader\nloader = DataLoader([1, 2])\n"
     "x = next(loader)", True),
    ("tensor-no-attribute/numpy-name", "x = torch.randn(3)\ny = x.astype(np.float32)", NO_EDIT),
    ("tensor-no-attribute/typo", "x = torch.randn(3)\nn = x.numell()", True),
    ("syntax-error/unclosed-bracket", "x = torch.tensor([1, 2,\ny = 3", NO_EDIT),
    ("syntax-error/missing-colon", "for i in range(3)\n    print(i)", NO_EDIT),
    ("syntax-error/unexpected-indent", "x = 1\n    y = 2", NO_EDIT),
    ("syntax-error/expected-indent", "def f(x):\nreturn x", NO_EDIT),
    ("syntax-error/missing-comma", "x = torch.tensor([1 2 3])", NO_EDIT),
    ("syntax-error/assign-in-condition", "x = 3\nif x = 3:\n    pass", NO_EDIT),
    ("syntax-error/print-statement", "print 'hello'", NO_EDIT),
    ("syntax-error/unterminated-string", "name = 'resnet\nprint(name)", NO_EDIT),
    ("syntax-error/inconsistent-indent",
     "def f(x):\n        y = x\n    return y", NO_EDIT),
]  # fmt: skip


def explained(code: str, lang: str = "en") -> tuple[dict[str, Any], dict[str, Any]]:
    report = run_snippet_here(code, trace=False, lang=lang, timeout_s=20)
    assert report["error"] is not None, "the snippet ran"
    explanation = report["error"]["explanation"]
    assert explanation is not None, report["error"]["message"]
    return report, explanation


@pytest.mark.parametrize(("expect", "code", "edit_runs"), CAUSES, ids=[c[0] for c in CAUSES])
def test_the_run_facts_choose_the_cause(expect: str, code: str, edit_runs: bool | None) -> None:
    entry, _, cause = expect.partition("/")
    for lang in ("en", "zh"):
        _, explanation = explained(code, lang)
        assert (explanation["id"], explanation["cause"]) == (entry, cause or None)
        if not cause:
            assert explanation["candidates"] or not _has_causes(entry)
        for field in ("title", "why", "fix"):
            assert explanation[field].strip() and not UNFILLED.search(explanation[field])
        if lang == "zh":
            assert CJK.search(explanation["title"] + explanation["why"])
    edit = explanation["edit"]
    if edit_runs is None:
        assert edit is None
        return
    assert edit is not None, "expected a concrete edit"
    assert edit["text"].strip() in explanation["fix"]
    fixed = apply_edit(code, edit)
    assert fixed is not None
    rerun = run_snippet_here(fixed, trace=False, timeout_s=20)
    assert (rerun["error"] is None) is edit_runs, rerun["error"]


def _has_causes(entry_id: str) -> bool:
    from app.explain.pitfall_catalog import catalog

    return bool(next(e for e in catalog() if e["id"] == entry_id).get("causes"))


def test_every_cause_of_the_catalog_is_exercised() -> None:
    from app.explain.pitfall_catalog import catalog

    causes = {f"{e['id']}/{c['id']}" for e in catalog() for c in e.get("causes", [])}
    assert causes == {c[0] for c in CAUSES if "/" in c[0]}


def test_the_explanation_speaks_of_this_code() -> None:
    """The issue's first example, in the snippet's own terms."""
    _, explanation = explained(
        "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.fc = nn.Linear(784, 10)\n    def forward(self, x):\n"
        "        return self.fc(x)\n"
        "model = Net()\nbatch = torch.randn(100, 1, 28, 28)\nout = model(batch)"
    )
    assert "`model.fc` is `Linear(784, 10)`" in explanation["why"]
    assert "4-D batch `[100, 1, 28, 28]`" in explanation["why"]
    assert explanation["edit"]["text"] == "        return self.fc(x.flatten(1))"


def test_a_syntax_error_shows_the_caret_under_the_line() -> None:
    report, explanation = explained("x = [1, 2\ny = 3")
    assert report["error"]["type"] == "SyntaxError"
    assert explanation["fix"].startswith("x = [1, 2\n    ^")
    assert "line 1" in explanation["why"]


def test_input_says_there_is_no_keyboard_in_the_sandbox(run_snippet: Any) -> None:
    report = run_snippet("n = int(input('How many epochs? '))\nprint(n)")
    explanation = report["error"]["explanation"]
    assert report["error"]["type"] == "EOFError"
    assert explanation["id"] == "input-no-stdin"
    assert "no keyboard" in explanation["why"] and "n = 5" in explanation["fix"]


def test_missing_torchvision_is_explained_in_the_sandbox(run_snippet: Any) -> None:
    report = run_snippet("import torchvision.transforms as T", lang="zh")
    explanation = report["error"]["explanation"]
    assert (explanation["id"], explanation["cause"]) == ("module-not-found", "not-installed")
    assert "torchvision" in explanation["title"] and "没有安装" in explanation["title"]
