"""Memory of idle subscriptions, with and without permessage-deflate, and after they close.

    .venv/bin/python bench/idle_memory.py [--idle 10000] [--cycle 5000]

Starts `comptoir serve`'s uvicorn configuration on 127.0.0.1 (SQLite, in-memory broadcast), one
worker per setting of COMPTOIR_WS_COMPRESSION (1: uvicorn's default before this change, 0: now),
and holds `--idle` `orderEvents` subscriptions open from one separate process with
bench/light_ws.py's client (bare asyncio protocol, 50 handshakes at a time), which offers
permessage-deflate as browsers do, or does not. Prints KB per idle subscription (worker RSS
growth / count), RSS after they close, RSS over 3 open/close cycles, and ping→pong round
trips (p50/p99) with the subscriptions open. Bounded: every wait has a timeout.
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

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.light_ws import LightClient, subscribe

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
    def __init__(self, env: dict[str, str]) -> None:
        self.port = _free_port()
        code = (
            "import uvicorn; from comptoir.cli import websocket_options;"
            "from comptoir.settings import Settings;"
            f"uvicorn.run('comptoir.asgi:app', host='127.0.0.1', port={self.port},"
            " loop='uvloop', http='httptools', log_level='warning',"
            " **websocket_options(Settings.from_env()))"
        )
        self.process = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env)

    async def ready(self) -> None:
        async with httpx.AsyncClient() as client:
            for _ in range(300):
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


async def _hold(address: str, token: str, count: int, deflate: bool) -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    gate = asyncio.Semaphore(50)  # bounded: the worker handshakes at its own pace

    async def one() -> LightClient:
        async with gate:
            return await subscribe(address, token, SUBSCRIBE, deflate=deflate)

    sockets = await asyncio.gather(*(one() for _ in range(count)))
    print(f"ready {len(sockets)} {'deflate' if sockets[0].negotiated else 'none'}", flush=True)
    # Round trips through the server while the subscriptions are open.
    probe, trips = sockets[0], []
    for _ in range(200):
        started = time.perf_counter()
        probe.send({"type": "ping"})
        while (await probe.receive(60))["type"] != "pong":
            pass
        trips.append((time.perf_counter() - started) * 1000)
    trips.sort()
    print(f"trips {statistics.median(trips):.2f} {trips[int(len(trips) * 0.99)]:.2f}", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    for ws in sockets:
        ws.close()
    print("closed", flush=True)


class Holder:
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
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        assert self.process.stdout is not None
        ready = (await asyncio.wait_for(self.process.stdout.readline(), 600)).decode().split()
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
        holder = Holder()
        await holder.open(address, token, 200, True)  # warm-up: imports, caches, first arenas
        await holder.close()
        before = worker.rss()
        negotiated, trips = await holder.open(address, token, args.idle, deflate)
        opened = worker.rss()
        await holder.close()
        closed = worker.rss()
        rows.append(
            f"| client offers deflate: {'yes' if deflate else 'no'} (negotiated: "
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


async def run(args: argparse.Namespace) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="comptoir-idle-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite://{tmp / 'bench.sqlite3'}",
        "COMPTOIR_VAR_DIR": str(tmp / "var"),
        "COMPTOIR_JOBS_IN_WEB": "0",
        "COMPTOIR_RATE_LIMITS": "0",
        "COMPTOIR_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
        "COMPTOIR_ARGON2_TIME_COST": "1",
        "COMPTOIR_ARGON2_MEMORY_KIB": "1024",
        "COMPTOIR_ARGON2_PARALLELISM": "1",
    }
    env.pop("REDIS_URL", None)
    _prepare(env)
    print(
        "| server | idle subscription | worker RSS before → open → closed | ping→pong p50 / p99 |"
    )
    print("|---|---|---|---|")
    for compression in ("1", "0"):
        label = "before (deflate on)" if compression == "1" else "now (deflate off)"
        for deflate in (False, True):
            setting = {**env, "COMPTOIR_WS_COMPRESSION": compression}
            for row in await measure(setting, args, deflate):
                print(row.replace("| ", f"| {label}: ", 1), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--idle", type=int, default=10_000)
    parser.add_argument("--cycle", type=int, default=5_000)
    parser.add_argument("--hold")
    parser.add_argument("--token")
    parser.add_argument("--count", type=int)
    parser.add_argument("--deflate")
    args = parser.parse_args()
    if args.hold:
        asyncio.run(_hold(args.hold, args.token, args.count, args.deflate == "1"))
    else:
        asyncio.run(run(args))


if __name__ == "__main__":
    main()
