"""The classroom's rows as the JSON (and CSV) of ../shared/API.md, "The classroom API (v1)".

Pure functions of rows, so the pages and the API show the same facts. Fields beyond the
contract are additions (`lang`, `closed_at`, `join_url`, `details` in both languages, ...).
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from app.classroom.store import CellRow, ClassRow, ExerciseRow, StudentRow, SubmissionRow
from app.schemas import RunResponse

STATUSES = ("not_tried", "error", "failed", "passed")
MAX_STORED_REPORT_BYTES = 512 * 1024
"""A submission's report is stored whole up to this size; past it, its figures, then its
steps, then its value previews are left out (`stored_trimmed: true`)."""
CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def stamp(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def class_json(row: ClassRow, base_url: str) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "join_code": row.join_code,
        "created_at": stamp(row.created_at),
        "lang": row.lang,
        "closed_at": stamp(row.closed_at),
        "join_url": f"{base_url}/c/{row.join_code}",
    }


def exercise_json(row: ExerciseRow, *, with_reference: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": row.id,
        "title": row.title,
        "prompt": row.prompt,
        "starter": row.starter,
        "reference": row.reference,
        "checks": row.checks,
        "lesson_id": row.lesson_id,
        "title_zh": row.title_zh,
        "prompt_zh": row.prompt_zh,
        "class_id": row.class_id,
        "position": row.position,
    }
    if not with_reference:
        del data["reference"]
    return data


def student_json(row: StudentRow) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "joined_at": stamp(row.joined_at)}


def submission_json(row: SubmissionRow, lang: str, *, with_code: bool = True) -> dict[str, Any]:
    """The Submission, its report left out (`submission_body` splices it in as stored)."""
    data: dict[str, Any] = {
        "id": row.id,
        "passed": row.passed,
        "checks": [
            {
                "check": c["check"],
                "passed": c["passed"],
                "detail": c["details"][lang],
                "details": c["details"],
            }
            for c in row.checks
        ],
        "status": row.status,
        "exercise_id": row.exercise_id,
        "student_id": row.student_id,
        "seed": row.seed,
        "created_at": stamp(row.created_at),
    }
    if with_code:
        data["code"] = row.code
    return data


def submission_body(row: SubmissionRow, lang: str) -> bytes:
    """The Submission's JSON with its report as stored: the report is already JSON text, so
    it is never parsed and encoded again on the way out."""
    head = json.dumps(submission_json(row, lang), ensure_ascii=False)
    return f'{head[:-1]}, "report": {row.report or "null"}}}'.encode()


def stored_report(report: RunResponse) -> str:
    """The report as kept with the submission (JSON): whole, or trimmed to the size bound."""
    text = report.model_dump_json()
    if len(text) <= MAX_STORED_REPORT_BYTES:
        return text
    data = json.loads(text)
    for trim in ("figures", "steps", "values"):
        if trim == "figures":
            data = {**data, "figures": [], "stored_trimmed": True}
        elif trim == "steps":
            data = {**data, "steps": [], "steps_truncated": True}
        else:
            data = {
                **data,
                "tensors": [_without_values(t) for t in data["tensors"]],
                "modules": [],
                "graph": {"nodes": [], "edges": [], "truncated": True},
            }
        text = json.dumps(data, ensure_ascii=False)
        if len(text) <= MAX_STORED_REPORT_BYTES:
            return text
    data = {**data, "stdout": data["stdout"][:4096], "stderr": data["stderr"][:4096]}
    return json.dumps(data, ensure_ascii=False)


def _without_values(tensor: dict[str, Any]) -> dict[str, Any]:
    return {**tensor, "values": None, "values_truncated": True, "grad": None}


def cell_status(cell: CellRow | None) -> str:
    return "not_tried" if cell is None else cell.status


def progress_json(
    klass: ClassRow,
    base_url: str,
    roster: list[StudentRow],
    exercises: list[ExerciseRow],
    cells: list[CellRow],
) -> dict[str, Any]:
    by_key = {(c.student_id, c.exercise_id): c for c in cells}
    return {
        "class": class_json(klass, base_url),
        "students": [student_json(s) for s in roster],
        "exercises": [{"id": e.id, "title": e.title, "title_zh": e.title_zh} for e in exercises],
        "cells": [
            {
                "student_id": s.id,
                "exercise_id": e.id,
                "status": cell_status(cell := by_key.get((s.id, e.id))),
                "attempts": 0 if cell is None else cell.attempts,
                "last_at": None if cell is None else stamp(cell.last_at),
            }
            for s in roster
            for e in exercises
        ],
        "errors": common_errors(roster, cells),
        "version": klass.version,
    }


def common_errors(roster: list[StudentRow], cells: list[CellRow]) -> list[dict[str, Any]]:
    """The class's errors right now: for each student, the latest of their submissions that
    failed (on an exercise not passed since); those that raised, grouped by explanation title
    (or error type), most students first."""
    names = {s.id: s.name for s in roster}
    latest: dict[str, CellRow] = {}
    for cell in cells:
        if cell.status in ("error", "failed") and cell.student_id in names:
            current = latest.get(cell.student_id)
            if current is None or cell.last_at > current.last_at:
                latest[cell.student_id] = cell
    groups: dict[str, list[CellRow]] = {}
    for cell in latest.values():
        if cell.status == "error" and cell.error_type:
            groups.setdefault(cell.error_title or cell.error_type, []).append(cell)
    found = [
        {
            "type": Counter(c.error_type for c in members).most_common(1)[0][0],
            "title": title,
            "students": len(members),
            "last_at": stamp(max(c.last_at for c in members)),
            "student_names": sorted(names[c.student_id] for c in members),
        }
        for title, members in groups.items()
    ]
    found.sort(key=lambda group: group["last_at"], reverse=True)  # newest first within a count
    found.sort(key=lambda group: group["students"], reverse=True)
    return found


def progress_csv(
    roster: list[StudentRow], exercises: list[ExerciseRow], cells: list[CellRow]
) -> str:
    """`student`, then each exercise's title; one row per student, each cell its status."""
    by_key = {(c.student_id, c.exercise_id): c for c in cells}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["student", *(_cell_text(e.title) for e in exercises)])
    for student in roster:
        writer.writerow(
            [_cell_text(student.name)]
            + [cell_status(by_key.get((student.id, e.id))) for e in exercises]
        )
    return out.getvalue()


def _cell_text(text: str) -> str:
    """A name a spreadsheet would run as a formula (`=HYPERLINK(...)`) starts with a quote."""
    return f"'{text}" if text.startswith(CSV_FORMULA_START) else text
