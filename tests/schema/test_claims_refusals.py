"""Every claim mutation as the wrong caller and with bad input: the code, and nothing changed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest

from models.accounts import Role
from models.claims import Claim, ClaimStatus
from schema.ids import encode_id
from tests.claims_helpers import (
    CANCEL,
    OPEN_CLAIM,
    RECEIVE_RETURN,
    REJECT,
    REQUEST_RETURN,
    RESOLVE,
    SHIP_RETURN,
    Delivered,
    counts,
    delivered_order,
    open_claim,
    uploaded_id,
)
from tests.clients import GraphQLClient
from tests.factories import login_as, make_account


@dataclass
class World:
    callers: dict[str, GraphQLClient]
    delivered: Delivered
    claim: Claim


@pytest.fixture
async def world(
    http: httpx.AsyncClient,
    seller: GraphQLClient,
    other_buyer: GraphQLClient,
    other_seller: GraphQLClient,
    admin: GraphQLClient,
    anonymous: GraphQLClient,
) -> World:
    """A company buyer's delivered order with an OPEN claim, and every wrong caller."""
    main = await make_account(
        Role.BUYER,
        email="main@acme.fr",
        company="ACME BTP",
        postal_code="75011",
        rights=["PLACE_ORDERS", "SEE_COMPANY_ORDERS", "MANAGE_COLLEAGUES"],
    )
    looker = await make_account(
        Role.BUYER,
        email="looker@acme.fr",
        company_id=main.company_id,
        rights=["SEE_COMPANY_ORDERS"],
    )
    buyer = await login_as(http, main)
    delivered = await delivered_order(buyer, seller, 3)
    claim = await open_claim(buyer, delivered)
    return World(
        {
            "buyer": buyer,
            "seller": seller,
            "other_buyer": other_buyer,
            "other_seller": other_seller,
            "admin": admin,
            "anonymous": anonymous,
            "colleague_without_place_orders": await login_as(http, looker),
        },
        delivered,
        claim,
    )


async def _code(client: GraphQLClient, query: str, **variables: Any) -> str:
    """The refusal's code: top-level (UNAUTHENTICATED, FORBIDDEN) or the payload's first."""
    body = await client.execute(query, **variables)
    if body.get("errors"):
        return str(body["errors"][0]["extensions"]["code"])
    (payload,) = body["data"].values()
    assert payload["errors"], payload
    assert payload["claim"] is None
    return str(payload["errors"][0]["code"])


def _open_input(w: World) -> dict[str, object]:
    return {
        "orderId": encode_id("Order", w.delivered.order.id),
        "reason": "DAMAGED",
        "body": "Abîmé.",
        "lines": [{"orderLineId": encode_id("OrderLine", w.delivered.lines[0].id), "quantity": 1}],
    }


def _resolve_input(w: World, **extra: object) -> dict[str, object]:
    return {
        "claimId": encode_id("Claim", w.claim.id),
        "resolution": "REFUND",
        "refundAmount": "10.00",
        "reason": "Geste",
        "idempotencyKey": "k",
        **extra,
    }


Variables = Callable[[World], dict[str, Any]]

SELLER_MUTATIONS: dict[str, tuple[str, Variables]] = {
    "requestReturn": (
        REQUEST_RETURN,
        lambda w: {"c": encode_id("Claim", w.claim.id), "i": "Renvoyez-le."},
    ),
    "rejectClaim": (REJECT, lambda w: {"c": encode_id("Claim", w.claim.id), "r": "Non."}),
    "resolveClaim": (RESOLVE, lambda w: {"input": _resolve_input(w)}),
    "receiveReturn": (RECEIVE_RETURN, lambda w: {"c": encode_id("Claim", w.claim.id)}),
}
BUYER_MUTATIONS: dict[str, tuple[str, Variables]] = {
    "openClaim": (OPEN_CLAIM, lambda w: {"input": _open_input(w)}),
    "cancelClaim": (CANCEL, lambda w: {"c": encode_id("Claim", w.claim.id)}),
    "shipReturn": (SHIP_RETURN, lambda w: {"c": encode_id("Claim", w.claim.id)}),
}
SELLER_WRONG = {
    "other_seller": "NOT_FOUND",
    "buyer": "FORBIDDEN",
    "other_buyer": "FORBIDDEN",
    "admin": "FORBIDDEN",
    "anonymous": "UNAUTHENTICATED",
    "colleague_without_place_orders": "FORBIDDEN",
}
BUYER_WRONG = {
    "other_buyer": "NOT_FOUND",
    "seller": "FORBIDDEN",
    "other_seller": "FORBIDDEN",
    "admin": "FORBIDDEN",
    "anonymous": "UNAUTHENTICATED",
    "colleague_without_place_orders": "RIGHT_MISSING",
}
CASES = [(name, who, code) for name in SELLER_MUTATIONS for who, code in SELLER_WRONG.items()] + [
    (name, who, code) for name in BUYER_MUTATIONS for who, code in BUYER_WRONG.items()
]


