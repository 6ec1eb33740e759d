"""reserveCart through its resolver: orders per seller, all-or-nothing stock, idempotency."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from models.accounts import Role
from models.events import Event
from models.mail import OutboxMail
from models.orders import (
    CartLine,
    IdempotencyKey,
    Order,
    OrderLine,
    OrderStatus,
    OrderStatusChange,
)
from resolvers.actor import ANONYMOUS
from resolvers.cart import add_to_cart
from resolvers.errors import DomainError, Forbidden, Unauthenticated
from resolvers.orders import reserve_cart
from resolvers.policy import Policy
from tests.catalog_helpers import make_product
from tests.clients import GraphQLClient
from tests.orders_helpers import ADDRESS, actor_of, counts, reserve, stock_of


async def test_a_cart_becomes_one_order_per_seller(
    buyer: GraphQLClient, seller: GraphQLClient, other_seller: GraphQLClient, policy: Policy
) -> None:
    cement = await make_product(seller, price="9.90", stock=50)
    sand = await make_product(seller, name="Sable 0/4", price="30.00", stock=20)
    drill = await make_product(other_seller, name="Perceuse", price="120.00", stock=3)
    actor = await actor_of(buyer)
    for product, quantity in ((cement, 10), (drill, 1), (sand, 2)):
        await add_to_cart(actor, product_id=product.id, quantity=quantity, policy=policy)

    orders = await reserve_cart(
        actor, address=ADDRESS, remark="Livrer par l'arrière", idempotency_key="k1", policy=policy
    )

    assert [o.seller_id for o in orders] == [cement.seller_id, drill.seller_id]
    first, second = orders
    assert (first.subtotal, first.small_order_fee, first.total) == (
        Decimal("159.00"),
        Decimal("0.00"),
        Decimal("159.00"),
    )
    assert (second.subtotal, second.small_order_fee, second.total) == (
        Decimal("120.00"),
        Decimal("0.00"),
        Decimal("120.00"),
    )
    assert all(re.fullmatch(r"CMD-\d{4}-\d{6}", o.number) for o in orders)
    assert first.number != second.number
    assert (first.remark, first.address_postal_code, first.address_country) == (
        "Livrer par l'arrière",
        "75011",
        "FR",
    )
    lines = await OrderLine.filter(order_id=first.id).order_by("id")
    assert [(line.product_name, line.unit_price, line.quantity) for line in lines] == [
        (cement.name, Decimal("9.90"), 10),
        ("Sable 0/4", Decimal("30.00"), 2),
    ]
    assert [await stock_of(p) for p in (cement, sand, drill)] == [40, 18, 2]
    assert await CartLine.all().count() == 0


async def test_creation_is_recorded_announced_and_mailed(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await make_product(seller, price="12.00")
    (order,) = await reserve(buyer, (product, 2))
    assert order.small_order_fee == Decimal("5.00")
    assert order.total == Decimal("29.00")
    (change,) = await OrderStatusChange.filter(order_id=order.id)
    assert change.from_status is None
    assert (change.to_status, change.actor_role) == (OrderStatus.PENDING, Role.BUYER)
    (event,) = await Event.all()
    assert event.payload == {
        "order_id": order.id,
        "from": None,
        "to": "PENDING",
        "reason": None,
        "actor_role": "BUYER",
    }
    assert (event.order_id, event.buyer_id, event.seller_id, event.company_id) == (
        order.id,
        buyer.account_id,
        order.seller_id,
        None,
    )
    recipients = sorted(row["recipient"] for row in await OutboxMail.all().values("recipient"))
    assert recipients == ["buyer@example.fr", "seller@example.fr"]
    assert "Nouvelle commande" in (await OutboxMail.get(recipient="seller@example.fr")).subject


async def test_an_empty_cart_cannot_be_reserved(buyer: GraphQLClient, policy: Policy) -> None:
    with pytest.raises(DomainError) as refused:
        await reserve_cart(
            await actor_of(buyer), address=ADDRESS, remark=None, idempotency_key="k", policy=policy
        )
    assert refused.value.problems[0].code == "CART_EMPTY"
    assert await IdempotencyKey.all().count() == 0


async def test_one_line_short_reserves_nothing_and_names_the_line(
    buyer: GraphQLClient, seller: GraphQLClient, other_seller: GraphQLClient, policy: Policy
) -> None:
    plenty = await make_product(seller, stock=50)
    scarce = await make_product(other_seller, name="Perceuse", stock=5)
    actor = await actor_of(buyer)
    await add_to_cart(actor, product_id=plenty.id, quantity=10, policy=policy)
    await add_to_cart(actor, product_id=scarce.id, quantity=5, policy=policy)
    scarce.stock = 4
    await scarce.save(update_fields=["stock"])
    before = await counts()

    with pytest.raises(DomainError) as refused:
        await reserve_cart(actor, address=ADDRESS, remark=None, idempotency_key="k", policy=policy)

    assert [(p.code, p.field) for p in refused.value.problems] == [("OUT_OF_STOCK", "lines.1")]
    assert "Perceuse" in refused.value.problems[0].message
    assert [await stock_of(plenty), await stock_of(scarce)] == [50, 4]
    assert await counts() == before
    assert await CartLine.all().count() == 2
    assert await IdempotencyKey.all().count() == 0


async def test_lines_not_deliverable_to_the_address_are_refused(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller, delivery_zones=["75"])
    actor = await actor_of(buyer)
    await add_to_cart(actor, product_id=product.id, quantity=1, policy=policy)
    lyon = replace(ADDRESS, postal_code="69003", city="Lyon")
    with pytest.raises(DomainError) as refused:
        await reserve_cart(actor, address=lyon, remark=None, idempotency_key="k", policy=policy)
    assert [(p.code, p.field) for p in refused.value.problems] == [("NOT_DELIVERABLE", "lines.0")]
    assert await stock_of(product) == 100


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"country": "France"}, "deliveryAddress.country"),
        ({"line1": "  "}, "deliveryAddress.line1"),
        ({"postal_code": ""}, "deliveryAddress.postalCode"),
        ({"city": "x" * 201}, "deliveryAddress.city"),
    ],
)
async def test_a_bad_address_is_invalid_input(
    buyer: GraphQLClient, seller: GraphQLClient, change: dict[str, str], field: str, policy: Policy
) -> None:
    product = await make_product(seller)
    actor = await actor_of(buyer)
    await add_to_cart(actor, product_id=product.id, quantity=1, policy=policy)
    with pytest.raises(DomainError) as refused:
        await reserve_cart(
            actor,
            address=replace(ADDRESS, **change),
            remark=None,
            idempotency_key="k",
            policy=policy,
        )
    assert [(p.code, p.field) for p in refused.value.problems] == [("INVALID_INPUT", field)]
    assert await Order.all().count() == 0
    assert await stock_of(product) == 100


async def test_every_faulty_field_of_the_request_is_named_at_once(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller)
    actor = await actor_of(buyer)
    await add_to_cart(actor, product_id=product.id, quantity=1, policy=policy)
    before = await counts()
    with pytest.raises(DomainError) as refused:
        await reserve_cart(
            actor,
            address=replace(ADDRESS, country="France", city=" "),
            remark="x" * 2001,
            idempotency_key="  ",
            policy=policy,
        )
    assert [(p.code, p.field) for p in refused.value.problems] == [
        ("INVALID_INPUT", "deliveryAddress.country"),
        ("INVALID_INPUT", "deliveryAddress.city"),
        ("INVALID_INPUT", "remark"),
        ("INVALID_INPUT", "idempotencyKey"),
    ]
    assert await counts() == before
    assert await stock_of(product) == 100
    assert await CartLine.all().count() == 1


async def test_the_same_key_returns_the_same_orders_without_reserving_twice(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller, stock=10)
    first = await reserve(buyer, (product, 3), key="same")
    actor = await actor_of(buyer)
    again = await reserve_cart(
        actor, address=ADDRESS, remark=None, idempotency_key="same", policy=policy
    )
    assert [o.id for o in again] == [o.id for o in first]
    # The same cart filled again is still the same request.
    await add_to_cart(actor, product_id=product.id, quantity=3, policy=policy)
    assert [
        o.id
        for o in await reserve_cart(
            actor, address=ADDRESS, remark=None, idempotency_key="same", policy=policy
        )
    ] == [o.id for o in first]
    assert await stock_of(product) == 7
    assert await Order.all().count() == 1


async def test_the_same_key_for_another_request_is_refused(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller, stock=10)
    await reserve(buyer, (product, 3), key="same")
    actor = await actor_of(buyer)
    with pytest.raises(DomainError) as refused:
        await reserve_cart(
            actor,
            address=replace(ADDRESS, line1="1 rue Neuve"),
            remark=None,
            idempotency_key="same",
            policy=policy,
        )
    assert refused.value.problems[0].code == "IDEMPOTENCY_KEY_REUSED"
    await add_to_cart(actor, product_id=product.id, quantity=1, policy=policy)
    before = await counts()
    with pytest.raises(DomainError) as refused:
        await reserve_cart(
            actor, address=ADDRESS, remark=None, idempotency_key="same", policy=policy
        )
    assert refused.value.problems[0].code == "IDEMPOTENCY_KEY_REUSED"
    assert await counts() == before
    assert await stock_of(product) == 7


async def test_another_buyers_identical_key_is_unrelated(
    buyer: GraphQLClient, company_member: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await make_product(seller, stock=10)
    mine = await reserve(buyer, (product, 1), key="shared")
    theirs = await reserve(company_member, (product, 2), key="shared")
    assert {o.buyer_id for o in theirs} == {company_member.account_id}
    assert mine[0].id != theirs[0].id
    assert await stock_of(product) == 7


async def test_a_key_older_than_its_lifetime_starts_afresh(
    buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    product = await make_product(seller, stock=10)
    await reserve(buyer, (product, 1), key="old")
    await IdempotencyKey.all().update(created_at=datetime.now(UTC) - timedelta(hours=49))
    again = await reserve(buyer, (product, 2), key="old")
    assert await Order.all().count() == 2
    assert again[0].id == await Order.all().count()
    assert await stock_of(product) == 7


async def test_company_orders_need_the_place_orders_right(
    company_member: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller)
    (order,) = await reserve(company_member, (product, 1))
    actor = await actor_of(company_member)
    assert order.company_id == actor.company_id
    await add_to_cart(actor, product_id=product.id, quantity=1, policy=policy)
    without_right = replace(actor, rights=frozenset())
    before = await counts()
    with pytest.raises(DomainError) as refused:
        await reserve_cart(
            without_right, address=ADDRESS, remark=None, idempotency_key="k", policy=policy
        )
    assert refused.value.problems[0].code == "RIGHT_MISSING"
    assert await counts() == before
    assert await stock_of(product) == 99


async def test_only_buyers_reserve(
    seller: GraphQLClient, admin: GraphQLClient, policy: Policy
) -> None:
    with pytest.raises(Unauthenticated):
        await reserve_cart(
            ANONYMOUS, address=ADDRESS, remark=None, idempotency_key="k", policy=policy
        )
    for client in (seller, admin):
        with pytest.raises(Forbidden):
            await reserve_cart(
                await actor_of(client),
                address=ADDRESS,
                remark=None,
                idempotency_key="k",
                policy=policy,
            )
