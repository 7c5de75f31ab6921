"""Fixes that were run (`explanation.fix_check`): the server applies the explanation's edit to
the code it was sent, runs it in the sandbox like any run, and says `ran` only if it raised
nothing. A run's own report can never claim that."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from app.schemas import Explanation, RunResponse
from tests.conftest import LiveServer, start_server

UNFLATTENED = (
    "model = nn.Sequential(nn.Linear(784, 10))\n"
    "images = torch.randn(100, 1, 28, 28)\n"
    "out = model(images)\n"
)
NOT_ENOUGH = (  # merging the two leading dimensions gives 14 channels, not 8: still fails
    "stem = nn.Sequential(nn.Conv2d(8, 16, 3))\n"
    "volumes = torch.randn(2, 8, 14, 20, 20)\n"
    "out = stem(volumes)\n"
)


def test_a_fix_that_runs_is_reported_with_what_the_shapes_became(
    run_snippet: Any,
) -> None:
    report = run_snippet(UNFLATTENED)
    explanation = report["error"]["explanation"]
    assert explanation["cause"] == "unflattened"
    assert explanation["edit"] == {
        "line": 3,
        "kind": "replace",
        "text": "out = model(images.flatten(1))",
    }
    check = explanation["fix_check"]
    assert check["ran"] is True and check["error_type"] is None
    assert check["code"] == UNFLATTENED.replace("model(images)", "model(images.flatten(1))")
    assert {(s["name"], tuple(s["shape"])) for s in check["shapes"]} == {
        ("images", (100, 1, 28, 28)),
        ("out", (100, 10)),
    }
    assert check["layer"]["module"] == "model.0"
    assert check["layer"]["input_shapes"] == [[100, 784]]
    assert check["layer"]["output_shapes"] == [[100, 10]]


def test_a_fix_that_still_fails_is_not_offered_as_working(run_snippet: Any) -> None:
    explanation = run_snippet(NOT_ENOUGH)["error"]["explanation"]
    assert explanation["cause"] == "extra-dim"
    assert explanation["edit"]["text"] == "out = stem(volumes.flatten(0, 1))"
    check = explanation["fix_check"]
    assert check["ran"] is False and check["error_type"] == "RuntimeError"
    assert "channels" in check["error_message"]


def test_an_explanation_without_an_edit_has_no_check(run_snippet: Any) -> None:
    explanation = run_snippet("x = torch.randn(3)\nv = x.item()")["error"]["explanation"]
    assert explanation["edit"] is None and explanation["fix_check"] is None


def test_a_run_cannot_claim_that_its_fix_ran() -> None:
    claimed = {
        "title": "t",
        "why": "w",
        "fix": "f",
        "fix_check": {"code": "import os", "ran": True, "error_type": None},
    }
    assert Explanation.model_validate(claimed).fix_check is None
    report = RunResponse.model_validate(
        {
            "ok": False, "stdout": "", "stderr": "", "truncated": False, "duration_ms": 1.0,
            "tensors": [], "modules": [], "graph": {}, "figures": [], "steps": [],
            "warnings": [],
            "error": {"type": "E", "message": "m", "line": None, "traceback": "",
                      "explanation": claimed},
        }
    )  # fmt: skip
    assert report.error is not None and report.error.explanation is not None
    assert report.error.explanation.fix_check is None


def test_the_page_shows_the_answer_first_and_fetches_the_check(server: LiveServer) -> None:
    page = httpx.post(
        f"{server.url}/run", data={"code": UNFLATTENED}, headers={"HX-Request": "true"}, timeout=60
    )
    assert page.status_code == 200
    assert 'hx-post="/fix-check"' in page.text and 'id="fix-check"' in page.text
    assert 'class="depth-1 failed failing-layer"' in page.text  # the shape trace marks it
    check = httpx.post(
        f"{server.url}/fix-check",
        data={
            "code": UNFLATTENED,
            "line": 3,
            "kind": "replace",
            "text": "out = model(images.flatten(1))",
            "layer": "model.0",
        },
        headers={"HX-Request": "true"},
        timeout=60,
    )
    assert check.status_code == 200
    assert "✓" in check.text and "hx-post" not in check.text
    assert "[100, 784]" in check.text and "[100, 10]" in check.text


def test_the_page_never_shows_a_tick_for_a_failing_fix(server: LiveServer) -> None:
    check = httpx.post(
        f"{server.url}/fix-check",
        data={
            "code": NOT_ENOUGH,
            "line": 3,
            "kind": "replace",
            "text": "out = stem(volumes.flatten(0, 1))",
            "lang": "zh",
        },
        timeout=60,
    )
    assert check.status_code == 200 and "✓" not in check.text and "RuntimeError" in check.text


@pytest.mark.parametrize(
    "form",
    [
        {"line": 1, "kind": "delete", "text": "x = 1"},
        {"line": 0, "kind": "replace", "text": "x = 1"},
        {"line": 1, "kind": "replace", "text": "x" * 3000},
        {"kind": "replace", "text": "x = 1"},
    ],
)
def test_the_fix_check_route_rejects_what_is_not_an_edit(
    server: LiveServer, form: dict[str, Any]
) -> None:
    response = httpx.post(f"{server.url}/fix-check", data={"code": "x = 0", **form}, timeout=30)
    assert response.status_code == 422
    assert "error" in response.json()


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(tmp_path_factory.mktemp("fixcheck"), rate_per_minute=1, rate_burst=1)
    yield live
    live.stop()


def test_fix_checks_have_their_own_bounded_rate(strict_server: LiveServer) -> None:
    """The check of the first run does not cost the student a run, and a second check in the
    same minute is simply not made: no tick, no 429 for the student's own run."""
    first = strict_server.post_run(UNFLATTENED).json()
    assert first["error"]["explanation"]["fix_check"]["ran"] is True
    form = {"code": UNFLATTENED, "line": 3, "kind": "replace", "text": "out = model(images)"}
    again = httpx.post(f"{strict_server.url}/fix-check", data=form, timeout=60)
    assert again.status_code == 200 and "could not be checked" in again.text
    assert strict_server.post_run("x = 1").status_code == 429  # the student's own bucket
