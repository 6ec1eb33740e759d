"""The mail outbox: mails are written with the change they report and sent by a job.

A mail is enqueued inside the caller's transaction, so a rolled-back change sends nothing and
a committed one is never forgotten; the commit rings the mail doorbell, which wakes a sender.
A sender claims a batch of due rows (account mails first) with one `UPDATE … RETURNING`,
`SKIP LOCKED` on PostgreSQL so concurrent senders take disjoint batches (SQLite runs one
writer at a time); then, outside any transaction, it sends the batch over a few connections
kept open for the whole round. The first connection to run out of mails records the outcome
so far and claims the next batch while the others finish theirs, so one slow exchange holds
back its own connection, not the round. `serve` (in-process jobs) and `comptoir worker` may
run side by side without ever sending a mail twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from tortoise import connections
from tortoise.expressions import F, Q
from tortoise.queryset import QuerySet

from models.mail import MailPriority, OutboxMail
from realtime.log import mail_queued
from resolvers.policy import Policy

log = logging.getLogger(__name__)

# A claim outlives the sending of its batch: a sender starts no exchange that could end after
# its claim ran out (see `_Feed.claim`), so a mail is only claimed again when its sender died.
CLAIM_SECONDS = 300
MAX_RETRY_SECONDS = 3600
BATCH = 50
CONNECTIONS = 8
# While one session's exchange drags on, the idle ones look for mails queued since this often:
# an account mail must not wait for a slow exchange's timeout.
RECLAIM_SECONDS = 0.5


class MailSession(Protocol):
    async def send(
        self, *, mail_id: int, to: str, subject: str, body: str, then: str | None = None
    ) -> None:
        """Hand one mail to the mail server (or its stand-in); raise when it was not taken.
        `then`: the recipient of the mail this session is handed next (SMTP announces it
        with this one's content)."""


class MailTransport(Protocol):
    @property
    def timeout_seconds(self) -> float:
        """The longest one exchange may take (the transport's own timeout)."""

    def session(self) -> AbstractAsyncContextManager[MailSession]:
        """A connection reused for several mails, closed on exit (closing never raises: the
        mails were taken)."""


async def enqueue_mail(
    *,
    to: str,
    subject: str,
    body: str,
    policy: Policy,
    priority: MailPriority = MailPriority.NOTIFICATION,
) -> None:
    """Queue a mail; call it inside the transaction of the change the mail reports (its
    commit rings `policy.doorbell`)."""
    await OutboxMail.create(
        recipient=to,
        subject=subject,
        body=body,
        priority=priority,
        next_attempt_at=datetime.now(UTC),
    )
    await mail_queued(policy.doorbell)


def retry_delay(attempts: int, *, first_seconds: float) -> timedelta:
    """Exponential backoff after `attempts` failures: first, twice, four times... capped at
    1 h (30 s, 1 min, 2 min... by default)."""
    seconds = first_seconds * 2 ** min(attempts - 1, 20)
    return timedelta(seconds=min(seconds, MAX_RETRY_SECONDS))


def _claimable(now: datetime) -> Q:
    return Q(sent_at__isnull=True) & (Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))


# One statement claims a batch: no row is read and then written, so no model is built and
# no second statement runs. On PostgreSQL the rows are locked as they are picked (a row
# another sender holds is skipped, one it claimed meanwhile is re-checked and left); SQLite
# runs the UPDATE with its write lock held from the start. `$n` is written `?n` for SQLite.
_CLAIM = """
WITH due AS MATERIALIZED (
    SELECT id FROM outbox_mail
    WHERE sent_at IS NULL AND (claimed_until IS NULL OR claimed_until < $1)
        AND next_attempt_at <= $1
    ORDER BY priority, next_attempt_at, id LIMIT $2{lock}
)
UPDATE outbox_mail SET claimed_until = $3 FROM due WHERE outbox_mail.id = due.id
RETURNING outbox_mail.id, recipient, subject, body, attempts, priority, next_attempt_at
"""


