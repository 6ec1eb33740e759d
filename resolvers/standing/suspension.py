"""Seller suspension (seed 004): decided by admins, lifted by the clock or by reinstatement.

A seller is suspended while `suspended_until` lies in the future; every reader compares it
with the clock, so the suspension ends on time without a job having to run first.  While
suspended its products are hidden from everyone but itself and admins, and nobody can buy
from it; it still answers messages and ships what it owes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from models.accounts import Role, Seller
from models.standing import Suspension
from realtime.log import atomic
from resolvers.actor import Actor, require_role
from resolvers.clock import utc_now
from resolvers.errors import DomainError, ErrorCode, Problems
from resolvers.mail import enqueue_mail
from resolvers.policy import Policy

MAX_DAYS = 365
MAX_REASON = 2000


def is_suspended(seller: Seller, *, now: datetime | None = None) -> bool:
    until = seller.suspended_until
    return until is not None and until > utc_now(now)


def sees_suspended(actor: Actor, seller_id: int) -> bool:
    """The seller itself and admins still see a suspended seller's products."""
    return actor.is_admin or actor.seller_id == seller_id


def shown_suspension(actor: Actor, seller: Seller) -> datetime | None:
    """`suspendedUntil` as the viewer may read it: the seller itself and admins only."""
    if not sees_suspended(actor, seller.id) or not is_suspended(seller):
        return None
    return seller.suspended_until


async def suspended_among(seller_ids: Iterable[int], *, now: datetime | None = None) -> set[int]:
    """Which of these sellers are suspended right now (one indexed query)."""
    wanted = list(set(seller_ids))
    if not wanted:
        return set()
    rows = await Seller.filter(id__in=wanted, suspended_until__gt=utc_now(now)).only("id")
    return {row.id for row in rows}


async def refuse_if_suspended(
    seller_ids: Iterable[int], *, field: str = "productId", now: datetime | None = None
) -> None:
    """SELLER_SUSPENDED when any of these sellers is suspended: nobody buys from it."""
    if await suspended_among(seller_ids, now=now):
        raise DomainError(
            ErrorCode.SELLER_SUSPENDED,
            "Ce vendeur est suspendu : ses produits ne peuvent pas être commandés pour le moment.",
            field,
        )


def check_days(problems: Problems, days: int, field: str) -> None:
    if not 1 <= days <= MAX_DAYS:
        problems.invalid(f"La durée de suspension va de 1 à {MAX_DAYS} jours.", field)


def _clean_reason(problems: Problems, reason: str) -> str:
    cleaned = reason.strip()
    if not cleaned or len(cleaned) > MAX_REASON:
        problems.invalid(
            f"Le motif est obligatoire ({MAX_REASON} caractères au maximum).", "reason"
        )
    return cleaned


async def _seller(seller_id: int) -> Seller:
    seller = await Seller.get_or_none(id=seller_id).select_related("account")
    if seller is None:
        raise DomainError(ErrorCode.NOT_FOUND, "Aucun vendeur avec cet identifiant", "sellerId")
    return seller


def _date(moment: datetime, policy: Policy) -> str:
    return moment.astimezone(policy.calendar.tz).strftime("%d/%m/%Y à %H:%M")


async def _mail(seller: Seller, *, subject: str, text: str, policy: Policy) -> None:
    if seller.account.deleted_at is not None:
        return
    await enqueue_mail(
        to=seller.account.email,
        subject=f"{subject} : {seller.name}",
        body=f"Bonjour,\n\n{text}\n\n{policy.public_url}\n\nL'équipe Comptoir\n",
        policy=policy,
    )


async def apply_suspension(
    seller: Seller,
    *,
    days: int,
    reason: str,
    by_id: int | None,
    now: datetime,
    policy: Policy,
    review_id: int | None = None,
) -> None:
    """Suspend inside the caller's transaction: record it, set the end, mail the seller."""
    until = now + timedelta(days=days)
    await Suspension.create(
        seller_id=seller.id, reason=reason, at=now, until=until, by_id=by_id, review_id=review_id
    )
    await Seller.filter(id=seller.id).update(suspended_until=until)
    seller.suspended_until = until
    await _mail(
        seller,
        subject="Compte vendeur suspendu",
        policy=policy,
        text=(
            f"Votre compte vendeur est suspendu jusqu'au {_date(until, policy)}.\n"
            f"Motif : {reason}\n\n"
            "Pendant la suspension, vos produits n'apparaissent plus dans le catalogue et ne "
            "peuvent pas être commandés. Vous continuez à répondre aux messages et aux "
            "réclamations, et à expédier les commandes en cours."
        ),
    )


async def suspend_seller(
    actor: Actor,
    *,
    seller_id: int,
    days: int,
    reason: str,
    policy: Policy,
    now: datetime | None = None,
) -> Seller:
    """An admin suspends a seller for `days` times 24 h from now, with a reason it is mailed."""
    admin_id = require_role(actor, Role.ADMIN)
    with Problems() as problems:
        check_days(problems, days, "days")
        cleaned = _clean_reason(problems, reason)
    seller = await _seller(seller_id)
    async with atomic():
        await apply_suspension(
            seller, days=days, reason=cleaned, by_id=admin_id, now=utc_now(now), policy=policy
        )
    return seller


async def reinstate_seller(
    actor: Actor, *, seller_id: int, policy: Policy, now: datetime | None = None
) -> Seller:
    """An admin ends a seller's suspension at once; INVALID_TRANSITION if it is not suspended."""
    admin_id = require_role(actor, Role.ADMIN)
    seller = await _seller(seller_id)
    now = utc_now(now)
    async with atomic():
        # Conditional: of two admins reinstating at once, one does it and is the one recorded.
        lifted = await Seller.filter(id=seller.id, suspended_until__gt=now).update(
            suspended_until=None
        )
        if not lifted:
            raise DomainError(
                ErrorCode.INVALID_TRANSITION, "Ce vendeur n'est pas suspendu.", "sellerId"
            )
        await Suspension.filter(
            seller_id=seller.id, until__gt=now, reinstated_at__isnull=True
        ).update(reinstated_at=now, reinstated_by_id=admin_id)
        seller.suspended_until = None
        await _mail(
            seller,
            subject="Compte vendeur rétabli",
            policy=policy,
            text=(
                "La suspension de votre compte vendeur est levée : vos produits sont de nouveau "
                "visibles et peuvent être commandés."
            ),
        )
    return seller
