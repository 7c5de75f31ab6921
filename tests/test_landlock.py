"""The Landlock layer, applied in a throwaway forked child: writes only in one directory,
no signals to processes outside the run (its parent included, even with the same uid)."""

from __future__ import annotations

import os
import signal
import tempfile
from pathlib import Path

import pytest

from app.sandbox import isolation, landlock

ABI = landlock.abi_version()
pytestmark = pytest.mark.skipif(ABI == 0, reason="Landlock is not available on this kernel")


def in_restricted_child(workdir: Path, probe) -> int:
    pid = os.fork()
    if pid == 0:
        try:
            isolation.forbid_new_privileges()
            landlock.restrict_writes_to(str(workdir), ABI)
            os._exit(probe())
        except BaseException:
            os._exit(99)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def test_files_can_be_written_only_below_the_scratch_dir(tmp_path: Path) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    outside = Path(tempfile.mkdtemp())

    def probe() -> int:
        (scratch / "sub").mkdir()
        (scratch / "sub" / "f.txt").write_text("mine")
        with open(os.devnull, "w") as null:
            null.write("discarded")
        try:
            (outside / "leak.txt").write_text("leak")
        except PermissionError:
            return 1
        return 2

    try:
        assert in_restricted_child(scratch, probe) == 1
        assert (scratch / "sub" / "f.txt").read_text() == "mine"
        assert not (outside / "leak.txt").exists()
    finally:
        os.rmdir(outside)


@pytest.mark.skipif(ABI < 6, reason="signal scoping needs Landlock ABI 6")
def test_a_restricted_process_cannot_signal_its_parent(tmp_path: Path) -> None:
    parent = os.getpid()

    def probe() -> int:
        try:
            os.kill(parent, signal.SIGCONT)  # harmless even if it went through
        except PermissionError:
            return 1
        return 2

    assert in_restricted_child(tmp_path, probe) == 1
