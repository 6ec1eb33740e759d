"""SMTP over TLS as production mail servers speak it: STARTTLS (587) or implicit TLS (465),
with AUTH, against a real aiosmtpd server holding a certificate from a test CA (trustme).

A wiretap between the sender and the server keeps every byte the sender wrote, and may
rewrite what the server answers (an attacker on the path): credentials never appear in it.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from comptoir.mail import SmtpTransport
from models.mail import OutboxMail
from realtime.log import atomic
from resolvers.mail import enqueue_mail, send_due_mails
from resolvers.policy import Policy
from tests.configuration import POLICY
from tests.mail_helpers import Sink, free_port

pytestmark = pytest.mark.usefixtures("app")

LOGIN = (b"shop@example.fr", b"p@ss/word")
CREDENTIALS = "shop%40example.fr:p%40ss%2Fword@"  # as they stand in SMTP_URL
# Any form the password could take on the wire: as is, in AUTH PLAIN's token, in AUTH LOGIN.
SECRETS = (b"p@ss/word", b"AHNob3BAZXhhbXBsZS5mcgBwQHNzL3dvcmQ=", b"cEBzcy93b3Jk")


class Logins:
    """aiosmtpd's authenticator: records each login and whether it came over TLS."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, bytes, bytes, bool]] = []

    def __call__(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        over_tls = server.transport is not None and server.transport.get_extra_info("ssl_object")
        self.seen.append((mechanism, auth_data.login, auth_data.password, bool(over_tls)))
        return AuthResult(success=(auth_data.login, auth_data.password) == LOGIN)


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def _server_tls(ca: trustme.CA, name: str = "127.0.0.1") -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(name).configure_cert(context)
    return context


def _trusting(ca: trustme.CA) -> ssl.SSLContext:
    """The sender's context: verifies as in production, with the test CA as the only one."""
    return ssl.create_default_context(cadata=ca.cert_pem.bytes().decode())


@contextmanager
def mail_server(
    handler: Sink, tls: ssl.SSLContext, *, implicit: bool, **smtp: Any
) -> Iterator[int]:
    """aiosmtpd with a certificate: implicit TLS, or STARTTLS required before anything else."""
    port = free_port()
    # aiosmtpd only knows of its own STARTTLS: told that AUTH needs TLS, it would never offer
    # it over implicit TLS.
    options: dict[str, Any] = (
        {"ssl_context": tls, "auth_require_tls": False}
        if implicit
        else {"tls_context": tls, "require_starttls": True}
    )
    controller = Controller(handler, hostname="127.0.0.1", port=port, **(options | smtp))
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@asynccontextmanager
async def wiretap(
    port: int, *, answer: tuple[bytes, bytes] = (b"", b"")
) -> AsyncIterator[tuple[int, bytearray]]:
    """A relay to `port` on a port of its own, replacing `answer[0]` by `answer[1]` in what
    the server says; yields its port and what the sender wrote, byte for byte."""
    heard = bytearray()

    def rewrite(data: bytes) -> bytes:
        return data.replace(*answer) if answer[0] else data

    async def relay(
        source: asyncio.StreamReader,
        target: asyncio.StreamWriter,
        change: Callable[[bytes], bytes],
        keep: bytearray | None = None,
    ) -> None:
        try:
            while data := await source.read(65536):
                if keep is not None:
                    keep += data
                target.write(change(data))
                await target.drain()
        except ConnectionError:
            pass
        finally:
            target.close()

    async def connected(client: asyncio.StreamReader, to_client: asyncio.StreamWriter) -> None:
        server, to_server = await asyncio.open_connection("127.0.0.1", port)
        await asyncio.gather(
            relay(client, to_server, lambda data: data, heard), relay(server, to_client, rewrite)
        )

    relay_server = await asyncio.start_server(connected, "127.0.0.1", 0)
    async with relay_server:
        yield int(relay_server.sockets[0].getsockname()[1]), heard


async def _queue() -> int:
    async with atomic():
        await enqueue_mail(to="client@example.fr", subject="Confirmez", body="Lien", policy=POLICY)
    return int((await OutboxMail.get()).id)


async def _kept_for_later(*, error: str) -> None:
    """The mail is unsent, its failure recorded and its next attempt pushed back."""
    row = await OutboxMail.get()
    assert row.sent_at is None
    assert row.claimed_until is None
    assert row.attempts == 1
    assert error in (row.last_error or "")
    assert row.next_attempt_at > datetime.now(UTC)


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
@pytest.mark.parametrize(("scheme", "implicit"), [("smtp", False), ("smtps", True)])
async def test_mails_go_over_tls_and_log_in_only_once_it_is_up(
    ca: trustme.CA, policy: Policy, scheme: str, implicit: bool, mechanism: str
) -> None:
    handler, logins = Sink(), Logins()
    other = "LOGIN" if mechanism == "PLAIN" else "PLAIN"
    with mail_server(
        handler,
        _server_tls(ca),
        implicit=implicit,
        authenticator=logins,
        auth_exclude_mechanism=[other],
    ) as port:
        mail_id = await _queue()
        async with wiretap(port) as (relay_port, heard):
            transport = SmtpTransport(
                f"{scheme}://{CREDENTIALS}127.0.0.1:{relay_port}", tls=_trusting(ca)
            )
            assert await send_due_mails(transport, policy=policy) == 1
    assert handler.outbox_ids() == [mail_id]
    assert logins.seen == [(mechanism, *LOGIN, True)]
    # In clear, at most the greeting and STARTTLS; then TLS records (0x16: a handshake).
    clear = b"" if implicit else b"EHLO localhost\r\nSTARTTLS\r\n"
    assert heard.startswith(clear + b"\x16")
    assert not any(secret in heard for secret in SECRETS)


@pytest.mark.parametrize("problem", ["unknown CA", "other name"])
@pytest.mark.parametrize(
    ("url", "implicit"), [("smtp://", False), (f"smtps://{CREDENTIALS}", True)]
)
async def test_a_certificate_that_does_not_verify_is_refused_and_the_mail_waits(
    ca: trustme.CA, policy: Policy, url: str, implicit: bool, problem: str
) -> None:
    handler, logins = Sink(), Logins()
    issuer, name = (
        (trustme.CA(), "127.0.0.1") if problem == "unknown CA" else (ca, "mail.example.fr")
    )
    mail_id = await _queue()
    with mail_server(
        handler, _server_tls(issuer, name), implicit=implicit, authenticator=logins
    ) as port:
        transport = SmtpTransport(f"{url}127.0.0.1:{port}", tls=_trusting(ca))
        assert await send_due_mails(transport, policy=policy) == 0
    assert handler.messages == []
    assert logins.seen == []
    await _kept_for_later(error="CERTIFICATE_VERIFY_FAILED")
    # The server gets a proper certificate: the mail goes, once.
    await OutboxMail.all().update(next_attempt_at=datetime.now(UTC))
    with mail_server(handler, _server_tls(ca), implicit=implicit, authenticator=logins) as port:
        transport = SmtpTransport(f"{url}127.0.0.1:{port}", tls=_trusting(ca))
        assert await send_due_mails(transport, policy=policy) == 1
    assert handler.outbox_ids() == [mail_id]


async def test_credentials_are_not_sent_when_an_attacker_strips_starttls(
    ca: trustme.CA, policy: Policy
) -> None:
    handler, logins = Sink(), Logins()
    # This server would even take AUTH in clear; the attacker hides its STARTTLS.
    with mail_server(
        handler,
        _server_tls(ca),
        implicit=False,
        authenticator=logins,
        auth_require_tls=False,
        require_starttls=False,
    ) as port:
        await _queue()
        stripped = (b"250-STARTTLS\r\n", b"")
        async with wiretap(port, answer=stripped) as (relay_port, heard):
            transport = SmtpTransport(
                f"smtp://{CREDENTIALS}127.0.0.1:{relay_port}", tls=_trusting(ca)
            )
            assert await send_due_mails(transport, policy=policy) == 0
    assert heard == b"EHLO localhost\r\n"  # then it hung up
    assert logins.seen == []
    assert handler.messages == []
    await _kept_for_later(error="no STARTTLS offered")


async def test_what_the_server_sends_before_tls_starts_is_refused(
    ca: trustme.CA, policy: Policy
) -> None:
    handler = Sink()
    with mail_server(handler, _server_tls(ca), implicit=False) as port:
        await _queue()
        # An attacker appends a reply of its own to the STARTTLS answer (RFC 3207 §5).
        ready = b"220 Ready to start TLS\r\n"
        injected = (ready, ready + b"250-SMTPUTF8\r\n250 HELP\r\n")
        async with wiretap(port, answer=injected) as (relay_port, heard):
            transport = SmtpTransport(f"smtp://127.0.0.1:{relay_port}", tls=_trusting(ca))
            assert await send_due_mails(transport, policy=policy) == 0
    assert heard == b"EHLO localhost\r\nSTARTTLS\r\n"
    assert handler.messages == []
    await _kept_for_later(error="more than its STARTTLS answer")
