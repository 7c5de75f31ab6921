"""The executor in process, against a real fork-server: what only its timing can show."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from app.config import Settings
from app.sandbox.executor import ForkServerExecutor


def test_a_run_cancelled_before_its_worker_started_is_still_stopped(tmp_path: Path) -> None:
    """A Stop can come while the run waits for its worker: the cancel must not be lost."""

    async def scenario() -> tuple[bool, str | None, float]:
        executor = ForkServerExecutor(Settings().run_limits(), slot_count=2,
                                      cache_dir=tmp_path / "cache", hidden=[tmp_path])  # fmt: skip
        await executor.start()
        try:
            run_id = executor.new_run_id()
            started = time.monotonic()
            running = asyncio.create_task(executor.run(
                {"code": "while True:\n    pass\n", "seed": None, "trace": False, "lang": "en"},
                timeout_s=20, run_id=run_id,
            ))  # fmt: skip
            await asyncio.sleep(0)  # the run is registered; its StartRun is not sent yet
            cancelled = executor.cancel(run_id)
            run = await asyncio.wait_for(running, 60)
            error = run.response.error
            return cancelled, error.message if error else None, time.monotonic() - started
        finally:
            await executor.stop()

    cancelled, message, seconds = asyncio.run(scenario())
    assert cancelled
    assert message == "The run was stopped before it finished."
    assert seconds < 15  # not its 20 s time limit
