"""A suspended seller vanishes from the catalog for others and sells nothing, but keeps
answering and shipping; reinstatement or the end date lifts every effect at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from models.accounts import Seller
from models.mail import OutboxMail
from models.orders import OrderStatus
from models.standing import Suspension
from resolvers.cart import add_to_cart
from resolvers.policy import Policy
from tests.catalog_helpers import make_product
from tests.clients import GraphQLClient
from tests.helpdesk_helpers import POST_MESSAGE, gid, open_product_thread
from tests.orders_helpers import ADD, RESERVE, actor_of, reserve, reserve_input
from tests.standing_helpers import REINSTATE, SUSPEND, moderation_state, shop_gid

BROWSE = """
query($search: String, $ids: [ID!]!, $id: ID!) {
  products(search: $search) { edges { node { id name } } }
  compareProducts(ids: $ids) { id }
  product(id: $id) { id seller { suspendedUntil } }
}"""

SHOP = "query($id: ID!) { product(id: $id) { seller { id suspendedUntil } } }"


async def browse(client: GraphQLClient, product_ids: list[int]) -> tuple[list[str], ...]:
    """(names found by "mortier", compared ids, the first product's id or nothing)."""
    data = await client.query(
        BROWSE,
        search="mortier",
        ids=[gid("Product", p) for p in product_ids],
        id=gid("Product", product_ids[0]),
    )
    names = [e["node"]["name"] for e in data["products"]["edges"]]
    compared = [c["id"] for c in data["compareProducts"]]
    shown = [data["product"]["id"]] if data["product"] else []
    return names, compared, shown


async def suspend(admin: GraphQLClient, seller: GraphQLClient, days: int = 5) -> str:
    payload = await admin.mutate_ok(
        SUSPEND, s=await shop_gid(seller), days=days, reason="Contacts hors plateforme répétés"
    )
    until: str = payload["seller"]["suspendedUntil"]
    return until


async def test_a_suspended_sellers_products_are_hidden_from_others_only(
    buyer: GraphQLClient,
    anonymous: GraphQLClient,
    seller: GraphQLClient,
    other_seller: GraphQLClient,
    admin: GraphQLClient,
) -> None:
    mine = await make_product(seller, name="Mortier gris BatiPro")
    theirs = await make_product(other_seller, name="Mortier blanc ElecRecond")
    ids = [mine.id, theirs.id]
    thread = await open_product_thread(buyer, seller)
    everything = (
        ["Mortier blanc ElecRecond", "Mortier gris BatiPro"],
        [gid("Product", mine.id), gid("Product", theirs.id)],
        [gid("Product", mine.id)],
    )
    assert await browse(buyer, ids) == everything
    until = await suspend(admin, seller)
    hidden: tuple[list[str], ...] = (["Mortier blanc ElecRecond"], [gid("Product", theirs.id)], [])
    for caller in (buyer, anonymous, other_seller):
        assert await browse(caller, ids) == hidden
    for caller in (seller, admin):
        assert await browse(caller, ids) == everything
    # The end of the suspension: the seller itself and admins read it, others read null.
    for caller in (seller, admin):
        data = await caller.query(SHOP, id=gid("Product", mine.id))
        assert data["product"]["seller"]["suspendedUntil"] == until
    for caller in (seller, admin, buyer):
        data = await caller.query(
            "query($t: ID!) { thread(id: $t) { seller { suspendedUntil } } }",
            t=gid("Thread", thread.id),
        )
        assert data["thread"]["seller"]["suspendedUntil"] == (None if caller is buyer else until)
    await admin.mutate_ok(REINSTATE, s=await shop_gid(seller))
    assert await browse(buyer, ids) == everything
    assert await browse(anonymous, ids) == everything


async def test_the_suspension_is_mailed_with_its_reason_and_end(
    seller: GraphQLClient, admin: GraphQLClient
) -> None:
    until = datetime.fromisoformat(await suspend(admin, seller, days=3))
    assert abs(until - (datetime.now(UTC) + timedelta(days=3))) < timedelta(seconds=30)
    (mail,) = await OutboxMail.filter(recipient="seller@example.fr")
    assert "Contacts hors plateforme répétés" in mail.body
    assert until.astimezone().strftime("%Y") in mail.body
    assert "suspendu jusqu'au" in mail.body
    suspension = await Suspension.get()
    assert suspension.by_id == admin.account_id
    assert suspension.until == until


async def test_nothing_of_a_suspended_seller_can_be_put_in_a_cart_or_reserved(
    buyer: GraphQLClient, seller: GraphQLClient, admin: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller, name="Mortier gris", stock=10)
    await add_to_cart(await actor_of(buyer), product_id=product.id, quantity=2, policy=policy)
    await suspend(admin, seller)
    before = await moderation_state()
    payload = await buyer.mutate(ADD, p=gid("Product", product.id), q=1)
    assert [e["code"] for e in payload["errors"]] == ["SELLER_SUSPENDED"]
    payload = await buyer.mutate(RESERVE, input=reserve_input())
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("SELLER_SUSPENDED", "lines.0")]
    assert payload["orders"] is None
    assert await moderation_state() == before  # no order, stock, line, event or mail
    await admin.mutate_ok(REINSTATE, s=await shop_gid(seller))
    await buyer.mutate_ok(ADD, p=gid("Product", product.id), q=1)
    orders = (await buyer.mutate_ok(RESERVE, input=reserve_input()))["orders"]
    assert [o["status"] for o in orders] == ["PENDING"]


