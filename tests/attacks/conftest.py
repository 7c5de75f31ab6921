"""Servers of the attack suite's own, each with settings that make its attacks cheap."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.conftest import LiveServer, start_server

SECRET = f"secret-{uuid.uuid4().hex}"  # in the server's environment
DATA_MARK = f"data-{uuid.uuid4().hex}"  # in its data dir's name


@pytest.fixture(scope="package")
def isolated_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Two runs at once, a marked secret in its environment and data dir's name, 256 MiB a
    run (so memory attacks stay cheap)."""
    data_dir = tmp_path_factory.mktemp("attacks") / DATA_MARK
    live = start_server(
        data_dir, rate_per_minute=0, max_runs=2, memory_mb=256, canary_secret=SECRET
    )
    yield live
    live.stop()


@pytest.fixture(scope="package")
def one_slot_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One run at a time and no queue wait to speak of: a run that holds its slot shows."""
    live = start_server(
        tmp_path_factory.mktemp("one-slot"), rate_per_minute=0, max_runs=1, queue_wait_s=30
    )
    yield live
    live.stop()
