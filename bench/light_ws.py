"""A minimal graphql-transport-ws (or legacy graphql-ws) client on a bare asyncio Protocol, for
load generation.

Thousands of connections share the benchmark's one client process: a full client library
spends ~25 µs per received message in Python, enough to make the client, not the server, the
bottleneck. This one only splits frames and counts `next` messages. No compression, no
fragmentation (the server sends none for these sizes). It may offer permessage-deflate as
browsers do (`deflate=True`); a message the server compresses is inflated, one zlib stream per
connection (context takeover), created on the first compressed message.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import struct
import zlib
from typing import Any


def _frame(payload: bytes, opcode: int = 0x1) -> bytes:
    mask = os.urandom(4)
    length = len(payload)
    if length < 126:
        header = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
    elif length < 1 << 16:
        header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
    repeated = (mask * (length // 4 + 1))[:length]
    masked = (
        (int.from_bytes(payload, "big") ^ int.from_bytes(repeated, "big")).to_bytes(length, "big")
        if length
        else b""
    )
    return header + mask + masked


TRANSPORT_WS = "graphql-transport-ws"
LEGACY_WS = "graphql-ws"


class LightClient(asyncio.Protocol):
    def __init__(
        self, host: str, port: int, *, deflate: bool = False, protocol: str = TRANSPORT_WS
    ) -> None:
        self.host, self.port = host, port
        self.deflate = deflate
        self.protocol = protocol
        self.inflater: Any = None
        self.negotiated = False
        self.transport: asyncio.Transport | None = None
        self.buffer = b""
        self.upgraded = asyncio.get_running_loop().create_future()
        self.messages: asyncio.Queue[str] | None = asyncio.Queue()  # None once counting
        self.count = 0
        self.target = 0
        self.reached: asyncio.Future[None] | None = None
        self.last = ""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        key = base64.b64encode(os.urandom(16)).decode()
        transport.write(
            (
                f"GET /graphql HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                f"Sec-WebSocket-Protocol: {self.protocol}\r\n"
                + (
                    "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
                    if self.deflate
                    else ""
                )
                + "\r\n"
            ).encode()
        )

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if not self.upgraded.done():
            head, sep, rest = self.buffer.partition(b"\r\n\r\n")
            if not sep:
                return
            if b" 101 " not in head.split(b"\r\n", 1)[0]:
                self.upgraded.set_exception(RuntimeError(head.decode(errors="replace")))
                return
            self.buffer = rest
            self.negotiated = b"permessage-deflate" in head.lower()
            self.upgraded.set_result(None)
        self._frames()

    def _frames(self) -> None:
        buffer, at, size = self.buffer, 0, len(self.buffer)
        while size - at >= 2:
            compressed = bool(buffer[at] & 0x40)
            opcode, length = buffer[at] & 0x0F, buffer[at + 1] & 0x7F
            start = at + 2
            if length == 126:
                if size - at < 4:
                    break
                length, start = struct.unpack_from("!H", buffer, at + 2)[0], at + 4
            elif length == 127:
                if size - at < 10:
                    break
                length, start = struct.unpack_from("!Q", buffer, at + 2)[0], at + 10
            if size < start + length:
                break
            payload, at = buffer[start : start + length], start + length
            if opcode == 0x1:
                self._message(self._inflate(payload) if compressed else payload)
            elif opcode == 0x9 and self.transport is not None:
                self.transport.write(_frame(payload, 0xA))  # pong
        self.buffer = buffer[at:]

    def _inflate(self, payload: bytes) -> bytes:
        if self.inflater is None:
            self.inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        inflated: bytes = self.inflater.decompress(payload + b"\x00\x00\xff\xff")
        return inflated

    def _message(self, payload: bytes) -> None:
        if self.messages is not None:
            self.messages.put_nowait(payload.decode())
            return
        self.count += 1
        self.last = payload.decode()
        if self.count >= self.target and self.reached is not None and not self.reached.done():
            self.reached.set_result(None)

    def send(self, message: dict[str, Any]) -> None:
        assert self.transport is not None
        self.transport.write(_frame(json.dumps(message).encode()))

    async def receive(self, timeout: float = 10) -> dict[str, Any]:
        assert self.messages is not None
        message: dict[str, Any] = json.loads(await asyncio.wait_for(self.messages.get(), timeout))
        return message

    def expect(self, count: int) -> asyncio.Future[None]:
        """Count the next `count` messages without decoding them; resolves when all arrived."""
        self.messages = None
        self.count, self.target = 0, count
        self.reached = asyncio.get_running_loop().create_future()
        return self.reached

    def close(self) -> None:
        if self.transport is not None:
            self.transport.write(_frame(b"", 0x8))
            self.transport.close()


async def subscribe(
    address: str,
    token: str | None,
    document: str,
    variables: dict[str, Any] | None = None,
    *,
    deflate: bool = False,
    protocol: str = TRANSPORT_WS,
) -> LightClient:
    host, port = address.rsplit(":", 1)
    loop = asyncio.get_running_loop()
    _, client = await loop.create_connection(
        lambda: LightClient(host, int(port), deflate=deflate, protocol=protocol), host, int(port)
    )
    await asyncio.wait_for(client.upgraded, 60)
    client.send({"type": "connection_init", "payload": {"token": token} if token else {}})
    ack = await client.receive(60)
    assert ack["type"] == "connection_ack", ack
    client.send(
        {
            "id": "1",
            "type": "start" if protocol == LEGACY_WS else "subscribe",
            "payload": {"query": document, "variables": variables or {}},
        }
    )
    return client
