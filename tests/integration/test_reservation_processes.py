"""Several OS processes on one database (the SQLite file, or PostgreSQL): the last units, one
idempotency key, a cancel/validate pair and one seller's invoice numbers, fought over by
separate interpreters.

Run as a script, this module is the worker: it opens the database and calls the resolvers.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import httpx

# First: the modules in the app's order (importing resolvers.cart first is an import cycle).
import comptoir.app  # noqa: F401  # imported for that order, not for a name
from comptoir.db import database
from models.accounts import Role
from models.catalog import Product
from models.events import Event
from models.invoices import Invoice
from models.orders import Order, OrderStatus
from resolvers.actor import Actor
from resolvers.cart import add_to_cart
from resolvers.errors import DomainError
from resolvers.orders import cancel_order, reserve_cart, ship_order, validate_order
from resolvers.policy import Policy
from tests.catalog_helpers import make_product, seller_actor
from tests.clients import GraphQLClient
from tests.configuration import POLICY, SETTINGS
from tests.factories import make_account
from tests.orders_helpers import ADDRESS, reserve

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 3


async def _run_job(job: dict[str, Any]) -> Any:
    try:
        if job["op"] == "reserve":
            actor = Actor(account_id=job["buyer"], role=Role.BUYER)
            orders = await reserve_cart(
                actor, address=ADDRESS, remark=None, idempotency_key=job["key"], policy=POLICY
            )
            return [o.id for o in orders]
        if job["op"] == "cancel":
            actor = Actor(account_id=job["buyer"], role=Role.BUYER)
            return str((await cancel_order(actor, order_id=job["order"], policy=POLICY)).status)
        actor = Actor(account_id=job["seller_account"], role=Role.SELLER, seller_id=job["seller"])
        if job["op"] == "ship":
            shipped = await ship_order(
                actor, order_id=job["order"], carrier="DPD", tracking_number="1Z", policy=POLICY
            )
            return str(shipped.status)
        return str((await validate_order(actor, order_id=job["order"], policy=POLICY)).status)
    except DomainError as error:
        return error.problems[0].code.value


async def _worker(spec: dict[str, Any]) -> None:
    async with database(spec["database_url"]):
        # Every worker starts at the same instant, so the processes really overlap.
        await asyncio.sleep(max(0.0, spec["start_at"] - time.time()))
        results = await asyncio.gather(*(_run_job(job) for job in spec["jobs"]))
    print(json.dumps(results))


async def _in_processes(job_lists: list[list[dict[str, Any]]]) -> list[list[Any]]:
    start_at = time.time() + 2.0
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            json.dumps({"database_url": SETTINGS.database_url, "start_at": start_at, "jobs": jobs}),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
            cwd=ROOT,
        )
        for jobs in job_lists
    ]
    results = []
    for proc in procs:
        out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
        assert proc.returncode == 0, err.decode()
        results.append(json.loads(out.decode().strip().splitlines()[-1]))
    return results


async def test_buyers_in_three_processes_never_share_the_last_units(
    http: httpx.AsyncClient, seller: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller, stock=5)
    buyers = [
        await make_account(Role.BUYER, email=f"proc{i}@example.fr", postal_code="75011")
        for i in range(15)
    ]
    for account in buyers:
        await add_to_cart(
            Actor(account_id=account.id, role=Role.BUYER),
            product_id=product.id,
            quantity=1,
            policy=policy,
        )
    jobs = [{"op": "reserve", "buyer": a.id, "key": "k"} for a in buyers]

    results = await _in_processes([jobs[i::WORKERS] for i in range(WORKERS)])

    flat = [r for chunk in results for r in chunk]
    assert sum(isinstance(r, list) for r in flat) == 5
    assert sorted(r for r in flat if isinstance(r, str)) == ["OUT_OF_STOCK"] * 10
    assert (await Product.get(id=product.id)).stock == 0
    assert await Order.all().count() == 5
    assert await Event.all().count() == 5


async def test_one_key_from_three_processes_reserves_once(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller, stock=10)
    assert buyer.account_id is not None
    await add_to_cart(
        Actor(account_id=buyer.account_id, role=Role.BUYER),
        product_id=product.id,
        quantity=4,
        policy=policy,
    )
    job = {"op": "reserve", "buyer": buyer.account_id, "key": "same-key"}

    results = await _in_processes([[job, job] for _ in range(WORKERS)])

    answers = {tuple(r) for chunk in results for r in chunk}
    assert len(answers) == 1, results
    assert await Order.all().count() == 1
    assert (await Product.get(id=product.id)).stock == 6


async def test_cancel_and_validate_from_two_processes_one_wins(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await make_product(seller, stock=50)
    orders = [(await reserve(buyer, (product, 1)))[0] for _ in range(6)]
    shop = await seller_actor(seller)
    events_before = await Event.all().count()

    cancels, validates = await _in_processes(
        [
            [{"op": "cancel", "buyer": buyer.account_id, "order": o.id} for o in orders],
            [
                {
                    "op": "validate",
                    "seller_account": shop.account_id,
                    "seller": shop.seller_id,
                    "order": o.id,
                }
                for o in orders
            ],
        ]
    )

    for order, cancelled, validated in zip(orders, cancels, validates, strict=True):
        final = (await Order.get(id=order.id)).status
        assert (cancelled, validated) in (
            ("CANCELLED", "INVALID_TRANSITION"),
            ("CONTACT_SELLER", "VALIDATED"),
        )
        assert str(final) in (cancelled, validated)
    assert await Event.all().count() == events_before + len(orders)
    still_reserved = await Order.filter(status=OrderStatus.VALIDATED).count()
    assert (await Product.get(id=product.id)).stock == 50 - still_reserved


async def test_one_sellers_shipments_from_three_processes_are_numbered_without_gap(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller, stock=100)
    shop = await seller_actor(seller)
    orders = []
    for _ in range(30):
        (order,) = await reserve(buyer, (product, 1))
        orders.append(await validate_order(shop, order_id=order.id, policy=policy))
    jobs = [
        {"op": "ship", "seller_account": shop.account_id, "seller": shop.seller_id, "order": o.id}
        for o in orders
    ]

    results = await _in_processes([jobs[i::WORKERS] for i in range(WORKERS)])

    assert {r for chunk in results for r in chunk} == {"SHIPPED"}
    invoices = await Invoice.all()
    assert sorted(i.sequence for i in invoices) == list(range(1, 31))
    assert {i.order_id for i in invoices} == {o.id for o in orders}


if __name__ == "__main__":
    asyncio.run(_worker(json.loads(sys.argv[1])))
