"""Strawberry's two WebSocket protocols as Comptoir runs them (the view picks one per socket).

Frames are checked before Strawberry reads them, and each operation registers a
`LiveOperation` so that its subscription writes shared, pre-encoded payloads to the socket.
Over either protocol a subscription then leaves its operation's task (`_Parking`): an idle one
costs no task and none of the frames suspended under one.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from graphql import GraphQLError, GraphQLFormattedError, GraphQLSyntaxError
from starlette.websockets import WebSocket

from comptoir import frames
from comptoir.metrics import Metrics
from comptoir.metrics import Operation as MetricsOperation
from schema.compat import (
    ASGIWebSocketAdapter,
    BaseGraphQLTransportWSHandler,
    BaseGraphQLWSHandler,
    Operation,
    forget_operation,
    free_legacy_slot,
    hold_legacy_slot,
    release_init_timeout,
    starlette_socket,
)
from schema.context import Context
from schema.live_render import LiveOperation


def _raw_sender(websocket: WebSocket, prefix: str) -> Callable[[str], Awaitable[None]]:
    """Send `prefix + payload + "}"` as is: the payload is shared, already encoded JSON."""

    async def send(payload: str) -> None:
        try:
            await websocket.send_text(prefix + payload + "}")
        except Exception:  # gone: wait for the handler's shutdown to cancel this operation
            await asyncio.get_running_loop().create_future()

    return send


def _counted(view: Any, query: str, name: str | None) -> Callable[[], None]:
    """Counts the subscription until the function returned is called (a query sent over the
    socket is not one)."""
    metrics: Metrics | None = view.metrics
    if metrics is None or MetricsOperation.of(query, name, None).kind != "subscription":
        return _uncounted
    metrics.subscriptions.inc()
    return metrics.subscriptions.dec


def _uncounted() -> None:
    pass


@contextlib.asynccontextmanager
async def _registered(context: Context, operation: LiveOperation) -> AsyncIterator[None]:
    """`operation` is what the subscription running in this task writes to (Context.operations)."""
    task = asyncio.current_task()
    assert task is not None  # each operation runs in a task of its own
    context.operations[task] = operation
    try:
        yield
    finally:
        del context.operations[task]


class SocketAdapter(ASGIWebSocketAdapter):
    async def close(self, code: int, reason: str) -> None:
        await super().close(code, frames.close_reason(reason))


class _Parking(abc.ABC):
    """An operation whose subscription may be handed over (schema.live_render.Handover): then
    its task ends and the operation stays open, in its handler's `parked`."""

    __slots__ = ("operation_id", "parked", "release", "stop")

    def __init__(
        self, parked: dict[str, _Parking], operation_id: str, release: Callable[[], None]
    ) -> None:
        self.parked = parked
        self.operation_id = operation_id
        self.release = release  # the metrics' count of the subscription
        self.stop: Callable[[], None] | None = None

    def park(self, stop: Callable[[], None]) -> None:
        self.stop = stop
        self.quiet()
        self.parked[self.operation_id] = self

    async def ended(self, errors: list[GraphQLFormattedError] | None) -> None:
        if self.parked.pop(self.operation_id, None) is not self:
            return  # already stopped by the client or the socket's close
        self.release()
        with contextlib.suppress(Exception):  # the socket is gone
            await self.finish(errors)

    def stopped(self) -> None:
        assert self.stop is not None
        self.stop()
        self.release()

    @abc.abstractmethod
    def quiet(self) -> None:
        """Strawberry ends the operation when its task returns: not the end of this one."""

    @abc.abstractmethod
    async def finish(self, errors: list[GraphQLFormattedError] | None) -> None:
        """The protocol's end of the operation, failed with `errors` or not."""


class _TransportParking(_Parking):
    __slots__ = ("operation",)

    def __init__(
        self,
        handler: TransportWSHandler,
        operation: Operation[Context, None],
        release: Callable[[], None],
    ) -> None:
        super().__init__(handler.parked, operation.id, release)
        self.operation = operation

    def quiet(self) -> None:
        # Strawberry sends `complete` when the operation's task returns, unless completed.
        self.operation.completed = True

    async def finish(self, errors: list[GraphQLFormattedError] | None) -> None:
        self.operation.completed = False
        message: Any = {"id": self.operation_id, "type": "complete"}
        if errors:
            message = {"id": self.operation_id, "type": "error", "payload": errors}
        await self.operation.send_operation_message(message)


class TransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parked: dict[str, _Parking] = {}

    async def handle_message(self, message: Any) -> None:
        problem = frames.transport_problem(message)
        if problem is not None:
            await self.handle_invalid_message(problem)
            return
        await super().handle_message(message)

    async def handle_connection_init(self, message: Any) -> None:
        await super().handle_connection_init(message)
        release_init_timeout(self)  # ~2 KB per idle connection

    @staticmethod
    def _get_pre_execution_close_reason(error: GraphQLError) -> str | None:
        # A syntax error is the operation's error, answered with `error` for its id as the
        # protocol describes; Strawberry would close the whole socket over it.
        if isinstance(error, GraphQLSyntaxError):
            return None
        return BaseGraphQLTransportWSHandler._get_pre_execution_close_reason(error)

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        prefix = f'{{"id":{json.dumps(operation.id)},"type":"next","payload":'
        sender = _raw_sender(starlette_socket(self.websocket), prefix)
        counted = _counted(self.view, operation.query, operation.operation_name)
        parking = _TransportParking(self, operation, counted)
        live = LiveOperation(
            operation.query, operation.variables, operation.operation_name, sender, parking
        )
        try:
            async with _registered(self.context, live):
                await super().run_operation(operation)
        finally:
            if parking.stop is None:
                counted()
            else:
                operation.task = None  # finished: nothing to cancel, nothing to keep

    async def cleanup_operation(self, operation_id: str) -> None:
        parking = self.parked.pop(operation_id, None)
        if parking is None:
            await super().cleanup_operation(operation_id)
            return
        forget_operation(self, operation_id)
        parking.stopped()


class _LegacyParking(_Parking):
    __slots__ = ("handler",)

    def __init__(
        self, handler: LegacyWSHandler, operation_id: str, release: Callable[[], None]
    ) -> None:
        super().__init__(handler.parked, operation_id, release)
        self.handler = handler

    def quiet(self) -> None:
        self.handler.owed.add(self.operation_id)

    async def finish(self, errors: list[GraphQLFormattedError] | None) -> None:
        free_legacy_slot(self.handler, self.operation_id)
        if errors:  # as Strawberry sends a stream's failure: `data` with errors, then `complete`
            payload = {"data": None, "errors": errors}
            await self.handler.send_message(
                {"type": "data", "id": self.operation_id, "payload": payload}
            )
        await self.handler.send_message({"type": "complete", "id": self.operation_id})


class LegacyWSHandler(BaseGraphQLWSHandler[Context, None]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parked: dict[str, _Parking] = {}
        # Handed-over operations whose task still owes Strawberry's `complete` (not an end):
        # exactly one `complete` per id is dropped, whichever is sent first.
        self.owed: set[str] = set()
        self.closing: asyncio.Task[None] | None = None  # past the connection_init deadline

    async def handle_message(self, message: Any) -> None:
        answer = frames.legacy_problem(message)
        if answer is not None:
            await self.send_message(answer)
            return
        await super().handle_message(message)

    async def send_message(self, message: Any) -> None:
        # Any: our frames are plain dicts; Strawberry types its own as TypedDicts.
        if message["type"] == "complete" and message["id"] in self.owed:
            self.owed.discard(message["id"])
            return
        await super().send_message(message)

    async def handle(self) -> None:
        # Strawberry gives this protocol no connection_init deadline: without one a socket
        # could stay open forever without logging in. A timer, not a sleeping task: a socket
        # keeps no task and no frame of it (~1.5 KB, then ~0.7 KB once it has run).
        deadline = asyncio.get_running_loop().call_later(
            self.view.connection_init_wait_timeout.total_seconds(), self._deadline_passed
        )
        try:
            await super().handle()
        finally:
            deadline.cancel()

    def _deadline_passed(self) -> None:
        if not self.connection_acknowledged:
            self.closing = asyncio.create_task(self._close_unacknowledged())

    async def _close_unacknowledged(self) -> None:
        # The legacy protocol defines no close codes: graphql-transport-ws's 4408 is the one
        # clients already know for this.
        with contextlib.suppress(Exception):
            await self.websocket.close(code=4408, reason="Connection initialisation timeout")

    async def handle_async_results(
        self,
        operation_id: str,
        query: str,
        operation_name: str | None,
        variables: dict[str, object] | None,
    ) -> None:
        prefix = f'{{"type":"data","id":{json.dumps(operation_id)},"payload":'
        sender = _raw_sender(starlette_socket(self.websocket), prefix)
        parking = _LegacyParking(self, operation_id, _counted(self.view, query, operation_name))
        live = LiveOperation(query, variables, operation_name, sender, parking)
        try:
            async with _registered(self.context, live):
                await super().handle_async_results(operation_id, query, operation_name, variables)
        finally:
            self.owed.discard(operation_id)  # void if the task failed before sending it
            if parking.stop is None:
                parking.release()
            elif self.parked.get(operation_id) is parking:
                hold_legacy_slot(self, operation_id)  # open without a task

    async def cleanup_operation(self, operation_id: str) -> None:
        parking = self.parked.pop(operation_id, None)
        # A handed-over operation's entry is None (no task to cancel); a task still ending is
        # cancelled and sends the `complete` it owes.
        await super().cleanup_operation(operation_id)
        if parking is not None:
            parking.stopped()
            with contextlib.suppress(Exception):  # the socket is gone
                await parking.finish(None)
