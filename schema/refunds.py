"""Refunds: of a claim or of a cancelled order, with the credit note that records them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from models import claims as m
from models import orders as order_models
from resolvers import invoices
from schema.context import Info
from schema.ids import encode_id

if TYPE_CHECKING:
    from schema.claims import Claim
    from schema.invoices import Invoice
    from schema.orders import Order


async def order_of(info: Info, order_id: int) -> Order:
    """The order a claim or refund belongs to, loaded with its request's batch."""
    from schema.orders import Order

    row = await info.context.loaders.by_id(order_models.Order).load(order_id)
    assert row is not None  # RESTRICT foreign key
    return Order(model=row)


@strawberry.type
class Refund:
    model: strawberry.Private[m.Refund]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_id("Refund", self.model.id))

    @strawberry.field
    async def order(self, info: Info) -> Annotated[Order, strawberry.lazy("schema.orders")]:
        return await order_of(info, self.model.order_id)

    @strawberry.field
    async def claim(self, info: Info) -> Annotated[Claim, strawberry.lazy("schema.claims")] | None:
        from schema.claims import Claim

        if self.model.claim_id is None:
            return None
        row = await info.context.loaders.by_id(m.Claim).load(self.model.claim_id)
        return Claim(model=row) if row is not None else None

    @strawberry.field
    def amount(self) -> Decimal:
        return self.model.amount

    @strawberry.field
    def reason(self) -> str:
        return self.model.reason

    @strawberry.field
    def created_at(self) -> datetime:
        return self.model.created_at

    @strawberry.field(description="The credit note issued for this refund (when visible).")
    async def credit_note(
        self, info: Info
    ) -> Annotated[Invoice, strawberry.lazy("schema.invoices")] | None:
        from schema.invoices import Invoice

        row = await invoices.credit_note_of(
            info.context.actor, refund_id=self.model.id, policy=info.context.policy
        )
        return Invoice(model=row) if row is not None else None
