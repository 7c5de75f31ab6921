"""What this host lets the fork-server build, found by trying, never assumed.

`choose_mode` forks a throw-away child that attempts the namespaces of each mode, strongest
first: as root, a slot's namespaces with a uid per slot; else a user namespace (rootless);
else nothing, which is refused unless the operator allowed running unsandboxed. `layers`
says what is in force, for health and the start-up log.
"""

from __future__ import annotations

import os
from typing import Any

from app.sandbox import isolation
from app.sandbox.cgroups import Cgroups
from app.sandbox.limits import ROOTLESS_UID
from app.sandbox.slot import SLOT_NAMESPACES, Mode, SandboxConfig

REFUSAL = (
    "This kernel refuses the namespaces the sandbox is built from ({detail}), so snippets "
    "could read the host's files and reach its network. Run the server as root, or allow "
    "unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1, or "
    "user.max_user_namespaces > 0, or lift an AppArmor restriction on them); only on a "
    "machine you alone use, set PLAYGROUND_ALLOW_UNSANDBOXED=1 to run without them."
)


def _child_succeeds(attempt) -> str | None:
    """Run `attempt()` in a forked child; None if it worked, else what went wrong."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            attempt()
            os._exit(0)
        except BaseException as exc:
            os.write(write, str(exc).encode()[:500])
            os._exit(1)
    os.close(write)
    message = os.read(read, 600).decode(errors="replace")
    os.close(read)
    _, status = os.waitpid(pid, 0)
    ok = os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    return None if ok else (message or f"status {status}")


def _try_root() -> None:
    isolation.unshare(SLOT_NAMESPACES)
    isolation.mount(None, "/", None, isolation.MS_REC | isolation.MS_PRIVATE)  # first: no
    isolation.mount("tmpfs", "/tmp", "tmpfs", 0, "size=4k")  # mount may reach the host


def _try_rootless() -> None:
    isolation.enter_user_namespace(SLOT_NAMESPACES, ROOTLESS_UID)
    isolation.mount(None, "/", None, isolation.MS_REC | isolation.MS_PRIVATE)


def choose_mode(allow_unsandboxed: bool) -> tuple[Mode | None, str]:
    """The strongest mode that works here, or (None, why) when none may be used."""
    problems = []
    if os.geteuid() == 0:
        failure = _child_succeeds(_try_root)
        if failure is None:
            return Mode.ROOT, ""
        problems.append(f"as root: {failure}")
    failure = _child_succeeds(_try_rootless)
    if failure is None:
        return Mode.ROOTLESS, ""
    problems.append(f"user namespace: {failure}")
    detail = "; ".join(problems)
    if allow_unsandboxed:
        return Mode.UNSANDBOXED, detail
    return None, REFUSAL.format(detail=detail)


def layers(config: SandboxConfig, cgroups: Cgroups | None) -> dict[str, Any]:
    """The isolation layers in force, as `/api/v1/health` lists them."""
    sandboxed = config.mode is not Mode.UNSANDBOXED
    if cgroups is not None:
        memory = f"cgroup v{cgroups.version}"
    elif config.watchdog:
        memory = "watchdog"
    else:
        memory = "rlimit"
    cpu_cgroup = cgroups is not None and "cpu" in cgroups.base
    return {
        "mode": str(config.mode),
        "namespaces": sandboxed,
        "private_root": sandboxed,
        "user_namespace": config.mode is Mode.ROOTLESS,
        "uid_per_run": config.mode is Mode.ROOT,
        "seccomp": config.seccomp_filter is not None,
        "landlock_abi": config.landlock_abi,
        "memory": memory,
        "pids": "cgroup" if cgroups is not None and "pids" in cgroups.base else "rlimit",
        "cpu": "cgroup weight + nice" if cpu_cgroup else "nice",
    }
