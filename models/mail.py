from __future__ import annotations

from enum import IntEnum

from tortoise import fields
from tortoise.models import Model


class MailPriority(IntEnum):
    """Lower goes first: a backlog of notifications never holds back an account mail."""

    ACCOUNT = 0  # e-mail confirmation, password reset, invitation, security notices
    NOTIFICATION = 1  # orders, helpdesk, reminders


class OutboxMail(Model):
    """A mail waiting for the mail server, written in the transaction of the change it reports."""

    id = fields.BigIntField(primary_key=True)
    recipient = fields.CharField(max_length=254)
    subject = fields.CharField(max_length=300)
    body = fields.TextField()
    priority = fields.IntEnumField(MailPriority, default=MailPriority.NOTIFICATION)
    created_at = fields.DatetimeField(auto_now_add=True)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    # Claimed by one sender until then: two job runners never send the same mail twice.
    claimed_until = fields.DatetimeField(null=True)
    sent_at = fields.DatetimeField(null=True)
    last_error = fields.TextField(null=True)

    class Meta:
        table = "outbox_mail"
        # The senders' claim order among unsent rows (sent_at IS NULL), and the backlog count.
        indexes = (("sent_at", "priority", "next_attempt_at", "id"),)
