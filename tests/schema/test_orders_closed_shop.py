"""A seller deletes their account: the shop closes, its buyers keep their history."""

from __future__ import annotations

from models.catalog import Product, ProductWord
from models.events import Event
from models.helpdesk import Thread
from models.mail import OutboxMail
from models.orders import CartLine, Order, OrderStatus, OrderTemplateLine
from resolvers import helpdesk
from resolvers.orders import validate_order
from resolvers.policy import Policy
from schema.ids import encode_id
from tests.catalog_helpers import make_product
from tests.clients import GraphQLClient
from tests.factories import PASSWORD
from tests.orders_helpers import ADD, ORDER_FIELDS, actor_of, counts, reserve

DELETE = """mutation($p: String!) { deleteAccount(password: $p) { errors { code field } } }"""
ORDER = f"query($id: ID!) {{ order(id: $id) {{ {ORDER_FIELDS} }} }}"
PRODUCT = "query($id: ID!) { product(id: $id) { id name } }"
PRODUCTS = """query($search: String, $filter: ProductFilter) {
  products(search: $search, filter: $filter) { edges { node { id } } } }"""
CART = "{ cart { lines { quantity product { id } } } }"
REORDER = """mutation($o: ID!) { reorder(orderId: $o) {
  errors { code } cart { lines { product { id } } } changes { productId productName kind } } }"""
SAVE = """mutation($n: String!) { saveCartAsTemplate(name: $n) {
  errors { code } template { id } } }"""
APPLY = """mutation($t: ID!) { applyTemplate(templateId: $t) {
  errors { code } changes { productId kind } } }"""
THREAD = "query($id: ID!) { thread(id: $id) { subject product { id } seller { name } } }"


def gid(kind: str, pk: int) -> str:
    return encode_id(kind, pk)


def listed(data: dict[str, object]) -> list[str]:
    edges = data["products"]["edges"]  # type: ignore[index]  # JSON of the documented shape
    return [edge["node"]["id"] for edge in edges]


async def test_a_closed_shop_leaves_the_catalog_and_every_cart(
    buyer: GraphQLClient,
    other_buyer: GraphQLClient,
    seller: GraphQLClient,
    other_seller: GraphQLClient,
    anonymous: GraphQLClient,
    policy: Policy,
) -> None:
    cement = await make_product(seller, name="Ciment gris", price="9.90", stock=50)
    drill = await make_product(other_seller, name="Perceuse ciment", stock=5)
    (validated,) = await reserve(buyer, (cement, 3))
    await validate_order(await actor_of(seller), order_id=validated.id, policy=policy)
    await buyer.mutate_ok(ADD, p=gid("Product", cement.id), q=2)
    template = (await buyer.mutate_ok(SAVE, n="Chantier"))["template"]
    await buyer.mutate_ok(ADD, p=gid("Product", drill.id), q=1)
    await other_buyer.mutate_ok(ADD, p=gid("Product", cement.id), q=1)
    opened = await helpdesk.open_thread(
        await actor_of(buyer), product_id=cement.id, body="Livrez-vous le samedi ?", policy=policy
    )

    await seller.mutate_ok(DELETE, p=PASSWORD)

    assert listed(await anonymous.query(PRODUCTS, search="ciment")) == [gid("Product", drill.id)]
    assert listed(await anonymous.query(PRODUCTS)) == [gid("Product", drill.id)]
    assert await anonymous.query(PRODUCT, id=gid("Product", cement.id)) == {"product": None}
    assert await buyer.refused(ADD, p=gid("Product", cement.id), q=1) == ["NOT_FOUND"]
    assert (await buyer.query(CART))["cart"]["lines"] == [
        {"quantity": 1, "product": {"id": gid("Product", drill.id)}}
    ]
    assert (await other_buyer.query(CART))["cart"]["lines"] == []
    assert await ProductWord.filter(product_id=cement.id).count() == 0
    assert await Product.filter(id=drill.id).exists()

    reordered = await buyer.mutate_ok(REORDER, o=gid("Order", validated.id))
    assert reordered["changes"] == [
        {
            "productId": gid("Product", cement.id),
            "productName": "Ciment gris",
            "kind": "UNAVAILABLE",
        }
    ]
    assert reordered["cart"]["lines"] == [{"product": {"id": gid("Product", drill.id)}}]
    assert (await OrderTemplateLine.get()).product_id is None
    applied = await buyer.mutate_ok(APPLY, t=template["id"])
    assert applied["changes"] == [{"productId": gid("Product", cement.id), "kind": "UNAVAILABLE"}]

    # Orders and threads keep what they said: snapshots, not links.
    order = (await buyer.query(ORDER, id=gid("Order", validated.id)))["order"]
    assert order["status"] == "VALIDATED"
    assert order["lines"] == [
        {"product": None, "productName": "Ciment gris", "unitPrice": "9.90", "quantity": 3}
    ]
    thread = (await buyer.query(THREAD, id=gid("Thread", opened.thread.id)))["thread"]
    assert thread == {"subject": thread["subject"], "product": None, "seller": {"name": "BatiPro"}}
    assert (await Thread.get()).product_id is None


