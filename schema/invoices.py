"""Invoices and credit notes: types and the `invoice` / `invoices` queries."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

import strawberry

from models import invoices as m
from models.claims import Refund as RefundModel
from models.orders import Order as OrderModel
from resolvers import invoices as rules
from resolvers.orders.queries import can_see_order
from resolvers.pagination import PageRequest
from schema.accounts import seller_of
from schema.addresses import Address
from schema.context import Info
from schema.ids import decode_id, encode_id, known_id
from schema.orders import Order
from schema.pagination import Connection

if TYPE_CHECKING:
    from schema.refunds import Refund

InvoiceKind: TypeAlias = m.InvoiceKind
strawberry.enum(InvoiceKind, name="InvoiceKind")


@strawberry.type
class InvoiceLine:
    description: str
    quantity: int
    unit_price: Decimal
    vat_rate: Decimal
    total: Decimal

    @classmethod
    def of(cls, line: dict[str, Any]) -> InvoiceLine:
        return cls(
            description=line["description"],
            quantity=line["quantity"],
            unit_price=Decimal(line["unit_price"]),
            vat_rate=Decimal(line["vat_rate"]),
            total=Decimal(line["total"]),
        )


@strawberry.type
class VatAmount:
    rate: Decimal
    base: Decimal
    amount: Decimal


@strawberry.type(description="An invoice or credit note, exactly as issued.")
class Invoice:
    model: strawberry.Private[m.Invoice]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_id("Invoice", self.model.id))

    @strawberry.field
    def kind(self) -> InvoiceKind:
        return self.model.kind

    @strawberry.field
    def number(self) -> str:
        return self.model.number

    @strawberry.field
    def year(self) -> int:
        return self.model.year

    @strawberry.field
    def sequence(self) -> int:
        return self.model.sequence

    @strawberry.field
    def issued_at(self) -> datetime:
        return self.model.issued_at

    seller = strawberry.field(resolver=seller_of)

    @strawberry.field(
        description="The order the document is about (null for a colleague who may read the "
        "company's invoices but not its orders)."
    )
    async def order(self, info: Info) -> Order | None:
        row = await info.context.loaders.by_id(OrderModel).load(self.model.order_id)
        return (
            Order(model=row) if row is not None and can_see_order(info.context.actor, row) else None
        )

    @strawberry.field(description="A credit note: the refund it was issued for.")
    async def refund(
        self, info: Info
    ) -> Annotated[Refund, strawberry.lazy("schema.refunds")] | None:
        from schema.refunds import Refund

        if self.model.refund_id is None:
            return None
        row = await info.context.loaders.by_id(RefundModel).load(self.model.refund_id)
        return Refund(model=row) if row is not None else None

    @strawberry.field(description="A credit note: the invoice it corrects (when visible).")
    async def corrects(self, info: Info) -> Invoice | None:
        if self.model.corrects_id is None:
            return None
        row = await rules.read_invoice(
            info.context.actor, invoice_id=self.model.corrects_id, policy=info.context.policy
        )
        return Invoice(model=row) if row is not None else None

    @strawberry.field
    def seller_name(self) -> str:
        return self.model.seller_name

    @strawberry.field
    def seller_vat_number(self) -> str | None:
        return self.model.seller_vat_number

    @strawberry.field
    def buyer_name(self) -> str:
        return self.model.buyer_name

    @strawberry.field
    def buyer_company(self) -> str | None:
        return self.model.buyer_company

    @strawberry.field
    def buyer_vat_number(self) -> str | None:
        return self.model.buyer_vat_number

    @strawberry.field
    def billing_address(self) -> Address:
        i = self.model
        return Address(
            line1=i.billing_line1,
            line2=i.billing_line2,
            postal_code=i.billing_postal_code,
            city=i.billing_city,
            country=i.billing_country,
        )

    @strawberry.field
    def lines(self) -> list[InvoiceLine]:
        return [InvoiceLine.of(line) for line in self.model.lines]

    @strawberry.field
    def total_excluding_vat(self) -> Decimal:
        return self.model.total_excluding_vat

    @strawberry.field(description="Per VAT rate: base excluding VAT and VAT amount.")
    def vat(self) -> list[VatAmount]:
        return [
            VatAmount(rate=Decimal(v["rate"]), base=Decimal(v["base"]), amount=Decimal(v["amount"]))
            for v in self.model.vat
        ]

    @strawberry.field
    def total(self) -> Decimal:
        return self.model.total

    @strawberry.field(description="Signed link to the PDF, valid COMPTOIR_DOCUMENT_LINK_MINUTES.")
    def pdf_url(self, info: Info) -> str:
        return rules.pdf_url(self.model, policy=info.context.policy)


@strawberry.input
class InvoiceFilter:
    kind: InvoiceKind | None = None
    order_id: strawberry.ID | None = None
    issued_after: datetime | None = None
    issued_before: datetime | None = None


@strawberry.type
class Query:
    @strawberry.field
    async def invoice(self, info: Info, id: strawberry.ID) -> Invoice | None:
        row = await rules.read_invoice(
            info.context.actor, invoice_id=known_id(id, "Invoice"), policy=info.context.policy
        )
        return Invoice(model=row) if row is not None else None

    @strawberry.field(
        description="Buyers: their invoices of the last "
        "COMPTOIR_INVOICE_HISTORY_MONTHS months (with SEE_INVOICES: "
        "the company's); sellers: all they issued; admins: all. "
        "Newest first."
    )
    async def invoices(
        self,
        info: Info,
        filter: InvoiceFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Invoice]:
        chosen = filter or InvoiceFilter()
        page = await rules.list_invoices(
            info.context.actor,
            page=PageRequest.of(first, after),
            policy=info.context.policy,
            kind=None if chosen.kind is None else m.InvoiceKind(chosen.kind),
            order_id=None
            if chosen.order_id is None
            else decode_id(chosen.order_id, "Order", "orderId"),
            issued_after=chosen.issued_after,
            issued_before=chosen.issued_before,
        )
        return Connection.of(page, lambda row: Invoice(model=row))
