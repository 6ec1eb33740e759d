"""Subscriptions refused at subscribe time: who may not, and documents that are wrong.

A subscription changes nothing, so a refusal is checked by its code and by the stream not
starting (nothing arrives afterwards).
"""

from __future__ import annotations

from typing import Any

import httpx

from schema.ids import encode_id
from tests.clients import GraphQLClient
from tests.helpdesk_helpers import make_order, open_product_thread
from tests.live_helpers import MESSAGE_EVENTS, ORDER_EVENTS, order_status, seller_of, transport_ws


async def _refusal(server: str, token: str | None, query: str, **variables: Any) -> list[str]:
    async with transport_ws(server, token) as client:
        await client.subscribe("1", query, **variables)
        reply = await client.receive()
        assert reply["type"] == "error", reply
        return [e["extensions"]["code"] for e in reply["payload"]]


async def test_anonymous_subscriptions_answer_unauthenticated(live_server: str) -> None:
    assert await _refusal(live_server, None, ORDER_EVENTS) == ["UNAUTHENTICATED"]
    assert await _refusal(live_server, None, MESSAGE_EVENTS) == ["UNAUTHENTICATED"]


async def test_someone_elses_order_answers_not_found_and_streams_nothing(
    live_server: str, buyer: GraphQLClient, other_buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    order = await make_order(buyer, seller)
    order_id = encode_id("Order", order.id)
    assert await _refusal(live_server, other_buyer.token, ORDER_EVENTS, orderId=order_id) == [
        "NOT_FOUND"
    ]
    async with transport_ws(live_server, other_buyer.token) as client:
        await client.subscribe("1", ORDER_EVENTS, orderId=order_id)
        assert (await client.receive())["type"] == "error"
        await order_status(
            buyer_id=buyer.account_id,
            seller_id=await seller_of(seller.account_id),
            order_id=order.id,
        )
        assert await client.silent(0.3)


async def test_another_sellers_order_answers_not_found(
    live_server: str, buyer: GraphQLClient, seller: GraphQLClient, other_seller: GraphQLClient
) -> None:
    order = await make_order(buyer, seller)
    assert await _refusal(
        live_server, other_seller.token, ORDER_EVENTS, orderId=encode_id("Order", order.id)
    ) == ["NOT_FOUND"]


async def test_a_thread_the_caller_is_not_part_of_answers_not_found(
    live_server: str,
    buyer: GraphQLClient,
    other_buyer: GraphQLClient,
    seller: GraphQLClient,
    other_seller: GraphQLClient,
) -> None:
    thread_id = encode_id("Thread", (await open_product_thread(buyer, seller)).id)
    for intruder in (other_buyer, other_seller):
        assert await _refusal(live_server, intruder.token, MESSAGE_EVENTS, threadId=thread_id) == [
            "NOT_FOUND"
        ]


async def test_an_id_of_another_type_answers_not_found(
    live_server: str, buyer: GraphQLClient
) -> None:
    assert await _refusal(
        live_server, buyer.token, ORDER_EVENTS, orderId=encode_id("Thread", 1)
    ) == ["NOT_FOUND"]


async def test_malformed_positions_and_ids_answer_invalid_input(
    live_server: str, buyer: GraphQLClient
) -> None:
    for variables in ({"after": "abc"}, {"after": "-3"}, {"after": "1e5"}, {"orderId": "%%%"}):
        assert await _refusal(live_server, buyer.token, ORDER_EVENTS, **variables) == [
            "INVALID_INPUT"
        ], variables


async def test_readiness_reports_the_broadcast_and_how_far_delivery_lags_the_log(
    http: httpx.AsyncClient, buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    await order_status(buyer_id=buyer.account_id, seller_id=await seller_of(seller.account_id))
    response = await http.get("/readyz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["broadcast"] == "ok"
    delivery = body["delivery"]
    assert delivery["connected"] is True
    assert delivery["log_id"] >= 1
    assert delivery["lag_events"] == delivery["log_id"] - delivery["delivered_id"]
