"""`serve` and `comptoir worker` side by side: two processes sending 1,000 mails from one outbox."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from models.mail import OutboxMail
from realtime.log import atomic
from resolvers.mail import enqueue_mail
from tests.configuration import POLICY
from tests.mail_helpers import Sink, free_port

pytestmark = pytest.mark.usefixtures("app")

ROOT = Path(__file__).resolve().parents[2]
MAILS = 1000

# Each process sends until nothing is left unsent.
SENDER = """
import asyncio, os, sys, time
from comptoir.db import database
from comptoir.mail import SmtpTransport
from models.mail import OutboxMail
from resolvers.mail import send_due_mails
from realtime.doorbell import Doorbell
from resolvers.policy import Policy

async def main() -> None:
    async with database(os.environ["DATABASE_URL"]):
        await OutboxMail.all().count()  # connected, then wait for the other process
        time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
        transport, total = SmtpTransport(sys.argv[1]), 0
        while await OutboxMail.filter(sent_at__isnull=True).exists():
            total += await send_due_mails(transport, policy=Policy(doorbell=Doorbell()))
            await asyncio.sleep(0)
        print(total)

asyncio.run(main())
"""


async def test_two_sender_processes_send_each_mail_exactly_once() -> None:
    async with atomic():
        for i in range(MAILS):
            await enqueue_mail(
                to=f"client{i}@example.fr", subject=f"Mail {i}", body="Bonjour", policy=POLICY
            )
    handler, port = Sink(delay=0.002), free_port()  # slow enough for the two to overlap
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        start_at = str(time.time() + 2.0)  # both processes start sending together
        processes = [
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-c",
                SENDER,
                f"smtp://127.0.0.1:{port}",
                start_at,
                cwd=ROOT,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            for _ in range(2)
        ]
        outputs = [await p.communicate() for p in processes]
    finally:
        controller.stop()
    for process, (_, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err.decode()
    sent = [int(out.decode().strip()) for out, _ in outputs]
    assert sum(sent) == MAILS, sent
    assert min(sent) > 0, sent
    received = Counter(str(m["To"]) for m in handler.messages)
    assert received == Counter(f"client{i}@example.fr" for i in range(MAILS))
    assert await OutboxMail.filter(sent_at__isnull=True).count() == 0
