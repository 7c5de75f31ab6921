"""Every setting of the server, read from `PLAYGROUND_*` environment variables.

One class, one place: the README's settings table is checked against these fields by
`tests/test_config.py`, so a setting cannot exist without being documented.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path
from typing import Literal

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
    max_long_runs: int = Field(
        default_factory=lambda: 8 * (os.cpu_count() or 2),
        ge=0,
        le=256,
        description="Runs past their first 0.25 s that may go on besides MAX_RUNS, each "
        "leaving its place to a new run (default: 8 per core; 0: a long run keeps its place).",
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
    profile: Literal["auto", "one-user", "class"] = Field(
        "auto",
        description="Defaults for one person or a class; auto: one-user on a loopback address.",
    )
    rate_per_minute: int | None = Field(
        None,  # resolved from the profile below
        ge=0,
        le=100_000,
        description="Runs per minute one client may start (0: no limit; default by profile).",
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
    session_hours: float = Field(
        12.0, gt=0, le=24 * 90, description="How long a login with the access code lasts."
    )
    max_body_bytes: int | None = Field(
        None,  # resolved from max_code_bytes below
        ge=4096,
        le=64 * 1024 * 1024,
        description="Largest request body on any route (413 above).",
    )
    header_timeout_s: float = Field(
        10.0, gt=0, le=300, description="Time a client has to send a request's head."
    )
    body_timeout_s: float = Field(
        30.0, gt=0, le=600, description="Time a client has to send a request's whole body."
    )
    keepalive_s: int = Field(
        5, ge=1, le=300, description="Idle time after which a kept-alive connection is closed."
    )
    data_dir: Path = Field(
        Path("data"), description="Where the server keeps its SQLite file (created on start)."
    )
    database_url: SecretStr | None = Field(
        None,
        description="SQLAlchemy URL of the store: unset, SQLite in the data dir; "
        "postgresql+psycopg://user:password@host/db for PostgreSQL (replicas share it).",
    )
    database_pool_size: int = Field(
        5, ge=1, le=100, description="PostgreSQL connections one server process keeps open."
    )
    public_url: str | None = Field(
        None,
        pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$",
        description="The address students use (http://host[:port][/prefix]): share links are "
        "built from it, never from a request's Host. Default: from host and port.",
    )
    share_rate_per_minute: int = Field(
        6, ge=0, le=10_000, description="Shares per minute one client may make (0: no limit)."
    )
    share_rate_burst: int = Field(
        10, ge=1, le=10_000, description="Shares a client may make at once."
    )
    share_quota_client_kib: int = Field(
        4096, ge=1, le=16 * 1024 * 1024, description="KiB of shares one client may store a day."
    )
    share_quota_total_mb: int = Field(
        1024, ge=1, le=16 * 1024 * 1024, description="MiB all stored shares may take together."
    )
    share_ttl_days: float = Field(
        180, gt=0, le=36_500, description="How long a share link lives after it is made."
    )
    share_cleanup_interval_s: float = Field(
        3600, ge=1, le=7 * 86_400, description="How often expired shares are deleted."
    )
    teacher_code: SecretStr | None = Field(
        None,
        description="Turns the classroom on: the code teachers log in with (pages) or send as "
        "a bearer token (API). Unset, the classroom's routes answer 404.",
    )
    class_retention_days: float = Field(
        365, gt=0, le=36_500, description="How long a class and all its data are kept."
    )

    @model_validator(mode="after")
    def _timeouts_are_ordered(self) -> Settings:
        if self.default_timeout_s > self.max_timeout_s:
            raise ValueError("default_timeout_s must not exceed max_timeout_s")
        return self

    @model_validator(mode="after")
    def _defaults_follow_the_profile(self) -> Settings:
        if self.rate_per_minute is None:
            self.rate_per_minute = CLASS_RATE_PER_MINUTE if self.for_a_class else 0
        if self.max_body_bytes is None:
            # JSON escapes one byte as up to six (\u0001), forms as three (%01)
            self.max_body_bytes = 6 * self.max_code_bytes + 64 * 1024
        return self

    @property
    def for_a_class(self) -> bool:
        """The class profile: chosen, or implied by listening beyond this machine."""
        if self.profile != "auto":
            return self.profile == "class"
        return not is_loopback(self.host)

    def profile_summary(self) -> str:
        """The startup log's line saying which defaults are in force, and why."""
        why = "chosen" if self.profile != "auto" else f"listening on {self.host}"
        name = "class" if self.for_a_class else "one-user"
        rate = (
            f"{self.rate_per_minute} runs/min per client (burst {self.rate_burst})"
            if self.rate_per_minute else "no per-client run limit"
        )  # fmt: skip
        return f"profile {name} ({why}): {rate}"

    def trusted_origins(self) -> tuple[str, ...]:
        """Origins besides the request's own `Host` that pages may post from: the public URL
        students use, when one is configured (a proxy may rewrite `Host`)."""
        return (self.public_url.rstrip("/"),) if self.public_url else ()

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

    def public_base_url(self) -> str:
        """Where clients reach this server, without a trailing slash: `public_url`, else
        `http://host:port`, naming this machine's LAN address when bound to every address."""
        if self.public_url:
            return self.public_url.rstrip("/")
        host = lan_address() if self.host in ("0.0.0.0", "::", "") else self.host
        return f"http://{f'[{host}]' if ':' in host else host}:{self.port}"


CLASS_RATE_PER_MINUTE = 60


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 and `localhost`: only this machine can connect."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def lan_address() -> str:
    """The address this machine's default route leaves from (no packet is sent), or its
    host name where there is no route: the best guess of what students type."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: only the routing table is consulted
            return probe.getsockname()[0]
        except OSError:
            return socket.gethostname()
