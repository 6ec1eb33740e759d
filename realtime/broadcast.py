"""The process's broadcast (in-memory by default, Redis across processes) and live delivery.

The broadcast only carries doorbells ("the log has grown up to id N"); the hub reads the log.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from broadcaster import Broadcast

from models.events import Event
from realtime import doorbell
from realtime.hub import Hub, running_hub
from realtime.log import last_event_id

# Delivery this far behind the log means the process is not doing its job.
MAX_LAG_SECONDS = 30.0


def _make_broadcast(
    redis_url: str | None, on_reconnect: Callable[[], Awaitable[None]] | None
) -> Broadcast:
    if not redis_url:
        return Broadcast("memory://")
    from realtime.redis_backend import ResilientRedisBackend

    backend = ResilientRedisBackend(redis_url)
    backend.on_reconnect = on_reconnect
    return Broadcast(backend=backend)


@asynccontextmanager
async def open_broadcast(
    redis_url: str | None, *, on_reconnect: Callable[[], Awaitable[None]] | None = None
) -> AsyncIterator[Broadcast]:
    """Connect the broadcast and install it as the doorbells (event log, mail outbox).

    `on_reconnect` runs after each (re)connection to Redis: what was published meanwhile is
    lost, so the caller re-reads its log.
    """
    broadcast = _make_broadcast(redis_url, on_reconnect)
    await broadcast.connect()

    async def publish(channel: str, message: str) -> None:
        await broadcast.publish(channel=channel, message=message)

    previous = doorbell.install(publish)
    try:
        yield broadcast
    finally:
        doorbell.install(previous)
        await broadcast.disconnect()


@dataclass
class Live:
    broadcast: Broadcast
    hub: Hub

    @property
    def connected(self) -> bool:
        return bool(getattr(self.broadcast._backend, "connected", True))

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


@asynccontextmanager
async def open_live(
    redis_url: str | None, *, queue_size: int, tick_seconds: float
) -> AsyncIterator[Live]:
    """The hub fed by the broadcast's doorbells, reconnections and a periodic tick."""
    async with (
        running_hub(queue_size=queue_size, tick_seconds=tick_seconds) as hub,
        open_broadcast(redis_url, on_reconnect=hub.poke_async) as broadcast,
    ):
        ready = asyncio.Event()
        listener = asyncio.create_task(_listen(broadcast, hub, ready), name="hub-doorbell")
        await ready.wait()
        try:
            yield Live(broadcast, hub)
        finally:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener


async def _listen(broadcast: Broadcast, hub: Hub, ready: asyncio.Event) -> None:
    async with broadcast.subscribe(doorbell.CHANNEL) as subscriber:
        ready.set()
        hub.poke()  # anything committed before the subscription took effect
        # broadcaster types Subscriber.__aiter__ as returning an Optional generator.
        async for event in subscriber:  # type: ignore[union-attr]
            message = getattr(event, "message", None)
            # A doorbell names the id it announces; anything else still means "read the log".
            hub.poke(int(message) if isinstance(message, str) and message.isdigit() else None)
