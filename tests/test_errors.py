"""One error handler: every non-2xx, whoever raised it, is `{"error", "detail"}` for API
clients and the error page for browsers; every status has its class in app.errors."""

from __future__ import annotations

import warnings

import pytest
from fastapi import FastAPI
from pydantic import BaseModel

from app import errors
from app.errors import PlaygroundError, all_errors, for_status
from app.web import error_handler, pages

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette asks for `httpx2`; httpx still works
    from starlette.testclient import TestClient

STATUSES = [400, 401, 403, 404, 405, 408, 409, 413, 414, 415, 422, 429, 431, 500, 503, 507]


def make(cls: type[PlaygroundError]) -> PlaygroundError:
    if issubclass(cls, errors.TooManyRequests):
        return cls("slow down", 7)
    if cls is errors.MethodNotAllowed:
        return cls("no", "GET")
    return cls("what went wrong")


class Body(BaseModel):
    n: int


@pytest.fixture(scope="module")
def client() -> TestClient:
    app = FastAPI()
    app.state.templates = pages.build_templates()
    error_handler.install(app)

    @app.get("/raise/{name}")
    async def raise_named(name: str) -> None:
        raise make(getattr(errors, name))

    @app.get("/api/raise/{name}")
    async def api_raise_named(name: str) -> None:
        raise make(getattr(errors, name))

    @app.get("/bug")
    async def bug() -> None:
        raise ZeroDivisionError("secret internals")

    @app.post("/api/body")
    async def body(payload: Body) -> int:
        return payload.n

    return TestClient(app, raise_server_exceptions=False)


def test_every_status_the_server_answers_has_a_class_in_the_tree() -> None:
    covered = {cls.status_code for cls in all_errors()}
    assert set(STATUSES) <= covered
    codes = [cls.code for cls in all_errors()]
    assert len(codes) == len(set(codes)), "two classes share an error code"


@pytest.mark.parametrize("cls", all_errors(), ids=lambda cls: cls.__name__)
def test_each_error_is_the_one_json_shape_for_api_clients(
    client: TestClient, cls: type[PlaygroundError]
) -> None:
    response = client.get(f"/api/raise/{cls.__name__}", headers={"accept": "text/html"})
    assert response.status_code == cls.status_code
    assert response.json() == {"error": cls.code, "detail": make(cls).detail}
    for name, value in make(cls).headers().items():
        assert response.headers[name] == value


@pytest.mark.parametrize("cls", all_errors(), ids=lambda cls: cls.__name__)
def test_each_error_is_an_error_page_for_a_browser(
    client: TestClient, cls: type[PlaygroundError]
) -> None:
    response = client.get(f"/raise/{cls.__name__}", headers={"accept": "text/html"})
    assert response.status_code == cls.status_code
    assert response.headers["content-type"].startswith("text/html")
    assert str(cls.status_code) in response.text
    assert str(make(cls).detail) in response.text


@pytest.mark.parametrize(
    ("path", "method", "status", "code"),
    [
        ("/nowhere", "GET", 404, "not_found"),
        ("/api/body", "GET", 405, "method_not_allowed"),
        ("/bug", "GET", 500, "internal_error"),
    ],
)
def test_starlettes_own_answers_and_bugs_come_in_the_same_shape(
    client: TestClient, path: str, method: str, status: int, code: str
) -> None:
    response = client.request(method, path)
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"error", "detail"} and body["error"] == code
    assert "secret internals" not in response.text and "ZeroDivision" not in response.text


def test_a_405_names_the_allowed_methods_and_a_404_the_path(client: TestClient) -> None:
    refused = client.get("/api/body")
    assert refused.headers["allow"] == "POST"
    assert "does not take GET" in refused.json()["detail"]
    assert "/nowhere" in client.get("/nowhere").json()["detail"]


def test_a_body_that_is_not_the_schema_is_a_422_listing_the_fields(client: TestClient) -> None:
    response = client.post("/api/body", json={"n": "many"})
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"
    assert response.json()["detail"][0]["loc"] == ["body", "n"]
    broken = client.post(
        "/api/body", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert broken.status_code == 422 and broken.json()["error"] == "invalid_request"


@pytest.mark.parametrize("status", STATUSES)
def test_a_status_chosen_elsewhere_maps_to_its_class(status: int) -> None:
    error = for_status(status, "x", {"Retry-After": "3", "Allow": "GET"})
    assert error.status_code == status
    assert error.code != f"http_{status}"


def test_an_unknown_status_keeps_its_number() -> None:
    error = for_status(418, "teapot")
    assert (error.status_code, error.code) == (418, "http_418")


def test_openapi_documents_the_error_bodies(tmp_path) -> None:
    from app.config import Settings
    from app.main import create_app

    schema = create_app(Settings(data_dir=tmp_path)).openapi()
    assert "Problem" in schema["components"]["schemas"]
    run = schema["paths"]["/api/v1/run"]["post"]["responses"]
    for status in ("401", "413", "415", "422", "429", "503"):
        body = run[status]["content"]["application/json"]["schema"]
        assert body == {"$ref": "#/components/schemas/Problem"}, status
    assert "HTTPValidationError" not in schema["components"]["schemas"]
