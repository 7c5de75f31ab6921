"""What each isolation layer costs, measured in forked children of a warm torch process.

    sudo .venv/bin/python bench/isolation_cost.py [--runs 40]

A run's critical path pays none of the slot layers (a slot is opened once) and none of the
worker layers either: workers are forked and walled in before a run is requested. These
figures say what a slot, a worker and the per-run reset cost, layer by layer, in the order
slot.py and worker.py apply them. Needs root (namespaces, cgroups, the uid change).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.sandbox import cgroups, isolation, landlock, rootfs, seccomp
from app.sandbox.limits import RunLimits, apply_rlimits, current_virtual_size
from app.sandbox.slot import SLOT_NAMESPACES
from app.sandbox.warmup import warm_up

REPORT_FD = 63  # the child's result pipe, kept open through "close inherited fds"
Steps = list[tuple[str, Callable[[], object]]]


def timed_steps(steps: Steps) -> dict[str, float]:
    timings: dict[str, float] = {}
    for name, step in steps:
        started = time.perf_counter()
        step()
        timings[name] = (time.perf_counter() - started) * 1000
    return timings


def in_child(body: Callable[[], dict[str, float]]) -> dict[str, float]:
    """Fork; the child runs `body` and sends back its timings (ms)."""
    read_end, write_end = os.pipe()
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        os.dup2(write_end, REPORT_FD)
        try:
            timings = {"fork (child side)": (time.perf_counter() - started) * 1000, **body()}
        except BaseException as exc:  # report what broke, do not hang the parent
            timings = {"error": repr(exc)}  # type: ignore[dict-item]
        os.write(REPORT_FD, json.dumps(timings).encode())
        os._exit(0)
    fork_ms = (time.perf_counter() - started) * 1000
    os.close(write_end)
    data = b""
    while chunk := os.read(read_end, 65536):
        data += chunk
    os.close(read_end)
    os.waitpid(pid, 0)
    return {**json.loads(data), "fork (parent side)": fork_ms}


def slot_body(
    plan: rootfs.RootPlan, mount_point: str, uid: int, procs: list[int]
) -> Callable[[], dict]:
    def body() -> dict[str, float]:
        timings = timed_steps([
            ("slot: unshare pid+net+mount+uts+ipc", lambda: isolation.unshare(SLOT_NAMESPACES)),
        ])  # fmt: skip
        read_end, write_end = os.pipe()
        if os.fork() == 0:  # the keeper: pid 1 of the new namespace builds the root
            try:
                built = keeper_steps()
            except BaseException as exc:
                built = {"error": repr(exc)}  # type: ignore[dict-item]
            os.write(write_end, json.dumps(built).encode())
            os._exit(0)
        os.close(write_end)
        data = os.read(read_end, 65536)
        os.wait()
        return {**timings, **json.loads(data)}

    def keeper_steps() -> dict[str, float]:
        return timed_steps([
            ("slot: the keeper joins the slot's cgroups", lambda: cgroups.join(procs)),
                ("slot: build the private root, its /proc, pivot into it",
                 lambda: rootfs.build(plan, mount_point, uid)),
                ("per run: fresh tmpfs on /tmp", lambda: isolation.mount(
                    "tmpfs", "/tmp", "tmpfs", 0, f"mode=0700,size=64m,uid={uid}")),
                ("per run: two capture memfds",
                 lambda: (isolation.capture_file("o"), isolation.capture_file("e"))),
            ])  # fmt: skip

    return body


def worker_body(limits: RunLimits, base: int, program: bytes, uid: int) -> Callable[[], dict]:
    def body() -> dict[str, float]:
        scratch = tempfile.mkdtemp()
        os.chmod(scratch, 0o777)
        return timed_steps([
            ("worker: rank first for the OOM killer", lambda: isolation.set_oom_score_adj(1000)),
            ("worker: setsid", os.setsid),
            ("worker: close inherited fds",
             lambda: isolation.close_inherited_fds({0, 1, 2, REPORT_FD})),
            ("worker: unshare ipc", lambda: isolation.unshare(isolation.CLONE_NEWIPC)),
            ("worker: drop to the slot's uid", lambda: isolation.drop_privileges(uid)),
            ("worker: PDEATHSIG, dumpable", lambda: (
                isolation.die_with_parent(), isolation.set_dumpable(True))),
            ("worker: scrub environment", lambda: isolation.scrub_environment(scratch)),
            ("worker: NO_NEW_PRIVS", isolation.forbid_new_privileges),
            ("worker: rlimits", lambda: apply_rlimits(limits, base)),
            ("worker: Landlock", lambda: landlock.restrict_writes_to(
                scratch, landlock.abi_version())),
            ("worker: seccomp filter", lambda: seccomp.load_filter(program)),
        ])  # fmt: skip

    return body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("run as root: namespaces, cgroups and the uid change need it")
    warm_up()
    project = str(Path(__file__).resolve().parents[1])
    plan = rootfs.plan(rootfs.runtime_paths(project), [project])
    limits = RunLimits()
    uid = 299_999
    groups = cgroups.probe(limits, f"tensor-playground-bench-{os.getpid()}")
    results: dict[str, list[float]] = {}

    def record(timings: dict[str, float]) -> None:
        if "error" in timings:
            raise SystemExit(timings["error"])
        for name, ms in timings.items():
            results.setdefault(name, []).append(ms)

    try:
        for i in range(args.runs):
            started = time.perf_counter()
            group = groups.make_slot(f"bench-{i}") if groups is not None else None
            record({"slot: make its cgroups, set limits": (time.perf_counter() - started) * 1000})
            procs = group.open_procs() if group is not None else []
            mount_point = tempfile.mkdtemp()
            record(in_child(slot_body(plan, mount_point, uid, procs)))
            for fd in procs:
                os.close(fd)
            if group is not None and groups is not None:
                groups.drop_slot(group)
            os.rmdir(mount_point)
        body = worker_body(limits, current_virtual_size(), seccomp.build_filter(), uid)
        for _ in range(args.runs):
            record(in_child(body))
    finally:
        if groups is not None:
            groups.remove()
    print(f"{'layer':<60}{'median ms':>10}{'p90 ms':>9}")
    for name, samples in results.items():
        samples.sort()
        p90 = samples[int(0.9 * (len(samples) - 1))]
        print(f"{name:<60}{statistics.median(samples):>10.3f}{p90:>9.3f}")

    def total(prefix: str) -> float:
        return sum(statistics.median(v) for k, v in results.items() if k.startswith(prefix))

    print(
        f"\nall slot layers: {total('slot:'):.2f} ms (once per slot); all worker layers: "
        f"{total('worker:'):.2f} ms and the per-run reset {total('per run:'):.2f} ms "
        "(before a run is requested)"
    )


if __name__ == "__main__":
    main()
