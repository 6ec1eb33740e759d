"""Sellers write their own products and stock; nobody else can, and bad input changes nothing."""

from __future__ import annotations

from typing import Any

from models.catalog import DeliveryZone, Product, ProductAttribute, ProductWord
from models.events import Event
from schema.ids import encode_id
from tests.catalog_helpers import make_product
from tests.clients import GraphQLClient

CREATE = """
mutation ($input: ProductInput!) {
  createProduct(input: $input) {
    errors { code field message }
    product { id name description brand category price stock minimumQuantity leadTimeDays
              warehouse attributes { name value } seller { id name }
              paris: deliverableTo(postalCode: "75011") lyon: deliverableTo(postalCode: "69003") }
  }
}"""
UPDATE = """
mutation ($id: ID!, $input: ProductInput!) {
  updateProduct(id: $id, input: $input) {
    errors { code field }
    product { id name price stock attributes { name value }
              paris: deliverableTo(postalCode: "75011") lyon: deliverableTo(postalCode: "69003") }
  }
}"""
SET_STOCK = """
mutation ($id: ID!, $quantity: Int!) {
  setStock(productId: $id, quantity: $quantity) { errors { code field } product { id stock } }
}"""


def product_input(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": "Perceuse-visseuse sans fil 18 V",
        "description": "Livrée avec deux batteries et un chargeur.",
        "brand": "Makita",
        "category": "Outillage",
        "attributes": [{"name": "Tension", "value": "18 V"}, {"name": "Batteries", "value": "2"}],
        "price": "189.00",
        "stock": 12,
        "minimumQuantity": 1,
        "leadTimeDays": None,
        "warehouse": "Dépôt de Gennevilliers",
        "deliveryZones": ["75", "92"],
    }
    values.update(overrides)
    return values


async def catalog_state() -> tuple[int, ...]:
    return (
        await Product.all().count(),
        await ProductWord.all().count(),
        await ProductAttribute.all().count(),
        await DeliveryZone.all().count(),
        await Event.all().count(),
    )


async def test_a_seller_creates_a_product_in_their_shop(seller: GraphQLClient) -> None:
    payload = await seller.mutate_ok(CREATE, input=product_input())
    product = payload["product"]
    assert product["name"] == "Perceuse-visseuse sans fil 18 V"
    assert product["price"] == "189.00"
    assert product["seller"]["name"] == "BatiPro"
    assert product["attributes"] == [
        {"name": "Batteries", "value": "2"},
        {"name": "Tension", "value": "18 V"},
    ]
    assert (product["paris"], product["lyon"]) == (True, False)
    assert product["minimumQuantity"] == 1
    assert product["leadTimeDays"] is None


async def test_a_product_with_no_delivery_zone_is_deliverable_nowhere(
    seller: GraphQLClient,
) -> None:
    payload = await seller.mutate_ok(CREATE, input=product_input(deliveryZones=[]))
    assert (payload["product"]["paris"], payload["product"]["lyon"]) == (False, False)


async def test_an_update_replaces_the_whole_product(
    seller: GraphQLClient, anonymous: GraphQLClient
) -> None:
    created = await seller.mutate_ok(CREATE, input=product_input())
    product_id = created["product"]["id"]
    payload = await seller.mutate_ok(
        UPDATE,
        id=product_id,
        input=product_input(
            name="Visseuse à chocs 18 V",
            price="149.50",
            stock=3,
            attributes=[{"name": "Couple", "value": "180 Nm"}],
            deliveryZones=["69"],
        ),
    )
    assert payload["product"] == {
        "id": product_id,
        "name": "Visseuse à chocs 18 V",
        "price": "149.50",
        "stock": 3,
        "attributes": [{"name": "Couple", "value": "180 Nm"}],
        "paris": False,
        "lyon": True,
    }
    old_name = await anonymous.query('{ products(search: "perceuse") { edges { node { id } } } }')
    new_name = await anonymous.query('{ products(search: "chocs") { edges { node { id } } } }')
    assert old_name["products"]["edges"] == []
    assert [e["node"]["id"] for e in new_name["products"]["edges"]] == [product_id]


async def test_a_seller_sets_the_stock_of_their_product(seller: GraphQLClient) -> None:
    product = await make_product(seller, stock=5)
    payload = await seller.mutate_ok(SET_STOCK, id=encode_id("Product", product.id), quantity=0)
    assert payload["product"]["stock"] == 0
    assert (await Product.get(id=product.id)).stock == 0


