"""The classroom: classes, exercises graded by the server, a live dashboard, broadcasts.

Off unless `PLAYGROUND_TEACHER_CODE` is set (then `install` mounts it; otherwise its paths are
404s). The modules, each with one job:

    models.py          request bodies and checks (pydantic), validated once at creation
    grading.py         seed draws, what a run must return, each check's verdict (pure)
    values.py          a graded run's values read as hostile data; comparisons in facts
    wording.py         the verdicts' sentences, English and Chinese
    references.py      the reference's values per (exercise, seed draw), cached, single-flight
    rows.py            the tables' rows as dataclasses, and the columns they are read from
    store.py           the tables (app/store/schema.py), one transaction per method
    row_cache.py       the hot paths' reads, kept briefly and made once however many ask
    grid_store.py      the dashboard's grid read whole, or what changed since a version
    service.py         ClassroomService: the one path of the API and the pages
    serialize.py       rows as the contract's JSON and CSV
    auth.py            teacher code, student tokens, cookies: 401/403, throttled guessing
    api.py             /api/v1 routes (../shared/API.md, "The classroom API (v1)")
    page_kit.py, student_pages.py, teacher_pages.py    the pages
    grid_view.py       the live grid: whole, or a poll's diff as out-of-band swaps
    exercise_sets.py   the ready-made sets in snippets/exercises/
    from_lesson.py     an exercise from a lesson, in one click

The sandbox's side of grading is app/sandbox/grade.py (values captured in full, functions
called under the server's seeds), bounded by the GRADE_* limits of app/sandbox/limits.py.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from app.config import Settings
from app.store import Store


def install(app: FastAPI, settings: Settings, store: Store, responses: dict[Any, Any]) -> None:
    """Mount the classroom's routes and services on `app` (after `app.state.service`)."""
    from app.classroom import api, page_kit, student_pages, teacher_pages
    from app.classroom.auth import ClassroomGate
    from app.classroom.service import ClassroomService
    from app.classroom.store import ClassroomStore

    classroom_store = ClassroomStore(store.database)
    service = ClassroomService(settings, classroom_store, app.state.service)
    app.state.classroom = service
    app.state.classroom_gate = ClassroomGate(settings, classroom_store, store.sessions)
    store.cleanups.append(("classes past their retention", service.remove_expired))
    metrics = app.state.metrics
    metrics.gauge("playground_reference_runs", "Reference runs the classroom made (each "
                  "(exercise, seed draw) at most once while cached).",
                  lambda: service.references.runs)  # fmt: skip
    metrics.gauge("playground_reference_cache_entries", "(exercise, seed draw) pairs cached.",
                  lambda: len(service.references))  # fmt: skip
    page_kit.install_filters(app.state.templates)
    app.add_exception_handler(teacher_pages.NoTeacherSession, teacher_pages.to_login)
    app.include_router(api.router, responses=responses)
    app.include_router(student_pages.router)
    app.include_router(teacher_pages.router)
