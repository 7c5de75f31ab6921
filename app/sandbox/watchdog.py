"""The keeper's memory watchdog, for hosts that offer no cgroup (rootless, containers).

Every `WATCHDOG_INTERVAL_S` the keeper sums what the run holds over every process of its pid
namespace (it is pid 1 there, so `/proc` lists exactly the run): each process's proportional
share of anonymous and shared-memory pages (`Pss_Anon + Pss_Shmem` from smaps_rollup, so
pages shared by a run's forks count once), plus the files in the run's tmpfs. Over the limit,
the run is killed and reported as `MemoryLimitExceeded`.

Weaker than a cgroup, and SECURITY.md says how: it samples (a run can overshoot for one
interval), and kernel memory such as socket buffers is not seen. The proportional share of
the warm parent's heap is counted too, so a run is stopped a little before its allowance.
"""

from __future__ import annotations

import os

_FIELDS = (b"Pss_Anon:", b"Pss_Shmem:")


def process_bytes(pid: str) -> int:
    """One process's proportional anonymous + shmem memory, in bytes (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            text = f.read()
    except OSError:
        return 0
    total = 0
    for line in text.splitlines():
        if line.startswith(_FIELDS):
            total += int(line.split()[1]) * 1024
    return total


def tmpfs_bytes(path: str) -> int:
    try:
        stats = os.statvfs(path)
    except OSError:
        return 0
    return (stats.f_blocks - stats.f_bfree) * stats.f_frsize


def run_bytes(scratch: str, own_pid: int) -> int:
    """What the run holds now: its processes (all of /proc but us) and its scratch files."""
    total = tmpfs_bytes(scratch)
    for name in os.listdir("/proc"):
        if name.isdigit() and int(name) != own_pid:
            total += process_bytes(name)
    return total