async def test_another_sellers_product_looks_missing(
    seller: GraphQLClient, other_seller: GraphQLClient
) -> None:
    product = await make_product(seller, stock=5, name="Ciment prompt")
    product_id = encode_id("Product", product.id)
    before = await catalog_state()
    assert await other_seller.refused(UPDATE, id=product_id, input=product_input()) == ["NOT_FOUND"]
    assert await other_seller.refused(SET_STOCK, id=product_id, quantity=99) == ["NOT_FOUND"]
    assert await catalog_state() == before
    row = await Product.get(id=product.id)
    assert (row.name, row.stock) == ("Ciment prompt", 5)


async def test_an_unknown_product_is_not_found(seller: GraphQLClient) -> None:
    missing = encode_id("Product", 999_999)
    assert await seller.refused(UPDATE, id=missing, input=product_input()) == ["NOT_FOUND"]
    assert await seller.refused(SET_STOCK, id=missing, quantity=1) == ["NOT_FOUND"]
    assert await seller.refused(SET_STOCK, id="not an id!", quantity=1) == ["INVALID_INPUT"]


async def test_buyers_admins_and_anonymous_callers_cannot_write_products(
    seller: GraphQLClient, buyer: GraphQLClient, admin: GraphQLClient, anonymous: GraphQLClient
) -> None:
    product = await make_product(seller)
    product_id = encode_id("Product", product.id)
    before = await catalog_state()
    for caller, code in (
        (buyer, "FORBIDDEN"),
        (admin, "FORBIDDEN"),
        (anonymous, "UNAUTHENTICATED"),
    ):
        assert await caller.error_codes(CREATE, input=product_input()) == [code]
        assert await caller.error_codes(UPDATE, id=product_id, input=product_input()) == [code]
        assert await caller.error_codes(SET_STOCK, id=product_id, quantity=1) == [code]
    assert await catalog_state() == before


async def test_bad_product_input_is_refused_naming_each_field_and_changes_nothing(
    seller: GraphQLClient,
) -> None:
    before = await catalog_state()
    cases = {
        "name": product_input(name="   "),
        "price": product_input(price="-0.01"),
        "stock": product_input(stock=-1),
        "minimumQuantity": product_input(minimumQuantity=0),
        "leadTimeDays": product_input(leadTimeDays=-2),
        "category": product_input(category=""),
        "deliveryZones": product_input(deliveryZones=["75%"]),
        "attributes": product_input(
            attributes=[{"name": "Tension", "value": "18 V"}, {"name": "tension", "value": "12 V"}]
        ),
    }
    for field, bad in cases.items():
        payload = await seller.mutate(CREATE, input=bad)
        assert payload["product"] is None
        assert [(e["code"], e["field"]) for e in payload["errors"]] == [("INVALID_INPUT", field)], (
            field
        )
    long_name = await seller.mutate(CREATE, input=product_input(name="x" * 201))
    assert long_name["errors"][0]["field"] == "name"
    long_category = await seller.mutate(CREATE, input=product_input(category="c" * 101))
    assert long_category["errors"][0]["field"] == "category"
    sub_cent = await seller.mutate(CREATE, input=product_input(price="1.005"))
    assert sub_cent["errors"][0]["field"] == "price"
    several = await seller.mutate(CREATE, input=product_input(name="", price="-1", stock=-1))
    assert {e["field"] for e in several["errors"]} == {"name", "price", "stock"}
    assert await catalog_state() == before


async def test_a_refused_update_or_stock_change_leaves_the_product_as_it_was(
    seller: GraphQLClient,
) -> None:
    product = await make_product(seller, stock=7, name="Sable 0/4")
    product_id = encode_id("Product", product.id)
    before = await catalog_state()
    assert await seller.refused(UPDATE, id=product_id, input=product_input(price="-5.00")) == [
        "INVALID_INPUT"
    ]
    assert await seller.refused(SET_STOCK, id=product_id, quantity=-1) == ["INVALID_INPUT"]
    row = await Product.get(id=product.id)
    assert (row.name, row.stock) == ("Sable 0/4", 7)
    assert await catalog_state() == before


async def test_a_float_price_is_refused_before_reaching_the_resolver(seller: GraphQLClient) -> None:
    body = await seller.execute(CREATE, input=product_input(price=12.5))
    assert body.get("errors")
    assert body.get("data") is None
    assert await Product.all().count() == 0
