"""Each private internal of a pinned library the project relies on (schema/compat.py) is still
there and still what we use it as: an upgrade that moves one fails here, by name."""

from __future__ import annotations

import importlib
import inspect

import pytest
from graphql import GraphQLSchema, build_schema, graphql_sync
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from comptoir.graphql_view import ComptoirGraphQL
from schema.compat import (
    OVERRIDDEN,
    BaseGraphQLTransportWSHandler,
    Operation,
    graphql_schema,
    silence_suggestions,
    starlette_socket,
)
from tests.security_helpers import toy_schema


def test_strawberry_keeps_the_graphql_core_schema_it_built() -> None:
    built = graphql_schema(toy_schema())
    assert isinstance(built, GraphQLSchema)
    assert built.query_type is not None
    assert built.query_type.name == "Query"


def test_a_schema_without_the_attribute_is_reported_by_name() -> None:
    class Moved:
        _schema = "not a schema"

    with pytest.raises(TypeError, match="_schema"):
        graphql_schema(Moved())  # type: ignore[arg-type]


def test_strawberry_websocket_adapter_holds_the_starlette_socket_as_ws() -> None:
    adapter_class = ComptoirGraphQL.websocket_adapter_class
    parameters = inspect.signature(adapter_class.__init__).parameters
    assert "request" in parameters  # Strawberry builds it around the Starlette WebSocket

    async def receive() -> dict[str, object]:
        return {"type": "websocket.connect"}

    async def send(message: object) -> None:
        return None

    socket = WebSocket({"type": "websocket", "path": "/", "headers": []}, receive, send)
    adapter = adapter_class(GraphQL(toy_schema()), socket, socket)
    assert starlette_socket(adapter) is socket


def test_graphql_core_reads_its_suggestion_length_at_call_time() -> None:
    module = importlib.import_module("graphql.pyutils.did_you_mean")
    silence_suggestions()
    assert module.MAX_LENGTH == 0
    sdl = build_schema("type Query { password: String }")
    result = graphql_sync(sdl, "{ pasword }")
    assert result.errors is not None
    assert "Did you mean" not in result.errors[0].message


@pytest.mark.parametrize(
    ("base", "name"), [(base, name) for base, names in OVERRIDDEN.items() for name in names]
)
def test_every_strawberry_handler_hook_we_override_still_exists(base: type, name: str) -> None:
    assert callable(getattr(base, name, None)), f"{base.__name__}.{name} is gone"


def test_the_init_timeout_task_we_release_is_still_an_attribute_of_the_handler() -> None:
    # comptoir/ws_handlers.py clears it after connection_init (idle memory, issue 17).
    init = inspect.getsource(BaseGraphQLTransportWSHandler.__init__)
    assert "self.connection_init_timeout_task" in init
    assert "self.connection_init_received" in init


def test_an_operation_still_has_the_slots_a_handed_over_subscription_sets() -> None:
    # comptoir/ws_handlers.py marks the operation completed (no `complete` when its task
    # returns) and drops its finished task (idle memory, issue 17).
    assert {"completed", "task"} <= set(Operation.__slots__)