@pytest.mark.parametrize(("mutation", "caller", "code"), CASES)
async def test_a_claim_mutation_by_the_wrong_caller_is_refused_and_changes_nothing(
    world: World, mutation: str, caller: str, code: str
) -> None:
    query, variables = {**SELLER_MUTATIONS, **BUYER_MUTATIONS}[mutation]
    if mutation == "shipReturn":  # from the state it would otherwise leave
        await Claim.filter(id=world.claim.id).update(status=ClaimStatus.RETURN_REQUESTED)
    if mutation == "receiveReturn":
        await Claim.filter(id=world.claim.id).update(status=ClaimStatus.RETURN_SHIPPED)
    status = (await Claim.get(id=world.claim.id)).status
    before = await counts()

    assert await _code(world.callers[caller], query, **variables(world)) == code

    assert await counts() == before
    assert (await Claim.get(id=world.claim.id)).status == status


async def test_admins_read_every_claim_other_parties_see_nothing(world: World) -> None:
    query = "query($id: ID!) { claim(id: $id) { number } }"
    cid = encode_id("Claim", world.claim.id)
    for who in ("buyer", "seller", "admin"):
        assert (await world.callers[who].query(query, id=cid))["claim"] is not None
    for who in ("other_buyer", "other_seller"):
        assert (await world.callers[who].query(query, id=cid))["claim"] is None
    listing = "{ claims { edges { node { number } } } }"
    assert (await world.callers["other_seller"].query(listing))["claims"]["edges"] == []
    assert len((await world.callers["admin"].query(listing))["claims"]["edges"]) == 1
    assert await world.callers["anonymous"].error_codes(query, id=cid) == ["UNAUTHENTICATED"]


def _open(w: World, **changes: object) -> dict[str, object]:
    return {**_open_input(w), **changes}


def _lines(w: World, quantity: int, index: int = 0) -> list[dict[str, object]]:
    return [
        {"orderLineId": encode_id("OrderLine", w.delivered.lines[index].id), "quantity": quantity}
    ]


async def test_bad_openings_are_refused_with_their_code_and_change_nothing(
    http: httpx.AsyncClient, world: World, seller: GraphQLClient
) -> None:
    buyer = world.callers["buyer"]
    undelivered = (await delivered_order(buyer, seller, 1)).order
    await undelivered.filter(id=undelivered.id).update(status="SHIPPED")
    other_line = (await delivered_order(buyer, seller, 1)).lines[0]
    photos = [await uploaded_id(http, buyer) for _ in range(11)]
    cases: list[tuple[dict[str, object], str, str | None]] = [
        (_open(world, lines=_lines(world, 0)), "INVALID_INPUT", "lines"),
        (_open(world, lines=_lines(world, 4)), "INVALID_INPUT", "lines"),
        # The OPEN claim holds 1 of the 3: 3 more are not free.
        (_open(world, lines=_lines(world, 3)), "CLAIM_ALREADY_OPEN", "lines"),
        (_open(world, lines=[]), "INVALID_INPUT", "lines"),
        (
            _open(
                world, lines=[{"orderLineId": encode_id("OrderLine", other_line.id), "quantity": 1}]
            ),
            "INVALID_INPUT",
            "lines",
        ),
        (_open(world, body="   "), "INVALID_INPUT", "body"),
        (_open(world, body="x" * 10_001), "INVALID_INPUT", "body"),
        (_open(world, orderId=encode_id("Order", undelivered.id)), "INVALID_TRANSITION", "orderId"),
        (_open(world, orderId="@@@"), "INVALID_INPUT", "orderId"),
        (_open(world, orderId=encode_id("Order", 999_999)), "NOT_FOUND", "orderId"),
        (_open(world, photoIds=photos), "INVALID_INPUT", "photoIds"),
        (_open(world, photoIds=[photos[0], photos[0]]), "INVALID_INPUT", "photoIds"),
    ]
    before = await counts()
    for variables, code, field in cases:
        payload = await buyer.mutate(OPEN_CLAIM, input=variables)
        assert [(e["code"], e["field"]) for e in payload["errors"]] == [(code, field)], variables
        assert payload["claim"] is None
    assert await counts() == before


async def test_every_bad_id_of_a_claim_is_told_at_once_and_nothing_changes(world: World) -> None:
    variables = {
        **_open_input(world),
        "orderId": "@@@",
        "lines": [
            {"orderLineId": encode_id("Order", 1), "quantity": 1},
            {"orderLineId": "%%%", "quantity": 1},
        ],
        # Two unknown ids of one list are two problems.
        "photoIds": [encode_id("Order", 1), encode_id("Order", 2)],
    }
    before = await counts()
    payload = await world.callers["buyer"].mutate(OPEN_CLAIM, input=variables)
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [
        ("INVALID_INPUT", "orderId"),
        ("NOT_FOUND", "lines"),
        ("INVALID_INPUT", "lines"),
        ("NOT_FOUND", "photoIds"),
        ("NOT_FOUND", "photoIds"),
    ]
    assert payload["claim"] is None
    assert await counts() == before


