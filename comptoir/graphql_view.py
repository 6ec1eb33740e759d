"""The Strawberry ASGI view: builds the Actor per request (header) or per connection (init).

WebSocket connections are also registered by session, so that a revoked session's sockets are
closed (4403) on whichever process holds them: the revocation is an event in the log.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.types.unset import UNSET, UnsetType

from comptoir.graphiql import GraphiQLFiles
from realtime import hub as live_hub
from resolvers.errors import Unauthenticated
from resolvers.policy import Policy
from resolvers.sessions import actor_for_token
from schema.context import Context
from schema.live import LIVE_OPERATION, LiveOperation


def bearer_token(value: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` value ("" when malformed)."""
    if value is None:
        return None
    scheme, _, token = value.strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _raw_sender(websocket: WebSocket, prefix: str) -> Callable[[str], Awaitable[None]]:
    """Send `prefix + payload + "}"` as is: the payload is shared, already encoded JSON."""

    async def send(payload: str) -> None:
        try:
            await websocket.send_text(prefix + payload + "}")
        except Exception:  # gone: wait for the handler's shutdown to cancel this operation
            await asyncio.get_running_loop().create_future()

    return send


class _TransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    async def run_operation(self, operation: Operation[Context, None]) -> None:
        prefix = f'{{"id":{json.dumps(operation.id)},"type":"next","payload":'
        LIVE_OPERATION.set(LiveOperation(operation.query, operation.variables,
                                         operation.operation_name,
                                         _raw_sender(self.websocket.ws, prefix)))  # type: ignore[attr-defined]
        await super().run_operation(operation)


class _LegacyWSHandler(BaseGraphQLWSHandler[Context, None]):
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

    async def handle_async_results(self, operation_id: str, query: str,
                                   operation_name: str | None,
                                   variables: dict[str, object] | None) -> None:
        prefix = f'{{"type":"data","id":{json.dumps(operation_id)},"payload":'
        LIVE_OPERATION.set(LiveOperation(query, variables, operation_name,
                                         _raw_sender(self.websocket.ws, prefix)))  # type: ignore[attr-defined]
        await super().handle_async_results(operation_id, query, operation_name, variables)


class ComptoirGraphQL(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = _TransportWSHandler
    graphql_ws_handler_class = _LegacyWSHandler

    def __init__(self, *args: Any, policy: Policy, graphiql: GraphiQLFiles | None = None,
                 **kwargs: Any) -> None:
        kwargs["graphql_ide"] = "graphiql" if graphiql else None
        super().__init__(*args, **kwargs)
        self.policy = policy
        self.graphiql = graphiql
        # The open sockets of each authenticated connection -> how to stop watching its session.
        self._watches: dict[WebSocket, Any] = {}
        self._closing: set[asyncio.Task[None]] = set()

    async def run(self, request: Request | WebSocket, context: Any = UNSET,  # type: ignore[override]
                  root_value: Any = UNSET) -> Response | WebSocket:
        if not isinstance(request, WebSocket):
            return await super().run(request, context, root_value)
        try:
            return await super().run(request, context, root_value)
        finally:
            unwatch = self._watches.pop(request, None)
            if unwatch is not None:
                unwatch()

    async def render_graphql_ide(self, request: Request) -> Response:
        assert self.graphiql is not None  # Strawberry asks only when an IDE is configured
        return self.graphiql.page()

    def should_render_graphql_ide(self, request: Any) -> bool:
        # A persisted query sent by GET has no `query`, only `extensions`: it is an operation.
        return (super().should_render_graphql_ide(request)
                and request.query_params.get("extensions") is None)

    def _watch_session(self, websocket: WebSocket, session_id: int) -> None:
        def revoked() -> None:
            task = asyncio.create_task(self._close_revoked(websocket))
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)

        self._watches[websocket] = live_hub.current().watch_session(session_id, revoked)

    @staticmethod
    async def _close_revoked(websocket: WebSocket) -> None:
        # Closing the socket is enough: Strawberry's handler then shuts its operations down.
        with contextlib.suppress(Exception):
            await websocket.close(code=4403, reason="Session revoked")

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        context = Context(request=request, response=response, policy=self.policy)
        if isinstance(request, WebSocket):
            return context  # authenticated in on_ws_connect, from connection_init
        token = bearer_token(request.headers.get("authorization"))
        if token is not None:
            try:
                context.actor = await actor_for_token(token)
            except Unauthenticated as error:
                context.auth_error = str(error)
        return context

    async def on_ws_connect(self, context: Context) -> UnsetType | None | dict[str, object]:
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        token = params.get("token")
        if token is None:
            token = bearer_token(params.get("Authorization") or params.get("authorization"))
        if token is None:
            return UNSET  # anonymous: accepted, but every subscription answers UNAUTHENTICATED
        if not isinstance(token, str):
            raise ConnectionRejectionError({"message": "Invalid token"})
        hub = live_hub.current()
        mark = hub.routed_id
        try:
            context.actor = await actor_for_token(token)
        except Unauthenticated as error:
            raise ConnectionRejectionError({"message": str(error)}) from error
        session_id = context.actor.session_id
        if isinstance(context.request, WebSocket) and session_id is not None:
            self._watch_session(context.request, session_id)
            # A revocation committed after the token check but routed before the watch began.
            if hub.routed_id > mark and await hub.session_revoked_after(session_id, mark):
                raise ConnectionRejectionError({"message": "Invalid or expired token"})
        return UNSET
