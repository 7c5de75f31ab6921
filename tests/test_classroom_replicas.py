"""The classroom on two replicas over one PostgreSQL behind nginx, started from deploy/ as
the README says: a class made through one replica is graded by the other, progress and the
latest submission read the same from either, a broadcast sent through one reaches students
served by the other, the teacher's login opened on one is valid on the other, and a restart
of both loses nothing.

Slow (three servers on two cores): marked `replicas`, run by .ci/run after `make test`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import pytest

from tests.classroom import DOUBLE, RIGHT, TEACHER_CODE
from tests.deploy import Nginx, Replica
from tests.engines import PostgresServer

pytestmark = [pytest.mark.replicas, pytest.mark.timeout(900)]
TEACHER = {"Authorization": f"Bearer {TEACHER_CODE}"}


@dataclass
class Cluster:
    postgres: PostgresServer
    database: str
    replicas: list[Replica]
    nginx: Nginx


@pytest.fixture(scope="module")
def cluster(
    postgres: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    database = postgres.create_database("classroom")
    root = tmp_path_factory.mktemp("classroom-replicas")
    overrides = {
        "PLAYGROUND_DATABASE_URL": postgres.url(database),
        "PLAYGROUND_MAX_RUNS": "2",
        "PLAYGROUND_TEACHER_CODE": TEACHER_CODE,
        "PLAYGROUND_RATE_PER_MINUTE": "0",
    }
    replicas = [Replica(root, dict(overrides)) for _ in range(2)]
    nginx = Nginx([replica.port for replica in replicas])
    for replica in replicas:
        replica.overrides["PLAYGROUND_PUBLIC_URL"] = nginx.url
        replica.start()
    nginx.start()
    yield Cluster(postgres, database, replicas, nginx)
    nginx.stop()
    for replica in replicas:
        replica.stop()


def client_from(n: int) -> httpx.Client:
    """A student's machine, 127.0.N.1: nginx's per-address hash picks its replica."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=f"127.0.{n}.1"), timeout=120)


def test_a_class_made_on_one_replica_is_graded_and_watched_on_the_other(cluster: Cluster) -> None:
    one, other = (replica.url for replica in cluster.replicas)
    klass = httpx.post(f"{one}/api/v1/classes", json={"name": "two replicas"}, headers=TEACHER)
    assert klass.status_code == 201, klass.text
    class_id, join_code = klass.json()["id"], klass.json()["join_code"]
    assert klass.json()["join_url"] == f"{cluster.nginx.url}/c/{join_code}"
    exercise = httpx.post(f"{other}/api/v1/classes/{class_id}/exercises", json=DOUBLE,
                          headers=TEACHER, timeout=120).json()  # fmt: skip

    def student(n: int) -> tuple[str, dict, list[int]]:
        with client_from(10 + n) as client:
            joined = client.post(f"{cluster.nginx.url}/api/v1/join",
                                 json={"join_code": join_code, "name": f"s{n}"})  # fmt: skip
            assert joined.status_code == 201, joined.text
            auth = {"Authorization": f"Bearer {joined.json()['token']}"}
            answers = []
            for replica in (one, other, cluster.nginx.url):
                code = RIGHT if n % 2 else "x = torch.randn(3)\ny = x * 3\n"
                answer = client.post(f"{replica}/api/v1/exercises/{exercise['id']}/submissions",
                                     json={"code": code}, headers=auth)  # fmt: skip
                answers.append(answer.status_code)
                assert answer.json()["passed"] is bool(n % 2), answer.text
            return joined.json()["student"]["id"], auth, answers

    with ThreadPoolExecutor(6) as pool:
        students = list(pool.map(student, range(6)))
    assert all(answers == [200, 200, 200] for _, _, answers in students)
    progress = [httpx.get(f"{url}/api/v1/classes/{class_id}/progress", headers=TEACHER).json()
                for url in (one, other)]  # fmt: skip
    assert progress[0] == progress[1]
    statuses = sorted(c["status"] for c in progress[0]["cells"])
    assert statuses == ["failed"] * 3 + ["passed"] * 3
    assert all(c["attempts"] == 3 for c in progress[0]["cells"])
    student_id, auth, _ = students[1]
    latest = [httpx.get(f"{url}/api/v1/classes/{class_id}/students/{student_id}/latest",
                        headers=TEACHER).json() for url in (one, other)]  # fmt: skip
    assert latest[0] == latest[1] and latest[0]["code"] == RIGHT

    sent = httpx.post(f"{one}/api/v1/classes/{class_id}/broadcast",
                      json={"code": "from_one = 1"}, headers=TEACHER)  # fmt: skip
    assert sent.status_code == 200
    assert httpx.get(f"{other}/api/v1/me", headers=auth).json()["broadcast"]["code"] == (
        "from_one = 1"
    )
    deadline = time.monotonic() + 10
    while httpx.get(f"{other}/c/{join_code}/broadcast").status_code == 204:
        assert time.monotonic() < deadline, "the other replica's pages never offered it"
        time.sleep(0.2)

    teacher = httpx.Client(base_url=one, timeout=60)
    assert teacher.post("/teach/login", data={"code": TEACHER_CODE}).status_code == 303
    teacher.base_url = httpx.URL(other)
    dashboard = teacher.get(f"/teach/{class_id}")
    assert dashboard.status_code == 200 and "two replicas" in dashboard.text
    rows = cluster.postgres.query(cluster.database, "SELECT count(*) FROM sessions")
    assert rows[0][0] >= 1  # the login lives in PostgreSQL

    for replica in cluster.replicas:
        replica.stop()
    for replica in cluster.replicas:
        replica.start()
    for url in (one, other):
        after = httpx.get(f"{url}/api/v1/classes/{class_id}/progress", headers=TEACHER).json()
        assert (after["students"], after["cells"]) == (progress[0]["students"],
                                                       progress[0]["cells"])  # fmt: skip
    assert teacher.get(f"/teach/{class_id}").status_code == 200  # still logged in
    assert httpx.get(f"{one}/api/v1/me", headers=auth).status_code == 200
    teacher.close()
    classes = cluster.postgres.query(cluster.database, "SELECT id FROM classes")
    assert (class_id,) in classes
