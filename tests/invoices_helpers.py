"""Set-up for invoice tests: orders taken to SHIPPED through the real life cycle."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from models.catalog import Product
from models.claims import Refund
from models.invoices import Invoice, InvoiceCounter, InvoiceKind
from models.orders import Order
from resolvers.orders import ship_order, validate_order
from tests.catalog_helpers import seller_actor
from tests.clients import GraphQLClient
from tests.configuration import POLICY
from tests.orders_helpers import actor_of, reserve


async def validated_orders(
    buyer: GraphQLClient, seller: GraphQLClient, *lines: tuple[Product, int], count: int = 1
) -> list[Order]:
    """`count` orders of `lines` from buyer to seller, each validated by the seller."""
    shop = await seller_actor(seller)
    orders = []
    for _ in range(count):
        (order,) = await reserve(buyer, *lines)
        orders.append(await validate_order(shop, order_id=order.id, policy=POLICY))
    return orders


async def shipped(
    buyer: GraphQLClient, seller: GraphQLClient, *lines: tuple[Product, int]
) -> tuple[Order, Invoice]:
    """An order of `lines`, validated then shipped, and the invoice shipping issued."""
    (order,) = await validated_orders(buyer, seller, *lines)
    await ship_order(
        await seller_actor(seller),
        order_id=order.id,
        carrier="Geodis",
        tracking_number="GE1",
        policy=POLICY,
    )
    return order, await Invoice.get(order_id=order.id, kind=InvoiceKind.INVOICE)


async def refund_row(order: Order, amount: str) -> Refund:
    """A bare refund row for issuing tests (the claims flow that makes real ones is tested
    apart): credit notes reference an existing refund."""
    return await Refund.create(
        order_id=order.id, amount=Decimal(amount), reason="Geste", created_at=datetime.now(UTC)
    )


async def document_rows() -> tuple[int, int]:
    """Rows any issue writes: documents, and the counters' sum of numbers taken."""
    taken = sum(c.last_sequence for c in await InvoiceCounter.all())
    return await Invoice.all().count(), taken


__all__ = ["actor_of", "document_rows", "refund_row", "shipped", "validated_orders"]
