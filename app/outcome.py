"""How a run ended: the one closed vocabulary that the runner, the wire protocol, the
executor, the pages and the metrics share.

A snippet's own exception is `ERROR` whatever its class (the class name is the report's
`error.type`, text a snippet controls); the sandbox's limits each have their own member,
whose value is also the `error.type` the contract names for it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class Outcome(StrEnum):
    OK = "ok"
    ERROR = "error"
    TIME_LIMIT = "TimeLimitExceeded"
    MEMORY_LIMIT = "MemoryLimitExceeded"
    OUTPUT_LIMIT = "OutputLimitExceeded"
    SANDBOX_VIOLATION = "SandboxViolation"

    @property
    def is_limit(self) -> bool:
        """A limit of the sandbox, not something the snippet raised itself."""
        return self in LIMITS

    @classmethod
    def of_error_type(cls, error_type: str | None) -> Outcome:
        """The outcome of a report whose `error.type` is `error_type` (None: no error)."""
        if error_type is None:
            return cls.OK
        try:
            outcome = cls(error_type)
        except ValueError:
            return cls.ERROR
        return outcome if outcome.is_limit else cls.ERROR

    @classmethod
    def of_report(cls, report: Any) -> Outcome:
        """The outcome of a validated `RunResponse`."""
        return cls.of_error_type(None if report.error is None else report.error.type)


LIMITS = frozenset(
    {Outcome.TIME_LIMIT, Outcome.MEMORY_LIMIT, Outcome.OUTPUT_LIMIT, Outcome.SANDBOX_VIOLATION}
)
LIMIT_ERROR_TYPES = frozenset(str(o) for o in LIMITS)
"""The `error.type` strings of the sandbox's own limits, as the contract spells them."""
