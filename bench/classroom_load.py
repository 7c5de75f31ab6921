"""`make load-classroom` (bench/load.py --classroom): a class of simulated students graded by the
server while the teacher's dashboard is open. Bounded, loopback only, stops by itself.

Starts its own server (class profile: 60 runs a minute per student, keyed by X-Forwarded-For),
makes a class with two ready-made sets (8 exercises), lets the reference cache warm, then runs
two phases of `--seconds` each, the same students and the same code in both, each student
with its own HTTP client (its own browser's connections):

1. plain: each student Runs a snippet (POST /api/v1/run), thinks 1-4 s, Runs it again,
   thinks 2-8 s, repeats;
2. the classroom: each student joins, then Runs a snippet, thinks 1-4 s, submits it to its
   exercise instead of running it again (half right, a third wrong, the rest raising),
   thinks 2-8 s, repeats, while its page polls for broadcasts every second, the teacher's
   dashboard polls the grid every half second, and the teacher broadcasts once half-way.

So both phases ask the sandbox for the same runs: phase 2 differs only by what the classroom
adds (grading, the store, the polls).

Reports: answers by status (0 errors: no 5xx, no 429, nothing dropped); submission latency
against plain runs' (p50, p99, their ratio: against phase 1's runs, which measures what the
classroom costs, and against the runs of phase 2, made under the same load at the same
moments, which the shared machine's noise cannot skew); how far behind the grid was (for
every submission, from its answer to the first grid the dashboard fetched that counts it);
how long the broadcast took to reach every page; and the load average (the machine is
shared).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from server import start_server

from app.classroom.exercise_sets import find_set

ROOT = Path(__file__).resolve().parents[1]
TEACHER_CODE = "load-test-teacher-code"
SETS = ("creation", "matmul")
GRID_POLL_S = 0.5
"""As templates/partials/class_grid.html polls; a student's page polls every second."""
RAISING = "x = torch.ones(2, 3)\ny = x @ x\n"
CELL = re.compile(r'data-exercise="([^"]+)"\s+data-status="[a-z_]+" data-attempts="(\d+)"')
ROW = re.compile(r'<tr id="row-[^"]+" data-student="([^"]+)"[^>]*>(.*?)</tr>', re.DOTALL)
"""A student's row, in the whole grid or in a poll's diff (which sends only changed rows)."""


@dataclass
class Tally:
    answers: Counter = field(default_factory=Counter)
    run_ms: list[float] = field(default_factory=list)
    submit_ms: list[float] = field(default_factory=list)
    submitted: list[tuple[float, str, str, int]] = field(default_factory=list)
    """(answered at, student, exercise, its attempts then), for the grid's lag."""
    grid_seen: list[tuple[float, dict[tuple[str, str], int]]] = field(default_factory=list)
    broadcast_seen: dict[str, float] = field(default_factory=dict)
    poll_ms: list[float] = field(default_factory=list)
    grid_ms: list[float] = field(default_factory=list)
    grid_bytes: list[int] = field(default_factory=list)
    """Of each grid answer with a body (a diff or the whole grid)."""


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round((len(ordered) - 1) * p / 100))]


def snippets() -> list[tuple[str, str, str]]:
    """(exercise title, kind, code): right, wrong and raising answers of each exercise."""
    out = []
    for set_id in SETS:
        for exercise in find_set(set_id).exercises:
            out += [(exercise.body.title, "right", exercise.body.reference),
                    (exercise.body.title, "wrong", exercise.wrong),
                    (exercise.body.title, "error", RAISING)]  # fmt: skip
    return out


def pick(rng: random.Random, pool: list[tuple[str, str, str]]) -> tuple[str, str, str]:
    kind = rng.choices(("right", "wrong", "error"), (50, 35, 15))[0]
    return rng.choice([entry for entry in pool if entry[1] == kind])


