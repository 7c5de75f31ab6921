"""The lessons as the page shows them: the code without its header, the sidebar, the order.

A lesson file starts with a metadata header (id, titles, notices…) that the lesson panel
already shows; the editor gets only the code. `display_code` strips the header if the
lesson still carries one and says how many lines it removed, so a line number declared for
the file (`error_line`) is shown for the code the student sees; without a header it changes
nothing.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from app.lessons import TOPICS, Lesson, library


@dataclass(slots=True, frozen=True)
class LessonCode:
    code: str
    offset: int
    """Lines removed above the code: file line `n` is editor line `n - offset`."""

    def line(self, file_line: int | None) -> int | None:
        if file_line is None or file_line - self.offset < 1:
            return None
        return file_line - self.offset


def display_code(text: str) -> LessonCode:
    """The code after a `# id: …` header ended by a blank line, or all of `text`."""
    lines = text.splitlines(keepends=True)
    if not lines or not lines[0].startswith("# id: "):
        return LessonCode(text, 0)
    for index, line in enumerate(lines):
        if not line.strip():
            return LessonCode("".join(lines[index + 1 :]), index + 1)
        if not line.startswith("#"):
            break
    return LessonCode(text, 0)


@functools.cache
def lesson_code(lesson: Lesson) -> LessonCode:
    return display_code(lesson.code)


def lessons_by_topic() -> list[tuple[str, str, str, list[Lesson]]]:
    """(topic id, English name, Chinese name, lessons) for every topic that has lessons."""
    grouped = [
        (topic, en, zh, [lesson for lesson in library() if lesson.topic == topic])
        for topic, en, zh in TOPICS
    ]
    return [entry for entry in grouped if entry[3]]


def neighbours(lesson: Lesson) -> tuple[Lesson | None, Lesson | None]:
    """The lessons before and after `lesson` in teaching order."""
    lessons = library()
    index = next((i for i, item in enumerate(lessons) if item.id == lesson.id), None)
    if index is None:
        return None, None
    before = lessons[index - 1] if index > 0 else None
    after = lessons[index + 1] if index + 1 < len(lessons) else None
    return before, after
