"""What a lesson is, as the page and the API see it: plain frozen dataclasses, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

QuestionKind = Literal["choice", "shape", "line"]
NOT_FROM_THE_ARTICLES = ("Not from the articles", "不是来自原文")


def is_chinese(lang: str) -> bool:
    return lang.lower().startswith("zh")


@dataclass(slots=True, frozen=True)
class Topic:
    id: str
    title: str
    title_zh: str
    has_recap: bool = False

    def title_for(self, lang: str) -> str:
        return self.title_zh if is_chinese(lang) else self.title


@dataclass(slots=True, frozen=True)
class Seed:
    """One of the five seed articles the curriculum comes from, named by its title."""

    file: str
    title: str
    """The article's own (Chinese) title, as the article gives it."""
    title_en: str
    url: str | None = None


@dataclass(slots=True, frozen=True)
class Question:
    """What the student predicts before the run ("predict, then run").

    ``kind`` is ``"choice"`` (``answer`` indexes ``choices``), ``"shape"`` (``answer`` is the
    shape of the variable ``tensor`` after the run, a list of ints) or ``"line"`` (``answer``
    is the line of ``Lesson.code`` that raises, equal to ``Lesson.error_line``).
    """

    kind: QuestionKind
    prompt: str
    prompt_zh: str
    answer: int | tuple[int, ...]
    choices: tuple[str, ...] = ()
    choices_zh: tuple[str, ...] = ()
    tensor: str | None = None

    def prompt_for(self, lang: str) -> str:
        return self.prompt_zh if is_chinese(lang) else self.prompt

    def choices_for(self, lang: str) -> tuple[str, ...]:
        return self.choices_zh if is_chinese(lang) else self.choices

    def is_right(self, prediction: object) -> bool:
        """Whether a student's prediction (a choice index, a shape list, a line) is the answer."""
        if self.kind == "shape":
            return isinstance(prediction, list | tuple) and tuple(prediction) == self.answer
        return prediction == self.answer and not isinstance(prediction, bool)

    def to_json(self) -> dict[str, object]:
        answer = list(self.answer) if isinstance(self.answer, tuple) else self.answer
        return {
            "kind": self.kind, "prompt": self.prompt, "prompt_zh": self.prompt_zh,
            "choices": list(self.choices), "choices_zh": list(self.choices_zh),
            "tensor": self.tensor, "answer": answer,
        }  # fmt: skip


@dataclass(slots=True, frozen=True)
class Lesson:
    """One lesson. Every field below is what the page and ``GET /api/v1/lessons/{id}`` show."""

    id: str
    title: str
    title_zh: str
    topic: str
    order: int
    """Position inside its topic (sparse: 10, 20, ...); the course order is `library()`'s."""
    notice: str
    """What to notice, shown after the run when the lesson has a question."""
    notice_zh: str
    expect: str
    """``"ok"``, or the name of the exception the snippet raises (``"RuntimeError"``)."""
    error_line: int | None
    """1-based line of ``code`` (and of ``code_zh``) where the declared exception is raised."""
    code: str
    """The code a student sees and runs: exactly the lesson's ``.py`` file."""
    code_zh: str
    """The same code with its comments and printed labels in Chinese (same lines, same tokens)."""
    path: str
    source: str | None
    """The seed article's file name, or None for a lesson whose content is in no seed."""
    source_title: str
    """The seed's title (its own Chinese title), or "Not from the articles"."""
    source_title_en: str
    passage: str | None
    """The passage of the seed the lesson comes from, quoted as the seed has it."""
    also: tuple[tuple[str, str], ...] = ()
    """Other seeds the lesson draws on (or corrects): (seed file, passage) pairs."""
    question: Question | None = None
    needs: tuple[str, ...] = ()
    """Concepts (course.toml) the lesson uses that earlier lessons teach."""
    teaches: tuple[str, ...] = ()
    formerly: tuple[str, ...] = ()
    """Ids this lesson had before (a merge or a move): they still find it."""
    prerequisites: tuple[str, ...] = field(default=())
    """Ids of the earlier lessons that teach what ``needs`` names, in course order."""
    has_recap: bool = False
    """Whether the lesson's topic has a recap (``GET /api/v1/recaps/{topic}``)."""

    @property
    def expects_error(self) -> bool:
        return self.expect != "ok"

    @property
    def from_the_articles(self) -> bool:
        return self.source is not None

    def title_for(self, lang: str) -> str:
        return self.title_zh if is_chinese(lang) else self.title

    def notice_for(self, lang: str) -> str:
        return self.notice_zh if is_chinese(lang) else self.notice

    def code_for(self, lang: str) -> str:
        return self.code_zh if is_chinese(lang) else self.code

    def source_title_for(self, lang: str) -> str:
        """The seed's title: its own Chinese one in zh, an English rendering in en."""
        return self.source_title if is_chinese(lang) else self.source_title_en

    def to_json(self, *, with_code: bool) -> dict[str, object]:
        """The lesson as the API lists it (`code` and `code_zh` only for a single lesson)."""
        fields = {
            "id": self.id, "title": self.title, "title_zh": self.title_zh, "topic": self.topic,
            "source": self.source, "source_title": self.source_title,
            "source_title_en": self.source_title_en, "passage": self.passage,
            "also": [{"source": seed, "passage": passage} for seed, passage in self.also],
            "notice": self.notice, "notice_zh": self.notice_zh,
            "expect": self.expect, "error_line": self.error_line, "order": self.order,
            "question": self.question.to_json() if self.question else None,
            "needs": list(self.needs), "teaches": list(self.teaches),
            "prerequisites": list(self.prerequisites), "formerly": list(self.formerly),
            "recap": f"/api/v1/recaps/{self.topic}" if self.has_recap else None,
        }  # fmt: skip
        return {**fields, "code": self.code, "code_zh": self.code_zh} if with_code else fields
