"""reserveCart throughput under contention, beside a trivial mutation, in one run.

50 buyers (by default) fill their carts with products of 5 sellers, all drawing on the same
few hot products, then reserve at the same instant; the burst repeats for several rounds.
The same buyers then fire a trivial mutation (`emptyCart`) in identical bursts, so the two
figures come from the same process, database and machine.

    python bench/reserve.py                                   # a fresh SQLite file
    python bench/reserve.py --database-url postgres://postgres:postgres@127.0.0.1:5432/bench \
        --reset                                               # PostgreSQL (schema dropped!)

Requests go through the whole ASGI app (GraphQL parsing, auth, resolvers, database), in
process: one web worker's worth of capacity.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RESERVE = """mutation($input: ReserveInput!) { reserveCart(input: $input) {
  errors { code } orders { id } } }"""
ADD = """mutation($p: ID!, $q: Int!) { addToCart(productId: $p, quantity: $q) {
  errors { code } } }"""
EMPTY = "mutation { emptyCart { errors { code } cart { total } } }"
ADDRESS = {"line1": "1 rue du Banc", "postalCode": "75011", "city": "Paris", "country": "FR"}


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database-url", default=None, help="default: a fresh SQLite file in a temporary directory"
    )
    parser.add_argument(
        "--reset", action="store_true", help="PostgreSQL: drop and recreate the public schema first"
    )
    parser.add_argument("--buyers", type=int, default=50)
    parser.add_argument("--sellers", type=int, default=5)
    parser.add_argument("--products-per-seller", type=int, default=2)
    parser.add_argument("--lines", type=int, default=3, help="cart lines per buyer (sellers)")
    parser.add_argument("--rounds", type=int, default=10)
    return parser.parse_args()


def _configure(args: argparse.Namespace) -> str:
    tmp = Path(tempfile.mkdtemp(prefix="comptoir-bench-"))
    url = args.database_url or f"sqlite://{tmp / 'bench.sqlite3'}"
    os.environ.update(
        {
            "DATABASE_URL": url,
            "COMPTOIR_VAR_DIR": str(tmp / "var"),
            "COMPTOIR_ARGON2_TIME_COST": "1",
            "COMPTOIR_ARGON2_MEMORY_KIB": "1024",
            "COMPTOIR_ARGON2_PARALLELISM": "1",
            "COMPTOIR_LOG_LEVEL": "WARNING",
            "COMPTOIR_RATE_LIMITS": "0",  # every simulated buyer comes from 127.0.0.1
        }
    )
    os.environ.pop("REDIS_URL", None)
    return url


async def _world(args: argparse.Namespace) -> tuple[list[str], list[list[str]]]:
    """Buyer tokens, and each seller's product ids (global ids)."""
    from datetime import UTC, datetime

    from models.accounts import Account, Role, Seller
    from realtime.doorbell import Doorbell
    from resolvers.actor import Actor
    from resolvers.catalog import ProductData, create_product
    from resolvers.passwords import hash_password
    from resolvers.policy import Policy
    from resolvers.sessions import open_session
    from schema.ids import encode_id

    password = hash_password("bench password", policy=Policy(doorbell=Doorbell()))
    now = datetime.now(UTC)
    shops: list[list[str]] = []
    for s in range(args.sellers):
        account = await Account.create(
            email=f"seller{s}@bench.fr",
            password_hash=password,
            first_name="S",
            last_name=str(s),
            role=Role.SELLER,
            email_confirmed_at=now,
        )
        seller = await Seller.create(account=account, name=f"Shop {s}")
        actor = Actor(account_id=account.id, role=Role.SELLER, seller_id=seller.id)
        shops.append(
            [
                encode_id(
                    "Product",
                    (
                        await create_product(
                            actor,
                            data=ProductData(
                                name=f"Produit {s}-{p}",
                                description="Banc d'essai",
                                category="Bench",
                                price=Decimal("19.90"),
                                stock=10_000_000,
                                delivery_zones=["75"],
                            ),
                        )
                    ).id,
                )
                for p in range(args.products_per_seller)
            ]
        )
    tokens = []
    for b in range(args.buyers):
        account = await Account.create(
            email=f"buyer{b}@bench.fr",
            password_hash=password,
            first_name="B",
            last_name=str(b),
            role=Role.BUYER,
            postal_code="75011",
            email_confirmed_at=now,
        )
        tokens.append(await open_session(account, policy=Policy(doorbell=Doorbell())))
    return tokens, shops


