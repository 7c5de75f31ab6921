"""The seccomp filter, loaded in a throwaway forked child: what it denies and what it allows."""

from __future__ import annotations

import ctypes
import os
import socket

import pytest

from app.sandbox import isolation, seccomp

pytestmark = pytest.mark.skipif(not seccomp.supported(), reason="the filter is x86_64 only")


def in_filtered_child(probe) -> int:
    """Run `probe()` in a forked child under the filter; its return value is the exit code."""
    program = seccomp.build_filter()
    pid = os.fork()
    if pid == 0:
        try:
            isolation.forbid_new_privileges()
            seccomp.load_filter(program)
            os._exit(probe())
        except BaseException:
            os._exit(99)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def errno_of(call) -> int:
    try:
        call()
    except OSError as exc:
        return exc.errno or 0
    return 0


def test_inet_sockets_are_refused_and_unix_sockets_allowed() -> None:
    def probe() -> int:
        inet = errno_of(lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM))
        unix = errno_of(lambda: socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).close())
        return 1 if inet == 13 and unix == 0 else 2

    assert in_filtered_child(probe) == 1


def test_namespace_changes_and_ptrace_are_denied() -> None:
    def probe() -> int:
        libc = ctypes.CDLL(None, use_errno=True)
        results = [
            libc.unshare(isolation.CLONE_NEWNET),
            libc.syscall(seccomp.DENIED["ptrace"], 0, 0, 0, 0),
            libc.syscall(seccomp.DENIED["io_uring_setup"], 1, 0),
            libc.syscall(seccomp.DENIED["bpf"], 0, 0, 0),
        ]
        return 1 if results == [-1, -1, -1, -1] else 2

    assert in_filtered_child(probe) == 1


def test_fork_threads_and_files_still_work() -> None:
    def probe() -> int:
        import threading

        child = os.fork()
        if child == 0:
            os._exit(7)
        _, status = os.waitpid(child, 0)
        thread = threading.Thread(target=lambda: None)
        thread.start()
        thread.join()
        with open(os.devnull, "rb") as f:
            f.read()
        return 1 if os.waitstatus_to_exitcode(status) == 7 else 2

    assert in_filtered_child(probe) == 1


SCMP_ARCH_X86_64 = 0xC000003E


def libseccomp_number(name: str) -> int | None:
    """The syscall number libseccomp's own table gives `name` on x86_64 (None: unknown)."""
    lib = ctypes.CDLL("libseccomp.so.2")
    lib.seccomp_syscall_resolve_name_arch.argtypes = [ctypes.c_uint32, ctypes.c_char_p]
    number = lib.seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, name.encode())
    return None if number < 0 else number


@pytest.mark.parametrize("name", sorted(seccomp.DENIED))
def test_each_denied_number_is_the_one_libseccomp_knows(name: str) -> None:
    expected = libseccomp_number(name)
    if expected is None:
        pytest.skip(f"libseccomp {name!r} is newer than this libseccomp")
    assert seccomp.DENIED[name] == expected


def test_the_filters_own_numbers_are_libseccomps_too() -> None:
    assert (
        libseccomp_number("socket"),
        libseccomp_number("clone"),
        libseccomp_number("clone3"),
    ) == (seccomp.SYS_SOCKET, seccomp.SYS_CLONE, seccomp.SYS_CLONE3)


@pytest.mark.parametrize(
    "name", ["memfd_create", "execveat", "personality", "setsid", "setpgid", "shmget",
             "pidfd_getfd", "open_by_handle_at", "userfaultfd", "keyctl", "mount"],
)  # fmt: skip
def test_what_an_attacker_likes_is_denied_with_eperm(name: str) -> None:
    def probe() -> int:
        libc = ctypes.CDLL(None, use_errno=True)
        result = libc.syscall(seccomp.DENIED[name], 0, 0, 0, 0, 0)
        return 1 if result == -1 and ctypes.get_errno() == 1 else 2

    assert in_filtered_child(probe) == 1
