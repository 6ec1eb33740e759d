"""The seller's answer (an offer per tier, or a decline), the buyer's refusal, expiry."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from tortoise.queryset import QuerySet

from models.accounts import Role
from models.quotes import Quote, QuoteStatus, QuoteTier
from realtime.log import atomic
from resolvers.actor import Actor
from resolvers.errors import DomainError, Problems
from resolvers.free_text import MAX_REMARK, clean_remark, clean_text
from resolvers.policy import Policy
from resolvers.pricing import CENT
from resolvers.quotes.flow import TRANSITIONS, change_quote
from resolvers.quotes.queries import buyers_quote, sellers_quote

Q = QuoteStatus

MAX_VALIDITY = timedelta(days=90)
# DecimalField(max_digits=12, decimal_places=2).
MAX_PRICE = Decimal("9999999999.99")
EXPIRY_BATCH = 100


@dataclass(frozen=True)
class TierPrice:
    product_id: int
    quantity: int
    unit_price: Decimal


def _aware(moment: datetime) -> datetime:
    """A date without an offset is read as UTC, the API's time zone."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _priced_tiers(
    problems: Problems, tiers: Sequence[tuple[int, QuoteTier]], prices: Sequence[TierPrice]
) -> list[tuple[QuoteTier, Decimal]]:
    """Each requested tier with its price: every tier priced once, nothing else."""
    wanted = {(product_ref, tier.quantity): tier for product_ref, tier in tiers}
    given = {(p.product_id, p.quantity): p.unit_price for p in prices}
    if len(given) != len(prices):
        problems.invalid("Un prix par quantité demandée, une seule fois.", "prices")
    for price in given.values():
        if not price.is_finite() or price < 0 or price > MAX_PRICE or price != price.quantize(CENT):
            problems.invalid("Prix unitaire : un montant positif ou nul, au centime.", "prices")
    if given.keys() != wanted.keys():
        problems.invalid(
            "Chaque quantité demandée, et elles seules, doit recevoir un prix.", "prices"
        )
        return []
    return [(wanted[key], price) for key, price in given.items()]


async def offer_quote(
    actor: Actor,
    *,
    quote_id: int,
    prices: Sequence[TierPrice],
    valid_until: datetime,
    message: str | None,
    policy: Policy,
    now: datetime | None = None,
) -> Quote:
    """The seller prices every requested tier: REQUESTED → OFFERED; the buyer is mailed."""
    quote = await sellers_quote(actor, quote_id)
    TRANSITIONS.check(quote.status, Q.OFFERED, Role.SELLER)
    now = now or datetime.now(UTC)
    valid_until = _aware(valid_until)
    tiers = await QuoteTier.filter(line__quote_id=quote.id).select_related("line")
    with Problems() as problems:
        if not now < valid_until <= now + MAX_VALIDITY:
            problems.invalid(
                "L'offre doit rester valable entre maintenant et 90 jours.", "validUntil"
            )
        message = clean_text(problems, message, "message", required=False, limit=MAX_REMARK)
        priced = _priced_tiers(problems, [(tier.line.product_ref, tier) for tier in tiers], prices)
    async with atomic():
        # Written first: if the status moved meanwhile, change_quote refuses and they roll back.
        for tier, price in priced:
            await QuoteTier.filter(id=tier.id).update(unit_price=price)
        return await change_quote(
            quote,
            to=Q.OFFERED,
            role=Role.SELLER,
            actor_account_id=actor.account_id,
            policy=policy,
            now=now,
            valid_until=valid_until,
            seller_message=message,
        )


async def decline_quote(actor: Actor, *, quote_id: int, reason: str, policy: Policy) -> Quote:
    """The seller makes no offer, with a reason: REQUESTED → DECLINED."""
    quote = await sellers_quote(actor, quote_id)
    return await change_quote(
        quote,
        to=Q.DECLINED,
        role=Role.SELLER,
        actor_account_id=actor.account_id,
        policy=policy,
        reason=clean_remark(reason, "reason", required=True),
    )


async def refuse_quote(actor: Actor, *, quote_id: int, reason: str | None, policy: Policy) -> Quote:
    """The buyer turns the offer down: OFFERED → REFUSED; the seller is mailed."""
    quote = await buyers_quote(actor, quote_id)
    return await change_quote(
        quote,
        to=Q.REFUSED,
        role=Role.BUYER,
        actor_account_id=actor.account_id,
        policy=policy,
        reason=clean_remark(reason, "reason", required=False),
    )


def _offered() -> QuerySet[Quote]:
    """The OFFERED quotes by the end of their validity (the `quote_by_validity` index)."""
    return Quote.filter(status=Q.OFFERED, valid_until__not_isnull=True).order_by(
        "valid_until", "id"
    )


async def expire_offered_quotes(
    *, policy: Policy, now: datetime | None = None, batch: int = EXPIRY_BATCH
) -> int:
    """Expire the OFFERED quotes past `validUntil`, `batch` per transaction; returns how many.

    Two runners may overlap: the conditional status update lets exactly one expire each quote,
    and a buyer accepting at that moment either wins or gets QUOTE_EXPIRED.
    """
    now = now or datetime.now(UTC)
    expired = 0
    while True:
        due = await _offered().filter(valid_until__lte=now).limit(batch)
        async with atomic():
            for quote in due:
                try:
                    await change_quote(
                        quote,
                        to=Q.EXPIRED,
                        role=None,
                        actor_account_id=None,
                        policy=policy,
                        now=now,
                        reason="Offre arrivée à échéance sans réponse.",
                    )
                except DomainError:
                    continue  # accepted or refused, or expired by another runner, meanwhile
                expired += 1
        if len(due) < batch:
            return expired


async def next_quote_expiry() -> datetime | None:
    """When the expiry job has an offer to expire next (None: no OFFERED quote)."""
    found = await _offered().first().values_list("valid_until", flat=True)
    return found if isinstance(found, datetime) else None
