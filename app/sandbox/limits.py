"""All limits of a run in one dataclass, and the one function that applies them in the child.

The fork-server receives a `RunLimits` at start-up (it holds nothing else from the server's
settings) and hands it to every child; the child calls `apply_rlimits` before it reads a
single byte of user code.
"""

from __future__ import annotations

import math
import resource
from dataclasses import asdict, dataclass


@dataclass(frozen=True, slots=True)
class RunLimits:
    """What one run may use. Defaults are the documented server defaults."""

    memory_bytes: int = 1024 * 1024 * 1024
    max_output_bytes: int = 64 * 1024
    max_processes: int = 32
    max_file_bytes: int = 16 * 1024 * 1024
    max_open_files: int = 256
    max_figures: int = 8
    max_figure_bytes: int = 2 * 1024 * 1024
    max_result_bytes: int = 16 * 1024 * 1024
    max_steps: int = 1000
    max_graph_nodes: int = 500

    def to_json(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, int]) -> RunLimits:
        return cls(**{k: int(v) for k, v in data.items() if k in cls.__dataclass_fields__})

    @property
    def output_flood_bytes(self) -> int:
        """Output past this stops the run with OutputLimitExceeded (past the cap it is dropped)."""
        return max(16 * self.max_output_bytes, 4 * 1024 * 1024)


def current_virtual_size() -> int:
    """Bytes of address space this process maps now (the base the memory limit sits on)."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[0])
    return pages * resource.getpagesize()


def apply_rlimits(limits: RunLimits, base_virtual_bytes: int) -> None:
    """Set every rlimit but CPU time; called in the child before it sees user code.

    Address space is limited on top of the warm parent's own footprint, because the child
    inherits all of it (torch alone maps ~0.7 GB).
    """
    memory = base_virtual_bytes + limits.memory_bytes
    for which, value in (
        (resource.RLIMIT_AS, memory),
        (resource.RLIMIT_NPROC, limits.max_processes),
        (resource.RLIMIT_FSIZE, limits.max_file_bytes),
        (resource.RLIMIT_NOFILE, limits.max_open_files),
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_MEMLOCK, 0),
        (resource.RLIMIT_MSGQUEUE, 0),
    ):
        resource.setrlimit(which, (value, value))


def apply_cpu_limit(timeout_s: float) -> None:
    """CPU seconds a little above the wall limit; hard = soft + 1 so a namespace's pid 1,
    which ignores the soft limit's SIGXCPU, is still killed by the hard limit's SIGKILL."""
    soft = math.ceil(timeout_s) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (soft, soft + 1))
