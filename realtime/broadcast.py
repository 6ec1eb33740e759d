"""The app's live delivery: its broadcast (in-memory by default, Redis across processes), its
hub and its doorbell; `create_app` builds one `Live`, its lifespan runs it.

The broadcast only carries doorbells ("the log has grown up to id N"); the hub reads the log.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from broadcaster import Broadcast

from models.events import Event
from realtime.doorbell import CHANNEL, Doorbell
from realtime.hub import Hub
from realtime.log import last_event_id

if TYPE_CHECKING:
    from realtime.redis_backend import ResilientRedisBackend

# Delivery this far behind the log means the process is not doing its job.
MAX_LAG_SECONDS = 30.0


class Channel:
    """A broadcast, the doorbell that rings through it while it is connected and, across
    processes, the Redis backend we built for it (the one that knows whether it is
    connected; the in-memory one always is)."""

    def __init__(
        self, redis_url: str | None, *, on_reconnect: Callable[[], Awaitable[None]] | None = None
    ) -> None:
        self.doorbell = Doorbell()
        self.redis: ResilientRedisBackend | None = None
        self._reconnected = [on_reconnect] if on_reconnect is not None else []
        if not redis_url:
            self.broadcast = Broadcast("memory://")
        else:
            from realtime.redis_backend import ResilientRedisBackend

            self.redis = ResilientRedisBackend(redis_url)
            # What was published while Redis was away is lost: the callers re-read their
            # source (the hub its log, the jobs runner its due rows).
            self.redis.on_reconnect = self._reconnect
            self.broadcast = Broadcast(backend=self.redis)

    @property
    def connected(self) -> bool:
        return self.redis is None or self.redis.connected

    def on_reconnect(self, callback: Callable[[], Awaitable[None]]) -> None:
        """Also await `callback` after every (re)connection (never with the in-memory one)."""
        self._reconnected.append(callback)

    async def _reconnect(self) -> None:
        for callback in self._reconnected:
            await callback()


@asynccontextmanager
async def open_broadcast(
    redis_url: str | None, *, on_reconnect: Callable[[], Awaitable[None]] | None = None
) -> AsyncIterator[Channel]:
    """A connected broadcast and its doorbell (processes without a hub: worker, commands)."""
    channel = Channel(redis_url, on_reconnect=on_reconnect)
    async with connected(channel):
        yield channel


@asynccontextmanager
async def connected(channel: Channel) -> AsyncIterator[Broadcast]:
    """The channel's broadcast connected, its doorbell ringing through it until the exit."""
    broadcast = channel.broadcast
    await broadcast.connect()

    async def publish(name: str, message: str) -> None:
        await broadcast.publish(channel=name, message=message)

    channel.doorbell.connect(publish)
    try:
        yield broadcast
    finally:
        channel.doorbell.connect(None)
        await broadcast.disconnect()


class Live:
    """One app's hub, fed by its broadcast's doorbells, reconnections and a periodic tick."""

    def __init__(self, redis_url: str | None, *, queue_size: int, tick_seconds: float) -> None:
        self.hub = Hub(queue_size=queue_size, tick_seconds=tick_seconds)
        self.channel = Channel(redis_url, on_reconnect=self.hub.poke_async)

    @property
    def broadcast(self) -> Broadcast:
        return self.channel.broadcast

    @property
    def doorbell(self) -> Doorbell:
        """What this app's commits ring (its resolvers receive it in their `Policy`)."""
        return self.channel.doorbell

    @property
    def connected(self) -> bool:
        return self.channel.connected

    @asynccontextmanager
    async def running(self) -> AsyncIterator[Live]:
        await self.hub.start()
        try:
            async with connected(self.channel) as broadcast:
                ready = asyncio.Event()
                listener = asyncio.create_task(
                    _listen(broadcast, self.hub, ready), name="hub-doorbell"
                )
                await ready.wait()
                try:
                    yield self
                finally:
                    listener.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await listener
        finally:
            await self.hub.stop()

    async def status(self) -> dict[str, Any]:
        """Whether the broadcast is up and how far delivery lags the log (for /readyz)."""
        log_id = await last_event_id()
        routed = self.hub.routed_id
        lag_seconds = 0.0
        if log_id > routed:
            oldest = await Event.filter(id__gt=routed).order_by("id").first()
            if oldest is not None:
                lag_seconds = max(0.0, (datetime.now(UTC) - oldest.at).total_seconds())
        return {
            "connected": self.connected,
            "log_id": log_id,
            "delivered_id": routed,
            "lag_events": max(0, log_id - routed),
            "lag_seconds": round(lag_seconds, 3),
            "subscriptions": self.hub.subscriptions,
            "ok": self.connected and lag_seconds <= MAX_LAG_SECONDS,
        }


async def _listen(broadcast: Broadcast, hub: Hub, ready: asyncio.Event) -> None:
    async with broadcast.subscribe(CHANNEL) as subscriber:
        ready.set()
        hub.poke()  # anything committed before the subscription took effect
        # broadcaster types Subscriber.__aiter__ as returning an Optional generator.
        async for event in subscriber:  # type: ignore[union-attr]
            message = getattr(event, "message", None)
            # A doorbell names the id it announces; anything else still means "read the log".
            hub.poke(int(message) if isinstance(message, str) and message.isdigit() else None)