async def test_bad_moves_are_refused_with_their_code_and_change_nothing(world: World) -> None:
    buyer, seller = world.callers["buyer"], world.callers["seller"]
    cid = encode_id("Claim", world.claim.id)
    cases: list[tuple[GraphQLClient, str, dict[str, object], str]] = [
        (seller, RECEIVE_RETURN, {"c": cid}, "INVALID_TRANSITION"),
        (buyer, SHIP_RETURN, {"c": cid}, "INVALID_TRANSITION"),
        (seller, REQUEST_RETURN, {"c": cid, "i": "  "}, "INVALID_INPUT"),
        (seller, REJECT, {"c": cid, "r": ""}, "INVALID_INPUT"),
        (seller, RESOLVE, {"input": _resolve_input(world, refundAmount=None)}, "INVALID_INPUT"),
        (seller, RESOLVE, {"input": _resolve_input(world, refundAmount="0.00")}, "INVALID_INPUT"),
        (seller, RESOLVE, {"input": _resolve_input(world, refundAmount="1.005")}, "INVALID_INPUT"),
        (seller, RESOLVE, {"input": _resolve_input(world, resolution="REPAIR")}, "INVALID_INPUT"),
        (
            seller,
            RESOLVE,
            {"input": _resolve_input(world, refundAmount="120.01")},
            "REFUND_TOO_LARGE",
        ),
        (seller, RESOLVE, {"input": _resolve_input(world, reason=" ")}, "INVALID_INPUT"),
        (seller, RESOLVE, {"input": _resolve_input(world, idempotencyKey="")}, "INVALID_INPUT"),
        (seller, RESOLVE, {"input": _resolve_input(world, claimId="x")}, "INVALID_INPUT"),
    ]
    before = await counts()
    for client, query, variables, code in cases:
        assert await _code(client, query, **variables) == code, (query, variables)
    assert await counts() == before
    assert (await Claim.get(id=world.claim.id)).status is ClaimStatus.OPEN

    await buyer.mutate_ok(CANCEL, c=cid)
    before = await counts()
    closed: list[tuple[GraphQLClient, str, dict[str, Any]]] = [
        (buyer, CANCEL, {"c": cid}),
        (seller, REJECT, {"c": cid, "r": "Non"}),
        (seller, RESOLVE, {"input": _resolve_input(world)}),
    ]
    for client, query, variables in closed:
        assert await _code(client, query, **variables) == "INVALID_TRANSITION"
    assert await counts() == before


async def test_a_withdrawal_resolves_only_by_refunding_the_returned_goods(world: World) -> None:
    buyer, seller = world.callers["buyer"], world.callers["seller"]
    withdrawal = await open_claim(buyer, world.delivered, quantity=2, reason="WITHDRAWAL")
    cid = encode_id("Claim", withdrawal.id)
    before = await counts()
    # Inside its window a withdrawal cannot be rejected, nor resolved before the return.
    assert await _code(seller, REJECT, c=cid, r="Non") == "INVALID_TRANSITION"
    key = {"claimId": cid, "idempotencyKey": "w"}
    assert await _code(seller, RESOLVE, input=_resolve_input(world, **key)) == (
        "INVALID_TRANSITION"
    )
    assert await counts() == before
    await seller.mutate_ok(REQUEST_RETURN, c=cid, i="Retour à vos frais.")
    await buyer.mutate_ok(SHIP_RETURN, c=cid)
    await seller.mutate_ok(RECEIVE_RETURN, c=cid)
    before = await counts()
    # Two units at 40.00 were returned: at least 80.00, by refund only.
    assert (
        await _code(seller, RESOLVE, input=_resolve_input(world, refundAmount="79.99", **key))
        == "INVALID_INPUT"
    )
    assert (
        await _code(
            seller,
            RESOLVE,
            input=_resolve_input(world, resolution="REPLACEMENT", refundAmount=None, **key),
        )
        == "INVALID_INPUT"
    )
    assert await counts() == before
    done = await seller.mutate_ok(RESOLVE, input=_resolve_input(world, refundAmount="80.00", **key))
    assert done["claim"]["order"]["refundedTotal"] == "80.00"


async def test_a_withdrawal_past_its_window_may_be_rejected(world: World) -> None:
    withdrawal = await open_claim(world.callers["buyer"], world.delivered, reason="WITHDRAWAL")
    delivered_at = world.delivered.order.delivered_at
    assert delivered_at is not None
    await world.delivered.order.filter(id=world.delivered.order.id).update(
        delivered_at=delivered_at - timedelta(days=31)
    )
    payload = await world.callers["seller"].mutate_ok(
        REJECT, c=encode_id("Claim", withdrawal.id), r="Hors délai"
    )
    assert payload["claim"]["status"] == "REJECTED"
