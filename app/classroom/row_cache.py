"""Rows the hot paths read, kept in memory: a submission's class and exercise, a class's
broadcast as its students' pages poll it every second.

SQLite serves the whole server through one connection, so every read waits behind every
other request's: with 100 students, the lookups, not the runs, were most of a submission's
time, and 100 pages asking for the broadcast the moment a cached answer expired queued 200
reads at once. So each read here is made at most once per key and `ttl_s`, by the first
asker; the others wait for its answer (single flight).

Exercises never change once stored (only their class's deletion removes them, and a deleted
class's students are gone, so no submission reaches a stale one); a class can be closed, so
its row is kept `CLASS_TTL_S` (on another replica a close takes that long to be seen; on
this one at once: `forget`).
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

from app.classroom.store import ClassRow, ExerciseRow

CLASS_TTL_S = 1.0
BROADCAST_TTL_S = 0.5
"""Every student's page asks each second; a broadcast is still offered within 2 s."""
MAX_ROWS = 4096

T = TypeVar("T")


class TtlCache(Generic[T]):
    """Answers of `load(key)`, each kept `ttl_s`, at most `max_keys` (oldest out first)."""

    def __init__(self, ttl_s: float, max_keys: int = MAX_ROWS) -> None:
        self.ttl_s = ttl_s
        self.max_keys = max_keys
        self.loads = 0
        """Reads made (for tests: what the single flight saves)."""
        self._done: OrderedDict[Hashable, tuple[float, T]] = OrderedDict()
        self._flying: dict[Hashable, asyncio.Task[T]] = {}

    async def get(self, key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
        hit = self._done.get(key)
        if hit is not None and time.monotonic() - hit[0] < self.ttl_s:
            return hit[1]
        task = self._flying.get(key)
        if task is None:
            task = asyncio.create_task(self._fill(key, load))
            task.add_done_callback(_retrieve)
            self._flying[key] = task
        return await asyncio.shield(task)  # a waiter who leaves does not cancel the others'

    def forget(self, key: Hashable) -> None:
        self._done.pop(key, None)

    async def _fill(self, key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
        try:
            self.loads += 1
            started = time.monotonic()
            value = await load()
        finally:
            self._flying.pop(key, None)
        self._done[key] = (started, value)
        self._done.move_to_end(key)
        while len(self._done) > self.max_keys:
            self._done.popitem(last=False)
        return value


class RowCache:
    """A submission's class (briefly) and exercise (for good) without a read each time."""

    def __init__(self, max_rows: int = MAX_ROWS) -> None:
        self.max_rows = max_rows
        self.classes: TtlCache[ClassRow | None] = TtlCache(CLASS_TTL_S, max_rows)
        self._exercises: OrderedDict[str, ExerciseRow] = OrderedDict()

    async def klass(
        self, class_id: str, load: Callable[[str], Awaitable[ClassRow | None]]
    ) -> ClassRow | None:
        return await self.classes.get(class_id, lambda: load(class_id))

    async def exercise(
        self, exercise_id: str, load: Callable[[str], Awaitable[ExerciseRow | None]]
    ) -> ExerciseRow | None:
        hit = self._exercises.get(exercise_id)
        if hit is not None:
            self._exercises.move_to_end(exercise_id)
            return hit
        found = await load(exercise_id)
        if found is not None:
            self._exercises[exercise_id] = found
            while len(self._exercises) > self.max_rows:
                self._exercises.popitem(last=False)
        return found

    def forget(self, class_id: str) -> None:
        """The class changed (closed) or is gone (deleted, with its exercises)."""
        self.classes.forget(class_id)
        for key in [k for k, row in self._exercises.items() if row.class_id == class_id]:
            del self._exercises[key]


def _retrieve(task: asyncio.Task) -> None:
    """A read whose every waiter left still ends; its failure is theirs, not the log's."""
    if not task.cancelled():
        task.exception()
