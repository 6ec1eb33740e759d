"""Every private internal of Strawberry, graphql-core and uvicorn the project relies on, in one
place.

A version bump that moves one of these fails here and in tests/test_compat.py, not deep inside
a request. Strawberry and graphql-core are pinned (pyproject); these are their internals, not
their public API, so each is reached through a function or a name defined below.

The room is schema/: it is the lowest room allowed to import GraphQL libraries, so both the
schema modules and the wiring (comptoir/, which subclasses Strawberry's WebSocket handlers and
uvicorn's WebSocket protocol) can import it. broadcaster needs nothing private any more:
`realtime.broadcast.Channel` keeps the backend it builds instead of reading
`Broadcast._backend`, and the tests type its subscribers by what they call on them.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
from typing import Any

import strawberry
from graphql import GraphQLSchema
from starlette.websockets import WebSocket
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from uvicorn._types import ASGISendEvent
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

__all__ = [
    "OVERRIDDEN",
    "UVICORN_HANDSHAKE",
    "ASGISendEvent",
    "ASGIWebSocketAdapter",
    "BaseGraphQLTransportWSHandler",
    "BaseGraphQLWSHandler",
    "Operation",
    "WebSocketsSansIOProtocol",
    "close_websocket_parser",
    "forget_operation",
    "free_legacy_slot",
    "graphql_schema",
    "hold_legacy_slot",
    "release_init_timeout",
    "silence_suggestions",
    "starlette_socket",
]

# The methods and attributes comptoir/ws_handlers.py and ComptoirSchema override, call or assign:
# Strawberry documents none of them (they are how its protocols are built, not an extension API).
OVERRIDDEN: dict[type, tuple[str, ...]] = {
    BaseGraphQLTransportWSHandler: (
        "handle_message",
        "handle_invalid_message",
        "handle_connection_init",
        "_get_pre_execution_close_reason",
        "run_operation",
        "cleanup_operation",
    ),
    # A handed-over subscription's operation: marked completed, its finished task dropped.
    Operation: ("send_operation_message",),
    # A handed-over subscription's task ends, its entry in `tasks` stays as None: Strawberry's
    # handle_start counts it and stops it on a reused id, cleanup() at the socket's close stops
    # it, cleanup_operation finds no task; the task's closing `complete` goes through
    # send_message, which drops it.
    BaseGraphQLWSHandler: (
        "handle_message",
        "send_message",
        "handle",
        "handle_async_results",
        "cleanup_operation",
    ),
    ASGIWebSocketAdapter: ("close",),
    # comptoir/ws_protocol.py: the handshake dropped once sent, the parser closed once lost.
    WebSocketsSansIOProtocol: ("send", "connection_lost"),
    # schema/security.py: the step before parsing, where an over-long document is refused.
    strawberry.Schema: ("_prepare_operation_async",),
}


def graphql_schema(schema: strawberry.Schema) -> GraphQLSchema:
    """The graphql-core schema Strawberry built (it has no public accessor; its own printer
    reads the same attribute)."""
    built = schema._schema
    if not isinstance(built, GraphQLSchema):
        raise TypeError(f"strawberry.Schema._schema is a {type(built).__name__}")
    return built


def starlette_socket(adapter: Any) -> WebSocket:
    """The Starlette socket under Strawberry's ASGI WebSocket adapter (its `ws`)."""
    socket = adapter.ws
    if not isinstance(socket, WebSocket):
        raise TypeError(f"ASGIWebSocketAdapter.ws is a {type(socket).__name__}")
    return socket


def silence_suggestions() -> None:
    """Turn off graphql-core's "Did you mean ...?" everywhere it computes one.

    graphql-core reads this module global at call time; 0 suggests nothing. (Not through
    `import graphql.pyutils.did_you_mean as m`: that binds the package's function of the same
    name.)
    """
    module: Any = importlib.import_module("graphql.pyutils.did_you_mean")
    if not isinstance(module.MAX_LENGTH, int):
        raise TypeError("graphql.pyutils.did_you_mean.MAX_LENGTH is no longer an int")
    module.MAX_LENGTH = 0


def close_websocket_parser(connection: Any) -> None:
    """Close the generator websockets' sans-I/O protocol parses incoming bytes with (its
    `parser`, undocumented): it refers to the protocol, which refers to it."""
    parser = connection.parser
    if not inspect.isgenerator(parser):
        raise TypeError(f"websockets Protocol.parser is a {type(parser).__name__}")
    parser.close()


# The state of Strawberry's handlers comptoir/ws_handlers.py writes to: Strawberry's own
# bookkeeping, set up in the handlers' __init__ and documented nowhere.


def release_init_timeout(handler: BaseGraphQLTransportWSHandler[Any, Any]) -> None:
    """Once connection_init arrived, drop the cancelled timeout task Strawberry keeps (with its
    CancelledError, traceback and frames) for the socket's lifetime."""
    if handler.connection_init_received:
        handler.connection_init_timeout_task = None


def forget_operation(handler: BaseGraphQLTransportWSHandler[Any, Any], operation_id: str) -> None:
    """The operation is no longer open in Strawberry's `operations` (it has no task to cancel)."""
    handler.operations.pop(operation_id, None)


def hold_legacy_slot(handler: BaseGraphQLWSHandler[Any, Any], operation_id: str) -> None:
    """An open operation without task: Strawberry's `tasks` holds it as None, so it counts against
    the subscription limit and is stopped on a reused id or the socket's close."""
    tasks: dict[str, asyncio.Task[Any] | None] = handler.tasks  # type: ignore[assignment]
    tasks[operation_id] = None


def free_legacy_slot(handler: BaseGraphQLWSHandler[Any, Any], operation_id: str) -> None:
    """The id is free again and no longer counted against the subscription limit."""
    handler.tasks.pop(operation_id, None)


# comptoir/ws_protocol.py subclasses uvicorn's sans-I/O WebSocket protocol, overrides `send`
# (typed with uvicorn's private ASGISendEvent) and drops the handshake it keeps: these are the
# attributes it reads and clears, set by the protocol itself, documented nowhere.
UVICORN_HANDSHAKE = ("handshake_complete", "request", "response")
