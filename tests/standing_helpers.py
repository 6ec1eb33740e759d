"""Moderation and suspension helpers: documents, flagged threads, counters."""

from __future__ import annotations

from dataclasses import dataclass

from models.accounts import Seller
from models.catalog import Product
from models.events import Event
from models.helpdesk import Message, Thread
from models.mail import OutboxMail
from models.orders import CartLine, Order
from models.standing import FlagReview, Suspension
from resolvers.helpdesk import post_message
from resolvers.standing.suspension import suspend_seller
from tests.clients import GraphQLClient
from tests.configuration import POLICY
from tests.helpdesk_helpers import actor_of, gid, open_product_thread

CONTACT = "Appelez-moi au 06 12 34 56 78 ou écrivez à vendeur.direct@gmail.com"

REVIEW = """
mutation($m: ID!, $d: FlagDecision!, $note: String, $days: Int) {
  reviewFlag(messageId: $m, decision: $d, note: $note, suspendDays: $days) {
    errors { code field message }
    message { id flagged review { decision note at by { id } } }
  }
}"""

SUSPEND = """
mutation($s: ID!, $days: Int!, $reason: String!) {
  suspendSeller(sellerId: $s, days: $days, reason: $reason) {
    errors { code field message } seller { id name suspendedUntil }
  }
}"""

REINSTATE = """
mutation($s: ID!) {
  reinstateSeller(sellerId: $s) { errors { code field message } seller { id suspendedUntil } }
}"""

QUEUE = """
{ threads(filter: {flagged: true, reviewed: false}) { edges { node { id flagged } } } }"""


async def flagged_seller_message(buyer: GraphQLClient, seller: GraphQLClient) -> Message:
    """A thread where the seller answered with contact details (flagged for the admins)."""
    thread = await open_product_thread(buyer, seller)
    posted = await post_message(
        await actor_of(seller), thread_id=thread.id, body=CONTACT, policy=POLICY
    )
    assert posted.message.flagged
    return posted.message


async def flagged_buyer_message(buyer: GraphQLClient, seller: GraphQLClient) -> Message:
    thread = await open_product_thread(buyer, seller, body=CONTACT)
    return await Message.get(thread_id=thread.id)


async def queue(admin: GraphQLClient) -> list[str]:
    data = await admin.query(QUEUE)
    return [e["node"]["id"] for e in data["threads"]["edges"]]


def thread_gid(thread: Thread | int) -> str:
    return gid("Thread", thread if isinstance(thread, int) else thread.id)


async def shop_gid(client: GraphQLClient) -> str:
    return gid("Seller", (await Seller.get(account_id=client.account_id)).id)


async def suspend_shop(admin: GraphQLClient, seller: GraphQLClient) -> None:
    """The admin suspends the seller's shop for three days (through the resolver)."""
    shop = await Seller.get(account_id=seller.account_id)
    await suspend_seller(
        await actor_of(admin), seller_id=shop.id, days=3, reason="Contournement", policy=POLICY
    )


@dataclass(frozen=True)
class Moderation:
    """What moderation and buying write: a refusal must leave every count unchanged."""

    reviews: int
    suspensions: int
    suspended_until: list[object]
    mails: int
    events: int
    orders: int
    cart_lines: list[object]
    stock: list[int]


async def moderation_state() -> Moderation:
    return Moderation(
        reviews=await FlagReview.all().count(),
        suspensions=await Suspension.all().count(),
        suspended_until=list(
            await Seller.all().order_by("id").values_list("suspended_until", flat=True)
        ),
        mails=await OutboxMail.all().count(),
        events=await Event.all().count(),
        orders=await Order.all().count(),
        cart_lines=list(
            await CartLine.all().order_by("id").values_list("cart_id", "product_id", "quantity")
        ),
        stock=[row["stock"] for row in await Product.all().order_by("id").values("stock")],
    )
