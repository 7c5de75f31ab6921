"""Turn a cause's fix into a concrete edit of *this* snippet: one line replaced or inserted.

A cause in the catalog may carry an `edit` spec (the kinds are in edit_builders.py); this
module applies the one it names to the run's facts and checks the result: the new line must
still parse, differ from the old one and stay short. Where a spec cannot be placed with
certainty (the expression is not on one line, two constructors could be the one) there is no
edit: a fix shown as text is better than an edit of the wrong line. The server runs the
edited snippet to check it (app/fixcheck.py); nothing here runs code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.explain.edit_builders import BUILDERS, EDIT_KEYS, Edit, parse_line

__all__ = ["EDIT_KEYS", "Edit", "apply_edit", "build_edit"]

MAX_EDIT_CHARS = 2000
MAX_INSERTED_LINES = 4


def apply_edit(code: str, edit: Mapping[str, Any]) -> str | None:
    """The whole snippet with `edit` applied, or None if it does not fit this code."""
    lines = code.splitlines()
    line, kind, text = edit.get("line"), edit.get("kind"), edit.get("text")
    if not (isinstance(line, int) and isinstance(text, str) and 0 < line <= len(lines)):
        return None
    if len(text) > MAX_EDIT_CHARS or "\x00" in text or "\r" in text:
        return None
    if kind == "replace" and "\n" not in text:
        lines[line - 1] = text
    elif kind == "insert_before" and text.count("\n") < MAX_INSERTED_LINES:
        lines[line - 1 : line - 1] = text.split("\n")
    else:
        return None
    return "\n".join(lines) + ("\n" if code.endswith("\n") else "")


def build_edit(spec: Mapping[str, Any], facts: Any, values: Mapping[str, Any]) -> Edit | None:
    """The edit `spec` stands for in this run, or None where it cannot be placed for sure."""
    code = getattr(facts, "code", "") or ""
    line = getattr(facts, "line", None)
    if not code or not isinstance(line, int):
        return None
    lines = code.splitlines()
    if not 0 < line <= len(lines):
        return None
    kind = next((key for key in BUILDERS if key in spec), None)
    if kind is None:
        return None
    try:
        edit = BUILDERS[kind](spec, facts, values, lines, line)
    except (KeyError, IndexError, ValueError, TypeError, SyntaxError, RecursionError):
        return None
    if edit is None or len(edit.text) > MAX_EDIT_CHARS or not 0 < edit.line <= len(lines):
        return None
    if edit.kind == "replace" and edit.text == lines[edit.line - 1]:
        return None
    if any(parse_line(part) is None for part in edit.text.split("\n")):
        return None
    return edit
