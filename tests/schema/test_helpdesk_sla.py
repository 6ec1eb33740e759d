"""The seller's SLA as the API shows it: due dates, the overdue filter and flag, the seller's
rating and response rate (tests/resolvers/test_sla.py tests the arithmetic)."""

from datetime import UTC, datetime, timedelta

from resolvers import helpdesk
from resolvers.policy import Policy
from tests.clients import GraphQLClient
from tests.helpdesk_helpers import (
    THREAD,
    THREADS,
    actor_of,
    gid,
    open_product_thread,
    paris,
    utc_iso,
)


async def test_buyer_and_seller_are_shown_the_due_date_in_utc(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    thread = await open_product_thread(buyer, seller, now=paris(2026, 3, 13, 15))
    for client in (buyer, seller):
        data = await client.query(THREAD, id=gid("Thread", thread.id))
        assert data["thread"]["responseDueAt"] == utc_iso(paris(2026, 3, 16, 15))


async def test_a_thread_past_its_deadline_is_overdue_and_in_the_overdue_queue(
    buyer: GraphQLClient, seller: GraphQLClient, admin: GraphQLClient
) -> None:
    late = await open_product_thread(buyer, seller, now=datetime.now(UTC) - timedelta(days=10))
    fresh = await open_product_thread(buyer, seller, body="Question du jour")
    data = await admin.query(THREADS, filter={"overdue": True})
    assert [e["node"]["id"] for e in data["threads"]["edges"]] == [gid("Thread", late.id)]
    assert data["threads"]["edges"][0]["node"]["overdue"] is True
    data = await seller.query(THREADS, filter={"overdue": False})
    assert [e["node"]["id"] for e in data["threads"]["edges"]] == [gid("Thread", fresh.id)]
    assert data["threads"]["edges"][0]["node"]["overdue"] is False


async def test_the_seller_of_a_thread_shows_its_rating_and_response_rate(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    thread = await open_product_thread(buyer, seller)
    shown = "{ threads { edges { node { seller { rating responseRate } } } } }"
    data = await buyer.query(shown)
    assert data["threads"]["edges"][0]["node"]["seller"] == {"rating": None, "responseRate": None}
    await helpdesk.post_message(
        await actor_of(seller), thread_id=thread.id, body="Oui, tout à fait.", policy=policy
    )
    data = await buyer.query(shown)
    assert data["threads"]["edges"][0]["node"]["seller"] == {"rating": 5.0, "responseRate": 1.0}
