"""Two replicas on one PostgreSQL behind nginx, started as the README says (deploy/):
what one stores the other serves, one replica's death is survived with no wrong answer and
nothing lost, a restart of both loses nothing, and the rows really live in PostgreSQL.

Slow (three servers, one after the other on two cores): marked `replicas`, run by .ci/run
after `make test`. Clients come from distinct loopback addresses (127.0.N.1), so nginx's
per-address hash spreads them over both replicas as it spreads a classroom.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import make_url

from app.store.database import head_revision
from tests.deploy import Nginx, Replica
from tests.engines import PostgresServer

pytestmark = [pytest.mark.replicas, pytest.mark.timeout(600)]


@dataclass
class Cluster:
    postgres: PostgresServer
    database: str
    replicas: list[Replica]
    nginx: Nginx
    stored: dict[str, str]
    """Every share any test stored and was told 201 for: id -> code. Nothing may be lost."""


@pytest.fixture(scope="module")
def cluster(
    postgres: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    database = postgres.create_database("replicas")
    root = tmp_path_factory.mktemp("replicas")
    nginx_port_holder: dict[str, str] = {}
    overrides = {
        "PLAYGROUND_DATABASE_URL": postgres.url(database),
        "PLAYGROUND_MAX_RUNS": "1",  # two cores for three servers and the load
        "PLAYGROUND_SHARE_RATE_PER_MINUTE": "0",  # the load below shares as fast as it can
    }
    replicas = [Replica(root, dict(overrides)) for _ in range(2)]
    nginx = Nginx([replica.port for replica in replicas])
    nginx_port_holder["url"] = nginx.url
    for replica in replicas:
        replica.overrides["PLAYGROUND_PUBLIC_URL"] = nginx.url
        replica.start()
    nginx.start()
    yield Cluster(postgres, database, replicas, nginx, {})
    nginx.stop()
    for replica in replicas:
        replica.stop()


def client_from(n: int) -> httpx.Client:
    """An HTTP client whose address is 127.0.N.1: one student's machine."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=f"127.0.{n}.1"), timeout=90)


def store(cluster: Cluster, url: str, code: str, client: httpx.Client | None = None) -> str:
    response = (client or httpx).post(f"{url}/api/v1/shares", json={"code": code, "seed": 3})
    assert response.status_code == 201, response.text
    share_id = response.json()["id"]
    cluster.stored[share_id] = code
    return share_id


def assert_all_stored_shares_are_served(cluster: Cluster, url: str) -> None:
    for share_id, code in cluster.stored.items():
        response = httpx.get(f"{url}/api/v1/shares/{share_id}", timeout=30)
        assert response.status_code == 200, (share_id, response.text)
        assert response.json()["code"] == code


def test_a_share_stored_through_one_replica_is_served_by_the_other(cluster: Cluster) -> None:
    first, second = cluster.replicas
    share_id = store(cluster, first.url, "through_the_first = torch.ones(3)")
    fetched = httpx.get(f"{second.url}/api/v1/shares/{share_id}").json()
    assert fetched["code"] == "through_the_first = torch.ones(3)" and fetched["seed"] == 3
    assert fetched["url"] == f"{cluster.nginx.url}/s/{share_id}"  # the public address
    page = httpx.get(f"{second.url}/s/{share_id}")
    assert page.status_code == 200 and "through_the_first" in page.text
    other_way = store(cluster, second.url, "through_the_second = 2")
    assert httpx.get(f"{first.url}/api/v1/shares/{other_way}").json()["code"].endswith("= 2")
    for n in range(1, 9):  # through nginx, from eight addresses
        with client_from(n) as client:
            assert client.get(f"{cluster.nginx.url}/api/v1/shares/{share_id}").status_code == 200


def test_the_rows_live_in_postgresql_and_no_replica_keeps_its_own(cluster: Cluster) -> None:
    rows = dict(cluster.postgres.query(cluster.database, "SELECT id, code FROM shares"))
    assert cluster.stored.items() <= rows.items()
    version = cluster.postgres.query(cluster.database, "SELECT version_num FROM alembic_version")
    assert version == [(head_revision(),)]
    for replica in cluster.replicas:
        assert not list((replica.root / str(replica.port)).glob("*.sqlite3*"))
    assert make_url(replica.overrides["PLAYGROUND_DATABASE_URL"]).get_backend_name() == (
        "postgresql"
    )


def access_entries(lines: list[str]) -> list[dict]:
    """The access log's JSON lines among a replica's log lines (app/web/accesslog.py)."""
    entries = []
    for line in lines:
        if line.startswith("{"):
            try:
                entries.append(json.loads(line))
            except ValueError:
                continue
    return entries


