"""Share links over HTTP: the API of ../shared/API.md, the page's Share button on the same
service, links from PLAYGROUND_PUBLIC_URL (never from Host), their rate, quotas and expiry,
and a permalink page that runs nothing until the page itself asks.

The app runs for real (`TestClient` starts its lifespan: fork-server and SQLite store).
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
import time
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from sqlalchemy import make_url

from app.config import Settings
from app.main import create_app
from app.store.shares import SHARE_OVERHEAD_BYTES
from tests.conftest import start_server
from tests.engines import PostgresServer

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette asks for `httpx2`; httpx is fully supported
    from starlette.testclient import TestClient

PUBLIC = "https://playground.example.edu/pg"
HX = {"HX-Request": "true"}
HTML = {"Accept": "text/html,application/xhtml+xml"}
FORGED = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}
SHARE_ID = r"[A-Za-z0-9_-]{10,16}"


def app_client(data_dir: Path, **settings: Any) -> TestClient:
    defaults: dict[str, Any] = {"max_runs": 1, "default_timeout_s": 2.0, "rate_per_minute": 0}
    return TestClient(create_app(Settings(data_dir=data_dir, **{**defaults, **settings})))


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with app_client(tmp_path_factory.mktemp("shares"), public_url=PUBLIC + "/") as test_client:
        yield test_client


def share(client: TestClient, code: str, **fields: Any) -> dict[str, Any]:
    response = client.post("/api/v1/shares", json={"code": code, **fields})
    assert response.status_code == 201, response.text
    return response.json()


def runs_so_far(client: TestClient) -> float:
    text = client.get("/metrics").text
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith("playground_runs_total{"))  # fmt: skip


def sqlite_rows(client: TestClient, sql: str) -> list[tuple]:
    path = client.app.state.settings.data_dir / "playground.sqlite3"
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        return db.execute(sql).fetchall()


# ---- the API -------------------------------------------------------------------------------


def test_a_share_is_201_with_an_absolute_link_from_the_public_url(client: TestClient) -> None:
    created = client.post("/api/v1/shares", json={"code": "a = torch.ones(2)", "seed": 9},
                          headers=FORGED)  # fmt: skip
    assert created.status_code == 201
    body = created.json()
    assert re.fullmatch(rf"{re.escape(PUBLIC)}/s/{SHARE_ID}", body["url"])  # never evil.example
    assert body["url"] == f"{PUBLIC}/s/{body['id']}"
    fetched = client.get(f"/api/v1/shares/{body['id']}", headers=FORGED)
    assert fetched.status_code == 200
    assert fetched.json() == {
        "id": body["id"], "code": "a = torch.ones(2)", "seed": 9, "url": body["url"],
        "created_at": body["created_at"], "expires_at": body["expires_at"],
    }  # fmt: skip
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body["created_at"])


def test_the_seed_defaults_to_0_and_may_be_null(client: TestClient) -> None:
    assert client.get(f"/api/v1/shares/{share(client, 'a = 1')['id']}").json()["seed"] == 0
    unseeded = share(client, "a = 1", seed=None)
    assert client.get(f"/api/v1/shares/{unseeded['id']}").json()["seed"] is None


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({}, 422, "invalid_request"),
        ({"code": 5}, 422, "invalid_request"),
        ({"code": "a = 1", "seed": -1}, 422, "invalid_request"),
        ({"code": "a = 1", "seed": 2**32}, 422, "invalid_request"),
        ({"code": "a = 1", "seed": "7"}, 422, "invalid_request"),
        ({"code": "a = 1\x00"}, 422, "invalid_snippet"),
        ({"code": "#" * (64 * 1024 + 1)}, 413, "snippet_too_large"),
    ],
)
def test_a_bad_share_is_refused_in_the_one_error_shape(
    client: TestClient, body: dict, status: int, error: str
) -> None:
    response = client.post("/api/v1/shares", json=body)
    assert response.status_code == status
    assert response.json()["error"] == error and response.json()["detail"]


@pytest.mark.parametrize("share_id", ["doesnotexist1", "x", "a%27%20OR%201=1"])
def test_an_unknown_share_is_a_404_in_the_one_error_shape(
    client: TestClient, share_id: str
) -> None:
    response = client.get(f"/api/v1/shares/{share_id}")
    assert response.status_code == 404
    assert (
        response.json()["error"] == "not_found" and "no shared snippet" in response.json()["detail"]
    )


# ---- the page ------------------------------------------------------------------------------


def test_the_share_button_stores_through_the_same_service(client: TestClient) -> None:
    shared = client.post("/share", data={"code": "r = torch.rand(2)\n", "seed": "5"},
                         headers={**HX, **FORGED})  # fmt: skip
    assert shared.status_code == 200 and shared.template.name == "partials/share.html"
    url = shared.context["share_url"]
    assert re.fullmatch(rf"{re.escape(PUBLIC)}/s/{SHARE_ID}", url)
    assert f'value="{url}"' in shared.text
    stored = client.get(f"/api/v1/shares/{url.rsplit('/', 1)[1]}").json()
    assert (stored["code"], stored["seed"], stored["url"]) == ("r = torch.rand(2)\n", 5, url)


def test_a_plain_form_share_redirects_to_the_public_permalink(client: TestClient) -> None:
    response = client.post("/share", data={"code": "a = 1"}, headers=FORGED,
                           follow_redirects=False)  # fmt: skip
    assert response.status_code == 303
    assert re.fullmatch(rf"{re.escape(PUBLIC)}/s/{SHARE_ID}", response.headers["location"])


def test_an_oversized_page_share_is_refused(client: TestClient) -> None:
    big = "#" * (client.app.state.settings.max_code_bytes + 1)
    assert client.post("/share", data={"code": big}, headers=HX).status_code == 413


def test_opening_a_permalink_renders_the_snippet_and_runs_nothing(client: TestClient) -> None:
    code = "r = torch.rand(2, 2)\n"
    link = share(client, code, seed=5)
    before = runs_so_far(client)
    for headers in ({}, {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}):
        page = client.get(f"/s/{link['id']}", headers=headers)
        assert page.status_code == 200 and page.template.name == "index.html"
        assert page.context["code"] == code and page.context["seed"] == 5
        assert page.context["autorun"] is True  # the page starts the run itself, by POST
        assert page.context["report"] is None
        assert page.context["share_url"] == link["url"]
    assert runs_so_far(client) == before  # a GET, even cross-site, cost no run
    assert client.get("/").context["autorun"] is False


def test_a_missing_permalink_is_a_404_page_for_browsers_and_json_for_clients(
    client: TestClient,
) -> None:
    page = client.get("/s/doesnotexist1", headers=HTML)
    assert page.status_code == 404 and page.template.name == "error.html"
    api = client.get("/s/doesnotexist1", headers={"Accept": "application/json"})
    assert api.status_code == 404 and api.json()["error"] == "not_found"


# ---- limits --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tight(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """Three shares per client at once, 2 KiB per client per day, 1 MiB in all; clients
    told apart by X-Forwarded-For."""
    with app_client(
        tmp_path_factory.mktemp("tight"), trust_forwarded_for=True, share_rate_burst=3,
        share_rate_per_minute=1, share_quota_client_kib=2, share_quota_total_mb=1,
    ) as test_client:  # fmt: skip
        yield test_client


def as_client(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


def test_a_client_sharing_too_fast_gets_429_and_others_do_not(tight: TestClient) -> None:
    for _ in range(3):
        ok = tight.post("/api/v1/shares", json={"code": "a = 1"}, headers=as_client("10.1.0.1"))
        assert ok.status_code == 201
    refused = tight.post("/api/v1/shares", json={"code": "a = 1"}, headers=as_client("10.1.0.1"))
    assert refused.status_code == 429
    assert refused.json() == {
        "error": "rate_limited",
        "detail": "too many share links from this client; slow down",
    }
    assert int(refused.headers["Retry-After"]) >= 1
    page = tight.post("/share", data={"code": "a = 1"}, headers={**HX, **as_client("10.1.0.1")})
    assert page.status_code == 429  # the Share button is the same service, the same bucket
    other = tight.post("/api/v1/shares", json={"code": "a = 1"}, headers=as_client("10.1.0.2"))
    assert other.status_code == 201


def test_a_client_past_its_daily_bytes_gets_429_with_a_clear_message(tight: TestClient) -> None:
    code = "q" * (1024 - SHARE_OVERHEAD_BYTES - 100)  # two fit in 2 KiB, a third does not
    who = as_client("10.2.0.1")
    for _ in range(2):
        assert tight.post("/api/v1/shares", json={"code": code}, headers=who).status_code == 201
    refused = tight.post("/api/v1/shares", json={"code": code}, headers=who)
    assert refused.status_code == 429
    body = refused.json()
    assert body["error"] == "quota_exceeded"
    assert "2 KiB of share links for today" in body["detail"] and "tomorrow" in body["detail"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 86_401


def test_a_full_store_answers_507_with_a_clear_message(tight: TestClient) -> None:
    (stored,) = sqlite_rows(tight, "SELECT bytes FROM share_totals")
    sqlite_rows(tight, f"UPDATE share_totals SET bytes = {1024 * 1024 - 300}")
    try:
        refused = tight.post("/api/v1/shares", json={"code": "x" * 100},
                             headers=as_client("10.3.0.1"))  # fmt: skip
        assert refused.status_code == 507
        assert refused.json()["error"] == "store_full"
        assert "full (1 MiB)" in refused.json()["detail"]
        fits = tight.post("/api/v1/shares", json={"code": ""}, headers=as_client("10.3.0.2"))
        assert fits.status_code == 201  # 256 bytes still fit
    finally:
        sqlite_rows(tight, f"UPDATE share_totals SET bytes = {stored[0]}")


# ---- expiry and the default public URL -----------------------------------------------------


def test_shares_expire_and_the_cleanup_deletes_them_by_itself(tmp_path: Path) -> None:
    lifetime_s = 3
    with app_client(tmp_path, share_ttl_days=lifetime_s / 86_400,
                    share_cleanup_interval_s=1) as expiring:  # fmt: skip
        created = share(expiring, "short_lived = 1")
        # no public URL configured: derived from the default host and port, not from Host
        assert created["url"] == f"http://127.0.0.1:8000/s/{created['id']}"
        assert expiring.get(f"/api/v1/shares/{created['id']}").status_code == 200
        deadline = time.monotonic() + 60
        while sqlite_rows(expiring, "SELECT count(*) FROM shares") != [(0,)]:
            assert time.monotonic() < deadline, "the cleanup never deleted the expired share"
            time.sleep(0.5)
        assert expiring.get(f"/api/v1/shares/{created['id']}").status_code == 404
        assert sqlite_rows(expiring, "SELECT bytes FROM share_totals") == [(0,)]


@pytest.mark.parametrize(
    ("settings", "base"),
    [
        ({}, "http://127.0.0.1:8000"),
        ({"host": "127.0.0.1", "port": 9123}, "http://127.0.0.1:9123"),
        ({"host": "::1", "port": 9123}, "http://[::1]:9123"),
        ({"public_url": "https://pg.example.edu/"}, "https://pg.example.edu"),
        ({"public_url": "http://10.0.0.5:8080/class/", "port": 1}, "http://10.0.0.5:8080/class"),
    ],
)
def test_the_public_url_is_the_setting_or_derived_from_host_and_port(
    settings: dict, base: str
) -> None:
    assert Settings(**settings).public_base_url() == base


def test_a_wildcard_bind_names_an_address_students_can_reach() -> None:
    derived = Settings(host="0.0.0.0", port=8000).public_base_url()
    assert derived.startswith("http://") and derived.endswith(":8000")
    assert "0.0.0.0" not in derived


@pytest.mark.parametrize("bad", ["playground.example.edu", "ftp://x", "http://a b", "http://x?q"])
def test_a_public_url_that_is_not_a_base_url_is_rejected(bad: str) -> None:
    with pytest.raises(ValueError):
        Settings(public_url=bad)


# ---- the event loop never waits for the database -------------------------------------------


@pytest.mark.slow
def test_a_share_waiting_on_a_database_lock_blocks_nothing_else(
    database_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """The lock is held by another client of the database for as long as the test likes;
    the server answers other requests meanwhile, then completes the share once released."""
    live = start_server(tmp_path / "server", database_url=database_url, max_runs=1)
    try:
        existing = httpx.post(f"{live.url}/api/v1/shares", json={"code": "old = 1"}).json()
        with ThreadPoolExecutor(1) as pool, held_lock(database_url, request):
            waiting = pool.submit(
                httpx.post, f"{live.url}/api/v1/shares", json={"code": "new = 1"}, timeout=60
            )
            time.sleep(1.0)  # let it reach the lock (PostgreSQL: checked below)
            if database_url.startswith("postgresql"):
                assert waiting_on_a_lock(database_url, request) >= 1
                # other connections of the pool serve reads meanwhile
                read = httpx.get(f"{live.url}/api/v1/shares/{existing['id']}", timeout=10)
                assert read.status_code == 200
            for _ in range(5):
                assert httpx.get(f"{live.url}/api/v1/health", timeout=10).status_code == 200
            assert live.post_run("a = torch.ones(1)").status_code == 200
            assert not waiting.done()  # all of that was answered while the share waited
        assert waiting.result().status_code == 201
    finally:
        live.stop()


@contextlib.contextmanager
def held_lock(database_url: str, request: pytest.FixtureRequest) -> Iterator[None]:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        with contextlib.closing(sqlite3.connect(str(url.database), isolation_level=None)) as db:
            db.execute("BEGIN EXCLUSIVE")
            yield
            db.execute("ROLLBACK")
        return
    postgres: PostgresServer = request.getfixturevalue("postgres")
    with psycopg.connect(postgres.dsn(str(url.database))) as connection:
        connection.execute("LOCK TABLE share_totals IN ACCESS EXCLUSIVE MODE")
        yield
        connection.rollback()


def waiting_on_a_lock(database_url: str, request: pytest.FixtureRequest) -> int:
    postgres: PostgresServer = request.getfixturevalue("postgres")
    name = str(make_url(database_url).database)
    query = "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'"
    return postgres.query(name, query, name)[0][0]