async def test_a_suspended_seller_still_answers_and_ships_what_it_owes(
    buyer: GraphQLClient, seller: GraphQLClient, admin: GraphQLClient
) -> None:
    product = await make_product(seller, name="Mortier gris", stock=10)
    (order,) = await reserve(buyer, (product, 2))
    thread = await open_product_thread(buyer, seller)
    await suspend(admin, seller)
    order_id = gid("Order", order.id)
    validated = await seller.mutate_ok(
        "mutation($o: ID!) { validateOrder(orderId: $o) { errors { code } order { status } } }",
        o=order_id,
    )
    assert validated["order"]["status"] == OrderStatus.VALIDATED
    shipped = await seller.mutate_ok(
        'mutation($o: ID!) { shipOrder(orderId: $o, carrier: "Geodis", trackingNumber: "G1")'
        " { errors { code } order { status } } }",
        o=order_id,
    )
    assert shipped["order"]["status"] == OrderStatus.SHIPPED
    await seller.mutate_ok(
        POST_MESSAGE, threadId=gid("Thread", thread.id), body="Oui, il convient pour une dalle."
    )
    # Its buyer still sees the order's product line, by the order.
    data = await buyer.query(
        "query($o: ID!) { order(id: $o) { lines { productName } } }", o=order_id
    )
    assert data["order"]["lines"] == [{"productName": "Mortier gris"}]


async def test_the_suspension_ends_by_itself_at_its_date(
    buyer: GraphQLClient, seller: GraphQLClient, admin: GraphQLClient
) -> None:
    product = await make_product(seller, name="Mortier gris", stock=10)
    await suspend(admin, seller)
    assert await browse(buyer, [product.id]) == ([], [], [])
    # Time passes: the end date is now behind us, and no job has run.
    await Seller.filter(account_id=seller.account_id).update(
        suspended_until=datetime.now(UTC) - timedelta(seconds=1)
    )
    assert await browse(buyer, [product.id]) == (
        ["Mortier gris"],
        [gid("Product", product.id)],
        [gid("Product", product.id)],
    )
    await buyer.mutate_ok(ADD, p=gid("Product", product.id), q=1)
    data = await seller.query(SHOP, id=gid("Product", product.id))
    assert data["product"]["seller"]["suspendedUntil"] is None
    # Over: nothing left to reinstate.
    assert await admin.refused(REINSTATE, s=await shop_gid(seller)) == ["INVALID_TRANSITION"]


async def test_reinstating_is_recorded_and_mailed(
    seller: GraphQLClient, admin: GraphQLClient
) -> None:
    await suspend(admin, seller)
    payload = await admin.mutate_ok(REINSTATE, s=await shop_gid(seller))
    assert payload["seller"]["suspendedUntil"] is None
    suspension = await Suspension.get()
    assert suspension.reinstated_by_id == admin.account_id
    assert suspension.reinstated_at is not None
    assert (
        await OutboxMail.filter(recipient="seller@example.fr", subject__contains="rétabli").count()
        == 1
    )
