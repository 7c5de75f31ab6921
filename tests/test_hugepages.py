"""The fork-server's warm heap is rebuilt in huge pages before the first fork."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app.sandbox.hugepages import HUGE_PAGE, _anonymous_ranges
from tests.conftest import LiveServer

MAPS = """\
55d0c0000000-55d0c0a00000 rw-p 00000000 00:00 0                          [heap]
7f0000100000-7f0000900000 rw-p 00000000 00:00 0
7f0000900000-7f0000a00000 rw-p 00000000 00:00 0
7f0001000000-7f0001400000 r--p 00000000 08:01 1234                       /usr/lib/libtorch.so
7f0002000000-7f0002400000 rw-p 00001000 08:01 1234                       /usr/lib/libtorch.so
7f0003000000-7f0003400000 rw-s 00000000 00:01 99                         /dev/zero (deleted)
7f0004000000-7f0004400000 ---p 00000000 00:00 0
7ffd00000000-7ffd00400000 rw-p 00000000 00:00 0                          [stack]
"""


def test_only_whole_huge_pages_of_private_anonymous_memory_are_chosen(tmp_path: Path) -> None:
    maps = tmp_path / "maps"
    maps.write_text(MAPS)
    assert list(_anonymous_ranges(str(maps))) == [
        (0x55D0C0000000, 0x55D0C0A00000),  # the heap, already aligned
        (0x7F0000200000, 0x7F0000800000),  # an arena, trimmed to whole 2 MiB pages
    ]  # a 1 MiB region, files, shared and inaccessible memory and the stack are left alone


def anon_huge_kib(pid: int | str = "self") -> int:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("AnonHugePages:"):
            return int(line.split()[1])
    return 0


def collapse_in_a_fresh_process(megabytes: int) -> tuple[int, int, int]:
    """(AnonHugePages KiB before, after, bytes collapsed) for a block of written memory."""
    script = textwrap.dedent(
        f"""
        from app.sandbox.hugepages import collapse_written_memory
        from tests.test_hugepages import anon_huge_kib
        block = bytearray(b"x" * ({megabytes} << 20))  # written, as torch's import leaves it
        before = anon_huge_kib()
        done = collapse_written_memory()
        print(before, anon_huge_kib(), done)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    before, after, done = (int(n) for n in result.stdout.split())
    if done == 0:
        pytest.skip("this kernel has no MADV_COLLAPSE (Linux 6.1+), or no huge page to give")
    return before, after, done


def test_written_memory_ends_up_in_huge_pages() -> None:
    before, after, done = collapse_in_a_fresh_process(64)
    assert done >= 32 << 20 and done % HUGE_PAGE == 0
    assert after - before >= 32 << 10  # KiB: most of the 64 MiB block is in huge pages now


def test_the_running_fork_server_shares_its_heap_in_huge_pages(server: LiveServer) -> None:
    collapse_in_a_fresh_process(8)  # skips where the kernel cannot
    children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
    forkserver = next(
        pid
        for pid in children.read_text().split()
        if "app.sandbox.forkserver" in Path(f"/proc/{pid}/cmdline").read_text()
    )
    assert anon_huge_kib(forkserver) >= 32 << 10  # KiB, of its ~240 MiB warm heap
