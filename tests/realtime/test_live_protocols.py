"""Both WebSocket sub-protocols with an outside client (gql), and the close codes of
graphql-transport-ws with a raw `websockets` client."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import AsyncIterator

import pytest
import websockets
from gql import Client, gql
from gql.transport.exceptions import TransportError, TransportQueryError, TransportServerError
from gql.transport.websockets import WebsocketsTransport
from starlette.applications import Starlette
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from comptoir.app import create_app
from tests.clients import GraphQLClient
from tests.configuration import SETTINGS
from tests.live_helpers import (
    ORDER_EVENTS,
    order_status,
    seller_of,
    transport_ws,
    uvicorn_server,
)

PROTOCOLS = [WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL, WebsocketsTransport.APOLLO_SUBPROTOCOL]


def _transport(server: str, protocol: str, token: str | None) -> WebsocketsTransport:
    return WebsocketsTransport(
        url=f"ws://{server}/graphql",
        subprotocols=[protocol],
        init_payload={"token": token} if token else {},
        connect_timeout=5,
        ack_timeout=5,
        close_timeout=2,
    )


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_gql_replays_after_a_position_then_receives_live_events(
    live_server: str, buyer: GraphQLClient, seller: GraphQLClient, protocol: str
) -> None:
    shop = await seller_of(seller.account_id)
    old = [await order_status(buyer_id=buyer.account_id, seller_id=shop) for _ in range(3)]
    received: list[str] = []
    async with Client(transport=_transport(live_server, protocol, buyer.token)) as session:
        stream = session.subscribe(gql(ORDER_EVENTS), variable_values={"after": str(old[0])})
        async for result in stream:
            received.append(result["orderEvents"]["id"])
            if len(received) == 2:
                live = await order_status(buyer_id=buyer.account_id, seller_id=shop)
            if len(received) == 3:
                break
    assert received == [str(old[1]), str(old[2]), str(live)]


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_gql_is_refused_at_connection_with_a_revoked_or_unknown_token(
    live_server: str, protocol: str
) -> None:
    with pytest.raises(TransportError) as refusal:
        async with Client(transport=_transport(live_server, protocol, "not-a-token")):
            pass
    if protocol == WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL:
        closed = refusal.value.__cause__
        assert isinstance(closed, ConnectionClosed)
        assert closed.rcvd is not None
        assert closed.rcvd.code == 4403
    else:  # connection_error
        assert isinstance(refusal.value, TransportServerError)


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_gql_anonymous_subscription_fails_with_unauthenticated(
    live_server: str, protocol: str
) -> None:
    async with Client(transport=_transport(live_server, protocol, None)) as session:
        with pytest.raises(TransportQueryError) as error:
            async for _ in session.subscribe(gql(ORDER_EVENTS)):
                pass
    assert error.value.errors
    assert error.value.errors[0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize("token", ["nope", 12, "\ud800"])  # unknown, not a string, unencodable
async def test_legacy_protocol_answers_a_bad_token_with_connection_error(
    live_server: str, token: object
) -> None:
    async with websockets.connect(
        f"ws://{live_server}/graphql", subprotocols=[Subprotocol("graphql-ws")]
    ) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"token": token}}))
        reply = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert reply == {
            "type": "connection_error",
            "payload": {"message": "Jeton invalide ou expiré"},
        }
        await asyncio.wait_for(ws.wait_closed(), 5)


async def _closed_with(ws: websockets.ClientConnection) -> int | None:
    await asyncio.wait_for(ws.wait_closed(), 5)
    return ws.close_code


async def test_a_bad_token_at_init_closes_with_4403(live_server: str) -> None:
    async with transport_ws(live_server, init=False) as client:
        await client.send({"type": "connection_init", "payload": {"token": "unknown"}})
        assert await _closed_with(client.ws) == 4403


async def test_an_invalid_message_closes_with_4400(live_server: str) -> None:
    async with transport_ws(live_server, None) as client:
        await client.send({"type": "no-such-type"})
        assert await _closed_with(client.ws) == 4400


async def test_subscribing_before_the_init_closes_with_4401(live_server: str) -> None:
    async with transport_ws(live_server, init=False) as client:
        await client.subscribe("1", ORDER_EVENTS)
        assert await _closed_with(client.ws) == 4401


async def test_an_unknown_sub_protocol_closes_with_4406(live_server: str) -> None:
    async with websockets.connect(
        f"ws://{live_server}/graphql", subprotocols=[Subprotocol("graphql-ws-v9")]
    ) as ws:
        assert await _closed_with(ws) == 4406


async def test_a_reused_operation_id_closes_with_4409(
    live_server: str, buyer: GraphQLClient
) -> None:
    async with transport_ws(live_server, buyer.token) as client:
        await client.subscribe("same", ORDER_EVENTS)
        await client.subscribe("same", ORDER_EVENTS)
        assert await _closed_with(client.ws) == 4409


async def test_a_second_init_closes_with_4429(live_server: str, buyer: GraphQLClient) -> None:
    async with transport_ws(live_server, buyer.token) as client:
        await client.send({"type": "connection_init", "payload": {"token": buyer.token}})
        assert await _closed_with(client.ws) == 4429


@pytest.fixture
async def impatient_server(app: Starlette) -> AsyncIterator[str]:
    """A second server on the same database whose connection_init deadline is 0.3 s: its own
    live delivery runs (the session's app opened the database)."""
    settings = dataclasses.replace(SETTINGS, ws_init_timeout_seconds=0.3)
    impatient = create_app(settings)
    async with impatient.state.live.running(), uvicorn_server(impatient) as address:
        yield address


async def test_no_init_in_time_closes_with_4408(impatient_server: str) -> None:
    async with transport_ws(impatient_server, init=False) as client:
        assert await _closed_with(client.ws) == 4408


async def test_no_init_in_time_on_the_legacy_protocol_closes_with_4408(
    impatient_server: str,
) -> None:
    async with websockets.connect(
        f"ws://{impatient_server}/graphql", subprotocols=[Subprotocol("graphql-ws")]
    ) as ws:
        assert await _closed_with(ws) == 4408


async def test_a_legacy_socket_initialised_in_time_outlives_the_init_deadline(
    impatient_server: str, buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    async with websockets.connect(
        f"ws://{impatient_server}/graphql", subprotocols=[Subprotocol("graphql-ws")]
    ) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"token": buyer.token}}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "connection_ack"
        await ws.send(json.dumps({"id": "1", "type": "start", "payload": {"query": ORDER_EVENTS}}))
        await asyncio.sleep(0.6)  # twice the deadline
        event_id = await order_status(
            buyer_id=buyer.account_id, seller_id=await seller_of(seller.account_id)
        )
        reply = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert reply["type"] == "data"
        assert reply["payload"]["data"]["orderEvents"]["id"] == str(event_id)
