"""The lessons as the page shows them: the sidebar by topic, the neighbours, the question.

The lesson files hold only code (their metadata is a `.toml` beside them), so the editor gets
`Lesson.code_for(lang)` as is and `error_line` counts its lines.
"""

from __future__ import annotations

import json

from app.lessons import TOPICS, Lesson, find_lesson, library, neighbours


def lessons_by_topic() -> list[tuple[str, str, str, list[Lesson]]]:
    """(topic id, English name, Chinese name, lessons) for every topic that has lessons."""
    grouped = [
        (topic, en, zh, [lesson for lesson in library() if lesson.topic == topic])
        for topic, en, zh in TOPICS
    ]
    return [entry for entry in grouped if entry[3]]


def lesson_neighbours(lesson: Lesson) -> tuple[Lesson | None, Lesson | None]:
    """The lessons before and after `lesson` in the course."""
    before, after = neighbours(lesson.id)
    return find_lesson(before), find_lesson(after)


def question_json(lesson: Lesson) -> str | None:
    """What the page's script needs to judge a prediction: the kind and the answer."""
    question = lesson.question
    if question is None:
        return None
    answer = list(question.answer) if isinstance(question.answer, tuple) else question.answer
    return json.dumps({"kind": question.kind, "answer": answer})
