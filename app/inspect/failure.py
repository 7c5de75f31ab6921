"""What the student needs from an exception: its type, message, line and *their* frames.

Frames from torch or the playground itself are noise to a learner, so the traceback keeps
only frames whose file is the snippet (`SNIPPET_FILENAME`).
"""

from __future__ import annotations

import traceback
from types import FrameType, TracebackType
from typing import Any

SNIPPET_FILENAME = "<snippet>"
MAX_TRACEBACK_FRAMES = 40


def snippet_frames(tb: TracebackType | None) -> list[TracebackType]:
    """The traceback entries that ran the snippet's own code, outermost first.

    A last entry that never ran an instruction (`tb_lasti == 0`: the call itself failed,
    as when recursion hits the limit on entry) is dropped, so the blame falls on the line
    that made the call, as plain Python reports it.
    """
    frames = []
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == SNIPPET_FILENAME:
            frames.append(tb)
        tb = tb.tb_next
    if len(frames) > 1 and frames[-1].tb_lasti == 0:
        frames.pop()
    return frames


def failing_frame(exc: BaseException) -> tuple[FrameType, int] | None:
    """The innermost snippet frame of `exc` and its line: where the student's code broke."""
    frames = snippet_frames(exc.__traceback__)
    if not frames:
        return None
    last = frames[-1]
    return last.tb_frame, last.tb_lineno


def format_snippet_traceback(frames: list[TracebackType]) -> str:
    """The snippet's frames as Python prints them; a runaway recursion keeps its first and
    last frames (extracting a million frames would take longer than the run)."""
    parts = [frames]
    if len(frames) > MAX_TRACEBACK_FRAMES:
        head = MAX_TRACEBACK_FRAMES // 4
        tail = MAX_TRACEBACK_FRAMES - head
        parts = [frames[:head], frames[-tail:]]
    lines = []
    for i, part in enumerate(parts):
        if i:
            lines.append(f"  ... {len(frames) - len(parts[0]) - len(part)} more frames ...\n")
        summary = traceback.StackSummary.extract((tb.tb_frame, tb.tb_lineno) for tb in part)
        lines += summary.format()
    return "Traceback (most recent call last):\n" + "".join(lines)


def describe_exception(exc: BaseException) -> dict[str, Any]:
    """The `error` object of API.md, without `explanation` and `operands`."""
    if isinstance(exc, SyntaxError) and exc.filename == SNIPPET_FILENAME:
        line = exc.lineno
        text = "".join(traceback.format_exception_only(type(exc), exc))
        message = exc.msg
    else:
        frames = snippet_frames(exc.__traceback__)
        line = frames[-1].tb_lineno if frames else None
        text = format_snippet_traceback(frames) + "".join(
            traceback.format_exception_only(type(exc), exc)
        )
        message = str(exc)
    return {
        "type": type(exc).__name__,
        "message": message,
        "line": line,
        "traceback": text,
        "explanation": None,
        "operands": [],
    }
