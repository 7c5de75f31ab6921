"""Attacks on the result channel: what a run sends back, how it ends, and how much it says.

The report line and the capture files are the run's to write; the server bounds them, and
says plainly how a run ended when it sent nothing (protocol.py, report.py).
"""

from __future__ import annotations

import time

import httpx
import pytest

from tests.attacks.helpers import error_of, timed
from tests.conftest import LiveServer


def test_chinese_output_then_os_exit_keeps_the_output_and_says_how_it_ended(
    run_snippet, then_healthy
) -> None:
    # The first round put the output in the exit message; escaped as ASCII it outgrew its
    # packet, and the run came back as MemoryLimitExceeded with its output lost.
    report = run_snippet("print('张' * 20000)\nimport os\nos._exit(3)")
    kind, message = error_of(report)
    assert kind == "SandboxViolation" and "exit status 3" in message
    assert report["stdout"].startswith("张" * 100)
    assert report["truncated"] is False or len(report["stdout"].encode()) <= 64 * 1024


def test_output_printed_before_a_crash_is_kept(run_snippet, then_healthy) -> None:
    report = run_snippet("print('where was I?')\nimport ctypes\nctypes.string_at(0)")
    assert error_of(report)[0] == "SandboxViolation"
    assert report["stdout"] == "where was I?\n"


def test_breaking_json_and_print_does_not_stop_the_report(run_snippet, then_healthy) -> None:
    code = (
        "import sys, builtins\nsys.modules['json'] = None\nbuiltins.print = None\nx = torch.ones(2)"
    )
    report = run_snippet(code)
    assert report["error"] is None
    assert [t["name"] for t in report["tensors"]] == ["x"]


def test_invalid_utf8_output_becomes_replacement_characters(run_snippet, then_healthy) -> None:
    code = "import os, sys\nos.write(1, b'a\\xff\\xfeb\\n')\nos.write(1, b'\\xff')\nprint('ok')"
    report = run_snippet(code)
    assert report["error"] is None
    assert report["stdout"] == "a\ufffd\ufffdb\n\ufffdok\n"  # fd 1 and print, in order


def test_stdout_has_no_binary_buffer_so_writing_bytes_is_an_attribute_error(
    run_snippet, then_healthy
) -> None:
    report = run_snippet("import sys\nsys.stdout.buffer.write(b'\\xff\\xfe')")
    assert error_of(report) == ("AttributeError", "'StreamProxy' object has no attribute 'buffer'")
    assert report["error"]["line"] == 2


@pytest.mark.parametrize(
    "code",
    ["x = torch.ones(1)\nprint('\\ud800')", "x = torch.ones(1)\nraise ValueError('\\ud800')"],
)
def test_a_lone_surrogate_in_the_output_keeps_the_report(run_snippet, code: str) -> None:
    report = run_snippet(code)
    assert report["error"] is None or report["error"]["type"] == "ValueError"
    assert [t["name"] for t in report["tensors"]] == ["x"]


def test_closing_every_fd_loses_the_report_plainly(run_snippet, then_healthy) -> None:
    report = run_snippet("import os\nx = torch.ones(1)\nos.closerange(0, 1024)\ny = x * 2")
    if report["error"] is not None:
        kind, message = error_of(report)
        assert kind == "SandboxViolation" and message.endswith(".")


def test_a_20_mb_line_in_the_result_channel_is_refused(run_snippet, then_healthy) -> None:
    code = (
        "import os, socket\nblob = b'x' * (20 * 2**20)\nfor fd in range(3, 64):\n    try:\n"
        "        s = socket.socket(fileno=os.dup(fd))\n    except OSError:\n        continue\n"
        "    if s.type == socket.SOCK_STREAM:\n        s.sendall(blob)\nos._exit(0)\n"
    )
    report, elapsed = timed(run_snippet, code)
    assert error_of(report)[0] in ("SandboxViolation", "OutputLimitExceeded")
    assert elapsed < 5


def test_a_lone_surrogate_in_the_request_is_a_422(server: LiveServer) -> None:
    response = httpx.post(
        f"{server.url}/api/v1/run",
        content=b'{"code": "x = \'\\ud800\'"}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_snippet"
    assert "not valid UTF-8" in response.json()["detail"]


def test_a_10_mb_snippet_is_refused_fast_before_any_run(server: LiveServer) -> None:
    started = time.monotonic()
    response = server.post_run("#" * (10 * 2**20))
    assert response.status_code == 413 and response.json()["error"] == "snippet_too_large"
    assert time.monotonic() - started < 5
    assert httpx.get(f"{server.url}/api/v1/health").json()["runs_in_flight"] == 0
