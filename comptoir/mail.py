"""Mail transports: SMTP when SMTP_URL is set, else `.eml` files under var/mail/ (embedded)."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import aiosmtplib

from comptoir.settings import Settings

log = logging.getLogger("comptoir.mail")

SMTP_TIMEOUT_SECONDS = 30.0


def build_message(*, sender: str, mail_id: int, to: str, subject: str, body: str) -> EmailMessage:
    """A UTF-8 text mail.  The Message-ID derives from the outbox row, so should a mail ever be
    sent twice (a sender dying after the server took it), mail clients show it once."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = f"<outbox-{mail_id}@{sender.rpartition('@')[2].rstrip('>')}>"
    message.set_content(body, charset="utf-8")
    return message


def sender_for(settings: Settings) -> str:
    host = urlsplit(settings.public_url).hostname or "localhost"
    return f"Comptoir <no-reply@{host}>"


class SmtpTransport:
    """`smtp://[user:pass@]host[:port]` (STARTTLS when offered) or `smtps://...` (implicit TLS)."""

    timeout_seconds = SMTP_TIMEOUT_SECONDS

    def __init__(self, url: str, *, sender: str = "Comptoir <no-reply@localhost>") -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("SMTP_URL must look like smtp://host:port or smtps://host:port")
        self.use_tls = parts.scheme == "smtps"
        self.hostname = parts.hostname
        self.port = parts.port or (465 if self.use_tls else 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.sender = sender

    @asynccontextmanager
    async def session(self) -> AsyncIterator[SmtpSession]:
        session = SmtpSession(self)
        try:
            yield session
        finally:
            await session.close()


class SmtpSession:
    """One SMTP connection reused mail after mail, (re)opened when a mail needs it."""

    def __init__(self, transport: SmtpTransport) -> None:
        self.transport = transport
        self.client: aiosmtplib.SMTP | None = None

    async def _connected(self) -> aiosmtplib.SMTP:
        if self.client is not None and self.client.is_connected:
            return self.client
        t = self.transport
        client = aiosmtplib.SMTP(
            hostname=t.hostname,
            port=t.port,
            username=t.username,
            password=t.password,
            use_tls=t.use_tls,
            timeout=SMTP_TIMEOUT_SECONDS,
            local_hostname="localhost",
        )
        await client.connect()
        self.client = client
        return client

    async def send(self, *, mail_id: int, to: str, subject: str, body: str) -> None:
        message = build_message(
            sender=self.transport.sender, mail_id=mail_id, to=to, subject=subject, body=body
        )
        client = await self._connected()
        try:
            await client.send_message(message)
        except aiosmtplib.SMTPServerDisconnected:
            self.client = None
            raise
        log.info("mail %s sent to %s over SMTP: %s", mail_id, to, subject)

    async def close(self) -> None:
        if self.client is not None and self.client.is_connected:
            try:
                await self.client.quit()
            except aiosmtplib.SMTPException:
                self.client.close()  # the mails were taken; a rude goodbye loses nothing
        self.client = None


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

    async def send(self, *, mail_id: int, to: str, subject: str, body: str) -> None:
        message = build_message(
            sender=self.sender, mail_id=mail_id, to=to, subject=subject, body=body
        )
        path = await asyncio.to_thread(self._write, mail_id, message.as_bytes())
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
