"""Each private internal of a pinned library the project relies on (schema/compat.py) is still
there and still what we use it as: an upgrade that moves one fails here, by name."""

from __future__ import annotations

import asyncio
import gc
import importlib
import inspect
import typing
import weakref
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import pytest
from graphql import GraphQLSchema, build_schema, graphql_sync
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from websockets.server import ServerProtocol

from comptoir.graphql_view import ComptoirGraphQL
from comptoir.ws_handlers import LegacyWSHandler, SocketAdapter, TransportWSHandler
from schema.compat import (
    OVERRIDDEN,
    UVICORN_HANDSHAKE,
    ASGISendEvent,
    ASGIWebSocketAdapter,
    BaseGraphQLTransportWSHandler,
    BaseGraphQLWSHandler,
    Operation,
    WebSocketsSansIOProtocol,
    close_websocket_parser,
    forget_operation,
    free_legacy_slot,
    graphql_schema,
    hold_legacy_slot,
    release_init_timeout,
    silence_suggestions,
    starlette_socket,
)
from tests.security_helpers import toy_schema
from tests.test_architecture import ROOT, imported, python_files

# The libraries pinned in pyproject whose private modules (`_name`) the code could reach into.
PINNED = ("strawberry", "graphql", "uvicorn", "broadcaster", "websockets", "starlette")
COMPAT = ROOT / "schema" / "compat.py"


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


# Our subclasses of Strawberry's classes (comptoir/ws_handlers.py), each with its base.
SUBCLASSES = [
    (TransportWSHandler, BaseGraphQLTransportWSHandler),
    (LegacyWSHandler, BaseGraphQLWSHandler),
    (SocketAdapter, ASGIWebSocketAdapter),
]
# What they call on Strawberry without overriding it, with the parameters they pass.
CALLED = [
    (BaseGraphQLTransportWSHandler.handle_invalid_message, ["self", "error_message"]),
    (Operation.send_operation_message, ["self", "message"]),
    (ASGIWebSocketAdapter.close, ["self", "code", "reason"]),
]


def _shape(function: Callable[..., object]) -> list[tuple[str, object, object]]:
    """A signature without its annotations (ours say Any where Strawberry names TypedDicts)."""
    parameters = inspect.signature(function).parameters.values()
    return [(p.name, p.kind, p.default) for p in parameters]


@pytest.mark.parametrize(
    ("ours", "base", "name"),
    [
        (ours, base, name)
        for ours, base in SUBCLASSES
        for name in vars(ours)
        if callable(getattr(base, name, None)) and name != "__init__"
    ],
)
def test_every_method_we_override_has_the_upstream_signature(
    ours: type, base: type, name: str
) -> None:
    assert name in OVERRIDDEN[base], f"{ours.__name__}.{name}: list it in compat.OVERRIDDEN"
    upstream = inspect.getattr_static(base, name)
    override = inspect.getattr_static(ours, name)
    assert type(override) is type(upstream), f"{base.__name__}.{name} changed kind"
    assert inspect.iscoroutinefunction(getattr(ours, name)) == inspect.iscoroutinefunction(
        getattr(base, name)
    )
    assert _shape(getattr(ours, name)) == _shape(getattr(base, name))


@pytest.mark.parametrize(("method", "parameters"), CALLED)
def test_every_upstream_method_we_call_takes_what_we_pass(
    method: Callable[..., object], parameters: list[str]
) -> None:
    assert inspect.iscoroutinefunction(method)
    assert [name for name, _, _ in _shape(method)] == parameters


def _built(handler_class: type[Any], **options: object) -> tuple[Any, dict[str, object]]:
    """A handler of ours built as Strawberry's view builds it, and what it was given."""

    async def receive() -> dict[str, object]:
        return {"type": "websocket.connect"}

    async def send(message: object) -> None:
        return None

    view = GraphQL(toy_schema())
    socket = WebSocket({"type": "websocket", "path": "/", "headers": []}, receive, send)
    given: dict[str, object] = {
        "view": view,
        "websocket": SocketAdapter(view, socket, socket),
        "context": object(),
        "root_value": None,
        "schema": view.schema,
        "max_subscriptions_per_connection": None,
    }
    return handler_class(**given, **options), given


def test_the_transport_handler_state_we_read_and_write_is_still_there() -> None:
    handler, given = _built(TransportWSHandler, connection_init_wait_timeout=timedelta(seconds=1))
    for name in ("view", "websocket", "context"):
        assert getattr(handler, name) is given[name], name
    assert isinstance(handler.view.connection_init_wait_timeout, timedelta)
    assert handler.operations == {}
    assert handler.connection_init_received is False
    handler.connection_init_timeout_task = "the cancelled task"
    release_init_timeout(handler)  # before connection_init: kept
    assert handler.connection_init_timeout_task == "the cancelled task"
    handler.connection_init_received = True
    release_init_timeout(handler)
    assert handler.connection_init_timeout_task is None
    operation = Operation(handler, "1", "subscription { x }", None, None)
    handler.operations["1"] = operation
    forget_operation(handler, "1")
    forget_operation(handler, "1")  # already gone: nothing to do
    assert handler.operations == {}


def test_an_operation_still_has_the_attributes_we_read_and_set() -> None:
    # comptoir/ws_handlers.py reads the first four; it marks a handed-over operation completed
    # (no `complete` when its task returns) and drops its finished task (issue 17).
    handler, _ = _built(TransportWSHandler, connection_init_wait_timeout=timedelta(seconds=1))
    operation = Operation(handler, "1", "subscription { x }", {"a": 1}, "Name")
    assert (operation.id, operation.query, operation.operation_name) == (
        "1",
        "subscription { x }",
        "Name",
    )
    assert operation.variables == {"a": 1}
    assert operation.completed is False
    assert operation.task is None
    assert {"completed", "task"} <= set(Operation.__slots__)


