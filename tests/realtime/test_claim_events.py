"""claimEvents over real sockets: the buyer and the seller follow a claim in order, a stranger
sees nothing, and a reconnect with `after` replays without gap or duplicate."""

from __future__ import annotations

from realtime.log import last_event_id
from schema.ids import encode_id
from tests.claims_helpers import (
    OPEN_CLAIM,
    RECEIVE_RETURN,
    REQUEST_RETURN,
    SHIP_RETURN,
    delivered_order,
)
from tests.clients import GraphQLClient
from tests.live_helpers import transport_ws

CLAIM_EVENTS = """subscription ($after: ID, $claimId: ID) {
  claimEvents(after: $after, claimId: $claimId) { id from to reason claim { number status } } }"""


async def test_buyer_and_seller_follow_a_claim_in_order_and_replay_it_after_a_reconnect(
    live_server: str,
    buyer: GraphQLClient,
    seller: GraphQLClient,
    other_seller: GraphQLClient,
    other_buyer: GraphQLClient,
) -> None:
    delivered = await delivered_order(buyer, seller, 2)
    start = str(await last_event_id())
    async with (
        transport_ws(live_server, buyer.token) as buyer_ws,
        transport_ws(live_server, seller.token) as seller_ws,
        transport_ws(live_server, other_seller.token) as stranger_ws,
        transport_ws(live_server, other_buyer.token) as other_buyer_ws,
    ):
        for ws in (buyer_ws, seller_ws, stranger_ws, other_buyer_ws):
            # From the current position: nothing committed after it can be missed.
            await ws.subscribe("c", CLAIM_EVENTS, after=start)
        opened = await buyer.mutate_ok(
            OPEN_CLAIM,
            input={
                "orderId": encode_id("Order", delivered.order.id),
                "reason": "DEFECTIVE",
                "body": "En panne.",
                "lines": [
                    {"orderLineId": encode_id("OrderLine", delivered.lines[0].id), "quantity": 1}
                ],
            },
        )
        cid = opened["claim"]["id"]
        await seller.mutate_ok(REQUEST_RETURN, c=cid, i="Renvoyez-la.")
        await buyer.mutate_ok(SHIP_RETURN, c=cid)
        await seller.mutate_ok(RECEIVE_RETURN, c=cid)

        expected = [
            (None, "OPEN"),
            ("OPEN", "RETURN_REQUESTED"),
            ("RETURN_REQUESTED", "RETURN_SHIPPED"),
            ("RETURN_SHIPPED", "RETURN_RECEIVED"),
        ]
        seen = {}
        for name, ws in (("buyer", buyer_ws), ("seller", seller_ws)):
            events = await ws.pushed(4)
            assert [(e["from"], e["to"]) for e in events] == expected
            assert {e["claim"]["number"] for e in events} == {opened["claim"]["number"]}
            ids = [int(e["id"]) for e in events]
            assert ids == sorted(ids)
            assert len(set(ids)) == 4
            seen[name] = ids
        assert seen["buyer"] == seen["seller"]
        assert await stranger_ws.silent(0.3)
        assert await other_buyer_ws.silent(0.1)

    # The buyer saw the first two, dropped, and reconnects with the last id it kept.
    kept = str(seen["buyer"][1])
    async with transport_ws(live_server, buyer.token) as again:
        await again.subscribe("c", CLAIM_EVENTS, after=kept, claimId=cid)
        replayed = await again.pushed(2)
        assert [int(e["id"]) for e in replayed] == seen["buyer"][2:]
        assert await again.silent(0.3)


async def test_claim_events_of_someone_elses_claim_are_not_found(
    live_server: str, buyer: GraphQLClient, seller: GraphQLClient, other_seller: GraphQLClient
) -> None:
    delivered = await delivered_order(buyer, seller, 1)
    opened = await buyer.mutate_ok(
        OPEN_CLAIM,
        input={
            "orderId": encode_id("Order", delivered.order.id),
            "reason": "DAMAGED",
            "body": "Abîmé.",
            "lines": [
                {"orderLineId": encode_id("OrderLine", delivered.lines[0].id), "quantity": 1}
            ],
        },
    )
    async with transport_ws(live_server, other_seller.token) as ws:
        await ws.subscribe("x", CLAIM_EVENTS, claimId=opened["claim"]["id"])
        message = await ws.receive()
        assert message["type"] == "error", message
        assert message["payload"][0]["extensions"]["code"] == "NOT_FOUND"
    async with transport_ws(live_server, None) as anonymous:
        await anonymous.subscribe("y", CLAIM_EVENTS)
        message = await anonymous.receive()
        assert message["payload"][0]["extensions"]["code"] == "UNAUTHENTICATED"
