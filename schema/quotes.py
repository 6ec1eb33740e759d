"""Quotes (requests for quotation): the quote list, quotes, offers, acceptance."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeAlias

import strawberry

from models import quotes as m
from models.orders import Order as OrderModel
from resolvers import quotes as rules
from resolvers.errors import Problems
from resolvers.pagination import PageRequest
from schema.accounts import buyer_of, seller_of
from schema.addresses import AddressInput
from schema.catalog import Product, product_of
from schema.context import Info
from schema.errors import UserError, mutate
from schema.ids import decode_id, encode_id, known_id, read_id
from schema.orders import Order
from schema.pagination import Connection
from schema.transitions import Transition

# Registers the model's enum itself (same class) as the GraphQL enum "QuoteStatus".
QuoteStatus: TypeAlias = m.QuoteStatus
strawberry.enum(QuoteStatus, name="QuoteStatus")


@strawberry.type
class QuoteListLine:
    model: strawberry.Private[rules.QuoteListLineView]

    @strawberry.field
    def product(self) -> Product:
        return Product(model=self.model.product)

    @strawberry.field
    def quantities(self) -> list[int]:
        return self.model.quantities


@strawberry.type
class QuoteList:
    model: strawberry.Private[rules.QuoteListView]

    @strawberry.field
    def lines(self) -> list[QuoteListLine]:
        return [QuoteListLine(model=line) for line in self.model.lines]


@strawberry.type
class QuoteTier:
    model: strawberry.Private[m.QuoteTier]

    @strawberry.field
    def quantity(self) -> int:
        return self.model.quantity

    @strawberry.field
    def unit_price(self) -> Decimal | None:
        return self.model.unit_price


@strawberry.type
class QuoteLine:
    model: strawberry.Private[m.QuoteLine]

    product = strawberry.field(resolver=product_of)

    @strawberry.field
    def product_name(self) -> str:
        return self.model.product_name

    @strawberry.field
    async def tiers(self, info: Info) -> list[QuoteTier]:
        rows = await info.context.loaders.custom("quote.tiers", rules.tiers_of).load(self.model.id)
        return [QuoteTier(model=row) for row in rows]


@strawberry.type
class QuoteStatusChange(Transition):
    model: strawberry.Private[m.QuoteStatusChange]

    @strawberry.field(name="from")
    def from_(self) -> m.QuoteStatus | None:
        return self.model.from_status

    @strawberry.field
    def to(self) -> m.QuoteStatus:
        return self.model.to_status


@strawberry.type
class Quote:
    model: strawberry.Private[m.Quote]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_id("Quote", self.model.id))

    @strawberry.field
    def number(self) -> str:
        return self.model.number

    @strawberry.field
    def status(self) -> m.QuoteStatus:
        return self.model.status

    buyer = strawberry.field(resolver=buyer_of)
    seller = strawberry.field(resolver=seller_of)

    @strawberry.field
    async def lines(self, info: Info) -> list[QuoteLine]:
        rows = await info.context.loaders.custom("quote.lines", rules.lines_of).load(self.model.id)
        return [QuoteLine(model=row) for row in rows]

    @strawberry.field
    def remark(self) -> str | None:
        return self.model.remark

    @strawberry.field
    def seller_message(self) -> str | None:
        return self.model.seller_message

    @strawberry.field
    def respond_by(self) -> datetime:
        return self.model.respond_by

    @strawberry.field
    def valid_until(self) -> datetime | None:
        return self.model.valid_until

    @strawberry.field
    def overdue(self) -> bool:
        return rules.is_overdue(self.model)

    @strawberry.field
    async def order(self, info: Info) -> Order | None:
        if self.model.order_id is None:
            return None
        row = await info.context.loaders.by_id(OrderModel).load(self.model.order_id)
        return Order(model=row) if row is not None else None

    @strawberry.field
    def created_at(self) -> datetime:
        return self.model.created_at

    @strawberry.field
    async def history(self, info: Info) -> list[QuoteStatusChange]:
        rows = await info.context.loaders.custom("quote.history", rules.history_of).load(
            self.model.id
        )
        return [QuoteStatusChange(model=row) for row in rows]


@strawberry.input
class QuoteFilter:
    status: m.QuoteStatus | None = None
    # true: REQUESTED or OFFERED (« mes offres »).
    open: bool | None = None


@strawberry.input
class TierPriceInput:
    product_id: strawberry.ID
    quantity: int
    unit_price: Decimal


@strawberry.input
class OfferQuoteInput:
    quote_id: strawberry.ID
    prices: list[TierPriceInput]
    valid_until: datetime
    message: str | None = None


@strawberry.input
class QuoteChoiceInput:
    product_id: strawberry.ID
    quantity: int


@strawberry.input
class AcceptQuoteInput:
    quote_id: strawberry.ID
    choices: list[QuoteChoiceInput]
    delivery_address: AddressInput
    idempotency_key: str
    remark: str | None = None


@strawberry.type
class QuoteListPayload:
    errors: list[UserError]
    quote_list: QuoteList | None = None


@strawberry.type
class QuotesPayload:
    errors: list[UserError]
    quotes: list[Quote] | None = None


@strawberry.type
class QuotePayload:
    errors: list[UserError]
    quote: Quote | None = None


def _quote_id(value: strawberry.ID) -> int:
    return decode_id(value, "Quote", "quoteId")


def _product_id(value: strawberry.ID) -> int:
    return decode_id(value, "Product", "productId")


async def _quote_payload(action: Callable[[], Awaitable[m.Quote]]) -> QuotePayload:
    async def run() -> dict[str, Any]:
        return {"quote": Quote(model=await action())}

    return await mutate(QuotePayload, run)


async def _list_payload(action: Callable[[], Awaitable[rules.QuoteListView]]) -> QuoteListPayload:
    async def run() -> dict[str, Any]:
        return {"quote_list": QuoteList(model=await action())}

    return await mutate(QuoteListPayload, run)


@strawberry.type
class Query:
    @strawberry.field
    async def quote_list(self, info: Info) -> QuoteList:
        return QuoteList(model=await rules.get_quote_list(info.context.actor))

    @strawberry.field
    async def quote(self, info: Info, id: strawberry.ID) -> Quote | None:
        row = await rules.read_quote(info.context.actor, quote_id=known_id(id, "Quote"))
        return Quote(model=row) if row is not None else None

    @strawberry.field
    async def quotes(
        self,
        info: Info,
        filter: QuoteFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Quote]:
        chosen = filter or QuoteFilter()
        page = await rules.list_quotes(
            info.context.actor,
            page=PageRequest.of(first, after),
            status=None if chosen.status is None else m.QuoteStatus(chosen.status),
            open=chosen.open,
        )
        return Connection.of(page, lambda row: Quote(model=row))


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def add_to_quote_list(
        self, info: Info, product_id: strawberry.ID, quantities: list[int]
    ) -> QuoteListPayload:
        return await _list_payload(
            lambda: rules.add_to_quote_list(
                info.context.actor, product_id=_product_id(product_id), quantities=quantities
            )
        )

    @strawberry.mutation
    async def remove_from_quote_list(
        self, info: Info, product_id: strawberry.ID
    ) -> QuoteListPayload:
        return await _list_payload(
            lambda: rules.remove_from_quote_list(
                info.context.actor, product_id=_product_id(product_id)
            )
        )

    @strawberry.mutation
    async def send_quote_request(self, info: Info, remark: str | None = None) -> QuotesPayload:
        async def action() -> dict[str, Any]:
            rows = await rules.send_quote_request(
                info.context.actor, remark=remark, policy=info.context.policy
            )
            return {"quotes": [Quote(model=row) for row in rows]}

        return await mutate(QuotesPayload, action)

    @strawberry.mutation
    async def offer_quote(self, info: Info, input: OfferQuoteInput) -> QuotePayload:
        async def offer() -> m.Quote:
            with Problems() as ids:
                quote_id = read_id(ids, input.quote_id, "Quote", "quoteId")
                prices = [
                    rules.TierPrice(
                        read_id(ids, p.product_id, "Product", "prices"), p.quantity, p.unit_price
                    )
                    for p in input.prices
                ]
            return await rules.offer_quote(
                info.context.actor,
                quote_id=quote_id,
                prices=prices,
                valid_until=input.valid_until,
                message=input.message,
                policy=info.context.policy,
            )

        return await _quote_payload(offer)

    @strawberry.mutation
    async def decline_quote(self, info: Info, quote_id: strawberry.ID, reason: str) -> QuotePayload:
        return await _quote_payload(
            lambda: rules.decline_quote(
                info.context.actor,
                quote_id=_quote_id(quote_id),
                reason=reason,
                policy=info.context.policy,
            )
        )

    @strawberry.mutation
    async def accept_quote(self, info: Info, input: AcceptQuoteInput) -> QuotePayload:
        async def accept() -> m.Quote:
            with Problems() as ids:
                quote_id = read_id(ids, input.quote_id, "Quote", "quoteId")
                choices = [
                    rules.Choice(read_id(ids, c.product_id, "Product", "choices"), c.quantity)
                    for c in input.choices
                ]
            return await rules.accept_quote(
                info.context.actor,
                quote_id=quote_id,
                choices=choices,
                address=input.delivery_address.given(),
                remark=input.remark,
                idempotency_key=input.idempotency_key,
                policy=info.context.policy,
            )

        return await _quote_payload(accept)

    @strawberry.mutation
    async def refuse_quote(
        self, info: Info, quote_id: strawberry.ID, reason: str | None = None
    ) -> QuotePayload:
        return await _quote_payload(
            lambda: rules.refuse_quote(
                info.context.actor,
                quote_id=_quote_id(quote_id),
                reason=reason,
                policy=info.context.policy,
            )
        )
