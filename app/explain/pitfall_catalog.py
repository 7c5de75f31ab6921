"""The pitfall catalog: `catalog.json` read, validated and compiled once per process.

The knowledge lives in `catalog.json` (data); this module checks it on load and compiles its
regexes, and app/explain/matcher.py matches entries and fills their templates. An entry
applies when all of these agree:
    `exception`     the exception's type name, or a list of them;
    `pattern`       a regex (or a list) searched in the message; named groups become facts;
    `line_pattern`  optional regex the failing line must match (`bmm` vs `mm`);
    `line_exclude`  optional regex it must not match (an `@` rules out the Linear reading);
    `needs`         optional placeholders that must be known, or the entry does not apply.
    `when`          optional conditions on the run's facts (app/explain/facts.py).
The first entry that applies wins, so the file lists specific entries before general ones,
and an error no entry knows gets `None`: no explanation beats a wrong one.

An entry may list `causes`: the different reasons one message has, each with its own `when`
(`{"layer_type": "Linear", "input_ndim": {">=": 3}}`: a value, a list of allowed values, or
`{op: value}` with op one of == != < <= > >= in not_in; a value `"@fact"` names another
fact), optional `needs`, its own `why`/`fix` (and optional `title`) and an optional `edit`
(app/explain/edits.py) that makes the fix a concrete edit of the snippet. The first cause
whose conditions hold is the explanation; when none holds, the entry's own text applies and
must name the candidates, since the run's facts did not decide between them.

`en` and `zh` hold `title`, `why` and `fix` as `str.format` templates. Placeholders come
from the message's named groups, the `line_facts` regexes' named groups, the *subject* (the
tensor the error is about: the first operand or tensor on the line that meets the entry's
`subject` constraints; `{name}`, `{shape}`, `{stride}`, `{dtype}`, ...), the operator that
raised (`{op}`, `{lhs}`, `{rhs}`, `{lhs_shape}`, `{rhs_shape}`) and the failing `{line}`;
a named group wins over a fact of the same name. A template that uses more than the
message's groups needs a `why_generic` / `fix_generic` twin that uses only those: it is
the fallback whenever a fact is unknown, so no output ever shows a literal `{name}`.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import json
import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from app.explain.edits import EDIT_KEYS
from app.explain.facts import FACTS

CATALOG_PATH = Path(__file__).with_name("catalog.json")
LANGUAGES = ("en", "zh")
TEXT_FIELDS = ("title", "why", "fix")
SUBJECT_FIELDS = (
    "name", "shape", "stride", "dtype", "device", "requires_grad", "grad_fn", "is_leaf",
    "is_contiguous",
)  # fmt: skip
CONDITION_OPS = ("==", "!=", "<", "<=", ">", ">=", "in", "not_in")
OPERATOR_FIELDS = ("op", "lhs", "rhs", "lhs_shape", "rhs_shape")
LINE_FIELD = "line"
ENTRY_KEYS = frozenset(
    {"id", "exception", "pattern", "line_pattern", "line_exclude", "line_facts", "subject",
     "needs", "lesson", "when", "causes", *LANGUAGES}
)  # fmt: skip
CAUSE_KEYS = frozenset({"id", "when", "needs", "edit", *LANGUAGES})
KEBAB = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
LESSON = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)+")


class CatalogError(ValueError):
    """The catalog file is malformed; the message names the offending entry."""


@dataclass(slots=True, frozen=True)
class Entry:
    """One catalog entry with its regexes compiled."""

    id: str
    exceptions: frozenset[str]
    patterns: tuple[re.Pattern[str], ...]
    line_pattern: re.Pattern[str] | None
    line_exclude: re.Pattern[str] | None
    line_facts: tuple[re.Pattern[str], ...]
    subject: Mapping[str, Any]
    needs: tuple[str, ...]
    lesson: str | None
    texts: Mapping[str, Mapping[str, str]]
    when: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    causes: tuple[Cause, ...] = ()


@dataclass(slots=True, frozen=True)
class Cause:
    id: str
    when: Mapping[str, Any]
    needs: tuple[str, ...]
    edits: tuple[Mapping[str, Any], ...]
    """Edit specs tried in order; the first that can be placed is the fix."""
    texts: Mapping[str, Mapping[str, str]]


def catalog() -> list[dict[str, Any]]:
    """The catalog's entries as data (validated), in matching order; a copy to play with."""
    return copy.deepcopy(list(_load()[0]))


