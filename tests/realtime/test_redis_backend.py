"""ResilientRedisBackend against a real redis-server that the tests start, kill, pause, resume."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Protocol

import pytest
import pytest_asyncio
from broadcaster import Broadcast, Event
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from realtime.redis_backend import ResilientRedisBackend
from tests.integration.live_redis import Redis as RedisServer

pytestmark = pytest.mark.redis


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    yield server
    server.kill()


@pytest.fixture
def backend(redis_server: RedisServer) -> ResilientRedisBackend:
    return ResilientRedisBackend(redis_server.url)


class ReconnectMarker:
    """Stands in for the app's catch-up: counts the backend's on_reconnect calls."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self) -> None:
        self.calls += 1


@pytest.fixture
def marker(backend: ResilientRedisBackend) -> ReconnectMarker:
    backend.on_reconnect = marker = ReconnectMarker()
    return marker


@pytest_asyncio.fixture
async def broadcast(
    backend: ResilientRedisBackend, marker: ReconnectMarker
) -> AsyncIterator[Broadcast]:
    async with Broadcast(backend=backend) as broadcast:
        yield broadcast


async def eventually(condition: Callable[[], bool], within: float, what: str) -> None:
    """Wait until `condition()` holds (`within` s bounds a failure)."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    while not condition():
        if loop.time() - start > within:
            raise AssertionError(f"not within {within} s: {what}")
        await asyncio.sleep(0.02)


class Subscriber(Protocol):
    """A subscription, as the tests read it (broadcaster keeps its class in a private module)."""

    async def get(self) -> Event: ...


async def receive_until(subscriber: Subscriber, message: str, within: float = 3.0) -> Event:
    """Skip older messages (Redis may still deliver ones published before an outage)."""
    async with asyncio.timeout(within):
        while True:
            event = await subscriber.get()
            if event.message == message:
                return event


@pytest.mark.asyncio
async def test_the_first_channel_receives_the_first_message(broadcast: Broadcast) -> None:
    async with broadcast.subscribe("orders") as subscriber:
        await broadcast.publish("orders", "first")
        event = await asyncio.wait_for(subscriber.get(), 2)
    assert event == Event(channel="orders", message="first")


@pytest.mark.asyncio
async def test_fifty_concurrent_subscribers_each_receive_their_message(
    broadcast: Broadcast,
) -> None:
    everyone_subscribed = asyncio.Barrier(50)

    async def subscribe_then_receive(n: int) -> Event:
        async with broadcast.subscribe(f"thread.{n}") as subscriber:
            await everyone_subscribed.wait()
            await broadcast.publish(f"thread.{n}", f"message {n}")
            return await asyncio.wait_for(subscriber.get(), 3)

    events = await asyncio.gather(*(subscribe_then_receive(n) for n in range(50)))
    assert events == [Event(channel=f"thread.{n}", message=f"message {n}") for n in range(50)]


@pytest.mark.asyncio
async def test_a_killed_and_restarted_redis_is_rejoined_and_signalled(
    broadcast: Broadcast,
    backend: ResilientRedisBackend,
    marker: ReconnectMarker,
    redis_server: RedisServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="realtime.redis_backend")
    assert backend.connected
    await eventually(lambda: marker.calls == 1, 1, "catch-up signalled after the first connection")
    async with broadcast.subscribe("orders") as subscriber:
        await broadcast.publish("orders", "before")
        await receive_until(subscriber, "before")

        redis_server.kill()
        await eventually(lambda: not backend.connected, 2, "loss noticed")
        redis_server.start()
        await eventually(lambda: backend.connected, 5, "reconnected")
        await eventually(lambda: marker.calls == 2, 1, "catch-up signalled after reconnection")

        await broadcast.publish("orders", "after")
        assert await receive_until(subscriber, "after") == Event("orders", "after")
    assert "connection lost" in caplog.text
    assert "reconnected after" in caplog.text


@pytest.mark.asyncio
async def test_a_paused_redis_is_noticed_and_rejoined_when_it_resumes(
    broadcast: Broadcast,
    backend: ResilientRedisBackend,
    marker: ReconnectMarker,
    redis_server: RedisServer,
) -> None:
    async with broadcast.subscribe("orders") as subscriber:
        redis_server.signal(signal.SIGSTOP)
        try:
            loop = asyncio.get_running_loop()
            paused = loop.time()
            await eventually(lambda: not backend.connected, 5, "pause noticed")
            with pytest.raises(ConnectionError) as refused:
                await broadcast.publish("orders", "while paused")
            # A paused Redis never answers: only the publish bound ends the wait.
            assert isinstance(refused.value.__cause__, (TimeoutError, RedisTimeoutError))
            await asyncio.sleep(max(0.0, 5 - (loop.time() - paused)))
        finally:
            redis_server.signal(signal.SIGCONT)
        await eventually(lambda: backend.connected, 8, "reconnected after resume")
        assert marker.calls >= 2
        await broadcast.publish("orders", "after")
        await receive_until(subscriber, "after")


@pytest.mark.asyncio
async def test_a_killed_pubsub_client_is_rejoined(
    broadcast: Broadcast,
    backend: ResilientRedisBackend,
    marker: ReconnectMarker,
    redis_server: RedisServer,
) -> None:
    async with broadcast.subscribe("orders") as subscriber:
        admin = Redis.from_url(redis_server.url)
        try:
            assert await admin.client_kill_filter(_type="pubsub") == 1
        finally:
            await admin.aclose()
        await eventually(lambda: marker.calls == 2 and backend.connected, 3, "rejoined")
        await broadcast.publish("orders", "after")
        await receive_until(subscriber, "after")


@pytest.mark.asyncio
async def test_publishing_while_redis_is_down_fails_at_once_with_connection_error(
    broadcast: Broadcast,
    backend: ResilientRedisBackend,
    redis_server: RedisServer,
) -> None:
    redis_server.kill()
    await eventually(lambda: not backend.connected, 2, "loss noticed")
    with pytest.raises(ConnectionError) as refused:
        await broadcast.publish("orders", "lost doorbell")
    # Refused by the closed port, not given up on after a timeout.
    assert isinstance(refused.value.__cause__, RedisConnectionError)
