"""Helpdesk: threads, messages, support tickets and their mutations."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, TypeAlias

import strawberry

from models import helpdesk as m
from models.accounts import Account as AccountModel
from models.accounts import Seller as SellerModel
from models.orders import Order as OrderModel
from models.standing import FlagDecision as FlagDecisionModel
from models.standing import FlagReview as FlagReviewModel
from resolvers import helpdesk as rules
from resolvers.errors import Problems
from resolvers.pagination import Page, PageRequest
from resolvers.standing import moderation
from schema.accounts import Account, Role, Seller
from schema.catalog import product_of
from schema.context import Info
from schema.errors import UserError, mutate, user_errors
from schema.ids import decode_id, encode_id, known_id, read_id
from schema.pagination import Connection

if TYPE_CHECKING:
    from schema.orders import Order

TicketCategory: TypeAlias = m.TicketCategory
strawberry.enum(TicketCategory, name="TicketCategory")
FlagDecision: TypeAlias = FlagDecisionModel
strawberry.enum(FlagDecision, name="FlagDecision")


async def _account(info: Info, account_id: int | None) -> Account | None:
    if account_id is None:
        return None
    row = rules.shown_account(await info.context.loaders.by_id(AccountModel).load(account_id))
    return Account(model=row) if row is not None else None


@strawberry.type
class FlagReview:
    model: strawberry.Private[FlagReviewModel]

    @strawberry.field
    def decision(self) -> FlagDecision:
        return self.model.decision

    @strawberry.field
    def note(self) -> str | None:
        return self.model.note

    @strawberry.field
    def at(self) -> datetime:
        return self.model.at

    @strawberry.field(description="The admin who decided (null once their account is deleted).")
    async def by(self, info: Info) -> Account | None:
        return await _account(info, self.model.by_id)


@strawberry.type
class Message:
    model: strawberry.Private[m.Message]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_id("Message", self.model.id))

    @strawberry.field(description="Null for the platform's own messages and deleted accounts.")
    async def author(self, info: Info) -> Account | None:
        return await _account(info, self.model.author_id)

    @strawberry.field
    def author_role(self) -> Role:
        return self.model.author_role

    @strawberry.field
    def body(self) -> str:
        return self.model.body

    @strawberry.field
    def sent_at(self) -> datetime:
        return self.model.sent_at

    @strawberry.field(description="When the other side marked the thread read.")
    def read_at(self) -> datetime | None:
        return self.model.read_at

    @strawberry.field(description="Carries contact details (off-platform contact is forbidden).")
    def flagged(self) -> bool:
        return self.model.flagged

    @strawberry.field(description="Kinds of contact details found: email, phone, url, iban.")
    def flagged_kinds(self) -> list[str]:
        return list(self.model.flagged_kinds)

    @strawberry.field(description="The admins' decision on a flagged message (admins only).")
    async def review(self, info: Info) -> FlagReview | None:
        if not info.context.actor.is_admin or not self.model.flagged:
            return None
        loader = info.context.loaders.custom("message.review", moderation.reviews_of)
        row = await loader.load(self.model.id)
        return FlagReview(model=row) if row is not None else None


@strawberry.type
class Thread:
    model: strawberry.Private[m.Thread]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_id("Thread", self.model.id))

    @strawberry.field
    def subject(self) -> str:
        return self.model.subject

    @strawberry.field
    async def buyer(self, info: Info) -> Account | None:
        return await _account(info, self.model.buyer_id)

    @strawberry.field(description="Null on support tickets: the platform is the other party.")
    async def seller(self, info: Info) -> Seller | None:
        if self.model.seller_id is None:
            return None
        row = await info.context.loaders.by_id(SellerModel).load(self.model.seller_id)
        return Seller(model=row) if row is not None else None

    @strawberry.field
    async def order(self, info: Info) -> Annotated[Order, strawberry.lazy("schema.orders")] | None:
        from schema.orders import Order

        if self.model.order_id is None:
            return None
        row = await info.context.loaders.by_id(OrderModel).load(self.model.order_id)
        row = rules.shown_order(info.context.actor, row)
        return Order(model=row) if row is not None else None

    product = strawberry.field(resolver=product_of)

    @strawberry.field
    def category(self) -> TicketCategory | None:
        return self.model.category

    @strawberry.field
    def tracking_number(self) -> str | None:
        return self.model.tracking_number

    @strawberry.field(description="Oldest first.")
    async def messages(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Message]:
        key = rules.messages_key(info.context.actor, self.model, PageRequest.of(first, after))
        page: Page[m.Message] = Page(items=[], has_next_page=False)
        if key is not None:
            loader = info.context.loaders.custom("thread.messages", rules.message_pages)
            page = await loader.load(key)
        return Connection.of(page, lambda row: Message(model=row))

    @strawberry.field(description="Earliest deadline of the buyer messages still unanswered.")
    def response_due_at(self) -> datetime | None:
        return self.model.response_due_at

    @strawberry.field
    def overdue(self) -> bool:
        return rules.is_overdue(self.model)

    @strawberry.field(description="The other side's messages the viewer has not marked read.")
    async def unread_count(self, info: Info) -> int:
        key = rules.unread_key(info.context.actor, self.model)
        if key is None:
            return 0
        return await info.context.loaders.custom("thread.unread", rules.unread_counts).load(key)

    @strawberry.field(description="True when any of its messages is flagged.")
    def flagged(self) -> bool:
        return self.model.flagged


@strawberry.input
class ThreadFilter:
    overdue: bool | None = None
    flagged: bool | None = None
    order_id: strawberry.ID | None = None
    ticket: bool | None = strawberry.field(
        default=None, description="True: support tickets only; false: buyer–seller threads only."
    )
    reviewed: bool | None = strawberry.field(
        default=None, description="False: some flagged message waits for an admin's decision."
    )


@strawberry.input
class OpenThreadInput:
    order_id: strawberry.ID | None = None
    product_id: strawberry.ID | None = None
    subject: str | None = strawberry.field(
        default=None, description="Defaults to the order number or the product name."
    )
    body: str


@strawberry.input
class SupportTicketInput:
    category: TicketCategory
    subject: str | None = None
    body: str
    order_id: strawberry.ID | None = None
    tracking_number: str | None = None


@strawberry.type
class ThreadPayload:
    errors: list[UserError]
    thread: Thread | None = None
    warnings: list[UserError] | None = strawberry.field(
        default=None, description="Posted, but the author is told (e.g. contact details)."
    )
    notice: str | None = strawberry.field(
        default=None, description="Information for the author (e.g. delivery investigation delay)."
    )


@strawberry.type
class MessagePayload:
    errors: list[UserError]
    message: Message | None = None
    warnings: list[UserError] | None = strawberry.field(
        default=None, description="Posted, but the author is told (e.g. contact details)."
    )


def _optional_id(
    ids: Problems, value: strawberry.ID | None, type_name: str, field: str
) -> int | None:
    return None if value is None else read_id(ids, value, type_name, field)


@strawberry.type
class Query:
    @strawberry.field
    async def thread(self, info: Info, id: strawberry.ID) -> Thread | None:
        pk = known_id(id, "Thread")
        if pk is None:
            return None
        row = await rules.get_thread(info.context.actor, thread_id=pk)
        return Thread(model=row) if row is not None else None

    @strawberry.field(description="Buyers and sellers: their own threads; admins: every thread.")
    async def threads(
        self,
        info: Info,
        filter: ThreadFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Thread]:
        wanted = filter or ThreadFilter()
        with Problems() as ids:
            order_id = _optional_id(ids, wanted.order_id, "Order", "orderId")
        page = await rules.list_threads(
            info.context.actor,
            page=PageRequest.of(first, after),
            overdue=wanted.overdue,
            flagged=wanted.flagged,
            order_id=order_id,
            ticket=wanted.ticket,
            reviewed=wanted.reviewed,
        )
        return Connection.of(page, lambda row: Thread(model=row))


def _opened(opened: rules.Opened) -> dict[str, object]:
    return {
        "thread": Thread(model=opened.thread),
        "warnings": user_errors(opened.warnings),
        "notice": opened.notice,
    }


@strawberry.type
class Mutation:
    @strawberry.mutation(description="A buyer writes to the seller of an order or a product.")
    async def open_thread(self, info: Info, input: OpenThreadInput) -> ThreadPayload:
        async def do() -> dict[str, object]:
            with Problems() as ids:
                order_id = _optional_id(ids, input.order_id, "Order", "orderId")
                product_id = _optional_id(ids, input.product_id, "Product", "productId")
            opened = await rules.open_thread(
                info.context.actor,
                order_id=order_id,
                product_id=product_id,
                subject=input.subject,
                body=input.body,
                policy=info.context.policy,
            )
            return _opened(opened)

        return await mutate(ThreadPayload, do)

    @strawberry.mutation
    async def post_message(self, info: Info, thread_id: strawberry.ID, body: str) -> MessagePayload:
        async def do() -> dict[str, object]:
            posted = await rules.post_message(
                info.context.actor,
                thread_id=decode_id(thread_id, "Thread", "threadId"),
                body=body,
                policy=info.context.policy,
            )
            return {
                "message": Message(model=posted.message),
                "warnings": user_errors(posted.warnings),
            }

        return await mutate(MessagePayload, do)

    @strawberry.mutation(description="Admins: the one decision on a flagged message.")
    async def review_flag(
        self,
        info: Info,
        message_id: strawberry.ID,
        decision: FlagDecision,
        note: str | None = None,
        suspend_days: int | None = None,
    ) -> MessagePayload:
        async def do() -> dict[str, object]:
            message = await moderation.review_flag(
                info.context.actor,
                message_id=decode_id(message_id, "Message", "messageId"),
                decision=FlagDecisionModel(decision),
                note=note,
                suspend_days=suspend_days,
                policy=info.context.policy,
            )
            return {"message": Message(model=message), "warnings": []}

        return await mutate(MessagePayload, do)

    @strawberry.mutation
    async def mark_thread_read(self, info: Info, thread_id: strawberry.ID) -> ThreadPayload:
        async def do() -> dict[str, object]:
            thread = await rules.mark_thread_read(
                info.context.actor, thread_id=decode_id(thread_id, "Thread", "threadId")
            )
            return {"thread": Thread(model=thread), "warnings": []}

        return await mutate(ThreadPayload, do)

    @strawberry.mutation(description="A buyer asks the platform's support; admins answer.")
    async def open_support_ticket(self, info: Info, input: SupportTicketInput) -> ThreadPayload:
        async def do() -> dict[str, object]:
            with Problems() as ids:
                order_id = _optional_id(ids, input.order_id, "Order", "orderId")
            opened = await rules.open_support_ticket(
                info.context.actor,
                category=m.TicketCategory(input.category),
                order_id=order_id,
                subject=input.subject,
                body=input.body,
                tracking_number=input.tracking_number,
                policy=info.context.policy,
            )
            return _opened(opened)

        return await mutate(ThreadPayload, do)
