"""How often the class access code may be guessed, without letting one student lock out a
class.

A whole class often shares one address (a school NAT), so the address alone cannot be the
key: a student typing wrong codes in a loop would lock out everyone behind it. Each
browser therefore gets a signed random id at the login page (`BrowserIds`), and failures
are counted per (address, browser): a classmate's browser has its own count. Browsers
without an id (scripts, cookies off) share one count per address; bearer-token attempts on
the API have theirs.

* A key has `FREE_FAILURES` wrong codes free; each further one doubles its wait (1 s, 2 s,
  4 s ... `MAX_BACKOFF_S`), during which that key's attempts are refused (429) unchecked.
  A right code clears the key; a key is forgotten `FORGET_S` after its last failure.
* Per address and per code: when one address has failed more than `ADDRESS_BUDGET` times in
  `WINDOW_S`, or the code more than `CODE_BUDGET` times from anywhere, keys get no free
  failures: the wait starts at the first wrong code. A browser that has not failed is
  never waiting, so nobody's guessing stops a classmate who types the code right.
* New browser ids are themselves rate-limited per address (`IDS_BURST`, `IDS_PER_MINUTE`),
  so fresh ids cannot buy fresh free guesses faster than that.

Independent of the run limiter: it holds with `PLAYGROUND_RATE_PER_MINUTE=0`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from app.ratelimit import RateLimiter

FREE_FAILURES = 5
MAX_BACKOFF_S = 300.0
FORGET_S = 3600.0
WINDOW_S = 600.0
ADDRESS_BUDGET = 30
CODE_BUDGET = 200
IDS_BURST = 120
IDS_PER_MINUTE = 30
MAX_KEYS = 50_000
NO_BROWSER = "-"


@dataclass(slots=True)
class _Key:
    failures: int = 0
    not_before: float = 0.0
    last_failure: float = 0.0


class LoginLimiter:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._keys: dict[tuple[str, str], _Key] = {}
        self._by_address: dict[str, deque[float]] = {}
        self._for_code: deque[float] = deque(maxlen=CODE_BUDGET + 1)

    def wait_s(self, address: str, browser: str) -> float:
        """0 when this key may try a code now, else the seconds until it may."""
        key = self._keys.get((address, browser))
        return 0.0 if key is None else max(0.0, key.not_before - self.clock())

    def failed(self, address: str, browser: str) -> float:
        """Count a wrong code; return the wait it earned (0 while failures are free)."""
        now = self.clock()
        if len(self._keys) >= MAX_KEYS:
            self._forget(now)
        key = self._keys.setdefault((address, browser), _Key())
        key.failures += 1
        key.last_failure = now
        recent = self._by_address.setdefault(address, deque(maxlen=ADDRESS_BUDGET + 1))
        recent.append(now)
        self._for_code.append(now)
        free = 0 if self._strict(address, now) else FREE_FAILURES
        over = key.failures - free
        wait = min(2.0 ** (over - 1), MAX_BACKOFF_S) if over > 0 else 0.0
        key.not_before = now + wait
        return wait

    def succeeded(self, address: str, browser: str) -> None:
        self._keys.pop((address, browser), None)

    def _strict(self, address: str, now: float) -> bool:
        def over(times: deque[float], budget: int) -> bool:
            return len(times) > budget and now - times[0] < WINDOW_S

        return over(self._by_address[address], ADDRESS_BUDGET) or over(self._for_code, CODE_BUDGET)

    def _forget(self, now: float) -> None:
        self._keys = {k: v for k, v in self._keys.items() if now - v.last_failure < FORGET_S}
        self._by_address = {a: t for a, t in self._by_address.items() if now - t[-1] < WINDOW_S}
        while len(self._keys) >= MAX_KEYS:
            del self._keys[next(iter(self._keys))]


class BrowserIds:
    """Signed random ids, so the limiter can tell browsers behind one address apart."""

    def __init__(self) -> None:
        self._secret = secrets.token_bytes(32)
        self._issued = RateLimiter(IDS_PER_MINUTE, IDS_BURST)

    def issue(self, address: str) -> str | None:
        """A new id, or None when this address has been given too many lately."""
        if self._issued.take(address):
            return None
        token = secrets.token_urlsafe(16)
        return f"{token}.{self._sign(token)}"

    def check(self, value: str | None) -> str:
        """The browser's key: its id when the signature holds, else `NO_BROWSER`."""
        token, _, signature = (value or "").partition(".")
        if token and hmac.compare_digest(signature, self._sign(token)):
            return token
        return NO_BROWSER

    def _sign(self, token: str) -> str:
        return hmac.new(self._secret, token.encode(), hashlib.sha256).hexdigest()[:32]
