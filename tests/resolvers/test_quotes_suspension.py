"""Seed 004 on quotes: nobody lists, sends or accepts a suspended seller's products."""

from __future__ import annotations

import pytest

from resolvers.errors import DomainError
from resolvers.policy import Policy
from resolvers.quotes import add_to_quote_list, send_quote_request
from resolvers.standing.suspension import reinstate_seller
from tests.catalog_helpers import make_product, seller_actor
from tests.clients import GraphQLClient
from tests.orders_helpers import actor_of
from tests.quotes_helpers import accept, offered_quote, world
from tests.standing_helpers import suspend_shop


async def test_a_suspended_sellers_product_cannot_join_the_list(
    buyer: GraphQLClient, seller: GraphQLClient, admin: GraphQLClient
) -> None:
    product = await make_product(seller)
    await suspend_shop(admin, seller)
    before = await world()
    with pytest.raises(DomainError) as refused:
        await add_to_quote_list(await actor_of(buyer), product_id=product.id, quantities=[5])
    assert [(p.code, p.field) for p in refused.value.problems] == [
        ("SELLER_SUSPENDED", "productId")
    ]
    assert await world() == before


async def test_a_list_naming_a_suspended_seller_is_not_sent(
    buyer: GraphQLClient,
    seller: GraphQLClient,
    other_seller: GraphQLClient,
    admin: GraphQLClient,
    policy: Policy,
) -> None:
    fine = await make_product(other_seller, name="Perceuse")
    held = await make_product(seller, name="Ciment")
    actor = await actor_of(buyer)
    await add_to_quote_list(actor, product_id=fine.id, quantities=[1])
    await add_to_quote_list(actor, product_id=held.id, quantities=[5])
    await suspend_shop(admin, seller)
    before = await world()
    with pytest.raises(DomainError) as refused:
        await send_quote_request(actor, remark=None, policy=policy)
    assert [(p.code, p.field) for p in refused.value.problems] == [("SELLER_SUSPENDED", "lines.1")]
    assert "Ciment" in refused.value.problems[0].message
    assert await world() == before


async def test_an_offer_of_a_suspended_seller_cannot_be_accepted_until_reinstated(
    buyer: GraphQLClient, seller: GraphQLClient, admin: GraphQLClient, policy: Policy
) -> None:
    product = await make_product(seller, stock=50)
    quote = await offered_quote(buyer, seller, product, {10: "1.00"})
    await suspend_shop(admin, seller)
    before = await world()
    with pytest.raises(DomainError) as refused:
        await accept(buyer, quote, (product, 10))
    assert refused.value.problems[0].code == "SELLER_SUSPENDED"
    assert await world() == before
    shop = (await seller_actor(seller)).seller_id
    assert shop is not None
    await reinstate_seller(await actor_of(admin), seller_id=shop, policy=policy)
    accepted = await accept(buyer, quote, (product, 10))
    assert accepted.status == "ACCEPTED"
