"""Carts, orders with their status history, idempotency keys and order templates."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from models.accounts import Role

if TYPE_CHECKING:
    from models.accounts import Account, Company, Seller
    from models.catalog import Product


class OrderStatus(StrEnum):
    PENDING = "PENDING"
    VALIDATED = "VALIDATED"
    REFUSED = "REFUSED"
    CANCELLED = "CANCELLED"
    SHIPPED = "SHIPPED"
    DELIVERED = "DELIVERED"
    EXPIRED = "EXPIRED"


class Cart(Model):
    """One per buyer, created on the first addition."""

    id = fields.IntField(primary_key=True)
    buyer: fields.OneToOneRelation[Account] = fields.OneToOneField(
        "models.Account", related_name="cart", on_delete=fields.CASCADE
    )
    buyer_id: int
    # Last change of the contents (reading does not count): the cart is emptied
    # COMPTOIR_CART_DAYS after it.
    changed_at = fields.DatetimeField()

    lines: fields.ReverseRelation[CartLine]

    class Meta:
        table = "cart"
        indexes = (Index(fields=("changed_at",), name="cart_by_change"),)


class CartLine(Model):
    id = fields.IntField(primary_key=True)
    cart: fields.ForeignKeyRelation[Cart] = fields.ForeignKeyField(
        "models.Cart", related_name="lines", on_delete=fields.CASCADE, db_index=False
    )
    cart_id: int
    product: fields.ForeignKeyRelation[Product] = fields.ForeignKeyField(
        "models.Product", related_name="cart_lines", on_delete=fields.CASCADE
    )
    product_id: int
    quantity = fields.IntField()

    class Meta:
        table = "cart_line"
        unique_together = (("cart", "product"),)


class Order(Model):
    id = fields.IntField(primary_key=True)
    # "CMD-2026-000123": what buyers and sellers quote on the phone and in threads.
    number = fields.CharField(max_length=32, unique=True)
    status = fields.CharEnumField(OrderStatus, max_length=12)
    buyer: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="orders", on_delete=fields.RESTRICT, db_index=False
    )
    buyer_id: int
    # The buyer's company when the order was placed: its members with SEE_COMPANY_ORDERS see it.
    company: fields.ForeignKeyNullableRelation[Company] = fields.ForeignKeyField(
        "models.Company",
        related_name="orders",
        null=True,
        on_delete=fields.SET_NULL,
        db_index=False,
    )
    company_id: int | None
    seller: fields.ForeignKeyRelation[Seller] = fields.ForeignKeyField(
        "models.Seller", related_name="orders", on_delete=fields.RESTRICT, db_index=False
    )
    seller_id: int
    subtotal = fields.DecimalField(max_digits=12, decimal_places=2)
    small_order_fee = fields.DecimalField(max_digits=12, decimal_places=2)
    total = fields.DecimalField(max_digits=12, decimal_places=2)
    address_line1 = fields.CharField(max_length=200)
    address_line2 = fields.CharField(max_length=200, null=True)
    address_postal_code = fields.CharField(max_length=16)
    address_city = fields.CharField(max_length=200)
    address_country = fields.CharField(max_length=2)
    remark = fields.TextField(null=True)
    carrier = fields.CharField(max_length=200, null=True)
    tracking_number = fields.CharField(max_length=200, null=True)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()
    # When it became DELIVERED: the claim and withdrawal windows run from it.
    delivered_at = fields.DatetimeField(null=True)
    # Sum of the order's refunds, raised by one conditional UPDATE that keeps it <= total.
    refunded_total = fields.DecimalField(max_digits=12, decimal_places=2, default=0)

    lines: fields.ReverseRelation[OrderLine]
    history: fields.ReverseRelation[OrderStatusChange]

    class Meta:
        table = "order"
        indexes = (
            Index(fields=("buyer_id", "id"), name="order_by_buyer"),
            Index(fields=("seller_id", "id"), name="order_by_seller"),
            Index(fields=("company_id", "id"), name="order_by_company"),
            Index(fields=("status", "created_at"), name="order_by_status"),
        )


class ProductNamed(Model):
    """A line naming a product (order, template, quote): it stays readable once the product
    changes or is gone."""

    # The product's id even after it is gone: reorder reports it as UNAVAILABLE by id.
    product_ref = fields.IntField()
    product_name = fields.CharField(max_length=200)

    class Meta:
        abstract = True


class ProductSnapshot(ProductNamed):
    """A product line as it was ordered or saved: with its price and quantity."""

    unit_price = fields.DecimalField(max_digits=12, decimal_places=2)
    quantity = fields.IntField()

    class Meta:
        abstract = True


class OrderLine(ProductSnapshot):
    id = fields.IntField(primary_key=True)
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "models.Order", related_name="lines", on_delete=fields.CASCADE
    )
    order_id: int
    # Null once the product is gone; the snapshots below keep the order readable.
    product: fields.ForeignKeyNullableRelation[Product] = fields.ForeignKeyField(
        "models.Product", related_name="order_lines", null=True, on_delete=fields.SET_NULL
    )
    product_id: int | None
    # The product's VAT rate when ordered, like the price (null: the market's default rate).
    vat_rate = fields.DecimalField(max_digits=5, decimal_places=2, null=True)

    class Meta:
        table = "order_line"


class OrderStatusChange(Model):
    id = fields.IntField(primary_key=True)
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "models.Order", related_name="history", on_delete=fields.CASCADE
    )
    order_id: int
    from_status = fields.CharEnumField(OrderStatus, max_length=12, null=True)
    to_status = fields.CharEnumField(OrderStatus, max_length=12)
    at = fields.DatetimeField()
    # Null for the platform itself (expiry).
    actor_role = fields.CharEnumField(Role, max_length=8, null=True)
    actor_account_id = fields.IntField(null=True)
    reason = fields.TextField(null=True)

    class Meta:
        table = "order_status_change"


class IdempotencyKey(Model):
    """An account's key for a request that must happen once (reserveCart, resolveClaim)."""

    # The same request again returns what the first one made.

    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account",
        related_name="idempotency_keys",
        on_delete=fields.CASCADE,
        db_index=False,
    )
    account_id: int
    # The operation the key was used for: one key may serve different operations.
    scope = fields.CharField(max_length=32)
    key = fields.CharField(max_length=200)
    # SHA-256 of the request's input (for reservations: the address and remark), and of the
    # cart lines the reservation took.
    request_hash = fields.CharField(max_length=64)
    cart_hash = fields.CharField(max_length=64, default="")
    # What the first request made (orders, or the resolved claim).
    result_ids: fields.JSONField[list[int]] = fields.JSONField(default=list)
    created_at = fields.DatetimeField()

    class Meta:
        table = "idempotency_key"
        unique_together = (("account", "scope", "key"),)


class OrderTemplate(Model):
    """A saved cart (B2B): applying it puts its lines back in the cart."""

    id = fields.IntField(primary_key=True)
    buyer: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account",
        related_name="order_templates",
        on_delete=fields.CASCADE,
        db_index=False,
    )
    buyer_id: int
    name = fields.CharField(max_length=200)
    created_at = fields.DatetimeField()

    lines: fields.ReverseRelation[OrderTemplateLine]

    class Meta:
        table = "order_template"
        unique_together = (("buyer", "name"),)


class OrderTemplateLine(ProductSnapshot):
    id = fields.IntField(primary_key=True)
    template: fields.ForeignKeyRelation[OrderTemplate] = fields.ForeignKeyField(
        "models.OrderTemplate", related_name="lines", on_delete=fields.CASCADE
    )
    template_id: int
    # Kept when the product goes away, so applying the template can say what is unavailable.
    product: fields.ForeignKeyNullableRelation[Product] = fields.ForeignKeyField(
        "models.Product", related_name="template_lines", null=True, on_delete=fields.SET_NULL
    )
    product_id: int | None

    class Meta:
        table = "order_template_line"
