"""Moderation (seed 004): an admin decides once on each flagged message.

DISMISSED closes the flag, WARNED mails the author a reminder of the rules, SUSPENDED also
suspends the seller who wrote it.  The decision is recorded with who made it and when; the
thread leaves the moderation queue once none of its flagged messages waits for a decision.
"""

from __future__ import annotations

from datetime import datetime

from tortoise.exceptions import IntegrityError

from models.accounts import Account, Role, Seller
from models.helpdesk import Message, Thread
from models.standing import FlagDecision, FlagReview
from realtime.log import atomic
from resolvers.actor import Actor, require_role
from resolvers.clock import utc_now
from resolvers.errors import DomainError, ErrorCode, Problems
from resolvers.free_text import clean_text
from resolvers.helpdesk.messages import lock_thread
from resolvers.mail import enqueue_mail
from resolvers.policy import Policy
from resolvers.standing.suspension import apply_suspension, check_days

MAX_NOTE = 2000

_ALREADY = "Ce message a déjà fait l'objet d'une décision."


def _check_decision(
    problems: Problems, message: Message, decision: FlagDecision, suspend_days: int | None
) -> None:
    if decision is FlagDecision.SUSPENDED:
        if suspend_days is None:
            problems.invalid("La durée de suspension est obligatoire.", "suspendDays")
        else:
            check_days(problems, suspend_days, "suspendDays")
        if message.author_role is not Role.SELLER:
            problems.invalid(
                "Seul un vendeur peut être suspendu : ce message n'est pas d'un vendeur.",
                "decision",
            )
    elif suspend_days is not None:
        problems.invalid("Une durée ne s'indique qu'avec une suspension.", "suspendDays")


async def _warn(message: Message, thread: Thread, note: str | None, policy: Policy) -> None:
    author = await Account.get_or_none(id=message.author_id) if message.author_id else None
    if author is None or author.deleted_at is not None:
        return
    text = (
        f"Un de vos messages dans la conversation « {thread.subject} » contient des "
        "coordonnées. Les échanges entre acheteurs et vendeurs doivent rester dans la "
        "messagerie de la plateforme : tout contact ou accord en dehors est interdit et "
        "peut entraîner la suspension du compte."
    )
    if note:
        text += f"\n\nRemarque de l'équipe : {note}"
    await enqueue_mail(
        to=author.email,
        subject="Avertissement : contact hors plateforme",
        body=f"Bonjour,\n\n{text}\n\n{policy.public_url}\n\nL'équipe Comptoir\n",
        policy=policy,
    )


async def review_flag(
    actor: Actor,
    *,
    message_id: int,
    decision: FlagDecision,
    note: str | None,
    suspend_days: int | None,
    policy: Policy,
    now: datetime | None = None,
) -> Message:
    """Record an admin's one decision on a flagged message, with its consequence."""
    admin_id = require_role(actor, Role.ADMIN)
    message = await Message.get_or_none(id=message_id)
    if message is None:
        raise DomainError(ErrorCode.NOT_FOUND, "Aucun message avec cet identifiant", "messageId")
    if not message.flagged:
        raise DomainError(
            ErrorCode.INVALID_TRANSITION, "Ce message n'est pas signalé.", "messageId"
        )
    with Problems() as problems:
        _check_decision(problems, message, decision, suspend_days)
        cleaned = clean_text(problems, note, "note", required=False, limit=MAX_NOTE)
    if await FlagReview.exists(message_id=message.id):
        raise DomainError(ErrorCode.INVALID_TRANSITION, _ALREADY, "messageId")
    now = utc_now(now)
    try:
        async with atomic():
            thread = await lock_thread(message.thread_id)
            # The unique message column decides between two admins reviewing at once.
            review = await FlagReview.create(
                message_id=message.id, decision=decision, note=cleaned, at=now, by_id=admin_id
            )
            flagged = await Message.filter(thread_id=thread.id, flagged=True).count()
            reviewed = await FlagReview.filter(message__thread_id=thread.id).count()
            waiting = flagged > reviewed
            await Thread.filter(id=thread.id).update(awaiting_review=waiting)
            if decision is FlagDecision.WARNED:
                await _warn(message, thread, cleaned, policy)
            elif decision is FlagDecision.SUSPENDED:
                assert suspend_days is not None  # checked by _check
                assert thread.seller_id is not None  # a seller wrote it, so the thread has one
                seller = await Seller.get(id=thread.seller_id).select_related("account")
                await apply_suspension(
                    seller,
                    days=suspend_days,
                    policy=policy,
                    by_id=admin_id,
                    now=now,
                    review_id=review.id,
                    reason=cleaned or "Contact hors plateforme dans la messagerie.",
                )
    except IntegrityError as error:
        raise DomainError(ErrorCode.INVALID_TRANSITION, _ALREADY, "messageId") from error
    return message


async def reviews_of(message_ids: list[int]) -> list[FlagReview | None]:
    """Each message's decision (None: none yet), in one query."""
    found = {r.message_id: r for r in await FlagReview.filter(message_id__in=message_ids)}
    return [found.get(i) for i in message_ids]
