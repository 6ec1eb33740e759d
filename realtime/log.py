"""The event log: appended inside the change's own transaction, announced after commit.

`atomic()` also announces queued mail after commit (`mail_queued`), so the mail sender wakes
the moment the mails it may send are visible. Each announcement goes to the doorbell its
writer was handed (its app's), never to a process-wide one.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from models.events import Event, EventKind
from realtime.doorbell import Doorbell

log = logging.getLogger(__name__)


class _Pending:
    """What the transaction running in this task will announce after its commit."""

    def __init__(self) -> None:
        # The highest event id each doorbell will announce, and the doorbells told of mail.
        self.events: dict[Doorbell, int] = {}
        self.mail: dict[Doorbell, None] = {}

    def append(self, event_id: int, doorbell: Doorbell) -> None:
        self.events[doorbell] = max(event_id, self.events.get(doorbell, 0))


_pending: ContextVar[_Pending | None] = ContextVar("comptoir_pending_events", default=None)

# Any constant: the one advisory lock that orders event inserts on PostgreSQL.
_EVENT_LOCK_KEY = 0x636F6D70  # "comp"


@asynccontextmanager
async def atomic() -> AsyncIterator[BaseDBAsyncClient]:
    """A transaction whose appended events are announced once it has committed.

    Nested calls join the outer transaction, so the doorbell never rings before the outermost
    commit.
    """
    outer = _pending.get()
    if outer is not None:
        async with in_transaction() as conn:
            yield conn
        return
    pending = _Pending()
    token = _pending.set(pending)
    try:
        async with in_transaction() as conn:
            yield conn
    finally:
        _pending.reset(token)
    for doorbell, event_id in pending.events.items():
        await doorbell.ring(event_id)
    for doorbell in pending.mail:
        await doorbell.ring_mail()


async def mail_queued(doorbell: Doorbell) -> None:
    """Wake the mail sender once the running `atomic()` block commits (at once outside one)."""
    pending = _pending.get()
    if pending is None:
        await doorbell.ring_mail()
    else:
        pending.mail[doorbell] = None


async def append_event(
    kind: EventKind,
    payload: dict[str, Any],
    *,
    doorbell: Doorbell,
    at: datetime | None = None,
    buyer_id: int | None = None,
    seller_id: int | None = None,
    company_id: int | None = None,
    order_id: int | None = None,
    thread_id: int | None = None,
    quote_id: int | None = None,
    account_id: int | None = None,
    session_id: int | None = None,
    claim_id: int | None = None,
) -> Event:
    """Append an event to the log inside the caller's `atomic()` block; `doorbell` announces
    it after the outermost commit.

    Call it last in the transaction: on PostgreSQL it takes a transaction-scoped lock that
    serialises event inserts until commit, so ids become visible in increasing order (a reader
    that has seen id N never later discovers a smaller id committed late).
    """
    pending = _pending.get()
    if pending is None:
        raise RuntimeError("append_event() must run inside realtime.log.atomic()")
    conn = connections.get("default")
    if conn.capabilities.dialect == "postgres":
        await conn.execute_query("SELECT pg_advisory_xact_lock($1)", [_EVENT_LOCK_KEY])
    event = await Event.create(
        kind=kind,
        payload=payload,
        at=at or datetime.now(UTC),
        buyer_id=buyer_id,
        seller_id=seller_id,
        company_id=company_id,
        order_id=order_id,
        thread_id=thread_id,
        quote_id=quote_id,
        account_id=account_id,
        session_id=session_id,
        claim_id=claim_id,
        using_db=conn,
    )
    pending.append(event.id, doorbell)
    return event


async def last_event_id() -> int:
    rows = await Event.all().order_by("-id").limit(1).values("id")
    return int(rows[0]["id"]) if rows else 0