async def test_a_closed_shops_pending_orders_are_refused_and_their_buyers_told(
    buyer: GraphQLClient, seller: GraphQLClient, other_seller: GraphQLClient, policy: Policy
) -> None:
    cement = await make_product(seller, stock=50)
    drill = await make_product(other_seller, name="Perceuse", stock=5)
    pending, elsewhere = await reserve(buyer, (cement, 2), (drill, 1))
    (validated,) = await reserve(buyer, (cement, 1))
    await validate_order(await actor_of(seller), order_id=validated.id, policy=policy)
    events_before = await Event.all().count()
    await OutboxMail.all().delete()

    await seller.mutate_ok(DELETE, p=PASSWORD)

    order = (await buyer.query(ORDER, id=gid("Order", pending.id)))["order"]
    assert order["status"] == "REFUSED"
    assert order["history"][-1] == {
        "from": "PENDING",
        "to": "REFUSED",
        "actorRole": None,
        "reason": "Boutique fermée",
    }
    assert order["lines"][0]["productName"] == cement.name
    refusals = await Event.filter(order_id=pending.id, id__gt=events_before)
    assert [(e.payload["to"], e.payload["actor_role"], e.payload["reason"]) for e in refusals] == [
        ("REFUSED", None, "Boutique fermée")
    ]
    # VALIDATED orders stay promised, and other shops' orders are none of this.
    assert (await Order.get(id=validated.id)).status is OrderStatus.VALIDATED
    assert (await Order.get(id=elsewhere.id)).status is OrderStatus.PENDING
    (mail,) = await OutboxMail.filter(body__contains="Boutique fermée")
    assert mail.recipient == "buyer@example.fr"
    assert pending.number in mail.subject
    assert not await OutboxMail.filter(recipient="seller@example.fr").exists()


async def test_a_sellers_wrong_password_closes_nothing(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    cement = await make_product(seller, stock=50)
    (pending,) = await reserve(buyer, (cement, 2))
    await buyer.mutate_ok(ADD, p=gid("Product", cement.id), q=1)
    before = await counts()
    assert await seller.refused(DELETE, p="not the password") == ["INVALID_CREDENTIALS"]
    assert await counts() == before
    assert (await Product.get(id=cement.id)).stock == 48
    assert await CartLine.filter(product_id=cement.id).count() == 1
    assert (await Order.get(id=pending.id)).status is OrderStatus.PENDING


async def test_a_buyer_deleting_their_account_withdraws_no_product(
    buyer: GraphQLClient, seller: GraphQLClient, anonymous: GraphQLClient
) -> None:
    cement = await make_product(seller)
    await buyer.mutate_ok(DELETE, p=PASSWORD)
    assert await anonymous.query(PRODUCT, id=gid("Product", cement.id)) == {
        "product": {"id": gid("Product", cement.id), "name": cement.name}
    }
