"""Strawberry's two WebSocket protocols as Comptoir runs them (the view picks one per socket).

Frames are checked before Strawberry reads them, and each operation registers a
`LiveOperation` so that its subscription writes shared, pre-encoded payloads to the socket.
Over graphql-transport-ws a subscription then leaves its operation's task (`_Parking`): an
idle one costs no task and none of the frames suspended under one.
"""

from __future__ import annotations

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


class _Parking:
    """A graphql-transport-ws operation whose subscription may be handed over
    (schema.live_render.Handover): then its task ends, the operation stays open."""

    __slots__ = ("handler", "operation", "release", "stop")

    def __init__(
        self,
        handler: TransportWSHandler,
        operation: Operation[Context, None],
        release: Callable[[], None],
    ) -> None:
        self.handler = handler
        self.operation = operation
        self.release = release  # the metrics' count of the subscription
        self.stop: Callable[[], None] | None = None

    def park(self, stop: Callable[[], None]) -> None:
        self.stop = stop
        # Strawberry sends `complete` when the operation's task returns, unless completed.
        self.operation.completed = True
        self.handler.parked[self.operation.id] = self

    async def ended(self, errors: list[GraphQLFormattedError] | None) -> None:
        if self.handler.parked.pop(self.operation.id, None) is not self:
            return  # already stopped by the client's `complete` or the socket's close
        self.release()
        self.operation.completed = False
        message: Any = {"id": self.operation.id, "type": "complete"}
        if errors:
            message = {"id": self.operation.id, "type": "error", "payload": errors}
        with contextlib.suppress(Exception):  # the socket is gone
            await self.operation.send_operation_message(message)

    def stopped(self) -> None:
        assert self.stop is not None
        self.stop()
        self.release()


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
        # Strawberry keeps the cancelled timeout task, and with it its CancelledError, traceback
        # and frames, for the socket's lifetime (~2 KB per idle connection).
        if self.connection_init_received:
            self.connection_init_timeout_task = None

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
        parking = _Parking(self, operation, counted)
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
        self.operations.pop(operation_id, None)
        parking.stopped()


class LegacyWSHandler(BaseGraphQLWSHandler[Context, None]):
    async def handle_message(self, message: Any) -> None:
        answer = frames.legacy_problem(message)
        if answer is not None:
            # A plain dict frame; Strawberry types its frames as TypedDicts.
            await self.send_message(answer)  # type: ignore[arg-type]
            return
        await super().handle_message(message)

    async def handle(self) -> None:
        # Strawberry gives this protocol no connection_init deadline: without one a socket
        # could stay open forever without logging in.
        deadline = asyncio.create_task(self._close_unless_acknowledged())
        try:
            await super().handle()
        finally:
            deadline.cancel()

    async def _close_unless_acknowledged(self) -> None:
        await asyncio.sleep(self.view.connection_init_wait_timeout.total_seconds())
        if not self.connection_acknowledged:
            # The legacy protocol defines no close codes: graphql-transport-ws's 4408 is the
            # one clients already know for this.
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
        live = LiveOperation(query, variables, operation_name, sender)
        counted = _counted(self.view, query, operation_name)
        try:
            async with _registered(self.context, live):
                await super().handle_async_results(operation_id, query, operation_name, variables)
        finally:
            counted()
