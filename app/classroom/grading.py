"""Grading a submission: its report and values against the checks and the reference's values.

Pure (no I/O): `draw` picks the seeds of one grading, `grade_spec` asks a run for what the
checks compare, `read_run` reads a run's answer as hostile data, and `grade` decides each
check. `no_error`, `raises` and `tensor` read the submission's report (which it could forge:
API.md says so); `equal` and `function` compare the values of two runs made with the same
seeds, the submission's and the reference's, here in the server, so a submission that does
not compute them cannot pass.

Seeds come from a pool per exercise (`SEED_POOL`): each grading draws one of the pool's
indices, and the seeds for that index are an HMAC of the exercise's secret key, which never
leaves the server. The reference's values per (exercise, index) can so be cached, at most
`SEED_POOL` reference runs per exercise.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from app.classroom.models import (
    EqualCheck,
    FunctionCheck,
    NoErrorCheck,
    RaisesCheck,
    TensorCheck,
    check_json,
)
from app.classroom.values import Graded, ValueProblem, compare, decode_grade
from app.classroom.wording import both, fact_value, mismatch_text, say
from app.schemas import GradInfo, RunResponse, TensorInfo

SEED_POOL = 32
"""Seed draws per exercise: a submission runs under one of them, chosen at random."""


@dataclass(frozen=True, slots=True)
class Draw:
    """The seeds of one grading: the run's own, and each function check's trials."""

    index: int
    seed: int
    trial_seeds: tuple[tuple[int, ...], ...]


def derive_seed(key: bytes, *parts: object) -> int:
    label = ":".join(str(part) for part in parts).encode()
    return int.from_bytes(hmac.new(key, label, hashlib.sha256).digest()[:4], "big")


def draw(key: bytes, index: int, checks: list[BaseModel]) -> Draw:
    calls = [c for c in checks if isinstance(c, FunctionCheck)]
    return Draw(
        index=index,
        seed=derive_seed(key, index, "run"),
        trial_seeds=tuple(
            tuple(derive_seed(key, index, "call", n, trial) for trial in range(call.trials))
            for n, call in enumerate(calls)
        ),
    )


def captured_names(checks: list[BaseModel]) -> list[str]:
    return list(dict.fromkeys(c.name for c in checks if isinstance(c, EqualCheck)))


def grade_spec(checks: list[BaseModel], seeds: Draw) -> dict[str, Any] | None:
    """What a run must return for these checks (None when they compare no values)."""
    names = captured_names(checks)
    calls = [c for c in checks if isinstance(c, FunctionCheck)]
    if not names and not calls:
        return None
    return {
        "capture": names,
        "calls": [
            {"name": call.name, "args": call.args, "seeds": list(trials)}
            for call, trials in zip(calls, seeds.trial_seeds, strict=True)
        ],
    }


@dataclass(slots=True)
class RunValues:
    """A run's report and, when it was asked for values, what it sent (or why none)."""

    report: RunResponse
    graded: Graded | None
    problem: str | None = None


def read_run(report: RunResponse, checks: list[BaseModel], seeds: Draw) -> RunValues:
    """The run's grade section decoded and validated; a section that cannot be true leaves
    `graded` None with the problem named (its value checks then fail)."""
    spec = grade_spec(checks, seeds)
    if spec is None or report.error is not None or report.grade is None:
        return RunValues(report, None)
    try:
        graded = decode_grade(
            report.grade, spec["capture"], [len(call["seeds"]) for call in spec["calls"]]
        )
    except ValueProblem as problem:
        return RunValues(report, None, str(problem))
    return RunValues(report, graded)


@dataclass(frozen=True, slots=True)
class CheckResult:
    check: dict[str, Any]
    passed: bool
    details: dict[str, str]

    def to_json(self, lang: str) -> dict[str, Any]:
        return {
            "check": self.check,
            "passed": self.passed,
            "detail": self.details[lang],
            "details": self.details,
        }


def grade(
    checks: list[BaseModel], submission: RunValues, reference: Graded | None
) -> list[CheckResult]:
    """Each check's verdict. `reference` holds the reference's values under the same draw
    (only `equal` and `function` read them; None when the reference gave none)."""
    results = []
    calls = 0
    for check in checks:
        if isinstance(check, NoErrorCheck):
            passed, details = _no_error(submission.report)
        elif isinstance(check, RaisesCheck):
            passed, details = _raises(check, submission.report)
        elif isinstance(check, TensorCheck):
            passed, details = _tensor(check, submission.report)
        elif isinstance(check, EqualCheck):
            passed, details = _equal(check, submission, reference)
        else:
            assert isinstance(check, FunctionCheck)
            passed, details = _function(check, calls, submission, reference)
            calls += 1
        results.append(CheckResult(check_json(check), passed, details))
    return results


def _no_error(report: RunResponse) -> tuple[bool, dict[str, str]]:
    if report.error is None:
        return True, both("ran")
    return False, _raised(report)


