"""The outbox keeps pace: account mails first, every due mail in one call, a doorbell after
commit, the backlog measured, the jobs runner woken by the doorbell."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from starlette.applications import Starlette

from comptoir.jobs import Deps, Runner, run_jobs_in_background
from comptoir.mail import SmtpTransport
from comptoir.settings import Settings, file_store
from models.accounts import Role
from models.mail import MailPriority, OutboxMail
from realtime.broadcast import open_broadcast
from realtime.doorbell import MAIL_CHANNEL
from realtime.log import atomic
from resolvers.accounts import register
from resolvers.accounts.recovery import request_password_reset
from resolvers.actor import ANONYMOUS
from resolvers.mail import CONNECTIONS, enqueue_mail, mail_backlog, send_due_mails
from resolvers.policy import Policy
from tests.accounts_helpers import STRONG
from tests.configuration import POLICY
from tests.factories import make_account
from tests.mail_helpers import Sink, eventually, smtp_server

pytestmark = pytest.mark.usefixtures("app")


async def _notifications(count: int) -> None:
    async with atomic():
        for i in range(count):
            await enqueue_mail(
                to=f"client{i}@example.fr",
                subject=f"Commande n°{i} validée",
                body="Bonjour",
                policy=POLICY,
            )


async def test_a_confirmation_queued_after_500_notifications_is_sent_first(policy: Policy) -> None:
    await _notifications(500)
    async with atomic():
        await enqueue_mail(
            to="new@example.fr",
            subject="Confirmez votre adresse e-mail",
            body="Bonjour",
            priority=MailPriority.ACCOUNT,
            policy=policy,
        )
    confirmation = await OutboxMail.get(recipient="new@example.fr")
    handler = Sink()
    with smtp_server(handler) as port:
        assert await send_due_mails(SmtpTransport(f"smtp://127.0.0.1:{port}"), policy=policy) == 501
    arrived = handler.outbox_ids()
    assert len(arrived) == 501
    # The first wave: one mail per connection leaves at once, the confirmation first in line.
    assert arrived.index(confirmation.id) < CONNECTIONS, arrived[:10]
    assert Counter(arrived) == Counter(m.id for m in await OutboxMail.all())
    assert await OutboxMail.filter(sent_at__isnull=True).count() == 0


async def test_one_call_sends_every_due_mail_not_one_batch(policy: Policy) -> None:
    await _notifications(120)
    handler = Sink()
    with smtp_server(handler) as port:
        assert (
            await send_due_mails(SmtpTransport(f"smtp://127.0.0.1:{port}"), policy=policy, batch=25)
            == 120
        )
    assert len(set(handler.outbox_ids())) == 120


async def test_a_stalled_exchange_holds_back_its_connection_not_the_next_batches(
    policy: Policy,
) -> None:
    await _notifications(30)
    handler = Sink()
    handler.stalled = {"client0@example.fr"}
    with smtp_server(handler) as port:
        transport = SmtpTransport(f"smtp://127.0.0.1:{port}")
        sending = asyncio.create_task(
            send_due_mails(transport, policy=policy, batch=5, connections=2)
        )
        try:

            async def the_others_arrived() -> bool:
                return len(handler.messages) == 28

            # All but the stalled mail and the one announced with it on its connection: the
            # other connection goes on claiming and sending, batch after batch.
            await eventually(the_others_arrived, within=20, what="28 mails past the stalled one")
            assert await OutboxMail.filter(sent_at__isnull=False).count() >= 20
        finally:
            handler.released.set()
        assert await sending == 30
    assert Counter(handler.outbox_ids()) == Counter(m.id for m in await OutboxMail.all())
    assert await OutboxMail.filter(sent_at__isnull=True).count() == 0


async def test_the_backlog_counts_unsent_mails_and_the_oldest_due_one() -> None:
    assert await mail_backlog() == type(await mail_backlog())(0, 0, 0.0)
    await _notifications(3)
    now = datetime.now(UTC)
    rows = await OutboxMail.all().order_by("id")
    await OutboxMail.filter(id=rows[0].id).update(next_attempt_at=now - timedelta(seconds=90))
    await OutboxMail.filter(id=rows[1].id).update(next_attempt_at=now + timedelta(minutes=5))
    await OutboxMail.filter(id=rows[2].id).update(sent_at=now)
    backlog = await mail_backlog(now=now)
    assert (backlog.unsent, backlog.due, backlog.oldest_due_seconds) == (2, 1, 90.0)


async def _queue_then_fail(policy: Policy) -> None:
    async with atomic():
        await enqueue_mail(to="a@example.fr", subject="s", body="b", policy=policy)
        raise RuntimeError("the change fails")


async def test_the_mail_doorbell_rings_after_commit_and_never_for_a_rollback(
    policy: Policy,
) -> None:
    async with open_broadcast(None) as channel:
        broadcast, ringing = channel.broadcast, replace(policy, doorbell=channel.doorbell)
        async with broadcast.subscribe(MAIL_CHANNEL) as rings:
            with pytest.raises(RuntimeError, match="the change fails"):
                await _queue_then_fail(ringing)
            assert await OutboxMail.all().count() == 0
            async with atomic():
                await enqueue_mail(to="a@example.fr", subject="s", body="b", policy=ringing)
                await enqueue_mail(to="b@example.fr", subject="s", body="b", policy=ringing)
                # Not yet: the other processes would not see the rows.
                assert await OutboxMail.all().count() == 2
            await broadcast.publish(channel=MAIL_CHANNEL, message="marker")
            heard = [(await asyncio.wait_for(rings.get(), 5)).message for _ in range(2)]
            # One ring for the committed transaction, before the marker; none for the rollback.
            assert heard == ["mail", "marker"]


async def test_the_runner_sends_a_registration_mail_on_the_doorbell_not_the_interval(
    app: Starlette, policy: Policy, settings: Settings
) -> None:
    handler = Sink()
    with smtp_server(handler) as port:
        # An interval of an hour: only the doorbell can make this mail leave during the test.
        deps = Deps(
            policy=policy,
            transport=SmtpTransport(f"smtp://127.0.0.1:{port}"),
            store=file_store(settings),
        )
        runner = Runner(deps, interval_seconds=3600)
        # Listening to the app's broadcast, as its embedded runner does: its commits ring there.
        async with run_jobs_in_background(runner, app.state.live.broadcast):
            await asyncio.wait_for(runner.ready.wait(), 30)
            await register(
                ANONYMOUS,
                email="lea@example.fr",
                password=STRONG,
                first_name="Léa",
                last_name="Durand",
                role=Role.BUYER,
                postal_code="75011",
                policy=policy,
            )

            # Sent means received by the server and recorded as sent (the sink sees the
            # mail before the runner writes `sent_at`; leaving the block stops the runner).
            async def sent() -> bool:
                return (
                    len(handler.messages) == 1
                    and await OutboxMail.filter(sent_at__isnull=False).exists()
                )

            await eventually(sent, within=20, what="the confirmation mail, recorded as sent")
    (message,) = handler.messages
    assert message["To"] == "lea@example.fr"
    assert message["Subject"] == "Confirmez votre adresse e-mail"
    row = await OutboxMail.get()
    assert row.priority is MailPriority.ACCOUNT
    assert row.sent_at is not None


async def test_a_stalled_exchange_holds_back_neither_other_jobs_nor_new_mails(
    app: Starlette, policy: Policy, settings: Settings
) -> None:
    await make_account(Role.BUYER, email="lea@example.fr")
    await _notifications(1)  # to client0@example.fr, whose exchange the server holds
    handler = Sink()
    handler.stalled = {"client0@example.fr"}
    with smtp_server(handler) as port:
        transport = SmtpTransport(f"smtp://127.0.0.1:{port}")
        deps = Deps(policy=policy, transport=transport, store=file_store(settings))
        runner = Runner(deps, interval_seconds=3600)
        try:
            async with run_jobs_in_background(runner, app.state.live.broadcast):

                async def held() -> bool:
                    return handler.held == 1

                # Held from the runner's first round on: the other jobs go on all the same.
                await eventually(held, within=20, what="the first mail held by the server")
                await asyncio.wait_for(runner.ready.wait(), 20)
                await request_password_reset(ANONYMOUS, email="lea@example.fr", policy=policy)

                async def answered() -> bool:
                    return len(handler.messages) == 1

                # Answered and its mail sent, while the first mail is still held: the outbox's
                # idle connections look for new mails while one exchange drags on.
                await eventually(answered, within=20, what="the reset mail, sent")
                assert str(handler.messages[0]["To"]) == "lea@example.fr"
                assert handler.held == 1
                handler.released.set()

                async def both_sent() -> bool:
                    return not await OutboxMail.filter(sent_at__isnull=True).exists()

                await eventually(both_sent, within=20, what="both mails, once released")
        finally:
            handler.released.set()
    assert sorted(str(m["To"]) for m in handler.messages) == [
        "client0@example.fr",
        "lea@example.fr",
    ]
