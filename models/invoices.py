"""Invoices and credit notes, and the per-seller, per-year counter that numbers them."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

if TYPE_CHECKING:
    from models.accounts import Seller
    from models.claims import Refund
    from models.orders import Order


class InvoiceKind(StrEnum):
    INVOICE = "INVOICE"
    CREDIT_NOTE = "CREDIT_NOTE"


class InvoiceCounter(Model):
    """The last number a seller used in a calendar year: invoices and credit notes share it.

    The issuing transaction increments this row (a row lock on PostgreSQL, the write lock on
    SQLite) and keeps it until commit, so numbers follow one another with no gap and no repeat,
    and a rolled-back issue gives its number back.  Only the seller's own row is locked.
    """

    id = fields.IntField(primary_key=True)
    seller: fields.ForeignKeyRelation[Seller] = fields.ForeignKeyField(
        "models.Seller",
        related_name="invoice_counters",
        on_delete=fields.RESTRICT,
        db_index=False,
    )
    seller_id: int
    year = fields.IntField()
    # Fixed with the year's first document, so every number of the year carries the same one.
    prefix = fields.CharField(max_length=16)
    last_sequence = fields.IntField(default=0)

    class Meta:
        table = "invoice_counter"
        unique_together = (("seller", "year"),)


class Invoice(Model):
    """An issued document, as it was when issued: every column is a snapshot, never updated."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharEnumField(InvoiceKind, max_length=12)
    seller: fields.ForeignKeyRelation[Seller] = fields.ForeignKeyField(
        "models.Seller", related_name="invoices", on_delete=fields.RESTRICT, db_index=False
    )
    seller_id: int
    year = fields.IntField()
    sequence = fields.IntField()
    # "<seller prefix>-<year>-<sequence, 6 digits>"
    number = fields.CharField(max_length=40, unique=True)
    issued_at = fields.DatetimeField()
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "models.Order", related_name="invoices", on_delete=fields.RESTRICT
    )
    order_id: int
    # Who may read it (the order's buyer and company when issued), as on the event log.
    buyer_id = fields.IntField()
    company_id = fields.IntField(null=True)
    # The refund a credit note is issued for (a claim's `Refund` row).
    refund: fields.OneToOneNullableRelation[Refund] = fields.OneToOneField(
        "models.Refund", related_name="credit_note", null=True, on_delete=fields.RESTRICT
    )
    refund_id: int | None
    corrects: fields.ForeignKeyNullableRelation[Invoice] = fields.ForeignKeyField(
        "models.Invoice",
        related_name="corrections",
        null=True,
        on_delete=fields.RESTRICT,
        db_index=False,
    )
    corrects_id: int | None
    seller_name = fields.CharField(max_length=200)
    seller_vat_number = fields.CharField(max_length=32, null=True)
    # {"line1", "postal_code", "city", "country"} of the seller's company, when it has one.
    seller_address: fields.Field[dict[str, Any] | None] = fields.JSONField(null=True)
    buyer_name = fields.CharField(max_length=401)
    buyer_company = fields.CharField(max_length=200, null=True)
    buyer_vat_number = fields.CharField(max_length=32, null=True)
    billing_line1 = fields.CharField(max_length=200)
    billing_line2 = fields.CharField(max_length=200, null=True)
    billing_postal_code = fields.CharField(max_length=16)
    billing_city = fields.CharField(max_length=200)
    billing_country = fields.CharField(max_length=2)
    # [{"description", "quantity", "unit_price", "vat_rate", "total"}], money as strings.
    lines: fields.Field[list[dict[str, Any]]] = fields.JSONField()
    # [{"rate", "base", "amount"}] in increasing rate order, money as strings.
    vat: fields.Field[list[dict[str, Any]]] = fields.JSONField()
    total_excluding_vat = fields.DecimalField(max_digits=12, decimal_places=2)
    total = fields.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        table = "invoice"
        unique_together = (("seller", "year", "sequence"),)
        indexes = (
            Index(fields=("seller_id", "id"), name="invoice_by_seller"),
            Index(fields=("buyer_id", "id"), name="invoice_by_buyer"),
            Index(fields=("company_id", "id"), name="invoice_by_company"),
        )
