"""The lessons: runnable snippets under ``snippets/<topic>/<id>.py`` with a metadata header.

A lesson file starts with a header of ``# key: value`` comment lines and a blank line;
the rest is the code a student reads and runs. The header stays *inside* the file (and
inside ``Lesson.code``) so that line numbers the playground reports for a run are the
line numbers of the file, which is what ``error_line`` declares.

A value too long for one line goes on with continuation lines: ``#`` followed by at
least two spaces. They are joined with a space, except between two Chinese characters,
which run on: so break Chinese text between two characters, other text at a space.

Pure: the standard library only, so the web layer and the tests can both load lessons.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "SNIPPETS_DIR", "TOPICS", "Lesson", "LessonError", "find_lesson", "library", "load_lessons",
    "parse_lesson",
]
SNIPPETS_DIR = Path(__file__).resolve().parents[1] / "snippets"

TOPICS: tuple[tuple[str, str, str], ...] = (
    ("creation", "Creating tensors", "创建张量"),
    ("arithmetic", "Arithmetic", "数值计算"),
    ("conversion", "Tensors and NumPy", "张量与 NumPy 的转换"),
    ("indexing", "Joining and indexing", "拼接与索引"),
    ("shape", "Changing shape", "形状操作"),
    ("autograd", "Autograd", "自动求导"),
    ("dtype-nan", "Dtypes and NaN", "数据类型与 NaN"),
    ("modules", "Modules and parameters", "模块与参数"),
    ("training", "Training components", "训练组件"),
)
"""(topic id, English name, Chinese name), in teaching order."""

_TOPIC_RANK = {topic: rank for rank, (topic, _, _) in enumerate(TOPICS)}
_REQUIRED = ("id", "title", "title_zh", "topic", "source", "notice", "notice_zh", "expect", "order")
_KNOWN = frozenset((*_REQUIRED, "error_line"))
_FIELD = re.compile(r"# (?P<key>[a-z_]+): (?P<value>\S.*)")
_CONTINUATION = re.compile(r"#  +(?P<value>\S.*)")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_EXCEPTION_NAME = re.compile(r"[A-Z][A-Za-z0-9]*(?:Error|Exception|Exceeded|Violation)")


class LessonError(ValueError):
    """A lesson file whose header is missing, malformed or inconsistent."""

    def __init__(self, path: Path | str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = str(path)
        self.problem = problem


@dataclass(slots=True, frozen=True)
class Lesson:
    id: str
    title: str
    title_zh: str
    topic: str
    source: str
    notice: str
    notice_zh: str
    expect: str
    """``"ok"``, or the name of the exception the snippet raises (``"RuntimeError"``)."""
    error_line: int | None
    """1-based line in the file (header included) where the declared exception is raised."""
    order: int
    code: str
    """The whole file text, header included, so reported line numbers match the file."""
    path: str

    @property
    def expects_error(self) -> bool:
        return self.expect != "ok"

    def to_json(self, *, with_code: bool) -> dict[str, object]:
        """The lesson as the API lists it (`code` only for a single lesson)."""
        fields = {
            "id": self.id, "title": self.title, "title_zh": self.title_zh, "topic": self.topic,
            "source": self.source, "notice": self.notice, "notice_zh": self.notice_zh,
            "expect": self.expect, "error_line": self.error_line, "order": self.order,
        }  # fmt: skip
        return {**fields, "code": self.code} if with_code else fields

    def title_for(self, lang: str) -> str:
        return self.title_zh if _is_chinese(lang) else self.title

    def notice_for(self, lang: str) -> str:
        return self.notice_zh if _is_chinese(lang) else self.notice


def parse_lesson(path: Path) -> Lesson:
    """Read one lesson file and check its header against itself and its file name."""
    code = path.read_text(encoding="utf-8")
    lines = code.splitlines()
    fields, header_end = _read_header(path, lines)

    missing = [key for key in _REQUIRED if key not in fields]
    if missing:
        raise LessonError(path, f"missing field(s): {', '.join(missing)}")
    lesson_id, topic, expect = fields["id"], fields["topic"], fields["expect"]

    if topic not in _TOPIC_RANK:
        raise LessonError(path, f"unknown topic {topic!r}; known: {', '.join(_TOPIC_RANK)}")
    if not _SLUG.fullmatch(lesson_id) or not lesson_id.startswith(f"{topic}-"):
        raise LessonError(path, f"id {lesson_id!r} must be a slug starting with '{topic}-'")
    if path.stem != lesson_id:
        raise LessonError(path, f"file name must be {lesson_id}.py to match the id")
    if not fields["source"].endswith(".txt"):
        raise LessonError(path, f"source {fields['source']!r} must name a seed article (.txt)")
    if expect != "ok" and not _EXCEPTION_NAME.fullmatch(expect):
        raise LessonError(path, f"expect must be 'ok' or an exception name, not {expect!r}")

    error_line = _error_line(path, fields.get("error_line"), expect, lines, header_end)
    if not any(line.strip() and not line.lstrip().startswith("#") for line in lines[header_end:]):
        raise LessonError(path, "the lesson has no code after its header")

    return Lesson(
        id=lesson_id,
        title=fields["title"],
        title_zh=fields["title_zh"],
        topic=topic,
        source=fields["source"],
        notice=fields["notice"],
        notice_zh=fields["notice_zh"],
        expect=expect,
        error_line=error_line,
        order=_integer(path, "order", fields["order"]),
        code=code,
        path=str(path),
    )


@functools.cache
def library(root: Path = SNIPPETS_DIR) -> tuple[Lesson, ...]:
    """The project's lessons, read once per process: they change only with a deploy."""
    return tuple(load_lessons(root)) if root.is_dir() else ()


