"""The contract's order rules over HTTP: idempotency, transitions, expiry, mails, ids."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from starlette.applications import Starlette

from comptoir.app import guard
from comptoir.settings import Settings
from models.catalog import Product
from models.mail import OutboxMail
from models.orders import IdempotencyKey, Order
from resolvers.orders import expire_pending_orders
from resolvers.policy import Policy
from resolvers.sessions import actor_for_token
from schema import build_schema
from schema.compat import graphql_schema
from schema.context import Context
from schema.ids import encode_id
from schema.live_render import LiveRenderer
from tests.catalog_helpers import make_product
from tests.clients import GraphQLClient
from tests.orders_helpers import (
    ADD,
    ADDRESS_INPUT,
    ORDER_FIELDS,
    RESERVE,
    counts,
    reserve,
    reserve_input,
    stock_of,
)

ORDER = f"query($id: ID!) {{ order(id: $id) {{ {ORDER_FIELDS} }} }}"
CANCEL = """mutation($o: ID!) { cancelOrder(orderId: $o) { errors { code } order { status } } }"""
VALIDATE = (
    """mutation($o: ID!) { validateOrder(orderId: $o) { errors { code } order { status } } }"""
)
SHIP = """mutation($o: ID!) { shipOrder(orderId: $o, carrier: "Geodis", trackingNumber: "GE1") {
  errors { code } order { status } } }"""
DELIVERED = """mutation($o: ID!) { markDelivered(orderId: $o) {
  errors { code } order { status history { from to actorRole } } } }"""
REORDER = """mutation($o: ID!) { reorder(orderId: $o) {
  errors { code } cart { expiresAt lines { quantity product { id } } }
  changes { productId productName kind before after } } }"""


def gid(kind: str, pk: int) -> str:
    return encode_id(kind, pk)


def _ids(payload: dict[str, list[dict[str, str]]]) -> list[str]:
    return [order["id"] for order in payload["orders"]]


async def test_a_key_replays_its_orders_and_refuses_any_other_request(
    buyer: GraphQLClient, other_buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    cement = await make_product(seller, stock=10)
    sand = await make_product(seller, name="Sable", stock=10)
    await buyer.mutate_ok(ADD, p=gid("Product", cement.id), q=2)
    first = _ids(await buyer.mutate_ok(RESERVE, input=reserve_input("k")))
    # The cart is empty after the first success: a plain retry, answered with the same orders.
    assert _ids(await buyer.mutate_ok(RESERVE, input=reserve_input("k"))) == first
    # Still honoured a day and more later.
    await IdempotencyKey.all().update(created_at=datetime.now(UTC) - timedelta(hours=25))
    assert _ids(await buyer.mutate_ok(RESERVE, input=reserve_input("k"))) == first

    elsewhere = reserve_input("k", deliveryAddress={**ADDRESS_INPUT, "line1": "1 rue Neuve"})
    assert await buyer.refused(RESERVE, input=elsewhere) == ["IDEMPOTENCY_KEY_REUSED"]
    remarked = reserve_input("k", remark="Portail bleu")
    assert await buyer.refused(RESERVE, input=remarked) == ["IDEMPOTENCY_KEY_REUSED"]
    await buyer.mutate_ok(ADD, p=gid("Product", sand.id), q=1)
    before = await counts()
    assert await buyer.refused(RESERVE, input=reserve_input("k")) == ["IDEMPOTENCY_KEY_REUSED"]
    assert await counts() == before
    assert [await stock_of(cement), await stock_of(sand)] == [8, 10]

    # The same key is another buyer's own business.
    await other_buyer.mutate_ok(ADD, p=gid("Product", cement.id), q=1)
    theirs = _ids(await other_buyer.mutate_ok(RESERVE, input=reserve_input("k")))
    assert theirs != first
    assert await stock_of(cement) == 7


async def test_the_same_cart_filled_again_with_the_same_key_is_the_same_request(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await make_product(seller, stock=10)
    await buyer.mutate_ok(ADD, p=gid("Product", product.id), q=2)
    first = _ids(await buyer.mutate_ok(RESERVE, input=reserve_input("again")))
    await buyer.mutate_ok(ADD, p=gid("Product", product.id), q=2)
    assert _ids(await buyer.mutate_ok(RESERVE, input=reserve_input("again"))) == first
    assert await Order.all().count() == 1
    assert await stock_of(product) == 8


async def test_shipping_needs_a_validated_order_and_delivery_a_shipped_one(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await make_product(seller, stock=10)
    (order,) = await reserve(buyer, (product, 2))
    oid = gid("Order", order.id)
    before = await counts()
    assert await seller.refused(SHIP, o=oid) == ["INVALID_TRANSITION"]
    for client in (buyer, seller):
        assert await client.refused(DELIVERED, o=oid) == ["INVALID_TRANSITION"]
    assert await counts() == before

    await seller.mutate_ok(VALIDATE, o=oid)
    before = await counts()
    for client in (buyer, seller):
        assert await client.refused(DELIVERED, o=oid) == ["INVALID_TRANSITION"]
    assert await counts() == before

    await seller.mutate_ok(SHIP, o=oid)
    before = await counts()
    assert await seller.refused(SHIP, o=oid) == ["INVALID_TRANSITION"]
    assert await counts() == before
    delivered = (await seller.mutate_ok(DELIVERED, o=oid))["order"]
    assert delivered["status"] == "DELIVERED"
    assert delivered["history"][-1] == {"from": "SHIPPED", "to": "DELIVERED", "actorRole": "SELLER"}
    before = await counts()
    for client in (buyer, seller):
        assert await client.refused(DELIVERED, o=oid) == ["INVALID_TRANSITION"]
    assert await seller.refused(SHIP, o=oid) == ["INVALID_TRANSITION"]
    assert await counts() == before
    assert await stock_of(product) == 8


async def test_an_expired_order_shows_the_platform_as_actor_and_its_stock_back(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller, stock=10)
    (order,) = await reserve(buyer, (product, 4))
    await Order.filter(id=order.id).update(created_at=datetime.now(UTC) - timedelta(days=30))

    assert await expire_pending_orders(policy=policy) == 1

    shown = (await buyer.query(ORDER, id=gid("Order", order.id)))["order"]
    assert shown["status"] == "EXPIRED"
    assert shown["history"] == [
        {"from": None, "to": "PENDING", "actorRole": "BUYER", "reason": None},
        {
            "from": "PENDING",
            "to": "EXPIRED",
            "actorRole": None,
            "reason": shown["history"][1]["reason"],
        },
    ]
    assert shown["lines"][0]["product"]["stock"] == 10
    assert await seller.refused(VALIDATE, o=gid("Order", order.id)) == ["INVALID_TRANSITION"]
    assert await buyer.refused(CANCEL, o=gid("Order", order.id)) == ["INVALID_TRANSITION"]


async def _mailed_since(count: int, number: str) -> list[tuple[str, str]]:
    """(recipient, subject) of the outbox mails about order `number`, after the first `count`."""
    rows = await OutboxMail.all().order_by("id").values_list("recipient", "subject")
    return [(to, subject) for to, subject in rows if number in subject][count:]


async def test_every_status_change_is_mailed_through_the_outbox(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await make_product(seller, stock=10)
    await buyer.mutate_ok(ADD, p=gid("Product", product.id), q=1)
    (order,) = (await buyer.mutate_ok(RESERVE, input=reserve_input()))["orders"]
    number = order["number"]
    created = await _mailed_since(0, number)
    assert sorted(to for to, _ in created) == ["buyer@example.fr", "seller@example.fr"]

    await seller.mutate_ok(VALIDATE, o=order["id"])
    ((to, subject),) = await _mailed_since(2, number)
    assert to == "buyer@example.fr"
    assert "validée" in subject
    await seller.mutate_ok(SHIP, o=order["id"])
    assert [to for to, _ in await _mailed_since(3, number)] == ["buyer@example.fr"]
    await buyer.mutate_ok(DELIVERED, o=order["id"])
    assert "seller@example.fr" in [to for to, _ in await _mailed_since(4, number)]

    await buyer.mutate_ok(ADD, p=gid("Product", product.id), q=1)
    (other,) = (await buyer.mutate_ok(RESERVE, input=reserve_input()))["orders"]
    await buyer.mutate_ok(CANCEL, o=other["id"])
    cancelled = await _mailed_since(2, other["number"])
    assert "seller@example.fr" in [to for to, _ in cancelled]
    assert all("annulée" in subject for _, subject in cancelled)


async def test_ids_that_name_no_order_read_as_missing_never_as_server_errors(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await make_product(seller)
    (order,) = await reserve(buyer, (product, 1))
    before = await counts()
    for oid in (gid("Product", product.id), gid("Order", 2**40), gid("Order", order.id + 9)):
        assert await buyer.query(ORDER, id=oid) == {"order": None}
        assert await buyer.refused(CANCEL, o=oid) == ["NOT_FOUND"]
        assert await seller.refused(VALIDATE, o=oid) == ["NOT_FOUND"]
    assert await buyer.refused(ADD, p=gid("Product", 2**40), q=1) == ["NOT_FOUND"]
    for client in (buyer, seller):
        assert await client.refused(CANCEL if client is buyer else VALIDATE, o="not an id") == [
            "INVALID_INPUT"
        ]
    assert await counts() == before


async def test_reorder_reports_each_change_in_its_format(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    dearer = await make_product(seller, name="Sable", price="30.00", stock=50)
    scarce = await make_product(seller, name="Chaux", stock=50)
    raised = await make_product(seller, name="Plâtre", stock=50)
    gone = await make_product(seller, name="Enduit", stock=50)
    (order,) = await reserve(buyer, (dearer, 1), (scarce, 10), (raised, 2), (gone, 1))
    await Product.filter(id=dearer.id).update(price="32.5")
    await Product.filter(id=scarce.id).update(stock=4)
    await Product.filter(id=raised.id).update(minimum_quantity=5)
    await gone.delete()

    payload = await buyer.mutate_ok(REORDER, o=gid("Order", order.id))

    assert payload["changes"] == [
        {
            "productId": gid("Product", dearer.id),
            "productName": "Sable",
            "kind": "PRICE_CHANGED",
            "before": "30.00",
            "after": "32.50",
        },
        {
            "productId": gid("Product", scarce.id),
            "productName": "Chaux",
            "kind": "QUANTITY_REDUCED",
            "before": "10",
            "after": "4",
        },
        {
            "productId": gid("Product", raised.id),
            "productName": "Plâtre",
            "kind": "MINIMUM_RAISED",
            "before": "2",
            "after": "5",
        },
        {
            "productId": gid("Product", gone.id),
            "productName": "Enduit",
            "kind": "UNAVAILABLE",
            "before": None,
            "after": None,
        },
    ]
    assert [line["quantity"] for line in payload["cart"]["lines"]] == [1, 4, 5]


async def test_a_reorder_that_adds_nothing_leaves_the_cart_and_its_expiry_alone(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    kept = await make_product(seller, name="Ciment")
    sold_out = await make_product(seller, name="Chaux", stock=3)
    (order,) = await reserve(buyer, (sold_out, 3))
    await buyer.mutate_ok(ADD, p=gid("Product", kept.id), q=1)
    cart = (await buyer.query("{ cart { expiresAt } }"))["cart"]

    payload = await buyer.mutate_ok(REORDER, o=gid("Order", order.id))

    assert [c["kind"] for c in payload["changes"]] == ["UNAVAILABLE"]
    assert payload["cart"]["expiresAt"] == cart["expiresAt"]
    assert payload["cart"]["lines"] == [{"quantity": 1, "product": {"id": gid("Product", kept.id)}}]


async def test_the_buyer_and_the_seller_are_both_told_of_the_creation(
    app: Starlette,
    buyer: GraphQLClient,
    seller: GraphQLClient,
    settings: Settings,
    policy: Policy,
) -> None:
    product = await make_product(seller)
    await buyer.mutate_ok(ADD, p=gid("Product", product.id), q=1)
    (order,) = (await buyer.mutate_ok(RESERVE, input=reserve_input()))["orders"]
    schema = build_schema(guard(settings))
    live = LiveRenderer(graphql_schema(schema), app.state.live.hub)
    for client in (buyer, seller):
        context = Context(actor=await actor_for_token(client.token or ""), policy=policy, live=live)
        stream = await schema.subscribe(
            'subscription { orderEvents(after: "0") { from to order { id } } }',
            context_value=context,
        )
        result = await asyncio.wait_for(anext(stream), 5)
        await stream.aclose()
        assert result.errors is None
        assert result.data == {
            "orderEvents": {"from": None, "to": "PENDING", "order": {"id": order["id"]}}
        }
