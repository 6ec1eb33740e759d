"""The after-sales deadlines on the market's business calendar, at their edges.

The order is delivered on Friday 10 July 2026 at 20:00 in Paris; Tuesday 14 July is a public
holiday. Three business days are Monday 13, Wednesday 15 and Thursday 16: the claim window
ends at Thursday 24:00 in Paris (22:00 UTC), a day later than without the holiday.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from models.claims import Claim, ClaimStatus
from models.events import Event, EventKind
from models.mail import OutboxMail
from resolvers import claims
from resolvers.deadlines.alerts import raise_deadline_alerts
from resolvers.errors import DomainError
from resolvers.helpdesk import post_message
from resolvers.pagination import PageRequest
from resolvers.policy import Policy
from tests.claims_helpers import (
    counts,
    delivered_order,
    open_claim,
    received_return,
    refund_claim,
)
from tests.clients import GraphQLClient
from tests.orders_helpers import actor_of

DELIVERED = datetime(2026, 7, 10, 18, 0, tzinfo=UTC)  # Friday 20:00 in Paris
CLAIM_END = datetime(2026, 7, 16, 22, 0, tzinfo=UTC)  # Thursday 24:00 in Paris
WITHDRAWAL_END = DELIVERED + timedelta(days=30)
SECOND = timedelta(seconds=1)


async def marked(claim: Claim, policy: Policy, *, now: datetime) -> datetime | None:
    """One round of the alert job at `now`; the deadline the claim is marked overdue for."""
    await raise_deadline_alerts(policy=policy, now=now)
    return (await Claim.get(id=claim.id)).overdue_reported_for


async def claim_alerts(claim: Claim) -> list[str]:
    events = await Event.filter(kind=EventKind.DEADLINE, claim_id=claim.id).order_by("id")
    return [event.payload["kind"] for event in events]


async def test_the_windows_end_on_the_business_calendar(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    delivered = await delivered_order(buyer, seller, 5, delivered_at=DELIVERED)
    assert claims.claimable_until(delivered.order, policy) == CLAIM_END
    assert claims.withdrawable_until(delivered.order, policy) == WITHDRAWAL_END

    await open_claim(buyer, delivered, now=CLAIM_END - SECOND)
    before = await counts()
    with pytest.raises(DomainError) as closed:
        await open_claim(buyer, delivered, now=CLAIM_END)
    assert closed.value.problems[0].code == "CLAIM_WINDOW_CLOSED"
    assert await counts() == before

    # The withdrawal right runs 30 calendar days, holidays or not.
    await open_claim(buyer, delivered, reason="WITHDRAWAL", now=WITHDRAWAL_END - SECOND)
    before = await counts()
    with pytest.raises(DomainError) as late:
        await open_claim(buyer, delivered, reason="WITHDRAWAL", now=WITHDRAWAL_END)
    assert late.value.problems[0].code == "CLAIM_WINDOW_CLOSED"
    assert await counts() == before


async def test_a_claim_opened_friday_evening_is_answered_by_monday_evening(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    delivered = await delivered_order(buyer, seller, 1, delivered_at=DELIVERED)
    claim = await open_claim(buyer, delivered, now=DELIVERED + timedelta(minutes=30))
    thread = await claim.thread  # type: ignore[misc]  # Tortoise types a relation as not awaitable
    due = claims.respond_by(claim, thread)
    # 24 business hours from Friday 20:30: Friday's last 3.5 h, then Monday until 20:30.
    assert due == datetime(2026, 7, 13, 18, 30, tzinfo=UTC)
    assert claims.is_overdue(claim, thread, now=due - SECOND) is False
    assert claims.is_overdue(claim, thread, now=due + SECOND) is True

    buyer_actor = await actor_of(buyer)
    for moment, late in ((due - SECOND, []), (due + SECOND, [claim.id])):
        page = await claims.list_claims(
            buyer_actor, page=PageRequest.of(None, None), overdue=True, now=moment
        )
        assert [c.id for _, c in page.items] == late
    # The alert job marks the claim once its answer is late, once.
    assert await marked(claim, policy, now=due - SECOND) is None
    assert await marked(claim, policy, now=due + SECOND) == due
    assert await marked(claim, policy, now=due + 2 * SECOND) == due
    assert await claim_alerts(claim) == ["CLAIM_OVERDUE"]

    # The seller's answer in the claim's thread stops the clock.
    await post_message(
        await actor_of(seller),
        thread_id=thread.id,
        body="Je regarde.",
        now=due + 2 * SECOND,
        policy=policy,
    )
    await thread.refresh_from_db()
    assert claims.respond_by(claim, thread) is None
    assert claims.is_overdue(claim, thread) is False


async def test_the_refund_is_due_three_business_days_after_the_return_arrives(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    delivered = await delivered_order(buyer, seller, 1, delivered_at=DELIVERED)
    claim = await open_claim(buyer, delivered, now=DELIVERED)
    received = await received_return(buyer, seller, claim, at=DELIVERED)
    assert received.refund_due_by == CLAIM_END
    await OutboxMail.all().delete()

    assert await marked(claim, policy, now=CLAIM_END - SECOND) is None
    assert await marked(claim, policy, now=CLAIM_END + SECOND) == CLAIM_END
    assert await marked(claim, policy, now=CLAIM_END + 2 * SECOND) == CLAIM_END
    assert await claim_alerts(claim) == ["REFUND_OVERDUE"]
    # (The thread's unanswered opening message has its own reminder.)
    (late,) = await OutboxMail.filter(subject__contains="remboursement")
    assert late.recipient == "seller@example.fr"
    assert "remboursement en retard" in late.subject
    row = await Claim.get(id=claim.id)
    assert row.status is ClaimStatus.RETURN_RECEIVED
    assert row.overdue_reported_for == CLAIM_END


async def test_a_fractional_setting_counts_business_time_for_quick_tests(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    quick = dataclasses.replace(policy, claim_business_days=0.0001)  # about 8.6 s of business time
    monday = datetime(2026, 7, 13, 8, 0, tzinfo=UTC)
    delivered = await delivered_order(buyer, seller, 1, delivered_at=monday)
    end = claims.claimable_until(delivered.order, quick)
    assert end is not None
    assert timedelta(seconds=8) < end - monday < timedelta(seconds=9)


async def test_kept_and_missed_refund_deadlines_are_tallied_for_the_sellers_rating(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    delivered = await delivered_order(buyer, seller, 2, delivered_at=DELIVERED)
    received = [
        await received_return(
            buyer, seller, await open_claim(buyer, delivered, now=DELIVERED), at=DELIVERED
        )
        for _ in range(2)
    ]
    shop = delivered.order.seller_id

    # Inside the deadline nothing is judged yet.
    assert await claims.refund_tallies([shop], now=CLAIM_END - SECOND) == {}
    await refund_claim(seller, received[0], at=CLAIM_END - SECOND, policy=policy)
    assert await claims.refund_tallies([shop], now=CLAIM_END - SECOND) == {shop: (1, 1)}
    # The other one misses its deadline, and stays missed when resolved late.
    assert await claims.refund_tallies([shop], now=CLAIM_END + SECOND) == {shop: (1, 2)}
    await refund_claim(seller, received[1], at=CLAIM_END + SECOND, policy=policy)
    assert await claims.refund_tallies([shop], now=CLAIM_END + 2 * SECOND) == {shop: (1, 2)}


async def test_a_backlog_of_overdue_claims_is_marked_in_one_call_page_by_page(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    opened = [
        await open_claim(
            buyer,
            await delivered_order(buyer, seller, 1, delivered_at=DELIVERED),
            now=DELIVERED + timedelta(minutes=30),
        )
        for _ in range(5)
    ]
    thread = await opened[0].thread  # type: ignore[misc]  # Tortoise types a relation as not awaitable
    later = claims.respond_by(opened[0], thread)
    assert later is not None
    # After downtime: five claims (and their threads) past their deadline, read two at a
    # time, all in one round.
    assert await raise_deadline_alerts(policy=policy, now=later + SECOND, batch=2) == 10
    assert await Claim.filter(overdue_reported_for__isnull=True).count() == 0
    assert await raise_deadline_alerts(policy=policy, now=later + SECOND, batch=2) == 0
