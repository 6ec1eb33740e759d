"""The seller's 24-business-hour SLA, seen through the threads a buyer and a seller use."""

from datetime import UTC, datetime, timedelta

import pytest

from models.helpdesk import Message, Thread, TicketCategory
from resolvers import helpdesk
from resolvers.pagination import PageRequest
from resolvers.policy import Policy
from tests.clients import GraphQLClient
from tests.configuration import POLICY
from tests.helpdesk_helpers import actor_of, open_product_thread, paris, seller_of


async def shown(client: GraphQLClient, thread: Thread) -> Thread:
    """The thread as the client reads it."""
    row = await helpdesk.get_thread(await actor_of(client), thread_id=thread.id)
    if row is None:
        raise LookupError(f"thread {thread.id} is hidden from account {client.account_id}")
    return row


async def due_shown(client: GraphQLClient, thread: Thread) -> datetime | None:
    return (await shown(client, thread)).response_due_at


async def post(client: GraphQLClient, thread: Thread, body: str, *, at: datetime) -> None:
    await helpdesk.post_message(
        await actor_of(client), thread_id=thread.id, body=body, now=at, policy=POLICY
    )


async def listed(client: GraphQLClient, *, overdue: bool) -> list[Thread]:
    page = await helpdesk.list_threads(
        await actor_of(client), page=PageRequest(first=50, after=None), overdue=overdue
    )
    return [row for _, row in page.items]


@pytest.mark.parametrize(
    ("sent", "due"),
    [
        (paris(2026, 3, 10, 10), paris(2026, 3, 11, 10)),  # Tuesday → Wednesday
        (paris(2026, 3, 13, 15), paris(2026, 3, 16, 15)),  # Friday 15:00 → Monday 15:00
        (paris(2026, 3, 14, 11), paris(2026, 3, 17, 0)),  # Saturday 11:00 → Tuesday 00:00
        (paris(2026, 5, 7, 9), paris(2026, 5, 11, 9)),  # Friday 8 May is a public holiday
        (paris(2026, 12, 24, 18), paris(2026, 12, 28, 18)),  # Christmas, then the weekend
    ],
)
async def test_a_buyer_message_is_due_24_business_hours_later(
    buyer: GraphQLClient, seller: GraphQLClient, sent: datetime, due: datetime
) -> None:
    thread = await open_product_thread(buyer, seller, now=sent)
    assert await due_shown(buyer, thread) == due
    assert await due_shown(seller, thread) == due


async def test_the_thread_shows_the_earliest_unanswered_deadline(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    thread = await open_product_thread(buyer, seller, now=paris(2026, 3, 10, 10))
    await post(buyer, thread, "Relance", at=paris(2026, 3, 10, 16))
    assert await due_shown(buyer, thread) == paris(2026, 3, 11, 10)


async def test_a_seller_reply_answers_every_earlier_buyer_message(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    thread = await open_product_thread(buyer, seller, now=paris(2026, 3, 10, 10))
    await post(buyer, thread, "Relance", at=paris(2026, 3, 10, 16))
    await post(seller, thread, "Oui.", at=paris(2026, 3, 11, 9))
    assert await due_shown(buyer, thread) is None
    answered = await Message.filter(thread_id=thread.id, author_role="BUYER").values_list(
        "answered_at", "answered_in_time"
    )
    assert answered == [(paris(2026, 3, 11, 9), True)] * 2


async def test_a_buyer_message_after_the_reply_starts_a_new_deadline(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    thread = await open_product_thread(buyer, seller, now=paris(2026, 3, 10, 10))
    await post(seller, thread, "Oui.", at=paris(2026, 3, 10, 11))
    await post(buyer, thread, "Et le prix ?", at=paris(2026, 3, 13, 17))
    assert await due_shown(seller, thread) == paris(2026, 3, 16, 17)


async def test_a_reply_does_not_answer_a_message_sent_after_it(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    # Clocks are injected: the buyer's message is stamped later than the seller's reply.
    thread = await open_product_thread(buyer, seller, now=paris(2026, 3, 10, 10))
    await post(buyer, thread, "Relance", at=paris(2026, 3, 10, 14))
    await post(seller, thread, "Oui.", at=paris(2026, 3, 10, 12))
    assert await due_shown(buyer, thread) == paris(2026, 3, 11, 14)


async def test_a_thread_past_its_deadline_is_overdue_and_in_the_overdue_queue(
    buyer: GraphQLClient, seller: GraphQLClient, admin: GraphQLClient
) -> None:
    late = await open_product_thread(buyer, seller, now=datetime.now(UTC) - timedelta(days=10))
    fresh = await open_product_thread(buyer, seller, body="Question du jour")
    overdue = await listed(admin, overdue=True)
    assert [t.id for t in overdue] == [late.id]
    assert helpdesk.is_overdue(overdue[0]) is True
    assert [t.id for t in await listed(seller, overdue=False)] == [fresh.id]


async def test_an_answered_thread_is_never_overdue(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    thread = await open_product_thread(buyer, seller, now=paris(2025, 1, 7, 10))
    await post(seller, thread, "Bien reçu", at=paris(2025, 1, 20, 10))
    row = await shown(buyer, thread)
    assert (helpdesk.is_overdue(row), row.response_due_at) == (False, None)


async def test_support_tickets_carry_no_seller_deadline(
    buyer: GraphQLClient, policy: Policy
) -> None:
    opened = await helpdesk.open_support_ticket(
        await actor_of(buyer),
        category=TicketCategory.LOGIN,
        body="Je ne peux pas me connecter",
        now=paris(2026, 3, 10, 10),
        policy=policy,
    )
    assert opened.thread.response_due_at is None


async def test_response_rate_counts_buyer_messages_answered_before_their_deadline(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    now = datetime.now(UTC)
    on_time = await open_product_thread(buyer, seller, now=now - timedelta(days=20))
    await post(seller, on_time, "Oui", at=now - timedelta(days=20) + timedelta(hours=1))
    late = await open_product_thread(buyer, seller, now=now - timedelta(days=30))
    await post(seller, late, "Pardon", at=now - timedelta(days=25))
    await open_product_thread(buyer, seller, now=now - timedelta(days=15))  # never answered
    await open_product_thread(buyer, seller, now=now - timedelta(days=200))  # too old to count
    await open_product_thread(buyer, seller, now=now)  # still within its deadline: not judged
    assert await helpdesk.response_rates([(await seller_of(seller)).id]) == [pytest.approx(1 / 3)]


async def test_a_seller_with_nothing_to_judge_has_no_response_rate(
    buyer: GraphQLClient, seller: GraphQLClient, other_seller: GraphQLClient
) -> None:
    await open_product_thread(buyer, seller)  # within its deadline: not judged yet
    shops = [(await seller_of(seller)).id, (await seller_of(other_seller)).id]
    assert await helpdesk.response_rates(shops) == [None, None]


async def test_response_rates_are_computed_for_many_sellers_at_once(
    buyer: GraphQLClient, seller: GraphQLClient, other_seller: GraphQLClient
) -> None:
    now = datetime.now(UTC)
    await open_product_thread(buyer, seller, now=now - timedelta(days=10))
    answered = await open_product_thread(buyer, other_seller, now=now - timedelta(days=10))
    await post(other_seller, answered, "Oui", at=now - timedelta(days=10) + timedelta(minutes=5))
    shops = [(await seller_of(seller)).id, (await seller_of(other_seller)).id]
    assert await helpdesk.response_rates(shops) == [0.0, 1.0]
