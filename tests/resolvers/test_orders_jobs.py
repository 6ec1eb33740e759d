"""Jobs and hooks on orders: expiry in business days, account deletion."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from models.events import Event
from models.orders import Cart, CartLine, Order, OrderStatus, OrderStatusChange
from resolvers.cart import add_to_cart
from resolvers.orders import (
    expire_pending_orders,
    next_order_expiry,
    on_account_deleted,
    validate_order,
)
from resolvers.policy import Policy
from tests.catalog_helpers import make_product
from tests.clients import GraphQLClient
from tests.orders_helpers import actor_of, reserve, stock_of

PARIS = ZoneInfo("Europe/Paris")


async def test_a_pending_order_expires_after_three_business_days_skipping_holidays(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller, stock=10)
    (order,) = await reserve(buyer, (product, 4))
    # Thursday 24 December, 10:00: Christmas and the weekend do not count, so the three
    # business days run Thursday (from 10:00), Monday, Tuesday and end Wednesday 10:00.
    await Order.filter(id=order.id).update(created_at=datetime(2026, 12, 24, 10, tzinfo=PARIS))

    assert (
        await expire_pending_orders(now=datetime(2026, 12, 30, 9, 59, tzinfo=PARIS), policy=policy)
        == 0
    )
    assert (
        await expire_pending_orders(now=datetime(2026, 12, 30, 10, 1, tzinfo=PARIS), policy=policy)
        == 1
    )

    assert (await Order.get(id=order.id)).status is OrderStatus.EXPIRED
    assert await stock_of(product) == 10
    last = await OrderStatusChange.filter(order_id=order.id).order_by("-id").first()
    assert last is not None
    assert last.to_status is OrderStatus.EXPIRED
    assert last.actor_role is None  # the platform
    event = await Event.all().order_by("-id").first()
    assert event is not None
    assert event.payload["to"] == "EXPIRED"
    assert event.payload["actor_role"] is None


async def test_the_expiry_job_is_next_due_when_the_oldest_pending_order_expires(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    assert await next_order_expiry(policy=policy) is None
    product = await make_product(seller, stock=10)
    first, second, answered = [(await reserve(buyer, (product, 1)))[0] for _ in range(3)]
    await validate_order(await actor_of(seller), order_id=answered.id, policy=policy)
    # In UTC, as the orders' own times are (SQLite compares them as text).
    for order, created in (
        (answered, datetime(2026, 12, 1, tzinfo=PARIS)),
        (first, datetime(2026, 12, 24, 10, tzinfo=PARIS)),
        (second, datetime(2026, 12, 28, 9, tzinfo=PARIS)),
    ):
        await Order.filter(id=order.id).update(created_at=created.astimezone(UTC))

    # Christmas and the weekend stand still: Thursday 10:00 expires Wednesday 10:00.
    due = await next_order_expiry(policy=policy)
    assert due == datetime(2026, 12, 30, 10, tzinfo=PARIS)
    assert await expire_pending_orders(now=due - timedelta(seconds=1), policy=policy) == 0
    assert await expire_pending_orders(now=due, policy=policy) == 1
    assert (await Order.get(id=first.id)).status is OrderStatus.EXPIRED
    due = await next_order_expiry(policy=policy)
    assert due == datetime(2026, 12, 31, 9, tzinfo=PARIS)
    assert await expire_pending_orders(now=due, policy=policy) == 1
    assert await next_order_expiry(policy=policy) is None


async def test_answered_orders_never_expire(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller, stock=10)
    (order,) = await reserve(buyer, (product, 4))
    await validate_order(await actor_of(seller), order_id=order.id, policy=policy)
    await Order.filter(id=order.id).update(created_at=datetime(2026, 1, 5, tzinfo=PARIS))
    assert await expire_pending_orders(now=datetime(2026, 3, 1, tzinfo=PARIS), policy=policy) == 0
    assert (await Order.get(id=order.id)).status is OrderStatus.VALIDATED


async def test_overlapping_runners_expire_each_order_once_page_after_page(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller, stock=10)
    orders = [(await reserve(buyer, (product, 1)))[0] for _ in range(5)]
    await Order.all().update(created_at=datetime(2026, 1, 5, tzinfo=PARIS))
    events_before = await Event.all().count()
    later = datetime(2026, 1, 20, tzinfo=PARIS)

    # A backlog of more than a page clears in one call of each runner.
    done = await asyncio.gather(
        *(expire_pending_orders(now=later, policy=policy, batch=2) for _ in range(4))
    )

    assert sum(done) == len(orders)
    assert {o.status for o in await Order.all()} == {OrderStatus.EXPIRED}
    assert await Event.all().count() == events_before + len(orders)
    assert await stock_of(product) == 10
    assert await expire_pending_orders(now=later, policy=policy, batch=2) == 0


async def test_deleting_an_account_cancels_its_pending_orders_and_empties_its_cart(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller, stock=10)
    (pending,) = await reserve(buyer, (product, 2))
    (validated,) = await reserve(buyer, (product, 3))
    await validate_order(await actor_of(seller), order_id=validated.id, policy=policy)
    await add_to_cart(await actor_of(buyer), product_id=product.id, quantity=1, policy=policy)
    assert buyer.account_id is not None

    await on_account_deleted(account_id=buyer.account_id, policy=policy)

    assert (await Order.get(id=pending.id)).status is OrderStatus.CANCELLED
    assert (await Order.get(id=validated.id)).status is OrderStatus.VALIDATED
    assert await stock_of(product) == 7
    assert await CartLine.all().count() == 0
    assert await Cart.all().count() == 0
    event = await Event.all().order_by("-id").first()
    assert event is not None
    assert event.order_id == pending.id
    assert event.payload["to"] == "CANCELLED"
