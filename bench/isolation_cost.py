"""What each isolation layer costs, measured in forked children of a warm torch process.

    sudo .venv/bin/python bench/isolation_cost.py [--runs 40]

Per run the critical path pays none of the slot layers (a slot is opened once) and, of the
worker layers, nothing either: workers are forked and isolated before a run is requested.
These figures say what a slot and a worker cost to prepare, layer by layer, in the order
slot.py and worker.py apply them. Needs root (namespaces, uid change).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.sandbox import isolation, landlock, seccomp
from app.sandbox.forkserver import runtime_paths, warm_up
from app.sandbox.limits import RunLimits, apply_rlimits, current_virtual_size
from app.sandbox.slot import SLOT_NAMESPACES
from app.sandbox.worker import RUN_NAMESPACES

REPORT_FD = 63  # the child's result pipe, kept open through "close inherited fds"


def in_child(steps: list[tuple[str, object]]) -> dict[str, float]:
    """Fork, run `steps` in the child timing each (ms), and return the timings."""
    read_end, write_end = os.pipe()
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        os.dup2(write_end, REPORT_FD)
        write_end = REPORT_FD
        timings = {"fork (child side)": (time.perf_counter() - started) * 1000}
        try:
            for name, step in steps:
                t0 = time.perf_counter()
                step()  # type: ignore[operator]
                timings[name] = (time.perf_counter() - t0) * 1000
        except BaseException as exc:  # report what broke, do not hang the parent
            timings = {"error": f"{name}: {exc}"}  # type: ignore[dict-item]
        os.write(write_end, json.dumps(timings).encode())
        os._exit(0)
    fork_ms = (time.perf_counter() - started) * 1000
    os.close(write_end)
    data = b""
    while chunk := os.read(read_end, 65536):
        data += chunk
    os.close(read_end)
    os.waitpid(pid, 0)
    timings = json.loads(data)
    timings["fork (parent side)"] = fork_ms
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("run as root: namespaces and the uid change need it")
    warm_up()
    project = str(Path(__file__).resolve().parents[1])
    plan = isolation.plan_hidden_paths(runtime_paths(), [project, tempfile.gettempdir()])
    scratch = tempfile.mkdtemp()
    os.chmod(scratch, 0o755)
    limits = RunLimits()
    base = current_virtual_size()
    program = seccomp.build_filter()
    uid = 299_999

    slot_steps = [
        ("slot: unshare pid+net+mount+uts+ipc", lambda: isolation.unshare(SLOT_NAMESPACES)),
        ("slot: cover project, /tmp, root's home; bind runtime back",
         lambda: isolation.expose_below_hidden(plan)),
        ("slot: per-run tmpfs scratch", lambda: (
            os.makedirs(scratch, exist_ok=True),
            isolation.mount("tmpfs", scratch, "tmpfs", 0, f"mode=0700,size=64m,uid={uid}"),
        )),
    ]
    worker_steps = [
        ("worker: setsid", os.setsid),
        ("worker: close inherited fds",
         lambda: isolation.close_inherited_fds({0, 1, 2, REPORT_FD})),
        ("worker: unshare ipc", lambda: isolation.unshare(RUN_NAMESPACES)),
        ("worker: drop to own uid", lambda: isolation.drop_privileges(uid)),
        ("worker: PDEATHSIG", isolation.die_with_parent),
        ("worker: scrub environment", lambda: isolation.scrub_environment("/")),
        ("worker: NO_NEW_PRIVS", isolation.forbid_new_privileges),
        ("worker: rlimits", lambda: apply_rlimits(limits, base)),
        ("worker: Landlock (writes in scratch only, scoped signals)",
         lambda: landlock.restrict_writes_to(scratch, landlock.abi_version())),
        ("worker: seccomp filter", lambda: seccomp.load_filter(program)),
    ]
    results: dict[str, list[float]] = {}
    for steps in (slot_steps, worker_steps):
        for _ in range(args.runs):
            timings = in_child(steps)
            if "error" in timings:
                raise SystemExit(timings["error"])
            for name, ms in timings.items():
                results.setdefault(name, []).append(ms)
    os.rmdir(scratch)
    print(f"{'layer':<60}{'median ms':>10}{'p90 ms':>9}")
    for name, samples in results.items():
        samples.sort()
        p90 = samples[int(0.9 * (len(samples) - 1))]
        print(f"{name:<60}{statistics.median(samples):>10.3f}{p90:>9.3f}")
    worker_total = sum(statistics.median(results[n]) for n, _ in worker_steps)
    slot_total = sum(statistics.median(results[n]) for n, _ in slot_steps)
    print(f"\nall worker layers: {worker_total:.2f} ms; all slot layers: {slot_total:.2f} ms")


if __name__ == "__main__":
    main()
