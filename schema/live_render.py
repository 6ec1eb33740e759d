"""Subscription payloads executed once per (event, document, variables, viewer) and shared.

Over WebSocket the view registers each operation as a `LiveOperation` in the context; the
stream then renders each event through the app's `LiveRenderer` and writes the encoded payload
straight to the socket, so every subscriber of the same class shares one execution.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Awaitable, Callable, Hashable
from functools import lru_cache
from typing import Any, Protocol

from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLFormattedError,
    GraphQLSchema,
    execute,
    parse,
)

from realtime.hub import Hub
from resolvers.actor import Actor
from resolvers.policy import Policy
from schema.context import Context
from schema.security import coded_errors

DOCUMENTS = 256


class Handover(Protocol):
    """How a subscription's delivery leaves the task of the operation that started it.

    An idle subscription kept in a task of its own costs the task and every suspended frame
    under it (Strawberry's, graphql-core's, ours: ~12 KB, bench/idle_memory.py); handed over,
    it costs its stream and a callback until an event wakes it.
    """

    def park(self, stop: Callable[[], None]) -> None:
        """The delivery goes on without the operation's task; `stop()` ends it."""

    async def ended(self, errors: list[GraphQLFormattedError] | None) -> None:
        """The delivery ended on its own (the hub stopped, a failure): `error` or `complete`."""


@dataclasses.dataclass(frozen=True)
class LiveOperation:
    """One subscribe message over WebSocket, as the client sent it."""

    query: str
    variables: dict[str, Any] | None
    operation_name: str | None
    # Writes one pre-encoded `payload` (JSON text) as this operation's next/data message.
    send: Callable[[str], Awaitable[None]]
    handover: Handover | None = None

    def key(self, viewer: Actor) -> Hashable:
        """What subscribers that may share one rendering have in common."""
        variables = json.dumps(self.variables, sort_keys=True, default=str)
        return (self.query, self.operation_name, variables, viewer)


class LiveRenderer:
    """The app's live side of the schema: its hub (streams, shared renders) and the executable
    schema the payloads are rendered with; built once by the app."""

    def __init__(self, schema: GraphQLSchema, hub: Hub) -> None:
        self.schema = schema
        self.hub = hub
        self._document: Callable[[str], DocumentNode] = lru_cache(maxsize=DOCUMENTS)(parse)

    async def payload(
        self,
        event_id: int,
        key: Hashable,
        operation: LiveOperation,
        viewer: Actor,
        policy: Policy,
        root: Callable[[], object],
    ) -> str:
        """The encoded payload of event `event_id` for the class `key` (rendered once)."""

        def render() -> str | Awaitable[str]:
            # Fresh loaders (never stale rows), the app's rules, the viewer class's actor.
            context = Context(actor=viewer, policy=policy, live=self)
            return self._render(operation, context, root())

        return await self.hub.cached((event_id, key), render)

    def _render(
        self, operation: LiveOperation, context: Context, root: object
    ) -> str | Awaitable[str]:
        """Synchronous when no field needs the database (graphql-core then executes at once)."""
        result = execute(
            self.schema,
            self._document(operation.query),
            root_value=root,
            context_value=context,
            variable_values=operation.variables,
            operation_name=operation.operation_name,
        )
        if isinstance(result, ExecutionResult):
            return _encode(result)

        async def finish(pending: Awaitable[ExecutionResult]) -> str:
            return _encode(await pending)

        return finish(result)


def _encode(result: ExecutionResult) -> str:
    payload: dict[str, Any] = {"data": result.data}
    if result.errors:
        payload["errors"] = [e.formatted for e in coded_errors(list(result.errors))]
    return json.dumps(payload, separators=(",", ":"))