def test_the_legacy_handler_state_we_read_and_write_is_still_there() -> None:
    handler, given = _built(LegacyWSHandler, keep_alive=False, keep_alive_interval=None)
    for name in ("view", "websocket", "context"):
        assert getattr(handler, name) is given[name], name
    assert handler.connection_acknowledged is False
    assert handler.tasks == {}
    hold_legacy_slot(handler, "1")
    assert handler.tasks == {"1": None}
    free_legacy_slot(handler, "1")
    free_legacy_slot(handler, "1")  # already free: nothing to do
    assert handler.tasks == {}


def test_uvicorn_types_the_websocket_send_we_override_with_its_private_send_event() -> None:
    assert inspect.iscoroutinefunction(WebSocketsSansIOProtocol.send)
    assert typing.get_type_hints(WebSocketsSansIOProtocol.send)["message"] is ASGISendEvent


@pytest.mark.parametrize("name", UVICORN_HANDSHAKE)
def test_uvicorn_websocket_protocol_still_sets_the_handshake_attribute_we_read_or_drop(
    name: str,
) -> None:
    # comptoir/ws_protocol.py drops the request and response once `handshake_complete` is set.
    assert f"self.{name} = " in inspect.getsource(WebSocketsSansIOProtocol)


def test_only_the_compatibility_module_imports_a_private_module_of_a_pinned_library() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in python_files()
        if path != COMPAT
        for line, name in imported(".".join(path.relative_to(ROOT).with_suffix("").parts), path)
        if name.split(".")[0] in PINNED
        and any(part.startswith("_") and not part.startswith("__") for part in name.split("."))
    ]
    assert found == [], "\n".join(found)


class _LegacyProbe(BaseGraphQLWSHandler[None, None]):
    """Strawberry's legacy handler around nothing: what it sends, recorded."""

    def __init__(self, schema: object = None, limit: int | None = None) -> None:
        super().__init__(None, None, None, None, schema, False, None, limit)  # type: ignore[arg-type]
        self.connection_acknowledged = True
        self.sent: list[object] = []

    async def send_message(self, message: object) -> None:
        self.sent.append(message)


class _Stream:
    """What `schema.subscribe` returns for the probe: nothing, or nothing until cancelled."""

    def __init__(self, forever: bool) -> None:
        self.forever = forever

    async def subscribe(self, **_: object) -> AsyncIterator[object]:
        async def results() -> AsyncIterator[object]:
            if self.forever:
                await asyncio.get_running_loop().create_future()
            return
            yield

        return results()


@pytest.mark.parametrize("forever", [False, True])
async def test_the_legacy_handler_sends_the_end_of_an_operation_through_send_message(
    forever: bool,
) -> None:
    # comptoir/ws_handlers.py drops the `complete` a handed-over subscription's task sends when
    # its stream returns (or, still ending, is cancelled), by overriding send_message.
    probe = _LegacyProbe(_Stream(forever))
    task = asyncio.create_task(probe.handle_async_results("1", "subscription { x }", None, None))
    probe.tasks["1"] = task
    await asyncio.sleep(0)
    if forever:
        await probe.cleanup_operation("1")
    await task
    assert probe.sent == [{"type": "complete", "id": "1"}]
    assert probe.tasks == {}


async def test_the_legacy_handler_finds_an_open_operation_without_task_in_tasks() -> None:
    # comptoir/ws_handlers.py keeps a handed-over subscription in `tasks` as None.
    stopped: list[str] = []

    class Probe(_LegacyProbe):
        async def cleanup_operation(self, operation_id: str) -> None:
            stopped.append(operation_id)
            await super().cleanup_operation(operation_id)

        async def handle_async_results(self, *args: object) -> None:
            pass

    probe = Probe(limit=1)
    probe.tasks["a"] = None  # type: ignore[assignment]
    start = {"type": "start", "payload": {"query": "subscription { x }"}}
    await probe.handle_start({**start, "id": "b"})  # type: ignore[typeddict-item]
    assert probe.sent == [
        {"type": "error", "id": "b", "payload": {"message": "Subscription limit reached"}}
    ]
    await probe.handle_start({**start, "id": "a"})  # type: ignore[typeddict-item]
    assert stopped == ["a"]  # the reused id's, then a task of its own
    assert isinstance(probe.tasks["a"], asyncio.Task)
    await probe.tasks["a"]
    probe.tasks["a"] = None  # type: ignore[assignment]
    await probe.cleanup()  # the socket's close
    assert stopped == ["a", "a"]
    assert probe.tasks == {}


def test_websockets_protocol_and_its_parser_are_a_cycle_the_closed_parser_breaks() -> None:
    # comptoir/ws_protocol.py closes a lost connection's parser (issue 18's cycles).
    gc.collect()
    gc.disable()
    try:
        kept = ServerProtocol()
        left = weakref.ref(kept)
        del kept
        assert left() is not None  # only a collection would free it
        closed = ServerProtocol()
        freed = weakref.ref(closed)
        close_websocket_parser(closed)
        del closed
        assert freed() is None
    finally:
        gc.enable()
        gc.collect()


def test_a_parser_that_is_not_a_generator_is_reported_by_name() -> None:
    class Moved:
        parser = None

    with pytest.raises(TypeError, match="parser"):
        close_websocket_parser(Moved())
