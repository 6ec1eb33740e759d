from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.accounts import Seller


class Product(Model):
    id = fields.IntField(primary_key=True)
    seller: fields.ForeignKeyRelation[Seller] = fields.ForeignKeyField(
        "models.Seller", related_name="products", on_delete=fields.RESTRICT
    )
    seller_id: int
    name = fields.CharField(max_length=200)
    description = fields.TextField()
    brand = fields.CharField(max_length=200, null=True)
    category = fields.CharField(max_length=100, db_index=True)
    price = fields.DecimalField(max_digits=12, decimal_places=2)
    # What is still available: reserving lowers it, refusal/cancellation/expiry raise it back.
    stock = fields.IntField()
    minimum_quantity = fields.IntField(default=1)
    lead_time_days = fields.IntField(null=True)
    warehouse = fields.CharField(max_length=200, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    attributes: fields.ReverseRelation[ProductAttribute]
    zones: fields.ReverseRelation[DeliveryZone]

    class Meta:
        table = "product"


class ProductAttribute(Model):
    id = fields.IntField(primary_key=True)
    product: fields.ForeignKeyRelation[Product] = fields.ForeignKeyField(
        "models.Product", related_name="attributes", on_delete=fields.CASCADE
    )
    product_id: int
    name = fields.CharField(max_length=100)
    value = fields.CharField(max_length=200)

    class Meta:
        table = "product_attribute"
        unique_together = (("product", "name"),)


class DeliveryZone(Model):
    """A postal-code prefix a product is delivered to ("75", "69003")."""

    id = fields.IntField(primary_key=True)
    product: fields.ForeignKeyRelation[Product] = fields.ForeignKeyField(
        "models.Product", related_name="zones", on_delete=fields.CASCADE
    )
    product_id: int
    prefix = fields.CharField(max_length=16)

    class Meta:
        table = "delivery_zone"
        unique_together = (("product", "prefix"),)
