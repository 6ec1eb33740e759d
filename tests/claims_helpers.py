"""Delivered orders, claims opened in one call, images and counters for the claim tests."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
from PIL import Image

from models.claims import Claim, ClaimReason, ClaimResolution, ClaimStatusChange, Refund, Upload
from models.events import Event
from models.helpdesk import Message, Thread
from models.invoices import Invoice, InvoiceKind
from models.mail import OutboxMail
from models.orders import Order, OrderLine
from resolvers import claims
from resolvers.claims import WantedLine
from resolvers.orders import mark_delivered, ship_order, validate_order
from resolvers.policy import Policy
from tests.catalog_helpers import make_product
from tests.clients import GraphQLClient
from tests.configuration import POLICY
from tests.orders_helpers import actor_of, reserve

CLAIM_FIELDS = """
  id number status reason returnInstructions returnCarrier returnTrackingNumber resolution
  respondBy refundDueBy overdue createdAt
  order { id number refundedTotal }
  lines { quantity orderLine { id productName quantity } }
  photos { id contentType width height url }
  thread { id subject messages { edges { node { body authorRole flagged } } } responseDueAt }
  refund { id amount reason claim { id } order { id } }
  history { from to actorRole reason }
"""

OPEN_CLAIM = f"""mutation($input: OpenClaimInput!) {{ openClaim(input: $input) {{
  errors {{ code field message }} warnings {{ code field }} claim {{ {CLAIM_FIELDS} }} }} }}"""
REQUEST_RETURN = """mutation($c: ID!, $i: String!) { requestReturn(claimId: $c, instructions: $i) {
  errors { code field message } claim { status returnInstructions } } }"""
SHIP_RETURN = """mutation($c: ID!) { shipReturn(claimId: $c, carrier: "Colissimo",
  trackingNumber: "6A123") { errors { code field message } claim { status returnCarrier } } }"""
RECEIVE_RETURN = """mutation($c: ID!) { receiveReturn(claimId: $c) {
  errors { code field message } claim { status refundDueBy overdue } } }"""
RESOLVE = """mutation($input: ResolveClaimInput!) { resolveClaim(input: $input) {
  errors { code field message } claim { id status resolution refund { amount }
  order { refundedTotal refunds { amount } } } } }"""
REJECT = """mutation($c: ID!, $r: String!) { rejectClaim(claimId: $c, reason: $r) {
  errors { code field message } claim { status } } }"""
CANCEL = """mutation($c: ID!) { cancelClaim(claimId: $c) {
  errors { code field message } claim { status } } }"""


@dataclass
class Delivered:
    order: Order
    lines: list[OrderLine]


async def delivered_order(
    buyer: GraphQLClient,
    seller: GraphQLClient,
    *quantities: int,
    price: str = "40.00",
    delivered_at: datetime | None = None,
) -> Delivered:
    """An order of `quantities` (one product per line) taken to DELIVERED through the rules."""
    products = [
        await make_product(seller, name=f"Perceuse {i}", price=price, stock=50)
        for i, _ in enumerate(quantities or (2,))
    ]
    (order,) = await reserve(buyer, *zip(products, quantities or (2,), strict=True))
    seller_actor = await actor_of(seller)
    await validate_order(seller_actor, order_id=order.id, policy=POLICY)
    await ship_order(
        seller_actor, order_id=order.id, carrier="Geodis", tracking_number="GE1", policy=POLICY
    )
    await mark_delivered(await actor_of(buyer), order_id=order.id, policy=POLICY)
    if delivered_at is not None:
        await Order.filter(id=order.id).update(delivered_at=delivered_at)
    order = await Order.get(id=order.id)
    return Delivered(order, list(await OrderLine.filter(order_id=order.id).order_by("id")))


async def open_claim(
    buyer: GraphQLClient,
    delivered: Delivered,
    *,
    quantity: int = 1,
    reason: str = "DEFECTIVE",
    now: datetime | None = None,
    body: str = "La perceuse ne démarre pas.",
) -> Claim:
    opened = await claims.open_claim(
        await actor_of(buyer),
        order_id=delivered.order.id,
        reason=ClaimReason(reason),
        body=body,
        lines=[WantedLine(delivered.lines[0].id, quantity)],
        policy=POLICY,
        now=now,
    )
    return opened.claim


async def received_return(
    buyer: GraphQLClient,
    seller: GraphQLClient,
    claim: Claim,
    *,
    at: datetime | None = None,
    policy: Policy = POLICY,
) -> Claim:
    """`claim` taken through its return at `at`: asked for, shipped, received by the seller."""
    seller_actor = await actor_of(seller)
    await claims.request_return(
        seller_actor, claim_id=claim.id, instructions="Retour.", policy=policy, now=at
    )
    await claims.ship_return(
        await actor_of(buyer),
        claim_id=claim.id,
        carrier="Colissimo",
        tracking_number="6A1",
        policy=policy,
        now=at,
    )
    return await claims.receive_return(seller_actor, claim_id=claim.id, policy=policy, now=at)


async def refund_claim(
    seller: GraphQLClient, claim: Claim, *, at: datetime | None = None, policy: Policy = POLICY
) -> Claim:
    """The seller settles `claim` with a refund of 40.00 € (a key of its own per claim)."""
    return await claims.resolve_claim(
        await actor_of(seller),
        claim_id=claim.id,
        resolution=ClaimResolution.REFUND,
        refund_amount=Decimal("40.00"),
        reason="Retour reçu",
        idempotency_key=f"refund-{claim.id}",
        policy=policy,
        now=at,
    )


def money(value: str) -> Decimal:
    return Decimal(value)


async def counts() -> dict[str, int]:
    """Every row a claim change may write."""
    return {
        "claims": await Claim.all().count(),
        "history": await ClaimStatusChange.all().count(),
        "refunds": await Refund.all().count(),
        "events": await Event.all().count(),
        "mails": await OutboxMail.all().count(),
        "threads": await Thread.all().count(),
        "messages": await Message.all().count(),
        "attached": await Upload.filter(claim_id__isnull=False).count(),
        "credit_notes": await Invoice.filter(kind=InvoiceKind.CREDIT_NOTE).count(),
        "refunded_cents": int(sum([o.refunded_total for o in await Order.all()], Decimal(0)) * 100),
    }


def jpeg_with_gps(size: tuple[int, int] = (64, 48)) -> bytes:
    """A real JPEG whose EXIF carries a GPS position (Paris) and a camera model."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x0110] = "Comptoir Cam"  # Model
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 3.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def png(size: tuple[int, int] = (20, 10)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (0, 128, 0, 255)).save(out, format="PNG")
    return out.getvalue()


async def upload(
    http: httpx.AsyncClient,
    client: GraphQLClient | None,
    data: bytes,
    content_type: str = "image/jpeg",
) -> httpx.Response:
    headers = {"Content-Type": content_type}
    if client is not None and client.token:
        headers["Authorization"] = f"Bearer {client.token}"
    return await http.post("/uploads", content=data, headers=headers)


async def uploaded_id(http: httpx.AsyncClient, client: GraphQLClient) -> str:
    response = await upload(http, client, jpeg_with_gps())
    assert response.status_code == 201, response.text
    value: Any = response.json()["id"]
    return str(value)


def at(text: str) -> datetime:
    """An aware instant from ISO text (offset required)."""
    moment = datetime.fromisoformat(text)
    assert moment.tzinfo is not None
    return moment.astimezone(UTC)
