"""deadlineEvents over real WebSockets: the seller who must act and admins are pushed the
alert, nobody else; replay `after`; buyers and anonymous callers refused."""

from __future__ import annotations

import asyncio
from datetime import UTC

from models.events import Event, EventKind
from realtime.doorbell import Doorbell
from resolvers.deadlines.alerts import raise_deadline_alerts
from resolvers.policy import Policy
from schema.ids import encode_id
from tests.clients import GraphQLClient
from tests.helpdesk_helpers import open_product_thread, paris
from tests.live_helpers import DEADLINE_EVENTS, transport_ws

POLICY = Policy(doorbell=Doorbell(), at_risk_hours=4)
# A Tuesday without holiday: the thread's 24 business hours end on Wednesday at 10:00.
OPENED = paris(2026, 3, 10, 10).astimezone(UTC)
AT_RISK = paris(2026, 3, 11, 6)
DUE = paris(2026, 3, 11, 10)


async def test_the_seller_and_admins_are_pushed_the_alerts_of_its_thread_only(
    live_server: str,
    buyer: GraphQLClient,
    seller: GraphQLClient,
    other_seller: GraphQLClient,
    admin: GraphQLClient,
) -> None:
    thread = await open_product_thread(buyer, seller, now=OPENED)
    await raise_deadline_alerts(policy=POLICY, now=OPENED)  # schedules, raises nothing
    async with (
        transport_ws(live_server, seller.token) as shop,
        transport_ws(live_server, other_seller.token) as other_shop,
        transport_ws(live_server, admin.token) as platform,
    ):
        for client in (shop, other_shop, platform):
            await client.subscribe("d", DEADLINE_EVENTS)
        await asyncio.sleep(0.1)
        assert await raise_deadline_alerts(policy=POLICY, now=AT_RISK) == 1
        assert await raise_deadline_alerts(policy=POLICY, now=DUE) == 1
        tid = encode_id("Thread", thread.id)
        expected = [("SLA_AT_RISK", tid), ("SLA_OVERDUE", tid)]
        for client in (shop, platform):
            pushed = await client.pushed(2)
            assert [(a["kind"], a["thread"]["id"]) for a in pushed] == expected
            assert {a["dueAt"] for a in pushed} == {DUE.astimezone(UTC).isoformat()}
            assert all(a["claim"] is None and a["quote"] is None for a in pushed)
        assert await other_shop.silent(0.3)


async def test_after_replays_the_missed_alert_then_continues_live(
    live_server: str, buyer: GraphQLClient, seller: GraphQLClient, other_seller: GraphQLClient
) -> None:
    await open_product_thread(buyer, seller, now=OPENED)
    await raise_deadline_alerts(policy=POLICY, now=OPENED)
    await raise_deadline_alerts(policy=POLICY, now=AT_RISK)
    (missed,) = await Event.filter(kind=EventKind.DEADLINE)
    async with (
        transport_ws(live_server, seller.token) as client,
        transport_ws(live_server, other_seller.token) as other_shop,
    ):
        await client.subscribe("1", DEADLINE_EVENTS, after="0")
        # Another seller replaying the whole log reads none of this seller's alerts.
        await other_shop.subscribe("1", DEADLINE_EVENTS, after="0")
        (replayed,) = await client.pushed(1)
        assert (replayed["id"], replayed["kind"]) == (str(missed.id), "SLA_AT_RISK")
        await raise_deadline_alerts(policy=POLICY, now=DUE)
        (live,) = await client.pushed(1)
        assert live["kind"] == "SLA_OVERDUE"
        assert int(live["id"]) > missed.id
        assert await client.silent(0.3)
        assert await other_shop.silent(0.3)


async def test_buyers_and_anonymous_callers_cannot_follow_deadlines(
    live_server: str, buyer: GraphQLClient
) -> None:
    for token, code in ((None, "UNAUTHENTICATED"), (buyer.token, "FORBIDDEN")):
        async with transport_ws(live_server, token) as client:
            await client.subscribe("1", DEADLINE_EVENTS)
            reply = await client.receive()
            assert reply["type"] == "error", reply
            assert [e["extensions"]["code"] for e in reply["payload"]] == [code]
