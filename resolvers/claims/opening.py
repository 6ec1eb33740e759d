"""Opening a claim on a delivered order: windows, quantities, photos, its own thread."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from models.accounts import Role
from models.claims import Claim, ClaimLine, ClaimReason, ClaimStatus
from models.orders import Order, OrderLine, OrderStatus
from realtime.log import atomic
from resolvers.actor import Actor
from resolvers.claims.deadlines import window_end
from resolvers.claims.flow import RELEASED, record_move
from resolvers.errors import DomainError, ErrorCode, Problem, Problems
from resolvers.helpdesk.messages import announce, check_body, contact_warnings
from resolvers.helpdesk.opening import start_thread
from resolvers.lifecycle import Move
from resolvers.locking import locked
from resolvers.orders.actions import buyers_order
from resolvers.policy import Policy
from resolvers.uploads import attach_photos, check_attachable


@dataclass(frozen=True)
class WantedLine:
    order_line_id: int
    quantity: int


@dataclass(frozen=True)
class OpenedClaim:
    claim: Claim
    warnings: list[Problem] = field(default_factory=list)


def _check_shape(
    problems: Problems, lines: Sequence[WantedLine], order_lines: dict[int, OrderLine]
) -> None:
    if not lines:
        problems.invalid("Indiquez au moins une ligne.", "lines")
    if len({w.order_line_id for w in lines}) != len(lines):
        problems.invalid("Ligne en double.", "lines")
    for wanted in lines:
        line = order_lines.get(wanted.order_line_id)
        if line is None:
            problems.invalid("Cette ligne n'est pas de la commande.", "lines")
        elif not 1 <= wanted.quantity <= line.quantity:
            problems.invalid(f"« {line.product_name} » : quantité de 1 à {line.quantity}.", "lines")


async def _check_free(lines: Sequence[WantedLine], order_lines: dict[int, OrderLine]) -> None:
    """Quantities other live claims already hold are not claimable again."""
    held: dict[int, int] = {}
    for row in await ClaimLine.filter(order_line_id__in=[w.order_line_id for w in lines]).exclude(
        claim__status__in=list(RELEASED)
    ):
        held[row.order_line_id] = held.get(row.order_line_id, 0) + row.quantity
    for wanted in lines:
        line = order_lines[wanted.order_line_id]
        left = line.quantity - held.get(line.id, 0)
        if wanted.quantity > left:
            raise DomainError(
                ErrorCode.CLAIM_ALREADY_OPEN,
                f"« {line.product_name} » : {left} encore réclamable(s), une "
                "autre réclamation est en cours.",
                "lines",
            )


async def open_claim(
    actor: Actor,
    *,
    order_id: int,
    reason: ClaimReason,
    body: str,
    lines: Sequence[WantedLine],
    photo_ids: Sequence[int] = (),
    policy: Policy,
    now: datetime | None = None,
) -> OpenedClaim:
    """The buyer declares a problem with a delivered order (seed 001); the seller answers in
    the claim's thread within its SLA."""
    order = await buyers_order(actor, order_id)
    assert actor.account_id is not None
    with Problems() as problems:
        check_body(problems, body)
    now = (now or datetime.now(UTC)).astimezone(UTC)
    if order.status is not OrderStatus.DELIVERED:
        raise DomainError(
            ErrorCode.INVALID_TRANSITION,
            "Une réclamation s'ouvre sur une commande livrée.",
            "orderId",
        )
    end = window_end(order, reason, policy)
    if end is None or now >= end:
        raise DomainError(
            ErrorCode.CLAIM_WINDOW_CLOSED,
            "Le délai pour ce motif de réclamation est dépassé.",
            "reason",
        )
    order_lines = {line.id: line for line in await OrderLine.filter(order_id=order.id)}
    with Problems() as problems:
        _check_shape(problems, lines, order_lines)
        await check_attachable(
            problems, owner_id=actor.account_id, photo_ids=photo_ids, policy=policy
        )
    async with atomic():
        # One claim at a time per order: the free quantities are read under the lock.
        await locked(Order, order.id)
        await _check_free(lines, order_lines)
        claim = await Claim.create(
            number=f"TMP-{uuid.uuid4().hex[:24]}",
            order_id=order.id,
            buyer_id=actor.account_id,
            seller_id=order.seller_id,
            company_id=order.company_id,
            reason=reason,
            status=ClaimStatus.OPEN,
            created_at=now,
            updated_at=now,
        )
        claim.number = f"REC-{now.year}-{claim.id:06d}"
        thread, message = await start_thread(
            subject=f"Réclamation {claim.number}",
            buyer_id=actor.account_id,
            seller_id=order.seller_id,
            order_id=order.id,
            body=body,
            now=now,
            policy=policy,
        )
        claim.thread_id = thread.id
        await claim.save(update_fields=["number", "thread_id"])
        await ClaimLine.bulk_create(
            [
                ClaimLine(claim_id=claim.id, order_line_id=w.order_line_id, quantity=w.quantity)
                for w in lines
            ]
        )
        await attach_photos(owner_id=actor.account_id, claim_id=claim.id, photo_ids=photo_ids)
        move = Move(
            from_status=None,
            to_status=ClaimStatus.OPEN,
            at=now,
            actor_role=Role.BUYER,
            actor_account_id=actor.account_id,
        )
        await announce(thread, message, policy=policy)
        await record_move(claim, move, order_number=order.number, policy=policy)
    return OpenedClaim(claim=claim, warnings=contact_warnings(message.flagged_kinds))
