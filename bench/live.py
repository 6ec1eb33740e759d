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
import os
import resource
import socket
import statistics
import subprocess
import sys
import time
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from bench.light_ws import LightClient, subscribe

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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """A uvicorn process serving `app` (import path) with `env`."""

    def __init__(self, app: str, env: dict[str, str]) -> None:
        self.port = _free_port()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                app,
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
                "--backlog",
                "4096",
            ],
            cwd=ROOT,
            env=env,
        )

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def ready(self) -> None:
        async with httpx.AsyncClient() as http:
            for _ in range(300):
                try:
                    await http.get(f"http://{self.address}/graphql")
                    return
                except httpx.TransportError:
                    await asyncio.sleep(0.05)
        raise RuntimeError(f"server on {self.port} did not start")

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS")

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()


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


async def _latencies(address: str, world: dict[str, Any], probes: int) -> list[float]:
    """Milliseconds from each event's commit (its `at`) to its arrival at a probe client."""
    probe = await subscribe(address, world["seller"], PROBE, {"t": world["thread"]})
    await asyncio.sleep(0.3)
    found: list[float] = []
    for _ in range(probes):
        await _commit_burst(world, 1)
        message = await probe.receive()
        arrived = time.time()
        at = datetime.fromisoformat(message["payload"]["data"]["messageEvents"]["at"])
        found.append((arrived - at.timestamp()) * 1000)
        await asyncio.sleep(0.005)
    probe.close()
    return found


def _percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return (statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))])


async def _world(database_url: str) -> dict[str, Any]:
    from tortoise import Tortoise, connections

    from models.accounts import Account, Role, Seller
    from resolvers import helpdesk
    from resolvers.catalog import ProductData, create_product
    from resolvers.passwords import hash_password
    from resolvers.sessions import actor_for_token, open_session
    from schema.ids import encode_id

    await connections.get("default").execute_script(
        "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"
    )
    await Tortoise.generate_schemas(safe=True)
    password = hash_password("bench password")

    async def account(email: str, role: Role) -> Account:
        return await Account.create(
            email=email,
            password_hash=password,
            first_name="Banc",
            last_name="Essai",
            role=role,
            postal_code="75011",
            rights=[],
            email_confirmed_at=datetime.now().astimezone(),
        )

    seller_account = await account("vendeur@bench.fr", Role.SELLER)
    shop = await Seller.create(account=seller_account, name="BatiBench")
    buyer, idle = (
        await account("acheteur@bench.fr", Role.BUYER),
        await account("oisif@bench.fr", Role.BUYER),
    )
    seller_token, buyer_token = await open_session(seller_account), await open_session(buyer)
    seller_actor = await actor_for_token(seller_token)
    product = await create_product(
        seller_actor,
        data=ProductData(
            name="Ciment 35 kg",
            description="Sac",
            category="Gros œuvre",
            price=Decimal("9.90"),
            stock=10,
            delivery_zones=["75"],
        ),
    )
    opened = await helpdesk.open_thread(
        await actor_for_token(buyer_token), product_id=product.id, body="Bonjour"
    )
    return {
        "seller": seller_token,
        "buyer": buyer_token,
        "idle": await open_session(idle),
        "thread": encode_id("Thread", opened.thread.id),
        "thread_id": opened.thread.id,
        "buyer_id": buyer.id,
        "shop": shop.id,
        "message_id": opened.message.id,
    }


async def _commit_burst(world: dict[str, Any], events: int) -> None:
    """`events` MESSAGE events in one transaction, as a busy thread would produce."""
    from models.events import EventKind
    from realtime.log import append_event, atomic

    async with atomic():
        for _ in range(events):
            await append_event(
                EventKind.MESSAGE,
                {"thread_id": world["thread_id"], "message_id": world["message_id"]},
                thread_id=world["thread_id"],
                buyer_id=world["buyer_id"],
                seller_id=world["shop"],
            )


async def _create_database(server: str, name: str) -> str:
    import asyncpg

    conn = await asyncpg.connect(server + "/postgres")
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return f"{server}/{name}"


def _env(database_url: str, redis_url: str | None) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PYTHONPATH": str(ROOT),
        "COMPTOIR_LOG_LEVEL": "WARNING",
        "COMPTOIR_JOBS_IN_WEB": "0",
        "COMPTOIR_WS_QUEUE_SIZE": "200",
        "COMPTOIR_CATCH_UP_INTERVAL_SECONDS": "0.05",
    }
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def _start_redis() -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    return process, f"redis://127.0.0.1:{port}/0"


async def _baseline(args: argparse.Namespace, database_url: str) -> list[Rate]:
    server = Server("bench.live_baseline:app", _env(database_url, None))
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
    database_url = await _create_database(args.postgres.rstrip("/"), "comptoir_live_bench")
    redis, redis_url = _start_redis()
    try:
        async with database(database_url):
            world = await _world(database_url)
            async with open_broadcast(redis_url):  # the bench's commits ring the workers
                await asyncio.sleep(0.3)
                worker = Server("comptoir.asgi:app", _env(database_url, redis_url))
                try:
                    await worker.ready()
                    quiet = _percentiles(await _latencies(worker.address, world, args.probes))
                    before = worker.rss_kib()
                    idle = IdleHolder()
                    try:
                        await idle.open(worker.address, world["idle"], args.idle)
                        per_subscription = (worker.rss_kib() - before) * 1024 / args.idle / 1000
                        busy = _percentiles(await _latencies(worker.address, world, args.probes))
                    finally:
                        await idle.close()
                    fans = await _open_many(worker.address, world["seller"], FANOUT, args.clients)
                    ours = await _rounds(
                        args.rounds,
                        fans,
                        args.events,
                        lambda: _commit_burst(world, args.events),
                        [worker],
                    )
                    await _close_all(fans)
                finally:
                    worker.stop()

                baseline = await _baseline(args, database_url)

                workers = [
                    Server("comptoir.asgi:app", _env(database_url, redis_url)) for _ in range(2)
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
                        lambda: _commit_burst(world, args.events),
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
