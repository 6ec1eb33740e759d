"""Live delivery figures, in one run, against real uvicorn workers on PostgreSQL.

1. commit -> client latency (p50/p99) of a probe subscription, with no other subscription
   open on the worker, then with 10,000 idle ones (other viewers, same kind of events);
2. memory per idle subscription (worker RSS growth / 10,000);
3. deliveries/s when 1,000 clients of one viewer subscribe with the same document, against a
   bare Strawberry subscription fed by broadcaster in memory (bench/live_baseline.py);
4. the same 1,000 clients split over 2 workers sharing Redis.

    python bench/live.py [--postgres postgres://postgres:postgres@127.0.0.1:5432]
                         [--write bench/RESULTS-live.md]

A database `comptoir_live_bench` is created (or reset) on that server. Latency is measured
from the event's own timestamp (taken in the committing transaction) to its arrival at the
client, for events committed by `postMessage` mutations sent to the worker.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import resource
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from bench.light_ws import LightClient, subscribe
from bench.live_processes import Server, create_database, start_redis, worker_env
from bench.live_world import build_world, commit_burst

if TYPE_CHECKING:
    from realtime.doorbell import Doorbell

ROOT = Path(__file__).resolve().parents[1]

POST = """mutation($t: ID!, $b: String!) { postMessage(threadId: $t, body: $b) {
  errors { code } } }"""
PROBE = "subscription ($t: ID) { messageEvents(threadId: $t) { id at } }"
FANOUT = "subscription { messageEvents { id at } }"
BASELINE = "subscription { events { id at } }"


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres", default="postgres://postgres:postgres@127.0.0.1:5432")
    parser.add_argument("--idle", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=1_000)
    parser.add_argument("--events", type=int, default=40, help="events per fan-out burst")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--probes",
        type=int,
        default=1_000,
        help="latency samples per case (a p99 needs ~1,000 to be stable)",
    )
    parser.add_argument("--write", default=None, help="also write the figures to this file")
    parser.add_argument("--hold", default=None, help=argparse.SUPPRESS)  # see IdleHolder
    return parser.parse_args()


async def _open_many(
    address: str, token: str | None, document: str, count: int
) -> list[LightClient]:
    gate = asyncio.Semaphore(100)

    async def one() -> Any:
        async with gate:
            return await subscribe(address, token, document)

    sockets = await asyncio.gather(*(one() for _ in range(count)))
    await asyncio.sleep(1.0)  # every subscribe message handled by the server
    return list(sockets)


class IdleHolder:
    """`count` idle subscriptions held open by a process of their own.

    Held in the probe's own event loop, they would measure the client: its loop answers their
    keepalive pings (10,000 sockets / 20 s) and its GC walks their objects, between the probe's
    reads.
    """

    def __init__(self) -> None:
        self.process: asyncio.subprocess.Process | None = None

    async def open(self, address: str, token: str, count: int) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            "--hold",
            address,
            "--idle",
            str(count),
            cwd=ROOT,
            env={**os.environ, "BENCH_IDLE_TOKEN": token},
            stdout=asyncio.subprocess.PIPE,
        )
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), 300)
        if line.split() != [b"ready", str(count).encode()]:
            raise RuntimeError("the idle subscriptions could not be opened")

    async def close(self) -> None:
        if self.process is not None:
            self.process.terminate()
            await self.process.wait()
            await asyncio.sleep(1.0)  # the server tears the subscriptions down


async def _hold(address: str, count: int) -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    held = await _open_many(address, os.environ["BENCH_IDLE_TOKEN"], FANOUT, count)
    print(f"ready {len(held)}", flush=True)
    await asyncio.Event().wait()  # until the bench terminates this process


async def _close_all(sockets: list[LightClient]) -> None:
    for client in sockets:
        client.close()
    await asyncio.sleep(1.0)  # the server tears the subscriptions down


Rate = tuple[float, float]  # deliveries per wall second, per second of server CPU


async def _burst_delivery(
    sockets: list[LightClient], events: int, fire: Any, servers: list[Server]
) -> Rate:
    """Every socket must receive `events` messages after `fire()`: how fast, how costly."""
    arrivals = [client.expect(events) for client in sockets]
    cpu = sum(s.cpu_seconds() for s in servers)
    started = time.perf_counter()
    await fire()
    await asyncio.wait_for(asyncio.gather(*arrivals), 300)
    for client in sockets:
        assert '"next"' in client.last, client.last
    wall = time.perf_counter() - started
    cpu = sum(s.cpu_seconds() for s in servers) - cpu
    deliveries = len(sockets) * events
    return deliveries / wall, deliveries / max(cpu, 0.01)


async def _rounds(
    rounds: int, sockets: list[LightClient], events: int, fire: Any, servers: list[Server]
) -> list[Rate]:
    await _burst_delivery(sockets, events, fire, servers)  # warm-up: imports, caches
    return [await _burst_delivery(sockets, events, fire, servers) for _ in range(rounds)]


async def latencies(
    address: str, world: dict[str, Any], probes: int, doorbell: Doorbell
) -> list[float]:
    """Milliseconds from each event's commit (its `at`) to its arrival at a probe client."""
    probe = await subscribe(address, world["seller"], PROBE, {"t": world["thread"]})
    # The server starts the subscription after answering: it has once an event arrives (one
    # committed before it started never does).
    while True:
        await commit_burst(world, 1, doorbell=doorbell)
        with contextlib.suppress(TimeoutError):
            await probe.receive(1.0)
            break
    found: list[float] = []
    for _ in range(probes):
        await commit_burst(world, 1, doorbell=doorbell)
        message = await probe.receive()
        arrived = time.time()
        at = datetime.fromisoformat(message["payload"]["data"]["messageEvents"]["at"])
        found.append((arrived - at.timestamp()) * 1000)
        await asyncio.sleep(0.005)
    probe.close()
    return found


def percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return (statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))])


async def _baseline(args: argparse.Namespace, database_url: str) -> list[Rate]:
    server = Server("bench.live_baseline:app", worker_env(database_url, None))
    try:
        await server.ready()
        fans = await _open_many(server.address, None, BASELINE, args.clients)

        async def publish() -> None:
            async with httpx.AsyncClient() as http:
                await http.post(f"http://{server.address}/publish", params={"n": args.events})

        runs = await _rounds(args.rounds, fans, args.events, publish, [server])
        await _close_all(fans)
        return runs
    finally:
        server.stop()


async def run(args: argparse.Namespace) -> str:
    from comptoir.db import database
    from realtime.broadcast import open_broadcast

    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    database_url = await create_database(args.postgres.rstrip("/"), "comptoir_live_bench")
    redis, redis_url = start_redis()
    try:
        async with database(database_url):
            world = await build_world(database_url)
            # The bench's commits ring the workers through this broadcast.
            async with open_broadcast(redis_url) as channel:
                await asyncio.sleep(0.3)
                worker = Server("comptoir.asgi:app", worker_env(database_url, redis_url))
                try:
                    await worker.ready()
                    quiet = percentiles(
                        await latencies(worker.address, world, args.probes, channel.doorbell)
                    )
                    before = worker.rss_kib()
                    idle = IdleHolder()
                    try:
                        await idle.open(worker.address, world["idle"], args.idle)
                        per_subscription = (worker.rss_kib() - before) * 1024 / args.idle / 1000
                        busy = percentiles(
                            await latencies(worker.address, world, args.probes, channel.doorbell)
                        )
                    finally:
                        await idle.close()
                    fans = await _open_many(worker.address, world["seller"], FANOUT, args.clients)
                    ours = await _rounds(
                        args.rounds,
                        fans,
                        args.events,
                        lambda: commit_burst(world, args.events, doorbell=channel.doorbell),
                        [worker],
                    )
                    await _close_all(fans)
                finally:
                    worker.stop()

                baseline = await _baseline(args, database_url)

                workers = [
                    Server("comptoir.asgi:app", worker_env(database_url, redis_url))
                    for _ in range(2)
                ]
                try:
                    for w in workers:
                        await w.ready()
                    half = args.clients // 2
                    fans = await _open_many(
                        workers[0].address, world["seller"], FANOUT, half
                    ) + await _open_many(workers[1].address, world["seller"], FANOUT, half)
                    redis_runs = await _rounds(
                        args.rounds,
                        fans,
                        args.events,
                        lambda: commit_burst(world, args.events, doorbell=channel.doorbell),
                        workers,
                    )
                    await _close_all(fans)
                finally:
                    for w in workers:
                        w.stop()
    finally:
        redis.terminate()

    def rates(runs: list[Rate]) -> str:
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        return (
            f"{wall:,.0f}/s wall, {cpu:,.0f} per CPU-second "
            f"(runs: {', '.join(f'{r[0]:,.0f}' for r in runs)})"
        )

    def ratio(ours: list[Rate], theirs: list[Rate], index: int) -> float:
        return statistics.median(r[index] for r in ours) / statistics.median(
            r[index] for r in theirs
        )

    rows = [
        (
            "commit→client latency, no other subscription",
            f"p50 {quiet[0]:.1f} ms, p99 {quiet[1]:.1f} ms",
        ),
        (
            f"commit→client latency, {args.idle:,} idle subscriptions open",
            (
                f"p50 {busy[0]:.1f} ms, p99 {busy[1]:.1f} ms "
                f"(×{busy[0] / quiet[0]:.2f} p50, ×{busy[1] / quiet[1]:.2f} p99)"
            ),
        ),
        (f"memory per idle subscription ({args.idle:,} open)", f"{per_subscription:.1f} KB"),
        (f"deliveries, {args.clients:,} clients, same document, one worker", rates(ours)),
        ("deliveries, bare Strawberry subscription + broadcaster memory", rates(baseline)),
        (
            "ours / bare Strawberry",
            (
                f"×{ratio(ours, baseline, 0):.1f} wall, "
                f"×{ratio(ours, baseline, 1):.1f} per CPU-second"
            ),
        ),
        (f"deliveries, {args.clients:,} clients over 2 workers through Redis", rates(redis_runs)),
    ]
    return "\n".join(
        ["| measure | result |", "|---|---|", *(f"| {name} | {value} |" for name, value in rows)]
    )


def main() -> None:
    args = _parse()
    if args.hold:
        asyncio.run(_hold(args.hold, args.idle))
        return
    os.environ.update(
        {
            "COMPTOIR_ARGON2_TIME_COST": "1",
            "COMPTOIR_ARGON2_MEMORY_KIB": "1024",
            "COMPTOIR_ARGON2_PARALLELISM": "1",
        }
    )
    table = asyncio.run(run(args))
    print(table)
    if args.write:
        Path(args.write).write_text(table + "\n")


if __name__ == "__main__":
    main()
