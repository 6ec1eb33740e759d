"""The contract's cart rules over HTTP: fee threshold, totals, stock bounds, ids, expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from models.catalog import Product
from models.events import Event
from models.orders import Cart, CartLine
from resolvers.cart import empty_stale_carts
from resolvers.policy import Policy
from schema.ids import encode_id
from tests.catalog_helpers import make_product
from tests.clients import GraphQLClient
from tests.orders_helpers import ADD

CART = """{ cart { total expiresAt lines { quantity lineTotal product { id } }
  subtotals { seller { name } subtotal smallOrderFee total } } }"""
SET = """mutation($p: ID!, $q: Int!) { setCartQuantity(productId: $p, quantity: $q) {
  errors { code field } cart { lines { quantity } } } }"""
REMOVE = """mutation($p: ID!) { removeFromCart(productId: $p) {
  errors { code field } cart { lines { quantity } } } }"""


def pid(product: Product) -> str:
    return encode_id("Product", product.id)


async def _cart_rows() -> list[tuple[int, int]]:
    return list(await CartLine.all().order_by("id").values_list("product_id", "quantity"))


async def test_the_fee_applies_strictly_below_the_threshold_and_the_total_includes_it(
    buyer: GraphQLClient, seller: GraphQLClient, other_seller: GraphQLClient
) -> None:
    just_under = await make_product(seller, price="99.99")
    round_price = await make_product(other_seller, name="Perceuse", price="50")
    await buyer.mutate_ok(ADD, p=pid(just_under), q=1)
    await buyer.mutate_ok(ADD, p=pid(round_price), q=2)

    cart = (await buyer.query(CART))["cart"]

    assert [line["lineTotal"] for line in cart["lines"]] == ["99.99", "100.00"]
    assert cart["subtotals"] == [
        {
            "seller": {"name": "BatiPro"},
            "subtotal": "99.99",
            "smallOrderFee": "5.00",
            "total": "104.99",
        },
        {
            "seller": {"name": "ElecRecond"},
            "subtotal": "100.00",
            "smallOrderFee": "0.00",
            "total": "100.00",
        },
    ]
    assert cart["total"] == "204.99"


async def test_a_quantity_above_the_current_stock_is_out_of_stock_however_large(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await make_product(seller, stock=4, minimum_quantity=2)
    await buyer.mutate_ok(ADD, p=pid(product), q=3)
    changed_at = (await Cart.get(buyer_id=buyer.account_id)).changed_at
    refusals = [
        (ADD, 2, "OUT_OF_STOCK"),  # 3 already in the cart: the line would hold 5
        (ADD, 1_000_000, "OUT_OF_STOCK"),
        (SET, 5, "OUT_OF_STOCK"),
        (SET, 2_000_000_000, "OUT_OF_STOCK"),
        (SET, 1, "BELOW_MINIMUM_QUANTITY"),
        (SET, -1, "INVALID_INPUT"),
        (ADD, 0, "INVALID_INPUT"),
    ]
    for document, quantity, code in refusals:
        payload = await buyer.mutate(document, p=pid(product), q=quantity)
        errors = [(e["code"], e["field"]) for e in payload["errors"]]
        assert errors == [(code, "quantity")], (quantity, payload)
        assert payload["cart"] is None
    assert await _cart_rows() == [(product.id, 3)]
    assert (await Cart.get(buyer_id=buyer.account_id)).changed_at == changed_at
    assert await Event.all().count() == 0
    assert (await buyer.mutate_ok(SET, p=pid(product), q=4))["cart"]["lines"] == [{"quantity": 4}]


async def test_set_and_remove_answer_bad_ids_in_the_payload(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await make_product(seller)
    await buyer.mutate_ok(ADD, p=pid(product), q=1)
    unknown = encode_id("Product", product.id + 99)
    for document, extra in ((SET, {"q": 1}), (SET, {"q": 0}), (REMOVE, {})):
        assert await buyer.refused(document, p="%%%", **extra) == ["INVALID_INPUT"]
        assert await buyer.refused(document, p=unknown, **extra) == ["NOT_FOUND"]
        assert await buyer.refused(document, p=encode_id("Order", product.id), **extra) == [
            "NOT_FOUND"
        ]
    assert await _cart_rows() == [(product.id, 1)]


async def test_expiry_follows_the_last_change_and_reading_does_not_count(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller)
    await buyer.mutate_ok(ADD, p=pid(product), q=1)
    two_days_ago = datetime.now(UTC) - timedelta(days=2)
    await Cart.filter(buyer_id=buyer.account_id).update(changed_at=two_days_ago)

    for _ in range(3):
        expires_at = (await buyer.query(CART))["cart"]["expiresAt"]
        assert datetime.fromisoformat(expires_at) == two_days_ago + timedelta(days=3)

    later = two_days_ago + timedelta(days=3, seconds=1)
    assert await empty_stale_carts(policy=policy, now=later) == 1
    assert (await buyer.query(CART))["cart"]["lines"] == []
    assert (await buyer.query(CART))["cart"]["expiresAt"] is None


async def test_a_change_pushes_the_expiry_back(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    a, b = await make_product(seller), await make_product(seller, name="Sable")
    await buyer.mutate_ok(ADD, p=pid(a), q=1)
    await buyer.mutate_ok(ADD, p=pid(b), q=1)
    for document, variables in (
        (SET, {"p": pid(a), "q": 2}),
        (REMOVE, {"p": pid(b)}),
        (ADD, {"p": pid(b), "q": 1}),
    ):
        await Cart.all().update(changed_at=datetime.now(UTC) - timedelta(days=2, hours=23))
        before = datetime.now(UTC)
        await buyer.mutate_ok(document, **variables)
        expires_at = datetime.fromisoformat((await buyer.query(CART))["cart"]["expiresAt"])
        assert expires_at >= before + timedelta(days=3), document
    assert await empty_stale_carts(policy=policy) == 0


async def test_templates_refuse_bad_names_empty_carts_and_unknown_ids(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    save = """mutation($n: String!) { saveCartAsTemplate(name: $n) {
      errors { code field } template { id } } }"""
    apply = """mutation($t: ID!) { applyTemplate(templateId: $t) {
      errors { code field } cart { total } changes { kind } } }"""
    assert await buyer.refused(save, n="Vide") == ["CART_EMPTY"]
    product = await make_product(seller)
    await buyer.mutate_ok(ADD, p=pid(product), q=1)
    for name in ("  ", "x" * 201):
        payload = await buyer.mutate(save, n=name)
        assert payload == {"errors": [{"code": "INVALID_INPUT", "field": "name"}], "template": None}
    assert await buyer.refused(apply, t=encode_id("OrderTemplate", 42)) == ["NOT_FOUND"]
    assert await buyer.refused(apply, t=pid(product)) == ["NOT_FOUND"]
    assert await buyer.query("{ orderTemplates { id } }") == {"orderTemplates": []}
    assert await _cart_rows() == [(product.id, 1)]
