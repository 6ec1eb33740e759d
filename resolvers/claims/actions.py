"""What the buyer and the seller do to an open claim, each move through the one table."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from models.claims import Claim, ClaimLine, ClaimReason, ClaimResolution, ClaimStatus
from models.orders import IdempotencyKey, Order, OrderLine
from realtime.log import atomic
from resolvers.actor import Actor
from resolvers.claims.deadlines import withdrawable_until
from resolvers.claims.flow import TRANSITIONS, ClaimColumns, change_status
from resolvers.claims.queries import visible_claim_or_not_found
from resolvers.claims.refunds import record_refund
from resolvers.errors import DomainError, ErrorCode, Problems
from resolvers.free_text import MAX_REMARK, clean_remark, clean_text
from resolvers.idempotency import digest, once
from resolvers.orders.queries import buyers_row, sellers_row
from resolvers.policy import Policy
from resolvers.pricing import CENT

S = ClaimStatus


def _utc(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).astimezone(UTC)


async def _buyers_claim(actor: Actor, claim_id: int) -> Claim:
    return await buyers_row(actor, visible_claim_or_not_found, claim_id)


async def _sellers_claim(actor: Actor, claim_id: int) -> Claim:
    """Only the order's seller moves its claims; admins read them without acting."""
    return await sellers_row(actor, visible_claim_or_not_found, claim_id)


async def _move(
    actor: Actor,
    claim: Claim,
    to: ClaimStatus,
    *,
    policy: Policy,
    now: datetime | None,
    reason: str | None = None,
    columns: ClaimColumns | None = None,
) -> Claim:
    assert actor.role is not None
    order = await Order.get(id=claim.order_id)
    return await change_status(
        claim,
        to=to,
        role=actor.role,
        actor_account_id=actor.account_id,
        policy=policy,
        order_number=order.number,
        reason=reason,
        now=_utc(now),
        columns=columns,
    )


def _text(problems: Problems, value: str | None, field: str, limit: int = MAX_REMARK) -> str:
    return clean_text(problems, value, field, required=True, limit=limit) or ""


async def request_return(
    actor: Actor, *, claim_id: int, instructions: str, policy: Policy, now: datetime | None = None
) -> Claim:
    """The seller asks for the goods back and says how (seed 001: a return label)."""
    claim = await _sellers_claim(actor, claim_id)
    text = clean_remark(instructions, "instructions", required=True) or ""
    return await _move(
        actor,
        claim,
        S.RETURN_REQUESTED,
        policy=policy,
        now=now,
        columns=ClaimColumns(return_instructions=text),
    )


async def ship_return(
    actor: Actor,
    *,
    claim_id: int,
    carrier: str,
    tracking_number: str,
    policy: Policy,
    now: datetime | None = None,
) -> Claim:
    claim = await _buyers_claim(actor, claim_id)
    with Problems() as problems:
        columns = ClaimColumns(
            return_carrier=_text(problems, carrier, "carrier", 200),
            return_tracking_number=_text(problems, tracking_number, "trackingNumber", 200),
        )
    return await _move(actor, claim, S.RETURN_SHIPPED, policy=policy, now=now, columns=columns)


async def receive_return(
    actor: Actor, *, claim_id: int, policy: Policy, now: datetime | None = None
) -> Claim:
    """Seed 001: the refund is due within COMPTOIR_REFUND_BUSINESS_DAYS of receiving it."""
    claim = await _sellers_claim(actor, claim_id)
    now = _utc(now)
    return await _move(
        actor,
        claim,
        S.RETURN_RECEIVED,
        policy=policy,
        now=now,
        columns=ClaimColumns(
            refund_due_by=policy.business_days_after(now, policy.refund_business_days)
        ),
    )


async def reject_claim(
    actor: Actor, *, claim_id: int, reason: str, policy: Policy, now: datetime | None = None
) -> Claim:
    """A withdrawal is a right: it cannot be rejected while inside its window."""
    claim = await _sellers_claim(actor, claim_id)
    text = clean_remark(reason, "reason", required=True) or ""
    now = _utc(now)
    if claim.reason is ClaimReason.WITHDRAWAL:
        end = withdrawable_until(await Order.get(id=claim.order_id), policy)
        if end is not None and now < end:
            raise DomainError(
                ErrorCode.INVALID_TRANSITION,
                "Une rétractation dans son délai ne peut pas être refusée.",
                "claimId",
            )
    return await _move(actor, claim, S.REJECTED, policy=policy, now=now, reason=text)


