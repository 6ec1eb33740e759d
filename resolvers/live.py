"""Who may follow which live events: the audience of `orderEvents`, `quoteEvents`,
`messageEvents`, `claimEvents` and `deadlineEvents`.

The same rules as the query side: a buyer sees their own orders (and their company's with
SEE_COMPANY_ORDERS), a seller the orders addressed to it, an admin everything; threads are
seen by their participants and admins.
"""

from __future__ import annotations

import dataclasses

from models.events import EventKind
from realtime.audience import Audience
from resolvers.actor import Actor, require_login
from resolvers.claims.queries import visible_claim_or_not_found
from resolvers.errors import ErrorCode, Forbidden, QueryError
from resolvers.helpdesk.threads import visible_thread
from resolvers.orders.queries import sees_company_orders, visible_order_or_not_found
from resolvers.quotes.queries import visible_quote_or_not_found


def parse_after(after: str | None) -> int | None:
    """An event id as clients send it back: a decimal string; None means "from now on"."""
    if after is None:
        return None
    if not after.isascii() or not after.isdigit() or len(after) > 18:
        raise QueryError(ErrorCode.INVALID_INPUT, "`after` doit être un identifiant d'événement")
    return int(after)


def _order_viewer(actor: Actor, kind: EventKind = EventKind.ORDER_STATUS) -> Audience:
    # The audience form of `can_see_order`, which quotes and claims follow too.
    if actor.is_admin:
        return Audience(kind, everything=True)
    if actor.is_seller:
        return Audience(kind, seller_id=actor.seller_id)
    if actor.is_buyer:
        return Audience(
            kind,
            buyer_id=actor.account_id,
            company_id=actor.company_id if sees_company_orders(actor) else None,
        )
    return Audience(kind)


def _thread_viewer(actor: Actor) -> Audience:
    # The audience form of `can_see_thread`.
    if actor.is_admin:
        return Audience(EventKind.MESSAGE, everything=True)
    return Audience(EventKind.MESSAGE, buyer_id=actor.account_id, seller_id=actor.seller_id)


async def order_events_audience(actor: Actor, *, order_id: int | None) -> Audience:
    """The order events `actor` may follow (of one order when `order_id` is given)."""
    require_login(actor)
    audience = _order_viewer(actor)
    if order_id is None:
        return audience
    await visible_order_or_not_found(actor, order_id)
    return dataclasses.replace(audience, order_id=order_id)


async def quote_events_audience(actor: Actor, *, quote_id: int | None) -> Audience:
    """The quote events `actor` may follow (of one quote when `quote_id` is given)."""
    require_login(actor)
    audience = _order_viewer(actor, EventKind.QUOTE_STATUS)
    if quote_id is None:
        return audience
    await visible_quote_or_not_found(actor, quote_id)
    return dataclasses.replace(audience, quote_id=quote_id)


async def message_events_audience(actor: Actor, *, thread_id: int | None) -> Audience:
    """The new messages `actor` may follow (of one thread when `thread_id` is given)."""
    require_login(actor)
    audience = _thread_viewer(actor)
    if thread_id is None:
        return audience
    await visible_thread(actor, thread_id=thread_id)
    return dataclasses.replace(audience, thread_id=thread_id)


async def claim_events_audience(actor: Actor, *, claim_id: int | None) -> Audience:
    """The claim changes `actor` may follow: the buyer, the seller, admins (of one claim when
    `claim_id` is given)."""
    require_login(actor)
    audience = _order_viewer(actor, EventKind.CLAIM_STATUS)
    if claim_id is None:
        return audience
    await visible_claim_or_not_found(actor, claim_id)
    return dataclasses.replace(audience, claim_id=claim_id)


def deadline_events_audience(actor: Actor) -> Audience:
    """The deadline alerts `actor` may follow: a seller its own (the party who must act on
    every deadline), admins all; buyers act on none of them."""
    require_login(actor)
    if actor.is_admin:
        return Audience(EventKind.DEADLINE, everything=True)
    if actor.is_seller and actor.seller_id is not None:
        return Audience(EventKind.DEADLINE, seller_id=actor.seller_id)
    raise Forbidden("Les alertes d'échéance sont réservées aux vendeurs et aux administrateurs")
