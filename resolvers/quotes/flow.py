"""The quote life cycle: one transition table, one function recording history, mail and event."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from models.accounts import Role
from models.deadlines import DeadlineSource
from models.events import EventKind
from models.quotes import Quote, QuoteLine, QuoteStatus, QuoteStatusChange, QuoteTier
from realtime.log import atomic
from resolvers.errors import DomainError, ErrorCode
from resolvers.lifecycle import LifeCycle, Mail, Move, Parties, Transitions, parties_of, record
from resolvers.policy import Policy

Q = QuoteStatus

# "mes offres" (seed 003): accepted or refused offers leave the buyer's overview.
OPEN_STATUSES = frozenset({Q.REQUESTED, Q.OFFERED})

LABELS = {
    Q.REQUESTED: "Demande envoyée",
    Q.OFFERED: "Offre reçue",
    Q.ACCEPTED: "Offre acceptée",
    Q.REFUSED: "Offre refusée",
    Q.DECLINED: "Demande déclinée",
    Q.EXPIRED: "Offre expirée",
}


def _expired(current: QuoteStatus, to: QuoteStatus, role: Role | None) -> DomainError | None:
    """Accepting an offer that expired says so."""
    if current is Q.EXPIRED and to is Q.ACCEPTED:
        return DomainError(ErrorCode.QUOTE_EXPIRED, "Cette offre a expiré.", "quoteId")
    return None


TRANSITIONS = Transitions(
    {
        (Q.REQUESTED, Q.OFFERED): frozenset({Role.SELLER}),
        (Q.REQUESTED, Q.DECLINED): frozenset({Role.SELLER}),
        (Q.OFFERED, Q.ACCEPTED): frozenset({Role.BUYER}),
        (Q.OFFERED, Q.REFUSED): frozenset({Role.BUYER}),
        (Q.OFFERED, Q.EXPIRED): frozenset({None}),
    },
    LABELS,
    field="quoteId",
    changed="Le devis vient de changer.",
    telling=_expired,
)


QUOTES = LifeCycle(
    QuoteStatusChange, EventKind.QUOTE_STATUS, "quote_id", {DeadlineSource.QUOTE: Q.REQUESTED}
)


def _local(moment: datetime, policy: Policy) -> str:
    return moment.astimezone(policy.calendar.tz).strftime("%d/%m/%Y %H:%M")


async def _tier_lines(quote: Quote) -> list[str]:
    lines = await QuoteLine.filter(quote_id=quote.id).order_by("id")
    tiers = await QuoteTier.filter(line__quote_id=quote.id).order_by("quantity")
    shown = []
    for line in lines:
        prices = [
            f"{t.quantity}" + ("" if t.unit_price is None else f" à {t.unit_price} € l'unité")
            for t in tiers
            if t.line_id == line.id
        ]
        shown.append(f"- {line.product_name} : {', '.join(prices)}")
    return shown


async def _mail_body(
    quote: Quote, change: Move[QuoteStatus], seller_name: str, policy: Policy
) -> str:
    parts = [
        "Bonjour,",
        "",
        f"Devis {quote.number} ({seller_name}) : « {LABELS[change.to_status]} ».",
    ]
    if change.to_status in (Q.REQUESTED, Q.OFFERED):
        parts += await _tier_lines(quote)
    if change.to_status is Q.REQUESTED:
        if quote.remark:
            parts.append(f"Remarque de l'acheteur : {quote.remark}")
        parts.append(f"Réponse attendue avant le {_local(quote.respond_by, policy)}.")
    if change.to_status is Q.OFFERED and quote.valid_until is not None:
        parts.append(f"Offre valable jusqu'au {_local(quote.valid_until, policy)}.")
        if quote.seller_message:
            parts.append(f"Message du vendeur : {quote.seller_message}")
    if change.reason:
        parts.append(f"Motif : {change.reason}")
    parts += ["", "Retrouvez vos devis sur Comptoir.", "— L'équipe Comptoir"]
    return "\n".join(parts)


async def record_move(
    quote: Quote, move: Move[QuoteStatus], parties: Parties, *, policy: Policy
) -> QuoteStatusChange:
    """The history row, the mail to the other party (both for the platform's own changes) and
    the event of `move`, inside the caller's transaction."""
    subject = f"Devis {quote.number} : {LABELS[move.to_status]}"
    if move.to_status is Q.REQUESTED:
        subject = f"Nouvelle demande de devis {quote.number}"
    body = await _mail_body(quote, move, parties.seller_name, policy)
    mail = Mail(parties.others(move.actor_role), subject, body)
    return await record(QUOTES, quote, move, mail, policy=policy)


async def change_quote(
    quote: Quote,
    *,
    to: QuoteStatus,
    role: Role | None,
    actor_account_id: int | None,
    policy: Policy,
    reason: str | None = None,
    now: datetime | None = None,
    valid_until: datetime | None = None,
    seller_message: str | None = None,
    order_id: int | None = None,
) -> Quote:
    """Move `quote` to `to`: the only way a status changes.

    The update is conditional on the status the caller saw, so of two concurrent changes
    (accept and expire, or two accepts) exactly one wins and the other gets the refusal the new
    status calls for. The offer's terms and the order are written with the status.
    """
    TRANSITIONS.check(quote.status, to, role)
    now = now or datetime.now(UTC)
    terms: dict[str, Any] = {}
    if to is Q.OFFERED:
        terms = {"valid_until": valid_until, "seller_message": seller_message}
    if to is Q.ACCEPTED:
        terms = {"order_id": order_id}
    async with atomic():
        await TRANSITIONS.write(Quote, quote, to, role, updated_at=now, **terms)
        move = Move(
            from_status=quote.status,
            to_status=to,
            at=now,
            actor_role=role,
            actor_account_id=actor_account_id,
            reason=reason,
        )
        quote.status, quote.updated_at = to, now
        quote.update_from_dict(terms)
        parties = await parties_of(quote.buyer_id, [quote.seller_id])
        await record_move(quote, move, parties[quote.seller_id], policy=policy)
    return quote
