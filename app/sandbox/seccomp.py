"""A seccomp filter, built once in the fork-server and loaded by every worker.

A deny-list, on purpose: an allow-list for CPython, torch, NumPy, OpenMP and matplotlib is
hundreds of calls long, moves with every release of each, and fails as a crash in the middle
of a student's snippet; what a snippet must never do is a short, stable class. Denied: the
kernel attack surface a learner never needs (io_uring, bpf, perf, userfaultfd, keyrings,
modules, kexec, personality), changes to mounts and namespaces, other processes' memory and
fds (ptrace, process_vm_*, pidfd_getfd, kcmp), file handles that bypass the private root
(name_to_handle_at, open_by_handle_at), memory no limit counts and code from it (memfd_create,
memfd_secret, execveat, SysV shm), leaving the run's session and process group (setsid,
setpgid: the keeper lowers a long run's priority by its group), the clock, the host name,
swap and reboot. Sockets other than AF_UNIX, and clone() with namespace flags, are refused
by argument; clone3() answers ENOSYS so libc falls back to clone(), whose flags the filter
can read. Classic BPF written out here: no libseccomp binding is needed at run time, and the
numbers are checked against libseccomp's own table by tests/test_seccomp.py.
"""

from __future__ import annotations

import ctypes
import errno
import platform
import struct

from app.sandbox.isolation import _libc

PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
AUDIT_ARCH_X86_64 = 0xC000003E
SECCOMP_RET_KILL_PROCESS = 0x80000000
SECCOMP_RET_ERRNO = 0x00050000
SECCOMP_RET_ALLOW = 0x7FFF0000
BPF_LD_W_ABS = 0x20
BPF_JEQ_K = 0x15
BPF_JGE_K = 0x35
BPF_JSET_K = 0x45
BPF_RET_K = 0x06
OFFSET_NR = 0
OFFSET_ARCH = 4
OFFSET_ARG0 = 16
X32_SYSCALL_BIT = 0x40000000
AF_UNIX = 1
NAMESPACE_FLAGS = 0x7E020080  # CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET|NEWTIME

# x86_64 syscall numbers
SYS_SOCKET = 41
SYS_CLONE = 56
SYS_CLONE3 = 435
DENIED = {
    # other processes
    "ptrace": 101,
    "process_vm_readv": 310,
    "process_vm_writev": 311,
    "kcmp": 312,
    "pidfd_getfd": 438,
    "process_madvise": 440,
    # mounts, roots and namespaces
    "mount": 165,
    "umount2": 166,
    "pivot_root": 155,
    "chroot": 161,
    "unshare": 272,
    "setns": 308,
    "open_tree": 428,
    "move_mount": 429,
    "fsopen": 430,
    "fsconfig": 431,
    "fsmount": 432,
    "fspick": 433,
    "mount_setattr": 442,
    "name_to_handle_at": 303,
    "open_by_handle_at": 304,
    # kernel attack surface
    "bpf": 321,
    "perf_event_open": 298,
    "userfaultfd": 323,
    "io_uring_setup": 425,
    "io_uring_enter": 426,
    "io_uring_register": 427,
    "keyctl": 250,
    "add_key": 248,
    "request_key": 249,
    "personality": 135,
    "lookup_dcookie": 212,
    "fanotify_init": 300,
    "uselib": 134,
    "ustat": 136,
    "sysfs": 139,
    "_sysctl": 156,
    # the machine
    "kexec_load": 246,
    "kexec_file_load": 320,
    "init_module": 175,
    "finit_module": 313,
    "delete_module": 176,
    "swapon": 167,
    "swapoff": 168,
    "reboot": 169,
    "acct": 163,
    "quotactl": 179,
    "quotactl_fd": 443,
    "vhangup": 153,
    "iopl": 172,
    "ioperm": 173,
    "syslog": 103,
    "settimeofday": 164,
    "clock_settime": 227,
    "clock_adjtime": 305,
    "adjtimex": 159,
    "sethostname": 170,
    "setdomainname": 171,
    "migrate_pages": 256,
    "move_pages": 279,
    # memory no limit counts, and running code from it
    "memfd_create": 319,
    "memfd_secret": 447,
    "execveat": 322,
    "shmget": 29,
    "shmat": 30,
    "shmctl": 31,
    # leaving the run's session or process group
    "setsid": 112,
    "setpgid": 109,
}


def _insn(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
    return struct.pack("HBBI", code, jt, jf, k)


def build_filter() -> bytes:
    """The filter program as the kernel's packed `struct sock_filter[]`."""
    deny = SECCOMP_RET_ERRNO | errno.EPERM
    program = [
        _insn(BPF_LD_W_ABS, OFFSET_ARCH),
        _insn(BPF_JEQ_K, AUDIT_ARCH_X86_64, 1, 0),
        _insn(BPF_RET_K, SECCOMP_RET_KILL_PROCESS),
        _insn(BPF_LD_W_ABS, OFFSET_NR),
        _insn(BPF_JGE_K, X32_SYSCALL_BIT, 0, 1),
        _insn(BPF_RET_K, deny),
        # socket(domain, ...): AF_UNIX only
        _insn(BPF_JEQ_K, SYS_SOCKET, 0, 4),
        _insn(BPF_LD_W_ABS, OFFSET_ARG0),
        _insn(BPF_JEQ_K, AF_UNIX, 0, 1),
        _insn(BPF_RET_K, SECCOMP_RET_ALLOW),
        _insn(BPF_RET_K, SECCOMP_RET_ERRNO | errno.EACCES),
        # clone(flags, ...): no new namespaces
        _insn(BPF_JEQ_K, SYS_CLONE, 0, 4),
        _insn(BPF_LD_W_ABS, OFFSET_ARG0),
        _insn(BPF_JSET_K, NAMESPACE_FLAGS, 0, 1),
        _insn(BPF_RET_K, deny),
        _insn(BPF_RET_K, SECCOMP_RET_ALLOW),
        _insn(BPF_JEQ_K, SYS_CLONE3, 0, 1),
        _insn(BPF_RET_K, SECCOMP_RET_ERRNO | errno.ENOSYS),
    ]
    for number in sorted(DENIED.values()):
        program += [_insn(BPF_JEQ_K, number, 0, 1), _insn(BPF_RET_K, deny)]
    program.append(_insn(BPF_RET_K, SECCOMP_RET_ALLOW))
    return b"".join(program)


def supported() -> bool:
    return platform.machine() == "x86_64"


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def load_filter(program: bytes) -> None:
    """Install `program` for this process and its future children (needs NO_NEW_PRIVS)."""
    buffer = ctypes.create_string_buffer(program, len(program))
    fprog = _SockFprog(len(program) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    if _libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_SECCOMP)")
