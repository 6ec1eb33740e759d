"""Claims and refunds racing on one order through the app, truly at once (SQLite or
PostgreSQL, per the suite's database): the order bounds what is claimed and refunded."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from models.claims import Claim, ClaimStatus, Refund
from models.invoices import Invoice, InvoiceKind
from models.orders import Order
from schema.ids import encode_id
from tests.claims_helpers import OPEN_CLAIM, RESOLVE, delivered_order, open_claim
from tests.clients import GraphQLClient


def _resolve(claim_id: int, key: str, amount: str) -> dict[str, object]:
    return {
        "claimId": encode_id("Claim", claim_id),
        "resolution": "REFUND",
        "refundAmount": amount,
        "reason": "Remboursement",
        "idempotencyKey": key,
    }


async def test_six_refunds_of_fifty_on_a_240_order_let_exactly_four_through(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    delivered = await delivered_order(buyer, seller, 6)  # 6 x 40.00 = 240.00
    claim_ids = [(await open_claim(buyer, delivered)).id for _ in range(6)]

    payloads = await asyncio.gather(
        *(seller.mutate(RESOLVE, input=_resolve(c, f"k{c}", "50.00")) for c in claim_ids)
    )

    won = [p for p in payloads if not p["errors"]]
    lost = [p for p in payloads if p["errors"]]
    assert len(won) == 4
    assert [e["code"] for p in lost for e in p["errors"]] == ["REFUND_TOO_LARGE"] * 2
    order = await Order.get(id=delivered.order.id)
    assert order.refunded_total == Decimal("200.00")
    assert await Refund.filter(order_id=order.id).count() == 4
    assert await Invoice.filter(kind=InvoiceKind.CREDIT_NOTE).count() == 4
    # Exactly the claims that got their refund are resolved; the others are still open.
    refunded = {r.claim_id for r in await Refund.all()}
    resolved = {c.id for c in await Claim.filter(status=ClaimStatus.RESOLVED)}
    assert refunded == resolved
    assert len(resolved) == 4
    assert await Claim.filter(status=ClaimStatus.OPEN).count() == 2


async def test_one_key_sent_ten_times_at_once_records_one_refund(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    delivered = await delivered_order(buyer, seller, 2)
    claim = await open_claim(buyer, delivered)

    payloads = await asyncio.gather(
        *(
            seller.mutate(RESOLVE, input=_resolve(claim.id, "double-click", "30.00"))
            for _ in range(10)
        )
    )

    assert all(p["errors"] == [] for p in payloads), payloads
    assert {p["claim"]["id"] for p in payloads} == {encode_id("Claim", claim.id)}
    assert await Refund.all().count() == 1
    assert (await Order.get(id=delivered.order.id)).refunded_total == Decimal("30.00")


async def test_two_claims_for_the_last_free_unit_at_once_open_one(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    delivered = await delivered_order(buyer, seller, 3)
    await open_claim(buyer, delivered, quantity=2)  # one unit left to claim
    request = {
        "orderId": encode_id("Order", delivered.order.id),
        "reason": "DAMAGED",
        "body": "Abîmé.",
        "lines": [{"orderLineId": encode_id("OrderLine", delivered.lines[0].id), "quantity": 1}],
    }

    payloads = await asyncio.gather(*(buyer.mutate(OPEN_CLAIM, input=request) for _ in range(5)))

    assert sum(1 for p in payloads if not p["errors"]) == 1
    assert sorted(e["code"] for p in payloads for e in p["errors"]) == (["CLAIM_ALREADY_OPEN"] * 4)
    assert await Claim.all().count() == 2