def test_nginx_spreads_classroom_addresses_over_both_replicas(cluster: Cluster) -> None:
    for n in range(10, 40):
        with client_from(n) as client:
            assert client.get(f"{cluster.nginx.url}/api/v1/health").status_code == 200
    served = [
        {entry["client"] for entry in access_entries(replica.log_lines())
         if entry.get("path") == "/api/v1/health"}
        for replica in cluster.replicas
    ]  # fmt: skip
    students = {f"127.0.{n}.1" for n in range(10, 40)}
    assert served[0] & students and served[1] & students  # both replicas took some
    assert not served[0] & served[1] & students  # and each student stayed on one


@dataclass
class Answer:
    client: int
    kind: str
    started: float
    status: int | str
    correct: bool


def student(n: int, nginx_url: str, until: float, answers: list[Answer], stored: dict) -> None:
    """Share, read back, run; every answer checked against what this student sent."""
    with client_from(100 + n) as client:
        round_ = 0
        while time.monotonic() < until:
            round_ += 1
            code = f"mark = torch.full((2,), {n * 1000 + round_}.0)"
            for kind in ("share", "read", "run"):
                started = time.monotonic()
                try:
                    if kind == "share":
                        response = client.post(f"{nginx_url}/api/v1/shares", json={"code": code})
                        correct = response.status_code == 201
                        if correct:
                            share_id = response.json()["id"]
                            stored[share_id] = code
                    elif kind == "read":
                        if response.status_code != 201:
                            continue
                        response = client.get(f"{nginx_url}/api/v1/shares/{share_id}")
                        correct = response.status_code == 200 and response.json()["code"] == code
                    else:
                        response = client.post(f"{nginx_url}/api/v1/run", json={"code": code})
                        correct = (
                            response.status_code == 200
                            and response.json()["tensors"][0]["values"]
                            == [float(n * 1000 + round_)] * 2
                        )
                    status: int | str = response.status_code
                except httpx.HTTPError as exc:
                    status, correct = type(exc).__name__, False
                answers.append(Answer(n, kind, started, status, correct))
            time.sleep(0.3)


def test_one_replica_killed_mid_load_costs_only_its_in_flight_requests(cluster: Cluster) -> None:
    answers: list[Answer] = []
    stored: dict[str, str] = {}
    load_s, kill_after_s = 24.0, 8.0
    until = time.monotonic() + load_s
    students = [
        threading.Thread(target=student, args=(n, cluster.nginx.url, until, answers, stored))
        for n in range(10)
    ]
    for thread in students:
        thread.start()
    time.sleep(kill_after_s)
    killed_at = time.monotonic()
    cluster.replicas[0].kill()
    for thread in students:
        thread.join(120)
    cluster.stored.update(stored)

    print(f"\nkill mid-load: {len(answers)} answers, {len(stored)} shares stored, failed: "
          f"{[(a.kind, a.status) for a in answers if not a.correct]}")  # fmt: skip
    wrong = [a for a in answers if a.status in (200, 201) and not a.correct]
    assert not wrong, wrong  # never a wrong answer
    failed = [a for a in answers if not a.correct]
    # failures are the proxy's 502/503, or (seen once in four runs, cause not yet found) the
    # client's connection to nginx dropped without an answer; both only for requests in flight
    assert all(a.status in (502, 503, "RemoteProtocolError") for a in failed), failed
    assert all(a.started < killed_at + 0.5 for a in failed), failed  # in flight at the kill
    assert len(failed) <= len(students)  # at most one in flight per student
    after = {a.client for a in answers if a.started > killed_at + 1 and a.correct}
    assert after == set(range(len(students)))  # every student kept being served
    assert len(stored) >= 5 * len(students)
    assert_all_stored_shares_are_served(cluster, cluster.nginx.url)  # nothing lost


def test_both_replicas_restarted_still_serve_everything(cluster: Cluster) -> None:
    for replica in cluster.replicas:
        replica.stop()
    for replica in cluster.replicas:
        replica.start()
    assert len(cluster.stored) > 50
    for replica in cluster.replicas:
        assert_all_stored_shares_are_served(cluster, replica.url)
    assert_all_stored_shares_are_served(cluster, cluster.nginx.url)
    with client_from(7) as client:
        new = store(cluster, cluster.nginx.url, "after_the_restart = 1", client)
    assert httpx.get(f"{cluster.replicas[1].url}/api/v1/shares/{new}").status_code == 200
