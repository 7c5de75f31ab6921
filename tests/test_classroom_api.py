"""The classroom API of ../shared/API.md over HTTP, route by route and status by status, on
a real server (and its sandbox): who may call what (401, 403), bad input (422, 413, 404, 409,
all in the one error shape), and the graded path end to end, forged and hard-coded
submissions included.
"""

from __future__ import annotations

import csv
import io
import json
import re

import httpx
import pytest

from app.classroom.store import JOIN_ALPHABET
from tests.attacks.helpers import FORGED_REPORT, SEND_REPORT
from tests.classroom import DOUBLE, RIGHT, TEACHER_CODE, Classroom, Student, failing, new_class
from tests.conftest import LiveServer

TEACHER = {"Authorization": f"Bearer {TEACHER_CODE}"}


@pytest.fixture
def room(classroom_server: LiveServer) -> Classroom:
    return new_class(classroom_server)


def problem(response: httpx.Response, status: int, code: str | None = None) -> dict:
    """The one error shape, with this status (and code)."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "detail"}, body
    if code is not None:
        assert body["error"] == code, body
    return body


# ---- off unless the teacher code is set -----------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/api/v1/classes"), ("GET", "/api/v1/classes"), ("POST", "/api/v1/join"),
     ("GET", "/api/v1/me"), ("POST", "/api/v1/exercises/x/submissions"),
     ("GET", "/api/v1/classes/x/progress"), ("GET", "/join"), ("GET", "/teach"),
     ("GET", "/c/ABCDEFGH")],
)  # fmt: skip
def test_without_a_teacher_code_the_classroom_is_404(
    server: LiveServer, method: str, path: str
) -> None:
    response = httpx.request(method, f"{server.url}{path}", json={}, headers=TEACHER)
    problem(response, 404, "not_found")


# ---- classes --------------------------------------------------------------------------------


def test_a_class_has_a_join_code_without_look_alikes(classroom_server: LiveServer) -> None:
    codes = set()
    for n in range(6):
        created = new_class(classroom_server, f"class {n}").klass
        assert set(created) >= {"id", "name", "join_code", "created_at"}
        assert 6 <= len(created["join_code"]) <= 10
        assert set(created["join_code"]) <= set(JOIN_ALPHABET)
        assert not set(created["join_code"]) & set("0O1lI")
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", created["created_at"])
        codes.add(created["join_code"])
    assert len(codes) == 6
    listed = httpx.get(f"{classroom_server.url}/api/v1/classes", headers=TEACHER).json()
    assert {c["join_code"] for c in listed["classes"]} >= codes


@pytest.mark.parametrize(
    "body", [{}, {"name": ""}, {"name": "   "}, {"name": 3}, {"name": "x" * 101},
             {"name": "a\x00b"}, {"name": "ok", "lang": "fr"}],
)  # fmt: skip
def test_a_class_needs_a_name(classroom_server: LiveServer, body: dict) -> None:
    response = httpx.post(f"{classroom_server.url}/api/v1/classes", json=body, headers=TEACHER)
    problem(response, 422, "invalid_request")


def test_a_body_that_is_not_json_is_refused(classroom_server: LiveServer) -> None:
    response = httpx.post(
        f"{classroom_server.url}/api/v1/classes", content="name=x", headers={
            **TEACHER, "content-type": "application/x-www-form-urlencoded"
        },
    )  # fmt: skip
    problem(response, 415)


# ---- who may call what ----------------------------------------------------------------------


def teacher_routes(room: Classroom, student: Student) -> list[tuple[str, str, dict | None]]:
    base = f"/api/v1/classes/{room.id}"
    return [
        ("POST", "/api/v1/classes", {"name": "n"}),
        ("GET", "/api/v1/classes", None),
        ("POST", f"{base}/exercises", DOUBLE),
        ("GET", f"{base}/progress", None),
        ("GET", f"{base}/progress.csv", None),
        ("GET", f"{base}/students/{student.id}/latest", None),
        ("POST", f"{base}/broadcast", {"code": "x = 1"}),
        # beyond the contract: the dashboard's own routes, guarded alike
        ("GET", base, None),
        ("POST", f"{base}/close", None),
        ("DELETE", base, None),
        ("DELETE", f"{base}/students/{student.id}", None),
        ("POST", f"{base}/exercises/from-lesson", {"lesson_id": "shape-view"}),
        ("GET", "/api/v1/exercise-sets", None),
        ("POST", f"{base}/exercise-sets/creation", None),
    ]


def test_teacher_routes_want_the_teacher_code(room: Classroom) -> None:
    student = room.join()
    for method, path, body in teacher_routes(room, student):
        url = f"{room.url}{path}"
        nobody = httpx.request(method, url, json=body)
        problem(nobody, 401, "unauthorized")
        assert nobody.headers["www-authenticate"] == "Bearer"
        problem(httpx.request(method, url, json=body, headers={"Authorization": "Bearer nope"}),
                401, "unauthorized")  # fmt: skip
        problem(httpx.request(method, url, json=body, headers={"Authorization": "Basic eA=="}),
                401)  # fmt: skip
        problem(httpx.request(method, url, json=body, headers=student.auth), 403, "forbidden")


def test_student_routes_want_a_students_token(room: Classroom) -> None:
    exercise = room.add(DOUBLE)
    for method, path, body in (
        ("GET", "/api/v1/me", None),
        ("POST", f"/api/v1/exercises/{exercise['id']}/submissions", {"code": RIGHT}),
    ):
        url = f"{room.url}{path}"
        problem(httpx.request(method, url, json=body), 401, "unauthorized")
        problem(httpx.request(method, url, json=body, headers={"Authorization": "Bearer x"}), 401)
        problem(httpx.request(method, url, json=body, headers=TEACHER), 403, "forbidden")


def test_a_student_never_reaches_another_classs_data(classroom_server: LiveServer) -> None:
    mine, theirs = new_class(classroom_server, "mine"), new_class(classroom_server, "theirs")
    their_exercise = theirs.add(DOUBLE)
    their_student = theirs.join("them")
    theirs.submit(their_student, their_exercise["id"], RIGHT)
    me = mine.join("me")
    url = classroom_server.url
    problem(httpx.get(f"{url}/api/v1/classes/{theirs.id}/exercises", headers=me.auth), 403)
    problem(httpx.post(f"{url}/api/v1/exercises/{their_exercise['id']}/submissions",
                       json={"code": RIGHT}, headers=me.auth), 403, "forbidden")  # fmt: skip
    problem(httpx.get(f"{url}/api/v1/classes/nonexistent/exercises", headers=me.auth), 403)
    base = f"/api/v1/classes/{theirs.id}"
    for path in ("/progress", "/progress.csv", f"/students/{their_student.id}/latest"):
        problem(httpx.get(f"{url}{base}{path}", headers=me.auth), 403)
    for method, path in (("GET", ""), ("POST", "/close"), ("DELETE", ""),
                         ("DELETE", f"/students/{their_student.id}"),
                         ("POST", "/broadcast"), ("POST", "/exercises")):  # fmt: skip
        problem(httpx.request(method, f"{url}{base}{path}", headers=me.auth,
                              json={"code": "x = 1"}), 403)  # fmt: skip
    mine_me = httpx.get(f"{url}/api/v1/me", headers=me.auth).json()
    assert mine_me["class"]["id"] == mine.id and mine_me["exercises"] == []
    after = theirs.progress()  # nothing of theirs changed
    assert after["cells"][0]["attempts"] == 1 and after["students"][0]["name"] == "them"
    assert httpx.get(f"{url}/api/v1/me", headers=their_student.auth).json()["broadcast"] is None
    assert after["class"]["closed_at"] is None


def test_a_student_sees_exercises_without_the_reference(room: Classroom) -> None:
    added = room.add(DOUBLE)
    assert added["reference"] == RIGHT and set(added) >= {"id", "title", "prompt", "starter",
                                                          "checks", "lesson_id"}  # fmt: skip
    student = room.join()
    url = f"{room.url}/api/v1/classes/{room.id}/exercises"
    seen = httpx.get(url, headers=student.auth).json()["exercises"]
    assert [e["id"] for e in seen] == [added["id"]] and "reference" not in seen[0]
    assert httpx.get(url, headers=TEACHER).json()["exercises"][0]["reference"] == RIGHT
    me = httpx.get(f"{room.url}/api/v1/me", headers=student.auth).json()
    assert "reference" not in me["exercises"][0]["exercise"]
    assert RIGHT not in json.dumps(me)


# ---- exercises ------------------------------------------------------------------------------


def test_an_exercise_whose_reference_fails_is_refused_naming_the_checks(room: Classroom) -> None:
    failing_reference = {**DOUBLE, "reference": "x = torch.randn(3)\ny = x @ x\n"}
    body = problem(room.http.post(f"{room.url}/api/v1/classes/{room.id}/exercises",
                                  json=failing_reference, headers=TEACHER), 422)  # fmt: skip
    verdicts = {c["check"]["kind"]: c["passed"] for c in body["detail"]["checks"]}
    assert verdicts == {"no_error": True, "tensor": False, "equal": True, "function": False}
    raising = {**DOUBLE, "reference": "raise ValueError('no')"}
    problem(room.http.post(f"{room.url}/api/v1/classes/{room.id}/exercises", json=raising,
                           headers=TEACHER), 422)  # fmt: skip
    listed = httpx.get(f"{room.url}/api/v1/classes/{room.id}/exercises", headers=TEACHER)
    assert listed.json()["exercises"] == []


@pytest.mark.parametrize(
    "change",
    [{"checks": []}, {"checks": [{"kind": "nope"}]}, {"checks": [{"kind": "equal"}]},
     {"checks": [{"kind": "equal", "name": "1x"}]}, {"checks": [{"kind": "tensor", "name": "y",
                                                                  "dtype": "torch.flaot32"}]},
     {"checks": [{"kind": "function", "name": "f", "args": "(1,"}]},
     {"checks": [{"kind": "function", "name": "f", "args": "()", "trials": 99}]},
     {"checks": [{"kind": "equal", "name": "y", "atol": -1}]},
     {"checks": [{"kind": "raises", "type": "not an exception"}]},
     {"title": ""}, {"reference": ""}, {"reference": None}],
)  # fmt: skip
def test_an_exercise_that_is_not_the_schema_is_422(room: Classroom, change: dict) -> None:
    response = room.http.post(f"{room.url}/api/v1/classes/{room.id}/exercises",
                              json={**DOUBLE, **change}, headers=TEACHER)  # fmt: skip
    problem(response, 422, "invalid_request")


def test_exercise_limits_and_unknown_classes(room: Classroom) -> None:
    big = {**DOUBLE, "reference": "x = 1\n" + "#" * 70_000}
    problem(room.http.post(f"{room.url}/api/v1/classes/{room.id}/exercises", json=big,
                           headers=TEACHER), 413, "snippet_too_large")  # fmt: skip
    nul = {**DOUBLE, "starter": "x = 1\x00"}
    problem(room.http.post(f"{room.url}/api/v1/classes/{room.id}/exercises", json=nul,
                           headers=TEACHER), 422, "invalid_snippet")  # fmt: skip
    for method, path, body in (("POST", "/exercises", DOUBLE), ("GET", "/exercises", None),
                               ("GET", "/progress", None), ("GET", "/progress.csv", None),
                               ("POST", "/broadcast", {"code": "x"})):  # fmt: skip
        response = httpx.request(method, f"{room.url}/api/v1/classes/no-such-class{path}",
                                 json=body, headers=TEACHER)  # fmt: skip
        problem(response, 404, "not_found")


def test_an_exercise_from_a_lesson_in_one_click(room: Classroom) -> None:
    response = room.http.post(f"{room.url}/api/v1/classes/{room.id}/exercises/from-lesson",
                              json={"lesson_id": "shape-view"}, headers=TEACHER)  # fmt: skip
    assert response.status_code == 201, response.text
    made = response.json()
    assert made["lesson_id"] == "shape-view" and made["reference"] == made["starter"]
    kinds = [c["kind"] for c in made["checks"]]
    assert kinds[0] == "no_error" and "tensor" in kinds and kinds[-1] == "equal"
    raising = room.http.post(
        f"{room.url}/api/v1/classes/{room.id}/exercises/from-lesson",
        json={"lesson_id": "shape-view-non-contiguous"},
        headers=TEACHER,
    )
    assert raising.status_code == 201 and raising.json()["checks"] == [
        {"kind": "raises", "type": "RuntimeError"}
    ]
    student = room.join()
    assert room.submit(student, made["id"], made["starter"])["passed"]
    problem(room.http.post(f"{room.url}/api/v1/classes/{room.id}/exercises/from-lesson",
                           json={"lesson_id": "nope"}, headers=TEACHER), 404)  # fmt: skip


# ---- joining --------------------------------------------------------------------------------


def test_joining(room: Classroom) -> None:
    response = httpx.post(
        f"{room.url}/api/v1/join",
        json={"join_code": room.klass["join_code"].lower(), "name": " Ann "},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["student"]["name"] == "Ann" and body["class"] == {
        "id": room.id,
        "name": room.klass["name"],
        "lang": "en",
    }
    assert len(body["token"]) >= 40
    join = f"{room.url}/api/v1/join"
    problem(httpx.post(join, json={"join_code": room.klass["join_code"], "name": "Ann"}), 409,
            "conflict")  # fmt: skip
    problem(httpx.post(join, json={"join_code": "NOSUCHCD", "name": "Bo"}), 404, "not_found")
    for name in ("", " ", "x" * 41, "tab\there", 7):
        problem(httpx.post(join, json={"join_code": room.klass["join_code"], "name": name}), 422)
    assert room.join("x" * 40).name == "x" * 40
    assert room.join("王小明").name == "王小明"
    problem(httpx.post(join, json={"name": "Bo"}), 422)


def test_me_lists_the_exercises_with_status_and_the_broadcast(room: Classroom) -> None:
    exercise = room.add(DOUBLE)
    student = room.join()
    me = httpx.get(f"{room.url}/api/v1/me", headers=student.auth).json()
    assert me["student"]["id"] == student.id and me["class"]["id"] == room.id
    assert me["exercises"][0]["status"] == "not_tried" and me["exercises"][0]["attempts"] == 0
    assert me["broadcast"] is None
    sent = httpx.post(f"{room.url}/api/v1/classes/{room.id}/broadcast",
                      json={"code": "look = torch.eye(2)"}, headers=TEACHER)  # fmt: skip
    assert sent.status_code == 200 and sent.json()["code"] == "look = torch.eye(2)"
    room.submit(student, exercise["id"], "x = 1/0")
    me = httpx.get(f"{room.url}/api/v1/me", headers=student.auth).json()
    assert me["broadcast"]["code"] == "look = torch.eye(2)" and me["broadcast"]["at"]
    assert me["exercises"][0]["status"] == "error" and me["exercises"][0]["attempts"] == 1


def test_broadcast_bounds(room: Classroom) -> None:
    url = f"{room.url}/api/v1/classes/{room.id}/broadcast"
    problem(httpx.post(url, json={"code": "x" * 70_000}, headers=TEACHER), 413)
    problem(httpx.post(url, json={"code": "   "}, headers=TEACHER), 422)
    problem(httpx.post(url, json={}, headers=TEACHER), 422)


# ---- submissions ----------------------------------------------------------------------------


def test_a_submission_is_graded_and_answers_with_its_report(room: Classroom) -> None:
    exercise = room.add(DOUBLE)
    student = room.join()
    right = room.submit(student, exercise["id"], RIGHT)
    assert set(right) >= {"id", "passed", "checks", "report"} and right["passed"]
    assert [c["check"] for c in right["checks"]] == DOUBLE["checks"]
    assert all(c["passed"] and c["detail"] for c in right["checks"])
    assert right["report"]["ok"] and "grade" not in right["report"]
    assert {t["name"] for t in right["report"]["tensors"]} == {"x", "y"}
    wrong = room.submit(student, exercise["id"], "x = torch.randn(3)\ny = x * 3\n")
    assert not wrong["passed"]
    assert [c["check"]["kind"] for c in failing(wrong)] == ["equal", "function"]
    assert "differ from the expected values" in failing(wrong)[0]["detail"]


def test_submission_input_is_checked_like_a_run(room: Classroom) -> None:
    exercise = room.add(DOUBLE)
    student = room.join()
    url = f"{room.url}/api/v1/exercises/{exercise['id']}/submissions"
    problem(httpx.post(url, json={}, headers=student.auth), 422, "invalid_request")
    problem(httpx.post(url, json={"code": 5}, headers=student.auth), 422)
    problem(httpx.post(url, json={"code": "x = 1\x00"}, headers=student.auth), 422,
            "invalid_snippet")  # fmt: skip
    problem(httpx.post(url, json={"code": "#" * 70_000}, headers=student.auth), 413,
            "snippet_too_large")  # fmt: skip
    problem(httpx.post(f"{room.url}/api/v1/exercises/nope/submissions", json={"code": "x=1"},
                       headers=student.auth), 404, "not_found")  # fmt: skip
    assert room.progress()["cells"][0]["attempts"] == 0  # none of these counted


def test_a_submission_that_forges_its_report_still_fails_equal(room: Classroom) -> None:
    """The run writes a report of its own, grade section included and well formed, claiming
    the values it guesses (those of seed 0, zeros), and exits before the real report."""
    exercise = room.add({**DOUBLE, "checks": [{"kind": "equal", "name": "y"}]})
    student = room.join()
    for guess in ("torch.randn(3) * 2", "torch.zeros(3)"):
        code = SEND_REPORT + (
            "import base64\n"
            "torch.manual_seed(0)\n"
            f"report = json.loads({json.dumps(FORGED_REPORT)!r})\n"
            f"guess = {guess}\n"
            'report["grade"] = {"values": {"y": {"t": "tensor", "dtype": "torch.float32",'
            ' "shape": [3], "data": base64.b64encode(guess.numpy().tobytes()).decode()}},'
            ' "calls": []}\n'
            "send_report(report)\n"
            "os._exit(0)\n"
        )
        submission = room.submit(student, exercise["id"], code)
        assert submission["report"]["stdout"] == "forged"  # the forgery was the report
        assert not submission["passed"], submission["checks"]
        assert "differ from the expected values" in submission["checks"][0]["detail"]


def test_hard_coded_values_fail_because_the_server_draws_the_seed(room: Classroom) -> None:
    exercise = room.add({**DOUBLE, "checks": [{"kind": "equal", "name": "y"}]})
    student = room.join()
    seeded = room.http.post(f"{room.url}/api/v1/run", json={"code": RIGHT, "seed": 0}).json()
    values = next(t for t in seeded["tensors"] if t["name"] == "y")["values"]
    hard_coded = f"y = torch.tensor({values!r})\n"
    for _ in range(3):
        assert not room.submit(student, exercise["id"], hard_coded)["passed"]
    assert room.submit(student, exercise["id"], RIGHT)["passed"]


def test_the_submission_never_sees_the_reference(room: Classroom) -> None:
    """The reference runs in a sandboxed run of its own: nothing of it is in the submission's
    process (its globals, modules, any object the collector knows) or in its report."""
    exercise = room.add({**DOUBLE, "reference": RIGHT + "reference_only_name_4412 = 1\n"})
    student = room.join()
    probe = (
        "import gc, sys\n"
        "hidden = '2144_eman_ylno_ecnerefer'  # reversed: only a temporary holds the name\n"
        "leak = any(hidden[::-1] in repr(o) for o in gc.get_objects()"
        " if isinstance(o, dict | list | tuple))\n"
        "leak = leak or any(hidden[::-1] in repr(vars(m)) for m in list(sys.modules.values()))\n"
        "assert not leak, 'the reference is visible'\n"
    ) + RIGHT
    submission = room.submit(student, exercise["id"], probe)
    assert submission["report"]["error"] is None, submission["report"]["error"]
    assert "reference_only_name" not in json.dumps(submission)
    assert submission["passed"]
    control = room.submit(student, exercise["id"], "reference_only_name_4412 = 1\n" + probe)
    assert control["report"]["error"]["message"] == "the reference is visible"  # it would see


def test_a_closed_class_takes_no_joins_or_submissions(room: Classroom) -> None:
    exercise = room.add(DOUBLE)
    student = room.join()
    closed = httpx.post(f"{room.url}/api/v1/classes/{room.id}/close", headers=TEACHER).json()
    assert closed["closed_at"]
    problem(
        httpx.post(
            f"{room.url}/api/v1/join", json={"join_code": room.klass["join_code"], "name": "late"}
        ),
        404,
    )
    problem(room.submit_raw(student, exercise["id"], RIGHT), 409, "conflict")
    assert httpx.get(f"{room.url}/api/v1/me", headers=student.auth).status_code == 200


def test_a_removed_students_token_is_void_and_deleting_a_class_deletes_it(
    room: Classroom,
) -> None:
    exercise = room.add(DOUBLE)
    gone, stays = room.join("gone"), room.join("stays")
    room.submit(gone, exercise["id"], RIGHT)
    url = f"{room.url}/api/v1/classes/{room.id}"
    assert httpx.delete(f"{url}/students/{gone.id}", headers=TEACHER).status_code == 204
    problem(httpx.delete(f"{url}/students/{gone.id}", headers=TEACHER), 404)
    problem(httpx.get(f"{room.url}/api/v1/me", headers=gone.auth), 401)
    assert [s["name"] for s in room.progress()["students"]] == ["stays"]
    assert room.join("gone").name == "gone"  # the name is free again
    assert httpx.delete(url, headers=TEACHER).status_code == 204
    problem(httpx.get(f"{url}/progress", headers=TEACHER), 404)
    problem(httpx.get(f"{room.url}/api/v1/me", headers=stays.auth), 401)


# ---- progress, CSV, latest ------------------------------------------------------------------


def test_progress_cells_errors_and_csv(room: Classroom) -> None:
    exercise = room.add(DOUBLE)
    second = room.add({**DOUBLE, "title": "Second, again"})
    ann, bo, cy = room.join("Ann"), room.join("Bo"), room.join("=Cy")
    shape_error = "x = torch.randn(3)\ny = x @ torch.randn(2, 2)\n"
    room.submit(ann, exercise["id"], shape_error)
    room.submit(bo, exercise["id"], shape_error)
    room.submit(bo, second["id"], "x = torch.randn(3)\ny = x\n")
    room.submit(cy, exercise["id"], shape_error)
    room.submit(cy, exercise["id"], RIGHT)
    progress = room.progress()
    assert set(progress) >= {"class", "students", "exercises", "cells", "errors"}
    assert [s["name"] for s in progress["students"]] == ["Ann", "Bo", "=Cy"]
    assert all(set(s) >= {"id", "name", "joined_at"} for s in progress["students"])
    assert progress["exercises"] == [
        {"id": exercise["id"], "title": "Double it", "title_zh": None},
        {"id": second["id"], "title": "Second, again", "title_zh": None},
    ]
    cells = {(c["student_id"], c["exercise_id"]): c for c in progress["cells"]}
    assert len(cells) == 6
    assert cells[(ann.id, exercise["id"])]["status"] == "error"
    assert cells[(bo.id, second["id"])]["status"] == "failed"
    assert cells[(cy.id, exercise["id"])] | {"last_at": None} == {
        "student_id": cy.id,
        "exercise_id": exercise["id"],
        "status": "passed",
        "attempts": 2,
        "last_at": None,
    }
    assert cells[(cy.id, second["id"])] == {
        "student_id": cy.id,
        "exercise_id": second["id"],
        "status": "not_tried",
        "attempts": 0,
        "last_at": None,
    }
    # Ann's latest failing submission raised; Bo's latest failed a check (no error); Cy passed.
    assert [(e["type"], e["students"]) for e in progress["errors"]] == [("RuntimeError", 1)]
    assert progress["errors"][0]["title"] and progress["errors"][0]["last_at"]
    room.submit(bo, second["id"], shape_error)
    assert room.progress()["errors"][0]["students"] == 2

    response = httpx.get(f"{room.url}/api/v1/classes/{room.id}/progress.csv", headers=TEACHER)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows == [
        ["student", "Double it", "Second, again"],
        ["Ann", "error", "not_tried"],
        ["Bo", "error", "error"],
        ["'=Cy", "passed", "not_tried"],  # a name a spreadsheet would run as a formula
    ]


def test_latest_is_the_students_last_submission_with_its_code(room: Classroom) -> None:
    exercise = room.add(DOUBLE)
    other = room.add({**DOUBLE, "title": "Other"})
    student = room.join()
    url = f"{room.url}/api/v1/classes/{room.id}/students/{student.id}/latest"
    problem(httpx.get(url, headers=TEACHER), 404)
    problem(httpx.get(url, params={"exercise_id": exercise["id"]}, headers=TEACHER), 404)
    room.submit(student, exercise["id"], "first = 1\n")
    last = room.submit(student, exercise["id"], RIGHT)
    room.submit(student, other["id"], "x = 1/0\n")
    latest = httpx.get(url, params={"exercise_id": exercise["id"]}, headers=TEACHER).json()
    assert latest["id"] == last["id"] and latest["code"] == RIGHT and latest["passed"]
    assert latest["report"]["ok"] and latest["checks"] == last["checks"]
    overall = httpx.get(url, headers=TEACHER).json()
    assert overall["code"] == "x = 1/0\n" and overall["report"]["error"]["type"]
    problem(httpx.get(f"{room.url}/api/v1/classes/{room.id}/students/nobody/latest",
                      headers=TEACHER), 404)  # fmt: skip


def test_details_come_in_the_classs_language(classroom_server: LiveServer) -> None:
    room = new_class(classroom_server, "中文班", lang="zh")
    exercise = room.add(DOUBLE)
    student = room.join()
    wrong = room.submit(student, exercise["id"], "x = torch.randn(3)\ny = x * 3\n")
    detail = failing(wrong)[0]["detail"]
    assert "个元素中有" in detail and detail == failing(wrong)[0]["details"]["zh"]
