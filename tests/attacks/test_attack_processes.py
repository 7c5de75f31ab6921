"""Attacks with processes: bombs, daemons, signals, sessions, and runs that outlive their report.

A run is every process in its slot's pid namespace; it ends when the last of them does.
"""

from __future__ import annotations

import json
import threading
import time
from textwrap import dedent

import httpx
import pytest

from tests.attacks.helpers import (
    FORGED_REPORT,
    error_of,
    eventually_none_named,
    forging,
    idle_within,
    run_on,
    timed,
)
from tests.conftest import LiveServer


def test_a_run_that_keeps_going_after_its_report_does_not_hold_its_slot(
    one_slot_server: LiveServer,
) -> None:
    # It sends a report of its own making, then spins: the first round freed the run's
    # place in the server's accounting while the run went on until its timeout, so two
    # such runs took both of the server's slots and the next student waited.
    spinner = forging(FORGED_REPORT, then="while True:\n    pass")
    for _ in range(2):
        assert run_on(one_slot_server, spinner, timeout_s=20)["stdout"] == "forged"
    for _ in range(3):
        followed, elapsed = timed(
            lambda code, **f: run_on(one_slot_server, code, **f), "x = torch.ones(1)"
        )
        assert followed["error"] is None
        assert elapsed < 3, f"the next run waited {elapsed:.1f} s"


def test_a_run_is_killed_right_after_its_report_and_health_says_so(
    one_slot_server: LiveServer,
) -> None:
    then = "import ctypes, time\nctypes.CDLL(None).prctl(15, b'tp-after-report', 0, 0, 0)\n"
    report = run_on(one_slot_server, forging(FORGED_REPORT, then=then + "time.sleep(30)"))
    assert report["stdout"] == "forged"
    assert eventually_none_named("tp-after-report", within_s=1.0)
    assert idle_within(one_slot_server)


def test_a_run_cannot_start_a_session_or_leave_its_process_group(run_snippet) -> None:
    # The worker leads its own session; a child of the run is where escaping would start
    # (a new session gets a scheduler autogroup of its own, out of the lowered group).
    report = run_snippet(
        dedent("""
            import ctypes, os
            pid = os.fork()
            if pid == 0:
                libc = ctypes.CDLL(None, use_errno=True)
                results = [libc.setsid(), ctypes.get_errno(), libc.setpgid(0, 0),
                           ctypes.get_errno()]
                os._exit(0 if results == [-1, 1, -1, 1] else 1)
            print(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
        """)
    )
    assert report["stdout"] == "0\n"


def test_every_process_of_a_long_run_is_lowered(run_snippet) -> None:
    report = run_snippet(
        dedent("""
            import os, signal, time
            children = []
            for _ in range(4):
                pid = os.fork()
                if pid == 0:
                    while True:
                        pass
                children.append(pid)
            time.sleep(1.0)
            print(sorted({os.getpriority(os.PRIO_PROCESS, p) for p in children}))
            for p in children:
                os.kill(p, signal.SIGKILL)
                os.waitpid(p, 0)
        """),
        timeout_s=8,
    )
    assert report["stdout"] == "[15]\n"


def test_a_thread_bomb_stops_at_the_thread_limit(run_snippet, then_healthy) -> None:
    code = (
        "import threading, time\nmade = 0\ntry:\n    for _ in range(500):\n"
        "        threading.Thread(target=time.sleep, args=(30,), daemon=True).start()\n"
        "        made += 1\nfinally:\n    print(made)\n"
    )
    report = run_snippet(code, timeout_s=3)
    assert error_of(report) == ("RuntimeError", "can't start new thread")
    assert report["error"]["line"] == 5
    assert 0 < int(report["stdout"]) < 32  # the process limit counts threads too


def test_a_thousand_torch_threads_fail_cleanly_without_hanging(run_snippet, then_healthy) -> None:
    code = "torch.set_num_threads(1000)\nb = torch.ones(512, 512) @ torch.ones(512, 512)"
    report, elapsed = timed(run_snippet, code, timeout_s=3)
    assert elapsed < 3 + 5
    if report["error"] is None:
        assert report["tensors"][0]["stats"]["max"] == 512.0
    else:  # OpenMP cannot start its pool under the thread limit and exits the process
        assert report["error"]["type"] == "SandboxViolation"
        assert "Thread creation failed" in report["stderr"]


def test_a_run_cannot_signal_a_concurrent_run(isolated_server: LiveServer) -> None:
    victim_code = (
        "import time\nfor i in range(8):\n    print('tick', i)\n    time.sleep(0.25)\n"
        "done = torch.ones(1)\n"
    )
    attacker_code = (
        "import json, os\nmine = {os.getpid(), *map(int, os.listdir('/proc/self/task'))}\n"
        "seen = sorted(int(p) for p in os.listdir('/proc') if p.isdigit())\n"
        "outcomes = {}\nfor pid in sorted((set(seen) | set(range(2, 301))) - mine):\n"
        "    try:\n        os.kill(pid, 9)\n        outcomes[pid] = 'killed'\n"
        "    except OSError as e:\n        outcomes[pid] = e.strerror\n"
        "print(json.dumps({'seen': seen, 'outcomes': sorted(set(outcomes.values()))}))\n"
    )
    finished: dict[str, float] = {}
    victim: dict[str, dict] = {}

    def run_victim() -> None:
        victim["report"] = run_on(isolated_server, victim_code, timeout_s=5)
        finished["victim"] = time.monotonic()

    thread = threading.Thread(target=run_victim)
    thread.start()
    for _ in range(100):
        health = httpx.get(f"{isolated_server.url}/api/v1/health").json()
        if health["runs_in_flight"] >= 1:
            break
        time.sleep(0.05)
    attacker = run_on(isolated_server, attacker_code)
    finished["attacker"] = time.monotonic()
    thread.join(30)

    found = json.loads(attacker["stdout"])
    assert len(found["seen"]) <= 3  # its own namespace: the keeper and itself
    assert set(found["outcomes"]) <= {"No such process", "Operation not permitted"}
    assert finished["attacker"] < finished["victim"], "the attack ran while the victim ran"
    report = victim["report"]
    assert report["error"] is None, report["error"]
    assert report["stdout"] == "".join(f"tick {i}\n" for i in range(8))


