"""The after-sales deadlines (Part 2 "Deadlines"): the claim windows after delivery, the
seller's answer while a claim is OPEN, the refund after the return is received."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from tortoise.expressions import Q

from models.accounts import Seller
from models.claims import Claim, ClaimReason, ClaimStatus, ClaimStatusChange
from models.helpdesk import Thread
from models.orders import Order
from resolvers.mail import enqueue_mail
from resolvers.policy import Policy

# The window a seller's standing looks back over (as the helpdesk's response rate).
RATING_WINDOW = timedelta(days=90)


def claimable_until(order: Order, policy: Policy) -> datetime | None:
    """End of the COMPTOIR_CLAIM_BUSINESS_DAYS-th business day after delivery (seed 001)."""
    if order.delivered_at is None:
        return None
    return policy.business_days_after(order.delivered_at, policy.claim_business_days)


def withdrawable_until(order: Order, policy: Policy) -> datetime | None:
    """Droit de rétractation: COMPTOIR_WITHDRAWAL_DAYS calendar days after delivery."""
    if order.delivered_at is None:
        return None
    return order.delivered_at + timedelta(days=policy.withdrawal_days)


def window_end(order: Order, reason: ClaimReason, policy: Policy) -> datetime | None:
    if reason is ClaimReason.WITHDRAWAL:
        return withdrawable_until(order, policy)
    return claimable_until(order, policy)


def respond_by(claim: Claim, thread: Thread | None) -> datetime | None:
    """While OPEN, the seller's SLA deadline in the claim's thread (null once answered)."""
    if claim.status is not ClaimStatus.OPEN or thread is None:
        return None
    return thread.response_due_at


def current_deadline(claim: Claim, thread: Thread | None) -> datetime | None:
    if claim.status is ClaimStatus.RETURN_RECEIVED:
        return claim.refund_due_by
    return respond_by(claim, thread)


def is_overdue(claim: Claim, thread: Thread | None, *, now: datetime | None = None) -> bool:
    due = current_deadline(claim, thread)
    return due is not None and due < (now or datetime.now(UTC))


def overdue_filter(now: datetime) -> Q:
    """`is_overdue` as a query filter."""
    return Q(status=ClaimStatus.OPEN, thread__response_due_at__lt=now) | Q(
        status=ClaimStatus.RETURN_RECEIVED, refund_due_by__lt=now
    )


async def report_overdue(claim_id: int, *, due: datetime, policy: Policy) -> None:
    """Record that the claim's current deadline `due` has passed, and mail the seller a refund
    that is late (a late answer is reminded by the thread's SLA), in the caller's transaction
    (the alert job's OVERDUE transition).

    Conditional on the mark, so a claim already marked for `due` is not mailed twice: claims
    had a job of their own before the alert job carried it, which may have got there first on
    an upgraded database.
    """
    marked = await Claim.filter(
        Q(overdue_reported_for__isnull=True) | Q(overdue_reported_for__not=due), id=claim_id
    ).update(overdue_reported_for=due)
    claim = await Claim.get(id=claim_id)
    if marked and claim.status is ClaimStatus.RETURN_RECEIVED:
        await _refund_late_mail(claim, policy)


async def _refund_late_mail(claim: Claim, policy: Policy) -> None:
    seller = await Seller.get(id=claim.seller_id).select_related("account")
    if seller.account.deleted_at is not None:
        return
    await enqueue_mail(
        to=seller.account.email,
        subject=f"Réclamation {claim.number} : remboursement en retard",
        body=(
            "Bonjour,\n\nLe retour de la réclamation "
            f"{claim.number} a été reçu il y a plus de "
            f"{policy.refund_business_days:g} jours ouvrés : le remboursement "
            "ou la solution est en retard .\n\n"
            f"{policy.link('/')}\n\nL'équipe Comptoir\n"
        ),
        policy=policy,
    )


async def refund_tallies(
    seller_ids: Sequence[int], *, now: datetime | None = None
) -> dict[int, tuple[int, int]]:
    """Per seller: (refund deadlines kept, refund deadlines judged) over the last 90 days.

    A received return is judged once the claim is settled or its `refundDueBy` has passed;
    kept when it was resolved by then. (Answering the claim is a buyer message of its
    thread, already judged by the helpdesk's response rate.)
    """
    now = (now or datetime.now(UTC)).astimezone(UTC)
    rows = await Claim.filter(
        seller_id__in=list(seller_ids),
        refund_due_by__isnull=False,
        refund_due_by__gte=now - RATING_WINDOW,
    )
    # After RETURN_RECEIVED the only way out is RESOLVED.
    settled = {
        c.claim_id: c.at
        for c in await ClaimStatusChange.filter(
            claim_id__in=[r.id for r in rows], to_status=ClaimStatus.RESOLVED
        )
    }
    tallies: dict[int, tuple[int, int]] = {}
    for claim in rows:
        assert claim.refund_due_by is not None
        done = settled.get(claim.id)
        if done is None and claim.refund_due_by > now:
            # Still inside its deadline: not judged yet (at the due instant it has passed, as
            # for the alert job, whose REFUND_OVERDUE round refreshes the rating).
            continue
        kept = done is not None and done <= claim.refund_due_by
        met, judged = tallies.get(claim.seller_id, (0, 0))
        tallies[claim.seller_id] = (met + kept, judged + 1)
    return tallies
