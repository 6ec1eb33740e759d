"""The baseline for bench/live.py: a bare Strawberry subscription fed by broadcaster in memory.

Strawberry executes the document once per subscriber per event, as it does out of the box.
`POST /publish?n=N` publishes N events at once. Served by uvicorn as `bench.live_baseline:app`.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import strawberry
from broadcaster import Broadcast
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from strawberry.asgi import GraphQL

broadcast = Broadcast("memory://")
_published = 0


@strawberry.type
class Event:
    id: strawberry.ID
    at: datetime


@strawberry.type
class Query:
    ok: bool = True


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def events(self) -> AsyncGenerator[Event, None]:
        async with broadcast.subscribe("events") as subscriber:
            # broadcaster types Subscriber.__aiter__ as returning an Optional generator.
            async for message in subscriber:  # type: ignore[union-attr]
                event = json.loads(message.message)  # type: ignore[union-attr]
                yield Event(id=strawberry.ID(event["id"]), at=datetime.fromisoformat(event["at"]))


async def publish(request: Request) -> JSONResponse:
    global _published
    count = int(request.query_params.get("n", "1"))
    for _ in range(count):
        _published += 1
        await broadcast.publish(
            "events", json.dumps({"id": str(_published), "at": datetime.now(UTC).isoformat()})
        )
    return JSONResponse({"published": count})


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    await broadcast.connect()
    try:
        yield
    finally:
        await broadcast.disconnect()


graphql = GraphQL(strawberry.Schema(query=Query, subscription=Subscription))
app = Starlette(
    routes=[
        Route("/publish", publish, methods=["POST"]),
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
    ],
    lifespan=lifespan,
)
