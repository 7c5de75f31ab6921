"""How well the sandbox holds a run to its share: memory across processes, CPU across sessions.

    sudo .venv/bin/python bench/containment.py [--baseline /path/to/other/checkout]

Memory: each attack of tests/attacks/test_attack_memory.py (and a plain big allocation) runs
on a server giving a run 256 MiB, while this script samples, every 10 ms, the memory the
run's processes hold (proportional set size of anonymous and shared memory, over every
descendant of the fork-server but its idle slots) plus, where cgroups are used, the slots'
cgroup peak. The figure is the largest sample as a multiple of the allowance.

The sample is a lower bound (a run killed within milliseconds is never seen, and forking
moves the warm heap's proportional shares around); the cgroup peak, where there is one, is
exact, and includes the idle slots' own few MiB.

CPU: the p50 of a small run while idle, then while a neighbouring run spins 24 processes
(each trying to start a session of its own, which gave it an autogroup of its own in the
first round), in the same run. With --baseline the same is measured on another checkout's
server (e.g. the previous commit, `git worktree add /tmp/base <commit>`).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import threading
import time
from pathlib import Path
from textwrap import dedent

import httpx
from server import ROOT, start_server

MIB = 2**20
MEMORY_MB = 256
ATTACKS = {
    "24 forked children x 180 MiB": """
        import os, time
        kids = []
        for _ in range(24):
            pid = os.fork()
            if pid == 0:
                hold = bytearray(180 * 2**20)
                time.sleep(6)
                os._exit(0)
            kids.append(pid)
        for pid in kids:
            os.waitpid(pid, 0)
    """,
    "120 unix sockets, 4 MiB buffers": """
        import socket
        pairs = []
        for _ in range(120):
            a, b = socket.socketpair()
            a.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 * 2**20)
            a.setblocking(False)
            try:
                while True:
                    a.send(b"x" * 65536)
            except BlockingIOError:
                pairs.append((a, b))
    """,
    "files in /tmp and /dev/shm": """
        chunk = b"x" * 2**20
        for name in ("/tmp/a", "/dev/shm/b"):
            with open(name, "wb") as f:
                for _ in range(200):
                    f.write(chunk)
    """,
    "one big tensor": "x = torch.ones(1024, 1024, 200)",
}
SPINNER = """
import os, time
for _ in range(24):
    if os.fork() == 0:
        try:
            os.setsid()
        except OSError:
            pass
        end = time.time() + 25
        while time.time() < end:
            pass
        os._exit(0)
time.sleep(25)
"""
SMALL = "x = torch.randn(2, 3)\ny = x.t()\nz = y.contiguous().view(-1)"


def children(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").iterdir():
            try:
                kids = (task / "children").read_text().split()
            except OSError:
                continue
            out += map(int, kids)
            todo += map(int, kids)
    return out


def held_bytes(pid: int) -> int:
    total = 0
    for field_name in ("Pss_Anon:", "Pss_Shmem:"):
        try:
            text = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            return 0
        for line in text.splitlines():
            if line.startswith(field_name):
                total += int(line.split()[1]) * 1024
    return total


def forkserver_of(server_pid: int) -> int:
    for pid in children(server_pid):
        try:
            if b"app.sandbox.forkserver" in Path(f"/proc/{pid}/cmdline").read_bytes():
                return pid
        except OSError:
            continue
    raise SystemExit("no fork-server found")


def tree_bytes(forkserver: int) -> int:
    return sum(held_bytes(pid) for pid in children(forkserver))


def cgroup_peak(forkserver: int) -> int | None:
    """The fork-server's slots' v1 memory cgroups' common peak, if they exist."""
    base = next(Path("/sys/fs/cgroup/memory").rglob(f"tensor-playground-{forkserver}"), None)
    if base is None:
        return None
    return int((base / "memory.max_usage_in_bytes").read_text())


def reset_cgroup_peak(forkserver: int) -> None:
    base = next(Path("/sys/fs/cgroup/memory").rglob(f"tensor-playground-{forkserver}"), None)
    if base is not None:
        (base / "memory.max_usage_in_bytes").write_text("0")


def memory_figures(url: str, server_pid: int) -> dict[str, dict]:
    forkserver = forkserver_of(server_pid)
    figures = {}
    with httpx.Client(timeout=60) as http:
        for name, code in ATTACKS.items():
            time.sleep(1)
            idle = tree_bytes(forkserver)
            reset_cgroup_peak(forkserver)
            peak = [0]
            done = threading.Event()

            def sample(
                peak: list[int] = peak, done: threading.Event = done, idle: int = idle
            ) -> None:
                while not done.is_set():
                    peak[0] = max(peak[0], tree_bytes(forkserver) - idle)
                    time.sleep(0.01)

            sampler = threading.Thread(target=sample)
            sampler.start()
            report = http.post(
                f"{url}/api/v1/run", json={"code": dedent(code), "timeout_s": 15}
            ).json()
            done.set()
            sampler.join()
            cgroup = cgroup_peak(forkserver)
            figures[name] = {
                "outcome": (report["error"] or {}).get("type", "ok"),
                "held_x": round(peak[0] / (MEMORY_MB * MIB), 2),
                "cgroup_peak_x": None if cgroup is None else round(cgroup / (MEMORY_MB * MIB), 2),
            }
    return figures


def p50_of_small_runs(http: httpx.Client, url: str, count: int = 40) -> float:
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        http.post(f"{url}/api/v1/run", json={"code": SMALL}).raise_for_status()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def cpu_figures(url: str) -> dict[str, float]:
    with httpx.Client(timeout=60) as http:
        p50_of_small_runs(http, url, 10)
        idle = p50_of_small_runs(http, url)
        neighbour = threading.Thread(
            target=lambda: httpx.post(
                f"{url}/api/v1/run", json={"code": SPINNER, "timeout_s": 30}, timeout=60
            )
        )
        neighbour.start()
        time.sleep(1.5)  # the spinners have been lowered by now
        loaded = p50_of_small_runs(http, url)
        neighbour.join()
    return {"idle_p50_ms": round(idle, 2), "with_neighbour_p50_ms": round(loaded, 2),
            "ratio": round(loaded / idle, 2)}  # fmt: skip


def measure(label: str, root: Path) -> dict:
    process, url = start_server(
        f"containment-{label}", root=root, memory_mb=str(MEMORY_MB), max_runs="4",
        rate_per_minute="0",
    )  # fmt: skip
    try:
        return {"memory": memory_figures(url, process.pid), "cpu": cpu_figures(url)}
    finally:
        process.terminate()
        process.wait(20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path)
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("run as root: it reads every process's memory")
    results = {"this tree": measure("this", ROOT)}
    if args.baseline:
        results["baseline"] = measure("base", args.baseline)
    for label, result in results.items():
        print(f"\n{label}: memory held by one run, as a multiple of MEMORY_MB={MEMORY_MB}")
        print(f"{'attack':<36}{'outcome':<22}{'held x':>8}{'cgroup x':>10}")
        for name, fig in result["memory"].items():
            cg = "-" if fig["cgroup_peak_x"] is None else f"{fig['cgroup_peak_x']:.2f}"
            print(f"{name:<36}{fig['outcome']:<22}{fig['held_x']:>8.2f}{cg:>10}")
        cpu = result["cpu"]
        print(
            f"small run p50: {cpu['idle_p50_ms']} ms idle, {cpu['with_neighbour_p50_ms']} ms "
            f"next to 24 spinning processes: {cpu['ratio']}x"
        )
    out = ROOT / "artifacts" / "bench-containment.json"
    out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