async def _post(http: Any, token: str, query: str, **variables: Any) -> dict[str, Any]:
    response = await http.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    body: dict[str, Any] = response.json()
    assert not body.get("errors"), body
    payload: dict[str, Any] = next(iter(body["data"].values()))
    return payload


async def _burst(
    http: Any, tokens: list[str], query: str, variables: list[dict[str, Any]]
) -> tuple[float, list[float], int]:
    """Fire one request per buyer at once: wall time, latencies, refusals."""
    latencies: list[float] = []
    refused = 0

    async def one(token: str, values: dict[str, Any]) -> None:
        nonlocal refused
        started = time.perf_counter()
        payload = await _post(http, token, query, **values)
        latencies.append(time.perf_counter() - started)
        refused += bool(payload["errors"])

    started = time.perf_counter()
    await asyncio.gather(*(one(t, v) for t, v in zip(tokens, variables, strict=True)))
    return time.perf_counter() - started, latencies, refused


def _report(name: str, walls: list[float], latencies: list[float], refused: int) -> str:
    count = len(latencies)
    ms = sorted(x * 1000 for x in latencies)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    return (
        f"{name:<12} {count:>6} requests  {count / sum(walls):8.1f} req/s  "
        f"p50 {statistics.median(ms):7.1f} ms  p95 {p95:7.1f} ms  refused {refused}"
    )


@asynccontextmanager
async def fresh_schema(url: str, *, reset: bool) -> AsyncIterator[None]:
    """The database at `url`, migrated; with `reset`, PostgreSQL's public schema dropped first."""
    from tortoise import connections

    from comptoir.db import apply_migrations, database

    async with database(url):
        conn = connections.get("default")
        if reset and conn.capabilities.dialect == "postgres":
            await conn.execute_script("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        await apply_migrations()
        yield


@asynccontextmanager
async def bench_app(
    args: argparse.Namespace,
) -> AsyncIterator[tuple[Any, list[str], list[list[str]]]]:
    """The app started on a fresh schema with its world: an in-process HTTP client, the
    buyers' tokens and each seller's hot product ids."""
    import httpx

    from comptoir.app import create_app
    from comptoir.settings import Settings

    async with fresh_schema(_configure(args), reset=args.reset):
        pass
    app = create_app(Settings.from_env())
    async with app.router.lifespan_context(app):
        tokens, shops = await _world(args)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            yield http, tokens, shops


async def main() -> None:
    args = _parse()
    from models.orders import Order

    async with bench_app(args) as (http, tokens, shops):
        rng = random.Random(7)
        reserve_walls: list[float] = []
        reserve_lat: list[float] = []
        reserve_refused = 0
        for round_ in range(args.rounds):
            for token in tokens:
                for shop in rng.sample(shops, min(args.lines, len(shops))):
                    await _post(http, token, ADD, p=rng.choice(shop), q=1)
            wall, lat, refused = await _burst(
                http,
                tokens,
                RESERVE,
                [
                    {"input": {"deliveryAddress": ADDRESS, "idempotencyKey": f"r{round_}"}}
                    for _ in tokens
                ],
            )
            reserve_walls.append(wall)
            reserve_lat += lat
            reserve_refused += refused
        trivial_walls: list[float] = []
        trivial_lat: list[float] = []
        for _ in range(args.rounds):
            wall, lat, _refused = await _burst(http, tokens, EMPTY, [{} for _ in tokens])
            trivial_walls.append(wall)
            trivial_lat += lat
        orders = await Order.all().count()
    dialect = "postgres" if os.environ["DATABASE_URL"].startswith("postgres") else "sqlite"
    print(
        f"database {dialect}; {args.buyers} buyers, {args.sellers} sellers x "
        f"{args.products_per_seller} hot products, {args.lines} lines per cart, "
        f"{args.rounds} rounds"
    )
    print(_report("reserveCart", reserve_walls, reserve_lat, reserve_refused))
    print(_report("emptyCart", trivial_walls, trivial_lat, 0))
    print(f"orders created: {orders} (expected {args.buyers * args.rounds * args.lines})")


if __name__ == "__main__":
    asyncio.run(main())
