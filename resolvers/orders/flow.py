"""The order state machine: one table, one function through which every status change passes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.expressions import F

from models.accounts import Role
from models.catalog import Product
from models.deadlines import DeadlineSource
from models.events import EventKind
from models.orders import Order, OrderLine, OrderStatus, OrderStatusChange
from realtime.log import atomic
from resolvers.errors import DomainError, ErrorCode
from resolvers.invoices.issuing import issue_invoice
from resolvers.lifecycle import LifeCycle, Mail, Move, Parties, Transitions, parties_of, record
from resolvers.policy import Policy

S = OrderStatus

# The goods go back on the shelf: `Product.stock` is what is still available.
RELEASES_STOCK = frozenset({S.REFUSED, S.CANCELLED, S.EXPIRED})

# Seed 000/001: once the seller has validated, the buyer negotiates through the helpdesk.
CONTACT_SELLER_STATUSES = frozenset({S.VALIDATED, S.SHIPPED})

LABELS = {
    S.PENDING: "En attente",
    S.VALIDATED: "Commande validée",
    S.REFUSED: "Commande refusée",
    S.CANCELLED: "Commande annulée",
    S.SHIPPED: "Commande expédiée",
    S.DELIVERED: "Commande livrée",
    S.EXPIRED: "Commande expirée",
}


def _contact_seller(current: OrderStatus, to: OrderStatus, role: Role | None) -> DomainError | None:
    """A buyer cancelling a validated order is sent to the helpdesk."""
    if role is Role.BUYER and to is S.CANCELLED and current in CONTACT_SELLER_STATUSES:
        return DomainError(
            ErrorCode.CONTACT_SELLER,
            "La commande est déjà validée : contactez le vendeur via la messagerie.",
            "orderId",
        )
    return None


TRANSITIONS = Transitions(
    {
        # None: the platform, for the order an accepted quote becomes (the seller's offer was
        # its commitment).
        (S.PENDING, S.VALIDATED): frozenset({Role.SELLER, None}),
        # None: the platform, for a shop whose seller deleted their account.
        (S.PENDING, S.REFUSED): frozenset({Role.SELLER, None}),
        (S.PENDING, S.CANCELLED): frozenset({Role.BUYER, None}),
        (S.PENDING, S.EXPIRED): frozenset({None}),
        (S.VALIDATED, S.SHIPPED): frozenset({Role.SELLER}),
        (S.SHIPPED, S.DELIVERED): frozenset({Role.SELLER, Role.BUYER}),
    },
    LABELS,
    field="orderId",
    changed="La commande vient de changer.",
    telling=_contact_seller,
)


ORDERS = LifeCycle(
    OrderStatusChange,
    EventKind.ORDER_STATUS,
    "order_id",
    {DeadlineSource.ORDER: S.PENDING},
)


async def release_stock(order_id: int) -> None:
    # Product-id order: every writer locks product rows in the same order (no deadlock on PG).
    lines = await OrderLine.filter(order_id=order_id, product_id__isnull=False).order_by(
        "product_id"
    )
    for line in lines:
        await Product.filter(id=line.product_id).update(stock=F("stock") + line.quantity)


def _mail_body(order: Order, change: Move[OrderStatus], seller_name: str) -> str:
    parts = [
        "Bonjour,",
        "",
        (
            f"La commande {order.number} ({seller_name}, {order.total} €) est désormais : "
            f"« {LABELS[change.to_status]} »."
        ),
    ]
    if change.reason:
        parts.append(f"Motif : {change.reason}")
    if change.to_status is S.SHIPPED:
        parts.append(f"Transporteur : {order.carrier} — numéro de suivi : {order.tracking_number}")
    if change.to_status is S.EXPIRED:
        parts.append("Le vendeur n'a pas répondu à temps ; le stock réservé a été libéré.")
    parts += ["", "Suivez vos commandes sur Comptoir.", "— L'équipe Comptoir"]
    return "\n".join(parts)


def _mail(order: Order, move: Move[OrderStatus], parties: Parties, *, mail_buyer: bool) -> Mail:
    """To the seller unless they made the change, and to the buyer (a confirmation of what they
    did themself) unless `mail_buyer` is False."""
    subject = f"Commande {order.number} : {LABELS[move.to_status]}"
    if move.to_status is S.PENDING:
        subject = f"Nouvelle commande {order.number}"
    return Mail(
        to=[
            *([parties.seller_email] if move.actor_role is not Role.SELLER else []),
            *([parties.buyer_email] if mail_buyer else []),
        ],
        subject=subject,
        body=_mail_body(order, move, parties.seller_name),
    )


@dataclass(frozen=True)
class Shipment:
    """What shipping writes on the order beside its status."""

    carrier: str
    tracking_number: str


async def record_transition(
    order: Order,
    *,
    from_status: OrderStatus | None,
    role: Role | None,
    actor_account_id: int | None,
    parties: Parties,
    policy: Policy,
    reason: str | None = None,
    mail_buyer: bool = True,
) -> OrderStatusChange:
    """The history row, the mails and the event of `order` reaching its current status
    (`from_status` None: its creation); the event is appended last."""
    move = Move(
        from_status=from_status,
        to_status=order.status,
        at=order.updated_at,
        actor_role=role,
        actor_account_id=actor_account_id,
        reason=reason,
    )
    mail = _mail(order, move, parties, mail_buyer=mail_buyer)
    return await record(ORDERS, order, move, mail, policy=policy)


async def change_status(
    order: Order,
    *,
    to: OrderStatus,
    role: Role | None,
    actor_account_id: int | None,
    policy: Policy,
    reason: str | None = None,
    now: datetime | None = None,
    mail_buyer: bool = True,
    shipment: Shipment | None = None,
) -> Order:
    """Move `order` to `to`: the only way a status changes.

    The update is conditional on the status the caller saw, so of two concurrent changes
    (cancel and validate) exactly one wins; the loser gets the refusal the new status calls
    for. History, stock release, the invoice of a shipped order, mails and the event are
    written in the same transaction.
    """
    TRANSITIONS.check(order.status, to, role)
    now = now or datetime.now(UTC)
    columns: dict[str, object] = {}
    if shipment is not None:
        columns |= {"carrier": shipment.carrier, "tracking_number": shipment.tracking_number}
    if to is S.DELIVERED:
        columns["delivered_at"] = now  # the claim and withdrawal windows start here
    async with atomic():
        await TRANSITIONS.write(Order, order, to, role, updated_at=now, **columns)
        from_status = order.status
        order.status, order.updated_at = to, now
        if shipment is not None:
            order.carrier, order.tracking_number = shipment.carrier, shipment.tracking_number
        if to is S.DELIVERED:
            order.delivered_at = now
        if to in RELEASES_STOCK:
            await release_stock(order.id)
        if to is S.SHIPPED:
            await issue_invoice(order, policy=policy, now=now)
        parties = await parties_of(order.buyer_id, [order.seller_id])
        await record_transition(
            order,
            from_status=from_status,
            role=role,
            actor_account_id=actor_account_id,
            parties=parties[order.seller_id],
            policy=policy,
            reason=reason,
            mail_buyer=mail_buyer,
        )
    return order
