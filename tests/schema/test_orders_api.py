"""Orders over GraphQL: reservation, the life-cycle mutations, order queries, reorder."""

from __future__ import annotations

from typing import Any

import pytest
from tortoise import connections

from models.accounts import Account
from models.catalog import Product
from models.orders import Order
from schema.ids import encode_id
from tests.catalog_helpers import make_product
from tests.clients import GraphQLClient
from tests.orders_helpers import ADD, ORDER_FIELDS, RESERVE, counts, reserve, reserve_input

ORDER = f"query($id: ID!) {{ order(id: $id) {{ {ORDER_FIELDS} }} }}"
ORDERS = """query($f: OrderFilter, $first: Int, $after: String) {
  orders(filter: $f, first: $first, after: $after) {
    edges { cursor node { id status } } pageInfo { hasNextPage endCursor } } }"""
CANCEL = """mutation($o: ID!, $r: String) { cancelOrder(orderId: $o, reason: $r) {
  errors { code field } order { status history { from to actorRole reason } } } }"""
VALIDATE = """mutation($o: ID!) { validateOrder(orderId: $o) {
  errors { code } order { status } } }"""
REFUSE = """mutation($o: ID!, $r: String!) { refuseOrder(orderId: $o, reason: $r) {
  errors { code field } order { status lines { product { stock } } } } }"""
SHIP = """mutation($o: ID!) { shipOrder(orderId: $o, carrier: "Geodis", trackingNumber: "GE1") {
  errors { code } order { status carrier trackingNumber } } }"""
DELIVERED = """mutation($o: ID!) { markDelivered(orderId: $o) {
  errors { code } order { status } } }"""
REORDER = """mutation($o: ID!) { reorder(orderId: $o) {
  errors { code } cart { lines { quantity } } changes { kind before after } } }"""


def gid(kind: str, pk: int) -> str:
    return encode_id(kind, pk)


async def test_reserving_answers_the_orders_in_full(
    buyer: GraphQLClient, seller: GraphQLClient, other_seller: GraphQLClient
) -> None:
    cement = await make_product(seller, price="9.90", stock=20)
    drill = await make_product(other_seller, name="Perceuse", price="149.00", stock=2)
    await buyer.mutate_ok(ADD, p=gid("Product", cement.id), q=3)
    await buyer.mutate_ok(ADD, p=gid("Product", drill.id), q=1)

    payload = await buyer.mutate_ok(RESERVE, input=reserve_input(remark="Portail bleu"))

    first, second = payload["orders"]
    assert first["status"] == "PENDING"
    assert first["remark"] == "Portail bleu"
    assert (first["subtotal"], first["smallOrderFee"], first["total"]) == ("29.70", "5.00", "34.70")
    assert (second["subtotal"], second["smallOrderFee"], second["total"]) == (
        "149.00",
        "0.00",
        "149.00",
    )
    assert first["seller"]["name"] == "BatiPro"
    assert second["seller"]["name"] == "ElecRecond"
    assert first["buyer"]["email"] == "buyer@example.fr"
    assert first["lines"] == [
        {
            "product": {"id": gid("Product", cement.id), "stock": 17},
            "productName": cement.name,
            "unitPrice": "9.90",
            "quantity": 3,
        }
    ]
    assert first["deliveryAddress"] == {
        "line1": "12 rue Oberkampf",
        "line2": None,
        "postalCode": "75011",
        "city": "Paris",
        "country": "FR",
    }
    assert first["history"] == [
        {"from": None, "to": "PENDING", "actorRole": "BUYER", "reason": None}
    ]
    assert (await buyer.query("{ cart { lines { quantity } } }"))["cart"]["lines"] == []


async def test_reserving_refusals_change_nothing(
    buyer: GraphQLClient,
    seller: GraphQLClient,
    anonymous: GraphQLClient,
    other_seller: GraphQLClient,
) -> None:
    assert await buyer.refused(RESERVE, input=reserve_input()) == ["CART_EMPTY"]
    product = await make_product(seller, stock=2)
    await buyer.mutate_ok(ADD, p=gid("Product", product.id), q=2)
    await Product.filter(id=product.id).update(stock=1)
    before = await counts()
    payload = await buyer.mutate(RESERVE, input=reserve_input())
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("OUT_OF_STOCK", "lines.0")]
    assert payload["orders"] is None
    bad_country = reserve_input(
        deliveryAddress={"line1": "x", "postalCode": "75011", "city": "Paris", "country": "FRA"}
    )
    assert await buyer.refused(RESERVE, input=bad_country) == ["INVALID_INPUT"]
    assert await anonymous.error_codes(RESERVE, input=reserve_input()) == ["UNAUTHENTICATED"]
    assert await other_seller.error_codes(RESERVE, input=reserve_input()) == ["FORBIDDEN"]
    assert await counts() == before
    assert (await Product.get(id=product.id)).stock == 1


