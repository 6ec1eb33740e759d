"""The mail outbox and its transports: a real SMTP sink (aiosmtpd) and .eml files."""

from __future__ import annotations

import asyncio
import email
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from comptoir.mail import FileTransport, SmtpTransport, transport_for
from comptoir.settings import Settings
from models.mail import OutboxMail
from realtime.log import atomic
from resolvers.mail import enqueue_mail, retry_delay, send_due_mails
from resolvers.policy import Policy
from tests.configuration import POLICY, SETTINGS
from tests.mail_helpers import Sink, free_port, smtp_server

pytestmark = pytest.mark.usefixtures("app")


@pytest.fixture(params=[True, False], ids=["pipelining", "one-by-one"])
def sink(request: pytest.FixtureRequest) -> Iterator[tuple[Sink, int]]:
    handler = Sink(pipelining=request.param)
    with smtp_server(handler) as port:
        yield handler, port


async def _queue(count: int = 1) -> None:
    async with atomic():
        for i in range(count):
            await enqueue_mail(
                to=f"client{i}@example.fr",
                subject=f"Commande n°{i} validée",
                body=f"Bonjour,\n\nVotre commande n°{i} est validée. À bientôt !",
                policy=POLICY,
            )


async def test_a_mail_queued_in_a_rolled_back_change_is_never_sent() -> None:
    async def failing_change() -> None:
        async with atomic():
            await enqueue_mail(to="a@example.fr", subject="s", body="b", policy=POLICY)
            raise RuntimeError("the change fails")

    with pytest.raises(RuntimeError, match="the change fails"):
        await failing_change()
    assert await OutboxMail.all().count() == 0


async def test_smtp_delivers_utf8_mails_and_marks_them_sent(
    sink: tuple[Sink, int], policy: Policy
) -> None:
    handler, port = sink
    await _queue()
    assert await send_due_mails(SmtpTransport(f"smtp://127.0.0.1:{port}"), policy=policy) == 1
    (message,) = handler.messages
    assert message["To"] == "client0@example.fr"
    assert message["Subject"] == "Commande n°0 validée"
    assert "À bientôt" in message.get_content()
    row = await OutboxMail.get()
    assert row.sent_at is not None
    assert row.claimed_until is None
    assert row.attempts == 1
    assert await send_due_mails(SmtpTransport(f"smtp://127.0.0.1:{port}"), policy=policy) == 0


LONG_SUBJECT = "Réinitialisez votre mot de passe — Comptoir, matériaux à prix justes " * 3
LINK = "https://comptoir.example.fr/reset-password?token=" + "Ab0-_" * 30


async def _queue_to(recipient: str) -> None:
    async with atomic():
        await enqueue_mail(
            to=recipient, subject=LONG_SUBJECT, body=f"Bonjour Léa,\n\n{LINK}\n", policy=POLICY
        )


async def test_long_accented_subjects_links_and_utf8_addresses_read_back_unchanged(
    sink: tuple[Sink, int],
    policy: Policy,
) -> None:
    handler, port = sink
    await _queue_to("léa@exemple.fr")
    assert await send_due_mails(SmtpTransport(f"smtp://127.0.0.1:{port}"), policy=policy) == 1
    (message,) = handler.messages
    assert message["To"] == "léa@exemple.fr"
    assert message["Subject"] == LONG_SUBJECT
    # SMTP carries lines ended by CRLF.
    assert message.get_content().replace("\r\n", "\n") == f"Bonjour Léa,\n\n{LINK}\n"
    assert all(len(line) <= 78 for line in message.as_string().splitlines())


async def test_a_utf8_address_waits_for_a_server_without_smtputf8(policy: Policy) -> None:
    handler, port = Sink(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, enable_SMTPUTF8=False)
    controller.start()
    try:
        await _queue_to("léa@exemple.fr")
        assert await send_due_mails(SmtpTransport(f"smtp://127.0.0.1:{port}"), policy=policy) == 0
    finally:
        controller.stop()
    assert handler.messages == []
    row = await OutboxMail.get()
    assert row.sent_at is None
    assert row.attempts == 1
    assert row.last_error is not None
    assert "SMTPUTF8" in row.last_error


