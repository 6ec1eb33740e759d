from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class OutboxMail(Model):
    """A mail waiting for the mail server, written in the transaction of the change it reports."""

    id = fields.BigIntField(primary_key=True)
    recipient = fields.CharField(max_length=254)
    subject = fields.CharField(max_length=300)
    body = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField(db_index=True)
    # Claimed by one sender until then: two job runners never send the same mail twice.
    claimed_until = fields.DatetimeField(null=True)
    sent_at = fields.DatetimeField(null=True, db_index=True)
    last_error = fields.TextField(null=True)

    class Meta:
        table = "outbox_mail"
