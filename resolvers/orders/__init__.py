"""Reservation and the order life cycle."""

from resolvers.orders.actions import (
    cancel_order,
    expire_pending_orders,
    expires_at,
    mark_delivered,
    next_order_expiry,
    on_account_deleted,
    refuse_order,
    reorder,
    ship_order,
    validate_order,
)
from resolvers.orders.queries import (
    can_see_order,
    get_order,
    history_of,
    lines_of,
    list_orders,
    read_order,
)
from resolvers.orders.reserve import Address, reserve_cart

__all__ = [
    "Address",
    "can_see_order",
    "cancel_order",
    "expire_pending_orders",
    "expires_at",
    "get_order",
    "history_of",
    "lines_of",
    "list_orders",
    "mark_delivered",
    "next_order_expiry",
    "on_account_deleted",
    "read_order",
    "refuse_order",
    "reorder",
    "reserve_cart",
    "ship_order",
    "validate_order",
]