async def request(http: httpx.AsyncClient, tally: Tally, what: str, method: str, url: str,
                  **kwargs: Any) -> httpx.Response | None:  # fmt: skip
    try:
        response = await http.request(method, url, **kwargs)
    except httpx.HTTPError as exc:
        tally.answers[f"{what} dropped: {type(exc).__name__}"] += 1
        return None
    tally.answers[f"{what} {response.status_code}"] += 1
    return response


def student_client() -> httpx.AsyncClient:
    """One student's browser: its own few connections, never kept past the server's
    keep-alive (5 s), as a browser would not send on a connection the server is closing."""
    limits = httpx.Limits(max_connections=4, keepalive_expiry=4)
    return httpx.AsyncClient(timeout=120, limits=limits)


async def run_once(http: httpx.AsyncClient, url: str, code: str, headers: dict,
                   tally: Tally) -> None:  # fmt: skip
    started = time.perf_counter()
    response = await request(http, tally, "run", "POST", f"{url}/api/v1/run",
                             json={"code": code}, headers=headers)  # fmt: skip
    if response is not None and response.status_code == 200:
        tally.run_ms.append((time.perf_counter() - started) * 1000)


async def plain_student(url: str, n: int, until: float, tally: Tally) -> None:
    rng, pool = random.Random(n), snippets()
    headers = {"X-Forwarded-For": f"10.1.{n // 250}.{n % 250}"}
    await asyncio.sleep(rng.uniform(0, 5))
    async with student_client() as http:
        while time.monotonic() < until:
            code = pick(rng, pool)[2]
            await run_once(http, url, code, headers, tally)
            await asyncio.sleep(rng.uniform(1.0, 4.0))
            await run_once(http, url, code, headers, tally)  # where phase 2 submits it
            await asyncio.sleep(rng.uniform(2.0, 8.0))


async def class_student(url: str, n: int, until: float, room: dict, tally: Tally) -> None:
    rng, pool = random.Random(n), snippets()
    headers = {"X-Forwarded-For": f"10.2.{n // 250}.{n % 250}"}
    await asyncio.sleep(rng.uniform(0, 5))
    name = f"student {n:03d}"
    async with student_client() as http:
        joined = await request(http, tally, "join", "POST", f"{url}/api/v1/join",
                               headers=headers,
                               json={"join_code": room["join_code"], "name": name})  # fmt: skip
        if joined is None or joined.status_code != 201:
            return
        auth = {**headers, "Authorization": f"Bearer {joined.json()['token']}"}
        attempts: Counter = Counter()
        poller = asyncio.create_task(page_poll(http, url, name, room, until, headers, tally))
        while time.monotonic() < until:
            title, _, code = pick(rng, pool)
            exercise = room["exercises"][title]
            await run_once(http, url, code, headers, tally)
            await asyncio.sleep(rng.uniform(1.0, 4.0))
            started = time.perf_counter()
            response = await request(http, tally, "submit", "POST",
                                     f"{url}/api/v1/exercises/{exercise}/submissions",
                                     json={"code": code}, headers=auth)  # fmt: skip
            if response is not None and response.status_code == 200:
                tally.submit_ms.append((time.perf_counter() - started) * 1000)
                attempts[exercise] += 1
                tally.submitted.append((time.monotonic(), name, exercise, attempts[exercise]))
            await asyncio.sleep(rng.uniform(2.0, 8.0))
        await poller


async def page_poll(http: httpx.AsyncClient, url: str, name: str, room: dict, until: float,
                    headers: dict, tally: Tally) -> None:  # fmt: skip
    """What the student's page does: ask for a newer broadcast every second."""
    since = ""
    while time.monotonic() < until:
        started = time.perf_counter()
        response = await request(
            http,
            tally,
            "page-poll",
            "GET",
            f"{url}/c/{room['join_code']}/broadcast",
            params={"since": since},
            headers={**headers, "HX-Request": "true"},
        )
        tally.poll_ms.append((time.perf_counter() - started) * 1000)
        if response is not None and response.status_code == 200:
            tally.broadcast_seen.setdefault(name, time.monotonic())
            since = re.search(r'data-since="([^"]*)"', response.text).group(1)
        await asyncio.sleep(1.0)


