"""A process of its own for the cross-process deadline alert tests.

    python -m tests.integration.deadline_world setup OPENED_ISO  -> JSON of tokens and ids
        a fresh schema; a seller's thread opened at OPENED, another seller's GAP_SECONDS later
    python -m tests.integration.deadline_world alerts              -> one JSON line per round
        for each NOW_ISO line read on stdin, one round of the alert job at NOW (the alerts
        raised), its doorbells rung through REDIS_URL as `comptoir worker` rings them; the
        process lives across rounds, as a worker does

DATABASE_URL names the database; COMPTOIR_SLA_BUSINESS_HOURS and COMPTOIR_AT_RISK_HOURS give
the (tiny) durations. The instants are explicit because business time stands still on
weekends and holidays: a wall-clock deadline a few seconds ahead exists on business days only.
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import datetime, timedelta

from comptoir.db import database
from comptoir.settings import Settings
from models.accounts import Role
from realtime.broadcast import open_broadcast
from realtime.doorbell import Doorbell
from resolvers import helpdesk
from resolvers.deadlines.alerts import raise_deadline_alerts
from resolvers.sessions import actor_for_token, open_session
from schema.ids import encode_id
from tests.catalog_helpers import make_product
from tests.database import migrate_fresh
from tests.factories import make_account

GAP_SECONDS = 1


async def setup(settings: Settings, opened: datetime) -> dict[str, object]:
    await migrate_fresh()
    policy = settings.policy(doorbell=Doorbell())  # nobody listens to the set-up
    buyer = await make_account(Role.BUYER, email="buyer@example.fr", postal_code="75011")
    admin = await make_account(Role.ADMIN, email="admin@example.fr")
    world: dict[str, object] = {
        "buyer": await open_session(buyer, policy=policy),
        "admin": await open_session(admin, policy=policy),
    }
    for n, name in enumerate(("seller", "other_seller")):
        shop = await make_account(Role.SELLER, email=f"{name}@example.fr", shop_name=name)
        product = await make_product(shop)
        thread = await helpdesk.open_thread(
            await actor_for_token(str(world["buyer"])),
            product_id=product.id,
            body="Bonjour, ce ciment convient-il pour une dalle ?",
            now=opened + timedelta(seconds=GAP_SECONDS * n),
            policy=policy,
        )
        world[name] = await open_session(shop, policy=policy)
        world[f"{name}_thread"] = encode_id("Thread", thread.thread.id)
    return world


async def alerts(settings: Settings) -> None:
    async with open_broadcast(settings.redis_url) as channel:
        policy = settings.policy(doorbell=channel.doorbell)
        for line in sys.stdin:
            now = datetime.fromisoformat(line.strip())
            raised = await raise_deadline_alerts(policy=policy, now=now)
            print(json.dumps(raised), flush=True)


async def main(argv: list[str]) -> None:
    settings = Settings.from_env()
    async with database(settings.database_url):
        if argv[0] == "setup":
            print(json.dumps(await setup(settings, datetime.fromisoformat(argv[1]))))
        elif argv[0] == "alerts":
            await alerts(settings)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
