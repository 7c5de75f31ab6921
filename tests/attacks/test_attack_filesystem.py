"""Attacks on what a run can see: the host's files, the server's secrets, other runs' data.

A run sees its private root (rootfs.py) and nothing else of the host.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import tempfile
import uuid
from collections.abc import Iterator
from textwrap import dedent
from typing import Any

import pytest

from app.sandbox import rootfs
from tests.attacks.conftest import DATA_MARK, SECRET
from tests.attacks.helpers import error_of, run_on, timed
from tests.conftest import PROJECT_ROOT, LiveServer


def allowed_top() -> set[str]:
    """`/` of a run: the private root's own dirs and the first components of the runtime."""
    plan = rootfs.plan(rootfs.runtime_paths(str(PROJECT_ROOT)), [str(PROJECT_ROOT)])
    paths = [*plan.binds, *(path for path, _ in plan.links)]
    return {"dev", "etc", "proc", "tmp", *(path.split("/")[1] for path in paths)}


def test_listing_the_root_shows_only_what_a_run_needs(run_snippet) -> None:
    report = run_snippet(
        "import json, os\nseen = {}\n"
        "for d in ('/', '/etc', '/dev', '/root', '/home', '/run', '/var', '/srv', '/boot'):\n"
        "    try:\n        seen[d] = sorted(os.listdir(d))\n"
        "    except OSError as e:\n        seen[d] = e.errno\n"
        "print(json.dumps(seen))\n"
    )
    seen = json.loads(report["stdout"])
    assert set(seen["/"]) <= allowed_top(), seen["/"]
    for absent in ("/home", "/run", "/var", "/srv", "/boot"):
        assert seen[absent] == 2, absent  # ENOENT: not in the root at all
    assert "shadow" not in seen["/etc"] and "ssh" not in seen["/etc"]
    assert "ptmx" not in seen["/dev"] and "pts" not in seen["/dev"]
    assert ".bashrc" not in (seen["/root"] if isinstance(seen["/root"], list) else [])


def test_etc_names_only_the_runs_own_user(run_snippet) -> None:
    report = run_snippet(
        dedent("""
            import os, pwd
            print(open('/etc/passwd').read().count('\\n'), pwd.getpwuid(os.getuid()).pw_name)
            try:
                open('/etc/shadow')
            except OSError as e:
                print(e.errno)
        """)
    )
    assert report["stdout"].split() == ["1", "student", "2"]


def test_capture_files_replaced_by_symlinks_leak_nothing(run_snippet, then_healthy) -> None:
    # The first round captured output in files the keeper (root) opened by path after the run.
    code = dedent("""
        import os
        for name, target in (('.stdout', '/etc/shadow'), ('.stderr', '/proc/1/fd/2')):
            try:
                os.remove(name)
            except OSError:
                pass
            os.symlink(target, name)
        os._exit(1)
    """)
    report = run_snippet(code)
    assert error_of(report)[0] == "SandboxViolation"
    assert "root:" not in report["stdout"] + report["stderr"]
    assert "tensor_playground" not in report["stdout"] + report["stderr"]


def test_the_keepers_cwd_and_fds_are_out_of_reach(run_snippet) -> None:
    report = run_snippet(
        dedent("""
            import os
            for path in ('/proc/1/cwd', '/proc/1/root', '/proc/1/fd', '/proc/1/environ'):
                try:
                    os.listdir(path) if not path.endswith('environ') else open(path).read()
                    print('READ', path)
                except OSError as e:
                    print(e.errno)
        """)
    )
    assert "READ" not in report["stdout"], report["stdout"]


@pytest.fixture
def host_socket() -> Iterator[str]:
    """A unix socket on the host that anyone could connect to, as a database's would be."""
    directory = tempfile.mkdtemp(prefix="tp-attack-", dir="/run" if os.path.isdir("/run") else None)
    os.chmod(directory, 0o755)
    path = os.path.join(directory, "db.sock")
    server = socket.socket(socket.AF_UNIX)
    server.bind(path)
    os.chmod(path, 0o777)
    server.listen(1)
    yield path
    server.close()
    shutil.rmtree(directory)


def test_host_unix_sockets_are_out_of_reach(run_snippet, host_socket: str) -> None:
    report = run_snippet(
        f"import socket\ns = socket.socket(socket.AF_UNIX)\ns.connect({host_socket!r})\n"
    )
    assert error_of(report)[0] == "FileNotFoundError"


def test_there_are_no_ptys_to_take(run_snippet) -> None:
    report = run_snippet("import os\nos.openpty()")
    assert error_of(report)[0] in ("FileNotFoundError", "OSError")


MEMORY_SCAN = """
import ctypes, hashlib
found = scanned = 0
for line in open('/proc/self/maps'):
    fields = line.split()
    if not fields[1].startswith('rw') or (len(fields) >= 6 and fields[5] != '[heap]'):
        continue
    start, end = (int(x, 16) for x in fields[0].split('-'))
    for chunk in range(start, end, 2**24):
        if scanned > 800 * 2**20:
            break
        size = min(2**24 + len(HEAD) + TAIL_BYTES, end - chunk)
        scanned += size
        data = ctypes.string_at(chunk, size)
        at = data.find(HEAD)
        while at >= 0:
            tail = data[at + len(HEAD): at + len(HEAD) + TAIL_BYTES]
            found += hashlib.sha256(tail).hexdigest() == TAIL_SHA
            at = data.find(HEAD, at + 1)
print(found, scanned > 0)
"""


