"""What buyers, sellers and the platform do to existing orders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tortoise.expressions import Q

from models.accounts import Role, Seller
from models.orders import Cart, CartLine, IdempotencyKey, Order, OrderStatus, OrderTemplate
from realtime.log import atomic
from resolvers.actor import Actor, require_role
from resolvers.cart import CartView, LineChange, WantedLine, cart_view, put_lines_in_cart
from resolvers.errors import DomainError, Problems
from resolvers.free_text import clean_remark, clean_text
from resolvers.orders.flow import Shipment, change_status
from resolvers.orders.queries import (
    buyers_row,
    lines_of,
    sellers_row,
    visible_order_or_not_found,
)
from resolvers.policy import Policy

S = OrderStatus

# The reason a closed shop's PENDING orders are refused with.
SHOP_CLOSED = "Boutique fermée"


async def buyers_order(actor: Actor, order_id: int) -> Order:
    return await buyers_row(actor, visible_order_or_not_found, order_id)


async def _sellers_order(actor: Actor, order_id: int) -> Order:
    return await sellers_row(actor, visible_order_or_not_found, order_id)


async def cancel_order(
    actor: Actor, *, order_id: int, policy: Policy, reason: str | None = None
) -> Order:
    """The buyer cancels, only while PENDING (seed 001); once validated: CONTACT_SELLER."""
    order = await buyers_order(actor, order_id)
    return await change_status(
        order,
        to=S.CANCELLED,
        role=Role.BUYER,
        actor_account_id=actor.account_id,
        policy=policy,
        reason=clean_remark(reason, "reason", required=False),
    )


async def validate_order(actor: Actor, *, order_id: int, policy: Policy) -> Order:
    order = await _sellers_order(actor, order_id)
    return await change_status(
        order, to=S.VALIDATED, role=Role.SELLER, actor_account_id=actor.account_id, policy=policy
    )


async def refuse_order(actor: Actor, *, order_id: int, reason: str, policy: Policy) -> Order:
    order = await _sellers_order(actor, order_id)
    return await change_status(
        order,
        to=S.REFUSED,
        role=Role.SELLER,
        actor_account_id=actor.account_id,
        policy=policy,
        reason=clean_remark(reason, "reason", required=True),
    )


async def ship_order(
    actor: Actor, *, order_id: int, carrier: str, tracking_number: str, policy: Policy
) -> Order:
    """The seller ships a VALIDATED order; its invoice is issued in the same transaction."""
    order = await _sellers_order(actor, order_id)
    with Problems() as problems:
        shipment = Shipment(
            carrier=clean_text(problems, carrier, "carrier", required=True) or "",
            tracking_number=clean_text(problems, tracking_number, "trackingNumber", required=True)
            or "",
        )
    return await change_status(
        order,
        to=S.SHIPPED,
        role=Role.SELLER,
        actor_account_id=actor.account_id,
        policy=policy,
        shipment=shipment,
    )


async def mark_delivered(actor: Actor, *, order_id: int, policy: Policy) -> Order:
    """Delivery is confirmed by the seller or by the buyer, from SHIPPED only."""
    require_role(actor, Role.BUYER, Role.SELLER)
    order = (
        await buyers_order(actor, order_id)
        if actor.is_buyer
        else await _sellers_order(actor, order_id)
    )
    assert actor.role is not None
    return await change_status(
        order, to=S.DELIVERED, role=actor.role, actor_account_id=actor.account_id, policy=policy
    )


async def reorder(
    actor: Actor, *, order_id: int, policy: Policy
) -> tuple[CartView, list[LineChange]]:
    """ "Commander à nouveau": the order's lines back in the cart, with what changed since."""
    require_role(actor, Role.BUYER)
    order = await visible_order_or_not_found(actor, order_id)
    (lines,) = await lines_of([order.id])
    assert actor.account_id is not None
    changes = await put_lines_in_cart(
        actor.account_id,
        [
            WantedLine(
                product_id=line.product_ref,
                product_name=line.product_name,
                unit_price=line.unit_price,
                quantity=line.quantity,
            )
            for line in lines
        ],
    )
    return await cart_view(actor.account_id, policy=policy), changes


