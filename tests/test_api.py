"""POST /api/v1/run and friends, over HTTP against the real server and fork-server."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import LiveServer, start_server

ISSUE_EXAMPLE = "x = torch.randn(2, 3)\ny = x.t()\nz = y.view(-1)"


def by_name(report: dict) -> dict[str, dict]:
    return {t["name"]: t for t in report["tensors"]}


def test_the_issue_example_reports_strides_sharing_and_the_error(run_snippet) -> None:
    report = run_snippet(ISSUE_EXAMPLE)
    tensors = by_name(report)
    assert list(tensors) == ["x", "y"]
    assert tensors["x"]["shape"] == [2, 3] and tensors["x"]["stride"] == [3, 1]
    assert tensors["y"]["shape"] == [3, 2] and tensors["y"]["stride"] == [1, 3]
    assert tensors["y"]["is_contiguous"] is False
    assert tensors["y"]["shares_storage_with"] == ["x"]
    assert report["ok"] is False
    error = report["error"]
    assert error["type"] == "RuntimeError" and error["line"] == 3
    assert "view size is not compatible" in error["message"]
    assert 'File "<snippet>", line 3' in error["traceback"]
    assert "torch/" not in error["traceback"] and "app/" not in error["traceback"]


def test_a_clean_run_has_every_contract_field(run_snippet) -> None:
    report = run_snippet("a = torch.ones(2)\nprint('hi')")
    for field in (
        "ok",
        "stdout",
        "stderr",
        "truncated",
        "duration_ms",
        "tensors",
        "modules",
        "graph",
        "figures",
        "steps",
        "warnings",
        "error",
    ):
        assert field in report
    assert report["ok"] is True and report["error"] is None
    assert report["stdout"] == "hi\n" and report["truncated"] is False
    assert set(report["graph"]) >= {"nodes", "edges"}


def test_same_seed_same_tensors_and_null_seed_differs(run_snippet) -> None:
    code = "r = torch.rand(3)\nn = torch.from_numpy(np.random.rand(3))"
    first, second = run_snippet(code), run_snippet(code)
    assert by_name(first)["r"]["values"] == by_name(second)["r"]["values"]
    assert by_name(first)["n"]["values"] == by_name(second)["n"]["values"]
    other = run_snippet(code, seed=7)
    assert by_name(other)["r"]["values"] != by_name(first)["r"]["values"]
    fresh = [by_name(run_snippet(code, seed=None))["r"]["values"] for _ in range(2)]
    assert fresh[0] != fresh[1]


def test_every_run_starts_from_fresh_state(run_snippet) -> None:
    run_snippet(
        "leak = torch.ones(1)\ntorch.set_default_dtype(torch.float64)\n"
        "torch.set_grad_enabled(False)\nimport builtins\nbuiltins.LEAKED = 1\ntorch.LEAK = 2"
    )
    report = run_snippet(
        "t = torch.zeros(1)\nassert 'leak' not in globals()\n"
        "assert torch.is_grad_enabled()\nimport builtins\n"
        "assert not hasattr(builtins, 'LEAKED') and not hasattr(torch, 'LEAK')\n"
        "assert __name__ == '__main__'"
    )
    assert report["error"] is None, report["error"]
    assert by_name(report)["t"]["dtype"] == "torch.float32"


def test_syntax_errors_report_their_line(run_snippet) -> None:
    report = run_snippet("x = torch.ones(3)\ny = (x + \n")
    assert report["error"]["type"] == "SyntaxError"
    assert report["error"]["line"] == 2
    assert report["tensors"] == []


def test_state_at_the_moment_of_the_exception_is_reported(run_snippet) -> None:
    report = run_snippet("a = torch.ones(2)\nb = a * 3\nraise ValueError('stop')\nc = 1")
    assert list(by_name(report)) == ["a", "b"]
    assert report["error"]["type"] == "ValueError" and report["error"]["message"] == "stop"


def test_error_in_a_snippet_function_points_at_the_innermost_snippet_line(run_snippet) -> None:
    report = run_snippet("def pick(t, i):\n    return t[i]\n\nv = torch.arange(4)\npick(v, 10)")
    assert report["error"]["type"] == "IndexError"
    assert report["error"]["line"] == 2
    assert report["error"]["traceback"].count("<snippet>") == 2


def test_figures_come_back_as_png_even_after_show(run_snippet) -> None:
    report = run_snippet(
        "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])\nplt.show()\n"
        "plt.figure()\nplt.plot([3, 1])"
    )
    assert report["error"] is None
    assert [f["format"] for f in report["figures"]] == ["png", "png"]
    assert all(f["data"].startswith("iVBORw0KGgo") for f in report["figures"])  # PNG magic


def test_modules_list_parameters_and_buffers(run_snippet) -> None:
    report = run_snippet("model = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))")
    (module,) = report["modules"]
    assert module["type"] == "Sequential" and module["training"] is True
    assert [p["name"] for p in module["parameters"]] == [
        "model.0.weight",
        "model.0.bias",
        "model.1.weight",
        "model.1.bias",
    ]
    assert module["parameters"][0]["shape"] == [2, 3]
    assert "model.1.running_mean" in [b["name"] for b in module["buffers"]]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"code": 3},
        {"code": "x = 1", "seed": "zero"},
        {"code": "x = 1", "seed": -1},
        {"code": "x = 1", "trace": "yes"},
        {"code": "x = 1", "timeout_s": -2},
        {"code": "x = 1", "lang": "fr"},
        ["x = 1"],
    ],
)
def test_a_body_off_the_schema_is_a_422(server: LiveServer, body: object) -> None:
    response = httpx.post(f"{server.url}/api/v1/run", json=body)
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"


def test_a_body_that_is_not_json_is_a_422(server: LiveServer) -> None:
    response = httpx.post(
        f"{server.url}/api/v1/run", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422


def test_a_nul_byte_is_rejected_before_any_fork(server: LiveServer) -> None:
    response = server.post_run("x = 1\x00")
    assert response.status_code == 422
    assert "NUL" in response.json()["detail"]


def test_a_snippet_over_the_size_limit_is_a_413(server: LiveServer) -> None:
    response = server.post_run("#" * (64 * 1024 + 1))
    assert response.status_code == 413
    assert response.json()["error"] == "snippet_too_large"


def test_health_reports_executor_and_versions(server: LiveServer) -> None:
    health = httpx.get(f"{server.url}/api/v1/health").json()
    assert health["status"] == "ok" and health["executor_alive"] is True
    assert health["torch_version"].startswith("2.13.0")
    assert health["isolation"]["namespaces"] is True


def test_openapi_docs_are_served(server: LiveServer) -> None:
    assert httpx.get(f"{server.url}/docs").status_code == 200
    schema = httpx.get(f"{server.url}/openapi.json").json()
    assert "/api/v1/run" in schema["paths"]


@pytest.mark.slow
def test_at_capacity_answers_429_with_retry_after(tmp_path: Path) -> None:
    busy = start_server(tmp_path, max_runs=1, queue_size=0, max_long_runs=0)
    try:
        slow = threading.Thread(target=busy.post_run, args=("import time\ntime.sleep(3)",))
        slow.start()
        for _ in range(100):  # wait until the slow run holds the only slot
            if httpx.get(f"{busy.url}/api/v1/health").json()["runs_in_flight"] == 1:
                break
            time.sleep(0.02)
        response = busy.post_run("x = 1")
        assert response.status_code == 429
        assert int(response.headers["Retry-After"]) >= 1
        assert response.json()["error"] == "at_capacity"
        slow.join()
        assert busy.post_run("x = 1").status_code == 200
    finally:
        busy.stop()


@pytest.mark.slow
def test_a_long_run_leaves_its_place_to_a_short_one(tmp_path: Path) -> None:
    busy = start_server(tmp_path, max_runs=1, queue_size=0, max_long_runs=1)
    try:
        slow = threading.Thread(target=busy.post_run, args=("import time\ntime.sleep(3)",))
        slow.start()
        time.sleep(0.6)  # past the 0.25 s after which a run is a long one
        started = time.monotonic()
        assert busy.post_run("x = 1").status_code == 200  # not queued behind the sleep
        assert time.monotonic() - started < 2
        assert slow.is_alive()
        for _ in range(50):  # the short run holds its place until its worker has exited
            if httpx.get(f"{busy.url}/api/v1/health").json()["runs_in_flight"] == 1:
                break
            time.sleep(0.02)
        assert httpx.get(f"{busy.url}/api/v1/health").json()["runs_in_flight"] == 1
        second = threading.Thread(target=busy.post_run, args=("import time\ntime.sleep(3)",))
        second.start()
        time.sleep(0.6)  # the long lane is full: this one keeps its place
        assert busy.post_run("x = 1").status_code == 429
        slow.join()
        second.join()
    finally:
        busy.stop()


def test_lessons_are_listed_with_metadata_and_served_one_by_one(server: LiveServer) -> None:
    listing = httpx.get(f"{server.url}/api/v1/lessons").json()
    assert [t["id"] for t in listing["topics"]][:2] == ["creation", "indexing"]
    assert len(listing["lessons"]) >= 60
    first = listing["lessons"][0]
    assert {"id", "title", "title_zh", "topic", "notice", "notice_zh", "expect"} <= set(first)
    assert "code" not in first
    one = httpx.get(f"{server.url}/api/v1/lessons/shape-view-non-contiguous").json()
    assert one["expect"] == "RuntimeError" and ".view(" in one["code"]
    missing = httpx.get(f"{server.url}/api/v1/lessons/no-such-lesson")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"


def test_a_run_says_where_its_time_went_in_server_timing(server) -> None:
    response = server.post_run("x = torch.ones(2) * 2")
    stages = dict(part.split(";dur=") for part in response.headers["server-timing"].split(", "))
    expected = {"admission", "wait_worker", "handoff", "prepare", "exec", "inspect", "encode",
                "transfer", "check"}  # fmt: skip
    assert expected <= set(stages)
    assert all(float(ms) >= 0 for ms in stages.values())
    report = response.json()
    assert set(report["timings"]) == set(stages) and "stages" not in report
    assert sum(report["timings"].values()) <= report["wall_ms"] * 1.5 + 5


def test_a_run_cannot_write_its_own_server_timing(run_snippet, server) -> None:
    from tests.attacks.helpers import FORGED_REPORT, forging

    lie = {**FORGED_REPORT, "timings": {"x\r\nSet-Cookie: a": 1}, "stages": {"exec_start": "x"}}
    response = server.post_run(forging(lie))
    assert "Set-Cookie" not in response.headers["server-timing"]
    assert response.json()["error"]["type"] == "SandboxViolation"  # stages must be numbers
