"""The fork-server's bookkeeping: its slots, the workers it hands out, the runs it ends.

`Supervisor` is driven by the fork-server's loop (forkserver.py): it opens slots and keeps
their number, hands each walled-in worker to the server's pool, starts a run's clock when
the server says which worker took it, lowers and kills runs on time, and reports every
run's end (`RunEnded`) exactly once, whether its worker ended, its slot died, or it was
handed out and never used.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import itertools
import os
import selectors
import shutil
import signal
import socket
import tempfile
import time
from dataclasses import dataclass

from app.sandbox import cgroups
from app.sandbox.limits import (
    CPU_WEIGHT_BETWEEN_RUNS,
    CPU_WEIGHT_LOW,
    CPU_WEIGHT_NORMAL,
    FAILED_OPENS_BEFORE_BACKOFF,
    FIRST_UID,
    KEEPER_ANSWER_S,
    KILL_GRACE_S,
    LOW_PRIORITY_AFTER_S,
    REPORT_GRACE_S,
    ROOTLESS_UID,
    SLOT_RETRY_MAX_S,
    UID_COUNT,
)
from app.sandbox.protocol import (
    CancelRun,
    IdleWorker,
    KeeperStarted,
    Message,
    ProtocolError,
    ReportReceived,
    RunEnded,
    StartRun,
    StartWorker,
    WorkerEnded,
    WorkerReady,
    close_fds,
    receive,
    send,
)
from app.sandbox.slot import Mode, SandboxConfig, SlotPlace, open_slot

EARLY_ENDINGS_KEPT = 64
"""Endings of handed-out workers whose StartRun has not come (yet): bounded, since the server
lets idle workers go on a restart."""


@dataclass(slots=True)
class Slot:
    """One sandbox slot (see slot.py) as the fork-server tracks it."""

    opener: int
    channel: socket.socket
    place: SlotPlace
    group: cgroups.SlotGroup | None
    keeper: int | None = None
    token: int | None = None
    """Its worker's token while the server holds it as idle, or runs it."""
    run_id: int | None = None
    started: float = 0.0
    lowered: bool = False
    deadline: float | None = None
    reported: bool = False
    timed_out: bool = False
    cancelled: bool = False
    memory_killed: bool = False
    killed_at: float | None = None

    def begin(self, run_id: int, timeout_s: float) -> None:
        self.run_id, self.started = run_id, time.monotonic()
        self.deadline = self.started + timeout_s + KILL_GRACE_S
        self.lowered = self.reported = self.timed_out = self.cancelled = False
        self.memory_killed = False
        self.killed_at = None


