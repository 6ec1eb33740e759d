"""The seller's response SLA (seed 004): 24 business hours per buyer message.

A seller message answers every earlier unanswered buyer message of its thread. The response
rate is the share of the last 90 days' buyer messages answered before their deadline.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from tortoise.expressions import Q
from tortoise.functions import Count

from models.accounts import Role
from models.helpdesk import Message, Thread
from resolvers.clock import utc_now
from resolvers.policy import Policy

RATE_WINDOW = timedelta(days=90)


def deadline(sent_at: datetime, *, policy: Policy) -> datetime:
    """When a buyer message received at `sent_at` must have been answered."""
    return policy.business_hours_after(sent_at, policy.sla_business_hours)


def is_overdue(thread: Thread, *, now: datetime | None = None) -> bool:
    due = thread.response_due_at
    return due is not None and due < utc_now(now)


async def answer_buyer_messages(thread_id: int, *, at: datetime) -> None:
    """Mark every buyer message sent up to `at` and still unanswered as answered at `at`."""
    pending = Message.filter(
        thread_id=thread_id,
        author_role=Role.BUYER,
        due_at__not_isnull=True,
        answered_at__isnull=True,
        sent_at__lte=at,
    )
    await pending.filter(due_at__gte=at).update(answered_at=at, answered_in_time=True)
    await pending.filter(due_at__lt=at).update(answered_at=at, answered_in_time=False)


async def earliest_deadline(thread_id: int) -> datetime | None:
    """The earliest deadline among the thread's unanswered buyer messages."""
    first = await (
        Message.filter(thread_id=thread_id, answered_at__isnull=True, due_at__not_isnull=True)
        .order_by("due_at")
        .first()
    )
    return first.due_at if first is not None else None


async def _counts_by_seller(query: Q, seller_ids: Sequence[int]) -> dict[int, int]:
    rows = await (
        Message.filter(query, thread__seller_id__in=list(seller_ids))
        .annotate(n=Count("id"))
        .group_by("thread__seller_id")
        .values("thread__seller_id", "n")
    )
    return {int(r["thread__seller_id"]): int(r["n"]) for r in rows}


async def response_tallies(
    seller_ids: Sequence[int], *, now: datetime | None = None
) -> dict[int, tuple[int, int]]:
    """Per seller: (recent buyer messages answered in time, recent buyer messages judged).

    A message still within its deadline and unanswered is not judged yet: counting it as a
    failure would punish a seller for a message received a minute ago.
    """
    now = utc_now(now)
    recent = Q(author_role=Role.BUYER, due_at__not_isnull=True, sent_at__gte=now - RATE_WINDOW)
    # Passed at its due instant, as for the alert job (which refreshes the rating then).
    judged = recent & (Q(answered_at__not_isnull=True) | Q(due_at__lte=now))
    totals = await _counts_by_seller(judged, seller_ids)
    on_time = await _counts_by_seller(recent & Q(answered_in_time=True), seller_ids)
    return {s: (on_time.get(s, 0), totals[s]) for s in seller_ids if totals.get(s)}


async def response_rates(
    seller_ids: Sequence[int], *, now: datetime | None = None
) -> list[float | None]:
    """Each seller's share of recent buyer messages answered in time (None: nothing to judge)."""
    tallies = await response_tallies(seller_ids, now=now)
    return [tallies[s][0] / tallies[s][1] if s in tallies else None for s in seller_ids]
