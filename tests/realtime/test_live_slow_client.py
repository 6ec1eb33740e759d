"""A client that stops reading a real socket: the server's buffer for it stays bounded, and once
it reads again every event arrives, in order, none missing, none twice."""

from __future__ import annotations

import asyncio
import json
import socket
import time

import websockets
from starlette.applications import Starlette
from websockets.typing import Subprotocol

from comptoir.settings import Settings
from realtime.hub import Hub
from realtime.streams import Subscription
from tests.clients import GraphQLClient
from tests.live_helpers import order_status, seller_of

# ~100 KB per event (25 aliases of a 4 KB reason), so the socket's buffers fill after a few
# dozen events and the server's writes block, as a phone on a bad network makes them.
BULKY_ORDER_EVENTS = (
    "subscription { orderEvents { id " + " ".join(f"r{n}: reason" for n in range(25)) + " } }"
)
REASON = "x" * 4000


async def _overflowed(hub: Hub, timeout: float) -> Subscription:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for subscription in hub.streams():
            if subscription.overflows:
                return subscription
        await asyncio.sleep(0.05)
    raise AssertionError("the stalled subscriber never overflowed its queue")


def _small_socket(address: str) -> socket.socket:
    """A connected socket whose receive buffer stays small (Linux grows it to 32 MB otherwise)."""
    host, port = address.split(":")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
    sock.connect((host, int(port)))
    sock.setblocking(False)
    return sock


async def test_a_client_that_stops_reading_then_resumes_gets_every_event_once_in_order(
    app: Starlette,
    live_server: str,
    buyer: GraphQLClient,
    seller: GraphQLClient,
    settings: Settings,
) -> None:
    shop = await seller_of(seller.account_id)
    queue_size = settings.ws_queue_size
    # max_queue=1: the client library stops reading the socket as soon as one frame waits;
    # no compression, which would shrink the repeated reason to nothing.
    async with websockets.connect(
        f"ws://{live_server}/graphql",
        open_timeout=5,
        max_queue=1,
        sock=_small_socket(live_server),
        compression=None,
        subprotocols=[Subprotocol("graphql-transport-ws")],
        max_size=2**20,
    ) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"token": buyer.token}}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "connection_ack"
        await ws.send(
            json.dumps({"id": "1", "type": "subscribe", "payload": {"query": BULKY_ORDER_EVENTS}})
        )
        await asyncio.sleep(0.2)
        ids: list[str] = []
        for _ in range(300):
            ids.append(
                str(await order_status(buyer_id=buyer.account_id, seller_id=shop, reason=REASON))
            )
            await asyncio.sleep(0)  # let the hub route as it would between requests
        stalled = await _overflowed(app.state.live.hub, timeout=10)
        assert stalled.from_log
        assert int(stalled.delivered) < len(ids)
        assert stalled.backlog <= queue_size  # memory stays bounded while it is stuck

        received: list[str] = []
        while len(received) < len(ids):
            message = json.loads(await asyncio.wait_for(ws.recv(), 10))
            assert message["type"] == "next", message
            event = message["payload"]["data"]["orderEvents"]
            assert event["r24"] == REASON
            received.append(event["id"])
        assert received == ids
        try:
            extra = await asyncio.wait_for(ws.recv(), 0.3)
        except TimeoutError:
            extra = None
        assert extra is None, extra
