"""What a life cycle calls when a deadline of one of its rows may have moved."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Protocol

from tortoise.expressions import F

from models.claims import Claim, ClaimStatus
from models.deadlines import Deadline, DeadlineSource
from models.helpdesk import Thread


async def touch(source: DeadlineSource, source_id: int, *, at: datetime) -> None:
    """Ask the alert job to read `source_id`'s deadline again, from `at` on.

    Call it inside the transaction that changes the source: the new version makes any alert
    the job computed from the old state lose its conditional update, and the event the
    transaction appends rings the job awake after the commit.
    """
    # Insert-or-nothing then update: two first touches racing never collide on the unique key.
    await Deadline.bulk_create(
        [Deadline(source=source, source_id=source_id, next_alert_at=at)], ignore_conflicts=True
    )
    await Deadline.filter(source=source, source_id=source_id).update(
        version=F("version") + 1, next_alert_at=at
    )


class StatusChange(Protocol):
    """A history row of any life cycle (orders, quotes, claims)."""

    @property
    def from_status(self) -> StrEnum | None: ...
    @property
    def to_status(self) -> StrEnum: ...
    @property
    def at(self) -> datetime: ...


async def touch_on_status(
    source: DeadlineSource, source_id: int, *, running_in: StrEnum, change: StatusChange
) -> None:
    """`touch` when `change` enters or leaves `running_in`, the status the deadline runs in."""
    if running_in in (change.from_status, change.to_status):
        await touch(source, source_id, at=change.at)


async def thread_deadline_moved(thread: Thread, *, at: datetime) -> None:
    """`touch` a thread's SLA and the answer due on the OPEN claim it belongs to (the claim's
    `respondBy` is its thread's deadline)."""
    if thread.seller_id is None:
        return  # a support ticket: the platform answers, no seller deadline
    await touch(DeadlineSource.SLA, thread.id, at=at)
    for claim in await Claim.filter(thread_id=thread.id, status=ClaimStatus.OPEN).only("id"):
        await touch(DeadlineSource.CLAIM, claim.id, at=at)
