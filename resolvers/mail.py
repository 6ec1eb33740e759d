"""The mail outbox: mails are written with the change they report and sent by a job.

A mail is enqueued inside the caller's transaction, so a rolled-back change sends nothing and
a committed one is never forgotten.  Senders claim each row with a conditional UPDATE before
sending: `serve` (in-process jobs) and `comptoir worker` may run side by side without ever
sending a mail twice.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Protocol

from tortoise.expressions import Q

from models.mail import OutboxMail

log = logging.getLogger(__name__)

# A claim outlives any SMTP exchange (the transports time out well before), so a mail is only
# claimed again when its sender died mid-way.
CLAIM_SECONDS = 300
FIRST_RETRY_SECONDS = 30
MAX_RETRY_SECONDS = 3600


class MailTransport(Protocol):
    async def send(self, *, mail_id: int, to: str, subject: str, body: str) -> None:
        """Hand one mail to the mail server (or its stand-in); raise when it was not taken."""


async def enqueue_mail(*, to: str, subject: str, body: str) -> None:
    """Queue a mail; call it inside the transaction of the change the mail reports."""
    await OutboxMail.create(recipient=to, subject=subject, body=body,
                            next_attempt_at=datetime.now(UTC))


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff after `attempts` failures: 30 s, 1 min, 2 min... capped at 1 h."""
    seconds = FIRST_RETRY_SECONDS * 2 ** min(attempts - 1, 20)
    return timedelta(seconds=min(seconds, MAX_RETRY_SECONDS))


def _claimable(now: datetime) -> Q:
    return Q(sent_at__isnull=True) & (Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))


async def _claim(mail_id: int, now: datetime) -> bool:
    """Claim one row; the UPDATE re-checks the claim, so of two racing senders one wins."""
    won = await OutboxMail.filter(_claimable(now), id=mail_id).update(
        claimed_until=now + timedelta(seconds=CLAIM_SECONDS)
    )
    return won == 1


async def send_due_mails(transport: MailTransport, *, limit: int = 50) -> int:
    """Send up to `limit` due mails; returns how many the transport took."""
    now = datetime.now(UTC)
    due = await (
        OutboxMail.filter(_claimable(now), next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .limit(limit)
        .only("id")
    )
    sent = 0
    for mail_id in (row.id for row in due):
        if not await _claim(mail_id, now):
            continue
        mail = await OutboxMail.get(id=mail_id)
        try:
            await transport.send(mail_id=mail.id, to=mail.recipient, subject=mail.subject,
                                 body=mail.body)
        except Exception as error:
            attempts = mail.attempts + 1
            log.warning("mail %s to %s not sent (attempt %s): %s", mail.id, mail.recipient,
                        attempts, error)
            await OutboxMail.filter(id=mail.id).update(
                attempts=attempts,
                next_attempt_at=datetime.now(UTC) + retry_delay(attempts),
                claimed_until=None,
                last_error=f"{type(error).__name__}: {error}"[:2000],
            )
            continue
        await OutboxMail.filter(id=mail.id).update(sent_at=datetime.now(UTC), claimed_until=None,
                                                   attempts=mail.attempts + 1, last_error=None)
        sent += 1
    return sent