@dataclass(frozen=True)
class ClaimedMail:
    id: int
    recipient: str
    subject: str
    body: str
    attempts: int


async def _claim_batch(size: int) -> list[ClaimedMail]:
    """Claim up to `size` due mails, account mails first, oldest first."""
    now = datetime.now(UTC)
    conn = connections.get("default")
    if conn.capabilities.dialect == "postgres":
        sql = _CLAIM.format(lock=" FOR UPDATE SKIP LOCKED")
    else:
        sql = _CLAIM.format(lock="").replace("$", "?")
    rows = await conn.execute_query_dict(sql, [now, size, now + timedelta(seconds=CLAIM_SECONDS)])
    # RETURNING keeps no order; the dates compare as they are stored (SQLite: ISO text).
    rows.sort(key=lambda row: (row["priority"], row["next_attempt_at"], row["id"]))
    return [
        ClaimedMail(row["id"], row["recipient"], row["subject"], row["body"], row["attempts"])
        for row in rows
    ]


@dataclass
class _Outcome:
    sent: list[int]
    failed: list[tuple[ClaimedMail, str]]
    untouched: list[int]


@asynccontextmanager
async def _sessions(transport: MailTransport, count: int) -> AsyncIterator[list[MailSession]]:
    """`count` sessions kept for a whole round: batch after batch over the same connections
    (SMTP opens each on its first mail)."""
    async with AsyncExitStack() as stack:
        yield [await stack.enter_async_context(transport.session()) for _ in range(count)]


class _Feed:
    """A round's claimed mails, one queue for all its sessions. The session that finds it
    empty records what was done so far and claims the next batch while the others finish
    theirs: no session waits for the slowest one between batches, and while one exchange
    drags on, the idle sessions claim what was queued since."""

    def __init__(self, batch: int, *, policy: Policy, timeout: float) -> None:
        self.batch = batch
        self.policy = policy
        self.timeout = timeout
        self.queue: deque[tuple[ClaimedMail, float]] = deque()  # with its batch's deadline
        self.outcome = _Outcome(sent=[], failed=[], untouched=[])
        self.sent = 0
        self.exhausted = False  # the last claim was not full
        self.down = False  # the server took nothing of the last batch: its mails got backoff
        self.sending = 0  # sessions in an exchange
        self.exchanged = asyncio.Event()  # pulsed at the end of each exchange
        self._claimed_at = 0.0
        self._claiming = asyncio.Lock()

    async def claim(self) -> None:
        mails = await _claim_batch(self.batch)
        self._claimed_at = time.monotonic()
        # No exchange starts unless it ends, timeout included, well before the claim runs out.
        stop_at = self._claimed_at + CLAIM_SECONDS - 2 * self.timeout
        self.queue.extend((mail, stop_at) for mail in mails)
        self.exhausted = len(mails) < self.batch

    def take_nowait(self) -> ClaimedMail | None:
        if self.queue and time.monotonic() < self.queue[0][1]:
            return self.queue.popleft()[0]
        return None

    async def take(self) -> ClaimedMail | None:
        """The next mail; None once nothing is due and no other session is in an exchange."""
        while True:
            async with self._claiming:
                again = time.monotonic() - self._claimed_at >= RECLAIM_SECONDS
                if not self.queue and not self.down and (not self.exhausted or again):
                    await self.record()
                    if not self.down:
                        await self.claim()
                mail = self.take_nowait()
            if mail is not None or self.down or not self.sending:
                return mail
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(RECLAIM_SECONDS):
                    await self.exchanged.wait()

    async def record(self) -> None:
        done, self.outcome = self.outcome, _Outcome(sent=[], failed=[], untouched=[])
        self.sent += len(done.sent)
        if done.failed and not done.sent:
            self.down = True
        await _record(done, self.policy)


