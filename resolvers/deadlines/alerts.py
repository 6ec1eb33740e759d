"""The alert job: reads each touched or due deadline from its source and raises what fell due.

A row is looked at when its `next_alert_at` has passed (one range scan of an index): right
after a change touched it (the instants are then computed with the policy: the due instant
from the source, the AT_RISK one COMPTOIR_AT_RISK_HOURS business hours before it), and at its
next alert instant. Each look is one update conditional on the row's `version`, with the alert
appended to the event log in the same transaction: of two runners, or of a runner and a change
of the source, exactly one wins, so each alert is raised once per deadline.

An AT_RISK alert is only raised while the deadline is still ahead (a runner that was down does
not warn about a deadline that has already passed: it raises the OVERDUE alert instead).

The OVERDUE alert carries what the deadline passing does (`PASSED`: the seller mailed, the
claim marked), in its transaction: the rule "this deadline has passed" is decided here only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Protocol

from tortoise.expressions import F
from tortoise.queryset import QuerySet

from models.claims import Claim, ClaimStatus
from models.deadlines import AlertStage, Deadline, DeadlineKind, DeadlineSource
from models.events import EventKind
from models.helpdesk import Thread
from models.orders import Order, OrderStatus
from models.quotes import Quote, QuoteStatus
from realtime.log import append_event, atomic
from resolvers.claims.deadlines import report_overdue, respond_by
from resolvers.helpdesk.reminders import remind_seller
from resolvers.orders import expires_at
from resolvers.policy import Policy
from resolvers.standing.rating import refresh_ratings

Src = DeadlineSource
A = AlertStage

# The alerts each deadline raises, in order.
STAGES: dict[DeadlineSource, tuple[AlertStage, ...]] = {
    Src.SLA: (A.AT_RISK, A.OVERDUE),
    Src.QUOTE: (A.AT_RISK, A.OVERDUE),
    Src.CLAIM: (A.OVERDUE,),
    Src.REFUND: (A.OVERDUE,),
    # The order expires at its deadline: the ORDER_STATUS event says so.
    Src.ORDER: (A.AT_RISK,),
}
KINDS: dict[tuple[DeadlineSource, AlertStage], DeadlineKind] = {
    (Src.SLA, A.AT_RISK): DeadlineKind.SLA_AT_RISK,
    (Src.SLA, A.OVERDUE): DeadlineKind.SLA_OVERDUE,
    (Src.QUOTE, A.AT_RISK): DeadlineKind.QUOTE_AT_RISK,
    (Src.QUOTE, A.OVERDUE): DeadlineKind.QUOTE_OVERDUE,
    (Src.CLAIM, A.OVERDUE): DeadlineKind.CLAIM_OVERDUE,
    (Src.REFUND, A.OVERDUE): DeadlineKind.REFUND_OVERDUE,
    (Src.ORDER, A.AT_RISK): DeadlineKind.ORDER_EXPIRING,
}
_RANK = {A.NONE: 0, A.AT_RISK: 1, A.OVERDUE: 2}


class Passed(Protocol):
    """What a deadline passing does beside its OVERDUE alert, in the alert's transaction (so
    once per deadline, as the alert): called with the source's id and the due instant."""

    def __call__(self, source_id: int, /, *, due: datetime, policy: Policy) -> Awaitable[None]: ...


PASSED: dict[DeadlineSource, Passed] = {
    Src.SLA: remind_seller,  # the seller is mailed
    Src.CLAIM: report_overdue,  # the claim is marked
    Src.REFUND: report_overdue,  # the claim is marked and the seller mailed
}
# Deadlines the rating judges once passed (`rating_inputs`): the seller's rating drops then,
# not at the next daily pass.  (A claim's answer is its thread's: the SLA row judges it.)
RATED = frozenset((Src.SLA, Src.REFUND))

# Rows per query: a backlog is cleared page after page within one call.
BATCH = 200


@dataclass(frozen=True)
class Due:
    """A source's current deadline, who must meet it and what the alert points at."""

    at: datetime
    seller_id: int
    thread_id: int | None = None
    claim_id: int | None = None
    quote_id: int | None = None
    order_id: int | None = None

    def refs(self) -> dict[str, int | None]:
        fields = asdict(self)
        del fields["at"]
        return fields


async def _thread_due(thread_id: int, policy: Policy) -> Due | None:
    thread = await Thread.get_or_none(id=thread_id)
    if thread is None or thread.seller_id is None or thread.response_due_at is None:
        return None
    return Due(
        thread.response_due_at, thread.seller_id, thread_id=thread.id, order_id=thread.order_id
    )


async def _claim(claim_id: int, status: ClaimStatus) -> tuple[Claim, Thread | None] | None:
    claim = await Claim.get_or_none(id=claim_id)
    if claim is None or claim.status is not status:
        return None
    return claim, await Thread.get_or_none(id=claim.thread_id) if claim.thread_id else None


async def _claim_due(claim_id: int, policy: Policy) -> Due | None:
    found = await _claim(claim_id, ClaimStatus.OPEN)
    due = respond_by(*found) if found is not None else None
    if found is None or due is None:
        return None
    claim = found[0]
    return Due(due, claim.seller_id, claim.thread_id, claim.id, order_id=claim.order_id)


