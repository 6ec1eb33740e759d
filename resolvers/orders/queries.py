"""Who sees which order, the order history list, and batch reads for the DataLoaders."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Protocol, TypeVar

from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.queryset import QuerySet

from models.accounts import CompanyRight, Role
from models.orders import Order, OrderLine, OrderStatus, OrderStatusChange
from resolvers.actor import Actor, require_login, require_role
from resolvers.errors import DomainError, ErrorCode
from resolvers.pagination import Page, PageRequest, newest_first, time_window

# Order ids are 32-bit (IntField): PostgreSQL refuses a larger parameter outright.

M = TypeVar("M", bound=Model)
R = TypeVar("R", bound="Owned")


def sees_company_orders(actor: Actor) -> bool:
    return (
        actor.is_buyer
        and actor.company_id is not None
        and CompanyRight.SEE_COMPANY_ORDERS in actor.rights
    )


class Owned(Protocol):
    """An order, or what follows an order's visibility (a quote)."""

    buyer_id: int
    seller_id: int
    company_id: int | None


def can_see_order(actor: Actor, order: Owned) -> bool:
    """Sellers see the orders addressed to them, buyers their own (or their company's with
    SEE_COMPANY_ORDERS), admins every order; quotes follow the same rule."""
    if actor.is_admin:
        return True
    if actor.is_seller:
        return actor.seller_id is not None and order.seller_id == actor.seller_id
    if actor.is_buyer:
        if order.buyer_id == actor.account_id:
            return True
        return sees_company_orders(actor) and order.company_id == actor.company_id
    return False


def visible_rows(actor: Actor, model: type[M]) -> QuerySet[M]:
    """The orders (or quotes) `actor` may see, as a query (the rule of `can_see_order`)."""
    if actor.is_admin:
        return model.all()
    if actor.is_seller and actor.seller_id is not None:
        return model.filter(seller_id=actor.seller_id)
    if actor.is_buyer:
        if sees_company_orders(actor):
            return model.filter(Q(buyer_id=actor.account_id) | Q(company_id=actor.company_id))
        return model.filter(buyer_id=actor.account_id)
    return model.filter(id__in=[])


async def get_order(actor: Actor, *, order_id: int) -> Order | None:
    """The order if `actor` may see it, else None (someone else's order looks missing)."""
    order = await Order.get_or_none(id=order_id)
    return order if order is not None and can_see_order(actor, order) else None


async def read_order(actor: Actor, *, order_id: int | None) -> Order | None:
    """The `order(id)` query: a login is needed; None for an id that names no order."""
    require_login(actor)
    return None if order_id is None else await get_order(actor, order_id=order_id)


def require_acting_right(actor: Actor, row: Owned) -> None:
    """A colleague may act on a company order (or quote) they see only with PLACE_ORDERS."""
    if row.buyer_id != actor.account_id and not actor.has_right(CompanyRight.PLACE_ORDERS):
        raise DomainError(
            ErrorCode.RIGHT_MISSING,
            "Votre compte société n'a pas le droit d'agir pour ce collègue.",
        )


async def buyers_row(actor: Actor, find: Callable[[Actor, int], Awaitable[R]], row_id: int) -> R:
    """A row (order, quote, claim) the calling buyer may act on: their own, or a colleague's
    they can see if they may place orders for the company; `find` gives it or NOT_FOUND."""
    require_role(actor, Role.BUYER)
    row = await find(actor, row_id)
    require_acting_right(actor, row)
    return row


async def sellers_row(actor: Actor, find: Callable[[Actor, int], Awaitable[R]], row_id: int) -> R:
    """A row the calling seller may act on: one of their shop's (admins read without acting)."""
    require_role(actor, Role.SELLER)
    return await find(actor, row_id)


async def visible_order_or_not_found(actor: Actor, order_id: int) -> Order:
    """For mutations: the order, or NOT_FOUND when it is missing or someone else's."""
    order = await get_order(actor, order_id=order_id)
    if order is None:
        raise DomainError(ErrorCode.NOT_FOUND, "Commande introuvable.", "orderId")
    return order


async def list_orders(
    actor: Actor,
    *,
    page: PageRequest,
    status: OrderStatus | None = None,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
) -> Page[Order]:
    """The caller's order history, newest first, with optional status and date filters."""
    require_login(actor)
    created_after, created_before = time_window(
        created_after, created_before, ("createdAfter", "createdBefore")
    )
    query = visible_rows(actor, Order)
    if status is not None:
        query = query.filter(status=status)
    if created_after is not None:
        query = query.filter(created_at__gte=created_after)
    if created_before is not None:
        query = query.filter(created_at__lt=created_before)
    return await newest_first(query, page)


async def lines_of(order_ids: Sequence[int]) -> list[list[OrderLine]]:
    grouped: dict[int, list[OrderLine]] = defaultdict(list)
    for line in await OrderLine.filter(order_id__in=list(order_ids)).order_by("id"):
        grouped[line.order_id].append(line)
    return [grouped.get(i, []) for i in order_ids]


async def history_of(order_ids: Sequence[int]) -> list[list[OrderStatusChange]]:
    """Each order's status changes in time order (ids follow commit order within an order)."""
    grouped: dict[int, list[OrderStatusChange]] = defaultdict(list)
    for change in await OrderStatusChange.filter(order_id__in=list(order_ids)).order_by("id"):
        grouped[change.order_id].append(change)
    return [grouped.get(i, []) for i in order_ids]
