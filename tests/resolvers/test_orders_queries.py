"""Who sees which order, the filtered history list, and reorder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from models.accounts import CompanyRight, Role
from models.catalog import Product
from models.orders import Order, OrderStatus
from resolvers.actor import ANONYMOUS, Actor
from resolvers.cart import ChangeKind, get_cart
from resolvers.errors import DomainError, Forbidden, QueryError, Unauthenticated
from resolvers.orders import (
    can_see_order,
    cancel_order,
    get_order,
    list_orders,
    read_order,
    reorder,
)
from resolvers.pagination import PageRequest
from resolvers.policy import Policy
from tests.catalog_helpers import make_product
from tests.clients import GraphQLClient
from tests.factories import make_account
from tests.orders_helpers import actor_of, reserve


async def _listed(actor: Actor, **filters: Any) -> list[int]:
    page = await list_orders(actor, page=PageRequest.of(100, None), **filters)
    return [order.id for _, order in page.items]


async def test_each_caller_sees_exactly_the_orders_they_may(
    buyer: GraphQLClient,
    other_buyer: GraphQLClient,
    seller: GraphQLClient,
    other_seller: GraphQLClient,
    admin: GraphQLClient,
) -> None:
    mine = await make_product(seller)
    theirs = await make_product(other_seller, name="Perceuse")
    (a,) = await reserve(buyer, (mine, 1))
    (b,) = await reserve(other_buyer, (theirs, 1))
    expected = {
        buyer: [a.id],
        other_buyer: [b.id],
        seller: [a.id],
        other_seller: [b.id],
        admin: [b.id, a.id],
    }
    for client, ids in expected.items():
        actor = await actor_of(client)
        assert await _listed(actor) == ids
        for order in (a, b):
            assert can_see_order(actor, order) is (order.id in ids)
            assert (await get_order(actor, order_id=order.id) is not None) is (order.id in ids)


async def test_company_orders_are_seen_with_see_company_orders_only(
    company_member: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await make_product(seller)
    (order,) = await reserve(company_member, (product, 1))
    member = await actor_of(company_member)
    main = await make_account(
        Role.BUYER,
        email="boss@acme.fr",
        company_id=member.company_id,
        rights=["SEE_COMPANY_ORDERS"],
    )
    boss = Actor(
        account_id=main.id,
        role=Role.BUYER,
        company_id=member.company_id,
        rights=frozenset({CompanyRight.SEE_COMPANY_ORDERS}),
    )
    colleague = Actor(
        account_id=main.id,
        role=Role.BUYER,
        company_id=member.company_id,
        rights=frozenset({CompanyRight.PLACE_ORDERS}),
    )
    assert await _listed(boss) == [order.id]
    assert can_see_order(boss, order)
    assert await _listed(colleague) == []
    assert not can_see_order(colleague, order)
    assert member.company_id is not None
    outsider = Actor(
        account_id=main.id,
        role=Role.BUYER,
        company_id=member.company_id + 1,
        rights=frozenset({CompanyRight.SEE_COMPANY_ORDERS}),
    )
    assert await _listed(outsider) == []


async def test_anonymous_callers_must_log_in() -> None:
    with pytest.raises(Unauthenticated):
        await read_order(ANONYMOUS, order_id=1)
    with pytest.raises(Unauthenticated):
        await list_orders(ANONYMOUS, page=PageRequest.of(None, None))
    assert not can_see_order(ANONYMOUS, Order(buyer_id=1, seller_id=1))


async def test_the_history_filters_by_status_and_date(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller)
    (old,) = await reserve(buyer, (product, 1))
    (kept,) = await reserve(buyer, (product, 1))
    (cancelled,) = await reserve(buyer, (product, 1))
    actor = await actor_of(buyer)
    await cancel_order(actor, order_id=cancelled.id, policy=policy)
    await Order.filter(id=old.id).update(created_at=datetime.now(UTC) - timedelta(days=40))
    month_ago = datetime.now(UTC) - timedelta(days=30)
    assert await _listed(actor, status=OrderStatus.PENDING) == [kept.id, old.id]
    assert await _listed(actor, created_after=month_ago) == [cancelled.id, kept.id]
    assert await _listed(actor, created_before=month_ago) == [old.id]
    assert await _listed(actor, status=OrderStatus.CANCELLED, created_after=month_ago) == [
        cancelled.id
    ]
    with pytest.raises(QueryError):
        await _listed(actor, created_after=datetime.now(UTC), created_before=month_ago)


async def test_the_history_pages_newest_first(buyer: GraphQLClient, seller: GraphQLClient) -> None:
    product = await make_product(seller)
    ids = [(await reserve(buyer, (product, 1)))[0].id for _ in range(5)]
    actor = await actor_of(buyer)
    seen: list[int] = []
    cursor = None
    while True:
        page = await list_orders(actor, page=PageRequest.of(2, cursor))
        seen += [order.id for _, order in page.items]
        if not page.has_next_page:
            break
        cursor = page.end_cursor
    assert seen == sorted(ids, reverse=True)


async def test_reorder_puts_the_lines_back_and_says_what_changed(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    same = await make_product(seller, name="Ciment", price="9.90", stock=50)
    dearer = await make_product(seller, name="Sable", price="30.00", stock=50)
    scarce = await make_product(seller, name="Chaux", stock=50)
    raised = await make_product(seller, name="Plâtre", stock=50)
    gone = await make_product(seller, name="Enduit", stock=50)
    (order,) = await reserve(buyer, (same, 2), (dearer, 1), (scarce, 10), (raised, 2), (gone, 1))
    await Product.filter(id=dearer.id).update(price="32.50")
    await Product.filter(id=scarce.id).update(stock=4)
    await Product.filter(id=raised.id).update(minimum_quantity=5)
    await gone.delete()

    cart, changes = await reorder(await actor_of(buyer), order_id=order.id, policy=policy)

    assert [(c.product_name, c.kind, c.before, c.after) for c in changes] == [
        ("Sable", ChangeKind.PRICE_CHANGED, "30.00", "32.50"),
        ("Chaux", ChangeKind.QUANTITY_REDUCED, "10", "4"),
        ("Plâtre", ChangeKind.MINIMUM_RAISED, "2", "5"),
        ("Enduit", ChangeKind.UNAVAILABLE, None, None),
    ]
    assert changes[-1].product_id == gone.id
    assert [(line.product.name, line.quantity) for line in cart.lines] == [
        ("Ciment", 2),
        ("Sable", 1),
        ("Chaux", 4),
        ("Plâtre", 5),
    ]


async def test_reorder_of_an_order_out_of_stock_reports_it_unavailable(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller, name="Ciment", stock=5)
    (order,) = await reserve(buyer, (product, 5))
    _, changes = await reorder(await actor_of(buyer), order_id=order.id, policy=policy)
    assert [(c.kind, c.product_id) for c in changes] == [(ChangeKind.UNAVAILABLE, product.id)]
    assert (await get_cart(await actor_of(buyer), policy=policy)).lines == []


async def test_reorder_is_for_the_orders_own_buyer(
    buyer: GraphQLClient, other_buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller)
    (order,) = await reserve(buyer, (product, 1))
    with pytest.raises(DomainError) as refused:
        await reorder(await actor_of(other_buyer), order_id=order.id, policy=policy)
    assert refused.value.problems[0].code == "NOT_FOUND"
    assert (await get_cart(await actor_of(other_buyer), policy=policy)).lines == []
    with pytest.raises(Forbidden):
        await reorder(await actor_of(seller), order_id=order.id, policy=policy)
