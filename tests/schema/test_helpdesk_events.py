"""Each helpdesk message writes one MESSAGE event naming its audience: thread, buyer, seller."""

from models.events import Event, EventKind
from models.helpdesk import Message
from schema.ids import decode_id
from tests.clients import GraphQLClient
from tests.helpdesk_helpers import (
    OPEN_THREAD,
    OPEN_TICKET,
    POST_MESSAGE,
    gid,
    product_of,
    seller_of,
)


async def _events() -> list[tuple[int | None, int | None, int | None, dict[str, int]]]:
    rows = await Event.filter(kind=EventKind.MESSAGE).order_by("id")
    return [(e.thread_id, e.buyer_id, e.seller_id, e.payload) for e in rows]


async def _message_ids(thread_id: int) -> list[int]:
    return [m.id for m in await Message.filter(thread_id=thread_id).order_by("id")]


async def test_every_message_of_a_seller_thread_names_the_thread_buyer_and_seller(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await product_of(seller)
    opened = await buyer.mutate_ok(
        OPEN_THREAD, input={"productId": gid("Product", product.id), "body": "Disponible ?"}
    )
    tid = opened["thread"]["id"]
    await seller.mutate_ok(POST_MESSAGE, threadId=tid, body="Oui, en stock.")
    await buyer.mutate_ok(POST_MESSAGE, threadId=tid, body="Merci !")
    thread_id = decode_id(tid, "Thread")
    shop = (await seller_of(seller)).id
    assert await _events() == [
        (thread_id, buyer.account_id, shop, {"thread_id": thread_id, "message_id": m})
        for m in await _message_ids(thread_id)
    ]


async def test_every_message_of_a_ticket_names_the_buyer_and_no_seller(
    buyer: GraphQLClient, admin: GraphQLClient
) -> None:
    opened = await buyer.mutate_ok(
        OPEN_TICKET, input={"category": "DELIVERY", "body": "Colis perdu"}
    )
    tid = opened["thread"]["id"]
    await admin.mutate_ok(POST_MESSAGE, threadId=tid, body="Nous enquêtons.")
    await buyer.mutate_ok(POST_MESSAGE, threadId=tid, body="Merci.")
    thread_id = decode_id(tid, "Thread")
    messages = await _message_ids(thread_id)
    assert len(messages) == 4  # the buyer's, the platform's notice, the admin's, the buyer's
    assert await _events() == [
        (thread_id, buyer.account_id, None, {"thread_id": thread_id, "message_id": m})
        for m in messages
    ]
