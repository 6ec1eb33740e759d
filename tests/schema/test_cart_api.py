"""The cart over GraphQL: shapes, money strings, payload errors, templates."""

from __future__ import annotations

from datetime import datetime

from models.catalog import Product
from models.events import Event
from models.orders import CartLine
from schema.ids import encode_id
from tests.catalog_helpers import make_product
from tests.clients import GraphQLClient
from tests.orders_helpers import ADD

CART = """{ cart { total expiresAt lines { quantity lineTotal product { id name } }
  subtotals { seller { name } subtotal smallOrderFee total } } }"""

SET = """mutation($p: ID!, $q: Int!) { setCartQuantity(productId: $p, quantity: $q) {
  errors { code field } cart { lines { quantity } } } }"""
REMOVE = """mutation($p: ID!) { removeFromCart(productId: $p) {
  errors { code } cart { lines { quantity } } } }"""
EMPTY = "mutation { emptyCart { errors { code } cart { total lines { quantity } } } }"
SAVE = """mutation($n: String!) { saveCartAsTemplate(name: $n) {
  errors { code field } template { id name } } }"""
APPLY = """mutation($t: ID!) { applyTemplate(templateId: $t) {
  errors { code } cart { lines { quantity } }
  changes { productId productName kind before after } } }"""


def pid(product: Product) -> str:
    return encode_id("Product", product.id)


async def test_the_cart_shows_lines_subtotals_fee_and_expiry(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await make_product(seller, price="12.50")
    payload = await buyer.mutate_ok(ADD, p=pid(product), q=4)
    assert payload["cart"]["total"] == "55.00"
    cart = (await buyer.query(CART))["cart"]
    assert cart["lines"] == [
        {"quantity": 4, "lineTotal": "50.00", "product": {"id": pid(product), "name": product.name}}
    ]
    assert cart["subtotals"] == [
        {
            "seller": {"name": "BatiPro"},
            "subtotal": "50.00",
            "smallOrderFee": "5.00",
            "total": "55.00",
        }
    ]
    assert datetime.fromisoformat(cart["expiresAt"]).utcoffset() is not None


async def test_an_empty_cart_is_zero_and_never_expires(buyer: GraphQLClient) -> None:
    assert (await buyer.query(CART))["cart"] == {
        "total": "0.00",
        "expiresAt": None,
        "lines": [],
        "subtotals": [],
    }


async def test_the_cart_is_for_logged_in_buyers(
    anonymous: GraphQLClient, seller: GraphQLClient
) -> None:
    assert await anonymous.error_codes(CART) == ["UNAUTHENTICATED"]
    assert await seller.error_codes(CART) == ["FORBIDDEN"]


async def test_refusals_are_payload_errors_and_change_nothing(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await make_product(seller, stock=5, minimum_quantity=2)
    far = await make_product(seller, name="Sable", delivery_zones=["69"])
    cases = [
        ({"p": pid(product), "q": 0}, ["INVALID_INPUT"]),
        ({"p": pid(product), "q": 1}, ["BELOW_MINIMUM_QUANTITY"]),
        ({"p": pid(product), "q": 6}, ["OUT_OF_STOCK"]),
        ({"p": pid(far), "q": 1}, ["NOT_DELIVERABLE"]),
        ({"p": encode_id("Product", far.id + 99), "q": 1}, ["NOT_FOUND"]),
        ({"p": encode_id("Order", product.id), "q": 1}, ["NOT_FOUND"]),
        ({"p": "%%%", "q": 1}, ["INVALID_INPUT"]),
    ]
    for variables, codes in cases:
        assert await buyer.refused(ADD, **variables) == codes, variables
    assert await CartLine.all().count() == 0
    assert await Event.all().count() == 0


async def test_quantity_errors_name_the_field(buyer: GraphQLClient, seller: GraphQLClient) -> None:
    product = await make_product(seller)
    payload = await buyer.mutate(SET, p=pid(product), q=-3)
    assert payload["errors"] == [{"code": "INVALID_INPUT", "field": "quantity"}]


async def test_set_remove_and_empty(buyer: GraphQLClient, seller: GraphQLClient) -> None:
    a, b = await make_product(seller), await make_product(seller, name="Sable")
    await buyer.mutate_ok(ADD, p=pid(a), q=1)
    await buyer.mutate_ok(ADD, p=pid(b), q=1)
    assert (await buyer.mutate_ok(SET, p=pid(a), q=9))["cart"]["lines"] == [
        {"quantity": 9},
        {"quantity": 1},
    ]
    assert (await buyer.mutate_ok(SET, p=pid(a), q=0))["cart"]["lines"] == [{"quantity": 1}]
    assert (await buyer.mutate_ok(REMOVE, p=pid(b)))["cart"]["lines"] == []
    await buyer.mutate_ok(ADD, p=pid(a), q=2)
    assert (await buyer.mutate_ok(EMPTY))["cart"] == {"total": "0.00", "lines": []}


async def test_cart_mutations_turn_away_anonymous_and_sellers(
    anonymous: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await make_product(seller)
    for document, variables in (
        (ADD, {"p": pid(product), "q": 1}),
        (SET, {"p": pid(product), "q": 1}),
        (REMOVE, {"p": pid(product)}),
        (EMPTY, {}),
        (SAVE, {"n": "x"}),
        (APPLY, {"t": encode_id("OrderTemplate", 1)}),
        ("{ orderTemplates { id } }", {}),
    ):
        assert await anonymous.error_codes(document, **variables) == ["UNAUTHENTICATED"]
        assert await seller.error_codes(document, **variables) == ["FORBIDDEN"]
    assert await CartLine.all().count() == 0


async def test_templates_round_trip(
    buyer: GraphQLClient, other_buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await make_product(seller, price="10.00")
    await buyer.mutate_ok(ADD, p=pid(product), q=3)
    template = (await buyer.mutate_ok(SAVE, n="Chantier"))["template"]
    assert template["name"] == "Chantier"
    await buyer.mutate_ok(EMPTY)
    await Product.filter(id=product.id).update(price="11.00")
    applied = await buyer.mutate_ok(APPLY, t=template["id"])
    assert applied["cart"]["lines"] == [{"quantity": 3}]
    assert applied["changes"] == [
        {
            "productId": pid(product),
            "productName": product.name,
            "kind": "PRICE_CHANGED",
            "before": "10.00",
            "after": "11.00",
        }
    ]
    listed = await buyer.query("{ orderTemplates { id name } }")
    assert listed == {"orderTemplates": [template]}
    assert await other_buyer.refused(APPLY, t=template["id"]) == ["NOT_FOUND"]
    assert await other_buyer.query("{ orderTemplates { id } }") == {"orderTemplates": []}
    assert await buyer.refused(APPLY, t="not-an-id") == ["INVALID_INPUT"]
