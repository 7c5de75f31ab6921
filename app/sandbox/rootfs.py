"""A private root per slot: a tmpfs holding only what a run needs, pivoted into.

    /                  tmpfs, read-only once built
    ├── <runtime>      the interpreter, its stdlib, the environment's site-packages: read-only
    ├── usr/lib ...    the shared libraries they load: read-only (links kept as links)
    ├── etc/           passwd and group naming only the slot's user, hosts, nsswitch.conf,
    │                  localtime, ld.so.cache
    ├── dev/           null zero full random urandom; fd, stdin.. links; shm -> the scratch
    ├── proc/          the slot's own /proc (its pid namespace's)
    └── tmp/           the run's scratch tmpfs, new for every run: the only writable place
                       (/scratch instead, when the runtime itself lies under /tmp)

A run that lists `/` sees that and nothing else: no /home, /root, /run, /srv, /var, no
project, no data dir, no host sockets. The plan is computed once in the fork-server (pure,
testable); `build` carries it out in a slot's fresh namespaces, as their pid 1.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

from app.sandbox import isolation
from app.sandbox.limits import DEV_TMPFS_OPTIONS, ROOT_TMPFS_OPTIONS

SYSTEM_DIRS = ("/usr/lib", "/usr/lib64", "/lib", "/lib64", "/usr/share/fonts")
"""Shared libraries (and fonts, for plots with text in other scripts), where the host has
them. On merged-/usr systems `/lib` is a link, and stays one."""
DEVICES = ("null", "zero", "full", "random", "urandom")
DEV_LINKS = {
    "fd": "/proc/self/fd", "stdin": "/proc/self/fd/0", "stdout": "/proc/self/fd/1",
    "stderr": "/proc/self/fd/2",
}  # fmt: skip
HOME = "/tmp"
HOME_BESIDE_TMP = "/scratch"
"""The run's scratch dir, also HOME, TMPDIR, cwd and /dev/shm: /tmp, unless the runtime itself
lives under /tmp (a checkout in /tmp, say), whose binds the scratch must not cover."""
ETC_COPIES = ("/etc/localtime", "/etc/ld.so.cache")
HOSTNAME = "playground"
USER_NAME = "student"


@dataclass(frozen=True, slots=True)
class RootPlan:
    """What a slot's root holds, all as absolute host paths."""

    binds: tuple[str, ...]
    """Directories bound read-only at the same path."""
    links: tuple[tuple[str, str], ...]
    """(path, target): symlinks recreated as they are on the host."""
    covers: tuple[str, ...]
    """Directories inside a bound one that get an empty tmpfs over them (secrets)."""
    copies: tuple[str, ...]
    """Small files copied into the root's /etc."""
    home: str = HOME
    """Where the keeper mounts each run's scratch tmpfs."""


def plan(runtime: list[str], secret: list[str]) -> RootPlan:
    """The root for `runtime` paths (interpreter, site-packages): bind what exists, keep
    links as links, and cover any `secret` directory that a bound one contains."""
    binds: set[str] = set()
    links: dict[str, str] = {}
    for path in [*runtime, *SYSTEM_DIRS]:
        if not os.path.isabs(path) or not os.path.exists(path):
            continue
        if os.path.islink(path) and path in SYSTEM_DIRS:
            links[path] = os.readlink(path)
            continue
        real = os.path.realpath(path)
        if os.path.isdir(real):
            binds.add(real)
    secrets = {os.path.realpath(s) for s in secret}
    kept = sorted(binds - secrets)
    top = [b for b in kept if not any(b != other and _within(b, other) for other in kept)]
    covers = sorted(s for s in secrets if any(_within(s, b) and s != b for b in top))
    copies = tuple(p for p in ETC_COPIES if os.path.isfile(p))
    home = HOME_BESIDE_TMP if any(_within(b, HOME) for b in top) else HOME
    return RootPlan(tuple(top), tuple(sorted(links.items())), tuple(covers), copies, home)


def runtime_paths(project: str) -> list[str]:
    """Where the interpreter and its packages live; the project's own directory is left out
    (everything of it a run needs is imported before any fork)."""
    paths = [sys.prefix, sys.base_prefix, sys.exec_prefix, *sys.path]
    project = os.path.realpath(project)
    return [p for p in paths if p and os.path.realpath(p) != project]


