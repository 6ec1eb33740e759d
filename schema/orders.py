"""Orders: types, the order queries, reservation and the life-cycle mutations."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

import strawberry

from models import invoices as m_invoices
from models import orders as m
from resolvers import claims, invoices
from resolvers import orders as rules
from resolvers.pagination import PageRequest
from schema.accounts import buyer_of, seller_of
from schema.addresses import Address, AddressInput
from schema.cart import Cart, ReorderChange, changes_of
from schema.catalog import product_of
from schema.context import Info
from schema.errors import UserError, mutate
from schema.ids import decode_id, encode_id, known_id
from schema.pagination import Connection
from schema.transitions import Transition

if TYPE_CHECKING:
    from schema.claims import Claim
    from schema.invoices import Invoice
    from schema.refunds import Refund

OrderStatus: TypeAlias = m.OrderStatus
strawberry.enum(OrderStatus, name="OrderStatus")


@strawberry.type
class OrderLine:
    model: strawberry.Private[m.OrderLine]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_id("OrderLine", self.model.id))

    product = strawberry.field(
        resolver=product_of, description="Null once the product is no longer in the catalog."
    )

    @strawberry.field
    def product_name(self) -> str:
        return self.model.product_name

    @strawberry.field
    def unit_price(self) -> Decimal:
        return self.model.unit_price

    @strawberry.field
    def quantity(self) -> int:
        return self.model.quantity


@strawberry.type
class StatusChange(Transition):
    model: strawberry.Private[m.OrderStatusChange]

    @strawberry.field(name="from")
    def from_(self) -> OrderStatus | None:
        return self.model.from_status

    @strawberry.field
    def to(self) -> OrderStatus:
        return self.model.to_status


@strawberry.type
class Order:
    model: strawberry.Private[m.Order]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_id("Order", self.model.id))

    @strawberry.field
    def number(self) -> str:
        return self.model.number

    @strawberry.field
    def status(self) -> OrderStatus:
        return self.model.status

    buyer = strawberry.field(resolver=buyer_of)
    seller = strawberry.field(resolver=seller_of)

    @strawberry.field
    async def lines(self, info: Info) -> list[OrderLine]:
        rows = await info.context.loaders.custom("order.lines", rules.lines_of).load(self.model.id)
        return [OrderLine(model=row) for row in rows]

    @strawberry.field
    def subtotal(self) -> Decimal:
        return self.model.subtotal

    @strawberry.field
    def small_order_fee(self) -> Decimal:
        return self.model.small_order_fee

    @strawberry.field
    def total(self) -> Decimal:
        return self.model.total

    @strawberry.field
    def delivery_address(self) -> Address:
        o = self.model
        return Address(
            line1=o.address_line1,
            line2=o.address_line2,
            postal_code=o.address_postal_code,
            city=o.address_city,
            country=o.address_country,
        )

    @strawberry.field
    def remark(self) -> str | None:
        return self.model.remark

    @strawberry.field
    def carrier(self) -> str | None:
        return self.model.carrier

    @strawberry.field
    def tracking_number(self) -> str | None:
        return self.model.tracking_number

    @strawberry.field
    def created_at(self) -> datetime:
        return self.model.created_at

    @strawberry.field(description="Every status change in time order, starting with PENDING.")
    async def history(self, info: Info) -> list[StatusChange]:
        rows = await info.context.loaders.custom("order.history", rules.history_of).load(
            self.model.id
        )
        return [StatusChange(model=row) for row in rows]

    @strawberry.field(description="The claims on this order the viewer may see.")
    async def claims(self, info: Info) -> list[Annotated[Claim, strawberry.lazy("schema.claims")]]:
        from schema.claims import Claim

        rows = await info.context.loaders.custom("order.claims", claims.claims_of_orders).load(
            self.model.id
        )
        return [Claim(model=row) for row in rows if claims.can_see_claim(info.context.actor, row)]

    @strawberry.field
    async def refunds(
        self, info: Info
    ) -> list[Annotated[Refund, strawberry.lazy("schema.refunds")]]:
        from schema.refunds import Refund

        rows = await info.context.loaders.custom("order.refunds", claims.refunds_of_orders).load(
            self.model.id
        )
        return [Refund(model=row) for row in rows]

    @strawberry.field
    def refunded_total(self) -> Decimal:
        return self.model.refunded_total

    @strawberry.field(description="When it became DELIVERED.")
    def delivered_at(self) -> datetime | None:
        return self.model.delivered_at

    @strawberry.field(description="End of the claim window (null until DELIVERED).")
    def claimable_until(self, info: Info) -> datetime | None:
        return claims.claimable_until(self.model, info.context.policy)

    @strawberry.field(description="End of the withdrawal window (null until DELIVERED).")
    def withdrawable_until(self, info: Info) -> datetime | None:
        return claims.withdrawable_until(self.model, info.context.policy)

    @strawberry.field(
        description="The order's invoice and credit notes the caller may read, oldest first."
    )
    async def invoices(
        self, info: Info
    ) -> list[Annotated[Invoice, strawberry.lazy("schema.invoices")]]:
        from schema.invoices import Invoice

        actor, policy = info.context.actor, info.context.policy

        async def load(order_ids: Sequence[int]) -> list[list[m_invoices.Invoice]]:
            return await invoices.invoices_of_orders(actor, order_ids, policy=policy)

        rows = await info.context.loaders.custom("order.invoices", load).load(self.model.id)
        return [Invoice(model=row) for row in rows]


@strawberry.input
class ReserveInput:
    delivery_address: AddressInput
    idempotency_key: str
    remark: str | None = None


@strawberry.input
class OrderFilter:
    status: OrderStatus | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None


@strawberry.type
class ReserveCartPayload:
    errors: list[UserError]
    orders: list[Order] | None = None


@strawberry.type
class OrderPayload:
    errors: list[UserError]
    order: Order | None = None


@strawberry.type
class ReorderPayload:
    errors: list[UserError]
    cart: Cart | None = None
    changes: list[ReorderChange] | None = None


def _order_id(value: strawberry.ID) -> int:
    return decode_id(value, "Order", "orderId")


async def _order_payload(action: Callable[[], Awaitable[m.Order]]) -> OrderPayload:
    async def run() -> dict[str, Any]:
        return {"order": Order(model=await action())}

    return await mutate(OrderPayload, run)


@strawberry.type
class Query:
    @strawberry.field
    async def order(self, info: Info, id: strawberry.ID) -> Order | None:
        row = await rules.read_order(info.context.actor, order_id=known_id(id, "Order"))
        return Order(model=row) if row is not None else None

    @strawberry.field(
        description="Buyers: their orders (or their company's with "
        "SEE_COMPANY_ORDERS); sellers: orders addressed to them; "
        "admins: all. Newest first."
    )
    async def orders(
        self,
        info: Info,
        filter: OrderFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Order]:
        chosen = filter or OrderFilter()
        page = await rules.list_orders(
            info.context.actor,
            page=PageRequest.of(first, after),
            status=None if chosen.status is None else m.OrderStatus(chosen.status),
            created_after=chosen.created_after,
            created_before=chosen.created_before,
        )
        return Connection.of(page, lambda row: Order(model=row))


@strawberry.type
class Mutation:
    @strawberry.mutation(description="One order per seller; stock reserved all or nothing.")
    async def reserve_cart(self, info: Info, input: ReserveInput) -> ReserveCartPayload:
        async def action() -> dict[str, Any]:
            rows = await rules.reserve_cart(
                info.context.actor,
                address=input.delivery_address.given(),
                remark=input.remark,
                idempotency_key=input.idempotency_key,
                policy=info.context.policy,
            )
            return {"orders": [Order(model=row) for row in rows]}

        return await mutate(ReserveCartPayload, action)

    @strawberry.mutation
    async def cancel_order(
        self, info: Info, order_id: strawberry.ID, reason: str | None = None
    ) -> OrderPayload:
        return await _order_payload(
            lambda: rules.cancel_order(
                info.context.actor,
                order_id=_order_id(order_id),
                reason=reason,
                policy=info.context.policy,
            )
        )

    @strawberry.mutation
    async def validate_order(self, info: Info, order_id: strawberry.ID) -> OrderPayload:
        return await _order_payload(
            lambda: rules.validate_order(
                info.context.actor, order_id=_order_id(order_id), policy=info.context.policy
            )
        )

    @strawberry.mutation
    async def refuse_order(self, info: Info, order_id: strawberry.ID, reason: str) -> OrderPayload:
        return await _order_payload(
            lambda: rules.refuse_order(
                info.context.actor,
                order_id=_order_id(order_id),
                reason=reason,
                policy=info.context.policy,
            )
        )

    @strawberry.mutation
    async def ship_order(
        self, info: Info, order_id: strawberry.ID, carrier: str, tracking_number: str
    ) -> OrderPayload:
        return await _order_payload(
            lambda: rules.ship_order(
                info.context.actor,
                order_id=_order_id(order_id),
                carrier=carrier,
                tracking_number=tracking_number,
                policy=info.context.policy,
            )
        )

    @strawberry.mutation
    async def mark_delivered(self, info: Info, order_id: strawberry.ID) -> OrderPayload:
        return await _order_payload(
            lambda: rules.mark_delivered(
                info.context.actor, order_id=_order_id(order_id), policy=info.context.policy
            )
        )

    @strawberry.mutation
    async def reorder(self, info: Info, order_id: strawberry.ID) -> ReorderPayload:
        async def action() -> dict[str, Any]:
            cart, changes = await rules.reorder(
                info.context.actor, order_id=_order_id(order_id), policy=info.context.policy
            )
            return {"cart": Cart(model=cart), "changes": changes_of(changes)}

        return await mutate(ReorderPayload, action)
