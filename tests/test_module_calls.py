"""The shape trace (`module_calls` of API.md): every nn.Module call, recorded by global hooks.

Checked against torch itself, against torchinfo's per-layer output shapes (an independent
implementation) for a CNN, an LSTM and a Transformer encoder, and against the shared
conformance checker run on the real server.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.modules import module as torch_module

from app.inspect.module_calls import ModuleCallRecorder, parameter_count, qualified_names
from app.sandbox.limits import RunLimits
from app.sandbox.runner import run_snippet_here
from tests.conftest import LiveServer

CHECKER = Path(__file__).resolve().parents[2] / "shared" / "conformance" / "module_calls.py"
SNIPPET = "<snippet>"


def record(code: str, max_calls: int = 2000) -> tuple[ModuleCallRecorder, dict[str, Any]]:
    """Run `code` as a snippet under the recorder; the recorder and the namespace."""
    namespace: dict[str, Any] = {"__name__": "__main__", "torch": torch, "nn": nn, "F": F}
    namespace["np"] = np
    recorder = ModuleCallRecorder(max_calls)
    try:
        with recorder:
            exec(compile(code, SNIPPET, "exec"), namespace)
    except Exception:
        pass
    return recorder, namespace


def calls_of(code: str, **kwargs: Any) -> list[dict[str, Any]]:
    recorder, namespace = record(code, **kwargs)
    return recorder.to_json(namespace)


def test_nested_calls_have_names_depths_lines_and_shapes() -> None:
    calls = calls_of(
        "class MLP(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.fc1 = nn.Linear(4, 8)\n"
        "        self.fc2 = nn.Linear(8, 2)\n"
        "    def forward(self, x):\n"
        "        return self.fc2(torch.relu(self.fc1(x)))\n"
        "mlp = MLP()\n"
        "y = mlp(torch.randn(3, 4))\n"
    )
    assert [(c["module"], c["type"], c["depth"], c["line"]) for c in calls] == [
        ("mlp", "MLP", 0, 9),
        ("mlp.fc1", "Linear", 1, 9),
        ("mlp.fc2", "Linear", 1, 9),
    ]
    assert [c["input_shapes"] for c in calls] == [[[3, 4]], [[3, 4]], [[3, 8]]]
    assert [c["output_shapes"] for c in calls] == [[[3, 2]], [[3, 8]], [[3, 2]]]
    assert [c["parameters"] for c in calls] == [4 * 8 + 8 + 8 * 2 + 2, 40, 18]
    assert not any(c["failed"] for c in calls)


def test_keyword_tensors_count_after_positional_ones() -> None:
    calls = calls_of(
        "mha = nn.MultiheadAttention(4, 2, batch_first=True)\n"
        "q = torch.randn(2, 3, 4)\n"
        "mask = torch.zeros(2, 3, dtype=torch.bool)\n"
        "out, weights = mha(q, q, q, key_padding_mask=mask, need_weights=True)\n"
    )
    assert calls[0]["input_shapes"] == [[2, 3, 4]] * 3 + [[2, 3]]
    assert calls[0]["output_shapes"] == [[2, 3, 4], [2, 3, 3]]


def test_the_failing_chain_is_marked_and_has_no_outputs() -> None:
    calls = calls_of(
        "net = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU())\nout = net(torch.randn(4, 28, 28, 3))\n"
    )
    assert [(c["module"], c["failed"], c["output_shapes"]) for c in calls] == [
        ("net", True, None),
        ("net.0", True, None),
    ]


def test_an_error_caught_inside_forward_fails_only_the_inner_call() -> None:
    calls = calls_of(
        "class Safe(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.bad = nn.Linear(2, 2)\n"
        "    def forward(self, x):\n"
        "        try:\n"
        "            return self.bad(x)\n"
        "        except RuntimeError:\n"
        "            return x\n"
        "safe = Safe()\n"
        "y = safe(torch.randn(1, 3))\n"
    )
    assert [(c["module"], c["failed"]) for c in calls] == [("safe", False), ("safe.bad", True)]
    assert calls[0]["output_shapes"] == [[1, 3]]


def test_a_base_exception_skips_the_hooks_but_the_open_calls_are_failed() -> None:
    code = (
        "class Stop(nn.Module):\n"
        "    def forward(self, x):\n"
        "        raise KeyboardInterrupt\n"
        "outer = nn.Sequential(Stop())\n"
    )
    recorder, namespace = record(code)
    with pytest.raises(KeyboardInterrupt), recorder:
        namespace["outer"](torch.randn(2))
    calls = recorder.to_json(namespace)
    assert [(c["module"], c["failed"]) for c in calls] == [("outer", True), ("outer.0", True)]


def test_names_come_from_the_first_variable_and_unreachable_modules_are_null() -> None:
    calls = calls_of(
        "block = nn.Sequential(nn.Linear(5, 5), nn.LayerNorm(5))\n"
        "norm = block[1]\n"
        "z = norm(torch.randn(2, 5))\n"
        "w = nn.Dropout(0.0)(z)\n"
    )
    assert [c["module"] for c in calls] == ["block.1", None]


def test_a_discarded_module_is_never_confused_with_a_later_one() -> None:
    calls = calls_of(
        "outs = [nn.Linear(3, 3)(torch.randn(1, 3)) for _ in range(20)]\nkeep = nn.Linear(3, 3)\n"
    )
    assert len(calls) == 20 and all(c["module"] is None for c in calls)


def test_calls_past_the_cap_are_counted_not_kept() -> None:
    recorder, namespace = record(
        "lin = nn.Sequential(nn.Linear(2, 2), nn.ReLU())\nfor _ in range(10):\n"
        "    y = lin(torch.randn(1, 2))\n",
        max_calls=5,
    )
    calls = recorder.to_json(namespace)
    assert recorder.truncated and len(calls) == 5
    assert [c["depth"] for c in calls] == [0, 1, 1, 0, 1]


def test_the_hooks_are_only_installed_for_the_run() -> None:
    before = dict(torch_module._global_forward_hooks), dict(torch_module._global_forward_pre_hooks)
    recorder, _ = record("y = nn.Linear(2, 2)(torch.randn(1, 2))")
    assert len(recorder.calls) == 1
    after = dict(torch_module._global_forward_hooks), dict(torch_module._global_forward_pre_hooks)
    assert after == before
    assert nn.Linear(2, 2)(torch.randn(1, 2)).shape == (1, 2)  # and nothing records now
    assert len(recorder.calls) == 1


def test_a_snippet_without_modules_records_nothing() -> None:
    assert calls_of("x = torch.randn(3)\ny = x * 2\nz = F.relu(y)") == []


def test_parameter_counts_and_names_read_no_user_code() -> None:
    class Sneaky(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc = nn.Linear(3, 2)

        def named_modules(self, *args: Any, **kwargs: Any) -> Any:
            raise AssertionError("user code ran")

        def parameters(self, recurse: bool = True) -> Any:
            raise AssertionError("user code ran")

    sneaky = Sneaky()
    assert parameter_count(sneaky) == 8
    assert qualified_names({"m": sneaky})[id(sneaky.fc)] == "m.fc"


def test_the_runner_reports_the_trace_and_its_cap() -> None:
    report = run_snippet_here(
        "lin = nn.Linear(2, 2)\nfor _ in range(5):\n    y = lin(torch.randn(1, 2))\n",
        limits=RunLimits(max_module_calls=3),
    )
    assert len(report["module_calls"]) == 3 and report["module_calls_truncated"] is True
    assert report["module_calls"][0]["module"] == "lin"


MODELS = {
    "cnn": (
        lambda: nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
            nn.Linear(16, 10),
        ),
        lambda: torch.randn(2, 1, 28, 28),
    ),
    "lstm": (lambda: nn.LSTM(8, 16, num_layers=2, batch_first=True), lambda: torch.randn(3, 5, 8)),
    "transformer": (
        lambda: nn.TransformerEncoder(
            nn.TransformerEncoderLayer(16, 2, 32, batch_first=True), 2, enable_nested_tensor=False
        ),
        lambda: torch.randn(3, 5, 16),
    ),
}  # fmt: skip


@pytest.mark.parametrize("kind", MODELS)
def test_output_shapes_agree_with_torchinfo(kind: str) -> None:
    torchinfo = pytest.importorskip("torchinfo")
    build, data = MODELS[kind]
    torch.manual_seed(0)
    model, x = build(), data()
    expected = [
        (layer.class_name, list(layer.output_size), layer.num_params)
        for layer in torchinfo.summary(model, input_data=x, verbose=0, depth=10).summary_list
        if layer.output_size  # a ModuleList is listed but never called
    ]
    recorder = ModuleCallRecorder()
    with recorder:
        model(x)
    got = [
        (c["type"], c["output_shapes"][0], c["parameters"])
        for c in recorder.to_json({"model": model})
    ]
    assert got == expected


@pytest.mark.skipif(not CHECKER.exists(), reason=f"{CHECKER} is not beside the checkout")
def test_shared_module_calls_checker_passes_on_the_server(server: LiveServer) -> None:
    result = subprocess.run(
        [sys.executable, str(CHECKER), "check", server.url],
        capture_output=True,
        text=True,
        timeout=300,
    )
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    assert result.returncode == 0 and summary == "module-calls: 4/4 cases exact", result.stdout


def test_the_api_returns_the_trace(server: LiveServer) -> None:
    report = server.post_run(
        "model = nn.Sequential(nn.Linear(784, 10))\nout = model(torch.randn(100, 1, 28, 28))"
    ).json()
    assert [(c["module"], c["failed"]) for c in report["module_calls"]] == [
        ("model", True),
        ("model.0", True),
    ]
    assert report["module_calls_truncated"] is False


def test_a_failing_layer_past_the_cap_is_still_known_to_the_explainer() -> None:
    code = (
        "lin = nn.Linear(4, 2)\nfor _ in range(10):\n    y = lin(torch.randn(3, 4))\n"
        "z = lin(torch.randn(3, 5))\n"
    )
    recorder = ModuleCallRecorder(max_calls=3)
    namespace: dict[str, Any] = {"__name__": "__main__", "torch": torch, "nn": nn}
    with pytest.raises(RuntimeError) as raised, recorder:
        exec(compile(code, SNIPPET, "exec"), namespace)
    chain = recorder.failing_chain(raised.value)
    assert [(c.type, c.line, c.input_shapes) for c in chain] == [("Linear", 4, [[3, 5]])]
    assert len(recorder.to_json(namespace)) == 3 and recorder.truncated
