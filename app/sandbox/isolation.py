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
    for fd in [*sorted(keep), None]:
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


MS_RDONLY = 0x1
MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_REMOUNT = 0x20
MS_BIND = 0x1000
MS_REC = 0x4000
MS_PRIVATE = 0x40000


def mount(source: str | None, target: str, fstype: str | None, flags: int, data: str = "") -> None:
    result = _libc.mount(
        None if source is None else source.encode(),
        target.encode(),
        None if fstype is None else fstype.encode(),
        ctypes.c_ulong(flags),
        data.encode() if data else None,
    )
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"mount {source} -> {target}: {os.strerror(errno)}")


def plan_hidden_paths(runtime: list[str], secret: list[str]) -> dict[str, list[str]]:
    """Which directories a slot covers with an empty tmpfs, and what it binds back inside.

    Covered: each `secret` directory (the project, its data, /tmp), and each directory an
    unprivileged user could not enter anyway (root's 0700 home holding pyenv). Bound back,
    read-only: the `runtime` paths (interpreter, site-packages) that lie below a covered one.
    """
    real_runtime = sorted({os.path.realpath(p) for p in runtime if os.path.exists(p)})
    hidden = {os.path.realpath(d) for d in secret}
    for path in real_runtime:
        parts = path.split("/")
        for depth in range(2, len(parts)):
            ancestor = "/".join(parts[:depth])
            if not os.stat(ancestor).st_mode & 0o001:
                hidden.add(ancestor)
                break
    plan: dict[str, list[str]] = {}
    for covered in sorted(hidden):
        if any(covered.startswith(other + "/") for other in hidden):
            continue  # already inside another covered directory
        below = [p for p in real_runtime if p.startswith(covered + "/")]
        plan[covered] = [p for p in below if not any(p.startswith(b + "/") for b in below)]
    return plan


def expose_below_hidden(plan: dict[str, list[str]]) -> None:
    """In this (new, private) mount namespace, carry out `plan_hidden_paths`' plan.

    Each path to bind back is first cloned as a detached mount (open_tree), so it stays
    reachable after the directory above it is covered, wherever that directory is.
    """
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    for covered, exposed in plan.items():
        if not os.path.isdir(covered):
            continue
        clones = [(_open_tree(path), path) for path in exposed]
        mount("tmpfs", covered, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=64k")
        for fd, path in clones:
            os.makedirs(path, exist_ok=True)
            _move_mount(fd, path)
            os.close(fd)
            mount(None, path, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID)


SYS_OPEN_TREE = 428
SYS_MOVE_MOUNT = 429
AT_FDCWD = -100
AT_RECURSIVE = 0x8000
OPEN_TREE_CLONE = 1
MOVE_MOUNT_F_EMPTY_PATH = 0x4


def _open_tree(path: str) -> int:
    flags = OPEN_TREE_CLONE | os.O_CLOEXEC | AT_RECURSIVE
    fd = _libc.syscall(SYS_OPEN_TREE, AT_FDCWD, path.encode(), ctypes.c_uint(flags))
    if fd < 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"open_tree {path}: {os.strerror(errno)}")
    return fd


def _move_mount(fd: int, target: str) -> None:
    result = _libc.syscall(
        SYS_MOVE_MOUNT, fd, b"", AT_FDCWD, target.encode(), ctypes.c_uint(MOVE_MOUNT_F_EMPTY_PATH)
    )
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"move_mount -> {target}: {os.strerror(errno)}")


def drop_privileges(uid: int) -> None:
    """Become an unprivileged user of our own (uid = gid), so RLIMIT_NPROC binds and the
    server's files (0600/0700, owned by root) are out of reach."""
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)


def umount(target: str) -> None:
    """Lazily detach the mount at `target` (MNT_DETACH): its files go when unused."""
    if _libc.umount2(target.encode(), 2) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"umount {target}: {os.strerror(errno)}")


def mount_private_proc() -> None:
    """/proc of this pid namespace: a run sees its own processes only."""
    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | 0x8)  # 0x8: MS_NOEXEC
