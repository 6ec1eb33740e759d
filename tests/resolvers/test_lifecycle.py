"""One refusal for a change outside a life cycle's table, worded per flow as the API shows it,
and one conditional write through which every status change passes."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import pytest

from models.accounts import Role
from models.claims import ClaimStatus
from models.orders import Order, OrderStatus
from models.quotes import QuoteStatus
from resolvers.claims.flow import TRANSITIONS as CLAIMS
from resolvers.errors import DomainError, ErrorCode
from resolvers.lifecycle import Transitions
from resolvers.orders import cancel_order, validate_order
from resolvers.orders.flow import TRANSITIONS as ORDERS
from resolvers.policy import Policy
from resolvers.quotes.flow import TRANSITIONS as QUOTES
from tests.catalog_helpers import make_product
from tests.clients import GraphQLClient
from tests.orders_helpers import actor_of, reserve

Refusal = tuple[ErrorCode, str, str | None]


async def expect_refusal(attempt: Awaitable[None]) -> Refusal:
    """The one problem of the refusal `attempt` meets."""
    with pytest.raises(DomainError) as refused:
        await attempt
    (problem,) = refused.value.problems
    return problem.code, problem.message, problem.field


async def checked(flow: Transitions[Any], current: StrEnum, to: StrEnum, role: Role) -> None:
    flow.check(current, to, role)


async def test_a_change_outside_each_table_is_an_invalid_transition_naming_both_statuses() -> None:
    Od, Q, C = OrderStatus, QuoteStatus, ClaimStatus
    assert await expect_refusal(checked(ORDERS, Od.PENDING, Od.SHIPPED, Role.SELLER)) == (
        ErrorCode.INVALID_TRANSITION,
        "Impossible de passer de « En attente » à « Commande expédiée ».",
        "orderId",
    )
    assert await expect_refusal(checked(QUOTES, Q.REQUESTED, Q.ACCEPTED, Role.BUYER)) == (
        ErrorCode.INVALID_TRANSITION,
        "Impossible de passer de « Demande envoyée » à « Offre acceptée ».",
        "quoteId",
    )
    assert await expect_refusal(checked(CLAIMS, C.OPEN, C.RETURN_REQUESTED, Role.ADMIN)) == (
        ErrorCode.INVALID_TRANSITION,
        "Impossible de passer de « Réclamation ouverte » à « Retour demandé ».",
        "claimId",
    )
    CLAIMS.check(C.OPEN, C.CANCELLED, Role.BUYER)  # in the table: no refusal


async def test_a_flows_more_telling_refusal_replaces_invalid_transition() -> None:
    Od, Q = OrderStatus, QuoteStatus
    code, _, field = await expect_refusal(checked(ORDERS, Od.VALIDATED, Od.CANCELLED, Role.BUYER))
    assert (code, field) == (ErrorCode.CONTACT_SELLER, "orderId")
    code, _, field = await expect_refusal(checked(ORDERS, Od.VALIDATED, Od.CANCELLED, Role.SELLER))
    assert (code, field) == (ErrorCode.INVALID_TRANSITION, "orderId")
    code, _, field = await expect_refusal(checked(QUOTES, Q.EXPIRED, Q.ACCEPTED, Role.BUYER))
    assert (code, field) == (ErrorCode.QUOTE_EXPIRED, "quoteId")


@dataclass(frozen=True)
class Seen:
    """A row as a caller read it before someone else changed it."""

    id: int
    status: OrderStatus


async def test_a_write_over_a_status_that_moved_gets_the_refusal_of_the_new_status(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    (order,) = await reserve(buyer, (await make_product(seller), 1))
    await cancel_order(await actor_of(buyer), order_id=order.id, policy=policy)
    now = datetime.now(UTC)

    seen = Seen(order.id, OrderStatus.PENDING)
    validate = ORDERS.write(Order, seen, OrderStatus.VALIDATED, Role.SELLER, updated_at=now)
    assert await expect_refusal(validate) == (
        ErrorCode.INVALID_TRANSITION,
        "Impossible de passer de « Commande annulée » à « Commande validée ».",
        "orderId",
    )
    assert (await Order.get(id=order.id)).status is OrderStatus.CANCELLED


async def test_a_write_that_lost_a_race_but_is_still_allowed_reads_as_changed(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    (order,) = await reserve(buyer, (await make_product(seller), 1))
    await validate_order(await actor_of(seller), order_id=order.id, policy=policy)

    seen = Seen(order.id, OrderStatus.PENDING)
    ship = ORDERS.write(Order, seen, OrderStatus.SHIPPED, Role.SELLER, updated_at=datetime.now(UTC))
    assert await expect_refusal(ship) == (
        ErrorCode.INVALID_TRANSITION,
        "La commande vient de changer.",
        "orderId",
    )
    assert (await Order.get(id=order.id)).status is OrderStatus.VALIDATED
