"""Truly concurrent requests through the app (SQLite or PostgreSQL, per the suite's database).

On PostgreSQL the requests run on separate pooled connections at once; on SQLite they queue
on the write lock. Either way the database, not luck, must decide.
"""

from __future__ import annotations

import asyncio

import httpx

from models.accounts import Role
from models.catalog import Product
from models.events import Event
from models.orders import Order, OrderStatus, OrderStatusChange
from schema.ids import encode_id
from tests.catalog_helpers import make_product
from tests.clients import GraphQLClient
from tests.factories import login_as, make_account
from tests.orders_helpers import ADD, RESERVE, reserve, reserve_input

CANCEL = "mutation($o: ID!) { cancelOrder(orderId: $o) { errors { code } order { status } } }"
VALIDATE = "mutation($o: ID!) { validateOrder(orderId: $o) { errors { code } order { status } } }"


async def _buyers(http: httpx.AsyncClient, count: int) -> list[GraphQLClient]:
    accounts = [
        await make_account(Role.BUYER, email=f"racer{i}@example.fr", postal_code="75011")
        for i in range(count)
    ]
    return [await login_as(http, account) for account in accounts]


async def test_thirty_buyers_racing_for_five_units_make_exactly_five_orders(
    http: httpx.AsyncClient, seller: GraphQLClient
) -> None:
    product = await make_product(seller, stock=5)
    buyers = await _buyers(http, 30)
    for client in buyers:
        await client.mutate_ok(ADD, p=encode_id("Product", product.id), q=1)

    payloads = await asyncio.gather(*(c.mutate(RESERVE, input=reserve_input()) for c in buyers))

    won = [p for p in payloads if not p["errors"]]
    lost = [p for p in payloads if p["errors"]]
    assert len(won) == 5
    assert all(len(p["orders"]) == 1 for p in won)
    assert {e["code"] for p in lost for e in p["errors"]} == {"OUT_OF_STOCK"}
    assert await Order.all().count() == 5
    assert (await Product.get(id=product.id)).stock == 0
    assert await Event.all().count() == 5


async def test_one_key_sent_ten_times_at_once_makes_one_set_of_orders(
    buyer: GraphQLClient, seller: GraphQLClient, other_seller: GraphQLClient
) -> None:
    a = await make_product(seller, stock=10)
    b = await make_product(other_seller, name="Perceuse", stock=10)
    await buyer.mutate_ok(ADD, p=encode_id("Product", a.id), q=2)
    await buyer.mutate_ok(ADD, p=encode_id("Product", b.id), q=3)
    request = reserve_input("double-click")

    payloads = await asyncio.gather(*(buyer.mutate(RESERVE, input=request) for _ in range(10)))

    assert all(p["errors"] == [] for p in payloads), payloads
    answers = {tuple(o["id"] for o in p["orders"]) for p in payloads}
    assert len(answers) == 1
    assert len(answers.pop()) == 2
    assert await Order.all().count() == 2
    assert [(await Product.get(id=p.id)).stock for p in (a, b)] == [8, 7]
    assert await Event.all().count() == 2


async def test_cancel_and_validate_at_the_same_moment_one_wins_with_one_event(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await make_product(seller, stock=100)
    orders = [(await reserve(buyer, (product, 1)))[0] for _ in range(8)]
    events_before = await Event.all().count()

    for order in orders:
        oid = encode_id("Order", order.id)
        cancelled, validated = await asyncio.gather(
            buyer.mutate(CANCEL, o=oid), seller.mutate(VALIDATE, o=oid)
        )
        winners = [p for p in (cancelled, validated) if not p["errors"]]
        assert len(winners) == 1, (cancelled, validated)
        final = (await Order.get(id=order.id)).status
        if final is OrderStatus.CANCELLED:
            assert validated["errors"] == [{"code": "INVALID_TRANSITION"}]
        else:
            assert final is OrderStatus.VALIDATED
            assert cancelled["errors"] == [{"code": "CONTACT_SELLER"}]
        assert await OrderStatusChange.filter(order_id=order.id).count() == 2

    assert await Event.all().count() == events_before + len(orders)
    cancelled_count = await Order.filter(status=OrderStatus.CANCELLED).count()
    assert (await Product.get(id=product.id)).stock == 100 - len(orders) + cancelled_count
