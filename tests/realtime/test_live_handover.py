"""A graphql-transport-ws subscription leaves its operation's task once started (idle memory,
issue 17): short tasks woken by its events deliver it, and `complete`, the socket's close or
the hub stopping end it."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable

from comptoir.app import create_app
from comptoir.cli import websocket_options
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


async def _orders(buyer: GraphQLClient, seller: GraphQLClient) -> Callable[[], Awaitable[int]]:
    """Commits one event of an order between them; returns its id."""
    return functools.partial(
        order_status, buyer_id=buyer.account_id, seller_id=await seller_of(seller.account_id)
    )


async def _round_trip(client: TransportWS) -> None:
    """Every message sent before is handled once the pong is back."""
    await client.send({"type": "ping"})
    assert await client.receive() == {"type": "pong"}


async def test_idle_subscriptions_have_no_task_and_are_still_delivered(
    live_server: str, buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    commit = await _orders(buyer, seller)
    event = await commit()
    async with transport_ws(live_server, buyer.token) as client:
        await _round_trip(client)
        connected = asyncio.all_tasks()  # the server's (and this test's) with the socket open
        await client.subscribe("1", ORDER_EVENTS, after="0")
        await client.subscribe("2", ORDER_EVENTS, after="0")
        for _ in range(2):  # replayed from the log, then pushed live
            frames = [await client.receive() for _ in range(2)]
            assert sorted((f["id"], f["payload"]["data"]["orderEvents"]["id"]) for f in frames) == [
                ("1", str(event)),
                ("2", str(event)),
            ]
            await _round_trip(client)
            assert asyncio.all_tasks() - connected == set()
            event = await commit()


async def test_complete_ends_a_handed_over_subscription_and_frees_its_id(
    live_server: str, buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    commit = await _orders(buyer, seller)
    first = await commit()
    async with transport_ws(live_server, buyer.token) as client:
        await client.subscribe("1", ORDER_EVENTS, after="0")
        assert await client.next_ids(1) == [str(first)]
        await client.send({"id": "1", "type": "complete"})
        await _round_trip(client)
        second = await commit()
        # Reusing a running operation's id closes the socket with 4409.
        await client.subscribe("1", ORDER_EVENTS, after=str(second))
        third = await commit()
        assert await client.next_ids(1) == [str(third)]
        assert await client.silent()


async def test_the_hub_stopping_completes_a_handed_over_subscription(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    first = await (await _orders(buyer, seller))()
    own = create_app(SETTINGS)
    async with (
        uvicorn_server(own, **websocket_options(SETTINGS)) as address,
        transport_ws(address, buyer.token) as client,
    ):
        async with own.state.live.running():
            await client.subscribe("1", ORDER_EVENTS, after="0")
            assert await client.next_ids(1) == [str(first)]
        assert await client.receive() == {"id": "1", "type": "complete"}
