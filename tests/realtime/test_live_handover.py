"""A subscription leaves its operation's task once started, over graphql-transport-ws and the
legacy graphql-ws (idle memory, issue 17): short tasks woken by its events deliver it, and
`complete`/`stop`, the socket's close or the hub stopping end it."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import httpx
import pytest
from starlette.applications import Starlette

from comptoir.app import create_app
from comptoir.cli import websocket_options
from comptoir.settings import Settings
from tests.clients import GraphQLClient
from tests.configuration import SETTINGS
from tests.live_helpers import (
    ORDER_EVENTS,
    TransportWS,
    order_status,
    seller_of,
    transport_ws,
    uvicorn_server,
)
from tests.schema.test_metrics import _samples, _value

TRANSPORT, LEGACY = "graphql-transport-ws", "graphql-ws"


async def _orders(buyer: GraphQLClient, seller: GraphQLClient) -> Callable[[], Awaitable[int]]:
    """Commits one event of an order between them; returns its id."""
    return functools.partial(
        order_status, buyer_id=buyer.account_id, seller_id=await seller_of(seller.account_id)
    )


class Speaker:
    """`orderEvents` over either protocol: graphql-transport-ws (`subscribe`/`next`/`complete`,
    `ping`), or the legacy graphql-ws of older Apollo clients (`start`/`data`/`stop`, no ping)."""

    def __init__(self, client: TransportWS, protocol: str) -> None:
        self.client = client
        self.legacy = protocol == LEGACY

    async def start(self, op_id: str, after: str) -> None:
        kind = "start" if self.legacy else "subscribe"
        payload = {"query": ORDER_EVENTS, "variables": {"after": after}}
        await self.client.send({"id": op_id, "type": kind, "payload": payload})

    async def stop(self, op_id: str) -> None:
        """graphql-transport-ws answers the client's `complete` with nothing; the legacy
        protocol answers `stop` with one `complete`, as Strawberry does for a running one."""
        await self.client.send({"id": op_id, "type": "stop" if self.legacy else "complete"})
        if self.legacy:
            assert await self.client.receive() == {"type": "complete", "id": op_id}

    async def round_trip(self) -> None:
        """Every message sent before is handled once the answer is back: `pong`, or the
        `error` the legacy handler answers a malformed start with itself, without a task."""
        if self.legacy:
            await self.client.send({"id": "round-trip", "type": "start", "payload": {}})
            assert (await self.client.receive())["type"] == "error"
        else:
            await self.client.send({"type": "ping"})
            assert await self.client.receive() == {"type": "pong"}

    async def events(self, count: int) -> list[tuple[str, str]]:
        """(operation id, event id) of the next `count` messages, all events without errors."""
        frames = [await self.client.receive() for _ in range(count)]
        kind = "data" if self.legacy else "next"
        assert all(f["type"] == kind and "errors" not in f["payload"] for f in frames), frames
        return sorted((f["id"], f["payload"]["data"]["orderEvents"]["id"]) for f in frames)


@asynccontextmanager
async def speaking(address: str, token: str | None, protocol: str) -> AsyncIterator[Speaker]:
    async with transport_ws(address, token, protocol=protocol) as client:
        yield Speaker(client, protocol)


@pytest.mark.parametrize("protocol", [TRANSPORT, LEGACY])
async def test_idle_subscriptions_have_no_task_and_are_still_delivered(
    live_server: str, buyer: GraphQLClient, seller: GraphQLClient, protocol: str
) -> None:
    commit = await _orders(buyer, seller)
    event = await commit()
    async with speaking(live_server, buyer.token, protocol) as client:
        await client.round_trip()
        connected = asyncio.all_tasks()  # the server's (and this test's) with the socket open
        await client.start("1", after="0")
        await client.start("2", after="0")
        for _ in range(2):  # replayed from the log, then pushed live
            assert await client.events(2) == [("1", str(event)), ("2", str(event))]
            await client.round_trip()
            assert asyncio.all_tasks() - connected == set()
            event = await commit()


@pytest.mark.parametrize("protocol", [TRANSPORT, LEGACY])
async def test_stopping_a_handed_over_subscription_frees_its_id(
    live_server: str, buyer: GraphQLClient, seller: GraphQLClient, protocol: str
) -> None:
    commit = await _orders(buyer, seller)
    first = await commit()
    async with speaking(live_server, buyer.token, protocol) as client:
        await client.start("1", after="0")
        assert await client.events(1) == [("1", str(first))]
        await client.stop("1")
        await client.round_trip()
        second = await commit()
        # Reusing a running operation's id closes the socket with 4409 (graphql-transport-ws).
        await client.start("1", after=str(second))
        third = await commit()
        assert await client.events(1) == [("1", str(third))]
        assert await client.client.silent()


async def test_a_reused_legacy_id_replaces_the_handed_over_subscription(
    live_server: str, buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    commit = await _orders(buyer, seller)
    first = await commit()
    async with speaking(live_server, buyer.token, LEGACY) as client:
        await client.start("1", after="0")
        assert await client.events(1) == [("1", str(first))]
        await client.start("1", after=str(first))
        assert await client.client.receive() == {"type": "complete", "id": "1"}
        second = await commit()
        assert await client.events(1) == [("1", str(second))]  # once: the old one ended
        assert await client.client.silent()


async def test_handed_over_legacy_subscriptions_count_against_the_limit(
    live_server: str, buyer: GraphQLClient, seller: GraphQLClient, settings: Settings
) -> None:
    first = await (await _orders(buyer, seller))()
    limit = settings.ws_max_subscriptions
    async with speaking(live_server, buyer.token, LEGACY) as client:
        for number in range(limit):
            await client.start(str(number), after="0")
        assert {event for _, event in await client.events(limit)} == {str(first)}
        await client.start("over", after="0")
        refused = await client.client.receive()
        assert (refused["type"], refused["id"]) == ("error", "over")
        assert refused["payload"]["message"] == "Subscription limit reached"
        await client.stop("0")
        await client.start("over", after="0")
        assert await client.events(1) == [("over", str(first))]


@pytest.mark.parametrize("protocol", [TRANSPORT, LEGACY])
async def test_stopping_or_closing_ends_handed_over_subscriptions(
    app: Starlette,
    http: httpx.AsyncClient,
    live_server: str,
    buyer: GraphQLClient,
    seller: GraphQLClient,
    protocol: str,
) -> None:
    first = await (await _orders(buyer, seller))()
    hub = app.state.live.hub
    streams = hub.subscriptions
    idle = _value(await _samples(http), "comptoir_subscriptions")
    async with speaking(live_server, buyer.token, protocol) as client:
        await client.start("1", after="0")
        await client.start("2", after="0")
        assert await client.events(2) == [("1", str(first)), ("2", str(first))]
        assert _value(await _samples(http), "comptoir_subscriptions") == idle + 2
        assert hub.subscriptions == streams + 2
        await client.stop("1")
        await client.round_trip()
        assert _value(await _samples(http), "comptoir_subscriptions") == idle + 1
        assert hub.subscriptions == streams + 1
    after = await _samples(http)
    while _value(after, "comptoir_subscriptions") != idle:
        after = await _samples(http)  # the server sees the close a moment later
    assert hub.subscriptions == streams


@pytest.mark.parametrize("protocol", [TRANSPORT, LEGACY])
async def test_the_hub_stopping_completes_a_handed_over_subscription(
    buyer: GraphQLClient, seller: GraphQLClient, protocol: str
) -> None:
    first = await (await _orders(buyer, seller))()
    own = create_app(SETTINGS)
    async with (
        uvicorn_server(own, **websocket_options(SETTINGS)) as address,
        speaking(address, buyer.token, protocol) as client,
    ):
        async with own.state.live.running():
            await client.start("1", after="0")
            assert await client.events(1) == [("1", str(first))]
        assert await client.client.receive() == {"id": "1", "type": "complete"}
