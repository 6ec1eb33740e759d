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
from resolvers.claims import get_claim
from resolvers.errors import DomainError, ErrorCode, Forbidden, QueryError
from resolvers.helpdesk import get_thread
from resolvers.orders import get_order
from resolvers.orders.queries import sees_company_orders
from resolvers.quotes import get_quote


def parse_after(after: str | None) -> int | None:
    """An event id as clients send it back: a decimal string; None means "from now on"."""
    if after is None:
        return None
    if not after.isascii() or not after.isdigit() or len(after) > 18:
        raise QueryError(ErrorCode.INVALID_INPUT, "`after` must be an event id")
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
    if await get_order(actor, order_id=order_id) is None:
        raise DomainError(ErrorCode.NOT_FOUND, "No order with this id", "orderId")
    return dataclasses.replace(audience, order_id=order_id)


async def quote_events_audience(actor: Actor, *, quote_id: int | None) -> Audience:
    """The quote events `actor` may follow (of one quote when `quote_id` is given)."""
    require_login(actor)
    audience = _order_viewer(actor, EventKind.QUOTE_STATUS)
    if quote_id is None:
        return audience
    if await get_quote(actor, quote_id=quote_id) is None:
        raise DomainError(ErrorCode.NOT_FOUND, "No quote with this id", "quoteId")
    return dataclasses.replace(audience, quote_id=quote_id)


async def message_events_audience(actor: Actor, *, thread_id: int | None) -> Audience:
    """The new messages `actor` may follow (of one thread when `thread_id` is given)."""
    require_login(actor)
    audience = _thread_viewer(actor)
    if thread_id is None:
        return audience
    if await get_thread(actor, thread_id=thread_id) is None:
        raise DomainError(ErrorCode.NOT_FOUND, "No thread with this id", "threadId")
    return dataclasses.replace(audience, thread_id=thread_id)


async def claim_events_audience(actor: Actor, *, claim_id: int | None) -> Audience:
    """The claim changes `actor` may follow: the buyer, the seller, admins (of one claim when
    `claim_id` is given)."""
    require_login(actor)
    audience = _order_viewer(actor, EventKind.CLAIM_STATUS)
    if claim_id is None:
        return audience
    if await get_claim(actor, claim_id=claim_id) is None:
        raise DomainError(ErrorCode.NOT_FOUND, "No claim with this id", "claimId")
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
