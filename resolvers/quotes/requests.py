"""The buyer's quote list ("liste d'offres", seed 003) and sending it: one quote per seller."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from models.accounts import Role
from models.catalog import Product
from models.quotes import (
    Quote,
    QuoteLine,
    QuoteList,
    QuoteListLine,
    QuoteStatus,
    QuoteTier,
)
from realtime.log import atomic
from resolvers.actor import Actor, require_role
from resolvers.buying import check_minimum
from resolvers.catalog.visibility import product_or_not_found
from resolvers.errors import DomainError, ErrorCode, Problems
from resolvers.free_text import clean_remark
from resolvers.lifecycle import Move, parties_of
from resolvers.numbering import assign_number, provisional_number
from resolvers.policy import Policy
from resolvers.pricing import by_seller
from resolvers.quotes.flow import record_move
from resolvers.standing.suspension import refuse_if_suspended, suspended_among

# Seed 003: "vous pouvez indiquer plusieurs quantités"; five tiers is what a price grid shows.
MAX_QUANTITIES = 5
MAX_LINES = 50


@dataclass(frozen=True)
class QuoteListLineView:
    product: Product
    quantities: list[int]


@dataclass(frozen=True)
class QuoteListView:
    lines: list[QuoteListLineView]


async def _lines(buyer_id: int) -> list[QuoteListLine]:
    return list(
        await QuoteListLine.filter(quote_list__buyer_id=buyer_id)
        .select_related("product")
        .order_by("id")
    )


async def _view(buyer_id: int) -> QuoteListView:
    return QuoteListView(
        [QuoteListLineView(line.product, list(line.quantities)) for line in await _lines(buyer_id)]
    )


async def get_quote_list(actor: Actor) -> QuoteListView:
    """The caller's quote list (buyers only)."""
    return await _view(require_role(actor, Role.BUYER))


def _clean_quantities(quantities: Sequence[int]) -> list[int]:
    with Problems() as problems:
        if not 1 <= len(quantities) <= MAX_QUANTITIES:
            problems.invalid(f"De 1 à {MAX_QUANTITIES} quantités par produit.", "quantities")
        if len(set(quantities)) != len(quantities):
            problems.invalid("Chaque quantité une seule fois.", "quantities")
        if any(quantity < 1 for quantity in quantities):
            problems.invalid("Les quantités sont au moins 1.", "quantities")
    return sorted(quantities)


async def add_to_quote_list(
    actor: Actor, *, product_id: int, quantities: Sequence[int]
) -> QuoteListView:
    """Ask prices for 1 to 5 quantities of a product; adding it again replaces its quantities."""
    buyer_id = require_role(actor, Role.BUYER)
    wanted = _clean_quantities(quantities)
    now = datetime.now(UTC)
    async with atomic():
        product = await product_or_not_found(product_id)
        await refuse_if_suspended([product.seller_id])
        with Problems() as problems:
            check_minimum(problems, product, wanted[0], "quantities")
        quote_list, created = await QuoteList.get_or_create(
            buyer_id=buyer_id, defaults={"changed_at": now}
        )
        if not created:
            await QuoteList.filter(id=quote_list.id).update(changed_at=now)
        updated = await QuoteListLine.filter(
            quote_list_id=quote_list.id, product_id=product.id
        ).update(quantities=wanted)
        if not updated:
            if await QuoteListLine.filter(quote_list_id=quote_list.id).count() >= MAX_LINES:
                raise DomainError(
                    ErrorCode.TOO_MANY_ITEMS,
                    f"{MAX_LINES} produits au plus par demande.",
                    "productId",
                )
            await QuoteListLine.create(
                quote_list_id=quote_list.id, product_id=product.id, quantities=wanted
            )
    return await _view(buyer_id)


async def remove_from_quote_list(actor: Actor, *, product_id: int) -> QuoteListView:
    """Take a product off the list; a product that is not on it leaves the list as it is."""
    buyer_id = require_role(actor, Role.BUYER)
    await product_or_not_found(product_id)
    async with atomic():
        removed = await QuoteListLine.filter(
            quote_list__buyer_id=buyer_id, product_id=product_id
        ).delete()
        if removed:
            await QuoteList.filter(buyer_id=buyer_id).update(changed_at=datetime.now(UTC))
    return await _view(buyer_id)


async def _refuse_suspended(lines: Sequence[QuoteListLine]) -> None:
    """Seed 004: nobody asks a suspended seller for prices; each such line is named."""
    suspended = await suspended_among(line.product.seller_id for line in lines)
    with Problems() as problems:
        for index, line in enumerate(lines):
            if line.product.seller_id in suspended:
                problems.add(
                    ErrorCode.SELLER_SUSPENDED,
                    f"« {line.product.name} » : ce vendeur est suspendu.",
                    f"lines.{index}",
                )


async def send_quote_request(
    actor: Actor, *, remark: str | None, policy: Policy, now: datetime | None = None
) -> list[Quote]:
    """Send the list: one REQUESTED quote per seller, due `quote_response_business_hours`
    later on the market calendar; each seller is mailed and pushed; the list is emptied."""
    buyer_id = require_role(actor, Role.BUYER)
    remark = clean_remark(remark, "remark", required=False)
    now = now or datetime.now(UTC)
    respond_by = policy.business_hours_after(now, policy.quote_response_business_hours)
    async with atomic():
        # Touching the list row locks it: of two sends at once, the second finds it empty.
        await QuoteList.filter(buyer_id=buyer_id).update(changed_at=now)
        lines = await _lines(buyer_id)
        if not lines:
            raise DomainError(ErrorCode.QUOTE_LIST_EMPTY, "La liste d'offres est vide.")
        await _refuse_suspended(lines)
        parts = by_seller(lines)
        quotes = []
        for seller_id, group in parts.items():
            quote = await Quote.create(
                number=provisional_number(),
                status=QuoteStatus.REQUESTED,
                buyer_id=buyer_id,
                company_id=actor.company_id,
                seller_id=seller_id,
                remark=remark,
                respond_by=respond_by,
                created_at=now,
                updated_at=now,
            )
            await assign_number(quote, "DEV", now)
            for line in group:
                row = await QuoteLine.create(
                    quote_id=quote.id,
                    product_id=line.product_id,
                    product_ref=line.product_id,
                    product_name=line.product.name,
                )
                await QuoteTier.bulk_create(
                    [QuoteTier(line_id=row.id, quantity=quantity) for quantity in line.quantities]
                )
            quotes.append(quote)
        await QuoteListLine.filter(id__in=[line.id for line in lines]).delete()
        parties = await parties_of(buyer_id, list(parts))
        for quote in quotes:
            move = Move(
                from_status=None,
                to_status=QuoteStatus.REQUESTED,
                at=now,
                actor_role=Role.BUYER,
                actor_account_id=actor.account_id,
            )
            await record_move(quote, move, parties[quote.seller_id], policy=policy)
    return quotes
