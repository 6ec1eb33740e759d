"""One subscription's stream: live events from the hub, the log when replaying or behind.

Two positions make "no gap, no duplicate" hold across the switch between live and log:
`delivered` (the last id handed to the client) and `seen` (every id up to it is queued,
delivered, or does not concern this stream). The hub's offers at or below `seen` are dropped;
a replay reads the log in (`seen`, hub.routed_id] and, once it has reached what the hub has
routed, the stream takes live offers again, all without a gap since nothing awaits between the
check and the switch.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import Protocol

from models.events import Event
from realtime.audience import Audience


class Router(Protocol):
    """What a stream needs of the hub that feeds it (realtime.hub.Hub), named here so that
    the hub imports the streams and not the other way round."""

    queue_size: int
    routed_id: int

    def forget(self, subscription: Subscription) -> None: ...


class StreamClosed(Exception):
    """The stream was closed by the server (the hub stopped)."""


class Subscription:
    def __init__(self, hub: Router, audience: Audience, *, start: int, replay: bool) -> None:
        self.hub = hub
        self.audience = audience
        self.delivered = start
        self.seen = start
        # While true the hub's offers are ignored and the stream reads the log instead: at
        # start when replaying `after`, and after its bounded queue overflowed.
        self.from_log = replay
        self.overflows = 0
        self._queue: deque[Event] = deque()
        # Who is told that `pending()` has something: a consumer without a task of its own
        # sets `wake`; `next()` waits on `_ready`, created when it first has to wait.
        self.wake: Callable[[], None] | None = None
        self._ready: asyncio.Event | None = None
        self._closed = False

    @property
    def backlog(self) -> int:
        """Events queued for the client and not yet taken (bounded by the hub's queue size)."""
        return len(self._queue)

    def offer(self, event: Event) -> None:
        """A live event from the hub (synchronous: the hub never waits for a subscriber)."""
        if self._closed or self.from_log or event.id <= self.seen:
            return
        if not self.audience.admits(event):
            return
        if len(self._queue) >= self.hub.queue_size:
            # Too far behind: free the queue and re-read the log from what was delivered.
            self._queue.clear()
            self.seen = self.delivered
            self.from_log = True
            self.overflows += 1
        else:
            self._queue.append(event)
            self.seen = event.id
        self._signal()

    @property
    def idle(self) -> bool:
        """Nothing for `pending()` to return until the hub offers more."""
        return not self._queue and not self.from_log

    async def pending(self) -> Event | None:
        """The next event for this stream, in id order, each exactly once; None when there is
        none until the hub offers more (the log is read first when the stream is behind)."""
        while True:
            if self._closed:
                raise StreamClosed
            if self._queue:
                event = self._queue.popleft()
                self.delivered = event.id
                return event
            if not self.from_log:
                return None
            await self._read_log()

    async def next(self) -> Event:
        """The next event for this stream, waiting for it."""
        while (event := await self.pending()) is None:
            if self._ready is None:
                self._ready = asyncio.Event()
            self._ready.clear()
            await self._ready.wait()
        return event

    def _signal(self) -> None:
        if self.wake is not None:
            self.wake()
        elif self._ready is not None:
            self._ready.set()

    async def _read_log(self) -> None:
        horizon = self.hub.routed_id
        limit = self.hub.queue_size
        rows = await (
            Event.filter(self.audience.where(), id__gt=self.seen, id__lte=horizon)
            .order_by("id")
            .limit(limit)
        )
        if self._closed:
            return
        self._queue.extend(rows)
        self.seen = rows[-1].id if len(rows) == limit else max(self.seen, horizon)
        # No await between this check and the switch: an event the hub routes next is offered
        # to us live, and everything up to routed_id has been read from the log.
        if self.seen >= self.hub.routed_id:
            self.from_log = False

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._queue.clear()
            self.hub.forget(self)
            self._signal()  # the consumer learns it from `pending()`