async def dashboard(http: httpx.AsyncClient, url: str, room: dict, students_done: list[float],
                    tally: Tally) -> None:  # fmt: skip
    """What the teacher's page does: fetch the grid every half second (204 while unchanged; else
    the rows changed since its version, or the whole grid), until 3 s after the last student's
    last answer."""
    version = -1
    while not students_done or time.monotonic() < students_done[0] + 3:
        started = time.perf_counter()
        response = await request(
            http,
            tally,
            "grid",
            "GET",
            f"{url}/teach/{room['id']}/grid",
            params={"v": version},
            headers={"HX-Request": "true"},
        )
        tally.grid_ms.append((time.perf_counter() - started) * 1000)
        if response is not None and response.status_code == 200:
            tally.grid_bytes.append(len(response.content))
            version = int(re.search(r'data-version="(\d+)"', response.text).group(1))
            cells = {(student, exercise): int(count)
                     for student, row in ROW.findall(response.text)
                     for exercise, count in CELL.findall(row)}  # fmt: skip
            tally.grid_seen.append((time.monotonic(), cells))
        await asyncio.sleep(GRID_POLL_S)


async def broadcast_midway(http: httpx.AsyncClient, url: str, room: dict, at: float,
                           sent: list[float]) -> None:  # fmt: skip
    await asyncio.sleep(max(0.0, at - time.monotonic()))
    sent.append(time.monotonic())
    await http.post(f"{url}/api/v1/classes/{room['id']}/broadcast", json={"code": "look = 1"},
                    headers={"Authorization": f"Bearer {TEACHER_CODE}"})  # fmt: skip


def grid_lags(tally: Tally) -> list[float]:
    """For every submission: from its answer to the first grid fetched after that counts it."""
    lags = []
    for answered, student, exercise, count in tally.submitted:
        shown = next(
            (
                at
                for at, cells in tally.grid_seen
                if at >= answered and cells.get((student, exercise), 0) >= count
            ),
            None,
        )
        lags.append(float("inf") if shown is None else shown - answered)
    return lags


async def setup(url: str) -> tuple[dict, httpx.AsyncClient]:
    teacher = {"Authorization": f"Bearer {TEACHER_CODE}"}
    async with httpx.AsyncClient(timeout=120) as http:
        klass = (await http.post(f"{url}/api/v1/classes", json={"name": "load"},
                                 headers=teacher)).json()  # fmt: skip
        exercises = {}
        for set_id in SETS:
            added = await http.post(f"{url}/api/v1/classes/{klass['id']}/exercise-sets/{set_id}",
                                    headers=teacher)  # fmt: skip
            exercises |= {row["title"]: row["id"] for row in added.json()["exercises"]}
        warmed = await wait_for_warm_references(http, url)
    browser = student_client()
    await browser.post(f"{url}/teach/login", data={"code": TEACHER_CODE})
    return {**klass, "exercises": exercises, "warm_s": warmed}, browser


async def wait_for_warm_references(http: httpx.AsyncClient, url: str) -> float:
    """New exercises' reference draws run in the background: let them end before the plain
    phase, which they would otherwise slow (and so flatter the classroom's ratio)."""
    started, last, steady_since = time.monotonic(), -1.0, time.monotonic()
    while time.monotonic() - started < 600:
        text = (await http.get(f"{url}/metrics")).text
        runs = float(re.search(r"^playground_reference_runs (\S+)$", text, re.MULTILINE)[1])
        if runs != last:
            last, steady_since = runs, time.monotonic()
        elif time.monotonic() - steady_since > 3:
            break
        await asyncio.sleep(0.5)
    return round(steady_since - started, 1)


