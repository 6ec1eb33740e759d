"""The Strawberry ASGI view: builds the Actor per request (header) or per connection (init).

WebSocket connections are also registered by session, so that a revoked session's sockets are
closed (4403) on whichever process holds them: the revocation is an event in the log.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLRequestData
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET, UnsetType

from comptoir import frames
from comptoir.client_address import client_address
from comptoir.graphiql import GraphiQLFiles
from comptoir.http_cache import CachePolicy
from comptoir.logs import CURRENT
from comptoir.memory import MemoryReturn
from comptoir.metrics import Metrics
from comptoir.metrics import Operation as MetricsOperation
from comptoir.persisted import PersistedQueries
from comptoir.ws_handlers import LegacyWSHandler, SocketAdapter, TransportWSHandler
from resolvers.errors import Unauthenticated
from resolvers.policy import Policy
from resolvers.sessions import INVALID_TOKEN, actor_for_token
from schema.context import Context
from schema.input_limits import encodable
from schema.live_render import LiveRenderer

log = logging.getLogger("comptoir.graphql")

# connection_ack without a payload (Strawberry types its UNSET as Any).
NO_ACK_PAYLOAD: UnsetType = UNSET


def bearer_token(value: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` value ("" when malformed)."""
    if value is None:
        return None
    scheme, _, token = value.strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