def _raised(report: RunResponse) -> dict[str, str]:
    error = report.error
    assert error is not None
    return {
        lang: say(
            "raised",
            lang,
            type=error.type,
            message=_first_line(error.message),
            at_line=say("at_line", lang, line=error.line) if error.line else "",
        )
        for lang in ("en", "zh")
    }


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line[:300]


def _raises(check: RaisesCheck, report: RunResponse) -> tuple[bool, dict[str, str]]:
    error = report.error
    if error is None:
        return False, both("expected_raise_none", expected=check.type)
    if error.type == check.type:
        return True, both("raised_as_expected", type=check.type)
    return False, both(
        "expected_raise_other",
        expected=check.type,
        found=error.type,
        message=_first_line(error.message),
    )


def tensor_facts(report: RunResponse, name: str) -> dict[str, Any] | None:
    """TensorInfo's facts of a top-level tensor, or of a module's parameter or buffer."""
    found: GradInfo | None = next((t for t in report.tensors if t.name == name), None)
    if found is None:
        found = next(
            (p for m in report.modules for p in (*m.parameters, *m.buffers) if p.name == name),
            None,
        )
    if found is None:
        return None
    grad = getattr(found, "grad", None)
    return {
        "shape": found.shape,
        "dtype": found.dtype,
        "is_contiguous": found.is_contiguous,
        "requires_grad": found.requires_grad,
        "is_leaf": found.is_leaf,
        "grad_shape": None if grad is None else grad.shape,
        "shares_storage_with": found.shares_storage_with if isinstance(found, TensorInfo) else [],
    }


def _tensor(check: TensorCheck, report: RunResponse) -> tuple[bool, dict[str, str]]:
    subject = f"`{check.name}`"
    facts = tensor_facts(report, check.name)
    if facts is None:
        if report.error is not None:
            return False, both("before_the_check", type=report.error.type, subject=subject)
        return False, both("not_a_tensor", subject=subject)
    for key, expected in check.facts().items():
        found = facts[key]
        if key == "shares_storage_with":
            holds = set(expected) <= set(found) if expected else not found
        else:
            holds = found == expected
        if not holds:
            return False, {
                lang: say(
                    "fact_differs",
                    lang,
                    subject=subject,
                    fact=key,
                    expected=fact_value(key, expected, lang),
                    found=fact_value(key, found, lang),
                )
                for lang in ("en", "zh")
            }
    return True, {
        lang: say(
            "facts_hold",
            lang,
            subject=subject,
            facts=", ".join(
                f"{key} {fact_value(key, value, lang)}" for key, value in check.facts().items()
            )
            or "a tensor",
        )
        for lang in ("en", "zh")
    }


def _no_values(submission: RunValues, subject: str) -> dict[str, str] | None:
    """Why there is nothing to compare, or None when there is."""
    report = submission.report
    if report.error is not None:
        return both("before_the_check", type=report.error.type, subject=subject)
    if submission.problem is not None:
        return both("unreadable", problem=submission.problem)
    if submission.graded is None:
        return both("no_values")
    return None


def _equal(
    check: EqualCheck, submission: RunValues, reference: Graded | None
) -> tuple[bool, dict[str, str]]:
    subject = f"`{check.name}`"
    missing = _no_values(submission, subject)
    if missing is not None:
        return False, missing
    assert submission.graded is not None
    expected = None if reference is None else reference.values.get(check.name)
    if expected is None:
        return False, both("reference_unusable")
    found = submission.graded.values[check.name]
    mismatch = compare(expected, found, check.atol, check.rtol)
    if mismatch is None:
        return True, both("equal_holds", subject=subject)
    names = {"en": subject, "zh": subject}
    return False, mismatch_text(mismatch, names, {"name": check.name})


def _function(
    check: FunctionCheck, index: int, submission: RunValues, reference: Graded | None
) -> tuple[bool, dict[str, str]]:
    subject = f"`{check.name}`"
    missing = _no_values(submission, subject)
    if missing is not None:
        return False, missing
    assert submission.graded is not None
    expected_trials = None if reference is None else reference.calls[index]
    if expected_trials is None:
        return False, both("reference_unusable")
    trials = submission.graded.calls[index]
    args = check.args if check.args.startswith("(") else f"({check.args})"
    for trial, (expected, found) in enumerate(zip(expected_trials, trials, strict=True), 1):
        mismatch = compare(expected, found, check.atol, check.rtol)
        if mismatch is None:
            continue
        if mismatch.key == "missing":
            return False, both("missing", subject=subject)
        if mismatch.key == "args_raised":
            return False, both("args_raised", args=f"`{check.args}`", **_quiet(mismatch.facts))
        names = {
            lang: say("call", lang, name=check.name, args=args, trial=trial, trials=len(trials))
            for lang in ("en", "zh")
        }
        return False, mismatch_text(mismatch, names, {"name": check.name})
    return True, both("function_holds", subject=subject, trials=len(trials))


def _quiet(facts: dict[str, Any]) -> dict[str, Any]:
    return {"type": facts.get("type", ""), "message": _first_line(facts.get("message", ""))}


def passed_all(results: list[CheckResult]) -> bool:
    return all(result.passed for result in results)
