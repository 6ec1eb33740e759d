"""A claim's life over HTTP: opening with its thread, the return, the refund, mails."""

from __future__ import annotations

from datetime import timedelta

import httpx

from models.accounts import Role
from models.claims import Claim, Refund
from models.invoices import Invoice, InvoiceKind
from models.mail import OutboxMail
from schema.ids import decode_id, encode_id
from tests.claims_helpers import (
    CANCEL,
    OPEN_CLAIM,
    RECEIVE_RETURN,
    REJECT,
    REQUEST_RETURN,
    RESOLVE,
    SHIP_RETURN,
    at,
    counts,
    delivered_order,
    uploaded_id,
)
from tests.clients import GraphQLClient
from tests.factories import login_as, make_account

CLAIM = "query($id: ID!) { claim(id: $id) { id status history { from to actorRole reason } } }"
ORDER = """query($id: ID!) { order(id: $id) { deliveredAt claimableUntil withdrawableUntil
  refundedTotal lines { id } claims { number } refunds { amount } } }"""
CLAIMS = """query($f: ClaimFilter) { claims(filter: $f) { edges { node { number status } } } }"""


def _input(order_id: int, line_id: int, quantity: int = 1, **extra: object) -> dict[str, object]:
    return {
        "orderId": encode_id("Order", order_id),
        "reason": "DEFECTIVE",
        "body": "La perceuse ne démarre pas.",
        "lines": [{"orderLineId": encode_id("OrderLine", line_id), "quantity": quantity}],
        **extra,
    }


def _resolve(claim_id: str, key: str = "k1", **extra: object) -> dict[str, object]:
    return {
        "claimId": claim_id,
        "resolution": "REFUND",
        "refundAmount": "40.00",
        "reason": "Remboursement après retour",
        "idempotencyKey": key,
        **extra,
    }


async def _mails_to(address: str) -> list[str]:
    return [m.subject for m in await OutboxMail.filter(recipient=address).order_by("id")]


