from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from models.accounts import Role

if TYPE_CHECKING:
    from models.accounts import Account, Seller
    from models.catalog import Product
    from models.orders import Order


class TicketCategory(StrEnum):
    ACCOUNT_ACCESS = "ACCOUNT_ACCESS"
    LOGIN = "LOGIN"
    DISPLAY = "DISPLAY"
    PERFORMANCE = "PERFORMANCE"
    PAYMENT = "PAYMENT"
    DELIVERY = "DELIVERY"
    SECURITY = "SECURITY"
    OTHER = "OTHER"


class Thread(Model):
    """A buyer–seller conversation, or a support ticket (no seller: the platform answers)."""

    id = fields.IntField(primary_key=True)
    subject = fields.CharField(max_length=200)
    buyer: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="threads", on_delete=fields.RESTRICT
    )
    buyer_id: int
    seller: fields.ForeignKeyNullableRelation[Seller] = fields.ForeignKeyField(
        "models.Seller", related_name="threads", null=True, on_delete=fields.RESTRICT
    )
    seller_id: int | None
    order: fields.ForeignKeyNullableRelation[Order] = fields.ForeignKeyField(
        "models.Order", related_name="threads", null=True, on_delete=fields.RESTRICT
    )
    order_id: int | None
    product: fields.ForeignKeyNullableRelation[Product] = fields.ForeignKeyField(
        "models.Product", related_name="threads", null=True, on_delete=fields.SET_NULL
    )
    product_id: int | None
    category = fields.CharEnumField(TicketCategory, max_length=20, null=True)
    tracking_number = fields.CharField(max_length=100, null=True)
    created_at = fields.DatetimeField()
    last_message_at = fields.DatetimeField()
    # Earliest deadline among the buyer messages still unanswered (null: nothing due), kept
    # on the thread so the "overdue" queue is one indexed comparison.
    response_due_at = fields.DatetimeField(null=True, db_index=True)
    # The seller was mailed that `response_due_at` passed; reset whenever the deadline moves.
    overdue_reminded = fields.BooleanField(default=False)
    flagged = fields.BooleanField(default=False, db_index=True)
    # Some flagged message still waits for an admin's decision: the moderation queue.
    awaiting_review = fields.BooleanField(default=False)

    messages: fields.ReverseRelation[Message]

    class Meta:
        table = "thread"
        indexes = (
            Index(fields=("buyer_id", "last_message_at")),
            Index(fields=("seller_id", "last_message_at")),
            Index(fields=("last_message_at", "id")),
            Index(fields=("awaiting_review", "last_message_at", "id"), name="thread_review_queue"),
        )


class Message(Model):
    """Never edited nor deleted: the archive is what the platform's admins may consult."""

    id = fields.IntField(primary_key=True)
    thread: fields.ForeignKeyRelation[Thread] = fields.ForeignKeyField(
        "models.Thread", related_name="messages", on_delete=fields.RESTRICT
    )
    thread_id: int
    # Null for the platform's automatic messages; a deleted author's row stays, anonymised.
    author: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="messages", null=True, on_delete=fields.RESTRICT
    )
    author_id: int | None
    author_role = fields.CharEnumField(Role, max_length=8)
    body = fields.TextField()
    sent_at = fields.DatetimeField()
    flagged = fields.BooleanField(default=False)
    # Kinds of contact details found, among "email", "phone", "url", "iban".
    flagged_kinds: fields.Field[list[str]] = fields.JSONField(default=list)
    # When the other side marked the thread read after this message arrived.
    read_at = fields.DatetimeField(null=True)
    # Seller SLA, on buyer messages of buyer–seller threads only.
    due_at = fields.DatetimeField(null=True)
    answered_at = fields.DatetimeField(null=True)
    answered_in_time = fields.BooleanField(null=True)

    class Meta:
        table = "message"
        indexes = (
            Index(fields=("thread_id", "id")),
            Index(fields=("author_role", "sent_at")),
        )
