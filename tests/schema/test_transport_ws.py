"""The WebSocket transport's limits: Origin allow-list, connection_init wait, subscriptions
per connection, message size."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Subprotocol

from comptoir.app import create_app
from comptoir.cli import websocket_options
from comptoir.settings import Settings
from tests.clients import GraphQLClient
from tests.configuration import SETTINGS
from tests.live_helpers import uvicorn_server

TRANSPORT_WS = "graphql-transport-ws"
LEGACY_WS = "graphql-ws"


@asynccontextmanager
async def served(application: Starlette, settings: Settings) -> AsyncIterator[str]:
    """The app behind uvicorn configured as `comptoir serve` configures it; yields host:port."""
    async with uvicorn_server(application, **websocket_options(settings)) as address:
        yield address


def socket_to(address: str, protocol: str = TRANSPORT_WS, **options: Any) -> Any:
    return connect(
        f"ws://{address}/graphql",
        subprotocols=[Subprotocol(protocol)],
        open_timeout=5,
        **options,
    )


async def receive(ws: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 5))
    return message


async def init(ws: ClientConnection, payload: dict[str, Any] | None = None) -> None:
    await ws.send(json.dumps({"type": "connection_init", "payload": payload or {}}))
    assert (await receive(ws))["type"] == "connection_ack"


@pytest.mark.parametrize("origin", [None, "https://shop.example.fr", "http://testserver.local"])
async def test_sockets_from_listed_origins_or_without_origin_are_accepted(
    live_server: str, origin: str | None
) -> None:
    async with socket_to(live_server, origin=origin) as ws:
        assert ws.subprotocol == TRANSPORT_WS
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert await receive(ws) == {"type": "connection_ack"}
        await ws.send(json.dumps({"type": "ping"}))
        assert await receive(ws) == {"type": "pong"}


@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
async def test_a_socket_from_another_origin_is_refused_with_403(
    live_server: str, protocol: str
) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with socket_to(live_server, protocol, origin="https://evil.example"):
            pass
    assert refused.value.response.status_code == 403


async def test_a_socket_that_never_sends_connection_init_is_closed(app: Starlette) -> None:
    settings = dataclasses.replace(SETTINGS, ws_init_timeout_seconds=0.3)
    async with served(create_app(settings), settings) as address, socket_to(address) as ws:
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 5)
        assert ws.close_code == 4408


async def test_subscriptions_per_connection_are_bounded(
    live_server: str, buyer: GraphQLClient, settings: Settings
) -> None:
    limit = settings.ws_max_subscriptions
    async with socket_to(live_server) as ws:
        await init(ws, {"token": buyer.token})
        for number in range(limit + 1):
            await ws.send(
                json.dumps(
                    {
                        "id": str(number),
                        "type": "subscribe",
                        "payload": {"query": "subscription { orderEvents { id } }"},
                    }
                )
            )
        refused = await receive(ws)
        assert (refused["id"], refused["type"]) == (str(limit), "error")
        assert refused["payload"][0]["message"] == "Subscription limit reached"
        await ws.send(json.dumps({"id": "0", "type": "complete"}))
        await ws.send(
            json.dumps({"id": "again", "type": "subscribe", "payload": {"query": "{ __typename }"}})
        )
        answer = await receive(ws)
        assert (answer["id"], answer["type"]) == ("again", "next")


def subscribe_padded(size: int) -> str:
    """A subscribe message of `size` bytes: a short query padded by a comment."""

    def message(query: str) -> str:
        return json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}})

    bare = "{ __typename }\n#"
    return message(bare + "x" * (size - len(message(bare))))


async def test_a_message_at_the_size_limit_is_read(app: Starlette) -> None:
    settings = SETTINGS
    async with served(app, settings) as address, socket_to(address) as ws:
        await init(ws)
        await ws.send(subscribe_padded(settings.ws_max_message_bytes))
        assert (await receive(ws))["payload"] == {"data": {"__typename": "Query"}}


async def test_a_message_over_the_size_limit_closes_the_socket(app: Starlette) -> None:
    settings = SETTINGS
    async with served(app, settings) as address, socket_to(address, max_size=None) as ws:
        await init(ws)
        await ws.send(subscribe_padded(settings.ws_max_message_bytes + 1))
        with pytest.raises(ConnectionClosed):
            await receive(ws)
        assert ws.close_code == 1009  # "message too big"
