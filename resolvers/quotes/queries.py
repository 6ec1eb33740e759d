"""Who sees which quote (as orders: SEE_COMPANY_ORDERS), the quote list, batch reads."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TypeVar

from tortoise.models import Model

from models.quotes import Quote, QuoteLine, QuoteStatus, QuoteStatusChange, QuoteTier
from resolvers.actor import Actor, require_login
from resolvers.errors import DomainError, ErrorCode
from resolvers.orders.queries import buyers_row, can_see_order, sellers_row, visible_rows
from resolvers.pagination import Page, PageRequest, newest_first
from resolvers.quotes.flow import OPEN_STATUSES

M = TypeVar("M", bound=Model)


def is_overdue(quote: Quote, *, now: datetime | None = None) -> bool:
    """A request the seller has not answered by `respondBy`."""
    return quote.status is QuoteStatus.REQUESTED and quote.respond_by < (now or datetime.now(UTC))


async def get_quote(actor: Actor, *, quote_id: int) -> Quote | None:
    """The quote if `actor` may see it, else None (someone else's quote looks missing)."""
    quote = await Quote.get_or_none(id=quote_id)
    return quote if quote is not None and can_see_order(actor, quote) else None


async def read_quote(actor: Actor, *, quote_id: int | None) -> Quote | None:
    """The `quote(id)` query: a login is needed; None for an id that names no quote."""
    require_login(actor)
    return None if quote_id is None else await get_quote(actor, quote_id=quote_id)


async def visible_quote_or_not_found(actor: Actor, quote_id: int) -> Quote:
    quote = await get_quote(actor, quote_id=quote_id)
    if quote is None:
        raise DomainError(ErrorCode.NOT_FOUND, "Devis introuvable.", "quoteId")
    return quote


async def buyers_quote(actor: Actor, quote_id: int) -> Quote:
    return await buyers_row(actor, visible_quote_or_not_found, quote_id)


async def sellers_quote(actor: Actor, quote_id: int) -> Quote:
    return await sellers_row(actor, visible_quote_or_not_found, quote_id)


async def list_quotes(
    actor: Actor, *, page: PageRequest, status: QuoteStatus | None = None, open: bool | None = None
) -> Page[Quote]:
    """The caller's quotes, newest first; `open` keeps REQUESTED and OFFERED ("mes offres")."""
    require_login(actor)
    query = visible_rows(actor, Quote)
    if status is not None:
        query = query.filter(status=status)
    if open is True:
        query = query.filter(status__in=list(OPEN_STATUSES))
    elif open is False:
        query = query.exclude(status__in=list(OPEN_STATUSES))
    return await newest_first(query, page)


async def _grouped(
    model: type[M], column: str, keys: Sequence[int], order: str = "id"
) -> list[list[M]]:
    grouped: dict[int, list[M]] = defaultdict(list)
    for row in await model.filter(**{f"{column}__in": list(keys)}).order_by(order, "id"):
        grouped[getattr(row, column)].append(row)
    return [grouped.get(key, []) for key in keys]


async def lines_of(quote_ids: Sequence[int]) -> list[list[QuoteLine]]:
    return await _grouped(QuoteLine, "quote_id", quote_ids)


async def tiers_of(line_ids: Sequence[int]) -> list[list[QuoteTier]]:
    """Each line's tiers, smallest quantity first."""
    return await _grouped(QuoteTier, "line_id", line_ids, order="quantity")


async def history_of(quote_ids: Sequence[int]) -> list[list[QuoteStatusChange]]:
    """Each quote's status changes in time order."""
    return await _grouped(QuoteStatusChange, "quote_id", quote_ids)
