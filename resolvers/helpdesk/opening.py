"""Opening threads: a buyer writes to a seller about an order or a product, or to support."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from models.accounts import Role
from models.helpdesk import Message, Thread, TicketCategory
from realtime.log import atomic
from resolvers.actor import Actor, require_role
from resolvers.catalog.visibility import product_or_not_found
from resolvers.clock import utc_now
from resolvers.errors import Problem, Problems
from resolvers.helpdesk.mails import new_thread_mail
from resolvers.helpdesk.messages import (
    MAX_SUBJECT,
    announce,
    check_body,
    check_subject,
    contact_warnings,
    insert_message,
    one_line,
)
from resolvers.orders.queries import visible_order_or_not_found
from resolvers.policy import Policy

MAX_TRACKING_NUMBER = 100

# Seed 002: "Les enquêtes de livraison prennent généralement entre 5 et 10 jours ouvrés."
DELIVERY_NOTICE = (
    "Nous ouvrons une enquête auprès du transporteur et vous tiendrons informé dans cette "
    "conversation. Les enquêtes de livraison prennent généralement entre 5 et 10 jours ouvrés."
)

_CATEGORY_SUBJECTS = {
    TicketCategory.ACCOUNT_ACCESS: "Accès au compte",
    TicketCategory.LOGIN: "Connexion",
    TicketCategory.DISPLAY: "Affichage",
    TicketCategory.PERFORMANCE: "Performances",
    TicketCategory.PAYMENT: "Paiement",
    TicketCategory.DELIVERY: "Livraison",
    TicketCategory.SECURITY: "Sécurité",
    TicketCategory.OTHER: "Autre demande",
}


@dataclass(frozen=True)
class Opened:
    """A thread just opened with its first message, and what its author should be told."""

    thread: Thread
    message: Message
    warnings: list[Problem] = field(default_factory=list)
    notice: str | None = None


async def start_thread(
    *,
    subject: str,
    buyer_id: int,
    seller_id: int,
    body: str,
    now: datetime,
    policy: Policy,
    order_id: int | None = None,
    product_id: int | None = None,
) -> tuple[Thread, Message]:
    """A buyer-seller thread and its first message (the seller's SLA starts), inside the
    caller's transaction; the caller mails and announces."""
    thread = await Thread.create(
        subject=one_line(subject)[:MAX_SUBJECT],
        buyer_id=buyer_id,
        seller_id=seller_id,
        order_id=order_id,
        product_id=product_id,
        created_at=now,
        last_message_at=now,
    )
    message = await insert_message(
        thread, author_id=buyer_id, role=Role.BUYER, body=body, now=now, policy=policy
    )
    return thread, message


async def open_thread(
    actor: Actor,
    *,
    body: str,
    subject: str | None = None,
    order_id: int | None = None,
    product_id: int | None = None,
    policy: Policy,
    now: datetime | None = None,
) -> Opened:
    """A buyer writes to the seller of one of their orders or of a product."""
    buyer_id = require_role(actor, Role.BUYER)
    with Problems() as problems:
        if (order_id is None) == (product_id is None):
            problems.invalid("Indiquez une commande ou un produit, pas les deux", "orderId")
        check_subject(problems, subject)
        check_body(problems, body)
    if order_id is not None:
        order = await visible_order_or_not_found(actor, order_id)
        seller_id, default_subject = order.seller_id, f"Commande {order.number}"
    elif product_id is not None:  # exactly one of the two, as checked above
        product = await product_or_not_found(product_id)
        seller_id, default_subject = product.seller_id, product.name
    now = utc_now(now)
    async with atomic():
        thread, message = await start_thread(
            subject=subject or default_subject,
            buyer_id=buyer_id,
            seller_id=seller_id,
            order_id=order_id,
            product_id=product_id,
            body=body,
            now=now,
            policy=policy,
        )
        await new_thread_mail(thread, policy=policy)
        await announce(thread, message, policy=policy)
    return Opened(thread=thread, message=message, warnings=contact_warnings(message.flagged_kinds))


async def open_support_ticket(
    actor: Actor,
    *,
    category: TicketCategory,
    body: str,
    subject: str | None = None,
    order_id: int | None = None,
    tracking_number: str | None = None,
    policy: Policy,
    now: datetime | None = None,
) -> Opened:
    """A buyer asks the platform for help; admins answer in the same thread machinery."""
    buyer_id = require_role(actor, Role.BUYER)
    tracking = tracking_number.strip() if tracking_number is not None else None
    with Problems() as problems:
        check_subject(problems, subject)
        check_body(problems, body)
        if tracking is not None and not 1 <= len(tracking) <= MAX_TRACKING_NUMBER:
            problems.invalid(
                f"Le numéro de suivi doit faire de 1 à {MAX_TRACKING_NUMBER} caractères",
                "trackingNumber",
            )
    if order_id is not None:
        await visible_order_or_not_found(actor, order_id)
    now = utc_now(now)
    notice = DELIVERY_NOTICE if category is TicketCategory.DELIVERY else None
    async with atomic():
        thread = await Thread.create(
            subject=one_line(subject or _CATEGORY_SUBJECTS[category]),
            buyer_id=buyer_id,
            order_id=order_id,
            category=category,
            tracking_number=tracking,
            created_at=now,
            last_message_at=now,
        )
        message = await insert_message(
            thread, author_id=buyer_id, role=Role.BUYER, body=body, now=now, policy=policy
        )
        posted = [message]
        if notice is not None:
            # The platform's own message (no author): the buyer finds the delay in the thread.
            posted.append(
                await insert_message(
                    thread, author_id=None, role=Role.ADMIN, body=notice, now=now, policy=policy
                )
            )
        for each in posted:
            await announce(thread, each, policy=policy)
    return Opened(
        thread=thread,
        message=message,
        warnings=contact_warnings(message.flagged_kinds),
        notice=notice,
    )
