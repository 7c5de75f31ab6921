"""Reading lessons: ``snippets/<topic>/<id>.py`` (the code) beside ``<id>.toml`` (the rest).

The ``.py`` file is exactly what the editor shows and a run executes, so ``error_line``
is a line of that file. Everything else about the lesson lives in the TOML sidecar:
titles and notices in both languages, the expected outcome, the seed passage it comes
from, the concepts it needs and teaches, an optional question, and ``[code_zh]``, the
Chinese renderings of its comments and printed labels (``"English" = "中文"``), from
which ``Lesson.code_zh`` is made. Texts may be wrapped over several lines: a line break
becomes a space, except between two Chinese characters or next to Chinese punctuation.

Pure: the standard library only, so the web layer and the tests can both load lessons.
"""

from __future__ import annotations

import dataclasses
import io
import itertools
import re
import tokenize
import tomllib
import unicodedata
from pathlib import Path
from typing import Any

from app.lessons.course import Course, LessonError, load_course
from app.lessons.model import NOT_FROM_THE_ARTICLES, Lesson, Question

_REQUIRED = ("title", "title_zh", "order", "expect", "notice", "notice_zh", "source", "needs",
             "teaches")  # fmt: skip
_KNOWN = frozenset((*_REQUIRED, "error_line", "passage", "also", "question", "code_zh", "formerly"))
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_EXCEPTION_NAME = re.compile(r"[A-Z][A-Za-z0-9]*(?:Error|Exception|Exceeded|Violation)")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_QUOTED = re.compile(r'"[^"]*"')
NO_SOURCE = "none"


def parse_lesson(path: Path, course: Course) -> Lesson:
    """Read one lesson (its ``.py`` and ``.toml``) and check it against itself and the course."""
    topic, lesson_id = path.parent.name, path.stem
    known_topics = [item.id for item in course.topics]
    if topic not in known_topics:
        known = ", ".join(known_topics)
        raise LessonError(path, f"folder {topic!r} is not a topic; known: {known}")
    if not _SLUG.fullmatch(lesson_id) or not lesson_id.startswith(f"{topic}-"):
        raise LessonError(path, f"file name {lesson_id!r} must be a slug starting with '{topic}-'")
    code = path.read_text(encoding="utf-8")
    if not code.endswith("\n") or not code.strip() or code.startswith("\n"):
        raise LessonError(path, "the code must start with a line of code and end with a newline")
    sidecar = path.with_suffix(".toml")
    meta = _read_sidecar(sidecar)
    lines = code.splitlines()
    expect = _string(sidecar, meta, "expect")
    if expect != "ok" and not _EXCEPTION_NAME.fullmatch(expect):
        raise LessonError(sidecar, f"expect must be 'ok' or an exception name, not {expect!r}")
    error_line = _error_line(sidecar, meta.get("error_line"), expect, lines)
    source, passage = _source(sidecar, meta, course)
    seed = course.seeds.get(source) if source else None
    concepts = {key: _concepts(sidecar, meta, key, course) for key in ("needs", "teaches")}
    if overlap := set(concepts["needs"]) & set(concepts["teaches"]):
        raise LessonError(sidecar, f"needs and teaches both name {sorted(overlap)}")
    return Lesson(
        id=lesson_id,
        title=_text(sidecar, meta, "title", chinese=False),
        title_zh=_text(sidecar, meta, "title_zh", chinese=True),
        topic=topic,
        order=_integer(sidecar, meta, "order"),
        notice=_text(sidecar, meta, "notice", chinese=False),
        notice_zh=_text(sidecar, meta, "notice_zh", chinese=True),
        expect=expect,
        error_line=error_line,
        code=code,
        code_zh=_code_zh(sidecar, code, meta.get("code_zh", {})),
        path=str(path),
        source=source,
        source_title=seed.title if seed else NOT_FROM_THE_ARTICLES[1],
        source_title_en=seed.title_en if seed else NOT_FROM_THE_ARTICLES[0],
        passage=passage,
        also=_also(sidecar, meta.get("also", []), course),
        question=_question(sidecar, meta.get("question"), error_line),
        needs=concepts["needs"],
        teaches=concepts["teaches"],
        formerly=_slugs(sidecar, meta, "formerly"),
        has_recap=next(item.has_recap for item in course.topics if item.id == topic),
    )


