"""The hub and its streams without sockets: bounded buffers, log fallback, commit order."""

from __future__ import annotations

import asyncio
import random

from models.events import Event, EventKind
from realtime.audience import Audience
from realtime.hub import Hub
from realtime.log import append_event, atomic
from tests.configuration import POLICY
from tests.live_helpers import order_status

BUYER = Audience(EventKind.ORDER_STATUS, buyer_id=7)


async def _drain(stream: object, count: int) -> list[int]:
    # Any of the hub's stream kinds: each has next() returning an event with an id.
    return [
        int((await asyncio.wait_for(stream.next(), 5)).id)  # type: ignore[attr-defined]
        for _ in range(count)
    ]


async def test_a_subscriber_that_falls_behind_reads_the_log_and_misses_nothing() -> None:
    hub = Hub(queue_size=5, tick_seconds=60)
    await hub.rewind()
    stream = hub.open(BUYER, after=None)
    ids = [await order_status(buyer_id=7, seller_id=1) for _ in range(40)]
    await hub.catch_up()  # offered 40 live events to a queue of 5
    assert stream.overflows >= 1
    assert stream.backlog <= 5  # memory stays bounded
    more = [await order_status(buyer_id=7, seller_id=1) for _ in range(3)]
    await hub.catch_up()
    assert await _drain(stream, 43) == ids + more
    late = await order_status(buyer_id=7, seller_id=1)
    await hub.catch_up()
    assert await _drain(stream, 1) == [late]
    assert not stream.from_log
    stream.close()
    assert hub.subscriptions == 0


async def test_routing_only_touches_the_subscriptions_of_the_events_audience() -> None:
    hub = Hub(queue_size=10, tick_seconds=60)
    await hub.rewind()
    others = [
        hub.open(Audience(EventKind.ORDER_STATUS, buyer_id=1000 + i), after=None)
        for i in range(200)
    ]
    mine = hub.open(BUYER, after=None)
    offered: list[object] = []
    for stream in others:
        # Records what the hub offers instead of queueing it.
        stream.offer = offered.append  # type: ignore[method-assign,assignment]
    event_id = await order_status(buyer_id=7, seller_id=1)
    await hub.catch_up()
    assert offered == []
    assert await _drain(mine, 1) == [event_id]


async def test_a_stream_replaying_after_a_position_switches_to_live_without_gap() -> None:
    hub = Hub(queue_size=3, tick_seconds=60)
    await hub.rewind()
    old = [await order_status(buyer_id=7, seller_id=1) for _ in range(10)]
    await hub.catch_up()
    stream = hub.open(BUYER, after=old[2])
    reader = asyncio.create_task(_drain(stream, 17))
    new = []
    for _ in range(10):
        new.append(await order_status(buyer_id=7, seller_id=1))
        await hub.catch_up()
    assert await reader == old[3:] + new


async def test_event_ids_become_visible_in_increasing_order_under_concurrent_writers() -> None:
    """Invariant 2: a reader that has seen id N never later discovers a smaller id."""

    async def writer() -> None:
        for _ in range(15):
            async with atomic():
                await asyncio.sleep(random.random() / 200)
                await append_event(
                    EventKind.MESSAGE,
                    {"thread_id": 1, "message_id": 1},
                    doorbell=POLICY.doorbell,
                    thread_id=1,
                    buyer_id=1,
                )
                await asyncio.sleep(random.random() / 200)

    seen: list[int] = []
    done = asyncio.Event()

    async def reader() -> None:
        position = 0
        while not done.is_set():
            rows = await Event.filter(id__gt=position).order_by("id")
            for row in rows:
                seen.append(row.id)
                position = row.id
            await asyncio.sleep(0)

    watching = asyncio.create_task(reader())
    await asyncio.gather(*(writer() for _ in range(6)))
    done.set()
    await watching
    final = [row.id for row in await Event.all().order_by("id")]
    assert seen == final[: len(seen)]
    assert len(final) == 90
