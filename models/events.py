from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class EventKind(StrEnum):
    ORDER_STATUS = "ORDER_STATUS"
    MESSAGE = "MESSAGE"
    SESSION_REVOKED = "SESSION_REVOKED"
    QUOTE_STATUS = "QUOTE_STATUS"
    CLAIM_STATUS = "CLAIM_STATUS"
    DEADLINE = "DEADLINE"


class Event(Model):
    """The event log: the truth for live delivery.  Redis only rings the doorbell.

    Each row names its audience, so replaying "after N" for one viewer is an indexed query and
    live routing reaches only the sockets of that audience.
    """

    id = fields.BigIntField(primary_key=True)
    kind = fields.CharEnumField(EventKind, max_length=20)
    at = fields.DatetimeField()
    payload: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)
    buyer_id = fields.IntField(null=True)
    seller_id = fields.IntField(null=True)
    company_id = fields.IntField(null=True)
    order_id = fields.IntField(null=True)
    thread_id = fields.IntField(null=True)
    quote_id = fields.IntField(null=True)
    account_id = fields.IntField(null=True)
    session_id = fields.IntField(null=True)
    claim_id = fields.IntField(null=True)

    class Meta:
        table = "event"
        indexes = (
            Index(fields=("buyer_id", "id")),
            Index(fields=("seller_id", "id")),
            Index(fields=("company_id", "id")),
            Index(fields=("order_id", "id")),
            Index(fields=("thread_id", "id")),
            Index(fields=("quote_id", "id")),
            Index(fields=("account_id", "id")),
            Index(fields=("claim_id", "id")),
        )
