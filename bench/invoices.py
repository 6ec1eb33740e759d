"""Invoices issued per second while orders ship concurrently: one seller vs several sellers.

The same number of VALIDATED orders is shipped in concurrent bursts twice: first all of one
seller (every issue takes that seller's counter row in turn), then spread over several
sellers (each counter is taken by its own shipments only). Each shipment is the real
`ship_order` transaction: status change, history, invoice with its number, mail, event.
If numbering locked more than one seller's counter, both runs would be equally serialised.

    python bench/invoices.py                                  # a fresh SQLite file
    python bench/invoices.py --database-url \
        postgres://postgres:postgres@127.0.0.1:5432/scratch_invoices --reset   # PostgreSQL

SQLite has one writer at a time whatever the rows, so only PostgreSQL can show the gap.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.reserve import _configure, fresh_schema


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--reset", action="store_true", help="PostgreSQL: drop and recreate the public schema first"
    )
    parser.add_argument("--orders", type=int, default=200, help="orders shipped per run")
    parser.add_argument("--sellers", type=int, default=10, help="sellers of the spread run")
    parser.add_argument("--concurrency", type=int, default=20)
    return parser.parse_args()


async def _main(args: argparse.Namespace) -> None:
    url = _configure(args)

    # The app's import order: the resolvers' modules import one another in it.
    from comptoir.app import create_app  # noqa: F401  # imported for the order only
    from comptoir.settings import Settings
    from models.accounts import Account, Role
    from models.invoices import Invoice
    from realtime.doorbell import Doorbell
    from resolvers.actor import Actor
    from resolvers.cart import add_to_cart
    from resolvers.orders import Address, reserve_cart, ship_order, validate_order
    from tests.catalog_helpers import make_product, seller_actor
    from tests.factories import make_account

    policy = Settings.from_env().policy(doorbell=Doorbell())  # nobody listens to the bench
    address = Address(line1="1 rue du Banc", postal_code="75011", city="Paris", country="FR")

    async def validated(run: str, accounts: list[Account], count: int) -> list[tuple[Actor, int]]:
        buyer = await make_account(Role.BUYER, email=f"{run}@bench.fr", postal_code="75011")
        actor = Actor(account_id=buyer.id, role=Role.BUYER)
        shops = [await seller_actor(account) for account in accounts]
        products = [await make_product(account, stock=10**6) for account in accounts]
        result = []
        for i in range(count):
            shop, product = shops[i % len(shops)], products[i % len(shops)]
            await add_to_cart(actor, product_id=product.id, quantity=1, policy=policy)
            (order,) = await reserve_cart(
                actor, address=address, remark=None, idempotency_key=f"{run}-{i}", policy=policy
            )
            await validate_order(shop, order_id=order.id, policy=policy)
            result.append((shop, order.id))
        return result

    async def ship_all(orders: list[tuple[Actor, int]]) -> float:
        gate = asyncio.Semaphore(args.concurrency)

        async def one(shop: Actor, order_id: int) -> None:
            async with gate:
                await ship_order(
                    shop, order_id=order_id, carrier="DPD", tracking_number="1Z", policy=policy
                )

        start = time.perf_counter()
        await asyncio.gather(*(one(shop, order_id) for shop, order_id in orders))
        return time.perf_counter() - start

    async with fresh_schema(url, reset=args.reset):
        accounts = [
            await make_account(Role.SELLER, email=f"shop{i}@bench.fr", shop_name=f"Boutique {i}")
            for i in range(args.sellers)
        ]
        one_seller = await validated("one", accounts[:1], args.orders)
        spread = await validated("spread", accounts, args.orders)
        one_time = await ship_all(one_seller)
        spread_time = await ship_all(spread)
        shipped = await Invoice.all().count()
        assert shipped == 2 * args.orders, shipped
        first = await seller_actor(accounts[0])
        invoices = Invoice.filter(seller_id=first.seller_id)
        numbers = [row["sequence"] for row in await invoices.values("sequence")]
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), "gap in the numbering"
    print(
        f"database: {url.split(':')[0]}; {args.orders} orders per run, "
        f"{args.concurrency} concurrent shipments"
    )
    print(f"one seller:        {args.orders / one_time:8.1f} invoices/s")
    print(f"{args.sellers} sellers:        {args.orders / spread_time:8.1f} invoices/s")
    print(f"ratio spread / one: {one_time / spread_time:.2f}")


if __name__ == "__main__":
    asyncio.run(_main(_parse()))
