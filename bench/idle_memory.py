"""Memory of idle subscriptions, with and without permessage-deflate, and after they close.

    .venv/bin/python bench/idle_memory.py [--idle 10000] [--cycle 5000]
        [--protocol graphql-ws] [--baseline /tmp/base --latency-idle 2000 --probes 500]

Starts `comptoir serve`'s uvicorn configuration on 127.0.0.1 (SQLite, in-memory broadcast), a
fresh worker per row, and holds `--idle` `orderEvents` subscriptions open from one separate
process with bench/light_ws.py's client (bare asyncio protocol, 50 handshakes at a time), which
offers permessage-deflate as browsers do, or does not. Prints KB per idle subscription (worker
RSS growth / count), RSS after they close, RSS over 3 open/close cycles, and ping→pong round
trips (p50/p99) with the subscriptions open. `--protocol graphql-ws` holds them over the legacy
protocol (older Apollo clients), which has no ping: no round trips then. Bounded: every wait
has a timeout.

With `--baseline` (a checkout of the code before a change, e.g. `git worktree add --detach
/tmp/base main`), the same run first measures both codes' workers on PostgreSQL with Redis, one
after the other: commit→client latency (p50/p99) of a probe subscription, with no other
subscription open and with `--latency-idle` idle ones (deflate offered), and KB per idle
subscription of that wave.
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
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.light_ws import LEGACY_WS, TRANSPORT_WS, LightClient, subscribe

if TYPE_CHECKING:
    from realtime.doorbell import Doorbell

ROOT = Path(__file__).resolve().parents[1]
SUBSCRIBE = "subscription { orderEvents { id to } }"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


class Worker:
    def __init__(self, env: dict[str, str], root: Path = ROOT) -> None:
        self.port = _free_port()
        code = (
            "import uvicorn; from comptoir.cli import websocket_options;"
            "from comptoir.settings import Settings;"
            f"uvicorn.run('comptoir.asgi:app', host='127.0.0.1', port={self.port},"
            " loop='uvloop', http='httptools', log_level='warning',"
            " **websocket_options(Settings.from_env()))"
        )
        self.process = subprocess.Popen(
            [sys.executable, "-c", code],
            cwd=root,
            # `root`'s code first (a baseline checkout), then what `env` adds (heap_probe's
            # sitecustomize).
            env={**env, "PYTHONPATH": os.pathsep.join([str(root), env.get("PYTHONPATH", "")])},
        )

    async def ready(self) -> None:
        async with httpx.AsyncClient() as client:
            for _ in range(1200):  # a loaded machine took over 30 s to start one
                try:
                    health = await client.get(f"http://127.0.0.1:{self.port}/healthz")
                    if health.status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.1)
        raise RuntimeError("worker did not start")

    def rss(self) -> int:
        return rss_kib(self.process.pid)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(60)  # uvicorn's graceful shutdown of thousands of sockets
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(15)


async def _hold(address: str, token: str, count: int, deflate: bool, protocol: str) -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    gate = asyncio.Semaphore(50)  # bounded: the worker handshakes at its own pace

    async def one() -> LightClient:
        async with gate:
            return await subscribe(address, token, SUBSCRIBE, deflate=deflate, protocol=protocol)

    sockets = await asyncio.gather(*(one() for _ in range(count)))
    print(f"ready {len(sockets)} {'deflate' if sockets[0].negotiated else 'none'}", flush=True)
    # Round trips through the server while the subscriptions are open.
    probe, trips = sockets[0], []
    for _ in range(200 if protocol == TRANSPORT_WS else 0):
        started = time.perf_counter()
        probe.send({"type": "ping"})
        while (await probe.receive(60))["type"] != "pong":
            pass
        trips.append((time.perf_counter() - started) * 1000)
    trips.sort()
    shown = "- -"
    if trips:
        shown = f"{statistics.median(trips):.2f} {trips[int(len(trips) * 0.99)]:.2f}"
    print(f"trips {shown}", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    for ws in sockets:
        ws.close()
    print("closed", flush=True)


class Holder:
    def __init__(self, protocol: str = TRANSPORT_WS) -> None:
        self.protocol = protocol

    async def open(self, address: str, token: str, count: int, deflate: bool) -> tuple[str, str]:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            "--hold",
            address,
            f"--token={token}",  # a token may start with "-"
            "--count",
            str(count),
            "--deflate",
            "1" if deflate else "0",
            "--protocol",
            self.protocol,
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        assert self.process.stdout is not None
        ready = (await asyncio.wait_for(self.process.stdout.readline(), 1800)).decode().split()
        trips = (await asyncio.wait_for(self.process.stdout.readline(), 120)).decode().split()
        await asyncio.sleep(2.0)  # every subscribe handled
        return ready[2], f"{trips[1]} / {trips[2]} ms"

    async def close(self) -> None:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(b"\n")
        await self.process.stdin.drain()
        await asyncio.wait_for(self.process.stdout.readline(), 300)
        await asyncio.wait_for(self.process.wait(), 60)
        await asyncio.sleep(3.0)  # sockets torn down, the wave's trim done


async def _token(port: int) -> str:
    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"http://127.0.0.1:{port}/graphql",
            json={
                "query": 'mutation { login(email: "admin@bench.fr", password: "bench-password-42")'
                " { token errors { code } } }"
            },
        )
    token: str = response.json()["data"]["login"]["token"]
    return token


async def measure(env: dict[str, str], args: argparse.Namespace, deflate: bool) -> list[str]:
    """One fresh worker: a wave of `--idle` on a fresh heap, then (deflate offered) the cycles."""
    worker = Worker(env)
    rows: list[str] = []
    try:
        await worker.ready()
        token = await _token(worker.port)
        address = f"127.0.0.1:{worker.port}"
        holder = Holder(args.protocol)
        await holder.open(address, token, 200, True)  # warm-up: imports, caches, first arenas
        await holder.close()
        before = worker.rss()
        negotiated, trips = await holder.open(address, token, args.idle, deflate)
        opened = worker.rss()
        await holder.close()
        closed = worker.rss()
        rows.append(
            f"| {args.idle:,} over {args.protocol}, offering deflate: "
            f"{'yes' if deflate else 'no'} (negotiated: "
            f"{negotiated}) | {(opened - before) * 1.024 / args.idle:.1f} KB | "
            f"{before / 1024:.0f} → {opened / 1024:.0f} → {closed / 1024:.0f} MiB"
            f" | {trips} |"
        )
        if not deflate:
            return rows
        cycle = [worker.rss()]
        for _ in range(3):
            await holder.open(address, token, args.cycle, True)
            cycle.append(worker.rss())
            await holder.close()
            cycle.append(worker.rss())
        rows.append(
            "| 3 x open/close "
            + f"{args.cycle:,} (deflate offered) | | "
            + " → ".join(f"{kib / 1024:.0f}" for kib in cycle)
            + " MiB | |"
        )
    finally:
        worker.stop()
    return rows


def _prepare(env: dict[str, str]) -> None:
    """Migrate and create the admin whose subscriptions are held (before any worker starts)."""
    comptoir = str(Path(sys.executable).with_name("comptoir"))
    subprocess.run([comptoir, "migrate"], env=env, check=True, cwd=ROOT, capture_output=True)
    subprocess.run(
        [comptoir, "create-admin", "admin@bench.fr", "--password", "bench-password-42"],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
    )


def _bench_env(database_url: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "COMPTOIR_JOBS_IN_WEB": "0",
        "COMPTOIR_RATE_LIMITS": "0",
        "COMPTOIR_LOG_LEVEL": "WARNING",
        "COMPTOIR_ARGON2_TIME_COST": "1",
        "COMPTOIR_ARGON2_MEMORY_KIB": "1024",
        "COMPTOIR_ARGON2_PARALLELISM": "1",
    }
    env.pop("REDIS_URL", None)
    return env


async def _latency(
    root: Path, env: dict[str, str], world: dict[str, Any], args: Any, doorbell: Doorbell
) -> str:
    """One worker of the code at `root`: latency alone, then with idle subscriptions open
    (the bench's commits ring it through `doorbell`)."""
    from bench.live import latencies, percentiles

    worker = Worker(env, root)
    try:
        await worker.ready()
        address = f"127.0.0.1:{worker.port}"
        quiet = percentiles(await latencies(address, world, args.probes, doorbell))
        holder = Holder(args.protocol)
        before = worker.rss()
        await holder.open(address, world["idle"], args.latency_idle, True)
        opened = worker.rss()
        busy = percentiles(await latencies(address, world, args.probes, doorbell))
        await holder.close()
    finally:
        worker.stop()
    return (
        f"| {quiet[0]:.1f} / {quiet[1]:.1f} ms | {busy[0]:.1f} / {busy[1]:.1f} ms | "
        f"{(opened - before) * 1.024 / args.latency_idle:.1f} KB |"
    )


async def latency_rows(args: argparse.Namespace) -> list[str]:
    """Before (`--baseline`) and after, on PostgreSQL with Redis, in this run."""
    from bench.live_processes import create_database, start_redis, worker_env
    from bench.live_world import build_world
    from comptoir.db import database
    from realtime.broadcast import open_broadcast

    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    database_url = await create_database(args.postgres.rstrip("/"), "comptoir_idle_bench")
    redis, redis_url = start_redis()
    rows = [
        "| code | commit→client p50 / p99, alone | with "
        f"{args.latency_idle:,} idle (deflate offered) | KB per idle subscription |",
        "|---|---|---|---|",
    ]
    try:
        async with database(database_url):
            world = await build_world(database_url)
            async with open_broadcast(redis_url) as channel:  # the bench's commits ring them
                env = {**_bench_env(database_url), **worker_env(database_url, redis_url)}
                for label, root in (("before", Path(args.baseline)), ("after", ROOT)):
                    rows.append(
                        f"| {label} "
                        + await _latency(root.resolve(), env, world, args, channel.doorbell)
                    )
                    print(rows[-1], flush=True)
    finally:
        redis.terminate()
    return rows


async def run(args: argparse.Namespace) -> None:
    if args.baseline:
        await latency_rows(args)
    tmp = Path(tempfile.mkdtemp(prefix="comptoir-idle-"))
    env = {
        **_bench_env(f"sqlite://{tmp / 'bench.sqlite3'}"),
        "COMPTOIR_VAR_DIR": str(tmp / "var"),
        "PYTHONPATH": str(ROOT),
    }
    _prepare(env)
    print(
        "| client | idle subscription | worker RSS before → open → closed | ping→pong p50 / p99 |"
    )
    print("|---|---|---|---|")
    for deflate in (True, False):
        for row in await measure(env, args, deflate):
            print(row, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--idle", type=int, default=10_000)
    parser.add_argument("--cycle", type=int, default=5_000)
    parser.add_argument("--baseline", help="a checkout of the code before the change")
    parser.add_argument("--latency-idle", type=int, default=2_000)
    parser.add_argument("--probes", type=int, default=500)
    parser.add_argument("--protocol", choices=(TRANSPORT_WS, LEGACY_WS), default=TRANSPORT_WS)
    parser.add_argument("--postgres", default="postgres://postgres:postgres@127.0.0.1:5432")
    parser.add_argument("--hold")
    parser.add_argument("--token")
    parser.add_argument("--count", type=int)
    parser.add_argument("--deflate")
    args = parser.parse_args()
    if args.hold:
        asyncio.run(_hold(args.hold, args.token, args.count, args.deflate == "1", args.protocol))
    else:
        asyncio.run(run(args))


if __name__ == "__main__":
    main()
