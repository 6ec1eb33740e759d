"""Shared set-up for quote tests: a quote in a given state in one call, what "nothing changed"
means for quotes (rows, stock, prices, mails, events)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from models.catalog import Product
from models.events import Event
from models.mail import OutboxMail
from models.orders import IdempotencyKey, Order, OrderStatusChange
from models.quotes import Quote, QuoteListLine, QuoteStatusChange, QuoteTier
from resolvers.quotes import (
    Choice,
    TierPrice,
    accept_quote,
    add_to_quote_list,
    offer_quote,
    send_quote_request,
)
from tests.catalog_helpers import seller_actor
from tests.clients import GraphQLClient
from tests.configuration import POLICY
from tests.orders_helpers import ADDRESS, ADDRESS_INPUT, actor_of, new_key

QUOTE_FIELDS = """
  id number status remark sellerMessage respondBy validUntil overdue createdAt
  buyer { id email } seller { id name }
  lines { productName product { id stock } tiers { quantity unitPrice } }
  order { id number status total subtotal smallOrderFee
          lines { productName unitPrice quantity } history { from to actorRole reason } }
  history { from to actorRole reason }
"""


async def request_quote(
    buyer: GraphQLClient,
    *lines: tuple[Product, list[int]],
    remark: str | None = None,
    now: datetime | None = None,
) -> list[Quote]:
    """Put `lines` on the buyer's quote list and send it through the resolvers."""
    actor = await actor_of(buyer)
    for product, quantities in lines:
        await add_to_quote_list(actor, product_id=product.id, quantities=quantities)
    return await send_quote_request(actor, remark=remark, policy=POLICY, now=now)


def prices_for(quote_lines: list[tuple[Product, dict[int, str]]]) -> list[TierPrice]:
    return [
        TierPrice(product.id, quantity, Decimal(price))
        for product, grid in quote_lines
        for quantity, price in grid.items()
    ]


async def offer(
    seller: GraphQLClient,
    quote: Quote,
    *grid: tuple[Product, dict[int, str]],
    days: float = 10,
    message: str | None = "Prix dégressifs",
) -> Quote:
    return await offer_quote(
        await seller_actor(seller),
        quote_id=quote.id,
        prices=prices_for(list(grid)),
        valid_until=datetime.now(UTC) + timedelta(days=days),
        message=message,
        policy=POLICY,
    )


async def offered_quote(
    buyer: GraphQLClient, seller: GraphQLClient, product: Product, grid: dict[int, str]
) -> Quote:
    """A quote for `product` at the tiers of `grid` (quantity → unit price), OFFERED."""
    (quote,) = await request_quote(buyer, (product, list(grid)))
    return await offer(seller, quote, (product, grid))


async def accept(
    buyer: GraphQLClient, quote: Quote, *choices: tuple[Product, int], key: str | None = None
) -> Quote:
    return await accept_quote(
        await actor_of(buyer),
        quote_id=quote.id,
        choices=[Choice(p.id, q) for p, q in choices],
        address=ADDRESS,
        remark=None,
        idempotency_key=key or new_key(),
        policy=POLICY,
    )


def accept_input(
    quote_id: str, choices: list[tuple[str, int]], key: str | None = None
) -> dict[str, Any]:
    return {
        "quoteId": quote_id,
        "deliveryAddress": ADDRESS_INPUT,
        "idempotencyKey": key or new_key(),
        "choices": [{"productId": p, "quantity": q} for p, q in choices],
    }


async def world() -> tuple[object, ...]:
    """Everything a quote mutation may write: a refusal must leave all of it as it was."""
    return (
        await Quote.all().count(),
        await QuoteStatusChange.all().count(),
        sorted(
            await Quote.all().values_list(
                "id", "status", "valid_until", "seller_message", "order_id"
            )
        ),
        sorted((t.id, t.unit_price) for t in await QuoteTier.all()),
        sorted(await QuoteListLine.all().values_list("product_id", "quantities")),
        await Order.all().count(),
        await OrderStatusChange.all().count(),
        await IdempotencyKey.all().count(),
        sorted(await Product.all().values_list("id", "stock")),
        await Event.all().count(),
        await OutboxMail.all().count(),
    )
