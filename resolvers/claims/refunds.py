"""Refunds: money given back on an order, never more than the order's total."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from tortoise.expressions import F

from models.claims import Refund
from models.orders import Order
from resolvers.errors import DomainError, ErrorCode
from resolvers.invoices.issuing import issue_credit_note
from resolvers.policy import Policy


def too_large(left: Decimal) -> DomainError:
    return DomainError(
        ErrorCode.REFUND_TOO_LARGE,
        f"Le remboursement dépasse ce qui reste remboursable ({left} €).",
        "refundAmount",
    )


async def record_refund(
    *,
    order: Order,
    amount: Decimal,
    reason: str,
    now: datetime,
    policy: Policy,
    claim_id: int | None = None,
) -> Refund:
    """One refund and its credit note, inside the caller's transaction.

    The order's `refunded_total` rises in one conditional UPDATE that holds only while the
    sum stays within the total: of two concurrent refunds the database lets through only what
    fits (PostgreSQL re-checks the condition once the first commits; SQLite has one writer).
    """
    ceiling = order.total - amount
    raised = await Order.filter(id=order.id, refunded_total__lte=ceiling).update(
        refunded_total=F("refunded_total") + amount
    )
    if not raised:
        current = await Order.get(id=order.id)
        raise too_large(current.total - current.refunded_total)
    refund = await Refund.create(
        order_id=order.id, claim_id=claim_id, amount=amount, reason=reason, created_at=now
    )
    await issue_credit_note(
        order_id=order.id, refund_id=refund.id, amount=amount, reason=reason, policy=policy, now=now
    )
    return refund
