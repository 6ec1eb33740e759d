"""Threads, orders and counters for the helpdesk tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from models.accounts import Seller
from models.catalog import Product
from models.events import Event
from models.helpdesk import Message, Thread
from models.mail import OutboxMail
from models.orders import Order, OrderStatus
from resolvers import helpdesk
from resolvers.actor import Actor
from resolvers.sessions import actor_for_token
from schema.ids import encode_id
from tests.catalog_helpers import make_product
from tests.clients import GraphQLClient
from tests.configuration import POLICY

PARIS = ZoneInfo("Europe/Paris")

THREAD_FIELDS = """
  id subject category trackingNumber responseDueAt overdue unreadCount flagged
  buyer { id } seller { id name } product { id name } order { id number }
  messages { edges { cursor node { id body authorRole author { id } sentAt readAt flagged
                                   flaggedKinds } }
             pageInfo { hasNextPage endCursor } }
"""

OPEN_THREAD = """
mutation($input: OpenThreadInput!) {
  openThread(input: $input) {
    errors { code field message } warnings { code field message } notice
    thread { THREAD_FIELDS }
  }
}""".replace("THREAD_FIELDS", THREAD_FIELDS)

OPEN_TICKET = """
mutation($input: SupportTicketInput!) {
  openSupportTicket(input: $input) {
    errors { code field message } warnings { code field message } notice
    thread { THREAD_FIELDS }
  }
}""".replace("THREAD_FIELDS", THREAD_FIELDS)

POST_MESSAGE = """
mutation($threadId: ID!, $body: String!) {
  postMessage(threadId: $threadId, body: $body) {
    errors { code field message } warnings { code field message }
    message { id body authorRole author { id } flagged readAt }
  }
}"""

MARK_READ = """
mutation($threadId: ID!) {
  markThreadRead(threadId: $threadId) {
    errors { code field message } thread { id unreadCount }
  }
}"""

THREAD = "query($id: ID!) { thread(id: $id) { " + THREAD_FIELDS + " } }"

THREADS = """
query($filter: ThreadFilter, $first: Int, $after: String) {
  threads(filter: $filter, first: $first, after: $after) {
    edges { cursor node { id subject flagged overdue responseDueAt unreadCount } }
    pageInfo { hasNextPage endCursor }
  }
}"""


def paris(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=PARIS)


def utc_iso(moment: datetime) -> str:
    """A DateTime as the API serialises it (UTC, with offset)."""
    return moment.astimezone(UTC).isoformat()


async def actor_of(client: GraphQLClient) -> Actor:
    assert client.token is not None
    return await actor_for_token(client.token)


async def seller_of(client: GraphQLClient) -> Seller:
    return await Seller.get(account_id=client.account_id)


async def product_of(seller: GraphQLClient, **overrides: object) -> Product:
    return await make_product(seller, **overrides)


async def make_order(
    buyer: GraphQLClient, seller: GraphQLClient, number: str = "CMD-2026-000001"
) -> Order:
    """An order row of `buyer` addressed to `seller`'s shop (no lines: enough for threads)."""
    shop = await seller_of(seller)
    now = datetime.now(UTC)
    return await Order.create(
        number=number,
        status=OrderStatus.PENDING,
        buyer_id=buyer.account_id,
        seller_id=shop.id,
        subtotal=Decimal("10.00"),
        small_order_fee=Decimal("5.00"),
        total=Decimal("15.00"),
        address_line1="3 rue Oberkampf",
        address_postal_code="75011",
        address_city="Paris",
        address_country="FR",
        created_at=now,
        updated_at=now,
    )


async def open_product_thread(
    buyer: GraphQLClient,
    seller: GraphQLClient,
    *,
    body: str = "Bonjour, ce ciment convient-il pour une dalle ?",
    now: datetime | None = None,
) -> Thread:
    """A thread a buyer opened about one of `seller`'s products, at `now` if given."""
    product = await product_of(seller)
    opened = await helpdesk.open_thread(
        await actor_of(buyer), product_id=product.id, body=body, now=now, policy=POLICY
    )
    return opened.thread


def gid(type_name: str, pk: int) -> str:
    return encode_id(type_name, pk)


@dataclass(frozen=True)
class Counts:
    threads: int
    messages: int
    events: int
    mails: int


async def counts() -> Counts:
    """What a refused call must leave unchanged."""
    return Counts(
        threads=await Thread.all().count(),
        messages=await Message.all().count(),
        events=await Event.all().count(),
        mails=await OutboxMail.all().count(),
    )
