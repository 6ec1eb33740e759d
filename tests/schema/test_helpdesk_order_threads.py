"""Threads about an order over HTTP: with its seller, never about another buyer's, by order."""

from tests.clients import GraphQLClient
from tests.helpdesk_helpers import (
    OPEN_THREAD,
    THREAD,
    THREADS,
    counts,
    gid,
    make_order,
    open_product_thread,
    seller_of,
)


async def test_a_buyer_opens_a_thread_about_their_order_with_its_seller(
    buyer: GraphQLClient, seller: GraphQLClient, other_seller: GraphQLClient
) -> None:
    order = await make_order(buyer, other_seller)
    payload = await buyer.mutate_ok(
        OPEN_THREAD,
        input={"orderId": gid("Order", order.id), "body": "Quand sera-t-elle expédiée ?"},
    )
    thread = payload["thread"]
    assert thread["order"] == {"id": gid("Order", order.id), "number": order.number}
    assert thread["seller"]["id"] == gid("Seller", (await seller_of(other_seller)).id)
    assert thread["subject"] == f"Commande {order.number}"
    shown = (await other_seller.query(THREAD, id=thread["id"]))["thread"]
    assert shown["order"]["number"] == order.number
    assert await seller.query(THREAD, id=thread["id"]) == {"thread": None}


async def test_a_buyer_cannot_open_a_thread_about_someone_elses_order(
    buyer: GraphQLClient, other_buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    theirs = await make_order(other_buyer, seller)
    before = await counts()
    assert await buyer.refused(
        OPEN_THREAD, input={"orderId": gid("Order", theirs.id), "body": "Bonjour"}
    ) == ["NOT_FOUND"]
    assert await buyer.refused(
        OPEN_THREAD,
        input={
            "orderId": gid("Order", theirs.id),
            "productId": gid("Product", 1),
            "body": "Bonjour",
        },
    ) == ["INVALID_INPUT"]
    assert await counts() == before


async def test_threads_can_be_filtered_by_order(
    buyer: GraphQLClient, seller: GraphQLClient, admin: GraphQLClient
) -> None:
    order = await make_order(buyer, seller)
    about_order = (
        await buyer.mutate_ok(
            OPEN_THREAD, input={"orderId": gid("Order", order.id), "body": "Livraison ?"}
        )
    )["thread"]
    await open_product_thread(buyer, seller)
    for viewer in (buyer, seller, admin):
        edges = (await viewer.query(THREADS, filter={"orderId": gid("Order", order.id)}))[
            "threads"
        ]["edges"]
        assert [e["node"]["id"] for e in edges] == [about_order["id"]]
    assert await buyer.error_codes(THREADS, filter={"orderId": "%%%"}) == ["INVALID_INPUT"]
