"""Truly concurrent acceptances through the app (SQLite or PostgreSQL, per the suite's database).

The database decides: the conditional stock update for the last units, the quote row's lock and
conditional status update for one quote accepted twice.
"""

from __future__ import annotations

import asyncio

import httpx

from models.accounts import Role
from models.catalog import Product
from models.events import Event
from models.orders import Order, OrderLine, OrderStatusChange
from models.quotes import Quote, QuoteStatus
from schema.ids import encode_id
from tests.catalog_helpers import make_product
from tests.clients import GraphQLClient
from tests.factories import login_as, make_account
from tests.quotes_helpers import accept_input, offered_quote

ACCEPT = """mutation($input: AcceptQuoteInput!) { acceptQuote(input: $input) {
  errors { code } quote { id status order { id } } } }"""


async def test_two_buyers_accepting_offers_on_the_last_units_never_oversell(
    http: httpx.AsyncClient, seller: GraphQLClient
) -> None:
    product = await make_product(seller, stock=10)
    pid = encode_id("Product", product.id)
    buyers = [
        await login_as(
            http, await make_account(Role.BUYER, email=f"b{i}@example.fr", postal_code="75011")
        )
        for i in range(2)
    ]
    for _ in range(5):  # several rounds: each time only one of the two can have the units
        await Product.filter(id=product.id).update(stock=10)
        quotes = [await offered_quote(b, seller, product, {8: "1.00"}) for b in buyers]
        payloads = await asyncio.gather(
            *(
                b.mutate(ACCEPT, input=accept_input(encode_id("Quote", q.id), [(pid, 8)]))
                for b, q in zip(buyers, quotes, strict=True)
            )
        )
        won = [p for p in payloads if not p["errors"]]
        lost = [p for p in payloads if p["errors"]]
        assert len(won) == 1, payloads
        assert lost[0]["errors"] == [{"code": "OUT_OF_STOCK"}]
        assert (await Product.get(id=product.id)).stock == 2
        statuses = await Quote.filter(id__in=[q.id for q in quotes]).values_list(
            "status", flat=True
        )
        assert sorted(str(s) for s in statuses) == ["ACCEPTED", "OFFERED"]
    assert await Order.all().count() == 5


async def test_one_quote_accepted_twice_at_once_makes_one_order(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await make_product(seller, stock=100)
    pid = encode_id("Product", product.id)
    for round_ in range(3):
        quote = await offered_quote(buyer, seller, product, {10: "1.00", 20: "0.90"})
        qid = encode_id("Quote", quote.id)
        events_before = await Event.all().count()
        # Two devices, two keys, two different choices: only one acceptance can exist.
        payloads = await asyncio.gather(
            buyer.mutate(ACCEPT, input=accept_input(qid, [(pid, 10)], key=f"a{round_}")),
            buyer.mutate(ACCEPT, input=accept_input(qid, [(pid, 20)], key=f"b{round_}")),
        )
        won = [p for p in payloads if not p["errors"]]
        assert len(won) == 1, payloads
        assert [p["errors"] for p in payloads if p["errors"]] == [[{"code": "INVALID_TRANSITION"}]]
        row = await Quote.get(id=quote.id)
        assert row.status is QuoteStatus.ACCEPTED
        assert await Order.filter(quotes__id=quote.id).count() == 1
        # One order: PENDING + VALIDATED events, and the quote's ACCEPTED.
        assert await Event.all().count() == events_before + 3
    taken = sum(line.quantity for line in await OrderLine.all())
    assert (await Product.get(id=product.id)).stock == 100 - taken
    assert await OrderStatusChange.all().count() == 2 * await Order.all().count()


async def test_one_key_sent_ten_times_at_once_accepts_once(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await make_product(seller, stock=100)
    quote = await offered_quote(buyer, seller, product, {10: "1.00"})
    request = accept_input(
        encode_id("Quote", quote.id), [(encode_id("Product", product.id), 10)], key="double-click"
    )

    payloads = await asyncio.gather(*(buyer.mutate(ACCEPT, input=request) for _ in range(10)))

    assert all(p["errors"] == [] for p in payloads), payloads
    assert len({p["quote"]["order"]["id"] for p in payloads}) == 1
    assert await Order.all().count() == 1
    assert (await Product.get(id=product.id)).stock == 90
