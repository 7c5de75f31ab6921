"""The shared contract checker (../shared/conformance) against our real server: 100% or red."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import LiveServer

CHECKER = Path(__file__).resolve().parents[2] / "shared" / "conformance" / "run"


@pytest.mark.skipif(not CHECKER.exists(), reason=f"{CHECKER} is not beside the checkout")
def test_every_conformance_case_is_fully_correct(server: LiveServer) -> None:
    result = subprocess.run(
        ["bash", str(CHECKER), server.url, "--max-lines", "10"],
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin"},
    )
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    assert result.returncode == 0 and "(100.0%)" in summary, result.stdout + result.stderr
