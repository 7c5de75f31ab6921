"""An exercise made from a lesson in one click: the lesson's code is the reference, what its
run shows becomes the checks.

A lesson that runs gives `no_error`, the shape and dtype of the tensors it makes (the last
few), and an `equal` check on the last one, so the values count too; a lesson that raises
gives `raises` with its exception. The prompt is the lesson's "what to notice" (and its
question, when it has one), in both languages; the starter is the lesson's code, for the
student to take apart. A teacher who wants another task edits the form it fills.
"""

from __future__ import annotations

from app.classroom.models import ExerciseIn
from app.lessons import Lesson
from app.schemas import RunResponse

MAX_TENSOR_CHECKS = 3


def exercise_from_lesson(lesson: Lesson, report: RunResponse) -> ExerciseIn:
    """The exercise for `lesson`, given the report of its code's run."""
    if lesson.expects_error:
        checks: list[dict] = [{"kind": "raises", "type": lesson.expect}]
        task = (
            f"Run it and read the error: the check passes when your code raises "
            f"{lesson.expect} as the lesson shows."
        )
        task_zh = f"运行并读懂错误：当代码像本课一样抛出 {lesson.expect} 时检查通过。"
    else:
        tensors = [t for t in report.tensors if not t.name.startswith("_")][-MAX_TENSOR_CHECKS:]
        checks = [{"kind": "no_error"}]
        checks += [
            {"kind": "tensor", "name": t.name, "shape": t.shape, "dtype": t.dtype} for t in tensors
        ]
        if tensors and tensors[-1].numel <= 4096:
            checks.append({"kind": "equal", "name": tensors[-1].name})
        names = ", ".join(f"`{t.name}`" for t in tensors) or "the tensors"
        task = f"Make {names} as the lesson does, with the shapes, dtypes and values it shows."
        task_zh = f"像本课一样得到 {names}，形状、dtype 和数值都与本课一致。"
    prompt = _prompt(lesson.notice, lesson.question.prompt if lesson.question else None, task)
    prompt_zh = _prompt(
        lesson.notice_zh, lesson.question.prompt_zh if lesson.question else None, task_zh
    )
    return ExerciseIn.model_validate(
        {
            "title": lesson.title,
            "title_zh": lesson.title_zh,
            "prompt": prompt,
            "prompt_zh": prompt_zh,
            "starter": lesson.code,
            "reference": lesson.code,
            "checks": checks,
            "lesson_id": lesson.id,
        }
    )


def _prompt(notice: str, question: str | None, task: str) -> str:
    parts = [notice.strip()]
    if question:
        parts.append(f"*{question.strip()}*")
    parts.append(f"**{task}**")
    return "\n\n".join(parts)
