"""Mail leaves on the doorbell in every topology, with real processes on the suite's database
(SQLite file or PostgreSQL) and a real SMTP server: a web process queues, a `comptoir worker`
sends; `comptoir serve` with two workers and jobs in-process; an SMTP server down, then up.

The runners here wait an hour between safety-net rounds, so whatever leaves during a test
left on a doorbell or on the time its retry fell due, never on the interval.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from models.mail import MailPriority, OutboxMail
from realtime.log import atomic
from resolvers.mail import CONNECTIONS, enqueue_mail
from tests.accounts_helpers import REGISTER, registration
from tests.clients import GraphQLClient
from tests.configuration import POLICY, SETTINGS
from tests.integration.live_cluster import Worker
from tests.integration.live_redis import Redis
from tests.mail_helpers import Sink, eventually, free_port, smtp_server

pytestmark = pytest.mark.usefixtures("app")

ROOT = Path(__file__).resolve().parents[2]
LISTENING = "jobs runner listening"


def _env(smtp_port: int, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": SETTINGS.database_url,
        "SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
        "PUBLIC_URL": "http://testserver.local",
        "COMPTOIR_JOBS_INTERVAL_SECONDS": "3600",
        "COMPTOIR_LOG_LEVEL": "INFO",
        "COMPTOIR_ARGON2_TIME_COST": "1",
        "COMPTOIR_ARGON2_MEMORY_KIB": "1024",
        "COMPTOIR_ARGON2_PARALLELISM": "1",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("REDIS_URL", None)
    env.update(extra)
    return env


class Process:
    """A `comptoir` command whose log is read as it comes (the runners say when they listen)."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        self.env = env
        self.args = args
        self.lines: list[str] = []
        self.process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "comptoir.cli",
            *self.args,
            cwd=ROOT,
            env=self.env,
            stderr=asyncio.subprocess.PIPE,
        )
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.process is not None
        assert self.process.stderr is not None
        while line := await self.process.stderr.readline():
            self.lines.append(line.decode(errors="replace"))

    async def said(self, text: str, times: int = 1) -> None:
        async def enough() -> bool:
            assert self.process is not None
            assert self.process.returncode is None, "".join(self.lines[-30:])
            return sum(text in line for line in self.lines) >= times

        await eventually(
            enough,
            within=60,
            what=f"{text!r} x{times} in {self.args}; it said:\n{''.join(self.lines[-30:])}",
        )

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 15)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        if self._reader is not None:
            await self._reader


@asynccontextmanager
async def running(env: dict[str, str], *args: str) -> AsyncIterator[Process]:
    process = Process(env, *args)
    await process.start()
    try:
        yield process
    finally:
        await process.stop()


@asynccontextmanager
async def redis() -> AsyncIterator[Redis]:
    server = Redis()
    server.start()
    try:
        yield server
    finally:
        server.kill()


async def _register(address: str, email: str) -> None:
    async with httpx.AsyncClient(base_url=f"http://{address}") as http:
        await GraphQLClient(http).mutate_ok(REGISTER, input=registration(email))


def _arrived(handler: Sink, count: int) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return len(handler.messages) >= count

    return check


def _recorded(count: int) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return await OutboxMail.filter(sent_at__isnull=False).count() >= count

    return check


async def test_a_mail_queued_by_a_web_process_is_sent_by_the_worker_on_its_doorbell() -> None:
    handler = Sink()
    with smtp_server(handler) as port:
        async with redis() as server:
            env = _env(port, REDIS_URL=server.url, COMPTOIR_JOBS_IN_WEB="0")
            web = Worker({**env, "COMPTOIR_LOG_LEVEL": "WARNING"})
            await web.start()
            try:
                async with running(env, "worker") as worker:
                    await worker.said(LISTENING)
                    await _register(web.address, "lea@example.fr")
                    await eventually(
                        _arrived(handler, 1), within=30, what="the confirmation, sent by the worker"
                    )
                    await eventually(_recorded(1), within=30, what="the mail marked sent")
            finally:
                web.stop()
    (message,) = handler.messages
    assert message["To"] == "lea@example.fr"
    row = await OutboxMail.get()
    assert row.priority is MailPriority.ACCOUNT
    assert row.sent_at is not None
    assert row.attempts == 1


async def test_a_spawned_serve_worker_imports_nothing_heavy_before_its_health_check() -> None:
    """uvicorn's supervisor kills a worker that has not answered its ping within 5 s, and the
    worker only answers once it has re-imported the CLI module: importing the app there made
    every worker of a loaded machine die and respawn in a loop, and `serve` never served."""
    heavy = {"schema", "resolvers", "models", "realtime", "tortoise", "strawberry", "starlette"}
    probe = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "import sys, comptoir.cli; print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await probe.communicate()
    assert probe.returncode == 0
    assert "comptoir" in out.decode().split()
    assert heavy.isdisjoint(out.decode().split())


