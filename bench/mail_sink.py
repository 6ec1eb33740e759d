"""bench/mail.py's SMTP sink, in a process of its own: aiosmtpd offering PIPELINING (as
production servers do, unless told not to) that timestamps every mail it receives, behind
an optional relay that delays each chunk `delay` seconds each way, as a mail server over
the network would (its round trip, on 127.0.0.1)."""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections.abc import Callable
from multiprocessing.queues import Queue
from queue import Empty

from tests.mail_helpers import Sink, free_port

Arrival = tuple[int, float]  # outbox id, wall-clock time the sink received it


def serve_sink(port: int, arrivals: Queue[Arrival], pipelining: bool, delay: float) -> None:
    """Listen on `port` until killed; `(-1, time)` on `arrivals` once listening."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import SMTP, Envelope, Session

    class Handler(Sink):
        async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
            found = re.search(rb"Message-ID: <outbox-(\d+)@", envelope.original_content or b"")
            arrivals.put((int(found.group(1)) if found else 0, time.time()))
            return "250 OK"

    smtp_port = free_port() if delay else port
    Controller(Handler(pipelining=pipelining), hostname="127.0.0.1", port=smtp_port).start()
    if delay:
        threading.Thread(target=asyncio.run, args=(_relay(port, smtp_port, delay),)).start()
        time.sleep(0.5)  # the relay listening
    arrivals.put((-1, time.time()))  # listening
    threading.Event().wait()  # until the bench kills it


async def _relay(port: int, smtp_port: int, delay: float) -> None:
    async def forward(source: asyncio.StreamReader, target: asyncio.StreamWriter) -> None:
        chunks: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def later() -> None:  # in order, each chunk `delay` after it was read
            while (chunk := await chunks.get())[1]:
                await asyncio.sleep(chunk[0] - time.monotonic())
                target.write(chunk[1])
            target.close()

        writing = asyncio.create_task(later())
        while True:
            data = await source.read(65536)
            chunks.put_nowait((time.monotonic() + delay, data))
            if not data:
                break
        await writing

    async def connected(client: asyncio.StreamReader, to_client: asyncio.StreamWriter) -> None:
        server, to_server = await asyncio.open_connection("127.0.0.1", smtp_port)
        await asyncio.gather(
            forward(client, to_server), forward(server, to_client), return_exceptions=True
        )

    async with await asyncio.start_server(connected, "127.0.0.1", port) as relay:
        await relay.serve_forever()


class Arrivals:
    """What the sink received, read from its queue by a thread and handed to the loop."""

    def __init__(self, queue: Queue[Arrival]) -> None:
        self.at: dict[int, float] = {}
        self._queue = queue
        self._loop = asyncio.get_running_loop()
        self._changed = asyncio.Event()
        self._stop = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while not self._stop.is_set():
            try:
                mail_id, at = self._queue.get(timeout=0.2)
            except Empty:
                continue
            self._loop.call_soon_threadsafe(self._record, mail_id, at)

    def _record(self, mail_id: int, at: float) -> None:
        self.at[mail_id] = at
        self._changed.set()

    async def until(self, condition: Callable[[], bool], within: float) -> bool:
        """Wait until `condition()` holds, woken by each arrival; False after `within` s."""
        deadline = time.monotonic() + within
        while not condition():
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), deadline - time.monotonic())
            except TimeoutError:
                return condition()
        return True

    def close(self) -> None:
        self._stop.set()
        self._reader.join()
