"""The run's stdout and stderr: kept up to a cap, counted past it, stopped at a flood.

Past `keep_bytes` the text is dropped and `truncated` set; past `flood_bytes` the writer
raises `OutputFlood` so a `while True: print(...)` ends quickly with OutputLimitExceeded
instead of burning its whole time limit.

In the worker, what Python prints is written straight through to fds 1 and 2, which are the
run's capture files (memfds the keeper made): C extensions, `os.write` and subprocesses write
there too, in the same order, and if the run dies before its report the server still reads
everything it printed. In process (benchmarks, the warm-up) the text is kept in memory.
"""

from __future__ import annotations

import io
import os

STREAMS = ("stdout", "stderr")


class OutputFlood(BaseException):
    """Raised in the snippet when it printed more than the flood limit (not an Exception,
    so a bare `except Exception` in the snippet does not swallow it)."""


class CappedOutput:
    """One shared byte budget for stdout and stderr; `fds` (stream -> fd) to write through."""

    def __init__(self, keep_bytes: int, flood_bytes: int, fds: dict[str, int] | None = None):
        self.keep_bytes = keep_bytes
        self.flood_bytes = flood_bytes
        self.fds = fds
        self.seen = 0
        self.truncated = False
        self.flooded = False
        self.parts: dict[str, list[str]] = {s: [] for s in STREAMS}
        self._kept = 0

    def write(self, stream: str, text: str) -> int:
        data = text.encode("utf-8", "replace")
        self.seen += len(data)
        room = self.keep_bytes - self._kept
        if room > 0:
            piece = data if len(data) <= room else cut_utf8(data, room)
            self._kept += len(piece)
            if self.fds is None:
                self.parts[stream].append(piece.decode("utf-8", "replace"))
            else:
                _write_all(self.fds[stream], piece)
        if len(data) > room:
            self.truncated = True
        if self.seen > self.flood_bytes and not self.flooded:
            self.flooded = True
            raise OutputFlood(f"the snippet printed more than {self.flood_bytes} bytes")
        return len(text)

    def texts(self) -> tuple[str, str, bool]:
        """(stdout, stderr, truncated) as the report gives them."""
        if self.fds is None:
            return "".join(self.parts["stdout"]), "".join(self.parts["stderr"]), self.truncated
        stdout, stderr, more = read_captures(
            self.fds["stdout"], self.fds["stderr"], self.keep_bytes
        )
        return stdout, stderr, self.truncated or more


def read_captures(stdout_fd: int, stderr_fd: int, limit: int) -> tuple[str, str, bool]:
    """The two capture files within one budget of `limit` bytes (stderr keeps at least a
    quarter of it, where a crash says why), and whether anything was cut."""
    out = _read_prefix(stdout_fd, limit)
    err = _read_prefix(stderr_fd, limit)
    cut = len(out) + len(err) > limit
    if cut:
        err = err[: max(limit - len(out), limit // 4)]
        out = out[: limit - len(err)]
    return (
        cut_utf8(out, len(out)).decode("utf-8", "replace"),
        cut_utf8(err, len(err)).decode("utf-8", "replace"),
        cut,
    )


def _read_prefix(fd: int, limit: int) -> bytes:
    """At most `limit + 1` bytes from the start of `fd`, by fd (never by path)."""
    try:
        return os.pread(fd, limit + 1, 0)
    except OSError:
        return b""


def cut_utf8(data: bytes, limit: int) -> bytes:
    """`data[:limit]`, backed off so no UTF-8 character is cut in half."""
    piece = data[:limit]
    for back in range(min(3, len(piece))):
        lead = piece[len(piece) - 1 - back]
        if lead < 0x80:
            return piece
        if lead >= 0xC0:  # a lead byte: is its character complete?
            need = 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4
            return piece if back + 1 >= need else piece[: len(piece) - 1 - back]
    return piece


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


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
