"""The child's walls, one function per layer, applied before it sees user code.

Each function is a thin wrapper over one kernel facility (setsid, prctl, unshare, ...),
so `worker.py` reads as the ordered list of layers and tests can check each one.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import socket

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
PR_SET_PDEATHSIG = 1
PR_SET_NO_NEW_PRIVS = 38

_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


def unshare(flags: int) -> None:
    """Move this process into new namespaces (raises OSError when the kernel refuses)."""
    if _libc.unshare(ctypes.c_int(flags)) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"unshare({flags:#x}): {os.strerror(errno)}")


def die_with_parent() -> None:
    """SIGKILL this process when its parent dies; exit now if the parent is already gone."""
    parent = os.getppid()
    if _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG)")
    if os.getppid() != parent:
        os._exit(1)


def forbid_new_privileges() -> None:
    """setuid binaries and file capabilities grant nothing from here on."""
    if _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")


def close_inherited_fds(keep: set[int]) -> None:
    """Close every descriptor but `keep`: the server's sockets, logs and database stay out."""
    start = 0
    for fd in sorted(keep) + [None]:
        end = 1 << 20 if fd is None else fd
        if start < end:
            os.closerange(start, end)
        if fd is not None:
            start = fd + 1


def redirect_standard_fds(workdir: str) -> None:
    """stdin reads nothing; C-level stdout/stderr go to files in the scratch dir, where the
    fork-server can still find them if the child dies without a report."""
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    for fd, name in ((1, "stdout"), (2, "stderr")):
        target = os.open(os.path.join(workdir, f".{name}"), os.O_WRONLY | os.O_CREAT, 0o600)
        os.dup2(target, fd)
        os.close(target)


def scrub_environment(workdir: str) -> None:
    """Nothing of the server's environment reaches the snippet."""
    os.environ.clear()
    os.environ.update(
        {
            "HOME": workdir,
            "TMPDIR": workdir,
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "MPLBACKEND": "Agg",
            "OMP_NUM_THREADS": "1",
        }
    )
    import tempfile

    tempfile.tempdir = None  # cached from the parent: recompute from TMPDIR


def block_sockets() -> None:
    """Fallback when no network namespace is available: refuse every non-AF_UNIX socket.

    Weaker than a namespace (ctypes could bypass it), so the fork-server logs when it is used.
    """
    original = socket.socket

    class GuardedSocket(original):
        def __init__(self, family: int = -1, *args: object, **kwargs: object) -> None:
            if family not in (socket.AF_UNIX, -1) or (family == -1 and not kwargs.get("fileno")):
                raise PermissionError("network access is disabled in the playground")
            super().__init__(family, *args, **kwargs)

    socket.socket = GuardedSocket  # type: ignore[misc]

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError("network access is disabled in the playground")

    socket.getaddrinfo = refuse  # type: ignore[assignment]
    socket.create_connection = refuse  # type: ignore[assignment]
