"""A separate process acting on the shared database, for the multi-worker live tests.

    python -m tests.integration.live_world setup            -> JSON of tokens and ids
    python -m tests.integration.live_world commit-and-die TOKEN THREAD_ID
        posts a message, then is SIGKILLed right after the commit, before any doorbell.
    python -m tests.integration.live_world order BUYER_EMAIL SELLER_EMAIL
        a new PENDING order between two existing accounts -> JSON of the buyer's token and ids
    python -m tests.integration.live_world backdate ORDER_ID DAYS
        moves the order's creation DAYS calendar days back (expirable by the jobs)

DATABASE_URL names the database. Cheap argon2 parameters come from the environment.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from dataclasses import replace
from datetime import timedelta

from comptoir.db import database
from models.accounts import Account, Role
from models.orders import Order
from realtime.doorbell import Doorbell
from resolvers import helpdesk
from resolvers.sessions import actor_for_token, open_session
from schema.ids import encode_id
from tests.catalog_helpers import make_product
from tests.clients import GraphQLClient
from tests.configuration import POLICY
from tests.database import migrate_fresh
from tests.factories import make_account
from tests.helpdesk_helpers import make_order


async def setup() -> dict[str, object]:
    await migrate_fresh()
    buyer = await make_account(Role.BUYER, email="buyer@example.fr", postal_code="75011")
    seller = await make_account(Role.SELLER, email="seller@example.fr", shop_name="BatiPro")
    buyer_token, seller_token = (
        await open_session(buyer, policy=POLICY),
        await open_session(seller, policy=POLICY),
    )
    product = await make_product(seller)
    opened = await helpdesk.open_thread(
        await actor_for_token(buyer_token),
        product_id=product.id,
        body="Bonjour, en stock ?",
        policy=POLICY,
    )
    orders = [
        await make_order(
            GraphQLClient(None, buyer_token, buyer.id),  # type: ignore[arg-type]
            GraphQLClient(None, seller_token, seller.id),  # type: ignore[arg-type]
            number=f"CMD-2026-{n:06d}",
        )
        for n in range(1, 4)
    ]
    return {
        "buyer": buyer_token,
        "seller": seller_token,
        "buyer_id": buyer.id,
        "thread": encode_id("Thread", opened.thread.id),
        "thread_id": opened.thread.id,
        "orders": [encode_id("Order", o.id) for o in orders],
    }


async def session_for(email: str) -> str:
    return await open_session(await Account.get(email=email), policy=POLICY)


async def new_order(buyer_email: str, seller_email: str) -> dict[str, object]:
    buyer, seller = await Account.get(email=buyer_email), await Account.get(email=seller_email)
    number = f"CMD-2026-{800_000 + await Order.all().count():06d}"
    order = await make_order(
        GraphQLClient(None, None, buyer.id),  # type: ignore[arg-type]
        GraphQLClient(None, None, seller.id),  # type: ignore[arg-type]
        number=number,
    )
    return {
        "buyer": await open_session(buyer, policy=POLICY),
        "order": encode_id("Order", order.id),
        "order_id": order.id,
    }


async def backdate(order_id: int, days: float) -> None:
    order = await Order.get(id=order_id)
    await Order.filter(id=order_id).update(created_at=order.created_at - timedelta(days=days))


async def commit_and_die(token: str, thread_id: int) -> None:
    async def die(channel: str, message: str) -> None:
        os.kill(os.getpid(), signal.SIGKILL)  # committed, never announced

    dying = Doorbell()
    dying.connect(die)
    await helpdesk.post_message(
        await actor_for_token(token),
        thread_id=thread_id,
        body="Envoyé par un processus qui meurt aussitôt",
        policy=replace(POLICY, doorbell=dying),
    )


async def main(argv: list[str]) -> None:
    async with database(os.environ["DATABASE_URL"]):
        if argv[0] == "setup":
            print(json.dumps(await setup()))
        elif argv[0] == "session":
            print(json.dumps(await session_for(argv[1])))
        elif argv[0] == "order":
            print(json.dumps(await new_order(argv[1], argv[2])))
        elif argv[0] == "backdate":
            await backdate(int(argv[1]), float(argv[2]))
        elif argv[0] == "commit-and-die":
            await commit_and_die(argv[1], int(argv[2]))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