def build(root_plan: RootPlan, mount_point: str, uid: int) -> None:
    """In a fresh mount namespace, as pid 1 of a fresh pid namespace: assemble the root at
    `mount_point`, with this namespace's /proc, and pivot into it.

    Afterwards `/` is the new root (read-only), the host's tree is detached, and the cwd is
    `/`. /proc is mounted before the pivot: in a user namespace the kernel mounts a new proc
    only while a fully visible one is in sight. The keeper then mounts each run's `/tmp`.
    """
    isolation.mount(None, "/", None, isolation.MS_REC | isolation.MS_PRIVATE)
    isolation.mount(
        "tmpfs", mount_point, "tmpfs", isolation.MS_NOSUID | isolation.MS_NODEV,
        f"mode=0755,{ROOT_TMPFS_OPTIONS}",
    )  # fmt: skip
    inside = lambda path: mount_point + path  # noqa: E731
    for path in root_plan.binds:
        os.makedirs(inside(path), mode=0o755, exist_ok=True)
        isolation.bind_read_only(path, inside(path))
    for path in root_plan.covers:
        isolation.mount(
            "tmpfs", inside(path), "tmpfs",
            isolation.MS_NOSUID | isolation.MS_NODEV | isolation.MS_RDONLY, "size=4k",
        )  # fmt: skip
    for path, target in root_plan.links:
        os.makedirs(os.path.dirname(inside(path)), mode=0o755, exist_ok=True)
        os.symlink(target, inside(path))
    _write_etc(inside("/etc"), root_plan.copies, uid)
    _make_dev(inside("/dev"), root_plan.home)
    for empty in ("/proc", root_plan.home):
        os.makedirs(inside(empty), mode=0o755, exist_ok=True)
    isolation.mount_proc(inside("/proc"))
    old = inside("/.host")
    os.mkdir(old, 0o700)
    isolation.pivot_root(mount_point, old)
    os.chdir("/")
    isolation.umount("/.host")
    os.rmdir("/.host")
    isolation.mount(
        None, "/", None,
        isolation.MS_REMOUNT | isolation.MS_RDONLY | isolation.MS_NOSUID | isolation.MS_NODEV,
    )  # fmt: skip


def etc_files(uid: int) -> dict[str, str]:
    """The generated part of the root's /etc: one user, the slot's, and loopback only."""
    return {
        "passwd": f"{USER_NAME}:x:{uid}:{uid}:playground run:/tmp:/usr/sbin/nologin\n",
        "group": f"{USER_NAME}:x:{uid}:\n",
        "hosts": f"127.0.0.1\tlocalhost {HOSTNAME}\n::1\tlocalhost\n",
        "nsswitch.conf": "passwd: files\ngroup: files\nhosts: files\n",
        "hostname": f"{HOSTNAME}\n",
        "resolv.conf": "",
    }


def _write_etc(etc: str, copies: tuple[str, ...], uid: int) -> None:
    os.makedirs(etc, mode=0o755, exist_ok=True)
    for name, text in etc_files(uid).items():
        _write(os.path.join(etc, name), text.encode())
    for path in copies:
        with open(path, "rb") as f:
            _write(os.path.join(etc, os.path.basename(path)), f.read())


def _make_dev(dev: str, home: str) -> None:
    os.makedirs(dev, mode=0o755, exist_ok=True)
    isolation.mount("tmpfs", dev, "tmpfs", isolation.MS_NOSUID | isolation.MS_NOEXEC,
                    f"mode=0755,{DEV_TMPFS_OPTIONS}")  # fmt: skip
    for name in DEVICES:
        target = os.path.join(dev, name)
        _write(target, b"")
        isolation.mount(f"/dev/{name}", target, None, isolation.MS_BIND)
        isolation.mount(
            None, target, None,
            isolation.MS_BIND | isolation.MS_REMOUNT | isolation.MS_NOSUID
            | isolation.MS_NOEXEC | isolation.locked_flags(f"/dev/{name}"),
        )  # fmt: skip
    for name, target in {**DEV_LINKS, "shm": home}.items():
        os.symlink(target, os.path.join(dev, name))
    isolation.mount(
        None, dev, None,
        isolation.MS_REMOUNT | isolation.MS_RDONLY | isolation.MS_NOSUID | isolation.MS_NOEXEC,
    )  # fmt: skip


def _write(path: str, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def _within(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip("/") + "/")
