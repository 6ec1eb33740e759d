"""The deadline alert job at explicit instants: each alert once, in order, to the seller who
must act, with tiny decimal durations; a deadline met or moved stops or restarts its alerts."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from tortoise import connections
from tortoise.transactions import in_transaction

from models.deadlines import Deadline, DeadlineSource
from models.events import Event, EventKind
from models.helpdesk import Thread
from models.mail import OutboxMail
from realtime.doorbell import Doorbell
from resolvers import claims, helpdesk
from resolvers.cart import add_to_cart
from resolvers.deadlines.alerts import due_deadlines, next_deadline_alert, raise_deadline_alerts
from resolvers.orders import reserve_cart, validate_order
from resolvers.policy import Policy
from resolvers.quotes import add_to_quote_list, decline_quote, send_quote_request
from tests.catalog_helpers import make_product
from tests.claims_helpers import delivered_order, open_claim
from tests.clients import GraphQLClient
from tests.configuration import POLICY
from tests.helpdesk_helpers import open_product_thread, paris, seller_of
from tests.orders_helpers import ADDRESS, actor_of, new_key

SECOND = timedelta(seconds=1)
# A Tuesday without holiday: business time runs.
TUESDAY = paris(2026, 3, 10, 10).astimezone(UTC)


async def alerts(policy: Policy, moment: datetime) -> list[tuple[str, int | None]]:
    """Run the job at `moment`; the alerts it raised, as (kind, seller)."""
    before = await Event.filter(kind=EventKind.DEADLINE).count()
    raised = await raise_deadline_alerts(policy=policy, now=moment)
    rows = await Event.filter(kind=EventKind.DEADLINE).order_by("id").offset(before)
    assert raised == len(rows)
    return [(row.payload["kind"], row.seller_id) for row in rows]


async def test_a_thread_warns_at_risk_then_overdue_once_each_and_stops_when_answered(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    policy = Policy(doorbell=Doorbell(), at_risk_hours=4)
    shop = (await seller_of(seller)).id
    thread = await open_product_thread(buyer, seller, now=TUESDAY)
    due = paris(2026, 3, 11, 10)  # 24 business hours
    at_risk = paris(2026, 3, 11, 6)

    assert await alerts(policy, TUESDAY) == []  # scheduled: the instants are computed
    row = await Deadline.get(source=DeadlineSource.SLA, source_id=thread.id)
    assert (row.due_at, row.at_risk_at, row.next_alert_at) == (due, at_risk, at_risk)
    assert await next_deadline_alert() == at_risk
    assert await alerts(policy, at_risk - SECOND) == []
    assert await alerts(policy, at_risk) == [("SLA_AT_RISK", shop)]
    assert await alerts(policy, at_risk + SECOND) == []
    assert await alerts(policy, due - SECOND) == []
    assert await alerts(policy, due) == [("SLA_OVERDUE", shop)]
    assert await alerts(policy, due + timedelta(days=30)) == []
    assert await next_deadline_alert() is None

    event = await Event.filter(kind=EventKind.DEADLINE).order_by("-id").first()
    assert event is not None
    assert (event.thread_id, event.buyer_id, event.company_id) == (thread.id, None, None)
    assert datetime.fromisoformat(event.payload["due_at"]) == due

    # A buyer's second message does not move the deadline: no alert again.
    actor = await actor_of(buyer)
    later = due + timedelta(hours=1)
    await helpdesk.post_message(
        actor, thread_id=thread.id, body="Toujours là ?", now=later, policy=policy
    )
    assert await alerts(policy, later + timedelta(days=30)) == []

    # The seller answers: the deadline is met; the buyer's next message starts a new one.
    answer = later + timedelta(hours=1)
    await helpdesk.post_message(
        await actor_of(seller), thread_id=thread.id, body="Oui", now=answer, policy=policy
    )
    assert await alerts(policy, answer) == []
    row = await Deadline.get(id=row.id)
    assert (row.due_at, row.next_alert_at) == (None, None)
    asked = paris(2026, 3, 12, 15)  # a Thursday: due Friday 15:00
    await helpdesk.post_message(
        actor, thread_id=thread.id, body="Et demain ?", now=asked, policy=policy
    )
    assert await alerts(policy, paris(2026, 3, 13, 11) - SECOND) == []
    assert await alerts(policy, paris(2026, 3, 13, 15)) == [("SLA_OVERDUE", shop)]


async def test_an_unanswered_quote_warns_then_is_overdue_and_an_answered_one_is_quiet(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    shop = (await seller_of(seller)).id
    # Answer within 36 s of business time, warned 18 s before.
    policy = Policy(doorbell=Doorbell(), quote_response_business_hours=0.01, at_risk_hours=0.005)
    actor = await actor_of(buyer)
    quotes = []
    for name in ("Ciment", "Sable"):
        product = await make_product(seller, name=name)
        await add_to_quote_list(actor, product_id=product.id, quantities=[10])
        quotes += await send_quote_request(actor, remark=None, policy=policy, now=TUESDAY)
    answered, waiting = quotes
    await decline_quote(
        await actor_of(seller), quote_id=answered.id, reason="Rupture", policy=policy
    )
    assert waiting.respond_by == TUESDAY + 36 * SECOND
    assert await alerts(policy, TUESDAY + 17 * SECOND) == []
    assert await alerts(policy, TUESDAY + 18 * SECOND) == [("QUOTE_AT_RISK", shop)]
    assert await alerts(policy, TUESDAY + 36 * SECOND) == [("QUOTE_OVERDUE", shop)]
    assert await alerts(policy, TUESDAY + timedelta(days=9)) == []
    raised = await Event.filter(kind=EventKind.DEADLINE).order_by("id")
    assert [event.quote_id for event in raised] == [waiting.id, waiting.id]


async def _pending_order(buyer: GraphQLClient, seller: GraphQLClient, now: datetime) -> int:
    actor = await actor_of(buyer)
    product = await make_product(seller, stock=10)
    await add_to_cart(actor, product_id=product.id, quantity=1, policy=POLICY)
    (order,) = await reserve_cart(
        actor, address=ADDRESS, remark=None, idempotency_key=new_key(), now=now, policy=POLICY
    )
    return order.id


async def test_a_pending_order_warns_once_before_it_expires_unless_validated(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    shop = (await seller_of(seller)).id
    # Expiry after 86.4 s of business time, warned 36 s before.
    policy = Policy(doorbell=Doorbell(), order_expiry_business_days=0.001, at_risk_hours=0.01)
    validated = await _pending_order(buyer, seller, TUESDAY)
    waiting = await _pending_order(buyer, seller, TUESDAY)
    await validate_order(await actor_of(seller), order_id=validated, policy=policy)
    warn = TUESDAY + timedelta(seconds=50.4)
    assert await alerts(policy, warn - SECOND) == []
    assert await alerts(policy, warn) == [("ORDER_EXPIRING", shop)]
    assert await alerts(policy, TUESDAY + timedelta(days=9)) == []
    raised = await Event.filter(kind=EventKind.DEADLINE).order_by("id")
    assert [event.order_id for event in raised] == [waiting]


async def test_a_runner_that_was_down_raises_the_overdue_alert_without_a_stale_warning(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    shop = (await seller_of(seller)).id
    await open_product_thread(buyer, seller, now=TUESDAY)
    order = await _pending_order(buyer, seller, TUESDAY)
    late = TUESDAY + timedelta(days=10)
    # The order is past its expiry (the expiry job tells the buyer): nothing to warn about.
    assert await alerts(Policy(doorbell=Doorbell()), late) == [("SLA_OVERDUE", shop)]
    assert await Event.filter(kind=EventKind.DEADLINE, order_id=order).count() == 0


async def test_a_claim_left_unanswered_and_a_late_refund_are_overdue_for_their_seller(
    buyer: GraphQLClient, seller: GraphQLClient, other_seller: GraphQLClient
) -> None:
    shop = (await seller_of(seller)).id
    policy = Policy(doorbell=Doorbell(), refund_business_days=0.001)  # 86.4 s of business time
    claim = await open_claim(buyer, await delivered_order(buyer, seller, 1))
    thread = await Thread.get(id=claim.thread_id)
    assert thread.response_due_at is not None
    due = thread.response_due_at
    seen = await alerts(policy, due)
    assert sorted(seen) == [("CLAIM_OVERDUE", shop), ("SLA_OVERDUE", shop)]
    assert await alerts(policy, due + timedelta(days=1)) == []
    event = await Event.get(kind=EventKind.DEADLINE, claim_id=claim.id)
    assert (event.thread_id, event.order_id) == (thread.id, claim.order_id)

    # The seller answers by asking for the goods back; the return arrives on a Tuesday.
    seller_actor = await actor_of(seller)
    await claims.request_return(
        seller_actor, claim_id=claim.id, instructions="Renvoyez", policy=policy
    )
    await claims.ship_return(
        await actor_of(buyer),
        claim_id=claim.id,
        carrier="La Poste",
        tracking_number="1",
        policy=policy,
    )
    await claims.receive_return(seller_actor, claim_id=claim.id, policy=policy, now=TUESDAY)
    refund_due = TUESDAY + timedelta(seconds=86.4)
    assert await alerts(policy, refund_due - SECOND) == []
    assert await alerts(policy, refund_due) == [("REFUND_OVERDUE", shop)]
    assert await alerts(policy, refund_due + timedelta(days=1)) == []
    other = (await seller_of(other_seller)).id
    assert await Event.filter(kind=EventKind.DEADLINE, seller_id=other).count() == 0


async def test_two_runners_at_once_raise_each_alert_once(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    for n in range(5):
        await open_product_thread(buyer, seller, body=f"Question {n}", now=TUESDAY)
    policy = Policy(doorbell=Doorbell())
    await raise_deadline_alerts(policy=policy, now=TUESDAY)
    due = paris(2026, 3, 11, 10)
    counts = await asyncio.gather(
        *(raise_deadline_alerts(policy=policy, now=due) for _ in range(4))
    )
    assert sum(counts) == 5
    raised = await Event.filter(kind=EventKind.DEADLINE)
    assert [event.payload["kind"] for event in raised] == ["SLA_OVERDUE"] * 5
    # What the deadline passing does rides on the alert: one reminder per thread.
    reminded = await OutboxMail.filter(subject__startswith="Réponse en retard").count()
    assert reminded == 5


async def test_the_job_finds_due_deadlines_by_a_range_of_their_index(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    for n in range(3):
        await open_product_thread(buyer, seller, body=f"Question {n}", now=TUESDAY)
    sql = due_deadlines(TUESDAY, 200).sql(params_inline=True)
    conn = connections.get("default")
    if conn.capabilities.dialect == "sqlite":
        rows = await conn.execute_query_dict("EXPLAIN QUERY PLAN " + sql)
        text = "\n".join(r["detail"] for r in rows)
        # The id tie-break is the index's rowid: no sort either.
        assert text == "SEARCH deadline USING INDEX deadline_next_alert (next_alert_at<?)", text
        return
    # A table this small is cheaper to scan: the planner is told not to, to show its index.
    async with in_transaction() as tx:
        await tx.execute_query("SET LOCAL enable_seqscan = off")
        rows = await tx.execute_query_dict("EXPLAIN " + sql)
    text = "\n".join(r["QUERY PLAN"] for r in rows)
    assert "deadline_next_alert" in text, text
    assert "Index Cond: (next_alert_at <=" in text, text
