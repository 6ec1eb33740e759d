"""What an open WebSocket keeps on the server once its handshake is done (issue 17): not the
upgrade request and response, which uvicorn would hold for the socket's whole life."""

from __future__ import annotations

import json

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
