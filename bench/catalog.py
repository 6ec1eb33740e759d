"""Catalog load test: 100,000 products, one uvicorn worker, GraphQL against a bare-JSON floor.

    .venv/bin/python bench/catalog.py [--products 100000] [--seconds 8] [--concurrency 8]
    .venv/bin/python bench/catalog.py --database-url postgres://…/scratch_db --reset

Seeds a temporary SQLite database (or `--database-url`'s, its schema dropped with `--reset`)
with the demo catalog plus `--products` generated products, starts one uvicorn worker on
127.0.0.1 serving the real app plus one bare Starlette route (the floor: the same 20 rows as
plain JSON, no GraphQL), then measures each request kind for `--seconds` with `--concurrency`
clients and prints a markdown table.

The "list" rows by GET send the persisted-query hash only (APQ, as Apollo Client and urql
do): plain; with `If-None-Match` (the server still runs the query, the answer is a bodiless
304); and through a minimal shared HTTP cache in its own process (the role of a CDN or
Varnish: keeps what `Cache-Control: public, max-age` allows, then revalidates by ETag).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NODE = "edges { cursor node { id name price stock seller { name } } } pageInfo { endCursor }"
QUERIES: dict[str, tuple[str, dict[str, Any]]] = {
    "typename": ("{ __typename }", {}),
    "list": (f"{{ products(first: 20) {{ {NODE} }} }}", {}),
    "search": (f'{{ products(first: 20, search: "perceuse") {{ {NODE} }} }}', {}),
    "filtered search": (
        (
            f'{{ products(first: 20, search: "driver", filter: {{category: "Drivers LED",'
            f' inStock: true, maxPrice: "80.00"}}) {{ {NODE} }} }}'
        ),
        {},
    ),
    "deep page": (
        f"query ($after: String) {{ products(first: 20, after: $after) {{ {NODE} }} }}",
        {},
    ),
    "relevance search": (
        f'{{ products(first: 20, search: "perceuse", sort: RELEVANCE) {{ {NODE} }} }}',
        {},
    ),
    "relevance list": (f"{{ products(first: 20, sort: RELEVANCE) {{ {NODE} }} }}", {}),
}


LIST_HASH = hashlib.sha256(QUERIES["list"][0].encode()).hexdigest()
APQ_PARAMS = {"extensions": json.dumps({"persistedQuery": {"version": 1, "sha256Hash": LIST_HASH}})}
GET_KINDS = ("list GET+APQ", "list GET+APQ If-None-Match", "list GET+APQ via HTTP cache")


def make_proxy() -> Any:
    """A minimal shared HTTP cache in front of BENCH_UPSTREAM (uvicorn --factory): GETs kept
    per URL while `public, max-age` says fresh, then revalidated with If-None-Match."""
    import httpx
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    upstream = httpx.AsyncClient(base_url=os.environ["BENCH_UPSTREAM"])
    kept: dict[str, tuple[float, bytes, dict[str, str]]] = {}

    async def cache(request: Request) -> Response:
        key = f"{request.url.path}?{request.url.query}"
        entry = kept.get(key)
        if entry is not None and entry[0] > time.monotonic():
            return Response(entry[1], headers=entry[2])
        sent = {"If-None-Match": entry[2]["etag"]} if entry and "etag" in entry[2] else {}
        answer = await upstream.get(key, headers=sent)
        if answer.status_code == 304 and entry is not None:
            body, headers = entry[1], entry[2]
        else:
            body = answer.content
            headers = {
                k: v
                for k, v in answer.headers.items()
                if k in ("content-type", "cache-control", "etag")
            }
        fresh = re.search(r"max-age=(\d+)", headers.get("cache-control", ""))
        if "public" in headers.get("cache-control", "") and fresh:
            kept[key] = (time.monotonic() + int(fresh.group(1)), body, headers)
        return Response(
            body,
            status_code=200 if answer.status_code == 304 else answer.status_code,
            headers=headers,
        )

    return Starlette(routes=[Route("/graphql", cache)])


def make_app() -> Any:
    """The real app plus the floor route (uvicorn --factory imports this)."""
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from comptoir.app import create_app
    from comptoir.settings import Settings
    from models.accounts import Seller
    from models.catalog import Product

    async def floor(request: Request) -> JSONResponse:
        rows = await Product.all().order_by("sort_name", "id").limit(20)
        sellers = {s.id: s for s in await Seller.filter(id__in={r.seller_id for r in rows})}
        return JSONResponse(
            [
                {
                    "id": r.id,
                    "name": r.name,
                    "price": str(r.price),
                    "stock": r.stock,
                    "seller": {"name": sellers[r.seller_id].name},
                }
                for r in rows
            ]
        )

    app = create_app(Settings.from_env())
    app.router.routes.insert(0, Route("/bench/products.json", floor))
    return app


async def rate_sellers() -> float:
    """Give the demo sellers different standings and let their products follow, as the
    rating job does; returns the propagation time."""
    from models.accounts import Seller
    from resolvers.standing.rating import propagate_standing, standing_of

    for n, seller in enumerate(await Seller.all().order_by("id")):
        rating = round(5 - (n * 1.7) % 5, 1)
        await Seller.filter(id=seller.id).update(rating=rating, standing=standing_of(rating))
    started = time.perf_counter()
    await propagate_standing()
    return time.perf_counter() - started


async def seed(products: int, reset: bool) -> tuple[float, str]:
    """Build the schema, load the demo data; the load time and a cursor 90% down the list."""
    from tortoise import Tortoise, connections

    from comptoir.db import tortoise_config
    from comptoir.demo import seed_demo
    from models.catalog import Product
    from realtime.doorbell import Doorbell
    from resolvers.pagination import encode_cursor
    from resolvers.policy import Policy

    await Tortoise.init(config=tortoise_config(os.environ["DATABASE_URL"]))
    if reset and connections.get("default").capabilities.dialect == "postgres":
        await connections.get("default").execute_script(
            "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"
        )
    await Tortoise.generate_schemas(safe=True)
    started = time.perf_counter()
    await seed_demo(policy=Policy(doorbell=Doorbell()), extra_products=products)
    elapsed = time.perf_counter() - started
    print(f"standings copied to every product in {await rate_sellers():.1f} s", file=sys.stderr)
    count = await Product.all().count()
    deep = await Product.all().order_by("sort_name", "id").offset(count * 9 // 10).first()
    assert deep is not None
    await Tortoise.close_connections()
    return elapsed, encode_cursor(["NAME_ASC", deep.sort_name, deep.id])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get_call(client: Any, kind: str) -> Any:
    """One catalog list by GET with the persisted-query hash only (registered beforehand)."""
    etag: dict[str, str] = {}

    async def call() -> None:
        headers = etag if kind == "list GET+APQ If-None-Match" else {}
        response = await client.get("/graphql", params=APQ_PARAMS, headers=headers)
        if response.status_code == 304:
            return
        body = response.json()
        assert response.status_code == 200, body
        assert not body.get("errors"), body
        assert len(body["data"]["products"]["edges"]) == 20, body
        etag["If-None-Match"] = response.headers["etag"]

    return call


async def measure(
    client: Any, kind: str, seconds: float, concurrency: int, deep_cursor: str
) -> dict[str, float]:
    if kind in GET_KINDS:
        call = _get_call(client, kind)
    elif kind == "floor":

        async def call() -> None:
            response = await client.get("/bench/products.json")
            assert response.status_code == 200
            assert len(response.json()) == 20
    else:
        query, variables = QUERIES[kind]
        if kind == "deep page":
            variables = {"after": deep_cursor}

        async def call() -> None:
            response = await client.post("/graphql", json={"query": query, "variables": variables})
            body = response.json()
            assert response.status_code == 200, body
            assert not body.get("errors"), body
            if kind != "typename":
                assert len(body["data"]["products"]["edges"]) == 20, (kind, body)

    for _ in range(20):  # warm-up: imports, statement caches, DataLoader paths
        await call()
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            await call()
            latencies.append(time.perf_counter() - start)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        "rps": len(latencies) / wall,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "n": len(latencies),
    }


def _uvicorn(factory: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """One uvicorn worker serving `factory` on 127.0.0.1:`port` (started, not waited for)."""
    command = [sys.executable, "-m", "uvicorn", "--factory", factory, "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", "1", "--log-level", "warning"]
    return subprocess.Popen([*command, "--no-access-log"], cwd=ROOT, env=env)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--database-url", default=None, help="default: a fresh SQLite file in a temporary directory"
    )
    parser.add_argument(
        "--reset", action="store_true", help="PostgreSQL: drop and recreate the public schema first"
    )
    args = parser.parse_args()

    import httpx

    workdir = Path(tempfile.mkdtemp(prefix="comptoir-bench-"))
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url or f"sqlite://{workdir / 'bench.sqlite3'}",
        "COMPTOIR_VAR_DIR": str(workdir / "var"),
        "COMPTOIR_JOBS_IN_WEB": "0",
        "PUBLIC_URL": "http://127.0.0.1",
    }
    for name in ("REDIS_URL", "SMTP_URL"):
        env.pop(name, None)
    os.environ.update(env)
    seed_seconds, deep_cursor = await seed(args.products, args.reset)
    print(f"seeded {args.products:,} extra products in {seed_seconds:.1f} s", file=sys.stderr)

    port, proxy_port = free_port(), free_port()
    server = _uvicorn("bench.catalog:make_app", port, env)
    proxy = _uvicorn(
        "bench.catalog:make_proxy",
        proxy_port,
        {**env, "BENCH_UPSTREAM": f"http://127.0.0.1:{port}"},
    )
    limits = httpx.Limits(max_connections=args.concurrency)
    try:
        async with (
            httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{port}", timeout=30, limits=limits
            ) as client,
            httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{proxy_port}", timeout=30, limits=limits
            ) as cached,
        ):
            for _ in range(200):
                try:
                    if (await client.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
            # The client's first miss registers the document, as Apollo's retry does.
            await client.get("/graphql", params={**APQ_PARAMS, "query": QUERIES["list"][0]})
            results = {
                kind: await measure(client, kind, args.seconds, args.concurrency, deep_cursor)
                for kind in ["floor", *QUERIES, *GET_KINDS[:2]]
            }
            results[GET_KINDS[2]] = await measure(
                cached, GET_KINDS[2], args.seconds, args.concurrency, deep_cursor
            )
    finally:
        for process in (server, proxy):
            process.terminate()
            process.wait(timeout=10)

    base = results["list"]["rps"]
    database = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
    print(
        f"\n{args.products:,} generated products + demo catalog, {database}, 1 uvicorn worker, "
        f"{args.concurrency} concurrent clients, {args.seconds:g} s per row\n"
    )
    print("| request | req/s | p50 ms | p99 ms | vs list | vs floor |")
    print("|---|---:|---:|---:|---:|---:|")
    for kind, r in results.items():
        print(
            f"| {kind} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} "
            f"| {r['rps'] / base:.0%} | {r['rps'] / results['floor']['rps']:.0%} |"
        )


if __name__ == "__main__":
    asyncio.run(main())
