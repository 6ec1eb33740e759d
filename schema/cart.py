"""The cart, its mutations, and order templates (saved carts)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeAlias

import strawberry

from models.orders import OrderTemplate as TemplateModel
from resolvers import cart as rules
from resolvers import templates
from schema.accounts import Seller
from schema.catalog import Product
from schema.context import Info
from schema.errors import UserError, mutate
from schema.ids import decode_id, encode_id

ReorderChangeKind: TypeAlias = rules.ChangeKind
strawberry.enum(ReorderChangeKind, name="ReorderChangeKind")


@strawberry.type
class CartLine:
    model: strawberry.Private[rules.CartLineView]

    @strawberry.field
    def product(self) -> Product:
        return Product(model=self.model.product)

    @strawberry.field
    def quantity(self) -> int:
        return self.model.quantity

    @strawberry.field
    def line_total(self) -> Decimal:
        return self.model.line_total


@strawberry.type
class SellerSubtotal:
    model: strawberry.Private[rules.SellerSubtotal]

    @strawberry.field
    def seller(self) -> Seller:
        return Seller(model=self.model.seller)

    @strawberry.field
    def subtotal(self) -> Decimal:
        return self.model.subtotal

    @strawberry.field
    def small_order_fee(self) -> Decimal:
        return self.model.small_order_fee

    @strawberry.field
    def total(self) -> Decimal:
        return self.model.total


@strawberry.type
class Cart:
    model: strawberry.Private[rules.CartView]

    @strawberry.field
    def lines(self) -> list[CartLine]:
        return [CartLine(model=line) for line in self.model.lines]

    @strawberry.field
    def subtotals(self) -> list[SellerSubtotal]:
        return [SellerSubtotal(model=s) for s in self.model.subtotals]

    @strawberry.field
    def total(self) -> Decimal:
        return self.model.total

    @strawberry.field(description="When the cart will be emptied unless it changes (null: empty).")
    def expires_at(self) -> datetime | None:
        return self.model.expires_at


@strawberry.type(description="What differs from the remembered line (order or template).")
class ReorderChange:
    model: strawberry.Private[rules.LineChange]

    @strawberry.field
    def product_id(self) -> strawberry.ID:
        return strawberry.ID(encode_id("Product", self.model.product_id))

    @strawberry.field
    def product_name(self) -> str:
        return self.model.product_name

    @strawberry.field
    def kind(self) -> ReorderChangeKind:
        return self.model.kind

    @strawberry.field
    def before(self) -> str | None:
        return self.model.before

    @strawberry.field
    def after(self) -> str | None:
        return self.model.after


@strawberry.type
class OrderTemplate:
    model: strawberry.Private[TemplateModel]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_id("OrderTemplate", self.model.id))

    @strawberry.field
    def name(self) -> str:
        return self.model.name

    @strawberry.field
    def created_at(self) -> datetime:
        return self.model.created_at


@strawberry.type
class CartPayload:
    errors: list[UserError]
    cart: Cart | None = None
    # Set by applyTemplate: the template's lines that changed since it was saved.
    changes: list[ReorderChange] | None = None


@strawberry.type
class TemplatePayload:
    errors: list[UserError]
    template: OrderTemplate | None = None


def changes_of(changes: list[rules.LineChange]) -> list[ReorderChange]:
    return [ReorderChange(model=c) for c in changes]


async def _cart_payload(action: Callable[[], Awaitable[rules.CartView]]) -> CartPayload:
    async def run() -> dict[str, Any]:
        return {"cart": Cart(model=await action())}

    return await mutate(CartPayload, run)


@strawberry.type
class Query:
    @strawberry.field(description="The caller's cart (buyers only).")
    async def cart(self, info: Info) -> Cart:
        return Cart(model=await rules.get_cart(info.context.actor, policy=info.context.policy))

    @strawberry.field(description="The caller's order templates (buyers only).")
    async def order_templates(self, info: Info) -> list[OrderTemplate]:
        rows = await templates.list_templates(info.context.actor)
        return [OrderTemplate(model=row) for row in rows]


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def add_to_cart(
        self, info: Info, product_id: strawberry.ID, quantity: int
    ) -> CartPayload:
        async def action() -> rules.CartView:
            return await rules.add_to_cart(
                info.context.actor,
                quantity=quantity,
                product_id=decode_id(product_id, "Product", "productId"),
                policy=info.context.policy,
            )

        return await _cart_payload(action)

    @strawberry.mutation
    async def set_cart_quantity(
        self, info: Info, product_id: strawberry.ID, quantity: int
    ) -> CartPayload:
        async def action() -> rules.CartView:
            return await rules.set_cart_quantity(
                info.context.actor,
                quantity=quantity,
                product_id=decode_id(product_id, "Product", "productId"),
                policy=info.context.policy,
            )

        return await _cart_payload(action)

    @strawberry.mutation
    async def remove_from_cart(self, info: Info, product_id: strawberry.ID) -> CartPayload:
        async def action() -> rules.CartView:
            return await rules.remove_from_cart(
                info.context.actor,
                product_id=decode_id(product_id, "Product", "productId"),
                policy=info.context.policy,
            )

        return await _cart_payload(action)

    @strawberry.mutation
    async def empty_cart(self, info: Info) -> CartPayload:
        return await _cart_payload(
            lambda: rules.empty_cart(info.context.actor, policy=info.context.policy)
        )

    @strawberry.mutation
    async def save_cart_as_template(self, info: Info, name: str) -> TemplatePayload:
        async def action() -> dict[str, Any]:
            row = await templates.save_cart_as_template(info.context.actor, name=name)
            return {"template": OrderTemplate(model=row)}

        return await mutate(TemplatePayload, action)

    @strawberry.mutation
    async def apply_template(self, info: Info, template_id: strawberry.ID) -> CartPayload:
        async def action() -> dict[str, Any]:
            cart, changes = await templates.apply_template(
                info.context.actor,
                template_id=decode_id(template_id, "OrderTemplate", "templateId"),
                policy=info.context.policy,
            )
            return {"cart": Cart(model=cart), "changes": changes_of(changes)}

        return await mutate(CartPayload, action)
