"""A broadcaster backend on Redis pub/sub that survives restarts, pauses and killed connections.

broadcaster 0.3.1's RedisBackend loses the first subscription with redis-py 8 and its listener
dies silently when the connection drops (REALTIME.md). This one keeps ONE subscriber
connection, written under a lock and read by ONE task:

* `subscribe` returns once Redis confirmed it. While Redis is down it only records the
  channel, subscribed on reconnection (waiting would hang the caller).
* After `health_interval` s without traffic the reader PINGs; no frame within `timeout` s
  means the link is dead (a SIGSTOPped Redis is noticed in ~3 s with the defaults).
* On loss: a warning, reconnection forever with capped jittered backoff, every channel
  re-subscribed, an info line. `next_published` never raises.
* `publish` uses its own pool, bounded by `publish_timeout` (<= 1 s): while Redis is
  unreachable it raises the builtin `ConnectionError` quickly.
* `connected` is True while the subscriber is up and subscribed (readiness probe).

Reconnect signal: the `on_reconnect` attribute (`async def () -> None`), not a synthetic Event.
Pub/sub is at-most-once: what was published while we were away is gone. After every
connection, the first included, once all channels are subscribed, the backend awaits
`on_reconnect()` so the app re-reads its event log after the highest id it delivered; also
when the bounded queue overflowed and a message was dropped. Calls run in a task of their
own, one at a time, coalesced (signals during a call cause one more call); exceptions are
logged, never raised here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable
from typing import Any

from broadcaster import BroadcastBackend, Event
from redis.asyncio import ConnectionPool, Redis
from redis.asyncio.connection import AbstractConnection
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

# Failures that mean "Redis is unreachable right now" (builtin TimeoutError is an OSError).
_UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class ResilientRedisBackend(BroadcastBackend):
    def __init__(
        self,
        url: str,
        *,
        health_interval: float = 1.0,
        timeout: float = 2.0,
        publish_timeout: float = 1.0,
        max_backoff: float = 5.0,
        max_queue: int = 10_000,
    ) -> None:
        self.on_reconnect: Callable[[], Awaitable[None]] | None = None
        self._health_interval = health_interval
        self._timeout = timeout
        self._publish_timeout = publish_timeout
        self._max_backoff = max_backoff
        pool = ConnectionPool.from_url(url, protocol=2)
        # Querystring options beat keyword arguments in from_url, so ours are forced afterwards:
        # failure detection and the publish bound depend on them, and RESP2 keeps pub/sub
        # frames plain arrays (redis-py 8 defaults to RESP3, whose push frames need handlers).
        pool.connection_kwargs.update(  # one instant retry replaces a socket a restart killed
            protocol=2,
            socket_timeout=publish_timeout,
            socket_connect_timeout=publish_timeout,
            retry=Retry(NoBackoff(), 1),
        )
        self._publisher = Redis.from_pool(pool)
        self._connection_class = pool.connection_class
        self._subscriber_kwargs: dict[str, Any] = {  # our loop does the retrying, with backoff
            **pool.connection_kwargs,
            "socket_timeout": timeout,
            "socket_connect_timeout": timeout,
            "retry": Retry(NoBackoff(), 0),
        }
        self._channels: set[str] = set()
        self._confirmations: dict[str, asyncio.Future[None]] = {}
        self._lock = asyncio.Lock()  # serialises writes to the subscriber connection
        self._conn: AbstractConnection | None = None
        self._up = asyncio.Event()
        self._gap = asyncio.Event()
        self._queue: asyncio.Queue[Event] = asyncio.Queue(max_queue)
        self._overflowing = False
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def connected(self) -> bool:
        return self._up.is_set()

    async def connect(self) -> None:
        self._tasks = [
            asyncio.create_task(self._read_forever(), name="redis-broadcast-reader"),
            asyncio.create_task(self._notify_forever(), name="redis-broadcast-catch-up"),
        ]
        # Normally return with the subscriber up; if Redis is down the app still starts (the
        # readiness probe reports it) and the reader keeps trying.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._up.wait(), self._timeout)

    async def disconnect(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        await self._drop_connection()
        await self._publisher.aclose()

    async def subscribe(self, channel: str) -> None:
        async with self._lock:
            self._channels.add(channel)
            conn = self._conn
            # is_connected is checked right before sending, with no await in between, because
            # redis-py silently reconnects a closed Connection, which would lose the pub/sub state.
            if conn is None or not conn.is_connected:
                return  # subscribed (and caught up through on_reconnect) on reconnection
            waiter = self._confirmations.setdefault(
                channel, asyncio.get_running_loop().create_future()
            )
            try:
                await conn.send_command("SUBSCRIBE", channel, check_health=False)
            except _UNREACHABLE:
                return  # the reader meets the same failure and reconnects
        # Wait outside the lock so concurrent subscribers pipeline. A Redis that never answers
        # is the reader's to detect: give up waiting rather than hang the caller.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(waiter), self._timeout)

    async def unsubscribe(self, channel: str) -> None:
        async with self._lock:
            self._channels.discard(channel)
            conn = self._conn
            if conn is not None and conn.is_connected:
                with contextlib.suppress(*_UNREACHABLE):
                    await conn.send_command("UNSUBSCRIBE", channel, check_health=False)

    async def publish(self, channel: str, message: Any) -> None:
        try:
            async with asyncio.timeout(self._publish_timeout):
                await self._publisher.publish(channel, message)
        except _UNREACHABLE as exc:
            raise ConnectionError(f"Redis unreachable, {channel!r} not published: {exc}") from exc

    async def next_published(self) -> Event:
        return await self._queue.get()

    async def _read_forever(self) -> None:
        loop = asyncio.get_running_loop()
        attempt = 0
        down_since: float | None = None
        while True:
            try:
                await self._session(down_since)
            except Exception as exc:  # whatever ends a connection must never end the reader
                unexpected = not isinstance(exc, _UNREACHABLE)
                if self._up.is_set():
                    self._up.clear()
                    attempt, down_since = 0, loop.time()
                    log.warning(
                        "Redis broadcast connection lost (%r); reconnecting",
                        exc,
                        exc_info=unexpected,
                    )
                elif down_since is None:
                    down_since = loop.time()
                    log.warning(
                        "Redis broadcast unreachable (%r); retrying", exc, exc_info=unexpected
                    )
                else:
                    log.debug("Redis broadcast reconnection failed: %r", exc)
                await self._drop_connection()
                delay = min(self._max_backoff, 0.1 * 2**attempt) * random.uniform(0.5, 1.0)
                attempt += 1
                await asyncio.sleep(delay)

    async def _session(self, down_since: float | None) -> None:
        loop = asyncio.get_running_loop()
        conn = self._conn = self._connection_class(**self._subscriber_kwargs)
        await conn.connect()
        async with self._lock:
            channels = sorted(self._channels)
            waiters = [self._confirmations.setdefault(c, loop.create_future()) for c in channels]
            if channels:
                await conn.send_command("SUBSCRIBE", *channels, check_health=False)
        deadline = loop.time() + self._timeout
        while not all(waiter.done() for waiter in waiters):
            remaining = deadline - loop.time()
            frame = await conn.read_response(timeout=remaining) if remaining > 0 else None
            if frame is None:
                raise TimeoutError(f"subscriptions not confirmed within {self._timeout} s")
            self._handle(frame)
        self._up.set()
        if down_since is not None:
            log.info(
                "Redis broadcast reconnected after %.1f s; %d channel(s) re-subscribed",
                loop.time() - down_since,
                len(channels),
            )
        self._gap.set()  # messages published while we were away are lost: read the log
        ping_deadline: float | None = None
        while True:
            if ping_deadline is not None and loop.time() >= ping_deadline:
                raise TimeoutError(f"no answer to PING within {self._timeout} s")
            wait = self._health_interval if ping_deadline is None else ping_deadline - loop.time()
            frame = await conn.read_response(timeout=wait)
            if frame is not None:
                ping_deadline = None  # any frame proves the link is alive
                self._handle(frame)
            elif ping_deadline is None:
                # Without the lock: a write is one atomic writelines(), and waiting for a
                # subscriber's drain here would stop us reading.
                await conn.send_command("PING", check_health=False)
                ping_deadline = loop.time() + self._timeout

    def _handle(self, frame: Any) -> None:
        # RESP2 pub/sub frames: [b"message", channel, data], [b"subscribe", channel, count],
        # [b"unsubscribe", channel, count], [b"pong", b""].
        if not isinstance(frame, list) or len(frame) != 3:
            return
        kind, channel = frame[0], frame[1].decode()
        if kind == b"message":
            self._deliver(Event(channel=channel, message=frame[2].decode(errors="replace")))
        elif kind == b"subscribe":
            waiter = self._confirmations.pop(channel, None)
            if waiter is not None and not waiter.done():
                waiter.set_result(None)

    def _deliver(self, event: Event) -> None:
        try:
            self._queue.put_nowait(event)
            self._overflowing = False
        except asyncio.QueueFull:
            # Blocking here would leave PONGs unread and memory must stay bounded: drop the
            # message and let the app catch up from its log, as after a reconnection.
            if not self._overflowing:
                log.warning("Redis broadcast queue full; dropping messages, asking for catch-up")
            self._overflowing = True
            self._gap.set()

    async def _drop_connection(self) -> None:
        conn, self._conn = self._conn, None
        # Subscribers waiting for a confirmation return now: their channels stay in
        # self._channels and are re-subscribed by the next session.
        for waiter in self._confirmations.values():
            if not waiter.done():
                waiter.set_result(None)
        self._confirmations.clear()
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.disconnect(nowait=True)

    async def _notify_forever(self) -> None:
        while True:
            await self._gap.wait()
            self._gap.clear()
            if self.on_reconnect is None:
                continue
            try:
                await self.on_reconnect()
            except Exception:
                log.exception("Redis broadcast on_reconnect callback failed")
