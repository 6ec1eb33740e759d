"""The data a live bench delivers: a seller, buyers, a helpdesk thread, bursts of its events."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from realtime.doorbell import Doorbell


async def build_world(database_url: str) -> dict[str, Any]:
    from tortoise import Tortoise, connections

    from models.accounts import Account, Role, Seller
    from realtime.doorbell import Doorbell
    from resolvers import helpdesk
    from resolvers.catalog import ProductData, create_product
    from resolvers.passwords import hash_password
    from resolvers.policy import Policy
    from resolvers.sessions import actor_for_token, open_session
    from schema.ids import encode_id

    await connections.get("default").execute_script(
        "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"
    )
    await Tortoise.generate_schemas(safe=True)
    policy = Policy(doorbell=Doorbell())  # nobody listens to the set-up
    password = hash_password("bench password", policy=policy)

    async def account(email: str, role: Role) -> Account:
        return await Account.create(
            email=email,
            password_hash=password,
            first_name="Banc",
            last_name="Essai",
            role=role,
            postal_code="75011",
            rights=[],
            email_confirmed_at=datetime.now().astimezone(),
        )

    seller_account = await account("vendeur@bench.fr", Role.SELLER)
    shop = await Seller.create(account=seller_account, name="BatiBench")
    buyer, idle = (
        await account("acheteur@bench.fr", Role.BUYER),
        await account("oisif@bench.fr", Role.BUYER),
    )
    seller_token, buyer_token = (
        await open_session(seller_account, policy=policy),
        await open_session(buyer, policy=policy),
    )
    seller_actor = await actor_for_token(seller_token)
    product = await create_product(
        seller_actor,
        data=ProductData(
            name="Ciment 35 kg",
            description="Sac",
            category="Gros œuvre",
            price=Decimal("9.90"),
            stock=10,
            delivery_zones=["75"],
        ),
    )
    opened = await helpdesk.open_thread(
        await actor_for_token(buyer_token), product_id=product.id, body="Bonjour", policy=policy
    )
    return {
        "seller": seller_token,
        "buyer": buyer_token,
        "idle": await open_session(idle, policy=policy),
        "thread": encode_id("Thread", opened.thread.id),
        "thread_id": opened.thread.id,
        "buyer_id": buyer.id,
        "shop": shop.id,
        "message_id": opened.message.id,
    }


async def commit_burst(world: dict[str, Any], events: int, *, doorbell: Doorbell) -> None:
    """`events` MESSAGE events in one transaction, as a busy thread would produce, announced
    on `doorbell` (the bench's broadcast, which the workers listen to)."""
    from models.events import EventKind
    from realtime.log import append_event, atomic

    async with atomic():
        for _ in range(events):
            await append_event(
                EventKind.MESSAGE,
                {"thread_id": world["thread_id"], "message_id": world["message_id"]},
                doorbell=doorbell,
                thread_id=world["thread_id"],
                buyer_id=world["buyer_id"],
                seller_id=world["shop"],
            )
