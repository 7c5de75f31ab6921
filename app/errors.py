"""The errors a request can meet, and the status code each one answers with.

    PlaygroundError                 (never raised itself)
    ├── SnippetTooLarge             413  the code is over the size limit
    ├── InvalidSnippet              422  the code cannot be a snippet (NUL byte, ...)
    ├── AtCapacity                  429  every slot busy and the queue full (Retry-After)
    │   └── RateLimited             429  this client started too many runs (Retry-After)
    │       └── QuotaExceeded       429  this client stored its day's share of bytes
    ├── NotFound                    404  no such lesson or share link
    ├── StoreFull                   507  the share store holds its total quota
    ├── ExecutorUnavailable         503  the fork-server cannot be started
    └── StoreUnavailable            503  the database cannot be reached

A snippet's own failure is never one of these: it is a 200 with `error` set.
"""

from __future__ import annotations


class PlaygroundError(Exception):
    status_code = 500
    code = "internal_error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail

    def headers(self) -> dict[str, str]:
        return {}


class SnippetTooLarge(PlaygroundError):
    status_code = 413
    code = "snippet_too_large"


class InvalidSnippet(PlaygroundError):
    status_code = 422
    code = "invalid_snippet"


class AtCapacity(PlaygroundError):
    status_code = 429
    code = "at_capacity"

    def __init__(self, detail: str, retry_after_s: int) -> None:
        super().__init__(detail)
        self.retry_after_s = retry_after_s

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after_s)}


class RateLimited(AtCapacity):
    code = "rate_limited"


class QuotaExceeded(RateLimited):
    code = "quota_exceeded"


class NotFound(PlaygroundError):
    status_code = 404
    code = "not_found"


class ExecutorUnavailable(PlaygroundError):
    status_code = 503
    code = "executor_unavailable"


class StoreFull(PlaygroundError):
    status_code = 507
    code = "store_full"


class StoreUnavailable(PlaygroundError):
    status_code = 503
    code = "store_unavailable"
