"""Explain a failed run with the pitfall catalog, in the words of the run's own facts.

The catalog (app/explain/pitfall_catalog.py says what an entry holds) is data; this module only
matches entries against a failure's facts and fills their templates. The first entry that
applies wins, and an error no entry knows gets `None`: no explanation beats a wrong one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.explain.edits import Edit, build_edit
from app.explain.facts import derive
from app.explain.pitfall_catalog import (
    LANGUAGES,
    LINE_FIELD,
    SUBJECT_FIELDS,
    Entry,
    compiled,
)

MAX_MESSAGE_CHARS = 4000
IDENTIFIER_BOUNDARY = r"(?<![\w.]){}(?![\w])"


@dataclass(slots=True, frozen=True)
class ErrorFacts:
    """What the sandbox knows about a failure at the moment it was raised."""

    type: str
    message: str
    line_source: str | None
    tensors: Sequence[Mapping[str, Any]]
    operands: Sequence[Mapping[str, Any]] = ()
    code: str = ""
    line: int | None = None
    layers: Sequence[Mapping[str, Any]] = ()
    """The module calls the error passed through, outermost first (app/inspect/context.py)."""
    frames: Sequence[Mapping[str, Any]] = ()
    """The traceback's library frames: `{"file", "function", "inner"}` (app/inspect/context.py)."""
    column: int | None = None
    """The 1-based column of a SyntaxError (where Python gave up reading)."""
    call_site: Mapping[str, Any] | None = None
    """`{"line", "source", "operands"}` of the line that made the failing top-level call."""
    module_calls: Sequence[Mapping[str, Any]] = ()
    suggestion: str | None = None
    loss_arguments: Sequence[Mapping[str, Any]] = ()
    """`input` and `target` of the functional loss the error passed through, as it got them."""


@dataclass(slots=True, frozen=True)
class Explanation:
    id: str
    title: str
    why: str
    fix: str
    lesson: str | None
    cause: str | None = None
    candidates: tuple[str, ...] = ()
    edit: Edit | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "why": self.why,
            "fix": self.fix,
            "lesson": self.lesson,
            "cause": self.cause,
            "candidates": list(self.candidates),
            "edit": None if self.edit is None else self.edit.to_json(),
            "fix_check": None,
        }


def explain(facts: ErrorFacts, lang: str = "en") -> Explanation | None:
    """The first catalog entry that matches `facts`, rendered in `lang` (else English)."""
    lang = lang if lang in LANGUAGES else "en"
    derived: dict[str, Any] | None = None
    for entry in compiled():
        values = _match(entry, facts)
        if values is None:
            continue
        if derived is None:
            derived = derive(facts)
        raw = {**derived, **{k: _number_or_text(v) for k, v in values.items()}}
        if not _holds(entry.when, raw, entry.needs):
            continue
        values = {**{k: _text(v) for k, v in derived.items()}, **values}
        cause = next((c for c in entry.causes if _holds(c.when, raw, c.needs)), None)
        edit = None
        for spec in cause.edits if cause is not None else ():
            edit = build_edit(spec, facts, {**values, **raw})
            if edit is not None:
                values["edit"] = edit.text.strip()
                break
        texts = cause.texts[lang] if cause is not None else entry.texts[lang]
        return Explanation(
            id=entry.id,
            title=_render(texts, "title", values),
            why=_render(texts, "why", values),
            fix=_render(texts, "fix", values),
            lesson=entry.lesson,
            cause=None if cause is None else cause.id,
            candidates=() if cause is not None else tuple(c.id for c in entry.causes),
            edit=edit,
        )
    return None


def _holds(when: Mapping[str, Any], raw: Mapping[str, Any], needs: Sequence[str] = ()) -> bool:
    """Every condition of `when` holds on the run's facts (an unknown fact fails it)."""
    if any(need not in raw for need in needs):
        return False
    for key, want in when.items():
        if key not in raw:
            return False
        have = raw[key]
        tests = want.items() if isinstance(want, dict) else [("in" if isinstance(want, list)
                                                             else "==", want)]  # fmt: skip
        for op, value in tests:
            if isinstance(value, str) and value.startswith("@"):
                if value[1:] not in raw:
                    return False
                value = raw[value[1:]]
            if not _compare(have, op, value):
                return False
    return True


def _compare(have: Any, op: str, value: Any) -> bool:
    try:
        match op:
            case "==":
                return bool(have == value)
            case "!=":
                return bool(have != value)
            case "<":
                return bool(have < value)
            case "<=":
                return bool(have <= value)
            case ">":
                return bool(have > value)
            case ">=":
                return bool(have >= value)
            case "in":
                return have in value
            case "not_in":
                return have not in value
    except TypeError:
        return False
    return False


