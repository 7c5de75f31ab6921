"""The sandbox without root: a user namespace, the private root, Landlock and seccomp, under
the server's own uid, and the keeper's watchdog for memory. And no silent fallback: where
namespaces are refused, the server will not start unless told it may run unsandboxed.

CI makes the unprivileged user (.ci/run) and sets PLAYGROUND_REQUIRE_ROOTLESS_TESTS, so these
tests run there rather than skip.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from textwrap import dedent

import httpx
import pytest

from tests.attacks.helpers import FORGED_REPORT, error_of, eventually_none_named, forging, run_on
from tests.conftest import LiveServer, start_server

ROOTLESS_USER = os.environ.get("PLAYGROUND_ROOTLESS_USER", "tp-rootless")


def _rootless_user_problem() -> str | None:
    if os.geteuid() != 0:
        return "the tests start the server as another user, which needs root"
    try:
        pwd.getpwnam(ROOTLESS_USER)
    except KeyError:
        return f"no user {ROOTLESS_USER!r} (.ci/run makes one)"
    probe = subprocess.run(
        [sys.executable, "-c", "import torch"], user=ROOTLESS_USER, capture_output=True
    )
    if probe.returncode != 0:
        return f"{ROOTLESS_USER!r} cannot run this interpreter (see .ci/run: setfacl on its dir)"
    return None


@pytest.fixture(scope="module")
def rootless_server() -> Iterator[LiveServer]:
    problem = _rootless_user_problem()
    if problem is not None:
        if os.environ.get("PLAYGROUND_REQUIRE_ROOTLESS_TESTS"):
            pytest.fail(problem)
        pytest.skip(problem)
    home = Path(tempfile.mkdtemp(prefix="tp-rootless-"))  # pytest's tmp dirs are 0700
    home.chmod(0o755)
    live = start_server(
        home / "data", user=ROOTLESS_USER, rate_per_minute=0, max_runs=2, memory_mb=256
    )
    yield live
    live.stop()
    shutil.rmtree(home)


def test_health_lists_the_layers_in_force(rootless_server: LiveServer) -> None:
    isolation = httpx.get(f"{rootless_server.url}/api/v1/health").json()["isolation"]
    assert isolation["mode"] == "rootless"
    assert isolation["user_namespace"] and isolation["private_root"] and isolation["seccomp"]
    assert isolation["landlock_abi"] >= 1
    assert isolation["memory"] in ("watchdog", "cgroup v2")


def test_a_run_works_and_sees_only_its_root(rootless_server: LiveServer) -> None:
    report = run_on(
        rootless_server,
        "import os\nx = torch.ones(2) * 2\nprint(sorted(os.listdir('/')))\n"
        "print(open('/etc/passwd').read().count(':x:'))",
    )
    assert report["error"] is None, report["error"]
    listing, users = report["stdout"].splitlines()
    assert "home" not in listing and "run" not in listing and users == "1"


def test_the_run_has_no_capabilities_in_its_user_namespace(rootless_server: LiveServer) -> None:
    report = run_on(rootless_server, "print(open('/proc/self/status').read())")
    lines = report["stdout"].splitlines()
    caps = dict(line.split(":\t") for line in lines if line.startswith("Cap"))
    assert {caps[k] for k in ("CapInh", "CapPrm", "CapEff", "CapAmb", "CapBnd")} == {"0" * 16}


def test_no_network_and_no_sessions(rootless_server: LiveServer) -> None:
    report = run_on(
        rootless_server,
        "import os, socket\nresults = []\n"
        "for call in (lambda: socket.socket(socket.AF_INET), os.setsid):\n"
        "    try:\n        call()\n        results.append('allowed')\n"
        "    except OSError as e:\n        results.append(e.errno)\nprint(results)",
    )
    assert report["stdout"] == "[13, 1]\n"


def test_memory_across_processes_is_bounded_by_the_watchdog(rootless_server: LiveServer) -> None:
    code = dedent("""
        import os, time
        children = []
        for _ in range(12):
            pid = os.fork()
            if pid == 0:
                hold = bytearray(150 * 2**20)
                time.sleep(10)
                os._exit(0)
            children.append(pid)
        for pid in children:
            os.waitpid(pid, 0)
    """)
    report = run_on(rootless_server, code, timeout_s=15)
    assert error_of(report)[0] == "MemoryLimitExceeded"


def test_a_run_is_over_when_its_report_is_in(rootless_server: LiveServer) -> None:
    then = "import ctypes, time\nctypes.CDLL(None).prctl(15, b'tp-rootless-late', 0, 0, 0)\n"
    report = run_on(rootless_server, forging(FORGED_REPORT, then=then + "time.sleep(30)"))
    assert report["stdout"] == "forged"
    assert eventually_none_named("tp-rootless-late", within_s=1.0)


# -- no silent fallback -----------------------------------------------------------------------

NO_UNSHARE = """
import ctypes, os, struct, sys
def insn(code, k, jt=0, jf=0):
    return struct.pack("HBBI", code, jt, jf, k)
program = b"".join([
    insn(0x20, 0),                    # load the syscall number
    insn(0x15, 272, 0, 1),            # unshare?
    insn(0x06, 0x00050000 | 1),       #   -> EPERM
    insn(0x06, 0x7FFF0000),           # else allow
])
class Prog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]
buf = ctypes.create_string_buffer(program, len(program))
libc = ctypes.CDLL(None, use_errno=True)
libc.prctl(38, 1, 0, 0, 0)
prog = Prog(len(program) // 8, ctypes.cast(buf, ctypes.c_void_p))
assert libc.prctl(22, 2, ctypes.byref(prog), 0, 0) == 0
os.execv(sys.argv[1], sys.argv[1:])
"""


@pytest.fixture
def no_namespaces(tmp_path: Path) -> list[str]:
    """A launcher under which the kernel refuses every unshare (as some hosts do)."""
    launcher = tmp_path / "no_namespaces.py"
    launcher.write_text(NO_UNSHARE)
    return [sys.executable, str(launcher)]


def test_where_namespaces_are_refused_the_server_refuses_to_start(
    tmp_path: Path, no_namespaces: list[str]
) -> None:
    with pytest.raises(RuntimeError, match="server exited") as failure:
        start_server(tmp_path / "data", wrapper=no_namespaces)
    assert "PLAYGROUND_ALLOW_UNSANDBOXED" in str(failure.value)


def test_running_unsandboxed_is_an_explicit_choice_and_health_says_so(
    tmp_path: Path, no_namespaces: list[str]
) -> None:
    live = start_server(
        tmp_path / "data", wrapper=no_namespaces, allow_unsandboxed="1", rate_per_minute=0
    )
    try:
        isolation = httpx.get(f"{live.url}/api/v1/health").json()["isolation"]
        assert isolation["mode"] == "unsandboxed" and isolation["namespaces"] is False
        report = run_on(live, "x = torch.ones(2)\nimport socket\nsocket.socket(socket.AF_INET)")
        assert error_of(report)[0] == "PermissionError"  # seccomp still holds
        assert [t["name"] for t in report["tensors"]] == ["x"]
    finally:
        live.stop()
