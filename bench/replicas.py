"""Sizing for a course: a class on two replicas behind nginx on PostgreSQL, as deployed.

    .venv/bin/python bench/replicas.py [--students 100] [--seconds 60] [--runs-per-replica 4]

Starts PostgreSQL (fsync on), two replicas from deploy/ and nginx (tests/deploy.py: the
same start as the docs), then each student, from an address of its own (127.0.N.M), loops:
think 2-8 s, then run a snippet from bench/load.py's mix (80%), share one (10%) or open a
share link (10%: the page and the API). Reports answers by status, latency, runs/s, the
database's work per 100 students (transactions, rows written, its CPU, bytes grown), each
replica's memory, and, in a second phase, the memory one more run slot costs.
Loopback only, bounded in time; everything it starts it stops.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
from load import MIX, percentile, pss_kib

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.deploy import Nginx, Replica  # noqa: E402
from tests.engines import PostgresServer  # noqa: E402

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(root_pid: int) -> float:
    """User + system CPU of a process and its live descendants (PostgreSQL's backends)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    total, stack = 0.0, [root_pid]
    while stack:
        pid = stack.pop()
        stack += children.get(pid, [])
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
    return total / CLOCK_TICKS


def database_counters(postgres: PostgresServer, name: str) -> dict[str, float]:
    (row,) = postgres.query(name, """
        SELECT xact_commit + xact_rollback, tup_inserted + tup_updated + tup_deleted,
               tup_returned + tup_fetched, pg_database_size(datname)
        FROM pg_stat_database WHERE datname = %s""", name)  # fmt: skip
    keys = ("transactions", "rows_written", "rows_read", "bytes")
    return dict(zip(keys, map(float, row), strict=True))


async def student(n: int, url: str, until: float, shared: list[str], results: list[dict]) -> None:
    rng = random.Random(n)
    kinds = [m for m in MIX if m[1]]
    address = f"127.0.{1 + n // 200}.{1 + n % 200}"
    transport = httpx.AsyncHTTPTransport(local_address=address)
    async with httpx.AsyncClient(transport=transport, timeout=120) as http:
        while time.monotonic() < until:
            await asyncio.sleep(rng.uniform(2.0, 8.0))
            action = rng.choices(["run", "share", "open"], [80, 10, 10])[0]
            kind, _, code, timeout_s = rng.choices(kinds, [m[1] for m in kinds])[0]
            started = time.perf_counter()
            try:
                if action == "run":
                    body = {"code": code, **({"timeout_s": timeout_s} if timeout_s else {})}
                    response = await http.post(f"{url}/api/v1/run", json=body)
                elif action == "share" or not shared:
                    action, kind = "share", "share"
                    response = await http.post(f"{url}/api/v1/shares", json={"code": code})
                    if response.status_code == 201:
                        shared.append(response.json()["id"])
                else:
                    kind = "open"
                    share_id = rng.choice(shared)
                    response = await http.get(f"{url}/s/{share_id}")
                    if response.status_code == 200:
                        response = await http.get(f"{url}/api/v1/shares/{share_id}")
                status: int | str = response.status_code
            except httpx.HTTPError as exc:
                status = f"dropped: {type(exc).__name__}"
            results.append({"kind": kind, "status": status,
                            "ms": (time.perf_counter() - started) * 1000})  # fmt: skip


def class_phase(args: argparse.Namespace, root: Path) -> dict:
    postgres = PostgresServer(fsync=True).start()
    database = postgres.create_database("bench")
    replicas: list[Replica] = []
    nginx: Nginx | None = None
    try:
        overrides = {"PLAYGROUND_DATABASE_URL": postgres.url(database),
                     "PLAYGROUND_MAX_RUNS": str(args.runs_per_replica)}  # fmt: skip
        replicas = [Replica(root, dict(overrides)) for _ in range(2)]
        nginx = Nginx([r.port for r in replicas])
        for replica in replicas:
            replica.overrides["PLAYGROUND_PUBLIC_URL"] = nginx.url
            replica.start()
        nginx.start()
        for replica in replicas:
            httpx.post(f"{replica.url}/api/v1/run", json={"code": "x = 1"}, timeout=60)
        assert postgres.process is not None
        db_before, cpu_before = (
            database_counters(postgres, database),
            cpu_seconds(postgres.process.pid),
        )
        results: list[dict] = []
        shared: list[str] = []
        started = time.monotonic()

        async def run_class() -> None:
            until = time.monotonic() + args.seconds
            await asyncio.gather(*(student(n, nginx.url, until, shared, results)
                                   for n in range(args.students)))  # fmt: skip

        asyncio.run(run_class())
        elapsed = time.monotonic() - started
        db_after, cpu_after = (
            database_counters(postgres, database),
            cpu_seconds(postgres.process.pid),
        )
        replica_pss = [round(pss_kib(r.process.pid) / 1024, 1) for r in replicas if r.process]
    finally:
        if nginx:
            nginx.stop()
        for replica in replicas:
            replica.stop()
        postgres.stop()
    per_100 = 100 / args.students
    by_kind = {
        kind: {
            "answers": dict(Counter(str(r["status"]) for r in results if r["kind"] == kind)),
            "p50_ms": round(percentile([r["ms"] for r in results if r["kind"] == kind], 50), 1),
            "p99_ms": round(percentile([r["ms"] for r in results if r["kind"] == kind], 99), 1),
        }
        for kind in sorted({r["kind"] for r in results})
    }
    delta = {key: db_after[key] - db_before[key] for key in db_before}
    return {
        "students": args.students, "seconds": round(elapsed, 1),
        "runs_per_replica": args.runs_per_replica, "by_kind": by_kind,
        "runs_per_s": round(sum(1 for r in results if r["status"] == 200
                                and r["kind"] not in ("share", "open")) / elapsed, 1),
        "5xx": sum(1 for r in results if isinstance(r["status"], int) and r["status"] >= 500),
        "dropped": sum(1 for r in results if isinstance(r["status"], str)),
        "db_per_100_students": {
            "transactions_per_s": round(delta["transactions"] / elapsed * per_100, 2),
            "rows_written_per_s": round(delta["rows_written"] / elapsed * per_100, 2),
            "rows_read_per_s": round(delta["rows_read"] / elapsed * per_100, 1),
            "cpu_ms_per_s": round((cpu_after - cpu_before) / elapsed * 1000 * per_100, 1),
            "bytes_grown_per_hour": round(delta["bytes"] / elapsed * 3600 * per_100),
        },
        "replica_pss_mib": replica_pss,
    }  # fmt: skip


async def use_every_slot(url: str, slots: int) -> None:
    code = "x = torch.randn(256, 256)\ny = (x @ x).relu().sum()"
    async with httpx.AsyncClient(timeout=60) as http:
        runs = [http.post(f"{url}/api/v1/run", json={"code": code}) for _ in range(3 * slots)]
        await asyncio.gather(*runs)


def slot_phase(root: Path) -> dict:
    """PSS of one replica's whole tree with 1 and with 5 run slots, each slot used."""
    pss = {}
    for slots in (1, 5):
        store = f"sqlite:///{root}/slots-{slots}.sqlite3"  # the database plays no part here
        replica = Replica(
            root, {"PLAYGROUND_MAX_RUNS": str(slots), "PLAYGROUND_DATABASE_URL": store}
        )
        replica.start()
        try:
            asyncio.run(use_every_slot(replica.url, slots))
            time.sleep(2)
            assert replica.process is not None
            pss[slots] = pss_kib(replica.process.pid) / 1024
        finally:
            replica.stop()
    return {
        "pss_mib_1_slot": round(pss[1], 1),
        "pss_mib_5_slots": round(pss[5], 1),
        "mib_per_extra_slot": round((pss[5] - pss[1]) / 4, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--runs-per-replica", type=int, default=4)
    args = parser.parse_args()
    root = ROOT / "artifacts" / "replicas"
    root.mkdir(parents=True, exist_ok=True)
    summary = {"class": class_phase(args, root)}
    print(json.dumps(summary, indent=1), flush=True)
    summary["slots"] = slot_phase(root)
    print(json.dumps(summary, indent=1))
    (ROOT / "artifacts" / "bench-replicas.json").write_text(json.dumps(summary, indent=1))
    if summary["class"]["5xx"] or summary["class"]["dropped"]:
        raise SystemExit("FAILED: 5xx or dropped requests")


if __name__ == "__main__":
    main()
