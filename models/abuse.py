"""Counters that keep the platform from being used against its users."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Throttle(Model):
    """Uses of one key (a client address and a rule, or a mail recipient) in its current window.

    In the database, not in a process: every worker and host counts against the same row.
    """

    key = fields.CharField(max_length=300, primary_key=True)
    window_start = fields.DatetimeField(db_index=True)
    count = fields.IntField(default=0)

    class Meta:
        table = "throttle"


class AddressLockout(Model):
    """Failed logins for an address that has no account, counted and locked as an account's
    are: an unknown address must never answer differently from a known one."""

    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254, unique=True)
    failed_logins = fields.IntField(default=0)
    locked_until = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField(auto_now=True, db_index=True)

    class Meta:
        table = "address_lockout"
