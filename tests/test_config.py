"""Settings: safe defaults, unsafe values rejected, and every one documented in the README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from app.config import Settings

README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_setting_is_documented_in_the_readme_with_its_default() -> None:
    text = README.read_text()
    documented = set(re.findall(r"`PLAYGROUND_([A-Z_]+)`", text))
    fields = {name.upper() for name in Settings.model_fields}
    assert fields == documented, (
        f"undocumented: {fields - documented}, stale: {documented - fields}"
    )


def test_environment_variables_override_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLAYGROUND_MAX_RUNS", "7")
    monkeypatch.setenv("PLAYGROUND_MEMORY_MB", "512")
    settings = Settings()
    assert settings.max_runs == 7
    assert settings.run_limits().memory_bytes == 512 * 2**20


@pytest.mark.parametrize(
    "unsafe",
    [
        {"max_runs": 0},
        {"memory_mb": 10},
        {"max_code_bytes": 10**9},
        {"default_timeout_s": 60, "max_timeout_s": 30},
        {"max_timeout_s": -1},
    ],
)
def test_unsafe_limits_are_rejected(unsafe: dict) -> None:
    with pytest.raises(ValidationError):
        Settings(**unsafe)


def test_timeouts_are_defaulted_and_clamped() -> None:
    settings = Settings(default_timeout_s=5, max_timeout_s=30)
    assert settings.clamp_timeout(None) == 5
    assert settings.clamp_timeout(1000) == 30
    assert settings.clamp_timeout(2.5) == 2.5
