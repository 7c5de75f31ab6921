"""Slot cgroups on this host, when it offers them: limits written, a worker joined, OOM seen."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from app.sandbox import cgroups
from app.sandbox.limits import RunLimits

LIMITS = RunLimits(memory_bytes=64 * 2**20, max_processes=8)


@pytest.fixture
def tree():
    found = cgroups.probe(LIMITS, f"tp-test-{uuid.uuid4().hex[:8]}")
    if found is None:
        pytest.skip("this host offers no cgroup we may make and limit")
    yield found
    found.remove()


def in_group(group: cgroups.SlotGroup, code: str) -> int:
    """Fork a child that joins `group`, then runs `code`; its wait status."""
    fds = group.open_procs()
    pid = os.fork()
    if pid == 0:
        try:
            cgroups.join(fds)
            exec(code, {"os": os})
            os._exit(0)
        except BaseException:
            os._exit(3)
    for fd in fds:
        os.close(fd)
    return os.waitpid(pid, 0)[1]


def test_a_slot_group_holds_the_run_limits(tree: cgroups.Cgroups) -> None:
    group = tree.make_slot("limits")
    memory = group.dirs["memory"]
    name = "memory.max" if tree.version == 2 else "memory.limit_in_bytes"
    assert int((memory / name).read_text()) == LIMITS.memory_bytes
    if "pids" in group.dirs:
        assert (group.dirs["pids"] / "pids.max").read_text().strip() == "8"


def test_a_process_over_the_groups_memory_is_killed_and_counted(tree: cgroups.Cgroups) -> None:
    group = tree.make_slot("oom")
    status = in_group(group, "hold = bytearray(200 * 2**20)")
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == 9
    assert group.memory_killed() is True
    assert group.memory_killed() is False  # counted once
    if group.oom_event is not None:
        assert group.take_oom_event() is True


def test_the_pids_limit_binds_root_too(tree: cgroups.Cgroups) -> None:
    if "pids" not in tree.base:
        pytest.skip("no pids controller here")
    group = tree.make_slot("pids")
    code = (
        "made = []\nfor _ in range(20):\n    try:\n        pid = os.fork()\n"
        "    except OSError:\n        break\n    if pid == 0:\n        import time\n"
        "        time.sleep(5)\n        os._exit(0)\n    made.append(pid)\n"
        "for pid in made:\n    os.kill(pid, 9)\n    os.waitpid(pid, 0)\n"
        "os._exit(len(made))\n"
    )
    status = in_group(group, code)
    assert os.WEXITSTATUS(status) < 8  # the child itself is one of the eight


def test_removing_the_tree_leaves_nothing_behind(tree: cgroups.Cgroups) -> None:
    tree.make_slot("a")
    tree.remove()
    assert not any(path.exists() for path in tree.base.values())


def test_every_run_together_weighs_one_process_fewer_than_the_cores(server) -> None:
    """The web server keeps a core's worth of CPU however many runs are busy."""
    forkservers = [
        int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()
        and _parent(int(entry.name)) == server.process.pid
    ]  # fmt: skip
    found = cgroups.probe(LIMITS, f"tp-test-{uuid.uuid4().hex[:8]}")
    if found is None or "cpu" not in found.base:
        pytest.skip("this host offers no cpu cgroup we may make")
    found.remove()
    parent = found.base["cpu"].parent
    subtrees = [parent / f"tensor-playground-{pid}" for pid in forkservers]
    subtree = next(path for path in subtrees if path.exists())
    expected = 100 * max(1, (os.cpu_count() or 2) - 1)
    if (subtree / "cpu.weight").exists():
        assert int((subtree / "cpu.weight").read_text()) == expected
    else:
        assert int((subtree / "cpu.shares").read_text()) == expected * 1024 // 100


def _parent(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None
