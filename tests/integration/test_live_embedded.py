"""The embedded default (`comptoir serve` on SQLite, no Redis, jobs in the web process): an
event raised by a background job reaches a subscriber of that same process."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from tests.integration.live_cluster import (
    DEMO_BUYER,
    DEMO_SELLER,
    embedded_server,
    ring_through_api,
    world,
)
from tests.live_helpers import ORDER_EVENTS, transport_ws


def _order_event_ids(database: Path, order_id: int) -> list[str]:
    with sqlite3.connect(database) as conn:
        rows = conn.execute(
            "SELECT id FROM event WHERE kind = 'ORDER_STATUS' AND order_id = ? ORDER BY id",
            (order_id,),
        ).fetchall()
    return [str(row[0]) for row in rows]


async def test_an_order_expired_by_the_embedded_servers_own_jobs_reaches_its_subscriber(
    tmp_path: Path,
) -> None:
    async with embedded_server(tmp_path) as server:
        made = await world(server.env, "order", DEMO_BUYER, DEMO_SELLER)
        async with transport_ws(server.address, made["buyer"]) as client:
            await client.subscribe("1", ORDER_EVENTS, orderId=made["order"])
            await asyncio.sleep(0.2)
            # Expirable only now that the subscription is open. The change by hand rings
            # nothing: the next event the server commits wakes its expiry job.
            await world(server.env, "backdate", str(made["order_id"]), "30")
            await ring_through_api(server)
            message = await client.receive(timeout=10)
            assert await client.silent(0.3)
    expected = _order_event_ids(tmp_path / "comptoir.sqlite3", made["order_id"])
    assert len(expected) == 1
    event = message["payload"]["data"]["orderEvents"]
    assert (event["id"], event["from"], event["to"]) == (expected[0], "PENDING", "EXPIRED")