async def _refund_due(claim_id: int, policy: Policy) -> Due | None:
    found = await _claim(claim_id, ClaimStatus.RETURN_RECEIVED)
    due = found[0].refund_due_by if found is not None else None
    if found is None or due is None:
        return None
    claim = found[0]
    return Due(due, claim.seller_id, claim.thread_id, claim.id, order_id=claim.order_id)


async def _quote_due(quote_id: int, policy: Policy) -> Due | None:
    quote = await Quote.get_or_none(id=quote_id)
    if quote is None or quote.status is not QuoteStatus.REQUESTED:
        return None
    return Due(quote.respond_by, quote.seller_id, quote_id=quote.id)


async def _order_due(order_id: int, policy: Policy) -> Due | None:
    order = await Order.get_or_none(id=order_id)
    if order is None or order.status is not OrderStatus.PENDING:
        return None
    return Due(expires_at(order, policy), order.seller_id, order_id=order.id)


READERS: dict[DeadlineSource, Callable[[int, Policy], Awaitable[Due | None]]] = {
    Src.SLA: _thread_due,
    Src.CLAIM: _claim_due,
    Src.REFUND: _refund_due,
    Src.QUOTE: _quote_due,
    Src.ORDER: _order_due,
}


def _alert(
    source: DeadlineSource,
    stage: AlertStage,
    at_risk_at: datetime | None,
    due: datetime,
    now: datetime,
) -> AlertStage | None:
    """The alert that fell due at `now`, if not raised yet."""
    stages = STAGES[source]
    target: AlertStage | None = None
    if due <= now:
        target = A.OVERDUE if A.OVERDUE in stages else None
    elif at_risk_at is not None and at_risk_at <= now:
        target = A.AT_RISK
    if target is None or _RANK[target] <= _RANK[stage]:
        return None
    return target


def _next_look(
    source: DeadlineSource,
    stage: AlertStage,
    at_risk_at: datetime | None,
    due: datetime,
    now: datetime,
) -> datetime | None:
    """When the next alert of the row falls due (None: nothing left to raise)."""
    stages = STAGES[source]
    if A.AT_RISK in stages and stage is A.NONE and due > now:
        return at_risk_at
    if A.OVERDUE in stages and stage is not A.OVERDUE:
        return due
    return None


async def _look(row: Deadline, policy: Policy, now: datetime) -> int | None:
    """Bring one row up to date and raise its alert if one fell due; None: another writer
    changed the row meanwhile (it is looked at again)."""
    due = await READERS[row.source](row.source_id, policy)
    alert: AlertStage | None = None
    if due is None:  # met, or no deadline any more
        changes: dict[str, object] = {
            "due_at": None,
            "at_risk_at": None,
            "stage": A.NONE,
            "next_alert_at": None,
        }
    else:
        stage, at_risk_at = row.stage, row.at_risk_at
        if row.due_at != due.at:  # a new deadline: its alerts start afresh
            stage, at_risk_at = A.NONE, None
            if A.AT_RISK in STAGES[row.source]:
                at_risk_at = policy.business_hours_before(due.at, policy.at_risk_hours)
        alert = _alert(row.source, stage, at_risk_at, due.at, now)
        stage = alert or stage
        changes = {
            "due_at": due.at,
            "at_risk_at": at_risk_at,
            "stage": stage,
            "next_alert_at": _next_look(row.source, stage, at_risk_at, due.at, now),
            **due.refs(),
        }
    async with atomic():
        won = await Deadline.filter(id=row.id, version=row.version).update(
            version=F("version") + 1, **changes
        )
        if not won:
            return None
        if alert is not None and due is not None:
            if alert is A.OVERDUE and row.source in PASSED:
                await PASSED[row.source](row.source_id, due=due.at, policy=policy)
            if alert is A.OVERDUE and row.source in RATED:
                await refresh_ratings([due.seller_id], now=now)
            await append_event(
                EventKind.DEADLINE,
                {"kind": str(KINDS[row.source, alert]), "due_at": due.at.isoformat()},
                doorbell=policy.doorbell,
                at=now,
                **due.refs(),
            )
    return int(alert is not None)


def due_deadlines(now: datetime, batch: int) -> QuerySet[Deadline]:
    """The rows whose look has come, oldest first: one range of the `next_alert_at` index."""
    return Deadline.filter(next_alert_at__lte=now).order_by("next_alert_at", "id").limit(batch)


async def raise_deadline_alerts(
    *, policy: Policy, now: datetime | None = None, batch: int = BATCH
) -> int:
    """Look at every deadline whose look is due, `batch` rows per read; returns how many
    alerts this call raised."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    raised = 0
    while page := await due_deadlines(now, batch):
        looked = [await _look(row, policy, now) for row in page]
        raised += sum(n for n in looked if n)
        if all(n is None for n in looked):
            break  # every row was changed meanwhile: their changes rang for the next round
    return raised


async def next_deadline_alert() -> datetime | None:
    """When the alert job has something to look at next (None: nothing pending)."""
    row = await (
        Deadline.filter(next_alert_at__not_isnull=True)
        .order_by("next_alert_at")
        .first()
        .values_list("next_alert_at", flat=True)
    )
    return row if isinstance(row, datetime) else None