def load_lessons(root: Path) -> list[Lesson]:
    """Every lesson under ``root/<topic>/``, in course order (topic, order), prerequisites set."""
    course = load_course(root)
    stray = sorted(
        str(toml) for toml in root.glob("*/*.toml") if not toml.with_suffix(".py").is_file()
    )
    if stray:
        raise LessonError(stray[0], "a sidecar without its lesson .py file")
    lessons = [parse_lesson(path, course) for path in sorted(root.glob("*/*.py"))]
    seen: dict[str, str] = {}
    for lesson in lessons:
        for name in (lesson.id, *lesson.formerly):
            if name in seen:
                raise LessonError(lesson.path, f"id {name!r} is also used by {seen[name]}")
            seen[name] = lesson.path
    lessons.sort(key=lambda lesson: (course.rank(lesson.topic), lesson.order, lesson.id))
    for before, after in itertools.pairwise(lessons):
        if (before.topic, before.order) == (after.topic, after.order):
            raise LessonError(after.path, f"order {after.order} is also {before.id}'s")
    return _with_prerequisites(lessons)


def _with_prerequisites(lessons: list[Lesson]) -> list[Lesson]:
    """Each lesson gets the ids of the earlier lessons that first teach what it needs."""
    position = {lesson.id: index for index, lesson in enumerate(lessons)}
    first_teacher: dict[str, str] = {}
    result = []
    for lesson in lessons:
        missing = [concept for concept in lesson.needs if concept not in first_teacher]
        if missing:
            sidecar = Path(lesson.path).with_suffix(".toml")
            raise LessonError(sidecar, f"needs {missing}, which no earlier lesson teaches")
        ids = dict.fromkeys(first_teacher[concept] for concept in lesson.needs)
        prerequisites = tuple(sorted(ids, key=position.__getitem__))
        result.append(dataclasses.replace(lesson, prerequisites=prerequisites))
        for concept in lesson.teaches:
            first_teacher.setdefault(concept, lesson.id)
    return result


def _read_sidecar(path: Path) -> dict[str, Any]:
    try:
        meta = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LessonError(path, "the lesson has no sidecar .toml beside its .py") from None
    except tomllib.TOMLDecodeError as error:
        raise LessonError(path, f"not valid TOML: {error}") from None
    missing = [key for key in _REQUIRED if key not in meta]
    if missing:
        raise LessonError(path, f"missing field(s): {', '.join(missing)}")
    if unknown := sorted(set(meta) - _KNOWN):
        raise LessonError(path, f"unknown field(s): {', '.join(unknown)}")
    return meta


def _source(path: Path, meta: dict[str, Any], course: Course) -> tuple[str | None, str | None]:
    source, passage = _string(path, meta, "source"), meta.get("passage")
    if source == NO_SOURCE:
        if passage is not None:
            raise LessonError(path, "a lesson not from the articles has no passage")
        return None, None
    if source not in course.seeds:
        raise LessonError(path, f"source {source!r} is not a seed of course.toml (or 'none')")
    if not isinstance(passage, str) or not passage.strip():
        raise LessonError(path, "passage must quote the seed's words the lesson comes from")
    return source, " ".join(passage.split())


def _also(path: Path, raw: object, course: Course) -> tuple[tuple[str, str], ...]:
    """``[[also]]`` tables: further seed passages the lesson draws on or corrects."""
    if not isinstance(raw, list) or not all(isinstance(entry, dict) for entry in raw):
        raise LessonError(path, "also must be a list of tables")
    found = []
    for entry in raw:
        source, passage = _source(path, entry, course)
        if source is None or passage is None or set(entry) != {"source", "passage"}:
            raise LessonError(path, "also: each entry is a seed source and its passage")
        found.append((source, passage))
    return tuple(found)


def _question(path: Path, raw: object, error_line: int | None) -> Question | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise LessonError(path, "question must be a table")
    kind = _string(path, raw, "kind")
    known = {"kind", "prompt", "prompt_zh", "answer", "choices", "choices_zh", "tensor"}
    if unknown := sorted(set(raw) - known):
        raise LessonError(path, f"question: unknown field(s): {', '.join(unknown)}")
    prompt = _text(path, raw, "prompt", chinese=False)
    prompt_zh = _text(path, raw, "prompt_zh", chinese=True)
    answer = raw.get("answer")
    if kind == "choice":
        choices, choices_zh = raw.get("choices"), raw.get("choices_zh")
        if not _strings(choices) or not _strings(choices_zh) or len(choices) < 2:
            raise LessonError(path, "question: choices and choices_zh must list 2+ strings")
        if len(choices) != len(choices_zh):
            raise LessonError(path, "question: choices and choices_zh differ in length")
        if not _is_int(answer) or not 0 <= answer < len(choices):
            raise LessonError(path, "question: a choice's answer is the index of a choice")
        return Question("choice", prompt, prompt_zh, answer, tuple(choices), tuple(choices_zh))
    if kind == "shape":
        tensor = raw.get("tensor")
        if not isinstance(tensor, str) or not _IDENTIFIER.fullmatch(tensor):
            raise LessonError(path, "question: a shape question names its tensor")
        if not isinstance(answer, list) or not all(_is_int(n) and n >= 0 for n in answer):
            raise LessonError(path, "question: a shape's answer is a list of sizes")
        return Question("shape", prompt, prompt_zh, tuple(answer), tensor=tensor)
    if kind == "line":
        if error_line is None or answer != error_line:
            raise LessonError(path, "question: a line question's answer is the error_line")
        return Question("line", prompt, prompt_zh, error_line)
    raise LessonError(path, f"question: kind must be choice, shape or line, not {kind!r}")