async def test_serve_with_two_workers_and_jobs_in_process_sends_each_mail_once() -> None:
    handler = Sink()
    with smtp_server(handler) as port:
        async with redis() as server:
            web_port = free_port()
            env = _env(
                port,
                REDIS_URL=server.url,
                COMPTOIR_JOBS_IN_WEB="1",
                WEB_CONCURRENCY="2",
                PORT=str(web_port),
            )
            async with running(env, "serve", "--host", "127.0.0.1") as serve:
                await serve.said(LISTENING, times=2)
                emails = [f"client{i}@example.fr" for i in range(6)]
                await asyncio.gather(*(_register(f"127.0.0.1:{web_port}", e) for e in emails))
                await eventually(_arrived(handler, 6), within=30, what="six confirmations")
                await eventually(_recorded(6), within=30, what="six mails marked sent")
    assert Counter(str(m["To"]) for m in handler.messages) == Counter(emails)
    assert await OutboxMail.filter(sent_at__isnull=True).count() == 0


async def test_mails_wait_for_a_server_that_is_down_then_each_arrives_once() -> None:
    async with atomic():
        for i in range(30):
            kind = MailPriority.ACCOUNT if i % 3 == 0 else MailPriority.NOTIFICATION
            await enqueue_mail(
                to=f"client{i}@example.fr",
                subject=f"Mail {i}",
                body="Bonjour",
                priority=kind,
                policy=POLICY,
            )
    port = free_port()  # nothing listens there yet
    env = _env(port, COMPTOIR_MAIL_RETRY_SECONDS="0.2")
    async with running(env, "worker") as worker:
        await worker.said(LISTENING)

        async def retried() -> bool:
            return not await OutboxMail.filter(attempts__lt=2).exists()

        # The retries come on their backoff (0.2 s, then 0.4 s), not on the hour's interval.
        await eventually(retried, within=30, what="every mail tried twice")
        assert await OutboxMail.filter(sent_at__isnull=False).count() == 0
        handler = Sink()
        with smtp_server(handler, port):

            async def all_sent() -> bool:
                return not await OutboxMail.filter(sent_at__isnull=True).exists()

            await eventually(all_sent, within=60, what="every mail sent once the server is up")
    assert Counter(str(m["To"]) for m in handler.messages) == Counter(
        f"client{i}@example.fr" for i in range(30)
    )
    assert await OutboxMail.filter(last_error__isnull=False).count() == 0


async def test_a_worker_stopped_mid_batch_records_what_left_and_releases_the_rest() -> None:
    async with atomic():
        for i in range(40):
            await enqueue_mail(
                to=f"client{i}@example.fr", subject=f"Mail {i}", body="Bonjour", policy=POLICY
            )
    handler = Sink(hold_after=8)  # takes 8 mails, then keeps the next ones waiting
    with smtp_server(handler) as port:
        try:
            async with running(_env(port), "worker") as worker:
                await eventually(_arrived(handler, 8), within=30, what="the first mails")

                async def in_flight_held() -> bool:
                    return handler.held >= 1

                await eventually(in_flight_held, within=30, what="a mail held mid-exchange")
                # Stops while the server still owes an answer: the stop must not wait for it.
                await worker.stop()
                assert worker.process is not None
                assert worker.process.returncode == 0, "".join(worker.lines[-30:])
        finally:
            handler.released.set()
    arrived = set(handler.outbox_ids())
    sent = {m.id for m in await OutboxMail.filter(sent_at__isnull=False)}
    # Each mail the server took is marked sent, but for those still in flight at the stop.
    assert len(sent) >= 8
    assert sent <= arrived
    assert len(arrived - sent) <= CONNECTIONS
    assert len(sent) < 40
    # What was never tried is free for the next sender at once, not after its claim runs out.
    untried = OutboxMail.filter(sent_at__isnull=True, attempts=0, claimed_until__isnull=True)
    in_flight = await OutboxMail.filter(sent_at__isnull=True, claimed_until__isnull=False).count()
    assert await untried.count() + in_flight == 40 - len(sent)
    assert 1 <= in_flight <= CONNECTIONS


@pytest.mark.parametrize("command", ["worker", "serve"])
async def test_a_mail_queued_while_redis_was_down_leaves_once_it_is_back(command: str) -> None:
    """Its doorbell was lost with Redis: the runner's reconnection is what must wake it, the
    interval being an hour."""
    handler = Sink()
    with smtp_server(handler) as port:
        async with redis() as server:
            env = _env(port, REDIS_URL=server.url)
            args = ["worker"]
            if command == "serve":
                env.update(COMPTOIR_JOBS_IN_WEB="1", WEB_CONCURRENCY="1", PORT=str(free_port()))
                args = ["serve", "--host", "127.0.0.1"]
            async with running(env, *args) as process:
                await process.said(LISTENING)
                server.kill()
                await process.said("Redis broadcast connection lost")
                async with atomic():  # its doorbell goes nowhere: this process has no Redis
                    await enqueue_mail(
                        to="lea@example.fr",
                        subject="Confirmez",
                        body="Lien",
                        priority=MailPriority.ACCOUNT,
                        policy=POLICY,
                    )
                server.start()
                await process.said("Redis broadcast reconnected")
                await eventually(_arrived(handler, 1), within=30, what="the mail, after Redis")
                await eventually(_recorded(1), within=30, what="the mail marked sent")
    (message,) = handler.messages
    assert message["To"] == "lea@example.fr"
