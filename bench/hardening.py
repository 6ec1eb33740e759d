"""Hardening figures: worker memory over subscribe/close cycles and after many distinct
documents, and the timing of reset requests for known and unknown addresses.

    .venv/bin/python bench/hardening.py [--cycle 10000] [--documents 1000] [--resets 200]

One uvicorn worker as `comptoir serve` configures it (SQLite, in-memory broadcast), on
127.0.0.1. Bounded: every wait has a timeout.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.idle_memory import ROOT, Holder, Worker, _prepare, _token


def document(number: int) -> str:
    """A document within every limit but near them: 290 fields, a 3 KB comment, distinct."""
    return (
        f"query Q{number} {{ "
        + "__typename " * 290
        + "products(first: 5) { edges { cursor } } }\n# "
        + f"{number:06d}" * 500
    )


async def documents(worker: Worker, count: int) -> str:
    address = f"http://127.0.0.1:{worker.port}/graphql"
    before = worker.rss()
    async with httpx.AsyncClient(timeout=60) as client:
        started = time.perf_counter()
        for number in range(count):
            response = await client.post(address, json={"query": document(number)})
            assert response.status_code == 200, response.text[:200]
        elapsed = time.perf_counter() - started
    return (
        f"| {count:,} distinct documents of {len(document(0)):,} characters (290 fields)"
        f" | RSS {before / 1024:.0f} → {worker.rss() / 1024:.0f} MiB"
        f" | {elapsed / count * 1000:.1f} ms per request |"
    )


async def cycles(worker: Worker, token: str, count: int) -> str:
    holder = Holder()
    address = f"127.0.0.1:{worker.port}"
    rss = [worker.rss()]
    for _ in range(3):
        await holder.open(address, token, count, True)
        rss.append(worker.rss())
        await holder.close()
        rss.append(worker.rss())
    return (
        f"| 3 x subscribe and close {count:,} subscriptions | RSS "
        + " → ".join(f"{kib / 1024:.0f}" for kib in rss)
        + " MiB | |"
    )


async def resets(worker: Worker, count: int) -> str:
    address = f"http://127.0.0.1:{worker.port}/graphql"
    query = "mutation ($e: String!) { requestPasswordReset(email: $e) { errors { code } } }"
    times: dict[str, list[float]] = {"admin@bench.fr": [], "nobody@bench.fr": []}
    async with httpx.AsyncClient(timeout=60) as client:
        for _ in range(count):
            for email, spent in times.items():  # interleaved: both see the same machine load
                started = time.perf_counter()
                await client.post(address, json={"query": query, "variables": {"e": email}})
                spent.append((time.perf_counter() - started) * 1000)
    known, unknown = (statistics.median(t) for t in times.values())
    return (
        f"| reset requests, median of {count} each | known {known:.2f} ms, unknown "
        f"{unknown:.2f} ms | difference {abs(known - unknown):.2f} ms |"
    )


async def run(args: argparse.Namespace) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="comptoir-hardening-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite://{tmp / 'bench.sqlite3'}",
        "COMPTOIR_VAR_DIR": str(tmp / "var"),
        "COMPTOIR_JOBS_IN_WEB": "0",
        "COMPTOIR_RATE_LIMITS": "0",
        "COMPTOIR_LOG_LEVEL": "WARNING",
        # Every known request queues its mail: the slower path is the one measured.
        "COMPTOIR_ACCOUNT_MAILS_PER_HOUR": "1000000",
        "PYTHONPATH": str(ROOT),
        "COMPTOIR_ARGON2_TIME_COST": "1",
        "COMPTOIR_ARGON2_MEMORY_KIB": "1024",
        "COMPTOIR_ARGON2_PARALLELISM": "1",
    }
    env.pop("REDIS_URL", None)
    _prepare(env)
    worker = Worker(env)
    try:
        await worker.ready()
        token = await _token(worker.port)
        print("| what | memory or time | |\n|---|---|---|")
        print(await cycles(worker, token, args.cycle), flush=True)
        print(await documents(worker, args.documents), flush=True)
        print(await resets(worker, args.resets), flush=True)
    finally:
        worker.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cycle", type=int, default=10_000)
    parser.add_argument("--documents", type=int, default=1_000)
    parser.add_argument("--resets", type=int, default=200)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