async def _pump(session: MailSession, feed: _Feed) -> None:
    mail = await feed.take()
    while mail is not None:
        following = feed.take_nowait()  # this session's next mail, announced with this one
        feed.sending += 1
        try:
            await session.send(
                mail_id=mail.id,
                to=mail.recipient,
                subject=mail.subject,
                body=mail.body,
                then=None if following is None else following.recipient,
            )
        except Exception as error:  # any failure: keep it, retry later
            feed.outcome.failed.append((mail, f"{type(error).__name__}: {error}"[:2000]))
        except BaseException:  # stopped: the following mail was not sent
            if following is not None:
                feed.outcome.untouched.append(following.id)
            raise
        else:
            feed.outcome.sent.append(mail.id)
        finally:
            feed.sending -= 1
            feed.exchanged.set()
            feed.exchanged.clear()
        mail = following if following is not None else await feed.take()


async def _record(outcome: _Outcome, policy: Policy) -> None:
    now = datetime.now(UTC)
    if outcome.sent:
        await OutboxMail.filter(id__in=outcome.sent).update(
            sent_at=now, claimed_until=None, attempts=F("attempts") + 1, last_error=None
        )
    for mail, error in outcome.failed:
        attempts = mail.attempts + 1
        log.warning(
            "mail %s to %s not sent (attempt %s): %s", mail.id, mail.recipient, attempts, error
        )
        await OutboxMail.filter(id=mail.id).update(
            attempts=attempts,
            next_attempt_at=now + retry_delay(attempts, first_seconds=policy.mail_retry_seconds),
            claimed_until=None,
            last_error=error,
        )
    if outcome.untouched:  # out of claim time: due again at once, for any sender
        await OutboxMail.filter(id__in=outcome.untouched).update(claimed_until=None)


async def send_due_mails(
    transport: MailTransport, *, policy: Policy, batch: int = BATCH, connections: int = CONNECTIONS
) -> int:
    """Send every mail due now, batch after batch; returns how many the transport took.

    Each batch is claimed afresh, so an account mail queued meanwhile overtakes the
    notifications still waiting.
    """
    feed = _Feed(batch, policy=policy, timeout=transport.timeout_seconds)
    await feed.claim()
    if not feed.queue:
        return 0
    try:
        async with _sessions(transport, connections) as sessions, asyncio.TaskGroup() as pumps:
            for session in sessions:
                pumps.create_task(_pump(session, feed))
    finally:
        # Also when the sender is stopped mid-way: what the server took is marked sent (a
        # mail in flight at that moment is sent again once its claim runs out), and what no
        # session took is free again at once, for any sender.
        feed.outcome.untouched.extend(mail.id for mail, _ in feed.queue)
        await feed.record()
    return feed.sent


async def _earliest(query: QuerySet[OutboxMail], field: str) -> datetime | None:
    found = await query.order_by(field).first().values_list(field, flat=True)
    return found if isinstance(found, datetime) else None


async def next_mail_due() -> datetime | None:
    """When the sender has something to do next: the earliest attempt time among unsent
    mails that no sender holds, or the end of the earliest claim (its sender may have died)."""
    now = datetime.now(UTC)
    found = [
        at
        for at in (
            await _earliest(OutboxMail.filter(_claimable(now)), "next_attempt_at"),
            await _earliest(
                OutboxMail.filter(sent_at__isnull=True, claimed_until__gte=now), "claimed_until"
            ),
        )
        if at is not None
    ]
    return min(found) if found else None


@dataclass(frozen=True)
class Backlog:
    unsent: int
    due: int
    oldest_due_seconds: float


async def mail_backlog(*, now: datetime | None = None) -> Backlog:
    """Unsent mails, how many are due, and how long the oldest due one has been waiting."""
    now = now or datetime.now(UTC)
    due = OutboxMail.filter(sent_at__isnull=True, next_attempt_at__lte=now)
    oldest = await _earliest(due, "next_attempt_at")
    age = (now - oldest).total_seconds() if oldest is not None else 0.0
    return Backlog(
        unsent=await OutboxMail.filter(sent_at__isnull=True).count(),
        due=await due.count(),
        oldest_due_seconds=round(max(0.0, age), 3),
    )