async def test_a_refused_mail_is_kept_and_retried_later(
    sink: tuple[Sink, int], policy: Policy
) -> None:
    handler, port = sink
    transport = SmtpTransport(f"smtp://127.0.0.1:{port}")
    await _queue()
    handler.refusing = True
    assert await send_due_mails(transport, policy=policy) == 0
    row = await OutboxMail.get()
    assert row.sent_at is None
    assert row.attempts == 1
    assert "451" in (row.last_error or "")
    assert row.next_attempt_at > datetime.now(UTC) + timedelta(seconds=20)
    handler.refusing = False
    assert await send_due_mails(transport, policy=policy) == 0  # not due yet: backoff
    await OutboxMail.all().update(next_attempt_at=datetime.now(UTC))
    assert await send_due_mails(transport, policy=policy) == 1
    assert len(handler.messages) == 1
    row = await OutboxMail.get()
    assert row.sent_at is not None
    assert row.attempts == 2
    assert row.last_error is None


async def test_a_refused_recipient_keeps_its_mail_and_the_next_ones_still_go(
    sink: tuple[Sink, int], policy: Policy
) -> None:
    handler, port = sink
    handler.unknown = {"client1@example.fr"}
    await _queue(3)
    transport = SmtpTransport(f"smtp://127.0.0.1:{port}")
    assert await send_due_mails(transport, policy=policy, connections=1) == 2
    assert sorted(str(m["To"]) for m in handler.messages) == [
        "client0@example.fr",
        "client2@example.fr",
    ]
    refused = await OutboxMail.get(recipient="client1@example.fr")
    assert refused.sent_at is None
    assert refused.attempts == 1
    assert "550" in (refused.last_error or "")
    assert await OutboxMail.filter(sent_at__isnull=False).count() == 2


async def test_a_mail_refused_at_its_content_does_not_hold_back_the_next_one(
    sink: tuple[Sink, int], policy: Policy
) -> None:
    """With PIPELINING the next mail's commands travel with this one's content: they still
    stand when this content is refused."""
    handler, port = sink
    handler.rejected = {"client1@example.fr"}
    await _queue(3)
    transport = SmtpTransport(f"smtp://127.0.0.1:{port}")
    assert await send_due_mails(transport, policy=policy, connections=1) == 2
    assert [str(m["To"]) for m in handler.messages] == [
        "client0@example.fr",
        "client2@example.fr",
    ]
    assert handler.greeted == 1
    refused = await OutboxMail.get(recipient="client1@example.fr")
    assert refused.sent_at is None
    assert refused.attempts == 1
    assert "451" in (refused.last_error or "")


async def test_mails_wait_while_the_smtp_server_is_down(policy: Policy) -> None:
    port = free_port()  # nothing listens there yet
    transport = SmtpTransport(f"smtp://127.0.0.1:{port}")
    await _queue()
    assert await send_due_mails(transport, policy=policy) == 0
    row = await OutboxMail.get()
    assert row.sent_at is None
    assert row.attempts == 1
    assert row.last_error
    handler = Sink()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        await OutboxMail.all().update(next_attempt_at=datetime.now(UTC))
        assert await send_due_mails(transport, policy=policy) == 1
        assert len(handler.messages) == 1
    finally:
        controller.stop()


async def test_two_concurrent_senders_send_each_mail_once(
    sink: tuple[Sink, int], policy: Policy
) -> None:
    handler, port = sink
    await _queue(30)
    sent = await asyncio.gather(
        send_due_mails(SmtpTransport(f"smtp://127.0.0.1:{port}"), policy=policy),
        send_due_mails(SmtpTransport(f"smtp://127.0.0.1:{port}"), policy=policy),
        send_due_mails(SmtpTransport(f"smtp://127.0.0.1:{port}"), policy=policy, batch=10),
    )
    assert sum(sent) == 30
    recipients = sorted(str(m["To"]) for m in handler.messages)
    assert recipients == sorted(f"client{i}@example.fr" for i in range(30))
    assert await OutboxMail.filter(sent_at__isnull=True).count() == 0


