"""The background jobs runner: mail outbox, reset requests, order and quote expiry, cart
expiry, deadline alerts (with the helpdesk reminders and overdue claims they carry), stale
uploads.

Adding a job is one declaration in `JOBS`:

    Job("expire_quotes", lambda deps: expire_quotes(policy=deps.policy),
        wake_on=(doorbell.CHANNEL,), next_due=lambda deps: next_quote_expiry())

* `run` is a resolver function that processes **every** row due now, in batches (keyset
  pages, or claim-until-empty), each row claimed with a conditional update (or `SKIP LOCKED`),
  and returns how many it handled. It never holds a transaction across network I/O.
* `wake_on` (optional): doorbell channels (`realtime.doorbell`) whose ring starts a round at
  once, e.g. `MAIL_CHANNEL` for the outbox, `CHANNEL` for work that follows a logged change.
* `next_due` (optional): when the job's next row falls due (None: nothing pending); the runner
  sleeps until then instead of a whole interval, so short deadlines are met on time.
* The interval (`COMPTOIR_JOBS_INTERVAL_SECONDS`) is only the safety net: lost doorbells,
  rows changed by hand, a process that died between its commit and its ring.

Every job runs in a task of its own, its first round included: a slow mail server never
delays an expiry, even at start. Once the doorbells are heard, every job starts with one
round, so what piled up while no runner was up is cleared. Any number of runners (`serve`
with jobs in-process, `comptoir worker`) may run at once: the claims make each row handled
once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from broadcaster import Broadcast

from comptoir.mail import transport_for
from comptoir.metrics import Metrics
from comptoir.settings import Settings, file_store
from realtime.doorbell import CHANNEL, MAIL_CHANNEL
from resolvers.accounts.recovery import answer_reset_requests
from resolvers.cart import empty_stale_carts, next_cart_emptying
from resolvers.deadlines.alerts import next_deadline_alert, raise_deadline_alerts
from resolvers.mail import MailTransport, next_mail_due, send_due_mails
from resolvers.orders import expire_pending_orders, next_order_expiry
from resolvers.policy import Policy
from resolvers.quotes import expire_offered_quotes, next_quote_expiry
from resolvers.standing.rating import propagate_standing, refresh_stale_ratings
from resolvers.storage import FileStore
from resolvers.throttle import forget_ended_windows
from resolvers.uploads import delete_stale_uploads

log = logging.getLogger("comptoir.jobs")


@dataclass(frozen=True)
class Deps:
    """What jobs are handed (built once per runner from the settings)."""

    policy: Policy
    transport: MailTransport
    store: FileStore

    @classmethod
    def from_settings(cls, settings: Settings, *, policy: Policy) -> Deps:
        """`policy`: the settings' own, with the doorbell of the process running the jobs."""
        return cls(policy=policy, transport=transport_for(settings), store=file_store(settings))


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[Deps], Awaitable[int]]
    wake_on: tuple[str, ...] = ()
    next_due: Callable[[Deps], Awaitable[datetime | None]] | None = field(default=None)


JOBS: tuple[Job, ...] = (
    # An order or quote that is created or changes status appends an event: its doorbell
    # has the expiry jobs read their next due row again.
    Job(
        "expire_pending_orders",
        lambda deps: expire_pending_orders(policy=deps.policy),
        wake_on=(CHANNEL,),
        next_due=lambda deps: next_order_expiry(policy=deps.policy),
    ),
    Job(
        "expire_offered_quotes",
        lambda deps: expire_offered_quotes(policy=deps.policy),
        wake_on=(CHANNEL,),
        next_due=lambda deps: next_quote_expiry(),
    ),
    # A cart's changes append no event; they only ever push its turn further away.
    Job(
        "empty_stale_carts",
        lambda deps: empty_stale_carts(policy=deps.policy),
        next_due=lambda deps: next_cart_emptying(policy=deps.policy),
    ),
    Job(
        "delete_stale_uploads",
        lambda deps: delete_stale_uploads(store=deps.store, policy=deps.policy),
    ),
    Job("refresh_stale_ratings", lambda deps: refresh_stale_ratings()),
    Job("propagate_standing", lambda deps: propagate_standing()),
    Job("forget_ended_windows", lambda deps: forget_ended_windows()),
    # Every change that touches a deadline appends an event: its doorbell wakes this job.
    Job(
        "raise_deadline_alerts",
        lambda deps: raise_deadline_alerts(policy=deps.policy),
        wake_on=(CHANNEL,),
        next_due=lambda deps: next_deadline_alert(),
    ),
    # The mail doorbell rings after each reset request: this job answers it at once, and
    # the mail it queues rings the same doorbell for the outbox's job.
    Job(
        "answer_reset_requests",
        lambda deps: answer_reset_requests(policy=deps.policy),
        wake_on=(MAIL_CHANNEL,),
    ),
    Job(
        "send_due_mails",
        lambda deps: send_due_mails(deps.transport, policy=deps.policy),
        wake_on=(MAIL_CHANNEL,),
        next_due=lambda deps: next_mail_due(),
    ),
)


