"""The order life cycle: every transition allowed and refused, by every kind of caller."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from models.accounts import CompanyRight
from models.catalog import Product
from models.events import Event
from models.mail import OutboxMail
from models.orders import Order, OrderStatus, OrderStatusChange
from resolvers.actor import ANONYMOUS, Actor
from resolvers.errors import DomainError, Forbidden, Unauthenticated
from resolvers.orders import (
    cancel_order,
    mark_delivered,
    refuse_order,
    ship_order,
    validate_order,
)
from resolvers.policy import Policy
from tests.catalog_helpers import make_product
from tests.clients import GraphQLClient
from tests.configuration import POLICY
from tests.orders_helpers import actor_of, counts, reserve, stock_of

S = OrderStatus
Action = Callable[[Actor, int], Awaitable[Order]]

ACTIONS: dict[str, tuple[str, OrderStatus, Action]] = {
    "cancel": (
        "buyer",
        S.CANCELLED,
        lambda a, i: cancel_order(a, order_id=i, reason="Erreur", policy=POLICY),
    ),
    "validate": ("seller", S.VALIDATED, lambda a, i: validate_order(a, order_id=i, policy=POLICY)),
    "refuse": (
        "seller",
        S.REFUSED,
        lambda a, i: refuse_order(a, order_id=i, reason="Rupture", policy=POLICY),
    ),
    "ship": (
        "seller",
        S.SHIPPED,
        lambda a, i: ship_order(
            a, order_id=i, carrier="Geodis", tracking_number="GE123456", policy=POLICY
        ),
    ),
    "seller_delivers": (
        "seller",
        S.DELIVERED,
        lambda a, i: mark_delivered(a, order_id=i, policy=POLICY),
    ),
    "buyer_delivers": (
        "buyer",
        S.DELIVERED,
        lambda a, i: mark_delivered(a, order_id=i, policy=POLICY),
    ),
}

ALLOWED = {
    ("cancel", S.PENDING),
    ("validate", S.PENDING),
    ("refuse", S.PENDING),
    ("ship", S.VALIDATED),
    ("seller_delivers", S.SHIPPED),
    ("buyer_delivers", S.SHIPPED),
}
RELEASING = {S.CANCELLED, S.REFUSED}
CASES = [(name, status) for name in ACTIONS for status in S]


async def _order_in(status: OrderStatus, buyer: GraphQLClient, seller: GraphQLClient) -> Order:
    product = await make_product(seller, stock=10)
    (order,) = await reserve(buyer, (product, 2))
    await Order.filter(id=order.id).update(status=status)
    return order


@pytest.mark.parametrize(("name", "status"), [c for c in CASES if c in ALLOWED])
async def test_allowed_transition_is_recorded_announced_and_mailed(
    buyer: GraphQLClient, seller: GraphQLClient, name: str, status: OrderStatus
) -> None:
    order = await _order_in(status, buyer, seller)
    who, target, action = ACTIONS[name]
    caller = buyer if who == "buyer" else seller
    events_before = await Event.all().count()
    mails_before = await OutboxMail.all().count()

    changed = await action(await actor_of(caller), order.id)

    assert changed.status is target
    assert (await Order.get(id=order.id)).status is target
    last = await OrderStatusChange.filter(order_id=order.id).order_by("-id").first()
    assert last is not None
    assert (last.from_status, last.to_status, str(last.actor_role)) == (status, target, who.upper())
    event = await Event.all().order_by("-id").first()
    assert event is not None
    assert await Event.all().count() == events_before + 1
    assert event.payload["from"] == status
    assert event.payload["to"] == target
    assert event.payload["actor_role"] == who.upper()
    product_id = (await order.lines.all())[0].product_id
    expected_stock = 10 if target in RELEASING else 8
    assert (await Product.get(id=product_id)).stock == expected_stock
    assert await OutboxMail.all().count() > mails_before


@pytest.mark.parametrize(("name", "status"), [c for c in CASES if c not in ALLOWED])
async def test_refused_transition_changes_nothing(
    buyer: GraphQLClient, seller: GraphQLClient, name: str, status: OrderStatus
) -> None:
    order = await _order_in(status, buyer, seller)
    who, _, action = ACTIONS[name]
    caller = buyer if who == "buyer" else seller
    product_id = (await order.lines.all())[0].product_id
    stock = (await Product.get(id=product_id)).stock
    before = await counts()

    with pytest.raises(DomainError) as refused:
        await action(await actor_of(caller), order.id)

    contact = name == "cancel" and status in (S.VALIDATED, S.SHIPPED)
    expected = "CONTACT_SELLER" if contact else "INVALID_TRANSITION"
    assert [p.code for p in refused.value.problems] == [expected]
    assert (await Order.get(id=order.id)).status is status
    assert (await Product.get(id=product_id)).stock == stock
    assert await counts() == before


@pytest.mark.parametrize("name", list(ACTIONS))
async def test_someone_elses_order_looks_missing(
    buyer: GraphQLClient,
    seller: GraphQLClient,
    other_buyer: GraphQLClient,
    other_seller: GraphQLClient,
    name: str,
) -> None:
    order = await _order_in(S.PENDING, buyer, seller)
    who, _, action = ACTIONS[name]
    stranger = other_buyer if who == "buyer" else other_seller
    before = await counts()
    with pytest.raises(DomainError) as refused:
        await action(await actor_of(stranger), order.id)
    assert [p.code for p in refused.value.problems] == ["NOT_FOUND"]
    assert await counts() == before
    assert (await Order.get(id=order.id)).status is S.PENDING


@pytest.mark.parametrize("name", list(ACTIONS))
async def test_wrong_roles_and_anonymous_are_turned_away(
    buyer: GraphQLClient, seller: GraphQLClient, admin: GraphQLClient, name: str
) -> None:
    order = await _order_in(S.PENDING, buyer, seller)
    who, _, action = ACTIONS[name]
    with pytest.raises(Unauthenticated):
        await action(ANONYMOUS, order.id)
    wrong = [admin] + ([seller] if who == "buyer" and name != "buyer_delivers" else [])
    wrong += [buyer] if who == "seller" and name != "seller_delivers" else []
    for client in wrong:
        with pytest.raises(Forbidden):
            await action(await actor_of(client), order.id)
    assert (await Order.get(id=order.id)).status is S.PENDING


async def test_a_buyer_cancelling_a_validated_order_is_told_to_contact_the_seller(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller, stock=10)
    (order,) = await reserve(buyer, (product, 2))
    await validate_order(await actor_of(seller), order_id=order.id, policy=policy)
    with pytest.raises(DomainError) as refused:
        await cancel_order(await actor_of(buyer), order_id=order.id, policy=policy)
    assert refused.value.problems[0].code == "CONTACT_SELLER"
    assert await stock_of(product) == 8


async def test_refusal_needs_a_reason_and_shipping_a_carrier(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    order = await _order_in(S.PENDING, buyer, seller)
    actor = await actor_of(seller)
    with pytest.raises(DomainError) as refused:
        await refuse_order(actor, order_id=order.id, reason="  ", policy=policy)
    assert [(p.code, p.field) for p in refused.value.problems] == [("INVALID_INPUT", "reason")]
    await validate_order(actor, order_id=order.id, policy=policy)
    before = await counts()
    with pytest.raises(DomainError) as refused:
        await ship_order(actor, order_id=order.id, carrier="", tracking_number="X1", policy=policy)
    assert [(p.code, p.field) for p in refused.value.problems] == [("INVALID_INPUT", "carrier")]
    assert await counts() == before
    shipped = await ship_order(
        actor, order_id=order.id, carrier="Geodis", tracking_number="X1", policy=policy
    )
    assert (shipped.carrier, shipped.tracking_number) == ("Geodis", "X1")


async def test_history_runs_in_time_order_from_pending(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller)
    (order,) = await reserve(buyer, (product, 1))
    sellers = await actor_of(seller)
    await validate_order(sellers, order_id=order.id, policy=policy)
    await ship_order(sellers, order_id=order.id, carrier="DPD", tracking_number="1Z", policy=policy)
    await mark_delivered(await actor_of(buyer), order_id=order.id, policy=policy)
    steps = await OrderStatusChange.filter(order_id=order.id).order_by("id")
    assert [(c.from_status, c.to_status, c.actor_role) for c in steps] == [
        (None, S.PENDING, "BUYER"),
        (S.PENDING, S.VALIDATED, "SELLER"),
        (S.VALIDATED, S.SHIPPED, "SELLER"),
        (S.SHIPPED, S.DELIVERED, "BUYER"),
    ]
    assert [c.at for c in steps] == sorted(c.at for c in steps)


async def test_a_colleague_who_sees_company_orders_needs_place_orders_to_cancel(
    company_member: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller, stock=10)
    (order,) = await reserve(company_member, (product, 2))
    member = await actor_of(company_member)
    assert member.account_id is not None
    watcher = Actor(
        account_id=member.account_id + 1000,
        role=member.role,
        company_id=member.company_id,
        rights=frozenset({CompanyRight.SEE_COMPANY_ORDERS}),
    )
    with pytest.raises(DomainError) as refused:
        await cancel_order(watcher, order_id=order.id, policy=policy)
    assert refused.value.problems[0].code == "RIGHT_MISSING"
    manager = Actor(
        account_id=member.account_id + 1000,
        role=member.role,
        company_id=member.company_id,
        rights=frozenset({CompanyRight.SEE_COMPANY_ORDERS, CompanyRight.PLACE_ORDERS}),
    )
    assert (await cancel_order(manager, order_id=order.id, policy=policy)).status is S.CANCELLED
    assert await stock_of(product) == 10
