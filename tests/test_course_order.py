"""The course order: no lesson uses what a later lesson teaches.

Each lesson declares the concepts it `needs` and `teaches` (snippets/course.toml lists them,
each with a pattern that finds its use in code). Checked here, lesson by lesson in course
order: every need is taught by an earlier lesson; every concept the code uses (comments and
strings left out) is one the lesson needs or teaches, so a declaration cannot hide a use; and a
lesson teaches only what its code shows.
"""

from __future__ import annotations

import io
import re
import tokenize

import pytest

from app.lessons import SNIPPETS_DIR, Lesson, course, library

LESSONS = library()
COURSE = course()
assert COURSE is not None
TOPIC_ORDER = [
    "creation", "indexing", "shape", "joining", "arithmetic", "conversion", "autograd", "modules",
    "training", "dtype-nan", "project", "pitfalls",
]  # fmt: skip


def code_only(code: str) -> str:
    """The code with comments and string literals blanked out, positions kept."""
    lines = code.splitlines(keepends=True)
    for token in reversed(list(tokenize.generate_tokens(io.StringIO(code).readline))):
        if token.type not in (tokenize.COMMENT, tokenize.STRING):
            continue
        (start_row, start_col), (end_row, end_col) = token.start, token.end
        if start_row == end_row:
            line = lines[start_row - 1]
            lines[start_row - 1] = line[:start_col] + " " * (end_col - start_col) + line[end_col:]
        else:
            lines[start_row - 1] = lines[start_row - 1][:start_col] + "\n"
            for row in range(start_row, end_row - 1):
                lines[row] = "\n"
            lines[end_row - 1] = " " * end_col + lines[end_row - 1][end_col:]
    return "".join(lines)


def used_concepts(lesson: Lesson) -> set[str]:
    code = code_only(lesson.code)
    assert COURSE is not None
    return {name for name, pattern in COURSE.concepts.items() if pattern and pattern.search(code)}


def test_topics_follow_the_course_order_the_issue_asks_for() -> None:
    assert [topic.id for topic in COURSE.topics] == TOPIC_ORDER


def test_lessons_come_in_topic_then_order() -> None:
    rank = {topic: index for index, topic in enumerate(TOPIC_ORDER)}
    keys = [(rank[lesson.topic], lesson.order) for lesson in LESSONS]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)


@pytest.mark.parametrize("index", range(len(LESSONS)), ids=[lesson.id for lesson in LESSONS])
def test_a_lesson_needs_only_what_earlier_lessons_teach(index: int) -> None:
    lesson = LESSONS[index]
    taught_before = {concept for earlier in LESSONS[:index] for concept in earlier.teaches}
    assert set(lesson.needs) <= taught_before, set(lesson.needs) - taught_before
    already = set(lesson.teaches) & taught_before
    assert not already, f"taught earlier already: {sorted(already)}"


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.id)
def test_the_code_uses_only_what_the_lesson_needs_or_teaches(lesson: Lesson) -> None:
    undeclared = used_concepts(lesson) - set(lesson.needs) - set(lesson.teaches)
    assert not undeclared, f"{lesson.id} uses {sorted(undeclared)} without declaring them"


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.id)
def test_a_lesson_teaches_only_what_its_code_shows(lesson: Lesson) -> None:
    assert COURSE is not None
    shown = used_concepts(lesson)
    detectable = {name for name in lesson.teaches if COURSE.concepts[name] is not None}
    assert detectable <= shown, f"teaches {sorted(detectable - shown)} but never uses it"


def test_every_concept_is_taught_somewhere() -> None:
    assert COURSE is not None
    taught = {concept for lesson in LESSONS for concept in lesson.teaches}
    assert set(COURSE.concepts) - taught == set()


def test_prerequisites_point_back_to_the_lesson_that_first_teaches_each_need() -> None:
    position = {lesson.id: index for index, lesson in enumerate(LESSONS)}
    for index, lesson in enumerate(LESSONS):
        for prerequisite in lesson.prerequisites:
            assert position[prerequisite] < index
        first = {
            concept: next(item.id for item in LESSONS if concept in item.teaches)
            for concept in lesson.needs
        }
        assert set(lesson.prerequisites) == set(first.values()), lesson.id


def test_code_only_blanks_comments_and_strings_but_keeps_code() -> None:
    code = 'x = torch.cat([a, b])  # torch.stack(\nprint("torch.view(")\n'
    stripped = code_only(code)
    assert "torch.cat(" in stripped and "stack" not in stripped and "view" not in stripped
    assert stripped.count("\n") == code.count("\n")


def test_the_snippets_folder_is_the_one_the_app_reads() -> None:
    assert SNIPPETS_DIR.name == "snippets" and re.search(r"snippets$", str(SNIPPETS_DIR))
