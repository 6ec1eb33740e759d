"""Two uvicorn workers sharing PostgreSQL and a real Redis: nothing lost, nothing twice.

Also a third worker killed right after its commit, and `comptoir worker` raising events.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.integration.live_cluster import (
    Worker,
    jobs_worker,
    log_ids,
    order_event_ids,
    postgres_database,
    single_pass,
    worker_env,
    world,
)
from tests.integration.live_redis import Doorbells, Proxy, Redis
from tests.live_helpers import MESSAGE_EVENTS, ORDER_EVENTS, TransportWS, transport_ws

POST = """mutation($t: ID!, $b: String!) {
  postMessage(threadId: $t, body: $b) { errors { code } message { id } } }"""
VALIDATE = "mutation($o: ID!) { validateOrder(orderId: $o) { errors { code } } }"
LOGOUT = "mutation { logout { errors { code } } }"


@dataclass
class Cluster:
    database_url: str
    redis: Redis
    a: Worker
    b: Worker
    env: dict[str, str]
    world: dict[str, Any]


@pytest.fixture(scope="module")
async def cluster() -> AsyncIterator[Cluster]:
    single_pass()
    redis = Redis()
    async with postgres_database() as database_url:
        redis.start()
        env = worker_env(database_url, redis.url)
        created = await world(env, "setup")
        a, b = Worker(env), Worker(env)
        try:
            await asyncio.gather(a.start(), b.start())
            yield Cluster(database_url, redis, a, b, env, created)
        finally:
            a.stop()
            b.stop()
            redis.kill()


class Collector:
    """Every event id a subscription receives, gathered in the background."""

    def __init__(self, client: TransportWS) -> None:
        self.client = client
        self.ids: list[str] = []
        self.arrived = asyncio.Event()
        self.task = asyncio.create_task(self._collect())

    async def _collect(self) -> None:
        try:
            while True:
                message = await self.client.receive(timeout=120)
                assert message["type"] == "next", message
                (event,) = message["payload"]["data"].values()
                self.ids.append(event["id"])
                self.arrived.set()
        finally:
            self.arrived.set()  # wakes `until` to report why collecting stopped

    async def until(self, count: int) -> list[str]:
        """The ids once `count` arrived (15 s at most), and any duplicate 0.3 s behind them."""
        async with asyncio.timeout(15):
            while len(self.ids) < count:
                if self.task.done():
                    self.task.result()  # raises what stopped the collector
                self.arrived.clear()
                await self.arrived.wait()
        await asyncio.sleep(0.3)  # a duplicate would arrive now
        self.task.cancel()
        return self.ids


@pytest.fixture(scope="module")
async def doorbell_only(cluster: Cluster) -> AsyncIterator[Worker]:
    """A third web worker whose periodic catch-up is an hour away: whatever reaches its
    subscribers during a test came through the doorbell."""
    worker = Worker({**cluster.env, "COMPTOIR_CATCH_UP_INTERVAL_SECONDS": "3600"})
    try:
        await worker.start()
        yield worker
    finally:
        worker.stop()


async def _position(cluster: Cluster) -> str:
    ids = await log_ids(cluster.database_url, cluster.world["thread_id"])
    return ids[-1] if ids else "0"


@dataclass
class Stream:
    posted: int  # messages posted through worker A
    logged: list[str]  # the thread's log since the subscription started
    during: list[str]  # the part of it committed while the disruption ran
    received: list[str]  # what the subscriber on worker B was pushed


async def _stream_through(cluster: Cluster, disruption: Callable[[], Awaitable[None]]) -> Stream:
    """Post messages through A before, during and after `disruption`, a subscriber on B."""
    start = await _position(cluster)
    thread, buyer = cluster.world["thread"], cluster.world["buyer"]
    async with transport_ws(cluster.b.address, cluster.world["seller"]) as client:
        await client.subscribe("1", MESSAGE_EVENTS, threadId=thread, after=start)
        collector = Collector(client)
        stop = asyncio.Event()

        async def post_forever() -> int:
            count = 0
            while not stop.is_set():
                await cluster.a.graphql(buyer, POST, t=thread, b=f"message {count}")
                count += 1
                await asyncio.sleep(0.03)
            return count

        poster = asyncio.create_task(post_forever())
        await asyncio.sleep(0.5)
        before = await _position(cluster)
        await disruption()
        during = await log_ids(cluster.database_url, cluster.world["thread_id"], int(before))
        await asyncio.sleep(0.5)
        stop.set()
        posted = await poster
        logged = await log_ids(cluster.database_url, cluster.world["thread_id"], int(start))
        received = await collector.until(len(logged))
    return Stream(posted, logged, during, received)


async def test_a_change_through_worker_a_reaches_another_workers_subscriber_by_the_doorbell(
    cluster: Cluster, doorbell_only: Worker
) -> None:
    order = cluster.world["orders"][0]
    async with transport_ws(doorbell_only.address, cluster.world["buyer"]) as client:
        await client.subscribe("1", ORDER_EVENTS, orderId=order)
        await asyncio.sleep(0.2)
        await cluster.a.graphql(cluster.world["seller"], VALIDATE, o=order)
        # The timeout only bounds a failure: the catch-up would come an hour later.
        message = await client.receive(timeout=60)
    assert message["payload"]["data"]["orderEvents"]["to"] == "VALIDATED"


async def test_nothing_is_lost_when_redis_is_killed_and_restarted(cluster: Cluster) -> None:
    async def restart() -> None:
        cluster.redis.kill()
        deadline = time.monotonic() + 30
        while (await cluster.b.readyz())[0] == 200:
            assert time.monotonic() < deadline, "/readyz still 200 30 s after losing Redis"
            await asyncio.sleep(0.2)
        _, body = await cluster.b.readyz()
        assert body["broadcast"] == "disconnected"
        await asyncio.sleep(0.5)
        cluster.redis.start()
        deadline = time.monotonic() + 15
        while (await cluster.b.readyz())[0] != 200:
            assert time.monotonic() < deadline, "/readyz not back after Redis returned"
            await asyncio.sleep(0.2)

    stream = await _stream_through(cluster, restart)
    assert stream.during  # messages were committed while Redis was away
    assert len(stream.logged) == stream.posted
    assert stream.received == stream.logged


async def test_nothing_is_lost_when_redis_is_paused(cluster: Cluster) -> None:
    async def pause() -> None:
        cluster.redis.signal(signal.SIGSTOP)
        await asyncio.sleep(4)
        cluster.redis.signal(signal.SIGCONT)

    stream = await _stream_through(cluster, pause)
    assert stream.during  # posting went on while Redis was frozen
    assert len(stream.logged) == stream.posted
    assert stream.received == stream.logged


async def test_nothing_is_lost_when_redis_drops_its_client_connections(cluster: Cluster) -> None:
    killed: list[int] = []

    async def drop() -> None:
        killed.append(await cluster.redis.kill_clients())

    stream = await _stream_through(cluster, drop)
    assert killed[0] >= 2  # at least each worker's subscription connection
    assert len(stream.logged) == stream.posted
    assert stream.received == stream.logged


async def test_an_event_committed_by_a_process_killed_before_publishing_arrives(
    cluster: Cluster,
) -> None:
    start = await _position(cluster)
    async with transport_ws(cluster.b.address, cluster.world["seller"]) as client:
        await client.subscribe("1", MESSAGE_EVENTS, threadId=cluster.world["thread"])
        await asyncio.sleep(0.2)
        returncode = await world(
            cluster.env, "commit-and-die", cluster.world["buyer"], str(cluster.world["thread_id"])
        )
        assert returncode == -signal.SIGKILL
        expected = await log_ids(cluster.database_url, cluster.world["thread_id"], int(start))
        assert len(expected) == 1
        assert await client.next_ids(1, timeout=5) == expected


async def test_reconnecting_with_after_gets_exactly_the_missed_changes_then_live(
    cluster: Cluster,
) -> None:
    thread, buyer = cluster.world["thread"], cluster.world["buyer"]
    async with transport_ws(cluster.b.address, cluster.world["seller"]) as client:
        await client.subscribe("1", MESSAGE_EVENTS, threadId=thread)
        await asyncio.sleep(0.2)
        await cluster.a.graphql(buyer, POST, t=thread, b="avant la coupure")
        (last_seen,) = await client.next_ids(1)
    for n in range(3):
        await cluster.a.graphql(buyer, POST, t=thread, b=f"pendant la coupure {n}")
    missed = await log_ids(cluster.database_url, cluster.world["thread_id"], int(last_seen))
    async with transport_ws(cluster.a.address, cluster.world["seller"]) as client:
        await client.subscribe("1", MESSAGE_EVENTS, threadId=thread, after=last_seen)
        assert await client.next_ids(3) == missed
        await cluster.b.graphql(buyer, POST, t=thread, b="après")
        (live,) = await client.next_ids(1)
        assert int(live) > int(missed[-1])
        assert await client.silent(0.3)


async def test_logging_out_on_worker_a_closes_the_sessions_sockets_on_another_worker(
    cluster: Cluster, doorbell_only: Worker
) -> None:
    token = await world(cluster.env, "session", "buyer@example.fr")
    # Back on Redis after the earlier tests' outages (a reconnection would read the log too).
    deadline = time.monotonic() + 60
    while (await doorbell_only.readyz())[0] != 200:
        assert time.monotonic() < deadline, "/readyz not back after the Redis outages"
        await asyncio.sleep(0.2)
    async with transport_ws(doorbell_only.address, token) as client:
        await client.subscribe("1", ORDER_EVENTS)
        await asyncio.sleep(0.2)
        await cluster.a.graphql(token, LOGOUT)
        # Closed by the revocation's doorbell (the catch-up is an hour away); the timeout
        # only bounds a failure.
        await asyncio.wait_for(client.ws.wait_closed(), 60)
    assert client.ws.close_code == 4403


async def test_a_worker_killed_right_after_its_commit_gets_its_event_delivered_anyway(
    cluster: Cluster,
) -> None:
    """A real uvicorn worker commits a message but its doorbell cannot go out (its only road to
    Redis is cut), then it is SIGKILLed: worker B finds the event in the log on its own."""
    proxy = Proxy(cluster.redis.port)
    await proxy.start()
    doomed = Worker({**cluster.env, "REDIS_URL": proxy.url})
    try:
        await doomed.start()
        start = await _position(cluster)
        thread = cluster.world["thread"]
        async with (
            Doorbells(cluster.redis.url) as doorbells,
            transport_ws(cluster.b.address, cluster.world["seller"]) as client,
        ):
            await client.subscribe("1", MESSAGE_EVENTS, threadId=thread)
            await asyncio.sleep(0.2)
            proxy.cut()
            await doomed.graphql(cluster.world["buyer"], POST, t=thread, b="dernier message")
            assert doomed.kill() == -signal.SIGKILL
            expected = await log_ids(cluster.database_url, cluster.world["thread_id"], int(start))
            assert len(expected) == 1
            assert await client.next_ids(1, timeout=5) == expected
            assert await client.silent(0.5)
            assert expected[0] not in await doorbells.heard(0.1)  # B read it from the log
    finally:
        proxy.cut()
        if doomed.process is not None:
            doomed.kill()


async def test_an_order_expired_by_the_jobs_worker_reaches_subscribers_on_every_web_worker(
    cluster: Cluster,
) -> None:
    made = await world(cluster.env, "order", "buyer@example.fr", "seller@example.fr")
    # Backdated rather than a tiny expiry: business time stands still on weekends and holidays.
    await world(cluster.env, "backdate", str(made["order_id"]), "30")
    # The default interval: the worker's first round, at its start, expires the order.
    env = {**cluster.env, "COMPTOIR_ORDER_EXPIRY_BUSINESS_DAYS": "1"}
    async with (
        Doorbells(cluster.redis.url) as doorbells,
        transport_ws(cluster.a.address, made["buyer"]) as on_a,
        transport_ws(cluster.b.address, cluster.world["seller"]) as on_b,
    ):
        for client in (on_a, on_b):
            await client.subscribe("1", ORDER_EVENTS, orderId=made["order"])
        await asyncio.sleep(0.2)
        async with jobs_worker(env):
            received = [await client.receive(timeout=20) for client in (on_a, on_b)]
            rung = await doorbells.heard(0.3)
        expected = await order_event_ids(cluster.database_url, made["order_id"])
        assert len(expected) == 1
        for message in received:
            event = message["payload"]["data"]["orderEvents"]
            assert (event["id"], event["from"], event["to"]) == (expected[0], "PENDING", "EXPIRED")
        assert expected[0] in rung  # announced through Redis by the jobs process
        assert await on_a.silent(0.3)
        assert await on_b.silent(0.1)
