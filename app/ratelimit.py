"""Per-client token buckets: a student hammering Run is slowed down, the class is not."""

from __future__ import annotations

import math
import time


class RateLimiter:
    """`rate_per_minute` runs per client on average, bursts of up to `burst`."""

    def __init__(self, rate_per_minute: int, burst: int, max_clients: int = 10_000) -> None:
        self.rate_per_s = rate_per_minute / 60
        self.burst = burst
        self.max_clients = max_clients
        self._buckets: dict[str, tuple[float, float]] = {}

    @property
    def enabled(self) -> bool:
        return self.rate_per_s > 0

    def take(self, client: str, now: float | None = None) -> float:
        """Take a token for `client`: 0 if allowed, else seconds until one is available."""
        if not self.enabled:
            return 0.0
        now = time.monotonic() if now is None else now
        tokens, last = self._buckets.get(client, (float(self.burst), now))
        tokens = min(self.burst, tokens + (now - last) * self.rate_per_s)
        if tokens < 1:
            self._buckets[client] = (tokens, now)
            return (1 - tokens) / self.rate_per_s
        if len(self._buckets) >= self.max_clients and client not in self._buckets:
            self._forget_full_buckets(now)
        self._buckets[client] = (tokens - 1, now)
        return 0.0

    def wait_s(self, client: str, now: float | None = None) -> float:
        """Seconds until `client` may take a token (0: now), without taking one."""
        if not self.enabled or client not in self._buckets:
            return 0.0
        now = time.monotonic() if now is None else now
        tokens, last = self._buckets[client]
        tokens = min(self.burst, tokens + (now - last) * self.rate_per_s)
        return 0.0 if tokens >= 1 else (1 - tokens) / self.rate_per_s

    def retry_after_s(self, wait: float) -> int:
        return max(1, math.ceil(wait))

    def _forget_full_buckets(self, now: float) -> None:
        """Clients whose bucket has refilled are indistinguishable from new ones: drop them."""
        refill = self.burst / self.rate_per_s
        self._buckets = {c: b for c, b in self._buckets.items() if now - b[1] < refill}
