"""What the student needs from an exception: its type, message, line and *their* frames.

Frames from torch or the playground itself are noise to a learner, so the traceback keeps
only frames whose file is the snippet (`SNIPPET_FILENAME`).
"""

from __future__ import annotations

import traceback
from types import FrameType, TracebackType
from typing import Any

SNIPPET_FILENAME = "<snippet>"


def snippet_frames(tb: TracebackType | None) -> list[TracebackType]:
    """The traceback entries that ran the snippet's own code, outermost first."""
    frames = []
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == SNIPPET_FILENAME:
            frames.append(tb)
        tb = tb.tb_next
    return frames


def failing_frame(exc: BaseException) -> tuple[FrameType, int] | None:
    """The innermost snippet frame of `exc` and its line: where the student's code broke."""
    frames = snippet_frames(exc.__traceback__)
    if not frames:
        return None
    last = frames[-1]
    return last.tb_frame, last.tb_lineno


def describe_exception(exc: BaseException) -> dict[str, Any]:
    """The `error` object of API.md, without `explanation` and `operands`."""
    if isinstance(exc, SyntaxError) and exc.filename == SNIPPET_FILENAME:
        line = exc.lineno
        text = "".join(traceback.format_exception_only(type(exc), exc))
        message = exc.msg
    else:
        located = failing_frame(exc)
        line = located[1] if located else None
        entries = [
            entry
            for entry in traceback.extract_tb(exc.__traceback__)
            if entry.filename == SNIPPET_FILENAME
        ]
        text = "Traceback (most recent call last):\n" + "".join(
            traceback.format_list(entries)
        ) + "".join(traceback.format_exception_only(type(exc), exc))
        message = str(exc)
    return {
        "type": type(exc).__name__,
        "message": message,
        "line": line,
        "traceback": text,
        "explanation": None,
        "operands": [],
    }
