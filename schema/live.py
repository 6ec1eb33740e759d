"""Live subscriptions: `orderEvents`, `quoteEvents`, `messageEvents`, `claimEvents`,
`deadlineEvents`: the log, then live.

Over WebSocket the view registers each operation in the context (`Context.operations`); the
stream then has the app's `LiveRenderer` execute the document once per (event, document,
variables, viewer) in the process and writes the shared payload straight to the socket.
Without one (any other transport) Strawberry executes the document per event as usual.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
from collections.abc import AsyncGenerator, Awaitable, Callable
from datetime import datetime
from typing import TypeVar

import strawberry
from graphql import GraphQLError, GraphQLFormattedError
from tortoise.models import Model

from models import claims as claim_models
from models import deadlines as deadline_models
from models import helpdesk as helpdesk_models
from models import orders as order_models
from models import quotes as quote_models
from models.events import Event
from realtime.audience import Audience
from realtime.streams import StreamClosed
from realtime.streams import Subscription as Stream
from resolvers import live as rules
from schema.claims import Claim, ClaimStatus
from schema.context import Info, Loaders
from schema.helpdesk import Message, Thread
from schema.ids import decode_id
from schema.live_render import Handover, LiveRenderer
from schema.orders import Order, OrderStatus
from schema.quotes import Quote
from schema.security import coded_errors

S = TypeVar("S")
M = TypeVar("M", bound=Model)


strawberry.enum(deadline_models.DeadlineKind, name="DeadlineKind")


async def _load(info: Info, model: type[M], pk: int | None) -> M:
    """A row an event names; the log only names rows that are never deleted."""
    row = await info.context.loaders.by_id(model).load(pk) if pk is not None else None
    if row is None:
        raise LookupError(f"{model.__name__} {pk} named by an event is missing")
    return row


@strawberry.type
class LogEvent:
    """What every pushed event shows: its position in the log and its time."""

    event: strawberry.Private[Event]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.event.id))

    @strawberry.field
    def at(self) -> datetime:
        return self.event.at


@strawberry.type
class StatusEvent(LogEvent):
    """A status change of an order, a quote or a claim (`from` and `to` are typed by each)."""

    @strawberry.field
    def reason(self) -> str | None:
        value = self.event.payload.get("reason")
        return str(value) if value is not None else None


@strawberry.type
class OrderEvent(StatusEvent):
    @strawberry.field
    async def order(self, info: Info) -> Order:
        row = await _load(info, order_models.Order, self.event.order_id)
        return Order(model=row)

    @strawberry.field(name="from")
    def from_(self) -> OrderStatus | None:
        value = self.event.payload.get("from")
        return order_models.OrderStatus(value) if value is not None else None

    @strawberry.field
    def to(self) -> OrderStatus:
        return order_models.OrderStatus(self.event.payload["to"])


@strawberry.type
class QuoteEvent(StatusEvent):
    @strawberry.field
    async def quote(self, info: Info) -> Quote:
        return Quote(model=await _load(info, quote_models.Quote, self.event.quote_id))

    @strawberry.field(name="from")
    def from_(self) -> quote_models.QuoteStatus | None:
        value = self.event.payload.get("from")
        return quote_models.QuoteStatus(value) if value is not None else None

    @strawberry.field
    def to(self) -> quote_models.QuoteStatus:
        return quote_models.QuoteStatus(self.event.payload["to"])


@strawberry.type
class MessageEvent(LogEvent):
    @strawberry.field
    async def thread(self, info: Info) -> Thread:
        return Thread(model=await _load(info, helpdesk_models.Thread, self.event.thread_id))

    @strawberry.field
    async def message(self, info: Info) -> Message:
        row = await _load(info, helpdesk_models.Message, self.event.payload.get("message_id"))
        return Message(model=row)


@strawberry.type
class ClaimEvent(StatusEvent):
    @strawberry.field
    async def claim(self, info: Info) -> Claim:
        return Claim(model=await _load(info, claim_models.Claim, self.event.claim_id))

    @strawberry.field(name="from")
    def from_(self) -> ClaimStatus | None:
        value = self.event.payload.get("from")
        return claim_models.ClaimStatus(value) if value is not None else None

    @strawberry.field
    def to(self) -> ClaimStatus:
        return claim_models.ClaimStatus(self.event.payload["to"])


@strawberry.type
class DeadlineEvent(LogEvent):
    """A deadline alert, for the party who must act (`dueAt`: the deadline itself)."""

    @strawberry.field
    def kind(self) -> deadline_models.DeadlineKind:
        return deadline_models.DeadlineKind(self.event.payload["kind"])

    @strawberry.field
    def due_at(self) -> datetime:
        return datetime.fromisoformat(self.event.payload["due_at"])

    @strawberry.field
    async def thread(self, info: Info) -> Thread | None:
        pk = self.event.thread_id
        return None if pk is None else Thread(model=await _load(info, helpdesk_models.Thread, pk))

    @strawberry.field
    async def claim(self, info: Info) -> Claim | None:
        pk = self.event.claim_id
        return None if pk is None else Claim(model=await _load(info, claim_models.Claim, pk))

    @strawberry.field
    async def quote(self, info: Info) -> Quote | None:
        pk = self.event.quote_id
        return None if pk is None else Quote(model=await _load(info, quote_models.Quote, pk))

    @strawberry.field
    async def order(self, info: Info) -> Order | None:
        pk = self.event.order_id
        return None if pk is None else Order(model=await _load(info, order_models.Order, pk))


def _live(info: Info) -> LiveRenderer:
    live = info.context.live
    if live is None:
        raise RuntimeError("no live delivery: the app's lifespan starts it")
    return live


def _open(info: Info, audience: Audience, after: int | None) -> Stream:
    return _live(info).hub.open(audience, after=after)


async def _deliver(
    info: Info, stream: Stream, build: Callable[[Event], S]
) -> AsyncGenerator[S, None]:
    live = _live(info)
    task = asyncio.current_task()
    operation = info.context.operations.get(task) if task is not None else None
    if operation is None:
        try:
            while True:
                event = await stream.next()
                info.context.loaders = Loaders()  # the context outlives the request
                yield build(event)
        finally:
            stream.close()
    # Not `info`: what is kept of the operation is what sending one event needs.
    viewer = dataclasses.replace(info.context.actor, session_id=None)
    key = operation.key(viewer)
    policy = info.context.policy

    async def send(event: Event) -> None:
        payload = await live.payload(
            event.id, key, operation, viewer, policy, functools.partial(build, event)
        )
        await operation.send(payload)

    if operation.handover is not None:
        _Pushed(stream, send, operation.handover)
        return
    try:
        while True:
            await send(await stream.next())
    finally:
        stream.close()


class _Pushed:
    """A handed-over delivery: each offer of the hub wakes a short task that sends what the
    stream holds, then ends; an idle subscription has no task."""

    def __init__(
        self, stream: Stream, send: Callable[[Event], Awaitable[None]], handover: Handover
    ) -> None:
        self.stream = stream
        self.send = send
        self.handover = handover
        self.task: asyncio.Task[None] | None = None
        handover.park(self.stop)
        stream.wake = self.wake
        if not stream.idle:  # replaying from `after`
            self.wake()

    def wake(self) -> None:
        if self.task is None:
            self.task = asyncio.create_task(self._drain())

    async def _drain(self) -> None:
        try:
            # No await between `pending()` finding nothing and the task ending: an offer
            # after it wakes a new task.
            while (event := await self.stream.pending()) is not None:
                await self.send(event)
        except StreamClosed:
            await self._end(None)
        except Exception as error:
            await self._end(
                [
                    e.formatted
                    for e in coded_errors([GraphQLError(str(error), original_error=error)])
                ]
            )
        finally:
            self.task = None

    async def _end(self, errors: list[GraphQLFormattedError] | None) -> None:
        self.stream.close()
        await self.handover.ended(errors)

    def stop(self) -> None:
        self.stream.wake = None  # closed by its consumer: nothing to wake
        self.stream.close()
        if self.task is not None:
            self.task.cancel()


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def order_events(
        self, info: Info, after: strawberry.ID | None = None, order_id: strawberry.ID | None = None
    ) -> AsyncGenerator[OrderEvent, None]:
        position = rules.parse_after(after)
        pk = decode_id(order_id, "Order", "orderId") if order_id is not None else None
        audience = await rules.order_events_audience(info.context.actor, order_id=pk)
        return _deliver(info, _open(info, audience, position), lambda e: OrderEvent(event=e))

    @strawberry.subscription
    async def quote_events(
        self, info: Info, after: strawberry.ID | None = None, quote_id: strawberry.ID | None = None
    ) -> AsyncGenerator[QuoteEvent, None]:
        position = rules.parse_after(after)
        pk = decode_id(quote_id, "Quote", "quoteId") if quote_id is not None else None
        audience = await rules.quote_events_audience(info.context.actor, quote_id=pk)
        return _deliver(info, _open(info, audience, position), lambda e: QuoteEvent(event=e))

    @strawberry.subscription
    async def message_events(
        self, info: Info, after: strawberry.ID | None = None, thread_id: strawberry.ID | None = None
    ) -> AsyncGenerator[MessageEvent, None]:
        position = rules.parse_after(after)
        pk = decode_id(thread_id, "Thread", "threadId") if thread_id is not None else None
        audience = await rules.message_events_audience(info.context.actor, thread_id=pk)
        return _deliver(info, _open(info, audience, position), lambda e: MessageEvent(event=e))

    @strawberry.subscription
    async def claim_events(
        self, info: Info, after: strawberry.ID | None = None, claim_id: strawberry.ID | None = None
    ) -> AsyncGenerator[ClaimEvent, None]:
        position = rules.parse_after(after)
        pk = decode_id(claim_id, "Claim", "claimId") if claim_id is not None else None
        audience = await rules.claim_events_audience(info.context.actor, claim_id=pk)
        return _deliver(info, _open(info, audience, position), lambda e: ClaimEvent(event=e))

    @strawberry.subscription
    async def deadline_events(
        self, info: Info, after: strawberry.ID | None = None
    ) -> AsyncGenerator[DeadlineEvent, None]:
        position = rules.parse_after(after)
        audience = rules.deadline_events_audience(info.context.actor)
        return _deliver(
            info,
            _open(info, audience, position),
            lambda e: DeadlineEvent(event=e),
        )
