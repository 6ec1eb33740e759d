"""Who sees which claim, the claim lists, and batch reads for the DataLoaders."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TypeVar

from models.claims import Claim, ClaimLine, ClaimStatus, ClaimStatusChange, Refund, Upload
from resolvers.actor import Actor, require_login
from resolvers.claims.deadlines import overdue_filter
from resolvers.errors import DomainError, ErrorCode
from resolvers.orders.queries import can_see_order, visible_rows
from resolvers.pagination import Page, PageRequest, newest_first

Row = TypeVar("Row", ClaimLine, ClaimStatusChange, Upload)


def can_see_claim(actor: Actor, claim: Claim) -> bool:
    """As its order: the buyer who opened it (and their company with SEE_COMPANY_ORDERS),
    the seller, admins."""
    return can_see_order(actor, claim)


async def get_claim(actor: Actor, *, claim_id: int | None) -> Claim | None:
    """The `claim(id)` query: None when missing or someone else's."""
    require_login(actor)
    claim = await Claim.get_or_none(id=claim_id) if claim_id is not None else None
    return claim if claim is not None and can_see_claim(actor, claim) else None


async def visible_claim_or_not_found(actor: Actor, claim_id: int) -> Claim:
    claim = await get_claim(actor, claim_id=claim_id)
    if claim is None:
        raise DomainError(ErrorCode.NOT_FOUND, "Réclamation introuvable.", "claimId")
    return claim


async def list_claims(
    actor: Actor,
    *,
    page: PageRequest,
    status: ClaimStatus | None = None,
    order_id: int | None = None,
    overdue: bool | None = None,
    now: datetime | None = None,
) -> Page[Claim]:
    """The caller's claims, newest first."""
    require_login(actor)
    query = visible_rows(actor, Claim)
    if status is not None:
        query = query.filter(status=status)
    if order_id is not None:
        query = query.filter(order_id=order_id)
    if overdue is not None:
        late = overdue_filter((now or datetime.now(UTC)).astimezone(UTC))
        query = query.filter(late if overdue else ~late)
    return await newest_first(query, page)


async def _grouped(model: type[Row], claim_ids: Sequence[int]) -> list[list[Row]]:
    grouped: dict[int, list[Row]] = defaultdict(list)
    for row in await model.filter(claim_id__in=list(claim_ids)).order_by("id"):
        assert row.claim_id is not None
        grouped[row.claim_id].append(row)
    return [grouped.get(i, []) for i in claim_ids]


async def lines_of(claim_ids: Sequence[int]) -> list[list[ClaimLine]]:
    return await _grouped(ClaimLine, claim_ids)


async def history_of(claim_ids: Sequence[int]) -> list[list[ClaimStatusChange]]:
    """Each claim's changes in time order (ids follow commit order within a claim)."""
    return await _grouped(ClaimStatusChange, claim_ids)


async def photos_of(claim_ids: Sequence[int]) -> list[list[Upload]]:
    return await _grouped(Upload, claim_ids)


async def refund_of(claim_ids: Sequence[int]) -> list[Refund | None]:
    found = {r.claim_id: r for r in await Refund.filter(claim_id__in=list(claim_ids))}
    return [found.get(i) for i in claim_ids]


async def claims_of_orders(order_ids: Sequence[int]) -> list[list[Claim]]:
    grouped: dict[int, list[Claim]] = defaultdict(list)
    for claim in await Claim.filter(order_id__in=list(order_ids)).order_by("id"):
        grouped[claim.order_id].append(claim)
    return [grouped.get(i, []) for i in order_ids]


async def refunds_of_orders(order_ids: Sequence[int]) -> list[list[Refund]]:
    grouped: dict[int, list[Refund]] = defaultdict(list)
    for refund in await Refund.filter(order_id__in=list(order_ids)).order_by("id"):
        grouped[refund.order_id].append(refund)
    return [grouped.get(i, []) for i in order_ids]
