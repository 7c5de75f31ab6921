"""The class access code: pages ask for it, API clients send it, nothing else gets in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import LiveServer, start_server

CODE = "tensor-2026"


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = start_server(tmp_path_factory.mktemp("guarded"), access_code=CODE)
    yield server
    server.stop()


def test_the_api_needs_the_code_as_a_bearer_token(guarded: LiveServer) -> None:
    url = f"{guarded.url}/api/v1/run"
    refused = httpx.post(url, json={"code": "x = 1"})
    assert refused.status_code == 401 and refused.json()["error"] == "unauthorized"
    assert refused.headers["WWW-Authenticate"] == "Bearer"
    wrong = httpx.post(url, json={"code": "x = 1"}, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    right = httpx.post(url, json={"code": "x = 1"}, headers={"Authorization": f"Bearer {CODE}"})
    assert right.status_code == 200 and right.json()["ok"] is True


def test_health_and_static_files_stay_open(guarded: LiveServer) -> None:
    assert httpx.get(f"{guarded.url}/api/v1/health").status_code == 200
    assert httpx.get(f"{guarded.url}/static/app.css").status_code == 200
    assert httpx.get(f"{guarded.url}/metrics").status_code == 401


def test_a_page_asks_for_the_code_then_remembers_it(guarded: LiveServer) -> None:
    with httpx.Client(base_url=guarded.url) as browser:
        first = browser.get("/")
        assert first.status_code == 303 and first.headers["location"] == "/login?next=/"
        form = browser.get("/login?next=/")
        assert form.status_code == 200 and 'name="code"' in form.text
        wrong = browser.post("/login", data={"code": "guess", "next": "/"})
        assert wrong.status_code == 401 and "not right" in wrong.text
        right = browser.post("/login", data={"code": CODE, "next": "/"})
        assert right.status_code == 303 and right.headers["location"] == "/"
        assert CODE not in right.headers["set-cookie"]
        assert browser.get("/").status_code == 200


def test_the_login_form_does_not_redirect_off_site(guarded: LiveServer) -> None:
    response = httpx.post(f"{guarded.url}/login", data={"code": CODE, "next": "//evil.example/"})
    assert response.headers["location"] == "/"


def test_htmx_requests_are_sent_to_the_login_page(guarded: LiveServer) -> None:
    response = httpx.post(
        f"{guarded.url}/run", data={"code": "x = 1"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 401 and response.headers["HX-Redirect"] == "/login"


def test_the_code_is_not_in_the_access_log(guarded: LiveServer, tmp_path: Path) -> None:
    httpx.post(f"{guarded.url}/login", data={"code": CODE, "next": "/"})
    assert CODE not in guarded.log_path.read_text()
