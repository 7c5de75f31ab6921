"""The classroom's request bodies and checks, as pydantic models of ../shared/API.md.

Checks are validated here once, when an exercise is created, so grading never meets a check
it cannot read: names are variables (or dotted attributes), dtypes are torch's, `args` parses
as one Python expression, and the counts stay within what one graded run can return.
"""

from __future__ import annotations

import ast
import unicodedata
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictStr,
    TypeAdapter,
    field_validator,
    model_validator,
)

from app.sandbox.limits import GRADE_MAX_CALLS, GRADE_MAX_NAMES, GRADE_MAX_TRIALS

NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*(\.([A-Za-z_][A-Za-z0-9_]*|[0-9]+))*$"
"""A variable, or a dotted path into it (`model.fc.weight`, `model.0.weight`)."""
EXCEPTION_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
MAX_CHECKS = 20
MAX_ARGS_CHARS = 2000
MAX_TITLE_CHARS = 200
MAX_PROMPT_CHARS = 20_000
MAX_STUDENT_NAME = 40
DTYPES = {
    "float32": "float32",
    "float": "float32",
    "float64": "float64",
    "double": "float64",
    "float16": "float16",
    "half": "float16",
    "bfloat16": "bfloat16",
    "complex64": "complex64",
    "cfloat": "complex64",
    "complex128": "complex128",
    "cdouble": "complex128",
    "int8": "int8",
    "uint8": "uint8",
    "int16": "int16",
    "short": "int16",
    "int32": "int32",
    "int": "int32",
    "int64": "int64",
    "long": "int64",
    "bool": "bool",
    "uint16": "uint16",
    "uint32": "uint32",
    "uint64": "uint64",
}
"""torch's dtype names and aliases, each to the name `str(dtype)` gives (`torch.<name>`)."""

