"""A mutation naming a product that does not exist: one refusal, the same wherever it is named
(cart, quote list, a question to its seller), and nothing written."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from models.helpdesk import Thread
from models.mail import OutboxMail
from models.orders import Cart, CartLine
from models.quotes import QuoteList, QuoteListLine
from resolvers.actor import Actor
from resolvers.cart import add_to_cart, remove_from_cart, set_cart_quantity
from resolvers.errors import DomainError, ErrorCode, Problem
from resolvers.helpdesk import open_thread
from resolvers.quotes import add_to_quote_list, remove_from_quote_list
from tests.catalog_helpers import make_product
from tests.clients import GraphQLClient
from tests.configuration import POLICY
from tests.orders_helpers import actor_of

Naming = Callable[[Actor, int], Awaitable[Any]]

MUTATIONS: dict[str, Naming] = {
    "addToCart": lambda a, p: add_to_cart(a, product_id=p, quantity=1, policy=POLICY),
    "setCartQuantity": lambda a, p: set_cart_quantity(a, product_id=p, quantity=1, policy=POLICY),
    "removeFromCart": lambda a, p: remove_from_cart(a, product_id=p, policy=POLICY),
    "addToQuoteList": lambda a, p: add_to_quote_list(a, product_id=p, quantities=[1]),
    "removeFromQuoteList": lambda a, p: remove_from_quote_list(a, product_id=p),
    "openThread": lambda a, p: open_thread(a, body="Dispo ?", product_id=p, policy=POLICY),
}


async def _rows() -> list[int]:
    return [
        await model.all().count()
        for model in (Cart, CartLine, QuoteList, QuoteListLine, Thread, OutboxMail)
    ]


@pytest.mark.parametrize("mutation", MUTATIONS)
async def test_an_unknown_product_is_not_found_and_nothing_changes(
    mutation: str, buyer: GraphQLClient, seller: GraphQLClient
) -> None:
    missing = (await make_product(seller)).id + 1000
    actor = await actor_of(buyer)
    before = await _rows()
    with pytest.raises(DomainError) as refused:
        await MUTATIONS[mutation](actor, missing)
    assert refused.value.problems == [
        Problem(ErrorCode.NOT_FOUND, "Produit introuvable.", "productId")
    ]
    assert await _rows() == before
