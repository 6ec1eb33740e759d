"""Products, their attributes and delivery zones, and the word index behind name search.

Every listing (search, filter, sort, keyset page) is answered from an index on SQLite and
PostgreSQL alike; the composite indexes below are chosen for the sort orders of the API
(NAME_ASC, PRICE_ASC/DESC, NEWEST) combined with the equality filters (category, seller).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from models.accounts import NEUTRAL_STANDING

if TYPE_CHECKING:
    from models.accounts import Seller


class Product(Model):
    id = fields.IntField(primary_key=True)
    seller: fields.ForeignKeyRelation[Seller] = fields.ForeignKeyField(
        "models.Seller", related_name="products", on_delete=fields.RESTRICT, db_index=False
    )
    seller_id: int
    name = fields.CharField(max_length=200)
    # The name folded (lower case, no accents): NAME_ASC sorts by it so "éponge" sits with "e".
    sort_name = fields.CharField(max_length=200)
    description = fields.TextField()
    brand = fields.CharField(max_length=200, null=True)
    category = fields.CharField(max_length=100)
    price = fields.DecimalField(max_digits=12, decimal_places=2)
    # The price again, in cents: SQLite stores decimals as text, which neither sorts nor
    # compares as numbers, so sorting and price ranges use this column on both databases.
    price_cents = fields.BigIntField()
    # VAT percent included in the price; null: the market's default (COMPTOIR_DEFAULT_VAT_RATE).
    vat_rate = fields.DecimalField(max_digits=5, decimal_places=2, null=True)
    # What is still available: reserving lowers it, refusal/cancellation/expiry raise it back.
    stock = fields.IntField()
    minimum_quantity = fields.IntField(default=1)
    lead_time_days = fields.IntField(null=True)
    warehouse = fields.CharField(max_length=200, null=True)
    # The seller's standing (Seller.standing), copied for the RELEVANCE order.
    standing = fields.SmallIntField(default=NEUTRAL_STANDING)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    attributes: fields.ReverseRelation[ProductAttribute]
    zones: fields.ReverseRelation[DeliveryZone]
    words: fields.ReverseRelation[ProductWord]

    class Meta:
        table = "product"
        indexes = (
            Index(fields=("sort_name", "id"), name="product_by_name"),
            Index(fields=("price_cents", "id"), name="product_by_price"),
            Index(fields=("category", "sort_name", "id"), name="product_category_by_name"),
            Index(fields=("category", "price_cents", "id"), name="product_category_by_price"),
            Index(fields=("category", "id"), name="product_category_by_id"),
            Index(fields=("seller_id", "sort_name", "id"), name="product_seller_by_name"),
            Index(fields=("seller_id", "price_cents", "id"), name="product_seller_by_price"),
            Index(fields=("seller_id", "id"), name="product_seller_by_id"),
            Index(fields=("standing", "id"), name="product_by_standing"),
        )


class ProductAttribute(Model):
    id = fields.IntField(primary_key=True)
    product: fields.ForeignKeyRelation[Product] = fields.ForeignKeyField(
        "models.Product", related_name="attributes", on_delete=fields.CASCADE, db_index=False
    )
    product_id: int
    name = fields.CharField(max_length=100)
    value = fields.CharField(max_length=200)
    # Folded copies: the attribute filter ignores case and accents ("Tension" = "tension").
    name_key = fields.CharField(max_length=100)
    value_key = fields.CharField(max_length=200)

    class Meta:
        table = "product_attribute"
        # Probing candidates by (product, name) suits common attributes; the lookup index
        # lets PostgreSQL's planner start from the matches of a rare one instead.
        unique_together = (("product", "name_key"),)
        indexes = (Index(fields=("name_key", "value_key", "product_id"), name="attribute_lookup"),)


class DeliveryZone(Model):
    """A postal-code prefix a product is delivered to ("75", "69003")."""

    id = fields.IntField(primary_key=True)
    product: fields.ForeignKeyRelation[Product] = fields.ForeignKeyField(
        "models.Product", related_name="zones", on_delete=fields.CASCADE, db_index=False
    )
    product_id: int
    prefix = fields.CharField(max_length=10)

    class Meta:
        table = "delivery_zone"
        # Candidates are probed by (product, prefix IN the postal code's prefixes) in sort
        # order until the page is full; PostgreSQL may start from `zone_lookup` instead.
        unique_together = (("product", "prefix"),)
        indexes = (Index(fields=("prefix", "product_id"), name="zone_lookup"),)


class ProductWord(Model):
    """One folded word of a product's name: a name search is a range scan over `word`.

    "beto" finds "Béton" as `word >= 'beto' AND word < 'betp'`, which both databases answer
    from the index (a LIKE on the name, as Tortoise compiles it, cannot use one on SQLite).
    The product's sort keys and equality filters are copied here so a search sorts and
    filters its candidates from the index alone, without reading each product row; they
    only change through `updateProduct`, which rewrites the words (and `standing`, through
    the job that follows the seller's rating).  The index orders a
    word's rows as NAME_ASC does (sort_name, then product id), so a page of one word is read
    in order and stops when full, however many products share a name.
    """

    id = fields.IntField(primary_key=True)
    product: fields.ForeignKeyRelation[Product] = fields.ForeignKeyField(
        "models.Product", related_name="words", on_delete=fields.CASCADE, db_index=False
    )
    product_id: int
    word = fields.CharField(max_length=64)
    sort_name = fields.CharField(max_length=200)
    price_cents = fields.BigIntField()
    category = fields.CharField(max_length=100)
    seller_id = fields.IntField()
    standing = fields.SmallIntField(default=NEUTRAL_STANDING)

    class Meta:
        table = "product_word"
        unique_together = (("product", "word"),)
        indexes = (
            Index(
                fields=("word", "sort_name", "product_id", "price_cents", "category", "seller_id"),
                name="word_lookup",
            ),
            # RELEVANCE: a word's rows in the seller's standing order, then by product.
            Index(
                fields=("word", "standing", "product_id", "price_cents", "category", "seller_id"),
                name="word_relevance",
            ),
        )
