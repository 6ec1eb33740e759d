"""quoteEvents over real WebSockets: who is pushed what, replay `after`, refusals."""

from __future__ import annotations

import asyncio
from typing import Any

from models.events import Event, EventKind
from schema.ids import encode_id
from tests.catalog_helpers import make_product
from tests.clients import GraphQLClient
from tests.factories import acme_colleagues, login_as
from tests.live_helpers import transport_ws
from tests.quotes_helpers import accept, offer, offered_quote, request_quote

QUOTE_EVENTS = """subscription ($after: ID, $quoteId: ID) {
  quoteEvents(after: $after, quoteId: $quoteId) {
    id at from to reason quote { number status seller { name } } } }"""


async def _quote_event_ids() -> list[str]:
    rows = (
        await Event.filter(kind=EventKind.QUOTE_STATUS).order_by("id").values_list("id", flat=True)
    )
    return [str(i) for i in rows]


async def test_the_seller_is_pushed_the_request_and_the_buyer_the_offer(
    live_server: str,
    buyer: GraphQLClient,
    other_buyer: GraphQLClient,
    seller: GraphQLClient,
    other_seller: GraphQLClient,
    admin: GraphQLClient,
) -> None:
    product = await make_product(seller)
    async with (
        transport_ws(live_server, seller.token) as shop,
        transport_ws(live_server, buyer.token) as mine,
        transport_ws(live_server, other_buyer.token) as theirs,
        transport_ws(live_server, other_seller.token) as other_shop,
        transport_ws(live_server, admin.token) as platform,
    ):
        for client in (shop, mine, theirs, other_shop, platform):
            await client.subscribe("q", QUOTE_EVENTS)
        await asyncio.sleep(0.1)
        (quote,) = await request_quote(buyer, (product, [10, 20]))
        (pushed,) = await shop.pushed(1)
        assert (pushed["from"], pushed["to"]) == (None, "REQUESTED")
        assert pushed["quote"] == {
            "number": quote.number,
            "status": "REQUESTED",
            "seller": {"name": "BatiPro"},
        }
        await offer(seller, quote, (product, {10: "2.00", 20: "1.80"}))
        assert [(e["from"], e["to"]) for e in await mine.pushed(2)] == [
            (None, "REQUESTED"),
            ("REQUESTED", "OFFERED"),
        ]
        assert [e["to"] for e in await platform.pushed(2)] == ["REQUESTED", "OFFERED"]
        assert [e["to"] for e in await shop.pushed(1)] == ["OFFERED"]
        assert await theirs.silent(0.2)
        assert await other_shop.silent(0.1)


async def test_after_replays_the_missed_changes_then_continues_live_without_duplicates(
    live_server: str, buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await make_product(seller, stock=100)
    first = await offered_quote(buyer, seller, product, {10: "1.00"})
    seen = (await _quote_event_ids())[0]
    await accept(buyer, first, (product, 10))
    missed = (await _quote_event_ids())[1:]
    async with transport_ws(live_server, buyer.token) as client:
        await client.subscribe("1", QUOTE_EVENTS, after=seen)
        replayed = await client.pushed(len(missed))
        assert [e["id"] for e in replayed] == missed
        assert [e["to"] for e in replayed] == ["OFFERED", "ACCEPTED"]
        (second,) = await request_quote(buyer, (product, [5]))
        (live,) = await client.pushed(1)
        assert (live["to"], live["quote"]["number"]) == ("REQUESTED", second.number)
        assert int(live["id"]) > int(missed[-1])
        assert await client.silent(0.3)


async def test_company_colleagues_follow_quotes_with_see_company_orders_only(
    live_server: str, buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    acme = await acme_colleagues(boss_rights=["SEE_COMPANY_ORDERS"], peer_rights=["PLACE_ORDERS"])
    boss, member, peer = acme.boss, acme.member, acme.peer
    member_client = await login_as(buyer.http, member)
    boss_client = await login_as(buyer.http, boss)
    peer_client = await login_as(buyer.http, peer)
    product = await make_product(seller)
    async with (
        transport_ws(live_server, boss_client.token) as sees,
        transport_ws(live_server, peer_client.token) as blind,
    ):
        await sees.subscribe("1", QUOTE_EVENTS)
        await blind.subscribe("1", QUOTE_EVENTS)
        await asyncio.sleep(0.1)
        (quote,) = await request_quote(member_client, (product, [3]))
        (pushed,) = await sees.pushed(1)
        assert pushed["quote"]["number"] == quote.number
        assert await blind.silent(0.3)


async def _refusal(server: str, token: str | None, **variables: Any) -> list[str]:
    async with transport_ws(server, token) as client:
        await client.subscribe("1", QUOTE_EVENTS, **variables)
        reply = await client.receive()
        assert reply["type"] == "error", reply
        return [e["extensions"]["code"] for e in reply["payload"]]


async def test_one_quote_can_be_followed_by_those_who_see_it_only(
    live_server: str,
    buyer: GraphQLClient,
    other_buyer: GraphQLClient,
    seller: GraphQLClient,
    other_seller: GraphQLClient,
) -> None:
    product = await make_product(seller)
    (quote,) = await request_quote(buyer, (product, [3]))
    (other,) = await request_quote(buyer, (product, [4]))
    qid = encode_id("Quote", quote.id)
    assert await _refusal(live_server, None, quoteId=qid) == ["UNAUTHENTICATED"]
    for client in (other_buyer, other_seller):
        assert await _refusal(live_server, client.token, quoteId=qid) == ["NOT_FOUND"]
    async with transport_ws(live_server, seller.token) as stream:
        await stream.subscribe("1", QUOTE_EVENTS, quoteId=qid, after="0")
        (replayed,) = await stream.pushed(1)
        assert replayed["quote"]["number"] == quote.number
        await offer(seller, other, (product, {4: "1.00"}))
        await offer(seller, quote, (product, {3: "1.00"}))
        (live,) = await stream.pushed(1)
        assert (live["quote"]["number"], live["to"]) == (quote.number, "OFFERED")
        assert await stream.silent(0.2)
