"""The fork-server's CPU weights, slot by slot, through a run's life: full weight from a
ready worker to its report, low weight for everything between two runs (the last worker's
exit, the next one's fork and walls), lowest for a run past its first moment.

Real cgroups on this host (skipped where it offers none) and the real `Supervisor`, driven
by the messages the server and the keepers send it; no slot is forked.
"""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Iterator

import pytest

from app.sandbox import cgroups
from app.sandbox.limits import (
    CPU_WEIGHT_BETWEEN_RUNS,
    CPU_WEIGHT_LOW,
    CPU_WEIGHT_NORMAL,
    LOW_PRIORITY_AFTER_S,
    RunLimits,
)
from app.sandbox.protocol import ReportReceived, StartRun, WorkerEnded, receive
from app.sandbox.slot import Mode, SandboxConfig, SlotPlace
from app.sandbox.supervisor import Slot, Supervisor

LIMITS = RunLimits(memory_bytes=64 * 2**20, max_processes=8)


@pytest.fixture
def tree() -> Iterator[cgroups.Cgroups]:
    found = cgroups.probe(LIMITS, f"tp-test-{uuid.uuid4().hex[:8]}")
    if found is None or "cpu" not in found.base:
        pytest.skip("this host offers no cpu cgroup we may make")
    yield found
    found.remove()


@pytest.fixture
def supervisor(tree: cgroups.Cgroups) -> Iterator[Supervisor]:
    config = SandboxConfig(LIMITS, 0, Mode.ROOT, None, None, 0, watchdog=False)
    events, server_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    made = Supervisor(config, 2, events, tree)
    made.server_end = server_end  # type: ignore[attr-defined]
    made.keeper_ends = []  # type: ignore[attr-defined]
    yield made
    for slot in made.slots.values():
        slot.channel.close()
    for end in made.keeper_ends:  # type: ignore[attr-defined]
        end.close()
    events.close()
    server_end.close()


def add_slot(supervisor: Supervisor, tree: cgroups.Cgroups, name: str) -> Slot:
    """A slot as `Supervisor.open` records one, its keeper's end of the channel kept open."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    slot = Slot(len(supervisor.slots) + 1, ours, SlotPlace(0, "/", (), "/"), tree.make_slot(name))
    supervisor.keeper_ends.append(theirs)  # type: ignore[attr-defined]
    supervisor.slots[slot.opener] = slot
    return slot


def weight(group: cgroups.SlotGroup | None) -> int:
    """The weight the kernel holds, in v2 terms."""
    assert group is not None
    cpu = group.dirs["cpu"]
    if (cpu / "cpu.weight").exists():
        return int((cpu / "cpu.weight").read_text())
    return max(1, round(int((cpu / "cpu.shares").read_text()) * 100 / 1024))


def hand_out(supervisor: Supervisor, slot: Slot) -> int:
    """The slot's worker says it is ready; the token the server would start it with."""
    supervisor.hand_out(slot)
    _, fds = receive(supervisor.server_end)  # type: ignore[attr-defined]
    for fd in fds:
        socket.socket(fileno=fd).close()
    assert slot.token is not None
    return slot.token


def test_a_new_slot_weighs_little_until_its_worker_is_ready(supervisor, tree) -> None:
    slot = add_slot(supervisor, tree, "new")
    assert weight(slot.group) == CPU_WEIGHT_BETWEEN_RUNS
    hand_out(supervisor, slot)
    assert weight(slot.group) == CPU_WEIGHT_NORMAL


def test_a_run_weighs_normal_until_its_report_then_little(supervisor, tree) -> None:
    slot = add_slot(supervisor, tree, "run")
    token = hand_out(supervisor, slot)
    supervisor.on_control(StartRun(id=7, worker=token, timeout_s=5), [])
    assert weight(slot.group) == CPU_WEIGHT_NORMAL
    supervisor.on_control(ReportReceived(id=7), [])
    assert weight(slot.group) == CPU_WEIGHT_BETWEEN_RUNS  # its exit and the next fork


def test_a_long_run_weighs_least_and_its_slot_little_once_it_ends(supervisor, tree) -> None:
    slot = add_slot(supervisor, tree, "long")
    token = hand_out(supervisor, slot)
    supervisor.on_control(StartRun(id=8, worker=token, timeout_s=5), [])
    slot.started = time.monotonic() - LOW_PRIORITY_AFTER_S - 0.01
    supervisor.enforce_deadlines()
    assert weight(slot.group) == CPU_WEIGHT_LOW
    supervisor._run_ended(slot, WorkerEnded(exit_code=0, signal=None), [])
    assert weight(slot.group) == CPU_WEIGHT_BETWEEN_RUNS
    hand_out(supervisor, slot)
    assert weight(slot.group) == CPU_WEIGHT_NORMAL
