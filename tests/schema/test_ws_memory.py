"""What an open WebSocket keeps on the server once its handshake is done (issue 17): not the
upgrade request and response, which uvicorn would hold for the socket's whole life; and what a
closed one keeps: nothing, freed without a garbage collection (issue 18)."""

from __future__ import annotations

import asyncio
import gc
import json
import weakref

import pytest
from starlette.applications import Starlette

from comptoir.cli import websocket_options
from comptoir.settings import Settings
from comptoir.ws_protocol import LeanWebSocketProtocol
from tests.live_helpers import uvicorn_running
from tests.schema.test_transport_ws import init, receive, socket_to


async def test_an_open_socket_keeps_no_handshake_and_still_answers(
    app: Starlette, settings: Settings
) -> None:
    options = websocket_options(settings)
    async with (
        uvicorn_running(app, **options) as (server, address),
        socket_to(address, compression="deflate") as ws,
    ):
        await init(ws)
        sockets = [
            connection
            for connection in server.server_state.connections
            if isinstance(connection, LeanWebSocketProtocol)
        ]
        assert len(sockets) == 1
        assert sockets[0].handshake_complete
        kept: tuple[object, object] = (sockets[0].request, sockets[0].response)
        assert kept == (None, None)
        await ws.send(json.dumps({"type": "ping"}))
        assert (await receive(ws))["type"] == "pong"


async def test_a_closed_socket_is_freed_without_a_garbage_collection(
    app: Starlette, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # websockets' protocol and its parser refer to each other: left as a cycle, a closed
    # socket's state waited for a full collection (bench/hardening.py's cycles). No collection
    # runs here, the one after a wave of closes (comptoir.memory) included.
    gc.collect()
    gc.disable()
    monkeypatch.setattr(gc, "collect", lambda generation=2: 0)
    try:
        async with uvicorn_running(app, **websocket_options(settings)) as (server, address):
            async with socket_to(address) as ws:
                await init(ws)
                (socket,) = [
                    connection
                    for connection in server.server_state.connections
                    if isinstance(connection, LeanWebSocketProtocol)
                ]
                state = weakref.ref(socket.conn)
                del socket
            for _ in range(100):  # bounded: the server sees the close a moment later
                if state() is None:
                    break
                await asyncio.sleep(0.05)
            assert state() is None
    finally:
        gc.enable()
