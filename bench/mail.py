"""Mail pace: mails generated/s vs drained/s under reservation-style load, and enqueue -> SMTP
latency (p50/p99) for account mails and notifications.

Load: `--rate` commits per second, each queueing six notifications in one transaction (a
reservation over three sellers), plus one account mail (confirmation) every 0.5 s; the jobs
runner sends them (doorbell-woken, interval 3600 s) to an aiosmtpd sink in another process.
Then an idle phase: single confirmations, one at a time.  Bounded in time, 127.0.0.1 only.

    .venv/bin/python bench/mail.py [--database-url URL] [--seconds 20] [--rate 40]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import re
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from comptoir.db import database, migrate_database
from comptoir.jobs import Deps, Runner, run_jobs_in_background
from comptoir.mail import SmtpTransport
from comptoir.settings import Settings, file_store
from models.mail import MailPriority, OutboxMail
from realtime.broadcast import open_broadcast
from realtime.log import atomic
from resolvers.mail import enqueue_mail


def _sink(port: int, arrivals: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    from aiosmtpd.controller import Controller

    class Handler:
        async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
            found = re.search(rb"Message-ID: <outbox-(\d+)@", envelope.original_content or b"")  # type: ignore[attr-defined]
            arrivals.put((int(found.group(1)) if found else 0, time.time()))
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    time.sleep(3600)


async def _load(seconds: float, rate: float) -> int:
    queued, start, i = 0, time.monotonic(), 0
    next_account = start
    while (now := time.monotonic()) - start < seconds:
        async with atomic():
            for seller in range(6):
                await enqueue_mail(
                    to=f"s{seller}@bench.fr", subject=f"Commande {i}", body="Nouvelle commande"
                )
        queued += 6
        if now >= next_account:
            async with atomic():
                await enqueue_mail(
                    to=f"u{i}@bench.fr",
                    subject="Confirmez",
                    body="Lien",
                    priority=MailPriority.ACCOUNT,
                )
            queued += 1
            next_account += 0.5
        i += 1
        await asyncio.sleep(max(0.0, start + i / rate - time.monotonic()))
    return queued


def _pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else (values or [0])[0]


async def main(url: str, seconds: float, rate: float) -> None:
    from tests.mail_helpers import free_port

    port = free_port()
    arrivals: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    sink = multiprocessing.Process(target=_sink, args=(port, arrivals), daemon=True)
    sink.start()
    await migrate_database(url)
    settings = Settings.from_env({"DATABASE_URL": url, "SMTP_URL": f"smtp://127.0.0.1:{port}"})
    async with database(url), open_broadcast(None) as broadcast:
        await OutboxMail.all().delete()
        runner = Runner(
            Deps(
                policy=settings.policy(),
                transport=SmtpTransport(f"smtp://127.0.0.1:{port}"),
                store=file_store(settings),
            ),
            interval_seconds=3600,
        )
        async with run_jobs_in_background(runner, broadcast):
            await runner.ready.wait()
            t0 = time.monotonic()
            generated = await _load(seconds, rate)
            load_time = time.monotonic() - t0
            sent_during = await OutboxMail.filter(sent_at__isnull=False).count()
            # Watched from outside the runner, as an operator would: the runner has no hook.
            while await OutboxMail.filter(sent_at__isnull=True).exists():  # noqa: ASYNC110
                await asyncio.sleep(0.05)
            drain_time = time.monotonic() - t0
            idle: list[float] = []
            for n in range(20):
                async with atomic():
                    await enqueue_mail(
                        to=f"idle{n}@bench.fr",
                        subject="Confirmez",
                        body="Lien",
                        priority=MailPriority.ACCOUNT,
                    )
                while await OutboxMail.filter(sent_at__isnull=True).exists():  # noqa: ASYNC110
                    await asyncio.sleep(0.005)
        rows = {m.id: m for m in await OutboxMail.all()}
    got: dict[int, float] = {}
    while len(got) < len(rows):
        mail_id, at = arrivals.get(timeout=10)
        got[mail_id] = at
    sink.kill()
    lat = {MailPriority.ACCOUNT: [], MailPriority.NOTIFICATION: []}  # type: dict[MailPriority, list[float]]
    for mail_id, row in rows.items():
        seconds_taken = got[mail_id] - row.created_at.timestamp()
        if row.recipient.startswith("idle"):
            idle.append(seconds_taken)
        else:
            lat[row.priority].append(seconds_taken)
    print(f"database: {url.split('://')[0]}  load {load_time:.1f} s at {rate:g} commits/s")
    print(
        f"generated {generated} mails = {generated / load_time:.0f}/s; sent during load "
        f"{sent_during}; all {generated} drained after {drain_time:.1f} s = "
        f"{generated / drain_time:.0f}/s"
    )
    for kind, values in lat.items():
        print(
            f"{kind.name.lower():13} n={len(values):5}  p50 {_pct(values, 50):.3f} s  "
            f"p99 {_pct(values, 99):.3f} s"
        )
    print(f"idle account  n={len(idle):5}  p50 {_pct(idle, 50):.3f} s  p99 {_pct(idle, 99):.3f} s")
    print(f"at {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="sqlite:///tmp/comptoir-bench-mail.sqlite3")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--rate", type=float, default=40)
    args = parser.parse_args()
    asyncio.run(main(args.database_url, args.seconds, args.rate))
