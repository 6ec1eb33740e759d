"""A real SMTP server (aiosmtpd) that records what it accepted, and waiting for conditions."""

from __future__ import annotations

import asyncio
import email
import re
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from email.policy import default as default_policy

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


class Sink:
    """Collects what the SMTP server accepted, in order; refuses every mail while `refusing`
    is set, the recipients in `unknown`, and the content of mails to `rejected`; past
    `hold_after` mails, and for mails to `stalled`, holds each one (its sender waits for the
    answer) until `released` is set. Offers PIPELINING, as production servers do, unless
    `pipelining` is False (aiosmtpd's own default)."""

    def __init__(
        self, delay: float = 0.0, hold_after: int | None = None, *, pipelining: bool = True
    ) -> None:
        self.messages: list[EmailMessage] = []
        self.refusing = False
        self.unknown: set[str] = set()
        self.rejected: set[str] = set()
        self.stalled: set[str] = set()
        self.delay = delay
        self.hold_after = hold_after
        self.pipelining = pipelining
        self.received = 0
        self.greeted = 0  # EHLOs: one per connection
        self.held = 0
        self.released = threading.Event()

    async def handle_EHLO(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        hostname: str,
        responses: list[str],
    ) -> list[str]:
        session.host_name = hostname  # what aiosmtpd does itself when no hook is given
        self.greeted += 1
        # aiosmtpd reads commands from a buffered stream, so it takes pipelined ones as is.
        return [*responses[:-1], "250-PIPELINING", responses[-1]] if self.pipelining else responses

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.unknown:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.received += 1
        past = self.hold_after is not None and self.received > self.hold_after
        if past or self.stalled.intersection(envelope.rcpt_tos):
            self.held += 1
            await asyncio.to_thread(self.released.wait)
        await asyncio.sleep(self.delay)
        if self.refusing or self.rejected.intersection(envelope.rcpt_tos):
            return "451 4.3.0 Try again later"
        raw = envelope.original_content or b""
        self.messages.append(email.message_from_bytes(raw, policy=default_policy))
        return "250 OK"

    def outbox_ids(self) -> list[int]:
        """The outbox row of each accepted mail, in the order they arrived."""
        ids = []
        for message in self.messages:
            found = re.match(r"<outbox-(\d+)@", str(message["Message-ID"]))
            assert found is not None, message["Message-ID"]
            ids.append(int(found.group(1)))
        return ids


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def smtp_server(handler: Sink, port: int | None = None) -> Iterator[int]:
    """Serve `handler` on 127.0.0.1 (on `port`, or a free one) until the block ends."""
    port = port or free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


async def eventually(condition: Callable[[], Awaitable[bool]], *, within: float, what: str) -> None:
    """Wait until `condition()` holds; fail after `within` seconds."""
    deadline = time.monotonic() + within
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within} s: {what}")
        await asyncio.sleep(0.02)
