"""Mail transports: SMTP when SMTP_URL is set, else `.eml` files under var/mail/ (embedded)."""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import logging
import os
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from email.utils import format_datetime, parseaddr
from pathlib import Path
from urllib.parse import unquote, urlsplit

from comptoir.settings import Settings
from comptoir.smtp import SmtpConnection, SmtpError, SmtpNotSupported

log = logging.getLogger("comptoir.mail")

SMTP_TIMEOUT_SECONDS = 30.0
MAX_LINE = 998  # RFC 5322: a line of a mail, without its line break


def build_message(*, sender: str, mail_id: int, to: str, subject: str, body: str) -> bytes:
    """A UTF-8 text mail as bytes.  The Message-ID derives from the outbox row, so should a mail
    ever be sent twice (a sender dying after the server took it), mail clients show it once.

    Written by hand: `email.message.EmailMessage` costs milliseconds of CPU per mail (its
    header registry builds classes on every header), which capped the outbox's throughput.
    """
    domain = sender.rpartition("@")[2].rstrip(">")
    if body.isascii() and all(len(line) <= MAX_LINE for line in body.split("\n")):
        encoding, payload = "7bit", body.encode()
    else:
        encoding, payload = "quoted-printable", binascii.b2a_qp(body.encode())
    head = (
        f"From: {_header(sender)}\n"
        # Raw UTF-8 when the address is not ASCII (RFC 6532): it then travels over SMTPUTF8.
        f"To: {_single_line(to)}\n"
        f"Subject: {_header(subject)}\n"
        f"Date: {format_datetime(datetime.now(UTC))}\n"
        f"Message-ID: <outbox-{mail_id}@{domain}>\n"
        "MIME-Version: 1.0\n"
        'Content-Type: text/plain; charset="utf-8"\n'
        f"Content-Transfer-Encoding: {encoding}\n\n"
    )
    return head.encode() + payload


def _single_line(value: str) -> str:
    if "\n" in value or "\r" in value:
        raise ValueError(f"not a header value: {value[:40]!r}")
    return value


def _header(value: str) -> str:
    """A header value in 7-bit: as is when ASCII, else RFC 2047 encoded words, one a line."""
    if _single_line(value).isascii():
        return value
    words, chunk = [], b""
    for char in value:  # a word carries at most 45 bytes (75 characters), whole characters only
        data = char.encode()
        if len(chunk) + len(data) > 45:
            words.append(chunk)
            chunk = b""
        chunk += data
    words.append(chunk)
    return "\n ".join(f"=?utf-8?b?{base64.b64encode(word).decode()}?=" for word in words)


def sender_for(settings: Settings) -> str:
    host = urlsplit(settings.public_url).hostname or "localhost"
    return f"Comptoir <no-reply@{host}>"


class SmtpTransport:
    """`smtp://[user:pass@]host[:port]` (STARTTLS when offered, required with credentials) or
    `smtps://...` (implicit TLS). `tls` verifies the server's certificate: the system's CAs
    by default (`SSL_CERT_FILE` names others)."""

    timeout_seconds = SMTP_TIMEOUT_SECONDS

    def __init__(
        self,
        url: str,
        *,
        sender: str = "Comptoir <no-reply@localhost>",
        tls: ssl.SSLContext | None = None,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("SMTP_URL must look like smtp://host:port or smtps://host:port")
        self.use_tls = parts.scheme == "smtps"
        self.hostname = parts.hostname
        self.port = parts.port or (465 if self.use_tls else 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.sender = sender
        self.envelope_sender = parseaddr(sender)[1]
        # Built once: loading the CAs costs milliseconds, and every connection verifies.
        self.tls = tls or ssl.create_default_context()

    @asynccontextmanager
    async def session(self) -> AsyncIterator[SmtpSession]:
        session = SmtpSession(self)
        try:
            yield session
        except BaseException:
            # Stopped mid-exchange (cancelled): hang up at once rather than wait for a QUIT
            # answer a slow server may never give; the mail in flight stays claimed.
            session.abort()
            raise
        await session.close()


class SmtpSession:
    """One SMTP connection reused mail after mail, (re)opened when a mail needs it."""

    def __init__(self, transport: SmtpTransport) -> None:
        self.transport = transport
        self.connection: SmtpConnection | None = None

    async def _connected(self) -> SmtpConnection:
        if self.connection is not None and self.connection.is_open:
            return self.connection
        t = self.transport
        async with asyncio.timeout(SMTP_TIMEOUT_SECONDS):
            self.connection = await SmtpConnection.open(
                hostname=t.hostname,
                port=t.port,
                tls=t.tls,
                implicit_tls=t.use_tls,
                username=t.username,
                password=t.password,
            )
        return self.connection

    async def send(
        self, *, mail_id: int, to: str, subject: str, body: str, then: str | None = None
    ) -> None:
        message = build_message(
            sender=self.transport.sender, mail_id=mail_id, to=to, subject=subject, body=body
        )
        connection = await self._connected()
        try:
            async with asyncio.timeout(SMTP_TIMEOUT_SECONDS):
                await connection.send(
                    sender=self.transport.envelope_sender, recipient=to, message=message, then=then
                )
        except SmtpError as error:
            if not error.code and not isinstance(error, SmtpNotSupported):
                self.abort()  # the exchange broke half-way: start the next mail afresh
            raise
        except BaseException:  # a timeout, a reset, a cancellation: the state is unknown
            self.abort()
            raise
        log.info("mail %s sent to %s over SMTP: %s", mail_id, to, subject)

    def abort(self) -> None:
        if self.connection is not None:
            self.connection.abort()
        self.connection = None

    async def close(self) -> None:
        if self.connection is not None and self.connection.is_open:
            # The mails were taken: a rude goodbye loses nothing.
            with contextlib.suppress(Exception):
                async with asyncio.timeout(SMTP_TIMEOUT_SECONDS):
                    await self.connection.quit()
        self.connection = None


class FileTransport:
    """Writes each mail as an .eml file (the embedded default, no mail server needed)."""

    timeout_seconds = 10.0

    def __init__(self, directory: Path, *, sender: str = "Comptoir <no-reply@localhost>") -> None:
        self.directory = directory
        self.sender = sender

    def path_for(self, mail_id: int) -> Path:
        return self.directory / f"{mail_id:08d}.eml"

    @asynccontextmanager
    async def session(self) -> AsyncIterator[FileTransport]:
        yield self

    async def send(
        self, *, mail_id: int, to: str, subject: str, body: str, then: str | None = None
    ) -> None:
        message = build_message(
            sender=self.sender, mail_id=mail_id, to=to, subject=subject, body=body
        )
        path = await asyncio.to_thread(self._write, mail_id, message)
        log.info("mail %s to %s written to %s: %s", mail_id, to, path, subject)

    def _write(self, mail_id: int, data: bytes) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.path_for(mail_id)
        # Written aside then renamed: a reader never sees half a mail.
        partial = path.with_suffix(f".{os.getpid()}.part")
        partial.write_bytes(data)
        partial.replace(path)
        return path


def transport_for(settings: Settings) -> SmtpTransport | FileTransport:
    sender = sender_for(settings)
    if settings.smtp_url:
        return SmtpTransport(str(settings.smtp_url), sender=sender)
    return FileTransport(settings.var_dir / "mail", sender=sender)
