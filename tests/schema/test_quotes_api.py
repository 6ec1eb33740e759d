"""Quotes over HTTP: the whole flow, visibility as orders, payload errors, "mes offres"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from schema.ids import encode_id
from tests.catalog_helpers import make_product
from tests.clients import GraphQLClient
from tests.factories import acme_colleagues, login_as
from tests.quotes_helpers import QUOTE_FIELDS, accept_input, world

ADD = """mutation($p: ID!, $q: [Int!]!) { addToQuoteList(productId: $p, quantities: $q) {
  errors { code field } quoteList { lines { product { id } quantities } } } }"""
REMOVE = """mutation($p: ID!) { removeFromQuoteList(productId: $p) {
  errors { code field } quoteList { lines { quantities } } } }"""
LIST = "{ quoteList { lines { product { id name } quantities } } }"
SEND = f"""mutation($r: String) {{ sendQuoteRequest(remark: $r) {{
  errors {{ code field }} quotes {{ {QUOTE_FIELDS} }} }} }}"""
OFFER = f"""mutation($input: OfferQuoteInput!) {{ offerQuote(input: $input) {{
  errors {{ code field }} quote {{ {QUOTE_FIELDS} }} }} }}"""
DECLINE = """mutation($q: ID!, $r: String!) { declineQuote(quoteId: $q, reason: $r) {
  errors { code field } quote { status } } }"""
ACCEPT = f"""mutation($input: AcceptQuoteInput!) {{ acceptQuote(input: $input) {{
  errors {{ code field }} quote {{ {QUOTE_FIELDS} }} }} }}"""
REFUSE = """mutation($q: ID!) { refuseQuote(quoteId: $q, reason: "Trop cher") {
  errors { code field } quote { status } } }"""
QUOTE = f"query($id: ID!) {{ quote(id: $id) {{ {QUOTE_FIELDS} }} }}"
QUOTES = """query($f: QuoteFilter) { quotes(filter: $f) { edges { node { number status } }
  pageInfo { hasNextPage } } }"""


def _until(days: float = 14) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


def _offer_input(quote: dict[str, Any], product_id: str, grid: dict[int, str]) -> dict[str, Any]:
    return {
        "quoteId": quote["id"],
        "validUntil": _until(),
        "message": "Franco de port",
        "prices": [
            {"productId": product_id, "quantity": q, "unitPrice": p} for q, p in grid.items()
        ],
    }


async def _sent(buyer: GraphQLClient, product_id: str, quantities: list[int]) -> dict[str, Any]:
    await buyer.mutate_ok(ADD, p=product_id, q=quantities)
    (quote,) = (await buyer.mutate_ok(SEND, r="Chantier Nord"))["quotes"]
    assert isinstance(quote, dict)
    return quote


async def test_the_whole_flow_from_the_list_to_the_order(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await make_product(
        seller, name="Ciment", price="9.90", stock=1000, minimum_quantity=10
    )
    pid = encode_id("Product", product.id)
    listed = await buyer.mutate_ok(ADD, p=pid, q=[500, 100])
    assert listed["quoteList"]["lines"] == [{"product": {"id": pid}, "quantities": [100, 500]}]

    quote = await _sent(buyer, pid, [100, 500])
    assert quote["status"] == "REQUESTED"
    assert quote["overdue"] is False
    assert quote["lines"][0]["tiers"] == [
        {"quantity": 100, "unitPrice": None},
        {"quantity": 500, "unitPrice": None},
    ]
    assert quote["history"] == [
        {"from": None, "to": "REQUESTED", "actorRole": "BUYER", "reason": None}
    ]
    assert (await buyer.query(LIST))["quoteList"]["lines"] == []

    offered = (
        await seller.mutate_ok(OFFER, input=_offer_input(quote, pid, {100: "9.00", 500: "8.20"}))
    )["quote"]
    assert offered["status"] == "OFFERED"
    assert offered["sellerMessage"] == "Franco de port"
    assert offered["lines"][0]["tiers"][1] == {"quantity": 500, "unitPrice": "8.20"}

    accepted = (await buyer.mutate_ok(ACCEPT, input=accept_input(str(quote["id"]), [(pid, 500)])))[
        "quote"
    ]
    order = accepted["order"]
    assert accepted["status"] == "ACCEPTED"
    assert (order["status"], order["total"], order["smallOrderFee"]) == (
        "VALIDATED",
        "4100.00",
        "0.00",
    )
    assert order["lines"] == [{"productName": "Ciment", "unitPrice": "8.20", "quantity": 500}]
    assert order["history"] == [
        {"from": None, "to": "PENDING", "actorRole": "BUYER", "reason": None},
        {"from": "PENDING", "to": "VALIDATED", "actorRole": None, "reason": "Offre acceptée"},
    ]
    assert [h["to"] for h in accepted["history"]] == ["REQUESTED", "OFFERED", "ACCEPTED"]
    assert accepted["lines"][0]["product"]["stock"] == 500


async def test_mes_offres_lists_open_quotes_only(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await make_product(seller)
    pid = encode_id("Product", product.id)
    requested = await _sent(buyer, pid, [1])
    declined = await _sent(buyer, pid, [2])
    offered = await _sent(buyer, pid, [3])
    await seller.mutate_ok(DECLINE, q=declined["id"], r="Rupture")
    await seller.mutate_ok(OFFER, input=_offer_input(offered, pid, {3: "1.00"}))

    open_ones = (await buyer.query(QUOTES, f={"open": True}))["quotes"]["edges"]
    assert [e["node"]["number"] for e in open_ones] == [offered["number"], requested["number"]]
    closed = (await buyer.query(QUOTES, f={"open": False}))["quotes"]["edges"]
    assert [e["node"]["status"] for e in closed] == ["DECLINED"]
    only = (await seller.query(QUOTES, f={"status": "OFFERED"}))["quotes"]["edges"]
    assert [e["node"]["number"] for e in only] == [offered["number"]]
    await buyer.mutate_ok(REFUSE, q=offered["id"])
    open_ones = (await buyer.query(QUOTES, f={"open": True}))["quotes"]["edges"]
    assert [e["node"]["number"] for e in open_ones] == [requested["number"]]


async def test_visibility_follows_orders(
    buyer: GraphQLClient,
    other_buyer: GraphQLClient,
    seller: GraphQLClient,
    other_seller: GraphQLClient,
    admin: GraphQLClient,
) -> None:
    acme = await acme_colleagues(
        boss_rights=["SEE_COMPANY_ORDERS", "PLACE_ORDERS"], peer_rights=["PLACE_ORDERS"]
    )
    boss, member, peer = acme.boss, acme.member, acme.peer
    member_client = await login_as(buyer.http, member)
    boss_client = await login_as(buyer.http, boss)
    peer_client = await login_as(buyer.http, peer)
    product = await make_product(seller)
    quote = await _sent(member_client, encode_id("Product", product.id), [5])

    for client in (member_client, boss_client, seller, admin):
        assert (await client.query(QUOTE, id=quote["id"]))["quote"]["id"] == quote["id"]
    for client in (other_buyer, other_seller, peer_client, buyer):
        assert (await client.query(QUOTE, id=quote["id"]))["quote"] is None
        assert (await client.query(QUOTES))["quotes"]["edges"] == []
    assert await GraphQLClient(buyer.http).error_codes(QUOTE, id=quote["id"]) == ["UNAUTHENTICATED"]
    # An id of another kind names no quote.
    assert (await admin.query(QUOTE, id=encode_id("Order", 1)))["quote"] is None


async def test_refusals_arrive_as_payload_errors_and_change_nothing(
    buyer: GraphQLClient,
    other_buyer: GraphQLClient,
    seller: GraphQLClient,
    other_seller: GraphQLClient,
) -> None:
    product = await make_product(seller, minimum_quantity=10)
    pid = encode_id("Product", product.id)
    quote = await _sent(buyer, pid, [10])
    before = await world()
    assert await buyer.refused(ADD, p=pid, q=[5]) == ["BELOW_MINIMUM_QUANTITY"]
    assert await buyer.refused(ADD, p="not-an-id", q=[10]) == ["INVALID_INPUT"]
    assert await buyer.refused(REMOVE, p=encode_id("Product", 999)) == ["NOT_FOUND"]
    assert await buyer.refused(SEND) == ["QUOTE_LIST_EMPTY"]
    assert await other_seller.refused(OFFER, input=_offer_input(quote, pid, {10: "1"})) == [
        "NOT_FOUND"
    ]
    assert await seller.refused(OFFER, input=_offer_input(quote, pid, {})) == ["INVALID_INPUT"]
    assert await seller.refused(
        OFFER, input={**_offer_input(quote, pid, {10: "1"}), "quoteId": encode_id("Order", 1)}
    ) == ["NOT_FOUND"]
    assert await other_buyer.refused(REFUSE, q=quote["id"]) == ["NOT_FOUND"]
    assert await buyer.refused(ACCEPT, input=accept_input(str(quote["id"]), [(pid, 10)])) == [
        "INVALID_TRANSITION"
    ]
    assert await buyer.error_codes(OFFER, input=_offer_input(quote, pid, {10: "1"})) == [
        "FORBIDDEN"
    ]
    assert await seller.error_codes(ACCEPT, input=accept_input(str(quote["id"]), [(pid, 10)])) == [
        "FORBIDDEN"
    ]
    assert await seller.error_codes(LIST) == ["FORBIDDEN"]
    assert await world() == before


async def test_every_bad_id_of_an_offer_or_an_acceptance_is_told_at_once(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await make_product(seller, minimum_quantity=10)
    quote = await _sent(buyer, encode_id("Product", product.id), [10])
    bad_quote = {**quote, "id": "???"}
    bad_ids = ["%%%", encode_id("Order", 1)]
    before = await world()
    offer = {
        **_offer_input(bad_quote, "", {}),
        "prices": [{"productId": p, "quantity": 10, "unitPrice": "1"} for p in bad_ids],
    }
    accept = accept_input("???", [(p, 10) for p in bad_ids])
    for caller, mutation, variables, field in (
        (seller, OFFER, offer, "prices"),
        (buyer, ACCEPT, accept, "choices"),
    ):
        payload = await caller.mutate(mutation, input=variables)
        assert [(e["code"], e["field"]) for e in payload["errors"]] == [
            ("INVALID_INPUT", "quoteId"),
            ("INVALID_INPUT", field),
            ("NOT_FOUND", field),
        ]
        assert payload["quote"] is None
    assert await world() == before