def test_the_previous_runs_output_is_not_in_the_next_runs_memory(
    one_slot_server: LiveServer,
) -> None:
    # The first round's keeper read each run's capture files into its own heap, and the
    # next worker was forked from it. The scan never holds the whole mark itself: it finds
    # its head, then compares a hash of what follows.
    secret = uuid.uuid4().hex
    head, tail = f"previous-student-{secret[:16]}", f"{secret[16:]}\n"
    for _ in range(3):  # onto both slots of the server
        run_on(
            one_slot_server,
            f"import os\nos.write(1, {(head + tail).encode() * 200!r})\nos._exit(1)",
        )
    scan = (
        f"HEAD = {head.encode()!r}\nTAIL_BYTES = {len(tail)}\n"
        f"TAIL_SHA = {hashlib.sha256(tail.encode()).hexdigest()!r}\n" + MEMORY_SCAN
    )
    for _ in range(3):
        report = run_on(one_slot_server, scan, timeout_s=20, trace=False)
        assert report["error"] is None, report["error"]
        assert report["stdout"].split() == ["0", "True"]


PROC_SNOOP = """\
import ctypes, json, os, sys
found = {}
def look(label, data):
    found[label] = [word for word in WORDS if word.encode() in data]
pids = {p for p in os.listdir('/proc') if p.isdigit()} | {'self', '1', str(os.getppid())}
for pid in sorted(pids | set(OTHER_PIDS)):
    for name in ('environ', 'cmdline', 'status', 'mountinfo'):
        try:
            with open(f'/proc/{pid}/{name}', 'rb') as f:
                look(f'/proc/{pid}/{name}', f.read())
        except OSError as e:
            found[f'/proc/{pid}/{name}'] = e.strerror
for line in open('/proc/self/maps'):
    if line.rstrip().endswith('[stack]'):
        start, end = (int(x, 16) for x in line.split()[0].split('-'))
        look('stack', ctypes.string_at(start, end - start))
look('os.environ', repr(dict(os.environ)).encode())
look('sys.argv', repr(sys.argv).encode())
print(json.dumps(found))
"""


def snoop(server: LiveServer, words: list[str]) -> dict[str, Any]:
    """What the run found of `words` in every /proc file it could open, its stack and env."""
    code = f"WORDS = {words!r}\nOTHER_PIDS = {[str(server.process.pid)]!r}\n" + PROC_SNOOP
    report = run_on(server, code)
    assert report["error"] is None, report["error"]
    return json.loads(report["stdout"])


def test_no_environment_of_the_server_is_readable_anywhere_in_proc(
    isolated_server: LiveServer,
) -> None:
    # The run's stack still holds the environment its process was started with: the
    # fork-server's (OMP_NUM_THREADS=1 proves the scan works), never the server's.
    found = snoop(isolated_server, ["OMP_NUM_THREADS=1", "PLAYGROUND_", SECRET])
    assert found["stack"] == ["OMP_NUM_THREADS=1"]
    assert found["/proc/1/environ"] == "Permission denied"  # the keeper's
    assert found["/proc/self/environ"] in (["OMP_NUM_THREADS=1"], "Permission denied")
    leaks = {
        where: hits
        for where, hits in found.items()
        if isinstance(hits, list) and ("PLAYGROUND_" in hits or SECRET in hits)
    }
    assert leaks == {}


def test_the_data_dirs_path_is_not_visible_to_a_run(isolated_server: LiveServer) -> None:
    found = snoop(isolated_server, [DATA_MARK])
    assert [where for where, hits in found.items() if hits == [DATA_MARK]] == []


def listing_of_the_next_run(run_snippet) -> list[str]:
    report = run_snippet("import json, os\nprint(json.dumps(sorted(os.listdir('.'))))")
    return json.loads(report["stdout"])


def test_a_100_mb_file_is_refused_at_the_file_size_limit(run_snippet) -> None:
    code = (
        "chunk = b'\\0' * 2**20\nwith open('big.bin', 'wb') as f:\n"
        "    for _ in range(100):\n        f.write(chunk)\n"
    )
    report = run_snippet(code)
    assert error_of(report) == ("OSError", "[Errno 27] File too large")
    assert report["error"]["line"] == 4
    assert "big.bin" not in listing_of_the_next_run(run_snippet)


def test_a_hundred_thousand_files_run_out_of_space(run_snippet) -> None:
    code = (
        "made = 0\ntry:\n    for i in range(100_000):\n"
        "        with open(f'f{i}', 'w') as f:\n            f.write('x')\n        made += 1\n"
        "finally:\n    print(made)\n"
    )
    report, elapsed = timed(run_snippet, code, timeout_s=5, trace=False)
    assert error_of(report) == ("OSError", "[Errno 28] No space left on device")
    assert 1000 < int(report["stdout"]) < 100_000
    assert elapsed < 5
    assert listing_of_the_next_run(run_snippet) == []  # a fresh scratch dir
