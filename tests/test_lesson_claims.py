"""Every lesson's notice, checked fact by fact against the real report of its run.

`CLAIMS` (tests/lesson_claims_*.py) maps each lesson to the facts its notice states (shapes,
dtypes, strides, grads, storage sharing, values, printed results, warnings, error messages),
each checked on the report `POST /api/v1/run` returns for the lesson's code; where a fact is a
computation, the check recomputes it with torch. A lesson without claims fails, so a new
notice cannot go unchecked.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from lesson_checks import Claim
from lesson_claims_autograd import AUTOGRAD
from lesson_claims_basics import BASICS
from lesson_claims_models import MODELS
from lesson_claims_shapes import SHAPES
from lesson_runs import BY_ID, LESSONS, Report, lesson_report

RunSnippet = Callable[..., Report]
CLAIMS: dict[str, list[Claim]] = {**BASICS, **SHAPES, **AUTOGRAD, **MODELS}

CASES = [(lesson_id, claim) for lesson_id, claims in CLAIMS.items() for claim in claims]


def test_every_lesson_has_its_notice_checked() -> None:
    assert set(CLAIMS) == {lesson.id for lesson in LESSONS}
    for lesson in LESSONS:
        assert len(CLAIMS[lesson.id]) >= 2, lesson.id


def test_every_error_lesson_checks_the_message_its_notice_explains() -> None:
    for lesson in LESSONS:
        if lesson.expects_error:
            assert any(claim.says.startswith("raises") for claim in CLAIMS[lesson.id]), lesson.id


@pytest.mark.parametrize(
    ("lesson_id", "claim"), CASES, ids=[f"{lesson_id}: {claim.says}" for lesson_id, claim in CASES]
)
def test_the_notice_s_claim_holds_on_the_real_report(
    lesson_id: str, claim: Claim, run_snippet: RunSnippet
) -> None:
    claim.check(lesson_report(run_snippet, BY_ID[lesson_id]))
