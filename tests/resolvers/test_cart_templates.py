"""Order templates: save the cart under a name, put it back later."""

from __future__ import annotations

import pytest

from models.catalog import Product
from models.orders import OrderTemplate, OrderTemplateLine
from resolvers.cart import ChangeKind, add_to_cart, empty_cart
from resolvers.errors import DomainError, Forbidden
from resolvers.policy import Policy
from resolvers.templates import apply_template, list_templates, save_cart_as_template
from tests.catalog_helpers import make_product
from tests.clients import GraphQLClient
from tests.orders_helpers import actor_of
from tests.standing_helpers import suspend_shop


async def test_a_saved_cart_comes_back_with_todays_prices(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    cement = await make_product(seller, name="Ciment", price="9.90")
    sand = await make_product(seller, name="Sable", price="30.00")
    actor = await actor_of(buyer)
    await add_to_cart(actor, product_id=cement.id, quantity=10, policy=policy)
    await add_to_cart(actor, product_id=sand.id, quantity=2, policy=policy)
    template = await save_cart_as_template(actor, name="Chantier Dupont")
    await empty_cart(actor, policy=policy)
    await Product.filter(id=sand.id).update(price="31.00")

    cart, changes = await apply_template(actor, template_id=template.id, policy=policy)

    assert [(line.product.id, line.quantity) for line in cart.lines] == [
        (cement.id, 10),
        (sand.id, 2),
    ]
    assert [(c.kind, c.before, c.after) for c in changes] == [
        (ChangeKind.PRICE_CHANGED, "30.00", "31.00")
    ]
    assert [t.name for t in await list_templates(actor)] == ["Chantier Dupont"]


async def test_saving_under_an_existing_name_replaces_the_template(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    a, b = await make_product(seller, name="Ciment"), await make_product(seller, name="Sable")
    actor = await actor_of(buyer)
    await add_to_cart(actor, product_id=a.id, quantity=1, policy=policy)
    first = await save_cart_as_template(actor, name="Hebdo")
    await empty_cart(actor, policy=policy)
    await add_to_cart(actor, product_id=b.id, quantity=3, policy=policy)
    second = await save_cart_as_template(actor, name="Hebdo")
    assert first.id == second.id
    assert await OrderTemplate.all().count() == 1
    assert await OrderTemplateLine.all().values_list("product_id", "quantity") == [(b.id, 3)]


async def test_an_empty_cart_or_a_bad_name_saves_nothing(
    buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    actor = await actor_of(buyer)
    with pytest.raises(DomainError) as refused:
        await save_cart_as_template(actor, name="Vide")
    assert refused.value.problems[0].code == "CART_EMPTY"
    product = await make_product(seller)
    await add_to_cart(actor, product_id=product.id, quantity=1, policy=policy)
    for name in ("", " ", "x" * 201):
        with pytest.raises(DomainError) as refused:
            await save_cart_as_template(actor, name=name)
        assert [(p.code, p.field) for p in refused.value.problems] == [("INVALID_INPUT", "name")]
    assert await OrderTemplate.all().count() == 0


async def test_another_buyers_template_looks_missing(
    buyer: GraphQLClient, other_buyer: GraphQLClient, seller: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller)
    actor = await actor_of(buyer)
    await add_to_cart(actor, product_id=product.id, quantity=1, policy=policy)
    template = await save_cart_as_template(actor, name="Mien")
    stranger = await actor_of(other_buyer)
    with pytest.raises(DomainError) as refused:
        await apply_template(stranger, template_id=template.id, policy=policy)
    assert refused.value.problems[0].code == "NOT_FOUND"
    assert await list_templates(stranger) == []
    with pytest.raises(Forbidden):
        await list_templates(await actor_of(seller))


async def test_a_suspended_sellers_line_comes_back_unavailable_and_stays_out_of_the_cart(
    buyer: GraphQLClient,
    seller: GraphQLClient,
    other_seller: GraphQLClient,
    admin: GraphQLClient,
    policy: Policy,
) -> None:
    held = await make_product(seller, name="Ciment")
    fine = await make_product(other_seller, name="Sable")
    actor = await actor_of(buyer)
    await add_to_cart(actor, product_id=held.id, quantity=4, policy=policy)
    await add_to_cart(actor, product_id=fine.id, quantity=2, policy=policy)
    template = await save_cart_as_template(actor, name="Chantier")
    await empty_cart(actor, policy=policy)
    await suspend_shop(admin, seller)

    cart, changes = await apply_template(actor, template_id=template.id, policy=policy)

    assert [(line.product.id, line.quantity) for line in cart.lines] == [(fine.id, 2)]
    assert [(c.product_id, c.kind) for c in changes] == [(held.id, ChangeKind.UNAVAILABLE)]
