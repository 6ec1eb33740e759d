from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

# The search sort key of a seller without history: the middle of the scale (rating 2.5).
NEUTRAL_STANDING = 25


class Role(StrEnum):
    BUYER = "BUYER"
    SELLER = "SELLER"
    ADMIN = "ADMIN"


class CompanyRight(StrEnum):
    PLACE_ORDERS = "PLACE_ORDERS"
    SEE_INVOICES = "SEE_INVOICES"
    SEE_COMPANY_ORDERS = "SEE_COMPANY_ORDERS"
    MANAGE_COLLEAGUES = "MANAGE_COLLEAGUES"


class TokenPurpose(StrEnum):
    CONFIRM_EMAIL = "CONFIRM_EMAIL"
    RESET_PASSWORD = "RESET_PASSWORD"
    INVITATION = "INVITATION"


class Company(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200)
    vat_number = fields.CharField(max_length=32, unique=True)
    country = fields.CharField(max_length=2)
    line1 = fields.CharField(max_length=200)
    postal_code = fields.CharField(max_length=16)
    city = fields.CharField(max_length=200)
    created_at = fields.DatetimeField(auto_now_add=True)

    members: fields.ReverseRelation[Account]

    class Meta:
        table = "company"


class Account(Model):
    id = fields.IntField(primary_key=True)
    # Stored lower-cased: e-mail uniqueness is case-insensitive.  A deleted account keeps a
    # placeholder address so the column stays unique and non-null.
    email = fields.CharField(max_length=254, unique=True)
    password_hash = fields.CharField(max_length=255)
    first_name = fields.CharField(max_length=200)
    last_name = fields.CharField(max_length=200)
    role = fields.CharEnumField(Role, max_length=8)
    postal_code = fields.CharField(max_length=16, null=True)
    company: fields.ForeignKeyNullableRelation[Company] = fields.ForeignKeyField(
        "models.Company", related_name="members", null=True, on_delete=fields.SET_NULL
    )
    company_id: int | None
    rights: fields.Field[list[str]] = fields.JSONField(default=list)
    email_confirmed_at = fields.DatetimeField(null=True)
    failed_logins = fields.IntField(default=0)
    locked_until = fields.DatetimeField(null=True)
    totp_secret = fields.CharField(max_length=64, null=True)
    totp_pending_secret = fields.CharField(max_length=64, null=True)
    # Last accepted TOTP time step: a code is usable once, even within its 30 s window.
    totp_last_step = fields.BigIntField(null=True)
    deleted_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    seller: fields.BackwardOneToOneRelation[Seller]
    sessions: fields.ReverseRelation[Session]

    class Meta:
        table = "account"


class Seller(Model):
    id = fields.IntField(primary_key=True)
    account: fields.OneToOneRelation[Account] = fields.OneToOneField(
        "models.Account", related_name="seller", on_delete=fields.RESTRICT
    )
    account_id: int
    name = fields.CharField(max_length=200)
    created_at = fields.DatetimeField(auto_now_add=True)
    # Suspended while this lies in the future: readers compare it with the clock, so the
    # suspension ends on time without a job (seed 004 "suspension temporaire").
    suspended_until = fields.DatetimeField(null=True)
    # 0-5 from the obligations met on time (resolvers/standing/rating.py), null without
    # history; kept up to date when its inputs change, so reading it costs nothing.
    rating = fields.FloatField(null=True)
    rated_at = fields.DatetimeField(null=True)
    # The rating as a search sort key (0 best, NEUTRAL_STANDING without history), and the
    # value its products' rows carry: a job copies `standing` to them when they differ.
    standing = fields.SmallIntField(default=NEUTRAL_STANDING)
    listed_standing = fields.SmallIntField(default=NEUTRAL_STANDING)

    class Meta:
        table = "seller"
        # Catalog listings look up the sellers suspended now by a range on this index.
        indexes = (
            Index(fields=("suspended_until",), name="seller_suspended"),
            Index(fields=("rated_at",), name="seller_rated_at"),
        )


class Session(Model):
    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="sessions", on_delete=fields.CASCADE
    )
    account_id: int
    # SHA-256 of the bearer token: a leaked table does not leak usable tokens.
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "session"


class AccountToken(Model):
    """Single-use token sent by mail: e-mail confirmation, password reset, invitation."""

    id = fields.IntField(primary_key=True)
    purpose = fields.CharEnumField(TokenPurpose, max_length=16)
    account: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="tokens", null=True, on_delete=fields.CASCADE
    )
    account_id: int | None
    token_hash = fields.CharField(max_length=64, unique=True)
    data: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "account_token"


class ResetRequest(Model):
    """A password reset asked for, not yet answered by the jobs runner.

    The mutation only records it, the same row whether or not the address has an account, so
    its timing tells nothing; the runner answers it (the link mailed to an account, nothing
    for any other address) and deletes it."""

    id = fields.BigIntField(primary_key=True)
    # Normalised, never cut: a longer address than an account's names no account, not the
    # account of its first 254 characters.
    email = fields.TextField()
    requested_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "reset_request"
