"""After-sales: photo uploads, claims with their lines and history, and refunds."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from models.accounts import Role

if TYPE_CHECKING:
    from models.accounts import Account, Company, Seller
    from models.helpdesk import Thread
    from models.orders import Order, OrderLine


class ClaimReason(StrEnum):
    DEFECTIVE = "DEFECTIVE"
    DAMAGED = "DAMAGED"
    MISSING_ITEM = "MISSING_ITEM"
    WRONG_ITEM = "WRONG_ITEM"
    NOT_AS_DESCRIBED = "NOT_AS_DESCRIBED"
    WITHDRAWAL = "WITHDRAWAL"


class ClaimStatus(StrEnum):
    OPEN = "OPEN"
    RETURN_REQUESTED = "RETURN_REQUESTED"
    RETURN_SHIPPED = "RETURN_SHIPPED"
    RETURN_RECEIVED = "RETURN_RECEIVED"
    RESOLVED = "RESOLVED"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"


class ClaimResolution(StrEnum):
    REFUND = "REFUND"
    REPLACEMENT = "REPLACEMENT"
    REPAIR = "REPAIR"


class Upload(Model):
    """A re-encoded image: a claim photo once attached, deleted after a day otherwise."""

    id = fields.IntField(primary_key=True)
    owner: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="uploads", on_delete=fields.CASCADE
    )
    owner_id: int
    # Where the bytes are in the file store (random: never guessable from the id).
    storage_key = fields.CharField(max_length=64, unique=True)
    content_type = fields.CharField(max_length=32)
    size = fields.IntField()
    width = fields.IntField()
    height = fields.IntField()
    created_at = fields.DatetimeField()
    claim: fields.ForeignKeyNullableRelation[Claim] = fields.ForeignKeyField(
        "models.Claim",
        related_name="photos",
        null=True,
        on_delete=fields.RESTRICT,
        db_index=False,
    )
    claim_id: int | None

    class Meta:
        table = "upload"
        indexes = (
            Index(fields=("claim_id", "id"), name="upload_by_claim"),
            Index(fields=("created_at",), name="upload_by_age"),
        )


class Claim(Model):
    id = fields.IntField(primary_key=True)
    # "REC-2026-000042", quoted in the thread's subject and in mails.
    number = fields.CharField(max_length=32, unique=True)
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "models.Order", related_name="claims", on_delete=fields.RESTRICT
    )
    order_id: int
    # The buyer who opened it (the order's buyer or a colleague with PLACE_ORDERS).
    buyer: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="claims", on_delete=fields.RESTRICT, db_index=False
    )
    buyer_id: int
    # Copied from the order: the audience columns of the claim's events and of its lists.
    seller: fields.ForeignKeyRelation[Seller] = fields.ForeignKeyField(
        "models.Seller", related_name="claims", on_delete=fields.RESTRICT, db_index=False
    )
    seller_id: int
    company: fields.ForeignKeyNullableRelation[Company] = fields.ForeignKeyField(
        "models.Company",
        related_name="claims",
        null=True,
        on_delete=fields.SET_NULL,
        db_index=False,
    )
    company_id: int | None
    reason = fields.CharEnumField(ClaimReason, max_length=20)
    status = fields.CharEnumField(ClaimStatus, max_length=20)
    # Set in the opening transaction, right after the number is known.
    thread: fields.ForeignKeyNullableRelation[Thread] = fields.ForeignKeyField(
        "models.Thread", related_name="claims", null=True, on_delete=fields.RESTRICT
    )
    thread_id: int | None
    return_instructions = fields.TextField(null=True)
    return_carrier = fields.CharField(max_length=200, null=True)
    return_tracking_number = fields.CharField(max_length=200, null=True)
    resolution = fields.CharEnumField(ClaimResolution, max_length=12, null=True)
    refund_due_by = fields.DatetimeField(null=True)
    # The deadline the alert job last reported as passed (a new deadline reports again).
    overdue_reported_for = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    lines: fields.ReverseRelation[ClaimLine]
    history: fields.ReverseRelation[ClaimStatusChange]
    photos: fields.ReverseRelation[Upload]

    class Meta:
        table = "claim"
        indexes = (
            Index(fields=("buyer_id", "id"), name="claim_by_buyer"),
            Index(fields=("seller_id", "id"), name="claim_by_seller"),
            Index(fields=("company_id", "id"), name="claim_by_company"),
            Index(fields=("status", "refund_due_by"), name="claim_by_status"),
        )


class ClaimLine(Model):
    id = fields.IntField(primary_key=True)
    claim: fields.ForeignKeyRelation[Claim] = fields.ForeignKeyField(
        "models.Claim", related_name="lines", on_delete=fields.CASCADE
    )
    claim_id: int
    order_line: fields.ForeignKeyRelation[OrderLine] = fields.ForeignKeyField(
        "models.OrderLine", related_name="claim_lines", on_delete=fields.RESTRICT
    )
    order_line_id: int
    quantity = fields.IntField()

    class Meta:
        table = "claim_line"
        unique_together = (("claim", "order_line"),)


class ClaimStatusChange(Model):
    id = fields.IntField(primary_key=True)
    claim: fields.ForeignKeyRelation[Claim] = fields.ForeignKeyField(
        "models.Claim", related_name="history", on_delete=fields.CASCADE
    )
    claim_id: int
    from_status = fields.CharEnumField(ClaimStatus, max_length=20, null=True)
    to_status = fields.CharEnumField(ClaimStatus, max_length=20)
    at = fields.DatetimeField()
    actor_role = fields.CharEnumField(Role, max_length=8, null=True)
    actor_account_id = fields.IntField(null=True)
    reason = fields.TextField(null=True)

    class Meta:
        table = "claim_status_change"


class Refund(Model):
    """Money given back on an order (the order keeps their sum in `refunded_total`)."""

    id = fields.IntField(primary_key=True)
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "models.Order", related_name="refunds", on_delete=fields.RESTRICT
    )
    order_id: int
    claim: fields.ForeignKeyNullableRelation[Claim] = fields.ForeignKeyField(
        "models.Claim", related_name="refunds", null=True, on_delete=fields.RESTRICT
    )
    claim_id: int | None
    amount = fields.DecimalField(max_digits=12, decimal_places=2)
    reason = fields.TextField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "refund"