class Supervisor:
    """Hands walled-in workers to the server, ends runs on time, replaces slots that die."""

    def __init__(
        self,
        config: SandboxConfig,
        slot_count: int,
        events: socket.socket,
        groups: cgroups.Cgroups | None,
    ) -> None:
        self.config = config
        self.slot_count = slot_count
        self.events = events
        self.groups = groups
        self.scratch = tempfile.mkdtemp(prefix="tensor-playground-")
        os.chmod(self.scratch, 0o711)
        self.free_uids = collections.deque(range(FIRST_UID, FIRST_UID + UID_COUNT))
        self.names = itertools.count()
        self.slots: dict[int, Slot] = {}  # by opener pid
        self.failed_opens = 0
        self.retry_at = 0.0
        self.tokens = itertools.count(1)
        self.early: collections.OrderedDict[int, tuple[WorkerEnded, list[int]]] = (
            collections.OrderedDict()
        )
        self.selector = selectors.DefaultSelector()

    def open(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        name = f"slot-{next(self.names)}"
        uid = self.free_uids.popleft() if self.config.mode is not Mode.ROOTLESS else ROOTLESS_UID
        mount_point = os.path.join(self.scratch, name)
        os.mkdir(mount_point, 0o755)
        group = self.groups.make_slot(name) if self.groups is not None else None
        procs = tuple(group.open_procs()) if group is not None else ()
        plan = self.config.root_plan
        home = mount_point if plan is None else plan.home
        place = SlotPlace(uid, mount_point, procs, home)
        try:
            opener = open_slot(theirs, place, self.config)
        finally:
            theirs.close()
            close_fds(procs)
        slot = Slot(opener, ours, place, group)
        self.slots[opener] = slot
        self.selector.register(ours, selectors.EVENT_READ, slot)
        if group is not None and group.oom_event is not None:
            self.selector.register(group.oom_event, selectors.EVENT_READ, ("oom", slot))

    def refill(self) -> None:
        """Keep `slot_count` slots; after slots keep dying before they were ever ready,
        retry with a growing delay instead of forking in a loop."""
        if time.monotonic() < self.retry_at:
            return
        while len(self.slots) < self.slot_count:
            self.open()

    def on_control(self, message: Message, fds: list[int]) -> None:
        close_fds(fds)  # no control message carries fds
        if isinstance(message, StartRun):
            self.start_run(message)
        elif isinstance(message, ReportReceived):
            slot = self._running(message.id)
            if slot is not None and slot.deadline is not None:
                slot.reported = True
                slot.deadline = min(slot.deadline, time.monotonic() + REPORT_GRACE_S)
                self._weigh(slot, CPU_WEIGHT_BETWEEN_RUNS)  # what is left is its exit
        elif isinstance(message, CancelRun):
            self.cancel(message.id)

    def start_run(self, message: StartRun) -> None:
        """The server gave run `id` to the worker it had as `worker`: start its clock. The
        worker may even have ended already (the two messages race): answer at once."""
        early = self.early.pop(message.worker, None)
        if early is not None:
            ended, fds = early
            self._send_ended(message.id, ended, fds)
            return
        slot = next((s for s in self.slots.values() if s.token == message.worker), None)
        if slot is None or slot.run_id is not None:
            self.send(RunEnded(id=message.id, exit_code=None, signal=None, slot_lost=True))
            return
        slot.begin(message.id, message.timeout_s)

    def cancel(self, run_id: int) -> None:
        slot = self._running(run_id)
        if slot is not None and slot.killed_at is None:
            slot.cancelled = True
            self._kill(slot)

    def hand_out(self, slot: Slot) -> None:
        """The slot's worker is walled in: one end of a new data socket to it, the other to
        the server's pool of idle workers."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self._weigh(slot, CPU_WEIGHT_NORMAL)  # its run starts at full weight, with no wait
        try:
            send(slot.channel, StartWorker(), (theirs.fileno(),))
            slot.token = next(self.tokens)
            self.send(IdleWorker(worker=slot.token), (ours.fileno(),))
        except OSError:
            self._close_slot(slot)
        finally:
            ours.close()
            theirs.close()

    def on_slot_message(self, slot: Slot) -> None:
        try:
            message, fds = receive(slot.channel)
        except (OSError, ProtocolError):
            message, fds = None, []
        if message is None:
            self._close_slot(slot)
            return
        if isinstance(message, KeeperStarted):
            slot.keeper = message.pid
        elif isinstance(message, WorkerReady):
            self.failed_opens = 0
            self.hand_out(slot)
        elif isinstance(message, WorkerEnded):
            self._run_ended(slot, message, fds)
            return
        close_fds(fds)

    def on_oom(self, slot: Slot) -> None:
        """The kernel killed a process of the slot for memory: end the whole run."""
        if slot.group is not None and slot.group.take_oom_event() and slot.run_id is not None:
            slot.memory_killed = True
            if slot.killed_at is None:
                self._kill(slot)

    def _run_ended(self, slot: Slot, message: WorkerEnded, fds: list[int]) -> None:
        if slot.group is not None:
            if slot.group.memory_killed():
                message = dataclasses.replace(message, memory_killed=True)
            slot.group.reset_peak()
        self._weigh(slot, CPU_WEIGHT_BETWEEN_RUNS)
        if slot.memory_killed:
            message = dataclasses.replace(message, memory_killed=True)
        if slot.run_id is not None:
            self._send_ended(slot.run_id, message, fds, slot)
        elif slot.token is not None:  # its StartRun is still on its way, or never comes
            self._keep_early(slot.token, message, fds)
        else:
            close_fds(fds)
        slot.run_id = slot.deadline = slot.killed_at = slot.token = None

    def _send_ended(
        self, run_id: int, message: WorkerEnded, fds: list[int], slot: Slot | None = None
    ) -> None:
        try:
            self.send(
                RunEnded(
                    id=run_id,
                    exit_code=message.exit_code,
                    signal=message.signal,
                    timed_out=bool(slot and slot.timed_out),
                    cancelled=bool(slot and slot.cancelled),
                    memory_killed=message.memory_killed,
                ),
                fds,
            )
        finally:
            close_fds(fds)

    def _keep_early(self, token: int, message: WorkerEnded, fds: list[int]) -> None:
        self.early[token] = (message, fds)
        while len(self.early) > EARLY_ENDINGS_KEPT:  # idle workers the server let go
            _, (_, old) = self.early.popitem(last=False)
            close_fds(old)

    def enforce_deadlines(self) -> None:
        now = time.monotonic()
        for slot in list(self.slots.values()):
            if slot.run_id is None or slot.deadline is None:
                continue
            if not slot.lowered and now >= slot.started + LOW_PRIORITY_AFTER_S:
                slot.lowered = True
                self._weigh(slot, CPU_WEIGHT_LOW)
                if slot.keeper is not None:
                    _signal(slot.keeper, signal.SIGUSR2)
            if slot.killed_at is None and now >= slot.deadline:
                slot.timed_out = not slot.reported
                self._kill(slot)
            elif slot.killed_at is not None and now >= slot.killed_at + KEEPER_ANSWER_S:
                self._close_slot(slot)  # the keeper did not answer: drop the whole slot

    def _weigh(self, slot: Slot, weight: int) -> None:
        """A slot's CPU weight within the runs' subtree (limits.py): normal from a ready
        worker to its report, low from then until the next worker is ready, lowest for a
        run past its first moment."""
        if slot.group is not None:
            with contextlib.suppress(OSError):
                slot.group.set_cpu_weight(weight)

    def _kill(self, slot: Slot) -> None:
        slot.killed_at = time.monotonic()
        if slot.keeper is not None:
            _signal(slot.keeper, signal.SIGUSR1)  # the keeper kills its namespace

    def next_wakeup(self) -> float | None:
        times: list[float] = []
        for s in self.slots.values():
            if s.run_id is None:
                continue
            if s.killed_at is not None:
                times.append(s.killed_at + KEEPER_ANSWER_S)
            elif s.deadline is not None:
                times.append(s.deadline)
            if not s.lowered:
                times.append(s.started + LOW_PRIORITY_AFTER_S)
        if len(self.slots) < self.slot_count and self.retry_at:
            times.append(self.retry_at)
        return max(0.0, min(times) - time.monotonic()) if times else None

    def reap(self) -> None:
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            slot = self.slots.get(pid)
            if slot is not None:
                self._close_slot(slot)

    def _running(self, run_id: int) -> Slot | None:
        return next((s for s in self.slots.values() if s.run_id == run_id), None)

    def _close_slot(self, slot: Slot) -> None:
        """Forget a slot (its processes die with the opener), reporting any run it held."""
        if self.slots.pop(slot.opener, None) is None:
            return
        if slot.keeper is None or (slot.token is None and slot.run_id is None):
            self.failed_opens += 1
            if self.failed_opens >= FAILED_OPENS_BEFORE_BACKOFF:
                delay = min(SLOT_RETRY_MAX_S, 0.1 * 2**self.failed_opens)
                self.retry_at = time.monotonic() + delay
        _signal(slot.opener, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(slot.opener, 0)  # its namespace is gone once its pid 1 is
        self.selector.unregister(slot.channel)
        if slot.group is not None and slot.group.oom_event is not None:
            self.selector.unregister(slot.group.oom_event)
        slot.channel.close()
        if slot.run_id is not None:
            memory_killed = slot.memory_killed or bool(slot.group and slot.group.memory_killed())
            self.send(
                RunEnded(
                    id=slot.run_id, exit_code=None, signal=signal.SIGKILL,
                    timed_out=slot.timed_out, cancelled=slot.cancelled,
                    memory_killed=memory_killed, slot_lost=True,
                )
            )  # fmt: skip
        if slot.group is not None and self.groups is not None:
            self.groups.drop_slot(slot.group)
        shutil.rmtree(slot.place.mount_point, ignore_errors=True)
        if self.config.mode is Mode.ROOT:
            self.free_uids.append(slot.place.uid)

    def send(self, message: Message, fds: list[int] | tuple[int, ...] = ()) -> None:
        send(self.events, message, fds)

    def shutdown(self) -> None:
        for slot in list(self.slots.values()):
            _signal(slot.opener, signal.SIGKILL)
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            try:
                if os.waitpid(-1, os.WNOHANG)[0] == 0:
                    time.sleep(0.01)
            except ChildProcessError:
                break
        if self.groups is not None:
            self.groups.remove()
        shutil.rmtree(self.scratch, ignore_errors=True)


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)