async def test_a_round_sends_batch_after_batch_over_the_same_connections(
    sink: tuple[Sink, int], policy: Policy
) -> None:
    handler, port = sink
    await _queue(30)
    transport = SmtpTransport(f"smtp://127.0.0.1:{port}")
    assert await send_due_mails(transport, policy=policy, batch=7, connections=2) == 30
    assert handler.greeted == 2
    assert sorted(handler.outbox_ids()) == [m.id for m in await OutboxMail.all().order_by("id")]


async def test_a_mail_claimed_by_another_sender_is_left_alone(
    sink: tuple[Sink, int], policy: Policy
) -> None:
    handler, port = sink
    await _queue()
    await OutboxMail.all().update(claimed_until=datetime.now(UTC) + timedelta(minutes=1))
    assert await send_due_mails(SmtpTransport(f"smtp://127.0.0.1:{port}"), policy=policy) == 0
    # A sender that died mid-way: its claim runs out and the mail goes.
    await OutboxMail.all().update(claimed_until=datetime.now(UTC) - timedelta(seconds=1))
    assert await send_due_mails(SmtpTransport(f"smtp://127.0.0.1:{port}"), policy=policy) == 1
    assert len(handler.messages) == 1


async def test_the_file_transport_writes_one_eml_file_per_mail(
    tmp_path: Path, policy: Policy
) -> None:
    await _queue(2)
    transport = FileTransport(tmp_path / "mail")
    assert await send_due_mails(transport, policy=policy) == 2
    first = await OutboxMail.all().order_by("id").first()
    assert first is not None
    path = tmp_path / "mail" / f"{first.id:08d}.eml"
    assert sorted(p.name for p in (tmp_path / "mail").iterdir()) == [
        f"{first.id:08d}.eml",
        f"{first.id + 1:08d}.eml",
    ]
    message: Any = email.message_from_bytes(path.read_bytes(), policy=default_policy)
    assert message["Subject"] == "Commande n°0 validée"
    assert message["To"] == "client0@example.fr"
    assert "Votre commande n°0 est validée" in message.get_content()
    assert message["Message-ID"] == f"<outbox-{first.id}@localhost>"


def test_backoff_doubles_and_is_capped() -> None:
    assert [retry_delay(n, first_seconds=30).total_seconds() for n in (1, 2, 3, 8, 50)] == [
        30,
        60,
        120,
        3600,
        3600,
    ]


def test_smtp_urls_are_parsed() -> None:
    plain = SmtpTransport("smtp://127.0.0.1:1025")
    assert (plain.hostname, plain.port, plain.use_tls, plain.username) == (
        "127.0.0.1",
        1025,
        False,
        None,
    )
    tls = SmtpTransport("smtps://postmaster%40shop.fr:s3cr%2Ft@mail.example.fr")
    assert (tls.hostname, tls.port, tls.use_tls, tls.username, tls.password) == (
        "mail.example.fr",
        465,
        True,
        "postmaster@shop.fr",
        "s3cr/t",
    )
    with pytest.raises(ValueError, match="SMTP_URL must look like"):
        SmtpTransport("http://mail.example.fr")


def test_smtp_is_used_only_when_smtp_url_is_set() -> None:
    settings = SETTINGS
    files = transport_for(settings)
    assert isinstance(files, FileTransport)
    assert files.directory == settings.var_dir / "mail"
    smtp = transport_for(
        Settings.from_env(
            {"SMTP_URL": "smtp://127.0.0.1:2525", "PUBLIC_URL": "https://comptoir.example.fr"}
        )
    )
    assert isinstance(smtp, SmtpTransport)
    assert smtp.port == 2525
    assert smtp.sender == "Comptoir <no-reply@comptoir.example.fr>"
