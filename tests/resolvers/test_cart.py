"""The cart through its resolvers: lines, refusals, totals with the small-order fee, expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from models.accounts import Role
from models.orders import Cart, CartLine
from resolvers.actor import ANONYMOUS
from resolvers.cart import (
    add_to_cart,
    empty_cart,
    empty_stale_carts,
    get_cart,
    next_cart_emptying,
    remove_from_cart,
    set_cart_quantity,
)
from resolvers.errors import DomainError, Forbidden, Unauthenticated
from resolvers.policy import Policy
from tests.catalog_helpers import make_product
from tests.clients import GraphQLClient
from tests.configuration import POLICY
from tests.factories import make_account
from tests.orders_helpers import actor_of


async def _line_quantities(client: GraphQLClient) -> dict[int, int]:
    cart = await get_cart(await actor_of(client), policy=POLICY)
    return {line.product.id: line.quantity for line in cart.lines}


async def test_adding_twice_adds_the_quantities(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller, price="10.00")
    actor = await actor_of(buyer)
    await add_to_cart(actor, product_id=product.id, quantity=2, policy=policy)
    cart = await add_to_cart(actor, product_id=product.id, quantity=3, policy=policy)
    assert [(line.quantity, line.line_total) for line in cart.lines] == [(5, Decimal("50.00"))]


async def test_totals_carry_a_fee_per_seller_part_under_the_threshold(
    buyer: GraphQLClient, seller: GraphQLClient, other_seller: GraphQLClient, policy: Policy
) -> None:
    cheap = await make_product(seller, price="19.99")
    dear = await make_product(other_seller, price="50.00")
    actor = await actor_of(buyer)
    await add_to_cart(actor, product_id=cheap.id, quantity=3, policy=policy)
    cart = await add_to_cart(actor, product_id=dear.id, quantity=2, policy=policy)
    parts = [(s.subtotal, s.small_order_fee, s.total) for s in cart.subtotals]
    assert parts == [
        (Decimal("59.97"), Decimal("5.00"), Decimal("64.97")),
        (Decimal("100.00"), Decimal("0.00"), Decimal("100.00")),
    ]
    assert cart.total == Decimal("164.97")
    assert all(isinstance(v, Decimal) for part in parts for v in part)


async def test_expiry_is_announced_three_days_after_the_last_change(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller)
    actor = await actor_of(buyer)
    assert (await get_cart(actor, policy=policy)).expires_at is None
    before = datetime.now(UTC)
    cart = await add_to_cart(actor, product_id=product.id, quantity=1, policy=policy)
    assert cart.expires_at is not None
    assert before + timedelta(days=3) <= cart.expires_at <= datetime.now(UTC) + timedelta(days=3)


@pytest.mark.parametrize("quantity", [0, -1])
async def test_nonsense_quantities_are_invalid_input(
    buyer: GraphQLClient, seller: GraphQLClient, quantity: int, policy: Policy
) -> None:
    product = await make_product(seller)
    with pytest.raises(DomainError) as refused:
        await add_to_cart(
            await actor_of(buyer), product_id=product.id, quantity=quantity, policy=policy
        )
    assert [(p.code, p.field) for p in refused.value.problems] == [("INVALID_INPUT", "quantity")]
    assert await CartLine.all().count() == 0


async def test_refusals_leave_the_cart_as_it_was(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller, stock=10, minimum_quantity=3)
    far = await make_product(seller, delivery_zones=["69"])
    actor = await actor_of(buyer)
    await add_to_cart(actor, product_id=product.id, quantity=4, policy=policy)
    changed_at = (await Cart.get(buyer_id=actor.account_id)).changed_at
    attempts = [
        ({"product_id": product.id, "quantity": 7}, "OUT_OF_STOCK"),
        ({"product_id": far.id, "quantity": 1}, "NOT_DELIVERABLE"),
        ({"product_id": far.id + 1000, "quantity": 1}, "NOT_FOUND"),
    ]
    for kwargs, code in attempts:
        with pytest.raises(DomainError) as refused:
            await add_to_cart(actor, **kwargs, policy=policy)
        assert refused.value.problems[0].code == code
    with pytest.raises(DomainError) as refused:
        await set_cart_quantity(actor, product_id=product.id, quantity=2, policy=policy)
    assert refused.value.problems[0].code == "BELOW_MINIMUM_QUANTITY"
    assert await _line_quantities(buyer) == {product.id: 4}
    assert (await Cart.get(buyer_id=actor.account_id)).changed_at == changed_at


async def test_below_the_minimum_is_refused_on_the_first_addition(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller, minimum_quantity=10)
    with pytest.raises(DomainError) as refused:
        await add_to_cart(await actor_of(buyer), product_id=product.id, quantity=9, policy=policy)
    assert refused.value.problems[0].code == "BELOW_MINIMUM_QUANTITY"
    assert await CartLine.all().count() == 0


async def test_setting_zero_removes_the_line(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    kept, dropped = await make_product(seller), await make_product(seller, name="Sable 0/4")
    actor = await actor_of(buyer)
    await add_to_cart(actor, product_id=kept.id, quantity=1, policy=policy)
    await add_to_cart(actor, product_id=dropped.id, quantity=1, policy=policy)
    cart = await set_cart_quantity(actor, product_id=dropped.id, quantity=0, policy=policy)
    assert [line.product.id for line in cart.lines] == [kept.id]
    cart = await set_cart_quantity(actor, product_id=kept.id, quantity=7, policy=policy)
    assert [line.quantity for line in cart.lines] == [7]


async def test_remove_and_empty(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    a, b = await make_product(seller), await make_product(seller, name="Sable 0/4")
    actor = await actor_of(buyer)
    await add_to_cart(actor, product_id=a.id, quantity=1, policy=policy)
    await add_to_cart(actor, product_id=b.id, quantity=1, policy=policy)
    assert [
        line.product.id
        for line in (await remove_from_cart(actor, product_id=a.id, policy=policy)).lines
    ] == [b.id]
    cart = await empty_cart(actor, policy=policy)
    assert cart.lines == []
    assert cart.total == Decimal("0.00")
    assert cart.expires_at is None


async def test_only_buyers_have_a_cart(
    seller: GraphQLClient, admin: GraphQLClient, policy: Policy
) -> None:
    with pytest.raises(Unauthenticated):
        await get_cart(ANONYMOUS, policy=policy)
    for client in (seller, admin):
        with pytest.raises(Forbidden):
            await get_cart(await actor_of(client), policy=policy)


async def test_each_buyer_sees_only_their_own_cart(
    buyer: GraphQLClient, other_buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller)
    await add_to_cart(await actor_of(buyer), product_id=product.id, quantity=1, policy=policy)
    assert (await get_cart(await actor_of(other_buyer), policy=policy)).lines == []


async def test_stale_carts_are_emptied_once_and_fresh_ones_kept(
    buyer: GraphQLClient, other_buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller)
    stale, fresh = await actor_of(buyer), await actor_of(other_buyer)
    await add_to_cart(stale, product_id=product.id, quantity=1, policy=policy)
    await add_to_cart(fresh, product_id=product.id, quantity=1, policy=policy)
    three_days_ago = datetime.now(UTC) - timedelta(days=3, seconds=1)
    await Cart.filter(buyer_id=stale.account_id).update(changed_at=three_days_ago)
    assert await empty_stale_carts(policy=policy) == 1
    assert await empty_stale_carts(policy=policy) == 0
    assert (await get_cart(stale, policy=policy)).lines == []
    assert len((await get_cart(fresh, policy=policy)).lines) == 1


async def test_a_backlog_of_stale_carts_clears_in_one_call(
    seller: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller)
    long_ago = datetime.now(UTC) - timedelta(days=30)
    for n in range(5):
        buyer = await make_account(Role.BUYER, email=f"acheteur{n}@example.fr")
        cart = await Cart.create(buyer=buyer, changed_at=long_ago)
        await CartLine.create(cart=cart, product_id=product.id, quantity=1)
    assert await empty_stale_carts(policy=policy, batch=2) == 5
    assert await CartLine.all().count() == 0
    assert await empty_stale_carts(policy=policy, batch=2) == 0


async def test_reading_the_cart_does_not_keep_it_alive(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller)
    actor = await actor_of(buyer)
    await add_to_cart(actor, product_id=product.id, quantity=1, policy=policy)
    await get_cart(actor, policy=policy)
    later = datetime.now(UTC) + timedelta(days=3, seconds=1)
    assert await empty_stale_carts(policy=policy, now=later) == 1


async def test_the_job_is_next_due_when_the_least_recently_changed_cart_is(
    buyer: GraphQLClient, other_buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller)
    first, second = await actor_of(buyer), await actor_of(other_buyer)
    await add_to_cart(first, product_id=product.id, quantity=1, policy=policy)
    await add_to_cart(second, product_id=product.id, quantity=1, policy=policy)
    await empty_cart(first, policy=policy)
    # An empty cart, however old, has nothing to expire.
    await Cart.filter(buyer_id=first.account_id).update(changed_at=datetime(2026, 1, 1, tzinfo=UTC))
    changed = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    await Cart.filter(buyer_id=second.account_id).update(changed_at=changed)

    due = await next_cart_emptying(policy=policy)
    assert due == changed + timedelta(days=3)
    assert await empty_stale_carts(policy=policy, now=due - timedelta(seconds=1)) == 0
    assert await next_cart_emptying(policy=policy) == due
    assert await empty_stale_carts(policy=policy, now=due) == 1
    assert await next_cart_emptying(policy=policy) is None
