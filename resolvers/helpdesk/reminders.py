"""What a thread's reply deadline passing does beside its alert: the seller is mailed once."""

from __future__ import annotations

from datetime import datetime

from models.helpdesk import Thread
from resolvers.helpdesk.mails import overdue_mail
from resolvers.policy import Policy


async def remind_seller(thread_id: int, *, due: datetime, policy: Policy) -> None:
    """Mail the seller that the thread's deadline `due` has passed, in the caller's transaction
    (the alert job's OVERDUE transition).

    Conditional on the flag (cleared whenever the deadline moves), so a reminder already sent
    for `due` is not sent twice: reminders had a job of their own before the alert job carried
    them, which may have got there first on an upgraded database.
    """
    reminded = await Thread.filter(
        id=thread_id, response_due_at=due, overdue_reminded=False
    ).update(overdue_reminded=True)
    if reminded:
        await overdue_mail(await Thread.get(id=thread_id), policy=policy)
