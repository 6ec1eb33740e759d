"""Live deadline alerts (seed 004): one row per thing that has a deadline, with its alert stage."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class DeadlineSource(StrEnum):
    """What keeps the deadline; `Deadline.source_id` is that row's id."""

    SLA = "SLA"  # a thread awaiting the seller's reply
    CLAIM = "CLAIM"  # an OPEN claim awaiting the seller's answer
    REFUND = "REFUND"  # a received return awaiting the refund
    QUOTE = "QUOTE"  # a REQUESTED quote awaiting the seller's offer
    ORDER = "ORDER"  # a PENDING order awaiting the seller's validation


class AlertStage(StrEnum):
    """The last alert raised for the current deadline."""

    NONE = "NONE"
    AT_RISK = "AT_RISK"
    OVERDUE = "OVERDUE"


class DeadlineKind(StrEnum):
    """The alert as pushed (`DeadlineEvent.kind`)."""

    SLA_AT_RISK = "SLA_AT_RISK"
    SLA_OVERDUE = "SLA_OVERDUE"
    CLAIM_OVERDUE = "CLAIM_OVERDUE"
    REFUND_OVERDUE = "REFUND_OVERDUE"
    QUOTE_AT_RISK = "QUOTE_AT_RISK"
    QUOTE_OVERDUE = "QUOTE_OVERDUE"
    ORDER_EXPIRING = "ORDER_EXPIRING"


class Deadline(Model):
    """A source's deadline as the alert job sees it.

    Every change that may move a source's deadline bumps `version` and sets `next_alert_at` to
    the change's instant in the change's own transaction; the job then (re)computes the
    instants from the source and advances `stage` with an update conditional on `version`, so
    each alert is raised once per deadline whatever the number of runners.
    """

    id = fields.IntField(primary_key=True)
    source = fields.CharEnumField(DeadlineSource, max_length=8)
    source_id = fields.IntField()
    version = fields.IntField(default=0)
    # The party who must act (the audience of the alerts) and what the alerts point at.
    seller_id = fields.IntField(null=True)
    thread_id = fields.IntField(null=True)
    claim_id = fields.IntField(null=True)
    quote_id = fields.IntField(null=True)
    order_id = fields.IntField(null=True)
    # Null until the job has read the source, and once the deadline is met.
    due_at = fields.DatetimeField(null=True)
    at_risk_at = fields.DatetimeField(null=True)
    stage = fields.CharEnumField(AlertStage, max_length=8, default=AlertStage.NONE)
    # When the job must look at the row next; null: nothing left to raise.
    next_alert_at = fields.DatetimeField(null=True)

    class Meta:
        table = "deadline"
        unique_together = (("source", "source_id"),)
        indexes = (Index(fields=("next_alert_at",), name="deadline_next_alert"),)
