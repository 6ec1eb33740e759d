"""uvicorn's sans-I/O WebSocket protocol, without the handshake kept for the socket's lifetime,
and freed as soon as it is closed.

uvicorn holds the upgrade request and the 101 response (websockets `Headers`, ~3 KB) on every
connection until it closes, although nothing reads them after the response is sent; with
thousands of idle subscriptions that is a tenth of their memory (bench/idle_memory.py).

websockets' protocol object and its parser generator refer to each other, so a closed
connection's (with its stream reader, buffers and frames) waited for a full garbage collection,
which may come much later: the wave's collection (comptoir.memory) runs a second after the
closes and missed the sockets uvicorn still held then (8,247 of 10,000 after the first wave of
bench/hardening.py's cycles, ~90,000 objects, RSS 385 MiB after closing instead of 237).
Lost, the connection closes its parser: all of it is freed by reference counting when uvicorn
lets go of it.
"""

from __future__ import annotations

from typing import Any

from schema.compat import ASGISendEvent, WebSocketsSansIOProtocol, close_websocket_parser


class LeanWebSocketProtocol(WebSocketsSansIOProtocol):
    async def send(self, message: ASGISendEvent) -> None:
        await super().send(message)
        if self.handshake_complete and getattr(self, "response", None) is not None:
            self._forget_handshake()

    def _forget_handshake(self) -> None:
        lean: Any = self  # uvicorn types both as always set; it only reads them before the 101
        lean.request = None
        lean.response = None

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        # Nothing parses after this: uvicorn's send() refuses a lost connection first.
        close_websocket_parser(self.conn)
