"""acceptQuote under contention, beside reserveCart of the same lines, in one run.

50 buyers (by default) each hold an offer from one of 5 sellers on a few hot products; they
accept at the same instant, and the burst repeats for several rounds. The same buyers then
reserve carts of the same lines in identical bursts, so both figures come from the same
process, database and machine (acceptance does more: the quote's lock, two order statuses, the
quote's own history, mails and event).

    python bench/quotes.py                                    # a fresh SQLite file
    python bench/quotes.py --database-url postgres://postgres:postgres@127.0.0.1:5432/bench \
        --reset                                               # PostgreSQL (schema dropped!)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.reserve import ADD, ADDRESS, RESERVE, _burst, _post, _report, bench_app

ROOT = Path(__file__).resolve().parents[1]

ACCEPT = """mutation($input: AcceptQuoteInput!) { acceptQuote(input: $input) {
  errors { code } quote { order { id } } } }"""


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
    parser.add_argument("--lines", type=int, default=2, help="quote lines (one seller)")
    parser.add_argument("--rounds", type=int, default=10)
    return parser.parse_args()


async def _offers(tokens: list[str], picks: list[list[str]]) -> list[dict[str, Any]]:
    """One OFFERED quote per buyer on its picked products; the acceptQuote inputs."""
    from models.accounts import Role, Seller
    from realtime.doorbell import Doorbell
    from resolvers.actor import Actor
    from resolvers.policy import Policy
    from resolvers.quotes import TierPrice, add_to_quote_list, offer_quote, send_quote_request
    from resolvers.sessions import actor_for_token
    from schema.ids import decode_id, encode_id

    policy = Policy(doorbell=Doorbell())
    inputs = []
    for round_key, (token, products) in enumerate(zip(tokens, picks, strict=True)):
        buyer = await actor_for_token(token)
        ids = [decode_id(p, "Product") for p in products]
        for product_id in ids:
            await add_to_quote_list(buyer, product_id=product_id, quantities=[1, 5])
        (quote,) = await send_quote_request(buyer, remark=None, policy=policy)
        shop = await Seller.get(id=quote.seller_id)
        seller = Actor(account_id=shop.account_id, role=Role.SELLER, seller_id=shop.id)
        await offer_quote(
            seller,
            quote_id=quote.id,
            policy=policy,
            message=None,
            valid_until=datetime.now(UTC) + timedelta(days=7),
            prices=[TierPrice(i, q, Decimal("18.00")) for i in ids for q in (1, 5)],
        )
        inputs.append(
            {
                "input": {
                    "quoteId": encode_id("Quote", quote.id),
                    "deliveryAddress": ADDRESS,
                    "idempotencyKey": f"accept-{quote.id}-{round_key}",
                    "choices": [{"productId": p, "quantity": 1} for p in products],
                }
            }
        )
    return inputs


async def main() -> None:
    args = _parse()
    from models.orders import Order

    results: dict[str, tuple[list[float], list[float], int]] = {
        "acceptQuote": ([], [], 0),
        "reserveCart": ([], [], 0),
    }
    async with bench_app(args) as (http, tokens, shops):
        rng = random.Random(7)
        for round_ in range(args.rounds):
            picks = [
                rng.sample(rng.choice(shops), min(args.lines, args.products_per_seller))
                for _ in tokens
            ]
            accepted = await _burst(http, tokens, ACCEPT, await _offers(tokens, picks))
            for token, products in zip(tokens, picks, strict=True):
                for product in products:
                    await _post(http, token, ADD, p=product, q=1)
            reserved = await _burst(
                http,
                tokens,
                RESERVE,
                [
                    {"input": {"deliveryAddress": ADDRESS, "idempotencyKey": f"r{round_}"}}
                    for _ in tokens
                ],
            )
            for name, (wall, lat, refused) in (
                ("acceptQuote", accepted),
                ("reserveCart", reserved),
            ):
                walls, latencies, refusals = results[name]
                walls.append(wall)
                latencies += lat
                results[name] = (walls, latencies, refusals + refused)
        orders = await Order.all().count()
    dialect = "postgres" if os.environ["DATABASE_URL"].startswith("postgres") else "sqlite"
    print(
        f"database {dialect}; {args.buyers} buyers, {args.sellers} sellers x "
        f"{args.products_per_seller} hot products, {args.lines} lines per quote/cart, "
        f"{args.rounds} rounds"
    )
    for name, (walls, latencies, refused) in results.items():
        print(_report(name, walls, latencies, refused))
    print(f"orders created: {orders} (expected {2 * args.buyers * args.rounds})")


if __name__ == "__main__":
    asyncio.run(main())
