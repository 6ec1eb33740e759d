"""Hardening figures (issue 18): worker memory over subscribe/close cycles, memory and time of
many distinct near-maximal documents against the byte-bounded caches, and the timing of reset
requests for a known and an unknown address.

    .venv/bin/python bench/hardening.py [--parts cycles,documents,resets] [--cycle 10000]
        [--documents 1000] [--resets 400] [--concurrency 200] [--types 25] [--tracemalloc 25]

Each part starts its own uvicorn worker as `comptoir serve` configures it (SQLite, in-memory
broadcast, metrics on) on 127.0.0.1, so its RSS starts from a fresh process. Subscriptions are
held by the bare-protocol client of bench/light_ws.py from this process, opened `--concurrency`
at a time; the bench waits on the worker's own gauges (`/metrics`) rather than on sleeps.
Bounded: every wait has a timeout.

`--types N` prints, after the cycles, the N largest changes of gc-tracked objects per type
between consecutive readings of the worker (bench/heap_probe.py); `--tracemalloc FRAMES`
starts the worker with tracemalloc keeping FRAMES frames (slow: for a small `--cycle`) and
prints the largest growths of live memory by traceback between the same readings.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import resource
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.heap_probe import VARIABLE, probed_env, traceback_differences, type_differences
from bench.idle_memory import ROOT, SUBSCRIBE, Worker, _prepare, _token
from bench.light_ws import LightClient, subscribe
from comptoir.memory import COALESCE_SECONDS

PARTS = ("cycles", "documents", "resets")
RESET = "mutation ($e: String!) { requestPasswordReset(email: $e) { errors { code } } }"
KNOWN, UNKNOWN = "admin@bench.fr", "nobody@bench.fr"


def show(row: str) -> None:
    print(row, flush=True)


def mib(kib: int) -> str:
    return f"{kib / 1024:.0f}"


async def gauge(client: httpx.AsyncClient, port: int, name: str) -> float:
    """The gauge's value; NaN (never equal, never reached) while the worker is too busy tearing
    sockets down to answer a scrape (a timeout or a reset connection)."""
    try:
        text = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
    except httpx.TransportError:
        return float("nan")
    for line in text.splitlines():
        if line.startswith((name + " ", name + "{")):
            return float(line.rsplit(" ", 1)[1])
    raise RuntimeError(f"no {name} in /metrics")


async def until(check: Callable[[], Awaitable[bool]], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not await check():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        await asyncio.sleep(0.2)


async def settled_rss(worker: Worker, seconds: float = 60) -> int:
    """RSS once it stops moving (the worker's coalesced malloc_trim has run): two readings 0.5 s
    apart within 1 MiB, after the coalescing delay."""
    await asyncio.sleep(COALESCE_SECONDS + 0.5)
    deadline = time.monotonic() + seconds
    previous = worker.rss()
    while True:
        await asyncio.sleep(0.5)
        current = worker.rss()
        if abs(current - previous) <= 1024 or time.monotonic() > deadline:
            return current
        previous = current


# --- 3 × subscribe/close ---------------------------------------------------------------------


async def open_subscriptions(address: str, token: str, count: int, width: int) -> list[LightClient]:
    gate = asyncio.Semaphore(width)

    async def one() -> LightClient:
        async with gate:
            return await subscribe(address, token, SUBSCRIBE)

    return await asyncio.gather(*(one() for _ in range(count)))


class ProbedWorker(Worker):
    """A worker that answers bench/heap_probe.py's signal."""

    def __init__(self, env: dict[str, str]) -> None:
        super().__init__(env)
        self.answer = Path(env[VARIABLE])

    async def ready(self) -> None:
        """Up to 5 minutes: on the loaded machine a worker's imports alone took over 30 s."""
        for attempt in range(10):
            try:
                await super().ready()
            except RuntimeError:
                if attempt == 9:
                    raise
            else:
                break


async def heap(worker: ProbedWorker) -> dict[str, Any]:
    """The worker's own accounting, asked by signal, not over HTTP."""
    answer = worker.answer
    answer.unlink(missing_ok=True)
    os.kill(worker.process.pid, signal.SIGUSR1)
    deadline = time.monotonic() + 300
    while not answer.exists():
        if time.monotonic() > deadline:
            raise TimeoutError("heap probe")
        await asyncio.sleep(0.1)
    figures: dict[str, Any] = json.loads(answer.read_text())
    return figures


def accounting(figures: dict[str, Any]) -> str:
    return (
        f"{figures['python_blocks']:,} Python blocks, {figures['gc_objects']:,} gc objects, "
        f"{figures['tasks']} tasks, malloc {figures.get('malloc_in_use', 0) / 2**20:.0f} MiB "
        f"in use + {figures.get('malloc_free', 0) / 2**20:.0f} MiB free, "
        f"{figures['trims']} malloc_trim"
    )


async def cycles(worker: ProbedWorker, token: str, args: argparse.Namespace) -> None:
    address = f"127.0.0.1:{worker.port}"
    count = int(args.cycle)
    # A fresh connection per scrape: a kept-alive one may be closed by the worker's keep-alive
    # timeout just as it is reused (the reset that ended an earlier run).
    no_reuse = httpx.Limits(max_keepalive_connections=0)
    async with httpx.AsyncClient(timeout=30, limits=no_reuse) as metrics:

        async def subscriptions() -> float:
            return await gauge(metrics, worker.port, "comptoir_subscriptions")

        async def sockets() -> float:
            return await gauge(metrics, worker.port, "comptoir_websocket_connections")

        start = await settled_rss(worker)
        readings = [await heap(worker)]
        show(f"| before | {mib(start)} MiB | {accounting(readings[0])} | |")
        previous = start
        for cycle in range(1, 4):
            began = time.perf_counter()
            clients = await open_subscriptions(address, token, count, args.concurrency)

            async def all_running() -> bool:
                return await subscriptions() >= count

            await until(all_running, 1800, "subscriptions running")
            opened = worker.rss()
            for client in clients:
                client.close()
            del clients

            async def all_closed() -> bool:
                return await sockets() == 0 and await subscriptions() == 0

            await until(all_closed, 1800, "sockets closed")

            async def trimmed() -> bool:
                # The wave's timer fires late on a loop busy tearing sockets down, and RSS
                # looks settled meanwhile: wait for the trim the last close scheduled.
                return int((await heap(worker))["closed_since_trim"]) == 0

            await until(trimmed, 300, "malloc_trim after the closes")
            closed = await settled_rss(worker)
            readings.append(await heap(worker))
            show(
                f"| cycle {cycle}: {count:,} subscribed, then closed | {mib(previous)} → "
                f"{mib(opened)} → {mib(closed)} MiB "
                f"({(opened - previous) * 1.024 / count:.1f} KB of RSS growth per subscription) | "
                f"after closing: {accounting(readings[-1])} | "
                f"{time.perf_counter() - began:.0f} s |"
            )
            previous = closed
        show(
            f"| after 3 cycles | {mib(start)} → {mib(previous)} MiB "
            f"({(previous - start) / 1024:+.0f} MiB) | | |"
        )
    differences(readings, args)


def differences(readings: list[dict[str, Any]], args: argparse.Namespace) -> None:
    """What each cycle left that the reading before it did not hold."""
    for number, (before, after) in enumerate(itertools.pairwise(readings), start=1):
        if args.types:
            show(f"\ngc-tracked objects per type, cycle {number} minus the reading before:")
            for line in type_differences(before["types"], after["types"], args.types):
                show(f"    {line}")
        if args.tracemalloc and "snapshot" in after:
            show(f"\nlive memory by traceback, cycle {number} minus the reading before:")
            for line in traceback_differences(
                before["snapshot"], after["snapshot"], args.types or 25
            ):
                show(f"    {line}")


# --- distinct documents ----------------------------------------------------------------------


def document(number: int, fields: int = 290) -> str:
    """Within every limit but near them (300 fields, 2,000 tokens): `fields` fields, a 3 KB
    comment that makes each one distinct."""
    return (
        f"query Q{number} {{ "
        + "__typename " * fields
        + "products(first: 5) { edges { cursor } } }\n# "
        + f"{number:06d}" * 500
    )


def too_many_tokens(number: int) -> str:
    """A 6 KB distinct document of 3,000 tokens: the parser stops at the 2,000th."""
    return f"query T{number} {{ " + "a " * 3000 + "}"


async def timed_post(client: httpx.AsyncClient, address: str, query: str) -> tuple[float, str]:
    started = time.perf_counter()
    response = await client.post(address, json={"query": query})
    spent = (time.perf_counter() - started) * 1000
    assert response.status_code in (200, 400), response.text[:200]
    errors = response.json().get("errors") or []
    return spent, errors[0]["message"][:60] if errors else ""


async def documents(worker: Worker, token: str, args: argparse.Namespace) -> None:
    address = f"http://127.0.0.1:{worker.port}/graphql"
    budget = int(args.cache_bytes)
    async with httpx.AsyncClient(timeout=60) as client:
        await timed_post(client, address, "{ __typename }")  # imports, first arenas
        start = worker.rss()
        series = [start]
        accepted: list[float] = []
        step = max(1, args.documents // 10)
        for number in range(args.documents):
            spent, error = await timed_post(client, address, document(number))
            assert not error, error
            accepted.append(spent)
            if (number + 1) % step == 0:
                series.append(worker.rss())
        show(
            f"| {args.documents:,} distinct accepted documents of {len(document(0)):,} characters"
            f" (290 fields), cache budget {budget / 2**20:.0f} MiB | RSS every {step}: "
            + " → ".join(mib(kib) for kib in series)
            + f" MiB | median {statistics.median(accepted):.1f} ms |"
        )
        refused = {
            "310 fields (past 300)": lambda n: document(10_000_000 + n, fields=310),
            "3,000 tokens (past 2,000)": too_many_tokens,
        }
        count = max(1, args.documents // 5)
        for label, make in refused.items():
            before = worker.rss()
            spent_all = []
            message = ""
            for number in range(count):
                spent, message = await timed_post(client, address, make(number))
                assert message, "not refused"
                spent_all.append(spent)
            show(
                f"| {count:,} distinct refused documents, {label}, {len(make(0)):,} characters"
                f" | RSS {mib(before)} → {mib(worker.rss())} MiB | median "
                f"{statistics.median(spent_all):.1f} ms ({message!r}) |"
            )


# --- reset timing ----------------------------------------------------------------------------


def bootstrap(values: list[float], rounds: int = 2000) -> tuple[float, float]:
    """95 % percentile-bootstrap interval of the median."""
    rng = random.Random(18)
    medians = sorted(statistics.median(rng.choices(values, k=len(values))) for _ in range(rounds))
    return medians[int(rounds * 0.025)], medians[int(rounds * 0.975)]


def quartiles(values: list[float]) -> str:
    q1, q2, q3 = statistics.quantiles(values, n=4)
    return f"{q2:.2f} ms (IQR {q1:.2f}–{q3:.2f})"


async def resets(worker: Worker, token: str, args: argparse.Namespace) -> None:
    address = f"http://127.0.0.1:{worker.port}/graphql"
    times: dict[str, list[float]] = {KNOWN: [], UNKNOWN: []}
    order = random.Random(18)
    async with httpx.AsyncClient(timeout=60) as client:
        for pair in range(args.resets + 20):  # the first 20 pairs warm both paths up
            emails = [KNOWN, UNKNOWN]
            order.shuffle(emails)  # neither address always goes first
            for email in emails:
                started = time.perf_counter()
                response = await client.post(
                    address, json={"query": RESET, "variables": {"e": email}}
                )
                spent = (time.perf_counter() - started) * 1000
                assert response.json()["data"]["requestPasswordReset"]["errors"] == []
                if pair >= 20:
                    times[email].append(spent)
    known, unknown = times[KNOWN], times[UNKNOWN]
    differences = [k - u for k, u in zip(known, unknown, strict=True)]
    low, high = bootstrap(differences)
    show(
        f"| reset requests, {args.resets} interleaved pairs | known {quartiles(known)}, unknown "
        f"{quartiles(unknown)} | median of paired differences (known - unknown) "
        f"{statistics.median(differences):+.3f} ms, 95 % bootstrap CI [{low:+.3f}, {high:+.3f}] |"
    )


async def run(args: argparse.Namespace) -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # the worker inherits it
    tmp = Path(tempfile.mkdtemp(prefix="comptoir-hardening-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite://{tmp / 'bench.sqlite3'}",
        "COMPTOIR_VAR_DIR": str(tmp / "var"),
        "COMPTOIR_JOBS_IN_WEB": "0",
        "COMPTOIR_RATE_LIMITS": "0",
        "COMPTOIR_METRICS": "1",
        "COMPTOIR_LOG_LEVEL": "WARNING",
        "COMPTOIR_DOCUMENT_CACHE_BYTES": str(args.cache_bytes),
        # Every known request queues its mail: the slower path is the one measured.
        "COMPTOIR_ACCOUNT_MAILS_PER_HOUR": "1000000",
        "PYTHONPATH": str(ROOT),
        "COMPTOIR_ARGON2_TIME_COST": "1",
        "COMPTOIR_ARGON2_MEMORY_KIB": "1024",
        "COMPTOIR_ARGON2_PARALLELISM": "1",
    }
    env.pop("REDIS_URL", None)
    env.pop("COMPTOIR_METRICS_TOKEN", None)
    _prepare(env)
    measures = {"cycles": cycles, "documents": documents, "resets": resets}
    print("| what | memory or time | | |\n|---|---|---|---|", flush=True)
    if args.tracemalloc:
        env["PYTHONTRACEMALLOC"] = str(args.tracemalloc)
    for part in args.parts.split(","):
        worker = ProbedWorker(probed_env(env, tmp / "probe"))
        try:
            await worker.ready()
            started = time.perf_counter()
            await measures[part](worker, await _token(worker.port), args)
            print(f"<!-- {part}: {time.perf_counter() - started:.0f} s -->", flush=True)
        finally:
            worker.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--parts", default=",".join(PARTS))
    parser.add_argument("--cycle", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--documents", type=int, default=1_000)
    parser.add_argument("--cache-bytes", type=int, default=32 * 1024 * 1024)
    parser.add_argument("--resets", type=int, default=400)
    parser.add_argument("--types", type=int, default=0, help="type differences to print")
    parser.add_argument("--tracemalloc", type=int, default=0, help="frames per traceback")
    args = parser.parse_args()
    if any(part not in PARTS for part in args.parts.split(",")):
        parser.error(f"--parts: a comma-separated subset of {','.join(PARTS)}")
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
