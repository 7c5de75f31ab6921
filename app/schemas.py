"""Pydantic models of ../shared/API.md: the request, and the report the sandbox sends back.

The report models double as the parent's validation of the child's JSON: a child runs
untrusted code and may write anything into its pipe, so nothing reaches a client unless it
fits these models. Fields beyond the contract are additions, never renames.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

JSON = Any


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
    nan: int
    inf: int


class GradInfo(_Report):
    shape: list[int]
    layout: str | None = None
    dtype: str
    device: str
    stride: list[int] | None
    storage_offset: int | None
    is_contiguous: bool
    requires_grad: bool
    is_leaf: bool
    grad_fn: str | None
    numel: int
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
    shape: list[int]
    dtype: str


class Node(_Report):
    id: str
    kind: Literal["op", "leaf", "tensor"]
    label: str
    name: str | None
    saved: list[SavedTensor] = []


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
    shape: list[int] | None = None
    dtype: str | None = None
    stride: list[int] | None = None
    is_contiguous: bool | None = None
    requires_grad: bool | None = None
    grad_fn: str | None = None
    grad_shape: list[int] | None = None
    values: JSON = None
    grad_values: JSON = None


class Step(_Report):
    line: int
    changed: list[TensorLite]


class RunWarning(_Report):
    kind: str
    line: int | None
    message: str
    message_zh: str | None = None
    names: list[str] = []


class Explanation(_Report):
    id: str | None = None
    title: str
    why: str
    fix: str
    lesson: str | None = None


class ErrorInfo(_Report):
    type: str
    message: str
    line: int | None
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
    graph: Graph
    figures: list[Figure]
    steps: list[Step]
    steps_truncated: bool = False
    warnings: list[RunWarning]
    error: ErrorInfo | None
    figures_dropped: int = 0
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
