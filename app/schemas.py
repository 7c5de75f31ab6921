"""Pydantic models of ../shared/API.md: the request, and the report the sandbox sends back.

The report models double as the parent's validation of the child's JSON: a child runs
untrusted code and may write anything into its pipe, so nothing reaches a client unless it
fits these models. Fields beyond the contract are additions, never renames.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, model_validator

JSON = Any
Int64 = Annotated[int, Field(ge=-(2**63), le=2**64 - 1)]
"""Every integer of a report: what a tensor's shape, stride, count or value can be (up to
uint64); a bigger number is a forged report, and would cost a page a 4,000-digit string."""


class RunRequest(BaseModel):
    """Body of `POST /api/v1/run`."""

    model_config = ConfigDict(extra="ignore")

    code: StrictStr = Field(description="The snippet, UTF-8 Python source.")
    timeout_s: float | None = Field(
        None, gt=0, description="Wall-clock limit; clamped to the server's maximum."
    )
    seed: StrictInt | None = Field(
        0, ge=0, lt=2**32, description="Seed for torch, numpy and random; null: fresh entropy."
    )
    trace: StrictBool = Field(True, description="Record `steps`, the line-by-line trace.")
    lang: Literal["en", "zh"] = Field("en", description="Language of explanations.")


class _Report(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Stats(_Report):
    min: float | None
    max: float | None
    mean: float | None
    nan: Int64
    inf: Int64


class GradInfo(_Report):
    shape: list[Int64]
    layout: str | None = None
    dtype: str
    device: str
    stride: list[Int64] | None
    storage_offset: Int64 | None
    is_contiguous: bool
    requires_grad: bool
    is_leaf: bool
    grad_fn: str | None
    numel: Int64
    values: JSON = None
    values_truncated: bool = False
    stats: Stats | None = None


class TensorInfo(GradInfo):
    name: str
    shares_storage_with: list[str]
    grad: GradInfo | None


class ParameterInfo(GradInfo):
    """A module's parameter or buffer, named by its qualified name (`model.0.weight`)."""

    name: str
    grad: GradInfo | None = None


class ModuleInfo(_Report):
    name: str
    type: str
    training: bool
    parameters: list[ParameterInfo]
    buffers: list[ParameterInfo]


class SavedTensor(_Report):
    name: str
    shape: list[Int64]
    dtype: str


class Node(_Report):
    id: str
    kind: Literal["op", "leaf", "tensor"]
    label: str
    name: str | None
    saved: list[SavedTensor] = []
    shape: list[Int64] | None = None


class Edge(_Report):
    source: str
    target: str


class Graph(_Report):
    nodes: list[Node] = []
    edges: list[Edge] = []
    truncated: bool = False
    dot: str = ""


class Figure(_Report):
    format: Literal["png"]
    data: str


class TensorLite(_Report):
    name: str
    event: str | None = None
    in_place: bool | None = None
    shape: list[Int64] | None = None
    dtype: str | None = None
    stride: list[Int64] | None = None
    is_contiguous: bool | None = None
    requires_grad: bool | None = None
    grad_fn: str | None = None
    grad_shape: list[Int64] | None = None
    values: JSON = None
    grad_values: JSON = None


class Step(_Report):
    line: Int64
    changed: list[TensorLite]
    frame: str | None = None
    """The snippet's function this line ran in (`"train"`); null at the top level."""
    call: Int64 | None = None
    """Which call of that function: steps of one call share it (null at the top level)."""
    skipped: Int64 = 0
    """Executions of lines before this one that were not recorded (a line past its cap):
    their changes are folded into this step."""


class RunWarning(_Report):
    kind: str
    line: Int64 | None
    message: str
    message_zh: str | None = None
    names: list[str] = []


class ModuleCall(_Report):
    """One `nn.Module` call of the run (`module_calls` of API.md), in call order."""

    module: str | None
    type: str
    depth: Int64 = Field(ge=0)
    line: Int64 | None
    input_shapes: list[list[Int64]]
    output_shapes: list[list[Int64]] | None
    failed: bool
    parameters: Int64 = Field(0, ge=0, description="Elements in the module's parameters.")


class FixEdit(_Report):
    """A concrete edit of the snippet that an explanation's fix stands for: one line
    replaced, or lines inserted before one. The server applies it to the code it was sent,
    never code from the run."""

    line: Int64 = Field(ge=1)
    kind: Literal["replace", "insert_before"]
    text: str = Field(max_length=2000)


class ShapeAfterFix(_Report):
    name: str
    shape: list[Int64]
    dtype: str


class FixCheck(_Report):
    """`explanation.fix_check` of API.md: the snippet with the edit, run again."""

    code: str
    ran: bool
    error_type: str | None
    error_message: str | None = None
    shapes: list[ShapeAfterFix] = Field(
        [], description="Tensors the edit created or reshaped, as the re-run left them."
    )
    layer: ModuleCall | None = Field(
        None, description="The call of the layer that failed before, in the re-run."
    )


class Explanation(_Report):
    id: str | None = None
    title: str
    why: str
    fix: str
    lesson: str | None = None
    cause: str | None = Field(
        None, description="Which of the entry's causes the run's facts pointed to."
    )
    candidates: list[str] = Field(
        [], description="The causes left open when the run's facts did not decide."
    )
    edit: FixEdit | None = None
    fix_check: FixCheck | None = None

    @model_validator(mode="before")
    @classmethod
    def _fix_check_is_the_servers(cls, data: Any) -> Any:
        """A run's report may claim its fix ran; only the server's own re-run may say so."""
        if isinstance(data, dict) and "fix_check" in data:
            return {k: v for k, v in data.items() if k != "fix_check"}
        return data


class ErrorInfo(_Report):
    type: str
    message: str
    line: Int64 | None
    traceback: str
    explanation: Explanation | None = None
    operands: list[dict[str, JSON]] = []


class RunResponse(_Report):
    """The run report of API.md."""

    ok: bool
    stdout: str
    stderr: str
    truncated: bool
    duration_ms: float
    tensors: list[TensorInfo]
    modules: list[ModuleInfo]
    module_calls: list[ModuleCall] = []
    module_calls_truncated: bool = False
    graph: Graph
    figures: list[Figure]
    steps: list[Step]
    steps_truncated: bool = False
    warnings: list[RunWarning]
    error: ErrorInfo | None
    figures_dropped: Int64 = 0
    wall_ms: float | None = None
    inspection_problems: list[str] = []
    timings: dict[str, float] = Field(
        {},
        description="Milliseconds per stage of the run (handoff, exec, inspect, encode, "
        "transfer, check, ...), as the Server-Timing header gives them.",
    )
    grade: JSON = Field(None, exclude=True)
    """A graded run's captured values (app/sandbox/grade.py): the run's word, validated and
    compared by the classroom (app/classroom/values.py), never passed on."""
    stages: dict[str, float] | None = Field(None, exclude=True)
    """The worker's stage marks (its word), read for `timings` and never passed on."""
    outcome: str | None = Field(
        None,
        description="How the run ended, from a closed set (ok, error, or a limit's name); "
        "set by the server, never taken from the run.",
    )


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    executor_alive: bool
    runs_in_flight: int
    runs_queued: int
    version: str
    torch_version: str | None
    python_version: str
    isolation: dict[str, JSON]


class Problem(BaseModel):
    """The one JSON shape of every non-200 answer."""

    error: str
    detail: str | JSON
