"""The process's broadcast: in-memory by default, Redis across processes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from broadcaster import Broadcast

from realtime import doorbell


@asynccontextmanager
async def open_broadcast(redis_url: str | None) -> AsyncIterator[Broadcast]:
    """Connect the broadcast and install it as the doorbell for the event log."""
    if redis_url:
        from realtime.redis_backend import ResilientRedisBackend

        broadcast = Broadcast(backend=ResilientRedisBackend(redis_url))
    else:
        broadcast = Broadcast("memory://")
    await broadcast.connect()

    async def ring(event_id: int) -> None:
        await broadcast.publish(channel=doorbell.CHANNEL, message=str(event_id))

    doorbell.install(ring)
    try:
        yield broadcast
    finally:
        doorbell.install(None)
        await broadcast.disconnect()