class ComptoirGraphQL(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = TransportWSHandler
    graphql_ws_handler_class = LegacyWSHandler
    websocket_adapter_class = SocketAdapter

    def __init__(
        self,
        *args: Any,
        policy: Policy,
        live: LiveRenderer,
        graphiql: GraphiQLFiles | None = None,
        persisted: PersistedQueries | None = None,
        cache_policy: CachePolicy | None = None,
        metrics: Metrics | None = None,
        trusted_proxies: tuple[str, ...] = (),
        **kwargs: Any,
    ) -> None:
        kwargs["graphql_ide"] = "graphiql" if graphiql else None
        super().__init__(*args, **kwargs)
        self.policy = policy
        self.live = live
        self.graphiql = graphiql
        self.persisted = persisted
        self.cache_policy = cache_policy
        self.metrics = metrics
        self.trusted_proxies = trusted_proxies
        self.memory = MemoryReturn()
        # The open sockets of each authenticated connection -> how to stop watching its session.
        self._watches: dict[WebSocket, Any] = {}
        self._closing: set[asyncio.Task[None]] = set()

    # One method serves both overloads of the base (HTTP request, WebSocket).
    async def run(  # type: ignore[override]
        self,
        request: Request | WebSocket,
        context: Any = UNSET,
        root_value: Any = UNSET,
    ) -> Response | WebSocket:
        if not isinstance(request, WebSocket):
            try:
                return await self._run_http(request, context, root_value)
            except HTTPException as error:
                return frames.request_error(error.status_code, error.reason)
        self.memory.opened()
        if self.metrics is not None:
            self.metrics.websockets.inc()
        try:
            return await super().run(request, context, root_value)
        finally:
            self.memory.closed()
            if self.metrics is not None:
                self.metrics.websockets.dec()
            unwatch = self._watches.pop(request, None)
            if unwatch is not None:
                unwatch()

    async def _run_http(self, request: Request, context: Any, root_value: Any) -> Response:
        started = time.perf_counter()
        try:
            response = await super().run(request, context, root_value)
        except HTTPException:  # refused before running (no document, mutation by GET...)
            request.state.graphql_operation = MetricsOperation(None, "query", "bad_request")
            raise
        finally:
            self._observe(request, time.perf_counter() - started)
        succeeded = getattr(request.state, "graphql_succeeded", None)
        if self.cache_policy is None or succeeded is None:
            return response  # GraphiQL's page, or no operation ran
        return self.cache_policy.apply(request, response, succeeded=succeeded)

    def _observe(self, request: Request, seconds: float) -> None:
        operation: MetricsOperation | None = getattr(request.state, "graphql_operation", None)
        if operation is None:
            return
        if self.metrics is not None:
            self.metrics.observe(operation, seconds)
        log.info(
            "%s %s %s in %.1f ms",
            operation.kind,
            operation.name or "anonymous",
            operation.outcome,
            seconds * 1000,
        )

    async def execute_single(
        self,
        request: Request,
        request_adapter: Any,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        resolved = await self.persisted.resolve(request_data) if self.persisted else request_data
        if isinstance(resolved, ExecutionResult):
            result = resolved
        else:
            result = await super().execute_single(
                request, request_adapter, sub_response, context, root_value, resolved
            )
        # What HTTP caching needs to know, for every operation of a batch.
        request.state.graphql_succeeded = (
            getattr(request.state, "graphql_succeeded", True) and not result.errors
        )
        document = resolved.query if isinstance(resolved, GraphQLRequestData) else None
        operation = MetricsOperation.of(document, request_data.operation_name, result.errors)
        request.state.graphql_operation = operation
        current = CURRENT.get()
        if current is not None:
            current.operation = operation.name
            current.actor_id = context.actor.account_id
        return result

    async def render_graphql_ide(self, request: Request) -> Response:
        assert self.graphiql is not None  # Strawberry asks only when an IDE is configured
        return self.graphiql.page()

    def should_render_graphql_ide(self, request: Any) -> bool:
        # A persisted query sent by GET has no `query`, only `extensions`: it is an operation.
        return (
            super().should_render_graphql_ide(request)
            and request.query_params.get("extensions") is None
        )

    def decode_json(self, data: str | bytes) -> object:
        return frames.decode(data)

    def parse_json(self, data: str | bytes) -> Any:
        value = self.decode_json(data)
        if value is frames.UNREADABLE:
            raise HTTPException(400, "Unable to parse request body as JSON")
        if not isinstance(value, (dict, list)):  # a list is a batch, refused with its reason
            raise HTTPException(400, "The request must be a JSON object")
        return value

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        data = await super().parse_http_body(request)
        if not isinstance(data, list) and not isinstance(data.operation_name, (str, type(None))):
            raise HTTPException(400, "The operationName must be a string")
        return data

    def _watch_session(self, websocket: WebSocket, session_id: int) -> None:
        def revoked() -> None:
            task = asyncio.create_task(self._close_revoked(websocket))
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)

        self._watches[websocket] = self.live.hub.watch_session(session_id, revoked)

    @staticmethod
    async def _close_revoked(websocket: WebSocket) -> None:
        # Closing the socket is enough: Strawberry's handler then shuts its operations down.
        with contextlib.suppress(Exception):
            await websocket.close(code=4403, reason="Session revoked")

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        context = Context(
            request=request,
            response=response,
            policy=self.policy,
            live=self.live,
            client=client_address(
                request.client.host if request.client else None,
                request.headers.get("x-forwarded-for"),
                self.trusted_proxies,
            ),
        )
        if isinstance(request, WebSocket):
            return context  # authenticated in on_ws_connect, from connection_init
        token = bearer_token(request.headers.get("authorization"))
        if token is not None:
            try:
                context.actor = await actor_for_token(token)
            except Unauthenticated as error:
                context.auth_error = str(error)
        return context

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        token = params.get("token")
        if token is None:
            token = bearer_token(params.get("Authorization") or params.get("authorization"))
        if token is None:
            return NO_ACK_PAYLOAD  # anonymous: accepted; every subscription is UNAUTHENTICATED
        if not isinstance(token, str) or not encodable(token):
            raise ConnectionRejectionError({"message": INVALID_TOKEN})
        hub = self.live.hub
        mark = hub.routed_id
        try:
            context.actor = await actor_for_token(token)
        except Unauthenticated as error:
            raise ConnectionRejectionError({"message": str(error)}) from error
        current = CURRENT.get()
        if current is not None:  # the socket's lines say whose it is
            current.actor_id = context.actor.account_id
        session_id = context.actor.session_id
        if isinstance(context.request, WebSocket) and session_id is not None:
            self._watch_session(context.request, session_id)
            # A revocation committed after the token check but routed before the watch began.
            if hub.routed_id > mark and await hub.session_revoked_after(session_id, mark):
                raise ConnectionRejectionError({"message": INVALID_TOKEN})
        return NO_ACK_PAYLOAD
