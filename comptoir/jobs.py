"""The background jobs runner: mail outbox, order and quote expiry, cart expiry, overdue
claims, stale uploads.

Every job claims its rows with conditional updates, so `serve` (jobs in-process) and a
standalone `comptoir worker` can run at the same time without sending a mail or expiring an
order twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress

from comptoir.mail import transport_for
from comptoir.metrics import Metrics
from comptoir.settings import Settings, file_store
from resolvers.cart import empty_stale_carts
from resolvers.claims import mark_overdue_claims
from resolvers.helpdesk import remind_overdue_threads
from resolvers.mail import send_due_mails
from resolvers.orders import expire_pending_orders
from resolvers.quotes import expire_offered_quotes
from resolvers.throttle import forget_ended_windows
from resolvers.uploads import delete_stale_uploads

log = logging.getLogger("comptoir.jobs")

Job = Callable[[], Awaitable[int]]


def jobs(settings: Settings) -> dict[str, Job]:
    transport = transport_for(settings)
    policy = settings.policy()
    store = file_store(settings)
    return {
        "expire_pending_orders": lambda: expire_pending_orders(policy=policy),
        "expire_offered_quotes": lambda: expire_offered_quotes(policy=policy),
        "empty_stale_carts": empty_stale_carts,
        "remind_overdue_threads": remind_overdue_threads,
        "mark_overdue_claims": lambda: mark_overdue_claims(policy=policy),
        "delete_stale_uploads": lambda: delete_stale_uploads(store=store, policy=policy),
        "forget_ended_windows": forget_ended_windows,
        # Last, so the mails the other jobs just queued go out in the same round.
        "send_due_mails": lambda: send_due_mails(transport),
    }


async def run_once(settings: Settings, metrics: Metrics | None = None) -> dict[str, int]:
    """One round of every job; a failing job is logged and does not stop the others."""
    done: dict[str, int] = {}
    for name, job in jobs(settings).items():
        try:
            done[name] = await job()
        except Exception:  # one broken job must not starve the rest
            log.exception("job %s failed", name)
        if metrics is not None:
            metrics.job_round(name, failed=name not in done)
    return done


async def run_forever(settings: Settings, metrics: Metrics | None = None) -> None:
    while True:
        counts = await run_once(settings, metrics)
        if any(counts.values()):
            log.info("jobs: %s", counts)
        await asyncio.sleep(settings.jobs_interval_seconds)


@asynccontextmanager
async def run_jobs_in_background(settings: Settings,
                                 metrics: Metrics | None = None) -> AsyncIterator[None]:
    task = asyncio.create_task(run_forever(settings, metrics), name="comptoir-jobs")
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
