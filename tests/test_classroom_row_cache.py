"""The hot paths' row cache: however many requests ask at once, one read per key and TTL
(100 pages polling the broadcast must not queue 100 reads on SQLite's one connection); a
waiter that leaves cancels nobody's read; a forgotten key is read again at once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from app.classroom.row_cache import RowCache, TtlCache
from app.classroom.store import ExerciseRow

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def exercise(n: int, class_id: str = "c") -> ExerciseRow:
    return ExerciseRow(
        id=f"ex{n}", class_id=class_id, position=n, title="t", title_zh=None, prompt="",
        prompt_zh=None, starter="", reference="y = 1", checks=[], lesson_id=None,
        seed_key="00" * 32, created_at=datetime.now(UTC),
    )  # fmt: skip


async def test_a_hundred_concurrent_askers_make_one_read() -> None:
    release = asyncio.Event()
    reads = 0

    async def load() -> str:
        nonlocal reads
        reads += 1
        await release.wait()
        return "broadcast"

    cache: TtlCache[str] = TtlCache(ttl_s=60)
    askers = [asyncio.create_task(cache.get("CODE", load)) for _ in range(100)]
    await asyncio.sleep(0.01)
    release.set()
    assert await asyncio.gather(*askers) == ["broadcast"] * 100
    assert reads == 1 and cache.loads == 1
    assert await cache.get("CODE", load) == "broadcast" and reads == 1  # fresh: no read


async def test_an_expired_or_forgotten_answer_is_read_again() -> None:
    answers = iter(["first", "second", "third"])

    async def load() -> str:
        return next(answers)

    cache: TtlCache[str] = TtlCache(ttl_s=0.05)
    assert await cache.get("k", load) == "first"
    await asyncio.sleep(0.08)
    assert await cache.get("k", load) == "second"
    cache.forget("k")
    assert await cache.get("k", load) == "third"


async def test_a_waiter_that_leaves_does_not_cancel_the_read() -> None:
    release = asyncio.Event()

    async def load() -> str:
        await release.wait()
        return "kept"

    cache: TtlCache[str] = TtlCache(ttl_s=60)
    leaving = asyncio.create_task(cache.get("k", load))
    staying = asyncio.create_task(cache.get("k", load))
    await asyncio.sleep(0.01)
    leaving.cancel()
    release.set()
    assert await staying == "kept"
    assert leaving.cancelled()


async def test_a_failed_read_reaches_its_waiters_and_is_not_kept() -> None:
    calls = 0

    async def load() -> str:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("the store is down")
        return "back"

    cache: TtlCache[str] = TtlCache(ttl_s=60)
    with pytest.raises(RuntimeError):
        await cache.get("k", load)
    assert await cache.get("k", load) == "back"


async def test_the_cache_keeps_at_most_max_keys() -> None:
    async def load() -> int:
        return 1

    cache: TtlCache[int] = TtlCache(ttl_s=60, max_keys=3)
    for key in range(10):
        await cache.get(key, load)
    assert cache.loads == 10
    await cache.get(9, load)
    await cache.get(0, load)  # dropped long ago: read again
    assert cache.loads == 11


async def test_exercises_are_read_once_and_forgotten_with_their_class() -> None:
    reads: list[str] = []
    rows = {"ex1": exercise(1, "a"), "ex2": exercise(2, "b")}

    async def load(exercise_id: str) -> ExerciseRow | None:
        reads.append(exercise_id)
        return rows.get(exercise_id)

    cache = RowCache(max_rows=8)
    for _ in range(3):
        assert await cache.exercise("ex1", load) == rows["ex1"]
        assert await cache.exercise("ex2", load) == rows["ex2"]
        assert await cache.exercise("missing", load) is None
    assert reads == ["ex1", "ex2", "missing", "missing", "missing"]  # a miss is not kept
    cache.forget("a")  # class a deleted: its exercise is read again, b's is not
    await cache.exercise("ex1", load)
    await cache.exercise("ex2", load)
    assert reads[-1] == "ex1" and reads.count("ex2") == 1