def _code_zh(path: Path, code: str, renderings: object) -> str:
    """The code with each English fragment replaced by its Chinese rendering; tokens unchanged."""
    if not isinstance(renderings, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in renderings.items()
    ):
        raise LessonError(path, "code_zh must map English fragments to Chinese ones")
    result = code
    for english in sorted(renderings, key=len, reverse=True):
        if english not in result:
            raise LessonError(path, f"code_zh: {english!r} is not in the code")
        result = result.replace(english, renderings[english])
    if _code_tokens(result) != _code_tokens(code):
        raise LessonError(path, "code_zh changes more than comments and strings")
    if result.count("\n") != code.count("\n"):
        raise LessonError(path, "code_zh must keep the lines of the code")
    return result


def _code_tokens(code: str) -> list[str]:
    """The code's tokens except comments and string literals (what a translation may touch)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, SyntaxError):
        return [code]
    return [t.string for t in tokens if t.type not in (tokenize.COMMENT, tokenize.STRING)]


def _concepts(path: Path, meta: dict[str, Any], key: str, course: Course) -> tuple[str, ...]:
    names = meta[key]
    if not _strings(names) or len(set(names)) != len(names):
        raise LessonError(path, f"{key} must be a list of distinct concept names")
    if unknown := [name for name in names if name not in course.concepts]:
        raise LessonError(path, f"{key}: {unknown} not among course.toml's concepts")
    return tuple(names)


def _slugs(path: Path, meta: dict[str, Any], key: str) -> tuple[str, ...]:
    names = meta.get(key, [])
    if not _strings(names) or not all(_SLUG.fullmatch(name) for name in names):
        raise LessonError(path, f"{key} must be a list of lesson ids")
    return tuple(names)


def _error_line(path: Path, raw: object, expect: str, lines: list[str]) -> int | None:
    """Validate ``error_line``: required for an error, forbidden for ``ok``, on a code line."""
    if expect == "ok":
        if raw is not None:
            raise LessonError(path, "error_line is only for lessons that expect an error")
        return None
    if raw is None:
        raise LessonError(path, f"expect is {expect!r} but error_line is missing")
    if not _is_int(raw) or not 1 <= raw <= len(lines):
        raise LessonError(path, f"error_line {raw!r} is not a line of the code")
    text = lines[raw - 1].strip()
    if not text or text.startswith("#"):
        raise LessonError(path, f"error_line {raw} points at a blank or comment line")
    return raw


def _string(path: Path, data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise LessonError(path, f"{key} must be a non-empty string")
    return value.strip()


def _text(path: Path, data: dict[str, Any], key: str, *, chinese: bool) -> str:
    """A wrapped text, unwrapped; Chinese fields hold Chinese, English ones only in "quotes"."""
    text = _unwrap(_string(path, data, key))
    if chinese != bool(_CJK.search(text if chinese else _QUOTED.sub("", text))):
        raise LessonError(path, f"{key} must {'' if chinese else 'not '}be Chinese: {text!r}")
    return text


def _unwrap(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    result = lines[0]
    for line in lines[1:]:
        before, after = result[-1], line[0]
        run_on = (_is_wide(before) and _is_wide(after)) or _is_wide_punctuation(before, after)
        result = result + line if run_on else f"{result} {line}"
    return result


def _integer(path: Path, data: dict[str, Any], key: str) -> int:
    value = data.get(key)
    if not _is_int(value):
        raise LessonError(path, f"{key} must be an integer, not {value!r}")
    return value


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _strings(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _is_wide_punctuation(*chars: str) -> bool:
    """Chinese punctuation (，。：“）) takes no space on either side."""
    return any(
        c in "“”‘’" or (_is_wide(c) and unicodedata.category(c).startswith("P")) for c in chars
    )
