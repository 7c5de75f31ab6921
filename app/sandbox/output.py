"""The child's stdout and stderr: kept up to a cap, counted past it, stopped at a flood.

Past `keep_bytes` the text is dropped and `truncated` set; past `flood_bytes` the writer
raises `OutputFlood` so a `while True: print(...)` ends quickly with OutputLimitExceeded
instead of burning its whole time limit.
"""

from __future__ import annotations

import io


class OutputFlood(BaseException):
    """Raised in the snippet when it printed more than the flood limit (not an Exception,
    so a bare `except Exception` in the snippet does not swallow it)."""


class CappedOutput:
    """One shared byte budget for stdout and stderr, keeping their interleaving."""

    def __init__(self, keep_bytes: int, flood_bytes: int) -> None:
        self.keep_bytes = keep_bytes
        self.flood_bytes = flood_bytes
        self.seen = 0
        self.truncated = False
        self.flooded = False
        self.parts: dict[str, list[str]] = {"stdout": [], "stderr": []}
        self._kept = 0

    def write(self, stream: str, text: str) -> int:
        size = len(text.encode("utf-8", "replace"))
        self.seen += size
        room = self.keep_bytes - self._kept
        if room > 0:
            piece = text if size <= room else _cut_utf8(text, room)
            self.parts[stream].append(piece)
            self._kept += min(size, room)
        if size > room:
            self.truncated = True
        if self.seen > self.flood_bytes and not self.flooded:
            self.flooded = True
            raise OutputFlood(f"the snippet printed more than {self.flood_bytes} bytes")
        return len(text)

    def text(self, stream: str) -> str:
        return "".join(self.parts[stream])


def _cut_utf8(text: str, limit: int) -> str:
    return text.encode("utf-8", "replace")[:limit].decode("utf-8", "ignore")


class StreamProxy(io.TextIOBase):
    """A `sys.stdout`/`sys.stderr` stand-in that writes into a `CappedOutput`."""

    def __init__(self, sink: CappedOutput, stream: str) -> None:
        self._sink = sink
        self._stream = stream

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        return self._sink.write(self._stream, text)

    def flush(self) -> None:
        return None

    @property
    def encoding(self) -> str:
        return "utf-8"
