"""Mail pace under reservation-style load, on SQLite and PostgreSQL in one run.

For each database: `--rate` commits per second for `--seconds`, each one transaction queueing
six notifications (a reservation over three sellers: each seller and the buyer per order),
plus one account mail (a confirmation) every 0.5 s in a transaction of its own. The jobs
runner sends them as `serve` does with its jobs in-process (same process and event loop as
the writer, woken by the mail doorbell, safety-net interval one hour) to an aiosmtpd sink in
another process (offering PIPELINING unless `--no-pipelining`), which timestamps every mail
it receives; `--delay-ms D` puts it D ms away each way, as a mail server over the network
(bench/mail_sink.py). Then an idle phase: single confirmations queued one at a time.

Reported, from the rows' `created_at` and the sink's receive times (nothing polls the
database while the load runs): generated/s and sent/s over the same load window; the backlog
(queued, not yet received) at the end of the load and its maximum; each process's CPU over
the window; enqueue -> SMTP latency p50/p99 for account mails, notifications and idle mails.
`--capacity N` measures instead the CPU per mail of queueing N mails, then of sending them.

Bounded in time (`--seconds` + at most `--drain-seconds` + 10 s per idle mail), 127.0.0.1 only:

    .venv/bin/python bench/mail.py --seconds 15 \
        --database-url sqlite:///tmp/comptoir-bench-mail.sqlite3 \
        --database-url postgres://postgres:postgres@127.0.0.1:5432/scratch_db --reset \
        --topology in-process --topology worker

`--topology worker` (repeatable with `in-process`, measured one after the other in the same
run) is production on PostgreSQL: the writer as a web process with its jobs off, the sender
in a `comptoir worker` process woken through a Redis the bench starts on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from multiprocessing.queues import Queue
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.mail_sink import Arrival, Arrivals, serve_sink
from comptoir.db import database, migrate_database
from comptoir.jobs import Deps, Runner, run_jobs_in_background
from comptoir.mail import SmtpTransport
from comptoir.settings import Settings, file_store
from models.mail import MailPriority, OutboxMail
from realtime.broadcast import open_broadcast
from realtime.doorbell import Doorbell
from realtime.log import atomic
from resolvers.mail import enqueue_mail, send_due_mails
from resolvers.policy import Policy
from tests.integration.test_mail_topologies import LISTENING, redis, running
from tests.mail_helpers import free_port

ROOT = Path(__file__).resolve().parents[1]
Pids = dict[str, int]  # process name: pid, whose CPU time the bench reads


async def _confirmation(to: str, policy: Policy) -> None:
    async with atomic():
        account = MailPriority.ACCOUNT
        await enqueue_mail(to=to, subject="Confirmez", body="Lien", priority=account, policy=policy)


async def _load(seconds: float, rate: float, policy: Policy) -> None:
    start, i, next_account = time.monotonic(), 0, time.monotonic()
    queue = partial(enqueue_mail, policy=policy)
    while (now := time.monotonic()) - start < seconds:
        async with atomic():
            for seller in range(3):
                await queue(to=f"s{seller}@bench.fr", subject=f"Commande {i}", body="Cde")
                await queue(to=f"b{i}@bench.fr", subject=f"Commande {i}", body="Merci")
        if now >= next_account:
            await _confirmation(f"u{i}@bench.fr", policy)
            next_account += 0.5
        i += 1
        await asyncio.sleep(max(0.0, start + i / rate - time.monotonic()))


def _pct(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


@dataclass
class Figures:
    database: str
    window: float
    generated: int
    sent_in_window: int
    backlog_end: int
    backlog_max: int
    drained_after: float | None  # seconds after the load's end, None: not within the bound
    account: list[float]
    notification: list[float]
    idle: list[float]
    cpu: dict[str, float]  # CPU seconds of each process over the load window

    def lines(self) -> list[str]:
        gen, sent = self.generated / self.window, self.sent_in_window / self.window
        after = self.drained_after
        drained = "not within the bound" if after is None else f"{after:.1f}"
        return [
            f"{self.database}: load window {self.window:.1f} s",
            f"  generated {gen:6.1f}/s  sent {sent:6.1f}/s  (sent/generated {sent / gen:.2f})",
            f"  backlog at the end of the load {self.backlog_end}, max {self.backlog_max}; "
            f"all sent {drained} s after the load",
            "  CPU over the load window: "
            + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in self.cpu.items()),
            *(
                f"  {name:12} n={len(v):5}  p50 {_pct(v, 50):.3f} s  p99 {_pct(v, 99):.3f} s"
                for name, v in (
                    ("account", self.account),
                    ("notification", self.notification),
                    ("idle", self.idle),
                )
            ),
        ]


def _backlog(created: list[float], arrived: list[float], t0: float, t1: float) -> tuple[int, int]:
    """Mails queued but not yet received, at `t1` and at its worst between `t0` and `t1`."""
    steps = sorted([(t, 1) for t in created] + [(t, -1) for t in arrived])
    level = worst = 0
    for at, step in steps:
        if at > t1:
            break
        level += step
        if at >= t0:
            worst = max(worst, level)
    return level, worst


def _cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far, all its threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _reset_postgres(url: str) -> None:
    from tortoise import connections

    async with database(url):
        await connections.get("default").execute_script(
            "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"
        )


@asynccontextmanager
async def _sender(topology: str, url: str, port: int) -> AsyncIterator[tuple[Pids, Policy]]:
    """Run the jobs runner as `serve` does (in this process), or in a `comptoir worker`; its
    processes' pids, and the policy whose doorbell wakes it.

    `worker` is production on PostgreSQL: the writer (this process, as a web process with
    COMPTOIR_JOBS_IN_WEB=0) rings the mail doorbell through a Redis of the bench's own, and a
    `comptoir worker` process, woken by it, sends."""
    smtp_url = f"smtp://127.0.0.1:{port}"
    if topology == "worker":
        async with redis() as server:
            env = {
                **os.environ,
                "DATABASE_URL": url,
                "SMTP_URL": smtp_url,
                "REDIS_URL": server.url,
                "COMPTOIR_JOBS_INTERVAL_SECONDS": "3600",
                "COMPTOIR_LOG_LEVEL": "INFO",
                "PYTHONPATH": str(ROOT),
            }
            async with running(env, "worker") as worker, open_broadcast(server.url) as channel:
                await worker.said(LISTENING)
                assert worker.process is not None
                pids = {"bench (writer)": os.getpid(), "worker (sender)": worker.process.pid}
                yield pids, Policy(doorbell=channel.doorbell)
        return
    settings = Settings.from_env({"DATABASE_URL": url, "SMTP_URL": smtp_url})
    async with open_broadcast(None) as channel:
        policy = settings.policy(doorbell=channel.doorbell)
        runner = Runner(
            Deps(policy=policy, transport=SmtpTransport(smtp_url), store=file_store(settings)),
            interval_seconds=3600,
        )
        async with run_jobs_in_background(runner, channel.broadcast):
            await runner.ready.wait()
            yield {"bench (writer + sender)": os.getpid()}, policy


async def measure(
    url: str, topology: str, arrivals: Arrivals, port: int, args: argparse.Namespace
) -> Figures:
    dialect = url.split("://")[0]
    if args.reset and dialect.startswith("postgres"):
        await _reset_postgres(url)
    await migrate_database(url)
    async with database(url):
        await OutboxMail.all().delete()
        async with _sender(topology, url, port) as (pids, policy):
            pids["sink"] = args.sink_pid
            cpu0 = {name: _cpu(pid) for name, pid in pids.items()}
            t0 = time.time()
            await _load(args.seconds, args.rate, policy)
            t1 = time.time()
            cpu = {name: _cpu(pid) - cpu0[name] for name, pid in pids.items()}
            ids = {row.id for row in await OutboxMail.all().only("id")}
            drained = await arrivals.until(lambda: ids <= arrivals.at.keys(), args.drain_seconds)
            drained_after = max(arrivals.at[i] for i in ids) - t1 if drained else None
            idle_ids: list[int] = []
            for n in range(args.idle):
                await asyncio.sleep(0.2)  # the runner back to waiting on its doorbell
                await _confirmation(f"idle{n}@bench.fr", policy)
                row = await OutboxMail.filter(recipient=f"idle{n}@bench.fr").get()
                idle_ids.append(row.id)
                await arrivals.until(partial(arrivals.at.__contains__, row.id), 10)
        rows = await OutboxMail.all()
    created = {r.id: r.created_at.timestamp() for r in rows}
    latency: dict[MailPriority, list[float]] = {p: [] for p in MailPriority}
    for r in rows:
        if r.id in ids and r.id in arrivals.at:
            latency[r.priority].append(arrivals.at[r.id] - created[r.id])
    end, worst = _backlog(
        [created[i] for i in ids], [arrivals.at[i] for i in ids if i in arrivals.at], t0, t1
    )
    figures = Figures(
        database=f"{dialect} ({topology})",
        window=t1 - t0,
        generated=sum(t0 <= created[i] <= t1 for i in ids),
        sent_in_window=sum(t0 <= at <= t1 for i, at in arrivals.at.items() if i in ids),
        backlog_end=end,
        backlog_max=worst,
        drained_after=drained_after,
        account=latency[MailPriority.ACCOUNT],
        notification=latency[MailPriority.NOTIFICATION],
        idle=[arrivals.at[i] - created[i] for i in idle_ids if i in arrivals.at],
        cpu=cpu,
    )
    arrivals.at.clear()  # outbox ids start again on the next database
    return figures


async def capacity(url: str, arrivals: Arrivals, port: int, args: argparse.Namespace) -> None:
    """CPU per mail of queueing (reservation-shaped commits) and of sending (one
    `send_due_mails` over the backlog), each alone, in this process (with its SQLite thread;
    PostgreSQL's own CPU is not counted) and in the sink."""
    if args.reset and url.startswith("postgres"):
        await _reset_postgres(url)
    await migrate_database(url)
    async with database(url):
        await OutboxMail.all().delete()
        # Nobody listens to its doorbell: this run sends the backlog itself.
        policy = Settings.from_env({"DATABASE_URL": url}).policy(doorbell=Doorbell())
        queue = partial(enqueue_mail, policy=policy)
        start = _cpu(os.getpid())
        for i in range(args.capacity // 6):
            async with atomic():
                for n in range(6):
                    await queue(to=f"c{n}@bench.fr", subject=f"Commande {i}", body="Cde")
        queued, count = _cpu(os.getpid()) - start, await OutboxMail.all().count()
        sink, start, wall = _cpu(args.sink_pid), _cpu(os.getpid()), time.monotonic()
        sent = await send_due_mails(SmtpTransport(f"smtp://127.0.0.1:{port}"), policy=policy)
        wall, used = time.monotonic() - wall, _cpu(os.getpid()) - start
        await arrivals.until(lambda: len(arrivals.at) >= sent, 30)
        sink = _cpu(args.sink_pid) - sink
        arrivals.at.clear()
    print(
        f"{url.split('://')[0]} capacity: queue {1000 * queued / count:.2f} ms CPU per mail; "
        f"send {1000 * used / sent:.2f} ms CPU per mail ({sent / wall:.0f} mails/s wall, "
        f"send/queue CPU {used / sent / (queued / count):.2f}); sink {1000 * sink / sent:.2f} ms",
        flush=True,
    )


async def main(args: argparse.Namespace, queue: Queue[Arrival], port: int) -> None:
    arrivals = Arrivals(queue)
    try:
        await arrivals.until(lambda: -1 in arrivals.at, 30)
        arrivals.at.clear()
        for url in args.database_url:
            if args.capacity:
                await capacity(url, arrivals, port, args)
                continue
            for topology in args.topology or ["in-process"]:
                figures = await measure(url, topology, arrivals, port, args)
                print("\n".join(figures.lines()), flush=True)
    finally:
        arrivals.close()
    print(
        f"{args.rate:g} commits/s x 6 mails + 2 account mails/s; {datetime.now(UTC):%F %H:%M} UTC"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database-url", action="append", help="repeat to measure several (default: SQLite)"
    )
    parser.add_argument(
        "--topology",
        action="append",
        choices=["in-process", "worker"],
        help="repeat to measure both (default: in-process): the sender in the writer's process"
        " (`serve` with jobs in it) or in a `comptoir worker`, doorbell through Redis",
    )
    parser.add_argument("--reset", action="store_true", help="PostgreSQL: drop the schema first")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--rate", type=float, default=40, help="reservation commits per second")
    parser.add_argument("--drain-seconds", type=float, default=60)
    parser.add_argument("--idle", type=int, default=20, help="single mails on a quiet server")
    parser.add_argument("--capacity", type=int, default=0, help="CPU per mail queued vs sent")
    parser.add_argument("--no-pipelining", action="store_true", help="sink without PIPELINING")
    parser.add_argument(
        "--delay-ms", type=float, default=0, help="the sink's network delay, each way"
    )
    arguments = parser.parse_args()
    urls = arguments.database_url or [f"sqlite://{tempfile.mkdtemp()}/bench-mail.sqlite3"]
    if len(urls) > 1:
        # One process per database: Tortoise keeps each model's SQL built for the first one.
        for url in urls:
            others = [a for a in sys.argv[1:] if a not in urls and a != "--database-url"]
            subprocess.run([sys.executable, __file__, *others, "--database-url", url], check=True)
        sys.exit(0)
    arguments.database_url = urls
    sink_port = free_port()
    # Forked before any event loop or database connection exists in this process.
    context = multiprocessing.get_context("fork")
    received: Queue[Arrival] = context.Queue()
    pipelining = not arguments.no_pipelining
    sink = context.Process(
        target=serve_sink,
        args=(sink_port, received, pipelining, arguments.delay_ms / 1000),
        daemon=True,
    )
    sink.start()
    arguments.sink_pid = sink.pid
    try:
        asyncio.run(main(arguments, received, sink_port))
    finally:
        sink.kill()
