"""The lessons: the course made from the five seed articles, as data the page and API read.

Where things are (all under ``snippets/``; see ``loader.py`` for the file format):
``<topic>/<id>.py`` the code, ``<id>.toml`` the lesson's metadata, ``course.toml`` the
topics in teaching order, the seeds and the concepts, ``recaps/<topic>.json`` a cheat
sheet per topic, ``glossary.json`` the en↔zh terms.

What the page reads from a ``Lesson`` (``model.py``; the API's JSON has the same names):

- ``id``, ``topic``, ``order``; ``title`` / ``title_zh`` (``title_for(lang)``).
- ``code`` the editor's text and what runs; ``code_zh`` the same code with Chinese comments
  and printed labels (``code_for(lang)``); same lines, so ``error_line`` holds for both.
- ``notice`` / ``notice_zh`` (``notice_for(lang)``), ``expect`` (``"ok"`` or an exception
  name) and ``error_line``: hidden until the run when the lesson has a ``question``.
- ``question``: None, or a ``Question`` (``kind`` choice / shape / line, ``prompt_for(lang)``,
  ``choices_for(lang)``, ``answer``, ``tensor`` for a shape, ``is_right(prediction)``).
- ``source`` (seed file or None), ``source_title_for(lang)`` (the seed's title, or "Not from
  the articles"), ``passage`` (the seed's words the lesson comes from, or None).
- ``needs`` / ``teaches`` (concept names), ``prerequisites`` (ids of the earlier lessons that
  teach what it needs), ``formerly`` (old ids that still find it), ``has_recap``.

Around them: ``library()`` the lessons in course order, ``find_lesson(id)`` (old ids too),
``neighbours(id)`` for previous / next, ``topics()``, ``recap(topic)``, ``glossary()``.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from app import resources
from app.lessons.course import Course, LessonError, load_course, load_glossary, load_recap
from app.lessons.loader import load_lessons, parse_lesson
from app.lessons.model import Lesson, Question, Seed, Topic

__all__ = [
    "SNIPPETS_DIR", "TOPICS", "Course", "Lesson", "LessonError", "Question", "Seed", "Topic",
    "course", "find_lesson", "glossary", "library", "load_lessons", "neighbours", "parse_lesson",
    "recap", "topics",
]  # fmt: skip
SNIPPETS_DIR = resources.SNIPPETS_DIR


def course(root: Path = SNIPPETS_DIR) -> Course | None:
    return _course(root)


@functools.cache
def _course(root: Path) -> Course | None:
    return load_course(root) if (root / "course.toml").is_file() else None


def topics(root: Path = SNIPPETS_DIR) -> tuple[Topic, ...]:
    """The topics in teaching order (the appendix last)."""
    found = course(root)
    return found.topics if found else ()


TOPICS: tuple[tuple[str, str, str], ...] = tuple((t.id, t.title, t.title_zh) for t in topics())
"""(topic id, English name, Chinese name), in teaching order."""


def library(root: Path = SNIPPETS_DIR) -> tuple[Lesson, ...]:
    """The project's lessons, read once per process: they change only with a deploy."""
    return _library(root)


@functools.cache
def _library(root: Path) -> tuple[Lesson, ...]:
    return tuple(load_lessons(root)) if (root / "course.toml").is_file() else ()


@functools.cache
def _by_name(root: Path) -> dict[str, Lesson]:
    return {name: lesson for lesson in library(root) for name in (lesson.id, *lesson.formerly)}


def find_lesson(lesson_id: str | None, root: Path = SNIPPETS_DIR) -> Lesson | None:
    """The lesson with this id, or the one a merged or moved lesson's old id now names."""
    return _by_name(root).get(lesson_id or "")


def neighbours(lesson_id: str, root: Path = SNIPPETS_DIR) -> tuple[str | None, str | None]:
    """The ids of the lessons before and after this one in the course (None at either end)."""
    ids = [lesson.id for lesson in library(root)]
    found = find_lesson(lesson_id, root)
    if found is None:
        return None, None
    index = ids.index(found.id)
    return (ids[index - 1] if index else None), (ids[index + 1] if index + 1 < len(ids) else None)


def recap(topic: str, root: Path = SNIPPETS_DIR) -> dict[str, Any] | None:
    """A topic's cheat sheet, or None for a topic without one."""
    known = next((item for item in topics(root) if item.id == topic), None)
    return _recap(root, topic) if known and known.has_recap else None


@functools.cache
def _recap(root: Path, topic: str) -> dict[str, Any]:
    return load_recap(root, topic)


def glossary(root: Path = SNIPPETS_DIR) -> tuple[dict[str, Any], ...]:
    return _glossary(root)


@functools.cache
def _glossary(root: Path) -> tuple[dict[str, Any], ...]:
    return tuple(load_glossary(root)) if (root / "glossary.json").is_file() else ()
