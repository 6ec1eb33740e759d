"""Catalog: products, attributes, the catalog queries and the sellers' product mutations."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from models import catalog as m
from models.accounts import Seller as SellerModel
from resolvers import catalog as rules
from schema.accounts import Seller
from schema.context import Info
from schema.ids import encode_id


@strawberry.type
class Attribute:
    name: str
    value: str


@strawberry.type
class Product:
    model: strawberry.Private[m.Product]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_id("Product", self.model.id))

    @strawberry.field
    def name(self) -> str:
        return self.model.name

    @strawberry.field
    def description(self) -> str:
        return self.model.description

    @strawberry.field
    def brand(self) -> str | None:
        return self.model.brand

    @strawberry.field
    def category(self) -> str:
        return self.model.category

    @strawberry.field
    async def attributes(self, info: Info) -> list[Attribute]:
        rows = await info.context.loaders.custom("product.attributes", rules.attributes_of).load(
            self.model.id
        )
        return [Attribute(name=row.name, value=row.value) for row in rows]

    @strawberry.field
    def price(self) -> Decimal:
        return self.model.price

    @strawberry.field
    def stock(self) -> int:
        return self.model.stock

    @strawberry.field
    def minimum_quantity(self) -> int:
        return self.model.minimum_quantity

    @strawberry.field
    def lead_time_days(self) -> int | None:
        return self.model.lead_time_days

    @strawberry.field
    def warehouse(self) -> str | None:
        return self.model.warehouse

    @strawberry.field
    async def seller(self, info: Info) -> Seller:
        row = await info.context.loaders.by_id(SellerModel).load(self.model.seller_id)
        assert row is not None  # product.seller_id is a RESTRICT foreign key
        return Seller(model=row)

    @strawberry.field
    async def deliverable_to(self, info: Info, postal_code: str) -> bool:
        prefixes = await info.context.loaders.custom("product.zones", rules.zones_of).load(
            self.model.id
        )
        return rules.deliverable(prefixes, postal_code)