async def cancel_claim(
    actor: Actor, *, claim_id: int, policy: Policy, now: datetime | None = None
) -> Claim:
    claim = await _buyers_claim(actor, claim_id)
    return await _move(actor, claim, S.CANCELLED, policy=policy, now=now)


def _amount(
    problems: Problems, resolution: ClaimResolution, amount: Decimal | None
) -> Decimal | None:
    if resolution is not ClaimResolution.REFUND:
        if amount is not None:
            problems.invalid(
                "Un échange ou une réparation ne porte pas de montant.", "refundAmount"
            )
        return None
    if (
        amount is None
        or not amount.is_finite()
        or amount <= 0
        or amount != amount.quantize(CENT)
        or amount >= Decimal("1e10")
    ):
        problems.invalid("Montant du remboursement : positif, au centime près.", "refundAmount")
        return None
    return amount.quantize(CENT)


async def _returned_value(claim: Claim) -> Decimal:
    lines = await ClaimLine.filter(claim_id=claim.id)
    prices = {
        line.id: line.unit_price
        for line in await OrderLine.filter(id__in=[c.order_line_id for c in lines])
    }
    return sum((prices[c.order_line_id] * c.quantity for c in lines), Decimal("0.00"))


async def _resolve(
    actor: Actor,
    claim: Claim,
    *,
    resolution: ClaimResolution,
    amount: Decimal | None,
    reason: str,
    policy: Policy,
    now: datetime,
) -> Claim:
    assert actor.role is not None
    TRANSITIONS.check(claim.status, S.RESOLVED, actor.role)
    if claim.reason is ClaimReason.WITHDRAWAL:
        if claim.status is not S.RETURN_RECEIVED:
            raise DomainError(
                ErrorCode.INVALID_TRANSITION,
                "Une rétractation se résout une fois le retour reçu.",
                "claimId",
            )
        value = await _returned_value(claim)
        with Problems() as problems:
            if resolution is not ClaimResolution.REFUND:
                problems.invalid("Une rétractation se résout par un remboursement.", "resolution")
            if amount is not None and amount < value:
                problems.invalid(
                    f"Une rétractation rembourse au moins les articles retournés ({value} €).",
                    "refundAmount",
                )
    order = await Order.get(id=claim.order_id)
    async with atomic():
        if amount is not None:
            await record_refund(
                order=order, amount=amount, reason=reason, now=now, policy=policy, claim_id=claim.id
            )
        return await change_status(
            claim,
            to=S.RESOLVED,
            role=actor.role,
            actor_account_id=actor.account_id,
            policy=policy,
            order_number=order.number,
            reason=reason,
            now=now,
            columns=ClaimColumns(resolution=resolution),
        )


async def resolve_claim(
    actor: Actor,
    *,
    claim_id: int,
    resolution: ClaimResolution,
    refund_amount: Decimal | None,
    reason: str,
    idempotency_key: str,
    policy: Policy,
    now: datetime | None = None,
) -> Claim:
    """The seller settles the claim (a refund is recorded with it); a retried key returns the
    same claim and records nothing more."""
    claim = await _sellers_claim(actor, claim_id)
    assert actor.account_id is not None
    with Problems() as problems:
        text = _text(problems, reason, "reason")
        amount = _amount(problems, resolution, refund_amount)
        key = _text(problems, idempotency_key, "idempotencyKey", 200)
    now = _utc(now)

    async def replay(row: IdempotencyKey) -> Claim:
        return await Claim.get(id=row.result_ids[0])

    async def perform(row: IdempotencyKey) -> Claim:
        resolved = await _resolve(
            actor, claim, resolution=resolution, amount=amount, reason=text, policy=policy, now=now
        )
        row.result_ids = [resolved.id]
        await row.save(update_fields=["result_ids"])
        return resolved

    return await once(
        account_id=actor.account_id,
        scope="resolveClaim",
        key=key,
        request_hash=digest([claim.id, str(resolution), str(amount), text]),
        hours=policy.idempotency_hours,
        now=now,
        replay=replay,
        perform=perform,
    )
