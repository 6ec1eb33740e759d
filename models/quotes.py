"""Requests for quotation (seed 003): the buyer's quote list, quotes per seller, their tiers."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from models.accounts import Role
from models.orders import ProductNamed

if TYPE_CHECKING:
    from models.accounts import Account, Company, Seller
    from models.catalog import Product
    from models.orders import Order


class QuoteStatus(StrEnum):
    REQUESTED = "REQUESTED"
    OFFERED = "OFFERED"
    ACCEPTED = "ACCEPTED"
    REFUSED = "REFUSED"
    DECLINED = "DECLINED"
    EXPIRED = "EXPIRED"


class QuoteList(Model):
    """The buyer's "liste d'offres" being built: one per buyer, like the cart."""

    id = fields.IntField(primary_key=True)
    buyer: fields.OneToOneRelation[Account] = fields.OneToOneField(
        "models.Account", related_name="quote_list", on_delete=fields.CASCADE
    )
    buyer_id: int
    changed_at = fields.DatetimeField()

    lines: fields.ReverseRelation[QuoteListLine]

    class Meta:
        table = "quote_list"


class QuoteListLine(Model):
    id = fields.IntField(primary_key=True)
    quote_list: fields.ForeignKeyRelation[QuoteList] = fields.ForeignKeyField(
        "models.QuoteList", related_name="lines", on_delete=fields.CASCADE, db_index=False
    )
    quote_list_id: int
    product: fields.ForeignKeyRelation[Product] = fields.ForeignKeyField(
        "models.Product", related_name="quote_list_lines", on_delete=fields.CASCADE
    )
    product_id: int
    # The quantities to price, ascending (1 to 5 distinct values).
    quantities: fields.JSONField[list[int]] = fields.JSONField(default=list)

    class Meta:
        table = "quote_list_line"
        unique_together = (("quote_list", "product"),)


class Quote(Model):
    id = fields.IntField(primary_key=True)
    # "DEV-2026-000123", numbered like orders.
    number = fields.CharField(max_length=32, unique=True)
    status = fields.CharEnumField(QuoteStatus, max_length=12)
    buyer: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="quotes", on_delete=fields.RESTRICT, db_index=False
    )
    buyer_id: int
    # The buyer's company when the request was sent: members with SEE_COMPANY_ORDERS see it.
    company: fields.ForeignKeyNullableRelation[Company] = fields.ForeignKeyField(
        "models.Company",
        related_name="quotes",
        null=True,
        on_delete=fields.SET_NULL,
        db_index=False,
    )
    company_id: int | None
    seller: fields.ForeignKeyRelation[Seller] = fields.ForeignKeyField(
        "models.Seller", related_name="quotes", on_delete=fields.RESTRICT, db_index=False
    )
    seller_id: int
    remark = fields.TextField(null=True)
    seller_message = fields.TextField(null=True)
    respond_by = fields.DatetimeField()
    valid_until = fields.DatetimeField(null=True)
    # The order an accepted offer became.
    order: fields.ForeignKeyNullableRelation[Order] = fields.ForeignKeyField(
        "models.Order",
        related_name="quotes",
        null=True,
        on_delete=fields.RESTRICT,
        unique=True,
    )
    order_id: int | None
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    lines: fields.ReverseRelation[QuoteLine]
    history: fields.ReverseRelation[QuoteStatusChange]

    class Meta:
        table = "quote"
        indexes = (
            Index(fields=("buyer_id", "id"), name="quote_by_buyer"),
            Index(fields=("seller_id", "id"), name="quote_by_seller"),
            Index(fields=("company_id", "id"), name="quote_by_company"),
            # The expiry job's scan: OFFERED quotes by end of validity.
            Index(fields=("status", "valid_until"), name="quote_by_validity"),
        )


class QuoteLine(ProductNamed):
    id = fields.IntField(primary_key=True)
    quote: fields.ForeignKeyRelation[Quote] = fields.ForeignKeyField(
        "models.Quote", related_name="lines", on_delete=fields.CASCADE
    )
    quote_id: int
    # Null once the product is gone; the snapshots keep the quote readable.
    product: fields.ForeignKeyNullableRelation[Product] = fields.ForeignKeyField(
        "models.Product", related_name="quote_lines", null=True, on_delete=fields.SET_NULL
    )
    product_id: int | None

    tiers: fields.ReverseRelation[QuoteTier]

    class Meta:
        table = "quote_line"


class QuoteTier(Model):
    """One requested quantity of a line and, once offered, its unit price."""

    id = fields.IntField(primary_key=True)
    line: fields.ForeignKeyRelation[QuoteLine] = fields.ForeignKeyField(
        "models.QuoteLine", related_name="tiers", on_delete=fields.CASCADE, db_index=False
    )
    line_id: int
    quantity = fields.IntField()
    unit_price = fields.DecimalField(max_digits=12, decimal_places=2, null=True)

    class Meta:
        table = "quote_tier"
        unique_together = (("line", "quantity"),)


class QuoteStatusChange(Model):
    id = fields.IntField(primary_key=True)
    quote: fields.ForeignKeyRelation[Quote] = fields.ForeignKeyField(
        "models.Quote", related_name="history", on_delete=fields.CASCADE
    )
    quote_id: int
    from_status = fields.CharEnumField(QuoteStatus, max_length=12, null=True)
    to_status = fields.CharEnumField(QuoteStatus, max_length=12)
    at = fields.DatetimeField()
    # Null for the platform itself (expiry).
    actor_role = fields.CharEnumField(Role, max_length=8, null=True)
    actor_account_id = fields.IntField(null=True)
    reason = fields.TextField(null=True)

    class Meta:
        table = "quote_status_change"
