"""Attacks on memory: holding more than a run's allowance, in ways one process's limit misses.

`RLIMIT_AS` bounds each process; the slot's cgroup (or, without one, the keeper's watchdog)
bounds the sum over all of a run's processes, its kernel buffers and its tmpfs files. The
server here gives a run 256 MiB.
"""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from tests.attacks.helpers import error_of, idle_within, run_on, timed
from tests.conftest import HEALTHY_SNIPPET, LiveServer

MIB = 2**20


def server_rss(server: LiveServer) -> int:
    status = Path(f"/proc/{server.process.pid}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
    return int(line.split()[1]) * 1024


ATTACKS = {
    "forked children each under RLIMIT_AS": """
        import os, time
        children = []
        for _ in range(24):
            pid = os.fork()
            if pid == 0:
                hold = bytearray(180 * 2**20)  # under one process's limit, touched
                time.sleep(10)
                os._exit(0)
            children.append(pid)
        for pid in children:
            os.waitpid(pid, 0)
    """,
    "unix socket buffers": """
        import socket
        pairs = []
        for _ in range(120):
            a, b = socket.socketpair()
            a.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 * 2**20)
            a.setblocking(False)
            try:
                while True:
                    a.send(b"x" * 65536)
            except BlockingIOError:
                pairs.append((a, b))
    """,
}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_memory_held_across_processes_and_the_kernel_ends_as_memory_limit(
    isolated_server: LiveServer, attack: str
) -> None:
    before = server_rss(isolated_server)
    report, elapsed = timed(
        lambda code, **f: run_on(isolated_server, code, **f), dedent(ATTACKS[attack]), timeout_s=15
    )
    assert error_of(report)[0] == "MemoryLimitExceeded", report["error"]
    assert elapsed < 15
    assert server_rss(isolated_server) - before < 64 * MIB  # the server's own memory is flat
    assert run_on(isolated_server, HEALTHY_SNIPPET)["error"] is None
    assert idle_within(isolated_server)


@pytest.mark.parametrize(
    ("code", "refusal"),
    [
        # SysV shared memory outlives a process and no process's memory counts it: denied.
        ("import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
         "assert libc.shmget(0, 2**31, 0o1600) == -1, 'allowed'\nprint(ctypes.get_errno())", "1"),
        # Anonymous files written with write(): denied (and so is running code from one).
        ("import os\ntry:\n    os.memfd_create('x')\nexcept OSError as e:\n"
         "    print(e.errno)", "1"),
    ],
)  # fmt: skip
def test_memory_no_limit_would_count_is_refused(run_snippet, code: str, refusal: str) -> None:
    report = run_snippet(code)
    assert report["error"] is None, report["error"]
    assert report["stdout"].strip() == refusal


def test_shm_open_files_land_in_the_size_capped_scratch(run_snippet, then_healthy) -> None:
    code = dedent("""
        import os
        fd = os.open('/dev/shm/segment', os.O_CREAT | os.O_RDWR)
        chunk = b'x' * 2**20
        for _ in range(2000):
            os.write(fd, chunk)
    """)
    report = run_snippet(code, timeout_s=10)
    assert error_of(report)[0] in ("OSError", "OutputLimitExceeded")  # ENOSPC or file size
