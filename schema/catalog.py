"""Catalog: products, attributes, the catalog queries and the sellers' product mutations."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Protocol, TypeAlias

import strawberry
from strawberry.types.nodes import FragmentSpread, InlineFragment, Selection

from models import catalog as m
from resolvers import catalog as rules
from resolvers.catalog import conditions, listing, visibility
from resolvers.pagination import PageRequest
from schema.accounts import Seller, restricted_seller
from schema.context import Info
from schema.errors import UserError, mutate
from schema.ids import decode_id, encode_id, known_id
from schema.pagination import Connection


@strawberry.type
class Attribute:
    name: str
    value: str


async def _attributes(root: Product, info: Info) -> list[Attribute]:
    rows = await info.context.loaders.custom("product.attributes", rules.attributes_of).load(
        root.model.id
    )
    return [Attribute(name=row.name, value=row.value) for row in rows]


@strawberry.type
class Product:
    """A product; its plain fields are copied from the row when the object is made.

    graphql-core reads a plain attribute directly, whereas a `@strawberry.field` method costs
    an Info object and Strawberry's argument and extension machinery for every product and
    field: about a fifth of a page's time, measured on a page of 20.
    """

    # A page's rows are ListedProducts, which have the model's column names.
    model: strawberry.Private[m.Product | listing.ListedProduct]
    # The product's shop when the caller already has it (a page's sellers are read in one
    # query): `seller` then resolves without a DataLoader round.
    shop: strawberry.Private[Seller | None]
    id: strawberry.ID
    name: str
    description: str
    brand: str | None
    category: str
    attributes: list[Attribute] = strawberry.field(resolver=_attributes)
    price: Decimal
    stock: int
    minimum_quantity: int
    lead_time_days: int | None
    warehouse: str | None

    def __init__(
        self, model: m.Product | listing.ListedProduct, shop: Seller | None = None
    ) -> None:
        self.model = model
        self.shop = shop
        self.id = strawberry.ID(encode_id("Product", model.id))
        self.name = model.name
        self.description = model.description
        self.brand = model.brand
        self.category = model.category
        self.price = model.price
        self.stock = model.stock
        self.minimum_quantity = model.minimum_quantity
        self.lead_time_days = model.lead_time_days
        self.warehouse = model.warehouse

    @strawberry.field
    def seller(self, info: Info) -> Seller:
        # Synchronous when the shop is known: an async resolver per product costs a task.
        if self.shop is not None:
            return self.shop
        return self._load_seller(info)  # type: ignore[return-value]  # graphql-core awaits it

    async def _load_seller(self, info: Info) -> Seller:
        return await restricted_seller(info, self.model.seller_id)

    @strawberry.field(description="VAT percent included in the price.")
    def vat_rate(self, info: Info) -> Decimal:
        return rules.vat_rate_of(self.model.vat_rate, policy=info.context.policy)

    @strawberry.field
    async def deliverable_to(self, info: Info, postal_code: str) -> bool:
        prefixes = await info.context.loaders.custom("product.zones", rules.zones_of).load(
            self.model.id
        )
        return rules.deliverable(prefixes, postal_code)


class _NamesProduct(Protocol):
    @property
    def product_id(self) -> int | None: ...


class ShowsProductOf(Protocol):
    """A type showing a row that names a product by a SET NULL key (an order or quote line, a
    thread)."""

    @property
    def model(self) -> _NamesProduct: ...


async def product_of(root: ShowsProductOf, info: Info) -> Product | None:
    """The `product` field of those types: null once the product has left the catalog."""
    if root.model.product_id is None:
        return None
    row = await info.context.loaders.by_id(m.Product).load(root.model.product_id)
    return Product(model=row) if row is not None else None


ProductSort: TypeAlias = listing.ProductSort
strawberry.enum(ProductSort, name="ProductSort")


@strawberry.input
class AttributeInput:
    name: str
    value: str


@strawberry.input
class ProductFilter:
    category: str | None = None
    seller_id: strawberry.ID | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    in_stock: bool | None = strawberry.field(
        default=None, description="true: only products with stock left; false/null: all."
    )
    deliverable_to: str | None = strawberry.field(default=None, description="A postal code.")
    attributes: list[AttributeInput] | None = None

    def to_domain(self) -> conditions.ProductFilter:
        return conditions.ProductFilter(
            category=self.category,
            seller_id=(
                None if self.seller_id is None else decode_id(self.seller_id, "Seller", "sellerId")
            ),
            min_price=self.min_price,
            max_price=self.max_price,
            in_stock=self.in_stock,
            deliverable_to=self.deliverable_to,
            attributes=[(a.name, a.value) for a in self.attributes or []],
        )


@strawberry.input
class ProductInput:
    name: str
    description: str
    brand: str | None = None
    category: str
    attributes: list[AttributeInput] = strawberry.field(default_factory=list)
    price: Decimal
    stock: int
    minimum_quantity: int = 1
    lead_time_days: int | None = None
    warehouse: str | None = None
    delivery_zones: list[str]
    vat_rate: Decimal | None = strawberry.field(
        default=None, description="Percent included in the price; null: the default rate."
    )

    def to_domain(self) -> rules.ProductData:
        return rules.ProductData(
            name=self.name,
            description=self.description,
            brand=self.brand,
            category=self.category,
            attributes=[(a.name, a.value) for a in self.attributes],
            price=self.price,
            stock=self.stock,
            minimum_quantity=self.minimum_quantity,
            lead_time_days=self.lead_time_days,
            warehouse=self.warehouse,
            delivery_zones=self.delivery_zones,
            vat_rate=self.vat_rate,
        )


@strawberry.type
class ProductPayload:
    errors: list[UserError]
    product: Product | None = None


def _selects(selections: Sequence[Selection], *path: str) -> bool:
    """Whether the selection reaches the field at `path`, fragments included."""
    name, *rest = path
    for selection in selections:
        if isinstance(selection, FragmentSpread | InlineFragment):
            if _selects(selection.selections, *path):
                return True
        elif selection.name == name and (not rest or _selects(selection.selections, *rest)):
            return True
    return False


@strawberry.type
class Query:
    @strawberry.field
    async def product(self, info: Info, id: strawberry.ID) -> Product | None:
        product_id = known_id(id, "Product")
        if product_id is None:
            return None
        row = await visibility.get_product(info.context.actor, product_id=product_id)
        return Product(model=row) if row is not None else None

    @strawberry.field(description="Search matches words of the name only, never the brand.")
    async def products(
        self,
        info: Info,
        search: str | None = None,
        filter: ProductFilter | None = None,
        sort: ProductSort | None = listing.ProductSort.NAME_ASC,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Product]:
        page = await listing.list_products(
            info.context.actor,
            search=search,
            filters=filter.to_domain() if filter is not None else conditions.ProductFilter(),
            sort=sort or listing.ProductSort.NAME_ASC,
            page=PageRequest.of(first, after),
        )
        # The page's shops in one query, handed to each Product: `seller` then resolves
        # synchronously, instead of one awaited DataLoader call per product.
        shops: dict[int, Seller] = {}
        if any(
            _selects(products.selections, "edges", "node", "seller")
            for products in info.selected_fields
        ):
            ids = list({row.seller_id: None for _, row in page.items})
            shops = {
                row.id: Seller(model=row) for row in await rules.sellers_of(ids) if row is not None
            }
        return Connection.of(page, lambda row: Product(model=row, shop=shops.get(row.seller_id)))

    @strawberry.field(description="At most 3 ids; input order kept, unknown ids left out.")
    async def compare_products(self, info: Info, ids: list[strawberry.ID]) -> list[Product]:
        rows = await visibility.compare_products(
            info.context.actor, product_ids=[known_id(i, "Product") for i in ids]
        )
        return [Product(model=row) for row in rows]


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def create_product(self, info: Info, input: ProductInput) -> ProductPayload:
        async def do() -> dict[str, object]:
            row = await rules.create_product(info.context.actor, data=input.to_domain())
            return {"product": Product(model=row)}

        return await mutate(ProductPayload, do)

    @strawberry.mutation(description="Replaces the whole product with the input.")
    async def update_product(
        self, info: Info, id: strawberry.ID, input: ProductInput
    ) -> ProductPayload:
        async def do() -> dict[str, object]:
            product_id = decode_id(id, "Product", "id")
            row = await rules.update_product(
                info.context.actor, product_id=product_id, data=input.to_domain()
            )
            return {"product": Product(model=row)}

        return await mutate(ProductPayload, do)

    @strawberry.mutation
    async def set_stock(
        self, info: Info, product_id: strawberry.ID, quantity: int
    ) -> ProductPayload:
        async def do() -> dict[str, object]:
            pid = decode_id(product_id, "Product", "productId")
            row = await rules.set_stock(info.context.actor, product_id=pid, quantity=quantity)
            return {"product": Product(model=row)}

        return await mutate(ProductPayload, do)
