"""uvicorn's sans-I/O WebSocket protocol, without the handshake kept for the socket's lifetime.

uvicorn holds the upgrade request and the 101 response (websockets `Headers`, ~3 KB) on every
connection until it closes, although nothing reads them after the response is sent; with
thousands of idle subscriptions that is a tenth of their memory (bench/idle_memory.py).
"""

from __future__ import annotations

from typing import Any

from schema.compat import ASGISendEvent, WebSocketsSansIOProtocol


class LeanWebSocketProtocol(WebSocketsSansIOProtocol):
    async def send(self, message: ASGISendEvent) -> None:
        await super().send(message)
        if self.handshake_complete and getattr(self, "response", None) is not None:
            self._forget_handshake()

    def _forget_handshake(self) -> None:
        lean: Any = self  # uvicorn types both as always set; it only reads them before the 101
        lean.request = None
        lean.response = None
