"""Moderation (seed 004): admins' decisions on flagged messages and seller suspensions."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.accounts import Account, Seller
    from models.helpdesk import Message


class FlagDecision(StrEnum):
    DISMISSED = "DISMISSED"
    WARNED = "WARNED"
    SUSPENDED = "SUSPENDED"


class FlagReview(Model):
    """An admin decision on one flagged message (a unique message: one decision only)."""

    id = fields.IntField(primary_key=True)
    message: fields.OneToOneRelation[Message] = fields.OneToOneField(
        "models.Message", related_name="review", on_delete=fields.RESTRICT
    )
    message_id: int
    decision = fields.CharEnumField(FlagDecision, max_length=10)
    note = fields.TextField(null=True)
    at = fields.DatetimeField()
    by: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="flag_reviews", null=True, on_delete=fields.SET_NULL
    )
    by_id: int | None

    class Meta:
        table = "flag_review"


class Suspension(Model):
    """Every suspension of a seller, who decided it and when, and its early end if any."""

    id = fields.IntField(primary_key=True)
    seller: fields.ForeignKeyRelation[Seller] = fields.ForeignKeyField(
        "models.Seller", related_name="suspensions", on_delete=fields.RESTRICT
    )
    seller_id: int
    reason = fields.TextField()
    at = fields.DatetimeField()
    until = fields.DatetimeField()
    by: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account",
        related_name="suspensions_decided",
        null=True,
        on_delete=fields.SET_NULL,
    )
    by_id: int | None
    # Set when a flag review decided it.
    review: fields.ForeignKeyNullableRelation[FlagReview] = fields.ForeignKeyField(
        "models.FlagReview", related_name="suspensions", null=True, on_delete=fields.RESTRICT
    )
    review_id: int | None
    reinstated_at = fields.DatetimeField(null=True)
    reinstated_by: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="reinstatements", null=True, on_delete=fields.SET_NULL
    )
    reinstated_by_id: int | None

    class Meta:
        table = "suspension"
