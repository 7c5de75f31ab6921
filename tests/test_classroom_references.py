"""The reference cache: one run per (exercise, seed draw) however many submissions ask at
once, bounded in entries and bytes, and a waiter that leaves does not cancel the run."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import numpy as np
import pytest

from app.classroom.grading import draw
from app.classroom.references import ReferenceCache
from app.classroom.store import ExerciseRow
from app.classroom.values import Graded, TensorValue

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def exercise(n: int = 0) -> ExerciseRow:
    return ExerciseRow(
        id=f"ex{n}", class_id="c", position=1, title="t", title_zh=None, prompt="",
        prompt_zh=None, starter="", reference="y = 1", checks=[], lesson_id=None,
        seed_key="00" * 32, created_at=datetime.now(UTC),
    )  # fmt: skip


def values(numbers: int) -> Graded:
    array = np.zeros(numbers, dtype=np.float32)
    return Graded({"y": TensorValue("torch.float32", (numbers,), array)}, [], numbers)


async def test_concurrent_graders_of_one_draw_share_one_run() -> None:
    started = asyncio.Event()
    release = asyncio.Event()

    async def runner(*_: object) -> Graded:
        started.set()
        await release.wait()
        return values(3)

    cache = ReferenceCache(runner)
    seeds = draw(bytes(32), 4, [])
    waiters = [asyncio.create_task(cache.get(exercise(), [], seeds)) for _ in range(20)]
    await started.wait()
    waiters[0].cancel()  # a student who leaves: the run goes on for the others
    release.set()
    done = await asyncio.gather(*waiters[1:])
    assert cache.runs == 1 and all(d is done[0] for d in done)
    assert await cache.get(exercise(), [], seeds) is done[0] and cache.runs == 1
    await cache.get(exercise(), [], draw(bytes(32), 5, []))
    assert cache.runs == 2 and len(cache) == 2


async def test_the_cache_is_bounded_and_drops_the_least_recently_used() -> None:
    async def runner(row: ExerciseRow, _: object, seeds: object) -> Graded:
        return values(1000)

    cache = ReferenceCache(runner, max_entries=3, max_bytes=10**9)
    for n in range(5):
        await cache.get(exercise(n), [], draw(bytes(32), 0, []))
    assert len(cache) == 3 and cache.runs == 5
    small = ReferenceCache(runner, max_entries=100, max_bytes=2 * values(1000).nbytes())
    for n in range(5):
        await small.get(exercise(n), [], draw(bytes(32), 0, []))
    assert len(small) == 2


async def test_a_failed_run_is_not_cached_but_a_failed_reference_is() -> None:
    calls = 0

    async def runner(*_: object) -> Graded | None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("at capacity")
        return None

    cache = ReferenceCache(runner)
    seeds = draw(bytes(32), 0, [])
    with pytest.raises(RuntimeError):
        await cache.get(exercise(), [], seeds)
    assert await cache.get(exercise(), [], seeds) is None
    assert await cache.get(exercise(), [], seeds) is None and calls == 2
