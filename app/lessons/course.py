"""The course around the lessons: topics in order, the seeds, concepts, recaps and glossary.

All of it is data under ``snippets/``: ``course.toml`` (topics, seeds, concepts),
``recaps/<topic>.json`` (one cheat sheet per topic) and ``glossary.json`` (en↔zh terms).
Each is checked when it is read, so a typo fails at start-up and in the tests, never on a
student's screen. Pure: the standard library only.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.lessons.model import Seed, Topic

COURSE_FILE = "course.toml"
GLOSSARY_FILE = "glossary.json"
RECAPS_DIR = "recaps"
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_CJK = re.compile(r"[\u4e00-\u9fff]")


class LessonError(ValueError):
    """A lesson or course file that is missing, malformed or inconsistent."""

    def __init__(self, path: Path | str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = str(path)
        self.problem = problem


@dataclass(slots=True, frozen=True)
class Course:
    topics: tuple[Topic, ...]
    seeds: dict[str, Seed]
    concepts: dict[str, re.Pattern[str] | None]
    """Concept -> the pattern that finds its use in code, or None for an idea code can't show."""

    def rank(self, topic: str) -> int:
        return next(index for index, item in enumerate(self.topics) if item.id == topic)


def load_course(root: Path) -> Course:
    path = root / COURSE_FILE
    data = _read_toml(path)
    topics = []
    for entry in _list_of_tables(path, data, "topics"):
        topic_id = _text(path, entry, "id")
        if not _SLUG.fullmatch(topic_id):
            raise LessonError(path, f"topic id {topic_id!r} must be a slug")
        has_recap = (root / RECAPS_DIR / f"{topic_id}.json").is_file()
        title, title_zh = _text(path, entry, "title"), _zh(path, entry, "title_zh")
        topics.append(Topic(topic_id, title, title_zh, has_recap))
    if len({topic.id for topic in topics}) != len(topics):
        raise LessonError(path, "a topic id is given twice")
    seeds = {
        name: Seed(name, _zh(path, e, "title"), _text(path, e, "title_en"), e.get("url"))
        for name, e in _table(path, data, "seeds").items()
    }
    concepts: dict[str, re.Pattern[str] | None] = {}
    for name, pattern in _table(path, data, "concepts").items():
        if not isinstance(pattern, str):
            raise LessonError(path, f"concept {name!r}: the pattern must be a string")
        try:
            concepts[name] = re.compile(pattern) if pattern else None
        except re.error as error:
            raise LessonError(path, f"concept {name!r}: bad pattern: {error}") from None
    return Course(tuple(topics), seeds, concepts)


def load_recap(root: Path, topic: str) -> dict[str, Any]:
    """A topic's cheat sheet: titled sections of rows (code, what it does in en and zh).

    A row's ``code`` runs after its section's ``setup`` (tests/test_recaps.py runs them all,
    checking ``result``, the ``str()`` of an expression, and ``raises``); a section with
    ``"runs": false`` shows an outline instead of code that runs.
    """
    path = root / RECAPS_DIR / f"{topic}.json"
    data = _read_json(path)
    _text(path, data, "title")
    _zh(path, data, "title_zh")
    for section in _list_of_tables(path, data, "sections"):
        _text(path, section, "heading")
        _zh(path, section, "heading_zh")
        if not isinstance(section.get("setup", ""), str):
            raise LessonError(path, "a section's setup must be code (a string)")
        if not isinstance(section.get("runs", True), bool):
            raise LessonError(path, "a section's runs must be true or false")
        for row in _list_of_tables(path, section, "rows"):
            _text(path, row, "code")
            _text(path, row, "en")
            _zh(path, row, "zh")
            if not isinstance(row.get("raises", ""), str):
                raise LessonError(path, "a row's raises must be an exception name")
    return {"topic": topic, **data}


def load_glossary(root: Path) -> list[dict[str, Any]]:
    """The en↔zh terms: each with its Chinese rendering and the renderings to avoid."""
    path = root / GLOSSARY_FILE
    terms = _list_of_tables(path, _read_json(path), "terms")
    for term in terms:
        _text(path, term, "en")
        _zh(path, term, "zh")
        for key in ("not_zh", "concepts"):
            value = term.get(key, [])
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                raise LessonError(path, f"{term['en']!r}: {key} must be a list of strings")
    if len({term["en"] for term in terms}) != len(terms):
        raise LessonError(path, "a term is given twice")
    return terms


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise LessonError(path, f"cannot read it: {error}") from None


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise LessonError(path, f"cannot read it: {error}") from None
    if not isinstance(data, dict):
        raise LessonError(path, "the file must hold one JSON object")
    return data


def _table(path: Path, data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict) or not value:
        raise LessonError(path, f"{key!r} must be a non-empty table")
    return value


def _list_of_tables(path: Path, data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = data.get(key)
    if not isinstance(value, list) or not value or not all(isinstance(v, dict) for v in value):
        raise LessonError(path, f"{key!r} must be a non-empty list of tables")
    return value


def _text(path: Path, data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise LessonError(path, f"{key!r} must be a non-empty string")
    return value


def _zh(path: Path, data: dict[str, Any], key: str) -> str:
    value = _text(path, data, key)
    if not _CJK.search(value):
        raise LessonError(path, f"{key!r} must be Chinese: {value!r}")
    return value