def test_a_double_forked_daemon_dies_with_the_run(run_snippet, then_healthy) -> None:
    code = (
        "import ctypes, os, time\nchild = os.fork()\nif child == 0:\n    if os.fork() == 0:\n"
        "        ctypes.CDLL(None).prctl(15, b'tp-daemon', 0, 0, 0)\n"
        "        time.sleep(60)\n    os._exit(0)\nos.waitpid(child, 0)\ntime.sleep(0.2)\n"
        "names = []\nfor p in os.listdir('/proc'):\n    try:\n"
        "        names.append(open(f'/proc/{p}/comm').read().strip())\n"
        "    except OSError:\n        pass\nprint(names.count('tp-daemon'))\n"
    )
    report, elapsed = timed(run_snippet, code, timeout_s=5)
    assert report["error"] is None and report["stdout"] == "1\n"  # it was running
    assert elapsed < 5
    assert eventually_none_named("tp-daemon")


RECURSE = "def f(n):\n    return f(n + 1)\n\nf(0)\n"


def test_runaway_recursion_is_a_recursion_error(run_snippet, then_healthy) -> None:
    report = run_snippet(RECURSE)
    assert error_of(report) == ("RecursionError", "maximum recursion depth exceeded")
    assert "in f" in report["error"]["traceback"]


def test_runaway_recursion_points_at_the_recursive_call(run_snippet) -> None:
    assert run_snippet(RECURSE)["error"]["line"] == 2


@pytest.mark.parametrize(
    ("call", "outcomes"),
    [
        ("f(n + 1)", {"RecursionError", "TimeLimitExceeded", "MemoryLimitExceeded"}),
        ("list(map(f, [n + 1]))", {"SandboxViolation"}),  # the C stack overflows: SIGSEGV
    ],
)
def test_recursion_without_a_limit_ends_cleanly(
    run_snippet, then_healthy, call: str, outcomes: set[str]
) -> None:
    code = f"import sys\nsys.setrecursionlimit(10**6)\ndef f(n):\n    return {call}\n\nf(0)\n"
    report, elapsed = timed(run_snippet, code, timeout_s=2)
    assert error_of(report)[0] in outcomes
    assert elapsed < 2 + 5


REFUSAL_OF = """\
import ctypes, errno, os, resource, socket
libc = ctypes.CDLL(None, use_errno=True)
def refusal_of(action):
    try:
        result = action()
    except OSError as e:
        return errno.errorcode[e.errno]
    except ValueError as e:
        return f'ValueError: {e}'
    return errno.errorcode[ctypes.get_errno()] if result == -1 else 'allowed'
"""


NO_RAISING = "ValueError: not allowed to raise maximum limit"


@pytest.mark.parametrize(
    ("action", "refusal"),
    [
        ("os.setuid(0)", "EPERM"),
        ("os.setgid(0)", "EPERM"),
        ("os.nice(-5)", "EPERM"),  # the keeper lowers long runs; they cannot climb back
        ("resource.setrlimit(resource.RLIMIT_NPROC, (10**6, 10**6))", NO_RAISING),
        ("resource.setrlimit(resource.RLIMIT_FSIZE, (-1, -1))", NO_RAISING),
        ("socket.socket(socket.AF_PACKET, socket.SOCK_RAW)", "EACCES"),  # seccomp
        ("socket.socket(socket.AF_NETLINK, socket.SOCK_RAW)", "EACCES"),
        ("open('/proc/sys/kernel/hostname', 'w').write('x')", "EACCES"),
        ("libc.mount(b'none', b'.', b'tmpfs', 0, None)", "EPERM"),
        ("libc.chroot(b'.')", "EPERM"),
        ("libc.sethostname(b'x', 1)", "EPERM"),
        ("os.mknod('null', 0o020600, os.makedev(1, 3))", "EPERM"),
        ("open(os.path.dirname(torch.__file__) + '/evil.py', 'w')", "EROFS"),
    ],
)
def test_a_run_cannot_gain_privileges_or_touch_the_kernel(
    run_snippet, action: str, refusal: str
) -> None:
    report = run_snippet(REFUSAL_OF + f"print(refusal_of(lambda: {action}))\n")
    assert report["error"] is None, report["error"]
    assert report["stdout"] == f"{refusal}\n"


def test_a_run_has_no_capabilities(run_snippet) -> None:
    report = run_snippet("print(open('/proc/self/status').read())")
    caps = dict(
        line.split(":\t") for line in report["stdout"].splitlines() if line.startswith("Cap")
    )
    assert {caps[k] for k in ("CapInh", "CapPrm", "CapEff", "CapAmb")} == {"0" * 16}


def test_ignoring_the_alarm_does_not_escape_the_time_limit(run_snippet, then_healthy) -> None:
    code = (
        "import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
        "signal.setitimer(signal.ITIMER_REAL, 0)\nwhile True:\n    pass\n"
    )
    report, elapsed = timed(run_snippet, code, timeout_s=1)
    assert error_of(report)[0] == "TimeLimitExceeded"
    assert elapsed < 1 + 5
