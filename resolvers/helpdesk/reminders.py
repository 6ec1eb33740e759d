"""The SLA job: a seller is mailed once when a thread's reply deadline has passed."""

from __future__ import annotations

from datetime import datetime

from models.helpdesk import Thread
from realtime.log import atomic
from resolvers.helpdesk import sla
from resolvers.helpdesk.mails import overdue_mail

BATCH = 100


async def _remind(thread: Thread) -> bool:
    """Claim and mail one reminder; of two job runners racing, one wins the conditional update."""
    async with atomic():
        claimed = await Thread.filter(
            id=thread.id, overdue_reminded=False, response_due_at=thread.response_due_at
        ).update(overdue_reminded=True)
        if claimed != 1:
            return False
        await overdue_mail(thread)
    return True


async def remind_overdue_threads(*, now: datetime | None = None) -> int:
    """Mail each seller whose thread just went past its deadline; returns how many were sent."""
    due = await (
        Thread.filter(response_due_at__lt=sla.utc_now(now), overdue_reminded=False,
                      seller_id__isnull=False, seller__account__deleted_at__isnull=True)
        .order_by("response_due_at")
        .limit(BATCH)
    )
    return sum([await _remind(thread) for thread in due])
