"""Accepting an offer: one tier per line becomes one order at the offered prices."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from models.accounts import Role
from models.catalog import Product
from models.orders import IdempotencyKey, Order, OrderStatus
from models.quotes import Quote, QuoteStatus, QuoteTier
from resolvers.actor import Actor
from resolvers.errors import DomainError, ErrorCode, Problems
from resolvers.idempotency import digest
from resolvers.orders.flow import change_status
from resolvers.orders.reserve import (
    Address,
    Item,
    clean_order_request,
    once_per_key,
    place_orders,
    require_place_orders,
    settle_key,
)
from resolvers.policy import Policy
from resolvers.quotes.flow import TRANSITIONS, change_quote
from resolvers.quotes.queries import buyers_quote

Q = QuoteStatus

ACCEPTED_REASON = "Offre acceptée"


@dataclass(frozen=True)
class Choice:
    product_id: int
    quantity: int


async def _chosen_tiers(
    problems: Problems, quote: Quote, choices: Sequence[Choice]
) -> list[QuoteTier]:
    """The offered tier of each choice: at least one, each line at most once."""
    # Before the offer the tiers exist unpriced: the status check under the lock refuses then.
    if not choices:
        problems.invalid("Choisissez au moins une quantité.", "choices")
    if len({c.product_id for c in choices}) != len(choices):
        problems.invalid("Une seule quantité par produit.", "choices")
    tiers = {
        (t.line.product_ref, t.quantity): t
        for t in await QuoteTier.filter(line__quote_id=quote.id).select_related("line")
    }
    chosen = []
    for choice in choices:
        tier = tiers.get((choice.product_id, choice.quantity))
        if tier is None:
            problems.invalid("Cette quantité ne fait pas partie de l'offre.", "choices")
        else:
            chosen.append(tier)
    return chosen


async def _items(tiers: Sequence[QuoteTier]) -> list[Item]:
    products = {
        p.id: p
        for p in await Product.filter(
            id__in=[t.line.product_id for t in tiers if t.line.product_id is not None]
        )
    }
    items = []
    for index, tier in enumerate(tiers):
        product = products.get(tier.line.product_id or 0)
        if product is None:
            raise DomainError(
                ErrorCode.NOT_FOUND,
                f"« {tier.line.product_name} » n'est plus au catalogue.",
                f"choices.{index}",
            )
        assert tier.unit_price is not None  # every tier of an OFFERED quote is priced
        items.append(Item(product, tier.quantity, tier.unit_price))
    return items


async def accept_quote(
    actor: Actor,
    *,
    quote_id: int,
    choices: Sequence[Choice],
    address: Address,
    remark: str | None,
    idempotency_key: str,
    policy: Policy,
    now: datetime | None = None,
) -> Quote:
    """OFFERED → ACCEPTED: reserve the chosen tiers' stock and create one order at the
    offered prices (PENDING, then VALIDATED by the platform: the offer was the seller's word).

    All or nothing, like `reserveCart`, and idempotent by key the same way.
    """
    buyer_id = require_place_orders(actor)
    # The status is checked under the quote's lock, after the key: a retry of a request that
    # succeeded replays it rather than meeting an ACCEPTED quote.
    quote = await buyers_quote(actor, quote_id)
    with Problems() as problems:
        address, remark, key = clean_order_request(problems, address, remark, idempotency_key)
        tiers = await _chosen_tiers(problems, quote, choices)

    async def place(key_row: IdempotencyKey, now: datetime) -> list[Order]:
        # Touching the quote row locks it: of two acceptances at once, the second waits here,
        # then finds it ACCEPTED and rolls back before taking any stock.
        if not await Quote.filter(id=quote.id, status=Q.OFFERED).update(updated_at=now):
            TRANSITIONS.check((await Quote.get(id=quote.id)).status, Q.ACCEPTED, Role.BUYER)
        offered = await Quote.get(id=quote.id)
        if offered.valid_until is None or offered.valid_until <= now:
            raise DomainError(ErrorCode.QUOTE_EXPIRED, "Cette offre a expiré.", "quoteId")
        placed = await place_orders(
            actor,
            quote.buyer_id,
            await _items(tiers),
            address=address,
            remark=remark,
            policy=policy,
            now=now,
        )
        await settle_key(key_row, placed)
        (order,) = placed
        await change_status(
            order,
            to=OrderStatus.VALIDATED,
            role=None,
            actor_account_id=None,
            policy=policy,
            reason=ACCEPTED_REASON,
            now=now,
        )
        await change_quote(
            offered,
            to=Q.ACCEPTED,
            role=Role.BUYER,
            actor_account_id=actor.account_id,
            policy=policy,
            now=now,
            order_id=order.id,
        )
        return [order]

    request = [
        "acceptQuote",
        quote.id,
        sorted([c.product_id, c.quantity] for c in choices),
        address.line1,
        address.line2,
        address.postal_code,
        address.city,
        address.country,
        remark,
    ]
    (order,) = await once_per_key(
        buyer_id,
        key,
        request_hash=digest(request),
        hours=policy.idempotency_hours,
        place=place,
        now=now,
    )
    return await Quote.get(order_id=order.id)
