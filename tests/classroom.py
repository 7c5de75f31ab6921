"""What the classroom tests share: a real server with the classroom on, and a small client that
plays the teacher and the students over HTTP (the contract's bearer tokens).

`classroom_server` is one server for the whole session (started on first use), so the
classroom's suites pay for one fork-server; each test makes its own class, so tests never
see each other's students.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.conftest import LiveServer, start_server

TEACHER_CODE = "teacher-code-for-tests-7Qx"
_names = itertools.count(1)


@pytest.fixture(scope="session")
def classroom_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(
        tmp_path_factory.mktemp("classroom"), rate_per_minute=0, teacher_code=TEACHER_CODE
    )
    yield live
    live.stop()


@dataclass
class Student:
    id: str
    name: str
    token: str
    class_id: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Classroom:
    """The teacher's side of one class on a live server."""

    url: str
    klass: dict[str, Any]
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=120))

    @property
    def id(self) -> str:
        return self.klass["id"]

    @property
    def teacher(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {TEACHER_CODE}"}

    def add(self, exercise: dict[str, Any]) -> dict[str, Any]:
        response = self.http.post(
            f"{self.url}/api/v1/classes/{self.id}/exercises", json=exercise, headers=self.teacher
        )
        assert response.status_code == 201, response.text
        return response.json()

    def join(self, name: str | None = None) -> Student:
        name = name or f"student {next(_names)}"
        response = self.http.post(
            f"{self.url}/api/v1/join", json={"join_code": self.klass["join_code"], "name": name}
        )
        assert response.status_code == 201, response.text
        body = response.json()
        return Student(body["student"]["id"], name, body["token"], self.id)

    def submit(self, student: Student, exercise_id: str, code: str) -> dict[str, Any]:
        response = self.submit_raw(student, exercise_id, code)
        assert response.status_code == 200, response.text
        return response.json()

    def submit_raw(self, student: Student, exercise_id: str, code: str) -> httpx.Response:
        return self.http.post(
            f"{self.url}/api/v1/exercises/{exercise_id}/submissions",
            json={"code": code},
            headers=student.auth,
        )

    def progress(self) -> dict[str, Any]:
        response = self.http.get(f"{self.url}/api/v1/classes/{self.id}/progress",
                                 headers=self.teacher)  # fmt: skip
        assert response.status_code == 200, response.text
        return response.json()


def new_class(server: LiveServer, name: str = "Period 1", lang: str = "en") -> Classroom:
    response = httpx.post(
        f"{server.url}/api/v1/classes",
        json={"name": name, "lang": lang},
        headers={"Authorization": f"Bearer {TEACHER_CODE}"},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return Classroom(server.url, response.json())


def failing(submission: dict[str, Any]) -> list[dict[str, Any]]:
    return [check for check in submission["checks"] if not check["passed"]]


DOUBLE = {
    "title": "Double it",
    "prompt": "Make `y`, twice `x`; and `f(a)`, twice `a`.",
    "starter": "x = torch.randn(3)\ny = x\n",
    "reference": "x = torch.randn(3)\ny = x * 2\ndef f(a):\n    return a * 2\n",
    "checks": [
        {"kind": "no_error"},
        {"kind": "tensor", "name": "y", "shape": [3], "dtype": "torch.float32"},
        {"kind": "equal", "name": "y"},
        {"kind": "function", "name": "f", "args": "(torch.randn(4),)"},
    ],
}
"""An exercise with a check of every value kind; its reference is RIGHT below."""
RIGHT = DOUBLE["reference"]
