"""The per-process hub: reads the event log after the highest id it routed, routes by audience.

The log is the truth; doorbells, broadcast reconnections and a periodic tick only say "read
the log again". Routing touches only the subscriptions indexed under the event's audience
keys, never every subscriber.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

from models.events import Event, EventKind
from realtime.audience import Audience, Key, event_keys
from realtime.log import last_event_id
from realtime.streams import Subscription

log = logging.getLogger(__name__)

T = TypeVar("T")
SessionWatcher = Callable[[], None]


class Hub:
    def __init__(
        self, *, queue_size: int, tick_seconds: float, batch: int = 500, cache_size: int = 4096
    ) -> None:
        self.queue_size = queue_size
        self.tick_seconds = tick_seconds
        self.batch = batch
        # Every event up to this id has been offered to the subscriptions it concerns.
        self.routed_id = 0
        self._index: dict[Key, set[Subscription]] = {}
        self._sessions: dict[int, set[SessionWatcher]] = {}
        self._cache: OrderedDict[Hashable, asyncio.Future[Any]] = OrderedDict()
        self._cache_size = cache_size
        self._started = False
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self.subscriptions = 0

    async def start(self) -> None:
        try:
            await self.rewind()
        except Exception as error:  # no database or schema yet: the pump retries on its first run
            log.warning("event log unreadable at start (%r); delivery begins once it is", error)
        self._tasks = [
            asyncio.create_task(self._pump(), name="hub-pump"),
            asyncio.create_task(self._tick(), name="hub-tick"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        for subscriptions in list(self._index.values()):
            for subscription in list(subscriptions):
                subscription.close()

    async def rewind(self) -> None:
        """Start from the end of the log as it is now (what is already there is not news).

        Also after the log was emptied (tests): ids restart, so renders keyed by id are dropped.
        """
        self.routed_id = await last_event_id()
        self._cache.clear()
        self._started = True

    def poke(self, event_id: int | None = None) -> None:
        """The log may have grown (up to `event_id` when known): read it after `routed_id`."""
        if event_id is None or event_id > self.routed_id:
            self._wake.set()

    async def poke_async(self) -> None:
        """`poke` for callers that expect a coroutine (the broadcast's reconnection signal)."""
        self.poke()

    def open(self, audience: Audience, *, after: int | None) -> Subscription:
        """Register a subscription now (live first), replaying the log after `after` if given.

        Without `after` it starts at what this process has routed, so every event committed
        after this call is delivered.
        """
        subscription = Subscription(
            self,
            audience,
            start=self.routed_id if after is None else after,
            replay=after is not None,
        )
        for key in audience.index_keys():
            self._index.setdefault(key, set()).add(subscription)
        self.subscriptions += 1
        return subscription

    def streams(self) -> list[Subscription]:
        """The open subscriptions, each once (for reports and tests)."""
        return list({s for members in self._index.values() for s in members})

    def forget(self, subscription: Subscription) -> None:
        for key in subscription.audience.index_keys():
            members = self._index.get(key)
            if members is not None and subscription in members:
                members.discard(subscription)
                if not members:
                    del self._index[key]
        self.subscriptions -= 1

    def watch_session(self, session_id: int, watcher: SessionWatcher) -> Callable[[], None]:
        """Call `watcher` when the session's revocation is routed; returns the unwatch."""
        self._sessions.setdefault(session_id, set()).add(watcher)

        def unwatch() -> None:
            watchers = self._sessions.get(session_id)
            if watchers is not None:
                watchers.discard(watcher)
                if not watchers:
                    del self._sessions[session_id]

        return unwatch

    async def session_revoked_after(self, session_id: int, position: int) -> bool:
        """Whether the log holds the session's revocation after `position`."""
        return await Event.filter(
            kind=EventKind.SESSION_REVOKED, session_id=session_id, id__gt=position
        ).exists()

    async def cached(self, key: Hashable, make: Callable[[], T | Awaitable[T]]) -> T:
        """`make()` once per key among concurrent and recent callers (bounded LRU).

        Subscribers sharing a document and a viewer class share one execution per event. A
        result `make` can give at once is stored at once, so the subscribers woken by the same
        event never wait on each other; otherwise the work runs in a task of its own, so that
        a subscriber leaving midway cancels nobody else.
        """
        entry = self._cache.get(key)
        if entry is None:
            produced = make()
            if not inspect.isawaitable(produced):
                entry = asyncio.get_running_loop().create_future()
                entry.set_result(produced)
                self._remember(key, entry)
                return produced
            entry = asyncio.ensure_future(produced)
            entry.add_done_callback(_retrieve)
            self._remember(key, entry)
        else:
            self._cache.move_to_end(key)
            if entry.done() and not entry.cancelled() and entry.exception() is None:
                done: T = entry.result()
                return done
        try:
            result: T = await asyncio.shield(entry)
        except Exception:
            self._cache.pop(key, None)  # a failure is not remembered
            raise
        return result

    def _remember(self, key: Hashable, entry: asyncio.Future[Any]) -> None:
        self._cache[key] = entry
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    async def catch_up(self) -> None:
        """Read the log after `routed_id` and route every row, in id order."""
        if not self._started:
            await self.rewind()
        while True:
            rows = await Event.filter(id__gt=self.routed_id).order_by("id").limit(self.batch)
            for event in rows:
                self._route(event)
            if len(rows) < self.batch:
                return

    def _route(self, event: Event) -> None:
        targets: set[Subscription] = set()
        for key in event_keys(event):
            members = self._index.get(key)
            if members:
                targets.update(members)
        for subscription in targets:
            subscription.offer(event)
        if event.kind == EventKind.SESSION_REVOKED and event.session_id is not None:
            for watcher in list(self._sessions.get(event.session_id, ())):
                watcher()
        self.routed_id = event.id

    async def _pump(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                await self.catch_up()
            except Exception:  # the database may be briefly away: the tick retries
                log.warning("event log catch-up failed; retrying on the next tick", exc_info=True)

    async def _tick(self) -> None:
        # Covers lost doorbells and a process that died between its commit and its publish.
        while True:
            await asyncio.sleep(self.tick_seconds)
            self.poke()


def _retrieve(task: asyncio.Future[Any]) -> None:
    # Each waiter re-raises the failure; this keeps asyncio from logging it as unretrieved.
    if not task.cancelled():
        task.exception()