Name = Annotated[str, Field(pattern=NAME_PATTERN, max_length=200)]
Tolerance = Annotated[float, Field(ge=0, le=1e6)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class NoErrorCheck(_Body):
    kind: Literal["no_error"]


class RaisesCheck(_Body):
    kind: Literal["raises"]
    type: Annotated[str, Field(pattern=EXCEPTION_PATTERN, max_length=100)]


class TensorCheck(_Body):
    """Facts of a top-level tensor (or a module's parameter, `model.weight`) after the run;
    only the facts given are checked. `grad_shape: null` means "has no grad";
    `shares_storage_with: []` means "shares storage with no other variable"."""

    kind: Literal["tensor"]
    name: Name
    shape: list[Annotated[int, Field(ge=0)]] | None = Field(None, max_length=64)
    dtype: str | None = None
    is_contiguous: StrictBool | None = None
    requires_grad: StrictBool | None = None
    is_leaf: StrictBool | None = None
    grad_shape: list[Annotated[int, Field(ge=0)]] | None = Field(None, max_length=64)
    shares_storage_with: list[Name] | None = Field(None, max_length=50)

    @field_validator("dtype")
    @classmethod
    def _known_dtype(cls, value: str | None) -> str | None:
        return None if value is None else canonical_dtype(value)

    def facts(self) -> dict[str, Any]:
        """The facts this check states, by TensorInfo's names (`grad_shape` when given)."""
        given = self.model_fields_set - {"kind", "name"}
        return {key: getattr(self, key) for key in FACT_ORDER if key in given}


FACT_ORDER = (
    "shape",
    "dtype",
    "is_contiguous",
    "requires_grad",
    "is_leaf",
    "grad_shape",
    "shares_storage_with",
)


class EqualCheck(_Body):
    kind: Literal["equal"]
    name: Name
    atol: Tolerance = 1e-6
    rtol: Tolerance = 1e-5


class FunctionCheck(_Body):
    kind: Literal["function"]
    name: Name
    args: Annotated[str, Field(min_length=1, max_length=MAX_ARGS_CHARS)]
    trials: Annotated[int, Field(ge=1, le=GRADE_MAX_TRIALS)] = 3
    atol: Tolerance = 1e-6
    rtol: Tolerance = 1e-5

    @field_validator("args")
    @classmethod
    def _one_expression(cls, value: str) -> str:
        try:
            ast.parse(value, mode="eval")
        except SyntaxError as exc:
            raise ValueError(f"args must be one Python expression: {exc.msg}") from None
        return value


Check = Annotated[
    NoErrorCheck | RaisesCheck | TensorCheck | EqualCheck | FunctionCheck,
    Field(discriminator="kind"),
]
CHECKS = TypeAdapter(list[Check])


def canonical_dtype(value: str) -> str:
    name = value.removeprefix("torch.")
    if name not in DTYPES:
        raise ValueError(f"{value!r} is not a torch dtype")
    return f"torch.{DTYPES[name]}"


def check_json(check: BaseModel) -> dict[str, Any]:
    """A check as the teacher gave it (facts not given stay absent)."""
    return check.model_dump(mode="json", exclude_unset=True)


class ClassIn(_Body):
    name: Annotated[StrictStr, Field(min_length=1, max_length=100)]
    lang: Literal["en", "zh"] = "en"

    @field_validator("name")
    @classmethod
    def _visible(cls, value: str) -> str:
        return plain_text(value, "name")


class ExerciseIn(_Body):
    """Body of `POST /api/v1/classes/{class_id}/exercises`: an Exercise without `id`."""

    title: Annotated[StrictStr, Field(min_length=1, max_length=MAX_TITLE_CHARS)]
    prompt: Annotated[StrictStr, Field(max_length=MAX_PROMPT_CHARS)] = ""
    starter: StrictStr = ""
    reference: Annotated[StrictStr, Field(min_length=1)]
    checks: Annotated[list[Check], Field(min_length=1, max_length=MAX_CHECKS)]
    lesson_id: Annotated[StrictStr, Field(max_length=100)] | None = None
    title_zh: Annotated[StrictStr, Field(max_length=MAX_TITLE_CHARS)] | None = None
    prompt_zh: Annotated[StrictStr, Field(max_length=MAX_PROMPT_CHARS)] | None = None

    @field_validator("title")
    @classmethod
    def _title_visible(cls, value: str) -> str:
        return plain_text(value, "title")

    @model_validator(mode="after")
    def _one_run_returns_it_all(self) -> ExerciseIn:
        names = {c.name for c in self.checks if isinstance(c, EqualCheck)}
        calls = [c for c in self.checks if isinstance(c, FunctionCheck)]
        if len(names) > GRADE_MAX_NAMES:
            raise ValueError(f"at most {GRADE_MAX_NAMES} variables can be compared")
        if len(calls) > GRADE_MAX_CALLS:
            raise ValueError(f"at most {GRADE_MAX_CALLS} function checks per exercise")
        return self


class JoinIn(_Body):
    join_code: Annotated[StrictStr, Field(min_length=1, max_length=40)]
    name: StrictStr

    @field_validator("join_code")
    @classmethod
    def _normalised(cls, value: str) -> str:
        return value.strip().upper()

    @field_validator("name")
    @classmethod
    def _display_name(cls, value: str) -> str:
        name = plain_text(value, "name")
        if not 1 <= len(name) <= MAX_STUDENT_NAME:
            raise ValueError(f"a name has 1 to {MAX_STUDENT_NAME} characters")
        return name


class CodeIn(_Body):
    """Body of a submission and of a broadcast."""

    code: StrictStr


def plain_text(value: str, what: str) -> str:
    """A one-line name: NFC, trimmed, no control characters (they would garble the grid and
    the CSV)."""
    text = unicodedata.normalize("NFC", value).strip()
    if not text:
        raise ValueError(f"the {what} is empty")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in text):
        raise ValueError(f"the {what} contains control characters")
    return text
