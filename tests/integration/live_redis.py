"""Redis for the live tests: a redis-server of their own, a relay to it the test can cut, and
the doorbells read straight from it."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import time
from typing import Self

from tests.integration.live_cluster import free_port, unavailable


class Redis:
    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            unavailable("redis-server is not installed")
        self.binary = str(binary)
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 5
        while True:  # ready once it answers PING, not merely once the process exists
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                if time.monotonic() > deadline:
                    raise
            time.sleep(0.02)

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def signal(self, number: int) -> None:
        assert self.process is not None
        self.process.send_signal(number)

    async def kill_clients(self) -> int:
        """Drop every client connection (CLIENT KILL), as a proxy or failover would; how many."""
        from redis.asyncio import Redis as Client

        client = Client.from_url(self.url)
        try:
            killed = 0
            for kind in ("pubsub", "normal"):
                killed += int(await client.client_kill_filter(_type=kind, skipme=True))
            return killed
        finally:
            await client.aclose()


class Proxy:
    """A TCP relay to Redis that the test can cut: the worker behind it alone loses Redis."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(
                "127.0.0.1", self.target_port
            )
        except OSError:
            writer.transport.abort()
            return
        self._writers |= {writer, upstream_writer}
        await asyncio.gather(
            _pipe(reader, upstream_writer), _pipe(upstream_reader, writer), return_exceptions=True
        )

    def cut(self) -> None:
        """Refuse new connections and break the open ones, at once."""
        if self._server is not None:
            self._server.close()
        for writer in self._writers:
            writer.transport.abort()
        self._writers.clear()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    finally:
        writer.transport.abort()


class Doorbells:
    """The doorbells published on a Redis, read straight from it (not through the app)."""

    def __init__(self, redis_url: str) -> None:
        from redis.asyncio import Redis as Client

        self._client = Client.from_url(redis_url, protocol=2)
        self._pubsub = self._client.pubsub()

    async def __aenter__(self) -> Self:
        from realtime.doorbell import CHANNEL

        await self._pubsub.subscribe(CHANNEL)
        confirmed = await self._pubsub.get_message(timeout=5)
        assert confirmed is not None
        assert confirmed["type"] == "subscribe", confirmed
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._pubsub.aclose()
        await self._client.aclose()

    async def heard(self, seconds: float) -> list[str]:
        """Every doorbell that arrives within `seconds`."""
        rung: list[str] = []
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            message = await self._pubsub.get_message(ignore_subscribe_messages=True, timeout=left)
            if message is not None:
                rung.append(message["data"].decode())
        return rung
