"""Every setting of the server, read from `PLAYGROUND_*` environment variables.

One class, one place: the README's settings table is checked against these fields by
`tests/test_config.py`, so a setting cannot exist without being documented.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.sandbox.limits import RunLimits


class Settings(BaseSettings):
    """Server configuration; every field has a safe default so `make run` needs nothing."""

    model_config = SettingsConfigDict(env_prefix="PLAYGROUND_", extra="ignore")

    host: str = Field("127.0.0.1", description="Address the server listens on.")
    port: int = Field(8000, ge=1, le=65535, description="Port the server listens on.")
    max_runs: int = Field(
        default_factory=lambda: 4 * (os.cpu_count() or 2),
        ge=1,
        le=256,
        description="Snippets executing at once (default: 4 per core; long runs yield the CPU).",
    )
    queue_size: int = Field(
        32, ge=0, le=10_000, description="Runs allowed to wait for a free slot before 429."
    )
    queue_wait_s: float = Field(
        10.0, gt=0, le=300, description="Longest a queued run waits for a slot before 429."
    )
    default_timeout_s: float = Field(
        5.0, gt=0, le=600, description="Wall-clock limit of a run that asks for none."
    )
    max_timeout_s: float = Field(
        30.0, gt=0, le=600, description="Largest wall-clock limit a request may ask for."
    )
    max_code_bytes: int = Field(
        64 * 1024, ge=1024, le=1024 * 1024, description="Largest snippet accepted (413 above)."
    )
    memory_mb: int = Field(
        1024, ge=256, le=65536, description="Memory a run may allocate on top of the warm parent."
    )
    max_output_bytes: int = Field(
        64 * 1024, ge=1024, le=16 * 1024 * 1024, description="stdout+stderr kept per run."
    )
    max_processes: int = Field(
        32, ge=1, le=4096, description="Processes (and threads) a run may have at once."
    )
    max_file_mb: int = Field(
        16, ge=1, le=4096, description="Largest file a run may write in its scratch dir."
    )
    max_figures: int = Field(8, ge=0, le=64, description="Matplotlib figures returned per run.")
    rate_per_minute: int = Field(
        60, ge=0, le=100_000, description="Runs per minute one client may start (0: no limit)."
    )
    rate_burst: int = Field(20, ge=1, le=10_000, description="Runs a client may start at once.")
    fix_check: bool = Field(
        True,
        description="Run an explanation's concrete fix in the sandbox to say whether it runs "
        "(one more run per explained error).",
    )
    trust_forwarded_for: bool = Field(
        False, description="Identify clients by X-Forwarded-For (only behind your own proxy)."
    )
    access_code: SecretStr | None = Field(
        None, description="If set, pages ask for it and API clients send it as a bearer token."
    )
    allow_unsandboxed: bool = Field(
        False,
        description="Run snippets without namespaces where the kernel refuses them "
        "(never on a shared machine).",
    )
    data_dir: Path = Field(
        Path("data"), description="Where the server keeps its SQLite file (created on start)."
    )

    @model_validator(mode="after")
    def _timeouts_are_ordered(self) -> Settings:
        if self.default_timeout_s > self.max_timeout_s:
            raise ValueError("default_timeout_s must not exceed max_timeout_s")
        return self

    def run_limits(self) -> RunLimits:
        """The limits the sandbox applies to every run, derived from these settings."""
        return RunLimits(
            memory_bytes=self.memory_mb * 1024 * 1024,
            max_output_bytes=self.max_output_bytes,
            max_processes=self.max_processes,
            max_file_bytes=self.max_file_mb * 1024 * 1024,
            max_figures=self.max_figures,
        )

    def clamp_timeout(self, requested: float | None) -> float:
        """A request's timeout, defaulted and clamped to the server's maximum."""
        if requested is None:
            return self.default_timeout_s
        return min(max(requested, 0.05), self.max_timeout_s)