def compiled() -> tuple[Entry, ...]:
    return _load()[1]


@functools.cache
def _load() -> tuple[tuple[dict[str, Any], ...], tuple[Entry, ...]]:
    """Read and validate the file once per process (the sandbox's warm parent does it)."""
    entries = json.loads(CATALOG_PATH.read_text(encoding="utf-8"))
    return tuple(entries), validate_catalog(entries)


def validate_catalog(entries: Any) -> tuple[Entry, ...]:
    """Check every entry and compile it; raise `CatalogError` naming the first bad one."""
    if not isinstance(entries, list):
        raise CatalogError("the catalog must be a JSON list of entries")
    compiled: list[Entry] = []
    seen: set[str] = set()
    for position, entry in enumerate(entries):
        label = entry.get("id", f"#{position}") if isinstance(entry, dict) else f"#{position}"
        try:
            item = _compile_entry(entry)
        except (CatalogError, re.error, TypeError, ValueError) as exc:
            raise CatalogError(f"catalog entry {label!r}: {exc}") from exc
        if item.id in seen:
            raise CatalogError(f"catalog entry {label!r}: duplicate id")
        seen.add(item.id)
        compiled.append(item)
    return tuple(compiled)


def _compile_entry(entry: Any) -> Entry:
    if not isinstance(entry, dict):
        raise CatalogError("an entry must be an object")
    missing = {"id", "exception", "pattern", *LANGUAGES} - entry.keys()
    if missing:
        raise CatalogError(f"missing keys {sorted(missing)}")
    unknown = entry.keys() - ENTRY_KEYS
    if unknown:
        raise CatalogError(f"unknown keys {sorted(unknown)}")
    if not isinstance(entry["id"], str) or not KEBAB.fullmatch(entry["id"]):
        raise CatalogError("id must be kebab-case")
    lesson = entry.get("lesson")
    if lesson is not None and (not isinstance(lesson, str) or not LESSON.fullmatch(lesson)):
        raise CatalogError("lesson must be a kebab-case '<topic>-<slug>'")
    patterns = tuple(re.compile(p) for p in _strings(entry["pattern"], "pattern"))
    line_facts = tuple(re.compile(p) for p in _strings(entry.get("line_facts", []), "line_facts"))
    subject = entry.get("subject", {})
    if not isinstance(subject, dict) or not set(subject) <= set(SUBJECT_FIELDS) | {"grad"}:
        raise CatalogError("subject must map tensor fields to required values")
    needs = tuple(_strings(entry.get("needs", []), "needs"))
    guaranteed = set.intersection(*(set(p.groupindex) for p in patterns))
    known = (
        guaranteed
        | {g for p in (*patterns, *line_facts) for g in p.groupindex}
        | set(SUBJECT_FIELDS)
        | set(OPERATOR_FIELDS)
        | {LINE_FIELD}
        | set(FACTS)
    )
    _check_fact_names(needs, known)
    sure = guaranteed | set(needs)  # an entry whose needs are unknown does not apply
    texts = {lang: _check_texts(entry[lang], lang, known, sure) for lang in LANGUAGES}
    when = _check_when(entry.get("when", {}), known)
    causes = tuple(
        _compile_cause(c, known, sure | set(when), texts) for c in entry.get("causes", [])
    )
    if len({c.id for c in causes}) != len(causes):
        raise CatalogError("duplicate cause ids")
    return Entry(
        id=entry["id"],
        exceptions=frozenset(_strings(entry["exception"], "exception")),
        patterns=patterns,
        line_pattern=_optional_regex(entry.get("line_pattern")),
        line_exclude=_optional_regex(entry.get("line_exclude")),
        line_facts=line_facts,
        subject=subject,
        needs=needs,
        lesson=lesson,
        texts=texts,
        when=when,
        causes=causes,
    )


