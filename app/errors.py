"""The errors a request can meet, and the status code each one answers with.

    PlaygroundError                     500  internal_error (an unexpected failure)
    ├── BadRequest                      400  bad_request: the body could not be parsed
    ├── Unauthorized                    401  unauthorized: no or wrong access code
    ├── Forbidden                       403  forbidden
    │   └── CrossSiteRequest            403  cross_site_request: another site's page sent it
    ├── NotFound                        404  not_found: no such route, lesson or share link
    ├── MethodNotAllowed                405  method_not_allowed (Allow)
    ├── RequestTimeout                  408  request_timeout: the body came too slowly
    ├── Conflict                        409  conflict
    ├── PayloadTooLarge                 413  payload_too_large: the body is over the cap
    │   └── SnippetTooLarge             413  snippet_too_large: the code is over its limit
    ├── UriTooLong                      414  uri_too_long
    ├── UnsupportedMediaType            415  unsupported_media_type: the API takes JSON only
    ├── InvalidRequest                  422  invalid_request: not the schema
    │   └── InvalidSnippet              422  invalid_snippet: NUL byte, not UTF-8, ...
    ├── TooManyRequests                 429  too_many_requests (Retry-After)
    │   ├── AtCapacity                  429  at_capacity: every slot busy, the queue full
    │   ├── RateLimited                 429  rate_limited: this client started too many runs
    │   │   └── QuotaExceeded           429  quota_exceeded: its day's bytes of share links
    │   └── LoginThrottled              429  login_throttled: too many wrong access codes
    ├── HeadersTooLarge                 431  headers_too_large
    ├── ServiceUnavailable              503  service_unavailable
    │   ├── ExecutorUnavailable         503  executor_unavailable: no fork-server
    │   └── StoreUnavailable            503  store_unavailable: the database cannot be reached
    └── InsufficientStorage             507  insufficient_storage: the store is full
        └── StoreFull                   507  store_full: share links hold their total quota

Every non-2xx answer is one of these, rendered by `app.web.error_handler` as
`{"error": code, "detail": ...}` (or an error page for a browser). A snippet's own failure
is never one of these: it is a 200 with `error` set.
"""

from __future__ import annotations

from typing import Any


class PlaygroundError(Exception):
    status_code = 500
    code = "internal_error"

    def __init__(self, detail: Any = "the server failed; the error was logged") -> None:
        super().__init__(detail)
        self.detail = detail

    def headers(self) -> dict[str, str]:
        return {}


class BadRequest(PlaygroundError):
    status_code = 400
    code = "bad_request"


class Unauthorized(PlaygroundError):
    status_code = 401
    code = "unauthorized"

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": "Bearer"}


class Forbidden(PlaygroundError):
    status_code = 403
    code = "forbidden"


class CrossSiteRequest(Forbidden):
    code = "cross_site_request"


class NotFound(PlaygroundError):
    status_code = 404
    code = "not_found"


class MethodNotAllowed(PlaygroundError):
    status_code = 405
    code = "method_not_allowed"

    def __init__(self, detail: Any, allow: str = "") -> None:
        super().__init__(detail)
        self.allow = allow

    def headers(self) -> dict[str, str]:
        return {"Allow": self.allow} if self.allow else {}


class RequestTimeout(PlaygroundError):
    status_code = 408
    code = "request_timeout"


class Conflict(PlaygroundError):
    status_code = 409
    code = "conflict"


class PayloadTooLarge(PlaygroundError):
    status_code = 413
    code = "payload_too_large"


class SnippetTooLarge(PayloadTooLarge):
    code = "snippet_too_large"


class UriTooLong(PlaygroundError):
    status_code = 414
    code = "uri_too_long"


class UnsupportedMediaType(PlaygroundError):
    status_code = 415
    code = "unsupported_media_type"


class InvalidRequest(PlaygroundError):
    status_code = 422
    code = "invalid_request"


class InvalidSnippet(InvalidRequest):
    code = "invalid_snippet"


class TooManyRequests(PlaygroundError):
    status_code = 429
    code = "too_many_requests"

    def __init__(self, detail: Any, retry_after_s: int = 1) -> None:
        super().__init__(detail)
        self.retry_after_s = retry_after_s

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after_s)}


class AtCapacity(TooManyRequests):
    code = "at_capacity"


class RateLimited(AtCapacity):
    code = "rate_limited"


class QuotaExceeded(RateLimited):
    code = "quota_exceeded"


class LoginThrottled(TooManyRequests):
    code = "login_throttled"


class HeadersTooLarge(PlaygroundError):
    status_code = 431
    code = "headers_too_large"


class ServiceUnavailable(PlaygroundError):
    status_code = 503
    code = "service_unavailable"


class ExecutorUnavailable(ServiceUnavailable):
    code = "executor_unavailable"


class StoreUnavailable(ServiceUnavailable):
    code = "store_unavailable"


class InsufficientStorage(PlaygroundError):
    status_code = 507
    code = "insufficient_storage"


class StoreFull(InsufficientStorage):
    code = "store_full"


def all_errors() -> list[type[PlaygroundError]]:
    """Every class of the tree, the root first (the metrics label their refusals by code)."""
    found, stack = [], [PlaygroundError]
    while stack:
        cls = stack.pop(0)
        found.append(cls)
        stack.extend(cls.__subclasses__())
    return found


def for_status(
    status_code: int, detail: Any, headers: dict[str, str] | None = None
) -> PlaygroundError:
    """The error of the tree for a status another layer (Starlette, FastAPI) chose."""
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    if status_code == 500:
        return PlaygroundError(detail)
    if status_code == 405:
        return MethodNotAllowed(detail, headers.get("allow", ""))
    if status_code == 429:
        return TooManyRequests(detail, int(headers.get("retry-after", "1") or 1))
    generic = [
        cls for cls in all_errors()
        if cls.status_code == status_code and cls.__base__ is PlaygroundError
    ]  # fmt: skip
    if generic:
        return generic[0](detail)
    error = PlaygroundError(detail)
    error.status_code, error.code = status_code, f"http_{status_code}"
    return error
