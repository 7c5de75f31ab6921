"""The reference's values per (exercise, seed draw), each computed once by a sandboxed run.

Grading needs the reference's values under the submission's seeds; the seeds come from a
pool of `SEED_POOL` draws per exercise, so the reference runs at most that many times per
exercise and server, whatever the number of submissions. Concurrent submissions that need
the same draw share one run (the first starts it; a student who leaves does not cancel it).
The cache is bounded in entries and bytes, least recently used first out; a reference that
fails under a draw is remembered as such (it would fail again).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from pydantic import BaseModel

from app.classroom.grading import Draw
from app.classroom.store import ExerciseRow
from app.classroom.values import Graded

MAX_ENTRIES = 4096
MAX_BYTES = 256 * 1024 * 1024
Key = tuple[str, str, int]
Runner = Callable[[ExerciseRow, list[BaseModel], Draw], Awaitable[Graded | None]]


class ReferenceCache:
    def __init__(
        self, runner: Runner, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES
    ) -> None:
        self.runner = runner
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.runs = 0
        """Reference runs made (for tests and metrics: the cost the cache bounds)."""
        self._done: OrderedDict[Key, Graded | None] = OrderedDict()
        self._bytes = 0
        self._flying: dict[Key, asyncio.Task[Graded | None]] = {}

    @staticmethod
    def key(exercise: ExerciseRow, seeds: Draw) -> Key:
        return (exercise.id, exercise.seed_key, seeds.index)

    async def get(
        self, exercise: ExerciseRow, checks: list[BaseModel], seeds: Draw
    ) -> Graded | None:
        key = self.key(exercise, seeds)
        if key in self._done:
            self._done.move_to_end(key)
            return self._done[key]
        task = self._flying.get(key)
        if task is None:
            task = asyncio.create_task(self._fill(key, exercise, checks, seeds))
            task.add_done_callback(_retrieve)
            self._flying[key] = task
        return await asyncio.shield(task)

    def put(self, key: Key, graded: Graded | None) -> None:
        if key in self._done:
            self._bytes -= _size(self._done.pop(key))
        self._done[key] = graded
        self._bytes += _size(graded)
        while self._done and (len(self._done) > self.max_entries or self._bytes > self.max_bytes):
            _, dropped = self._done.popitem(last=False)
            self._bytes -= _size(dropped)

    def forget(self, exercise_id: str) -> None:
        for key in [k for k in self._done if k[0] == exercise_id]:
            self._bytes -= _size(self._done.pop(key))

    def __len__(self) -> int:
        return len(self._done)

    async def _fill(
        self, key: Key, exercise: ExerciseRow, checks: list[BaseModel], seeds: Draw
    ) -> Graded | None:
        try:
            self.runs += 1
            graded = await self.runner(exercise, checks, seeds)
        finally:
            self._flying.pop(key, None)
        self.put(key, graded)
        return graded


def _size(graded: Graded | None) -> int:
    return 64 if graded is None else graded.nbytes()


def _retrieve(task: asyncio.Task[Graded | None]) -> None:
    """A run whose every waiter left still ends; its failure is theirs to see, not the log's."""
    if not task.cancelled():
        task.exception()