def _compile_cause(
    cause: Any, known: set[str], guaranteed: set[str], entry_texts: Mapping[str, Any]
) -> Cause:
    """A cause applies only when every fact its texts use is known: they are its needs too.
    `{edit}` is the exception, filled only when the edit could be placed, so a text that
    uses it needs a `_generic` twin."""
    if not isinstance(cause, dict) or not set(cause) <= CAUSE_KEYS or "id" not in cause:
        raise CatalogError(f"a cause must be an object with keys among {sorted(CAUSE_KEYS)}")
    if not isinstance(cause["id"], str) or not KEBAB.fullmatch(cause["id"]):
        raise CatalogError("a cause id must be kebab-case")
    label = f"cause {cause['id']!r}"
    when = _check_when(cause.get("when", {}), known)
    needs = set(_strings(cause.get("needs", []), "needs")) if cause.get("needs") else set()
    edit = cause.get("edit")
    specs = [edit] if isinstance(edit, dict) else edit
    if edit is not None and not (
        isinstance(specs, list) and all(isinstance(e, dict) and set(e) <= EDIT_KEYS for e in specs)
    ):
        raise CatalogError(
            f"{label}: an edit (or list of them) takes keys among {sorted(EDIT_KEYS)}"
        )
    texts = {}
    for lang in LANGUAGES:
        given = cause.get(lang)
        if not isinstance(given, dict):
            raise CatalogError(f"{label}: {lang!r} must be an object")
        merged = {"title": entry_texts[lang]["title"], **given}
        for name, template in merged.items():
            used = _placeholders(template, f"{label} {lang}.{name}")
            if "edit" in used and f"{name}_generic" not in merged:
                raise CatalogError(f"{label}: {lang}.{name} uses {{edit}} without a twin")
            needs |= used - {"edit"} - guaranteed
        sure = guaranteed | set(when) | needs
        texts[lang] = _check_texts(merged, lang, sure | {"edit"}, sure)
    _check_fact_names(needs, known)
    return Cause(cause["id"], when, tuple(sorted(needs)), tuple(specs or ()), texts)


def _check_when(when: Any, known: set[str]) -> Mapping[str, Any]:
    if not isinstance(when, dict):
        raise CatalogError("when must map facts to conditions")
    _check_fact_names(when, known)
    for key, want in when.items():
        if isinstance(want, dict) and not set(want) <= set(CONDITION_OPS):
            raise CatalogError(f"when.{key}: operators must be among {CONDITION_OPS}")
    return MappingProxyType(dict(when))


def _check_fact_names(names: Iterable[str], known: set[str]) -> None:
    for name in names:
        if not (name in known or name in FACTS or name.startswith("layer_")):
            raise CatalogError(f"unknown fact {name!r}")


def _strings(value: Any, key: str) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) and i for i in items):
        raise CatalogError(f"{key} must be a non-empty string or a list of them")
    if key in ("pattern", "exception") and not items:
        raise CatalogError(f"{key} must not be empty")
    return items


def _optional_regex(value: Any) -> re.Pattern[str] | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise CatalogError("line_pattern / line_exclude must be a non-empty string")
    return re.compile(value)


def _check_texts(texts: Any, lang: str, known: set[str], guaranteed: set[str]) -> dict[str, str]:
    """Each language needs title/why/fix; a template with run facts needs a generic twin."""
    if not isinstance(texts, dict):
        raise CatalogError(f"{lang!r} must be an object")
    for field in TEXT_FIELDS:
        if not isinstance(texts.get(field), str) or not texts[field].strip():
            raise CatalogError(f"{lang}.{field} is missing or empty")
    for field, template in texts.items():
        if not isinstance(template, str) or field.removesuffix("_generic") not in TEXT_FIELDS:
            raise CatalogError(f"{lang}.{field} is not a known text field")
        used = _placeholders(template, f"{lang}.{field}")
        if not used <= known:
            raise CatalogError(f"{lang}.{field} uses unknown placeholders {sorted(used - known)}")
        if field.endswith("_generic") and not used <= guaranteed:
            raise CatalogError(f"{lang}.{field} may only use the message's named groups")
        if field in TEXT_FIELDS and not used <= guaranteed and f"{field}_generic" not in texts:
            raise CatalogError(f"{lang}.{field} uses run facts but has no {field}_generic")
    return dict(texts)


def _placeholders(template: str, where: str) -> set[str]:
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise CatalogError(f"{where}: {exc}") from exc
    names = set()
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise CatalogError(f"{where}: placeholder {{{name}}} must be a bare name")
        names.add(name)
    return names
