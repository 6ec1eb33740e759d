"""A seller is mailed once per missed reply deadline, by the alert job's SLA_OVERDUE."""

import asyncio
from datetime import UTC, datetime, timedelta

from models.accounts import Seller
from models.helpdesk import TicketCategory
from models.mail import OutboxMail
from resolvers import helpdesk
from resolvers.accounts import delete_account
from resolvers.deadlines.alerts import raise_deadline_alerts
from resolvers.policy import Policy
from tests.clients import GraphQLClient
from tests.factories import PASSWORD
from tests.helpdesk_helpers import actor_of, open_product_thread

LATE = "Réponse en retard"


async def reminders() -> int:
    return await OutboxMail.filter(subject__startswith=LATE).count()


async def remind(policy: Policy) -> int:
    """One round of the alert job now; the reminders it queued."""
    before = await reminders()
    await raise_deadline_alerts(policy=policy)
    return await reminders() - before


async def test_a_seller_is_reminded_once_when_a_deadline_passes(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    now = datetime.now(UTC)
    await open_product_thread(buyer, seller, now=now - timedelta(days=8))
    await open_product_thread(buyer, seller, body="Toute fraîche")
    await OutboxMail.all().delete()  # the new-thread mails
    assert await remind(policy) == 1
    mail = await OutboxMail.get()
    assert mail.recipient == "seller@example.fr"
    assert mail.subject.startswith(LATE)
    assert await remind(policy) == 0


async def test_a_new_deadline_missed_after_a_reply_is_reminded_again(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    now = datetime.now(UTC)
    thread = await open_product_thread(buyer, seller, now=now - timedelta(days=20))
    assert await remind(policy) == 1
    await helpdesk.post_message(
        await actor_of(seller),
        thread_id=thread.id,
        body="Pardon",
        now=now - timedelta(days=15),
        policy=policy,
    )
    await helpdesk.post_message(
        await actor_of(buyer),
        thread_id=thread.id,
        body="Et donc ?",
        now=now - timedelta(days=10),
        policy=policy,
    )
    assert await remind(policy) == 1
    assert await remind(policy) == 0


async def test_support_tickets_and_answered_threads_need_no_reminder(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    old = datetime.now(UTC) - timedelta(days=30)
    await helpdesk.open_support_ticket(
        await actor_of(buyer), category=TicketCategory.LOGIN, body="Bloqué", now=old, policy=policy
    )
    thread = await open_product_thread(buyer, seller, now=old)
    await helpdesk.post_message(
        await actor_of(seller),
        thread_id=thread.id,
        body="Voilà",
        now=old + timedelta(hours=2),
        policy=policy,
    )
    assert await remind(policy) == 0


async def test_two_job_runners_racing_send_one_reminder(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    await open_product_thread(buyer, seller, now=datetime.now(UTC) - timedelta(days=8))
    await OutboxMail.all().delete()
    raised = await asyncio.gather(
        raise_deadline_alerts(policy=policy), raise_deadline_alerts(policy=policy)
    )
    assert sum(raised) == 1
    assert await reminders() == await OutboxMail.all().count() == 1


async def test_a_deleted_seller_is_neither_reminded_nor_mailed_new_threads(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    await open_product_thread(buyer, seller, now=datetime.now(UTC) - timedelta(days=8))
    await OutboxMail.all().delete()
    await delete_account(await actor_of(seller), password=PASSWORD, policy=policy)
    assert await remind(policy) == 0
    await open_product_thread(buyer, seller)
    assert await OutboxMail.all().count() == 0


async def test_a_passing_deadline_judges_the_seller_at_once(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    thread = await open_product_thread(buyer, seller, now=datetime.now(UTC) - timedelta(days=8))
    shop = await Seller.get(id=thread.seller_id)
    assert shop.rating is None  # nothing judged yet: no reply, no round of the alert job
    await raise_deadline_alerts(policy=policy)
    # The missed deadline is judged by the round that raised SLA_OVERDUE, not the daily pass.
    assert (await Seller.get(id=shop.id)).rating == 0.0
