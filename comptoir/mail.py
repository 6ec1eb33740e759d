"""Mail transports: SMTP when SMTP_URL is set, else `.eml` files under var/mail/ (embedded)."""

from __future__ import annotations

import asyncio
import logging
import os
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import aiosmtplib

from comptoir.settings import Settings

log = logging.getLogger("comptoir.mail")

SMTP_TIMEOUT_SECONDS = 30


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

    async def send(self, *, mail_id: int, to: str, subject: str, body: str) -> None:
        message = build_message(sender=self.sender, mail_id=mail_id, to=to, subject=subject,
                                body=body)
        await aiosmtplib.send(
            message,
            hostname=self.hostname,
            port=self.port,
            username=self.username,
            password=self.password,
            use_tls=self.use_tls,
            timeout=SMTP_TIMEOUT_SECONDS,
        )
        log.info("mail %s sent to %s over SMTP: %s", mail_id, to, subject)


class FileTransport:
    """Writes each mail as an .eml file (the embedded default, no mail server needed)."""

    def __init__(self, directory: Path, *, sender: str = "Comptoir <no-reply@localhost>") -> None:
        self.directory = directory
        self.sender = sender

    def path_for(self, mail_id: int) -> Path:
        return self.directory / f"{mail_id:08d}.eml"

    async def send(self, *, mail_id: int, to: str, subject: str, body: str) -> None:
        message = build_message(sender=self.sender, mail_id=mail_id, to=to, subject=subject,
                                body=body)
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
