"""One cgroup per slot: the memory, process count and CPU share of a run, all its processes
together, bounded by the kernel.

Probed at start, never assumed: a cgroup v2 tree delegated to us (a systemd unit with
`Delegate=yes`), else writable cgroup v1 hierarchies (memory, pids, cpu). Where neither is
offered (a laptop's rootless `make run`, a container), `probe` returns None and the keeper's
watchdog (watchdog.py) bounds memory instead; health says which is in force.

The fork-server owns the tree: it makes a group per slot, sets its limits, and hands the
slot open `cgroup.procs` descriptors; the slot's keeper writes "0" to them (itself) and
closes them, so every worker is born in the group, and a run can neither leave its group
nor see cgroupfs.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from app.sandbox.limits import CPU_WEIGHT_BETWEEN_RUNS, CPU_WEIGHT_NORMAL, RunLimits

CONTROLLERS = ("memory", "pids", "cpu")


@dataclass(slots=True)
class SlotGroup:
    """A slot's cgroup(s): one directory (v2) or one per controller (v1)."""

    version: int
    dirs: dict[str, Path]
    oom_kills: int = 0
    cpu_weight: int = 0
    oom_event: int | None = None
    """v1: an eventfd the kernel signals when the group meets its memory limit (v1 kills one
    process then, not the group: the fork-server ends the whole run on this event)."""
    _oom_control: int | None = None

    def watch_oom(self) -> None:
        if self.version == 2:
            _write(self.dirs["memory"] / "memory.oom.group", "1")  # the kernel kills them all
            return
        memory = self.dirs["memory"]
        self._oom_control = os.open(memory / "memory.oom_control", os.O_RDONLY | os.O_CLOEXEC)
        self.oom_event = os.eventfd(0, os.EFD_CLOEXEC | os.EFD_NONBLOCK)
        _write(memory / "cgroup.event_control", f"{self.oom_event} {self._oom_control}")

    def take_oom_event(self) -> bool:
        """Consume a pending v1 OOM event; whether there was one."""
        if self.oom_event is None:
            return False
        try:
            return os.eventfd_read(self.oom_event) > 0
        except BlockingIOError:
            return False

    def open_procs(self) -> list[int]:
        """Write-only fds of every `cgroup.procs`: what a worker joins its group through."""
        return [
            os.open(d / "cgroup.procs", os.O_WRONLY | os.O_CLOEXEC)
            for d in dict.fromkeys(self.dirs.values())
        ]

    def set_cpu_weight(self, weight: int) -> None:
        """1-10000 in v2 terms; v1's `cpu.shares` is scaled (100 -> 1024)."""
        cpu = self.dirs.get("cpu")
        if cpu is None or weight == self.cpu_weight:
            return
        self.cpu_weight = weight
        if self.version == 2:
            _write(cpu / "cpu.weight", str(weight))
        else:
            _write(cpu / "cpu.shares", str(max(2, weight * 1024 // 100)))

    def memory_killed(self) -> bool:
        """Whether the kernel killed a process of this group for memory since last asked."""
        count = self._oom_kill_count()
        killed, self.oom_kills = count > self.oom_kills, count
        return killed

    def peak_memory(self) -> int | None:
        """The group's peak usage in bytes since the last `reset_peak` (None if unknown)."""
        memory = self.dirs.get("memory")
        name = "memory.peak" if self.version == 2 else "memory.max_usage_in_bytes"
        try:
            return int((memory / name).read_text().split()[0]) if memory else None
        except (OSError, ValueError, IndexError):
            return None

    def reset_peak(self) -> None:
        memory = self.dirs.get("memory")
        if memory is not None:
            name = "memory.peak" if self.version == 2 else "memory.max_usage_in_bytes"
            with contextlib.suppress(OSError):
                _write(memory / name, "0")

    def remove(self) -> None:
        for fd in (self.oom_event, self._oom_control):
            if fd is not None:
                os.close(fd)
        self.oom_event = self._oom_control = None
        for d in dict.fromkeys(self.dirs.values()):
            with contextlib.suppress(OSError):
                d.rmdir()

    def _oom_kill_count(self) -> int:
        memory = self.dirs.get("memory")
        name = "memory.events" if self.version == 2 else "memory.oom_control"
        try:
            for line in (memory / name).read_text().splitlines() if memory else ():
                key, _, value = line.partition(" ")
                if key == "oom_kill":
                    return int(value)
        except (OSError, ValueError):
            pass
        return 0


@dataclass(slots=True)
class Cgroups:
    """The fork-server's own subtree: `base[controller]/slot-<uid>` per slot."""

    version: int
    base: dict[str, Path]
    limits: RunLimits
    slots: list[SlotGroup] = field(default_factory=list)

    @property
    def controllers(self) -> list[str]:
        return sorted(self.base)

    def weigh_as(self, processes: int) -> None:
        """Give the whole subtree, every run at once, the CPU weight of `processes`.

        The fork-server asks for one fewer than the machine's cores: the web server, which
        every request, 429 and dashboard poll passes through, then keeps a core's worth under
        any load, and the runs share the rest. Weighed as every slot (9 on 2 cores), busy
        runs left the web server a tenth of the contended CPU."""
        cpu = self.base.get("cpu")
        if cpu is None:
            return
        SlotGroup(self.version, {"cpu": cpu}).set_cpu_weight(
            min(10_000, CPU_WEIGHT_NORMAL * processes)
        )

    def make_slot(self, name: str) -> SlotGroup:
        dirs: dict[str, Path] = {}
        for controller, base in self.base.items():
            path = base / name
            if path not in dirs.values():
                path.mkdir(exist_ok=True)
            dirs[controller] = path
        group = SlotGroup(self.version, dirs)
        try:
            self._limit(group)
        except OSError:
            group.remove()
            raise
        group.oom_kills = group._oom_kill_count()
        self.slots.append(group)
        return group

    def drop_slot(self, group: SlotGroup) -> None:
        group.remove()
        with contextlib.suppress(ValueError):
            self.slots.remove(group)

    def remove(self) -> None:
        for group in list(self.slots):
            group.remove()
        for d in dict.fromkeys(self.base.values()):
            with contextlib.suppress(OSError):
                d.rmdir()

    def _limit(self, group: SlotGroup) -> None:
        memory = self.limits.slot_memory_bytes
        pids = self.limits.max_processes
        if self.version == 2:
            d = group.dirs["memory"]
            _write(d / "memory.max", str(memory))
            if (d / "memory.swap.max").exists():
                _write(d / "memory.swap.max", "0")
            if "pids" in group.dirs:
                _write(d / "pids.max", str(pids))
        else:
            d = group.dirs["memory"]
            _write(d / "memory.limit_in_bytes", str(memory))
            if (d / "memory.memsw.limit_in_bytes").exists():
                _write(d / "memory.memsw.limit_in_bytes", str(memory))
            if "pids" in group.dirs:
                _write(group.dirs["pids"] / "pids.max", str(pids))
        group.set_cpu_weight(CPU_WEIGHT_BETWEEN_RUNS)  # normal once its worker is ready
        group.watch_oom()


def probe(limits: RunLimits, tag: str) -> Cgroups | None:
    """The cgroups this process may make and charge, or None. `tag` names our subtree."""
    for attempt in (_probe_v2, _probe_v1):
        with contextlib.suppress(OSError, ValueError):
            found = attempt(limits, tag)
            if found is not None:
                return found
    return None


def _probe_v1(limits: RunLimits, tag: str) -> Cgroups | None:
    mounts = _v1_mounts()
    own = _own_paths()
    base: dict[str, Path] = {}
    for controller in CONTROLLERS:
        mount = mounts.get(controller)
        if mount is None or controller not in own:
            continue
        path = mount / own[controller].lstrip("/") / tag
        try:
            path.mkdir(exist_ok=True)
        except OSError:
            continue
        base[controller] = path
    if "memory" not in base:
        for path in base.values():
            with contextlib.suppress(OSError):
                path.rmdir()
        return None
    return _checked(Cgroups(1, base, limits))


def _probe_v2(limits: RunLimits, tag: str) -> Cgroups | None:
    """A delegated v2 group: move our group's processes into a leaf, enable controllers
    for the subtree, and make the slots' parent beside that leaf (the "no internal
    processes" rule forbids groups with both processes and controlled children)."""
    mount = _v2_mount()
    own = _own_paths().get("")
    if mount is None or own is None:
        return None
    here = mount / own.lstrip("/")
    available = (here / "cgroup.controllers").read_text().split()
    wanted = [c for c in CONTROLLERS if c in available]
    if "memory" not in wanted or not os.access(here / "cgroup.subtree_control", os.W_OK):
        return None
    leaf = here / "tensor-playground-server"
    leaf.mkdir(exist_ok=True)
    for pid in (here / "cgroup.procs").read_text().split():
        with contextlib.suppress(OSError):
            _write(leaf / "cgroup.procs", pid)
    _write(here / "cgroup.subtree_control", " ".join(f"+{c}" for c in wanted))
    parent = here / tag
    parent.mkdir(exist_ok=True)
    _write(parent / "cgroup.subtree_control", " ".join(f"+{c}" for c in wanted))
    return _checked(Cgroups(2, dict.fromkeys(wanted, parent), limits))


def _checked(cgroups: Cgroups) -> Cgroups | None:
    """Make and drop one slot group: a tree we cannot limit is no tree at all."""
    try:
        cgroups.drop_slot(cgroups.make_slot("probe"))
    except OSError:
        cgroups.remove()
        return None
    return cgroups


def _own_paths() -> dict[str, str]:
    """controller -> our cgroup path, from /proc/self/cgroup ("" is the v2 path)."""
    paths: dict[str, str] = {}
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(",") if controllers else [""]:
            paths[controller] = path
    return paths


def _mountinfo() -> list[tuple[Path, str, list[str]]]:
    """(mount point, fs type, super options) of every mount."""
    out = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        left, _, right = line.partition(" - ")
        fields, tail = left.split(), right.split()
        if len(fields) >= 5 and len(tail) >= 3:
            out.append((Path(fields[4]), tail[0], tail[2].split(",")))
    return out


def _v1_mounts() -> dict[str, Path]:
    mounts: dict[str, Path] = {}
    for point, fstype, options in _mountinfo():
        if fstype == "cgroup":
            for controller in CONTROLLERS:
                if controller in options:
                    mounts.setdefault(controller, point)
    return mounts


def _v2_mount() -> Path | None:
    return next((point for point, fstype, _ in _mountinfo() if fstype == "cgroup2"), None)


def _write(path: Path, value: str) -> None:
    with open(path, "w") as f:
        f.write(value)


def join(procs_fds: list[int]) -> None:
    """Move this process into its slot's group(s), then forget the fds."""
    for fd in procs_fds:
        os.write(fd, b"0")
        os.close(fd)