# Rows read per query by the jobs below: a backlog is cleared in one call, page after page.
JOB_BATCH = 200


def expires_at(order: Order, policy: Policy) -> datetime:
    """When a PENDING order left unanswered expires (market calendar)."""
    return policy.calendar.add_business_days(order.created_at, policy.order_expiry_business_days)


async def expire_pending_orders(
    *, policy: Policy, now: datetime | None = None, batch: int = JOB_BATCH
) -> int:
    """Expire every PENDING order left unanswered for `order_expiry_business_days` business
    days (market calendar), `batch` per read; returns how many this call expired.

    Two runners may overlap: the conditional status update lets exactly one expire each order.
    """
    now = now or datetime.now(UTC)
    days = policy.order_expiry_business_days
    # Business days are never shorter than calendar days: older orders are the only candidates.
    candidates = Order.filter(status=S.PENDING, created_at__lte=now - timedelta(days=days))
    # Oldest first (the `order_by_status` index): an order created later never expires
    # earlier, so the walk stops at the first one not due yet; a round woken by every
    # event costs the due orders, not every weekend order still waiting.
    expired, after = 0, Q()
    while page := await candidates.filter(after).order_by("created_at", "id").limit(batch):
        last = page[-1]
        after = Q(created_at__gt=last.created_at) | Q(created_at=last.created_at, id__gt=last.id)
        for order in page:
            if expires_at(order, policy) > now:
                return expired
            try:
                await change_status(
                    order,
                    to=S.EXPIRED,
                    role=None,
                    actor_account_id=None,
                    policy=policy,
                    reason="Sans réponse du vendeur dans le délai.",
                    now=now,
                )
            except DomainError:
                continue  # the seller answered, or another runner expired it, meanwhile
            expired += 1
    return expired


async def next_order_expiry(*, policy: Policy) -> datetime | None:
    """When the expiry job has an order to expire next (None: no PENDING order): the oldest
    one's `expires_at`, since a later creation never expires earlier (one range of the
    `order_by_status` index)."""
    oldest = await Order.filter(status=S.PENDING).order_by("created_at", "id").first()
    return None if oldest is None else expires_at(oldest, policy)


async def on_account_deleted(*, account_id: int, policy: Policy) -> None:
    """Called inside the account deletion's transaction, after a closed shop's products are
    withdrawn: the PENDING orders the account can no longer answer or follow are settled
    (stock released, history, mails and events written), the cart, templates and idempotency
    keys go."""
    async with atomic():
        seller = await Seller.get_or_none(account_id=account_id)
        if seller is not None:
            await _close_shop(seller.id, policy)
        else:
            for order in await Order.filter(status=S.PENDING, buyer_id=account_id).order_by("id"):
                await change_status(
                    order,
                    to=S.CANCELLED,
                    role=None,
                    actor_account_id=None,
                    policy=policy,
                    reason="Compte supprimé.",
                    mail_buyer=False,
                )
        await CartLine.filter(cart__buyer_id=account_id).delete()
        await Cart.filter(buyer_id=account_id).delete()
        await OrderTemplate.filter(buyer_id=account_id).delete()
        await IdempotencyKey.filter(account_id=account_id).delete()


async def _close_shop(seller_id: int, policy: Policy) -> None:
    """A deleted seller can no longer answer: the platform refuses their PENDING orders for
    them, so buyers are not left waiting until expiry, and each buyer is mailed why.
    VALIDATED and SHIPPED orders stay as they are: the goods were promised or are already on
    their way, and the orders stay readable from their own snapshots."""
    for order in await Order.filter(status=S.PENDING, seller_id=seller_id).order_by("id"):
        try:
            await change_status(
                order,
                to=S.REFUSED,
                role=None,
                actor_account_id=None,
                policy=policy,
                reason=SHOP_CLOSED,
            )
        except DomainError:
            continue  # validated from another session meanwhile: kept like the others