def find_lesson(lesson_id: str | None, root: Path = SNIPPETS_DIR) -> Lesson | None:
    return next((lesson for lesson in library(root) if lesson.id == lesson_id), None)


def load_lessons(root: Path) -> list[Lesson]:
    """Every lesson under ``root/<topic>/``, in teaching order (topic, order, id)."""
    lessons = [parse_lesson(path) for path in sorted(root.glob("*/*.py"))]
    # Duplicates first: a lesson copied into another folder is best reported as a duplicate.
    seen: dict[str, str] = {}
    for lesson in lessons:
        if lesson.id in seen:
            raise LessonError(
                lesson.path, f"duplicate id {lesson.id!r} (also in {seen[lesson.id]})"
            )
        seen[lesson.id] = lesson.path
    for lesson in lessons:
        folder = Path(lesson.path).parent.name
        if folder != lesson.topic:
            raise LessonError(
                lesson.path, f"lives in folder {folder!r} but declares topic {lesson.topic!r}"
            )
    lessons.sort(key=lambda lesson: (_TOPIC_RANK[lesson.topic], lesson.order, lesson.id))
    return lessons


def _read_header(path: Path, lines: list[str]) -> tuple[dict[str, str], int]:
    """The header's fields, and the index of the first line after the blank that ends it."""
    fields: dict[str, str] = {}
    last_key: str | None = None
    for index, line in enumerate(lines):
        if not line.strip():
            if not fields:
                break
            return fields, index + 1
        if match := _FIELD.fullmatch(line.rstrip()):
            key, value = match["key"], match["value"].strip()
            if key not in _KNOWN:
                raise LessonError(path, f"line {index + 1}: unknown field {key!r}")
            if key in fields:
                raise LessonError(path, f"line {index + 1}: field {key!r} given twice")
            fields[key] = value
            last_key = key
        elif (match := _CONTINUATION.fullmatch(line.rstrip())) and last_key is not None:
            fields[last_key] = _join(fields[last_key], match["value"].strip())
        else:
            raise LessonError(path, f"line {index + 1}: expected '# key: value', got {line!r}")
    raise LessonError(path, "the header must be '# key: value' lines ended by a blank line")


def _error_line(
    path: Path, raw: str | None, expect: str, lines: list[str], header_end: int
) -> int | None:
    """Validate ``error_line``: required for an error, forbidden for ``ok``, on a code line."""
    if expect == "ok":
        if raw is not None:
            raise LessonError(path, "error_line is only for lessons that expect an error")
        return None
    if raw is None:
        raise LessonError(path, f"expect is {expect!r} but error_line is missing")
    line = _integer(path, "error_line", raw)
    if not header_end < line <= len(lines):
        raise LessonError(path, f"error_line {line} is not a line of the code after the header")
    text = lines[line - 1].strip()
    if not text or text.startswith("#"):
        raise LessonError(path, f"error_line {line} points at a blank or comment line")
    return line


def _integer(path: Path, key: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise LessonError(path, f"{key} must be an integer, not {raw!r}") from None


def _join(head: str, tail: str) -> str:
    """Join a continuation line: Chinese text runs on without a space, other text gets one."""
    if _is_wide(head[-1]) and _is_wide(tail[0]):
        return head + tail
    return f"{head} {tail}"


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _is_chinese(lang: str) -> bool:
    return lang.lower().startswith("zh")
