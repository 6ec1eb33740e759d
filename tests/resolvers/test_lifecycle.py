"""One refusal for a change outside a life cycle's table, worded per flow as the API shows it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from models.accounts import Role
from models.claims import ClaimStatus
from models.orders import OrderStatus
from models.quotes import QuoteStatus
from resolvers.claims.flow import TRANSITIONS as CLAIMS
from resolvers.errors import DomainError, ErrorCode
from resolvers.orders.flow import check_transition as check_order
from resolvers.quotes.flow import check_transition as check_quote


def expect_refusal(check: Callable[[], None]) -> tuple[ErrorCode, str, str | None]:
    with pytest.raises(DomainError) as refused:
        check()
    (problem,) = refused.value.problems
    return problem.code, problem.message, problem.field


def test_a_change_outside_each_table_is_an_invalid_transition_naming_both_statuses() -> None:
    Od, Q, C = OrderStatus, QuoteStatus, ClaimStatus
    assert expect_refusal(lambda: check_order(Od.PENDING, Od.SHIPPED, Role.SELLER)) == (
        ErrorCode.INVALID_TRANSITION,
        "Impossible de passer de « En attente » à « Commande expédiée ».",
        "orderId",
    )
    assert expect_refusal(lambda: check_quote(Q.REQUESTED, Q.ACCEPTED, Role.BUYER)) == (
        ErrorCode.INVALID_TRANSITION,
        "Impossible de passer de « Demande envoyée » à « Offre acceptée ».",
        "quoteId",
    )
    assert expect_refusal(lambda: CLAIMS.check(C.OPEN, C.RETURN_REQUESTED, Role.ADMIN)) == (
        ErrorCode.INVALID_TRANSITION,
        "Impossible de passer de « Réclamation ouverte » à « Retour demandé ».",
        "claimId",
    )


def test_the_flows_own_refusals_come_before_the_table() -> None:
    Od, Q = OrderStatus, QuoteStatus
    code, _, field = expect_refusal(lambda: check_order(Od.VALIDATED, Od.CANCELLED, Role.BUYER))
    assert (code, field) == (ErrorCode.CONTACT_SELLER, "orderId")
    code, _, field = expect_refusal(lambda: check_order(Od.VALIDATED, Od.CANCELLED, Role.SELLER))
    assert (code, field) == (ErrorCode.INVALID_TRANSITION, "orderId")
    code, _, field = expect_refusal(lambda: check_quote(Q.EXPIRED, Q.ACCEPTED, Role.BUYER))
    assert (code, field) == (ErrorCode.QUOTE_EXPIRED, "quoteId")


def test_a_change_the_table_allows_passes_and_a_raced_one_reads_as_changed() -> None:
    CLAIMS.check(ClaimStatus.OPEN, ClaimStatus.CANCELLED, Role.BUYER)
    raced = CLAIMS.raced()
    assert (raced.problems[0].code, raced.problems[0].message) == (
        ErrorCode.INVALID_TRANSITION,
        "La réclamation vient de changer.",
    )