def _number_or_text(value: str) -> Any:
    """Message groups are text; a group that is an integer compares as one."""
    return int(value) if re.fullmatch(r"-?\d{1,18}", value) else value


def _match(entry: Entry, facts: ErrorFacts) -> dict[str, str] | None:
    """The placeholder values if `entry` applies to `facts`, else None."""
    if facts.type not in entry.exceptions:
        return None
    message = facts.message[:MAX_MESSAGE_CHARS]
    groups = next((m.groupdict() for p in entry.patterns if (m := p.search(message))), None)
    if groups is None:
        return None
    line = facts.line_source or ""
    if entry.line_pattern and not (facts.line_source and entry.line_pattern.search(line)):
        return None
    if entry.line_exclude and (not facts.line_source or entry.line_exclude.search(line)):
        return None
    for pattern in entry.line_facts:
        if found := pattern.search(line):
            groups = {k: v for k, v in found.groupdict().items() if v is not None} | groups
            break
    named = {k: _text(v) for k, v in groups.items() if v is not None}
    values = _operator_values(facts.operands)
    if facts.line_source:
        values[LINE_FIELD] = facts.line_source
    subject = _subject(entry, facts, named.get("subject"))
    if subject is not None:
        values |= {f: _text(subject[f]) for f in SUBJECT_FIELDS if subject.get(f) is not None}
    values |= named
    return values


def _render(texts: Mapping[str, str], field: str, values: Mapping[str, str]) -> str:
    """The template filled with the run's facts, else its generic twin.

    Validation lets a generic twin use only the message's named groups, so it fills
    whenever the entry matched; the title is a last resort for an optional group that
    took no part in the match, never a half-filled template.
    """
    for template in (texts[field], texts.get(f"{field}_generic")):
        if template is None:
            continue
        try:
            return template.format_map(values)
        except (KeyError, IndexError, ValueError):
            continue
    return texts["title"] if field != "title" else field


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


def _subject(entry: Entry, facts: ErrorFacts, named: str | None) -> Mapping[str, Any] | None:
    """The tensor the error is about, the first candidate meeting the `subject` constraints.

    Candidates, in order: the tensor a `line_facts` group called `subject` names (`w` in
    `w += 1`), else the inputs of the operator that raised and, only when constraints
    give evidence to choose by, the other operands (outermost first) and the namespace's
    tensors named on the line.
    """
    candidates = _candidates(facts)
    if named is not None:
        pool: Iterable[Mapping[str, Any]] = [c for c in candidates if c["name"] == named] or [
            {"name": named}
        ]
    else:
        raised = next((o for o in facts.operands if o.get("raised")), None)
        inputs = list(raised.get("inputs") or ()) if raised else []
        by_name = {c["name"]: c for c in candidates}
        pool = [by_name[i] for i in inputs if i in by_name]
        if entry.subject:
            pool += candidates
    for candidate in pool:
        if all(_equal(candidate, key, want) for key, want in entry.subject.items()):
            return candidate
    return None


def _equal(candidate: Mapping[str, Any], key: str, want: Any) -> bool:
    return key in candidate and candidate[key] == want


def _candidates(facts: ErrorFacts) -> list[dict[str, Any]]:
    """Operands (outermost first) merged with the namespace's facts, then line tensors."""
    tensors = {t["name"]: t for t in facts.tensors if "name" in t}
    merged: list[dict[str, Any]] = []
    for operand in reversed(facts.operands):
        if operand.get("raised") or "expr" not in operand:
            continue
        name = operand["expr"]
        merged.append({**tensors.get(name, {}), **operand, "name": name})
    line = facts.line_source or ""
    named = {c["name"] for c in merged}
    mentioned = []
    for name, info in tensors.items():
        found = re.search(IDENTIFIER_BOUNDARY.format(re.escape(name)), line)
        if found and name not in named:
            mentioned.append((found.start(), dict(info)))
    merged.extend(info for _, info in sorted(mentioned, key=lambda item: item[0]))
    return merged


def _operator_values(operands: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """`{op}`, and `{lhs}`, `{rhs}` with their shapes, from the operator that raised."""
    raised = next((o for o in operands if o.get("raised")), None)
    if raised is None:
        return {}
    values = {"op": str(raised.get("op", ""))} if raised.get("op") else {}
    inputs = list(raised.get("inputs") or ())
    if len(inputs) != 2:  # `lhs`/`rhs` only where there are exactly two sides to compare
        return values
    shapes = {o["expr"]: o.get("shape") for o in operands if not o.get("raised") and "expr" in o}
    for key, expr in zip(("lhs", "rhs"), inputs, strict=True):
        values[key] = str(expr)
        if shapes.get(expr) is not None:
            values[f"{key}_shape"] = _text(shapes[expr])
    return values
