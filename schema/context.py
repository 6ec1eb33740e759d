"""The per-request context: who is calling, and the request's DataLoaders."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry.dataloader import DataLoader
from strawberry.types import Info as StrawberryInfo
from tortoise.models import Model

from resolvers.actor import ANONYMOUS, Actor
from resolvers.policy import Policy

if TYPE_CHECKING:
    from schema.live_render import LiveOperation, LiveRenderer

M = TypeVar("M", bound=Model)
K = TypeVar("K")
V = TypeVar("V")


class Loaders:
    """DataLoaders of one request: each related object is fetched once, in one query per kind."""

    def __init__(self) -> None:
        self._loaders: dict[object, DataLoader[Any, Any]] = {}

    def by_id(self, model: type[M]) -> DataLoader[int, M | None]:
        async def load(ids: Sequence[int]) -> list[M | None]:
            found = {row.pk: row for row in await model.filter(pk__in=list(ids))}
            return [found.get(i) for i in ids]

        return self.custom(model, load)

    def custom(
        self, key: object, load: Callable[[list[K]], Awaitable[Sequence[V]]]
    ) -> DataLoader[K, V]:
        """The loader registered under `key`, created from `load` the first time."""
        loader = self._loaders.get(key)
        if loader is None:
            loader = DataLoader(load_fn=load)
            self._loaders[key] = loader
        return loader


@dataclass(kw_only=True)
class Context:
    actor: Actor = ANONYMOUS
    request: Request | WebSocket | None = None
    response: Any = None
    # Set when a bearer token was sent but is unknown, revoked or expired: every operation
    # then fails with UNAUTHENTICATED, even those open to anonymous callers.
    auth_error: str | None = None
    loaders: Loaders = field(default_factory=Loaders)
    connection_params: dict[str, Any] | None = None
    # The app's rules (settings), passed to every resolver that needs one: no default, so
    # nothing but the app that builds the context decides them.
    policy: Policy
    # The caller's address (behind trusted proxies: from X-Forwarded-For), for rate limits.
    client: str = "unknown"
    # The app's live delivery (its hub and renderer); None outside a running app.
    live: LiveRenderer | None = None
    # Over WebSocket: each running operation, by the task that runs it, and how to write its
    # frames raw (the view registers it, the subscription's stream reads it).
    operations: dict[asyncio.Task[Any], LiveOperation] = field(default_factory=dict)


Info = StrawberryInfo[Context, None]