async def run_phases(url: str, students: int, seconds: float) -> dict[str, Any]:
    room, browser = await setup(url)
    plain, classroom = Tally(), Tally()
    loads = [os.getloadavg()]
    until = time.monotonic() + seconds
    await asyncio.gather(*(plain_student(url, n, until, plain) for n in range(students)))
    loads.append(os.getloadavg())
    until = time.monotonic() + seconds
    sent: list[float] = []
    students_done: list[float] = []

    async def the_class() -> None:
        await asyncio.gather(*(class_student(url, n, until, room, classroom)
                               for n in range(students)))  # fmt: skip
        students_done.append(time.monotonic())

    async with httpx.AsyncClient(timeout=120) as teacher:
        await asyncio.gather(
            the_class(),
            dashboard(browser, url, room, students_done, classroom),
            broadcast_midway(teacher, url, room, until - seconds / 2, sent),
        )
    loads.append(os.getloadavg())
    await browser.aclose()
    lags = grid_lags(classroom)
    reached = [classroom.broadcast_seen[n] - sent[0] for n in classroom.broadcast_seen
               if classroom.broadcast_seen[n] >= sent[0]]  # fmt: skip
    ok = (" 200", " 201", " 204")
    errors = sum(count for tally in (plain, classroom) for key, count in tally.answers.items()
                 if not key.endswith(ok))  # fmt: skip
    submit_p99 = percentile(classroom.submit_ms, 99)
    return {
        "students": students,
        "seconds_per_phase": seconds,
        "exercises": len(room["exercises"]),
        "reference_cache_warmed_in_s": room["warm_s"],
        "load_average_1m_before_plain_classroom": [round(load[0], 2) for load in loads],
        "plain_answers": dict(plain.answers),
        "classroom_answers": dict(classroom.answers),
        "errors": errors,
        "phase1_run_p50_ms": round(percentile(plain.run_ms, 50), 1),
        "phase1_run_p99_ms": round(percentile(plain.run_ms, 99), 1),
        "classroom_run_p50_ms": round(percentile(classroom.run_ms, 50), 1),
        "classroom_run_p99_ms": round(percentile(classroom.run_ms, 99), 1),
        "submission_p50_ms": round(percentile(classroom.submit_ms, 50), 1),
        "submission_p99_ms": round(submit_p99, 1),
        "p99_ratio": round(submit_p99 / percentile(classroom.run_ms, 99), 2),
        "p99_ratio_to_phase1": round(submit_p99 / percentile(plain.run_ms, 99), 2),
        "submissions": len(classroom.submit_ms),
        "grid_fetches": len(classroom.grid_seen),
        "page_poll_p50_ms": round(percentile(classroom.poll_ms, 50), 1),
        "page_poll_p99_ms": round(percentile(classroom.poll_ms, 99), 1),
        "grid_fetch_p50_ms": round(percentile(classroom.grid_ms, 50), 1),
        "grid_fetch_p99_ms": round(percentile(classroom.grid_ms, 99), 1),
        "grid_answer_p50_bytes": percentile(classroom.grid_bytes, 50),
        "grid_answer_max_bytes": max(classroom.grid_bytes, default=0),
        "grid_lag_p50_s": round(percentile(lags, 50), 2),
        "grid_lag_p99_s": round(percentile(lags, 99), 2),
        "grid_lag_max_s": round(max(lags, default=float("nan")), 2),
        "broadcast_reached_pages": f"{len(reached)}/{students}",
        "broadcast_all_pages_s": round(max(reached, default=float("nan")), 2),
    }


def main(students: int, seconds: float) -> None:
    process, url = start_server(
        "load-classroom", trust_forwarded_for="true", teacher_code=TEACHER_CODE, profile="class",
    )  # fmt: skip
    try:
        summary = asyncio.run(run_phases(url, students, seconds))
    finally:
        process.terminate()
        process.wait(30)
    print(json.dumps(summary, indent=1))
    out = ROOT / "artifacts" / "bench-load-classroom.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(summary, indent=1))
    held = (summary["errors"] == 0 and summary["grid_lag_max_s"] <= 2
            and summary["p99_ratio"] <= 2 and summary["broadcast_all_pages_s"] <= 2)  # fmt: skip
    print(
        "held: 0 errors, grid <= 2 s behind, broadcast on every page <= 2 s, submission p99 "
        "<= 2x a plain run's (same phase)"
        if held
        else "NOT HELD: see the figures above"
    )
