"""The SLA job: a seller is mailed once when a thread's reply deadline has passed."""

from __future__ import annotations

from datetime import datetime

from models.helpdesk import Thread
from realtime.log import atomic
from resolvers.clock import utc_now
from resolvers.helpdesk.mails import overdue_mail
from resolvers.policy import Policy

BATCH = 100


async def _remind(thread: Thread, *, policy: Policy) -> bool:
    """Claim and mail one reminder; of two job runners racing, one wins the conditional update."""
    async with atomic():
        claimed = await Thread.filter(
            id=thread.id, overdue_reminded=False, response_due_at=thread.response_due_at
        ).update(overdue_reminded=True)
        if claimed != 1:
            return False
        await overdue_mail(thread, policy=policy)
    return True


async def remind_overdue_threads(*, policy: Policy, now: datetime | None = None) -> int:
    """Mail each seller whose thread went past its deadline; returns how many were sent."""
    due = Thread.filter(
        response_due_at__lt=utc_now(now),
        overdue_reminded=False,
        seller_id__isnull=False,
        seller__account__deleted_at__isnull=True,
    )
    sent, after = 0, 0
    while page := await due.filter(id__gt=after).order_by("id").limit(BATCH):
        after = page[-1].id
        sent += sum([await _remind(thread, policy=policy) for thread in page])
    return sent
