"""The server's WebSocket compression, as `comptoir serve` configures uvicorn: permessage-deflate
is refused unless COMPTOIR_WS_COMPRESSION=1 (its zlib state costs ~43 KiB per idle socket)."""

from __future__ import annotations

import dataclasses

from starlette.applications import Starlette

from comptoir.cli import websocket_options
from comptoir.settings import Settings
from tests.configuration import SETTINGS
from tests.schema.test_transport_ws import init, served, socket_to


def test_compression_is_off_by_default_and_on_with_comptoir_ws_compression_1() -> None:
    assert websocket_options(Settings.from_env({}))["ws_per_message_deflate"] is False
    on = Settings.from_env({"COMPTOIR_WS_COMPRESSION": "1"})
    assert websocket_options(on)["ws_per_message_deflate"] is True


async def test_a_client_offering_deflate_gets_an_uncompressed_socket(
    app: Starlette, settings: Settings
) -> None:
    async with (
        served(app, settings) as address,
        socket_to(address, compression="deflate") as ws,
    ):
        await init(ws)
        assert ws.protocol.extensions == []


async def test_with_compression_on_the_client_gets_permessage_deflate(app: Starlette) -> None:
    settings = dataclasses.replace(SETTINGS, ws_compression=True)
    async with served(app, settings) as address, socket_to(address, compression="deflate") as ws:
        await init(ws)
        assert [e.name for e in ws.protocol.extensions] == ["permessage-deflate"]
