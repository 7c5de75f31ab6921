"""Every limit of a run, message size, grace and deadline, in one module.

`RunLimits` is what the settings choose (memory, output, processes, ...); everything else
here is fixed or derived from it, so two parts of the sandbox can never disagree about a
size or a time. The fork-server receives a `RunLimits` at start-up (it holds nothing else
from the server's settings) and hands it to every slot; the worker calls `apply_rlimits`
before it reads a single byte of user code.
"""

from __future__ import annotations

import math
import resource
from dataclasses import asdict, dataclass

# -- times (seconds) ---------------------------------------------------------------------------
REPORT_GRACE_S = 0.1
"""After its report arrived, a run has this long to end before its namespace is killed."""
KILL_GRACE_S = 1.0
"""Past its timeout a run has this long to send its report (the alarm fired in the snippet;
inspection is still bounded work); then the keeper kills it."""
KEEPER_ANSWER_S = 1.0
"""A keeper that has not ended a killed run by then is dropped with its whole slot."""
HARD_DEADLINE_EXTRA_S = KILL_GRACE_S + KEEPER_ANSWER_S + 8.0
"""How long past its timeout the server waits for a run at all (only a wedged fork-server
takes that long; it is then restarted)."""
LOW_PRIORITY_AFTER_S = 0.25
"""A run still going after this yields the CPU to short runs."""
WATCHDOG_INTERVAL_S = 0.025
"""How often the memory watchdog sums a slot's memory where no cgroup does it."""
START_TIMEOUT_S = 120.0
"""Longest the fork-server may take to import torch and open its slots."""
IDLE_WORKER_WAIT_S = 10.0
"""Longest a run admitted by the server waits for an idle worker (only slots that keep failing
to open make it wait at all): then it ends as 'could not start'."""
READ_AFTER_END_S = 0.25
"""A report already in the socket when the run's end is announced is still read."""
SLOT_RETRY_MAX_S = 30.0
FAILED_OPENS_BEFORE_BACKOFF = 3
"""Slots that die before they were ever ready this many times in a row are retried with a
growing delay (up to SLOT_RETRY_MAX_S), and the runs waiting for one end at once."""

# -- sizes (bytes) -----------------------------------------------------------------------------
MAX_REQUEST_BYTES = 4 * 1024 * 1024
"""A run request on the data socket (the code plus a few fields; the code is capped at 1 MiB
by the settings)."""
MAX_CONTROL_MESSAGE = 16 * 1024
"""Any control or event packet. Packets carry ids, numbers and names, never user text, so
this bound does not move with any setting."""
MAX_FDS_PER_MESSAGE = 2
ROOT_TMPFS_OPTIONS = "size=8m,nr_inodes=4096"
"""The private root's own tmpfs: directories, /etc's few files, mount points."""
DEV_TMPFS_OPTIONS = "size=64k,nr_inodes=64"
OVERSIZED_TEXT_BYTES = 4096
"""stdout/stderr kept in the report of a run whose report was over max_result_bytes."""

# -- graded runs (the classroom: app/sandbox/grade.py) -----------------------------------------
GRADE_MAX_NUMBERS = 262_144
"""Numbers a graded run returns in full, all its captured values and function results together
(a tensor counts its elements, a scalar one): the cap on what an `equal` or `function` check
can compare. A value past it comes back as too large, and its check fails saying so (~1.4 MB
of report at float32)."""
GRADE_MAX_NAMES = 16
"""Variables one graded run captures."""
GRADE_MAX_CALLS = 8
"""Functions one graded run calls, each under `GRADE_MAX_TRIALS` seeds at most."""
GRADE_MAX_TRIALS = 10
GRADE_MAX_DEPTH = 4
"""Nesting of tuples and lists in a captured value."""
GRADE_MAX_ITEMS = 1024
"""Items of one tuple or list in a captured value."""
GRADE_MAX_TEXT = 4096
"""Characters of a captured string, or of the message of an exception a call raised."""

# -- scheduling --------------------------------------------------------------------------------
LONG_RUN_NICENESS = 15
CPU_WEIGHT_NORMAL = 100
CPU_WEIGHT_LOW = 1
"""cgroup v2 `cpu.weight` (v1 `cpu.shares` = weight x 1024 / 100) of a run, before and after
`LOW_PRIORITY_AFTER_S`: a lowered run gets 1 % of a core next to a normal one."""
CPU_WEIGHT_BETWEEN_RUNS = 10
"""A slot's weight from its run's report until its next worker is ready: the last worker's
exit and the next one's fork, walls and warm-up (~15 ms of CPU) yield to the runs under
way, and still go before a lowered run."""

# -- slots -------------------------------------------------------------------------------------
FIRST_UID = 200_000
UID_COUNT = 4096
"""One uid per slot (root mode): runs cannot signal each other or share a process count."""
ROOTLESS_UID = 1000
"""The one uid a rootless slot maps (each slot has its own user namespace)."""


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
    max_values: int = 256
    max_module_tensors: int = 200
    max_module_calls: int = 2000

    def to_json(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, int]) -> RunLimits:
        return cls(**{k: int(v) for k, v in data.items() if k in cls.__dataclass_fields__})

    @property
    def output_flood_bytes(self) -> int:
        """Output past this stops the run with OutputLimitExceeded (past the cap it is dropped)."""
        return max(16 * self.max_output_bytes, 4 * 1024 * 1024)

    @property
    def scratch_bytes(self) -> int:
        """The run's tmpfs (`/tmp`, its home): room for a few files of the largest size."""
        return 4 * self.max_file_bytes

    @property
    def slot_memory_bytes(self) -> int:
        """What a slot's cgroup may hold: the run's allowance, its scratch files included."""
        return self.memory_bytes

    def hard_deadline_s(self, timeout_s: float) -> float:
        return timeout_s + HARD_DEADLINE_EXTRA_S


def current_virtual_size() -> int:
    """Bytes of address space this process maps now (the base the memory limit sits on)."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[0])
    return pages * resource.getpagesize()


def apply_rlimits(limits: RunLimits, base_virtual_bytes: int) -> None:
    """Set every rlimit but CPU time; called in the child before it sees user code.

    Address space is limited on top of the warm parent's own footprint, because the child
    inherits all of it (torch alone maps ~0.7 GB). It is a per-process bound that fails an
    allocation early and plainly; the total over a run's processes is the cgroup's (or the
    watchdog's) job.
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
