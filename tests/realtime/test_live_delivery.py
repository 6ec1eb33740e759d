"""Who receives which live event, and replay `after` a position (one process, real sockets)."""

from __future__ import annotations

import asyncio

import httpx
from starlette.applications import Starlette

from comptoir.app import guard
from comptoir.settings import Settings
from models.accounts import Account, Role
from realtime.log import atomic, last_event_id
from resolvers.sessions import actor_for_token, revoke_sessions
from schema import build_schema
from schema.compat import graphql_schema
from schema.context import Context
from schema.ids import encode_id
from schema.live_render import LiveRenderer
from tests.clients import GraphQLClient
from tests.configuration import POLICY
from tests.factories import login_as, make_account
from tests.helpdesk_helpers import make_order, open_product_thread
from tests.live_helpers import (
    MESSAGE_EVENTS,
    ORDER_EVENTS,
    message,
    order_status,
    seller_of,
    transport_ws,
)

FULL_ORDER_EVENTS = """subscription ($after: ID, $orderId: ID) {
  orderEvents(after: $after, orderId: $orderId) {
    id at from to reason order { id number status buyer { email } seller { name } } } }"""


async def test_a_buyer_is_pushed_their_own_orders_and_nobody_elses(
    live_server: str, buyer: GraphQLClient, other_buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    shop = await seller_of(seller.account_id)
    async with (
        transport_ws(live_server, buyer.token) as mine,
        transport_ws(live_server, other_buyer.token) as theirs,
    ):
        await mine.subscribe("1", ORDER_EVENTS)
        await theirs.subscribe("1", ORDER_EVENTS)
        await asyncio.sleep(0.1)
        event_id = await order_status(buyer_id=buyer.account_id, seller_id=shop)
        assert await mine.next_ids(1) == [str(event_id)]
        assert await theirs.silent(0.3)


async def test_a_seller_is_pushed_the_orders_addressed_to_it_only(
    live_server: str, buyer: GraphQLClient, seller: GraphQLClient, other_seller: GraphQLClient
) -> None:
    shop, other_shop = await seller_of(seller.account_id), await seller_of(other_seller.account_id)
    async with (
        transport_ws(live_server, seller.token) as mine,
        transport_ws(live_server, other_seller.token) as theirs,
    ):
        await mine.subscribe("a", ORDER_EVENTS)
        await theirs.subscribe("b", ORDER_EVENTS)
        await asyncio.sleep(0.1)
        first = await order_status(buyer_id=buyer.account_id, seller_id=shop, order_id=1)
        second = await order_status(buyer_id=buyer.account_id, seller_id=other_shop, order_id=2)
        assert await mine.next_ids(1) == [str(first)]
        assert await theirs.next_ids(1) == [str(second)]
        assert await mine.silent(0.2)
        assert await theirs.silent(0.1)


async def test_an_admin_is_pushed_every_order_event(
    live_server: str,
    admin: GraphQLClient,
    buyer: GraphQLClient,
    seller: GraphQLClient,
    other_seller: GraphQLClient,
) -> None:
    shops = [await seller_of(seller.account_id), await seller_of(other_seller.account_id)]
    async with transport_ws(live_server, admin.token) as client:
        await client.subscribe("1", ORDER_EVENTS)
        await asyncio.sleep(0.1)
        ids = [
            await order_status(buyer_id=buyer.account_id, seller_id=s, order_id=i)
            for i, s in enumerate(shops, 1)
        ]
        assert await client.next_ids(2) == [str(i) for i in ids]


async def test_company_orders_reach_colleagues_with_the_right_only(
    live_server: str, http: httpx.AsyncClient, seller: GraphQLClient, company_member: GraphQLClient
) -> None:
    shop = await seller_of(seller.account_id)
    main_account = await make_account(
        Role.BUYER, email="boss@acme.fr", company="ACME bis", rights=["SEE_COMPANY_ORDERS"]
    )
    boss = await login_as(http, main_account)
    placer = await make_account(
        Role.BUYER,
        email="placer@acme.fr",
        company_id=main_account.company_id,
        rights=["PLACE_ORDERS"],
    )
    peer = await login_as(
        http,
        await make_account(
            Role.BUYER,
            email="peer@acme.fr",
            company_id=main_account.company_id,
            rights=["PLACE_ORDERS"],
        ),
    )
    async with (
        transport_ws(live_server, boss.token) as boss_ws,
        transport_ws(live_server, peer.token) as peer_ws,
    ):
        await boss_ws.subscribe("1", ORDER_EVENTS)
        await peer_ws.subscribe("1", ORDER_EVENTS)
        await asyncio.sleep(0.1)
        event_id = await order_status(
            buyer_id=placer.id, seller_id=shop, company_id=main_account.company_id
        )
        assert await boss_ws.next_ids(1) == [str(event_id)]
        assert await peer_ws.silent(0.3)


async def test_thread_messages_reach_both_participants_and_admins_only(
    live_server: str,
    buyer: GraphQLClient,
    other_buyer: GraphQLClient,
    seller: GraphQLClient,
    other_seller: GraphQLClient,
    admin: GraphQLClient,
) -> None:
    shop = await seller_of(seller.account_id)
    async with (
        transport_ws(live_server, buyer.token) as b,
        transport_ws(live_server, seller.token) as s,
        transport_ws(live_server, admin.token) as a,
        transport_ws(live_server, other_buyer.token) as ob,
        transport_ws(live_server, other_seller.token) as os_,
    ):
        for ws in (b, s, a, ob, os_):
            await ws.subscribe("m", MESSAGE_EVENTS)
        await asyncio.sleep(0.1)
        event_id = await message(buyer_id=buyer.account_id, seller_id=shop)
        for ws in (b, s, a):
            assert await ws.next_ids(1) == [str(event_id)]
        assert await ob.silent(0.2)
        assert await os_.silent(0.05)


async def test_after_replays_what_was_missed_in_order_then_continues_live(
    live_server: str, buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    shop = await seller_of(seller.account_id)
    ids = [
        await order_status(buyer_id=buyer.account_id, seller_id=shop, order_id=i)
        for i in range(1, 6)
    ]
    async with transport_ws(live_server, buyer.token) as client:
        await client.subscribe("1", ORDER_EVENTS, after=str(ids[1]))
        assert await client.next_ids(3) == [str(i) for i in ids[2:]]
        later = await order_status(buyer_id=buyer.account_id, seller_id=shop)
        assert await client.next_ids(1) == [str(later)]
        assert await client.silent(0.2)


async def test_after_zero_replays_the_whole_log(
    live_server: str, buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    shop = await seller_of(seller.account_id)
    ids = [await order_status(buyer_id=buyer.account_id, seller_id=shop) for _ in range(3)]
    async with transport_ws(live_server, buyer.token) as client:
        await client.subscribe("1", ORDER_EVENTS, after="0")
        assert await client.next_ids(3) == [str(i) for i in ids]


async def test_events_committed_during_the_replay_arrive_once_each_in_order(
    live_server: str, buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    shop = await seller_of(seller.account_id)
    before = [await order_status(buyer_id=buyer.account_id, seller_id=shop) for _ in range(150)]

    async def keep_committing() -> list[int]:
        return [await order_status(buyer_id=buyer.account_id, seller_id=shop) for _ in range(150)]

    async with transport_ws(live_server, buyer.token) as client:
        writer = asyncio.create_task(keep_committing())
        await client.subscribe("1", ORDER_EVENTS, after="0")
        during = await writer
        received = await client.next_ids(300, timeout=10)
        assert received == [str(i) for i in before + during]
        assert await client.silent(0.3)


async def test_without_after_only_events_committed_after_subscribing_arrive(
    live_server: str, buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    shop = await seller_of(seller.account_id)
    await order_status(buyer_id=buyer.account_id, seller_id=shop)
    async with transport_ws(live_server, buyer.token) as client:
        await client.subscribe("1", ORDER_EVENTS)
        await asyncio.sleep(0.1)
        new = await order_status(buyer_id=buyer.account_id, seller_id=shop)
        assert await client.next_ids(1) == [str(new)]


async def test_a_full_order_event_carries_the_order_as_the_query_side_shows_it(
    live_server: str, buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    order = await make_order(buyer, seller)
    async with transport_ws(live_server, seller.token) as client:
        await client.subscribe("1", FULL_ORDER_EVENTS, after="0")
        await asyncio.sleep(0.1)
        await seller.mutate_ok(
            "mutation($id: ID!) { validateOrder(orderId: $id) { errors { code } } }",
            id=encode_id("Order", order.id),
        )
        message_ = await client.receive()
        event = message_["payload"]["data"]["orderEvents"]
        assert event["from"] == "PENDING"
        assert event["to"] == "VALIDATED"
        assert event["order"]["number"] == order.number
        assert event["order"]["status"] == "VALIDATED"
        assert event["order"]["seller"]["name"] == "BatiPro"
        assert event["id"] == str(await last_event_id())


async def test_a_thread_filter_narrows_messages_to_that_thread(
    live_server: str, buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    thread = await open_product_thread(buyer, seller)
    shop = await seller_of(seller.account_id)
    async with transport_ws(live_server, buyer.token) as client:
        await client.subscribe("1", MESSAGE_EVENTS, threadId=encode_id("Thread", thread.id))
        await asyncio.sleep(0.1)
        await message(buyer_id=buyer.account_id, seller_id=shop, thread_id=thread.id + 1000)
        mine = await message(buyer_id=buyer.account_id, seller_id=shop, thread_id=thread.id)
        assert await client.next_ids(1) == [str(mine)]


async def test_a_revoked_session_is_closed_with_4403_within_two_seconds(
    live_server: str, buyer: GraphQLClient
) -> None:
    async with transport_ws(live_server, buyer.token) as client:
        await client.subscribe("1", ORDER_EVENTS)
        await asyncio.sleep(0.1)
        async with atomic():
            await revoke_sessions(buyer.account_id or 0, policy=POLICY)
        await asyncio.wait_for(client.ws.wait_closed(), 2)
        assert client.ws.close_code == 4403


async def test_revoking_another_session_leaves_this_one_open(
    live_server: str, http: httpx.AsyncClient, buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    second = await login_as(http, await Account.get(id=buyer.account_id))
    shop = await seller_of(seller.account_id)
    async with (
        transport_ws(live_server, buyer.token) as kept,
        transport_ws(live_server, second.token) as dropped,
    ):
        await kept.subscribe("1", ORDER_EVENTS)
        actor = await actor_for_token(buyer.token or "")
        async with atomic():
            await revoke_sessions(
                buyer.account_id or 0, keep_session_id=actor.session_id, policy=POLICY
            )
        await asyncio.wait_for(dropped.ws.wait_closed(), 2)
        assert dropped.ws.close_code == 4403
        event_id = await order_status(buyer_id=buyer.account_id, seller_id=shop)
        assert await kept.next_ids(1) == [str(event_id)]


async def test_the_schema_subscribed_directly_yields_events_for_strawberry_to_execute(
    app: Starlette, buyer: GraphQLClient, seller: GraphQLClient, settings: Settings
) -> None:
    shop = await seller_of(seller.account_id)
    first = await order_status(buyer_id=buyer.account_id, seller_id=shop)
    schema = build_schema(guard(settings))
    context = Context(
        actor=await actor_for_token(buyer.token or ""),
        policy=POLICY,
        live=LiveRenderer(graphql_schema(schema), app.state.live.hub),
    )
    stream = await schema.subscribe(
        ORDER_EVENTS, variable_values={"after": "0"}, context_value=context
    )
    result = await asyncio.wait_for(anext(stream), 5)
    await stream.aclose()
    assert result.errors is None
    assert result.data == {
        "orderEvents": {"id": str(first), "to": "VALIDATED", "from": "PENDING", "reason": None}
    }


async def test_a_revoked_session_on_the_legacy_protocol_has_its_socket_closed(
    live_server: str, buyer: GraphQLClient
) -> None:
    async with transport_ws(live_server, init=False, protocol="graphql-ws") as client:
        await client.send({"type": "connection_init", "payload": {"token": buyer.token}})
        assert (await client.receive())["type"] == "connection_ack"
        await client.send({"id": "1", "type": "start", "payload": {"query": ORDER_EVENTS}})
        await asyncio.sleep(0.1)
        async with atomic():
            await revoke_sessions(buyer.account_id or 0, policy=POLICY)
        await asyncio.wait_for(client.ws.wait_closed(), 2)
        assert client.ws.close_code == 4403
