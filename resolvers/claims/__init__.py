"""After-sales (seed 001): claims on delivered orders, returns, withdrawals and refunds."""

from resolvers.claims.actions import (
    cancel_claim,
    receive_return,
    reject_claim,
    request_return,
    resolve_claim,
    ship_return,
)
from resolvers.claims.deadlines import (
    claimable_until,
    is_overdue,
    refund_tallies,
    respond_by,
    withdrawable_until,
)
from resolvers.claims.opening import OpenedClaim, WantedLine, open_claim
from resolvers.claims.queries import (
    can_see_claim,
    claims_of_orders,
    get_claim,
    history_of,
    lines_of,
    list_claims,
    photos_of,
    refund_of,
    refunds_of_orders,
)

__all__ = [
    "OpenedClaim",
    "WantedLine",
    "can_see_claim",
    "cancel_claim",
    "claimable_until",
    "claims_of_orders",
    "get_claim",
    "history_of",
    "is_overdue",
    "lines_of",
    "list_claims",
    "open_claim",
    "photos_of",
    "receive_return",
    "refund_of",
    "refund_tallies",
    "refunds_of_orders",
    "reject_claim",
    "request_return",
    "resolve_claim",
    "respond_by",
    "ship_return",
    "withdrawable_until",
]
