"""Ready-made exercise sets: ``snippets/exercises/<set>/<id>.toml``, one exercise a file.

Each set's folder holds ``set.toml`` (``title``, ``title_zh``, ``order``) and its exercises,
each a TOML file with what `POST /api/v1/classes/{id}/exercises` takes (``title``,
``title_zh``, ``prompt``, ``prompt_zh``, ``starter``, ``reference``, ``[[checks]]``,
``lesson``) and, for the tests, ``wrong``: a typical wrong answer, with ``wrong_detail``,
words the detail of the check it fails must contain. ``order`` sorts exercises in a set.

Two levels deep on purpose: the lesson loader reads ``snippets/*/*.toml`` as lessons.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from app import resources
from app.classroom.models import ExerciseIn

EXERCISES_DIR = resources.SNIPPETS_DIR / "exercises"
_EXERCISE_KEYS = {
    "title",
    "title_zh",
    "prompt",
    "prompt_zh",
    "starter",
    "reference",
    "checks",
    "lesson",
    "wrong",
    "wrong_detail",
    "order",
}


class ExerciseFileError(ValueError):
    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")


@dataclass(frozen=True, slots=True)
class ReadyExercise:
    id: str
    set_id: str
    order: int
    body: ExerciseIn
    wrong: str
    wrong_detail: str


@dataclass(frozen=True, slots=True)
class ExerciseSet:
    id: str
    title: str
    title_zh: str
    order: int
    exercises: tuple[ReadyExercise, ...]

    def title_for(self, lang: str) -> str:
        return self.title_zh if lang == "zh" else self.title


def load_exercise(path: Path) -> ReadyExercise:
    data = _read(path)
    unknown = set(data) - _EXERCISE_KEYS
    if unknown:
        raise ExerciseFileError(path, f"unknown keys {sorted(unknown)}")
    for key in ("title_zh", "prompt", "prompt_zh", "starter", "wrong", "wrong_detail"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise ExerciseFileError(path, f"{key} is required (a non-empty string)")
    fields = {
        k: data[k]
        for k in ("title", "title_zh", "prompt", "prompt_zh", "starter", "reference", "checks")
        if k in data
    }
    fields["lesson_id"] = data.get("lesson")
    try:
        body = ExerciseIn.model_validate(fields)
    except ValidationError as exc:
        raise ExerciseFileError(path, str(exc)) from None
    return ReadyExercise(
        id=path.stem,
        set_id=path.parent.name,
        order=int(data.get("order", 0)),
        body=body,
        wrong=data["wrong"],
        wrong_detail=data["wrong_detail"],
    )


def load_sets(root: Path = EXERCISES_DIR) -> tuple[ExerciseSet, ...]:
    sets = []
    seen: dict[str, Path] = {}
    for meta_path in sorted(root.glob("*/set.toml")):
        meta = _read(meta_path)
        exercises = []
        for path in sorted(meta_path.parent.glob("*.toml")):
            if path.name == "set.toml":
                continue
            exercise = load_exercise(path)
            if exercise.id in seen:
                raise ExerciseFileError(path, f"id {exercise.id!r} is also {seen[exercise.id]}")
            seen[exercise.id] = path
            exercises.append(exercise)
        exercises.sort(key=lambda e: (e.order, e.id))
        sets.append(
            ExerciseSet(
                id=meta_path.parent.name,
                title=str(meta["title"]),
                title_zh=str(meta["title_zh"]),
                order=int(meta["order"]),
                exercises=tuple(exercises),
            )
        )
    return tuple(sorted(sets, key=lambda s: (s.order, s.id)))


@functools.cache
def exercise_sets() -> tuple[ExerciseSet, ...]:
    return load_sets() if EXERCISES_DIR.is_dir() else ()


def find_set(set_id: str) -> ExerciseSet | None:
    return next((s for s in exercise_sets() if s.id == set_id), None)


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ExerciseFileError(path, f"not TOML: {exc}") from None
