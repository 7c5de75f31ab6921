"""Thin wrappers over the kernel facilities the walls are made of, one function each
(unshare, mount, pivot_root, prctl, capabilities, ...), so slot.py, rootfs.py and worker.py
read as ordered lists of layers and tests can check each one.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
PR_SET_CHILD_SUBREAPER = 36
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4

MS_RDONLY = 0x1
MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_NOEXEC = 0x8
MS_REMOUNT = 0x20
MS_NOATIME = 0x400
MS_NODIRATIME = 0x800
MS_BIND = 0x1000
MS_REC = 0x4000
MS_PRIVATE = 0x40000
MS_RELATIME = 0x200000
MNT_DETACH = 2

SYS_PIVOT_ROOT = 155
SYS_CAPSET = 126
MFD_CLOEXEC = 1

_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


def _check(result: int, what: str) -> int:
    if result < 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")
    return result


def unshare(flags: int) -> None:
    """Move this process into new namespaces (raises OSError when the kernel refuses)."""
    _check(_libc.unshare(ctypes.c_int(flags)), f"unshare({flags:#x})")


def enter_user_namespace(flags: int, inside: int) -> None:
    """Unshare a new user namespace (with `flags`' other namespaces, which it then owns) in
    which our own uid and gid, and nothing else, are `inside`.

    One mapping of the caller's own ids needs no privilege (user_namespaces(7)); they must
    be read before the unshare (after it they read as the overflow id), and setgroups must
    be denied before the gid map may be written.
    """
    uid, gid = os.getuid(), os.getgid()
    unshare(CLONE_NEWUSER | flags)
    with open("/proc/self/setgroups", "w") as f:
        f.write("deny")
    with open("/proc/self/uid_map", "w") as f:
        f.write(f"{inside} {uid} 1")
    with open("/proc/self/gid_map", "w") as f:
        f.write(f"{inside} {gid} 1")


def die_with_parent() -> None:
    """SIGKILL this process when its parent dies; exit now if the parent is already gone."""
    parent = os.getppid()
    _check(_libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl(PR_SET_PDEATHSIG)")
    if os.getppid() != parent:
        os._exit(1)


def forbid_new_privileges() -> None:
    """setuid binaries and file capabilities grant nothing from here on."""
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)")


def set_dumpable(dumpable: bool) -> None:
    """Whether others of our uid may read our /proc/<pid>/fd, mem, smaps (and ptrace us,
    which seccomp denies a run anyway). The keeper is not; its workers are, so the keeper
    can read their memory use: the flag is inherited, and a worker's mm belongs to the
    initial user namespace, where a rootless keeper has no CAP_SYS_PTRACE."""
    _check(_libc.prctl(PR_SET_DUMPABLE, int(dumpable), 0, 0, 0), "prctl(PR_SET_DUMPABLE)")


def become_subreaper() -> None:
    """Orphans of our descendants come to us, so they can be reaped and killed."""
    _check(_libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), "prctl(PR_SET_CHILD_SUBREAPER)")


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


def drop_all_capabilities() -> None:
    """Empty every capability set, the bounding and ambient sets included.

    What makes a worker that keeps its uid (the rootless mode's single mapped user) as weak
    as one that changed it: a user namespace's creator holds every capability in it.
    """
    cap = 0
    while _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0:
        cap += 1
    _libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    header = _CapHeader(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
    data = (_CapData * 2)()
    _check(_libc.syscall(SYS_CAPSET, ctypes.byref(header), data), "capset")


def set_oom_score_adj(value: int) -> None:
    """How the kernel's OOM killer ranks us: 1000 first, -1000 never (lowering it needs
    CAP_SYS_RESOURCE, which even root may lack: so workers raise theirs instead)."""
    with open("/proc/self/oom_score_adj", "w") as f:
        f.write(str(value))


def close_inherited_fds(keep: set[int]) -> None:
    """Close every descriptor but `keep`: the server's sockets, logs and database stay out."""
    start = 0
    for fd in [*sorted(keep), None]:
        end = 1 << 20 if fd is None else fd
        if start < end:
            os.closerange(start, end)
        if fd is not None:
            start = fd + 1


def standard_fds(stdout: int, stderr: int) -> None:
    """stdin reads nothing; fds 1 and 2 are the run's capture files (made by the keeper)."""
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    for fd, target in ((1, stdout), (2, stderr)):
        if target != fd:
            os.dup2(target, fd)


def capture_file(name: str) -> int:
    """An anonymous in-memory file for a run's output (never a path a run could replace)."""
    return os.memfd_create(name, MFD_CLOEXEC)


def scrub_environment(home: str) -> None:
    """Nothing of the server's environment reaches the snippet."""
    os.environ.clear()
    os.environ.update(
        {
            "HOME": home,
            "TMPDIR": home,
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "MPLBACKEND": "Agg",
            "OMP_NUM_THREADS": "1",
        }
    )
    import tempfile

    tempfile.tempdir = None  # cached from the parent: recompute from TMPDIR


def drop_privileges(uid: int) -> None:
    """Become an unprivileged user of our own (uid = gid), so RLIMIT_NPROC binds and the
    server's files (0600/0700, owned by root) are out of reach."""
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)


def mount(source: str | None, target: str, fstype: str | None, flags: int, data: str = "") -> None:
    result = _libc.mount(
        None if source is None else source.encode(),
        target.encode(),
        None if fstype is None else fstype.encode(),
        ctypes.c_ulong(flags),
        data.encode() if data else None,
    )
    _check(result, f"mount {source} -> {target}")


def umount(target: str) -> None:
    """Lazily detach the mount at `target`: its files go when unused."""
    _check(_libc.umount2(target.encode(), MNT_DETACH), f"umount {target}")


def pivot_root(new_root: str, put_old: str) -> None:
    _check(
        _libc.syscall(SYS_PIVOT_ROOT, new_root.encode(), put_old.encode()),
        f"pivot_root {new_root}",
    )


_STATVFS_TO_MOUNT = (
    (os.ST_NOSUID, MS_NOSUID), (os.ST_NODEV, MS_NODEV), (os.ST_NOEXEC, MS_NOEXEC),
    (os.ST_NOATIME, MS_NOATIME), (os.ST_NODIRATIME, MS_NODIRATIME),
    (os.ST_RELATIME, MS_RELATIME),
)  # fmt: skip


def locked_flags(path: str) -> int:
    """The mount flags `path` already has: a bind remount in a user namespace must keep
    them (the kernel locks them), and keeping them is right in any case."""
    flags = os.statvfs(path).f_flag
    return sum(ms for st, ms in _STATVFS_TO_MOUNT if flags & st)


def bind_read_only(source: str, target: str) -> None:
    """`source` appears at `target`, read-only, no setuid, whatever it was."""
    mount(source, target, None, MS_BIND | MS_REC)
    flags = MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | locked_flags(source)
    mount(None, target, None, flags)


def mount_proc(target: str = "/proc") -> None:
    """/proc of this pid namespace: a run sees its own processes only."""
    mount("proc", target, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)


def set_hostname(name: str) -> None:
    _check(_libc.sethostname(name.encode(), len(name)), "sethostname")
