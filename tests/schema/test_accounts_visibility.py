"""Private account fields reached through orders, threads, messages and company members."""

from __future__ import annotations

import httpx

from models.accounts import Account
from models.helpdesk import TicketCategory
from models.orders import Order
from resolvers import helpdesk
from resolvers.policy import Policy
from tests.clients import GraphQLClient
from tests.factories import login_as
from tests.helpdesk_helpers import actor_of, gid, make_order, open_product_thread

PRIVATE = "email postalCode rights twoFactorEnabled company { name }"
ORDER_BUYER = "query($id: ID!) { order(id: $id) { buyer { firstName lastName " + PRIVATE + " } } }"
THREAD_PEOPLE = (
    """query($id: ID!) { thread(id: $id) {
  buyer { firstName """
    + PRIVATE
    + """ }
  messages { edges { node { authorRole author { firstName """
    + PRIVATE
    + """ } } } } } }"""
)
HIDDEN: dict[str, object] = {
    "email": "b***@***",
    "postalCode": None,
    "rights": [],
    "twoFactorEnabled": False,
    "company": None,
}


async def _order_buyer(client: GraphQLClient, order: Order) -> dict[str, object]:
    data = await client.query(ORDER_BUYER, id=gid("Order", order.id))
    buyer: dict[str, object] = data["order"]["buyer"]
    return buyer


async def test_a_seller_reads_only_the_names_of_an_order_s_buyer(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    order = await make_order(buyer, seller)
    shown = await _order_buyer(seller, order)
    assert shown == {"firstName": "Camille", "lastName": "Martin", **HIDDEN}


async def test_the_buyer_and_an_admin_read_the_real_private_fields(
    buyer: GraphQLClient, seller: GraphQLClient, admin: GraphQLClient
) -> None:
    order = await make_order(buyer, seller)
    for reader in (buyer, admin):
        shown = await _order_buyer(reader, order)
        assert (shown["email"], shown["postalCode"]) == ("buyer@example.fr", "75011")


async def test_a_company_colleague_reads_the_real_private_fields(
    http: httpx.AsyncClient, company_member: GraphQLClient, seller: GraphQLClient
) -> None:
    member = await Account.get(id=company_member.account_id)
    order = await make_order(company_member, seller)
    await Order.filter(id=order.id).update(company_id=member.company_id)
    manager = await login_as(http, await Account.get(email="main@acme.fr"))

    shown = await _order_buyer(manager, order)
    assert shown["email"] == "member@acme.fr"
    assert shown["rights"] == ["PLACE_ORDERS"]
    assert shown["company"] == {"name": "ACME BTP"}
    members = (await manager.query("{ me { company { members { email } } } }"))["me"]
    assert [m["email"] for m in members["company"]["members"]] == ["main@acme.fr", "member@acme.fr"]
    assert (await _order_buyer(seller, order))["email"] == "m***@***"


async def test_a_seller_reads_a_thread_s_buyer_masked(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    thread = await open_product_thread(buyer, seller)
    data = await seller.query(THREAD_PEOPLE, id=gid("Thread", thread.id))
    assert data["thread"]["buyer"] == {"firstName": "Camille", **HIDDEN}
    (author,) = [e["node"]["author"] for e in data["thread"]["messages"]["edges"]]
    assert author["email"] == "b***@***"
    mine = await buyer.query(THREAD_PEOPLE, id=gid("Thread", thread.id))
    assert mine["thread"]["buyer"]["email"] == "buyer@example.fr"


async def test_a_buyer_reads_the_answering_admin_masked(
    buyer: GraphQLClient, admin: GraphQLClient, policy: Policy
) -> None:
    opened = await helpdesk.open_support_ticket(
        await actor_of(buyer),
        category=TicketCategory.OTHER,
        body="Ma facture est introuvable",
        policy=policy,
    )
    await helpdesk.post_message(
        await actor_of(admin),
        thread_id=opened.thread.id,
        body="Nous regardons cela tout de suite",
        policy=policy,
    )
    data = await buyer.query(THREAD_PEOPLE, id=gid("Thread", opened.thread.id))
    authors = {
        e["node"]["authorRole"]: e["node"]["author"] for e in data["thread"]["messages"]["edges"]
    }
    assert authors["ADMIN"]["email"] == "a***@***"
    assert authors["BUYER"]["email"] == "buyer@example.fr"
    seen_by_admin = await admin.query(THREAD_PEOPLE, id=gid("Thread", opened.thread.id))
    assert seen_by_admin["thread"]["buyer"]["email"] == "buyer@example.fr"