async def test_a_claim_goes_from_opening_to_a_refund_with_history_mails_and_thread(
    http: httpx.AsyncClient, buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    delivered = await delivered_order(buyer, seller, 2)
    order_gid = encode_id("Order", delivered.order.id)
    order = (await buyer.query(ORDER, id=order_gid))["order"]
    assert order["lines"][0]["id"] == encode_id("OrderLine", delivered.lines[0].id)
    delivered_at = at(order["deliveredAt"])
    assert at(order["withdrawableUntil"]) == delivered_at + timedelta(days=30)
    assert at(order["claimableUntil"]) > delivered_at + timedelta(days=3)
    await OutboxMail.all().delete()
    photo = await uploaded_id(http, buyer)

    opened = await buyer.mutate_ok(
        OPEN_CLAIM,
        input=_input(
            delivered.order.id,
            delivered.lines[0].id,
            photoIds=[photo],
            body="Cassée. Appelez-moi au 06 12 34 56 78.",
        ),
    )
    claim = opened["claim"]
    assert claim["status"] == "OPEN"
    assert claim["number"].startswith("REC-")
    assert claim["thread"]["subject"] == f"Réclamation {claim['number']}"
    (first,) = claim["thread"]["messages"]["edges"]
    assert first["node"]["body"] == "Cassée. Appelez-moi au 06 12 34 56 78."
    assert first["node"]["flagged"] is True
    assert [w["code"] for w in opened["warnings"]] == ["CONTACT_DETAILS_NOT_ALLOWED"]
    assert claim["respondBy"] == claim["thread"]["responseDueAt"] is not None
    assert claim["overdue"] is False
    assert claim["lines"][0]["quantity"] == 1
    assert claim["history"] == [{"from": None, "to": "OPEN", "actorRole": "BUYER", "reason": None}]
    assert await _mails_to("seller@example.fr") == [
        f"Réclamation {claim['number']} : Réclamation ouverte"
    ]
    cid = claim["id"]

    returned = await seller.mutate_ok(REQUEST_RETURN, c=cid, i="Étiquette Colissimo jointe.")
    assert returned["claim"]["returnInstructions"] == "Étiquette Colissimo jointe."
    assert (await buyer.mutate_ok(SHIP_RETURN, c=cid))["claim"]["status"] == "RETURN_SHIPPED"
    received = (await seller.mutate_ok(RECEIVE_RETURN, c=cid))["claim"]
    assert received["status"] == "RETURN_RECEIVED"
    assert received["refundDueBy"] is not None
    assert received["overdue"] is False

    resolved = (await seller.mutate_ok(RESOLVE, input=_resolve(cid)))["claim"]
    assert resolved["status"] == "RESOLVED"
    assert resolved["resolution"] == "REFUND"
    assert resolved["refund"] == {"amount": "40.00"}
    assert resolved["order"]["refundedTotal"] == "40.00"
    assert resolved["order"]["refunds"] == [{"amount": "40.00"}]
    # The refund's credit note was issued with it, correcting the invoice of the shipment.
    refund = await Refund.get(claim_id=decode_id(cid, "Claim"))
    note = await Invoice.get(refund_id=refund.id)
    assert note.kind is InvoiceKind.CREDIT_NOTE
    assert note.total == refund.amount
    assert (
        note.corrects_id
        == (await Invoice.get(order_id=delivered.order.id, kind=InvoiceKind.INVOICE)).id
    )

    history = (await buyer.query(CLAIM, id=cid))["claim"]["history"]
    assert [(h["from"], h["to"], h["actorRole"]) for h in history] == [
        (None, "OPEN", "BUYER"),
        ("OPEN", "RETURN_REQUESTED", "SELLER"),
        ("RETURN_REQUESTED", "RETURN_SHIPPED", "BUYER"),
        ("RETURN_SHIPPED", "RETURN_RECEIVED", "SELLER"),
        ("RETURN_RECEIVED", "RESOLVED", "SELLER"),
    ]
    assert history[-1]["reason"] == "Remboursement après retour"
    # Each change mailed to the other party only.
    assert len(await _mails_to("buyer@example.fr")) == 3
    assert len(await _mails_to("seller@example.fr")) == 2
    listed = (await seller.query(CLAIMS, f={"status": "RESOLVED"}))["claims"]["edges"]
    assert [e["node"]["number"] for e in listed] == [claim["number"]]


async def test_resolve_claim_is_idempotent_by_key_and_refuses_a_reused_key(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    delivered = await delivered_order(buyer, seller, 2)
    claim = (
        await buyer.mutate_ok(OPEN_CLAIM, input=_input(delivered.order.id, delivered.lines[0].id))
    )["claim"]
    first = await seller.mutate_ok(RESOLVE, input=_resolve(claim["id"], "same"))
    before = await counts()

    again = await seller.mutate_ok(RESOLVE, input=_resolve(claim["id"], "same"))
    assert again["claim"] == first["claim"]
    assert await counts() == before
    reused = await seller.refused(
        RESOLVE, input=_resolve(claim["id"], "same", refundAmount="10.00")
    )
    assert reused == ["IDEMPOTENCY_KEY_REUSED"]
    assert await counts() == before
    assert await Refund.all().count() == 1
    assert await Invoice.filter(kind=InvoiceKind.CREDIT_NOTE).count() == 1


async def test_a_partial_refund_then_the_rest_and_not_one_cent_more(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    delivered = await delivered_order(buyer, seller, 1, 1, price="60.00")  # total 120.00
    first = (
        await buyer.mutate_ok(OPEN_CLAIM, input=_input(delivered.order.id, delivered.lines[0].id))
    )["claim"]
    second = (
        await buyer.mutate_ok(OPEN_CLAIM, input=_input(delivered.order.id, delivered.lines[1].id))
    )["claim"]
    # A refund may cover more than the claimed line (return shipping), within the order.
    await seller.mutate_ok(RESOLVE, input=_resolve(first["id"], "a", refundAmount="70.00"))
    before = await counts()
    too_much = await seller.refused(
        RESOLVE, input=_resolve(second["id"], "b", refundAmount="50.01")
    )
    assert too_much == ["REFUND_TOO_LARGE"]
    assert await counts() == before
    assert (await Claim.get(id=decode_id(second["id"], "Claim"))).status == "OPEN"
    done = await seller.mutate_ok(RESOLVE, input=_resolve(second["id"], "c", refundAmount="50.00"))
    assert done["claim"]["order"]["refundedTotal"] == "120.00"


async def test_replacement_takes_no_amount_and_cancel_and_reject_close_a_claim(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    delivered = await delivered_order(buyer, seller, 3)
    line = delivered.lines[0].id
    ids = [
        (await buyer.mutate_ok(OPEN_CLAIM, input=_input(delivered.order.id, line)))["claim"]["id"]
        for _ in range(3)
    ]
    replaced = await seller.mutate_ok(
        RESOLVE, input=_resolve(ids[0], "r", resolution="REPLACEMENT", refundAmount=None)
    )
    assert replaced["claim"]["refund"] is None
    assert replaced["claim"]["order"]["refundedTotal"] == "0.00"
    assert (await buyer.mutate_ok(CANCEL, c=ids[1]))["claim"]["status"] == "CANCELLED"
    assert (await seller.mutate_ok(REJECT, c=ids[2], r="Usure normale"))["claim"][
        "status"
    ] == "REJECTED"
    # Cancelled and rejected claims free their quantities: two units are claimable again.
    await buyer.mutate_ok(OPEN_CLAIM, input=_input(delivered.order.id, line, 2))


async def test_company_colleagues_claim_for_each_other_with_the_rights(
    http: httpx.AsyncClient, seller: GraphQLClient
) -> None:
    all_rights = ["PLACE_ORDERS", "SEE_COMPANY_ORDERS", "MANAGE_COLLEAGUES"]
    main = await make_account(
        Role.BUYER, email="main@acme.fr", company="ACME BTP", postal_code="75011", rights=all_rights
    )
    colleague = await make_account(
        Role.BUYER,
        email="chef@acme.fr",
        company_id=main.company_id,
        rights=["PLACE_ORDERS", "SEE_COMPANY_ORDERS"],
    )
    blind = await make_account(
        Role.BUYER, email="blind@acme.fr", company_id=main.company_id, rights=["PLACE_ORDERS"]
    )
    main_client = await login_as(http, main)
    delivered = await delivered_order(main_client, seller, 2)
    request = _input(delivered.order.id, delivered.lines[0].id)

    opened = await (await login_as(http, colleague)).mutate_ok(OPEN_CLAIM, input=request)
    listed = (await main_client.query(CLAIMS))["claims"]["edges"]
    assert [e["node"]["number"] for e in listed] == [opened["claim"]["number"]]
    assert (await main_client.mutate_ok(CANCEL, c=opened["claim"]["id"]))["claim"][
        "status"
    ] == "CANCELLED"
    # Without SEE_COMPANY_ORDERS the colleague's order is not there at all.
    blind_client = await login_as(http, blind)
    assert await blind_client.refused(OPEN_CLAIM, input=request) == ["NOT_FOUND"]
    assert (await blind_client.query(CLAIMS))["claims"]["edges"] == []
