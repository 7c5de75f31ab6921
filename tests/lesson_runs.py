"""Each lesson's report from the real server, run once per test session.

Shared by the lesson tests (outcomes, claims, questions): the cache lives here, at module
level, so however many tests read a lesson's report it runs once in each language.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from app.lessons import Lesson, library

Report = dict[str, Any]
LESSONS = library()
BY_ID = {lesson.id: lesson for lesson in LESSONS}
PARALLEL_RUNS = 3
_reports: dict[tuple[str, str], Report] = {}


def lesson_report(run_snippet: Callable[..., Report], lesson: Lesson, lang: str = "en") -> Report:
    """The report of the lesson's code (``lang="zh"``: of its Chinese rendering).

    The first call in a language runs every lesson, a few at a time (the server runs them
    in parallel slots), so the whole set costs about half what one-by-one would.
    """
    if not any(key[1] == lang for key in _reports):
        wanted = [x for x in LESSONS if lang == "en" or x.code_zh != x.code]
        with ThreadPoolExecutor(max_workers=PARALLEL_RUNS) as pool:
            found = pool.map(lambda x: run_snippet(x.code_for(lang)), wanted)
            _reports.update({(x.id, lang): report for x, report in zip(wanted, found, strict=True)})
    key = (lesson.id, lang)
    if key not in _reports:
        _reports[key] = run_snippet(lesson.code_for(lang))
    return _reports[key]


def tensors(report: Report) -> dict[str, Report]:
    assert not report.get("inspection_problems"), report["inspection_problems"]
    return {info["name"]: info for info in report["tensors"]}


def module(report: Report, name: str) -> Report:
    (found,) = [info for info in report["modules"] if info["name"] == name]
    return found