async def test_a_company_member_without_place_orders_cannot_reserve(
    company_member: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await make_product(seller)
    await company_member.mutate_ok(ADD, p=gid("Product", product.id), q=1)
    await Account.filter(id=company_member.account_id).update(rights=[])
    assert await company_member.refused(RESERVE, input=reserve_input()) == ["RIGHT_MISSING"]
    assert await Order.all().count() == 0


async def test_a_retried_reservation_returns_the_same_orders(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await make_product(seller, stock=10)
    await buyer.mutate_ok(ADD, p=gid("Product", product.id), q=2)
    first = await buyer.mutate_ok(RESERVE, input=reserve_input("retry-1"))
    again = await buyer.mutate_ok(RESERVE, input=reserve_input("retry-1"))
    assert [o["id"] for o in again["orders"]] == [o["id"] for o in first["orders"]]
    other = reserve_input("retry-1", remark="autre chose")
    assert await buyer.refused(RESERVE, input=other) == ["IDEMPOTENCY_KEY_REUSED"]
    assert (await Product.get(id=product.id)).stock == 8


async def test_order_is_null_for_strangers_and_needs_a_login(
    buyer: GraphQLClient,
    other_buyer: GraphQLClient,
    seller: GraphQLClient,
    other_seller: GraphQLClient,
    admin: GraphQLClient,
    anonymous: GraphQLClient,
) -> None:
    product = await make_product(seller)
    (order,) = await reserve(buyer, (product, 1))
    oid = gid("Order", order.id)
    for client in (buyer, seller, admin):
        assert (await client.query(ORDER, id=oid))["order"]["number"] == order.number
    for client in (other_buyer, other_seller):
        assert await client.query(ORDER, id=oid) == {"order": None}
    assert await buyer.query(ORDER, id=gid("Order", order.id + 50)) == {"order": None}
    assert await anonymous.error_codes(ORDER, id=oid) == ["UNAUTHENTICATED"]
    assert await buyer.error_codes(ORDER, id="!!") == ["INVALID_INPUT"]


async def test_orders_pages_and_filters(
    buyer: GraphQLClient, seller: GraphQLClient, anonymous: GraphQLClient
) -> None:
    product = await make_product(seller)
    ids = [gid("Order", (await reserve(buyer, (product, 1)))[0].id) for _ in range(3)]
    await buyer.mutate_ok(CANCEL, o=ids[0])
    page = (await buyer.query(ORDERS, first=2))["orders"]
    assert [e["node"]["id"] for e in page["edges"]] == [ids[2], ids[1]]
    assert page["pageInfo"]["hasNextPage"] is True
    rest = (await buyer.query(ORDERS, first=2, after=page["pageInfo"]["endCursor"]))["orders"]
    assert [e["node"]["id"] for e in rest["edges"]] == [ids[0]]
    assert rest["pageInfo"]["hasNextPage"] is False
    cancelled = (await buyer.query(ORDERS, f={"status": "CANCELLED"}))["orders"]["edges"]
    assert [e["node"] for e in cancelled] == [{"id": ids[0], "status": "CANCELLED"}]
    future = await buyer.query(ORDERS, f={"createdAfter": "2999-01-01T00:00:00+00:00"})
    assert future["orders"]["edges"] == []
    assert await buyer.error_codes(ORDERS, first=101) == ["INVALID_INPUT"]
    assert await buyer.error_codes(ORDERS, after="garbage!") == ["INVALID_INPUT"]
    assert await anonymous.error_codes(ORDERS) == ["UNAUTHENTICATED"]
    assert (await seller.query(ORDERS))["orders"]["edges"][0]["node"]["id"] == ids[2]


async def test_the_whole_life_cycle_over_graphql(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await make_product(seller, stock=10)
    (order,) = await reserve(buyer, (product, 2))
    oid = gid("Order", order.id)
    assert (await seller.mutate_ok(VALIDATE, o=oid))["order"] == {"status": "VALIDATED"}
    assert await buyer.refused(CANCEL, o=oid) == ["CONTACT_SELLER"]
    assert await seller.refused(REFUSE, o=oid, r="Trop tard") == ["INVALID_TRANSITION"]
    shipped = (await seller.mutate_ok(SHIP, o=oid))["order"]
    assert shipped == {"status": "SHIPPED", "carrier": "Geodis", "trackingNumber": "GE1"}
    assert await buyer.refused(CANCEL, o=oid) == ["CONTACT_SELLER"]
    assert (await buyer.mutate_ok(DELIVERED, o=oid))["order"] == {"status": "DELIVERED"}
    assert await buyer.refused(CANCEL, o=oid) == ["INVALID_TRANSITION"]
    history = (await buyer.query(ORDER, id=oid))["order"]["history"]
    assert [(h["from"], h["to"], h["actorRole"]) for h in history] == [
        (None, "PENDING", "BUYER"),
        ("PENDING", "VALIDATED", "SELLER"),
        ("VALIDATED", "SHIPPED", "SELLER"),
        ("SHIPPED", "DELIVERED", "BUYER"),
    ]


async def test_cancel_and_refuse_release_the_stock(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await make_product(seller, stock=10)
    (a,) = await reserve(buyer, (product, 2))
    (b,) = await reserve(buyer, (product, 3))
    cancelled = (await buyer.mutate_ok(CANCEL, o=gid("Order", a.id), r="Doublon"))["order"]
    assert cancelled["history"][-1] == {
        "from": "PENDING",
        "to": "CANCELLED",
        "actorRole": "BUYER",
        "reason": "Doublon",
    }
    refused = await seller.mutate(REFUSE, o=gid("Order", b.id), r=" ")
    assert refused["errors"] == [{"code": "INVALID_INPUT", "field": "reason"}]
    refused = (await seller.mutate_ok(REFUSE, o=gid("Order", b.id), r="Rupture"))["order"]
    assert refused["status"] == "REFUSED"
    assert refused["lines"][0]["product"]["stock"] == 10


async def test_wrong_callers_get_not_found_or_forbidden(
    buyer: GraphQLClient,
    other_buyer: GraphQLClient,
    seller: GraphQLClient,
    other_seller: GraphQLClient,
    admin: GraphQLClient,
    anonymous: GraphQLClient,
) -> None:
    product = await make_product(seller)
    (order,) = await reserve(buyer, (product, 1))
    oid = gid("Order", order.id)
    before = await counts()
    assert await other_buyer.refused(CANCEL, o=oid) == ["NOT_FOUND"]
    assert await other_buyer.refused(REORDER, o=oid) == ["NOT_FOUND"]
    for document in (VALIDATE, SHIP, DELIVERED):
        assert await other_seller.refused(document, o=oid) == ["NOT_FOUND"]
    assert await other_seller.refused(REFUSE, o=oid, r="x") == ["NOT_FOUND"]
    for document in (VALIDATE, SHIP):
        assert await buyer.error_codes(document, o=oid) == ["FORBIDDEN"]
        assert await admin.error_codes(document, o=oid) == ["FORBIDDEN"]
    assert await seller.error_codes(CANCEL, o=oid) == ["FORBIDDEN"]
    assert await admin.error_codes(DELIVERED, o=oid) == ["FORBIDDEN"]
    assert await anonymous.error_codes(CANCEL, o=oid) == ["UNAUTHENTICATED"]
    assert await buyer.refused(CANCEL, o="not-an-id") == ["INVALID_INPUT"]
    assert await buyer.refused(CANCEL, o=gid("Product", order.id)) == ["NOT_FOUND"]
    assert await counts() == before


async def test_reorder_over_graphql(buyer: GraphQLClient, seller: GraphQLClient) -> None:
    product = await make_product(seller, price="10.00", stock=10)
    (order,) = await reserve(buyer, (product, 2))
    await Product.filter(id=product.id).update(price="12.00")
    payload = await buyer.mutate_ok(REORDER, o=gid("Order", order.id))
    assert payload["cart"]["lines"] == [{"quantity": 2}]
    assert payload["changes"] == [{"kind": "PRICE_CHANGED", "before": "10.00", "after": "12.00"}]


async def test_listing_orders_costs_the_same_number_of_queries_for_any_page_size(
    buyer: GraphQLClient,
    seller: GraphQLClient,
    other_seller: GraphQLClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mine = await make_product(seller)
    theirs = await make_product(other_seller, name="Perceuse")
    document = (
        "query($first: Int) { orders(first: $first) { edges { node { " + ORDER_FIELDS + " } } } }"
    )

    async def queries_for(first: int) -> int:
        client = type(connections.get("default"))
        calls: list[str] = []
        for name in ("execute_query", "execute_query_dict"):
            original = getattr(client, name)

            async def counting(self: Any, query: str, *args: Any, _original: Any = original) -> Any:
                # The live hub polls the event log in the background: not this request's.
                if 'FROM "event"' not in query:
                    calls.append(query)
                return await _original(self, query, *args)

            monkeypatch.setattr(client, name, counting)
        data = await buyer.query(document, first=first)
        monkeypatch.undo()
        assert len(data["orders"]["edges"]) == first
        return len(calls)

    for _ in range(6):
        await reserve(buyer, (mine, 1), (theirs, 1))
    assert await queries_for(2) == await queries_for(12)