class Runner:
    """Runs each job in its own loop: a round, then a wait for a doorbell, its next due row
    or the interval, whichever comes first."""

    def __init__(
        self,
        deps: Deps,
        *,
        interval_seconds: float,
        jobs: Sequence[Job] = JOBS,
        metrics: Metrics | None = None,
    ) -> None:
        self.deps = deps
        self.metrics = metrics
        self.interval_seconds = interval_seconds
        self.jobs = tuple(jobs)
        self._wake = {job.name: asyncio.Event() for job in self.jobs}
        # Set once the doorbells are heard and every job's first round has started: a change
        # committed after it rings a runner that will handle it.
        self.ready = asyncio.Event()

    @property
    def channels(self) -> set[str]:
        return {channel for job in self.jobs for channel in job.wake_on}

    def ring(self, channel: str) -> None:
        """A doorbell rang: start a round of every job that listens to it."""
        for job in self.jobs:
            if channel in job.wake_on:
                self._wake[job.name].set()

    async def reconnected(self) -> None:
        """The broadcast came back: the doorbells rung while it was away are lost, so every
        job that listens to one runs a round, as if they had all rung."""
        for channel in self.channels:
            self.ring(channel)

    async def round(self, job: Job) -> int | None:
        """One round of one job; a failure is logged (None) and does not stop the runner."""
        try:
            done = await job.run(self.deps)
        except Exception:  # one broken job must not starve the rest
            log.exception("job %s failed", job.name)
            done = None
        if self.metrics is not None:
            self.metrics.job_round(job.name, failed=done is None)
        if done:
            log.info("job %s: %s", job.name, done)
        return done

    async def run_once(self) -> dict[str, int]:
        """One round of every job, in declaration order (the outbox last: it sends what the
        others just queued)."""
        done: dict[str, int] = {}
        for job in self.jobs:
            count = await self.round(job)
            if count is not None:
                done[job.name] = count
        return done

    async def _pause(self, job: Job, failed: bool) -> float:
        """Seconds until the job's next round, unless a doorbell comes first."""
        if failed or job.next_due is None:
            return self.interval_seconds
        try:
            due = await job.next_due(self.deps)
        except Exception:  # the database may be briefly away: the interval retries
            log.warning("job %s: next due time unreadable", job.name, exc_info=True)
            return self.interval_seconds
        if due is None:
            return self.interval_seconds
        return min(self.interval_seconds, max(0.0, (due - datetime.now(UTC)).total_seconds()))

    async def _loop(self, job: Job) -> None:
        wake = self._wake[job.name]
        # A ring during this first round is kept: the next one follows at once.
        failed = await self.round(job) is None
        while True:
            pause = await self._pause(job, failed)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), pause)
            wake.clear()  # before the round: a ring during it starts the next one
            failed = await self.round(job) is None

    async def run(self, broadcast: Broadcast | None) -> None:
        """Listen to the doorbells, then loop each job, starting with a round of each (their
        first rounds side by side: a stalled outbox must not hold back the other jobs)."""
        async with contextlib.AsyncExitStack() as stack:
            if broadcast is not None:
                for channel in sorted(self.channels):
                    subscribed = asyncio.Event()
                    stack.push_async_callback(
                        _cancel,
                        asyncio.create_task(
                            self._listen(broadcast, channel, subscribed),
                            name=f"jobs-doorbell-{channel}",
                        ),
                    )
                    await subscribed.wait()
            async with asyncio.TaskGroup() as group:
                for job in self.jobs:
                    group.create_task(self._loop(job), name=f"job-{job.name}")
                self.ready.set()
                log.info(
                    "jobs runner listening (%s); safety-net interval %ss",
                    ", ".join(sorted(self.channels)) or "no doorbell",
                    self.interval_seconds,
                )

    async def _listen(self, broadcast: Broadcast, channel: str, subscribed: asyncio.Event) -> None:
        try:
            async with broadcast.subscribe(channel) as subscriber:
                subscribed.set()
                # broadcaster types Subscriber.__aiter__ as returning an Optional generator.
                async for _ in subscriber:  # type: ignore[union-attr]
                    self.ring(channel)
        except Exception:  # the interval still runs every job
            log.warning(
                "doorbell %s lost; jobs fall back to their interval", channel, exc_info=True
            )
        finally:
            subscribed.set()


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def run_once(
    settings: Settings, *, policy: Policy, metrics: Metrics | None = None
) -> dict[str, int]:
    """One round of every job, outside any runner (tests, one-off maintenance)."""
    runner = Runner(
        Deps.from_settings(settings, policy=policy),
        interval_seconds=settings.jobs_interval_seconds,
        metrics=metrics,
    )
    return await runner.run_once()


@asynccontextmanager
async def run_jobs_in_background(
    runner: Runner, broadcast: Broadcast | None
) -> AsyncIterator[Runner]:
    task = asyncio.create_task(runner.run(broadcast), name="comptoir-jobs")
    try:
        yield runner
    finally:
        await _cancel(task)
