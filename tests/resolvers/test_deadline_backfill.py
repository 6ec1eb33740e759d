"""Migration 0012 on a database upgraded from before 0011: every deadline already running gets
its row, and the alert job raises each alert once, to the party who must act, on its next round;
a deadline whose passing was already acted on (seller reminded, claim marked) is not raised or
acted on again, and applying the migration again inserts nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tortoise import connections
from tortoise.migrations.executor import MigrationExecutor, MigrationTarget

from comptoir.db import APP_LABEL, apply_migrations, tortoise_config
from models.claims import Claim
from models.deadlines import AlertStage, Deadline, DeadlineSource
from models.events import Event, EventKind
from models.helpdesk import Thread
from models.mail import OutboxMail
from resolvers.deadlines.alerts import raise_deadline_alerts
from resolvers.orders import expires_at
from resolvers.policy import Policy
from tests.catalog_helpers import make_product
from tests.claims_helpers import delivered_order, open_claim, received_return
from tests.clients import GraphQLClient
from tests.helpdesk_helpers import open_product_thread, seller_of
from tests.orders_helpers import reserve
from tests.quotes_helpers import request_quote

REFS = {"SLA": "thread_id", "CLAIM": "claim_id", "REFUND": "claim_id", "QUOTE": "quote_id"}
REFS["ORDER"] = "order_id"


async def migrate_to(name: str) -> None:
    """Apply or unapply the committed migrations up to `name`."""
    apps = tortoise_config("sqlite://:memory:")["apps"]
    executor = MigrationExecutor(connections.get("default"), apps)
    await executor.migrate(targets=[MigrationTarget(app_label=APP_LABEL, name=name)])


async def alerts(policy: Policy, moment: datetime) -> list[tuple[str, int | None, int | None]]:
    """Run the job at `moment`; the alerts it raised, as (kind, seller, what it points at)."""
    before = await Event.filter(kind=EventKind.DEADLINE).count()
    raised = await raise_deadline_alerts(policy=policy, now=moment)
    rows = await Event.filter(kind=EventKind.DEADLINE).order_by("id").offset(before)
    assert raised == len(rows)
    found = []
    for row in rows:
        kind = row.payload["kind"]
        found.append((kind, row.seller_id, getattr(row, REFS[kind.rsplit("_", 1)[0]])))
    return sorted(found)


async def mails() -> list[str]:
    return sorted(mail.subject for mail in await OutboxMail.all())


async def marks() -> dict[int, datetime | None]:
    """Per claim marked overdue: the deadline it is marked for."""
    marked = await Claim.filter(overdue_reported_for__isnull=False)
    return {claim.id: claim.overdue_reported_for for claim in marked}


async def returned_claim(buyer: GraphQLClient, seller: GraphQLClient, at: datetime) -> Claim:
    delivered = await delivered_order(buyer, seller, 1, delivered_at=at)
    return await received_return(buyer, seller, await open_claim(buyer, delivered, now=at), at=at)


async def test_deadlines_started_before_0011_alert_once_after_0012(
    buyer: GraphQLClient, seller: GraphQLClient, other_seller: GraphQLClient, policy: Policy
) -> None:
    shop, other = (await seller_of(seller)).id, (await seller_of(other_seller)).id
    now = datetime.now(UTC)
    old = now - timedelta(days=30)
    # Before 0011: every one of these deadlines has passed, except the pending order's.
    late = await open_product_thread(buyer, seller, now=old)
    reminded = await open_product_thread(buyer, seller, body="Et alors ?", now=old)
    await Thread.filter(id=reminded.id).update(overdue_reminded=True)
    unanswered = await open_claim(
        buyer, await delivered_order(buyer, seller, 1, delivered_at=old), now=old
    )
    refund_late = await returned_claim(buyer, seller, old)
    refund_marked = await returned_claim(buyer, seller, old)
    await Claim.filter(id=refund_marked.id).update(overdue_reported_for=refund_marked.refund_due_by)
    # The refund claims' threads were reminded long ago: only their refunds are in question.
    await Thread.filter(id__in=[refund_late.thread_id, refund_marked.thread_id]).update(
        overdue_reminded=True
    )
    (quote,) = await request_quote(buyer, (await make_product(other_seller), [10]), now=old)
    (pending,) = await reserve(buyer, (await make_product(seller, name="Sable"), 1))
    await Deadline.all().delete()  # the rows 0011 would not have had
    await OutboxMail.all().delete()

    await migrate_to("0011_deadlines")  # 0012 unapplied: the database as 0011 left it
    assert await Deadline.all().count() == 0
    await apply_migrations()
    rows = {(row.source, row.source_id): row for row in await Deadline.all()}
    assert set(rows) == {
        (DeadlineSource.SLA, late.id),
        (DeadlineSource.SLA, reminded.id),
        (DeadlineSource.SLA, unanswered.thread_id),
        (DeadlineSource.SLA, refund_late.thread_id),
        (DeadlineSource.SLA, refund_marked.thread_id),
        (DeadlineSource.CLAIM, unanswered.id),
        (DeadlineSource.REFUND, refund_late.id),
        (DeadlineSource.REFUND, refund_marked.id),
        (DeadlineSource.QUOTE, quote.id),
        (DeadlineSource.ORDER, pending.id),
    }
    migrated = max(row.next_alert_at for row in rows.values() if row.next_alert_at)
    assert now <= migrated <= datetime.now(UTC)
    acted = {key for key, row in rows.items() if row.stage is AlertStage.OVERDUE}
    assert acted == {
        (DeadlineSource.SLA, reminded.id),
        (DeadlineSource.SLA, refund_late.thread_id),
        (DeadlineSource.SLA, refund_marked.thread_id),
        (DeadlineSource.REFUND, refund_marked.id),
    }

    # The next round, just before the pending order expires: every alert not yet acted on.
    warned = expires_at(pending, policy) - timedelta(seconds=1)
    assert await alerts(policy, warned) == sorted(
        [
            ("CLAIM_OVERDUE", shop, unanswered.id),
            ("ORDER_EXPIRING", shop, pending.id),
            ("QUOTE_OVERDUE", other, quote.id),
            ("REFUND_OVERDUE", shop, refund_late.id),
            ("SLA_OVERDUE", shop, late.id),
            ("SLA_OVERDUE", shop, unanswered.thread_id),
        ]
    )
    # What their passing does, once: the reminded and the marked are not mailed again.
    assert await mails() == sorted(
        [
            f"Réclamation {refund_late.number} : remboursement en retard",
            f"Réponse en retard : {late.subject}",
            f"Réponse en retard : {(await Thread.get(id=unanswered.thread_id)).subject}",
        ]
    )
    assert await marks() == {
        unanswered.id: (await Thread.get(id=unanswered.thread_id)).response_due_at,
        refund_late.id: refund_late.refund_due_by,
        refund_marked.id: refund_marked.refund_due_by,
    }
    assert await alerts(policy, warned + timedelta(days=30)) == []
    assert len(await mails()) == 3

    # Applied again (unapplied, reapplied): nothing inserted, nothing changed, nothing raised.
    looked = {(row.id, row.version, row.stage, row.due_at) for row in await Deadline.all()}
    await migrate_to("0011_deadlines")
    await apply_migrations()
    assert {(row.id, row.version, row.stage, row.due_at) for row in await Deadline.all()} == looked
    assert await alerts(policy, warned + timedelta(days=31)) == []


async def test_a_passing_the_former_jobs_acted_on_first_is_alerted_but_not_mailed_again(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    """Since 0011 the former reminder and overdue-claim jobs could act on a passing before the
    alert job raised it: its row is not at OVERDUE, the flags say it was acted on."""
    shop = (await seller_of(seller)).id
    now = datetime.now(UTC)
    old = now - timedelta(days=30)
    thread = await open_product_thread(buyer, seller, now=old)
    refund = await returned_claim(buyer, seller, old)
    await Thread.filter(id__in=[thread.id, refund.thread_id]).update(overdue_reminded=True)
    await Claim.filter(id=refund.id).update(overdue_reported_for=refund.refund_due_by)
    await OutboxMail.all().delete()
    assert await alerts(policy, now) == [
        ("REFUND_OVERDUE", shop, refund.id),
        ("SLA_OVERDUE", shop, thread.id),
        ("SLA_OVERDUE", shop, refund.thread_id),
    ]
    assert await mails() == []
    assert await marks() == {refund.id: refund.refund_due_by}
