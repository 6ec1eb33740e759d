"""The claim state machine: one table, one function through which every status change passes."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from models.accounts import Role
from models.claims import Claim, ClaimResolution, ClaimStatus, ClaimStatusChange
from models.deadlines import DeadlineSource
from models.events import EventKind
from realtime.log import atomic
from resolvers.lifecycle import LifeCycle, Mail, Move, Transitions, parties_of, record
from resolvers.policy import Policy

S = ClaimStatus

# Claims that no longer hold their lines: the quantities are free to claim again.
RELEASED = frozenset({S.REJECTED, S.CANCELLED})

LABELS = {
    S.OPEN: "Réclamation ouverte",
    S.RETURN_REQUESTED: "Retour demandé",
    S.RETURN_SHIPPED: "Retour expédié",
    S.RETURN_RECEIVED: "Retour reçu",
    S.RESOLVED: "Réclamation résolue",
    S.REJECTED: "Réclamation refusée",
    S.CANCELLED: "Réclamation annulée",
}


# Admins read every claim but never act for a seller; the platform moves none.
TRANSITIONS = Transitions(
    {
        (S.OPEN, S.RETURN_REQUESTED): frozenset({Role.SELLER}),
        (S.RETURN_REQUESTED, S.RETURN_SHIPPED): frozenset({Role.BUYER}),
        (S.RETURN_SHIPPED, S.RETURN_RECEIVED): frozenset({Role.SELLER}),
        (S.OPEN, S.RESOLVED): frozenset({Role.SELLER}),
        (S.RETURN_RECEIVED, S.RESOLVED): frozenset({Role.SELLER}),
        (S.OPEN, S.REJECTED): frozenset({Role.SELLER}),
        (S.RETURN_REQUESTED, S.REJECTED): frozenset({Role.SELLER}),
        (S.OPEN, S.CANCELLED): frozenset({Role.BUYER}),
        (S.RETURN_REQUESTED, S.CANCELLED): frozenset({Role.BUYER}),
    },
    LABELS,
    field="claimId",
    changed="La réclamation vient de changer.",
)


CLAIMS = LifeCycle(
    ClaimStatusChange,
    EventKind.CLAIM_STATUS,
    "claim_id",
    {DeadlineSource.CLAIM: S.OPEN, DeadlineSource.REFUND: S.RETURN_RECEIVED},
)


def _mail_body(claim: Claim, change: Move[ClaimStatus], order_number: str, policy: Policy) -> str:
    parts = [
        "Bonjour,",
        "",
        f"La réclamation {claim.number} (commande {order_number}) est désormais : "
        f"« {LABELS[change.to_status]} ».",
    ]
    if change.reason:
        parts.append(f"Motif : {change.reason}")
    if change.to_status is S.OPEN:
        parts.append(
            "Répondez à l'acheteur dans la conversation de la réclamation, sous "
            f"{policy.sla_business_hours:g} heures ouvrées (hors week-ends et jours "
            "fériés)."
        )
    if change.to_status is S.RETURN_REQUESTED:
        parts.append(f"Instructions de retour : {claim.return_instructions}")
    if change.to_status is S.RETURN_SHIPPED:
        parts.append(
            f"Transporteur : {claim.return_carrier} — numéro de suivi : "
            f"{claim.return_tracking_number}"
        )
    if change.to_status is S.RETURN_RECEIVED and claim.refund_due_by is not None:
        parts.append(
            "Le remboursement ou la solution est dû au plus tard le "
            f"{claim.refund_due_by.astimezone(policy.calendar.tz):%d/%m/%Y à %H:%M}."
        )
    parts += ["", policy.link("/"), "— L'équipe Comptoir"]
    return "\n".join(parts)


async def record_move(
    claim: Claim, move: Move[ClaimStatus], *, order_number: str, policy: Policy
) -> ClaimStatusChange:
    """The history row, the mail to the other party and the event of `move`, inside the
    caller's transaction."""
    parties = (await parties_of(claim.buyer_id, [claim.seller_id]))[claim.seller_id]
    mail = Mail(
        to=parties.others(move.actor_role),
        subject=f"Réclamation {claim.number} : {LABELS[move.to_status]}",
        body=_mail_body(claim, move, order_number, policy),
    )
    return await record(
        CLAIMS, claim, move, mail, policy=policy, audience={"order_id": claim.order_id}
    )


@dataclass(frozen=True)
class ClaimColumns:
    """What a move may write on the claim beside its status (None: left as it is)."""

    return_instructions: str | None = None
    return_carrier: str | None = None
    return_tracking_number: str | None = None
    resolution: ClaimResolution | None = None
    refund_due_by: datetime | None = None

    def given(self) -> dict[str, object]:
        return {name: value for name, value in asdict(self).items() if value is not None}


async def change_status(
    claim: Claim,
    *,
    to: ClaimStatus,
    role: Role,
    actor_account_id: int | None,
    policy: Policy,
    order_number: str,
    reason: str | None = None,
    now: datetime | None = None,
    columns: ClaimColumns | None = None,
) -> Claim:
    """Move `claim` to `to`: the only way a claim's status changes after opening.

    Conditional on the status the caller saw, so of two concurrent moves exactly one wins.
    Joins the caller's transaction when there is one (a refund recorded with the move).
    """
    TRANSITIONS.check(claim.status, to, role)
    now = (now or datetime.now(UTC)).astimezone(UTC)
    given = columns.given() if columns is not None else {}
    async with atomic():
        # A new status has a new deadline: the alert job reports it afresh.
        await TRANSITIONS.write(
            Claim, claim, to, role, updated_at=now, overdue_reported_for=None, **given
        )
        move = Move(
            from_status=claim.status,
            to_status=to,
            at=now,
            actor_role=role,
            actor_account_id=actor_account_id,
            reason=reason,
        )
        claim.status = to
        claim.updated_at = now
        claim.update_from_dict(given)
        await record_move(claim, move, order_number=order_number, policy=policy)
    return claim
